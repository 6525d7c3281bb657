/* The page frame every HTML answer shares: language choice, the signed-in person, the layout
 * (skip link, header, language switch, main, footer), CSRF tokens, locale formatting, static
 * assets, the language switch route and the HTML 404. */
#include "web/internal.h"

#include "base/arena.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/seal.h"
#include "base/tsv.h"
#include "base/tz.h"
#include "domain/access.h"
#include "http/cookie.h"

#include <microhttpd.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LANG_COOKIE "akar_lang"
#define CSRF_COOKIE "akar_csrf"

void page_begin(struct page *pg, struct http_request *req, struct web *w)
{
    memset(pg, 0, sizeof *pg);
    pg->req = req;
    pg->web = w;
    int l = lang_parse(cookie_get(req->arena, http_header(req, "Cookie"), LANG_COOKIE));
    pg->lang = l >= 0 ? (enum lang)l : lang_negotiate(http_header(req, "Accept-Language"));
    pg->cat = w->catalogs[pg->lang];
    if (api_identify(w->api, req, &pg->who) != 0)
        pg->who = NULL;
}

static bool is_official(const struct identity *who)
{
    for (size_t i = 0; who && i < who->ngrants; i++)
        if (who->grants[i].role != ROLE_RESIDENT)
            return true;
    return false;
}

static void nav_link(struct page *pg, struct buf *b, const char *href, const char *label)
{
    bool here = strcmp(pg->req->path, href) == 0;
    html_fmt(b, "<li><a href=\"%s\"%r>%s</a></li>", href, here ? " aria-current=\"page\"" : "",
             label);
}

static void header(struct page *pg, struct buf *b)
{
    html_fmt(b,
             "<a class=\"skip\" href=\"#main\">%s</a>"
             "<header class=\"top\"><div class=\"wrap\">"
             "<a class=\"brand\" href=\"/\">akar</a>"
             "<nav aria-label=\"%s\"><ul>",
             T(pg, "Skip to the content"), T(pg, "Main"));
    if (is_official(pg->who)) {
        nav_link(pg, b, "/office", T(pg, "Inbox"));
        for (size_t i = 0; i < pg->who->ngrants; i++)
            if (pg->who->grants[i].role == ROLE_RECEPTIONIST) {
                nav_link(pg, b, "/office/reception", T(pg, "Reception desk"));
                break;
            }
        nav_link(pg, b, "/office/dashboard", T(pg, "Dashboard"));
    } else {
        nav_link(pg, b, "/submit", T(pg, "Send a petition"));
        nav_link(pg, b, "/track", T(pg, "Track a petition"));
        if (pg->who)
            nav_link(pg, b, "/mine", T(pg, "My petitions"));
    }
    if (pg->who)
        html_fmt(b,
                 "<li><form method=\"post\" action=\"/logout\">%r"
                 "<button class=\"link\" type=\"submit\">%s</button></form></li>",
                 page_csrf_input(pg), T(pg, "Sign out"));
    else
        nav_link(pg, b, "/login", T(pg, "Sign in"));
    html_fmt(b, "</ul></nav><nav class=\"langs\" aria-label=\"%s\"><ul>", T(pg, "Language"));
    static const char *const names[LANG_COUNT] = {"English", "Bahasa Indonesia", "Tiếng Việt"};
    for (int l = 0; l < LANG_COUNT; l++) {
        if ((enum lang)l == pg->lang) {
            html_fmt(b, "<li><span lang=\"%s\" aria-current=\"true\">%s</span></li>",
                     lang_code((enum lang)l), names[l]);
            continue;
        }
        struct buf next = {0};
        html_url_value(&next, pg->req->path);
        html_fmt(b, "<li><a href=\"/lang/%s?next=%s\" lang=\"%s\" hreflang=\"%s\">%s</a></li>",
                 lang_code((enum lang)l), next.data ? next.data : "%2F", lang_code((enum lang)l),
                 lang_code((enum lang)l), names[l]);
        buf_release(&next);
    }
    html_fmt(b, "</ul></nav></div></header>");
}

