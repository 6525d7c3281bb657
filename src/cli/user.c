/* akar user add --db PATH --login L --unit CODE --role ROLE [--name "Display name"]: creates an
 * account with one role on one unit; the password is read from standard input (one line). An
 * official (any role but resident) also gets a TOTP secret, sealed with the key beside the
 * database, and the command prints its otpauth:// enrolment URI (and, on a terminal, its QR
 * code) for the person's authenticator app.
 * akar user reset-totp --db PATH --login L: for an official who lost their authenticator, a new
 * unconfirmed secret in place of the old one, the account's sessions ended, and the new URI. */
#include "base/arena.h"
#include "base/err.h"
#include "base/seal.h"
#include "base/utf8.h"
#include "cli/cli.h"
#include "domain/access.h"
#include "domain/account.h"
#include "domain/totp.h"
#include "store/store.h"

#include <jansson.h>
#include <qrencode.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N(a) (sizeof(a) / sizeof((a)[0]))

static int read_password(char *out, size_t n)
{
    if (!fgets(out, (int)n, stdin))
        return -1;
    size_t len = strlen(out);
    if (len && out[len - 1] == '\n')
        out[--len] = 0;
    else if (len == n - 1)
        return -1; /* longer than the buffer */
    if (len && out[len - 1] == '\r')
        out[--len] = 0;
    return 0;
}

/* text as a QR code drawn with block characters, two modules a line, with the quiet zone. */
static void print_qr(const char *text)
{
    QRcode *qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        return;
    int w = qr->width, q = 2;
#define DARK(x, y) ((x) >= 0 && (y) >= 0 && (x) < w && (y) < w && (qr->data[(y)*w + (x)] & 1))
    for (int y = -q; y < w + q; y += 2) {
        fputs("  ", stdout);
        for (int x = -q; x < w + q; x++) {
            bool top = DARK(x, y), bottom = DARK(x, y + 1);
            /* light modules are drawn, dark ones left blank: right for a dark terminal */
            fputs(top ? (bottom ? " " : "\u2584") : (bottom ? "\u2580" : "\u2588"), stdout);
        }
        fputs("\n", stdout);
    }
#undef DARK
    QRcode_free(qr);
}

/* A fresh TOTP secret for login, sealed with the key beside db into *sealed, and its enrolment
 * URI in *uri (arena). 0, or 1 with a message when the key cannot be read. */
static int totp_enrol(struct arena *a, const char *db, const char *data, const char *login,
                      const char **sealed, const char **uri)
{
    struct seal_key key;
    char err[512], secret[TOTP_SECRET_CHARS + 1];
    char *key_path = cli_data_path(db, data, "key");
    if (!key_path)
        return 1;
    int rc = seal_key_load(key_path, &key, err, sizeof err);
    free(key_path);
    if (rc != 0) {
        fprintf(stderr, "akar: %s (akar init creates it)\n", err);
        return 1;
    }
    totp_secret_new(secret);
    *sealed = seal_text(&key, a, secret);
    sodium_memzero(&key, sizeof key);
    *uri = totp_uri(a, login, secret);
    sodium_memzero(secret, sizeof secret);
    return 0;
}

/* Tells the person's enrolment URI for login, and its QR code on a terminal. */
static void print_enrolment(const char *login, const char *uri)
{
    printf("%s signs in with a code from an authenticator app. Give them this enrolment "
           "URI (or its QR code) privately; their first code confirms it:\n  %s\n",
           login, uri);
    if (isatty(STDOUT_FILENO))
        print_qr(uri);
}

