/* Open311 GeoReport v2 under /open311/v2/, the reading part: service discovery, the service
 * list, service definitions, the query of service requests and one service request by its id
 * (each a case's public tracking view), with the spec's error bodies, in XML or JSON as the
 * resource's suffix asks, at any address under /open311/v2/ too. The contract: the Open311
 * GeoReport v2 specification; JSON mirrors XML field for field. */
#include "api/open311.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/civil.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xml.h"
#include "domain/answers.h"
#include "domain/tracking.h"

#include <stdint.h>
#include <stdio.h>
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

/* The fields as the members of a JSON object, without its braces. */
static void fields_members(struct buf *b, const struct o311_field *fs, size_t n)
{
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
}

static void fields_json(struct buf *b, const struct o311_field *fs, size_t n)
{
    buf_puts(b, "{");
    fields_members(b, fs, n);
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

/* GET services.{json,xml}: the categories as realtime services, with metadata when the
 * category asks extra questions (its definition's attributes). A category has no text of its
 * own to describe it, so description is empty rather than a repeat of the name. */
static int services(struct http_request *req, enum o311_format f)
{
    struct api *api = req->route_ctx;
    struct category_row *rows;
    size_t n;
    if (offered(req, f, &rows, &n))
        return HTTP_DONE;
    struct buf b = {0};
    buf_puts(&b, f == O311_JSON ? "[" : XML_DECL "<services>");
    for (size_t i = 0; i < n; i++) {
        struct category_question *qs;
        size_t nq;
        if (store_category_questions(api->store, req->arena, rows[i].id, &qs, &nq)) {
            buf_release(&b);
            return o311_error(req, f, 503, "the store is not answering; try again shortly");
        }
        const struct o311_field fs[] = {
            {"service_code", F_TEXT, rows[i].code, false, NULL},
            {"service_name", F_TEXT, rows[i].name, false, NULL},
            {"description", F_TEXT, NULL, false, NULL},
            {"metadata", F_BOOL, NULL, nq > 0, NULL},
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

/* Appends the attributes of a service definition, the category's questions, in format f:
 * each to be answered (variable), its order its position, its description the question asked
 * and datatype_description the help on answering; values for the list types. */
static void attributes(struct buf *b, enum o311_format f, const struct category_question *qs,
                       size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char order[16];
        snprintf(order, sizeof order, "%d", qs[i].position);
        const struct o311_field fs[] = {
            {"variable", F_BOOL, NULL, true, NULL},
            {"code", F_TEXT, qs[i].code, false, NULL},
            {"datatype", F_TEXT, qs[i].datatype, false, NULL},
            {"required", F_BOOL, NULL, qs[i].required, NULL},
            {"datatype_description", F_TEXT, qs[i].description, false, NULL},
            {"order", F_TEXT, order, false, NULL},
            {"description", F_TEXT, qs[i].label, false, NULL},
        };
        size_t nf = sizeof fs / sizeof fs[0];
        bool listed = answers_datatype_listed(qs[i].datatype);
        if (f == O311_JSON) {
            buf_puts(b, i ? ",{" : "{");
            fields_members(b, fs, nf - 2);
            /* order is an integer in JSON, where the fields would write a string */
            buf_printf(b, ",\"order\":%d,\"description\":", qs[i].position);
            buf_json_string(b, qs[i].label);
            if (listed) {
                buf_puts(b, ",\"values\":[");
                for (size_t k = 0; k < qs[i].nchoices; k++) {
                    const struct o311_field v[] = {
                        {"key", F_TEXT, qs[i].choices[k].key, false, NULL},
                        {"name", F_TEXT, qs[i].choices[k].name, false, NULL},
                    };
                    if (k)
                        buf_puts(b, ",");
                    fields_json(b, v, 2);
                }
                buf_puts(b, "]");
            }
            buf_puts(b, "}");
        } else {
            buf_puts(b, "<attribute>");
            fields_xml(b, fs, nf);
            if (listed) {
                buf_puts(b, "<values>");
                for (size_t k = 0; k < qs[i].nchoices; k++) {
                    const struct o311_field v[] = {
                        {"key", F_TEXT, qs[i].choices[k].key, false, NULL},
                        {"name", F_TEXT, qs[i].choices[k].name, false, NULL},
                    };
                    buf_puts(b, "<value>");
                    fields_xml(b, v, 2);
                    buf_puts(b, "</value>");
                }
                buf_puts(b, "</values>");
            }
            buf_puts(b, "</attribute>");
        }
    }
}

/* GET /open311/v2/services/{code}.{json,xml}: the definition of a service, its category's
 * questions as attributes (none when it asks none). */
int api_open311_service(struct http_request *req)
{
    struct api *api = req->route_ctx;
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
    struct category_question *qs;
    size_t nq;
    if (store_category_questions(api->store, req->arena, rows[i].id, &qs, &nq))
        return o311_error(req, f, 503, "the store is not answering; try again shortly");
    struct buf b = {0};
    if (f == O311_JSON) {
        buf_puts(&b, "{\"service_code\":");
        buf_json_string(&b, rows[i].code);
        buf_puts(&b, ",\"attributes\":[");
        attributes(&b, f, qs, nq);
        buf_puts(&b, "]}");
        return reply_buf(req, 200, JSON_TYPE, &b);
    }
    buf_puts(&b, XML_DECL "<service_definition><service_code>");
    xml_text(&b, rows[i].code);
    buf_puts(&b, "</service_code><attributes>");
    attributes(&b, f, qs, nq);
    buf_puts(&b, "</attributes></service_definition>");
    return reply_buf(req, 200, XML_TYPE, &b);
}

static const char *member(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

#define REQUEST_FIELDS 12

/* The fields of case c as a service request, read from its public tracking view
 * (api_track_view), so that Open311 shows nothing the tracking page does not: no reporter, and
 * no description or place of a confidential case or a denunciation. A case without a category
 * is of a kind only; its kind (complaint, feedback, ...) stands as its service_code, since the
 * schema wants one, with no service_name. updated_datetime is the last public event, not the
 * case's last change, which may be an internal one. Returns the view, which the fields borrow
 * from (json_decref it after use), or NULL if the store did not answer. */
static json_t *request_fields(struct api *api, struct http_request *req, const struct case_row *c,
                              struct o311_field fs[REQUEST_FIELDS])
{
    json_t *v = api_track_view(api, req, c, false);
    if (!v)
        return NULL;
    bool open = json_is_true(json_object_get(v, "open"));
    json_t *category = json_object_get(v, "category"), *loc = json_object_get(v, "location");
    json_t *timeline = json_object_get(v, "timeline");
    const char *updated = member(v, "received_at");
    if (json_array_size(timeline))
        updated = member(json_array_get(timeline, json_array_size(timeline) - 1), "at");
    const struct o311_field mapped[REQUEST_FIELDS] = {
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
    memcpy(fs, mapped, sizeof mapped);
    return v;
}

/* Appends case c as one <request> (or JSON object) of a list; false if the store failed. */
static bool append_request(struct api *api, struct http_request *req, enum o311_format f,
                           const struct case_row *c, bool first, struct buf *b)
{
    struct o311_field fs[REQUEST_FIELDS];
    json_t *v = request_fields(api, req, c, fs);
    if (!v)
        return false;
    if (f == O311_JSON) {
        if (!first)
            buf_puts(b, ",");
        fields_json(b, fs, REQUEST_FIELDS);
    } else {
        buf_puts(b, "<request>");
        fields_xml(b, fs, REQUEST_FIELDS);
        buf_puts(b, "</request>");
    }
    json_decref(v);
    return true;
}

/* The list of service requests of cases[0..n), in the spec's wrapper; false with b released
 * if the store failed. */
static bool request_list(struct api *api, struct http_request *req, enum o311_format f,
                         const struct case_row *cases, size_t n, struct buf *b)
{
    buf_puts(b, f == O311_JSON ? "[" : XML_DECL "<service_requests>");
    for (size_t i = 0; i < n; i++)
        if (!append_request(api, req, f, &cases[i], i == 0, b)) {
            buf_release(b);
            return false;
        }
    buf_puts(b, f == O311_JSON ? "]" : "</service_requests>");
    return true;
}

/* GET /open311/v2/requests/{id}.{json,xml}: the case whose tracking code is id, as a one-entry
 * list (see request_fields). */
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
    struct buf b = {0};
    if (rc || !request_list(api, req, f, &c, 1, &b))
        return o311_error(req, f, 503, "the store is not answering; try again shortly");
    return reply_buf(req, 200, f == O311_JSON ? JSON_TYPE : XML_TYPE, &b);
}

/* ---- GET requests: the query ---- */

#define DAY_MS         (86400LL * 1000)
#define WINDOW_MS      (90 * DAY_MS) /* the widest window of received times the spec allows */
#define QUERY_MAX      1000          /* the most requests of one answer, as the spec has it */
#define QUERY_PAGE_MAX 100000        /* the furthest page (page_size 1): bounds the skip */

static bool two_digits(const char *p, int *v)
{
    if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
        return false;
    *v = (p[0] - '0') * 10 + (p[1] - '0');
    return true;
}

/* Parses a W3C datetime with its zone, as the spec wants start_date and end_date
 * ("2010-04-14T06:37:38-08:00"; seconds and their fraction may be left out, the zone, "Z" or
 * an offset, may not), into ms since the epoch; false for anything else. */
static bool w3c_datetime(const char *s, int64_t *ms)
{
    char date[11];
    if (strlen(s) < 16 || s[10] != 'T')
        return false;
    memcpy(date, s, 10);
    date[10] = 0;
    struct civil_date d;
    int h, mi, sec = 0;
    if (!civil_parse(date, &d) || !two_digits(s + 11, &h) || s[13] != ':' ||
        !two_digits(s + 14, &mi))
        return false;
    const char *p = s + 16;
    int64_t frac = 0;
    if (*p == ':') {
        if (!two_digits(p + 1, &sec))
            return false;
        p += 3;
        if (*p == '.') {
            if (p[1] < '0' || p[1] > '9')
                return false;
            int64_t scale = 100;
            for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
                frac += (*p - '0') * scale;
        }
    }
    if (h > 23 || mi > 59 || sec > 59)
        return false;
    int64_t offset = 0;
    if (*p == 'Z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        if (!two_digits(p + 1, &oh) || p[3] != ':' || !two_digits(p + 4, &om) || oh > 23 || om > 59)
            return false;
        offset = (oh * 60LL + om) * 60000 * (*p == '-' ? -1 : 1);
        p += 6;
    } else {
        return false;
    }
    if (*p)
        return false;
    *ms = (civil_to_days(d) * 86400 + h * 3600LL + mi * 60LL + sec) * 1000 + frac - offset;
    return true;
}

/* The items of a comma-separated list, spaces around each trimmed and empty ones dropped, at
 * most max of them (arena). The count, or SIZE_MAX if there are more than max. */
static size_t list_items(struct arena *a, const char *s, size_t max, const char ***out)
{
    size_t n = 0, cap = 1;
    for (const char *p = s; *p; p++)
        cap += *p == ',';
    const char **items = arena_alloc(a, cap * sizeof *items);
    for (const char *p = s;;) {
        const char *end = strchr(p, ',');
        if (!end)
            end = p + strlen(p);
        const char *q = end;
        while (p < q && *p == ' ')
            p++;
        while (q > p && q[-1] == ' ')
            q--;
        if (q > p) {
            if (n == max)
                return SIZE_MAX;
            items[n++] = arena_strndup(a, p, (size_t)(q - p));
        }
        if (!*end)
            break;
        p = end + 1;
    }
    *out = items;
    return n;
}

/* An optional argument: NULL when absent or empty, which the spec holds the same. */
static const char *argument(struct http_request *req, const char *name)
{
    const char *v = http_query(req, name);
    return v && *v ? v : NULL;
}

/* A whole number in [1, max] (the page extension's arguments); false for anything else. */
static bool count_argument(const char *s, unsigned long max, size_t *out)
{
    char *end;
    if (*s < '1' || *s > '9')
        return false;
    unsigned long v = strtoul(s, &end, 10);
    if (*end || v > max)
        return false;
    *out = v;
    return true;
}

static int newest_first(const void *a, const void *b)
{
    const struct case_row *x = a, *y = b;
    if (x->received_at != y->received_at)
        return x->received_at < y->received_at ? 1 : -1;
    return x->id < y->id ? 1 : x->id > y->id ? -1 : 0;
}

/* service_request_id: the cases of the jurisdiction u with these tracking codes, newest first,
 * each once; ids that name none are left out. 0, or -1 with the error sent. */
static int requests_by_id(struct http_request *req, enum o311_format f, const struct unit_row *u,
                          const char *ids, struct case_row **rows, size_t *n)
{
    struct api *api = req->route_ctx;
    const char **items;
    size_t k = list_items(req->arena, ids, QUERY_MAX, &items);
    if (k == SIZE_MAX) {
        o311_error(req, f, 400, "service_request_id lists at most 1000 ids");
        return -1;
    }
    struct case_row *out = arena_alloc(req->arena, (k ? k : 1) * sizeof *out);
    *n = 0;
    for (size_t i = 0; i < k; i++) {
        char code[TRACKING_TEXT];
        struct case_row c;
        if (!tracking_normalise(items[i], code))
            continue;
        int rc = store_case_get(api->store, req->arena, 0, code, &c);
        if (rc == AKAR_ENOTFOUND || (rc == 0 && !access_in_subtree(u->path, c.unit_path)))
            continue;
        if (rc) {
            o311_error(req, f, 503, "the store is not answering; try again shortly");
            return -1;
        }
        bool seen = false;
        for (size_t j = 0; j < *n && !seen; j++)
            seen = out[j].id == c.id;
        if (!seen)
            out[(*n)++] = c;
    }
    qsort(out, *n, sizeof *out, newest_first);
    *rows = out;
    return 0;
}

/* The filters of a query (service_code, start_date, end_date, status, page, page_size) into
 * q, for the jurisdiction u at now. 0, or -1 with the error sent. */
static int query_filters(struct http_request *req, enum o311_format f, const struct unit_row *u,
                         int64_t now, struct case_query *q)
{
    memset(q, 0, sizeof *q);
    q->scope_unit_id = u->id;
    const char *codes = argument(req, "service_code");
    if (codes) {
        const char **items;
        q->ncodes = list_items(req->arena, codes, QUERY_MAX, &items);
        if (q->ncodes == SIZE_MAX) {
            o311_error(req, f, 400, "service_code lists at most 1000 codes");
            return -1;
        }
        q->codes = items;
    }
    const char *start = argument(req, "start_date"), *end = argument(req, "end_date");
    int64_t from = 0, to = 0;
    if (start && !w3c_datetime(start, &from)) {
        o311_error(req, f, 400,
                   "start_date is a W3C datetime with its zone, such as 2026-01-31T08:00:00Z");
        return -1;
    }
    if (end && !w3c_datetime(end, &to)) {
        o311_error(req, f, 400,
                   "end_date is a W3C datetime with its zone, such as 2026-01-31T08:00:00+07:00");
        return -1;
    }
    /* a window of 90 days at most: the latest when neither end is given, else from the end
     * given */
    if (!start && !end) {
        to = now;
        from = now - WINDOW_MS;
    } else if (!start) {
        from = to - WINDOW_MS;
    } else if (!end) {
        to = from + WINDOW_MS;
    }
    if (to < from) {
        o311_error(req, f, 400, "end_date comes before start_date");
        return -1;
    }
    if (to - from > WINDOW_MS) {
        o311_error(req, f, 400, "start_date and end_date may be at most 90 days apart");
        return -1;
    }
    q->received_from = from;
    q->received_to = to;
    const char *status = argument(req, "status");
    if (!status) {
        q->open = q->settled = true;
    } else {
        const char **items;
        size_t k = list_items(req->arena, status, 2, &items);
        for (size_t i = 0; i < k && k != SIZE_MAX; i++) {
            if (strcmp(items[i], "open") == 0)
                q->open = true;
            else if (strcmp(items[i], "closed") == 0)
                q->settled = true;
            else
                k = SIZE_MAX;
        }
        if (k == SIZE_MAX || (!q->open && !q->settled)) {
            o311_error(req, f, 400, "status is open, closed, or open,closed");
            return -1;
        }
    }
    const char *page = argument(req, "page"), *size = argument(req, "page_size");
    size_t page_no = 1;
    q->limit = QUERY_MAX;
    if (size && !count_argument(size, QUERY_MAX, &q->limit)) {
        o311_error(req, f, 400, "page_size is a whole number from 1 to 1000");
        return -1;
    }
    if (page && !count_argument(page, QUERY_PAGE_MAX, &page_no)) {
        o311_error(req, f, 400, "page is a whole number from 1");
        return -1;
    }
    q->offset = (page_no - 1) * q->limit;
    return 0;
}

/* What an answer is kept under: its format and every argument as sent (each with its length,
 * so that no two queries share a key). An argument left out and one sent empty are one. */
static const char *query_key(struct http_request *req, enum o311_format f)
{
    static const char *const names[] = {"jurisdiction_id",
                                        "service_request_id",
                                        "service_code",
                                        "start_date",
                                        "end_date",
                                        "status",
                                        "page",
                                        "page_size"};
    struct buf b = {0};
    buf_puts(&b, f == O311_JSON ? "requests.json" : "requests.xml");
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const char *v = argument(req, names[i]);
        buf_printf(&b, "|%zu:%s", v ? strlen(v) : 0, v ? v : "");
    }
    const char *key = arena_strdup(req->arena, b.data);
    buf_release(&b);
    return key;
}

/* GET requests.{json,xml}: the service requests of the jurisdiction (the cases of its unit's
 * subtree, each as requests/{id} shows it), newest first. service_request_id lists ids and
 * overrides every other filter; else service_code (a list), start_date and end_date (at most
 * 90 days apart; the latest 90 days by default), status (open, closed or both) and the page
 * extension page and page_size (1000, the spec's limit, by default and at most) choose them.
 *
 * The answer is the same for everyone, so it is kept (api->open311_cache) under the arguments
 * as sent, and served as it is while no case has been created or changed (and the unit tree
 * has not changed). Time alone changes only the default window's answer, when its oldest
 * request falls out of the window: it is kept until then. */
static int requests_query(struct http_request *req, enum o311_format f)
{
    struct api *api = req->route_ctx;
    int64_t now = clock_now_ms();
    /* read before the data: a change after this moves it past the entry */
    uint64_t generation =
        store_case_lists_generation(api->store) + store_units_generation(api->store);
    const char *key = query_key(req, f);
    if (http_cache_reply(api->open311_cache, req, key, generation, NULL, now))
        return HTTP_DONE;
    struct unit_row u;
    if (jurisdiction(req, f, &u))
        return HTTP_DONE;
    struct case_row *rows;
    size_t n;
    bool windowed = false;
    const char *ids = argument(req, "service_request_id");
    if (ids) {
        if (requests_by_id(req, f, &u, ids, &rows, &n))
            return HTTP_DONE;
    } else {
        struct case_query q;
        if (query_filters(req, f, &u, now, &q))
            return HTTP_DONE;
        if (store_case_query(api->store, req->arena, &q, &rows, &n))
            return o311_error(req, f, 503, "the store is not answering; try again shortly");
        windowed = !argument(req, "start_date") && !argument(req, "end_date");
    }
    struct buf b = {0};
    if (!request_list(api, req, f, rows, n, &b))
        return o311_error(req, f, 503, "the store is not answering; try again shortly");
    /* requests leave the latest 90 days oldest first, and the page's oldest is its last */
    int64_t expires = windowed && n ? rows[n - 1].received_at + WINDOW_MS + 1 : INT64_MAX;
    static const struct http_cache_stamp none = {{0}};
    http_cache_put(api->open311_cache, req, key, generation, &none, expires,
                   f == O311_JSON ? JSON_TYPE : XML_TYPE, b.data, b.len);
    buf_release(&b);
    return HTTP_DONE;
}

/* ---- discovery ---- */

/* When this server's Open311 endpoint last changed in a way clients should notice. */
#define ENDPOINT_CHANGESET "2026-11-28T00:00:00Z"

/* GET discovery.{json,xml}: the spec's service discovery document, naming the one endpoint of
 * this server, production, in both formats. Its url is built from the Host the client used. */
static int discovery(struct http_request *req, enum o311_format f)
{
    struct api *api = req->route_ctx;
    const char *host = http_header(req, "Host");
    const char *url = host && *host && !strpbrk(host, "/\\ \"<>")
                          ? arena_printf(req->arena, "%s://%s/open311/v2",
                                         api->cfg.secure_cookies ? "https" : "http", host)
                          : "/open311/v2";
    const struct o311_field top[] = {
        {"changeset", F_TEXT, ENDPOINT_CHANGESET, false, NULL},
        {"contact", F_TEXT, "The administrators of this akar server", false, NULL},
        {"key_service", F_TEXT,
         "An api_key, needed only to POST requests, is issued by the administrators of this "
         "akar server",
         false, NULL},
    };
    const struct o311_field endpoint[] = {
        {"specification", F_TEXT, "http://wiki.open311.org/GeoReport_v2", false, NULL},
        {"url", F_TEXT, url, false, NULL},
        {"changeset", F_TEXT, ENDPOINT_CHANGESET, false, NULL},
        {"type", F_TEXT, "production", false, NULL},
    };
    struct buf b = {0};
    if (f == O311_JSON) {
        buf_puts(&b, "{");
        fields_members(&b, top, 3);
        buf_puts(&b, ",\"endpoints\":[{");
        fields_members(&b, endpoint, 4);
        buf_puts(&b, ",\"formats\":[\"text/xml\",\"application/json\"]}]}");
        return reply_buf(req, 200, JSON_TYPE, &b);
    }
    buf_puts(&b, XML_DECL "<discovery>");
    fields_xml(&b, top, 3);
    buf_puts(&b, "<endpoints><endpoint>");
    fields_xml(&b, endpoint, 4);
    buf_puts(&b, "<formats><format>text/xml</format><format>application/json</format></formats>"
                 "</endpoint></endpoints></discovery>");
    return reply_buf(req, 200, XML_TYPE, &b);
}

/* ---- dispatch ---- */

/* GET /open311/v2/{resource}: the top-level resources. */
int api_open311_resource(struct http_request *req)
{
    const char *stem;
    enum o311_format f;
    /* a suffix that names no format gets the spec's mandatory one, XML */
    if (!resource(req->arena, req->params[0], &stem, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    if (strcmp(stem, "services") == 0)
        return services(req, f);
    if (strcmp(stem, "requests") == 0)
        return requests_query(req, f);
    if (strcmp(stem, "discovery") == 0)
        return discovery(req, f);
    return o311_error(req, f, 404, "there is nothing at this address");
}

int api_open311_unmatched(struct http_request *req)
{
    const char *last = strrchr(req->path, '/');
    const char *stem;
    enum o311_format f;
    if (!resource(req->arena, last ? last + 1 : req->path, &stem, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    const char *allowed = http_allowed(req);
    if (allowed) {
        /* the spec knows no 405: a request that cannot be carried out is a 400 */
        http_add_header(req, "Allow", allowed);
        return o311_error(
            req, f, 400,
            arena_printf(req->arena, "%s is not allowed here; allowed: %s", req->method, allowed));
    }
    return o311_error(req, f, 404, "there is nothing at this address");
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
