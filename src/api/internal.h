/* What the API's handler files share: the context, replies, authentication. Not used outside
 * src/api/. */
#ifndef AKAR_API_INTERNAL_H
#define AKAR_API_INTERNAL_H
#include "api/api.h"
#include "api/jsonin.h"
#include "domain/access.h"
#include "domain/apikey.h"
#include "domain/cases.h"
#include "domain/petition.h"
#include "http/cache.h"
#include "http/server.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>

struct deadline_policy;
struct limiter;

struct api {
    struct store *store;
    struct http_server *http;
    struct api_config cfg;
    struct limiter *login_by_name, *login_by_ip, *submissions; /* failure throttles */
    const struct deadline_policy *policy;                      /* the jurisdiction's preset */
    struct blobstore *blobs;                                   /* attachments, by content */
    /* GET /api/v1/units, built once per change of the unit tree */
    pthread_mutex_t units_lock;
    uint64_t units_generation;
    struct MHD_Response *units_resp;
    char units_etag[40];
    /* GET /api/v1/track/{code} without an access key, by code (see api_track) */
    struct http_cache *track_cache;
    /* GET /open311/v2/requests.{json,xml}, by the arguments (see requests_query in open311.c) */
    struct http_cache *open311_cache;
    /* petitions through integrations, throttled per API key rather than per address */
    struct limiter *key_submissions;
};

/* The signed-in person of a request, or an integration's API key: then key is set, user is
 * empty (id 0) and the one grant is an inspector's on the key's unit (see apikeys.c). */
struct identity {
    struct user_row user;
    struct access_grant *grants;
    size_t ngrants;
    unsigned char token_hash[32];
    const struct apikey_row *key;
};

/* Replies with an RFC 9457 problem document. field may be NULL; detail is shown to people.
 * With a field, the document's "errors" lists it: [{"field": field, "detail": detail}]. A
 * field is a body member's name (a dotted path into nested objects: "reporter.email"), a
 * query parameter's, a header's ("If-Match"), or "body" for the body as a whole. */
int api_problem(struct http_request *req, int status, const char *field, const char *detail);
/* The same naming n fields at fault, each with its own detail. */
struct api_field_error {
    const char *field, *detail;
};
int api_problems(struct http_request *req, int status, const char *detail,
                 const struct api_field_error *errors, size_t n);
/* The same as api_problem with extension's members added (RFC 9457's extension members; an
 * object, taken; members of the problem's own names are left out). */
int api_problem_extended(struct http_request *req, int status, const char *field,
                         const char *detail, json_t *extension);
/* Replies with v serialised (and takes v's reference). */
int api_json(struct http_request *req, int status, json_t *v);
/* Parses the body against fields; on failure replies 400 or 415 and returns NULL. */
json_t *api_body(struct http_request *req, const struct jsonin_field *fields, size_t n);
/* The identity of the session token in the Authorization header or the cookie; NULL (and a
 * 401 reply is then sent) if there is none or it is invalid. */
struct identity *api_authenticate(struct api *api, struct http_request *req);
/* The same without replying: 0 with *out set; AKAR_ENOTFOUND when no token was sent;
 * AKAR_EINVAL for a token that is unknown, expired, malformed or of a disabled account;
 * AKAR_ESTORE. */
int api_identify(struct api *api, struct http_request *req, struct identity **out);
/* Queues w and suspends req; once w is committed (or failed), then(req) runs with req->op ==
 * op (which holds w). Returns HTTP_SUSPENDED. */
int api_submit(struct http_request *req, void *op, struct store_write *w,
               int (*then)(struct http_request *req));
/* The same for a request whose route context is not the api (a web page's). */
int api_submit_to(struct api *api, struct http_request *req, void *op, struct store_write *w,
                  int (*then)(struct http_request *req));
/* The case access key sent with the request (X-Access-Key, else ?access_key=), or NULL. */
const char *api_access_key(struct http_request *req);
/* True if the request carries a session token (header or cookie), valid or not. */
bool api_has_token(struct http_request *req);

