/* Open311 GeoReport v2's query and discovery, end to end: GET requests.{json,xml} with every
 * argument (service_request_id overriding the rest, service_code and status lists, start_date
 * and end_date with the default and widest 90-day window, jurisdiction_id, the page and
 * page_size extension), each answer checked against the official schemas' required fields and
 * types (requests.json, request.json), newest first, and in XML read by Python's XML parser and
 * required to say what the JSON says; the spec's error bodies for bad dates, windows, statuses
 * and pages, and at any address under /open311/v2/ that names nothing; the discovery document.
 * A listed request is exactly what requests/{id} shows of its case: its public tracking. */
#include "harness.h"
#include "open311.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define DAY_MS (86400LL * 1000)
#define R      "/open311/v2/requests"

#define REPORTER  "Người Gửi Kín Đáo"
#define CONF_DESC "Nội dung kín của đơn thư"
#define PLACE     "Thôn Lâm Hòa"

static struct ht_env *E;
static long long now_ms;

/* The petitions the tests look for, all in Ninh Sơn (585), where the demo has none: in the
 * order newest first, each received days_ago before the fixture ran. */
enum { A, F, B, C, D, OLD, NCASES };
static struct {
    const char *json;
    int days_ago;
    bool closed;
    char *code;
} cases[NCASES] = {
    [A] = {"{\"kind\":\"feedback\",\"unit\":\"585.01\",\"category\":\"infrastructure\","
           "\"title\":\"Đường hỏng\",\"description\":\"Ổ gà trên đường.\"}",
           1, false, NULL},
    [F] = {"{\"kind\":\"complaint\",\"unit\":\"585.02.01\",\"confidential\":true,"
           "\"title\":\"Khiếu nại kín\",\"description\":\"" CONF_DESC "\","
           "\"location\":{\"lat\":11.75,\"lon\":108.75,\"address\":\"" PLACE "\"},"
           "\"reporter\":{\"name\":\"" REPORTER "\",\"phone\":\"0905111222\"}}",
           5, false, NULL},
    [B] = {"{\"kind\":\"complaint\",\"unit\":\"585.02.01\",\"category\":\"land\","
           "\"title\":\"Tranh chấp đất\",\"description\":\"Ranh giới đất.\","
           "\"location\":{\"lat\":11.5,\"lon\":108.5,\"address\":\"" PLACE "\"}}",
           10, false, NULL},
    [C] = {"{\"kind\":\"recommendation\",\"unit\":\"585.01\",\"title\":\"Kiến nghị\","
           "\"description\":\"Thêm đèn.\"}",
           40, true, NULL},
    [D] = {"{\"kind\":\"feedback\",\"unit\":\"585.02\",\"category\":\"environment\","
           "\"title\":\"Rác\",\"description\":\"Rác thải.\"}",
           100, false, NULL},
    [OLD] = {"{\"kind\":\"feedback\",\"unit\":\"585.01\",\"category\":\"environment\","
             "\"title\":\"Khói\",\"description\":\"Khói bụi.\"}",
             200, false, NULL},
};

static void get(const char *path, long status, const char *type, struct ht_response *r)
{
    ht_get(E->srv.port, path, r);
    if (r->status != status)
        fail_msg("%s: %ld %s", path, r->status, r->body);
    assert_string_equal(ht_header(r, "Content-Type"), type);
}

