/* Bad input: every malformed, mistyped, oversized or misaddressed request gets the right status
 * and a problem document naming the field at fault, and changes nothing in the store. */
#include "harness.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define SESSIONS   "/api/v1/sessions"
#define BODY_LIMIT (16 << 10) /* what POST /api/v1/sessions accepts */

static unsigned port_of(void **state)
{
    return ((struct ht_env *)*state)->srv.port;
}

/* What a request could have changed. */
struct snapshot {
    long long audit, sessions, users;
    double commits;
};

static struct snapshot take(void **state)
{
    struct ht_env *env = *state;
    struct snapshot s;
    s.audit = ht_db_int(env->db, "SELECT count(*) FROM audit");
    s.sessions = ht_db_int(env->db, "SELECT count(*) FROM sessions");
    s.users = ht_db_int(env->db, "SELECT count(*) FROM users");
    s.commits = ht_metric_now(env->srv.port, "akar_store_commit_batch_size_count");
    return s;
}

static void assert_unchanged(void **state, const struct snapshot *before)
{
    struct snapshot after = take(state);
    assert_int_equal(after.audit, before->audit);
    assert_int_equal(after.sessions, before->sessions);
    assert_int_equal(after.users, before->users);
    assert_true(after.commits == before->commits);
}

/* POSTs body to /api/v1/sessions and checks a 400 naming field, with nothing stored. */
static void expect_400(void **state, const char *body, size_t len, const char *field)
{
    struct snapshot before = take(state);
    struct ht_response r;
    ht_do(port_of(state),
          &(struct ht_request){
              .path = SESSIONS, .content_type = "application/json", .body = body, .body_len = len},
          &r);
    ht_assert_problem(&r, 400, field);
    json_t *p = ht_json(&r);
    const char *detail = json_string_value(json_object_get(p, "detail"));
    if (strcmp(field, "body") != 0 && !strstr(detail, field))
        fail_msg("detail \"%s\" does not name %s", detail, field);
    assert_null(ht_header(&r, "Set-Cookie"));
    json_decref(p);
    ht_response_free(&r);
    assert_unchanged(state, &before);
}

#define EXPECT_400(state, body, field) expect_400(state, body, sizeof(body) - 1, field)

static void test_malformed_json_is_400(void **state)
{
    EXPECT_400(state, "{\"login\":\"admin\",\"password\":", "body");
    EXPECT_400(state, "{login: 'admin'}", "body");
    EXPECT_400(state, "{\"login\":\"admin\",\"password\":\"demo-admin-2026\"} trailing", "body");
}

static void test_empty_body_is_400(void **state)
{
    expect_400(state, "", 0, "body");
}

static void test_json_array_is_400(void **state)
{
    EXPECT_400(state, "[{\"login\":\"admin\",\"password\":\"demo-admin-2026\"}]", "body");
    EXPECT_400(state, "\"admin\"", "body");
}

static void test_duplicate_member_is_400(void **state)
{
    EXPECT_400(state, "{\"login\":\"x\",\"login\":\"admin\",\"password\":\"demo-admin-2026\"}",
               "body");
}

static void test_wrong_type_names_the_field(void **state)
{
    EXPECT_400(state, "{\"login\":5,\"password\":\"demo-admin-2026\"}", "login");
    EXPECT_400(state, "{\"login\":\"admin\",\"password\":[\"demo-admin-2026\"]}", "password");
    EXPECT_400(state, "{\"login\":null,\"password\":\"demo-admin-2026\"}", "login");
}

static void test_unknown_field_is_named(void **state)
{
    EXPECT_400(state, "{\"login\":\"admin\",\"password\":\"demo-admin-2026\",\"role\":\"admin\"}",
               "role");
}

static void test_missing_field_is_named(void **state)
{
    EXPECT_400(state, "{\"login\":\"admin\"}", "password");
    EXPECT_400(state, "{\"password\":\"demo-admin-2026\"}", "login");
}

