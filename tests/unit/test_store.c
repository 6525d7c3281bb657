/* Unit tests for the store on SQLite, with real files in a fresh temporary directory per test:
 * opening and migrations, each kind of write and how it fails, batches that commit whole or not
 * at all, the audit chain (intact, and tampered with behind akar's back), group commit under
 * concurrent submitters, and backups. */
#include "store/store.h"

#include "base/arena.h"
#include "base/chain.h"
#include "base/err.h"

#include <dirent.h>
#include <pthread.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#define TZ "Asia/Ho_Chi_Minh"

struct fixture {
    char dir[64];
    char path[128]; /* dir/akar.db */
    struct store *s;
    struct arena *a;
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/akar-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir))
        return -1;
    snprintf(f->path, sizeof f->path, "%s/akar.db", f->dir);
    f->a = arena_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->s);
    arena_free(f->a);
    DIR *d = opendir(f->dir);
    if (d) {
        struct dirent *e;
        while ((e = readdir(d))) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            char p[400];
            snprintf(p, sizeof p, "%s/%s", f->dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(f->dir);
    test_free(f);
    return 0;
}

/* A path in the fixture's directory (static buffer: use before the next call). */
static const char *in_dir(struct fixture *f, const char *name)
{
    static char p[200];
    snprintf(p, sizeof p, "%s/%s", f->dir, name);
    return p;
}

static bool exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* Opens f->path (migrating) into f->s; fails the test if it cannot. */
static struct store *open_store(struct fixture *f)
{
    char err[256] = "";
    int rc = store_open(f->path, STORE_OPEN_MIGRATE, &f->s, err, sizeof err);
    if (rc)
        print_error("store_open: %s\n", err);
    assert_int_equal(rc, 0);
    return f->s;
}

static void close_store(struct fixture *f)
{
    store_close(f->s);
    f->s = NULL;
}

/* Runs sql on the database file directly, as someone with file access could. */
static int db_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    return rc;
}

/* The first column of the first row of sql, as an integer (-1 if none). */
static int64_t db_int(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return v;
}

/* ---- writes ---- */

static struct store_write unit_write(const char *code, const char *level, const char *parent)
{
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_UNIT_ADD;
    w.u.unit.code = code;
    w.u.unit.name = code;
    w.u.unit.level = level;
    w.u.unit.parent_code = parent;
    w.u.unit.time_zone = TZ;
    w.actor = "admin";
    return w;
}

static int add_unit(struct store *s, const char *code, const char *level, const char *parent)
{
    struct store_write w = unit_write(code, level, parent);
    return store_write_sync(s, &w);
}

static struct store_write user_write(const char *login, const char *role, const char *unit)
{
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_USER_ADD;
    w.u.user.login = login;
    w.u.user.display_name = "Nguy\xE1\xBB\x85n V\xC4\x83n A";
    w.u.user.password_hash = "$argon2id$v=19$m=65536,t=2,p=1$not-a-real-hash";
    w.u.user.role = role;
    w.u.user.unit_code = unit;
    w.actor = "admin";
    return w;
}

/* Adds a user and returns its id (the test fails if it cannot). */
static int64_t add_user(struct store *s, const char *login, const char *role, const char *unit)
{
    struct store_write w = user_write(login, role, unit);
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_true(w.id > 0);
    return w.id;
}

/* A token hash that differs for each (a, b). */
static void token_hash(unsigned char out[32], uint32_t a, uint32_t b)
{
    memset(out, 0x42, 32);
    memcpy(out, &a, sizeof a);
    memcpy(out + sizeof a, &b, sizeof b);
}

static struct store_write session_write(enum store_write_kind kind, uint32_t a, uint32_t b,
                                        int64_t user_id, int64_t expires_ms)
{
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = kind;
    token_hash(w.u.session.token_hash, a, b);
    w.u.session.user_id = user_id;
    w.u.session.expires_ms = expires_ms;
    w.actor = "system";
    return w;
}

static int session_add(struct store *s, uint32_t a, int64_t user_id, int64_t expires_ms)
{
    struct store_write w = session_write(STORE_W_SESSION_ADD, a, 0, user_id, expires_ms);
    return store_write_sync(s, &w);
}

static int session_get(struct store *s, uint32_t a, struct session_row *out)
{
    unsigned char h[32];
    token_hash(h, a, 0);
    return store_session_get(s, h, out);
}

/* A small tree and one user: 58 > 586 > 586.03, 58 > 587. Six audit entries: 4 units, a user
 * and a session. Returns the user's id. */
static int64_t populate(struct store *s)
{
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    assert_int_equal(add_unit(s, "586", "district", "58"), 0);
    assert_int_equal(add_unit(s, "587", "district", "58"), 0);
    assert_int_equal(add_unit(s, "586.03", "commune", "586"), 0);
    int64_t uid = add_user(s, "handler1", "handler", "586");
    assert_int_equal(session_add(s, 1, uid, INT64_MAX), 0);
    return uid;
}

/* ---- the audit chain ---- */

static int64_t audit_head_seq(struct store *s)
{
    int64_t seq;
    unsigned char hash[CHAIN_HASH_BYTES];
    assert_int_equal(store_audit_head(s, &seq, hash), 0);
    return seq;
}

static int64_t audit_count(struct store *s, const char *action)
{
    int64_t n = -1;
    assert_int_equal(store_audit_count(s, action, &n), 0);
    return n;
}

struct scan {
    struct chain_verifier v;
    int64_t entries;
};

static int scan_entry(void *arg, const struct chain_entry *e)
{
    struct scan *sc = arg;
    sc->entries++;
    chain_verify_next(&sc->v, e);
    return 0;
}

/* Verifies the whole chain against the recorded head. Returns the first bad seq (0: intact);
 * *entries (if not NULL) receives the number of entries scanned. */
static int64_t verify_chain(struct store *s, int64_t *entries, char why[200])
{
    struct scan sc = {.entries = 0};
    chain_verify_begin(&sc.v);
    assert_int_equal(store_audit_scan(s, scan_entry, &sc), 0);
    int64_t head_seq;
    unsigned char head_hash[CHAIN_HASH_BYTES];
    assert_int_equal(store_audit_head(s, &head_seq, head_hash), 0);
    chain_verify_end(&sc.v, head_seq, head_hash);
    if (entries)
        *entries = sc.entries;
    if (why)
        memcpy(why, sc.v.why, sizeof sc.v.why);
    return sc.v.bad_seq;
}

/* ---- opening and migrations ---- */

