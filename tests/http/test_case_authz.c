/* Who may act on a petition, through HTTP: every role (handler, leader, receptionist,
 * inspector, admin, resident) placed at the case's own unit, above it, beside it and below it,
 * tries every action on a case where the action is legal and on one where none is. The expected
 * answer comes from the rules, not from the server: a grant covers its unit and the units
 * below; outside it (and for a resident anywhere) the case does not exist, 404, word for word
 * the answer for an id nobody has; inside, an illegal state is 409 whoever asks, and a legal
 * one is 200 if case_actor_may (domain/petition.c) lets the role take the action, else 403.
 * Also: reading a case, its attachments, the inbox, no token, and a case that does not
 * exist. */
#include "harness.h"

#include "base/mem.h"
#include "domain/petition.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CASES     "/api/v1/cases"
#define CASE_UNIT "586.01"
#define NO_CASE   987654321LL

enum role_i { R_HANDLER, R_LEADER, R_RECEPTIONIST, R_INSPECTOR, R_ADMIN, R_RESIDENT, NROLES };
static const char *const role_names[NROLES] = {"handler",   "leader", "receptionist",
                                               "inspector", "admin",  "resident"};

/* Where the actor's grant is, seen from the case at CASE_UNIT. */
enum rel { OWN, CHILD, SIBLING, PARENT, NRELS };
static const char *const rel_names[NRELS] = {"own unit", "a child of the actor's unit",
                                             "a sibling of the actor's unit",
                                             "the parent of the actor's unit"};
static const char *const rel_units[NRELS] = {"586.01", "586", "586.02", "586.01.01"};

/* The demo's accounts where they fit; the others are created before serving. */
static struct actor {
    const char *login, *password;
    char *token;
} actors[NROLES][NRELS] = {
    [R_HANDLER] = {[OWN] = {"handler.vinhhai", "demo-handler-2026", NULL},
                   [CHILD] = {"handler.ninhhai", "demo-handler-2026", NULL}},
    [R_LEADER] = {[CHILD] = {"leader.ninhhai", "demo-leader-2026", NULL}},
    [R_RECEPTIONIST] = {[OWN] = {"receptionist.vinhhai", "demo-reception-2026", NULL}},
    [R_INSPECTOR] = {[OWN] = {"inspector.vinhhai", "demo-inspector-2026", NULL}},
    [R_RESIDENT] = {[PARENT] = {"resident.vinhhy", "demo-resident-2026", NULL}},
};
#define CREATED_PASSWORD "authz-matrix-2026"
static char created_logins[NROLES][NRELS][48];

static struct ht_env *E;
static char *setup_token; /* leader.province: prepares the cases */
static long long keeper;  /* an open case at CASE_UNIT that merges go into */

/* ---- helpers ---- */

static char *dump(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    assert_non_null(text);
    return text;
}

/* method path with token (may be NULL) and body (stolen, may be NULL); returns the status and,
 * if out is not NULL, the parsed answer. */
static long request(const char *token, const char *method, const char *path, json_t *body,
                    json_t **out)
{
    char *text = body ? dump(body) : NULL;
    struct ht_response r;
    ht_call(E->srv.port, method, path, token, text, &r);
    free(text);
    long status = r.status;
    if (status >= 400)
        ht_assert_problem(&r, status, NULL);
    if (out)
        *out = r.body_len ? ht_json(&r) : NULL;
    ht_response_free(&r);
    return status;
}

static json_t *must(const char *token, const char *method, const char *path, json_t *body,
                    long expect)
{
    json_t *doc = NULL;
    long got = request(token, method, path, body, &doc);
    if (got != expect)
        fail_msg("%s %s: %ld, expected %ld: %s", method, path, got, expect,
                 doc ? json_dumps(doc, 0) : "");
    return doc;
}

static long long num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("member %s is missing or not an integer", key);
    return json_integer_value(v);
}

static long long submit(const char *kind)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "kind", kind, "unit", CASE_UNIT, "title",
                          "Vụ việc kiểm tra phân quyền", "description", "Nội dung", "reporter",
                          "name", "Người gửi");
    json_t *doc = must(NULL, "POST", CASES, b, 201);
    long long id = num(doc, "id");
    json_decref(doc);
    return id;
}

