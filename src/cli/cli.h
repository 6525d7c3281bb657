/* The akar subcommands. Each takes its own argv (argv[0] is the subcommand's name) and returns
 * the process exit code: 0 success, 1 failure, 2 bad usage. */
#ifndef AKAR_CLI_CLI_H
#define AKAR_CLI_CLI_H
#include <stdbool.h>
#include <stddef.h>

struct store;

int cli_init(int argc, char **argv);
int cli_serve(int argc, char **argv);
int cli_user(int argc, char **argv);
int cli_unit(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_backup(int argc, char **argv);
int cli_sweep(int argc, char **argv);
int cli_category(int argc, char **argv);
int cli_apikey(int argc, char **argv);

/* Options of the form --name VALUE or --flag. */
struct cli_opt {
    const char *name; /* without the dashes */
    bool flag;        /* takes no value */
    const char *value;
    bool seen;
};

/* Fills opts from argv[first..argc). Prints the problem and returns -1 on an unknown option
 * or a missing value; 0 otherwise. */
int cli_parse(int argc, char **argv, int first, struct cli_opt *opts, size_t n);
/* The value of option name, or NULL. */
const char *cli_get(const struct cli_opt *opts, size_t n, const char *name);
/* Opens the existing database at db, or says why not on stderr and returns NULL. */
struct store *cli_store_open(const char *db);
bool cli_has(const struct cli_opt *opts, size_t n, const char *name);
/* Where the files that live outside the database go: what is "key" (the sealing key) or
 * "blobs" (attachments). Beside an SQLite file (DB.key, DB.blobs) unless a data directory is
 * given (--data, else $AKAR_DATA): DATA/akar.key and DATA/blobs. A PostgreSQL database needs
 * one, since several servers share it and each needs the same key and attachments. malloc'd;
 * NULL (the reason printed) when there is no place. */
char *cli_data_path(const char *db, const char *data, const char *what);

#endif
