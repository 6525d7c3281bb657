/* Day-number arithmetic after Howard Hinnant's public-domain algorithms; see civil.h. */
#include "base/civil.h"

#include <string.h>

int64_t civil_to_days(struct civil_date d)
{
    int64_t y = d.year - (d.month <= 2);
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

struct civil_date civil_from_days(int64_t z)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int d = (int)(doy - (153 * mp + 2) / 5 + 1);
    int m = (int)(mp < 10 ? mp + 3 : mp - 9);
    return (struct civil_date){(int)(yoe + era * 400 + (m <= 2)), m, d};
}

int civil_weekday(int64_t days)
{
    /* 1970-01-01 was a Thursday (3 when Monday is 0). */
    int64_t w = (days + 3) % 7;
    return (int)(w < 0 ? w + 7 : w);
}

bool civil_parse(const char *s, struct civil_date *out)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return false;
    int v[3] = {0, 0, 0};
    const int start[3] = {0, 5, 8}, len[3] = {4, 2, 2};
    for (int f = 0; f < 3; f++)
        for (int i = 0; i < len[f]; i++) {
            char c = s[start[f] + i];
            if (c < '0' || c > '9')
                return false;
            v[f] = v[f] * 10 + (c - '0');
        }
    struct civil_date d = {v[0], v[1], v[2]};
    if (d.month < 1 || d.month > 12 || d.day < 1)
        return false;
    struct civil_date back = civil_from_days(civil_to_days(d));
    if (back.year != d.year || back.month != d.month || back.day != d.day)
        return false;
    *out = d;
    return true;
}
