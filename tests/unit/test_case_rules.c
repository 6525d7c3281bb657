/* The petition rules of domain/cases beyond the state machine: duplicate candidates (category
 * and distance), the words the duplicate search uses, distances, access keys, sealing, and the
 * messages an action on a case plans for the reporters of the cases merged into it. */
#include "domain/cases.h"

#include "base/arena.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static struct case_row open_case(int64_t id, const char *category)
{
    struct case_row c;
    memset(&c, 0, sizeof c);
    c.id = id;
    c.open = true;
    c.category_code = category;
    return c;
}

static void test_distance_matches_known_values(void **state)
{
    (void)state;
    assert_true(case_distance_m(11.72, 109.2, 11.72, 109.2) < 0.001);
    /* one thousandth of a degree of latitude is about 111 m anywhere */
    double d = case_distance_m(11.720, 109.2, 11.721, 109.2);
    assert_true(d > 110 && d < 112);
    /* Phan Rang to Hanoi: about 1,104 km as the crow flies */
    d = case_distance_m(11.5636, 108.9886, 21.0285, 105.8542);
    assert_true(d > 1095e3 && d < 1115e3);
}

static void test_duplicate_needs_same_category_when_both_have_one(void **state)
{
    (void)state;
    struct case_row a = open_case(1, "land"), b = open_case(2, "land"),
                    c = open_case(3, "environment"), d = open_case(4, NULL);
    assert_true(case_duplicate_candidate(&a, &b));
    assert_false(case_duplicate_candidate(&a, &c));
    assert_true(case_duplicate_candidate(&a, &d));
}

static void test_duplicate_must_be_within_200_m_when_both_are_located(void **state)
{
    (void)state;
    struct case_row a = open_case(1, "land"), near = open_case(2, "land"),
                    far = open_case(3, "land"), nowhere = open_case(4, "land");
    a.located = near.located = far.located = true;
    a.lat = near.lat = far.lat = 11.72;
    a.lon = 109.2;
    near.lon = 109.2015; /* ~163 m east */
    far.lon = 109.2025;  /* ~272 m east */
    assert_true(case_duplicate_candidate(&a, &near));
    assert_false(case_duplicate_candidate(&a, &far));
    assert_true(case_duplicate_candidate(&a, &nowhere));
}

static void test_a_case_is_not_its_own_or_a_settled_cases_duplicate(void **state)
{
    (void)state;
    struct case_row a = open_case(1, "land"), settled = open_case(2, "land");
    settled.open = false;
    assert_false(case_duplicate_candidate(&a, &a));
    assert_false(case_duplicate_candidate(&a, &settled));
}

static void test_similarity_words_are_the_longest_distinct_words(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    assert_string_equal(case_similarity_words(a, "Đèn đường thôn Vĩnh Hy bị hỏng"),
                        "đường thôn Vĩnh hỏng"); /* longest first; ties keep their order */
    assert_string_equal(case_similarity_words(a, "rác rác rác, rác!"), "rác");
    assert_string_equal(case_similarity_words(a, "  "), "");
    const char *w = case_similarity_words(a, "Khiếu nại quyết định thu hồi đất thôn Thái An");
    assert_non_null(strstr(w, "Khiếu"));
    assert_non_null(strstr(w, "quyết"));
    assert_non_null(strstr(w, "định"));
    arena_free(a);
}

static void test_access_key_opens_only_its_case(void **state)
{
    (void)state;
    struct case_row c;
    memset(&c, 0, sizeof c);
    char key[CASE_ACCESS_KEY_CHARS + 1], other[CASE_ACCESS_KEY_CHARS + 1];
    assert_int_equal(account_init(), 0);
    account_token_new(key);
    account_token_new(other);
    case_access_key_hash(key, c.access_key_hash);
    assert_true(case_access_key_ok(&c, key));
    assert_false(case_access_key_ok(&c, other));
    assert_false(case_access_key_ok(&c, NULL));
    assert_false(case_access_key_ok(&c, "short"));
}

static void test_identities_are_sealed_for_denunciations_and_private_reports(void **state)
{
    (void)state;
    assert_true(case_reporter_sealed(KIND_DENUNCIATION, false, false));
    assert_true(case_reporter_sealed(KIND_FEEDBACK, true, false));
    assert_true(case_reporter_sealed(KIND_COMPLAINT, false, true));
    assert_false(case_reporter_sealed(KIND_COMPLAINT, false, false));
    assert_false(case_reporter_sealed(KIND_INFORMATION_REQUEST, false, false));
}

