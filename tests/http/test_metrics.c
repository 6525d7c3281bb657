/* GET /metrics: Prometheus text with request counters by route and status, the latency
 * histogram, and the store's commit batch histogram. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#define HEALTHZ_200 "akar_http_requests_total{route=\"/healthz\",status=\"200\"}"
#define LATENCY     "akar_http_request_duration_seconds"
#define BATCH       "akar_store_commit_batch_size"

static unsigned port_of(void **state)
{
    return ((struct ht_env *)*state)->srv.port;
}

static char *get_metrics(unsigned port)
{
    struct ht_response r;
    ht_get(port, "/metrics", &r);
    assert_int_equal(r.status, 200);
    const char *ct = ht_header(&r, "Content-Type");
    assert_non_null(ct);
    assert_int_equal(strncmp(ct, "text/plain", 10), 0);
    char *text = r.body;
    r.body = NULL;
    ht_response_free(&r);
    return text;
}

static void test_metrics_counts_healthz_requests(void **state)
{
    unsigned port = port_of(state);
    char *before = get_metrics(port);
    double had = ht_metric(before, HEALTHZ_200);
    free(before);
    if (had < 0)
        had = 0;
    enum { N = 7 };
    for (int i = 0; i < N; i++) {
        struct ht_response r;
        ht_get(port, "/healthz", &r);
        assert_int_equal(r.status, 200);
        ht_response_free(&r);
    }
    double n = ht_metric_at_least(port, HEALTHZ_200, had + N);
    if (n < had + N)
        fail_msg("%s is %g after %d more requests (was %g)", HEALTHZ_200, n, N, had);
    char *text = get_metrics(port);
    assert_non_null(strstr(text, "# TYPE akar_http_requests_total counter"));
    free(text);
}

static void test_metrics_counts_statuses_apart(void **state)
{
    unsigned port = port_of(state);
    struct ht_response r;
    ht_get(port, "/nothing-here", &r);
    assert_int_equal(r.status, 404);
    ht_response_free(&r);
    const char *series = "akar_http_requests_total{route=\"unmatched\",status=\"404\"}";
    assert_true(ht_metric_at_least(port, series, 1) >= 1);
    /* and the 404 is not counted as a success of some route */
    char *text = get_metrics(port);
    assert_null(strstr(text, "route=\"unmatched\",status=\"200\""));
    free(text);
}

static void test_metrics_has_latency_histogram(void **state)
{
    unsigned port = port_of(state);
    struct ht_response r;
    ht_get(port, "/healthz", &r);
    ht_response_free(&r);
    ht_metric_at_least(port, LATENCY "_count", 1);
    char *text = get_metrics(port);
    assert_non_null(strstr(text, "# TYPE " LATENCY " histogram"));
    double count = ht_metric(text, LATENCY "_count");
    double sum = ht_metric(text, LATENCY "_sum");
    double inf = ht_metric(text, LATENCY "_bucket{le=\"+Inf\"}");
    assert_true(count >= 1);
    assert_true(sum >= 0);
    assert_true(inf == count);
    /* buckets are cumulative: never decreasing, ending at the count */
    double prev = 0;
    int buckets = 0;
    for (const char *p = strstr(text, LATENCY "_bucket{"); p;
         p = strstr(p + 1, LATENCY "_bucket{")) {
        double v = strtod(strchr(p, ' ') + 1, NULL);
        assert_true(v >= prev);
        prev = v;
        buckets++;
    }
    assert_true(buckets >= 2);
    assert_true(prev == count);
    free(text);
}

static void test_metrics_commit_batches_grow_after_login(void **state)
{
    unsigned port = port_of(state);
    char *text = get_metrics(port);
    assert_non_null(strstr(text, "# TYPE " BATCH " histogram"));
    double commits = ht_metric(text, BATCH "_count");
    double writes = ht_metric(text, BATCH "_sum");
    assert_true(commits >= 0);
    assert_true(ht_metric(text, BATCH "_bucket{le=\"+Inf\"}") == commits);
    free(text);

    char *token = ht_login(port, "admin", "demo-admin-2026");
    free(token);

    ht_metric_at_least(port, BATCH "_count", commits + 1);
    text = get_metrics(port);
    double commits_after = ht_metric(text, BATCH "_count");
    double writes_after = ht_metric(text, BATCH "_sum");
    if (commits_after < commits + 1)
        fail_msg(BATCH "_count went from %g to %g over a login", commits, commits_after);
    assert_true(writes_after >= writes + 1);
    assert_true(ht_metric(text, BATCH "_bucket{le=\"1\"}") >= 1);
    free(text);
}

static void test_metrics_counts_created_sessions(void **state)
{
    unsigned port = port_of(state);
    const char *series = "akar_http_requests_total{route=\"/api/v1/sessions\",status=\"201\"}";
    double had = ht_metric_now(port, series);
    char *token = ht_login(port, "handler.vinhhai", "demo-handler-2026");
    free(token);
    /* at least: the previous test's login may not have been counted when had was read */
    double want = (had < 0 ? 0 : had) + 1;
    assert_true(ht_metric_at_least(port, series, want) >= want);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metrics_counts_healthz_requests),
        cmocka_unit_test(test_metrics_counts_statuses_apart),
        cmocka_unit_test(test_metrics_has_latency_histogram),
        cmocka_unit_test(test_metrics_commit_batches_grow_after_login),
        cmocka_unit_test(test_metrics_counts_created_sessions),
    };
    int failed = cmocka_run_group_tests_name("metrics", tests, ht_env_setup, ht_env_teardown);
    ht_done();
    return failed ? 1 : 0;
}
