/* A category's extra questions end to end, on the demo's (data/demo/questions.tsv): the JSON
 * API lists them with the categories; a petition's answers are checked against them (every
 * kind of bad answer refused, 422 on the JSON API and 400 on Open311, naming the answer, with
 * nothing stored), kept with the case and shown to the officials who handle it (the API and the
 * back office's case page), never on the public tracking page. Open311 marks the services that ask
 * questions (metadata) and gives them as a service definition's attributes, in JSON checked against
 * the official schema's required members and types, and in XML read by a real parser and required
 * to say what the JSON says; POST requests takes attribute[CODE] and attribute[CODE][] and stores
 * them the same way. `akar category question` adds a question, asked at once; a bad one is refused.
 */
#include "harness.h"
#include "open311.h"

#include "base/mem.h"

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
#define COMMUNE   "586.01" /* Vĩnh Hải: handler.vinhhai and inspector.vinhhai serve it */
#define ELSEWHERE "585.01" /* outside Ninh Hải, whose own infrastructure asks nothing */

static struct ht_env *E;
static char *write_key; /* an integration's key of scope write on the province */

/* ---- helpers ---- */

static long long cases_now(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM cases");
}

static long long answered_now(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM cases WHERE answers IS NOT NULL");
}

static json_t *get_json(const char *path, const char *token, long status)
{
    char auth[256];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    struct ht_response r;
    ht_do(E->srv.port, &(struct ht_request){.path = path, .headers = {token ? auth : NULL}}, &r);
    if (r.status != status)
        fail_msg("GET %s: %ld %s", path, r.status, r.body);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    return doc;
}

/* The member of array whose key is value, or NULL. */
static json_t *find(json_t *array, const char *key, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(array, i, v)
    {
        if (strcmp(json_string_value(json_object_get(v, key)), value) == 0)
            return v;
    }
    return NULL;
}

/* A public submission at unit in category with answers (a JSON object's text, or NULL). */
static void submit(const char *unit, const char *category, const char *answers,
                   struct ht_response *r)
{
    char body[2048];
    snprintf(body, sizeof body,
             "{\"kind\":\"feedback\",\"unit\":\"%s\",\"category\":\"%s\",\"title\":\"Chậm chi "
             "trả trợ cấp\",\"description\":\"Ba tháng nay chưa nhận được.\"%s%s}",
             unit, category, answers ? ",\"answers\":" : "", answers ? answers : "");
    ht_post_json(E->srv.port, "/api/v1/cases", body, r);
}

/* The id and tracking code of a 201 submission's answer. */
static long long submitted(const struct ht_response *r, char code[32])
{
    if (r->status != 201)
        fail_msg("expected 201, got %ld: %s", r->status, r->body);
    json_t *doc = ht_json(r);
    snprintf(code, 32, "%s", json_string_value(json_object_get(doc, "tracking_code")));
    long long id = json_integer_value(json_object_get(doc, "id"));
    json_decref(doc);
    return id;
}

/* The web's tracking page of code opened with the access key, as a browser does it: the form's
 * CSRF token and cookie from GET /track/{code}, then the key POSTed. */
static void web_track_with_key(const char *code, const char *key, struct ht_response *r)
{
    char path[64];
    snprintf(path, sizeof path, "/track/%s", code);
    struct ht_response g;
    ht_get(E->srv.port, path, &g);
    assert_int_equal(g.status, 200);
    assert_null(strstr(g.body, "id=\"answers\"")); /* never on the public page */
    const char *set = ht_header(&g, "Set-Cookie");
    assert_non_null(set);
    char cookie[256], form[512];
    snprintf(cookie, sizeof cookie, "Cookie: %.*s", (int)strcspn(set, ";"), set);
    const char *v = strstr(g.body, "name=\"csrf\" value=\"");
    assert_non_null(v);
    v += strlen("name=\"csrf\" value=\"");
    snprintf(form, sizeof form, "csrf=%.*s&access_key=%s", (int)strcspn(v, "\""), v, key);
    ht_response_free(&g);
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = path,
                               .content_type = "application/x-www-form-urlencoded",
                               .body = form,
                               .headers = {cookie}},
          r);
}

