/* The back-end-neutral half of the store: picks the back-end for a URL, and runs the writer
 * thread that commits queued writes in groups and answers each only after its group is
 * durable. See store.h. */
#include "store/store.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/backend.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUP 512
/* How often a change of the unit tree made by another process is looked for. */
#define UNITS_RECHECK_MS 1000
/* How often a change of cases made by another process is looked for. */
#define CASES_RECHECK_MS 1000

static const unsigned batch_bounds[STORE_BATCH_BUCKETS] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

struct store {
    const struct store_backend *be;
    void *impl;
    int have, known, migrated_from;

    pthread_t writer;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    struct store_write *head, *tail; /* the queue */
    bool stopping, writer_running;

    /* the units version as last read, and when (ms); see store_units_generation */
    atomic_int_fast64_t units_version, units_checked_ms;
    /* see store_cases_generation */
    atomic_uint_fast64_t cases_generation;
    atomic_int_fast64_t cases_checked_ms;
    /* moved by every group that created a case; see store_case_lists_generation */
    atomic_uint_fast64_t cases_created;
    atomic_uint_fast64_t commits, writes, batch[STORE_BATCH_BUCKETS];
};

static bool touches_units(const struct store_write *w)
{
    if (w->kind == STORE_W_UNIT_ADD)
        return true;
    if (w->kind == STORE_W_BATCH)
        for (size_t i = 0; i < w->u.batch.n; i++)
            if (touches_units(w->u.batch.items[i]))
                return true;
    return false;
}

static void count_batch(struct store *s, size_t n)
{
    atomic_fetch_add(&s->commits, 1);
    atomic_fetch_add(&s->writes, n);
    for (size_t b = 0; b < STORE_BATCH_BUCKETS; b++)
        if (n <= batch_bounds[b])
            atomic_fetch_add(&s->batch[b], 1);
}

/* Whether w changes a case that exists already (a new case changes no other). */
static bool touches_cases(const struct store_write *w)
{
    if (w->kind == STORE_W_CASE_UPDATE || w->kind == STORE_W_ATTACHMENT_ADD)
        return true;
    if (w->kind == STORE_W_BATCH)
        for (size_t i = 0; i < w->u.batch.n; i++)
            if (touches_cases(w->u.batch.items[i]))
                return true;
    return false;
}

static bool creates_case(const struct store_write *w)
{
    if (w->kind == STORE_W_CASE_CREATE)
        return true;
    if (w->kind == STORE_W_BATCH)
        for (size_t i = 0; i < w->u.batch.n; i++)
            if (creates_case(w->u.batch.items[i]))
                return true;
    return false;
}

/* Runs one group: every write in list gets its rc, and done() only after the commit. */
static void run_group(struct store *s, struct store_write *list, size_t n)
{
    bool units = false, cases = false, created = false;
    int rc = s->be->group_begin(s->impl);
    if (rc == 0) {
        for (struct store_write *w = list; w; w = w->next_) {
            s->be->apply(s->impl, w);
            units |= w->rc == 0 && touches_units(w);
            cases |= w->rc == 0 && touches_cases(w);
            created |= w->rc == 0 && creates_case(w);
        }
        rc = s->be->group_commit(s->impl);
        if (rc != 0)
            s->be->group_abort(s->impl);
    }
    if (rc != 0) {
        log_error("store: a group of %zu writes failed to commit: %s", n, akar_strerror(rc));
        for (struct store_write *w = list; w; w = w->next_) {
            w->rc = AKAR_ESTORE;
            snprintf(w->errmsg, sizeof w->errmsg, "the store could not commit");
        }
    } else {
        count_batch(s, n);
        int64_t v;
        if (units && s->be->units_version(s->impl, &v) == 0)
            atomic_store(&s->units_version, v);
        if (cases) /* before done(): whoever hears of the change sees the generation moved */
            atomic_fetch_add(&s->cases_generation, 1);
        if (created)
            atomic_fetch_add(&s->cases_created, 1);
    }
    for (struct store_write *w = list, *next; w; w = next) {
        next = w->next_;
        w->next_ = NULL;
        if (w->done)
            w->done(w);
    }
}

static void *writer_main(void *arg)
{
    struct store *s = arg;
    pthread_mutex_lock(&s->lock);
    for (;;) {
        while (!s->head && !s->stopping)
            pthread_cond_wait(&s->wake, &s->lock);
        if (!s->head && s->stopping)
            break;
        struct store_write *list = s->head, *last = s->head;
        size_t n = 1;
        while (last->next_ && n < MAX_GROUP) {
            last = last->next_;
            n++;
        }
        s->head = last->next_;
        if (!s->head)
            s->tail = NULL;
        last->next_ = NULL;
        pthread_mutex_unlock(&s->lock);
        run_group(s, list, n);
        pthread_mutex_lock(&s->lock);
    }
    pthread_mutex_unlock(&s->lock);
    return NULL;
}

