/* A petition's answers to its category's questions; see answers.h. */
#include "domain/answers.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/utf8.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const datatypes[] = {"string", "number",          "datetime",
                                        "text",   "singlevaluelist", "multivaluelist"};

bool answers_datatype_known(const char *datatype)
{
    for (size_t i = 0; i < sizeof datatypes / sizeof datatypes[0]; i++)
        if (strcmp(datatype, datatypes[i]) == 0)
            return true;
    return false;
}

bool answers_datatype_listed(const char *datatype)
{
    return strcmp(datatype, "singlevaluelist") == 0 || strcmp(datatype, "multivaluelist") == 0;
}

int answers_parse_choices(struct arena *a, const char *text, struct question_choice **out,
                          size_t *n)
{
    size_t cap = 1;
    for (const char *p = text; *p; p++)
        cap += *p == '|';
    struct question_choice *choices = arena_calloc(a, cap * sizeof *choices);
    *n = 0;
    for (const char *item = text; item;) {
        const char *next = strchr(item, '|'), *end = next ? next : item + strlen(item);
        const char *eq = memchr(item, '=', (size_t)(end - item));
        if (!eq || eq == item || eq + 1 == end)
            return AKAR_EINVAL;
        choices[(*n)++] =
            (struct question_choice){arena_strndup(a, item, (size_t)(eq - item)),
                                     arena_strndup(a, eq + 1, (size_t)(end - eq - 1))};
        item = next ? next + 1 : NULL;
    }
    *out = choices;
    return 0;
}

/* Whether s is valid UTF-8 of 1 to max characters (0 for min: may be empty). */
static bool text_ok(const char *s, size_t min, size_t max);

const char *answers_question_problem(const struct category_question *q)
{
    size_t n = q->code ? strlen(q->code) : 0;
    bool code_ok = n >= 1 && n <= 64;
    for (size_t i = 0; code_ok && i < n; i++)
        code_ok = (q->code[i] >= 'a' && q->code[i] <= 'z') ||
                  (q->code[i] >= '0' && q->code[i] <= '9') || q->code[i] == '_' ||
                  q->code[i] == '-';
    if (!code_ok)
        return "a question's code is 1 to 64 of a-z 0-9 _ -";
    if (q->position < 1)
        return "a question's position is 1, 2, ...";
    if (!q->datatype || !answers_datatype_known(q->datatype))
        return "a question's datatype is string, number, datetime, text, singlevaluelist or "
               "multivaluelist";
    if (!text_ok(q->label, 1, QUESTION_LABEL_MAX))
        return "a question is 1 to 200 characters of UTF-8";
    if (q->description && !text_ok(q->description, 0, QUESTION_DESCRIPTION_MAX))
        return "a question's help is at most 1,000 characters of UTF-8";
    if (answers_datatype_listed(q->datatype) != (q->nchoices > 0))
        return "singlevaluelist and multivaluelist questions have choices, the others none";
    for (size_t i = 0; i < q->nchoices; i++) {
        if (!text_ok(q->choices[i].key, 1, 64) ||
            !text_ok(q->choices[i].name, 1, QUESTION_LABEL_MAX))
            return "a choice's key is 1 to 64 characters and its name 1 to 200";
        for (size_t k = 0; k < i; k++)
            if (strcmp(q->choices[k].key, q->choices[i].key) == 0)
                return "a choice's key is offered once";
    }
    return NULL;
}

static int refuse(struct answers_problem *p, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int refuse(struct answers_problem *p, const char *code, const char *fmt, ...)
{
    p->code = code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof p->detail, fmt, ap);
    va_end(ap);
    return AKAR_EINVAL;
}

/* Characters (code points) of valid UTF-8 text. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

static bool text_ok(const char *s, size_t min, size_t max)
{
    if (!s || !utf8_valid(s, strlen(s), NULL))
        return false;
    size_t n = chars(s);
    return n >= min && n <= max;
}

/* A decimal number as JSON writes one (an optional sign, digits, an optional fraction and
 * exponent): no hexadecimal, infinity or spaces, which strtod would take. */
