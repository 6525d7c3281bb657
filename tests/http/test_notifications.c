/* The notification worker inside akar serve: e-mail through a real SMTP server (aiosmtpd, run
 * by tests/http/smtp_sink.py) and signed webhooks to a libmicrohttpd receiver in this process
 * that can be told to fail; retries with counted attempts, giving up after ten, and no message
 * sent twice. Outbox rows are written straight into the database, as the transaction of a
 * change would write them; and, end to end through the API, the reporters of cases merged into
 * another hear of its progress. AKAR_NOTIFY_BACKOFF_SCALE shrinks the retry delays. */
#include "harness.h"

#include "base/buf.h"
#include "base/mem.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <sodium.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#define WAIT_MS   5000
#define MAIL_FROM "akar@example.org"
#define SECRET    "ninh-thuan-webhook-secret"
#define MAX_HOOKS 32
#define NEVER     "9223372036854775807"

#define SUBJECT_VI "Phản ánh của bạn đã được tiếp nhận"
#define BODY_VI                                                                                    \
    "Xin chào,\n"                                                                                 \
    "Mã theo dõi: VN-7Q2K.\n"                                                                    \
    "Dấu = và dòng này dài hơn bảy mươi sáu ký tự, để thử ngắt dòng mềm của quoted-printable.\n"
#define HOOK_BODY                                                                                  \
    "{\"event\":\"case.accepted\",\"tracking_code\":\"VN-7Q2K\",\"title\":\"Đường hỏng\"}"

/* ---- the webhook receiver: answers 503 to its first fail_first requests, then 200 ---- */

struct hook_request {
    char *path, *content_type, *signature, *delivery, *body;
};

struct receiver {
    struct MHD_Daemon *d;
    unsigned port;
    pthread_mutex_t lock;
    int fail_first;
    size_t n;
    struct hook_request req[MAX_HOOKS];
};

static char *header_copy(struct MHD_Connection *c, const char *name)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    return v ? xstrdup(v) : NULL;
}

static enum MHD_Result on_request(void *arg, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **ctx)
{
    (void)method;
    (void)version;
    struct receiver *rc = arg;
    if (!*ctx) {
        *ctx = xcalloc(1, sizeof(struct buf));
        return MHD_YES;
    }
    struct buf *body = *ctx;
    if (*size) {
        buf_append(body, data, *size);
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&rc->lock);
    bool fail = (int)rc->n < rc->fail_first;
    if (rc->n < MAX_HOOKS) {
        struct hook_request *r = &rc->req[rc->n];
        r->path = xstrdup(url);
        r->content_type = header_copy(c, "Content-Type");
        r->signature = header_copy(c, "X-Akar-Signature");
        r->delivery = header_copy(c, "X-Akar-Delivery");
        r->body = xstrdup(body->data ? body->data : "");
    }
    rc->n++;
    pthread_mutex_unlock(&rc->lock);
    static char ok[] = "ok", busy[] = "busy";
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(fail ? 4 : 2, fail ? busy : ok, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result q = MHD_queue_response(c, fail ? 503 : 200, resp);
    MHD_destroy_response(resp);
    return q;
}

static void on_completed(void *arg, struct MHD_Connection *c, void **ctx,
                         enum MHD_RequestTerminationCode toe)
{
    (void)arg;
    (void)c;
    (void)toe;
    if (*ctx) {
        buf_release(*ctx);
        free(*ctx);
        *ctx = NULL;
    }
}

static void receiver_start(struct receiver *rc, int fail_first)
{
    pthread_mutex_init(&rc->lock, NULL);
    rc->fail_first = fail_first;
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    rc->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, rc,
                             MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sin,
                             MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_END);
    assert_non_null(rc->d);
    rc->port = MHD_get_daemon_info(rc->d, MHD_DAEMON_INFO_BIND_PORT)->port;
}

static void receiver_stop(struct receiver *rc)
{
    if (!rc->d)
        return;
    MHD_stop_daemon(rc->d);
    rc->d = NULL;
    for (size_t i = 0; i < rc->n && i < MAX_HOOKS; i++) {
        free(rc->req[i].path);
        free(rc->req[i].content_type);
        free(rc->req[i].signature);
        free(rc->req[i].delivery);
        free(rc->req[i].body);
    }
    pthread_mutex_destroy(&rc->lock);
}

