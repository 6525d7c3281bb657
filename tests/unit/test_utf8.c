/* Unit tests for base/utf8: RFC 3629 validation and the reported offset of the first bad
 * sequence. */
#include "base/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* Validates a byte string given as a literal (sizeof - 1: embedded NULs count). */
#define VALID(lit, bad) utf8_valid((lit), sizeof(lit) - 1, (bad))

static void test_empty_and_ascii_are_valid(void **state)
{
    (void)state;
    assert_true(utf8_valid("", 0, NULL));
    assert_true(VALID("hello, world", NULL));
    assert_true(VALID("a\0b", NULL)); /* NUL is U+0000, a valid character */
}

static void test_multibyte_characters_of_every_length_are_valid(void **state)
{
    (void)state;
    assert_true(VALID("\xC3\xA9", NULL));                    /* U+00E9 */
    assert_true(VALID("Th\xC3\xA0nh ph\xE1\xBB\x91", NULL)); /* Vietnamese */
    assert_true(VALID("\xE2\x82\xAC", NULL));                /* U+20AC */
    assert_true(VALID("\xF0\x9F\x98\x80", NULL));            /* U+1F600 */
    assert_true(VALID("\xC2\x80", NULL));                    /* U+0080, smallest 2-byte */
    assert_true(VALID("\xE0\xA0\x80", NULL));                /* U+0800, smallest 3-byte */
    assert_true(VALID("\xF0\x90\x80\x80", NULL));            /* U+10000, smallest 4-byte */
    assert_true(VALID("\xED\x9F\xBF", NULL));                /* U+D7FF, just below surrogates */
    assert_true(VALID("\xEE\x80\x80", NULL));                /* U+E000, just above surrogates */
    assert_true(VALID("\xF4\x8F\xBF\xBF", NULL));            /* U+10FFFF, the last code point */
}

static void test_lone_continuation_byte_is_invalid_at_its_offset(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("\x80", &bad));
    assert_int_equal(bad, 0);
    bad = 99;
    assert_false(VALID("ab\xBF", &bad));
    assert_int_equal(bad, 2);
}

static void test_overlong_encodings_are_invalid(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("\xC0\x80", &bad)); /* U+0000 in two bytes */
    assert_int_equal(bad, 0);
    assert_false(VALID("\xC1\xBF", NULL));         /* U+007F in two bytes */
    assert_false(VALID("\xE0\x80\xAF", NULL));     /* '/' in three bytes */
    assert_false(VALID("\xE0\x9F\xBF", NULL));     /* U+07FF in three bytes */
    assert_false(VALID("\xF0\x8F\xBF\xBF", NULL)); /* U+FFFF in four bytes */
    assert_false(VALID("\xF0\x80\x80\x80", NULL));
}

static void test_surrogates_are_invalid(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("x\xED\xA0\x80", &bad)); /* U+D800 */
    assert_int_equal(bad, 1);
    assert_false(VALID("\xED\xBF\xBF", NULL));             /* U+DFFF */
    assert_false(VALID("\xED\xA0\xBD\xED\xB8\x80", NULL)); /* a CESU-8 surrogate pair */
}

static void test_code_points_above_10ffff_are_invalid(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("\xF4\x90\x80\x80", &bad)); /* U+110000 */
    assert_int_equal(bad, 0);
    assert_false(VALID("\xF7\xBF\xBF\xBF", NULL));         /* U+1FFFFF */
    assert_false(VALID("\xF8\x88\x80\x80\x80", NULL));     /* old 5-byte form */
    assert_false(VALID("\xFC\x84\x80\x80\x80\x80", NULL)); /* old 6-byte form */
    assert_false(VALID("\xFE", NULL));
    assert_false(VALID("\xFF", NULL));
}

static void test_truncated_sequences_are_invalid_at_their_start(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("ab\xE2\x82", &bad));
    assert_int_equal(bad, 2);
    bad = 99;
    assert_false(VALID("\xC3", &bad));
    assert_int_equal(bad, 0);
    bad = 99;
    assert_false(VALID("abc\xF0\x9F\x98", &bad));
    assert_int_equal(bad, 3);
    /* The length given is what counts, not a NUL: the last byte is cut off here. */
    assert_false(utf8_valid("\xE2\x82\xAC", 2, NULL));
}

static void test_bad_continuation_byte_is_invalid(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("\xE2\x28\xA1", &bad)); /* '(' where a continuation belongs */
    assert_int_equal(bad, 0);
    assert_false(VALID("\xC3\xC3\xA9", NULL));
    assert_false(VALID("\xF0\x9F\x98\x41", NULL));
}

static void test_offset_reported_is_first_bad_byte_after_valid_text(void **state)
{
    (void)state;
    size_t bad = 99;
    assert_false(VALID("abc\xFF"
                       "def",
                       &bad));
    assert_int_equal(bad, 3);
    bad = 99;
    assert_false(VALID("\xC3\xA9\xE2\x82\xAC\x80\xFF", &bad)); /* é € then junk */
    assert_int_equal(bad, 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_and_ascii_are_valid),
        cmocka_unit_test(test_multibyte_characters_of_every_length_are_valid),
        cmocka_unit_test(test_lone_continuation_byte_is_invalid_at_its_offset),
        cmocka_unit_test(test_overlong_encodings_are_invalid),
        cmocka_unit_test(test_surrogates_are_invalid),
        cmocka_unit_test(test_code_points_above_10ffff_are_invalid),
        cmocka_unit_test(test_truncated_sequences_are_invalid_at_their_start),
        cmocka_unit_test(test_bad_continuation_byte_is_invalid),
        cmocka_unit_test(test_offset_reported_is_first_bad_byte_after_valid_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
