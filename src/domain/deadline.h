/* Statutory deadlines: the presets (vn, id) read from data/policy/, each a table of limits per
 * case kind and step plus a holiday calendar, and the computation of a due instant in a unit's
 * time zone, in calendar or working days, with remote-area and complex-case limits and counted
 * extensions. No limit lives in code: only the counting rules do. */
#ifndef AKAR_DOMAIN_DEADLINE_H
#define AKAR_DOMAIN_DEADLINE_H
#include <stdbool.h>
#include <stdint.h>

struct tz;
struct deadline_policy;

struct deadline_rule {
    const char *kind, *step;
    bool working; /* working days (else calendar days) */
    int days, remote_days, complex_days, remote_complex_days;
    int ext_days, max_ext; /* 0 when no extension is allowed */
    const char *source;
};

/* The preset "vn" or "id", loaded once; NULL for another name or a malformed data file. */
const struct deadline_policy *deadline_policy_get(const char *preset);
/* The rule for kind and step, or NULL if the preset has none. */
const struct deadline_rule *deadline_rule_get(const struct deadline_policy *p, const char *kind,
                                              const char *step);
/* True if day (days since 1970-01-01, local) is a working day under the preset's calendar. */
bool deadline_working_day(const struct deadline_policy *p, int64_t day);
/* The instant (Unix ms) at which the limit ends: the end of the last counted day in zone z.
 * Counting starts the day after from_ms's local date. extensions (clamped to the rule's
 * max_ext) each add ext_days. A calendar-day limit ending on a day off moves to the next
 * working day. */
int64_t deadline_due(const struct deadline_policy *p, const struct deadline_rule *r,
                     const struct tz *z, int64_t from_ms, bool remote, bool complex,
                     int extensions);
/* The local day number of instant ms in zone z. */
int64_t deadline_local_day(const struct tz *z, int64_t ms);

#endif
