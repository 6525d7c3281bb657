/* The PostgreSQL side of petitions: cases, their timeline and subtree index, full-text search,
 * categories, attachments, webhooks and the outbox rows that changes queue. Called from pg.c's
 * write dispatch and read table; behaves as the SQLite back-end's cases.c and search.c. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "store/pg/internal.h"

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
    "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS "WHERE c.id = $1";
static const char SQL_CASE_BY_CODE[] =
    "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS "WHERE c.tracking_code = $1";
/* An inbox page must be one index range read in (due_at, case_id) order, never a sort of the
 * whole subtree: open cases come from case_scope's primary key (unit_id, open, due_at,
 * case_id), open and settled ones together from case_scope_due (unit_id, due_at, case_id).
 * Parameters: the subtree ($1), the cursor ($2, $3), the filters ($4 to $7), the page size
 * ($8) and, when searching, the tsquery ($9). A filter given as NULL is folded away, since
 * the statement is planned for each call's values. That planning is why the page is chosen
 * in a subquery of case_scope and cases alone, and the names of its unit, category,
 * department and handler joined to its rows after: ordering a join of six tables takes the
 * planner longer than reading the page. */
#define CASE_LIST_FILTERS                                                                          \
    "AND (s.due_at, s.case_id) > ($2::bigint, $3::bigint) "                                        \
    "AND ($4::text IS NULL OR c.kind = $4::text) AND ($5::text IS NULL OR c.status = $5::text) "   \
    "AND ($6::text IS NULL OR "                                                                    \
    "c.category_id IN (SELECT id FROM categories WHERE code = $6::text)) "                         \
    "AND ($7::bigint IS NULL OR s.due_at < $7::bigint) "
#define CASE_PAGE(where)                                                                           \
    "SELECT " CASE_COLUMNS "FROM (SELECT c.*, s.due_at AS scope_due FROM case_scope s "            \
    "JOIN cases c ON c.id = s.case_id WHERE s.unit_id = $1 " where CASE_LIST_FILTERS               \
    "ORDER BY s.due_at, s.case_id LIMIT $8) c " CASE_JOINS "ORDER BY c.scope_due, c.id"
static const char SQL_CASE_LIST_OPEN[] = CASE_PAGE("AND s.open = 1 ");
static const char SQL_CASE_LIST_ALL[] = CASE_PAGE("");
/* An inbox search is the same page narrowed to the cases whose words (cases.search, kept by
 * the cases_search GIN index) hold every word sought. Planned for the query at hand, the
 * planner walks the subtree's range in deadline order when matches are common, and sorts the
 * index's matches that lie in the subtree when they are rare: what SQLite's back-end chooses
 * between by hand. */
static const char SQL_CASE_SEARCH_OPEN[] = CASE_PAGE("AND s.open = 1 AND c.search @@ $9::tsquery ");
static const char SQL_CASE_SEARCH_ALL[] = CASE_PAGE("AND c.search @@ $9::tsquery ");
/* The words of a text as the index holds them (akar_words: folded, split at anything but
 * letters and digits), in the order they first appear, each once, none longer than
 * SEARCH_WORD_MAX bytes, at most SEARCH_WORDS_MAX: the words SQLite's back-end searches for. */
#define SEARCH_WORD_MAX  256
#define SEARCH_WORDS_MAX 64
static const char SQL_SEARCH_WORDS[] =
    "SELECT lexeme FROM unnest(akar_words($1::text)) WHERE octet_length(lexeme) <= $2 "
    "ORDER BY positions[1] LIMIT $3";
/* Titles only (search_title), any word; the GIN index on all the words finds the candidates,
 * since a title's words are among them. Ranked by words shared, a longer title's less (as
 * bm25 ranks on SQLite, but without weighing rare words higher), then by age; names joined
 * after, as for an inbox page. */
static const char SQL_CASE_SIMILAR[] =
    "SELECT " CASE_COLUMNS "FROM (SELECT c.*, ts_rank(c.search_title, $2::tsquery, 1) AS rank "
    "FROM cases c JOIN case_scope s ON s.case_id = c.id AND s.unit_id = $1 AND s.open = 1 "
    "WHERE c.search @@ $2::tsquery AND c.search_title @@ $2::tsquery "
    "ORDER BY rank DESC, c.id LIMIT $3) c " CASE_JOINS "ORDER BY c.rank DESC, c.id";
static const char SQL_CASE_DUE_BETWEEN[] = "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS
                                           "WHERE c.open = 1 AND c.due_at >= $1 AND c.due_at < $2 "
                                           "ORDER BY c.due_at LIMIT $3";
/* A resident's own petitions: one range of cases_by_creator (created_by, id), newest first. */
static const char SQL_CASE_BY_CREATOR[] =
    "SELECT " CASE_COLUMNS "FROM cases c " CASE_JOINS "WHERE c.created_by = $1 AND c.id < $2 "
    "ORDER BY c.id DESC LIMIT $3";
static const char SQL_CASE_INSERT[] =
    "INSERT INTO cases (tracking_code, access_key_hash, kind, channel, status, unit_id, "
    "category_id, department_id, title, description, privacy, reporter, reporter_sealed, lat, "
    "lon, address, step, step_from, due_at, open, remote, created_by, received_at, updated_at, "
    "search, search_title, answers) "
    "VALUES ($1, $2, $3, $4, 'submitted', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, "
    "$17, $18, 1, $19, $20, $21, $21, akar_words($8::text || ' ' || $9::text), "
    "akar_words($8::text), $22) RETURNING id";
static const char SQL_SCOPE_DELETE[] = "DELETE FROM case_scope WHERE case_id = $1";
/* The unit and its ancestors are the codes of its path ("/58/586/586.01/"), each found by the
 * unique index on units.code: a walk up parent_id, as a recursive query, cost five times more.
 * received_at is the case's, written already: it orders Open311's query (SQL_CASE_QUERY). */
static const char SQL_SCOPE_INSERT[] =
    "INSERT INTO case_scope (unit_id, open, due_at, case_id, received_at) "
    "SELECT a.id, $2::integer, $3::bigint, $4::bigint, "
    "(SELECT received_at FROM cases WHERE id = $4::bigint) FROM units u JOIN units a "
    "ON a.code = ANY (string_to_array(trim(BOTH '/' FROM u.path), '/')) WHERE u.id = $1";
