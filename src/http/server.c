/* The HTTP server on libmicrohttpd; see server.h. One MHD daemon with an epoll thread pool;
 * every request gets an arena at its first callback and loses it in the completion callback,
 * which also writes the access-log line and the metrics. */
#include "http/server.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/utf8.h"
#include "http/router.h"

#include <arpa/inet.h>
#include <assert.h>
#include <errno.h>
#include <microhttpd.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* Status codes counted one by one in the metrics; others fall in "other". */
static const int counted_status[] = {200, 201, 204, 304, 400, 401, 403, 404, 405, 408,
                                     409, 412, 413, 415, 422, 429, 431, 500, 503};
#define NSTATUS    (sizeof counted_status / sizeof counted_status[0] + 1)
#define MAX_ROUTES 128

/* Latency histogram bucket bounds, in seconds. */
static const double latency_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                    0.05,   0.1,   0.25,   0.5,   1,    2.5};
#define NLAT (sizeof latency_le / sizeof latency_le[0])

struct http_header {
    struct http_header *next;
    const char *name, *value;
};

struct route_info {
    http_handler handler;
    void *ctx;
    size_t max_body;
};

struct http_server {
    struct http_config cfg;
    struct sockaddr_in addr;
    bool has_proxy;
    unsigned char proxy[16]; /* cfg.trusted_proxy, IPv4 as IPv4-mapped IPv6 */
    struct MHD_Daemon *daemon;
    struct router *router;
    struct route_info routes[MAX_ROUTES];
    http_handler fallback;
    void *fallback_ctx;
    http_handler too_large; /* may be NULL */
    void *too_large_ctx;
    atomic_uint active;
    unsigned port;
    /* metrics: [route + 1][status index]; row 0 is "unmatched" */
    atomic_uint_fast64_t requests[MAX_ROUTES + 1][NSTATUS];
    atomic_uint_fast64_t latency[NLAT + 1];
    atomic_uint_fast64_t latency_sum_us, latency_count;
};

static const char *const security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
     "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"},
    {"X-Content-Type-Options", "nosniff"},
    {"X-Frame-Options", "DENY"},
    {"Referrer-Policy", "no-referrer"},
    {"Cross-Origin-Opener-Policy", "same-origin"},
    {"Cross-Origin-Resource-Policy", "same-origin"},
    {"Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"},
};

static void add_security_headers(struct MHD_Response *resp)
{
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        MHD_add_response_header(resp, security_headers[i][0], security_headers[i][1]);
}

static int parse_listen(const char *listen, struct sockaddr_in *addr, char *err, size_t errlen)
{
    const char *colon = strrchr(listen, ':');
    char host[64];
    if (!colon || (size_t)(colon - listen) >= sizeof host) {
        snprintf(err, errlen, "--listen wants HOST:PORT, got \"%s\"", listen);
        return AKAR_EINVAL;
    }
    memcpy(host, listen, (size_t)(colon - listen));
    host[colon - listen] = 0;
    char *end;
    long port = strtol(colon + 1, &end, 10);
    memset(addr, 0, sizeof *addr);
    addr->sin_family = AF_INET;
    if (*end || end == colon + 1 || port < 0 || port > 65535 ||
        inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host, &addr->sin_addr) !=
            1) {
        snprintf(err, errlen, "--listen wants an IPv4 HOST:PORT, got \"%s\"", listen);
        return AKAR_EINVAL;
    }
    addr->sin_port = htons((uint16_t)port);
    return 0;
}

/* The first 12 bytes of an IPv4-mapped IPv6 address (::ffff:a.b.c.d). */
static const unsigned char v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* Text to a 16-byte address, IPv4 mapped into IPv6, so that the two spellings of one IPv4
 * address compare equal. Returns false if text is not an address. */
static bool parse_address(const char *text, unsigned char out[16])
{
    struct in_addr v4;
    if (inet_pton(AF_INET, text, &v4) == 1) {
        memcpy(out, v4_mapped, sizeof v4_mapped);
        memcpy(out + 12, &v4, 4);
        return true;
    }
    return inet_pton(AF_INET6, text, out) == 1;
}

/* A 16-byte address as text in the arena, IPv4-mapped ones as plain IPv4: one spelling per
 * address, so a rate limit keyed by it cannot be dodged by writing it another way. */
static const char *address_text(struct arena *a, const unsigned char addr[16])
{
    char *out = arena_alloc(a, INET6_ADDRSTRLEN);
    if (memcmp(addr, v4_mapped, sizeof v4_mapped) == 0)
        inet_ntop(AF_INET, addr + 12, out, INET6_ADDRSTRLEN);
    else
        inet_ntop(AF_INET6, addr, out, INET6_ADDRSTRLEN);
    return out;
}

