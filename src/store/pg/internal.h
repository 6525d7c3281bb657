/* What the files of the PostgreSQL back-end share: connections, the prepared-statement cache,
 * parameters and result columns, the writer's state, and helpers for applying writes. Not for
 * use outside src/store/pg/. */
#ifndef AKAR_STORE_PG_INTERNAL_H
#define AKAR_STORE_PG_INTERNAL_H
#include "base/chain.h"
#include "store/store.h"

#include <libpq-fe.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct arena;

#define PG_CACHE 256

/* One PostgreSQL connection and the statements prepared on it, named by the address of their
 * SQL text (every statement is a named constant, so the address names it). */
struct pgc {
    PGconn *conn;
    const char *prepared[PG_CACHE]; /* slot i holds statement "s<i>" */
    struct pgc *next;               /* in pg->readers */
    struct pg *owner;
    /* chain_head.generation when others_committed last read it (if it did) */
    bool generation_read;
    int64_t generation_seen;
};

struct pg {
    char *url;
    struct pgc writer;
    pthread_key_t reader_key;
    pthread_mutex_t readers_lock;
    struct pgc *readers;
    /* the audit chain head as of the open transaction (read under chain_head's row lock at
     * group_begin, so every server appends to the same chain), and as the group began */
    int64_t head_seq, begun_seq;
    unsigned char head_hash[CHAIN_HASH_BYTES];
    bool wrote;   /* a write of the open group changed something */
    bool standby; /* the server was a read-only standby when the store was opened */
};

/* Parameters of one statement, as text (PostgreSQL converts them to the column types). */
#define PG_PARAMS_MAX 32
struct pg_params {
    int n;
    const char *v[PG_PARAMS_MAX];
    char num[PG_PARAMS_MAX][32]; /* storage of numbers written as text */
    struct arena *a;             /* storage of bytea written as hex, when given */
};
/* Appends a parameter: text (NULL is SQL NULL), an integer, a bool (as 0/1), a double, bytes
 * (bytea, written "\x..." in pp->a, which must be set), or NULL. */
void pp_text(struct pg_params *pp, const char *s);
void pp_int(struct pg_params *pp, int64_t v);
void pp_bool(struct pg_params *pp, bool v);
void pp_double(struct pg_params *pp, double v);
void pp_bytes(struct pg_params *pp, const unsigned char *b, size_t n);
void pp_null(struct pg_params *pp);

/* Runs sql (a named constant: prepared on c on first use) with pp's parameters (pp may be
 * NULL). Returns the result (PQclear it) or NULL; *rc is 0, AKAR_EEXIST for a uniqueness
 * violation, AKAR_ECONFLICT for a serialization failure or deadlock, else AKAR_ESTORE (logged).
 * A read connection that was lost is reset and the statement tried once more. */
PGresult *pg_run(struct pgc *c, const char *sql, const struct pg_params *pp, int *rc);
/* pg_run for statements whose result is not needed: 0 or *rc as above; *changed (may be
 * NULL) gets the number of rows changed. */
int pg_exec(struct pgc *c, const char *sql, const struct pg_params *pp, int64_t *changed);
/* For statements of a write whose answer is not needed (rows added beside the one that was
 * checked): on the writer it is queued without waiting, and its failure, if any, fails the
 * write when the write ends (its savepoint is released); elsewhere it is pg_exec. */
int pg_defer(struct pgc *c, const char *sql, const struct pg_params *pp);
/* Runs plain SQL text (no parameters, not prepared: BEGIN, SAVEPOINT, migrations): 0 or
 * AKAR_ESTORE (logged unless quiet). */
int pg_simple(struct pgc *c, const char *sql, bool quiet);

/* Result columns: text in the arena (NULL for SQL NULL); integers, bools and doubles (0 for
 * NULL); bytea decoded into out (exactly n bytes, else -1). */
const char *pg_text(struct arena *a, const PGresult *r, int row, int col);
int64_t pg_int(const PGresult *r, int row, int col);
bool pg_bool(const PGresult *r, int row, int col);
double pg_double(const PGresult *r, int row, int col);
bool pg_null(const PGresult *r, int row, int col);
int pg_bytes(const PGresult *r, int row, int col, unsigned char *out, size_t n);

/* This thread's read connection, opened on first use; NULL if it cannot be opened. */
struct pgc *pg_reader(struct pg *q);
/* Sets w->rc and w->errmsg (fmt has one %s for arg) and returns rc. */
int pg_fail(struct store_write *w, int rc, const char *fmt, const char *arg);
/* Appends the audit entry of w (writer thread, inside the group's transaction). */
int pg_audit(struct pg *q, const struct store_write *w, const char *action, const char *object_type,
             const char *object_id);
/* A unit's id and (if path is not NULL) its path, a malloc'd string. */
int pg_unit_lookup(struct pgc *c, const char *code, int64_t *id, char **path);

