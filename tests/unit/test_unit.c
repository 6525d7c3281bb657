/* Unit tests for domain/unit: codes, names, the level ladder (each unit exactly one level below
 * its parent, only provinces without one) and time zones that must be real IANA zones. */
#include "domain/unit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

/* A valid district under a province; tests change one field at a time. */
static struct unit_spec district(void)
{
    return (struct unit_spec){
        .code = "586",
        .name = "Th\xC3\xA0nh ph\xE1\xBB\x91 Phan Rang",
        .level = "district",
        .parent_code = "58",
        .time_zone = "Asia/Ho_Chi_Minh",
    };
}

static const char *with_code(const char *code)
{
    struct unit_spec u = district();
    u.code = code;
    return unit_problem(&u, "province");
}

static const char *with_name(const char *name)
{
    struct unit_spec u = district();
    u.name = name;
    return unit_problem(&u, "province");
}

static const char *with_tz(const char *tz)
{
    struct unit_spec u = district();
    u.time_zone = tz;
    return unit_problem(&u, "province");
}

/* unit_problem for a unit of level under a parent of parent_level (NULL: no parent). */
static const char *level_under(const char *level, const char *parent_level)
{
    struct unit_spec u = district();
    u.level = level;
    u.parent_code = parent_level ? "p" : NULL;
    return unit_problem(&u, parent_level);
}

static void test_valid_district_has_no_problem(void **state)
{
    (void)state;
    struct unit_spec u = district();
    assert_null(unit_problem(&u, "province"));
}

static void test_codes_of_letters_digits_dot_dash_underscore_are_accepted(void **state)
{
    (void)state;
    assert_null(with_code("5"));
    assert_null(with_code("586.03"));
    assert_null(with_code("VN-58_a.b"));
    assert_null(with_code("0123456789abcdef0123456789ABCDEF")); /* 32 */
}

static void test_bad_codes_are_refused(void **state)
{
    (void)state;
    assert_non_null(with_code(NULL));
    assert_non_null(with_code(""));
    assert_non_null(with_code("0123456789abcdef0123456789ABCDEF0")); /* 33 */
    assert_non_null(with_code("58/586"));
    assert_non_null(with_code("586 03"));
    assert_non_null(with_code(".586"));
    assert_non_null(with_code(".."));
    assert_non_null(with_code("58?x=1"));
    assert_non_null(with_code("58%2F"));
    assert_non_null(with_code("ph\xE1\xBB\x91"));
    assert_non_null(strstr(with_code("a/b"), "code"));
}

static void test_names_are_1_to_200_bytes_of_utf8(void **state)
{
    (void)state;
    char name[202];
    memset(name, 'n', 200);
    name[200] = 0;
    assert_null(with_name(name));
    assert_null(with_name("X"));
    name[200] = 'n';
    name[201] = 0;
    assert_non_null(with_name(name));
    assert_non_null(with_name(""));
    assert_non_null(with_name(NULL));
    assert_non_null(with_name("Phan Rang\xFF"));
    assert_non_null(with_name("\xED\xA0\x80"));
    assert_non_null(strstr(with_name(""), "name"));
}

static void test_levels_must_be_known(void **state)
{
    (void)state;
    assert_non_null(level_under("county", "province"));
    assert_non_null(level_under("District", "province"));
    assert_non_null(level_under("", "province"));
    assert_non_null(level_under(NULL, "province"));
    assert_int_equal(unit_level_rank("province"), 0);
    assert_int_equal(unit_level_rank("district"), 1);
    assert_int_equal(unit_level_rank("commune"), 2);
    assert_int_equal(unit_level_rank("village"), 3);
    assert_int_equal(unit_level_rank("hamlet"), -1);
    assert_int_equal(unit_level_rank(NULL), -1);
}

static void test_each_unit_is_exactly_one_level_below_its_parent(void **state)
{
    (void)state;
    assert_null(level_under("district", "province"));
    assert_null(level_under("commune", "district"));
    assert_null(level_under("village", "commune"));
    assert_non_null(level_under("commune", "province"));  /* skips one */
    assert_non_null(level_under("village", "province"));  /* skips two */
    assert_non_null(level_under("district", "district")); /* same level */
    assert_non_null(level_under("province", "district")); /* above its parent */
    assert_non_null(level_under("province", "province"));
    assert_non_null(level_under("district", "village"));
    assert_non_null(level_under("district", "county")); /* parent level unknown */
}

static void test_only_a_province_has_no_parent(void **state)
{
    (void)state;
    assert_null(level_under("province", NULL));
    assert_non_null(level_under("district", NULL));
    assert_non_null(level_under("commune", NULL));
    assert_non_null(level_under("village", NULL));
    assert_non_null(strstr(level_under("village", NULL), "province"));
}

static void test_real_iana_time_zones_are_accepted(void **state)
{
    (void)state;
    assert_null(with_tz("Asia/Ho_Chi_Minh"));
    assert_null(with_tz("Asia/Bangkok"));
    assert_null(with_tz("UTC"));
    assert_null(with_tz("America/Argentina/Buenos_Aires"));
}

static void test_unknown_or_path_like_time_zones_are_refused(void **state)
{
    (void)state;
    assert_non_null(with_tz("Mars/Olympus"));
    assert_non_null(with_tz("../etc/passwd"));
    assert_non_null(with_tz("Asia/../../../etc/passwd"));
    assert_non_null(with_tz("/etc/passwd"));
    assert_non_null(with_tz("Asia"));  /* a directory, not a zone */
    assert_non_null(with_tz("Asia/")); /* likewise */
    assert_non_null(with_tz(""));
    assert_non_null(with_tz(NULL));
    assert_non_null(with_tz("asia/ho_chi_minh"));
    /* Paths that lead to real zone files by a detour are not zone names either. */
    assert_non_null(with_tz("../zoneinfo/Asia/Ho_Chi_Minh"));
    assert_non_null(with_tz("Asia/../Asia/Ho_Chi_Minh"));
    assert_non_null(strstr(with_tz("Mars/Olympus"), "time zone"));
}

static void test_tzdata_files_that_are_not_zones_are_refused(void **state)
{
    (void)state;
    /* Regular files in the zoneinfo directory that are tables, not TZif zones. */
    assert_non_null(with_tz("zone.tab"));
    assert_non_null(with_tz("iso3166.tab"));
    assert_non_null(with_tz("tzdata.zi"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_district_has_no_problem),
        cmocka_unit_test(test_codes_of_letters_digits_dot_dash_underscore_are_accepted),
        cmocka_unit_test(test_bad_codes_are_refused),
        cmocka_unit_test(test_names_are_1_to_200_bytes_of_utf8),
        cmocka_unit_test(test_levels_must_be_known),
        cmocka_unit_test(test_each_unit_is_exactly_one_level_below_its_parent),
        cmocka_unit_test(test_only_a_province_has_no_parent),
        cmocka_unit_test(test_real_iana_time_zones_are_accepted),
        cmocka_unit_test(test_unknown_or_path_like_time_zones_are_refused),
        cmocka_unit_test(test_tzdata_files_that_are_not_zones_are_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
