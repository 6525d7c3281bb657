/* Petitions over HTTP, end to end: intake validation that stores nothing, the 201 answer,
 * public tracking by code, every transition of the state machine for every kind (driven by the
 * table in domain/petition.c: each allowed action done, each other one refused with 409),
 * transfer, second-time complaints, extensions, resolving, rating, the officials' inbox with
 * its filters and cursor paging, and the audit chain once the server has stopped. */
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
#include <time.h>

#include <cmocka.h>
#include <sqlite3.h>

#define CASES "/api/v1/cases"

/* The accounts this program signs in once each. */
enum who { HV, HN, HS, LN, LP, RV, IV, NWHO };
static struct {
    const char *login, *password, *unit, *role; /* unit and role: created before serving */
    char *token;
} acc[NWHO] = {
    [HV] = {"handler.vinhhai", "demo-handler-2026", NULL, NULL, NULL},
    [HN] = {"handler.ninhhai", "demo-handler-2026", NULL, NULL, NULL},
    [HS] = {"handler.nhonhai", "sibling-handler-2026", "586.02", "handler", NULL},
    [LN] = {"leader.ninhhai", "demo-leader-2026", NULL, NULL, NULL},
    [LP] = {"leader.province", "demo-leader-2026", NULL, NULL, NULL},
    [RV] = {"receptionist.vinhhai", "demo-reception-2026", NULL, NULL, NULL},
    [IV] = {"inspector.vinhhai", "demo-inspector-2026", NULL, NULL, NULL},
};

static struct ht_env *E;
static long long keeper; /* an open case at 586.01 that merges go into */

/* ---- helpers ---- */

static char *dump(json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    assert_non_null(text);
    return text;
}

/* method path as who (NWHO: anonymous) with body (stolen, may be NULL); fails unless the
 * status is expect. Returns the parsed answer, NULL if it has no body. */
static json_t *call(enum who w, const char *method, const char *path, json_t *body, long expect)
{
    char *text = body ? dump(body) : NULL;
    struct ht_response r;
    ht_call(E->srv.port, method, path, w < NWHO ? acc[w].token : NULL, text, &r);
    if (r.status != expect)
        fail_msg("%s %s as %s with %s: %ld, expected %ld: %s", method, path,
                 w < NWHO ? acc[w].login : "nobody", text ? text : "-", r.status, expect, r.body);
    free(text);
    json_t *doc = r.body_len ? ht_json(&r) : NULL;
    ht_response_free(&r);
    return doc;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("member %s is missing or not a string", key);
    return s;
}

static long long num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("member %s is missing or not an integer", key);
    return json_integer_value(v);
}

static long long count_cases(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM cases");
}

struct filed {
    long long id;
    char code[16], key[64];
};

/* A submission body: kind at unit with a title; more members can be set on it. */
static json_t *intake(const char *kind, const char *unit, const char *title)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "kind", kind, "unit", unit, "title", title,
                     "description", "Chi tiết sự việc, kèm địa điểm và thời gian.");
}

static struct filed submit_as(enum who w, json_t *body)
{
    json_t *doc = call(w, "POST", CASES, body, 201);
    struct filed f = {.id = num(doc, "id")};
    snprintf(f.code, sizeof f.code, "%s", str(doc, "tracking_code"));
    snprintf(f.key, sizeof f.key, "%s", str(doc, "access_key"));
    json_decref(doc);
    return f;
}

static struct filed submit(json_t *body)
{
    return submit_as(NWHO, body);
}

static json_t *act(enum who w, long long id, json_t *body, long expect)
{
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld/actions", id);
    return call(w, "POST", path, body, expect);
}

/* act, then checks the answer's status; returns nothing. */
static void act_to(enum who w, long long id, json_t *body, const char *status)
{
    json_t *doc = act(w, id, body, 200);
    assert_string_equal(str(doc, "status"), status);
    json_decref(doc);
}

static json_t *get_case(enum who w, long long id)
{
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld", id);
    return call(w, "GET", path, NULL, 200);
}

/* Every item of who's inbox for query (may be ""), following next_cursor, with limit. */
static json_t *inbox_all(enum who w, const char *query, int limit)
{
    json_t *all = json_array();
    char cursor[64] = "";
    for (int pages = 0; pages < 1000; pages++) {
        char path[512];
        snprintf(path, sizeof path, CASES "?limit=%d%s%s%s%s", limit, *query ? "&" : "", query,
                 *cursor ? "&cursor=" : "", cursor);
        json_t *doc = call(w, "GET", path, NULL, 200);
        json_array_extend(all, json_object_get(doc, "items"));
        const char *next = json_string_value(json_object_get(doc, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(doc);
        if (!next)
            return all;
    }
    fail_msg("the inbox %s never ends", query);
    return all;
}

static bool has_id(json_t *items, long long id)
{
    for (size_t i = 0; i < json_array_size(items); i++)
        if (json_integer_value(json_object_get(json_array_get(items, i), "id")) == id)
            return true;
    return false;
}

/* The ids of items, in order, as "1,5,9". */
static char *ids_of(json_t *items)
{
    char *out = xcalloc(1, json_array_size(items) * 24 + 1);
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        char one[24];
        snprintf(one, sizeof one, "%s%lld", i ? "," : "",
                 json_integer_value(json_object_get(it, "id")));
        strcat(out, one);
    }
    return out;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    for (int w = 0; w < NWHO; w++)
        if (acc[w].unit)
            ht_user_add(E->db, acc[w].login, acc[w].unit, acc[w].role, acc[w].password);
    static const char *const extra[] = {"--submit-limit", "100000", NULL};
    ht_server_start_with(&E->srv, E->db, E->access_log, extra);
    for (int w = 0; w < NWHO; w++)
        acc[w].token = ht_login(E->srv.port, acc[w].login, acc[w].password);
    keeper = submit(intake("feedback", "586.01", "Đèn đường thôn Vĩnh Hy hỏng")).id;
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    for (int w = 0; w < NWHO; w++)
        free(acc[w].token);
    return ht_env_teardown(state);
}

/* ---- intake ---- */

struct bad_intake {
    const char *body;
    long status;
    const char *field;
};

static void test_bad_submissions_are_refused_naming_the_field_and_store_nothing(void **state)
{
    (void)state;
#define OK_PART "\"unit\":\"586.01\",\"title\":\"Tiêu đề\",\"description\":\"Nội dung\""
    static const struct bad_intake bad[] = {
        {"{\"unit\":\"586.01\",\"title\":\"t\",\"description\":\"d\"}", 400, "kind"},
        {"{\"kind\":\"complaint\",\"title\":\"t\",\"description\":\"d\"}", 400, "unit"},
        {"{\"kind\":\"complaint\",\"unit\":\"586.01\",\"description\":\"d\"}", 400, "title"},
        {"{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"t\"}", 400, "description"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"colour\":\"red\"}", 400, "colour"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"reporter\":{\"nick\":\"x\"}}", 400,
         "reporter.nick"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"reporter\":{\"email\":5}}", 400, "reporter.email"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"reporter\":\"Nguyễn\"}", 400, "reporter"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"anonymous\":\"yes\"}", 400, "anonymous"},
        {"{\"kind\":7," OK_PART "}", 400, "kind"},
        {"{\"kind\":\"complaint\",\"unit\":586.01,\"title\":\"t\",\"description\":\"d\"}", 400,
         "unit"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"location\":{\"lat\":\"north\",\"lon\":1}}", 400,
         "location.lat"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"location\":{\"lon\":1}}", 400, "location.lat"},
        {"{\"kind\":\"petition\"," OK_PART "}", 400, "kind"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"channel\":\"fax\"}", 400, "channel"},
        {"{\"kind\":\"complaint\",\"unit\":\"999\",\"title\":\"t\",\"description\":\"d\"}", 422,
         "unit"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"category\":\"no_such_category\"}", 422, "category"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"channel\":\"reception\"}", 403, "channel"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"channel\":\"paper\"}", 403, "channel"},
        {"{\"kind\":\"denunciation\"," OK_PART ",\"anonymous\":true,\"confidential\":true}", 422,
         "confidential"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"reporter\":{\"email\":\"not-an-address\"}}", 422,
         "reporter.email"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"reporter\":{\"phone\":\"call me\"}}", 422,
         "reporter.phone"},
        {"{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"   \",\"description\":\"d\"}",
         422, "title"},
        {"{\"kind\":\"complaint\"," OK_PART ",\"location\":{\"lat\":91,\"lon\":1}}", 422,
         "location"},
    };
#undef OK_PART
    long long before = count_cases();
    long long events = ht_db_int(E->db, "SELECT count(*) FROM case_events");
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ht_response r;
        ht_post_json(E->srv.port, CASES, bad[i].body, &r);
        if (r.status != bad[i].status)
            fail_msg("%s: %ld, expected %ld: %s", bad[i].body, r.status, bad[i].status, r.body);
        ht_assert_problem(&r, bad[i].status, bad[i].field);
        ht_response_free(&r);
        if (count_cases() != before)
            fail_msg("%s was refused but a case was stored", bad[i].body);
    }
    /* a handler is not a receptionist: the reception channel stays closed to them */
    json_t *b = intake("complaint", "586.01", "Tại quầy");
    json_object_set_new(b, "channel", json_string("reception"));
    json_t *p = call(HV, "POST", CASES, b, 403);
    assert_string_equal(str(json_array_get(json_object_get(p, "errors"), 0), "field"), "channel");
    json_decref(p);
    /* not JSON at all */
    struct ht_response r;
    ht_do(
        E->srv.port,
        &(struct ht_request){.path = CASES, .content_type = "text/plain", .body = "kind=complaint"},
        &r);
    ht_assert_problem(&r, 415, NULL);
    ht_response_free(&r);
    assert_int_equal(count_cases(), before);
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM case_events"), events);

    /* the receptionist may use the reception channel for the same unit */
    b = intake("complaint", "586.01", "Công dân đến trình bày tại trụ sở");
    json_object_set_new(b, "channel", json_string("reception"));
    struct filed f = submit_as(RV, b);
    json_t *c = get_case(HV, f.id);
    assert_string_equal(str(c, "channel"), "reception");
    json_decref(c);
    assert_int_equal(count_cases(), before + 1);
}

