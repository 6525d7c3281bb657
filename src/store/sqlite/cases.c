/* The SQLite side of petitions: cases, their timeline and subtree index, categories,
 * attachments, webhooks and the outbox rows that changes queue. Called from sqlite.c's write
 * dispatch and read table. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "store/sqlite/internal.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_COLUMNS                                                                               \
    "c.id, c.version, c.tracking_code, c.access_key_hash, c.kind, c.channel, c.status, "           \
    "c.privacy, c.unit_id, u.code, u.name, u.path, u.time_zone, cat.code, cat.name, d.name, "      \
    "c.title, c.description, c.reporter, c.reporter_sealed, c.lat, c.lon, c.address, "             \
    "c.handler_id, h.login, c.step, c.step_from, c.due_at, c.open, c.complex, c.remote, "          \
    "c.extensions, c.round, c.answer, c.document, c.merged_into, c.rating, c.rating_comment, "     \
    "c.created_by, c.received_at, c.resolved_at, c.updated_at, c.answers "
#define CASE_JOINS                                                                                 \
    "JOIN units u ON u.id = c.unit_id LEFT JOIN categories cat ON cat.id = c.category_id "         \
    "LEFT JOIN departments d ON d.id = c.department_id LEFT JOIN users h ON h.id = c.handler_id "

static const char SQL_CASE_BY_ID[] =
    "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS "WHERE c.id = ?1";
static const char SQL_CASE_BY_CODE[] =
    "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS "WHERE c.tracking_code = ?1";
/* An inbox page must be one index range read in (due_at, case_id) order, never a sort of the
 * whole subtree: open cases come from case_scope's primary key (unit_id, open, due_at,
 * case_id), open and settled ones together from case_scope_due (unit_id, due_at, case_id). */
#define CASE_LIST_FILTERS                                                                          \
    "AND (s.due_at, s.case_id) > (?3, ?4) "                                                        \
    "AND (?5 IS NULL OR c.kind = ?5) AND (?6 IS NULL OR c.status = ?6) "                           \
    "AND (?7 IS NULL OR cat.code = ?7) AND (?8 IS NULL OR s.due_at < ?8) "
#define CASE_LIST_ORDER "ORDER BY s.due_at, s.case_id LIMIT ?10"
#define CASE_SCOPE_RANGE                                                                           \
    "FROM case_scope s JOIN cases c ON c.id = s.case_id " CASE_JOINS "WHERE s.unit_id = ?1 "
static const char SQL_CASE_LIST_OPEN[] =
    "SELECT " CASE_COLUMNS CASE_SCOPE_RANGE "AND s.open = 1 " CASE_LIST_FILTERS CASE_LIST_ORDER;
static const char SQL_CASE_LIST_ALL[] =
    "SELECT " CASE_COLUMNS CASE_SCOPE_RANGE CASE_LIST_FILTERS CASE_LIST_ORDER;
/* An inbox search (?9) reads in one of three ways, chosen in case_search from the newest ?2
 * cases that match anywhere; then, for one way, the others (older than ?2) go into the set ?3
 * in one step: a subquery, or a row per case, would cost more than reading the index. */
static const char SQL_SEARCH_NEWEST[] =
    "SELECT rowid FROM cases_fts WHERE cases_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2";
static const char SQL_SEARCH_OLDER[] =
    "SELECT akar_ids_add(?3, rowid) FROM cases_fts WHERE cases_fts MATCH ?1 AND rowid < ?2";
/* Few: the matches (?9 the query) that lie in the subtree, found in case_scope_case, sorted. */
#define CASE_SEARCH_FEW(open)                                                                      \
    "SELECT " CASE_COLUMNS "FROM cases_fts f CROSS JOIN case_scope s ON s.case_id = f.rowid "      \
    "AND s.unit_id = ?1 " open "JOIN cases c ON c.id = s.case_id " CASE_JOINS                      \
    "WHERE cases_fts MATCH ?9 " CASE_LIST_FILTERS CASE_LIST_ORDER
static const char SQL_CASE_SEARCH_FEW_OPEN[] = CASE_SEARCH_FEW("AND s.open = 1 ");
static const char SQL_CASE_SEARCH_FEW_ALL[] = CASE_SEARCH_FEW("");
/* Some: the subtree's range in deadline order, each case looked up in the set of matches (?9)
 * before its row is read. */
static const char SQL_CASE_SEARCH_SOME_OPEN[] =
    "SELECT " CASE_COLUMNS CASE_SCOPE_RANGE
    "AND s.open = 1 AND akar_ids_has(?9, s.case_id) " CASE_LIST_FILTERS CASE_LIST_ORDER;
static const char SQL_CASE_SEARCH_SOME_ALL[] =
    "SELECT " CASE_COLUMNS CASE_SCOPE_RANGE
    "AND akar_ids_has(?9, s.case_id) " CASE_LIST_FILTERS CASE_LIST_ORDER;
/* Many: the subtree's range in deadline order, each case's own text read for the words (?9)
 * once the other filters have passed it, until the page is full or the reads allowed are
 * spent. */
static const char SQL_CASE_SEARCH_MANY_OPEN[] =
    "SELECT " CASE_COLUMNS CASE_SCOPE_RANGE "AND s.open = 1 " CASE_LIST_FILTERS
    "AND akar_words_in(?9, c.title, c.description) " CASE_LIST_ORDER;
static const char SQL_CASE_SEARCH_MANY_ALL[] =
    "SELECT " CASE_COLUMNS CASE_SCOPE_RANGE CASE_LIST_FILTERS
    "AND akar_words_in(?9, c.title, c.description) " CASE_LIST_ORDER;
/* The matches and the page are read in one transaction, so that they agree. */
static const char SQL_READ_BEGIN[] = "BEGIN";
static const char SQL_READ_END[] = "COMMIT";
static const char SQL_CASE_SIMILAR[] =
    "SELECT " CASE_COLUMNS "FROM cases_fts f JOIN cases c ON c.id = f.rowid " CASE_JOINS
    "JOIN case_scope s ON s.case_id = c.id AND s.unit_id = ?1 AND s.open = 1 "
    "WHERE cases_fts MATCH ?2 ORDER BY bm25(cases_fts) LIMIT ?3";
static const char SQL_CASE_DUE_BETWEEN[] = "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS
                                           "WHERE c.open = 1 AND c.due_at >= ?1 AND c.due_at < ?2 "
                                           "ORDER BY c.due_at LIMIT ?3";
