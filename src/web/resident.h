/* What the residents' pages share (resident.c, submit.c, track.c, mine.c, qr.c): the words for
 * kinds, statuses and timeline events in the page's language, the receipt's QR code, and the
 * handlers that web_mount_resident routes. Not used outside src/web/. */
#ifndef AKAR_WEB_RESIDENT_H
#define AKAR_WEB_RESIDENT_H
#include "web/internal.h"

/* The largest multipart body POST /submit takes: the photos and the text around them. */
#define WEB_SUBMIT_MAX_BYTES (25u << 20)
/* At most this many photos with a petition (the store keeps at most 10 attachments a case). */
#define WEB_PHOTOS_MAX 10

/* A kind's name ("complaint") as residents call it, and a sentence saying when to choose it;
 * the name itself for an unknown kind. */
const char *web_kind_label(struct page *pg, const char *kind);
const char *web_kind_hint(struct page *pg, const char *kind);
/* A status's name ("in_progress") in plain words. */
const char *web_status_label(struct page *pg, const char *status);
/* What a timeline event ("accept", "extend"...) means to the resident. */
const char *web_event_label(struct page *pg, const char *action);
/* The badge class that colours a status (done, overdue, or none). */
const char *web_status_badge(const char *status, bool overdue);

/* text as a QR code (error correction M) in an inline SVG image named label, with its quiet
 * zone; NULL if text cannot be encoded. Arena. */
const char *web_qr_svg(struct arena *a, const char *text, const char *label);

/* "2026-11-28T07:10:48Z" (as the API writes instants) in ms; 0 for NULL or anything else. */
int64_t web_instant_ms(const char *iso);

/* The extra questions of the categories offered to a unit, as the submit form asks them
 * (questions.c). Each category that asks any has a group; what was sent is kept per question
 * for the form shown again, with the error beside it. All in the request's arena. */
struct web_answer_sent {
    const char **values; /* as sent: one for most, the keys ticked for a multivaluelist */
    size_t n;
    const char *err; /* translated, or NULL */
};
struct web_question_group {
    const struct category_row *cat;
    struct category_question *qs;
    size_t nq;
    struct web_answer_sent *sent; /* one per question */
};
struct web_questions {
    struct web_question_group *groups;
    size_t n;
    struct web_question_group *chosen; /* the petition's category's, once checked */
};
struct form;
struct case_intake;

/* Loads the questions of cats[0..ncats) into out; 0 or the store's error. */
int web_questions_load(struct page *pg, const struct category_row *cats, size_t ncats,
                       struct web_questions *out);
/* Keeps what f holds for every question (the fields "answer.CATEGORY.CODE"). */
void web_questions_read(struct page *pg, struct web_questions *q, const struct form *f);
/* Checks the answers to the questions of category (NULL: none) with domain/answers, a
 * datetime-local value taken in the unit's zone; sets in's answers to them. False when one is
 * refused or a required one missing: the error is kept beside it. Other categories' answers
 * are left aside. */
bool web_questions_check(struct page *pg, struct web_questions *q, const char *category,
                         const char *zone, struct case_intake *in);
/* Whether the chosen category's answers have an error; its items for the errors' summary. */
bool web_questions_failed(const struct web_questions *q);
void web_questions_summary(struct page *pg, const struct web_questions *q);
/* The questions, a fieldset per category, with what was sent and the errors. */
void web_questions_render(struct page *pg, const struct web_questions *q, const char *zone);

int web_submit_form(struct http_request *req);
int web_submit_post(struct http_request *req);
int web_receipt(struct http_request *req);
int web_track_form(struct http_request *req);
int web_track_page(struct http_request *req);
int web_track_key(struct http_request *req);
int web_track_rate(struct http_request *req);
int web_mine(struct http_request *req);

#endif
