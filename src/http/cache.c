/* A bounded, sharded cache of shared responses with ETags; see cache.h. Each shard is a
 * chained hash table over a doubly linked recency list, behind one mutex. Entries hold a
 * reference to their libmicrohttpd response, which counts its own references: a response
 * dropped here lives on until the connections sending it are done. */
#include "http/cache.h"

#include "base/arena.h"
#include "base/mem.h"
#include "http/server.h"

#include <assert.h>
#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SHARDS 16
/* What an entry costs beyond its body and key: the entry, and the response's header list. */
#define ENTRY_OVERHEAD 1024
/* A strong ETag: 16 bytes of BLAKE2b of the body, in hex, in quotes. */
#define ETAG_SIZE (2 * 16 + 3)

struct entry {
    struct entry *chain;         /* the next entry of the same bucket */
    struct entry *newer, *older; /* the shard's recency list */
    uint64_t hash;
    char *key;
    struct http_cache_stamp stamp;
    uint64_t generation; /* when the stamp was last seen to hold */
    int64_t expires_ms;
    size_t bytes;
    struct MHD_Response *resp;
    char etag[ETAG_SIZE];
};

struct shard {
    pthread_mutex_t lock;
    struct entry **buckets;
    struct entry *newest, *oldest;
    size_t entries, bytes;
    uint64_t hits, checked, misses, evictions;
};

struct http_cache {
    size_t shard_entries, shard_bytes, nbuckets; /* nbuckets: a power of two */
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct shard shards[SHARDS];
};

struct http_cache *http_cache_new(size_t max_entries, size_t max_bytes)
{
    struct http_cache *c = xcalloc(1, sizeof *c);
    c->shard_entries = max_entries / SHARDS ? max_entries / SHARDS : 1;
    c->shard_bytes = max_bytes / SHARDS;
    c->nbuckets = 1;
    while (c->nbuckets < c->shard_entries)
        c->nbuckets <<= 1;
    randombytes_buf(c->hash_key, sizeof c->hash_key);
    for (size_t i = 0; i < SHARDS; i++) {
        pthread_mutex_init(&c->shards[i].lock, NULL);
        c->shards[i].buckets = xcalloc(c->nbuckets, sizeof *c->shards[i].buckets);
    }
    return c;
}

static void entry_free(struct entry *e)
{
    http_response_free(e->resp);
    free(e->key);
    free(e);
}

void http_cache_free(struct http_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < SHARDS; i++) {
        for (struct entry *e = c->shards[i].newest, *next; e; e = next) {
            next = e->older;
            entry_free(e);
        }
        free(c->shards[i].buckets);
        pthread_mutex_destroy(&c->shards[i].lock);
    }
    free(c);
}

/* Keyed, so that nobody can choose keys that pile into one bucket. */
static uint64_t hash_of(const struct http_cache *c, const char *key)
{
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), c->hash_key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h;
}

static struct shard *shard_of(struct http_cache *c, uint64_t h)
{
    return &c->shards[(h >> 32) % SHARDS];
}

/* Caller holds the shard's lock. */
static struct entry **slot_of(struct http_cache *c, struct shard *sh, uint64_t h, const char *key)
{
    struct entry **p = &sh->buckets[h & (c->nbuckets - 1)];
    while (*p && ((*p)->hash != h || strcmp((*p)->key, key) != 0))
        p = &(*p)->chain;
    return p;
}

/* Caller holds the shard's lock. */
static void list_unlink(struct shard *sh, struct entry *e)
{
    if (e->newer)
        e->newer->older = e->older;
    else
        sh->newest = e->older;
    if (e->older)
        e->older->newer = e->newer;
    else
        sh->oldest = e->newer;
    e->newer = e->older = NULL;
}

/* Caller holds the shard's lock. */
static void list_push(struct shard *sh, struct entry *e)
{
    e->newer = NULL;
    e->older = sh->newest;
    if (sh->newest)
        sh->newest->newer = e;
    sh->newest = e;
    if (!sh->oldest)
        sh->oldest = e;
}

/* Takes e out of the shard (caller holds its lock); the caller frees it, best unlocked. */
static void shard_remove(struct http_cache *c, struct shard *sh, struct entry *e)
{
    struct entry **p = slot_of(c, sh, e->hash, e->key);
    assert(*p == e);
    *p = e->chain;
    list_unlink(sh, e);
    sh->entries--;
    sh->bytes -= e->bytes;
}

bool http_etag_listed(const char *inm, const char *etag)
{
    size_t n = strlen(etag);
    for (const char *p = inm; *p;) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        if (*p == '*')
            return true;
        if (strncmp(p, "W/", 2) == 0)
            p += 2;
        if (strncmp(p, etag, n) == 0 && (p[n] == 0 || p[n] == ',' || p[n] == ' ' || p[n] == '\t'))
            return true;
        while (*p && *p != ',')
            p++;
    }
    return false;
}

