/* Unit tests for base/i18n: reading gettext .mo images (lookups, plurals, both byte orders,
 * every malformed image refused), the catalogs carried in the binary, and choosing a language
 * from Accept-Language. */
#include "base/i18n.h"

#include "base/tsv.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

struct pair {
    const char *id;
    size_t id_len; /* 0: strlen (a plural original holds a NUL, so it gives its length) */
    const char *str;
    size_t str_len;
};

static size_t len_of(const char *s, size_t given)
{
    return given ? given : strlen(s);
}

static void put32(unsigned char *p, uint32_t v, int swap)
{
    if (swap)
        v = __builtin_bswap32(v);
    memcpy(p, &v, 4);
}

/* Builds a .mo image of the pairs (which must come sorted by id, as msgfmt writes them) in the
 * given byte order. Caller frees. */
static unsigned char *mo_image(const struct pair *p, size_t n, int swap, size_t *size)
{
    size_t strings = 0;
    for (size_t i = 0; i < n; i++)
        strings += len_of(p[i].id, p[i].id_len) + 1 + len_of(p[i].str, p[i].str_len) + 1;
    size_t otab = 28, ttab = otab + 8 * n, data = ttab + 8 * n;
    *size = data + strings;
    unsigned char *mo = calloc(1, *size);
    put32(mo, 0x950412deu, swap);
    put32(mo + 4, 0, swap);
    put32(mo + 8, (uint32_t)n, swap);
    put32(mo + 12, (uint32_t)otab, swap);
    put32(mo + 16, (uint32_t)ttab, swap);
    size_t at = data;
    for (int table = 0; table < 2; table++)
        for (size_t i = 0; i < n; i++) {
            const char *s = table ? p[i].str : p[i].id;
            size_t len = table ? len_of(p[i].str, p[i].str_len) : len_of(p[i].id, p[i].id_len);
            put32(mo + (table ? ttab : otab) + 8 * i, (uint32_t)len, swap);
            put32(mo + (table ? ttab : otab) + 8 * i + 4, (uint32_t)at, swap);
            memcpy(mo + at, s, len);
            at += len + 1;
        }
    return mo;
}

static const struct pair sample[] = {
    {"", 0, "Content-Type: text/plain; charset=UTF-8\n", 0},
    {"%d petition\0%d petitions", 25, "%d petisi", 0},
    {"Empty", 0, "", 0},
    {"Sign in", 0, "Masuk", 0},
    {"Track", 0, "Lacak", 0},
};

static void test_translations_are_found_in_both_byte_orders(void **state)
{
    (void)state;
    for (int swap = 0; swap < 2; swap++) {
        size_t size;
        unsigned char *mo = mo_image(sample, 5, swap, &size);
        struct i18n_catalog *c = i18n_catalog_new((const char *)mo, size);
        assert_non_null(c);
        assert_int_equal(i18n_catalog_size(c), 5);
        assert_string_equal(i18n_get(c, "Sign in"), "Masuk");
        assert_string_equal(i18n_get(c, "Track"), "Lacak");
        i18n_catalog_free(c);
        free(mo);
    }
}

static void test_missing_and_empty_translations_fall_back_to_english(void **state)
{
    (void)state;
    size_t size;
    unsigned char *mo = mo_image(sample, 5, 0, &size);
    struct i18n_catalog *c = i18n_catalog_new((const char *)mo, size);
    assert_string_equal(i18n_get(c, "Sign out"), "Sign out");
    assert_string_equal(i18n_get(c, "Empty"), "Empty");
    assert_string_equal(i18n_get(c, ""), ""); /* never the header */
    assert_string_equal(i18n_get(NULL, "Sign in"), "Sign in");
    i18n_catalog_free(c);
    free(mo);
}

static void test_plurals_follow_each_language(void **state)
{
    (void)state;
    size_t size;
    unsigned char *mo = mo_image(sample, 5, 0, &size);
    struct i18n_catalog *c = i18n_catalog_new((const char *)mo, size);
    /* Indonesian has one form */
    assert_string_equal(i18n_nget(c, LANG_ID, "%d petition", "%d petitions", 1), "%d petisi");
    assert_string_equal(i18n_nget(c, LANG_ID, "%d petition", "%d petitions", 7), "%d petisi");
    /* English has two, from the source strings */
    assert_string_equal(i18n_nget(NULL, LANG_EN, "%d petition", "%d petitions", 1), "%d petition");
    assert_string_equal(i18n_nget(NULL, LANG_EN, "%d petition", "%d petitions", 0), "%d petitions");
    assert_string_equal(i18n_nget(c, LANG_ID, "%d case", "%d cases", 2), "%d cases");
    i18n_catalog_free(c);
    free(mo);
}