int page_finish(struct page *pg, int status)
{
    struct web *w = pg->web;
    struct buf b = {0};
    const char *title = pg->title ? pg->title : "akar";
    html_fmt(&b,
             "<!doctype html><html lang=\"%s\"><head><meta charset=\"utf-8\">"
             "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
             "<title>%s · akar</title>"
             "<link rel=\"stylesheet\" href=\"/static/akar.css?v=%s\">"
             "<link rel=\"icon\" href=\"data:,\">"
             "<script src=\"/static/akar.js?v=%s\" defer></script></head><body>",
             lang_code(pg->lang), title, w->css_etag, w->js_etag);
    header(pg, &b);
    html_fmt(&b, "<main id=\"main\" tabindex=\"-1\"><div class=\"wrap\">%r</div></main>",
             pg->out.data ? pg->out.data : "");
    html_fmt(&b, "<footer><div class=\"wrap\"><p>%s</p></div></footer></body></html>\n",
             T(pg, "akar: petitions and grassroots democracy for every unit."));
    char *html = arena_strdup(pg->req->arena, b.data);
    size_t len = b.len;
    buf_release(&b);
    buf_release(&pg->out);
    http_add_header(pg->req, "Content-Language", lang_code(pg->lang));
    http_add_header(pg->req, "Vary", "Accept-Language, Cookie");
    http_add_header(pg->req, "Cache-Control", "no-store");
    /* a page answers 503 only when the store did not answer, which passes within moments */
    if (status == 503)
        http_add_header(pg->req, "Retry-After", "1");
    return http_reply(pg->req, status, "text/html; charset=utf-8", html, len);
}

int page_redirect(struct page *pg, const char *path)
{
    buf_release(&pg->out);
    http_add_header(pg->req, "Location", path);
    http_add_header(pg->req, "Cache-Control", "no-store");
    return http_reply(pg->req, 303, NULL, NULL, 0);
}

int page_message(struct page *pg, int status, const char *title, const char *text)
{
    pg->title = title;
    html_fmt(&pg->out, "<h1>%s</h1><p>%s</p>", title, text);
    return page_finish(pg, status);
}

/* ---- CSRF: a keyed hash of the session token, or of a random visitor cookie ---- */

static const char *csrf_for(struct page *pg, const char *scope, const void *secret, size_t n)
{
    unsigned char mac[16];
    crypto_generichash_state st;
    crypto_generichash_init(&st, pg->web->csrf_key, sizeof pg->web->csrf_key, sizeof mac);
    crypto_generichash_update(&st, (const unsigned char *)scope, strlen(scope));
    crypto_generichash_update(&st, secret, n);
    crypto_generichash_final(&st, mac, sizeof mac);
    char *hex = arena_alloc(pg->req->arena, 2 * sizeof mac + 1);
    sodium_bin2hex(hex, 2 * sizeof mac + 1, mac, sizeof mac);
    return hex;
}

static const char *csrf_token(struct page *pg, bool create)
{
    if (pg->who)
        return csrf_for(pg, "session", pg->who->token_hash, sizeof pg->who->token_hash);
    const char *v = cookie_get(pg->req->arena, http_header(pg->req, "Cookie"), CSRF_COOKIE);
    if (v && strlen(v) == 32 && strspn(v, "0123456789abcdef") == 32)
        return csrf_for(pg, "visitor", v, 32);
    if (!create)
        return NULL;
    unsigned char raw[16];
    randombytes_buf(raw, sizeof raw);
    char *fresh = arena_alloc(pg->req->arena, 33);
    sodium_bin2hex(fresh, 33, raw, sizeof raw);
    http_add_header(pg->req, "Set-Cookie",
                    arena_printf(pg->req->arena, "%s=%s; Path=/; HttpOnly; SameSite=Strict%s",
                                 CSRF_COOKIE, fresh,
                                 pg->web->api->cfg.secure_cookies ? "; Secure" : ""));
    return csrf_for(pg, "visitor", fresh, 32);
}

const char *page_csrf_input(struct page *pg)
{
    if (!pg->csrf)
        pg->csrf = csrf_token(pg, true);
    return html_fmt_arena(pg->req->arena, "<input type=\"hidden\" name=\"csrf\" value=\"%s\">",
                          pg->csrf);
}

bool page_csrf_ok(struct page *pg, const char *token)
{
    const char *want = csrf_token(pg, false);
    return want && token && strlen(token) == strlen(want) &&
           sodium_memcmp(want, token, strlen(want)) == 0;
}

