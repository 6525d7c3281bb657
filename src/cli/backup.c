/* akar backup --db PATH --to FILE: an online, consistent copy that `akar serve --db FILE`
 * serves; safe while a server is running on PATH. */
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

int cli_backup(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false}, {"to", false, NULL, false}};
    if (cli_parse(argc, argv, 1, opts, N(opts)) != 0 || !opts[0].value || !opts[1].value) {
        fprintf(stderr, "usage: akar backup --db PATH --to FILE\n");
        return 2;
    }
    if (strcmp(opts[0].value, opts[1].value) == 0) {
        fprintf(stderr, "akar: --to must name another file than --db\n");
        return 2;
    }
    struct store *s;
    char err[512];
    if (store_open(opts[0].value, STORE_OPEN_EXISTING, &s, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        return 1;
    }
    int rc = store_backup(s, opts[1].value, err, sizeof err);
    store_close(s);
    if (rc) {
        fprintf(stderr, "akar: %s\n", err);
        return 1;
    }
    printf("backup written to %s\n", opts[1].value);
    return 0;
}
