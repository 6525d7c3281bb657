/* HTML building with escaping by default (see html.h). */
#include "web/html.h"

#include "base/arena.h"
#include "base/buf.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void html_escape(struct buf *b, const char *s)
{
    if (!s)
        return;
    const char *run = s;
    for (; *s; s++) {
        const char *rep;
        switch (*s) {
        case '&':
            rep = "&amp;";
            break;
        case '<':
            rep = "&lt;";
            break;
        case '>':
            rep = "&gt;";
            break;
        case '"':
            rep = "&quot;";
            break;
        case '\'':
            rep = "&#39;";
            break;
        default:
            continue;
        }
        buf_append(b, run, (size_t)(s - run));
        buf_puts(b, rep);
        run = s + 1;
    }
    buf_append(b, run, (size_t)(s - run));
}

void html_url_value(struct buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '.' || c == '_' || c == '~') {
            buf_append(b, s, 1);
        } else {
            char e[3] = {'%', hex[c >> 4], hex[c & 15]};
            buf_append(b, e, 3);
        }
    }
}

static void vfmt(struct buf *b, const char *fmt, va_list ap)
{
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        buf_append(b, run, (size_t)(p - run));
        p++;
        switch (*p) {
        case 's':
            html_escape(b, va_arg(ap, const char *));
            break;
        case 'r': {
            const char *raw = va_arg(ap, const char *);
            if (raw)
                buf_puts(b, raw);
            break;
        }
        case 'd':
            buf_printf(b, "%d", va_arg(ap, int));
            break;
        case 'u':
            buf_printf(b, "%u", va_arg(ap, unsigned));
            break;
        case 'z':
            assert(p[1] == 'u');
            p++;
            buf_printf(b, "%zu", va_arg(ap, size_t));
            break;
        case 'l':
            if (p[1] == 'l' && p[2] == 'd') {
                p += 2;
                buf_printf(b, "%lld", va_arg(ap, long long));
            } else {
                assert(p[1] == 'd');
                p++;
                buf_printf(b, "%ld", va_arg(ap, long));
            }
            break;
        case '%':
            buf_append(b, "%", 1);
            break;
        default:
            assert(!"unknown html_fmt conversion");
            return;
        }
        run = p + 1;
    }
    buf_puts(b, run);
}

void html_fmt(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfmt(b, fmt, ap);
    va_end(ap);
}

char *html_fmt_arena(struct arena *a, const char *fmt, ...)
{
    struct buf b = {0};
    va_list ap;
    va_start(ap, fmt);
    vfmt(&b, fmt, ap);
    va_end(ap);
    char *out = arena_strdup(a, b.data ? b.data : "");
    buf_release(&b);
    return out;
}
