/* Operational endpoints: GET /healthz for load balancers, GET /metrics for Prometheus, and
 * GET /api/v1/openapi.json, the API's OpenAPI document (src/api/openapi.json, carried inside the
 * binary). */
#include "api/internal.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/tsv.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char healthy[] = "{\"status\":\"ok\"}";

int api_healthz(struct http_request *req)
{
    return http_reply(req, 200, "application/json", healthy, sizeof healthy - 1);
}

int api_metrics(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct buf b = {0};
    http_metrics_render(api->http, &b);
    struct store_stats st;
    store_stats_get(api->store, &st);
    buf_puts(&b, "# HELP akar_store_commit_batch_size Writes committed per transaction.\n"
                 "# TYPE akar_store_commit_batch_size histogram\n");
    for (size_t i = 0; i < STORE_BATCH_BUCKETS; i++)
        buf_printf(&b, "akar_store_commit_batch_size_bucket{le=\"%u\"} %llu\n", st.batch_bound[i],
                   (unsigned long long)st.batch_le[i]);
    buf_printf(&b,
               "akar_store_commit_batch_size_bucket{le=\"+Inf\"} %llu\n"
               "akar_store_commit_batch_size_sum %llu\n"
               "akar_store_commit_batch_size_count %llu\n",
               (unsigned long long)st.commits, (unsigned long long)st.writes,
               (unsigned long long)st.commits);
    struct http_cache_stats tc;
    http_cache_stats_get(api->track_cache, &tc);
    buf_printf(&b,
               "# HELP akar_track_cache_lookups_total Public tracking answers asked of the cache.\n"
               "# TYPE akar_track_cache_lookups_total counter\n"
               "akar_track_cache_lookups_total{result=\"hit\"} %llu\n"
               "akar_track_cache_lookups_total{result=\"checked\"} %llu\n"
               "akar_track_cache_lookups_total{result=\"miss\"} %llu\n"
               "# HELP akar_track_cache_evictions_total Answers dropped to stay within bounds.\n"
               "# TYPE akar_track_cache_evictions_total counter\n"
               "akar_track_cache_evictions_total %llu\n"
               "# HELP akar_track_cache_entries Public tracking answers held.\n"
               "# TYPE akar_track_cache_entries gauge\n"
               "akar_track_cache_entries %zu\n"
               "# HELP akar_track_cache_bytes Approximate memory the held answers take.\n"
               "# TYPE akar_track_cache_bytes gauge\n"
               "akar_track_cache_bytes %zu\n",
               (unsigned long long)tc.hits, (unsigned long long)tc.checked,
               (unsigned long long)tc.misses, (unsigned long long)tc.evictions, tc.entries,
               tc.bytes);
    char *body = arena_strndup(req->arena, b.data ? b.data : "", b.len);
    size_t len = b.len;
    buf_release(&b);
    return http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", body, len);
}

/* The document and its strong ETag (a hash of its bytes), found once: both are fixed for the
 * life of the binary. */
static pthread_once_t openapi_once = PTHREAD_ONCE_INIT;
static const char *openapi_doc;
static size_t openapi_len;
static char openapi_etag[2 * 16 + 3];

static void openapi_load(void)
{
    openapi_doc = resource_find("openapi.json", &openapi_len);
    if (!openapi_doc)
        return;
    unsigned char h[16];
    char hex[2 * sizeof h + 1];
    crypto_generichash(h, sizeof h, (const unsigned char *)openapi_doc, openapi_len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, h, sizeof h);
    snprintf(openapi_etag, sizeof openapi_etag, "\"%s\"", hex);
}

int api_openapi(struct http_request *req)
{
    pthread_once(&openapi_once, openapi_load);
    if (!openapi_doc)
        return api_problem(req, 500, NULL, "this build carries no OpenAPI document");
    http_add_header(req, "ETag", openapi_etag);
    http_add_header(req, "Cache-Control", "no-cache");
    const char *inm = http_header(req, "If-None-Match");
    if (inm && http_etag_listed(inm, openapi_etag))
        return http_reply(req, 304, NULL, NULL, 0);
    return http_reply(req, 200, "application/json", openapi_doc, openapi_len);
}
