/* Fuzzes utf8_valid against a reference decoder written from the well-formed byte sequence
 * table of the Unicode standard (table 3-7) rather than from code point arithmetic, so the
 * two can only agree by both being right. Any disagreement on validity or on the offset of
 * the first bad sequence aborts. */
#include "base/utf8.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Length of the well-formed sequence at s[0..n), or 0 if none starts there. */
static size_t ref_sequence(const uint8_t *s, size_t n)
{
    uint8_t lo = 0x80, hi = 0xBF;
    size_t len;
    uint8_t c = s[0];
    if (c <= 0x7F)
        return 1;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
    } else if (c == 0xE0) {
        len = 3, lo = 0xA0;
    } else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF) {
        len = 3;
    } else if (c == 0xED) {
        len = 3, hi = 0x9F;
    } else if (c == 0xF0) {
        len = 4, lo = 0x90;
    } else if (c >= 0xF1 && c <= 0xF3) {
        len = 4;
    } else if (c == 0xF4) {
        len = 4, hi = 0x8F;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    if (s[1] < lo || s[1] > hi)
        return 0;
    for (size_t k = 2; k < len; k++)
        if (s[k] < 0x80 || s[k] > 0xBF)
            return 0;
    return len;
}

static bool ref_valid(const uint8_t *s, size_t n, size_t *bad)
{
    size_t i = 0;
    while (i < n) {
        size_t len = ref_sequence(s + i, n - i);
        if (!len) {
            *bad = i;
            return false;
        }
        i += len;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t ref_bad = SIZE_MAX, bad = SIZE_MAX;
    bool want = ref_valid(data, size, &ref_bad);
    bool got = utf8_valid((const char *)data, size, &bad);
    if (got != want || (!got && bad != ref_bad)) {
        fprintf(stderr, "utf8_valid: got %d at %zu, reference %d at %zu\n", got, bad, want,
                ref_bad);
        abort();
    }
    /* NULL for bad must be accepted and give the same answer. */
    if (utf8_valid((const char *)data, size, NULL) != got)
        abort();
    return 0;
}
