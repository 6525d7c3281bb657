/* The submit form asks a category's extra questions (the demo's, data/demo/questions.tsv), as a
 * browser without JavaScript uses it: every category's questions in a fieldset of its own, with
 * the right control and the required ones marked; a good submission's answers stored with the
 * case (read back through the officials' API); each kind of bad answer, and a required one
 * missing, shown beside its question with the rest of the form kept and nothing stored; the
 * answers to the questions of categories not chosen left aside. */
#include "harness.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#define UNIT      "586.01" /* Xã Vĩnh Hải: offers the province's social_policy and environment */
#define ELSEWHERE "585.01" /* outside Ninh Hải: the province's infrastructure asks */

static struct ht_env *E;

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    return rc;
}

static long long cases(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM cases");
}

#define assert_has(body, text)                                                                     \
    do {                                                                                           \
        if (!strstr(body, text))                                                                   \
            fail_msg("the page lacks %s:\n%.4000s", text, body);                                   \
    } while (0)
#define assert_lacks(body, text)                                                                   \
    do {                                                                                           \
        if (strstr(body, text))                                                                    \
            fail_msg("the page shows %s", text);                                                   \
    } while (0)

/* A visitor's CSRF cookie and token, from the form. */
struct visitor {
    const char *unit;
    char cookie[256];
    char csrf[128];
};

static void form_page(struct visitor *v, const char *unit, struct ht_response *r)
{
    char path[64];
    snprintf(path, sizeof path, "/submit?unit=%s", unit);
    v->unit = unit;
    ht_get(E->srv.port, path, r);
    assert_int_equal(r->status, 200);
    const char *set = ht_header(r, "Set-Cookie");
    assert_non_null(set);
    snprintf(v->cookie, sizeof v->cookie, "Cookie: %.*s", (int)strcspn(set, ";"), set);
    const char *p = strstr(r->body, "name=\"csrf\" value=\"");
    assert_non_null(p);
    p += strlen("name=\"csrf\" value=\"");
    snprintf(v->csrf, sizeof v->csrf, "%.*s", (int)strcspn(p, "\""), p);
}

/* Appends name=value, percent-encoded, to body. */
static void add(char *body, size_t cap, const char *name, const char *value)
{
    size_t k = strlen(body);
    k += (size_t)snprintf(body + k, cap - k, "%s%s=", k ? "&" : "", name);
    for (const unsigned char *s = (const unsigned char *)value; *s && k + 4 < cap; s++) {
        if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
            strchr("-._~", *s))
            body[k++] = (char)*s;
        else
            k += (size_t)snprintf(body + k, cap - k, "%%%02X", *s);
    }
    body[k] = 0;
}

/* Submits a complaint in category with the name, value pairs that follow (NULL-terminated;
 * a name may repeat, as a checkbox's does). */
static void submit(const struct visitor *v, const char *category, struct ht_response *r, ...)
{
    static char body[8192];
    body[0] = 0;
    add(body, sizeof body, "csrf", v->csrf);
    add(body, sizeof body, "unit", v->unit);
    add(body, sizeof body, "kind", "complaint");
    add(body, sizeof body, "category", category);
    add(body, sizeof body, "title", "Chậm chi trả trợ cấp");
    add(body, sizeof body, "description", "Ba tháng nay chưa nhận được trợ cấp.");
    add(body, sizeof body, "name", "Nguyễn Văn Giữ");
    va_list ap;
    va_start(ap, r);
    for (const char *name = va_arg(ap, const char *); name; name = va_arg(ap, const char *))
        add(body, sizeof body, name, va_arg(ap, const char *));
    va_end(ap);
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = "/submit",
                               .content_type = "application/x-www-form-urlencoded",
                               .body = body,
                               .headers = {v->cookie}},
          r);
}

/* The province leader's session, made once: each sign-in of an official takes a fresh TOTP
 * code, and a third within 30 s waits for the next one. */
static char *leader_token;

