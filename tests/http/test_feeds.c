/* The Atom feeds of a unit's public case updates (GET /api/v1/units/{code}/feed.atom), end to
 * end: a case's public events newest first, only the unit's subtree, nothing of a confidential
 * case or of an internal reason beyond what public tracking shows, markup in titles escaped
 * (the feed is read by Python's XML parser, which refuses a malformed document), and 404 for
 * an unknown unit. */
#include "harness.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define CONF_TITLE "Khiếu nại kín về cán bộ thuế"
#define CONF_DESC  "Nội dung kín chỉ người gửi được xem"
#define CONF_NAME  "Người Gửi Kín"
#define SECRET_WHY "Lý do nội bộ 7Q3Z"
#define MARKUP     "Cống <b>&amp;</b> \"rãnh\" & <ngập>"

static struct ht_env *E;
static char *handler;  /* handler.vinhhai's token */
static char *parse_py; /* the script that reads a feed into JSON */

/* Reads an Atom document with a real XML parser and prints what the tests look at as JSON;
 * exits non-zero on a document that is not well-formed. */
static const char parse_script[] =
    "import sys, json, xml.etree.ElementTree as ET\n"
    "A = '{http://www.w3.org/2005/Atom}'\n"
    "root = ET.parse(sys.argv[1]).getroot()\n"
    "assert root.tag == A + 'feed', root.tag\n"
    "def link(e, rel):\n"
    "    for l in e.findall(A + 'link'):\n"
    "        if l.get('rel') == rel: return l.get('href')\n"
    "print(json.dumps({'id': root.findtext(A + 'id'), 'title': root.findtext(A + 'title'),\n"
    "  'updated': root.findtext(A + 'updated'), 'self': link(root, 'self'),\n"
    "  'entries': [{'id': e.findtext(A + 'id'), 'title': e.findtext(A + 'title'),\n"
    "    'updated': e.findtext(A + 'updated'), 'link': link(e, 'alternate'),\n"
    "    'content': e.findtext(A + 'content'),\n"
    "    'content_type': e.find(A + 'content').get('type')}\n"
    "   for e in root.findall(A + 'entry')]}))\n";

struct filed {
    long long id;
    char code[16];
};

static struct filed submit(const char *json)
{
    struct ht_response r;
    ht_call(E->srv.port, "POST", "/api/v1/cases", NULL, json, &r);
    if (r.status != 201)
        fail_msg("submit %s: %ld %s", json, r.status, r.body);
    json_t *doc = ht_json(&r);
    struct filed f = {.id = json_integer_value(json_object_get(doc, "id"))};
    snprintf(f.code, sizeof f.code, "%s", json_string_value(json_object_get(doc, "tracking_code")));
    json_decref(doc);
    ht_response_free(&r);
    return f;
}

static void act(long long id, const char *json)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", id);
    struct ht_response r;
    ht_call(E->srv.port, "POST", path, handler, json, &r);
    if (r.status != 200)
        fail_msg("%s on %lld: %ld %s", json, id, r.status, r.body);
    ht_response_free(&r);
}

/* The feed of unit: its raw text in *raw (may be NULL; free it) and the document as the
 * parser read it. Fails the test unless it is a well-formed Atom feed served as such. */
static json_t *feed(const char *unit, char **raw)
{
    char path[96];
    snprintf(path, sizeof path, "/api/v1/units/%s/feed.atom", unit);
    struct ht_response r;
    ht_get(E->srv.port, path, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(ht_header(&r, "Content-Type"), "application/atom+xml; charset=utf-8");
    char *file = ht_path(E->dir, "feed.xml");
    FILE *f = fopen(file, "w");
    assert_non_null(f);
    assert_int_equal(fwrite(r.body, 1, r.body_len, f), r.body_len);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s'", parse_py, file);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    json_error_t jerr;
    json_t *doc = json_loadf(p, 0, &jerr);
    int status = pclose(p);
    if (status != 0 || !doc)
        fail_msg("the feed of %s is not well-formed Atom (%d): %s", unit, status, r.body);
    if (raw)
        *raw = xstrdup(r.body);
    free(file);
    ht_response_free(&r);
    return doc;
}

static const char *member(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* The entries of doc whose link goes to code's tracking page, in feed order. */
static json_t *entries_of(json_t *doc, const char *code)
{
    char href[32];
    snprintf(href, sizeof href, "/track/%s", code);
    json_t *out = json_array();
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "entries"), i, e)
    {
        if (member(e, "link") && strcmp(member(e, "link"), href) == 0)
            json_array_append(out, e);
    }
    return out;
}

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    ht_server_start(&E->srv, E->db, E->access_log);
    handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    parse_py = ht_path(E->dir, "parse_feed.py");
    FILE *f = fopen(parse_py, "w");
    assert_non_null(f);
    fputs(parse_script, f);
    fclose(f);
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(handler);
    free(parse_py);
    return ht_env_teardown(state);
}