static bool code_shaped(const char *code)
{
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    if (strlen(code) != 13 || code[4] != '-' || code[9] != '-')
        return false;
    for (int i = 0; i < 13; i++)
        if (i != 4 && i != 9 && !strchr(alphabet, code[i]))
            return false;
    return true;
}

static void test_submission_answers_201_with_code_key_and_location(void **state)
{
    (void)state;
    json_t *b = intake("complaint", "586.01", "Lấn chiếm đất công");
    json_object_set_new(b, "category", json_string("land"));
    char *text = dump(b);
    struct ht_response r;
    ht_post_json(E->srv.port, CASES, text, &r);
    free(text);
    if (r.status != 201)
        fail_msg("%ld %s", r.status, r.body);
    const char *ct = ht_header(&r, "Content-Type");
    assert_non_null(ct);
    assert_string_equal(ct, "application/json");
    json_t *doc = ht_json(&r);
    assert_true(num(doc, "id") > 0);
    const char *code = str(doc, "tracking_code");
    if (!code_shaped(code))
        fail_msg("tracking code %s is not XXXX-XXXX-XXX", code);
    assert_int_equal(strlen(str(doc, "access_key")), 43);
    assert_string_equal(str(doc, "status"), "submitted");
    struct tm tm = {0};
    const char *end = strptime(str(doc, "due_at"), "%Y-%m-%dT%H:%M:%SZ", &tm);
    assert_non_null(end);
    assert_int_equal(*end, 0);
    double ahead = difftime(timegm(&tm), time(NULL));
    assert_true(ahead > 9 * 86400.0 && ahead < 16 * 86400.0); /* 10 days to accept a complaint */
    char want[64];
    snprintf(want, sizeof want, "/api/v1/track/%s", code);
    const char *loc = ht_header(&r, "Location");
    assert_non_null(loc);
    assert_string_equal(loc, want);
    json_t *pub = call(NWHO, "GET", loc, NULL, 200);
    assert_string_equal(str(pub, "tracking_code"), code);
    assert_string_equal(str(pub, "status"), "submitted");
    assert_string_equal(str(json_object_get(pub, "category"), "code"), "land");
    json_decref(pub);
    json_decref(doc);
    ht_response_free(&r);
}

