/* The officials' web pages over HTTP, as a browser without JavaScript uses them (cookies, forms,
 * redirects): signing in with a password and a TOTP code (wrong and replayed codes refused,
 * enrolment by QR while no code has confirmed a secret, failures throttled), the inbox of a
 * subtree in deadline order with overdue cases marked in words, the case page offering only
 * the actions allowed, actions through forms (success, a message beside the field, CSRF and
 * stale versions refused with nothing changed), an inspector never shown an identity, reveal
 * by the assigned handler only and audited, the reception desk, the dashboard's figures
 * against counts of our own, and every page in English, Indonesian and Vietnamese. */
#include "harness.h"

#include <curl/curl.h>
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cmocka.h>

#define FORM "application/x-www-form-urlencoded"

static struct ht_env *E;

/* ---- a small browser: a cookie jar, GET and form POST, no redirects followed ---- */

struct browser {
    char cookies[8][256]; /* "name=value" */
    int n;
    char *last; /* the last page's body */
};

static void jar_set(struct browser *b, const char *set_cookie)
{
    size_t len = strcspn(set_cookie, ";");
    const char *eq = memchr(set_cookie, '=', len);
    assert_non_null(eq);
    size_t name_len = (size_t)(eq - set_cookie);
    bool cleared = strstr(set_cookie, "Max-Age=0") != NULL;
    for (int i = 0; i < b->n; i++)
        if (strncmp(b->cookies[i], set_cookie, name_len + 1) == 0) {
            if (cleared) {
                b->cookies[i][0] = 0;
                return;
            }
            snprintf(b->cookies[i], sizeof b->cookies[i], "%.*s", (int)len, set_cookie);
            return;
        }
    if (cleared)
        return;
    assert_true(b->n < 8);
    snprintf(b->cookies[b->n++], sizeof b->cookies[0], "%.*s", (int)len, set_cookie);
}

static const char *cookie_header(struct browser *b, char *out, size_t n)
{
    size_t k = (size_t)snprintf(out, n, "Cookie: ");
    for (int i = 0; i < b->n; i++)
        if (b->cookies[i][0])
            k += (size_t)snprintf(out + k, n - k, "%s; ", b->cookies[i]);
    return out;
}

/* The session cookie's value, or NULL. */
static const char *session_of(struct browser *b)
{
    for (int i = 0; i < b->n; i++)
        if (strncmp(b->cookies[i], "akar_session=", 13) == 0 && b->cookies[i][13])
            return b->cookies[i] + 13;
    return NULL;
}

static void request(struct browser *b, const char *method, const char *path, const char *form,
                    struct ht_response *r)
{
    char cookie[2200];
    ht_do(E->srv.port,
          &(struct ht_request){.method = method,
                               .path = path,
                               .content_type = form ? FORM : NULL,
                               .body = form,
                               .headers = {cookie_header(b, cookie, sizeof cookie)}},
          r);
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, "Set-Cookie") == 0)
            jar_set(b, r->headers[i].value);
    free(b->last);
    b->last = strdup(r->body);
}

static long get(struct browser *b, const char *path)
{
    struct ht_response r;
    request(b, "GET", path, NULL, &r);
    long status = r.status;
    ht_response_free(&r);
    return status;
}

static long post(struct browser *b, const char *path, const char *form)
{
    struct ht_response r;
    request(b, "POST", path, form, &r);
    long status = r.status;
    ht_response_free(&r);
    return status;
}

static void browser_free(struct browser *b)
{
    free(b->last);
    b->last = NULL;
}

static bool has(const struct browser *b, const char *text)
{
    return b->last && strstr(b->last, text) != NULL;
}

static void must_have(const struct browser *b, const char *text)
{
    if (!has(b, text))
        fail_msg("the page lacks %s:\n%.3000s", text, b->last ? b->last : "(none)");
}

static void must_lack(const struct browser *b, const char *text)
{
    if (has(b, text))
        fail_msg("the page shows %s:\n%.3000s", text, b->last);
}

/* The value of the first input named name on the last page (malloc'd), or NULL. */
static char *input_value(const struct browser *b, const char *name)
{
    char pat[96];
    snprintf(pat, sizeof pat, "name=\"%s\" value=\"", name);
    const char *p = b->last ? strstr(b->last, pat) : NULL;
    if (!p)
        return NULL;
    p += strlen(pat);
    return strndup(p, strcspn(p, "\""));
}

/* "a=1&b=2" with every value percent-encoded: pairs of name, value, ending with NULL. */
static char *form_of(const char *name, ...)
{
    static char out[16384];
    size_t k = 0;
    va_list ap;
    va_start(ap, name);
    for (const char *n = name; n; n = va_arg(ap, const char *)) {
        const char *v = va_arg(ap, const char *);
        char *e = curl_easy_escape(NULL, v ? v : "", 0);
        k += (size_t)snprintf(out + k, sizeof out - k, "%s%s=%s", k ? "&" : "", n, e);
        curl_free(e);
    }
    va_end(ap);
    return out;
}

/* The cookies of each official's first sign-in: an official signs in with a code that works
 * once, and a third sign-in within the same 30 s waits for the next code, so later tests reuse
 * the first session rather than sleep through minutes of codes. */
