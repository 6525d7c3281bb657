/* The JSON API under /api/v1 and the operational endpoints (/healthz, /metrics): mounts the
 * routes on an HTTP server and holds what the handlers share. */
#ifndef AKAR_API_API_H
#define AKAR_API_API_H
#include <stdint.h>

struct http_server;
struct seal_key;
struct store;
struct api;

struct api_config {
    int64_t session_ttl_s;      /* how long a session lasts */
    unsigned login_max_fails;   /* failures per login within the window before 429 */
    unsigned login_ip_fails;    /* failures per client address within the window */
    unsigned login_window_s;    /* the window */
    int secure_cookies;         /* add Secure to cookies (behind TLS) */
    unsigned submit_per_window; /* petitions per client address per 10 minutes */
    unsigned submit_per_key;    /* petitions per integration's API key per 10 minutes */
    const char *preset;         /* "vn" or "id": the deadline rules */
    const struct seal_key *key; /* seals and opens reporters' identities */
    const char *blob_dir;       /* where attachments are kept, by content */
};

#define ATTACHMENT_MAX_BYTES (10u << 20) /* one photo or PDF */

/* NULL if cfg->preset names no known preset, or the key or blob directory is missing. */
struct api *api_new(struct store *s, const struct api_config *cfg);
/* Adds every route to srv. */
void api_mount(struct api *api, struct http_server *srv);
void api_free(struct api *api);

#endif
