/* API keys of integrations, end to end: `akar apikey add|list|revoke` and the admins' API
 * (POST, GET /api/v1/apikeys, DELETE /api/v1/apikeys/{id}) make, list and revoke keys, each
 * shown once and stored only as a hash (the key's text is nowhere in the database's files);
 * bad input stores nothing; an admin manages only the keys of the units they administer. A key
 * sent as a bearer token reads the cases of its unit's subtree and no others, never a
 * reporter's identity, and acts on nothing; scope write also submits, within the subtree, and
 * the audit log names the key; revoked, forged and malformed keys are 401, and a key in force
 * is 403 wherever keys are not taken. A key's submissions are throttled per key, not per
 * address (on the JSON API and Open311 alike); a key downloads the attachments of the cases it
 * reads, as an inspector does; and a retried creation with its Idempotency-Key gives the same
 * key again rather than a second one. */
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

#define KEY_TAG      "akar_key_"
#define KEY_CHARS    52
#define REPORTER     "Người Gửi Kín Đáo"
#define DENOUNCER    "Người Tố Cáo Ẩn Danh"
#define PUBLIC_NAME  "Người Gửi Công Khai"
#define ADMIN_586    "admin.ninhhai"
#define ADMIN_586_PW "apikey-admin-2026"

static struct ht_env *E;
static char *admin_token;       /* admin, province 58 */
static char *admin_586_token;   /* admin of district 586 only */
static char *handler_token;     /* handler.vinhhai, 586.01 */
static char *inspector_token;   /* inspector.vinhhai, 586.01 */
static long long case_own;      /* a confidential complaint at 586.01 with a named reporter */
static long long case_denounce; /* a denunciation at 586.01.01 */
static long long case_public;   /* a public report at 586.01, named reporter */
static long long case_outside;  /* a report at 586.02 */

/* ---- helpers ---- */

/* method path with token (may be NULL) and json (may be NULL); the status, and the parsed
 * answer in *out when out is not NULL (problems are checked as RFC 9457). */
static long call(const char *token, const char *method, const char *path, const char *json,
                 json_t **out)
{
    struct ht_response r;
    ht_call(E->srv.port, method, path, token, json, &r);
    long status = r.status;
    if (status >= 400)
        ht_assert_problem(&r, status, NULL);
    if (out)
        *out = r.body_len ? ht_json(&r) : NULL;
    ht_response_free(&r);
    return status;
}

static long long count(const char *sql)
{
    return ht_db_int(E->db, sql);
}

/* `akar apikey add` on the test's database: the key printed on the first line (free it);
 * fails the test unless it exits 0 with a key of our shape. */
static char *cli_add(const char *unit, const char *scope, const char *label)
{
    char *out;
    int rc = label ? ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--unit", unit,
                                 "--scope", scope, "--label", label, HT_END)
                   : ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--unit", unit,
                                 "--scope", scope, HT_END);
    if (rc != 0)
        fail_msg("akar apikey add exited %d: %s", rc, out);
    size_t n = strcspn(out, "\n");
    assert_int_equal(n, KEY_CHARS);
    assert_int_equal(strncmp(out, KEY_TAG, strlen(KEY_TAG)), 0);
    out[n] = 0;
    return out;
}

/* The id of the key whose prefix key starts with, as `akar apikey list` shows it. */
static long long cli_id_of(const char *key)
{
    char *out;
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "list", "--db", E->db, HT_END), 0);
    char prefix[32];
    snprintf(prefix, sizeof prefix, " %.15s...", key);
    char *at = strstr(out, prefix);
    if (!at)
        fail_msg("no key %.15s in the list: %s", key, out);
    char *line = at;
    while (line > out && line[-1] != '\n')
        line--;
    long long id = strtoll(line, NULL, 10);
    free(out);
    return id;
}

static void assert_absent(const char *text)
{
    const char *texts[] = {text};
    char *where = NULL;
    if (ht_db_find(E->db, texts, 1, &where) >= 0)
        fail_msg("the database keeps %s, in %s", text, where);
}

/* Files a case as the public (or with token); returns its id. */
static long long submit(const char *token, const char *json)
{
    json_t *doc;
    long status = call(token, "POST", "/api/v1/cases", json, &doc);
    if (status != 201)
        fail_msg("submit %s: %ld", json, status);
    long long id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    return id;
}