static struct {
    char login[64];
    struct browser jar;
} signed_in[8];
static int nsigned_in;

/* Signs b in through /login and, for an official, /login/code with a fresh code, unless the
 * official signed in before and that session still opens the office. */
static void web_login(struct browser *b, const char *login, const char *password)
{
    for (int i = 0; i < nsigned_in; i++)
        if (strcmp(signed_in[i].login, login) == 0) {
            memcpy(b->cookies, signed_in[i].jar.cookies, sizeof b->cookies);
            b->n = signed_in[i].jar.n;
            if (get(b, "/office") == 200)
                return;
            memset(b->cookies, 0, sizeof b->cookies);
            b->n = 0;
        }
    assert_int_equal(get(b, "/login"), 200);
    char *csrf = input_value(b, "csrf");
    assert_non_null(csrf);
    long status = post(
        b, "/login", form_of("csrf", csrf, "login", login, "password", password, "next", "", NULL));
    free(csrf);
    if (status == 303)
        return;
    if (status != 200)
        fail_msg("POST /login for %s: %ld\n%.2000s", login, status, b->last);
    char *ticket = input_value(b, "ticket"), *code = ht_totp_code(login);
    csrf = input_value(b, "csrf");
    assert_non_null(ticket);
    assert_non_null(code);
    status = post(b, "/login/code",
                  form_of("csrf", csrf, "ticket", ticket, "code", code, "next", "", NULL));
    if (status != 303)
        fail_msg("POST /login/code for %s: %ld\n%.2000s", login, status, b->last);
    assert_non_null(session_of(b));
    free(ticket);
    free(code);
    free(csrf);
    if (nsigned_in < 8) {
        snprintf(signed_in[nsigned_in].login, sizeof signed_in[0].login, "%s", login);
        memcpy(signed_in[nsigned_in].jar.cookies, b->cookies, sizeof b->cookies);
        signed_in[nsigned_in++].jar.n = b->n;
    }
}

/* ---- the API, for setting up and for checking what the pages did ---- */

static long long submit(const char *kind, const char *unit, const char *title, const char *name)
{
    char body[1024];
    snprintf(body, sizeof body,
             "{\"kind\":\"%s\",\"unit\":\"%s\",\"title\":\"%s\",\"description\":\"Xin kiểm tra "
             "và xử lý.\",\"reporter\":{\"name\":\"%s\",\"phone\":\"0912 345 678\"}}",
             kind, unit, title, name);
    struct ht_response r;
    ht_call(E->srv.port, "POST", "/api/v1/cases", NULL, body, &r);
    if (r.status != 201)
        fail_msg("submit: %ld %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    ht_response_free(&r);
    return id;
}

static char *leader_token;

static char *status_of(long long id)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    struct ht_response r;
    ht_call(E->srv.port, "GET", path, leader_token, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = ht_json(&r);
    char *s = strdup(json_string_value(json_object_get(doc, "status")));
    json_decref(doc);
    ht_response_free(&r);
    return s;
}

static void act_api(const char *token, long long id, const char *json)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", id);
    struct ht_response r;
    ht_call(E->srv.port, "POST", path, token, json, &r);
    if (r.status != 200)
        fail_msg("%s: %ld %s", json, r.status, r.body);
    ht_response_free(&r);
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

/* Opens case id's page and sends the form of action with extra fields (pairs, NULL-ended):
 * the page's own CSRF token and version. Returns the status. */
static long act_form(struct browser *b, long long id, const char *action, const char *f1,
                     const char *v1, const char *f2, const char *v2)
{
    char path[64];
    snprintf(path, sizeof path, "/office/cases/%lld", id);
    assert_int_equal(get(b, path), 200);
    char *csrf = input_value(b, "csrf"), *version = input_value(b, "version");
    assert_non_null(csrf);
    assert_non_null(version);
    long status = post(b, path,
                       form_of("csrf", csrf, "action", action, "version", version, f1 ? f1 : "x",
                               v1, f2 ? f2 : "y", v2, NULL));
    free(csrf);
    free(version);
    return status;
}

/* ---- signing in ---- */

static void test_an_official_enrols_by_qr_then_signs_in_with_a_fresh_code(void **state)
{
    (void)state;
    ht_user_add(E->db, "enrol.handler", "586.01", "handler", "enrol-password-1");
    struct browser b = {0};
    assert_int_equal(get(&b, "/login"), 200);
    char *csrf = input_value(&b, "csrf");
    /* a wrong password is refused before any code is asked */
    assert_int_equal(
        post(&b, "/login",
             form_of("csrf", csrf, "login", "enrol.handler", "password", "not-the-password", NULL)),
        401);
    must_have(&b, "The login or the password is wrong.");
    must_lack(&b, "name=\"ticket\"");
    /* the right password: no code confirmed yet, so the enrolment page, QR and key in text */
    assert_int_equal(
        post(&b, "/login",
             form_of("csrf", csrf, "login", "enrol.handler", "password", "enrol-password-1", NULL)),
        200);
    assert_null(session_of(&b));
    must_have(&b, "<svg");
    const char *secret = ht_totp_secret("enrol.handler");
    assert_non_null(secret);
    char grouped[64] = "";
    for (size_t i = 0; secret[i]; i++)
        snprintf(grouped + strlen(grouped), sizeof grouped - strlen(grouped), "%s%c",
                 i && i % 4 == 0 ? " " : "", secret[i]);
    must_have(&b, grouped);
    char *ticket = input_value(&b, "ticket");
    assert_non_null(ticket);
    /* a wrong code: the message is beside the field, nobody is signed in */
    time_t now = time(NULL);
    char *wrong = ht_totp_at(secret, (long long)now / 30 - 5);
    assert_int_equal(
        post(&b, "/login/code", form_of("csrf", csrf, "ticket", ticket, "code", wrong, NULL)), 401);
    must_have(&b, "id=\"e-f-code\"");
    assert_null(session_of(&b));
    assert_int_equal(db_int("SELECT totp_confirmed FROM users WHERE login = 'enrol.handler'"), 0);
    /* the right code confirms the secret (audited) and signs in */
    long long enrolled = db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_enrol'");
    char *code = ht_totp_code("enrol.handler");
    assert_int_equal(
        post(&b, "/login/code", form_of("csrf", csrf, "ticket", ticket, "code", code, NULL)), 303);
    assert_non_null(session_of(&b));
    assert_int_equal(db_int("SELECT totp_confirmed FROM users WHERE login = 'enrol.handler'"), 1);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'user.totp_enrol'"),
                     enrolled + 1);
    assert_int_equal(get(&b, "/office"), 200);
    browser_free(&b);

    /* next time: the code step, no QR and no key; the code used already is refused */
    struct browser c = {0};
    assert_int_equal(get(&c, "/login"), 200);
    free(csrf);
    csrf = input_value(&c, "csrf");
    assert_int_equal(
        post(&c, "/login",
             form_of("csrf", csrf, "login", "enrol.handler", "password", "enrol-password-1", NULL)),
        200);
    must_lack(&c, "<svg");
    must_lack(&c, grouped);
    must_have(&c, "autocomplete=\"one-time-code\"");
    free(ticket);
    ticket = input_value(&c, "ticket");
    assert_int_equal(
        post(&c, "/login/code", form_of("csrf", csrf, "ticket", ticket, "code", code, NULL)), 401);
    must_have(&c, "used already");
    assert_null(session_of(&c));
    free(code);
    code = ht_totp_code("enrol.handler");
    assert_int_equal(
        post(&c, "/login/code", form_of("csrf", csrf, "ticket", ticket, "code", code, NULL)), 303);
    assert_non_null(session_of(&c));
    browser_free(&c);
    free(code);
    free(wrong);
    free(ticket);
    free(csrf);
}

