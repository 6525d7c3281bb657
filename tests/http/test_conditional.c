/* Conditional requests on an official's case: GET /api/v1/cases/{id} carries a strong ETag
 * that an If-None-Match naming it (alone, in a list, weak, or "*") turns into a 304 until the
 * case changes, and that differs between roles that see different answers; an action sent
 * with If-Match goes ahead only while the case is at the version the tag was given for (or
 * "*"), is refused with 412 and changes nothing when it has moved, and a header that is no
 * list of entity tags is a 400. A 503 for a store that cannot answer says when to come back. */
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

static struct ht_env *E;
static char *handler;   /* handler.vinhhai's token: handles cases at 586.01 */
static char *inspector; /* inspector.vinhhai's: sees handling records only */

/* ---- helpers ---- */

/* A complaint to 586.01 with a plain reporter, submitted by the public; its id. */
static long long submit(const char *title)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"%s\","
             "\"description\":\"Đường thôn ngập sau mưa.\",\"reporter\":{\"name\":\"Lê Văn "
             "Tâm\",\"phone\":\"0912345678\"}}",
             title);
    struct ht_response r;
    ht_post_json(E->srv.port, "/api/v1/cases", body, &r);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    ht_response_free(&r);
    assert_true(id > 0);
    return id;
}

/* GET the case as token, with If-None-Match: inm unless it is NULL. */
static void get_case(const char *token, long long id, const char *inm, struct ht_response *r)
{
    char path[64], auth[256], cond[512];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(cond, sizeof cond, "If-None-Match: %s", inm ? inm : "");
    struct ht_request q = {.path = path, .headers = {auth, inm ? cond : NULL}};
    ht_do(E->srv.port, &q, r);
}

/* The case's ETag as token sees it now (from a 200); the caller frees it. */
static char *etag_of(const char *token, long long id)
{
    struct ht_response r;
    get_case(token, id, NULL, &r);
    if (r.status != 200)
        fail_msg("GET case %lld: %ld %s", id, r.status, r.body);
    const char *tag = ht_header(&r, "ETag");
    assert_non_null(tag);
    char *out = xstrdup(tag);
    ht_response_free(&r);
    return out;
}

/* POSTs action (a JSON body) on the case as the handler, with If-Match: im unless NULL. */
static void act(long long id, const char *action, const char *im, struct ht_response *r)
{
    char path[64], auth[256], cond[512];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", id);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", handler);
    snprintf(cond, sizeof cond, "If-Match: %s", im ? im : "");
    struct ht_request q = {.method = "POST",
                           .path = path,
                           .content_type = "application/json",
                           .body = action,
                           .headers = {auth, im ? cond : NULL}};
    ht_do(E->srv.port, &q, r);
}

static long long db_version(long long id)
{
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT version FROM cases WHERE id = %lld", id);
    return ht_db_int(E->db, sql);
}

/* The version and status the handler's GET shows. */
static long long api_version(long long id, char *status, size_t cap)
{
    struct ht_response r;
    get_case(handler, id, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = ht_json(&r);
    long long v = json_integer_value(json_object_get(doc, "version"));
    snprintf(status, cap, "%s", json_string_value(json_object_get(doc, "status")));
    json_decref(doc);
    ht_response_free(&r);
    return v;
}

static void expect_status(long long id, const char *action, const char *im, long status)
{
    struct ht_response r;
    act(id, action, im, &r);
    if (r.status != status)
        fail_msg("%s with If-Match: %s: %ld, expected %ld: %s", action, im ? im : "(none)",
                 r.status, status, r.body);
    if (status >= 400)
        ht_assert_problem(&r, status, NULL);
    ht_response_free(&r);
}

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    ht_server_start(&E->srv, E->db, E->access_log);
    handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    inspector = ht_login(E->srv.port, "inspector.vinhhai", "demo-inspector-2026");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(handler);
    free(inspector);
    return ht_env_teardown(state);
}

/* ---- tests ---- */