static void
test_tracking_code_typed_loosely_finds_the_case_and_one_wrong_symbol_does_not(void **state)
{
    (void)state;
    json_t *b = intake("complaint", "586.01", "Ô nhiễm tiếng ồn");
    json_object_set_new(b, "reporter",
                        json_pack("{s:s, s:s, s:s}", "name", "Trương Thị Mai", "phone",
                                  "0912 345 678", "email", "mai.truong@example.vn"));
    struct filed f = submit(b);
    char lower[16], bare[16], path[96];
    size_t k = 0;
    for (size_t i = 0; f.code[i]; i++) {
        lower[i] = (char)(f.code[i] >= 'A' && f.code[i] <= 'Z' ? f.code[i] + 32 : f.code[i]);
        if (f.code[i] != '-')
            bare[k++] = f.code[i];
    }
    lower[strlen(f.code)] = 0;
    bare[k] = 0;
    const char *forms[] = {f.code, lower, bare};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "/api/v1/track/%s", forms[i]);
        json_t *doc = call(NWHO, "GET", path, NULL, 200);
        assert_string_equal(str(doc, "tracking_code"), f.code);
        json_decref(doc);
    }
    /* every single changed symbol is caught by the check symbol: 404, never someone else's */
    static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    for (size_t i = 0; i < 13; i++) {
        if (f.code[i] == '-')
            continue;
        char typo[16];
        snprintf(typo, sizeof typo, "%s", f.code);
        typo[i] = alphabet[(strchr(alphabet, typo[i]) - alphabet + 1 + (long)i) % 32];
        snprintf(path, sizeof path, "/api/v1/track/%s", typo);
        struct ht_response r;
        ht_get(E->srv.port, path, &r);
        ht_assert_problem(&r, 404, NULL);
        ht_response_free(&r);
    }
    /* the public view: status and timeline, no personal data, no internals */
    snprintf(path, sizeof path, "/api/v1/track/%s", f.code);
    struct ht_response r;
    ht_get(E->srv.port, path, &r);
    assert_int_equal(r.status, 200);
    static const char *const secrets[] = {"Trương Thị Mai", "0912 345 678", "mai.truong"};
    for (size_t i = 0; i < 3; i++)
        if (strstr(r.body, secrets[i]))
            fail_msg("the public view shows %s: %s", secrets[i], r.body);
    json_t *pub = ht_json(&r);
    static const char *const hidden[] = {"reporter", "id",         "version", "privacy",
                                         "handler",  "access_key", "rating",  "channel"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (json_object_get(pub, hidden[i]))
            fail_msg("the public view has %s: %s", hidden[i], r.body);
    assert_string_equal(str(pub, "title"), "Ô nhiễm tiếng ồn");
    json_t *tl = json_object_get(pub, "timeline");
    assert_int_equal(json_array_size(tl), 1);
    assert_null(json_object_get(json_array_get(tl, 0), "actor"));
    json_decref(pub);
    ht_response_free(&r);
    /* the reporter, with the access key, sees their own details */
    char key_header[96];
    snprintf(key_header, sizeof key_header, "X-Access-Key: %s", f.key);
    ht_do(E->srv.port, &(struct ht_request){.path = path, .headers = {key_header}}, &r);
    assert_int_equal(r.status, 200);
    json_t *mine = ht_json(&r);
    assert_string_equal(str(json_object_get(mine, "reporter"), "email"), "mai.truong@example.vn");
    json_decref(mine);
    ht_response_free(&r);
    /* a wrong key is refused rather than shown the public view */
    ht_do(E->srv.port,
          &(struct ht_request){.path = path,
                               .headers = {"X-Access-Key: "
                                           "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}},
          &r);
    ht_assert_problem(&r, 403, "access_key");
    ht_response_free(&r);
}

/* ---- the state machine, for every kind ---- */

/* The unit a case of the walk is at after reaching status s. */
static const char *walk_unit(enum case_status s)
{
    return s == STATUS_TRANSFERRED ? "586.02" : s == STATUS_REOPENED ? "586" : "586.01";
}

static bool in_vinhhai(const char *unit)
{
    return strncmp(unit, "586.01", 6) == 0;
}

/* Who takes action a on a case at unit in the walk: a role that may. */
static enum who actor_for(enum case_action a, const char *unit)
{
    switch (a) {
    case ACTION_ACCEPT:
    case ACTION_REJECT:
    case ACTION_TRANSFER:
    case ACTION_MERGE:
    case ACTION_RESOLVE:
        return in_vinhhai(unit) ? HV : LN;
    case ACTION_START:
        return in_vinhhai(unit) ? HV : HN;
    case ACTION_REOPEN:
        return in_vinhhai(unit) ? RV : LN;
    case ACTION_REVEAL:
        return HV;
    default:
        return LN;
    }
}

/* The body of action a on a case at unit, with what the action needs. */
static json_t *action_body(enum case_action a, const char *unit)
{
    json_t *b = json_pack("{s:s}", "action", case_action_name(a));
    switch (a) {
    case ACTION_REJECT:
    case ACTION_EXTEND:
    case ACTION_REOPEN:
    case ACTION_REVEAL:
        json_object_set_new(b, "reason", json_string("Lý do theo quy định"));
        break;
    case ACTION_TRANSFER:
        json_object_set_new(b, "reason", json_string("Thuộc thẩm quyền nơi khác"));
        json_object_set_new(b, "to_unit",
                            json_string(strcmp(unit, "586.02") == 0 ? "586.03" : "586.02"));
        break;
    case ACTION_ASSIGN:
        json_object_set_new(b, "handler",
                            json_string(in_vinhhai(unit) ? "handler.vinhhai" : "handler.ninhhai"));
        break;
    case ACTION_RESOLVE:
        json_object_set_new(b, "answer", json_string("Đã kiểm tra và trả lời công dân."));
        break;
    case ACTION_MERGE:
        json_object_set_new(b, "merge_into", json_integer(keeper));
        break;
    default:
        break;
    }
    return b;
}

/* A body for action a that carries every argument, for attempts that must fail on state. */
static json_t *full_body(enum case_action a)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "action", case_action_name(a), "reason", "r",
                     "to_unit", "586.03", "handler", "handler.vinhhai", "answer", "a", "merge_into",
                     (json_int_t)keeper);
}

/* A new case of kind at 586.01 brought to status s along the shortest path. */
static long long reach(enum case_kind kind, enum case_status s)
{
    json_t *b = intake(case_kind_name(kind), "586.01", "Đường liên thôn xuống cấp");
    if (kind == KIND_DENUNCIATION)
        json_object_set_new(b, "reporter", json_pack("{s:s}", "name", "Người tố cáo"));
    long long id = submit(b).id;
    static const enum case_action to_resolved[] = {ACTION_ACCEPT, ACTION_START, ACTION_RESOLVE};
    const enum case_action *path = to_resolved;
    size_t n = 0;
    static const enum case_action closed[] = {ACTION_ACCEPT, ACTION_START, ACTION_RESOLVE,
                                              ACTION_CLOSE};
    static const enum case_action reopened[] = {ACTION_ACCEPT, ACTION_START, ACTION_RESOLVE,
                                                ACTION_REOPEN};
    static const enum case_action transfer[] = {ACTION_TRANSFER}, reject[] = {ACTION_REJECT},
                                  merge[] = {ACTION_MERGE};
    switch (s) {
    case STATUS_ACCEPTED:
        n = 1;
        break;
    case STATUS_IN_PROGRESS:
        n = 2;
        break;
    case STATUS_RESOLVED:
        n = 3;
        break;
    case STATUS_CLOSED:
        path = closed, n = 4;
        break;
    case STATUS_REOPENED:
        path = reopened, n = 4;
        break;
    case STATUS_TRANSFERRED:
        path = transfer, n = 1;
        break;
    case STATUS_REJECTED:
        path = reject, n = 1;
        break;
    case STATUS_MERGED:
        path = merge, n = 1;
        break;
    default:
        break;
    }
    enum case_status at = STATUS_SUBMITTED;
    for (size_t i = 0; i < n; i++) {
        int next = case_next_status(at, kind, path[i]);
        assert_true(next >= 0);
        act_to(actor_for(path[i], "586.01"), id, action_body(path[i], "586.01"),
               case_status_name((enum case_status)next));
        at = (enum case_status)next;
    }
    assert_int_equal(at, s);
    return id;
}

/* What a legal action a on a kind case in status s answers in the walk, with its actor. */
static long walk_expect(enum case_kind kind, enum case_status s, enum case_action a)
{
    if (a == ACTION_REVEAL) { /* only the assigned handler: the one who started it */
        if (s == STATUS_IN_PROGRESS || s == STATUS_RESOLVED || s == STATUS_CLOSED)
            return 200;
        return in_vinhhai(walk_unit(s)) ? 403 : 404; /* transferred away: not theirs to see */
    }
    if (a == ACTION_EXTEND) /* the law allows extending only these settle steps */
        return kind == KIND_DENUNCIATION || kind == KIND_INFORMATION_REQUEST ? 200 : 422;
    return 200;
}

/* The "allowed now" list of a 409 from status s for kind. */
static void allowed_list(enum case_status s, enum case_kind kind, char *out, size_t n)
{
    unsigned mask = case_allowed_actions(s, kind);
    out[0] = 0;
    for (int a = 0; a < ACTION_COUNT; a++)
        if (mask & (1u << a))
            snprintf(out + strlen(out), n - strlen(out), "%s%s", out[0] ? ", " : "",
                     case_action_name((enum case_action)a));
}

