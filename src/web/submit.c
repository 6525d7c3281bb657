/* Sending a petition from the browser: GET /submit (first the unit, then the guided form with
 * the kinds explained, the unit's categories, place, photos, the sender and the privacy
 * choices), POST /submit (checked field by field, then taken in by the API's intake with the
 * photos in the same write), and GET /receipt (the tracking code, the access key and a QR
 * code, shown to the browser that sent it). */
#include "web/resident.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/seal.h"
#include "base/sniff.h"
#include "domain/cases.h"
#include "domain/tracking.h"
#include "http/cookie.h"
#include "http/form.h"
#include "http/multipart.h"

#include <math.h>
#include <sodium.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RECEIPT_COOKIE "akar_receipt"
#define RECEIPT_TTL_MS (3600 * 1000LL) /* the receipt can be shown again (reload, print) */
/* the form's fields, its photos and the answers to every category's questions (all sent without
 * JavaScript), with room to spare */
#define FORM_PARTS_MAX 256

enum field {
    F_KIND,
    F_UNIT,
    F_CATEGORY,
    F_TITLE,
    F_DESCRIPTION,
    F_ADDRESS,
    F_LAT,
    F_LON,
    F_PHOTOS,
    F_NAME,
    F_PHONE,
    F_EMAIL,
    F_HOME,
    F_PRIVACY,
    F_COUNT
};

/* The form's names; the element with id "f-NAME" is where an error about it links to. */
static const char *const names[F_COUNT] = {"kind",    "unit",  "category", "title",  "description",
                                           "address", "lat",   "lon",      "photos", "name",
                                           "phone",   "email", "home",     "privacy"};

static const char *const privacies[] = {"public", "anonymous", "confidential"};

/* A submission being checked, stored and answered: it lives in the request's arena across the
 * suspension while the write commits. */
struct submission {
    struct page pg;
    const char *v[F_COUNT];   /* what was sent, for the form shown again */
    const char *err[F_COUNT]; /* messages beside the fields, translated */
    const struct multipart_part *photos[WEB_PHOTOS_MAX];
    size_t nphotos;
    bool photos_sent; /* photos cannot be kept when the form comes back: say so */
    struct unit_row unit;
    struct category_row *cats;
    size_t ncats;
    struct web_questions qs; /* the categories' extra questions */
    struct form body;        /* the text fields as sent */
    struct api_intake it;
};

/* ---- the unit list ---- */

static int depth(const struct unit_row *u)
{
    int slashes = 0;
    for (const char *p = u->path; *p; p++)
        slashes += *p == '/';
    return slashes > 2 ? slashes - 2 : 0;
}

/* A select of every unit in tree order: the top unit, then one group per unit below it,
 * levels indented, and villages named with their commune (many are called "Khu phố 1"). */
static void unit_select(struct page *pg, const char *chosen, const char *described_by)
{
    struct unit_row *rows;
    size_t n;
    struct buf *b = &pg->out;
    if (store_unit_list(pg->web->store, pg->req->arena, &rows, &n) != 0)
        n = 0;
    html_fmt(b, "<select id=\"f-unit\" name=\"unit\"%r>", described_by);
    html_fmt(b, "<option value=\"\">%s</option>", T(pg, "Choose a unit"));
    bool group = false;
    for (size_t i = 0; i < n; i++) {
        int d = depth(&rows[i]);
        if (d == 1) {
            if (group)
                html_fmt(b, "</optgroup>");
            html_fmt(b, "<optgroup label=\"%s\">", rows[i].name);
            group = true;
        }
        const char *parent = NULL;
        for (size_t k = i; d >= 3 && k-- > 0;)
            if (rows[i].parent_code && strcmp(rows[k].code, rows[i].parent_code) == 0) {
                parent = rows[k].name;
                break;
            }
        struct buf label = {0};
        for (int k = 1; k < d; k++)
            buf_puts(&label, "\xc2\xa0\xc2\xa0\xc2\xa0");
        buf_puts(&label, rows[i].name);
        if (parent)
            buf_printf(&label, " (%s)", parent);
        html_fmt(b, "<option value=\"%s\"%r>%s</option>", rows[i].code,
                 chosen && strcmp(chosen, rows[i].code) == 0 ? " selected" : "", label.data);
        buf_release(&label);
    }
    if (group)
        html_fmt(b, "</optgroup>");
    html_fmt(b, "</select>");
}

/* ---- pieces of the form ---- */

/* aria-describedby for field f: its hint (the element hint_el, or none when NULL) and its
 * error; with an error, aria-invalid too. */
static const char *described_by(struct submission *s, enum field f, const char *hint_el)
{
    struct arena *a = s->pg.req->arena;
    if (!hint_el && !s->err[f])
        return "";
    return html_fmt_arena(a, " aria-describedby=\"%s%r%r\"%r", hint_el,
                          hint_el && s->err[f] ? " " : "",
                          s->err[f] ? html_fmt_arena(a, "e-%s", names[f]) : "",
                          s->err[f] ? " aria-invalid=\"true\"" : "");
}

