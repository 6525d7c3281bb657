/* Data files carried in the binary (data/, migrations) and the tab-separated format the data
 * files use: one record a line, fields split by tabs, lines starting with '#' and empty lines
 * skipped. */
#ifndef AKAR_BASE_TSV_H
#define AKAR_BASE_TSV_H
#include <stddef.h>

struct arena;

struct tsv_row {
    char **fields; /* in the arena */
    size_t n;
    int line; /* 1-based line number in the file */
};

/* The embedded file called name (its base name), NUL-terminated, or NULL. */
const char *resource_get(const char *name);
/* The same with its size in bytes (for binary files, which may hold NULs). */
const char *resource_find(const char *name, size_t *size);
/* Splits text into rows (arena). Returns the number of rows. */
size_t tsv_parse(struct arena *a, const char *text, struct tsv_row **rows);

#endif
