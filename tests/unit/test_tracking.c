/* Unit tests for domain/tracking: the display form and alphabet of new codes, what a person may
 * type for one, and that every single-symbol mistake and every swap of two symbols is refused
 * rather than matched to another code. */
#include "domain/tracking.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

/* Thirty-two symbols: digits and capitals without 0, O, 1 and I. */
static const char alphabet[] = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";

#define CODES 300

static int setup(void **state)
{
    (void)state;
    return sodium_init() < 0 ? -1 : 0;
}

/* The symbols of a display-form code, without hyphens. */
static void symbols_of(const char *code, char out[TRACKING_SYMBOLS + 1])
{
    int n = 0;
    for (const char *p = code; *p; p++)
        if (*p != '-')
            out[n++] = *p;
    assert_int_equal(n, TRACKING_SYMBOLS);
    out[n] = 0;
}

static bool accepted(const char *typed)
{
    char out[TRACKING_TEXT];
    return tracking_normalise(typed, out);
}

static void test_new_codes_have_the_display_form(void **state)
{
    (void)state;
    for (int i = 0; i < CODES; i++) {
        char code[TRACKING_TEXT];
        tracking_new(code);
        assert_int_equal(strlen(code), 13);
        for (int k = 0; k < 13; k++) {
            if (k == 4 || k == 9)
                assert_int_equal(code[k], '-');
            else
                assert_non_null(strchr(alphabet, code[k]));
        }
        assert_null(strpbrk(code, "0O1Iabcdefghijklmnopqrstuvwxyz "));
        char back[TRACKING_TEXT];
        assert_true(tracking_normalise(code, back));
        assert_string_equal(back, code);
    }
}

/* The documented check: the symbols' values weighted 1..11 sum to a multiple of 37. */
static void test_new_codes_satisfy_the_weighted_check(void **state)
{
    (void)state;
    for (int i = 0; i < CODES; i++) {
        char code[TRACKING_TEXT], s[TRACKING_SYMBOLS + 1];
        tracking_new(code);
        symbols_of(code, s);
        int sum = 0;
        for (int k = 0; k < TRACKING_SYMBOLS; k++)
            sum += (k + 1) * (int)(strchr(alphabet, s[k]) - alphabet);
        assert_int_equal(sum % 37, 0);
    }
}

static void test_new_codes_use_the_whole_alphabet_and_do_not_repeat(void **state)
{
    (void)state;
    static char codes[CODES][TRACKING_TEXT];
    bool seen[32] = {false}, check_seen[32] = {false};
    for (int i = 0; i < CODES; i++) {
        tracking_new(codes[i]);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(codes[i], codes[j]);
        char s[TRACKING_SYMBOLS + 1];
        symbols_of(codes[i], s);
        for (int k = 0; k < TRACKING_SYMBOLS - 1; k++)
            seen[strchr(alphabet, s[k]) - alphabet] = true;
        check_seen[strchr(alphabet, s[TRACKING_SYMBOLS - 1]) - alphabet] = true;
    }
    int checks = 0;
    for (int k = 0; k < 32; k++) {
        assert_true(seen[k]);
        checks += check_seen[k];
    }
    assert_true(checks > 16);
}

static void test_typed_forms_normalise_to_the_display_form(void **state)
{
    (void)state;
    for (int i = 0; i < CODES; i++) {
        char code[TRACKING_TEXT], s[TRACKING_SYMBOLS + 1], typed[64], out[TRACKING_TEXT];
        tracking_new(code);
        symbols_of(code, s);

        /* No hyphens. */
        assert_true(tracking_normalise(s, out));
        assert_string_equal(out, code);

        /* Lower case. */
        for (int k = 0; k <= 13; k++)
            typed[k] = (char)(code[k] >= 'A' && code[k] <= 'Z' ? code[k] - 'A' + 'a' : code[k]);
        assert_true(tracking_normalise(typed, out));
        assert_string_equal(out, code);

        /* Spaces instead of hyphens, and around. */
        snprintf(typed, sizeof typed, " %.4s %.4s %.3s ", s, s + 4, s + 8);
        assert_true(tracking_normalise(typed, out));
        assert_string_equal(out, code);

        /* Hyphens and spaces anywhere, mixed case. */
        int n = 0;
        for (int k = 0; k < TRACKING_SYMBOLS; k++) {
            typed[n++] = (char)(k % 2 && s[k] >= 'A' ? s[k] - 'A' + 'a' : s[k]);
            typed[n++] = k % 3 ? '-' : ' ';
        }
        typed[n] = 0;
        assert_true(tracking_normalise(typed, out));
        assert_string_equal(out, code);
    }
}

