/* Building HTML safely: every value interpolated into markup is escaped unless the caller says
 * otherwise in the format string itself, so a page cannot forget to escape.
 *
 *   html_fmt(h, "<p class=\"%s\">%s</p>", cls, user_text);
 *
 * Conversions: %s escaped text (NULL prints nothing), %r raw HTML the caller built safely
 * (html_* output, a constant), %d int, %u unsigned, %ld/%lld long/long long, %zu size_t, %%.
 * The format itself is markup and must be a constant. */
#ifndef AKAR_WEB_HTML_H
#define AKAR_WEB_HTML_H
#include <stddef.h>

struct arena;
struct buf;

/* Appends s with & < > " ' escaped (safe in text and in quoted attribute values). */
void html_escape(struct buf *b, const char *s);
void html_fmt(struct buf *b, const char *fmt, ...);
/* The same, into a new arena string (for fragments passed on with %r). */
char *html_fmt_arena(struct arena *a, const char *fmt, ...);
/* Appends s escaped for a URL query value (RFC 3986 unreserved kept, the rest %XX). */
void html_url_value(struct buf *b, const char *s);

#endif
