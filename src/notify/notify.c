/* The notification worker; see notify.h. One thread reads due outbox rows, one channel at a
 * time, delivers each (mail.c + smtp.c, webhook.c) and records the outcome with a synchronous
 * store write before it reads again, so no message is sent twice by this process. */
#include "notify/notify.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "notify/mail.h"
#include "notify/smtp.h"
#include "notify/webhook.h"
#include "store/store.h"

#include <assert.h>
#include <curl/curl.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TICK_MS 1000 /* how often the outbox is looked at without a kick */
#define BATCH   32   /* rows read at a time */

static struct {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* on CLOCK_MONOTONIC */
    pthread_t thread;
    bool running, stopping, kicked; /* under lock */
    struct store *store;
    char *smtp_url, *mail_from; /* owned; smtp_url NULL: e-mail off */
    double scale;
} W = {.lock = PTHREAD_MUTEX_INITIALIZER};

int64_t notify_backoff_ms(int attempts, double scale)
{
    /* 30 s, 2 min, 10 min, 1 h, 6 h, 24 h */
    static const int64_t delay_s[] = {30, 120, 600, 3600, 21600, 86400};
    const int last = (int)(sizeof delay_s / sizeof delay_s[0]) - 1;
    assert(attempts >= 1 && scale > 0);
    if (attempts >= NOTIFY_MAX_ATTEMPTS)
        return -1;
    int64_t ms =
        (int64_t)((double)delay_s[attempts - 1 < last ? attempts - 1 : last] * 1000 * scale);
    return ms > 0 ? ms : 1;
}

static bool stopping(void)
{
    pthread_mutex_lock(&W.lock);
    bool s = W.stopping;
    pthread_mutex_unlock(&W.lock);
    return s;
}

/* 0, AKAR_EIO (worth trying again) or AKAR_EINVAL (never deliverable); the reason in err. */
static int deliver_email(const struct outbox_row *r, char *err, size_t errlen)
{
    unsigned char nonce[8];
    char hex[2 * sizeof nonce + 1], id[160];
    randombytes_buf(nonce, sizeof nonce);
    sodium_bin2hex(hex, sizeof hex, nonce, sizeof nonce);
    snprintf(id, sizeof id, "akar.%" PRId64 ".%s%s", r->id, hex, strchr(W.mail_from, '@'));
    struct mail_msg m = {.from = W.mail_from,
                         .to = r->target,
                         .subject = r->subject,
                         .body = r->body,
                         .message_id = id,
                         .date_ms = clock_now_ms()};
    struct buf msg = {0};
    int rc = mail_compose(&msg, &m);
    if (rc)
        snprintf(err, errlen,
                 "the message cannot be sent: a malformed address or a line break "
                 "in the subject");
    else
        rc = smtp_send(W.smtp_url, W.mail_from, r->target, msg.data, msg.len, err, errlen);
    buf_release(&msg);
    return rc;
}

static int deliver_webhook(struct arena *a, const struct outbox_row *r, char *err, size_t errlen)
{
    const char *secret;
    int rc = store_webhook_secret(W.store, a, r->target, &secret);
    if (rc == AKAR_ENOTFOUND) {
        snprintf(err, errlen, "no webhook is registered for this URL any more");
        return AKAR_EINVAL;
    }
    if (rc) {
        snprintf(err, errlen, "the webhook's secret cannot be read: %s", akar_strerror(rc));
        return AKAR_EIO;
    }
    return webhook_post(r->target, secret, r->id, r->body, err, errlen);
}

/* Records the outcome rc of delivering r. Returns the row's next_at (0: delivered), or -1 if
 * the store failed (the row then stays due as it was). */
static int64_t record(const struct outbox_row *r, int rc, const char *err)
{
    struct store_write w = {.kind = STORE_W_OUTBOX_RESULT, .actor = "system"};
    int attempts = r->attempts + 1;
    int64_t delay = rc == AKAR_EINVAL ? -1 : notify_backoff_ms(attempts, W.scale);
    w.u.outbox_result.id = r->id;
    w.u.outbox_result.attempts = attempts;
    w.u.outbox_result.next_at = rc == 0 ? 0 : delay < 0 ? NOTIFY_NEVER : clock_now_ms() + delay;
    w.u.outbox_result.error = rc == 0 ? NULL : err;
    /* the target stays out of the log: an address may be a confidential reporter's */
    if (rc && delay < 0)
        log_warn("notify: gave up on %s message %" PRId64 " after %d attempts: %s", r->channel,
                 r->id, attempts, err);
    else if (rc)
        log_info("notify: %s message %" PRId64 " failed (attempt %d), next try in %" PRId64
                 " ms: %s",
                 r->channel, r->id, attempts, delay, err);
    int wrc = store_write_sync(W.store, &w);
    if (wrc) {
        log_error("notify: cannot record the outcome of message %" PRId64 ": %s", r->id,
                  akar_strerror(wrc));
        return -1;
    }
    return w.u.outbox_result.next_at;
}

