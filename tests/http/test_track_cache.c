/* The public tracking answer (GET /api/v1/track/{code} without an access key) is kept and
 * shared between requests: these tests hold that it is never stale. It changes at once after
 * every action on the case; a merged case's page follows the case it was merged into; the
 * overdue flag turns when the deadline passes, with nothing else happening; a change made by
 * another process shows within a second or so; the ETag turns a repeated request into a 304
 * until the answer changes; and the reporter's view (with the access key) is never kept, so
 * the public never sees it and the reporter never sees the public one. */
#include "harness.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <stdatomic.h>

#define REPORTER_NAME  "Võ Thị Thu Trang"
#define REPORTER_PHONE "0987654321"

static struct ht_env *E;
static char *handler; /* handler.vinhhai's token: handles cases at 586.01 */

/* ---- helpers ---- */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("member %s is missing or not a string", key);
    return s;
}

struct filed {
    long long id;
    char code[16], key[64];
};

/* A complaint to 586.01 with a plain (not sealed) reporter, submitted by the public. */
static struct filed submit(const char *title)
{
    char body[512];
    snprintf(
        body, sizeof body,
        "{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"%s\","
        "\"description\":\"Nước thải chảy ra đường thôn.\",\"reporter\":{\"name\":\"" REPORTER_NAME
        "\",\"phone\":\"" REPORTER_PHONE "\"}}",
        title);
    struct ht_response r;
    ht_post_json(E->srv.port, "/api/v1/cases", body, &r);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    struct filed f = {.id = json_integer_value(json_object_get(doc, "id"))};
    snprintf(f.code, sizeof f.code, "%s", str(doc, "tracking_code"));
    snprintf(f.key, sizeof f.key, "%s", str(doc, "access_key"));
    json_decref(doc);
    ht_response_free(&r);
    return f;
}

/* action (a JSON body) on case id as the handler; fails unless 200. */
static void act(long long id, const char *action)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", id);
    struct ht_response r;
    ht_call(E->srv.port, "POST", path, handler, action, &r);
    if (r.status != 200)
        fail_msg("%s on case %lld: %ld %s", action, id, r.status, r.body);
    ht_response_free(&r);
}

/* GET the tracking page of f: public when key is NULL; header_key sends it as X-Access-Key,
 * else as ?access_key=. inm (may be NULL) is sent as If-None-Match. */
static void track_raw(const struct filed *f, const char *key, bool header_key, const char *inm,
                      struct ht_response *r)
{
    char path[160], key_header[96] = "", inm_header[160] = "";
    if (key && !header_key)
        snprintf(path, sizeof path, "/api/v1/track/%s?access_key=%s", f->code, key);
    else
        snprintf(path, sizeof path, "/api/v1/track/%s", f->code);
    if (key && header_key)
        snprintf(key_header, sizeof key_header, "X-Access-Key: %s", key);
    if (inm)
        snprintf(inm_header, sizeof inm_header, "If-None-Match: %s", inm);
    struct ht_request q = {.path = path};
    size_t n = 0; /* the list ends at its first NULL */
    if (key_header[0])
        q.headers[n++] = key_header;
    if (inm_header[0])
        q.headers[n++] = inm_header;
    ht_do(E->srv.port, &q, r);
}

/* The public answer of f (fails unless 200); its ETag into etag when not NULL. */
static json_t *track(const struct filed *f, char *etag, size_t etag_len)
{
    struct ht_response r;
    track_raw(f, NULL, false, NULL, &r);
    if (r.status != 200)
        fail_msg("GET /api/v1/track/%s: %ld %s", f->code, r.status, r.body);
    const char *e = ht_header(&r, "ETag");
    assert_non_null(e);
    if (etag)
        snprintf(etag, etag_len, "%s", e);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    return doc;
}

/* How many public answers were served as kept (on the generation alone, or once the stamp
 * was read), and how many were built. */
static void lookups(double *kept, double *built)
{
    struct ht_response r;
    ht_get(E->srv.port, "/metrics", &r);
    assert_int_equal(r.status, 200);
    *kept = ht_metric(r.body, "akar_track_cache_lookups_total{result=\"hit\"}") +
            ht_metric(r.body, "akar_track_cache_lookups_total{result=\"checked\"}");
    *built = ht_metric(r.body, "akar_track_cache_lookups_total{result=\"miss\"}");
    ht_response_free(&r);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    ht_server_start(&E->srv, E->db, E->access_log);
    handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(handler);
    return ht_env_teardown(state);
}

/* ---- tests ---- */

