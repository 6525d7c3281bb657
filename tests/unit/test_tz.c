/* Unit tests for base/tz: offsets of the zones akar's units live in, past and present, a zone
 * with daylight saving inside its transition table, names that must not reach outside the
 * zoneinfo tree, and TZif data that is truncated, corrupt or built by hand. */
#include "base/tz.h"

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define H 3600

/* Unix seconds of a UTC date and time, by libc's timegm. */
static int64_t at(int y, int mo, int d, int h, int mi, int s)
{
    struct tm tm = {.tm_year = y - 1900,
                    .tm_mon = mo - 1,
                    .tm_mday = d,
                    .tm_hour = h,
                    .tm_min = mi,
                    .tm_sec = s};
    return (int64_t)timegm(&tm);
}

static int offset_in(const char *zone, int64_t t)
{
    const struct tz *z = tz_get(zone);
    if (!z)
        fail_msg("no zone %s", zone);
    return tz_offset(z, t);
}

static void test_vietnam_is_utc_plus_7_now_and_was_plus_8_in_1970(void **state)
{
    (void)state;
    assert_int_equal(offset_in("Asia/Ho_Chi_Minh", at(2026, 3, 1, 0, 0, 0)), 7 * H);
    assert_int_equal(offset_in("Asia/Ho_Chi_Minh", at(2026, 7, 1, 12, 0, 0)), 7 * H);
    assert_int_equal(offset_in("Asia/Ho_Chi_Minh", 0), 8 * H);
    /* The south moved to UTC+7 on 13 June 1975, 00:00 local (+08). */
    assert_int_equal(offset_in("Asia/Ho_Chi_Minh", at(1975, 6, 12, 15, 59, 59)), 8 * H);
    assert_int_equal(offset_in("Asia/Ho_Chi_Minh", at(1975, 6, 12, 16, 0, 0)), 7 * H);
    /* Past the last transition the footer's fixed offset holds. */
    assert_int_equal(offset_in("Asia/Ho_Chi_Minh", at(2100, 7, 1, 0, 0, 0)), 7 * H);
}

static void test_indonesia_has_three_zones(void **state)
{
    (void)state;
    int64_t now = at(2026, 3, 20, 0, 0, 0);
    assert_int_equal(offset_in("Asia/Jakarta", now), 7 * H);
    assert_int_equal(offset_in("Asia/Pontianak", now), 7 * H);
    assert_int_equal(offset_in("Asia/Makassar", now), 8 * H);
    assert_int_equal(offset_in("Asia/Jayapura", now), 9 * H);
    assert_int_equal(offset_in("Asia/Jakarta", 0), 7 * H);
    assert_int_equal(offset_in("Asia/Jakarta", at(2100, 1, 1, 0, 0, 0)), 7 * H);
    assert_int_equal(offset_in("Asia/Jayapura", at(2100, 1, 1, 0, 0, 0)), 9 * H);
}

static void test_utc_is_zero(void **state)
{
    (void)state;
    assert_int_equal(offset_in("UTC", 0), 0);
    assert_int_equal(offset_in("UTC", at(2026, 1, 1, 0, 0, 0)), 0);
    assert_int_equal(offset_in("Etc/GMT-7", at(2026, 1, 1, 0, 0, 0)), 7 * H);
}

/* Berlin's daylight saving within the transition table; far in the future tz.c only promises
 * the last offset of the table, which is winter time: so only winter is asserted there. */
static void test_berlin_switches_at_the_transitions(void **state)
{
    (void)state;
    assert_int_equal(offset_in("Europe/Berlin", at(2026, 1, 15, 12, 0, 0)), 1 * H);
    assert_int_equal(offset_in("Europe/Berlin", at(2026, 7, 1, 12, 0, 0)), 2 * H);
    /* 29 March 2026, 01:00Z: summer time starts; 25 October, 01:00Z: it ends. */
    assert_int_equal(offset_in("Europe/Berlin", at(2026, 3, 29, 0, 59, 59)), 1 * H);
    assert_int_equal(offset_in("Europe/Berlin", at(2026, 3, 29, 1, 0, 0)), 2 * H);
    assert_int_equal(offset_in("Europe/Berlin", at(2026, 10, 25, 0, 59, 59)), 2 * H);
    assert_int_equal(offset_in("Europe/Berlin", at(2026, 10, 25, 1, 0, 0)), 1 * H);
    assert_int_equal(offset_in("Europe/Berlin", at(2100, 1, 15, 12, 0, 0)), 1 * H);
    assert_int_equal(offset_in("Europe/Berlin", at(2100, 12, 15, 12, 0, 0)), 1 * H);
}

