/* Unit tests for web/html: every value is escaped unless the format says %r, in text and in
 * attributes; numbers of each width; NULL prints nothing; URL query values; and the QR code of
 * a receipt (web/qr.c), which is markup built from the same pieces. */
#include "base/arena.h"
#include "base/buf.h"
#include "web/html.h"
#include "web/resident.h"

#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

/* html_fmt into a fresh buffer; the caller frees the result with buf_release. */
#define FMT(b, ...)                                                                                \
    do {                                                                                           \
        (b) = (struct buf){0};                                                                     \
        html_fmt(&(b), __VA_ARGS__);                                                               \
    } while (0)

static void test_escape_replaces_the_five_markup_characters(void **state)
{
    (void)state;
    struct buf b = {0};
    html_escape(&b, "a & b < c > d \" e ' f");
    assert_string_equal(b.data, "a &amp; b &lt; c &gt; d &quot; e &#39; f");
    buf_release(&b);
}

static void test_escape_keeps_utf8_and_plain_text_as_is(void **state)
{
    (void)state;
    struct buf b = {0};
    html_escape(&b, "Xã Vĩnh Hải — Đất đai");
    assert_string_equal(b.data, "Xã Vĩnh Hải — Đất đai");
    buf_release(&b);
}

static void test_escape_of_null_appends_nothing(void **state)
{
    (void)state;
    struct buf b = {0};
    html_escape(&b, "x");
    html_escape(&b, NULL);
    html_escape(&b, "");
    assert_string_equal(b.data, "x");
    buf_release(&b);
}

static void test_s_escapes_a_script_in_text_and_in_an_attribute(void **state)
{
    (void)state;
    struct buf b;
    FMT(b, "<p title=\"%s\">%s</p>", "\"><script>alert(1)</script>", "<script>x</script>");
    assert_string_equal(b.data, "<p title=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"
                                "&lt;script&gt;x&lt;/script&gt;</p>");
    buf_release(&b);
}

static void test_r_inserts_markup_unchanged(void **state)
{
    (void)state;
    struct buf b;
    FMT(b, "<div>%r|%s</div>", "<b>&amp;</b>", "<b>");
    assert_string_equal(b.data, "<div><b>&amp;</b>|&lt;b&gt;</div>");
    buf_release(&b);
}

static void test_null_prints_nothing_for_s_and_r(void **state)
{
    (void)state;
    struct buf b;
    FMT(b, "[%s][%r]", (const char *)NULL, (const char *)NULL);
    assert_string_equal(b.data, "[][]");
    buf_release(&b);
}

static void test_numbers_of_each_width_and_the_percent_sign(void **state)
{
    (void)state;
    struct buf b;
    FMT(b, "%d %u %ld %lld %zu 100%%", -42, 4000000000u, -7L, LLONG_MIN, (size_t)18);
    assert_string_equal(b.data, "-42 4000000000 -7 -9223372036854775808 18 100%");
    buf_release(&b);
}

static void test_the_format_itself_is_copied_as_markup(void **state)
{
    (void)state;
    struct buf b;
    FMT(b, "<a href=\"/x?a=1&amp;b=2\">'ok'</a>");
    assert_string_equal(b.data, "<a href=\"/x?a=1&amp;b=2\">'ok'</a>");
    buf_release(&b);
}

static void test_fmt_arena_gives_a_string_that_can_be_passed_on_raw(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char *frag = html_fmt_arena(a, "<i>%s</i>", "a<b");
    assert_string_equal(frag, "<i>a&lt;b</i>");
    assert_string_equal(html_fmt_arena(a, "%s", ""), "");
    struct buf b;
    FMT(b, "<p>%r</p>", frag);
    assert_string_equal(b.data, "<p><i>a&lt;b</i></p>");
    buf_release(&b);
    arena_free(a);
}

static void test_url_value_keeps_unreserved_and_encodes_the_rest(void **state)
{
    (void)state;
    struct buf b = {0};
    html_url_value(&b, "/track/K7QM-3HPA-2XB?x=1&y=ă ~._");
    assert_string_equal(b.data, "%2Ftrack%2FK7QM-3HPA-2XB%3Fx%3D1%26y%3D%C4%83%20~._");
    buf_release(&b);
}

static void test_a_qr_code_is_an_svg_image_with_its_label_escaped(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    const char *svg =
        web_qr_svg(a, "https://akar.example/track/K7QM-3HPA-2XB", "Mã QR \"tra cứu\" <đơn>");
    assert_non_null(svg);
    const char *vb = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ";
    assert_int_equal(strncmp(svg, vb, strlen(vb)), 0);
    assert_non_null(
        strstr(svg, "role=\"img\" aria-label=\"Mã QR &quot;tra cứu&quot; &lt;đơn&gt;\""));
    assert_non_null(strstr(svg, "<path fill=\"#000\" d=\"M"));
    assert_null(strstr(svg, "<script"));
    assert_int_equal(strcmp(svg + strlen(svg) - 6, "</svg>"), 0);
    /* version 3 (29 modules) or more, with a quiet zone of 4 on each side */
    int side = 0;
    assert_int_equal(sscanf(svg + strlen(vb), "%d", &side), 1);
    assert_true(side >= 29 + 8);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_escape_replaces_the_five_markup_characters),
        cmocka_unit_test(test_escape_keeps_utf8_and_plain_text_as_is),
        cmocka_unit_test(test_escape_of_null_appends_nothing),
        cmocka_unit_test(test_s_escapes_a_script_in_text_and_in_an_attribute),
        cmocka_unit_test(test_r_inserts_markup_unchanged),
        cmocka_unit_test(test_null_prints_nothing_for_s_and_r),
        cmocka_unit_test(test_numbers_of_each_width_and_the_percent_sign),
        cmocka_unit_test(test_the_format_itself_is_copied_as_markup),
        cmocka_unit_test(test_fmt_arena_gives_a_string_that_can_be_passed_on_raw),
        cmocka_unit_test(test_url_value_keeps_unreserved_and_encodes_the_rest),
        cmocka_unit_test(test_a_qr_code_is_an_svg_image_with_its_label_escaped),
    };
    return cmocka_run_group_tests_name("html", tests, NULL, NULL);
}
