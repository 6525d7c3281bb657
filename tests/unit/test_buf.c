/* Unit tests for base/buf: growth, termination, and JSON string escaping (checked against a
 * real JSON parser). */
#include "base/buf.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_append_grows_and_keeps_a_nul(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_append(&b, "ab", 2);
    assert_int_equal(b.len, 2);
    assert_string_equal(b.data, "ab");
    for (int i = 0; i < 1000; i++)
        buf_append(&b, "0123456789", 10);
    assert_int_equal(b.len, 10002);
    assert_true(b.cap > b.len);
    assert_int_equal(b.data[b.len], 0);
    assert_memory_equal(b.data + 9992, "0123456789", 10);
    buf_release(&b);
}

static void test_append_keeps_embedded_nuls_in_length(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_append(&b, "a\0b", 3);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b", 4);
    buf_release(&b);
}

static void test_puts_and_printf_append(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "units=");
    buf_printf(&b, "%d;%s", 42, "ok");
    buf_puts(&b, "");
    assert_string_equal(b.data, "units=42;ok");
    assert_int_equal(b.len, strlen("units=42;ok"));
    char big[3000];
    memset(big, 'z', sizeof big - 1);
    big[sizeof big - 1] = 0;
    buf_printf(&b, "[%s]", big);
    assert_int_equal(b.len, strlen("units=42;ok") + sizeof big + 1);
    assert_int_equal(b.data[b.len - 1], ']');
    assert_int_equal(b.data[b.len], 0);
    buf_release(&b);
}

static void test_release_empties_the_buffer(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "something");
    buf_release(&b);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.cap, 0);
    buf_puts(&b, "again");
    assert_string_equal(b.data, "again");
    buf_release(&b);
}

/* A fresh buffer holding buf_json_string(s); the caller releases it. */
static struct buf json_of(const char *s)
{
    struct buf b = {0};
    buf_json_string(&b, s);
    return b;
}

static void test_json_string_escapes_quote_backslash_and_whitespace(void **state)
{
    (void)state;
    struct buf b = json_of("say \"hi\"\\\n\r\t");
    assert_string_equal(b.data, "\"say \\\"hi\\\"\\\\\\n\\r\\t\"");
    buf_release(&b);
}

static void test_json_string_escapes_other_control_characters_as_u(void **state)
{
    (void)state;
    struct buf b = json_of("\x01\x1f\x08\x0c");
    assert_string_equal(b.data, "\"\\u0001\\u001f\\u0008\\u000c\"");
    buf_release(&b);
}

static void test_json_string_passes_utf8_and_plain_text_through(void **state)
{
    (void)state;
    struct buf b = json_of("Th\xC3\xA0nh ph\xE1\xBB\x91 H\xE1\xBB\x93 Ch\xC3\xAD Minh / </x>");
    assert_string_equal(b.data,
                        "\"Th\xC3\xA0nh ph\xE1\xBB\x91 H\xE1\xBB\x93 Ch\xC3\xAD Minh / </x>\"");
    buf_release(&b);
    b = json_of("");
    assert_string_equal(b.data, "\"\"");
    buf_release(&b);
}

static void test_json_string_appends_after_existing_text(void **state)
{
    (void)state;
    struct buf b = {0};
    buf_puts(&b, "{\"k\":");
    buf_json_string(&b, "v\"");
    buf_puts(&b, "}");
    assert_string_equal(b.data, "{\"k\":\"v\\\"\"}");
    buf_release(&b);
}

static void test_json_string_round_trips_through_a_json_parser(void **state)
{
    (void)state;
    /* Every byte from 1 to 127, then some multibyte text. */
    char s[200];
    size_t k = 0;
    for (int c = 1; c < 128; c++)
        s[k++] = (char)c;
    memcpy(s + k, "\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80", 9);
    k += 9;
    s[k] = 0;
    struct buf b = {0};
    buf_puts(&b, "[");
    buf_json_string(&b, s);
    buf_puts(&b, "]");
    json_error_t jerr;
    json_t *doc = json_loads(b.data, 0, &jerr);
    assert_non_null(doc);
    assert_true(json_is_string(json_array_get(doc, 0)));
    assert_string_equal(json_string_value(json_array_get(doc, 0)), s);
    json_decref(doc);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_append_grows_and_keeps_a_nul),
        cmocka_unit_test(test_append_keeps_embedded_nuls_in_length),
        cmocka_unit_test(test_puts_and_printf_append),
        cmocka_unit_test(test_release_empties_the_buffer),
        cmocka_unit_test(test_json_string_escapes_quote_backslash_and_whitespace),
        cmocka_unit_test(test_json_string_escapes_other_control_characters_as_u),
        cmocka_unit_test(test_json_string_passes_utf8_and_plain_text_through),
        cmocka_unit_test(test_json_string_appends_after_existing_text),
        cmocka_unit_test(test_json_string_round_trips_through_a_json_parser),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
