/* Unit tests for base/seal: the key file (created 0600, never overwritten, refused when others
 * may read it or when it is not 32 bytes) and sealed text (round trips, including UTF-8; any
 * altered byte, or another key, fails to open; the same text never seals the same way twice). */
#include "base/seal.h"

#include "base/arena.h"
#include "base/err.h"

#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <sodium.h>

static char dir[64];

static int setup(void **state)
{
    (void)state;
    if (sodium_init() < 0)
        return -1;
    snprintf(dir, sizeof dir, "/tmp/akar-test-seal-XXXXXX");
    return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));)
        if (e->d_name[0] != '.')
            unlinkat(dirfd(d), e->d_name, 0);
    closedir(d);
    return rmdir(dir);
}

/* A fresh path in the test directory. */
static const char *path_of(const char *name)
{
    static char path[128];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    return path;
}

/* Writes n bytes to path with mode. */
static void write_file(const char *path, size_t n, mode_t mode)
{
    unlink(path);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++)
        fputc((int)(i * 7), f);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(chmod(path, mode), 0);
}

/* A key created and loaded from its own file. */
static struct seal_key new_key(const char *name)
{
    char err[256] = "";
    struct seal_key k;
    assert_int_equal(seal_key_create(path_of(name), err, sizeof err), 0);
    assert_int_equal(seal_key_load(path_of(name), &k, err, sizeof err), 0);
    return k;
}

static void test_key_file_is_created_with_mode_0600(void **state)
{
    (void)state;
    char err[256] = "";
    const char *p = path_of("created.key");
    assert_int_equal(seal_key_create(p, err, sizeof err), 0);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0600);
    assert_int_equal(st.st_size, SEAL_KEY_BYTES);
    struct seal_key k;
    assert_int_equal(seal_key_load(p, &k, err, sizeof err), 0);
    static const unsigned char zero[SEAL_KEY_BYTES];
    assert_memory_not_equal(k.k, zero, SEAL_KEY_BYTES);
}

static void test_creating_over_an_existing_file_leaves_it_alone(void **state)
{
    (void)state;
    char err[256] = "";
    const char *p = path_of("existing.key");
    assert_int_equal(seal_key_create(p, err, sizeof err), 0);
    struct seal_key before, after;
    assert_int_equal(seal_key_load(p, &before, err, sizeof err), 0);
    assert_int_equal(seal_key_create(p, err, sizeof err), AKAR_EEXIST);
    assert_int_equal(seal_key_load(p, &after, err, sizeof err), 0);
    assert_memory_equal(before.k, after.k, SEAL_KEY_BYTES);
}

static void test_two_keys_differ(void **state)
{
    (void)state;
    struct seal_key a = new_key("a.key"), b = new_key("b.key");
    assert_memory_not_equal(a.k, b.k, SEAL_KEY_BYTES);
}

static void test_creating_in_a_missing_directory_is_an_io_error(void **state)
{
    (void)state;
    char err[256] = "";
    assert_int_equal(seal_key_create(path_of("no/such/dir.key"), err, sizeof err), AKAR_EIO);
    assert_true(strlen(err) > 0);
}

static void test_loading_a_missing_file_is_an_io_error(void **state)
{
    (void)state;
    char err[256] = "";
    struct seal_key k;
    assert_int_equal(seal_key_load(path_of("missing.key"), &k, err, sizeof err), AKAR_EIO);
    assert_true(strlen(err) > 0);
}

static void test_key_others_may_read_or_write_is_refused(void **state)
{
    (void)state;
    const mode_t modes[] = {0644, 0640, 0604, 0620, 0602, 0666, 0610};
    const char *p = path_of("open.key");
    for (size_t i = 0; i < sizeof modes / sizeof *modes; i++) {
        write_file(p, SEAL_KEY_BYTES, modes[i]);
        char err[256] = "";
        struct seal_key k;
        assert_int_equal(seal_key_load(p, &k, err, sizeof err), AKAR_EDENIED);
        assert_non_null(strstr(err, "chmod"));
    }
    /* Owner-only modes are fine. */
    write_file(p, SEAL_KEY_BYTES, 0400);
    char err[256] = "";
    struct seal_key k;
    assert_int_equal(seal_key_load(p, &k, err, sizeof err), 0);
}

static void test_key_of_the_wrong_size_is_refused(void **state)
{
    (void)state;
    const size_t sizes[] = {0, 1, SEAL_KEY_BYTES - 1, SEAL_KEY_BYTES + 1, 64};
    const char *p = path_of("size.key");
    for (size_t i = 0; i < sizeof sizes / sizeof *sizes; i++) {
        write_file(p, sizes[i], 0600);
        char err[256] = "";
        struct seal_key k;
        assert_int_equal(seal_key_load(p, &k, err, sizeof err), AKAR_EINVAL);
        assert_true(strlen(err) > 0);
    }
}

/* Seals plain and opens it again; fails unless it comes back unchanged. */
static void assert_round_trip(const struct seal_key *k, const char *plain)
{
    struct arena *a = arena_new();
    char *sealed = seal_text(k, a, plain);
    assert_non_null(sealed);
    for (const char *c = sealed; *c; c++)
        assert_true(*c > ' ' && *c < 127);
    const char *back = NULL;
    assert_int_equal(seal_open(k, a, sealed, &back), 0);
    assert_non_null(back);
    assert_string_equal(back, plain);
    arena_free(a);
}

