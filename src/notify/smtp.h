/* Handing one composed message to an SMTP server with libcurl. */
#ifndef AKAR_NOTIFY_SMTP_H
#define AKAR_NOTIFY_SMTP_H
#include <stddef.h>

/* Sends msg (a whole RFC 5322 message, CRLF line ends) from the envelope sender from to the one
 * recipient to, through url (smtp://host:port, or smtps:// for TLS; user:password@ in the URL
 * logs in). Blocks up to the timeouts. Returns 0 once the server accepted the message, or
 * AKAR_EIO with the reason in err. */
int smtp_send(const char *url, const char *from, const char *to, const char *msg, size_t len,
              char *err, size_t errlen);

#endif
