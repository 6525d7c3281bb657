/* The extra questions of categories on the submit form: one fieldset per category offered to
 * the unit (all shown without JavaScript, the chosen one alone with it), the answers read back
 * for the chosen category only, checked one question at a time by domain/answers so that each
 * error sits beside its question, and handed to the intake as the JSON API's would be. */
#include "web/resident.h"

#include "base/arena.h"
#include "base/civil.h"
#include "base/tz.h"
#include "domain/answers.h"
#include "domain/cases.h"
#include "http/form.h"

#include <stdio.h>
#include <string.h>

int web_questions_load(struct page *pg, const struct category_row *cats, size_t ncats,
                       struct web_questions *out)
{
    struct arena *a = pg->req->arena;
    *out = (struct web_questions){0};
    out->groups = arena_calloc(a, (ncats ? ncats : 1) * sizeof *out->groups);
    for (size_t i = 0; i < ncats; i++) {
        struct category_question *qs;
        size_t nq;
        int rc = store_category_questions(pg->web->store, a, cats[i].id, &qs, &nq);
        if (rc)
            return rc;
        if (!nq)
            continue;
        struct web_question_group *g = &out->groups[out->n++];
        g->cat = &cats[i];
        g->qs = qs;
        g->nq = nq;
        g->sent = arena_calloc(a, nq * sizeof *g->sent);
    }
    return 0;
}

/* The form's name of question q of category cat ("answer.CAT.CODE"): apart per category, so
 * that the answers of the categories not chosen can be told apart and left aside. */
static const char *field_name(struct arena *a, const struct web_question_group *g, size_t k)
{
    return arena_printf(a, "answer.%s.%s", g->cat->code, g->qs[k].code);
}

static const char *field_id(struct arena *a, const struct web_question_group *g, size_t k)
{
    return arena_printf(a, "q-%s-%s", g->cat->code, g->qs[k].code);
}

void web_questions_read(struct page *pg, struct web_questions *q, const struct form *f)
{
    struct arena *a = pg->req->arena;
    for (size_t i = 0; i < q->n; i++) {
        struct web_question_group *g = &q->groups[i];
        for (size_t k = 0; k < g->nq; k++) {
            const char *name = field_name(a, g, k);
            struct web_answer_sent *s = &g->sent[k];
            s->values = arena_calloc(a, (f->n ? f->n : 1) * sizeof *s->values);
            for (size_t j = 0; j < f->n; j++)
                if (strcmp(f->fields[j].name, name) == 0)
                    s->values[s->n++] = f->fields[j].value;
        }
    }
}

/* A datetime-local value ("2026-01-31T08:00", seconds optional, or a space for the T as people
 * type it where the browser offers a plain text box) with the offset of zone at that time, as
 * domain/answers wants a datetime; anything else unchanged, for the check to judge. */
static const char *with_zone(struct arena *a, const char *v, const char *zone)
{
    char date[11];
    struct civil_date d;
    int h, mi, sec = 0, used = 0;
    size_t n = strlen(v);
    if (n < 16 || n > 19 || (v[10] != 'T' && v[10] != ' '))
        return v;
    memcpy(date, v, 10);
    date[10] = 0;
    if (!civil_parse(date, &d) || sscanf(v + 11, "%2d:%2d%n", &h, &mi, &used) != 2 || used != 5)
        return v;
    if (v[16] && (sscanf(v + 16, ":%2d%n", &sec, &used) != 1 || used != 3 || v[19]))
        return v;
    if (h > 23 || mi > 59 || sec > 59)
        return v;
    const struct tz *z = zone ? tz_get(zone) : NULL;
    int64_t local = civil_to_days(d) * 86400 + h * 3600 + mi * 60 + sec;
    int off = z ? tz_offset(z, local - tz_offset(z, local)) : 0;
    int aoff = off < 0 ? -off : off;
    return arena_printf(a, "%sT%02d:%02d:%02d%c%02d:%02d", date, h, mi, sec, off < 0 ? '-' : '+',
                        aoff / 3600, aoff / 60 % 60);
}

