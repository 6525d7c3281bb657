/* Open311 GeoReport v2, the writing part, end to end: POST requests.{json,xml} with an
 * integration's key files a petition (kind feedback, channel open311, the service's category)
 * through the same intake as the JSON API, and answers a one-entry list with the request's id
 * and a notice, never a token; the request then reads back through GET requests/{id}. Every
 * error the spec names, in both formats, with its status and nothing stored: 403 for a key
 * missing, wrong, revoked, read-only or for another jurisdiction; 404 for an unknown service
 * code or jurisdiction; 400 for a missing service code or location and any other bad input,
 * the key's throttle included. XML answers are read by a real parser and must say what JSON
 * says. GET tokens/{token} trades a request's id (its only token) for itself, and nothing
 * else. */
#include "harness.h"
#include "open311.h"

#include "base/mem.h"
#include "domain/tracking.h"

#include <ctype.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define FORM_TYPE "application/x-www-form-urlencoded; charset=utf-8"
#define FIRST     "Nguyễn"
#define LAST      "Thị Hoa"
#define EMAIL     "hoa.nguyen@example.vn"
#define PHONE     "0912 345 678"
#define DESC      "Đất công bị lấn chiếm ở đầu thôn."

static struct ht_env *E;
static char *write_key;   /* scope write, unit 586 */
static char *read_key;    /* scope read, unit 586 */
static char *revoked_key; /* scope write, unit 586, revoked */
static long long write_key_id;

/* ---- helpers ---- */

/* The answer in either format as JSON (a new reference). */
static json_t *answer(const struct ht_response *r, const char *fmt)
{
    if (strcmp(fmt, "xml") == 0)
        return o311_xml_as_json(E->dir, r);
    assert_string_equal(ht_header(r, "Content-Type"), O311_JSON_TYPE);
    return ht_json(r);
}

/* s percent-encoded for a form (malloc'd). */
static char *enc(const char *s)
{
    char *out = xmalloc(3 * strlen(s) + 1), *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || *p == '-' || *p == '_' || *p == '.' || *p == '~')
            *o++ = (char)*p;
        else
            o += sprintf(o, "%%%02X", *p);
    }
    *o = 0;
    return out;
}

/* POST body to /open311/v2/PATH (as a form unless type says otherwise). */
static void post_as(const char *path, const char *type, const char *body, struct ht_response *r)
{
    char full[128];
    snprintf(full, sizeof full, "/open311/v2/%s", path);
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST", .path = full, .content_type = type, .body = body},
          r);
}

static void post(const char *fmt, const char *body, struct ht_response *r)
{
    char path[32];
    snprintf(path, sizeof path, "requests.%s", fmt);
    post_as(path, FORM_TYPE, body, r);
}

static long long cases_now(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM cases");
}

/* Fails unless r is the spec's error body with status, in fmt: one error {code, description},
 * code the status, a description to show. */
static void assert_error_body(const struct ht_response *r, const char *fmt, long status)
{
    if (r->status != status)
        fail_msg("expected %ld, got %ld: %s", status, r->status, r->body);
    json_t *doc = answer(r, fmt);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 1);
    json_t *e = json_array_get(doc, 0);
    assert_int_equal(json_object_size(e), 2);
    json_t *code = json_object_get(e, "code");
    if (strcmp(fmt, "json") == 0) {
        assert_true(json_is_integer(code));
        assert_int_equal(json_integer_value(code), status);
    } else {
        char want[8];
        snprintf(want, sizeof want, "%ld", status);
        assert_string_equal(json_string_value(code), want);
    }
    assert_true(json_string_length(json_object_get(e, "description")) > 0);
    json_decref(doc);
}

/* POSTs body in both formats, expecting status in the spec's error body each time, the two
 * descriptions the same, and no case stored. Returns the JSON description (free it). */
static char *refused(const char *body, long status)
{
    long long before = cases_now();
    char *desc[2];
    const char *fmts[] = {"json", "xml"};
    for (size_t i = 0; i < 2; i++) {
        struct ht_response r;
        post(fmts[i], body, &r);
        assert_error_body(&r, fmts[i], status);
        json_t *doc = answer(&r, fmts[i]);
        desc[i] =
            xstrdup(json_string_value(json_object_get(json_array_get(doc, 0), "description")));
        json_decref(doc);
        ht_response_free(&r);
    }
    assert_string_equal(desc[0], desc[1]);
    free(desc[1]);
    assert_int_equal(cases_now(), before);
    return desc[0];
}

