/* A case's answers to its category's questions as HTML, for the pages that may show them (the
 * back office's case page, the sender's own view of tracking): each under its question, a
 * list's keys by their names. */
#include "web/internal.h"

#include "base/arena.h"

#include <jansson.h>
#include <string.h>

void web_case_answers(struct page *pg, const struct case_row *c, int level)
{
    struct arena *a = pg->req->arena;
    json_t *given = c->answers ? json_loads(c->answers, 0, NULL) : NULL;
    if (!given)
        return;
    /* the questions as the category offered at the case's unit still asks them (else by code) */
    struct category_row cat;
    struct category_question *qs = NULL;
    size_t nq = 0;
    if (c->category_code &&
        store_category_find(pg->web->store, a, c->unit_path, c->category_code, &cat) == 0 &&
        store_category_questions(pg->web->store, a, cat.id, &qs, &nq) != 0)
        nq = 0;
    html_fmt(&pg->out, "<h%d id=\"answers\">%s</h%d><dl class=\"facts\">", level,
             T(pg, "Answers to the category's questions"), level);
    const char *code;
    json_t *v;
    json_object_foreach(given, code, v)
    {
        const struct category_question *q = NULL;
        for (size_t i = 0; i < nq && !q; i++)
            if (strcmp(qs[i].code, code) == 0)
                q = &qs[i];
        struct buf text = {0};
        for (size_t i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
            const char *value = json_string_value(json_is_array(v) ? json_array_get(v, i) : v);
            for (size_t k = 0; q && value && k < q->nchoices; k++)
                if (strcmp(q->choices[k].key, value) == 0)
                    value = q->choices[k].name;
            if (value)
                buf_printf(&text, "%s%s", text.len ? ", " : "", value);
        }
        html_fmt(&pg->out, "<dt>%s</dt><dd>%s</dd>", q ? q->label : code,
                 text.data ? text.data : "");
        buf_release(&text);
    }
    html_fmt(&pg->out, "</dl>");
    json_decref(given);
}