static void test_broken_utf8_names_the_field(void **state)
{
    EXPECT_400(state, "{\"login\":\"admin\",\"password\":\"demo-\xff\xfe-2026\"}", "password");
    EXPECT_400(state, "{\"login\":\"ad\xc3\",\"password\":\"demo-admin-2026\"}", "login");
}

static void test_nul_in_a_value_is_400(void **state)
{
    EXPECT_400(state, "{\"login\":\"admin\",\"password\":\"demo\\u0000admin\"}", "password");
}

static void test_overlong_value_is_400(void **state)
{
    char body[256];
    char login[70];
    memset(login, 'a', 65);
    login[65] = 0;
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"demo-admin-2026\"}", login);
    expect_400(state, body, strlen(body), "login");
}

static void test_wrong_content_type_is_415(void **state)
{
    static const char *const types[] = {"text/plain", "application/x-www-form-urlencoded",
                                        "application/jsonp", NULL};
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        struct snapshot before = take(state);
        struct ht_response r;
        ht_do(
            port_of(state),
            &(struct ht_request){.path = SESSIONS,
                                 .content_type = types[i],
                                 .body = "{\"login\":\"admin\",\"password\":\"demo-admin-2026\"}"},
            &r);
        if (r.status != 415)
            fail_msg("Content-Type %s: %ld", types[i] ? types[i] : "(none)", r.status);
        ht_assert_problem(&r, 415, NULL);
        ht_response_free(&r);
        assert_unchanged(state, &before);
    }
}

static char *padded_body(size_t len)
{
    /* a body the parser would refuse by name, padded with spaces to len bytes */
    static const char head[] = "{\"padding_probe\":1";
    char *b = xmalloc(len + 1);
    memset(b, ' ', len);
    memcpy(b, head, sizeof head - 1);
    b[len - 1] = '}';
    b[len] = 0;
    return b;
}

static void test_body_at_the_limit_is_read(void **state)
{
    char *body = padded_body(BODY_LIMIT);
    expect_400(state, body, BODY_LIMIT, "padding_probe");
    free(body);
}

static void test_body_over_the_limit_is_413(void **state)
{
    char *body = padded_body(BODY_LIMIT + 1);
    for (int chunked = 0; chunked < 2; chunked++) {
        struct snapshot before = take(state);
        struct ht_response r;
        ht_do(port_of(state),
              &(struct ht_request){.path = SESSIONS,
                                   .content_type = "application/json",
                                   .body = body,
                                   .body_len = BODY_LIMIT + 1,
                                   .chunked = chunked},
              &r);
        if (r.status != 413)
            fail_msg("%s body of %d bytes: %ld", chunked ? "chunked" : "declared", BODY_LIMIT + 1,
                     r.status);
        ht_assert_problem(&r, 413, NULL);
        ht_response_free(&r);
        assert_unchanged(state, &before);
    }
    free(body);
}