/* The case's answers as an official (token) sees them: a new reference, or NULL. */
static json_t *answers_seen(long long id, const char *token)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", id);
    json_t *doc = get_json(path, token, 200);
    json_t *a = json_incref(json_object_get(doc, "answers"));
    json_decref(doc);
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

/* POST requests.json with the write key at jurisdiction COMMUNE, service code and more
 * (already encoded). */
static void o311_post(const char *code, const char *more, struct ht_response *r)
{
    char *key = enc(write_key), body[2048];
    snprintf(body, sizeof body,
             "api_key=%s&jurisdiction_id=%s&service_code=%s&lat=11.6&long=109.1%s", key, COMMUNE,
             code, more);
    free(key);
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = "/open311/v2/requests.json",
                               .content_type = FORM_TYPE,
                               .body = body},
          r);
}

/* ---- the JSON API ---- */

static void test_the_categories_list_their_questions(void **state)
{
    (void)state;
    json_t *doc = get_json("/api/v1/categories?unit=" COMMUNE, NULL, 200);
    json_t *cats = json_object_get(doc, "categories");
    json_t *social = find(cats, "code", "social_policy");
    assert_non_null(social);
    json_t *qs = json_object_get(social, "questions");
    assert_int_equal(json_array_size(qs), 3);
    json_t *programme = json_array_get(qs, 0);
    assert_string_equal(json_string_value(json_object_get(programme, "code")), "programme");
    assert_int_equal(json_integer_value(json_object_get(programme, "position")), 1);
    assert_string_equal(json_string_value(json_object_get(programme, "datatype")),
                        "singlevaluelist");
    assert_true(json_is_true(json_object_get(programme, "required")));
    assert_string_equal(json_string_value(json_object_get(programme, "label")),
                        "Về chế độ, chính sách nào?");
    assert_true(json_is_null(json_object_get(programme, "description")));
    json_t *choices = json_object_get(programme, "choices");
    assert_int_equal(json_array_size(choices), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(choices, 0), "key")),
                        "elderly");
    assert_string_equal(json_string_value(json_object_get(json_array_get(choices, 0), "name")),
                        "Trợ cấp người cao tuổi");
    json_t *file = json_array_get(qs, 1);
    assert_string_equal(json_string_value(json_object_get(file, "datatype")), "string");
    assert_true(json_is_false(json_object_get(file, "required")));
    assert_null(json_object_get(file, "choices")); /* only the list types have choices */
    assert_int_equal(json_integer_value(json_object_get(json_array_get(qs, 2), "position")), 3);
    /* a category without questions lists none */
    assert_int_equal(json_array_size(json_object_get(find(cats, "code", "land"), "questions")), 0);
    /* Ninh Hải's own infrastructure hides the province's, and asks nothing */
    assert_int_equal(
        json_array_size(json_object_get(find(cats, "code", "infrastructure"), "questions")), 0);
    json_decref(doc);
    doc = get_json("/api/v1/categories?unit=" ELSEWHERE, NULL, 200);
    qs = json_object_get(find(json_object_get(doc, "categories"), "code", "infrastructure"),
                         "questions");
    assert_string_equal(json_string_value(json_object_get(json_array_get(qs, 0), "datatype")),
                        "multivaluelist");
    json_decref(doc);
}

