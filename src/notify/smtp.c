/* SMTP delivery over libcurl: MAIL FROM, RCPT TO and DATA of a message composed by mail.c.
 * libcurl does the protocol, including dot-stuffing the data. */
#include "notify/smtp.h"

#include "base/err.h"

#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#define CONNECT_TIMEOUT_MS 10000
#define TOTAL_TIMEOUT_MS   60000

struct source {
    const char *p;
    size_t left;
};

static size_t read_message(char *out, size_t size, size_t n, void *arg)
{
    struct source *src = arg;
    size_t k = size * n < src->left ? size * n : src->left;
    memcpy(out, src->p, k);
    src->p += k;
    src->left -= k;
    return k;
}

int smtp_send(const char *url, const char *from, const char *to, const char *msg, size_t len,
              char *err, size_t errlen)
{
    CURL *h = curl_easy_init();
    if (!h) {
        snprintf(err, errlen, "libcurl cannot start");
        return AKAR_EIO;
    }
    char sender[300], rcpt[300], why[CURL_ERROR_SIZE] = "";
    snprintf(sender, sizeof sender, "<%s>", from);
    snprintf(rcpt, sizeof rcpt, "<%s>", to);
    struct curl_slist *rcpts = curl_slist_append(NULL, rcpt);
    struct source src = {msg, len};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    curl_easy_setopt(h, CURLOPT_MAIL_FROM, sender);
    curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpts);
    curl_easy_setopt(h, CURLOPT_READFUNCTION, read_message);
    curl_easy_setopt(h, CURLOPT_READDATA, &src);
    curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)TOTAL_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, why);
    CURLcode rc = rcpts ? curl_easy_perform(h) : CURLE_OUT_OF_MEMORY;
    if (rc != CURLE_OK)
        snprintf(err, errlen, "smtp: %s", why[0] ? why : curl_easy_strerror(rc));
    curl_slist_free_all(rcpts);
    curl_easy_cleanup(h);
    return rc == CURLE_OK ? 0 : AKAR_EIO;
}