/* GET path (.json), checked against requests.json, newest first; returns the answer. */
static json_t *query(const char *path)
{
    struct ht_response r;
    get(path, 200, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    assert_true(json_is_array(doc));
    const char *last = NULL;
    size_t i;
    json_t *q;
    json_array_foreach(doc, i, q)
    {
        o311_assert_request(q);
        const char *at = json_string_value(json_object_get(q, "requested_datetime"));
        if (last)
            assert_true(strcmp(last, at) >= 0);
        last = at;
    }
    return doc;
}

/* Fails unless the answer to path lists exactly the petitions named (in that order), among
 * those of the fixture; other requests are allowed only when others is true. */
static void assert_lists(const char *path, bool others, int n, ...)
{
    json_t *doc = query(path);
    va_list ap;
    va_start(ap, n);
    int want[NCASES], k = 0;
    for (int i = 0; i < n; i++)
        want[i] = va_arg(ap, int);
    va_end(ap);
    size_t i;
    json_t *q;
    json_array_foreach(doc, i, q)
    {
        const char *id = json_string_value(json_object_get(q, "service_request_id"));
        int which = -1;
        for (int c = 0; c < NCASES; c++)
            if (strcmp(cases[c].code, id) == 0)
                which = c;
        if (which < 0) {
            if (!others)
                fail_msg("%s lists %s", path, id);
            continue;
        }
        if (k >= n || want[k] != which)
            fail_msg("%s: request %zu is petition %d, not the one expected", path, i, which);
        k++;
    }
    if (k != n)
        fail_msg("%s lists %d of the %d petitions expected", path, k, n);
    json_decref(doc);
}

/* The spec's error body in both formats: JSON [{code: status, description}], and XML saying
 * the same. query starts with '?' (or is empty). */
static void assert_error(const char *stem, const char *query_text, long status)
{
    char j[512], x[512];
    snprintf(j, sizeof j, "%s.json%s", stem, query_text);
    snprintf(x, sizeof x, "%s.xml%s", stem, query_text);
    struct ht_response r;
    get(j, status, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 1);
    json_t *e = json_array_get(doc, 0);
    assert_int_equal(json_object_size(e), 2);
    assert_true(json_is_integer(json_object_get(e, "code")));
    assert_int_equal(json_integer_value(json_object_get(e, "code")), status);
    assert_true(json_string_length(json_object_get(e, "description")) > 0);
    json_decref(doc);
    ht_response_free(&r);
    o311_assert_xml_mirrors(E->srv.port, E->dir, x, j);
}

/* An instant (ms) as a W3C datetime at offset minutes east of UTC, written for a query string
 * ("%2B07:00", "-05:00", "Z"). */
static void w3c(long long ms, int offset, char out[32])
{
    time_t t = (time_t)(ms / 1000 + offset * 60);
    struct tm tm;
    gmtime_r(&t, &tm);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &tm);
    if (offset)
        snprintf(out + n, 32 - n, "%s%02d:%02d", offset < 0 ? "-" : "%2B", abs(offset) / 60,
                 abs(offset) % 60);
    else
        snprintf(out + n, 32 - n, "Z");
}

static void test_the_default_is_the_latest_90_days_newest_first(void **state)
{
    (void)state;
    assert_lists(R ".json?jurisdiction_id=585", false, 4, A, F, B, C);
    o311_assert_xml_mirrors(E->srv.port, E->dir, R ".xml?jurisdiction_id=585",
                            R ".json?jurisdiction_id=585");
    /* empty arguments are absent ones */
    assert_lists(R ".json?jurisdiction_id=585&start_date=&end_date=&status=&service_code="
                   "&service_request_id=&page=&page_size=",
                 false, 4, A, F, B, C);
    /* a village's jurisdiction is its subtree */
    assert_lists(R ".json?jurisdiction_id=585.02", false, 2, F, B);
}

static void test_no_jurisdiction_is_the_top_unit(void **state)
{
    (void)state;
    assert_lists(R ".json", true, 4, A, F, B, C);
    assert_lists(R ".json?jurisdiction_id=", true, 4, A, F, B, C);
    assert_lists(R ".json?jurisdiction_id=58", true, 4, A, F, B, C);
    /* another district's jurisdiction lists none of Ninh Sơn's */
    assert_lists(R ".json?jurisdiction_id=586", true, 0);
    json_t *doc = query(R ".json?jurisdiction_id=586");
    assert_true(json_array_size(doc) > 0);
    json_decref(doc);
}

static void test_an_unknown_jurisdiction_is_404(void **state)
{
    (void)state;
    assert_error(R, "?jurisdiction_id=nowhere", 404);
    assert_error(R, "?jurisdiction_id=nowhere&service_request_id=x", 404);
}

