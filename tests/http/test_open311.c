/* Open311 GeoReport v2, the read-only part (/open311/v2/), end to end: the service list and a
 * service definition in JSON, checked field by field against the official schemas
 * (services.json, service.json, service-definition.json), and in XML, read by Python's XML
 * parser and required to say exactly what the JSON says; the spec's error bodies in both
 * formats for an unknown jurisdiction, an unknown service code, an unknown request id and a
 * suffix naming no format. A service request shows what public tracking shows and no more. */
#include "harness.h"
#include "open311.h"

#include "base/mem.h"
#include "domain/tracking.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static struct ht_env *E;

/* GET path, expecting status and content type. */
static void get(const char *path, long status, const char *type, struct ht_response *r)
{
    ht_get(E->srv.port, path, r);
    if (r->status != status)
        fail_msg("%s: %ld %s", path, r->status, r->body);
    assert_string_equal(ht_header(r, "Content-Type"), type);
}

/* service.json: required service_code, service_name (strings), metadata (boolean), type (one
 * of three); description, keywords, group: string or null when present. */
static void assert_service(json_t *s)
{
    assert_true(json_is_object(s));
    assert_true(json_is_string(json_object_get(s, "service_code")));
    assert_true(json_is_string(json_object_get(s, "service_name")));
    assert_true(json_is_boolean(json_object_get(s, "metadata")));
    const char *type = json_string_value(json_object_get(s, "type"));
    assert_non_null(type);
    assert_true(strcmp(type, "realtime") == 0 || strcmp(type, "batch") == 0 ||
                strcmp(type, "blackbox") == 0);
    const char *optional[] = {"description", "keywords", "group"};
    for (size_t i = 0; i < 3; i++)
        if (json_object_get(s, optional[i]))
            assert_true(o311_string_or_null(json_object_get(s, optional[i])));
}

/* services.json: an array of service.json; returns the entry of code (borrowed) or NULL. */
static json_t *assert_services(json_t *doc, const char *code)
{
    assert_true(json_is_array(doc));
    json_t *found = NULL, *s;
    size_t i;
    json_array_foreach(doc, i, s)
    {
        assert_service(s);
        if (strcmp(json_string_value(json_object_get(s, "service_code")), code) == 0)
            found = s;
    }
    return found;
}

/* The spec's error body in JSON: [{"code": status, "description": text}], nothing else. */
static void assert_json_error(const char *path, long status)
{
    struct ht_response r;
    get(path, status, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 1);
    json_t *e = json_array_get(doc, 0);
    assert_int_equal(json_object_size(e), 2);
    assert_int_equal(json_integer_value(json_object_get(e, "code")), status);
    assert_true(json_is_integer(json_object_get(e, "code")));
    assert_true(json_string_length(json_object_get(e, "description")) > 0);
    json_decref(doc);
    ht_response_free(&r);
}

/* The error in both formats: JSON as above, and XML saying the same. */
static void assert_error(const char *stem, const char *query, long status)
{
    char j[256], x[256];
    snprintf(j, sizeof j, "%s.json%s", stem, query);
    snprintf(x, sizeof x, "%s.xml%s", stem, query);
    assert_json_error(j, status);
    o311_assert_xml_mirrors(E->srv.port, E->dir, x, j);
}