/* ---- API keys of integrations (apikeys.c) ---- */

/* The identity of a request to the case reads (need APIKEY_READ) or to intake (APIKEY_WRITE):
 * an integration's key in force whose scope covers need, sent as Authorization: Bearer KEY,
 * else a person's session as api_authenticate has it. NULL once it has replied: 401 for a key
 * unknown, revoked or malformed, 403 for a key whose scope is short, 503. */
struct identity *api_authenticate_or_key(struct api *api, struct http_request *req,
                                         enum apikey_scope need);
/* The identity of key (as presented). 0; AKAR_EINVAL for a key unknown, revoked or not of our
 * shape; AKAR_ESTORE. */
int api_key_identity(struct api *api, struct http_request *req, const char *key,
                     struct identity **out);
/* For api_authenticate, when the bearer token was not a session's: replies 403 and returns
 * true if it is an API key in force (keys may not do what that request asks), else false. */
bool api_key_refused(struct api *api, struct http_request *req);
/* Who a write is by, for the audit log: "user:ID" or "apikey:ID" (arena). */
const char *api_identity_actor(struct arena *a, const struct identity *id);
int api_apikeys_create(struct http_request *req);
int api_apikeys_list(struct http_request *req);
int api_apikey_revoke(struct http_request *req);
/* Open311 POST requests.{json,xml} with an api_key, and GET tokens/{token} (open311_post.c). */
int api_open311_post(struct http_request *req);
int api_open311_token(struct http_request *req);
/* The client's address as text (for rate limits; never logged). */
const char *api_client_address(struct http_request *req);

#define API_SESSION_COOKIE "akar_session"
/* Bounds of the public tracking cache: typical answers take 1 to 3 KB, so the entries bound
 * holds first; the bytes bound caps a cache of long petitions and answers. */
#define API_TRACK_CACHE_ENTRIES 8192
#define API_TRACK_CACHE_BYTES   (32u << 20)
/* Bounds of the Open311 query cache: an answer of 1000 requests takes about 1 MB */
#define API_OPEN311_CACHE_ENTRIES 1024
#define API_OPEN311_CACHE_BYTES   (64u << 20)

int api_sessions_create(struct http_request *req);
int api_sessions_delete(struct http_request *req);
int api_me(struct http_request *req);
int api_me_cases(struct http_request *req);
int api_dashboard(struct http_request *req);
int api_units_list(struct http_request *req);
int api_unit_feed(struct http_request *req);
int api_healthz(struct http_request *req);
int api_metrics(struct http_request *req);
int api_openapi(struct http_request *req);
int api_not_found(struct http_request *req);
int api_cases_submit(struct http_request *req);
int api_cases_list(struct http_request *req);
int api_case_get(struct http_request *req);
int api_case_act(struct http_request *req);
int api_track(struct http_request *req);
int api_track_rate(struct http_request *req);
int api_categories(struct http_request *req);
int api_attach_official(struct http_request *req);
int api_attach_reporter(struct http_request *req);
int api_attachment_get(struct http_request *req);
int api_open311_resource(struct http_request *req);
int api_open311_service(struct http_request *req);
int api_open311_request(struct http_request *req);
/* Any other address under /open311/v2/: the spec's error body, in the format its suffix names
 * (else XML): 404, or 400 for a suffix naming no format or a method with no route there. */
int api_open311_unmatched(struct http_request *req);

/* Shared by the case handlers (cases.c, attachments.c). Each replies (404, 403, 503) and
 * returns non-zero when the case cannot be had. */

int api_case_by_code(struct http_request *req, struct case_row *c);
int api_official_case(struct http_request *req, struct identity *id, struct case_row *c,
                      struct case_actor *who);
struct case_actor api_case_actor(const struct identity *id, const struct case_row *c);
bool api_may_view(const struct case_actor *w);

/* ---- shared with the web pages, which hold the api rather than being routed to it ---- */

/* A petition on its way in (intake.c), whatever it came through. The caller fills in, unit_code,
 * who and the attachments; api_intake_submit fills the rest. */
