/* Deadline presets and day counting; see deadline.h. */
#include "domain/deadline.h"

#include "base/arena.h"
#include "base/civil.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/tsv.h"
#include "base/tz.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_S 86400

struct day_entry {
    int64_t day;
    bool off; /* false: a weekend day made a working day */
};

struct deadline_policy {
    char preset[4];
    struct deadline_rule *rules;
    size_t nrules;
    struct day_entry *days; /* sorted by day */
    size_t ndays;
    struct arena *arena;
};

static struct deadline_policy presets[2] = {{.preset = "vn"}, {.preset = "id"}};
static pthread_once_t presets_once = PTHREAD_ONCE_INIT;
static bool presets_ok;

static int limit(const char *s)
{
    return strcmp(s, "-") == 0 ? 0 : atoi(s);
}

static int by_day(const void *a, const void *b)
{
    const struct day_entry *x = a, *y = b;
    return (x->day > y->day) - (x->day < y->day);
}

static bool load(struct deadline_policy *p)
{
    char name[32];
    p->arena = arena_new();
    struct tsv_row *rows;
    snprintf(name, sizeof name, "deadlines-%s.tsv", p->preset);
    const char *text = resource_get(name);
    size_t n = text ? tsv_parse(p->arena, text, &rows) : 0;
    if (!n)
        return false;
    p->rules = arena_calloc(p->arena, n * sizeof *p->rules);
    for (size_t i = 0; i < n; i++) {
        char **f = rows[i].fields;
        if (rows[i].n != 10 || (strcmp(f[2], "calendar") && strcmp(f[2], "working"))) {
            log_error("%s line %d is malformed", name, rows[i].line);
            return false;
        }
        p->rules[i] = (struct deadline_rule){f[0],        f[1],        strcmp(f[2], "working") == 0,
                                             limit(f[3]), limit(f[4]), limit(f[5]),
                                             limit(f[6]), limit(f[7]), limit(f[8]),
                                             f[9]};
        const struct deadline_rule *r = &p->rules[i];
        if (r->days <= 0 || r->remote_days <= 0 || r->complex_days <= 0 ||
            r->remote_complex_days <= 0 || (r->max_ext > 0) != (r->ext_days > 0)) {
            log_error("%s line %d: every limit must be a positive number of days", name,
                      rows[i].line);
            return false;
        }
    }
    p->nrules = n;
    snprintf(name, sizeof name, "holidays-%s.tsv", p->preset);
    text = resource_get(name);
    n = text ? tsv_parse(p->arena, text, &rows) : 0;
    p->days = arena_calloc(p->arena, (n ? n : 1) * sizeof *p->days);
    for (size_t i = 0; i < n; i++) {
        struct civil_date d;
        if (rows[i].n < 2 || !civil_parse(rows[i].fields[0], &d) ||
            (strcmp(rows[i].fields[1], "off") && strcmp(rows[i].fields[1], "work"))) {
            log_error("%s line %d is malformed", name, rows[i].line);
            return false;
        }
        p->days[i] = (struct day_entry){civil_to_days(d), strcmp(rows[i].fields[1], "off") == 0};
    }
    p->ndays = n;
    qsort(p->days, n, sizeof *p->days, by_day);
    return true;
}

static void load_all(void)
{
    presets_ok = load(&presets[0]) && load(&presets[1]);
}

const struct deadline_policy *deadline_policy_get(const char *preset)
{
    pthread_once(&presets_once, load_all);
    if (!presets_ok || !preset)
        return NULL;
    for (size_t i = 0; i < 2; i++)
        if (strcmp(presets[i].preset, preset) == 0)
            return &presets[i];
    return NULL;
}

const struct deadline_rule *deadline_rule_get(const struct deadline_policy *p, const char *kind,
                                              const char *step)
{
    for (size_t i = 0; i < p->nrules; i++)
        if (strcmp(p->rules[i].kind, kind) == 0 && strcmp(p->rules[i].step, step) == 0)
            return &p->rules[i];
    return NULL;
}

bool deadline_working_day(const struct deadline_policy *p, int64_t day)
{
    struct day_entry key = {day, true};
    const struct day_entry *e = bsearch(&key, p->days, p->ndays, sizeof *p->days, by_day);
    if (e)
        return !e->off;
    return civil_weekday(day) < 5;
}

int64_t deadline_local_day(const struct tz *z, int64_t ms)
{
    int64_t s = ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000); /* floor, also before 1970 */
    int64_t t = s + tz_offset(z, s);
    return t >= 0 ? t / DAY_S : -((-t + DAY_S - 1) / DAY_S);
}

/* The last millisecond of local day in zone z, as Unix ms. */
static int64_t end_of_day(const struct tz *z, int64_t day)
{
    int64_t next_local = (day + 1) * DAY_S;
    int off = tz_offset(z, next_local);
    off = tz_offset(z, next_local - off); /* the offset in force at that instant */
    return (next_local - off) * 1000 - 1;
}

int64_t deadline_due(const struct deadline_policy *p, const struct deadline_rule *r,
                     const struct tz *z, int64_t from_ms, bool remote, bool complex, int extensions)
{
    int days = remote && complex ? r->remote_complex_days
               : remote          ? r->remote_days
               : complex         ? r->complex_days
                                 : r->days;
    if (extensions > r->max_ext)
        extensions = r->max_ext;
    if (extensions > 0)
        days += extensions * r->ext_days;
    int64_t day = deadline_local_day(z, from_ms);
    if (r->working) {
        for (int counted = 0; counted < days;)
            counted += deadline_working_day(p, ++day);
    } else {
        day += days;
        while (!deadline_working_day(p, day))
            day++;
    }
    return end_of_day(z, day);
}
