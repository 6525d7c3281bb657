/* The store: the only door to persistent data. Back-ends (SQLite now; PostgreSQL later)
 * implement struct store_backend; everything above calls the store_* functions here.
 *
 * Writes are asynchronous intents: the caller fills a struct store_write and submits it; one
 * writer commits queued writes in groups (many per transaction) and only after the commit calls
 * each write's done(). Every write appends its audit entry in the same transaction. Reads run
 * on a per-thread connection and are synchronous. */
#ifndef AKAR_STORE_STORE_H
#define AKAR_STORE_STORE_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/chain.h"

struct arena;
struct store;

/* ---- opening ---- */

enum store_open_mode {
    STORE_OPEN_EXISTING, /* refuse a database that is missing or needs migration */
    STORE_OPEN_MIGRATE   /* create the database if absent and apply pending migrations */
};

/* Opens the store at url (a file path for SQLite). On failure returns a negative akar_err
 * and writes a message for people into err: AKAR_ETOONEW for a database from a newer akar,
 * AKAR_ENOTFOUND for a missing one, AKAR_ECONFLICT for one that needs `akar init`. */
int store_open(const char *url, enum store_open_mode mode, struct store **out, char *err,
               size_t errlen);
/* Finishes queued writes, stops the writer, closes every connection. NULL is allowed. */
void store_close(struct store *s);
/* Schema version of the open database, and the newest this binary knows. */
void store_schema_version(struct store *s, int *have, int *known);
/* Versions applied by the last store_open with STORE_OPEN_MIGRATE: from → to (equal: none). */
void store_migrated(struct store *s, int *from, int *to);

/* ---- writes ---- */

enum store_write_kind {
    STORE_W_META_SET,       /* u.meta */
    STORE_W_UNIT_ADD,       /* u.unit */
    STORE_W_USER_ADD,       /* u.user; sets id */
    STORE_W_SESSION_ADD,    /* u.session */
    STORE_W_SESSION_DELETE, /* u.session (token_hash); ENOTFOUND if absent */
    STORE_W_SESSION_PURGE,  /* u.purge: drops sessions expired before now_ms; id = count */
    STORE_W_BATCH           /* u.batch: all items commit together or none does */
};

struct store_write {
    enum store_write_kind kind;
    union {
        struct {
            const char *key, *value;
        } meta;
        struct {
            const char *code, *name, *level, *parent_code, *time_zone;
            bool remote;
        } unit;
        struct {
            const char *login, *display_name, *password_hash, *role, *unit_code;
        } user;
        struct {
            unsigned char token_hash[32];
            int64_t user_id, expires_ms;
        } session;
        struct {
            int64_t now_ms;
        } purge;
        struct {
            struct store_write **items;
            size_t n;
        } batch;
    } u;
    /* The audit entry written with this change: who, and a JSON object of details (may be
     * NULL for "{}"). The action and object are named by the store from kind and content. */
    const char *actor;
    const char *audit_detail;
    int64_t at_ms; /* when; 0 means now */

    /* Set by the store before done() is called. */
    int rc;     /* 0 or a negative akar_err */
    int64_t id; /* the new row's id, where the kind says so */
    char errmsg[160];

    /* Called once, on the writer thread, after the commit (or the failure). May be NULL. */
    void (*done)(struct store_write *w);
    void *arg;
    struct store_write *next_; /* private to the store */
};

/* Queues w. Returns 0, or AKAR_ESHUTDOWN (done() is then not called). w must stay valid
 * until done() has been called. */
int store_submit(struct store *s, struct store_write *w);
/* Submits w and waits for it; returns w->rc. Not for request threads (they suspend). */
int store_write_sync(struct store *s, struct store_write *w);

/* ---- reads (0, AKAR_ENOTFOUND or AKAR_ESTORE; strings in the arena) ---- */

struct unit_row {
    int64_t id;
    const char *code, *name, *level, *parent_code, *path, *time_zone;
    bool remote;
};

struct user_row {
    int64_t id;
    const char *login, *display_name, *password_hash;
    bool disabled;
};

struct grant_row {
    const char *role, *unit_code, *unit_path;
};

struct session_row {
    int64_t user_id, created_ms, expires_ms;
};

/* Every unit, parents before children (ordered by path). */
int store_unit_list(struct store *s, struct arena *a, struct unit_row **rows, size_t *n);
int store_unit_get(struct store *s, struct arena *a, const char *code, struct unit_row *out);
int store_user_get(struct store *s, struct arena *a, const char *login, struct user_row *out);
int store_user_get_id(struct store *s, struct arena *a, int64_t id, struct user_row *out);
int store_user_grants(struct store *s, struct arena *a, int64_t user_id, struct grant_row **rows,
                      size_t *n);
int store_session_get(struct store *s, const unsigned char token_hash[32], struct session_row *out);
int store_meta_get(struct store *s, struct arena *a, const char *key, const char **value);

/* Calls fn for every audit entry in seq order until fn returns non-zero (which is returned). */
int store_audit_scan(struct store *s, int (*fn)(void *arg, const struct chain_entry *e), void *arg);
/* The recorded chain head: seq 0 when the chain is empty. */
int store_audit_head(struct store *s, int64_t *seq, unsigned char hash[CHAIN_HASH_BYTES]);
/* Number of audit entries with the given action (for reports and tests). */
int store_audit_count(struct store *s, const char *action, int64_t *n);

/* A consistent copy of the whole database at to_path, taken while serving. */
int store_backup(struct store *s, const char *to_path, char *err, size_t errlen);

/* ---- observation ---- */

/* Moves with every committed change to the unit tree: at once for changes this store
 * committed, within a second for changes by another process. Readers cache derived data
 * (the units answer) against it. */
uint64_t store_units_generation(struct store *s);

#define STORE_BATCH_BUCKETS 10
struct store_stats {
    uint64_t commits, writes;
    uint64_t batch_le[STORE_BATCH_BUCKETS]; /* commits with batch size <= bound, cumulative */
    unsigned batch_bound[STORE_BATCH_BUCKETS];
};
void store_stats_get(struct store *s, struct store_stats *out);

#endif
