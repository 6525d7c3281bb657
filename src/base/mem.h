/* Allocation wrappers that abort on exhaustion, so out-of-memory is not a code path in every
 * function. Everything they return is freed with free(). */
#ifndef AKAR_BASE_MEM_H
#define AKAR_BASE_MEM_H
#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

#endif
