/* See limiter.h. */
#include "api/limiter.h"

#include "base/log.h"
#include "base/mem.h"
#include "base/ratelimit.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define LOCAL_SLOTS 65536

struct limiter {
    struct store *store; /* NULL: counted in memory */
    struct ratelimit *local;
    char *name;
    unsigned max, window_s;
};

struct limiter *limiter_new(struct store *s, const char *name, unsigned max, unsigned window_s)
{
    struct limiter *l = xcalloc(1, sizeof *l);
    l->name = xstrdup(name);
    l->max = max;
    l->window_s = window_s ? window_s : 1;
    if (s && store_shared(s))
        l->store = s;
    else
        l->local = ratelimit_new(LOCAL_SLOTS, max, window_s);
    return l;
}

void limiter_free(struct limiter *l)
{
    if (!l)
        return;
    ratelimit_free(l->local);
    free(l->name);
    free(l);
}

/* The shared table's key: the limiter's name and a hash of the key, so that logins and
 * addresses are not written out in the database. */
static void shared_key(const struct limiter *l, const char *key, char out[80])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)key, strlen(key), NULL, 0);
    int k = snprintf(out, 80, "%.40s:", l->name);
    for (size_t i = 0; i < sizeof h && k + 2 < 80; i++)
        k += snprintf(out + k, 80 - (size_t)k, "%02x", h[i]);
}

unsigned limiter_wait(struct limiter *l, const char *key, int64_t now_s)
{
    if (l->local)
        return ratelimit_wait(l->local, key, now_s);
    char k[80];
    shared_key(l, key, k);
    int64_t window = now_s - now_s % l->window_s, cur = 0, prev = 0;
    if (store_rate_get(l->store, k, window, &cur) != 0 ||
        store_rate_get(l->store, k, window - l->window_s, &prev) != 0) {
        log_error("limiter %s: the shared counts are unreadable", l->name);
        return 0;
    }
    if (cur + prev < l->max)
        return 0;
    int64_t wait = window + l->window_s - now_s;
    return wait > 0 ? (unsigned)wait : 1;
}

void limiter_fail(struct limiter *l, const char *key, int64_t now_s)
{
    if (l->local)
        return ratelimit_fail(l->local, key, now_s);
    char k[80];
    shared_key(l, key, k);
    int64_t count;
    if (store_rate_add(l->store, k, now_s - now_s % l->window_s, &count) != 0)
        log_error("limiter %s: a failure could not be counted", l->name);
}

void limiter_clear(struct limiter *l, const char *key)
{
    if (l->local)
        return ratelimit_clear(l->local, key);
    char k[80];
    shared_key(l, key, k);
    if (store_rate_clear(l->store, k) != 0)
        log_error("limiter %s: a key's failures could not be forgotten", l->name);
}