static void test_good_answers_are_kept_and_shown_to_officials_not_the_public(void **state)
{
    (void)state;
    struct ht_response r;
    char code[32];
    long long before = answered_now();
    submit(COMMUNE, "social_policy",
           "{\"circumstances\":\"Mẹ tôi 82 tuổi,\\nsống một mình.\",\"programme\":\"elderly\","
           "\"file_number\":\"\"}",
           &r);
    long long id = submitted(&r, code);
    json_t *receipt = ht_json(&r);
    char key_header[128], key[96];
    snprintf(key, sizeof key, "%s", json_string_value(json_object_get(receipt, "access_key")));
    snprintf(key_header, sizeof key_header, "X-Access-Key: %s", key);
    json_decref(receipt);
    ht_response_free(&r);
    assert_int_equal(answered_now(), before + 1);

    /* in the questions' order; an empty answer to an optional question is none */
    const char *want = "{\"programme\":\"elderly\",\"circumstances\":\"Mẹ tôi 82 tuổi,\\nsống "
                       "một mình.\"}";
    char *handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    json_t *a = answers_seen(id, handler);
    assert_json_equal(a, want);
    json_decref(a);
    char *inspector = ht_login(E->srv.port, "inspector.vinhhai", "demo-inspector-2026");
    a = answers_seen(id, inspector);
    assert_json_equal(a, want);
    json_decref(a);

    /* the back office's case page shows them under their questions, a key by its name */
    char page[64], cookie[128];
    snprintf(page, sizeof page, "/office/cases/%lld", id);
    snprintf(cookie, sizeof cookie, "Cookie: akar_session=%s", handler);
    struct ht_response o;
    ht_do(E->srv.port,
          &(struct ht_request){.path = page, .headers = {cookie, "Accept-Language: en"}}, &o);
    if (o.status != 200)
        fail_msg("%s: %ld %s", page, o.status, o.body);
    assert_non_null(strstr(o.body, "id=\"answers\""));
    assert_non_null(strstr(o.body, "<dt>Về chế độ, chính sách nào?</dt><dd>Trợ cấp người cao "
                                   "tuổi</dd>"));
    assert_non_null(strstr(o.body, "<dt>Hoàn cảnh gia đình</dt>"));
    ht_response_free(&o);

    /* public tracking shows the case, not its answers */
    char path[64];
    snprintf(path, sizeof path, "/api/v1/track/%s", code);
    json_t *doc = get_json(path, NULL, 200);
    assert_string_equal(json_string_value(json_object_get(doc, "tracking_code")), code);
    assert_null(json_object_get(doc, "answers"));
    json_decref(doc);
    struct ht_response t;
    ht_get(E->srv.port, path, &t);
    assert_null(strstr(t.body, "elderly"));
    ht_response_free(&t);
    /* the sender, with the access key, sees their own answers */
    ht_do(E->srv.port, &(struct ht_request){.path = path, .headers = {key_header}}, &t);
    assert_int_equal(t.status, 200);
    doc = ht_json(&t);
    assert_json_equal(json_object_get(doc, "answers"), want);
    json_decref(doc);
    ht_response_free(&t);
    /* and on the web's tracking page, under their questions, a list's key by its name */
    web_track_with_key(code, key, &t);
    if (t.status != 200)
        fail_msg("POST /track/%s: %ld %s", code, t.status, t.body);
    assert_non_null(strstr(t.body, "id=\"answers\""));
    assert_non_null(strstr(t.body, "<dt>Về chế độ, chính sách nào?</dt><dd>Trợ cấp người cao "
                                   "tuổi</dd>"));
    ht_response_free(&t);

    /* a multivaluelist's answer is its keys, a list */
    submit(ELSEWHERE, "infrastructure",
           "{\"damage\":[\"street_light\",\"road\"],\"length_m\":\"12.5\"}", &r);
    id = submitted(&r, code);
    ht_response_free(&r);
    char *leader = ht_login(E->srv.port, "leader.province", "demo-leader-2026");
    a = answers_seen(id, leader);
    assert_json_equal(a, "{\"damage\":[\"street_light\",\"road\"],\"length_m\":\"12.5\"}");
    json_decref(a);

    /* a case without answers shows none */
    submit(ELSEWHERE, "environment", NULL, &r);
    id = submitted(&r, code);
    ht_response_free(&r);
    assert_null(answers_seen(id, leader));
    free(handler);
    free(inspector);
    free(leader);
}