static void test_services_are_the_jurisdictions_categories(void **state)
{
    (void)state;
    struct ht_response r;
    get("/open311/v2/services.json", 200, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    json_t *land = assert_services(doc, "land");
    assert_non_null(land);
    assert_string_equal(json_string_value(json_object_get(land, "service_name")), "Đất đai");
    assert_string_equal(json_string_value(json_object_get(land, "group")),
                        "Sở Tài nguyên và Môi trường");
    assert_true(json_is_false(json_object_get(land, "metadata")));
    assert_string_equal(json_string_value(json_object_get(land, "type")), "realtime");
    /* the province's own, not the one a commune offers under the same code */
    assert_string_equal(
        json_string_value(json_object_get(assert_services(doc, "administrative"), "group")),
        "Văn phòng UBND tỉnh");
    json_decref(doc);
    ht_response_free(&r);
    o311_assert_xml_mirrors(E->srv.port, E->dir, "/open311/v2/services.xml",
                            "/open311/v2/services.json");
}

static void test_a_units_services_include_its_own_and_the_nearest_department(void **state)
{
    (void)state;
    struct ht_response r;
    get("/open311/v2/services.json?jurisdiction_id=586.01", 200, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    assert_string_equal(
        json_string_value(json_object_get(assert_services(doc, "administrative"), "group")),
        "Bộ phận Một cửa xã Vĩnh Hải");
    json_t *land = assert_services(doc, "land");
    assert_non_null(land);
    assert_string_equal(json_string_value(json_object_get(land, "group")),
                        "Phòng Tài nguyên và Môi trường huyện Ninh Hải");
    size_t lands = 0, i;
    json_t *s;
    json_array_foreach(doc, i, s)
    {
        lands += strcmp(json_string_value(json_object_get(s, "service_code")), "land") == 0;
    }
    assert_int_equal(lands, 1);
    json_decref(doc);
    ht_response_free(&r);
    o311_assert_xml_mirrors(E->srv.port, E->dir, "/open311/v2/services.xml?jurisdiction_id=586.01",
                            "/open311/v2/services.json?jurisdiction_id=586.01");
}

static void test_an_empty_jurisdiction_is_an_absent_one(void **state)
{
    (void)state;
    struct ht_response a, b;
    get("/open311/v2/services.json", 200, O311_JSON_TYPE, &a);
    get("/open311/v2/services.json?jurisdiction_id=", 200, O311_JSON_TYPE, &b);
    assert_string_equal(a.body, b.body);
    ht_response_free(&a);
    ht_response_free(&b);
}

static void test_an_unknown_jurisdiction_is_404(void **state)
{
    (void)state;
    assert_error("/open311/v2/services", "?jurisdiction_id=nowhere", 404);
    assert_error("/open311/v2/services/land", "?jurisdiction_id=nowhere", 404);
}

static void test_a_service_definition_has_no_attributes_yet(void **state)
{
    (void)state;
    struct ht_response r;
    get("/open311/v2/services/administrative.json?jurisdiction_id=586.01", 200, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    /* service-definition.json: service_code a string, attributes an array */
    assert_true(json_is_object(doc));
    assert_int_equal(json_object_size(doc), 2);
    assert_string_equal(json_string_value(json_object_get(doc, "service_code")), "administrative");
    assert_true(json_is_array(json_object_get(doc, "attributes")));
    assert_int_equal(json_array_size(json_object_get(doc, "attributes")), 0);
    json_decref(doc);
    ht_response_free(&r);
    o311_assert_xml_mirrors(E->srv.port, E->dir, "/open311/v2/services/land.xml",
                            "/open311/v2/services/land.json");
}

static void test_an_unknown_service_code_is_404(void **state)
{
    (void)state;
    assert_error("/open311/v2/services/no_such_service", "", 404);
    assert_error("/open311/v2/services/no_such_service", "?jurisdiction_id=586.01", 404);
}

static void test_a_suffix_naming_no_format_is_400_in_xml(void **state)
{
    (void)state;
    const char *paths[] = {"/open311/v2/services.txt", "/open311/v2/services",
                           "/open311/v2/services/land.csv", "/open311/v2/services/land"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        struct ht_response r;
        get(paths[i], 400, O311_XML_TYPE, &r);
        assert_non_null(
            strstr(r.body, O311_XML_DECL "<errors><error><code>400</code><description>"));
        assert_non_null(strstr(r.body, "</description></error></errors>"));
        ht_response_free(&r);
    }
}

static void test_an_unknown_resource_is_404(void **state)
{
    (void)state;
    assert_error("/open311/v2/nothing", "", 404);
}

#define REPORTER  "Người Gửi Riêng"
#define CONF_DESC "Nội dung kín chỉ người gửi được xem"
#define PLACE     "Thôn Vĩnh Hy"

/* Files a case (POST /api/v1/cases) and returns its tracking code (free it). */
static char *submit(const char *json)
{
    struct ht_response r;
    ht_post_json(E->srv.port, "/api/v1/cases", json, &r);
    if (r.status != 201)
        fail_msg("submit %s: %ld %s", json, r.status, r.body);
    json_t *doc = ht_json(&r);
    char *code = xstrdup(json_string_value(json_object_get(doc, "tracking_code")));
    json_decref(doc);
    ht_response_free(&r);
    return code;
}

/* requests.json holding one request.json (o311_assert_request). Returns the request (a new
 * reference). */
static json_t *assert_one_request(const char *path)
{
    struct ht_response r;
    get(path, 200, O311_JSON_TYPE, &r);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    assert_true(json_is_array(doc));
    assert_int_equal(json_array_size(doc), 1);
    json_t *q = json_incref(json_array_get(doc, 0));
    json_decref(doc);
    o311_assert_request(q);
    return q;
}

static const char *member(json_t *o, const char *key)
{
    return json_string_value(json_object_get(o, key));
}

static void test_a_request_is_its_cases_public_tracking(void **state)
{
    (void)state;
    char *code = submit("{\"kind\":\"feedback\",\"unit\":\"586.01\",\"category\":\"land\","
                        "\"title\":\"Lấn chiếm đất công\",\"description\":\"Một hàng rào mới.\","
                        "\"location\":{\"lat\":11.625,\"lon\":109.1875,\"address\":\"" PLACE
                        "\"},\"reporter\":{\"name\":\"" REPORTER "\"}}");
    char json[96], xml[96];
    snprintf(json, sizeof json, "/open311/v2/requests/%s.json", code);
    snprintf(xml, sizeof xml, "/open311/v2/requests/%s.xml", code);
    json_t *q = assert_one_request(json);
    assert_string_equal(member(q, "service_request_id"), code);
    assert_string_equal(member(q, "status"), "open");
    assert_string_equal(member(q, "service_code"), "land");
    assert_string_equal(member(q, "service_name"), "Đất đai");
    assert_string_equal(member(q, "description"), "Một hàng rào mới.");
    assert_non_null(member(q, "agency_responsible"));
    assert_true(o311_is_datetime(json_object_get(q, "updated_datetime")));
    assert_true(o311_is_datetime(json_object_get(q, "expected_datetime")));
    assert_string_equal(member(q, "address"), PLACE);
    assert_true(json_number_value(json_object_get(q, "lat")) == 11.625);
    assert_true(json_number_value(json_object_get(q, "long")) == 109.1875);
    json_decref(q);
    struct ht_response r;
    get(json, 200, O311_JSON_TYPE, &r);
    assert_null(strstr(r.body, REPORTER));
    ht_response_free(&r);
    o311_assert_xml_mirrors(E->srv.port, E->dir, xml, json);
    /* the id as people type it: any case, hyphens anywhere */
    char typed[96];
    snprintf(typed, sizeof typed, "/open311/v2/requests/%s.json", code);
    for (char *p = typed + strlen("/open311/v2/requests/"); *p != '.'; p++)
        *p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
    json_decref(assert_one_request(typed));
    free(code);
}

static void test_a_confidential_request_shows_no_more_than_its_tracking(void **state)
{
    (void)state;
    char *code = submit("{\"kind\":\"complaint\",\"unit\":\"586.01\",\"confidential\":true,"
                        "\"title\":\"Khiếu nại kín\",\"description\":\"" CONF_DESC "\","
                        "\"location\":{\"lat\":11.5,\"lon\":109.5,\"address\":\"" PLACE "\"},"
                        "\"reporter\":{\"name\":\"" REPORTER "\",\"phone\":\"0905123456\"}}");
    char json[96], xml[96];
    snprintf(json, sizeof json, "/open311/v2/requests/%s.json", code);
    snprintf(xml, sizeof xml, "/open311/v2/requests/%s.xml", code);
    json_t *q = assert_one_request(json);
    /* no category: the kind stands as the service code */
    assert_string_equal(member(q, "service_code"), "complaint");
    assert_true(json_is_null(json_object_get(q, "service_name")));
    assert_true(json_is_null(json_object_get(q, "description")));
    assert_true(json_is_null(json_object_get(q, "address")));
    assert_true(json_is_null(json_object_get(q, "lat")));
    json_decref(q);
    const char *paths[] = {json, xml};
    for (size_t i = 0; i < 2; i++) {
        struct ht_response r;
        ht_get(E->srv.port, paths[i], &r);
        assert_int_equal(r.status, 200);
        assert_null(strstr(r.body, REPORTER));
        assert_null(strstr(r.body, CONF_DESC));
        assert_null(strstr(r.body, PLACE));
        assert_null(strstr(r.body, "0905123456"));
        ht_response_free(&r);
    }
    o311_assert_xml_mirrors(E->srv.port, E->dir, xml, json);
    free(code);
}

static void test_an_unknown_request_id_is_404(void **state)
{
    (void)state;
    /* not a code, and a well-formed code (its check symbol right) that no case has */
    assert_error("/open311/v2/requests/nothing", "", 404);
    char unused[TRACKING_TEXT], stem[96];
    tracking_new(unused);
    snprintf(stem, sizeof stem, "/open311/v2/requests/%s", unused);
    assert_error(stem, "", 404);
    char *code = submit("{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"Đèn hỏng\","
                        "\"description\":\"Không sáng.\"}");
    /* a case outside the jurisdiction named is not one of its requests */
    snprintf(stem, sizeof stem, "/open311/v2/requests/%s", code);
    assert_error(stem, "?jurisdiction_id=582", 404);
    assert_error(stem, "?jurisdiction_id=nowhere", 404);
    snprintf(stem, sizeof stem, "/open311/v2/requests/%s.txt", code);
    struct ht_response r;
    get(stem, 400, O311_XML_TYPE, &r);
    ht_response_free(&r);
    free(code);
}

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    return rc;
}

static int teardown(void **state)
{
    return ht_env_teardown(state);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_services_are_the_jurisdictions_categories),
        cmocka_unit_test(test_a_units_services_include_its_own_and_the_nearest_department),
        cmocka_unit_test(test_an_empty_jurisdiction_is_an_absent_one),
        cmocka_unit_test(test_an_unknown_jurisdiction_is_404),
        cmocka_unit_test(test_a_service_definition_has_no_attributes_yet),
        cmocka_unit_test(test_an_unknown_service_code_is_404),
        cmocka_unit_test(test_a_suffix_naming_no_format_is_400_in_xml),
        cmocka_unit_test(test_an_unknown_resource_is_404),
        cmocka_unit_test(test_a_request_is_its_cases_public_tracking),
        cmocka_unit_test(test_a_confidential_request_shows_no_more_than_its_tracking),
        cmocka_unit_test(test_an_unknown_request_id_is_404),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return rc;
}
