/* Unit tests for http/form: '+' and %XX decoding, refusal of malformed escapes, NUL and bad
 * UTF-8 (with the offset of the first offending byte), empty values, the field limit, and
 * form_get. */
#include "http/form.h"

#include "base/arena.h"
#include "base/err.h"

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

/* Parses s (a C string) with room for 16 fields. */
static int parse(void **state, const char *s, struct form *f, size_t *bad)
{
    return form_parse(*state, s, strlen(s), 16, f, bad);
}

/* Asserts that s is refused with the first offending byte at offset want. */
static void assert_refused_at(void **state, const char *s, size_t want)
{
    struct form f;
    size_t bad = 9999;
    assert_int_equal(parse(state, s, &f, &bad), AKAR_EINVAL);
    assert_int_equal(bad, want);
    assert_int_equal(f.n, 0);
}

static void test_plain_fields_are_split_on_ampersand_and_equals(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "login=admin&password=secret", &f, &bad), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(f.fields[0].name, "login");
    assert_string_equal(f.fields[0].value, "admin");
    assert_string_equal(f.fields[1].name, "password");
    assert_string_equal(f.fields[1].value, "secret");
}

static void test_plus_decodes_to_space_and_percent_escapes_decode(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "q=a+b%20c&n%61me=%41%62%2b%3D%26&x=100%25", &f, &bad), 0);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.fields[0].value, "a b c");
    assert_string_equal(f.fields[1].name, "name");
    assert_string_equal(f.fields[1].value, "Ab+=&");
    assert_string_equal(f.fields[2].value, "100%");
}

static void test_escaped_utf8_decodes_to_the_character(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "name=Th%C3%A0nh+ph%E1%BB%91&raw=\xC3\xA9", &f, &bad), 0);
    assert_string_equal(form_get(&f, "name"), "Th\xC3\xA0nh ph\xE1\xBB\x91");
    assert_string_equal(form_get(&f, "raw"), "\xC3\xA9");
}

static void test_malformed_escapes_are_refused_at_the_percent(void **state)
{
    assert_refused_at(state, "a=%", 2);
    assert_refused_at(state, "a=%4", 2);
    assert_refused_at(state, "a=x%G1", 3);
    assert_refused_at(state, "a=x%1G", 3);
    assert_refused_at(state, "a=1&b=%%41", 6);
    assert_refused_at(state, "na%zme=1", 2);
    assert_refused_at(state, "a=% 1", 2);
}

static void test_escaped_nul_is_refused(void **state)
{
    assert_refused_at(state, "a=x%00y", 3);
    assert_refused_at(state, "%00=1", 0);
}

static void test_raw_nul_is_refused(void **state)
{
    struct form f;
    size_t bad = 9999;
    assert_int_equal(form_parse(*state, "a=x\0y", 5, 16, &f, &bad), AKAR_EINVAL);
    assert_int_equal(bad, 3);
    assert_int_equal(f.n, 0);
}

static void test_invalid_utf8_after_decoding_is_refused_at_its_byte(void **state)
{
    assert_refused_at(state, "a=%FF", 2);
    assert_refused_at(state, "a=xy%FF", 4);
    assert_refused_at(state, "ok=1&b=%C3%A9%C3", 13);   /* truncated after a valid é */
    assert_refused_at(state, "a=%C0%AF", 2);            /* overlong '/' */
    assert_refused_at(state, "a=+%ED%A0%80", 3);        /* a surrogate */
    assert_refused_at(state, "n%C3%A9\xFF=1", 7);       /* raw bad byte in a name */
    assert_refused_at(state, "a=1&b=\xC3\xA9\xC3(", 8); /* raw truncated sequence */
}

static void test_empty_values_are_kept_as_empty_strings(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "a=&b&c=3", &f, &bad), 0);
    assert_int_equal(f.n, 3);
    assert_string_equal(form_get(&f, "a"), "");
    assert_string_equal(form_get(&f, "b"), "");
    assert_string_equal(form_get(&f, "c"), "3");
}

static void test_empty_pairs_are_skipped(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "&a=1&&b=2&", &f, &bad), 0);
    assert_int_equal(f.n, 2);
    assert_string_equal(form_get(&f, "a"), "1");
    assert_string_equal(form_get(&f, "b"), "2");
}

static void test_empty_body_has_no_fields(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(form_parse(*state, "", 0, 16, &f, &bad), 0);
    assert_int_equal(f.n, 0);
    assert_null(form_get(&f, "a"));
}

static void test_empty_name_is_refused(void **state)
{
    assert_refused_at(state, "=value", 0);
    assert_refused_at(state, "a=1&=2", 4);
}

static void test_value_keeps_later_equals_signs(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "expr=a=b", &f, &bad), 0);
    assert_string_equal(form_get(&f, "expr"), "a=b");
}

static void test_more_fields_than_max_are_refused(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(form_parse(*state, "a=1&b=2&c=3", 11, 3, &f, &bad), 0);
    assert_int_equal(f.n, 3);
    assert_int_equal(form_parse(*state, "a=1&b=2&c=3&d=4", 15, 3, &f, &bad), AKAR_EINVAL);
    assert_int_equal(f.n, 0);
    assert_int_equal(form_parse(*state, "a=1", 3, 0, &f, &bad), AKAR_EINVAL);
}

static void test_length_bounds_the_input(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(form_parse(*state, "a=12&b=3", 3, 16, &f, &bad), 0);
    assert_int_equal(f.n, 1);
    assert_string_equal(form_get(&f, "a"), "1");
    assert_null(form_get(&f, "b"));
}

static void test_form_get_returns_the_first_value_or_null(void **state)
{
    struct form f;
    size_t bad;
    assert_int_equal(parse(state, "role=handler&unit=586&role=leader", &f, &bad), 0);
    assert_string_equal(form_get(&f, "role"), "handler");
    assert_string_equal(form_get(&f, "unit"), "586");
    assert_null(form_get(&f, "Role"));
    assert_null(form_get(&f, "rol"));
    assert_null(form_get(&f, "missing"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_plain_fields_are_split_on_ampersand_and_equals, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_plus_decodes_to_space_and_percent_escapes_decode,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_escaped_utf8_decodes_to_the_character, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_malformed_escapes_are_refused_at_the_percent, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_escaped_nul_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_raw_nul_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_after_decoding_is_refused_at_its_byte,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_values_are_kept_as_empty_strings, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_empty_pairs_are_skipped, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_body_has_no_fields, setup, teardown),
        cmocka_unit_test_setup_teardown(test_empty_name_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_value_keeps_later_equals_signs, setup, teardown),
        cmocka_unit_test_setup_teardown(test_more_fields_than_max_are_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_length_bounds_the_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_get_returns_the_first_value_or_null, setup,
                                        teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
