/* The store: the only door to persistent data. Back-ends (SQLite and PostgreSQL)
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
/* Whether url names a PostgreSQL database (postgres:// or postgresql://) rather than a file. */
bool store_is_postgres(const char *url);
/* url as it may be printed: a password in it (postgres://user:PASSWORD@host/db) becomes ***. */
void store_url_shown(const char *url, char *out, size_t n);
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
    STORE_W_APIKEY_ADD,     /* u.apikey: an integration's key (its hash); sets id */
    STORE_W_APIKEY_REVOKE,  /* u.apikey_revoke; ENOTFOUND if no such key, ECONFLICT if it was
                               revoked already */
    STORE_W_BATCH,          /* u.batch: all items commit together or none does; an
                               ATTACHMENT_ADD item of case_id 0 belongs to the case that a
                               CASE_CREATE item before it in the batch creates */
    STORE_W_CASE_CREATE,    /* u.case_new; sets id */
    STORE_W_CASE_UPDATE,    /* u.case_update; ECONFLICT if the version moved */
    STORE_W_CATEGORY_ADD,   /* u.category; sets id */
    STORE_W_ATTACHMENT_ADD, /* u.attachment; sets id */
    STORE_W_OUTBOX_RESULT,  /* u.outbox_result: a delivery's outcome (not audited: housekeeping) */
    STORE_W_DUE_WARNED,     /* u.due_warned: the sweep told the leaders (not audited) */
    STORE_W_USER_TOTP,      /* u.totp: a code accepted; ECONFLICT if its step was used */
    /* u.idempotency: an Idempotency-Key's record, in a batch with the change it guards;
     * EEXIST if the key is live (not audited) */
    STORE_W_IDEMPOTENCY_ADD,
    /* u.purge: drops records created before now_ms; id = count (not audited: housekeeping) */
    STORE_W_IDEMPOTENCY_PURGE,
    STORE_W_USER_TOTP_RESET, /* u.totp_reset: a new unconfirmed secret, the account's sessions
                                ended; ENOTFOUND if no such user; id = sessions ended */
    STORE_W_QUESTION_ADD     /* u.question: a question of the category that unit_code offers
                                itself; ENOTFOUND if it offers none of that code, EEXIST if the
                                category has a question of that code or position */
};

/* A message to deliver, queued in the same transaction as the change it tells of. */
struct outbox_msg {
    const char *channel; /* "email" or "webhook" */
    const char *target;  /* address or URL */
    const char *subject, *body;
};

/* A new case, as decided by domain/petition rules. */
struct case_new {
    const char *tracking_code;
    unsigned char access_key_hash[32];
    const char *kind, *channel, *privacy, *unit_code, *category_code; /* category may be NULL */
    const char *title, *description;
    const char *reporter, *reporter_sealed; /* JSON text or NULL; at most one is set */
    bool located;
    double lat, lon;
    const char *address;
    const char *step;
    int64_t step_from, due_at, received_at, created_by; /* created_by 0: nobody signed in */
    bool remote;
    const char *public_note; /* for the "submit" event on the public timeline */
    const char *answers;     /* JSON object of the answers to the category's questions, checked
                                by domain/answers; NULL: none */
    const struct outbox_msg *outbox;
    size_t noutbox;
};

/* A category's extra question, asked of whoever submits a petition in it (Open311: an
 * attribute of its service). datatype is one of Open311's: string, number, datetime, text,
 * singlevaluelist, multivaluelist; the list types offer their choices in order. */
struct question_choice {
    const char *key, *name; /* the value sent; what people read */
};
struct category_question {
    const char *code, *datatype, *label;
    const char *description; /* help on what to answer; may be NULL */
    int position;            /* 1, 2, ...: the order in which the questions are asked */
    bool required;
    const struct question_choice *choices;
    size_t nchoices;
};

