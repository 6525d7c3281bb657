/* The PostgreSQL back-end of the store, for several stateless akar servers on one database:
 * one write connection used only by the writer thread, one read connection per thread (the
 * pool: a thread never waits for another's connection), statements prepared once per
 * connection, the same migrations as SQLite where the dialects agree, and the audit chain
 * appended by one group at a time across every server (the writer locks chain_head's row
 * before a group's first write). */
#include "base/arena.h"
#include "base/chain.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/backend.h"
#include "store/migration.h"
#include "store/pg/internal.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Session-level advisory locks: one `akar init` migrates at a time; one server sweeps. */
#define LOCK_MIGRATE 0x616b6172001LL
#define LOCK_SWEEP   0x616b6172002LL
/* How many audit entries a scan reads per statement. */
#define SCAN_PAGE 2000

static const char SQL_META_GET[] = "SELECT value FROM meta WHERE key = $1";
static const char SQL_META_SET[] = "INSERT INTO meta (key, value) VALUES ($1, $2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value";
#define UNIT_COLUMNS                                                                               \
    "SELECT u.id, u.code, u.name, u.level, p.code, u.path, u.time_zone, u.remote, "                \
    "u.created_at "                                                                                \
    "FROM units u LEFT JOIN units p ON p.id = u.parent_id "
static const char SQL_UNIT_LIST[] = UNIT_COLUMNS "ORDER BY u.path";
static const char SQL_UNIT_GET[] = UNIT_COLUMNS "WHERE u.code = $1";
static const char SQL_UNIT_INSERT[] =
    "INSERT INTO units (code, name, level, parent_id, path, time_zone, remote, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id";
#define USER_COLUMNS                                                                               \
    "SELECT id, login, display_name, password_hash, disabled, email, totp_secret, "                \
    "totp_confirmed, totp_last_step FROM users "
static const char SQL_USER_BY_LOGIN[] = USER_COLUMNS "WHERE login = $1";
static const char SQL_USER_BY_ID[] = USER_COLUMNS "WHERE id = $1";
static const char SQL_USER_INSERT[] =
    "INSERT INTO users (login, display_name, password_hash, created_at, email, totp_secret) "
    "VALUES ($1, $2, $3, $4, $5, $6) RETURNING id";
/* a code is taken once: only a later step than the last one moves it; a new secret replaces
 * only one that no code has confirmed yet */
static const char SQL_USER_TOTP[] =
    "UPDATE users SET totp_last_step = $2, totp_confirmed = 1, "
    "totp_secret = coalesce($3::text, totp_secret) WHERE id = $1 AND totp_last_step < $2 AND "
    "($3::text IS NULL OR totp_confirmed = 0) AND ($3::text IS NOT NULL OR totp_secret IS NOT "
    "NULL)";
static const char SQL_USER_TOTP_RESET[] = "UPDATE users SET totp_secret = $2, totp_confirmed = 0, "
                                          "totp_last_step = 0 WHERE id = $1";
static const char SQL_SESSION_DELETE_USER[] = "DELETE FROM sessions WHERE user_id = $1";
static const char SQL_GRANT_INSERT[] =
    "INSERT INTO grants (user_id, role, unit_id) VALUES ($1, $2, $3)";
static const char SQL_GRANTS_OF[] =
    "SELECT g.role, u.code, u.path FROM grants g JOIN units u ON u.id = g.unit_id "
    "WHERE g.user_id = $1 ORDER BY u.path, g.role";
static const char SQL_SESSION_GET[] =
    "SELECT user_id, created_at, expires_at FROM sessions WHERE token_hash = $1";
/* A request's identity in one round trip: the session, its user, and a row per grant. */
static const char SQL_SESSION_IDENTITY[] =
    "SELECT s.user_id, s.created_at, s.expires_at, u.id, u.login, u.display_name, "
    "u.password_hash, u.disabled, u.email, u.totp_secret, u.totp_confirmed, u.totp_last_step, "
    "g.role, gu.code, gu.path FROM sessions s JOIN users u ON u.id = s.user_id "
    "LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN units gu ON gu.id = g.unit_id "
    "WHERE s.token_hash = $1 ORDER BY gu.path, g.role";
static const char SQL_SESSION_INSERT[] =
    "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)";
static const char SQL_SESSION_DELETE[] = "DELETE FROM sessions WHERE token_hash = $1";
static const char SQL_SESSION_PURGE[] = "DELETE FROM sessions WHERE expires_at < $1";
static const char SQL_AUDIT_INSERT[] =
    "INSERT INTO audit (seq, at, actor, action, object_type, object_id, detail, prev_hash, "
    "hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)";
static const char SQL_AUDIT_PAGE[] =
    "SELECT seq, at, actor, action, object_type, object_id, detail, prev_hash, hash FROM audit "
    "WHERE seq > $1 ORDER BY seq LIMIT $2";
static const char SQL_AUDIT_COUNT[] = "SELECT count(*) FROM audit WHERE action = $1";
static const char SQL_HEAD_LOCK[] = "SELECT seq, hash FROM chain_head WHERE id = 1 FOR UPDATE";
static const char SQL_HEAD_GET[] = "SELECT seq, hash, generation FROM chain_head WHERE id = 1";
static const char SQL_HEAD_SET[] =
    "UPDATE chain_head SET seq = $1, hash = $2, generation = generation + 1 WHERE id = 1";
static const char SQL_UNITS_VERSION_BUMP[] =
    "INSERT INTO meta (key, value) VALUES ('units.version', '1') ON CONFLICT (key) DO "
    "UPDATE SET value = (meta.value::bigint + 1)::text";
static const char SQL_RATE_ADD[] =
    "INSERT INTO rate_counts AS r (key, window_at, n) VALUES ($1, $2, 1) ON CONFLICT (key, "
    "window_at) DO UPDATE SET n = r.n + 1 RETURNING n";
static const char SQL_RATE_GET[] =
    "SELECT coalesce(sum(n), 0) FROM rate_counts WHERE key = $1 AND window_at = $2";
static const char SQL_RATE_CLEAR[] = "DELETE FROM rate_counts WHERE key = $1";
static const char SQL_RATE_PURGE[] = "DELETE FROM rate_counts WHERE window_at < $1";
static const char SQL_TRY_LOCK[] = "SELECT pg_try_advisory_lock($1)";
static const char SQL_UNLOCK[] = "SELECT pg_advisory_unlock($1)";

/* ---- parameters and results ---- */

static void pp_push(struct pg_params *pp, const char *v)
{
    if (pp->n < PG_PARAMS_MAX)
        pp->v[pp->n++] = v;
    else
        log_error("pg: more than %d parameters", PG_PARAMS_MAX);
}

void pp_text(struct pg_params *pp, const char *s)
{
    pp_push(pp, s);
}

void pp_null(struct pg_params *pp)
{
    pp_push(pp, NULL);
}

void pp_int(struct pg_params *pp, int64_t v)
{
    if (pp->n >= PG_PARAMS_MAX)
        return pp_push(pp, NULL);
    snprintf(pp->num[pp->n], sizeof pp->num[0], "%" PRId64, v);
    pp_push(pp, pp->num[pp->n]);
}

void pp_bool(struct pg_params *pp, bool v)
{
    pp_int(pp, v ? 1 : 0);
}

void pp_double(struct pg_params *pp, double v)
{
    if (pp->n >= PG_PARAMS_MAX)
        return pp_push(pp, NULL);
    snprintf(pp->num[pp->n], sizeof pp->num[0], "%.17g", v);
    pp_push(pp, pp->num[pp->n]);
}

