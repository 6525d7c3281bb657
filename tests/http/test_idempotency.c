/* Idempotency-Key on the API's POSTs: a request sent again with the same key and the same body
 * gets the first answer again (marked Idempotent-Replayed: true) and changes nothing a second
 * time, on every POST that creates or changes (a petition, an action, a rating, an
 * attachment), even when the copies arrive at the same moment; the same key with another body
 * is a 422; a malformed key is a 400; keys are the caller's own (a user's, or for the public
 * the route's); a key older than a day is forgotten. */
#include "harness.h"

#include "base/mem.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <curl/curl.h>

#define CASES    "/api/v1/cases"
#define NTHREADS 8

static struct ht_env *E;
static char *handler;      /* handler.vinhhai: accepts, starts and resolves at 586.01 */
static char *leader;       /* leader.ninhhai */
static char *receptionist; /* receptionist.vinhhai: submits for residents at the desk */

/* A petition's body with title. */
static char *petition(const char *title)
{
    char *body = xmalloc(512);
    snprintf(body, 512,
             "{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"%s\","
             "\"description\":\"Đèn đường thôn tắt đã một tuần.\"}",
             title);
    return body;
}

/* POSTs json (or raw bytes of type ctype when ctype is not NULL) to path with the
 * Idempotency-Key header line key_line (NULL: none), as token (NULL: nobody), with one more
 * header line extra (may be NULL). */
static void post(const char *path, const char *token, const char *key_line, const char *json,
                 const char *ctype, const char *extra, struct ht_response *r)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    struct ht_request q = {.method = "POST",
                           .path = path,
                           .content_type = ctype ? ctype : "application/json",
                           .body = json};
    size_t h = 0;
    if (token)
        q.headers[h++] = auth;
    if (key_line)
        q.headers[h++] = key_line;
    if (extra)
        q.headers[h++] = extra;
    ht_do(E->srv.port, &q, r);
}

/* How many cases have title. */
static long long cases_titled(const char *title)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE title = '%s'", title);
    return ht_db_int(E->db, sql);
}

static long long json_id(const struct ht_response *r)
{
    json_t *doc = ht_json(r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    return id;
}

static bool replayed(const struct ht_response *r)
{
    const char *v = ht_header(r, "Idempotent-Replayed");
    return v && strcmp(v, "true") == 0;
}

/* A new public petition (no key); its id, and its tracking code and access key if asked. */
static long long submit(const char *title, char **code, char **key)
{
    char *body = petition(title);
    struct ht_response r;
    post(CASES, NULL, NULL, body, NULL, NULL, &r);
    free(body);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    if (code)
        *code = xstrdup(json_string_value(json_object_get(doc, "tracking_code")));
    if (key)
        *key = xstrdup(json_string_value(json_object_get(doc, "access_key")));
    json_decref(doc);
    ht_response_free(&r);
    return id;
}

static void act(long long id, const char *token, const char *key_line, const char *json,
                struct ht_response *r)
{
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld/actions", id);
    post(path, token, key_line, json, NULL, NULL, r);
}

static void act_ok(long long id, const char *json)
{
    struct ht_response r;
    act(id, handler, NULL, json, &r);
    if (r.status != 200)
        fail_msg("%s on case %lld: %ld %s", json, id, r.status, r.body);
    ht_response_free(&r);
}

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    static const char *const extra[] = {"--submit-limit", "1000", "--threads", "8", NULL};
    ht_server_start_with(&E->srv, E->db, E->access_log, extra);
    handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    leader = ht_login(E->srv.port, "leader.ninhhai", "demo-leader-2026");
    receptionist = ht_login(E->srv.port, "receptionist.vinhhai", "demo-reception-2026");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(handler);
    free(leader);
    free(receptionist);
    return ht_env_teardown(state);
}

/* ---- petitions ---- */

