/* API keys of integrations over HTTP: admins create (the key is shown once, and again only to
 * a retry with the same Idempotency-Key), list and revoke the keys of the units they
 * administer (POST, GET /api/v1/apikeys, DELETE /api/v1/apikeys/{id}); and a key presented as
 * a bearer token stands for an identity. A key reads as an inspector of its unit would
 * (handling records of the subtree and their attachments, never a reporter's identity, no
 * action), and a key of scope write also submits petitions to the subtree; it opens nothing
 * else. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct jsonin_field key_fields[] = {
    {"unit", JSONIN_STRING, true, 32, NULL, 0},
    {"scope", JSONIN_STRING, true, 16, NULL, 0},
    {"label", JSONIN_STRING, false, 1000, NULL, 0},
};

/* A write in flight: the key's row as the answer will show it, and the key itself (create),
 * with the Idempotency-Key's record that commits with it. */
struct key_op {
    struct store_write w;
    struct apikey_row row;
    char key[APIKEY_CHARS + 1];
    struct api_idem *idem;      /* or NULL */
    struct store_write *queued; /* w, or w in a batch with idem's record */
};

static json_t *time_or_null(int64_t ms)
{
    char buf[21];
    return ms ? json_string(clock_format_utc(ms, buf)) : json_null();
}

/* A key as admins see it: never the key itself, nor its hash. */
static json_t *key_json(const struct apikey_row *k)
{
    return json_pack("{s:I, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "id", (json_int_t)k->id, "prefix",
                     k->prefix, "unit", k->unit_code, "scope", k->scope, "label",
                     k->label ? json_string(k->label) : json_null(), "created_by",
                     k->created_by_login ? json_string(k->created_by_login) : json_null(),
                     "created_at", time_or_null(k->created_at), "revoked_at",
                     time_or_null(k->revoked_at));
}

const char *api_identity_actor(struct arena *a, const struct identity *id)
{
    return id->key ? arena_printf(a, "apikey:%" PRId64, id->key->id)
                   : arena_printf(a, "user:%" PRId64, id->user.id);
}

/* ---- a key as an identity ---- */

/* The bearer token of req when it is tagged as an API key, else NULL. */
static const char *bearer_key(struct http_request *req)
{
    const char *auth = http_header(req, "Authorization");
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0 || !apikey_tagged(auth + 7))
        return NULL;
    return auth + 7;
}

int api_key_identity(struct api *api, struct http_request *req, const char *key,
                     struct identity **out)
{
    *out = NULL;
    if (!apikey_shape_ok(key))
        return AKAR_EINVAL;
    unsigned char hash[32];
    apikey_hash(key, hash);
    struct apikey_row *k = arena_calloc(req->arena, sizeof *k);
    int rc = store_apikey_by_hash(api->store, req->arena, hash, k);
    if (rc == AKAR_ENOTFOUND || (rc == 0 && k->revoked_at))
        return AKAR_EINVAL;
    if (rc)
        return AKAR_ESTORE;
    struct identity *id = arena_calloc(req->arena, sizeof *id);
    id->key = k;
    /* domain/access decides what the key may see through the one role that reads without
     * acting and never sees an identity */
    id->grants = arena_alloc(req->arena, sizeof *id->grants);
    id->grants[0] = (struct access_grant){ROLE_INSPECTOR, k->unit_code, k->unit_path};
    id->ngrants = 1;
    *out = id;
    return 0;
}

struct identity *api_authenticate_or_key(struct api *api, struct http_request *req,
                                         enum apikey_scope need)
{
    const char *key = bearer_key(req);
    if (!key)
        return api_authenticate(api, req);
    struct identity *id;
    int rc = api_key_identity(api, req, key, &id);
    if (rc == AKAR_ESTORE) {
        api_problem(req, 503, NULL, "the store is not answering; try again shortly");
        return NULL;
    }
    if (rc) {
        http_add_header(req, "WWW-Authenticate", "Bearer error=\"invalid_token\"");
        api_problem(req, 401, NULL, "the API key is unknown, revoked or malformed");
        return NULL;
    }
    if (!apikey_scope_covers((enum apikey_scope)apikey_scope_parse(id->key->scope), need)) {
        api_problem(req, 403, NULL, "this API key may only read: its scope is read");
        return NULL;
    }
    return id;
}