/* `akar apikey add` (key on the first line of its output). */
static char *cli_add(const char *unit, const char *scope)
{
    char *out;
    int rc = ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--unit", unit, "--scope",
                         scope, HT_END);
    if (rc != 0)
        fail_msg("akar apikey add exited %d: %s", rc, out);
    out[strcspn(out, "\n")] = 0;
    return out;
}

/* The body of a good request by the write key, with more arguments (may be ""). */
static char *body_with(const char *more)
{
    char *b = xmalloc(strlen(write_key) + strlen(more) + 64);
    sprintf(b, "api_key=%s&service_code=land%s", write_key, more);
    return b;
}

/* Files a request in fmt; returns its id (free it) after checking the answer's shape. */
static char *file_ok(const char *fmt, const char *body)
{
    struct ht_response r;
    post(fmt, body, &r);
    if (r.status != 201)
        fail_msg("POST requests.%s %s: %ld %s", fmt, body, r.status, r.body);
    json_t *doc = answer(&r, fmt);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 1);
    json_t *q = json_array_get(doc, 0);
    const char *id = json_string_value(json_object_get(q, "service_request_id"));
    assert_non_null(id);
    assert_true(json_string_length(json_object_get(q, "service_notice")) > 0);
    assert_null(json_object_get(q, "token")); /* an id or a token, never both */
    assert_int_equal(json_object_size(q), 2);
    char *out = xstrdup(id);
    char location[96];
    snprintf(location, sizeof location, "/open311/v2/requests/%s.%s", out, fmt);
    assert_string_equal(ht_header(&r, "Location"), location);
    json_decref(doc);
    ht_response_free(&r);
    return out;
}

