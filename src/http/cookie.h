/* Reading one cookie out of a Cookie request header (RFC 6265 section 5.4 syntax:
 * "name=value; name2=value2"). */
#ifndef AKAR_HTTP_COOKIE_H
#define AKAR_HTTP_COOKIE_H
#include <stddef.h>

struct arena;

/* The value of the first cookie called name in header, copied into the arena (surrounding
 * double quotes removed), or NULL if absent or malformed. header may be NULL. */
const char *cookie_get(struct arena *a, const char *header, const char *name);

#endif