static void test_migrate_creates_a_new_database_at_the_known_version(void **state)
{
    struct fixture *f = *state;
    assert_false(exists(f->path));
    struct store *s = open_store(f);
    int from, to, have, known;
    store_migrated(s, &from, &to);
    store_schema_version(s, &have, &known);
    assert_int_equal(from, 0);
    assert_true(known >= 1);
    assert_int_equal(to, known);
    assert_int_equal(have, known);
    assert_true(exists(f->path));
    close_store(f);
    assert_int_equal(db_int(f->path, "PRAGMA user_version"), known);
}

static void test_reopening_a_migrated_database_migrates_nothing(void **state)
{
    struct fixture *f = *state;
    open_store(f);
    close_store(f);
    struct store *s = open_store(f);
    int from, to, have, known;
    store_migrated(s, &from, &to);
    store_schema_version(s, &have, &known);
    assert_int_equal(from, to);
    assert_int_equal(to, known);
    close_store(f);
    char err[256] = "";
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &f->s, err, sizeof err), 0);
    store_migrated(f->s, &from, &to);
    assert_int_equal(from, known);
    assert_int_equal(to, known);
}

static void test_open_existing_on_a_missing_file_is_not_found(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    struct store *s = (struct store *)&err; /* must be reset to NULL */
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, err, sizeof err), AKAR_ENOTFOUND);
    assert_null(s);
    assert_non_null(strstr(err, f->path));
    assert_false(exists(f->path));
}

/* The schema version this build knows, learnt from a scratch database. */
static int known_version(struct fixture *f)
{
    char err[256];
    struct store *s;
    assert_int_equal(store_open(in_dir(f, "scratch.db"), STORE_OPEN_MIGRATE, &s, err, sizeof err),
                     0);
    int have, known;
    store_schema_version(s, &have, &known);
    store_close(s);
    return known;
}

static void test_database_from_a_newer_akar_is_refused_as_too_new(void **state)
{
    struct fixture *f = *state;
    int known = known_version(f);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE TABLE future (x); PRAGMA user_version = %d;", known + 1);
    assert_int_equal(db_exec(f->path, sql), SQLITE_OK);
    char err[256] = "";
    struct store *s = NULL;
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, err, sizeof err), AKAR_ETOONEW);
    assert_null(s);
    assert_non_null(strstr(err, "newer"));
    assert_non_null(strstr(err, f->path));
    /* Migrating must not touch it either. */
    err[0] = 0;
    assert_int_equal(store_open(f->path, STORE_OPEN_MIGRATE, &s, err, sizeof err), AKAR_ETOONEW);
    assert_null(s);
    assert_non_null(strstr(err, "newer"));
    assert_int_equal(db_int(f->path, "PRAGMA user_version"), known + 1);
    assert_int_equal(db_int(f->path, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_unmigrated_database_opened_as_existing_is_a_conflict(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(db_exec(f->path, "CREATE TABLE other (x)"), SQLITE_OK);
    char err[256] = "";
    struct store *s = NULL;
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, err, sizeof err), AKAR_ECONFLICT);
    assert_null(s);
    assert_non_null(strstr(err, "akar init"));
    /* Nothing was migrated behind the refusal. */
    assert_int_equal(db_int(f->path, "PRAGMA user_version"), 0);
    assert_int_equal(db_int(f->path, "SELECT count(*) FROM sqlite_master"), 1);
}

static void test_file_that_is_not_a_database_is_refused(void **state)
{
    struct fixture *f = *state;
    FILE *fp = fopen(f->path, "w");
    assert_non_null(fp);
    for (int i = 0; i < 100; i++)
        fputs("this is not an SQLite database\n", fp);
    fclose(fp);
    char err[256] = "";
    struct store *s = NULL;
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &s, err, sizeof err), AKAR_ESTORE);
    assert_null(s);
    assert_true(err[0] != 0);
}

/* ---- units ---- */

static void test_unit_add_stores_the_unit_under_its_parent(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    struct store_write w = unit_write("58", "province", NULL);
    w.u.unit.name = "Ninh Thu\xE1\xBA\xADn";
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_true(w.id > 0);
    w = unit_write("586", "district", "58");
    w.u.unit.remote = true;
    assert_int_equal(store_write_sync(s, &w), 0);

    struct unit_row u;
    assert_int_equal(store_unit_get(s, f->a, "58", &u), 0);
    assert_string_equal(u.name, "Ninh Thu\xE1\xBA\xADn");
    assert_string_equal(u.level, "province");
    assert_string_equal(u.path, "/58/");
    assert_null(u.parent_code);
    assert_string_equal(u.time_zone, TZ);
    assert_false(u.remote);
    assert_int_equal(store_unit_get(s, f->a, "586", &u), 0);
    assert_string_equal(u.path, "/58/586/");
    assert_string_equal(u.parent_code, "58");
    assert_true(u.remote);
    assert_int_equal(store_unit_get(s, f->a, "999", &u), AKAR_ENOTFOUND);
}

static void test_unit_list_puts_parents_before_children(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    populate(s);
    assert_int_equal(add_unit(s, "1", "province", NULL), 0);
    struct unit_row *rows;
    size_t n;
    assert_int_equal(store_unit_list(s, f->a, &rows, &n), 0);
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].parent_code)
            continue;
        bool parent_seen = false;
        for (size_t k = 0; k < i; k++)
            parent_seen |= strcmp(rows[k].code, rows[i].parent_code) == 0;
        assert_true(parent_seen);
    }
}

static void test_unit_add_with_a_missing_parent_is_not_found_and_stores_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    int64_t head = audit_head_seq(s);
    uint64_t gen = store_units_generation(s);
    struct store_write w = unit_write("591", "district", "59");
    assert_int_equal(store_write_sync(s, &w), AKAR_ENOTFOUND);
    assert_int_equal(w.rc, AKAR_ENOTFOUND);
    assert_non_null(strstr(w.errmsg, "59"));
    struct unit_row u;
    assert_int_equal(store_unit_get(s, f->a, "591", &u), AKAR_ENOTFOUND);
    assert_int_equal(audit_head_seq(s), head);
    assert_int_equal(audit_count(s, "unit.add"), 1);
    assert_int_equal(store_units_generation(s), gen);
}

