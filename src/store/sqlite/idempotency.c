/* Idempotency-Key records in SQLite: one is added in the batch of the change it guards, so a
 * retry finds either both or neither; a live record of the same key refuses the batch. Called
 * from sqlite.c's write switch and read table. */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "store/sqlite/internal.h"

#include <sodium.h>
#include <string.h>

/* A record older than live_since (?8) is replaced; a live one is left alone, and no row
 * changes. */
static const char SQL_IDEM_ADD[] =
    "INSERT INTO idempotency (scope, key, fingerprint, status, result_id, response, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) ON CONFLICT (scope, key) DO UPDATE SET "
    "fingerprint = excluded.fingerprint, status = excluded.status, "
    "result_id = excluded.result_id, response = excluded.response, "
    "created_at = excluded.created_at WHERE idempotency.created_at < ?8";
static const char SQL_IDEM_GET[] =
    "SELECT fingerprint, status, result_id, response, created_at FROM idempotency "
    "WHERE scope = ?1 AND key = ?2 AND created_at >= ?3";
static const char SQL_IDEM_PURGE[] = "DELETE FROM idempotency WHERE created_at < ?1";

int sq_apply_idempotency_add(struct sq *q, struct store_write *w)
{
    char hex[2 * sizeof w->u.idempotency.fingerprint + 1];
    sodium_bin2hex(hex, sizeof hex, w->u.idempotency.fingerprint,
                   sizeof w->u.idempotency.fingerprint);
    int64_t result =
        w->u.idempotency.result_of ? w->u.idempotency.result_of->id : w->u.idempotency.result_id;
    sqlite3_stmt *st = sq_prepare(&q->writer, SQL_IDEM_ADD);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_text(st, 1, w->u.idempotency.scope, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, w->u.idempotency.key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, hex, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, w->u.idempotency.status);
    if (result)
        sqlite3_bind_int64(st, 5, result);
    if (w->u.idempotency.response)
        sqlite3_bind_text(st, 6, w->u.idempotency.response, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, w->at_ms ? w->at_ms : clock_now_ms());
    sqlite3_bind_int64(st, 8, w->u.idempotency.live_since);
    int rc = sq_step_done(st);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    if (sqlite3_changes(q->writer.db) != 1)
        return sq_fail(w, AKAR_EEXIST, "this Idempotency-Key was used already%s", NULL);
    w->id = result;
    return 0;
}

int sq_apply_idempotency_purge(struct sq *q, struct store_write *w)
{
    sqlite3_stmt *st = sq_prepare(&q->writer, SQL_IDEM_PURGE);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, w->u.purge.now_ms);
    int rc = sq_step_done(st);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    w->id = sqlite3_changes(q->writer.db);
    return 0;
}

int sq_idempotency_get(struct sq *q, struct arena *a, const char *scope, const char *key,
                       int64_t since, struct idempotency_row *out)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_IDEM_GET) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, scope, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, key, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, since);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        const char *hex = (const char *)sqlite3_column_text(st, 0);
        if (!hex || sodium_hex2bin(out->fingerprint, sizeof out->fingerprint, hex, strlen(hex),
                                   NULL, NULL, NULL) != 0)
            rc = SQLITE_CORRUPT;
        out->status = sqlite3_column_int(st, 1);
        out->result_id = sqlite3_column_int64(st, 2);
        out->response = sq_text(a, st, 3);
        out->created_at = sqlite3_column_int64(st, 4);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE;
}
