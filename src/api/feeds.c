/* GET /api/v1/units/{code}/feed.atom: an Atom feed (RFC 4287) of the newest public updates of
 * the cases in a unit's subtree. An entry shows what the public tracking page shows of the
 * event, and never more: only events with a public note, never actor or reason, and the
 * case's title only where the tracking page shows it (api_case_report_public). */
#include "api/internal.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xml.h"

#include <stdlib.h>
#include <string.h>

#define FEED_ENTRIES 50

/* The events' words for people, as the resident pages say them; an action not listed here
 * is shown by its name. */
static const struct {
    const char *action, *words;
} event_words[] = {
    {"submit", "Received"},
    {"accept", "Accepted for handling"},
    {"reject", "Not accepted"},
    {"transfer", "Transferred to the competent unit"},
    {"assign", "A handler was assigned"},
    {"start", "A handler is working on it"},
    {"extend", "Time limit extended"},
    {"resolve", "Resolved: the answer is published"},
    {"close", "Closed"},
    {"reopen", "Brought a second time, to the level above"},
    {"merge", "Handled together with a petition on the same matter"},
    {"rate", "Rated by the person who sent it"},
};

static const char *words_of(const char *action)
{
    for (size_t i = 0; i < sizeof event_words / sizeof event_words[0]; i++)
        if (strcmp(event_words[i].action, action) == 0)
            return event_words[i].words;
    return action;
}

/* An element <name>text</name> with text escaped. */
static void element(struct buf *b, const char *name, const char *text)
{
    buf_printf(b, "<%s>", name);
    xml_text(b, text);
    buf_printf(b, "</%s>", name);
}

static void entry(struct buf *b, const struct case_feed_row *e)
{
    char at[21];
    /* the title only where the public tracking page shows it */
    const struct case_row c = {.kind = e->kind, .privacy = e->privacy};
    bool report = api_case_report_public(&c) && e->title;
    buf_puts(b, "<entry>");
    buf_printf(b, "<id>urn:akar:case-event:%lld</id>", (long long)e->event_id);
    buf_puts(b, "<title>");
    xml_text(b, words_of(e->action));
    buf_puts(b, ": ");
    if (report) {
        xml_text(b, e->title);
        buf_puts(b, " (");
    }
    xml_text(b, e->tracking_code);
    if (report)
        buf_puts(b, ")");
    buf_puts(b, "</title>");
    element(b, "updated", clock_format_utc(e->at, at));
    buf_puts(b, "<link rel=\"alternate\" type=\"text/html\" href=\"/track/");
    xml_text(b, e->tracking_code);
    buf_puts(b, "\"/><content type=\"text\">");
    xml_text(b, e->public_note);
    buf_puts(b, "</content></entry>");
}

int api_unit_feed(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct unit_row u;
    int rc = store_unit_get(api->store, req->arena, req->params[0], &u);
    if (rc == AKAR_ENOTFOUND)
        return api_problem(req, 404, NULL, "no unit has this code");
    struct case_feed_row *rows = NULL;
    size_t n = 0;
    if (rc == 0)
        rc = store_case_feed(api->store, req->arena, u.id, FEED_ENTRIES, &rows, &n);
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");

    char at[21];
    struct buf b = {0};
    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
                 "<feed xmlns=\"http://www.w3.org/2005/Atom\">");
    buf_puts(&b, "<id>urn:akar:unit-feed:");
    xml_text(&b, u.code);
    buf_puts(&b, "</id>");
    element(&b, "title", u.name);
    /* Atom wants an author of every entry: the unit speaks for its updates */
    buf_puts(&b, "<author>");
    element(&b, "name", u.name);
    buf_puts(&b, "</author>");
    element(&b, "updated", clock_format_utc(n ? rows[0].at : u.created_at, at));
    buf_puts(&b, "<link rel=\"self\" type=\"application/atom+xml\" href=\"/api/v1/units/");
    xml_text(&b, u.code);
    buf_puts(&b, "/feed.atom\"/>");
    for (size_t i = 0; i < n; i++)
        entry(&b, &rows[i]);
    buf_puts(&b, "</feed>\n");
    char *body = arena_strdup(req->arena, b.data);
    size_t len = b.len;
    buf_release(&b);
    return http_reply(req, 200, "application/atom+xml; charset=utf-8", body, len);
}
