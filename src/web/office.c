/* The officials' back office: its routes, what its pages share (see office.h), the inbox of
 * cases in deadline order (GET /office) and the dashboard of a unit (GET /office/dashboard).
 * The inbox reads the same query as GET /api/v1/cases, through the API's own parser. */
#include "web/office.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ---- what the pages share ---- */

bool office_is_official(const struct identity *who)
{
    for (size_t i = 0; who && i < who->ngrants; i++)
        if (role_is_official(who->grants[i].role))
            return true;
    return false;
}

bool office_begin(struct page *pg, struct http_request *req, int *reply)
{
    page_begin(pg, req, req->route_ctx);
    if (!pg->who) {
        struct buf next = {0};
        html_url_value(&next, req->path);
        const char *to = arena_printf(req->arena, "/login?next=%s", next.data ? next.data : "");
        buf_release(&next);
        *reply = page_redirect(pg, to);
        return false;
    }
    if (!office_is_official(pg->who)) {
        *reply = page_message(pg, 403, T(pg, "Not for this account"),
                              T(pg, "These pages are for officials. You are signed in as a "
                                    "resident."));
        return false;
    }
    return true;
}

void office_units(struct page *pg, unsigned roles, struct unit_row **rows, size_t *n)
{
    struct unit_row *all;
    size_t nall, k = 0;
    *rows = NULL;
    *n = 0;
    if (store_unit_list(pg->web->store, pg->req->arena, &all, &nall) != 0)
        return;
    for (size_t i = 0; i < nall; i++)
        for (size_t g = 0; g < pg->who->ngrants; g++) {
            const struct access_grant *gr = &pg->who->grants[g];
            if ((roles & (1u << gr->role)) && access_in_subtree(gr->unit_path, all[i].path)) {
                all[k++] = all[i];
                break;
            }
        }
    *rows = all;
    *n = k;
}

/* How deep a unit lies: its path's '/' count. */
static int depth_of(const struct unit_row *u)
{
    int depth = 0;
    for (const char *p = u->path; *p; p++)
        depth += *p == '/';
    return depth;
}

void office_unit_select(struct page *pg, const char *id, const char *name,
                        const struct unit_row *rows, size_t n, const char *chosen,
                        const char *first, const char *attrs)
{
    struct buf *b = &pg->out;
    html_fmt(b, "<select id=\"%s\" name=\"%s\"%r>", id, name, attrs);
    if (first)
        html_fmt(b, "<option value=\"\">%s</option>", first);
    /* levels are indented below the highest unit listed */
    int top = 0;
    for (size_t i = 0; i < n; i++)
        if (!top || depth_of(&rows[i]) < top)
            top = depth_of(&rows[i]);
    for (size_t i = 0; i < n; i++) {
        struct buf label = {0};
        for (int d = top; d < depth_of(&rows[i]); d++)
            buf_puts(&label, "\xc2\xa0\xc2\xa0\xc2\xa0");
        buf_puts(&label, rows[i].name);
        html_fmt(b, "<option value=\"%s\"%r>%s</option>", rows[i].code,
                 chosen && strcmp(chosen, rows[i].code) == 0 ? " selected" : "", label.data);
        buf_release(&label);
    }
    html_fmt(b, "</select>");
}

bool office_form(struct page *pg, struct form *f, int *reply)
{
    const char *ct = http_header(pg->req, "Content-Type");
    size_t bad;
    if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 &&
        form_parse(pg->req->arena, pg->req->body ? pg->req->body : "", pg->req->body_len, 64, f,
                   &bad) == 0) {
        if (page_csrf_ok(pg, form_get(f, "csrf")))
            return true;
        *reply = office_csrf_refused(pg);
        return false;
    }
    *reply = page_message(pg, 400, T(pg, "The form could not be read"),
                          T(pg, "Go back, reload the page and send the form again."));
    return false;
}

int office_csrf_refused(struct page *pg)
{
    return page_message(pg, 403, T(pg, "This form has expired"),
                        T(pg, "Nothing was changed: the form was old or did not come from this "
                              "site. Go back, reload the page and try again."));
}

void office_error(struct page *pg, const char *id, const char *error)
{
    if (error)
        html_fmt(&pg->out, "<span class=\"error-text\" id=\"e-%s\">%s</span>", id, error);
}

