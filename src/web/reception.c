/* The reception desk: GET /office/reception is the form a receptionist fills in for a resident
 * who came in, wrote or called (channel reception, paper or phone; the reporter's details; the
 * privacy the resident chose); POST /office/reception takes it in through the API's intake
 * (desks are not throttled like the public) and answers with the receipt to print and hand
 * over: the tracking code, the access key (shown this once), the deadline of the decision on
 * accepting it, a QR code of the tracking address, and possible duplicates for the desk. */
#include "web/office.h"

#include "base/arena.h"
#include "base/err.h"

#include <stddef.h>
#include <string.h>

enum rfield {
    R_UNIT,
    R_CHANNEL,
    R_KIND,
    R_CATEGORY,
    R_TITLE,
    R_DESCRIPTION,
    R_ADDRESS,
    R_NAME,
    R_PHONE,
    R_EMAIL,
    R_HOME,
    R_PRIVACY,
    R_COUNT
};

static const char *const rnames[R_COUNT] = {"unit",  "channel",     "kind",    "category",
                                            "title", "description", "address", "name",
                                            "phone", "email",       "home",    "privacy"};

/* The intake's field names (its problems name them) for ours. */
static const char *const intake_names[R_COUNT] = {"unit",
                                                  "channel",
                                                  "kind",
                                                  "category",
                                                  "title",
                                                  "description",
                                                  "location.address",
                                                  "reporter.name",
                                                  "reporter.phone",
                                                  "reporter.email",
                                                  "reporter.address",
                                                  "confidential"};

static const char *const kinds[] = {"feedback", "recommendation", "complaint", "denunciation",
                                    "information_request"};

struct desk {
    struct page pg;
    const char *v[R_COUNT];
    const char *err[R_COUNT];
    struct unit_row *units; /* where this person is a receptionist */
    size_t nunits;
    struct api_intake it;
};

static const char *fid(struct desk *d, enum rfield f)
{
    return arena_printf(d->pg.req->arena, "f-%s", rnames[f]);
}

static void text(struct desk *d, enum rfield f, const char *type, const char *label,
                 const char *hint, const char *attrs)
{
    office_field(&d->pg, fid(d, f), rnames[f], type, label, hint, d->v[f] ? d->v[f] : "", d->err[f],
                 attrs);
}

static const char *invalid(struct desk *d, enum rfield f)
{
    return d->err[f]
               ? html_fmt_arena(d->pg.req->arena,
                                " aria-describedby=\"e-f-%s\" aria-invalid=\"true\"", rnames[f])
               : "";
}

/* Radio buttons named after f, one per value. */
static void radios(struct desk *d, enum rfield f, const char *legend, const char *const *values,
                   const char *const *labels, size_t n)
{
    struct buf *b = &d->pg.out;
    const char *chosen = d->v[f] ? d->v[f] : values[0];
    html_fmt(b, "<fieldset id=\"%s\"%r><legend>%s</legend>", fid(d, f), invalid(d, f), legend);
    office_error(&d->pg, fid(d, f), d->err[f]);
    for (size_t i = 0; i < n; i++)
        html_fmt(b,
                 "<div class=\"choice\"><input type=\"radio\" id=\"%s-%s\" name=\"%s\" "
                 "value=\"%s\"%r><label for=\"%s-%s\">%s</label></div>",
                 fid(d, f), values[i], rnames[f], values[i],
                 strcmp(chosen, values[i]) == 0 ? " checked" : "", fid(d, f), values[i], labels[i]);
    html_fmt(b, "</fieldset>");
}

