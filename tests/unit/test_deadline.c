/* Unit tests for domain/deadline: one table of cases whose due instants were worked out by hand
 * from the statutes (DESIGN.md section 7) and the holiday files in data/policy/, with a calendar
 * on the desk; none is computed by the code under test. Also the working-day calendar itself. */
#include "domain/deadline.h"

#include "base/arena.h"
#include "base/tsv.h"
#include "base/tz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#define F false
#define T true

struct row {
    const char *preset, *kind, *step;
    const char *received; /* RFC 3339, any offset */
    bool remote, complex;
    int extensions;
    const char *due; /* RFC 3339; NULL: the preset has no such rule (or no such preset) */
};

/* vn counts in Asia/Ho_Chi_Minh and id in Asia/Jakarta, both UTC+7, so "23:59:59.999+07:00"
 * (16:59:59.999Z) is the end of a local day. Weekdays are noted for the day of receipt and the
 * day a count ends; "off" days are those of holidays-<preset>.tsv. */
static const struct row rows[] = {
    /* vn complaint accept: 10 calendar days, a day off at the end moves it on. */
    /* Mon 2 Mar + 10 = Thu 12 Mar. */
    {"vn", "complaint", "accept", "2026-03-02T10:00:00+07:00", F, F, 0,
     "2026-03-12T23:59:59.999+07:00"},
    /* Tue 10 Feb + 10 = Fri 20 Feb, Tết (off 14..22 Feb) -> Mon 23 Feb. */
    {"vn", "complaint", "accept", "2026-02-10T09:00:00+07:00", F, F, 0,
     "2026-02-23T23:59:59.999+07:00"},
    /* Received on a day off (Sat 14 Feb, Tết): + 10 = Tue 24 Feb, a working day. */
    {"vn", "complaint", "accept", "2026-02-14T10:00:00+07:00", F, F, 0,
     "2026-02-24T23:59:59.999+07:00"},
    /* 16:30Z is 23:30 local on Mon 2 Mar: still that day. */
    {"vn", "complaint", "accept", "2026-03-02T16:30:00Z", F, F, 0, "2026-03-12T16:59:59.999Z"},
    /* The last millisecond of Mon 2 Mar local, and the first of Tue 3 Mar. */
    {"vn", "complaint", "accept", "2026-03-02T16:59:59.999Z", F, F, 0, "2026-03-12T16:59:59.999Z"},
    {"vn", "complaint", "accept", "2026-03-02T17:00:00Z", F, F, 0, "2026-03-13T16:59:59.999Z"},
    /* 00:30 local on Tue 3 Mar (still 2 Mar in UTC, and 2 Mar in New York): counts from 3 Mar. */
    {"vn", "complaint", "accept", "2026-03-03T00:30:00+07:00", F, F, 0,
     "2026-03-13T23:59:59.999+07:00"},
    {"vn", "complaint", "accept", "2026-03-02T12:30:00-05:00", F, F, 0,
     "2026-03-13T23:59:59.999+07:00"},
    /* Fri 22 Aug 2025 + 10 = Mon 1 Sep, Quốc khánh (off 1..2 Sep) -> Wed 3 Sep. */
    {"vn", "complaint", "accept", "2025-08-22T09:00:00+07:00", F, F, 0,
     "2025-09-03T23:59:59.999+07:00"},
    /* The acceptance limit is the same in remote areas and for complex cases. */
    {"vn", "complaint", "accept", "2026-03-02T10:00:00+07:00", T, T, 0,
     "2026-03-12T23:59:59.999+07:00"},

    /* vn complaint settle: 30 days; remote 45; complex 45; remote and complex 60. */
    /* Mon 5 Jan + 30 = Wed 4 Feb. */
    {"vn", "complaint", "settle", "2026-01-05T08:00:00+07:00", F, F, 0,
     "2026-02-04T23:59:59.999+07:00"},
    /* + 45 = Thu 19 Feb, Tết -> Mon 23 Feb. */
    {"vn", "complaint", "settle", "2026-01-05T08:00:00+07:00", T, F, 0,
     "2026-02-23T23:59:59.999+07:00"},
    {"vn", "complaint", "settle", "2026-01-05T08:00:00+07:00", F, T, 0,
     "2026-02-23T23:59:59.999+07:00"},
    /* + 60 = Fri 6 Mar. */
    {"vn", "complaint", "settle", "2026-01-05T08:00:00+07:00", T, T, 0,
     "2026-03-06T23:59:59.999+07:00"},
    /* Fri 16 Jan + 30 = Sun 15 Feb, inside Tết -> Mon 23 Feb. */
    {"vn", "complaint", "settle", "2026-01-16T08:00:00+07:00", F, F, 0,
     "2026-02-23T23:59:59.999+07:00"},

    /* vn complaint second_filing: 30 days, remote 45; complexity does not matter. */
    /* Thu 27 Mar 2025 + 30 = Sat 26 Apr 2025, a Saturday worked in exchange for Fri 2 May. */
    {"vn", "complaint", "second_filing", "2025-03-27T14:00:00+07:00", F, F, 0,
     "2025-04-26T23:59:59.999+07:00"},
    {"vn", "complaint", "second_filing", "2025-03-27T14:00:00+07:00", F, T, 0,
     "2025-04-26T23:59:59.999+07:00"},
    /* + 45 = Sun 11 May 2025 -> Mon 12 May. */
    {"vn", "complaint", "second_filing", "2025-03-27T14:00:00+07:00", T, F, 0,
     "2025-05-12T23:59:59.999+07:00"},
    {"vn", "complaint", "second_filing", "2025-03-27T14:00:00+07:00", T, T, 0,
     "2025-05-12T23:59:59.999+07:00"},
    /* Fri 28 Mar 2025 + 30 = Sun 27 Apr -> Mon 28 Apr. */
    {"vn", "complaint", "second_filing", "2025-03-28T14:00:00+07:00", F, F, 0,
     "2025-04-28T23:59:59.999+07:00"},

    /* vn complaint publish: 15 days. Tue 15 Apr 2025 + 15 = Wed 30 Apr (off), Thu 1 May (off),
     * Fri 2 May (swapped off), weekend -> Mon 5 May. */
    {"vn", "complaint", "publish", "2025-04-15T09:00:00+07:00", F, F, 0,
     "2025-05-05T23:59:59.999+07:00"},

    /* vn denunciation accept: 7 working days; 10 when checks span several places (complex). */
    /* Wed 11 Feb: Thu 12 (1), Fri 13 (2), Tết, Mon 23 (3) .. Fri 27 (7). */
    {"vn", "denunciation", "accept", "2026-02-11T09:00:00+07:00", F, F, 0,
     "2026-02-27T23:59:59.999+07:00"},
    {"vn", "denunciation", "accept", "2026-02-11T09:00:00+07:00", T, F, 0,
     "2026-02-27T23:59:59.999+07:00"},
    /* .. Mon 2 Mar (8), Tue 3 (9), Wed 4 (10). */
    {"vn", "denunciation", "accept", "2026-02-11T09:00:00+07:00", F, T, 0,
     "2026-03-04T23:59:59.999+07:00"},
    {"vn", "denunciation", "accept", "2026-02-11T09:00:00+07:00", T, T, 0,
     "2026-03-04T23:59:59.999+07:00"},
    /* Tue 22 Apr 2025: 23 (1), 24 (2), 25 (3), Sat 26 worked (4), Mon 28 (5), Tue 29 (6),
     * 30 Apr..4 May off, Mon 5 May (7). */
    {"vn", "denunciation", "accept", "2025-04-22T10:00:00+07:00", F, F, 0,
     "2025-05-05T23:59:59.999+07:00"},
    /* .. Tue 6 (8), Wed 7 (9), Thu 8 May (10). */
    {"vn", "denunciation", "accept", "2025-04-22T10:00:00+07:00", F, T, 0,
     "2025-05-08T23:59:59.999+07:00"},

    /* vn denunciation notify: 5 working days. */
    /* Thu 24 Apr 2025: Fri 25 (1), Sat 26 worked (2), Mon 28 (3), Tue 29 (4), Mon 5 May (5). */
    {"vn", "denunciation", "notify", "2025-04-24T15:00:00+07:00", F, F, 0,
     "2025-05-05T23:59:59.999+07:00"},
    /* Mon 2 Mar 2026: Tue 3 .. Fri 6 (4), Mon 9 (5). */
    {"vn", "denunciation", "notify", "2026-03-02T09:00:00+07:00", F, F, 0,
     "2026-03-09T23:59:59.999+07:00"},

    /* vn denunciation settle: 30 days, + 30 per extension, at most two. */
    /* Mon 5 Jan + 30 = Wed 4 Feb. */
    {"vn", "denunciation", "settle", "2026-01-05T09:00:00+07:00", F, F, 0,
     "2026-02-04T23:59:59.999+07:00"},
    /* + 60 = Fri 6 Mar. */
    {"vn", "denunciation", "settle", "2026-01-05T09:00:00+07:00", F, F, 1,
     "2026-03-06T23:59:59.999+07:00"},
    /* + 90 = Sun 5 Apr -> Mon 6 Apr. */
    {"vn", "denunciation", "settle", "2026-01-05T09:00:00+07:00", F, F, 2,
     "2026-04-06T23:59:59.999+07:00"},
    /* A third extension is not allowed: still + 90. */
    {"vn", "denunciation", "settle", "2026-01-05T09:00:00+07:00", F, F, 3,
     "2026-04-06T23:59:59.999+07:00"},
    /* Remote areas and complexity do not change it (complexity is what extensions are for). */
    {"vn", "denunciation", "settle", "2026-01-05T09:00:00+07:00", T, T, 1,
     "2026-03-06T23:59:59.999+07:00"},
    /* Tue 20 Jan + 30 = Thu 19 Feb, Tết -> Mon 23 Feb. */
    {"vn", "denunciation", "settle", "2026-01-20T09:00:00+07:00", F, F, 0,
     "2026-02-23T23:59:59.999+07:00"},

    /* vn feedback: forward 5 working days, accept 10 working days, settle 30/45/45/60. */
    /* Fri 24 Apr 2026: Mon 27 off (Giỗ Tổ), Tue 28 (1), Wed 29 (2), 30 Apr and 1 May off,
     * Mon 4 May (3), Tue 5 (4), Wed 6 (5). */
    {"vn", "feedback", "forward", "2026-04-24T09:00:00+07:00", F, F, 0,
     "2026-05-06T23:59:59.999+07:00"},
    /* Fri 9 Jan 2026: Sat 10 Jan worked in exchange for Fri 2 Jan (1), Mon 12 (2) .. Fri 16
     * (6), Mon 19 (7) .. Thu 22 (10). */
    {"vn", "feedback", "accept", "2026-01-09T10:00:00+07:00", F, F, 0,
     "2026-01-22T23:59:59.999+07:00"},
    /* Wed 31 Dec 2025: 1 and 2 Jan off, weekend, Mon 5 (1) .. Fri 9 (5), Sat 10 (6), Mon 12
     * (7) .. Thu 15 (10). */
    {"vn", "feedback", "accept", "2025-12-31T10:00:00+07:00", F, F, 0,
     "2026-01-15T23:59:59.999+07:00"},
    /* Thu 2 Jan 2025 + 30 = Sat 1 Feb (Tết, off 25 Jan..2 Feb) -> Mon 3 Feb. */
    {"vn", "feedback", "settle", "2025-01-02T09:00:00+07:00", F, F, 0,
     "2025-02-03T23:59:59.999+07:00"},
    /* + 45 = Sun 16 Feb -> Mon 17 Feb. */
    {"vn", "feedback", "settle", "2025-01-02T09:00:00+07:00", T, F, 0,
     "2025-02-17T23:59:59.999+07:00"},
    {"vn", "feedback", "settle", "2025-01-02T09:00:00+07:00", F, T, 0,
     "2025-02-17T23:59:59.999+07:00"},
    /* + 60 = Mon 3 Mar 2025. */
    {"vn", "feedback", "settle", "2025-01-02T09:00:00+07:00", T, T, 0,
     "2025-03-03T23:59:59.999+07:00"},

    /* vn recommendation: the same limits as feedback. */
    /* Wed 31 Dec 2025: 1 and 2 Jan off, weekend, Mon 5 (1) .. Fri 9 Jan (5). */
    {"vn", "recommendation", "forward", "2025-12-31T10:00:00+07:00", F, F, 0,
     "2026-01-09T23:59:59.999+07:00"},
    /* Mon 20 Jan 2025: Tue 21 (1) .. Fri 24 (4), Tết, Mon 3 Feb (5) .. Fri 7 (9), Mon 10 (10). */
    {"vn", "recommendation", "accept", "2025-01-20T09:00:00+07:00", F, F, 0,
     "2025-02-10T23:59:59.999+07:00"},
    /* Mon 16 Mar 2026 + 30 = Wed 15 Apr. */
    {"vn", "recommendation", "settle", "2026-03-16T09:00:00+07:00", F, F, 0,
     "2026-04-15T23:59:59.999+07:00"},
    /* + 45 = Thu 30 Apr (off), Fri 1 May (off), weekend -> Mon 4 May. */
    {"vn", "recommendation", "settle", "2026-03-16T09:00:00+07:00", F, T, 0,
     "2026-05-04T23:59:59.999+07:00"},
    /* + 60 = Fri 15 May. */
    {"vn", "recommendation", "settle", "2026-03-16T09:00:00+07:00", T, T, 0,
     "2026-05-15T23:59:59.999+07:00"},

    /* vn information_request: accept 3 working days; settle 15 days, + 15 once. */
    /* Wed 29 Apr 2026: 30 Apr, 1 May off, weekend, Mon 4 (1), Tue 5 (2), Wed 6 May (3). */
    {"vn", "information_request", "accept", "2026-04-29T09:00:00+07:00", F, F, 0,
     "2026-05-06T23:59:59.999+07:00"},
    /* Mon 2 Feb + 15 = Tue 17 Feb, Tết -> Mon 23 Feb. */
    {"vn", "information_request", "settle", "2026-02-02T09:00:00+07:00", F, F, 0,
     "2026-02-23T23:59:59.999+07:00"},
    /* + 30 = Wed 4 Mar. */
    {"vn", "information_request", "settle", "2026-02-02T09:00:00+07:00", F, F, 1,
     "2026-03-04T23:59:59.999+07:00"},
    {"vn", "information_request", "settle", "2026-02-02T09:00:00+07:00", F, F, 2,
     "2026-03-04T23:59:59.999+07:00"},

    /* id complaint (pengaduan): verify and forward 3 working days, follow up 5, resolve 60 days.
     */
    /* Tue 17 Mar 2026: Nyepi and Idulfitri (18..21, 23, 24 Mar off), Wed 25 (1), Thu 26 (2),
     * Fri 27 (3). */
    {"id", "complaint", "accept", "2026-03-17T09:00:00+07:00", F, F, 0,
     "2026-03-27T23:59:59.999+07:00"},
    /* Thu 24 Apr 2025: Fri 25 (1), Mon 28 (2), Tue 29 (3): Vietnam's swapped Saturday is not
     * Indonesia's. */
    {"id", "complaint", "accept", "2025-04-24T09:00:00+07:00", F, F, 0,
     "2025-04-29T23:59:59.999+07:00"},
    /* Mon 16 Mar 2026: Tue 17 (1), Lebaran, Wed 25 (2), Thu 26 (3), Fri 27 (4), Mon 30 (5). */
    {"id", "complaint", "follow_up", "2026-03-16T09:00:00+07:00", F, F, 0,
     "2026-03-30T23:59:59.999+07:00"},
    /* Mon 19 Jan + 60 = Fri 20 Mar, Idulfitri -> Wed 25 Mar. */
    {"id", "complaint", "settle", "2026-01-19T09:00:00+07:00", F, F, 0,
     "2026-03-25T23:59:59.999+07:00"},
    {"id", "complaint", "settle", "2026-01-19T09:00:00+07:00", T, T, 0,
     "2026-03-25T23:59:59.999+07:00"},

    /* id feedback (aspirasi). */
    /* 16:30Z is Thu 12 Feb 23:30 WIB: Fri 13 (1), weekend, Imlek (16, 17 off), Wed 18 (2),
     * Thu 19 (3). */
    {"id", "feedback", "accept", "2026-02-12T16:30:00Z", F, F, 0, "2026-02-19T16:59:59.999Z"},
    /* 17:30Z is Fri 13 Feb 00:30 WIB: Wed 18 (1), Thu 19 (2), Fri 20 (3). */
    {"id", "feedback", "accept", "2026-02-12T17:30:00Z", F, F, 0, "2026-02-20T16:59:59.999Z"},
    /* Wed 13 May 2026: Ascension (14, 15 off), weekend, Mon 18 (1) .. Fri 22 (5). */
    {"id", "feedback", "follow_up", "2026-05-13T09:00:00+07:00", F, F, 0,
     "2026-05-22T23:59:59.999+07:00"},
    /* Tue 31 Mar + 60 = Sat 30 May, Sun 31 May (Waisak), Mon 1 Jun (Pancasila) -> Tue 2 Jun. */
    {"id", "feedback", "settle", "2026-03-31T09:00:00+07:00", F, F, 0,
     "2026-06-02T23:59:59.999+07:00"},

    /* id recommendation. */
    /* Tue 26 May 2026: Iduladha 27 and cuti bersama 28 off, Fri 29 (1), weekend, Mon 1 Jun off,
     * Tue 2 (2), Wed 3 Jun (3). */
    {"id", "recommendation", "accept", "2026-05-26T09:00:00+07:00", F, F, 0,
     "2026-06-03T23:59:59.999+07:00"},
    /* Fri 14 Aug 2026: weekend, Mon 17 (Independence Day), Tue 18 (1) .. Fri 21 (4), Mon 24 (5).
     */
    {"id", "recommendation", "follow_up", "2026-08-14T09:00:00+07:00", F, F, 0,
     "2026-08-24T23:59:59.999+07:00"},
    /* Received on Sun 25 Oct 2026 + 60 = Thu 24 Dec (cuti bersama), Fri 25 (Christmas), weekend
     * -> Mon 28 Dec. */
    {"id", "recommendation", "settle", "2026-10-25T09:00:00+07:00", F, F, 0,
     "2026-12-28T23:59:59.999+07:00"},

    /* id denunciation. */
    /* Thu 27 Mar 2025: Nyepi and Idulfitri (28 Mar, 31 Mar..4 Apr, 7 Apr off), Tue 8 (1),
     * Wed 9 (2), Thu 10 Apr (3). */
    {"id", "denunciation", "accept", "2025-03-27T09:00:00+07:00", F, F, 0,
     "2025-04-10T23:59:59.999+07:00"},
    /* Tue 23 Dec 2025: Wed 24 (1), Christmas (25, 26 off), Mon 29 (2) .. Wed 31 (4), 1 Jan off,
     * Fri 2 Jan 2026 (5). */
    {"id", "denunciation", "follow_up", "2025-12-23T09:00:00+07:00", F, F, 0,
     "2026-01-02T23:59:59.999+07:00"},
    /* Thu 15 Jan + 60 = Mon 16 Mar; the rule allows no extension, so two change nothing. */
    {"id", "denunciation", "settle", "2026-01-15T09:00:00+07:00", F, F, 2,
     "2026-03-16T23:59:59.999+07:00"},

    /* id information_request (permintaan informasi). */
    /* Wed 14 Jan 2026: Thu 15 (1), Fri 16 (Isra Mikraj), Mon 19 (2), Tue 20 (3). */
    {"id", "information_request", "accept", "2026-01-14T09:00:00+07:00", F, F, 0,
     "2026-01-20T23:59:59.999+07:00"},
    /* Received on a holiday, Thu 19 Mar: Wed 25 (1) .. Fri 27 (3), Mon 30 (4), Tue 31 (5). */
    {"id", "information_request", "follow_up", "2026-03-19T09:00:00+07:00", F, F, 0,
     "2026-03-31T23:59:59.999+07:00"},
    /* Thu 18 Jun + 60 = Mon 17 Aug (Independence Day) -> Tue 18 Aug. */
    {"id", "information_request", "settle", "2026-06-18T09:00:00+07:00", F, F, 0,
     "2026-08-18T23:59:59.999+07:00"},

    /* Steps a preset does not have, kinds nobody has, presets that do not exist. */
    {"vn", "complaint", "forward", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"vn", "complaint", "follow_up", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"vn", "petition", "settle", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"vn", "", "", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"id", "complaint", "publish", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"id", "denunciation", "notify", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"id", "feedback", "forward", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"xx", "complaint", "accept", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"VN", "complaint", "accept", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
    {"", "complaint", "accept", "2026-03-02T10:00:00+07:00", F, F, 0, NULL},
};

#define NROWS (sizeof rows / sizeof *rows)

/* Unix ms of "YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm|-hh:mm)", by libc's timegm. */
static int64_t instant(const char *s)
{
    struct tm tm = {0};
    int n = 0;
    if (sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
               &tm.tm_min, &tm.tm_sec, &n) != 6 ||
        n != 19)
        fail_msg("malformed instant in the table: %s", s);
    const char *p = s + n;
    int ms = 0, off = 0;
    if (*p == '.') {
        int k = 0;
        if (sscanf(p, ".%3d%n", &ms, &k) != 1 || k != 4)
            fail_msg("malformed fraction in the table: %s", s);
        p += k;
    }
    if (*p == '+' || *p == '-') {
        int hh, mm, k = 0;
        if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &k) != 2 || k != 5 || p[6] != 0)
            fail_msg("malformed offset in the table: %s", s);
        off = (*p == '-' ? -1 : 1) * (hh * 3600 + mm * 60);
    } else if (strcmp(p, "Z") != 0) {
        fail_msg("malformed offset in the table: %s", s);
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return ((int64_t)timegm(&tm) - off) * 1000 + ms;
}

