/* Webhook delivery over libcurl, and its HMAC-SHA256 signature (libsodium); see webhook.h.
 * Redirects are not followed: a receiver that moved must be registered again. */
#include "notify/webhook.h"

#include "base/err.h"

#include <curl/curl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define TIMEOUT_MS 10000

void webhook_signature(const char *secret, const char *body, size_t len,
                       char out[WEBHOOK_SIGNATURE_SIZE])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    char hex[2 * sizeof mac + 1];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(out, WEBHOOK_SIGNATURE_SIZE, "sha256=%s", hex);
    sodium_memzero(&st, sizeof st);
}

static size_t discard(char *data, size_t size, size_t n, void *arg)
{
    (void)data;
    (void)arg;
    return size * n;
}

int webhook_post(const char *url, const char *secret, int64_t delivery_id, const char *body,
                 char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "libcurl cannot start");
        return AKAR_EIO;
    }
    size_t len = strlen(body);
    char sig[WEBHOOK_SIGNATURE_SIZE], sig_line[WEBHOOK_SIGNATURE_SIZE + 32], id_line[64];
    char why[CURL_ERROR_SIZE] = "";
    webhook_signature(secret, body, len, sig);
    snprintf(sig_line, sizeof sig_line, "X-Akar-Signature: %s", sig);
    snprintf(id_line, sizeof id_line, "X-Akar-Delivery: %" PRId64, delivery_id);
    struct curl_slist *headers = NULL, *more = NULL;
    const char *lines[] = {"Content-Type: application/json", sig_line, id_line, "Expect:"};
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        more = curl_slist_append(headers, lines[i]);
        if (!more)
            break;
        headers = more;
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "akar");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
    long status = 0;
    CURLcode rc = more ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
    if (rc == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(h);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "webhook: %s", why[0] ? why : curl_easy_strerror(rc));
        return AKAR_EIO;
    }
    if (status < 200 || status > 299) {
        snprintf(err, errlen, "webhook: the receiver answered %ld", status);
        return AKAR_EIO;
    }
    return 0;
}
