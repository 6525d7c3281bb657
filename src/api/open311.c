/* Open311 GeoReport v2 under /open311/v2/, the read-only part: the service list, service
 * definitions and one service request by its id (a case's public tracking view), with the spec's
 * error bodies, in XML or JSON as the resource's suffix asks. The contract: the Open311 GeoReport
 * v2 specification; JSON mirrors XML field for field. */
#include "api/open311.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xml.h"
#include "domain/tracking.h"

#include <stdlib.h>
#include <string.h>

#define JSON_TYPE "application/json; charset=utf-8"
#define XML_TYPE  "text/xml; charset=utf-8"
#define XML_DECL  O311_XML_DECL

/* Splits name ("services.json") into its stem (arena) and format. false for any other suffix. */
static bool resource(struct arena *a, const char *name, const char **stem, enum o311_format *f)
{
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name)
        return false;
    if (strcmp(dot, ".json") == 0)
        *f = O311_JSON;
    else if (strcmp(dot, ".xml") == 0)
        *f = O311_XML;
    else
        return false;
    *stem = arena_strndup(a, name, (size_t)(dot - name));
    return true;
}

static int reply_buf(struct http_request *req, int status, const char *type, struct buf *b)
{
    char *body = arena_strdup(req->arena, b->data ? b->data : "");
    size_t len = b->len;
    buf_release(b);
    return http_reply(req, status, type, body, len);
}

int o311_error(struct http_request *req, enum o311_format f, int status, const char *description)
{
    if (status == 503)
        http_add_header(req, "Retry-After", "1");
    struct buf b = {0};
    if (f == O311_JSON) {
        buf_printf(&b, "[{\"code\":%d,\"description\":", status);
        buf_json_string(&b, description);
        buf_puts(&b, "}]");
        return reply_buf(req, status, JSON_TYPE, &b);
    }
    buf_printf(&b, XML_DECL "<errors><error><code>%d</code><description>", status);
    xml_text(&b, description);
    buf_puts(&b, "</description></error></errors>");
    return reply_buf(req, status, XML_TYPE, &b);
}

static void fields_json(struct buf *b, const struct o311_field *fs, size_t n)
{
    buf_puts(b, "{");
    for (size_t i = 0; i < n; i++) {
        if (i)
            buf_puts(b, ",");
        buf_json_string(b, fs[i].name);
        buf_puts(b, ":");
        if (fs[i].type == F_BOOL)
            buf_puts(b, fs[i].flag ? "true" : "false");
        else if (fs[i].type == F_NUMBER && fs[i].number)
            buf_printf(b, "%.6f", json_number_value(fs[i].number));
        else if (fs[i].text)
            buf_json_string(b, fs[i].text);
        else
            buf_puts(b, "null");
    }
    buf_puts(b, "}");
}

static void fields_xml(struct buf *b, const struct o311_field *fs, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        buf_printf(b, "<%s>", fs[i].name);
        if (fs[i].type == F_BOOL)
            buf_puts(b, fs[i].flag ? "true" : "false");
        else if (fs[i].type == F_NUMBER && fs[i].number)
            buf_printf(b, "%.6f", json_number_value(fs[i].number));
        else if (fs[i].text)
            xml_text(b, fs[i].text);
        buf_printf(b, "</%s>", fs[i].name);
    }
}

/* The unit that jurisdiction_id names: 0 with *u set, else the error has been sent. Absent
 * (or empty), it is the top unit when there is exactly one, as a one-province deployment has:
 * such a server serves one jurisdiction, which the spec lets it assume. */