/* A resident's own petitions: one range of cases_by_creator (created_by, id), newest first. */
static const char SQL_CASE_BY_CREATOR[] =
    "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS "WHERE c.created_by = ?1 AND c.id < ?2 "
    "ORDER BY c.id DESC LIMIT ?3";
static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (tracking_code, access_key_hash, kind, channel, status, unit_id, "
    "category_id, department_id, title, description, privacy, reporter, reporter_sealed, lat, "
    "lon, address, step, step_from, due_at, open, remote, created_by, received_at, updated_at, "
    "answers) "
    "VALUES (?1, ?2, ?3, ?4, 'submitted', ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, "
    "?17, ?18, 1, ?19, ?20, ?21, ?21, ?22)";
static const char SQL_SCOPE_DELETE[] = "DELETE FROM case_scope WHERE case_id = ?1";
/* received_at is the case's, written already: it orders Open311's query (SQL_CASE_QUERY). */
static const char SQL_SCOPE_INSERT[] =
    "WITH RECURSIVE up (id, parent) AS (SELECT id, parent_id FROM units WHERE id = ?1 "
    "UNION ALL SELECT u.id, u.parent_id FROM units u JOIN up ON u.id = up.parent) "
    "INSERT INTO case_scope (unit_id, open, due_at, case_id, received_at) "
    "SELECT id, ?2, ?3, ?4, (SELECT received_at FROM cases WHERE id = ?4) FROM up";
static const char SQL_EVENT_INSERT[] =
    "INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, reason, "
    "public_note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
static const char SQL_CASE_STAMP[] =
    "SELECT c.id, c.version, c.due_at, c.open, coalesce(c.merged_into, 0), coalesce(k.version, 0) "
    "FROM cases c LEFT JOIN cases k ON k.id = c.merged_into WHERE c.tracking_code = ?1";
static const char SQL_EVENTS_OF[] = "SELECT id, at, actor, action, from_status, to_status, "
                                    "reason, public_note FROM case_events WHERE case_id = ?1 "
                                    "ORDER BY id";
/* The public events of a subtree, newest first (by time: imported cases bring events older
 * than their ids), read in one of two ways (sq_case_feed). Recent: the newest ?3 public events
 * of every case, one range of case_events_public (at, id), each kept if its case lies in the
 * subtree (?1): a subtree that has most of the updates (a province, a district) finds its
 * page among the first few, without reading the rest. Sorted: the subtree's cases from
 * case_scope, their events from case_events_case, every public event of the subtree read and
 * sorted for the newest ones, a read that grows with the subtree's history, cheap for a
 * commune. */
#define CASE_FEED_COLUMNS                                                                          \
    "SELECT e.id, e.at, e.action, e.to_status, e.public_note, c.tracking_code, c.kind, "           \
    "c.privacy, c.title "
/* Recent events read per entry of a feed page before the subtree's own are sorted instead */
#define FEED_WINDOW 20
static const char SQL_CASE_FEED_RECENT[] =
    CASE_FEED_COLUMNS "FROM (SELECT id, at, case_id, action, to_status, public_note "
                      "FROM case_events WHERE public_note IS NOT NULL "
                      "ORDER BY at DESC, id DESC LIMIT ?3) e JOIN cases c ON c.id = e.case_id "
                      "WHERE EXISTS (SELECT 1 FROM case_scope s WHERE s.case_id = e.case_id "
                      "AND s.unit_id = ?1) ORDER BY e.at DESC, e.id DESC LIMIT ?2";
static const char SQL_CASE_FEED[] =
    CASE_FEED_COLUMNS "FROM case_scope s JOIN case_events e ON e.case_id = s.case_id "
                      "JOIN cases c ON c.id = s.case_id WHERE s.unit_id = ?1 "
                      "AND e.public_note IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT ?2";
/* Open311's query: the subtree's cases received in [?2, ?3], open or settled (?4, NULL for
 * both), of the service codes in the JSON array ?5 (NULL for any), newest first: one range of
 * case_scope_received (unit_id, received_at, case_id) read backwards, the page (?6 rows after
 * ?7) cut from it. */
static const char SQL_CASE_QUERY[] =
    "SELECT " CASE_COLUMNS "FROM case_scope s JOIN cases c ON c.id = s.case_id " CASE_JOINS
    "WHERE s.unit_id = ?1 AND s.received_at BETWEEN ?2 AND ?3 AND (?4 IS NULL OR s.open = ?4) "
    "AND (?5 IS NULL OR coalesce(cat.code, c.kind) IN (SELECT value FROM json_each(?5))) "
    "ORDER BY s.received_at DESC, s.case_id DESC LIMIT ?6 OFFSET ?7";
static const char SQL_CASE_MERGED[] = "SELECT id, tracking_code, reporter FROM cases "
                                      "WHERE merged_into = ?1 ORDER BY id";
/* A merge moves the kept case's version: whoever planned an action on it without knowing of
 * the merge (and so of the new reporter to tell) is refused as stale. */
static const char SQL_CASE_ABSORB[] = "UPDATE cases SET version = version + 1 "
                                      "WHERE id = ?1 AND open = 1";
static const char SQL_SCOPE_SET_OPEN[] = "UPDATE case_scope SET open = ?2 WHERE case_id = ?1";
static const char SQL_CASE_VERSION[] = "SELECT version, unit_id, open, due_at FROM cases "
                                       "WHERE id = ?1";
static const char SQL_CASE_UPDATE[] =
    "UPDATE cases SET status = ?3, version = version + 1, updated_at = ?4, "
    "unit_id = coalesce(?5, unit_id), "
    "handler_id = CASE WHEN ?6 THEN nullif(?7, 0) ELSE handler_id END, "
    "step = CASE WHEN ?8 THEN ?9 ELSE step END, "
    "step_from = CASE WHEN ?8 THEN ?10 ELSE step_from END, "
    "due_at = CASE WHEN ?8 THEN ?11 ELSE due_at END, "
    "open = CASE WHEN ?8 THEN ?12 ELSE open END, "
    "extensions = CASE WHEN ?8 THEN ?13 ELSE extensions END, "
    "round = CASE WHEN ?8 THEN ?14 ELSE round END, "
    "complex = CASE WHEN ?8 THEN ?15 ELSE complex END, "
    "remote = CASE WHEN ?8 THEN ?16 ELSE remote END, "
    "answer = CASE WHEN ?17 THEN ?18 ELSE answer END, "
    "document = CASE WHEN ?17 THEN ?19 ELSE document END, "
    "resolved_at = CASE WHEN ?17 THEN ?20 ELSE resolved_at END, "
    "merged_into = CASE WHEN ?21 THEN ?22 ELSE merged_into END, "
    "rating = CASE WHEN ?23 THEN ?24 ELSE rating END, "
    "rating_comment = CASE WHEN ?23 THEN ?25 ELSE rating_comment END "
    "WHERE id = ?1 AND version = ?2";
static const char SQL_OUTBOX_INSERT[] =
    "INSERT INTO outbox (channel, target, subject, body, case_id, next_at, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)";
static const char SQL_CATEGORY_FIND[] =
    "SELECT cat.id, u.code, cat.code, cat.name, d.code, d.name, d.email FROM categories cat "
    "JOIN units u ON u.id = cat.unit_id LEFT JOIN departments d ON d.id = cat.department_id "
    "WHERE cat.code = ?2 AND substr(?1, 1, length(u.path)) = u.path "
    "ORDER BY length(u.path) DESC LIMIT 1";
static const char SQL_CATEGORY_LIST[] =
    "SELECT cat.id, u.code, cat.code, cat.name, d.code, d.name, d.email FROM categories cat "
    "JOIN units u ON u.id = cat.unit_id LEFT JOIN departments d ON d.id = cat.department_id "
    "WHERE substr(?1, 1, length(u.path)) = u.path ORDER BY length(u.path) DESC, cat.name";
static const char SQL_DEPARTMENT_GET[] = "SELECT id FROM departments WHERE unit_id = ?1 AND "
                                         "code = ?2";
static const char SQL_DEPARTMENT_INSERT[] = "INSERT INTO departments (unit_id, code, name) "
                                            "VALUES (?1, ?2, ?3)";
static const char SQL_CATEGORY_INSERT[] = "INSERT INTO categories (unit_id, code, name, "
                                          "department_id) VALUES (?1, ?2, ?3, ?4)";
static const char SQL_ATTACHMENT_INSERT[] =
    "INSERT INTO attachments (case_id, sha256, media_type, size, filename, created_at) "
    "VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
static const char SQL_ATTACHMENT_COUNT[] = "SELECT count(*) FROM attachments WHERE case_id = ?1";
static const char SQL_ATTACHMENTS_OF[] = "SELECT id, case_id, size, created_at, sha256, "
                                         "media_type, filename FROM attachments "
                                         "WHERE case_id = ?1 ORDER BY id";
static const char SQL_ATTACHMENT_GET[] = "SELECT id, case_id, size, created_at, sha256, "
                                         "media_type, filename FROM attachments WHERE id = ?1";
static const char SQL_OUTBOX_DUE[] =
    "SELECT id, coalesce(case_id, 0), next_at, created_at, attempts, channel, target, subject, "
    "body FROM outbox WHERE sent_at IS NULL AND next_at <= ?1 ORDER BY next_at, id LIMIT ?2";
static const char SQL_OUTBOX_RESULT[] =
    "UPDATE outbox SET attempts = ?2, next_at = CASE WHEN ?3 = 0 THEN next_at ELSE ?3 END, "
    "sent_at = CASE WHEN ?3 = 0 THEN ?4 ELSE NULL END, last_error = ?5 WHERE id = ?1";
static const char SQL_WEBHOOKS_FOR[] =
    "SELECT w.id, w.url, w.secret FROM webhooks w JOIN units u ON u.id = w.unit_id "
    "WHERE substr(?1, 1, length(u.path)) = u.path ORDER BY w.id";
static const char SQL_USERS_WITH_ROLE[] =
    "SELECT DISTINCT us.id, us.login, us.display_name, us.password_hash, us.disabled, us.email "
    "FROM grants g JOIN units u ON u.id = g.unit_id JOIN users us ON us.id = g.user_id "
    "WHERE g.role = ?2 AND us.disabled = 0 AND substr(?1, 1, length(u.path)) = u.path "
    "ORDER BY us.id";
static const char SQL_DUE_WARNED_GET[] = "SELECT 1 FROM due_warnings WHERE case_id = ?1 AND "
                                         "due_at = ?2";
static const char SQL_DUE_WARNED_SET[] = "INSERT OR IGNORE INTO due_warnings (case_id, due_at, "
                                         "sent_at) VALUES (?1, ?2, ?3)";

#define MAX_ATTACHMENTS 10

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void case_from_row(struct arena *a, sqlite3_stmt *st, struct case_row *c)
{
    memset(c, 0, sizeof *c);
    int i = 0;
    c->id = sqlite3_column_int64(st, i++);
    c->version = sqlite3_column_int64(st, i++);
    c->tracking_code = sq_text(a, st, i++);
    const void *h = sqlite3_column_blob(st, i);
    if (h && sqlite3_column_bytes(st, i) == 32)
        memcpy(c->access_key_hash, h, 32);
    i++;
    c->kind = sq_text(a, st, i++);
    c->channel = sq_text(a, st, i++);
    c->status = sq_text(a, st, i++);
    c->privacy = sq_text(a, st, i++);
    c->unit_id = sqlite3_column_int64(st, i++);
    c->unit_code = sq_text(a, st, i++);
    c->unit_name = sq_text(a, st, i++);
    c->unit_path = sq_text(a, st, i++);
    c->unit_time_zone = sq_text(a, st, i++);
    c->category_code = sq_text(a, st, i++);
    c->category_name = sq_text(a, st, i++);
    c->department_name = sq_text(a, st, i++);
    c->title = sq_text(a, st, i++);
    c->description = sq_text(a, st, i++);
    c->reporter = sq_text(a, st, i++);
    c->reporter_sealed = sq_text(a, st, i++);
    c->located = sqlite3_column_type(st, i) != SQLITE_NULL;
    c->lat = sqlite3_column_double(st, i++);
    c->lon = sqlite3_column_double(st, i++);
    c->address = sq_text(a, st, i++);
    c->handler_id = sqlite3_column_int64(st, i++);
    c->handler_login = sq_text(a, st, i++);
    c->step = sq_text(a, st, i++);
    c->step_from = sqlite3_column_int64(st, i++);
    c->due_at = sqlite3_column_int64(st, i++);
    c->open = sqlite3_column_int(st, i++) != 0;
    c->complex = sqlite3_column_int(st, i++) != 0;
    c->remote = sqlite3_column_int(st, i++) != 0;
    c->extensions = sqlite3_column_int(st, i++);
    c->round = sqlite3_column_int(st, i++);
    c->answer = sq_text(a, st, i++);
    c->document = sq_text(a, st, i++);
    c->merged_into = sqlite3_column_int64(st, i++);
    c->rating = sqlite3_column_int(st, i++);
    c->rating_comment = sq_text(a, st, i++);
    c->created_by = sqlite3_column_int64(st, i++);
    c->received_at = sqlite3_column_int64(st, i++);
    c->resolved_at = sqlite3_column_int64(st, i++);
    c->updated_at = sqlite3_column_int64(st, i++);
    c->answers = sq_text(a, st, i++);
}

/* Steps st and collects case rows into a growing arena array. */
static int collect_cases(struct arena *a, sqlite3_stmt *st, struct case_row **rows, size_t *n)
{
    size_t cap = 16, k = 0;
    struct case_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct case_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        case_from_row(a, st, &out[k++]);
    }
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_case_get(struct sq *q, struct arena *a, int64_t id, const char *code, struct case_row *out)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, id ? SQL_CASE_BY_ID : SQL_CASE_BY_CODE) : NULL;
    if (!st)
        return AKAR_ESTORE;
    if (id)
        sqlite3_bind_int64(st, 1, id);
    else
        sqlite3_bind_text(st, 1, code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        case_from_row(a, st, out);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE;
}