static const char SQL_EVENT_INSERT[] =
    "INSERT INTO case_events (case_id, at, actor, action, from_status, to_status, reason, "
    "public_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)";
static const char SQL_CASE_STAMP[] =
    "SELECT c.id, c.version, c.due_at, c.open, coalesce(c.merged_into, 0), coalesce(k.version, 0) "
    "FROM cases c LEFT JOIN cases k ON k.id = c.merged_into WHERE c.tracking_code = $1";
static const char SQL_EVENTS_OF[] = "SELECT id, at, actor, action, from_status, to_status, "
                                    "reason, public_note FROM case_events WHERE case_id = $1 "
                                    "ORDER BY id";
/* The public events of a subtree, newest first (by time: imported cases bring events older
 * than their ids), read in one of two ways (pg_case_feed). Recent: the newest $3 public events
 * of every case, one range of case_events_public (at, id), each kept if its case lies in the
 * subtree ($1): a subtree that has most of the updates (a province, a district) finds its
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
                      "ORDER BY at DESC, id DESC LIMIT $3) e JOIN cases c ON c.id = e.case_id "
                      "WHERE EXISTS (SELECT 1 FROM case_scope s WHERE s.case_id = e.case_id "
                      "AND s.unit_id = $1) ORDER BY e.at DESC, e.id DESC LIMIT $2";
static const char SQL_CASE_FEED[] =
    CASE_FEED_COLUMNS "FROM case_scope s JOIN case_events e ON e.case_id = s.case_id "
                      "JOIN cases c ON c.id = s.case_id WHERE s.unit_id = $1 "
                      "AND e.public_note IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT $2";
/* Open311's query: the subtree's cases received in [$2, $3], open or settled ($4, NULL for
 * both), of the service codes in the JSON array $5 (NULL for any), newest first: one range of
 * case_scope_received (unit_id, received_at, case_id) read backwards, the page ($6 rows after
 * $7) cut from it before the names are joined, as for an inbox page. */
static const char SQL_CASE_QUERY[] =
    "SELECT " CASE_COLUMNS "FROM (SELECT c.*, s.received_at AS scope_received FROM case_scope s "
    "JOIN cases c ON c.id = s.case_id WHERE s.unit_id = $1 "
    "AND s.received_at BETWEEN $2::bigint AND $3::bigint "
    "AND ($4::integer IS NULL OR s.open = $4::integer) "
    "AND ($5::jsonb IS NULL "
    "OR (c.category_id IS NULL AND c.kind IN (SELECT jsonb_array_elements_text($5::jsonb))) "
    "OR c.category_id IN (SELECT id FROM categories "
    "WHERE code IN (SELECT jsonb_array_elements_text($5::jsonb)))) "
    "ORDER BY s.received_at DESC, s.case_id DESC LIMIT $6 OFFSET $7) c " CASE_JOINS
    "ORDER BY c.scope_received DESC, c.id DESC";
static const char SQL_CASE_MERGED[] = "SELECT id, tracking_code, reporter FROM cases "
                                      "WHERE merged_into = $1 ORDER BY id";
/* A merge moves the kept case's version: whoever planned an action on it without knowing of
 * the merge (and so of the new reporter to tell) is refused as stale. */
static const char SQL_CASE_ABSORB[] = "UPDATE cases SET version = version + 1 "
                                      "WHERE id = $1 AND open = 1";
static const char SQL_SCOPE_SET_OPEN[] = "UPDATE case_scope SET open = $2 WHERE case_id = $1";
static const char SQL_CASE_VERSION[] = "SELECT version, unit_id, open, due_at FROM cases "
                                       "WHERE id = $1";
/* Guarded by the version read: another server's change in between moves it, and this one
 * then changes nothing (under READ COMMITTED the row is looked at again once that change
 * commits), which is a conflict. */
static const char SQL_CASE_UPDATE[] =
    "UPDATE cases SET status = $3, version = version + 1, updated_at = $4, "
    "unit_id = coalesce($5::bigint, unit_id), "
    "handler_id = CASE WHEN $6::boolean THEN nullif($7::bigint, 0) ELSE handler_id END, "
    "step = CASE WHEN $8::boolean THEN $9::text ELSE step END, "
    "step_from = CASE WHEN $8::boolean THEN $10::bigint ELSE step_from END, "
    "due_at = CASE WHEN $8::boolean THEN $11::bigint ELSE due_at END, "
    "open = CASE WHEN $8::boolean THEN $12::integer ELSE open END, "
    "extensions = CASE WHEN $8::boolean THEN $13::integer ELSE extensions END, "
    "round = CASE WHEN $8::boolean THEN $14::integer ELSE round END, "
    "complex = CASE WHEN $8::boolean THEN $15::integer ELSE complex END, "
    "remote = CASE WHEN $8::boolean THEN $16::integer ELSE remote END, "
    "answer = CASE WHEN $17::boolean THEN $18::text ELSE answer END, "
    "document = CASE WHEN $17::boolean THEN $19::text ELSE document END, "
    "resolved_at = CASE WHEN $17::boolean THEN $20::bigint ELSE resolved_at END, "
    "merged_into = CASE WHEN $21::boolean THEN $22::bigint ELSE merged_into END, "
    "rating = CASE WHEN $23::boolean THEN $24::integer ELSE rating END, "
    "rating_comment = CASE WHEN $23::boolean THEN $25::text ELSE rating_comment END "
    "WHERE id = $1 AND version = $2";
static const char SQL_OUTBOX_INSERT[] =
    "INSERT INTO outbox (channel, target, subject, body, case_id, next_at, created_at) "
    "VALUES ($1, $2, $3, $4, $5, $6, $6)";
/* Paths are compared byte by byte (units.path is COLLATE "C"), and names sorted so too, as
 * SQLite sorts them. */
#define CATEGORY_COLUMNS                                                                           \
    "SELECT cat.id, u.code, cat.code, cat.name, d.code, d.name, d.email FROM categories cat "      \
    "JOIN units u ON u.id = cat.unit_id LEFT JOIN departments d ON d.id = cat.department_id "
