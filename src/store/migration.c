/* Finding each back-end's migrations among the embedded files (see migration.h). */
#include "store/migration.h"

#include "embedded.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* The version of a migration's file name, or -1 if it is none; *suffix gets what lies between
 * the first '.' and ".sql" ("" for a shared migration). */
static int parse(const char *name, const char **suffix, size_t *suffix_len)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        v = v * 10 + (name[i] - '0');
    }
    size_t n = strlen(name);
    if (name[4] != '_' || n < 9 || strcmp(name + n - 4, ".sql") != 0)
        return -1;
    const char *dot = strchr(name, '.');
    *suffix = dot + 1;
    *suffix_len = (size_t)(name + n - 4 - *suffix);
    if (dot == name + n - 4)
        *suffix_len = 0;
    return v;
}

/* Whether name is a migration of backend's: its own, or a shared one. */
static int version_for(const char *name, const char *backend, bool *own)
{
    const char *suffix;
    size_t len;
    int v = parse(name, &suffix, &len);
    if (v < 0)
        return -1;
    *own = len > 0;
    if (len == 0)
        return v;
    return len == strlen(backend) && strncmp(suffix, backend, len) == 0 ? v : -1;
}

int migration_known(const char *backend)
{
    int known = 0;
    for (size_t i = 0; i < embedded_count; i++) {
        bool own;
        int v = version_for(embedded_files[i].name, backend, &own);
        if (v > known)
            known = v;
    }
    return known;
}

const char *migration_sql(const char *backend, int v, const char **name, char *err, size_t errlen)
{
    const struct embedded_file *mine = NULL, *shared = NULL;
    for (size_t i = 0; i < embedded_count; i++) {
        bool own;
        if (version_for(embedded_files[i].name, backend, &own) != v)
            continue;
        const struct embedded_file **slot = own ? &mine : &shared;
        if (*slot) {
            snprintf(err, errlen, "migrations %s and %s share a number", (*slot)->name,
                     embedded_files[i].name);
            return NULL;
        }
        *slot = &embedded_files[i];
    }
    const struct embedded_file *f = mine ? mine : shared;
    if (!f) {
        snprintf(err, errlen, "migration %04d is missing from this build", v);
        return NULL;
    }
    *name = f->name;
    return f->data;
}