struct api_intake {
    struct case_intake in; /* kind, channel and the content; created_by and by_receptionist
                              are set from who */
    const char *unit_code; /* the unit addressed */
    struct identity *who;  /* the signed-in submitter, or an integration's key, or NULL */
    struct store_write **attachments; /* ATTACHMENT_ADD writes with case_id 0 (see
                                         api_attachment_prepare), stored with the case */
    size_t nattachments;
    /* filled in */
    struct unit_row unit;
    struct case_problem problem; /* INTAKE_REFUSED: which field, and why */
    unsigned retry_after;        /* INTAKE_THROTTLED: seconds */
    char access_key[CASE_ACCESS_KEY_CHARS + 1];
    struct store_write w;       /* the case: after the commit, w.id and w.u.case_new */
    struct store_write batch;   /* the case and its attachments, when there are any */
    struct store_write *queued; /* w or batch */
    /* set by the caller when it wants them: a write committed with the case (an
     * Idempotency-Key's record), and what runs once the case is planned, before it is queued
     * (to fill that write's answer) */
    struct store_write *guard;
    void (*planned)(struct http_request *req, struct api_intake *it);
};

enum api_intake_outcome {
    INTAKE_QUEUED,     /* the write is on its way: return HTTP_SUSPENDED; then() follows */
    INTAKE_REFUSED,    /* a rule refused it: problem */
    INTAKE_NO_UNIT,    /* unit_code names no unit */
    INTAKE_THROTTLED,  /* too many petitions from this address (or key) lately: retry_after */
    INTAKE_UNAVAILABLE /* the store did not answer */
};

/* Plans the petition it->in at it->unit_code and queues its write. On INTAKE_QUEUED the
 * request is suspended and then(req) runs after the commit with req->op == it; nothing is
 * replied on any other outcome (the caller replies). */
enum api_intake_outcome api_intake_submit(struct http_request *req, struct api *api,
                                          struct api_intake *it,
                                          int (*then)(struct http_request *req));
/* After the commit: 0; AKAR_ENOTFOUND when the category is not offered at the unit;
 * AKAR_EINVAL when an attachment was refused (too many); another akar_err when the store
 * failed. api_intake_error is the store's message. */
int api_intake_result(const struct api_intake *it);
const char *api_intake_error(const struct api_intake *it);

/* Sniffs data[0..len) and keeps it in the blob store, then fills w: an ATTACHMENT_ADD of
 * case_id (0: the case created in the same batch) by actor, under given_name cleaned (or a
 * name made from the type). 0; AKAR_EINVAL when the bytes are no JPEG, PNG, WebP or PDF;
 * AKAR_EIO when they could not be kept. Strings in a. */
int api_attachment_prepare(struct api *api, struct arena *a, int64_t case_id, const void *data,
                           size_t len, const char *given_name, const char *actor,
                           struct store_write *w);

/* Drops from rows (a unit's categories, nearest unit first, as store_category_list gives
 * them) those that a nearer unit's category of the same code hides; returns how many remain. */
size_t api_categories_offered(struct category_row *rows, size_t n);

/* Whether the public may read c's report itself (title, description, answer), not only its
 * status: the tracking page's rule, which the unit feeds follow. Reads kind and privacy. */
bool api_case_report_public(const struct case_row *c);

/* The answer of GET /api/v1/track/{code} for case c: the public view, or the reporter's
 * (the caller checked the access key). The one serializer decides what either may see; the
 * web's tracking page renders this same object. NULL if the store did not answer. */
json_t *api_track_view(struct api *api, struct http_request *req, const struct case_row *c,
                       bool reporter);

/* ---- the officials' side of cases (cases.c), shared with the web's back office ---- */

/* Loads case case_id (its id as text) for id, an official who may see it, and how they relate
 * to it. 0; AKAR_ENOTFOUND for a case that does not exist or that they may not see (the two
 * are told apart to nobody); AKAR_ESTORE. */
int api_official_case_load(struct api *api, struct http_request *req, struct identity *id,
                           const char *case_id, struct case_row *c, struct case_actor *who);