struct http_server *http_server_new(const struct http_config *cfg, char *err, size_t errlen)
{
    struct http_server *s = xcalloc(1, sizeof *s);
    s->cfg = *cfg;
    if (parse_listen(cfg->listen, &s->addr, err, errlen) != 0) {
        free(s);
        return NULL;
    }
    if (cfg->trusted_proxy && !(s->has_proxy = parse_address(cfg->trusted_proxy, s->proxy))) {
        snprintf(err, errlen, "--trusted-proxy wants an IPv4 or IPv6 address, got \"%s\"",
                 cfg->trusted_proxy);
        free(s);
        return NULL;
    }
    if (!s->cfg.threads) {
        long n = sysconf(_SC_NPROCESSORS_ONLN);
        s->cfg.threads = n > 0 ? (unsigned)n : 2;
    }
    if (!s->cfg.max_body)
        s->cfg.max_body = 1 << 20;
    if (!s->cfg.max_header)
        s->cfg.max_header = 16 << 10;
    if (!s->cfg.idle_timeout)
        s->cfg.idle_timeout = 30;
    if (!s->cfg.request_limit)
        s->cfg.request_limit = 60;
    s->router = router_new();
    return s;
}

void http_route(struct http_server *s, const char *method, const char *pattern, http_handler h,
                void *ctx, size_t max_body)
{
    int idx = router_add(s->router, method, pattern);
    assert(idx >= 0 && idx < MAX_ROUTES);
    s->routes[idx] = (struct route_info){h, ctx, max_body ? max_body : s->cfg.max_body};
}

void http_too_large(struct http_server *s, http_handler h, void *ctx)
{
    s->too_large = h;
    s->too_large_ctx = ctx;
}

void http_fallback(struct http_server *s, http_handler h, void *ctx)
{
    s->fallback = h;
    s->fallback_ctx = ctx;
}

static size_t status_index(int status)
{
    for (size_t i = 0; i < NSTATUS - 1; i++)
        if (counted_status[i] == status)
            return i;
    return NSTATUS - 1;
}

/* One JSON access-log line: no query string and no client address, which could carry
 * personal data; the route pattern tells what was asked. */
static void access_log(struct http_request *req, double seconds)
{
    struct buf b = {0};
    char when[21];
    buf_printf(&b, "{\"ts\":\"%s\",\"method\":", clock_format_utc(clock_now_ms(), when));
    buf_json_string(&b, req->method);
    buf_puts(&b, ",\"path\":");
    if (utf8_valid(req->path, strlen(req->path), NULL)) {
        buf_json_string(&b, req->path);
    } else {
        buf_json_string(&b, "(not UTF-8)");
    }
    buf_puts(&b, ",\"route\":");
    buf_json_string(&b, router_pattern(req->server->router, req->route));
    buf_printf(&b, ",\"status\":%d,\"ms\":%.3f,\"bytes_in\":%zu}", req->status, seconds * 1000,
               req->body_len);
    log_access_line(b.data, b.len);
    buf_release(&b);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)conn;
    (void)toe;
    struct http_server *s = cls;
    struct http_request *req = *con_cls;
    if (!req)
        return;
    double seconds = (double)(clock_mono_ns() - req->start_ns) / 1e9;
    atomic_fetch_add_explicit(&s->requests[req->route + 1][status_index(req->status)], 1,
                              memory_order_relaxed);
    size_t b = 0;
    while (b < NLAT && seconds > latency_le[b])
        b++;
    atomic_fetch_add_explicit(&s->latency[b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&s->latency_sum_us, (uint_fast64_t)(seconds * 1e6),
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&s->latency_count, 1, memory_order_relaxed);
    if (log_access_on()) /* formatting the line costs as much as a cached answer */
        access_log(req, seconds);
    arena_free(req->arena);
    *con_cls = NULL;
    atomic_fetch_sub(&s->active, 1);
}

static struct MHD_Response *response_new(const char *content_type, const void *body, size_t len,
                                         enum MHD_ResponseMemoryMode mode)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, (void *)body, mode);
    if (!resp)
        return NULL;
    add_security_headers(resp);
    if (content_type)
        MHD_add_response_header(resp, "Content-Type", content_type);
    return resp;
}

