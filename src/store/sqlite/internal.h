/* What the files of the SQLite back-end share: connections, the statement cache, the writer's
 * state, and helpers for applying writes. Not for use outside src/store/sqlite/. */
#ifndef AKAR_STORE_SQLITE_INTERNAL_H
#define AKAR_STORE_SQLITE_INTERNAL_H
#include "base/chain.h"
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdint.h>

struct arena;

#define SQ_CACHE 256

/* One SQLite connection and its prepared statements, cached by the address of their SQL text
 * (every statement is a named constant, so the address names it). */
struct conn {
    sqlite3 *db;
    struct {
        const char *sql;
        sqlite3_stmt *st;
    } cache[SQ_CACHE];
    struct conn *next; /* in sq->readers */
    struct sq *owner;
    /* PRAGMA data_version when others_committed last read it (if it did) */
    bool data_version_read;
    int64_t data_version_seen;
    struct sq_search *search; /* full-text search's tokenizer and functions (search.c) */
};

struct sq {
    char *path;
    struct conn writer;
    pthread_key_t reader_key;
    pthread_mutex_t readers_lock;
    struct conn *readers;
    /* audit chain head as of the open transaction, and as last committed */
    int64_t head_seq, committed_seq;
    unsigned char head_hash[CHAIN_HASH_BYTES], committed_hash[CHAIN_HASH_BYTES];
    /* PRAGMA data_version of the write connection: it moves when another process commits */
    int64_t data_version;
    /* how an inbox search reads (see case_search in cases.c): by the matches at most
     * search_few, and reading at most search_reads cases' text per row of the page; the
     * settings search.few_matches and search.reads_per_row, read at open, else these */
    size_t search_few, search_reads;
};
#define SQ_SEARCH_FEW   2000
#define SQ_SEARCH_READS 20

/* The statement for sql (a named constant), prepared on first use, reset and unbound; NULL
 * (logged) if it cannot be prepared. */
sqlite3_stmt *sq_prepare(struct conn *c, const char *sql);
/* This thread's read connection, opened on first use; NULL if it cannot be opened. */
struct conn *sq_reader(struct sq *q);
/* Column i as an arena string, NULL for SQL NULL. */
const char *sq_text(struct arena *a, sqlite3_stmt *st, int i);
/* Runs st to completion and resets it: 0, AKAR_EEXIST for a uniqueness violation, or
 * AKAR_ESTORE. */
int sq_step_done(sqlite3_stmt *st);
/* Sets w->rc and w->errmsg (fmt has one %s for arg) and returns rc. */
int sq_fail(struct store_write *w, int rc, const char *fmt, const char *arg);
/* Appends the audit entry of w (writer thread, inside the group's transaction). */
int sq_audit(struct sq *q, const struct store_write *w, const char *action, const char *object_type,
             const char *object_id);
/* A unit's id and (if path is not NULL) its path, a malloc'd string. */
int sq_unit_lookup(struct conn *c, const char *code, int64_t *id, char **path);

/* Petitions (cases.c): write appliers and reads behind store.h. */
int sq_apply_case_create(struct sq *q, struct store_write *w);
int sq_apply_case_update(struct sq *q, struct store_write *w);
int sq_apply_category_add(struct sq *q, struct store_write *w);
int sq_apply_attachment_add(struct sq *q, struct store_write *w);
int sq_apply_outbox_result(struct sq *q, struct store_write *w);
int sq_apply_due_warned(struct sq *q, struct store_write *w);
int sq_case_get(struct sq *q, struct arena *a, int64_t id, const char *tracking_code,
                struct case_row *out);
int sq_case_stamp(struct sq *q, const char *tracking_code, struct case_stamp *out);
int sq_case_events(struct sq *q, struct arena *a, int64_t case_id, struct case_event_row **rows,
                   size_t *n);
int sq_case_feed(struct sq *q, struct arena *a, int64_t scope_unit_id, size_t limit,
                 struct case_feed_row **rows, size_t *n);
int sq_case_query(struct sq *q, struct arena *a, const struct case_query *cq,
                  struct case_row **rows, size_t *n);
int sq_case_merged(struct sq *q, struct arena *a, int64_t case_id, struct case_merged_row **rows,
                   size_t *n);
int sq_case_list(struct sq *q, struct arena *a, const struct case_filter *f, struct case_row **rows,
                 size_t *n);
int sq_case_similar(struct sq *q, struct arena *a, int64_t scope_unit_id, const char *text,
                    size_t limit, struct case_row **rows, size_t *n);
int sq_case_stats(struct sq *q, struct arena *a, int64_t scope_unit_id, int64_t now, int64_t soon,
                  struct case_stats *out);
