/* Possible duplicates through HTTP: a case's page lists similar open cases of its unit in the
 * same category and within 200 m, and leaves out the far, the other-category and the settled;
 * a reception desk's intake answer carries them and a printable receipt. */
#include "harness.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static long long submit(unsigned port, const char *token, const char *category, double lon,
                        const char *title, char **receipt, json_t **similar)
{
    char body[1024];
    snprintf(
        body, sizeof body,
        "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"category\":\"%s\",%s\"title\":\"%s\","
        "\"description\":\"Xin kiểm tra và xử lý.\",\"location\":{\"lat\":11.72,\"lon\":%.4f}}",
        category, token ? "\"channel\":\"reception\"," : "", title, lon);
    struct ht_response r;
    ht_call(port, "POST", "/api/v1/cases", token, body, &r);
    assert_int_equal(r.status, 201);
    json_t *doc = ht_json(&r);
    long long id = json_integer_value(json_object_get(doc, "id"));
    if (receipt)
        *receipt = strdup(json_string_value(json_object_get(doc, "receipt")) ?: "");
    if (similar)
        *similar = json_incref(json_object_get(doc, "similar"));
    json_decref(doc);
    ht_response_free(&r);
    return id;
}

static bool lists(json_t *similar, long long id)
{
    size_t i;
    json_t *s;
    json_array_foreach(similar, i,
                       s) if (json_integer_value(json_object_get(s, "id")) == id) return true;
    return false;
}

static void test_similar_cases_are_near_same_category_and_open(void **state)
{
    struct ht_env *env = *state;
    unsigned port = env->srv.port;
    long long near = submit(port, NULL, "infrastructure", 109.2010,
                            "Đèn đường thôn Vĩnh Hy bị hỏng", NULL, NULL);
    long long far = submit(port, NULL, "infrastructure", 109.2100,
                           "Đèn đường thôn Vĩnh Hy bị hỏng lâu ngày", NULL, NULL);
    long long other = submit(port, NULL, "environment", 109.2001,
                             "Đèn đường thôn Vĩnh Hy hỏng gây mất an ninh", NULL, NULL);
    long long settled = submit(port, NULL, "infrastructure", 109.2002,
                               "Đèn đường thôn Vĩnh Hy bị hỏng từ tháng trước", NULL, NULL);
    long long unrelated = submit(port, NULL, "infrastructure", 109.2001,
                                 "Cống thoát nước bị tắc gây ngập úng", NULL, NULL);
    char *token = ht_login(port, "handler.vinhhai", "demo-handler-2026");
    char path[64];
    struct ht_response r;
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", settled);
    ht_call(port, "POST", path, token, "{\"action\":\"reject\",\"reason\":\"trùng\"}", &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);

    char *desk = ht_login(port, "receptionist.vinhhai", "demo-reception-2026");
    char *receipt;
    json_t *similar;
    long long id = submit(port, desk, "infrastructure", 109.2000,
                          "Đèn đường thôn Vĩnh Hy không sáng", &receipt, &similar);
    /* at the desk: the receipt and the possible duplicates */
    assert_non_null(strstr(receipt, "Tracking code / Mã theo dõi: "));
    assert_non_null(strstr(receipt, "Access key / Khóa truy cập: "));
    assert_true(lists(similar, near));
    assert_false(lists(similar, far));
    assert_false(lists(similar, other));
    assert_false(lists(similar, settled));
    assert_false(lists(similar, unrelated));
    assert_false(lists(similar, id));
    json_decref(similar);
    free(receipt);

    /* on demand: the same answer on the case's page, with the distance */
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    ht_call(port, "GET", path, token, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = ht_json(&r);
    similar = json_object_get(doc, "similar");
    assert_true(lists(similar, near));
    assert_false(lists(similar, far));
    assert_false(lists(similar, far));
    assert_false(lists(similar, other));
    assert_false(lists(similar, settled));
    /* the near case comes with its distance (about 109 m east) */
    size_t i;
    json_t *s1;
    json_array_foreach(similar, i, s1)
    {
        if (json_integer_value(json_object_get(s1, "id")) != near)
            continue;
        json_int_t metres = json_integer_value(json_object_get(s1, "distance_m"));
        if (metres <= 100 || metres >= 120)
            fail_msg("distance_m %lld", (long long)metres);
    }
    json_decref(doc);
    ht_response_free(&r);

    /* the public intake answer names no other case */
    json_t *none;
    submit(port, NULL, "infrastructure", 109.2000, "Đèn đường thôn Vĩnh Hy tắt", NULL, &none);
    assert_null(none);
    free(desk);
    free(token);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_similar_cases_are_near_same_category_and_open),
    };
    ht_init();
    int failed = cmocka_run_group_tests(tests, ht_env_setup, ht_env_teardown);
    ht_done();
    return failed;
}