static void test_dates_bound_the_window(void **state)
{
    (void)state;
    char from[32], to[32], path[256];
    /* D alone lies 100 days back */
    w3c(now_ms - 120 * DAY_MS, 420, from);
    w3c(now_ms - 95 * DAY_MS, -300, to);
    snprintf(path, sizeof path, R ".json?jurisdiction_id=585&start_date=%s&end_date=%s", from, to);
    assert_lists(path, false, 1, D);
    /* start alone: the 90 days after it */
    w3c(now_ms - 120 * DAY_MS, 0, from);
    snprintf(path, sizeof path, R ".json?jurisdiction_id=585&start_date=%s", from);
    assert_lists(path, false, 2, C, D);
    /* end alone: the 90 days before it */
    w3c(now_ms - 95 * DAY_MS, 0, to);
    snprintf(path, sizeof path, R ".json?jurisdiction_id=585&end_date=%s", to);
    assert_lists(path, false, 1, D);
    /* exactly 90 days is allowed, seconds and a fraction may be given or not */
    w3c(now_ms - 90 * DAY_MS, 0, from);
    w3c(now_ms, 0, to);
    snprintf(path, sizeof path, R ".json?jurisdiction_id=585&start_date=%s&end_date=%s", from, to);
    assert_lists(path, false, 4, A, F, B, C);
    assert_lists(R ".json?jurisdiction_id=585&start_date=2000-01-01T00:00Z"
                   "&end_date=2000-01-02T00:00:00.5Z",
                 false, 0);
    char xml[256];
    snprintf(xml, sizeof xml, R ".xml?jurisdiction_id=585&start_date=%s&end_date=%s", from, to);
    o311_assert_xml_mirrors(E->srv.port, E->dir, xml, path);
}

static void test_a_window_over_90_days_is_400(void **state)
{
    (void)state;
    char from[32], to[32], q[256];
    w3c(now_ms - 210 * DAY_MS, 0, from);
    w3c(now_ms - 95 * DAY_MS, 0, to);
    snprintf(q, sizeof q, "?start_date=%s&end_date=%s", from, to);
    assert_error(R, q, 400);
    /* 90 days and a second */
    w3c(now_ms - 90 * DAY_MS - 1000, 0, from);
    w3c(now_ms, 0, to);
    snprintf(q, sizeof q, "?start_date=%s&end_date=%s", from, to);
    assert_error(R, q, 400);
    /* the end before the start */
    snprintf(q, sizeof q, "?start_date=%s&end_date=%s", to, from);
    assert_error(R, q, 400);
}

static void test_a_bad_date_is_400(void **state)
{
    (void)state;
    const char *bad[] = {
        "2026-01-01",                 /* a date without a time */
        "2026-01-01T08:00:00",        /* no zone */
        "2026-01-01%2008:00:00Z",     /* a space for the T */
        "2026-01-01T08:00:00%2B0700", /* an offset without its colon */
        "2026-13-01T08:00:00Z",       /* no such month */
        "2026-02-30T08:00:00Z",       /* no such day */
        "2026-01-01T24:00:00Z",       /* no such hour */
        "2026-01-01T08:00:00.Z",      /* a fraction without digits */
        "2026-01-01T08:00:00Zjunk",   /* more after the zone */
        "yesterday",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char q[128];
        snprintf(q, sizeof q, "?start_date=%s", bad[i]);
        assert_error(R, q, 400);
        snprintf(q, sizeof q, "?end_date=%s", bad[i]);
        assert_error(R, q, 400);
    }
}

static void test_status_filters_open_and_closed(void **state)
{
    (void)state;
    assert_lists(R ".json?jurisdiction_id=585&status=open", false, 3, A, F, B);
    assert_lists(R ".json?jurisdiction_id=585&status=closed", false, 1, C);
    assert_lists(R ".json?jurisdiction_id=585&status=open,closed", false, 4, A, F, B, C);
    assert_lists(R ".json?jurisdiction_id=585&status=closed,%20open", false, 4, A, F, B, C);
    json_t *doc = query(R ".json?jurisdiction_id=585&status=closed");
    assert_string_equal(json_string_value(json_object_get(json_array_get(doc, 0), "status")),
                        "closed");
    json_decref(doc);
    assert_error(R, "?status=pending", 400);
    assert_error(R, "?status=open,pending", 400);
    assert_error(R, "?status=,", 400);
}

