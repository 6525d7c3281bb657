/* The HTTP test harness; see harness.h. Children are started with fork and exec, with pipes
 * for their standard streams; HTTP goes through one libcurl easy handle per request. */
#include "harness.h"

#include "base/buf.h"
#include "base/mem.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <liboath/oath.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <sqlite3.h>

/* Drops the PostgreSQL databases made for dir (every one if dir is NULL). */
static void pg_drop(const char *dir);
/* The data directory of db if it is a PostgreSQL database these tests made (malloc'd), else
 * NULL. */
static char *pg_data_dir(const char *db);

#define MAX_ARGS         32
#define RUN_TIMEOUT_MS   30000
#define START_TIMEOUT_MS 20000
#define STOP_TIMEOUT_MS  20000

void ht_init(void)
{
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        abort();
}

void ht_done(void)
{
    if (ht_pg())
        pg_drop(NULL);
    curl_global_cleanup();
}

void ht_skip(const char *why)
{
    print_message("skipped: %s\n", why);
    skip();
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000};
    nanosleep(&ts, NULL);
}

/* ---- files ---- */

char *ht_dir_new(void)
{
    const char *tmp = getenv("TMPDIR");
    char *dir = ht_path(tmp && *tmp ? tmp : "/tmp", "akar-http-XXXXXX");
    if (!mkdtemp(dir))
        fail_msg("mkdtemp %s: %s", dir, strerror(errno));
    return dir;
}

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void ht_dir_free(char *dir)
{
    if (!dir)
        return;
    if (ht_pg())
        pg_drop(dir);
    nftw(dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
    free(dir);
}

char *ht_path(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

char *ht_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b = {0};
    char chunk[8192];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        buf_append(&b, chunk, n);
    fclose(f);
    if (!b.data)
        buf_puts(&b, "");
    if (len)
        *len = b.len;
    return b.data;
}

void ht_copy_file(const char *from, const char *to)
{
    size_t len;
    char *data = ht_read_file(from, &len);
    if (!data)
        fail_msg("cannot read %s: %s", from, strerror(errno));
    FILE *f = fopen(to, "wb");
    if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0)
        fail_msg("cannot write %s: %s", to, strerror(errno));
    free(data);
}

bool ht_file_exists(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0;
}

/* ---- running akar ---- */

const char *ht_akar(void)
{
    const char *bin = getenv("AKAR_BIN");
    return bin && *bin ? bin : "./akar";
}

static int exit_code(int wstatus)
{
    if (WIFEXITED(wstatus))
        return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus))
        return 128 + WTERMSIG(wstatus);
    return -1;
}

/* Reads what is available on fd into b, waiting up to timeout_ms; returns 0 at end of file,
 * 1 if more may come. */
static int drain_fd(int fd, struct buf *b, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int rc = poll(&p, 1, timeout_ms);
    if (rc <= 0)
        return 1;
    char chunk[4096];
    ssize_t n = read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR)
        return 1;
    if (n <= 0)
        return 0;
    buf_append(b, chunk, (size_t)n);
    return 1;
}

/* The environment akar runs in: the test's, with AKAR_DATA naming db's data directory when db
 * is a PostgreSQL database (where its sealing key and attachments go, as they go beside a
 * SQLite file). Made before fork, so that the child only has to call execve. */
struct child_env {
    char **envp;
    char *data; /* "AKAR_DATA=..." or NULL */
};

static void child_env_make(struct child_env *e, const char *db)
{
    extern char **environ;
    char *data = db ? pg_data_dir(db) : NULL;
    size_t n = 0;
    while (environ[n])
        n++;
    e->envp = xcalloc(n + 2, sizeof *e->envp);
    e->data = NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!data || strncmp(environ[i], "AKAR_DATA=", 10) != 0)
            e->envp[k++] = environ[i];
    if (data) {
        e->data = xmalloc(strlen(data) + 11);
        sprintf(e->data, "AKAR_DATA=%s", data);
        e->envp[k++] = e->data;
        free(data);
    }
    e->envp[k] = NULL;
}

static void child_env_free(struct child_env *e)
{
    free(e->envp);
    free(e->data);
}

int ht_akar_run(const char *input, char **output, ...)
{
    const char *argv[MAX_ARGS + 2];
    size_t argc = 0;
    argv[argc++] = ht_akar();
    va_list ap;
    va_start(ap, output);
    for (const char *a; (a = va_arg(ap, const char *)) != NULL;) {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = a;
    }
    va_end(ap);
    argv[argc] = NULL;
    const char *db = NULL;
    for (size_t i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--db") == 0)
            db = argv[i + 1];
    struct child_env env;
    child_env_make(&env, db);

    int in[2] = {-1, -1}, out[2] = {-1, -1};
    if (pipe2(in, O_CLOEXEC) != 0 || pipe2(out, O_CLOEXEC) != 0)
        fail_msg("pipe: %s", strerror(errno));
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        dup2(out[1], 2);
        execve(argv[0], (char *const *)argv, env.envp);
        _exit(127);
    }
    child_env_free(&env);
    close(in[0]);
    close(out[1]);
    if (input && write(in[1], input, strlen(input)) < 0 && errno != EPIPE)
        fail_msg("writing to akar: %s", strerror(errno));
    close(in[1]);

    struct buf b = {0};
    int64_t deadline = now_ms() + RUN_TIMEOUT_MS;
    while (now_ms() < deadline && drain_fd(out[0], &b, 100))
        ;
    close(out[0]);
    int wstatus, code = -1;
    while (code < 0) {
        pid_t w = waitpid(pid, &wstatus, WNOHANG);
        if (w == pid) {
            code = exit_code(wstatus);
        } else if (now_ms() >= deadline) {
            kill(pid, SIGKILL);
            waitpid(pid, &wstatus, 0);
            code = exit_code(wstatus);
        } else {
            sleep_ms(5);
        }
    }
    if (!b.data)
        buf_puts(&b, "");
    ht_totp_learn(b.data);
    if (output)
        *output = b.data;
    else
        buf_release(&b);
    return code;
}