static const char *hint_id(struct submission *s, enum field f)
{
    return html_fmt_arena(s->pg.req->arena, "h-%s", names[f]);
}

static void error_text(struct submission *s, enum field f)
{
    if (s->err[f])
        html_fmt(&s->pg.out,
                 "<span class=\"error-text\" id=\"e-%s\"><span class=\"vh\">%s </span>%s</span>",
                 names[f], T(&s->pg, "Error:"), s->err[f]);
}

/* A labelled text input (or textarea) with its hint and error; attrs is constant markup. */
static void text_field(struct submission *s, enum field f, const char *label, const char *hint,
                       const char *type, const char *attrs)
{
    struct buf *b = &s->pg.out;
    html_fmt(b, "<div class=\"field%r\"><label for=\"f-%s\">%s</label>",
             s->err[f] ? " has-error" : "", names[f], label);
    if (hint)
        html_fmt(b, "<span class=\"hint\" id=\"h-%s\">%s</span>", names[f], hint);
    error_text(s, f);
    /* the coordinates share one hint, above the pair */
    const char *hid = hint ? hint_id(s, f) : f == F_LAT || f == F_LON ? "h-coords" : NULL;
    if (strcmp(type, "textarea") == 0)
        html_fmt(b, "<textarea id=\"f-%s\" name=\"%s\"%r%r>%s</textarea></div>", names[f], names[f],
                 attrs, described_by(s, f, hid), s->v[f]);
    else
        html_fmt(b, "<input type=\"%s\" id=\"f-%s\" name=\"%s\" value=\"%s\"%r%r></div>", type,
                 names[f], names[f], s->v[f], attrs, described_by(s, f, hid));
}

static void summary(struct submission *s)
{
    struct page *pg = &s->pg;
    int n = 0;
    for (int f = 0; f < F_COUNT; f++)
        n += s->err[f] != NULL;
    if (!n && !web_questions_failed(&s->qs))
        return;
    html_fmt(&pg->out,
             "<div class=\"notice error\" role=\"alert\" aria-labelledby=\"errors-title\" "
             "id=\"errors\" tabindex=\"-1\"><h2 id=\"errors-title\">%s</h2><ul>",
             T(pg, "There is a problem"));
    for (int f = 0; f < F_COUNT; f++)
        if (s->err[f])
            html_fmt(&pg->out, "<li><a href=\"#f-%s\">%s</a></li>", names[f], s->err[f]);
    web_questions_summary(pg, &s->qs);
    html_fmt(&pg->out, "</ul>");
    if (s->photos_sent)
        html_fmt(&pg->out, "<p>%s</p>",
                 T(pg, "Nothing has been sent yet. Photos cannot be kept while you correct the "
                       "form: choose them again."));
    else
        html_fmt(&pg->out, "<p>%s</p>", T(pg, "Nothing has been sent yet."));
    html_fmt(&pg->out, "</div>");
}

static void kind_choices(struct submission *s)
{
    struct page *pg = &s->pg;
    struct buf *b = &pg->out;
    static const char *const kinds[] = {"feedback", "recommendation", "complaint", "denunciation",
                                        "information_request"};
    html_fmt(b, "<fieldset id=\"f-kind\" class=\"%r\"%r><legend>%s</legend>",
             s->err[F_KIND] ? "has-error" : "",
             s->err[F_KIND] ? " aria-describedby=\"e-kind\"" : "",
             T(pg, "What do you want to do?"));
    error_text(s, F_KIND);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        html_fmt(b,
                 "<div class=\"choice\"><input type=\"radio\" id=\"f-kind-%s\" name=\"kind\" "
                 "value=\"%s\" aria-describedby=\"h-kind-%s\"%r><label for=\"f-kind-%s\">"
                 "<strong>%s</strong><span class=\"hint\" id=\"h-kind-%s\">%s</span></label></div>",
                 kinds[i], kinds[i], kinds[i],
                 s->v[F_KIND] && strcmp(s->v[F_KIND], kinds[i]) == 0 ? " checked" : "", kinds[i],
                 web_kind_label(pg, kinds[i]), kinds[i], web_kind_hint(pg, kinds[i]));
    html_fmt(b, "</fieldset>");
}

static void category_select(struct submission *s)
{
    struct page *pg = &s->pg;
    struct buf *b = &pg->out;
    html_fmt(b, "<div class=\"field%r\"><label for=\"f-category\">%s</label>",
             s->err[F_CATEGORY] ? " has-error" : "", T(pg, "Subject"));
    html_fmt(b, "<span class=\"hint\" id=\"h-category\">%s</span>",
             T(pg, "The subject closest to your petition, so that it reaches the right "
                   "department. If none fits, choose “Another subject”."));
    error_text(s, F_CATEGORY);
    html_fmt(b, "<select id=\"f-category\" name=\"category\"%r><option value=\"\">%s</option>",
             described_by(s, F_CATEGORY, hint_id(s, F_CATEGORY)),
             T(pg, "Another subject, or not sure"));
    for (size_t i = 0; i < s->ncats; i++)
        html_fmt(b, "<option value=\"%s\"%r>%s</option>", s->cats[i].code,
                 s->v[F_CATEGORY] && strcmp(s->v[F_CATEGORY], s->cats[i].code) == 0 ? " selected"
                                                                                    : "",
                 s->cats[i].name);
    html_fmt(b, "</select></div>");
}

