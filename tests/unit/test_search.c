/* Unit tests for the inbox's full-text search on the SQLite store, with real files in a fresh
 * temporary directory per test: words found whatever their diacritics and case, "đ" and "d"
 * alike both ways; each of the three ways a search reads (few matches, a set of matches, each
 * case's own words) giving, page after page, exactly the cases a plain reading of the data
 * gives; the index kept by its triggers for writers that are not akar; and an older database's
 * index rebuilt by its migration. The data is written with plain SQL, as any SQLite client
 * could, and the plans are forced by the settings search.few_matches and search.reads_per_row. */
#include "store/store.h"

#include "base/arena.h"
#include "embedded.h"

#include <dirent.h>
#include <setjmp.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

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
    snprintf(f->dir, sizeof f->dir, "%s/akar-search-XXXXXX", tmp && *tmp ? tmp : "/tmp");
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

/* ---- the database, written as any SQLite client could ---- */

static sqlite3 *db_open(const char *path)
{
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL),
                     SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    return db;
}

static void db_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg ? msg : "?");
}

/* The first column of the first row of sql as an integer. */
static int64_t db_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* FTS5's own check that the index holds exactly what its content view shows. */
static void assert_index_intact(sqlite3 *db)
{
    db_exec(db, "INSERT INTO cases_fts (cases_fts, rank) VALUES ('integrity-check', 1)");
}

/* The demo's shape in small: a province, two districts, three communes. */
enum { P, D1, C11, C12, D2, C21, NUNITS };
static const struct {
    const char *code, *level, *path;
    int parent;
} units[NUNITS] = {
    [P] = {"58", "province", "/58/", -1},
    [D1] = {"586", "district", "/58/586/", P},
    [C11] = {"586.01", "commune", "/58/586/586.01/", D1},
    [C12] = {"586.02", "commune", "/58/586/586.02/", D1},
    [D2] = {"585", "district", "/58/585/", P},
    [C21] = {"585.01", "commune", "/58/585/585.01/", D2},
};

static void add_units(sqlite3 *db)
{
    for (int u = 0; u < NUNITS; u++) {
        char parent[16] = "NULL", sql[400];
        if (units[u].parent >= 0)
            snprintf(parent, sizeof parent, "%d", units[u].parent + 1);
        snprintf(sql, sizeof sql,
                 "INSERT INTO units (id, code, name, level, parent_id, path, time_zone, "
                 "created_at) VALUES (%d, '%s', 'Unit %s', '%s', %s, '%s', "
                 "'Asia/Ho_Chi_Minh', 0)",
                 u + 1, units[u].code, units[u].code, units[u].level, parent, units[u].path);
        db_exec(db, sql);
    }
}

/* Inserts case id of unit u with its case_scope rows, as akar's writes lay them out. */
static void add_case(sqlite3 *db, int64_t id, int u, bool open, int64_t due, const char *kind,
                     const char *title, const char *description)
{
    sqlite3_stmt *st = NULL;
    assert_int_equal(
        sqlite3_prepare_v2(
            db,
            "INSERT INTO cases (id, tracking_code, access_key_hash, kind, channel, status, "
            "unit_id, title, description, privacy, step, step_from, due_at, open, received_at, "
            "updated_at) VALUES (?1, 'T-' || ?1, zeroblob(32), ?2, 'web', ?3, ?4, ?5, ?6, "
            "'public', 'settle', 0, ?7, ?8, 0, 0)",
            -1, &st, NULL),
        SQLITE_OK);
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, open ? "submitted" : "closed", -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 4, u + 1);
    sqlite3_bind_text(st, 5, title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 6, description, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 7, due);
    sqlite3_bind_int(st, 8, open);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    for (int v = u; v >= 0; v = units[v].parent) {
        char sql[200];
        snprintf(sql, sizeof sql,
                 "INSERT INTO case_scope (unit_id, open, due_at, case_id) VALUES (%d, %d, %lld, "
                 "%lld)",
                 v + 1, open, (long long)due, (long long)id);
        db_exec(db, sql);
    }
}

