/* Signing in and out over /api/v1/sessions and /api/v1/me: token and cookie, the answers to
 * wrong credentials and bad tokens, the failed-login limit, and what the store keeps (token
 * hashes, audit entries) once the server has stopped. */
#include "harness.h"

#include "base/mem.h"

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
#define ME       "/api/v1/me"
/* An account only the failed-login test uses, so locking it disturbs no other test. */
#define LOCKED_LOGIN    "locked.out"
#define LOCKED_PASSWORD "locked-out-password-1"

/* What this program did, for the final check of the store. */
static int logins_ok, logouts;

static unsigned port_of(void **state)
{
    return ((struct ht_env *)*state)->srv.port;
}

static int setup(void **state)
{
    struct ht_env *env = xcalloc(1, sizeof *env);
    env->dir = ht_dir_new();
    env->db = ht_demo_db(env->dir, "t.db");
    env->access_log = ht_path(env->dir, "access.log");
    char *out;
    int rc = ht_akar_run(LOCKED_PASSWORD "\n", &out, "user", "add", "--db", env->db, "--login",
                         LOCKED_LOGIN, "--unit", "586.01", "--role", "resident", HT_END);
    if (rc != 0)
        fail_msg("akar user add exited %d: %s", rc, out);
    free(out);
    ht_server_start(&env->srv, env->db, env->access_log);
    *state = env;
    return 0;
}

static char *login(unsigned port, const char *who, const char *password)
{
    char *token = ht_login(port, who, password);
    logins_ok++;
    return token;
}

static void post_login(unsigned port, const char *who, const char *password, struct ht_response *r)
{
    json_t *req = json_pack("{s:s, s:s}", "login", who, "password", password);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    ht_post_json(port, SESSIONS, text, r);
    free(text);
}

/* The same with the code of the login's authenticator (an official's second factor). */
static void post_login_code(unsigned port, const char *who, const char *password,
                            struct ht_response *r)
{
    char *code = ht_totp_code(who);
    json_t *req = json_pack("{s:s, s:s, s:s}", "login", who, "password", password, "totp", code);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    ht_post_json(port, SESSIONS, text, r);
    free(text);
    free(code);
}

/* GET /api/v1/me with one extra header line (or none). */
static void get_me(unsigned port, const char *header, struct ht_response *r)
{
    ht_do(port, &(struct ht_request){.path = ME, .headers = {header}}, r);
}

static long me_status(unsigned port, const char *header)
{
    struct ht_response r;
    get_me(port, header, &r);
    long status = r.status;
    if (status == 401)
        ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    return status;
}

static char *bearer(const char *token)
{
    size_t n = strlen(token) + 32;
    char *h = xmalloc(n);
    snprintf(h, n, "Authorization: Bearer %s", token);
    return h;
}

static char *problem_detail(const struct ht_response *r)
{
    json_t *p = ht_json(r);
    char *d = xstrdup(json_string_value(json_object_get(p, "detail")));
    json_decref(p);
    return d;
}

static void test_login_gives_token_expiry_user_and_cookie(void **state)
{
    struct ht_response r;
    post_login_code(port_of(state), "admin", "demo-admin-2026", &r);
    if (r.status != 201)
        fail_msg("login: %ld %s", r.status, r.body);
    logins_ok++;
    json_t *doc = ht_json(&r);
    const char *token = json_string_value(json_object_get(doc, "token"));
    const char *expires = json_string_value(json_object_get(doc, "expires_at"));
    json_t *user = json_object_get(doc, "user");
    assert_non_null(token);
    assert_int_equal(strlen(token), 43); /* 32 random bytes, base64url without padding */
    assert_non_null(expires);
    struct tm tm = {0};
    const char *end = strptime(expires, "%Y-%m-%dT%H:%M:%SZ", &tm);
    assert_non_null(end);
    assert_int_equal(*end, 0);
    double ahead = difftime(timegm(&tm), time(NULL));
    assert_true(ahead > 3600 && ahead <= 24 * 3600 + 5);
    assert_true(json_is_object(user));
    assert_string_equal(json_string_value(json_object_get(user, "login")), "admin");
    assert_non_null(json_string_value(json_object_get(user, "display_name")));
    assert_null(json_object_get(user, "password_hash"));

    const char *cookie = ht_header(&r, "Set-Cookie");
    assert_non_null(cookie);
    char want[128];
    snprintf(want, sizeof want, "akar_session=%s;", token);
    assert_int_equal(strncmp(cookie, want, strlen(want)), 0);
    assert_non_null(strstr(cookie, "; HttpOnly"));
    assert_non_null(strstr(cookie, "; SameSite=Lax"));
    assert_non_null(strstr(cookie, "Path=/"));
    const char *cc = ht_header(&r, "Cache-Control");
    assert_non_null(cc);
    assert_string_equal(cc, "no-store");
    json_decref(doc);
    ht_response_free(&r);
}