static int user_add(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},   {"login", false, NULL, false},
                             {"unit", false, NULL, false}, {"role", false, NULL, false},
                             {"name", false, NULL, false}, {"email", false, NULL, false},
                             {"data", false, NULL, false}};
    if (cli_parse(argc, argv, 2, opts, N(opts)) != 0)
        return 2;
    const char *db = cli_get(opts, N(opts), "db"), *login = cli_get(opts, N(opts), "login"),
               *unit = cli_get(opts, N(opts), "unit"), *role = cli_get(opts, N(opts), "role"),
               *name = cli_get(opts, N(opts), "name"), *email = cli_get(opts, N(opts), "email");
    if (!db || !login || !unit || !role) {
        fprintf(stderr, "usage: akar user add --db PATH [--data DIR] --login L --unit CODE --role "
                        "ROLE [--name NAME] [--email ADDRESS] < password\n");
        return 2;
    }
    if (!account_login_valid(login)) {
        fprintf(stderr, "akar: a login is 3 to 64 of a-z, 0-9, '.', '_', '-', starting with a "
                        "letter or digit\n");
        return 2;
    }
    if (name && (!*name || strlen(name) > 200 || !utf8_valid(name, strlen(name), NULL))) {
        fprintf(stderr, "akar: --name is 1 to 200 bytes of UTF-8\n");
        return 2;
    }
    if (email && (strlen(email) > 254 || !strchr(email, '@') || strpbrk(email, " <>\"\r\n,;"))) {
        fprintf(stderr, "akar: --email is not an e-mail address\n");
        return 2;
    }
    if (role_parse(role) < 0) {
        fprintf(stderr,
                "akar: unknown role \"%s\" (resident, receptionist, handler, leader, "
                "inspector, admin)\n",
                role);
        return 2;
    }
    char pw[ACCOUNT_PASSWORD_MAX + 2];
    if (read_password(pw, sizeof pw) != 0) {
        fprintf(stderr, "akar: give the password on standard input (one line, at most 1024 "
                        "bytes)\n");
        return 2;
    }
    const char *problem = account_password_problem(pw);
    if (problem) {
        fprintf(stderr, "akar: %s\n", problem);
        return 2;
    }
    if (account_init() != 0)
        return 1;
    char hash[ACCOUNT_HASH_MAX];
    if (account_hash_password(pw, hash) != 0) {
        fprintf(stderr, "akar: the password could not be hashed\n");
        return 1;
    }
    struct store *s = cli_store_open(db);
    if (!s)
        return 1;
    struct arena *a = arena_new();
    const char *sealed = NULL, *uri = NULL;
    if (role_is_official((enum role)role_parse(role)) &&
        totp_enrol(a, db, cli_get(opts, N(opts), "data"), login, &sealed, &uri)) {
        store_close(s);
        arena_free(a);
        return 1;
    }
    json_t *d = json_pack("{s:s, s:s}", "role", role, "unit", unit);
    char *detail = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    struct store_write w = {
        .kind = STORE_W_USER_ADD, .actor = "cli:user add", .audit_detail = detail};
    w.u.user.login = login;
    w.u.user.display_name = name ? name : login;
    w.u.user.password_hash = hash;
    w.u.user.role = role;
    w.u.user.unit_code = unit;
    w.u.user.email = email;
    w.u.user.totp_sealed = sealed;
    int rc = store_write_sync(s, &w);
    if (rc)
        fprintf(stderr, "akar: %s\n", w.errmsg);
    else
        printf("user %s added as %s of unit %s\n", login, role, unit);
    if (rc == 0 && uri)
        print_enrolment(login, uri);
    store_close(s);
    arena_free(a);
    free(detail);
    return rc ? 1 : 0;
}

/* Refuses (1, nothing changed) an unknown login, a resident's account and a missing key. */
static int user_reset_totp(int argc, char **argv)
{
    struct cli_opt opts[] = {
        {"db", false, NULL, false}, {"login", false, NULL, false}, {"data", false, NULL, false}};
    if (cli_parse(argc, argv, 2, opts, N(opts)) != 0)
        return 2;
    const char *db = cli_get(opts, N(opts), "db"), *login = cli_get(opts, N(opts), "login");
    if (!db || !login) {
        fprintf(stderr, "usage: akar user reset-totp --db PATH [--data DIR] --login L\n");
        return 2;
    }
    struct store *s = cli_store_open(db);
    if (!s)
        return 1;
    struct arena *a = arena_new();
    struct user_row user;
    struct grant_row *g = NULL;
    size_t ng = 0;
    int rc = store_user_get(s, a, login, &user);
    if (rc == AKAR_ENOTFOUND)
        fprintf(stderr, "akar: there is no user %s\n", login);
    else if (rc || (rc = store_user_grants(s, a, user.id, &g, &ng)) != 0)
        fprintf(stderr, "akar: the store failed\n");
    bool official = false;
    for (size_t i = 0; rc == 0 && i < ng; i++)
        official |= role_is_official((enum role)role_parse(g[i].role));
    if (rc == 0 && !official) {
        fprintf(stderr, "akar: %s is a resident's account, which signs in without a code\n", login);
        rc = AKAR_EINVAL;
    }
    const char *sealed = NULL, *uri = NULL;
    if (rc == 0 && totp_enrol(a, db, cli_get(opts, N(opts), "data"), login, &sealed, &uri))
        rc = AKAR_EINVAL;
    if (rc == 0) {
        struct store_write w = {.kind = STORE_W_USER_TOTP_RESET, .actor = "cli:user reset-totp"};
        w.u.totp_reset.user_id = user.id;
        w.u.totp_reset.sealed = sealed;
        rc = store_write_sync(s, &w);
        if (rc)
            fprintf(stderr, "akar: %s\n", w.errmsg);
        else {
            printf("the TOTP secret of %s is replaced and %lld session(s) ended\n", login,
                   (long long)w.id);
            print_enrolment(login, uri);
        }
    }
    store_close(s);
    arena_free(a);
    return rc ? 1 : 0;
}

int cli_user(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "add") == 0)
        return user_add(argc, argv);
    if (argc >= 2 && strcmp(argv[1], "reset-totp") == 0)
        return user_reset_totp(argc, argv);
    fprintf(stderr, "usage: akar user add --db PATH --login L --unit CODE --role ROLE\n"
                    "       akar user reset-totp --db PATH --login L\n");
    return 2;
}
