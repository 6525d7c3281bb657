/* Unit tests for base/chain: what the hash covers, and which entry the verifier names when a
 * chain was altered, cut, reordered or shortened. */
#include "base/chain.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define N 6

static char details[N][32];

/* Builds a correct chain of n entries with seq 1..n. */
static void build(struct chain_entry *e, int n)
{
    unsigned char prev[CHAIN_HASH_BYTES] = {0};
    for (int i = 0; i < n; i++) {
        snprintf(details[i], sizeof details[i], "{\"n\":%d}", i + 1);
        e[i] = (struct chain_entry){
            .seq = i + 1,
            .at_ms = 1700000000000 + i,
            .actor = "admin",
            .action = "unit.add",
            .object_type = "unit",
            .object_id = "58",
            .detail = details[i],
        };
        memcpy(e[i].prev_hash, prev, CHAIN_HASH_BYTES);
        chain_hash(&e[i], e[i].hash);
        memcpy(prev, e[i].hash, CHAIN_HASH_BYTES);
    }
}

/* Feeds entries (in the order given) and then the head; returns bad_seq (0: intact). */
static int64_t verify(const struct chain_entry *e, int n, int64_t head_seq,
                      const unsigned char *head_hash, struct chain_verifier *v)
{
    chain_verify_begin(v);
    for (int i = 0; i < n; i++)
        if (!chain_verify_next(v, &e[i]))
            break;
    chain_verify_end(v, head_seq, head_hash);
    return v->bad_seq;
}

static void test_hash_is_deterministic(void **state)
{
    (void)state;
    struct chain_entry e[1];
    build(e, 1);
    unsigned char h[CHAIN_HASH_BYTES];
    chain_hash(&e[0], h);
    assert_memory_equal(h, e[0].hash, CHAIN_HASH_BYTES);
    /* The stored hash is not an input. */
    memset(e[0].hash, 0x5A, CHAIN_HASH_BYTES);
    chain_hash(&e[0], h);
    assert_memory_not_equal(h, e[0].hash, CHAIN_HASH_BYTES);
    build(e, 1);
    assert_memory_equal(h, e[0].hash, CHAIN_HASH_BYTES);
}

/* The hash of base with one field changed by change(). */
static void assert_change_alters_hash(void (*change)(struct chain_entry *e))
{
    struct chain_entry e[1];
    build(e, 1);
    unsigned char before[CHAIN_HASH_BYTES], after[CHAIN_HASH_BYTES];
    chain_hash(&e[0], before);
    change(&e[0]);
    chain_hash(&e[0], after);
    assert_memory_not_equal(before, after, CHAIN_HASH_BYTES);
}

static void change_seq(struct chain_entry *e)
{
    e->seq++;
}
static void change_at(struct chain_entry *e)
{
    e->at_ms++;
}
static void change_actor(struct chain_entry *e)
{
    e->actor = "admim";
}
static void change_action(struct chain_entry *e)
{
    e->action = "unit.del";
}
static void change_object_type(struct chain_entry *e)
{
    e->object_type = "user";
}
static void change_object_id(struct chain_entry *e)
{
    e->object_id = "59";
}
static void change_detail(struct chain_entry *e)
{
    e->detail = "{\"n\":2}";
}
static void change_prev_hash(struct chain_entry *e)
{
    e->prev_hash[CHAIN_HASH_BYTES - 1] ^= 1;
}
/* The same bytes split differently between two fields. */
static void shift_field_boundary(struct chain_entry *e)
{
    e->actor = "adminunit";
    e->action = ".add";
}

static void test_hash_changes_when_any_field_changes(void **state)
{
    (void)state;
    assert_change_alters_hash(change_seq);
    assert_change_alters_hash(change_at);
    assert_change_alters_hash(change_actor);
    assert_change_alters_hash(change_action);
    assert_change_alters_hash(change_object_type);
    assert_change_alters_hash(change_object_id);
    assert_change_alters_hash(change_detail);
    assert_change_alters_hash(change_prev_hash);
    assert_change_alters_hash(shift_field_boundary);
}

static void test_verifier_accepts_an_intact_chain(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    struct chain_verifier v;
    chain_verify_begin(&v);
    for (int i = 0; i < N; i++)
        assert_true(chain_verify_next(&v, &e[i]));
    assert_true(chain_verify_end(&v, N, e[N - 1].hash));
    assert_int_equal(v.bad_seq, 0);
}

static void test_verifier_accepts_an_empty_chain(void **state)
{
    (void)state;
    unsigned char zero[CHAIN_HASH_BYTES] = {0};
    struct chain_verifier v;
    chain_verify_begin(&v);
    assert_true(chain_verify_end(&v, 0, zero));
    assert_int_equal(v.bad_seq, 0);
}