static bool body_has(const char *token, const char *path, const char *text)
{
    struct ht_response r;
    ht_call(E->srv.port, "GET", path, token, NULL, &r);
    bool has = strstr(r.body, text) != NULL;
    ht_response_free(&r);
    return has;
}

/* ---- the command line ---- */

static void test_the_cli_prints_a_key_once_and_keeps_only_its_hash(void **state)
{
    (void)state;
    long long before = count("SELECT count(*) FROM audit WHERE action = 'apikey.add'");
    char *key = cli_add("586.01", "read", "Cổng dữ liệu tỉnh");
    assert_int_equal(count("SELECT count(*) FROM audit WHERE action = 'apikey.add'"), before + 1);
    char *out;
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "list", "--db", E->db, HT_END), 0);
    assert_non_null(strstr(out, "586.01"));
    assert_non_null(strstr(out, "Cổng dữ liệu tỉnh"));
    assert_null(strstr(out, key)); /* the list shows a prefix, never the key */
    char prefix[16];
    snprintf(prefix, sizeof prefix, "%.15s", key);
    assert_non_null(strstr(out, prefix));
    free(out);
    assert_absent(key);
    assert_absent(key + strlen(KEY_TAG)); /* nor its secret part alone */
    /* the key works until it is revoked */
    assert_int_equal(call(key, "GET", "/api/v1/cases", NULL, NULL), 200);
    long long id = cli_id_of(key);
    char id_text[24];
    snprintf(id_text, sizeof id_text, "%lld", id);
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "revoke", id_text, "--db", E->db, HT_END),
                     0);
    assert_non_null(strstr(out, "revoked"));
    free(out);
    assert_int_equal(call(key, "GET", "/api/v1/cases", NULL, NULL), 401);
    /* twice: a clear refusal, nothing changed */
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "revoke", id_text, "--db", E->db, HT_END),
                     1);
    assert_non_null(strstr(out, "revoked already"));
    free(out);
    assert_int_equal(count("SELECT count(*) FROM audit WHERE action = 'apikey.revoke'"), 1);
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "revoke", "999999", "--db", E->db, HT_END),
                     1);
    assert_non_null(strstr(out, "no api key"));
    free(out);
    free(key);
}

static void test_the_cli_refuses_bad_input_and_stores_nothing(void **state)
{
    (void)state;
    long long keys = count("SELECT count(*) FROM api_keys");
    char *out;
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--unit", "586",
                                 "--scope", "admin", HT_END),
                     2);
    free(out);
    assert_int_equal(
        ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--scope", "read", HT_END), 2);
    free(out);
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--unit", "nowhere",
                                 "--scope", "read", HT_END),
                     1);
    assert_non_null(strstr(out, "does not exist"));
    free(out);
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "revoke", "--db", E->db, HT_END), 2);
    free(out);
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "revoke", "x1", "--db", E->db, HT_END), 1);
    free(out);
    assert_int_equal(count("SELECT count(*) FROM api_keys"), keys);
    assert_int_equal(ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END), 0);
    free(out);
}

/* ---- the admins' API ---- */

