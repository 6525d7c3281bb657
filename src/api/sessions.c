/* Signing in and out: POST /api/v1/sessions (login + password, and an official's TOTP code →
 * token and cookie), DELETE /api/v1/sessions (the current session ends), GET /api/v1/me (who
 * the token belongs to). Failed logins and wrong codes are counted per login and per client
 * address; past the limit the answer is 429 with Retry-After, whatever was sent. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "domain/account.h"

#include <stdio.h>
#include <string.h>

static const struct jsonin_field login_fields[] = {
    {"login", JSONIN_STRING, true, 64, NULL, 0},
    {"password", JSONIN_STRING, true, ACCOUNT_PASSWORD_MAX, NULL, 0},
    {"totp", JSONIN_STRING, false, 16, NULL, 0},
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
    struct api_signin *si = req->op;
    struct api *api = req->route_ctx;
    if (si->write->rc == AKAR_ECONFLICT)
        return api_problem(req, 401, "totp", "this code was used already; wait for the next one");
    if (si->write->rc)
        return api_problem(req, 503, NULL, "the session could not be stored; try again");
    char expires[21];
    clock_format_utc(si->session.u.session.expires_ms, expires);
    api_signin_cookie(api, req, si->token);
    return api_json(req, 201,
                    json_pack("{s:s, s:s, s:{s:s, s:s}}", "token", si->token, "expires_at", expires,
                              "user", "login", si->user.login, "display_name",
                              si->user.display_name));
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
    const char *code = json_string_value(json_object_get(body, "totp"));
    code = code ? arena_strdup(req->arena, code) : NULL;
    json_decref(body);

    unsigned wait = api_signin_wait(api, req, login);
    if (wait)
        return too_many(req, wait);
    struct api_signin *si = arena_calloc(req->arena, sizeof *si);
    int rc = api_signin_password(api, req, login, password, si);
    if (rc == AKAR_ESTORE)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    if (rc)
        return api_problem(req, 401, NULL, "the login or the password is wrong");
    if (si->official) {
        if (!si->secret)
            return api_problem(req, 403, "totp",
                               "this account has no authenticator app yet: sign in once at "
                               "/login in a browser to enrol one");
        if (!code || !*code)
            return api_problem(req, 422, "totp",
                               "officials sign in with the 6-digit code of their "
                               "authenticator app: send it as totp");
        rc = api_signin_totp(api, req, si, code, NULL);
        if (rc == AKAR_ECONFLICT)
            return api_problem(req, 401, "totp",
                               "this code was used already; wait for the next one");
        if (rc)
            return api_problem(req, 401, "totp", "the code is wrong or has expired");
    }
    return api_signin_start(api, req, si, created);
}

static int deleted(struct http_request *req)
{
    struct store_write *w = req->op;
    struct api *api = req->route_ctx;
    if (w->rc && w->rc != AKAR_ENOTFOUND)
        return api_problem(req, 503, NULL, "the session could not be ended; try again");
    api_signin_cookie(api, req, NULL);
    return http_reply(req, 204, NULL, NULL, 0);
}

int api_sessions_delete(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    return api_signout_start(api, req, id, deleted);
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
