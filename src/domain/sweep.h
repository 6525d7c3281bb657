/* The deadline sweep: finds open cases whose time limit ends within a window and warns the
 * leaders of their units (e-mail, and the units' webhooks), once per deadline. serve runs it
 * every hour; `akar sweep` runs it on demand. */
#ifndef AKAR_DOMAIN_SWEEP_H
#define AKAR_DOMAIN_SWEEP_H
#include <stdint.h>

struct store;

#define SWEEP_WINDOW_MS (48LL * 3600 * 1000)

/* Warns about cases due in [now, now + window_ms). *warned counts the cases warned now.
 * Returns 0 or a negative akar_err. */
int sweep_due_soon(struct store *s, int64_t now, int64_t window_ms, int *warned);

#endif
