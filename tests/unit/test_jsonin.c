/* Unit tests for api/jsonin: each way a request body can be wrong names the field (or "body")
 * it concerns, and a body that follows the declaration comes back as the object. */
#include "api/jsonin.h"

#include "base/utf8.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

static const struct jsonin_field login_fields[] = {
    {"login", JSONIN_STRING, true, 64, NULL, 0},  {"password", JSONIN_STRING, true, 1024, NULL, 0},
    {"remember", JSONIN_BOOL, false, 0, NULL, 0}, {"days", JSONIN_INTEGER, false, 0, NULL, 0},
    {"weight", JSONIN_NUMBER, false, 0, NULL, 0}, {"note", JSONIN_STRING, false, 0, NULL, 0},
};
#define NFIELDS (sizeof login_fields / sizeof *login_fields)

/* Parses body (a C string); on failure fills err and returns NULL. */
static json_t *parse(const char *body, struct jsonin_error *err)
{
    return jsonin_parse(body, strlen(body), login_fields, NFIELDS, err);
}

/* Asserts that body is refused and that the problem is about field. */
static void assert_refused_naming(const char *body, const char *field)
{
    struct jsonin_error err;
    memset(&err, 0, sizeof err);
    json_t *doc = parse(body, &err);
    if (doc)
        json_decref(doc);
    assert_null(doc);
    assert_string_equal(err.field, field);
    assert_true(err.detail[0] != 0);
}

static void test_valid_body_returns_the_object(void **state)
{
    (void)state;
    struct jsonin_error err;
    json_t *doc = parse("{\"login\":\"admin\",\"password\":\"0123456789\",\"remember\":true,"
                        "\"days\":30,\"weight\":1.5,\"note\":\"Th\xC3\xA0nh ph\xE1\xBB\x91\"}",
                        &err);
    assert_non_null(doc);
    assert_true(json_is_object(doc));
    assert_string_equal(json_string_value(json_object_get(doc, "login")), "admin");
    assert_true(json_is_true(json_object_get(doc, "remember")));
    assert_int_equal(json_integer_value(json_object_get(doc, "days")), 30);
    assert_string_equal(json_string_value(json_object_get(doc, "note")),
                        "Th\xC3\xA0nh ph\xE1\xBB\x91");
    json_decref(doc);
}

static void test_optional_fields_may_be_left_out(void **state)
{
    (void)state;
    struct jsonin_error err;
    json_t *doc = parse("{\"password\":\"p\",\"login\":\"a\"}", &err);
    assert_non_null(doc);
    assert_int_equal(json_object_size(doc), 2);
    json_decref(doc);
}

static void test_unknown_field_is_named(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"admin\":true}", "admin");
    assert_refused_naming("{\"Login\":\"a\",\"password\":\"p\"}", "Login");
}

static void test_wrong_type_is_named(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":42,\"password\":\"p\"}", "login");
    assert_refused_naming("{\"login\":\"a\",\"password\":null}", "password");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"remember\":\"yes\"}", "remember");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"remember\":1}", "remember");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"days\":1.5}", "days");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"days\":\"30\"}", "days");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"weight\":\"1\"}", "weight");
    assert_refused_naming("{\"login\":[\"a\"],\"password\":\"p\"}", "login");
    assert_refused_naming("{\"login\":{\"x\":1},\"password\":\"p\"}", "login");
}

static void test_number_field_accepts_integers_and_fractions(void **state)
{
    (void)state;
    struct jsonin_error err;
    json_t *doc = parse("{\"login\":\"a\",\"password\":\"p\",\"weight\":2}", &err);
    assert_non_null(doc);
    json_decref(doc);
    doc = parse("{\"login\":\"a\",\"password\":\"p\",\"weight\":-2.5e3}", &err);
    assert_non_null(doc);
    json_decref(doc);
}

static void test_missing_required_field_is_named(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":\"a\"}", "password");
    assert_refused_naming("{\"password\":\"p\"}", "login");
    assert_refused_naming("{}", "login");
}