/* Days since 1970-01-01 of "YYYY-MM-DD", by libc's timegm. */
static int64_t day_of(const char *ymd)
{
    struct tm tm = {0};
    if (sscanf(ymd, "%4d-%2d-%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday) != 3)
        fail_msg("malformed date in the test: %s", ymd);
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    return (int64_t)timegm(&tm) / 86400;
}

/* "2026-03-12T16:59:59.999Z" for a failure message. */
static const char *utc(int64_t ms, char out[96])
{
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 96, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
             tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ms - (int64_t)t * 1000));
    return out;
}

static const struct tz *zone_of(const char *preset)
{
    const struct tz *z = tz_get(strcmp(preset, "id") == 0 ? "Asia/Jakarta" : "Asia/Ho_Chi_Minh");
    assert_non_null(z);
    return z;
}

static void test_every_row_of_the_table_is_due_when_the_law_says(void **state)
{
    (void)state;
    int failures = 0;
    for (size_t i = 0; i < NROWS; i++) {
        const struct row *r = &rows[i];
        const struct deadline_policy *p = deadline_policy_get(r->preset);
        const struct deadline_rule *rule = p ? deadline_rule_get(p, r->kind, r->step) : NULL;
        if (!r->due) {
            if (rule) {
                print_error("row %zu: %s %s/%s: a rule was found, none expected\n", i, r->preset,
                            r->kind, r->step);
                failures++;
            }
            continue;
        }
        if (!rule) {
            print_error("row %zu: %s %s/%s: no rule\n", i, r->preset, r->kind, r->step);
            failures++;
            continue;
        }
        int64_t got = deadline_due(p, rule, zone_of(r->preset), instant(r->received), r->remote,
                                   r->complex, r->extensions);
        int64_t want = instant(r->due);
        if (got != want) {
            char g[96], w[96];
            print_error("row %zu: %s %s/%s received %s remote=%d complex=%d extensions=%d: "
                        "due %s, expected %s (%s)\n",
                        i, r->preset, r->kind, r->step, r->received, r->remote, r->complex,
                        r->extensions, utc(got, g), utc(want, w), r->due);
            failures++;
        }
    }
    assert_int_equal(failures, 0);
}