void pp_bytes(struct pg_params *pp, const unsigned char *b, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    char *hex = arena_alloc(pp->a, 2 * n + 3);
    hex[0] = '\\';
    hex[1] = 'x';
    for (size_t i = 0; i < n; i++) {
        hex[2 + 2 * i] = digits[b[i] >> 4];
        hex[3 + 2 * i] = digits[b[i] & 15];
    }
    hex[2 + 2 * n] = 0;
    pp_push(pp, hex);
}

const char *pg_text(struct arena *a, const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return NULL;
    return arena_strndup(a, PQgetvalue(r, row, col), (size_t)PQgetlength(r, row, col));
}

int64_t pg_int(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

bool pg_bool(const PGresult *r, int row, int col)
{
    if (PQgetisnull(r, row, col))
        return false;
    const char *v = PQgetvalue(r, row, col);
    return v[0] == 't' || (v[0] >= '1' && v[0] <= '9');
}

double pg_double(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) ? 0 : strtod(PQgetvalue(r, row, col), NULL);
}

bool pg_null(const PGresult *r, int row, int col)
{
    return PQgetisnull(r, row, col) != 0;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int pg_bytes(const PGresult *r, int row, int col, unsigned char *out, size_t n)
{
    if (PQgetisnull(r, row, col))
        return -1;
    const char *v = PQgetvalue(r, row, col);
    if ((size_t)PQgetlength(r, row, col) != 2 * n + 2 || v[0] != '\\' || v[1] != 'x')
        return -1;
    for (size_t i = 0; i < n; i++) {
        int hi = hex_value(v[2 + 2 * i]), lo = hex_value(v[3 + 2 * i]);
        if (hi < 0 || lo < 0)
            return -1;
        out[i] = (unsigned char)(hi << 4 | lo);
    }
    return 0;
}

/* ---- connections and statements ---- */

static void forget_prepared(struct pgc *c)
{
    memset(c->prepared, 0, sizeof c->prepared);
}

static int conn_open(struct pgc *c, const char *url, char *err, size_t errlen)
{
    forget_prepared(c);
    c->conn = PQconnectdb(url);
    if (PQstatus(c->conn) != CONNECTION_OK) {
        if (err)
            snprintf(err, errlen, "%s", PQerrorMessage(c->conn));
        PQfinish(c->conn);
        c->conn = NULL;
        return AKAR_ESTORE;
    }
    /* times are numbers, text is UTF-8 whatever the server's defaults are */
    PQclear(PQexec(c->conn, "SET client_encoding = 'UTF8'"));
    return 0;
}

static void conn_close(struct pgc *c)
{
    if (c->conn)
        PQfinish(c->conn);
    c->conn = NULL;
}

/* The name of sql's statement on c ("s<slot>"), prepared on first use; -1 on failure. */
static int prepared_slot(struct pgc *c, const char *sql, int nparams)
{
    size_t h = ((uintptr_t)sql >> 3) % PG_CACHE;
    for (size_t probe = 0; probe < PG_CACHE; probe++, h = (h + 1) % PG_CACHE) {
        if (c->prepared[h] == sql)
            return (int)h;
        if (!c->prepared[h]) {
            char name[16];
            snprintf(name, sizeof name, "s%zu", h);
            PGresult *r = PQprepare(c->conn, name, sql, nparams, NULL);
            bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
            if (!ok)
                log_error("pg: cannot prepare \"%.60s\": %s", sql, PQerrorMessage(c->conn));
            PQclear(r);
            if (!ok)
                return -1;
            c->prepared[h] = sql;
            return (int)h;
        }
    }
    log_error("pg: the statement cache is full");
    return -1;
}

static int error_code(const PGresult *r)
{
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (!state)
        return AKAR_ESTORE;
    if (strcmp(state, "23505") == 0) /* unique_violation */
        return AKAR_EEXIST;
    if (strcmp(state, "40001") == 0 || strcmp(state, "40P01") == 0)
        return AKAR_ECONFLICT; /* serialization_failure, deadlock_detected */
    return AKAR_ESTORE;
}

static PGresult *run_once(struct pgc *c, const char *sql, const struct pg_params *pp, int *rc)
{
    int n = pp ? pp->n : 0;
    int slot = prepared_slot(c, sql, n);
    if (slot < 0) {
        *rc = AKAR_ESTORE;
        return NULL;
    }
    char name[16];
    snprintf(name, sizeof name, "s%d", slot);
    PGresult *r = PQexecPrepared(c->conn, name, n, pp ? pp->v : NULL, NULL, NULL, 0);
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK || st == PGRES_COMMAND_OK) {
        *rc = 0;
        return r;
    }
    *rc = error_code(r);
    if (*rc == AKAR_ESTORE)
        log_error("pg: \"%.60s\" failed: %s", sql, PQerrorMessage(c->conn));
    PQclear(r);
    return NULL;
}

/* ---- the writer's pipeline ----
 *
 * The writer runs in libpq's pipeline mode: a statement whose answer is not needed (the
 * scope, event, audit and outbox rows of a change) is sent without waiting for it (pg_defer),
 * and the next statement that needs an answer collects every answer outstanding in the same
 * round trip. A case's creation then costs a few round trips instead of one per row. */

/* Ends the pipeline's batch and reads every answer outstanding: 0 or the first error's code;
 * *last (may be NULL) gets the last command's result when all succeeded. */
static int drain(struct pgc *c, PGresult **last)
{
    if (last)
        *last = NULL;
    if (PQpipelineSync(c->conn) != 1) {
        log_error("pg: the pipeline cannot be synced: %s", PQerrorMessage(c->conn));
        return AKAR_ESTORE;
    }
    int rc = 0;
    PGresult *keep = NULL;
    for (int idle = 0;;) {
        PGresult *r = PQgetResult(c->conn);
        if (!r) {
            /* one NULL ends each command's results; a broken connection gives only NULLs */
            if (PQstatus(c->conn) == CONNECTION_BAD || ++idle > 2) {
                rc = rc ? rc : AKAR_ESTORE;
                break;
            }
            continue;
        }
        idle = 0;
        ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_FATAL_ERROR && rc == 0) {
            rc = error_code(r);
            if (rc == AKAR_ESTORE)
                log_error("pg: %s", PQresultErrorMessage(r));
        } else if (st == PGRES_PIPELINE_ABORTED && rc == 0) {
            rc = AKAR_ESTORE;
        }
        PQclear(keep);
        keep = r;
    }
    if (rc == 0 && last)
        *last = keep;
    else
        PQclear(keep);
    return rc;
}

/* Queues sql on the writer, prepared first (in a round trip of its own, once). */
static int writer_send(struct pgc *c, const char *sql, const struct pg_params *pp)
{
    size_t h = ((uintptr_t)sql >> 3) % PG_CACHE;
    size_t probe = 0;
    for (; probe < PG_CACHE && c->prepared[h] && c->prepared[h] != sql; probe++)
        h = (h + 1) % PG_CACHE;
    if (probe == PG_CACHE) {
        log_error("pg: the statement cache is full");
        return AKAR_ESTORE;
    }
    char name[16];
    snprintf(name, sizeof name, "s%zu", h);
    int n = pp ? pp->n : 0;
    if (!c->prepared[h]) {
        if (PQsendPrepare(c->conn, name, sql, n, NULL) != 1)
            return AKAR_ESTORE;
        int rc = drain(c, NULL);
        if (rc) {
            log_error("pg: cannot prepare \"%.60s\"", sql);
            return rc;
        }
        c->prepared[h] = sql;
    }
    return PQsendQueryPrepared(c->conn, name, n, pp ? pp->v : NULL, NULL, NULL, 0) == 1
               ? 0
               : AKAR_ESTORE;
}

static bool pipelined(const struct pgc *c)
{
    return PQpipelineStatus(c->conn) == PQ_PIPELINE_ON;
}

