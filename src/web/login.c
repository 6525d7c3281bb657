/* Signing in and out in the browser. GET /login asks for the login and the password; POST
 * /login checks them through the API's sign-in (same throttle, same timing for unknown logins).
 * A resident is then signed in. An official goes on to a second step, POST /login/code, for the
 * code of their authenticator app; while no code has confirmed their secret, that step is the
 * enrolment page, with the secret as a QR code and in text. Between the steps a ticket signed
 * with the server's key carries who passed the password (and a secret being enrolled) for ten
 * minutes, so nothing is kept on the server for a half-finished sign-in: the API's ticket
 * (api_signin_ticket), which its own enrolment uses too. POST /logout ends the session. */
#include "web/office.h"

#include "base/arena.h"
#include "base/err.h"
#include "domain/totp.h"

#include <stddef.h>
#include <string.h>

/* A sign-in in progress: lives in the request's arena across the write of the session. */
struct login {
    struct page pg;
    struct api_signin si;
    const char *next;       /* where to go once signed in ("" for the default) */
    const char *ticket;     /* for the code step */
    const char *new_secret; /* a secret being enrolled, not yet stored */
};

/* next if it is a path of this site (never "//host" or "/\host", which browsers treat as
 * hosts), else "". */
static const char *safe_next(const char *next)
{
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        return "";
    return next;
}

/* ---- pages ---- */

static int login_page(struct page *pg, const char *login, const char *next, const char *notice,
                      const char *err_login, const char *err_password, int status)
{
    struct buf *b = &pg->out;
    pg->title = T(pg, "Sign in");
    html_fmt(b, "<h1>%s</h1>", pg->title);
    if (notice)
        html_fmt(b, "<div class=\"notice error\" role=\"alert\"><p>%s</p></div>", notice);
    html_fmt(b,
             "<form method=\"post\" action=\"/login\" class=\"stack\" novalidate>%r"
             "<input type=\"hidden\" name=\"next\" value=\"%s\">",
             page_csrf_input(pg), next);
    office_field(pg, "f-login", "login", "text", T(pg, "Login"), NULL, login, err_login,
                 " autocomplete=\"username\" autocapitalize=\"none\" spellcheck=\"false\" "
                 "maxlength=\"64\" required");
    office_field(pg, "f-password", "password", "password", T(pg, "Password"), NULL, "",
                 err_password, " autocomplete=\"current-password\" required");
    html_fmt(b, "<p><button type=\"submit\">%s</button></p></form><p class=\"muted\">%s</p>",
             T(pg, "Sign in"),
             T(pg, "Officials are then asked for the code of their authenticator app."));
    return page_finish(pg, status);
}

/* The secret in groups of four, as authenticator apps show keys. */
static const char *grouped(struct arena *a, const char *secret)
{
    char *out = arena_alloc(a, strlen(secret) * 5 / 4 + 2), *o = out;
    for (size_t i = 0; secret[i]; i++) {
        if (i && i % 4 == 0)
            *o++ = ' ';
        *o++ = secret[i];
    }
    *o = 0;
    return out;
}

