/* The audit hash chain: how one entry's BLAKE2b-256 hash covers its content and the hash of
 * the entry before it, and a verifier that walks entries in order and names the first one
 * that was altered, removed or moved. Pure computation: the store appends and reads entries,
 * this decides whether they still agree. */
#ifndef AKAR_BASE_CHAIN_H
#define AKAR_BASE_CHAIN_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CHAIN_HASH_BYTES 32

struct chain_entry {
    int64_t seq; /* 1, 2, 3, ... without gaps */
    int64_t at_ms;
    const char *actor, *action, *object_type, *object_id, *detail;
    unsigned char prev_hash[CHAIN_HASH_BYTES]; /* zeros for entry 1 */
    unsigned char hash[CHAIN_HASH_BYTES];
};

/* Computes e's hash from its fields and prev_hash (e->hash is not read). */
void chain_hash(const struct chain_entry *e, unsigned char out[CHAIN_HASH_BYTES]);

struct chain_verifier {
    int64_t next_seq;
    unsigned char last_hash[CHAIN_HASH_BYTES];
    int64_t bad_seq; /* 0 while intact */
    char why[200];
};

void chain_verify_begin(struct chain_verifier *v);
/* Checks the next entry in seq order. Returns true while the chain is intact; after the first
 * failure returns false and keeps bad_seq and why. */
bool chain_verify_next(struct chain_verifier *v, const struct chain_entry *e);
/* Checks the end of the chain against the recorded head (the last seq and its hash, kept apart
 * from the entries so that removing the newest entries is noticed too). */
bool chain_verify_end(struct chain_verifier *v, int64_t head_seq,
                      const unsigned char head_hash[CHAIN_HASH_BYTES]);

#endif