static void test_unit_add_of_an_existing_code_is_eexist_and_changes_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    assert_int_equal(add_unit(s, "586", "district", "58"), 0);
    int64_t head = audit_head_seq(s);
    struct store_write w = unit_write("586", "district", "58");
    w.u.unit.name = "Impostor";
    assert_int_equal(store_write_sync(s, &w), AKAR_EEXIST);
    assert_non_null(strstr(w.errmsg, "586"));
    struct unit_row u;
    assert_int_equal(store_unit_get(s, f->a, "586", &u), 0);
    assert_string_equal(u.name, "586");
    struct unit_row *rows;
    size_t n;
    assert_int_equal(store_unit_list(s, f->a, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(audit_head_seq(s), head);
}

static void test_units_generation_moves_only_with_committed_unit_changes(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    uint64_t g0 = store_units_generation(s);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    uint64_t g1 = store_units_generation(s);
    assert_true(g1 > g0);
    int64_t uid = add_user(s, "leader1", "leader", "58");
    assert_int_equal(session_add(s, 7, uid, INT64_MAX), 0);
    assert_int_equal(add_unit(s, "58", "province", NULL), AKAR_EEXIST);
    assert_int_equal(store_units_generation(s), g1);
}

/* ---- users ---- */

static void test_user_add_stores_the_user_and_the_grant(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    assert_int_equal(add_unit(s, "586", "district", "58"), 0);
    int64_t id = add_user(s, "handler1", "handler", "586");

    struct user_row u;
    assert_int_equal(store_user_get(s, f->a, "handler1", &u), 0);
    assert_int_equal(u.id, id);
    assert_string_equal(u.display_name, "Nguy\xE1\xBB\x85n V\xC4\x83n A");
    assert_string_equal(u.password_hash, "$argon2id$v=19$m=65536,t=2,p=1$not-a-real-hash");
    assert_false(u.disabled);
    assert_int_equal(store_user_get_id(s, f->a, id, &u), 0);
    assert_string_equal(u.login, "handler1");
    assert_int_equal(store_user_get(s, f->a, "nobody", &u), AKAR_ENOTFOUND);
    assert_int_equal(store_user_get_id(s, f->a, id + 1000, &u), AKAR_ENOTFOUND);

    struct grant_row *g;
    size_t n;
    assert_int_equal(store_user_grants(s, f->a, id, &g, &n), 0);
    assert_int_equal(n, 1);
    assert_string_equal(g[0].role, "handler");
    assert_string_equal(g[0].unit_code, "586");
    assert_string_equal(g[0].unit_path, "/58/586/");
}

static void test_user_add_with_a_taken_login_is_eexist(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    add_user(s, "admin", "admin", "58");
    int64_t head = audit_head_seq(s);
    struct store_write w = user_write("admin", "resident", "58");
    assert_int_equal(store_write_sync(s, &w), AKAR_EEXIST);
    assert_non_null(strstr(w.errmsg, "admin"));
    assert_int_equal(audit_head_seq(s), head);
}

static void test_user_add_in_a_missing_unit_is_not_found(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    struct store_write w = user_write("ghost", "handler", "586");
    assert_int_equal(store_write_sync(s, &w), AKAR_ENOTFOUND);
    struct user_row u;
    assert_int_equal(store_user_get(s, f->a, "ghost", &u), AKAR_ENOTFOUND);
    assert_int_equal(audit_head_seq(s), 0);
}

static void test_user_add_with_an_unknown_role_leaves_no_user_behind(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    int64_t head = audit_head_seq(s);
    /* The user row is inserted before the grant fails: the write must undo it. */
    struct store_write w = user_write("overlord", "emperor", "58");
    assert_int_equal(store_write_sync(s, &w), AKAR_EINVAL);
    struct user_row u;
    assert_int_equal(store_user_get(s, f->a, "overlord", &u), AKAR_ENOTFOUND);
    assert_int_equal(audit_head_seq(s), head);
    /* And the login is still free. */
    add_user(s, "overlord", "leader", "58");
}

/* ---- sessions ---- */

static void test_session_add_get_and_delete(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s);
    struct store_write w = session_write(STORE_W_SESSION_ADD, 2, 0, uid, 1800000000000);
    w.at_ms = 1700000000000;
    assert_int_equal(store_write_sync(s, &w), 0);
    struct session_row r;
    assert_int_equal(session_get(s, 2, &r), 0);
    assert_int_equal(r.user_id, uid);
    assert_int_equal(r.created_ms, 1700000000000);
    assert_int_equal(r.expires_ms, 1800000000000);
    assert_int_equal(session_get(s, 3, &r), AKAR_ENOTFOUND);

    w = session_write(STORE_W_SESSION_DELETE, 2, 0, uid, 0);
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_int_equal(session_get(s, 2, &r), AKAR_ENOTFOUND);
    assert_int_equal(session_get(s, 1, &r), 0); /* the other session is untouched */
    assert_int_equal(audit_count(s, "session.create"), 2);
    assert_int_equal(audit_count(s, "session.delete"), 1);
}

static void test_session_delete_of_an_unknown_token_is_not_found(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s);
    int64_t head = audit_head_seq(s);
    struct store_write w = session_write(STORE_W_SESSION_DELETE, 99, 0, uid, 0);
    assert_int_equal(store_write_sync(s, &w), AKAR_ENOTFOUND);
    assert_int_equal(audit_head_seq(s), head);
}

static void test_session_add_with_a_known_token_is_eexist(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s);
    int64_t head = audit_head_seq(s);
    assert_int_equal(session_add(s, 1, uid, 5), AKAR_EEXIST);
    struct session_row r;
    assert_int_equal(session_get(s, 1, &r), 0);
    assert_int_equal(r.expires_ms, INT64_MAX);
    assert_int_equal(audit_head_seq(s), head);
}

static void test_session_add_for_a_missing_user_fails_and_stores_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s);
    int64_t head = audit_head_seq(s);
    assert_true(session_add(s, 5, uid + 1000, INT64_MAX) < 0);
    struct session_row r;
    assert_int_equal(session_get(s, 5, &r), AKAR_ENOTFOUND);
    assert_int_equal(audit_head_seq(s), head);
}

static void test_session_purge_drops_only_expired_sessions(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s); /* session 1 never expires */
    assert_int_equal(session_add(s, 2, uid, 1000), 0);
    assert_int_equal(session_add(s, 3, uid, 2000), 0);
    assert_int_equal(session_add(s, 4, uid, 3000), 0);
    int64_t head = audit_head_seq(s);
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_SESSION_PURGE;
    w.u.purge.now_ms = 3000; /* expired before 3000: sessions 2 and 3 */
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_int_equal(w.id, 2);
    struct session_row r;
    assert_int_equal(session_get(s, 2, &r), AKAR_ENOTFOUND);
    assert_int_equal(session_get(s, 3, &r), AKAR_ENOTFOUND);
    assert_int_equal(session_get(s, 4, &r), 0);
    assert_int_equal(session_get(s, 1, &r), 0);
    assert_int_equal(audit_head_seq(s), head + 1);
    assert_int_equal(audit_count(s, "session.purge"), 1);
}