static void test_every_kind_of_bad_answer_is_refused_and_nothing_stored(void **state)
{
    (void)state;
    static const struct {
        const char *unit, *category, *answers;
        long status;
        const char *field;
    } bad[] = {
        /* a required question unanswered, or answered with nothing */
        {COMMUNE, "social_policy", NULL, 422, "answers.programme"},
        {COMMUNE, "social_policy", "{\"programme\":\"\"}", 422, "answers.programme"},
        {COMMUNE, "social_policy", "{\"file_number\":\"12\"}", 422, "answers.programme"},
        /* a code that is no question of the category */
        {COMMUNE, "social_policy", "{\"programme\":\"merit\",\"colour\":\"red\"}", 422,
         "answers.colour"},
        {COMMUNE, "land", "{\"parcel\":\"12\"}", 422, "answers.parcel"},
        /* singlevaluelist: one known key */
        {COMMUNE, "social_policy", "{\"programme\":\"lottery\"}", 422, "answers.programme"},
        {COMMUNE, "social_policy", "{\"programme\":[\"merit\"]}", 422, "answers.programme"},
        /* string: one line of at most 200 characters */
        {COMMUNE, "social_policy", "{\"programme\":\"merit\",\"file_number\":\"12\\n34\"}", 422,
         "answers.file_number"},
        /* multivaluelist: known keys, no repeats */
        {ELSEWHERE, "infrastructure", "{\"damage\":[\"road\",\"tunnel\"]}", 422, "answers.damage"},
        {ELSEWHERE, "infrastructure", "{\"damage\":[\"road\",\"road\"]}", 422, "answers.damage"},
        /* number */
        {ELSEWHERE, "infrastructure", "{\"length_m\":\"twelve\"}", 422, "answers.length_m"},
        {ELSEWHERE, "infrastructure", "{\"length_m\":\"0x10\"}", 422, "answers.length_m"},
        /* datetime: ISO 8601 with its zone */
        {ELSEWHERE, "environment", "{\"since\":\"2026-01-31T08:00:00\"}", 422, "answers.since"},
        {ELSEWHERE, "environment", "{\"since\":\"31/01/2026\"}", 422, "answers.since"},
        {ELSEWHERE, "environment", "{\"since\":\"2026-02-30T08:00:00Z\"}", 422, "answers.since"},
        /* answers without a category */
        {COMMUNE, NULL, "{\"programme\":\"merit\"}", 422, "answers"},
        /* not strings: the body's shape, 400 */
        {ELSEWHERE, "infrastructure", "{\"length_m\":12}", 400, "answers.length_m"},
        {ELSEWHERE, "infrastructure", "{\"damage\":[\"road\",1]}", 400, "answers.damage"},
        {ELSEWHERE, "infrastructure", "[\"road\"]", 400, "answers"},
    };
    long long before = cases_now();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ht_response r;
        if (bad[i].category) {
            submit(bad[i].unit, bad[i].category, bad[i].answers, &r);
        } else {
            char body[512];
            snprintf(body, sizeof body,
                     "{\"kind\":\"feedback\",\"unit\":\"%s\",\"title\":\"t\",\"description\":"
                     "\"d\",\"answers\":%s}",
                     bad[i].unit, bad[i].answers);
            ht_post_json(E->srv.port, "/api/v1/cases", body, &r);
        }
        if (r.status != bad[i].status)
            fail_msg("case %zu: expected %ld, got %ld: %s", i, bad[i].status, r.status, r.body);
        ht_assert_problem(&r, bad[i].status, bad[i].field);
        ht_response_free(&r);
    }
    /* 201 characters on one line are too many, 200 are not */
    char long_answer[512] = "{\"programme\":\"merit\",\"file_number\":\"";
    size_t at = strlen(long_answer);
    memset(long_answer + at, 'x', 201);
    strcpy(long_answer + at + 201, "\"}");
    struct ht_response r;
    submit(COMMUNE, "social_policy", long_answer, &r);
    ht_assert_problem(&r, 422, "answers.file_number");
    ht_response_free(&r);
    assert_int_equal(cases_now(), before);
    strcpy(long_answer + at + 200, "\"}");
    submit(COMMUNE, "social_policy", long_answer, &r);
    assert_int_equal(r.status, 201);
    ht_response_free(&r);
    assert_int_equal(cases_now(), before + 1);
}