static void test_an_official_without_a_secret_enrols_a_new_one(void **state)
{
    (void)state;
    ht_user_add(E->db, "older.leader", "586", "leader", "older-password-1");
    /* as an account made before officials had a second factor */
    ht_db_exec(E->db, "UPDATE users SET totp_secret = NULL WHERE login = 'older.leader'");
    struct browser c = {0};
    assert_int_equal(get(&c, "/login"), 200);
    char *csrf = input_value(&c, "csrf");
    assert_int_equal(
        post(&c, "/login",
             form_of("csrf", csrf, "login", "older.leader", "password", "older-password-1", NULL)),
        200);
    must_have(&c, "<svg");
    const char *p = strstr(c.last, "id=\"secret\">");
    assert_non_null(p);
    p += strlen("id=\"secret\">");
    char secret[64];
    size_t k = 0;
    for (; *p != '<' && k < sizeof secret - 1; p++)
        if (*p != ' ')
            secret[k++] = *p;
    secret[k] = 0;
    assert_int_equal(strlen(secret), 32);
    char *ticket = input_value(&c, "ticket");
    /* the ticket cannot be bent to another account */
    char *bent = strdup(ticket);
    bent[0] = bent[0] == '1' ? '2' : '1';
    assert_int_equal(
        post(&c, "/login/code", form_of("csrf", csrf, "ticket", bent, "code", "123456", NULL)),
        400);
    char *code = ht_totp_at(secret, (long long)time(NULL) / 30);
    assert_int_equal(
        post(&c, "/login/code", form_of("csrf", csrf, "ticket", ticket, "code", code, NULL)), 303);
    assert_non_null(session_of(&c));
    assert_int_equal(
        db_int("SELECT totp_confirmed FROM users WHERE login = 'older.leader' AND "
               "totp_secret IS NOT NULL AND replace(totp_secret, '%s', '') = totp_secret",
               secret),
        1);
    browser_free(&c);
    free(bent);
    free(code);
    free(ticket);
    free(csrf);
}