static void test_a_retried_submission_replays_the_first_answer_and_makes_no_second_case(void **s)
{
    (void)s;
    char *body = petition("Thử lại cùng khóa");
    struct ht_response a, b;
    post(CASES, NULL, "Idempotency-Key: \"9f1c2b7e-4a61-4d7a-9a55-0c3f2e1d8b10\"", body, NULL, NULL,
         &a);
    assert_int_equal(a.status, 201);
    assert_false(replayed(&a));
    post(CASES, NULL, "Idempotency-Key: \"9f1c2b7e-4a61-4d7a-9a55-0c3f2e1d8b10\"", body, NULL, NULL,
         &b);
    assert_int_equal(b.status, 201);
    assert_true(replayed(&b));
    /* the same answer: the same case, its code, its access key (which exists only in it) */
    json_t *ja = ht_json(&a), *jb = ht_json(&b);
    assert_true(json_equal(ja, jb));
    assert_true(json_integer_value(json_object_get(ja, "id")) > 0);
    assert_non_null(json_string_value(json_object_get(jb, "access_key")));
    assert_string_equal(ht_header(&a, "Location"), ht_header(&b, "Location"));
    json_decref(ja);
    json_decref(jb);
    assert_int_equal(cases_titled("Thử lại cùng khóa"), 1);
    /* a bare token is a key too, the same one */
    struct ht_response c;
    post(CASES, NULL, "Idempotency-Key: 9f1c2b7e-4a61-4d7a-9a55-0c3f2e1d8b10", body, NULL, NULL,
         &c);
    assert_int_equal(c.status, 201);
    assert_true(replayed(&c));
    assert_int_equal(json_id(&c), json_id(&a));
    assert_int_equal(cases_titled("Thử lại cùng khóa"), 1);
    /* the access key is kept sealed, not as it was sent */
    char *access = NULL;
    json_t *jc = ht_json(&c);
    access = xstrdup(json_string_value(json_object_get(jc, "access_key")));
    json_decref(jc);
    const char *texts[] = {access};
    assert_int_equal(ht_db_find(E->db, texts, 1, NULL), -1);
    free(access);
    ht_response_free(&a);
    ht_response_free(&b);
    ht_response_free(&c);
    free(body);
}

static void test_the_same_key_with_another_body_is_422_and_changes_nothing(void **s)
{
    (void)s;
    char *first = petition("Khóa dùng lần đầu"), *second = petition("Khóa dùng lần hai");
    struct ht_response a, b;
    post(CASES, NULL, "Idempotency-Key: reused-key-1", first, NULL, NULL, &a);
    assert_int_equal(a.status, 201);
    post(CASES, NULL, "Idempotency-Key: reused-key-1", second, NULL, NULL, &b);
    ht_assert_problem(&b, 422, "Idempotency-Key");
    assert_false(replayed(&b));
    assert_int_equal(cases_titled("Khóa dùng lần đầu"), 1);
    assert_int_equal(cases_titled("Khóa dùng lần hai"), 0);
    ht_response_free(&a);
    ht_response_free(&b);
    free(first);
    free(second);
}

static void test_a_malformed_key_is_400_and_changes_nothing(void **s)
{
    (void)s;
    char *body = petition("Khóa hỏng");
    char long_key[300] = "Idempotency-Key: ";
    memset(long_key + strlen(long_key), 'k', 256);
    const char *bad[] = {"Idempotency-Key: \"\"", "Idempotency-Key: \"a\"b\"",
                         "Idempotency-Key: kh\xc3\xb3"
                         "a",
                         "Idempotency-Key: two words", long_key};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ht_response r;
        post(CASES, NULL, bad[i], body, NULL, NULL, &r);
        if (r.status != 400)
            fail_msg("%.40s: %ld %s", bad[i], r.status, r.body);
        ht_assert_problem(&r, 400, "Idempotency-Key");
        ht_response_free(&r);
    }
    assert_int_equal(cases_titled("Khóa hỏng"), 0);
    /* 255 characters are a key */
    long_key[strlen("Idempotency-Key: ") + 255] = 0;
    struct ht_response r;
    post(CASES, NULL, long_key, body, NULL, NULL, &r);
    assert_int_equal(r.status, 201);
    ht_response_free(&r);
    assert_int_equal(cases_titled("Khóa hỏng"), 1);
    free(body);
}

