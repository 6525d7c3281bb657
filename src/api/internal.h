/* What the API's handler files share: the context, replies, authentication. Not used outside
 * src/api/. */
#ifndef AKAR_API_INTERNAL_H
#define AKAR_API_INTERNAL_H
#include "api/api.h"
#include "api/jsonin.h"
#include "domain/access.h"
#include "domain/petition.h"
#include "http/server.h"
#include "store/store.h"

#include <jansson.h>
#include <pthread.h>

struct deadline_policy;
struct ratelimit;

struct api {
    struct store *store;
    struct http_server *http;
    struct api_config cfg;
    struct ratelimit *login_by_name, *login_by_ip, *submissions;
    const struct deadline_policy *policy; /* the jurisdiction's preset */
    struct blobstore *blobs;              /* attachments, by content */
    /* GET /api/v1/units, built once per change of the unit tree */
    pthread_mutex_t units_lock;
    uint64_t units_generation;
    struct MHD_Response *units_resp;
    char units_etag[40];
};

/* The signed-in person of a request. */
struct identity {
    struct user_row user;
    struct access_grant *grants;
    size_t ngrants;
    unsigned char token_hash[32];
};

/* Replies with an RFC 9457 problem document. field may be NULL; detail is shown to people. */
int api_problem(struct http_request *req, int status, const char *field, const char *detail);
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
/* The case access key sent with the request (X-Access-Key, else ?access_key=), or NULL. */
const char *api_access_key(struct http_request *req);
/* True if the request carries a session token (header or cookie), valid or not. */
bool api_has_token(struct http_request *req);
/* The client's address as text (for rate limits; never logged). */
const char *api_client_address(struct http_request *req);

#define API_SESSION_COOKIE "akar_session"

int api_sessions_create(struct http_request *req);
int api_sessions_delete(struct http_request *req);
int api_me(struct http_request *req);
int api_units_list(struct http_request *req);
int api_healthz(struct http_request *req);
int api_metrics(struct http_request *req);
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

/* Shared by the case handlers (cases.c, attachments.c). Each replies (404, 403, 503) and
 * returns non-zero when the case cannot be had. */

int api_case_by_code(struct http_request *req, struct case_row *c);
int api_official_case(struct http_request *req, struct identity *id, struct case_row *c,
                      struct case_actor *who);
struct case_actor api_case_actor(const struct identity *id, const struct case_row *c);
bool api_may_view(const struct case_actor *w);

#endif