/* True if the table has a row with a due instant for preset, kind and step. */
static bool table_covers(const char *preset, const char *kind, const char *step)
{
    for (size_t i = 0; i < NROWS; i++)
        if (rows[i].due && strcmp(rows[i].preset, preset) == 0 && strcmp(rows[i].kind, kind) == 0 &&
            strcmp(rows[i].step, step) == 0)
            return true;
    return false;
}

static void test_table_covers_every_rule_of_both_presets(void **state)
{
    (void)state;
    const char *presets[] = {"vn", "id"};
    for (size_t k = 0; k < 2; k++) {
        char name[32];
        snprintf(name, sizeof name, "deadlines-%s.tsv", presets[k]);
        const char *text = resource_get(name);
        assert_non_null(text);
        struct arena *a = arena_new();
        struct tsv_row *r;
        size_t n = tsv_parse(a, text, &r);
        assert_true(n >= 10);
        for (size_t i = 0; i < n; i++) {
            if (!table_covers(presets[k], r[i].fields[0], r[i].fields[1]))
                print_error("%s %s/%s is not in the table\n", presets[k], r[i].fields[0],
                            r[i].fields[1]);
            assert_true(table_covers(presets[k], r[i].fields[0], r[i].fields[1]));
        }
        arena_free(a);
    }
}