static size_t receiver_count(struct receiver *rc)
{
    pthread_mutex_lock(&rc->lock);
    size_t n = rc->n;
    pthread_mutex_unlock(&rc->lock);
    return n;
}

/* Waits up to timeout_ms for at least n requests; returns how many came. */
static size_t receiver_wait(struct receiver *rc, size_t n, int timeout_ms)
{
    for (int waited = 0; receiver_count(rc) < n && waited < timeout_ms; waited += 10)
        usleep(10000);
    return receiver_count(rc);
}

/* ---- the fixture: a demo database, the server, and whichever peers a test starts ---- */

struct fx {
    char *dir, *template_db, *db, *url;
    struct ht_server srv;
    struct ht_sink smtp;
    struct receiver hook;
    int closed_fd; /* a bound, never listening socket: connecting to it is refused */
};

static int group_setup(void **state)
{
    struct fx *f = xcalloc(1, sizeof *f);
    f->dir = ht_dir_new();
    f->template_db = ht_demo_db(f->dir, "template.db");
    *state = f;
    return 0;
}

static int group_teardown(void **state)
{
    struct fx *f = *state;
    free(f->template_db);
    ht_dir_free(f->dir);
    free(f);
    return 0;
}

static int test_setup(void **state)
{
    struct fx *f = *state;
    static unsigned serial;
    char name[32];
    snprintf(name, sizeof name, "t%u.db", serial++);
    f->db = ht_db_copy(f->template_db, f->dir, name);
    /* the sealing key goes beside its database */
    char *key_from = ht_db_key(f->template_db), *key_to = ht_db_key(f->db);
    ht_copy_file(key_from, key_to);
    assert_int_equal(chmod(key_to, 0600), 0);
    free(key_from);
    free(key_to);
    f->closed_fd = -1;
    return 0;
}

static int test_teardown(void **state)
{
    struct fx *f = *state;
    int status = ht_server_stop(&f->srv);
    ht_sink_stop(&f->smtp);
    receiver_stop(&f->hook);
    memset(&f->hook, 0, sizeof f->hook);
    if (f->closed_fd >= 0)
        close(f->closed_fd);
    free(f->db);
    free(f->url);
    f->db = f->url = NULL;
    unsetenv("AKAR_NOTIFY_BACKOFF_SCALE");
    return status == 0 ? 0 : -1;
}

/* Starts akar serve on f->db with retry delays times scale, e-mail to smtp_port (0: off). */
static void serve(struct fx *f, const char *scale, unsigned smtp_port)
{
    setenv("AKAR_NOTIFY_BACKOFF_SCALE", scale, 1);
    char url[64];
    snprintf(url, sizeof url, "smtp://127.0.0.1:%u", smtp_port);
    const char *with_smtp[] = {"--smtp", url, "--mail-from", MAIL_FROM, NULL};
    ht_server_start_with(&f->srv, f->db, NULL, smtp_port ? with_smtp : NULL);
}

/* A port on loopback where nothing listens. */
static unsigned closed_port(struct fx *f)
{
    struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof sin;
    f->closed_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    assert_true(f->closed_fd >= 0);
    assert_int_equal(bind(f->closed_fd, (struct sockaddr *)&sin, sizeof sin), 0);
    assert_int_equal(getsockname(f->closed_fd, (struct sockaddr *)&sin, &len), 0);
    return ntohs(sin.sin_port);
}

/* Queues a message as a change's transaction would; returns its id. */
static long long queue(const char *db, const char *channel, const char *target, const char *subject,
                       const char *body)
{
    char *sql = sqlite3_mprintf("INSERT INTO outbox (channel, target, subject, body, next_at, "
                                "created_at) VALUES (%Q, %Q, %Q, %Q, 0, 0)",
                                channel, target, subject, body);
    ht_db_exec(db, sql);
    sqlite3_free(sql);
    return ht_db_int(db, "SELECT max(id) FROM outbox");
}

