/* Unit tests for the pure parts of notify/: RFC 2047 subjects, quoted-printable bodies, the
 * composed message and its refusal of header injection, webhook signatures (RFC 4231 vectors)
 * and the retry schedule. */
#include "base/buf.h"
#include "base/err.h"
#include "base/utf8.h"
#include "notify/mail.h"
#include "notify/notify.h"
#include "notify/webhook.h"

#include <setjmp.h>
#include <sodium.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define SUBJECT_VI "Thông báo: phản ánh của bạn về đường hỏng ở thôn Khánh Hội đã được tiếp nhận"

/* Decodes a header value made of "=?UTF-8?B?...?=" words separated by CRLF SP folds, checking
 * each word's and each line's length and that every word holds whole UTF-8 characters. */
static void decode_words(const char *value, size_t used, struct buf *out)
{
    const char *p = value;
    size_t col = used;
    while (*p) {
        if (strncmp(p, "\r\n ", 3) == 0) {
            p += 3;
            col = 1;
        }
        assert_true(strncmp(p, "=?UTF-8?B?", 10) == 0);
        const char *end = strstr(p + 10, "?=");
        assert_non_null(end);
        size_t word = (size_t)(end + 2 - p);
        assert_true(word <= 75);
        col += word;
        assert_true(col <= 78);
        unsigned char bin[64];
        size_t n = 0;
        assert_int_equal(sodium_base642bin(bin, sizeof bin, p + 10, (size_t)(end - p - 10), NULL,
                                           &n, NULL, sodium_base64_VARIANT_ORIGINAL),
                         0);
        assert_true(utf8_valid((const char *)bin, n, NULL));
        buf_append(out, bin, n);
        p = end + 2;
    }
}

static void test_short_ascii_subject_is_kept_as_it_is(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(mail_header_text(&b, "Your case VN-7Q2K was accepted", 9), 0);
    assert_string_equal(b.data, "Your case VN-7Q2K was accepted");
    buf_release(&b);
}

static void test_vietnamese_subject_becomes_folded_utf8_encoded_words(void **state)
{
    (void)state;
    struct buf b = {0}, back = {0};
    assert_int_equal(mail_header_text(&b, SUBJECT_VI, 9), 0);
    for (const unsigned char *p = (const unsigned char *)b.data; *p; p++)
        assert_true(*p < 0x80);
    assert_non_null(strstr(b.data, "\r\n =?UTF-8?B?")); /* too long for one word */
    decode_words(b.data, 9, &back);
    assert_string_equal(back.data, SUBJECT_VI);
    buf_release(&b);
    buf_release(&back);
}

static void test_ascii_that_looks_like_an_encoded_word_is_encoded(void **state)
{
    (void)state;
    struct buf b = {0}, back = {0};
    assert_int_equal(mail_header_text(&b, "=?UTF-8?B?SGk=?=", 9), 0);
    decode_words(b.data, 9, &back);
    assert_string_equal(back.data, "=?UTF-8?B?SGk=?=");
    buf_release(&b);
    buf_release(&back);
}