static void test_rules_carry_the_statutory_limits(void **state)
{
    (void)state;
    const struct deadline_policy *vn = deadline_policy_get("vn");
    assert_non_null(vn);
    const struct deadline_rule *r = deadline_rule_get(vn, "complaint", "settle");
    assert_non_null(r);
    assert_false(r->working);
    assert_int_equal(r->days, 30);
    assert_int_equal(r->remote_days, 45);
    assert_int_equal(r->complex_days, 45);
    assert_int_equal(r->remote_complex_days, 60);
    assert_int_equal(r->max_ext, 0);
    assert_non_null(strstr(r->source, "Complaints"));

    r = deadline_rule_get(vn, "denunciation", "accept");
    assert_non_null(r);
    assert_true(r->working);
    assert_int_equal(r->days, 7);
    assert_int_equal(r->complex_days, 10);

    r = deadline_rule_get(vn, "denunciation", "notify");
    assert_non_null(r);
    assert_true(r->working);
    assert_int_equal(r->days, 5);

    r = deadline_rule_get(vn, "denunciation", "settle");
    assert_non_null(r);
    assert_false(r->working);
    assert_int_equal(r->days, 30);
    assert_int_equal(r->ext_days, 30);
    assert_int_equal(r->max_ext, 2);

    r = deadline_rule_get(vn, "feedback", "forward");
    assert_non_null(r);
    assert_true(r->working);
    assert_int_equal(r->days, 5);

    const struct deadline_policy *id = deadline_policy_get("id");
    assert_non_null(id);
    assert_ptr_not_equal(vn, id);
    r = deadline_rule_get(id, "complaint", "accept");
    assert_non_null(r);
    assert_true(r->working);
    assert_int_equal(r->days, 3);
    r = deadline_rule_get(id, "complaint", "follow_up");
    assert_non_null(r);
    assert_true(r->working);
    assert_int_equal(r->days, 5);
    r = deadline_rule_get(id, "complaint", "settle");
    assert_non_null(r);
    assert_false(r->working);
    assert_int_equal(r->days, 60);
    assert_int_equal(r->max_ext, 0);
}

