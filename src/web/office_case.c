/* One case for officials. GET /office/cases/{id} shows its facts, the reporter as far as the
 * API's rule lets this official see them, the report and the answer, attachments, possible
 * duplicates, the full timeline, and a form for each action that the state machine allows now
 * and this person's roles allow (the same test as the API's allowed_actions). POST applies one
 * action through the API's planner at the version the page was drawn from: a rule's refusal
 * comes back beside the field, a case changed meanwhile as a 409 notice, success as 303 back
 * to the case; a reveal answers at once, the one time the identity is shown. */
#include "web/office.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A page of the case: what is shown, and what was sent when a form comes back. */
struct case_view {
    struct page pg;
    struct case_row c;
    struct case_actor who;
    const char *notice, *notice_class; /* at the top */
    const char *notice_href;           /* where the notice leads (the field at fault), or NULL */
    size_t nduplicates;                /* possible duplicates listed on the page */
    const char *revealed;              /* the identity a reveal opened */
    /* the form sent, shown again with its values and the message beside its field */
    int sent_action; /* -1: none */
    const char *v_reason, *v_to_unit, *v_handler, *v_answer, *v_document, *v_merge_into;
    const char *err_field, *err_text;
    struct store_write w; /* the action in flight */
};

/* ---- words ---- */

struct action_words {
    const char *title, *hint, *button;
};

static const struct action_words action_words[ACTION_COUNT] = {
    [ACTION_ACCEPT] = {N_("Accept"), N_("Take the case up: the time for the answer starts now."),
                       N_("Accept")},
    [ACTION_REJECT] = {N_("Do not accept"),
                       N_("The person who sent it is told that it is not accepted, and why."),
                       N_("Do not accept")},
    [ACTION_TRANSFER] = {N_("Transfer to the competent unit"),
                         N_("The unit chosen takes the case up; its own time limit starts."),
                         N_("Transfer")},
    [ACTION_ASSIGN] = {N_("Assign a handler"), N_("A handler of this unit works on the case."),
                       N_("Assign")},
    [ACTION_START] = {N_("Start handling"), N_("You become the case's handler."),
                      N_("Start handling")},
    [ACTION_EXTEND] = {N_("Extend the time limit"),
                       N_("Only as far as the law allows; the person who sent it is told."),
                       N_("Extend")},
    [ACTION_RESOLVE] = {N_("Resolve with an answer"),
                        N_("The answer is published to the person who sent it."), N_("Resolve")},
    [ACTION_CLOSE] = {N_("Close"), N_("Handling is finished."), N_("Close")},
    [ACTION_REOPEN] = {N_("Bring to the level above"),
                       N_("A complaint brought a second time goes to the unit above, once."),
                       N_("Bring to the level above")},
    [ACTION_MERGE] = {N_("Merge into another case"),
                      N_("For a duplicate: the case kept is handled, and this one's sender "
                         "follows it."),
                      N_("Merge")},
    [ACTION_REVEAL] = {N_("Reveal the identity"),
                       N_("The identity is shown to you once, and the reveal is recorded for "
                          "audit."),
                       N_("Reveal")},
};

struct word {
    const char *name, *text;
};

static const struct word privacy_words[] = {
    {"public", N_("Named")},
    {"anonymous", N_("Anonymous: the sender's identity is sealed")},
    {"confidential", N_("Confidential: identity and report are kept private")}};

static const struct word channel_words[] = {
    {"web", N_("Website")},     {"api", N_("Application")},
    {"open311", N_("Open311")}, {"reception", N_("Reception desk")},
    {"paper", N_("Letter")},    {"phone", N_("Telephone")}};

static const struct word step_words[] = {{"accept", N_("Decision on accepting it")},
                                         {"settle", N_("Answer")},
                                         {"forward", N_("Forwarding to the competent unit")},
                                         {"notify", N_("Notice to the person who sent it")},
                                         {"publish", N_("Publication")},
                                         {"second_filing", N_("Second complaint")}};

/* name's words from table, translated; name itself if the table lacks it. */
static const char *word(struct page *pg, const struct word *table, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return T(pg, table[i].text);
    return name ? name : "";
}

#define WORD(table, name, pg) word((pg), (table), sizeof(table) / sizeof((table)[0]), (name))