int sq_case_stamp(struct sq *q, const char *tracking_code, struct case_stamp *out)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CASE_STAMP) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, tracking_code, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = (struct case_stamp){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                   sqlite3_column_int64(st, 2), sqlite3_column_int(st, 3) != 0,
                                   sqlite3_column_int64(st, 4), sqlite3_column_int64(st, 5)};
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE;
}

int sq_case_events(struct sq *q, struct arena *a, int64_t case_id, struct case_event_row **rows,
                   size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_EVENTS_OF) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    size_t cap = 8, k = 0;
    struct case_event_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct case_event_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[k++] = (struct case_event_row){sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
                                           sq_text(a, st, 2),           sq_text(a, st, 3),
                                           sq_text(a, st, 4),           sq_text(a, st, 5),
                                           sq_text(a, st, 6),           sq_text(a, st, 7)};
    }
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_case_merged(struct sq *q, struct arena *a, int64_t case_id, struct case_merged_row **rows,
                   size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CASE_MERGED) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    size_t cap = 4, k = 0;
    struct case_merged_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct case_merged_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[k++] = (struct case_merged_row){sqlite3_column_int64(st, 0), sq_text(a, st, 1),
                                            sq_text(a, st, 2)};
    }
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

/* Binds what every inbox statement shares: the subtree (?1), the cursor (?3, ?4), the
 * filters (?5 to ?8) and the page size (?10). */