static void privacy_choices(struct submission *s)
{
    struct page *pg = &s->pg;
    struct buf *b = &pg->out;
    const char *texts[][2] = {
        {T(pg, "Named"),
         T(pg, "The officials who handle your petition see your name and contact details, so "
               "they can reach you. The public never sees them. With the tracking code anyone "
               "can read the petition, its progress and the answer.")},
        {T(pg, "Anonymous"),
         T(pg, "Your petition, its progress and the answer can be read with the tracking code, "
               "but your name and contact details are sealed: nobody sees them except the "
               "handler assigned to your petition, and only by an action that is recorded and "
               "audited.")},
        {T(pg, "Confidential"),
         T(pg, "As anonymous, and the petition itself is not public either: with the tracking "
               "code others see only its status and dates.")},
    };
    const char *chosen = s->v[F_PRIVACY] && *s->v[F_PRIVACY] ? s->v[F_PRIVACY] : "public";
    html_fmt(b, "<fieldset id=\"f-privacy\" class=\"%r\"%r><legend>%s</legend>",
             s->err[F_PRIVACY] ? "has-error" : "",
             s->err[F_PRIVACY] ? " aria-describedby=\"e-privacy\"" : "",
             T(pg, "Who may see your petition and your name?"));
    error_text(s, F_PRIVACY);
    for (size_t i = 0; i < 3; i++)
        html_fmt(b,
                 "<div class=\"choice\"><input type=\"radio\" id=\"f-privacy-%s\" name=\"privacy\" "
                 "value=\"%s\" aria-describedby=\"h-privacy-%s\"%r><label for=\"f-privacy-%s\">"
                 "<strong>%s</strong><span class=\"hint\" id=\"h-privacy-%s\">%s</span></label>"
                 "</div>",
                 privacies[i], privacies[i], privacies[i],
                 strcmp(chosen, privacies[i]) == 0 ? " checked" : "", privacies[i], texts[i][0],
                 privacies[i], texts[i][1]);
    html_fmt(b, "<p class=\"notice\">%s</p></fieldset>",
             T(pg, "A denunciation is always protected, whatever you choose here: your identity "
                   "is sealed and the report is never public."));
}

/* The guided form for s->unit, with what was sent and the errors. */
static int render_form(struct submission *s, int status)
{
    struct page *pg = &s->pg;
    struct buf *b = &pg->out;
    pg->title = T(pg, "Send a petition");
    html_fmt(b, "<h1>%s</h1>", pg->title);
    summary(s);
    html_fmt(b,
             "<p class=\"lead\">%s <strong>%s</strong> <a href=\"/submit\">%s</a></p>"
             "<form class=\"stack\" method=\"post\" action=\"/submit\" "
             "enctype=\"multipart/form-data\" novalidate>%r"
             "<input type=\"hidden\" name=\"unit\" value=\"%s\">",
             T(pg, "To:"), s->unit.name, T(pg, "Choose another unit"), page_csrf_input(pg),
             s->unit.code);
    kind_choices(s);
    category_select(s);
    web_questions_render(pg, &s->qs, s->unit.time_zone);
    text_field(s, F_TITLE, T(pg, "Title"),
               T(pg, "A few words saying what it is about, for example “Street light broken "
                     "outside the school”."),
               "text", " maxlength=\"200\"");
    text_field(s, F_DESCRIPTION, T(pg, "Your petition"),
               T(pg, "Say what happened, where and when, and what you would like done. At most "
                     "4,000 characters."),
               "textarea", " rows=\"8\" maxlength=\"4000\"");
    html_fmt(b, "<fieldset><legend>%s</legend>", T(pg, "Where is it? (optional)"));
    text_field(s, F_ADDRESS, T(pg, "Address or place"),
               T(pg, "A street address, or a description such as “beside the market”."), "text",
               " maxlength=\"500\" autocomplete=\"off\"");
    html_fmt(b, "<p class=\"hint\" id=\"h-coords\">%s</p><div class=\"pair\">",
             T(pg, "Map coordinates, if you know them, for example 11.7402 and 109.1903."));
    text_field(s, F_LAT, T(pg, "Latitude"), NULL, "text", " inputmode=\"decimal\"");
    text_field(s, F_LON, T(pg, "Longitude"), NULL, "text", " inputmode=\"decimal\"");
    html_fmt(b,
             "</div><p><button type=\"button\" class=\"secondary\" data-locate hidden>%s</button>"
             "</p></fieldset>",
             T(pg, "Use my current location"));
    html_fmt(b,
             "<div class=\"field%r\"><label for=\"f-photos\">%s</label>"
             "<span class=\"hint\" id=\"h-photos\">%s</span>",
             s->err[F_PHOTOS] ? " has-error" : "", T(pg, "Photos (optional)"),
             T(pg, "Up to 10 photos (JPEG, PNG or WebP), each at most 10 MB and 25 MB in all."));
    error_text(s, F_PHOTOS);
    html_fmt(b,
             "<input type=\"file\" id=\"f-photos\" name=\"photos\" multiple "
             "accept=\"image/jpeg,image/png,image/webp\" data-max-files=\"%d\" "
             "data-max-bytes=\"%u\" data-too-big=\"%s\"%r></div>",
             WEB_PHOTOS_MAX, WEB_SUBMIT_MAX_BYTES - (64u << 10),
             T(pg, "These photos are too many or too large: at most 10 photos and 25 MB in all."),
             described_by(s, F_PHOTOS, hint_id(s, F_PHOTOS)));
    html_fmt(b, "<fieldset><legend>%s</legend><p class=\"hint\">%s</p>", T(pg, "About you"),
             T(pg, "All optional. Give a way to reach you if you want to be contacted; you can "
                   "follow your petition with its tracking code either way."));
    text_field(s, F_NAME, T(pg, "Full name"), NULL, "text",
               " maxlength=\"200\" autocomplete=\"name\"");
    text_field(s, F_PHONE, T(pg, "Phone"), NULL, "tel", " autocomplete=\"tel\"");
    text_field(s, F_EMAIL, T(pg, "E-mail"), NULL, "email", " autocomplete=\"email\"");
    text_field(s, F_HOME, T(pg, "Your address"), NULL, "text",
               " maxlength=\"500\" autocomplete=\"street-address\"");
    html_fmt(b, "</fieldset>");
    privacy_choices(s);
    html_fmt(b, "<p class=\"actions\"><button type=\"submit\">%s</button></p></form>",
             T(pg, "Send the petition"));
    return page_finish(pg, status);
}

