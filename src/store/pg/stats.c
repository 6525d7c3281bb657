/* The PostgreSQL side of the officials' dashboard: counts over a unit's subtree, read from the
 * case_scope index (one range per unit), so no figure needs a scan of other units' cases.
 * Called from pg.c's read table; the figures are SQLite's back-end's. */
#include "base/arena.h"
#include "base/err.h"
#include "store/pg/internal.h"

#include <string.h>

/* Statuses in byte order, as SQLite sorts them, whatever the database's collation. */
static const char SQL_STATS_BY_STATUS[] =
    "SELECT c.status, count(*) FROM case_scope s JOIN cases c ON c.id = s.case_id "
    "WHERE s.unit_id = $1 GROUP BY c.status ORDER BY c.status COLLATE \"C\"";
/* Open cases overdue (deadline before $2) and due soon (in [$2, $3)): one range of
 * case_scope's primary key, read once for both. */
static const char SQL_STATS_OPEN_DUE[] =
    "SELECT count(*) FILTER (WHERE due_at < $2), count(*) FILTER (WHERE due_at >= $2) "
    "FROM case_scope WHERE unit_id = $1 AND open = 1 AND due_at < $3";
static const char SQL_STATS_ANSWERED[] =
    "SELECT count(*), count(*) FILTER (WHERE c.resolved_at <= c.due_at) FROM case_scope s "
    "JOIN cases c ON c.id = s.case_id "
    "WHERE s.unit_id = $1 AND s.open = 0 AND c.resolved_at IS NOT NULL";

/* More statuses than the state machine has are not counted. */
#define STATUSES_MAX 16

int pg_case_stats(struct pg *q, struct arena *a, int64_t scope_unit_id, int64_t now, int64_t soon,
                  struct case_stats *out)
{
    memset(out, 0, sizeof *out);
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    struct pg_params pp = {0};
    pp_int(&pp, scope_unit_id);
    int rc;
    PGresult *r = pg_run(c, SQL_STATS_BY_STATUS, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    out->by_status = arena_alloc(a, STATUSES_MAX * sizeof *out->by_status);
    for (int i = 0; i < PQntuples(r) && out->nstatus < STATUSES_MAX; i++) {
        out->by_status[out->nstatus].status = pg_text(a, r, i, 0);
        out->by_status[out->nstatus].n = pg_int(r, i, 1);
        out->nstatus++;
    }
    PQclear(r);

    struct pg_params due = {0};
    pp_int(&due, scope_unit_id);
    pp_int(&due, now);
    /* a window that ends before now counts no case as due soon, as on SQLite */
    pp_int(&due, soon > now ? soon : now);
    r = pg_run(c, SQL_STATS_OPEN_DUE, &due, &rc);
    if (!r)
        return AKAR_ESTORE;
    if (PQntuples(r) == 1) {
        out->overdue = pg_int(r, 0, 0);
        out->due_soon = pg_int(r, 0, 1);
    }
    PQclear(r);

    r = pg_run(c, SQL_STATS_ANSWERED, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    if (PQntuples(r) == 1) {
        out->answered = pg_int(r, 0, 0);
        out->answered_on_time = pg_int(r, 0, 1);
    }
    PQclear(r);
    return 0;
}
