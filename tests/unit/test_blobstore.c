/* Unit tests for base/blobstore: blobs come back as stored under their SHA-256, storing twice
 * changes nothing, eight threads storing at once leave whole files and no litter, names that
 * are not 64 lowercase hex digits never reach the file system, and modes are private. */
#include "base/blobstore.h"
#include "base/err.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* SHA-256 of "abc" (FIPS 180-2, appendix B.1) and of nothing. */
#define ABC_HEX   "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
#define EMPTY_HEX "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

struct fixture {
    char root[64]; /* a fresh temporary directory */
    char dir[96];  /* root/blobs: the store, made by blobstore_open */
    struct blobstore *bs;
};

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof *fx);
    snprintf(fx->root, sizeof fx->root, "/tmp/akar-blobs-XXXXXX");
    if (!mkdtemp(fx->root)) {
        free(fx);
        return -1;
    }
    snprintf(fx->dir, sizeof fx->dir, "%s/blobs", fx->root);
    char err[256];
    fx->bs = blobstore_open(fx->dir, err, sizeof err);
    if (!fx->bs) {
        fprintf(stderr, "%s\n", err);
        free(fx);
        return -1;
    }
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(path);
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    blobstore_free(fx->bs);
    nftw(fx->root, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
    free(fx);
    return 0;
}

/* The whole content of the blob called hex, which must exist; *n its length. Free it. */
static unsigned char *read_blob(struct blobstore *bs, const char *hex, size_t *n)
{
    int fd = -1;
    size_t size = 0;
    assert_int_equal(blobstore_open_blob(bs, hex, &fd, &size), 0);
    unsigned char *buf = malloc(size + 1);
    size_t got = 0;
    ssize_t r;
    while ((r = read(fd, buf + got, size + 1 - got)) > 0)
        got += (size_t)r;
    close(fd);
    assert_int_equal(got, size);
    *n = size;
    return buf;
}

/* Entries in dir whose names begin with prefix (all entries but . and .. for ""). */
static int count_entries(const char *dir, const char *prefix)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
            strncmp(e->d_name, prefix, strlen(prefix)) == 0)
            n++;
    closedir(d);
    return n;
}

static mode_t mode_of(const char *path)
{
    struct stat st;
    assert_int_equal(lstat(path, &st), 0);
    return st.st_mode & 07777;
}

static void test_put_names_blob_by_sha256_and_it_reads_back(void **state)
{
    struct fixture *fx = *state;
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), 0);
    assert_string_equal(hex, ABC_HEX);
    size_t n;
    unsigned char *got = read_blob(fx->bs, hex, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(got, "abc", 3);
    free(got);
    char path[256];
    snprintf(path, sizeof path, "%s/ba/78/%s", fx->dir, ABC_HEX);
    assert_int_equal(access(path, R_OK), 0);
}

static void test_empty_blob_is_stored(void **state)
{
    struct fixture *fx = *state;
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, NULL, 0, hex), 0);
    assert_string_equal(hex, EMPTY_HEX);
    int fd = -1;
    size_t size = 99;
    assert_int_equal(blobstore_open_blob(fx->bs, EMPTY_HEX, &fd, &size), 0);
    assert_int_equal(size, 0);
    close(fd);
}

static void test_large_blob_round_trips(void **state)
{
    struct fixture *fx = *state;
    size_t len = 3 * 1024 * 1024 + 7;
    unsigned char *data = malloc(len);
    for (size_t i = 0; i < len; i++)
        data[i] = (unsigned char)(i * 2654435761u >> 13);
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, data, len, hex), 0);
    size_t n;
    unsigned char *got = read_blob(fx->bs, hex, &n);
    assert_int_equal(n, len);
    assert_memory_equal(got, data, len);
    free(got);
    free(data);
}

static void test_storing_twice_rewrites_nothing(void **state)
{
    struct fixture *fx = *state;
    char hex[65], again[65], path[256];
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), 0);
    snprintf(path, sizeof path, "%s/ba/78/%s", fx->dir, hex);
    struct stat before, after;
    assert_int_equal(stat(path, &before), 0);
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, again), 0);
    assert_string_equal(again, hex);
    assert_int_equal(stat(path, &after), 0);
    assert_int_equal(before.st_ino, after.st_ino);
    snprintf(path, sizeof path, "%s/ba/78", fx->dir);
    assert_int_equal(count_entries(path, ""), 1);
    assert_int_equal(count_entries(fx->dir, "tmp-"), 0);
}