PGresult *pg_run(struct pgc *c, const char *sql, const struct pg_params *pp, int *rc)
{
    if (pipelined(c)) {
        PGresult *r = NULL;
        *rc = writer_send(c, sql, pp);
        if (*rc == 0)
            *rc = drain(c, &r);
        return r;
    }
    PGresult *r = run_once(c, sql, pp, rc);
    /* a read connection whose server restarted or dropped it comes back once; the writer's
     * transaction cannot, and its group fails */
    if (!r && c != &c->owner->writer && PQstatus(c->conn) == CONNECTION_BAD) {
        PQreset(c->conn);
        forget_prepared(c);
        if (PQstatus(c->conn) == CONNECTION_OK)
            r = run_once(c, sql, pp, rc);
    }
    return r;
}

int pg_exec(struct pgc *c, const char *sql, const struct pg_params *pp, int64_t *changed)
{
    int rc;
    PGresult *r = pg_run(c, sql, pp, &rc);
    if (r && changed) {
        const char *t = PQcmdTuples(r);
        *changed = t && *t ? strtoll(t, NULL, 10) : 0;
    }
    PQclear(r);
    return rc;
}

int pg_defer(struct pgc *c, const char *sql, const struct pg_params *pp)
{
    return pipelined(c) ? writer_send(c, sql, pp) : pg_exec(c, sql, pp, NULL);
}

int pg_simple(struct pgc *c, const char *sql, bool quiet)
{
    if (pipelined(c)) {
        if (PQsendQueryParams(c->conn, sql, 0, NULL, NULL, NULL, NULL, 0) != 1)
            return AKAR_ESTORE;
        int rc = drain(c, NULL);
        if (rc && !quiet)
            log_error("pg: \"%.60s\" failed", sql);
        return rc;
    }
    PGresult *r = PQexec(c->conn, sql);
    ExecStatusType st = PQresultStatus(r);
    int rc = st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? 0 : AKAR_ESTORE;
    if (rc && !quiet)
        log_error("pg: \"%.60s\" failed: %s", sql, PQerrorMessage(c->conn));
    PQclear(r);
    return rc;
}

/* Queues a statement without parameters on the writer (BEGIN, SAVEPOINT, RELEASE). */
static int defer_simple(struct pgc *c, const char *sql)
{
    if (!pipelined(c))
        return pg_simple(c, sql, false);
    return PQsendQueryParams(c->conn, sql, 0, NULL, NULL, NULL, NULL, 0) == 1 ? 0 : AKAR_ESTORE;
}

/* The writer's connection in pipeline mode, reconnected first if it was lost. */
static int writer_ready(struct pgc *c)
{
    if (PQstatus(c->conn) == CONNECTION_BAD) {
        PQreset(c->conn);
        forget_prepared(c);
    }
    if (PQstatus(c->conn) != CONNECTION_OK)
        return AKAR_ESTORE;
    if (!pipelined(c) && PQenterPipelineMode(c->conn) != 1) {
        log_error("pg: cannot enter pipeline mode: %s", PQerrorMessage(c->conn));
        return AKAR_ESTORE;
    }
    return 0;
}

static void reader_destroy(void *p)
{
    struct pgc *c = p;
    struct pg *q = c->owner;
    pthread_mutex_lock(&q->readers_lock);
    for (struct pgc **pp = &q->readers; *pp; pp = &(*pp)->next) {
        if (*pp == c) {
            *pp = c->next;
            break;
        }
    }
    pthread_mutex_unlock(&q->readers_lock);
    conn_close(c);
    free(c);
}

struct pgc *pg_reader(struct pg *q)
{
    struct pgc *c = pthread_getspecific(q->reader_key);
    if (c)
        return c;
    c = xcalloc(1, sizeof *c);
    c->owner = q;
    char err[256];
    if (conn_open(c, q->url, err, sizeof err) != 0) {
        log_error("pg: cannot open a read connection: %s", err);
        free(c);
        return NULL;
    }
    pthread_mutex_lock(&q->readers_lock);
    c->next = q->readers;
    q->readers = c;
    pthread_mutex_unlock(&q->readers_lock);
    pthread_setspecific(q->reader_key, c);
    return c;
}

/* ---- small reads shared by open, the writer and the readers ---- */

