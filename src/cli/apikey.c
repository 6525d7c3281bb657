/* akar apikey add|list|revoke: API keys of integrations from the command line. A new key is
 * printed once, on its own first line; only its hash is stored.
 *   akar apikey add --db PATH [--data DIR] --unit CODE --scope read|write [--label TEXT]
 *   akar apikey list --db PATH [--data DIR] [--unit CODE]
 *   akar apikey revoke ID --db PATH [--data DIR] */
#include "domain/apikey.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "cli/cli.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static void usage(void)
{
    fprintf(stderr, "usage: akar apikey add --db PATH [--data DIR] --unit CODE --scope read|write "
                    "[--label TEXT]\n"
                    "       akar apikey list --db PATH [--data DIR] [--unit CODE]\n"
                    "       akar apikey revoke ID --db PATH [--data DIR]\n");
}

static int key_add(struct store *s, const char *unit, const char *scope, const char *label)
{
    char key[APIKEY_CHARS + 1], prefix[APIKEY_PREFIX_LEN + 1];
    apikey_new(key, prefix);
    struct store_write w = {.kind = STORE_W_APIKEY_ADD, .actor = "cli:apikey add"};
    w.u.apikey.unit_code = unit;
    w.u.apikey.scope = scope;
    w.u.apikey.label = label;
    w.u.apikey.prefix = prefix;
    apikey_hash(key, w.u.apikey.key_hash);
    json_t *d = json_pack("{s:s, s:s, s:s}", "unit", unit, "scope", scope, "prefix", prefix);
    char *detail = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    w.audit_detail = detail;
    int rc = store_write_sync(s, &w);
    free(detail);
    if (rc) {
        fprintf(stderr, "akar: %s\n", w.errmsg);
        return rc;
    }
    printf("%s\n", key);
    printf("api key %lld for unit %s, scope %s: shown once; only its hash is kept\n",
           (long long)w.id, unit, scope);
    return 0;
}

static int key_list(struct store *s, const char *unit)
{
    struct arena *a = arena_new();
    const char *root = "/";
    int rc = 0;
    if (unit) {
        struct unit_row u;
        rc = store_unit_get(s, a, unit, &u);
        if (rc == AKAR_ENOTFOUND)
            fprintf(stderr, "akar: unit %s does not exist\n", unit);
        root = rc ? root : u.path;
    }
    struct apikey_row *rows;
    size_t n = 0;
    if (rc == 0)
        rc = store_apikey_list(s, a, root, &rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char created[21], revoked[21] = "in force";
        clock_format_utc(rows[i].created_at, created);
        if (rows[i].revoked_at)
            clock_format_utc(rows[i].revoked_at, revoked);
        printf("%-5lld %s...  %-10s %-5s created %s by %s, %s%s  %s\n", (long long)rows[i].id,
               rows[i].prefix, rows[i].unit_code, rows[i].scope, created,
               rows[i].created_by_login ? rows[i].created_by_login : "the command line",
               rows[i].revoked_at ? "revoked " : "", revoked, rows[i].label ? rows[i].label : "");
    }
    arena_free(a);
    return rc;
}

static int key_revoke(struct store *s, const char *id_text)
{
    char *end;
    long long id = strtoll(id_text, &end, 10);
    if (*end || id <= 0) {
        fprintf(stderr, "akar: ID is the number that `akar apikey list` shows\n");
        return AKAR_EINVAL;
    }
    struct store_write w = {.kind = STORE_W_APIKEY_REVOKE, .actor = "cli:apikey revoke"};
    w.u.apikey_revoke.id = id;
    int rc = store_write_sync(s, &w);
    if (rc == AKAR_ENOTFOUND)
        fprintf(stderr, "akar: there is no api key %lld\n", id);
    else if (rc == AKAR_ECONFLICT)
        fprintf(stderr, "akar: api key %lld was revoked already\n", id);
    else if (rc)
        fprintf(stderr, "akar: %s\n", w.errmsg);
    else
        printf("api key %lld revoked\n", id);
    return rc;
}

int cli_apikey(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},
                             {"data", false, NULL, false},
                             {"unit", false, NULL, false},
                             {"scope", false, NULL, false},
                             {"label", false, NULL, false}};
    const char *sub = argc >= 2 ? argv[1] : "";
    bool add = strcmp(sub, "add") == 0, list = strcmp(sub, "list") == 0,
         revoke = strcmp(sub, "revoke") == 0;
    /* revoke takes the key's id first: akar apikey revoke ID --db PATH */
    const char *id = revoke && argc >= 3 ? argv[2] : NULL;
    int first = revoke ? 3 : 2;
    if ((!add && !list && !revoke) || (revoke && (!id || strncmp(id, "--", 2) == 0)) ||
        cli_parse(argc, argv, first, opts, N(opts)) != 0 || !cli_get(opts, N(opts), "db")) {
        usage();
        return 2;
    }
    const char *unit = cli_get(opts, N(opts), "unit"), *scope = cli_get(opts, N(opts), "scope"),
               *label = cli_get(opts, N(opts), "label");
    if (add && (!unit || apikey_scope_parse(scope) < 0)) {
        usage();
        return 2;
    }
    const char *why = add ? apikey_label_problem(label) : NULL;
    if (why) {
        fprintf(stderr, "akar: --label: %s\n", why);
        return 2;
    }
    /* --data is taken as every command takes it; a key is not sealed, so nothing needs it */
    struct store *s = cli_store_open(cli_get(opts, N(opts), "db"));
    if (!s)
        return 1;
    int rc = add ? key_add(s, unit, scope, label) : list ? key_list(s, unit) : key_revoke(s, id);
    store_close(s);
    return rc ? 1 : 0;
}
