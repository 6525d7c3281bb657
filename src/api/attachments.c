/* Attachments of petitions: photos and PDFs added by the reporter (with the access key) or by
 * an official of the case's unit, kept by content outside the database, and downloaded only by
 * those two (an inspector included) and by an integration's key that reads the case, as an
 * inspector would. The type comes from the bytes, never from the name or the request's
 * headers. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/blobstore.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/sniff.h"
#include "base/utf8.h"
#include "domain/cases.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ATTACHMENT_NAME_MAX 200

/* An upload on its way: the attachment's write, and the Idempotency-Key's record. */
struct upload {
    struct store_write w;
    struct api_idem *idem;
    struct store_write *queued; /* w, or w in a batch with idem's record */
};

/* The answer for attachment id: its Location and what was kept. */
static int attachment_answer(struct http_request *req, json_t *answer)
{
    json_int_t id = json_integer_value(json_object_get(answer, "id"));
    http_add_header(req, "Location",
                    arena_printf(req->arena, "/api/v1/attachments/%lld", (long long)id));
    return api_json(req, 201, answer);
}

/* What is kept of w, without its id (which the store gives). */
static json_t *attachment_json(const struct store_write *w)
{
    return json_pack("{s:s, s:I, s:s, s:s}", "media_type", w->u.attachment.media_type, "size",
                     (json_int_t)w->u.attachment.size, "filename", w->u.attachment.filename,
                     "sha256", w->u.attachment.sha256);
}

static int stored(struct http_request *req)
{
    struct upload *up = req->op;
    struct store_write *w = up->queued;
    if (api_idem_was_taken(up->idem))
        return api_idem_lost(req->route_ctx, req, up->idem);
    if (w->rc == AKAR_EINVAL)
        return api_problem(req, 422, "body", w->errmsg);
    if (w->rc)
        return api_problem(req, 503, NULL, "the attachment could not be stored; try again");
    json_t *answer = attachment_json(&up->w);
    json_object_set_new(answer, "id", json_integer(up->w.id));
    return attachment_answer(req, answer);
}

static int stored_again(struct http_request *req, const struct idempotency_row *r, json_t *answer)
{
    (void)r;
    if (!answer)
        return api_problem(req, 503, NULL, "the first answer to this key cannot be read");
    return attachment_answer(req, answer);
}

/* The name to keep: given without any directory part or control character, valid UTF-8,
 * else "attachment" with the sniffed type's extension. */
static const char *clean_name(struct arena *a, const char *given, const char *media_type)
{
    if (given) {
        const char *slash = strrchr(given, '/'), *bslash = strrchr(given, '\\');
        if (slash || bslash)
            given = (slash > bslash ? slash : bslash) + 1;
    }
    bool ok = given && *given && strlen(given) <= ATTACHMENT_NAME_MAX &&
              utf8_valid(given, strlen(given), NULL) && strcmp(given, ".") && strcmp(given, "..");
    for (const char *p = given; ok && *p; p++)
        ok = (unsigned char)*p >= 0x20 && *p != 0x7f && *p != '"';
    return ok ? arena_strdup(a, given)
              : arena_printf(a, "attachment%s", sniff_extension(media_type));
}

int api_attachment_prepare(struct api *api, struct arena *a, int64_t case_id, const void *data,
                           size_t len, const char *given_name, const char *actor,
                           struct store_write *w)
{
    const char *type = sniff_media_type(data, len);
    if (!type)
        return AKAR_EINVAL;
    char hex[65];
    if (blobstore_put(api->blobs, data, len, hex) != 0)
        return AKAR_EIO;
    memset(w, 0, sizeof *w);
    w->kind = STORE_W_ATTACHMENT_ADD;
    w->actor = actor;
    w->u.attachment.case_id = case_id;
    w->u.attachment.size = (int64_t)len;
    w->u.attachment.sha256 = arena_strdup(a, hex);
    w->u.attachment.media_type = type;
    w->u.attachment.filename = clean_name(a, given_name, type);
    return 0;
}

