/* Petitions over HTTP: public intake (POST /api/v1/cases), public tracking and rating
 * (/api/v1/track/{code}), the officials' inbox, case view and actions, and the categories
 * offered at a unit. Thin: parse, authorise, ask domain/cases to plan, submit, render. Every
 * case leaves through case_json, the one place that decides what a viewer may see. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/civil.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/seal.h"
#include "base/tz.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/tracking.h"

#include <assert.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_DEFAULT 50
#define PAGE_MAX     200

enum view {
    VIEW_PUBLIC,   /* anyone with the tracking code */
    VIEW_REPORTER, /* the tracking code and the access key */
    VIEW_OFFICIAL, /* an official of the case's unit (not an inspector) */
    VIEW_INSPECTOR /* handling records only: never an identity */
};

static const struct jsonin_field reporter_fields[] = {
    {"name", JSONIN_STRING, false, 800, NULL, 0},
    {"phone", JSONIN_STRING, false, 64, NULL, 0},
    {"email", JSONIN_STRING, false, 254, NULL, 0},
    {"address", JSONIN_STRING, false, 2000, NULL, 0},
};
static const struct jsonin_field location_fields[] = {
    {"lat", JSONIN_NUMBER, true, 0, NULL, 0},
    {"lon", JSONIN_NUMBER, true, 0, NULL, 0},
    {"address", JSONIN_STRING, false, 2000, NULL, 0},
};
static const struct jsonin_field intake_fields[] = {
    {"kind", JSONIN_STRING, true, 32, NULL, 0},
    {"unit", JSONIN_STRING, true, 32, NULL, 0},
    {"category", JSONIN_STRING, false, 64, NULL, 0},
    {"channel", JSONIN_STRING, false, 16, NULL, 0},
    {"title", JSONIN_STRING, true, 1000, NULL, 0},
    {"description", JSONIN_STRING, true, 20000, NULL, 0},
    {"anonymous", JSONIN_BOOL, false, 0, NULL, 0},
    {"confidential", JSONIN_BOOL, false, 0, NULL, 0},
    {"reporter", JSONIN_OBJECT, false, 0, reporter_fields, 4},
    {"location", JSONIN_OBJECT, false, 0, location_fields, 3},
    {"answers", JSONIN_MAP, false, 16000, NULL, 0},
};
static const struct jsonin_field action_fields[] = {
    {"action", JSONIN_STRING, true, 32, NULL, 0},
    {"reason", JSONIN_STRING, false, 10000, NULL, 0},
    {"to_unit", JSONIN_STRING, false, 32, NULL, 0},
    {"handler", JSONIN_STRING, false, 64, NULL, 0},
    {"answer", JSONIN_STRING, false, 50000, NULL, 0},
    {"document", JSONIN_STRING, false, 2000, NULL, 0},
    {"merge_into", JSONIN_INTEGER, false, 0, NULL, 0},
    {"complex", JSONIN_BOOL, false, 0, NULL, 0},
};
static const struct jsonin_field rating_fields[] = {
    {"access_key", JSONIN_STRING, true, 64, NULL, 0},
    {"rating", JSONIN_INTEGER, true, 0, NULL, 0},
    {"comment", JSONIN_STRING, false, 10000, NULL, 0},
};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* A write in flight: the request waits (suspended) until the writer has committed it. */
struct pending {
    struct store_write w;
    enum view view;
    const char *revealed;       /* reveal: the identity, shown in this one answer */
    struct api_idem *idem;      /* the Idempotency-Key's record, or NULL */
    struct store_write *queued; /* w, or w in a batch with idem's record */
};

/* Queues op->w, with the Idempotency-Key's record when there is one. */
static int pending_submit(struct http_request *req, struct pending *op,
                          int (*then)(struct http_request *req))
{
    op->queued = api_idem_batch(req, op->idem, &op->w);
    return api_submit(req, op, op->queued, then);
}

static const char *when(struct arena *a, int64_t ms)
{
    char buf[21];
    return ms ? arena_strdup(a, clock_format_utc(ms, buf)) : NULL;
}

static json_t *str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

static int problem_from(struct http_request *req, const struct case_problem *p)
{
    int status = p->rc == AKAR_EDENIED ? 403 : p->rc == AKAR_ECONFLICT ? 409 : 422;
    if (p->rc == AKAR_ECONFLICT && p->allowed) {
        char list[256] = "";
        for (int a = 0; a < ACTION_COUNT; a++)
            if (p->allowed & (1u << a)) {
                if (list[0])
                    strcat(list, ", ");
                strcat(list, case_action_name((enum case_action)a));
            }
        return api_problem(req, status, p->field[0] ? p->field : NULL,
                           arena_printf(req->arena, "%s; allowed now: %s", p->detail, list));
    }
    if (p->rc == AKAR_ECONFLICT && strcmp(p->field, "action") == 0)
        return api_problem(req, status, "action",
                           arena_printf(req->arena, "%s; no action is possible now", p->detail));
    return api_problem(req, status, p->field[0] ? p->field : NULL, p->detail);
}

/* Whether the public may read the report itself (not only its status): not a confidential
 * report, and never a denunciation, whose words could point at the denouncer. */
static bool report_public(const struct case_row *c)
{
    return strcmp(c->privacy, "confidential") != 0 && strcmp(c->kind, "denunciation") != 0;
}

bool api_case_report_public(const struct case_row *c)
{
    return report_public(c);
}

static json_t *timeline_json(struct arena *a, const struct case_event_row *ev, size_t n,
                             enum view view)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        bool official = view == VIEW_OFFICIAL || view == VIEW_INSPECTOR;
        if (!official && !ev[i].public_note)
            continue;
        json_t *e = json_pack("{s:s, s:s, s:o}", "at", when(a, ev[i].at), "action", ev[i].action,
                              "status", json_string(ev[i].to_status));
        if (ev[i].public_note)
            json_object_set_new(e, "note", json_string(ev[i].public_note));
        if (official) {
            json_object_set_new(e, "actor", json_string(ev[i].actor));
            if (ev[i].reason)
                json_object_set_new(e, "reason", json_string(ev[i].reason));
        }
        json_array_append_new(out, e);
    }
    return out;
}

/* Identity: plain reporters to officials and to themselves; a sealed one only to its reporter
 * and, after an audited reveal, in that one answer; inspectors never. The web's case page asks
 * the same rule through api_official_identity. */
static const char *identity_for(enum view view, const struct case_row *c, const char *revealed)
{
    if (view == VIEW_OFFICIAL || view == VIEW_REPORTER)
        return c->reporter ? c->reporter : revealed;
    return NULL;
}