static void test_damaged_copy_of_another_size_is_replaced(void **state)
{
    struct fixture *fx = *state;
    char hex[65], path[256];
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), 0);
    snprintf(path, sizeof path, "%s/ba/78/%s", fx->dir, hex);
    assert_int_equal(truncate(path, 1), 0);
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), 0);
    size_t n;
    unsigned char *got = read_blob(fx->bs, hex, &n);
    assert_int_equal(n, 3);
    assert_memory_equal(got, "abc", 3);
    free(got);
}

static void test_files_are_0600_and_directories_0700(void **state)
{
    struct fixture *fx = *state;
    mode_t old = umask(0);
    char hex[65], path[256];
    int rc = blobstore_put(fx->bs, "abc", 3, hex);
    umask(old);
    assert_int_equal(rc, 0);
    assert_int_equal(mode_of(fx->dir), 0700);
    snprintf(path, sizeof path, "%s/ba", fx->dir);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/ba/78", fx->dir);
    assert_int_equal(mode_of(path), 0700);
    snprintf(path, sizeof path, "%s/ba/78/%s", fx->dir, hex);
    assert_int_equal(mode_of(path), 0600);
}

static void test_malformed_names_are_refused_before_any_lookup(void **state)
{
    struct fixture *fx = *state;
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), 0);
    static const char *const bad[] = {
        "",
        "../x",
        "../../../../etc/passwd",
        "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD",
        "Ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad0",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ag",
        "ba/78/ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f2",
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a\n",
        " ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015a",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int fd = -1;
        size_t size = 0;
        if (blobstore_open_blob(fx->bs, bad[i], &fd, &size) != AKAR_EINVAL)
            fail_msg("name \"%s\" was not refused", bad[i]);
        assert_int_equal(fd, -1);
    }
    int fd = -1;
    size_t size = 0;
    assert_int_equal(blobstore_open_blob(fx->bs, NULL, &fd, &size), AKAR_EINVAL);
    assert_int_equal(blobstore_open_blob(fx->bs, hex, &fd, &size), 0);
    close(fd);
}

static void test_missing_blob_is_not_found(void **state)
{
    struct fixture *fx = *state;
    int fd = -1;
    size_t size = 0;
    assert_int_equal(blobstore_open_blob(fx->bs, ABC_HEX, &fd, &size), AKAR_ENOTFOUND);
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, "abd", 3, hex), 0);
    assert_int_equal(blobstore_open_blob(fx->bs, ABC_HEX, &fd, &size), AKAR_ENOTFOUND);
}

static void test_symlink_in_place_of_a_blob_is_not_followed(void **state)
{
    struct fixture *fx = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/ba", fx->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/ba/78", fx->dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof path, "%s/ba/78/%s", fx->dir, ABC_HEX);
    assert_int_equal(symlink("/etc/passwd", path), 0);
    int fd = -1;
    size_t size = 0;
    assert_int_equal(blobstore_open_blob(fx->bs, ABC_HEX, &fd, &size), AKAR_EIO);
    /* Storing the real content puts a file in its place. */
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), 0);
    assert_int_equal(blobstore_open_blob(fx->bs, ABC_HEX, &fd, &size), 0);
    assert_int_equal(size, 3);
    close(fd);
}

#define THREADS 8
#define ROUNDS  25

struct worker {
    struct blobstore *bs;
    int id;
    int failures;
    char same[65], own[65];
};

/* What every worker stores. */
static unsigned char shared[65536];

/* Stores shared like every other worker, and content of its own, ROUNDS times. */
static void *work(void *arg)
{
    struct worker *w = arg;
    unsigned char own[4096];
    memset(own, 'a' + w->id, sizeof own);
    for (int r = 0; r < ROUNDS; r++) {
        if (blobstore_put(w->bs, shared, sizeof shared, w->same) != 0)
            w->failures++;
        if (blobstore_put(w->bs, own, sizeof own, w->own) != 0)
            w->failures++;
    }
    return NULL;
}