/* One transition of a case. Fields marked "set_" change only when their flag is true. */
struct case_update {
    int64_t case_id, expected_version;
    const char *action, *from_status, *to_status, *reason, *public_note, *actor_label;
    bool set_unit;
    const char *unit_code; /* transfer and reopen move the case */
    bool set_handler;
    int64_t handler_id; /* 0 clears */
    bool set_deadline;
    const char *step;
    int64_t step_from, due_at;
    bool open;
    int extensions, round;
    bool complex, remote;
    bool set_answer;
    const char *answer, *document;
    int64_t resolved_at;
    bool set_merged;
    int64_t merged_into; /* ECONFLICT unless that case is open; its version moves too, so an
                            action on it planned before the merge is refused as stale */
    bool set_rating;
    int rating;
    const char *rating_comment;
    const struct outbox_msg *outbox;
    size_t noutbox;
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
            const char *email;       /* may be NULL */
            const char *totp_sealed; /* the TOTP secret sealed, unconfirmed; may be NULL */
        } user;
        struct {
            int64_t user_id, step; /* the step becomes the last one accepted */
            const char *sealed;    /* enrolment: the new secret, sealed (refused once one is
                                      confirmed); NULL keeps the secret there */
            bool confirm;          /* the first code of this secret: audited as enrolment */
        } totp;
        struct {
            int64_t user_id;
            const char *sealed; /* the new secret, sealed */
        } totp_reset;
        struct {
            const char *unit_code, *category_code;
            struct category_question q;
        } question;
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
        struct case_new case_new;
        struct case_update case_update;
        struct {
            const char *unit_code, *code, *name, *department_code, *department_name;
        } category; /* the department is created on first use */
        struct {
            int64_t case_id, size;
            const char *sha256, *media_type, *filename;
        } attachment;
        struct {
            const char *unit_code, *scope, *label; /* label may be NULL */
            const char *prefix;                    /* the key's first symbols, for lists */
            unsigned char key_hash[32];            /* the key itself is never stored */
            int64_t created_by;                    /* a user's id; 0: the command line */
        } apikey;
        struct {
            int64_t id;
        } apikey_revoke;
        struct {
            int64_t id, next_at; /* next_at 0: delivered */
            int attempts;
            const char *error;
        } outbox_result;
        struct {
            int64_t case_id, due_at;
            const struct outbox_msg *outbox; /* the warnings themselves */
            size_t noutbox;
        } due_warned;
        struct {
            const char *scope, *key;
            unsigned char fingerprint[32]; /* of the request: method, path, body */
            int status;                    /* of the answer */
            const char *response;          /* the answer's body, sealed; may be NULL */
            int64_t result_id;             /* what the change made or changed, or: */
            /* when set, the item of the batch before this one whose id is the result */
            const struct store_write *result_of;
            int64_t live_since; /* a record of the key created before this is replaced */
        } idempotency;
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
    int64_t created_at; /* ms */
};

