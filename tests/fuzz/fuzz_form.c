/* Fuzzes form_parse and form_get against a reference decoder kept deliberately simple
 * (decode everything, then judge), and checks the promises of form.h: on success every name
 * is non-empty and every name and value is valid UTF-8 without NUL, at most max_fields of
 * them; on failure the form is empty and bad_offset is the first offending byte. The first
 * input byte chooses max_fields; the rest is the form. */
#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "http/form.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int hex(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into out (room for n bytes) with in_at[k] the offset in s that produced
 * out[k]. Returns the decoded length, or -1 with *bad the offset of a broken escape or NUL,
 * or of the byte that begins the first invalid UTF-8 sequence. */
static long ref_decode(const uint8_t *s, size_t n, uint8_t *out, size_t *in_at, size_t *bad)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        in_at[k] = i;
        if (s[i] == '%') {
            if (i + 2 >= n || hex(s[i + 1]) < 0 || hex(s[i + 2]) < 0) {
                *bad = i;
                return -1;
            }
            out[k] = (uint8_t)(hex(s[i + 1]) * 16 + hex(s[i + 2]));
            if (out[k] == 0) {
                *bad = i;
                return -1;
            }
            i += 2;
        } else if (s[i] == 0) {
            *bad = i;
            return -1;
        } else {
            out[k] = s[i] == '+' ? ' ' : s[i];
        }
        k++;
    }
    size_t where;
    if (!utf8_valid((const char *)out, k, &where)) {
        *bad = in_at[where];
        return -1;
    }
    return (long)k;
}

/* The field the reference finds in s[start..end), compared with got (NULL on failure).
 * Returns false with *bad set if the field is malformed. */
static bool ref_field(const uint8_t *s, size_t start, size_t end, const struct form_field *got,
                      size_t *bad)
{
    size_t n = end - start;
    uint8_t *buf = malloc(n + 1);
    size_t *in_at = malloc((n + 1) * sizeof *in_at);
    const uint8_t *eq = memchr(s + start, '=', n);
    size_t name_len = eq ? (size_t)(eq - (s + start)) : n;
    size_t vstart = eq ? start + name_len + 1 : end;
    bool ok = false;
    long len;
    if (name_len == 0) {
        *bad = start;
        goto done;
    }
    len = ref_decode(s + start, name_len, buf, in_at, bad);
    if (len < 0) {
        *bad += start;
        goto done;
    }
    if (got)
        CHECK(strlen(got->name) == (size_t)len && memcmp(got->name, buf, (size_t)len) == 0);
    len = ref_decode(s + vstart, end - vstart, buf, in_at, bad);
    if (len < 0) {
        *bad += vstart;
        goto done;
    }
    if (got)
        CHECK(strlen(got->value) == (size_t)len && memcmp(got->value, buf, (size_t)len) == 0);
    ok = true;
done:
    free(buf);
    free(in_at);
    return ok;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t max_fields = 1 + data[0] % 32;
    const uint8_t *s = data + 1;
    size_t len = size - 1;
    /* An exact-size copy so that ASan sees any read past the end. */
    char *copy = malloc(len ? len : 1);
    memcpy(copy, s, len);

    struct arena *a = arena_new();
    struct form f;
    size_t bad = SIZE_MAX;
    int rc = form_parse(a, copy, len, max_fields, &f, &bad);
    CHECK(rc == 0 || rc == AKAR_EINVAL);

    size_t amps = 0;
    for (size_t i = 0; i < len; i++)
        amps += s[i] == '&';
    if (len > 0 && amps + 1 > max_fields) {
        CHECK(rc == AKAR_EINVAL && bad == 0);
        goto done;
    }

    /* Walk the fields with the reference, in order; the first malformed one decides. */
    size_t nfield = 0, start = 0, want_bad = 0;
    bool want_ok = true;
    while (len > 0 && start <= len && want_ok) {
        size_t end = start;
        while (end < len && s[end] != '&')
            end++;
        if (end > start) {
            const struct form_field *got = rc == 0 && nfield < f.n ? &f.fields[nfield] : NULL;
            if (rc == 0)
                CHECK(got);
            want_ok = ref_field(s, start, end, got, &want_bad);
            nfield++;
        }
        start = end + 1;
    }
    if (!want_ok) {
        if (rc != AKAR_EINVAL || bad != want_bad) {
            fprintf(stderr, "form_parse: rc %d bad %zu; reference wants failure at %zu\n", rc, bad,
                    want_bad);
            abort();
        }
        CHECK(f.n == 0 && f.fields == NULL);
        goto done;
    }
    CHECK(rc == 0);
    CHECK(f.n == nfield && f.n <= max_fields);
    for (size_t i = 0; i < f.n; i++) {
        const char *name = f.fields[i].name, *value = f.fields[i].value;
        CHECK(name && value && name[0]);
        CHECK(utf8_valid(name, strlen(name), NULL) && utf8_valid(value, strlen(value), NULL));
        /* form_get answers with the first field of that name. */
        const char *first = form_get(&f, name);
        size_t j = 0;
        while (strcmp(f.fields[j].name, name) != 0)
            j++;
        CHECK(first == f.fields[j].value);
    }
    CHECK(form_get(&f, "") == NULL);
done:
    arena_free(a);
    free(copy);
    return 0;
}