/* The one serializer of a case: what each viewer may see is decided here and nowhere else. */
static json_t *case_json(struct http_request *req, const struct case_row *c, enum view view,
                         const struct case_event_row *ev, size_t nev, const char *revealed)
{
    struct arena *a = req->arena;
    bool overdue = c->open && c->due_at < clock_now_ms();
    json_t *o =
        json_pack("{s:s, s:s, s:s, s:{s:s, s:s}, s:s, s:s, s:b, s:b}", "tracking_code",
                  c->tracking_code, "kind", c->kind, "status", c->status, "unit", "code",
                  c->unit_code, "name", c->unit_name, "received_at", when(a, c->received_at),
                  "due_at", when(a, c->due_at), "open", c->open, "overdue", overdue);
    if (c->category_code)
        json_object_set_new(o, "category",
                            json_pack("{s:s, s:s}", "code", c->category_code, "name",
                                      c->category_name ? c->category_name : c->category_code));
    bool report = view != VIEW_PUBLIC || report_public(c);
    if (report) {
        json_object_set_new(o, "title", json_string(c->title));
        json_object_set_new(o, "description", json_string(c->description));
        if (c->answer)
            json_object_set_new(o, "answer", json_string(c->answer));
        if (c->located)
            json_object_set_new(o, "location",
                                json_pack("{s:f, s:f, s:o}", "lat", c->lat, "lon", c->lon,
                                          "address", str_or_null(c->address)));
        else if (c->address) /* a place in words only (Open311's address_string) */
            json_object_set_new(o, "location", json_pack("{s:s}", "address", c->address));
    }
    if (c->resolved_at)
        json_object_set_new(o, "resolved_at", json_string(when(a, c->resolved_at)));
    if (view != VIEW_PUBLIC) {
        json_object_set_new(o, "privacy", json_string(c->privacy));
        json_object_set_new(o, "rating", c->rating ? json_integer(c->rating) : json_null());
    }
    if (view == VIEW_OFFICIAL || view == VIEW_INSPECTOR) {
        json_object_set_new(o, "id", json_integer(c->id));
        json_object_set_new(o, "version", json_integer(c->version));
        json_object_set_new(o, "channel", json_string(c->channel));
        json_object_set_new(o, "step", json_string(c->step));
        json_object_set_new(o, "extensions", json_integer(c->extensions));
        json_object_set_new(o, "complex", json_boolean(c->complex));
        json_object_set_new(o, "remote", json_boolean(c->remote));
        json_object_set_new(o, "round", json_integer(c->round));
        json_object_set_new(o, "handler", str_or_null(c->handler_login));
        json_object_set_new(o, "department", str_or_null(c->department_name));
        json_object_set_new(o, "document", str_or_null(c->document));
        json_object_set_new(o, "merged_into",
                            c->merged_into ? json_integer(c->merged_into) : json_null());
        if (c->rating_comment)
            json_object_set_new(o, "rating_comment", json_string(c->rating_comment));
    }
    const char *identity = identity_for(view, c, revealed);
    if (identity) {
        json_t *r = json_loads(identity, 0, NULL);
        if (r)
            json_object_set_new(o, "reporter", r);
    }
    if (view == VIEW_OFFICIAL || view == VIEW_INSPECTOR)
        json_object_set_new(o, "reporter_sealed", json_boolean(c->reporter_sealed != NULL));
    /* the answers to the category's questions may be personal (a parcel, a file number): for
     * those who handle the case and the sender with the access key, never on the public
     * tracking page */
    json_t *answers = c->answers && view != VIEW_PUBLIC ? json_loads(c->answers, 0, NULL) : NULL;
    if (answers)
        json_object_set_new(o, "answers", answers);
    if (ev)
        json_object_set_new(o, "timeline", timeline_json(a, ev, nev, view));
    return o;
}

/* ---- intake ---- */

static json_t *similar_json(struct http_request *req, const struct case_row *c);

/* The paper a receptionist hands to the resident: everything needed to follow the case,
 * including the access key, which exists only now. */
static const char *receipt(struct http_request *req, const struct case_row *c, const char *key)
{
    const struct tz *z = tz_get(c->unit_time_zone);
    int64_t off = z ? tz_offset(z, c->received_at / 1000) : 0;
    struct civil_date d = civil_from_days(deadline_local_day(z ? z : tz_get("UTC"), c->due_at));
    int64_t local = c->received_at / 1000 + off;
    struct civil_date r = civil_from_days(local / 86400);
    return arena_printf(req->arena,
                        "RECEIPT / GIẤY BIÊN NHẬN\n"
                        "%s\n"
                        "Received / Ngày nhận: %04d-%02d-%02d %02d:%02d (%s)\n"
                        "Kind / Loại: %s\n"
                        "Title / Nội dung: %s\n"
                        "Tracking code / Mã theo dõi: %s\n"
                        "Access key / Khóa truy cập: %s\n"
                        "Decision on acceptance due by / Hạn trả lời thụ lý: %04d-%02d-%02d\n"
                        "Follow it at /track/%s with the code; the access key lets you see your "
                        "own details and rate the answer. Keep it private.\n",
                        c->unit_name, r.year, r.month, r.day, (int)(local % 86400 / 3600),
                        (int)(local % 3600 / 60), c->unit_time_zone, c->kind, c->title,
                        c->tracking_code, key, d.year, d.month, d.day, c->tracking_code);
}

/* A submission on its way: the intake, and its answer, built before the case is queued so
 * that an Idempotency-Key's record keeps it (all but the id, which the store gives). */
struct submission {
    struct api_intake it; /* first: req->op points at it */
    json_t *answer;
    struct api_idem *idem;
};

/* Where the case is followed: the Location of a 201. */
static void track_location(struct http_request *req, json_t *answer)
{
    const char *code = json_string_value(json_object_get(answer, "tracking_code"));
    if (code)
        http_add_header(req, "Location", arena_printf(req->arena, "/api/v1/track/%s", code));
}

/* The case as planned, for the receipt and the similar cases (no id: it has none yet). */
static void intake_planned(struct http_request *req, struct api_intake *it)
{
    struct api *api = req->route_ctx;
    struct submission *sub = (struct submission *)it;
    const struct case_new *n = &it->w.u.case_new;
    sub->answer =
        json_pack("{s:s, s:s, s:s, s:s}", "tracking_code", n->tracking_code, "access_key",
                  it->access_key, "status", "submitted", "due_at", when(req->arena, n->due_at));
    if (it->in.by_receptionist) {
        /* an official at the desk also gets the receipt and possible duplicates */
        struct case_row c = {.tracking_code = n->tracking_code,
                             .kind = n->kind,
                             .unit_id = it->unit.id,
                             .unit_name = it->unit.name,
                             .unit_time_zone = it->unit.time_zone,
                             .category_code = n->category_code,
                             .title = n->title,
                             .located = n->located,
                             .lat = n->lat,
                             .lon = n->lon,
                             .due_at = n->due_at,
                             .open = true,
                             .received_at = n->received_at};
        json_object_set_new(sub->answer, "receipt", json_string(receipt(req, &c, it->access_key)));
        json_object_set_new(sub->answer, "similar", similar_json(req, &c));
    }
    if (sub->idem)
        api_idem_answer(api, req, sub->idem, 201, sub->answer);
}