/* The message for a refusal of the rules, in the page's language. */
static const char *problem_text(struct page *pg, const struct case_problem *p, enum case_action a)
{
    bool too_long = strstr(p->detail, "more than") != NULL;
    if (strcmp(p->field, "reason") == 0)
        return too_long ? T(pg, "The reason is too long: at most 2,000 characters.")
                        : T(pg, "Give the reason.");
    if (strcmp(p->field, "answer") == 0)
        return too_long ? T(pg, "The answer is too long: at most 10,000 characters.")
                        : T(pg, "Write the answer.");
    if (strcmp(p->field, "document") == 0)
        return T(pg, "The document reference is too long: at most 500 characters.");
    if (strcmp(p->field, "to_unit") == 0)
        return strstr(p->detail, "already") ? T(pg, "The case is at this unit already.")
                                            : T(pg, "Choose the unit to transfer the case to.");
    if (strcmp(p->field, "handler") == 0)
        return T(pg, "Choose a handler of this unit.");
    if (strcmp(p->field, "merge_into") == 0)
        return T(pg, "Give the number of another open case of your units.");
    if (a == ACTION_EXTEND)
        return T(pg, "The law allows no further extension of this step.");
    if (a == ACTION_REOPEN) {
        if (strstr(p->detail, "too late"))
            return T(pg, "Too late: the time for a second complaint has passed.");
        if (strstr(p->detail, "only once"))
            return T(pg, "A complaint can be brought a second time only once.");
        if (strstr(p->detail, "no level above"))
            return T(pg, "There is no level above this unit.");
        return T(pg, "This complaint has no decision to contest.");
    }
    if (a == ACTION_REVEAL)
        return T(pg, "This case has no sealed identity.");
    return T(pg, "This action is not possible now.");
}

/* "user:12" as that person's name, "reporter" as the sender. */
static const char *actor_name(struct page *pg, const char *actor)
{
    if (strcmp(actor, "reporter") == 0)
        return T(pg, "The person who sent it");
    if (strcmp(actor, "system") == 0 || strncmp(actor, "cli:", 4) == 0)
        return T(pg, "The system");
    if (strncmp(actor, "user:", 5) == 0) {
        struct user_row u;
        if (store_user_get_id(pg->web->store, pg->req->arena, strtoll(actor + 5, NULL, 10), &u) ==
            0)
            return html_fmt_arena(pg->req->arena, "%s (%s)", u.display_name, u.login);
    }
    return actor;
}

/* ---- the page ---- */

static void fact(struct page *pg, const char *term, const char *value_html)
{
    html_fmt(&pg->out, "<dt>%s</dt><dd>%r</dd>", term, value_html);
}

static const char *esc(struct page *pg, const char *s)
{
    return html_fmt_arena(pg->req->arena, "%s", s);
}

static void facts(struct case_view *cv, int64_t now)
{
    struct page *pg = &cv->pg;
    const struct case_row *c = &cv->c;
    struct arena *a = pg->req->arena;
    html_fmt(&pg->out, "<h2 id=\"facts\">%s</h2><dl class=\"facts\">", T(pg, "The case"));
    fact(pg, T(pg, "Case number"), html_fmt_arena(a, "%lld", (long long)c->id));
    fact(pg, T(pg, "Tracking code"),
         html_fmt_arena(a, "<span class=\"mono\">%s</span>", c->tracking_code));
    fact(pg, T(pg, "Kind"), esc(pg, web_kind_label(pg, c->kind)));
    fact(pg, T(pg, "Status"),
         html_fmt_arena(a, "<span class=\"%s\">%s</span>", web_status_badge(c->status, false),
                        web_status_label(pg, c->status)));
    fact(pg, T(pg, "Unit"), esc(pg, c->unit_name));
    if (c->category_code)
        fact(pg, T(pg, "Category"),
             esc(pg, c->category_name ? c->category_name : c->category_code));
    if (c->department_name)
        fact(pg, T(pg, "Department"), esc(pg, c->department_name));
    fact(pg, T(pg, "Received through"), esc(pg, WORD(channel_words, c->channel, pg)));
    fact(pg, T(pg, "Received"), esc(pg, page_datetime(pg, c->received_at, c->unit_time_zone)));
    fact(pg, T(pg, "Deadline"),
         html_fmt_arena(a, "%r<br><span class=\"muted\">%s</span>", office_due(pg, c, now),
                        WORD(step_words, c->step, pg)));
    if (c->extensions)
        fact(pg, T(pg, "Extensions"), esc(pg, page_number(pg, c->extensions)));
    if (c->round > 1)
        fact(pg, T(pg, "Round"), esc(pg, T(pg, "Brought a second time")));
    fact(pg, T(pg, "Handler"), esc(pg, c->handler_login ? c->handler_login : T(pg, "Nobody yet")));
    fact(pg, T(pg, "Privacy"),
         esc(pg, strcmp(c->kind, "denunciation") == 0
                     ? T(pg, "Sealed: the law protects a denouncer's identity")
                     : WORD(privacy_words, c->privacy, pg)));
    if (c->located || c->address)
        fact(pg, T(pg, "Place"),
             c->located ? html_fmt_arena(a, "%s <span class=\"muted\">(%s)</span>",
                                         c->address ? c->address : "",
                                         arena_printf(a, "%.5f, %.5f", c->lat, c->lon))
                        : esc(pg, c->address));
    if (c->merged_into)
        fact(pg, T(pg, "Merged into"),
             html_fmt_arena(a, "<a href=\"/office/cases/%lld\">%lld</a>", (long long)c->merged_into,
                            (long long)c->merged_into));
    if (c->rating)
        fact(pg, T(pg, "Rating"),
             html_fmt_arena(a, "%d / 5%r", c->rating,
                            c->rating_comment ? html_fmt_arena(a, "<br>%s", c->rating_comment)
                                              : ""));
    html_fmt(&pg->out, "</dl>");
}

