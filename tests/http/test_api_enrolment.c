/* An official enrols an authenticator app over the JSON API as in the browser: POST
 * /api/v1/sessions with the right password, while no code has confirmed a secret, refuses with
 * an enrolment (a secret, its otpauth URI, and a ticket signed by the server for ten minutes)
 * and stores nothing; the code of that secret sent back with the ticket stores the secret,
 * confirms it and opens a session. A wrong code, a ticket altered, expired or of another
 * account, or one sent without the password is refused, and the account is left as it was. */
#include "harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <sodium.h>
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

/* POST /api/v1/sessions; password, code and ticket may be NULL (the member is left out). */
static long sign_in(const char *login, const char *password, const char *code, const char *ticket,
                    struct ht_response *r)
{
    json_t *req = json_pack("{s:s}", "login", login);
    if (password)
        json_object_set_new(req, "password", json_string(password));
    if (code)
        json_object_set_new(req, "totp", json_string(code));
    if (ticket)
        json_object_set_new(req, "ticket", json_string(ticket));
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    ht_post_json(E->srv.port, SESSIONS, text, r);
    free(text);
    return r->status;
}

static long long db_int(const char *fmt, ...)
{
    char sql[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sql, sizeof sql, fmt, ap);
    va_end(ap);
    return ht_db_int(E->db, sql);
}

/* What the account holds of a second factor, as digits: a secret (100), confirmed (10), a
 * step taken (1); and its sessions, times 1000. 0 for an official yet to enrol. */
static long long holds(const char *login)
{
    return db_int("SELECT CASE WHEN totp_secret IS NULL THEN 0 ELSE 100 END + totp_confirmed * 10 "
                  "+ CASE WHEN totp_last_step > 0 THEN 1 ELSE 0 END + 1000 * (SELECT count(*) "
                  "FROM sessions s WHERE s.user_id = u.id) FROM users u WHERE login = '%s'",
                  login);
}

/* A new official with no secret at all, as an account made before officials had one. */
static void official_without_secret(const char *login, const char *password)
{
    ht_user_add(E->db, login, "586.01", "handler", password);
    char sql[256];
    snprintf(sql, sizeof sql, "UPDATE users SET totp_secret = NULL WHERE login = '%s'", login);
    ht_db_exec(E->db, sql);
    assert_int_equal(holds(login), 0);
}

/* The enrolment that a sign-in without a code answers with: status, field totp, the members;
 * *ticket and *secret are the caller's. */
