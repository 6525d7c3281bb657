/* akar serve --trusted-proxy: behind a reverse proxy each resident is throttled by the address
 * the proxy forwards (the right-most X-Forwarded-For entry, however it is spelt), and only
 * requests from that proxy are believed; without the option, or from another peer, the header
 * is ignored. Each server gets a fresh database: PostgreSQL keeps the limits' counts there. */
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

#define CASES "/api/v1/cases"
#define SUBMISSION                                                                                 \
    "{\"kind\":\"feedback\",\"unit\":\"586.01\",\"title\":\"t\",\"description\":\"d\"}"

struct fixture {
    char *dir, *db, *access_log;
    struct ht_server srv;
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->dir = ht_dir_new();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    int status = ht_server_stop(&f->srv);
    free(f->db);
    free(f->access_log);
    ht_dir_free(f->dir);
    free(f);
    return status == 0 ? 0 : -1;
}

/* Starts a server on a new database named name with --submit-limit 2 and, if proxy is not
 * NULL, --trusted-proxy proxy; its access log goes to the fixture's access_log. */
static void serve(struct fixture *f, const char *name, const char *proxy)
{
    ht_server_stop(&f->srv); /* one a failed test left running */
    free(f->db);
    free(f->access_log);
    f->db = ht_demo_db(f->dir, name);
    char log_name[64];
    snprintf(log_name, sizeof log_name, "%s.access.log", name);
    f->access_log = ht_path(f->dir, log_name);
    const char *const with_proxy[] = {"--submit-limit", "2", "--trusted-proxy", proxy, NULL};
    const char *const without[] = {"--submit-limit", "2", NULL};
    ht_server_start_with(&f->srv, f->db, f->access_log, proxy ? with_proxy : without);
}

/* POSTs a public submission with the given X-Forwarded-For lines (up to two; NULL ends them)
 * and returns the status; a 429 must be a problem document with Retry-After. */
static long submit_with(struct fixture *f, const char *xff1, const char *xff2)
{
    char h1[128], h2[128];
    struct ht_request q = {.path = CASES, .content_type = "application/json", .body = SUBMISSION};
    if (xff1) {
        snprintf(h1, sizeof h1, "X-Forwarded-For: %s", xff1);
        q.headers[0] = h1;
    }
    if (xff2) {
        snprintf(h2, sizeof h2, "X-Forwarded-For: %s", xff2);
        q.headers[1] = h2;
    }
    struct ht_response r;
    ht_do(f->srv.port, &q, &r);
    long status = r.status;
    if (status == 429) {
        ht_assert_problem(&r, 429, NULL);
        assert_non_null(ht_header(&r, "Retry-After"));
    } else if (status != 201) {
        fail_msg("X-Forwarded-For %s: %ld %s", xff1 ? xff1 : "(none)", status, r.body);
    }
    ht_response_free(&r);
    return status;
}

static long submit(struct fixture *f, const char *xff)
{
    return submit_with(f, xff, NULL);
}

static void test_trusted_proxy_throttles_each_forwarded_address_apart(void **state)
{
    struct fixture *f = *state;
    serve(f, "proxy.db", "127.0.0.1");
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(submit(f, " 203.0.113.5 "), 201);
    assert_int_equal(submit(f, "203.0.113.5"), 429);
    /* the proxy's own address is a bucket of its own, still empty */
    assert_int_equal(submit(f, NULL), 201);
    assert_int_equal(ht_server_stop(&f->srv), 0);
}

static void test_only_the_right_most_forwarded_entry_counts(void **state)
{
    struct fixture *f = *state;
    serve(f, "rightmost.db", "127.0.0.1");
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    /* what the proxy appended is the address it saw */
    assert_int_equal(submit(f, "198.51.100.7, 203.0.113.9"), 201);
    /* a client writing someone else's address to the left does not escape its own limit */
    assert_int_equal(submit(f, "203.0.113.9, 203.0.113.5"), 429);
    /* a proxy may add its own header line after the client's: the last line holds its entry */
    assert_int_equal(submit_with(f, "203.0.113.5", "203.0.113.20"), 201);
    assert_int_equal(submit_with(f, "203.0.113.20", "203.0.113.5"), 429);
    /* .9 was counted once, by the first of these */
    assert_int_equal(submit(f, "203.0.113.9"), 201);
    assert_int_equal(submit(f, "203.0.113.9"), 429);
    assert_int_equal(ht_server_stop(&f->srv), 0);
}