static void test_service_codes_are_a_comma_list(void **state)
{
    (void)state;
    assert_lists(R ".json?jurisdiction_id=585&service_code=land", false, 1, B);
    assert_lists(R ".json?jurisdiction_id=585&service_code=infrastructure,land", false, 2, A, B);
    /* a case without a category has its kind as its service code */
    assert_lists(R ".json?jurisdiction_id=585&service_code=land,%20recommendation", false, 2, B, C);
    assert_lists(R ".json?jurisdiction_id=585&service_code=complaint", false, 1, F);
    assert_lists(R ".json?jurisdiction_id=585&service_code=no_such_service", false, 0);
    assert_lists(R ".json?jurisdiction_id=585&service_code=land&status=closed", false, 0);
    o311_assert_xml_mirrors(E->srv.port, E->dir,
                            R ".xml?jurisdiction_id=585&service_code=infrastructure,land",
                            R ".json?jurisdiction_id=585&service_code=infrastructure,land");
}

static void test_ids_override_every_other_filter(void **state)
{
    (void)state;
    char path[512], lower[32];
    snprintf(lower, sizeof lower, "%s", cases[A].code);
    for (char *p = lower; *p; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    /* out of the window, of other codes and statuses, one typed in lower case; an unknown id
     * is left out; each listed once, newest first */
    snprintf(path, sizeof path,
             R ".json?jurisdiction_id=585&service_request_id=%s,%s,nothing,%%20%s,%s"
               "&status=closed&service_code=no_such&start_date=2000-01-01T00:00:00Z&page=7"
               "&page_size=1",
             cases[OLD].code, cases[D].code, lower, cases[D].code);
    assert_lists(path, false, 3, A, D, OLD);
    char xml[512];
    snprintf(xml, sizeof xml, R ".xml%s", strchr(path, '?'));
    o311_assert_xml_mirrors(E->srv.port, E->dir, xml, path);
    /* but not the jurisdiction: a case of another one is left out */
    snprintf(path, sizeof path, R ".json?jurisdiction_id=585.01&service_request_id=%s,%s",
             cases[A].code, cases[B].code);
    assert_lists(path, false, 1, A);
    /* nor a bad date that the ids make irrelevant */
    snprintf(path, sizeof path, R ".json?service_request_id=%s&start_date=junk", cases[B].code);
    assert_lists(path, false, 1, B);
}

static void test_page_and_page_size_page_the_answer(void **state)
{
    (void)state;
    assert_lists(R ".json?jurisdiction_id=585&page_size=2", false, 2, A, F);
    assert_lists(R ".json?jurisdiction_id=585&page_size=2&page=1", false, 2, A, F);
    assert_lists(R ".json?jurisdiction_id=585&page_size=2&page=2", false, 2, B, C);
    assert_lists(R ".json?jurisdiction_id=585&page_size=3&page=2", false, 1, C);
    assert_lists(R ".json?jurisdiction_id=585&page_size=2&page=3", false, 0);
    assert_lists(R ".json?jurisdiction_id=585&page=2", false, 0);
    assert_lists(R ".json?jurisdiction_id=585&page_size=1000", false, 4, A, F, B, C);
    o311_assert_xml_mirrors(E->srv.port, E->dir, R ".xml?jurisdiction_id=585&page_size=2&page=2",
                            R ".json?jurisdiction_id=585&page_size=2&page=2");
    const char *bad[] = {
        "?page_size=0", "?page_size=1001", "?page_size=-1", "?page_size=2x",
        "?page=0",      "?page=-1",        "?page=1.5",     "?page=99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_error(R, bad[i], 400);
}

static void test_a_listed_request_is_what_its_own_address_shows(void **state)
{
    (void)state;
    json_t *doc = query(R ".json?jurisdiction_id=585");
    size_t i;
    json_t *q;
    json_array_foreach(doc, i, q)
    {
        char one[128];
        snprintf(one, sizeof one, R "/%s.json",
                 json_string_value(json_object_get(q, "service_request_id")));
        json_t *single = query(one);
        assert_int_equal(json_array_size(single), 1);
        assert_true(json_equal(json_array_get(single, 0), q));
        json_decref(single);
    }
    json_decref(doc);
    /* the confidential petition: status and service only, none of its report or reporter */
    const char *paths[] = {R ".json?jurisdiction_id=585", R ".xml?jurisdiction_id=585"};
    for (size_t k = 0; k < 2; k++) {
        struct ht_response r;
        ht_get(E->srv.port, paths[k], &r);
        assert_int_equal(r.status, 200);
        assert_non_null(strstr(r.body, cases[F].code));
        assert_null(strstr(r.body, REPORTER));
        assert_null(strstr(r.body, CONF_DESC));
        assert_null(strstr(r.body, "0905111222"));
        assert_null(strstr(r.body, "Khiếu nại kín"));
        ht_response_free(&r);
    }
}

static void test_a_new_request_is_listed_at_once(void **state)
{
    (void)state;
    const char *path = R ".json?jurisdiction_id=585.02.02";
    assert_lists(path, false, 0);
    struct ht_response r;
    ht_post_json(E->srv.port, "/api/v1/cases",
                 "{\"kind\":\"feedback\",\"unit\":\"585.02.02\",\"title\":\"Cầu\","
                 "\"description\":\"Cầu yếu.\"}",
                 &r);
    assert_int_equal(r.status, 201);
    json_t *made = ht_json(&r);
    ht_response_free(&r);
    json_t *doc = query(path);
    assert_int_equal(json_array_size(doc), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(doc, 0), "service_request_id")),
        json_string_value(json_object_get(made, "tracking_code")));
    json_decref(doc);
    json_decref(made);
    /* the same answer again, and revalidated by its ETag */
    struct ht_response a;
    ht_get(E->srv.port, path, &a);
    const char *etag = ht_header(&a, "ETag");
    assert_non_null(etag);
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    struct ht_request q = {.path = path, .headers = {inm}};
    ht_do(E->srv.port, &q, &r);
    assert_int_equal(r.status, 304);
    ht_response_free(&r);
    ht_response_free(&a);
}