/* Every one of the 11 x 31 single-symbol substitutions is refused. */
static void test_every_single_symbol_mistake_is_refused(void **state)
{
    (void)state;
    for (int i = 0; i < CODES; i++) {
        char code[TRACKING_TEXT], s[TRACKING_SYMBOLS + 1];
        tracking_new(code);
        symbols_of(code, s);
        for (int k = 0; k < TRACKING_SYMBOLS; k++) {
            char keep = s[k];
            for (const char *c = alphabet; *c; c++) {
                if (*c == keep)
                    continue;
                s[k] = *c;
                if (accepted(s))
                    fail_msg("%s accepted for %s", s, code);
            }
            s[k] = keep;
        }
    }
}

/* Every swap of two different symbols, adjacent or not, check symbol included, is refused. */
static void test_every_swap_of_two_symbols_is_refused(void **state)
{
    (void)state;
    for (int i = 0; i < CODES; i++) {
        char code[TRACKING_TEXT], s[TRACKING_SYMBOLS + 1];
        tracking_new(code);
        symbols_of(code, s);
        for (int j = 0; j < TRACKING_SYMBOLS; j++)
            for (int k = j + 1; k < TRACKING_SYMBOLS; k++) {
                if (s[j] == s[k])
                    continue;
                char t = s[j];
                s[j] = s[k];
                s[k] = t;
                if (accepted(s))
                    fail_msg("%s accepted for %s", s, code);
                s[k] = s[j];
                s[j] = t;
            }
    }
}

static void test_wrong_lengths_are_refused(void **state)
{
    (void)state;
    char code[TRACKING_TEXT], s[TRACKING_SYMBOLS + 1], typed[64];
    tracking_new(code);
    symbols_of(code, s);
    assert_true(accepted(s));
    snprintf(typed, sizeof typed, "%.10s", s);
    assert_false(accepted(typed));
    snprintf(typed, sizeof typed, "%s2", s);
    assert_false(accepted(typed));
    snprintf(typed, sizeof typed, "2%s", s);
    assert_false(accepted(typed));
    snprintf(typed, sizeof typed, "%s%s", s, s);
    assert_false(accepted(typed));
    assert_false(accepted(""));
    assert_false(accepted("-"));
    assert_false(accepted("    -    -   "));
    assert_false(accepted("2"));
}

static void test_foreign_characters_are_refused(void **state)
{
    (void)state;
    /* The look-alikes, in either case, and what does not belong in a code at all. */
    const char *foreign[] = {"0", "O", "o",  "1", "I",        "i",
                             "_", ".", "\t", "+", "\xC3\x89", "\xC4\x91"};
    for (int i = 0; i < 50; i++) {
        char code[TRACKING_TEXT], s[TRACKING_SYMBOLS + 1], typed[64];
        tracking_new(code);
        symbols_of(code, s);
        for (size_t f = 0; f < sizeof foreign / sizeof *foreign; f++) {
            int k = i % TRACKING_SYMBOLS;
            /* In place of a symbol, and added to a valid code. */
            snprintf(typed, sizeof typed, "%.*s%s%s", k, s, foreign[f], s + k + 1);
            assert_false(accepted(typed));
            snprintf(typed, sizeof typed, "%.*s%s%s", k, s, foreign[f], s + k);
            assert_false(accepted(typed));
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_codes_have_the_display_form),
        cmocka_unit_test(test_new_codes_satisfy_the_weighted_check),
        cmocka_unit_test(test_new_codes_use_the_whole_alphabet_and_do_not_repeat),
        cmocka_unit_test(test_typed_forms_normalise_to_the_display_form),
        cmocka_unit_test(test_every_single_symbol_mistake_is_refused),
        cmocka_unit_test(test_every_swap_of_two_symbols_is_refused),
        cmocka_unit_test(test_wrong_lengths_are_refused),
        cmocka_unit_test(test_foreign_characters_are_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
