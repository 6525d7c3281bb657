/* Unit tests for domain/petition: the state machine checked exhaustively (every status, kind and
 * action) against a table written out by hand from the rules, who may take each action, the
 * arguments actions require, and the names of kinds, channels, statuses and actions. */
#include "domain/petition.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

struct step {
    enum case_status from;
    enum case_action action;
    enum case_status to;
};

/* Every transition the rules allow, for a kind to which the action applies:
 * - a new or transferred case is accepted, rejected, transferred (again) or merged;
 * - a reopened complaint (at the unit above) is accepted, rejected or transferred, not merged;
 * - an accepted case is assigned or started (in progress), transferred, extended or merged;
 * - a case in progress is reassigned, extended, resolved or merged;
 * - a resolved case is closed, or reopened; a closed one can still be reopened;
 * - reveal is possible in every status and keeps it; extend keeps it too;
 * - rejected and merged cases are final. */
static const struct step allowed[] = {
    {STATUS_SUBMITTED, ACTION_ACCEPT, STATUS_ACCEPTED},
    {STATUS_SUBMITTED, ACTION_REJECT, STATUS_REJECTED},
    {STATUS_SUBMITTED, ACTION_TRANSFER, STATUS_TRANSFERRED},
    {STATUS_SUBMITTED, ACTION_MERGE, STATUS_MERGED},
    {STATUS_SUBMITTED, ACTION_REVEAL, STATUS_SUBMITTED},

    {STATUS_TRANSFERRED, ACTION_ACCEPT, STATUS_ACCEPTED},
    {STATUS_TRANSFERRED, ACTION_REJECT, STATUS_REJECTED},
    {STATUS_TRANSFERRED, ACTION_TRANSFER, STATUS_TRANSFERRED},
    {STATUS_TRANSFERRED, ACTION_MERGE, STATUS_MERGED},
    {STATUS_TRANSFERRED, ACTION_REVEAL, STATUS_TRANSFERRED},

    {STATUS_REOPENED, ACTION_ACCEPT, STATUS_ACCEPTED},
    {STATUS_REOPENED, ACTION_REJECT, STATUS_REJECTED},
    {STATUS_REOPENED, ACTION_TRANSFER, STATUS_TRANSFERRED},
    {STATUS_REOPENED, ACTION_REVEAL, STATUS_REOPENED},

    {STATUS_ACCEPTED, ACTION_TRANSFER, STATUS_TRANSFERRED},
    {STATUS_ACCEPTED, ACTION_ASSIGN, STATUS_IN_PROGRESS},
    {STATUS_ACCEPTED, ACTION_START, STATUS_IN_PROGRESS},
    {STATUS_ACCEPTED, ACTION_EXTEND, STATUS_ACCEPTED},
    {STATUS_ACCEPTED, ACTION_MERGE, STATUS_MERGED},
    {STATUS_ACCEPTED, ACTION_REVEAL, STATUS_ACCEPTED},

    {STATUS_IN_PROGRESS, ACTION_ASSIGN, STATUS_IN_PROGRESS},
    {STATUS_IN_PROGRESS, ACTION_EXTEND, STATUS_IN_PROGRESS},
    {STATUS_IN_PROGRESS, ACTION_RESOLVE, STATUS_RESOLVED},
    {STATUS_IN_PROGRESS, ACTION_MERGE, STATUS_MERGED},
    {STATUS_IN_PROGRESS, ACTION_REVEAL, STATUS_IN_PROGRESS},

    {STATUS_RESOLVED, ACTION_CLOSE, STATUS_CLOSED},
    {STATUS_RESOLVED, ACTION_REOPEN, STATUS_REOPENED},
    {STATUS_RESOLVED, ACTION_REVEAL, STATUS_RESOLVED},

    {STATUS_CLOSED, ACTION_REOPEN, STATUS_REOPENED},
    {STATUS_CLOSED, ACTION_REVEAL, STATUS_CLOSED},

    {STATUS_REJECTED, ACTION_REVEAL, STATUS_REJECTED},

    {STATUS_MERGED, ACTION_REVEAL, STATUS_MERGED},
};