static int submitted(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct submission *sub = req->op;
    struct api_intake *it = &sub->it;
    json_t *answer = sub->answer;
    int rc = api_intake_result(it);
    if (rc) {
        json_decref(answer);
        if (api_idem_was_taken(sub->idem))
            return api_idem_lost(api, req, sub->idem);
        if (rc == AKAR_ENOTFOUND)
            return api_problem(req, 422, "category", api_intake_error(it));
        return api_problem(req, 503, NULL, "the petition could not be stored; try again");
    }
    track_location(req, answer);
    json_object_set_new(answer, "id", json_integer(it->w.id));
    return api_json(req, 201, answer);
}

/* A retried submission: the first one's answer. */
static int submitted_again(struct http_request *req, const struct idempotency_row *r,
                           json_t *answer)
{
    (void)r;
    if (!answer)
        return api_problem(req, 503, NULL, "the first answer to this key cannot be read");
    track_location(req, answer);
    return api_json(req, 201, answer);
}

/* The answers of a body's "answers" (an object that jsonin checked: strings or arrays of
 * strings), in the arena; NULL when there are none. */
static const struct answer *answers_from(struct arena *a, json_t *obj, size_t *n)
{
    *n = json_is_object(obj) ? json_object_size(obj) : 0;
    if (!*n)
        return NULL;
    struct answer *out = arena_calloc(a, *n * sizeof *out);
    size_t k = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool list = json_is_array(v);
        size_t nv = list ? json_array_size(v) : 1;
        const char **values = arena_calloc(a, (nv ? nv : 1) * sizeof *values);
        for (size_t i = 0; i < nv; i++)
            values[i] = arena_strdup(a, json_string_value(list ? json_array_get(v, i) : v));
        out[k++] = (struct answer){arena_strdup(a, key), values, nv, list};
    }
    return out;
}

int api_cases_submit(struct http_request *req)
{
    struct api *api = req->route_ctx;
    json_t *body = api_body(req, intake_fields, N(intake_fields));
    if (!body)
        return HTTP_DONE;
    struct submission *sub = arena_calloc(req->arena, sizeof *sub);
    struct api_intake *it = &sub->it;
    struct case_intake *in = &it->in;
#define STR(k)                                                                                     \
    (json_string_value(json_object_get(body, k))                                                   \
         ? arena_strdup(req->arena, json_string_value(json_object_get(body, k)))                   \
         : NULL)
    int kind = case_kind_parse(json_string_value(json_object_get(body, "kind")));
    const char *channel_name = STR("channel");
    int channel = channel_name ? case_channel_parse(channel_name) : CHANNEL_API;
    it->unit_code = STR("unit");
    in->title = STR("title");
    in->description = STR("description");
    in->category_code = STR("category");
    in->anonymous = json_is_true(json_object_get(body, "anonymous"));
    in->confidential = json_is_true(json_object_get(body, "confidential"));
    json_t *r = json_object_get(body, "reporter");
    if (json_is_object(r)) {
        in->has_reporter = true;
#define RSTR(k)                                                                                    \
    (json_string_value(json_object_get(r, k))                                                      \
         ? arena_strdup(req->arena, json_string_value(json_object_get(r, k)))                      \
         : NULL)
        in->reporter =
            (struct case_reporter){RSTR("name"), RSTR("phone"), RSTR("email"), RSTR("address")};
    }
    json_t *loc = json_object_get(body, "location");
    if (json_is_object(loc)) {
        in->located = true;
        in->lat = json_number_value(json_object_get(loc, "lat"));
        in->lon = json_number_value(json_object_get(loc, "lon"));
        const char *addr = json_string_value(json_object_get(loc, "address"));
        in->address = addr ? arena_strdup(req->arena, addr) : NULL;
    }
    in->asked = true;
    in->answers = answers_from(req->arena, json_object_get(body, "answers"), &in->nanswers);
    json_decref(body);
#undef STR
#undef RSTR
    if (kind < 0)
        return api_problem(req, 400, "kind",
                           "kind is feedback, recommendation, complaint, denunciation or "
                           "information_request");
    if (channel < 0)
        return api_problem(req, 400, "channel",
                           "channel is web, api, open311, reception, paper or phone");
    in->kind = (enum case_kind)kind;
    in->channel = (enum case_channel)channel;

    /* Signing in (or an integration's key) is optional here, but a token sent must be valid. */
    if (api_has_token(req) && !(it->who = api_authenticate_or_key(api, req, APIKEY_WRITE)))
        return HTTP_DONE;
    if (api_idem_begin(api, req, it->who, submitted_again, &sub->idem))
        return HTTP_DONE;
    it->guard = sub->idem ? &sub->idem->w : NULL;
    if (it->guard)
        sub->idem->w.u.idempotency.result_of = &it->w;
    it->planned = intake_planned;
    switch (api_intake_submit(req, api, it, submitted)) {
    case INTAKE_QUEUED:
        return HTTP_SUSPENDED;
    case INTAKE_REFUSED:
        return problem_from(req, &it->problem);
    case INTAKE_NO_UNIT:
        return api_problem(req, 422, "unit", "unit must be the code of an existing unit");
    case INTAKE_THROTTLED:
        http_add_header(req, "Retry-After", arena_printf(req->arena, "%u", it->retry_after));
        return api_problem(req, 429, NULL,
                           arena_printf(req->arena,
                                        "too many petitions %s; try again in %u seconds",
                                        it->who && it->who->key ? "with this API key" : "from here",
                                        it->retry_after));
    case INTAKE_UNAVAILABLE:
        break;
    }
    return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
}

/* ---- tracking and rating (public, by code) ---- */

/* Looks the case up by the typed code; replies 404 (and returns non-zero) if there is none. */
#define NO_SUCH_CODE "no petition has this tracking code; check it for typing mistakes"
int api_case_by_code(struct http_request *req, struct case_row *c)
{
    struct api *api = req->route_ctx;
    char code[TRACKING_TEXT];
    if (!tracking_normalise(req->params[0], code))
        return api_problem(req, 404, NULL, NO_SUCH_CODE), 1;
    int rc = store_case_get(api->store, req->arena, 0, code, c);
    if (rc == AKAR_ENOTFOUND)
        return api_problem(req, 404, NULL, NO_SUCH_CODE), 1;
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly"), 1;
    return 0;
}

/* The identity sealed in c, opened for its reporter or a reveal; NULL if none or unreadable. */
static const char *unseal(struct api *api, struct arena *a, const struct case_row *c)
{
    const char *plain = NULL;
    if (c->reporter_sealed && seal_open(api->cfg.key, a, c->reporter_sealed, &plain) != 0)
        return NULL;
    return plain;
}