/* What to say beside question qu when the domain refused the answer given to it. */
static const char *message(struct page *pg, const struct category_question *qu, bool answered)
{
    if (!answered)
        return strcmp(qu->datatype, "singlevaluelist") == 0 ||
                       strcmp(qu->datatype, "multivaluelist") == 0
                   ? T(pg, "Choose an answer to this question.")
                   : T(pg, "Answer this question.");
    if (strcmp(qu->datatype, "number") == 0)
        return T(pg, "Enter a number, for example 12 or 3.5.");
    if (strcmp(qu->datatype, "datetime") == 0)
        return T(pg, "Enter a date and time, for example 2026-01-31 08:00.");
    if (strcmp(qu->datatype, "string") == 0)
        return T(pg, "Answer on one line, in at most 200 characters.");
    if (strcmp(qu->datatype, "text") == 0)
        return T(pg, "Answer in at most 4,000 characters.");
    return T(pg, "Choose from the answers offered.");
}

bool web_questions_check(struct page *pg, struct web_questions *q, const char *category,
                         const char *zone, struct case_intake *in)
{
    struct arena *a = pg->req->arena;
    struct web_question_group *g = NULL;
    for (size_t i = 0; category && i < q->n; i++)
        if (strcmp(q->groups[i].cat->code, category) == 0)
            g = &q->groups[i];
    if (!g)
        return true; /* no category, or one without questions: nothing to answer */
    q->chosen = g;
    struct answer *answers = arena_calloc(a, g->nq * sizeof *answers);
    size_t n = 0;
    bool ok = true;
    for (size_t k = 0; k < g->nq; k++) {
        const struct category_question *qu = &g->qs[k];
        struct web_answer_sent *s = &g->sent[k];
        bool multi = strcmp(qu->datatype, "multivaluelist") == 0;
        const char **values = arena_calloc(a, (s->n ? s->n : 1) * sizeof *values);
        size_t nv = 0;
        for (size_t j = 0; j < s->n; j++)
            if (*s->values[j])
                values[nv++] = strcmp(qu->datatype, "datetime") == 0
                                   ? with_zone(a, s->values[j], zone)
                                   : s->values[j];
        struct answer x = {qu->code, values, nv, multi};
        /* the same check as the API's, one question at a time: every error shows at once */
        const char *json;
        struct answers_problem p;
        if (answers_check(a, true, qu, 1, &x, nv ? 1 : 0, &json, &p)) {
            s->err = message(pg, qu, nv > 0);
            ok = false;
        } else if (nv) {
            answers[n++] = x;
        }
    }
    in->answers = answers;
    in->nanswers = n;
    return ok;
}

void web_questions_summary(struct page *pg, const struct web_questions *q)
{
    const struct web_question_group *g = q->chosen;
    for (size_t k = 0; g && k < g->nq; k++)
        if (g->sent[k].err)
            html_fmt(&pg->out, "<li><a href=\"#%s\">%s</a></li>", field_id(pg->req->arena, g, k),
                     g->sent[k].err);
}

bool web_questions_failed(const struct web_questions *q)
{
    const struct web_question_group *g = q->chosen;
    for (size_t k = 0; g && k < g->nq; k++)
        if (g->sent[k].err)
            return true;
    return false;
}

static bool was_sent(const struct web_answer_sent *s, const char *value)
{
    for (size_t j = 0; j < s->n; j++)
        if (strcmp(s->values[j], value) == 0)
            return true;
    return false;
}