/* A database at the newest schema with the units, akar closed. */
static sqlite3 *new_database(struct fixture *f)
{
    char err[256] = "";
    assert_int_equal(store_open(f->path, STORE_OPEN_MIGRATE, &f->s, err, sizeof err), 0);
    store_close(f->s);
    f->s = NULL;
    sqlite3 *db = db_open(f->path);
    add_units(db);
    return db;
}

/* Opens the store with the plan settings (0: the default) and returns it. */
static struct store *open_with(struct fixture *f, long few, long reads)
{
    store_close(f->s);
    f->s = NULL;
    sqlite3 *db = db_open(f->path);
    db_exec(db, "DELETE FROM meta WHERE key IN ('search.few_matches', 'search.reads_per_row')");
    char sql[200];
    if (few) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta (key, value) VALUES ('search.few_matches', '%ld')", few);
        db_exec(db, sql);
    }
    if (reads) {
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta (key, value) VALUES ('search.reads_per_row', '%ld')", reads);
        db_exec(db, sql);
    }
    sqlite3_close(db);
    char err[256] = "";
    assert_int_equal(store_open(f->path, STORE_OPEN_EXISTING, &f->s, err, sizeof err), 0);
    return f->s;
}

/* The ids of the cases of unit u's subtree holding text, in the inbox's order, all pages
 * walked by cursor; n receives how many (at most cap). */
static size_t search_all(struct fixture *f, int u, const char *text, bool only_open,
                         const char *kind, size_t page, int64_t *ids, size_t cap)
{
    struct case_filter flt = {
        .scope_unit_id = u + 1, .text = text, .only_open = only_open, .kind = kind, .limit = page};
    size_t total = 0;
    for (int pages = 0; pages < 1000; pages++) {
        struct case_row *rows;
        size_t n;
        assert_int_equal(store_case_list(f->s, f->a, &flt, &rows, &n), 0);
        assert_true(n <= page);
        for (size_t i = 0; i < n; i++) {
            assert_true(total < cap);
            ids[total++] = rows[i].id;
        }
        if (n < page)
            return total;
        flt.has_cursor = true;
        flt.after_due = rows[n - 1].due_at;
        flt.after_id = rows[n - 1].id;
    }
    fail_msg("?q=%s never ends", text);
    return 0;
}

static size_t search_ids(struct fixture *f, int u, const char *text, int64_t *ids, size_t cap)
{
    return search_all(f, u, text, false, NULL, 50, ids, cap);
}

static bool holds(const int64_t *ids, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] == id)
            return true;
    return false;
}

/* ---- words, whatever their marks ---- */

static void test_search_finds_words_whatever_their_diacritics_case_and_d(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = new_database(f);
    add_case(db, 1, C11, true, 100, "complaint", "Đường làng xuống cấp", "Mặt đường nhiều ổ gà.");
    add_case(db, 2, C11, true, 200, "complaint", "duong lang xuong cap", "mat duong nhieu o ga");
    add_case(db, 3, C12, true, 300, "complaint", "ĐẤT CÔNG BỊ LẤN CHIẾM", "Đề nghị kiểm tra.");
    add_case(db, 4, C21, false, 400, "feedback", "Góp ý", "Về quyền dân chủ ở cơ sở; đất.");
    add_case(db, 5, C21, true, 500, "feedback", "Dương và Đăng", "tên người");
    sqlite3_close(db);
    open_with(f, 0, 0);
    static const struct {
        const char *q;
        int64_t want[5]; /* ends at 0 */
    } cases[] = {
        {"duong", {1, 2, 5}},     /* "d" finds "đ", and "Dương" folds to "duong" too */
        {"đường", {1, 2, 5}},     /* "đ" finds "d" */
        {"ĐƯỜNG", {1, 2, 5}},     /* upper case "Đ" */
        {"Duong   LANG", {1, 2}}, /* every word, whatever the case and the spaces */
        {"dat cong", {3}},        /* "ĐẤT CÔNG" */
        {"đất", {3, 4}},          /* settled cases too (open=all) */
        {"dan chu", {4}},         /* "dân chủ": description */
        {"dân-chủ", {4}},         /* punctuation separates words */
        {"dang", {5}},            /* "Đăng" */
        {"nhieu o ga", {1, 2}},   /* one-letter words */
        {"đường đất", {0}},       /* no case holds both */
        {"\"ĐẤT\"* (", {3, 4}},   /* FTS5 syntax is only words: no prefix, no error */
        {"dat OR NOT", {0}},      /* "or" and "not" are words like any other */
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        int64_t ids[16] = {0};
        size_t n = search_ids(f, P, cases[k].q, ids, 16);
        size_t want = 0;
        while (want < 5 && cases[k].want[want])
            want++;
        if (n != want)
            fail_msg("?q=%s: %zu cases, expected %zu", cases[k].q, n, want);
        for (size_t i = 0; i < want; i++)
            if (!holds(ids, n, cases[k].want[i]))
                fail_msg("?q=%s misses case %lld", cases[k].q, (long long)cases[k].want[i]);
    }
    /* a text without a letter or a digit does not narrow the inbox */
    int64_t ids[16] = {0};
    assert_int_equal(search_ids(f, P, " -- ?! ", ids, 16), 5);
}