/* The attachments of c, for the views that may see them (the reporter's, officials'). */
static json_t *attachments_json(struct http_request *req, const struct case_row *c)
{
    struct api *api = req->route_ctx;
    struct attachment_row *rows;
    size_t n;
    json_t *out = json_array();
    if (store_attachment_list(api->store, req->arena, c->id, &rows, &n) == 0)
        for (size_t i = 0; i < n; i++)
            json_array_append_new(
                out, json_pack("{s:I, s:s, s:s, s:I, s:s}", "id", (json_int_t)rows[i].id,
                               "filename", rows[i].filename, "media_type", rows[i].media_type,
                               "size", (json_int_t)rows[i].size, "url",
                               arena_printf(req->arena, "/api/v1/attachments/%lld",
                                            (long long)rows[i].id)));
    return out;
}

/* The tracking answer of c for view (public or reporter); NULL if the timeline cannot be
 * read. *kept_version is the version of the case c was merged into that the answer shows (0:
 * none); *complete is false when that case could not be read, so the answer lacks it. */
static json_t *track_json(struct http_request *req, const struct case_row *c, enum view view,
                          int64_t *kept_version, bool *complete)
{
    struct api *api = req->route_ctx;
    *kept_version = 0;
    *complete = true;
    struct case_event_row *ev;
    size_t nev;
    if (store_case_events(api->store, req->arena, c->id, &ev, &nev))
        return NULL;
    const char *mine = view == VIEW_REPORTER ? unseal(api, req->arena, c) : NULL;
    json_t *o = case_json(req, c, view, ev, nev, mine);
    if (view == VIEW_REPORTER)
        json_object_set_new(o, "attachments", attachments_json(req, c));
    if (!c->merged_into)
        return o;
    /* a merged case's reporter follows the case it was merged into: its public progress,
     * never its code or its reporter */
    struct case_row kept;
    struct case_event_row *kev;
    size_t nkev;
    if (store_case_get(api->store, req->arena, c->merged_into, NULL, &kept) != 0 ||
        store_case_events(api->store, req->arena, kept.id, &kev, &nkev) != 0) {
        *complete = false;
        return o;
    }
    json_t *k = json_pack("{s:s, s:s, s:b, s:o}", "status", kept.status, "due_at",
                          when(req->arena, kept.due_at), "open", kept.open, "timeline",
                          timeline_json(req->arena, kev, nkev, VIEW_PUBLIC));
    if (kept.answer && report_public(&kept))
        json_object_set_new(k, "answer", json_string(kept.answer));
    json_object_set_new(o, "merged_into", k);
    *kept_version = kept.version;
    return o;
}

/* What a public answer is kept under: everything it shows moves one of these numbers. */
static struct http_cache_stamp track_stamp(const struct case_stamp *s, uint64_t units)
{
    return (struct http_cache_stamp){
        {s->id, s->version, s->due_at, s->open, s->kept_id, s->kept_version, (int64_t)units}};
}

/* The public answer is the same for everyone with the code, so it is kept (api->track_cache).
 * While no case has changed (the store's cases generation, and the unit tree's) it is served
 * as it is; after a change, once the case's stamp (one indexed read) shows it still holds. It
 * is built again when that stamp moves (any change of the case, or of the case it was merged
 * into, which a merge moves too), when the unit tree changes, and when its deadline passes
 * and it turns overdue. */
static int track_public(struct http_request *req, const char *code)
{
    struct api *api = req->route_ctx;
    int64_t now = clock_now_ms();
    /* read before the stamp and the case: a change after this moves them past it */
    uint64_t units = store_units_generation(api->store);
    uint64_t generation = store_cases_generation(api->store) + units;
    if (http_cache_reply(api->track_cache, req, code, generation, NULL, now))
        return HTTP_DONE;
    struct case_stamp s;
    int rc = store_case_stamp(api->store, code, &s);
    if (rc == AKAR_ENOTFOUND)
        return api_problem(req, 404, NULL, NO_SUCH_CODE);
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    struct http_cache_stamp stamp = track_stamp(&s, units);
    if (http_cache_reply(api->track_cache, req, code, generation, &stamp, now))
        return HTTP_DONE;
    struct case_row c;
    rc = store_case_get(api->store, req->arena, 0, code, &c);
    if (rc)
        return api_problem(req, rc == AKAR_ENOTFOUND ? 404 : 503, NULL,
                           rc == AKAR_ENOTFOUND ? NO_SUCH_CODE
                                                : "the store is not answering; try again shortly");
    bool complete;
    int64_t kept_version;
    json_t *o = track_json(req, &c, VIEW_PUBLIC, &kept_version, &complete);
    if (!o)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    if (!complete)
        return api_json(req, 200, o);
    bool overdue = json_is_true(json_object_get(o, "overdue"));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        return api_problem(req, 500, NULL, "the answer could not be serialised");
    /* kept under what was read, not under the probe: a change in between moves the version
     * past both, and the next request builds again */
    stamp = track_stamp(
        &(struct case_stamp){c.id, c.version, c.due_at, c.open, c.merged_into, kept_version},
        units);
    int64_t expires = c.open && !overdue ? c.due_at + 1 : INT64_MAX;
    http_cache_put(api->track_cache, req, code, generation, &stamp, expires, "application/json",
                   text, strlen(text));
    free(text);
    return HTTP_DONE;
}

int api_track(struct http_request *req)
{
    const char *key = api_access_key(req);
    if (!key) {
        char code[TRACKING_TEXT];
        if (!tracking_normalise(req->params[0], code))
            return api_problem(req, 404, NULL, NO_SUCH_CODE);
        return track_public(req, code);
    }
    /* the reporter's view: never kept, so it can never reach anyone else */
    struct case_row c;
    if (api_case_by_code(req, &c))
        return HTTP_DONE;
    if (!case_access_key_ok(&c, key))
        return api_problem(req, 403, "access_key", "this access key is not the case's");
    bool complete;
    int64_t kept_version;
    json_t *o = track_json(req, &c, VIEW_REPORTER, &kept_version, &complete);
    if (!o)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    return api_json(req, 200, o);
}

json_t *api_track_view(struct api *api, struct http_request *req, const struct case_row *c,
                       bool reporter)
{
    /* the serializer's helpers find the api in the route context, which on a web page's
     * request is the web's: lend them the api for the call */
    void *ctx = req->route_ctx;
    req->route_ctx = api;
    bool complete;
    int64_t kept_version;
    json_t *o =
        track_json(req, c, reporter ? VIEW_REPORTER : VIEW_PUBLIC, &kept_version, &complete);
    req->route_ctx = ctx;
    return o;
}

static int rated(struct http_request *req)
{
    struct pending *op = req->op;
    if (api_idem_was_taken(op->idem))
        return api_idem_lost(req->route_ctx, req, op->idem);
    if (op->queued->rc == AKAR_ECONFLICT)
        return api_problem(req, 409, "rating", "this case was rated already");
    if (op->queued->rc)
        return api_problem(req, 503, NULL, "the rating could not be stored; try again");
    return http_reply(req, 204, NULL, NULL, 0);
}

