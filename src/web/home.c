/* GET /: what akar is for, the two things a resident comes to do, and the units, nested, each
 * linking to the petition form already addressed to it. */
#include "web/internal.h"

#include "base/arena.h"

#include <string.h>

struct open_item {
    const char *code;
    bool has_list; /* its <ul> of children is open */
};

/* rows come in tree order (by path), parents first: a stack of the open ancestors tells where
 * each row's list opens and closes. The top unit's children (districts) fold into <details>, so
 * a phone shows one line per district until one is opened. */
static void unit_tree(struct page *pg, const struct unit_row *rows, size_t n)
{
    struct buf *b = &pg->out;
    struct open_item *stack = arena_alloc(pg->req->arena, (n + 1) * sizeof *stack);
    size_t depth = 0;
    html_fmt(b, "<ul>");
    for (size_t i = 0; i <= n; i++) {
        const char *parent = i < n ? rows[i].parent_code : NULL;
        while (depth > 0 && !(parent && strcmp(stack[depth - 1].code, parent) == 0)) {
            if (depth == 2)
                html_fmt(b, stack[depth - 1].has_list ? "</ul></details></li>" : "</li>");
            else
                html_fmt(b, stack[depth - 1].has_list ? "</ul></li>" : "</li>");
            depth--;
        }
        if (i == n)
            break;
        if (depth > 0 && !stack[depth - 1].has_list) { /* the first child opens the list */
            html_fmt(b, "<ul>");
            stack[depth - 1].has_list = true;
        }
        bool folds = depth == 1 && i + 1 < n && rows[i + 1].parent_code &&
                     strcmp(rows[i + 1].parent_code, rows[i].code) == 0;
        if (folds) {
            /* the district itself is the first entry of its own list */
            html_fmt(
                b,
                "<li><details><summary>%s</summary><ul><li>"
                "<a href=\"/submit?unit=%s\">%r</a></li>",
                rows[i].name, rows[i].code,
                html_fmt_arena(pg->req->arena, "%s (%s)", rows[i].name, T(pg, "the whole unit")));
            stack[depth++] = (struct open_item){rows[i].code, true};
        } else {
            html_fmt(b, "<li><a href=\"/submit?unit=%s\">%s</a>", rows[i].code, rows[i].name);
            stack[depth++] = (struct open_item){rows[i].code, false};
        }
    }
    html_fmt(b, "</ul>");
}

int web_home(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    pg.title = T(&pg, "Be heard by your commune, district and province");
    html_fmt(&pg.out,
             "<h1>%s</h1><p class=\"lead\">%s</p>"
             "<p class=\"actions\"><a class=\"button\" href=\"/submit\">%s</a> "
             "<a class=\"button secondary\" href=\"/track\">%s</a></p>",
             pg.title,
             T(&pg, "Send feedback, a recommendation, a complaint, a denunciation or a request "
                    "for information to the unit that can act on it. Every petition gets a "
                    "tracking code and an answer within the deadline the law sets."),
             T(&pg, "Send a petition"), T(&pg, "Track a petition"));
    struct unit_row *rows;
    size_t n;
    if (store_unit_list(pg.web->store, req->arena, &rows, &n) == 0 && n) {
        html_fmt(&pg.out, "<section aria-labelledby=\"units\"><h2 id=\"units\">%s</h2><p>%s</p>",
                 T(&pg, "Units"), T(&pg, "Choose the unit your petition is for."));
        html_fmt(&pg.out, "<nav class=\"tree\" aria-labelledby=\"units\">");
        unit_tree(&pg, rows, n);
        html_fmt(&pg.out, "</nav></section>");
    }
    return page_finish(&pg, 200);
}
