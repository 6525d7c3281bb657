/* The SQLite side of the officials' dashboard: counts over a unit's subtree, read from the
 * case_scope index (one range per unit), so no figure needs a scan of other units' cases.
 * Called from sqlite.c's read table. */
#include "base/arena.h"
#include "base/err.h"
#include "store/sqlite/internal.h"

#include <string.h>

static const char SQL_STATS_BY_STATUS[] =
    "SELECT c.status, count(*) FROM case_scope s JOIN cases c ON c.id = s.case_id "
    "WHERE s.unit_id = ?1 GROUP BY c.status ORDER BY c.status";
/* open cases whose deadline lies in [?2, ?3): a range of case_scope's primary key */
static const char SQL_STATS_OPEN_DUE[] = "SELECT count(*) FROM case_scope WHERE unit_id = ?1 "
                                         "AND open = 1 AND due_at >= ?2 AND due_at < ?3";
static const char SQL_STATS_ANSWERED[] =
    "SELECT count(*), coalesce(sum(c.resolved_at <= c.due_at), 0) FROM case_scope s "
    "JOIN cases c ON c.id = s.case_id "
    "WHERE s.unit_id = ?1 AND s.open = 0 AND c.resolved_at IS NOT NULL";

static int open_due(struct conn *c, int64_t unit_id, int64_t from, int64_t to, int64_t *n)
{
    sqlite3_stmt *st = sq_prepare(c, SQL_STATS_OPEN_DUE);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, unit_id);
    sqlite3_bind_int64(st, 2, from);
    sqlite3_bind_int64(st, 3, to);
    int rc = sqlite3_step(st);
    *n = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : AKAR_ESTORE;
}

int sq_case_stats(struct sq *q, struct arena *a, int64_t scope_unit_id, int64_t now, int64_t soon,
                  struct case_stats *out)
{
    memset(out, 0, sizeof *out);
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_STATS_BY_STATUS) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, scope_unit_id);
    size_t cap = 16;
    out->by_status = arena_alloc(a, cap * sizeof *out->by_status);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->nstatus == cap)
            break; /* more statuses than the state machine has: ignore the rest */
        out->by_status[out->nstatus].status = sq_text(a, st, 0);
        out->by_status[out->nstatus].n = sqlite3_column_int64(st, 1);
        out->nstatus++;
    }
    sqlite3_reset(st);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return AKAR_ESTORE;
    if (open_due(c, scope_unit_id, INT64_MIN, now, &out->overdue) ||
        open_due(c, scope_unit_id, now, soon, &out->due_soon))
        return AKAR_ESTORE;
    st = sq_prepare(c, SQL_STATS_ANSWERED);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, scope_unit_id);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->answered = sqlite3_column_int64(st, 0);
        out->answered_on_time = sqlite3_column_int64(st, 1);
    }
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : AKAR_ESTORE;
}