static json_t *body_for(enum case_action a)
{
    json_t *b = json_pack("{s:s}", "action", case_action_name(a));
    switch (a) {
    case ACTION_REJECT:
    case ACTION_EXTEND:
    case ACTION_REOPEN:
    case ACTION_REVEAL:
        json_object_set_new(b, "reason", json_string("Lý do"));
        break;
    case ACTION_TRANSFER:
        json_object_set_new(b, "reason", json_string("Không thuộc thẩm quyền"));
        json_object_set_new(b, "to_unit", json_string("586.03"));
        break;
    case ACTION_ASSIGN:
        json_object_set_new(b, "handler", json_string("handler.vinhhai"));
        break;
    case ACTION_RESOLVE:
        json_object_set_new(b, "answer", json_string("Trả lời"));
        break;
    case ACTION_MERGE:
        json_object_set_new(b, "merge_into", json_integer(keeper));
        break;
    default:
        break;
    }
    return b;
}

static long act(const char *token, long long id, enum case_action a, json_t **out)
{
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld/actions", id);
    return request(token, "POST", path, body_for(a), out);
}

/* A setup step that must succeed: the handler of CASE_UNIT starts, the province leader does
 * the rest. */
static void step(long long id, enum case_action a)
{
    const char *token =
        a == ACTION_START || a == ACTION_RESOLVE ? actors[R_HANDLER][OWN].token : setup_token;
    json_t *doc = NULL;
    long got = act(token, id, a, &doc);
    if (got != 200)
        fail_msg("setting up: %s on case %lld: %ld", case_action_name(a), id, got);
    json_decref(doc);
}

/* The kind and status of the case each action is tried on where it is legal. */
static enum case_kind home_kind(enum case_action a)
{
    return a == ACTION_REOPEN ? KIND_COMPLAINT : KIND_DENUNCIATION;
}

static enum case_status home_status(enum case_action a)
{
    switch (a) {
    case ACTION_ASSIGN:
    case ACTION_START:
    case ACTION_EXTEND:
        return STATUS_ACCEPTED;
    case ACTION_RESOLVE:
    case ACTION_REVEAL:
        return STATUS_IN_PROGRESS;
    case ACTION_CLOSE:
    case ACTION_REOPEN:
        return STATUS_RESOLVED;
    default:
        return STATUS_SUBMITTED;
    }
}

/* A fresh case where a is legal: submitted, then accepted, started by the handler of
 * CASE_UNIT (who is then assigned), resolved as needed. */
static long long home_case(enum case_action a)
{
    enum case_kind kind = home_kind(a);
    long long id = submit(case_kind_name(kind));
    enum case_status s = home_status(a);
    if (s != STATUS_SUBMITTED)
        step(id, ACTION_ACCEPT);
    if (s == STATUS_IN_PROGRESS || s == STATUS_RESOLVED)
        step(id, ACTION_START);
    if (s == STATUS_RESOLVED)
        step(id, ACTION_RESOLVE);
    assert_true(case_allowed_actions(s, kind) & (1u << a));
    return id;
}

/* A rejected complaint: no action is legal on it. */
static long long dead_case(void)
{
    long long id = submit("complaint");
    step(id, ACTION_REJECT);
    assert_int_equal(case_allowed_actions(STATUS_REJECTED, KIND_COMPLAINT), 0);
    return id;
}

/* True if a grant at unit covers CASE_UNIT: the unit itself or an ancestor. */
static bool covers(const char *unit)
{
    size_t n = strlen(unit);
    return strncmp(CASE_UNIT, unit, n) == 0 && (CASE_UNIT[n] == 0 || CASE_UNIT[n] == '.');
}

static bool official(enum role_i r)
{
    return r != R_RESIDENT;
}

/* The answer the rules give role r at relation rel for action a, legal or not in the state. */
static long expected(enum role_i r, enum rel rel, enum case_action a, bool legal)
{
    bool in = covers(rel_units[rel]);
    if (!official(r) || !in)
        return 404; /* a case they cannot see is no case to them */
    if (!legal)
        return 409;
    struct case_actor who = {.handler = r == R_HANDLER,
                             .leader = r == R_LEADER,
                             .receptionist = r == R_RECEPTIONIST,
                             .inspector = r == R_INSPECTOR,
                             .admin = r == R_ADMIN};
    /* the home cases were started by the handler of CASE_UNIT */
    who.assigned = r == R_HANDLER && rel == OWN;
    return case_actor_may(&who, a) ? 200 : 403;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    for (int r = 0; r < NROLES; r++)
        for (int l = 0; l < NRELS; l++) {
            struct actor *a = &actors[r][l];
            if (a->login)
                continue;
            snprintf(created_logins[r][l], sizeof created_logins[r][l], "%s.at.%s", role_names[r],
                     rel_units[l]);
            a->login = created_logins[r][l];
            a->password = CREATED_PASSWORD;
            ht_user_add(E->db, a->login, rel_units[l], role_names[r], a->password);
        }
    static const char *const extra[] = {"--submit-limit", "100000", NULL};
    ht_server_start_with(&E->srv, E->db, NULL, extra);
    for (int r = 0; r < NROLES; r++)
        for (int l = 0; l < NRELS; l++)
            actors[r][l].token = ht_login(E->srv.port, actors[r][l].login, actors[r][l].password);
    setup_token = ht_login(E->srv.port, "leader.province", "demo-leader-2026");
    keeper = submit("feedback");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    for (int r = 0; r < NROLES; r++)
        for (int l = 0; l < NRELS; l++)
            free(actors[r][l].token);
    free(setup_token);
    return ht_env_teardown(state);
}