static bool number_ok(const char *s)
{
    const char *p = s;
    if (*p == '-' || *p == '+')
        p++;
    if (*p < '0' || *p > '9')
        return false;
    while (*p >= '0' && *p <= '9')
        p++;
    if (*p == '.') {
        p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    if (*p == 'e' || *p == 'E') {
        p++;
        if (*p == '-' || *p == '+')
            p++;
        if (*p < '0' || *p > '9')
            return false;
        while (*p >= '0' && *p <= '9')
            p++;
    }
    return !*p && isfinite(strtod(s, NULL));
}

static bool two_digits(const char *p, int *v)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

/* A W3C (ISO 8601) datetime with its zone: 2026-01-31T08:00Z, 2026-01-31T08:00:00+07:00,
 * seconds and their fraction optional, the zone ("Z" or an offset) not. */
static bool datetime_ok(const char *s)
{
    char date[11];
    int h, mi, sec = 0;
    struct civil_date d;
    if (strlen(s) < 17 || s[10] != 'T')
        return false;
    memcpy(date, s, 10);
    date[10] = 0;
    if (!civil_parse(date, &d) || !two_digits(s + 11, &h) || s[13] != ':' ||
        !two_digits(s + 14, &mi) || h > 23 || mi > 59)
        return false;
    const char *p = s + 16;
    if (*p == ':') {
        if (!two_digits(p + 1, &sec) || sec > 59)
            return false;
        p += 3;
        if (*p == '.') {
            if (p[1] < '0' || p[1] > '9')
                return false;
            for (p++; *p >= '0' && *p <= '9'; p++)
                ;
        }
    }
    if (*p == 'Z')
        return !p[1];
    int oh, om;
    return (*p == '+' || *p == '-') && two_digits(p + 1, &oh) && p[3] == ':' &&
           two_digits(p + 4, &om) && oh <= 23 && om <= 59 && !p[6];
}

static bool is_choice(const struct category_question *q, const char *key)
{
    for (size_t i = 0; i < q->nchoices; i++)
        if (strcmp(q->choices[i].key, key) == 0)
            return true;
    return false;
}

/* The values of answer x that count (the non-empty ones). */
static size_t given(const struct answer *x)
{
    size_t k = 0;
    for (size_t i = 0; i < x->nvalues; i++)
        k += x->values[i][0] != 0;
    return k;
}

/* Checks the values of x, an answer to q. */
static int check_values(const struct category_question *q, const struct answer *x,
                        struct answers_problem *p)
{
    const char *dt = q->datatype;
    bool multi = strcmp(dt, "multivaluelist") == 0;
    if (!multi && (x->list || x->nvalues > 1))
        return refuse(p, x->code, "%s takes one value, not a list", q->code);
    for (size_t i = 0; i < x->nvalues; i++) {
        const char *v = x->values[i];
        if (!*v) {
            if (multi && x->nvalues > 1)
                return refuse(p, x->code, "%s: an empty key is no choice", q->code);
            continue;
        }
        if (strcmp(dt, "string") == 0) {
            if (strpbrk(v, "\r\n") || chars(v) > ANSWER_STRING_MAX)
                return refuse(p, x->code, "%s is one line of at most %d characters", q->code,
                              ANSWER_STRING_MAX);
        } else if (strcmp(dt, "text") == 0) {
            if (chars(v) > ANSWER_TEXT_MAX)
                return refuse(p, x->code, "%s has at most %d characters", q->code, ANSWER_TEXT_MAX);
        } else if (strcmp(dt, "number") == 0) {
            if (!number_ok(v))
                return refuse(p, x->code, "%s is a number, such as 12 or 3.5", q->code);
        } else if (strcmp(dt, "datetime") == 0) {
            if (!datetime_ok(v))
                return refuse(p, x->code,
                              "%s is a date and time with its zone, such as "
                              "2026-01-31T08:00:00+07:00",
                              q->code);
        } else if (!is_choice(q, v)) {
            return refuse(p, x->code, "%s: \"%.60s\" is not one of its choices", q->code, v);
        } else {
            for (size_t k = 0; k < i; k++)
                if (strcmp(x->values[k], v) == 0)
                    return refuse(p, x->code, "%s: \"%.60s\" is chosen twice", q->code, v);
        }
    }
    return 0;
}

int answers_check(struct arena *a, bool has_category, const struct category_question *qs, size_t nq,
                  const struct answer *in, size_t n, const char **json, struct answers_problem *p)
{
    *json = NULL;
    if (n && !has_category)
        return refuse(p, NULL, "answers are to a category's questions: name the category");
    if (n > ANSWERS_MAX)
        return refuse(p, NULL, "at most %d answers", ANSWERS_MAX);
    /* for each question, the answer to it (when one counts) */
    const struct answer **of = arena_calloc(a, (nq ? nq : 1) * sizeof *of);
    for (size_t i = 0; i < n; i++) {
        const struct answer *x = &in[i];
        size_t k = 0;
        while (k < nq && strcmp(qs[k].code, x->code) != 0)
            k++;
        if (k == nq)
            return refuse(p, x->code, "the category asks no question %.60s", x->code);
        for (size_t j = 0; j < i; j++)
            if (strcmp(in[j].code, x->code) == 0)
                return refuse(p, x->code, "%s is answered twice", qs[k].code);
        int rc = check_values(&qs[k], x, p);
        if (rc)
            return rc;
        if (given(x))
            of[k] = x;
    }
    struct buf b = {0};
    for (size_t k = 0; k < nq; k++) {
        if (!of[k]) {
            if (qs[k].required) {
                buf_release(&b);
                return refuse(p, qs[k].code, "%s is required: %s", qs[k].code, qs[k].label);
            }
            continue;
        }
        buf_puts(&b, b.len ? "," : "{");
        buf_json_string(&b, qs[k].code);
        buf_puts(&b, ":");
        bool multi = strcmp(qs[k].datatype, "multivaluelist") == 0;
        if (multi)
            buf_puts(&b, "[");
        bool first = true;
        for (size_t i = 0; i < of[k]->nvalues; i++) {
            if (!of[k]->values[i][0])
                continue;
            if (!first)
                buf_puts(&b, ",");
            first = false;
            buf_json_string(&b, of[k]->values[i]);
        }
        if (multi)
            buf_puts(&b, "]");
    }
    if (b.len) {
        buf_puts(&b, "}");
        *json = arena_strdup(a, b.data);
    }
    buf_release(&b);
    return 0;
}