static void bind_list(sqlite3_stmt *st, const struct case_filter *f)
{
    sqlite3_bind_int64(st, 1, f->scope_unit_id);
    sqlite3_bind_int64(st, 3, f->has_cursor ? f->after_due : INT64_MIN);
    sqlite3_bind_int64(st, 4, f->has_cursor ? f->after_id : INT64_MIN);
    bind_text_or_null(st, 5, f->kind);
    bind_text_or_null(st, 6, f->status);
    bind_text_or_null(st, 7, f->category_code);
    if (f->due_before)
        sqlite3_bind_int64(st, 8, f->due_before);
    sqlite3_bind_int64(st, 10, (int64_t)(f->limit ? f->limit : 50));
}

/* Adds to ids the newest cases that match (the FTS5 query match), at most limit of them. */
static int read_newest(struct conn *c, const char *match, int64_t limit, struct sq_ids *ids)
{
    sqlite3_stmt *st = sq_prepare(c, SQL_SEARCH_NEWEST);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, limit);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW)
        sq_ids_add(ids, sqlite3_column_int64(st, 0));
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

/* Adds to ids the cases that match with an id below before. */
static int read_older(struct conn *c, const char *match, int64_t before, struct sq_ids *ids)
{
    sqlite3_stmt *st = sq_prepare(c, SQL_SEARCH_OLDER);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, before);
    sqlite3_bind_pointer(st, 3, ids, SQ_IDS, NULL);
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? 0 : AKAR_ESTORE;
}

/* The page of the search statement sql, its ?9 bound to pointer (of that type), or to the
 * FTS5 query match if pointer is NULL. */
static int search_page(struct conn *c, struct arena *a, const struct case_filter *f,
                       const char *sql, const char *match, void *pointer, const char *type,
                       struct case_row **rows, size_t *n)
{
    sqlite3_stmt *st = sq_prepare(c, sql);
    if (!st)
        return AKAR_ESTORE;
    bind_list(st, f);
    if (pointer)
        sqlite3_bind_pointer(st, 9, pointer, type, NULL);
    else
        sqlite3_bind_text(st, 9, match, -1, SQLITE_STATIC);
    return collect_cases(a, st, rows, n);
}

/* An inbox page of the cases holding every word, read on c, in one of three ways:
 *   few: when at most q->search_few cases match anywhere, sort those of the subtree; whatever
 *     the subtree's size, no range of it is walked;
 *   many: walk the subtree's range in deadline order and read each case's title and
 *     description until the page is full: about limit / density cases, where density is the
 *     share of cases that match; tried when the newest matches make that fewer than
 *     q->search_reads per row of the page, and given up when it reads that many;
 *   some: otherwise read every match into a set, then walk the range and look each case up in
 *     the set before reading its row.
 * The three give the same page (akar_words_in answers as the index does). The index and the
 * page are read in one transaction, so they agree. */
static int case_search(struct sq *q, struct conn *c, struct arena *a, const struct case_filter *f,
                       struct sq_words *words, struct case_row **rows, size_t *n)
{
    const char *match = sq_search_match(a, words, "", "AND");
    struct sq_ids ids = {0};
    if (sqlite3_exec(c->db, SQL_READ_BEGIN, NULL, NULL, NULL) != SQLITE_OK)
        return AKAR_ESTORE;
    int rc = read_newest(c, match, (int64_t)q->search_few + 1, &ids);
    if (rc)
        goto done;
    if (ids.n <= q->search_few) {
        rc = search_page(c, a, f, f->only_open ? SQL_CASE_SEARCH_FEW_OPEN : SQL_CASE_SEARCH_FEW_ALL,
                         match, NULL, NULL, rows, n);
        goto done;
    }
    /* ids are given out in order, so the newest matches' share of the newest cases tells the
     * density where the open cases are */
    size_t limit = f->limit ? f->limit : 50;
    size_t reads = q->search_reads * limit;
    if ((double)limit * (double)(ids.hi - ids.lo) < (double)reads * (double)(ids.n - 1)) {
        words->reads_left = reads;
        words->spent = false;
        rc = search_page(c, a, f,
                         f->only_open ? SQL_CASE_SEARCH_MANY_OPEN : SQL_CASE_SEARCH_MANY_ALL, NULL,
                         words, SQ_WORDS, rows, n);
        if (rc == 0 || !words->spent)
            goto done;
    }
    rc = read_older(c, match, ids.lo, &ids);
    if (rc == 0)
        rc = search_page(c, a, f,
                         f->only_open ? SQL_CASE_SEARCH_SOME_OPEN : SQL_CASE_SEARCH_SOME_ALL, NULL,
                         &ids, SQ_IDS, rows, n);
done:
    sq_ids_release(&ids);
    if (sqlite3_exec(c->db, SQL_READ_END, NULL, NULL, NULL) != SQLITE_OK)
        rc = AKAR_ESTORE;
    return rc;
}

