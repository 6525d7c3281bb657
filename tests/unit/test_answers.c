/* A petition's answers to its category's questions (domain/answers): each code a question,
 * required questions answered, each value of its datatype (number, W3C datetime with its zone,
 * one known key, known keys without repeats, one line of at most 200 characters, a text of at
 * most 4,000), no answers without a category; and the JSON object a case keeps them in. What
 * a question may be (its code, position, datatype, text and choices) and how choices are
 * written for the demo's data and the command line. */
#include "domain/answers.h"

#include "base/arena.h"
#include "base/err.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const struct question_choice kinds[] = {
    {"water", "Nước"}, {"air", "Không khí"}, {"waste", "Rác thải"}, {"noise", "Tiếng ồn"}};
static const struct category_question questions[] = {
    {"kind", "singlevaluelist", "What kind of pollution?", NULL, 1, true, kinds, 4},
    {"sources", "multivaluelist", "Where from?", NULL, 2, false, kinds, 4},
    {"parcel", "string", "Parcel number", "As on the certificate", 3, false, NULL, 0},
    {"area", "number", "Area (m²)", NULL, 4, false, NULL, 0},
    {"since", "datetime", "Since when?", NULL, 5, false, NULL, 0},
    {"story", "text", "What happened", NULL, 6, false, NULL, 0},
};
#define NQ (sizeof questions / sizeof questions[0])

static struct arena *A;

static int setup(void **state)
{
    (void)state;
    A = arena_new();
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    arena_free(A);
    return 0;
}

/* One answer of one value. */
static struct answer one(const char *code, const char *value)
{
    const char **v = arena_alloc(A, sizeof *v);
    v[0] = value;
    return (struct answer){code, v, 1, false};
}

/* One answer of a list of n values. */
static struct answer list(const char *code, size_t n, ...)
{
    const char **v = arena_alloc(A, (n ? n : 1) * sizeof *v);
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        v[i] = va_arg(ap, const char *);
    va_end(ap);
    return (struct answer){code, v, n, true};
}

/* answers_check on the questions above, with a category. */
static int check(const struct answer *in, size_t n, const char **json, struct answers_problem *p)
{
    return answers_check(A, true, questions, NQ, in, n, json, p);
}

/* Fails unless the answers are refused, naming code (NULL: the answers as a whole). */
static void assert_refused(const struct answer *in, size_t n, const char *code)
{
    const char *json;
    struct answers_problem p;
    assert_int_equal(check(in, n, &json, &p), AKAR_EINVAL);
    assert_true(p.detail[0] != 0);
    if (code)
        assert_string_equal(p.code, code);
    else
        assert_null(p.code);
}

static void assert_kept(const struct answer *in, size_t n, const char *want)
{
    const char *json = "unset";
    struct answers_problem p;
    if (check(in, n, &json, &p))
        fail_msg("refused (%s): %s", p.code ? p.code : "-", p.detail);
    if (want)
        assert_string_equal(json, want);
    else
        assert_null(json);
}

static void test_good_answers_are_kept_in_the_questions_order(void **state)
{
    (void)state;
    struct answer in[] = {one("story", "Khói đen\nmỗi tối"),
                          list("sources", 2, "waste", "air"),
                          one("kind", "air"),
                          one("area", "-12.5e2"),
                          one("since", "2026-01-31T08:00:00+07:00"),
                          one("parcel", "TĐ-12/3")};
    assert_kept(in, 6,
                "{\"kind\":\"air\",\"sources\":[\"waste\",\"air\"],\"parcel\":\"TĐ-12/3\","
                "\"area\":\"-12.5e2\",\"since\":\"2026-01-31T08:00:00+07:00\","
                "\"story\":\"Khói đen\\nmỗi tối\"}");
}

static void test_a_multivaluelist_answer_is_always_a_list(void **state)
{
    (void)state;
    struct answer in[] = {one("kind", "water"), one("sources", "noise")};
    assert_kept(in, 2, "{\"kind\":\"water\",\"sources\":[\"noise\"]}");
}

