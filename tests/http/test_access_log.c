/* The access log: after a known series of requests and a stop, the file holds exactly one JSON
 * line per request with method, path, status and duration, and no password, token or query
 * string anywhere. */
#include "harness.h"

#include "base/mem.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define PASSWORD       "demo-admin-2026"
#define WRONG_PASSWORD "Wrong-Secret-Password-42"
#define BODY_SECRET    "Body-Secret-Password-7"
#define QUERY_SECRET   "QuerySecretAccessKey99"
#define MAX_EXPECTED   32

struct expected {
    const char *method, *path;
    long status;
};

struct fixture {
    struct ht_env *env;
    char *token;
    char *log;
    struct expected want[MAX_EXPECTED];
    size_t nwant;
};

/* Sends q, checks its status and remembers what its log line must say. */
static void send_one(struct fixture *f, const struct ht_request *q, const char *logged_path,
                     long status)
{
    struct ht_response r;
    ht_do(f->env->srv.port, q, &r);
    if (r.status != status)
        fail_msg("%s %s: %ld, expected %ld", q->method ? q->method : "GET", q->path, r.status,
                 status);
    ht_response_free(&r);
    assert_true(f->nwant < MAX_EXPECTED);
    f->want[f->nwant++] = (struct expected){q->method ? q->method
                                            : q->body ? "POST"
                                                      : "GET",
                                            logged_path, status};
}

static int group_setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    *state = f;
    void *env;
    ht_env_setup(&env);
    f->env = env;
    unsigned port = f->env->srv.port;

    send_one(f, &(struct ht_request){.path = "/healthz"}, "/healthz", 200);
    f->token = ht_login(port, "admin", PASSWORD);
    f->want[f->nwant++] = (struct expected){"POST", "/api/v1/sessions", 201};
    send_one(
        f,
        &(struct ht_request){.path = "/api/v1/sessions",
                             .content_type = "application/json",
                             .body = "{\"login\":\"admin\",\"password\":\"" WRONG_PASSWORD "\"}"},
        "/api/v1/sessions", 401);
    send_one(f,
             &(struct ht_request){.path = "/api/v1/sessions",
                                  .content_type = "application/json",
                                  .body = "{\"login\":\"admin\",\"password\":\"" BODY_SECRET
                                          "\",\"x\":1}"},
             "/api/v1/sessions", 400);
    char auth[128], cookie[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", f->token);
    snprintf(cookie, sizeof cookie, "Cookie: akar_session=%s", f->token);
    send_one(f, &(struct ht_request){.path = "/api/v1/me", .headers = {auth}}, "/api/v1/me", 200);
    send_one(f, &(struct ht_request){.path = "/api/v1/me", .headers = {cookie}}, "/api/v1/me", 200);
    send_one(f, &(struct ht_request){.path = "/api/v1/units?access_key=" QUERY_SECRET},
             "/api/v1/units", 200);
    send_one(f, &(struct ht_request){.path = "/nothing/here"}, "/nothing/here", 404);
    send_one(f, &(struct ht_request){.path = "/caf%C3%A9"}, "/café", 404);
    send_one(f, &(struct ht_request){.path = "/%ff%fe"}, "(not UTF-8)", 404);
    send_one(f, &(struct ht_request){.method = "PUT", .path = "/api/v1/units"}, "/api/v1/units",
             405);
    size_t n = 20 << 10;
    char *big = xmalloc(n + 1);
    memset(big, ' ', n);
    big[n] = 0;
    send_one(f,
             &(struct ht_request){
                 .path = "/api/v1/sessions", .content_type = "application/json", .body = big},
             "/api/v1/sessions", 413);
    free(big);
    send_one(
        f, &(struct ht_request){.method = "DELETE", .path = "/api/v1/sessions", .headers = {auth}},
        "/api/v1/sessions", 204);

    /* the lines are written as responses complete: stop to have them all */
    assert_int_equal(ht_server_stop(&f->env->srv), 0);
    f->log = ht_read_file(f->env->access_log, NULL);
    assert_non_null(f->log);
    return 0;
}

