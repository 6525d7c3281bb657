/* Route table and shared replies of the API; see api.h and internal.h. */
#include "api/internal.h"

#include "api/limiter.h"
#include "base/arena.h"
#include "base/blobstore.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "domain/account.h"
#include "domain/deadline.h"
#include "http/cookie.h"
#include "notify/notify.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct api *api_new(struct store *s, const struct api_config *cfg)
{
    struct api *api = xcalloc(1, sizeof *api);
    api->store = s;
    api->cfg = *cfg;
    if (!api->cfg.session_ttl_s)
        api->cfg.session_ttl_s = 12LL * 3600;
    if (!api->cfg.login_max_fails)
        api->cfg.login_max_fails = 5;
    if (!api->cfg.login_ip_fails)
        api->cfg.login_ip_fails = 50;
    if (!api->cfg.login_window_s)
        api->cfg.login_window_s = 15 * 60;
    api->login_by_name = limiter_new(s, "login", api->cfg.login_max_fails, api->cfg.login_window_s);
    api->login_by_ip = limiter_new(s, "login_ip", api->cfg.login_ip_fails, api->cfg.login_window_s);
    if (!api->cfg.submit_per_window)
        api->cfg.submit_per_window = 30;
    api->submissions = limiter_new(s, "submit", api->cfg.submit_per_window, 600);
    if (!api->cfg.submit_per_key)
        api->cfg.submit_per_key = 600;
    api->key_submissions = limiter_new(s, "submit_key", api->cfg.submit_per_key, 600);
    api->track_cache = http_cache_new(API_TRACK_CACHE_ENTRIES, API_TRACK_CACHE_BYTES);
    api->open311_cache = http_cache_new(API_OPEN311_CACHE_ENTRIES, API_OPEN311_CACHE_BYTES);
    api->policy = deadline_policy_get(cfg->preset ? cfg->preset : "vn");
    char err[256];
    api->blobs = cfg->blob_dir ? blobstore_open(cfg->blob_dir, err, sizeof err) : NULL;
    if (!api->policy || !api->cfg.key || !api->blobs) {
        api_free(api);
        return NULL;
    }
    pthread_mutex_init(&api->units_lock, NULL);
    return api;
}

void api_free(struct api *api)
{
    if (!api)
        return;
    limiter_free(api->login_by_name);
    limiter_free(api->login_by_ip);
    limiter_free(api->submissions);
    limiter_free(api->key_submissions);
    http_cache_free(api->track_cache);
    http_cache_free(api->open311_cache);
    http_response_free(api->units_resp);
    blobstore_free(api->blobs);
    pthread_mutex_destroy(&api->units_lock);
    free(api);
}

void api_mount(struct api *api, struct http_server *srv)
{
    api->http = srv;
    http_route(srv, "GET", "/healthz", api_healthz, api, 0);
    http_route(srv, "GET", "/metrics", api_metrics, api, 0);
    http_route(srv, "GET", "/api/v1/openapi.json", api_openapi, api, 0);
    http_route(srv, "GET", "/api/v1/units", api_units_list, api, 0);
    http_route(srv, "GET", "/api/v1/units/{}/feed.atom", api_unit_feed, api, 0);
    http_route(srv, "POST", "/api/v1/sessions", api_sessions_create, api, 16 << 10);
    http_route(srv, "DELETE", "/api/v1/sessions", api_sessions_delete, api, 0);
    http_route(srv, "GET", "/api/v1/me", api_me, api, 0);
    http_route(srv, "GET", "/api/v1/me/cases", api_me_cases, api, 0);
    http_route(srv, "GET", "/api/v1/dashboard", api_dashboard, api, 0);
    http_route(srv, "GET", "/api/v1/categories", api_categories, api, 0);
    http_route(srv, "POST", "/api/v1/cases", api_cases_submit, api, 64 << 10);
    http_route(srv, "GET", "/api/v1/cases", api_cases_list, api, 0);
    http_route(srv, "GET", "/api/v1/cases/{}", api_case_get, api, 0);
    http_route(srv, "POST", "/api/v1/cases/{}/actions", api_case_act, api, 64 << 10);
    http_route(srv, "GET", "/api/v1/track/{}", api_track, api, 0);
    http_route(srv, "POST", "/api/v1/track/{}/rating", api_track_rate, api, 16 << 10);
    http_route(srv, "POST", "/api/v1/track/{}/attachments", api_attach_reporter, api,
               ATTACHMENT_MAX_BYTES);
    http_route(srv, "POST", "/api/v1/cases/{}/attachments", api_attach_official, api,
               ATTACHMENT_MAX_BYTES);
    http_route(srv, "GET", "/api/v1/attachments/{}", api_attachment_get, api, 0);
    http_route(srv, "POST", "/api/v1/apikeys", api_apikeys_create, api, 16 << 10);
    http_route(srv, "GET", "/api/v1/apikeys", api_apikeys_list, api, 0);
    http_route(srv, "DELETE", "/api/v1/apikeys/{}", api_apikey_revoke, api, 0);
    http_route(srv, "GET", "/open311/v2/{}", api_open311_resource, api, 0);
    http_route(srv, "GET", "/open311/v2/services/{}", api_open311_service, api, 0);
    http_route(srv, "GET", "/open311/v2/requests/{}", api_open311_request, api, 0);
    http_route(srv, "POST", "/open311/v2/{}", api_open311_post, api, 64 << 10);
    http_route(srv, "GET", "/open311/v2/tokens/{}", api_open311_token, api, 0);
    http_fallback(srv, api_not_found, api);
}

