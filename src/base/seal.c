/* Sealed fields and the key file; see seal.h. */
#include "base/seal.h"

#include "base/arena.h"
#include "base/err.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int seal_key_create(const char *path, char *err, size_t errlen)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) {
        if (errno == EEXIST)
            return AKAR_EEXIST;
        snprintf(err, errlen, "cannot create the key file %s: %s", path, strerror(errno));
        return AKAR_EIO;
    }
    unsigned char k[SEAL_KEY_BYTES];
    randombytes_buf(k, sizeof k);
    ssize_t n = write(fd, k, sizeof k);
    sodium_memzero(k, sizeof k);
    if (n != (ssize_t)sizeof k || fsync(fd) != 0 || close(fd) != 0) {
        snprintf(err, errlen, "cannot write the key file %s", path);
        unlink(path);
        return AKAR_EIO;
    }
    return 0;
}

int seal_key_load(const char *path, struct seal_key *out, char *err, size_t errlen)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        snprintf(err, errlen, "cannot open the key file %s: %s (akar init creates it)", path,
                 strerror(errno));
        return AKAR_EIO;
    }
    struct stat st;
    int rc = 0;
    if (fstat(fd, &st) != 0) {
        snprintf(err, errlen, "cannot read the key file %s", path);
        rc = AKAR_EIO;
    } else if (st.st_mode & 077) {
        snprintf(err, errlen, "the key file %s may be read by others: chmod 600 it", path);
        rc = AKAR_EDENIED;
    } else if (st.st_size != SEAL_KEY_BYTES || read(fd, out->k, SEAL_KEY_BYTES) != SEAL_KEY_BYTES) {
        snprintf(err, errlen, "the key file %s is not a key (32 bytes expected)", path);
        rc = AKAR_EINVAL;
    }
    close(fd);
    return rc;
}

char *seal_text(const struct seal_key *key, struct arena *a, const char *plain)
{
    size_t n = strlen(plain);
    size_t boxlen = crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + n;
    unsigned char *box = arena_alloc(a, boxlen);
    randombytes_buf(box, crypto_secretbox_NONCEBYTES);
    crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES, (const unsigned char *)plain, n, box,
                          key->k);
    size_t outlen = sodium_base64_ENCODED_LEN(boxlen, sodium_base64_VARIANT_ORIGINAL);
    char *out = arena_alloc(a, outlen);
    sodium_bin2base64(out, outlen, box, boxlen, sodium_base64_VARIANT_ORIGINAL);
    return out;
}

int seal_open(const struct seal_key *key, struct arena *a, const char *sealed, const char **plain)
{
    size_t len = strlen(sealed), boxlen;
    unsigned char *box = arena_alloc(a, len + 1);
    if (sodium_base642bin(box, len + 1, sealed, len, NULL, &boxlen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        boxlen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
        return AKAR_ECRYPTO;
    size_t n = boxlen - crypto_secretbox_NONCEBYTES - crypto_secretbox_MACBYTES;
    char *out = arena_alloc(a, n + 1);
    if (crypto_secretbox_open_easy((unsigned char *)out, box + crypto_secretbox_NONCEBYTES,
                                   boxlen - crypto_secretbox_NONCEBYTES, box, key->k) != 0)
        return AKAR_ECRYPTO;
    out[n] = 0;
    *plain = out;
    return 0;
}