static int read_meta(struct pgc *c, struct arena *a, const char *key, const char **value)
{
    struct pg_params pp = {0};
    pp_text(&pp, key);
    int rc;
    PGresult *r = pg_run(c, SQL_META_GET, &pp, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        *value = pg_text(a, r, 0, 0);
    PQclear(r);
    return rc;
}

static int write_meta(struct pgc *c, const char *key, const char *value)
{
    struct pg_params pp = {0};
    pp_text(&pp, key);
    pp_text(&pp, value);
    return pg_exec(c, SQL_META_SET, &pp, NULL);
}

static int read_head(struct pgc *c, const char *sql, int64_t *seq,
                     unsigned char hash[CHAIN_HASH_BYTES], int64_t *generation)
{
    int rc;
    PGresult *r = pg_run(c, sql, NULL, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 && pg_bytes(r, 0, 1, hash, CHAIN_HASH_BYTES) == 0 ? 0 : AKAR_ESTORE;
    *seq = pg_int(r, 0, 0);
    if (generation)
        *generation = PQnfields(r) > 2 ? pg_int(r, 0, 2) : 0;
    PQclear(r);
    return rc;
}

/* ---- migrations ---- */

/* The schema version: 0 for an empty database (no meta table yet). */
static int schema_version(struct pgc *c, int *out)
{
    PGresult *r = PQexec(c->conn, "SELECT to_regclass('meta') IS NOT NULL");
    if (PQresultStatus(r) != PGRES_TUPLES_OK) {
        PQclear(r);
        return AKAR_ESTORE;
    }
    bool has_meta = pg_bool(r, 0, 0);
    PQclear(r);
    *out = 0;
    if (!has_meta)
        return 0;
    struct arena *a = arena_new();
    const char *v = NULL;
    int rc = read_meta(c, a, "schema.version", &v);
    if (rc == 0)
        *out = atoi(v);
    arena_free(a);
    return rc == AKAR_ENOTFOUND ? 0 : rc;
}

static int migrate(struct pgc *c, int have, int known, char *err, size_t errlen)
{
    for (int v = have + 1; v <= known; v++) {
        const char *name = NULL, *sql = migration_sql("pg", v, &name, err, errlen);
        if (!sql)
            return AKAR_ESTORE;
        char version[16];
        snprintf(version, sizeof version, "%d", v);
        if (pg_simple(c, "BEGIN", false) != 0 || pg_simple(c, sql, true) != 0) {
            snprintf(err, errlen, "migration %s failed: %s", name, PQerrorMessage(c->conn));
            pg_simple(c, "ROLLBACK", true);
            return AKAR_ESTORE;
        }
        /* prepared statements may name tables the migration just changed */
        PQclear(PQexec(c->conn, "DEALLOCATE ALL"));
        forget_prepared(c);
        if (write_meta(c, "schema.version", version) != 0 || pg_simple(c, "COMMIT", false) != 0) {
            snprintf(err, errlen, "migration %s failed: %s", name, PQerrorMessage(c->conn));
            pg_simple(c, "ROLLBACK", true);
            return AKAR_ESTORE;
        }
    }
    return 0;
}

/* A connection string for the same server with dbname replaced, for creating the database. */
static char *with_dbname(const char *url, const char *dbname, char **target)
{
    PQconninfoOption *opts = PQconninfoParse(url, NULL);
    if (!opts)
        return NULL;
    struct buf {
        char *s;
        size_t n;
    } b = {xstrdup(""), 0};
    *target = NULL;
    for (PQconninfoOption *o = opts; o->keyword; o++) {
        if (!o->val)
            continue;
        const char *v = o->val;
        if (strcmp(o->keyword, "dbname") == 0) {
            *target = xstrdup(o->val);
            v = dbname;
        }
        size_t add = strlen(o->keyword) + 2 * strlen(v) + 6;
        b.s = xrealloc(b.s, b.n + add);
        b.n += (size_t)sprintf(b.s + b.n, "%s='", o->keyword);
        for (const char *p = v; *p; p++) {
            if (*p == '\'' || *p == '\\')
                b.s[b.n++] = '\\';
            b.s[b.n++] = *p;
        }
        b.n += (size_t)sprintf(b.s + b.n, "' ");
    }
    PQconninfoFree(opts);
    if (!*target) {
        free(b.s);
        return NULL;
    }
    return b.s;
}

/* `akar init` on a database that does not exist yet creates it (when the role may). */
static int create_database(const char *url, char *err, size_t errlen)
{
    char *name = NULL, *admin = with_dbname(url, "postgres", &name);
    if (!admin) {
        snprintf(err, errlen, "the URL names no database");
        return AKAR_EINVAL;
    }
    struct pgc c = {0};
    int rc = conn_open(&c, admin, err, errlen);
    if (rc == 0) {
        char *ident = PQescapeIdentifier(c.conn, name, strlen(name));
        size_t n = strlen(ident) + 64;
        char *sql = xmalloc(n);
        snprintf(sql, n, "CREATE DATABASE %s ENCODING 'UTF8' TEMPLATE template0", ident);
        PGresult *r = PQexec(c.conn, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK && error_code(r) != AKAR_EEXIST) {
            snprintf(err, errlen, "cannot create the database %s: %s", name,
                     PQerrorMessage(c.conn));
            rc = AKAR_ESTORE;
        }
        PQclear(r);
        free(sql);
        PQfreemem(ident);
        conn_close(&c);
    }
    free(admin);
    free(name);
    return rc;
}

/* ---- open and close ---- */

static int pg_open(const char *url, enum store_open_mode mode, void **impl, int *have, int *known,
                   int *migrated_from, char *err, size_t errlen)
{
    struct pg *q = xcalloc(1, sizeof *q);
    q->url = xstrdup(url);
    char shown[512]; /* the URL without its password, for messages */
    store_url_shown(url, shown, sizeof shown);
    q->writer.owner = q;
    *known = migration_known("pg");
    char why[512];
    int rc = conn_open(&q->writer, url, why, sizeof why);
    if (rc != 0 && mode == STORE_OPEN_MIGRATE && strstr(why, "does not exist")) {
        rc = create_database(url, err, errlen);
        if (rc != 0)
            goto fail;
        rc = conn_open(&q->writer, url, why, sizeof why);
    }
    if (rc != 0) {
        if (strstr(why, "does not exist"))
            snprintf(err, errlen, "no database at %s: create it with `akar init --db %s`", shown,
                     url);
        else
            snprintf(err, errlen, "cannot connect to %s: %s", shown, why);
        rc = strstr(why, "does not exist") ? AKAR_ENOTFOUND : AKAR_ESTORE;
        goto fail;
    }
    if (mode == STORE_OPEN_MIGRATE) {
        /* two `akar init` at once: the second waits, then finds nothing left to do */
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT pg_advisory_lock(%lld)", LOCK_MIGRATE);
        if (pg_simple(&q->writer, sql, false) != 0) {
            snprintf(err, errlen, "%s: cannot take the migration lock", shown);
            rc = AKAR_ESTORE;
            goto fail;
        }
    }
    PGresult *standby = PQexec(q->writer.conn, "SELECT pg_is_in_recovery()");
    bool read_only = PQresultStatus(standby) == PGRES_TUPLES_OK && pg_bool(standby, 0, 0);
    PQclear(standby);
    q->standby = read_only;
    if (read_only && mode == STORE_OPEN_MIGRATE) {
        snprintf(err, errlen, "%s is a standby (read-only) server: migrate the primary", shown);
        rc = AKAR_ESTORE;
        goto fail;
    }
    rc = schema_version(&q->writer, have);
    if (rc != 0) {
        snprintf(err, errlen, "%s: cannot read the schema version: %s", shown,
                 PQerrorMessage(q->writer.conn));
        goto fail;
    }
    *migrated_from = *have;
    if (*have > *known) {
        snprintf(err, errlen,
                 "%s has schema version %d, newer than this akar knows (%d): upgrade akar "
                 "before using it",
                 shown, *have, *known);
        rc = AKAR_ETOONEW;
        goto fail;
    }
    if (*have < *known) {
        if (mode == STORE_OPEN_EXISTING) {
            snprintf(err, errlen,
                     "%s has schema version %d but this akar needs %d: run `akar init --db %s`",
                     shown, *have, *known, shown);
            rc = AKAR_ECONFLICT;
            goto fail;
        }
        rc = migrate(&q->writer, *have, *known, err, errlen);
        if (rc != 0)
            goto fail;
        *have = *known;
    }
    if (mode == STORE_OPEN_MIGRATE) {
        char sql[64];
        snprintf(sql, sizeof sql, "SELECT pg_advisory_unlock(%lld)", LOCK_MIGRATE);
        pg_simple(&q->writer, sql, false);
    }
    pthread_key_create(&q->reader_key, reader_destroy);
    pthread_mutex_init(&q->readers_lock, NULL);
    *impl = q;
    return 0;
fail:
    conn_close(&q->writer);
    free(q->url);
    free(q);
    return rc;
}

static void pg_close(void *impl)
{
    struct pg *q = impl;
    pthread_key_delete(q->reader_key);
    for (struct pgc *c = q->readers, *next; c; c = next) {
        next = c->next;
        conn_close(c);
        free(c);
    }
    pthread_mutex_destroy(&q->readers_lock);
    conn_close(&q->writer);
    free(q->url);
    free(q);
}

/* ---- writes ---- */

int pg_fail(struct store_write *w, int rc, const char *fmt, const char *arg)
{
    w->rc = rc;
    snprintf(w->errmsg, sizeof w->errmsg, fmt, arg ? arg : "");
    return rc;
}

int pg_audit(struct pg *q, const struct store_write *w, const char *action, const char *object_type,
             const char *object_id)
{
    struct chain_entry e = {
        .seq = q->head_seq + 1,
        .at_ms = w->at_ms ? w->at_ms : clock_now_ms(),
        .actor = w->actor ? w->actor : "system",
        .action = action,
        .object_type = object_type,
        .object_id = object_id,
        .detail = w->audit_detail ? w->audit_detail : "{}",
    };
    memcpy(e.prev_hash, q->head_hash, CHAIN_HASH_BYTES);
    chain_hash(&e, e.hash);
    struct arena *a = arena_new();
    struct pg_params pp = {.a = a};
    pp_int(&pp, e.seq);
    pp_int(&pp, e.at_ms);
    pp_text(&pp, e.actor);
    pp_text(&pp, e.action);
    pp_text(&pp, e.object_type);
    pp_text(&pp, e.object_id);
    pp_text(&pp, e.detail);
    pp_bytes(&pp, e.prev_hash, CHAIN_HASH_BYTES);
    pp_bytes(&pp, e.hash, CHAIN_HASH_BYTES);
    /* the parameters are copied into the connection's buffer as the statement is queued */
    int rc = pg_defer(&q->writer, SQL_AUDIT_INSERT, &pp);
    arena_free(a);
    if (rc == 0) {
        q->head_seq = e.seq;
        memcpy(q->head_hash, e.hash, CHAIN_HASH_BYTES);
    }
    return rc;
}

int pg_unit_lookup(struct pgc *c, const char *code, int64_t *id, char **path)
{
    struct pg_params pp = {0};
    pp_text(&pp, code);
    int rc;
    PGresult *r = pg_run(c, SQL_UNIT_GET, &pp, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0) {
        *id = pg_int(r, 0, 0);
        if (path)
            *path = xstrdup(PQgetvalue(r, 0, 5));
    }
    PQclear(r);
    return rc;
}

/* Runs an INSERT ... RETURNING id: 0 with *id, or the error. */
static int insert_id(struct pgc *c, const char *sql, const struct pg_params *pp, int64_t *id)
{
    int rc;
    PGresult *r = pg_run(c, sql, pp, &rc);
    if (r && PQntuples(r) == 1)
        *id = pg_int(r, 0, 0);
    else if (r)
        rc = AKAR_ESTORE;
    PQclear(r);
    return rc;
}

static int apply_unit_add(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    int64_t parent_id = 0;
    char *parent_path = NULL;
    if (w->u.unit.parent_code) {
        int rc = pg_unit_lookup(c, w->u.unit.parent_code, &parent_id, &parent_path);
        if (rc == AKAR_ENOTFOUND)
            return pg_fail(w, rc, "parent unit %s does not exist", w->u.unit.parent_code);
        if (rc)
            return pg_fail(w, rc, "the store failed%s", NULL);
    }
    size_t n = (parent_path ? strlen(parent_path) : 1) + strlen(w->u.unit.code) + 2;
    char *path = xmalloc(n);
    snprintf(path, n, "%s%s/", parent_path ? parent_path : "/", w->u.unit.code);
    free(parent_path);
    struct pg_params pp = {0};
    pp_text(&pp, w->u.unit.code);
    pp_text(&pp, w->u.unit.name);
    pp_text(&pp, w->u.unit.level);
    if (parent_id)
        pp_int(&pp, parent_id);
    else
        pp_null(&pp);
    pp_text(&pp, path);
    pp_text(&pp, w->u.unit.time_zone);
    pp_bool(&pp, w->u.unit.remote);
    pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
    int rc = insert_id(c, SQL_UNIT_INSERT, &pp, &w->id);
    free(path);
    if (rc == AKAR_EEXIST)
        return pg_fail(w, rc, "unit %s exists already", w->u.unit.code);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    if (pg_exec(c, SQL_UNITS_VERSION_BUMP, NULL, NULL) != 0)
        return pg_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    return pg_audit(q, w, "unit.add", "unit", w->u.unit.code);
}

static int apply_user_add(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    int64_t unit_id;
    int rc = pg_unit_lookup(c, w->u.user.unit_code, &unit_id, NULL);
    if (rc == AKAR_ENOTFOUND)
        return pg_fail(w, rc, "unit %s does not exist", w->u.user.unit_code);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    struct pg_params pp = {0};
    pp_text(&pp, w->u.user.login);
    pp_text(&pp, w->u.user.display_name);
    pp_text(&pp, w->u.user.password_hash);
    pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
    pp_text(&pp, w->u.user.email);
    pp_text(&pp, w->u.user.totp_sealed);
    rc = insert_id(c, SQL_USER_INSERT, &pp, &w->id);
    if (rc == AKAR_EEXIST)
        return pg_fail(w, rc, "login %s is taken", w->u.user.login);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    struct pg_params grant = {0};
    pp_int(&grant, w->id);
    pp_text(&grant, w->u.user.role);
    pp_int(&grant, unit_id);
    if (pg_exec(c, SQL_GRANT_INSERT, &grant, NULL) != 0)
        return pg_fail(w, AKAR_EINVAL, "role %s cannot be granted", w->u.user.role);
    return pg_audit(q, w, "user.add", "user", w->u.user.login);
}

static int apply_session(struct pg *q, struct store_write *w, bool add)
{
    struct arena *a = arena_new();
    struct pg_params pp = {.a = a};
    pp_bytes(&pp, w->u.session.token_hash, 32);
    if (add) {
        pp_int(&pp, w->u.session.user_id);
        pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
        pp_int(&pp, w->u.session.expires_ms);
    }
    int64_t changed = 0;
    int rc = pg_exec(&q->writer, add ? SQL_SESSION_INSERT : SQL_SESSION_DELETE, &pp, &changed);
    arena_free(a);
    if (rc)
        return pg_fail(w, rc, "the session could not be stored%s", NULL);
    if (!add && changed == 0)
        return pg_fail(w, AKAR_ENOTFOUND, "no such session%s", NULL);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->u.session.user_id);
    return pg_audit(q, w, add ? "session.create" : "session.delete", "user", id);
}

/* As in the SQLite back-end: the step becomes the last accepted; audited when it confirms. */
static int apply_user_totp(struct pg *q, struct store_write *w)
{
    struct pg_params pp = {0};
    pp_int(&pp, w->u.totp.user_id);
    pp_int(&pp, w->u.totp.step);
    pp_text(&pp, w->u.totp.sealed);
    int64_t changed = 0;
    int rc = pg_exec(&q->writer, SQL_USER_TOTP, &pp, &changed);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    if (changed != 1)
        return pg_fail(w, AKAR_ECONFLICT, "this code was used already%s", NULL);
    if (!w->u.totp.confirm)
        return 0;
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->u.totp.user_id);
    return pg_audit(q, w, "user.totp_enrol", "user", id);
}

