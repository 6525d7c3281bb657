/* Unit validation; see unit.h. */
#include "domain/unit.h"

#include "base/tz.h"
#include "base/utf8.h"

#include <string.h>

static const char *const levels[] = {"province", "district", "commune", "village"};

int unit_level_rank(const char *level)
{
    for (int i = 0; i < 4; i++)
        if (level && strcmp(level, levels[i]) == 0)
            return i;
    return -1;
}

static bool code_valid(const char *code)
{
    size_t n = strlen(code);
    if (n < 1 || n > 32)
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = code[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_'))
            return false;
    }
    return code[0] != '.';
}

const char *unit_problem(const struct unit_spec *u, const char *parent_level)
{
    if (!u->code || !code_valid(u->code))
        return "a unit code is 1 to 32 letters, digits, '.', '-' or '_'";
    if (!u->name || !*u->name || strlen(u->name) > 200 ||
        !utf8_valid(u->name, strlen(u->name), NULL))
        return "a unit name is 1 to 200 bytes of UTF-8";
    int rank = unit_level_rank(u->level);
    if (rank < 0)
        return "the level must be province, district, commune or village";
    if (!parent_level && rank != 0)
        return "only a province has no parent unit";
    if (parent_level && unit_level_rank(parent_level) != rank - 1)
        return "a unit must be exactly one level below its parent";
    if (!u->time_zone || !tz_get(u->time_zone))
        return "the time zone must be an IANA name such as Asia/Ho_Chi_Minh";
    return NULL;
}