static void test_wrong_codes_count_against_the_limit(void **state)
{
    (void)state;
    ht_user_add(E->db, "locked.handler", "586.01", "handler", "locked-password-1");
    struct browser b = {0};
    assert_int_equal(get(&b, "/login"), 200);
    char *csrf = input_value(&b, "csrf");
    assert_int_equal(post(&b, "/login",
                          form_of("csrf", csrf, "login", "locked.handler", "password",
                                  "locked-password-1", NULL)),
                     200);
    char *ticket = input_value(&b, "ticket");
    for (int i = 0; i < 5; i++)
        assert_int_equal(post(&b, "/login/code",
                              form_of("csrf", csrf, "ticket", ticket, "code", "000000", NULL)),
                         401);
    char *code = ht_totp_code("locked.handler");
    struct ht_response r;
    char cookie[2200];
    ht_do(E->srv.port,
          &(struct ht_request){.path = "/login/code",
                               .content_type = FORM,
                               .body = form_of("csrf", csrf, "ticket", ticket, "code", code, NULL),
                               .headers = {cookie_header(&b, cookie, sizeof cookie)}},
          &r);
    assert_int_equal(r.status, 429);
    assert_non_null(ht_header(&r, "Retry-After"));
    assert_non_null(strstr(r.body, "Too many"));
    assert_null(ht_header(&r, "Set-Cookie"));
    ht_response_free(&r);
    browser_free(&b);
    free(code);
    free(ticket);
    free(csrf);
}

