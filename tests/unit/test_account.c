/* Unit tests for domain/account: the password rules (length in characters, UTF-8), Argon2id
 * hashing, login names, and session token shape and hashing. */
#include "domain/account.h"

#include "base/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int setup(void **state)
{
    (void)state;
    return account_init() == 0 ? 0 : -1;
}

/* True if pw has a problem whose message contains word. */
static bool problem_mentions(const char *pw, const char *word)
{
    const char *p = account_password_problem(pw);
    return p && strstr(p, word);
}

static void test_password_of_ten_characters_is_accepted(void **state)
{
    (void)state;
    assert_null(account_password_problem("0123456789"));
    assert_null(account_password_problem("correct horse battery staple"));
}

static void test_password_under_ten_characters_is_too_short(void **state)
{
    (void)state;
    assert_true(problem_mentions("", "fewer"));
    assert_true(problem_mentions("012345678", "fewer"));
}

static void test_password_length_counts_characters_not_bytes(void **state)
{
    (void)state;
    /* Five two-byte characters: 10 bytes but only 5 characters. */
    assert_true(problem_mentions("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", "fewer"));
    /* Nine three-byte characters: 27 bytes, 9 characters. */
    assert_true(problem_mentions("\xE1\xBB\x91\xE1\xBB\x91\xE1\xBB\x91\xE1\xBB\x91\xE1\xBB\x91"
                                 "\xE1\xBB\x91\xE1\xBB\x91\xE1\xBB\x91\xE1\xBB\x91",
                                 "fewer"));
    /* Ten two-byte characters. */
    assert_null(account_password_problem(
        "\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9"));
    /* Ten four-byte characters. */
    assert_null(account_password_problem("\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
                                         "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
                                         "\xF0\x9F\x98\x80\xF0\x9F\x98\x80\xF0\x9F\x98\x80"
                                         "\xF0\x9F\x98\x80"));
}

static void test_password_over_1024_bytes_is_too_long(void **state)
{
    (void)state;
    char pw[ACCOUNT_PASSWORD_MAX + 2];
    memset(pw, 'p', ACCOUNT_PASSWORD_MAX);
    pw[ACCOUNT_PASSWORD_MAX] = 0;
    assert_null(account_password_problem(pw));
    pw[ACCOUNT_PASSWORD_MAX] = 'p';
    pw[ACCOUNT_PASSWORD_MAX + 1] = 0;
    assert_true(problem_mentions(pw, "longer"));
}

static void test_password_that_is_not_utf8_is_refused(void **state)
{
    (void)state;
    assert_true(problem_mentions("0123456789\xFF", "UTF-8"));
    assert_true(problem_mentions("0123456789\xC0\xAF", "UTF-8"));     /* overlong '/' */
    assert_true(problem_mentions("0123456789\xED\xA0\x80", "UTF-8")); /* surrogate */
    assert_true(problem_mentions("\xC3", "UTF-8"));
}

static void test_hash_and_check_round_trip_and_wrong_password_fails(void **state)
{
    (void)state;
    char hash[ACCOUNT_HASH_MAX];
    assert_int_equal(account_hash_password("correct horse battery", hash), 0);
    assert_non_null(strstr(hash, "$argon2id$"));
    assert_true(account_check_password(hash, "correct horse battery"));
    assert_false(account_check_password(hash, "correct horse batterY"));
    assert_false(account_check_password(hash, "correct horse battery "));
    assert_false(account_check_password(hash, ""));
}

static void test_same_password_hashes_differently_each_time(void **state)
{
    (void)state;
    char h1[ACCOUNT_HASH_MAX], h2[ACCOUNT_HASH_MAX];
    assert_int_equal(account_hash_password("s\xC3\xA9same ouvre-toi", h1), 0);
    assert_int_equal(account_hash_password("s\xC3\xA9same ouvre-toi", h2), 0);
    assert_string_not_equal(h1, h2);
    assert_true(account_check_password(h2, "s\xC3\xA9same ouvre-toi"));
    assert_true(account_check_password(h1, "s\xC3\xA9same ouvre-toi"));
}

static void test_hash_refuses_a_password_with_a_problem(void **state)
{
    (void)state;
    char hash[ACCOUNT_HASH_MAX] = "untouched";
    assert_int_equal(account_hash_password("short", hash), AKAR_EINVAL);
    assert_int_equal(account_hash_password("0123456789\xFF", hash), AKAR_EINVAL);
    assert_string_equal(hash, "untouched");
}

