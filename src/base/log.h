/* Diagnostics to standard error, and the access log (one JSON line per request) to a chosen
 * file descriptor. Each line is written with one write(2), so lines from threads never mix. */
#ifndef AKAR_BASE_LOG_H
#define AKAR_BASE_LOG_H
#include <stdbool.h>
#include <stddef.h>

void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* fd < 0 turns the access log off. The default is standard error. */
void log_access_set_fd(int fd);
/* Writes one line (a newline is added). */
void log_access_line(const char *line, size_t n);
/* Whether access lines go anywhere: if not, callers need not format them. */
bool log_access_on(void);

#endif
