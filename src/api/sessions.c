/* Signing in and out: POST /api/v1/sessions (login + password → token and cookie), DELETE
 * /api/v1/sessions (the current session ends), GET /api/v1/me (who the token belongs to).
 * Failed logins are counted per login and per client address; past the limit the answer is
 * 429 with Retry-After, whatever the password. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/ratelimit.h"
#include "domain/account.h"

#include <stdio.h>
#include <string.h>

static const struct jsonin_field login_fields[] = {
    {"login", JSONIN_STRING, true, 64, NULL, 0},
    {"password", JSONIN_STRING, true, ACCOUNT_PASSWORD_MAX, NULL, 0},
};

struct session_op {
    struct store_write w;
    char token[ACCOUNT_TOKEN_CHARS + 1];
    const char *login, *display_name;
};

static int too_many(struct http_request *req, unsigned wait)
{
    char secs[16];
    snprintf(secs, sizeof secs, "%u", wait);
    http_add_header(req, "Retry-After", secs);
    return api_problem(
        req, 429, NULL,
        arena_printf(req->arena, "too many failed sign-ins; try again in %u seconds", wait));
}

static int created(struct http_request *req)
{
    struct session_op *op = req->op;
    struct api *api = req->route_ctx;
    if (op->w.rc)
        return api_problem(req, 503, NULL, "the session could not be stored; try again");
    char expires[21];
    clock_format_utc(op->w.u.session.expires_ms, expires);
    http_add_header(req, "Set-Cookie",
                    arena_printf(req->arena,
                                 "%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s",
                                 API_SESSION_COOKIE, op->token, (long long)api->cfg.session_ttl_s,
                                 api->cfg.secure_cookies ? "; Secure" : ""));
    return api_json(req, 201,
                    json_pack("{s:s, s:s, s:{s:s, s:s}}", "token", op->token, "expires_at", expires,
                              "user", "login", op->login, "display_name", op->display_name));
}

int api_sessions_create(struct http_request *req)
{
    struct api *api = req->route_ctx;
    json_t *body = api_body(req, login_fields, sizeof login_fields / sizeof login_fields[0]);
    if (!body)
        return HTTP_DONE;
    const char *login = arena_strdup(req->arena, json_string_value(json_object_get(body, "login")));
    const char *password =
        arena_strdup(req->arena, json_string_value(json_object_get(body, "password")));
    json_decref(body);

    int64_t now_s = clock_now_ms() / 1000;
    const char *name_key = arena_printf(req->arena, "login:%s", login);
    const char *ip_key = arena_printf(req->arena, "ip:%s", api_client_address(req));
    unsigned wait = ratelimit_wait(api->login_by_name, name_key, now_s);
    unsigned wait_ip = ratelimit_wait(api->login_by_ip, ip_key, now_s);
    if (wait || wait_ip)
        return too_many(req, wait > wait_ip ? wait : wait_ip);

    struct user_row user;
    int rc = store_user_get(api->store, req->arena, login, &user);
    if (rc == AKAR_ESTORE)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    bool ok = false;
    if (rc == 0)
        ok = account_check_password(user.password_hash, password) && !user.disabled;
    else
        account_waste_check(password);
    if (!ok) {
        ratelimit_fail(api->login_by_name, name_key, now_s);
        ratelimit_fail(api->login_by_ip, ip_key, now_s);
        return api_problem(req, 401, NULL, "the login or the password is wrong");
    }
    ratelimit_clear(api->login_by_name, name_key);

    struct session_op *op = arena_calloc(req->arena, sizeof *op);
    op->login = user.login;
    op->display_name = user.display_name;
    account_token_new(op->token);
    op->w.kind = STORE_W_SESSION_ADD;
    account_token_hash(op->token, op->w.u.session.token_hash);
    op->w.u.session.user_id = user.id;
    op->w.u.session.expires_ms = clock_now_ms() + api->cfg.session_ttl_s * 1000;
    op->w.actor = arena_printf(req->arena, "user:%lld", (long long)user.id);
    return api_submit(req, op, &op->w, created);
}

static int deleted(struct http_request *req)
{
    struct session_op *op = req->op;
    struct api *api = req->route_ctx;
    if (op->w.rc && op->w.rc != AKAR_ENOTFOUND)
        return api_problem(req, 503, NULL, "the session could not be ended; try again");
    http_add_header(req, "Set-Cookie",
                    arena_printf(req->arena, "%s=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax%s",
                                 API_SESSION_COOKIE, api->cfg.secure_cookies ? "; Secure" : ""));
    return http_reply(req, 204, NULL, NULL, 0);
}

int api_sessions_delete(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    struct session_op *op = arena_calloc(req->arena, sizeof *op);
    op->w.kind = STORE_W_SESSION_DELETE;
    memcpy(op->w.u.session.token_hash, id->token_hash, 32);
    op->w.u.session.user_id = id->user.id;
    op->w.actor = arena_printf(req->arena, "user:%lld", (long long)id->user.id);
    return api_submit(req, op, &op->w, deleted);
}

int api_me(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    json_t *roles = json_array();
    for (size_t i = 0; i < id->ngrants; i++)
        json_array_append_new(roles, json_pack("{s:s, s:s}", "role", role_name(id->grants[i].role),
                                               "unit", id->grants[i].unit_code));
    return api_json(req, 200,
                    json_pack("{s:s, s:s, s:o}", "login", id->user.login, "display_name",
                              id->user.display_name, "roles", roles));
}
