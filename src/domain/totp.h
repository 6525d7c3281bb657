/* Time-based one-time passwords (RFC 6238) for officials' second factor: HMAC-SHA1, 30-second
 * steps, 6 digits, the parameters every authenticator app understands. Secrets are 20 random
 * bytes written in base32; a code is accepted for the step it was made in or one step either
 * side (clock drift), and never for a step at or before the last one accepted (no replay). */
#ifndef AKAR_DOMAIN_TOTP_H
#define AKAR_DOMAIN_TOTP_H
#include <stdbool.h>
#include <stdint.h>

struct arena;

#define TOTP_SECRET_BYTES 20
#define TOTP_SECRET_CHARS 32 /* base32 of 20 bytes, no padding */
#define TOTP_STEP_S       30
#define TOTP_DIGITS       6
#define TOTP_ISSUER       "akar"

/* A fresh random secret in base32 (A-Z, 2-7). */
void totp_secret_new(char out[TOTP_SECRET_CHARS + 1]);
/* True if s is a secret of ours: TOTP_SECRET_CHARS base32 characters. */
bool totp_secret_valid(const char *s);
/* The otpauth://totp/ enrolment URI for login (what a QR code carries), in the arena. */
char *totp_uri(struct arena *a, const char *login, const char *secret);
/* The step that holds Unix time now_s. */
int64_t totp_step(int64_t now_s);
/* The code of secret for step (six digits and a NUL). 0 or AKAR_EINVAL for a bad secret. */
int totp_code(const char *secret, int64_t step, char out[TOTP_DIGITS + 1]);
/* Checks code (six digits; spaces are ignored) against secret at now_s: 0 with *step set to
 * the step it matched; AKAR_EINVAL when it matches no step of the window (or is malformed);
 * AKAR_ECONFLICT when it matches a step at or before last_step (used already). */
int totp_check(const char *secret, const char *code, int64_t now_s, int64_t last_step,
               int64_t *step);

#endif
