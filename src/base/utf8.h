/* UTF-8 validation (RFC 3629: no overlongs, no surrogates, nothing above U+10FFFF). */
#ifndef AKAR_BASE_UTF8_H
#define AKAR_BASE_UTF8_H
#include <stdbool.h>
#include <stddef.h>

/* True if s[0..n) is valid UTF-8. On false, *bad (if not NULL) is the offset of the first
 * byte that starts an invalid sequence. */
bool utf8_valid(const char *s, size_t n, size_t *bad);

#endif