/* Delivers the due messages of channel until none is left or a stop is asked. Lowers *soonest
 * to the earliest retry it scheduled. Returns false if the store failed. */
static bool drain(const char *channel, int64_t *soonest)
{
    for (;;) {
        struct arena *a = arena_new();
        struct outbox_row *rows;
        size_t n = 0;
        int rc = store_outbox_due_on(W.store, a, channel, clock_now_ms(), BATCH, &rows, &n);
        if (rc)
            log_error("notify: cannot read the outbox: %s", akar_strerror(rc));
        for (size_t i = 0; i < n && !rc && !stopping(); i++) {
            char err[256] = "";
            bool email = strcmp(rows[i].channel, "email") == 0;
            int drc = email ? deliver_email(&rows[i], err, sizeof err)
                            : deliver_webhook(a, &rows[i], err, sizeof err);
            int64_t next = record(&rows[i], drc, err);
            if (next < 0)
                rc = AKAR_ESTORE;
            else if (next > 0 && next < *soonest)
                *soonest = next;
        }
        arena_free(a);
        /* a store shared by several servers hands out fewer rows at a time than asked */
        if (rc || n == 0 || stopping())
            return rc == 0;
    }
}

static void *run(void *arg)
{
    (void)arg;
    int64_t wait_ms = 0;
    for (;;) {
        struct timespec until;
        clock_gettime(CLOCK_MONOTONIC, &until);
        until.tv_sec += (time_t)(wait_ms / 1000);
        until.tv_nsec += (long)(wait_ms % 1000) * 1000000;
        if (until.tv_nsec >= 1000000000) {
            until.tv_sec++;
            until.tv_nsec -= 1000000000;
        }
        pthread_mutex_lock(&W.lock);
        while (!W.stopping && !W.kicked)
            if (pthread_cond_timedwait(&W.wake, &W.lock, &until) == ETIMEDOUT)
                break;
        bool stop = W.stopping;
        W.kicked = false;
        pthread_mutex_unlock(&W.lock);
        if (stop)
            return NULL;

        int64_t soonest = INT64_MAX;
        bool ok = drain("webhook", &soonest);
        if (W.smtp_url && ok)
            ok = drain("email", &soonest);
        int64_t until_retry = soonest - clock_now_ms();
        wait_ms = !ok || until_retry >= TICK_MS ? TICK_MS : until_retry > 0 ? until_retry : 0;
    }
}

int notify_start(struct store *s, const struct notify_config *cfg)
{
    assert(!W.running);
    if (cfg->backoff_scale < 0 ||
        (cfg->smtp_url && (!cfg->mail_from || !mail_address_ok(cfg->mail_from))))
        return AKAR_EINVAL;
    if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return AKAR_EIO;
    W.store = s;
    W.smtp_url = cfg->smtp_url ? xstrdup(cfg->smtp_url) : NULL;
    W.mail_from = cfg->mail_from ? xstrdup(cfg->mail_from) : NULL;
    W.scale = cfg->backoff_scale > 0 ? cfg->backoff_scale : 1;
    W.stopping = W.kicked = false;
    pthread_condattr_t attr;
    pthread_condattr_init(&attr);
    pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
    pthread_cond_init(&W.wake, &attr);
    pthread_condattr_destroy(&attr);
    if (pthread_create(&W.thread, NULL, run, NULL) != 0) {
        pthread_cond_destroy(&W.wake);
        free(W.smtp_url);
        free(W.mail_from);
        curl_global_cleanup();
        return AKAR_EIO;
    }
    pthread_mutex_lock(&W.lock);
    W.running = true;
    pthread_mutex_unlock(&W.lock);
    if (!W.smtp_url)
        log_info("notify: e-mail delivery is off (serve without --smtp): e-mail stays queued");
    return 0;
}

void notify_kick(void)
{
    pthread_mutex_lock(&W.lock);
    if (W.running) {
        W.kicked = true;
        pthread_cond_signal(&W.wake);
    }
    pthread_mutex_unlock(&W.lock);
}

void notify_stop(void)
{
    pthread_mutex_lock(&W.lock);
    bool running = W.running;
    W.stopping = true;
    W.running = false;
    pthread_cond_signal(&W.wake);
    pthread_mutex_unlock(&W.lock);
    if (!running)
        return;
    pthread_join(W.thread, NULL);
    pthread_cond_destroy(&W.wake);
    free(W.smtp_url);
    free(W.mail_from);
    W.smtp_url = W.mail_from = NULL;
    curl_global_cleanup();
}
