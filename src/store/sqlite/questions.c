/* The SQLite side of a category's extra questions: adding one with its choices (audited) and
 * reading a category's questions in their order. Called from sqlite.c's write dispatch and read
 * table. */
#include "base/arena.h"
#include "base/err.h"
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

/* The category the unit offers itself (not an ancestor's): a question belongs to one. */
static const char SQL_CATEGORY_OWN[] = "SELECT id FROM categories WHERE unit_id = ?1 AND code = ?2";
static const char SQL_QUESTION_INSERT[] =
    "INSERT INTO category_questions (category_id, code, position, datatype, required, label, "
    "description) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
static const char SQL_CHOICE_INSERT[] =
    "INSERT INTO category_question_choices (category_id, question_code, position, key, name) "
    "VALUES (?1, ?2, ?3, ?4, ?5)";
/* One row per choice (one with NULL choice for a question without any), in order. */
static const char SQL_QUESTIONS_OF[] =
    "SELECT q.code, q.position, q.datatype, q.required, q.label, q.description, ch.key, ch.name "
    "FROM category_questions q LEFT JOIN category_question_choices ch "
    "ON ch.category_id = q.category_id AND ch.question_code = q.code "
    "WHERE q.category_id = ?1 ORDER BY q.position, ch.position";

int sq_apply_question_add(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    const struct category_question *qu = &w->u.question.q;
    int64_t unit_id, category_id = 0;
    int rc = sq_unit_lookup(c, w->u.question.unit_code, &unit_id, NULL);
    if (rc == AKAR_ENOTFOUND)
        return sq_fail(w, rc, "unit %s does not exist", w->u.question.unit_code);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    sqlite3_stmt *st = sq_prepare(c, SQL_CATEGORY_OWN);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, unit_id);
    sqlite3_bind_text(st, 2, w->u.question.category_code, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        category_id = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    if (!category_id)
        return sq_fail(w, AKAR_ENOTFOUND, "the unit offers no category %s",
                       w->u.question.category_code);
    st = sq_prepare(c, SQL_QUESTION_INSERT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, category_id);
    sqlite3_bind_text(st, 2, qu->code, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, qu->position);
    sqlite3_bind_text(st, 4, qu->datatype, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 5, qu->required);
    sqlite3_bind_text(st, 6, qu->label, -1, SQLITE_STATIC);
    if (qu->description)
        sqlite3_bind_text(st, 7, qu->description, -1, SQLITE_STATIC);
    rc = sq_step_done(st);
    if (rc == AKAR_EEXIST)
        return sq_fail(w, rc, "the category has a question %s or one at its position", qu->code);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    for (size_t i = 0; i < qu->nchoices; i++) {
        st = sq_prepare(c, SQL_CHOICE_INSERT);
        if (!st)
            return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
        sqlite3_bind_int64(st, 1, category_id);
        sqlite3_bind_text(st, 2, qu->code, -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 3, (int)i + 1);
        sqlite3_bind_text(st, 4, qu->choices[i].key, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 5, qu->choices[i].name, -1, SQLITE_STATIC);
        rc = sq_step_done(st);
        if (rc == AKAR_EEXIST)
            return sq_fail(w, rc, "choice %s is offered twice", qu->choices[i].key);
        if (rc)
            return sq_fail(w, rc, "the store failed%s", NULL);
    }
    char object[160];
    snprintf(object, sizeof object, "%s/%s/%s", w->u.question.unit_code,
             w->u.question.category_code, qu->code);
    return sq_audit(q, w, "category.question_add", "question", object);
}

int sq_category_questions(struct sq *q, struct arena *a, int64_t category_id,
                          struct category_question **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_QUESTIONS_OF) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, category_id);
    size_t cap = 8, k = 0, ccap = 0;
    struct category_question *out = arena_alloc(a, cap * sizeof *out);
    struct question_choice *choices = NULL;
    int s;
    while ((s = sqlite3_step(st)) == SQLITE_ROW) {
        const char *code = (const char *)sqlite3_column_text(st, 0);
        if (!k || strcmp(out[k - 1].code, code) != 0) {
            if (k == cap) {
                struct category_question *grown = arena_alloc(a, 2 * cap * sizeof *out);
                memcpy(grown, out, cap * sizeof *out);
                out = grown;
                cap *= 2;
            }
            out[k++] = (struct category_question){
                .code = sq_text(a, st, 0),
                .position = sqlite3_column_int(st, 1),
                .datatype = sq_text(a, st, 2),
                .required = sqlite3_column_int(st, 3) != 0,
                .label = sq_text(a, st, 4),
                .description = sq_text(a, st, 5),
            };
            choices = NULL;
            ccap = 0;
        }
        if (sqlite3_column_type(st, 6) == SQLITE_NULL)
            continue;
        struct category_question *qu = &out[k - 1];
        if (qu->nchoices == ccap) {
            ccap = ccap ? 2 * ccap : 8;
            struct question_choice *grown = arena_alloc(a, ccap * sizeof *grown);
            if (qu->nchoices)
                memcpy(grown, choices, qu->nchoices * sizeof *grown);
            choices = grown;
            qu->choices = choices;
        }
        choices[qu->nchoices++] = (struct question_choice){sq_text(a, st, 6), sq_text(a, st, 7)};
    }
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return s == SQLITE_DONE ? 0 : AKAR_ESTORE;
}
