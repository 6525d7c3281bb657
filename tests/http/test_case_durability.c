/* Acknowledged petitions survive a crash: several client threads submit petitions while the
 * server is killed with SIGKILL mid-load; restarted on the same database, the server finds every
 * tracking code it answered 201 for, the audit chain verifies and no acknowledged row is
 * missing. Also the submission limit per client address: the 31st petition within ten
 * minutes gets 429 with Retry-After, and `akar serve --submit-limit N` moves the limit. */
#include "harness.h"

#include "base/mem.h"

#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>
#include <curl/curl.h>

#define CASES      "/api/v1/cases"
#define NCLIENTS   6
#define MAX_CODES  100000
#define KILL_AFTER 300   /* acknowledged petitions before the kill... */
#define KILL_BY_MS 10000 /* ...or this long, whichever comes first */
#define BIG_LIMIT  "1000000"
#define SUBMISSION                                                                                 \
    "{\"kind\":\"feedback\",\"unit\":\"586.01.02\",\"title\":\"Gửi trong lúc tải nặng\","   \
    "\"description\":\"Phản ánh về rác thải ở thôn Thái An.\"}"

static struct ht_env *E;

/* What the clients were told. */
static pthread_mutex_t codes_lock = PTHREAD_MUTEX_INITIALIZER;
static char (*codes)[16];
static size_t ncodes;
static atomic_int stop_clients;
static atomic_long other_answers; /* neither 201 nor a broken connection */

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Submits until told to stop or the server is gone; records every tracking code that came with
 * a 201. Asserts nothing (not the main thread). */
static void *client(void *arg)
{
    unsigned port = *(const unsigned *)arg;
    CURL *c = curl_easy_init();
    if (!c)
        return NULL;
    while (!atomic_load(&stop_clients)) {
        struct ht_request q = {
            .path = CASES, .content_type = "application/json", .body = SUBMISSION};
        struct ht_response r;
        /* a transfer cut short by the kill is no acknowledgement */
        bool gone = ht_do_on(c, port, &q, &r) != 0 || r.curl_code != 0;
        if (!gone && r.status == 201) {
            json_t *doc = json_loadb(r.body, r.body_len, 0, NULL);
            const char *code = json_string_value(json_object_get(doc, "tracking_code"));
            pthread_mutex_lock(&codes_lock);
            if (code && ncodes < MAX_CODES)
                snprintf(codes[ncodes++], sizeof codes[0], "%s", code);
            else
                atomic_fetch_add(&other_answers, 1);
            pthread_mutex_unlock(&codes_lock);
            json_decref(doc);
        } else if (!gone) {
            atomic_fetch_add(&other_answers, 1);
        }
        ht_response_free(&r);
        if (gone)
            break;
    }
    curl_easy_cleanup(c);
    return NULL;
}

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    codes = xcalloc(MAX_CODES, sizeof *codes);
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(codes);
    return ht_env_teardown(state);
}

/* Moves E to a new demo database, where no petition has been counted yet: PostgreSQL keeps the
 * limit's counts in the database (several servers share them), so a restarted server still
 * counts the earlier tests' petitions. */
static void fresh_db(const char *name)
{
    free(E->db);
    E->db = ht_demo_db(E->dir, name);
}

static void serve(const char *limit)
{
    const char *extra[] = {"--submit-limit", limit, NULL};
    ht_server_start_with(&E->srv, E->db, NULL, limit ? extra : NULL);
}

static void test_acknowledged_petitions_survive_kill_9_mid_load(void **state)
{
    (void)state;
    long long before = ht_db_int(E->db, "SELECT count(*) FROM cases");
    serve(BIG_LIMIT);
    unsigned port = E->srv.port;
    pthread_t threads[NCLIENTS];
    for (int i = 0; i < NCLIENTS; i++)
        assert_int_equal(pthread_create(&threads[i], NULL, client, &port), 0);
    long long deadline = now_ms() + KILL_BY_MS;
    for (;;) {
        pthread_mutex_lock(&codes_lock);
        size_t n = ncodes;
        pthread_mutex_unlock(&codes_lock);
        if (n >= KILL_AFTER || now_ms() > deadline)
            break;
        sleep_ms(2);
    }
    /* the load is still running: no drain, no goodbye */
    assert_int_equal(kill(E->srv.pid, SIGKILL), 0);
    assert_int_equal(ht_server_wait(&E->srv, 10000), 128 + SIGKILL);
    ht_server_stop(&E->srv); /* only tidies up: the process is gone */
    atomic_store(&stop_clients, 1);
    for (int i = 0; i < NCLIENTS; i++)
        pthread_join(threads[i], NULL);
    assert_int_equal(atomic_load(&other_answers), 0);
    size_t acknowledged = ncodes;
    print_message("%zu petitions acknowledged before the kill\n", acknowledged);
    assert_true(acknowledged >= 20);

    /* the store opens as it is: the audit chain holds, nothing acknowledged is lost */
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify after the crash exited %d: %s", rc, out);
    free(out);
    serve(BIG_LIMIT);
    assert_true(ht_db_int(E->db, "SELECT count(*) FROM cases") >= before + (long long)acknowledged);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    for (size_t i = 0; i < acknowledged; i++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/track/%s", codes[i]);
        struct ht_response r;
        ht_do_on(c, E->srv.port, &(struct ht_request){.path = path}, &r);
        if (r.status != 200)
            fail_msg("petition %s (%zu of %zu) was acknowledged but is lost: %ld %s", codes[i],
                     i + 1, acknowledged, r.status, r.body);
        ht_response_free(&r);
    }
    curl_easy_cleanup(c);
    /* and the server goes on taking petitions */
    struct ht_response r;
    ht_post_json(E->srv.port, CASES, SUBMISSION, &r);
    assert_int_equal(r.status, 201);
    ht_response_free(&r);
    assert_int_equal(ht_server_stop(&E->srv), 0);
    rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify after the restart exited %d: %s", rc, out);
    free(out);
    /* every stored case has its submission in the timeline and in the audit chain */
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM cases c WHERE NOT EXISTS (SELECT 1 "
                                      "FROM case_events e WHERE e.case_id = c.id AND e.action = "
                                      "'submit')"),
                     0);
    assert_int_equal(ht_db_int(E->db, "SELECT (SELECT count(*) FROM cases) - (SELECT count(*) "
                                      "FROM audit WHERE action = 'case.submit')"),
                     0);
}

