/* akar: one executable, many subcommands. This file only picks the subcommand. */
#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

static const struct {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
} commands[] = {
    {"init", cli_init, "init --db PATH [--demo] [--preset vn|id]   create or migrate a database"},
    {"serve", cli_serve, "serve --db PATH --listen HOST:PORT         serve HTTP until SIGTERM"},
    {"user", cli_user,
     "user add --db PATH --login L --unit CODE --role ROLE   (password on stdin)\n"
     "  akar user reset-totp --db PATH --login L   a new TOTP secret for a lost authenticator"},
    {"unit", cli_unit, "unit add|list --db PATH ...                manage the unit tree"},
    {"category", cli_category,
     "category add|list|question --db PATH --unit CODE ...  categories and their questions"},
    {"apikey", cli_apikey,
     "apikey add --db PATH --unit CODE --scope read|write [--label TEXT]   prints a new key\n"
     "  akar apikey list --db PATH [--unit CODE] | revoke ID --db PATH   integrations' keys"},
    {"audit", cli_audit, "audit verify --db PATH                     check the audit chain"},
    {"sweep", cli_sweep,
     "sweep --db PATH [--at INSTANT] [--within HOURS]   warn of cases due soon"},
    {"backup", cli_backup, "backup --db PATH --to FILE                 online consistent copy"},
};

static void usage(FILE *to)
{
    fprintf(to, "akar: a grassroots-democracy platform\nusage:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(to, "  akar %s\n", commands[i].help);
}

int main(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (strcmp(argv[1], commands[i].name) == 0)
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "akar: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