static void test_ipv6_clients_are_counted_by_address_however_spelt(void **state)
{
    struct fixture *f = *state;
    serve(f, "ipv6.db", "127.0.0.1");
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(submit(f, "2001:db8::1"), 201);
    assert_int_equal(submit(f, "2001:0db8:0000::0001"), 201);
    assert_int_equal(submit(f, "2001:DB8:0:0:0:0:0:1"), 429);
    assert_int_equal(submit(f, "2001:db8::2"), 201);
    /* the IPv4-mapped spelling of a full IPv4 address is that address */
    assert_int_equal(submit(f, "::ffff:203.0.113.5"), 429);
    assert_int_equal(ht_server_stop(&f->srv), 0);
}

static void test_a_forwarded_entry_that_is_no_address_falls_back_to_the_peer(void **state)
{
    struct fixture *f = *state;
    serve(f, "garbage.db", "127.0.0.1");
    assert_int_equal(submit(f, "not-an-address"), 201);
    assert_int_equal(submit(f, "203.0.113.5, "), 201); /* an empty right-most entry */
    /* both were counted against the peer, 127.0.0.1 */
    assert_int_equal(submit(f, NULL), 429);
    assert_int_equal(submit(f, "203.0.113.5:4711"), 429);
    assert_int_equal(submit(f, "[2001:db8::1]"), 429);
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(ht_server_stop(&f->srv), 0);
}

static void test_the_proxy_may_be_named_in_its_ipv4_mapped_spelling(void **state)
{
    struct fixture *f = *state;
    serve(f, "mapped.db", "::ffff:127.0.0.1");
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(submit(f, "203.0.113.6"), 201);
    assert_int_equal(submit(f, "203.0.113.7"), 201);
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(submit(f, "203.0.113.5"), 429);
    assert_int_equal(ht_server_stop(&f->srv), 0);
}

static void test_forwarded_for_is_ignored_unless_the_peer_is_the_trusted_proxy(void **state)
{
    struct fixture *f = *state;
    static const char *const proxies[] = {NULL, "10.0.0.2", "2001:db8::7"};
    for (size_t i = 0; i < sizeof proxies / sizeof proxies[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "untrusted%zu.db", i);
        serve(f, name, proxies[i]);
        assert_int_equal(submit(f, "203.0.113.5"), 201);
        assert_int_equal(submit(f, "198.51.100.7"), 201);
        if (submit(f, "2001:db8::1") != 429)
            fail_msg("with --trusted-proxy %s the header was believed",
                     proxies[i] ? proxies[i] : "(none)");
        assert_int_equal(ht_server_stop(&f->srv), 0);
    }
}

static void test_the_access_log_keeps_no_client_address_forwarded_or_not(void **state)
{
    struct fixture *f = *state;
    serve(f, "log.db", "127.0.0.1");
    assert_int_equal(submit(f, "203.0.113.5"), 201);
    assert_int_equal(ht_server_stop(&f->srv), 0);
    char *log = ht_read_file(f->access_log, NULL);
    assert_non_null(log);
    assert_non_null(strstr(log, "\"status\":201"));
    assert_null(strstr(log, "203.0.113.5"));
    assert_null(strstr(log, "127.0.0.1"));
    free(log);
}

static void test_trusted_proxy_that_is_no_address_exits_2(void **state)
{
    struct fixture *f = *state;
    free(f->db);
    f->db = ht_demo_db(f->dir, "nonsense.db");
    static const char *const bad[] = {"nonsense",    "",      "10.0.0.256",
                                      "10.0.0.2:80", "[::1]", "localhost"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char *out;
        int rc = ht_akar_run(NULL, &out, "serve", "--db", f->db, "--listen", "127.0.0.1:0",
                             "--trusted-proxy", bad[i], HT_END);
        if (rc != 2 || !strstr(out, "--trusted-proxy"))
            fail_msg("--trusted-proxy \"%s\": exit %d: %s", bad[i], rc, out);
        free(out);
    }
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trusted_proxy_throttles_each_forwarded_address_apart),
        cmocka_unit_test(test_only_the_right_most_forwarded_entry_counts),
        cmocka_unit_test(test_ipv6_clients_are_counted_by_address_however_spelt),
        cmocka_unit_test(test_a_forwarded_entry_that_is_no_address_falls_back_to_the_peer),
        cmocka_unit_test(test_the_proxy_may_be_named_in_its_ipv4_mapped_spelling),
        cmocka_unit_test(test_forwarded_for_is_ignored_unless_the_peer_is_the_trusted_proxy),
        cmocka_unit_test(test_the_access_log_keeps_no_client_address_forwarded_or_not),
        cmocka_unit_test(test_trusted_proxy_that_is_no_address_exits_2),
    };
    int failed = cmocka_run_group_tests_name("trusted proxy", tests, setup, teardown);
    ht_done();
    return failed ? 1 : 0;
}