static void test_unknown_presets_have_no_policy(void **state)
{
    (void)state;
    assert_non_null(deadline_policy_get("vn"));
    assert_non_null(deadline_policy_get("id"));
    assert_ptr_equal(deadline_policy_get("vn"), deadline_policy_get("vn"));
    assert_null(deadline_policy_get("xx"));
    assert_null(deadline_policy_get("VN"));
    assert_null(deadline_policy_get("vnm"));
    assert_null(deadline_policy_get(""));
    assert_null(deadline_policy_get(NULL));
}

struct day_row {
    const char *preset, *date;
    bool working;
};

static const struct day_row days[] = {
    {"vn", "2026-03-02", true},  /* a Monday */
    {"vn", "2026-03-07", false}, /* Saturday */
    {"vn", "2026-03-08", false}, /* Sunday */
    {"vn", "2026-01-01", false}, /* Tết Dương lịch */
    {"vn", "2026-01-02", false}, /* swapped off ... */
    {"vn", "2026-01-10", true},  /* ... for this Saturday */
    {"vn", "2026-02-13", true},  /* the Friday before Tết */
    {"vn", "2026-02-16", false}, /* Tết */
    {"vn", "2026-02-20", false}, /* Tết */
    {"vn", "2026-02-22", false}, /* Tết, a Sunday */
    {"vn", "2026-02-23", true},  /* back to work */
    {"vn", "2026-04-27", false}, /* Giỗ Tổ, moved from Sunday 26 Apr */
    {"vn", "2026-04-30", false},
    {"vn", "2026-05-01", false},
    {"vn", "2026-09-02", false},
    {"vn", "2025-04-26", true},  /* a Saturday worked in exchange for ... */
    {"vn", "2025-05-02", false}, /* ... this Friday */
    {"vn", "2025-04-27", false}, /* the Sunday after stays off */
    {"vn", "2025-01-24", true},
    {"vn", "2025-01-27", false}, /* Tết 2025 */
    {"vn", "2025-02-03", true},
    {"id", "2026-03-17", true},
    {"id", "2026-03-18", false}, /* cuti bersama Nyepi */
    {"id", "2026-03-20", false}, /* Idulfitri */
    {"id", "2026-03-23", false}, /* cuti bersama Idulfitri */
    {"id", "2026-03-24", false},
    {"id", "2026-03-25", true},
    {"id", "2026-05-27", false}, /* Iduladha */
    {"id", "2026-05-28", false}, /* cuti bersama Iduladha */
    {"id", "2026-05-29", true},
    {"id", "2026-02-16", false}, /* cuti bersama Imlek */
    {"id", "2026-02-18", true},
    {"id", "2026-12-24", false},
    {"id", "2025-04-26", false}, /* Vietnam's swap is not Indonesia's */
    {"id", "2026-01-02", true},  /* nor is Vietnam's 2 January */
    {"id", "2026-03-21", false}, /* a Saturday that is also a holiday */
};