/* Every action the table forbids from s, tried on case id: 409 naming what is allowed, and the
 * case unchanged. */
static void try_illegal(enum case_kind kind, enum case_status s, long long id)
{
    json_t *before = get_case(LN, id);
    unsigned mask = case_allowed_actions(s, kind);
    char list[256], want[300];
    allowed_list(s, kind, list, sizeof list);
    snprintf(want, sizeof want, "allowed now: %s", list);
    for (int a = 0; a < ACTION_COUNT; a++) {
        if (mask & (1u << a))
            continue;
        json_t *p = act(LN, id, full_body((enum case_action)a), 409);
        const char *detail = str(p, "detail");
        if (mask ? !strstr(detail, want) : strstr(detail, "allowed now") != NULL)
            fail_msg("%s on a %s %s: detail \"%s\" does not list \"%s\"",
                     case_action_name((enum case_action)a), case_kind_name(kind),
                     case_status_name(s), detail, list);
        json_decref(p);
    }
    json_t *after = get_case(LN, id);
    assert_int_equal(num(after, "version"), num(before, "version"));
    assert_string_equal(str(after, "status"), case_status_name(s));
    json_decref(before);
    json_decref(after);
}

static void check_effect(enum case_action a, json_t *doc, const char *unit, const char *login)
{
    switch (a) {
    case ACTION_TRANSFER:
        assert_string_equal(str(json_object_get(doc, "unit"), "code"),
                            strcmp(unit, "586.02") == 0 ? "586.03" : "586.02");
        assert_true(json_is_null(json_object_get(doc, "handler")));
        break;
    case ACTION_START:
        assert_string_equal(str(doc, "handler"), login);
        break;
    case ACTION_ASSIGN:
        assert_string_equal(str(doc, "handler"),
                            in_vinhhai(unit) ? "handler.vinhhai" : "handler.ninhhai");
        break;
    case ACTION_RESOLVE:
        assert_string_equal(str(doc, "answer"), "Đã kiểm tra và trả lời công dân.");
        assert_false(json_is_true(json_object_get(doc, "open")));
        break;
    case ACTION_MERGE:
        assert_int_equal(num(doc, "merged_into"), keeper);
        break;
    case ACTION_REOPEN:
        assert_int_equal(num(doc, "round"), 2);
        assert_string_equal(str(json_object_get(doc, "unit"), "code"), "586");
        break;
    case ACTION_EXTEND:
        assert_int_equal(num(doc, "extensions"), 1);
        break;
    case ACTION_REVEAL:
        assert_string_equal(str(json_object_get(doc, "reporter"), "name"), "Người tố cáo");
        break;
    default:
        break;
    }
}

static void test_every_transition_of_every_kind_follows_the_table(void **state)
{
    (void)state;
    int done = 0, refused = 0;
    for (int k = 0; k < KIND_COUNT; k++) {
        enum case_kind kind = (enum case_kind)k;
        for (int st = 0; st < STATUS_COUNT; st++) {
            enum case_status s = (enum case_status)st;
            if (s == STATUS_REOPENED && kind != KIND_COMPLAINT)
                continue; /* only complaints get there */
            unsigned mask = case_allowed_actions(s, kind);
            bool tried_illegal = false;
            for (int a = -1; a < ACTION_COUNT; a++) {
                if (a < 0 ? mask != 0 : !(mask & (1u << a)))
                    continue; /* a == -1: a state with no way out still gets its 409s */
                long long id = reach(kind, s);
                if (!tried_illegal) {
                    try_illegal(kind, s, id);
                    tried_illegal = true;
                }
                if (a < 0)
                    continue;
                enum case_action action = (enum case_action)a;
                const char *unit = walk_unit(s);
                /* an inspector may take no action, whatever the state; outside their unit
                 * the case is not there for them at all */
                json_decref(act(IV, id, action_body(action, unit), in_vinhhai(unit) ? 403 : 404));
                enum who w = actor_for(action, unit);
                long expect = walk_expect(kind, s, action);
                json_t *before = get_case(LN, id);
                json_t *doc = act(w, id, action_body(action, unit), expect);
                if (expect == 200) {
                    const char *want =
                        case_status_name((enum case_status)case_next_status(s, kind, action));
                    if (strcmp(str(doc, "status"), want) != 0)
                        fail_msg("%s on a %s %s led to %s, not %s", case_action_name(action),
                                 case_kind_name(kind), case_status_name(s), str(doc, "status"),
                                 want);
                    assert_int_equal(num(doc, "version"), num(before, "version") + 1);
                    check_effect(action, doc, unit, acc[w].login);
                    done++;
                } else {
                    json_t *after = get_case(LN, id);
                    assert_int_equal(num(after, "version"), num(before, "version"));
                    json_decref(after);
                    refused++;
                }
                json_decref(before);
                json_decref(doc);
            }
        }
    }
    /* every pair the table allows was tried, with the outcome the rules give */
    int want_done = 0, want_refused = 0;
    for (int k = 0; k < KIND_COUNT; k++)
        for (int st = 0; st < STATUS_COUNT; st++)
            for (int a = 0; a < ACTION_COUNT; a++) {
                if ((st == STATUS_REOPENED && k != KIND_COMPLAINT) ||
                    !(case_allowed_actions((enum case_status)st, (enum case_kind)k) & (1u << a)))
                    continue;
                if (walk_expect((enum case_kind)k, (enum case_status)st, (enum case_action)a) ==
                    200)
                    want_done++;
                else
                    want_refused++;
            }
    assert_int_equal(done, want_done);
    assert_int_equal(refused, want_refused);
    print_message("%d allowed transitions done, %d refused by role or law\n", done, refused);
}

static void test_transfer_moves_the_case_to_the_other_units_inbox(void **state)
{
    (void)state;
    long long id = submit(intake("feedback", "586.01", "Rác thải ven biển Nhơn Hải")).id;
    json_t *mine = inbox_all(HV, "", 200), *theirs = inbox_all(HS, "", 200);
    assert_true(has_id(mine, id));
    assert_false(has_id(theirs, id));
    json_decref(mine);
    json_decref(theirs);
    json_t *b = action_body(ACTION_TRANSFER, "586.01");
    json_t *doc = act(HV, id, b, 200);
    assert_string_equal(str(doc, "status"), "transferred");
    assert_string_equal(str(json_object_get(doc, "unit"), "code"), "586.02");
    json_decref(doc);
    mine = inbox_all(HV, "", 200);
    theirs = inbox_all(HS, "", 200);
    assert_false(has_id(mine, id));
    assert_true(has_id(theirs, id));
    json_decref(mine);
    json_decref(theirs);
    /* the first unit has lost it entirely (to it the case is no more); the district above
     * sees it still */
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld", id);
    json_decref(call(HV, "GET", path, NULL, 404));
    json_t *up = inbox_all(LN, "unit=586.02", 200);
    assert_true(has_id(up, id));
    json_decref(up);
    /* the new unit takes it up */
    act_to(HS, id, action_body(ACTION_ACCEPT, "586.02"), "accepted");
}

/* The integer sql (with one %lld for id) yields on the live database. */
static long long db_int_of(const char *sql, long long id)
{
    char *q = sqlite3_mprintf(sql, id);
    long long v = ht_db_int(E->db, q);
    sqlite3_free(q);
    return v;
}