char *ht_demo_db(const char *dir, const char *name)
{
    char *db = ht_db_new(dir, name), *out;
    int rc = ht_akar_run(NULL, &out, "init", "--db", db, "--demo", HT_END);
    if (rc != 0)
        fail_msg("akar init --demo exited %d: %s", rc, out);
    free(out);
    return db;
}

/* ---- the server ---- */

static char *server_stderr(const struct ht_server *srv)
{
    char *text = ht_read_file(srv->err_path, NULL);
    return text ? text : xstrdup("(no stderr)");
}

void ht_server_start(struct ht_server *srv, const char *db, const char *access_log)
{
    ht_server_start_with(srv, db, access_log, NULL);
}

void ht_server_start_with(struct ht_server *srv, const char *db, const char *access_log,
                          const char *const *extra)
{
    static unsigned serial;
    memset(srv, 0, sizeof *srv);
    srv->stdout_fd = -1;
    char name[64];
    snprintf(name, sizeof name, "serve-%d-%u.err", (int)getpid(), serial++);
    const char *tmp = getenv("TMPDIR");
    srv->err_path = ht_path(tmp && *tmp ? tmp : "/tmp", name);

    int out[2] = {-1, -1};
    if (pipe2(out, O_CLOEXEC) != 0)
        fail_msg("pipe: %s", strerror(errno));
    struct child_env env;
    child_env_make(&env, db);
    pid_t pid = fork();
    if (pid < 0)
        fail_msg("fork: %s", strerror(errno));
    if (pid == 0) {
        int err = open(srv->err_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (err < 0 || devnull < 0)
            _exit(126);
        /* a test program that dies must not leave its server behind */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(devnull, 0);
        dup2(out[1], 1);
        dup2(err, 2);
        const char *argv[MAX_ARGS] = {
            ht_akar(),  "serve",       "--db",         db,
            "--listen", "127.0.0.1:0", "--access-log", access_log ? access_log : "off"};
        for (size_t i = 8; extra && *extra && i < MAX_ARGS - 1; i++)
            argv[i] = *extra++;
        execve(argv[0], (char *const *)argv, env.envp);
        _exit(127);
    }
    child_env_free(&env);
    close(out[1]);
    srv->pid = pid;
    srv->stdout_fd = out[0];

    struct buf line = {0};
    int64_t deadline = now_ms() + START_TIMEOUT_MS;
    int more = 1;
    while (more && now_ms() < deadline && !(line.data && strchr(line.data, '\n')))
        more = drain_fd(srv->stdout_fd, &line, 100);
    const char *at = line.data ? strstr(line.data, "on http://127.0.0.1:") : NULL;
    if (!at || !strchr(line.data, '\n')) {
        kill(srv->pid, SIGTERM);
        int status = ht_server_wait(srv, STOP_TIMEOUT_MS);
        char *err = server_stderr(srv);
        ht_server_stop(srv);
        fail_msg("akar serve did not start (exit %d); stdout: %s; stderr: %s", status,
                 line.data ? line.data : "", err);
    }
    srv->port = at ? (unsigned)strtoul(at + strlen("on http://127.0.0.1:"), NULL, 10) : 0;
    buf_release(&line);
    assert_true(srv->port > 0 && srv->port < 65536);
}

int ht_server_wait(struct ht_server *srv, int timeout_ms)
{
    if (srv->pid <= 0)
        return 0;
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int wstatus;
        pid_t w = waitpid(srv->pid, &wstatus, WNOHANG);
        if (w == srv->pid) {
            srv->pid = 0;
            if (srv->stdout_fd >= 0)
                close(srv->stdout_fd);
            srv->stdout_fd = -1;
            return exit_code(wstatus);
        }
        if (now_ms() >= deadline)
            return -1;
        sleep_ms(5);
    }
}

int ht_server_stop(struct ht_server *srv)
{
    int code = 0;
    if (srv->pid > 0) {
        kill(srv->pid, SIGTERM);
        code = ht_server_wait(srv, STOP_TIMEOUT_MS);
        if (code < 0) {
            kill(srv->pid, SIGKILL);
            ht_server_wait(srv, STOP_TIMEOUT_MS);
            code = -1;
        }
    }
    if (srv->err_path) {
        char *err = ht_read_file(srv->err_path, NULL);
        /* a failed stop or a sanitizer report is worth seeing in the test output */
        if (err && (code != 0 || strstr(err, "Sanitizer")))
            fprintf(stderr, "akar serve stderr:\n%s\n", err);
        free(err);
        unlink(srv->err_path);
        free(srv->err_path);
        srv->err_path = NULL;
    }
    return code;
}

/* ---- HTTP ---- */

static size_t on_body(char *data, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    buf_append(b, data, size * n);
    return size * n;
}

static void clear_headers(struct ht_response *r)
{
    for (size_t i = 0; i < r->nheaders; i++) {
        free(r->headers[i].name);
        free(r->headers[i].value);
    }
    r->nheaders = 0;
}

