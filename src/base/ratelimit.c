/* Fixed-window failure counter; see ratelimit.h. */
#include "base/ratelimit.h"

#include "base/mem.h"

#include <pthread.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

struct slot {
    uint64_t key;
    int64_t window_start;
    unsigned count;
};

struct ratelimit {
    pthread_mutex_t lock;
    unsigned nslots, max, window_s;
    unsigned char hash_key[crypto_shorthash_KEYBYTES];
    struct slot *slots;
};

struct ratelimit *ratelimit_new(unsigned slots, unsigned max, unsigned window_s)
{
    struct ratelimit *rl = xcalloc(1, sizeof *rl);
    pthread_mutex_init(&rl->lock, NULL);
    rl->nslots = slots ? slots : 1;
    rl->max = max;
    rl->window_s = window_s;
    rl->slots = xcalloc(rl->nslots, sizeof *rl->slots);
    randombytes_buf(rl->hash_key, sizeof rl->hash_key);
    return rl;
}

void ratelimit_free(struct ratelimit *rl)
{
    if (!rl)
        return;
    pthread_mutex_destroy(&rl->lock);
    free(rl->slots);
    free(rl);
}

static uint64_t hash_of(const struct ratelimit *rl, const char *key)
{
    unsigned char out[crypto_shorthash_BYTES];
    crypto_shorthash(out, (const unsigned char *)key, strlen(key), rl->hash_key);
    uint64_t h;
    memcpy(&h, out, sizeof h);
    return h | 1; /* 0 marks an empty slot */
}

/* Caller holds the lock. The slot for key, emptied if it held another key or an old window. */
static struct slot *slot_for(struct ratelimit *rl, uint64_t h, int64_t now_s)
{
    struct slot *s = &rl->slots[h % rl->nslots];
    if (s->key != h || now_s - s->window_start >= rl->window_s) {
        if (s->key != h && s->key != 0 && s->count >= rl->max &&
            now_s - s->window_start < rl->window_s)
            return s; /* a locked key keeps its slot: eviction must not lift a limit */
        s->key = h;
        s->window_start = now_s;
        s->count = 0;
    }
    return s;
}

unsigned ratelimit_wait(struct ratelimit *rl, const char *key, int64_t now_s)
{
    uint64_t h = hash_of(rl, key);
    unsigned wait = 0;
    pthread_mutex_lock(&rl->lock);
    struct slot *s = slot_for(rl, h, now_s);
    if (s->count >= rl->max) {
        int64_t left = s->window_start + rl->window_s - now_s;
        wait = left > 0 ? (unsigned)left : 1;
    }
    pthread_mutex_unlock(&rl->lock);
    return wait;
}

void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now_s)
{
    uint64_t h = hash_of(rl, key);
    pthread_mutex_lock(&rl->lock);
    struct slot *s = slot_for(rl, h, now_s);
    if (s->count < rl->max)
        s->count++;
    pthread_mutex_unlock(&rl->lock);
}

void ratelimit_clear(struct ratelimit *rl, const char *key)
{
    uint64_t h = hash_of(rl, key);
    pthread_mutex_lock(&rl->lock);
    struct slot *s = &rl->slots[h % rl->nslots];
    if (s->key == h)
        s->count = 0;
    pthread_mutex_unlock(&rl->lock);
}
