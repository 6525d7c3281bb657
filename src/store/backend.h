/* What a store back-end implements. store.c owns what every back-end shares (the write queue,
 * group commit, statistics); a back-end owns its connections, its SQL and the audit chain head
 * inside its transactions. */
#ifndef AKAR_STORE_BACKEND_H
#define AKAR_STORE_BACKEND_H
#include "store/store.h"

struct store_backend {
    const char *name;
    /* Opens url; on success *impl is the back-end's state. */
    int (*open)(const char *url, enum store_open_mode mode, void **impl, int *have, int *known,
                int *migrated_from, char *err, size_t errlen);
    void (*close)(void *impl);

    /* Called on the writer thread only: a group is begin, apply*, then commit or abort.
     * apply runs one write in a savepoint of its own: on failure it leaves no trace, sets
     * w->rc and w->errmsg and returns w->rc. */
    int (*group_begin)(void *impl);
    int (*apply)(void *impl, struct store_write *w);
    int (*group_commit)(void *impl);
    void (*group_abort)(void *impl);

    int (*unit_list)(void *impl, struct arena *a, struct unit_row **rows, size_t *n);
    int (*unit_get)(void *impl, struct arena *a, const char *code, struct unit_row *out);
    int (*user_get)(void *impl, struct arena *a, const char *login, int64_t id,
                    struct user_row *out);
    int (*user_grants)(void *impl, struct arena *a, int64_t user_id, struct grant_row **rows,
                       size_t *n);
    int (*session_get)(void *impl, const unsigned char token_hash[32], struct session_row *out);
    int (*meta_get)(void *impl, struct arena *a, const char *key, const char **value);
    int (*audit_scan)(void *impl, int (*fn)(void *arg, const struct chain_entry *e), void *arg);
    int (*audit_head)(void *impl, int64_t *seq, unsigned char hash[CHAIN_HASH_BYTES]);
    int (*audit_count)(void *impl, const char *action, int64_t *n);
    /* A number stored with the data that every change of the unit tree moves. */
    int (*units_version)(void *impl, int64_t *v);
    /* Whether another connection (another process, or this store's writer) committed since
     * the calling thread last asked; true on a thread's first call. */
    int (*others_committed)(void *impl, bool *yes);
    int (*backup)(void *impl, const char *to_path, char *err, size_t errlen);
    int (*case_get)(void *impl, struct arena *a, int64_t id, const char *tracking_code,
                    struct case_row *out);
    int (*case_stamp)(void *impl, const char *tracking_code, struct case_stamp *out);
    int (*case_events)(void *impl, struct arena *a, int64_t case_id, struct case_event_row **rows,
                       size_t *n);
    int (*case_feed)(void *impl, struct arena *a, int64_t scope_unit_id, size_t limit,
                     struct case_feed_row **rows, size_t *n);
    int (*case_query)(void *impl, struct arena *a, const struct case_query *q,
                      struct case_row **rows, size_t *n);
    int (*case_merged)(void *impl, struct arena *a, int64_t case_id, struct case_merged_row **rows,
                       size_t *n);
    int (*case_list)(void *impl, struct arena *a, const struct case_filter *f,
                     struct case_row **rows, size_t *n);
    int (*case_similar)(void *impl, struct arena *a, int64_t scope_unit_id, const char *text,
                        size_t limit, struct case_row **rows, size_t *n);
    int (*case_stats)(void *impl, struct arena *a, int64_t scope_unit_id, int64_t now, int64_t soon,
                      struct case_stats *out);
    int (*case_by_creator)(void *impl, struct arena *a, int64_t user_id, int64_t before_id,
                           size_t limit, struct case_row **rows, size_t *n);
    int (*case_due_between)(void *impl, struct arena *a, int64_t from, int64_t to, size_t limit,
                            struct case_row **rows, size_t *n);
    int (*category_find)(void *impl, struct arena *a, const char *unit_path, const char *code,
                         struct category_row *out);
    int (*category_list)(void *impl, struct arena *a, const char *unit_path,
                         struct category_row **rows, size_t *n);
    int (*category_questions)(void *impl, struct arena *a, int64_t category_id,
                              struct category_question **rows, size_t *n);
    int (*attachment_list)(void *impl, struct arena *a, int64_t case_id,
                           struct attachment_row **rows, size_t *n);
    int (*attachment_get)(void *impl, struct arena *a, int64_t id, struct attachment_row *out);
    /* by id, else (id 0) by hash */
    int (*apikey_get)(void *impl, struct arena *a, int64_t id, const unsigned char *key_hash,
                      struct apikey_row *out);
    int (*apikey_list)(void *impl, struct arena *a, const char *root_path, struct apikey_row **rows,
                       size_t *n);
    int (*outbox_due)(void *impl, struct arena *a, int64_t now_ms, size_t limit,
                      struct outbox_row **rows, size_t *n);
    int (*outbox_due_on)(void *impl, struct arena *a, const char *channel, int64_t now_ms,
                         size_t limit, struct outbox_row **rows, size_t *n);
    int (*webhook_secret)(void *impl, struct arena *a, const char *url, const char **secret);
    int (*webhooks_for)(void *impl, struct arena *a, const char *unit_path,
                        struct webhook_row **rows, size_t *n);
    int (*users_with_role)(void *impl, struct arena *a, const char *unit_path, const char *role,
                           struct user_row **rows, size_t *n);
    int (*due_warned)(void *impl, int64_t case_id, int64_t due_at, bool *warned);
    int (*idempotency_get)(void *impl, struct arena *a, const char *scope, const char *key,
                           int64_t since, struct idempotency_row *out);

    /* For back-ends that several servers share (NULL in SQLite's, which one process owns):
     * failure counts per key and window, and the lock that lets one server sweep at a time. */
    int (*rate_add)(void *impl, const char *key, int64_t window_at, int64_t *count);
    int (*rate_get)(void *impl, const char *key, int64_t window_at, int64_t *count);
    int (*rate_clear)(void *impl, const char *key);
    int (*sweep_lock)(void *impl, bool take, bool *got);
    /* store_session_identity in one step; NULL: the three reads one after the other. */
    int (*session_identity)(void *impl, struct arena *a, const unsigned char token_hash[32],
                            struct session_row *sess, struct user_row *user,
                            struct grant_row **grants, size_t *ngrants);
    /* Whether the database takes no writes (a standby); NULL: it always does. */
    bool (*read_only)(void *impl);
};

extern const struct store_backend store_sqlite_backend;
extern const struct store_backend store_pg_backend;

#endif