/* Registers the receiver's /hook URL with SECRET on the province; sets f->url. */
static void register_hook(struct fx *f)
{
    f->url = xmalloc(64);
    snprintf(f->url, 64, "http://127.0.0.1:%u/hook", f->hook.port);
    char *sql = sqlite3_mprintf("INSERT INTO webhooks (unit_id, url, secret) VALUES "
                                "((SELECT id FROM units ORDER BY path LIMIT 1), %Q, %Q)",
                                f->url, SECRET);
    ht_db_exec(f->db, sql);
    sqlite3_free(sql);
}

/* The integer sql yields about outbox row id (%lld in sql). */
static long long row_int(const char *db, const char *sql, long long id)
{
    char *q = sqlite3_mprintf(sql, id);
    long long v = ht_db_int(db, q);
    sqlite3_free(q);
    return v;
}

/* Waits up to timeout_ms until row_int(...) == want; returns the last value seen. */
static long long wait_row(const char *db, const char *sql, long long id, long long want,
                          int timeout_ms)
{
    long long v = row_int(db, sql, id);
    for (int waited = 0; v != want && waited < timeout_ms; waited += 20) {
        usleep(20000);
        v = row_int(db, sql, id);
    }
    return v;
}

#define SENT     "SELECT sent_at IS NOT NULL FROM outbox WHERE id = %lld"
#define ATTEMPTS "SELECT attempts FROM outbox WHERE id = %lld"

static const char *jstr(const json_t *j, const char *key)
{
    const char *v = json_string_value(json_object_get(j, key));
    assert_non_null(v);
    return v;
}

/* ---- the tests ---- */

static void test_email_reaches_the_smtp_server_with_its_vietnamese_subject_encoded(void **state)
{
    struct fx *f = *state;
    ht_sink_start(&f->smtp, f->dir);
    serve(f, "0.001", f->smtp.port);
    long long id = queue(f->db, "email", "dan@example.org", SUBJECT_VI, BODY_VI);

    json_t *m = ht_sink_message(&f->smtp, 1, WAIT_MS);
    assert_non_null(m);
    assert_string_equal(jstr(m, "mail_from"), MAIL_FROM);
    assert_int_equal(json_array_size(json_object_get(m, "rcpt_tos")), 1);
    assert_string_equal(json_string_value(json_array_get(json_object_get(m, "rcpt_tos"), 0)),
                        "dan@example.org");
    /* what a standard parser reads */
    assert_string_equal(jstr(m, "subject"), SUBJECT_VI);
    assert_string_equal(jstr(m, "body"), BODY_VI);
    assert_string_equal(jstr(m, "content_type"), "text/plain");
    assert_string_equal(jstr(m, "charset"), "utf-8");
    assert_int_equal(json_array_size(json_object_get(m, "defects")), 0);
    /* and the bytes themselves: 7-bit clean, the subject as UTF-8 encoded-words */
    assert_false(json_is_true(json_object_get(m, "eight_bit")));
    const char *raw = jstr(m, "raw");
    assert_non_null(strstr(raw, "\r\nSubject: =?UTF-8?B?"));
    assert_non_null(strstr(raw, "\r\nFrom: " MAIL_FROM "\r\n"));
    assert_non_null(strstr(raw, "\r\nTo: dan@example.org\r\n"));
    assert_non_null(strstr(raw, "\r\nMIME-Version: 1.0\r\n"));
    assert_non_null(strstr(raw, "\r\nContent-Type: text/plain; charset=utf-8\r\n"));
    assert_non_null(strstr(raw, "\r\nContent-Transfer-Encoding: quoted-printable\r\n"));
    assert_true(strncmp(raw, "Date: ", 6) == 0);
    for (const char *line = raw; line && strncmp(line, "\r\n", 2) != 0;) {
        const char *end = strstr(line, "\r\n");
        assert_non_null(end);
        assert_true(end - line <= 78); /* headers folded */
        line = end + 2;
    }
    const json_t *headers = json_object_get(m, "headers");
    char want_id[64];
    snprintf(want_id, sizeof want_id, "<akar.%lld.", id);
    const char *message_id = json_string_value(json_object_get(headers, "Message-ID"));
    assert_non_null(message_id);
    assert_true(strncmp(message_id, want_id, strlen(want_id)) == 0);
    assert_non_null(strstr(message_id, "@example.org>"));
    json_decref(m);

    assert_int_equal(wait_row(f->db, SENT, id, 1, WAIT_MS), 1);
    assert_int_equal(row_int(f->db, ATTEMPTS, id), 1);
    assert_int_equal(row_int(f->db, "SELECT last_error IS NULL FROM outbox WHERE id = %lld", id),
                     1);
    /* more than one look at the outbox later, still one message */
    usleep(1500 * 1000);
    assert_null(ht_sink_message(&f->smtp, 2, 0));
}