/* ---- three plans, one answer ---- */

/* The words of the generated cases: each folds to one index token, and no two to the same one;
 * the spellings are what people type. */
static const struct {
    const char *spellings[4];
} vocab[] = {
    {{"đường", "Đường", "duong", "DUONG"}}, {{"đất", "ĐẤT", "dat", "Đạt"}},
    {{"giếng", "GIẾNG", "gieng", "Giếng"}}, {{"cống", "công", "cong", "CÔNG"}},
    {{"chợ", "chờ", "CHO", "chơ"}},
};
#define NVOCAB (sizeof vocab / sizeof vocab[0])
#define NCASES 400

struct gen_case {
    int unit;
    bool open;
    int64_t due;
    bool complaint;
    unsigned words; /* bit w: holds vocab[w] */
};

static uint64_t rng = 88172645463325252ull;
static unsigned next_random(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

/* Cases spread over the communes and districts, open and settled, with deadlines that often tie
 * (the cursor orders by id within one), holding the words with shares from 1 in 2 to a few:
 * "chợ" only in the newest cases and in a handful of old ones of another district. */
static void generate(sqlite3 *db, struct gen_case *g)
{
    static const int share[NVOCAB] = {50, 20, 3, 10, 0};
    static const int places[] = {C11, C11, C12, C21, D1, D2, C21};
    db_exec(db, "BEGIN");
    for (int i = 0; i < NCASES; i++) {
        struct gen_case *c = &g[i];
        c->unit = places[next_random(sizeof places / sizeof places[0])];
        c->open = next_random(10) < 4;
        c->due = 1000 + 10 * (int64_t)next_random(60);
        c->complaint = next_random(2);
        c->words = 0;
        for (unsigned w = 0; w < NVOCAB; w++)
            if ((int)next_random(100) < share[w])
                c->words |= 1u << w;
        if (i < 6)
            c->unit = C21;
        if (i < 6 || i >= NCASES - 40)
            c->words |= 1u << 4;
        char title[200] = "Phản ánh", description[300] = "Nội dung";
        for (unsigned w = 0; w < NVOCAB; w++) {
            if (!(c->words & (1u << w)))
                continue;
            char *to = next_random(2) ? title : description;
            size_t len = strlen(to);
            snprintf(to + len, 200 - len, " %s", vocab[w].spellings[next_random(4)]);
        }
        size_t len = strlen(description);
        snprintf(description + len, sizeof description - len, " ở thôn.");
        add_case(db, i + 1, c->unit, c->open, c->due, c->complaint ? "complaint" : "feedback",
                 title, description);
    }
    db_exec(db, "COMMIT");
}

static bool under(int u, int scope)
{
    for (int v = u; v >= 0; v = units[v].parent)
        if (v == scope)
            return true;
    return false;
}

/* The inbox by hand: cases of the scope holding the words, by (due, id). */
static size_t expected(const struct gen_case *g, int scope, unsigned words, bool only_open,
                       bool complaints, int64_t *ids)
{
    size_t n = 0;
    for (int i = 0; i < NCASES; i++)
        if (under(g[i].unit, scope) && (g[i].words & words) == words && (!only_open || g[i].open) &&
            (!complaints || g[i].complaint))
            ids[n++] = i + 1;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            const struct gen_case *x = &g[ids[j - 1] - 1], *y = &g[ids[j] - 1];
            if (x->due < y->due || (x->due == y->due && ids[j - 1] < ids[j]))
                break;
            int64_t t = ids[j];
            ids[j] = ids[j - 1];
            ids[j - 1] = t;
        }
    return n;
}

