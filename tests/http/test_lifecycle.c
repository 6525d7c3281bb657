/* The life of a server and its database: draining a request in flight on SIGTERM, refusing to
 * serve what it cannot (no database, a newer schema, a busy port), idempotent init, an online
 * backup that serves, audit verification that catches tampering, and user add's checks. */
#include "harness.h"

#include "base/mem.h"

#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define COUNT_AUDIT "SELECT count(*) FROM audit"
#define COUNT_USERS "SELECT count(*) FROM users"
#define COUNT_UNITS "SELECT count(*) FROM units"

struct life {
    char *dir, *template_db;
    struct ht_server a, b; /* stopped by the teardown of each test */
    char *dbs[4];          /* freed by the teardown of each test */
    unsigned serial;
};

static int group_setup(void **state)
{
    struct life *l = xcalloc(1, sizeof *l);
    l->dir = ht_dir_new();
    l->template_db = ht_demo_db(l->dir, "template.db");
    *state = l;
    return 0;
}

static int group_teardown(void **state)
{
    struct life *l = *state;
    free(l->template_db);
    ht_dir_free(l->dir);
    free(l);
    return 0;
}

static int test_teardown(void **state)
{
    struct life *l = *state;
    ht_server_stop(&l->a);
    ht_server_stop(&l->b);
    for (size_t i = 0; i < sizeof l->dbs / sizeof l->dbs[0]; i++) {
        free(l->dbs[i]);
        l->dbs[i] = NULL;
    }
    return 0;
}

/* Keeps db (a database of the scratch directory) until the teardown of this test. */
static const char *keep(struct life *l, char *db)
{
    size_t i = 0;
    while (l->dbs[i])
        i++;
    assert_true(i < sizeof l->dbs / sizeof l->dbs[0]);
    l->dbs[i] = db;
    return db;
}

/* A place for a database, where nothing is yet, unique to this test. */
static const char *new_db(struct life *l, const char *what)
{
    char name[64];
    snprintf(name, sizeof name, "%s-%u.db", what, l->serial++);
    return keep(l, ht_db_new(l->dir, name));
}

/* Copies the sealing key of database from to the place database to expects it, mode 0600:
 * what an operator restoring a backup does. */
static void copy_key(const char *from, const char *to)
{
    char *kf = ht_db_key(from), *kt = ht_db_key(to);
    ht_copy_file(kf, kt);
    assert_int_equal(chmod(kt, 0600), 0);
    free(kf);
    free(kt);
}

/* A copy of the demo database, with its sealing key beside it. */
static const char *demo_copy(struct life *l)
{
    char name[64];
    snprintf(name, sizeof name, "demo-%u.db", l->serial++);
    const char *db = keep(l, ht_db_copy(l->template_db, l->dir, name));
    copy_key(l->template_db, db);
    return db;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

static void test_sigterm_drains_a_request_in_flight(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    ht_server_start(&l->a, db, NULL);
    unsigned port = l->a.port;

    char body[128], *code = ht_totp_code("admin");
    snprintf(body, sizeof body,
             "{\"login\":\"admin\",\"password\":\"demo-admin-2026\",\"totp\":\"%s\"}", code);
    free(code);
    char head[512];
    snprintf(head, sizeof head,
             "POST /api/v1/sessions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: "
             "application/json\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n",
             strlen(body));
    int fd = ht_connect(port);
    assert_true(fd >= 0);
    ht_send_all(fd, head, strlen(head));
    ht_send_all(fd, body, 12);
    /* in flight: the half-sent request, and the /metrics request that asks */
    double in_flight = ht_metric_at_least(port, "akar_http_requests_in_flight", 2);
    assert_true(in_flight >= 2);

    assert_int_equal(kill(l->a.pid, SIGTERM), 0);
    sleep_ms(300);
    assert_int_equal(ht_server_wait(&l->a, 0), -1); /* still draining */
    int late = ht_connect(port);
    if (late >= 0) {
        close(late);
        fail_msg("a new connection was accepted after SIGTERM");
    }
    assert_int_equal(errno, ECONNREFUSED);

    ht_send_all(fd, body + 12, strlen(body) - 12);
    char *resp = ht_recv_all(fd, 15000);
    close(fd);
    if (strncmp(resp, "HTTP/1.1 201", 12) != 0)
        fail_msg("the drained request got: %.300s", resp);
    assert_non_null(strstr(resp, "\"token\":"));
    free(resp);
    assert_int_equal(ht_server_wait(&l->a, 10000), 0);
    /* the acknowledged session was committed before the exit */
    assert_int_equal(ht_db_int(db, "SELECT count(*) FROM sessions"), 1);
}

static void test_serve_without_database_points_to_init(void **state)
{
    struct life *l = *state;
    const char *db = new_db(l, "missing");
    char *out;
    int rc = ht_akar_run(NULL, &out, "serve", "--db", db, "--listen", "127.0.0.1:0", HT_END);
    assert_true(rc != 0);
    if (!strstr(out, "akar init"))
        fail_msg("the message does not mention akar init: %s", out);
    free(out);
    assert_true(ht_db_blank(db));
}

static void test_serve_refuses_bad_listen_and_busy_port(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    char *out;
    int rc = ht_akar_run(NULL, &out, "serve", "--db", db, "--listen", "nowhere", HT_END);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "--listen"));
    free(out);

    ht_server_start(&l->a, db, NULL);
    char listen[32];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", l->a.port);
    rc = ht_akar_run(NULL, &out, "serve", "--db", db, "--listen", listen, HT_END);
    assert_true(rc != 0 && rc < 128);
    assert_non_null(strstr(out, "cannot listen"));
    free(out);
    struct ht_response r;
    ht_get(l->a.port, "/healthz", &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
    assert_int_equal(ht_server_stop(&l->a), 0);
}