static void test_webhook_carries_the_body_signed_with_the_registered_secret(void **state)
{
    struct fx *f = *state;
    receiver_start(&f->hook, 0);
    register_hook(f);
    serve(f, "0.001", 0);
    long long id = queue(f->db, "webhook", f->url, "case.accepted", HOOK_BODY);

    assert_int_equal(receiver_wait(&f->hook, 1, WAIT_MS), 1);
    const struct hook_request *r = &f->hook.req[0];
    assert_string_equal(r->path, "/hook");
    assert_string_equal(r->body, HOOK_BODY);
    assert_non_null(r->content_type);
    assert_string_equal(r->content_type, "application/json");
    char want[32];
    snprintf(want, sizeof want, "%lld", id);
    assert_non_null(r->delivery);
    assert_string_equal(r->delivery, want);

    /* the receiver's check: HMAC-SHA256 of the raw body under the shared secret */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)SECRET, strlen(SECRET));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)r->body, strlen(r->body));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[2 * sizeof mac + 1], expected[80];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    snprintf(expected, sizeof expected, "sha256=%s", hex);
    assert_non_null(r->signature);
    assert_string_equal(r->signature, expected);

    assert_int_equal(wait_row(f->db, SENT, id, 1, WAIT_MS), 1);
    assert_int_equal(row_int(f->db, ATTEMPTS, id), 1);
    usleep(1500 * 1000);
    assert_int_equal(receiver_count(&f->hook), 1);
}

static void test_failing_receiver_is_tried_again_until_it_answers_2xx(void **state)
{
    struct fx *f = *state;
    receiver_start(&f->hook, 3);
    register_hook(f);
    serve(f, "0.001", 0); /* retries after 30 ms, 120 ms, 600 ms */
    long long id = queue(f->db, "webhook", f->url, "case.accepted", HOOK_BODY);

    assert_int_equal(wait_row(f->db, SENT, id, 1, WAIT_MS), 1);
    assert_int_equal(row_int(f->db, ATTEMPTS, id), 4);
    assert_int_equal(row_int(f->db, "SELECT last_error IS NULL FROM outbox WHERE id = %lld", id),
                     1);
    assert_int_equal(receiver_count(&f->hook), 4);
    for (size_t i = 1; i < 4; i++) {
        assert_string_equal(f->hook.req[i].delivery, f->hook.req[0].delivery);
        assert_string_equal(f->hook.req[i].signature, f->hook.req[0].signature);
        assert_string_equal(f->hook.req[i].body, HOOK_BODY);
    }
    usleep(1500 * 1000);
    assert_int_equal(receiver_count(&f->hook), 4);
}

static void test_receiver_failing_ten_times_gets_no_eleventh_try(void **state)
{
    struct fx *f = *state;
    receiver_start(&f->hook, MAX_HOOKS);
    register_hook(f);
    serve(f, "0.000001", 0);
    long long id = queue(f->db, "webhook", f->url, "case.accepted", HOOK_BODY);

    assert_int_equal(wait_row(f->db, ATTEMPTS, id, 10, WAIT_MS), 10);
    usleep(1500 * 1000);
    assert_int_equal(receiver_count(&f->hook), 10);
    assert_int_equal(row_int(f->db, ATTEMPTS, id), 10);
    assert_int_equal(row_int(f->db, SENT, id), 0);
    assert_int_equal(row_int(f->db, "SELECT next_at = " NEVER " FROM outbox WHERE id = %lld", id),
                     1);
    assert_int_equal(
        row_int(f->db, "SELECT last_error LIKE '%%answered 503%%' FROM outbox WHERE id = %lld", id),
        1);
}

