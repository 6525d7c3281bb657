/* The demo jurisdiction: Ninh Thuận province with its seven district-level units, communes,
 * villages and an account for every role, carried in the binary (data/demo/). */
#ifndef AKAR_DOMAIN_DEMO_H
#define AKAR_DOMAIN_DEMO_H
#include <stddef.h>

struct seal_key;
struct store;

struct demo_account {
    const char *login, *role, *unit, *password, *display_name, *email;
};

#define DEMO_ACCOUNTS_MAX 16
#define DEMO_TOTP_CHARS   33 /* a TOTP secret in base32 and its NUL */

/* Loads the demo into an empty store as one transaction. With a key, every official account
 * gets a fresh TOTP secret, sealed with it, and totp[i] receives account i's secret in base32
 * ("" for residents); without one (NULL key and totp), officials have none. Returns 0,
 * AKAR_EEXIST if the store has units already (nothing is changed), or another error with a
 * message in err. */
int demo_load(struct store *s, const struct seal_key *key, char (*totp)[DEMO_TOTP_CHARS], char *err,
              size_t errlen);
/* Adds the demo petitions (data/demo/cases.tsv) in their various states, planned by the
 * petition rules as if they had arrived days ago. Needs the sealing key and the preset. */
int demo_load_cases(struct store *s, const struct seal_key *key, const char *preset, char *err,
                    size_t errlen);
/* The demo accounts (static data), for printing. */
const struct demo_account *demo_accounts(size_t *n);

#endif