/* The reporter's identity (JSON text) that who may see on c: a plain one, or revealed (the
 * identity opened by a reveal, for that one answer); NULL for inspectors, whatever else. */
const char *api_official_identity(const struct case_actor *who, const struct case_row *c,
                                  const char *revealed);
#define API_DUPLICATES_MAX 5
/* Possible duplicates of c (open cases of its unit's subtree that full-text search finds
 * similar and domain/cases agrees with), at most API_DUPLICATES_MAX, best first. */
size_t api_case_duplicates(struct api *api, struct arena *a, const struct case_row *c,
                           struct case_row **out);

/* An official's action on a case as asked. */
struct api_case_action {
    enum case_action action;
    struct case_args args;
    const char *to_unit; /* transfer: the unit's code */
    const char *handler; /* assign: the handler's login */
    int64_t merge_into;  /* merge: the id of the case kept */
};
/* Plans act on c by id (who: see api_official_case_load): looks up what it names, asks
 * domain/cases, and fills w (a CASE_UPDATE by id at the version of c). For a reveal,
 * *revealed is the identity opened (audited by the write). 0; AKAR_EINVAL with p saying why
 * the rules refuse (p->rc: AKAR_EINVAL 422, AKAR_EDENIED 403, AKAR_ECONFLICT 409);
 * AKAR_ECRYPTO when the sealed identity cannot be opened; AKAR_ESTORE. Strings in a. */
int api_case_plan(struct api *api, struct arena *a, struct identity *id, const struct case_row *c,
                  const struct case_actor *who, const struct api_case_action *act,
                  struct store_write *w, const char **revealed, struct case_problem *p);

/* Reads an inbox query (?unit=&kind=&status=&category=&open=&overdue=&due_before=&q=&cursor=
 * &limit=) for id into f, scoped to unit (the caller's widest when none is named). 0, or the
 * HTTP status of the refusal (400, 403, 503) with *field (may be NULL) and *detail (English). */
int api_inbox_query(struct api *api, struct http_request *req, struct identity *id,
                    struct case_filter *f, struct unit_row *unit, const char **field,
                    const char **detail);
/* The cursor (?cursor=) of the page after the one ending with last. Arena. */
const char *api_inbox_cursor(struct arena *a, const struct case_row *last);

/* ---- Idempotency-Key on POSTs (idempotency.c) ---- */

/* A new key's record, to commit with the change it guards. */
struct api_idem {
    struct store_write w; /* STORE_W_IDEMPOTENCY_ADD */
    /* answers a retry: r is the key's record, body its answer's body opened (with "id" set
     * to r->result_id when it has one; NULL when none was kept; the callee takes it) */
    int (*replay)(struct http_request *req, const struct idempotency_row *r, json_t *body);
};
/* Reads the Idempotency-Key header of req, sent by who (NULL: anonymous). Returns 0 with *out
 * NULL when none was sent, or with *out the record to commit with the change for a key not
 * met yet (see api_idem_answer, api_idem_batch). Returns non-zero once it has answered: a
 * malformed key (400), a key met within a day (replayed by replay with Idempotent-Replayed:
 * true, or 422 if it came with another request), a store that did not answer (503). */
int api_idem_begin(struct api *api, struct http_request *req, const struct identity *who,
                   int (*replay)(struct http_request *req, const struct idempotency_row *r,
                                 json_t *body),
                   struct api_idem **out);
/* Keeps in idem's record the answer that a retry gets: status and body (may be NULL; not
 * taken), sealed. Before the change is queued. */
void api_idem_answer(struct api *api, struct http_request *req, struct api_idem *idem, int status,
                     json_t *body);
/* The write to queue: change alone when idem is NULL, else a batch of change and idem's record
 * (arena). The batch's rc is the outcome: an item's own rc may be 0 in a batch that failed. */
struct store_write *api_idem_batch(struct http_request *req, struct api_idem *idem,
                                   struct store_write *change);
/* Whether idem's record was refused because the key was taken meanwhile (a copy of the
 * request got there first): nothing was changed, and api_idem_lost answers. */