static int form_page(struct desk *d, int status)
{
    struct page *pg = &d->pg;
    struct buf *b = &pg->out;
    struct arena *a = pg->req->arena;
    pg->title = T(pg, "Reception desk");
    html_fmt(b, "<h1>%s</h1><p class=\"lead\">%s</p>", pg->title,
             T(pg, "Enter a petition for a resident who came to the desk, wrote or called. They "
                   "get a printed receipt with the tracking code and the access key."));
    int nerr = 0;
    for (int f = 0; f < R_COUNT; f++)
        nerr += d->err[f] != NULL;
    if (nerr) {
        html_fmt(b, "<div class=\"notice error\" role=\"alert\" id=\"errors\"><p>%s</p><ul>",
                 T(pg, "Nothing was sent yet. Correct these answers:"));
        for (int f = 0; f < R_COUNT; f++)
            if (d->err[f])
                html_fmt(b, "<li><a href=\"#%s\">%s</a></li>", fid(d, f), d->err[f]);
        html_fmt(b, "</ul></div>");
    }
    html_fmt(b, "<form method=\"post\" action=\"/office/reception\" class=\"stack\" novalidate>%r",
             page_csrf_input(pg));

    html_fmt(b, "<div class=\"field%r\"><label for=\"f-unit\">%s</label>",
             d->err[R_UNIT] ? " has-error" : "", T(pg, "Unit the petition is for"));
    office_error(pg, "f-unit", d->err[R_UNIT]);
    office_unit_select(pg, "f-unit", "unit", d->units, d->nunits, d->v[R_UNIT], NULL,
                       invalid(d, R_UNIT));
    html_fmt(b, "</div>");

    static const char *const channels[] = {"reception", "paper", "phone"};
    const char *channel_labels[] = {T(pg, "In person at the desk"), T(pg, "By letter"),
                                    T(pg, "By telephone")};
    radios(d, R_CHANNEL, T(pg, "How it came in"), channels, channel_labels, 3);

    html_fmt(b, "<div class=\"field%r\"><label for=\"f-kind\">%s</label>",
             d->err[R_KIND] ? " has-error" : "", T(pg, "Kind"));
    office_error(pg, "f-kind", d->err[R_KIND]);
    html_fmt(b, "<select id=\"f-kind\" name=\"kind\"%r>", invalid(d, R_KIND));
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        html_fmt(b, "<option value=\"%s\"%r>%s</option>", kinds[i],
                 d->v[R_KIND] && strcmp(d->v[R_KIND], kinds[i]) == 0 ? " selected" : "",
                 web_kind_label(pg, kinds[i]));
    html_fmt(b, "</select></div>");

    struct category_row *cats = NULL;
    size_t ncats = 0;
    if (d->nunits && store_category_list(pg->web->store, a, d->units[0].path, &cats, &ncats) == 0)
        ncats = api_categories_offered(cats, ncats);
    html_fmt(b, "<div class=\"field%r\"><label for=\"f-category\">%s</label>",
             d->err[R_CATEGORY] ? " has-error" : "", T(pg, "Category (optional)"));
    office_error(pg, "f-category", d->err[R_CATEGORY]);
    html_fmt(b, "<select id=\"f-category\" name=\"category\"%r><option value=\"\">%s</option>",
             invalid(d, R_CATEGORY), T(pg, "No category"));
    for (size_t i = 0; i < ncats; i++)
        html_fmt(b, "<option value=\"%s\"%r>%s</option>", cats[i].code,
                 d->v[R_CATEGORY] && strcmp(d->v[R_CATEGORY], cats[i].code) == 0 ? " selected" : "",
                 cats[i].name);
    html_fmt(b, "</select></div>");

    text(d, R_TITLE, "text", T(pg, "Title"), T(pg, "In a few words, what it is about."),
         " maxlength=\"200\" required");
    text(d, R_DESCRIPTION, "textarea", T(pg, "What the resident says"), NULL,
         " rows=\"8\" maxlength=\"4000\" required");
    text(d, R_ADDRESS, "text", T(pg, "Place concerned (optional)"), NULL, " maxlength=\"500\"");

    html_fmt(b, "<fieldset><legend>%s</legend><p class=\"hint\">%s</p>", T(pg, "The resident"),
             T(pg, "Leave empty what they do not want to give."));
    text(d, R_NAME, "text", T(pg, "Name"), NULL, " maxlength=\"200\" autocomplete=\"off\"");
    text(d, R_PHONE, "tel", T(pg, "Telephone"), NULL, " maxlength=\"64\" autocomplete=\"off\"");
    text(d, R_EMAIL, "email", T(pg, "E-mail"), NULL, " maxlength=\"254\" autocomplete=\"off\"");
    text(d, R_HOME, "text", T(pg, "Address"), NULL, " maxlength=\"500\" autocomplete=\"off\"");
    html_fmt(b, "</fieldset>");

    static const char *const privacies[] = {"public", "anonymous", "confidential"};
    const char *privacy_labels[] = {
        T(pg, "Named: the handlers see who sent it"),
        T(pg, "Anonymous: the identity is sealed; the report may be published"),
        T(pg, "Confidential: identity and report are kept private")};
    radios(d, R_PRIVACY, T(pg, "What the resident chose"), privacies, privacy_labels, 3);
    html_fmt(b, "<p class=\"hint\">%s</p>",
             T(pg, "A denunciation's sender is always sealed, whatever is chosen here."));
    html_fmt(b, "<p><button type=\"submit\">%s</button></p></form>",
             T(pg, "Enter the petition and print the receipt"));
    return page_finish(pg, status);
}

