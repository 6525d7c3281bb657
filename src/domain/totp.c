/* TOTP on liboath; see totp.h. */
#include "domain/totp.h"

#include "base/arena.h"
#include "base/err.h"

#include <liboath/oath.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static pthread_once_t oath_once = PTHREAD_ONCE_INIT;
static int oath_ready = OATH_OK;

static void oath_start(void)
{
    oath_ready = oath_init();
}

/* The raw secret of base32 text (freed by the caller), or NULL. */
static char *decode(const char *secret, size_t *len)
{
    pthread_once(&oath_once, oath_start);
    if (oath_ready != OATH_OK || !totp_secret_valid(secret))
        return NULL;
    char *raw = NULL;
    if (oath_base32_decode(secret, strlen(secret), &raw, len) != OATH_OK)
        return NULL;
    return raw;
}

static void forget(char *raw, size_t len)
{
    if (raw)
        sodium_memzero(raw, len);
    free(raw);
}

void totp_secret_new(char out[TOTP_SECRET_CHARS + 1])
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    unsigned char raw[TOTP_SECRET_BYTES];
    randombytes_buf(raw, sizeof raw);
    /* 160 bits are exactly 32 groups of 5: no padding */
    for (int i = 0; i < TOTP_SECRET_CHARS; i++) {
        int bit = i * 5, byte = bit / 8, shift = bit % 8;
        unsigned v = (unsigned)raw[byte] << 8 | (byte + 1 < TOTP_SECRET_BYTES ? raw[byte + 1] : 0);
        out[i] = alphabet[(v >> (11 - shift)) & 31];
    }
    out[TOTP_SECRET_CHARS] = 0;
    sodium_memzero(raw, sizeof raw);
}

bool totp_secret_valid(const char *s)
{
    if (!s || strlen(s) != TOTP_SECRET_CHARS)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= '2' && *p <= '7')))
            return false;
    return true;
}

char *totp_uri(struct arena *a, const char *login, const char *secret)
{
    /* logins are [a-z0-9._-]: nothing in the label needs escaping */
    return arena_printf(a,
                        "otpauth://totp/" TOTP_ISSUER ":%s?secret=%s&issuer=" TOTP_ISSUER
                        "&algorithm=SHA1&digits=%d&period=%d",
                        login, secret, TOTP_DIGITS, TOTP_STEP_S);
}

int64_t totp_step(int64_t now_s)
{
    return now_s >= 0 ? now_s / TOTP_STEP_S : (now_s - TOTP_STEP_S + 1) / TOTP_STEP_S;
}

int totp_code(const char *secret, int64_t step, char out[TOTP_DIGITS + 1])
{
    size_t len;
    char *raw = decode(secret, &len);
    if (!raw || step < 0)
        return forget(raw, raw ? len : 0), AKAR_EINVAL;
    int rc = oath_totp_generate(raw, len, (time_t)(step * TOTP_STEP_S), TOTP_STEP_S, 0, TOTP_DIGITS,
                                out);
    forget(raw, len);
    return rc == OATH_OK ? 0 : AKAR_EINVAL;
}

int totp_check(const char *secret, const char *code, int64_t now_s, int64_t last_step,
               int64_t *step)
{
    char digits[TOTP_DIGITS + 1];
    size_t n = 0;
    for (const char *p = code ? code : ""; *p; p++) {
        if (*p == ' ')
            continue;
        if (*p < '0' || *p > '9' || n == TOTP_DIGITS)
            return AKAR_EINVAL;
        digits[n++] = *p;
    }
    if (n != TOTP_DIGITS)
        return AKAR_EINVAL;
    digits[n] = 0;
    size_t len;
    char *raw = decode(secret, &len);
    if (!raw)
        return AKAR_EINVAL;
    int pos = 0;
    uint64_t counter = 0;
    /* window 1: the step of now_s and one either side */
    int rc =
        oath_totp_validate3(raw, len, (time_t)now_s, TOTP_STEP_S, 0, 1, &pos, &counter, digits);
    forget(raw, len);
    if (rc < 0)
        return AKAR_EINVAL;
    if ((int64_t)counter <= last_step)
        return AKAR_ECONFLICT;
    *step = (int64_t)counter;
    return 0;
}
