/* Unit tests for http/router: literal and {} segments, method mismatch (path_known), the Allow
 * list, and paths that must not match at all (no leading '/', empty segments, too deep). */
#include "http/router.h"

#include "base/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

enum { R_ROOT, R_UNITS_GET, R_UNITS_POST, R_UNIT_GET, R_UNIT_USERS, R_USER_IN_UNIT, R_SESSION };

struct fixture {
    struct router *r;
    struct arena *a;
};

static int setup(void **state)
{
    struct fixture *f = test_calloc(1, sizeof *f);
    f->r = router_new();
    f->a = arena_new();
    /* Indices are returned in order of addition; the enum above mirrors it. */
    if (router_add(f->r, "GET", "/") != R_ROOT ||
        router_add(f->r, "GET", "/api/units") != R_UNITS_GET ||
        router_add(f->r, "POST", "/api/units") != R_UNITS_POST ||
        router_add(f->r, "GET", "/api/units/{}") != R_UNIT_GET ||
        router_add(f->r, "GET", "/api/units/{}/users") != R_UNIT_USERS ||
        router_add(f->r, "DELETE", "/api/units/{}/users/{}") != R_USER_IN_UNIT ||
        router_add(f->r, "DELETE", "/api/session") != R_SESSION)
        return -1;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    router_free(f->r);
    arena_free(f->a);
    test_free(f);
    return 0;
}

/* Matches method and path; params receive up to 4 {} segments. */
static int match(struct fixture *f, const char *method, const char *path, const char **params,
                 bool *known)
{
    return router_match(f->r, f->a, method, path, params, 4, known);
}

static void test_literal_routes_match_by_method_and_path(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known = true;
    assert_int_equal(match(f, "GET", "/api/units", p, &known), R_UNITS_GET);
    assert_false(known);
    assert_int_equal(match(f, "POST", "/api/units", p, &known), R_UNITS_POST);
    assert_int_equal(match(f, "DELETE", "/api/session", p, &known), R_SESSION);
    assert_int_equal(match(f, "GET", "/", p, &known), R_ROOT);
    assert_int_equal(router_count(f->r), 7);
    assert_string_equal(router_pattern(f->r, R_UNIT_GET), "/api/units/{}");
    assert_string_equal(router_pattern(f->r, -1), "unmatched");
}

static void test_braces_capture_one_segment_each(void **state)
{
    struct fixture *f = *state;
    const char *p[4] = {0};
    bool known;
    assert_int_equal(match(f, "GET", "/api/units/586.03", p, &known), R_UNIT_GET);
    assert_string_equal(p[0], "586.03");
    assert_int_equal(match(f, "GET", "/api/units/58/users", p, &known), R_UNIT_USERS);
    assert_string_equal(p[0], "58");
    assert_int_equal(match(f, "DELETE", "/api/units/586/users/17", p, &known), R_USER_IN_UNIT);
    assert_string_equal(p[0], "586");
    assert_string_equal(p[1], "17");
}

static void test_params_beyond_max_are_not_written(void **state)
{
    struct fixture *f = *state;
    const char *p[2] = {NULL, "sentinel"};
    bool known;
    assert_int_equal(router_match(f->r, f->a, "DELETE", "/api/units/586/users/17", p, 1, &known),
                     R_USER_IN_UNIT);
    assert_string_equal(p[0], "586");
    assert_string_equal(p[1], "sentinel");
}

static void test_literal_segments_must_match_exactly(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known = true;
    assert_int_equal(match(f, "GET", "/api/unit", p, &known), -1);
    assert_false(known);
    assert_int_equal(match(f, "GET", "/api/unitsx", p, &known), -1);
    assert_int_equal(match(f, "GET", "/API/units", p, &known), -1);
    assert_int_equal(match(f, "GET", "/api/units/58/people", p, &known), -1);
    assert_false(known);
}

static void test_method_mismatch_sets_path_known(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known = false;
    assert_int_equal(match(f, "PUT", "/api/units", p, &known), -1);
    assert_true(known);
    known = false;
    assert_int_equal(match(f, "POST", "/api/units/58", p, &known), -1);
    assert_true(known);
    known = false;
    assert_int_equal(match(f, "get", "/api/units", p, &known), -1); /* methods are exact */
    assert_true(known);
    known = true;
    assert_int_equal(match(f, "PUT", "/api/nothing", p, &known), -1);
    assert_false(known);
}