/* ---- dates and numbers in the page's language ---- */

static const char *const months[12] = {N_("Jan"), N_("Feb"), N_("Mar"), N_("Apr"),
                                       N_("May"), N_("Jun"), N_("Jul"), N_("Aug"),
                                       N_("Sep"), N_("Oct"), N_("Nov"), N_("Dec")};

static void local_time(int64_t ms, const char *tz_name, struct civil_date *d, int *hh, int *mm)
{
    int64_t s = ms / 1000;
    const struct tz *z = tz_name ? tz_get(tz_name) : NULL;
    if (z)
        s += tz_offset(z, s);
    int64_t days = s >= 0 ? s / 86400 : (s - 86399) / 86400;
    int64_t rem = s - days * 86400;
    *d = civil_from_days(days);
    *hh = (int)(rem / 3600);
    *mm = (int)(rem % 3600 / 60);
}

const char *page_date(struct page *pg, int64_t ms, const char *tz_name)
{
    struct civil_date d;
    int hh, mm;
    local_time(ms, tz_name, &d, &hh, &mm);
    if (pg->lang == LANG_VI)
        return arena_printf(pg->req->arena, "%02d/%02d/%d", d.day, d.month, d.year);
    return arena_printf(pg->req->arena, "%d %s %d", d.day, T(pg, months[d.month - 1]), d.year);
}

const char *page_datetime(struct page *pg, int64_t ms, const char *tz_name)
{
    struct civil_date d;
    int hh, mm;
    local_time(ms, tz_name, &d, &hh, &mm);
    struct arena *a = pg->req->arena;
    switch (pg->lang) {
    case LANG_VI:
        return arena_printf(a, "%02d:%02d, %02d/%02d/%d", hh, mm, d.day, d.month, d.year);
    case LANG_ID:
        return arena_printf(a, "%d %s %d %02d.%02d", d.day, T(pg, months[d.month - 1]), d.year, hh,
                            mm);
    default:
        return arena_printf(a, "%d %s %d, %02d:%02d", d.day, T(pg, months[d.month - 1]), d.year, hh,
                            mm);
    }
}

const char *page_number(struct page *pg, long long n)
{
    char digits[32], out[48];
    snprintf(digits, sizeof digits, "%llu",
             n < 0 ? 0ull - (unsigned long long)n : (unsigned long long)n);
    char sep = pg->lang == LANG_EN ? ',' : '.';
    size_t len = strlen(digits), k = 0;
    if (n < 0)
        out[k++] = '-';
    for (size_t i = 0; i < len; i++) {
        if (i && (len - i) % 3 == 0)
            out[k++] = sep;
        out[k++] = digits[i];
    }
    out[k] = 0;
    return arena_strdup(pg->req->arena, out);
}

/* ---- routes of the frame itself ---- */

/* GET /lang/{code}?next=/path: remembers the choice for a year and goes back. */
static int lang_switch(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    int l = lang_parse(req->params[0]);
    if (l < 0 || strlen(req->params[0]) != 2)
        return page_message(&pg, 404, T(&pg, "Page not found"),
                            T(&pg, "There is no page at this address."));
    const char *next = http_query(req, "next");
    /* only a path of this site: never "//host" or "/\\host", which browsers treat as hosts */
    if (!next || next[0] != '/' || next[1] == '/' || next[1] == '\\' || strpbrk(next, "\r\n"))
        next = "/";
    http_add_header(req, "Set-Cookie",
                    arena_printf(req->arena, "%s=%s; Path=/; Max-Age=31536000; SameSite=Lax%s",
                                 LANG_COOKIE, lang_code((enum lang)l),
                                 pg.web->api->cfg.secure_cookies ? "; Secure" : ""));
    return page_redirect(&pg, next);
}

static int static_asset(struct http_request *req, struct MHD_Response *resp, const char *etag)
{
    const char *inm = http_header(req, "If-None-Match");
    char quoted[32];
    snprintf(quoted, sizeof quoted, "\"%s\"", etag);
    if (inm && strcmp(inm, quoted) == 0) {
        http_add_header(req, "ETag", quoted);
        return http_reply(req, 304, NULL, NULL, 0);
    }
    return http_reply_shared(req, 200, resp);
}

