/* Logging; see log.h. */
#include "base/log.h"

#include "base/clock.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int access_fd = 2;

static void emit(const char *level, const char *fmt, va_list ap)
{
    char line[2048], when[21];
    int n =
        snprintf(line, sizeof line, "%s akar %s: ", clock_format_utc(clock_now_ms(), when), level);
    if (n < 0)
        return;
    int m = vsnprintf(line + n, sizeof line - (size_t)n - 1, fmt, ap);
    if (m < 0)
        return;
    size_t len = strnlen(line, sizeof line - 2);
    line[len++] = '\n';
    if (write(2, line, len) < 0)
        return;
}

void log_info(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("info", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("warn", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    emit("error", fmt, ap);
    va_end(ap);
}

void log_access_set_fd(int fd)
{
    access_fd = fd;
}

bool log_access_on(void)
{
    return access_fd >= 0;
}

void log_access_line(const char *line, size_t n)
{
    if (access_fd < 0)
        return;
    char stackbuf[1024];
    if (n + 1 <= sizeof stackbuf) {
        memcpy(stackbuf, line, n);
        stackbuf[n] = '\n';
        if (write(access_fd, stackbuf, n + 1) < 0)
            return;
    } else if (write(access_fd, line, n) < 0 || write(access_fd, "\n", 1) < 0) {
        return;
    }
}