static void test_track_answer_is_kept_and_shared(void **state)
{
    (void)state;
    struct filed f = submit("Nước thải tràn ra đường");
    char first[128], again[128];
    json_decref(track(&f, first, sizeof first));
    double kept, built, kept_after, built_after;
    lookups(&kept, &built);
    for (int i = 0; i < 5; i++) {
        json_t *doc = track(&f, again, sizeof again);
        assert_string_equal(again, first);
        assert_string_equal(str(doc, "status"), "submitted");
        json_decref(doc);
    }
    lookups(&kept_after, &built_after);
    assert_true(kept_after >= kept + 5);
    assert_true(built_after == built);
}

static void test_track_answer_changes_at_once_after_each_action(void **state)
{
    (void)state;
    struct filed f = submit("Cống thoát nước bị tắc");
    char etag[128], before[128];
    json_t *doc = track(&f, etag, sizeof etag);
    assert_string_equal(str(doc, "status"), "submitted");
    json_decref(doc);
    static const struct {
        const char *body, *status;
    } steps[] = {
        {"{\"action\":\"accept\"}", "accepted"},
        {"{\"action\":\"start\"}", "in_progress"},
        {"{\"action\":\"resolve\",\"answer\":\"Đã nạo vét cống.\"}", "resolved"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        json_decref(track(&f, before, sizeof before)); /* kept as it is now */
        act(f.id, steps[i].body);
        doc = track(&f, etag, sizeof etag); /* right after the 200: no stale answer */
        assert_string_equal(str(doc, "status"), steps[i].status);
        assert_string_not_equal(etag, before);
        json_t *timeline = json_object_get(doc, "timeline");
        assert_string_equal(str(json_array_get(timeline, json_array_size(timeline) - 1), "status"),
                            steps[i].status);
        json_decref(doc);
    }
    doc = track(&f, NULL, 0);
    assert_string_equal(str(doc, "answer"), "Đã nạo vét cống.");
    assert_false(json_is_true(json_object_get(doc, "open")));
    json_decref(doc);
}

static void test_track_merged_case_follows_the_kept_case(void **state)
{
    (void)state;
    struct filed kept = submit("Đèn đường thôn Vĩnh Hy hỏng");
    struct filed merged = submit("Đèn đường Vĩnh Hy không sáng");
    json_decref(track(&merged, NULL, 0));
    json_decref(track(&kept, NULL, 0));
    char body[96];
    snprintf(body, sizeof body, "{\"action\":\"merge\",\"merge_into\":%lld}", kept.id);
    act(merged.id, body);
    json_t *doc = track(&merged, NULL, 0);
    assert_string_equal(str(doc, "status"), "merged");
    assert_string_equal(str(json_object_get(doc, "merged_into"), "status"), "submitted");
    json_decref(doc);
    static const struct {
        const char *body, *status;
    } steps[] = {
        {"{\"action\":\"accept\"}", "accepted"},
        {"{\"action\":\"start\"}", "in_progress"},
        {"{\"action\":\"resolve\",\"answer\":\"Đã thay bóng đèn.\"}", "resolved"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        json_decref(track(&merged, NULL, 0)); /* kept as it is now */
        act(kept.id, steps[i].body);          /* only the kept case moves */
        doc = track(&merged, NULL, 0);
        assert_string_equal(str(doc, "status"), "merged");
        json_t *k = json_object_get(doc, "merged_into");
        assert_string_equal(str(k, "status"), steps[i].status);
        json_t *timeline = json_object_get(k, "timeline");
        assert_string_equal(str(json_array_get(timeline, json_array_size(timeline) - 1), "status"),
                            steps[i].status);
        json_decref(doc);
    }
    doc = track(&merged, NULL, 0);
    assert_string_equal(str(json_object_get(doc, "merged_into"), "answer"), "Đã thay bóng đèn.");
    /* the kept case's progress only: never its code or its reporter */
    json_t *k = json_object_get(doc, "merged_into");
    assert_null(json_object_get(k, "tracking_code"));
    assert_null(json_object_get(k, "reporter"));
    json_decref(doc);
}

static void test_track_overdue_turns_when_the_deadline_passes(void **state)
{
    (void)state;
    struct filed f = submit("Rác thải chưa được thu gom");
    /* a deadline a moment away, set before the answer is first built */
    int64_t due = now_ms() + 2000;
    char sql[160];
    snprintf(sql, sizeof sql,
             "UPDATE cases SET due_at = %lld WHERE id = %lld;"
             "UPDATE case_scope SET due_at = %lld WHERE case_id = %lld",
             (long long)due, f.id, (long long)due, f.id);
    ht_db_exec(E->db, sql);
    char before[128], after[128];
    json_t *doc = track(&f, before, sizeof before);
    assert_false(json_is_true(json_object_get(doc, "overdue")));
    json_decref(doc);
    doc = track(&f, NULL, 0); /* kept, still not overdue */
    assert_false(json_is_true(json_object_get(doc, "overdue")));
    json_decref(doc);
    while (now_ms() <= due + 50)
        sleep_ms(100);
    doc = track(&f, after, sizeof after);
    assert_true(json_is_true(json_object_get(doc, "overdue")));
    assert_string_not_equal(after, before);
    json_decref(doc);
}

static void test_track_change_by_another_process_shows_within_a_second(void **state)
{
    (void)state;
    struct filed f = submit("Đường ngập khi mưa lớn");
    json_t *doc = track(&f, NULL, 0);
    assert_false(json_is_true(json_object_get(doc, "overdue")));
    json_decref(doc);
    /* its deadline moved 40 days (3456000000 ms) into the past by another writer of the same
     * database */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE cases SET due_at = due_at - 3456000000 WHERE id = %lld",
             f.id);
    ht_db_exec(E->db, sql);
    int64_t changed = now_ms();
    bool overdue = false;
    while (!overdue && now_ms() - changed < 3000) {
        doc = track(&f, NULL, 0);
        overdue = json_is_true(json_object_get(doc, "overdue"));
        json_decref(doc);
        if (!overdue)
            sleep_ms(50);
    }
    if (!overdue)
        fail_msg("the change made by another process did not show in 3 s");
}

static void test_track_etag_gives_not_modified_until_the_case_changes(void **state)
{
    (void)state;
    struct filed f = submit("Cây đổ chắn lối đi");
    char etag[128];
    json_decref(track(&f, etag, sizeof etag));
    char weak[140], list[200];
    snprintf(weak, sizeof weak, "W/%s", etag);
    snprintf(list, sizeof list, "\"something-else\", %s", etag);
    const char *const forms[] = {etag, weak, list, "*"};
    for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
        struct ht_response r;
        track_raw(&f, NULL, false, forms[i], &r);
        if (r.status != 304)
            fail_msg("If-None-Match: %s gave %ld", forms[i], r.status);
        assert_int_equal(r.body_len, 0);
        assert_string_equal(ht_header(&r, "ETag"), etag);
        assert_string_equal(ht_header(&r, "Cache-Control"), "no-cache");
        ht_response_free(&r);
    }
    struct ht_response r;
    track_raw(&f, NULL, false, "\"not-this-one\"", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(ht_header(&r, "Cache-Control"), "no-cache");
    ht_response_free(&r);
    /* once the case moves, the old ETag gets the new answer */
    act(f.id, "{\"action\":\"accept\"}");
    track_raw(&f, NULL, false, etag, &r);
    assert_int_equal(r.status, 200);
    assert_string_not_equal(ht_header(&r, "ETag"), etag);
    json_t *doc = ht_json(&r);
    assert_string_equal(str(doc, "status"), "accepted");
    json_decref(doc);
    ht_response_free(&r);
}

/* The reporter's answer: 200, the identity in it, never kept anywhere. */
static void expect_reporter_view(const struct filed *f, bool header_key, const char *inm)
{
    struct ht_response r;
    track_raw(f, f->key, header_key, inm, &r);
    if (r.status != 200)
        fail_msg("the reporter's view: %ld %s", r.status, r.body);
    assert_non_null(strstr(r.body, REPORTER_NAME));
    assert_non_null(strstr(r.body, REPORTER_PHONE));
    assert_non_null(strstr(r.body, "\"attachments\""));
    assert_null(ht_header(&r, "ETag"));
    assert_string_equal(ht_header(&r, "Cache-Control"), "no-store");
    ht_response_free(&r);
}

/* The public answer: 200, no identity, no attachments. */
static void expect_public_view(const struct filed *f)
{
    struct ht_response r;
    track_raw(f, NULL, false, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, REPORTER_NAME));
    assert_null(strstr(r.body, REPORTER_PHONE));
    assert_null(strstr(r.body, "\"reporter\""));
    assert_null(strstr(r.body, "\"attachments\""));
    ht_response_free(&r);
}

