/* Many officials acting on the same petitions at once: 16 client threads, each with its own
 * libcurl handle and session, all try to accept the same few cases, then to start or assign
 * them, to resolve them and to close them. Each transition must happen exactly once, every
 * loser must get 409 (the case changed meanwhile, or is no longer in that state) or, where the
 * role forbids it, 403, never a 5xx; the cases end legal and the audit chain verifies. */
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
#define NTHREADS 16
#define NCASES   4

enum phase { P_ACCEPT, P_START, P_RESOLVE, P_CLOSE, NPHASES };
static const char *const phase_names[NPHASES] = {"accept", "start or assign", "resolve", "close"};

/* Threads 0..7 are handlers of 586.01 (by unit or by district), 8..15 leaders over it. */
static const struct {
    const char *login, *password;
} accounts[4] = {{"handler.vinhhai", "demo-handler-2026"},
                 {"handler.ninhhai", "demo-handler-2026"},
                 {"leader.ninhhai", "demo-leader-2026"},
                 {"leader.province", "demo-leader-2026"}};

struct worker {
    int index;
    bool leader;
    const char *login;
    char *token;
    CURL *curl;
    pthread_t thread;
    long status[NPHASES][NCASES]; /* 0: no answer */
    int stale;                    /* 409s that said the case changed meanwhile */
};

static struct ht_env *E;
static struct worker workers[NTHREADS];
static long long cases[NCASES];
static pthread_barrier_t barrier;

static const char *body_of(enum phase p, bool leader)
{
    switch (p) {
    case P_ACCEPT:
        return "{\"action\":\"accept\"}";
    case P_START:
        return leader ? "{\"action\":\"assign\",\"handler\":\"handler.vinhhai\"}"
                      : "{\"action\":\"start\"}";
    case P_RESOLVE:
        return "{\"action\":\"resolve\",\"answer\":\"Đã giải quyết.\"}";
    default:
        return "{\"action\":\"close\"}";
    }
}

/* One client: at each phase, waits for all the others, then acts on every case, starting with
 * a different one than its neighbour. Records what it got; asserts nothing (not the main
 * thread). */
static void *work(void *arg)
{
    struct worker *w = arg;
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", w->token);
    for (int p = 0; p < NPHASES; p++) {
        pthread_barrier_wait(&barrier);
        for (int k = 0; k < NCASES; k++) {
            int c = (w->index + k) % NCASES;
            char path[64];
            snprintf(path, sizeof path, CASES "/%lld/actions", cases[c]);
            struct ht_request q = {.path = path,
                                   .content_type = "application/json",
                                   .body = body_of((enum phase)p, w->leader),
                                   .headers = {auth}};
            struct ht_response r;
            ht_do_on(w->curl, E->srv.port, &q, &r);
            w->status[p][c] = r.status;
            if (r.status == 409 && strstr(r.body, "changed meanwhile"))
                w->stale++;
            ht_response_free(&r);
        }
    }
    return NULL;
}

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    static const char *const extra[] = {"--threads", "8", NULL};
    ht_server_start_with(&E->srv, E->db, E->access_log, extra);
    for (int i = 0; i < NTHREADS; i++) {
        int a = (i < NTHREADS / 2 ? 0 : 2) + i % 2;
        workers[i] = (struct worker){.index = i,
                                     .leader = i >= NTHREADS / 2,
                                     .login = accounts[a].login,
                                     .curl = curl_easy_init()};
        assert_non_null(workers[i].curl);
        /* a session of its own, even where two threads are the same person */
        workers[i].token = ht_login(E->srv.port, accounts[a].login, accounts[a].password);
    }
    static const char *const kinds[NCASES] = {"complaint", "feedback", "recommendation",
                                              "information_request"};
    for (int c = 0; c < NCASES; c++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"kind\":\"%s\",\"unit\":\"586.01\",\"title\":\"Cùng lúc %d\","
                 "\"description\":\"Nhiều cán bộ xử lý cùng lúc\"}",
                 kinds[c], c);
        struct ht_response r;
        ht_post_json(E->srv.port, CASES, json, &r);
        if (r.status != 201)
            fail_msg("submitting: %ld %s", r.status, r.body);
        json_t *doc = ht_json(&r);
        cases[c] = json_integer_value(json_object_get(doc, "id"));
        json_decref(doc);
        ht_response_free(&r);
    }
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    for (int i = 0; i < NTHREADS; i++) {
        free(workers[i].token);
        if (workers[i].curl)
            curl_easy_cleanup(workers[i].curl);
    }
    return ht_env_teardown(state);
}

/* Whether status s is a right answer in phase p: 200 for the one who got there first, 409 for
 * whoever was late (stale version or a state that moved on), 403 only for a handler who may not
 * close, or may not resolve a case assigned to someone else. Never anything else. */
