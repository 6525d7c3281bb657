/* Embedded resources and TSV splitting; see tsv.h. */
#include "base/tsv.h"

#include "base/arena.h"
#include "embedded.h"

#include <string.h>

const char *resource_get(const char *name)
{
    for (size_t i = 0; i < embedded_count; i++)
        if (strcmp(embedded_files[i].name, name) == 0)
            return embedded_files[i].data;
    return NULL;
}

const char *resource_find(const char *name, size_t *size)
{
    for (size_t i = 0; i < embedded_count; i++)
        if (strcmp(embedded_files[i].name, name) == 0) {
            *size = embedded_files[i].size;
            return embedded_files[i].data;
        }
    return NULL;
}

size_t tsv_parse(struct arena *a, const char *text, struct tsv_row **rows)
{
    size_t cap = 64, n = 0;
    struct tsv_row *out = arena_alloc(a, cap * sizeof *out);
    int line = 0;
    for (const char *p = text; p && *p;) {
        const char *end = strchr(p, '\n');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        line++;
        if (len && p[len - 1] == '\r')
            len--;
        if (len && *p != '#') {
            if (n == cap) {
                struct tsv_row *grown = arena_alloc(a, 2 * cap * sizeof *out);
                memcpy(grown, out, cap * sizeof *out);
                out = grown;
                cap *= 2;
            }
            char *copy = arena_strndup(a, p, len);
            size_t nf = 1;
            for (size_t i = 0; i < len; i++)
                nf += copy[i] == '\t';
            char **fields = arena_alloc(a, nf * sizeof *fields);
            size_t f = 0;
            for (char *q = copy;;) {
                fields[f++] = q;
                char *tab = strchr(q, '\t');
                if (!tab)
                    break;
                *tab = 0;
                q = tab + 1;
            }
            out[n++] = (struct tsv_row){fields, nf, line};
        }
        p = end ? end + 1 : NULL;
    }
    *rows = out;
    return n;
}