static void reporter(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    const struct case_row *c = &cv->c;
    struct buf *b = &pg->out;
    html_fmt(b, "<h2 id=\"reporter\">%s</h2>", T(pg, "The person who sent it"));
    const char *identity = api_official_identity(&cv->who, c, cv->revealed);
    bool inspector_only =
        !(cv->who.handler || cv->who.leader || cv->who.receptionist || cv->who.admin);
    json_t *r = identity ? json_loads(identity, 0, NULL) : NULL;
    if (r) {
        static const struct {
            const char *key, *label;
        } parts[] = {{"name", N_("Name")},
                     {"phone", N_("Telephone")},
                     {"email", N_("E-mail")},
                     {"address", N_("Address")}};
        if (cv->revealed)
            html_fmt(b, "<div class=\"notice warn\" id=\"revealed\"><p>%s</p></div>",
                     T(pg, "Revealed to you this once. Keep it confidential: the law protects "
                           "the person who sent this."));
        html_fmt(b, "<dl class=\"facts\" id=\"identity\">");
        for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++) {
            const char *v = json_string_value(json_object_get(r, parts[i].key));
            if (v && *v)
                fact(pg, T(pg, parts[i].label), esc(pg, v));
        }
        html_fmt(b, "</dl>");
        json_decref(r);
    } else if (inspector_only) {
        html_fmt(b, "<p>%s</p>", T(pg, "Inspectors see how a case is handled, never who sent it."));
    } else if (c->reporter_sealed) {
        html_fmt(b, "<p>%s</p>",
                 T(pg, "The identity is sealed. Only the assigned handler can reveal it, giving "
                       "a reason; every reveal is recorded."));
    } else {
        html_fmt(b, "<p>%s</p>", T(pg, "No identity was given."));
    }
}

static void report(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    const struct case_row *c = &cv->c;
    struct buf *b = &pg->out;
    html_fmt(b, "<h2 id=\"report\">%s</h2><p class=\"text\">%s</p>", T(pg, "What was reported"),
             c->description);
    web_case_answers(pg, c, 2);
    if (c->answer) {
        html_fmt(b, "<h2 id=\"answer\">%s</h2><p class=\"text\">%s</p>", T(pg, "The answer"),
                 c->answer);
        if (c->document)
            html_fmt(b, "<p>%s: %s</p>", T(pg, "Document"), c->document);
    }
    struct attachment_row *att;
    size_t n;
    if (store_attachment_list(pg->web->store, pg->req->arena, c->id, &att, &n) == 0 && n) {
        html_fmt(b, "<h2 id=\"attachments\">%s</h2><ul>", T(pg, "Attachments"));
        for (size_t i = 0; i < n; i++)
            html_fmt(b,
                     "<li><a href=\"/api/v1/attachments/%lld\">%s</a> <span class=\"muted\">"
                     "(%s, %s KB)</span></li>",
                     (long long)att[i].id, att[i].filename, att[i].media_type,
                     page_number(pg, (att[i].size + 1023) / 1024));
        html_fmt(b, "</ul>");
    }
}