/* The answers the newest case keeps, as an official over it reads them over the API. */
static json_t *newest_answers(void)
{
    if (!leader_token)
        leader_token = ht_login(E->srv.port, "leader.province", "demo-leader-2026");
    const char *token = leader_token;
    char auth[256], path[64];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    snprintf(path, sizeof path, "/api/v1/cases/%lld",
             ht_db_int(E->db, "SELECT max(id) FROM cases"));
    struct ht_response r;
    ht_do(E->srv.port, &(struct ht_request){.path = path, .headers = {auth}}, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = ht_json(&r);
    json_t *a = json_incref(json_object_get(doc, "answers"));
    json_decref(doc);
    ht_response_free(&r);
    return a;
}

static void assert_json_equal(json_t *got, const char *want)
{
    json_t *w = json_loads(want, 0, NULL);
    assert_non_null(w);
    if (!json_equal(got, w)) {
        char *g = json_dumps(got, JSON_COMPACT | JSON_ENCODE_ANY);
        fail_msg("got %s, want %s", g ? g : "(nothing)", want);
    }
    json_decref(w);
}

static void test_the_form_shows_every_categorys_questions_without_javascript(void **state)
{
    (void)state;
    struct visitor v;
    struct ht_response r;
    form_page(&v, UNIT, &r);
    /* a fieldset per category, named in its legend, and the line for browsers without script */
    assert_has(r.body, "<fieldset class=\"group\" data-category=\"social_policy\"><legend>"
                       "Questions about “Chính sách xã hội”</legend>");
    assert_has(r.body, "<fieldset class=\"group\" data-category=\"environment\"><legend>"
                       "Questions about “Môi trường”</legend>");
    assert_has(r.body, "Answer only those of the subject you chose");
    /* each datatype its control, labelled, the required one marked */
    assert_has(r.body, "<legend>Về chế độ, chính sách nào? <span class=\"required\">(required)"
                       "</span></legend>");
    assert_has(r.body, "<input type=\"radio\" id=\"q-social_policy-programme-0\" "
                       "name=\"answer.social_policy.programme\" value=\"elderly\" required>"
                       "<label for=\"q-social_policy-programme-0\">Trợ cấp người cao tuổi</label>");
    assert_has(r.body, "<label for=\"q-social_policy-file_number\">Số hồ sơ hưởng chính sách "
                       "(nếu có)</label>");
    assert_has(r.body, "<input type=\"text\" id=\"q-social_policy-file_number\"");
    assert_has(r.body, "<textarea id=\"q-social_policy-circumstances\"");
    assert_has(r.body, "<input type=\"datetime-local\" id=\"q-environment-since\"");
    assert_has(r.body, "(Asia/Ho_Chi_Minh)");
    ht_response_free(&r);

    /* Indonesian and Vietnamese words around the questions, the questions as stored */
    struct ht_request q = {.path = "/submit?unit=" UNIT, .headers = {"Accept-Language: vi"}};
    ht_do(E->srv.port, &q, &r);
    assert_has(r.body, "Câu hỏi về “Môi trường”");
    assert_has(r.body, "(bắt buộc)");
    ht_response_free(&r);
    q.headers[0] = "Accept-Language: id";
    ht_do(E->srv.port, &q, &r);
    assert_has(r.body, "Pertanyaan tentang “Môi trường”");
    ht_response_free(&r);
}

static void test_good_answers_are_stored_with_the_case(void **state)
{
    (void)state;
    struct visitor v;
    struct ht_response r;
    form_page(&v, UNIT, &r);
    ht_response_free(&r);
    long long before = cases();
    submit(&v, "social_policy", &r, "answer.social_policy.programme", "disability",
           "answer.social_policy.file_number", "QĐ-123/2025", "answer.social_policy.circumstances",
           "", NULL);
    if (r.status != 303)
        fail_msg("expected 303, got %ld:\n%.4000s", r.status, r.body);
    ht_response_free(&r);
    assert_int_equal(cases(), before + 1);
    json_t *a = newest_answers();
    assert_json_equal(a, "{\"programme\":\"disability\",\"file_number\":\"QĐ-123/2025\"}");
    json_decref(a);

    /* a datetime-local value is taken in the unit's time zone */
    submit(&v, "environment", &r, "answer.environment.pollution", "water",
           "answer.environment.since", "2026-01-31T08:00", NULL);
    assert_int_equal(r.status, 303);
    ht_response_free(&r);
    a = newest_answers();
    assert_json_equal(a, "{\"pollution\":\"water\",\"since\":\"2026-01-31T08:00:00+07:00\"}");
    json_decref(a);

    /* and as typed where the browser offers a plain text box */
    submit(&v, "environment", &r, "answer.environment.since", "2026-02-01 09:30", NULL);
    assert_int_equal(r.status, 303);
    ht_response_free(&r);
    a = newest_answers();
    assert_json_equal(a, "{\"since\":\"2026-02-01T09:30:00+07:00\"}");
    json_decref(a);
}

/* Sends a petition at unit in category with up to two answers (name, value; a NULL name ends
 * them); the form must come back with msg beside question id, in the summary too, the other
 * fields kept, and nothing stored. */
static void refused(const char *id, const char *msg, const char *unit, const char *category,
                    const char *n1, const char *v1, const char *n2, const char *v2)
{
    struct visitor v;
    struct ht_response r;
    form_page(&v, unit, &r);
    ht_response_free(&r);
    long long before = cases();
    submit(&v, category, &r, n1, v1, n2, v2, NULL);
    if (r.status != 422)
        fail_msg("%s: expected 422, got %ld:\n%.3000s", id, r.status, r.body);
    char beside[512];
    snprintf(beside, sizeof beside,
             "<span class=\"error-text\" id=\"e-%s\"><span class=\"vh\">Error: </span>%s</span>",
             id, msg);
    assert_has(r.body, beside);
    snprintf(beside, sizeof beside, "<li><a href=\"#%s\">%s</a></li>", id, msg);
    assert_has(r.body, beside); /* in the summary, linked to the question */
    assert_has(r.body, "aria-invalid=\"true\"");
    assert_has(r.body, "value=\"Chậm chi trả trợ cấp\""); /* the other fields kept */
    assert_has(r.body, "value=\"Nguyễn Văn Giữ\"");
    assert_int_equal(cases(), before);
    ht_response_free(&r);
}

static void test_each_kind_of_bad_answer_is_shown_beside_its_question(void **state)
{
    (void)state;
    const char *prog = "answer.social_policy.programme";
    /* a required question unanswered */
    refused("q-social_policy-programme", "Choose an answer to this question.", UNIT,
            "social_policy", "answer.social_policy.file_number", "QĐ-1", NULL, NULL);
    /* a choice not offered, and two choices for one */
    refused("q-social_policy-programme", "Choose from the answers offered.", UNIT, "social_policy",
            prog, "pension", NULL, NULL);
    refused("q-environment-pollution", "Choose from the answers offered.", UNIT, "environment",
            "answer.environment.pollution", "air", "answer.environment.pollution", "water");
    /* a string on two lines; a text too long */
    refused("q-social_policy-file_number", "Answer on one line, in at most 200 characters.", UNIT,
            "social_policy", prog, "elderly", "answer.social_policy.file_number", "QĐ-1\n2");
    char *long_text = xmalloc(4100);
    memset(long_text, 'a', 4050);
    long_text[4050] = 0;
    refused("q-social_policy-circumstances", "Answer in at most 4,000 characters.", UNIT,
            "social_policy", prog, "elderly", "answer.social_policy.circumstances", long_text);
    free(long_text);
    /* not a datetime, not a number, a key twice or unknown in a multivaluelist */
    refused("q-environment-since", "Enter a date and time, for example 2026-01-31 08:00.", UNIT,
            "environment", "answer.environment.since", "hôm qua", NULL, NULL);
    refused("q-infrastructure-length_m", "Enter a number, for example 12 or 3.5.", ELSEWHERE,
            "infrastructure", "answer.infrastructure.length_m", "12 mét", NULL, NULL);
    refused("q-infrastructure-damage", "Choose from the answers offered.", ELSEWHERE,
            "infrastructure", "answer.infrastructure.damage", "road",
            "answer.infrastructure.damage", "road");
    refused("q-infrastructure-damage", "Choose from the answers offered.", ELSEWHERE,
            "infrastructure", "answer.infrastructure.damage", "tunnel", NULL, NULL);
}

static void test_a_number_and_several_choices_are_stored(void **state)
{
    (void)state;
    struct visitor v;
    struct ht_response r;
    form_page(&v, ELSEWHERE, &r);
    assert_has(r.body, "<input type=\"checkbox\" id=\"q-infrastructure-damage-0\"");
    assert_has(r.body, "inputmode=\"decimal\" id=\"q-infrastructure-length_m\"");
    ht_response_free(&r);
    submit(&v, "infrastructure", &r, "answer.infrastructure.damage", "road",
           "answer.infrastructure.damage", "drainage", "answer.infrastructure.length_m", "12.5",
           NULL);
    if (r.status != 303)
        fail_msg("expected 303, got %ld:\n%.4000s", r.status, r.body);
    ht_response_free(&r);
    json_t *a = newest_answers();
    assert_json_equal(a, "{\"damage\":[\"road\",\"drainage\"],\"length_m\":\"12.5\"}");
    json_decref(a);
}

/* A multipart/form-data part called name holding value, as browsers send this form. */
static void part(char *body, size_t cap, const char *name, const char *value)
{
    size_t k = strlen(body);
    snprintf(body + k, cap - k,
             "--akarQ\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n", name, value);
}

static void test_a_multipart_submission_keeps_its_answers(void **state)
{
    (void)state;
    struct visitor v;
    struct ht_response r;
    form_page(&v, ELSEWHERE, &r);
    ht_response_free(&r);
    static char body[4096];
    body[0] = 0;
    part(body, sizeof body, "csrf", v.csrf);
    part(body, sizeof body, "unit", ELSEWHERE);
    part(body, sizeof body, "kind", "complaint");
    part(body, sizeof body, "category", "infrastructure");
    part(body, sizeof body, "title", "Cầu hỏng");
    part(body, sizeof body, "description", "Mặt cầu và đèn đường hỏng.");
    part(body, sizeof body, "answer.infrastructure.damage", "bridge");
    part(body, sizeof body, "answer.infrastructure.damage", "street_light");
    part(body, sizeof body, "answer.infrastructure.length_m", "");
    part(body, sizeof body, "answer.environment.since", "not this category's");
    strcat(body, "--akarQ--\r\n");
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = "/submit",
                               .content_type = "multipart/form-data; boundary=akarQ",
                               .body = body,
                               .headers = {v.cookie}},
          &r);
    if (r.status != 303)
        fail_msg("expected 303, got %ld:\n%.4000s", r.status, r.body);
    ht_response_free(&r);
    json_t *a = newest_answers();
    assert_json_equal(a, "{\"damage\":[\"bridge\",\"street_light\"]}");
    json_decref(a);
}