static void test_check_against_garbage_hash_fails(void **state)
{
    (void)state;
    assert_false(account_check_password("not a hash", "0123456789"));
    assert_false(account_check_password("", "0123456789"));
}

static void test_login_names_follow_the_rule(void **state)
{
    (void)state;
    assert_true(account_login_valid("abc"));
    assert_true(account_login_valid("nguyen.van-a_1"));
    assert_true(account_login_valid("9lives"));
    assert_false(account_login_valid("ab"));
    assert_false(account_login_valid(""));
    assert_false(account_login_valid("Admin"));
    assert_false(account_login_valid(".abc"));
    assert_false(account_login_valid("-abc"));
    assert_false(account_login_valid("a b c"));
    assert_false(account_login_valid("abc@x"));
    assert_false(account_login_valid("ng\xC3\xBAyen"));
    char login[66];
    memset(login, 'a', 64);
    login[64] = 0;
    assert_true(account_login_valid(login));
    login[64] = 'a';
    login[65] = 0;
    assert_false(account_login_valid(login));
}

static bool base64url_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

static void test_new_token_is_43_base64url_characters(void **state)
{
    (void)state;
    for (int i = 0; i < 20; i++) {
        char t[ACCOUNT_TOKEN_CHARS + 1];
        account_token_new(t);
        assert_int_equal(strlen(t), 43);
        for (size_t k = 0; k < 43; k++)
            assert_true(base64url_char(t[k]));
        assert_true(account_token_shape_ok(t));
    }
}

static void test_new_tokens_differ(void **state)
{
    (void)state;
    char a[ACCOUNT_TOKEN_CHARS + 1], b[ACCOUNT_TOKEN_CHARS + 1];
    account_token_new(a);
    account_token_new(b);
    assert_string_not_equal(a, b);
}

static void test_token_shape_rejects_wrong_length_and_alphabet(void **state)
{
    (void)state;
    char t[ACCOUNT_TOKEN_CHARS + 2];
    memset(t, 'A', 43);
    t[43] = 0;
    assert_true(account_token_shape_ok(t));
    t[42] = 0;
    assert_false(account_token_shape_ok(t)); /* 42 */
    t[42] = 'A';
    t[43] = 'A';
    t[44] = 0;
    assert_false(account_token_shape_ok(t)); /* 44 */
    t[43] = 0;
    const char bad[] = {'+', '/', '=', ' ', '.', '\xC3'};
    for (size_t i = 0; i < sizeof bad; i++) {
        t[20] = bad[i];
        assert_false(account_token_shape_ok(t));
    }
    assert_false(account_token_shape_ok(""));
    assert_false(account_token_shape_ok(NULL));
}

static void test_token_hash_is_deterministic_and_differs_per_token(void **state)
{
    (void)state;
    char a[ACCOUNT_TOKEN_CHARS + 1], b[ACCOUNT_TOKEN_CHARS + 1];
    account_token_new(a);
    memcpy(b, a, sizeof b);
    b[0] = b[0] == 'A' ? 'B' : 'A';
    unsigned char ha1[32], ha2[32], hb[32];
    account_token_hash(a, ha1);
    account_token_hash(a, ha2);
    account_token_hash(b, hb);
    assert_memory_equal(ha1, ha2, 32);
    assert_memory_not_equal(ha1, hb, 32);
    /* The stored hash is not the token's own bytes. */
    assert_memory_not_equal(ha1, a, 32);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_password_of_ten_characters_is_accepted),
        cmocka_unit_test(test_password_under_ten_characters_is_too_short),
        cmocka_unit_test(test_password_length_counts_characters_not_bytes),
        cmocka_unit_test(test_password_over_1024_bytes_is_too_long),
        cmocka_unit_test(test_password_that_is_not_utf8_is_refused),
        cmocka_unit_test(test_hash_and_check_round_trip_and_wrong_password_fails),
        cmocka_unit_test(test_same_password_hashes_differently_each_time),
        cmocka_unit_test(test_hash_refuses_a_password_with_a_problem),
        cmocka_unit_test(test_check_against_garbage_hash_fails),
        cmocka_unit_test(test_login_names_follow_the_rule),
        cmocka_unit_test(test_new_token_is_43_base64url_characters),
        cmocka_unit_test(test_new_tokens_differ),
        cmocka_unit_test(test_token_shape_rejects_wrong_length_and_alphabet),
        cmocka_unit_test(test_token_hash_is_deterministic_and_differs_per_token),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