static const char SQL_CATEGORY_FIND[] =
    CATEGORY_COLUMNS "WHERE cat.code = $2 AND substr($1::text, 1, length(u.path)) = u.path "
                     "ORDER BY length(u.path) DESC LIMIT 1";
static const char SQL_CATEGORY_LIST[] =
    CATEGORY_COLUMNS "WHERE substr($1::text, 1, length(u.path)) = u.path "
                     "ORDER BY length(u.path) DESC, cat.name COLLATE \"C\"";
/* The category a new case names, and the department competent for it (0: none named). */
static const char SQL_CATEGORY_OF_CASE[] =
    "SELECT cat.id, coalesce(cat.department_id, 0) FROM categories cat "
    "JOIN units u ON u.id = cat.unit_id "
    "WHERE cat.code = $2 AND substr($1::text, 1, length(u.path)) = u.path "
    "ORDER BY length(u.path) DESC LIMIT 1";
static const char SQL_DEPARTMENT_GET[] = "SELECT id FROM departments WHERE unit_id = $1 AND "
                                         "code = $2";
static const char SQL_DEPARTMENT_INSERT[] = "INSERT INTO departments (unit_id, code, name) "
                                            "VALUES ($1, $2, $3) RETURNING id";
static const char SQL_CATEGORY_INSERT[] = "INSERT INTO categories (unit_id, code, name, "
                                          "department_id) VALUES ($1, $2, $3, $4) RETURNING id";
/* No row when the case does not exist: told apart without a foreign-key error, which would
 * be logged as the store failing. */
static const char SQL_ATTACHMENT_INSERT[] =
    "INSERT INTO attachments (case_id, sha256, media_type, size, filename, created_at) "
    "SELECT $1::bigint, $2::text, $3::text, $4::bigint, $5::text, $6::bigint "
    "WHERE EXISTS (SELECT 1 FROM cases WHERE id = $1::bigint) RETURNING id";
static const char SQL_ATTACHMENT_COUNT[] = "SELECT count(*) FROM attachments WHERE case_id = $1";
static const char SQL_ATTACHMENTS_OF[] = "SELECT id, case_id, size, created_at, sha256, "
                                         "media_type, filename FROM attachments "
                                         "WHERE case_id = $1 ORDER BY id";
static const char SQL_ATTACHMENT_GET[] = "SELECT id, case_id, size, created_at, sha256, "
                                         "media_type, filename FROM attachments WHERE id = $1";
static const char SQL_OUTBOX_RESULT[] =
    "UPDATE outbox SET attempts = $2, "
    "next_at = CASE WHEN $3::bigint = 0 THEN next_at ELSE $3::bigint END, "
    "sent_at = CASE WHEN $3::bigint = 0 THEN $4::bigint ELSE NULL END, last_error = $5 "
    "WHERE id = $1";
static const char SQL_WEBHOOKS_FOR[] =
    "SELECT w.id, w.url, w.secret FROM webhooks w JOIN units u ON u.id = w.unit_id "
    "WHERE substr($1::text, 1, length(u.path)) = u.path ORDER BY w.id";
static const char SQL_USERS_WITH_ROLE[] =
    "SELECT DISTINCT us.id, us.login, us.display_name, us.password_hash, us.disabled, us.email "
    "FROM grants g JOIN units u ON u.id = g.unit_id JOIN users us ON us.id = g.user_id "
    "WHERE g.role = $2 AND us.disabled = 0 AND substr($1::text, 1, length(u.path)) = u.path "
    "ORDER BY us.id";
static const char SQL_DUE_WARNED_GET[] = "SELECT 1 FROM due_warnings WHERE case_id = $1 AND "
                                         "due_at = $2";
/* A row only for the first warning: two servers' sweeps may both see the deadline unwarned,
 * and only the one whose row goes in queues the messages. */
static const char SQL_DUE_WARNED_SET[] = "INSERT INTO due_warnings (case_id, due_at, sent_at) "
                                         "VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

#define MAX_ATTACHMENTS 10

static const char STORE_FAILED[] = "the store failed%s";

static void case_from_row(struct arena *a, const PGresult *r, int row, struct case_row *c)
{
    memset(c, 0, sizeof *c);
    int i = 0;
    c->id = pg_int(r, row, i++);
    c->version = pg_int(r, row, i++);
    c->tracking_code = pg_text(a, r, row, i++);
    unsigned char hash[32];
    if (pg_bytes(r, row, i++, hash, sizeof hash) == 0)
        memcpy(c->access_key_hash, hash, sizeof hash);
    c->kind = pg_text(a, r, row, i++);
    c->channel = pg_text(a, r, row, i++);
    c->status = pg_text(a, r, row, i++);
    c->privacy = pg_text(a, r, row, i++);
    c->unit_id = pg_int(r, row, i++);
    c->unit_code = pg_text(a, r, row, i++);
    c->unit_name = pg_text(a, r, row, i++);
    c->unit_path = pg_text(a, r, row, i++);
    c->unit_time_zone = pg_text(a, r, row, i++);
    c->category_code = pg_text(a, r, row, i++);
    c->category_name = pg_text(a, r, row, i++);
    c->department_name = pg_text(a, r, row, i++);
    c->title = pg_text(a, r, row, i++);
    c->description = pg_text(a, r, row, i++);
    c->reporter = pg_text(a, r, row, i++);
    c->reporter_sealed = pg_text(a, r, row, i++);
    c->located = !pg_null(r, row, i);
    c->lat = pg_double(r, row, i++);
    c->lon = pg_double(r, row, i++);
    c->address = pg_text(a, r, row, i++);
    c->handler_id = pg_int(r, row, i++);
    c->handler_login = pg_text(a, r, row, i++);
    c->step = pg_text(a, r, row, i++);
    c->step_from = pg_int(r, row, i++);
    c->due_at = pg_int(r, row, i++);
    c->open = pg_int(r, row, i++) != 0;
    c->complex = pg_int(r, row, i++) != 0;
    c->remote = pg_int(r, row, i++) != 0;
    c->extensions = (int)pg_int(r, row, i++);
    c->round = (int)pg_int(r, row, i++);
    c->answer = pg_text(a, r, row, i++);
    c->document = pg_text(a, r, row, i++);
    c->merged_into = pg_int(r, row, i++);
    c->rating = (int)pg_int(r, row, i++);
    c->rating_comment = pg_text(a, r, row, i++);
    c->created_by = pg_int(r, row, i++);
    c->received_at = pg_int(r, row, i++);
    c->resolved_at = pg_int(r, row, i++);
    c->updated_at = pg_int(r, row, i++);
    c->answers = pg_text(a, r, row, i++);
}

