/* A content-addressed file store for attachments: each blob is a file named by the SHA-256 of
 * its bytes, under two levels of fan-out directories (ab/cd/abcd...), and appears whole or not
 * at all. */
#ifndef AKAR_BASE_BLOBSTORE_H
#define AKAR_BASE_BLOBSTORE_H
#include <stddef.h>

/* Characters in a blob's name: the lowercase hex SHA-256 of its content. */
#define BLOBSTORE_NAME_LEN 64

struct blobstore;

/* Opens the store in dir, creating dir with mode 0700 if it is missing (its parent must exist),
 * and removes temporary files that a put cut short over an hour ago left behind. Returns NULL
 * with a message in err on failure. Free the store with blobstore_free. */
struct blobstore *blobstore_open(const char *dir, char *err, size_t errlen);

/* Stores data[0..len) (data may be NULL when len is 0) and writes its name to sha256_hex,
 * NUL-terminated. On return 0 the blob is durable: written to a temporary file in the store,
 * fsynced, renamed into place (files 0600, directories 0700), and its directories fsynced.
 * Storing content that is present already rewrites nothing. Safe from several threads at
 * once, even with the same content. AKAR_EIO (logged) on failure. */
int blobstore_put(struct blobstore *bs, const void *data, size_t len,
                  char sha256_hex[BLOBSTORE_NAME_LEN + 1]);

/* Opens the blob called sha256_hex for reading: *fd (the caller closes it) and its *size.
 * AKAR_EINVAL if the name is not exactly 64 lowercase hex digits (so it cannot name a path
 * outside the store), AKAR_ENOTFOUND if there is no such blob, AKAR_EIO (logged) on another
 * failure. Safe from several threads at once. */
int blobstore_open_blob(struct blobstore *bs, const char *sha256_hex, int *fd, size_t *size);

/* Closes the store; bs may be NULL. Descriptors from blobstore_open_blob stay valid. */
void blobstore_free(struct blobstore *bs);

#endif
