/* bench/cases_raw: the physical limit for durable petitions, set against akar's POST
 * /api/v1/cases: raw SQLite inserts, single thread, prepared statements, of what akar stores
 * for one submission, into a database with akar's own schema (a fresh `akar init --demo`),
 * batch petitions per transaction, WAL, synchronous=FULL, foreign keys on. Per petition: the
 * cases row (its FTS5 entry follows by the schema's trigger), one case_scope row per unit from
 * the case's up to the province, the "submit" case_events row and an audit row (random hashes:
 * the chain's hashing is left out, only its row is stored). Not done: akar's per-write
 * savepoint, category lookup, deadline and tracking-code computation, HTTP.
 * Usage: cases_raw DB BODY.json ROWS BATCH; BODY.json is the very body posted to akar. Prints
 * "ROWS SECONDS COMMITS" on one line. */
#include <jansson.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_DEPTH  8
#define DUE_AFTER  (10LL * 86400 * 1000) /* about the accept step's limit */
#define CODE_CHARS "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
#define HASH_BYTES 32

static const char sql_case[] =
    "INSERT INTO cases (tracking_code, access_key_hash, kind, channel, status, unit_id, "
    "category_id, department_id, title, description, privacy, reporter, step, step_from, due_at, "
    "open, remote, received_at, updated_at) VALUES (?1, ?2, ?3, 'api', 'submitted', ?4, ?5, ?6, "
    "?7, ?8, 'public', ?9, 'accept', ?10, ?11, 1, 0, ?10, ?10)";
static const char sql_scope[] =
    "INSERT INTO case_scope (unit_id, open, due_at, case_id) VALUES (?1, 1, ?2, ?3)";
static const char sql_event[] =
    "INSERT INTO case_events (case_id, at, actor, action, to_status, public_note) "
    "VALUES (?1, ?2, 'reporter', 'submit', 'submitted', ?3)";
static const char sql_audit[] =
    "INSERT INTO audit (seq, at, actor, action, object_type, object_id, detail, prev_hash, hash) "
    "VALUES (?1, ?2, 'reporter', 'case.submit', 'case', ?3, '{}', ?4, ?5)";

struct raw {
    sqlite3 *db;
    sqlite3_stmt *ins_case, *ins_scope, *ins_event, *ins_audit;
    int64_t units[MAX_DEPTH];
    int depth;
    int64_t category_id, department_id, seq;
    const char *kind, *title, *description, *reporter;
    uint64_t rng;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void random_bytes(uint64_t *s, unsigned char *out, size_t n)
{
    for (size_t i = 0; i < n; i += 8) {
        uint64_t r = next_random(s);
        memcpy(out + i, &r, n - i < 8 ? n - i : 8);
    }
}

static int fail(sqlite3 *db, const char *what)
{
    fprintf(stderr, "cases_raw: %s: %s\n", what, db ? sqlite3_errmsg(db) : "out of memory");
    return 1;
}

static int exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(db, sql);
}

