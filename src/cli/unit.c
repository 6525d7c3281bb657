/* akar unit add|list: manage the administrative tree from the command line.
 *   akar unit add --db PATH --code C --name N --level L [--parent CODE] --tz ZONE [--remote]
 *   akar unit list --db PATH */
#include "domain/unit.h"
#include "base/arena.h"
#include "base/err.h"
#include "cli/cli.h"
#include "store/store.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int unit_add(struct store *s, const struct unit_spec *spec)
{
    struct arena *a = arena_new();
    const char *parent_level = NULL;
    int rc = 0;
    if (spec->parent_code) {
        struct unit_row parent;
        rc = store_unit_get(s, a, spec->parent_code, &parent);
        if (rc == AKAR_ENOTFOUND)
            fprintf(stderr, "akar: parent unit %s does not exist\n", spec->parent_code);
        parent_level = rc == 0 ? parent.level : NULL;
    }
    const char *why = rc ? NULL : unit_problem(spec, parent_level);
    if (why) {
        fprintf(stderr, "akar: %s\n", why);
        rc = AKAR_EINVAL;
    }
    if (rc == 0) {
        struct store_write w = {.kind = STORE_W_UNIT_ADD, .actor = "cli:unit add"};
        w.u.unit.code = spec->code;
        w.u.unit.name = spec->name;
        w.u.unit.level = spec->level;
        w.u.unit.parent_code = spec->parent_code;
        w.u.unit.time_zone = spec->time_zone;
        w.u.unit.remote = spec->remote;
        json_t *d = json_pack("{s:s, s:s}", "name", spec->name, "level", spec->level);
        char *detail = json_dumps(d, JSON_COMPACT);
        json_decref(d);
        w.audit_detail = detail;
        rc = store_write_sync(s, &w);
        free(detail);
        if (rc)
            fprintf(stderr, "akar: %s\n", w.errmsg);
        else
            printf("unit %s added\n", spec->code);
    }
    arena_free(a);
    return rc;
}

static int unit_list(struct store *s)
{
    struct arena *a = arena_new();
    struct unit_row *rows;
    size_t n;
    int rc = store_unit_list(s, a, &rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        int depth = 0;
        for (const char *p = rows[i].path; *p; p++)
            depth += *p == '/';
        printf("%*s%-12s %-9s %s%s\n", 2 * (depth - 2), "", rows[i].code, rows[i].level,
               rows[i].name, rows[i].remote ? " (remote)" : "");
    }
    arena_free(a);
    return rc;
}

int cli_unit(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},     {"code", false, NULL, false},
                             {"name", false, NULL, false},   {"level", false, NULL, false},
                             {"parent", false, NULL, false}, {"tz", false, NULL, false},
                             {"remote", true, NULL, false}};
    bool add = argc >= 2 && strcmp(argv[1], "add") == 0;
    bool list = argc >= 2 && strcmp(argv[1], "list") == 0;
    if ((!add && !list) || cli_parse(argc, argv, 2, opts, N(opts)) != 0 ||
        !cli_get(opts, N(opts), "db")) {
        fprintf(stderr, "usage: akar unit add --db PATH --code C --name N --level L "
                        "[--parent CODE] --tz ZONE [--remote]\n"
                        "       akar unit list --db PATH\n");
        return 2;
    }
    struct store *s;
    char err[512];
    if (store_open(cli_get(opts, N(opts), "db"), STORE_OPEN_EXISTING, &s, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        return 1;
    }
    int rc;
    if (add) {
        struct unit_spec spec = {cli_get(opts, N(opts), "code"),  cli_get(opts, N(opts), "name"),
                                 cli_get(opts, N(opts), "level"), cli_get(opts, N(opts), "parent"),
                                 cli_get(opts, N(opts), "tz"),    cli_has(opts, N(opts), "remote")};
        rc = unit_add(s, &spec);
    } else {
        rc = unit_list(s);
    }
    store_close(s);
    return rc ? 1 : 0;
}
