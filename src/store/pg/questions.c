/* The PostgreSQL side of a category's extra questions: adding one with its choices (audited)
 * and reading a category's questions in their order. Called from pg.c's write dispatch and read
 * table; behaves as the SQLite back-end's questions.c. */
#include "base/arena.h"
#include "base/err.h"
#include "store/pg/internal.h"

#include <stdio.h>
#include <string.h>

static const char STORE_FAILED[] = "the store failed%s";
/* The category the unit offers itself (not an ancestor's): a question belongs to one. */
static const char SQL_CATEGORY_OWN[] = "SELECT id FROM categories WHERE unit_id = $1 AND code = $2";
static const char SQL_QUESTION_INSERT[] =
    "INSERT INTO category_questions (category_id, code, position, datatype, required, label, "
    "description) VALUES ($1, $2, $3, $4, $5, $6, $7)";
static const char SQL_CHOICE_INSERT[] =
    "INSERT INTO category_question_choices (category_id, question_code, position, key, name) "
    "VALUES ($1, $2, $3, $4, $5)";
/* One row per choice (one with NULL choice for a question without any), in order. */
static const char SQL_QUESTIONS_OF[] =
    "SELECT q.code, q.position, q.datatype, q.required, q.label, q.description, ch.key, ch.name "
    "FROM category_questions q LEFT JOIN category_question_choices ch "
    "ON ch.category_id = q.category_id AND ch.question_code = q.code "
    "WHERE q.category_id = $1 ORDER BY q.position, ch.position";

int pg_apply_question_add(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    const struct category_question *qu = &w->u.question.q;
    int64_t unit_id;
    int rc = pg_unit_lookup(c, w->u.question.unit_code, &unit_id, NULL);
    if (rc == AKAR_ENOTFOUND)
        return pg_fail(w, rc, "unit %s does not exist", w->u.question.unit_code);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    struct pg_params pp = {0};
    pp_int(&pp, unit_id);
    pp_text(&pp, w->u.question.category_code);
    PGresult *r = pg_run(c, SQL_CATEGORY_OWN, &pp, &rc);
    if (!r)
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    int64_t category_id = PQntuples(r) == 1 ? pg_int(r, 0, 0) : 0;
    PQclear(r);
    if (!category_id)
        return pg_fail(w, AKAR_ENOTFOUND, "the unit offers no category %s",
                       w->u.question.category_code);
    struct pg_params ins = {0};
    pp_int(&ins, category_id);
    pp_text(&ins, qu->code);
    pp_int(&ins, qu->position);
    pp_text(&ins, qu->datatype);
    pp_bool(&ins, qu->required);
    pp_text(&ins, qu->label);
    pp_text(&ins, qu->description);
    rc = pg_exec(c, SQL_QUESTION_INSERT, &ins, NULL);
    if (rc == AKAR_EEXIST)
        return pg_fail(w, rc, "the category has a question %s or one at its position", qu->code);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    for (size_t i = 0; i < qu->nchoices; i++) {
        struct pg_params ch = {0};
        pp_int(&ch, category_id);
        pp_text(&ch, qu->code);
        pp_int(&ch, (int64_t)i + 1);
        pp_text(&ch, qu->choices[i].key);
        pp_text(&ch, qu->choices[i].name);
        rc = pg_exec(c, SQL_CHOICE_INSERT, &ch, NULL);
        if (rc == AKAR_EEXIST)
            return pg_fail(w, rc, "choice %s is offered twice", qu->choices[i].key);
        if (rc)
            return pg_fail(w, rc, STORE_FAILED, NULL);
    }
    char object[160];
    snprintf(object, sizeof object, "%s/%s/%s", w->u.question.unit_code,
             w->u.question.category_code, qu->code);
    return pg_audit(q, w, "category.question_add", "question", object);
}

int pg_category_questions(struct pg *q, struct arena *a, int64_t category_id,
                          struct category_question **rows, size_t *n)
{
    *n = 0;
    struct pgc *c = pg_reader(q);
    struct pg_params pp = {0};
    pp_int(&pp, category_id);
    int rc;
    PGresult *r = c ? pg_run(c, SQL_QUESTIONS_OF, &pp, &rc) : NULL;
    if (!r)
        return AKAR_ESTORE;
    int nrows = PQntuples(r);
    /* at most one question per row, at most one choice per row */
    struct category_question *out = arena_alloc(a, (size_t)(nrows ? nrows : 1) * sizeof *out);
    struct question_choice *choices = arena_alloc(a, (size_t)(nrows ? nrows : 1) * sizeof *choices);
    size_t k = 0;
    for (int i = 0; i < nrows; i++) {
        const char *code = PQgetvalue(r, i, 0);
        if (!k || strcmp(out[k - 1].code, code) != 0)
            out[k++] = (struct category_question){
                .code = pg_text(a, r, i, 0),
                .position = (int)pg_int(r, i, 1),
                .datatype = pg_text(a, r, i, 2),
                .required = pg_int(r, i, 3) != 0,
                .label = pg_text(a, r, i, 4),
                .description = pg_text(a, r, i, 5),
                .choices = &choices[i],
            };
        if (pg_null(r, i, 6))
            continue;
        choices[i] = (struct question_choice){pg_text(a, r, i, 6), pg_text(a, r, i, 7)};
        out[k - 1].nchoices++;
    }
    PQclear(r);
    *rows = out;
    *n = k;
    return 0;
}