int http_reply(struct http_request *req, int status, const char *content_type, const char *body,
               size_t len)
{
    assert(!req->replied);
    struct MHD_Response *resp =
        response_new(content_type, body ? body : "", body ? len : 0, MHD_RESPMEM_PERSISTENT);
    if (!resp)
        return HTTP_DONE;
    bool cache_set = false;
    for (struct http_header *h = req->headers; h; h = h->next) {
        MHD_add_response_header(resp, h->name, h->value);
        cache_set |= strcasecmp(h->name, "Cache-Control") == 0;
    }
    if (!cache_set)
        MHD_add_response_header(resp, "Cache-Control", "no-store");
    req->status = status;
    req->replied = true;
    MHD_queue_response(req->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return HTTP_DONE;
}

int http_reply_fd(struct http_request *req, int status, const char *content_type, int fd,
                  size_t size)
{
    assert(!req->replied);
    struct MHD_Response *resp = MHD_create_response_from_fd(size, fd);
    if (!resp) {
        close(fd);
        return http_reply(req, 500, "text/plain", "cannot send the file", 20);
    }
    add_security_headers(resp);
    MHD_add_response_header(resp, "Content-Type", content_type);
    for (struct http_header *h = req->headers; h; h = h->next)
        MHD_add_response_header(resp, h->name, h->value);
    req->status = status;
    req->replied = true;
    MHD_queue_response(req->conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return HTTP_DONE;
}

int http_reply_shared(struct http_request *req, int status, struct MHD_Response *resp)
{
    assert(!req->replied);
    req->status = status;
    req->replied = true;
    MHD_queue_response(req->conn, (unsigned)status, resp);
    return HTTP_DONE;
}

struct MHD_Response *http_response_new(const char *content_type, const char *body, size_t len,
                                       const char *etag)
{
    struct MHD_Response *resp = response_new(content_type, body, len, MHD_RESPMEM_MUST_COPY);
    if (resp && etag)
        MHD_add_response_header(resp, "ETag", etag);
    if (resp)
        MHD_add_response_header(resp, "Cache-Control", "no-cache");
    return resp;
}

void http_response_free(struct MHD_Response *resp)
{
    if (resp)
        MHD_destroy_response(resp);
}

void http_add_header(struct http_request *req, const char *name, const char *value)
{
    struct http_header *h = arena_alloc(req->arena, sizeof *h);
    h->name = arena_strdup(req->arena, name);
    h->value = arena_strdup(req->arena, value);
    h->next = req->headers;
    req->headers = h;
}

const char *http_header(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

/* Keeps the last X-Forwarded-For header line: a proxy may add its own line after the
 * client's rather than append to it. */
static enum MHD_Result last_forwarded(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    (void)kind;
    if (strcasecmp(key, "X-Forwarded-For") == 0 && value)
        *(const char **)cls = value;
    return MHD_YES;
}

/* The right-most entry of the request's X-Forwarded-For as an address; false if there is no
 * header or that entry is not an address. Only the right-most: the proxy adds the peer it saw
 * there, and anything to its left is whatever the client chose to send. */
static bool forwarded_address(struct http_request *req, unsigned char out[16])
{
    const char *xff = NULL;
    MHD_get_connection_values(req->conn, MHD_HEADER_KIND, last_forwarded, &xff);
    if (!xff)
        return false;
    const char *start = strrchr(xff, ',');
    start = start ? start + 1 : xff;
    const char *end = start + strlen(start);
    while (*start == ' ' || *start == '\t')
        start++;
    while (end > start && (end[-1] == ' ' || end[-1] == '\t'))
        end--;
    char text[INET6_ADDRSTRLEN];
    if (end == start || (size_t)(end - start) >= sizeof text)
        return false;
    memcpy(text, start, (size_t)(end - start));
    text[end - start] = 0;
    return parse_address(text, out);
}

const char *http_client_address(struct http_request *req)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    unsigned char peer[16];
    if (!ci || !ci->client_addr)
        return "unknown";
    if (ci->client_addr->sa_family == AF_INET) {
        memcpy(peer, v4_mapped, sizeof v4_mapped);
        memcpy(peer + 12, &((const struct sockaddr_in *)ci->client_addr)->sin_addr, 4);
    } else if (ci->client_addr->sa_family == AF_INET6) {
        memcpy(peer, &((const struct sockaddr_in6 *)ci->client_addr)->sin6_addr, 16);
    } else {
        return "unknown";
    }
    struct http_server *s = req->server;
    unsigned char client[16];
    if (s->has_proxy && memcmp(peer, s->proxy, 16) == 0 && forwarded_address(req, client))
        return address_text(req->arena, client);
    return address_text(req->arena, peer);
}

const char *http_query(struct http_request *req, const char *name)
{
    return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *http_allowed(struct http_request *req)
{
    return router_allowed(req->server->router, req->arena, req->path);
}

void http_suspend(struct http_request *req, int (*resume)(struct http_request *req))
{
    req->resume = resume;
    MHD_suspend_connection(req->conn);
}

void http_resume(struct http_request *req)
{
    MHD_resume_connection(req->conn);
}

static const char plain_413[] = "{\"type\":\"about:blank\",\"title\":\"Payload Too Large\","
                                "\"status\":413,\"detail\":\"the request body is larger than "
                                "this route accepts\"}";
static const char plain_408[] = "{\"type\":\"about:blank\",\"title\":\"Request Timeout\","
                                "\"status\":408,\"detail\":\"the request took too long to "
                                "arrive\"}";

/* 413: the application's page when it gave a handler, else a problem document. */
static void reply_too_large(struct http_request *req)
{
    struct http_server *s = req->server;
    req->too_large = true;
    if (s->too_large) {
        req->route_ctx = s->too_large_ctx;
        s->too_large(req);
    }
    if (!req->replied)
        http_reply(req, 413, "application/problem+json", plain_413, sizeof plain_413 - 1);
}

static int run_handler(struct http_request *req)
{
    struct http_server *s = req->server;
    http_handler h = req->route >= 0 ? s->routes[req->route].handler : s->fallback;
    int out = h(req);
    if (out == HTTP_DONE && !req->replied)
        http_reply(req, 500, "text/plain", "handler gave no reply", 21);
    return out;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    (void)version;
    struct http_server *s = cls;
    struct http_request *req = *con_cls;

    if (!req) {
        struct arena *a = arena_new();
        req = arena_calloc(a, sizeof *req);
        req->arena = a;
        req->server = s;
        req->conn = conn;
        req->start_ns = clock_mono_ns();
        req->method = arena_strdup(a, method);
        req->path = arena_strdup(a, url);
        bool known;
        /* HEAD is GET without a body; libmicrohttpd leaves the body out by itself. */
        const char *as = strcmp(method, "HEAD") == 0 ? "GET" : method;
        req->route = router_match(s->router, a, as, url, req->params, HTTP_MAX_PARAMS, &known);
        req->route_ctx = req->route >= 0 ? s->routes[req->route].ctx : s->fallback_ctx;
        req->body_cap = req->route >= 0 ? s->routes[req->route].max_body : s->cfg.max_body;
        *con_cls = req;
        atomic_fetch_add(&s->active, 1);
        const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
        if (cl && strtoull(cl, NULL, 10) > req->body_cap) {
            reply_too_large(req);
            return MHD_YES;
        }
        /* Even without a body the reply waits for the next call: libmicrohttpd closes the
         * connection after a reply queued on the first one. */
        return MHD_YES;
    }

    if (req->replied)
        return MHD_YES; /* an early reply (413, 408): the rest of the body is discarded */

    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (req->too_large || req->timed_out)
            return MHD_YES;
        if ((unsigned)((clock_mono_ns() - req->start_ns) / 1000000000) >= s->cfg.request_limit) {
            req->timed_out = true;
            return MHD_YES;
        }
        if (req->body_len + n > req->body_cap) {
            req->too_large = true;
            return MHD_YES;
        }
        if (req->body_len + n + 1 > req->body_alloc) {
            /* grow geometrically (from Content-Length when given): no quadratic copying */
            size_t want = req->body_alloc ? req->body_alloc * 2 : 4096;
            const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
            size_t declared = cl ? (size_t)strtoull(cl, NULL, 10) + 1 : 0;
            if (declared > want)
                want = declared;
            while (want < req->body_len + n + 1)
                want *= 2;
            if (want > req->body_cap + 1)
                want = req->body_cap + 1;
            char *grown = arena_alloc(req->arena, want);
            if (req->body_len)
                memcpy(grown, req->body, req->body_len);
            req->body = grown;
            req->body_alloc = want;
        }
        char *body = (char *)req->body;
        memcpy(body + req->body_len, upload_data, n);
        req->body_len += n;
        body[req->body_len] = 0;
        return MHD_YES;
    }

    if (req->too_large)
        return reply_too_large(req), MHD_YES;
    if (req->timed_out)
        return http_reply(req, 408, "application/problem+json", plain_408, sizeof plain_408 - 1),
               MHD_YES;
    if (req->resume) {
        int (*resume)(struct http_request *) = req->resume;
        req->resume = NULL;
        int out = resume(req);
        if (out == HTTP_DONE && !req->replied)
            http_reply(req, 500, "text/plain", "handler gave no reply", 21);
        return MHD_YES;
    }
    if (!req->body) {
        req->body = arena_strdup(req->arena, "");
    }
    run_handler(req);
    return MHD_YES;
}

int http_server_start(struct http_server *s, char *err, size_t errlen)
{
    assert(s->fallback);
    s->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_TURBO,
        0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&s->addr,
        MHD_OPTION_THREAD_POOL_SIZE, s->cfg.threads, MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(s->cfg.max_header + 16384),
        MHD_OPTION_CONNECTION_TIMEOUT, s->cfg.idle_timeout, MHD_OPTION_LISTEN_BACKLOG_SIZE, 4096u,
        MHD_OPTION_CONNECTION_LIMIT, 20000u, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s (address in use or not available)",
                 s->cfg.listen);
        return AKAR_EIO;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : ntohs(s->addr.sin_port);
    return 0;
}

unsigned http_server_port(const struct http_server *s)
{
    return s->port;
}

unsigned http_server_active(const struct http_server *s)
{
    return atomic_load(&s->active);
}

void http_server_stop(struct http_server *s, unsigned drain_ms)
{
    if (!s)
        return;
    if (s->daemon) {
        /* Stop accepting. Not with MHD_quiesce_daemon: on an epoll thread pool it races its own
         * workers to take the listening socket out of their epoll sets, and the loser aborts
         * the process ("Failed to remove listen FD from epoll set", libmicrohttpd 0.9.75).
         * Putting an unbound socket in the listening socket's place closes the listening one
         * (new connections are refused at once; epoll forgets it by itself) and leaves
         * libmicrohttpd a descriptor that it closes when it stops. */
        const union MHD_DaemonInfo *li = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_LISTEN_FD);
        int spare = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (li && spare >= 0 && dup2(spare, li->listen_fd) < 0)
            log_warn("stop: the listening socket could not be closed: %s", strerror(errno));
        if (spare >= 0)
            close(spare);
        int64_t until = clock_mono_ns() + (int64_t)drain_ms * 1000000;
        while (atomic_load(&s->active) > 0 && clock_mono_ns() < until) {
            struct timespec ts = {0, 5000000L};
            nanosleep(&ts, NULL);
        }
        if (atomic_load(&s->active) > 0)
            log_warn("stopping with %u requests still in flight", atomic_load(&s->active));
        MHD_stop_daemon(s->daemon);
    }
    router_free(s->router);
    free(s);
}

