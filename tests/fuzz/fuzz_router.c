/* Fuzzes router_match and router_allowed on the API's real routes plus {} patterns, against a
 * reference matcher over the same table. Checks that a match has the asked method, that its
 * parameters are non-empty, hold no '/' and rebuild the path when put back into the pattern,
 * that no more than max_params are written, and that the Allow list names exactly the
 * methods routed for the path. The first input byte picks the method and max_params; the rest
 * is the path. */
#include "base/arena.h"
#include "http/router.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define MAX_PARAMS 8

static const struct {
    const char *method, *pattern;
} routes[] = {
    /* api_mount (src/api/api.c) */
    {"GET", "/healthz"},
    {"GET", "/metrics"},
    {"GET", "/api/v1/units"},
    {"POST", "/api/v1/sessions"},
    {"DELETE", "/api/v1/sessions"},
    {"GET", "/api/v1/me"},
    /* parameters */
    {"GET", "/api/v1/units/{}"},
    {"PATCH", "/api/v1/units/{}"},
    {"DELETE", "/api/v1/units/{}"},
    {"GET", "/api/v1/units/{}/members/{}"},
    {"PUT", "/api/v1/units/{}/members/{}"},
    {"GET", "/api/v1/{}/{}"},
    {"POST", "/api/v1/{}/{}"},
    {"GET", "/files/{}/{}/{}/{}/{}/{}"},
    {"GET", "/{}"},
    {"GET", "/"},
};
#define NROUTES (sizeof routes / sizeof routes[0])

static const char *const methods[] = {"GET", "POST", "DELETE",  "PATCH",
                                      "PUT", "HEAD", "OPTIONS", "get"};

static struct router *router;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    router = router_new();
    for (size_t i = 0; i < NROUTES; i++)
        CHECK(router_add(router, routes[i].method, routes[i].pattern) == (int)i);
    static const char *const malformed[] = {
        "", "healthz", "//", "/a/", "/a//b", "/1/2/3/4/5/6/7/8/9/10/11/12/13/14/15/16/17"};
    for (size_t i = 0; i < sizeof malformed / sizeof malformed[0]; i++)
        CHECK(router_add(router, "GET", malformed[i]) == -1);
    CHECK(router_count(router) == NROUTES);
    CHECK(strcmp(router_pattern(router, -1), "unmatched") == 0);
    CHECK(strcmp(router_pattern(router, (int)NROUTES), "unmatched") == 0);
    return 0;
}

/* Whether pattern matches path; if so the {} segments go to params (pointers into path with
 * their lengths), *np of them. */
static bool ref_path_matches(const char *pattern, const char *path, const char **params,
                             size_t *plen, size_t *np)
{
    *np = 0;
    if (path[0] != '/')
        return false;
    if (strcmp(pattern, "/") == 0 || strcmp(path, "/") == 0)
        return strcmp(pattern, path) == 0;
    const char *p = pattern + 1, *q = path + 1;
    for (;;) {
        size_t pl = strcspn(p, "/"), ql = strcspn(q, "/");
        if (ql == 0)
            return false;
        if (pl == 2 && memcmp(p, "{}", 2) == 0) {
            params[*np] = q;
            plen[(*np)++] = ql;
        } else if (pl != ql || memcmp(p, q, pl) != 0) {
            return false;
        }
        p += pl;
        q += ql;
        if (!*p || !*q)
            return !*p && !*q;
        p++;
        q++;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *method = methods[data[0] % 8];
    size_t max_params = (data[0] >> 3) % MAX_PARAMS;
    char *path = malloc(size);
    memcpy(path, data + 1, size - 1);
    path[size - 1] = 0;
    /* Exactly max_params slots, so that ASan catches a write past them. */
    const char **params = malloc(max_params * sizeof *params);
    struct arena *a = arena_new();

    bool known = false;
    int idx = router_match(router, a, method, path, params, max_params, &known);
    const char *allowed = router_allowed(router, a, path);

    /* The reference: first route for method and path, and the methods routed for path. */
    int want = -1;
    bool want_known = false;
    const char *want_params[MAX_PARAMS];
    size_t want_len[MAX_PARAMS], want_np = 0;
    char want_allowed[128] = "";
    for (size_t i = 0; i < NROUTES; i++) {
        const char *ps[MAX_PARAMS];
        size_t pl[MAX_PARAMS], np;
        if (!ref_path_matches(routes[i].pattern, path, ps, pl, &np))
            continue;
        if (strcmp(routes[i].method, method) == 0 && want < 0) {
            want = (int)i;
            want_np = np;
            memcpy(want_params, ps, sizeof ps);
            memcpy(want_len, pl, sizeof pl);
        } else if (strcmp(routes[i].method, method) != 0) {
            want_known = true;
        }
        bool listed = false;
        for (size_t k = 0; k < i; k++)
            if (strcmp(routes[k].method, routes[i].method) == 0 &&
                ref_path_matches(routes[k].pattern, path, ps, pl, &np))
                listed = true;
        if (!listed) {
            if (want_allowed[0])
                strcat(want_allowed, ", ");
            strcat(want_allowed, routes[i].method);
        }
    }

    if (idx != want || (idx < 0 && known != want_known)) {
        fprintf(stderr, "router_match(%s %s): got %d (known %d), reference %d (known %d)\n", method,
                path, idx, known, want, want_known);
        abort();
    }
    if (strcmp(allowed ? allowed : "", want_allowed) != 0) {
        fprintf(stderr, "router_allowed(%s): got \"%s\", reference \"%s\"\n", path,
                allowed ? allowed : "(null)", want_allowed);
        abort();
    }
    if (idx >= 0) {
        CHECK(strcmp(routes[idx].method, method) == 0);
        CHECK(strcmp(router_pattern(router, idx), routes[idx].pattern) == 0);
        CHECK(allowed && strstr(allowed, method));
        size_t np = want_np < max_params ? want_np : max_params;
        for (size_t k = 0; k < np; k++) {
            CHECK(params[k][0] && !strchr(params[k], '/'));
            CHECK(strlen(params[k]) == want_len[k] &&
                  memcmp(params[k], want_params[k], want_len[k]) == 0);
        }
        /* With room for all parameters, putting them back into the pattern gives the path. */
        if (np == want_np) {
            char *rebuilt = malloc(strlen(path) + 1);
            size_t out = 0, k = 0;
            for (const char *p = routes[idx].pattern; *p; p++) {
                if (p[0] == '{' && p[1] == '}') {
                    size_t l = strlen(params[k]);
                    CHECK(out + l <= strlen(path));
                    memcpy(rebuilt + out, params[k++], l);
                    out += l;
                    p++;
                } else {
                    CHECK(out < strlen(path));
                    rebuilt[out++] = *p;
                }
            }
            rebuilt[out] = 0;
            CHECK(strcmp(rebuilt, path) == 0);
            free(rebuilt);
        }
    }

    arena_free(a);
    free(params);
    free(path);
    return 0;
}