/* Reopen applies only to complaints (brought a second time, to the level above); reveal only to
 * denunciations (the only kind whose reporter's identity is sealed). */
static bool applies(enum case_action a, enum case_kind k)
{
    if (a == ACTION_REOPEN)
        return k == KIND_COMPLAINT;
    if (a == ACTION_REVEAL)
        return k == KIND_DENUNCIATION;
    return true;
}

/* The expected next status, or -1. */
static int expected(enum case_status from, enum case_kind kind, enum case_action a)
{
    if (!applies(a, kind))
        return -1;
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++)
        if (allowed[i].from == from && allowed[i].action == a)
            return (int)allowed[i].to;
    return -1;
}

static void test_every_transition_matches_the_rules(void **state)
{
    (void)state;
    int failures = 0;
    for (int s = 0; s < STATUS_COUNT; s++)
        for (int k = 0; k < KIND_COUNT; k++)
            for (int a = 0; a < ACTION_COUNT; a++) {
                int want = expected(s, k, a), got = case_next_status(s, k, a);
                if (got != want) {
                    print_error("%s %s %s: %s, expected %s\n", case_status_name(s),
                                case_kind_name(k), case_action_name(a),
                                got < 0 ? "refused" : case_status_name(got),
                                want < 0 ? "refused" : case_status_name(want));
                    failures++;
                }
            }
    assert_int_equal(failures, 0);
}

static void test_allowed_actions_are_those_with_a_next_status(void **state)
{
    (void)state;
    for (int s = 0; s < STATUS_COUNT; s++)
        for (int k = 0; k < KIND_COUNT; k++) {
            unsigned want = 0;
            for (int a = 0; a < ACTION_COUNT; a++)
                if (expected(s, k, a) >= 0)
                    want |= 1u << a;
            assert_int_equal(case_allowed_actions(s, k), want);
            for (int a = 0; a < ACTION_COUNT; a++)
                assert_int_equal((case_allowed_actions(s, k) >> a) & 1,
                                 case_next_status(s, k, a) >= 0);
        }
}

static void test_only_complaints_reopen_and_only_from_resolved_or_closed(void **state)
{
    (void)state;
    for (int s = 0; s < STATUS_COUNT; s++)
        for (int k = 0; k < KIND_COUNT; k++) {
            bool may = k == KIND_COMPLAINT && (s == STATUS_RESOLVED || s == STATUS_CLOSED);
            assert_int_equal(case_next_status(s, k, ACTION_REOPEN), may ? STATUS_REOPENED : -1);
        }
}

static void test_reveal_is_for_denunciations_and_never_changes_status(void **state)
{
    (void)state;
    for (int s = 0; s < STATUS_COUNT; s++)
        for (int k = 0; k < KIND_COUNT; k++)
            assert_int_equal(case_next_status(s, k, ACTION_REVEAL),
                             k == KIND_DENUNCIATION ? s : -1);
}

static void test_extend_keeps_the_status_of_a_case_being_handled(void **state)
{
    (void)state;
    for (int s = 0; s < STATUS_COUNT; s++)
        for (int k = 0; k < KIND_COUNT; k++) {
            bool handled = s == STATUS_ACCEPTED || s == STATUS_IN_PROGRESS;
            assert_int_equal(case_next_status(s, k, ACTION_EXTEND), handled ? s : -1);
        }
}

static void test_closed_rejected_and_merged_cases_change_no_further(void **state)
{
    (void)state;
    for (int k = 0; k < KIND_COUNT; k++)
        for (int a = 0; a < ACTION_COUNT; a++) {
            int rejected = case_next_status(STATUS_REJECTED, k, a);
            int merged = case_next_status(STATUS_MERGED, k, a);
            assert_true(rejected == -1 || rejected == STATUS_REJECTED);
            assert_true(merged == -1 || merged == STATUS_MERGED);
            int closed = case_next_status(STATUS_CLOSED, k, a);
            assert_true(closed == -1 || closed == STATUS_CLOSED || a == ACTION_REOPEN);
        }
}