bool store_is_postgres(const char *url)
{
    return strncmp(url, "postgres://", 11) == 0 || strncmp(url, "postgresql://", 13) == 0;
}

void store_url_shown(const char *url, char *out, size_t n)
{
    snprintf(out, n, "%s", url);
    if (!store_is_postgres(url))
        return;
    /* the authority runs from "//" to the next '/', '?' or '#'; a password sits between its
     * first ':' and its last '@' */
    const char *auth = strstr(url, "//") + 2;
    size_t len = strcspn(auth, "/?#");
    const char *at = NULL;
    for (const char *p = auth; p < auth + len; p++)
        if (*p == '@')
            at = p;
    const char *colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
    if (colon)
        snprintf(out, n, "%.*s***%s", (int)(colon + 1 - url), url, at);
}

bool store_shared(struct store *s)
{
    return s->be->rate_add != NULL;
}

int store_rate_add(struct store *s, const char *key, int64_t window_at, int64_t *count)
{
    return s->be->rate_add ? s->be->rate_add(s->impl, key, window_at, count) : AKAR_EINVAL;
}

int store_rate_get(struct store *s, const char *key, int64_t window_at, int64_t *count)
{
    return s->be->rate_get ? s->be->rate_get(s->impl, key, window_at, count) : AKAR_EINVAL;
}

int store_rate_clear(struct store *s, const char *key)
{
    return s->be->rate_clear ? s->be->rate_clear(s->impl, key) : AKAR_EINVAL;
}

int store_session_identity(struct store *s, struct arena *a, const unsigned char token_hash[32],
                           struct session_row *sess, struct user_row *user,
                           struct grant_row **grants, size_t *ngrants)
{
    if (s->be->session_identity)
        return s->be->session_identity(s->impl, a, token_hash, sess, user, grants, ngrants);
    int rc = s->be->session_get(s->impl, token_hash, sess);
    if (rc == 0)
        rc = s->be->user_get(s->impl, a, NULL, sess->user_id, user);
    if (rc == 0)
        rc = s->be->user_grants(s->impl, a, user->id, grants, ngrants);
    return rc;
}

bool store_read_only(struct store *s)
{
    return s->be->read_only && s->be->read_only(s->impl);
}

int store_sweep_lock(struct store *s, bool take, bool *got)
{
    if (!s->be->sweep_lock) {
        if (got)
            *got = true;
        return 0;
    }
    return s->be->sweep_lock(s->impl, take, got);
}

int store_open(const char *url, enum store_open_mode mode, struct store **out, char *err,
               size_t errlen)
{
    *out = NULL;
    struct store *s = xcalloc(1, sizeof *s);
    s->be = store_is_postgres(url) ? &store_pg_backend : &store_sqlite_backend;
    int rc = s->be->open(url, mode, &s->impl, &s->have, &s->known, &s->migrated_from, err, errlen);
    if (rc != 0) {
        free(s);
        return rc;
    }
    pthread_mutex_init(&s->lock, NULL);
    pthread_cond_init(&s->wake, NULL);
    if (pthread_create(&s->writer, NULL, writer_main, s) != 0) {
        s->be->close(s->impl);
        free(s);
        snprintf(err, errlen, "cannot start the writer thread");
        return AKAR_ESTORE;
    }
    s->writer_running = true;
    *out = s;
    return 0;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->lock);
    s->stopping = true;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    if (s->writer_running)
        pthread_join(s->writer, NULL);
    s->be->close(s->impl);
    pthread_mutex_destroy(&s->lock);
    pthread_cond_destroy(&s->wake);
    free(s);
}

void store_schema_version(struct store *s, int *have, int *known)
{
    *have = s->have;
    *known = s->known;
}

void store_migrated(struct store *s, int *from, int *to)
{
    *from = s->migrated_from;
    *to = s->have;
}

int store_submit(struct store *s, struct store_write *w)
{
    w->rc = 0;
    w->id = 0;
    w->errmsg[0] = 0;
    w->next_ = NULL;
    pthread_mutex_lock(&s->lock);
    if (s->stopping) {
        pthread_mutex_unlock(&s->lock);
        return AKAR_ESHUTDOWN;
    }
    if (s->tail)
        s->tail->next_ = w;
    else
        s->head = w;
    s->tail = w;
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->lock);
    return 0;
}

struct sync_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    bool done;
    void (*user_done)(struct store_write *w);
    void *user_arg;
};

static void sync_done(struct store_write *w)
{
    struct sync_wait *sw = w->arg;
    pthread_mutex_lock(&sw->lock);
    sw->done = true;
    pthread_cond_signal(&sw->cond);
    pthread_mutex_unlock(&sw->lock);
}