static void test_unreachable_smtp_server_leaves_the_message_unsent_with_its_error(void **state)
{
    struct fx *f = *state;
    serve(f, "0.001", closed_port(f)); /* retries after 30 ms, 120 ms, 600 ms, 3.6 s */
    long long id = queue(f->db, "email", "dan@example.org", SUBJECT_VI, BODY_VI);

    assert_int_equal(
        wait_row(f->db, "SELECT attempts >= 3 FROM outbox WHERE id = %lld", id, 1, WAIT_MS), 1);
    assert_int_equal(row_int(f->db, SENT, id), 0);
    assert_int_equal(
        row_int(f->db, "SELECT last_error LIKE 'smtp: %%' FROM outbox WHERE id = %lld", id), 1);
    char later[96];
    snprintf(later, sizeof later, "SELECT next_at > %lld FROM outbox WHERE id = %%lld",
             (long long)time(NULL) * 1000);
    assert_int_equal(row_int(f->db, later, id), 1);
}

static void test_unreachable_smtp_server_is_given_up_after_ten_attempts(void **state)
{
    struct fx *f = *state;
    serve(f, "0.000001", closed_port(f));
    long long id = queue(f->db, "email", "dan@example.org", SUBJECT_VI, BODY_VI);

    assert_int_equal(wait_row(f->db, ATTEMPTS, id, 10, WAIT_MS), 10);
    usleep(1200 * 1000);
    assert_int_equal(row_int(f->db, ATTEMPTS, id), 10);
    assert_int_equal(row_int(f->db, SENT, id), 0);
    assert_int_equal(row_int(f->db, "SELECT next_at = " NEVER " FROM outbox WHERE id = %lld", id),
                     1);
    assert_int_equal(
        row_int(f->db, "SELECT last_error LIKE 'smtp: %%' FROM outbox WHERE id = %lld", id), 1);
}

static void test_without_smtp_email_stays_queued_while_webhooks_go_out(void **state)
{
    struct fx *f = *state;
    receiver_start(&f->hook, 0);
    register_hook(f);
    /* queued while the server was down: delivered once it starts */
    long long mail = queue(f->db, "email", "dan@example.org", SUBJECT_VI, BODY_VI);
    long long hook = queue(f->db, "webhook", f->url, "case.accepted", HOOK_BODY);
    serve(f, "0.001", 0);

    assert_int_equal(wait_row(f->db, SENT, hook, 1, WAIT_MS), 1);
    usleep(1200 * 1000);
    assert_int_equal(receiver_count(&f->hook), 1);
    assert_int_equal(row_int(f->db,
                             "SELECT attempts = 0 AND sent_at IS NULL AND last_error IS NULL "
                             "AND next_at = 0 FROM outbox WHERE id = %lld",
                             mail),
                     1);
    char *err = ht_read_file(f->srv.err_path, NULL);
    assert_non_null(err);
    assert_non_null(strstr(err, "e-mail delivery is off"));
    free(err);
}

static void test_unsafe_messages_are_given_up_without_sending(void **state)
{
    struct fx *f = *state;
    ht_sink_start(&f->smtp, f->dir);
    receiver_start(&f->hook, 0);
    serve(f, "0.001", f->smtp.port);
    /* a line break in the subject would smuggle in a header */
    long long mail =
        queue(f->db, "email", "dan@example.org", "Hello\r\nBcc: eve@example.org", "body\n");
    /* an address that would break out of the SMTP command */
    long long bad_to =
        queue(f->db, "email", "dan@example.org>\r\nRCPT TO:<eve@example.org", "Hi", "body\n");
    /* no registration, so no secret: never sent unsigned */
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/hook", f->hook.port);
    long long hook = queue(f->db, "webhook", url, "case.accepted", HOOK_BODY);

    const char *given_up = "SELECT next_at = " NEVER " AND attempts = 1 AND sent_at IS NULL "
                           "AND last_error IS NOT NULL FROM outbox WHERE id = %lld";
    assert_int_equal(wait_row(f->db, given_up, mail, 1, WAIT_MS), 1);
    assert_int_equal(wait_row(f->db, given_up, bad_to, 1, WAIT_MS), 1);
    assert_int_equal(wait_row(f->db, given_up, hook, 1, WAIT_MS), 1);
    assert_int_equal(
        row_int(f->db, "SELECT last_error LIKE '%%registered%%' FROM outbox WHERE id = %lld", hook),
        1);
    assert_null(ht_sink_message(&f->smtp, 1, 200));
    assert_int_equal(receiver_count(&f->hook), 0);
}