/* Runs sql on this thread's read connection: the result, or NULL (the store failed). */
static PGresult *read_rows(struct pg *q, const char *sql, const struct pg_params *pp)
{
    struct pgc *c = pg_reader(q);
    int rc;
    return c ? pg_run(c, sql, pp, &rc) : NULL;
}

/* The case rows of r (cleared here) as an arena array. */
static void collect_cases(struct arena *a, PGresult *r, struct case_row **rows, size_t *n)
{
    int k = PQntuples(r);
    struct case_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        case_from_row(a, r, i, &out[i]);
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
}

/* The cases sql reads on this thread's connection. */
static int read_cases(struct pg *q, struct arena *a, const char *sql, const struct pg_params *pp,
                      struct case_row **rows, size_t *n)
{
    *n = 0;
    PGresult *r = read_rows(q, sql, pp);
    if (!r)
        return AKAR_ESTORE;
    collect_cases(a, r, rows, n);
    return 0;
}

int pg_case_get(struct pg *q, struct arena *a, int64_t id, const char *code, struct case_row *out)
{
    struct pg_params pp = {0};
    if (id)
        pp_int(&pp, id);
    else
        pp_text(&pp, code);
    PGresult *r = read_rows(q, id ? SQL_CASE_BY_ID : SQL_CASE_BY_CODE, &pp);
    if (!r)
        return AKAR_ESTORE;
    int rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        case_from_row(a, r, 0, out);
    PQclear(r);
    return rc;
}

int pg_case_stamp(struct pg *q, const char *tracking_code, struct case_stamp *out)
{
    struct pg_params pp = {0};
    pp_text(&pp, tracking_code);
    PGresult *r = read_rows(q, SQL_CASE_STAMP, &pp);
    if (!r)
        return AKAR_ESTORE;
    int rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        *out = (struct case_stamp){pg_int(r, 0, 0),      pg_int(r, 0, 1), pg_int(r, 0, 2),
                                   pg_int(r, 0, 3) != 0, pg_int(r, 0, 4), pg_int(r, 0, 5)};
    PQclear(r);
    return rc;
}