static bool outcome_ok(enum phase p, bool leader, long s)
{
    if (s == 409)
        return true;
    if (s == 200)
        return !(p == P_CLOSE && !leader);
    if (s == 403)
        return !leader && (p == P_RESOLVE || p == P_CLOSE);
    return false;
}

/* How many case_events case id has with action (and, if from is not NULL, that from_status). */
static long long events(long long id, const char *action, const char *from)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM case_events WHERE case_id = %lld AND action = '%s'%s%s%s", id,
             action, from ? " AND from_status = '" : "", from ? from : "", from ? "'" : "");
    return ht_db_int(E->db, sql);
}

static void test_racing_officials_make_each_transition_exactly_once(void **state)
{
    (void)state;
    assert_int_equal(pthread_barrier_init(&barrier, NULL, NTHREADS), 0);
    for (int i = 0; i < NTHREADS; i++)
        assert_int_equal(pthread_create(&workers[i].thread, NULL, work, &workers[i]), 0);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(workers[i].thread, NULL);
    pthread_barrier_destroy(&barrier);

    int stale = 0;
    for (int c = 0; c < NCASES; c++) {
        int won[NPHASES] = {0}, starts = 0, assigns = 0;
        for (int i = 0; i < NTHREADS; i++) {
            const struct worker *w = &workers[i];
            for (int p = 0; p < NPHASES; p++) {
                long s = w->status[p][c];
                if (!outcome_ok((enum phase)p, w->leader, s))
                    fail_msg("%s (thread %d) got %ld on %s of case %lld", w->login, i, s,
                             phase_names[p], cases[c]);
                won[p] += s == 200;
                if (p == P_START && s == 200)
                    w->leader ? assigns++ : starts++;
            }
        }
        if (won[P_ACCEPT] != 1 || won[P_RESOLVE] != 1 || won[P_CLOSE] != 1 || won[P_START] < 1)
            fail_msg("case %lld: %d accepts, %d starts or assigns, %d resolves, %d closes won",
                     cases[c], won[P_ACCEPT], won[P_START], won[P_RESOLVE], won[P_CLOSE]);
        /* the store agrees with the answers: one event per 200, no more */
        assert_int_equal(events(cases[c], "accept", NULL), 1);
        assert_int_equal(events(cases[c], "start", NULL), starts);
        assert_int_equal(events(cases[c], "assign", NULL), assigns);
        assert_int_equal(
            events(cases[c], "start", "accepted") + events(cases[c], "assign", "accepted"), 1);
        assert_int_equal(events(cases[c], "resolve", NULL), 1);
        assert_int_equal(events(cases[c], "close", NULL), 1);
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT status = 'closed' FROM cases WHERE id = %lld", cases[c]);
        assert_int_equal(ht_db_int(E->db, sql), 1);
        /* one version per event after the submission */
        snprintf(sql, sizeof sql,
                 "SELECT (SELECT version FROM cases WHERE id = %lld) - "
                 "(SELECT count(*) FROM case_events WHERE case_id = %lld)",
                 cases[c], cases[c]);
        assert_int_equal(ht_db_int(E->db, sql), 0);
    }
    for (int i = 0; i < NTHREADS; i++)
        stale += workers[i].stale;
    /* the timeline is a chain of legal steps: each event starts where the last one ended */
    assert_int_equal(
        ht_db_int(E->db, "SELECT count(*) FROM case_events e JOIN case_events p ON p.case_id = "
                         "e.case_id AND p.id = (SELECT max(id) FROM case_events WHERE case_id = "
                         "e.case_id AND id < e.id) WHERE e.from_status <> p.to_status"),
        0);
    print_message("%d of the losers were told the case had changed meanwhile\n", stale);
}

/* Last: the server stops cleanly and the audit chain holds one entry per event. */
static void test_audit_chain_verifies_after_the_race(void **state)
{
    (void)state;
    assert_int_equal(ht_server_stop(&E->srv), 0);
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify exited %d: %s", rc, out);
    free(out);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT (SELECT count(*) FROM audit WHERE action LIKE 'case.%%' AND object_id IN "
             "('%lld', '%lld', '%lld', '%lld')) - (SELECT count(*) FROM case_events WHERE "
             "case_id IN (%lld, %lld, %lld, %lld))",
             cases[0], cases[1], cases[2], cases[3], cases[0], cases[1], cases[2], cases[3]);
    assert_int_equal(ht_db_int(E->db, sql), 0);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_racing_officials_make_each_transition_exactly_once),
        cmocka_unit_test(test_audit_chain_verifies_after_the_race),
    };
    int failed = cmocka_run_group_tests_name("case concurrency", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