static void test_a_units_feed_lists_a_cases_public_events_newest_first(void **state)
{
    (void)state;
    struct filed c = submit("{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Đèn đường "
                            "hỏng ở thôn Vĩnh Hy\",\"description\":\"Ba cột đèn không sáng.\"}");
    act(c.id, "{\"action\":\"accept\"}");
    json_t *doc = feed("586.01", NULL);
    assert_string_equal(member(doc, "self"), "/api/v1/units/586.01/feed.atom");
    assert_non_null(member(doc, "id"));
    assert_non_null(strstr(member(doc, "title"), "Vĩnh Hải"));
    json_t *mine = entries_of(doc, c.code);
    assert_int_equal(json_array_size(mine), 2);
    json_t *newest = json_array_get(mine, 0), *oldest = json_array_get(mine, 1);
    assert_non_null(strstr(member(newest, "title"), "Accepted"));
    assert_non_null(strstr(member(newest, "title"), c.code));
    assert_non_null(strstr(member(newest, "title"), "Đèn đường hỏng ở thôn Vĩnh Hy"));
    assert_non_null(strstr(member(oldest, "title"), "Received"));
    assert_string_equal(member(oldest, "content_type"), "text");
    assert_non_null(strstr(member(oldest, "content"), "Received by"));
    assert_string_not_equal(member(newest, "id"), member(oldest, "id"));
    /* every entry newest first, and the feed as new as its newest entry */
    json_t *all = json_object_get(doc, "entries");
    assert_true(json_array_size(all) <= 50);
    assert_string_equal(member(doc, "updated"), member(json_array_get(all, 0), "updated"));
    for (size_t i = 1; i < json_array_size(all); i++) {
        const char *before = member(json_array_get(all, i - 1), "updated");
        const char *after = member(json_array_get(all, i), "updated");
        assert_int_equal(strlen(before), 20);
        assert_int_equal(before[19], 'Z');
        assert_true(strcmp(before, after) >= 0);
    }
    /* the same event has the same id in the feed of an ancestor */
    json_t *up = feed("586", NULL);
    json_t *up_mine = entries_of(up, c.code);
    assert_int_equal(json_array_size(up_mine), 2);
    assert_string_equal(member(json_array_get(up_mine, 0), "id"), member(newest, "id"));
    json_decref(up_mine);
    json_decref(up);
    json_decref(mine);
    json_decref(doc);
}

static void test_a_case_of_another_subtree_is_absent(void **state)
{
    (void)state;
    struct filed c = submit("{\"kind\":\"feedback\",\"unit\":\"586.02\",\"title\":\"Rác thải "
                            "ven biển\",\"description\":\"Rác dồn bãi biển.\"}");
    json_t *here = feed("586.01", NULL), *there = feed("586.02", NULL);
    json_t *a = entries_of(here, c.code), *b = entries_of(there, c.code);
    assert_int_equal(json_array_size(a), 0);
    assert_int_equal(json_array_size(b), 1);
    json_decref(a);
    json_decref(b);
    json_decref(here);
    json_decref(there);
}

static void test_a_confidential_case_shows_no_more_than_its_public_tracking(void **state)
{
    (void)state;
    struct filed c = submit("{\"kind\":\"complaint\",\"unit\":\"586.01\",\"confidential\":true,"
                            "\"title\":\"" CONF_TITLE "\",\"description\":\"" CONF_DESC "\","
                            "\"reporter\":{\"name\":\"" CONF_NAME "\",\"phone\":\"0905123456\"}}");
    act(c.id, "{\"action\":\"accept\"}");
    /* a transfer's reason is the officials' (its public note names only the unit) */
    struct filed r = submit("{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Xin cấp "
                            "phép bãi xe\",\"description\":\"Đề nghị.\"}");
    act(r.id, "{\"action\":\"transfer\",\"to_unit\":\"586.02\",\"reason\":\"" SECRET_WHY "\"}");
    const char *hidden[] = {CONF_TITLE, CONF_DESC,         CONF_NAME, "0905123456",
                            SECRET_WHY, "handler.vinhhai", "user:"};
    char *raw;
    json_t *doc = feed("586", &raw);
    json_t *moved = entries_of(doc, r.code);
    assert_int_equal(json_array_size(moved), 2);
    json_decref(moved);
    json_decref(doc);
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strstr(raw, hidden[i]))
            fail_msg("the feed of 586 shows %s", hidden[i]);
    free(raw);
    doc = feed("586.01", &raw);
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        if (strstr(raw, hidden[i]))
            fail_msg("the feed of 586.01 shows %s", hidden[i]);
    /* each entry's note is one the public tracking answer shows */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/track/%s", c.code);
    struct ht_response t;
    ht_get(E->srv.port, path, &t);
    assert_int_equal(t.status, 200);
    json_t *track = ht_json(&t);
    ht_response_free(&t);
    assert_null(json_object_get(track, "title"));
    json_t *timeline = json_object_get(track, "timeline");
    json_t *mine = entries_of(doc, c.code);
    assert_int_equal(json_array_size(mine), json_array_size(timeline));
    size_t i;
    json_t *e;
    json_array_foreach(mine, i, e)
    {
        /* the timeline is oldest first, the feed newest first */
        json_t *ev = json_array_get(timeline, json_array_size(timeline) - 1 - i);
        assert_string_equal(member(e, "content"), member(ev, "note"));
        assert_string_equal(member(e, "updated"), member(ev, "at"));
    }
    json_decref(mine);
    json_decref(track);
    json_decref(doc);
    free(raw);
}

