/* The administrative tree's rules: four levels (province → district → commune → village), each
 * unit one level below its parent, codes that are safe in paths and URLs, and a real IANA time
 * zone per unit. */
#ifndef AKAR_DOMAIN_UNIT_H
#define AKAR_DOMAIN_UNIT_H
#include <stdbool.h>

struct unit_spec {
    const char *code, *name, *level, *parent_code, *time_zone;
    bool remote;
};

/* NULL if the spec may be created under a parent of parent_level (NULL: no parent, i.e. a
 * province), else why not, in English. */
const char *unit_problem(const struct unit_spec *u, const char *parent_level);
/* 0..3 for province..village, -1 for anything else. */
int unit_level_rank(const char *level);

#endif
