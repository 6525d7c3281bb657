/* akar category add|list|question: the petition categories a unit offers to its subtree, each
 * naming the department competent for it (created on first use), and the extra questions a
 * category asks of whoever submits a petition in it.
 *   akar category add --db PATH --unit CODE --code C --name N [--department CODE
 *                     [--department-name NAME]]
 *   akar category list --db PATH --unit CODE
 *   akar category question --db PATH --unit CODE --category C --code Q --position N
 *                     --datatype TYPE --label TEXT [--help TEXT] [--required]
 *                     [--choices "key=name|key=name"] */
#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "cli/cli.h"
#include "domain/answers.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
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

/* akar category question: adds a question to the category that the unit offers itself. */
static int question_add(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},       {"unit", false, NULL, false},
                             {"category", false, NULL, false}, {"code", false, NULL, false},
                             {"position", false, NULL, false}, {"datatype", false, NULL, false},
                             {"label", false, NULL, false},    {"help", false, NULL, false},
                             {"required", true, NULL, false},  {"choices", false, NULL, false}};
    if (cli_parse(argc, argv, 2, opts, N(opts)) != 0 || !cli_get(opts, N(opts), "db") ||
        !cli_get(opts, N(opts), "unit") || !cli_get(opts, N(opts), "category") ||
        !cli_get(opts, N(opts), "position")) {
        fprintf(stderr, "usage: akar category question --db PATH --unit CODE --category C "
                        "--code Q --position N --datatype TYPE --label TEXT [--help TEXT] "
                        "[--required] [--choices \"key=name|key=name\"]\n");
        return 2;
    }
    struct arena *a = arena_new();
    struct store_write w = {.kind = STORE_W_QUESTION_ADD, .actor = "cli:category question"};
    struct category_question *q = &w.u.question.q;
    w.u.question.unit_code = cli_get(opts, N(opts), "unit");
    w.u.question.category_code = cli_get(opts, N(opts), "category");
    char *end;
    long position = strtol(cli_get(opts, N(opts), "position"), &end, 10);
    *q = (struct category_question){.code = cli_get(opts, N(opts), "code"),
                                    .position = *end || position > 1000 ? 0 : (int)position,
                                    .datatype = cli_get(opts, N(opts), "datatype"),
                                    .required = cli_has(opts, N(opts), "required"),
                                    .label = cli_get(opts, N(opts), "label"),
                                    .description = cli_get(opts, N(opts), "help")};
    const char *choices = cli_get(opts, N(opts), "choices"), *why = NULL;
    struct question_choice *parsed;
    if (choices && answers_parse_choices(a, choices, &parsed, &q->nchoices))
        why = "--choices are key=name, split by |";
    else if (choices)
        q->choices = parsed;
    if (!why)
        why = answers_question_problem(q);
    if (why) {
        fprintf(stderr, "akar: %s\n", why);
        arena_free(a);
        return 2;
    }
    int rc = 1;
    struct store *s = cli_store_open(cli_get(opts, N(opts), "db"));
    if (s) {
        rc = store_write_sync(s, &w);
        if (rc)
            fprintf(stderr, "akar: %s\n", w.errmsg);
        else
            printf("question %s added to category %s at unit %s\n", q->code,
                   w.u.question.category_code, w.u.question.unit_code);
        store_close(s);
    }
    arena_free(a);
    return rc ? 1 : 0;
}

int cli_category(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"db", false, NULL, false},         {"unit", false, NULL, false},
        {"code", false, NULL, false},       {"name", false, NULL, false},
        {"department", false, NULL, false}, {"department-name", false, NULL, false}};
    if (argc >= 2 && strcmp(argv[1], "question") == 0)
        return question_add(argc, argv);
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
                        "       akar category list --db PATH --unit CODE\n"
                        "       akar category question --db PATH --unit CODE --category C "
                        "--code Q --position N --datatype TYPE --label TEXT [--help TEXT] "
                        "[--required] [--choices \"key=name|key=name\"]\n");
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