static void test_an_empty_answer_is_none(void **state)
{
    (void)state;
    struct answer in[] = {one("kind", "water"), one("parcel", ""), list("sources", 0)};
    assert_kept(in, 3, "{\"kind\":\"water\"}");
    /* no questions answered, none required: nothing to keep */
    const char *json = "unset";
    struct answers_problem p;
    static const struct category_question optional[] = {
        {"parcel", "string", "Parcel number", NULL, 1, false, NULL, 0}};
    struct answer blank[] = {one("parcel", "")};
    assert_int_equal(answers_check(A, true, optional, 1, blank, 1, &json, &p), 0);
    assert_null(json);
    assert_int_equal(answers_check(A, true, optional, 1, NULL, 0, &json, &p), 0);
    assert_null(json);
}

static void test_a_required_question_must_be_answered(void **state)
{
    (void)state;
    assert_refused(NULL, 0, "kind");
    struct answer empty[] = {one("kind", "")};
    assert_refused(empty, 1, "kind");
    struct answer other[] = {one("parcel", "12")};
    assert_refused(other, 1, "kind");
}

static void test_an_answer_to_no_question_is_refused(void **state)
{
    (void)state;
    struct answer in[] = {one("kind", "air"), one("colour", "red")};
    assert_refused(in, 2, "colour");
    /* even when empty */
    struct answer empty[] = {one("kind", "air"), one("colour", "")};
    assert_refused(empty, 2, "colour");
}

static void test_an_answer_given_twice_is_refused(void **state)
{
    (void)state;
    struct answer in[] = {one("kind", "air"), one("kind", "water")};
    assert_refused(in, 2, "kind");
}

static void test_answers_without_a_category_are_refused(void **state)
{
    (void)state;
    const char *json;
    struct answers_problem p;
    struct answer in[] = {one("kind", "air")};
    assert_int_equal(answers_check(A, false, NULL, 0, in, 1, &json, &p), AKAR_EINVAL);
    assert_null(p.code);
    /* no category and no answers is no problem */
    assert_int_equal(answers_check(A, false, NULL, 0, NULL, 0, &json, &p), 0);
    assert_null(json);
}

static void test_a_singlevaluelist_takes_one_known_key(void **state)
{
    (void)state;
    struct answer unknown[] = {one("kind", "smell")};
    assert_refused(unknown, 1, "kind");
    struct answer by_name[] = {one("kind", "Nước")};
    assert_refused(by_name, 1, "kind");
    struct answer as_list[] = {list("kind", 1, "air")};
    assert_refused(as_list, 1, "kind");
    struct answer two[] = {list("kind", 2, "air", "water")};
    assert_refused(two, 1, "kind");
}

static void test_a_multivaluelist_takes_known_keys_without_repeats(void **state)
{
    (void)state;
    struct answer unknown[] = {one("kind", "air"), list("sources", 2, "air", "smell")};
    assert_refused(unknown, 2, "sources");
    struct answer repeat[] = {one("kind", "air"), list("sources", 3, "air", "water", "air")};
    assert_refused(repeat, 2, "sources");
    struct answer empty_key[] = {one("kind", "air"), list("sources", 2, "air", "")};
    assert_refused(empty_key, 2, "sources");
}

static void test_a_number_is_a_decimal_number(void **state)
{
    (void)state;
    static const char *const good[] = {"0", "12", "-3", "+4", "3.25", "1e3", "2.5E-2"};
    static const char *const bad[] = {"twelve", "12m", " 12", "12 ", "0x10",  "inf",
                                      "nan",    ".5",  "5.",  "1e",  "1e999", "--1"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        struct answer in[] = {one("kind", "air"), one("area", good[i])};
        assert_kept(in, 2, arena_printf(A, "{\"kind\":\"air\",\"area\":\"%s\"}", good[i]));
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct answer in[] = {one("kind", "air"), one("area", bad[i])};
        assert_refused(in, 2, "area");
    }
}

