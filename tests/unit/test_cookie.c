/* Unit tests for http/cookie: finding one cookie among several, quoted values, whitespace,
 * absence, and values that break the RFC 6265 cookie-octet rule. */
#include "http/cookie.h"

#include "base/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int setup(void **state)
{
    *state = arena_new();
    return 0;
}

static int teardown(void **state)
{
    arena_free(*state);
    return 0;
}

static const char *get(void **state, const char *header, const char *name)
{
    return cookie_get(*state, header, name);
}

static void test_finds_the_named_cookie_among_several(void **state)
{
    const char *h = "theme=dark; sid=abc123; lang=vi";
    assert_string_equal(get(state, h, "sid"), "abc123");
    assert_string_equal(get(state, h, "theme"), "dark");
    assert_string_equal(get(state, h, "lang"), "vi");
}

static void test_value_is_a_copy_in_the_arena(void **state)
{
    char h[] = "sid=abc";
    const char *v = get(state, h, "sid");
    assert_string_equal(v, "abc");
    h[4] = 'X';
    assert_string_equal(v, "abc");
}

static void test_names_must_match_whole(void **state)
{
    assert_string_equal(get(state, "xsid=1; sid=2; sidx=3", "sid"), "2");
    assert_null(get(state, "xsid=1; sidx=3", "sid"));
    assert_null(get(state, "SID=1", "sid"));
}

static void test_first_of_two_cookies_with_the_name_wins(void **state)
{
    assert_string_equal(get(state, "sid=first; sid=second", "sid"), "first");
}

static void test_surrounding_double_quotes_are_removed(void **state)
{
    assert_string_equal(get(state, "a=1; sid=\"abc\"; b=2", "sid"), "abc");
    assert_string_equal(get(state, "sid=\"\"", "sid"), "");
}

static void test_whitespace_around_pairs_names_and_values_is_ignored(void **state)
{
    assert_string_equal(get(state, "  a=1 ;\t sid = abc \t; b=2", "sid"), "abc");
    assert_string_equal(get(state, "a=1;sid=abc", "sid"), "abc");
    assert_string_equal(get(state, "sid=abc;", "sid"), "abc");
}

static void test_absent_cookie_is_null(void **state)
{
    assert_null(get(state, "a=1; b=2", "sid"));
    assert_null(get(state, "", "sid"));
    assert_null(get(state, NULL, "sid"));
    assert_null(get(state, "sid", "sid")); /* a name without '=' is not a cookie */
    assert_null(get(state, ";;;", "sid"));
}

static void test_pairs_without_equals_are_skipped(void **state)
{
    assert_string_equal(get(state, "junk; sid=ok", "sid"), "ok");
}

static void test_values_outside_cookie_octets_are_refused(void **state)
{
    assert_null(get(state, "sid=a b", "sid"));
    assert_null(get(state, "sid=a,b", "sid"));
    assert_null(get(state, "sid=a\\b", "sid"));
    assert_null(get(state, "sid=a\"b", "sid"));
    assert_null(get(state, "sid=\"abc", "sid")); /* unbalanced quote */
    assert_null(get(state, "sid=\"", "sid"));
    assert_null(get(state, "sid=\"a b\"", "sid"));
    assert_null(get(state,
                    "sid=a\x01"
                    "b",
                    "sid"));
    assert_null(get(state, "sid=\xC3\xA9", "sid"));
    assert_null(get(state, "sid=a\x7F", "sid"));
    /* A bad cookie elsewhere in the header does not hide a good one. */
    assert_string_equal(get(state, "other=a b; sid=ok", "sid"), "ok");
}

static void test_base64url_token_value_is_returned_whole(void **state)
{
    const char *token = "Zm9vYmFyYmF6cXV4LV9hYmNkZWZnaGlqa2xtbm9wcXJ";
    char h[128];
    strcpy(h, "akar_session=");
    strcat(h, token);
    strcat(h, "; Path=/");
    assert_string_equal(get(state, h, "akar_session"), token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_finds_the_named_cookie_among_several, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_is_a_copy_in_the_arena, setup, teardown),
        cmocka_unit_test_setup_teardown(test_names_must_match_whole, setup, teardown),
        cmocka_unit_test_setup_teardown(test_first_of_two_cookies_with_the_name_wins, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_surrounding_double_quotes_are_removed, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_whitespace_around_pairs_names_and_values_is_ignored,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_absent_cookie_is_null, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pairs_without_equals_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_values_outside_cookie_octets_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_base64url_token_value_is_returned_whole, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