static void test_markup_in_a_title_is_escaped(void **state)
{
    (void)state;
    struct filed c = submit("{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Cống <b>&amp;"
                            "</b> \\\"rãnh\\\" & <ngập>\",\"description\":\"a < b && c > d\"}");
    char *raw;
    json_t *doc = feed("586.01", &raw);
    json_t *mine = entries_of(doc, c.code);
    assert_int_equal(json_array_size(mine), 1);
    assert_non_null(strstr(member(json_array_get(mine, 0), "title"), MARKUP));
    assert_null(strstr(raw, "<ngập>"));
    json_decref(mine);
    json_decref(doc);
    free(raw);
}

/* The id of the n-th newest public event (from 0) of unit's subtree, as the database has it. */
static long long nth_newest_event(const char *unit, int n)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT e.id FROM case_events e JOIN case_scope s ON s.case_id = e.case_id "
             "JOIN units u ON u.id = s.unit_id WHERE u.code = '%s' "
             "AND e.public_note IS NOT NULL ORDER BY e.at DESC, e.id DESC LIMIT 1 OFFSET %d",
             unit, n);
    return ht_db_int(E->db, sql);
}

static long long entry_event(json_t *doc, size_t i)
{
    const char *id = member(json_array_get(json_object_get(doc, "entries"), i), "id");
    assert_non_null(id);
    return atoll(strrchr(id, ':') + 1);
}

static void test_a_full_feed_is_the_subtrees_newest_50_events(void **state)
{
    (void)state;
    /* enough events that the newest of all hold a whole page of a large subtree, and a
     * small subtree's fewer ones, sorted on their own */
    for (int i = 0; i < 18; i++) {
        char json[256];
        snprintf(json, sizeof json,
                 "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Góp ý số %d\","
                 "\"description\":\"Nội dung %d.\"}",
                 i, i);
        struct filed c = submit(json);
        act(c.id, "{\"action\":\"accept\"}");
    }
    const char *units[] = {"58", "586", "586.01", "586.02"};
    for (size_t u = 0; u < sizeof units / sizeof units[0]; u++) {
        json_t *doc = feed(units[u], NULL);
        size_t n = json_array_size(json_object_get(doc, "entries"));
        if (u < 2)
            assert_int_equal(n, 50);
        for (size_t i = 0; i < n; i++)
            assert_int_equal(entry_event(doc, i), nth_newest_event(units[u], (int)i));
        if (n < 50) {
            char sql[512];
            snprintf(sql, sizeof sql,
                     "SELECT count(*) FROM case_events e JOIN case_scope s ON s.case_id = "
                     "e.case_id JOIN units u ON u.id = s.unit_id WHERE u.code = '%s' "
                     "AND e.public_note IS NOT NULL",
                     units[u]);
            assert_int_equal(ht_db_int(E->db, sql), n);
        }
        json_decref(doc);
    }
}

static void test_an_unknown_unit_has_no_feed(void **state)
{
    (void)state;
    struct ht_response r;
    ht_get(E->srv.port, "/api/v1/units/999.99/feed.atom", &r);
    ht_assert_problem(&r, 404, NULL);
    ht_response_free(&r);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_units_feed_lists_a_cases_public_events_newest_first),
        cmocka_unit_test(test_a_case_of_another_subtree_is_absent),
        cmocka_unit_test(test_a_confidential_case_shows_no_more_than_its_public_tracking),
        cmocka_unit_test(test_markup_in_a_title_is_escaped),
        cmocka_unit_test(test_a_full_feed_is_the_subtrees_newest_50_events),
        cmocka_unit_test(test_an_unknown_unit_has_no_feed),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return rc;
}