int sq_case_list(struct sq *q, struct arena *a, const struct case_filter *f, struct case_row **rows,
                 size_t *n)
{
    *rows = NULL;
    *n = 0;
    struct conn *c = sq_reader(q);
    if (!c)
        return AKAR_ESTORE;
    /* a text without a letter or a digit searches for nothing: the inbox is not narrowed */
    struct sq_words words = {0};
    if (f->text && sq_search_words(c, a, f->text, &words))
        return AKAR_ESTORE;
    if (words.n)
        return case_search(q, c, a, f, &words, rows, n);
    sqlite3_stmt *st = sq_prepare(c, f->only_open ? SQL_CASE_LIST_OPEN : SQL_CASE_LIST_ALL);
    if (!st)
        return AKAR_ESTORE;
    bind_list(st, f);
    return collect_cases(a, st, rows, n);
}

int sq_case_similar(struct sq *q, struct arena *a, int64_t scope_unit_id, const char *text,
                    size_t limit, struct case_row **rows, size_t *n)
{
    *n = 0;
    struct conn *c = sq_reader(q);
    struct sq_words words;
    if (!c || sq_search_words(c, a, text, &words))
        return AKAR_ESTORE;
    if (!words.n)
        return 0;
    /* titles only: descriptions share too many common words to tell duplicates apart */
    const char *match = sq_search_match(a, &words, "title : ", "OR");
    sqlite3_stmt *st = sq_prepare(c, SQL_CASE_SIMILAR);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, scope_unit_id);
    sqlite3_bind_text(st, 2, match, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    return collect_cases(a, st, rows, n);
}

int sq_case_due_between(struct sq *q, struct arena *a, int64_t from, int64_t to, size_t limit,
                        struct case_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CASE_DUE_BETWEEN) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, from);
    sqlite3_bind_int64(st, 2, to);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    return collect_cases(a, st, rows, n);
}

int sq_case_by_creator(struct sq *q, struct arena *a, int64_t user_id, int64_t before_id,
                       size_t limit, struct case_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CASE_BY_CREATOR) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, user_id);
    sqlite3_bind_int64(st, 2, before_id > 0 ? before_id : INT64_MAX);
    sqlite3_bind_int64(st, 3, (int64_t)limit);
    return collect_cases(a, st, rows, n);
}

int sq_case_query(struct sq *q, struct arena *a, const struct case_query *cq,
                  struct case_row **rows, size_t *n)
{
    assert(cq->open || cq->settled);
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CASE_QUERY) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, cq->scope_unit_id);
    sqlite3_bind_int64(st, 2, cq->received_from);
    sqlite3_bind_int64(st, 3, cq->received_to);
    if (cq->open != cq->settled)
        sqlite3_bind_int(st, 4, cq->open);
    struct buf codes = {0};
    if (cq->ncodes) {
        buf_puts(&codes, "[");
        for (size_t i = 0; i < cq->ncodes; i++) {
            buf_puts(&codes, i ? "," : "");
            buf_json_string(&codes, cq->codes[i]);
        }
        buf_puts(&codes, "]");
        sqlite3_bind_text(st, 5, arena_strdup(a, codes.data), -1, SQLITE_STATIC);
        buf_release(&codes);
    }
    sqlite3_bind_int64(st, 6, (int64_t)cq->limit);
    sqlite3_bind_int64(st, 7, (int64_t)cq->offset);
    return collect_cases(a, st, rows, n);
}

/* ---- writes (writer thread) ---- */

static int rescope(struct conn *c, int64_t case_id, int64_t unit_id, bool open, int64_t due_at)
{
    sqlite3_stmt *st = sq_prepare(c, SQL_SCOPE_DELETE);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    if (sq_step_done(st))
        return AKAR_ESTORE;
    st = sq_prepare(c, SQL_SCOPE_INSERT);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, unit_id);
    sqlite3_bind_int(st, 2, open);
    sqlite3_bind_int64(st, 3, due_at);
    sqlite3_bind_int64(st, 4, case_id);
    return sq_step_done(st);
}

static int scope_set_open(struct conn *c, int64_t case_id, bool open)
{
    sqlite3_stmt *st = sq_prepare(c, SQL_SCOPE_SET_OPEN);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int(st, 2, open);
    return sq_step_done(st);
}

static int add_event(struct conn *c, int64_t case_id, int64_t at, const char *actor,
                     const char *action, const char *from, const char *to, const char *reason,
                     const char *public_note)
{
    sqlite3_stmt *st = sq_prepare(c, SQL_EVENT_INSERT);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, at);
    sqlite3_bind_text(st, 3, actor, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, action, -1, SQLITE_STATIC);
    bind_text_or_null(st, 5, from);
    sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
    bind_text_or_null(st, 7, reason);
    bind_text_or_null(st, 8, public_note);
    return sq_step_done(st);
}

static int queue_outbox(struct conn *c, int64_t case_id, int64_t at, const struct outbox_msg *m,
                        size_t n)
{
    for (size_t i = 0; i < n; i++) {
        sqlite3_stmt *st = sq_prepare(c, SQL_OUTBOX_INSERT);
        if (!st)
            return AKAR_ESTORE;
        sqlite3_bind_text(st, 1, m[i].channel, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, m[i].target, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, m[i].subject, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, m[i].body, -1, SQLITE_STATIC);
        sqlite3_bind_int64(st, 5, case_id);
        sqlite3_bind_int64(st, 6, at);
        if (sq_step_done(st))
            return AKAR_ESTORE;
    }
    return 0;
}

