/* akar init --db PATH [--demo] [--preset vn|id]: creates or migrates a database; running it
 * again changes nothing. --demo loads Ninh Thuận province and prints the demo accounts. */
#include "base/arena.h"
#include "base/err.h"
#include "base/seal.h"
#include "cli/cli.h"
#include "domain/demo.h"
#include "domain/totp.h"
#include "store/store.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int set_preset(struct store *s, const char *want)
{
    struct arena *a = arena_new();
    const char *have = NULL;
    int rc = store_meta_get(s, a, "jurisdiction.preset", &have);
    if (rc == 0 && want && strcmp(have, want) != 0) {
        fprintf(stderr, "akar: this database uses preset %s; it cannot become %s\n", have, want);
        rc = AKAR_ECONFLICT;
    } else if (rc == AKAR_ENOTFOUND) {
        struct store_write w = {.kind = STORE_W_META_SET, .actor = "cli:init"};
        w.u.meta.key = "jurisdiction.preset";
        w.u.meta.value = want ? want : "vn";
        w.audit_detail =
            strcmp(w.u.meta.value, "vn") == 0 ? "{\"value\":\"vn\"}" : "{\"value\":\"id\"}";
        rc = store_write_sync(s, &w);
        if (rc == 0)
            printf("jurisdiction preset: %s\n", w.u.meta.value);
        else
            fprintf(stderr, "akar: %s\n", w.errmsg);
    }
    arena_free(a);
    return rc;
}

/* The demo accounts with their passwords and TOTP secrets, then each official's enrolment URI
 * (for an authenticator app; signing in to the office asks for its code). */
static void print_demo_accounts(struct arena *a, char (*totp)[DEMO_TOTP_CHARS])
{
    size_t n;
    const struct demo_account *acc = demo_accounts(&n);
    printf("demo: loaded Ninh Thuận province. Demo accounts (for trying akar only):\n");
    printf("  %-22s %-13s %-10s %-20s %s\n", "login", "role", "unit", "password",
           "TOTP secret (officials)");
    for (size_t i = 0; i < n; i++)
        printf("  %-22s %-13s %-10s %-20s %s\n", acc[i].login, acc[i].role, acc[i].unit,
               acc[i].password, totp[i][0] ? totp[i] : "-");
    printf("demo: officials sign in with a code from an authenticator app; add each with its "
           "URI:\n");
    for (size_t i = 0; i < n; i++)
        if (totp[i][0])
            printf("  %s\n", totp_uri(a, acc[i].login, totp[i]));
}

int cli_init(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},
                             {"demo", true, NULL, false},
                             {"preset", false, NULL, false},
                             {"data", false, NULL, false}};
    if (cli_parse(argc, argv, 1, opts, N(opts)) != 0)
        return 2;
    const char *db = cli_get(opts, N(opts), "db");
    const char *preset = cli_get(opts, N(opts), "preset");
    bool demo = cli_has(opts, N(opts), "demo");
    if (!db) {
        fprintf(stderr, "usage: akar init --db PATH|postgres://... [--data DIR] [--demo] "
                        "[--preset vn|id]\n");
        return 2;
    }
    if (preset && strcmp(preset, "vn") != 0 && strcmp(preset, "id") != 0) {
        fprintf(stderr, "akar: --preset is vn (Vietnam) or id (Indonesia), not \"%s\"\n", preset);
        return 2;
    }
    if (demo && preset && strcmp(preset, "vn") != 0) {
        fprintf(stderr, "akar: the demo is a Vietnamese province; use --preset vn or none\n");
        return 2;
    }
    struct store *s;
    char err[512];
    /* the key that seals reporters' identities lives apart from the database */
    char *key_path = cli_data_path(db, cli_get(opts, N(opts), "data"), "key");
    if (!key_path)
        return 2;
    struct arena *keys = arena_new();
    int rc = store_open(db, STORE_OPEN_MIGRATE, &s, err, sizeof err);
    if (rc) {
        fprintf(stderr, "akar: %s\n", err);
        arena_free(keys);
        free(key_path);
        return 1;
    }
    int from, to;
    store_migrated(s, &from, &to);
    char shown[512];
    store_url_shown(db, shown, sizeof shown);
    if (from == to)
        printf("%s: schema version %d, up to date\n", shown, to);
    else
        printf("%s: schema migrated from version %d to %d\n", shown, from, to);
    rc = set_preset(s, preset);
    if (rc == 0) {
        int k = seal_key_create(key_path, err, sizeof err);
        if (k == 0)
            printf("sealing key created: %s (mode 0600; back it up apart from the database)\n",
                   key_path);
        else if (k != AKAR_EEXIST) {
            fprintf(stderr, "akar: %s\n", err);
            rc = k;
        }
    }
    if (rc == 0 && demo) {
        struct seal_key key;
        char totp[DEMO_ACCOUNTS_MAX][DEMO_TOTP_CHARS];
        rc = seal_key_load(key_path, &key, err, sizeof err);
        if (rc == 0)
            rc = demo_load(s, &key, totp, err, sizeof err);
        if (rc == AKAR_EEXIST) {
            printf("demo: %s\n", err);
            rc = 0;
        } else if (rc) {
            fprintf(stderr, "akar: %s\n", err);
        } else {
            rc = demo_load_cases(s, &key, "vn", err, sizeof err);
            if (rc)
                fprintf(stderr, "akar: %s\n", err);
            print_demo_accounts(keys, totp);
        }
        sodium_memzero(&key, sizeof key);
        sodium_memzero(totp, sizeof totp);
    }
    store_close(s);
    arena_free(keys);
    free(key_path);
    return rc ? 1 : 0;
}