static void test_discovery_names_this_endpoint(void **state)
{
    (void)state;
    struct ht_response r;
    get("/open311/v2/discovery.json", 200, O311_JSON_TYPE, &r);
    json_t *d = ht_json(&r);
    ht_response_free(&r);
    assert_true(json_is_object(d));
    assert_true(json_is_string(json_object_get(d, "changeset")));
    assert_true(json_is_string(json_object_get(d, "contact")));
    assert_true(json_is_string(json_object_get(d, "key_service")));
    json_t *eps = json_object_get(d, "endpoints");
    assert_int_equal(json_array_size(eps), 1);
    json_t *ep = json_array_get(eps, 0);
    assert_string_equal(json_string_value(json_object_get(ep, "specification")),
                        "http://wiki.open311.org/GeoReport_v2");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/open311/v2", E->srv.port);
    assert_string_equal(json_string_value(json_object_get(ep, "url")), url);
    assert_true(o311_is_datetime(json_object_get(ep, "changeset")));
    assert_true(o311_is_datetime(json_object_get(d, "changeset")));
    assert_string_equal(json_string_value(json_object_get(ep, "type")), "production");
    json_t *formats = json_object_get(ep, "formats");
    assert_int_equal(json_array_size(formats), 2);
    assert_string_equal(json_string_value(json_array_get(formats, 0)), "text/xml");
    assert_string_equal(json_string_value(json_array_get(formats, 1)), "application/json");
    json_decref(d);
    o311_assert_xml_mirrors(E->srv.port, E->dir, "/open311/v2/discovery.xml",
                            "/open311/v2/discovery.json");
}

