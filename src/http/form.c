/* Form decoding; see form.h. */
#include "http/form.h"

#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"

#include <string.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes s[0..n) into a new arena string; -1 on a malformed escape, a NUL or bad UTF-8,
 * with *bad the offset within s. */
static int decode(struct arena *a, const char *s, size_t n, char **out, size_t *bad)
{
    char *d = arena_alloc(a, n + 1);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '+') {
            d[k++] = ' ';
        } else if (c == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
                *bad = i;
                return -1;
            }
            d[k++] = (char)(hi * 16 + lo);
            i += 2;
        } else if (c == 0) {
            *bad = i;
            return -1;
        } else {
            d[k++] = c;
        }
    }
    d[k] = 0;
    size_t where;
    if (!utf8_valid(d, k, &where)) {
        /* Back from decoded byte where to the input byte or escape that produced it. */
        size_t i = 0;
        for (; where > 0; where--)
            i += s[i] == '%' ? 3 : 1;
        *bad = i;
        return -1;
    }
    *out = d;
    return 0;
}

int form_parse(struct arena *a, const char *s, size_t len, size_t max_fields, struct form *out,
               size_t *bad_offset)
{
    out->fields = NULL;
    out->n = 0;
    size_t count = 0;
    for (size_t i = 0; i < len; i++)
        count += s[i] == '&';
    count++;
    if (len == 0)
        return 0;
    if (count > max_fields) {
        *bad_offset = 0;
        return AKAR_EINVAL;
    }
    struct form_field *fields = arena_alloc(a, count * sizeof *fields);
    size_t n = 0, start = 0;
    while (start <= len) {
        size_t end = start;
        while (end < len && s[end] != '&')
            end++;
        if (end > start) {
            const char *eq = memchr(s + start, '=', end - start);
            size_t name_len = eq ? (size_t)(eq - (s + start)) : end - start;
            size_t bad = 0;
            char *name, *value;
            if (name_len == 0 || decode(a, s + start, name_len, &name, &bad) != 0) {
                *bad_offset = start + bad;
                return AKAR_EINVAL;
            }
            size_t vstart = eq ? start + name_len + 1 : end;
            if (decode(a, s + vstart, end - vstart, &value, &bad) != 0) {
                *bad_offset = vstart + bad;
                return AKAR_EINVAL;
            }
            fields[n++] = (struct form_field){name, value};
        }
        start = end + 1;
    }
    out->fields = fields;
    out->n = n;
    return 0;
}

const char *form_get(const struct form *f, const char *name)
{
    for (size_t i = 0; i < f->n; i++)
        if (strcmp(f->fields[i].name, name) == 0)
            return f->fields[i].value;
    return NULL;
}