/* The second step: the code, or enrolment while no code has confirmed a secret. */
static int code_page(struct login *l, const char *error, int status)
{
    struct page *pg = &l->pg;
    struct buf *b = &pg->out;
    struct arena *a = pg->req->arena;
    bool enrolling = l->new_secret || !l->si.user.totp_confirmed;
    const char *secret = l->new_secret ? l->new_secret : l->si.secret;
    if (enrolling && secret) {
        pg->title = T(pg, "Set up your authenticator app");
        const char *qr = web_qr_svg(a, totp_uri(a, l->si.user.login, secret),
                                    T(pg, "QR code that adds akar to an authenticator app"));
        html_fmt(b,
                 "<h1>%s</h1><p>%s</p><ol class=\"steps\"><li><p>%s</p><div class=\"qr\">%r</div>"
                 "</li><li><p>%s</p><p><code class=\"code key\" id=\"secret\">%s</code></p></li>"
                 "<li><p>%s</p></li></ol>",
                 pg->title,
                 T(pg, "Officials sign in in two steps: the password, then a 6-digit code that "
                       "an authenticator app on your phone makes anew every 30 seconds (for "
                       "example FreeOTP, Aegis, Google Authenticator or Microsoft "
                       "Authenticator)."),
                 T(pg, "In the app, add an account and scan this QR code."), qr ? qr : "",
                 T(pg, "If you cannot scan it, choose to type a key, and type this one:"),
                 grouped(a, secret),
                 T(pg, "Enter below the code that the app now shows for akar. From then on, "
                       "you sign in with your password and a code from the app."));
    } else {
        pg->title = T(pg, "Enter your code");
        html_fmt(b, "<h1>%s</h1><p>%s</p>", pg->title,
                 T(pg, "Open your authenticator app and enter the 6-digit code it shows for "
                       "akar."));
    }
    html_fmt(b,
             "<form method=\"post\" action=\"/login/code\" class=\"stack\" novalidate>%r"
             "<input type=\"hidden\" name=\"ticket\" value=\"%s\">"
             "<input type=\"hidden\" name=\"next\" value=\"%s\">",
             page_csrf_input(pg), l->ticket, l->next);
    office_field(pg, "f-code", "code", "text", T(pg, "Code"), T(pg, "Six digits, such as 123456."),
                 "", error,
                 " inputmode=\"numeric\" autocomplete=\"one-time-code\" maxlength=\"8\" "
                 "pattern=\"[0-9 ]*\" required autofocus");
    html_fmt(b, "<p><button type=\"submit\">%s</button></p></form><p><a href=\"/login\">%s</a></p>",
             enrolling ? T(pg, "Confirm and sign in") : T(pg, "Sign in"), T(pg, "Start again"));
    return page_finish(pg, status);
}

static int too_many(struct page *pg, unsigned wait)
{
    http_add_header(pg->req, "Retry-After", arena_printf(pg->req->arena, "%u", wait));
    const char *minutes = page_number(pg, (wait + 59) / 60);
    return page_message(
        pg, 429, T(pg, "Too many attempts"),
        arena_printf(pg->req->arena,
                     T(pg, "Too many failed sign-ins. To protect the account, wait %s minutes "
                           "and try again."),
                     minutes));
}

static int unavailable(struct page *pg)
{
    return page_message(pg, 503, T(pg, "Try again shortly"),
                        T(pg, "Signing in is not possible just now. Try again in a moment."));
}

static int expired(struct page *pg, const char *next)
{
    return login_page(pg, "", next,
                      T(pg, "Your sign-in has expired. Enter your login and password again."), NULL,
                      NULL, 400);
}

/* After the session's write. */
static int signed_in(struct http_request *req)
{
    struct login *l = (struct login *)((char *)req->op - offsetof(struct login, si));
    struct page *pg = &l->pg;
    if (l->si.write->rc == AKAR_ECONFLICT)
        return code_page(l,
                         T(pg, "This code was used already. Wait for the app to show the "
                               "next one."),
                         401);
    if (l->si.write->rc)
        return unavailable(pg);
    api_signin_cookie(pg->web->api, req, l->si.token);
    const char *to = *l->next ? l->next : l->si.official ? "/office" : "/mine";
    return page_redirect(pg, to);
}

int web_login_form(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    const char *next = safe_next(http_query(req, "next"));
    if (pg.who)
        return page_redirect(&pg, *next ? next : office_is_official(pg.who) ? "/office" : "/mine");
    return login_page(&pg, "", next, NULL, NULL, NULL, 200);
}