static int rated_again(struct http_request *req, const struct idempotency_row *r, json_t *body)
{
    (void)r;
    json_decref(body);
    return http_reply(req, 204, NULL, NULL, 0);
}

int api_track_rate(struct http_request *req)
{
    struct api *api = req->route_ctx;
    json_t *body = api_body(req, rating_fields, N(rating_fields));
    if (!body)
        return HTTP_DONE;
    const char *key =
        arena_strdup(req->arena, json_string_value(json_object_get(body, "access_key")));
    json_int_t rating = json_integer_value(json_object_get(body, "rating"));
    const char *comment = json_string_value(json_object_get(body, "comment"));
    comment = comment ? arena_strdup(req->arena, comment) : NULL;
    json_decref(body);
    struct case_row c;
    if (api_case_by_code(req, &c))
        return HTTP_DONE;
    if (!case_access_key_ok(&c, key))
        return api_problem(req, 403, "access_key", "this access key is not the case's");
    struct case_env env = {api->policy, api->cfg.key, clock_now_ms(), NULL, 0, NULL, 0};
    struct pending *op = arena_calloc(req->arena, sizeof *op);
    if (api_idem_begin(api, req, NULL, rated_again, &op->idem))
        return HTTP_DONE;
    struct case_problem p = {0};
    if (case_plan_rating(&env, req->arena, &c, rating > 5 || rating < 0 ? 0 : (int)rating, comment,
                         &op->w.u.case_update, &p))
        return problem_from(req, &p);
    op->w.kind = STORE_W_CASE_UPDATE;
    op->w.actor = "reporter";
    if (op->idem) {
        api_idem_answer(api, req, op->idem, 204, NULL);
        op->idem->w.u.idempotency.result_id = c.id;
    }
    return pending_submit(req, op, rated);
}

/* ---- officials ---- */

/* How an official relates to a unit: which roles cover it. */
struct case_actor api_case_actor(const struct identity *id, const struct case_row *c)
{
    const char *path = c->unit_path;
    struct case_actor who = {
        .user_id = id->user.id,
        .handler = access_has_role(id->grants, id->ngrants, ROLE_HANDLER, path),
        .leader = access_has_role(id->grants, id->ngrants, ROLE_LEADER, path),
        .receptionist = access_has_role(id->grants, id->ngrants, ROLE_RECEPTIONIST, path),
        .inspector = access_has_role(id->grants, id->ngrants, ROLE_INSPECTOR, path),
        .admin = access_has_role(id->grants, id->ngrants, ROLE_ADMIN, path),
    };
    who.assigned = who.handler && c->handler_id == id->user.id;
    return who;
}

bool api_may_view(const struct case_actor *w)
{
    return w->handler || w->leader || w->receptionist || w->inspector || w->admin;
}

/* The view of an official: an inspector who holds no other role sees handling records only. */
static enum view official_view(const struct case_actor *w)
{
    return w->handler || w->leader || w->receptionist || w->admin ? VIEW_OFFICIAL : VIEW_INSPECTOR;
}

/* Loads case {id} for an official who may see it; replies and returns non-zero otherwise. A
 * case the caller may not see answers exactly as a missing one (404), so that nobody outside
 * its units, resident or official of a sibling unit, can learn which ids exist; 403 is kept for
 * an action refused on a case the caller does see. */
int api_official_case(struct http_request *req, struct identity *id, struct case_row *c,
                      struct case_actor *who)
{
    int rc = api_official_case_load(req->route_ctx, req, id, req->params[0], c, who);
    if (rc == AKAR_ENOTFOUND)
        return api_problem(req, 404, NULL, "no such case"), 1;
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly"), 1;
    return 0;
}

int api_official_case_load(struct api *api, struct http_request *req, struct identity *id,
                           const char *case_id, struct case_row *c, struct case_actor *who)
{
    char *end;
    long long cid = strtoll(case_id, &end, 10);
    if (*end || cid <= 0)
        return AKAR_ENOTFOUND;
    int rc = store_case_get(api->store, req->arena, cid, NULL, c);
    if (rc)
        return rc;
    *who = api_case_actor(id, c);
    return api_may_view(who) ? 0 : AKAR_ENOTFOUND;
}

const char *api_official_identity(const struct case_actor *who, const struct case_row *c,
                                  const char *revealed)
{
    return identity_for(official_view(who), c, revealed);
}

/* Possible duplicates of c for officials: open cases of the same unit's subtree that full-text
 * search finds similar, kept when domain/cases agrees (category, distance). */
size_t api_case_duplicates(struct api *api, struct arena *a, const struct case_row *c,
                           struct case_row **out)
{
    struct case_row *sim;
    size_t nsim = 0, kept = 0;
    *out = NULL;
    if (!c->open || store_case_similar(api->store, a, c->unit_id,
                                       case_similarity_words(a, c->title), 20, &sim, &nsim) != 0)
        return 0;
    for (size_t i = 0; i < nsim && kept < API_DUPLICATES_MAX; i++)
        if (case_duplicate_candidate(c, &sim[i]))
            sim[kept++] = sim[i];
    *out = sim;
    return kept;
}

static json_t *similar_json(struct http_request *req, const struct case_row *c)
{
    struct case_row *sim;
    size_t n = api_case_duplicates(req->route_ctx, req->arena, c, &sim);
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *s = json_pack("{s:I, s:s, s:s, s:s}", "id", (json_int_t)sim[i].id, "tracking_code",
                              sim[i].tracking_code, "title", sim[i].title, "status", sim[i].status);
        if (c->located && sim[i].located)
            json_object_set_new(
                s, "distance_m",
                json_integer((json_int_t)case_distance_m(c->lat, c->lon, sim[i].lat, sim[i].lon)));
        json_array_append_new(out, s);
    }
    return out;
}

/* The ETag of an official's answer for case c: "c<id>-v<version>-<hash of the body>". The
 * body moves without the version (overdue turns with time, similar cases come and go, and
 * each role sees its own view and actions), so the hash makes the tag strong and right for
 * If-None-Match. An action's If-Match is a precondition on the case, not on that rendering:
 * it holds when the id and version are the case's now (see if_match), so that an official
 * is not refused because a neighbouring case appeared since they read it. Arena. */
static const char *case_etag(struct arena *a, const struct case_row *c, const char *body,
                             size_t len)
{
    unsigned char digest[16];
    char hex[2 * sizeof digest + 1];
    crypto_generichash(digest, sizeof digest, (const unsigned char *)body, len, NULL, 0);
    sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
    return arena_printf(a, "\"c%" PRId64 "-v%" PRId64 "-%s\"", c->id, c->version, hex);
}

static const char *skip_ows(const char *p)
{
    while (*p == ' ' || *p == '\t')
        p++;
    return p;
}

/* How an If-Match value stands for case c as it is now: 1 it holds ("*", or a strong tag of
 * case_etag's shape with c's id and version), 0 it does not (412), -1 it is neither "*" nor a
 * list of entity tags (400). Weak tags never hold: RFC 9110 compares If-Match strongly. */