static void duplicates(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    struct case_row *sim;
    size_t n = api_case_duplicates(pg->web->api, pg->req->arena, &cv->c, &sim);
    cv->nduplicates = n;
    if (!n)
        return;
    struct buf *b = &pg->out;
    html_fmt(b, "<h2 id=\"duplicates\">%s</h2><p>%s</p><ul>", T(pg, "Possible duplicates"),
             T(pg, "Open cases of this unit on what looks like the same matter."));
    for (size_t i = 0; i < n; i++) {
        html_fmt(b, "<li><a href=\"/office/cases/%lld\">%s</a> <span class=\"muted\">(%s %lld, %s)",
                 (long long)sim[i].id, sim[i].title, T(pg, "case"), (long long)sim[i].id,
                 web_status_label(pg, sim[i].status));
        if (cv->c.located && sim[i].located)
            html_fmt(b, " %s m",
                     page_number(pg, (long long)case_distance_m(cv->c.lat, cv->c.lon, sim[i].lat,
                                                                sim[i].lon)));
        html_fmt(b, "</span></li>");
    }
    html_fmt(b, "</ul>");
}

static void timeline(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    struct buf *b = &pg->out;
    struct case_event_row *ev;
    size_t n;
    html_fmt(b, "<h2 id=\"timeline\">%s</h2>", T(pg, "Timeline"));
    if (store_case_events(pg->web->store, pg->req->arena, cv->c.id, &ev, &n)) {
        html_fmt(b, "<p>%s</p>", T(pg, "The timeline cannot be read just now."));
        return;
    }
    html_fmt(b, "<ol class=\"timeline\">");
    for (size_t i = 0; i < n; i++) {
        html_fmt(b, "<li><time>%s</time><strong>%s</strong> · %s",
                 page_datetime(pg, ev[i].at, cv->c.unit_time_zone),
                 strcmp(ev[i].action, "reveal") == 0 ? T(pg, "Identity revealed")
                                                     : web_event_label(pg, ev[i].action),
                 actor_name(pg, ev[i].actor));
        /* the note the sender was told restates the event and the reason in the rules'
         * English: the event's label and the reason say it in the page's language */
        if (ev[i].reason)
            html_fmt(b, "<br>%s: %s", T(pg, "Reason"), ev[i].reason);
        html_fmt(b, "</li>");
    }
    html_fmt(b, "</ol>");
}

/* ---- the action forms ---- */

static const char *sent(struct case_view *cv, enum case_action a, const char *v)
{
    return cv->sent_action == (int)a && v ? v : "";
}

static const char *error_for(struct case_view *cv, enum case_action a, const char *field)
{
    return cv->sent_action == (int)a && cv->err_field && strcmp(cv->err_field, field) == 0
               ? cv->err_text
               : NULL;
}

static const char *fid(struct case_view *cv, enum case_action a, const char *field)
{
    return arena_printf(cv->pg.req->arena, "%s-%s", case_action_name(a), field);
}

/* A select of the handlers who cover the case's unit. */
static void handler_select(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    struct user_row *rows;
    size_t n;
    const char *id = fid(cv, ACTION_ASSIGN, "handler");
    const char *err = error_for(cv, ACTION_ASSIGN, "handler");
    if (store_users_with_role(pg->web->store, pg->req->arena, cv->c.unit_path, "handler", &rows,
                              &n))
        n = 0;
    html_fmt(&pg->out, "<div class=\"field%r\"><label for=\"%s\">%s</label>",
             err ? " has-error" : "", id, T(pg, "Handler"));
    office_error(pg, id, err);
    html_fmt(&pg->out, "<select id=\"%s\" name=\"handler\"%r><option value=\"\">%s</option>", id,
             err ? html_fmt_arena(pg->req->arena,
                                  " aria-describedby=\"e-%s\" "
                                  "aria-invalid=\"true\"",
                                  id)
                 : "",
             T(pg, "Choose a handler"));
    for (size_t i = 0; i < n; i++)
        html_fmt(&pg->out, "<option value=\"%s\"%r>%s (%s)</option>", rows[i].login,
                 strcmp(sent(cv, ACTION_ASSIGN, cv->v_handler), rows[i].login) == 0 ? " selected"
                                                                                    : "",
                 rows[i].display_name, rows[i].login);
    html_fmt(&pg->out, "</select></div>");
}