static void test_a_resident_signs_in_without_a_code_and_signs_out_with_csrf(void **state)
{
    (void)state;
    struct browser b = {0};
    web_login(&b, "resident.vinhhy", "demo-resident-2026");
    const char *token = session_of(&b);
    assert_non_null(token);
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    /* a resident is not let into the back office */
    assert_int_equal(get(&b, "/office"), 403);
    /* signing out needs the page's token */
    assert_int_equal(post(&b, "/logout", form_of("csrf", "0000", NULL)), 403);
    struct ht_response r;
    ht_do(E->srv.port, &(struct ht_request){.path = "/api/v1/me", .headers = {auth}}, &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
    assert_int_equal(get(&b, "/submit"), 200);
    char *csrf = input_value(&b, "csrf");
    assert_int_equal(post(&b, "/logout", form_of("csrf", csrf, NULL)), 303);
    assert_null(session_of(&b));
    ht_do(E->srv.port, &(struct ht_request){.path = "/api/v1/me", .headers = {auth}}, &r);
    assert_int_equal(r.status, 401);
    ht_response_free(&r);
    /* a visitor asking for the office is sent to sign in, and back */
    struct ht_response v;
    ht_get(E->srv.port, "/office/dashboard", &v);
    assert_int_equal(v.status, 303);
    assert_string_equal(ht_header(&v, "Location"), "/login?next=%2Foffice%2Fdashboard");
    ht_response_free(&v);
    browser_free(&b);
    free(csrf);
}

/* ---- the inbox ---- */

/* The case ids of the inbox page in b, in order. */
static size_t inbox_ids(const struct browser *b, long long *ids, size_t max)
{
    size_t n = 0;
    const char *p = strstr(b->last, "<tbody>");
    for (; p && n < max && (p = strstr(p, "href=\"/office/cases/")) != NULL; p++)
        ids[n++] = strtoll(p + strlen("href=\"/office/cases/"), NULL, 10);
    return n;
}

/* The row of case id on the inbox page (malloc'd). */
static char *inbox_row(const struct browser *b, long long id)
{
    char pat[64];
    snprintf(pat, sizeof pat, "href=\"/office/cases/%lld\"", id);
    const char *at = strstr(b->last, pat);
    assert_non_null(at);
    const char *start = at;
    while (start > b->last && strncmp(start, "<tr>", 4) != 0)
        start--;
    const char *end = strstr(at, "</tr>");
    return strndup(start, (size_t)(end - start));
}

static void test_the_inbox_lists_the_subtree_by_deadline_with_overdue_in_words(void **state)
{
    (void)state;
    struct browser b = {0};
    web_login(&b, "handler.vinhhai", "demo-handler-2026");
    assert_int_equal(get(&b, "/office?limit=200"), 200);
    long long ids[256];
    size_t n = inbox_ids(&b, ids, 256);
    long long unit = db_int("SELECT id FROM units WHERE code = '586.01'");
    long long want =
        db_int("SELECT count(*) FROM case_scope WHERE unit_id = %lld AND open = 1", unit);
    assert_true(want >= 3);
    assert_int_equal((long long)n, want);
    long long now_ms = (long long)time(NULL) * 1000;
    for (size_t i = 0; i < n; i++) {
        /* in the subtree, open, and in (due_at, id) order */
        assert_int_equal(db_int("SELECT count(*) FROM case_scope WHERE unit_id = %lld AND "
                                "case_id = %lld AND open = 1",
                                unit, ids[i]),
                         1);
        if (i)
            assert_int_equal(db_int("SELECT (a.due_at, a.case_id) < (b.due_at, b.case_id) FROM "
                                    "case_scope a, case_scope b WHERE a.unit_id = %lld AND "
                                    "b.unit_id = %lld AND a.case_id = %lld AND b.case_id = %lld",
                                    unit, unit, ids[i - 1], ids[i]),
                             1);
        char *row = inbox_row(&b, ids[i]);
        long long due = db_int("SELECT due_at FROM cases WHERE id = %lld", ids[i]);
        bool overdue = strstr(row, "badge overdue\">Overdue<") != NULL;
        bool soon = strstr(row, "badge soon\">Due soon<") != NULL;
        if (overdue != (due < now_ms) || soon != (due >= now_ms && due < now_ms + 48 * 3600000LL))
            fail_msg("case %lld due %lld (now %lld) is marked wrongly: %s", ids[i], due, now_ms,
                     row);
        free(row);
    }
    /* nothing of another district */
    long long elsewhere = db_int("SELECT c.id FROM cases c JOIN units u ON u.id = c.unit_id WHERE "
                                 "u.path NOT LIKE '/58/586/586.01/%%' AND c.open = 1 LIMIT 1");
    char pat[64];
    snprintf(pat, sizeof pat, "/office/cases/%lld\"", elsewhere);
    must_lack(&b, pat);
    /* filters: overdue only, and a kind */
    assert_int_equal(get(&b, "/office?overdue=true"), 200);
    n = inbox_ids(&b, ids, 256);
    assert_int_equal((long long)n, db_int("SELECT count(*) FROM case_scope WHERE unit_id = %lld "
                                          "AND open = 1 AND due_at < %lld",
                                          unit, now_ms));
    assert_int_equal(get(&b, "/office?kind=complaint"), 200);
    n = inbox_ids(&b, ids, 256);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(db_int("SELECT kind = 'complaint' FROM cases WHERE id = %lld", ids[i]), 1);
    /* one at a time, the next page follows the first */
    assert_int_equal(get(&b, "/office?limit=1"), 200);
    long long first[1], second[1];
    assert_int_equal(inbox_ids(&b, first, 1), 1);
    const char *next = strstr(b.last, "rel=\"next\"");
    assert_non_null(next);
    const char *href = strstr(b.last, "href=\"/office?");
    assert_non_null(href);
    while (strstr(href + 1, "href=\"/office?") && strstr(href + 1, "href=\"/office?") < next)
        href = strstr(href + 1, "href=\"/office?");
    char *url = strndup(href + 6, strcspn(href + 6, "\""));
    for (char *a = strstr(url, "&amp;"); a; a = strstr(a, "&amp;"))
        memmove(a + 1, a + 5, strlen(a + 5) + 1);
    assert_int_equal(get(&b, url), 200);
    assert_int_equal(inbox_ids(&b, second, 1), 1);
    assert_int_not_equal(first[0], second[0]);
    /* a unit outside theirs is refused */
    assert_int_equal(get(&b, "/office?unit=582"), 403);
    free(url);
    browser_free(&b);
}

/* ---- the case page and its forms ---- */

static void test_a_submitted_case_offers_accept_reject_transfer_not_resolve(void **state)
{
    (void)state;
    long long id = submit("feedback", "586.01", "Cống thoát nước bị tắc", "Ngô Văn Phúc");
    struct browser b = {0};
    web_login(&b, "handler.vinhhai", "demo-handler-2026");
    char path[64];
    snprintf(path, sizeof path, "/office/cases/%lld", id);
    assert_int_equal(get(&b, path), 200);
    must_have(&b, "id=\"act-accept\"");
    must_have(&b, "id=\"act-reject\"");
    must_have(&b, "id=\"act-transfer\"");
    static const char *const never[] = {"act-resolve", "act-close",  "act-start", "act-extend",
                                        "act-assign",  "act-reveal", "act-reopen"};
    for (size_t i = 0; i < sizeof never / sizeof never[0]; i++)
        must_lack(&b, never[i]);
    must_have(&b, "Cống thoát nước bị tắc");
    must_have(&b, "Ngô Văn Phúc"); /* a named report's sender, to a handler */
    /* a case outside the handler's units is not found, as if it did not exist */
    long long other = submit("feedback", "582", "Đường hỏng ở Phan Rang", "Lê Văn Tám");
    snprintf(path, sizeof path, "/office/cases/%lld", other);
    assert_int_equal(get(&b, path), 404);
    must_lack(&b, "Lê Văn Tám");
    browser_free(&b);
}

static void test_actions_through_forms_change_the_state_or_say_why_not(void **state)
{
    (void)state;
    long long id = submit("feedback", "586.01", "Cây đổ chắn đường thôn Vĩnh Hy", "Hồ Thị Lan");
    struct browser b = {0};
    web_login(&b, "handler.vinhhai", "demo-handler-2026");
    long long audit = db_int("SELECT count(*) FROM audit");
    /* a reason is needed to reject: the message is beside the field, nothing changes */
    assert_int_equal(act_form(&b, id, "reject", "reason", "", NULL, NULL), 422);
    must_have(&b, "id=\"e-reject-reason\"");
    must_have(&b, "aria-invalid=\"true\"");
    char *s = status_of(id);
    assert_string_equal(s, "submitted");
    free(s);
    assert_int_equal(db_int("SELECT count(*) FROM audit"), audit);
    /* accept: 303 back to the case, which says so; the API sees the new state */
    assert_int_equal(act_form(&b, id, "accept", NULL, NULL, NULL, NULL), 303);
    s = status_of(id);
    assert_string_equal(s, "accepted");
    free(s);
    char path[96];
    snprintf(path, sizeof path, "/office/cases/%lld?done=accept", id);
    assert_int_equal(get(&b, path), 200);
    must_have(&b, "class=\"notice good\"");
    must_have(&b, "id=\"act-start\"");
    must_lack(&b, "id=\"act-accept\"");
    /* start, then resolve with an answer */
    assert_int_equal(act_form(&b, id, "start", NULL, NULL, NULL, NULL), 303);
    assert_int_equal(act_form(&b, id, "resolve", "answer", "", NULL, NULL), 422);
    must_have(&b, "id=\"e-resolve-answer\"");
    assert_int_equal(
        act_form(&b, id, "resolve", "answer", "Đã dọn cây đổ.", "document", "Biên bản 5/BB"), 303);
    s = status_of(id);
    assert_string_equal(s, "resolved");
    free(s);
    browser_free(&b);
}

static void test_csrf_missing_wrong_or_a_stale_version_changes_nothing(void **state)
{
    (void)state;
    long long id = submit("feedback", "586.01", "Ổ gà trên đường Vĩnh Hy", "Trịnh Văn Nam");
    struct browser b = {0};
    web_login(&b, "handler.vinhhai", "demo-handler-2026");
    char path[64];
    snprintf(path, sizeof path, "/office/cases/%lld", id);
    assert_int_equal(get(&b, path), 200);
    char *csrf = input_value(&b, "csrf"), *version = input_value(&b, "version");
    struct browser other = {0};
    web_login(&other, "handler.ninhhai", "demo-handler-2026");
    long long audit = db_int("SELECT count(*) FROM audit");
    long long v = db_int("SELECT version FROM cases WHERE id = %lld", id);
    assert_int_equal(post(&b, path, form_of("action", "accept", "version", version, NULL)), 403);
    assert_int_equal(post(&b, path,
                          form_of("csrf", "00112233445566778899aabbccddeeff", "action", "accept",
                                  "version", version, NULL)),
                     403);
    /* another browser's token (another session) is wrong here too */
    assert_int_equal(get(&other, path), 200);
    char *theirs = input_value(&other, "csrf");
    assert_int_equal(
        post(&b, path, form_of("csrf", theirs, "action", "accept", "version", version, NULL)), 403);
    assert_int_equal(db_int("SELECT version FROM cases WHERE id = %lld", id), v);
    assert_int_equal(db_int("SELECT count(*) FROM audit"), audit);
    /* the case changes meanwhile (the other handler rejects it): the old page's form is 409 */
    assert_int_equal(act_form(&other, id, "reject", "reason", "Trùng với đơn trước.", NULL, NULL),
                     303);
    assert_int_equal(
        post(&b, path, form_of("csrf", csrf, "action", "accept", "version", version, NULL)), 409);
    must_have(&b, "changed while you had it open");
    char *s = status_of(id);
    assert_string_equal(s, "rejected");
    free(s);
    browser_free(&b);
    browser_free(&other);
    free(theirs);
    free(csrf);
    free(version);
}

static void test_an_inspector_never_sees_who_sent_a_case(void **state)
{
    (void)state;
    long long denounced =
        submit("denunciation", "586.01", "Tố cáo cán bộ địa chính nhận tiền", "Người Tố Cáo Kín");
    long long named =
        submit("complaint", "586.01", "Khiếu nại quyết định xử phạt", "Người Khiếu Nại Rõ Tên");
    struct browser b = {0};
    web_login(&b, "inspector.vinhhai", "demo-inspector-2026");
    char path[64];
    const char *pages[] = {"/office", "/office?open=all", "/office/dashboard", path, path};
    long long ids[] = {0, 0, 0, denounced, named};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        if (ids[i])
            snprintf(path, sizeof path, "/office/cases/%lld", ids[i]);
        assert_int_equal(get(&b, pages[i]), 200);
        must_lack(&b, "Người Tố Cáo Kín");
        must_lack(&b, "Người Khiếu Nại Rõ Tên");
        must_lack(&b, "0912 345 678");
        must_lack(&b, "id=\"act-"); /* inspectors take no action */
    }
    must_have(&b, "Khiếu nại quyết định xử phạt"); /* the handling record itself is shown */
    /* a handler sees the named sender, and the denouncer only sealed */
    struct browser h = {0};
    web_login(&h, "handler.ninhhai", "demo-handler-2026");
    snprintf(path, sizeof path, "/office/cases/%lld", named);
    assert_int_equal(get(&h, path), 200);
    must_have(&h, "Người Khiếu Nại Rõ Tên");
    snprintf(path, sizeof path, "/office/cases/%lld", denounced);
    assert_int_equal(get(&h, path), 200);
    must_lack(&h, "Người Tố Cáo Kín");
    browser_free(&b);
    browser_free(&h);
}