/* A new unconfirmed secret, and every session of the account ended; audited with the count. */
static int apply_user_totp_reset(struct pg *q, struct store_write *w)
{
    struct pg_params pp = {0};
    pp_int(&pp, w->u.totp_reset.user_id);
    pp_text(&pp, w->u.totp_reset.sealed);
    int64_t changed = 0;
    int rc = pg_exec(&q->writer, SQL_USER_TOTP_RESET, &pp, &changed);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    if (changed != 1)
        return pg_fail(w, AKAR_ENOTFOUND, "no such user%s", NULL);
    struct pg_params user = {0};
    pp_int(&user, w->u.totp_reset.user_id);
    rc = pg_exec(&q->writer, SQL_SESSION_DELETE_USER, &user, &w->id);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    char id[24], detail[64];
    snprintf(id, sizeof id, "%lld", (long long)w->u.totp_reset.user_id);
    snprintf(detail, sizeof detail, "{\"sessions_ended\":%lld}", (long long)w->id);
    const char *saved = w->audit_detail;
    w->audit_detail = detail;
    rc = pg_audit(q, w, "user.totp_reset", "user", id);
    w->audit_detail = saved;
    return rc;
}

static int apply_purge(struct pg *q, struct store_write *w)
{
    struct pg_params pp = {0};
    pp_int(&pp, w->u.purge.now_ms);
    int rc = pg_exec(&q->writer, SQL_SESSION_PURGE, &pp, &w->id);
    if (rc)
        return pg_fail(w, rc, "the store failed%s", NULL);
    /* counts of failed attempts from windows long gone go with the sessions */
    struct pg_params old = {0};
    pp_int(&old, w->u.purge.now_ms / 1000 - 86400);
    if (pg_exec(&q->writer, SQL_RATE_PURGE, &old, NULL) != 0)
        return pg_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    if (w->id == 0)
        return 0;
    char detail[64];
    snprintf(detail, sizeof detail, "{\"count\":%lld}", (long long)w->id);
    const char *saved = w->audit_detail;
    w->audit_detail = detail;
    rc = pg_audit(q, w, "session.purge", "session", "expired");
    w->audit_detail = saved;
    return rc;
}

