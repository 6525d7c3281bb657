/* A denouncer's identity through HTTP: sealed at rest, never in the public view, never shown to
 * an inspector, absent from the access log, the server's standard error, the outbox and the
 * database file's bytes; shown to the reporter with the access key and to the assigned handler
 * only in the answer to an audited reveal with a reason. Also anonymous feedback (sealed, no
 * reveal) and a confidential report (its words kept from the public view), and the sealing
 * key's file mode. */
#include "harness.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#define CASES "/api/v1/cases"

/* The denouncer. */
#define NAME  "Hoàng Thị Bí Mật"
#define PHONE "0987 654 321"
#define EMAIL "bimat.tocao@example.vn"
/* The anonymous and the confidential reporters. */
#define ANON_NAME  "Lò Văn Ẩn Danh"
#define ANON_EMAIL "andanh.gopy@example.vn"
#define CONF_NAME  "Mạc Thị Kín Đáo"
#define CONF_PHONE "0911 222 333"
/* A report's own words, kept from the public when it is confidential. */
#define CONF_TITLE "Chi trả hỗ trợ ngư dân không đúng đối tượng"
#define CONF_DESC  "Danh sách nhận hỗ trợ có tên người đã chuyển đi nơi khác."
/* A plain reporter, whose e-mail is queued in clear: shows the outbox check can see one. */
#define PLAIN_EMAIL "congkhai.nguoidan@example.vn"

static const char *const secrets[] = {NAME,       PHONE,     EMAIL,     ANON_NAME,
                                      ANON_EMAIL, CONF_NAME, CONF_PHONE};
#define NSECRETS (sizeof secrets / sizeof secrets[0])

enum who { HV, HN, LN, IV, NWHO };
static struct {
    const char *login, *password;
    char *token;
} acc[NWHO] = {
    [HV] = {"handler.vinhhai", "demo-handler-2026", NULL},
    [HN] = {"handler.ninhhai", "demo-handler-2026", NULL},
    [LN] = {"leader.ninhhai", "demo-leader-2026", NULL},
    [IV] = {"inspector.vinhhai", "demo-inspector-2026", NULL},
};

static struct ht_env *E;

struct filed {
    long long id;
    char code[16], key[64];
};
static struct filed denunciation, anonymous, confidential;

/* ---- helpers ---- */

/* Fails if text holds any of the sealed identities' strings. */
static void assert_no_secret(const char *where, const char *text, size_t len)
{
    for (size_t i = 0; i < NSECRETS; i++)
        if (memmem(text, len, secrets[i], strlen(secrets[i])))
            fail_msg("%s shows \"%s\": %.400s", where, secrets[i], text);
}

/* method path as who (NWHO: anonymous) with json (may be NULL) and one extra header; fails
 * unless the status is expect; returns the answer's body (free it). */
static char *call(enum who w, const char *method, const char *path, const char *json,
                  const char *header, long expect)
{
    char auth[128];
    if (w < NWHO)
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", acc[w].token);
    struct ht_response r;
    ht_do(E->srv.port,
          &(struct ht_request){.method = method,
                               .path = path,
                               .content_type = json ? "application/json" : NULL,
                               .body = json,
                               .headers = {w < NWHO ? auth : header, w < NWHO ? header : NULL}},
          &r);
    if (r.status != expect)
        fail_msg("%s %s as %s: %ld, expected %ld: %s", method, path,
                 w < NWHO ? acc[w].login : "nobody", r.status, expect, r.body);
    char *body = r.body;
    r.body = NULL;
    ht_response_free(&r);
    return body;
}

static json_t *parse(const char *text)
{
    json_t *v = json_loads(text, 0, NULL);
    if (!v)
        fail_msg("not JSON: %s", text);
    return v;
}

static struct filed submit(const char *json)
{
    char *body = call(NWHO, "POST", CASES, json, NULL, 201);
    json_t *doc = parse(body);
    struct filed f = {.id = json_integer_value(json_object_get(doc, "id"))};
    snprintf(f.code, sizeof f.code, "%s", json_string_value(json_object_get(doc, "tracking_code")));
    snprintf(f.key, sizeof f.key, "%s", json_string_value(json_object_get(doc, "access_key")));
    json_decref(doc);
    free(body);
    return f;
}