/* ---- Open311 ---- */

static void test_services_with_questions_have_metadata(void **state)
{
    (void)state;
    json_t *doc = get_json("/open311/v2/services.json?jurisdiction_id=" COMMUNE, NULL, 200);
    assert_true(
        json_is_true(json_object_get(find(doc, "service_code", "social_policy"), "metadata")));
    assert_true(
        json_is_true(json_object_get(find(doc, "service_code", "environment"), "metadata")));
    assert_true(json_is_false(json_object_get(find(doc, "service_code", "land"), "metadata")));
    json_decref(doc);
}

/* Fails unless v is absent-or-null or of the JSON type check says. */
static bool null_or(json_t *v, int (*check)(const json_t *))
{
    return !v || json_is_null(v) || check(v);
}

static int is_string(const json_t *v)
{
    return json_is_string(v);
}

static int is_integer(const json_t *v)
{
    return json_is_integer(v);
}

/* service-definition.json: service_code a string and attributes an array, required; each
 * attribute's variable (boolean), code (string), datatype (one of six) and required (boolean)
 * required, datatype_description and description strings or null, order an integer or null,
 * values an array of {key, name} strings. */
static void assert_service_definition(json_t *doc)
{
    static const char *const datatypes[] = {"string", "number",          "datetime",
                                            "text",   "singlevaluelist", "multivaluelist"};
    assert_true(json_is_object(doc));
    assert_true(json_is_string(json_object_get(doc, "service_code")));
    json_t *attrs = json_object_get(doc, "attributes");
    assert_true(json_is_array(attrs));
    size_t i;
    json_t *a;
    json_array_foreach(attrs, i, a)
    {
        assert_true(json_is_boolean(json_object_get(a, "variable")));
        assert_true(json_is_string(json_object_get(a, "code")));
        assert_true(json_is_boolean(json_object_get(a, "required")));
        const char *dt = json_string_value(json_object_get(a, "datatype"));
        assert_non_null(dt);
        bool known = false;
        for (size_t k = 0; k < sizeof datatypes / sizeof datatypes[0]; k++)
            known |= strcmp(dt, datatypes[k]) == 0;
        assert_true(known);
        assert_true(null_or(json_object_get(a, "datatype_description"), is_string));
        assert_true(null_or(json_object_get(a, "description"), is_string));
        assert_true(null_or(json_object_get(a, "order"), is_integer));
        json_t *values = json_object_get(a, "values");
        if (values) {
            assert_true(json_is_array(values));
            size_t k;
            json_t *v;
            json_array_foreach(values, k, v)
            {
                assert_true(json_is_string(json_object_get(v, "key")));
                assert_true(json_is_string(json_object_get(v, "name")));
            }
        }
    }
}

