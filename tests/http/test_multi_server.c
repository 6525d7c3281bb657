/* Three `akar serve` processes on one PostgreSQL database, clients spread over them: what one
 * process used to own alone must hold across all three. Submissions from every server get
 * distinct tracking codes and none is lost; officials race on the same cases through different
 * servers and each transition happens once; a session made on one server works on the others;
 * failed sign-ins are counted together; another server's change shows on a server's cached
 * tracking page within seconds; each queued e-mail is delivered exactly once though three
 * workers share the outbox; two sweeps at once warn once; the audit chain stays one chain that
 * verifies. Runs only on PostgreSQL (AKAR_TEST_PG); SQLite is one process's database. */
#include "harness.h"

#include "base/mem.h"

#include <curl/curl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#define NSERVERS    3
#define NSUBMITTERS 6
#define PER_THREAD  20
#define NRACERS     9
#define NRACED      4
#define CASES       "/api/v1/cases"

struct fixture {
    char *dir, *db;
    struct ht_server srv[NSERVERS];
    struct ht_sink sink;
};

static struct fixture *F;

static int setup(void **state)
{
    if (!ht_pg())
        return 0;
    F = xcalloc(1, sizeof *F);
    F->dir = ht_dir_new();
    F->db = ht_demo_db(F->dir, "multi.db");
    ht_sink_start(&F->sink, F->dir);
    char smtp[64];
    snprintf(smtp, sizeof smtp, "smtp://127.0.0.1:%u", F->sink.port);
    const char *const extra[] = {
        "--threads",      "4",      "--smtp", smtp, "--mail-from", "akar@example.org",
        "--submit-limit", "100000", NULL};
    for (int i = 0; i < NSERVERS; i++)
        ht_server_start_with(&F->srv[i], F->db, "off", extra);
    *state = F;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (!F)
        return 0;
    int failed = 0;
    for (int i = 0; i < NSERVERS; i++)
        failed |= ht_server_stop(&F->srv[i]) != 0;
    ht_sink_stop(&F->sink);
    ht_dir_free(F->dir);
    free(F->db);
    free(F);
    F = NULL;
    return failed ? -1 : 0;
}

static void need_pg(void)
{
    if (!F)
        ht_skip("several servers share a database only on PostgreSQL");
}

/* ---- submissions spread over the servers ---- */

struct submitter {
    int index;
    CURL *curl;
    pthread_t thread;
    int created, failed;
    char codes[PER_THREAD][32];
};

static void *submit_many(void *arg)
{
    struct submitter *s = arg;
    for (int k = 0; k < PER_THREAD; k++) {
        unsigned port = F->srv[(s->index + k) % NSERVERS].port;
        char json[320];
        snprintf(json, sizeof json,
                 "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Nhiều máy chủ %d-%d\","
                 "\"description\":\"Gửi qua máy chủ %u\",\"reporter\":{\"name\":\"Dân %d\","
                 "\"email\":\"dan%d.%d@example.org\"}}",
                 s->index, k, port, s->index, s->index, k);
        struct ht_request q = {.path = CASES, .content_type = "application/json", .body = json};
        struct ht_response r;
        ht_do_on(s->curl, port, &q, &r);
        if (r.status == 201) {
            json_t *doc = json_loads(r.body, 0, NULL);
            const char *code = json_string_value(json_object_get(doc, "tracking_code"));
            snprintf(s->codes[s->created++], sizeof s->codes[0], "%s", code ? code : "");
            json_decref(doc);
        } else {
            s->failed++;
        }
        ht_response_free(&r);
    }
    return NULL;
}

/* `akar audit verify` while the servers write: it checks the chain up to the head it read
 * first, so entries committed meanwhile never look like a break. */
struct verifier {
    pthread_t thread;
    int runs, broken;
    char *why;
};

static void *verify_while_writing(void *arg)
{
    struct verifier *v = arg;
    for (v->runs = 0; v->runs < 4; v->runs++) {
        char *out = NULL;
        if (ht_akar_run(NULL, &out, "audit", "verify", "--db", F->db, HT_END) != 0 && !v->why) {
            v->broken++;
            v->why = out;
            out = NULL;
        }
        free(out);
    }
    return NULL;
}