static void test_an_admin_creates_lists_and_revokes_keys(void **state)
{
    (void)state;
    json_t *doc;
    assert_int_equal(call(admin_token, "POST", "/api/v1/apikeys",
                          "{\"unit\":\"586.01\",\"scope\":\"write\",\"label\":\"Zalo OA\"}", &doc),
                     201);
    const char *key = json_string_value(json_object_get(doc, "key"));
    assert_non_null(key);
    assert_int_equal(strlen(key), KEY_CHARS);
    char *k = xstrdup(key);
    long long id = json_integer_value(json_object_get(doc, "id"));
    assert_true(id > 0);
    assert_int_equal(strncmp(json_string_value(json_object_get(doc, "prefix")), k, 15), 0);
    assert_string_equal(json_string_value(json_object_get(doc, "unit")), "586.01");
    assert_string_equal(json_string_value(json_object_get(doc, "scope")), "write");
    assert_string_equal(json_string_value(json_object_get(doc, "label")), "Zalo OA");
    assert_string_equal(json_string_value(json_object_get(doc, "created_by")), "admin");
    assert_true(json_is_null(json_object_get(doc, "revoked_at")));
    json_decref(doc);
    assert_absent(k);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'apikey.add' AND object_id = '%lld' AND "
             "actor LIKE 'user:%%'",
             id);
    assert_int_equal(count(sql), 1);

    /* the list: every key of the admin's units, never a key's text */
    struct ht_response r;
    ht_call(E->srv.port, "GET", "/api/v1/apikeys", admin_token, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, k));
    doc = ht_json(&r);
    ht_response_free(&r);
    json_t *items = json_object_get(doc, "items"), *it;
    size_t i;
    bool listed = false;
    json_array_foreach(items, i, it)
    {
        assert_null(json_object_get(it, "key"));
        if (json_integer_value(json_object_get(it, "id")) == id)
            listed = true;
    }
    assert_true(listed);
    json_decref(doc);

    /* revoked: the key stops working at once; twice is a conflict; unknown ids are 404 */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/apikeys/%lld", id);
    assert_int_equal(call(k, "GET", "/api/v1/cases", NULL, NULL), 200);
    assert_int_equal(call(admin_token, "DELETE", path, NULL, &doc), 200);
    assert_true(json_is_string(json_object_get(doc, "revoked_at")));
    json_decref(doc);
    assert_int_equal(call(k, "GET", "/api/v1/cases", NULL, NULL), 401);
    ht_call(E->srv.port, "DELETE", path, admin_token, NULL, &r);
    ht_assert_problem(&r, 409, NULL);
    assert_non_null(strstr(r.body, "revoked already"));
    ht_response_free(&r);
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'apikey.revoke' AND object_id = '%lld'",
             id);
    assert_int_equal(count(sql), 1);
    assert_int_equal(call(admin_token, "DELETE", "/api/v1/apikeys/987654", NULL, NULL), 404);
    assert_int_equal(call(admin_token, "DELETE", "/api/v1/apikeys/abc", NULL, NULL), 404);
    free(k);
}

static void test_bad_key_requests_are_refused_and_store_nothing(void **state)
{
    (void)state;
    long long keys = count("SELECT count(*) FROM api_keys");
    static const struct {
        const char *body;
        long status;
        const char *field;
    } bad[] = {
        {"{\"unit\":\"586\",\"scope\":\"admin\"}", 422, "scope"},
        {"{\"unit\":\"nowhere\",\"scope\":\"read\"}", 422, "unit"},
        {"{\"unit\":\"586\",\"scope\":\"read\",\"label\":\"\"}", 422, "label"},
        {"{\"unit\":\"586\",\"scope\":\"read\",\"label\":\"a\\u0007b\"}", 422, "label"},
        {"{\"scope\":\"read\"}", 400, "unit"},
        {"{\"unit\":\"586\"}", 400, "scope"},
        {"{\"unit\":\"586\",\"scope\":\"read\",\"owner\":\"x\"}", 400, "owner"},
        {"{\"unit\":586,\"scope\":\"read\"}", 400, "unit"},
        {"not json", 400, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ht_response r;
        ht_call(E->srv.port, "POST", "/api/v1/apikeys", admin_token, bad[i].body, &r);
        if (r.status != bad[i].status)
            fail_msg("%s: %ld %s", bad[i].body, r.status, r.body);
        ht_assert_problem(&r, bad[i].status, bad[i].field);
        ht_response_free(&r);
    }
    assert_int_equal(count("SELECT count(*) FROM api_keys"), keys);
}

static void test_only_admins_manage_keys_and_only_of_their_units(void **state)
{
    (void)state;
    const char *body = "{\"unit\":\"586.01\",\"scope\":\"read\"}";
    assert_int_equal(call(NULL, "POST", "/api/v1/apikeys", body, NULL), 401);
    assert_int_equal(call(NULL, "GET", "/api/v1/apikeys", NULL, NULL), 401);
    assert_int_equal(call(handler_token, "POST", "/api/v1/apikeys", body, NULL), 403);
    assert_int_equal(call(handler_token, "GET", "/api/v1/apikeys", NULL, NULL), 403);
    assert_int_equal(call(handler_token, "DELETE", "/api/v1/apikeys/1", NULL, NULL), 403);
    /* the district's admin: its own subtree, not the district beside it */
    assert_int_equal(call(admin_586_token, "POST", "/api/v1/apikeys",
                          "{\"unit\":\"582\",\"scope\":\"read\"}", NULL),
                     403);
    assert_int_equal(call(admin_586_token, "POST", "/api/v1/apikeys",
                          "{\"unit\":\"58\",\"scope\":\"read\"}", NULL),
                     403);
    json_t *doc;
    assert_int_equal(call(admin_token, "POST", "/api/v1/apikeys",
                          "{\"unit\":\"582\",\"scope\":\"read\",\"label\":\"Phan Rang\"}", &doc),
                     201);
    long long other = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    assert_int_equal(call(admin_586_token, "POST", "/api/v1/apikeys", body, &doc), 201);
    long long mine = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    assert_int_equal(call(admin_586_token, "GET", "/api/v1/apikeys", NULL, &doc), 200);
    json_t *it;
    size_t i;
    bool seen_mine = false;
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        const char *unit = json_string_value(json_object_get(it, "unit"));
        assert_int_equal(strncmp(unit, "586", 3), 0);
        seen_mine |= json_integer_value(json_object_get(it, "id")) == mine;
    }
    assert_true(seen_mine);
    json_decref(doc);
    assert_int_equal(call(admin_586_token, "GET", "/api/v1/apikeys?unit=582", NULL, NULL), 403);
    assert_int_equal(call(admin_586_token, "GET", "/api/v1/apikeys?unit=nowhere", NULL, NULL), 400);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/apikeys/%lld", other);
    assert_int_equal(call(admin_586_token, "DELETE", path, NULL, NULL), 404);
    assert_int_equal(call(admin_token, "DELETE", path, NULL, NULL), 200);
}

