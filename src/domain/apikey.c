/* API keys on libsodium; see apikey.h. The secret has 256 random bits, so a fast keyed hash is
 * enough to store it: nobody can guess their way back from the hash. */
#include "domain/apikey.h"

#include "base/utf8.h"

#include <assert.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

int apikey_scope_parse(const char *name)
{
    if (name && strcmp(name, "read") == 0)
        return APIKEY_READ;
    if (name && strcmp(name, "write") == 0)
        return APIKEY_WRITE;
    return -1;
}

const char *apikey_scope_name(enum apikey_scope s)
{
    return s == APIKEY_WRITE ? "write" : "read";
}

void apikey_new(char out[APIKEY_CHARS + 1], char prefix[APIKEY_PREFIX_LEN + 1])
{
    unsigned char raw[32];
    /* libsodium's random source needs sodium_init, which is idempotent (the command line has
     * not called it) */
    if (sodium_init() < 0)
        abort();
    randombytes_buf(raw, sizeof raw);
    memcpy(out, APIKEY_TAG, APIKEY_TAG_LEN);
    sodium_bin2base64(out + APIKEY_TAG_LEN, APIKEY_CHARS - APIKEY_TAG_LEN + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
    assert(strlen(out) == APIKEY_CHARS);
    memcpy(prefix, out, APIKEY_PREFIX_LEN);
    prefix[APIKEY_PREFIX_LEN] = 0;
}

bool apikey_tagged(const char *token)
{
    return token && strncmp(token, APIKEY_TAG, APIKEY_TAG_LEN) == 0;
}

bool apikey_shape_ok(const char *key)
{
    if (!apikey_tagged(key) || strlen(key) != APIKEY_CHARS)
        return false;
    for (const char *p = key + APIKEY_TAG_LEN; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

void apikey_hash(const char *key, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)key, strlen(key),
                       (const unsigned char *)"akar-api-key-v1", 15);
}

const char *apikey_label_problem(const char *label)
{
    if (!label)
        return NULL;
    size_t n = strlen(label), chars = 0;
    if (!utf8_valid(label, n, NULL))
        return "a label is UTF-8 text";
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)label[i];
        if (c < 0x20 || c == 0x7f)
            return "a label has no control characters";
        chars += (c & 0xc0) != 0x80;
    }
    if (chars < 1 || chars > APIKEY_LABEL_MAX)
        return "a label has 1 to 200 characters";
    return NULL;
}

bool apikey_scope_covers(enum apikey_scope scope, enum apikey_scope need)
{
    return scope == APIKEY_WRITE || need == APIKEY_READ;
}