static void test_a_refused_form_keeps_the_answers_given(void **state)
{
    (void)state;
    struct visitor v;
    struct ht_response r;
    form_page(&v, UNIT, &r);
    ht_response_free(&r);
    long long before = cases();
    /* the title is missing: the answers come back as they were sent */
    static char body[4096];
    body[0] = 0;
    add(body, sizeof body, "csrf", v.csrf);
    add(body, sizeof body, "unit", UNIT);
    add(body, sizeof body, "kind", "complaint");
    add(body, sizeof body, "category", "social_policy");
    add(body, sizeof body, "description", "Ba tháng nay chưa nhận được trợ cấp.");
    add(body, sizeof body, "answer.social_policy.programme", "merit");
    add(body, sizeof body, "answer.social_policy.file_number", "QĐ-77");
    add(body, sizeof body, "answer.social_policy.circumstances", "Cha tôi <b>");
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = "/submit",
                               .content_type = "application/x-www-form-urlencoded",
                               .body = body,
                               .headers = {v.cookie}},
          &r);
    assert_int_equal(r.status, 422);
    assert_has(r.body, "value=\"merit\" checked required>");
    assert_has(r.body, "value=\"QĐ-77\"");
    assert_has(r.body, "Cha tôi &lt;b&gt;</textarea>");
    assert_int_equal(cases(), before);
    ht_response_free(&r);
}

