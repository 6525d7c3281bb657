/* Audit hash chain; see chain.h. Every field is length-prefixed before hashing so that no two
 * different entries can feed the hash the same bytes. */
#include "base/chain.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static void put_u64(crypto_generichash_state *st, uint64_t v)
{
    unsigned char b[8];
    for (int i = 0; i < 8; i++)
        b[i] = (unsigned char)(v >> (56 - 8 * i));
    crypto_generichash_update(st, b, sizeof b);
}

static void put_str(crypto_generichash_state *st, const char *s)
{
    size_t n = s ? strlen(s) : 0;
    put_u64(st, n);
    crypto_generichash_update(st, (const unsigned char *)(s ? s : ""), n);
}

void chain_hash(const struct chain_entry *e, unsigned char out[CHAIN_HASH_BYTES])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, CHAIN_HASH_BYTES);
    crypto_generichash_update(&st, (const unsigned char *)"akar-audit-v1", 13);
    crypto_generichash_update(&st, e->prev_hash, CHAIN_HASH_BYTES);
    put_u64(&st, (uint64_t)e->seq);
    put_u64(&st, (uint64_t)e->at_ms);
    put_str(&st, e->actor);
    put_str(&st, e->action);
    put_str(&st, e->object_type);
    put_str(&st, e->object_id);
    put_str(&st, e->detail);
    crypto_generichash_final(&st, out, CHAIN_HASH_BYTES);
}

void chain_verify_begin(struct chain_verifier *v)
{
    memset(v, 0, sizeof *v);
    v->next_seq = 1;
}

static bool fail(struct chain_verifier *v, int64_t seq, const char *why)
{
    v->bad_seq = seq;
    snprintf(v->why, sizeof v->why, "%s", why);
    return false;
}

bool chain_verify_next(struct chain_verifier *v, const struct chain_entry *e)
{
    if (v->bad_seq)
        return false;
    if (e->seq != v->next_seq) {
        char why[200];
        snprintf(why, sizeof why,
                 e->seq > v->next_seq ? "entry %" PRId64 " is missing (next found is %" PRId64 ")"
                                      : "entry %" PRId64 " is out of order (found %" PRId64 ")",
                 v->next_seq, e->seq);
        return fail(v, v->next_seq, why);
    }
    if (sodium_memcmp(e->prev_hash, v->last_hash, CHAIN_HASH_BYTES) != 0)
        return fail(v, e->seq,
                    "its link to the previous entry is broken (an entry before it was altered, "
                    "removed or swapped)");
    unsigned char h[CHAIN_HASH_BYTES];
    chain_hash(e, h);
    if (sodium_memcmp(h, e->hash, CHAIN_HASH_BYTES) != 0)
        return fail(v, e->seq, "its content does not match its hash (the entry was altered)");
    memcpy(v->last_hash, e->hash, CHAIN_HASH_BYTES);
    v->next_seq++;
    return true;
}

bool chain_verify_end(struct chain_verifier *v, int64_t head_seq,
                      const unsigned char head_hash[CHAIN_HASH_BYTES])
{
    if (v->bad_seq)
        return false;
    int64_t last = v->next_seq - 1;
    if (head_seq > last) {
        char why[200];
        snprintf(why, sizeof why, "entries %" PRId64 " to %" PRId64 " were removed", last + 1,
                 head_seq);
        return fail(v, last + 1, why);
    }
    if (head_seq < last)
        return fail(v, head_seq + 1, "the entry is not covered by the recorded chain head");
    if (last > 0 && sodium_memcmp(head_hash, v->last_hash, CHAIN_HASH_BYTES) != 0)
        return fail(v, last, "it does not match the recorded chain head");
    return true;
}
