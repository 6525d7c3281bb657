/* Signing in and out: POST /api/v1/sessions (login + password, and an official's TOTP code →
 * token and cookie; while no code has confirmed an official's secret, the refusal carries an
 * enrolment, and the code comes back with its ticket), DELETE /api/v1/sessions (the current
 * session ends), GET /api/v1/me (who the token belongs to). Failed logins and wrong codes are
 * counted per login and per client address; past the limit the answer is 429 with Retry-After,
 * whatever was sent. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "domain/account.h"
#include "domain/totp.h"

#include <stdio.h>
#include <string.h>

static const struct jsonin_field login_fields[] = {
    {"login", JSONIN_STRING, true, 64, NULL, 0},
    {"password", JSONIN_STRING, true, ACCOUNT_PASSWORD_MAX, NULL, 0},
    {"totp", JSONIN_STRING, false, 16, NULL, 0},
    {"ticket", JSONIN_STRING, false, API_SIGNIN_TICKET_MAX, NULL, 0},
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

/* The refusal that enrols an official as the web's code step does while no code has confirmed
 * a secret: the account's secret when it has one (422: the code is missing), else a new one
 * that only the ticket carries, stored once a code of it comes back with the ticket (403). */
static int enrolment(struct api *api, struct http_request *req, const struct api_signin *si)
{
    const char *secret = si->secret;
    if (!secret) {
        char *fresh = arena_alloc(req->arena, TOTP_SECRET_CHARS + 1);
        totp_secret_new(fresh);
        secret = fresh;
    }
    int64_t expires_s;
    const char *ticket =
        api_signin_ticket(api, req->arena, si->user.id, si->secret ? NULL : secret, &expires_s);
    char expires[21];
    clock_format_utc(expires_s * 1000, expires);
    json_t *e = json_pack("{s:{s:s, s:s, s:s, s:s}}", "enrolment", "ticket", ticket, "secret",
                          secret, "otpauth_uri", totp_uri(req->arena, si->user.login, secret),
                          "expires_at", expires);
    if (si->secret)
        return api_problem_extended(req, 422, "totp",
                                    "officials sign in with the 6-digit code of their "
                                    "authenticator app: add the enrolment's secret to the app "
                                    "and send its code as totp, with the ticket",
                                    e);
    return api_problem_extended(req, 403, "totp",
                                "this account has no authenticator app yet: add the enrolment's "
                                "secret to the app and send its code as totp, with the ticket, "
                                "before expires_at",
                                e);
}

/* An official's second step, once the password was right: the code against the account's
 * secret, or against the secret that the ticket carries (enrolment). */
static int second_factor(struct api *api, struct http_request *req, struct api_signin *si,
                         const char *code, const char *ticket)
{
    if (!si->secret && si->user.totp_confirmed)
        return api_problem(req, 403, "totp",
                           "the code of this account's authenticator app cannot be checked: an "
                           "administrator has to set up its second step again");
    const char *new_secret = NULL;
    if (ticket) {
        int64_t uid;
        if (api_signin_ticket_open(api, req->arena, ticket, &uid, &new_secret) ||
            uid != si->user.id)
            return api_problem(req, 401, "ticket",
                               "the ticket is not this account's or has expired: sign in "
                               "without totp for a new enrolment");
    }
    if (!code || !*code) {
        if (!si->user.totp_confirmed)
            return enrolment(api, req, si);
        return api_problem(req, 422, "totp",
                           "officials sign in with the 6-digit code of their authenticator app: "
                           "send it as totp");
    }
    if (!si->secret && !ticket)
        return api_problem(req, 422, "ticket",
                           "this account has no authenticator app yet: send the code with the "
                           "ticket of its enrolment");
    int rc = api_signin_totp(api, req, si, code, new_secret);
    if (rc == AKAR_EINVAL)
        return api_problem(req, 401, "totp", "the code is wrong or has expired");
    if (rc == AKAR_ECONFLICT && !new_secret)
        return api_problem(req, 401, "totp", "this code was used already; wait for the next one");
    if (rc)
        return api_problem(req, 401, "ticket",
                           "the ticket no longer fits this account: sign in without totp for a "
                           "new enrolment");
    return api_signin_start(api, req, si, created);
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
    const char *ticket = json_string_value(json_object_get(body, "ticket"));
    ticket = ticket ? arena_strdup(req->arena, ticket) : NULL;
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
    if (si->official)
        return second_factor(api, req, si, code, ticket);
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