static void enrolment_of(const char *login, const char *password, long status, char **ticket,
                         char **secret)
{
    struct ht_response r;
    assert_int_equal(sign_in(login, password, NULL, NULL, &r), status);
    ht_assert_problem(&r, status, "totp");
    assert_null(ht_header(&r, "Set-Cookie"));
    json_t *p = ht_json(&r);
    json_t *e = json_object_get(p, "enrolment");
    assert_true(json_is_object(e));
    assert_int_equal(json_object_size(e), 4);
    const char *t = json_string_value(json_object_get(e, "ticket"));
    const char *s = json_string_value(json_object_get(e, "secret"));
    const char *uri = json_string_value(json_object_get(e, "otpauth_uri"));
    const char *expires = json_string_value(json_object_get(e, "expires_at"));
    assert_non_null(t);
    assert_non_null(s);
    assert_non_null(uri);
    assert_non_null(expires);
    assert_int_equal(strlen(s), 32);
    assert_int_equal(strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"), 32);
    char want[256];
    snprintf(want, sizeof want, "otpauth://totp/akar:%s?secret=%s&issuer=akar&", login, s);
    if (strncmp(uri, want, strlen(want)) != 0)
        fail_msg("otpauth_uri %s, expected it to begin %s", uri, want);
    assert_non_null(strstr(uri, "&digits=6&period=30"));
    /* ten minutes from now */
    struct tm tm = {0};
    assert_non_null(strptime(expires, "%Y-%m-%dT%H:%M:%SZ", &tm));
    long long left = (long long)timegm(&tm) - (long long)time(NULL);
    if (left < 590 || left > 600)
        fail_msg("expires_at %s is %lld s away", expires, left);
    *ticket = strdup(t);
    *secret = strdup(s);
    json_decref(p);
    ht_response_free(&r);
}

static long long now_step(void)
{
    return (long long)time(NULL) / 30;
}

static void test_an_official_enrols_over_the_api_and_then_signs_in_with_codes(void **state)
{
    (void)state;
    official_without_secret("api.enrol1", "enrol-password-1");
    char *ticket, *secret;
    enrolment_of("api.enrol1", "enrol-password-1", 403, &ticket, &secret);
    assert_int_equal(holds("api.enrol1"), 0);
    /* each answer is a new secret, nothing kept of the one before */
    char *ticket2, *secret2;
    enrolment_of("api.enrol1", "enrol-password-1", 403, &ticket2, &secret2);
    assert_string_not_equal(secret, secret2);
    assert_int_equal(holds("api.enrol1"), 0);

    /* the secret makes codes: the current one with the ticket confirms and signs in */
    long long enrolled = db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_enrol'");
    char *code = ht_totp_at(secret, now_step());
    struct ht_response r;
    assert_int_equal(sign_in("api.enrol1", "enrol-password-1", code, ticket, &r), 201);
    assert_non_null(ht_header(&r, "Set-Cookie"));
    json_t *s = ht_json(&r);
    char *token = strdup(json_string_value(json_object_get(s, "token")));
    json_decref(s);
    ht_response_free(&r);
    ht_call(E->srv.port, "GET", "/api/v1/me", token, NULL, &r);
    assert_int_equal(r.status, 200);
    s = ht_json(&r);
    assert_string_equal(json_string_value(json_object_get(s, "login")), "api.enrol1");
    json_decref(s);
    ht_response_free(&r);
    /* stored sealed, confirmed, the step taken, one session; the enrolment audited */
    assert_int_equal(holds("api.enrol1"), 1111);
    assert_int_equal(db_int("SELECT count(*) FROM users WHERE login = 'api.enrol1' AND "
                            "replace(totp_secret, '%s', '') = totp_secret",
                            secret),
                     1);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_enrol'"),
                     enrolled + 1);

    /* from now on a code is due, and no enrolment is offered */
    assert_int_equal(sign_in("api.enrol1", "enrol-password-1", NULL, NULL, &r), 422);
    ht_assert_problem(&r, 422, "totp");
    json_t *p = ht_json(&r);
    assert_null(json_object_get(p, "enrolment"));
    json_decref(p);
    ht_response_free(&r);
    /* the other enrolment's ticket cannot replace the confirmed secret */
    char *other = ht_totp_at(secret2, now_step() + 1);
    assert_int_equal(sign_in("api.enrol1", "enrol-password-1", other, ticket2, &r), 401);
    ht_assert_problem(&r, 401, "ticket");
    ht_response_free(&r);
    assert_int_equal(db_int("SELECT count(*) FROM users WHERE login = 'api.enrol1' AND "
                            "replace(totp_secret, '%s', '') = totp_secret",
                            secret),
                     1);
    /* a code of the enrolled secret, without a ticket, signs in */
    char *next = ht_totp_at(secret, now_step() + 1);
    assert_int_equal(sign_in("api.enrol1", "enrol-password-1", next, NULL, &r), 201);
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol1"), 2111);
    free(next);
    free(other);
    free(token);
    free(code);
    free(ticket2);
    free(secret2);
    free(ticket);
    free(secret);
}

static void test_a_wrong_code_stores_nothing(void **state)
{
    (void)state;
    official_without_secret("api.enrol2", "enrol-password-2");
    char *ticket, *secret;
    enrolment_of("api.enrol2", "enrol-password-2", 403, &ticket, &secret);
    char *wrong = ht_totp_at(secret, now_step() - 10);
    struct ht_response r;
    assert_int_equal(sign_in("api.enrol2", "enrol-password-2", wrong, ticket, &r), 401);
    ht_assert_problem(&r, 401, "totp");
    assert_null(ht_header(&r, "Set-Cookie"));
    ht_response_free(&r);
    assert_int_equal(sign_in("api.enrol2", "enrol-password-2", "12345", ticket, &r), 401);
    ht_assert_problem(&r, 401, "totp");
    ht_response_free(&r);
    /* a code without the ticket has nothing to be checked against */
    char *code = ht_totp_at(secret, now_step());
    assert_int_equal(sign_in("api.enrol2", "enrol-password-2", code, NULL, &r), 422);
    ht_assert_problem(&r, 422, "ticket");
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol2"), 0);
    /* the ticket is still good for the right code */
    assert_int_equal(sign_in("api.enrol2", "enrol-password-2", code, ticket, &r), 201);
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol2"), 1111);
    free(code);
    free(wrong);
    free(ticket);
    free(secret);
}