static char *act(enum who w, long long id, const char *json, long expect)
{
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld/actions", id);
    return call(w, "POST", path, json, NULL, expect);
}

static char *get_case(enum who w, long long id)
{
    char path[64];
    snprintf(path, sizeof path, CASES "/%lld", id);
    return call(w, "GET", path, NULL, NULL, 200);
}

static char *track(const struct filed *f, bool with_key)
{
    char path[64], key[96];
    snprintf(path, sizeof path, "/api/v1/track/%s", f->code);
    snprintf(key, sizeof key, "X-Access-Key: %s", f->key);
    return call(NWHO, "GET", path, NULL, with_key ? key : NULL, 200);
}

static const char *member(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("member %s is missing", key);
    return s;
}

/* ---- fixture ---- */

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    /* a webhook over the district, so every change queues a message to check */
    ht_db_exec(E->db,
               "INSERT INTO webhooks (unit_id, url, secret) SELECT id, "
               "'http://127.0.0.1:9/akar-hook', 'hook-secret' FROM units WHERE code = '586'");
    ht_server_start(&E->srv, E->db, E->access_log);
    for (int w = 0; w < NWHO; w++)
        acc[w].token = ht_login(E->srv.port, acc[w].login, acc[w].password);
    denunciation = submit("{\"kind\":\"denunciation\",\"unit\":\"586.01\","
                          "\"title\":\"Tố cáo cán bộ địa chính nhận tiền\","
                          "\"description\":\"Cán bộ địa chính xã nhận tiền để cấp giấy.\","
                          "\"reporter\":{\"name\":\"" NAME "\",\"phone\":\"" PHONE
                          "\",\"email\":\"" EMAIL "\",\"address\":\"Thôn Thái An\"}}");
    anonymous = submit("{\"kind\":\"feedback\",\"unit\":\"586.01\",\"anonymous\":true,"
                       "\"title\":\"Đèn đường tắt sớm\",\"description\":\"Đèn tắt lúc 21 giờ.\","
                       "\"reporter\":{\"name\":\"" ANON_NAME "\",\"email\":\"" ANON_EMAIL "\"}}");
    confidential =
        submit("{\"kind\":\"complaint\",\"unit\":\"586.01\",\"confidential\":true,"
               "\"title\":\"" CONF_TITLE "\",\"description\":\"" CONF_DESC "\","
               "\"reporter\":{\"name\":\"" CONF_NAME "\",\"phone\":\"" CONF_PHONE "\"}}");
    submit("{\"kind\":\"complaint\",\"unit\":\"586.01\",\"title\":\"Khiếu nại công khai\","
           "\"description\":\"Nội dung\",\"reporter\":{\"name\":\"Người công khai\","
           "\"email\":\"" PLAIN_EMAIL "\"}}");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    for (int w = 0; w < NWHO; w++)
        free(acc[w].token);
    return ht_env_teardown(state);
}

/* ---- tests ---- */

static void test_public_tracking_shows_no_identity_and_no_denunciation_text(void **state)
{
    (void)state;
    const struct filed *all[] = {&denunciation, &anonymous, &confidential};
    for (size_t i = 0; i < 3; i++) {
        char *body = track(all[i], false);
        assert_no_secret("the public view", body, strlen(body));
        json_t *doc = parse(body);
        assert_null(json_object_get(doc, "reporter"));
        assert_non_null(json_object_get(doc, "status"));
        json_decref(doc);
        free(body);
    }
    /* a denunciation's words could point at the denouncer: not public either */
    char *body = track(&denunciation, false);
    json_t *doc = parse(body);
    assert_null(json_object_get(doc, "title"));
    assert_null(json_object_get(doc, "description"));
    json_decref(doc);
    free(body);
}