static void test_submissions_on_every_server_are_all_kept_with_distinct_codes(void **state)
{
    (void)state;
    need_pg();
    long long before = ht_db_int(F->db, "SELECT count(*) FROM cases");
    struct submitter s[NSUBMITTERS];
    for (int i = 0; i < NSUBMITTERS; i++) {
        s[i] = (struct submitter){.index = i, .curl = curl_easy_init()};
        assert_int_equal(pthread_create(&s[i].thread, NULL, submit_many, &s[i]), 0);
    }
    struct verifier v = {0};
    assert_int_equal(pthread_create(&v.thread, NULL, verify_while_writing, &v), 0);
    int created = 0;
    for (int i = 0; i < NSUBMITTERS; i++) {
        pthread_join(s[i].thread, NULL);
        curl_easy_cleanup(s[i].curl);
        assert_int_equal(s[i].failed, 0);
        created += s[i].created;
    }
    pthread_join(v.thread, NULL);
    if (v.broken)
        fail_msg("audit verify during writes: %s", v.why);
    free(v.why);
    assert_int_equal(created, NSUBMITTERS * PER_THREAD);
    assert_int_equal(ht_db_int(F->db, "SELECT count(*) FROM cases") - before, created);
    assert_int_equal(ht_db_int(F->db, "SELECT count(DISTINCT tracking_code) FROM cases"),
                     ht_db_int(F->db, "SELECT count(*) FROM cases"));
    /* each code the clients were given is a case that any server can show */
    for (int i = 0; i < NSUBMITTERS; i++)
        for (int k = 0; k < s[i].created; k += 7) {
            char path[96];
            snprintf(path, sizeof path, "/api/v1/track/%s", s[i].codes[k]);
            struct ht_response r;
            ht_get(F->srv[(i + k + 1) % NSERVERS].port, path, &r);
            assert_int_equal(r.status, 200);
            ht_response_free(&r);
        }
}

/* ---- officials racing through different servers ---- */

struct racer {
    int index;
    char *token;
    CURL *curl;
    pthread_t thread;
    long status[2][NRACED]; /* accept, then start */
};

static long long raced[NRACED];
static pthread_barrier_t barrier;

static void *race(void *arg)
{
    struct racer *w = arg;
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", w->token);
    static const char *const bodies[2] = {"{\"action\":\"accept\"}", "{\"action\":\"start\"}"};
    for (int p = 0; p < 2; p++) {
        pthread_barrier_wait(&barrier);
        for (int k = 0; k < NRACED; k++) {
            int c = (w->index + k) % NRACED;
            char path[64];
            snprintf(path, sizeof path, CASES "/%lld/actions", raced[c]);
            struct ht_request q = {
                .path = path, .content_type = "application/json", .body = bodies[p]};
            q.headers[0] = auth;
            struct ht_response r;
            /* each racer uses another server than its session was made on */
            ht_do_on(w->curl, F->srv[(w->index + 1 + k) % NSERVERS].port, &q, &r);
            w->status[p][c] = r.status;
            ht_response_free(&r);
        }
    }
    return NULL;
}

static void test_officials_racing_through_different_servers_win_each_step_once(void **state)
{
    (void)state;
    need_pg();
    for (int c = 0; c < NRACED; c++) {
        char json[160];
        snprintf(json, sizeof json,
                 "{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"Tranh nhau %d\","
                 "\"description\":\"Ba máy chủ\"}",
                 c);
        struct ht_response r;
        ht_post_json(F->srv[c % NSERVERS].port, CASES, json, &r);
        assert_int_equal(r.status, 201);
        json_t *doc = ht_json(&r);
        raced[c] = json_integer_value(json_object_get(doc, "id"));
        json_decref(doc);
        ht_response_free(&r);
    }
    struct racer w[NRACERS];
    const char *logins[2] = {"handler.vinhhai", "handler.ninhhai"};
    for (int i = 0; i < NRACERS; i++) {
        w[i] = (struct racer){.index = i, .curl = curl_easy_init()};
        w[i].token = ht_login(F->srv[i % NSERVERS].port, logins[i % 2], "demo-handler-2026");
    }
    assert_int_equal(pthread_barrier_init(&barrier, NULL, NRACERS), 0);
    for (int i = 0; i < NRACERS; i++)
        assert_int_equal(pthread_create(&w[i].thread, NULL, race, &w[i]), 0);
    for (int i = 0; i < NRACERS; i++)
        pthread_join(w[i].thread, NULL);
    pthread_barrier_destroy(&barrier);
    for (int c = 0; c < NRACED; c++) {
        for (int p = 0; p < 2; p++) {
            int won = 0;
            for (int i = 0; i < NRACERS; i++) {
                long s = w[i].status[p][c];
                if (s != 200 && s != 409)
                    fail_msg("racer %d got %ld on step %d of case %lld", i, s, p, raced[c]);
                won += s == 200;
            }
            if (won != 1)
                fail_msg("case %lld: step %d won %d times", raced[c], p, won);
        }
        char sql[160];
        snprintf(sql, sizeof sql,
                 "SELECT count(*) FROM case_events WHERE case_id = %lld AND action IN "
                 "('accept', 'start')",
                 raced[c]);
        assert_int_equal(ht_db_int(F->db, sql), 2);
        snprintf(sql, sizeof sql, "SELECT version FROM cases WHERE id = %lld", raced[c]);
        assert_int_equal(ht_db_int(F->db, sql), 3);
    }
    for (int i = 0; i < NRACERS; i++) {
        free(w[i].token);
        curl_easy_cleanup(w[i].curl);
    }
}