/* ---- merged cases, through the API ---- */

#define KEPT_EMAIL      "kept.reporter@example.org"
#define DUP_EMAIL       "dup.reporter@example.org"
#define ANON_EMAIL      "anon.reporter@example.org"
#define DENOUNCER_EMAIL "denouncer@example.org"

/* method path with token (NULL: none) and body (stolen, may be NULL); fails unless the answer
 * is expect; returns it parsed. */
static json_t *api(struct fx *f, const char *token, const char *method, const char *path,
                   json_t *body, long expect)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    struct ht_response r;
    ht_call(f->srv.port, method, path, token, text, &r);
    if (r.status != expect)
        fail_msg("%s %s %s: %ld, expected %ld: %s", method, path, text ? text : "", r.status,
                 expect, r.body);
    free(text);
    json_t *doc = ht_json(&r);
    ht_response_free(&r);
    return doc;
}

struct petition {
    long long id;
    char code[32];
};

/* Submits a kind petition at 586.01; reporter is the JSON text of the reporter member. */
static struct petition petition(struct fx *f, const char *kind, bool anonymous,
                                const char *reporter)
{
    json_t *b = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "kind", kind, "unit", "586.01", "title",
                          "Đèn đường thôn Vĩnh Hy hỏng nhiều ngày", "description",
                          "Cả đoạn đường tối từ đầu tháng.", "anonymous", anonymous, "reporter",
                          json_loads(reporter, 0, NULL));
    json_t *doc = api(f, NULL, "POST", "/api/v1/cases", b, 201);
    struct petition p = {.id = json_integer_value(json_object_get(doc, "id"))};
    snprintf(p.code, sizeof p.code, "%s", jstr(doc, "tracking_code"));
    json_decref(doc);
    return p;
}

/* action (with the extra members of the JSON object text more, may be NULL) on case id. */
static void act(struct fx *f, const char *token, long long id, const char *action, const char *more,
                const char *status)
{
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", id);
    json_t *b = more ? json_loads(more, 0, NULL) : json_object();
    assert_non_null(b);
    json_object_set_new(b, "action", json_string(action));
    json_t *doc = api(f, token, "POST", path, b, 200);
    assert_string_equal(jstr(doc, "status"), status);
    json_decref(doc);
}

/* The messages the sink received for any of the test's reporters, in order, once want of them
 * have come (or WAIT_MS has passed) and half a second has brought no more: other mail (the
 * deadline sweep's warnings to the demo's leaders) is left out. */
static json_t *mail_to_reporters(const struct ht_sink *k, size_t want)
{
    static const char *const ours[] = {KEPT_EMAIL, DUP_EMAIL, ANON_EMAIL, DENOUNCER_EMAIL};
    json_t *out = json_array(), *m;
    for (int n = 1; (m = ht_sink_message(k, n, json_array_size(out) < want ? WAIT_MS : 500)); n++) {
        const char *to = json_string_value(json_array_get(json_object_get(m, "rcpt_tos"), 0));
        bool mine = false;
        for (size_t i = 0; i < sizeof ours / sizeof ours[0]; i++)
            mine |= to && strcmp(to, ours[i]) == 0;
        if (mine)
            json_array_append_new(out, m);
        else
            json_decref(m);
    }
    return out;
}

/* The subjects of the messages to addr, in order, as "s1|s2|...". */
static char *subjects_to(json_t *mail, const char *addr)
{
    struct buf b = {0};
    buf_puts(&b, "");
    for (size_t i = 0; i < json_array_size(mail); i++) {
        json_t *m = json_array_get(mail, i);
        if (strcmp(json_string_value(json_array_get(json_object_get(m, "rcpt_tos"), 0)), addr))
            continue;
        if (b.len)
            buf_puts(&b, "|");
        buf_puts(&b, jstr(m, "subject"));
    }
    return b.data;
}

