/* Webhook delivery: an HTTP POST of the message body as JSON, signed so the receiver can tell
 * it comes from this akar and was not altered. */
#ifndef AKAR_NOTIFY_WEBHOOK_H
#define AKAR_NOTIFY_WEBHOOK_H
#include <stddef.h>
#include <stdint.h>

/* "sha256=" and 64 hex digits, and the NUL. */
#define WEBHOOK_SIGNATURE_SIZE 72

/* Writes "sha256=<hex HMAC-SHA256 of body under secret>" into out: the X-Akar-Signature value.
 * The secret's bytes are the key, whatever its length (RFC 2104). */
void webhook_signature(const char *secret, const char *body, size_t len,
                       char out[WEBHOOK_SIGNATURE_SIZE]);
/* POSTs body (JSON text) to url (http or https) with Content-Type: application/json,
 * X-Akar-Signature and X-Akar-Delivery: delivery_id. Blocks up to 10 s. Returns 0 on a 2xx
 * answer, else AKAR_EIO with the reason (the status, or the transfer's failure) in err. */
int webhook_post(const char *url, const char *secret, int64_t delivery_id, const char *body,
                 char *err, size_t errlen);

#endif