/* ticket with part (0 the account, 1 the expiry, 2 the secret, 3 the MAC) replaced by with. */
static char *ticket_with(const char *ticket, int part, const char *with)
{
    char *copy = strdup(ticket), *parts[4], *save = NULL;
    int n = 0;
    for (char *p = strtok_r(copy, ".", &save); p && n < 4; p = strtok_r(NULL, ".", &save))
        parts[n++] = p;
    assert_int_equal(n, 4);
    parts[part] = (char *)with;
    size_t len = strlen(ticket) + strlen(with) + 8;
    char *out = malloc(len);
    assert_non_null(out);
    snprintf(out, len, "%s.%s.%s.%s", parts[0], parts[1], parts[2], parts[3]);
    free(copy);
    return out;
}

/* A ticket signed as the server signs its own (the key derived from the database's sealing
 * key), so that only what it says is at fault. */
static char *ticket_signed(long long uid, long long expires, const char *secret)
{
    char *path = ht_db_key(E->db);
    size_t len;
    char *seal = ht_read_file(path, &len);
    assert_non_null(seal);
    assert_int_equal(len, 32);
    unsigned char key[crypto_generichash_KEYBYTES], mac[16];
    crypto_generichash(key, sizeof key, (const unsigned char *)"akar login ticket", 17,
                       (const unsigned char *)seal, 32);
    char msg[128], hex[33];
    snprintf(msg, sizeof msg, "login-ticket|%lld|%lld|%s", uid, expires, secret);
    crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, strlen(msg), key, sizeof key);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    char *out = malloc(160);
    assert_non_null(out);
    snprintf(out, 160, "%lld.%lld.%s.%s", uid, expires, secret, hex);
    free(seal);
    free(path);
    return out;
}

static void test_a_ticket_altered_expired_or_of_another_account_is_refused(void **state)
{
    (void)state;
    official_without_secret("api.enrol3", "enrol-password-3");
    official_without_secret("api.enrol4", "enrol-password-4");
    char *ticket, *secret, *ticket4, *secret4;
    enrolment_of("api.enrol3", "enrol-password-3", 403, &ticket, &secret);
    enrolment_of("api.enrol4", "enrol-password-4", 403, &ticket4, &secret4);
    long long uid = db_int("SELECT id FROM users WHERE login = 'api.enrol3'");
    struct ht_response r;

    char later[32];
    snprintf(later, sizeof later, "%lld", (long long)time(NULL) + 3600);
    char *code = ht_totp_at(secret, now_step());
    char *bad[] = {
        ticket_with(ticket, 1, later),                              /* a later end */
        ticket_with(ticket, 3, "00000000000000000000000000000000"), /* another MAC */
        ticket_signed(uid, (long long)time(NULL) - 1, secret),      /* expired */
        ticket4,                                                    /* another account's */
        "not-a-ticket",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(sign_in("api.enrol3", "enrol-password-3", code, bad[i], &r), 401);
        ht_assert_problem(&r, 401, "ticket");
        assert_null(ht_header(&r, "Set-Cookie"));
        ht_response_free(&r);
    }
    /* a secret of one's choosing, with its own code */
    char *chosen = ticket_with(ticket, 2, secret4), *code4 = ht_totp_at(secret4, now_step());
    assert_int_equal(sign_in("api.enrol3", "enrol-password-3", code4, chosen, &r), 401);
    ht_assert_problem(&r, 401, "ticket");
    ht_response_free(&r);
    /* another account's ticket with its own code, under this account's password */
    assert_int_equal(sign_in("api.enrol3", "enrol-password-3", code4, ticket4, &r), 401);
    ht_assert_problem(&r, 401, "ticket");
    ht_response_free(&r);
    /* a ticket without the password: the password is asked first */
    assert_int_equal(sign_in("api.enrol3", NULL, code, ticket, &r), 400);
    ht_assert_problem(&r, 400, "password");
    ht_response_free(&r);
    /* and one too long for a ticket of ours, or a member the body does not have */
    char *lengthy = calloc(1, 300);
    memset(lengthy, '1', 299);
    assert_int_equal(sign_in("api.enrol3", "enrol-password-3", code, lengthy, &r), 400);
    ht_assert_problem(&r, 400, "ticket");
    ht_response_free(&r);
    ht_post_json(E->srv.port, SESSIONS,
                 "{\"login\":\"api.enrol3\",\"password\":\"enrol-password-3\",\"enrolment\":{}}",
                 &r);
    ht_assert_problem(&r, 400, "enrolment");
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol3"), 0);
    assert_int_equal(holds("api.enrol4"), 0);

    /* a ticket signed so, unexpired, is as good as the server's: the expired one above was
     * refused for its end alone */
    char *crafted = ticket_signed(uid, (long long)time(NULL) + 60, secret);
    assert_int_equal(sign_in("api.enrol3", "enrol-password-3", code, crafted, &r), 201);
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol3"), 1111);
    assert_int_equal(holds("api.enrol4"), 0);
    for (size_t i = 0; i < 3; i++)
        free(bad[i]);
    free(lengthy);
    free(chosen);
    free(code4);
    free(code);
    free(crafted);
    free(ticket4);
    free(secret4);
    free(ticket);
    free(secret);
}