/* ---- a key at work ---- */

static void test_a_read_key_reads_its_subtree_and_no_identity(void **state)
{
    (void)state;
    char *key = cli_add("586.01", "read", NULL);
    json_t *doc;
    assert_int_equal(call(key, "GET", "/api/v1/cases?open=all&limit=200", NULL, &doc), 200);
    json_t *it;
    size_t i;
    bool own = false, outside = false;
    json_array_foreach(json_object_get(doc, "items"), i, it)
    {
        const char *unit = json_string_value(json_object_get(it, "unit"));
        assert_int_equal(strncmp(unit, "586.01", 6), 0);
        long long id = json_integer_value(json_object_get(it, "id"));
        own |= id == case_own;
        outside |= id == case_outside;
    }
    assert_true(own);
    assert_false(outside);
    json_decref(doc);
    assert_int_equal(call(key, "GET", "/api/v1/cases?unit=586", NULL, NULL), 403);
    assert_int_equal(call(key, "GET", "/api/v1/cases?unit=586.01.01", NULL, NULL), 200);

    /* a case: its handling records, no reporter, no action */
    const long long readable[] = {case_own, case_denounce, case_public};
    for (size_t k = 0; k < 3; k++) {
        char path[64];
        snprintf(path, sizeof path, "/api/v1/cases/%lld", readable[k]);
        assert_int_equal(call(key, "GET", path, NULL, &doc), 200);
        assert_null(json_object_get(doc, "reporter"));
        assert_int_equal(json_array_size(json_object_get(doc, "allowed_actions")), 0);
        json_decref(doc);
        assert_false(body_has(key, path, REPORTER));
        assert_false(body_has(key, path, DENOUNCER));
        assert_false(body_has(key, path, PUBLIC_NAME));
    }
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", case_outside);
    assert_int_equal(call(key, "GET", path, NULL, NULL), 404);
    free(key);
}

static void test_a_read_key_may_not_submit_or_act(void **state)
{
    (void)state;
    char *key = cli_add("586", "read", NULL);
    long long cases = count("SELECT count(*) FROM cases");
    assert_int_equal(call(key, "POST", "/api/v1/cases",
                          "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Đèn\","
                          "\"description\":\"Hỏng.\"}",
                          NULL),
                     403);
    assert_int_equal(count("SELECT count(*) FROM cases"), cases);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", case_public);
    assert_int_equal(call(key, "POST", path, "{\"action\":\"accept\"}", NULL), 403);
    assert_int_equal(call(key, "GET", "/api/v1/me", NULL, NULL), 403);
    assert_int_equal(call(key, "GET", "/api/v1/apikeys", NULL, NULL), 403);
    assert_int_equal(
        call(key, "POST", "/api/v1/apikeys", "{\"unit\":\"586\",\"scope\":\"write\"}", NULL), 403);
    assert_int_equal(call(key, "DELETE", "/api/v1/sessions", NULL, NULL), 403);
    free(key);
}