static void test_out_of_range_values_are_refused(void **state)
{
    (void)state;
    assert_int_equal(case_next_status(STATUS_COUNT, KIND_COMPLAINT, ACTION_ACCEPT), -1);
    assert_int_equal(case_next_status(STATUS_SUBMITTED, KIND_COUNT, ACTION_ACCEPT), -1);
    assert_int_equal(case_next_status(STATUS_SUBMITTED, KIND_COMPLAINT, ACTION_COUNT), -1);
    assert_int_equal(case_allowed_actions(STATUS_COUNT, KIND_COMPLAINT), 0);
    assert_int_equal(case_allowed_actions(STATUS_SUBMITTED, KIND_COUNT), 0);
}

static void test_open_statuses_are_those_awaiting_the_administration(void **state)
{
    (void)state;
    assert_true(case_status_open(STATUS_SUBMITTED));
    assert_true(case_status_open(STATUS_TRANSFERRED));
    assert_true(case_status_open(STATUS_REOPENED));
    assert_true(case_status_open(STATUS_ACCEPTED));
    assert_true(case_status_open(STATUS_IN_PROGRESS));
    assert_false(case_status_open(STATUS_RESOLVED));
    assert_false(case_status_open(STATUS_CLOSED));
    assert_false(case_status_open(STATUS_REJECTED));
    assert_false(case_status_open(STATUS_MERGED));
}

/* Bits of the six flags of struct case_actor. */
enum flag { HANDLER, LEADER, RECEPTIONIST, INSPECTOR, ADMIN, ASSIGNED, FLAGS };

static struct case_actor actor_of(unsigned roles)
{
    return (struct case_actor){
        .handler = roles >> HANDLER & 1,
        .leader = roles >> LEADER & 1,
        .receptionist = roles >> RECEPTIONIST & 1,
        .inspector = roles >> INSPECTOR & 1,
        .admin = roles >> ADMIN & 1,
        .assigned = roles >> ASSIGNED & 1,
    };
}

#define R(flag) (1u << (flag))
/* Which roles may take each action: any one of them is enough. Inspectors and administrators,
 * as such, take none. */
static const unsigned may_take[ACTION_COUNT] = {
    [ACTION_ACCEPT] = R(HANDLER) | R(LEADER),
    [ACTION_REJECT] = R(HANDLER) | R(LEADER),
    [ACTION_TRANSFER] = R(HANDLER) | R(LEADER),
    [ACTION_MERGE] = R(HANDLER) | R(LEADER),
    [ACTION_ASSIGN] = R(LEADER),
    [ACTION_EXTEND] = R(LEADER),
    [ACTION_CLOSE] = R(LEADER),
    [ACTION_START] = R(HANDLER),
    [ACTION_RESOLVE] = R(ASSIGNED) | R(LEADER),
    [ACTION_REOPEN] = R(LEADER) | R(RECEPTIONIST),
    [ACTION_REVEAL] = R(ASSIGNED),
};

/* Every combination of the six flags, for every action. */
static void test_each_action_is_for_the_roles_the_rules_name(void **state)
{
    (void)state;
    for (int a = 0; a < ACTION_COUNT; a++)
        for (unsigned roles = 0; roles < 1u << FLAGS; roles++) {
            struct case_actor who = actor_of(roles);
            if (case_actor_may(&who, a) != ((roles & may_take[a]) != 0))
                fail_msg("%s with roles 0x%x: %d", case_action_name(a), roles,
                         case_actor_may(&who, a));
        }
}

static void test_inspectors_take_no_action(void **state)
{
    (void)state;
    struct case_actor inspector = {.inspector = true}, nobody = {0};
    for (int a = 0; a < ACTION_COUNT; a++) {
        assert_false(case_actor_may(&inspector, a));
        assert_false(case_actor_may(&nobody, a));
    }
    assert_false(case_actor_may(&inspector, ACTION_COUNT));
}

