/* bench/writer: audited writes per second through the store's group-committing writer, set
 * against the physical limit of the same disk: raw SQLite inserts of rows of the same shape in
 * transactions of the same size, single thread, prepared statement. Rounds alternate the two so
 * that both see the same disk and the same neighbours. Prints figures, asserts nothing.
 * Usage: writer DIR [WRITES [PRODUCERS [ROUNDS]]]; DIR is a scratch directory whose writer-*.db
 * files are replaced. */
#include "base/arena.h"
#include "base/err.h"
#include "domain/account.h"
#include "domain/demo.h"
#include "store/store.h"

#include <pthread.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define KEY_BYTES     32
#define TTL_MS        (12LL * 3600 * 1000)
#define FSYNC_SECONDS 1.0 /* how long each one-row-per-commit run lasts */
#define MAX_ROUNDS    15

/* The sessions table as migration 0001 makes it, less the foreign key (no users table). */
static const char raw_schema[] =
    "CREATE TABLE sessions (token_hash BLOB PRIMARY KEY, user_id INTEGER NOT NULL, "
    "created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL) STRICT, WITHOUT ROWID;"
    "CREATE INDEX sessions_expiry ON sessions (expires_at);";

struct producer {
    pthread_t thread;
    struct store *store;
    pthread_barrier_t *start;
    const unsigned char *keys; /* n keys of KEY_BYTES */
    size_t n, failed;
    int64_t user_id;
    char actor[32];
};

struct rate {
    size_t rows, commits;
    double seconds;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One emulated connection: submits a session write, waits until it is durable, and again. */
static void *produce(void *arg)
{
    struct producer *p = arg;
    pthread_barrier_wait(p->start);
    for (size_t i = 0; i < p->n; i++) {
        struct store_write w = {.kind = STORE_W_SESSION_ADD, .actor = p->actor};
        memcpy(w.u.session.token_hash, p->keys + i * KEY_BYTES, KEY_BYTES);
        w.u.session.user_id = p->user_id;
        w.u.session.expires_ms = now_ms() + TTL_MS;
        if (store_write_sync(p->store, &w) != 0)
            p->failed++;
    }
    return NULL;
}

static void print_histogram(const struct store_stats *h)
{
    printf("  commits by batch size (writes: commits):");
    uint64_t below = 0;
    for (size_t i = 0; i < STORE_BATCH_BUCKETS; i++) {
        unsigned lo = i ? h->batch_bound[i - 1] + 1 : 1, hi = h->batch_bound[i];
        if (h->batch_le[i] > below && lo == hi)
            printf(" %u: %llu", hi, (unsigned long long)(h->batch_le[i] - below));
        else if (h->batch_le[i] > below)
            printf(" %u-%u: %llu", lo, hi, (unsigned long long)(h->batch_le[i] - below));
        below = h->batch_le[i];
    }
    printf("\n");
}

/* Removes an SQLite database and its WAL files, left by an earlier run. */
static void remove_db(const char *path)
{
    char side[4096 + 8];
    remove(path);
    snprintf(side, sizeof side, "%s-wal", path);
    remove(side);
    snprintf(side, sizeof side, "%s-shm", path);
    remove(side);
}

/* What a store run found besides its rate: the commits by batch size, summed over rounds. */
struct store_check {
    size_t failed;
    int64_t audited;
    struct store_stats hist;
};

/* Audited writes through the store from nprod threads; *batch gets the mean group size. */
static int run_store(const char *dir, const unsigned char *keys, size_t n, size_t nprod,
                     struct rate *r, double *batch, struct store_check *check)
{
    char path[4096], err[512];
    snprintf(path, sizeof path, "%s/writer-store.db", dir);
    remove_db(path);
    struct store *s;
    int rc = store_open(path, STORE_OPEN_MIGRATE, &s, err, sizeof err);
    if (rc == 0)
        rc = demo_load(s, NULL, NULL, err, sizeof err);
    size_t nacc;
    const struct demo_account *acc = demo_accounts(&nacc);
    struct user_row user = {0};
    if (rc == 0 && nacc == 0) {
        snprintf(err, sizeof err, "the demo has no accounts");
        rc = AKAR_ENOTFOUND;
    }
    struct arena *a = arena_new();
    if (rc == 0)
        rc = store_user_get(s, a, acc[0].login, &user);
    arena_free(a);
    if (rc) {
        fprintf(stderr, "writer: %s: %s\n", path, *err ? err : akar_strerror(rc));
        store_close(s);
        return rc;
    }