/* ---- what used to live in one process's memory ---- */

static void test_a_session_made_on_one_server_works_on_the_others_until_ended(void **state)
{
    (void)state;
    need_pg();
    char *token = ht_login(F->srv[0].port, "leader.ninhhai", "demo-leader-2026");
    struct ht_response r;
    for (int i = 0; i < NSERVERS; i++) {
        ht_call(F->srv[i].port, "GET", CASES "?unit=586", token, NULL, &r);
        assert_int_equal(r.status, 200);
        ht_response_free(&r);
    }
    ht_call(F->srv[1].port, "DELETE", "/api/v1/sessions", token, NULL, &r);
    assert_true(r.status == 204 || r.status == 200);
    ht_response_free(&r);
    for (int i = 0; i < NSERVERS; i++) {
        ht_call(F->srv[i].port, "GET", CASES "?unit=586", token, NULL, &r);
        assert_int_equal(r.status, 401);
        ht_response_free(&r);
    }
    free(token);
}

static void test_failed_sign_ins_are_counted_across_servers(void **state)
{
    (void)state;
    need_pg();
    /* the demo allows 5 failures per login in a window: spread over three servers they add up */
    int refused = 0;
    for (int k = 0; k < 7; k++) {
        struct ht_response r;
        ht_post_json(F->srv[k % NSERVERS].port, "/api/v1/sessions",
                     "{\"login\":\"inspector.vinhhai\",\"password\":\"wrong-password\"}", &r);
        if (k < 5)
            assert_int_equal(r.status, 401);
        else if (r.status == 429)
            refused++;
        ht_response_free(&r);
    }
    assert_int_equal(refused, 2);
    /* the right password is refused too while the login is throttled, on any server */
    struct ht_response r;
    ht_post_json(F->srv[2].port, "/api/v1/sessions",
                 "{\"login\":\"inspector.vinhhai\",\"password\":\"demo-inspector-2026\"}", &r);
    assert_int_equal(r.status, 429);
    assert_non_null(ht_header(&r, "Retry-After"));
    ht_response_free(&r);
}

