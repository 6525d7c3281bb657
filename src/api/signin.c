/* Signing in, shared by POST /api/v1/sessions and the web's /login: the throttle on failures
 * (per login and per client address), the password, the second factor that officials give
 * (a TOTP code, taken once), the signed ticket that carries a passed password (and a secret
 * being enrolled) to the code, and the one write that records the code and starts the session.
 * The callers parse their own input and say refusals their way. */
#include "api/internal.h"

#include "api/limiter.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/seal.h"
#include "domain/account.h"
#include "domain/totp.h"

#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *name_key(struct http_request *req, const char *login)
{
    return arena_printf(req->arena, "login:%s", login);
}

static const char *ip_key(struct http_request *req)
{
    return arena_printf(req->arena, "ip:%s", api_client_address(req));
}

unsigned api_signin_wait(struct api *api, struct http_request *req, const char *login)
{
    int64_t now_s = clock_now_ms() / 1000;
    unsigned a = limiter_wait(api->login_by_name, name_key(req, login), now_s);
    unsigned b = limiter_wait(api->login_by_ip, ip_key(req), now_s);
    return a > b ? a : b;
}

static void failed(struct api *api, struct http_request *req, const char *login)
{
    int64_t now_s = clock_now_ms() / 1000;
    limiter_fail(api->login_by_name, name_key(req, login), now_s);
    limiter_fail(api->login_by_ip, ip_key(req), now_s);
}

/* Fills what si needs beyond the user row: whether a code is due, and the secret. */
static int complete(struct api *api, struct http_request *req, struct api_signin *si)
{
    struct grant_row *g;
    size_t ng;
    if (store_user_grants(api->store, req->arena, si->user.id, &g, &ng))
        return AKAR_ESTORE;
    si->official = false;
    for (size_t i = 0; i < ng; i++)
        si->official |= role_is_official((enum role)role_parse(g[i].role));
    si->secret = NULL;
    if (si->user.totp_sealed &&
        seal_open(api->cfg.key, req->arena, si->user.totp_sealed, &si->secret) != 0)
        si->secret = NULL; /* unreadable with this key: as good as none, enrol again */
    return 0;
}

int api_signin_password(struct api *api, struct http_request *req, const char *login,
                        const char *password, struct api_signin *si)
{
    memset(si, 0, sizeof *si);
    int rc = store_user_get(api->store, req->arena, login, &si->user);
    if (rc == AKAR_ESTORE)
        return rc;
    bool ok = false;
    if (rc == 0)
        ok = account_check_password(si->user.password_hash, password) && !si->user.disabled;
    else
        account_waste_check(password);
    if (!ok) {
        failed(api, req, login);
        return AKAR_EDENIED;
    }
    return complete(api, req, si);
}

int api_signin_user(struct api *api, struct http_request *req, int64_t user_id,
                    struct api_signin *si)
{
    memset(si, 0, sizeof *si);
    int rc = store_user_get_id(api->store, req->arena, user_id, &si->user);
    if (rc == 0 && si->user.disabled)
        rc = AKAR_ENOTFOUND;
    return rc ? rc : complete(api, req, si);
}

int api_signin_totp(struct api *api, struct http_request *req, struct api_signin *si,
                    const char *code, const char *new_secret)
{
    const char *secret = si->secret;
    if (new_secret) {
        /* enrolment: only while no code has confirmed a secret of this account */
        if (si->user.totp_confirmed)
            return AKAR_ECONFLICT;
        secret = new_secret;
    }
    if (!secret)
        return AKAR_ENOTFOUND;
    int64_t step;
    int rc = totp_check(secret, code, clock_now_ms() / 1000, si->user.totp_last_step, &step);
    if (rc) {
        failed(api, req, si->user.login);
        return rc;
    }
    si->totp.kind = STORE_W_USER_TOTP;
    si->totp.u.totp.user_id = si->user.id;
    si->totp.u.totp.step = step;
    si->totp.u.totp.sealed = new_secret ? seal_text(api->cfg.key, req->arena, new_secret) : NULL;
    si->totp.u.totp.confirm = new_secret || !si->user.totp_confirmed;
    si->code_taken = true;
    return 0;
}

/* ---- the ticket between the password and the code: "UID.EXPIRES.SECRET.MAC" ---- */

/* MAC of a ticket's parts (hex, arena), keyed with a key derived from the seal key: no key of
 * its own to keep, and never the sealing key itself in another primitive. */