static void test_init_twice_changes_nothing(void **state)
{
    struct life *l = *state;
    const char *plain = new_db(l, "plain");
    char *out;
    assert_int_equal(ht_akar_run(NULL, &out, "init", "--db", plain, HT_END), 0);
    assert_non_null(strstr(out, "migrated"));
    free(out);
    long long audit = ht_db_int(plain, COUNT_AUDIT);
    assert_int_equal(ht_akar_run(NULL, &out, "init", "--db", plain, HT_END), 0);
    assert_non_null(strstr(out, "up to date"));
    free(out);
    assert_int_equal(ht_db_int(plain, COUNT_AUDIT), audit);

    const char *demo = demo_copy(l);
    audit = ht_db_int(demo, COUNT_AUDIT);
    long long users = ht_db_int(demo, COUNT_USERS), units = ht_db_int(demo, COUNT_UNITS);
    assert_int_equal(ht_akar_run(NULL, &out, "init", "--db", demo, "--demo", HT_END), 0);
    if (!strstr(out, "up to date"))
        fail_msg("second init said: %s", out);
    free(out);
    assert_int_equal(ht_db_int(demo, COUNT_AUDIT), audit);
    assert_int_equal(ht_db_int(demo, COUNT_USERS), users);
    assert_int_equal(ht_db_int(demo, COUNT_UNITS), units);
}

static void test_newer_schema_is_refused(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    ht_db_set_schema_version(db, 999);
    char *out;
    int rc = ht_akar_run(NULL, &out, "init", "--db", db, HT_END);
    assert_true(rc != 0);
    if (!strstr(out, "newer"))
        fail_msg("init on a newer schema said: %s", out);
    free(out);
    rc = ht_akar_run(NULL, &out, "serve", "--db", db, "--listen", "127.0.0.1:0", HT_END);
    assert_true(rc != 0 && rc < 128);
    if (!strstr(out, "newer"))
        fail_msg("serve on a newer schema said: %s", out);
    free(out);
    assert_int_equal(ht_db_schema_version(db), 999);
}