static void unit_choice(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    struct unit_row *all;
    size_t n, k = 0;
    if (store_unit_list(pg->web->store, pg->req->arena, &all, &n))
        n = 0;
    for (size_t i = 0; i < n; i++)
        if (strcmp(all[i].code, cv->c.unit_code) != 0)
            all[k++] = all[i];
    const char *id = fid(cv, ACTION_TRANSFER, "to_unit");
    const char *err = error_for(cv, ACTION_TRANSFER, "to_unit");
    html_fmt(&pg->out, "<div class=\"field%r\"><label for=\"%s\">%s</label>",
             err ? " has-error" : "", id, T(pg, "Competent unit"));
    office_error(pg, id, err);
    office_unit_select(
        pg, id, "to_unit", all, k, sent(cv, ACTION_TRANSFER, cv->v_to_unit), T(pg, "Choose a unit"),
        err ? html_fmt_arena(pg->req->arena, " aria-describedby=\"e-%s\" aria-invalid=\"true\"", id)
            : "");
    html_fmt(&pg->out, "</div>");
}

static void reason_field(struct case_view *cv, enum case_action a, const char *label)
{
    office_field(&cv->pg, fid(cv, a, "reason"), "reason", "textarea", label, NULL,
                 sent(cv, a, cv->v_reason), error_for(cv, a, "reason"),
                 " rows=\"3\" maxlength=\"2000\" required");
}

static void action_form(struct case_view *cv, enum case_action a)
{
    struct page *pg = &cv->pg;
    struct buf *b = &pg->out;
    const struct action_words *w = &action_words[a];
    const char *name = case_action_name(a);
    html_fmt(b,
             "<form method=\"post\" action=\"/office/cases/%lld\" class=\"action\" "
             "id=\"act-%s\" novalidate>%r<input type=\"hidden\" name=\"action\" value=\"%s\">"
             "<input type=\"hidden\" name=\"version\" value=\"%lld\"><h3>%s</h3>"
             "<p class=\"hint\">%s</p>",
             (long long)cv->c.id, name, page_csrf_input(pg), name, (long long)cv->c.version,
             T(pg, w->title), T(pg, w->hint));
    office_error(pg, fid(cv, a, "action"), error_for(cv, a, "action"));
    switch (a) {
    case ACTION_ACCEPT:
        html_fmt(b,
                 "<div class=\"choice\"><input type=\"checkbox\" id=\"accept-complex\" "
                 "name=\"complex\" value=\"true\"><label for=\"accept-complex\">%s</label></div>",
                 T(pg, "The case is complex: the law allows more time"));
        break;
    case ACTION_REJECT:
        reason_field(cv, a, T(pg, "Reason, told to the person who sent it"));
        break;
    case ACTION_TRANSFER:
        unit_choice(cv);
        reason_field(cv, a, T(pg, "Reason"));
        break;
    case ACTION_ASSIGN:
        handler_select(cv);
        break;
    case ACTION_EXTEND:
        reason_field(cv, a, T(pg, "Legal reason, told to the person who sent it"));
        break;
    case ACTION_RESOLVE:
        office_field(pg, fid(cv, a, "answer"), "answer", "textarea",
                     T(pg, "Answer, published to the person who sent it"), NULL,
                     sent(cv, a, cv->v_answer), error_for(cv, a, "answer"),
                     " rows=\"6\" maxlength=\"10000\" required");
        office_field(pg, fid(cv, a, "document"), "document", "text",
                     T(pg, "Decision or document (optional)"),
                     T(pg, "Its number and date, such as 12/QĐ-UBND of 3 March."),
                     sent(cv, a, cv->v_document), error_for(cv, a, "document"),
                     " maxlength=\"500\"");
        break;
    case ACTION_REOPEN:
        reason_field(cv, a, T(pg, "Reason"));
        break;
    case ACTION_MERGE:
        office_field(pg, fid(cv, a, "merge_into"), "merge_into", "text",
                     T(pg, "Number of the case to keep"),
                     cv->nduplicates ? T(pg, "See the possible duplicates above.") : NULL,
                     sent(cv, a, cv->v_merge_into), error_for(cv, a, "merge_into"),
                     " inputmode=\"numeric\" maxlength=\"18\" required");
        break;
    case ACTION_REVEAL:
        reason_field(cv, a, T(pg, "Why you need it (recorded)"));
        break;
    default:
        break;
    }
    html_fmt(b, "<p><button type=\"submit\"%r>%s</button></p></form>",
             a == ACTION_REJECT || a == ACTION_CLOSE || a == ACTION_REVEAL ? " class=\"secondary\""
                                                                           : "",
             T(pg, w->button));
}