/* ---- settings ---- */

static void test_meta_set_stores_and_replaces_a_setting(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_META_SET;
    w.u.meta.key = "site.name";
    w.u.meta.value = "Ninh Thu\xE1\xBA\xADn";
    assert_int_equal(store_write_sync(s, &w), 0);
    const char *v = NULL;
    assert_int_equal(store_meta_get(s, f->a, "site.name", &v), 0);
    assert_string_equal(v, "Ninh Thu\xE1\xBA\xADn");
    w.u.meta.value = "Phan Rang";
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_int_equal(store_meta_get(s, f->a, "site.name", &v), 0);
    assert_string_equal(v, "Phan Rang");
    assert_int_equal(store_meta_get(s, f->a, "site.other", &v), AKAR_ENOTFOUND);
    assert_int_equal(audit_count(s, "setting.set"), 2);
}

/* ---- batches ---- */

static void test_batch_commits_every_item(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    struct store_write a = unit_write("59", "province", NULL);
    struct store_write b = unit_write("591", "district", "59"); /* depends on a */
    struct store_write c = user_write("leader59", "leader", "59");
    struct store_write *items[] = {&a, &b, &c};
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_BATCH;
    w.u.batch.items = items;
    w.u.batch.n = 3;
    w.actor = "admin";
    assert_int_equal(store_write_sync(s, &w), 0);
    struct unit_row u;
    assert_int_equal(store_unit_get(s, f->a, "591", &u), 0);
    assert_string_equal(u.path, "/59/591/");
    struct user_row usr;
    assert_int_equal(store_user_get(s, f->a, "leader59", &usr), 0);
    assert_int_equal(usr.id, c.id);
    assert_int_equal(audit_head_seq(s), 3);
    assert_int_equal(verify_chain(s, NULL, NULL), 0);
}