/* Step one, before a unit is chosen: which unit the petition is for. */
static int render_unit_step(struct page *pg, const char *chosen, const char *error, int status)
{
    struct buf *b = &pg->out;
    pg->title = T(pg, "Send a petition");
    html_fmt(b, "<h1>%s</h1>", pg->title);
    if (error)
        html_fmt(b,
                 "<div class=\"notice error\" role=\"alert\"><h2>%s</h2><ul><li>"
                 "<a href=\"#f-unit\">%s</a></li></ul></div>",
                 T(pg, "There is a problem"), error);
    html_fmt(b,
             "<p class=\"lead\">%s</p><form class=\"stack\" method=\"get\" action=\"/submit\">"
             "<div class=\"field%r\"><label for=\"f-unit\">%s</label>"
             "<span class=\"hint\" id=\"h-unit\">%s</span>",
             T(pg, "It takes about five minutes. You will get a tracking code to follow your "
                   "petition and see the answer."),
             error ? " has-error" : "", T(pg, "Which unit is your petition for?"),
             T(pg, "The commune, ward or village where the matter is, or the district or "
                   "province when it concerns them. If you are not sure, choose your commune: it "
                   "will pass the petition on to the competent unit."));
    if (error)
        html_fmt(b,
                 "<span class=\"error-text\" id=\"e-unit\"><span class=\"vh\">%s </span>%s</span>",
                 T(pg, "Error:"), error);
    unit_select(pg, chosen,
                error ? " aria-describedby=\"h-unit e-unit\" aria-invalid=\"true\""
                      : " aria-describedby=\"h-unit\"");
    html_fmt(b, "</div><p class=\"actions\"><button type=\"submit\">%s</button></p></form>",
             T(pg, "Continue"));
    return page_finish(pg, status);
}

/* Loads the unit and the categories offered to it into s; false if there is no such unit. */
static bool load_unit(struct submission *s, const char *code, int *store_rc)
{
    struct web *w = s->pg.web;
    *store_rc = 0;
    if (!code || !*code)
        return false;
    int rc = store_unit_get(w->store, s->pg.req->arena, code, &s->unit);
    if (rc) {
        *store_rc = rc == AKAR_ENOTFOUND ? 0 : rc;
        return false;
    }
    s->ncats = 0;
    if (store_category_list(w->store, s->pg.req->arena, s->unit.path, &s->cats, &s->ncats) == 0)
        s->ncats = api_categories_offered(s->cats, s->ncats);
    *store_rc = web_questions_load(&s->pg, s->cats, s->ncats, &s->qs);
    return *store_rc == 0;
}

int web_submit_form(struct http_request *req)
{
    struct submission *s = arena_calloc(req->arena, sizeof *s);
    page_begin(&s->pg, req, req->route_ctx);
    const char *code = http_query(req, "unit");
    int rc;
    if (load_unit(s, code, &rc))
        return render_form(s, 200);
    if (rc)
        return page_message(&s->pg, 503, T(&s->pg, "Please try again"),
                            T(&s->pg, "The service is busy. Wait a moment and try again."));
    return render_unit_step(&s->pg, code,
                            code && *code ? T(&s->pg, "Choose a unit from the list.") : NULL,
                            code && *code ? 404 : 200);
}

/* ---- checking what was sent ---- */

