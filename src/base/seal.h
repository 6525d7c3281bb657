/* Sealing confidential text at rest (libsodium secretbox: XSalsa20-Poly1305) with a server key
 * kept in its own file, readable by the server's user only, outside the database, so that a
 * copy of the database alone reveals nothing sealed. */
#ifndef AKAR_BASE_SEAL_H
#define AKAR_BASE_SEAL_H
#include <stddef.h>

#define SEAL_KEY_BYTES 32

struct arena;

struct seal_key {
    unsigned char k[SEAL_KEY_BYTES];
};

/* Creates a new random key file at path with mode 0600. AKAR_EEXIST if a file is there
 * already (it is left alone); AKAR_EIO with a message on another failure. */
int seal_key_create(const char *path, char *err, size_t errlen);
/* Loads the key at path. Refuses (AKAR_EDENIED) a file that others than its owner may read or
 * write, and (AKAR_EINVAL) one of the wrong size. */
int seal_key_load(const char *path, struct seal_key *out, char *err, size_t errlen);
/* Seals plain (NUL-terminated) into printable text (base64 of nonce and box), in the arena. */
char *seal_text(const struct seal_key *key, struct arena *a, const char *plain);
/* Opens sealed text into *plain (arena). AKAR_ECRYPTO if it was not sealed with this key or
 * was altered. */
int seal_open(const struct seal_key *key, struct arena *a, const char *sealed, const char **plain);

#endif
