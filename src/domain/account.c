/* Passwords and tokens on libsodium; see account.h. */
#include "domain/account.h"

#include "base/err.h"
#include "base/utf8.h"

#include <sodium.h>
#include <string.h>

/* Argon2id cost: libsodium's "interactive" profile (2 passes, 64 MiB). */
#define PW_OPS crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PW_MEM crypto_pwhash_MEMLIMIT_INTERACTIVE

static char waste_hash[ACCOUNT_HASH_MAX];

int account_init(void)
{
    if (sodium_init() < 0)
        return AKAR_ECRYPTO;
    if (!waste_hash[0] &&
        crypto_pwhash_str(waste_hash, "akar-not-a-password", 19, PW_OPS, PW_MEM) != 0)
        return AKAR_ECRYPTO;
    return 0;
}

bool account_login_valid(const char *login)
{
    size_t n = strlen(login);
    if (n < 3 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = login[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-')))
            return false;
    }
    return true;
}

const char *account_password_problem(const char *pw)
{
    size_t n = strlen(pw);
    if (n > ACCOUNT_PASSWORD_MAX)
        return "the password is longer than 1024 bytes";
    if (!utf8_valid(pw, n, NULL))
        return "the password is not valid UTF-8";
    size_t chars = 0;
    for (size_t i = 0; i < n; i++)
        chars += ((unsigned char)pw[i] & 0xC0) != 0x80;
    if (chars < ACCOUNT_PASSWORD_MIN)
        return "the password has fewer than 10 characters";
    return NULL;
}

int account_hash_password(const char *pw, char out[ACCOUNT_HASH_MAX])
{
    if (account_password_problem(pw))
        return AKAR_EINVAL;
    char hash[crypto_pwhash_STRBYTES];
    if (crypto_pwhash_str(hash, pw, strlen(pw), PW_OPS, PW_MEM) != 0)
        return AKAR_ECRYPTO;
    if (strlen(hash) >= ACCOUNT_HASH_MAX)
        return AKAR_ECRYPTO;
    memcpy(out, hash, strlen(hash) + 1);
    return 0;
}

bool account_check_password(const char *hash, const char *pw)
{
    if (strlen(pw) > ACCOUNT_PASSWORD_MAX)
        return false;
    return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void account_waste_check(const char *pw)
{
    (void)account_check_password(waste_hash, pw);
}

void account_token_new(char out[ACCOUNT_TOKEN_CHARS + 1])
{
    unsigned char raw[32];
    randombytes_buf(raw, sizeof raw);
    sodium_bin2base64(out, ACCOUNT_TOKEN_CHARS + 1, raw, sizeof raw,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    sodium_memzero(raw, sizeof raw);
}

bool account_token_shape_ok(const char *token)
{
    if (!token || strlen(token) != ACCOUNT_TOKEN_CHARS)
        return false;
    for (const char *p = token; *p; p++) {
        char c = *p;
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_'))
            return false;
    }
    return true;
}

void account_token_hash(const char *token, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)token, strlen(token),
                       (const unsigned char *)"akar-session-token-v1", 21);
}