static bool blank(const char *v)
{
    for (; v && *v; v++)
        if (*v != ' ' && *v != '\t' && *v != '\r' && *v != '\n')
            return false;
    return true;
}

/* A coordinate as typed, with a decimal point or comma; false if it is not a number. */
static bool coordinate(const char *v, double *out)
{
    char tmp[64];
    size_t n = strlen(v);
    if (n == 0 || n >= sizeof tmp)
        return false;
    for (size_t i = 0; i <= n; i++)
        tmp[i] = v[i] == ',' ? '.' : v[i];
    char *end;
    *out = strtod(tmp, &end);
    while (*end == ' ')
        end++;
    return end != tmp && *end == 0 && isfinite(*out);
}

/* The message beside a field that domain/cases refused (by its field name). */
static enum field domain_field(const char *name)
{
    static const struct {
        const char *domain;
        enum field f;
    } map[] = {
        {"title", F_TITLE},
        {"description", F_DESCRIPTION},
        {"reporter.name", F_NAME},
        {"reporter.phone", F_PHONE},
        {"reporter.email", F_EMAIL},
        {"reporter.address", F_HOME},
        {"location", F_LAT},
        {"location.address", F_ADDRESS},
        {"confidential", F_PRIVACY},
        {"category", F_CATEGORY},
        {"unit", F_UNIT},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i].domain, name) == 0)
            return map[i].f;
    /* the questions changed while the form was open: they are the category's */
    if (strncmp(name, "answers", 7) == 0)
        return F_CATEGORY;
    return F_KIND;
}

static const char *domain_message(struct page *pg, enum field f)
{
    switch (f) {
    case F_TITLE:
        return T(pg, "A title has at most 200 characters.");
    case F_DESCRIPTION:
        return T(pg, "Your petition has at most 4,000 characters.");
    case F_NAME:
        return T(pg, "A name has at most 200 characters.");
    case F_PHONE:
        return T(pg, "Enter a phone number of 6 to 15 digits; you may add + - ( ) . and spaces.");
    case F_EMAIL:
        return T(pg, "Enter an e-mail address such as name@example.com.");
    case F_HOME:
    case F_ADDRESS:
        return T(pg, "An address has at most 500 characters.");
    case F_LAT:
    case F_LON:
        return T(pg, "The latitude is between -90 and 90 and the longitude between -180 and 180.");
    case F_PRIVACY:
        return T(pg, "Choose who may see your petition.");
    case F_CATEGORY:
        return T(pg, "Choose a subject from the list.");
    case F_UNIT:
        return T(pg, "Choose a unit from the list.");
    default:
        return T(pg, "This kind of petition cannot be sent to this unit.");
    }
}

/* Asks the petition rules about everything at once: each refusal is noted beside its field,
 * the offending value set aside, and the rules asked again, so that the form shows every
 * problem together rather than one per attempt. Nothing is stored: this is only a plan. */
static void check_with_rules(struct submission *s, struct case_intake in)
{
    struct page *pg = &s->pg;
    struct api *api = pg->web->api;
    struct case_env env = {.policy = api->policy, .key = api->cfg.key, .now = clock_now_ms()};
    for (int round = 0; round < F_COUNT; round++) {
        struct case_new plan;
        char key[CASE_ACCESS_KEY_CHARS + 1];
        struct case_problem p = {0};
        if (case_plan_intake(&env, pg->req->arena, &in, &s->unit, &plan, key, &p) == 0)
            return;
        enum field f = domain_field(p.field);
        if (!s->err[f])
            s->err[f] = domain_message(pg, f);
        if (strcmp(p.field, "title") == 0)
            in.title = "-";
        else if (strcmp(p.field, "description") == 0)
            in.description = "-";
        else if (strcmp(p.field, "reporter.name") == 0)
            in.reporter.name = NULL;
        else if (strcmp(p.field, "reporter.phone") == 0)
            in.reporter.phone = NULL;
        else if (strcmp(p.field, "reporter.email") == 0)
            in.reporter.email = NULL;
        else if (strcmp(p.field, "reporter.address") == 0)
            in.reporter.address = NULL;
        else if (strcmp(p.field, "location") == 0)
            in.located = false;
        else if (strcmp(p.field, "location.address") == 0)
            in.address = NULL;
        else if (strcmp(p.field, "confidential") == 0)
            in.confidential = false;
        else
            return;
    }
}

/* Photos: each one sniffed from its bytes (a JPEG, PNG or WebP image, not a PDF here) and
 * within the size limit; empty file inputs are skipped. */
static void check_photos(struct submission *s, const struct multipart *m)
{
    struct page *pg = &s->pg;
    for (size_t i = 0; m && i < m->n; i++) {
        const struct multipart_part *p = &m->parts[i];
        if (!p->filename || strcmp(p->name, "photos") != 0 || (p->len == 0 && !*p->filename))
            continue;
        s->photos_sent = true;
        if (s->err[F_PHOTOS])
            continue;
        if (s->nphotos == WEB_PHOTOS_MAX) {
            s->err[F_PHOTOS] = T(pg, "Choose at most 10 photos.");
            continue;
        }
        const char *type = sniff_media_type((const unsigned char *)p->data, p->len);
        if (!type || strncmp(type, "image/", 6) != 0)
            s->err[F_PHOTOS] = arena_printf(
                pg->req->arena, T(pg, "“%s” is not a photo in JPEG, PNG or WebP format."),
                *p->filename ? p->filename : "?");
        else if (p->len > ATTACHMENT_MAX_BYTES)
            s->err[F_PHOTOS] =
                arena_printf(pg->req->arena, T(pg, "“%s” is larger than 10 MB."), p->filename);
        else
            s->photos[s->nphotos++] = p;
    }
}