/* ---- the matrix ---- */

struct tally {
    int ok, conflict, forbidden, unseen;
};

static void count(struct tally *t, long status)
{
    t->ok += status == 200;
    t->conflict += status == 409;
    t->forbidden += status == 403;
    t->unseen += status == 404;
}

static void test_every_role_and_unit_relation_against_every_action(void **state)
{
    (void)state;
    struct tally t = {0};
    long long dead = dead_case();
    for (int a = 0; a < ACTION_COUNT; a++) {
        enum case_action action = (enum case_action)a;
        long long home = home_case(action);
        char path[64];
        snprintf(path, sizeof path, CASES "/%lld", home);
        json_t *doc = must(setup_token, "GET", path, NULL, 200);
        long long version = num(doc, "version");
        json_decref(doc);
        for (int r = 0; r < NROLES; r++)
            for (int l = 0; l < NRELS; l++) {
                struct actor *who = &actors[r][l];
                /* where nothing is legal */
                long want = expected((enum role_i)r, (enum rel)l, action, false);
                long got = act(who->token, dead, action, NULL);
                if (got != want)
                    fail_msg("%s (%s, case at %s) %s on a rejected complaint: %ld, expected %ld",
                             who->login, role_names[r], rel_names[l], case_action_name(action), got,
                             want);
                count(&t, got);
                /* where the action is legal */
                want = expected((enum role_i)r, (enum rel)l, action, true);
                json_t *answer = NULL;
                got = act(who->token, home, action, &answer);
                if (got != want)
                    fail_msg("%s (%s, case at %s) %s on a %s %s: %ld, expected %ld", who->login,
                             role_names[r], rel_names[l], case_action_name(action),
                             case_kind_name(home_kind(action)),
                             case_status_name(home_status(action)), got, want);
                count(&t, got);
                if (got == 200) {
                    int next = case_next_status(home_status(action), home_kind(action), action);
                    assert_string_equal(json_string_value(json_object_get(answer, "status")),
                                        case_status_name((enum case_status)next));
                    assert_int_equal(num(answer, "version"), version + 1);
                    /* the case moved on: the next actor gets a fresh one */
                    home = home_case(action);
                    snprintf(path, sizeof path, CASES "/%lld", home);
                    doc = must(setup_token, "GET", path, NULL, 200);
                    version = num(doc, "version");
                    json_decref(doc);
                } else {
                    doc = must(setup_token, "GET", path, NULL, 200);
                    assert_int_equal(num(doc, "version"), version);
                    json_decref(doc);
                }
                json_decref(answer);
            }
    }
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld", dead);
    json_t *doc = must(setup_token, "GET", path, NULL, 200);
    assert_int_equal(num(doc, "version"), 2); /* submitted, rejected: nothing since */
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "rejected");
    json_decref(doc);
    /* each kind of answer really occurred, in the numbers the rules give */
    struct tally want = {0};
    for (int a = 0; a < ACTION_COUNT; a++)
        for (int r = 0; r < NROLES; r++)
            for (int l = 0; l < NRELS; l++)
                for (int legal = 0; legal < 2; legal++)
                    count(&want, expected((enum role_i)r, (enum rel)l, (enum case_action)a, legal));
    assert_int_equal(t.ok, want.ok);
    assert_int_equal(t.conflict, want.conflict);
    assert_int_equal(t.forbidden, want.forbidden);
    assert_int_equal(t.unseen, want.unseen);
    assert_true(t.ok >= 25);
    assert_true(t.conflict >= ACTION_COUNT * 8);
    assert_true(t.forbidden >= ACTION_COUNT);
    /* all but the five official roles at the two places that cover the case, on both cases */
    assert_int_equal(t.unseen, ACTION_COUNT * 2 * (NROLES * NRELS - (NROLES - 1) * 2));
}