struct racer {
    unsigned port;
    CURL *curl;
    const char *body, *key_line;
    pthread_barrier_t *start;
    long status;
    long long id;
    bool replayed;
};

static void *race(void *arg)
{
    struct racer *w = arg;
    struct ht_request q = {.method = "POST",
                           .path = CASES,
                           .content_type = "application/json",
                           .body = w->body,
                           .headers = {w->key_line}};
    pthread_barrier_wait(w->start);
    struct ht_response r;
    ht_do_on(w->curl, w->port, &q, &r);
    w->status = r.status;
    w->replayed = replayed(&r);
    json_t *doc = r.status == 201 ? json_loads(r.body, 0, NULL) : NULL;
    w->id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    ht_response_free(&r);
    return NULL;
}

/* NTHREADS copies of one submission at once, spread over the servers on ports; asserts that
 * each got the one case (or a 409 telling it to retry) and that one case was made. */
static void race_round(const unsigned *ports, size_t nports, int round)
{
    char title[64], key[64];
    snprintf(title, sizeof title, "Gửi cùng lúc %d", round);
    snprintf(key, sizeof key, "Idempotency-Key: race-%d", round);
    char *body = petition(title);
    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, NTHREADS);
    struct racer w[NTHREADS];
    pthread_t t[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (struct racer){
            ports[(size_t)i % nports], curl_easy_init(), body, key, &start, 0, 0, false};
        pthread_create(&t[i], NULL, race, &w[i]);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(t[i], NULL);
        curl_easy_cleanup(w[i].curl);
    }
    int first = 0;
    long long id = 0;
    for (int i = 0; i < NTHREADS; i++) {
        /* every copy is answered with the one case, or told to retry (409), never more */
        if (w[i].status == 201) {
            if (!id)
                id = w[i].id;
            assert_int_equal(w[i].id, id);
            first += !w[i].replayed;
        } else if (w[i].status != 409) {
            fail_msg("copy %d: %ld", i, w[i].status);
        }
    }
    assert_int_equal(first, 1);
    assert_int_equal(cases_titled(title), 1);
    pthread_barrier_destroy(&start);
    free(body);
}

static void test_identical_submissions_at_the_same_moment_make_one_case(void **s)
{
    (void)s;
    for (int round = 0; round < 3; round++)
        race_round(&E->srv.port, 1, round);
}

static void test_identical_submissions_through_two_servers_make_one_case(void **s)
{
    (void)s;
    if (!ht_pg())
        ht_skip("several servers share a PostgreSQL database only");
    struct ht_server second;
    static const char *const extra[] = {"--submit-limit", "1000", NULL};
    ht_server_start_with(&second, E->db, "off", extra);
    unsigned ports[2] = {E->srv.port, second.port};
    for (int round = 10; round < 16; round++)
        race_round(ports, 2, round);
    assert_int_equal(ht_server_stop(&second), 0);
}

/* ---- whose keys ---- */

static void test_keys_are_the_callers_own(void **s)
{
    (void)s;
    char *body = petition("Khóa của ai");
    struct ht_response a, b, c, d;
    post(CASES, handler, "Idempotency-Key: shared-key", body, NULL, NULL, &a);
    post(CASES, leader, "Idempotency-Key: shared-key", body, NULL, NULL, &b);
    post(CASES, NULL, "Idempotency-Key: shared-key", body, NULL, NULL, &c);
    assert_int_equal(a.status, 201);
    assert_int_equal(b.status, 201);
    assert_int_equal(c.status, 201);
    assert_false(replayed(&b));
    assert_false(replayed(&c));
    assert_true(json_id(&a) != json_id(&b));
    assert_true(json_id(&b) != json_id(&c));
    assert_int_equal(cases_titled("Khóa của ai"), 3);
    /* and each caller's retry finds their own */
    post(CASES, leader, "Idempotency-Key: shared-key", body, NULL, NULL, &d);
    assert_int_equal(d.status, 201);
    assert_true(replayed(&d));
    assert_int_equal(json_id(&d), json_id(&b));
    ht_response_free(&a);
    ht_response_free(&b);
    ht_response_free(&c);
    ht_response_free(&d);
    free(body);
}