/* Fills s->v from the body; false if it cannot be read as a form at all. */
static bool read_body(struct submission *s, struct multipart *m, const char **csrf)
{
    struct http_request *req = s->pg.req;
    struct form f = {0};
    if (multipart_is(req)) {
        if (multipart_parse(req, FORM_PARTS_MAX, m) != 0)
            return false;
    } else {
        size_t bad;
        if (form_parse(req->arena, req->body, req->body_len, FORM_PARTS_MAX, &f, &bad) != 0)
            return false;
    }
    if (multipart_is(req)) {
        /* the text parts as a form, for the answers (a question may take several values) */
        f.fields = arena_calloc(req->arena, (m->n ? m->n : 1) * sizeof *f.fields);
        for (size_t i = 0; i < m->n; i++)
            if (!m->parts[i].filename)
                f.fields[f.n++] = (struct form_field){m->parts[i].name, m->parts[i].data};
    }
    for (int i = 0; i < F_COUNT; i++) {
        const char *v = form_get(&f, names[i]);
        s->v[i] = blank(v) ? NULL : v;
    }
    s->body = f;
    *csrf = multipart_is(req) ? multipart_get(m, "csrf") : form_get(&f, "csrf");
    return true;
}

/* ---- after the write ---- */

/* The key that seals receipt cookies: derived from the server key, apart from its other uses. */
static void receipt_key(struct web *w, struct seal_key *k)
{
    crypto_generichash(k->k, sizeof k->k, (const unsigned char *)"akar web receipt", 16,
                       w->api->cfg.key->k, sizeof w->api->cfg.key->k);
}

static int submitted(struct http_request *req)
{
    struct submission *s = (struct submission *)((char *)req->op - offsetof(struct submission, it));
    struct page *pg = &s->pg;
    int rc = api_intake_result(&s->it);
    if (rc == AKAR_ENOTFOUND) {
        s->err[F_CATEGORY] = T(pg, "Choose a subject from the list.");
        return render_form(s, 422);
    }
    if (rc == AKAR_EINVAL) {
        s->err[F_PHOTOS] = T(pg, "Choose at most 10 photos.");
        return render_form(s, 422);
    }
    if (rc)
        return page_message(pg, 503, T(pg, "Please try again"),
                            T(pg, "Your petition could not be stored. Nothing has been sent: "
                                  "wait a moment and send the form again."));
    /* the receipt, with the access key that exists only now, goes to this browser alone: sealed
     * in a cookie for the next page, never in an address */
    struct seal_key k;
    receipt_key(pg->web, &k);
    const char *sealed =
        seal_text(&k, req->arena,
                  arena_printf(req->arena, "%s %s %lld", s->it.w.u.case_new.tracking_code,
                               s->it.access_key, (long long)(clock_now_ms() + RECEIPT_TTL_MS)));
    sodium_memzero(&k, sizeof k);
    http_add_header(req, "Set-Cookie",
                    arena_printf(req->arena, "%s=%s; Path=/receipt; HttpOnly; SameSite=Strict%s",
                                 RECEIPT_COOKIE, sealed,
                                 pg->web->api->cfg.secure_cookies ? "; Secure" : ""));
    return page_redirect(pg, "/receipt");
}

