/* Idempotency-Key records in PostgreSQL, as in the SQLite back-end: one is added in the batch
 * of the change it guards. Every server's write groups take turns on chain_head's row lock,
 * so a second server's batch with the same key runs after the first one's commit and finds
 * the record live. Called from pg.c's write switch and read table. */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "store/pg/internal.h"

#include <sodium.h>
#include <string.h>

/* A record older than live_since ($8) is replaced; a live one is left alone, and no row
 * changes. */
static const char SQL_IDEM_ADD[] =
    "INSERT INTO idempotency (scope, key, fingerprint, status, result_id, response, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (scope, key) DO UPDATE SET "
    "fingerprint = excluded.fingerprint, status = excluded.status, "
    "result_id = excluded.result_id, response = excluded.response, "
    "created_at = excluded.created_at WHERE idempotency.created_at < $8";
static const char SQL_IDEM_GET[] =
    "SELECT fingerprint, status, result_id, response, created_at FROM idempotency "
    "WHERE scope = $1 AND key = $2 AND created_at >= $3";
static const char SQL_IDEM_PURGE[] = "DELETE FROM idempotency WHERE created_at < $1";

int pg_apply_idempotency_add(struct pg *q, struct store_write *w)
{
    char hex[2 * sizeof w->u.idempotency.fingerprint + 1];
    sodium_bin2hex(hex, sizeof hex, w->u.idempotency.fingerprint,
                   sizeof w->u.idempotency.fingerprint);
    int64_t result =
        w->u.idempotency.result_of ? w->u.idempotency.result_of->id : w->u.idempotency.result_id;
    struct pg_params pp = {0};
    pp_text(&pp, w->u.idempotency.scope);
    pp_text(&pp, w->u.idempotency.key);
    pp_text(&pp, hex);
    pp_int(&pp, w->u.idempotency.status);
    if (result)
        pp_int(&pp, result);
    else
        pp_null(&pp);
    pp_text(&pp, w->u.idempotency.response);
    pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
    pp_int(&pp, w->u.idempotency.live_since);
    int64_t changed = 0;
    int rc = pg_exec(&q->writer, SQL_IDEM_ADD, &pp, &changed);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    if (changed != 1)
        return pg_fail(w, AKAR_EEXIST, "this Idempotency-Key was used already%s", NULL);
    w->id = result;
    return 0;
}

int pg_apply_idempotency_purge(struct pg *q, struct store_write *w)
{
    struct pg_params pp = {0};
    pp_int(&pp, w->u.purge.now_ms);
    int rc = pg_exec(&q->writer, SQL_IDEM_PURGE, &pp, &w->id);
    return rc ? pg_fail(w, rc, "the store failed%s", NULL) : 0;
}

int pg_idempotency_get(struct pg *q, struct arena *a, const char *scope, const char *key,
                       int64_t since, struct idempotency_row *out)
{
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    struct pg_params pp = {0};
    pp_text(&pp, scope);
    pp_text(&pp, key);
    pp_int(&pp, since);
    int rc;
    PGresult *r = pg_run(c, SQL_IDEM_GET, &pp, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0) {
        const char *hex = PQgetvalue(r, 0, 0);
        if (sodium_hex2bin(out->fingerprint, sizeof out->fingerprint, hex, strlen(hex), NULL, NULL,
                           NULL) != 0)
            rc = AKAR_ESTORE;
        out->status = (int)pg_int(r, 0, 1);
        out->result_id = pg_int(r, 0, 2);
        out->response = pg_text(a, r, 0, 3);
        out->created_at = pg_int(r, 0, 4);
    }
    PQclear(r);
    return rc;
}
