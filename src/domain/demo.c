/* Loading the demo province; see demo.h. */
#include "domain/demo.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/mem.h"
#include "base/seal.h"
#include "base/tsv.h"
#include "domain/access.h"
#include "domain/account.h"
#include "domain/answers.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/totp.h"
#include "domain/unit.h"
#include "store/store.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEMO_TZ "Asia/Ho_Chi_Minh"

_Static_assert(DEMO_TOTP_CHARS == TOTP_SECRET_CHARS + 1, "demo.h's TOTP size is totp.h's");

static struct demo_account accounts[DEMO_ACCOUNTS_MAX];
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

/* A question of questions.tsv as the write that adds it: 0, or -1 with err set. */
static int demo_question(struct arena *a, const struct tsv_row *row, struct store_write *w,
                         char *err, size_t errlen)
{
    char **f = row->fields;
    if (row->n != 9 || (strcmp(f[5], "yes") != 0 && strcmp(f[5], "no") != 0)) {
        snprintf(err, errlen,
                 "questions.tsv line %d: unit, category, code, position, datatype, yes or no, "
                 "question, help and choices expected",
                 row->line);
        return -1;
    }
    struct category_question *q = &w->u.question.q;
    w->kind = STORE_W_QUESTION_ADD;
    w->u.question.unit_code = f[0];
    w->u.question.category_code = f[1];
    *q = (struct category_question){.code = f[2],
                                    .position = atoi(f[3]),
                                    .datatype = f[4],
                                    .required = strcmp(f[5], "yes") == 0,
                                    .label = f[6],
                                    .description = strcmp(f[7], "-") ? f[7] : NULL};
    struct question_choice *choices;
    if (strcmp(f[8], "-") != 0) {
        if (answers_parse_choices(a, f[8], &choices, &q->nchoices)) {
            snprintf(err, errlen, "questions.tsv line %d: choices are key=name, split by |",
                     row->line);
            return -1;
        }
        q->choices = choices;
    }
    const char *why = answers_question_problem(q);
    if (why) {
        snprintf(err, errlen, "questions.tsv line %d: %s", row->line, why);
        return -1;
    }
    return 0;
}

int demo_load(struct store *s, const struct seal_key *key, char (*totp)[DEMO_TOTP_CHARS], char *err,
              size_t errlen)
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
    struct tsv_row *quests;
    size_t nquests = tsv_parse(a, resource_get("questions.tsv"), &quests);
    struct store_write **items = arena_calloc(a, (nunits + nacc + ncats + nquests) * sizeof *items);
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
        if (key && totp) {
            totp[i][0] = 0;
            if (role_is_official((enum role)role_parse(acc[i].role))) {
                totp_secret_new(totp[i]);
                w->u.user.totp_sealed = seal_text(key, a, totp[i]);
            }
        }
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
    for (size_t i = 0; i < nquests; i++) {
        struct store_write *w = arena_calloc(a, sizeof *w);
        if (demo_question(a, &quests[i], w, err, errlen)) {
            rc = AKAR_EINVAL;
            goto out;
        }
        items[nunits + nacc + ncats + i] = w;
    }
    struct store_write batch = {.kind = STORE_W_BATCH, .actor = "cli:init --demo"};
    batch.u.batch.items = items;
    batch.u.batch.n = nunits + nacc + ncats + nquests;
    rc = store_write_sync(s, &batch);
    if (rc)
        snprintf(err, errlen, "loading the demo failed: %s", batch.errmsg);
out:
    arena_free(a);
    return rc;
}

#define DAY_MS (24LL * 3600 * 1000)