static void test_a_zone_is_read_once_and_kept(void **state)
{
    (void)state;
    const struct tz *a = tz_get("Asia/Makassar");
    assert_non_null(a);
    assert_ptr_equal(tz_get("Asia/Makassar"), a);
    assert_ptr_not_equal(tz_get("Asia/Jayapura"), a);
}

static void *get_jakarta(void *arg)
{
    (void)arg;
    return (void *)tz_get("Asia/Jakarta");
}

static void test_concurrent_lookups_share_one_zone(void **state)
{
    (void)state;
    pthread_t t[8];
    void *got[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, get_jakarta, NULL), 0);
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_join(t[i], &got[i]), 0);
    for (int i = 0; i < 8; i++) {
        assert_non_null(got[i]);
        assert_ptr_equal(got[i], tz_get("Asia/Jakarta"));
    }
}

static void test_unknown_zones_are_null(void **state)
{
    (void)state;
    assert_null(tz_get("Mars/Olympus_Mons"));
    assert_null(tz_get("asia/jakarta"));
    assert_null(tz_get(""));
    assert_null(tz_get(NULL));
    /* Not TZif files, or not files. */
    assert_null(tz_get("zone.tab"));
    assert_null(tz_get("tzdata.zi"));
    assert_null(tz_get("Asia"));
}

static void test_names_reaching_outside_the_zoneinfo_tree_are_null(void **state)
{
    (void)state;
    assert_null(tz_get("../../../etc/passwd"));
    assert_null(tz_get("Asia/../../../../etc/localtime"));
    assert_null(tz_get("Asia/../Asia/Jakarta"));
    assert_null(tz_get(".."));
    assert_null(tz_get("/etc/localtime"));
    assert_null(tz_get("/usr/share/zoneinfo/Asia/Jakarta"));
    char long_name[100];
    memset(long_name, 'A', sizeof long_name - 1);
    long_name[sizeof long_name - 1] = 0;
    assert_null(tz_get(long_name));
}

