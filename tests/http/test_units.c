/* GET /api/v1/units: the public unit tree of the demo province, nested province → district →
 * commune → village, with an ETag that turns a repeated request into 304. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static unsigned port_of(void **state)
{
    return ((struct ht_env *)*state)->srv.port;
}

static json_t *get_units(unsigned port, char *etag, size_t etag_len)
{
    struct ht_response r;
    ht_get(port, "/api/v1/units", &r);
    if (r.status != 200)
        fail_msg("GET /api/v1/units: %ld %s", r.status, r.body);
    const char *ct = ht_header(&r, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "application/json", 16), 0);
    if (etag) {
        const char *e = ht_header(&r, "ETag");
        assert_non_null(e);
        snprintf(etag, etag_len, "%s", e);
    }
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    return doc;
}

static const char *str(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    if (!s)
        fail_msg("member %s is missing or not a string", key);
    return s;
}

static void test_units_tree_is_public_and_nested(void **state)
{
    json_t *doc = get_units(port_of(state), NULL, 0);
    json_t *top = json_object_get(doc, "units");
    assert_true(json_is_array(top));
    assert_int_equal(json_array_size(top), 1);
    json_t *province = json_array_get(top, 0);
    assert_string_equal(str(province, "code"), "58");
    assert_string_equal(str(province, "name"), "Tỉnh Ninh Thuận");
    assert_string_equal(str(province, "level"), "province");

    static const char *const districts[] = {"582", "584", "585", "586", "587", "588", "589"};
    json_t *children = json_object_get(province, "children");
    assert_true(json_is_array(children));
    assert_int_equal(json_array_size(children), 7);
    for (size_t i = 0; i < 7; i++) {
        json_t *d = json_array_get(children, i);
        assert_string_equal(str(d, "code"), districts[i]);
        assert_string_equal(str(d, "level"), "district");
        json_t *communes = json_object_get(d, "children");
        if (json_array_size(communes) < 2)
            fail_msg("district %s has %zu communes", districts[i], json_array_size(communes));
        size_t ci;
        json_t *c;
        json_array_foreach(communes, ci, c)
        {
            assert_string_equal(str(c, "level"), "commune");
            assert_int_equal(strncmp(str(c, "code"), districts[i], 3), 0);
            json_t *villages = json_object_get(c, "children");
            if (json_array_size(villages) < 2)
                fail_msg("commune %s has %zu villages", str(c, "code"), json_array_size(villages));
            size_t vi;
            json_t *v;
            json_array_foreach(villages, vi, v)
            {
                assert_string_equal(str(v, "level"), "village");
                assert_int_equal(json_array_size(json_object_get(v, "children")), 0);
            }
        }
    }
    json_decref(doc);
}

static void test_units_carry_time_zone_and_remote_flag(void **state)
{
    json_t *doc = get_units(port_of(state), NULL, 0);
    json_t *districts =
        json_object_get(json_array_get(json_object_get(doc, "units"), 0), "children");
    size_t i;
    json_t *d;
    json_array_foreach(districts, i, d)
    {
        assert_true(strlen(str(d, "time_zone")) > 0);
        assert_true(json_is_boolean(json_object_get(d, "remote")));
        /* Bác Ái is the demo's remote (mountain) district */
        assert_int_equal(json_is_true(json_object_get(d, "remote")),
                         strcmp(str(d, "code"), "584") == 0);
    }
    json_decref(doc);
}

static void test_units_etag_gives_not_modified(void **state)
{
    unsigned port = port_of(state);
    char etag[128];
    json_t *doc = get_units(port, etag, sizeof etag);
    json_decref(doc);
    assert_true(strlen(etag) > 2);

    char inm[160];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    struct ht_response r;
    ht_do(port, &(struct ht_request){.path = "/api/v1/units", .headers = {inm}}, &r);
    assert_int_equal(r.status, 304);
    assert_int_equal(r.body_len, 0);
    const char *again = ht_header(&r, "ETag");
    assert_non_null(again);
    assert_string_equal(again, etag);
    ht_response_free(&r);

    ht_do(port, &(struct ht_request){.path = "/api/v1/units", .headers = {"If-None-Match: \"x\""}},
          &r);
    assert_int_equal(r.status, 200);
    assert_true(r.body_len > 100);
    ht_response_free(&r);
}

static void test_units_etag_is_stable(void **state)
{
    char a[128], b[128];
    json_decref(get_units(port_of(state), a, sizeof a));
    json_decref(get_units(port_of(state), b, sizeof b));
    assert_string_equal(a, b);
}

static void test_units_refuse_writes(void **state)
{
    struct ht_response r;
    ht_do(port_of(state),
          &(struct ht_request){
              .path = "/api/v1/units", .content_type = "application/json", .body = "{}"},
          &r);
    ht_assert_problem(&r, 405, NULL);
    ht_response_free(&r);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_units_tree_is_public_and_nested),
        cmocka_unit_test(test_units_carry_time_zone_and_remote_flag),
        cmocka_unit_test(test_units_etag_gives_not_modified),
        cmocka_unit_test(test_units_etag_is_stable),
        cmocka_unit_test(test_units_refuse_writes),
    };
    int failed = cmocka_run_group_tests_name("units", tests, ht_env_setup, ht_env_teardown);
    ht_done();
    return failed ? 1 : 0;
}