int web_login_post(struct http_request *req)
{
    struct login *l = arena_calloc(req->arena, sizeof *l);
    struct page *pg = &l->pg;
    struct api *api = ((struct web *)req->route_ctx)->api;
    page_begin(pg, req, req->route_ctx);
    struct form f;
    int reply;
    if (!office_form(pg, &f, &reply))
        return reply;
    const char *login = form_get(&f, "login"), *password = form_get(&f, "password");
    login = login ? login : "";
    password = password ? password : "";
    l->next = safe_next(form_get(&f, "next"));
    if (!*login || !*password || strlen(login) > 64)
        return login_page(pg, login, l->next, NULL,
                          !*login || strlen(login) > 64 ? T(pg, "Enter your login.") : NULL,
                          !*password ? T(pg, "Enter your password.") : NULL, 422);
    unsigned wait = api_signin_wait(api, req, login);
    if (wait)
        return too_many(pg, wait);
    int rc = api_signin_password(api, req, login, password, &l->si);
    if (rc == AKAR_ESTORE)
        return unavailable(pg);
    if (rc)
        return login_page(pg, login, l->next, T(pg, "The login or the password is wrong."), NULL,
                          NULL, 401);
    if (!l->si.official)
        return api_signin_start(api, req, &l->si, signed_in);
    if (!l->si.secret && l->si.user.totp_confirmed)
        return page_message(pg, 403, T(pg, "Ask an administrator"),
                            T(pg, "The code of your authenticator app cannot be checked. An "
                                  "administrator has to set up your second step again."));
    if (!l->si.secret) {
        char *secret = arena_alloc(req->arena, TOTP_SECRET_CHARS + 1);
        totp_secret_new(secret);
        l->new_secret = secret;
    }
    l->ticket = api_signin_ticket(api, req->arena, l->si.user.id, l->new_secret, NULL);
    return code_page(l, NULL, 200);
}

int web_login_code(struct http_request *req)
{
    struct login *l = arena_calloc(req->arena, sizeof *l);
    struct page *pg = &l->pg;
    struct api *api = ((struct web *)req->route_ctx)->api;
    page_begin(pg, req, req->route_ctx);
    struct form f;
    int reply;
    if (!office_form(pg, &f, &reply))
        return reply;
    l->next = safe_next(form_get(&f, "next"));
    l->ticket = form_get(&f, "ticket");
    int64_t uid;
    if (api_signin_ticket_open(api, req->arena, l->ticket, &uid, &l->new_secret))
        return expired(pg, l->next);
    int rc = api_signin_user(api, req, uid, &l->si);
    if (rc == AKAR_ESTORE)
        return unavailable(pg);
    if (rc || !l->si.official)
        return expired(pg, l->next);
    unsigned wait = api_signin_wait(api, req, l->si.user.login);
    if (wait)
        return too_many(pg, wait);
    const char *code = form_get(&f, "code");
    if (!code || !*code)
        return code_page(l, T(pg, "Enter the 6-digit code that your app shows."), 422);
    rc = api_signin_totp(api, req, &l->si, code, l->new_secret);
    if (rc == AKAR_EINVAL)
        return code_page(l,
                         T(pg, "This code is wrong or has expired. Enter the code that the "
                               "app shows now."),
                         401);
    if (rc == AKAR_ECONFLICT && !l->new_secret)
        return code_page(l,
                         T(pg, "This code was used already. Wait for the app to show the "
                               "next one."),
                         401);
    if (rc)
        return expired(pg, l->next);
    return api_signin_start(api, req, &l->si, signed_in);
}

static int signed_out(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    const struct store_write *w = req->op;
    if (w->rc && w->rc != AKAR_ENOTFOUND)
        return unavailable(&pg);
    api_signin_cookie(pg.web->api, req, NULL);
    return page_redirect(&pg, "/");
}

int web_logout(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    if (!pg.who)
        return page_redirect(&pg, "/");
    struct form f;
    int reply;
    if (!office_form(&pg, &f, &reply))
        return reply;
    return api_signout_start(pg.web->api, req, pg.who, signed_out);
}