bool api_key_refused(struct api *api, struct http_request *req)
{
    const char *key = bearer_key(req);
    struct identity *id;
    if (!key || api_key_identity(api, req, key, &id) != 0)
        return false;
    api_problem(req, 403, NULL,
                "an API key reads cases (GET /api/v1/cases) and, with scope write, submits "
                "them; anything else needs a person signed in");
    return true;
}

/* ---- admins' management ---- */

/* The signed-in admin of req, or NULL once it has replied (401, 403: not an admin anywhere). */
static struct identity *admin(struct api *api, struct http_request *req)
{
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return NULL;
    for (size_t i = 0; i < id->ngrants; i++)
        if (id->grants[i].role == ROLE_ADMIN)
            return id;
    api_problem(req, 403, NULL, "API keys are managed by admins");
    return NULL;
}

static bool within_reach(const struct identity *id, const char *unit_path)
{
    return access_has_role(id->grants, id->ngrants, ROLE_ADMIN, unit_path);
}

/* The answer of a new key: what admins see of it, and the key itself, this once (or again to
 * the retry of an Idempotency-Key, from the record sealed with it). */
static json_t *created_json(const struct key_op *op)
{
    json_t *out = key_json(&op->row);
    json_object_set_new(out, "key", json_string(op->key));
    return out;
}

static int key_answer(struct http_request *req, json_t *answer)
{
    http_add_header(req, "Cache-Control", "no-store");
    return api_json(req, 201, answer);
}

static int created(struct http_request *req)
{
    struct key_op *op = req->op;
    if (api_idem_was_taken(op->idem))
        return api_idem_lost(req->route_ctx, req, op->idem);
    if (op->queued->rc == AKAR_ENOTFOUND)
        return api_problem(req, 422, "unit", "unit must be the code of an existing unit");
    if (op->queued->rc)
        return api_problem(req, 503, NULL, "the key could not be stored; try again");
    op->row.id = op->w.id;
    return key_answer(req, created_json(op));
}

/* A retried creation: the first one's answer, the same key. */
static int created_again(struct http_request *req, const struct idempotency_row *r, json_t *answer)
{
    (void)r;
    if (!answer)
        return api_problem(req, 503, NULL, "the first answer to this key cannot be read");
    return key_answer(req, answer);
}

int api_apikeys_create(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = admin(api, req);
    if (!id)
        return HTTP_DONE;
    json_t *body = api_body(req, key_fields, sizeof key_fields / sizeof key_fields[0]);
    if (!body)
        return HTTP_DONE;
    const char *unit_code =
        arena_strdup(req->arena, json_string_value(json_object_get(body, "unit")));
    const char *scope = arena_strdup(req->arena, json_string_value(json_object_get(body, "scope")));
    const char *label = json_string_value(json_object_get(body, "label"));
    label = label ? arena_strdup(req->arena, label) : NULL;
    json_decref(body);
    struct key_op *op = arena_calloc(req->arena, sizeof *op);
    if (api_idem_begin(api, req, id, created_again, &op->idem))
        return HTTP_DONE;
    if (apikey_scope_parse(scope) < 0)
        return api_problem(req, 422, "scope", "scope is read or write");
    const char *why = apikey_label_problem(label);
    if (why)
        return api_problem(req, 422, "label", why);
    struct unit_row unit;
    int rc = store_unit_get(api->store, req->arena, unit_code, &unit);
    if (rc == AKAR_ENOTFOUND)
        return api_problem(req, 422, "unit", "unit must be the code of an existing unit");
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    if (!within_reach(id, unit.path))
        return api_problem(req, 403, "unit", "this unit lies outside the units you administer");
    char *prefix = arena_alloc(req->arena, APIKEY_PREFIX_LEN + 1);
    apikey_new(op->key, prefix);
    struct store_write *w = &op->w;
    w->kind = STORE_W_APIKEY_ADD;
    w->actor = api_identity_actor(req->arena, id);
    w->at_ms = clock_now_ms();
    w->u.apikey.unit_code = unit.code;
    w->u.apikey.scope = scope;
    w->u.apikey.label = label;
    w->u.apikey.prefix = prefix;
    w->u.apikey.created_by = id->user.id;
    apikey_hash(op->key, w->u.apikey.key_hash);
    json_t *d = json_pack("{s:s, s:s, s:s}", "unit", unit.code, "scope", scope, "prefix", prefix);
    char *detail = json_dumps(d, JSON_COMPACT);
    json_decref(d);
    w->audit_detail = arena_strdup(req->arena, detail);
    free(detail);
    op->row = (struct apikey_row){.unit_code = unit.code,
                                  .unit_path = unit.path,
                                  .scope = scope,
                                  .label = label,
                                  .prefix = prefix,
                                  .created_by = id->user.id,
                                  .created_by_login = id->user.login,
                                  .created_at = w->at_ms};
    if (op->idem) {
        /* the answer holds the key: the record keeps it sealed, as a case's access key */
        json_t *answer = created_json(op);
        api_idem_answer(api, req, op->idem, 201, answer);
        json_decref(answer);
        op->idem->w.u.idempotency.result_of = w;
    }
    op->queued = api_idem_batch(req, op->idem, w);
    return api_submit(req, op, op->queued, created);
}