static void test_working_days_follow_the_holiday_files(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof days / sizeof *days; i++) {
        const struct deadline_policy *p = deadline_policy_get(days[i].preset);
        assert_non_null(p);
        if (deadline_working_day(p, day_of(days[i].date)) != days[i].working)
            print_error("%s %s should be %s\n", days[i].preset, days[i].date,
                        days[i].working ? "a working day" : "a day off");
        assert_int_equal(deadline_working_day(p, day_of(days[i].date)), days[i].working);
    }
}

static void test_plain_weeks_outside_the_holiday_files_are_monday_to_friday(void **state)
{
    (void)state;
    /* 2 Mar 2020 was a Monday, 5 Jan 2032 is one: years the files do not list. */
    const char *mondays[] = {"2020-03-02", "2032-01-05"};
    for (size_t k = 0; k < 2; k++)
        for (int d = 0; d < 14; d++) {
            bool weekday = d % 7 < 5;
            assert_int_equal(
                deadline_working_day(deadline_policy_get("vn"), day_of(mondays[k]) + d), weekday);
            assert_int_equal(
                deadline_working_day(deadline_policy_get("id"), day_of(mondays[k]) + d), weekday);
        }
}

static void test_local_day_is_the_day_in_the_unit_zone(void **state)
{
    (void)state;
    const struct tz *hcm = tz_get("Asia/Ho_Chi_Minh"), *berlin = tz_get("Europe/Berlin");
    assert_non_null(hcm);
    assert_non_null(berlin);
    assert_int_equal(deadline_local_day(hcm, instant("2026-03-02T16:59:59.999Z")),
                     day_of("2026-03-02"));
    assert_int_equal(deadline_local_day(hcm, instant("2026-03-02T17:00:00Z")),
                     day_of("2026-03-03"));
    assert_int_equal(deadline_local_day(hcm, instant("2026-03-02T00:00:00+07:00")),
                     day_of("2026-03-02"));
    /* Berlin in summer is UTC+2: 22:30Z is already the next day there. */
    assert_int_equal(deadline_local_day(berlin, instant("2026-07-01T21:59:59Z")),
                     day_of("2026-07-01"));
    assert_int_equal(deadline_local_day(berlin, instant("2026-07-01T22:30:00Z")),
                     day_of("2026-07-02"));
    assert_int_equal(deadline_local_day(berlin, instant("2026-01-01T22:30:00Z")),
                     day_of("2026-01-01"));
    /* The last millisecond before 1970 belongs to 31 December 1969. */
    const struct tz *utc_zone = tz_get("UTC");
    assert_non_null(utc_zone);
    assert_int_equal(deadline_local_day(utc_zone, 0), 0);
    assert_int_equal(deadline_local_day(utc_zone, -1), -1);
    assert_int_equal(deadline_local_day(utc_zone, -86400000), -1);
    assert_int_equal(deadline_local_day(utc_zone, -86400001), -2);
}

