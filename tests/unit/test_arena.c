/* Unit tests for base/arena: alignment, copies, growth past one chunk, and accounting. */
#include "base/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static void test_allocations_are_aligned_for_any_type(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    for (size_t n = 1; n < 100; n += 7) {
        void *p = arena_alloc(a, n);
        assert_non_null(p);
        assert_int_equal((uintptr_t)p % _Alignof(max_align_t), 0);
    }
    arena_free(a);
}

static void test_allocations_do_not_overlap(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    enum { N = 300 };
    unsigned char *p[N];
    size_t len[N];
    /* Sizes vary so that several chunks are used, some allocations larger than a chunk. */
    for (int i = 0; i < N; i++) {
        len[i] = (size_t)(i % 5 == 0 ? 5000 + i : 1 + i % 97);
        p[i] = arena_alloc(a, len[i]);
        memset(p[i], i & 0xFF, len[i]);
    }
    for (int i = 0; i < N; i++)
        for (size_t k = 0; k < len[i]; k++)
            assert_int_equal(p[i][k], i & 0xFF);
    arena_free(a);
}

static void test_zero_size_allocations_are_distinct(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    void *x = arena_alloc(a, 0), *y = arena_alloc(a, 0);
    assert_non_null(x);
    assert_non_null(y);
    assert_ptr_not_equal(x, y);
    arena_free(a);
}

static void test_calloc_returns_zeroed_memory(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    /* Dirty the chunk first so that zeroes cannot come from fresh pages by luck. */
    memset(arena_alloc(a, 64), 0xAB, 64);
    unsigned char *z = arena_calloc(a, 256);
    for (size_t i = 0; i < 256; i++)
        assert_int_equal(z[i], 0);
    unsigned char *big = arena_calloc(a, 10000);
    for (size_t i = 0; i < 10000; i++)
        assert_int_equal(big[i], 0);
    arena_free(a);
}

static void test_strdup_and_strndup_copy_and_terminate(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    char src[] = "grassroots";
    char *d = arena_strdup(a, src);
    assert_string_equal(d, "grassroots");
    assert_ptr_not_equal(d, src);
    src[0] = 'X';
    assert_string_equal(d, "grassroots");
    assert_string_equal(arena_strndup(a, "democracy", 4), "demo");
    assert_string_equal(arena_strndup(a, "abc", 0), "");
    /* strndup copies exactly n bytes even without a NUL in the source. */
    char raw[3] = {'x', 'y', 'z'};
    assert_string_equal(arena_strndup(a, raw, 3), "xyz");
    arena_free(a);
}

static void test_printf_formats_into_the_arena(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(arena_printf(a, "%s/%d/%05.1f", "unit", 58, 3.14159), "unit/58/003.1");
    assert_string_equal(arena_printf(a, "%s", ""), "");
    char longer[6000];
    memset(longer, 'q', sizeof longer - 1);
    longer[sizeof longer - 1] = 0;
    char *p = arena_printf(a, "<%s>", longer);
    assert_int_equal(strlen(p), sizeof longer + 1);
    assert_int_equal(p[0], '<');
    assert_int_equal(p[sizeof longer], '>');
    arena_free(a);
}

static void test_used_counts_bytes_handed_out(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_int_equal(arena_used(a), 0);
    arena_alloc(a, 10);
    assert_int_equal(arena_used(a), 10);
    arena_alloc(a, 8000);
    assert_int_equal(arena_used(a), 8010);
    arena_strdup(a, "abc"); /* 4 bytes with the NUL */
    assert_int_equal(arena_used(a), 8014);
    arena_free(a);
}

static void test_free_accepts_null(void **state)
{
    (void)state;
    arena_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_allocations_are_aligned_for_any_type),
        cmocka_unit_test(test_allocations_do_not_overlap),
        cmocka_unit_test(test_zero_size_allocations_are_distinct),
        cmocka_unit_test(test_calloc_returns_zeroed_memory),
        cmocka_unit_test(test_strdup_and_strndup_copy_and_terminate),
        cmocka_unit_test(test_printf_formats_into_the_arena),
        cmocka_unit_test(test_used_counts_bytes_handed_out),
        cmocka_unit_test(test_free_accepts_null),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