static void test_sealed_text_opens_to_the_same_text(void **state)
{
    (void)state;
    struct seal_key k = new_key("roundtrip.key");
    assert_round_trip(&k, "");
    assert_round_trip(&k, "x");
    assert_round_trip(&k, "Nguyen Van A, 12 Le Loi, Phan Rang");
    /* "Tố cáo: ông Nguyễn Văn Á — thôn Mỹ Tường 🏠" */
    assert_round_trip(&k, "T\xE1\xBB\x91 c\xC3\xA1o: \xC3\xB4ng Nguy\xE1\xBB\x85n V\xC4\x83n "
                          "\xC3\x81 \xE2\x80\x94 th\xC3\xB4n M\xE1\xBB\xB9 T\xC6\xB0\xE1\xBB\x9Dng "
                          "\xF0\x9F\x8F\xA0");
    char *big = malloc(20001);
    assert_non_null(big);
    for (int i = 0; i < 20000; i++)
        big[i] = (char)('a' + i % 26);
    big[20000] = 0;
    assert_round_trip(&k, big);
    free(big);
}

static void test_the_same_text_seals_differently_each_time(void **state)
{
    (void)state;
    struct seal_key k = new_key("nonce.key");
    struct arena *a = arena_new();
    char *one = seal_text(&k, a, "same text"), *two = seal_text(&k, a, "same text");
    assert_string_not_equal(one, two);
    const char *p1, *p2;
    assert_int_equal(seal_open(&k, a, one, &p1), 0);
    assert_int_equal(seal_open(&k, a, two, &p2), 0);
    assert_string_equal(p1, p2);
    arena_free(a);
}

/* Every single bit flipped anywhere in the sealed bytes (nonce, tag or ciphertext) is caught. */
static void test_any_altered_byte_fails_to_open(void **state)
{
    (void)state;
    struct seal_key k = new_key("tamper.key");
    struct arena *a = arena_new();
    const char *sealed = seal_text(&k, a, "Ho ten nguoi to cao: Tran Thi B");
    size_t len = strlen(sealed), boxlen;
    unsigned char *box = arena_alloc(a, len);
    assert_int_equal(sodium_base642bin(box, len, sealed, len, NULL, &boxlen, NULL,
                                       sodium_base64_VARIANT_ORIGINAL),
                     0);
    assert_true(boxlen > crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES);
    size_t outlen = sodium_base64_ENCODED_LEN(boxlen, sodium_base64_VARIANT_ORIGINAL);
    char *altered = arena_alloc(a, outlen);
    for (size_t i = 0; i < boxlen; i++)
        for (int bit = 0; bit < 8; bit += 3) {
            box[i] ^= (unsigned char)(1u << bit);
            sodium_bin2base64(altered, outlen, box, boxlen, sodium_base64_VARIANT_ORIGINAL);
            box[i] ^= (unsigned char)(1u << bit);
            const char *plain = NULL;
            assert_int_equal(seal_open(&k, a, altered, &plain), AKAR_ECRYPTO);
            assert_null(plain);
        }
    /* Cut short, or with a byte too many. */
    sodium_bin2base64(altered, outlen, box, boxlen - 1, sodium_base64_VARIANT_ORIGINAL);
    const char *plain = NULL;
    assert_int_equal(seal_open(&k, a, altered, &plain), AKAR_ECRYPTO);
    arena_free(a);
}

static void test_text_that_was_never_sealed_fails_to_open(void **state)
{
    (void)state;
    struct seal_key k = new_key("junk.key");
    struct arena *a = arena_new();
    const char *plain = NULL;
    assert_int_equal(seal_open(&k, a, "", &plain), AKAR_ECRYPTO);
    assert_int_equal(seal_open(&k, a, "AAAA", &plain), AKAR_ECRYPTO);
    assert_int_equal(seal_open(&k, a, "not base64 at all!", &plain), AKAR_ECRYPTO);
    assert_int_equal(seal_open(&k, a, "Nguyen Van A", &plain), AKAR_ECRYPTO);
    /* Zero bytes long enough for a nonce, a tag and some text, but no valid box. */
    unsigned char zeros[crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 8] = {0};
    char b64[sodium_base64_ENCODED_LEN(sizeof zeros, sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(b64, sizeof b64, zeros, sizeof zeros, sodium_base64_VARIANT_ORIGINAL);
    assert_int_equal(seal_open(&k, a, b64, &plain), AKAR_ECRYPTO);
    assert_null(plain);
    arena_free(a);
}

static void test_another_key_fails_to_open(void **state)
{
    (void)state;
    struct seal_key mine = new_key("mine.key"), other = new_key("other.key");
    struct arena *a = arena_new();
    char *sealed = seal_text(&mine, a, "confidential");
    const char *plain = NULL;
    assert_int_equal(seal_open(&other, a, sealed, &plain), AKAR_ECRYPTO);
    assert_null(plain);
    assert_int_equal(seal_open(&mine, a, sealed, &plain), 0);
    assert_string_equal(plain, "confidential");
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_file_is_created_with_mode_0600),
        cmocka_unit_test(test_creating_over_an_existing_file_leaves_it_alone),
        cmocka_unit_test(test_two_keys_differ),
        cmocka_unit_test(test_creating_in_a_missing_directory_is_an_io_error),
        cmocka_unit_test(test_loading_a_missing_file_is_an_io_error),
        cmocka_unit_test(test_key_others_may_read_or_write_is_refused),
        cmocka_unit_test(test_key_of_the_wrong_size_is_refused),
        cmocka_unit_test(test_sealed_text_opens_to_the_same_text),
        cmocka_unit_test(test_the_same_text_seals_differently_each_time),
        cmocka_unit_test(test_any_altered_byte_fails_to_open),
        cmocka_unit_test(test_text_that_was_never_sealed_fails_to_open),
        cmocka_unit_test(test_another_key_fails_to_open),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