static void test_a_service_definition_gives_the_questions_as_attributes(void **state)
{
    (void)state;
    json_t *doc =
        get_json("/open311/v2/services/social_policy.json?jurisdiction_id=" COMMUNE, NULL, 200);
    assert_service_definition(doc);
    assert_string_equal(json_string_value(json_object_get(doc, "service_code")), "social_policy");
    json_t *attrs = json_object_get(doc, "attributes");
    assert_int_equal(json_array_size(attrs), 3);
    json_t *p = json_array_get(attrs, 0);
    assert_true(json_is_true(json_object_get(p, "variable")));
    assert_string_equal(json_string_value(json_object_get(p, "code")), "programme");
    assert_string_equal(json_string_value(json_object_get(p, "datatype")), "singlevaluelist");
    assert_true(json_is_true(json_object_get(p, "required")));
    assert_int_equal(json_integer_value(json_object_get(p, "order")), 1);
    assert_string_equal(json_string_value(json_object_get(p, "description")),
                        "Về chế độ, chính sách nào?");
    assert_true(json_is_null(json_object_get(p, "datatype_description")));
    json_t *values = json_object_get(p, "values");
    assert_int_equal(json_array_size(values), 4);
    assert_string_equal(json_string_value(json_object_get(json_array_get(values, 3), "key")),
                        "merit");
    json_t *file = json_array_get(attrs, 1);
    assert_int_equal(json_integer_value(json_object_get(file, "order")), 2);
    assert_string_equal(json_string_value(json_object_get(file, "datatype_description")),
                        "Ghi trên quyết định hưởng chế độ");
    assert_null(json_object_get(file, "values"));
    json_decref(doc);

    doc =
        get_json("/open311/v2/services/infrastructure.json?jurisdiction_id=" ELSEWHERE, NULL, 200);
    assert_service_definition(doc);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(doc, "attributes"), 0), "datatype")),
                        "multivaluelist");
    json_decref(doc);
    doc = get_json("/open311/v2/services/land.json?jurisdiction_id=" COMMUNE, NULL, 200);
    assert_service_definition(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "attributes")), 0);
    json_decref(doc);

    o311_assert_xml_mirrors(E->srv.port, E->dir,
                            "/open311/v2/services/social_policy.xml?jurisdiction_id=" COMMUNE,
                            "/open311/v2/services/social_policy.json?jurisdiction_id=" COMMUNE);
    o311_assert_xml_mirrors(E->srv.port, E->dir,
                            "/open311/v2/services/environment.xml?jurisdiction_id=" ELSEWHERE,
                            "/open311/v2/services/environment.json?jurisdiction_id=" ELSEWHERE);
    o311_assert_xml_mirrors(E->srv.port, E->dir,
                            "/open311/v2/services/infrastructure.xml?jurisdiction_id=" ELSEWHERE,
                            "/open311/v2/services/infrastructure.json?jurisdiction_id=" ELSEWHERE);
    o311_assert_xml_mirrors(E->srv.port, E->dir,
                            "/open311/v2/services.xml?jurisdiction_id=" COMMUNE,
                            "/open311/v2/services.json?jurisdiction_id=" COMMUNE);
}