    pthread_barrier_t start;
    pthread_barrier_init(&start, NULL, (unsigned)nprod + 1);
    struct producer *p = calloc(nprod, sizeof *p);
    for (size_t i = 0, from = 0; i < nprod; i++) {
        size_t share = n / nprod + (i < n % nprod);
        p[i] = (struct producer){.store = s,
                                 .start = &start,
                                 .keys = keys + from * KEY_BYTES,
                                 .n = share,
                                 .user_id = user.id};
        snprintf(p[i].actor, sizeof p[i].actor, "user:%lld", (long long)user.id);
        from += share;
        pthread_create(&p[i].thread, NULL, produce, &p[i]);
    }
    struct store_stats before, after;
    store_stats_get(s, &before);
    pthread_barrier_wait(&start);
    double t0 = now_s();
    size_t failed = 0;
    for (size_t i = 0; i < nprod; i++) {
        pthread_join(p[i].thread, NULL);
        failed += p[i].failed;
    }
    r->seconds = now_s() - t0;
    store_stats_get(s, &after);
    r->rows = n - failed;
    r->commits = (size_t)(after.commits - before.commits);
    *batch = r->commits ? (double)(after.writes - before.writes) / (double)r->commits : 0;

    int64_t audited = 0;
    store_audit_count(s, "session.create", &audited);
    check->failed += failed;
    check->audited += audited;
    for (size_t i = 0; i < STORE_BATCH_BUCKETS; i++) {
        check->hist.batch_le[i] += after.batch_le[i] - before.batch_le[i];
        check->hist.batch_bound[i] = after.batch_bound[i];
    }
    pthread_barrier_destroy(&start);
    free(p);
    store_close(s);
    return failed ? AKAR_ESTORE : 0;
}

static int raw_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) == SQLITE_OK)
        return 0;
    fprintf(stderr, "writer: %s: %s\n", sql, msg ? msg : sqlite3_errmsg(db));
    sqlite3_free(msg);
    return AKAR_ESTORE;
}

/* Raw inserts into a fresh file, batch rows per transaction, until n rows or (if max_s > 0)
 * max_s seconds have passed. */
static int run_raw(const char *path, const unsigned char *keys, size_t n, size_t batch,
                   double max_s, struct rate *r)
{
    remove_db(path);
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int rc = AKAR_ESTORE;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) != SQLITE_OK) {
        fprintf(stderr, "writer: cannot create %s\n", path);
        goto out;
    }
    if (raw_exec(db, "PRAGMA journal_mode = WAL") || raw_exec(db, "PRAGMA synchronous = FULL") ||
        raw_exec(db, raw_schema))
        goto out;
    if (sqlite3_prepare_v3(db,
                           "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) "
                           "VALUES (?1, ?2, ?3, ?4)",
                           -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK)
        goto out;
    *r = (struct rate){0};
    double t0 = now_s();
    while (r->rows < n && (max_s <= 0 || now_s() - t0 < max_s)) {
        if (raw_exec(db, "BEGIN IMMEDIATE"))
            goto out;
        for (size_t i = 0; i < batch && r->rows < n; i++, r->rows++) {
            int64_t at = now_ms();
            sqlite3_bind_blob(st, 1, keys + r->rows * KEY_BYTES, KEY_BYTES, SQLITE_STATIC);
            sqlite3_bind_int64(st, 2, 1);
            sqlite3_bind_int64(st, 3, at);
            sqlite3_bind_int64(st, 4, at + TTL_MS);
            if (sqlite3_step(st) != SQLITE_DONE) {
                fprintf(stderr, "writer: insert: %s\n", sqlite3_errmsg(db));
                goto out;
            }
            sqlite3_reset(st);
        }
        if (raw_exec(db, "COMMIT"))
            goto out;
        r->commits++;
    }
    r->seconds = now_s() - t0;
    rc = 0;
out:
    sqlite3_finalize(st);
    sqlite3_close(db);
    return rc;
}

