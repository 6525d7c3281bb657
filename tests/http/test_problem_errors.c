/* The API's conventions for refusals and lists: every 400 and 422 that bad input causes is a
 * problem document (type, title, status, detail) whose "errors" list names each field at fault
 * with its own detail, every bad member of a JSON body at once, on every POST route; and the
 * inbox pages with a "next" link (and a Link header) that keeps the filters, so following it
 * lists every matching case exactly once and stops with null on the last page. */
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

#define CASES "/api/v1/cases"

static struct ht_env *E;
static char *handler; /* handler.vinhhai: 586.01 */
static char *admin;   /* admin: may make API keys */
static long long case_id;
static char *code, *access_key;

/* The fields that r's errors list names, in order, joined by spaces (the caller frees). */
static char *fields_of(const struct ht_response *r)
{
    json_t *p = ht_json(r);
    json_t *errors = json_object_get(p, "errors");
    assert_true(json_is_array(errors));
    char *out = xcalloc(1, 1024);
    size_t i;
    json_t *e;
    json_array_foreach(errors, i, e)
    {
        const char *f = json_string_value(json_object_get(e, "field"));
        const char *d = json_string_value(json_object_get(e, "detail"));
        assert_non_null(f);
        assert_non_null(d);
        assert_true(strlen(d) > 0);
        snprintf(out + strlen(out), 1024 - strlen(out), "%s%s", i ? " " : "", f);
    }
    json_decref(p);
    return out;
}

/* Asserts r is a problem of status whose errors name exactly fields (space-separated, in
 * order). */
static void assert_errors(const struct ht_response *r, long status, const char *fields)
{
    ht_assert_problem(r, status, NULL);
    char *got = fields_of(r);
    if (strcmp(got, fields) != 0)
        fail_msg("errors name \"%s\", expected \"%s\": %s", got, fields, r->body);
    free(got);
}

static void post(const char *path, const char *token, const char *body, const char *ctype,
                 const char *extra, struct ht_response *r)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    struct ht_request q = {.method = "POST",
                           .path = path,
                           .content_type = ctype ? ctype : "application/json",
                           .body = body};
    size_t h = 0;
    if (token)
        q.headers[h++] = auth;
    if (extra)
        q.headers[h++] = extra;
    ht_do(E->srv.port, &q, r);
}

static long long submit(const char *kind, const char *title)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"unit\":\"586.01\",\"title\":\"%s\",\"description\":\"Mô tả.\"}",
             kind, title);
    struct ht_response r;
    post(CASES, NULL, body, NULL, NULL, &r);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    if (!code) {
        code = xstrdup(json_string_value(json_object_get(doc, "tracking_code")));
        access_key = xstrdup(json_string_value(json_object_get(doc, "access_key")));
    }
    json_decref(doc);
    ht_response_free(&r);
    return id;
}

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    static const char *const extra[] = {"--submit-limit", "1000", NULL};
    ht_server_start_with(&E->srv, E->db, E->access_log, extra);
    handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    admin = ht_login(E->srv.port, "admin", "demo-admin-2026");
    case_id = submit("complaint", "Trường hợp để thử lỗi");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(handler);
    free(admin);
    free(code);
    free(access_key);
    return ht_env_teardown(state);
}

/* ---- the errors list on each POST route ---- */