static void test_a_write_key_submits_within_its_subtree(void **state)
{
    (void)state;
    char *key = cli_add("586", "write", "Tổng đài 1022");
    long long kid = cli_id_of(key);
    long long id = submit(key, "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Cống tắc\","
                               "\"description\":\"Nước tràn ra đường.\"}");
    char sql[200];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'case.submit' AND object_id = '%lld' AND "
             "actor = 'apikey:%lld'",
             id, kid);
    assert_int_equal(count(sql), 1);
    snprintf(sql, sizeof sql, "SELECT count(*) FROM cases WHERE id = %lld AND channel = 'api'", id);
    assert_int_equal(count(sql), 1);
    /* and it reads what it filed */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    assert_int_equal(call(key, "GET", path, NULL, NULL), 200);
    /* outside its subtree: refused, nothing stored */
    long long cases = count("SELECT count(*) FROM cases");
    struct ht_response r;
    ht_call(E->srv.port, "POST", "/api/v1/cases", key,
            "{\"kind\":\"feedback\",\"unit\":\"582.01\",\"title\":\"Cống\",\"description\":\"x\"}",
            &r);
    ht_assert_problem(&r, 403, "unit");
    ht_response_free(&r);
    assert_int_equal(count("SELECT count(*) FROM cases"), cases);
    /* a reception channel is a receptionist's */
    assert_int_equal(call(key, "POST", "/api/v1/cases",
                          "{\"kind\":\"feedback\",\"unit\":\"586\",\"channel\":\"reception\","
                          "\"title\":\"Cống\",\"description\":\"x\"}",
                          NULL),
                     403);
    free(key);
}

static void test_revoked_forged_and_malformed_keys_are_401(void **state)
{
    (void)state;
    char forged[KEY_CHARS + 1] = KEY_TAG;
    for (size_t i = strlen(KEY_TAG); i < KEY_CHARS; i++)
        forged[i] = "ABCDEFGHabcdefgh0123456789-_"[i % 28];
    forged[KEY_CHARS] = 0;
    const char *bad[] = {forged, KEY_TAG, KEY_TAG "short", KEY_TAG "!!!!"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ht_response r;
        ht_call(E->srv.port, "GET", "/api/v1/cases", bad[i], NULL, &r);
        ht_assert_problem(&r, 401, NULL);
        assert_non_null(ht_header(&r, "WWW-Authenticate"));
        ht_response_free(&r);
        assert_int_equal(call(bad[i], "POST", "/api/v1/cases",
                              "{\"kind\":\"feedback\",\"unit\":\"586\",\"title\":\"t\","
                              "\"description\":\"d\"}",
                              NULL),
                         401);
        assert_int_equal(call(bad[i], "GET", "/api/v1/me", NULL, NULL), 401);
    }
    /* a session token is still a session token */
    assert_int_equal(call(handler_token, "GET", "/api/v1/cases", NULL, NULL), 200);
}

/* ---- throttles ---- */

#define PETITION                                                                                   \
    "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Ngập\",\"description\":\"x\"}"

/* A new key of scope write at unit 586 on db (free it). */
static char *cli_add_on(const char *db, const char *unit)
{
    char *out;
    int rc = ht_akar_run(NULL, &out, "apikey", "add", "--db", db, "--unit", unit, "--scope",
                         "write", HT_END);
    if (rc != 0)
        fail_msg("akar apikey add exited %d: %s", rc, out);
    out[strcspn(out, "\n")] = 0;
    return out;
}

/* POST /api/v1/cases to the server on port as token (NULL: the public); the status, after
 * checking that a 429 is a problem with Retry-After that names why. */
static long submit_to(unsigned port, const char *token, const char *why)
{
    struct ht_response r;
    ht_call(port, "POST", "/api/v1/cases", token, PETITION, &r);
    long status = r.status;
    if (status == 429) {
        ht_assert_problem(&r, 429, NULL);
        assert_non_null(ht_header(&r, "Retry-After"));
        assert_true(atoi(ht_header(&r, "Retry-After")) >= 1);
        if (!strstr(r.body, why))
            fail_msg("a 429 that does not say \"%s\": %s", why, r.body);
    } else if (status != 201) {
        fail_msg("submission: %ld %s", status, r.body);
    }
    ht_response_free(&r);
    return status;
}