/* Replies with resp, or a 304 when the client holds etag already. Caller holds sh's lock,
 * which is released here: the response must not be dropped before it is queued. */
static int serve(struct shard *sh, struct http_request *req, struct MHD_Response *resp,
                 const char *etag)
{
    const char *inm = http_header(req, "If-None-Match");
    if (inm && http_etag_listed(inm, etag)) {
        const char *tag = arena_strdup(req->arena, etag);
        pthread_mutex_unlock(&sh->lock);
        http_add_header(req, "ETag", tag);
        http_add_header(req, "Cache-Control", "no-cache");
        return http_reply(req, 304, NULL, NULL, 0);
    }
    http_reply_shared(req, 200, resp);
    pthread_mutex_unlock(&sh->lock);
    return HTTP_DONE;
}

bool http_cache_reply(struct http_cache *c, struct http_request *req, const char *key,
                      uint64_t generation, const struct http_cache_stamp *stamp, int64_t now_ms)
{
    uint64_t h = hash_of(c, key);
    struct shard *sh = shard_of(c, h);
    pthread_mutex_lock(&sh->lock);
    struct entry *e = *slot_of(c, sh, h, key);
    bool good =
        e && now_ms < e->expires_ms &&
        (stamp ? memcmp(&e->stamp, stamp, sizeof *stamp) == 0 : e->generation == generation);
    if (!good) {
        sh->misses += stamp != NULL;
        pthread_mutex_unlock(&sh->lock);
        return false;
    }
    if (stamp) {
        sh->checked++;
        e->generation = generation;
    } else {
        sh->hits++;
    }
    list_unlink(sh, e);
    list_push(sh, e);
    serve(sh, req, e->resp, e->etag);
    return true;
}

int http_cache_put(struct http_cache *c, struct http_request *req, const char *key,
                   uint64_t generation, const struct http_cache_stamp *stamp, int64_t expires_ms,
                   const char *content_type, const char *body, size_t len)
{
    unsigned char digest[16];
    char etag[ETAG_SIZE];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)body, len, NULL, 0);
    etag[0] = '"';
    sodium_bin2hex(etag + 1, sizeof etag - 2, digest, sizeof digest);
    etag[ETAG_SIZE - 2] = '"';
    etag[ETAG_SIZE - 1] = 0;
    struct MHD_Response *resp = http_response_new(content_type, body, len, etag);
    if (!resp) { /* libmicrohttpd could not allocate: answer this once, keep nothing */
        http_add_header(req, "ETag", etag);
        return http_reply(req, 200, content_type, arena_strndup(req->arena, body, len), len);
    }
    size_t bytes = len + strlen(key) + ENTRY_OVERHEAD;
    struct entry *fresh = NULL;
    if (bytes <= c->shard_bytes) {
        fresh = xcalloc(1, sizeof *fresh);
        fresh->key = xstrdup(key);
        fresh->stamp = *stamp;
        fresh->generation = generation;
        fresh->expires_ms = expires_ms;
        fresh->bytes = bytes;
        fresh->resp = resp;
        memcpy(fresh->etag, etag, sizeof etag);
    }
    uint64_t h = hash_of(c, key);
    struct shard *sh = shard_of(c, h);
    struct entry *dropped = NULL; /* freed once the lock is released, linked by chain */
    pthread_mutex_lock(&sh->lock);
    struct entry *old = *slot_of(c, sh, h, key);
    if (old) {
        shard_remove(c, sh, old);
        old->chain = dropped;
        dropped = old;
    }
    if (fresh) {
        fresh->hash = h;
        struct entry **slot = slot_of(c, sh, h, key);
        *slot = fresh;
        list_push(sh, fresh);
        sh->entries++;
        sh->bytes += bytes;
        while (sh->entries > c->shard_entries || sh->bytes > c->shard_bytes) {
            struct entry *victim = sh->oldest;
            assert(victim != fresh);
            shard_remove(c, sh, victim);
            victim->chain = dropped;
            dropped = victim;
            sh->evictions++;
        }
    }
    serve(sh, req, resp, etag);
    if (!fresh)
        http_response_free(resp); /* the connection holds its own reference */
    for (struct entry *next; dropped; dropped = next) {
        next = dropped->chain;
        entry_free(dropped);
    }
    return HTTP_DONE;
}

void http_cache_stats_get(struct http_cache *c, struct http_cache_stats *out)
{
    memset(out, 0, sizeof *out);
    for (size_t i = 0; i < SHARDS; i++) {
        struct shard *sh = &c->shards[i];
        pthread_mutex_lock(&sh->lock);
        out->hits += sh->hits;
        out->checked += sh->checked;
        out->misses += sh->misses;
        out->evictions += sh->evictions;
        out->entries += sh->entries;
        out->bytes += sh->bytes;
        pthread_mutex_unlock(&sh->lock);
    }
}
