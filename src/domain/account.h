/* Accounts: login names, Argon2id password hashes, and session tokens (32 random bytes shown
 * once to the client; only their BLAKE2b-256 hash is ever stored). */
#ifndef AKAR_DOMAIN_ACCOUNT_H
#define AKAR_DOMAIN_ACCOUNT_H
#include <stdbool.h>
#include <stddef.h>

#define ACCOUNT_PASSWORD_MIN 10   /* characters */
#define ACCOUNT_PASSWORD_MAX 1024 /* bytes */
#define ACCOUNT_HASH_MAX     128  /* bytes of an encoded Argon2id hash, NUL included */
#define ACCOUNT_TOKEN_CHARS  43   /* base64url of 32 bytes, unpadded */

/* Must be called once before anything else here (initialises libsodium). 0 or AKAR_ECRYPTO. */
int account_init(void);
/* A login is 3 to 64 of [a-z0-9._-], starting with a letter or digit. */
bool account_login_valid(const char *login);
/* NULL if pw is acceptable, else why not (English, for the error message). */
const char *account_password_problem(const char *pw);
/* Argon2id hash of pw in libsodium's encoded form. 0, AKAR_EINVAL (see
 * account_password_problem) or AKAR_ECRYPTO. */
int account_hash_password(const char *pw, char out[ACCOUNT_HASH_MAX]);
/* True if pw matches the encoded hash. */
bool account_check_password(const char *hash, const char *pw);
/* Spends the time of one check, for logins that do not exist (no timing oracle). */
void account_waste_check(const char *pw);
/* A fresh session token: ACCOUNT_TOKEN_CHARS characters and a NUL. */
void account_token_new(char out[ACCOUNT_TOKEN_CHARS + 1]);
/* False if token does not have the shape of one of ours (then it is not looked up). */
bool account_token_shape_ok(const char *token);
void account_token_hash(const char *token, unsigned char out[32]);

#endif