static void actions(struct case_view *cv)
{
    struct page *pg = &cv->pg;
    int kind = case_kind_parse(cv->c.kind), status = case_status_parse(cv->c.status);
    unsigned mask = kind >= 0 && status >= 0
                        ? case_allowed_actions((enum case_status)status, (enum case_kind)kind)
                        : 0;
    html_fmt(&pg->out, "<h2 id=\"actions\">%s</h2>", T(pg, "What you can do now"));
    bool any = false;
    for (int a = 0; a < ACTION_COUNT; a++)
        if ((mask & (1u << a)) && case_actor_may(&cv->who, (enum case_action)a)) {
            action_form(cv, (enum case_action)a);
            any = true;
        }
    if (!any)
        html_fmt(&pg->out, "<p>%s</p>",
                 T(pg, "Nothing: in this state, no action on the case is yours to take."));
}

static int render(struct case_view *cv, int status)
{
    struct page *pg = &cv->pg;
    struct buf *b = &pg->out;
    int64_t now = clock_now_ms();
    pg->title = cv->c.title;
    html_fmt(b, "<p class=\"crumbs\"><a href=\"/office\">%s</a></p><h1>%s</h1>", T(pg, "Inbox"),
             cv->c.title);
    if (cv->notice)
        html_fmt(b, "<div class=\"notice %s\" role=\"%s\" id=\"notice\"><p>%r</p></div>",
                 cv->notice_class, strcmp(cv->notice_class, "good") == 0 ? "status" : "alert",
                 cv->notice_href ? html_fmt_arena(pg->req->arena, "<a href=\"#%s\">%s</a>",
                                                  cv->notice_href, cv->notice)
                                 : html_fmt_arena(pg->req->arena, "%s", cv->notice));
    html_fmt(b, "<div class=\"two\"><div>");
    facts(cv, now);
    reporter(cv);
    report(cv);
    duplicates(cv);
    timeline(cv);
    html_fmt(b, "</div><div>");
    actions(cv);
    html_fmt(b, "</div></div>");
    return page_finish(pg, status);
}

/* Reads the case of the route for the signed-in official; replies when it cannot be had. */
static bool load(struct case_view *cv, int *reply)
{
    struct page *pg = &cv->pg;
    int rc = api_official_case_load(pg->web->api, pg->req, pg->who, pg->req->params[0], &cv->c,
                                    &cv->who);
    if (rc == AKAR_ENOTFOUND)
        *reply = page_message(pg, 404, T(pg, "Page not found"),
                              T(pg, "There is no case with this number in your units."));
    else if (rc)
        *reply = page_message(pg, 503, T(pg, "Try again shortly"),
                              T(pg, "The case cannot be read just now. Try again shortly."));
    return rc == 0;
}

int web_office_case(struct http_request *req)
{
    struct case_view *cv = arena_calloc(req->arena, sizeof *cv);
    cv->sent_action = -1;
    int reply;
    if (!office_begin(&cv->pg, req, &reply) || !load(cv, &reply))
        return reply;
    int done = case_action_parse(http_query(req, "done"));
    if (done >= 0) {
        cv->notice = html_fmt_arena(req->arena, "%s %s", T(&cv->pg, "Done:"),
                                    web_event_label(&cv->pg, case_action_name(done)));
        cv->notice_class = "good";
    }
    return render(cv, 200);
}

static void changed_meanwhile(struct case_view *cv)
{
    cv->notice = T(&cv->pg, "The case changed while you had it open, and nothing was done. Here "
                            "it is as it is now: check it before you act again.");
    cv->notice_class = "warn";
    cv->sent_action = -1;
}