/* Every query, scope, open or all, with and without a kind, in pages of three sizes, against
 * the inbox by hand. */
static void check_every_search(struct fixture *f, const struct gen_case *g, const char *plan)
{
    static const struct {
        const char *q;
        unsigned words;
    } queries[] = {
        {"đường", 1u << 0}, {"DUONG", 1u << 0},  {"dat", 1u << 1},
        {"Giếng", 1u << 2}, {"cong", 1u << 3},   {"cho", 1u << 4},
        {"duong dat", 3u},  {"gieng duong", 5u}, {"cống chợ", 3u << 3},
    };
    static const int scopes[] = {P, D1, C11, D2, C21};
    static const size_t pages[] = {1, 7, 200};
    int64_t want[NCASES], got[NCASES];
    for (size_t q = 0; q < sizeof queries / sizeof queries[0]; q++)
        for (size_t s = 0; s < sizeof scopes / sizeof scopes[0]; s++)
            for (int variant = 0; variant < 4; variant++) {
                bool only_open = variant & 1, complaints = variant & 2;
                size_t page = pages[(q + s + (size_t)variant) % 3];
                size_t nw = expected(g, scopes[s], queries[q].words, only_open, complaints, want);
                size_t ng = search_all(f, scopes[s], queries[q].q, only_open,
                                       complaints ? "complaint" : NULL, page, got, NCASES);
                bool same = nw == ng;
                for (size_t i = 0; same && i < nw; i++)
                    same = want[i] == got[i];
                if (!same)
                    fail_msg("%s: ?q=%s in %s%s%s, pages of %zu: %zu cases, expected %zu", plan,
                             queries[q].q, units[scopes[s]].code, only_open ? ", open" : "",
                             complaints ? ", complaints" : "", page, ng, nw);
            }
}

static void test_every_plan_pages_through_exactly_the_matching_cases(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = new_database(f);
    static struct gen_case g[NCASES];
    generate(db, g);
    sqlite3_close(db);
    /* few: at most 2,000 matches, so every search here sorts its matches */
    open_with(f, 0, 0);
    check_every_search(f, g, "few");
    /* many: past one match, each case's words are read, and the reads never run out */
    open_with(f, 1, 1000000);
    check_every_search(f, g, "many");
    /* some: past one match, never a reading of words (one read per row allows none to
     * miss), so every match goes into the set */
    open_with(f, 1, 1);
    check_every_search(f, g, "some");
    /* many first, then some when the reads run out: two reads per row, while the newest
     * cases all hold "chợ" and the old ones almost none */
    open_with(f, 1, 2);
    check_every_search(f, g, "many, then some");
}

/* ---- the index kept by its triggers ---- */