static void test_a_key_on_another_route(void **s)
{
    (void)s;
    /* a user's key names one request, whatever the route: used again elsewhere it is a 422 */
    char *body = petition("Khóa trên hai đường");
    struct ht_response a, b;
    post(CASES, receptionist, "Idempotency-Key: two-routes", body, NULL, NULL, &a);
    assert_int_equal(a.status, 201);
    act(json_id(&a), receptionist, "Idempotency-Key: two-routes", "{\"action\":\"accept\"}", &b);
    ht_assert_problem(&b, 422, "Idempotency-Key");
    ht_response_free(&a);
    ht_response_free(&b);
    /* the public's keys are told apart by route: the same key on another route is new */
    char *code, *key;
    long long id = submit("Khóa công khai hai đường", &code, &key);
    act_ok(id, "{\"action\":\"accept\"}");
    act_ok(id, "{\"action\":\"start\"}");
    act_ok(id, "{\"action\":\"resolve\",\"answer\":\"Đã sửa đèn.\"}");
    struct ht_response p1, p2;
    post(CASES, NULL, "Idempotency-Key: public-two-routes", body, NULL, NULL, &p1);
    assert_int_equal(p1.status, 201);
    char path[128], rating[256];
    snprintf(path, sizeof path, "/api/v1/track/%s/rating", code);
    snprintf(rating, sizeof rating, "{\"access_key\":\"%s\",\"rating\":4}", key);
    post(path, NULL, "Idempotency-Key: public-two-routes", rating, NULL, NULL, &p2);
    assert_int_equal(p2.status, 204);
    assert_false(replayed(&p2));
    ht_response_free(&p1);
    ht_response_free(&p2);
    free(code);
    free(key);
    free(body);
}

/* ---- the other POSTs ---- */

static void test_a_retried_action_answers_again_and_acts_once(void **s)
{
    (void)s;
    long long id = submit("Hành động thử lại", NULL, NULL);
    struct ht_response a, b, c;
    act(id, handler, "Idempotency-Key: accept-once", "{\"action\":\"accept\"}", &a);
    assert_int_equal(a.status, 200);
    act(id, handler, "Idempotency-Key: accept-once", "{\"action\":\"accept\"}", &b);
    /* accepting twice would be a 409: the retry is answered with the accepted case */
    assert_int_equal(b.status, 200);
    assert_true(replayed(&b));
    json_t *jb = ht_json(&b);
    assert_string_equal(json_string_value(json_object_get(jb, "status")), "accepted");
    assert_int_equal(json_integer_value(json_object_get(jb, "id")), id);
    json_decref(jb);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM case_events WHERE case_id = %lld AND action = 'accept'", id);
    assert_int_equal(ht_db_int(E->db, sql), 1);
    /* without the key it is a new request, refused by the state machine */
    act(id, handler, NULL, "{\"action\":\"accept\"}", &c);
    assert_int_equal(c.status, 409);
    ht_response_free(&a);
    ht_response_free(&b);
    ht_response_free(&c);
}

static void test_a_retried_rating_answers_again_and_rates_once(void **s)
{
    (void)s;
    char *code, *key;
    long long id = submit("Đánh giá thử lại", &code, &key);
    act_ok(id, "{\"action\":\"accept\"}");
    act_ok(id, "{\"action\":\"start\"}");
    act_ok(id, "{\"action\":\"resolve\",\"answer\":\"Đã sửa đèn.\"}");
    char path[128], rating[256];
    snprintf(path, sizeof path, "/api/v1/track/%s/rating", code);
    snprintf(rating, sizeof rating, "{\"access_key\":\"%s\",\"rating\":5}", key);
    struct ht_response a, b, c;
    post(path, NULL, "Idempotency-Key: rate-once", rating, NULL, NULL, &a);
    assert_int_equal(a.status, 204);
    post(path, NULL, "Idempotency-Key: rate-once", rating, NULL, NULL, &b);
    assert_int_equal(b.status, 204);
    assert_true(replayed(&b));
    post(path, NULL, NULL, rating, NULL, NULL, &c);
    ht_assert_problem(&c, 409, "rating");
    ht_response_free(&a);
    ht_response_free(&b);
    ht_response_free(&c);
    free(code);
    free(key);
}