static void test_a_submission_names_every_bad_field_at_once(void **s)
{
    (void)s;
    struct ht_response r;
    post(CASES, NULL,
         "{\"kind\":\"complaint\",\"unit\":5,\"title\":\"T\",\"bogus\":1,"
         "\"reporter\":{\"email\":7,\"nick\":\"x\"}}",
         NULL, NULL, &r);
    assert_errors(&r, 400, "unit bogus reporter.email reporter.nick description");
    json_t *p = ht_json(&r);
    assert_string_equal(json_string_value(json_object_get(p, "type")), "about:blank");
    assert_string_equal(json_string_value(json_object_get(p, "title")), "Bad Request");
    assert_int_equal(json_integer_value(json_object_get(p, "status")), 400);
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), "reporter.email"));
    json_decref(p);
    ht_response_free(&r);
    /* values checked after the shape: one field each */
    post(CASES, NULL,
         "{\"kind\":\"wish\",\"unit\":\"586.01\",\"title\":\"T\",\"description\":\"D\"}", NULL,
         NULL, &r);
    assert_errors(&r, 400, "kind");
    ht_response_free(&r);
    post(CASES, NULL,
         "{\"kind\":\"complaint\",\"unit\":\"no.such\",\"title\":\"T\",\"description\":\"D\"}",
         NULL, NULL, &r);
    assert_errors(&r, 422, "unit");
    ht_response_free(&r);
    post(CASES, NULL, "[1]", NULL, NULL, &r);
    assert_errors(&r, 400, "body");
    ht_response_free(&r);
    post(CASES, NULL, "{\"kind\":", NULL, NULL, &r);
    assert_errors(&r, 400, "body");
    ht_response_free(&r);
}

static void test_a_sign_in_names_every_bad_field_at_once(void **s)
{
    (void)s;
    struct ht_response r;
    post("/api/v1/sessions", NULL, "{\"login\":1,\"remember\":true}", NULL, NULL, &r);
    assert_errors(&r, 400, "login remember password");
    ht_response_free(&r);
}

static void test_an_action_names_its_bad_fields(void **s)
{
    (void)s;
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld/actions", case_id);
    struct ht_response r;
    post(path, handler, "{\"action\":5,\"merge_into\":\"one\"}", NULL, NULL, &r);
    assert_errors(&r, 400, "action merge_into");
    ht_response_free(&r);
    post(path, handler, "{\"action\":\"dance\"}", NULL, NULL, &r);
    assert_errors(&r, 400, "action");
    ht_response_free(&r);
    post(path, handler, "{\"action\":\"reject\"}", NULL, NULL, &r);
    assert_errors(&r, 422, "reason");
    ht_response_free(&r);
    post(path, handler, "{\"action\":\"accept\"}", NULL, "If-Match: c1-v1", &r);
    assert_errors(&r, 400, "If-Match");
    ht_response_free(&r);
    post(path, handler, "{\"action\":\"accept\"}", NULL, "Idempotency-Key: \"\"", &r);
    assert_errors(&r, 400, "Idempotency-Key");
    ht_response_free(&r);
}

static void test_a_rating_names_its_bad_fields(void **s)
{
    (void)s;
    char path[96], body[256];
    snprintf(path, sizeof path, "/api/v1/track/%s/rating", code);
    struct ht_response r;
    post(path, NULL, "{\"rating\":\"five\",\"comment\":3}", NULL, NULL, &r);
    assert_errors(&r, 400, "rating comment access_key");
    ht_response_free(&r);
    /* a rating out of range, on a case not yet resolved, is refused for the state first */
    snprintf(body, sizeof body, "{\"access_key\":\"%s\",\"rating\":9}", access_key);
    post(path, NULL, body, NULL, NULL, &r);
    ht_assert_problem(&r, 409, "rating");
    ht_response_free(&r);
}

static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

static void test_an_upload_names_the_body(void **s)
{
    (void)s;
    char path[128], key[128];
    snprintf(path, sizeof path, "/api/v1/track/%s/attachments", code);
    snprintf(key, sizeof key, "X-Access-Key: %s", access_key);
    struct ht_response r;
    post(path, NULL, "", "application/pdf", key, &r);
    assert_errors(&r, 400, "body");
    ht_response_free(&r);
    snprintf(path, sizeof path, CASES "/%lld/attachments", case_id);
    post(path, handler, "", "application/pdf", NULL, &r);
    assert_errors(&r, 400, "body");
    ht_response_free(&r);
    post(path, handler, pdf, "application/pdf", "Idempotency-Key: two words", &r);
    assert_errors(&r, 400, "Idempotency-Key");
    ht_response_free(&r);
}

static void test_an_api_key_request_names_its_bad_fields(void **s)
{
    (void)s;
    struct ht_response r;
    post("/api/v1/apikeys", admin, "{\"unit\":58,\"colour\":\"red\"}", NULL, NULL, &r);
    ht_assert_problem(&r, 400, "unit");
    char *got = fields_of(&r);
    assert_non_null(strstr(got, "colour"));
    free(got);
    ht_response_free(&r);
}