/* How often the subtree index rows of case id were deleted and inserted (rewritten), and
 * updated in place, since scope_log began. */
#define SCOPE_REWRITES "SELECT count(*) FROM scope_log WHERE case_id = %lld AND op != 'update'"
#define SCOPE_UPDATES  "SELECT count(*) FROM scope_log WHERE case_id = %lld AND op = 'update'"
/* scope_log's triggers, in each back-end's dialect. */
#define SCOPE_LOG_ON_SQLITE                                                                        \
    "CREATE TABLE scope_log (case_id INTEGER NOT NULL, op TEXT NOT NULL);"                         \
    "CREATE TRIGGER scope_log_d AFTER DELETE ON case_scope BEGIN "                                 \
    "INSERT INTO scope_log VALUES (old.case_id, 'delete'); END;"                                   \
    "CREATE TRIGGER scope_log_i AFTER INSERT ON case_scope BEGIN "                                 \
    "INSERT INTO scope_log VALUES (new.case_id, 'insert'); END;"                                   \
    "CREATE TRIGGER scope_log_u AFTER UPDATE ON case_scope BEGIN "                                 \
    "INSERT INTO scope_log VALUES (new.case_id, 'update'); END;"
#define SCOPE_LOG_ON_PG                                                                            \
    "CREATE TABLE scope_log (case_id bigint NOT NULL, op text NOT NULL);"                          \
    "CREATE FUNCTION scope_log_row() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "                \
    "IF TG_OP = 'DELETE' THEN INSERT INTO scope_log VALUES (old.case_id, 'delete'); "              \
    "ELSE INSERT INTO scope_log VALUES (new.case_id, lower(TG_OP)); END IF; RETURN NULL; END $$;"  \
    "CREATE TRIGGER scope_log_row AFTER INSERT OR UPDATE OR DELETE ON case_scope "                 \
    "FOR EACH ROW EXECUTE FUNCTION scope_log_row();"

/* Checks case id's index rows: one for each of units (its unit and every ancestor), none
 * elsewhere, each with the case's own deadline and open flag. */
static void expect_scope(long long id, const char *const *units, size_t n)
{
    assert_int_equal(db_int_of("SELECT count(*) FROM case_scope WHERE case_id = %lld", id),
                     (long long)n);
    assert_int_equal(db_int_of("SELECT count(*) FROM case_scope s JOIN cases c ON c.id = "
                               "s.case_id WHERE s.case_id = %lld AND s.due_at = c.due_at AND "
                               "s.open = c.open",
                               id),
                     (long long)n);
    for (size_t i = 0; i < n; i++) {
        char *q = sqlite3_mprintf("SELECT count(*) FROM case_scope s JOIN units u ON u.id = "
                                  "s.unit_id WHERE s.case_id = %lld AND u.code = %Q",
                                  id, units[i]);
        if (ht_db_int(E->db, q) != 1)
            fail_msg("case %lld is not indexed under unit %s", id, units[i]);
        sqlite3_free(q);
    }
}

static void test_subtree_index_is_rewritten_only_when_the_unit_or_the_deadline_moves(void **state)
{
    (void)state;
    ht_db_exec(E->db, ht_pg() ? SCOPE_LOG_ON_PG : SCOPE_LOG_ON_SQLITE);
    static const char *const vinhhai[] = {"586.01", "586", "58"};
    static const char *const nhonhai[] = {"586.02", "586", "58"};
    long long id =
        submit(intake("information_request", "586.01", "Xin thông tin quy hoạch khu dân cư")).id;
    expect_scope(id, vinhhai, 3);
    act_to(LN, id, action_body(ACTION_ACCEPT, "586.01"), "accepted"); /* a new deadline */
    long long rewrites = db_int_of(SCOPE_REWRITES, id);
    assert_int_equal(rewrites, 3 + 6); /* three rows at intake; three out and in again */
    expect_scope(id, vinhhai, 3);

    /* starting and (re)assigning move neither the unit nor the deadline: the rows stay */
    act_to(HV, id, action_body(ACTION_START, "586.01"), "in_progress");
    act_to(LN, id, action_body(ACTION_ASSIGN, "586.01"), "in_progress");
    assert_int_equal(db_int_of(SCOPE_REWRITES, id), rewrites);
    assert_int_equal(db_int_of(SCOPE_UPDATES, id), 0);
    expect_scope(id, vinhhai, 3);
    json_t *mine = inbox_all(HV, "status=in_progress", 200), *up = inbox_all(LP, "unit=586", 200);
    assert_true(has_id(mine, id));
    assert_true(has_id(up, id));
    json_decref(mine);
    json_decref(up);
    /* the inbox of cases due just after the present deadline holds it... */
    time_t after = (time_t)(db_int_of("SELECT due_at FROM cases WHERE id = %lld", id) / 1000 + 1);
    struct tm tm;
    char due_before[48];
    strftime(due_before, sizeof due_before, "due_before=%Y-%m-%dT%H:%M:%SZ", gmtime_r(&after, &tm));
    mine = inbox_all(HV, due_before, 200);
    assert_true(has_id(mine, id));
    json_decref(mine);

    /* ...until an extension moves the deadline: the rows follow it */
    act_to(LN, id, action_body(ACTION_EXTEND, "586.01"), "in_progress");
    assert_true(db_int_of(SCOPE_REWRITES, id) > rewrites);
    rewrites = db_int_of(SCOPE_REWRITES, id);
    expect_scope(id, vinhhai, 3);
    mine = inbox_all(HV, due_before, 200);
    assert_false(has_id(mine, id));
    json_decref(mine);

    /* resolving settles it where it is: the rows stay, only their open flag turns */
    act_to(HV, id, action_body(ACTION_RESOLVE, "586.01"), "resolved");
    assert_int_equal(db_int_of(SCOPE_REWRITES, id), rewrites);
    assert_int_equal(db_int_of(SCOPE_UPDATES, id), 3);
    expect_scope(id, vinhhai, 3);
    assert_int_equal(
        db_int_of("SELECT count(*) FROM case_scope WHERE case_id = %lld AND open = 1", id), 0);
    mine = inbox_all(HV, "", 200);
    assert_false(has_id(mine, id));
    json_decref(mine);
    mine = inbox_all(HV, "open=all", 200);
    assert_true(has_id(mine, id));
    json_decref(mine);
    act_to(LN, id, action_body(ACTION_CLOSE, "586.01"), "closed");
    assert_int_equal(db_int_of(SCOPE_REWRITES, id), rewrites);
    assert_int_equal(db_int_of(SCOPE_UPDATES, id), 3);

    /* a transfer moves the unit: the rows leave the old commune for the new one */
    long long moved = submit(intake("feedback", "586.01", "Cống thoát nước bị tắc")).id;
    act_to(LN, moved, action_body(ACTION_TRANSFER, "586.01"), "transferred");
    expect_scope(moved, nhonhai, 3);
    mine = inbox_all(HV, "", 200);
    json_t *theirs = inbox_all(HS, "", 200);
    assert_false(has_id(mine, moved));
    assert_true(has_id(theirs, moved));
    json_decref(mine);
    json_decref(theirs);

    ht_db_exec(E->db, ht_pg() ? "DROP TRIGGER scope_log_row ON case_scope; DROP FUNCTION "
                                "scope_log_row(); DROP TABLE scope_log;"
                              : "DROP TABLE scope_log; DROP TRIGGER scope_log_d; DROP TRIGGER "
                                "scope_log_i; DROP TRIGGER scope_log_u;");
}