/* A header line; a status line starts the headers of a new (maybe final) response. */
static size_t on_header(char *data, size_t size, size_t n, void *arg)
{
    struct ht_response *r = arg;
    size_t len = size * n;
    while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
        len--;
    if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
        clear_headers(r);
        return size * n;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon || r->nheaders == HT_MAX_HEADERS)
        return size * n;
    const char *v = colon + 1;
    while (v < data + len && (*v == ' ' || *v == '\t'))
        v++;
    r->headers[r->nheaders].name = xstrndup(data, (size_t)(colon - data));
    r->headers[r->nheaders].value = xstrndup(v, (size_t)(data + len - v));
    r->nheaders++;
    return size * n;
}

struct upload {
    const char *data;
    size_t len, at;
};

/* Feeds a chunked upload in pieces of at most 4 KiB, so it really arrives as chunks. */
static size_t on_read(char *out, size_t size, size_t n, void *arg)
{
    struct upload *u = arg;
    size_t want = size * n, left = u->len - u->at;
    if (want > 4096)
        want = 4096;
    if (want > left)
        want = left;
    memcpy(out, u->data + u->at, want);
    u->at += want;
    return want;
}

/* One exchange of ht_do: fills r; r->status is 0 when no response came. */
static void do_once(unsigned port, const struct ht_request *q, struct ht_response *r)
{
    memset(r, 0, sizeof *r);
    CURL *c = curl_easy_init();
    if (!c)
        fail_msg("curl_easy_init failed");
    char url[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, q->path);
    struct buf body = {0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
    if (q->content_type) {
        char ct[256];
        snprintf(ct, sizeof ct, "Content-Type: %s", q->content_type);
        hdrs = curl_slist_append(hdrs, ct);
    }
    for (size_t i = 0; i < sizeof q->headers / sizeof q->headers[0] && q->headers[i]; i++)
        hdrs = curl_slist_append(hdrs, q->headers[i]);
    size_t body_len = q->body ? (q->body_len ? q->body_len : strlen(q->body)) : 0;
    struct upload up = {q->body, body_len, 0};
    const char *method = q->method ? q->method : q->body ? "POST" : "GET";

    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (q->body && q->chunked) {
        hdrs = curl_slist_append(hdrs, "Transfer-Encoding: chunked");
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
        curl_easy_setopt(c, CURLOPT_READDATA, &up);
    } else if (q->body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body ? q->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);

    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->curl_code = (int)rc;
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(c);
    if (!body.data)
        buf_puts(&body, "");
    r->body = body.data;
    r->body_len = body.len;
}

void ht_do(unsigned port, const struct ht_request *q, struct ht_response *r)
{
    /* A server refuses a body over its limit before reading it all and closes the connection;
     * a client still sending may then see the reset before the answer (RFC 9112, 9.6), more
     * often on a loaded machine. Real clients send such a request again; so does this, twice,
     * and the answer must still be the refusal. */
    size_t body_len = q->body ? (q->body_len ? q->body_len : strlen(q->body)) : 0;
    for (int attempt = 0;; attempt++) {
        do_once(port, q, r);
        if (r->status != 0)
            return;
        bool reset = r->curl_code == CURLE_SEND_ERROR || r->curl_code == CURLE_RECV_ERROR;
        if (!reset || body_len < (64u << 10) || attempt == 2)
            break;
        ht_response_free(r);
    }
    const char *method = q->method ? q->method : q->body ? "POST" : "GET";
    int rc = r->curl_code;
    ht_response_free(r);
    fail_msg("%s %s: no response (%s)", method, q->path, curl_easy_strerror((CURLcode)rc));
}

void ht_get(unsigned port, const char *path, struct ht_response *r)
{
    ht_do(port, &(struct ht_request){.path = path}, r);
}

void ht_post_json(unsigned port, const char *path, const char *json, struct ht_response *r)
{
    ht_do(port,
          &(struct ht_request){.path = path, .content_type = "application/json", .body = json}, r);
}

void ht_response_free(struct ht_response *r)
{
    clear_headers(r);
    free(r->body);
    r->body = NULL;
}

const char *ht_header(const struct ht_response *r, const char *name)
{
    for (size_t i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return r->headers[i].value;
    return NULL;
}

json_t *ht_json(const struct ht_response *r)
{
    json_error_t err;
    json_t *v = json_loadb(r->body, r->body_len, 0, &err);
    if (!v)
        fail_msg("status %ld: body is not JSON (%s): %.300s", r->status, err.text, r->body);
    return v;
}

void ht_assert_problem(const struct ht_response *r, long status, const char *field)
{
    if (r->status != status)
        fail_msg("status %ld, expected %ld: %.300s", r->status, status, r->body);
    const char *ct = ht_header(r, "Content-Type");
    assert_non_null(ct);
    assert_string_equal(ct, "application/problem+json");
    json_t *p = ht_json(r);
    assert_true(json_is_object(p));
    assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
    assert_non_null(json_string_value(json_object_get(p, "title")));
    const char *detail = json_string_value(json_object_get(p, "detail"));
    assert_non_null(detail);
    assert_true(strlen(detail) > 0);
    if (field) {
        json_t *e = json_array_get(json_object_get(p, "errors"), 0);
        const char *got = json_string_value(json_object_get(e, "field"));
        if (!got || strcmp(got, field) != 0)
            fail_msg("errors[0].field is %s, expected %s: %s", got ? got : "(none)", field,
                     r->body);
        assert_non_null(json_string_value(json_object_get(e, "detail")));
    }
    json_decref(p);
}

/* ---- TOTP ---- */

#define TOTP_MAX 512

static struct totp_known {
    char login[72], secret[64];
    long long last_step; /* the last step this program spent */
} totp_known[TOTP_MAX];
static size_t ntotp_known;
static pthread_mutex_t totp_lock = PTHREAD_MUTEX_INITIALIZER;

static struct totp_known *totp_find(const char *login)
{
    for (size_t i = 0; i < ntotp_known; i++)
        if (strcmp(totp_known[i].login, login) == 0)
            return &totp_known[i];
    return NULL;
}

void ht_totp_learn(const char *text)
{
    static const char prefix[] = "otpauth://totp/akar:";
    pthread_mutex_lock(&totp_lock);
    for (const char *p = text; p && (p = strstr(p, prefix)) != NULL;) {
        p += strlen(prefix);
        size_t n = strcspn(p, "?\n ");
        const char *s = p[n] == '?' ? strstr(p, "secret=") : NULL;
        if (!s || n >= sizeof totp_known[0].login || strcspn(p, "\n") < (size_t)(s - p))
            continue;
        s += strlen("secret=");
        size_t sn = strcspn(s, "&\n ");
        if (sn >= sizeof totp_known[0].secret)
            continue;
        char login[72], secret[64];
        memcpy(login, p, n);
        login[n] = 0;
        memcpy(secret, s, sn);
        secret[sn] = 0;
        struct totp_known *k = totp_find(login);
        if (!k) {
            assert_true(ntotp_known < TOTP_MAX);
            k = &totp_known[ntotp_known++];
            snprintf(k->login, sizeof k->login, "%s", login);
        }
        if (strcmp(k->secret, secret) != 0) {
            snprintf(k->secret, sizeof k->secret, "%s", secret);
            k->last_step = 0;
        }
    }
    pthread_mutex_unlock(&totp_lock);
}

const char *ht_totp_secret(const char *login)
{
    pthread_mutex_lock(&totp_lock);
    struct totp_known *k = totp_find(login);
    pthread_mutex_unlock(&totp_lock);
    return k ? k->secret : NULL;
}

static void oath_start(void)
{
    if (oath_init() != OATH_OK)
        abort();
}

char *ht_totp_at(const char *secret, long long step)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, oath_start);
    char *raw = NULL, out[8];
    size_t len = 0;
    if (oath_base32_decode(secret, strlen(secret), &raw, &len) != OATH_OK ||
        oath_totp_generate(raw, len, (time_t)(step * 30), 30, 0, 6, out) != OATH_OK)
        fail_msg("cannot make a TOTP code of %s", secret);
    free(raw);
    return xstrdup(out);
}