int sq_apply_case_create(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    const struct case_new *n = &w->u.case_new;
    int64_t unit_id, category_id = 0, department_id = 0;
    char *path = NULL;
    int rc = sq_unit_lookup(c, n->unit_code, &unit_id, &path);
    if (rc == AKAR_ENOTFOUND)
        return sq_fail(w, rc, "unit %s does not exist", n->unit_code);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    if (n->category_code) {
        struct arena *a = arena_new();
        struct category_row cat;
        sqlite3_stmt *st = sq_prepare(c, SQL_CATEGORY_FIND);
        rc = AKAR_ESTORE;
        if (st) {
            sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 2, n->category_code, -1, SQLITE_STATIC);
            int s = sqlite3_step(st);
            if (s == SQLITE_ROW) {
                cat.id = sqlite3_column_int64(st, 0);
                category_id = cat.id;
                rc = 0;
            } else {
                rc = s == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE;
            }
            sqlite3_reset(st);
        }
        arena_free(a);
        if (rc == 0) {
            /* the department competent for the category, if it names one */
            static const char dep_of[] = "SELECT coalesce(department_id, 0) FROM categories "
                                         "WHERE id = ?1";
            st = sq_prepare(c, dep_of);
            if (st) {
                sqlite3_bind_int64(st, 1, category_id);
                if (sqlite3_step(st) == SQLITE_ROW)
                    department_id = sqlite3_column_int64(st, 0);
                sqlite3_reset(st);
            }
        }
        if (rc) {
            free(path);
            return sq_fail(w, rc,
                           rc == AKAR_ENOTFOUND ? "category %s is not offered here"
                                                : "the store failed%s",
                           rc == AKAR_ENOTFOUND ? n->category_code : NULL);
        }
    }
    free(path);
    sqlite3_stmt *st = sq_prepare(c, SQL_CASE_INSERT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_text(st, 1, n->tracking_code, -1, SQLITE_STATIC);
    sqlite3_bind_blob(st, 2, n->access_key_hash, 32, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, n->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, n->channel, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, unit_id);
    if (category_id)
        sqlite3_bind_int64(st, 6, category_id);
    if (department_id)
        sqlite3_bind_int64(st, 7, department_id);
    sqlite3_bind_text(st, 8, n->title, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 9, n->description, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 10, n->privacy, -1, SQLITE_STATIC);
    bind_text_or_null(st, 11, n->reporter);
    bind_text_or_null(st, 12, n->reporter_sealed);
    if (n->located) {
        sqlite3_bind_double(st, 13, n->lat);
        sqlite3_bind_double(st, 14, n->lon);
    }
    bind_text_or_null(st, 15, n->address);
    sqlite3_bind_text(st, 16, n->step, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 17, n->step_from);
    sqlite3_bind_int64(st, 18, n->due_at);
    sqlite3_bind_int(st, 19, n->remote);
    if (n->created_by)
        sqlite3_bind_int64(st, 20, n->created_by);
    sqlite3_bind_int64(st, 21, n->received_at);
    bind_text_or_null(st, 22, n->answers);
    rc = sq_step_done(st);
    if (rc == AKAR_EEXIST)
        return sq_fail(w, AKAR_ECONFLICT, "tracking code collision%s", NULL);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    w->id = sqlite3_last_insert_rowid(c->db);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->id);
    if (rescope(c, w->id, unit_id, true, n->due_at) ||
        add_event(c, w->id, n->received_at, w->actor ? w->actor : "reporter", "submit", NULL,
                  "submitted", NULL, n->public_note) ||
        queue_outbox(c, w->id, n->received_at, n->outbox, n->noutbox))
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    return sq_audit(q, w, "case.submit", "case", id);
}

int sq_apply_case_update(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    const struct case_update *u = &w->u.case_update;
    sqlite3_stmt *st = sq_prepare(c, SQL_CASE_VERSION);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, u->case_id);
    int s = sqlite3_step(st);
    int64_t version = 0, unit_id = 0, due_at = 0;
    bool open = false;
    if (s == SQLITE_ROW) {
        version = sqlite3_column_int64(st, 0);
        unit_id = sqlite3_column_int64(st, 1);
        open = sqlite3_column_int(st, 2) != 0;
        due_at = sqlite3_column_int64(st, 3);
    }
    sqlite3_reset(st);
    if (s != SQLITE_ROW)
        return sq_fail(w, s == SQLITE_DONE ? AKAR_ENOTFOUND : AKAR_ESTORE, "no such case%s", NULL);
    if (version != u->expected_version)
        return sq_fail(w, AKAR_ECONFLICT, "the case changed meanwhile; read it again%s", NULL);
    int64_t was_unit = unit_id;
    if (u->set_unit) {
        int rc = sq_unit_lookup(c, u->unit_code, &unit_id, NULL);
        if (rc)
            return sq_fail(w, rc,
                           rc == AKAR_ENOTFOUND ? "unit %s does not exist" : "the store failed%s",
                           rc == AKAR_ENOTFOUND ? u->unit_code : "");
    }
    int64_t now = w->at_ms ? w->at_ms : clock_now_ms();
    st = sq_prepare(c, SQL_CASE_UPDATE);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, u->case_id);
    sqlite3_bind_int64(st, 2, u->expected_version);
    sqlite3_bind_text(st, 3, u->to_status, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, now);
    if (u->set_unit)
        sqlite3_bind_int64(st, 5, unit_id);
    sqlite3_bind_int(st, 6, u->set_handler);
    sqlite3_bind_int64(st, 7, u->handler_id);
    sqlite3_bind_int(st, 8, u->set_deadline);
    bind_text_or_null(st, 9, u->step);
    sqlite3_bind_int64(st, 10, u->step_from);
    sqlite3_bind_int64(st, 11, u->due_at);
    sqlite3_bind_int(st, 12, u->open);
    sqlite3_bind_int(st, 13, u->extensions);
    sqlite3_bind_int(st, 14, u->round);
    sqlite3_bind_int(st, 15, u->complex);
    sqlite3_bind_int(st, 16, u->remote);
    sqlite3_bind_int(st, 17, u->set_answer);
    bind_text_or_null(st, 18, u->answer);
    bind_text_or_null(st, 19, u->document);
    if (u->resolved_at)
        sqlite3_bind_int64(st, 20, u->resolved_at);
    sqlite3_bind_int(st, 21, u->set_merged);
    if (u->merged_into)
        sqlite3_bind_int64(st, 22, u->merged_into);
    sqlite3_bind_int(st, 23, u->set_rating);
    sqlite3_bind_int(st, 24, u->rating);
    bind_text_or_null(st, 25, u->rating_comment);
    if (sq_step_done(st) || sqlite3_changes(c->db) != 1)
        return sq_fail(w, AKAR_ECONFLICT, "the case changed meanwhile; read it again%s", NULL);
    if (u->set_merged) {
        st = sq_prepare(c, SQL_CASE_ABSORB);
        if (!st)
            return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
        sqlite3_bind_int64(st, 1, u->merged_into);
        if (sq_step_done(st) || sqlite3_changes(c->db) != 1)
            return sq_fail(w, AKAR_ECONFLICT,
                           "the case to merge into was settled meanwhile; read it again%s", NULL);
    }
    /* The subtree index is rewritten only when the unit or the deadline moves; a case that
     * merely opens or settles in place keeps its rows and flips their open flag. */
    bool new_open = u->set_deadline ? u->open : open;
    int64_t new_due = u->set_deadline ? u->due_at : due_at;
    int src = 0;
    if (unit_id != was_unit || new_due != due_at)
        src = rescope(c, u->case_id, unit_id, new_open, new_due);
    else if (new_open != open)
        src = scope_set_open(c, u->case_id, new_open);
    if (src)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    const char *actor = w->actor ? w->actor : "system";
    if (add_event(c, u->case_id, now, u->actor_label ? u->actor_label : actor, u->action,
                  u->from_status, u->to_status, u->reason, u->public_note) ||
        queue_outbox(c, u->case_id, now, u->outbox, u->noutbox))
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    char id[24], action[48];
    snprintf(id, sizeof id, "%lld", (long long)u->case_id);
    snprintf(action, sizeof action, "case.%s", u->action);
    return sq_audit(q, w, action, "case", id);
}