static void test_the_reporter_sees_their_identity_with_the_access_key(void **state)
{
    (void)state;
    char *body = track(&denunciation, true);
    json_t *doc = parse(body);
    json_t *r = json_object_get(doc, "reporter");
    assert_string_equal(member(r, "name"), NAME);
    assert_string_equal(member(r, "phone"), PHONE);
    assert_string_equal(member(r, "email"), EMAIL);
    assert_string_equal(member(doc, "title"), "Tố cáo cán bộ địa chính nhận tiền");
    json_decref(doc);
    free(body);
    body = track(&confidential, true);
    doc = parse(body);
    assert_string_equal(member(json_object_get(doc, "reporter"), "name"), CONF_NAME);
    assert_string_equal(member(doc, "title"), CONF_TITLE);
    json_decref(doc);
    free(body);
}

static void test_the_inspector_never_sees_an_identity(void **state)
{
    (void)state;
    const struct filed *all[] = {&denunciation, &anonymous, &confidential};
    for (size_t i = 0; i < 3; i++) {
        char *body = get_case(IV, all[i]->id);
        assert_no_secret("the inspector's case view", body, strlen(body));
        json_t *doc = parse(body);
        assert_null(json_object_get(doc, "reporter"));
        assert_true(json_is_true(json_object_get(doc, "reporter_sealed")));
        /* the handling record itself is theirs to see */
        assert_non_null(json_object_get(doc, "title"));
        assert_non_null(json_object_get(doc, "timeline"));
        json_decref(doc);
        free(body);
        static const char *const actions[] = {"accept", "reject", "transfer", "assign",
                                              "start",  "extend", "resolve",  "close",
                                              "reopen", "merge",  "reveal"};
        for (size_t a = 0; a < sizeof actions / sizeof actions[0]; a++) {
            char json[160];
            snprintf(json, sizeof json,
                     "{\"action\":\"%s\",\"reason\":\"xem\",\"to_unit\":\"586.02\","
                     "\"answer\":\"x\",\"handler\":\"handler.vinhhai\"}",
                     actions[a]);
            char path[64];
            snprintf(path, sizeof path, CASES "/%lld/actions", all[i]->id);
            struct ht_response r;
            ht_call(E->srv.port, "POST", path, acc[IV].token, json, &r);
            if (r.status != 403 && r.status != 409)
                fail_msg("the inspector's %s: %ld %s", actions[a], r.status, r.body);
            assert_no_secret("an answer to the inspector", r.body, r.body_len);
            ht_response_free(&r);
        }
    }
    char *inbox = call(IV, "GET", CASES "?open=all", NULL, NULL, 200);
    assert_no_secret("the inspector's inbox", inbox, strlen(inbox));
    free(inbox);
}

