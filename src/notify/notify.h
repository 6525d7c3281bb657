/* The notification worker: one thread that delivers the outbox (rows queued by changes in the
 * same transaction) as e-mail over SMTP and as signed webhooks, records each outcome, and retries
 * failures with a growing back-off. Delivery is at least once: a receiver that must not act twice
 * keys on the delivery id (the outbox row's id). */
#ifndef AKAR_NOTIFY_NOTIFY_H
#define AKAR_NOTIFY_NOTIFY_H
#include <stdint.h>

struct store;

/* Tries per message; after the last failure the message stays unsent with its last error. */
#define NOTIFY_MAX_ATTEMPTS 10
/* next_at of a message given up on: never due again. */
#define NOTIFY_NEVER INT64_MAX

struct notify_config {
    const char *smtp_url;  /* smtp://host:port or smtps://...; NULL: e-mail stays queued */
    const char *mail_from; /* sender address; required with smtp_url */
    double backoff_scale;  /* multiplies every back-off delay (tests shrink them); 0 means 1 */
};

/* Starts the worker on s, which must outlive notify_stop. The worker looks at the outbox every
 * second and whenever kicked. Returns 0, AKAR_EINVAL for a bad config, or AKAR_EIO if the thread
 * or libcurl cannot start. One worker per process. */
int notify_start(struct store *s, const struct notify_config *cfg);
/* Wakes the worker to deliver now (call after committing a change that queued messages). Safe
 * from any thread; does nothing when the worker is not running. */
void notify_kick(void);
/* Lets the worker finish the message in hand, then joins it. Call before store_close. Messages
 * still queued wait for the next start. Does nothing when the worker is not running. */
void notify_stop(void);

/* The delay in ms before trying again after a message's attempts-th failure (attempts >= 1):
 * 30 s, 2 min, 10 min, 1 h, 6 h, then 24 h, times scale (> 0), at least 1 ms; -1 once attempts
 * reaches NOTIFY_MAX_ATTEMPTS: give up. */
int64_t notify_backoff_ms(int attempts, double scale);

#endif