/* The planned message to target, or NULL. */
static const struct outbox_msg *message_to(const struct case_update *u, const char *target)
{
    for (size_t i = 0; i < u->noutbox; i++)
        if (strcmp(u->outbox[i].target, target) == 0)
            return &u->outbox[i];
    return NULL;
}

static void test_reporters_of_merged_cases_are_told_under_their_own_codes(void **state)
{
    (void)state;
    struct arena *a = arena_new();
    struct case_row kept;
    memset(&kept, 0, sizeof kept);
    kept.id = 1;
    kept.version = 3;
    kept.tracking_code = "KEPT-CODE";
    kept.kind = "complaint";
    kept.status = "resolved";
    kept.privacy = "public";
    kept.unit_code = "586.01";
    kept.unit_name = "Xã Vĩnh Hải";
    kept.unit_time_zone = "Asia/Ho_Chi_Minh";
    kept.step = "settle";
    kept.reporter = "{\"email\":\"kept@example.org\"}";
    const struct case_merged_row merged[] = {
        {2, "DUP-CODE", "{\"name\":\"An\",\"email\":\"dup@example.org\"}"},
        {3, "SEALED-CODE", NULL}, /* an anonymous or denounced reporter: sealed, not here */
        {4, "NOMAIL-CODE", "{\"name\":\"Bình\",\"phone\":\"0912 345 678\"}"},
    };
    const struct webhook_row hook = {1, "https://hooks.example.org/akar", "secret"};
    struct case_env env = {
        .now = 1767225600000LL, .webhooks = &hook, .nwebhooks = 1, .merged = merged, .nmerged = 3};
    struct case_actor who = {.user_id = 7, .leader = true};
    struct case_args args = {0};
    struct case_target t = {0};
    struct case_update u;
    struct case_problem p = {0};
    assert_int_equal(
        case_plan_action(&env, a, &kept, ACTION_CLOSE, &who, "user:7", &args, &t, &u, &p), 0);
    /* the kept case's reporter, the merged one with an address, and the webhook: no more */
    assert_int_equal(u.noutbox, 3);
    const struct outbox_msg *own = message_to(&u, "kept@example.org"),
                            *dup = message_to(&u, "dup@example.org");
    assert_non_null(own);
    assert_non_null(dup);
    assert_string_equal(dup->channel, "email");
    assert_string_equal(dup->subject, "Your petition DUP-CODE: closed");
    assert_non_null(strstr(dup->body, "/track/DUP-CODE"));
    assert_non_null(strstr(dup->body, "Closed."));
    assert_null(strstr(dup->body, "KEPT-CODE")); /* the kept case's code is not theirs to know */
    assert_string_equal(own->subject, "Your petition KEPT-CODE: closed");
    /* the webhook tells of the kept case alone */
    const struct outbox_msg *call = message_to(&u, hook.url);
    assert_non_null(call);
    assert_null(strstr(call->body, "DUP-CODE"));

    /* an action that tells the reporter nothing tells the merged ones nothing either */
    kept.kind = "denunciation";
    kept.status = "in_progress";
    kept.reporter = NULL;
    kept.reporter_sealed = "sealed";
    kept.handler_id = 7;
    who = (struct case_actor){.user_id = 7, .handler = true, .assigned = true};
    args.reason = "xác minh";
    assert_int_equal(
        case_plan_action(&env, a, &kept, ACTION_REVEAL, &who, "user:7", &args, &t, &u, &p), 0);
    assert_int_equal(u.noutbox, 0);
    arena_free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_distance_matches_known_values),
        cmocka_unit_test(test_duplicate_needs_same_category_when_both_have_one),
        cmocka_unit_test(test_duplicate_must_be_within_200_m_when_both_are_located),
        cmocka_unit_test(test_a_case_is_not_its_own_or_a_settled_cases_duplicate),
        cmocka_unit_test(test_similarity_words_are_the_longest_distinct_words),
        cmocka_unit_test(test_access_key_opens_only_its_case),
        cmocka_unit_test(test_identities_are_sealed_for_denunciations_and_private_reports),
        cmocka_unit_test(test_reporters_of_merged_cases_are_told_under_their_own_codes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