/* Open311's POST requests.json with key on the server on port: the status (a 400 for the
 * throttle carries Retry-After). */
static long open311_to(unsigned port, const char *key)
{
    char body[256];
    snprintf(body, sizeof body, "api_key=%s&service_code=land&address_id=1", key);
    struct ht_response r;
    ht_do(port,
          &(struct ht_request){.path = "/open311/v2/requests.json",
                               .content_type = "application/x-www-form-urlencoded",
                               .body = body},
          &r);
    long status = r.status;
    if (status == 400) {
        assert_non_null(ht_header(&r, "Retry-After"));
        assert_non_null(strstr(r.body, "api_key"));
    }
    ht_response_free(&r);
    return status;
}

static void test_a_keys_submissions_have_a_throttle_of_their_own(void **state)
{
    (void)state;
    /* a database of its own, so that on PostgreSQL no other server's counts are in it (its
     * demo accounts' TOTP secrets replace those the harness knows: sign in before this) */
    char *db = ht_demo_db(E->dir, "throttle.db");
    char *key_a = cli_add_on(db, "586"), *key_b = cli_add_on(db, "586");
    struct ht_server srv;
    const char *const extra[] = {"--submit-limit", "2", "--key-submit-limit", "3", NULL};
    ht_server_start_with(&srv, db, NULL, extra);
    const char *from_here = "from here", *by_key = "with this API key";
    /* the public's first petition from this address */
    assert_int_equal(submit_to(srv.port, NULL, from_here), 201);
    /* key A, from the same address: its own 3, then 429 with nothing stored */
    for (int i = 0; i < 3; i++)
        assert_int_equal(submit_to(srv.port, key_a, by_key), 201);
    long long cases = ht_db_int(db, "SELECT count(*) FROM cases");
    assert_int_equal(submit_to(srv.port, key_a, by_key), 429);
    assert_int_equal(ht_db_int(db, "SELECT count(*) FROM cases"), cases);
    /* and on Open311, the same key's count: the spec's 400 with Retry-After */
    assert_int_equal(open311_to(srv.port, key_a), 400);
    assert_int_equal(ht_db_int(db, "SELECT count(*) FROM cases"), cases);
    /* the public from the same address is not held by the key's count: its second petition
     * passes, its third meets the address's throttle */
    assert_int_equal(submit_to(srv.port, NULL, from_here), 201);
    assert_int_equal(submit_to(srv.port, NULL, from_here), 429);
    /* another key is held by neither: the address is spent, key A too */
    assert_int_equal(submit_to(srv.port, key_b, by_key), 201);
    assert_int_equal(open311_to(srv.port, key_b), 201);
    assert_int_equal(submit_to(srv.port, key_b, by_key), 201);
    assert_int_equal(submit_to(srv.port, key_b, by_key), 429);
    assert_int_equal(ht_server_stop(&srv), 0);
    free(key_a);
    free(key_b);
    free(db);
}

static void test_serve_refuses_a_bad_key_submit_limit(void **state)
{
    (void)state;
    const char *bad[] = {"0", "-1", "x", "1000001"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out;
        int rc = ht_akar_run(NULL, &out, "serve", "--db", E->db, "--listen", "127.0.0.1:0",
                             "--key-submit-limit", bad[i], HT_END);
        assert_int_equal(rc, 2);
        assert_non_null(strstr(out, "--key-submit-limit"));
        free(out);
    }
}

/* ---- attachments ---- */

static const char pdf[] = "%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << >>\n%%EOF\n";

/* GET /api/v1/attachments/{id} as token: the status; on 200 the bytes must be the PDF's. */
static long download(const char *token, long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/attachments/%lld", id);
    struct ht_response r;
    ht_call(E->srv.port, "GET", path, token, NULL, &r);
    long status = r.status;
    if (status == 200) {
        assert_int_equal(r.body_len, sizeof pdf - 1);
        assert_memory_equal(r.body, pdf, sizeof pdf - 1);
    } else {
        ht_assert_problem(&r, status, NULL);
    }
    ht_response_free(&r);
    return status;
}