int sq_case_by_creator(struct sq *q, struct arena *a, int64_t user_id, int64_t before_id,
                       size_t limit, struct case_row **rows, size_t *n);
int sq_case_due_between(struct sq *q, struct arena *a, int64_t from, int64_t to, size_t limit,
                        struct case_row **rows, size_t *n);
int sq_category_find(struct sq *q, struct arena *a, const char *unit_path, const char *code,
                     struct category_row *out);
int sq_category_list(struct sq *q, struct arena *a, const char *unit_path,
                     struct category_row **rows, size_t *n);
int sq_attachment_list(struct sq *q, struct arena *a, int64_t case_id, struct attachment_row **rows,
                       size_t *n);
int sq_attachment_get(struct sq *q, struct arena *a, int64_t id, struct attachment_row *out);
int sq_outbox_due(struct sq *q, struct arena *a, int64_t now_ms, size_t limit,
                  struct outbox_row **rows, size_t *n);
int sq_webhooks_for(struct sq *q, struct arena *a, const char *unit_path, struct webhook_row **rows,
                    size_t *n);
int sq_users_with_role(struct sq *q, struct arena *a, const char *unit_path, const char *role,
                       struct user_row **rows, size_t *n);
int sq_due_warned(struct sq *q, int64_t case_id, int64_t due_at, bool *warned);

/* Idempotency-Key records (idempotency.c). */
int sq_apply_idempotency_add(struct sq *q, struct store_write *w);
int sq_apply_idempotency_purge(struct sq *q, struct store_write *w);
int sq_idempotency_get(struct sq *q, struct arena *a, const char *scope, const char *key,
                       int64_t since, struct idempotency_row *out);

/* Full-text search (search.c). */
/* The search words of a text, as cases_fts holds them: tokens of its own tokenizer, lower case,
 * without diacritics, "đ" written "d", each once, the first SQ_WORDS_MAX of them. */
#define SQ_WORDS_MAX 64
struct sq_words {
    size_t n;
    const char **word; /* NUL-terminated */
    size_t *len;
    /* texts akar_words_in may still read; once they are spent it fails the statement, and
     * says so here */
    size_t reads_left;
    bool spent;
};
/* A set of case ids, bound to akar_ids_add() and akar_ids_has() as a pointer of type SQ_IDS. */
struct sq_ids {
    unsigned char *bits; /* bit id: id is in; owned, free with sq_ids_release */
    size_t bytes, n;     /* n: ids in the set */
    int64_t lo, hi;      /* the least and the greatest id in it, if n > 0 */
};
#define SQ_IDS   "akar_ids"
#define SQ_WORDS "akar_words" /* the pointer type of a struct sq_words bound to akar_words_in() */
/* Gives c the tokenizer and registers akar_ids_add(ids, id), akar_ids_has(ids, id) and
 * akar_words_in(words, text...) on it: 0, or AKAR_ESTORE (logged) if this SQLite lacks FTS5.
 * sq_search_close undoes it. */
int sq_search_open(struct conn *c);
void sq_search_close(struct conn *c);
/* The words of text in out (arena memory; none if text has no letter or digit). */
int sq_search_words(struct conn *c, struct arena *a, const char *text, struct sq_words *out);
/* An FTS5 query of the words (at least one): each quoted, joined by op ("AND" or "OR"), in
 * parentheses after columns ("" for every column, or a filter such as "title : "). */
const char *sq_search_match(struct arena *a, const struct sq_words *w, const char *columns,
                            const char *op);
/* Adds id to s (an id below 1, which no case of akar's has, is left out). */
void sq_ids_add(struct sq_ids *s, int64_t id);
void sq_ids_release(struct sq_ids *s);

/* The notification worker's reads (outbox.c). */
int sq_outbox_due_on(struct sq *q, struct arena *a, const char *channel, int64_t now_ms,
                     size_t limit, struct outbox_row **rows, size_t *n);
int sq_webhook_secret(struct sq *q, struct arena *a, const char *url, const char **secret);

/* Integrations' API keys (apikeys.c). */
int sq_apply_apikey_add(struct sq *q, struct store_write *w);
int sq_apply_apikey_revoke(struct sq *q, struct store_write *w);
int sq_apikey_get(struct sq *q, struct arena *a, int64_t id, const unsigned char *key_hash,
                  struct apikey_row *out);
int sq_apikey_list(struct sq *q, struct arena *a, const char *root_path, struct apikey_row **rows,
                   size_t *n);

/* A category's extra questions (questions.c). */
int sq_apply_question_add(struct sq *q, struct store_write *w);
int sq_category_questions(struct sq *q, struct arena *a, int64_t category_id,
                          struct category_question **rows, size_t *n);

#endif