static void test_allowed_lists_the_methods_of_a_path(void **state)
{
    struct fixture *f = *state;
    assert_string_equal(router_allowed(f->r, f->a, "/api/units"), "GET, POST");
    assert_string_equal(router_allowed(f->r, f->a, "/api/units/58"), "GET");
    assert_string_equal(router_allowed(f->r, f->a, "/api/session"), "DELETE");
    assert_null(router_allowed(f->r, f->a, "/api/nothing"));
    assert_null(router_allowed(f->r, f->a, "api/units"));
}

static void test_allowed_names_each_method_once(void **state)
{
    struct fixture *f = *state;
    /* Both "/api/units/{}" and this literal route answer GET for /api/units/new. */
    assert_int_equal(router_add(f->r, "GET", "/api/units/new"), 7);
    assert_int_equal(router_add(f->r, "PUT", "/api/units/new"), 8);
    assert_string_equal(router_allowed(f->r, f->a, "/api/units/new"), "GET, PUT");
}

static void test_first_added_route_wins(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known;
    assert_int_equal(router_add(f->r, "GET", "/api/units/new"), 7);
    assert_int_equal(match(f, "GET", "/api/units/new", p, &known), R_UNIT_GET);
    assert_string_equal(p[0], "new");
}

static void test_path_without_leading_slash_does_not_match(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known = true;
    assert_int_equal(match(f, "GET", "api/units", p, &known), -1);
    assert_false(known);
    assert_int_equal(match(f, "GET", "", p, &known), -1);
    assert_false(known);
}

static void test_empty_segments_do_not_match(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known = true;
    assert_int_equal(match(f, "GET", "/api//units", p, &known), -1);
    assert_false(known);
    assert_int_equal(match(f, "GET", "//api/units", p, &known), -1);
    assert_int_equal(match(f, "GET", "/api/units/", p, &known), -1);       /* trailing slash */
    assert_int_equal(match(f, "GET", "/api/units//users", p, &known), -1); /* empty {} */
    assert_false(known);
    assert_int_equal(match(f, "GET", "//", p, &known), -1);
}

static void test_paths_deeper_than_sixteen_segments_do_not_match(void **state)
{
    struct fixture *f = *state;
    const char *p[4];
    bool known = true;
    const char *sixteen = "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p";
    const char *seventeen = "/a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p/q";
    assert_int_equal(router_add(f->r, "GET", sixteen), 7);
    assert_int_equal(match(f, "GET", sixteen, p, &known), 7);
    assert_int_equal(router_add(f->r, "GET", seventeen), -1);
    assert_int_equal(match(f, "GET", seventeen, p, &known), -1);
    assert_false(known);
    assert_null(router_allowed(f->r, f->a, seventeen));
}

static void test_malformed_patterns_are_refused(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(router_add(f->r, "GET", "api/units"), -1);
    assert_int_equal(router_add(f->r, "GET", "/api//units"), -1);
    assert_int_equal(router_add(f->r, "GET", "/api/units/"), -1);
    assert_int_equal(router_add(f->r, "GET", ""), -1);
    assert_int_equal(router_count(f->r), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_literal_routes_match_by_method_and_path, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_braces_capture_one_segment_each, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_beyond_max_are_not_written, setup, teardown),
        cmocka_unit_test_setup_teardown(test_literal_segments_must_match_exactly, setup, teardown),
        cmocka_unit_test_setup_teardown(test_method_mismatch_sets_path_known, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed_lists_the_methods_of_a_path, setup, teardown),
        cmocka_unit_test_setup_teardown(test_allowed_names_each_method_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_added_route_wins, setup, teardown),
        cmocka_unit_test_setup_teardown(test_path_without_leading_slash_does_not_match, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_empty_segments_do_not_match, setup, teardown),
        cmocka_unit_test_setup_teardown(test_paths_deeper_than_sixteen_segments_do_not_match, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_malformed_patterns_are_refused, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
