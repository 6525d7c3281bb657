/* The SQLite side of integrations' API keys: adding and revoking one (audited), and reading
 * them by id, by hash and by subtree. Called from sqlite.c's write dispatch and read table. */
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "store/sqlite/internal.h"

#include <stdio.h>
#include <string.h>

#define KEY_COLUMNS                                                                                \
    "k.id, u.code, u.path, k.scope, k.label, k.prefix, k.created_by, c.login, k.created_at, "      \
    "k.revoked_at FROM api_keys k JOIN units u ON u.id = k.unit_id "                               \
    "LEFT JOIN users c ON c.id = k.created_by "

static const char SQL_KEY_INSERT[] =
    "INSERT INTO api_keys (unit_id, scope, label, prefix, key_hash, created_by, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
/* a key is revoked once: the second time changes nothing, and the caller is told why */
static const char SQL_KEY_REVOKE[] =
    "UPDATE api_keys SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL";
static const char SQL_KEY_EXISTS[] = "SELECT 1 FROM api_keys WHERE id = ?1";
static const char SQL_KEY_BY_ID[] = "SELECT " KEY_COLUMNS "WHERE k.id = ?1";
static const char SQL_KEY_BY_HASH[] = "SELECT " KEY_COLUMNS "WHERE k.key_hash = ?1";
static const char SQL_KEY_LIST[] =
    "SELECT " KEY_COLUMNS "WHERE substr(u.path, 1, length(?1)) = ?1 ORDER BY k.id";

int sq_apply_apikey_add(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    int64_t unit_id;
    int rc = sq_unit_lookup(c, w->u.apikey.unit_code, &unit_id, NULL);
    if (rc == AKAR_ENOTFOUND)
        return sq_fail(w, rc, "unit %s does not exist", w->u.apikey.unit_code);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    sqlite3_stmt *st = sq_prepare(c, SQL_KEY_INSERT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, unit_id);
    sqlite3_bind_text(st, 2, w->u.apikey.scope, -1, SQLITE_STATIC);
    if (w->u.apikey.label)
        sqlite3_bind_text(st, 3, w->u.apikey.label, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, w->u.apikey.prefix, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 5, w->u.apikey.key_hash, 32, SQLITE_STATIC);
    if (w->u.apikey.created_by)
        sqlite3_bind_int64(st, 6, w->u.apikey.created_by);
    sqlite3_bind_int64(st, 7, w->at_ms ? w->at_ms : clock_now_ms());
    rc = sq_step_done(st);
    if (rc)
        return sq_fail(w, rc == AKAR_EEXIST ? AKAR_ECONFLICT : rc, "the key could not be stored%s",
                       NULL);
    w->id = sqlite3_last_insert_rowid(c->db);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->id);
    return sq_audit(q, w, "apikey.add", "apikey", id);
}

int sq_apply_apikey_revoke(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    sqlite3_stmt *st = sq_prepare(c, SQL_KEY_REVOKE);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, w->u.apikey_revoke.id);
    sqlite3_bind_int64(st, 2, w->at_ms ? w->at_ms : clock_now_ms());
    int rc = sq_step_done(st);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    if (sqlite3_changes(c->db) != 1) {
        st = sq_prepare(c, SQL_KEY_EXISTS);
        if (!st)
            return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
        sqlite3_bind_int64(st, 1, w->u.apikey_revoke.id);
        rc = sqlite3_step(st);
        sqlite3_reset(st);
        if (rc == SQLITE_ROW)
            return sq_fail(w, AKAR_ECONFLICT, "this key was revoked already%s", NULL);
        if (rc == SQLITE_DONE)
            return sq_fail(w, AKAR_ENOTFOUND, "no such key%s", NULL);
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    }
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->u.apikey_revoke.id);
    return sq_audit(q, w, "apikey.revoke", "apikey", id);
}

static void key_from_row(struct arena *a, sqlite3_stmt *st, struct apikey_row *k)
{
    k->id = sqlite3_column_int64(st, 0);
    k->unit_code = sq_text(a, st, 1);
    k->unit_path = sq_text(a, st, 2);
    k->scope = sq_text(a, st, 3);
    k->label = sq_text(a, st, 4);
    k->prefix = sq_text(a, st, 5);
    k->created_by = sqlite3_column_int64(st, 6);
    k->created_by_login = sq_text(a, st, 7);
    k->created_at = sqlite3_column_int64(st, 8);
    k->revoked_at = sqlite3_column_int64(st, 9);
}

int sq_apikey_get(struct sq *q, struct arena *a, int64_t id, const unsigned char *key_hash,
                  struct apikey_row *out)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, id ? SQL_KEY_BY_ID : SQL_KEY_BY_HASH) : NULL;
    if (!st)
        return AKAR_ESTORE;
    if (id)
        sqlite3_bind_int64(st, 1, id);
    else
        sqlite3_bind_blob(st, 1, key_hash, 32, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        key_from_row(a, st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE;
}

int sq_apikey_list(struct sq *q, struct arena *a, const char *root_path, struct apikey_row **rows,
                   size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_KEY_LIST) : NULL;
    *rows = NULL;
    *n = 0;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, root_path, -1, SQLITE_STATIC);
    size_t cap = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (*n == cap) {
            cap = cap ? 2 * cap : 16;
            struct apikey_row *grown = arena_alloc(a, cap * sizeof *grown);
            if (*n)
                memcpy(grown, *rows, *n * sizeof *grown);
            *rows = grown;
        }
        key_from_row(a, st, &(*rows)[(*n)++]);
    }
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}