/* Petitions (cases.c): write appliers and reads behind store.h, as in the SQLite back-end. */
int pg_apply_case_create(struct pg *q, struct store_write *w);
int pg_apply_case_update(struct pg *q, struct store_write *w);
int pg_apply_category_add(struct pg *q, struct store_write *w);
int pg_apply_attachment_add(struct pg *q, struct store_write *w);
int pg_apply_outbox_result(struct pg *q, struct store_write *w);
int pg_apply_due_warned(struct pg *q, struct store_write *w);
int pg_case_get(struct pg *q, struct arena *a, int64_t id, const char *tracking_code,
                struct case_row *out);
int pg_case_stamp(struct pg *q, const char *tracking_code, struct case_stamp *out);
int pg_case_events(struct pg *q, struct arena *a, int64_t case_id, struct case_event_row **rows,
                   size_t *n);
int pg_case_query(struct pg *q, struct arena *a, const struct case_query *cq,
                  struct case_row **rows, size_t *n);
int pg_case_feed(struct pg *q, struct arena *a, int64_t scope_unit_id, size_t limit,
                 struct case_feed_row **rows, size_t *n);
int pg_case_merged(struct pg *q, struct arena *a, int64_t case_id, struct case_merged_row **rows,
                   size_t *n);
int pg_case_list(struct pg *q, struct arena *a, const struct case_filter *f, struct case_row **rows,
                 size_t *n);
int pg_case_similar(struct pg *q, struct arena *a, int64_t scope_unit_id, const char *text,
                    size_t limit, struct case_row **rows, size_t *n);
int pg_case_stats(struct pg *q, struct arena *a, int64_t scope_unit_id, int64_t now, int64_t soon,
                  struct case_stats *out);
int pg_case_by_creator(struct pg *q, struct arena *a, int64_t user_id, int64_t before_id,
                       size_t limit, struct case_row **rows, size_t *n);
int pg_case_due_between(struct pg *q, struct arena *a, int64_t from, int64_t to, size_t limit,
                        struct case_row **rows, size_t *n);
int pg_category_find(struct pg *q, struct arena *a, const char *unit_path, const char *code,
                     struct category_row *out);
int pg_category_list(struct pg *q, struct arena *a, const char *unit_path,
                     struct category_row **rows, size_t *n);
int pg_attachment_list(struct pg *q, struct arena *a, int64_t case_id, struct attachment_row **rows,
                       size_t *n);
int pg_attachment_get(struct pg *q, struct arena *a, int64_t id, struct attachment_row *out);
int pg_webhooks_for(struct pg *q, struct arena *a, const char *unit_path, struct webhook_row **rows,
                    size_t *n);
int pg_users_with_role(struct pg *q, struct arena *a, const char *unit_path, const char *role,
                       struct user_row **rows, size_t *n);
int pg_due_warned(struct pg *q, int64_t case_id, int64_t due_at, bool *warned);

/* Idempotency-Key records (idempotency.c). */
int pg_apply_idempotency_add(struct pg *q, struct store_write *w);
int pg_apply_idempotency_purge(struct pg *q, struct store_write *w);
int pg_idempotency_get(struct pg *q, struct arena *a, const char *scope, const char *key,
                       int64_t since, struct idempotency_row *out);

/* The notification worker's reads (outbox.c). Several servers share one outbox: the rows
 * returned (at most PG_OUTBOX_CLAIM_MAX) are claimed (FOR UPDATE SKIP LOCKED) for
 * PG_OUTBOX_LEASE_MS, during which no other server's worker is given them; delivering and
 * recording the outcome ends the claim. */
/* A claim lasts longer than its rows can take to deliver (PG_OUTBOX_CLAIM_MAX rows at the
 * longest, each within the SMTP client's 60 s limit), so that no other server takes them
 * while the claiming one still works on them; a server that dies leaves its rows to the
 * others when the lease ends. */
#define PG_OUTBOX_CLAIM_MAX 8
#define PG_OUTBOX_LEASE_MS  (10 * 60 * 1000)
int pg_outbox_due(struct pg *q, struct arena *a, int64_t now_ms, size_t limit,
                  struct outbox_row **rows, size_t *n);
int pg_outbox_due_on(struct pg *q, struct arena *a, const char *channel, int64_t now_ms,
                     size_t limit, struct outbox_row **rows, size_t *n);
int pg_webhook_secret(struct pg *q, struct arena *a, const char *url, const char **secret);

/* Integrations' API keys (apikeys.c). */
int pg_apply_apikey_add(struct pg *q, struct store_write *w);
int pg_apply_apikey_revoke(struct pg *q, struct store_write *w);
int pg_apikey_get(struct pg *q, struct arena *a, int64_t id, const unsigned char *key_hash,
                  struct apikey_row *out);
int pg_apikey_list(struct pg *q, struct arena *a, const char *root_path, struct apikey_row **rows,
                   size_t *n);

/* A category's extra questions (questions.c). */
int pg_apply_question_add(struct pg *q, struct store_write *w);
int pg_category_questions(struct pg *q, struct arena *a, int64_t category_id,
                          struct category_question **rows, size_t *n);

#endif