void office_field(struct page *pg, const char *id, const char *name, const char *type,
                  const char *label, const char *hint, const char *value, const char *error,
                  const char *attrs)
{
    struct buf *b = &pg->out;
    struct arena *a = pg->req->arena;
    html_fmt(b, "<div class=\"field%r\"><label for=\"%s\">%s</label>", error ? " has-error" : "",
             id, label);
    if (hint)
        html_fmt(b, "<span class=\"hint\" id=\"h-%s\">%s</span>", id, hint);
    office_error(pg, id, error);
    const char *described =
        hint || error
            ? html_fmt_arena(a, " aria-describedby=\"%r%r%r\"%r",
                             hint ? html_fmt_arena(a, "h-%s", id) : "", hint && error ? " " : "",
                             error ? html_fmt_arena(a, "e-%s", id) : "",
                             error ? " aria-invalid=\"true\"" : "")
            : "";
    if (strcmp(type, "textarea") == 0)
        html_fmt(b, "<textarea id=\"%s\" name=\"%s\"%r%r>%s</textarea></div>", id, name, attrs,
                 described, value);
    else
        html_fmt(b, "<input type=\"%s\" id=\"%s\" name=\"%s\" value=\"%s\"%r%r></div>", type, id,
                 name, value, attrs, described);
}

const char *office_due(struct page *pg, const struct case_row *c, int64_t now)
{
    struct arena *a = pg->req->arena;
    const char *date = page_date(pg, c->due_at, c->unit_time_zone);
    if (!c->open)
        return html_fmt_arena(a, "<time>%s</time>", date);
    if (c->due_at < now)
        return html_fmt_arena(a, "<time>%s</time> <span class=\"badge overdue\">%s</span>", date,
                              T(pg, "Overdue"));
    if (c->due_at < now + OFFICE_SOON_MS)
        return html_fmt_arena(a, "<time>%s</time> <span class=\"badge soon\">%s</span>", date,
                              T(pg, "Due soon"));
    return html_fmt_arena(a, "<time>%s</time>", date);
}

/* ---- the inbox ---- */

static const char *const kind_names[] = {"feedback", "recommendation", "complaint", "denunciation",
                                         "information_request"};