static void test_only_the_assigned_handler_reveals_and_the_reveal_is_audited(void **state)
{
    (void)state;
    long long id =
        submit("denunciation", "586.01", "Tố cáo việc thu tiền sai quy định", "Người Được Bảo Vệ");
    char *handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    act_api(handler, id, "{\"action\":\"accept\"}");
    act_api(handler, id, "{\"action\":\"start\"}");
    free(handler);
    long long reveals = db_int("SELECT count(*) FROM audit WHERE action = 'case.reveal'");
    char path[64];
    snprintf(path, sizeof path, "/office/cases/%lld", id);
    /* the leader and another handler of the unit: no reveal form, and the form refused */
    const char *others[][2] = {{"leader.ninhhai", "demo-leader-2026"},
                               {"handler.ninhhai", "demo-handler-2026"}};
    for (size_t i = 0; i < 2; i++) {
        struct browser o = {0};
        web_login(&o, others[i][0], others[i][1]);
        assert_int_equal(get(&o, path), 200);
        must_lack(&o, "id=\"act-reveal\"");
        assert_int_equal(act_form(&o, id, "reveal", "reason", "Cần xác minh.", NULL, NULL), 403);
        must_lack(&o, "Người Được Bảo Vệ");
        browser_free(&o);
    }
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'case.reveal'"), reveals);
    /* the assigned handler: a reason is required; then the identity is shown, once */
    struct browser b = {0};
    web_login(&b, "handler.vinhhai", "demo-handler-2026");
    assert_int_equal(get(&b, path), 200);
    must_have(&b, "id=\"act-reveal\"");
    must_lack(&b, "Người Được Bảo Vệ");
    assert_int_equal(act_form(&b, id, "reveal", "reason", "", NULL, NULL), 422);
    must_have(&b, "id=\"e-reveal-reason\"");
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'case.reveal'"), reveals);
    assert_int_equal(act_form(&b, id, "reveal", "reason", "Cần lấy lời khai bổ sung.", NULL, NULL),
                     200);
    must_have(&b, "Người Được Bảo Vệ");
    must_have(&b, "id=\"revealed\"");
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'case.reveal'"),
                     reveals + 1);
    assert_int_equal(db_int("SELECT count(*) FROM audit WHERE action = 'case.reveal' AND "
                            "actor = 'user:' || (SELECT id FROM users WHERE login = "
                            "'handler.vinhhai') AND object_id = '%lld'",
                            id),
                     1);
    assert_int_equal(get(&b, path), 200);
    must_lack(&b, "Người Được Bảo Vệ");
    browser_free(&b);
}