static int css(struct http_request *req)
{
    struct web *w = req->route_ctx;
    return static_asset(req, w->css, w->css_etag);
}

static int js(struct http_request *req)
{
    struct web *w = req->route_ctx;
    return static_asset(req, w->js, w->js_etag);
}

int web_not_found(struct http_request *req)
{
    struct web *w = req->route_ctx;
    /* machines' addresses answer machines: problem+json */
    if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/api") == 0 ||
        strcmp(req->path, "/healthz") == 0 || strcmp(req->path, "/metrics") == 0 ||
        strncmp(req->path, "/open311/", 9) == 0)
        return api_not_found(req);
    struct page pg;
    page_begin(&pg, req, w);
    const char *allowed = http_allowed(req);
    if (allowed) {
        http_add_header(req, "Allow", allowed);
        return page_message(&pg, 405, T(&pg, "Not allowed here"),
                            T(&pg, "This page cannot be used that way."));
    }
    return page_message(&pg, 404, T(&pg, "Page not found"),
                        T(&pg, "There is no page at this address."));
}

/* A body over its route's limit: people get a page in their language, machines a problem
 * document. Only the web's forms can be that large for a person (photos). */
static int too_large(struct http_request *req)
{
    if (strncmp(req->path, "/api/", 5) == 0 || strcmp(req->path, "/healthz") == 0 ||
        strcmp(req->path, "/metrics") == 0)
        return api_problem(req, 413, NULL, "the request body is larger than this address takes");
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    return page_message(&pg, 413, T(&pg, "Too much to send at once"),
                        T(&pg, "Nothing was sent. Photos may be up to 10 MB each and 25 MB "
                               "together: go back, choose fewer or smaller photos and send "
                               "again."));
}

/* ---- the context ---- */

static struct MHD_Response *asset(const char *name, const char *type, char *etag, size_t n)
{
    size_t size;
    const char *data = resource_find(name, &size);
    if (!data)
        return NULL;
    unsigned char h[8];
    crypto_generichash(h, sizeof h, (const unsigned char *)data, size, NULL, 0);
    sodium_bin2hex(etag, n, h, sizeof h);
    char quoted[32];
    snprintf(quoted, sizeof quoted, "\"%s\"", etag);
    struct MHD_Response *r = http_response_new(type, data, size, quoted);
    MHD_add_response_header(r, "Cache-Control", "public, max-age=31536000, immutable");
    return r;
}

struct web *web_new(struct api *api, const struct seal_key *key)
{
    struct web *w = xcalloc(1, sizeof *w);
    w->api = api;
    w->store = api->store;
    crypto_generichash(w->csrf_key, sizeof w->csrf_key, (const unsigned char *)"akar web csrf", 13,
                       key->k, sizeof key->k);
    for (int l = 1; l < LANG_COUNT; l++) {
        size_t size;
        char name[16];
        snprintf(name, sizeof name, "%s.mo", lang_code((enum lang)l));
        const char *mo = resource_find(name, &size);
        if (!mo || !(w->catalogs[l] = i18n_catalog_new(mo, size))) {
            web_free(w);
            return NULL;
        }
    }
    w->css = asset("akar.css", "text/css; charset=utf-8", w->css_etag, sizeof w->css_etag);
    w->js = asset("akar.js", "text/javascript; charset=utf-8", w->js_etag, sizeof w->js_etag);
    if (!w->css || !w->js) {
        web_free(w);
        return NULL;
    }
    return w;
}

void web_free(struct web *w)
{
    if (!w)
        return;
    for (int l = 0; l < LANG_COUNT; l++)
        i18n_catalog_free(w->catalogs[l]);
    if (w->css)
        http_response_free(w->css);
    if (w->js)
        http_response_free(w->js);
    free(w);
}

void web_mount(struct web *w, struct http_server *srv)
{
    http_route(srv, "GET", "/", web_home, w, 0);
    http_route(srv, "GET", "/static/akar.css", css, w, 0);
    http_route(srv, "GET", "/static/akar.js", js, w, 0);
    http_route(srv, "GET", "/lang/{}", lang_switch, w, 0);
    web_mount_resident(w, srv);
    web_mount_office(w, srv);
    http_fallback(srv, web_not_found, w);
    http_too_large(srv, too_large, w);
}
