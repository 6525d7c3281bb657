/* What the web shows a signed-in person at a glance, over the JSON API: GET /api/v1/me/cases
 * lists the petitions one sent while signed in, newest first, paged by `next`, never another
 * person's; GET /api/v1/dashboard gives an official the figures of a unit and of each unit
 * just below, computed from the cases stored, and refuses residents and units out of reach. */
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

static struct ht_env *E;
static char *resident; /* resident.vinhhy's token */
static char *leader;   /* leader.ninhhai's: the district 586 */
static char *province; /* leader.province's: the province 58, above every demo unit */

static int setup(void **state)
{
    E = xcalloc(1, sizeof *E);
    E->dir = ht_dir_new();
    E->db = ht_demo_db(E->dir, "t.db");
    E->access_log = ht_path(E->dir, "access.log");
    ht_server_start(&E->srv, E->db, E->access_log);
    resident = ht_login(E->srv.port, "resident.vinhhy", "demo-resident-2026");
    leader = ht_login(E->srv.port, "leader.ninhhai", "demo-leader-2026");
    province = ht_login(E->srv.port, "leader.province", "demo-leader-2026");
    *state = E;
    return 0;
}

static int teardown(void **state)
{
    free(resident);
    free(leader);
    free(province);
    return ht_env_teardown(state);
}

/* GET path as token (NULL: none); the parsed body of a 200, else fails. */
static json_t *get_ok(const char *token, const char *path)
{
    struct ht_response r;
    ht_call(E->srv.port, "GET", path, token, NULL, &r);
    if (r.status != 200)
        fail_msg("GET %s: %ld %s", path, r.status, r.body);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    return doc;
}

/* A complaint to unit sent as token (NULL: the public); its tracking code, to free. */
static char *submit(const char *token, const char *unit, const char *title)
{
    char body[512];
    snprintf(body, sizeof body,
             "{\"kind\":\"complaint\",\"unit\":\"%s\",\"title\":\"%s\","
             "\"description\":\"Đèn đường hỏng nhiều ngày.\",\"reporter\":{\"name\":\"Đặng Văn "
             "Tùng\",\"phone\":\"0912000111\"}}",
             unit, title);
    struct ht_response r;
    ht_call(E->srv.port, "POST", "/api/v1/cases", token, body, &r);
    if (r.status != 201)
        fail_msg("submission: %ld %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    char *code = xstrdup(json_string_value(json_object_get(doc, "tracking_code")));
    json_decref(doc);
    ht_response_free(&r);
    return code;
}

static long long num(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return json_integer_value(v);
}

/* ---- my petitions ---- */

static void test_my_cases_need_a_session(void **state)
{
    (void)state;
    struct ht_response r;
    ht_call(E->srv.port, "GET", "/api/v1/me/cases", NULL, NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    ht_call(E->srv.port, "GET", "/api/v1/me/cases", "forged-token", NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
}

static void test_my_cases_page_through_what_i_sent_newest_first_and_nothing_else(void **state)
{
    (void)state;
    json_t *doc = get_ok(resident, "/api/v1/me/cases");
    size_t before = json_array_size(json_object_get(doc, "items"));
    json_decref(doc);
    char *mine[3];
    mine[0] = submit(resident, "586.01", "Đèn đường thôn Vĩnh Hy hỏng");
    char *theirs = submit(NULL, "586.01", "Cây đổ chắn đường");
    char *official = submit(leader, "586.01", "Rác thải ven biển");
    mine[1] = submit(resident, "586.01.01", "Nước sinh hoạt có mùi");
    mine[2] = submit(resident, "586.02", "Xin thông tin quy hoạch");

    /* two a page: the newest two, then the rest, then nothing */
    const char *path = "/api/v1/me/cases?limit=2";
    char *next = xstrdup(path);
    size_t seen = 0;
    char *codes[16] = {0};
    for (int page = 0; next && page < 8; page++) {
        struct ht_response r;
        ht_call(E->srv.port, "GET", next, resident, NULL, &r);
        assert_int_equal(r.status, 200);
        json_t *body = ht_json(&r);
        json_t *items = json_object_get(body, "items");
        json_t *n = json_object_get(body, "next");
        const char *link = ht_header(&r, "Link");
        if (json_is_string(n)) {
            assert_int_equal(json_array_size(items), 2);
            assert_non_null(link);
            char want[256];
            snprintf(want, sizeof want, "<%s>; rel=\"next\"", json_string_value(n));
            assert_string_equal(link, want);
        } else {
            assert_true(json_is_null(n));
            assert_null(link);
        }
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            assert_true(seen < 16);
            codes[seen++] = xstrdup(json_string_value(json_object_get(it, "tracking_code")));
            assert_true(json_is_string(json_object_get(it, "title")));
            assert_true(json_is_string(json_object_get(it, "status")));
            assert_true(json_is_boolean(json_object_get(it, "open")));
            assert_true(json_is_string(json_object_get(it, "received_at")));
        }
        free(next);
        next = json_is_string(n) ? xstrdup(json_string_value(n)) : NULL;
        json_decref(body);
        ht_response_free(&r);
    }
    assert_null(next);
    assert_int_equal(seen, before + 3);
    assert_true(seen >= 3);
    /* newest first: the three sent now lead, in reverse order */
    assert_string_equal(codes[0], mine[2]);
    assert_string_equal(codes[1], mine[1]);
    assert_string_equal(codes[2], mine[0]);
    for (size_t i = 0; i < seen; i++) {
        assert_string_not_equal(codes[i], theirs);
        assert_string_not_equal(codes[i], official);
        for (size_t k = i + 1; k < seen; k++)
            assert_string_not_equal(codes[i], codes[k]);
        free(codes[i]);
    }
    /* the official sees the one they sent, not the resident's */
    doc = get_ok(leader, "/api/v1/me/cases");
    json_t *items = json_object_get(doc, "items");
    assert_int_equal(json_array_size(items), 1);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(items, 0), "tracking_code")), official);
    json_decref(doc);
    for (int i = 0; i < 3; i++)
        free(mine[i]);
    free(theirs);
    free(official);
}

