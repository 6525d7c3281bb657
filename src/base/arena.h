/* A bump allocator: many small allocations, one free. Each HTTP request owns one, so handlers
 * allocate freely and free nothing by hand. Not thread-safe: one owner at a time. */
#ifndef AKAR_BASE_ARENA_H
#define AKAR_BASE_ARENA_H
#include <stdarg.h>
#include <stddef.h>

struct arena;

struct arena *arena_new(void);
/* Frees the arena and everything allocated from it. NULL is allowed. */
void arena_free(struct arena *a);
/* Memory aligned for any type, valid until arena_free. Never NULL (aborts on exhaustion). */
void *arena_alloc(struct arena *a, size_t n);
void *arena_calloc(struct arena *a, size_t n);
char *arena_strdup(struct arena *a, const char *s);
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Total bytes handed out: for tests and metrics. */
size_t arena_used(const struct arena *a);

#endif