static void test_verifier_names_an_altered_entry(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    e[3].detail = "{\"n\":400}";
    struct chain_verifier v;
    assert_int_equal(verify(e, N, N, e[N - 1].hash, &v), 4);
    assert_non_null(strstr(v.why, "altered"));
}

static void test_verifier_names_an_entry_whose_link_was_rewritten(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    /* Entry 3 rewritten and re-hashed: entry 4 no longer links to it. */
    e[2].actor = "mallory";
    chain_hash(&e[2], e[2].hash);
    struct chain_verifier v;
    assert_int_equal(verify(e, N, N, e[N - 1].hash, &v), 4);
}

static void test_verifier_names_a_deleted_entry(void **state)
{
    (void)state;
    struct chain_entry e[N], cut[N - 1];
    build(e, N);
    /* Entry 3 removed: 1, 2, 4, 5, 6. */
    memcpy(cut, e, 2 * sizeof *e);
    memcpy(cut + 2, e + 3, (N - 3) * sizeof *e);
    struct chain_verifier v;
    assert_int_equal(verify(cut, N - 1, N, e[N - 1].hash, &v), 3);
    assert_non_null(strstr(v.why, "missing"));
}

static void test_verifier_names_a_deleted_first_entry(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    struct chain_verifier v;
    assert_int_equal(verify(e + 1, N - 1, N, e[N - 1].hash, &v), 1);
}

static void test_verifier_names_the_first_of_two_swapped_entries(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    /* Fed in the order 1, 4, 3, 2, 5, 6. */
    struct chain_entry t = e[1];
    e[1] = e[3];
    e[3] = t;
    struct chain_verifier v;
    assert_int_equal(verify(e, N, N, e[N - 1].hash, &v), 2);
}

static void test_verifier_names_the_first_of_two_entries_with_swapped_contents(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    /* Contents of 2 and 5 exchanged, each keeping its seq: what a swap of rows looks like. */
    struct chain_entry t = e[1];
    e[1] = e[4];
    e[4] = t;
    e[1].seq = 2;
    e[4].seq = 5;
    struct chain_verifier v;
    assert_int_equal(verify(e, N, N, e[N - 1].hash, &v), 2);
}

static void test_verifier_names_the_first_removed_tail_entry(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    struct chain_verifier v;
    /* The last two are gone but the head still records 6. */
    assert_int_equal(verify(e, N - 2, N, e[N - 1].hash, &v), N - 1);
    assert_non_null(strstr(v.why, "removed"));
    assert_int_equal(verify(e, 0, N, e[N - 1].hash, &v), 1);
}

static void test_verifier_rejects_a_head_hash_that_differs(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    unsigned char other[CHAIN_HASH_BYTES];
    memcpy(other, e[N - 1].hash, CHAIN_HASH_BYTES);
    other[0] ^= 0x80;
    struct chain_verifier v;
    assert_int_equal(verify(e, N, N, other, &v), N);
}

static void test_verifier_rejects_entries_beyond_the_head(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    struct chain_verifier v;
    assert_int_equal(verify(e, N, N - 1, e[N - 2].hash, &v), N);
}

static void test_verifier_keeps_the_first_failure(void **state)
{
    (void)state;
    struct chain_entry e[N];
    build(e, N);
    e[1].detail = "x";
    e[4].detail = "y";
    struct chain_verifier v;
    chain_verify_begin(&v);
    bool ok = true;
    for (int i = 0; i < N; i++)
        ok = chain_verify_next(&v, &e[i]) && ok;
    assert_false(ok);
    assert_false(chain_verify_end(&v, N, e[N - 1].hash));
    assert_int_equal(v.bad_seq, 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_is_deterministic),
        cmocka_unit_test(test_hash_changes_when_any_field_changes),
        cmocka_unit_test(test_verifier_accepts_an_intact_chain),
        cmocka_unit_test(test_verifier_accepts_an_empty_chain),
        cmocka_unit_test(test_verifier_names_an_altered_entry),
        cmocka_unit_test(test_verifier_names_an_entry_whose_link_was_rewritten),
        cmocka_unit_test(test_verifier_names_a_deleted_entry),
        cmocka_unit_test(test_verifier_names_a_deleted_first_entry),
        cmocka_unit_test(test_verifier_names_the_first_of_two_swapped_entries),
        cmocka_unit_test(test_verifier_names_the_first_of_two_entries_with_swapped_contents),
        cmocka_unit_test(test_verifier_names_the_first_removed_tail_entry),
        cmocka_unit_test(test_verifier_rejects_a_head_hash_that_differs),
        cmocka_unit_test(test_verifier_rejects_entries_beyond_the_head),
        cmocka_unit_test(test_verifier_keeps_the_first_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
