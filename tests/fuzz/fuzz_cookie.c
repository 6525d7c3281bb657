/* Fuzzes cookie_get against a reference reading of RFC 6265 section 5.4 and checks that any
 * value it returns is made of cookie-octets only and appears in the header. The first input
 * byte gives the length of the cookie name, taken from the bytes that follow it; the rest is
 * the Cookie header. */
#include "base/arena.h"
#include "http/cookie.h"

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

static bool is_octet(unsigned char c)
{
    return c > 0x20 && c < 0x7F && c != '"' && c != ',' && c != ';' && c != '\\';
}

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

/* Trims spaces and tabs off both ends of [*b, *e). */
static void trim(const char **b, const char **e)
{
    while (*b < *e && is_space(**b))
        (*b)++;
    while (*e > *b && is_space((*e)[-1]))
        (*e)--;
}

/* The reference: true with [*vb, *ve) the value of the first pair called name, or false if
 * there is none or its value is malformed. */
static bool ref_get(const char *header, const char *name, const char **vb, const char **ve)
{
    const char *p = header;
    while (*p) {
        const char *pair = p, *end = strchr(p, ';');
        if (!end)
            end = p + strlen(p);
        p = *end ? end + 1 : end;
        const char *eq = memchr(pair, '=', (size_t)(end - pair));
        if (!eq)
            continue;
        const char *nb = pair, *ne = eq;
        trim(&nb, &ne);
        if ((size_t)(ne - nb) != strlen(name) || memcmp(nb, name, strlen(name)) != 0)
            continue;
        const char *b = eq + 1, *e = end;
        trim(&b, &e);
        if (e - b >= 2 && *b == '"' && e[-1] == '"')
            b++, e--;
        for (const char *q = b; q < e; q++)
            if (!is_octet((unsigned char)*q))
                return false;
        *vb = b;
        *ve = e;
        return true;
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t name_len = data[0] % 16;
    if (name_len > size - 1)
        name_len = size - 1;
    char *name = malloc(name_len + 1);
    memcpy(name, data + 1, name_len);
    name[name_len] = 0;
    size_t hlen = size - 1 - name_len;
    char *header = malloc(hlen + 1);
    memcpy(header, data + 1 + name_len, hlen);
    header[hlen] = 0;

    struct arena *a = arena_new();
    const char *got = cookie_get(a, header, name);
    const char *vb = NULL, *ve = NULL;
    bool want = ref_get(header, name, &vb, &ve);
    if ((got != NULL) != want ||
        (got && (strlen(got) != (size_t)(ve - vb) || memcmp(got, vb, strlen(got)) != 0))) {
        fprintf(stderr, "cookie_get(\"%s\"): got %s%s%s, reference %s%.*s%s\n", name,
                got ? "\"" : "", got ? got : "NULL", got ? "\"" : "", want ? "\"" : "",
                want ? (int)(ve - vb) : 4, want ? vb : "NULL", want ? "\"" : "");
        abort();
    }
    if (got) {
        for (const char *q = got; *q; q++)
            CHECK(is_octet((unsigned char)*q));
        CHECK(strstr(header, got) != NULL);
    }
    CHECK(cookie_get(a, NULL, name) == NULL);
    arena_free(a);
    free(header);
    free(name);
    return 0;
}