/* The whole of a zoneinfo file, malloc'd; *len its size. */
static unsigned char *slurp(const char *zone, size_t *len)
{
    char path[256];
    snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *d = malloc(1 << 16);
    assert_non_null(d);
    *len = fread(d, 1, 1 << 16, f);
    fclose(f);
    return d;
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Bytes of a TZif data block (header included) whose header is at p, with time size tsize. */
static size_t block_size(const unsigned char *p, size_t tsize)
{
    size_t isut = be32(p + 20), isstd = be32(p + 24), leap = be32(p + 28), timecnt = be32(p + 32),
           typecnt = be32(p + 36), charcnt = be32(p + 40);
    return 44 + timecnt * tsize + timecnt + typecnt * 6 + charcnt + leap * (tsize + 4) + isstd +
           isut;
}

/* Every prefix shorter than the two data blocks is refused; every longer one (a footer cut
 * short, or none) is read. Each prefix sits in a buffer of its exact size, so that the
 * sanitizer sees any read past it. */
static void test_truncated_data_is_refused(void **state)
{
    (void)state;
    const char *zones[] = {"Asia/Ho_Chi_Minh", "Europe/Berlin"};
    for (size_t k = 0; k < 2; k++) {
        size_t len;
        unsigned char *whole = slurp(zones[k], &len);
        assert_true(whole[4] >= '2');
        size_t v1 = block_size(whole, 4), blocks = v1 + block_size(whole + v1, 8);
        assert_true(blocks < len);
        for (size_t n = 0; n <= len; n++) {
            unsigned char *prefix = malloc(n ? n : 1);
            assert_non_null(prefix);
            memcpy(prefix, whole, n);
            struct tz *z = tz_parse(prefix, n);
            if (n < blocks) {
                if (z)
                    print_error("%s: a prefix of %zu bytes was accepted\n", zones[k], n);
                assert_null(z);
            } else {
                assert_non_null(z);
                assert_int_equal(tz_offset(z, at(2026, 1, 15, 0, 0, 0)), k == 0 ? 7 * H : 1 * H);
                tz_free(z);
            }
            free(prefix);
        }
        free(whole);
    }
}

/* Any single corrupted byte is either refused or read without reading out of bounds. */
static void test_corrupt_bytes_never_read_out_of_bounds(void **state)
{
    (void)state;
    size_t len;
    unsigned char *whole = slurp("Europe/Berlin", &len);
    unsigned char *copy = malloc(len);
    assert_non_null(copy);
    const unsigned char values[] = {0x00, 0x7F, 0xFF};
    for (size_t i = 0; i < len; i++)
        for (size_t v = 0; v < sizeof values; v++) {
            memcpy(copy, whole, len);
            copy[i] = values[v];
            tz_free(tz_parse(copy, len));
        }
    free(copy);
    free(whole);
}

static void test_garbage_is_refused(void **state)
{
    (void)state;
    unsigned char junk[256];
    for (size_t i = 0; i < sizeof junk; i++)
        junk[i] = (unsigned char)(i * 37 + 11);
    assert_null(tz_parse(junk, sizeof junk));
    assert_null(tz_parse(junk, 0));
    assert_null(tz_parse((const unsigned char *)"TZif", 4));
    memcpy(junk, "TZif2", 5);
    assert_null(tz_parse(junk, sizeof junk));
    memset(junk, 0, sizeof junk);
    memcpy(junk, "TZif", 4);
    /* A header with no local time types. */
    assert_null(tz_parse(junk, sizeof junk));
    /* Counts that run past the data. */
    memset(junk + 32, 0xFF, 12);
    assert_null(tz_parse(junk, sizeof junk));
}

/* Hand-built TZif data. */
struct tzif {
    unsigned char d[512];
    size_t n;
};

static void put(struct tzif *b, const void *p, size_t n)
{
    assert_true(b->n + n <= sizeof b->d);
    memcpy(b->d + b->n, p, n);
    b->n += n;
}

static void put_be(struct tzif *b, uint64_t v, int bytes)
{
    for (int i = bytes - 1; i >= 0; i--) {
        unsigned char c = (unsigned char)(v >> (8 * i));
        put(b, &c, 1);
    }
}

static void put_header(struct tzif *b, char version, uint32_t timecnt, uint32_t typecnt,
                       uint32_t charcnt)
{
    unsigned char zeros[15] = {0};
    put(b, "TZif", 4);
    put(b, &version, 1);
    put(b, zeros, 15);
    put_be(b, 0, 4); /* isutcnt */
    put_be(b, 0, 4); /* isstdcnt */
    put_be(b, 0, 4); /* leapcnt */
    put_be(b, timecnt, 4);
    put_be(b, typecnt, 4);
    put_be(b, charcnt, 4);
}

static void put_type(struct tzif *b, int32_t utoff, unsigned char idx)
{
    put_be(b, (uint32_t)utoff, 4);
    unsigned char rest[2] = {0, idx};
    put(b, rest, 2);
}

static void test_version_1_data_is_read(void **state)
{
    (void)state;
    struct tzif b = {.n = 0};
    put_header(&b, 0, 1, 2, 8);
    put_be(&b, 1000000, 4);
    unsigned char idx = 1;
    put(&b, &idx, 1);
    put_type(&b, 1 * H, 0);
    put_type(&b, 2 * H, 4);
    put(&b, "AAA\0BBB", 8);
    struct tz *z = tz_parse(b.d, b.n);
    assert_non_null(z);
    assert_int_equal(tz_offset(z, 999999), 1 * H);
    assert_int_equal(tz_offset(z, 1000000), 2 * H);
    assert_int_equal(tz_offset(z, at(2100, 1, 1, 0, 0, 0)), 2 * H);
    assert_int_equal(tz_offset(z, -at(2100, 1, 1, 0, 0, 0)), 1 * H);
    tz_free(z);

    /* A transition naming a type that does not exist. */
    b.n = 0;
    put_header(&b, 0, 1, 1, 4);
    put_be(&b, 1000000, 4);
    put(&b, &idx, 1);
    put_type(&b, 1 * H, 0);
    put(&b, "AAA", 4);
    assert_null(tz_parse(b.d, b.n));
}

/* A version 2 file without transitions whose only type says utoff and whose footer is footer. */
static struct tz *v2_with_footer(int32_t utoff, const char *footer)
{
    struct tzif b = {.n = 0};
    for (int block = 0; block < 2; block++) {
        put_header(&b, '2', 0, 1, 4);
        put_type(&b, utoff, 0);
        put(&b, "ZZZ", 4);
    }
    put(&b, "\n", 1);
    put(&b, footer, strlen(footer));
    put(&b, "\n", 1);
    return tz_parse(b.d, b.n);
}

/* The offset a version 2 file with that footer gives at a few instants; fails if they differ. */
static int footer_offset(int32_t utoff, const char *footer)
{
    struct tz *z = v2_with_footer(utoff, footer);
    assert_non_null(z);
    int off = tz_offset(z, 0);
    assert_int_equal(tz_offset(z, at(2026, 7, 1, 0, 0, 0)), off);
    assert_int_equal(tz_offset(z, -at(2026, 7, 1, 0, 0, 0)), off);
    tz_free(z);
    return off;
}

static void test_fixed_offset_footers_are_read(void **state)
{
    (void)state;
    /* POSIX offsets are positive west of UTC. */
    assert_int_equal(footer_offset(0, "<+07>-7"), 7 * H);
    assert_int_equal(footer_offset(0, "WIB-7"), 7 * H);
    assert_int_equal(footer_offset(0, "WIT-9"), 9 * H);
    assert_int_equal(footer_offset(0, "<-03>3"), -3 * H);
    assert_int_equal(footer_offset(0, "IST-5:30"), 5 * H + 30 * 60);
    assert_int_equal(footer_offset(0, "<+0545>-5:45"), 5 * H + 45 * 60);
    assert_int_equal(footer_offset(0, "<+0530>-05:30:00"), 5 * H + 30 * 60);
    assert_int_equal(footer_offset(7 * H, "UTC0"), 0);
}

static void test_footers_with_rules_or_nonsense_fall_back_to_the_data(void **state)
{
    (void)state;
    assert_int_equal(footer_offset(1 * H, "CET-1CEST,M3.5.0,M10.5.0/3"), 1 * H);
    assert_int_equal(footer_offset(1 * H, ""), 1 * H);
    assert_int_equal(footer_offset(1 * H, "<+07"), 1 * H);
    assert_int_equal(footer_offset(1 * H, "-7"), 1 * H);
    assert_int_equal(footer_offset(1 * H, "WIB"), 1 * H);
    assert_int_equal(footer_offset(1 * H, "WIB-"), 1 * H);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vietnam_is_utc_plus_7_now_and_was_plus_8_in_1970),
        cmocka_unit_test(test_indonesia_has_three_zones),
        cmocka_unit_test(test_utc_is_zero),
        cmocka_unit_test(test_berlin_switches_at_the_transitions),
        cmocka_unit_test(test_a_zone_is_read_once_and_kept),
        cmocka_unit_test(test_concurrent_lookups_share_one_zone),
        cmocka_unit_test(test_unknown_zones_are_null),
        cmocka_unit_test(test_names_reaching_outside_the_zoneinfo_tree_are_null),
        cmocka_unit_test(test_truncated_data_is_refused),
        cmocka_unit_test(test_corrupt_bytes_never_read_out_of_bounds),
        cmocka_unit_test(test_garbage_is_refused),
        cmocka_unit_test(test_version_1_data_is_read),
        cmocka_unit_test(test_fixed_offset_footers_are_read),
        cmocka_unit_test(test_footers_with_rules_or_nonsense_fall_back_to_the_data),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