/* Stores the request body as an attachment of case c by actor (who: signed in, or NULL). */
static int attach(struct http_request *req, const struct case_row *c, const char *actor,
                  const struct identity *who)
{
    struct api *api = req->route_ctx;
    if (!req->body_len)
        return api_problem(req, 400, "body", "send the photo or PDF as the request body");
    struct upload *up = arena_calloc(req->arena, sizeof *up);
    if (api_idem_begin(api, req, who, stored_again, &up->idem))
        return HTTP_DONE;
    struct store_write *w = &up->w;
    int rc = api_attachment_prepare(api, req->arena, c->id, req->body, req->body_len,
                                    http_query(req, "filename"), actor, w);
    if (rc == AKAR_EINVAL)
        return api_problem(req, 415, "body",
                           "only JPEG, PNG and WebP photos and PDF documents are accepted");
    if (rc)
        return api_problem(req, 503, NULL, "the attachment could not be stored; try again");
    if (up->idem) {
        json_t *answer = attachment_json(w);
        api_idem_answer(api, req, up->idem, 201, answer);
        json_decref(answer);
        up->idem->w.u.idempotency.result_of = w;
    }
    up->queued = api_idem_batch(req, up->idem, w);
    return api_submit(req, up, up->queued, stored);
}

int api_attach_reporter(struct http_request *req)
{
    struct case_row c;
    if (api_case_by_code(req, &c))
        return HTTP_DONE;
    if (!case_access_key_ok(&c, api_access_key(req)))
        return api_problem(req, 403, "access_key", "send the case's access key (X-Access-Key)");
    if (!c.open)
        return api_problem(req, 409, NULL, "the case is settled; nothing can be added to it");
    return attach(req, &c, "reporter", NULL);
}

int api_attach_official(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    struct case_row c;
    struct case_actor who;
    if (api_official_case(req, id, &c, &who))
        return HTTP_DONE;
    if (!who.handler && !who.leader && !who.receptionist)
        return api_problem(req, 403, NULL, "your role here does not allow adding attachments");
    return attach(req, &c, arena_printf(req->arena, "user:%lld", (long long)id->user.id), id);
}

/* RFC 6266: an ASCII fallback name and the exact UTF-8 name percent-encoded. */
static const char *disposition(struct arena *a, const char *name)
{
    size_t n = strlen(name);
    char *ascii = arena_alloc(a, n + 1), *enc = arena_alloc(a, 3 * n + 1);
    size_t k = 0, e = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)name[i];
        ascii[k++] = ch < 0x80 && ch != '\\' ? (char)ch : '_';
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            enc[e++] = (char)ch;
        else
            e += (size_t)sprintf(enc + e, "%%%02X", ch);
    }
    ascii[k] = enc[e] = 0;
    return arena_printf(a, "attachment; filename=\"%s\"; filename*=UTF-8''%s", ascii, enc);
}

int api_attachment_get(struct http_request *req)
{
    struct api *api = req->route_ctx;
    char *end;
    long long aid = strtoll(req->params[0], &end, 10);
    struct attachment_row att;
    if (*end || aid <= 0 || store_attachment_get(api->store, req->arena, aid, &att) != 0)
        return api_problem(req, 404, NULL, "no such attachment");
    struct case_row c;
    if (store_case_get(api->store, req->arena, att.case_id, NULL, &c) != 0)
        return api_problem(req, 404, NULL, "no such attachment");
    const char *key = api_access_key(req);
    if (!key || !case_access_key_ok(&c, key)) {
        /* not the reporter: an official of the case's unit (or a key, which reads as its
         * unit's inspector), or nobody; to anyone else the attachment answers as a missing
         * one, so its id tells nothing */
        struct identity *id = api_authenticate_or_key(api, req, APIKEY_READ);
        if (!id)
            return HTTP_DONE;
        struct case_actor who = api_case_actor(id, &c);
        if (!api_may_view(&who))
            return api_problem(req, 404, NULL, "no such attachment");
    }
    int fd;
    size_t size;
    if (blobstore_open_blob(api->blobs, att.sha256, &fd, &size) != 0)
        return api_problem(req, 503, NULL, "the attachment's content is missing");
    http_add_header(req, "Content-Disposition", disposition(req->arena, att.filename));
    http_add_header(req, "Cache-Control", "private, no-store");
    return http_reply_fd(req, 200, att.media_type, fd, size);
}
