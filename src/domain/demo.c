/* Loading the demo province; see demo.h. */
#include "domain/demo.h"

#include "base/arena.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/tsv.h"
#include "domain/access.h"
#include "domain/account.h"
#include "domain/unit.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_TZ "Asia/Ho_Chi_Minh"

static struct demo_account accounts[16];
static size_t naccounts;
static pthread_once_t accounts_once = PTHREAD_ONCE_INIT;
static struct arena *accounts_arena;

static void load_accounts(void)
{
    accounts_arena = arena_new();
    struct tsv_row *rows;
    size_t n = tsv_parse(accounts_arena, resource_get("accounts.tsv"), &rows);
    for (size_t i = 0; i < n && i < sizeof accounts / sizeof accounts[0]; i++) {
        char **f = rows[i].fields;
        if (rows[i].n == 6)
            accounts[naccounts++] =
                (struct demo_account){f[0], f[1], f[2], f[3], f[4], *f[5] ? f[5] : NULL};
    }
}

const struct demo_account *demo_accounts(size_t *n)
{
    pthread_once(&accounts_once, load_accounts);
    *n = naccounts;
    return accounts;
}

int demo_load(struct store *s, char *err, size_t errlen)
{
    struct arena *a = arena_new();
    struct unit_row *existing;
    size_t nexisting;
    int rc = store_unit_list(s, a, &existing, &nexisting);
    if (rc == 0 && nexisting) {
        snprintf(err, errlen, "the database has units already; the demo was not loaded");
        rc = AKAR_EEXIST;
    }
    if (rc)
        goto out;

    struct tsv_row *rows;
    size_t nunits = tsv_parse(a, resource_get("units.tsv"), &rows);
    size_t nacc;
    const struct demo_account *acc = demo_accounts(&nacc);
    struct tsv_row *cats;
    size_t ncats = tsv_parse(a, resource_get("categories.tsv"), &cats);
    struct store_write **items = arena_calloc(a, (nunits + nacc + ncats) * sizeof *items);
    for (size_t i = 0; i < nunits; i++) {
        char **f = rows[i].fields;
        if (rows[i].n != 5) {
            snprintf(err, errlen, "units.tsv line %d: 5 fields expected", rows[i].line);
            rc = AKAR_EINVAL;
            goto out;
        }
        struct unit_spec spec = {
            f[0], f[4], f[2], *f[1] ? f[1] : NULL, DEMO_TZ, strcmp(f[3], "1") == 0};
        const char *parent_level = NULL;
        for (size_t k = 0; k < i && spec.parent_code; k++)
            if (strcmp(rows[k].fields[0], spec.parent_code) == 0)
                parent_level = rows[k].fields[2];
        const char *why = unit_problem(&spec, parent_level);
        if (why) {
            snprintf(err, errlen, "demo unit %s: %s", spec.code, why);
            rc = AKAR_EINVAL;
            goto out;
        }
        struct store_write *w = arena_calloc(a, sizeof *w);
        w->kind = STORE_W_UNIT_ADD;
        w->u.unit.code = spec.code;
        w->u.unit.name = spec.name;
        w->u.unit.level = spec.level;
        w->u.unit.parent_code = spec.parent_code;
        w->u.unit.time_zone = spec.time_zone;
        w->u.unit.remote = spec.remote;
        items[i] = w;
    }
    for (size_t i = 0; i < nacc; i++) {
        struct store_write *w = arena_calloc(a, sizeof *w);
        char *hash = arena_alloc(a, ACCOUNT_HASH_MAX);
        if (role_parse(acc[i].role) < 0 || account_hash_password(acc[i].password, hash) != 0) {
            snprintf(err, errlen, "demo account %s is malformed", acc[i].login);
            rc = AKAR_EINVAL;
            goto out;
        }
        w->kind = STORE_W_USER_ADD;
        w->u.user.login = acc[i].login;
        w->u.user.display_name = acc[i].display_name;
        w->u.user.password_hash = hash;
        w->u.user.role = acc[i].role;
        w->u.user.unit_code = acc[i].unit;
        w->u.user.email = acc[i].email;
        w->audit_detail =
            arena_printf(a, "{\"role\":\"%s\",\"unit\":\"%s\"}", acc[i].role, acc[i].unit);
        items[nunits + i] = w;
    }
    for (size_t i = 0; i < ncats; i++) {
        char **f = cats[i].fields;
        if (cats[i].n != 5) {
            snprintf(err, errlen, "categories.tsv line %d: 5 fields expected", cats[i].line);
            rc = AKAR_EINVAL;
            goto out;
        }
        struct store_write *w = arena_calloc(a, sizeof *w);
        w->kind = STORE_W_CATEGORY_ADD;
        w->u.category.unit_code = f[0];
        w->u.category.code = f[1];
        w->u.category.name = f[2];
        w->u.category.department_code = f[3];
        w->u.category.department_name = f[4];
        items[nunits + nacc + i] = w;
    }
    struct store_write batch = {.kind = STORE_W_BATCH, .actor = "cli:init --demo"};
    batch.u.batch.items = items;
    batch.u.batch.n = nunits + nacc + ncats;
    rc = store_write_sync(s, &batch);
    if (rc)
        snprintf(err, errlen, "loading the demo failed: %s", batch.errmsg);
out:
    arena_free(a);
    return rc;
}