static void test_reading_a_case_needs_an_official_role_covering_its_unit(void **state)
{
    (void)state;
    long long id = submit("complaint");
    char path[64], missing[64];
    snprintf(path, sizeof path, CASES "/%lld", id);
    snprintf(missing, sizeof missing, CASES "/%lld", NO_CASE);
    for (int r = 0; r < NROLES; r++)
        for (int l = 0; l < NRELS; l++) {
            struct actor *who = &actors[r][l];
            long want = official((enum role_i)r) && covers(rel_units[l]) ? 200 : 404;
            long got = request(who->token, "GET", path, NULL, NULL);
            if (got != want)
                fail_msg("%s (%s, case at %s) reading the case: %ld, expected %ld", who->login,
                         role_names[r], rel_names[l], got, want);
            got = request(who->token, "GET", missing, NULL, NULL);
            if (got != 404)
                fail_msg("%s reading a case that does not exist: %ld", who->login, got);
            json_t *b = json_pack("{s:s}", "action", "accept");
            char act_missing[96];
            snprintf(act_missing, sizeof act_missing, "%s/actions", missing);
            got = request(who->token, "POST", act_missing, b, NULL);
            if (got != 404)
                fail_msg("%s acting on a case that does not exist: %ld", who->login, got);
        }
    /* malformed ids are no case either */
    static const char *const bad[] = {CASES "/0", CASES "/-3", CASES "/12abc", CASES "/abc"};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(request(setup_token, "GET", bad[i], NULL, NULL), 404);
}

/* s with every occurrence of from replaced by to (free it). */
static char *replaced(const char *s, const char *from, const char *to)
{
    size_t nf = strlen(from), nt = strlen(to), n = 0;
    for (const char *p = strstr(s, from); p; p = strstr(p + nf, from))
        n++;
    char *out = xmalloc(strlen(s) + n * nt + 1), *o = out;
    for (const char *p; (p = strstr(s, from)) != NULL; s = p + nf) {
        memcpy(o, s, (size_t)(p - s));
        o += p - s;
        memcpy(o, to, nt);
        o += nt;
    }
    strcpy(o, s);
    return out;
}

/* Sends method on seen (an existing case or attachment the caller may not see) and on unseen
 * (an id that exists nowhere) with body and its content type; the two answers must be 404 and
 * the same bytes, but for the path each echoes as the problem's instance. */
static void same_as_missing(const char *login, const char *token, const char *method,
                            const char *seen, const char *unseen, const char *type,
                            const char *body, size_t body_len)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    struct ht_response a, b;
    ht_do(E->srv.port,
          &(struct ht_request){.method = method,
                               .path = seen,
                               .content_type = type,
                               .body = body,
                               .body_len = body_len,
                               .headers = {auth}},
          &a);
    ht_do(E->srv.port,
          &(struct ht_request){.method = method,
                               .path = unseen,
                               .content_type = type,
                               .body = body,
                               .body_len = body_len,
                               .headers = {auth}},
          &b);
    if (a.status != 404 || b.status != 404)
        fail_msg("%s %s %s: %ld, and on an id that does not exist: %ld", login, method, seen,
                 a.status, b.status);
    ht_assert_problem(&a, 404, NULL);
    char *want = replaced(b.body, unseen, seen);
    if (strcmp(a.body, want) != 0)
        fail_msg("%s %s: a case they may not see answers\n%s\nbut one that does not exist\n%s",
                 login, method, a.body, b.body);
    assert_string_equal(ht_header(&a, "Content-Type"), ht_header(&b, "Content-Type"));
    free(want);
    ht_response_free(&a);
    ht_response_free(&b);
}