static void test_much_larger_bodies_are_413(void **state)
{
    size_t n = 4 << 20;
    char *body = xmalloc(n);
    memset(body, 'x', n);
    for (int chunked = 0; chunked < 2; chunked++) {
        struct ht_response r;
        ht_do(port_of(state),
              &(struct ht_request){.path = SESSIONS,
                                   .content_type = "application/json",
                                   .body = body,
                                   .body_len = n,
                                   .chunked = chunked},
              &r);
        assert_int_equal(r.status, 413);
        ht_response_free(&r);
    }
    free(body);
    struct ht_response r;
    ht_get(port_of(state), "/healthz", &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
}

static void test_huge_header_is_refused_and_server_goes_on(void **state)
{
    size_t n = 64 << 10;
    char *cookie = xmalloc(n + 32);
    strcpy(cookie, "Cookie: akar_session=");
    size_t at = strlen(cookie);
    memset(cookie + at, 'a', n);
    cookie[at + n] = 0;
    struct snapshot before = take(state);
    struct ht_response r;
    ht_do(port_of(state), &(struct ht_request){.path = "/api/v1/me", .headers = {cookie}}, &r);
    free(cookie);
    if (r.status < 400 || r.status > 499)
        fail_msg("a 64 KiB header got %ld", r.status);
    ht_response_free(&r);
    assert_unchanged(state, &before);
    ht_get(port_of(state), "/healthz", &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
}

static void test_unknown_route_is_404_problem(void **state)
{
    static const char *const paths[] = {"/api/v1/nothing", "/api/v2/units", "/api/v1/units/58/x",
                                        "/api"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct ht_response r;
        ht_get(port_of(state), paths[i], &r);
        if (r.status != 404)
            fail_msg("GET %s: %ld", paths[i], r.status);
        ht_assert_problem(&r, 404, NULL);
        ht_response_free(&r);
    }
}

static void test_wrong_method_is_405_with_allow(void **state)
{
    static const struct {
        const char *method, *path, *allow;
    } cases[] = {
        {"PUT", "/api/v1/units", "GET"},
        {"DELETE", "/healthz", "GET"},
        {"POST", "/metrics", "GET"},
        {"POST", "/api/v1/me", "GET"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct ht_response r;
        ht_do(port_of(state),
              &(struct ht_request){.method = cases[i].method, .path = cases[i].path}, &r);
        ht_assert_problem(&r, 405, NULL);
        const char *allow = ht_header(&r, "Allow");
        if (!allow || strcmp(allow, cases[i].allow) != 0)
            fail_msg("%s %s: Allow is %s", cases[i].method, cases[i].path,
                     allow ? allow : "(none)");
        ht_response_free(&r);
    }
    struct ht_response r;
    ht_do(port_of(state), &(struct ht_request){.method = "PATCH", .path = SESSIONS}, &r);
    ht_assert_problem(&r, 405, NULL);
    const char *allow = ht_header(&r, "Allow");
    assert_non_null(allow);
    assert_non_null(strstr(allow, "POST"));
    assert_non_null(strstr(allow, "DELETE"));
    ht_response_free(&r);
}

/* Last: bad requests naming a login do not count as its failed sign-ins. */
static void test_bad_requests_do_not_lock_a_login(void **state)
{
    for (int i = 0; i < 6; i++)
        EXPECT_400(state, "{\"login\":\"admin\",\"password\":5}", "password");
    char *token = ht_login(port_of(state), "admin", "demo-admin-2026");
    free(token);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_malformed_json_is_400),
        cmocka_unit_test(test_empty_body_is_400),
        cmocka_unit_test(test_json_array_is_400),
        cmocka_unit_test(test_duplicate_member_is_400),
        cmocka_unit_test(test_wrong_type_names_the_field),
        cmocka_unit_test(test_unknown_field_is_named),
        cmocka_unit_test(test_missing_field_is_named),
        cmocka_unit_test(test_broken_utf8_names_the_field),
        cmocka_unit_test(test_nul_in_a_value_is_400),
        cmocka_unit_test(test_overlong_value_is_400),
        cmocka_unit_test(test_wrong_content_type_is_415),
        cmocka_unit_test(test_body_at_the_limit_is_read),
        cmocka_unit_test(test_body_over_the_limit_is_413),
        cmocka_unit_test(test_much_larger_bodies_are_413),
        cmocka_unit_test(test_huge_header_is_refused_and_server_goes_on),
        cmocka_unit_test(test_unknown_route_is_404_problem),
        cmocka_unit_test(test_wrong_method_is_405_with_allow),
        cmocka_unit_test(test_bad_requests_do_not_lock_a_login),
    };
    int failed = cmocka_run_group_tests_name("bad input", tests, ht_env_setup, ht_env_teardown);
    ht_done();
    return failed ? 1 : 0;
}
