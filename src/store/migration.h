/* The schema migrations carried in the binary, shared by the back-ends. A migration is
 * NNNN_name.sql when every back-end runs the same SQL, and NNNN_name.BACKEND.sql (sqlite, pg)
 * when the dialects truly differ; each back-end applies, for every version in turn, its own
 * file if there is one, else the shared one. */
#ifndef AKAR_STORE_MIGRATION_H
#define AKAR_STORE_MIGRATION_H
#include <stddef.h>

/* The newest schema version the binary carries a migration for. */
int migration_known(const char *backend);
/* The SQL of version v for backend; NULL with a message in err if it is missing or two files
 * claim it. */
const char *migration_sql(const char *backend, int v, const char **name, char *err, size_t errlen);

#endif
