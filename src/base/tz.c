/* TZif reader; see tz.h. Reads the 64-bit (version 2+) data block when present, else the
 * version 1 block, and the footer's POSIX TZ string when it names a fixed offset (zones without
 * daylight saving, such as every zone of Vietnam and Indonesia). Past the last transition a zone
 * whose footer has daylight-saving rules keeps its last offset: a known simplification. */
#include "base/tz.h"

#include "base/mem.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct tz {
    char *name;
    size_t ntrans;
    int64_t *trans_at; /* transition instants, ascending */
    int *trans_off;    /* offset in force from each transition */
    int initial_off;   /* before the first transition */
    bool footer_fixed;
    int footer_off;
    struct tz *next; /* in the cache */
};

static uint64_t be(const unsigned char *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = (v << 8) | p[i];
    return v;
}

/* Parses "[+-]hh[:mm[:ss]]" (POSIX sign: positive is west of UTC). */
static bool posix_offset(const char **s, int *seconds_east)
{
    const char *p = *s;
    int sign = 1;
    if (*p == '+' || *p == '-')
        sign = *p++ == '-' ? -1 : 1;
    int part[3] = {0, 0, 0};
    for (int k = 0; k < 3; k++) {
        if (*p < '0' || *p > '9')
            return k > 0 ? (*s = p, *seconds_east = -sign * (part[0] * 3600 + part[1] * 60), true)
                         : false;
        while (*p >= '0' && *p <= '9')
            part[k] = part[k] * 10 + (*p++ - '0');
        if (*p != ':')
            break;
        p++;
    }
    *seconds_east = -sign * (part[0] * 3600 + part[1] * 60 + part[2]);
    *s = p;
    return true;
}

/* A footer like "<+07>-7" or "WIB-7" with nothing after the offset: a fixed zone. */
static void parse_footer(struct tz *z, const char *footer)
{
    const char *p = footer;
    if (*p == '<') {
        p = strchr(p, '>');
        if (!p)
            return;
        p++;
    } else {
        while ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z'))
            p++;
    }
    int off;
    if (p == footer || !posix_offset(&p, &off))
        return;
    if (*p == 0) {
        z->footer_fixed = true;
        z->footer_off = off;
    }
}

struct tz *tz_parse(const unsigned char *d, size_t len)
{
    if (len < 44 || memcmp(d, "TZif", 4) != 0)
        return NULL;
    int version = d[4] ? d[4] - '0' : 1;
    size_t pos = 0;
    int tsize = 4;
    for (int pass = 0; pass < 2; pass++) {
        if (len - pos < 44 || memcmp(d + pos, "TZif", 4) != 0)
            return NULL;
        uint64_t isut = be(d + pos + 20, 4), isstd = be(d + pos + 24, 4),
                 leap = be(d + pos + 28, 4), timecnt = be(d + pos + 32, 4),
                 typecnt = be(d + pos + 36, 4), charcnt = be(d + pos + 40, 4);
        if (timecnt > 100000 || typecnt == 0 || typecnt > 256 || charcnt > 100000 ||
            leap > 100000 || isut > 256 || isstd > 256)
            return NULL;
        size_t body = timecnt * (size_t)tsize + timecnt + typecnt * 6 + charcnt +
                      leap * (size_t)(tsize + 4) + isstd + isut;
        if (len - pos - 44 < body)
            return NULL;
        if (pass == 0 && version >= 2) {
            pos += 44 + body;
            tsize = 8;
            continue;
        }
        const unsigned char *times = d + pos + 44, *idx = times + timecnt * (size_t)tsize,
                            *types = idx + timecnt;
        struct tz *z = xcalloc(1, sizeof *z);
        z->ntrans = timecnt;
        z->trans_at = xcalloc(timecnt ? timecnt : 1, sizeof *z->trans_at);
        z->trans_off = xcalloc(timecnt ? timecnt : 1, sizeof *z->trans_off);
        for (size_t i = 0; i < timecnt; i++) {
            uint64_t raw = be(times + i * (size_t)tsize, tsize);
            z->trans_at[i] = tsize == 8 ? (int64_t)raw : (int64_t)(int32_t)(uint32_t)raw;
            if (idx[i] >= typecnt) {
                tz_free(z);
                return NULL;
            }
            z->trans_off[i] = (int32_t)(uint32_t)be(types + idx[i] * 6, 4);
        }
        z->initial_off = (int32_t)(uint32_t)be(types, 4);
        const unsigned char *end = d + pos + 44 + body;
        if (tsize == 8 && end < d + len && *end == '\n') {
            const unsigned char *nl = memchr(end + 1, '\n', (size_t)(d + len - end - 1));
            if (nl && nl - end - 1 < 64) {
                char footer[64];
                memcpy(footer, end + 1, (size_t)(nl - end - 1));
                footer[nl - end - 1] = 0;
                parse_footer(z, footer);
            }
        }
        return z;
    }
    return NULL;
}

void tz_free(struct tz *z)
{
    if (!z)
        return;
    free(z->trans_at);
    free(z->trans_off);
    free(z->name);
    free(z);
}

int tz_offset(const struct tz *z, int64_t t)
{
    if (z->ntrans == 0 || t < z->trans_at[0])
        return z->ntrans == 0 && z->footer_fixed ? z->footer_off : z->initial_off;
    if (t >= z->trans_at[z->ntrans - 1] && z->footer_fixed)
        return z->footer_off;
    size_t lo = 0, hi = z->ntrans; /* the last transition <= t */
    while (hi - lo > 1) {
        size_t mid = (lo + hi) / 2;
        if (z->trans_at[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    return z->trans_off[lo];
}

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tz *cache;

const struct tz *tz_get(const char *name)
{
    if (!name || !*name || strstr(name, "..") || name[0] == '/' || strlen(name) > 64)
        return NULL;
    pthread_mutex_lock(&cache_lock);
    struct tz *z = cache;
    while (z && strcmp(z->name, name) != 0)
        z = z->next;
    if (!z) {
        char path[128];
        snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", name);
        FILE *f = fopen(path, "rb");
        if (f) {
            unsigned char buf[1 << 16];
            size_t n = fread(buf, 1, sizeof buf, f);
            fclose(f);
            z = tz_parse(buf, n);
            if (z) {
                z->name = xstrdup(name);
                z->next = cache;
                cache = z;
            }
        }
    }
    pthread_mutex_unlock(&cache_lock);
    return z;
}