int store_write_sync(struct store *s, struct store_write *w)
{
    struct sync_wait sw = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, w->done,
                           w->arg};
    w->done = sync_done;
    w->arg = &sw;
    int rc = store_submit(s, w);
    if (rc == 0) {
        pthread_mutex_lock(&sw.lock);
        while (!sw.done)
            pthread_cond_wait(&sw.cond, &sw.lock);
        pthread_mutex_unlock(&sw.lock);
        rc = w->rc;
    }
    w->done = sw.user_done;
    w->arg = sw.user_arg;
    pthread_mutex_destroy(&sw.lock);
    pthread_cond_destroy(&sw.cond);
    return rc;
}

int store_unit_list(struct store *s, struct arena *a, struct unit_row **rows, size_t *n)
{
    return s->be->unit_list(s->impl, a, rows, n);
}

int store_unit_get(struct store *s, struct arena *a, const char *code, struct unit_row *out)
{
    return s->be->unit_get(s->impl, a, code, out);
}

int store_user_get(struct store *s, struct arena *a, const char *login, struct user_row *out)
{
    return s->be->user_get(s->impl, a, login, 0, out);
}

int store_user_get_id(struct store *s, struct arena *a, int64_t id, struct user_row *out)
{
    return s->be->user_get(s->impl, a, NULL, id, out);
}

int store_user_grants(struct store *s, struct arena *a, int64_t user_id, struct grant_row **rows,
                      size_t *n)
{
    return s->be->user_grants(s->impl, a, user_id, rows, n);
}

int store_session_get(struct store *s, const unsigned char token_hash[32], struct session_row *out)
{
    return s->be->session_get(s->impl, token_hash, out);
}

int store_meta_get(struct store *s, struct arena *a, const char *key, const char **value)
{
    return s->be->meta_get(s->impl, a, key, value);
}

int store_audit_scan(struct store *s, int (*fn)(void *arg, const struct chain_entry *e), void *arg)
{
    return s->be->audit_scan(s->impl, fn, arg);
}

int store_audit_head(struct store *s, int64_t *seq, unsigned char hash[CHAIN_HASH_BYTES])
{
    return s->be->audit_head(s->impl, seq, hash);
}

int store_audit_count(struct store *s, const char *action, int64_t *n)
{
    return s->be->audit_count(s->impl, action, n);
}

int store_backup(struct store *s, const char *to_path, char *err, size_t errlen)
{
    return s->be->backup(s->impl, to_path, err, errlen);
}

int store_case_get(struct store *s, struct arena *a, int64_t id, const char *tracking_code,
                   struct case_row *out)
{
    return s->be->case_get(s->impl, a, id, tracking_code, out);
}

int store_case_stamp(struct store *s, const char *tracking_code, struct case_stamp *out)
{
    return s->be->case_stamp(s->impl, tracking_code, out);
}

int store_case_events(struct store *s, struct arena *a, int64_t case_id,
                      struct case_event_row **rows, size_t *n)
{
    return s->be->case_events(s->impl, a, case_id, rows, n);
}

int store_case_query(struct store *s, struct arena *a, const struct case_query *q,
                     struct case_row **rows, size_t *n)
{
    return s->be->case_query(s->impl, a, q, rows, n);
}

int store_case_feed(struct store *s, struct arena *a, int64_t scope_unit_id, size_t limit,
                    struct case_feed_row **rows, size_t *n)
{
    return s->be->case_feed(s->impl, a, scope_unit_id, limit, rows, n);
}

int store_case_merged(struct store *s, struct arena *a, int64_t case_id,
                      struct case_merged_row **rows, size_t *n)
{
    return s->be->case_merged(s->impl, a, case_id, rows, n);
}

int store_case_list(struct store *s, struct arena *a, const struct case_filter *f,
                    struct case_row **rows, size_t *n)
{
    return s->be->case_list(s->impl, a, f, rows, n);
}

int store_case_similar(struct store *s, struct arena *a, int64_t scope_unit_id, const char *text,
                       size_t limit, struct case_row **rows, size_t *n)
{
    return s->be->case_similar(s->impl, a, scope_unit_id, text, limit, rows, n);
}

int store_case_stats(struct store *s, struct arena *a, int64_t scope_unit_id, int64_t now,
                     int64_t soon, struct case_stats *out)
{
    return s->be->case_stats(s->impl, a, scope_unit_id, now, soon, out);
}

int store_case_list_by_creator(struct store *s, struct arena *a, int64_t user_id, int64_t before_id,
                               size_t limit, struct case_row **rows, size_t *n)
{
    return s->be->case_by_creator(s->impl, a, user_id, before_id, limit, rows, n);
}

