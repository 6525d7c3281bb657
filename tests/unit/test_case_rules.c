/* The petition rules of domain/cases beyond the state machine: duplicate candidates (category
 * and distance), the words the duplicate search uses, distances, access keys and sealing. */
#include "domain/cases.h"

#include "base/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static struct case_row open_case(int64_t id, const char *category)
{
    struct case_row c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.open = true;
    c.category_code = category;
    return c;
}

static void test_distance_matches_known_values(void **state)
{
    (void)state;
    assert_true(case_distance_m(11.72, 109.2, 11.72, 109.2) < 0.001);
    /* one thousandth of a degree of latitude is about 111 m anywhere */
    double d = case_distance_m(11.720, 109.2, 11.721, 109.2);
    assert_true(d > 110 && d < 112);
    /* Phan Rang to Hanoi: about 1,104 km as the crow flies */
    d = case_distance_m(11.5636, 108.9886, 21.0285, 105.8542);
    assert_true(d > 1095e3 && d < 1115e3);
}

static void test_duplicate_needs_same_category_when_both_have_one(void **state)
{
    (void)state;
    struct case_row a = open_case(1, "land"), b = open_case(2, "land"),
                    c = open_case(3, "environment"), d = open_case(4, NULL);
    assert_true(case_duplicate_candidate(&a, &b));
    assert_false(case_duplicate_candidate(&a, &c));
    assert_true(case_duplicate_candidate(&a, &d));
}

static void test_duplicate_must_be_within_200_m_when_both_are_located(void **state)
{
    (void)state;
    struct case_row a = open_case(1, "land"), near = open_case(2, "land"),
                    far = open_case(3, "land"), nowhere = open_case(4, "land");
    a.located = near.located = far.located = true;
    a.lat = near.lat = far.lat = 11.72;
    a.lon = 109.2;
    near.lon = 109.2015; /* ~163 m east */
    far.lon = 109.2025;  /* ~272 m east */
    assert_true(case_duplicate_candidate(&a, &near));
    assert_false(case_duplicate_candidate(&a, &far));
    assert_true(case_duplicate_candidate(&a, &nowhere));
}

static void test_a_case_is_not_its_own_or_a_settled_cases_duplicate(void **state)
{
    (void)state;
    struct case_row a = open_case(1, "land"), settled = open_case(2, "land");
    settled.open = false;
    assert_false(case_duplicate_candidate(&a, &a));
    assert_false(case_duplicate_candidate(&a, &settled));
}

static void test_similarity_words_are_the_longest_distinct_words(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(case_similarity_words(a, "Đèn đường thôn Vĩnh Hy bị hỏng"),
                        "đường thôn Vĩnh hỏng"); /* longest first; ties keep their order */
    assert_string_equal(case_similarity_words(a, "rác rác rác, rác!"), "rác");
    assert_string_equal(case_similarity_words(a, "  "), "");
    const char *w = case_similarity_words(a, "Khiếu nại quyết định thu hồi đất thôn Thái An");
    assert_non_null(strstr(w, "Khiếu"));
    assert_non_null(strstr(w, "quyết"));
    assert_non_null(strstr(w, "định"));
    arena_free(a);
}

static void test_access_key_opens_only_its_case(void **state)
{
    (void)state;
    struct case_row c;
    memset(&c, 0, sizeof c);
    char key[CASE_ACCESS_KEY_CHARS + 1], other[CASE_ACCESS_KEY_CHARS + 1];
    assert_int_equal(account_init(), 0);
    account_token_new(key);
    account_token_new(other);
    case_access_key_hash(key, c.access_key_hash);
    assert_true(case_access_key_ok(&c, key));
    assert_false(case_access_key_ok(&c, other));
    assert_false(case_access_key_ok(&c, NULL));
    assert_false(case_access_key_ok(&c, "short"));
}

static void test_identities_are_sealed_for_denunciations_and_private_reports(void **state)
{
    (void)state;
    assert_true(case_reporter_sealed(KIND_DENUNCIATION, false, false));
    assert_true(case_reporter_sealed(KIND_FEEDBACK, true, false));
    assert_true(case_reporter_sealed(KIND_COMPLAINT, false, true));
    assert_false(case_reporter_sealed(KIND_COMPLAINT, false, false));
    assert_false(case_reporter_sealed(KIND_INFORMATION_REQUEST, false, false));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_matches_known_values),
        cmocka_unit_test(test_duplicate_needs_same_category_when_both_have_one),
        cmocka_unit_test(test_duplicate_must_be_within_200_m_when_both_are_located),
        cmocka_unit_test(test_a_case_is_not_its_own_or_a_settled_cases_duplicate),
        cmocka_unit_test(test_similarity_words_are_the_longest_distinct_words),
        cmocka_unit_test(test_access_key_opens_only_its_case),
        cmocka_unit_test(test_identities_are_sealed_for_denunciations_and_private_reports),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