/* One question: its label (required marked), its help, its error and its control. */
static void question(struct page *pg, const struct web_question_group *g, size_t k,
                     const char *zone)
{
    struct arena *a = pg->req->arena;
    struct buf *b = &pg->out;
    const struct category_question *qu = &g->qs[k];
    const struct web_answer_sent *s = &g->sent[k];
    const char *id = field_id(a, g, k), *name = field_name(a, g, k);
    const char *value = s->n ? s->values[0] : "";
    bool listed = answers_datatype_listed(qu->datatype);
    bool datetime = strcmp(qu->datatype, "datetime") == 0;
    const char *req_mark =
        qu->required ? html_fmt_arena(a, " <span class=\"required\">(%s)</span>", T(pg, "required"))
                     : "";
    /* the help and the error, by id, for aria-describedby */
    struct buf ids = {0};
    if (qu->description && *qu->description)
        buf_printf(&ids, "h-%s", id);
    if (datetime)
        buf_printf(&ids, "%sz-%s", ids.len ? " " : "", id);
    if (s->err)
        buf_printf(&ids, "%se-%s", ids.len ? " " : "", id);
    const char *aria =
        html_fmt_arena(a, "%r%s%r%r", ids.len ? " aria-describedby=\"" : "", ids.data,
                       ids.len ? "\"" : "", s->err ? " aria-invalid=\"true\"" : "");
    buf_release(&ids);
    const char *help =
        qu->description && *qu->description
            ? html_fmt_arena(a, "<span class=\"hint\" id=\"h-%s\">%s</span>", id, qu->description)
            : "";
    const char *error = s->err ? html_fmt_arena(a,
                                                "<span class=\"error-text\" id=\"e-%s\"><span "
                                                "class=\"vh\">%s </span>%s</span>",
                                                id, T(pg, "Error:"), s->err)
                               : "";
    if (listed) {
        bool multi = strcmp(qu->datatype, "multivaluelist") == 0;
        html_fmt(b, "<fieldset id=\"%s\"%r%r><legend>%s%r</legend>%r%r", id,
                 s->err ? " class=\"has-error\"" : "", aria, qu->label, req_mark, help, error);
        for (size_t c = 0; c < qu->nchoices; c++)
            html_fmt(b,
                     "<div class=\"choice\"><input type=\"%r\" id=\"%s-%zu\" name=\"%s\" "
                     "value=\"%s\"%r%r><label for=\"%s-%zu\">%s</label></div>",
                     multi ? "checkbox" : "radio", id, c, name, qu->choices[c].key,
                     was_sent(s, qu->choices[c].key) ? " checked" : "",
                     qu->required && !multi ? " required" : "", id, c, qu->choices[c].name);
        html_fmt(b, "</fieldset>");
        return;
    }
    html_fmt(b, "<div class=\"field%r\"><label for=\"%s\">%s%r</label>%r",
             s->err ? " has-error" : "", id, qu->label, req_mark, help);
    if (datetime)
        html_fmt(b, "<span class=\"hint\" id=\"z-%s\">%s</span>", id,
                 arena_printf(a,
                              T(pg, "Date and time where the unit is (%s), for example "
                                    "2026-01-31 08:00."),
                              zone ? zone : "UTC"));
    html_fmt(b, "%r", error);
    if (qu->required)
        aria = arena_printf(a, "%s required", aria);
    if (datetime && strlen(value) >= 16 && value[10] == ' ') /* typed: shown as the input's own */
        value = arena_printf(a, "%.10sT%s", value, value + 11);
    if (strcmp(qu->datatype, "text") == 0)
        html_fmt(b, "<textarea id=\"%s\" name=\"%s\" rows=\"4\" maxlength=\"%d\"%r>%s</textarea>",
                 id, name, ANSWER_TEXT_MAX, aria, value);
    else if (strcmp(qu->datatype, "number") == 0)
        html_fmt(b,
                 "<input type=\"text\" inputmode=\"decimal\" id=\"%s\" name=\"%s\" value=\"%s\"%r>",
                 id, name, value, aria);
    else if (datetime)
        html_fmt(b, "<input type=\"datetime-local\" id=\"%s\" name=\"%s\" value=\"%s\"%r>", id,
                 name, value, aria);
    else
        html_fmt(b, "<input type=\"text\" id=\"%s\" name=\"%s\" value=\"%s\" maxlength=\"%d\"%r>",
                 id, name, value, ANSWER_STRING_MAX, aria);
    html_fmt(b, "</div>");
}

void web_questions_render(struct page *pg, const struct web_questions *q, const char *zone)
{
    if (!q->n)
        return;
    struct buf *b = &pg->out;
    html_fmt(b, "<div class=\"questions\" data-questions><p class=\"hint\" data-nojs>%s</p>",
             T(pg, "Some subjects ask a few more questions. Answer only those of the subject you "
                   "chose; leave the others empty."));
    for (size_t i = 0; i < q->n; i++) {
        const struct web_question_group *g = &q->groups[i];
        html_fmt(b, "<fieldset class=\"group\" data-category=\"%s\"><legend>%s</legend>",
                 g->cat->code,
                 arena_printf(pg->req->arena, T(pg, "Questions about “%s”"), g->cat->name));
        for (size_t k = 0; k < g->nq; k++)
            question(pg, g, k, zone);
        html_fmt(b, "</fieldset>");
    }
    html_fmt(b, "</div>");
}
