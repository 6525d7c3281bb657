/* Option parsing shared by the subcommands; see cli.h. */
#include "cli/cli.h"

#include "store/store.h"

#include <stdio.h>
#include <string.h>

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