/* A complaint at 586.01 accepted, started and resolved by handler.vinhhai. */
static struct filed resolved_complaint(const char *title)
{
    struct filed f = submit(intake("complaint", "586.01", title));
    act_to(HV, f.id, action_body(ACTION_ACCEPT, "586.01"), "accepted");
    act_to(HV, f.id, action_body(ACTION_START, "586.01"), "in_progress");
    act_to(HV, f.id, action_body(ACTION_RESOLVE, "586.01"), "resolved");
    return f;
}

static void test_second_complaint_goes_to_the_unit_above_once(void **state)
{
    (void)state;
    struct filed f = resolved_complaint("Bồi thường giải phóng mặt bằng");
    json_t *doc = act(RV, f.id, action_body(ACTION_REOPEN, "586.01"), 200);
    assert_string_equal(str(doc, "status"), "reopened");
    assert_string_equal(str(json_object_get(doc, "unit"), "code"), "586");
    assert_int_equal(num(doc, "round"), 2);
    assert_true(json_is_null(json_object_get(doc, "handler")));
    assert_true(json_is_true(json_object_get(doc, "open")));
    json_decref(doc);
    /* the commune no longer holds it; the district does */
    json_t *commune = inbox_all(HV, "", 200), *district = inbox_all(HN, "unit=586", 200);
    assert_false(has_id(commune, f.id));
    assert_true(has_id(district, f.id));
    json_decref(commune);
    json_decref(district);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/track/%s", f.code);
    json_t *pub = call(NWHO, "GET", path, NULL, 200);
    assert_string_equal(str(pub, "status"), "reopened");
    json_decref(pub);
    /* the district settles it; it cannot be brought a third time */
    act_to(LN, f.id, action_body(ACTION_ACCEPT, "586"), "accepted");
    act_to(HN, f.id, action_body(ACTION_START, "586"), "in_progress");
    act_to(HN, f.id, action_body(ACTION_RESOLVE, "586"), "resolved");
    json_t *p = act(LN, f.id, action_body(ACTION_REOPEN, "586"), 422);
    assert_string_equal(str(json_array_get(json_object_get(p, "errors"), 0), "field"), "action");
    json_decref(p);
    json_t *c = get_case(LN, f.id);
    assert_string_equal(str(c, "status"), "resolved");
    assert_int_equal(num(c, "round"), 2);
    json_decref(c);
}

static void test_denunciation_settle_step_extends_twice_then_422(void **state)
{
    (void)state;
    json_t *b = intake("denunciation", "586.01", "Tố cáo sai phạm trong cấp phép");
    long long id = submit(b).id;
    act_to(HV, id, action_body(ACTION_ACCEPT, "586.01"), "accepted");
    json_t *c = get_case(LN, id);
    assert_string_equal(str(c, "step"), "settle");
    char due[32];
    snprintf(due, sizeof due, "%s", str(c, "due_at"));
    json_decref(c);
    for (int i = 1; i <= 2; i++) {
        json_t *doc = act(LN, id, action_body(ACTION_EXTEND, "586.01"), 200);
        assert_int_equal(num(doc, "extensions"), i);
        assert_string_equal(str(doc, "status"), "accepted");
        if (strcmp(str(doc, "due_at"), due) <= 0)
            fail_msg("extension %d left the deadline at %s (was %s)", i, str(doc, "due_at"), due);
        snprintf(due, sizeof due, "%s", str(doc, "due_at"));
        json_decref(doc);
    }
    json_t *p = act(LN, id, action_body(ACTION_EXTEND, "586.01"), 422);
    assert_non_null(strstr(str(p, "detail"), "2 times"));
    json_decref(p);
    /* without a reason there is no extension at all */
    long long other = submit(intake("denunciation", "586.01", "Tố cáo thứ hai")).id;
    act_to(HV, other, action_body(ACTION_ACCEPT, "586.01"), "accepted");
    p = act(LN, other, json_pack("{s:s}", "action", "extend"), 422);
    assert_string_equal(str(json_array_get(json_object_get(p, "errors"), 0), "field"), "reason");
    json_decref(p);
    c = get_case(LN, id);
    assert_int_equal(num(c, "extensions"), 2);
    assert_string_equal(str(c, "due_at"), due);
    json_decref(c);
}

static void test_resolve_needs_an_answer(void **state)
{
    (void)state;
    long long id = submit(intake("recommendation", "586.01", "Kiến nghị mở lớp học bơi")).id;
    act_to(HV, id, action_body(ACTION_ACCEPT, "586.01"), "accepted");
    act_to(HV, id, action_body(ACTION_START, "586.01"), "in_progress");
    static const char *const bodies[] = {"{\"action\":\"resolve\"}",
                                         "{\"action\":\"resolve\",\"answer\":\"  \\n \"}",
                                         "{\"action\":\"resolve\",\"answer\":null}"};
    for (size_t i = 0; i < 3; i++) {
        json_t *p = act(HV, id, json_loads(bodies[i], 0, NULL), 422);
        assert_string_equal(str(json_array_get(json_object_get(p, "errors"), 0), "field"),
                            "answer");
        json_decref(p);
    }
    json_t *c = get_case(HV, id);
    assert_string_equal(str(c, "status"), "in_progress");
    assert_null(json_object_get(c, "answer"));
    json_decref(c);
    act_to(HV, id, action_body(ACTION_RESOLVE, "586.01"), "resolved");
}

static void rate(const struct filed *f, const char *key, int rating, long expect)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/track/%s/rating", f->code);
    json_t *doc =
        call(NWHO, "POST", path,
             json_pack("{s:s, s:i, s:s}", "access_key", key, "rating", rating, "comment", "Cảm ơn"),
             expect);
    json_decref(doc);
}

static void test_rating_once_after_resolution_with_the_access_key(void **state)
{
    (void)state;
    struct filed f = submit(intake("complaint", "586.01", "Chậm cấp giấy chứng nhận"));
    rate(&f, f.key, 4, 409); /* not yet resolved */
    act_to(HV, f.id, action_body(ACTION_ACCEPT, "586.01"), "accepted");
    act_to(HV, f.id, action_body(ACTION_START, "586.01"), "in_progress");
    rate(&f, f.key, 4, 409);
    act_to(HV, f.id, action_body(ACTION_RESOLVE, "586.01"), "resolved");
    struct filed other = submit(intake("complaint", "586.01", "Một vụ việc khác"));
    rate(&f, other.key, 4, 403); /* another case's key */
    rate(&f, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 4, 403);
    rate(&f, f.key, 6, 422);
    rate(&f, f.key, 0, 422);
    json_t *c = get_case(HV, f.id);
    assert_true(json_is_null(json_object_get(c, "rating")));
    json_decref(c);
    rate(&f, f.key, 4, 204);
    rate(&f, f.key, 5, 409);
    c = get_case(HV, f.id);
    assert_int_equal(num(c, "rating"), 4);
    assert_string_equal(str(c, "rating_comment"), "Cảm ơn");
    json_decref(c);
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM case_events WHERE action = 'rate'"), 1);
}

/* ---- the inbox ---- */

