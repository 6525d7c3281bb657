/* Roles and who may act where. A role is granted on a unit and covers that unit's whole
 * subtree. This is the one place that decides authorisation; handlers ask, never decide. */
#ifndef AKAR_DOMAIN_ACCESS_H
#define AKAR_DOMAIN_ACCESS_H
#include <stdbool.h>
#include <stddef.h>

enum role {
    ROLE_RESIDENT,
    ROLE_RECEPTIONIST,
    ROLE_HANDLER,
    ROLE_LEADER,
    ROLE_INSPECTOR,
    ROLE_ADMIN,
    ROLE_COUNT
};

/* A grant as the store returns it: unit_path is the unit's "/58/586/586.03/" path. */
struct access_grant {
    enum role role;
    const char *unit_code, *unit_path;
};

/* "handler" → ROLE_HANDLER; -1 for an unknown name. */
int role_parse(const char *name);
const char *role_name(enum role r);
/* True for roles held by officials (everyone but residents). */
bool role_is_official(enum role r);

/* True if unit_path lies in the subtree rooted at root_path (the unit itself included). */
bool access_in_subtree(const char *root_path, const char *unit_path);
/* True if one of the grants gives role on unit_path (through an ancestor or the unit). */
bool access_has_role(const struct access_grant *grants, size_t n, enum role role,
                     const char *unit_path);

#endif
