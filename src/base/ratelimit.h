/* Failure counting with a fixed window, for throttling guesses (logins now, submissions later).
 * A key that has failed `max` times within `window_s` seconds is refused until the window that
 * began with its first failure ends. Thread-safe. Keys are hashed into a fixed table; a
 * collision can only make two keys share a count, never lift a limit. */
#ifndef AKAR_BASE_RATELIMIT_H
#define AKAR_BASE_RATELIMIT_H
#include <stdint.h>

struct ratelimit;

struct ratelimit *ratelimit_new(unsigned slots, unsigned max, unsigned window_s);
void ratelimit_free(struct ratelimit *rl);
/* 0 if key may try now, else the seconds to wait (>= 1). now_s: Unix seconds. */
unsigned ratelimit_wait(struct ratelimit *rl, const char *key, int64_t now_s);
/* Counts one failure for key. */
void ratelimit_fail(struct ratelimit *rl, const char *key, int64_t now_s);
/* Forgets key's failures (after a success). */
void ratelimit_clear(struct ratelimit *rl, const char *key);

#endif