static int acted(struct http_request *req)
{
    struct case_view *cv = req->op;
    struct page *pg = &cv->pg;
    int rc = cv->w.rc;
    if (rc && rc != AKAR_ECONFLICT && rc != AKAR_EINVAL && rc != AKAR_ENOTFOUND)
        return page_message(pg, 503, T(pg, "Try again shortly"),
                            T(pg, "The action could not be saved. Try again shortly."));
    int reply;
    if (rc) {
        if (!load(cv, &reply))
            return reply;
        changed_meanwhile(cv);
        return render(cv, 409);
    }
    const char *name = cv->w.u.case_update.action;
    if (strcmp(name, "reveal") != 0)
        return page_redirect(
            pg, arena_printf(req->arena, "/office/cases/%lld?done=%s", (long long)cv->c.id, name));
    /* the identity is shown in this answer only: a reload shows the case sealed again */
    const char *revealed = cv->revealed;
    if (!load(cv, &reply))
        return reply;
    cv->revealed = revealed;
    cv->sent_action = -1;
    return render(cv, 200);
}

int web_office_case_act(struct http_request *req)
{
    struct case_view *cv = arena_calloc(req->arena, sizeof *cv);
    struct page *pg = &cv->pg;
    cv->sent_action = -1;
    int reply;
    if (!office_begin(pg, req, &reply))
        return reply;
    struct form f;
    if (!office_form(pg, &f, &reply))
        return reply;
    if (!load(cv, &reply))
        return reply;
    int action = case_action_parse(form_get(&f, "action"));
    if (action < 0)
        return page_message(pg, 400, T(pg, "The form could not be read"),
                            T(pg, "Go back, reload the page and send the form again."));
    const char *version = form_get(&f, "version");
    if (!version || strtoll(version, NULL, 10) != cv->c.version) {
        changed_meanwhile(cv);
        return render(cv, 409);
    }
    cv->sent_action = action;
    cv->v_reason = form_get(&f, "reason");
    cv->v_to_unit = form_get(&f, "to_unit");
    cv->v_handler = form_get(&f, "handler");
    cv->v_answer = form_get(&f, "answer");
    cv->v_document = form_get(&f, "document");
    cv->v_merge_into = form_get(&f, "merge_into");
    const char *complex = form_get(&f, "complex");
    char *end = NULL;
    long long merge_into = cv->v_merge_into ? strtoll(cv->v_merge_into, &end, 10) : 0;
    if (end && *end)
        merge_into = 0;
    const char *document = cv->v_document && *cv->v_document ? cv->v_document : NULL;
    struct api_case_action act = {
        .action = (enum case_action)action,
        .args = {cv->v_reason, cv->v_answer, document, complex && strcmp(complex, "true") == 0},
        .to_unit = cv->v_to_unit,
        .handler = cv->v_handler,
        .merge_into = merge_into};
    struct case_problem p = {0};
    int rc = api_case_plan(pg->web->api, req->arena, pg->who, &cv->c, &cv->who, &act, &cv->w,
                           &cv->revealed, &p);
    if (rc == AKAR_EINVAL) {
        if (p.rc == AKAR_ECONFLICT) {
            changed_meanwhile(cv);
            return render(cv, 409);
        }
        if (p.rc == AKAR_EDENIED) {
            cv->sent_action = -1;
            cv->notice = T(pg, "Your roles here do not allow this action.");
            cv->notice_class = "error";
            return render(cv, 403);
        }
        static const char *const fields[] = {"reason", "to_unit",  "handler",
                                             "answer", "document", "merge_into"};
        cv->err_field = "action";
        for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
            if (strcmp(p.field, fields[i]) == 0)
                cv->err_field = fields[i];
        cv->err_text = problem_text(pg, &p, (enum case_action)action);
        cv->notice = T(pg, "Nothing was done: see the message beside the form.");
        cv->notice_class = "error";
        cv->notice_href = strcmp(cv->err_field, "action") == 0
                              ? arena_printf(req->arena, "act-%s", case_action_name(action))
                              : fid(cv, (enum case_action)action, cv->err_field);
        return render(cv, 422);
    }
    if (rc)
        return page_message(pg, 503, T(pg, "Try again shortly"),
                            T(pg, "The action could not be saved. Try again shortly."));
    return api_submit_to(pg->web->api, req, cv, &cv->w, acted);
}
