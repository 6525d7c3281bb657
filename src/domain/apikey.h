/* API keys for integrations: a key is "akar_key_" and 32 random bytes in base64url, shown once
 * when it is made; only its BLAKE2b-256 hash is stored, with a short prefix of it to tell keys
 * apart in lists. A key belongs to a unit and covers that unit's subtree, for reading cases
 * (scope read) or also for submitting them (scope write). */
#ifndef AKAR_DOMAIN_APIKEY_H
#define AKAR_DOMAIN_APIKEY_H
#include <stdbool.h>
#include <stddef.h>

#define APIKEY_TAG        "akar_key_"
#define APIKEY_TAG_LEN    9
#define APIKEY_CHARS      (APIKEY_TAG_LEN + 43) /* the tag and base64url of 32 bytes */
#define APIKEY_PREFIX_LEN (APIKEY_TAG_LEN + 6)  /* what lists show: the tag and 6 symbols */
#define APIKEY_LABEL_MAX  200                   /* characters */

enum apikey_scope { APIKEY_READ, APIKEY_WRITE };

/* "read" → APIKEY_READ, "write" → APIKEY_WRITE; -1 for anything else. */
int apikey_scope_parse(const char *name);
const char *apikey_scope_name(enum apikey_scope s);
/* A fresh key: APIKEY_CHARS characters and a NUL; prefix gets its first APIKEY_PREFIX_LEN. */
void apikey_new(char out[APIKEY_CHARS + 1], char prefix[APIKEY_PREFIX_LEN + 1]);
/* True if token starts with the key tag (a key, valid or not, rather than a session token). */
bool apikey_tagged(const char *token);
/* False if key does not have the shape of one of ours (then it is not looked up). */
bool apikey_shape_ok(const char *key);
void apikey_hash(const char *key, unsigned char out[32]);
/* NULL if label is acceptable (absent, or 1 to APIKEY_LABEL_MAX characters of UTF-8 without
 * control characters), else why not (English). */
const char *apikey_label_problem(const char *label);
/* Whether a key of scope may do what need asks: write covers read. */
bool apikey_scope_covers(enum apikey_scope scope, enum apikey_scope need);

#endif