static void test_header_text_with_a_line_break_is_refused(void **state)
{
    (void)state;
    struct buf b = {0};
    assert_int_equal(mail_header_text(&b, "Hi\r\nBcc: eve@example.org", 9), AKAR_EINVAL);
    assert_int_equal(mail_header_text(&b, "Hi\nBcc: eve@example.org", 9), AKAR_EINVAL);
    assert_int_equal(mail_header_text(&b, "Chào\rBcc: eve@example.org", 9), AKAR_EINVAL);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_quoted_printable_escapes_what_it_must(void **state)
{
    (void)state;
    struct buf b = {0};
    mail_quoted_printable(&b, "a=b\ntrailing space \r\nchào\n");
    assert_string_equal(b.data, "a=3Db\r\ntrailing space=20\r\nch=C3=A0o\r\n");
    buf_release(&b);
}

static void test_quoted_printable_breaks_long_lines_softly(void **state)
{
    (void)state;
    char line[301];
    memset(line, 'x', 300);
    line[300] = 0;
    memcpy(line + 74, "==", 2); /* an escape right at the edge must not be cut */
    struct buf b = {0}, back = {0};
    mail_quoted_printable(&b, line);
    for (char *p = b.data; *p;) {
        char *end = strstr(p, "\r\n");
        assert_non_null(end);
        assert_true(end - p <= 76);
        /* undo the encoding: drop soft breaks, turn =3D back into = */
        size_t n = (size_t)(end - p);
        bool soft = n > 0 && p[n - 1] == '=';
        for (size_t i = 0; i < n - soft; i++) {
            if (p[i] == '=') {
                assert_true(strncmp(p + i, "=3D", 3) == 0);
                buf_puts(&back, "=");
                i += 2;
            } else {
                buf_append(&back, p + i, 1);
            }
        }
        p = end + 2;
    }
    assert_string_equal(back.data, line);
    buf_release(&b);
    buf_release(&back);
}

static void test_composed_message_has_every_header_and_a_7bit_body(void **state)
{
    (void)state;
    struct mail_msg m = {.from = "akar@example.org",
                         .to = "dan@example.org",
                         .subject = "Đã tiếp nhận",
                         .body = "Xin chào\n",
                         .message_id = "akar.7.00ff@example.org",
                         .date_ms = 1709251199000}; /* 2024-02-29T23:59:59Z */
    struct buf b = {0};
    assert_int_equal(mail_compose(&b, &m), 0);
    assert_string_equal(b.data, "Date: Thu, 29 Feb 2024 23:59:59 +0000\r\n"
                                "From: akar@example.org\r\n"
                                "To: dan@example.org\r\n"
                                "Subject: =?UTF-8?B?xJDDoyB0aeG6v3Agbmjhuq1u?=\r\n"
                                "Message-ID: <akar.7.00ff@example.org>\r\n"
                                "MIME-Version: 1.0\r\n"
                                "Content-Type: text/plain; charset=utf-8\r\n"
                                "Content-Transfer-Encoding: quoted-printable\r\n"
                                "Auto-Submitted: auto-generated\r\n"
                                "\r\n"
                                "Xin ch=C3=A0o\r\n");
    buf_release(&b);
}

static void test_compose_refuses_injection_and_leaves_the_buffer_alone(void **state)
{
    (void)state;
    struct mail_msg good = {.from = "akar@example.org",
                            .to = "dan@example.org",
                            .subject = "Hi",
                            .body = "x\n",
                            .message_id = "akar.1.ab@example.org",
                            .date_ms = 0};
    struct mail_msg m = good;
    struct buf b = {0};
    m.subject = "Hi\r\nBcc: eve@example.org";
    assert_int_equal(mail_compose(&b, &m), AKAR_EINVAL);
    m = good;
    m.to = "dan@example.org\r\nBcc: eve@example.org";
    assert_int_equal(mail_compose(&b, &m), AKAR_EINVAL);
    m = good;
    m.to = "dan@example.org>\r\nRCPT TO:<eve@example.org";
    assert_int_equal(mail_compose(&b, &m), AKAR_EINVAL);
    m = good;
    m.from = "Akar <akar@example.org>";
    assert_int_equal(mail_compose(&b, &m), AKAR_EINVAL);
    assert_int_equal(b.len, 0);
    assert_int_equal(mail_compose(&b, &good), 0);
    assert_true(strncmp(b.data, "Date: Thu, 01 Jan 1970 00:00:00 +0000\r\n", 39) == 0);
    buf_release(&b);
}

static void test_only_plain_addresses_are_accepted(void **state)
{
    (void)state;
    assert_true(mail_address_ok("dan@example.org"));
    assert_true(mail_address_ok("ban.tiep-dan+ubnd@ninhthuan.gov.vn"));
    assert_false(mail_address_ok(""));
    assert_false(mail_address_ok("dan"));
    assert_false(mail_address_ok("@example.org"));
    assert_false(mail_address_ok("dan@"));
    assert_false(mail_address_ok("dan@a@b"));
    assert_false(mail_address_ok("dan @example.org"));
    assert_false(mail_address_ok("<dan@example.org>"));
    assert_false(mail_address_ok("dan@example.org,eve@example.org"));
    assert_false(mail_address_ok("dân@example.org"));
}

/* RFC 4231 test cases 1, 2 and 6 (a key longer than the block, hashed first). */
static void test_webhook_signature_is_hex_hmac_sha256(void **state)
{
    (void)state;
    char sig[WEBHOOK_SIGNATURE_SIZE], key1[21], key6[132];
    memset(key1, 0x0b, 20);
    key1[20] = 0;
    webhook_signature(key1, "Hi There", 8, sig);
    assert_string_equal(sig,
                        "sha256=b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    webhook_signature("Jefe", "what do ya want for nothing?", 28, sig);
    assert_string_equal(sig,
                        "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    memset(key6, 0xaa, 131);
    key6[131] = 0;
    const char *data = "Test Using Larger Than Block-Size Key - Hash Key First";
    webhook_signature(key6, data, strlen(data), sig);
    assert_string_equal(sig,
                        "sha256=60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_backoff_grows_then_gives_up_after_ten_attempts(void **state)
{
    (void)state;
    const int64_t s = 1000, m = 60 * s, h = 60 * m;
    const int64_t want[] = {30 * s, 2 * m, 10 * m, 1 * h, 6 * h, 24 * h, 24 * h, 24 * h, 24 * h};
    for (int i = 0; i < 9; i++)
        assert_int_equal(notify_backoff_ms(i + 1, 1), want[i]);
    assert_int_equal(notify_backoff_ms(NOTIFY_MAX_ATTEMPTS, 1), -1);
    assert_int_equal(notify_backoff_ms(NOTIFY_MAX_ATTEMPTS + 1, 1), -1);
    assert_int_equal(notify_backoff_ms(1, 0.001), 30);
    assert_int_equal(notify_backoff_ms(4, 0.001), 3600);
    assert_int_equal(notify_backoff_ms(1, 0.000001), 1); /* never 0: no busy loop */
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_short_ascii_subject_is_kept_as_it_is),
        cmocka_unit_test(test_vietnamese_subject_becomes_folded_utf8_encoded_words),
        cmocka_unit_test(test_ascii_that_looks_like_an_encoded_word_is_encoded),
        cmocka_unit_test(test_header_text_with_a_line_break_is_refused),
        cmocka_unit_test(test_quoted_printable_escapes_what_it_must),
        cmocka_unit_test(test_quoted_printable_breaks_long_lines_softly),
        cmocka_unit_test(test_composed_message_has_every_header_and_a_7bit_body),
        cmocka_unit_test(test_compose_refuses_injection_and_leaves_the_buffer_alone),
        cmocka_unit_test(test_only_plain_addresses_are_accepted),
        cmocka_unit_test(test_webhook_signature_is_hex_hmac_sha256),
        cmocka_unit_test(test_backoff_grows_then_gives_up_after_ten_attempts),
    };
    return cmocka_run_group_tests_name("notify", tests, NULL, NULL);
}