static int apply_kind(struct pg *q, struct store_write *w)
{
    w->rc = 0;
    switch (w->kind) {
    case STORE_W_META_SET: {
        int rc = write_meta(&q->writer, w->u.meta.key, w->u.meta.value);
        if (rc)
            return pg_fail(w, rc, "the store failed%s", NULL);
        return pg_audit(q, w, "setting.set", "setting", w->u.meta.key);
    }
    case STORE_W_UNIT_ADD:
        return apply_unit_add(q, w);
    case STORE_W_USER_ADD:
        return apply_user_add(q, w);
    case STORE_W_SESSION_ADD:
        return apply_session(q, w, true);
    case STORE_W_SESSION_DELETE:
        return apply_session(q, w, false);
    case STORE_W_SESSION_PURGE:
        return apply_purge(q, w);
    case STORE_W_APIKEY_ADD:
        return pg_apply_apikey_add(q, w);
    case STORE_W_APIKEY_REVOKE:
        return pg_apply_apikey_revoke(q, w);
    case STORE_W_CASE_CREATE:
        return pg_apply_case_create(q, w);
    case STORE_W_CASE_UPDATE:
        return pg_apply_case_update(q, w);
    case STORE_W_CATEGORY_ADD:
        return pg_apply_category_add(q, w);
    case STORE_W_QUESTION_ADD:
        return pg_apply_question_add(q, w);
    case STORE_W_ATTACHMENT_ADD:
        return pg_apply_attachment_add(q, w);
    case STORE_W_OUTBOX_RESULT:
        return pg_apply_outbox_result(q, w);
    case STORE_W_DUE_WARNED:
        return pg_apply_due_warned(q, w);
    case STORE_W_USER_TOTP:
        return apply_user_totp(q, w);
    case STORE_W_USER_TOTP_RESET:
        return apply_user_totp_reset(q, w);
    case STORE_W_IDEMPOTENCY_ADD:
        return pg_apply_idempotency_add(q, w);
    case STORE_W_IDEMPOTENCY_PURGE:
        return pg_apply_idempotency_purge(q, w);
    case STORE_W_BATCH: {
        int64_t created = 0; /* the case a CASE_CREATE item made, for attachments of case 0 */
        for (size_t i = 0; i < w->u.batch.n; i++) {
            struct store_write *item = w->u.batch.items[i];
            if (!item->actor)
                item->actor = w->actor;
            if (item->kind == STORE_W_ATTACHMENT_ADD && item->u.attachment.case_id == 0)
                item->u.attachment.case_id = created;
            int rc = apply_kind(q, item);
            if (rc == 0 && item->kind == STORE_W_CASE_CREATE)
                created = item->id;
            if (rc) {
                w->rc = rc;
                snprintf(w->errmsg, sizeof w->errmsg, "%s", item->errmsg);
                return rc;
            }
        }
        return 0;
    }
    }
    return pg_fail(w, AKAR_EINVAL, "unknown write%s", NULL);
}

/* The group's transaction starts by locking the chain head's row: the writers of every server
 * queue there, so each group appends to the chain as it was when the previous group (of any
 * server) committed, and a case's version checked in the group cannot move before commit. */
static int begin_once(struct pg *q)
{
    if (writer_ready(&q->writer) != 0 || defer_simple(&q->writer, "BEGIN") != 0)
        return AKAR_ESTORE;
    if (read_head(&q->writer, SQL_HEAD_LOCK, &q->head_seq, q->head_hash, NULL) != 0) {
        pg_simple(&q->writer, "ROLLBACK", true);
        return AKAR_ESTORE;
    }
    return 0;
}

/* A connection the server dropped (PostgreSQL restarted, a network blip) is found out by the
 * first statement sent on it: the group then starts again on a new connection rather than
 * failing the writes queued in it. */
static int pg_group_begin(void *impl)
{
    struct pg *q = impl;
    int rc = begin_once(q);
    if (rc != 0 && PQstatus(q->writer.conn) == CONNECTION_BAD) {
        log_info("pg: the write connection was lost; connecting again");
        rc = begin_once(q);
    }
    if (rc != 0)
        return rc;
    q->begun_seq = q->head_seq;
    q->wrote = false;
    return 0;
}

/* Each write runs in a savepoint of its own; what it deferred is collected with the savepoint's
 * release, so a statement of it that failed undoes the write alone. */
static int pg_apply(void *impl, struct store_write *w)
{
    struct pg *q = impl;
    int64_t seq = q->head_seq;
    unsigned char hash[CHAIN_HASH_BYTES];
    memcpy(hash, q->head_hash, CHAIN_HASH_BYTES);
    if (defer_simple(&q->writer, "SAVEPOINT w") != 0)
        return pg_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    int rc = apply_kind(q, w);
    if (rc == 0) {
        rc = pg_simple(&q->writer, "RELEASE SAVEPOINT w", false);
        if (rc)
            pg_fail(w, rc == AKAR_EEXIST ? rc : AKAR_ESTORE, "the store failed%s", NULL);
    }
    if (rc) {
        if (!w->rc)
            pg_fail(w, rc, "the store failed%s", NULL);
        if (rc == AKAR_ESTORE)
            log_error("pg: write of kind %d failed", w->kind);
        pg_simple(&q->writer, "ROLLBACK TO SAVEPOINT w", false);
        pg_simple(&q->writer, "RELEASE SAVEPOINT w", false);
        q->head_seq = seq;
        memcpy(q->head_hash, hash, CHAIN_HASH_BYTES);
    } else {
        q->wrote = true;
    }
    return w->rc;
}

static int pg_group_commit(void *impl)
{
    struct pg *q = impl;
    if (q->wrote) {
        struct arena *a = arena_new();
        struct pg_params pp = {.a = a};
        pp_int(&pp, q->head_seq);
        pp_bytes(&pp, q->head_hash, CHAIN_HASH_BYTES);
        int rc = pg_defer(&q->writer, SQL_HEAD_SET, &pp);
        arena_free(a);
        if (rc != 0)
            return rc;
    }
    return pg_simple(&q->writer, "COMMIT", false);
}

static void pg_group_abort(void *impl)
{
    struct pg *q = impl;
    pg_simple(&q->writer, "ROLLBACK", true);
    q->head_seq = q->begun_seq;
}

/* ---- reads ---- */

/* Runs a read on this thread's connection. */
static PGresult *read_run(struct pg *q, const char *sql, const struct pg_params *pp, int *rc)
{
    struct pgc *c = pg_reader(q);
    if (!c) {
        *rc = AKAR_ESTORE;
        return NULL;
    }
    return pg_run(c, sql, pp, rc);
}

static void unit_from_row(struct arena *a, const PGresult *r, int i, struct unit_row *u)
{
    u->id = pg_int(r, i, 0);
    u->code = pg_text(a, r, i, 1);
    u->name = pg_text(a, r, i, 2);
    u->level = pg_text(a, r, i, 3);
    u->parent_code = pg_text(a, r, i, 4);
    u->path = pg_text(a, r, i, 5);
    u->time_zone = pg_text(a, r, i, 6);
    u->remote = pg_bool(r, i, 7);
    u->created_at = pg_int(r, i, 8);
}

