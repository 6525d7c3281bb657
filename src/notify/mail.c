/* Composing an e-mail message; see mail.h. The encoders are written here because none of the
 * chosen libraries offers them without building a multipart message (libcurl's MIME API). */
#include "notify/mail.h"

#include "base/buf.h"
#include "base/civil.h"
#include "base/err.h"

#include <assert.h>
#include <sodium.h>
#include <string.h>

#define LINE_MAX_CHARS 78 /* RFC 5322's recommended header line length */
#define QP_LINE_MAX    76 /* RFC 2045's limit for a quoted-printable line */
#define WORD_MAX       75 /* RFC 2047's limit for one encoded-word */
#define WORD_OPEN      "=?UTF-8?B?"
#define WORD_CLOSE     "?="
#define WORD_OVERHEAD  (sizeof WORD_OPEN - 1 + sizeof WORD_CLOSE - 1)

bool mail_address_ok(const char *addr)
{
    const char *at = strchr(addr, '@');
    if (!at || at == addr || !at[1] || strchr(at + 1, '@') || strlen(addr) > 254)
        return false;
    for (const unsigned char *p = (const unsigned char *)addr; *p; p++)
        if (*p <= ' ' || *p >= 0x7F || strchr("<>()[]\\,;:\"", *p))
            return false;
    return true;
}

static bool needs_encoding(const char *value, size_t used)
{
    if (used + strlen(value) > LINE_MAX_CHARS || strstr(value, "=?"))
        return true;
    for (const unsigned char *p = (const unsigned char *)value; *p; p++)
        if ((*p < ' ' && *p != '\t') || *p >= 0x7F)
            return true;
    return false;
}

/* The longest prefix of s (n bytes) of at most max bytes that ends on a character boundary. */
static size_t whole_chars(const char *s, size_t n, size_t max)
{
    if (n <= max)
        return n;
    size_t k = max;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        k--;
    return k > 0 ? k : max; /* not UTF-8: any cut will do */
}

int mail_header_text(struct buf *out, const char *value, size_t used)
{
    assert(used < LINE_MAX_CHARS / 2);
    if (strpbrk(value, "\r\n"))
        return AKAR_EINVAL;
    if (!needs_encoding(value, used)) {
        buf_puts(out, value);
        return 0;
    }
    size_t left = strlen(value), col = used;
    const char *p = value;
    do {
        size_t room = LINE_MAX_CHARS - col - WORD_OVERHEAD;
        if (room > WORD_MAX - WORD_OVERHEAD)
            room = WORD_MAX - WORD_OVERHEAD;
        size_t take = whole_chars(p, left, room / 4 * 3);
        char b64[WORD_MAX];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)p, take,
                          sodium_base64_VARIANT_ORIGINAL);
        if (p != value) {
            buf_puts(out, "\r\n ");
            col = 1;
        }
        buf_printf(out, WORD_OPEN "%s" WORD_CLOSE, b64);
        col += WORD_OVERHEAD + strlen(b64);
        p += take;
        left -= take;
    } while (left > 0);
    return 0;
}

/* One line of text (without its line break) in quoted-printable, with soft breaks. */
static void qp_line(struct buf *out, const unsigned char *s, size_t n)
{
    size_t col = 0;
    for (size_t i = 0; i < n; i++) {
        bool last = i + 1 == n;
        char enc[4];
        size_t w = 1;
        if ((s[i] >= '!' && s[i] <= '~' && s[i] != '=') || ((s[i] == ' ' || s[i] == '\t') && !last))
            enc[0] = (char)s[i];
        else
            w = (size_t)snprintf(enc, sizeof enc, "=%02X", s[i]);
        /* a soft break needs one column for its "=", except after the line's last character */
        if (col + w > (last ? QP_LINE_MAX : QP_LINE_MAX - 1)) {
            buf_puts(out, "=\r\n");
            col = 0;
        }
        buf_append(out, enc, w);
        col += w;
    }
}

void mail_quoted_printable(struct buf *out, const char *text)
{
    const char *p = text;
    for (;;) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) : strlen(p);
        size_t len = nl && n > 0 && p[n - 1] == '\r' ? n - 1 : n;
        qp_line(out, (const unsigned char *)p, len);
        buf_puts(out, "\r\n");
        if (!nl || !nl[1])
            return;
        p = nl + 1;
    }
}

static void append_date(struct buf *out, int64_t ms)
{
    static const char *const wday[] = {"Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"};
    static const char *const month[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int64_t s = ms / 1000, days = s / 86400, rem = s % 86400;
    if (rem < 0) {
        rem += 86400;
        days--;
    }
    struct civil_date d = civil_from_days(days);
    buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", wday[civil_weekday(days)],
               d.day, month[d.month - 1], d.year, (int)(rem / 3600), (int)(rem / 60 % 60),
               (int)(rem % 60));
}

int mail_compose(struct buf *out, const struct mail_msg *m)
{
    if (!mail_address_ok(m->from) || !mail_address_ok(m->to) || !mail_address_ok(m->message_id) ||
        strpbrk(m->subject, "\r\n"))
        return AKAR_EINVAL;
    append_date(out, m->date_ms);
    buf_printf(out, "From: %s\r\nTo: %s\r\nSubject: ", m->from, m->to);
    mail_header_text(out, m->subject, strlen("Subject: "));
    buf_printf(out,
               "\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n"
               "Content-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: quoted-printable\r\n"
               "Auto-Submitted: auto-generated\r\n\r\n",
               m->message_id);
    mail_quoted_printable(out, m->body);
    return 0;
}