int sq_apply_category_add(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    int64_t unit_id, department_id = 0;
    int rc = sq_unit_lookup(c, w->u.category.unit_code, &unit_id, NULL);
    if (rc)
        return sq_fail(w, rc, "unit %s does not exist", w->u.category.unit_code);
    if (w->u.category.department_code) {
        sqlite3_stmt *st = sq_prepare(c, SQL_DEPARTMENT_GET);
        if (!st)
            return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
        sqlite3_bind_int64(st, 1, unit_id);
        sqlite3_bind_text(st, 2, w->u.category.department_code, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            department_id = sqlite3_column_int64(st, 0);
        sqlite3_reset(st);
        if (!department_id) {
            st = sq_prepare(c, SQL_DEPARTMENT_INSERT);
            if (!st)
                return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
            sqlite3_bind_int64(st, 1, unit_id);
            sqlite3_bind_text(st, 2, w->u.category.department_code, -1, SQLITE_STATIC);
            sqlite3_bind_text(st, 3,
                              w->u.category.department_name ? w->u.category.department_name
                                                            : w->u.category.department_code,
                              -1, SQLITE_STATIC);
            if (sq_step_done(st))
                return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
            department_id = sqlite3_last_insert_rowid(c->db);
        }
    }
    sqlite3_stmt *st = sq_prepare(c, SQL_CATEGORY_INSERT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, unit_id);
    sqlite3_bind_text(st, 2, w->u.category.code, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->u.category.name, -1, SQLITE_STATIC);
    if (department_id)
        sqlite3_bind_int64(st, 4, department_id);
    rc = sq_step_done(st);
    if (rc == AKAR_EEXIST)
        return sq_fail(w, rc, "category %s exists at this unit", w->u.category.code);
    if (rc)
        return sq_fail(w, rc, "the store failed%s", NULL);
    w->id = sqlite3_last_insert_rowid(c->db);
    char object[80];
    snprintf(object, sizeof object, "%s/%s", w->u.category.unit_code, w->u.category.code);
    return sq_audit(q, w, "category.add", "category", object);
}

int sq_apply_attachment_add(struct sq *q, struct store_write *w)
{
    struct conn *c = &q->writer;
    sqlite3_stmt *st = sq_prepare(c, SQL_ATTACHMENT_COUNT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, w->u.attachment.case_id);
    int64_t count = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_reset(st);
    if (count >= MAX_ATTACHMENTS)
        return sq_fail(w, AKAR_EINVAL, "a case holds at most 10 attachments%s", NULL);
    st = sq_prepare(c, SQL_ATTACHMENT_INSERT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, w->u.attachment.case_id);
    sqlite3_bind_text(st, 2, w->u.attachment.sha256, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, w->u.attachment.media_type, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, w->u.attachment.size);
    sqlite3_bind_text(st, 5, w->u.attachment.filename, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 6, w->at_ms ? w->at_ms : clock_now_ms());
    int rc = sq_step_done(st);
    if (rc)
        return sq_fail(w, rc == AKAR_ESTORE ? rc : AKAR_ENOTFOUND, "no such case%s", NULL);
    w->id = sqlite3_last_insert_rowid(c->db);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->u.attachment.case_id);
    return sq_audit(q, w, "case.attach", "case", id);
}

int sq_apply_outbox_result(struct sq *q, struct store_write *w)
{
    sqlite3_stmt *st = sq_prepare(&q->writer, SQL_OUTBOX_RESULT);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, w->u.outbox_result.id);
    sqlite3_bind_int(st, 2, w->u.outbox_result.attempts);
    sqlite3_bind_int64(st, 3, w->u.outbox_result.next_at);
    sqlite3_bind_int64(st, 4, w->at_ms ? w->at_ms : clock_now_ms());
    bind_text_or_null(st, 5, w->u.outbox_result.error);
    return sq_step_done(st) ? sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL) : 0;
}

int sq_apply_due_warned(struct sq *q, struct store_write *w)
{
    sqlite3_stmt *st = sq_prepare(&q->writer, SQL_DUE_WARNED_SET);
    if (!st)
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    sqlite3_bind_int64(st, 1, w->u.due_warned.case_id);
    sqlite3_bind_int64(st, 2, w->u.due_warned.due_at);
    int64_t now = w->at_ms ? w->at_ms : clock_now_ms();
    sqlite3_bind_int64(st, 3, now);
    if (sq_step_done(st) || queue_outbox(&q->writer, w->u.due_warned.case_id, now,
                                         w->u.due_warned.outbox, w->u.due_warned.noutbox))
        return sq_fail(w, AKAR_ESTORE, "the store failed%s", NULL);
    return 0;
}

/* ---- other reads ---- */

