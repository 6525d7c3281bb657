/* What the page handlers share: the web context, the page being built (language, signed-in
 * person, HTML buffer), translation macros, CSRF, and locale formatting. Not used outside
 * src/web/. */
#ifndef AKAR_WEB_INTERNAL_H
#define AKAR_WEB_INTERNAL_H
#include "api/internal.h"
#include "base/buf.h"
#include "base/i18n.h"
#include "web/html.h"
#include "web/web.h"

#include <stdbool.h>
#include <stdint.h>

struct web {
    struct api *api;
    struct store *store;
    struct i18n_catalog *catalogs[LANG_COUNT]; /* [LANG_EN] is NULL: English is the source */
    unsigned char csrf_key[32];                /* derived from the seal key */
    struct MHD_Response *css, *js;             /* the static assets, shared */
    char css_etag[24], js_etag[24];
};

/* A page being answered. */
struct page {
    struct http_request *req;
    struct web *web;
    enum lang lang;
    const struct i18n_catalog *cat;
    struct identity *who; /* the signed-in person, or NULL */
    struct buf out;       /* the <main> content */
    const char *title;    /* translated, for <title> and the heading */
    const char *csrf;     /* this page's CSRF token, once a form asked for it */
};

/* Translation. xgettext extracts T's 2nd argument, TN's 2nd and 3rd, and N_'s 1st (for tables
 * translated later with T(pg, table[i])). */
#define T(pg, msgid)         i18n_get((pg)->cat, msgid)
#define TN(pg, one, many, n) i18n_nget((pg)->cat, (pg)->lang, one, many, n)
#define N_(msgid)            msgid

/* Starts a page: picks the language (cookie, else Accept-Language) and looks up the session
 * cookie (an invalid one is treated as signed out). */
void page_begin(struct page *pg, struct http_request *req, struct web *w);
/* Wraps the content in the layout and replies with status. Returns HTTP_DONE. */
int page_finish(struct page *pg, int status);
/* Replies 303 See Other to a local path. */
int page_redirect(struct page *pg, const char *path);
/* A short page with a heading and one paragraph (errors, notices). */
int page_message(struct page *pg, int status, const char *title, const char *text);

/* The hidden CSRF input for a form (tied to the session, or to a browser cookie set now for a
 * visitor who is not signed in). */
const char *page_csrf_input(struct page *pg);
/* True if the POSTed token matches. */
bool page_csrf_ok(struct page *pg, const char *token);

/* The case's answers to its category's questions (a heading of the given level and a list),
 * or nothing if it has none. Only for pages whose reader may see them: officials, the sender. */
void web_case_answers(struct page *pg, const struct case_row *c, int level);

/* Formats an instant in a time zone (NULL: UTC) in the page's language, e.g. "28 Nov 2026,
 * 14:05" / "28 Nov 2026 14.05" / "14:05, 28/11/2026". Arena. */
const char *page_datetime(struct page *pg, int64_t ms, const char *tz_name);
/* The date part alone. */
const char *page_date(struct page *pg, int64_t ms, const char *tz_name);
/* A whole number with the language's digit grouping: 1,234 / 1.234 / 1.234. */
const char *page_number(struct page *pg, long long n);

int web_home(struct http_request *req);
int web_not_found(struct http_request *req);
/* The residents' pages: /submit, /receipt, /track, /mine (resident.c). */
void web_mount_resident(struct web *w, struct http_server *srv);
/* The officials' pages: /login, /logout and /office/... (office.c, office_case.c, reception.c,
 * login.c). */
void web_mount_office(struct web *w, struct http_server *srv);

#endif