/* GET requests/{id}.json: the one request (a new reference). */
static json_t *request_of(const char *id)
{
    char path[96];
    snprintf(path, sizeof path, "/open311/v2/requests/%s.json", id);
    struct ht_response r;
    ht_get(E->srv.port, path, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    json_t *q = json_incref(json_array_get(doc, 0));
    json_decref(doc);
    assert_non_null(q);
    return q;
}

static long long db_int(const char *fmt, const char *id)
{
    char code[TRACKING_TEXT], sql[256];
    assert_true(tracking_normalise(id, code));
    snprintf(sql, sizeof sql, fmt, code);
    return ht_db_int(E->db, sql);
}

static const char *member(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

/* ---- filing ---- */

static void test_a_write_key_files_a_request_in_json(void **state)
{
    (void)state;
    char *first = enc(FIRST), *last = enc(LAST), *email = enc(EMAIL), *phone = enc(PHONE),
         *desc = enc(DESC);
    char more[1024];
    snprintf(more, sizeof more,
             "&jurisdiction_id=586.01&lat=11.625&long=109.1875&description=%s&first_name=%s"
             "&last_name=%s&email=%s&phone=%s&device_id=abc&account_id=42&media_url=",
             desc, first, last, email, phone);
    char *body = body_with(more);
    char *id = file_ok("json", body);
    json_t *q = request_of(id);
    assert_string_equal(member(q, "service_request_id"), id);
    assert_string_equal(member(q, "service_code"), "land");
    assert_string_equal(member(q, "status"), "open");
    assert_string_equal(member(q, "description"), DESC);
    assert_true(json_number_value(json_object_get(q, "lat")) == 11.625);
    assert_true(json_number_value(json_object_get(q, "long")) == 109.1875);
    json_decref(q);
    /* a petition like any other: the intake's kind, channel, unit and category */
    assert_int_equal(db_int("SELECT count(*) FROM cases c JOIN units u ON u.id = c.unit_id "
                            "WHERE c.tracking_code = '%s' AND c.kind = 'feedback' AND "
                            "c.channel = 'open311' AND u.code = '586.01' AND c.privacy = 'public'",
                            id),
                     1);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM audit WHERE action = 'case.submit' AND actor = 'apikey:%lld'",
             write_key_id);
    assert_true(ht_db_int(E->db, sql) >= 1);
    /* the submitter is the reporter, for officials; the public request shows none of it */
    long long case_id = db_int("SELECT id FROM cases WHERE tracking_code = '%s'", id);
    char *token = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", case_id);
    struct ht_response r;
    ht_call(E->srv.port, "GET", path, token, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *c = ht_json(&r);
    ht_response_free(&r);
    json_t *rep = json_object_get(c, "reporter");
    assert_string_equal(member(rep, "name"), FIRST " " LAST);
    assert_string_equal(member(rep, "email"), EMAIL);
    assert_string_equal(member(rep, "phone"), PHONE);
    assert_string_equal(member(c, "title"), "Đất đai");
    json_decref(c);
    snprintf(path, sizeof path, "/open311/v2/requests/%s.json", id);
    ht_get(E->srv.port, path, &r);
    assert_null(strstr(r.body, FIRST));
    assert_null(strstr(r.body, EMAIL));
    ht_response_free(&r);
    free(token);
    free(id);
    free(body);
    free(first);
    free(last);
    free(email);
    free(phone);
    free(desc);
}

static void test_a_request_in_xml_by_address(void **state)
{
    (void)state;
    char *addr = enc("Thôn Vĩnh Hy, xã Vĩnh Hải");
    char more[256];
    snprintf(more, sizeof more, "&address_string=%s&jurisdiction_id=586.01", addr);
    char *body = body_with(more);
    char *id = file_ok("xml", body);
    json_t *q = request_of(id);
    assert_string_equal(member(q, "address"), "Thôn Vĩnh Hy, xã Vĩnh Hải");
    assert_true(json_is_null(json_object_get(q, "lat")));
    /* no description given: the service says what it is about */
    assert_string_equal(member(q, "description"), "Đất đai");
    json_decref(q);
    free(id);
    free(body);
    free(addr);
}

static void test_an_address_id_and_empty_arguments_count_as_given_and_absent(void **state)
{
    (void)state;
    /* empty optional arguments are absent ones; the key's unit is the default jurisdiction */
    char *body = body_with("&address_id=VH-0042&description=&email=&first_name=&lat=&long="
                           "&jurisdiction_id=&attribute%5Bnote%5D=");
    char *id = file_ok("json", body);
    json_t *q = request_of(id);
    assert_string_equal(member(q, "address"), "address_id VH-0042");
    json_decref(q);
    assert_int_equal(db_int("SELECT count(*) FROM cases c JOIN units u ON u.id = c.unit_id "
                            "WHERE c.tracking_code = '%s' AND u.code = '586' AND "
                            "c.reporter IS NULL",
                            id),
                     1);
    free(id);
    free(body);
    /* a service that the commune offers itself (its own department's administrative) */
    char b2[256];
    snprintf(b2, sizeof b2,
             "api_key=%s&service_code=administrative&jurisdiction_id=586.01&address_id=1",
             write_key);
    id = file_ok("xml", b2);
    free(id);
}

/* ---- errors ---- */

static void test_the_key_is_checked_first_and_refused_with_403(void **state)
{
    (void)state;
    char b[512];
    free(refused("service_code=land&address_id=1", 403));
    free(refused("api_key=&service_code=land&address_id=1", 403));
    free(refused("", 403));
    /* the key comes before every other argument */
    free(refused("jurisdiction_id=nowhere", 403));
    snprintf(b, sizeof b, "api_key=%sx&service_code=land&address_id=1", write_key);
    free(refused(b, 403));
    snprintf(b, sizeof b,
             "api_key=akar_key_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"
             "&service_code=land&address_id=1");
    free(refused(b, 403));
    snprintf(b, sizeof b, "api_key=%s&service_code=land&address_id=1", revoked_key);
    free(refused(b, 403));
    snprintf(b, sizeof b, "api_key=%s&service_code=land&address_id=1", read_key);
    char *d = refused(b, 403);
    assert_non_null(strstr(d, "read"));
    free(d);
    /* a session token is no api_key */
    char *token = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    snprintf(b, sizeof b, "api_key=%s&service_code=land&address_id=1", token);
    free(refused(b, 403));
    free(token);
    /* a jurisdiction outside the key's subtree */
    snprintf(b, sizeof b, "api_key=%s&service_code=land&address_id=1&jurisdiction_id=582",
             write_key);
    free(refused(b, 403));
    snprintf(b, sizeof b, "api_key=%s&service_code=land&address_id=1&jurisdiction_id=58",
             write_key);
    free(refused(b, 403));
}

static void test_unknown_service_codes_and_jurisdictions_are_404(void **state)
{
    (void)state;
    char b[512];
    snprintf(b, sizeof b, "api_key=%s&service_code=no_such&address_id=1", write_key);
    free(refused(b, 404));
    snprintf(b, sizeof b, "api_key=%s&service_code=land&address_id=1&jurisdiction_id=nowhere",
             write_key);
    free(refused(b, 404));
}

static void test_everything_else_that_stops_creation_is_400(void **state)
{
    (void)state;
    static const char *const more[] = {
        "",                                     /* no location */
        "&lat=11.5",                            /* lat alone */
        "&long=109.1&address_id=1",             /* long alone */
        "&lat=north&long=109.1",                /* not a number */
        "&lat=11.5&long=inf",                   /* not a finite number */
        "&lat=91&long=109.1",                   /* out of range */
        "&address_id=1&attribute%5Bdepth%5D=3", /* an attribute no service has */
        "&address_id=1&email=not-an-address",   /* the intake's own rules */
        "&address_id=1&phone=12",               /* ditto */
        "&address_id=1&first_name=%20%20",      /* a blank name */
    };
    for (size_t i = 0; i < sizeof more / sizeof more[0]; i++) {
        char *body = body_with(more[i]);
        free(refused(body, 400));
        free(body);
    }
    char b[512];
    snprintf(b, sizeof b, "api_key=%s&address_id=1", write_key);
    char *d = refused(b, 400);
    assert_non_null(strstr(d, "service_code"));
    free(d);
    /* a description longer than the spec's 4,000 characters */
    char *long_desc = xmalloc(4100);
    memset(long_desc, 'a', 4001);
    long_desc[4001] = 0;
    char *body = xmalloc(4300);
    sprintf(body, "api_key=%s&service_code=land&address_id=1&description=%s", write_key, long_desc);
    d = refused(body, 400);
    assert_non_null(strstr(d, "description"));
    free(d);
    free(body);
    free(long_desc);
    /* a malformed form, and a body that is not a form */
    long long before = cases_now();
    struct ht_response r;
    body = body_with("&address_id=%zz");
    post("json", body, &r);
    assert_error_body(&r, "json", 400);
    ht_response_free(&r);
    free(body);
    post_as("requests.xml", "application/json", "{\"api_key\":\"x\"}", &r);
    assert_error_body(&r, "xml", 400);
    ht_response_free(&r);
    /* a suffix naming no format is answered in XML; POST files requests, nothing else */
    body = body_with("&address_id=1");
    post_as("requests.txt", FORM_TYPE, body, &r);
    assert_error_body(&r, "xml", 400);
    ht_response_free(&r);
    post_as("services.json", FORM_TYPE, body, &r);
    assert_error_body(&r, "json", 400);
    ht_response_free(&r);
    free(body);
    assert_int_equal(cases_now(), before);
}

static void test_the_throttle_is_the_keys_and_a_400_with_retry_after(void **state)
{
    (void)state;
    struct ht_server srv;
    const char *const extra[] = {"--key-submit-limit", "1", NULL};
    ht_server_start_with(&srv, E->db, NULL, extra);
    char *body = body_with("&address_id=1");
    struct ht_response r;
    /* one request passes, unless the key's count is shared with the first server (on
     * PostgreSQL, servers count together) and spent already */
    ht_do(srv.port,
          &(struct ht_request){
              .path = "/open311/v2/requests.json", .content_type = FORM_TYPE, .body = body},
          &r);
    assert_true(r.status == 201 || r.status == 400);
    ht_response_free(&r);
    long long before = cases_now();
    const char *paths[] = {"/open311/v2/requests.json", "/open311/v2/requests.xml"};
    const char *fmts[] = {"json", "xml"};
    for (size_t i = 0; i < 2; i++) {
        ht_do(srv.port,
              &(struct ht_request){.path = paths[i], .content_type = FORM_TYPE, .body = body}, &r);
        assert_error_body(&r, fmts[i], 400);
        assert_non_null(ht_header(&r, "Retry-After"));
        ht_response_free(&r);
    }
    assert_int_equal(cases_now(), before);
    free(body);
    assert_int_equal(ht_server_stop(&srv), 0);
}

/* ---- tokens ---- */

static void test_a_requests_id_is_its_token(void **state)
{
    (void)state;
    char *body = body_with("&address_id=7&jurisdiction_id=586.01");
    char *id = file_ok("json", body);
    free(body);
    const char *fmts[] = {"json", "xml"};
    for (size_t i = 0; i < 2; i++) {
        /* as typed: any case, without hyphens */
        char typed[TRACKING_TEXT + 8], path[128];
        size_t k = 0;
        for (const char *p = id; *p; p++)
            if (*p != '-')
                typed[k++] = (char)tolower((unsigned char)*p);
        typed[k] = 0;
        snprintf(path, sizeof path, "/open311/v2/tokens/%s.%s%s", i ? id : typed, fmts[i],
                 i ? "?jurisdiction_id=586" : "");
        struct ht_response r;
        ht_get(E->srv.port, path, &r);
        if (r.status != 200)
            fail_msg("%s: %ld %s", path, r.status, r.body);
        json_t *doc = answer(&r, fmts[i]);
        assert_true(json_is_array(doc));
        assert_int_equal(json_array_size(doc), 1);
        json_t *t = json_array_get(doc, 0);
        assert_int_equal(json_object_size(t), 2);
        assert_string_equal(member(t, "service_request_id"), id);
        assert_string_equal(member(t, "token"), id);
        json_decref(doc);
        ht_response_free(&r);
    }
    /* unknown tokens, another jurisdiction's request, an unknown jurisdiction: 404 */
    char unused[TRACKING_TEXT], path[128];
    tracking_new(unused);
    const char *missing[] = {"nothing", unused};
    for (size_t i = 0; i < 2; i++)
        for (size_t f = 0; f < 2; f++) {
            snprintf(path, sizeof path, "/open311/v2/tokens/%s.%s", missing[i], fmts[f]);
            struct ht_response r;
            ht_get(E->srv.port, path, &r);
            assert_error_body(&r, fmts[f], 404);
            ht_response_free(&r);
        }
    const char *juris[] = {"582", "nowhere"};
    for (size_t i = 0; i < 2; i++) {
        snprintf(path, sizeof path, "/open311/v2/tokens/%s.json?jurisdiction_id=%s", id, juris[i]);
        struct ht_response r;
        ht_get(E->srv.port, path, &r);
        assert_error_body(&r, "json", 404);
        ht_response_free(&r);
    }
    snprintf(path, sizeof path, "/open311/v2/tokens/%s.txt", id);
    struct ht_response r;
    ht_get(E->srv.port, path, &r);
    assert_error_body(&r, "xml", 400);
    ht_response_free(&r);
    free(id);
}

/* ---- fixture ---- */

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    write_key = cli_add("586", "write");
    read_key = cli_add("586", "read");
    revoked_key = cli_add("586", "write");
    write_key_id = ht_db_int(E->db, "SELECT min(id) FROM api_keys");
    char id[24], *out;
    snprintf(id, sizeof id, "%lld", ht_db_int(E->db, "SELECT max(id) FROM api_keys"));
    if (ht_akar_run(NULL, &out, "apikey", "revoke", id, "--db", E->db, HT_END) != 0)
        fail_msg("revoke: %s", out);
    free(out);
    return rc;
}

static int teardown(void **state)
{
    free(write_key);
    free(read_key);
    free(revoked_key);
    return ht_env_teardown(state);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_a_write_key_files_a_request_in_json),
        cmocka_unit_test(test_a_request_in_xml_by_address),
        cmocka_unit_test(test_an_address_id_and_empty_arguments_count_as_given_and_absent),
        cmocka_unit_test(test_the_key_is_checked_first_and_refused_with_403),
        cmocka_unit_test(test_unknown_service_codes_and_jurisdictions_are_404),
        cmocka_unit_test(test_everything_else_that_stops_creation_is_400),
        cmocka_unit_test(test_the_throttle_is_the_keys_and_a_400_with_retry_after),
        cmocka_unit_test(test_a_requests_id_is_its_token),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return rc;
}