static void test_a_key_downloads_the_attachments_of_cases_it_reads_as_an_inspector(void **state)
{
    (void)state;
    /* an official's PDF on a case of 586.01 */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/attachments", case_public);
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", handler_token);
    struct ht_response r;
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = path,
                               .content_type = "application/pdf",
                               .body = pdf,
                               .body_len = sizeof pdf - 1,
                               .headers = {auth}},
          &r);
    assert_int_equal(r.status, 201);
    json_t *doc = ht_json(&r);
    long long att = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    ht_response_free(&r);
    assert_true(att > 0);

    /* the rule is the inspector's: the unit's inspector downloads it ... */
    assert_int_equal(download(inspector_token, att), 200);
    /* ... and so does a key whose subtree holds the case, of either scope, which finds it
     * listed on the case */
    char *reader = cli_add("586.01", "read", NULL), *writer = cli_add("586", "write", NULL);
    snprintf(path, sizeof path, "/api/v1/cases/%lld", case_public);
    assert_int_equal(call(reader, "GET", path, NULL, &doc), 200);
    json_t *list = json_object_get(doc, "attachments");
    assert_true(json_array_size(list) >= 1);
    json_decref(doc);
    assert_int_equal(download(reader, att), 200);
    assert_int_equal(download(writer, att), 200);
    /* a key of a unit below the case's, or beside it, does not see the case: it is missing */
    char *below = cli_add("586.01.01", "read", NULL), *beside = cli_add("582", "read", NULL);
    assert_int_equal(download(below, att), 404);
    assert_int_equal(download(beside, att), 404);
    /* a revoked or forged key is 401 */
    long long id = cli_id_of(reader);
    char id_text[24], *out;
    snprintf(id_text, sizeof id_text, "%lld", id);
    assert_int_equal(ht_akar_run(NULL, &out, "apikey", "revoke", id_text, "--db", E->db, HT_END),
                     0);
    free(out);
    assert_int_equal(download(reader, att), 401);
    char forged[KEY_CHARS + 1];
    memcpy(forged, writer, KEY_CHARS + 1);
    forged[KEY_CHARS - 1] = forged[KEY_CHARS - 1] == 'A' ? 'B' : 'A';
    assert_int_equal(download(forged, att), 401);
    free(reader);
    free(writer);
    free(below);
    free(beside);
}

/* ---- a retried creation ---- */

/* POST /api/v1/apikeys as token with the header line idem (NULL: none). */
static void create_with(const char *token, const char *idem, const char *json,
                        struct ht_response *r)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = "/api/v1/apikeys",
                               .content_type = "application/json",
                               .body = json,
                               .headers = {auth, idem}},
          r);
}

static bool replayed(const struct ht_response *r)
{
    const char *v = ht_header(r, "Idempotent-Replayed");
    return v && strcmp(v, "true") == 0;
}

