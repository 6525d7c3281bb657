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

static int step(void *arg, const struct chain_entry *e)
{
    return chain_verify_next(arg, e) ? 0 : 1;
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
    struct chain_verifier v;
    chain_verify_begin(&v);
    int64_t head_seq = 0;
    unsigned char head_hash[CHAIN_HASH_BYTES];
    int rc = store_audit_scan(s, step, &v);
    if (rc == 0 || rc == 1)
        rc = store_audit_head(s, &head_seq, head_hash);
    store_close(s);
    if (rc < 0) {
        fprintf(stderr, "akar: the audit log cannot be read: %s\n", akar_strerror(rc));
        return 1;
    }
    if (!chain_verify_end(&v, head_seq, head_hash)) {
        printf("audit chain BROKEN at entry %" PRId64 ": %s\n", v.bad_seq, v.why);
        return 1;
    }
    printf("audit chain intact: %" PRId64 " entries\n", v.next_seq - 1);
    return 0;
}