static void test_inbox_holds_only_the_actors_subtree(void **state)
{
    (void)state;
    long long child = submit(intake("feedback", "586.01.01", "Thôn Vĩnh Hy thiếu nước")).id;
    long long sibling = submit(intake("feedback", "586.02", "Xã Nhơn Hải thiếu nước")).id;
    long long elsewhere = submit(intake("feedback", "582.01", "Phường Đô Vinh ngập")).id;
    struct {
        enum who w;
        bool child, sibling, elsewhere;
        const char *prefix;
    } views[] = {{HV, true, false, false, "586.01"}, {RV, true, false, false, "586.01"},
                 {IV, true, false, false, "586.01"}, {HS, false, true, false, "586.02"},
                 {LN, true, true, false, "586"},     {LP, true, true, true, "58"}};
    for (size_t v = 0; v < sizeof views / sizeof views[0]; v++) {
        json_t *items = inbox_all(views[v].w, "", 200);
        if (has_id(items, child) != views[v].child || has_id(items, sibling) != views[v].sibling ||
            has_id(items, elsewhere) != views[v].elsewhere)
            fail_msg("the inbox of %s is wrong: %s", acc[views[v].w].login, ids_of(items));
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (strncmp(str(it, "unit"), views[v].prefix, strlen(views[v].prefix)) != 0)
                fail_msg("the inbox of %s holds case %lld of unit %s", acc[views[v].w].login,
                         num(it, "id"), str(it, "unit"));
            assert_true(json_is_true(json_object_get(it, "open")));
        }
        json_decref(items);
    }
    /* asking for a unit outside one's subtree is refused, naming the parameter */
    json_t *p = call(HV, "GET", CASES "?unit=586.02", NULL, 403);
    assert_string_equal(str(json_array_get(json_object_get(p, "errors"), 0), "field"), "unit");
    json_decref(p);
    p = call(HS, "GET", CASES "?unit=586", NULL, 403);
    json_decref(p);
}

/* Checks who's inbox for query: of this test's cases mine[0..n), it holds exactly those whose
 * bit is set in want, each once; and every item it holds (demo cases too) lies under unit and,
 * if member is not NULL, has member equal to value ("true" for a true boolean). */
static void expect_inbox(enum who w, const char *query, const long long *mine, size_t n,
                         unsigned want, const char *unit, const char *member, const char *value)
{
    json_t *items = inbox_all(w, query, 200);
    for (size_t k = 0; k < n; k++) {
        unsigned seen = 0;
        for (size_t i = 0; i < json_array_size(items); i++)
            seen += num(json_array_get(items, i), "id") == mine[k];
        if (seen != ((want >> k) & 1))
            fail_msg("inbox ?%s holds case %lld %u times, expected %u: %s", query, mine[k], seen,
                     (want >> k) & 1, ids_of(items));
    }
    size_t i;
    json_t *it;
    json_array_foreach(items, i, it)
    {
        if (strncmp(str(it, "unit"), unit, strlen(unit)) != 0)
            fail_msg("inbox ?%s holds case %lld of unit %s", query, num(it, "id"), str(it, "unit"));
        if (!member)
            continue;
        json_t *m = json_object_get(it, member);
        bool match = json_is_string(m) ? strcmp(json_string_value(m), value) == 0
                                       : json_is_true(m) && strcmp(value, "true") == 0;
        if (!match)
            fail_msg("inbox ?%s holds case %lld whose %s is not %s", query, num(it, "id"), member,
                     value);
    }
    json_decref(items);
}

static void test_inbox_filters_by_kind_status_category_overdue_due_and_text(void **state)
{
    (void)state;
    /* a district without demo cases (Ninh Sơn, 585) */
    enum { A, D, F, INFO, REC, N };
    long long id[N];
    json_t *b = intake("complaint", "585.01", "Lấn chiếm đất công ở thị trấn Tân Sơn");
    json_object_set_new(b, "category", json_string("land"));
    id[A] = submit(b).id;
    b = intake("denunciation", "585.01.01", "Cán bộ thu tiền sai quy định");
    json_object_set_new(b, "category", json_string("environment"));
    id[D] = submit(b).id;
    b = intake("feedback", "585.01", "Đường vào trường học hỏng");
    json_object_set_new(b, "category", json_string("land"));
    id[F] = submit(b).id;
    act_to(LP, id[F], action_body(ACTION_ACCEPT, "585.01"), "accepted");
    id[INFO] = submit(intake("information_request", "585.02", "Xin thông tin quy hoạch")).id;
    id[REC] = submit(intake("recommendation", "585.01", "Kiến nghị về chợ")).id;
    act_to(LP, id[REC], action_body(ACTION_REJECT, "585.01"), "rejected");
    /* one case overdue: its deadline moved 40 days (3456000000 ms, a bigint on PostgreSQL too)
     * into the past, as time would */
    char sql[256];
    snprintf(sql, sizeof sql,
             "UPDATE cases SET due_at = due_at - 3456000000 WHERE id = %lld;"
             "UPDATE case_scope SET due_at = due_at - 3456000000 WHERE case_id = %lld;",
             id[INFO], id[INFO]);
    ht_db_exec(E->db, sql);

#define BIT(x) (1u << (x))
    const unsigned open = BIT(A) | BIT(D) | BIT(F) | BIT(INFO);
    expect_inbox(LP, "unit=585", id, N, open, "585", "open", "true");
    expect_inbox(LP, "unit=585&open=all", id, N, open | BIT(REC), "585", NULL, NULL);
    expect_inbox(LP, "unit=585.01", id, N, BIT(A) | BIT(D) | BIT(F), "585.01", NULL, NULL);
    expect_inbox(LP, "unit=585&kind=denunciation", id, N, BIT(D), "585", "kind", "denunciation");
    expect_inbox(LP, "unit=585&status=accepted", id, N, BIT(F), "585", "status", "accepted");
    expect_inbox(LP, "unit=585&status=rejected", id, N, BIT(REC), "585", "status", "rejected");
    expect_inbox(LP, "unit=585&category=land", id, N, BIT(A) | BIT(F), "585", "category", "land");
    expect_inbox(LP, "unit=585&category=land&kind=feedback", id, N, BIT(F), "585", "kind",
                 "feedback");
    expect_inbox(LP, "unit=585&overdue=true", id, N, BIT(INFO), "585", "overdue", "true");
    expect_inbox(LP, "overdue=true", id, N, BIT(INFO), "58", "overdue", "true");
    /* text: diacritics and case do not matter, and "d" finds "đ" */
    expect_inbox(LP, "unit=585&q=dat%20cong", id, N, BIT(A), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=%C4%91%E1%BA%A5t%20c%C3%B4ng", id, N, BIT(A), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=DAT%20CONG", id, N, BIT(A), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=lan%20chiem", id, N, BIT(A), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=duong", id, N, BIT(F), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=%C4%91%C6%B0%E1%BB%9Dng", id, N, BIT(F), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=%C4%90%C6%AF%E1%BB%9CNG", id, N, BIT(F), "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=%E2%80%94%20%3F", id, N, open, "585", NULL, NULL); /* no words */
    expect_inbox(LP, "unit=585&q=dia%20diem", id, N, open, "585", NULL, NULL); /* descriptions */
    expect_inbox(LP, "unit=585&q=dat&kind=feedback", id, N, 0, "585", NULL, NULL);
    expect_inbox(LP, "unit=585&q=kh%C3%B4ng%20c%C3%B3%20t%E1%BB%AB%20n%C3%A0y", id, N, 0, "585",
                 NULL, NULL);
    expect_inbox(LP, "unit=585&q=%22%20OR%20*", id, N, 0, "585", NULL, NULL);

    /* due_before: exactly the cases due before the deadline of one of them */
    json_t *items = inbox_all(LP, "unit=585", 200);
    json_t *cut_item = NULL;
    for (size_t i = 0; i < json_array_size(items); i++)
        if (num(json_array_get(items, i), "id") == id[F])
            cut_item = json_array_get(items, i);
    assert_non_null(cut_item);
    char query[96];
    snprintf(query, sizeof query, "unit=585&due_before=%s", str(cut_item, "due_at"));
    unsigned below = 0;
    for (size_t k = 0; k < N; k++)
        for (size_t i = 0; i < json_array_size(items); i++)
            if (num(json_array_get(items, i), "id") == id[k] &&
                strcmp(str(json_array_get(items, i), "due_at"), str(cut_item, "due_at")) < 0)
                below |= BIT(k);
    json_decref(items);
    assert_true(below & BIT(INFO));
    assert_false(below & BIT(F));
    expect_inbox(LP, query, id, N, below, "585", NULL, NULL);
    expect_inbox(LP, "unit=585&due_before=2099-01-01", id, N, open, "585", NULL, NULL);
    expect_inbox(LP, "unit=585&due_before=2001-01-01T00:00:00Z", id, N, 0, "585", NULL, NULL);
#undef BIT
}