static void test_a_case_out_of_reach_answers_exactly_as_one_that_does_not_exist(void **state)
{
    (void)state;
    long long id = submit("complaint");
    static const char pdf[] = "%PDF-1.4\n1 0 obj\n<< >>\nendobj\ntrailer\n%%EOF\n";
    char path[64], actions[96], attach[96], missing[64], missing_actions[96], missing_attach[96];
    snprintf(path, sizeof path, CASES "/%lld", id);
    snprintf(actions, sizeof actions, "%s/actions", path);
    snprintf(attach, sizeof attach, "%s/attachments", path);
    /* as many digits as the case's id where possible, so that even the lengths agree */
    long long none = 9;
    while (none < id)
        none = none * 10 + 9;
    if (none == id)
        none = none * 10 + 9;
    char sql[96];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE id = %lld", none);
    assert_int_equal(ht_db_int(E->db, sql), 0);
    snprintf(missing, sizeof missing, CASES "/%lld", none);
    snprintf(missing_actions, sizeof missing_actions, "%s/actions", missing);
    snprintf(missing_attach, sizeof missing_attach, "%s/attachments", missing);
    /* an attachment of the case, and an attachment id nobody has */
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", actors[R_HANDLER][OWN].token);
    struct ht_response r;
    ht_do(E->srv.port,
          &(struct ht_request){
              .path = attach, .content_type = "application/pdf", .body = pdf, .headers = {auth}},
          &r);
    assert_int_equal(r.status, 201);
    json_t *doc = ht_json(&r);
    long long att = num(doc, "id");
    json_decref(doc);
    ht_response_free(&r);
    char att_path[64], att_missing[64];
    snprintf(att_path, sizeof att_path, "/api/v1/attachments/%lld", att);
    snprintf(att_missing, sizeof att_missing, "/api/v1/attachments/%lld", att + 1000000000LL);
    const char *accept = "{\"action\":\"accept\"}";
    int tried = 0;
    for (int ro = 0; ro < NROLES; ro++)
        for (int l = 0; l < NRELS; l++) {
            const struct actor *who = &actors[ro][l];
            if (official((enum role_i)ro) && covers(rel_units[l]))
                continue; /* they see it */
            same_as_missing(who->login, who->token, "GET", path, missing, NULL, NULL, 0);
            same_as_missing(who->login, who->token, "POST", actions, missing_actions,
                            "application/json", accept, 0);
            same_as_missing(who->login, who->token, "POST", attach, missing_attach,
                            "application/pdf", pdf, 0);
            same_as_missing(who->login, who->token, "GET", att_path, att_missing, NULL, NULL, 0);
            tried++;
        }
    /* every resident, and every official of the sibling unit and of the village below */
    assert_int_equal(tried, NRELS + 2 * (NROLES - 1));
    /* while those who see it and may not act are told so */
    json_decref(must(actors[R_INSPECTOR][OWN].token, "POST", actions,
                     json_pack("{s:s}", "action", "accept"), 403));
    json_decref(must(actors[R_RECEPTIONIST][CHILD].token, "POST", actions,
                     json_pack("{s:s}", "action", "accept"), 403));
    /* and nothing changed */
    doc = must(setup_token, "GET", path, NULL, 200);
    assert_int_equal(num(doc, "version"), 1);
    assert_int_equal(json_array_size(json_object_get(doc, "attachments")), 1);
    json_decref(doc);
}

static void test_without_a_token_everything_official_is_401(void **state)
{
    (void)state;
    long long id = submit("feedback");
    char path[64], actions[96];
    snprintf(path, sizeof path, CASES "/%lld", id);
    snprintf(actions, sizeof actions, "%s/actions", path);
    struct ht_response r;
    ht_call(E->srv.port, "GET", path, NULL, NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    assert_non_null(ht_header(&r, "WWW-Authenticate"));
    ht_response_free(&r);
    ht_call(E->srv.port, "GET", CASES, NULL, NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    ht_call(E->srv.port, "POST", actions, NULL, "{\"action\":\"accept\"}", &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    /* a forged token is no better */
    ht_call(E->srv.port, "GET", path, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    /* and the case is untouched */
    json_t *doc = must(setup_token, "GET", path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "submitted");
    json_decref(doc);
}

static void test_the_inbox_is_for_officials_only(void **state)
{
    (void)state;
    for (int r = 0; r < NROLES; r++)
        for (int l = 0; l < NRELS; l++) {
            long want = official((enum role_i)r) ? 200 : 403;
            long got = request(actors[r][l].token, "GET", CASES, NULL, NULL);
            if (got != want)
                fail_msg("%s's inbox: %ld, expected %ld", actors[r][l].login, got, want);
            /* and a unit they do not serve is refused by name */
            char path[64];
            snprintf(path, sizeof path, CASES "?unit=%s", CASE_UNIT);
            want = official((enum role_i)r) && covers(rel_units[l]) ? 200 : 403;
            got = request(actors[r][l].token, "GET", path, NULL, NULL);
            if (got != want)
                fail_msg("%s's inbox of %s: %ld, expected %ld", actors[r][l].login, CASE_UNIT, got,
                         want);
        }
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_role_and_unit_relation_against_every_action),
        cmocka_unit_test(test_reading_a_case_needs_an_official_role_covering_its_unit),
        cmocka_unit_test(test_a_case_out_of_reach_answers_exactly_as_one_that_does_not_exist),
        cmocka_unit_test(test_without_a_token_everything_official_is_401),
        cmocka_unit_test(test_the_inbox_is_for_officials_only),
    };
    int failed = cmocka_run_group_tests_name("case authorization", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