static void test_backup_while_serving_gives_a_servable_copy(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    if (ht_pg()) {
        /* PostgreSQL has its own tools for a consistent copy; akar says so and writes nothing */
        char *copy = ht_path(l->dir, "backup.db"), *out;
        int rc = ht_akar_run(NULL, &out, "backup", "--db", db, "--to", copy, HT_END);
        assert_int_equal(rc, 1);
        if (!strstr(out, "pg_dump"))
            fail_msg("akar backup on PostgreSQL does not point to pg_dump: %s", out);
        free(out);
        assert_false(ht_file_exists(copy));
        free(copy);
        ht_skip("akar backup copies SQLite databases only; PostgreSQL's are copied with "
                "pg_dump");
    }
    const char *copy = new_db(l, "backup");
    ht_server_start(&l->a, db, NULL);
    char *token = ht_login(l->a.port, "admin", "demo-admin-2026");

    char *out;
    int rc = ht_akar_run(NULL, &out, "backup", "--db", db, "--to", copy, HT_END);
    if (rc != 0)
        fail_msg("akar backup exited %d: %s", rc, out);
    free(out);

    /* the key is not in the backup: without it the copy is refused, with it the copy serves */
    rc = ht_akar_run(NULL, &out, "serve", "--db", copy, "--listen", "127.0.0.1:0", HT_END);
    assert_int_not_equal(rc, 0);
    assert_non_null(strstr(out, ".key"));
    free(out);
    copy_key(db, copy);
    ht_server_start(&l->b, copy, NULL);
    struct ht_response r;
    ht_get(l->b.port, "/api/v1/units", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "Tỉnh Ninh Thuận"));
    ht_response_free(&r);
    /* the session committed before the backup is in the copy */
    char auth[128];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    ht_do(l->b.port, &(struct ht_request){.path = "/api/v1/me", .headers = {auth}}, &r);
    assert_int_equal(r.status, 200);
    ht_response_free(&r);
    free(token);

    assert_int_equal(ht_server_stop(&l->b), 0);
    assert_int_equal(ht_server_stop(&l->a), 0);
    rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", copy, HT_END);
    if (rc != 0)
        fail_msg("audit verify on the backup exited %d: %s", rc, out);
    free(out);
}

/* Commands run beside a serving server (another process writing the same database) must not
 * break the server's audit chain or leave its unit tree stale. */
static void test_cli_writes_beside_a_running_server_keep_one_chain(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    ht_server_start(&l->a, db, NULL);
    char *token = ht_login(l->a.port, "admin", "demo-admin-2026");
    free(token);

    char *out;
    int rc = ht_akar_run("a long passphrase\n", &out, "user", "add", "--db", db, "--login",
                         "beside", "--unit", "586.01", "--role", "handler", HT_END);
    if (rc != 0)
        fail_msg("user add beside the server exited %d: %s", rc, out);
    free(out);
    rc = ht_akar_run(NULL, &out, "unit", "add", "--db", db, "--code", "586.01.03", "--name",
                     "Thôn Mới", "--level", "village", "--parent", "586.01", "--tz",
                     "Asia/Ho_Chi_Minh", HT_END);
    if (rc != 0)
        fail_msg("unit add beside the server exited %d: %s", rc, out);
    free(out);

    /* the server's next audited writes link onto the entries the commands appended */
    token = ht_login(l->a.port, "beside", "a long passphrase");
    free(token);
    token = ht_login(l->a.port, "admin", "demo-admin-2026");
    free(token);

    /* the unit tree answer picks up the new village within the recheck interval */
    bool seen = false;
    for (int i = 0; i < 40 && !seen; i++) {
        struct ht_response r;
        ht_get(l->a.port, "/api/v1/units", &r);
        assert_int_equal(r.status, 200);
        seen = strstr(r.body, "586.01.03") != NULL;
        ht_response_free(&r);
        if (!seen)
            sleep_ms(100);
    }
    assert_true(seen);

    assert_int_equal(ht_server_stop(&l->a), 0);
    rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", db, HT_END);
    if (rc != 0)
        fail_msg("audit verify exited %d: %s", rc, out);
    free(out);
    assert_int_equal(ht_db_int(db, "SELECT count(*) FROM audit WHERE action = 'session.create'"),
                     3);
}

/* A unit's administrators add categories from the command line; the public list shows the
 * nearest unit's category first, and bad or repeated ones change nothing. */
static void test_category_add_is_offered_to_the_subtree(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    char *out;
    int rc = ht_akar_run(NULL, &out, "category", "add", "--db", db, "--unit", "586.01", "--code",
                         "fisheries", "--name", "Thủy sản", "--department", "pnn",
                         "--department-name", "Phòng Nông nghiệp", HT_END);
    if (rc != 0)
        fail_msg("category add exited %d: %s", rc, out);
    free(out);
    long long before = ht_db_int(db, "SELECT count(*) FROM categories");
    assert_int_equal(ht_akar_run(NULL, &out, "category", "add", "--db", db, "--unit", "586.01",
                                 "--code", "fisheries", "--name", "again", HT_END),
                     1);
    free(out);
    assert_int_equal(ht_akar_run(NULL, &out, "category", "add", "--db", db, "--unit", "586.01",
                                 "--code", "Bad Code", "--name", "x", HT_END),
                     2);
    free(out);
    assert_int_equal(ht_db_int(db, "SELECT count(*) FROM categories"), before);

    ht_server_start(&l->a, db, NULL);
    struct ht_response r;
    ht_get(l->a.port, "/api/v1/categories?unit=586.01.01", &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "\"fisheries\""));
    assert_non_null(strstr(r.body, "Phòng Nông nghiệp"));
    /* land is offered at 586 and at 58: listed once, with the district's department */
    json_t *doc = ht_json(&r);
    json_t *cat;
    size_t i, lands = 0;
    json_array_foreach(json_object_get(doc, "categories"), i, cat)
    {
        if (strcmp(json_string_value(json_object_get(cat, "code")), "land") != 0)
            continue;
        lands++;
        assert_string_equal(json_string_value(json_object_get(cat, "department")),
                            "Phòng Tài nguyên và Môi trường huyện Ninh Hải");
    }
    assert_int_equal(lands, 1);
    json_decref(doc);
    ht_response_free(&r);
    ht_get(l->a.port, "/api/v1/categories?unit=582.01", &r);
    assert_int_equal(r.status, 200);
    assert_null(strstr(r.body, "fisheries"));
    ht_response_free(&r);
    assert_int_equal(ht_server_stop(&l->a), 0);
}