static void test_me_accepts_bearer_token(void **state)
{
    unsigned port = port_of(state);
    char *token = login(port, "handler.vinhhai", "demo-handler-2026");
    char *auth = bearer(token);
    struct ht_response r;
    get_me(port, auth, &r);
    assert_int_equal(r.status, 200);
    json_t *me = ht_json(&r);
    assert_string_equal(json_string_value(json_object_get(me, "login")), "handler.vinhhai");
    json_t *role = json_array_get(json_object_get(me, "roles"), 0);
    assert_string_equal(json_string_value(json_object_get(role, "role")), "handler");
    assert_string_equal(json_string_value(json_object_get(role, "unit")), "586.01");
    json_decref(me);
    ht_response_free(&r);
    free(auth);
    free(token);
}

static void test_me_accepts_session_cookie_alone(void **state)
{
    unsigned port = port_of(state);
    char *token = login(port, "admin", "demo-admin-2026");
    char cookie[128];
    snprintf(cookie, sizeof cookie, "Cookie: theme=dark; akar_session=%s", token);
    struct ht_response r;
    get_me(port, cookie, &r);
    assert_int_equal(r.status, 200);
    json_t *me = ht_json(&r);
    assert_string_equal(json_string_value(json_object_get(me, "login")), "admin");
    json_decref(me);
    ht_response_free(&r);
    free(token);
}