static void test_eight_threads_storing_at_once_leave_whole_files(void **state)
{
    struct fixture *fx = *state;
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (size_t i = 0; i < sizeof shared; i++)
        shared[i] = (unsigned char)(i % 251);
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.bs = fx->bs, .id = i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        assert_int_equal(pthread_join(t[i], NULL), 0);
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(w[i].failures, 0);
        assert_string_equal(w[i].same, w[0].same);
        size_t n;
        unsigned char *got = read_blob(fx->bs, w[i].own, &n);
        assert_int_equal(n, 4096);
        for (size_t k = 0; k < n; k++)
            assert_int_equal(got[k], 'a' + i);
        free(got);
        for (int j = 0; j < i; j++)
            assert_string_not_equal(w[i].own, w[j].own);
    }
    size_t n;
    unsigned char *got = read_blob(fx->bs, w[0].same, &n);
    assert_int_equal(n, 65536);
    for (size_t k = 0; k < n; k++)
        assert_int_equal(got[k], k % 251);
    free(got);
    char path[256];
    snprintf(path, sizeof path, "%s/%.2s/%.2s", fx->dir, w[0].same, w[0].same + 2);
    assert_int_equal(count_entries(path, ""), 1);
    assert_int_equal(count_entries(fx->dir, "tmp-"), 0);
}

/* Makes a temporary file in the store as a put cut short would leave it, age_s seconds old. */
static void leave_temp(const struct fixture *fx, const char *name, time_t age_s)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fx->dir, name);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "half", 4), 4);
    close(fd);
    struct timespec when[2] = {{.tv_sec = time(NULL) - age_s}, {.tv_sec = time(NULL) - age_s}};
    assert_int_equal(utimensat(AT_FDCWD, path, when, 0), 0);
}

static void test_open_sweeps_old_temporary_files_only(void **state)
{
    struct fixture *fx = *state;
    leave_temp(fx, "tmp-old", 2 * 3600);
    leave_temp(fx, "tmp-recent", 60);
    leave_temp(fx, "keep-old", 2 * 3600);
    char err[256];
    struct blobstore *again = blobstore_open(fx->dir, err, sizeof err);
    assert_non_null(again);
    blobstore_free(again);
    assert_int_equal(count_entries(fx->dir, "tmp-old"), 0);
    assert_int_equal(count_entries(fx->dir, "tmp-recent"), 1);
    assert_int_equal(count_entries(fx->dir, "keep-old"), 1);
}

static void test_open_fails_with_a_message_where_no_directory_can_be(void **state)
{
    struct fixture *fx = *state;
    char path[256], err[256] = "";
    snprintf(path, sizeof path, "%s/missing/blobs", fx->root);
    assert_null(blobstore_open(path, err, sizeof err));
    assert_non_null(strstr(err, path));
    snprintf(path, sizeof path, "%s/file", fx->root);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    assert_true(fd >= 0);
    close(fd);
    err[0] = '\0';
    assert_null(blobstore_open(path, err, sizeof err));
    assert_non_null(strstr(err, path));
}

static void test_put_into_a_removed_store_fails_with_eio(void **state)
{
    struct fixture *fx = *state;
    assert_int_equal(rmdir(fx->dir), 0);
    char hex[65];
    assert_int_equal(blobstore_put(fx->bs, "abc", 3, hex), AKAR_EIO);
    int fd = -1;
    size_t size = 0;
    assert_int_equal(blobstore_open_blob(fx->bs, ABC_HEX, &fd, &size), AKAR_ENOTFOUND);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_put_names_blob_by_sha256_and_it_reads_back),
        T(test_empty_blob_is_stored),
        T(test_large_blob_round_trips),
        T(test_storing_twice_rewrites_nothing),
        T(test_damaged_copy_of_another_size_is_replaced),
        T(test_files_are_0600_and_directories_0700),
        T(test_malformed_names_are_refused_before_any_lookup),
        T(test_missing_blob_is_not_found),
        T(test_symlink_in_place_of_a_blob_is_not_followed),
        T(test_eight_threads_storing_at_once_leave_whole_files),
        T(test_open_sweeps_old_temporary_files_only),
        T(test_open_fails_with_a_message_where_no_directory_can_be),
        T(test_put_into_a_removed_store_fails_with_eio),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
