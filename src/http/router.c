/* Route matching; see router.h. */
#include "http/router.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/mem.h"

#include <stdlib.h>
#include <string.h>

#define MAX_SEGMENTS 16

struct route {
    char *method, *pattern;
    char *segs[MAX_SEGMENTS]; /* NULL entry: a {} parameter */
    size_t nsegs;
};

struct router {
    struct route *routes;
    size_t n, cap;
};

struct router *router_new(void)
{
    return xcalloc(1, sizeof(struct router));
}

void router_free(struct router *r)
{
    if (!r)
        return;
    for (size_t i = 0; i < r->n; i++) {
        for (size_t k = 0; k < r->routes[i].nsegs; k++)
            free(r->routes[i].segs[k]);
        free(r->routes[i].method);
        free(r->routes[i].pattern);
    }
    free(r->routes);
    free(r);
}

/* Splits path after its leading '/' into segments; returns the count or -1 if malformed or
 * too deep. "/" has zero segments. Segment i is path[start[i] .. start[i]+len[i]). */
static int split(const char *path, size_t *start, size_t *len)
{
    if (path[0] != '/')
        return -1;
    if (path[1] == 0)
        return 0;
    int n = 0;
    size_t i = 1;
    for (;;) {
        size_t j = i;
        while (path[j] && path[j] != '/')
            j++;
        if (j == i || n == MAX_SEGMENTS)
            return -1;
        start[n] = i;
        len[n] = j - i;
        n++;
        if (!path[j])
            return n;
        i = j + 1;
    }
}

int router_add(struct router *r, const char *method, const char *pattern)
{
    size_t start[MAX_SEGMENTS], len[MAX_SEGMENTS];
    int n = split(pattern, start, len);
    if (n < 0)
        return -1;
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 16;
        r->routes = xrealloc(r->routes, r->cap * sizeof *r->routes);
    }
    struct route *rt = &r->routes[r->n];
    memset(rt, 0, sizeof *rt);
    rt->method = xstrdup(method);
    rt->pattern = xstrdup(pattern);
    rt->nsegs = (size_t)n;
    for (int k = 0; k < n; k++) {
        bool param = len[k] == 2 && pattern[start[k]] == '{' && pattern[start[k] + 1] == '}';
        rt->segs[k] = param ? NULL : xstrndup(pattern + start[k], len[k]);
    }
    return (int)r->n++;
}

size_t router_count(const struct router *r)
{
    return r->n;
}

const char *router_pattern(const struct router *r, int idx)
{
    return idx >= 0 && (size_t)idx < r->n ? r->routes[idx].pattern : "unmatched";
}

static bool path_matches(const struct route *rt, const char *path, const size_t *start,
                         const size_t *len, size_t n)
{
    if (rt->nsegs != n)
        return false;
    for (size_t k = 0; k < n; k++) {
        const char *seg = rt->segs[k];
        if (seg && (strlen(seg) != len[k] || memcmp(seg, path + start[k], len[k]) != 0))
            return false;
    }
    return true;
}

int router_match(const struct router *r, struct arena *a, const char *method, const char *path,
                 const char **params, size_t max_params, bool *path_known)
{
    size_t start[MAX_SEGMENTS], len[MAX_SEGMENTS];
    *path_known = false;
    int n = split(path, start, len);
    if (n < 0)
        return -1;
    for (size_t i = 0; i < r->n; i++) {
        const struct route *rt = &r->routes[i];
        if (!path_matches(rt, path, start, len, (size_t)n))
            continue;
        if (strcmp(rt->method, method) != 0) {
            *path_known = true;
            continue;
        }
        size_t np = 0;
        for (size_t k = 0; k < rt->nsegs; k++)
            if (!rt->segs[k] && np < max_params)
                params[np++] = arena_strndup(a, path + start[k], len[k]);
        return (int)i;
    }
    return -1;
}

const char *router_allowed(const struct router *r, struct arena *a, const char *path)
{
    size_t start[MAX_SEGMENTS], len[MAX_SEGMENTS];
    int n = split(path, start, len);
    if (n < 0)
        return NULL;
    struct buf b = {0};
    for (size_t i = 0; i < r->n; i++) {
        if (!path_matches(&r->routes[i], path, start, len, (size_t)n))
            continue;
        bool listed = false;
        for (size_t k = 0; k < i && !listed; k++)
            listed = strcmp(r->routes[k].method, r->routes[i].method) == 0 &&
                     path_matches(&r->routes[k], path, start, len, (size_t)n);
        if (listed)
            continue;
        if (b.len)
            buf_puts(&b, ", ");
        buf_puts(&b, r->routes[i].method);
    }
    const char *out = b.len ? arena_strdup(a, b.data) : NULL;
    buf_release(&b);
    return out;
}