static void test_track_reporter_view_is_never_served_to_the_public(void **state)
{
    (void)state;
    /* the reporter asks first, then the public */
    struct filed f = submit("Tiếng ồn công trường ban đêm");
    expect_reporter_view(&f, true, NULL);
    expect_reporter_view(&f, false, NULL);
    expect_public_view(&f);
    expect_public_view(&f);
    /* the public asks first (its answer is kept), then the reporter, then the public again */
    struct filed g = submit("Khói bụi từ xưởng gỗ");
    char etag[128];
    json_decref(track(&g, etag, sizeof etag));
    expect_public_view(&g);
    expect_reporter_view(&g, true, NULL);
    expect_reporter_view(&g, false, NULL);
    expect_reporter_view(&g, true, etag); /* the public ETag does not stand for this view */
    expect_public_view(&g);
    /* a wrong key is refused even when the public answer is kept */
    char wrong[64];
    snprintf(wrong, sizeof wrong, "%s", g.key);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    struct filed other = g;
    snprintf(other.key, sizeof other.key, "%s", wrong);
    struct ht_response r;
    track_raw(&other, other.key, true, NULL, &r);
    ht_assert_problem(&r, 403, "access_key");
    ht_response_free(&r);
    /* after a change both views move, each on its own */
    act(g.id, "{\"action\":\"accept\"}");
    json_t *doc = track(&g, NULL, 0);
    assert_string_equal(str(doc, "status"), "accepted");
    json_decref(doc);
    expect_reporter_view(&g, true, NULL);
    expect_public_view(&g);
}