static void test_a_change_on_one_server_shows_on_another_servers_tracking_page(void **state)
{
    (void)state;
    need_pg();
    struct ht_response r;
    ht_post_json(F->srv[0].port, CASES,
                 "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Đèn đường\","
                 "\"description\":\"Theo dõi qua máy chủ khác\"}",
                 &r);
    assert_int_equal(r.status, 201);
    json_t *doc = ht_json(&r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    char track[96];
    snprintf(track, sizeof track, "/api/v1/track/%s",
             json_string_value(json_object_get(doc, "tracking_code")));
    json_decref(doc);
    ht_response_free(&r);
    /* server 2 keeps the public answer in its cache */
    for (int k = 0; k < 2; k++) {
        ht_get(F->srv[2].port, track, &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, "\"submitted\""));
        ht_response_free(&r);
    }
    char *token = ht_login(F->srv[1].port, "handler.vinhhai", "demo-handler-2026");
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld/actions", id);
    ht_call(F->srv[1].port, "POST", path, token, "{\"action\":\"accept\"}", &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
    free(token);
    bool seen = false;
    for (int waited = 0; !seen && waited < 5000; waited += 100) {
        ht_get(F->srv[2].port, track, &r);
        seen = r.status == 200 && strstr(r.body, "\"accepted\"");
        ht_response_free(&r);
        if (!seen)
            usleep(100000);
    }
    assert_true(seen);
}

/* ---- the shared outbox, the sweep, the audit chain ---- */

static void test_each_outbox_message_is_delivered_exactly_once(void **state)
{
    (void)state;
    need_pg();
    long long queued = 0, unsent = -1;
    for (int waited = 0; waited < 30000; waited += 200) {
        queued = ht_db_int(F->db, "SELECT count(*) FROM outbox WHERE channel = 'email'");
        unsent = ht_db_int(F->db, "SELECT count(*) FROM outbox WHERE channel = 'email' AND "
                                  "sent_at IS NULL");
        if (unsent == 0 && ht_sink_count(&F->sink) >= queued)
            break;
        usleep(200000);
    }
    assert_true(queued >= NSUBMITTERS * PER_THREAD);
    assert_int_equal(unsent, 0);
    usleep(500000); /* a second delivery of any message would arrive by now */
    assert_int_equal(ht_sink_count(&F->sink), queued);
    assert_int_equal(ht_db_int(F->db, "SELECT count(*) FROM outbox WHERE attempts > 1"), 0);
}

struct sweep_run {
    pthread_t thread;
    int status;
    char *out;
};

static void *sweep_once(void *arg)
{
    struct sweep_run *s = arg;
    s->status = ht_akar_run(NULL, &s->out, "sweep", "--db", F->db, HT_END);
    return NULL;
}

static void test_two_sweeps_at_once_warn_about_each_deadline_once(void **state)
{
    (void)state;
    need_pg();
    /* every open case of the test comes due within the sweep's window */
    ht_db_exec(F->db, "UPDATE cases SET due_at = (extract(epoch FROM now()) * 1000)::bigint + "
                      "3600000 WHERE open = 1");
    ht_db_exec(F->db, "UPDATE case_scope s SET due_at = c.due_at FROM cases c WHERE c.id = "
                      "s.case_id");
    long long due = ht_db_int(F->db, "SELECT count(*) FROM cases WHERE open = 1");
    assert_true(due > 0);
    struct sweep_run s[3];
    for (int i = 0; i < 3; i++)
        assert_int_equal(pthread_create(&s[i].thread, NULL, sweep_once, &s[i]), 0);
    for (int i = 0; i < 3; i++) {
        pthread_join(s[i].thread, NULL);
        if (s[i].status != 0)
            fail_msg("akar sweep exited %d: %s", s[i].status, s[i].out);
        free(s[i].out);
    }
    assert_int_equal(ht_db_int(F->db, "SELECT count(*) FROM due_warnings"), due);
    assert_int_equal(ht_db_int(F->db, "SELECT count(*) FROM (SELECT case_id, due_at FROM "
                                      "due_warnings GROUP BY case_id, due_at HAVING count(*) > "
                                      "1) d"),
                     0);
    /* a warning's messages are queued once per leader, whichever sweep wrote it */
    assert_int_equal(ht_db_int(F->db, "SELECT count(*) FROM (SELECT case_id, target, subject "
                                      "FROM outbox WHERE case_id IN "
                                      "(SELECT case_id FROM due_warnings) GROUP BY case_id, "
                                      "target, subject, body HAVING count(*) > 1) d"),
                     0);
}

static void test_the_audit_chain_of_three_servers_is_one_chain_that_verifies(void **state)
{
    (void)state;
    need_pg();
    long long entries = ht_db_int(F->db, "SELECT count(*) FROM audit");
    assert_true(entries > NSUBMITTERS * PER_THREAD);
    assert_int_equal(ht_db_int(F->db, "SELECT max(seq) FROM audit"), entries);
    assert_int_equal(ht_db_int(F->db, "SELECT seq FROM chain_head"), entries);
    char *out = NULL;
    int status = ht_akar_run(NULL, &out, "audit", "verify", "--db", F->db, HT_END);
    if (status != 0)
        fail_msg("akar audit verify exited %d: %s", status, out);
    free(out);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_submissions_on_every_server_are_all_kept_with_distinct_codes),
        cmocka_unit_test(test_officials_racing_through_different_servers_win_each_step_once),
        cmocka_unit_test(test_a_session_made_on_one_server_works_on_the_others_until_ended),
        cmocka_unit_test(test_failed_sign_ins_are_counted_across_servers),
        cmocka_unit_test(test_a_change_on_one_server_shows_on_another_servers_tracking_page),
        cmocka_unit_test(test_each_outbox_message_is_delivered_exactly_once),
        cmocka_unit_test(test_two_sweeps_at_once_warn_about_each_deadline_once),
        cmocka_unit_test(test_the_audit_chain_of_three_servers_is_one_chain_that_verifies),
    };
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return failed;
}