/* ---- the reception desk ---- */

static void test_the_reception_desk_enters_a_case_with_channel_reception(void **state)
{
    (void)state;
    struct browser b = {0};
    web_login(&b, "receptionist.vinhhai", "demo-reception-2026");
    assert_int_equal(get(&b, "/office/reception"), 200);
    char *csrf = input_value(&b, "csrf");
    /* a missing title is shown beside the field, and nothing is stored */
    long long cases = db_int("SELECT count(*) FROM cases");
    assert_int_equal(
        post(&b, "/office/reception",
             form_of("csrf", csrf, "unit", "586.01", "channel", "reception", "kind", "complaint",
                     "title", "", "description", "Bà Tư đến trình bày.", NULL)),
        422);
    must_have(&b, "id=\"e-f-title\"");
    assert_int_equal(db_int("SELECT count(*) FROM cases"), cases);
    assert_int_equal(
        post(&b, "/office/reception",
             form_of("csrf", csrf, "unit", "586.01", "channel", "reception", "kind", "complaint",
                     "title", "Khiếu nại về tiền bồi thường", "description",
                     "Bà Tư đến trình bày việc chưa nhận đủ tiền bồi thường.", "name",
                     "Nguyễn Thị Tư", "phone", "0905 111 222", "privacy", "public", NULL)),
        200);
    must_have(&b, "id=\"tracking-code\"");
    must_have(&b, "id=\"access-key\"");
    must_have(&b, "<svg");
    const char *p = strstr(b.last, "id=\"tracking-code\">");
    assert_non_null(p);
    p += strlen("id=\"tracking-code\">");
    char code[32];
    snprintf(code, sizeof code, "%.*s", (int)strcspn(p, "<"), p);
    assert_int_equal(db_int("SELECT count(*) FROM cases WHERE tracking_code = '%s' AND channel = "
                            "'reception' AND created_by = (SELECT id FROM users WHERE login = "
                            "'receptionist.vinhhai')",
                            code),
                     1);
    /* the desk is for receptionists */
    struct browser h = {0};
    web_login(&h, "handler.vinhhai", "demo-handler-2026");
    assert_int_equal(get(&h, "/office/reception"), 403);
    browser_free(&h);
    browser_free(&b);
    free(csrf);
}

/* ---- the dashboard ---- */

/* The number shown in the element with id (digits only, grouping dropped). */
static long long shown(const struct browser *b, const char *id)
{
    char pat[64];
    snprintf(pat, sizeof pat, "id=\"%s\">", id);
    const char *p = strstr(b->last, pat);
    if (!p)
        fail_msg("no %s on the page", id);
    p += strlen(pat);
    if (strncmp(p, "<span class=\"n\">", 16) == 0)
        p += 16;
    long long n = 0;
    for (; (*p >= '0' && *p <= '9') || *p == ',' || *p == '.'; p++)
        if (*p >= '0' && *p <= '9')
            n = n * 10 + (*p - '0');
    return n;
}