static void test_reveal_only_by_the_assigned_handler_with_a_reason_once_and_audited(void **state)
{
    (void)state;
    long long id = denunciation.id;
    free(act(HV, id, "{\"action\":\"accept\"}", 200));
    /* before anyone is assigned, nobody may reveal */
    free(act(HV, id, "{\"action\":\"reveal\",\"reason\":\"xác minh\"}", 403));
    free(act(HV, id, "{\"action\":\"start\"}", 200));
    /* officials of the unit do not see the sealed identity in the case view */
    const enum who officials[] = {HV, HN, LN};
    for (size_t i = 0; i < 3; i++) {
        char *body = get_case(officials[i], id);
        assert_no_secret("an official's case view", body, strlen(body));
        free(body);
    }
    /* another handler of the subtree, the leader: not assigned */
    char *p = act(HN, id, "{\"action\":\"reveal\",\"reason\":\"xác minh\"}", 403);
    assert_no_secret("a refused reveal", p, strlen(p));
    free(p);
    free(act(LN, id, "{\"action\":\"reveal\",\"reason\":\"xác minh\"}", 403));
    /* the assigned handler, without a reason */
    p = act(HV, id, "{\"action\":\"reveal\"}", 422);
    assert_no_secret("a reveal without reason", p, strlen(p));
    json_t *doc = parse(p);
    assert_string_equal(member(json_array_get(json_object_get(doc, "errors"), 0), "field"),
                        "reason");
    json_decref(doc);
    free(p);
    p = act(HV, id, "{\"action\":\"reveal\",\"reason\":\"  \"}", 422);
    free(p);
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM audit WHERE action = 'case.reveal'"),
                     0);
    /* with a reason: the identity, in this one answer */
    p = act(HV, id, "{\"action\":\"reveal\",\"reason\":\"Cần liên hệ người tố cáo để xác minh\"}",
            200);
    doc = parse(p);
    json_t *r = json_object_get(doc, "reporter");
    assert_string_equal(member(r, "name"), NAME);
    assert_string_equal(member(r, "phone"), PHONE);
    assert_string_equal(member(r, "email"), EMAIL);
    assert_string_equal(member(doc, "status"), "in_progress");
    json_decref(doc);
    free(p);
    /* and not in a later view */
    p = get_case(HV, id);
    assert_no_secret("the handler's view after the reveal", p, strlen(p));
    doc = parse(p);
    assert_null(json_object_get(doc, "reporter"));
    /* the timeline records who revealed and why */
    json_t *tl = json_object_get(doc, "timeline");
    int reveals = 0;
    for (size_t i = 0; i < json_array_size(tl); i++) {
        json_t *e = json_array_get(tl, i);
        if (strcmp(member(e, "action"), "reveal") != 0)
            continue;
        reveals++;
        assert_string_equal(member(e, "reason"), "Cần liên hệ người tố cáo để xác minh");
        assert_non_null(strstr(member(e, "actor"), "user:"));
    }
    assert_int_equal(reveals, 1);
    json_decref(doc);
    free(p);
    /* the reveal is public to no one */
    p = track(&denunciation, false);
    assert_null(strstr(p, "reveal"));
    free(p);
    /* the inspector sees that it happened, not what */
    p = get_case(IV, id);
    assert_no_secret("the inspector's view after the reveal", p, strlen(p));
    assert_non_null(strstr(p, "\"reveal\""));
    free(p);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'case.reveal' AND object_id = '%lld'", id);
    assert_int_equal(ht_db_int(E->db, sql), 1);
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM case_events WHERE action = 'reveal'"),
                     1);
}

static void test_anonymous_feedback_is_sealed_and_cannot_be_revealed(void **state)
{
    (void)state;
    long long id = anonymous.id;
    char *p = get_case(HV, id);
    json_t *doc = parse(p);
    assert_true(json_is_true(json_object_get(doc, "reporter_sealed")));
    assert_string_equal(member(doc, "privacy"), "anonymous");
    assert_null(json_object_get(doc, "reporter"));
    json_decref(doc);
    free(p);
    /* anonymous, not confidential: the report itself is public */
    p = track(&anonymous, false);
    doc = parse(p);
    assert_string_equal(member(doc, "title"), "Đèn đường tắt sớm");
    json_decref(doc);
    free(p);
    free(act(HV, id, "{\"action\":\"reveal\",\"reason\":\"xác minh\"}", 409));
    free(act(HV, id, "{\"action\":\"accept\"}", 200));
    free(act(HV, id, "{\"action\":\"start\"}", 200));
    /* even the assigned handler cannot: there is nothing to reveal on feedback */
    p = act(HV, id, "{\"action\":\"reveal\",\"reason\":\"xác minh\"}", 409);
    assert_no_secret("a refused reveal", p, strlen(p));
    free(p);
    /* and no e-mail goes to a sealed reporter */
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM outbox WHERE channel = 'email' AND "
                                      "target <> '" PLAIN_EMAIL "'"),
                     0);
}

static void test_a_confidential_report_keeps_its_words_from_the_public(void **state)
{
    (void)state;
    char *p = track(&confidential, false);
    if (strstr(p, CONF_TITLE) || strstr(p, CONF_DESC))
        fail_msg("the public view of a confidential report shows it: %s", p);
    json_t *doc = parse(p);
    assert_null(json_object_get(doc, "title"));
    assert_null(json_object_get(doc, "description"));
    assert_string_equal(member(doc, "status"), "submitted");
    json_decref(doc);
    free(p);
    p = get_case(HV, confidential.id);
    doc = parse(p);
    assert_string_equal(member(doc, "title"), CONF_TITLE);
    assert_string_equal(member(doc, "privacy"), "confidential");
    assert_null(json_object_get(doc, "reporter"));
    json_decref(doc);
    free(p);
    free(act(HV, confidential.id, "{\"action\":\"reveal\",\"reason\":\"x\"}", 409));
}