int web_submit_post(struct http_request *req)
{
    struct submission *s = arena_calloc(req->arena, sizeof *s);
    struct page *pg = &s->pg;
    page_begin(pg, req, req->route_ctx);
    struct multipart m = {0};
    const char *csrf = NULL;
    if (!read_body(s, &m, &csrf))
        return page_message(pg, 400, T(pg, "The form could not be read"),
                            T(pg, "Open the form again and send it from there."));
    if (!page_csrf_ok(pg, csrf))
        return page_message(pg, 403, T(pg, "The form has expired"),
                            T(pg, "For your safety the form works only for a while and only in "
                                  "the browser that opened it. Open it again and send it from "
                                  "there."));
    int rc;
    if (!load_unit(s, s->v[F_UNIT], &rc)) {
        if (rc)
            return page_message(pg, 503, T(pg, "Please try again"),
                                T(pg, "The service is busy. Wait a moment and try again."));
        return render_unit_step(pg, s->v[F_UNIT], T(pg, "Choose a unit from the list."), 422);
    }
    web_questions_read(pg, &s->qs, &s->body);

    struct case_intake *in = &s->it.in;
    int kind = s->v[F_KIND] ? case_kind_parse(s->v[F_KIND]) : -1;
    if (kind < 0)
        s->err[F_KIND] = T(pg, "Choose what you want to do.");
    if (s->v[F_CATEGORY]) {
        bool offered = false;
        for (size_t i = 0; i < s->ncats; i++)
            offered |= strcmp(s->cats[i].code, s->v[F_CATEGORY]) == 0;
        if (!offered)
            s->err[F_CATEGORY] = T(pg, "Choose a subject from the list.");
    }
    if (!s->v[F_TITLE])
        s->err[F_TITLE] = T(pg, "Enter a title.");
    if (!s->v[F_DESCRIPTION])
        s->err[F_DESCRIPTION] = T(pg, "Describe what happened and what you would like done.");
    if (s->v[F_LAT] || s->v[F_LON]) {
        if (!s->v[F_LAT] || !s->v[F_LON])
            s->err[s->v[F_LAT] ? F_LON : F_LAT] =
                T(pg, "Give both the latitude and the longitude, or neither.");
        else if (!coordinate(s->v[F_LAT], &in->lat))
            s->err[F_LAT] = T(pg, "Enter the latitude as a number, for example 11.7402.");
        else if (!coordinate(s->v[F_LON], &in->lon))
            s->err[F_LON] = T(pg, "Enter the longitude as a number, for example 109.1903.");
        else
            in->located = true;
    }
    const char *privacy = s->v[F_PRIVACY] ? s->v[F_PRIVACY] : "public";
    if (strcmp(privacy, "public") && strcmp(privacy, "anonymous") &&
        strcmp(privacy, "confidential"))
        s->err[F_PRIVACY] = T(pg, "Choose who may see your petition.");
    check_photos(s, &m);

    in->kind = kind < 0 ? KIND_FEEDBACK : (enum case_kind)kind;
    in->channel = CHANNEL_WEB;
    in->title = s->v[F_TITLE] ? s->v[F_TITLE] : "-";
    in->description = s->v[F_DESCRIPTION] ? s->v[F_DESCRIPTION] : "-";
    in->category_code = s->v[F_CATEGORY];
    in->anonymous = strcmp(privacy, "anonymous") == 0;
    in->confidential = strcmp(privacy, "confidential") == 0;
    in->address = s->v[F_ADDRESS];
    in->reporter = (struct case_reporter){s->v[F_NAME], s->v[F_PHONE], s->v[F_EMAIL], s->v[F_HOME]};
    in->has_reporter = s->v[F_NAME] || s->v[F_PHONE] || s->v[F_EMAIL] || s->v[F_HOME];
    check_with_rules(s, *in); /* without a kind, as feedback: the other rules still speak */
    /* the form asked the category's questions: the intake checks the answers again, against
     * the questions as they are when the case is stored */
    bool answered = web_questions_check(pg, &s->qs, s->v[F_CATEGORY], s->unit.time_zone, in);
    in->asked = true;
    for (int f = 0; f < F_COUNT; f++)
        if (s->err[f])
            return render_form(s, 422);
    if (!answered)
        return render_form(s, 422);

    /* every check passed: the photos go to the blob store, and into the case's write */
    s->it.attachments = arena_alloc(req->arena, (s->nphotos + 1) * sizeof *s->it.attachments);
    for (size_t i = 0; i < s->nphotos; i++) {
        struct store_write *w = arena_calloc(req->arena, sizeof *w);
        if (api_attachment_prepare(pg->web->api, req->arena, 0, s->photos[i]->data,
                                   s->photos[i]->len, s->photos[i]->filename, NULL, w) != 0)
            return page_message(pg, 503, T(pg, "Please try again"),
                                T(pg, "Your photos could not be kept. Nothing has been sent: "
                                      "wait a moment and send the form again."));
        s->it.attachments[s->it.nattachments++] = w;
    }
    s->it.unit_code = s->unit.code;
    s->it.who = pg->who;
    switch (api_intake_submit(req, pg->web->api, &s->it, submitted)) {
    case INTAKE_QUEUED:
        return HTTP_SUSPENDED;
    case INTAKE_REFUSED:
        s->err[domain_field(s->it.problem.field)] =
            domain_message(pg, domain_field(s->it.problem.field));
        return render_form(s, s->it.problem.rc == AKAR_EDENIED ? 403 : 422);
    case INTAKE_NO_UNIT:
        return render_unit_step(pg, NULL, T(pg, "Choose a unit from the list."), 422);
    case INTAKE_THROTTLED:
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%u", s->it.retry_after));
        return page_message(pg, 429, T(pg, "Please wait a little"),
                            T(pg, "Many petitions have been sent from your connection lately. "
                                  "Nothing has been sent: wait a few minutes and send the form "
                                  "again."));
    case INTAKE_UNAVAILABLE:
        break;
    }
    return page_message(pg, 503, T(pg, "Please try again"),
                        T(pg, "The service is busy. Wait a moment and try again."));
}

/* ---- the receipt ---- */

/* The site's own address for path, for a code read by a phone's camera (which needs a whole
 * URL); the Host the browser used, when it looks like a host name. */
