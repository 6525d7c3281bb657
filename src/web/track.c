/* Following a petition: GET /track (the code, typed), GET /track/{code} (status, public
 * timeline and answer, never a person), POST /track/{code} (the access key, sent in the body
 * so it stays out of addresses, logs and history: the sender's own view) and POST
 * /track/{code}/rating (the sender rates the answer once it is resolved). What each view may
 * show is decided by the API's serializer (api_track_view); this file only renders it. */
#include "web/resident.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "domain/cases.h"
#include "domain/tracking.h"
#include "http/form.h"

#include <stdlib.h>
#include <string.h>

/* A tracking page being answered. */
struct track {
    struct page pg;
    struct case_row c;
    const char *key;        /* the access key that opened the sender's view, or NULL */
    const char *key_error;  /* beside the access key field */
    const char *rate_error; /* beside the rating */
    const char *comment;    /* the comment typed, kept when the rating comes back */
    const char *comment_error;
    const char *notice; /* a line at the top (after rating) */
    bool notice_good;
    struct store_write w; /* the rating, while it commits */
};

static const char *str(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- GET /track ---- */

static int code_form(struct page *pg, const char *typed, const char *error, int status)
{
    struct buf *b = &pg->out;
    pg->title = T(pg, "Track a petition");
    html_fmt(b, "<h1>%s</h1>", pg->title);
    if (error)
        html_fmt(b,
                 "<div class=\"notice error\" role=\"alert\"><h2>%s</h2><ul><li>"
                 "<a href=\"#f-code\">%s</a></li></ul></div>",
                 T(pg, "There is a problem"), error);
    html_fmt(b,
             "<form class=\"stack\" method=\"get\" action=\"/track\">"
             "<div class=\"field%r\"><label for=\"f-code\">%s</label>"
             "<span class=\"hint\" id=\"h-code\">%s</span>",
             error ? " has-error" : "", T(pg, "Tracking code"),
             T(pg, "The code on your receipt, for example K7QM-3HPA-2XB."));
    if (error)
        html_fmt(b,
                 "<span class=\"error-text\" id=\"e-code\"><span class=\"vh\">%s </span>%s</span>",
                 T(pg, "Error:"), error);
    html_fmt(b,
             "<input type=\"text\" id=\"f-code\" name=\"code\" value=\"%s\" class=\"code-input\" "
             "data-tracking-code autocomplete=\"off\" autocapitalize=\"characters\" "
             "spellcheck=\"false\" maxlength=\"40\"%r></div>"
             "<p class=\"actions\"><button type=\"submit\">%s</button></p></form>",
             typed,
             error ? " aria-describedby=\"h-code e-code\" aria-invalid=\"true\""
                   : " aria-describedby=\"h-code\"",
             T(pg, "Show its progress"));
    return page_finish(pg, status);
}

int web_track_form(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    const char *typed = http_query(req, "code");
    if (!typed || !*typed)
        return code_form(&pg, NULL, NULL, 200);
    char code[TRACKING_TEXT];
    if (!tracking_normalise(typed, code))
        return code_form(&pg, typed,
                         T(&pg, "This is not a tracking code. Check it for typing mistakes: a "
                                "code has 11 letters and digits, like K7QM-3HPA-2XB."),
                         422);
    struct case_row c;
    int rc = store_case_get(pg.web->store, req->arena, 0, code, &c);
    if (rc == AKAR_ENOTFOUND)
        return code_form(&pg, typed,
                         T(&pg, "No petition has this code. Check it against your receipt."), 404);
    if (rc)
        return page_message(&pg, 503, T(&pg, "Please try again"),
                            T(&pg, "The service is busy. Wait a moment and try again."));
    return page_redirect(&pg, arena_printf(req->arena, "/track/%s", code));
}

/* ---- the case page ---- */

static void timeline(struct track *t, json_t *events)
{
    struct page *pg = &t->pg;
    html_fmt(&pg->out, "<ol class=\"timeline\">");
    size_t i;
    json_t *e;
    json_array_foreach(events, i, e)
    {
        const char *at = str(e, "at"), *action = str(e, "action");
        html_fmt(&pg->out, "<li><time datetime=\"%s\">%s</time>%s", at,
                 page_datetime(pg, web_instant_ms(at), t->c.unit_time_zone),
                 web_event_label(pg, action));
        /* these two notes quote the official's reason, which the law says the sender gets */
        if (action && (strcmp(action, "reject") == 0 || strcmp(action, "extend") == 0) &&
            str(e, "note"))
            html_fmt(&pg->out, "<p class=\"text muted\">%s</p>", str(e, "note"));
        html_fmt(&pg->out, "</li>");
    }
    html_fmt(&pg->out, "</ol>");
}

static const char *privacy_label(struct page *pg, const char *privacy)
{
    if (privacy && strcmp(privacy, "anonymous") == 0)
        return T(pg, "Anonymous");
    if (privacy && strcmp(privacy, "confidential") == 0)
        return T(pg, "Confidential");
    return T(pg, "Named");
}

static void fact(struct buf *b, const char *term, const char *value)
{
    if (value && *value)
        html_fmt(b, "<dt>%s</dt><dd>%s</dd>", term, value);
}

static void rating_form(struct track *t)
{
    struct page *pg = &t->pg;
    struct buf *b = &pg->out;
    const char *scale[5] = {T(pg, "Very dissatisfied"), T(pg, "Dissatisfied"),
                            T(pg, "Neither satisfied nor dissatisfied"), T(pg, "Satisfied"),
                            T(pg, "Very satisfied")};
    html_fmt(b,
             "<form class=\"stack\" method=\"post\" action=\"/track/%s/rating\">%r"
             "<input type=\"hidden\" name=\"access_key\" value=\"%s\">"
             "<fieldset id=\"f-rating\" class=\"%r\"%r><legend>%s</legend>",
             t->c.tracking_code, page_csrf_input(pg), t->key, t->rate_error ? "has-error" : "",
             t->rate_error ? " aria-describedby=\"e-rating\"" : "",
             T(pg, "How satisfied are you with the answer?"));
    if (t->rate_error)
        html_fmt(b,
                 "<span class=\"error-text\" id=\"e-rating\"><span class=\"vh\">%s </span>%s"
                 "</span>",
                 T(pg, "Error:"), t->rate_error);
    for (int i = 5; i >= 1; i--)
        html_fmt(b,
                 "<div class=\"choice\"><input type=\"radio\" id=\"f-rating-%d\" name=\"rating\" "
                 "value=\"%d\"><label for=\"f-rating-%d\">%d – %s</label></div>",
                 i, i, i, i, scale[i - 1]);
    html_fmt(b, "</fieldset><div class=\"field%r\"><label for=\"f-comment\">%s</label>",
             t->comment_error ? " has-error" : "", T(pg, "Comment (optional)"));
    if (t->comment_error)
        html_fmt(b,
                 "<span class=\"error-text\" id=\"e-comment\"><span class=\"vh\">%s </span>%s"
                 "</span>",
                 T(pg, "Error:"), t->comment_error);
    html_fmt(b,
             "<textarea id=\"f-comment\" name=\"comment\" rows=\"4\" maxlength=\"2000\"%r>%s"
             "</textarea></div><p class=\"actions\"><button type=\"submit\">%s</button></p>"
             "</form>",
             t->comment_error ? " aria-describedby=\"e-comment\" aria-invalid=\"true\"" : "",
             t->comment, T(pg, "Send my rating"));
}

/* The sender's part: their own details, photos and the rating. */
static void senders_part(struct track *t, json_t *o)
{
    struct page *pg = &t->pg;
    struct buf *b = &pg->out;
    html_fmt(b, "<section aria-labelledby=\"yours\"><h2 id=\"yours\">%s</h2><dl class=\"facts\">",
             T(pg, "What only you can see"));
    json_t *r = json_object_get(o, "reporter");
    fact(b, T(pg, "Full name"), str(r, "name"));
    fact(b, T(pg, "Phone"), str(r, "phone"));
    fact(b, T(pg, "E-mail"), str(r, "email"));
    fact(b, T(pg, "Your address"), str(r, "address"));
    fact(b, T(pg, "Who may see it"), privacy_label(pg, str(o, "privacy")));
    html_fmt(b, "</dl>");
    if (!json_is_object(r))
        html_fmt(b, "<p>%s</p>", T(pg, "You gave no details about yourself."));
    web_case_answers(pg, &t->c, 3);
    json_t *att = json_object_get(o, "attachments");
    if (json_array_size(att)) {
        html_fmt(b, "<h3>%s</h3><ul>", T(pg, "Your photos"));
        size_t i;
        json_t *a;
        json_array_foreach(att, i, a)
        {
            long long size = json_integer_value(json_object_get(a, "size"));
            html_fmt(b, "<li>%s (%s KB)</li>", str(a, "filename"),
                     page_number(pg, (size + 1023) / 1024));
        }
        html_fmt(b, "</ul>");
    }
    html_fmt(b, "<h3>%s</h3>", T(pg, "Rating"));
    const char *status = str(o, "status");
    json_int_t rating = json_integer_value(json_object_get(o, "rating"));
    if (rating)
        html_fmt(b, "<p>%s</p>",
                 arena_printf(pg->req->arena, T(pg, "You rated the answer %d of 5. Thank you."),
                              (int)rating));
    else if (status && (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0))
        rating_form(t);
    else
        html_fmt(b, "<p>%s</p>",
                 T(pg, "You can rate the answer here once the petition is resolved."));
    html_fmt(b, "</section>");
}

/* The form that opens the sender's view. */
static void key_form(struct track *t)
{
    struct page *pg = &t->pg;
    struct buf *b = &pg->out;
    html_fmt(b,
             "<section aria-labelledby=\"sender\"><h2 id=\"sender\">%s</h2>"
             "<form class=\"stack\" method=\"post\" action=\"/track/%s\">%r"
             "<div class=\"field%r\"><label for=\"f-access_key\">%s</label>"
             "<span class=\"hint\" id=\"h-access_key\">%s</span>",
             T(pg, "Did you send this petition?"), t->c.tracking_code, page_csrf_input(pg),
             t->key_error ? " has-error" : "", T(pg, "Access key"),
             T(pg, "The access key on your receipt shows your own details and lets you rate the "
                   "answer."));
    if (t->key_error)
        html_fmt(b,
                 "<span class=\"error-text\" id=\"e-access_key\"><span class=\"vh\">%s </span>%s"
                 "</span>",
                 T(pg, "Error:"), t->key_error);
    html_fmt(b,
             "<input type=\"password\" id=\"f-access_key\" name=\"access_key\" "
             "autocomplete=\"off\" spellcheck=\"false\"%r></div>"
             "<p class=\"actions\"><button type=\"submit\" class=\"secondary\">%s</button></p>"
             "</form></section>",
             t->key_error ? " aria-describedby=\"h-access_key e-access_key\" aria-invalid=\"true\""
                          : " aria-describedby=\"h-access_key\"",
             T(pg, "Show my details"));
}

static void merged_part(struct track *t, json_t *k)
{
    struct page *pg = &t->pg;
    struct buf *b = &pg->out;
    html_fmt(b,
             "<section class=\"notice\" aria-labelledby=\"merged\"><h2 id=\"merged\">%s</h2>"
             "<p>%s</p><p><span class=\"%s\">%s</span></p>",
             T(pg, "Handled together with another petition"),
             T(pg, "Your petition is about the same matter as another one, so they are handled "
                   "together. Its progress is shown here."),
             web_status_badge(str(k, "status"), false), web_status_label(pg, str(k, "status")));
    if (str(k, "answer"))
        html_fmt(b, "<h3>%s</h3><p class=\"text\">%s</p>", T(pg, "The answer"), str(k, "answer"));
    timeline(t, json_object_get(k, "timeline"));
    html_fmt(b, "</section>");
}

/* Renders the case with the view the serializer allows: the sender's when t->key opened it. */
static int render_case(struct track *t, int status)
{
    struct page *pg = &t->pg;
    struct buf *b = &pg->out;
    const struct case_row *c = &t->c;
    json_t *o = api_track_view(pg->web->api, pg->req, c, t->key != NULL);
    if (!o)
        return page_message(pg, 503, T(pg, "Please try again"),
                            T(pg, "The service is busy. Wait a moment and try again."));
    const char *tz = c->unit_time_zone;
    pg->title = arena_printf(pg->req->arena, T(pg, "Petition %s"), c->tracking_code);
    html_fmt(b, "<h1>%s</h1>", pg->title);
    if (t->notice)
        html_fmt(b, "<p class=\"notice%r\" role=\"status\">%s</p>",
                 t->notice_good ? " good" : " error", t->notice);
    bool overdue = json_is_true(json_object_get(o, "overdue"));
    html_fmt(b, "<p class=\"status\"><span class=\"%s\">%s</span>",
             web_status_badge(str(o, "status"), false), web_status_label(pg, str(o, "status")));
    if (overdue)
        html_fmt(b, " <span class=\"badge overdue\">%s</span>", T(pg, "Past its deadline"));
    html_fmt(b, "</p><dl class=\"facts\">");
    fact(b, T(pg, "Kind"), web_kind_label(pg, str(o, "kind")));
    fact(b, T(pg, "Sent to"), str(json_object_get(o, "unit"), "name"));
    fact(b, T(pg, "Subject"), str(json_object_get(o, "category"), "name"));
    fact(b, T(pg, "Received on"), page_datetime(pg, web_instant_ms(str(o, "received_at")), tz));
    if (json_is_true(json_object_get(o, "open")))
        fact(b, T(pg, "Next step due by"), page_datetime(pg, web_instant_ms(str(o, "due_at")), tz));
    if (str(o, "resolved_at"))
        fact(b, T(pg, "Resolved on"), page_datetime(pg, web_instant_ms(str(o, "resolved_at")), tz));
    html_fmt(b, "</dl>");
    if (str(o, "title")) {
        html_fmt(b,
                 "<section aria-labelledby=\"report\"><h2 id=\"report\">%s</h2>"
                 "<p class=\"text\">%s</p>",
                 str(o, "title"), str(o, "description"));
        json_t *loc = json_object_get(o, "location");
        if (str(loc, "address"))
            html_fmt(b, "<p><strong>%s</strong> %s</p>", T(pg, "Place:"), str(loc, "address"));
        html_fmt(b, "</section>");
    } else {
        html_fmt(b, "<p class=\"muted\">%s</p>",
                 T(pg, "This petition is not public: only its progress is shown."));
    }
    if (str(o, "answer"))
        html_fmt(b,
                 "<section aria-labelledby=\"answer\"><h2 id=\"answer\">%s</h2>"
                 "<p class=\"text\">%s</p></section>",
                 T(pg, "The answer"), str(o, "answer"));
    if (json_is_object(json_object_get(o, "merged_into")))
        merged_part(t, json_object_get(o, "merged_into"));
    html_fmt(b, "<h2>%s</h2>", T(pg, "Progress"));
    timeline(t, json_object_get(o, "timeline"));
    if (t->key)
        senders_part(t, o);
    else
        key_form(t);
    json_decref(o);
    return page_finish(pg, status);
}

/* Starts t on the case of the {code} in the path; false (with the reply sent) if none. */
static bool track_begin(struct track *t, struct http_request *req, int *reply)
{
    page_begin(&t->pg, req, req->route_ctx);
    char code[TRACKING_TEXT];
    int rc = tracking_normalise(req->params[0], code)
                 ? store_case_get(t->pg.web->store, req->arena, 0, code, &t->c)
                 : AKAR_ENOTFOUND;
    if (rc == AKAR_ENOTFOUND)
        *reply =
            code_form(&t->pg, req->params[0],
                      T(&t->pg, "No petition has this code. Check it against your receipt."), 404);
    else if (rc)
        *reply = page_message(&t->pg, 503, T(&t->pg, "Please try again"),
                              T(&t->pg, "The service is busy. Wait a moment and try again."));
    return rc == 0;
}

int web_track_page(struct http_request *req)
{
    struct track *t = arena_calloc(req->arena, sizeof *t);
    int reply;
    if (!track_begin(t, req, &reply))
        return reply;
    /* the canonical address is the code as printed */
    if (strcmp(req->params[0], t->c.tracking_code) != 0)
        return page_redirect(&t->pg, arena_printf(req->arena, "/track/%s", t->c.tracking_code));
    const char *rated = http_query(req, "rated");
    if (rated && strcmp(rated, "1") == 0) {
        t->notice = T(&t->pg, "Thank you: your rating has been recorded.");
        t->notice_good = true;
    }
    return render_case(t, 200);
}

/* Reads the posted form and checks its CSRF token; false (with the reply sent) if either
 * fails. */
static bool posted(struct track *t, struct form *f, int *reply)
{
    struct http_request *req = t->pg.req;
    size_t bad;
    if (form_parse(req->arena, req->body, req->body_len, 16, f, &bad) != 0) {
        *reply = page_message(&t->pg, 400, T(&t->pg, "The form could not be read"),
                              T(&t->pg, "Open the form again and send it from there."));
        return false;
    }
    if (!page_csrf_ok(&t->pg, form_get(f, "csrf"))) {
        *reply = page_message(&t->pg, 403, T(&t->pg, "The form has expired"),
                              T(&t->pg, "For your safety the form works only for a while and "
                                        "only in the browser that opened it. Open it again and "
                                        "send it from there."));
        return false;
    }
    return true;
}

/* The access key of the form if it opens the case; else notes the error beside its field. */
static bool key_opens(struct track *t, const struct form *f)
{
    const char *key = form_get(f, "access_key");
    if (!key || !*key) {
        t->key_error = T(&t->pg, "Enter the access key from your receipt.");
        return false;
    }
    if (!case_access_key_ok(&t->c, key)) {
        t->key_error = T(&t->pg, "This access key does not open this petition. Check it against "
                                 "your receipt.");
        return false;
    }
    t->key = key;
    return true;
}

int web_track_key(struct http_request *req)
{
    struct track *t = arena_calloc(req->arena, sizeof *t);
    int reply;
    struct form f;
    if (!track_begin(t, req, &reply) || !posted(t, &f, &reply))
        return reply;
    if (!key_opens(t, &f))
        return render_case(t, 403);
    return render_case(t, 200);
}

static int rated(struct http_request *req)
{
    struct track *t = req->op;
    if (t->w.rc == AKAR_ECONFLICT) {
        t->notice = T(&t->pg, "You have rated this answer already.");
        return render_case(t, 409);
    }
    if (t->w.rc)
        return page_message(&t->pg, 503, T(&t->pg, "Please try again"),
                            T(&t->pg, "Your rating could not be stored. Wait a moment and send "
                                      "it again."));
    return page_redirect(&t->pg, arena_printf(req->arena, "/track/%s?rated=1", t->c.tracking_code));
}

int web_track_rate(struct http_request *req)
{
    struct track *t = arena_calloc(req->arena, sizeof *t);
    struct page *pg = &t->pg;
    int reply;
    struct form f;
    if (!track_begin(t, req, &reply) || !posted(t, &f, &reply))
        return reply;
    if (!key_opens(t, &f))
        return render_case(t, 403);
    const char *given = form_get(&f, "rating"), *comment = form_get(&f, "comment");
    t->comment = comment;
    char *end = NULL;
    long rating = given ? strtol(given, &end, 10) : 0;
    if (!given || *end || rating < 1 || rating > 5) {
        t->rate_error = T(pg, "Choose how satisfied you are, from 1 to 5.");
        return render_case(t, 422);
    }
    struct api *api = pg->web->api;
    struct case_env env = {.policy = api->policy, .key = api->cfg.key, .now = clock_now_ms()};
    struct case_problem p = {0};
    if (case_plan_rating(&env, req->arena, &t->c, (int)rating, comment && *comment ? comment : NULL,
                         &t->w.u.case_update, &p)) {
        if (p.rc == AKAR_ECONFLICT) {
            t->notice = t->c.rating ? T(pg, "You have rated this answer already.")
                                    : T(pg, "The answer can be rated once the petition is "
                                            "resolved.");
            return render_case(t, 409);
        }
        if (strcmp(p.field, "comment") == 0)
            t->comment_error = T(pg, "A comment has at most 2,000 characters.");
        else
            t->rate_error = T(pg, "Choose how satisfied you are, from 1 to 5.");
        return render_case(t, 422);
    }
    t->w.kind = STORE_W_CASE_UPDATE;
    t->w.actor = "reporter";
    return api_submit_to(api, req, t, &t->w, rated);
}
