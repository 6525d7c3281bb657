/* The attachment blob store; see blobstore.h. Everything is reached relative to one directory
 * descriptor opened once, and nothing in struct blobstore changes after blobstore_open, so
 * threads share a store without a lock: concurrent puts meet only in rename(2), which is
 * atomic, and two puts of the same content rename identical files over each other. */
#include "base/blobstore.h"

#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Temporary files live in the store's top directory (the same file system as the blobs, so
 * rename is atomic) under this prefix, which no blob name has. */
#define TMP_PREFIX "tmp-"
/* A temporary file older than this belongs to a put that will never finish. */
#define TMP_MAX_AGE_S 3600

struct blobstore {
    int dirfd;
    char *dir; /* for messages */
};

/* "ab/cd/abcd...": the blob's path relative to the store. */
#define BLOB_PATH_SIZE (6 + BLOBSTORE_NAME_LEN + 1)

static bool name_valid(const char *hex)
{
    for (int i = 0; i < BLOBSTORE_NAME_LEN; i++)
        if (!((hex[i] >= '0' && hex[i] <= '9') || (hex[i] >= 'a' && hex[i] <= 'f')))
            return false;
    return hex[BLOBSTORE_NAME_LEN] == '\0';
}

static void blob_path(const char *hex, char out[BLOB_PATH_SIZE])
{
    snprintf(out, BLOB_PATH_SIZE, "%.2s/%.2s/%s", hex, hex + 2, hex);
}