static const char *ticket_mac(struct api *api, struct arena *a, int64_t uid, int64_t expires,
                              const char *secret)
{
    assert(api->cfg.key);
    unsigned char key[crypto_generichash_KEYBYTES], mac[16];
    crypto_generichash(key, sizeof key, (const unsigned char *)"akar login ticket", 17,
                       api->cfg.key->k, sizeof api->cfg.key->k);
    const char *msg =
        arena_printf(a, "login-ticket|%" PRId64 "|%" PRId64 "|%s", uid, expires, secret);
    crypto_generichash(mac, sizeof mac, (const unsigned char *)msg, strlen(msg), key, sizeof key);
    sodium_memzero(key, sizeof key);
    char *hex = arena_alloc(a, 2 * sizeof mac + 1);
    sodium_bin2hex(hex, 2 * sizeof mac + 1, mac, sizeof mac);
    return hex;
}

const char *api_signin_ticket(struct api *api, struct arena *a, int64_t uid, const char *secret,
                              int64_t *expires_s)
{
    int64_t expires = clock_now_ms() / 1000 + API_SIGNIN_TICKET_TTL_S;
    const char *s = secret ? secret : "-";
    if (expires_s)
        *expires_s = expires;
    return arena_printf(a, "%" PRId64 ".%" PRId64 ".%s.%s", uid, expires, s,
                        ticket_mac(api, a, uid, expires, s));
}

int api_signin_ticket_open(struct api *api, struct arena *a, const char *ticket, int64_t *uid,
                           const char **secret)
{
    if (!ticket || strlen(ticket) > API_SIGNIN_TICKET_MAX)
        return AKAR_EINVAL;
    char *copy = arena_strdup(a, ticket), *parts[4], *save = NULL;
    int n = 0;
    for (char *p = strtok_r(copy, ".", &save); p && n < 4; p = strtok_r(NULL, ".", &save))
        parts[n++] = p;
    if (n != 4 || strtok_r(NULL, ".", &save))
        return AKAR_EINVAL;
    char *end;
    long long id = strtoll(parts[0], &end, 10), expires;
    if (*end || id <= 0)
        return AKAR_EINVAL;
    expires = strtoll(parts[1], &end, 10);
    if (*end || expires < clock_now_ms() / 1000)
        return AKAR_EINVAL;
    const char *want = ticket_mac(api, a, id, expires, parts[2]);
    if (strlen(parts[3]) != strlen(want) || sodium_memcmp(parts[3], want, strlen(want)) != 0)
        return AKAR_EINVAL;
    if (strcmp(parts[2], "-") != 0 && !totp_secret_valid(parts[2]))
        return AKAR_EINVAL;
    *uid = id;
    *secret = strcmp(parts[2], "-") == 0 ? NULL : parts[2];
    return 0;
}

int api_signin_start(struct api *api, struct http_request *req, struct api_signin *si,
                     int (*then)(struct http_request *req))
{
    limiter_clear(api->login_by_name, name_key(req, si->user.login));
    account_token_new(si->token);
    si->session.kind = STORE_W_SESSION_ADD;
    account_token_hash(si->token, si->session.u.session.token_hash);
    si->session.u.session.user_id = si->user.id;
    si->session.u.session.expires_ms = clock_now_ms() + api->cfg.session_ttl_s * 1000;
    const char *actor = arena_printf(req->arena, "user:%lld", (long long)si->user.id);
    struct store_write *w = &si->session;
    if (si->code_taken) {
        /* the code is spent in the transaction that opens the session, or neither happens */
        si->items[0] = &si->totp;
        si->items[1] = &si->session;
        si->batch.kind = STORE_W_BATCH;
        si->batch.u.batch.items = si->items;
        si->batch.u.batch.n = 2;
        w = &si->batch;
    }
    w->actor = actor;
    si->write = w;
    return api_submit_to(api, req, si, w, then);
}

int api_signout_start(struct api *api, struct http_request *req, const struct identity *id,
                      int (*then)(struct http_request *req))
{
    struct store_write *w = arena_calloc(req->arena, sizeof *w);
    w->kind = STORE_W_SESSION_DELETE;
    memcpy(w->u.session.token_hash, id->token_hash, sizeof w->u.session.token_hash);
    w->u.session.user_id = id->user.id;
    w->actor = arena_printf(req->arena, "user:%lld", (long long)id->user.id);
    return api_submit_to(api, req, w, w, then);
}

void api_signin_cookie(struct api *api, struct http_request *req, const char *token)
{
    if (token)
        http_add_header(req, "Set-Cookie",
                        arena_printf(req->arena,
                                     "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
                                     API_SESSION_COOKIE, token, (long long)api->cfg.session_ttl_s,
                                     api->cfg.secure_cookies ? "; Secure" : ""));
    else
        http_add_header(req, "Set-Cookie",
                        arena_printf(req->arena, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
                                     API_SESSION_COOKIE,
                                     api->cfg.secure_cookies ? "; Secure" : ""));
}