static int if_match(const char *v, const struct case_row *c)
{
    char prefix[64];
    int n = snprintf(prefix, sizeof prefix, "\"c%" PRId64 "-v%" PRId64 "-", c->id, c->version);
    assert(n > 0 && (size_t)n < sizeof prefix);
    const char *p = skip_ows(v);
    if (*p == '*')
        return *skip_ows(p + 1) ? -1 : 1;
    bool any = false, held = false;
    for (;;) {
        p = skip_ows(p);
        if (*p == ',') {
            p++;
            continue;
        }
        if (!*p)
            break;
        bool weak = strncmp(p, "W/", 2) == 0;
        if (weak)
            p += 2;
        if (*p != '"')
            return -1;
        const char *tag = p++;
        while (*p && *p != '"') {
            if ((unsigned char)*p < 0x21 || *p == 0x7f)
                return -1;
            p++;
        }
        if (*p != '"')
            return -1;
        p++;
        any = true;
        size_t taglen = (size_t)(p - tag), hexlen = taglen - (size_t)n - 1;
        if (!weak && taglen > (size_t)n + 1 && strncmp(tag, prefix, (size_t)n) == 0 &&
            strspn(tag + n, "0123456789abcdef") == hexlen)
            held = true;
        p = skip_ows(p);
        if (*p && *p != ',')
            return -1;
    }
    return any ? held : -1;
}

int api_case_get(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate_or_key(api, req, APIKEY_READ);
    if (!id)
        return HTTP_DONE;
    struct case_row c;
    struct case_actor who;
    if (api_official_case(req, id, &c, &who))
        return HTTP_DONE;
    struct case_event_row *ev;
    size_t nev;
    if (store_case_events(api->store, req->arena, c.id, &ev, &nev))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    json_t *o = case_json(req, &c, official_view(&who), ev, nev, NULL);
    json_t *allowed = json_array();
    int kind = case_kind_parse(c.kind), status = case_status_parse(c.status);
    unsigned mask = kind >= 0 && status >= 0
                        ? case_allowed_actions((enum case_status)status, (enum case_kind)kind)
                        : 0;
    for (int a = 0; a < ACTION_COUNT; a++)
        if ((mask & (1u << a)) && case_actor_may(&who, (enum case_action)a))
            json_array_append_new(allowed, json_string(case_action_name((enum case_action)a)));
    json_object_set_new(o, "allowed_actions", allowed);
    json_object_set_new(o, "attachments", attachments_json(req, &c));
    json_object_set_new(o, "similar", similar_json(req, &c));
    char *text = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!text)
        return api_problem(req, 500, NULL, "the answer could not be serialised");
    size_t len = strlen(text);
    char *body = arena_strndup(req->arena, text, len);
    free(text);
    const char *etag = case_etag(req->arena, &c, body, len);
    http_add_header(req, "ETag", etag);
    const char *inm = http_header(req, "If-None-Match");
    if (inm && http_etag_listed(inm, etag))
        return http_reply(req, 304, NULL, NULL, 0);
    /* Cache-Control stays no-store: the answer may name a reporter, and a client that wants
     * to revalidate keeps its own copy and sends its tag */
    return http_reply(req, 200, "application/json", body, len);
}

/* The answer to an action on case_id: the case as it is now, as view sees it. */
static int case_after_action(struct http_request *req, int64_t case_id, enum view view,
                             const char *revealed)
{
    struct api *api = req->route_ctx;
    struct case_row c;
    struct case_event_row *ev;
    size_t nev;
    if (store_case_get(api->store, req->arena, case_id, NULL, &c) ||
        store_case_events(api->store, req->arena, c.id, &ev, &nev))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    return api_json(req, 200, case_json(req, &c, view, ev, nev, revealed));
}

static int acted(struct http_request *req)
{
    struct pending *op = req->op;
    struct store_write *w = op->queued;
    if (api_idem_was_taken(op->idem))
        return api_idem_lost(req->route_ctx, req, op->idem);
    if (w->rc == AKAR_ECONFLICT)
        return api_problem(req, 409, NULL, w->errmsg);
    if (w->rc == AKAR_ENOTFOUND || w->rc == AKAR_EINVAL)
        return api_problem(req, 422, "action", w->errmsg);
    if (w->rc)
        return api_problem(req, 503, NULL, "the action could not be stored; try again");
    return case_after_action(req, op->w.u.case_update.case_id, op->view, op->revealed);
}

/* A retried action: the case as the caller sees it now (a reveal's identity is not shown
 * again: it was opened for the first answer alone). */
static int acted_again(struct http_request *req, const struct idempotency_row *r, json_t *body)
{
    json_decref(body);
    struct api *api = req->route_ctx;
    struct identity *id = req->app;
    char case_id[24];
    snprintf(case_id, sizeof case_id, "%lld", (long long)r->result_id);
    struct case_row c;
    struct case_actor who;
    int rc = api_official_case_load(api, req, id, case_id, &c, &who);
    if (rc == AKAR_ENOTFOUND)
        return api_problem(req, 404, NULL, "no such case");
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    return case_after_action(req, c.id, official_view(&who), NULL);
}

int api_case_act(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    struct pending *op = arena_calloc(req->arena, sizeof *op);
    req->app = id;
    if (api_idem_begin(api, req, id, acted_again, &op->idem))
        return HTTP_DONE;
    json_t *body = api_body(req, action_fields, N(action_fields));
    if (!body)
        return HTTP_DONE;
#define STR(k)                                                                                     \
    (json_string_value(json_object_get(body, k))                                                   \
         ? arena_strdup(req->arena, json_string_value(json_object_get(body, k)))                   \
         : NULL)
    int action = case_action_parse(json_string_value(json_object_get(body, "action")));
    struct api_case_action act = {.args = {STR("reason"), STR("answer"), STR("document"),
                                           json_is_true(json_object_get(body, "complex"))},
                                  .to_unit = STR("to_unit"),
                                  .handler = STR("handler"),
                                  .merge_into =
                                      json_integer_value(json_object_get(body, "merge_into"))};
    json_decref(body);
#undef STR
    if (action < 0)
        return api_problem(req, 400, "action",
                           "action is accept, reject, transfer, assign, start, extend, resolve, "
                           "close, reopen, merge or reveal");
    act.action = (enum case_action)action;
    struct case_row c;
    struct case_actor who;
    if (api_official_case(req, id, &c, &who))
        return HTTP_DONE;
    /* the write is planned at c's version, so a precondition that holds now holds at the
     * commit too, or the store refuses the write as for any change that came in between */
    const char *im = http_header(req, "If-Match");
    int held = im ? if_match(im, &c) : 1;
    if (held < 0)
        return api_problem(req, 400, "If-Match", "If-Match must be * or a list of entity tags");
    if (!held)
        return api_problem(req, 412, NULL,
                           "the case has changed since that ETag was given; read it again");
    struct case_problem p = {0};
    int rc = api_case_plan(api, req->arena, id, &c, &who, &act, &op->w, &op->revealed, &p);
    if (rc == AKAR_EINVAL)
        return problem_from(req, &p);
    if (rc == AKAR_ECRYPTO)
        return api_problem(req, 503, NULL, "the sealed identity cannot be opened here");
    if (rc)
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    op->view = official_view(&who);
    if (op->idem) {
        api_idem_answer(api, req, op->idem, 200, NULL);
        op->idem->w.u.idempotency.result_id = c.id;
    }
    return pending_submit(req, op, acted);
}

