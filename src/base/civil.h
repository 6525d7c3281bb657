/* Proleptic Gregorian calendar arithmetic on day numbers (days since 1970-01-01), exact for
 * every date akar will meet. Used to count calendar and working days in a unit's time zone. */
#ifndef AKAR_BASE_CIVIL_H
#define AKAR_BASE_CIVIL_H
#include <stdbool.h>
#include <stdint.h>

struct civil_date {
    int year, month, day; /* month 1..12, day 1..31 */
};

int64_t civil_to_days(struct civil_date d);
struct civil_date civil_from_days(int64_t days);
/* 0 = Monday ... 6 = Sunday. */
int civil_weekday(int64_t days);
/* Parses "YYYY-MM-DD" exactly (a real date); false otherwise. */
bool civil_parse(const char *s, struct civil_date *out);

#endif