static void test_backup_refuses_its_own_source(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    char *out;
    assert_int_equal(ht_akar_run(NULL, &out, "backup", "--db", db, "--to", db, HT_END), 2);
    free(out);
    assert_int_equal(ht_akar_run(NULL, &out, "audit", "verify", "--db", db, HT_END), 0);
    free(out);
}

static void test_audit_verify_names_a_tampered_entry(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    char *out;
    int rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", db, HT_END);
    if (rc != 0)
        fail_msg("the untouched chain does not verify: %s", out);
    free(out);

    ht_db_exec(db, ht_pg() ? "DROP TRIGGER audit_no_update ON audit; "
                             "UPDATE audit SET detail = '{\"x\":1}' WHERE seq = 3"
                           : "DROP TRIGGER audit_no_update; "
                             "UPDATE audit SET detail = '{\"x\":1}' WHERE seq = 3");
    rc = ht_akar_run(NULL, &out, "audit", "verify", "--db", db, HT_END);
    assert_true(rc != 0 && rc < 128);
    if (!strstr(out, "entry 3"))
        fail_msg("verify did not name entry 3: %s", out);
    free(out);
}

static void test_user_add_refuses_a_short_password(void **state)
{
    struct life *l = *state;
    const char *db = demo_copy(l);
    long long users = ht_db_int(db, COUNT_USERS), audit = ht_db_int(db, COUNT_AUDIT);
    char *out;
    int rc = ht_akar_run("short\n", &out, "user", "add", "--db", db, "--login", "new.person",
                         "--unit", "586.01", "--role", "resident", HT_END);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "password"));
    free(out);
    rc = ht_akar_run("", &out, "user", "add", "--db", db, "--login", "new.person", "--unit",
                     "586.01", "--role", "resident", HT_END);
    assert_int_equal(rc, 2);
    free(out);
    assert_int_equal(ht_db_int(db, COUNT_USERS), users);
    assert_int_equal(ht_db_int(db, COUNT_AUDIT), audit);
    assert_int_equal(ht_db_int(db, "SELECT count(*) FROM users WHERE login = 'new.person'"), 0);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(test_sigterm_drains_a_request_in_flight, test_teardown),
        cmocka_unit_test_teardown(test_serve_without_database_points_to_init, test_teardown),
        cmocka_unit_test_teardown(test_serve_refuses_bad_listen_and_busy_port, test_teardown),
        cmocka_unit_test_teardown(test_init_twice_changes_nothing, test_teardown),
        cmocka_unit_test_teardown(test_newer_schema_is_refused, test_teardown),
        cmocka_unit_test_teardown(test_backup_while_serving_gives_a_servable_copy, test_teardown),
        cmocka_unit_test_teardown(test_cli_writes_beside_a_running_server_keep_one_chain,
                                  test_teardown),
        cmocka_unit_test_teardown(test_category_add_is_offered_to_the_subtree, test_teardown),
        cmocka_unit_test_teardown(test_backup_refuses_its_own_source, test_teardown),
        cmocka_unit_test_teardown(test_audit_verify_names_a_tampered_entry, test_teardown),
        cmocka_unit_test_teardown(test_user_add_refuses_a_short_password, test_teardown),
    };
    int failed = cmocka_run_group_tests_name("lifecycle", tests, group_setup, group_teardown);
    ht_done();
    return failed ? 1 : 0;
}