/* What the receptionist is shown after the commit: the receipt, which is also what prints. */
static int receipt(struct desk *d)
{
    struct page *pg = &d->pg;
    struct buf *b = &pg->out;
    struct arena *a = pg->req->arena;
    struct case_row c;
    if (store_case_get(pg->web->store, a, d->it.w.id, NULL, &c))
        return page_message(pg, 503, T(pg, "Try again shortly"),
                            T(pg, "The petition was entered, but its receipt cannot be read. "
                                  "Find it in the inbox."));
    const char *host = http_header(pg->req, "Host");
    const char *url =
        arena_printf(a, "%s://%s/track/%s", pg->web->api->cfg.secure_cookies ? "https" : "http",
                     host ? host : "localhost", c.tracking_code);
    pg->title = T(pg, "Receipt");
    html_fmt(b,
             "<h1>%s</h1><div class=\"notice good\" role=\"status\"><p>%s</p></div>"
             "<section aria-labelledby=\"receipt-unit\">"
             "<h2 id=\"receipt-unit\">%s</h2><dl class=\"facts\">",
             pg->title,
             T(pg, "The petition is entered. Print this page and hand it to the resident: the "
                   "access key is shown only now."),
             c.unit_name);
    html_fmt(b,
             "<dt>%s</dt><dd class=\"code\" id=\"tracking-code\">%s</dd>"
             "<dt>%s</dt><dd class=\"code key\" id=\"access-key\">%s</dd>"
             "<dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>"
             "<dt>%s</dt><dd>%s</dd></dl>",
             T(pg, "Tracking code"), c.tracking_code, T(pg, "Access key"), d->it.access_key,
             T(pg, "Kind"), web_kind_label(pg, c.kind), T(pg, "Title"), c.title, T(pg, "Received"),
             page_datetime(pg, c.received_at, c.unit_time_zone),
             T(pg, "Decision on accepting it due by"), page_date(pg, c.due_at, c.unit_time_zone));
    html_fmt(b, "<p>%s</p>",
             T(pg, "Follow the petition with the tracking code at this address. The access key "
                   "shows your own details and lets you rate the answer: keep it private."));
    const char *qr = web_qr_svg(a, url, T(pg, "QR code of the tracking page"));
    html_fmt(b,
             "<figure class=\"qr\">%r<figcaption class=\"mono\">%s</figcaption></figure></section>",
             qr ? qr : "", url);
    struct case_row *sim;
    size_t n = api_case_duplicates(pg->web->api, a, &c, &sim);
    if (n) {
        html_fmt(b, "<section class=\"no-print\"><h2>%s</h2><p>%s</p><ul>",
                 T(pg, "Possible duplicates"),
                 T(pg, "Open cases of this unit on what looks like the same matter."));
        for (size_t i = 0; i < n; i++)
            html_fmt(b, "<li><a href=\"/office/cases/%lld\">%s</a> (%s)</li>", (long long)sim[i].id,
                     sim[i].title, web_status_label(pg, sim[i].status));
        html_fmt(b, "</ul></section>");
    }
    html_fmt(b,
             "<p class=\"actions no-print\"><a class=\"button\" href=\"/office/cases/%lld\">%s</a>"
             " <a class=\"button secondary\" href=\"/office/reception\">%s</a></p>",
             (long long)c.id, T(pg, "Open the case"), T(pg, "Enter another petition"));
    return page_finish(pg, 200);
}

/* The problem of the intake beside our field. */
static void refusal(struct desk *d, const struct case_problem *p)
{
    struct page *pg = &d->pg;
    static const struct {
        const char *field, *text;
    } messages[] = {
        {"title", N_("Give a title of at most 200 characters.")},
        {"description", N_("Write what the resident says, in at most 4,000 characters.")},
        {"location.address", N_("An address has at most 500 characters.")},
        {"reporter.name", N_("A name has at most 200 characters.")},
        {"reporter.phone", N_("A telephone number has 6 to 15 digits.")},
        {"reporter.email", N_("This is not an e-mail address.")},
        {"reporter.address", N_("An address has at most 500 characters.")},
        {"channel", N_("You are not a receptionist of this unit.")},
        {"kind", N_("This unit's rules have no such kind of petition.")},
        {"category", N_("This category is not offered at this unit.")},
    };
    for (int f = 0; f < R_COUNT; f++)
        if (strcmp(p->field, intake_names[f]) == 0)
            for (size_t i = 0; i < sizeof messages / sizeof messages[0]; i++)
                if (strcmp(messages[i].field, p->field) == 0)
                    d->err[f] = T(pg, messages[i].text);
    if (strcmp(p->field, "channel") == 0) {
        /* the channel is right; the unit is not one of this receptionist's */
        d->err[R_UNIT] = d->err[R_CHANNEL];
        d->err[R_CHANNEL] = NULL;
    }
    bool any = false;
    for (int f = 0; f < R_COUNT; f++)
        any |= d->err[f] != NULL;
    if (!any)
        d->err[R_DESCRIPTION] = T(pg, "This petition cannot be entered as it is.");
}

