/* Failure throttles that hold across servers: counted in memory (base/ratelimit) when one
 * process owns the store, in the database when several servers share it (PostgreSQL), so an
 * address cannot multiply its guesses by spreading them over the servers. */
#ifndef AKAR_API_LIMITER_H
#define AKAR_API_LIMITER_H
#include <stdint.h>

struct store;
struct limiter;

/* name tells this limiter's keys apart from others' in the shared table. */
struct limiter *limiter_new(struct store *s, const char *name, unsigned max, unsigned window_s);
void limiter_free(struct limiter *l);
/* As ratelimit_wait, ratelimit_fail and ratelimit_clear. Shared counts use windows aligned to
 * window_s and count the previous window too, so a key is refused for one to two windows
 * after its max-th failure; if the database cannot be asked, the key is let through (the
 * request then fails on its own store access) and the problem is logged. */
unsigned limiter_wait(struct limiter *l, const char *key, int64_t now_s);
void limiter_fail(struct limiter *l, const char *key, int64_t now_s);
void limiter_clear(struct limiter *l, const char *key);

#endif