static void test_malformed_images_are_refused(void **state)
{
    (void)state;
    size_t size;
    unsigned char *mo = mo_image(sample, 5, 0, &size);
    assert_null(i18n_catalog_new(NULL, 0));
    assert_null(i18n_catalog_new((const char *)mo, 20)); /* shorter than the header */
    for (size_t cut = 28; cut < size; cut += 7)          /* strings cut off */
        assert_null(i18n_catalog_new((const char *)mo, cut));
    unsigned char *bad = malloc(size);
    memcpy(bad, mo, size);
    bad[0] ^= 1; /* magic */
    assert_null(i18n_catalog_new((const char *)bad, size));
    memcpy(bad, mo, size);
    put32(bad + 4, 0x10000, 0); /* major revision 1 */
    assert_null(i18n_catalog_new((const char *)bad, size));
    memcpy(bad, mo, size);
    put32(bad + 8, 0x7fffffff, 0); /* count beyond the image */
    assert_null(i18n_catalog_new((const char *)bad, size));
    memcpy(bad, mo, size);
    bad[size - 1] = 'x'; /* last string not terminated */
    assert_null(i18n_catalog_new((const char *)bad, size));
    free(bad);
    free(mo);
    /* originals out of order would break the binary search */
    const struct pair unsorted[] = {{"b", 0, "B", 0}, {"a", 0, "A", 0}};
    mo = mo_image(unsorted, 2, 0, &size);
    assert_null(i18n_catalog_new((const char *)mo, size));
    free(mo);
}

static void test_embedded_catalogs_translate_the_pages(void **state)
{
    (void)state;
    const char *want[][2] = {{"id.mo", "Masuk"}, {"vi.mo", "Đăng nhập"}};
    for (size_t i = 0; i < 2; i++) {
        size_t size;
        const char *mo = resource_find(want[i][0], &size);
        assert_non_null(mo);
        struct i18n_catalog *c = i18n_catalog_new(mo, size);
        assert_non_null(c);
        assert_true(i18n_catalog_size(c) > 20);
        assert_string_equal(i18n_get(c, "Sign in"), want[i][1]);
        i18n_catalog_free(c);
    }
}

static void test_language_codes_parse_with_regions(void **state)
{
    (void)state;
    assert_int_equal(lang_parse("id"), LANG_ID);
    assert_int_equal(lang_parse("vi-VN"), LANG_VI);
    assert_int_equal(lang_parse("EN"), LANG_EN);
    assert_int_equal(lang_parse("en-GB"), LANG_EN);
    assert_int_equal(lang_parse("fr"), -1);
    assert_int_equal(lang_parse("ind"), -1);
    assert_int_equal(lang_parse("i"), -1);
    assert_int_equal(lang_parse(""), -1);
    assert_int_equal(lang_parse(NULL), -1);
    assert_string_equal(lang_code(LANG_VI), "vi");
}

static void test_accept_language_picks_the_best_weighted_language(void **state)
{
    (void)state;
    const struct {
        const char *header;
        enum lang want;
    } cases[] = {
        {NULL, LANG_EN},
        {"", LANG_EN},
        {"vi", LANG_VI},
        {"vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", LANG_VI},
        {"fr-FR, id;q=0.5, en;q=0.4", LANG_ID},
        {"en;q=0.2, id;q=0.8", LANG_ID},
        {"id;q=0, vi;q=0.1", LANG_VI}, /* q=0 means "not acceptable" */
        {"id;q=0", LANG_EN},           /* nothing acceptable: the default */
        {"de, fr", LANG_EN},           /* none of ours */
        {"id , vi", LANG_ID},          /* equal weights: the first */
        {"vi;q=1.0, id;q=1", LANG_VI},
        {"id;q=2, vi;q=0.5", LANG_VI},      /* a malformed weight drops its item */
        {"id;q=0.5555, vi;q=0.4", LANG_VI}, /* more than three decimals */
        {"id;q=abc, vi;q=0.3", LANG_VI},
        {"*;q=0.5, vi;q=0.4", LANG_VI}, /* the wildcard names no language of ours */
        {",,, ;;, vi", LANG_VI},
        {"indonesian, vi", LANG_VI}, /* not a two-letter primary tag */
        {"  vi-VN  ;  q=0.9  ", LANG_VI},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (lang_negotiate(cases[i].header) != cases[i].want)
            fail_msg("Accept-Language \"%s\": got %s, want %s",
                     cases[i].header ? cases[i].header : "(none)",
                     lang_code(lang_negotiate(cases[i].header)), lang_code(cases[i].want));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_translations_are_found_in_both_byte_orders),
        cmocka_unit_test(test_missing_and_empty_translations_fall_back_to_english),
        cmocka_unit_test(test_plurals_follow_each_language),
        cmocka_unit_test(test_malformed_images_are_refused),
        cmocka_unit_test(test_embedded_catalogs_translate_the_pages),
        cmocka_unit_test(test_language_codes_parse_with_regions),
        cmocka_unit_test(test_accept_language_picks_the_best_weighted_language),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
