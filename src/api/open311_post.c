/* Open311 GeoReport v2, the writing part: POST requests.{json,xml} files a service request with
 * an integration's API key of scope write, and GET tokens/{token}.{json,xml} answers the token
 * exchange. A service request is a petition of kind feedback about the service's category,
 * taken in by the same intake as POST /api/v1/cases (throttle, routing, deadlines, sealing),
 * through the open311 channel. akar's services are realtime: a POST answers the request's id
 * (the case's tracking code) at once and never a token; since an id stands for itself, it is
 * also the request's token, so a client that exchanges tokens anyway gets the id back. Errors
 * are the spec's: 403 for the key, 404 for what does not exist, 400 for all else. */
#include "api/open311.h"

#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "domain/tracking.h"
#include "http/form.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define FORM_FIELDS_MAX 200

/* A POST on its way: the intake and the answer's format. */
struct o311_post {
    struct api_intake it; /* first: req->op points at it */
    enum o311_format f;
};

/* The spec has no 503 (nor 429): what stops creation for a while is a 400 that says when to
 * come back. */
static int later(struct http_request *req, enum o311_format f, unsigned seconds, const char *why)
{
    http_add_header(req, "Retry-After", arena_printf(req->arena, "%u", seconds));
    return o311_error(req, f, 400, why);
}

/* The value of argument name, or NULL when it is absent or empty (the spec makes an empty
 * optional argument an absent one). */
static const char *arg(const struct form *form, const char *name)
{
    const char *v = form_get(form, name);
    return v && *v ? v : NULL;
}

/* A WGS84 coordinate as the spec writes it: a decimal number. */
static bool coordinate(const char *s, double *out)
{
    char *end;
    *out = strtod(s, &end);
    return end != s && !*end && isfinite(*out);
}