int api_case_plan(struct api *api, struct arena *a, struct identity *id, const struct case_row *c,
                  const struct case_actor *who, const struct api_case_action *act,
                  struct store_write *w, const char **revealed, struct case_problem *p)
{
    enum case_action action = act->action;
    struct case_target t = {0};
    struct unit_row *unit = arena_calloc(a, sizeof *unit);
    if (action == ACTION_TRANSFER && act->to_unit &&
        store_unit_get(api->store, a, act->to_unit, unit) == 0)
        t.unit = unit;
    if (action == ACTION_REOPEN) {
        struct unit_row here;
        if (store_unit_get(api->store, a, c->unit_code, &here) == 0 && here.parent_code &&
            store_unit_get(api->store, a, here.parent_code, unit) == 0)
            t.unit = unit;
    }
    if (action == ACTION_ASSIGN && act->handler) {
        struct user_row u;
        struct grant_row *g;
        size_t ng;
        if (store_user_get(api->store, a, act->handler, &u) == 0 && !u.disabled &&
            store_user_grants(api->store, a, u.id, &g, &ng) == 0) {
            t.handler_id = u.id;
            for (size_t i = 0; i < ng; i++)
                if (strcmp(g[i].role, "handler") == 0 &&
                    access_in_subtree(g[i].unit_path, c->unit_path))
                    t.handler_covers = true;
        }
    }
    struct case_row *target = arena_calloc(a, sizeof *target);
    if (action == ACTION_MERGE && act->merge_into > 0 &&
        store_case_get(api->store, a, act->merge_into, NULL, target) == 0) {
        struct case_actor tw = api_case_actor(id, target);
        if (tw.handler || tw.leader)
            t.merge_into = target;
    }
    struct case_env env = {api->policy, api->cfg.key, clock_now_ms(), NULL, 0, NULL, 0};
    struct webhook_row *hooks;
    const char *hook_path = t.unit ? t.unit->path : c->unit_path;
    if (store_webhooks_for(api->store, a, hook_path, &hooks, &env.nwebhooks) == 0)
        env.webhooks = hooks;
    /* read after c: a merge committed since moves c's version, and the write is refused */
    struct case_merged_row *merged;
    if (store_case_merged(api->store, a, c->id, &merged, &env.nmerged))
        return AKAR_ESTORE;
    env.merged = merged;
    const char *actor = arena_printf(a, "user:%lld", (long long)id->user.id);
    memset(w, 0, sizeof *w);
    if (case_plan_action(&env, a, c, action, who, actor, &act->args, &t, &w->u.case_update, p))
        return AKAR_EINVAL;
    w->kind = STORE_W_CASE_UPDATE;
    w->actor = actor;
    w->at_ms = env.now;
    *revealed = NULL;
    if (action == ACTION_REVEAL) {
        *revealed = unseal(api, a, c);
        if (!*revealed)
            return AKAR_ECRYPTO;
        w->audit_detail = "{\"sealed_identity\":\"revealed\"}";
    }
    return 0;
}

const char *api_inbox_cursor(struct arena *a, const struct case_row *last)
{
    return arena_printf(a, "%" PRId64 ".%" PRId64, last->due_at, last->id);
}

/* ?cursor= is "DUE.ID" as returned in next_cursor. */
static bool parse_cursor(const char *s, int64_t *due, int64_t *id)
{
    char *end;
    long long d = strtoll(s, &end, 10);
    if (end == s || *end != '.')
        return false;
    const char *rest = end + 1;
    long long i = strtoll(rest, &end, 10);
    if (end == rest || *end || i <= 0)
        return false;
    *due = d;
    *id = i;
    return true;
}