char *ht_totp_code(const char *login)
{
    for (;;) {
        pthread_mutex_lock(&totp_lock);
        struct totp_known *k = totp_find(login);
        if (!k) {
            pthread_mutex_unlock(&totp_lock);
            return NULL;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        long long t = (long long)ts.tv_sec / 30,
                  left_ms = 30000 - (ts.tv_sec % 30) * 1000 - ts.tv_nsec / 1000000;
        long long step = k->last_step + 1;
        long long lowest = left_ms > 3000 ? t - 1 : t;
        if (step < lowest)
            step = lowest;
        if (step <= t + 1) {
            k->last_step = step;
            char secret[64];
            snprintf(secret, sizeof secret, "%s", k->secret);
            pthread_mutex_unlock(&totp_lock);
            return ht_totp_at(secret, step);
        }
        pthread_mutex_unlock(&totp_lock);
        sleep_ms((int)left_ms + 50);
    }
}

char *ht_login(unsigned port, const char *login, const char *password)
{
    json_t *req = json_pack("{s:s, s:s}", "login", login, "password", password);
    char *code = ht_totp_code(login);
    if (code)
        json_object_set_new(req, "totp", json_string(code));
    free(code);
    char *text = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    struct ht_response r;
    ht_post_json(port, "/api/v1/sessions", text, &r);
    free(text);
    if (r.status != 201)
        fail_msg("login %s: status %ld: %s", login, r.status, r.body);
    json_t *doc = ht_json(&r);
    const char *token = json_string_value(json_object_get(doc, "token"));
    assert_non_null(token);
    char *out = xstrdup(token);
    json_decref(doc);
    ht_response_free(&r);
    return out;
}

/* ---- raw TCP ---- */

int ht_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        fail_msg("socket: %s", strerror(errno));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        int e = errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

void ht_send_all(int fd, const void *data, size_t n)
{
    const char *p = data;
    while (n) {
        ssize_t k = send(fd, p, n, MSG_NOSIGNAL);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            fail_msg("send: %s", strerror(errno));
        p += k;
        n -= (size_t)k;
    }
}

char *ht_recv_all(int fd, int timeout_ms)
{
    struct buf b = {0};
    int64_t deadline = now_ms() + timeout_ms;
    int64_t left;
    while ((left = deadline - now_ms()) > 0 && drain_fd(fd, &b, (int)left))
        ;
    if (!b.data)
        buf_puts(&b, "");
    return b.data;
}

/* ---- metrics ---- */

double ht_metric(const char *text, const char *series)
{
    size_t n = strlen(series);
    for (const char *line = text; line && *line;) {
        if (strncmp(line, series, n) == 0 && line[n] == ' ')
            return strtod(line + n + 1, NULL);
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return -1;
}

double ht_metric_now(unsigned port, const char *series)
{
    struct ht_response r;
    ht_get(port, "/metrics", &r);
    assert_int_equal(r.status, 200);
    double v = ht_metric(r.body, series);
    ht_response_free(&r);
    return v;
}

double ht_metric_at_least(unsigned port, const char *series, double min)
{
    int64_t deadline = now_ms() + 2000;
    double v = ht_metric_now(port, series);
    while (v < min && now_ms() < deadline) {
        sleep_ms(10);
        v = ht_metric_now(port, series);
    }
    return v;
}

/* ---- the SMTP sink: aiosmtpd writing each message it receives to dir/N.json ---- */

#define SINK_PYTHON "/usr/bin/python3" /* Debian's, which has python3-aiosmtpd */
#define SINK_SCRIPT "tests/http/smtp_sink.py"

void ht_sink_start(struct ht_sink *k, const char *parent)
{
    static unsigned serial;
    char name[32];
    snprintf(name, sizeof name, "mail-%u", serial++);
    k->dir = ht_path(parent, name);
    assert_int_equal(mkdir(k->dir, 0700), 0);
    if (!ht_file_exists(SINK_SCRIPT) || !ht_file_exists(SINK_PYTHON))
        fail_msg("the SMTP sink needs %s and %s (python3-aiosmtpd; run scripts/setup)", SINK_PYTHON,
                 SINK_SCRIPT);
    int out[2];
    assert_int_equal(pipe2(out, O_CLOEXEC), 0);
    k->pid = fork();
    assert_true(k->pid >= 0);
    if (k->pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        dup2(out[1], 1);
        execl(SINK_PYTHON, SINK_PYTHON, SINK_SCRIPT, k->dir, (char *)NULL);
        _exit(127);
    }
    close(out[1]);
    char line[32] = "";
    size_t len = 0;
    struct pollfd p = {.fd = out[0], .events = POLLIN};
    while (len < sizeof line - 1 && !strchr(line, '\n') && poll(&p, 1, 15000) == 1) {
        ssize_t r = read(out[0], line + len, sizeof line - 1 - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        line[len] = 0;
    }
    close(out[0]);
    k->port = (unsigned)strtoul(line, NULL, 10);
    if (k->port == 0)
        fail_msg("the SMTP sink did not start (is python3-aiosmtpd installed?)");
}

void ht_sink_stop(struct ht_sink *k)
{
    if (k->pid > 0) {
        kill(k->pid, SIGTERM);
        waitpid(k->pid, NULL, 0);
    }
    k->pid = 0;
    free(k->dir);
    k->dir = NULL;
}

json_t *ht_sink_message(const struct ht_sink *k, int n, int timeout_ms)
{
    char name[32];
    snprintf(name, sizeof name, "%d.json", n);
    char *path = ht_path(k->dir, name);
    json_t *j = NULL;
    for (int waited = 0; !j && waited <= timeout_ms; waited += 20) {
        char *text = ht_read_file(path, NULL);
        if (text) {
            j = json_loads(text, 0, NULL);
            assert_non_null(j);
        } else {
            usleep(20000);
        }
        free(text);
    }
    free(path);
    return j;
}

long ht_sink_count(const struct ht_sink *k)
{
    DIR *d = opendir(k->dir);
    assert_non_null(d);
    long n = 0;
    for (struct dirent *e; (e = readdir(d));)
        n += strstr(e->d_name, ".json") != NULL;
    closedir(d);
    return n;
}

/* ---- the database under test ---- */

/* On PostgreSQL every database a test makes is a fresh one on the scratch server, named
 * akar_t_PID_N_NAME, and remembered with the scratch directory it belongs to, so that
 * ht_dir_free drops it as it removes a SQLite file. Its data directory is dir/NAME.data, given
 * to every akar run on it as AKAR_DATA. The PostgreSQL back-end keeps its schema version in
 * meta where SQLite has PRAGMA user_version. wal_from is the first WAL segment that
 * can hold its data (its template's, for a copy): ht_db_find reads the WAL from there. */
#define PG_DBS_MAX            256
#define PG_SCHEMA_VERSION_GET "SELECT value::bigint FROM meta WHERE key = 'schema.version'"
#define PG_SCHEMA_VERSION_SET "UPDATE meta SET value = '%lld' WHERE key = 'schema.version'"
static struct pg_db {
    char *dir;  /* NULL: a free slot */
    char *data; /* its data directory: the sealing key and attachments (akar --data) */
    char name[64];
    char wal_from[32];
} pg_dbs[PG_DBS_MAX];
static pthread_mutex_t pg_dbs_lock = PTHREAD_MUTEX_INITIALIZER;

const char *ht_pg_admin(void)
{
    const char *url = getenv("AKAR_TEST_PG");
    return url && *url ? url : NULL;
}

bool ht_pg(void)
{
    return ht_pg_admin() != NULL;
}

static bool is_url(const char *db)
{
    return strncmp(db, "postgres://", 11) == 0 || strncmp(db, "postgresql://", 13) == 0;
}

static void quiet_notice(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

/* A connection to url (read-only if asked); fails the test if there is none. Statements
 * give up rather than wait forever on a lock the server under test holds. */
static PGconn *pg_connect(const char *url, bool read_only)
{
    const char *const keys[] = {"dbname", "options", "connect_timeout", "application_name", NULL};
    const char *const values[] = {url,
                                  read_only ? "-c lock_timeout=20s -c statement_timeout=60s "
                                              "-c default_transaction_read_only=on"
                                            : "-c lock_timeout=20s -c statement_timeout=60s",
                                  "10", "akar-tests", NULL};
    PGconn *c = PQconnectdbParams(keys, values, 1);
    if (PQstatus(c) != CONNECTION_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", c ? PQerrorMessage(c) : "out of memory");
        PQfinish(c);
        fail_msg("cannot connect to %s: %s", url, msg);
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    return c;
}

/* Runs sql (one statement or several) on c; fails the test unless it succeeds. Returns the
 * last statement's result, which the caller PQclears. */
static PGresult *pg_run_sql(PGconn *c, const char *sql)
{
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", PQerrorMessage(c));
        PQclear(r);
        fail_msg("%s on %s: %s", sql, PQdb(c), msg);
    }
    return r;
}

/* The one value of sql's one row on c, a malloc'd string ("" for NULL). */
static char *pg_value(PGconn *c, const char *sql)
{
    PGresult *r = pg_run_sql(c, sql);
    if (PQntuples(r) != 1 || PQnfields(r) != 1) {
        int rows = PQntuples(r), cols = PQnfields(r);
        PQclear(r);
        fail_msg("%s on %s: %d rows of %d columns, not one value", sql, PQdb(c), rows, cols);
    }
    char *v = xstrdup(PQgetvalue(r, 0, 0));
    PQclear(r);
    return v;
}

/* url with its database name replaced by name. */
static char *pg_url_of(const char *url, const char *name)
{
    const char *host = strstr(url, "://") + 3;
    size_t base = strcspn(host, "/?") + (size_t)(host - url);
    const char *query = strchr(url + base, '?');
    size_t n = base + strlen(name) + (query ? strlen(query) : 0) + 2;
    char *out = xmalloc(n);
    snprintf(out, n, "%.*s/%s%s", (int)base, url, name, query ? query : "");
    return out;
}

/* The database name of url. */
static void pg_name_of(const char *url, char *out, size_t n)
{
    const char *host = strstr(url, "://") + 3;
    const char *slash = strchr(host, '/');
    if (!slash)
        fail_msg("%s names no database", url);
    snprintf(out, n, "%.*s", (int)strcspn(slash + 1, "?"), slash + 1);
}

/* The slot of database name (lock held); NULL if none of ours. */
static struct pg_db *pg_db_find(const char *name)
{
    for (size_t i = 0; i < PG_DBS_MAX; i++)
        if (pg_dbs[i].dir && strcmp(pg_dbs[i].name, name) == 0)
            return &pg_dbs[i];
    return NULL;
}

static char *pg_data_dir(const char *db)
{
    if (!is_url(db))
        return NULL;
    char name[64];
    pg_name_of(db, name, sizeof name);
    pthread_mutex_lock(&pg_dbs_lock);
    struct pg_db *d = pg_db_find(name);
    char *data = d ? xstrdup(d->data) : NULL;
    pthread_mutex_unlock(&pg_dbs_lock);
    return data;
}

/* A database for dir: a copy of the database named from, or (from NULL) a name only, which
 * `akar init` creates as it would a SQLite file. Returns its URL. */
static char *pg_create(const char *dir, const char *name, const char *from)
{
    static unsigned serial;
    struct pg_db d = {0};
    pthread_mutex_lock(&pg_dbs_lock);
    int k = snprintf(d.name, sizeof d.name, "akar_t_%ld_%u_", (long)getpid(), serial++);
    for (const char *p = name; *p && (size_t)k + 1 < sizeof d.name; p++) {
        char ch = *p >= 'A' && *p <= 'Z' ? (char)(*p - 'A' + 'a') : *p;
        d.name[k++] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ? ch : '_';
    }
    d.name[k] = 0;
    struct pg_db *src = from ? pg_db_find(from) : NULL;
    if (src)
        snprintf(d.wal_from, sizeof d.wal_from, "%s", src->wal_from);
    pthread_mutex_unlock(&pg_dbs_lock);
    if (from && !src)
        fail_msg("%s is not a database these tests made", from);

    PGconn *c = pg_connect(ht_pg_admin(), false);
    if (from) {
        char sql[256];
        snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", d.name, from);
        PQclear(pg_run_sql(c, sql));
    } else {
        char *wal = pg_value(c, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
        snprintf(d.wal_from, sizeof d.wal_from, "%s", wal);
        free(wal);
    }
    PQfinish(c);

    pthread_mutex_lock(&pg_dbs_lock);
    struct pg_db *slot = NULL;
    for (size_t i = 0; i < PG_DBS_MAX && !slot; i++)
        if (!pg_dbs[i].dir)
            slot = &pg_dbs[i];
    char data[4096];
    snprintf(data, sizeof data, "%s/%s.data", dir, d.name);
    if (slot) {
        *slot = d;
        slot->dir = xstrdup(dir);
        slot->data = xstrdup(data);
    }
    pthread_mutex_unlock(&pg_dbs_lock);
    if (!slot)
        fail_msg("more than %d test databases at once", PG_DBS_MAX);
    if (mkdir(data, 0700) != 0)
        fail_msg("mkdir %s: %s", data, strerror(errno));
    return pg_url_of(ht_pg_admin(), d.name);
}

/* Drops the databases made for dir (every one if dir is NULL); says so if it cannot. */
static void pg_drop(const char *dir)
{
    const char *const keys[] = {"dbname", "connect_timeout", NULL};
    const char *const values[] = {ht_pg_admin(), "10", NULL};
    PGconn *c = NULL;
    pthread_mutex_lock(&pg_dbs_lock);
    for (size_t i = 0; i < PG_DBS_MAX; i++) {
        struct pg_db *d = &pg_dbs[i];
        if (!d->dir || (dir && strcmp(d->dir, dir) != 0))
            continue;
        if (!c) {
            c = PQconnectdbParams(keys, values, 1);
            PQsetNoticeProcessor(c, quiet_notice, NULL);
        }
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE IF EXISTS %s WITH (FORCE)", d->name);
        PGresult *r = PQexec(c, sql);
        if (PQresultStatus(r) != PGRES_COMMAND_OK)
            fprintf(stderr, "cannot drop test database %s: %s", d->name, PQerrorMessage(c));
        PQclear(r);
        free(d->dir);
        free(d->data);
        memset(d, 0, sizeof *d);
    }
    pthread_mutex_unlock(&pg_dbs_lock);
    PQfinish(c);
}

char *ht_db_new(const char *dir, const char *name)
{
    return ht_pg() ? pg_create(dir, name, NULL) : ht_path(dir, name);
}

char *ht_db_copy(const char *from, const char *dir, const char *name)
{
    if (!is_url(from)) {
        char *db = ht_path(dir, name);
        ht_copy_file(from, db);
        return db;
    }
    char src[64];
    pg_name_of(from, src, sizeof src);
    return pg_create(dir, name, src);
}

char *ht_db_key(const char *db)
{
    if (is_url(db)) {
        char *data = pg_data_dir(db);
        if (!data)
            fail_msg("%s is not a database these tests made", db);
        char *key = ht_path(data, "akar.key");
        free(data);
        return key;
    }
    size_t n = strlen(db) + 5;
    char *key = xmalloc(n);
    snprintf(key, n, "%s.key", db);
    return key;
}

bool ht_db_blank(const char *db)
{
    if (!is_url(db))
        return !ht_file_exists(db);
    char name[64];
    pg_name_of(db, name, sizeof name);
    PGconn *c = pg_connect(ht_pg_admin(), true);
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT count(*) FROM pg_database WHERE datname = '%s'", name);
    char *n = pg_value(c, sql);
    PQfinish(c);
    bool exists = strcmp(n, "0") != 0;
    free(n);
    return !exists || ht_db_int(db, "SELECT count(*) FROM pg_class c JOIN pg_namespace n ON "
                                    "n.oid = c.relnamespace WHERE n.nspname NOT IN "
                                    "('pg_catalog', 'information_schema', 'pg_toast')") == 0;
}

long long ht_db_int(const char *db, const char *sql)
{
    if (is_url(db)) {
        PGconn *c = pg_connect(db, true);
        char *v = pg_value(c, sql), *end;
        PQfinish(c);
        /* PostgreSQL answers a comparison with a boolean where SQLite gives 0 or 1 */
        long long n = strcmp(v, "t") == 0 ? 1 : strcmp(v, "f") == 0 ? 0 : strtoll(v, &end, 10);
        if (strcmp(v, "t") != 0 && strcmp(v, "f") != 0 && *end) {
            char copy[64];
            snprintf(copy, sizeof copy, "%s", v);
            free(v);
            fail_msg("%s on %s: \"%s\" is not an integer", sql, db, copy);
        }
        free(v);
        return n;
    }
    sqlite3 *h = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
        fail_msg("open %s: %s", db, h ? sqlite3_errmsg(h) : "?");
    sqlite3_busy_timeout(h, 10000);
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW)
        fail_msg("%s on %s: %s", sql, db, sqlite3_errmsg(h));
    long long v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(h);
    return v;
}

void ht_db_exec(const char *db, const char *sql)
{
    if (is_url(db)) {
        PGconn *c = pg_connect(db, false);
        PQclear(pg_run_sql(c, sql));
        PQfinish(c);
        return;
    }
    sqlite3 *h = NULL;
    char *err = NULL;
    if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
        fail_msg("open %s: %s", db, h ? sqlite3_errmsg(h) : "?");
    sqlite3_busy_timeout(h, 10000);
    if (sqlite3_exec(h, sql, NULL, NULL, &err) != SQLITE_OK) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s", err ? err : "?");
        sqlite3_free(err);
        sqlite3_close(h);
        fail_msg("%s on %s: %s", sql, db, msg);
    }
    sqlite3_close(h);
}

long long ht_db_schema_version(const char *db)
{
    return ht_db_int(db, is_url(db) ? PG_SCHEMA_VERSION_GET : "PRAGMA user_version");
}

void ht_db_set_schema_version(const char *db, long long v)
{
    char sql[256];
    if (is_url(db))
        snprintf(sql, sizeof sql, PG_SCHEMA_VERSION_SET, v);
    else
        snprintf(sql, sizeof sql, "PRAGMA user_version = %lld", v);
    ht_db_exec(db, sql);
}

/* Looks for texts in the file at path; returns the index of one found, or -1. */
static int find_in_file(const char *path, const char *const *texts, size_t n)
{
    size_t len;
    char *bytes = ht_read_file(path, &len);
    int found = -1;
    for (size_t i = 0; bytes && i < n && found < 0; i++)
        if (memmem(bytes, len, texts[i], strlen(texts[i])))
            found = (int)i;
    free(bytes);
    return found;
}

/* find_in_file on the regular files of dir whose names lie in [from, to] (NULL: no bound). */
static int find_in_dir(const char *dir, const char *from, const char *to, const char *const *texts,
                       size_t n, char **where)
{
    DIR *d = opendir(dir);
    if (!d)
        fail_msg("cannot read %s: %s", dir, strerror(errno));
    int found = -1;
    for (struct dirent *e; found < 0 && (e = readdir(d)) != NULL;) {
        if ((from && strcmp(e->d_name, from) < 0) || (to && strcmp(e->d_name, to) > 0))
            continue;
        char *path = ht_path(dir, e->d_name);
        struct stat st;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode))
            found = find_in_file(path, texts, n);
        if (found >= 0 && where)
            *where = path;
        else
            free(path);
    }
    closedir(d);
    return found;
}

int ht_db_find(const char *db, const char *const *texts, size_t n, char **where)
{
    if (where)
        *where = NULL;
    if (!is_url(db)) {
        static const char *const suffixes[] = {"", "-wal", "-journal"};
        for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
            char *path = xmalloc(strlen(db) + 16);
            sprintf(path, "%s%s", db, suffixes[i]);
            int found = find_in_file(path, texts, n);
            if (found >= 0 && where)
                *where = path;
            else
                free(path);
            if (found >= 0)
                return found;
        }
        return -1;
    }
    /* the database's own files, with every page written out, and the WAL since it began */
    char name[64], wal_from[32] = "";
    pg_name_of(db, name, sizeof name);
    pthread_mutex_lock(&pg_dbs_lock);
    struct pg_db *d = pg_db_find(name);
    if (d)
        snprintf(wal_from, sizeof wal_from, "%s", d->wal_from);
    pthread_mutex_unlock(&pg_dbs_lock);
    if (!wal_from[0])
        fail_msg("%s is not a database these tests made", db);
    PGconn *c = pg_connect(ht_pg_admin(), false);
    PQclear(pg_run_sql(c, "CHECKPOINT"));
    char *data = pg_value(c, "SELECT current_setting('data_directory')");
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT oid FROM pg_database WHERE datname = '%s'", name);
    char *oid = pg_value(c, sql);
    char *wal_to = pg_value(c, "SELECT pg_walfile_name(pg_current_wal_insert_lsn())");
    PQfinish(c);
    char *base = xmalloc(strlen(data) + strlen(oid) + 8);
    sprintf(base, "%s/base/%s", data, oid);
    char *wal = ht_path(data, "pg_wal");
    int found = find_in_dir(base, NULL, NULL, texts, n, where);
    if (found < 0)
        found = find_in_dir(wal, wal_from, wal_to, texts, n, where);
    free(base);
    free(wal);
    free(data);
    free(oid);
    free(wal_to);
    return found;
}

