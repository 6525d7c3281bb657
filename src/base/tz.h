/* Time zones from the system's tzdata (TZif files): the UTC offset of a zone at an instant, so
 * that days are counted on the unit's own calendar. Zones are read once and kept. */
#ifndef AKAR_BASE_TZ_H
#define AKAR_BASE_TZ_H
#include <stddef.h>
#include <stdint.h>

struct tz;

/* The zone called name ("Asia/Ho_Chi_Minh"), or NULL if there is no such TZif file. Thread-safe;
 * the result lives as long as the process. */
const struct tz *tz_get(const char *name);
/* Seconds east of UTC in zone z at Unix time t (seconds). */
int tz_offset(const struct tz *z, int64_t t);
/* Parses TZif data (for tests and fuzzing). NULL if malformed. Free with tz_free. */
struct tz *tz_parse(const unsigned char *data, size_t len);
void tz_free(struct tz *z);

#endif