static void test_a_datetime_is_iso_8601_with_its_zone(void **state)
{
    (void)state;
    static const char *const good[] = {"2026-01-31T08:00:00+07:00", "2026-01-31T08:00Z",
                                       "2026-01-31T08:00:00.250Z", "2024-02-29T23:59:59-08:00"};
    static const char *const bad[] = {"2026-01-31T08:00:00",        "2026-01-31",
                                      "2026-01-31 08:00:00Z",       "2026-02-30T08:00:00Z",
                                      "2026-01-31T24:00:00Z",       "2026-01-31T08:00:00+0700",
                                      "2026-01-31T08:00:00+07:00x", "31/01/2026 08:00"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        const char *json;
        struct answers_problem p;
        struct answer in[] = {one("kind", "air"), one("since", good[i])};
        if (check(in, 2, &json, &p))
            fail_msg("%s refused: %s", good[i], p.detail);
    }
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct answer in[] = {one("kind", "air"), one("since", bad[i])};
        assert_refused(in, 2, "since");
    }
}

static void test_a_string_is_one_line_of_200_characters_at_most(void **state)
{
    (void)state;
    /* 200 two-byte characters fit; 201 do not */
    char *s = arena_alloc(A, 2 * 201 + 1);
    for (int i = 0; i < 201; i++)
        memcpy(s + 2 * i, "đ", 2);
    s[2 * 200] = 0;
    struct answer fits[] = {one("kind", "air"), one("parcel", s)};
    const char *json;
    struct answers_problem p;
    assert_int_equal(check(fits, 2, &json, &p), 0);
    memcpy(s + 2 * 200, "đ", 3); /* the character and the terminator */
    struct answer over[] = {one("kind", "air"), one("parcel", s)};
    assert_refused(over, 2, "parcel");
    struct answer lines[] = {one("kind", "air"), one("parcel", "12\n34")};
    assert_refused(lines, 2, "parcel");
    struct answer cr[] = {one("kind", "air"), one("parcel", "12\r34")};
    assert_refused(cr, 2, "parcel");
}

static void test_a_text_has_4000_characters_at_most(void **state)
{
    (void)state;
    char *s = arena_alloc(A, 4002);
    memset(s, 'a', 4001);
    s[4000] = 0;
    struct answer fits[] = {one("kind", "air"), one("story", s)};
    const char *json;
    struct answers_problem p;
    assert_int_equal(check(fits, 2, &json, &p), 0);
    s[4000] = 'a';
    s[4001] = 0;
    struct answer over[] = {one("kind", "air"), one("story", s)};
    assert_refused(over, 2, "story");
}

static void test_too_many_answers_are_refused(void **state)
{
    (void)state;
    struct answer *in = arena_alloc(A, (ANSWERS_MAX + 1) * sizeof *in);
    for (size_t i = 0; i <= ANSWERS_MAX; i++)
        in[i] = one("kind", "air");
    assert_refused(in, ANSWERS_MAX + 1, NULL);
}

static void test_the_datatypes_are_open311s(void **state)
{
    (void)state;
    static const char *const known[] = {"string", "number",          "datetime",
                                        "text",   "singlevaluelist", "multivaluelist"};
    for (size_t i = 0; i < sizeof known / sizeof known[0]; i++)
        assert_true(answers_datatype_known(known[i]));
    assert_false(answers_datatype_known("boolean"));
    assert_false(answers_datatype_known("String"));
    assert_true(answers_datatype_listed("singlevaluelist"));
    assert_true(answers_datatype_listed("multivaluelist"));
    assert_false(answers_datatype_listed("text"));
}

