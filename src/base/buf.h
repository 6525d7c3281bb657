/* A growable byte buffer, always NUL-terminated, for building text (log lines, metrics). */
#ifndef AKAR_BASE_BUF_H
#define AKAR_BASE_BUF_H
#include <stddef.h>

struct buf {
    char *data; /* owned; free with buf_release */
    size_t len, cap;
};

void buf_append(struct buf *b, const void *p, size_t n);
void buf_puts(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends s as a JSON string literal, quotes included; s must be valid UTF-8. */
void buf_json_string(struct buf *b, const char *s);
void buf_release(struct buf *b);

#endif
