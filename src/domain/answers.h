/* A petition's answers to its category's extra questions (Open311: the service's attributes):
 * whether they fit the questions (every code a question, every required question answered,
 * each value of its datatype), and the JSON object in which a case keeps them. Pure: no store,
 * no clock. */
#ifndef AKAR_DOMAIN_ANSWERS_H
#define AKAR_DOMAIN_ANSWERS_H
#include <stdbool.h>
#include <stddef.h>

#include "store/store.h"

struct arena;

#define ANSWER_STRING_MAX 200  /* characters of a string answer (one line) */
#define ANSWER_TEXT_MAX   4000 /* characters of a text answer (lines allowed) */
#define ANSWERS_MAX       50   /* answers one petition may carry */

/* One answer as sent: one value, or a list (a JSON array, Open311's attribute[CODE][]). */
struct answer {
    const char *code;
    const char *const *values;
    size_t nvalues;
    bool list;
};

/* Why answers were refused: the question at fault (its code as sent), or NULL for the answers
 * as a whole. */
struct answers_problem {
    const char *code;
    char detail[240];
};

/* Whether datatype is one of Open311's: string, number, datetime, text, singlevaluelist,
 * multivaluelist. */
bool answers_datatype_known(const char *datatype);
/* Whether datatype offers choices (singlevaluelist, multivaluelist). */
bool answers_datatype_listed(const char *datatype);

#define QUESTION_LABEL_MAX       200  /* characters of a question */
#define QUESTION_DESCRIPTION_MAX 1000 /* characters of its help */

/* Parses a list type's choices written "key=name|key=name" (each key and name non-empty) into
 * *out (arena). 0, or AKAR_EINVAL. */
int answers_parse_choices(struct arena *a, const char *text, struct question_choice **out,
                          size_t *n);
/* Why q cannot be a question, for people, or NULL when it can: its code 1 to 64 of a-z 0-9 _
 * -, a position from 1, a known datatype, a question of 1 to QUESTION_LABEL_MAX characters,
 * help of at most QUESTION_DESCRIPTION_MAX, choices (distinct keys) for the list types and for
 * them only. Text must be valid UTF-8. */
const char *answers_question_problem(const struct category_question *q);

/* Checks the answers in[0..n) to the questions qs[0..nq) of the petition's category
 * (has_category false: the petition names none, and any answer is refused). An empty value, or
 * an empty list, counts as no answer. On success returns 0 and sets *json to the JSON object
 * of the answers, in the questions' order, a multivaluelist's as an array of keys (arena; NULL
 * when nothing was answered). Else AKAR_EINVAL with p filled: an answer to no question, one
 * given twice, a value not of its datatype (a number, a W3C datetime with its zone, a known key,
 * known keys without repeats, one line of at most ANSWER_STRING_MAX characters, a text of at
 * most ANSWER_TEXT_MAX), more than ANSWERS_MAX answers, or a required question unanswered. */
int answers_check(struct arena *a, bool has_category, const struct category_question *qs, size_t nq,
                  const struct answer *in, size_t n, const char **json, struct answers_problem *p);

#endif
