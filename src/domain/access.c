/* Roles and subtree coverage; see access.h. */
#include "domain/access.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_RESIDENT] = "resident", [ROLE_RECEPTIONIST] = "receptionist", [ROLE_HANDLER] = "handler",
    [ROLE_LEADER] = "leader",     [ROLE_INSPECTOR] = "inspector",       [ROLE_ADMIN] = "admin",
};

int role_parse(const char *name)
{
    for (int r = 0; r < ROLE_COUNT; r++)
        if (name && strcmp(name, role_names[r]) == 0)
            return r;
    return -1;
}

const char *role_name(enum role r)
{
    return r >= 0 && r < ROLE_COUNT ? role_names[r] : "unknown";
}

bool role_is_official(enum role r)
{
    return r != ROLE_RESIDENT;
}

bool access_in_subtree(const char *root_path, const char *unit_path)
{
    size_t n = strlen(root_path);
    /* Paths end in '/', so "/58/586/" cannot claim "/58/5861/" by prefix. */
    return n > 1 && root_path[n - 1] == '/' && strncmp(root_path, unit_path, n) == 0;
}

bool access_has_role(const struct access_grant *grants, size_t n, enum role role,
                     const char *unit_path)
{
    for (size_t i = 0; i < n; i++)
        if (grants[i].role == role && access_in_subtree(grants[i].unit_path, unit_path))
            return true;
    return false;
}
