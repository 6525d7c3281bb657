/* Cookie header lookup; see cookie.h. */
#include "http/cookie.h"

#include "base/arena.h"

#include <stdbool.h>
#include <string.h>

/* RFC 6265 cookie-octet: visible ASCII except DQUOTE, comma, semicolon and backslash. */
static bool cookie_octet(unsigned char c)
{
    return c == 0x21 || (c >= 0x23 && c <= 0x2B) || (c >= 0x2D && c <= 0x3A) ||
           (c >= 0x3C && c <= 0x5B) || (c >= 0x5D && c <= 0x7E);
}

const char *cookie_get(struct arena *a, const char *header, const char *name)
{
    if (!header)
        return NULL;
    size_t name_len = strlen(name);
    const char *p = header;
    while (*p) {
        while (*p == ' ' || *p == '\t')
            p++;
        const char *pair = p;
        while (*p && *p != ';')
            p++;
        const char *pair_end = p;
        if (*p == ';')
            p++;
        const char *eq = memchr(pair, '=', (size_t)(pair_end - pair));
        if (!eq)
            continue;
        const char *n_end = eq;
        while (n_end > pair && (n_end[-1] == ' ' || n_end[-1] == '\t'))
            n_end--;
        if ((size_t)(n_end - pair) != name_len || memcmp(pair, name, name_len) != 0)
            continue;
        const char *v = eq + 1, *v_end = pair_end;
        while (v < v_end && (*v == ' ' || *v == '\t'))
            v++;
        while (v_end > v && (v_end[-1] == ' ' || v_end[-1] == '\t'))
            v_end--;
        if (v_end - v >= 2 && *v == '"' && v_end[-1] == '"') {
            v++;
            v_end--;
        }
        for (const char *q = v; q < v_end; q++)
            if (!cookie_octet((unsigned char)*q))
                return NULL;
        return arena_strndup(a, v, (size_t)(v_end - v));
    }
    return NULL;
}
