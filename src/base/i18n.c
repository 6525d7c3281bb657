/* gettext .mo catalogs read in place, and language negotiation. The .mo layout (magic, count,
 * offsets of the sorted original and translated string tables) is GNU gettext's; originals
 * are sorted by msgfmt, so a lookup is a binary search. */
#include "base/i18n.h"

#include "base/mem.h"

#include <assert.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MO_MAGIC         0x950412deu
#define MO_MAGIC_SWAPPED 0xde120495u

struct mo_string {
    const char *s;
    size_t len;
};

struct i18n_catalog {
    size_t n;
    struct mo_string *orig, *trans; /* orig sorted by bytes, as msgfmt writes them */
};

static uint32_t word_at(const char *mo, size_t off, int swapped)
{
    uint32_t w;
    memcpy(&w, mo + off, 4);
    return swapped ? __builtin_bswap32(w) : w;
}

/* Reads table entry i at table offset tab: (length, offset) pairs. 0 or -1 if out of bounds or
 * not NUL-terminated. */
static int entry_at(const char *mo, size_t size, int swapped, uint32_t tab, uint32_t i,
                    struct mo_string *out)
{
    uint64_t at = (uint64_t)tab + 8u * i;
    if (at + 8 > size)
        return -1;
    uint32_t len = word_at(mo, (size_t)at, swapped), off = word_at(mo, (size_t)at + 4, swapped);
    if ((uint64_t)off + len >= size || mo[off + len] != 0)
        return -1;
    out->s = mo + off;
    out->len = len;
    return 0;
}

struct i18n_catalog *i18n_catalog_new(const char *mo, size_t size)
{
    if (!mo || size < 28)
        return NULL;
    uint32_t magic;
    memcpy(&magic, mo, 4);
    int swapped;
    if (magic == MO_MAGIC)
        swapped = 0;
    else if (magic == MO_MAGIC_SWAPPED)
        swapped = 1;
    else
        return NULL;
    if (word_at(mo, 4, swapped) >> 16 != 0) /* major revision 0 only */
        return NULL;
    uint32_t n = word_at(mo, 8, swapped), otab = word_at(mo, 12, swapped),
             ttab = word_at(mo, 16, swapped);
    if (n > size / 16)
        return NULL;
    struct i18n_catalog *c = xcalloc(1, sizeof *c);
    c->n = n;
    c->orig = xcalloc(n ? n : 1, sizeof *c->orig);
    c->trans = xcalloc(n ? n : 1, sizeof *c->trans);
    for (uint32_t i = 0; i < n; i++) {
        if (entry_at(mo, size, swapped, otab, i, &c->orig[i]) ||
            entry_at(mo, size, swapped, ttab, i, &c->trans[i]) ||
            (i > 0 && strcmp(c->orig[i - 1].s, c->orig[i].s) >= 0)) {
            i18n_catalog_free(c);
            return NULL;
        }
    }
    return c;
}

void i18n_catalog_free(struct i18n_catalog *c)
{
    if (!c)
        return;
    free(c->orig);
    free(c->trans);
    free(c);
}

size_t i18n_catalog_size(const struct i18n_catalog *c)
{
    return c ? c->n : 0;
}

/* Index of msgid among the originals (compared up to its first NUL: a plural entry's original
 * is "singular\0plural"), or -1. */
static long find(const struct i18n_catalog *c, const char *msgid)
{
    size_t lo = 0, hi = c->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(msgid, c->orig[mid].s);
        if (cmp == 0)
            return (long)mid;
        if (cmp < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return -1;
}

const char *i18n_get(const struct i18n_catalog *c, const char *msgid)
{
    assert(msgid);
    if (!c || !*msgid)
        return msgid;
    long i = find(c, msgid);
    if (i < 0 || c->trans[i].len == 0)
        return msgid;
    return c->trans[i].s;
}

const char *i18n_nget(const struct i18n_catalog *c, enum lang lang, const char *msgid,
                      const char *msgid_plural, unsigned long n)
{
    /* Indonesian and Vietnamese have one form; English two. */
    unsigned form = lang == LANG_EN ? (n != 1) : 0;
    long i = c ? find(c, msgid) : -1;
    if (i < 0 || c->trans[i].len == 0)
        return n == 1 ? msgid : msgid_plural;
    const char *s = c->trans[i].s, *end = s + c->trans[i].len;
    for (unsigned k = 0; k < form; k++) {
        s += strlen(s) + 1;
        if (s >= end)
            return c->trans[i].s;
    }
    return s;
}

static const char *const codes[LANG_COUNT] = {"en", "id", "vi"};

const char *lang_code(enum lang l)
{
    assert(l >= 0 && l < LANG_COUNT);
    return codes[l];
}

int lang_parse(const char *code)
{
    if (!code)
        return -1;
    for (int l = 0; l < LANG_COUNT; l++)
        if (tolower((unsigned char)code[0]) == codes[l][0] &&
            tolower((unsigned char)code[1]) == codes[l][1] && (code[2] == 0 || code[2] == '-'))
            return l;
    return -1;
}

/* Parses "q=0.7" style weights (RFC 9110 §12.4.2): 0 to 1 with up to three decimals, in
 * thousandths; -1 if malformed. */
static int qvalue(const char *s, size_t n)
{
    while (n && (*s == ' ' || *s == '\t'))
        s++, n--;
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n < 3 || (s[0] != 'q' && s[0] != 'Q') || s[1] != '=')
        return -1;
    s += 2, n -= 2;
    if (s[0] != '0' && s[0] != '1')
        return -1;
    int q = (s[0] - '0') * 1000, scale = 100;
    if (n > 1) {
        if (s[1] != '.' || n > 5)
            return -1;
        for (size_t i = 2; i < n; i++, scale /= 10) {
            if (!isdigit((unsigned char)s[i]))
                return -1;
            q += (s[i] - '0') * scale;
        }
    }
    return q > 1000 ? -1 : q;
}

enum lang lang_negotiate(const char *h)
{
    if (!h)
        return LANG_EN;
    int best = LANG_EN, best_q = 0;
    while (*h) {
        size_t len = strcspn(h, ",");
        const char *item = h;
        h += len + (h[len] == ',');
        while (len && (*item == ' ' || *item == '\t'))
            item++, len--;
        size_t tag = strcspn(item, ";");
        if (tag > len)
            tag = len;
        int q = 1000;
        if (tag < len && (q = qvalue(item + tag + 1, len - tag - 1)) < 0)
            continue;
        while (tag && (item[tag - 1] == ' ' || item[tag - 1] == '\t'))
            tag--;
        char code[3] = {0};
        if (tag < 2 || (tag > 2 && item[2] != '-'))
            continue;
        code[0] = item[0];
        code[1] = item[1];
        int l = lang_parse(code);
        if (l >= 0 && q > best_q) { /* the first of equal weights wins */
            best = l;
            best_q = q;
        }
    }
    return (enum lang)best;
}