bool api_idem_was_taken(const struct api_idem *idem);
int api_idem_lost(struct api *api, struct http_request *req, struct api_idem *idem);

/* ---- signing in (signin.c), shared by POST /api/v1/sessions and the web's /login ---- */

/* Someone signing in: found by login and password (or, on the web's second step, by id), then
 * the code of an official, then the write that spends the code and opens the session. */
struct api_signin {
    struct user_row user;
    bool official;      /* holds a role other than resident: a TOTP code is due */
    const char *secret; /* the account's TOTP secret in base32, opened; NULL if none */
    bool code_taken;    /* api_signin_totp accepted a code */
    char token[ACCOUNT_TOKEN_CHARS + 1]; /* the session's, after api_signin_start */
    struct store_write totp, session, batch, *items[2];
    struct store_write *write; /* what was queued: its rc tells how it went */
};

/* Seconds before login may try again from this client (per login and per address), or 0. */
unsigned api_signin_wait(struct api *api, struct http_request *req, const char *login);
/* Checks login and password (the same time whether the login exists or not) and fills si.
 * 0; AKAR_EDENIED when they are wrong or the account is disabled (counted as a failure);
 * AKAR_ESTORE. */
int api_signin_password(struct api *api, struct http_request *req, const char *login,
                        const char *password, struct api_signin *si);
/* Fills si for the account user_id, whose password was checked a moment ago. 0,
 * AKAR_ENOTFOUND (gone or disabled), AKAR_ESTORE. */
int api_signin_user(struct api *api, struct http_request *req, int64_t user_id,
                    struct api_signin *si);
/* Checks an official's code against the account's secret, or against new_secret when not
 * NULL (enrolment, allowed while no code has confirmed a secret). 0 (the code is spent by
 * api_signin_start's write); AKAR_EINVAL wrong or expired; AKAR_ECONFLICT used already, or an
 * enrolment over a confirmed secret; AKAR_ENOTFOUND no secret to check against. Wrong and used
 * codes count as failures. */
int api_signin_totp(struct api *api, struct http_request *req, struct api_signin *si,
                    const char *code, const char *new_secret);
/* A ticket that carries, between an official's password and their code, that uid passed the
 * password and the secret being enrolled (NULL: none, the code is checked against the
 * account's secret): "UID.EXPIRES.SECRET.MAC", signed with a key derived from the seal key,
 * good for API_SIGNIN_TICKET_TTL_S, so nothing is kept on the server for a half-finished
 * sign-in. In a; *expires_s (may be NULL) gets its end, in Unix seconds. */
#define API_SIGNIN_TICKET_TTL_S 600
#define API_SIGNIN_TICKET_MAX   200 /* characters; ours take about 100 */
const char *api_signin_ticket(struct api *api, struct arena *a, int64_t uid, const char *secret,
                              int64_t *expires_s);
/* Opens a ticket of api_signin_ticket: 0 with *uid and *secret (in a; NULL when it carries
 * none); AKAR_EINVAL for one that is malformed, altered, not signed with our key, or expired. */
int api_signin_ticket_open(struct api *api, struct arena *a, const char *ticket, int64_t *uid,
                           const char **secret);
/* Clears the login's failures and queues the session (with the code, in one transaction).
 * then(req) runs after the commit with req->op == si; si->write->rc is AKAR_ECONFLICT if the
 * code was spent meanwhile. Returns HTTP_SUSPENDED. */
int api_signin_start(struct api *api, struct http_request *req, struct api_signin *si,
                     int (*then)(struct http_request *req));
/* Queues the end of id's session; then(req) runs after the commit with req->op the write (its
 * rc AKAR_ENOTFOUND if the session had ended already). Returns HTTP_SUSPENDED. */
int api_signout_start(struct api *api, struct http_request *req, const struct identity *id,
                      int (*then)(struct http_request *req));
/* Sets the session cookie to token, or clears it (NULL). */
void api_signin_cookie(struct api *api, struct http_request *req, const char *token);

#endif