/* fsyncs the directory at rel (relative to the store). */
static int sync_dir(const struct blobstore *bs, const char *rel)
{
    int fd = openat(bs->dirfd, rel, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

/* Makes the entries leading to the blob at path durable. Every put syncs all three, even when
 * it finds the blob there: another put may have renamed it into place or made a directory
 * and not synced it yet. */
static int sync_dirs(const struct blobstore *bs, const char *path)
{
    char leaf[6], fan[3];
    snprintf(leaf, sizeof leaf, "%.5s", path);
    snprintf(fan, sizeof fan, "%.2s", path);
    if (sync_dir(bs, leaf) != 0 || sync_dir(bs, fan) != 0 || fsync(bs->dirfd) != 0) {
        log_error("blob store %s: cannot sync the directories of %s: %s", bs->dir, path,
                  strerror(errno));
        return AKAR_EIO;
    }
    return 0;
}

static int make_dir(const struct blobstore *bs, const char *rel)
{
    if (mkdirat(bs->dirfd, rel, 0700) == 0 || errno == EEXIST)
        return 0;
    log_error("blob store %s: cannot create %s: %s", bs->dir, rel, strerror(errno));
    return AKAR_EIO;
}

static int write_all(int fd, const unsigned char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Writes data to a new temporary file, named in tmp, and fsyncs it. */
static int write_temp(const struct blobstore *bs, const void *data, size_t len, char tmp[64])
{
    unsigned char rnd[12];
    char hex[2 * sizeof rnd + 1];
    randombytes_buf(rnd, sizeof rnd);
    snprintf(tmp, 64, TMP_PREFIX "%s", sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd));
    int fd = openat(bs->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        log_error("blob store %s: cannot create %s: %s", bs->dir, tmp, strerror(errno));
        return AKAR_EIO;
    }
    if (write_all(fd, data, len) != 0 || fsync(fd) != 0) {
        log_error("blob store %s: cannot write %s: %s", bs->dir, tmp, strerror(errno));
        close(fd);
        unlinkat(bs->dirfd, tmp, 0);
        return AKAR_EIO;
    }
    if (close(fd) != 0) {
        log_error("blob store %s: cannot write %s: %s", bs->dir, tmp, strerror(errno));
        unlinkat(bs->dirfd, tmp, 0);
        return AKAR_EIO;
    }
    return 0;
}

int blobstore_put(struct blobstore *bs, const void *data, size_t len,
                  char sha256_hex[BLOBSTORE_NAME_LEN + 1])
{
    static const unsigned char nothing[1];
    unsigned char h[crypto_hash_sha256_BYTES];
    if (!data)
        data = nothing;
    crypto_hash_sha256(h, data, len);
    sodium_bin2hex(sha256_hex, BLOBSTORE_NAME_LEN + 1, h, sizeof h);

    char path[BLOB_PATH_SIZE];
    blob_path(sha256_hex, path);
    struct stat st;
    /* Present already. A file of another size is a damaged copy: it is replaced. */
    if (fstatat(bs->dirfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
        (uint64_t)st.st_size == len)
        return sync_dirs(bs, path);

    char fan[3], leaf[6], tmp[64];
    snprintf(fan, sizeof fan, "%.2s", path);
    snprintf(leaf, sizeof leaf, "%.5s", path);
    int rc = make_dir(bs, fan);
    if (!rc)
        rc = make_dir(bs, leaf);
    if (!rc)
        rc = write_temp(bs, data, len, tmp);
    if (rc)
        return rc;
    if (renameat(bs->dirfd, tmp, bs->dirfd, path) != 0) {
        log_error("blob store %s: cannot rename %s to %s: %s", bs->dir, tmp, path, strerror(errno));
        unlinkat(bs->dirfd, tmp, 0);
        return AKAR_EIO;
    }
    return sync_dirs(bs, path);
}

int blobstore_open_blob(struct blobstore *bs, const char *sha256_hex, int *fd, size_t *size)
{
    if (!sha256_hex || !name_valid(sha256_hex))
        return AKAR_EINVAL;
    char path[BLOB_PATH_SIZE];
    blob_path(sha256_hex, path);
    int f = openat(bs->dirfd, path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (f < 0) {
        if (errno == ENOENT)
            return AKAR_ENOTFOUND;
        log_error("blob store %s: cannot open %s: %s", bs->dir, path, strerror(errno));
        return AKAR_EIO;
    }
    struct stat st;
    if (fstat(f, &st) != 0 || !S_ISREG(st.st_mode)) {
        log_error("blob store %s: %s is not a readable file", bs->dir, path);
        close(f);
        return AKAR_EIO;
    }
    *fd = f;
    *size = (size_t)st.st_size;
    return 0;
}

/* Removes the temporary files of puts cut short (by a crash) over TMP_MAX_AGE_S ago; younger
 * ones may belong to a put under way in another process. */
static void sweep_temps(const struct blobstore *bs)
{
    int fd = openat(bs->dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d) {
        if (fd >= 0)
            close(fd);
        return;
    }
    time_t cutoff = time(NULL) - TMP_MAX_AGE_S;
    const struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        struct stat st;
        if (strncmp(e->d_name, TMP_PREFIX, strlen(TMP_PREFIX)) == 0 &&
            fstatat(bs->dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_mtime < cutoff)
            unlinkat(bs->dirfd, e->d_name, 0);
    }
    closedir(d);
}

/* fsyncs the directory holding path, so that an entry just made in it lasts. */
static int sync_parent(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    free(copy);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

struct blobstore *blobstore_open(const char *dir, char *err, size_t errlen)
{
    if (sodium_init() < 0) {
        snprintf(err, errlen, "libsodium cannot be initialised");
        return NULL;
    }
    if (mkdir(dir, 0700) == 0) {
        if (sync_parent(dir) != 0) {
            snprintf(err, errlen, "cannot sync the directory holding %s: %s", dir, strerror(errno));
            return NULL;
        }
    } else if (errno != EEXIST) {
        snprintf(err, errlen, "cannot create the blob directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the blob directory %s: %s", dir, strerror(errno));
        return NULL;
    }
    struct blobstore *bs = xcalloc(1, sizeof *bs);
    bs->dirfd = fd;
    bs->dir = xstrdup(dir);
    sweep_temps(bs);
    return bs;
}

void blobstore_free(struct blobstore *bs)
{
    if (!bs)
        return;
    close(bs->dirfd);
    free(bs->dir);
    free(bs);
}
