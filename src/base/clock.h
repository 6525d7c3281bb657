/* Time: UTC wall-clock milliseconds for records, a monotonic clock for durations, and the
 * RFC 3339 form every API prints. */
#ifndef AKAR_BASE_CLOCK_H
#define AKAR_BASE_CLOCK_H
#include <stddef.h>
#include <stdint.h>

/* Milliseconds since the Unix epoch, UTC. */
int64_t clock_now_ms(void);
/* Nanoseconds of a monotonic clock: only differences mean anything. */
int64_t clock_mono_ns(void);
/* Writes "2026-11-28T07:10:48Z" (seconds precision) into out, which holds at least 21 bytes.
 * Returns out. */
char *clock_format_utc(int64_t ms, char out[static 21]);

#endif