static void test_inbox_refuses_bad_query_values_naming_the_parameter(void **state)
{
    (void)state;
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"kind=petition", "kind"},
        {"status=pending", "status"},
        {"overdue=yes", "overdue"},
        {"due_before=tomorrow", "due_before"},
        {"due_before=2026-02-30", "due_before"},
        {"due_before=2026-03-01T25:00:00Z", "due_before"},
        {"cursor=abc", "cursor"},
        {"cursor=12.-3", "cursor"},
        {"limit=0", "limit"},
        {"limit=201", "limit"},
        {"limit=ten", "limit"},
        {"open=maybe", "open"},
        {"unit=999", "unit"},
        {"q=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         "q"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[512];
        snprintf(path, sizeof path, CASES "?%s", bad[i].query);
        struct ht_response r;
        ht_call(E->srv.port, "GET", path, acc[LP].token, NULL, &r);
        if (r.status != 400)
            fail_msg("?%s: %ld %s", bad[i].query, r.status, r.body);
        ht_assert_problem(&r, 400, bad[i].field);
        ht_response_free(&r);
    }
}

/* A due order key of an inbox item: due_at, then id. */
static int item_cmp(json_t *x, json_t *y)
{
    int c = strcmp(str(x, "due_at"), str(y, "due_at"));
    if (c)
        return c;
    long long a = num(x, "id"), b = num(y, "id");
    return a < b ? -1 : a > b;
}

static void test_inbox_cursor_pages_hold_every_case_once_while_cases_arrive(void **state)
{
    (void)state;
    /* Thuận Nam (589), away from the other tests' cases */
    static const char *const kinds[] = {"complaint", "denunciation", "information_request",
                                        "feedback", "recommendation"};
    long long original[12];
    size_t n = 0;
    for (size_t i = 0; i < 12; i++)
        original[n++] = submit(intake(kinds[i % 5], i % 2 ? "589.01" : "589.01.01", "Trang")).id;
    int seen[12] = {0};
    json_t *all = json_array();
    char cursor[64] = "";
    for (int page = 0; page < 100; page++) {
        char path[256];
        snprintf(path, sizeof path, CASES "?unit=589&limit=3%s%s", *cursor ? "&cursor=" : "",
                 cursor);
        json_t *doc = call(LP, "GET", path, NULL, 200);
        json_t *items = json_object_get(doc, "items");
        assert_true(json_array_size(items) <= 3);
        json_array_extend(all, items);
        const char *next = json_string_value(json_object_get(doc, "next_cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        json_decref(doc);
        if (!next)
            break;
        /* a new case arrives between pages: due sooner (3 working days) or later */
        submit(intake(kinds[page % 5], "589.01", "Mới đến giữa hai trang"));
    }
    assert_int_equal(cursor[0], 0);
    for (size_t i = 0; i < json_array_size(all); i++) {
        json_t *it = json_array_get(all, i);
        if (i && item_cmp(json_array_get(all, i - 1), it) >= 0)
            fail_msg("pages are out of due order at %zu: %s", i, ids_of(all));
        for (size_t k = 0; k < n; k++)
            if (num(it, "id") == original[k])
                seen[k]++;
    }
    for (size_t k = 0; k < n; k++)
        if (seen[k] != 1)
            fail_msg("case %lld was seen %d times: %s", original[k], seen[k], ids_of(all));
    json_decref(all);
}

/* Last: stops the server; the audit chain verifies and holds an entry per case event. */
static void test_audit_chain_verifies_and_records_every_case_event(void **state)
{
    (void)state;
    assert_int_equal(ht_server_stop(&E->srv), 0);
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify exited %d: %s", rc, out);
    free(out);
    static const char *const actions[] = {
        "case.submit", "case.accept", "case.reject",  "case.transfer", "case.assign",
        "case.start",  "case.extend", "case.resolve", "case.close",    "case.reopen",
        "case.merge",  "case.reveal", "case.rate"};
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s'", actions[i]);
        long long in_audit = ht_db_int(E->db, sql);
        snprintf(sql, sizeof sql, "SELECT count(*) FROM case_events WHERE 'case.' || action = '%s'",
                 actions[i]);
        long long in_timeline = ht_db_int(E->db, sql);
        if (in_audit == 0 || in_audit != in_timeline)
            fail_msg("%s: %lld audit entries, %lld timeline events", actions[i], in_audit,
                     in_timeline);
    }
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM audit WHERE action = 'case.submit'"),
                     count_cases());
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_submissions_are_refused_naming_the_field_and_store_nothing),
        cmocka_unit_test(test_submission_answers_201_with_code_key_and_location),
        cmocka_unit_test(
            test_tracking_code_typed_loosely_finds_the_case_and_one_wrong_symbol_does_not),
        cmocka_unit_test(test_every_transition_of_every_kind_follows_the_table),
        cmocka_unit_test(test_transfer_moves_the_case_to_the_other_units_inbox),
        cmocka_unit_test(test_subtree_index_is_rewritten_only_when_the_unit_or_the_deadline_moves),
        cmocka_unit_test(test_second_complaint_goes_to_the_unit_above_once),
        cmocka_unit_test(test_denunciation_settle_step_extends_twice_then_422),
        cmocka_unit_test(test_resolve_needs_an_answer),
        cmocka_unit_test(test_rating_once_after_resolution_with_the_access_key),
        cmocka_unit_test(test_inbox_holds_only_the_actors_subtree),
        cmocka_unit_test(test_inbox_filters_by_kind_status_category_overdue_due_and_text),
        cmocka_unit_test(test_inbox_refuses_bad_query_values_naming_the_parameter),
        cmocka_unit_test(test_inbox_cursor_pages_hold_every_case_once_while_cases_arrive),
        cmocka_unit_test(test_audit_chain_verifies_and_records_every_case_event),
    };
    int failed = cmocka_run_group_tests_name("cases", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