static void test_actions_require_their_argument(void **state)
{
    (void)state;
    assert_null(case_action_requirement(ACTION_ACCEPT));
    assert_null(case_action_requirement(ACTION_START));
    assert_null(case_action_requirement(ACTION_CLOSE));
    assert_string_equal(case_action_requirement(ACTION_REJECT), "reason");
    assert_string_equal(case_action_requirement(ACTION_EXTEND), "reason");
    assert_string_equal(case_action_requirement(ACTION_REOPEN), "reason");
    assert_string_equal(case_action_requirement(ACTION_REVEAL), "reason");
    assert_string_equal(case_action_requirement(ACTION_TRANSFER), "to_unit");
    assert_string_equal(case_action_requirement(ACTION_ASSIGN), "handler");
    assert_string_equal(case_action_requirement(ACTION_RESOLVE), "answer");
    assert_string_equal(case_action_requirement(ACTION_MERGE), "merge_into");
}

static void test_names_round_trip(void **state)
{
    (void)state;
    for (int k = 0; k < KIND_COUNT; k++)
        assert_int_equal(case_kind_parse(case_kind_name(k)), k);
    for (int c = 0; c < CHANNEL_COUNT; c++)
        assert_int_equal(case_channel_parse(case_channel_name(c)), c);
    for (int s = 0; s < STATUS_COUNT; s++)
        assert_int_equal(case_status_parse(case_status_name(s)), s);
    for (int a = 0; a < ACTION_COUNT; a++)
        assert_int_equal(case_action_parse(case_action_name(a)), a);
}

static void test_names_are_the_api_names(void **state)
{
    (void)state;
    assert_int_equal(case_kind_parse("feedback"), KIND_FEEDBACK);
    assert_int_equal(case_kind_parse("recommendation"), KIND_RECOMMENDATION);
    assert_int_equal(case_kind_parse("complaint"), KIND_COMPLAINT);
    assert_int_equal(case_kind_parse("denunciation"), KIND_DENUNCIATION);
    assert_int_equal(case_kind_parse("information_request"), KIND_INFORMATION_REQUEST);
    assert_int_equal(case_channel_parse("web"), CHANNEL_WEB);
    assert_int_equal(case_channel_parse("open311"), CHANNEL_OPEN311);
    assert_int_equal(case_channel_parse("reception"), CHANNEL_RECEPTION);
    assert_int_equal(case_status_parse("in_progress"), STATUS_IN_PROGRESS);
    assert_int_equal(case_status_parse("reopened"), STATUS_REOPENED);
    assert_int_equal(case_action_parse("reveal"), ACTION_REVEAL);
    assert_int_equal(case_action_parse("merge"), ACTION_MERGE);
}

static void test_unknown_names_parse_to_minus_one(void **state)
{
    (void)state;
    const char *bad[] = {"", "Complaint", "complaint ", "petition", "in-progress", "open", NULL};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        assert_int_equal(case_kind_parse(bad[i]), -1);
        assert_int_equal(case_channel_parse(bad[i]), -1);
        assert_int_equal(case_status_parse(bad[i]), -1);
        assert_int_equal(case_action_parse(bad[i]), -1);
    }
    assert_string_equal(case_kind_name(KIND_COUNT), "?");
    assert_string_equal(case_channel_name(CHANNEL_COUNT), "?");
    assert_string_equal(case_status_name(STATUS_COUNT), "?");
    assert_string_equal(case_action_name(ACTION_COUNT), "?");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_transition_matches_the_rules),
        cmocka_unit_test(test_allowed_actions_are_those_with_a_next_status),
        cmocka_unit_test(test_only_complaints_reopen_and_only_from_resolved_or_closed),
        cmocka_unit_test(test_reveal_is_for_denunciations_and_never_changes_status),
        cmocka_unit_test(test_extend_keeps_the_status_of_a_case_being_handled),
        cmocka_unit_test(test_closed_rejected_and_merged_cases_change_no_further),
        cmocka_unit_test(test_out_of_range_values_are_refused),
        cmocka_unit_test(test_open_statuses_are_those_awaiting_the_administration),
        cmocka_unit_test(test_each_action_is_for_the_roles_the_rules_name),
        cmocka_unit_test(test_inspectors_take_no_action),
        cmocka_unit_test(test_actions_require_their_argument),
        cmocka_unit_test(test_names_round_trip),
        cmocka_unit_test(test_names_are_the_api_names),
        cmocka_unit_test(test_unknown_names_parse_to_minus_one),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