static double per_s(size_t count, const struct rate *r)
{
    return r->seconds > 0 ? (double)count / r->seconds : 0;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The median of v[0..n) (reorders v). */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_value);
    return v[(n - 1) / 2];
}

int main(int argc, char **argv)
{
    if (argc < 2 || argc > 5) {
        fprintf(stderr, "usage: writer DIR [WRITES [PRODUCERS [ROUNDS]]]\n");
        return 2;
    }
    const char *dir = argv[1];
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 50000;
    size_t nprod = argc > 3 ? strtoul(argv[3], NULL, 10) : 64;
    size_t rounds = argc > 4 ? strtoul(argv[4], NULL, 10) : 3;
    if (n == 0 || nprod == 0 || nprod > n || rounds == 0 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "writer: need 0 < PRODUCERS <= WRITES and 0 < ROUNDS <= %d\n", MAX_ROUNDS);
        return 2;
    }
    if (account_init() != 0)
        return 1;
    /* Random keys, like BLAKE2b token hashes: inserts land all over the primary key's tree. */
    unsigned char *keys = malloc(n * KEY_BYTES);
    randombytes_buf(keys, n * KEY_BYTES);
    char raw_path[4096];
    snprintf(raw_path, sizeof raw_path, "%s/writer-raw.db", dir);

    printf("  %5s %10s %9s %6s %10s %9s %11s %8s\n", "round", "akar w/s", "commits/s", "batch",
           "raw w/s", "commits/s", "1-row c/s", "akar/raw");
    double col[7][MAX_ROUNDS];
    struct store_check check = {0};
    for (size_t k = 0; k < rounds; k++) {
        struct rate st, raw, one;
        double batch;
        if (run_store(dir, keys, n, nprod, &st, &batch, &check) != 0)
            return 1;
        size_t b = batch < 1 ? 1 : (size_t)(batch + 0.5);
        if (run_raw(raw_path, keys, n, b, 0, &raw) != 0 ||
            run_raw(raw_path, keys, n, 1, FSYNC_SECONDS, &one) != 0)
            return 1;
        double v[7] = {
            per_s(st.rows, &st),      per_s(st.commits, &st),   batch, per_s(raw.rows, &raw),
            per_s(raw.commits, &raw), per_s(one.commits, &one), 0};
        v[6] = v[3] > 0 ? v[0] / v[3] : 0;
        printf("  %5zu %10.0f %9.0f %6.1f %10.0f %9.0f %11.0f %8.2f\n", k + 1, v[0], v[1], v[2],
               v[3], v[4], v[5], v[6]);
        for (size_t c = 0; c < 7; c++)
            col[c][k] = v[c];
    }
    double m[7];
    for (size_t c = 0; c < 7; c++)
        m[c] = median(col[c], rounds);
    printf("  %5s %10.0f %9.0f %6.1f %10.0f %9.0f %11.0f %8.2f\n", "median", m[0], m[1], m[2], m[3],
           m[4], m[5], m[6]);
    printf("  %zu writes per round, %zu failed, %lld session.create audit entries in all\n", n,
           check.failed, (long long)check.audited);
    print_histogram(&check.hist);
    printf("  target: akar/raw >= 0.30 (median of the rounds' ratios): %.2f (%s)\n", m[6],
           m[6] >= 0.3 ? "met" : "NOT MET");
    free(keys);
    return 0;
}