/* The same instant is a Monday in Jayapura (UTC+9) and still Sunday in Jakarta (UTC+7): the
 * count starts from the unit's own date and ends at the end of the unit's own day. */
static void test_count_follows_the_zone_of_the_unit(void **state)
{
    (void)state;
    const struct deadline_policy *id = deadline_policy_get("id");
    const struct deadline_rule *r = deadline_rule_get(id, "complaint", "accept");
    assert_non_null(r);
    const struct tz *jayapura = tz_get("Asia/Jayapura"), *jakarta = tz_get("Asia/Jakarta");
    assert_non_null(jayapura);
    assert_non_null(jakarta);
    int64_t at = instant("2026-03-02T00:30:00+09:00");
    /* Jayapura, Mon 2 Mar: Tue 3 (1), Wed 4 (2), Thu 5 (3). */
    assert_int_equal(deadline_due(id, r, jayapura, at, false, false, 0),
                     instant("2026-03-05T23:59:59.999+09:00"));
    /* Jakarta, Sun 1 Mar 22:30: Mon 2 (1), Tue 3 (2), Wed 4 (3). */
    assert_int_equal(deadline_due(id, r, jakarta, at, false, false, 0),
                     instant("2026-03-04T23:59:59.999+07:00"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_row_of_the_table_is_due_when_the_law_says),
        cmocka_unit_test(test_table_covers_every_rule_of_both_presets),
        cmocka_unit_test(test_rules_carry_the_statutory_limits),
        cmocka_unit_test(test_unknown_presets_have_no_policy),
        cmocka_unit_test(test_working_days_follow_the_holiday_files),
        cmocka_unit_test(test_plain_weeks_outside_the_holiday_files_are_monday_to_friday),
        cmocka_unit_test(test_local_day_is_the_day_in_the_unit_zone),
        cmocka_unit_test(test_count_follows_the_zone_of_the_unit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
