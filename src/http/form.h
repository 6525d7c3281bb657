/* Strict parsing of application/x-www-form-urlencoded bodies and query strings: every
 * percent escape must be well formed and every decoded name and value valid UTF-8, without
 * NUL; anything else is refused whole rather than guessed at. */
#ifndef AKAR_HTTP_FORM_H
#define AKAR_HTTP_FORM_H
#include <stddef.h>

struct arena;

struct form_field {
    const char *name, *value; /* decoded, NUL-terminated, in the arena */
};

struct form {
    struct form_field *fields;
    size_t n;
};

/* Parses s[0..len). Returns 0, or AKAR_EINVAL with *bad_offset at the first offending byte
 * (0-based) and the form left empty. At most max_fields fields (AKAR_EINVAL beyond). */
int form_parse(struct arena *a, const char *s, size_t len, size_t max_fields, struct form *out,
               size_t *bad_offset);
/* The first value for name, or NULL. */
const char *form_get(const struct form *f, const char *name);

#endif