static int be_unit_list(void *impl, struct arena *a, struct unit_row **rows, size_t *n)
{
    int rc;
    PGresult *r = read_run(impl, SQL_UNIT_LIST, NULL, &rc);
    if (!r)
        return rc;
    int k = PQntuples(r);
    struct unit_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        unit_from_row(a, r, i, &out[i]);
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

static int be_unit_get(void *impl, struct arena *a, const char *code, struct unit_row *out)
{
    struct pg_params pp = {0};
    pp_text(&pp, code);
    int rc;
    PGresult *r = read_run(impl, SQL_UNIT_GET, &pp, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        unit_from_row(a, r, 0, out);
    PQclear(r);
    return rc;
}

static int be_user_get(void *impl, struct arena *a, const char *login, int64_t id,
                       struct user_row *out)
{
    struct pg_params pp = {0};
    if (login)
        pp_text(&pp, login);
    else
        pp_int(&pp, id);
    int rc;
    PGresult *r = read_run(impl, login ? SQL_USER_BY_LOGIN : SQL_USER_BY_ID, &pp, &rc);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0) {
        out->id = pg_int(r, 0, 0);
        out->login = pg_text(a, r, 0, 1);
        out->display_name = pg_text(a, r, 0, 2);
        out->password_hash = pg_text(a, r, 0, 3);
        out->disabled = pg_bool(r, 0, 4);
        out->email = pg_text(a, r, 0, 5);
        out->totp_sealed = pg_text(a, r, 0, 6);
        out->totp_confirmed = pg_bool(r, 0, 7);
        out->totp_last_step = pg_int(r, 0, 8);
    }
    PQclear(r);
    return rc;
}

static int be_user_grants(void *impl, struct arena *a, int64_t user_id, struct grant_row **rows,
                          size_t *n)
{
    struct pg_params pp = {0};
    pp_int(&pp, user_id);
    int rc;
    PGresult *r = read_run(impl, SQL_GRANTS_OF, &pp, &rc);
    if (!r)
        return rc;
    int k = PQntuples(r);
    struct grant_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++) {
        out[i].role = pg_text(a, r, i, 0);
        out[i].unit_code = pg_text(a, r, i, 1);
        out[i].unit_path = pg_text(a, r, i, 2);
    }
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

static int be_session_get(void *impl, const unsigned char token_hash[32], struct session_row *out)
{
    struct arena *a = arena_new();
    struct pg_params pp = {.a = a};
    pp_bytes(&pp, token_hash, 32);
    int rc;
    PGresult *r = read_run(impl, SQL_SESSION_GET, &pp, &rc);
    arena_free(a);
    if (!r)
        return rc;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0) {
        out->user_id = pg_int(r, 0, 0);
        out->created_ms = pg_int(r, 0, 1);
        out->expires_ms = pg_int(r, 0, 2);
    }
    PQclear(r);
    return rc;
}

static int be_session_identity(void *impl, struct arena *a, const unsigned char token_hash[32],
                               struct session_row *sess, struct user_row *user,
                               struct grant_row **grants, size_t *ngrants)
{
    struct pg_params pp = {.a = a};
    pp_bytes(&pp, token_hash, 32);
    int rc;
    PGresult *r = read_run(impl, SQL_SESSION_IDENTITY, &pp, &rc);
    if (!r)
        return rc;
    int k = PQntuples(r);
    if (k == 0) {
        PQclear(r);
        return AKAR_ENOTFOUND;
    }
    sess->user_id = pg_int(r, 0, 0);
    sess->created_ms = pg_int(r, 0, 1);
    sess->expires_ms = pg_int(r, 0, 2);
    user->id = pg_int(r, 0, 3);
    user->login = pg_text(a, r, 0, 4);
    user->display_name = pg_text(a, r, 0, 5);
    user->password_hash = pg_text(a, r, 0, 6);
    user->disabled = pg_bool(r, 0, 7);
    user->email = pg_text(a, r, 0, 8);
    user->totp_sealed = pg_text(a, r, 0, 9);
    user->totp_confirmed = pg_bool(r, 0, 10);
    user->totp_last_step = pg_int(r, 0, 11);
    struct grant_row *out = arena_alloc(a, (size_t)k * sizeof *out);
    size_t n = 0;
    for (int i = 0; i < k; i++) {
        if (pg_null(r, i, 12))
            continue; /* a user without grants: the one row the LEFT JOIN gives */
        out[n].role = pg_text(a, r, i, 12);
        out[n].unit_code = pg_text(a, r, i, 13);
        out[n].unit_path = pg_text(a, r, i, 14);
        n++;
    }
    PQclear(r);
    *grants = out;
    *ngrants = n;
    return 0;
}

static int be_meta_get(void *impl, struct arena *a, const char *key, const char **value)
{
    struct pgc *c = pg_reader(impl);
    return c ? read_meta(c, a, key, value) : AKAR_ESTORE;
}

/* In pages by seq, so that a long chain is never held in memory at once. */
static int be_audit_scan(void *impl, int (*fn)(void *arg, const struct chain_entry *e), void *arg)
{
    int64_t after = 0;
    for (;;) {
        struct pg_params pp = {0};
        pp_int(&pp, after);
        pp_int(&pp, SCAN_PAGE);
        int rc;
        PGresult *r = read_run(impl, SQL_AUDIT_PAGE, &pp, &rc);
        if (!r)
            return rc;
        int k = PQntuples(r), out = 0;
        for (int i = 0; i < k && !out; i++) {
            struct chain_entry e = {
                .seq = pg_int(r, i, 0),
                .at_ms = pg_int(r, i, 1),
                .actor = PQgetvalue(r, i, 2),
                .action = PQgetvalue(r, i, 3),
                .object_type = PQgetvalue(r, i, 4),
                .object_id = PQgetvalue(r, i, 5),
                .detail = PQgetvalue(r, i, 6),
            };
            pg_bytes(r, i, 7, e.prev_hash, CHAIN_HASH_BYTES);
            pg_bytes(r, i, 8, e.hash, CHAIN_HASH_BYTES);
            after = e.seq;
            out = fn(arg, &e);
        }
        PQclear(r);
        if (out)
            return out;
        if (k < SCAN_PAGE)
            return 0;
    }
}

static int be_units_version(void *impl, int64_t *v)
{
    struct pgc *c = pg_reader(impl);
    struct arena *a = arena_new();
    const char *value = NULL;
    int rc = c ? read_meta(c, a, "units.version", &value) : AKAR_ESTORE;
    *v = rc == 0 ? strtoll(value, NULL, 10) : 0;
    arena_free(a);
    return rc == AKAR_ENOTFOUND ? 0 : rc;
}

/* Every server's groups move chain_head.generation; each thread compares its own readings. */
static int be_others_committed(void *impl, bool *yes)
{
    struct pgc *c = pg_reader(impl);
    int64_t seq, generation;
    unsigned char hash[CHAIN_HASH_BYTES];
    if (!c || read_head(c, SQL_HEAD_GET, &seq, hash, &generation) != 0)
        return AKAR_ESTORE;
    *yes = !c->generation_read || generation != c->generation_seen;
    c->generation_read = true;
    c->generation_seen = generation;
    return 0;
}

static int be_audit_head(void *impl, int64_t *seq, unsigned char hash[CHAIN_HASH_BYTES])
{
    struct pgc *c = pg_reader(impl);
    return c ? read_head(c, SQL_HEAD_GET, seq, hash, NULL) : AKAR_ESTORE;
}