static void test_open311_attributes_are_checked_and_kept_as_answers(void **state)
{
    (void)state;
    struct ht_response r;
    char *circ = enc("Hai con nhỏ,\nchồng mất sớm."), more[512];
    snprintf(more, sizeof more,
             "&attribute%%5Bprogramme%%5D=poor_household&attribute%%5Bcircumstances%%5D=%s"
             "&attribute%%5Bfile_number%%5D=",
             circ);
    free(circ);
    long long before = answered_now();
    o311_post("social_policy", more, &r);
    if (r.status != 201)
        fail_msg("expected 201, got %ld: %s", r.status, r.body);
    json_t *doc = ht_json(&r);
    const char *code =
        json_string_value(json_object_get(json_array_get(doc, 0), "service_request_id"));
    assert_non_null(code);
    ht_response_free(&r);
    assert_int_equal(answered_now(), before + 1);
    char *sql = xmalloc(128);
    snprintf(sql, 128, "SELECT id FROM cases WHERE tracking_code = '%s'", code);
    long long id = ht_db_int(E->db, sql);
    free(sql);
    json_decref(doc);
    char *handler = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    json_t *a = answers_seen(id, handler);
    assert_json_equal(a, "{\"programme\":\"poor_household\",\"circumstances\":\"Hai con "
                         "nhỏ,\\nchồng mất sớm.\"}");
    json_decref(a);
    free(handler);

    /* a multivaluelist's values, each as attribute[CODE][] (at a commune outside Ninh Hải) */
    char *key = enc(write_key), body[1024];
    snprintf(body, sizeof body,
             "api_key=%s&jurisdiction_id=%s&service_code=infrastructure&address_string=x"
             "&attribute%%5Bdamage%%5D%%5B%%5D=bridge&attribute%%5Bdamage%%5D%%5B%%5D=drainage",
             key, ELSEWHERE);
    free(key);
    ht_do(E->srv.port,
          &(struct ht_request){.method = "POST",
                               .path = "/open311/v2/requests.json",
                               .content_type = FORM_TYPE,
                               .body = body},
          &r);
    assert_int_equal(r.status, 201);
    ht_response_free(&r);
    char *leader = ht_login(E->srv.port, "leader.province", "demo-leader-2026");
    a = answers_seen(ht_db_int(E->db, "SELECT max(id) FROM cases"), leader);
    assert_json_equal(a, "{\"damage\":[\"bridge\",\"drainage\"]}");
    json_decref(a);
    free(leader);

    static const struct {
        const char *code, *more, *named;
    } bad[] = {
        {"social_policy", "", "attribute[programme]"},
        {"social_policy", "&attribute%5Bprogramme%5D=", "attribute[programme]"},
        {"social_policy", "&attribute%5Bprogramme%5D=lottery", "attribute[programme]"},
        {"social_policy", "&attribute%5Bprogramme%5D%5B%5D=merit", "attribute[programme]"},
        {"social_policy", "&attribute%5Bprogramme%5D=merit&attribute%5Bprogramme%5D=poor_household",
         "attribute[programme]"},
        {"social_policy", "&attribute%5Bprogramme%5D=merit&attribute%5Bcolour%5D=red",
         "attribute[colour]"},
        {"social_policy", "&attribute%5Bprogramme%5D%5Bx%5D=merit", "attribute[programme][x]"},
        {"land", "&attribute%5Bparcel%5D=12", "attribute[parcel]"},
        {"social_policy", "&attribute%5Bprogramme%5D=merit&attribute%5Bfile_number%5D=1%0A2",
         "attribute[file_number]"},
    };
    long long cases = cases_now();
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        o311_post(bad[i].code, bad[i].more, &r);
        if (r.status != 400)
            fail_msg("case %zu: expected 400, got %ld: %s", i, r.status, r.body);
        assert_string_equal(ht_header(&r, "Content-Type"), O311_JSON_TYPE);
        doc = ht_json(&r);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "code")), 400);
        const char *d = json_string_value(json_object_get(json_array_get(doc, 0), "description"));
        if (!d || strncmp(d, bad[i].named, strlen(bad[i].named)) != 0)
            fail_msg("case %zu: the description names no %s: %s", i, bad[i].named, r.body);
        json_decref(doc);
        ht_response_free(&r);
    }
    assert_int_equal(cases_now(), cases);
}

