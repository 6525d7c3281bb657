/* What the officials' pages share (office.c, office_case.c, reception.c, login.c): the guard
 * that lets only officials in, the units someone serves, form fields with their hints and
 * messages, deadlines with their badges, and the handlers web_mount_office routes. Not used
 * outside src/web/. */
#ifndef AKAR_WEB_OFFICE_H
#define AKAR_WEB_OFFICE_H
#include "web/resident.h"

#include "http/form.h"

#define OFFICE_SOON_MS (48LL * 3600 * 1000) /* "due soon": the deadline sweep's warning time */

/* Starts an officials' page. True with pg ready for an official; false once a reply was sent
 * in *reply: a visitor is sent to /login (and back after), someone who holds no official role
 * is told the page is not for them (403). */
bool office_begin(struct page *pg, struct http_request *req, int *reply);
/* True if who holds a role other than resident anywhere. */
bool office_is_official(const struct identity *who);

/* The units pg->who serves with one of roles (a mask of 1u << enum role), in tree order. */
void office_units(struct page *pg, unsigned roles, struct unit_row **rows, size_t *n);
/* A select named name (id "f-name") of rows, the one whose code is chosen selected; first is an
 * extra first option with the empty value (NULL: none). attrs is constant markup. */
void office_unit_select(struct page *pg, const char *id, const char *name,
                        const struct unit_row *rows, size_t n, const char *chosen,
                        const char *first, const char *attrs);

/* The form body of a POST as fields, its CSRF token checked; false with a page sent in *reply
 * if it is not a well-formed application/x-www-form-urlencoded body (400) or the token is
 * missing or wrong (403, see office_csrf_refused). */
bool office_form(struct page *pg, struct form *f, int *reply);
/* 403 page for a form whose CSRF token is missing or wrong: nothing was changed. */
int office_csrf_refused(struct page *pg);

/* A labelled field: an input of type (or "textarea"), with its hint and its error (both may
 * be NULL) linked to it for screen readers; value is shown escaped. attrs is constant markup.
 * The element's id is id, its name name. */
void office_field(struct page *pg, const char *id, const char *name, const char *type,
                  const char *label, const char *hint, const char *value, const char *error,
                  const char *attrs);
/* The message beside a field (id "e-ID"), if error is not NULL. */
void office_error(struct page *pg, const char *id, const char *error);

/* A deadline as the page shows it: the date in tz and, for an open case, a badge that says in
 * words whether it is overdue or due soon (not colour alone). */
const char *office_due(struct page *pg, const struct case_row *c, int64_t now);

int web_office_inbox(struct http_request *req);
int web_office_dashboard(struct http_request *req);
int web_office_case(struct http_request *req);
int web_office_case_act(struct http_request *req);
int web_office_reception(struct http_request *req);
int web_office_reception_post(struct http_request *req);
int web_login_form(struct http_request *req);
int web_login_post(struct http_request *req);
int web_login_code(struct http_request *req);
int web_logout(struct http_request *req);

#endif