/* The Open311 argument that an intake field came from, for the error's description. */
static const char *argument_of(const char *field)
{
    static const struct {
        const char *field, *arg;
    } names[] = {{"title", "service_code"},
                 {"reporter.name", "first_name and last_name"},
                 {"reporter.phone", "phone"},
                 {"reporter.email", "email"},
                 {"reporter.address", "address"},
                 {"location", "lat and long"},
                 {"location.address", "address_string"}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (strcmp(field, names[i].field) == 0)
            return names[i].arg;
    return field;
}

/* The argument that a refused answer came from: attribute[CODE], or the attributes as a whole. */
static const char *attribute_of(struct arena *a, const char *field)
{
    if (strncmp(field, "answers.", 8) == 0)
        return arena_printf(a, "attribute[%s]", field + 8);
    return strcmp(field, "answers") == 0 ? "attribute" : argument_of(field);
}

/* The answers of attribute[CODE]=v and, for a multivaluelist, attribute[CODE][]=v (each
 * value of a code's list gathered into one answer), in the arena. An empty value is left out,
 * as an empty argument is an absent one. *bad names an argument that starts as an attribute
 * but is none. */
static const struct answer *answers_from(struct arena *a, const struct form *form, size_t *n,
                                         const char **bad)
{
    struct answer *out = arena_calloc(a, (form->n ? form->n : 1) * sizeof *out);
    const char ***values = arena_calloc(a, (form->n ? form->n : 1) * sizeof *values);
    *n = 0;
    for (size_t i = 0; i < form->n; i++) {
        const char *name = form->fields[i].name, *value = form->fields[i].value;
        if (strncmp(name, "attribute[", 10) != 0)
            continue;
        const char *code = name + 10, *end = strchr(code, ']');
        bool list = end && strcmp(end, "][]") == 0;
        if (!end || end == code || (end[1] && !list)) {
            *bad = name;
            return NULL;
        }
        if (!*value)
            continue;
        char *c = arena_strndup(a, code, (size_t)(end - code));
        size_t k = 0;
        while (k < *n && !(list && out[k].list && strcmp(out[k].code, c) == 0))
            k++;
        if (k == *n) {
            values[k] = arena_calloc(a, form->n * sizeof *values[k]);
            out[(*n)++] = (struct answer){c, values[k], 0, list};
        }
        values[k][out[k].nvalues++] = value;
    }
    return out;
}

/* The answer: a one-entry list with the request's id and what happens next. */
static int posted(struct http_request *req)
{
    struct o311_post *p = req->op;
    int rc = api_intake_result(&p->it);
    if (rc == AKAR_ENOTFOUND)
        return o311_error(req, p->f, 404, "service_code names no service of this jurisdiction");
    if (rc)
        return later(req, p->f, 1, "the service request could not be stored; try again");
    const struct case_new *n = &p->it.w.u.case_new;
    const struct o311_field fs[] = {
        {"service_request_id", F_TEXT, n->tracking_code, false, NULL},
        {"service_notice", F_TEXT, n->public_note, false, NULL},
    };
    struct buf b = {0};
    if (p->f == O311_JSON) {
        buf_puts(&b, "[");
        o311_fields_json(&b, fs, sizeof fs / sizeof fs[0]);
        buf_puts(&b, "]");
    } else {
        buf_puts(&b, O311_XML_DECL "<service_requests><request>");
        o311_fields_xml(&b, fs, sizeof fs / sizeof fs[0]);
        buf_puts(&b, "</request></service_requests>");
    }
    http_add_header(req, "Location",
                    arena_printf(req->arena, "/open311/v2/requests/%s.%s", n->tracking_code,
                                 p->f == O311_JSON ? "json" : "xml"));
    return o311_reply(req, 201, p->f, &b);
}

/* The category that service_code names among those offered at unit: 0 with *out set,
 * AKAR_ENOTFOUND, AKAR_ESTORE. */
static int service(struct api *api, struct http_request *req, const struct unit_row *unit,
                   const char *code, struct category_row *out)
{
    struct category_row *rows;
    size_t n;
    if (store_category_list(api->store, req->arena, unit->path, &rows, &n))
        return AKAR_ESTORE;
    n = api_categories_offered(rows, n);
    for (size_t i = 0; i < n; i++)
        if (strcmp(rows[i].code, code) == 0) {
            *out = rows[i];
            return 0;
        }
    return AKAR_ENOTFOUND;
}

/* Fills in's place from lat and long, address_string and address_id; false (and replies 400)
 * when none is given or the coordinates are not a pair of numbers. akar keeps no address
 * register, so an address_id is kept as words beside the address given. */
static bool place(struct http_request *req, enum o311_format f, const struct form *form,
                  struct case_intake *in)
{
    const char *lat = arg(form, "lat"), *lon = arg(form, "long");
    const char *words = arg(form, "address_string"), *id = arg(form, "address_id");
    if (lat || lon) {
        if (!lat || !lon || !coordinate(lat, &in->lat) || !coordinate(lon, &in->lon)) {
            o311_error(req, f, 400, "lat and long go together, each a number (WGS84 degrees)");
            return false;
        }
        in->located = true;
    }
    if (words && id)
        in->address = arena_printf(req->arena, "%s (address_id %s)", words, id);
    else if (id)
        in->address = arena_printf(req->arena, "address_id %s", id);
    else
        in->address = words;
    if (!in->located && !in->address) {
        o311_error(req, f, 400,
                   "a location is required: lat and long, address_string or "
                   "address_id");
        return false;
    }
    return true;
}

/* The submitter: names, e-mail and phone, as the reporter. */
static void submitter(struct http_request *req, const struct form *form, struct case_intake *in)
{
    const char *first = arg(form, "first_name"), *last = arg(form, "last_name");
    const char *email = arg(form, "email"), *phone = arg(form, "phone");
    const char *name = first && last ? arena_printf(req->arena, "%s %s", first, last)
                       : first       ? first
                                     : last;
    in->has_reporter = name || email || phone;
    in->reporter = (struct case_reporter){name, phone, email, NULL};
}

/* POST /open311/v2/requests.{json,xml}: files a service request (see the top of the file). The
 * key comes first, as the spec orders its errors: without a valid one nothing else is said. */
int api_open311_post(struct http_request *req)
{
    struct api *api = req->route_ctx;
    const char *stem;
    enum o311_format f;
    if (!o311_resource(req->arena, req->params[0], &stem, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    if (strcmp(stem, "requests") != 0)
        return o311_error(req, f, 400,
                          "POST files service requests: address requests.json or requests.xml");
    const char *ct = http_header(req, "Content-Type");
    size_t ctlen = strlen("application/x-www-form-urlencoded");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", ctlen) != 0 ||
        (ct[ctlen] && ct[ctlen] != ';' && ct[ctlen] != ' '))
        return o311_error(req, f, 400,
                          "send the arguments as application/x-www-form-urlencoded; "
                          "charset=utf-8");
    struct form form;
    size_t bad;
    if (form_parse(req->arena, req->body ? req->body : "", req->body_len, FORM_FIELDS_MAX, &form,
                   &bad))
        return o311_error(
            req, f, 400,
            arena_printf(req->arena, "the body is not a well-formed form of UTF-8 text (byte %zu)",
                         bad));

    const char *key = arg(&form, "api_key");
    if (!key)
        return o311_error(req, f, 403, "api_key is required to file a service request");
    struct identity *who;
    int rc = api_key_identity(api, req, key, &who);
    if (rc == AKAR_ESTORE)
        return later(req, f, 1, "the store is not answering; try again shortly");
    if (rc)
        return o311_error(req, f, 403, "api_key is not valid: unknown or revoked");
    if (!apikey_scope_covers((enum apikey_scope)apikey_scope_parse(who->key->scope), APIKEY_WRITE))
        return o311_error(req, f, 403, "this api_key may only read: its scope is read");

    /* the jurisdiction: the argument (in the body, else the query), else the key's own unit */
    const char *jurisdiction = arg(&form, "jurisdiction_id");
    if (!jurisdiction && http_query(req, "jurisdiction_id") && *http_query(req, "jurisdiction_id"))
        jurisdiction = http_query(req, "jurisdiction_id");
    struct unit_row unit;
    rc = store_unit_get(api->store, req->arena, jurisdiction ? jurisdiction : who->key->unit_code,
                        &unit);
    if (rc == AKAR_ENOTFOUND)
        return o311_error(req, f, 404, "jurisdiction_id names no unit");
    if (rc)
        return later(req, f, 1, "the store is not answering; try again shortly");
    if (!access_in_subtree(who->key->unit_path, unit.path))
        return o311_error(req, f, 403,
                          arena_printf(req->arena,
                                       "this api_key files requests for unit %s and the units "
                                       "below it only",
                                       who->key->unit_code));

    const char *code = arg(&form, "service_code");
    if (!code)
        return o311_error(req, f, 400, "service_code is required");
    struct category_row category;
    rc = service(api, req, &unit, code, &category);
    if (rc == AKAR_ENOTFOUND)
        return o311_error(req, f, 404, "service_code names no service of this jurisdiction");
    if (rc)
        return later(req, f, 1, "the store is not answering; try again shortly");

    struct o311_post *p = arena_calloc(req->arena, sizeof *p);
    p->f = f;
    struct api_intake *it = &p->it;
    struct case_intake *in = &it->in;
    const char *bad_name = NULL;
    in->answers = answers_from(req->arena, &form, &in->nanswers, &bad_name);
    if (bad_name)
        return o311_error(req, f, 400,
                          arena_printf(req->arena,
                                       "%s is no attribute argument: attribute[CODE], or "
                                       "attribute[CODE][] for each value of a multivaluelist",
                                       bad_name));
    in->asked = true;
    if (!place(req, f, &form, in))
        return HTTP_DONE;
    submitter(req, &form, in);
    in->kind = KIND_FEEDBACK;
    in->channel = CHANNEL_OPEN311;
    in->category_code = category.code;
    in->title = category.name;
    /* a description is optional in Open311 but not in a petition: the service says what */
    in->description = arg(&form, "description") ? arg(&form, "description") : category.name;
    it->unit_code = unit.code;
    it->who = who;
    switch (api_intake_submit(req, api, it, posted)) {
    case INTAKE_QUEUED:
        return HTTP_SUSPENDED;
    case INTAKE_REFUSED:
        if (it->problem.rc == AKAR_EDENIED)
            return o311_error(req, f, 403, it->problem.detail);
        return o311_error(req, f, 400,
                          arena_printf(req->arena, "%s: %s",
                                       attribute_of(req->arena, it->problem.field),
                                       it->problem.detail));
    case INTAKE_NO_UNIT:
        return o311_error(req, f, 404, "jurisdiction_id names no unit");
    case INTAKE_THROTTLED:
        return later(req, f, it->retry_after,
                     arena_printf(req->arena,
                                  "too many service requests with this api_key; try again "
                                  "in %u seconds",
                                  it->retry_after));
    case INTAKE_UNAVAILABLE:
        break;
    }
    return later(req, f, 1, "the store is not answering; try again shortly");
}

/* GET /open311/v2/tokens/{token}.{json,xml}: the request a token stands for, as a one-entry
 * list of service_request_id and token. akar hands out no tokens of its own (its services are
 * realtime), so the tokens it knows are its requests' ids: a tracking code, typed as people
 * type it, of a request of the jurisdiction. Anything else is 404. */
int api_open311_token(struct http_request *req)
{
    struct api *api = req->route_ctx;
    const char *token;
    enum o311_format f;
    if (!o311_resource(req->arena, req->params[0], &token, &f))
        return o311_error(req, O311_XML, 400, "address a resource with .json or .xml");
    struct unit_row u;
    if (o311_jurisdiction(req, f, &u))
        return HTTP_DONE;
    char code[TRACKING_TEXT];
    struct case_row c;
    int rc = tracking_normalise(token, code) ? store_case_get(api->store, req->arena, 0, code, &c)
                                             : AKAR_ENOTFOUND;
    if (rc == 0 && !access_in_subtree(u.path, c.unit_path))
        rc = AKAR_ENOTFOUND;
    if (rc == AKAR_ENOTFOUND)
        return o311_error(req, f, 404, "no service request of this jurisdiction has this token");
    if (rc)
        return o311_error(req, f, 503, "the store is not answering; try again shortly");
    const struct o311_field fs[] = {
        {"service_request_id", F_TEXT, c.tracking_code, false, NULL},
        {"token", F_TEXT, c.tracking_code, false, NULL},
    };
    struct buf b = {0};
    if (f == O311_JSON) {
        buf_puts(&b, "[");
        o311_fields_json(&b, fs, sizeof fs / sizeof fs[0]);
        buf_puts(&b, "]");
    } else {
        buf_puts(&b, O311_XML_DECL "<service_requests><request>");
        o311_fields_xml(&b, fs, sizeof fs / sizeof fs[0]);
        buf_puts(&b, "</request></service_requests>");
    }
    return o311_reply(req, 200, f, &b);
}
