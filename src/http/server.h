/* The HTTP server: libmicrohttpd with an epoll thread pool, a router, a per-request arena,
 * limits (body size, header size, request time), security headers on every response, an
 * access log line and metrics per request, suspend/resume for work finished by another thread,
 * and a graceful stop that drains requests in flight. */
#ifndef AKAR_HTTP_SERVER_H
#define AKAR_HTTP_SERVER_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;
struct buf;
struct http_server;
struct MHD_Response;

#define HTTP_MAX_PARAMS 4

enum http_outcome {
    HTTP_DONE = 0,     /* the handler queued a reply */
    HTTP_SUSPENDED = 1 /* the handler called http_suspend; a reply comes after http_resume */
};

struct http_request {
    struct arena *arena; /* freed when the response has been sent */
    const char *method;
    const char *path; /* percent-decoded path, without the query */
    const char *body; /* NUL-terminated copy of the body (arena), NULL if none */
    size_t body_len;
    const char *params[HTTP_MAX_PARAMS]; /* values of {} segments of the matched route */
    void *route_ctx;                     /* the ctx given to http_route */
    void *app;                           /* free for the application (e.g. the caller's identity) */
    void *op;                            /* free for a suspended handler's state */
    int status;                          /* status of the queued reply, 0 before */
    /* private to the server */
    struct http_server *server;
    struct MHD_Connection *conn;
    int route;
    int64_t start_ns;
    size_t body_cap, body_alloc;
    bool too_large, timed_out, replied;
    int (*resume)(struct http_request *req);
    struct http_header *headers;
};

typedef int (*http_handler)(struct http_request *req);

struct http_config {
    const char *listen;        /* "HOST:PORT"; port 0 picks a free one */
    unsigned threads;          /* worker threads; 0: one per core */
    size_t max_body;           /* default body limit in bytes (413 above it) */
    size_t max_header;         /* request line + headers limit in bytes (431 above it) */
    unsigned idle_timeout;     /* seconds a silent connection is kept */
    unsigned request_limit;    /* seconds one request may take to arrive (408 after) */
    const char *trusted_proxy; /* IPv4 or IPv6 address of a reverse proxy, or NULL: requests
                                * from it are taken to come from the address it forwards */
};

/* Creates a server (not yet listening). Returns NULL with a message in err on bad config. */
struct http_server *http_server_new(const struct http_config *cfg, char *err, size_t errlen);
/* Adds a route; pattern segments written {} match one path segment. Routes are tried in the
 * order added. max_body 0 means the server default. Call before http_server_start. */
void http_route(struct http_server *s, const char *method, const char *pattern, http_handler h,
                void *ctx, size_t max_body);
/* The handler for paths no route matches (method mismatch included; see http_allowed); it
 * sees ctx as req->route_ctx. A later call replaces an earlier one. */
void http_fallback(struct http_server *s, http_handler h, void *ctx);
/* The handler for a request whose body is over its route's limit: it runs with req->too_large
 * set, no body and ctx as req->route_ctx, and should reply 413. Without one (or if it does not
 * reply) the answer is a problem+json document. */
void http_too_large(struct http_server *s, http_handler h, void *ctx);
/* Binds and starts serving. Returns 0 or AKAR_EIO with a message in err. */
int http_server_start(struct http_server *s, char *err, size_t errlen);
/* The bound port (useful after listening on port 0). */
unsigned http_server_port(const struct http_server *s);
/* Stops accepting, waits up to drain_ms for requests in flight, stops, frees. */
void http_server_stop(struct http_server *s, unsigned drain_ms);
/* Requests in flight right now. */
unsigned http_server_active(const struct http_server *s);

/* Request accessors. Values live as long as the request. NULL if absent. */
const char *http_header(struct http_request *req, const char *name);
const char *http_query(struct http_request *req, const char *name);
/* The client's address as text (arena): the TCP peer's, except that a request from the
 * configured trusted proxy is taken to come from the right-most X-Forwarded-For entry, the
 * address the proxy itself saw, when that is an address; "unknown" if there is none. */
const char *http_client_address(struct http_request *req);
/* Comma-separated methods that do have a route for this request's path, or NULL. */
const char *http_allowed(struct http_request *req);

/* Replies. body must live until the response is sent: arena memory or static data. */
int http_reply(struct http_request *req, int status, const char *content_type, const char *body,
               size_t len);
/* Replies with size bytes read from fd, which the server then owns and closes. */
int http_reply_fd(struct http_request *req, int status, const char *content_type, int fd,
                  size_t size);
/* Replies with a prepared response shared between requests (see http_response_new). */
int http_reply_shared(struct http_request *req, int status, struct MHD_Response *resp);
/* Adds a header to this request's reply (copied into the arena). Before http_reply. */
void http_add_header(struct http_request *req, const char *name, const char *value);
/* A response with the security headers, owning a copy of body, for http_reply_shared.
 * Free with http_response_free. */
struct MHD_Response *http_response_new(const char *content_type, const char *body, size_t len,
                                       const char *etag);
void http_response_free(struct MHD_Response *resp);

/* Suspends the connection: the handler returns HTTP_SUSPENDED, some thread later calls
 * http_resume, and then resume(req) runs on a server thread and must reply. */
void http_suspend(struct http_request *req, int (*resume)(struct http_request *req));
/* Thread-safe. */
void http_resume(struct http_request *req);

/* Prometheus text for the request counters and the latency histogram. */
void http_metrics_render(struct http_server *s, struct buf *out);

#endif