static bool parse_instant(const char *s, int64_t *ms)
{
    struct civil_date d;
    if (strlen(s) >= 10) {
        char day[11];
        memcpy(day, s, 10);
        day[10] = 0;
        if (civil_parse(day, &d) && (s[10] == 0 || strcmp(s + 10, "T00:00:00Z") == 0)) {
            *ms = civil_to_days(d) * 86400000;
            return true;
        }
        int hh, mm, ss;
        if (civil_parse(day, &d) && sscanf(s + 10, "T%2d:%2d:%2dZ", &hh, &mm, &ss) == 3 &&
            strlen(s) == 20 && hh < 24 && mm < 60 && ss < 60) {
            *ms = (civil_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000LL;
            return true;
        }
    }
    return false;
}

#define REFUSE(status, f_, d_) return *field = (f_), *detail = (d_), (status)

int api_inbox_query(struct api *api, struct http_request *req, struct identity *id,
                    struct case_filter *out, struct unit_row *unit_out, const char **field,
                    const char **detail)
{
    struct case_filter f = {0};
    const char *unit_code = http_query(req, "unit");
    struct unit_row unit;
    if (unit_code && *unit_code) {
        int rc = store_unit_get(api->store, req->arena, unit_code, &unit);
        if (rc)
            REFUSE(rc == AKAR_ENOTFOUND ? 400 : 503, "unit",
                   "unit must be the code of an existing unit");
    } else {
        /* the widest unit the caller serves as an official */
        const struct access_grant *best = NULL;
        for (size_t i = 0; i < id->ngrants; i++)
            if (role_is_official(id->grants[i].role) &&
                (!best || strlen(id->grants[i].unit_path) < strlen(best->unit_path)))
                best = &id->grants[i];
        if (!best)
            REFUSE(403, NULL, "the inbox is for officials");
        if (store_unit_get(api->store, req->arena, best->unit_code, &unit))
            REFUSE(503, NULL, "the store is not answering; try again shortly");
    }
    struct case_row scope = {.unit_path = unit.path};
    struct case_actor who = api_case_actor(id, &scope);
    if (!api_may_view(&who))
        REFUSE(403, "unit", "this unit lies outside the units you serve");
    f.scope_unit_id = unit.id;
    const char *v;
    if ((v = http_query(req, "kind")) && *v) {
        if (case_kind_parse(v) < 0)
            REFUSE(400, "kind", "unknown kind");
        f.kind = v;
    }
    if ((v = http_query(req, "status")) && *v) {
        if (case_status_parse(v) < 0)
            REFUSE(400, "status", "unknown status");
        f.status = v;
    }
    if ((v = http_query(req, "category")) && *v)
        f.category_code = v;
    f.only_open = true;
    if ((v = http_query(req, "open")) && *v) {
        if (strcmp(v, "all") != 0 && strcmp(v, "true") != 0)
            REFUSE(400, "open", "open is true (the default) or all");
        f.only_open = strcmp(v, "true") == 0;
    }
    if (f.status && !case_status_open((enum case_status)case_status_parse(f.status)))
        f.only_open = false;
    if ((v = http_query(req, "overdue")) && *v) {
        if (strcmp(v, "true") != 0)
            REFUSE(400, "overdue", "overdue takes the value true");
        f.only_open = true;
        f.due_before = clock_now_ms();
    }
    if ((v = http_query(req, "due_before")) && *v) {
        int64_t t;
        if (!parse_instant(v, &t))
            REFUSE(400, "due_before",
                   "due_before is a date (2026-03-01) or a UTC instant "
                   "(2026-03-01T10:00:00Z)");
        if (!f.due_before || t < f.due_before)
            f.due_before = t;
    }
    if ((v = http_query(req, "q")) && *v) {
        if (strlen(v) > 200)
            REFUSE(400, "q", "q has at most 200 bytes");
        f.text = v;
    }
    if ((v = http_query(req, "cursor")) && *v) {
        if (!parse_cursor(v, &f.after_due, &f.after_id))
            REFUSE(400, "cursor", "cursor must be a next_cursor value");
        f.has_cursor = true;
    }
    f.limit = PAGE_DEFAULT;
    if ((v = http_query(req, "limit")) && *v) {
        char *end;
        long n = strtol(v, &end, 10);
        if (*end || n < 1 || n > PAGE_MAX)
            REFUSE(400, "limit", "limit is 1 to 200");
        f.limit = (size_t)n;
    }
    *out = f;
    *unit_out = unit;
    return 0;
}

#undef REFUSE

/* s percent-encoded for a query string: every byte but the unreserved ones of RFC 3986. */
static const char *query_escape(struct arena *a, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = arena_alloc(a, 3 * strlen(s) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = 0;
    return out;
}

/* The relative address of the inbox page after cursor: the filters of req as they were sent,
 * and the cursor. Arena. */
static const char *inbox_next(struct http_request *req, const char *cursor)
{
    static const char *const kept[] = {"unit",    "kind",       "status", "category", "open",
                                       "overdue", "due_before", "q",      "limit"};
    const char *url = "/api/v1/cases?";
    for (size_t i = 0; i < N(kept); i++) {
        const char *v = http_query(req, kept[i]);
        if (v && *v)
            url = arena_printf(req->arena, "%s%s=%s&", url, kept[i], query_escape(req->arena, v));
    }
    return arena_printf(req->arena, "%scursor=%s", url, query_escape(req->arena, cursor));
}

int api_cases_list(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate_or_key(api, req, APIKEY_READ);
    if (!id)
        return HTTP_DONE;
    struct case_filter f;
    struct unit_row unit;
    const char *field, *detail;
    int status = api_inbox_query(api, req, id, &f, &unit, &field, &detail);
    if (status)
        return api_problem(req, status, field, detail);
    struct case_row *rows;
    size_t n;
    if (store_case_list(api->store, req->arena, &f, &rows, &n))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    json_t *items = json_array();
    int64_t now = clock_now_ms();
    for (size_t i = 0; i < n; i++) {
        json_t *o = json_pack(
            "{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:o}", "id", (json_int_t)rows[i].id,
            "tracking_code", rows[i].tracking_code, "kind", rows[i].kind, "status", rows[i].status,
            "unit", rows[i].unit_code, "title", rows[i].title, "due_at",
            when(req->arena, rows[i].due_at), "open", rows[i].open, "overdue",
            rows[i].open && rows[i].due_at < now, "category", str_or_null(rows[i].category_code));
        json_array_append_new(items, o);
    }
    json_t *out = json_pack("{s:o}", "items", items);
    if (n == f.limit) {
        const char *cursor = api_inbox_cursor(req->arena, &rows[n - 1]);
        const char *next = inbox_next(req, cursor);
        json_object_set_new(out, "next_cursor", json_string(cursor));
        json_object_set_new(out, "next", json_string(next));
        http_add_header(req, "Link", arena_printf(req->arena, "<%s>; rel=\"next\"", next));
    } else {
        json_object_set_new(out, "next_cursor", json_null());
        json_object_set_new(out, "next", json_null());
    }
    return api_json(req, 200, out);
}

/* A category's extra questions, in their order, as a submitter's form needs them. */
static json_t *questions_json(const struct category_question *qs, size_t n)
{
    json_t *out = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *q =
            json_pack("{s:s, s:i, s:s, s:b, s:s, s:o}", "code", qs[i].code, "position",
                      qs[i].position, "datatype", qs[i].datatype, "required", qs[i].required,
                      "label", qs[i].label, "description", str_or_null(qs[i].description));
        if (answers_datatype_listed(qs[i].datatype)) {
            json_t *choices = json_array();
            for (size_t k = 0; k < qs[i].nchoices; k++)
                json_array_append_new(choices, json_pack("{s:s, s:s}", "key", qs[i].choices[k].key,
                                                         "name", qs[i].choices[k].name));
            json_object_set_new(q, "choices", choices);
        }
        json_array_append_new(out, q);
    }
    return out;
}

int api_categories(struct http_request *req)
{
    struct api *api = req->route_ctx;
    const char *code = http_query(req, "unit");
    if (!code || !*code)
        return api_problem(req, 400, "unit", "unit is required: the unit to submit to");
    struct unit_row unit;
    int rc = store_unit_get(api->store, req->arena, code, &unit);
    if (rc)
        return api_problem(req, rc == AKAR_ENOTFOUND ? 404 : 503, "unit",
                           "unit must be the code of an existing unit");
    struct category_row *rows;
    size_t n;
    if (store_category_list(api->store, req->arena, unit.path, &rows, &n))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    json_t *items = json_array();
    n = api_categories_offered(rows, n);
    for (size_t i = 0; i < n; i++) {
        struct category_question *qs;
        size_t nq;
        if (store_category_questions(api->store, req->arena, rows[i].id, &qs, &nq)) {
            json_decref(items);
            return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
        }
        json_array_append_new(items, json_pack("{s:s, s:s, s:o, s:o}", "code", rows[i].code, "name",
                                               rows[i].name, "department",
                                               str_or_null(rows[i].department_name), "questions",
                                               questions_json(qs, nq)));
    }
    return api_json(req, 200, json_pack("{s:o}", "categories", items));
}

size_t api_categories_offered(struct category_row *rows, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        bool shadowed = false; /* a nearer unit's category with the same code wins */
        for (size_t k = 0; k < kept; k++)
            shadowed |= strcmp(rows[k].code, rows[i].code) == 0;
        if (!shadowed)
            rows[kept++] = rows[i];
    }
    return kept;
}
