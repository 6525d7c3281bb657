/* GET /healthz, and the security headers that every kind of response carries: success, not
 * found, bad request, too large, and the others the API gives. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static unsigned port_of(void **state)
{
    return ((struct ht_env *)*state)->srv.port;
}

static void assert_security_headers(const struct ht_response *r)
{
    const char *csp = ht_header(r, "Content-Security-Policy");
    assert_non_null(csp);
    assert_non_null(strstr(csp, "frame-ancestors 'none'"));
    assert_non_null(strstr(csp, "default-src 'self'"));
    assert_null(strstr(csp, "unsafe-inline"));
    const char *nosniff = ht_header(r, "X-Content-Type-Options");
    assert_non_null(nosniff);
    assert_string_equal(nosniff, "nosniff");
    const char *referrer = ht_header(r, "Referrer-Policy");
    assert_non_null(referrer);
    assert_true(strlen(referrer) > 0);
}

static void test_healthz_answers_ok_json(void **state)
{
    struct ht_response r;
    ht_get(port_of(state), "/healthz", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    assert_int_equal(r.body_len, strlen("{\"status\":\"ok\"}"));
    const char *ct = ht_header(&r, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "application/json", 16), 0);
    assert_security_headers(&r);
    ht_response_free(&r);
}

static void test_healthz_ignores_query_string(void **state)
{
    struct ht_response r;
    ht_get(port_of(state), "/healthz?probe=1", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.body, "{\"status\":\"ok\"}");
    ht_response_free(&r);
}

static void test_not_found_has_security_headers(void **state)
{
    struct ht_response r;
    ht_get(port_of(state), "/api/v1/no/such/thing", &r);
    ht_assert_problem(&r, 404, NULL);
    assert_security_headers(&r);
    ht_response_free(&r);
    /* outside the API a person is looking: an HTML page, with the same headers */
    ht_get(port_of(state), "/no/such/page", &r);
    assert_int_equal(r.status, 404);
    assert_non_null(strstr(ht_header(&r, "Content-Type"), "text/html"));
    assert_security_headers(&r);
    ht_response_free(&r);
}

static void test_bad_request_has_security_headers(void **state)
{
    struct ht_response r;
    ht_post_json(port_of(state), "/api/v1/sessions", "{\"login\":", &r);
    ht_assert_problem(&r, 400, "body");
    assert_security_headers(&r);
    ht_response_free(&r);
}

static void test_too_large_has_security_headers(void **state)
{
    size_t n = 17 << 10;
    char *big = malloc(n + 1);
    memset(big, ' ', n);
    big[n] = 0;
    struct ht_response r;
    ht_post_json(port_of(state), "/api/v1/sessions", big, &r);
    free(big);
    ht_assert_problem(&r, 413, NULL);
    assert_security_headers(&r);
    ht_response_free(&r);
}

static void test_other_errors_have_security_headers(void **state)
{
    struct ht_response r;
    ht_do(port_of(state), &(struct ht_request){.method = "PUT", .path = "/healthz"}, &r);
    ht_assert_problem(&r, 405, NULL);
    assert_security_headers(&r);
    ht_response_free(&r);

    ht_get(port_of(state), "/api/v1/me", &r);
    ht_assert_problem(&r, 401, NULL);
    assert_security_headers(&r);
    ht_response_free(&r);

    ht_do(
        port_of(state),
        &(struct ht_request){.path = "/api/v1/sessions", .content_type = "text/plain", .body = "x"},
        &r);
    ht_assert_problem(&r, 415, NULL);
    assert_security_headers(&r);
    ht_response_free(&r);
}

static void test_shared_and_not_modified_responses_have_security_headers(void **state)
{
    struct ht_response r;
    ht_get(port_of(state), "/api/v1/units", &r);
    assert_int_equal(r.status, 200);
    assert_security_headers(&r);
    const char *etag = ht_header(&r, "ETag");
    assert_non_null(etag);
    char inm[128];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    ht_response_free(&r);

    ht_do(port_of(state), &(struct ht_request){.path = "/api/v1/units", .headers = {inm}}, &r);
    assert_int_equal(r.status, 304);
    assert_security_headers(&r);
    ht_response_free(&r);
}

static void test_metrics_has_security_headers(void **state)
{
    struct ht_response r;
    ht_get(port_of(state), "/metrics", &r);
    assert_int_equal(r.status, 200);
    assert_security_headers(&r);
    ht_response_free(&r);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_healthz_answers_ok_json),
        cmocka_unit_test(test_healthz_ignores_query_string),
        cmocka_unit_test(test_not_found_has_security_headers),
        cmocka_unit_test(test_bad_request_has_security_headers),
        cmocka_unit_test(test_too_large_has_security_headers),
        cmocka_unit_test(test_other_errors_have_security_headers),
        cmocka_unit_test(test_shared_and_not_modified_responses_have_security_headers),
        cmocka_unit_test(test_metrics_has_security_headers),
    };
    int failed = cmocka_run_group_tests_name("health", tests, ht_env_setup, ht_env_teardown);
    ht_done();
    return failed ? 1 : 0;
}