static int entered(struct http_request *req)
{
    struct desk *d = (struct desk *)((char *)req->op - offsetof(struct desk, it));
    int rc = api_intake_result(&d->it);
    if (rc == AKAR_ENOTFOUND) {
        d->err[R_CATEGORY] = T(&d->pg, "This category is not offered at this unit.");
        return form_page(d, 422);
    }
    if (rc)
        return page_message(&d->pg, 503, T(&d->pg, "Try again shortly"),
                            T(&d->pg, "The petition could not be saved. Try again shortly."));
    return receipt(d);
}

static bool begin(struct desk *d, struct http_request *req, int *reply)
{
    if (!office_begin(&d->pg, req, reply))
        return false;
    office_units(&d->pg, 1u << ROLE_RECEPTIONIST, &d->units, &d->nunits);
    if (!d->nunits) {
        *reply = page_message(&d->pg, 403, T(&d->pg, "Reception desk"),
                              T(&d->pg, "The reception desk is for receptionists."));
        return false;
    }
    return true;
}

int web_office_reception(struct http_request *req)
{
    struct desk *d = arena_calloc(req->arena, sizeof *d);
    int reply;
    if (!begin(d, req, &reply))
        return reply;
    return form_page(d, 200);
}

int web_office_reception_post(struct http_request *req)
{
    struct desk *d = arena_calloc(req->arena, sizeof *d);
    struct page *pg = &d->pg;
    int reply;
    if (!begin(d, req, &reply))
        return reply;
    struct form f;
    if (!office_form(pg, &f, &reply))
        return reply;
    for (int i = 0; i < R_COUNT; i++) {
        const char *v = form_get(&f, rnames[i]);
        d->v[i] = v && *v ? v : NULL;
    }
    int channel = case_channel_parse(d->v[R_CHANNEL]);
    if (channel != CHANNEL_RECEPTION && channel != CHANNEL_PAPER && channel != CHANNEL_PHONE)
        d->err[R_CHANNEL] = T(pg, "Choose how the petition came in.");
    int kind = case_kind_parse(d->v[R_KIND]);
    if (kind < 0)
        d->err[R_KIND] = T(pg, "Choose the kind of petition.");
    if (!d->v[R_UNIT])
        d->err[R_UNIT] = T(pg, "Choose the unit.");
    if (!d->v[R_TITLE])
        d->err[R_TITLE] = T(pg, "Give a title of at most 200 characters.");
    if (!d->v[R_DESCRIPTION])
        d->err[R_DESCRIPTION] = T(pg, "Write what the resident says, in at most 4,000 characters.");
    const char *privacy = d->v[R_PRIVACY] ? d->v[R_PRIVACY] : "public";
    if (strcmp(privacy, "public") != 0 && strcmp(privacy, "anonymous") != 0 &&
        strcmp(privacy, "confidential") != 0)
        d->err[R_PRIVACY] = T(pg, "Choose what the resident chose.");
    for (int i = 0; i < R_COUNT; i++)
        if (d->err[i])
            return form_page(d, 422);

    struct api_intake *it = &d->it;
    it->unit_code = d->v[R_UNIT];
    it->who = pg->who;
    struct case_intake *in = &it->in;
    in->kind = (enum case_kind)kind;
    in->channel = (enum case_channel)channel;
    in->title = d->v[R_TITLE];
    in->description = d->v[R_DESCRIPTION];
    in->category_code = d->v[R_CATEGORY];
    in->address = d->v[R_ADDRESS];
    in->anonymous = strcmp(privacy, "anonymous") == 0;
    in->confidential = strcmp(privacy, "confidential") == 0;
    in->has_reporter = d->v[R_NAME] || d->v[R_PHONE] || d->v[R_EMAIL] || d->v[R_HOME];
    in->reporter = (struct case_reporter){d->v[R_NAME], d->v[R_PHONE], d->v[R_EMAIL], d->v[R_HOME]};
    switch (api_intake_submit(req, pg->web->api, it, entered)) {
    case INTAKE_QUEUED:
        return HTTP_SUSPENDED;
    case INTAKE_REFUSED:
        refusal(d, &it->problem);
        return form_page(d, it->problem.rc == AKAR_EDENIED ? 403 : 422);
    case INTAKE_NO_UNIT:
        d->err[R_UNIT] = T(pg, "Choose the unit.");
        return form_page(d, 422);
    case INTAKE_THROTTLED:
    case INTAKE_UNAVAILABLE:
        break;
    }
    return page_message(pg, 503, T(pg, "Try again shortly"),
                        T(pg, "The petition could not be saved. Try again shortly."));
}
