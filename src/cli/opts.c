/* Option parsing shared by the subcommands; see cli.h. */
#include "cli/cli.h"

#include "store/store.h"

#include "base/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

char *cli_data_path(const char *db, const char *data, const char *what)
{
    if (!data || !*data)
        data = getenv("AKAR_DATA");
    bool key = strcmp(what, "key") == 0;
    size_t n = strlen(db) + (data ? strlen(data) : 0) + 16;
    char *path = xmalloc(n);
    if (data && *data) {
        mkdir(data, 0700); /* made on first use; if it cannot be, the file's error says so */
        snprintf(path, n, "%s/%s", data, key ? "akar.key" : "blobs");
    } else if (!store_is_postgres(db))
        snprintf(path, n, "%s.%s", db, what);
    else {
        fprintf(stderr,
                "akar: a PostgreSQL database keeps its sealing key and attachments in a data "
                "directory: give --data DIR (or set AKAR_DATA), the same for every server of "
                "the database\n");
        free(path);
        return NULL;
    }
    return path;
}

int cli_parse(int argc, char **argv, int first, struct cli_opt *opts, size_t n)
{
    for (int i = first; i < argc; i++) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0) {
            fprintf(stderr, "akar: unexpected argument \"%s\"\n", a);
            return -1;
        }
        struct cli_opt *o = NULL;
        for (size_t k = 0; k < n && !o; k++)
            if (strcmp(opts[k].name, a + 2) == 0)
                o = &opts[k];
        if (!o) {
            fprintf(stderr, "akar: unknown option %s\n", a);
            return -1;
        }
        o->seen = true;
        if (!o->flag) {
            if (i + 1 >= argc) {
                fprintf(stderr, "akar: %s needs a value\n", a);
                return -1;
            }
            o->value = argv[++i];
        }
    }
    return 0;
}

const char *cli_get(const struct cli_opt *opts, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(opts[k].name, name) == 0)
            return opts[k].value;
    return NULL;
}

bool cli_has(const struct cli_opt *opts, size_t n, const char *name)
{
    for (size_t k = 0; k < n; k++)
        if (strcmp(opts[k].name, name) == 0)
            return opts[k].seen;
    return false;
}

struct store *cli_store_open(const char *db)
{
    struct store *s;
    char err[512];
    if (store_open(db, STORE_OPEN_EXISTING, &s, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        return NULL;
    }
    return s;
}
