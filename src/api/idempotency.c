/* Idempotency-Key on the API's POSTs (the IETF draft "The Idempotency-Key HTTP Header
 * Field"): a retried request answers as the first one did and changes nothing again. The key's
 * record commits in the same store write as the change it guards, so two copies of a request,
 * however close together and on whichever server, make one change: the second's write is
 * refused by the first's record, and it replays that record's answer. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/seal.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX 255

/* The key of the header value v: an sf-string ("...") or a bare token, of 1 to KEY_MAX
 * printable ASCII characters (no quote or backslash inside quotes); NULL if v is none. */
static const char *parse_key(struct arena *a, const char *v)
{
    size_t n = strlen(v);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t'))
        n--;
    while (n && (*v == ' ' || *v == '\t'))
        v++, n--;
    bool quoted = n >= 2 && v[0] == '"' && v[n - 1] == '"';
    if (quoted)
        v++, n -= 2;
    if (n == 0 || n > KEY_MAX)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)v[i];
        if (ch < 0x20 || ch > 0x7e || (!quoted && ch == ' ') || ch == '"' || ch == '\\')
            return NULL;
    }
    return arena_strndup(a, v, n);
}

/* The hash of what was asked: method, path, the filename of an upload, and the body. */
static void fingerprint(struct http_request *req, unsigned char out[32])
{
    crypto_generichash_state st;
    crypto_generichash_init(&st, NULL, 0, 32);
    const char *filename = http_query(req, "filename");
    const char *parts[] = {req->method, req->path, filename ? filename : ""};
    for (size_t i = 0; i < sizeof parts / sizeof parts[0]; i++)
        crypto_generichash_update(&st, (const unsigned char *)parts[i], strlen(parts[i]) + 1);
    if (req->body)
        crypto_generichash_update(&st, (const unsigned char *)req->body, req->body_len);
    crypto_generichash_final(&st, out, 32);
}

/* Answers the request from r, the record of its key. */
static int replay(struct api *api, struct http_request *req, const struct api_idem *idem,
                  const struct idempotency_row *r)
{
    if (sodium_memcmp(r->fingerprint, idem->w.u.idempotency.fingerprint, 32) != 0)
        return api_problem(req, 422, "Idempotency-Key",
                           "this Idempotency-Key was used with another request; send a new key "
                           "for a new request");
    json_t *body = NULL;
    if (r->response) {
        const char *plain;
        if (seal_open(api->cfg.key, req->arena, r->response, &plain) != 0 ||
            !(body = json_loads(plain, 0, NULL)))
            return api_problem(req, 503, NULL, "the first answer to this key cannot be read");
        if (r->result_id && json_is_object(body))
            json_object_set_new(body, "id", json_integer(r->result_id));
    }
    http_add_header(req, "Idempotent-Replayed", "true");
    return idem->replay(req, r, body);
}

int api_idem_begin(struct api *api, struct http_request *req, const struct identity *who,
                   int (*replay_fn)(struct http_request *req, const struct idempotency_row *r,
                                    json_t *body),
                   struct api_idem **out)
{
    *out = NULL;
    const char *v = http_header(req, "Idempotency-Key");
    if (!v)
        return 0;
    const char *key = parse_key(req->arena, v);
    if (!key)
        return api_problem(req, 400, "Idempotency-Key",
                           "Idempotency-Key must be 1 to 255 printable ASCII characters, "
                           "such as a UUID"),
               1;
    struct api_idem *idem = arena_calloc(req->arena, sizeof *idem);
    idem->replay = replay_fn;
    struct store_write *w = &idem->w;
    w->kind = STORE_W_IDEMPOTENCY_ADD;
    /* a signed-in caller's keys (or an integration's) are theirs alone; the public's are
     * told apart by route */
    if (who && who->key)
        w->u.idempotency.scope = arena_printf(req->arena, "apikey:%lld", (long long)who->key->id);
    else if (who)
        w->u.idempotency.scope = arena_printf(req->arena, "user:%lld", (long long)who->user.id);
    else
        w->u.idempotency.scope =
            arena_printf(req->arena, "anonymous:%s %s", req->method, req->path);
    w->u.idempotency.key = key;
    fingerprint(req, w->u.idempotency.fingerprint);
    w->at_ms = clock_now_ms();
    w->u.idempotency.live_since = w->at_ms - STORE_IDEMPOTENCY_TTL_MS;
    struct idempotency_row r;
    int rc = store_idempotency_get(api->store, req->arena, w->u.idempotency.scope, key,
                                   w->u.idempotency.live_since, &r);
    if (rc == AKAR_ENOTFOUND) {
        *out = idem;
        return 0;
    }
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly"), 1;
    return replay(api, req, idem, &r), 1;
}

void api_idem_answer(struct api *api, struct http_request *req, struct api_idem *idem, int status,
                     json_t *body)
{
    idem->w.u.idempotency.status = status;
    if (!body)
        return;
    char *text = json_dumps(body, JSON_COMPACT);
    if (text)
        idem->w.u.idempotency.response = seal_text(api->cfg.key, req->arena, text);
    free(text);
}

struct store_write *api_idem_batch(struct http_request *req, struct api_idem *idem,
                                   struct store_write *change)
{
    if (!idem)
        return change;
    struct store_write **items = arena_alloc(req->arena, 2 * sizeof *items);
    items[0] = change;
    items[1] = &idem->w;
    struct store_write *batch = arena_calloc(req->arena, sizeof *batch);
    batch->kind = STORE_W_BATCH;
    batch->actor = change->actor;
    batch->at_ms = change->at_ms;
    batch->u.batch.items = items;
    batch->u.batch.n = 2;
    return batch;
}

int api_idem_lost(struct api *api, struct http_request *req, struct api_idem *idem)
{
    struct idempotency_row r;
    int rc = store_idempotency_get(api->store, req->arena, idem->w.u.idempotency.scope,
                                   idem->w.u.idempotency.key, idem->w.u.idempotency.live_since, &r);
    if (rc == AKAR_ENOTFOUND) {
        /* a record that expired meanwhile: nothing was changed, and a retry goes ahead */
        http_add_header(req, "Retry-After", "1");
        return api_problem(req, 409, "Idempotency-Key",
                           "another request with this Idempotency-Key was being handled; retry");
    }
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    return replay(api, req, idem, &r);
}

bool api_idem_was_taken(const struct api_idem *idem)
{
    return idem && idem->w.rc == AKAR_EEXIST;
}