static void test_answers_of_another_category_are_left_aside(void **state)
{
    (void)state;
    struct visitor v;
    struct ht_response r;
    form_page(&v, UNIT, &r);
    ht_response_free(&r);
    long long before = cases();
    /* without script every group is sent: the environment's answers, even bad ones, and the
     * social policy's required question unanswered do not matter to an environment petition */
    submit(&v, "environment", &r, "answer.environment.pollution", "noise",
           "answer.social_policy.file_number", "QĐ-1\n2", "answer.social_policy.circumstances",
           "Không liên quan", "answer.environment.since", "", NULL);
    if (r.status != 303)
        fail_msg("expected 303, got %ld:\n%.4000s", r.status, r.body);
    ht_response_free(&r);
    assert_int_equal(cases(), before + 1);
    json_t *a = newest_answers();
    assert_json_equal(a, "{\"pollution\":\"noise\"}");
    json_decref(a);

    /* a petition with no subject keeps no answers at all */
    submit(&v, "", &r, "answer.environment.pollution", "air", NULL);
    assert_int_equal(r.status, 303);
    ht_response_free(&r);
    a = newest_answers();
    assert_null(a);
}

static int teardown(void **state)
{
    free(leader_token);
    leader_token = NULL;
    return ht_env_teardown(state);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_form_shows_every_categorys_questions_without_javascript),
        cmocka_unit_test(test_good_answers_are_stored_with_the_case),
        cmocka_unit_test(test_each_kind_of_bad_answer_is_shown_beside_its_question),
        cmocka_unit_test(test_a_number_and_several_choices_are_stored),
        cmocka_unit_test(test_a_multipart_submission_keeps_its_answers),
        cmocka_unit_test(test_a_refused_form_keeps_the_answers_given),
        cmocka_unit_test(test_answers_of_another_category_are_left_aside),
    };
    int failed = cmocka_run_group_tests_name("web_questions", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
