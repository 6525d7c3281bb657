/* Route table: method + path pattern → route index. Patterns are literal segments and {}
 * segments that match any one non-empty segment. Pure data and matching, so the path parser
 * can be fuzzed on its own. */
#ifndef AKAR_HTTP_ROUTER_H
#define AKAR_HTTP_ROUTER_H
#include <stdbool.h>
#include <stddef.h>

struct arena;
struct router;

struct router *router_new(void);
void router_free(struct router *r);
/* Adds a route; returns its index (0, 1, ...) or -1 if the pattern is malformed
 * (must start with '/', no empty segments). */
int router_add(struct router *r, const char *method, const char *pattern);
size_t router_count(const struct router *r);
const char *router_pattern(const struct router *r, int idx);
/* Index of the first route matching method and path, or -1. params[] (at most max_params)
 * receive the {} segments, copied into the arena. If no route matches but some route matches
 * the path with another method, *path_known is set. */
int router_match(const struct router *r, struct arena *a, const char *method, const char *path,
                 const char **params, size_t max_params, bool *path_known);
/* "GET, POST": the methods with a route for path, or NULL if none (arena). */
const char *router_allowed(const struct router *r, struct arena *a, const char *path);

#endif