static int be_audit_count(void *impl, const char *action, int64_t *n)
{
    struct pg_params pp = {0};
    pp_text(&pp, action);
    int rc;
    PGresult *r = read_run(impl, SQL_AUDIT_COUNT, &pp, &rc);
    if (!r)
        return rc;
    *n = pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

static bool be_read_only(void *impl)
{
    return ((struct pg *)impl)->standby;
}

static int be_backup(void *impl, const char *to_path, char *err, size_t errlen)
{
    (void)impl;
    snprintf(err, errlen,
             "akar backup copies SQLite databases; back up a PostgreSQL database with pg_dump, "
             "or with a base backup and WAL archiving (nothing was written to %s)",
             to_path);
    return AKAR_EINVAL;
}

/* ---- shared counters and the one-server lock ---- */

static int be_rate_add(void *impl, const char *key, int64_t window_at, int64_t *count)
{
    struct pg_params pp = {0};
    pp_text(&pp, key);
    pp_int(&pp, window_at);
    int rc;
    PGresult *r = read_run(impl, SQL_RATE_ADD, &pp, &rc);
    if (!r)
        return rc;
    *count = pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

static int be_rate_get(void *impl, const char *key, int64_t window_at, int64_t *count)
{
    struct pg_params pp = {0};
    pp_text(&pp, key);
    pp_int(&pp, window_at);
    int rc;
    PGresult *r = read_run(impl, SQL_RATE_GET, &pp, &rc);
    if (!r)
        return rc;
    *count = pg_int(r, 0, 0);
    PQclear(r);
    return 0;
}

static int be_rate_clear(void *impl, const char *key)
{
    struct pgc *c = pg_reader(impl);
    struct pg_params pp = {0};
    pp_text(&pp, key);
    return c ? pg_exec(c, SQL_RATE_CLEAR, &pp, NULL) : AKAR_ESTORE;
}

/* The sweep's lock is held by this thread's connection until released. */
static int be_sweep_lock(void *impl, bool take, bool *got)
{
    struct pg_params pp = {0};
    pp_int(&pp, LOCK_SWEEP);
    int rc;
    PGresult *r = read_run(impl, take ? SQL_TRY_LOCK : SQL_UNLOCK, &pp, &rc);
    if (!r)
        return rc;
    if (got)
        *got = pg_bool(r, 0, 0);
    PQclear(r);
    return 0;
}

/* ---- the petition reads, in cases.c, outbox.c and stats.c ---- */

static int be_case_get(void *impl, struct arena *a, int64_t id, const char *tracking_code,
                       struct case_row *out)
{
    return pg_case_get(impl, a, id, tracking_code, out);
}

static int be_case_stamp(void *impl, const char *tracking_code, struct case_stamp *out)
{
    return pg_case_stamp(impl, tracking_code, out);
}

static int be_case_events(void *impl, struct arena *a, int64_t case_id,
                          struct case_event_row **rows, size_t *n)
{
    return pg_case_events(impl, a, case_id, rows, n);
}

static int be_case_query(void *impl, struct arena *a, const struct case_query *q,
                         struct case_row **rows, size_t *n)
{
    return pg_case_query(impl, a, q, rows, n);
}

static int be_case_feed(void *impl, struct arena *a, int64_t scope_unit_id, size_t limit,
                        struct case_feed_row **rows, size_t *n)
{
    return pg_case_feed(impl, a, scope_unit_id, limit, rows, n);
}

static int be_case_merged(void *impl, struct arena *a, int64_t case_id,
                          struct case_merged_row **rows, size_t *n)
{
    return pg_case_merged(impl, a, case_id, rows, n);
}

static int be_case_list(void *impl, struct arena *a, const struct case_filter *f,
                        struct case_row **rows, size_t *n)
{
    return pg_case_list(impl, a, f, rows, n);
}

static int be_case_similar(void *impl, struct arena *a, int64_t scope_unit_id, const char *text,
                           size_t limit, struct case_row **rows, size_t *n)
{
    return pg_case_similar(impl, a, scope_unit_id, text, limit, rows, n);
}

static int be_case_stats(void *impl, struct arena *a, int64_t scope_unit_id, int64_t now,
                         int64_t soon, struct case_stats *out)
{
    return pg_case_stats(impl, a, scope_unit_id, now, soon, out);
}

static int be_case_by_creator(void *impl, struct arena *a, int64_t user_id, int64_t before_id,
                              size_t limit, struct case_row **rows, size_t *n)
{
    return pg_case_by_creator(impl, a, user_id, before_id, limit, rows, n);
}

static int be_case_due_between(void *impl, struct arena *a, int64_t from, int64_t to, size_t limit,
                               struct case_row **rows, size_t *n)
{
    return pg_case_due_between(impl, a, from, to, limit, rows, n);
}

static int be_category_find(void *impl, struct arena *a, const char *unit_path, const char *code,
                            struct category_row *out)
{
    return pg_category_find(impl, a, unit_path, code, out);
}

static int be_category_list(void *impl, struct arena *a, const char *unit_path,
                            struct category_row **rows, size_t *n)
{
    return pg_category_list(impl, a, unit_path, rows, n);
}

static int be_category_questions(void *impl, struct arena *a, int64_t category_id,
                                 struct category_question **rows, size_t *n)
{
    return pg_category_questions(impl, a, category_id, rows, n);
}

static int be_attachment_list(void *impl, struct arena *a, int64_t case_id,
                              struct attachment_row **rows, size_t *n)
{
    return pg_attachment_list(impl, a, case_id, rows, n);
}

static int be_attachment_get(void *impl, struct arena *a, int64_t id, struct attachment_row *out)
{
    return pg_attachment_get(impl, a, id, out);
}

static int be_apikey_get(void *impl, struct arena *a, int64_t id, const unsigned char *key_hash,
                         struct apikey_row *out)
{
    return pg_apikey_get(impl, a, id, key_hash, out);
}

static int be_apikey_list(void *impl, struct arena *a, const char *root_path,
                          struct apikey_row **rows, size_t *n)
{
    return pg_apikey_list(impl, a, root_path, rows, n);
}

static int be_outbox_due(void *impl, struct arena *a, int64_t now_ms, size_t limit,
                         struct outbox_row **rows, size_t *n)
{
    return pg_outbox_due(impl, a, now_ms, limit, rows, n);
}

static int be_outbox_due_on(void *impl, struct arena *a, const char *channel, int64_t now_ms,
                            size_t limit, struct outbox_row **rows, size_t *n)
{
    return pg_outbox_due_on(impl, a, channel, now_ms, limit, rows, n);
}

static int be_webhook_secret(void *impl, struct arena *a, const char *url, const char **secret)
{
    return pg_webhook_secret(impl, a, url, secret);
}

static int be_webhooks_for(void *impl, struct arena *a, const char *unit_path,
                           struct webhook_row **rows, size_t *n)
{
    return pg_webhooks_for(impl, a, unit_path, rows, n);
}

static int be_users_with_role(void *impl, struct arena *a, const char *unit_path, const char *role,
                              struct user_row **rows, size_t *n)
{
    return pg_users_with_role(impl, a, unit_path, role, rows, n);
}

static int be_due_warned(void *impl, int64_t case_id, int64_t due_at, bool *warned)
{
    return pg_due_warned(impl, case_id, due_at, warned);
}

static int be_idempotency_get(void *impl, struct arena *a, const char *scope, const char *key,
                              int64_t since, struct idempotency_row *out)
{
    return pg_idempotency_get(impl, a, scope, key, since, out);
}

const struct store_backend store_pg_backend = {
    .name = "postgresql",
    .open = pg_open,
    .close = pg_close,
    .group_begin = pg_group_begin,
    .apply = pg_apply,
    .group_commit = pg_group_commit,
    .group_abort = pg_group_abort,
    .unit_list = be_unit_list,
    .unit_get = be_unit_get,
    .user_get = be_user_get,
    .user_grants = be_user_grants,
    .session_get = be_session_get,
    .meta_get = be_meta_get,
    .audit_scan = be_audit_scan,
    .audit_head = be_audit_head,
    .audit_count = be_audit_count,
    .units_version = be_units_version,
    .others_committed = be_others_committed,
    .backup = be_backup,
    .case_get = be_case_get,
    .case_stamp = be_case_stamp,
    .case_events = be_case_events,
    .case_feed = be_case_feed,
    .case_query = be_case_query,
    .case_merged = be_case_merged,
    .case_list = be_case_list,
    .case_similar = be_case_similar,
    .case_stats = be_case_stats,
    .case_by_creator = be_case_by_creator,
    .case_due_between = be_case_due_between,
    .category_find = be_category_find,
    .category_list = be_category_list,
    .category_questions = be_category_questions,
    .attachment_list = be_attachment_list,
    .attachment_get = be_attachment_get,
    .apikey_get = be_apikey_get,
    .apikey_list = be_apikey_list,
    .outbox_due = be_outbox_due,
    .outbox_due_on = be_outbox_due_on,
    .webhook_secret = be_webhook_secret,
    .webhooks_for = be_webhooks_for,
    .users_with_role = be_users_with_role,
    .due_warned = be_due_warned,
    .idempotency_get = be_idempotency_get,
    .rate_add = be_rate_add,
    .rate_get = be_rate_get,
    .rate_clear = be_rate_clear,
    .sweep_lock = be_sweep_lock,
    .read_only = be_read_only,
    .session_identity = be_session_identity,
};
