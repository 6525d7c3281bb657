/* akar sweep --db PATH [--at INSTANT] [--within HOURS]: warns leaders of cases due soon, once
 * per deadline (serve does this every hour). --at pretends it is another moment (an RFC 3339
 * UTC instant such as 2026-03-02T08:00:00Z), for drills and tests. */
#include "domain/sweep.h"
#include "base/civil.h"
#include "base/clock.h"
#include "cli/cli.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int parse_utc(const char *s, int64_t *ms)
{
    char day[11];
    int hh, mm, ss;
    struct civil_date d;
    if (strlen(s) != 20 || s[10] != 'T' || s[19] != 'Z')
        return -1;
    memcpy(day, s, 10);
    day[10] = 0;
    if (!civil_parse(day, &d) || sscanf(s + 11, "%2d:%2d:%2d", &hh, &mm, &ss) != 3 || hh > 23 ||
        mm > 59 || ss > 59)
        return -1;
    *ms = ((civil_to_days(d) * 24 + hh) * 3600 + mm * 60 + ss) * 1000LL;
    return 0;
}

int cli_sweep(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"db", false, NULL, false}, {"at", false, NULL, false}, {"within", false, NULL, false}};
    if (cli_parse(argc, argv, 1, opts, N(opts)) != 0 || !opts[0].value) {
        fprintf(stderr, "usage: akar sweep --db PATH [--at 2026-03-02T08:00:00Z] "
                        "[--within HOURS]\n");
        return 2;
    }
    int64_t now = clock_now_ms(), window = SWEEP_WINDOW_MS;
    if (opts[1].value && parse_utc(opts[1].value, &now) != 0) {
        fprintf(stderr, "akar: --at wants a UTC instant like 2026-03-02T08:00:00Z\n");
        return 2;
    }
    if (opts[2].value) {
        char *end;
        long h = strtol(opts[2].value, &end, 10);
        if (*end || h < 1 || h > 24 * 30) {
            fprintf(stderr, "akar: --within is 1 to 720 hours\n");
            return 2;
        }
        window = h * 3600000LL;
    }
    struct store *s;
    char err[512];
    if (store_open(opts[0].value, STORE_OPEN_EXISTING, &s, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        return 1;
    }
    int warned;
    int rc = sweep_due_soon(s, now, window, &warned);
    store_close(s);
    if (rc) {
        fprintf(stderr, "akar: the sweep failed\n");
        return 1;
    }
    printf("sweep: %d case%s newly warned\n", warned, warned == 1 ? "" : "s");
    return 0;
}