static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

static void test_a_retried_upload_answers_again_and_keeps_one_attachment(void **s)
{
    (void)s;
    char *code, *key;
    long long id = submit("Tệp đính kèm thử lại", &code, &key);
    char path[128], access[128];
    snprintf(path, sizeof path, "/api/v1/track/%s/attachments?filename=don.pdf", code);
    snprintf(access, sizeof access, "X-Access-Key: %s", key);
    struct ht_response a, b, c;
    post(path, NULL, "Idempotency-Key: upload-once", pdf, "application/pdf", access, &a);
    assert_int_equal(a.status, 201);
    post(path, NULL, "Idempotency-Key: upload-once", pdf, "application/pdf", access, &b);
    assert_int_equal(b.status, 201);
    assert_true(replayed(&b));
    json_t *ja = ht_json(&a), *jb = ht_json(&b);
    assert_true(json_equal(ja, jb));
    json_decref(ja);
    json_decref(jb);
    assert_string_equal(ht_header(&a, "Location"), ht_header(&b, "Location"));
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM attachments WHERE case_id = %lld", id);
    assert_int_equal(ht_db_int(E->db, sql), 1);
    /* an official's upload to the same case, with the same key, is theirs */
    char opath[128];
    snprintf(opath, sizeof opath, CASES "/%lld/attachments", id);
    post(opath, handler, "Idempotency-Key: upload-once", pdf, "application/pdf", NULL, &c);
    assert_int_equal(c.status, 201);
    assert_false(replayed(&c));
    assert_int_equal(ht_db_int(E->db, sql), 2);
    ht_response_free(&a);
    ht_response_free(&b);
    ht_response_free(&c);
    free(code);
    free(key);
}

static void test_a_key_older_than_a_day_is_forgotten(void **s)
{
    (void)s;
    char *body = petition("Khóa hết hạn");
    struct ht_response a, b;
    post(CASES, NULL, "Idempotency-Key: old-key", body, NULL, NULL, &a);
    assert_int_equal(a.status, 201);
    ht_db_exec(E->db, "UPDATE idempotency SET created_at = created_at - 25 * 3600 * 1000 "
                      "WHERE key = 'old-key'");
    post(CASES, NULL, "Idempotency-Key: old-key", body, NULL, NULL, &b);
    assert_int_equal(b.status, 201);
    assert_false(replayed(&b));
    assert_true(json_id(&a) != json_id(&b));
    assert_int_equal(cases_titled("Khóa hết hạn"), 2);
    ht_response_free(&a);
    ht_response_free(&b);
    free(body);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_a_retried_submission_replays_the_first_answer_and_makes_no_second_case),
        cmocka_unit_test(test_the_same_key_with_another_body_is_422_and_changes_nothing),
        cmocka_unit_test(test_a_malformed_key_is_400_and_changes_nothing),
        cmocka_unit_test(test_identical_submissions_at_the_same_moment_make_one_case),
        cmocka_unit_test(test_identical_submissions_through_two_servers_make_one_case),
        cmocka_unit_test(test_keys_are_the_callers_own),
        cmocka_unit_test(test_a_key_on_another_route),
        cmocka_unit_test(test_a_retried_action_answers_again_and_acts_once),
        cmocka_unit_test(test_a_retried_rating_answers_again_and_rates_once),
        cmocka_unit_test(test_a_retried_upload_answers_again_and_keeps_one_attachment),
        cmocka_unit_test(test_a_key_older_than_a_day_is_forgotten),
    };
    int failed = cmocka_run_group_tests_name("idempotency", tests, setup, teardown);
    ht_done();
    return failed;
}
