/* The PostgreSQL side of integrations' API keys: adding and revoking one (audited), and reading
 * them by id, by hash and by subtree. Called from pg.c's write dispatch and read table; behaves
 * as the SQLite back-end's apikeys.c. */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "store/pg/internal.h"

#include <stdio.h>

#define KEY_COLUMNS                                                                                \
    "k.id, u.code, u.path, k.scope, k.label, k.prefix, k.created_by, c.login, k.created_at, "      \
    "k.revoked_at FROM api_keys k JOIN units u ON u.id = k.unit_id "                               \
    "LEFT JOIN users c ON c.id = k.created_by "

static const char STORE_FAILED[] = "the store failed%s";
static const char SQL_KEY_INSERT[] =
    "INSERT INTO api_keys (unit_id, scope, label, prefix, key_hash, created_by, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id";
/* a key is revoked once: the second time changes nothing, and the caller is told why */
static const char SQL_KEY_REVOKE[] =
    "UPDATE api_keys SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL";
static const char SQL_KEY_EXISTS[] = "SELECT 1 FROM api_keys WHERE id = $1";
static const char SQL_KEY_BY_ID[] = "SELECT " KEY_COLUMNS "WHERE k.id = $1";
static const char SQL_KEY_BY_HASH[] = "SELECT " KEY_COLUMNS "WHERE k.key_hash = $1";
static const char SQL_KEY_LIST[] =
    "SELECT " KEY_COLUMNS "WHERE substr(u.path, 1, length($1)) = $1 ORDER BY k.id";

int pg_apply_apikey_add(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    int64_t unit_id;
    int rc = pg_unit_lookup(c, w->u.apikey.unit_code, &unit_id, NULL);
    if (rc == AKAR_ENOTFOUND)
        return pg_fail(w, rc, "unit %s does not exist", w->u.apikey.unit_code);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    struct arena *a = arena_new();
    struct pg_params pp = {.a = a};
    pp_int(&pp, unit_id);
    pp_text(&pp, w->u.apikey.scope);
    pp_text(&pp, w->u.apikey.label);
    pp_text(&pp, w->u.apikey.prefix);
    pp_bytes(&pp, w->u.apikey.key_hash, 32);
    if (w->u.apikey.created_by)
        pp_int(&pp, w->u.apikey.created_by);
    else
        pp_null(&pp);
    pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
    PGresult *r = pg_run(c, SQL_KEY_INSERT, &pp, &rc);
    arena_free(a);
    if (r && PQntuples(r) == 1)
        w->id = pg_int(r, 0, 0);
    else if (!rc)
        rc = AKAR_ESTORE;
    PQclear(r);
    if (rc)
        return pg_fail(w, rc == AKAR_EEXIST ? AKAR_ECONFLICT : rc, "the key could not be stored%s",
                       NULL);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->id);
    return pg_audit(q, w, "apikey.add", "apikey", id);
}

int pg_apply_apikey_revoke(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    struct pg_params pp = {0};
    pp_int(&pp, w->u.apikey_revoke.id);
    pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
    int64_t changed = 0;
    int rc = pg_exec(c, SQL_KEY_REVOKE, &pp, &changed);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    if (changed != 1) {
        struct pg_params id = {0};
        pp_int(&id, w->u.apikey_revoke.id);
        PGresult *r = pg_run(c, SQL_KEY_EXISTS, &id, &rc);
        bool exists = r && PQntuples(r) == 1;
        PQclear(r);
        if (rc)
            return pg_fail(w, rc, STORE_FAILED, NULL);
        return exists ? pg_fail(w, AKAR_ECONFLICT, "this key was revoked already%s", NULL)
                      : pg_fail(w, AKAR_ENOTFOUND, "no such key%s", NULL);
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->u.apikey_revoke.id);
    return pg_audit(q, w, "apikey.revoke", "apikey", id);
}

static void key_from_row(struct arena *a, const PGresult *r, int i, struct apikey_row *k)
{
    k->id = pg_int(r, i, 0);
    k->unit_code = pg_text(a, r, i, 1);
    k->unit_path = pg_text(a, r, i, 2);
    k->scope = pg_text(a, r, i, 3);
    k->label = pg_text(a, r, i, 4);
    k->prefix = pg_text(a, r, i, 5);
    k->created_by = pg_int(r, i, 6);
    k->created_by_login = pg_text(a, r, i, 7);
    k->created_at = pg_int(r, i, 8);
    k->revoked_at = pg_int(r, i, 9);
}

int pg_apikey_get(struct pg *q, struct arena *a, int64_t id, const unsigned char *key_hash,
                  struct apikey_row *out)
{
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    struct pg_params pp = {.a = a};
    if (id)
        pp_int(&pp, id);
    else
        pp_bytes(&pp, key_hash, 32);
    int rc;
    PGresult *r = pg_run(c, id ? SQL_KEY_BY_ID : SQL_KEY_BY_HASH, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        key_from_row(a, r, 0, out);
    PQclear(r);
    return rc;
}

int pg_apikey_list(struct pg *q, struct arena *a, const char *root_path, struct apikey_row **rows,
                   size_t *n)
{
    *rows = NULL;
    *n = 0;
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    struct pg_params pp = {0};
    pp_text(&pp, root_path);
    int rc;
    PGresult *r = pg_run(c, SQL_KEY_LIST, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct apikey_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        key_from_row(a, r, i, &out[i]);
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}
