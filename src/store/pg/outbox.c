/* The PostgreSQL reads of the notification worker: the due messages (of every channel, or of one,
 * so e-mail left queued while SMTP is off never holds up webhooks), claimed for this server's
 * worker, and the signing secret of the webhook registered for a URL. Called from pg.c's read
 * table. */
#include "base/arena.h"
#include "base/err.h"
#include "store/pg/internal.h"

/* Several servers share one outbox, so reading the due rows claims them, in one statement:
 * the oldest due rows that no other transaction holds (SKIP LOCKED: a server claiming at the
 * same moment gets the next ones instead of waiting for these) get next_at moved to the end of
 * a lease ($2, PG_OUTBOX_LEASE_MS from now), so no other server's worker is given them until
 * it ends. The worker delivers each row and records the outcome (STORE_W_OUTBOX_RESULT), which
 * sets attempts, and sent_at or the next try's time, for real; it reads nothing of the row's
 * next_at, which is returned as it was before the claim (when the row fell due), as SQLite's
 * back-end returns it. A server that dies, or stops, between the claim and the outcome leaves
 * the row due again once the lease ends, to be delivered by whichever worker claims it next:
 * a message may then be sent twice, never lost. The claim commits at once (the read
 * connection is not inside a transaction), so the lease holds while the worker delivers.
 * Parameters: now ($1), the lease's end ($2), the batch's size ($3), the channel ($4). */
#define OUTBOX_CLAIM(channel)                                                                      \
    "WITH due AS MATERIALIZED (SELECT id, next_at FROM outbox "                                    \
    "WHERE sent_at IS NULL AND next_at <= $1 " channel "ORDER BY next_at, id LIMIT $3 "            \
    "FOR UPDATE SKIP LOCKED), "                                                                    \
    "claimed AS (UPDATE outbox o SET next_at = $2 FROM due WHERE o.id = due.id "                   \
    "RETURNING o.id, coalesce(o.case_id, 0) AS case_id, due.next_at, o.created_at, o.attempts, "   \
    "o.channel, o.target, o.subject, o.body) "                                                     \
    "SELECT * FROM claimed ORDER BY next_at, id"
static const char SQL_OUTBOX_CLAIM[] = OUTBOX_CLAIM("");
static const char SQL_OUTBOX_CLAIM_ON[] = OUTBOX_CLAIM("AND channel = $4 ");
/* The newest registration wins: registering a URL again is how its secret is rotated. */
static const char SQL_WEBHOOK_SECRET[] = "SELECT secret FROM webhooks WHERE url = $1 "
                                         "ORDER BY id DESC LIMIT 1";

/* Claims and reads at most limit due rows (of channel, unless it is NULL), oldest first. */
static int claim(struct pg *q, struct arena *a, const char *channel, int64_t now_ms, size_t limit,
                 struct outbox_row **rows, size_t *n)
{
    *n = 0;
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    struct pg_params pp = {0};
    pp_int(&pp, now_ms);
    pp_int(&pp, now_ms + (int64_t)PG_OUTBOX_LEASE_MS);
    pp_int(&pp, (int64_t)(limit < PG_OUTBOX_CLAIM_MAX ? limit : PG_OUTBOX_CLAIM_MAX));
    if (channel)
        pp_text(&pp, channel);
    int rc;
    PGresult *r = pg_run(c, channel ? SQL_OUTBOX_CLAIM_ON : SQL_OUTBOX_CLAIM, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    size_t k = (size_t)PQntuples(r);
    struct outbox_row *out = arena_alloc(a, (k ? k : 1) * sizeof *out);
    for (size_t i = 0; i < k; i++) {
        int row = (int)i;
        out[i] = (struct outbox_row){
            pg_int(r, row, 0),     pg_int(r, row, 1),      pg_int(r, row, 2),
            pg_int(r, row, 3),     (int)pg_int(r, row, 4), pg_text(a, r, row, 5),
            pg_text(a, r, row, 6), pg_text(a, r, row, 7),  pg_text(a, r, row, 8)};
    }
    PQclear(r);
    *rows = out;
    *n = k;
    return 0;
}

int pg_outbox_due(struct pg *q, struct arena *a, int64_t now_ms, size_t limit,
                  struct outbox_row **rows, size_t *n)
{
    return claim(q, a, NULL, now_ms, limit, rows, n);
}

int pg_outbox_due_on(struct pg *q, struct arena *a, const char *channel, int64_t now_ms,
                     size_t limit, struct outbox_row **rows, size_t *n)
{
    return claim(q, a, channel, now_ms, limit, rows, n);
}

int pg_webhook_secret(struct pg *q, struct arena *a, const char *url, const char **secret)
{
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    struct pg_params pp = {0};
    pp_text(&pp, url);
    int rc;
    PGresult *r = pg_run(c, SQL_WEBHOOK_SECRET, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        *secret = pg_text(a, r, 0, 0);
    PQclear(r);
    return rc;
}