static int jurisdiction(struct http_request *req, enum o311_format f, struct unit_row *u)
{
    struct api *api = req->route_ctx;
    const char *code = http_query(req, "jurisdiction_id");
    if (code && *code) {
        int rc = store_unit_get(api->store, req->arena, code, u);
        if (rc == 0)
            return 0;
        if (rc == AKAR_ENOTFOUND)
            o311_error(req, f, 404, "jurisdiction_id names no unit");
        else
            o311_error(req, f, 503, "the store is not answering; try again shortly");
        return -1;
    }
    struct unit_row *rows;
    size_t n, tops = 0;
    if (store_unit_list(api->store, req->arena, &rows, &n)) {
        o311_error(req, f, 503, "the store is not answering; try again shortly");
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if (!rows[i].parent_code && tops++ == 0)
            *u = rows[i];
    if (tops == 1)
        return 0;
    o311_error(req, f, 400, "jurisdiction_id is required: the code of a unit");
    return -1;
}

/* The categories offered to the jurisdiction (nearer units' hiding their ancestors'), or -1
 * with the error sent. */
static int offered(struct http_request *req, enum o311_format f, struct category_row **rows,
                   size_t *n)
{
    struct api *api = req->route_ctx;
    struct unit_row u;
    if (jurisdiction(req, f, &u))
        return -1;
    if (store_category_list(api->store, req->arena, u.path, rows, n)) {
        o311_error(req, f, 503, "the store is not answering; try again shortly");
        return -1;
    }
    *n = api_categories_offered(*rows, *n);
    return 0;
}

/* GET services.{json,xml}: the categories as realtime services without extra questions
 * (akar's submission form asks none beyond the report itself yet). A category has no text of
 * its own to describe it, so description is empty rather than a repeat of the name. */
static int services(struct http_request *req, enum o311_format f)
{
    struct category_row *rows;
    size_t n;
    if (offered(req, f, &rows, &n))
        return HTTP_DONE;
    struct buf b = {0};
    buf_puts(&b, f == O311_JSON ? "[" : XML_DECL "<services>");
    for (size_t i = 0; i < n; i++) {
        const struct o311_field fs[] = {
            {"service_code", F_TEXT, rows[i].code, false, NULL},
            {"service_name", F_TEXT, rows[i].name, false, NULL},
            {"description", F_TEXT, NULL, false, NULL},
            {"metadata", F_BOOL, NULL, false, NULL},
            {"type", F_TEXT, "realtime", false, NULL},
            {"keywords", F_TEXT, "", false, NULL},
            {"group", F_TEXT, rows[i].department_name, false, NULL},
        };
        if (f == O311_JSON) {
            if (i)
                buf_puts(&b, ",");
            fields_json(&b, fs, sizeof fs / sizeof fs[0]);
        } else {
            buf_puts(&b, "<service>");
            fields_xml(&b, fs, sizeof fs / sizeof fs[0]);
            buf_puts(&b, "</service>");
        }
    }
    buf_puts(&b, f == O311_JSON ? "]" : "</services>");
    return reply_buf(req, 200, f == O311_JSON ? JSON_TYPE : XML_TYPE, &b);
}

/* GET /open311/v2/{resource}: the top-level resources of the read-only part. */
int api_open311_resource(struct http_request *req)
{
    const char *stem;
    enum o311_format f;
    /* a suffix that names no format gets the spec's mandatory one, XML */
    if (!resource(req->arena, req->params[0], &stem, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    if (strcmp(stem, "services") == 0)
        return services(req, f);
    return o311_error(req, f, 404, "there is nothing at this address");
}

/* GET /open311/v2/services/{code}.{json,xml}: the definition of a service, which has no
 * attributes while akar asks no extra questions. */
int api_open311_service(struct http_request *req)
{
    const char *code;
    enum o311_format f;
    if (!resource(req->arena, req->params[0], &code, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    struct category_row *rows;
    size_t n;
    if (offered(req, f, &rows, &n))
        return HTTP_DONE;
    size_t i = 0;
    while (i < n && strcmp(rows[i].code, code) != 0)
        i++;
    if (i == n)
        return o311_error(req, f, 404, "service_code names no service of this jurisdiction");
    struct buf b = {0};
    if (f == O311_JSON) {
        buf_puts(&b, "{\"service_code\":");
        buf_json_string(&b, rows[i].code);
        buf_puts(&b, ",\"attributes\":[]}");
        return reply_buf(req, 200, JSON_TYPE, &b);
    }
    buf_puts(&b, XML_DECL "<service_definition><service_code>");
    xml_text(&b, rows[i].code);
    buf_puts(&b, "</service_code><attributes></attributes></service_definition>");
    return reply_buf(req, 200, XML_TYPE, &b);
}

static const char *member(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* GET /open311/v2/requests/{id}.{json,xml}: the case whose tracking code is id, as a one-entry
 * list. Every field is read from the public tracking view (api_track_view), so this shows
 * nothing the tracking page does not: no reporter, and no description or place of a
 * confidential case or a denunciation. A case without a category is of a kind only; its kind
 * (complaint, feedback, ...) stands as its service_code, since the schema wants one, with no
 * service_name. updated_datetime is the last public event, not the case's last change, which
 * may be an internal one. */
int api_open311_request(struct http_request *req)
{
    struct api *api = req->route_ctx;
    const char *id;
    enum o311_format f;
    if (!resource(req->arena, req->params[0], &id, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    struct unit_row u;
    if (jurisdiction(req, f, &u))
        return HTTP_DONE;
    char code[TRACKING_TEXT];
    struct case_row c;
    int rc = tracking_normalise(id, code) ? store_case_get(api->store, req->arena, 0, code, &c)
                                          : AKAR_ENOTFOUND;
    if (rc == 0 && !access_in_subtree(u.path, c.unit_path))
        rc = AKAR_ENOTFOUND;
    if (rc == AKAR_ENOTFOUND)
        return o311_error(req, f, 404, "no service request of this jurisdiction has this id");
    json_t *v = rc ? NULL : api_track_view(api, req, &c, false);
    if (!v)
        return o311_error(req, f, 503, "the store is not answering; try again shortly");
    bool open = json_is_true(json_object_get(v, "open"));
    json_t *category = json_object_get(v, "category"), *loc = json_object_get(v, "location");
    json_t *timeline = json_object_get(v, "timeline");
    const char *updated = member(v, "received_at");
    if (json_array_size(timeline))
        updated = member(json_array_get(timeline, json_array_size(timeline) - 1), "at");
    const struct o311_field fs[] = {
        {"service_request_id", F_TEXT, member(v, "tracking_code"), false, NULL},
        {"status", F_TEXT, open ? "open" : "closed", false, NULL},
        {"service_code", F_TEXT, category ? member(category, "code") : member(v, "kind"), false,
         NULL},
        {"service_name", F_TEXT, category ? member(category, "name") : NULL, false, NULL},
        {"description", F_TEXT, member(v, "description"), false, NULL},
        {"agency_responsible", F_TEXT, member(json_object_get(v, "unit"), "name"), false, NULL},
        {"requested_datetime", F_TEXT, member(v, "received_at"), false, NULL},
        {"updated_datetime", F_TEXT, updated, false, NULL},
        {"expected_datetime", F_TEXT, open ? member(v, "due_at") : NULL, false, NULL},
        {"address", F_TEXT, member(loc, "address"), false, NULL},
        {"lat", F_NUMBER, NULL, false, json_object_get(loc, "lat")},
        {"long", F_NUMBER, NULL, false, json_object_get(loc, "lon")},
    };
    struct buf b = {0};
    if (f == O311_JSON) {
        buf_puts(&b, "[");
        fields_json(&b, fs, sizeof fs / sizeof fs[0]);
        buf_puts(&b, "]");
    } else {
        buf_puts(&b, XML_DECL "<service_requests><request>");
        fields_xml(&b, fs, sizeof fs / sizeof fs[0]);
        buf_puts(&b, "</request></service_requests>");
    }
    json_decref(v);
    return reply_buf(req, 200, f == O311_JSON ? JSON_TYPE : XML_TYPE, &b);
}

/* ---- shared with open311_post.c through open311.h ---- */

bool o311_resource(struct arena *a, const char *name, const char **stem, enum o311_format *f)
{
    return resource(a, name, stem, f);
}

void o311_fields_json(struct buf *b, const struct o311_field *fs, size_t n)
{
    fields_json(b, fs, n);
}

void o311_fields_xml(struct buf *b, const struct o311_field *fs, size_t n)
{
    fields_xml(b, fs, n);
}

int o311_reply(struct http_request *req, int status, enum o311_format f, struct buf *b)
{
    return reply_buf(req, status, f == O311_JSON ? JSON_TYPE : XML_TYPE, b);
}

int o311_jurisdiction(struct http_request *req, enum o311_format f, struct unit_row *u)
{
    return jurisdiction(req, f, u);
}