/* akar category question: what an operator adds is asked at once, on both interfaces. */
static void test_the_command_line_adds_a_question(void **state)
{
    (void)state;
    char *out;
    if (ht_akar_run(NULL, &out, "category", "add", "--db", E->db, "--unit", "587", "--code",
                    "fisheries", "--name", "Thủy sản", HT_END) != 0)
        fail_msg("category add: %s", out);
    free(out);
    if (ht_akar_run(NULL, &out, "category", "question", "--db", E->db, "--unit", "587",
                    "--category", "fisheries", "--code", "boat", "--position", "1", "--datatype",
                    "singlevaluelist", "--label", "Loại tàu?", "--required", "--choices",
                    "basket=Thúng chai|trawler=Tàu lưới kéo", HT_END) != 0)
        fail_msg("category question: %s", out);
    free(out);
    if (ht_akar_run(NULL, &out, "category", "question", "--db", E->db, "--unit", "587",
                    "--category", "fisheries", "--code", "registration", "--position", "2",
                    "--datatype", "string", "--label", "Số đăng ký tàu", "--help",
                    "Ghi trên mạn tàu", HT_END) != 0)
        fail_msg("category question: %s", out);
    free(out);

    json_t *doc = get_json("/api/v1/categories?unit=587.01", NULL, 200);
    json_t *qs =
        json_object_get(find(json_object_get(doc, "categories"), "code", "fisheries"), "questions");
    assert_int_equal(json_array_size(qs), 2);
    json_t *boat = json_array_get(qs, 0);
    assert_true(json_is_true(json_object_get(boat, "required")));
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(boat, "choices"), 1), "name")),
                        "Tàu lưới kéo");
    assert_string_equal(json_string_value(json_object_get(json_array_get(qs, 1), "description")),
                        "Ghi trên mạn tàu");
    json_decref(doc);
    doc = get_json("/open311/v2/services/fisheries.json?jurisdiction_id=587.01", NULL, 200);
    assert_service_definition(doc);
    assert_int_equal(json_array_size(json_object_get(doc, "attributes")), 2);
    json_decref(doc);
    struct ht_response r;
    submit("587.01", "fisheries", NULL, &r);
    ht_assert_problem(&r, 422, "answers.boat");
    ht_response_free(&r);

    /* a bad definition is refused before the database is touched; a taken code or position,
     * or a category the unit does not offer itself, by the store */
    static const char *const bad[][4] = {
        {"boat2", "1", "singlevaluelist", ""},        /* a list without choices */
        {"Boat", "3", "string", NULL},                /* not a code */
        {"engine", "0", "string", NULL},              /* no position */
        {"engine", "3", "yesno", NULL},               /* no datatype */
        {"engine", "3", "string", "a=A"},             /* choices for a string */
        {"engine", "3", "multivaluelist", "a=A|a=B"}, /* a key twice */
        {"engine", "3", "multivaluelist", "a"},       /* not key=name */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        int rc = bad[i][3] ? ht_akar_run(NULL, &out, "category", "question", "--db", E->db,
                                         "--unit", "587", "--category", "fisheries", "--code",
                                         bad[i][0], "--position", bad[i][1], "--datatype",
                                         bad[i][2], "--label", "?", "--choices", bad[i][3], HT_END)
                           : ht_akar_run(NULL, &out, "category", "question", "--db", E->db,
                                         "--unit", "587", "--category", "fisheries", "--code",
                                         bad[i][0], "--position", bad[i][1], "--datatype",
                                         bad[i][2], "--label", "?", HT_END);
        if (rc != 2)
            fail_msg("case %zu: exited %d: %s", i, rc, out);
        free(out);
    }
    static const char *const taken[][3] = {
        {"587", "boat", "3"},      /* the code is the category's already */
        {"587", "engine", "2"},    /* and so is the position */
        {"587.01", "engine", "3"}, /* the commune offers the district's, not its own */
    };
    for (size_t i = 0; i < sizeof taken / sizeof taken[0]; i++) {
        int rc =
            ht_akar_run(NULL, &out, "category", "question", "--db", E->db, "--unit", taken[i][0],
                        "--category", "fisheries", "--code", taken[i][1], "--position", taken[i][2],
                        "--datatype", "string", "--label", "?", HT_END);
        if (rc != 1)
            fail_msg("taken %zu: exited %d: %s", i, rc, out);
        free(out);
    }
    assert_int_equal(ht_db_int(E->db, "SELECT count(*) FROM category_questions q JOIN categories "
                                      "c ON c.id = q.category_id WHERE c.code = 'fisheries'"),
                     2);
}

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    char *out;
    if (ht_akar_run(NULL, &out, "apikey", "add", "--db", E->db, "--unit", "58", "--scope", "write",
                    HT_END) != 0)
        fail_msg("akar apikey add: %s", out);
    out[strcspn(out, "\n")] = 0;
    write_key = out;
    return rc;
}

static int teardown(void **state)
{
    free(write_key);
    return ht_env_teardown(state);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_categories_list_their_questions),
        cmocka_unit_test(test_good_answers_are_kept_and_shown_to_officials_not_the_public),
        cmocka_unit_test(test_every_kind_of_bad_answer_is_refused_and_nothing_stored),
        cmocka_unit_test(test_services_with_questions_have_metadata),
        cmocka_unit_test(test_a_service_definition_gives_the_questions_as_attributes),
        cmocka_unit_test(test_open311_attributes_are_checked_and_kept_as_answers),
        cmocka_unit_test(test_the_command_line_adds_a_question),
    };
    int rc = cmocka_run_group_tests(tests, setup, teardown);
    ht_done();
    return rc;
}
