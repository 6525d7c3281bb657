/* `akar user reset-totp` for an official who lost their authenticator: the old secret's codes
 * stop working, the new URI's first code confirms the new secret, the account's open sessions
 * end, the reset is audited in an intact chain; an unknown login, a resident's account and a
 * missing DB.key are refused with exit status 1 and change nothing. */
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

#define LOGIN    "reset.handler"
#define PASSWORD "reset-handler-pass"

static struct ht_env *E;

/* POST /api/v1/sessions for LOGIN with code; the status. */
static long sign_in(const char *code)
{
    json_t *req = json_pack("{s:s, s:s, s:s}", "login", LOGIN, "password", PASSWORD, "totp", code);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    struct ht_response r;
    ht_post_json(E->srv.port, "/api/v1/sessions", text, &r);
    long status = r.status;
    ht_response_free(&r);
    free(text);
    return status;
}

static long me_status(const char *token)
{
    struct ht_response r;
    ht_call(E->srv.port, "GET", "/api/v1/me", token, NULL, &r);
    long status = r.status;
    ht_response_free(&r);
    return status;
}

static long long db_int(const char *sql)
{
    return ht_db_int(E->db, sql);
}

/* What a reset would change: audit entries, sessions, and the accounts' secrets. */
static long long fingerprint(void)
{
    return db_int("SELECT (SELECT count(*) FROM audit) * 1000000 + (SELECT count(*) FROM sessions) "
                  "* 1000 + (SELECT count(*) FROM users WHERE totp_confirmed = 1)");
}

static void expect_refusal(const char *login, const char *message)
{
    char *out;
    int rc = ht_akar_run(NULL, &out, "user", "reset-totp", "--db", E->db, "--login", login, HT_END);
    assert_int_equal(rc, 1);
    if (!strstr(out, message))
        fail_msg("expected \"%s\" in: %s", message, out);
    assert_null(strstr(out, "otpauth://"));
    free(out);
}

static void test_unknown_login_resident_and_missing_key_are_refused_unchanged(void **state)
{
    (void)state;
    char *token = ht_login(E->srv.port, LOGIN, PASSWORD);
    char *secret = strdup(ht_totp_secret(LOGIN));
    long long before = fingerprint();

    expect_refusal("nobody.here", "there is no user nobody.here");
    expect_refusal("resident.vinhhy", "resident");
    assert_int_equal(db_int("SELECT count(*) FROM users WHERE login = 'resident.vinhhy' AND "
                            "totp_secret IS NULL"),
                     1);
    char *key = ht_path(E->dir, "moved.key"), *key_at = ht_db_key(E->db);
    assert_int_equal(rename(key_at, key), 0);
    expect_refusal(LOGIN, "akar init creates it");
    assert_int_equal(rename(key, key_at), 0);

    assert_int_equal(fingerprint(), before);
    assert_string_equal(ht_totp_secret(LOGIN), secret);
    assert_int_equal(me_status(token), 200);
    /* the old secret still signs in: it is the one kept */
    char *code = ht_totp_code(LOGIN);
    assert_int_equal(sign_in(code), 201);
    free(code);
    free(key);
    free(key_at);
    free(secret);
    free(token);
}

static void test_a_reset_replaces_the_secret_and_ends_the_sessions(void **state)
{
    (void)state;
    const char *login = LOGIN;
    char *token = ht_login(E->srv.port, login, PASSWORD);
    assert_int_equal(me_status(token), 200);
    char *old = strdup(ht_totp_secret(login));
    long long resets = db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_reset'");
    long long enrolments = db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_enrol'");

    char *out;
    int rc = ht_akar_run(NULL, &out, "user", "reset-totp", "--db", E->db, "--login", login, HT_END);
    if (rc != 0 || !strstr(out, "otpauth://totp/akar:" LOGIN "?secret="))
        fail_msg("no enrolment URI in: %s", out);
    free(out);
    const char *fresh = ht_totp_secret(login);
    assert_non_null(fresh);
    assert_string_not_equal(fresh, old);
    assert_int_equal(db_int("SELECT count(*) FROM users WHERE login = '" LOGIN "' AND "
                            "totp_confirmed = 0 AND totp_last_step = 0"),
                     1);
    assert_int_equal(db_int("SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id "
                            "WHERE u.login = '" LOGIN "'"),
                     0);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_reset'"),
                     resets + 1);

    /* the session opened before is over */
    assert_int_equal(me_status(token), 401);
    /* the lost authenticator's code is refused */
    char *stale = ht_totp_at(old, (long long)time(NULL) / 30);
    assert_int_equal(sign_in(stale), 401);
    /* the new secret's code signs in and confirms it, audited as an enrolment */
    char *code = ht_totp_code(login);
    assert_int_equal(sign_in(code), 201);
    assert_int_equal(db_int("SELECT totp_confirmed FROM users WHERE login = '" LOGIN "'"), 1);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_enrol'"),
                     enrolments + 1);

    rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", E->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify: %s", out);
    free(out);
    free(code);
    free(stale);
    free(old);
    free(token);
}

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    if (rc == 0)
        ht_user_add(E->db, LOGIN, "586.01", "handler", PASSWORD);
    return rc;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_unknown_login_resident_and_missing_key_are_refused_unchanged),
        cmocka_unit_test(test_a_reset_replaces_the_secret_and_ends_the_sessions),
    };
    ht_init();
    int failed = cmocka_run_group_tests(tests, setup, ht_env_teardown);
    ht_done();
    return failed;
}
