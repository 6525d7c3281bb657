/* Unit tests for base/civil: day numbers against libc's own calendar over five thousand years,
 * weekdays, leap years (2000 is one, 1900 and 2100 are not), and the strict date parser. */
#include "base/civil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <cmocka.h>

static struct civil_date date(int y, int m, int d)
{
    return (struct civil_date){y, m, d};
}

/* Every day from year -768 to 4707 converts both ways and agrees with gmtime. */
static void test_day_numbers_agree_with_libc_over_a_wide_range(void **state)
{
    (void)state;
    for (int64_t n = -1000000; n <= 1000000; n++) {
        time_t t = (time_t)(n * 86400);
        struct tm tm;
        assert_non_null(gmtime_r(&t, &tm));
        struct civil_date d = civil_from_days(n);
        if (d.year != tm.tm_year + 1900 || d.month != tm.tm_mon + 1 || d.day != tm.tm_mday)
            fail_msg("day %lld: %d-%d-%d, libc says %d-%d-%d", (long long)n, d.year, d.month, d.day,
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
        if (civil_to_days(d) != n)
            fail_msg("day %lld does not round-trip", (long long)n);
        if (civil_weekday(n) != (tm.tm_wday + 6) % 7)
            fail_msg("day %lld: weekday %d, libc says %d", (long long)n, civil_weekday(n),
                     tm.tm_wday);
    }
}

static void test_known_day_numbers(void **state)
{
    (void)state;
    assert_int_equal(civil_to_days(date(1970, 1, 1)), 0);
    assert_int_equal(civil_to_days(date(1969, 12, 31)), -1);
    assert_int_equal(civil_to_days(date(1970, 3, 1)), 59);
    assert_int_equal(civil_to_days(date(2000, 1, 1)), 10957);
    /* 56 years of 365 days and the 14 leap days of 1972..2024. */
    assert_int_equal(civil_to_days(date(2026, 1, 1)), 56 * 365 + 14);
    struct civil_date d = civil_from_days(56 * 365 + 14 + 47);
    assert_int_equal(d.year, 2026);
    assert_int_equal(d.month, 2);
    assert_int_equal(d.day, 17);
}

static void test_known_weekdays(void **state)
{
    (void)state;
    assert_int_equal(civil_weekday(civil_to_days(date(1970, 1, 1))), 3);   /* Thursday */
    assert_int_equal(civil_weekday(civil_to_days(date(1969, 12, 29))), 0); /* Monday */
    assert_int_equal(civil_weekday(civil_to_days(date(1900, 1, 1))), 0);   /* Monday */
    assert_int_equal(civil_weekday(civil_to_days(date(2000, 1, 1))), 5);   /* Saturday */
    assert_int_equal(civil_weekday(civil_to_days(date(2025, 4, 26))), 5);  /* Saturday */
    assert_int_equal(civil_weekday(civil_to_days(date(2026, 2, 17))), 1);  /* Tuesday, Tết */
    assert_int_equal(civil_weekday(civil_to_days(date(2026, 3, 20))), 4);  /* Friday */
    assert_int_equal(civil_weekday(civil_to_days(date(2026, 2, 22))), 6);  /* Sunday */
    for (int64_t n = -20; n < 20; n++)
        assert_int_equal(civil_weekday(n + 7), civil_weekday(n));
}

/* Days in February of year: the distance from 1 February to 1 March. */
static int64_t february(int year)
{
    return civil_to_days(date(year, 3, 1)) - civil_to_days(date(year, 2, 1));
}

static void test_leap_years(void **state)
{
    (void)state;
    assert_int_equal(february(2000), 29);
    assert_int_equal(february(2024), 29);
    assert_int_equal(february(2400), 29);
    assert_int_equal(february(1600), 29);
    assert_int_equal(february(1900), 28);
    assert_int_equal(february(2100), 28);
    assert_int_equal(february(2026), 28);
    assert_int_equal(february(1700), 28);
    assert_int_equal(civil_to_days(date(2001, 1, 1)) - civil_to_days(date(2000, 1, 1)), 366);
    assert_int_equal(civil_to_days(date(1901, 1, 1)) - civil_to_days(date(1900, 1, 1)), 365);
}

static bool parses(const char *s, int y, int m, int d)
{
    struct civil_date out = {0, 0, 0};
    return civil_parse(s, &out) && out.year == y && out.month == m && out.day == d;
}

static bool refused(const char *s)
{
    struct civil_date out;
    return !civil_parse(s, &out);
}

static void test_parse_accepts_real_dates(void **state)
{
    (void)state;
    assert_true(parses("2026-02-17", 2026, 2, 17));
    assert_true(parses("2026-12-31", 2026, 12, 31));
    assert_true(parses("2000-02-29", 2000, 2, 29));
    assert_true(parses("2024-02-29", 2024, 2, 29));
    assert_true(parses("0001-01-01", 1, 1, 1));
    assert_true(parses("9999-12-31", 9999, 12, 31));
    assert_true(parses("1970-01-01", 1970, 1, 1));
}

static void test_parse_refuses_what_is_not_exactly_a_real_date(void **state)
{
    (void)state;
    assert_true(refused("2026-02-29"));
    assert_true(refused("1900-02-29"));
    assert_true(refused("2100-02-29"));
    assert_true(refused("2026-02-30"));
    assert_true(refused("2026-04-31"));
    assert_true(refused("2026-13-01"));
    assert_true(refused("2026-00-10"));
    assert_true(refused("2026-01-00"));
    assert_true(refused("2026-01-32"));
    assert_true(refused("2026-1-01"));
    assert_true(refused("2026-01-1"));
    assert_true(refused("26-01-01"));
    assert_true(refused("2026-01-01x"));
    assert_true(refused("2026-01-01 "));
    assert_true(refused(" 2026-01-01"));
    assert_true(refused("2026-01-01T00:00:00Z"));
    assert_true(refused("2026/01/01"));
    assert_true(refused("20260101"));
    assert_true(refused("2026-0a-01"));
    assert_true(refused("+026-01-01"));
    assert_true(refused("2026--1-01"));
    assert_true(refused("2026-01-+1"));
    assert_true(refused(""));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_day_numbers_agree_with_libc_over_a_wide_range),
        cmocka_unit_test(test_known_day_numbers),
        cmocka_unit_test(test_known_weekdays),
        cmocka_unit_test(test_leap_years),
        cmocka_unit_test(test_parse_accepts_real_dates),
        cmocka_unit_test(test_parse_refuses_what_is_not_exactly_a_real_date),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