static void test_me_without_credentials_is_401(void **state)
{
    struct ht_response r;
    get_me(port_of(state), NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    const char *www = ht_header(&r, "WWW-Authenticate");
    assert_non_null(www);
    assert_int_equal(strncmp(www, "Bearer", 6), 0);
    ht_response_free(&r);
}

static void test_wrong_password_is_401_like_unknown_login(void **state)
{
    unsigned port = port_of(state);
    struct ht_response wrong, unknown;
    post_login(port, "leader.province", "not-the-password", &wrong);
    ht_assert_problem(&wrong, 401, NULL);
    assert_null(ht_header(&wrong, "Set-Cookie"));
    post_login(port, "nobody.here", "not-the-password", &unknown);
    ht_assert_problem(&unknown, 401, NULL);
    assert_null(ht_header(&unknown, "Set-Cookie"));
    char *a = problem_detail(&wrong), *b = problem_detail(&unknown);
    assert_string_equal(a, b);
    free(a);
    free(b);
    ht_response_free(&wrong);
    ht_response_free(&unknown);
}

static void test_logout_ends_the_session(void **state)
{
    unsigned port = port_of(state);
    char *token = login(port, "inspector.vinhhai", "demo-inspector-2026");
    char *auth = bearer(token);
    assert_int_equal(me_status(port, auth), 200);

    struct ht_response r;
    ht_do(port, &(struct ht_request){.method = "DELETE", .path = SESSIONS, .headers = {auth}}, &r);
    assert_int_equal(r.status, 204);
    assert_int_equal(r.body_len, 0);
    logouts++;
    const char *cookie = ht_header(&r, "Set-Cookie");
    assert_non_null(cookie);
    assert_int_equal(strncmp(cookie, "akar_session=;", 14), 0);
    assert_non_null(strstr(cookie, "Max-Age=0"));
    ht_response_free(&r);

    assert_int_equal(me_status(port, auth), 401);
    ht_do(port, &(struct ht_request){.method = "DELETE", .path = SESSIONS, .headers = {auth}}, &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    free(auth);
    free(token);
}

static void test_logout_with_cookie_alone(void **state)
{
    unsigned port = port_of(state);
    char *token = login(port, "receptionist.vinhhai", "demo-reception-2026");
    char cookie[128];
    snprintf(cookie, sizeof cookie, "Cookie: akar_session=%s", token);
    struct ht_response r;
    ht_do(port, &(struct ht_request){.method = "DELETE", .path = SESSIONS, .headers = {cookie}},
          &r);
    assert_int_equal(r.status, 204);
    logouts++;
    ht_response_free(&r);
    assert_int_equal(me_status(port, cookie), 401);
    free(token);
}

static void test_forged_token_is_401(void **state)
{
    static const char alphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    char token[44];
    srand((unsigned)time(NULL));
    for (int i = 0; i < 43; i++)
        token[i] = alphabet[rand() % 64];
    token[43] = 0;
    char *auth = bearer(token);
    struct ht_response r;
    get_me(port_of(state), auth, &r);
    ht_assert_problem(&r, 401, NULL);
    const char *www = ht_header(&r, "WWW-Authenticate");
    assert_non_null(www);
    assert_non_null(strstr(www, "invalid_token"));
    ht_response_free(&r);
    free(auth);

    char cookie[128];
    snprintf(cookie, sizeof cookie, "Cookie: akar_session=%s", token);
    assert_int_equal(me_status(port_of(state), cookie), 401);
}

static void test_malformed_authorization_is_401(void **state)
{
    unsigned port = port_of(state);
    static const char *const bad[] = {
        "Authorization: Basic YWRtaW46ZGVtby1hZG1pbi0yMDI2",
        "Authorization: Bearer",
        "Authorization: Bearer short",
        "Authorization: Bearer !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!",
        "Authorization: Bearer AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", /* 44 chars */
        "Authorization: Token AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        "Cookie: akar_session=%00%00",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (me_status(port, bad[i]) != 401)
            fail_msg("%s was not refused with 401", bad[i]);

    /* a malformed Authorization is not rescued by a good cookie beside it */
    char *token = login(port, "leader.ninhhai", "demo-leader-2026");
    char cookie[128];
    snprintf(cookie, sizeof cookie, "Cookie: akar_session=%s", token);
    struct ht_response r;
    ht_do(port, &(struct ht_request){.path = ME, .headers = {"Authorization: Basic eDp5", cookie}},
          &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    free(token);
}

static void test_failed_logins_lock_the_login_with_retry_after(void **state)
{
    unsigned port = port_of(state);
    struct ht_response r;
    for (int i = 0; i < 5; i++) {
        post_login(port, LOCKED_LOGIN, "wrong-password-000", &r);
        if (r.status != 401)
            fail_msg("failure %d: %ld %s", i + 1, r.status, r.body);
        ht_response_free(&r);
    }
    post_login(port, LOCKED_LOGIN, "wrong-password-000", &r);
    ht_assert_problem(&r, 429, NULL);
    const char *retry = ht_header(&r, "Retry-After");
    assert_non_null(retry);
    char *end;
    long secs = strtol(retry, &end, 10);
    assert_int_equal(*end, 0);
    assert_true(secs > 0 && secs <= 3600);
    ht_response_free(&r);

    post_login(port, LOCKED_LOGIN, LOCKED_PASSWORD, &r);
    ht_assert_problem(&r, 429, NULL);
    assert_non_null(ht_header(&r, "Retry-After"));
    assert_null(ht_header(&r, "Set-Cookie"));
    ht_response_free(&r);

    /* the limit is the login's: others still sign in */
    char *token = login(port, "resident.vinhhy", "demo-resident-2026");
    free(token);
}

static void test_only_token_hashes_are_stored(void **state)
{
    struct ht_env *env = *state;
    char *token = login(env->srv.port, "admin", "demo-admin-2026"), *in = NULL;
    const char *const texts[] = {token};
    if (ht_db_find(env->db, texts, 1, &in) >= 0)
        fail_msg("the session token is stored in plain text in %s", in);
    free(token);
}

/* Last: stops the server, then checks what it stored and that the audit chain verifies. */
static void test_store_records_every_session_in_the_audit_chain(void **state)
{
    struct ht_env *env = *state;
    assert_int_equal(ht_server_stop(&env->srv), 0);
    assert_int_equal(
        ht_db_int(env->db, "SELECT count(*) FROM audit WHERE action = 'session.create'"),
        logins_ok);
    assert_int_equal(
        ht_db_int(env->db, "SELECT count(*) FROM audit WHERE action = 'session.delete'"), logouts);
    assert_int_equal(ht_db_int(env->db, "SELECT count(*) FROM sessions"), logins_ok - logouts);
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", env->db, HT_END);
    if (rc != 0)
        fail_msg("akar audit verify exited %d: %s", rc, out);
    assert_non_null(strstr(out, "intact"));
    free(out);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_login_gives_token_expiry_user_and_cookie),
        cmocka_unit_test(test_me_accepts_bearer_token),
        cmocka_unit_test(test_me_accepts_session_cookie_alone),
        cmocka_unit_test(test_me_without_credentials_is_401),
        cmocka_unit_test(test_wrong_password_is_401_like_unknown_login),
        cmocka_unit_test(test_logout_ends_the_session),
        cmocka_unit_test(test_logout_with_cookie_alone),
        cmocka_unit_test(test_forged_token_is_401),
        cmocka_unit_test(test_malformed_authorization_is_401),
        cmocka_unit_test(test_failed_logins_lock_the_login_with_retry_after),
        cmocka_unit_test(test_only_token_hashes_are_stored),
        cmocka_unit_test(test_store_records_every_session_in_the_audit_chain),
    };
    int failed = cmocka_run_group_tests_name("sessions", tests, setup, ht_env_teardown);
    ht_done();
    return failed ? 1 : 0;
}