struct user_row {
    int64_t id;
    const char *login, *display_name, *password_hash;
    bool disabled;
    const char *email;       /* may be NULL */
    const char *totp_sealed; /* the TOTP secret, sealed; NULL if none was given yet */
    bool totp_confirmed;     /* a code of it was accepted once */
    int64_t totp_last_step;  /* the last step accepted (0: none) */
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
/* The session of token_hash with its user and the user's grants, as the three reads above give
 * them, in one step where the back-end can (a request's every identity check). */
int store_session_identity(struct store *s, struct arena *a, const unsigned char token_hash[32],
                           struct session_row *sess, struct user_row *user,
                           struct grant_row **grants, size_t *ngrants);
int store_meta_get(struct store *s, struct arena *a, const char *key, const char **value);

struct case_row {
    int64_t id, version;
    const char *tracking_code;
    unsigned char access_key_hash[32];
    const char *kind, *channel, *status, *privacy;
    int64_t unit_id;
    const char *unit_code, *unit_name, *unit_path, *unit_time_zone;
    const char *category_code, *category_name, *department_name;
    const char *title, *description, *reporter, *reporter_sealed;
    bool located;
    double lat, lon;
    const char *address;
    int64_t handler_id;
    const char *handler_login;
    const char *step;
    int64_t step_from, due_at;
    bool open, complex, remote;
    int extensions, round;
    const char *answer, *document;
    int64_t merged_into;
    int rating; /* 0: not rated */
    const char *rating_comment;
    int64_t created_by, received_at, resolved_at, updated_at;
    const char *answers; /* JSON object of the answers to the category's questions, or NULL */
};

/* A case merged into another: its reporter follows the case it was merged into. */
struct case_merged_row {
    int64_t id;
    const char *tracking_code;
    const char *reporter; /* JSON text, or NULL (sealed, or no reporter) */
};

struct case_event_row {
    int64_t id, at;
    const char *actor, *action, *from_status, *to_status, *reason, *public_note;
};

/* What an inbox asks for. Zero/NULL members do not filter. */
struct case_filter {
    int64_t scope_unit_id; /* required: the subtree to list */
    const char *kind, *status, *category_code;
    bool only_open;
    int64_t due_before;          /* ms */
    const char *text;            /* full-text, diacritic-insensitive */
    int64_t after_due, after_id; /* the cursor: rows after (due_at, id) */
    bool has_cursor;
    size_t limit;
};

struct category_row {
    int64_t id;
    const char *unit_code, *code, *name, *department_code, *department_name, *department_email;
};

struct attachment_row {
    int64_t id, case_id, size, created_at;
    const char *sha256, *media_type, *filename;
};

struct outbox_row {
    int64_t id, case_id, next_at, created_at;
    int attempts;
    const char *channel, *target, *subject, *body;
};

struct webhook_row {
    int64_t id;
    const char *url, *secret;
};

/* By id, or by tracking code when id is 0. */
int store_case_get(struct store *s, struct arena *a, int64_t id, const char *tracking_code,
                   struct case_row *out);
/* What a case's public tracking answer depends on, read without the rest of the case (one
 * indexed lookup by tracking code), so that a cache of that answer can tell whether it is
 * still the case's: every change of a case moves its version. */
struct case_stamp {
    int64_t id, version, due_at;
    bool open;
    int64_t kept_id, kept_version; /* the case it was merged into and that one's version, or 0 */
};
int store_case_stamp(struct store *s, const char *tracking_code, struct case_stamp *out);
int store_case_events(struct store *s, struct arena *a, int64_t case_id,
                      struct case_event_row **rows, size_t *n);
/* An event of a case's public timeline (one with a public note), with what of its case a
 * public view may need; whether the title may be shown is for the caller to decide (kind,
 * privacy). Never the actor or the reason. */
struct case_feed_row {
    int64_t event_id, at;
    const char *action, *to_status, *public_note;
    const char *tracking_code, *kind, *privacy, *title;
};
/* The newest public events of the cases of scope_unit_id's subtree, newest first (by time,
 * then event id), at most limit. */
int store_case_feed(struct store *s, struct arena *a, int64_t scope_unit_id, size_t limit,
                    struct case_feed_row **rows, size_t *n);
/* What a public query of a subtree's cases asks (Open311's GET requests): the cases received
 * in [received_from, received_to], open ones, settled ones or both, of some service codes. A
 * case's service code is its category's code, or its kind when it has none. */
struct case_query {
    int64_t scope_unit_id;
    int64_t received_from, received_to; /* ms, both included */
    bool open, settled;                 /* which to list: at least one is true */
    const char *const *codes;           /* the service codes; ncodes 0: any */
    size_t ncodes;
    size_t offset, limit; /* the page: skip offset rows, then at most limit */
};
/* The cases of q, newest first (by received_at, then id): one range of an index ordered so,
 * read past offset. */
int store_case_query(struct store *s, struct arena *a, const struct case_query *q,
                     struct case_row **rows, size_t *n);
/* The cases merged into case_id, oldest first. */
int store_case_merged(struct store *s, struct arena *a, int64_t case_id,
                      struct case_merged_row **rows, size_t *n);
/* Cases of the subtree, by (due_at, id), after the cursor, at most f->limit. */
int store_case_list(struct store *s, struct arena *a, const struct case_filter *f,
                    struct case_row **rows, size_t *n);
/* Open cases of the subtree whose titles share words with text (full-text, any word), at most
 * limit, best first. */
int store_case_similar(struct store *s, struct arena *a, int64_t scope_unit_id, const char *text,
                       size_t limit, struct case_row **rows, size_t *n);
/* A unit's dashboard: counts over its subtree. */
struct case_status_count {
    const char *status;
    int64_t n;
};
struct case_stats {
    struct case_status_count *by_status; /* every case of the subtree by status (arena) */
    size_t nstatus;
    int64_t overdue;          /* open, the deadline passed */
    int64_t due_soon;         /* open, the deadline in [now, soon) */
    int64_t answered;         /* settled with an answer (resolved_at set)... */
    int64_t answered_on_time; /* ...by the deadline then running */
};
int store_case_stats(struct store *s, struct arena *a, int64_t scope_unit_id, int64_t now,
                     int64_t soon, struct case_stats *out);
/* Cases of any unit whose deadline ends in [from, to) and that are still open. */
/* The cases user_id submitted while signed in (created_by), newest first: those with ids
 * below before_id (0: from the newest), at most limit. */
int store_case_list_by_creator(struct store *s, struct arena *a, int64_t user_id, int64_t before_id,
                               size_t limit, struct case_row **rows, size_t *n);
int store_case_due_between(struct store *s, struct arena *a, int64_t from, int64_t to, size_t limit,
                           struct case_row **rows, size_t *n);
/* The category with code offered at unit_path's unit or its nearest ancestor. */
int store_category_find(struct store *s, struct arena *a, const char *unit_path, const char *code,
                        struct category_row *out);
/* Categories offered to a unit (its own and its ancestors'). */
int store_category_list(struct store *s, struct arena *a, const char *unit_path,
                        struct category_row **rows, size_t *n);
/* The questions of category category_id in their order, each with its choices (arena); none is
 * *n 0. */
int store_category_questions(struct store *s, struct arena *a, int64_t category_id,
                             struct category_question **rows, size_t *n);
int store_attachment_list(struct store *s, struct arena *a, int64_t case_id,
                          struct attachment_row **rows, size_t *n);
int store_attachment_get(struct store *s, struct arena *a, int64_t id, struct attachment_row *out);
/* Undelivered messages whose time has come, oldest first. */
int store_outbox_due(struct store *s, struct arena *a, int64_t now_ms, size_t limit,
                     struct outbox_row **rows, size_t *n);
/* The same, of one channel ("email" or "webhook") only. */
int store_outbox_due_on(struct store *s, struct arena *a, const char *channel, int64_t now_ms,
                        size_t limit, struct outbox_row **rows, size_t *n);
/* The signing secret of the webhook registered for url (the newest registration when the URL
 * was registered again); AKAR_ENOTFOUND when none is. */
int store_webhook_secret(struct store *s, struct arena *a, const char *url, const char **secret);
/* Webhooks registered on unit_path's unit or its ancestors. */
int store_webhooks_for(struct store *s, struct arena *a, const char *unit_path,
                       struct webhook_row **rows, size_t *n);
/* Users holding role on unit_path's unit or an ancestor (e.g. the leaders to warn). */
int store_users_with_role(struct store *s, struct arena *a, const char *unit_path, const char *role,
                          struct user_row **rows, size_t *n);
/* Whether the sweep already warned about this case's deadline. */
int store_due_warned(struct store *s, int64_t case_id, int64_t due_at, bool *warned);

/* The record of an Idempotency-Key (see STORE_W_IDEMPOTENCY_ADD). */
struct idempotency_row {
    unsigned char fingerprint[32];
    int status;
    int64_t result_id, created_at;
    const char *response; /* sealed, or NULL */
};
/* How long a record stays live: a retry within a day gets the first answer. */
#define STORE_IDEMPOTENCY_TTL_MS (24LL * 3600 * 1000)
/* The record of key in scope created at or after since (an older one counts as gone). */
int store_idempotency_get(struct store *s, struct arena *a, const char *scope, const char *key,
                          int64_t since, struct idempotency_row *out);

/* Calls fn for every audit entry in seq order until fn returns non-zero (which is returned). */
int store_audit_scan(struct store *s, int (*fn)(void *arg, const struct chain_entry *e), void *arg);
/* The recorded chain head: seq 0 when the chain is empty. */
int store_audit_head(struct store *s, int64_t *seq, unsigned char hash[CHAIN_HASH_BYTES]);
/* Number of audit entries with the given action (for reports and tests). */
int store_audit_count(struct store *s, const char *action, int64_t *n);

/* A consistent copy of the whole database at to_path, taken while serving. */
int store_backup(struct store *s, const char *to_path, char *err, size_t errlen);

/* ---- API keys of integrations ---- */

/* A key as stored: label may be NULL; created_by is 0 (and its login NULL) for a key made on
 * the command line; revoked_at is 0 while the key is in force. */
struct apikey_row {
    int64_t id;
    const char *unit_code, *unit_path, *scope, *label, *prefix;
    int64_t created_by;
    const char *created_by_login;
    int64_t created_at, revoked_at;
};
/* The key with this id, or with this hash (the key presented). */
int store_apikey_get(struct store *s, struct arena *a, int64_t id, struct apikey_row *out);
int store_apikey_by_hash(struct store *s, struct arena *a, const unsigned char key_hash[32],
                         struct apikey_row *out);
/* The keys of the units in root_path's subtree ("/" for all), by id. */
int store_apikey_list(struct store *s, struct arena *a, const char *root_path,
                      struct apikey_row **rows, size_t *n);

/* ---- several servers on one database ---- */

/* Whether other servers may share this store's database (PostgreSQL): then what one process
 * used to keep in memory lives in the database. */
bool store_shared(struct store *s);
/* Failure counts per key, in windows named by their start (Unix seconds), shared by every
 * server: add one and get the new count, read one, forget a key's. AKAR_EINVAL when the store
 * is not shared (count in memory then). */
int store_rate_add(struct store *s, const char *key, int64_t window_at, int64_t *count);
int store_rate_get(struct store *s, const char *key, int64_t window_at, int64_t *count);
int store_rate_clear(struct store *s, const char *key);
/* Whether the database was opened on a server that takes no writes (a PostgreSQL standby):
 * reading commands work there, serving does not. */
bool store_read_only(struct store *s);
/* Takes (take) or releases the lock that lets one server at a time run the deadline sweep;
 * *got (may be NULL on release) is false when another server holds it. Call both from the
 * same thread. A store that one process owns always grants it. */
int store_sweep_lock(struct store *s, bool take, bool *got);

/* ---- observation ---- */

/* Moves with every committed change to the unit tree: at once for changes this store
 * committed, within a second for changes by another process. Readers cache derived data
 * (the units answer) against it. */
uint64_t store_units_generation(struct store *s);
/* Moves with every committed change to an existing case: at once (before the write's done())
 * for changes this store committed, within a second for changes by another process (or by
 * hand). Readers that keep data derived from a case check it again, cheaply, when this moved
 * since they last did (the public tracking answer; see store_case_stamp). */
uint64_t store_cases_generation(struct store *s);
/* Moves with store_cases_generation and with every case created (by another process: within
 * a second): readers that keep lists of cases (Open311's query) check it. */
uint64_t store_case_lists_generation(struct store *s);

#define STORE_BATCH_BUCKETS 10
struct store_stats {
    uint64_t commits, writes;
    uint64_t batch_le[STORE_BATCH_BUCKETS]; /* commits with batch size <= bound, cumulative */
    unsigned batch_bound[STORE_BATCH_BUCKETS];
};
void store_stats_get(struct store *s, struct store_stats *out);

#endif