static const char *absolute_url(struct page *pg, const char *path)
{
    const char *host = http_header(pg->req, "Host");
    if (!host || !*host || strlen(host) > 255 ||
        strspn(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-:[]") !=
            strlen(host))
        return path;
    return arena_printf(pg->req->arena, "%s://%s%s",
                        pg->web->api->cfg.secure_cookies ? "https" : "http", host, path);
}

/* What the receipt cookie holds, if it is ours, unaltered and not yet expired. */
static bool receipt_cookie(struct page *pg, char code[TRACKING_TEXT],
                           char key[CASE_ACCESS_KEY_CHARS + 1])
{
    struct http_request *req = pg->req;
    const char *sealed = cookie_get(req->arena, http_header(req, "Cookie"), RECEIPT_COOKIE);
    if (!sealed)
        return false;
    struct seal_key k;
    receipt_key(pg->web, &k);
    const char *plain;
    int rc = seal_open(&k, req->arena, sealed, &plain);
    sodium_memzero(&k, sizeof k);
    if (rc)
        return false;
    char c[32], a[64];
    _Static_assert(CASE_ACCESS_KEY_CHARS < sizeof a - 1, "an access key fits with room to spare");
    long long expires;
    if (sscanf(plain, "%31s %63s %lld", c, a, &expires) != 3 || expires < clock_now_ms() ||
        strlen(a) != CASE_ACCESS_KEY_CHARS || !tracking_normalise(c, code))
        return false;
    memcpy(key, a, CASE_ACCESS_KEY_CHARS + 1);
    return true;
}

int web_receipt(struct http_request *req)
{
    struct page pg;
    page_begin(&pg, req, req->route_ctx);
    char code[TRACKING_TEXT], key[CASE_ACCESS_KEY_CHARS + 1];
    struct case_row c;
    if (!receipt_cookie(&pg, code, key) ||
        store_case_get(pg.web->store, req->arena, 0, code, &c) != 0) {
        pg.title = T(&pg, "No receipt to show");
        html_fmt(&pg.out, "<h1>%s</h1><p>%s</p><p><a class=\"button\" href=\"/track\">%s</a></p>",
                 pg.title,
                 T(&pg, "A receipt is shown for an hour after sending, in the browser that sent "
                        "the petition. Follow your petition with its tracking code."),
                 T(&pg, "Track a petition"));
        return page_finish(&pg, 404);
    }
    struct buf *b = &pg.out;
    pg.title = T(&pg, "Your petition has been sent");
    const char *track = arena_printf(req->arena, "/track/%s", c.tracking_code);
    const char *url = absolute_url(&pg, track);
    html_fmt(b,
             "<h1>%s</h1><p class=\"notice good\">%s</p><div class=\"receipt\"><div>"
             "<h2>%s</h2><p class=\"code\" id=\"tracking-code\">%s</p>"
             "<h2>%s</h2><p class=\"code key\">%s</p><p class=\"hint\">%s</p></div>",
             pg.title,
             T(&pg, "Keep this receipt: print it, save it or write down the code and the key. "
                    "The key is shown only now."),
             T(&pg, "Tracking code"), c.tracking_code, T(&pg, "Access key"), key,
             T(&pg, "With the access key you can see your own details and rate the answer. Keep "
                    "it private: anyone who has it can do the same."));
    const char *svg = web_qr_svg(req->arena, url,
                                 T(&pg, "QR code that opens the tracking page of this petition"));
    if (svg)
        html_fmt(b,
                 "<figure class=\"qr\">%r<figcaption>%s<br><a href=\"%s\">%s</a></figcaption>"
                 "</figure>",
                 svg, T(&pg, "Scan to follow your petition:"), track, url);
    html_fmt(b, "</div><dl class=\"facts\"><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd>",
             T(&pg, "Sent to"), c.unit_name, T(&pg, "Kind"), web_kind_label(&pg, c.kind));
    html_fmt(b, "<dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd><dt>%s</dt><dd>%s</dd></dl>",
             T(&pg, "Title"), c.title, T(&pg, "Received on"),
             page_datetime(&pg, c.received_at, c.unit_time_zone), T(&pg, "Decision due by"),
             page_datetime(&pg, c.due_at, c.unit_time_zone));
    html_fmt(b, "<h2>%s</h2><ol><li>%s</li><li>%s</li><li>%s</li></ol>",
             T(&pg, "What happens next"),
             arena_printf(req->arena,
                          T(&pg, "%s decides by %s whether to accept your petition, or passes it "
                                 "to the unit that can act on it."),
                          c.unit_name, page_date(&pg, c.due_at, c.unit_time_zone)),
             T(&pg, "Once it is accepted, a handler works on it and answers within the time the "
                    "law sets. Every step appears on the tracking page."),
             T(&pg, "When it is resolved, the answer appears there too, and you can rate it with "
                    "your access key."));
    html_fmt(b,
             "<p class=\"actions\"><button type=\"button\" data-print hidden>%s</button>"
             "<a class=\"button secondary\" href=\"%s\">%s</a></p>",
             T(&pg, "Print this receipt"), track, T(&pg, "Follow this petition"));
    return page_finish(&pg, 200);
}