static void test_too_long_string_is_named(void **state)
{
    (void)state;
    char body[200];
    char login[66];
    memset(login, 'a', 64);
    login[64] = 0;
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"p\"}", login);
    struct jsonin_error err;
    json_t *doc = parse(body, &err);
    assert_non_null(doc);
    json_decref(doc);
    login[64] = 'a';
    login[65] = 0;
    snprintf(body, sizeof body, "{\"login\":\"%s\",\"password\":\"p\"}", login);
    assert_refused_naming(body, "login");
}

static void test_string_length_limit_is_in_bytes(void **state)
{
    (void)state;
    /* 33 two-byte characters: 66 bytes, over the 64-byte limit. */
    char body[200] = "{\"password\":\"p\",\"login\":\"";
    for (int i = 0; i < 33; i++)
        strcat(body, "\xC3\xA9");
    strcat(body, "\"}");
    assert_refused_naming(body, "login");
}

static void test_default_length_limit_is_ten_thousand_bytes(void **state)
{
    (void)state;
    size_t n = 10001;
    char *body = test_malloc(n + 64);
    strcpy(body, "{\"login\":\"a\",\"password\":\"p\",\"note\":\"");
    size_t k = strlen(body);
    memset(body + k, 'x', n);
    strcpy(body + k + n, "\"}");
    assert_refused_naming(body, "note");
    strcpy(body + k + n - 1, "\"}"); /* exactly 10,000 */
    struct jsonin_error err;
    json_t *doc = parse(body, &err);
    assert_non_null(doc);
    json_decref(doc);
    test_free(body);
}

static void test_body_that_is_not_an_object_is_refused(void **state)
{
    (void)state;
    assert_refused_naming("[{\"login\":\"a\",\"password\":\"p\"}]", "body");
    assert_refused_naming("\"login\"", "body");
    assert_refused_naming("42", "body");
    assert_refused_naming("null", "body");
}

static void test_malformed_json_is_refused(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":\"a\",", "body");
    assert_refused_naming("{login:\"a\"}", "body");
    assert_refused_naming("{\"login\":'a'}", "body");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",}", "body");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\"} {}", "body");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\"} x", "body");
}

static void test_empty_body_is_refused(void **state)
{
    (void)state;
    assert_refused_naming("", "body");
    struct jsonin_error err;
    assert_null(jsonin_parse(NULL, 0, login_fields, NFIELDS, &err));
    assert_string_equal(err.field, "body");
}

static void test_duplicate_keys_are_refused(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"login\":\"admin\"}", "body");
}

static void test_nul_inside_a_string_is_refused(void **state)
{
    (void)state;
    struct jsonin_error err;
    json_t *doc = parse("{\"login\":\"a\\u0000b\",\"password\":\"p\"}", &err);
    if (doc)
        json_decref(doc);
    assert_null(doc);
}

static void test_invalid_utf8_inside_a_value_names_that_field(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":\"a\xFF\"}", "login");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\xC3\"}", "password");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"p\",\"note\":\"\xED\xA0\x80\"}", "note");
    assert_refused_naming("{\"login\":\"a\",\"password\":\"\xC0\xAF\"}", "password");
}

static void test_invalid_utf8_outside_any_string_names_the_body(void **state)
{
    (void)state;
    assert_refused_naming("{\"login\":\"a\"\xFF}", "body");
    assert_refused_naming("\xFF", "body");
}

static void test_error_detail_mentions_the_problem(void **state)
{
    (void)state;
    struct jsonin_error err;
    assert_null(parse("{\"login\":\"a\"}", &err));
    assert_non_null(strstr(err.detail, "required"));
    assert_null(parse("{\"login\":\"a\",\"password\":\"p\",\"x\":1}", &err));
    assert_non_null(strstr(err.detail, "unknown"));
    assert_null(parse("{\"login\":1,\"password\":\"p\"}", &err));
    assert_non_null(strstr(err.detail, "a string"));
}

static void test_long_unknown_field_name_is_cut_to_fit(void **state)
{
    (void)state;
    char body[400] = "{\"";
    for (int i = 0; i < 100; i++)
        strcat(body, "k");
    strcat(body, "\":1}");
    struct jsonin_error err;
    assert_null(parse(body, &err));
    assert_int_equal(strlen(err.field), sizeof err.field - 1);
    assert_int_equal(err.field[0], 'k');
}