/* A reader that asks for one case's public answer over and over, as fast as it can, and
 * counts the times the status it sees goes back to an earlier one. */
struct reader {
    pthread_t thread;
    const struct filed *f;
    atomic_bool *stop;
    long asked, went_back, failed;
};

static int status_rank(const char *s)
{
    static const char *const order[] = {"submitted", "accepted", "in_progress", "resolved"};
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, order[i]) == 0)
            return i;
    return -1;
}

static void *read_on(void *arg)
{
    struct reader *rd = arg;
    CURL *curl = curl_easy_init();
    char path[64];
    snprintf(path, sizeof path, "/api/v1/track/%s", rd->f->code);
    int seen = 0;
    while (!atomic_load(rd->stop)) {
        struct ht_response r;
        int rc = ht_do_on(curl, E->srv.port, &(struct ht_request){.path = path}, &r);
        json_t *doc = rc == 0 && r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
        int rank = status_rank(json_string_value(json_object_get(doc, "status")));
        if (rank < 0)
            rd->failed++;
        else if (rank < seen)
            rd->went_back++;
        else
            seen = rank;
        rd->asked++;
        json_decref(doc);
        ht_response_free(&r);
    }
    curl_easy_cleanup(curl);
    return NULL;
}

static void test_track_readers_never_see_the_answer_go_back(void **state)
{
    (void)state;
    struct filed f = submit("Trạm bơm nước hỏng");
    atomic_bool stop = false;
    struct reader readers[3];
    for (int i = 0; i < 3; i++) {
        readers[i] = (struct reader){.f = &f, .stop = &stop};
        assert_int_equal(pthread_create(&readers[i].thread, NULL, read_on, &readers[i]), 0);
    }
    static const struct {
        const char *body, *status;
    } steps[] = {
        {"{\"action\":\"accept\"}", "accepted"},
        {"{\"action\":\"start\"}", "in_progress"},
        {"{\"action\":\"resolve\",\"answer\":\"Đã sửa trạm bơm.\"}", "resolved"},
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        sleep_ms(200); /* the readers fill and hit the cache meanwhile */
        act(f.id, steps[i].body);
        json_t *doc = track(&f, NULL, 0);
        assert_string_equal(str(doc, "status"), steps[i].status);
        json_decref(doc);
    }
    sleep_ms(200);
    atomic_store(&stop, true);
    long asked = 0, went_back = 0, failed = 0;
    for (int i = 0; i < 3; i++) {
        pthread_join(readers[i].thread, NULL);
        asked += readers[i].asked;
        went_back += readers[i].went_back;
        failed += readers[i].failed;
    }
    if (went_back || failed)
        fail_msg("of %ld answers, %ld went back and %ld failed", asked, went_back, failed);
    assert_true(asked > 10);
}

static void test_track_unknown_code_is_not_found(void **state)
{
    (void)state;
    struct filed f = {.code = "2222-2222-222"};
    for (int i = 0; i < 2; i++) {
        struct ht_response r;
        track_raw(&f, NULL, false, NULL, &r);
        ht_assert_problem(&r, 404, NULL);
        ht_response_free(&r);
    }
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_track_answer_is_kept_and_shared),
        cmocka_unit_test(test_track_answer_changes_at_once_after_each_action),
        cmocka_unit_test(test_track_merged_case_follows_the_kept_case),
        cmocka_unit_test(test_track_overdue_turns_when_the_deadline_passes),
        cmocka_unit_test(test_track_change_by_another_process_shows_within_a_second),
        cmocka_unit_test(test_track_etag_gives_not_modified_until_the_case_changes),
        cmocka_unit_test(test_track_reporter_view_is_never_served_to_the_public),
        cmocka_unit_test(test_track_readers_never_see_the_answer_go_back),
        cmocka_unit_test(test_track_unknown_code_is_not_found),
    };
    int failed = cmocka_run_group_tests_name("track_cache", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