int store_case_due_between(struct store *s, struct arena *a, int64_t from, int64_t to, size_t limit,
                           struct case_row **rows, size_t *n)
{
    return s->be->case_due_between(s->impl, a, from, to, limit, rows, n);
}

int store_category_find(struct store *s, struct arena *a, const char *unit_path, const char *code,
                        struct category_row *out)
{
    return s->be->category_find(s->impl, a, unit_path, code, out);
}

int store_category_list(struct store *s, struct arena *a, const char *unit_path,
                        struct category_row **rows, size_t *n)
{
    return s->be->category_list(s->impl, a, unit_path, rows, n);
}

int store_category_questions(struct store *s, struct arena *a, int64_t category_id,
                             struct category_question **rows, size_t *n)
{
    return s->be->category_questions(s->impl, a, category_id, rows, n);
}

int store_attachment_list(struct store *s, struct arena *a, int64_t case_id,
                          struct attachment_row **rows, size_t *n)
{
    return s->be->attachment_list(s->impl, a, case_id, rows, n);
}

int store_attachment_get(struct store *s, struct arena *a, int64_t id, struct attachment_row *out)
{
    return s->be->attachment_get(s->impl, a, id, out);
}

int store_apikey_get(struct store *s, struct arena *a, int64_t id, struct apikey_row *out)
{
    return s->be->apikey_get(s->impl, a, id, NULL, out);
}

int store_apikey_by_hash(struct store *s, struct arena *a, const unsigned char key_hash[32],
                         struct apikey_row *out)
{
    return s->be->apikey_get(s->impl, a, 0, key_hash, out);
}

int store_apikey_list(struct store *s, struct arena *a, const char *root_path,
                      struct apikey_row **rows, size_t *n)
{
    return s->be->apikey_list(s->impl, a, root_path, rows, n);
}

int store_outbox_due(struct store *s, struct arena *a, int64_t now_ms, size_t limit,
                     struct outbox_row **rows, size_t *n)
{
    return s->be->outbox_due(s->impl, a, now_ms, limit, rows, n);
}

int store_outbox_due_on(struct store *s, struct arena *a, const char *channel, int64_t now_ms,
                        size_t limit, struct outbox_row **rows, size_t *n)
{
    return s->be->outbox_due_on(s->impl, a, channel, now_ms, limit, rows, n);
}

int store_webhook_secret(struct store *s, struct arena *a, const char *url, const char **secret)
{
    return s->be->webhook_secret(s->impl, a, url, secret);
}

int store_webhooks_for(struct store *s, struct arena *a, const char *unit_path,
                       struct webhook_row **rows, size_t *n)
{
    return s->be->webhooks_for(s->impl, a, unit_path, rows, n);
}

int store_users_with_role(struct store *s, struct arena *a, const char *unit_path, const char *role,
                          struct user_row **rows, size_t *n)
{
    return s->be->users_with_role(s->impl, a, unit_path, role, rows, n);
}

int store_due_warned(struct store *s, int64_t case_id, int64_t due_at, bool *warned)
{
    return s->be->due_warned(s->impl, case_id, due_at, warned);
}

int store_idempotency_get(struct store *s, struct arena *a, const char *scope, const char *key,
                          int64_t since, struct idempotency_row *out)
{
    return s->be->idempotency_get(s->impl, a, scope, key, since, out);
}

uint64_t store_units_generation(struct store *s)
{
    int64_t now = clock_now_ms(), v;
    if (now - atomic_load(&s->units_checked_ms) >= UNITS_RECHECK_MS) {
        atomic_store(&s->units_checked_ms, now);
        if (s->be->units_version(s->impl, &v) == 0)
            atomic_store(&s->units_version, v);
    }
    return (uint64_t)atomic_load(&s->units_version);
}

uint64_t store_cases_generation(struct store *s)
{
    int64_t now = clock_now_ms();
    if (now - atomic_load(&s->cases_checked_ms) >= CASES_RECHECK_MS) {
        atomic_store(&s->cases_checked_ms, now);
        bool moved = true;
        if (s->be->others_committed(s->impl, &moved) != 0 || moved)
            atomic_fetch_add(&s->cases_generation, 1);
    }
    return (uint64_t)atomic_load(&s->cases_generation);
}

uint64_t store_case_lists_generation(struct store *s)
{
    /* the cases generation first: both only grow, so the sum moves when either does */
    uint64_t cases = store_cases_generation(s);
    return cases + (uint64_t)atomic_load(&s->cases_created);
}

void store_stats_get(struct store *s, struct store_stats *out)
{
    out->commits = atomic_load(&s->commits);
    out->writes = atomic_load(&s->writes);
    for (size_t b = 0; b < STORE_BATCH_BUCKETS; b++) {
        out->batch_le[b] = atomic_load(&s->batch[b]);
        out->batch_bound[b] = batch_bounds[b];
    }
}