static void test_batch_with_one_failing_item_stores_nothing_and_audits_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    int64_t head = audit_head_seq(s);
    uint64_t gen = store_units_generation(s);
    struct store_write a = unit_write("60", "province", NULL);
    struct store_write b = unit_write("601", "district", "60");
    struct store_write c = user_write("leader60", "leader", "60");
    struct store_write d = unit_write("999", "district", "nope"); /* fails */
    struct store_write e = unit_write("61", "province", NULL);
    struct store_write *items[] = {&a, &b, &c, &d, &e};
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_BATCH;
    w.u.batch.items = items;
    w.u.batch.n = 5;
    assert_int_equal(store_write_sync(s, &w), AKAR_ENOTFOUND);
    assert_non_null(strstr(w.errmsg, "nope"));
    struct unit_row u;
    assert_int_equal(store_unit_get(s, f->a, "60", &u), AKAR_ENOTFOUND);
    assert_int_equal(store_unit_get(s, f->a, "601", &u), AKAR_ENOTFOUND);
    assert_int_equal(store_unit_get(s, f->a, "61", &u), AKAR_ENOTFOUND);
    struct user_row usr;
    assert_int_equal(store_user_get(s, f->a, "leader60", &usr), AKAR_ENOTFOUND);
    struct unit_row *rows;
    size_t n;
    assert_int_equal(store_unit_list(s, f->a, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(audit_head_seq(s), head);
    assert_int_equal(audit_count(s, "unit.add"), 1);
    assert_int_equal(audit_count(s, "user.add"), 0);
    assert_int_equal(store_units_generation(s), gen);
    assert_int_equal(verify_chain(s, NULL, NULL), 0);
    /* The chain carries on from where it was. */
    assert_int_equal(add_unit(s, "60", "province", NULL), 0);
    assert_int_equal(audit_head_seq(s), head + 1);
    assert_int_equal(verify_chain(s, NULL, NULL), 0);
}

/* A new case at unit, submitted by created_by (0: nobody signed in). */
static struct store_write case_write(const char *code, const char *unit, int64_t created_by)
{
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_CASE_CREATE;
    struct case_new *n = &w.u.case_new;
    n->tracking_code = code;
    n->kind = "feedback";
    n->channel = "web";
    n->privacy = "public";
    n->unit_code = unit;
    n->title = "Đèn đường hỏng";
    n->description = "Đèn tắt đã hai tuần.";
    n->step = "accept";
    n->step_from = n->received_at = 1764000000000;
    n->due_at = n->step_from + 10 * 86400000LL;
    n->created_by = created_by;
    w.actor = "reporter";
    return w;
}

/* An attachment of case_id (0: the case its batch creates). */
static struct store_write attachment_write(int64_t case_id, int i)
{
    static char names[16][16];
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_ATTACHMENT_ADD;
    w.u.attachment.case_id = case_id;
    w.u.attachment.size = 100 + i;
    w.u.attachment.sha256 = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08";
    w.u.attachment.media_type = "image/png";
    snprintf(names[i % 16], sizeof names[0], "photo%d.png", i);
    w.u.attachment.filename = names[i % 16];
    return w;
}

static void test_a_batch_stores_a_case_with_its_attachments_or_nothing(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    struct store_write c = case_write("K7QM-3HPA-2XB", "58", 0);
    struct store_write a1 = attachment_write(0, 1), a2 = attachment_write(0, 2);
    struct store_write *items[] = {&c, &a1, &a2};
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_BATCH;
    w.u.batch.items = items;
    w.u.batch.n = 3;
    w.actor = "reporter";
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_true(c.id > 0);
    struct attachment_row *rows;
    size_t n;
    assert_int_equal(store_attachment_list(s, f->a, c.id, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(rows[0].filename, "photo1.png");
    assert_int_equal(rows[1].case_id, c.id);

    /* eleven attachments: the last is refused, and the case goes with it */
    int64_t head = audit_head_seq(s);
    struct store_write c2 = case_write("3HPA-K7QM-2XC", "58", 0);
    struct store_write att[11], *more[12] = {&c2};
    for (int i = 0; i < 11; i++) {
        att[i] = attachment_write(0, i);
        more[i + 1] = &att[i];
    }
    w.u.batch.items = more;
    w.u.batch.n = 12;
    assert_int_equal(store_write_sync(s, &w), AKAR_EINVAL);
    struct case_row row;
    assert_int_equal(store_case_get(s, f->a, 0, "3HPA-K7QM-2XC", &row), AKAR_ENOTFOUND);
    assert_int_equal(db_int(f->path, "SELECT count(*) FROM attachments"), 2);
    assert_int_equal(audit_head_seq(s), head);
    assert_int_equal(verify_chain(s, NULL, NULL), 0);
}

/* A transition of case_id from its expected version to status to. */
static struct store_write update_write(int64_t case_id, int64_t version, const char *action,
                                       const char *to)
{
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_CASE_UPDATE;
    struct case_update *u = &w.u.case_update;
    u->case_id = case_id;
    u->expected_version = version;
    u->action = action;
    u->from_status = "submitted";
    u->to_status = to;
    u->open = true;
    w.actor = "user:1";
    return w;
}

static void test_case_stamp_and_cases_generation_follow_every_case_change(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    struct store_write kw = case_write("K7QM-3HPA-2XB", "58", 0);
    struct store_write mw = case_write("3HPA-K7QM-2XC", "58", 0);
    assert_int_equal(store_write_sync(s, &kw), 0);
    assert_int_equal(store_write_sync(s, &mw), 0);
    struct case_stamp st;
    assert_int_equal(store_case_stamp(s, "3HPA-K7QM-2XC", &st), 0);
    assert_int_equal(st.id, mw.id);
    assert_int_equal(st.version, 1);
    assert_int_equal(st.due_at, 1764000000000 + 10 * 86400000LL);
    assert_true(st.open);
    assert_int_equal(st.kept_id, 0);
    assert_int_equal(st.kept_version, 0);
    assert_int_equal(store_case_stamp(s, "2222-2222-222", &st), AKAR_ENOTFOUND);

    /* merged: the stamp names the kept case and its version */
    uint64_t g = store_cases_generation(s);
    struct store_write w = update_write(mw.id, 1, "merge", "merged");
    w.u.case_update.set_merged = true;
    w.u.case_update.merged_into = kw.id;
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_true(store_cases_generation(s) > g);
    struct case_row kept;
    assert_int_equal(store_case_get(s, f->a, kw.id, NULL, &kept), 0);
    assert_int_equal(store_case_stamp(s, "3HPA-K7QM-2XC", &st), 0);
    assert_int_equal(st.version, 2);
    assert_int_equal(st.kept_id, kw.id);
    assert_int_equal(st.kept_version, kept.version);

    /* a change of the kept case moves the merged case's stamp and the generation */
    g = store_cases_generation(s);
    w = update_write(kw.id, kept.version, "accept", "accepted");
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_true(store_cases_generation(s) > g);
    struct case_stamp after;
    assert_int_equal(store_case_stamp(s, "3HPA-K7QM-2XC", &after), 0);
    assert_int_equal(after.version, 2);
    assert_int_equal(after.kept_version, kept.version + 1);

    /* a refused change leaves the stamp */
    w = update_write(kw.id, 1, "accept", "accepted");
    assert_int_equal(store_write_sync(s, &w), AKAR_ECONFLICT);
    assert_int_equal(store_case_stamp(s, "K7QM-3HPA-2XB", &st), 0);
    assert_int_equal(st.version, kept.version + 1);
}

static void test_cases_by_creator_come_newest_first_in_pages(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    int64_t me = add_user(s, "resident58", "resident", "58");
    int64_t other = add_user(s, "other58", "resident", "58");
    const char *codes[] = {"AAAA-AAAA-AA1", "AAAA-AAAA-AA2", "AAAA-AAAA-AA3", "AAAA-AAAA-AA4",
                           "AAAA-AAAA-AA5"};
    int64_t by[] = {me, 0, me, other, me};
    int64_t ids[5];
    for (int i = 0; i < 5; i++) {
        struct store_write w = case_write(codes[i], "58", by[i]);
        assert_int_equal(store_write_sync(s, &w), 0);
        ids[i] = w.id;
    }
    struct case_row *rows;
    size_t n;
    assert_int_equal(store_case_list_by_creator(s, f->a, me, 0, 2, &rows, &n), 0);
    assert_int_equal(n, 2);
    assert_int_equal(rows[0].id, ids[4]);
    assert_int_equal(rows[1].id, ids[2]);
    assert_string_equal(rows[0].tracking_code, "AAAA-AAAA-AA5");
    assert_int_equal(rows[0].created_by, me);
    assert_int_equal(store_case_list_by_creator(s, f->a, me, rows[1].id, 2, &rows, &n), 0);
    assert_int_equal(n, 1);
    assert_int_equal(rows[0].id, ids[0]);
    assert_int_equal(store_case_list_by_creator(s, f->a, me, ids[0], 2, &rows, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(store_case_list_by_creator(s, f->a, 424242, 0, 50, &rows, &n), 0);
    assert_int_equal(n, 0);
}

struct tally {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done, failed;
};

static void tally_done(struct store_write *w)
{
    struct tally *t = w->arg;
    pthread_mutex_lock(&t->lock);
    t->done++;
    t->failed += w->rc != 0;
    pthread_cond_broadcast(&t->cond);
    pthread_mutex_unlock(&t->lock);
}

static void tally_wait(struct tally *t, int n)
{
    pthread_mutex_lock(&t->lock);
    while (t->done < n)
        pthread_cond_wait(&t->cond, &t->lock);
    pthread_mutex_unlock(&t->lock);
}

static void test_failed_write_does_not_undo_its_neighbours(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    struct tally t = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    struct store_write a = unit_write("58", "province", NULL);
    struct store_write bad_item = unit_write("999", "district", "nope");
    struct store_write *items[] = {&bad_item};
    struct store_write b;
    memset(&b, 0, sizeof b);
    b.kind = STORE_W_BATCH;
    b.u.batch.items = items;
    b.u.batch.n = 1;
    struct store_write c = unit_write("586", "district", "58");
    struct store_write *all[] = {&a, &b, &c};
    /* Submitted back to back, so they are likely (not certain) to share one group. */
    for (int i = 0; i < 3; i++) {
        all[i]->done = tally_done;
        all[i]->arg = &t;
        assert_int_equal(store_submit(s, all[i]), 0);
    }
    tally_wait(&t, 3);
    assert_int_equal(t.failed, 1);
    assert_int_equal(a.rc, 0);
    assert_int_equal(b.rc, AKAR_ENOTFOUND);
    assert_int_equal(c.rc, 0);
    struct unit_row u;
    assert_int_equal(store_unit_get(s, f->a, "586", &u), 0);
    assert_int_equal(audit_head_seq(s), 2);
    assert_int_equal(verify_chain(s, NULL, NULL), 0);
}

static void test_close_finishes_queued_writes(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s);
    enum { N = 100 };
    struct store_write *w = test_calloc(N, sizeof *w);
    struct tally t = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    for (int i = 0; i < N; i++) {
        w[i] = session_write(STORE_W_SESSION_ADD, 1000 + (uint32_t)i, 0, uid, INT64_MAX);
        w[i].done = tally_done;
        w[i].arg = &t;
        assert_int_equal(store_submit(s, &w[i]), 0);
    }
    close_store(f);
    assert_int_equal(t.done, N);
    assert_int_equal(t.failed, 0);
    test_free(w);
    s = open_store(f);
    assert_int_equal(audit_count(s, "session.create"), N + 1);
}

/* ---- the audit chain ---- */

static void test_every_successful_write_appends_one_verifiable_entry(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    assert_int_equal(audit_head_seq(s), 0);
    assert_int_equal(verify_chain(s, NULL, NULL), 0);
    int64_t expected = 0;
    populate(s);
    expected += 6;
    assert_int_equal(audit_head_seq(s), expected);
    /* Failures in between add nothing. */
    assert_int_equal(add_unit(s, "58", "province", NULL), AKAR_EEXIST);
    assert_int_equal(add_unit(s, "x", "district", "nope"), AKAR_ENOTFOUND);
    assert_int_equal(audit_head_seq(s), expected);
    assert_int_equal(add_unit(s, "588", "district", "58"), 0);
    expected++;
    int64_t entries = 0;
    char why[200];
    assert_int_equal(verify_chain(s, &entries, why), 0);
    assert_int_equal(entries, expected);
    assert_int_equal(audit_head_seq(s), expected);
    assert_int_equal(audit_count(s, "unit.add"), 5);
    assert_int_equal(audit_count(s, "user.add"), 1);
    assert_int_equal(audit_count(s, "session.create"), 1);
    /* The chain and its head survive a reopen. */
    close_store(f);
    s = open_store(f);
    assert_int_equal(verify_chain(s, &entries, why), 0);
    assert_int_equal(entries, expected);
    assert_int_equal(add_unit(s, "589", "district", "58"), 0);
    assert_int_equal(verify_chain(s, &entries, why), 0);
    assert_int_equal(entries, expected + 1);
}

struct last_entry {
    int64_t seq, at_ms;
    char actor[32], action[32], object_type[32], object_id[32], detail[64];
};

static int grab_last(void *arg, const struct chain_entry *e)
{
    struct last_entry *out = arg;
    out->seq = e->seq;
    out->at_ms = e->at_ms;
    snprintf(out->actor, sizeof out->actor, "%s", e->actor);
    snprintf(out->action, sizeof out->action, "%s", e->action);
    snprintf(out->object_type, sizeof out->object_type, "%s", e->object_type);
    snprintf(out->object_id, sizeof out->object_id, "%s", e->object_id);
    snprintf(out->detail, sizeof out->detail, "%s", e->detail);
    return 0;
}

static void test_audit_entry_records_who_what_when_and_details(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    struct store_write w = unit_write("58", "province", NULL);
    w.actor = "user:1";
    w.audit_detail = "{\"name\":\"58\"}";
    w.at_ms = 1700000000123;
    assert_int_equal(store_write_sync(s, &w), 0);
    struct last_entry e;
    assert_int_equal(store_audit_scan(s, grab_last, &e), 0);
    assert_int_equal(e.seq, 1);
    assert_int_equal(e.at_ms, 1700000000123);
    assert_string_equal(e.actor, "user:1");
    assert_string_equal(e.action, "unit.add");
    assert_string_equal(e.object_type, "unit");
    assert_string_equal(e.object_id, "58");
    assert_string_equal(e.detail, "{\"name\":\"58\"}");
    /* Without actor and detail: "system" and "{}". */
    w = unit_write("586", "district", "58");
    w.actor = NULL;
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_int_equal(store_audit_scan(s, grab_last, &e), 0);
    assert_int_equal(e.seq, 2);
    assert_string_equal(e.actor, "system");
    assert_string_equal(e.detail, "{}");
}

static int stop_at_two(void *arg, const struct chain_entry *e)
{
    int *seen = arg;
    ++*seen;
    return e->seq == 2 ? 77 : 0;
}

static void test_audit_scan_stops_when_the_callback_says_so(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    populate(s);
    int seen = 0;
    assert_int_equal(store_audit_scan(s, stop_at_two, &seen), 77);
    assert_int_equal(seen, 2);
}

static void test_audit_log_refuses_update_and_delete_while_its_triggers_stand(void **state)
{
    struct fixture *f = *state;
    populate(open_store(f));
    close_store(f);
    assert_int_not_equal(db_exec(f->path, "UPDATE audit SET detail = '{}' WHERE seq = 3"),
                         SQLITE_OK);
    assert_int_not_equal(db_exec(f->path, "DELETE FROM audit WHERE seq = 3"), SQLITE_OK);
    assert_int_equal(verify_chain(open_store(f), NULL, NULL), 0);
}

/* Populates a store, closes it, runs sql on the file with the append-only triggers dropped,
 * reopens it and returns the first bad seq the verifier names. */
static int64_t tamper(struct fixture *f, const char *sql, char why[200])
{
    populate(open_store(f));
    int64_t entries;
    assert_int_equal(verify_chain(f->s, &entries, why), 0);
    assert_int_equal(entries, 6);
    close_store(f);
    assert_int_equal(
        db_exec(f->path, "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete;"), 0);
    assert_int_equal(db_exec(f->path, sql), SQLITE_OK);
    struct store *s = open_store(f);
    return verify_chain(s, NULL, why);
}

static void test_tampering_an_entry_detail_is_named(void **state)
{
    char why[200];
    assert_int_equal(
        tamper(*state, "UPDATE audit SET detail = '{\"forged\":1}' WHERE seq = 3", why), 3);
    assert_non_null(strstr(why, "altered"));
}

static void test_tampering_by_deleting_a_middle_entry_is_named(void **state)
{
    char why[200];
    assert_int_equal(tamper(*state, "DELETE FROM audit WHERE seq = 3", why), 3);
    assert_non_null(strstr(why, "missing"));
}

static void test_tampering_by_swapping_two_entries_is_named(void **state)
{
    char why[200];
    /* Entries 2 and 5 exchange everything but their seq. */
    assert_int_equal(tamper(*state,
                            "CREATE TEMP TABLE t AS SELECT * FROM audit WHERE seq IN (2, 5);"
                            "UPDATE audit SET (at, actor, action, object_type, object_id, detail,"
                            " prev_hash, hash) = (SELECT at, actor, action, object_type, "
                            "object_id, detail, prev_hash, hash FROM t WHERE t.seq = 7 - "
                            "audit.seq) WHERE seq IN (2, 5);",
                            why),
                     2);
}

static void test_tampering_by_renumbering_two_entries_is_named(void **state)
{
    char why[200];
    assert_int_equal(tamper(*state,
                            "UPDATE audit SET seq = -4 WHERE seq = 4;"
                            "UPDATE audit SET seq = 4 WHERE seq = 3;"
                            "UPDATE audit SET seq = 3 WHERE seq = -4;",
                            why),
                     3);
}

static void test_tampering_by_deleting_the_last_entry_is_named(void **state)
{
    char why[200];
    assert_int_equal(tamper(*state, "DELETE FROM audit WHERE seq = 6", why), 6);
    assert_non_null(strstr(why, "removed"));
}

static void test_tampering_by_deleting_the_whole_log_is_named(void **state)
{
    char why[200];
    assert_int_equal(tamper(*state, "DELETE FROM audit", why), 1);
}

/* ---- group commit ---- */

#define THREADS    8
#define PER_THREAD 200

struct submitter {
    struct store *s;
    struct store_write *w;
    uint32_t thread;
    int64_t user_id;
    struct tally *t;
    int submit_failures;
};

static void *submit_sessions(void *arg)
{
    struct submitter *sb = arg;
    for (uint32_t i = 0; i < PER_THREAD; i++) {
        struct store_write *w = &sb->w[i];
        *w = session_write(STORE_W_SESSION_ADD, 10000 + sb->thread, i, sb->user_id, INT64_MAX);
        w->done = tally_done;
        w->arg = sb->t;
        if (store_submit(sb->s, w) != 0)
            sb->submit_failures++;
    }
    return NULL;
}

static void test_concurrent_submitters_all_commit_in_groups(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t uid = populate(s);
    struct store_stats before, after;
    store_stats_get(s, &before);

    struct tally t = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0};
    struct store_write *w = test_calloc(THREADS * PER_THREAD, sizeof *w);
    struct submitter sb[THREADS];
    pthread_t th[THREADS];
    for (uint32_t i = 0; i < THREADS; i++) {
        sb[i] = (struct submitter){s, w + i * PER_THREAD, i, uid, &t, 0};
        assert_int_equal(pthread_create(&th[i], NULL, submit_sessions, &sb[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(sb[i].submit_failures, 0);
    }
    tally_wait(&t, THREADS * PER_THREAD);
    assert_int_equal(t.failed, 0);
    for (int i = 0; i < THREADS * PER_THREAD; i++)
        assert_int_equal(w[i].rc, 0);

    store_stats_get(s, &after);
    uint64_t writes = after.writes - before.writes, commits = after.commits - before.commits;
    assert_int_equal(writes, THREADS * PER_THREAD);
    assert_true(commits >= 1);
    assert_true(commits <= writes);
    print_message("      %llu writes in %llu commits\n", (unsigned long long)writes,
                  (unsigned long long)commits);
    /* The histogram is cumulative and its last bucket holds every commit. */
    for (int b = 1; b < STORE_BATCH_BUCKETS; b++)
        assert_true(after.batch_le[b] >= after.batch_le[b - 1]);
    assert_int_equal(after.batch_le[STORE_BATCH_BUCKETS - 1], after.commits);

    for (uint32_t i = 0; i < THREADS; i++) {
        unsigned char h[32];
        struct session_row r;
        token_hash(h, 10000 + i, PER_THREAD - 1);
        assert_int_equal(store_session_get(s, h, &r), 0);
        assert_int_equal(r.user_id, uid);
    }
    int64_t entries;
    char why[200];
    assert_int_equal(verify_chain(s, &entries, why), 0);
    assert_int_equal(entries, 6 + THREADS * PER_THREAD);
    assert_int_equal(audit_count(s, "session.create"), 1 + THREADS * PER_THREAD);
    test_free(w);
}

/* ---- backup ---- */

static void test_backup_is_a_complete_database_with_an_intact_chain(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    populate(s);
    char to[200];
    snprintf(to, sizeof to, "%s", in_dir(f, "backup.db"));
    char err[256] = "";
    assert_int_equal(store_backup(s, to, err, sizeof err), 0);
    char partial[220];
    snprintf(partial, sizeof partial, "%s.partial", to);
    assert_false(exists(partial));
    /* Writes after the backup are not in it. */
    assert_int_equal(add_unit(s, "599", "district", "58"), 0);

    struct store *b = NULL;
    assert_int_equal(store_open(to, STORE_OPEN_EXISTING, &b, err, sizeof err), 0);
    struct unit_row *orig, *copy;
    size_t n_orig, n_copy;
    assert_int_equal(store_unit_list(s, f->a, &orig, &n_orig), 0);
    assert_int_equal(store_unit_list(b, f->a, &copy, &n_copy), 0);
    assert_int_equal(n_orig, 5);
    assert_int_equal(n_copy, 4);
    for (size_t i = 0, k = 0; i < n_orig; i++) {
        if (strcmp(orig[i].code, "599") == 0)
            continue;
        assert_string_equal(copy[k].code, orig[i].code);
        assert_string_equal(copy[k].path, orig[i].path);
        assert_string_equal(copy[k].name, orig[i].name);
        k++;
    }
    struct user_row u;
    assert_int_equal(store_user_get(b, f->a, "handler1", &u), 0);
    int64_t entries;
    char why[200];
    assert_int_equal(verify_chain(b, &entries, why), 0);
    assert_int_equal(entries, 6);
    assert_int_equal(audit_head_seq(b), 6);
    /* The copy is a live database: it takes writes and its chain carries on. */
    assert_int_equal(add_unit(b, "600", "province", NULL), 0);
    assert_int_equal(verify_chain(b, &entries, why), 0);
    assert_int_equal(entries, 7);
    store_close(b);
}

static void test_backup_replaces_an_older_backup(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    char to[200];
    snprintf(to, sizeof to, "%s", in_dir(f, "backup.db"));
    char err[256] = "";
    assert_int_equal(add_unit(s, "58", "province", NULL), 0);
    assert_int_equal(store_backup(s, to, err, sizeof err), 0);
    assert_int_equal(add_unit(s, "59", "province", NULL), 0);
    assert_int_equal(store_backup(s, to, err, sizeof err), 0);
    struct store *b = NULL;
    assert_int_equal(store_open(to, STORE_OPEN_EXISTING, &b, err, sizeof err), 0);
    struct unit_row u;
    assert_int_equal(store_unit_get(b, f->a, "59", &u), 0);
    assert_int_equal(verify_chain(b, NULL, NULL), 0);
    store_close(b);
}

static void test_backup_to_an_impossible_path_fails_cleanly(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    populate(s);
    char to[200];
    snprintf(to, sizeof to, "%s", in_dir(f, "no/such/dir/backup.db"));
    char err[256] = "";
    assert_true(store_backup(s, to, err, sizeof err) < 0);
    assert_true(err[0] != 0);
    assert_false(exists(to));
    /* The store itself carries on. */
    assert_int_equal(add_unit(s, "599", "district", "58"), 0);
}

/* ---- Idempotency-Key records ---- */

static struct store_write idem_write(const char *key, int64_t at, int64_t live_since,
                                     unsigned char mark)
{
    struct store_write w;
    memset(&w, 0, sizeof w);
    w.kind = STORE_W_IDEMPOTENCY_ADD;
    w.u.idempotency.scope = "user:7";
    w.u.idempotency.key = key;
    memset(w.u.idempotency.fingerprint, mark, sizeof w.u.idempotency.fingerprint);
    w.u.idempotency.status = 201;
    w.u.idempotency.response = "sealed";
    w.u.idempotency.result_id = 42;
    w.u.idempotency.live_since = live_since;
    w.at_ms = at;
    return w;
}

static void test_idempotency_key_is_refused_while_live_then_replaced_and_purged(void **state)
{
    struct fixture *f = *state;
    struct store *s = open_store(f);
    int64_t audited = db_int(f->path, "SELECT count(*) FROM audit");
    struct store_write w = idem_write("k1", 1000000, 0, 0xA1);
    assert_int_equal(store_write_sync(s, &w), 0);
    /* a second record of the key while the first is live: refused */
    w = idem_write("k1", 1000500, 1000000, 0xB2);
    assert_int_equal(store_write_sync(s, &w), AKAR_EEXIST);
    struct idempotency_row r;
    assert_int_equal(store_idempotency_get(s, f->a, "user:7", "k1", 0, &r), 0);
    assert_int_equal(r.status, 201);
    assert_int_equal(r.result_id, 42);
    assert_int_equal(r.created_at, 1000000);
    assert_string_equal(r.response, "sealed");
    assert_int_equal(r.fingerprint[0], 0xA1);
    /* another caller's key of the same name is another record */
    assert_int_equal(store_idempotency_get(s, f->a, "user:8", "k1", 0, &r), AKAR_ENOTFOUND);
    /* a record older than since counts as gone, and a new one replaces it */
    assert_int_equal(store_idempotency_get(s, f->a, "user:7", "k1", 1000001, &r), AKAR_ENOTFOUND);
    w = idem_write("k1", 2000000, 1000001, 0xC3);
    assert_int_equal(store_write_sync(s, &w), 0);
    assert_int_equal(store_idempotency_get(s, f->a, "user:7", "k1", 0, &r), 0);
    assert_int_equal(r.fingerprint[0], 0xC3);
    w = idem_write("k2", 3000000, 0, 0xD4);
    assert_int_equal(store_write_sync(s, &w), 0);
    /* the sweep drops what was created before its cutoff */
    struct store_write purge = {.kind = STORE_W_IDEMPOTENCY_PURGE, .actor = "system"};
    purge.u.purge.now_ms = 2500000;
    assert_int_equal(store_write_sync(s, &purge), 0);
    assert_int_equal(purge.id, 1);
    assert_int_equal(store_idempotency_get(s, f->a, "user:7", "k1", 0, &r), AKAR_ENOTFOUND);
    assert_int_equal(store_idempotency_get(s, f->a, "user:7", "k2", 0, &r), 0);
    /* housekeeping, not history: nothing was audited */
    assert_int_equal(db_int(f->path, "SELECT count(*) FROM audit"), audited);
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_migrate_creates_a_new_database_at_the_known_version),
        T(test_reopening_a_migrated_database_migrates_nothing),
        T(test_open_existing_on_a_missing_file_is_not_found),
        T(test_database_from_a_newer_akar_is_refused_as_too_new),
        T(test_unmigrated_database_opened_as_existing_is_a_conflict),
        T(test_file_that_is_not_a_database_is_refused),
        T(test_unit_add_stores_the_unit_under_its_parent),
        T(test_unit_list_puts_parents_before_children),
        T(test_unit_add_with_a_missing_parent_is_not_found_and_stores_nothing),
        T(test_unit_add_of_an_existing_code_is_eexist_and_changes_nothing),
        T(test_units_generation_moves_only_with_committed_unit_changes),
        T(test_user_add_stores_the_user_and_the_grant),
        T(test_user_add_with_a_taken_login_is_eexist),
        T(test_user_add_in_a_missing_unit_is_not_found),
        T(test_user_add_with_an_unknown_role_leaves_no_user_behind),
        T(test_session_add_get_and_delete),
        T(test_session_delete_of_an_unknown_token_is_not_found),
        T(test_session_add_with_a_known_token_is_eexist),
        T(test_session_add_for_a_missing_user_fails_and_stores_nothing),
        T(test_session_purge_drops_only_expired_sessions),
        T(test_meta_set_stores_and_replaces_a_setting),
        T(test_batch_commits_every_item),
        T(test_batch_with_one_failing_item_stores_nothing_and_audits_nothing),
        T(test_a_batch_stores_a_case_with_its_attachments_or_nothing),
        T(test_cases_by_creator_come_newest_first_in_pages),
        T(test_case_stamp_and_cases_generation_follow_every_case_change),
        T(test_failed_write_does_not_undo_its_neighbours),
        T(test_close_finishes_queued_writes),
        T(test_every_successful_write_appends_one_verifiable_entry),
        T(test_audit_entry_records_who_what_when_and_details),
        T(test_audit_scan_stops_when_the_callback_says_so),
        T(test_audit_log_refuses_update_and_delete_while_its_triggers_stand),
        T(test_tampering_an_entry_detail_is_named),
        T(test_tampering_by_deleting_a_middle_entry_is_named),
        T(test_tampering_by_swapping_two_entries_is_named),
        T(test_tampering_by_renumbering_two_entries_is_named),
        T(test_tampering_by_deleting_the_last_entry_is_named),
        T(test_tampering_by_deleting_the_whole_log_is_named),
        T(test_concurrent_submitters_all_commit_in_groups),
        T(test_backup_is_a_complete_database_with_an_intact_chain),
        T(test_backup_replaces_an_older_backup),
        T(test_backup_to_an_impossible_path_fails_cleanly),
        T(test_idempotency_key_is_refused_while_live_then_replaced_and_purged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