/* ---- the usual fixture ---- */

int ht_env_setup(void **state)
{
    struct ht_env *env = xcalloc(1, sizeof *env);
    env->dir = ht_dir_new();
    env->db = ht_demo_db(env->dir, "t.db");
    env->access_log = ht_path(env->dir, "access.log");
    ht_server_start(&env->srv, env->db, env->access_log);
    *state = env;
    return 0;
}

int ht_env_teardown(void **state)
{
    struct ht_env *env = *state;
    if (!env)
        return 0;
    int status = ht_server_stop(&env->srv);
    if (status != 0)
        fprintf(stderr, "akar serve exited %d on SIGTERM\n", status);
    free(env->db);
    free(env->access_log);
    ht_dir_free(env->dir);
    free(env);
    *state = NULL;
    return status == 0 ? 0 : -1;
}

/* ---- accounts and authenticated calls ---- */

void ht_user_add(const char *db, const char *login, const char *unit, const char *role,
                 const char *password)
{
    char *input = xmalloc(strlen(password) + 2), *out;
    sprintf(input, "%s\n", password);
    int rc = ht_akar_run(input, &out, "user", "add", "--db", db, "--login", login, "--unit", unit,
                         "--role", role, HT_END);
    free(input);
    if (rc != 0)
        fail_msg("akar user add %s exited %d: %s", login, rc, out);
    free(out);
}

