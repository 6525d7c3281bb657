/* Unit tests for domain/access: role names, and which units a grant covers (its own subtree,
 * nothing above or beside it, nothing that merely shares a code prefix). */
#include "domain/access.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_role_parse_and_role_name_round_trip(void **state)
{
    (void)state;
    static const char *const names[] = {"resident", "receptionist", "handler",
                                        "leader",   "inspector",    "admin"};
    assert_int_equal(sizeof names / sizeof *names, ROLE_COUNT);
    for (int r = 0; r < ROLE_COUNT; r++) {
        assert_string_equal(role_name((enum role)r), names[r]);
        assert_int_equal(role_parse(names[r]), r);
        assert_int_equal(role_parse(role_name((enum role)r)), r);
    }
    assert_int_equal(role_parse("handler"), ROLE_HANDLER);
    assert_int_equal(role_parse("admin"), ROLE_ADMIN);
}

static void test_role_parse_rejects_unknown_names(void **state)
{
    (void)state;
    assert_int_equal(role_parse("Handler"), -1);
    assert_int_equal(role_parse("handler "), -1);
    assert_int_equal(role_parse("hand"), -1);
    assert_int_equal(role_parse(""), -1);
    assert_int_equal(role_parse("root"), -1);
    assert_int_equal(role_parse(NULL), -1);
}

static void test_role_name_of_an_out_of_range_role_is_unknown(void **state)
{
    (void)state;
    assert_string_equal(role_name(ROLE_COUNT), "unknown");
    assert_string_equal(role_name((enum role) - 1), "unknown");
}

static void test_only_residents_are_not_officials(void **state)
{
    (void)state;
    assert_false(role_is_official(ROLE_RESIDENT));
    for (int r = ROLE_RECEPTIONIST; r < ROLE_COUNT; r++)
        assert_true(role_is_official((enum role)r));
}

static void test_subtree_includes_the_root_and_its_descendants(void **state)
{
    (void)state;
    assert_true(access_in_subtree("/58/586/", "/58/586/"));
    assert_true(access_in_subtree("/58/586/", "/58/586/586.03/"));
    assert_true(access_in_subtree("/58/586/", "/58/586/586.03/586.03.1/"));
    assert_true(access_in_subtree("/58/", "/58/586/586.03/586.03.1/"));
}

static void test_subtree_excludes_parent_siblings_and_prefix_lookalikes(void **state)
{
    (void)state;
    assert_false(access_in_subtree("/58/586/", "/58/"));
    assert_false(access_in_subtree("/58/586/", "/58/587/"));
    assert_false(access_in_subtree("/58/586/", "/58/5861/"));
    assert_false(access_in_subtree("/58/586/", "/58/5861/586.03/"));
    assert_false(access_in_subtree("/58/586/", "/59/586/"));
    assert_false(access_in_subtree("/5/", "/58/"));
}

static void test_subtree_refuses_malformed_roots(void **state)
{
    (void)state;
    /* Without the closing '/', a root would claim every code it is a prefix of. */
    assert_false(access_in_subtree("/58/586", "/58/5861/"));
    assert_false(access_in_subtree("/58/586", "/58/586/"));
    assert_false(access_in_subtree("/", "/58/"));
    assert_false(access_in_subtree("", "/58/"));
}

static const struct access_grant district_handler[] = {
    {ROLE_HANDLER, "586", "/58/586/"},
};

static void test_grant_on_district_covers_itself_and_its_villages(void **state)
{
    (void)state;
    assert_true(access_has_role(district_handler, 1, ROLE_HANDLER, "/58/586/"));
    assert_true(access_has_role(district_handler, 1, ROLE_HANDLER, "/58/586/586.03/"));
    assert_true(access_has_role(district_handler, 1, ROLE_HANDLER, "/58/586/586.03/586.03.7/"));
}

static void test_grant_on_district_does_not_cover_province_sibling_or_lookalike(void **state)
{
    (void)state;
    assert_false(access_has_role(district_handler, 1, ROLE_HANDLER, "/58/"));
    assert_false(access_has_role(district_handler, 1, ROLE_HANDLER, "/58/587/"));
    assert_false(access_has_role(district_handler, 1, ROLE_HANDLER, "/58/5861/"));
}

static void test_grant_gives_only_its_own_role(void **state)
{
    (void)state;
    for (int r = 0; r < ROLE_COUNT; r++)
        assert_int_equal(access_has_role(district_handler, 1, (enum role)r, "/58/586/586.03/"),
                         r == ROLE_HANDLER);
}

static void test_any_one_of_several_grants_suffices(void **state)
{
    (void)state;
    const struct access_grant grants[] = {
        {ROLE_LEADER, "586", "/58/586/"},
        {ROLE_HANDLER, "587", "/58/587/"},
        {ROLE_HANDLER, "586.03", "/58/586/586.03/"},
    };
    assert_true(access_has_role(grants, 3, ROLE_HANDLER, "/58/587/587.01/"));
    assert_true(access_has_role(grants, 3, ROLE_HANDLER, "/58/586/586.03/"));
    assert_false(access_has_role(grants, 3, ROLE_HANDLER, "/58/586/586.04/"));
    assert_true(access_has_role(grants, 3, ROLE_LEADER, "/58/586/586.04/"));
    assert_false(access_has_role(grants, 3, ROLE_LEADER, "/58/587/"));
    /* n bounds the search: the third grant is not looked at. */
    assert_false(access_has_role(grants, 2, ROLE_HANDLER, "/58/586/586.03/"));
}

static void test_no_grants_give_nothing(void **state)
{
    (void)state;
    assert_false(access_has_role(NULL, 0, ROLE_RESIDENT, "/58/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_parse_and_role_name_round_trip),
        cmocka_unit_test(test_role_parse_rejects_unknown_names),
        cmocka_unit_test(test_role_name_of_an_out_of_range_role_is_unknown),
        cmocka_unit_test(test_only_residents_are_not_officials),
        cmocka_unit_test(test_subtree_includes_the_root_and_its_descendants),
        cmocka_unit_test(test_subtree_excludes_parent_siblings_and_prefix_lookalikes),
        cmocka_unit_test(test_subtree_refuses_malformed_roots),
        cmocka_unit_test(test_grant_on_district_covers_itself_and_its_villages),
        cmocka_unit_test(test_grant_on_district_does_not_cover_province_sibling_or_lookalike),
        cmocka_unit_test(test_grant_gives_only_its_own_role),
        cmocka_unit_test(test_any_one_of_several_grants_suffices),
        cmocka_unit_test(test_no_grants_give_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