static void test_an_address_that_names_nothing_gets_the_specs_error(void **state)
{
    (void)state;
    assert_error("/open311/v2/a/b/c", "", 404);
    assert_error("/open311/v2/requests/x/y", "", 404);
    assert_error("/open311/v2/services/land/more", "", 404);
    assert_error("/open311/v2/tokens/x/y/z", "", 404);
    const char *no_format[] = {"/open311/v2/a/b/c", "/open311/v2/a/b/c.txt", "/open311/v2",
                               "/open311/v2/requests"};
    for (size_t i = 0; i < sizeof no_format / sizeof no_format[0]; i++) {
        struct ht_response r;
        get(no_format[i], 400, O311_XML_TYPE, &r);
        assert_non_null(
            strstr(r.body, O311_XML_DECL "<errors><error><code>400</code><description>"));
        ht_response_free(&r);
    }
    /* a method with no route here: the spec knows only 400 for it */
    struct ht_request q = {.method = "DELETE", .path = "/open311/v2/services.json"};
    struct ht_response r;
    ht_do(E->srv.port, &q, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(ht_header(&r, "Content-Type"), O311_JSON_TYPE);
    assert_non_null(strstr(r.body, "[{\"code\":400,"));
    assert_non_null(strstr(ht_header(&r, "Allow"), "GET"));
    ht_response_free(&r);
}

/* Files a case and returns its tracking code (free it). */
static char *submit(const char *json)
{
    struct ht_response r;
    ht_post_json(E->srv.port, "/api/v1/cases", json, &r);
    if (r.status != 201)
        fail_msg("submit %s: %ld %s", json, r.status, r.body);
    json_t *doc = ht_json(&r);
    char *code = xstrdup(json_string_value(json_object_get(doc, "tracking_code")));
    json_decref(doc);
    ht_response_free(&r);
    return code;
}

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    now_ms = (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    /* filed now, then dated back (and C settled) by hand before anything lists them */
    for (int i = 0; i < NCASES; i++) {
        cases[i].code = submit(cases[i].json);
        long long at = now_ms - cases[i].days_ago * DAY_MS;
        char sql[512];
        snprintf(sql, sizeof sql,
                 "UPDATE cases SET received_at = %lld WHERE tracking_code = '%s'; "
                 "UPDATE case_scope SET received_at = %lld WHERE case_id = "
                 "(SELECT id FROM cases WHERE tracking_code = '%s')",
                 at, cases[i].code, at, cases[i].code);
        ht_db_exec(E->db, sql);
        if (cases[i].closed) {
            snprintf(sql, sizeof sql,
                     "UPDATE cases SET open = 0, status = 'closed' WHERE tracking_code = '%s'; "
                     "UPDATE case_scope SET open = 0 WHERE case_id = "
                     "(SELECT id FROM cases WHERE tracking_code = '%s')",
                     cases[i].code, cases[i].code);
            ht_db_exec(E->db, sql);
        }
    }
    return rc;
}

static int teardown(void **state)
{
    for (int i = 0; i < NCASES; i++)
        free(cases[i].code);
    return ht_env_teardown(state);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_default_is_the_latest_90_days_newest_first),
        cmocka_unit_test(test_no_jurisdiction_is_the_top_unit),
        cmocka_unit_test(test_an_unknown_jurisdiction_is_404),
        cmocka_unit_test(test_dates_bound_the_window),
        cmocka_unit_test(test_a_window_over_90_days_is_400),
        cmocka_unit_test(test_a_bad_date_is_400),
        cmocka_unit_test(test_status_filters_open_and_closed),
        cmocka_unit_test(test_service_codes_are_a_comma_list),
        cmocka_unit_test(test_ids_override_every_other_filter),
        cmocka_unit_test(test_page_and_page_size_page_the_answer),
        cmocka_unit_test(test_a_listed_request_is_what_its_own_address_shows),
        cmocka_unit_test(test_a_new_request_is_listed_at_once),
        cmocka_unit_test(test_discovery_names_this_endpoint),
        cmocka_unit_test(test_an_address_that_names_nothing_gets_the_specs_error),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return rc;
}