static void test_a_secret_never_confirmed_is_offered_as_the_browser_offers_it(void **state)
{
    (void)state;
    /* `akar user add` keeps a secret that no code has confirmed yet */
    ht_user_add(E->db, "api.enrol5", "586.01", "inspector", "enrol-password-5");
    const char *known = ht_totp_secret("api.enrol5");
    assert_non_null(known);
    assert_int_equal(holds("api.enrol5"), 100);
    char *ticket, *secret;
    enrolment_of("api.enrol5", "enrol-password-5", 422, &ticket, &secret);
    assert_string_equal(secret, known);
    assert_int_equal(holds("api.enrol5"), 100);
    char *code = ht_totp_at(secret, now_step());
    struct ht_response r;
    assert_int_equal(sign_in("api.enrol5", "enrol-password-5", code, ticket, &r), 201);
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol5"), 1111);
    free(code);
    free(ticket);
    free(secret);
}

static void test_wrong_codes_with_a_ticket_count_towards_the_sign_in_limit(void **state)
{
    (void)state;
    official_without_secret("api.enrol6", "enrol-password-6");
    char *ticket, *secret;
    enrolment_of("api.enrol6", "enrol-password-6", 403, &ticket, &secret);
    struct ht_response r;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(sign_in("api.enrol6", "enrol-password-6", "000000", ticket, &r), 401);
        ht_response_free(&r);
    }
    char *code = ht_totp_at(secret, now_step());
    assert_int_equal(sign_in("api.enrol6", "enrol-password-6", code, ticket, &r), 429);
    ht_assert_problem(&r, 429, NULL);
    assert_non_null(ht_header(&r, "Retry-After"));
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol6"), 0);
    free(code);
    free(ticket);
    free(secret);
}

static void test_a_confirmed_secret_that_cannot_be_read_offers_no_enrolment(void **state)
{
    (void)state;
    /* as when the secret was sealed with a key since lost: only an administrator can help */
    ht_user_add(E->db, "api.enrol7", "586.01", "handler", "enrol-password-7");
    ht_db_exec(E->db, "UPDATE users SET totp_secret = NULL, totp_confirmed = 1 WHERE login = "
                      "'api.enrol7'");
    struct ht_response r;
    assert_int_equal(sign_in("api.enrol7", "enrol-password-7", NULL, NULL, &r), 403);
    ht_assert_problem(&r, 403, "totp");
    json_t *p = ht_json(&r);
    assert_null(json_object_get(p, "enrolment"));
    assert_non_null(strstr(json_string_value(json_object_get(p, "detail")), "administrator"));
    json_decref(p);
    ht_response_free(&r);
    assert_int_equal(holds("api.enrol7"), 10);
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
        cmocka_unit_test(test_an_official_enrols_over_the_api_and_then_signs_in_with_codes),
        cmocka_unit_test(test_a_wrong_code_stores_nothing),
        cmocka_unit_test(test_a_ticket_altered_expired_or_of_another_account_is_refused),
        cmocka_unit_test(test_a_secret_never_confirmed_is_offered_as_the_browser_offers_it),
        cmocka_unit_test(test_wrong_codes_with_a_ticket_count_towards_the_sign_in_limit),
        cmocka_unit_test(test_a_confirmed_secret_that_cannot_be_read_offers_no_enrolment),
    };
    ht_init();
    int failed = cmocka_run_group_tests(tests, setup, ht_env_teardown);
    ht_done();
    return failed;
}
