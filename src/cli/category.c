/* akar category add|list: the petition categories a unit offers to its subtree, each naming
 * the department competent for it (created on first use).
 *   akar category add --db PATH --unit CODE --code C --name N [--department CODE
 *                     [--department-name NAME]]
 *   akar category list --db PATH --unit CODE */
#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool code_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return false;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_' || *s == '-'))
            return false;
    return true;
}

static bool text_ok(const char *s)
{
    return s && *s && strlen(s) <= 200 && utf8_valid(s, strlen(s), NULL);
}

int cli_category(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"db", false, NULL, false},         {"unit", false, NULL, false},
        {"code", false, NULL, false},       {"name", false, NULL, false},
        {"department", false, NULL, false}, {"department-name", false, NULL, false}};
    bool add = argc >= 2 && strcmp(argv[1], "add") == 0;
    bool list = argc >= 2 && strcmp(argv[1], "list") == 0;
    const char *db = NULL, *unit = NULL;
    if ((add || list) && cli_parse(argc, argv, 2, opts, N(opts)) == 0) {
        db = cli_get(opts, N(opts), "db");
        unit = cli_get(opts, N(opts), "unit");
    }
    if (!db || !unit) {
        fprintf(stderr, "usage: akar category add --db PATH --unit CODE --code C --name N "
                        "[--department CODE [--department-name NAME]]\n"
                        "       akar category list --db PATH --unit CODE\n");
        return 2;
    }
    const char *code = cli_get(opts, N(opts), "code"), *name = cli_get(opts, N(opts), "name"),
               *dep = cli_get(opts, N(opts), "department"),
               *dep_name = cli_get(opts, N(opts), "department-name");
    if (add && (!code || !code_ok(code) || !text_ok(name) || (dep && !code_ok(dep)) ||
                (dep_name && (!dep || !text_ok(dep_name))))) {
        fprintf(stderr, "akar: --code and --department are 1 to 64 of a-z 0-9 _ -; --name and "
                        "--department-name are 1 to 200 bytes of UTF-8 (the latter needs "
                        "--department)\n");
        return 2;
    }
    struct store *s = cli_store_open(db);
    if (!s)
        return 1;
    struct arena *a = arena_new();
    struct unit_row u;
    int rc = store_unit_get(s, a, unit, &u);
    if (rc == AKAR_ENOTFOUND)
        fprintf(stderr, "akar: unit %s does not exist\n", unit);
    if (rc == 0 && add) {
        struct store_write w = {.kind = STORE_W_CATEGORY_ADD, .actor = "cli:category add"};
        w.u.category.unit_code = unit;
        w.u.category.code = code;
        w.u.category.name = name;
        w.u.category.department_code = dep;
        w.u.category.department_name = dep_name;
        rc = store_write_sync(s, &w);
        if (rc)
            fprintf(stderr, "akar: %s\n", w.errmsg);
        else
            printf("category %s added at unit %s\n", code, unit);
    } else if (rc == 0) {
        struct category_row *rows;
        size_t n;
        rc = store_category_list(s, a, u.path, &rows, &n);
        for (size_t i = 0; rc == 0 && i < n; i++)
            printf("%-16s %-32s %-10s %s\n", rows[i].code, rows[i].name, rows[i].unit_code,
                   rows[i].department_name ? rows[i].department_name : "-");
    }
    arena_free(a);
    store_close(s);
    return rc ? 1 : 0;
}