static const char *const status_names[] = {"submitted", "transferred", "reopened",
                                           "accepted",  "in_progress", "resolved",
                                           "closed",    "rejected",    "merged"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const char *query(struct page *pg, const char *name)
{
    const char *v = http_query(pg->req, name);
    return v ? v : "";
}

/* A select of a fixed list of names, each shown as label(name). */
static void name_select(struct page *pg, const char *name, const char *label,
                        const char *const *names, size_t n, const char *any,
                        const char *(*show)(struct page *, const char *))
{
    const char *chosen = query(pg, name);
    struct buf *b = &pg->out;
    html_fmt(b,
             "<div class=\"field\"><label for=\"f-%s\">%s</label><select id=\"f-%s\" name=\"%s\">",
             name, label, name, name);
    html_fmt(b, "<option value=\"\">%s</option>", any);
    for (size_t i = 0; i < n; i++)
        html_fmt(b, "<option value=\"%s\"%r>%s</option>", names[i],
                 strcmp(chosen, names[i]) == 0 ? " selected" : "", show(pg, names[i]));
    html_fmt(b, "</select></div>");
}

static void inbox_filters(struct page *pg, const struct unit_row *unit)
{
    struct buf *b = &pg->out;
    struct unit_row *units;
    size_t n;
    office_units(pg, ~(1u << ROLE_RESIDENT), &units, &n);
    html_fmt(b,
             "<form method=\"get\" action=\"/office\" class=\"filters\" role=\"search\" "
             "aria-label=\"%s\"><div class=\"field\"><label for=\"f-unit\">%s</label>",
             T(pg, "Filter the cases"), T(pg, "Unit"));
    office_unit_select(pg, "f-unit", "unit", units, n, unit ? unit->code : NULL, NULL, "");
    html_fmt(b, "</div>");
    name_select(pg, "kind", T(pg, "Kind"), kind_names, COUNT(kind_names), T(pg, "All kinds"),
                web_kind_label);
    name_select(pg, "status", T(pg, "Status"), status_names, COUNT(status_names),
                T(pg, "All open cases"), web_status_label);
    html_fmt(b,
             "<div class=\"field\"><label for=\"f-q\">%s</label><input type=\"search\" id=\"f-q\" "
             "name=\"q\" value=\"%s\" maxlength=\"200\"></div>",
             T(pg, "Words in the title or description"), query(pg, "q"));
    html_fmt(b,
             "<div class=\"choice\"><input type=\"checkbox\" id=\"f-overdue\" name=\"overdue\" "
             "value=\"true\"%r><label for=\"f-overdue\">%s</label></div>",
             strcmp(query(pg, "overdue"), "true") == 0 ? " checked" : "", T(pg, "Overdue only"));
    html_fmt(b,
             "<div class=\"choice\"><input type=\"checkbox\" id=\"f-open\" name=\"open\" "
             "value=\"all\"%r><label for=\"f-open\">%s</label></div>",
             strcmp(query(pg, "open"), "all") == 0 ? " checked" : "",
             T(pg, "Include settled cases"));
    html_fmt(b, "<p><button type=\"submit\">%s</button> <a href=\"/office\">%s</a></p></form>",
             T(pg, "Show"), T(pg, "Clear the filters"));
}

/* The address of the next page: this query with the cursor moved on. */
static const char *next_page(struct page *pg, const char *cursor)
{
    static const char *const keep[] = {"unit", "kind", "status", "overdue", "open", "q"};
    struct buf b = {0};
    buf_puts(&b, "/office?");
    for (size_t i = 0; i < COUNT(keep); i++) {
        const char *v = query(pg, keep[i]);
        if (!*v)
            continue;
        buf_printf(&b, "%s=", keep[i]);
        html_url_value(&b, v);
        buf_puts(&b, "&");
    }
    buf_puts(&b, "cursor=");
    html_url_value(&b, cursor);
    char *out = arena_strdup(pg->req->arena, b.data);
    buf_release(&b);
    return out;
}

int web_office_inbox(struct http_request *req)
{
    struct page pg;
    int reply;
    if (!office_begin(&pg, req, &reply))
        return reply;
    struct api *api = pg.web->api;
    struct case_filter f;
    struct unit_row unit;
    const char *field, *detail;
    int status = api_inbox_query(api, req, pg.who, &f, &unit, &field, &detail);
    pg.title = T(&pg, "Inbox");
    html_fmt(&pg.out, "<h1>%s</h1>", pg.title);
    if (status) {
        inbox_filters(&pg, NULL);
        html_fmt(&pg.out, "<div class=\"notice error\" role=\"alert\"><p>%s</p></div>",
                 status == 503 ? T(&pg, "The cases cannot be read just now. Try again shortly.")
                 : status == 403
                     ? T(&pg, "This unit lies outside the units you serve.")
                     : T(&pg, "These filters cannot be used. Clear them and try again."));
        return page_finish(&pg, status);
    }
    html_fmt(&pg.out, "<p class=\"lead\">%s</p>",
             html_fmt_arena(req->arena, "%s: %s", unit.name,
                            T(&pg, "cases by deadline, the most urgent first")));
    inbox_filters(&pg, &unit);
    struct case_row *rows;
    size_t n;
    if (store_case_list(pg.web->store, req->arena, &f, &rows, &n))
        return page_message(&pg, 503, T(&pg, "Try again shortly"),
                            T(&pg, "The cases cannot be read just now. Try again shortly."));
    if (!n) {
        html_fmt(&pg.out, "<p>%s</p>", T(&pg, "No case matches."));
        return page_finish(&pg, 200);
    }
    int64_t now = clock_now_ms();
    html_fmt(&pg.out,
             "<div class=\"table-wrap\"><table class=\"stack\"><caption class=\"vh\">%s</caption>"
             "<thead><tr>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th><th scope=\"col\">%s</th></tr></thead><tbody>",
             T(&pg, "Cases"), T(&pg, "Deadline"), T(&pg, "Case"), T(&pg, "Kind"), T(&pg, "Status"),
             T(&pg, "Unit"));
    for (size_t i = 0; i < n; i++) {
        const struct case_row *c = &rows[i];
        html_fmt(&pg.out,
                 "<tr><td data-label=\"%s\">%r</td><td><a href=\"/office/cases/%lld\">%s</a><br>"
                 "<span class=\"muted\">%s</span></td><td data-label=\"%s\">%s</td>"
                 "<td data-label=\"%s\">%s</td><td data-label=\"%s\">%s</td></tr>",
                 T(&pg, "Deadline"), office_due(&pg, c, now), (long long)c->id, c->title,
                 c->tracking_code, T(&pg, "Kind"), web_kind_label(&pg, c->kind), T(&pg, "Status"),
                 web_status_label(&pg, c->status), T(&pg, "Unit"), c->unit_name);
    }
    html_fmt(&pg.out, "</tbody></table></div>");
    if (n == f.limit)
        html_fmt(&pg.out, "<p><a class=\"button secondary\" href=\"%s\" rel=\"next\">%s</a></p>",
                 next_page(&pg, api_inbox_cursor(req->arena, &rows[n - 1])), T(&pg, "Next page"));
    return page_finish(&pg, 200);
}

/* ---- the dashboard ---- */

static const char *percent(struct page *pg, int64_t part, int64_t whole)
{
    if (!whole)
        return "–";
    return arena_printf(pg->req->arena, "%s%%", page_number(pg, (part * 100 + whole / 2) / whole));
}

static int64_t open_count(const struct case_stats *s)
{
    int64_t n = 0;
    for (size_t i = 0; i < s->nstatus; i++) {
        int st = case_status_parse(s->by_status[i].status);
        if (st >= 0 && case_status_open((enum case_status)st))
            n += s->by_status[i].n;
    }
    return n;
}

/* A figure with its label (text) after an optional badge (markup built safely, or NULL). */
static void card(struct page *pg, const char *id, const char *n, const char *badge,
                 const char *label)
{
    html_fmt(&pg->out, "<div class=\"card\" id=\"%s\"><span class=\"n\">%s</span>%r %s</div>", id,
             n, badge ? badge : "", label);
}

int web_office_dashboard(struct http_request *req)
{
    struct page pg;
    int reply;
    if (!office_begin(&pg, req, &reply))
        return reply;
    struct api *api = pg.web->api;
    struct case_filter f;
    struct unit_row unit;
    const char *field, *detail;
    pg.title = T(&pg, "Dashboard");
    int status = api_inbox_query(api, req, pg.who, &f, &unit, &field, &detail);
    if (status)
        return page_message(&pg, status, pg.title,
                            status == 503
                                ? T(&pg, "The figures cannot be read just now. Try again shortly.")
                                : T(&pg, "This unit lies outside the units you serve."));
    int64_t now = clock_now_ms();
    struct case_stats st;
    if (store_case_stats(pg.web->store, req->arena, unit.id, now, now + OFFICE_SOON_MS, &st))
        return page_message(&pg, 503, pg.title,
                            T(&pg, "The figures cannot be read just now. Try again shortly."));
    struct buf *b = &pg.out;
    html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", pg.title, unit.name);
    struct unit_row *units;
    size_t n;
    office_units(&pg, ~(1u << ROLE_RESIDENT), &units, &n);
    html_fmt(b,
             "<form method=\"get\" action=\"/office/dashboard\" class=\"filters\">"
             "<div class=\"field\"><label for=\"f-unit\">%s</label>",
             T(&pg, "Unit"));
    office_unit_select(&pg, "f-unit", "unit", units, n, unit.code, NULL, "");
    html_fmt(b, "</div><p><button type=\"submit\">%s</button></p></form>", T(&pg, "Show"));

    html_fmt(b, "<h2>%s</h2><div class=\"cards\">", T(&pg, "Now"));
    card(&pg, "open", page_number(&pg, open_count(&st)), NULL, T(&pg, "open cases"));
    card(&pg, "overdue", page_number(&pg, st.overdue),
         html_fmt_arena(req->arena, "<span class=\"badge%r\">%s</span>",
                        st.overdue ? " overdue" : "", T(&pg, "Overdue")),
         "");
    /* the badge marks a count that needs attention; the words say what the count is */
    card(&pg, "soon", page_number(&pg, st.due_soon),
         st.due_soon ? html_fmt_arena(req->arena, "<span class=\"badge soon\">%s</span>",
                                      T(&pg, "Due soon"))
                     : NULL,
         T(&pg, "due within 48 hours"));
    card(&pg, "on-time", percent(&pg, st.answered_on_time, st.answered), NULL,
         arena_printf(req->arena, "%s (%s / %s)", T(&pg, "answered on time"),
                      page_number(&pg, st.answered_on_time), page_number(&pg, st.answered)));
    html_fmt(b, "</div>");
    if (st.overdue)
        html_fmt(b, "<p><a href=\"/office?unit=%s&amp;overdue=true\">%s</a></p>", unit.code,
                 T(&pg, "See the overdue cases"));

    html_fmt(b,
             "<h2 id=\"by-status\">%s</h2><div class=\"table-wrap\"><table "
             "aria-labelledby=\"by-status\"><thead><tr><th scope=\"col\">%s</th>"
             "<th scope=\"col\">%s</th></tr></thead><tbody>",
             T(&pg, "Cases by status"), T(&pg, "Status"), T(&pg, "Cases"));
    int64_t total = 0;
    for (size_t i = 0; i < COUNT(status_names); i++) {
        int64_t k = 0;
        for (size_t s = 0; s < st.nstatus; s++)
            if (strcmp(st.by_status[s].status, status_names[i]) == 0)
                k = st.by_status[s].n;
        total += k;
        html_fmt(b,
                 "<tr><th scope=\"row\"><a href=\"/office?unit=%s&amp;status=%s\">%s</a></th>"
                 "<td data-status=\"%s\">%s</td></tr>",
                 unit.code, status_names[i], web_status_label(&pg, status_names[i]),
                 status_names[i], page_number(&pg, k));
    }
    html_fmt(b,
             "</tbody><tfoot><tr><th scope=\"row\">%s</th><td id=\"total\">%s</td></tr>"
             "</tfoot></table></div>",
             T(&pg, "All cases"), page_number(&pg, total));

    /* the units just below, each with its own figures */
    bool any = false;
    for (size_t i = 0; i < n; i++) {
        if (!units[i].parent_code || strcmp(units[i].parent_code, unit.code) != 0)
            continue;
        struct case_stats cs;
        if (store_case_stats(pg.web->store, req->arena, units[i].id, now, now + OFFICE_SOON_MS,
                             &cs))
            continue;
        if (!any)
            html_fmt(b,
                     "<h2 id=\"below\">%s</h2><div class=\"table-wrap\"><table "
                     "aria-labelledby=\"below\"><thead><tr><th scope=\"col\">%s</th>"
                     "<th scope=\"col\">%s</th><th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
                     "<th scope=\"col\">%s</th></tr></thead><tbody>",
                     T(&pg, "Units below"), T(&pg, "Unit"), T(&pg, "Open"), T(&pg, "Overdue"),
                     T(&pg, "Due soon"), T(&pg, "Answered on time"));
        any = true;
        html_fmt(b,
                 "<tr><th scope=\"row\"><a href=\"/office/dashboard?unit=%s\">%s</a></th>"
                 "<td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>",
                 units[i].code, units[i].name, page_number(&pg, open_count(&cs)),
                 page_number(&pg, cs.overdue), page_number(&pg, cs.due_soon),
                 percent(&pg, cs.answered_on_time, cs.answered));
    }
    if (any)
        html_fmt(b, "</tbody></table></div>");
    html_fmt(b, "<p class=\"muted\">%s</p>",
             T(&pg, "Answered on time: of the cases settled with an answer, the share answered "
                    "by the deadline then running (extensions included)."));
    return page_finish(&pg, 200);
}

void web_mount_office(struct web *w, struct http_server *srv)
{
    http_route(srv, "GET", "/login", web_login_form, w, 0);
    http_route(srv, "POST", "/login", web_login_post, w, 16 << 10);
    http_route(srv, "POST", "/login/code", web_login_code, w, 16 << 10);
    http_route(srv, "POST", "/logout", web_logout, w, 16 << 10);
    http_route(srv, "GET", "/office", web_office_inbox, w, 0);
    http_route(srv, "GET", "/office/dashboard", web_office_dashboard, w, 0);
    http_route(srv, "GET", "/office/reception", web_office_reception, w, 0);
    http_route(srv, "POST", "/office/reception", web_office_reception_post, w, 64 << 10);
    http_route(srv, "GET", "/office/cases/{}", web_office_case, w, 0);
    http_route(srv, "POST", "/office/cases/{}", web_office_case_act, w, 128 << 10);
}