void http_metrics_render(struct http_server *s, struct buf *out)
{
    buf_puts(out, "# HELP akar_http_requests_total HTTP requests answered, by route and status.\n"
                  "# TYPE akar_http_requests_total counter\n");
    for (size_t r = 0; r <= router_count(s->router); r++) {
        for (size_t k = 0; k < NSTATUS; k++) {
            uint64_t n = atomic_load_explicit(&s->requests[r][k], memory_order_relaxed);
            if (!n)
                continue;
            buf_puts(out, "akar_http_requests_total{route=");
            buf_json_string(out, router_pattern(s->router, (int)r - 1));
            if (k < NSTATUS - 1)
                buf_printf(out, ",status=\"%d\"} %llu\n", counted_status[k], (unsigned long long)n);
            else
                buf_printf(out, ",status=\"other\"} %llu\n", (unsigned long long)n);
        }
    }
    buf_puts(out, "# HELP akar_http_request_duration_seconds Time from request to response.\n"
                  "# TYPE akar_http_request_duration_seconds histogram\n");
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= NLAT; b++) {
        cumulative += atomic_load_explicit(&s->latency[b], memory_order_relaxed);
        if (b < NLAT)
            buf_printf(out, "akar_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
                       latency_le[b], (unsigned long long)cumulative);
        else
            buf_printf(out, "akar_http_request_duration_seconds_bucket{le=\"+Inf\"} %llu\n",
                       (unsigned long long)cumulative);
    }
    buf_printf(out, "akar_http_request_duration_seconds_sum %.6f\n",
               (double)atomic_load(&s->latency_sum_us) / 1e6);
    buf_printf(out, "akar_http_request_duration_seconds_count %llu\n",
               (unsigned long long)atomic_load(&s->latency_count));
    buf_printf(out,
               "# HELP akar_http_requests_in_flight Requests being handled now.\n"
               "# TYPE akar_http_requests_in_flight gauge\nakar_http_requests_in_flight %u\n",
               atomic_load(&s->active));
}