static void test_my_cases_refuse_a_malformed_page_argument(void **state)
{
    (void)state;
    static const struct {
        const char *query, *field;
    } bad[] = {
        {"before=abc", "before"}, {"before=0", "before"}, {"before=-3", "before"},
        {"limit=0", "limit"},     {"limit=101", "limit"}, {"limit=2x", "limit"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char path[128];
        snprintf(path, sizeof path, "/api/v1/me/cases?%s", bad[i].query);
        struct ht_response r;
        ht_call(E->srv.port, "GET", path, resident, NULL, &r);
        ht_assert_problem(&r, 400, bad[i].field);
        ht_response_free(&r);
    }
}

/* ---- the dashboard ---- */

/* The by_status member of figures, checked to add up to total; returns total. */
static long long by_status_total(json_t *fig)
{
    json_t *by = json_object_get(fig, "by_status");
    assert_true(json_is_object(by));
    assert_int_equal(json_object_size(by), 9);
    long long sum = 0;
    const char *k;
    json_t *v;
    json_object_foreach(by, k, v) sum += json_integer_value(v);
    assert_int_equal(sum, num(fig, "total"));
    assert_true(num(fig, "open") <= sum);
    assert_true(num(fig, "overdue") <= num(fig, "open"));
    assert_true(num(fig, "answered_on_time") <= num(fig, "answered"));
    return sum;
}

static json_t *below(json_t *doc, const char *code)
{
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(doc, "units_below"), i,
                       u) if (strcmp(json_string_value(json_object_get(u, "code")), code) ==
                              0) return u;
    fail_msg("no unit %s below", code);
    return NULL;
}

static void test_the_dashboard_counts_the_cases_stored(void **state)
{
    (void)state;
    json_t *doc = get_ok(province, "/api/v1/dashboard");
    assert_string_equal(json_string_value(json_object_get(doc, "code")), "58");
    /* every demo case lies under the province */
    assert_int_equal(by_status_total(doc), ht_db_int(E->db, "SELECT count(*) FROM cases"));
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "by_status"), "submitted")),
        ht_db_int(E->db, "SELECT count(*) FROM cases WHERE status = 'submitted'"));
    json_decref(doc);

    doc = get_ok(leader, "/api/v1/dashboard");
    assert_string_equal(json_string_value(json_object_get(doc, "code")), "586");
    long long total = by_status_total(doc);
    long long sum_below = 0;
    size_t i;
    json_t *u;
    json_array_foreach(json_object_get(doc, "units_below"), i, u) sum_below += by_status_total(u);
    assert_int_equal(json_array_size(json_object_get(doc, "units_below")), 3);
    assert_true(sum_below <= total);
    long long open_586 = num(doc, "open");
    long long open_01 = num(below(doc, "586.01"), "open");
    long long open_02 = num(below(doc, "586.02"), "open");
    json_decref(doc);

    /* a new petition to a village of 586.01 counts at 586 and at 586.01, not at 586.02 */
    char *code = submit(NULL, "586.01.02", "Sạt lở bờ kè thôn Thái An");
    doc = get_ok(leader, "/api/v1/dashboard?unit=586");
    assert_int_equal(num(doc, "open"), open_586 + 1);
    assert_int_equal(num(below(doc, "586.01"), "open"), open_01 + 1);
    assert_int_equal(num(below(doc, "586.02"), "open"), open_02);
    json_decref(doc);
    free(code);

    /* a unit below: its own figures, and its villages below it */
    doc = get_ok(leader, "/api/v1/dashboard?unit=586.01");
    assert_string_equal(json_string_value(json_object_get(doc, "code")), "586.01");
    assert_int_equal(num(doc, "open"), open_01 + 1);
    below(doc, "586.01.01");
    below(doc, "586.01.02");
    json_decref(doc);
}

static void test_the_dashboard_is_for_officials_within_their_units(void **state)
{
    (void)state;
    struct ht_response r;
    ht_call(E->srv.port, "GET", "/api/v1/dashboard", NULL, NULL, &r);
    ht_assert_problem(&r, 401, NULL);
    ht_response_free(&r);
    ht_call(E->srv.port, "GET", "/api/v1/dashboard", resident, NULL, &r);
    ht_assert_problem(&r, 403, NULL);
    ht_response_free(&r);
    ht_call(E->srv.port, "GET", "/api/v1/dashboard?unit=58", leader, NULL, &r);
    ht_assert_problem(&r, 403, "unit");
    ht_response_free(&r);
    ht_call(E->srv.port, "GET", "/api/v1/dashboard?unit=999.99", leader, NULL, &r);
    ht_assert_problem(&r, 400, "unit");
    ht_response_free(&r);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_my_cases_need_a_session),
        cmocka_unit_test(test_my_cases_page_through_what_i_sent_newest_first_and_nothing_else),
        cmocka_unit_test(test_my_cases_refuse_a_malformed_page_argument),
        cmocka_unit_test(test_the_dashboard_counts_the_cases_stored),
        cmocka_unit_test(test_the_dashboard_is_for_officials_within_their_units),
    };
    int failed = cmocka_run_group_tests_name("api_overview", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