/* One demo action on case id at instant now, by an official who may do everything here. */
static int demo_act(struct store *s, struct arena *a, struct case_env *env, int64_t id,
                    const char *word, int64_t handler_id, int64_t previous_id, char *err,
                    size_t errlen)
{
    struct case_row c, target;
    if (store_case_get(s, a, id, NULL, &c) != 0)
        return AKAR_ESTORE;
    bool complex = word[strlen(word) - 1] == '!';
    char name[16];
    snprintf(name, sizeof name, "%.*s", (int)(strlen(word) - complex), word);
    int action = case_action_parse(name);
    struct case_actor who = {handler_id, true, true, true, false, true, true};
    struct case_args args = {"Theo đề nghị của bộ phận tiếp dân (dữ liệu mẫu).",
                             "Đã kiểm tra thực tế và có văn bản trả lời công dân (dữ liệu mẫu).",
                             "Quyết định số 01/QĐ-UBND (mẫu)", complex};
    struct case_target t = {0};
    struct unit_row unit;
    if (action == ACTION_TRANSFER && store_unit_get(s, a, "582", &unit) == 0)
        t.unit = &unit;
    if (action == ACTION_REOPEN) {
        struct unit_row here;
        if (store_unit_get(s, a, c.unit_code, &here) == 0 && here.parent_code &&
            store_unit_get(s, a, here.parent_code, &unit) == 0)
            t.unit = &unit;
    }
    if (action == ACTION_MERGE && store_case_get(s, a, previous_id, NULL, &target) == 0)
        t.merge_into = &target;
    struct store_write w = {
        .kind = STORE_W_CASE_UPDATE, .actor = "cli:init --demo", .at_ms = env->now};
    struct case_problem p = {0};
    if (action < 0 || case_plan_action(env, a, &c, (enum case_action)action, &who,
                                       "cli:init --demo", &args, &t, &w.u.case_update, &p)) {
        snprintf(err, errlen, "demo case %lld: %s: %s", (long long)id, word, p.detail);
        return AKAR_EINVAL;
    }
    int rc = store_write_sync(s, &w);
    if (rc)
        snprintf(err, errlen, "demo case %lld: %s", (long long)id, w.errmsg);
    return rc;
}

int demo_load_cases(struct store *s, const struct seal_key *key, const char *preset, char *err,
                    size_t errlen)
{
    struct arena *a = arena_new();
    struct tsv_row *rows;
    size_t n = tsv_parse(a, resource_get("cases.tsv"), &rows);
    struct user_row handler;
    int rc = store_user_get(s, a, "handler.vinhhai", &handler);
    struct case_env env = {deadline_policy_get(preset), key, 0, NULL, 0, NULL, 0};
    if (!env.policy)
        rc = AKAR_EINVAL;
    int64_t now = clock_now_ms(), previous = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        char **f = rows[i].fields;
        if (rows[i].n != 8) {
            snprintf(err, errlen, "cases.tsv line %d: 8 fields expected", rows[i].line);
            rc = AKAR_EINVAL;
            break;
        }
        env.now = now - atoi(f[0]) * DAY_MS;
        struct unit_row unit;
        rc = store_unit_get(s, a, f[2], &unit);
        if (rc)
            break;
        struct case_intake in = {
            .kind = (enum case_kind)case_kind_parse(f[1]),
            .channel = CHANNEL_WEB,
            .title = f[6],
            .description = arena_printf(a, "%s. (Dữ liệu mẫu của bản demo.)", f[6]),
            .category_code = strcmp(f[3], "-") ? f[3] : NULL,
            .anonymous = strcmp(f[4], "anonymous") == 0,
            .confidential = strcmp(f[4], "confidential") == 0,
            .has_reporter = strcmp(f[5], "-") != 0,
            .reporter = {strcmp(f[5], "-") ? f[5] : NULL, "0912 000 000", NULL, f[2]},
        };
        struct store_write w = {
            .kind = STORE_W_CASE_CREATE, .actor = "cli:init --demo", .at_ms = env.now};
        char access_key[CASE_ACCESS_KEY_CHARS + 1];
        struct case_problem p = {0};
        if (case_plan_intake(&env, a, &in, &unit, &w.u.case_new, access_key, &p)) {
            snprintf(err, errlen, "cases.tsv line %d: %s", rows[i].line, p.detail);
            rc = AKAR_EINVAL;
            break;
        }
        rc = store_write_sync(s, &w);
        if (rc) {
            snprintf(err, errlen, "cases.tsv line %d: %s", rows[i].line, w.errmsg);
            break;
        }
        char *save = NULL;
        for (char *word = strtok_r(f[7], " ", &save); rc == 0 && word;
             word = strtok_r(NULL, " ", &save)) {
            env.now += DAY_MS;
            rc = demo_act(s, a, &env, w.id, word, handler.id, previous, err, errlen);
        }
        previous = w.id;
    }
    arena_free(a);
    return rc;
}
