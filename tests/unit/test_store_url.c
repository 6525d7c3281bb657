/* Unit tests for how a database's URL is printed: a PostgreSQL password never is. */
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

static void expect_shown(const char *url, const char *want)
{
    char out[256];
    store_url_shown(url, out, sizeof out);
    assert_string_equal(out, want);
}

static void test_a_password_is_hidden_and_nothing_else_changes(void **state)
{
    (void)state;
    expect_shown("postgres://akar:s3cret@db1.example.org:5432/akar",
                 "postgres://akar:***@db1.example.org:5432/akar");
    expect_shown("postgresql://akar:p%40ss@db1/akar?sslmode=verify-full",
                 "postgresql://akar:***@db1/akar?sslmode=verify-full");
    /* an '@' inside the password: the authority ends at its last '@' */
    expect_shown("postgres://akar:a@b@db1/akar", "postgres://akar:***@db1/akar");
}

static void test_urls_without_a_password_and_files_are_shown_as_given(void **state)
{
    (void)state;
    expect_shown("postgres://akar@db1/akar", "postgres://akar@db1/akar");
    expect_shown("postgres:///akar", "postgres:///akar");
    expect_shown("postgres://db1:5432/akar", "postgres://db1:5432/akar");
    /* a ':' or '@' after the authority is not a password */
    expect_shown("postgres://db1/akar?options=a:b@c", "postgres://db1/akar?options=a:b@c");
    expect_shown("/var/lib/akar/user:pw@host.db", "/var/lib/akar/user:pw@host.db");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_password_is_hidden_and_nothing_else_changes),
        cmocka_unit_test(test_urls_without_a_password_and_files_are_shown_as_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
