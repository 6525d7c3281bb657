/* Unit tests for base/ratelimit: locking after max failures, the wait until the window ends,
 * clearing, expiry, and keys that do not disturb each other. Time is passed in, so the tests
 * use made-up seconds. */
#include "base/ratelimit.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cmocka.h>

#define MAX    3
#define WINDOW 60
#define T0     1700000000

static void test_key_locks_after_max_failures_not_before(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1024, MAX, WINDOW);
    assert_int_equal(ratelimit_wait(rl, "alice", T0), 0);
    for (int i = 0; i < MAX - 1; i++) {
        ratelimit_fail(rl, "alice", T0 + i);
        assert_int_equal(ratelimit_wait(rl, "alice", T0 + i), 0);
    }
    ratelimit_fail(rl, "alice", T0 + 5);
    assert_true(ratelimit_wait(rl, "alice", T0 + 5) >= 1);
    ratelimit_free(rl);
}

static void test_wait_is_the_rest_of_the_window_begun_by_the_first_failure(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1024, MAX, WINDOW);
    ratelimit_fail(rl, "alice", T0);
    ratelimit_fail(rl, "alice", T0 + 10);
    ratelimit_fail(rl, "alice", T0 + 20);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 20), WINDOW - 20);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 45), WINDOW - 45);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + WINDOW - 1), 1);
    ratelimit_free(rl);
}

static void test_failures_beyond_max_do_not_extend_the_wait(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1024, MAX, WINDOW);
    for (int i = 0; i < 10; i++)
        ratelimit_fail(rl, "alice", T0 + i);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 30), WINDOW - 30);
    ratelimit_free(rl);
}

static void test_key_is_free_again_when_the_window_ends(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1024, MAX, WINDOW);
    for (int i = 0; i < MAX; i++)
        ratelimit_fail(rl, "alice", T0);
    assert_true(ratelimit_wait(rl, "alice", T0 + WINDOW - 1) > 0);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + WINDOW), 0);
    /* And the new window counts from zero: one more failure does not lock. */
    ratelimit_fail(rl, "alice", T0 + WINDOW);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + WINDOW), 0);
    ratelimit_free(rl);
}

static void test_failures_in_an_old_window_are_forgotten(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1024, MAX, WINDOW);
    for (int i = 0; i < MAX - 1; i++)
        ratelimit_fail(rl, "alice", T0);
    ratelimit_fail(rl, "alice", T0 + WINDOW + 1);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + WINDOW + 1), 0);
    ratelimit_free(rl);
}

static void test_clear_after_success_lifts_the_count(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(1024, MAX, WINDOW);
    for (int i = 0; i < MAX - 1; i++)
        ratelimit_fail(rl, "alice", T0);
    ratelimit_clear(rl, "alice");
    for (int i = 0; i < MAX - 1; i++)
        ratelimit_fail(rl, "alice", T0 + 1);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 1), 0);
    ratelimit_fail(rl, "alice", T0 + 2);
    assert_true(ratelimit_wait(rl, "alice", T0 + 2) > 0);
    ratelimit_clear(rl, "alice");
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 2), 0);
    ratelimit_free(rl);
}

/* Keys are hashed with a random key into the table, so any two may share a slot by chance
 * (and then, by contract, a count). With 65536 slots and 16 other keys, two of them colliding
 * with "alice" in one run is a one-in-ten-million event; one is tolerated. */
static void test_two_keys_are_counted_independently(void **state)
{
    (void)state;
    struct ratelimit *rl = ratelimit_new(65536, MAX, WINDOW);
    for (int i = 0; i < MAX; i++)
        ratelimit_fail(rl, "alice", T0);
    int free_keys = 0;
    for (int k = 0; k < 16; k++) {
        char key[16];
        snprintf(key, sizeof key, "bob%d", k);
        bool ok = ratelimit_wait(rl, key, T0 + 1) == 0;
        for (int i = 0; i < MAX - 1; i++)
            ratelimit_fail(rl, key, T0 + 1);
        ok = ok && ratelimit_wait(rl, key, T0 + 1) == 0;
        free_keys += ok;
    }
    assert_true(free_keys >= 15);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 1), WINDOW - 1);
    ratelimit_clear(rl, "bob0");
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 1), WINDOW - 1);
    ratelimit_free(rl);
}

static void test_collision_never_lifts_a_lock(void **state)
{
    (void)state;
    /* One slot: every key collides with every other. */
    struct ratelimit *rl = ratelimit_new(1, MAX, WINDOW);
    for (int i = 0; i < MAX; i++)
        ratelimit_fail(rl, "alice", T0);
    ratelimit_fail(rl, "mallory", T0 + 1);
    assert_int_equal(ratelimit_wait(rl, "mallory", T0 + 1), WINDOW - 1);
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 2), WINDOW - 2);
    ratelimit_clear(rl, "mallory");
    assert_int_equal(ratelimit_wait(rl, "alice", T0 + 2), WINDOW - 2);
    ratelimit_free(rl);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_locks_after_max_failures_not_before),
        cmocka_unit_test(test_wait_is_the_rest_of_the_window_begun_by_the_first_failure),
        cmocka_unit_test(test_failures_beyond_max_do_not_extend_the_wait),
        cmocka_unit_test(test_key_is_free_again_when_the_window_ends),
        cmocka_unit_test(test_failures_in_an_old_window_are_forgotten),
        cmocka_unit_test(test_clear_after_success_lifts_the_count),
        cmocka_unit_test(test_two_keys_are_counted_independently),
        cmocka_unit_test(test_collision_never_lifts_a_lock),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
