/* Unit tests for base/xml: the five markup characters are escaped, text XML 1.0 forbids is
 * dropped, and well-formed UTF-8 passes untouched. */
#include "base/xml.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void check(const char *in, const char *want)
{
    struct buf b = {0};
    buf_puts(&b, "[");
    xml_text(&b, in);
    buf_puts(&b, "]");
    size_t n = strlen(want);
    assert_int_equal(b.len, n + 2);
    assert_memory_equal(b.data + 1, want, n);
    buf_release(&b);
}

static void test_markup_characters_are_escaped(void **state)
{
    (void)state;
    check("a & b < c > d \"e\" 'f'", "a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;");
    check("&amp;", "&amp;amp;");
    check("</title><x>", "&lt;/title&gt;&lt;x&gt;");
}

static void test_forbidden_control_characters_are_dropped(void **state)
{
    (void)state;
    check("a\x01"
          "b\x08"
          "c\x0B"
          "d\x0C"
          "e\x1F"
          "f",
          "abcdef");
    check("tab\tline\ncr\r", "tab\tline\ncr\r");
}

static void test_utf8_passes_through(void **state)
{
    (void)state;
    check("Đường Lê Lợi – 😀", "Đường Lê Lợi – 😀");
    check("", "");
}

static void test_malformed_utf8_and_noncharacters_are_dropped(void **state)
{
    (void)state;
    check("a\xFF"
          "b",
          "ab");         /* never a UTF-8 byte */
    check("a\xC3", "a"); /* cut short at the end */
    check("a\xC3"
          "b",
          "ab"); /* cut short inside */
    check("a\xC0\xAF"
          "b",
          "a"
          "b"); /* overlong "/" */
    check("a\xED\xA0\x80"
          "b",
          "ab"); /* a surrogate */
    check("a\xEF\xBF\xBE"
          "b",
          "ab"); /* U+FFFE */
    check("a\xEF\xBF\xBF"
          "b",
          "ab"); /* U+FFFF */
    check("a\xF4\x90\x80\x80"
          "b",
          "ab"); /* above U+10FFFF */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_markup_characters_are_escaped),
        cmocka_unit_test(test_forbidden_control_characters_are_dropped),
        cmocka_unit_test(test_utf8_passes_through),
        cmocka_unit_test(test_malformed_utf8_and_noncharacters_are_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