static void test_cut_field_name_stays_valid_utf8(void **state)
{
    (void)state;
    /* An unknown field of 40 two-byte characters: 80 bytes, cut to fit 64 - 1. */
    char body[200] = "{\"";
    for (int i = 0; i < 40; i++)
        strcat(body, "\xC3\xA9");
    strcat(body, "\":1}");
    struct jsonin_error err;
    assert_null(parse(body, &err));
    assert_true(strlen(err.field) >= sizeof err.field - 2);
    assert_true(utf8_valid(err.field, strlen(err.field), NULL));
    assert_true(utf8_valid(err.detail, strlen(err.detail), NULL));
}

static void test_invalid_utf8_in_a_long_key_names_it_in_valid_utf8(void **state)
{
    (void)state;
    /* The key's dotted path is cut to fit, here right inside a multibyte character. */
    char body[200] = "{\"x";
    for (int i = 0; i < 30; i++)
        strcat(body, "\xC3\xA9");
    strcat(body, "\xFF\":1}");
    struct jsonin_error err;
    assert_null(parse(body, &err));
    assert_int_equal(err.field[0], 'x');
    assert_true(strlen(err.field) >= 59);
    assert_true(utf8_valid(err.field, strlen(err.field), NULL));
    assert_true(utf8_valid(err.detail, strlen(err.detail), NULL));
}

static void test_every_bad_member_is_named_at_once(void **state)
{
    (void)state;
    struct jsonin_error err;
    json_t *doc = parse("{\"login\":42,\"admin\":true,\"days\":\"30\"}", &err);
    assert_null(doc);
    /* in the body's order, then the required members missing */
    assert_int_equal(err.n, 4);
    assert_string_equal(err.list[0].field, "login");
    assert_string_equal(err.list[1].field, "admin");
    assert_string_equal(err.list[2].field, "days");
    assert_string_equal(err.list[3].field, "password");
    assert_string_equal(err.field, "login");
    assert_string_equal(err.detail, err.list[0].detail);
    for (size_t i = 0; i < err.n; i++)
        assert_true(err.list[i].detail[0] != 0);
}

static void test_past_the_list_problems_are_counted(void **state)
{
    (void)state;
    char body[1024] = "{";
    for (int i = 0; i < JSONIN_ERRORS_MAX + 4; i++)
        snprintf(body + strlen(body), sizeof body - strlen(body), "%s\"x%d\":1", i ? "," : "", i);
    strcat(body, "}");
    struct jsonin_error err;
    assert_null(parse(body, &err));
    assert_int_equal(err.n, JSONIN_ERRORS_MAX + 4 + 2); /* and login, password missing */
    assert_string_equal(err.list[JSONIN_ERRORS_MAX - 1].field, "x15");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_body_returns_the_object),
        cmocka_unit_test(test_optional_fields_may_be_left_out),
        cmocka_unit_test(test_unknown_field_is_named),
        cmocka_unit_test(test_wrong_type_is_named),
        cmocka_unit_test(test_number_field_accepts_integers_and_fractions),
        cmocka_unit_test(test_missing_required_field_is_named),
        cmocka_unit_test(test_too_long_string_is_named),
        cmocka_unit_test(test_string_length_limit_is_in_bytes),
        cmocka_unit_test(test_default_length_limit_is_ten_thousand_bytes),
        cmocka_unit_test(test_body_that_is_not_an_object_is_refused),
        cmocka_unit_test(test_malformed_json_is_refused),
        cmocka_unit_test(test_empty_body_is_refused),
        cmocka_unit_test(test_duplicate_keys_are_refused),
        cmocka_unit_test(test_nul_inside_a_string_is_refused),
        cmocka_unit_test(test_invalid_utf8_inside_a_value_names_that_field),
        cmocka_unit_test(test_invalid_utf8_outside_any_string_names_the_body),
        cmocka_unit_test(test_error_detail_mentions_the_problem),
        cmocka_unit_test(test_long_unknown_field_name_is_cut_to_fit),
        cmocka_unit_test(test_cut_field_name_stays_valid_utf8),
        cmocka_unit_test(test_invalid_utf8_in_a_long_key_names_it_in_valid_utf8),
        cmocka_unit_test(test_every_bad_member_is_named_at_once),
        cmocka_unit_test(test_past_the_list_problems_are_counted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