static long submit_status(const char **retry_after)
{
    struct ht_response r;
    ht_post_json(E->srv.port, CASES, SUBMISSION, &r);
    long status = r.status;
    if (status == 429) {
        ht_assert_problem(&r, 429, NULL);
        const char *v = ht_header(&r, "Retry-After");
        *retry_after = v ? xstrdup(v) : NULL;
    }
    ht_response_free(&r);
    return status;
}

static void test_the_31st_petition_from_one_address_gets_429_with_retry_after(void **state)
{
    (void)state;
    fresh_db("limit.db");
    serve(NULL); /* the default limit */
    long long before = ht_db_int(E->db, "SELECT count(*) FROM cases");
    const char *retry = NULL;
    for (int i = 1; i <= 30; i++) {
        long status = submit_status(&retry);
        if (status != 201)
            fail_msg("petition %d of 30: %ld", i, status);
    }
    assert_int_equal(submit_status(&retry), 429);
    assert_non_null(retry);
    char *end;
    long secs = strtol(retry, &end, 10);
    assert_int_equal(*end, 0);
    if (secs < 1 || secs > 600)
        fail_msg("Retry-After: %s", retry);
    free((char *)retry);
    retry = NULL;
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM cases"), before + 30);
    /* a reception desk at the same address enters petitions for many people: not throttled */
    char *token = ht_login(E->srv.port, "receptionist.vinhhai", "demo-reception-2026");
    for (int i = 0; i < 3; i++) {
        struct ht_response desk;
        ht_call(E->srv.port, "POST", CASES, token,
                "{\"kind\":\"complaint\",\"unit\":\"586.01\",\"channel\":\"reception\","
                "\"title\":\"Tại quầy tiếp dân\",\"description\":\"Công dân trình bày\"}",
                &desk);
        if (desk.status != 201)
            fail_msg("the desk's petition %d: %ld %s", i + 1, desk.status, desk.body);
        ht_response_free(&desk);
    }
    free(token);
    assert_int_equal(submit_status(&retry), 429);
    free((char *)retry);
    retry = NULL;
    /* tracking is not limited */
    struct ht_response r;
    ht_get(E->srv.port, "/api/v1/track/2222-2222-222", &r);
    assert_int_not_equal(r.status, 429);
    ht_response_free(&r);
    assert_int_equal(ht_server_stop(&E->srv), 0);
}

static void test_submit_limit_option_moves_the_limit_and_refuses_nonsense(void **state)
{
    (void)state;
    fresh_db("limit3.db");
    serve("3");
    const char *retry = NULL;
    for (int i = 0; i < 3; i++)
        assert_int_equal(submit_status(&retry), 201);
    assert_int_equal(submit_status(&retry), 429);
    assert_non_null(retry);
    free((char *)retry);
    assert_int_equal(ht_server_stop(&E->srv), 0);
    static const char *const bad[] = {"0", "-1", "many", "12x", ""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out;
        int rc = ht_akar_run(NULL, &out, "serve", "--db", E->db, "--listen", "127.0.0.1:0",
                             "--submit-limit", bad[i], HT_END);
        if (rc != 2)
            fail_msg("--submit-limit \"%s\": exit %d: %s", bad[i], rc, out);
        assert_non_null(strstr(out, "--submit-limit"));
        free(out);
    }
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_acknowledged_petitions_survive_kill_9_mid_load),
        cmocka_unit_test(test_the_31st_petition_from_one_address_gets_429_with_retry_after),
        cmocka_unit_test(test_submit_limit_option_moves_the_limit_and_refuses_nonsense),
    };
    int failed = cmocka_run_group_tests_name("case durability", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
