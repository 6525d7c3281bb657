/* The SQLite reads the notification worker needs beyond cases.c's: the due messages of one
 * channel (so e-mail left queued while SMTP is off never holds up webhooks) and the signing
 * secret of the webhook registered for a URL. Called from sqlite.c's read table. */
#include "base/arena.h"
#include "base/err.h"
#include "store/sqlite/internal.h"

static const char SQL_OUTBOX_DUE_ON[] =
    "SELECT id, coalesce(case_id, 0), next_at, created_at, attempts, channel, target, subject, "
    "body FROM outbox WHERE sent_at IS NULL AND next_at <= ?1 AND channel = ?3 "
    "ORDER BY next_at, id LIMIT ?2";
/* The newest registration wins: registering a URL again is how its secret is rotated. */
static const char SQL_WEBHOOK_SECRET[] = "SELECT secret FROM webhooks WHERE url = ?1 "
                                         "ORDER BY id DESC LIMIT 1";

int sq_outbox_due_on(struct sq *q, struct arena *a, const char *channel, int64_t now_ms,
                     size_t limit, struct outbox_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_OUTBOX_DUE_ON) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    sqlite3_bind_text(st, 3, channel, -1, SQLITE_STATIC);
    size_t k = 0;
    struct outbox_row *out = arena_alloc(a, (limit ? limit : 1) * sizeof *out);
    int rc = SQLITE_DONE;
    while (k < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        out[k++] = (struct outbox_row){
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
            sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4),   sq_text(a, st, 5),
            sq_text(a, st, 6),           sq_text(a, st, 7),           sq_text(a, st, 8)};
    if (k == limit)
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_webhook_secret(struct sq *q, struct arena *a, const char *url, const char **secret)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_WEBHOOK_SECRET) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, url, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *secret = sq_text(a, st, 0);
    sqlite3_reset(st);
    if (rc == SQLITE_ROW)
        return 0;
    return rc == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE;
}
