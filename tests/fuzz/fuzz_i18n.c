/* Fuzzes the .mo reader and Accept-Language negotiation. The first byte picks the target: even
 * bytes feed the rest as a .mo image (which must be refused or give a catalog whose every
 * lookup stays inside the image), odd bytes feed it as an Accept-Language header (which must
 * give one of our languages, and the same one as a reference that splits the header the
 * slow way). */
#include "base/i18n.h"

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

static bool inside(const char *p, const char *base, size_t size)
{
    return p >= base && p < base + size;
}

static void fuzz_mo(const uint8_t *data, size_t size)
{
    char *img = malloc(size ? size : 1);
    memcpy(img, data, size);
    struct i18n_catalog *c = i18n_catalog_new(img, size);
    if (c) {
        /* looking up any string gives itself or text inside the image */
        const char *probes[] = {"", "a", "Sign in", "\xff", "%d"};
        for (size_t i = 0; i < sizeof probes / sizeof *probes; i++) {
            const char *t = i18n_get(c, probes[i]);
            CHECK(t == probes[i] || inside(t, img, size));
            const char *p = i18n_nget(c, LANG_EN, probes[i], "many", 2);
            CHECK(p == probes[i] || strcmp(p, "many") == 0 || inside(p, img, size));
        }
        i18n_catalog_free(c);
    }
    free(img);
}

/* The reference: q in thousandths by strtod on a copy, the same acceptance rules. */
static int ref_negotiate(const char *h)
{
    int best = LANG_EN, best_q = 0;
    char *copy = strdup(h), *save = NULL;
    for (char *item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
        char *semi = strchr(item, ';');
        int q = 1000;
        if (semi) {
            *semi = 0;
            char *w = semi + 1;
            while (*w == ' ' || *w == '\t')
                w++;
            size_t n = strlen(w);
            while (n && (w[n - 1] == ' ' || w[n - 1] == '\t'))
                w[--n] = 0;
            if ((w[0] != 'q' && w[0] != 'Q') || w[1] != '=' || (w[2] != '0' && w[2] != '1'))
                continue;
            const char *v = w + 2;
            size_t vn = strlen(v);
            if (vn > 1 && (v[1] != '.' || vn > 5))
                continue;
            bool digits = true;
            for (size_t i = 2; i < vn; i++)
                digits &= v[i] >= '0' && v[i] <= '9';
            if (!digits)
                continue;
            q = (int)(strtod(v, NULL) * 1000 + 0.5);
            if (q > 1000)
                continue;
        }
        while (*item == ' ' || *item == '\t')
            item++;
        size_t n = strlen(item);
        while (n && (item[n - 1] == ' ' || item[n - 1] == '\t'))
            item[--n] = 0;
        if (n < 2 || (n > 2 && item[2] != '-'))
            continue;
        char code[3] = {item[0], item[1], 0};
        int l = lang_parse(code);
        if (l >= 0 && q > best_q) {
            best = l;
            best_q = q;
        }
    }
    free(copy);
    return best;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    if ((data[0] & 1) == 0) {
        fuzz_mo(data + 1, size - 1);
        return 0;
    }
    char *h = malloc(size);
    memcpy(h, data + 1, size - 1);
    h[size - 1] = 0;
    enum lang got = lang_negotiate(h);
    CHECK(got >= 0 && got < LANG_COUNT);
    CHECK((int)got == ref_negotiate(h));
    free(h);
    return 0;
}