static void test_choices_are_parsed_from_key_name_pairs(void **state)
{
    (void)state;
    struct question_choice *c;
    size_t n;
    assert_int_equal(answers_parse_choices(A, "water=Nước|air=Không khí=gió", &c, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].key, "water");
    assert_string_equal(c[0].name, "Nước");
    assert_string_equal(c[1].key, "air");
    assert_string_equal(c[1].name, "Không khí=gió"); /* the first = splits */
    assert_int_equal(answers_parse_choices(A, "solo=Một", &c, &n), 0);
    assert_int_equal(n, 1);
    static const char *const bad[] = {"",       "water",   "=Nước", "water=", "water=Nước|",
                                      "|air=x", "a=b||c=d"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (answers_parse_choices(A, bad[i], &c, &n) != AKAR_EINVAL)
            fail_msg("\"%s\" parsed", bad[i]);
}

static void test_a_questions_definition_is_checked(void **state)
{
    (void)state;
    static const struct question_choice twice[] = {{"a", "A"}, {"a", "B"}};
    static const struct question_choice blank[] = {{"a", ""}};
    struct category_question good = questions[0];
    assert_null(answers_question_problem(&good));
    for (size_t i = 0; i < NQ; i++)
        assert_null(answers_question_problem(&questions[i]));
    struct category_question q;
#define BROKEN(field, value)                                                                       \
    do {                                                                                           \
        q = good;                                                                                  \
        q.field = value;                                                                           \
        assert_non_null(answers_question_problem(&q));                                             \
    } while (0)
    BROKEN(code, "");
    BROKEN(code, "Kind");
    BROKEN(code, "a b");
    BROKEN(code, "x123456789x123456789x123456789x123456789x123456789x123456789xxxxx");
    BROKEN(code, NULL);
    BROKEN(position, 0);
    BROKEN(datatype, "boolean");
    BROKEN(label, "");
    BROKEN(label, "\xC3");
    BROKEN(description, "\xFF");
    BROKEN(nchoices, 0);
#undef BROKEN
    q = good;
    q.choices = twice;
    q.nchoices = 2;
    assert_non_null(answers_question_problem(&q));
    q.choices = blank;
    q.nchoices = 1;
    assert_non_null(answers_question_problem(&q));
    /* a type without choices may not have any */
    q = questions[2];
    q.choices = kinds;
    q.nchoices = 4;
    assert_non_null(answers_question_problem(&q));
    /* a question of 200 characters and help of 1,000 fit */
    char *label = arena_alloc(A, 2 * 201 + 1), *help = arena_alloc(A, 1002);
    for (int i = 0; i < 200; i++)
        memcpy(label + 2 * i, "đ", 2);
    label[400] = 0;
    memset(help, 'h', 1000);
    help[1000] = 0;
    q = questions[2];
    q.label = label;
    q.description = help;
    assert_null(answers_question_problem(&q));
    memcpy(label + 400, "đ", 3);
    assert_non_null(answers_question_problem(&q));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_good_answers_are_kept_in_the_questions_order),
        cmocka_unit_test(test_a_multivaluelist_answer_is_always_a_list),
        cmocka_unit_test(test_an_empty_answer_is_none),
        cmocka_unit_test(test_a_required_question_must_be_answered),
        cmocka_unit_test(test_an_answer_to_no_question_is_refused),
        cmocka_unit_test(test_an_answer_given_twice_is_refused),
        cmocka_unit_test(test_answers_without_a_category_are_refused),
        cmocka_unit_test(test_a_singlevaluelist_takes_one_known_key),
        cmocka_unit_test(test_a_multivaluelist_takes_known_keys_without_repeats),
        cmocka_unit_test(test_a_number_is_a_decimal_number),
        cmocka_unit_test(test_a_datetime_is_iso_8601_with_its_zone),
        cmocka_unit_test(test_a_string_is_one_line_of_200_characters_at_most),
        cmocka_unit_test(test_a_text_has_4000_characters_at_most),
        cmocka_unit_test(test_too_many_answers_are_refused),
        cmocka_unit_test(test_the_datatypes_are_open311s),
        cmocka_unit_test(test_choices_are_parsed_from_key_name_pairs),
        cmocka_unit_test(test_a_questions_definition_is_checked),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