void ht_call(unsigned port, const char *method, const char *path, const char *token,
             const char *json, struct ht_response *r)
{
    char auth[128] = "";
    if (token)
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", token);
    ht_do(port,
          &(struct ht_request){.method = method,
                               .path = path,
                               .content_type = json ? "application/json" : NULL,
                               .body = json,
                               .headers = {token ? auth : NULL}},
          r);
}

int ht_do_on(void *curl, unsigned port, const struct ht_request *q, struct ht_response *r)
{
    CURL *c = curl;
    memset(r, 0, sizeof *r);
    curl_easy_reset(c);
    char url[2048];
    snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, q->path);
    struct buf body = {0};
    struct curl_slist *hdrs = curl_slist_append(NULL, "Expect:");
    if (q->content_type) {
        char ct[256];
        snprintf(ct, sizeof ct, "Content-Type: %s", q->content_type);
        hdrs = curl_slist_append(hdrs, ct);
    }
    for (size_t i = 0; i < sizeof q->headers / sizeof q->headers[0] && q->headers[i]; i++)
        hdrs = curl_slist_append(hdrs, q->headers[i]);
    const char *method = q->method ? q->method : q->body ? "POST" : "GET";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    if (q->body || strcmp(method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body ? q->body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(q->body ? (q->body_len ? q->body_len : strlen(q->body)) : 0));
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hdrs);
    CURLcode rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->status);
    r->curl_code = (int)rc;
    curl_slist_free_all(hdrs);
    if (!body.data)
        buf_puts(&body, "");
    r->body = body.data;
    r->body_len = body.len;
    return r->status ? 0 : (int)(rc ? rc : CURLE_RECV_ERROR);
}