static int group_teardown(void **state)
{
    struct fixture *f = *state;
    if (!f)
        return 0;
    void *env = f->env;
    int rc = ht_env_teardown(&env);
    free(f->token);
    free(f->log);
    free(f);
    return rc;
}

/* Calls fn for each line of the log, parsed. */
static size_t each_line(const char *log, void (*fn)(json_t *line, void *arg), void *arg)
{
    size_t n = 0;
    for (const char *p = log; *p;) {
        const char *nl = strchr(p, '\n');
        if (!nl)
            fail_msg("the last line has no newline: %s", p);
        json_error_t err;
        json_t *line = json_loadb(p, (size_t)(nl - p), 0, &err);
        if (!json_is_object(line))
            fail_msg("not a JSON object (%s): %.*s", err.text, (int)(nl - p), p);
        if (fn)
            fn(line, arg);
        json_decref(line);
        n++;
        p = nl + 1;
    }
    return n;
}

static void test_one_line_per_request(void **state)
{
    struct fixture *f = *state;
    size_t lines = each_line(f->log, NULL, NULL);
    if (lines != f->nwant)
        fail_msg("%zu lines for %zu requests:\n%s", lines, f->nwant, f->log);
}

static void check_members(json_t *line, void *arg)
{
    (void)arg;
    assert_true(json_is_string(json_object_get(line, "method")));
    assert_true(json_is_string(json_object_get(line, "path")));
    assert_true(json_is_string(json_object_get(line, "ts")));
    json_t *status = json_object_get(line, "status");
    assert_true(json_is_integer(status));
    assert_true(json_integer_value(status) >= 100 && json_integer_value(status) <= 599);
    json_t *ms = json_object_get(line, "ms");
    assert_true(json_is_number(ms));
    assert_true(json_number_value(ms) >= 0);
}

static void test_every_line_has_method_path_status_ms(void **state)
{
    struct fixture *f = *state;
    each_line(f->log, check_members, NULL);
}

/* Marks the first unmatched expected entry the line stands for. */
static void match_line(json_t *line, void *arg)
{
    struct fixture *f = arg;
    const char *method = json_string_value(json_object_get(line, "method"));
    const char *path = json_string_value(json_object_get(line, "path"));
    long status = (long)json_integer_value(json_object_get(line, "status"));
    for (size_t i = 0; i < f->nwant; i++) {
        struct expected *e = &f->want[i];
        if (e->method && strcmp(e->method, method) == 0 && strcmp(e->path, path) == 0 &&
            e->status == status) {
            e->method = NULL;
            return;
        }
    }
    fail_msg("unexpected line: %s %s %ld", method, path, status);
}

static void test_lines_say_what_was_asked_and_answered(void **state)
{
    struct fixture *f = *state;
    struct expected saved[MAX_EXPECTED];
    memcpy(saved, f->want, sizeof saved);
    each_line(f->log, match_line, f);
    for (size_t i = 0; i < f->nwant; i++)
        if (f->want[i].method)
            fail_msg("no line for %s %s %ld", f->want[i].method, f->want[i].path,
                     f->want[i].status);
    memcpy(f->want, saved, sizeof saved);
}

static void test_no_secret_reaches_the_log(void **state)
{
    struct fixture *f = *state;
    static const char *const secrets[] = {PASSWORD,     WRONG_PASSWORD, BODY_SECRET,
                                          QUERY_SECRET, "access_key",   "127.0.0.1"};
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
        if (strstr(f->log, secrets[i]))
            fail_msg("the access log holds %s", secrets[i]);
    if (strstr(f->log, f->token))
        fail_msg("the access log holds the session token");
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_line_per_request),
        cmocka_unit_test(test_every_line_has_method_path_status_ms),
        cmocka_unit_test(test_lines_say_what_was_asked_and_answered),
        cmocka_unit_test(test_no_secret_reaches_the_log),
    };
    int failed = cmocka_run_group_tests_name("access log", tests, group_setup, group_teardown);
    ht_done();
    return failed ? 1 : 0;
}
