/* Composing an e-mail: an RFC 5322 message with a UTF-8 subject as RFC 2047 encoded-words and
 * a UTF-8 text/plain body in quoted-printable, so the message is 7-bit clean and passes any
 * relay. Pure functions: no I/O. */
#ifndef AKAR_NOTIFY_MAIL_H
#define AKAR_NOTIFY_MAIL_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct buf;

struct mail_msg {
    const char *from, *to;  /* bare addresses: local@domain */
    const char *subject;    /* UTF-8, one line */
    const char *body;       /* UTF-8; lines end with LF or CRLF */
    const char *message_id; /* without the angle brackets: left@right */
    int64_t date_ms;        /* the Date header, UTC */
};

/* Whether addr is a plain printable-ASCII address local@domain, without spaces, controls,
 * angle brackets or other specials that could break out of a header or an SMTP command. */
bool mail_address_ok(const char *addr);
/* Appends value as the text of a header whose line already holds used characters: as it is
 * when it is short printable ASCII, else as RFC 2047 "B" encoded-words in UTF-8, each whole
 * characters, folded so no line passes 78 characters. Returns 0, or AKAR_EINVAL (nothing
 * appended) when value holds CR or LF. */
int mail_header_text(struct buf *out, const char *value, size_t used);
/* Appends text in quoted-printable (RFC 2045): line breaks become CRLF, lines stay within 76
 * characters by soft breaks, a line ends in CRLF. */
void mail_quoted_printable(struct buf *out, const char *text);
/* Appends the whole message, headers and body. Returns 0, or AKAR_EINVAL (out unchanged) when
 * an address is malformed or a header value holds CR or LF. */
int mail_compose(struct buf *out, const struct mail_msg *m);

#endif