static void
test_reporters_of_merged_cases_hear_of_the_kept_cases_progress_under_their_own_codes(void **state)
{
    struct fx *f = *state;
    ht_sink_start(&f->smtp, f->dir);
    serve(f, "0.001", f->smtp.port);
    char *leader = ht_login(f->srv.port, "leader.province", "demo-leader-2026");
    char *handler = ht_login(f->srv.port, "handler.ninhhai", "demo-handler-2026");

    struct petition kept = petition(f, "information_request", false,
                                    "{\"name\":\"Người giữ\",\"email\":\"" KEPT_EMAIL "\"}");
    struct petition dup = petition(f, "information_request", false,
                                   "{\"name\":\"Người trùng\",\"email\":\"" DUP_EMAIL "\"}");
    struct petition anon = petition(f, "information_request", true,
                                    "{\"name\":\"Người ẩn danh\",\"email\":\"" ANON_EMAIL "\"}");
    struct petition denounced = petition(
        f, "denunciation", false, "{\"name\":\"Người tố cáo\",\"email\":\"" DENOUNCER_EMAIL "\"}");
    struct petition silent =
        petition(f, "information_request", false,
                 "{\"name\":\"Người không có thư\",\"phone\":\"0912 345 678\"}");
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld", kept.id);
    json_t *before = api(f, leader, "GET", path, NULL, 200);
    char into[64];
    snprintf(into, sizeof into, "{\"merge_into\":%lld}", kept.id);
    act(f, leader, dup.id, "merge", into, "merged");
    act(f, leader, anon.id, "merge", into, "merged");
    act(f, leader, denounced.id, "merge", into, "merged");
    act(f, leader, silent.id, "merge", into, "merged");
    /* the kept case's version moved with each merge, its timeline did not */
    json_t *after = api(f, leader, "GET", path, NULL, 200);
    assert_int_equal(json_integer_value(json_object_get(after, "version")),
                     json_integer_value(json_object_get(before, "version")) + 4);
    assert_int_equal(json_array_size(json_object_get(after, "timeline")),
                     json_array_size(json_object_get(before, "timeline")));
    json_decref(before);
    json_decref(after);

    /* the kept case goes its whole way, from transfer to closing */
    act(f, leader, kept.id, "transfer",
        "{\"to_unit\":\"586.03\",\"reason\":\"Thuộc thẩm quyền thị trấn\"}", "transferred");
    act(f, leader, kept.id, "accept", NULL, "accepted");
    act(f, handler, kept.id, "start", NULL, "in_progress");
    act(f, leader, kept.id, "extend", "{\"reason\":\"Cần xác minh thêm\"}", "in_progress");
    act(f, handler, kept.id, "resolve", "{\"answer\":\"Đã sửa đèn.\"}", "resolved");
    act(f, leader, kept.id, "close", NULL, "closed");

    /* 7 to the kept case's reporter, 8 to the merged one's (its merge too), none to others */
    json_t *mail = mail_to_reporters(&f->smtp, 15);
    char *kept_got = subjects_to(mail, KEPT_EMAIL), *dup_got = subjects_to(mail, DUP_EMAIL);
    char kept_want[512], dup_want[512];
    static const char *const steps[] = {"transferred", "accepted", "in_progress",
                                        "in_progress", "resolved", "closed"};
    snprintf(kept_want, sizeof kept_want, "Your petition %s: submitted", kept.code);
    snprintf(dup_want, sizeof dup_want, "Your petition %s: submitted|Your petition %s: merged",
             dup.code, dup.code);
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        size_t kl = strlen(kept_want), dl = strlen(dup_want);
        snprintf(kept_want + kl, sizeof kept_want - kl, "|Your petition %s: %s", kept.code,
                 steps[i]);
        snprintf(dup_want + dl, sizeof dup_want - dl, "|Your petition %s: %s", dup.code, steps[i]);
    }
    assert_string_equal(kept_got, kept_want);
    assert_string_equal(dup_got, dup_want);
    assert_int_equal(json_array_size(mail), 15);
    free(kept_got);
    free(dup_got);
    /* the merged case's reporter is told the news under their own code, never the kept one's */
    int told = 0;
    for (size_t i = 0; i < json_array_size(mail); i++) {
        json_t *m = json_array_get(mail, i);
        if (strcmp(json_string_value(json_array_get(json_object_get(m, "rcpt_tos"), 0)),
                   DUP_EMAIL) != 0)
            continue;
        const char *body = jstr(m, "body");
        char track[64];
        snprintf(track, sizeof track, "/track/%s", dup.code);
        assert_non_null(strstr(body, track));
        assert_null(strstr(body, kept.code));
        assert_null(strstr(jstr(m, "subject"), kept.code));
        told += strstr(body, "Time limit extended to ") != NULL &&
                strstr(body, "Cần xác minh thêm") != NULL;
    }
    assert_int_equal(told, 1); /* the extension's note, as the kept case's reporter had it */
    json_decref(mail);

    /* sealed reporters: no message, and their address never sat in the outbox */
    static const char *const sealed[] = {ANON_EMAIL, DENOUNCER_EMAIL};
    for (size_t i = 0; i < 2; i++) {
        char *q = sqlite3_mprintf("SELECT count(*) FROM outbox WHERE replace(target || ' ' || "
                                  "subject || ' ' || body, %Q, '') <> target || ' ' || subject "
                                  "|| ' ' || body",
                                  sealed[i]);
        assert_int_equal(ht_db_int(f->db, q), 0);
        sqlite3_free(q);
    }
    /* the outbox holds the merged reporter's messages, each once */
    assert_int_equal(ht_db_int(f->db, "SELECT count(*) FROM outbox WHERE target = '" DUP_EMAIL "'"),
                     8);
    assert_int_equal(
        ht_db_int(f->db, "SELECT count(*) FROM outbox WHERE target = '" KEPT_EMAIL "'"), 7);
    free(leader);
    free(handler);
}