static void test_case_get_gives_a_strong_etag_and_304_when_it_is_named(void **state)
{
    (void)state;
    long long id = submit("Cống thoát nước bị tắc");
    struct ht_response r;
    get_case(handler, id, NULL, &r);
    assert_int_equal(r.status, 200);
    const char *tag = ht_header(&r, "ETag");
    assert_non_null(tag);
    char prefix[64];
    snprintf(prefix, sizeof prefix, "\"c%lld-v", id);
    assert_true(strncmp(tag, prefix, strlen(prefix)) == 0);
    assert_true(tag[strlen(tag) - 1] == '"');
    assert_string_equal(ht_header(&r, "Cache-Control"), "no-store");
    char *etag = xstrdup(tag);
    ht_response_free(&r);

    char list[512], weak[512];
    snprintf(list, sizeof list, "\"0123\", W/\"other\",%s", etag);
    snprintf(weak, sizeof weak, "W/%s", etag);
    const char *named[] = {etag, list, weak, "*"};
    for (size_t i = 0; i < sizeof named / sizeof *named; i++) {
        get_case(handler, id, named[i], &r);
        if (r.status != 304)
            fail_msg("If-None-Match: %s: %ld, expected 304", named[i], r.status);
        assert_int_equal(r.body_len, 0);
        assert_string_equal(ht_header(&r, "ETag"), etag);
        assert_non_null(ht_header(&r, "Cache-Control"));
        ht_response_free(&r);
    }
    get_case(handler, id, "\"c1-v1-00\", \"nothing\"", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(ht_header(&r, "ETag"), etag);
    ht_response_free(&r);
    free(etag);
}

static void test_case_etag_moves_when_an_action_moves_the_version(void **state)
{
    (void)state;
    long long id = submit("Đèn đường không sáng");
    char *before = etag_of(handler, id);
    char status[32];
    long long v = api_version(id, status, sizeof status);
    expect_status(id, "{\"action\":\"accept\"}", NULL, 200);
    assert_true(api_version(id, status, sizeof status) > v);
    struct ht_response r;
    get_case(handler, id, before, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 0);
    const char *after = ht_header(&r, "ETag");
    assert_non_null(after);
    assert_string_not_equal(after, before);
    ht_response_free(&r);
    free(before);
}

static void test_case_etag_differs_between_roles_that_see_different_answers(void **state)
{
    (void)state;
    long long id = submit("Rác thải bên bờ sông");
    struct ht_response rh, ri;
    get_case(handler, id, NULL, &rh);
    get_case(inspector, id, NULL, &ri);
    assert_int_equal(rh.status, 200);
    assert_int_equal(ri.status, 200);
    assert_string_not_equal(rh.body, ri.body);
    assert_string_not_equal(ht_header(&rh, "ETag"), ht_header(&ri, "ETag"));
    ht_response_free(&ri);
    /* the handler's tag is no good to the inspector, who must get their own answer */
    get_case(inspector, id, ht_header(&rh, "ETag"), &ri);
    assert_int_equal(ri.status, 200);
    ht_response_free(&ri);
    /* and one caller asking twice gets the same tag */
    char *again = etag_of(handler, id);
    assert_string_equal(again, ht_header(&rh, "ETag"));
    free(again);
    ht_response_free(&rh);
}

static void test_case_action_with_a_stale_if_match_is_412_and_changes_nothing(void **state)
{
    (void)state;
    long long id = submit("Lấn chiếm vỉa hè");
    char *stale = etag_of(handler, id);
    expect_status(id, "{\"action\":\"accept\"}", stale, 200);
    char status[32];
    long long v = api_version(id, status, sizeof status);
    assert_string_equal(status, "accepted");
    assert_int_equal(db_version(id), v);

    expect_status(id, "{\"action\":\"start\"}", stale, 412);
    /* weak tags never pass If-Match, even the case's own */
    char *current = etag_of(handler, id);
    char weak[512];
    snprintf(weak, sizeof weak, "W/%s", current);
    expect_status(id, "{\"action\":\"start\"}", weak, 412);
    expect_status(id, "{\"action\":\"start\"}", "\"something-else\"", 412);
    assert_int_equal(db_version(id), v);
    assert_int_equal(api_version(id, status, sizeof status), v);
    assert_string_equal(status, "accepted");
    free(stale);
    free(current);
}

static void test_case_action_with_a_current_if_match_or_star_goes_ahead(void **state)
{
    (void)state;
    long long id = submit("Nước sinh hoạt có mùi lạ");
    char *tag = etag_of(handler, id);
    expect_status(id, "{\"action\":\"accept\"}", tag, 200);
    free(tag);
    /* the tag of the same version passes in a list too */
    tag = etag_of(handler, id);
    char list[512];
    snprintf(list, sizeof list, "\"old\" , %s", tag);
    expect_status(id, "{\"action\":\"start\"}", list, 200);
    free(tag);
    expect_status(id, "{\"action\":\"resolve\",\"answer\":\"Đã súc rửa bể chứa.\"}", "*", 200);
    char status[32];
    api_version(id, status, sizeof status);
    assert_string_equal(status, "resolved");
    /* "*" asks only that the case exists */
    struct ht_response r;
    act(99999999, "{\"action\":\"accept\"}", "*", &r);
    ht_assert_problem(&r, 404, NULL);
    ht_response_free(&r);
}

static void test_case_action_with_a_malformed_if_match_is_400(void **state)
{
    (void)state;
    long long id = submit("Tiếng ồn công trình ban đêm");
    long long v = db_version(id);
    const char *bad[] = {
        "abc", "\"unterminated", "*, \"x\"", "W/abc", "\"a\" \"b\"", ",", "\"a\";",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_status(id, "{\"action\":\"accept\"}", bad[i], 400);
    assert_int_equal(db_version(id), v);
    /* without If-Match the action goes ahead as before */
    expect_status(id, "{\"action\":\"accept\"}", NULL, 200);
    assert_true(db_version(id) > v);
}

static void test_case_read_the_store_cannot_answer_is_503_with_retry_after(void **state)
{
    (void)state;
    long long id = submit("Cây đổ chắn đường");
    /* a table gone from under the server makes its read fail as a store that is down would */
    ht_db_exec(E->db, "ALTER TABLE case_events RENAME TO case_events_away");
    struct ht_response r;
    get_case(handler, id, NULL, &r);
    ht_db_exec(E->db, "ALTER TABLE case_events_away RENAME TO case_events");
    ht_assert_problem(&r, 503, NULL);
    assert_non_null(ht_header(&r, "Retry-After"));
    assert_string_equal(ht_header(&r, "Retry-After"), "1");
    ht_response_free(&r);
    get_case(handler, id, NULL, &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_case_get_gives_a_strong_etag_and_304_when_it_is_named),
        cmocka_unit_test(test_case_etag_moves_when_an_action_moves_the_version),
        cmocka_unit_test(test_case_etag_differs_between_roles_that_see_different_answers),
        cmocka_unit_test(test_case_action_with_a_stale_if_match_is_412_and_changes_nothing),
        cmocka_unit_test(test_case_action_with_a_current_if_match_or_star_goes_ahead),
        cmocka_unit_test(test_case_action_with_a_malformed_if_match_is_400),
        cmocka_unit_test(test_case_read_the_store_cannot_answer_is_503_with_retry_after),
    };
    int failed = cmocka_run_group_tests_name("conditional", tests, setup, teardown);
    ht_done();
    return failed;
}