int api_apikeys_list(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = admin(api, req);
    if (!id)
        return HTTP_DONE;
    const char *root = "/", *code = http_query(req, "unit");
    if (code && *code) {
        struct unit_row unit;
        int rc = store_unit_get(api->store, req->arena, code, &unit);
        if (rc)
            return api_problem(req, rc == AKAR_ENOTFOUND ? 400 : 503, "unit",
                               "unit must be the code of an existing unit");
        if (!within_reach(id, unit.path))
            return api_problem(req, 403, "unit", "this unit lies outside the units you administer");
        root = unit.path;
    }
    struct apikey_row *rows;
    size_t n;
    if (store_apikey_list(api->store, req->arena, root, &rows, &n))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++)
        if (within_reach(id, rows[i].unit_path))
            json_array_append_new(items, key_json(&rows[i]));
    return api_json(req, 200, json_pack("{s:o}", "items", items));
}

static int revoked(struct http_request *req)
{
    struct key_op *op = req->op;
    if (op->w.rc == AKAR_ECONFLICT)
        return api_problem(req, 409, NULL, "this key was revoked already");
    if (op->w.rc == AKAR_ENOTFOUND)
        return api_problem(req, 404, NULL, "no such API key");
    if (op->w.rc)
        return api_problem(req, 503, NULL, "the revocation could not be stored; try again");
    op->row.revoked_at = op->w.at_ms;
    return api_json(req, 200, key_json(&op->row));
}

int api_apikey_revoke(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = admin(api, req);
    if (!id)
        return HTTP_DONE;
    char *end;
    long long key_id = strtoll(req->params[0], &end, 10);
    struct key_op *op = arena_calloc(req->arena, sizeof *op);
    int rc = *end || key_id <= 0 ? AKAR_ENOTFOUND
                                 : store_apikey_get(api->store, req->arena, key_id, &op->row);
    /* a key of a unit the admin does not administer answers as a missing one */
    if (rc == AKAR_ENOTFOUND || (rc == 0 && !within_reach(id, op->row.unit_path)))
        return api_problem(req, 404, NULL, "no such API key");
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    if (op->row.revoked_at) {
        char at[21];
        return api_problem(req, 409, NULL,
                           arena_printf(req->arena, "this key was revoked already, at %s",
                                        clock_format_utc(op->row.revoked_at, at)));
    }
    struct store_write *w = &op->w;
    w->kind = STORE_W_APIKEY_REVOKE;
    w->actor = api_identity_actor(req->arena, id);
    w->at_ms = clock_now_ms();
    w->u.apikey_revoke.id = key_id;
    return api_submit(req, op, w, revoked);
}
