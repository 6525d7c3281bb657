/* Unit tests for domain/totp: RFC 6238's SHA-1 vectors (cut to six digits), the window of one
 * step either side, refusal of a step used already (replay), malformed codes, fresh secrets and
 * the enrolment URI. */
#include "domain/totp.h"

#include "base/arena.h"
#include "base/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>
#include <sodium.h>

/* RFC 6238 appendix B's seed "12345678901234567890" in base32. */
#define RFC_SECRET "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"

static void test_rfc6238_vectors_give_the_last_six_digits(void **state)
{
    (void)state;
    static const struct {
        int64_t t;
        const char *code;
    } v[] = {{59, "287082"},         {1111111109, "081804"}, {1111111111, "050471"},
             {1234567890, "005924"}, {2000000000, "279037"}, {20000000000, "353130"}};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char out[TOTP_DIGITS + 1];
        assert_int_equal(totp_code(RFC_SECRET, totp_step(v[i].t), out), 0);
        assert_string_equal(out, v[i].code);
        int64_t step = 0;
        assert_int_equal(totp_check(RFC_SECRET, v[i].code, v[i].t, 0, &step), 0);
        assert_int_equal(step, totp_step(v[i].t));
    }
}

static void test_one_step_of_drift_either_side_is_accepted_two_are_not(void **state)
{
    (void)state;
    int64_t now = 1700000015, t = totp_step(now);
    char code[TOTP_DIGITS + 1];
    int64_t step;
    for (int d = -1; d <= 1; d++) {
        assert_int_equal(totp_code(RFC_SECRET, t + d, code), 0);
        assert_int_equal(totp_check(RFC_SECRET, code, now, 0, &step), 0);
        assert_int_equal(step, t + d);
    }
    assert_int_equal(totp_code(RFC_SECRET, t - 2, code), 0);
    assert_int_equal(totp_check(RFC_SECRET, code, now, 0, &step), AKAR_EINVAL);
    assert_int_equal(totp_code(RFC_SECRET, t + 2, code), 0);
    assert_int_equal(totp_check(RFC_SECRET, code, now, 0, &step), AKAR_EINVAL);
}

static void test_a_code_is_refused_at_or_before_the_last_step_used(void **state)
{
    (void)state;
    int64_t now = 1700000015, t = totp_step(now), step;
    char code[TOTP_DIGITS + 1];
    assert_int_equal(totp_code(RFC_SECRET, t, code), 0);
    assert_int_equal(totp_check(RFC_SECRET, code, now, t, &step), AKAR_ECONFLICT);
    assert_int_equal(totp_check(RFC_SECRET, code, now, t + 1, &step), AKAR_ECONFLICT);
    assert_int_equal(totp_check(RFC_SECRET, code, now, t - 1, &step), 0);
    /* the next step's code is still good after this one was used */
    assert_int_equal(totp_code(RFC_SECRET, t + 1, code), 0);
    assert_int_equal(totp_check(RFC_SECRET, code, now, t, &step), 0);
    assert_int_equal(step, t + 1);
}

static void test_malformed_codes_and_secrets_are_refused(void **state)
{
    (void)state;
    int64_t step;
    static const char *const bad[] = {"", "28708", "2870822", "28708a", "-28708", "287082\n", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(totp_check(RFC_SECRET, bad[i], 59, 0, &step), AKAR_EINVAL);
    assert_int_equal(totp_check(RFC_SECRET, "287 082", 59, 0, &step), 0);
    assert_int_equal(totp_check("GEZDGNBVGY3TQOJQ", "287082", 59, 0, &step), AKAR_EINVAL);
    assert_int_equal(totp_check("gezdgnbvgy3tqojqgezdgnbvgy3tqojq", "287082", 59, 0, &step),
                     AKAR_EINVAL);
    char out[TOTP_DIGITS + 1];
    assert_int_equal(totp_code("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJ1", 1, out), AKAR_EINVAL);
}

static void test_fresh_secrets_are_base32_and_differ(void **state)
{
    (void)state;
    char a[TOTP_SECRET_CHARS + 1], b[TOTP_SECRET_CHARS + 1];
    totp_secret_new(a);
    totp_secret_new(b);
    assert_true(totp_secret_valid(a));
    assert_true(totp_secret_valid(b));
    assert_string_not_equal(a, b);
    char code[TOTP_DIGITS + 1];
    assert_int_equal(totp_code(a, 56666666, code), 0);
    assert_int_equal(strlen(code), TOTP_DIGITS);
}

static void test_the_uri_names_issuer_login_and_parameters(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(totp_uri(a, "handler.vinhhai", RFC_SECRET),
                        "otpauth://totp/akar:handler.vinhhai?secret=" RFC_SECRET
                        "&issuer=akar&algorithm=SHA1&digits=6&period=30");
    arena_free(a);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc6238_vectors_give_the_last_six_digits),
        cmocka_unit_test(test_one_step_of_drift_either_side_is_accepted_two_are_not),
        cmocka_unit_test(test_a_code_is_refused_at_or_before_the_last_step_used),
        cmocka_unit_test(test_malformed_codes_and_secrets_are_refused),
        cmocka_unit_test(test_fresh_secrets_are_base32_and_differ),
        cmocka_unit_test(test_the_uri_names_issuer_login_and_parameters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