static void test_the_dashboard_figures_equal_counts_of_our_own(void **state)
{
    (void)state;
    struct browser b = {0};
    web_login(&b, "leader.ninhhai", "demo-leader-2026");
    assert_int_equal(get(&b, "/office/dashboard?unit=586"), 200);
    long long now_ms = (long long)time(NULL) * 1000;
    const char *scope = "FROM cases c WHERE c.unit_id IN (SELECT id FROM units WHERE path LIKE "
                        "'/58/586/%')";
    assert_int_equal(shown(&b, "open"), db_int("SELECT count(*) %s AND c.open = 1", scope));
    assert_int_equal(
        shown(&b, "overdue"),
        db_int("SELECT count(*) %s AND c.open = 1 AND c.due_at < %lld", scope, now_ms));
    assert_int_equal(shown(&b, "soon"),
                     db_int("SELECT count(*) %s AND c.open = 1 AND c.due_at >= %lld AND "
                            "c.due_at < %lld",
                            scope, now_ms, now_ms + 48 * 3600000LL));
    assert_int_equal(shown(&b, "total"), db_int("SELECT count(*) %s", scope));
    static const char *const statuses[] = {"submitted", "accepted",    "in_progress",
                                           "resolved",  "closed",      "rejected",
                                           "merged",    "transferred", "reopened"};
    for (size_t i = 0; i < sizeof statuses / sizeof statuses[0]; i++) {
        char pat[64];
        snprintf(pat, sizeof pat, "data-status=\"%s", statuses[i]);
        const char *p = strstr(b.last, pat);
        assert_non_null(p);
        p = strchr(p, '>') + 1;
        assert_int_equal(strtoll(p, NULL, 10),
                         db_int("SELECT count(*) %s AND c.status = '%s'", scope, statuses[i]));
    }
    long long answered =
                  db_int("SELECT count(*) %s AND c.open = 0 AND c.resolved_at IS NOT NULL", scope),
              on_time = db_int("SELECT count(*) %s AND c.open = 0 AND c.resolved_at IS NOT NULL "
                               "AND c.resolved_at <= c.due_at",
                               scope);
    assert_true(answered > 0);
    char want[64];
    snprintf(want, sizeof want, "%lld%%", (on_time * 100 + answered / 2) / answered);
    must_have(&b, want);
    /* a unit outside theirs is refused */
    assert_int_equal(get(&b, "/office/dashboard?unit=582"), 403);
    browser_free(&b);
}

/* ---- languages ---- */

static void test_the_office_pages_speak_english_indonesian_and_vietnamese(void **state)
{
    (void)state;
    static const struct {
        const char *lang, *inbox, *dashboard, *accept;
    } langs[] = {{"en", "Inbox", "Dashboard", "Accept"},
                 {"id", "Kotak masuk", "Dasbor", "Terima"},
                 {"vi", "Hộp đơn", "Tổng quan", "Thụ lý"}};
    long long id = submit("feedback", "586.01", "Biển báo giao thông bị đổ", "Phan Văn Sơn");
    struct browser b = {0};
    web_login(&b, "receptionist.vinhhai", "demo-reception-2026");
    struct browser h = {0};
    web_login(&h, "handler.vinhhai", "demo-handler-2026");
    for (size_t i = 0; i < sizeof langs / sizeof langs[0]; i++) {
        char lang_cookie[32], html_lang[32], path[64];
        snprintf(lang_cookie, sizeof lang_cookie, "akar_lang=%s", langs[i].lang);
        snprintf(html_lang, sizeof html_lang, "<html lang=\"%s\">", langs[i].lang);
        jar_set(&b, lang_cookie);
        jar_set(&h, lang_cookie);
        assert_int_equal(get(&h, "/office"), 200);
        must_have(&h, html_lang);
        must_have(&h, langs[i].inbox);
        assert_int_equal(get(&h, "/office/dashboard"), 200);
        must_have(&h, langs[i].dashboard);
        snprintf(path, sizeof path, "/office/cases/%lld", id);
        assert_int_equal(get(&h, path), 200);
        must_have(&h, langs[i].accept);
        assert_int_equal(get(&b, "/office/reception"), 200);
        must_have(&b, html_lang);
        struct browser v = {0};
        jar_set(&v, lang_cookie);
        assert_int_equal(get(&v, "/login"), 200);
        must_have(&v, html_lang);
        browser_free(&v);
    }
    browser_free(&b);
    browser_free(&h);
}

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    leader_token = ht_login(E->srv.port, "leader.ninhhai", "demo-leader-2026");
    return rc;
}

static int teardown(void **state)
{
    free(leader_token);
    return ht_env_teardown(state);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_an_official_enrols_by_qr_then_signs_in_with_a_fresh_code),
        cmocka_unit_test(test_an_official_without_a_secret_enrols_a_new_one),
        cmocka_unit_test(test_wrong_codes_count_against_the_limit),
        cmocka_unit_test(test_a_resident_signs_in_without_a_code_and_signs_out_with_csrf),
        cmocka_unit_test(test_the_inbox_lists_the_subtree_by_deadline_with_overdue_in_words),
        cmocka_unit_test(test_a_submitted_case_offers_accept_reject_transfer_not_resolve),
        cmocka_unit_test(test_actions_through_forms_change_the_state_or_say_why_not),
        cmocka_unit_test(test_csrf_missing_wrong_or_a_stale_version_changes_nothing),
        cmocka_unit_test(test_an_inspector_never_sees_who_sent_a_case),
        cmocka_unit_test(test_only_the_assigned_handler_reveals_and_the_reveal_is_audited),
        cmocka_unit_test(test_the_reception_desk_enters_a_case_with_channel_reception),
        cmocka_unit_test(test_the_dashboard_figures_equal_counts_of_our_own),
        cmocka_unit_test(test_the_office_pages_speak_english_indonesian_and_vietnamese),
    };
    ht_init();
    int failed = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return failed;
}