/* One integer from sql with text parameter ?1 (and ?2 if given); 0 if there is no row. */
static int64_t lookup(sqlite3 *db, const char *sql, const char *p1, const char *p2)
{
    sqlite3_stmt *st;
    int64_t v = 0;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return 0;
    sqlite3_bind_text(st, 1, p1, -1, SQLITE_STATIC);
    if (p2)
        sqlite3_bind_text(st, 2, p2, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The unit of the body and its ancestors, and its category (at the nearest unit offering it,
 * as akar picks it). */
static int resolve(struct raw *r, const char *unit, const char *category)
{
    int64_t id = lookup(r->db, "SELECT id FROM units WHERE code = ?1", unit, NULL);
    while (id && r->depth < MAX_DEPTH) {
        r->units[r->depth++] = id;
        char text[24];
        snprintf(text, sizeof text, "%lld", (long long)id);
        id = lookup(r->db, "SELECT coalesce(parent_id, 0) FROM units WHERE id = ?1", text, NULL);
    }
    if (!r->depth) {
        fprintf(stderr, "cases_raw: unit %s is not in the database\n", unit);
        return 1;
    }
    if (category) {
        static const char find[] =
            "SELECT cat.id FROM categories cat JOIN units u ON u.id = cat.unit_id "
            "WHERE cat.code = ?2 AND substr((SELECT path FROM units WHERE code = ?1), 1, "
            "length(u.path)) = u.path ORDER BY length(u.path) DESC LIMIT 1";
        r->category_id = lookup(r->db, find, unit, category);
        char cat[24];
        snprintf(cat, sizeof cat, "%lld", (long long)r->category_id);
        r->department_id = lookup(
            r->db, "SELECT coalesce(department_id, 0) FROM categories WHERE id = ?1", cat, NULL);
    }
    r->seq = lookup(r->db, "SELECT coalesce(max(seq), 0) + ?1 FROM audit", "0", NULL);
    if (category && !r->category_id) {
        fprintf(stderr, "cases_raw: category %s is not offered at %s\n", category, unit);
        return 1;
    }
    return 0;
}

static int insert_one(struct raw *r, int64_t now)
{
    char code[14];
    for (int i = 0; i < 13; i++)
        code[i] = i == 4 || i == 9 ? '-' : CODE_CHARS[next_random(&r->rng) % 32];
    code[13] = 0;
    unsigned char key[HASH_BYTES], prev[HASH_BYTES], hash[HASH_BYTES];
    random_bytes(&r->rng, key, sizeof key);
    random_bytes(&r->rng, prev, sizeof prev);
    random_bytes(&r->rng, hash, sizeof hash);
    int64_t due = now + DUE_AFTER;
    sqlite3_stmt *st = r->ins_case;
    sqlite3_bind_text(st, 1, code, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(st, 2, key, sizeof key, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, r->kind, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, r->units[0]);
    if (r->category_id) {
        sqlite3_bind_int64(st, 5, r->category_id);
        if (r->department_id)
            sqlite3_bind_int64(st, 6, r->department_id);
    }
    sqlite3_bind_text(st, 7, r->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, r->description, -1, SQLITE_STATIC);
    if (r->reporter)
        sqlite3_bind_text(st, 9, r->reporter, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 10, now);
    sqlite3_bind_int64(st, 11, due);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return fail(r->db, "insert into cases");
    int64_t id = sqlite3_last_insert_rowid(r->db);
    for (int i = 0; i < r->depth; i++) {
        sqlite3_bind_int64(r->ins_scope, 1, r->units[i]);
        sqlite3_bind_int64(r->ins_scope, 2, due);
        sqlite3_bind_int64(r->ins_scope, 3, id);
        rc = sqlite3_step(r->ins_scope);
        sqlite3_reset(r->ins_scope);
        if (rc != SQLITE_DONE)
            return fail(r->db, "insert into case_scope");
    }
    sqlite3_bind_int64(r->ins_event, 1, id);
    sqlite3_bind_int64(r->ins_event, 2, now);
    sqlite3_bind_text(r->ins_event, 3,
                      "Received; a decision on accepting it is due within ten working days.", -1,
                      SQLITE_STATIC);
    rc = sqlite3_step(r->ins_event);
    sqlite3_reset(r->ins_event);
    if (rc != SQLITE_DONE)
        return fail(r->db, "insert into case_events");
    char object[24];
    snprintf(object, sizeof object, "%lld", (long long)id);
    sqlite3_bind_int64(r->ins_audit, 1, ++r->seq);
    sqlite3_bind_int64(r->ins_audit, 2, now);
    sqlite3_bind_text(r->ins_audit, 3, object, -1, SQLITE_TRANSIENT);
    sqlite3_bind_blob(r->ins_audit, 4, prev, sizeof prev, SQLITE_TRANSIENT);
    sqlite3_bind_blob(r->ins_audit, 5, hash, sizeof hash, SQLITE_TRANSIENT);
    rc = sqlite3_step(r->ins_audit);
    sqlite3_reset(r->ins_audit);
    return rc == SQLITE_DONE ? 0 : fail(r->db, "insert into audit");
}

static const char *text_of(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: cases_raw DB BODY.json ROWS BATCH\n");
        return 2;
    }
    long rows = strtol(argv[3], NULL, 10), batch = strtol(argv[4], NULL, 10);
    if (rows < 1 || batch < 1) {
        fprintf(stderr, "cases_raw: ROWS and BATCH are at least 1\n");
        return 2;
    }
    json_error_t jerr;
    json_t *body = json_load_file(argv[2], 0, &jerr);
    if (!body || !text_of(body, "unit") || !text_of(body, "title") ||
        !text_of(body, "description") || !text_of(body, "kind")) {
        fprintf(stderr, "cases_raw: %s: not a petition body (%s)\n", argv[2], jerr.text);
        return 2;
    }
    struct raw r = {.kind = text_of(body, "kind"),
                    .title = text_of(body, "title"),
                    .description = text_of(body, "description"),
                    .rng = 0x2545F4914F6CDD1DULL ^ (uint64_t)wall_ms()};
    char *reporter = json_object_get(body, "reporter")
                         ? json_dumps(json_object_get(body, "reporter"), JSON_COMPACT)
                         : NULL;
    r.reporter = reporter;
    int rc = 1;
    if (sqlite3_open_v2(argv[1], &r.db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fail(r.db, argv[1]);
        goto out;
    }
    if (exec(r.db, "PRAGMA journal_mode = WAL") || exec(r.db, "PRAGMA synchronous = FULL") ||
        exec(r.db, "PRAGMA foreign_keys = ON") ||
        resolve(&r, text_of(body, "unit"), text_of(body, "category")))
        goto out;
    if (sqlite3_prepare_v3(r.db, sql_case, -1, SQLITE_PREPARE_PERSISTENT, &r.ins_case, NULL) ||
        sqlite3_prepare_v3(r.db, sql_scope, -1, SQLITE_PREPARE_PERSISTENT, &r.ins_scope, NULL) ||
        sqlite3_prepare_v3(r.db, sql_event, -1, SQLITE_PREPARE_PERSISTENT, &r.ins_event, NULL) ||
        sqlite3_prepare_v3(r.db, sql_audit, -1, SQLITE_PREPARE_PERSISTENT, &r.ins_audit, NULL)) {
        fail(r.db, "prepare");
        goto out;
    }
    long done = 0, commits = 0;
    double t0 = now_s();
    while (done < rows) {
        if (exec(r.db, "BEGIN IMMEDIATE"))
            goto out;
        int64_t now = wall_ms();
        for (long i = 0; i < batch && done < rows; i++, done++)
            if (insert_one(&r, now))
                goto out;
        if (exec(r.db, "COMMIT"))
            goto out;
        commits++;
    }
    printf("%ld %.3f %ld\n", done, now_s() - t0, commits);
    rc = 0;
out:
    sqlite3_finalize(r.ins_case);
    sqlite3_finalize(r.ins_scope);
    sqlite3_finalize(r.ins_event);
    sqlite3_finalize(r.ins_audit);
    sqlite3_close(r.db);
    free(reporter);
    json_decref(body);
    return rc;
}
