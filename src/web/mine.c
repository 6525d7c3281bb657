/* GET /mine: the petitions a signed-in resident sent, newest first, each with its status and
 * a link to its tracking page; ?before=ID pages back through older ones. */
#include "web/resident.h"

#include "base/arena.h"
#include "base/clock.h"

#include <stdlib.h>

#define MINE_PAGE 50

int web_mine(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    if (!pg.who)
        return page_redirect(&pg, "/login?next=%2Fmine");
    const char *before_text = http_query(req, "before");
    char *end = NULL;
    long long before = before_text ? strtoll(before_text, &end, 10) : 0;
    if (before_text && (*end || before <= 0))
        before = 0;
    struct case_row *rows;
    size_t n;
    if (store_case_list_by_creator(pg.web->store, req->arena, pg.who->user.id, before, MINE_PAGE,
                                   &rows, &n) != 0)
        return page_message(&pg, 503, T(&pg, "Please try again"),
                            T(&pg, "The service is busy. Wait a moment and try again."));
    struct buf *b = &pg.out;
    pg.title = T(&pg, "My petitions");
    html_fmt(b, "<h1>%s</h1>", pg.title);
    if (n == 0 && !before) {
        html_fmt(b, "<p>%s</p><p><a class=\"button\" href=\"/submit\">%s</a></p>",
                 T(&pg, "You have not sent a petition while signed in."),
                 T(&pg, "Send a petition"));
        return page_finish(&pg, 200);
    }
    html_fmt(b, "<ul class=\"cases\" aria-label=\"%s\">", T(&pg, "Your petitions, newest first"));
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < n; i++) {
        const struct case_row *c = &rows[i];
        bool overdue = c->open && c->due_at < now;
        html_fmt(b,
                 "<li><a href=\"/track/%s\">%s</a> <span class=\"%s\">%s</span><br>"
                 "<span class=\"muted\"><span class=\"nowrap\">%s</span> · %s · %s · %s</span>"
                 "</li>",
                 c->tracking_code, c->title, web_status_badge(c->status, overdue),
                 web_status_label(&pg, c->status), c->tracking_code, web_kind_label(&pg, c->kind),
                 c->unit_name, page_date(&pg, c->received_at, c->unit_time_zone));
    }
    html_fmt(b, "</ul>");
    if (n == MINE_PAGE)
        html_fmt(b, "<p><a href=\"/mine?before=%lld\">%s</a></p>", (long long)rows[n - 1].id,
                 T(&pg, "Older petitions"));
    return page_finish(&pg, 200);
}