static void test_a_bad_inbox_query_names_the_parameter(void **s)
{
    (void)s;
    static const struct {
        const char *query, *field;
    } bad[] = {{"limit=0", "limit"},
               {"kind=wish", "kind"},
               {"status=lost", "status"},
               {"cursor=abc", "cursor"},
               {"due_before=soon", "due_before"},
               {"unit=no.such", "unit"}};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, CASES "?%s", bad[i].query);
        struct ht_response r;
        ht_call(E->srv.port, "GET", path, handler, NULL, &r);
        assert_errors(&r, 400, bad[i].field);
        ht_response_free(&r);
    }
}

/* ---- next links ---- */

static void test_following_next_lists_every_match_once_with_the_filters_kept(void **s)
{
    (void)s;
    long long want[7];
    for (int i = 0; i < 7; i++) {
        char title[64];
        snprintf(title, sizeof title, "Cột đèn trang%d hỏng", i);
        want[i] = submit("complaint", title);
    }
    /* the same words, another kind: the filter must keep them out of every page */
    for (int i = 0; i < 3; i++)
        submit("feedback", "Cột đèn trangx hỏng ý kiến");
    char *path = xstrdup(CASES "?kind=complaint&q=%C4%91%C3%A8n%20h%E1%BB%8Fng&limit=2");
    long long seen[32];
    int nseen = 0, pages = 0;
    while (path) {
        struct ht_response r;
        ht_call(E->srv.port, "GET", path, handler, NULL, &r);
        if (r.status != 200)
            fail_msg("%s: %ld %s", path, r.status, r.body);
        pages++;
        json_t *doc = ht_json(&r);
        size_t i;
        json_t *item;
        json_array_foreach(json_object_get(doc, "items"), i, item)
        {
            assert_string_equal(json_string_value(json_object_get(item, "kind")), "complaint");
            assert_true(nseen < 32);
            seen[nseen++] = json_integer_value(json_object_get(item, "id"));
        }
        json_t *next = json_object_get(doc, "next");
        free(path);
        path = NULL;
        const char *link = ht_header(&r, "Link");
        if (json_is_string(next)) {
            const char *n = json_string_value(next);
            assert_non_null(strstr(n, "kind=complaint"));
            assert_non_null(strstr(n, "limit=2"));
            assert_non_null(strstr(n, "cursor="));
            assert_true(strncmp(n, CASES "?", strlen(CASES "?")) == 0);
            char want_link[512];
            snprintf(want_link, sizeof want_link, "<%s>; rel=\"next\"", n);
            assert_non_null(link);
            assert_string_equal(link, want_link);
            path = xstrdup(n);
        } else {
            assert_true(json_is_null(next));
            assert_null(link);
            assert_true(json_is_null(json_object_get(doc, "next_cursor")));
        }
        json_decref(doc);
        ht_response_free(&r);
        assert_true(pages < 10);
    }
    assert_int_equal(pages, 4);
    /* each case once: no gap, no duplicate */
    assert_int_equal(nseen, 7);
    for (int k = 0; k < 7; k++) {
        int found = 0;
        for (int j = 0; j < nseen; j++)
            found += seen[j] == want[k];
        assert_int_equal(found, 1);
    }
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_submission_names_every_bad_field_at_once),
        cmocka_unit_test(test_a_sign_in_names_every_bad_field_at_once),
        cmocka_unit_test(test_an_action_names_its_bad_fields),
        cmocka_unit_test(test_a_rating_names_its_bad_fields),
        cmocka_unit_test(test_an_upload_names_the_body),
        cmocka_unit_test(test_an_api_key_request_names_its_bad_fields),
        cmocka_unit_test(test_a_bad_inbox_query_names_the_parameter),
        cmocka_unit_test(test_following_next_lists_every_match_once_with_the_filters_kept),
    };
    int failed = cmocka_run_group_tests_name("problem errors", tests, setup, teardown);
    ht_done();
    return failed;
}