static void test_serve_refuses_incomplete_or_wrong_mail_options(void **state)
{
    struct fx *f = *state;
    char *out;
    int rc = ht_akar_run(NULL, &out, "serve", "--db", f->db, "--listen", "127.0.0.1:0", "--smtp",
                         "smtp://127.0.0.1:25", HT_END);
    assert_int_equal(rc, 2);
    assert_non_null(strstr(out, "--mail-from"));
    free(out);
    rc = ht_akar_run(NULL, &out, "serve", "--db", f->db, "--listen", "127.0.0.1:0", "--smtp",
                     "http://127.0.0.1:25", "--mail-from", MAIL_FROM, HT_END);
    assert_int_equal(rc, 2);
    free(out);
    rc = ht_akar_run(NULL, &out, "serve", "--db", f->db, "--listen", "127.0.0.1:0", "--smtp",
                     "smtp://127.0.0.1:25", "--mail-from", "akar <akar@example.org>", HT_END);
    assert_int_equal(rc, 2);
    free(out);
}

int main(void)
{
    ht_init();
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_email_reaches_the_smtp_server_with_its_vietnamese_subject_encoded, test_setup,
            test_teardown),
        cmocka_unit_test_setup_teardown(
            test_webhook_carries_the_body_signed_with_the_registered_secret, test_setup,
            test_teardown),
        cmocka_unit_test_setup_teardown(test_failing_receiver_is_tried_again_until_it_answers_2xx,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_receiver_failing_ten_times_gets_no_eleventh_try,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(
            test_unreachable_smtp_server_leaves_the_message_unsent_with_its_error, test_setup,
            test_teardown),
        cmocka_unit_test_setup_teardown(test_unreachable_smtp_server_is_given_up_after_ten_attempts,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_without_smtp_email_stays_queued_while_webhooks_go_out,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_unsafe_messages_are_given_up_without_sending,
                                        test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(
            test_reporters_of_merged_cases_hear_of_the_kept_cases_progress_under_their_own_codes,
            test_setup, test_teardown),
        cmocka_unit_test_setup_teardown(test_serve_refuses_incomplete_or_wrong_mail_options,
                                        test_setup, test_teardown),
    };
    int failed = cmocka_run_group_tests_name("notifications", tests, group_setup, group_teardown);
    ht_done();
    return failed ? 1 : 0;
}