static const char *status_title(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 409:
        return "Conflict";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Payload Too Large";
    case 415:
        return "Unsupported Media Type";
    case 422:
        return "Unprocessable Content";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

int api_problem(struct http_request *req, int status, const char *field, const char *detail)
{
    struct api_field_error e = {field, detail};
    return api_problems(req, status, detail, &e, field ? 1 : 0);
}

/* The problem document, with the members of extension (NULL, or an object: taken). */
static int problem_reply(struct http_request *req, int status, const char *detail,
                         const struct api_field_error *errors, size_t n, json_t *extension)
{
    json_t *p =
        json_pack("{s:s, s:s, s:i, s:s, s:s}", "type", "about:blank", "title", status_title(status),
                  "status", status, "detail", detail, "instance", req->path);
    if (extension) {
        json_object_update_missing(p, extension);
        json_decref(extension);
    }
    if (n) {
        json_t *list = json_array();
        for (size_t i = 0; i < n; i++)
            json_array_append_new(list, json_pack("{s:s, s:s}", "field", errors[i].field, "detail",
                                                  errors[i].detail));
        json_object_set_new(p, "errors", list);
    }
    /* a 503 is passing trouble (mostly a store that did not answer): a client told when to
     * come back does not retry in a tight loop */
    if (status == 503)
        http_add_header(req, "Retry-After", "1");
    char *text = json_dumps(p, JSON_COMPACT);
    json_decref(p);
    char *body = arena_strdup(req->arena, text ? text : "{}");
    free(text);
    return http_reply(req, status, "application/problem+json", body, strlen(body));
}

int api_problems(struct http_request *req, int status, const char *detail,
                 const struct api_field_error *errors, size_t n)
{
    return problem_reply(req, status, detail, errors, n, NULL);
}

int api_problem_extended(struct http_request *req, int status, const char *field,
                         const char *detail, json_t *extension)
{
    struct api_field_error e = {field, detail};
    return problem_reply(req, status, detail, &e, field ? 1 : 0, extension);
}

int api_json(struct http_request *req, int status, json_t *v)
{
    char *text = json_dumps(v, JSON_COMPACT);
    json_decref(v);
    if (!text)
        return api_problem(req, 500, NULL, "the answer could not be serialised");
    char *body = arena_strdup(req->arena, text);
    free(text);
    return http_reply(req, status, "application/json", body, strlen(body));
}

json_t *api_body(struct http_request *req, const struct jsonin_field *fields, size_t n)
{
    const char *ct = http_header(req, "Content-Type");
    if (!ct || strncasecmp(ct, "application/json", 16) != 0 ||
        (ct[16] && ct[16] != ';' && ct[16] != ' ')) {
        api_problem(req, 415, NULL, "send the body as application/json");
        return NULL;
    }
    struct jsonin_error err;
    json_t *doc = jsonin_parse(req->body, req->body_len, fields, n, &err);
    if (doc)
        return doc;
    /* every field at fault at once, and their details together for people */
    size_t k = err.n < JSONIN_ERRORS_MAX ? err.n : JSONIN_ERRORS_MAX;
    struct api_field_error list[JSONIN_ERRORS_MAX];
    const char *detail = err.detail;
    for (size_t i = 0; i < k; i++) {
        list[i] = (struct api_field_error){err.list[i].field, err.list[i].detail};
        if (i)
            detail = arena_printf(req->arena, "%s; %s", detail, err.list[i].detail);
    }
    api_problems(req, 400, detail, list, k);
    return NULL;
}

const char *api_client_address(struct http_request *req)
{
    return http_client_address(req);
}

/* The bearer token, else the session cookie, else NULL. */
static const char *request_token(struct http_request *req)
{
    const char *auth = http_header(req, "Authorization");
    if (auth) {
        if (strncasecmp(auth, "Bearer ", 7) != 0)
            return "";
        return auth + 7;
    }
    return cookie_get(req->arena, http_header(req, "Cookie"), API_SESSION_COOKIE);
}

bool api_has_token(struct http_request *req)
{
    return http_header(req, "Authorization") ||
           cookie_get(req->arena, http_header(req, "Cookie"), API_SESSION_COOKIE);
}

int api_identify(struct api *api, struct http_request *req, struct identity **out)
{
    *out = NULL;
    const char *token = request_token(req);
    if (!token)
        return AKAR_ENOTFOUND;
    struct identity *id = arena_calloc(req->arena, sizeof *id);
    struct session_row sess = {0};
    struct grant_row *g = NULL;
    int rc = AKAR_EINVAL;
    if (account_token_shape_ok(token)) {
        account_token_hash(token, id->token_hash);
        rc = store_session_identity(api->store, req->arena, id->token_hash, &sess, &id->user, &g,
                                    &id->ngrants);
        if (rc == AKAR_ENOTFOUND)
            rc = AKAR_EINVAL;
    }
    if (rc == 0 && sess.expires_ms <= clock_now_ms())
        rc = AKAR_EINVAL;
    if (rc == 0 && id->user.disabled)
        rc = AKAR_EINVAL;
    if (rc == AKAR_ESTORE)
        return rc;
    if (rc)
        return AKAR_EINVAL;
    id->grants = arena_alloc(req->arena, (id->ngrants ? id->ngrants : 1) * sizeof *id->grants);
    for (size_t i = 0; i < id->ngrants; i++)
        id->grants[i] =
            (struct access_grant){(enum role)role_parse(g[i].role), g[i].unit_code, g[i].unit_path};
    *out = id;
    return 0;
}

struct identity *api_authenticate(struct api *api, struct http_request *req)
{
    struct identity *id;
    int rc = api_identify(api, req, &id);
    if (rc == AKAR_ENOTFOUND) {
        http_add_header(req, "WWW-Authenticate", "Bearer");
        api_problem(req, 401, NULL, "sign in first: send a session token");
    } else if (rc == AKAR_ESTORE) {
        api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    } else if (rc && !api_key_refused(api, req)) {
        http_add_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        api_problem(req, 401, NULL, "the session token is unknown, expired or malformed");
    }
    return id;
}

/* Whether w queued messages to deliver (a batch: any of its items). */
static bool queues_messages(const struct store_write *w)
{
    if (w->kind == STORE_W_BATCH)
        for (size_t i = 0; i < w->u.batch.n; i++)
            if (queues_messages(w->u.batch.items[i]))
                return true;
    return (w->kind == STORE_W_CASE_CREATE && w->u.case_new.noutbox) ||
           (w->kind == STORE_W_CASE_UPDATE && w->u.case_update.noutbox);
}

/* Writer thread, after the commit: messages the change queued go out now rather than at the
 * delivery worker's next tick; then the request carries on. */
static void resume_after_commit(struct store_write *w)
{
    struct http_request *req = w->arg;
    if (w->rc == 0 && queues_messages(w))
        notify_kick();
    http_resume(req);
}

int api_submit(struct http_request *req, void *op, struct store_write *w,
               int (*then)(struct http_request *req))
{
    return api_submit_to(req->route_ctx, req, op, w, then);
}

int api_submit_to(struct api *api, struct http_request *req, void *op, struct store_write *w,
                  int (*then)(struct http_request *req))
{
    w->done = resume_after_commit;
    w->arg = req;
    req->op = op;
    http_suspend(req, then);
    if (store_submit(api->store, w) != 0) {
        w->rc = AKAR_ESHUTDOWN;
        http_resume(req);
    }
    return HTTP_SUSPENDED;
}

const char *api_access_key(struct http_request *req)
{
    const char *k = http_header(req, "X-Access-Key");
    return k ? k : http_query(req, "access_key");
}

int api_not_found(struct http_request *req)
{
    /* Open311 clients read the spec's error bodies, not problem documents */
    if (strncmp(req->path, "/open311/v2/", 12) == 0 || strcmp(req->path, "/open311/v2") == 0)
        return api_open311_unmatched(req);
    const char *allowed = http_allowed(req);
    if (allowed) {
        http_add_header(req, "Allow", allowed);
        return api_problem(
            req, 405, NULL,
            arena_printf(req->arena, "%s is not allowed here; allowed: %s", req->method, allowed));
    }
    return api_problem(req, 404, NULL, "there is nothing at this address");
}