static void test_changed_and_deleted_cases_leave_the_index_by_any_writer(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = new_database(f);
    add_case(db, 1, C11, true, 100, "complaint", "Giếng làng cạn", "Đề nghị nạo vét.");
    add_case(db, 2, C11, true, 200, "complaint", "Đường hỏng", "Ổ gà.");
    add_case(db, 3, C12, true, 300, "complaint", "Đèn đường tắt", "Tối.");
    /* a writer without akar's functions: the sqlite3 shell, a script */
    db_exec(db, "UPDATE cases SET title = 'Đê bị sạt', version = version + 1 WHERE id = 1");
    db_exec(db, "UPDATE cases SET status = 'accepted' WHERE id = 2");
    db_exec(db, "DELETE FROM case_scope WHERE case_id = 3; DELETE FROM cases WHERE id = 3");
    assert_index_intact(db);
    sqlite3_close(db);
    open_with(f, 0, 0);
    int64_t ids[8] = {0};
    assert_int_equal(search_ids(f, P, "giếng", ids, 8), 0);
    assert_int_equal(search_ids(f, P, "de sat", ids, 8), 1);
    assert_int_equal(ids[0], 1);
    assert_int_equal(search_ids(f, P, "duong", ids, 8), 1);
    assert_int_equal(ids[0], 2);
}

/* ---- an older database ---- */

/* A database made by an akar that knew schema 4 only, with one case per word spelt both ways,
 * indexed as that akar indexed them. */
static sqlite3 *schema_4_database(struct fixture *f)
{
    sqlite3 *db = db_open(f->path);
    for (int v = 1; v <= 4; v++) {
        char prefix[16];
        snprintf(prefix, sizeof prefix, "%04d_", v);
        const struct embedded_file *m = NULL;
        for (size_t i = 0; i < embedded_count; i++)
            if (strncmp(embedded_files[i].name, prefix, 5) == 0)
                m = &embedded_files[i];
        if (!m) {
            fail_msg("no migration %s in this build", prefix);
            return NULL;
        }
        db_exec(db, m->data);
    }
    db_exec(db, "PRAGMA user_version = 4");
    add_units(db);
    add_case(db, 1, C11, true, 100, "complaint", "Tranh chấp đất", "Đường ranh giới.");
    add_case(db, 2, C12, true, 200, "complaint", "Tranh chap dat", "duong ranh gioi");
    add_case(db, 3, C21, false, 300, "feedback", "Giếng", "Nước đục.");
    return db;
}

static void test_migration_rebuilds_an_older_index_with_d_folded(void **state)
{
    struct fixture *f = *state;
    sqlite3 *db = schema_4_database(f);
    /* schema 4 kept "đ" apart: "dat" found the plain spelling only */
    assert_int_equal(db_int(db, "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'dat'"), 1);
    sqlite3_close(db);

    char err[256] = "";
    assert_int_equal(store_open(f->path, STORE_OPEN_MIGRATE, &f->s, err, sizeof err), 0);
    int from, to;
    store_migrated(f->s, &from, &to);
    assert_int_equal(from, 4);
    assert_true(to >= 7);
    int64_t ids[8] = {0};
    assert_int_equal(search_ids(f, P, "dat", ids, 8), 2);
    assert_int_equal(search_ids(f, P, "đất đường", ids, 8), 2);
    assert_int_equal(search_ids(f, D1, "ĐẤT", ids, 8), 2);
    assert_int_equal(search_ids(f, C12, "đất", ids, 8), 1);
    assert_int_equal(ids[0], 2);
    assert_int_equal(search_ids(f, P, "nuoc duc", ids, 8), 1);
    assert_int_equal(ids[0], 3);

    db = db_open(f->path);
    assert_index_intact(db);
    /* nothing of the old index is left behind */
    assert_int_equal(db_int(db, "SELECT count(*) FROM sqlite_schema WHERE name IN "
                                "('cases_fts_insert', 'cases_fts_update')"),
                     0);
    assert_int_equal(db_int(db, "SELECT count(*) FROM cases_fts WHERE cases_fts MATCH 'dat'"), 2);
    /* a case written afterwards, by anyone, is indexed folded */
    add_case(db, 4, C11, true, 400, "complaint", "ĐẬP TRÀN", "");
    sqlite3_close(db);
    assert_int_equal(search_ids(f, P, "dap tran", ids, 8), 1);
    assert_int_equal(ids[0], 4);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_search_finds_words_whatever_their_diacritics_case_and_d),
        T(test_every_plan_pages_through_exactly_the_matching_cases),
        T(test_changed_and_deleted_cases_leave_the_index_by_any_writer),
        T(test_migration_rebuilds_an_older_index_with_d_folded),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
