/* A bounded cache of rendered answers shared between requests: each entry is a ready response
 * (http_response_new) with a strong ETag made from its bytes, found by a key (a tracking
 * code, say) and good only for the stamp it was built under (numbers the caller reads cheaply
 * and that move whenever anything the answer shows changes: versions) and until its expiry
 * instant (when an answer turns by itself with time). Reading the stamp is cheap but not free,
 * so an entry also remembers the generation (a counter the caller has, moved by every change
 * that could touch any answer) at which its stamp was last seen to hold: while the generation
 * stays there, the entry is served without reading the stamp at all. The key space is split
 * in shards, each with its own lock and its share of the entry and byte budgets, beyond which
 * it drops its least recently used entries. Thread-safe. */
#ifndef AKAR_HTTP_CACHE_H
#define AKAR_HTTP_CACHE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_request;
struct http_cache;

#define HTTP_CACHE_STAMP 8

/* What an entry was built under; unused numbers are left 0. Compared as a whole. */
struct http_cache_stamp {
    int64_t v[HTTP_CACHE_STAMP];
};

struct http_cache_stats {
    uint64_t hits;    /* served on the generation alone */
    uint64_t checked; /* served once the stamp was seen to hold */
    uint64_t misses;  /* built: no entry, or not under the stamp */
    uint64_t evictions;
    size_t entries, bytes;
};

/* A cache holding at most max_entries answers and about max_bytes of them. Free with
 * http_cache_free (NULL is allowed); responses in flight outlive it. */
struct http_cache *http_cache_new(size_t max_entries, size_t max_bytes);
void http_cache_free(struct http_cache *c);

/* If key holds an entry that is good, replies to req with it (a 304 when If-None-Match names
 * its ETag) and returns true; otherwise returns false and has not replied. Good means: now_ms
 * before its expiry, and, when stamp is NULL, last seen to hold at generation; when stamp is
 * given, built under *stamp (the entry is then noted as seen to hold at generation). So a
 * caller asks first without the stamp, then with it, then builds the answer and gives it to
 * http_cache_put. The generation must be read before the stamp. */
bool http_cache_reply(struct http_cache *c, struct http_request *req, const char *key,
                      uint64_t generation, const struct http_cache_stamp *stamp, int64_t now_ms);

/* Replies to req with body (status 200, content_type, copied) as http_cache_reply would, and
 * keeps it as key's entry for *stamp, seen to hold at generation (read before the data the
 * body was built from), until expires_ms (INT64_MAX: no expiry), replacing what key held. An
 * answer too big for its shard's byte budget is sent but not kept. Returns HTTP_DONE. */
int http_cache_put(struct http_cache *c, struct http_request *req, const char *key,
                   uint64_t generation, const struct http_cache_stamp *stamp, int64_t expires_ms,
                   const char *content_type, const char *body, size_t len);

void http_cache_stats_get(struct http_cache *c, struct http_cache_stats *out);

/* Whether an If-None-Match value (a list of entity tags, or "*") names etag, a quoted tag:
 * weak comparison, as RFC 9110 has it for GET, so a W/ prefix is ignored. */
bool http_etag_listed(const char *inm, const char *etag);

#endif
