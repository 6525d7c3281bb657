/* akar audit verify --db PATH: walks the audit chain; exit 0 if intact, else 1 naming the first
 * entry that was altered, removed or moved. */
#include "base/chain.h"
#include "base/err.h"
#include "cli/cli.h"
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The chain is checked up to the head read before the scan: entries appended while the scan
 * runs (by a server still writing) are newer than that head and left for the next check, but
 * the head read again after the scan must cover them, or they were added behind akar's back. */
struct walk {
    struct chain_verifier v;
    int64_t head_seq, newest;
};

static int step(void *arg, const struct chain_entry *e)
{
    struct walk *w = arg;
    if (e->seq > w->head_seq) {
        w->newest = e->seq > w->newest ? e->seq : w->newest;
        return 0;
    }
    return chain_verify_next(&w->v, e) ? 0 : 1;
}

int cli_audit(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false}};
    if (argc < 2 || strcmp(argv[1], "verify") != 0 || cli_parse(argc, argv, 2, opts, N(opts)) ||
        !opts[0].value) {
        fprintf(stderr, "usage: akar audit verify --db PATH\n");
        return 2;
    }
    struct store *s;
    char err[512];
    if (store_open(opts[0].value, STORE_OPEN_EXISTING, &s, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        return 1;
    }
    struct walk w = {.head_seq = 0};
    chain_verify_begin(&w.v);
    unsigned char head_hash[CHAIN_HASH_BYTES], later_hash[CHAIN_HASH_BYTES];
    int64_t later = 0;
    int rc = store_audit_head(s, &w.head_seq, head_hash);
    if (rc == 0)
        rc = store_audit_scan(s, step, &w);
    if (rc == 0 && w.newest)
        rc = store_audit_head(s, &later, later_hash);
    store_close(s);
    if (rc < 0) {
        fprintf(stderr, "akar: the audit log cannot be read: %s\n", akar_strerror(rc));
        return 1;
    }
    if (rc == 0 && w.newest > later) {
        printf("audit chain BROKEN at entry %" PRId64
               ": the entry is not covered by the recorded chain head\n",
               later + 1 > w.head_seq + 1 ? later + 1 : w.head_seq + 1);
        return 1;
    }
    if (!chain_verify_end(&w.v, w.head_seq, head_hash)) {
        printf("audit chain BROKEN at entry %" PRId64 ": %s\n", w.v.bad_seq, w.v.why);
        return 1;
    }
    printf("audit chain intact: %" PRId64 " entries\n", w.v.next_seq - 1);
    return 0;
}