int pg_case_events(struct pg *q, struct arena *a, int64_t case_id, struct case_event_row **rows,
                   size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    PGresult *r = read_rows(q, SQL_EVENTS_OF, &pp);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct case_event_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        out[i] = (struct case_event_row){
            pg_int(r, i, 0),     pg_int(r, i, 1),     pg_text(a, r, i, 2), pg_text(a, r, i, 3),
            pg_text(a, r, i, 4), pg_text(a, r, i, 5), pg_text(a, r, i, 6), pg_text(a, r, i, 7)};
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

int pg_case_merged(struct pg *q, struct arena *a, int64_t case_id, struct case_merged_row **rows,
                   size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    PGresult *r = read_rows(q, SQL_CASE_MERGED, &pp);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct case_merged_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        out[i] =
            (struct case_merged_row){pg_int(r, i, 0), pg_text(a, r, i, 1), pg_text(a, r, i, 2)};
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

/* ---- full-text search ---- */

/* A tsquery of the words of text joined by op ("&" for every word, "|" for any), in the
 * arena; *query is NULL if text has no letter or digit. The words are read on c with the
 * index's own akar_words, so a query and the index always agree on what a word is. */
static int search_query(struct pgc *c, struct arena *a, const char *text, const char *op,
                        const char **query)
{
    *query = NULL;
    struct pg_params pp = {0};
    pp_text(&pp, text);
    pp_int(&pp, SEARCH_WORD_MAX);
    pp_int(&pp, SEARCH_WORDS_MAX);
    int rc;
    PGresult *r = pg_run(c, SQL_SEARCH_WORDS, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct buf b = {0};
    for (int i = 0; i < k; i++) {
        if (i)
            buf_printf(&b, " %s ", op);
        /* each word quoted, so that the tsquery syntax never gets in (a word is letters and
         * digits, but the quoting does not rely on it) */
        buf_puts(&b, "'");
        for (const char *p = PQgetvalue(r, i, 0); *p; p++) {
            if (*p == '\'' || *p == '\\')
                buf_append(&b, p, 1);
            buf_append(&b, p, 1);
        }
        buf_puts(&b, "'");
    }
    PQclear(r);
    if (k)
        *query = arena_strdup(a, b.data);
    buf_release(&b);
    return 0;
}

int pg_case_query(struct pg *q, struct arena *a, const struct case_query *cq,
                  struct case_row **rows, size_t *n)
{
    assert(cq->open || cq->settled);
    struct pg_params pp = {0};
    pp_int(&pp, cq->scope_unit_id);
    pp_int(&pp, cq->received_from);
    pp_int(&pp, cq->received_to);
    if (cq->open != cq->settled)
        pp_int(&pp, cq->open);
    else
        pp_null(&pp);
    if (cq->ncodes) {
        struct buf codes = {0};
        buf_puts(&codes, "[");
        for (size_t i = 0; i < cq->ncodes; i++) {
            buf_puts(&codes, i ? "," : "");
            buf_json_string(&codes, cq->codes[i]);
        }
        buf_puts(&codes, "]");
        pp_text(&pp, arena_strdup(a, codes.data));
        buf_release(&codes);
    } else {
        pp_null(&pp);
    }
    pp_int(&pp, (int64_t)cq->limit);
    pp_int(&pp, (int64_t)cq->offset);
    return read_cases(q, a, SQL_CASE_QUERY, &pp, rows, n);
}

int pg_case_list(struct pg *q, struct arena *a, const struct case_filter *f, struct case_row **rows,
                 size_t *n)
{
    *rows = NULL;
    *n = 0;
    struct pgc *c = pg_reader(q);
    if (!c)
        return AKAR_ESTORE;
    /* a text without a letter or a digit searches for nothing: the inbox is not narrowed */
    const char *query = NULL;
    if (f->text && search_query(c, a, f->text, "&", &query))
        return AKAR_ESTORE;
    struct pg_params pp = {0};
    pp_int(&pp, f->scope_unit_id);
    pp_int(&pp, f->has_cursor ? f->after_due : INT64_MIN);
    pp_int(&pp, f->has_cursor ? f->after_id : INT64_MIN);
    pp_text(&pp, f->kind);
    pp_text(&pp, f->status);
    pp_text(&pp, f->category_code);
    if (f->due_before)
        pp_int(&pp, f->due_before);
    else
        pp_null(&pp);
    pp_int(&pp, (int64_t)(f->limit ? f->limit : 50));
    const char *sql;
    if (query) {
        pp_text(&pp, query);
        sql = f->only_open ? SQL_CASE_SEARCH_OPEN : SQL_CASE_SEARCH_ALL;
    } else {
        sql = f->only_open ? SQL_CASE_LIST_OPEN : SQL_CASE_LIST_ALL;
    }
    int rc;
    PGresult *r = pg_run(c, sql, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    collect_cases(a, r, rows, n);
    return 0;
}

int pg_case_similar(struct pg *q, struct arena *a, int64_t scope_unit_id, const char *text,
                    size_t limit, struct case_row **rows, size_t *n)
{
    *n = 0;
    struct pgc *c = pg_reader(q);
    const char *query;
    if (!c || search_query(c, a, text, "|", &query))
        return AKAR_ESTORE;
    if (!query)
        return 0;
    /* titles only: descriptions share too many common words to tell duplicates apart */
    struct pg_params pp = {0};
    pp_int(&pp, scope_unit_id);
    pp_text(&pp, query);
    pp_int(&pp, (int64_t)limit);
    int rc;
    PGresult *r = pg_run(c, SQL_CASE_SIMILAR, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    collect_cases(a, r, rows, n);
    return 0;
}

int pg_case_due_between(struct pg *q, struct arena *a, int64_t from, int64_t to, size_t limit,
                        struct case_row **rows, size_t *n)
{
    struct pg_params pp = {0};
    pp_int(&pp, from);
    pp_int(&pp, to);
    pp_int(&pp, (int64_t)limit);
    return read_cases(q, a, SQL_CASE_DUE_BETWEEN, &pp, rows, n);
}

int pg_case_by_creator(struct pg *q, struct arena *a, int64_t user_id, int64_t before_id,
                       size_t limit, struct case_row **rows, size_t *n)
{
    struct pg_params pp = {0};
    pp_int(&pp, user_id);
    pp_int(&pp, before_id > 0 ? before_id : INT64_MAX);
    pp_int(&pp, (int64_t)limit);
    return read_cases(q, a, SQL_CASE_BY_CREATOR, &pp, rows, n);
}

/* ---- writes (writer thread, inside the group's transaction) ---- */

/* Puts the case in the subtree index of unit_id: a row for the unit and each ancestor. This
 * and the other rows written beside a case (its events, its outbox messages) are deferred:
 * queued on the writer's pipeline and collected when the write ends. */
static int scope_insert(struct pgc *c, int64_t case_id, int64_t unit_id, bool open, int64_t due_at)
{
    struct pg_params pp = {0};
    pp_int(&pp, unit_id);
    pp_bool(&pp, open);
    pp_int(&pp, due_at);
    pp_int(&pp, case_id);
    return pg_defer(c, SQL_SCOPE_INSERT, &pp);
}

/* Two statements, not one with a data-modifying CTE: a CTE's delete is not seen by the insert
 * beside it, whose rows may repeat the old ones (a move within the same province). */
static int rescope(struct pgc *c, int64_t case_id, int64_t unit_id, bool open, int64_t due_at)
{
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    int rc = pg_defer(c, SQL_SCOPE_DELETE, &pp);
    return rc ? rc : scope_insert(c, case_id, unit_id, open, due_at);
}

static int scope_set_open(struct pgc *c, int64_t case_id, bool open)
{
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    pp_bool(&pp, open);
    return pg_defer(c, SQL_SCOPE_SET_OPEN, &pp);
}

static int add_event(struct pgc *c, int64_t case_id, int64_t at, const char *actor,
                     const char *action, const char *from, const char *to, const char *reason,
                     const char *public_note)
{
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    pp_int(&pp, at);
    pp_text(&pp, actor);
    pp_text(&pp, action);
    pp_text(&pp, from);
    pp_text(&pp, to);
    pp_text(&pp, reason);
    pp_text(&pp, public_note);
    return pg_defer(c, SQL_EVENT_INSERT, &pp);
}

static int queue_outbox(struct pgc *c, int64_t case_id, int64_t at, const struct outbox_msg *m,
                        size_t n)
{
    for (size_t i = 0; i < n; i++) {
        struct pg_params pp = {0};
        pp_text(&pp, m[i].channel);
        pp_text(&pp, m[i].target);
        pp_text(&pp, m[i].subject);
        pp_text(&pp, m[i].body);
        pp_int(&pp, case_id);
        pp_int(&pp, at);
        int rc = pg_defer(c, SQL_OUTBOX_INSERT, &pp);
        if (rc)
            return rc;
    }
    return 0;
}

/* The category code offered at path's unit or its nearest ancestor, and its department. */
static int category_of_case(struct pgc *c, const char *path, const char *code, int64_t *id,
                            int64_t *department_id)
{
    struct pg_params pp = {0};
    pp_text(&pp, path);
    pp_text(&pp, code);
    int rc;
    PGresult *r = pg_run(c, SQL_CATEGORY_OF_CASE, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0) {
        *id = pg_int(r, 0, 0);
        *department_id = pg_int(r, 0, 1);
    }
    PQclear(r);
    return rc;
}

/* Runs an INSERT ... RETURNING id on c: 0 and *id, or pg_run's code (AKAR_ENOTFOUND when the
 * statement inserted nothing). */
static int insert_returning(struct pgc *c, const char *sql, const struct pg_params *pp, int64_t *id)
{
    int rc;
    PGresult *r = pg_run(c, sql, pp, &rc);
    if (!r)
        return rc ? rc : AKAR_ESTORE;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0)
        *id = pg_int(r, 0, 0);
    PQclear(r);
    return rc;
}

int pg_apply_case_create(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    const struct case_new *n = &w->u.case_new;
    int64_t unit_id, category_id = 0, department_id = 0;
    char *path = NULL;
    int rc = pg_unit_lookup(c, n->unit_code, &unit_id, &path);
    if (rc == AKAR_ENOTFOUND)
        return pg_fail(w, rc, "unit %s does not exist", n->unit_code);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    if (n->category_code) {
        rc = category_of_case(c, path, n->category_code, &category_id, &department_id);
        if (rc) {
            free(path);
            return pg_fail(w, rc,
                           rc == AKAR_ENOTFOUND ? "category %s is not offered here" : STORE_FAILED,
                           rc == AKAR_ENOTFOUND ? n->category_code : NULL);
        }
    }
    free(path);
    struct arena *a = arena_new(); /* the access key hash, as hex */
    struct pg_params pp = {.a = a};
    pp_text(&pp, n->tracking_code);
    pp_bytes(&pp, n->access_key_hash, sizeof n->access_key_hash);
    pp_text(&pp, n->kind);
    pp_text(&pp, n->channel);
    pp_int(&pp, unit_id);
    if (category_id)
        pp_int(&pp, category_id);
    else
        pp_null(&pp);
    if (department_id)
        pp_int(&pp, department_id);
    else
        pp_null(&pp);
    pp_text(&pp, n->title);
    pp_text(&pp, n->description);
    pp_text(&pp, n->privacy);
    pp_text(&pp, n->reporter);
    pp_text(&pp, n->reporter_sealed);
    if (n->located) {
        pp_double(&pp, n->lat);
        pp_double(&pp, n->lon);
    } else {
        pp_null(&pp);
        pp_null(&pp);
    }
    pp_text(&pp, n->address);
    pp_text(&pp, n->step);
    pp_int(&pp, n->step_from);
    pp_int(&pp, n->due_at);
    pp_bool(&pp, n->remote);
    if (n->created_by)
        pp_int(&pp, n->created_by);
    else
        pp_null(&pp);
    pp_int(&pp, n->received_at);
    pp_text(&pp, n->answers);
    rc = insert_returning(c, SQL_CASE_INSERT, &pp, &w->id);
    arena_free(a);
    if (rc == AKAR_EEXIST)
        return pg_fail(w, AKAR_ECONFLICT, "tracking code collision%s", NULL);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->id);
    /* a new case has no rows in the subtree index to take out first */
    if (scope_insert(c, w->id, unit_id, true, n->due_at) ||
        add_event(c, w->id, n->received_at, w->actor ? w->actor : "reporter", "submit", NULL,
                  "submitted", NULL, n->public_note) ||
        queue_outbox(c, w->id, n->received_at, n->outbox, n->noutbox))
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    return pg_audit(q, w, "case.submit", "case", id);
}

/* The case's version, unit, open flag and deadline as they are now. */
static int case_version(struct pgc *c, int64_t case_id, int64_t *version, int64_t *unit_id,
                        bool *open, int64_t *due_at)
{
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    int rc;
    PGresult *r = pg_run(c, SQL_CASE_VERSION, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    rc = PQntuples(r) == 1 ? 0 : AKAR_ENOTFOUND;
    if (rc == 0) {
        *version = pg_int(r, 0, 0);
        *unit_id = pg_int(r, 0, 1);
        *open = pg_int(r, 0, 2) != 0;
        *due_at = pg_int(r, 0, 3);
    }
    PQclear(r);
    return rc;
}

int pg_apply_case_update(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    const struct case_update *u = &w->u.case_update;
    int64_t version = 0, unit_id = 0, due_at = 0;
    bool open = false;
    int rc = case_version(c, u->case_id, &version, &unit_id, &open, &due_at);
    if (rc)
        return pg_fail(w, rc, "no such case%s", NULL);
    if (version != u->expected_version)
        return pg_fail(w, AKAR_ECONFLICT, "the case changed meanwhile; read it again%s", NULL);
    int64_t was_unit = unit_id;
    if (u->set_unit) {
        rc = pg_unit_lookup(c, u->unit_code, &unit_id, NULL);
        if (rc)
            return pg_fail(w, rc, rc == AKAR_ENOTFOUND ? "unit %s does not exist" : STORE_FAILED,
                           rc == AKAR_ENOTFOUND ? u->unit_code : "");
    }
    int64_t now = w->at_ms ? w->at_ms : clock_now_ms();
    struct pg_params pp = {0};
    pp_int(&pp, u->case_id);
    pp_int(&pp, u->expected_version);
    pp_text(&pp, u->to_status);
    pp_int(&pp, now);
    if (u->set_unit)
        pp_int(&pp, unit_id);
    else
        pp_null(&pp);
    pp_bool(&pp, u->set_handler);
    pp_int(&pp, u->handler_id);
    pp_bool(&pp, u->set_deadline);
    pp_text(&pp, u->step);
    pp_int(&pp, u->step_from);
    pp_int(&pp, u->due_at);
    pp_bool(&pp, u->open);
    pp_int(&pp, u->extensions);
    pp_int(&pp, u->round);
    pp_bool(&pp, u->complex);
    pp_bool(&pp, u->remote);
    pp_bool(&pp, u->set_answer);
    pp_text(&pp, u->answer);
    pp_text(&pp, u->document);
    if (u->resolved_at)
        pp_int(&pp, u->resolved_at);
    else
        pp_null(&pp);
    pp_bool(&pp, u->set_merged);
    if (u->merged_into)
        pp_int(&pp, u->merged_into);
    else
        pp_null(&pp);
    pp_bool(&pp, u->set_rating);
    pp_int(&pp, u->rating);
    pp_text(&pp, u->rating_comment);
    int64_t changed = 0;
    if (pg_exec(c, SQL_CASE_UPDATE, &pp, &changed) || changed != 1)
        return pg_fail(w, AKAR_ECONFLICT, "the case changed meanwhile; read it again%s", NULL);
    if (u->set_merged) {
        struct pg_params kept = {0};
        pp_int(&kept, u->merged_into);
        if (pg_exec(c, SQL_CASE_ABSORB, &kept, &changed) || changed != 1)
            return pg_fail(w, AKAR_ECONFLICT,
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
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    const char *actor = w->actor ? w->actor : "system";
    if (add_event(c, u->case_id, now, u->actor_label ? u->actor_label : actor, u->action,
                  u->from_status, u->to_status, u->reason, u->public_note) ||
        queue_outbox(c, u->case_id, now, u->outbox, u->noutbox))
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    char id[24], action[48];
    snprintf(id, sizeof id, "%lld", (long long)u->case_id);
    snprintf(action, sizeof action, "case.%s", u->action);
    return pg_audit(q, w, action, "case", id);
}

/* The department code of unit_id, created with name if it does not exist yet. */
static int department_for(struct pgc *c, int64_t unit_id, const char *code, const char *name,
                          int64_t *id)
{
    struct pg_params pp = {0};
    pp_int(&pp, unit_id);
    pp_text(&pp, code);
    int rc;
    PGresult *r = pg_run(c, SQL_DEPARTMENT_GET, &pp, &rc);
    if (!r)
        return AKAR_ESTORE;
    *id = PQntuples(r) == 1 ? pg_int(r, 0, 0) : 0;
    PQclear(r);
    if (*id)
        return 0;
    pp_text(&pp, name); /* after the same unit and code */
    return insert_returning(c, SQL_DEPARTMENT_INSERT, &pp, id) ? AKAR_ESTORE : 0;
}

int pg_apply_category_add(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    int64_t unit_id, department_id = 0;
    int rc = pg_unit_lookup(c, w->u.category.unit_code, &unit_id, NULL);
    if (rc)
        return pg_fail(w, rc, "unit %s does not exist", w->u.category.unit_code);
    if (w->u.category.department_code &&
        department_for(c, unit_id, w->u.category.department_code,
                       w->u.category.department_name ? w->u.category.department_name
                                                     : w->u.category.department_code,
                       &department_id))
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    struct pg_params pp = {0};
    pp_int(&pp, unit_id);
    pp_text(&pp, w->u.category.code);
    pp_text(&pp, w->u.category.name);
    if (department_id)
        pp_int(&pp, department_id);
    else
        pp_null(&pp);
    rc = insert_returning(c, SQL_CATEGORY_INSERT, &pp, &w->id);
    if (rc == AKAR_EEXIST)
        return pg_fail(w, rc, "category %s exists at this unit", w->u.category.code);
    if (rc)
        return pg_fail(w, rc, STORE_FAILED, NULL);
    char object[80];
    snprintf(object, sizeof object, "%s/%s", w->u.category.unit_code, w->u.category.code);
    return pg_audit(q, w, "category.add", "category", object);
}

int pg_apply_attachment_add(struct pg *q, struct store_write *w)
{
    struct pgc *c = &q->writer;
    struct pg_params pp = {0};
    pp_int(&pp, w->u.attachment.case_id);
    int rc;
    PGresult *r = pg_run(c, SQL_ATTACHMENT_COUNT, &pp, &rc);
    if (!r)
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    int64_t count = PQntuples(r) == 1 ? pg_int(r, 0, 0) : 0;
    PQclear(r);
    if (count >= MAX_ATTACHMENTS)
        return pg_fail(w, AKAR_EINVAL, "a case holds at most 10 attachments%s", NULL);
    struct pg_params ins = {0};
    pp_int(&ins, w->u.attachment.case_id);
    pp_text(&ins, w->u.attachment.sha256);
    pp_text(&ins, w->u.attachment.media_type);
    pp_int(&ins, w->u.attachment.size);
    pp_text(&ins, w->u.attachment.filename);
    pp_int(&ins, w->at_ms ? w->at_ms : clock_now_ms());
    rc = insert_returning(c, SQL_ATTACHMENT_INSERT, &ins, &w->id);
    if (rc)
        return pg_fail(w, rc == AKAR_ENOTFOUND ? rc : AKAR_ESTORE, "no such case%s", NULL);
    char id[24];
    snprintf(id, sizeof id, "%lld", (long long)w->u.attachment.case_id);
    return pg_audit(q, w, "case.attach", "case", id);
}

int pg_apply_outbox_result(struct pg *q, struct store_write *w)
{
    struct pg_params pp = {0};
    pp_int(&pp, w->u.outbox_result.id);
    pp_int(&pp, w->u.outbox_result.attempts);
    pp_int(&pp, w->u.outbox_result.next_at);
    pp_int(&pp, w->at_ms ? w->at_ms : clock_now_ms());
    pp_text(&pp, w->u.outbox_result.error);
    return pg_exec(&q->writer, SQL_OUTBOX_RESULT, &pp, NULL)
               ? pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL)
               : 0;
}

int pg_apply_due_warned(struct pg *q, struct store_write *w)
{
    struct pg_params pp = {0};
    pp_int(&pp, w->u.due_warned.case_id);
    pp_int(&pp, w->u.due_warned.due_at);
    int64_t now = w->at_ms ? w->at_ms : clock_now_ms();
    pp_int(&pp, now);
    int64_t inserted = 0;
    if (pg_exec(&q->writer, SQL_DUE_WARNED_SET, &pp, &inserted) ||
        (inserted && queue_outbox(&q->writer, w->u.due_warned.case_id, now, w->u.due_warned.outbox,
                                  w->u.due_warned.noutbox)))
        return pg_fail(w, AKAR_ESTORE, STORE_FAILED, NULL);
    return 0;
}

/* ---- other reads ---- */

static void collect_categories(struct arena *a, const PGresult *r, struct category_row **rows,
                               size_t *n)
{
    int k = PQntuples(r);
    struct category_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        out[i] = (struct category_row){
            pg_int(r, i, 0),     pg_text(a, r, i, 1), pg_text(a, r, i, 2), pg_text(a, r, i, 3),
            pg_text(a, r, i, 4), pg_text(a, r, i, 5), pg_text(a, r, i, 6)};
    *rows = out;
    *n = (size_t)k;
}

int pg_category_find(struct pg *q, struct arena *a, const char *unit_path, const char *code,
                     struct category_row *out)
{
    struct pg_params pp = {0};
    pp_text(&pp, unit_path);
    pp_text(&pp, code);
    PGresult *r = read_rows(q, SQL_CATEGORY_FIND, &pp);
    if (!r)
        return AKAR_ESTORE;
    struct category_row *rows;
    size_t n;
    collect_categories(a, r, &rows, &n);
    PQclear(r);
    if (!n)
        return AKAR_ENOTFOUND;
    *out = rows[0];
    return 0;
}

int pg_category_list(struct pg *q, struct arena *a, const char *unit_path,
                     struct category_row **rows, size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_text(&pp, unit_path);
    PGresult *r = read_rows(q, SQL_CATEGORY_LIST, &pp);
    if (!r)
        return AKAR_ESTORE;
    collect_categories(a, r, rows, n);
    PQclear(r);
    return 0;
}

/* At most one more than a case may hold, as on SQLite. */
static void collect_attachments(struct arena *a, const PGresult *r, struct attachment_row **rows,
                                size_t *n)
{
    size_t cap = MAX_ATTACHMENTS + 1, k = (size_t)PQntuples(r);
    if (k > cap)
        k = cap;
    struct attachment_row *out = arena_alloc(a, cap * sizeof *out);
    for (size_t i = 0; i < k; i++) {
        int row = (int)i;
        out[i] = (struct attachment_row){
            pg_int(r, row, 0),     pg_int(r, row, 1),     pg_int(r, row, 2),    pg_int(r, row, 3),
            pg_text(a, r, row, 4), pg_text(a, r, row, 5), pg_text(a, r, row, 6)};
    }
    *rows = out;
    *n = k;
}

int pg_attachment_list(struct pg *q, struct arena *a, int64_t case_id, struct attachment_row **rows,
                       size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    PGresult *r = read_rows(q, SQL_ATTACHMENTS_OF, &pp);
    if (!r)
        return AKAR_ESTORE;
    collect_attachments(a, r, rows, n);
    PQclear(r);
    return 0;
}

int pg_attachment_get(struct pg *q, struct arena *a, int64_t id, struct attachment_row *out)
{
    struct pg_params pp = {0};
    pp_int(&pp, id);
    PGresult *r = read_rows(q, SQL_ATTACHMENT_GET, &pp);
    if (!r)
        return AKAR_ESTORE;
    struct attachment_row *rows;
    size_t n;
    collect_attachments(a, r, &rows, &n);
    PQclear(r);
    if (!n)
        return AKAR_ENOTFOUND;
    *out = rows[0];
    return 0;
}

int pg_webhooks_for(struct pg *q, struct arena *a, const char *unit_path, struct webhook_row **rows,
                    size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_text(&pp, unit_path);
    PGresult *r = read_rows(q, SQL_WEBHOOKS_FOR, &pp);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct webhook_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        out[i] = (struct webhook_row){pg_int(r, i, 0), pg_text(a, r, i, 1), pg_text(a, r, i, 2)};
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

int pg_users_with_role(struct pg *q, struct arena *a, const char *unit_path, const char *role,
                       struct user_row **rows, size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_text(&pp, unit_path);
    pp_text(&pp, role);
    PGresult *r = read_rows(q, SQL_USERS_WITH_ROLE, &pp);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct user_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        out[i] = (struct user_row){.id = pg_int(r, i, 0),
                                   .login = pg_text(a, r, i, 1),
                                   .display_name = pg_text(a, r, i, 2),
                                   .password_hash = pg_text(a, r, i, 3),
                                   .disabled = pg_int(r, i, 4) != 0,
                                   .email = pg_text(a, r, i, 5)};
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

int pg_due_warned(struct pg *q, int64_t case_id, int64_t due_at, bool *warned)
{
    struct pg_params pp = {0};
    pp_int(&pp, case_id);
    pp_int(&pp, due_at);
    PGresult *r = read_rows(q, SQL_DUE_WARNED_GET, &pp);
    if (!r)
        return AKAR_ESTORE;
    *warned = PQntuples(r) > 0;
    PQclear(r);
    return 0;
}

/* The events sql (SQL_CASE_FEED, or SQL_CASE_FEED_RECENT over the newest window) finds. */
static int feed_rows(struct pg *q, struct arena *a, const char *sql, int64_t scope_unit_id,
                     size_t limit, size_t window, struct case_feed_row **rows, size_t *n)
{
    *n = 0;
    struct pg_params pp = {0};
    pp_int(&pp, scope_unit_id);
    pp_int(&pp, (int64_t)limit);
    if (sql == SQL_CASE_FEED_RECENT)
        pp_int(&pp, (int64_t)window);
    PGresult *r = read_rows(q, sql, &pp);
    if (!r)
        return AKAR_ESTORE;
    int k = PQntuples(r);
    struct case_feed_row *out = arena_alloc(a, (size_t)(k ? k : 1) * sizeof *out);
    for (int i = 0; i < k; i++)
        out[i] =
            (struct case_feed_row){pg_int(r, i, 0),     pg_int(r, i, 1),     pg_text(a, r, i, 2),
                                   pg_text(a, r, i, 3), pg_text(a, r, i, 4), pg_text(a, r, i, 5),
                                   pg_text(a, r, i, 6), pg_text(a, r, i, 7), pg_text(a, r, i, 8)};
    PQclear(r);
    *rows = out;
    *n = (size_t)k;
    return 0;
}

int pg_case_feed(struct pg *q, struct arena *a, int64_t scope_unit_id, size_t limit,
                 struct case_feed_row **rows, size_t *n)
{
    /* the newest events of all are a prefix of the order sought: when the subtree's page is
     * whole within them, it is the subtree's newest; else the subtree's own are sorted */
    int rc =
        feed_rows(q, a, SQL_CASE_FEED_RECENT, scope_unit_id, limit, limit * FEED_WINDOW, rows, n);
    if (rc || *n == limit)
        return rc;
    return feed_rows(q, a, SQL_CASE_FEED, scope_unit_id, limit, 0, rows, n);
}