static void test_a_retried_key_creation_gives_the_same_key_and_makes_no_second(void **state)
{
    (void)state;
    const char *body = "{\"unit\":\"586.01\",\"scope\":\"write\",\"label\":\"Thử lại\"}";
    const char *idem = "Idempotency-Key: 5b0e7d1c-3f2a-4c8e-9d61-7a2b4c6e8f10";
    long long keys = count("SELECT count(*) FROM api_keys");
    struct ht_response a, b;
    create_with(admin_token, idem, body, &a);
    assert_int_equal(a.status, 201);
    assert_false(replayed(&a));
    create_with(admin_token, idem, body, &b);
    assert_int_equal(b.status, 201);
    assert_true(replayed(&b));
    assert_string_equal(ht_header(&b, "Cache-Control"), "no-store");
    json_t *ja = ht_json(&a), *jb = ht_json(&b);
    assert_true(json_equal(ja, jb)); /* the same id, the same key */
    long long id = json_integer_value(json_object_get(ja, "id"));
    assert_true(id > 0);
    char *key = xstrdup(json_string_value(json_object_get(jb, "key")));
    assert_int_equal(strlen(key), KEY_CHARS);
    json_decref(ja);
    json_decref(jb);
    ht_response_free(&a);
    ht_response_free(&b);
    assert_int_equal(count("SELECT count(*) FROM api_keys"), keys + 1);
    char sql[160];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'apikey.add' AND object_id = '%lld'", id);
    assert_int_equal(count(sql), 1);
    /* the answer is kept sealed: the key's text is nowhere in the database */
    assert_absent(key);
    assert_absent(key + strlen(KEY_TAG));
    /* the key replayed is the key that works */
    assert_int_equal(call(key, "GET", "/api/v1/cases", NULL, NULL), 200);

    /* the same Idempotency-Key with another body: 422, nothing made */
    create_with(admin_token, idem, "{\"unit\":\"586.01\",\"scope\":\"read\"}", &a);
    ht_assert_problem(&a, 422, "Idempotency-Key");
    assert_false(replayed(&a));
    ht_response_free(&a);
    /* a malformed one: 400, nothing made */
    create_with(admin_token, "Idempotency-Key: two words", body, &a);
    ht_assert_problem(&a, 400, "Idempotency-Key");
    ht_response_free(&a);
    assert_int_equal(count("SELECT count(*) FROM api_keys"), keys + 1);
    /* another admin's key of the same name is theirs: a key of their own */
    create_with(admin_586_token, idem, body, &a);
    assert_int_equal(a.status, 201);
    assert_false(replayed(&a));
    ja = ht_json(&a);
    assert_true(json_integer_value(json_object_get(ja, "id")) != id);
    assert_string_not_equal(json_string_value(json_object_get(ja, "key")), key);
    json_decref(ja);
    ht_response_free(&a);
    assert_int_equal(count("SELECT count(*) FROM api_keys"), keys + 2);
    free(key);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    ht_user_add(E->db, ADMIN_586, "586", "admin", ADMIN_586_PW);
    admin_token = ht_login(E->srv.port, "admin", "demo-admin-2026");
    admin_586_token = ht_login(E->srv.port, ADMIN_586, ADMIN_586_PW);
    handler_token = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    inspector_token = ht_login(E->srv.port, "inspector.vinhhai", "demo-inspector-2026");
    case_own = submit(NULL, "{\"kind\":\"complaint\",\"unit\":\"586.01\",\"confidential\":true,"
                            "\"title\":\"Khiếu nại kín\",\"description\":\"Nội dung.\","
                            "\"reporter\":{\"name\":\"" REPORTER "\"}}");
    case_denounce = submit(NULL, "{\"kind\":\"denunciation\",\"unit\":\"586.01.01\","
                                 "\"title\":\"Tố cáo\",\"description\":\"Nội dung.\","
                                 "\"reporter\":{\"name\":\"" DENOUNCER "\"}}");
    case_public =
        submit(NULL, "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Đèn\","
                     "\"description\":\"Đèn hỏng.\",\"reporter\":{\"name\":\"" PUBLIC_NAME "\"}}");
    case_outside = submit(NULL, "{\"kind\":\"feedback\",\"unit\":\"586.02\",\"title\":\"Đường\","
                                "\"description\":\"Ổ gà.\"}");
    return rc;
}

static int teardown(void **state)
{
    free(admin_token);
    free(admin_586_token);
    free(handler_token);
    free(inspector_token);
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fprintf(stderr, "audit verify: %s\n", out);
    free(out);
    return ht_env_teardown(state) || rc;
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_cli_prints_a_key_once_and_keeps_only_its_hash),
        cmocka_unit_test(test_the_cli_refuses_bad_input_and_stores_nothing),
        cmocka_unit_test(test_an_admin_creates_lists_and_revokes_keys),
        cmocka_unit_test(test_bad_key_requests_are_refused_and_store_nothing),
        cmocka_unit_test(test_only_admins_manage_keys_and_only_of_their_units),
        cmocka_unit_test(test_a_read_key_reads_its_subtree_and_no_identity),
        cmocka_unit_test(test_a_read_key_may_not_submit_or_act),
        cmocka_unit_test(test_a_write_key_submits_within_its_subtree),
        cmocka_unit_test(test_revoked_forged_and_malformed_keys_are_401),
        cmocka_unit_test(test_a_keys_submissions_have_a_throttle_of_their_own),
        cmocka_unit_test(test_serve_refuses_a_bad_key_submit_limit),
        cmocka_unit_test(test_a_key_downloads_the_attachments_of_cases_it_reads_as_an_inspector),
        cmocka_unit_test(test_a_retried_key_creation_gives_the_same_key_and_makes_no_second),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return rc;
}