static int collect_categories(struct arena *a, sqlite3_stmt *st, struct category_row **rows,
                              size_t *n, size_t max)
{
    size_t cap = 16, k = 0;
    struct category_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while (k < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct category_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[k++] = (struct category_row){
            sqlite3_column_int64(st, 0), sq_text(a, st, 1), sq_text(a, st, 2), sq_text(a, st, 3),
            sq_text(a, st, 4),           sq_text(a, st, 5), sq_text(a, st, 6)};
    }
    if (k == max)
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_category_find(struct sq *q, struct arena *a, const char *unit_path, const char *code,
                     struct category_row *out)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CATEGORY_FIND) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, unit_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, code, -1, SQLITE_STATIC);
    struct category_row *rows;
    size_t n;
    int rc = collect_categories(a, st, &rows, &n, 1);
    if (rc)
        return rc;
    if (!n)
        return AKAR_ENOTFOUND;
    *out = rows[0];
    return 0;
}

int sq_category_list(struct sq *q, struct arena *a, const char *unit_path,
                     struct category_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_CATEGORY_LIST) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, unit_path, -1, SQLITE_STATIC);
    return collect_categories(a, st, rows, n, SIZE_MAX);
}

static int collect_attachments(struct arena *a, sqlite3_stmt *st, struct attachment_row **rows,
                               size_t *n)
{
    size_t cap = MAX_ATTACHMENTS + 1, k = 0;
    struct attachment_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < cap)
        out[k++] = (struct attachment_row){sqlite3_column_int64(st, 0),
                                           sqlite3_column_int64(st, 1),
                                           sqlite3_column_int64(st, 2),
                                           sqlite3_column_int64(st, 3),
                                           sq_text(a, st, 4),
                                           sq_text(a, st, 5),
                                           sq_text(a, st, 6)};
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : AKAR_ESTORE;
}

int sq_attachment_list(struct sq *q, struct arena *a, int64_t case_id, struct attachment_row **rows,
                       size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_ATTACHMENTS_OF) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    return collect_attachments(a, st, rows, n);
}

int sq_attachment_get(struct sq *q, struct arena *a, int64_t id, struct attachment_row *out)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_ATTACHMENT_GET) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, id);
    struct attachment_row *rows;
    size_t n;
    int rc = collect_attachments(a, st, &rows, &n);
    if (rc)
        return rc;
    if (!n)
        return AKAR_ENOTFOUND;
    *out = rows[0];
    return 0;
}

int sq_outbox_due(struct sq *q, struct arena *a, int64_t now_ms, size_t limit,
                  struct outbox_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_OUTBOX_DUE) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, now_ms);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    size_t k = 0;
    struct outbox_row *out = arena_alloc(a, (limit ? limit : 1) * sizeof *out);
    int rc;
    while (k < limit && (rc = sqlite3_step(st)) == SQLITE_ROW)
        out[k++] = (struct outbox_row){
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sqlite3_column_int64(st, 2),
            sqlite3_column_int64(st, 3), sqlite3_column_int(st, 4),   sq_text(a, st, 5),
            sq_text(a, st, 6),           sq_text(a, st, 7),           sq_text(a, st, 8)};
    if (k == limit)
        rc = SQLITE_DONE;
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_webhooks_for(struct sq *q, struct arena *a, const char *unit_path, struct webhook_row **rows,
                    size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_WEBHOOKS_FOR) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, unit_path, -1, SQLITE_STATIC);
    size_t cap = 8, k = 0;
    struct webhook_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct webhook_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[k++] =
            (struct webhook_row){sqlite3_column_int64(st, 0), sq_text(a, st, 1), sq_text(a, st, 2)};
    }
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_users_with_role(struct sq *q, struct arena *a, const char *unit_path, const char *role,
                       struct user_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_USERS_WITH_ROLE) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_text(st, 1, unit_path, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, role, -1, SQLITE_STATIC);
    size_t cap = 8, k = 0;
    struct user_row *out = arena_alloc(a, cap * sizeof *out);
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (k == cap) {
            struct user_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
            memcpy(grown, out, cap * sizeof *out);
            out = grown;
            cap *= 2;
        }
        out[k++] = (struct user_row){.id = sqlite3_column_int64(st, 0),
                                     .login = sq_text(a, st, 1),
                                     .display_name = sq_text(a, st, 2),
                                     .password_hash = sq_text(a, st, 3),
                                     .disabled = sqlite3_column_int(st, 4) != 0,
                                     .email = sq_text(a, st, 5)};
    }
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

int sq_due_warned(struct sq *q, int64_t case_id, int64_t due_at, bool *warned)
{
    struct conn *c = sq_reader(q);
    sqlite3_stmt *st = c ? sq_prepare(c, SQL_DUE_WARNED_GET) : NULL;
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, case_id);
    sqlite3_bind_int64(st, 2, due_at);
    int rc = sqlite3_step(st);
    *warned = rc == SQLITE_ROW;
    sqlite3_reset(st);
    return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

/* The events sql (SQL_CASE_FEED, or SQL_CASE_FEED_RECENT over the newest window) finds. */
static int feed_rows(struct conn *c, struct arena *a, const char *sql, int64_t scope_unit_id,
                     size_t limit, size_t window, struct case_feed_row **rows, size_t *n)
{
    sqlite3_stmt *st = sq_prepare(c, sql);
    if (!st)
        return AKAR_ESTORE;
    sqlite3_bind_int64(st, 1, scope_unit_id);
    sqlite3_bind_int64(st, 2, (int64_t)limit);
    if (sql == SQL_CASE_FEED_RECENT)
        sqlite3_bind_int64(st, 3, (int64_t)window);
    struct case_feed_row *out = arena_alloc(a, (limit ? limit : 1) * sizeof *out);
    size_t k = 0;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW && k < limit)
        out[k++] = (struct case_feed_row){
            sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1), sq_text(a, st, 2),
            sq_text(a, st, 3),           sq_text(a, st, 4),           sq_text(a, st, 5),
            sq_text(a, st, 6),           sq_text(a, st, 7),           sq_text(a, st, 8)};
    sqlite3_reset(st);
    *rows = out;
    *n = k;
    return rc == SQLITE_DONE || rc == SQLITE_ROW ? 0 : AKAR_ESTORE;
}

int sq_case_feed(struct sq *q, struct arena *a, int64_t scope_unit_id, size_t limit,
                 struct case_feed_row **rows, size_t *n)
{
    struct conn *c = sq_reader(q);
    if (!c)
        return AKAR_ESTORE;
    /* the newest events of all are a prefix of the order sought: when the subtree's page is
     * whole within them, it is the subtree's newest; else the subtree's own are sorted */
    int rc =
        feed_rows(c, a, SQL_CASE_FEED_RECENT, scope_unit_id, limit, limit * FEED_WINDOW, rows, n);
    if (rc || *n == limit)
        return rc;
    return feed_rows(c, a, SQL_CASE_FEED, scope_unit_id, limit, 0, rows, n);
}