static void test_the_sealing_key_file_is_private(void **state)
{
    (void)state;
    char *key = ht_db_key(E->db);
    struct stat st;
    assert_int_equal(stat(key, &st), 0);
    if ((st.st_mode & 0777) != 0600)
        fail_msg("%s has mode %o", key, (unsigned)(st.st_mode & 0777));
    free(key);
}

/* Last: stops the server, then looks for the identities everywhere they must not be. */
static void test_no_identity_in_logs_outbox_or_database_bytes(void **state)
{
    (void)state;
    char *err = ht_read_file(E->srv.err_path, NULL);
    assert_non_null(err);
    assert_no_secret("the server's standard error", err, strlen(err));
    free(err);
    assert_int_equal(ht_server_stop(&E->srv), 0);
    size_t len;
    char *log = ht_read_file(E->access_log, &len);
    assert_non_null(log);
    assert_true(len > 0);
    assert_no_secret("the access log", log, len);
    free(log);
    /* the outbox: messages were queued (webhooks and the plain reporter's e-mail) */
    assert_true(ht_db_int(E->db, "SELECT count(*) FROM outbox WHERE channel = 'webhook'") >= 8);
    assert_int_equal(
        ht_db_int(E->db, "SELECT count(*) FROM outbox WHERE target = '" PLAIN_EMAIL "'"), 1);
    for (size_t i = 0; i < NSECRETS; i++) {
        /* FROM and the text to search in, where replace() takes the secret out of it */
        static const char *const where[][2] = {
            {"outbox", "target || subject || body"},
            {"cases", "title || description || coalesce(reporter, '') || "
                      "coalesce(reporter_sealed, '') || coalesce(address, '')"},
            {"case_events", "coalesce(reason, '') || coalesce(public_note, '')"},
            {"audit", "detail"}};
        for (size_t w = 0; w < sizeof where / sizeof where[0]; w++) {
            char sql[768];
            snprintf(sql, sizeof sql, "SELECT count(*) FROM %s WHERE replace(%s, '%s', '') <> %s",
                     where[w][0], where[w][1], secrets[i], where[w][1]);
            if (ht_db_int(E->db, sql) != 0)
                fail_msg("\"%s\" is stored in clear: %s", secrets[i], sql);
        }
    }
    /* the sealed column holds something, and the file's bytes hold no identity */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM cases WHERE id IN (%lld, %lld, %lld) AND reporter_sealed IS "
             "NOT NULL AND reporter IS NULL",
             denunciation.id, anonymous.id, confidential.id);
    assert_int_equal(ht_db_int(E->db, sql), 3);
    char *in = NULL;
    int found = ht_db_find(E->db, secrets, NSECRETS, &in);
    if (found >= 0)
        fail_msg("%s holds \"%s\"", in, secrets[found]);
    /* a plain reporter is stored readable, so the search above can find what is there */
    static const char *const plain[] = {PLAIN_EMAIL};
    assert_int_equal(ht_db_find(E->db, plain, 1, NULL), 0);
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify exited %d: %s", rc, out);
    free(out);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_public_tracking_shows_no_identity_and_no_denunciation_text),
        cmocka_unit_test(test_the_reporter_sees_their_identity_with_the_access_key),
        cmocka_unit_test(test_the_inspector_never_sees_an_identity),
        cmocka_unit_test(test_reveal_only_by_the_assigned_handler_with_a_reason_once_and_audited),
        cmocka_unit_test(test_anonymous_feedback_is_sealed_and_cannot_be_revealed),
        cmocka_unit_test(test_a_confidential_report_keeps_its_words_from_the_public),
        cmocka_unit_test(test_the_sealing_key_file_is_private),
        cmocka_unit_test(test_no_identity_in_logs_outbox_or_database_bytes),
    };
    int failed = cmocka_run_group_tests_name("case privacy", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
