/* Officials' second factor through the command line and the JSON API: `akar user add` prints
 * an enrolment URI for every role but resident and keeps the secret sealed, `akar init --demo`
 * gives every demo official one; POST /api/v1/sessions asks an official for the code (422
 * naming totp when it is missing), refuses a wrong one and a used one (401), counts both
 * against the sign-in limit, and takes a right one once, confirming the secret (audited). */
#include "harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define SESSIONS "/api/v1/sessions"

static struct ht_env *E;

/* POST /api/v1/sessions with code (NULL: no totp member). */
static long sign_in(const char *login, const char *password, const char *code,
                    struct ht_response *r)
{
    json_t *req = json_pack("{s:s, s:s}", "login", login, "password", password);
    if (code)
        json_object_set_new(req, "totp", json_string(code));
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    ht_post_json(E->srv.port, SESSIONS, text, r);
    free(text);
    return r->status;
}

static long long audit_count(const char *action)
{
    char sql[128];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM audit WHERE action = '%s'", action);
    return ht_db_int(E->db, sql);
}

static void test_user_add_prints_an_enrolment_uri_for_officials_only(void **state)
{
    (void)state;
    char *out;
    int rc = ht_akar_run("official-password-1\n", &out, "user", "add", "--db", E->db, "--login",
                         "new.inspector", "--unit", "586.01", "--role", "inspector", HT_END);
    assert_int_equal(rc, 0);
    const char *uri = strstr(out, "otpauth://totp/akar:new.inspector?secret=");
    if (!uri)
        fail_msg("no enrolment URI in: %s", out);
    assert_non_null(strstr(uri, "&issuer=akar&algorithm=SHA1&digits=6&period=30"));
    const char *secret = ht_totp_secret("new.inspector");
    assert_non_null(secret);
    assert_int_equal(strlen(secret), 32);
    free(out);
    /* the secret is kept sealed: the database does not hold it in clear */
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM users WHERE login = 'new.inspector' AND totp_secret IS NOT "
             "NULL AND replace(totp_secret, '%s', '') = totp_secret AND totp_confirmed = 0",
             secret);
    assert_int_equal(ht_db_int(E->db, sql), 1);
    rc = ht_akar_run("resident-password-1\n", &out, "user", "add", "--db", E->db, "--login",
                     "new.resident", "--unit", "586.01", "--role", "resident", HT_END);
    assert_int_equal(rc, 0);
    assert_null(strstr(out, "otpauth://"));
    free(out);
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM users WHERE login = 'new.resident' "
                                      "AND totp_secret IS NULL"),
                     1);
    /* the demo gave each of its officials a secret (learnt from init's output) */
    static const char *const demo[] = {
        "admin",           "leader.province",   "leader.ninhhai",      "handler.ninhhai",
        "handler.vinhhai", "inspector.vinhhai", "receptionist.vinhhai"};
    for (size_t i = 0; i < sizeof demo / sizeof demo[0]; i++)
        assert_non_null(ht_totp_secret(demo[i]));
    assert_null(ht_totp_secret("resident.vinhhy"));
}

static void test_an_official_gives_a_code_that_is_taken_once(void **state)
{
    (void)state;
    ht_user_add(E->db, "api.handler", "586.01", "handler", "api-handler-pass");
    struct ht_response r;
    /* no code: 422 naming the field, after the password was found right */
    assert_int_equal(sign_in("api.handler", "api-handler-pass", NULL, &r), 422);
    ht_assert_problem(&r, 422, "totp");
    assert_null(ht_header(&r, "Set-Cookie"));
    ht_response_free(&r);
    /* a wrong password says nothing about codes */
    assert_int_equal(sign_in("api.handler", "wrong-password-1", NULL, &r), 401);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    /* a wrong code */
    const char *secret = ht_totp_secret("api.handler");
    char *old = ht_totp_at(secret, (long long)time(NULL) / 30 - 10);
    assert_int_equal(sign_in("api.handler", "api-handler-pass", old, &r), 401);
    ht_assert_problem(&r, 401, "totp");
    ht_response_free(&r);
    assert_int_equal(sign_in("api.handler", "api-handler-pass", "12345", &r), 401);
    ht_response_free(&r);
    /* the right code: a session, the secret confirmed, the enrolment audited */
    long long enrolled = audit_count("user.totp_enrol");
    char *code = ht_totp_code("api.handler");
    assert_int_equal(sign_in("api.handler", "api-handler-pass", code, &r), 201);
    assert_non_null(ht_header(&r, "Set-Cookie"));
    ht_response_free(&r);
    assert_int_equal(audit_count("user.totp_enrol"), enrolled + 1);
    assert_int_equal(ht_db_int(E->db, "SELECT totp_confirmed FROM users WHERE login = "
                                      "'api.handler'"),
                     1);
    /* the same code again: refused, though it is still within its time */
    assert_int_equal(sign_in("api.handler", "api-handler-pass", code, &r), 401);
    ht_assert_problem(&r, 401, "totp");
    assert_non_null(strstr(r.body, "used already"));
    ht_response_free(&r);
    /* the next one is good, and confirming happens once */
    free(code);
    code = ht_totp_code("api.handler");
    assert_int_equal(sign_in("api.handler", "api-handler-pass", code, &r), 201);
    ht_response_free(&r);
    assert_int_equal(audit_count("user.totp_enrol"), enrolled + 1);
    /* a resident needs no code */
    assert_int_equal(sign_in("resident.vinhhy", "demo-resident-2026", NULL, &r), 201);
    ht_response_free(&r);
    free(code);
    free(old);
}

static void test_wrong_codes_count_towards_the_sign_in_limit(void **state)
{
    (void)state;
    ht_user_add(E->db, "api.leader", "586", "leader", "api-leader-pass");
    struct ht_response r;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sign_in("api.leader", "api-leader-pass", "000000", &r), 401);
        ht_response_free(&r);
    }
    char *code = ht_totp_code("api.leader");
    assert_int_equal(sign_in("api.leader", "api-leader-pass", code, &r), 429);
    ht_assert_problem(&r, 429, NULL);
    assert_non_null(ht_header(&r, "Retry-After"));
    ht_response_free(&r);
    free(code);
}

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_user_add_prints_an_enrolment_uri_for_officials_only),
        cmocka_unit_test(test_an_official_gives_a_code_that_is_taken_once),
        cmocka_unit_test(test_wrong_codes_count_towards_the_sign_in_limit),
    };
    ht_init();
    int failed = cmocka_run_group_tests(tests, setup, ht_env_teardown);
    ht_done();
    return failed;
}
