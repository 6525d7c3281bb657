/* Unit tests for domain/apikey: scopes and what each covers, the shape of a new key and of one
 * presented (tagged apart from session tokens), its hash, and the label rule. */
#include "domain/apikey.h"

#include "domain/account.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_scopes_are_read_and_write_and_write_covers_read(void **state)
{
    (void)state;
    assert_int_equal(apikey_scope_parse("read"), APIKEY_READ);
    assert_int_equal(apikey_scope_parse("write"), APIKEY_WRITE);
    assert_int_equal(apikey_scope_parse("admin"), -1);
    assert_int_equal(apikey_scope_parse("Read"), -1);
    assert_int_equal(apikey_scope_parse(""), -1);
    assert_int_equal(apikey_scope_parse(NULL), -1);
    assert_string_equal(apikey_scope_name(APIKEY_READ), "read");
    assert_string_equal(apikey_scope_name(APIKEY_WRITE), "write");
    assert_true(apikey_scope_covers(APIKEY_READ, APIKEY_READ));
    assert_false(apikey_scope_covers(APIKEY_READ, APIKEY_WRITE));
    assert_true(apikey_scope_covers(APIKEY_WRITE, APIKEY_READ));
    assert_true(apikey_scope_covers(APIKEY_WRITE, APIKEY_WRITE));
}

static void test_a_new_key_is_tagged_random_and_of_our_shape(void **state)
{
    (void)state;
    char a[APIKEY_CHARS + 1], b[APIKEY_CHARS + 1];
    char pa[APIKEY_PREFIX_LEN + 1], pb[APIKEY_PREFIX_LEN + 1];
    apikey_new(a, pa);
    apikey_new(b, pb);
    assert_int_equal(strlen(a), APIKEY_CHARS);
    assert_int_equal(strncmp(a, "akar_key_", 9), 0);
    assert_true(apikey_tagged(a));
    assert_true(apikey_shape_ok(a));
    assert_string_not_equal(a, b);
    assert_int_equal(strlen(pa), APIKEY_PREFIX_LEN);
    assert_int_equal(strncmp(a, pa, APIKEY_PREFIX_LEN), 0);
}

static void test_a_presented_key_of_another_shape_is_refused(void **state)
{
    (void)state;
    char key[APIKEY_CHARS + 1], prefix[APIKEY_PREFIX_LEN + 1];
    apikey_new(key, prefix);
    char bad[APIKEY_CHARS + 2];
    strcpy(bad, key);
    bad[APIKEY_CHARS - 1] = '!';
    assert_false(apikey_shape_ok(bad));
    strcpy(bad, key);
    strcat(bad, "A");
    assert_false(apikey_shape_ok(bad));
    assert_false(apikey_shape_ok(prefix));
    assert_false(apikey_shape_ok("akar_key_"));
    assert_false(apikey_shape_ok(NULL));
    /* a session token is no key, and a key no session token */
    char token[ACCOUNT_TOKEN_CHARS + 1];
    account_token_new(token);
    assert_false(apikey_tagged(token));
    assert_false(apikey_shape_ok(token));
    assert_false(account_token_shape_ok(key));
}

static void test_a_keys_hash_is_its_own(void **state)
{
    (void)state;
    char a[APIKEY_CHARS + 1], b[APIKEY_CHARS + 1], p[APIKEY_PREFIX_LEN + 1];
    apikey_new(a, p);
    apikey_new(b, p);
    unsigned char ha[32], ha2[32], hb[32], as_session[32];
    apikey_hash(a, ha);
    apikey_hash(a, ha2);
    apikey_hash(b, hb);
    account_token_hash(a, as_session);
    assert_memory_equal(ha, ha2, 32);
    assert_memory_not_equal(ha, hb, 32);
    /* keyed apart from session tokens: a key's hash is never a session's */
    assert_memory_not_equal(ha, as_session, 32);
}

static void test_a_label_is_short_text_without_control_characters(void **state)
{
    (void)state;
    assert_null(apikey_label_problem(NULL));
    assert_null(apikey_label_problem("Tổng đài 1022"));
    assert_non_null(apikey_label_problem(""));
    assert_non_null(apikey_label_problem("a\tb"));
    assert_non_null(apikey_label_problem("a\x7f"));
    assert_non_null(apikey_label_problem("\xff\xfe"));
    char label[3 * 201 + 1] = "";
    for (int i = 0; i < 200; i++)
        strcat(label, "đ");
    assert_null(apikey_label_problem(label));
    strcat(label, "đ");
    assert_non_null(apikey_label_problem(label));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scopes_are_read_and_write_and_write_covers_read),
        cmocka_unit_test(test_a_new_key_is_tagged_random_and_of_our_shape),
        cmocka_unit_test(test_a_presented_key_of_another_shape_is_refused),
        cmocka_unit_test(test_a_keys_hash_is_its_own),
        cmocka_unit_test(test_a_label_is_short_text_without_control_characters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
