/* akar serve --db PATH --listen HOST:PORT: serves HTTP until SIGTERM or SIGINT, then stops
 * accepting, lets requests in flight finish, commits queued writes and exits 0. */
#include "api/api.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "base/seal.h"
#include "cli/cli.h"
#include "domain/account.h"
#include "domain/sweep.h"
#include "http/server.h"
#include "notify/mail.h"
#include "notify/notify.h"
#include "store/store.h"
#include "web/web.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N(a)          (sizeof(a) / sizeof((a)[0]))
#define PURGE_EVERY_S 3600
#define DRAIN_MS      30000

static void purge_sessions(struct store *s)
{
    struct store_write w = {.kind = STORE_W_SESSION_PURGE, .actor = "system"};
    w.u.purge.now_ms = clock_now_ms();
    if (store_write_sync(s, &w) == 0 && w.id > 0)
        log_info("removed %lld expired sessions", (long long)w.id);
}

/* Idempotency-Key records past their day, which no retry would find any more. */
static void purge_idempotency(struct store *s)
{
    struct store_write w = {.kind = STORE_W_IDEMPOTENCY_PURGE, .actor = "system"};
    w.u.purge.now_ms = clock_now_ms() - STORE_IDEMPOTENCY_TTL_MS;
    store_write_sync(s, &w);
}

/* Hourly: expired sessions and Idempotency-Keys go, and leaders hear of cases about to become
 * overdue. */
static void housekeeping(struct store *s)
{
    purge_sessions(s);
    purge_idempotency(s);
    int warned;
    if (sweep_due_soon(s, clock_now_ms(), SWEEP_WINDOW_MS, &warned) == 0 && warned)
        log_info("deadline sweep: warned about %d cases due within 48 hours", warned);
}

static int open_access_log(const char *where)
{
    if (!where || strcmp(where, "-") == 0)
        return 2;
    if (strcmp(where, "off") == 0)
        return -1;
    int fd = open(where, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
    if (fd < 0)
        fprintf(stderr, "akar: cannot open the access log %s: %s\n", where, strerror(errno));
    return fd < 0 ? -2 : fd;
}

/* The notification worker's settings from --smtp and --mail-from (both or neither), and
 * AKAR_NOTIFY_BACKOFF_SCALE (tests shrink the retry delays with it). Prints the problem and
 * returns -1 when they are unusable. */
static int notify_options(const struct cli_opt *opts, size_t n, struct notify_config *nc)
{
    const char *scale = getenv("AKAR_NOTIFY_BACKOFF_SCALE");
    char *end = NULL;
    *nc = (struct notify_config){.smtp_url = cli_get(opts, n, "smtp"),
                                 .mail_from = cli_get(opts, n, "mail-from"),
                                 .backoff_scale = scale ? strtod(scale, &end) : 1};
    if (scale && (end == scale || *end || !(nc->backoff_scale > 0))) {
        fprintf(stderr, "akar: AKAR_NOTIFY_BACKOFF_SCALE must be a number above 0\n");
        return -1;
    }
    if (!nc->smtp_url != !nc->mail_from) {
        fprintf(stderr, "akar: --smtp and --mail-from go together\n");
        return -1;
    }
    if (nc->smtp_url && strncmp(nc->smtp_url, "smtp://", 7) != 0 &&
        strncmp(nc->smtp_url, "smtps://", 8) != 0) {
        fprintf(stderr, "akar: --smtp takes smtp://HOST:PORT or smtps://HOST:PORT\n");
        return -1;
    }
    if (nc->mail_from && !mail_address_ok(nc->mail_from)) {
        fprintf(stderr, "akar: --mail-from takes a plain address, like akar@example.org\n");
        return -1;
    }
    return 0;
}

/* The number of the option name (0 when it is absent: the default); prints the problem and
 * returns -1 unless it is a number from 1 to 1000000. */
static int limit_option(const struct cli_opt *opts, size_t n, const char *name, unsigned *out)
{
    const char *v = cli_get(opts, n, name);
    char *end = NULL;
    unsigned long limit = v ? strtoul(v, &end, 10) : 0;
    if (v && (end == v || *end || *v == '-' || limit < 1 || limit > 1000000)) {
        fprintf(stderr, "akar: --%s takes a number from 1 to 1000000\n", name);
        return -1;
    }
    *out = (unsigned)limit;
    return 0;
}

int cli_serve(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},
                             {"listen", false, NULL, false},
                             {"threads", false, NULL, false},
                             {"access-log", false, NULL, false},
                             {"secure-cookies", true, NULL, false},
                             {"smtp", false, NULL, false},
                             {"mail-from", false, NULL, false},
                             {"submit-limit", false, NULL, false},
                             {"key-submit-limit", false, NULL, false},
                             {"trusted-proxy", false, NULL, false},
                             {"data", false, NULL, false}};
    if (cli_parse(argc, argv, 1, opts, N(opts)) != 0)
        return 2;
    const char *db = cli_get(opts, N(opts), "db");
    const char *listen = cli_get(opts, N(opts), "listen");
    if (!db || !listen) {
        fprintf(stderr,
                "usage: akar serve --db PATH|postgres://... [--data DIR] --listen HOST:PORT "
                "[--threads N] "
                "[--access-log FILE|-|off] [--secure-cookies] "
                "[--smtp smtp://HOST:PORT --mail-from ADDRESS] [--submit-limit N] "
                "[--key-submit-limit N] "
                "[--trusted-proxy ADDR]\n");
        return 2;
    }
    struct notify_config nc;
    if (notify_options(opts, N(opts), &nc) != 0)
        return 2;
    const char *threads = cli_get(opts, N(opts), "threads");
    /* --submit-limit: petitions accepted per client address per 10 minutes (default 30);
     * --key-submit-limit: per integration's API key (default 600) */
    unsigned submit_limit, key_submit_limit;
    if (limit_option(opts, N(opts), "submit-limit", &submit_limit) != 0 ||
        limit_option(opts, N(opts), "key-submit-limit", &key_submit_limit) != 0)
        return 2;
    /* --trusted-proxy: the reverse proxy whose X-Forwarded-For names the client; checked here
     * so that a typo stops the server before it opens the database */
    const char *proxy = cli_get(opts, N(opts), "trusted-proxy");
    unsigned char proxy_bin[sizeof(struct in6_addr)];
    if (proxy && inet_pton(AF_INET, proxy, proxy_bin) != 1 &&
        inet_pton(AF_INET6, proxy, proxy_bin) != 1) {
        fprintf(stderr,
                "akar: --trusted-proxy takes the proxy's IPv4 or IPv6 address, like 10.0.0.2, "
                "got \"%s\"\n",
                proxy);
        return 2;
    }
    int access_fd = open_access_log(cli_get(opts, N(opts), "access-log"));
    if (access_fd == -2)
        return 1;
    log_access_set_fd(access_fd);

    /* Signals are taken by sigwait in this thread only; every thread created below inherits
     * the mask. */
    sigset_t sigs;
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGTERM);
    sigaddset(&sigs, SIGINT);
    pthread_sigmask(SIG_BLOCK, &sigs, NULL);
    signal(SIGPIPE, SIG_IGN);

    if (account_init() != 0) {
        fprintf(stderr, "akar: libsodium cannot start\n");
        return 1;
    }
    struct store *store;
    char err[512];
    if (store_open(db, STORE_OPEN_EXISTING, &store, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        return 1;
    }
    if (store_read_only(store)) {
        /* every write would fail: better to refuse to start than to answer 503s */
        fprintf(stderr, "akar: %s is a standby (read-only) server: serve from the primary\n", db);
        store_close(store);
        return 1;
    }
    struct http_config hc = {
        .listen = listen, .threads = threads ? (unsigned)atoi(threads) : 0, .trusted_proxy = proxy};
    struct http_server *srv = http_server_new(&hc, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "akar: %s\n", err);
        store_close(store);
        return 2;
    }
    struct seal_key key;
    const char *data = cli_get(opts, N(opts), "data");
    char *key_path = cli_data_path(db, data, "key");
    int krc = key_path ? seal_key_load(key_path, &key, err, sizeof err) : AKAR_EINVAL;
    free(key_path);
    struct arena *meta = arena_new();
    const char *preset = "vn";
    if (krc == 0 && store_meta_get(store, meta, "jurisdiction.preset", &preset) == AKAR_ESTORE)
        krc = AKAR_ESTORE;
    if (krc != 0) {
        if (krc != AKAR_EINVAL)
            fprintf(stderr, "akar: %s\n", krc == AKAR_ESTORE ? "cannot read the settings" : err);
        arena_free(meta);
        http_server_stop(srv, 0);
        store_close(store);
        return 1;
    }
    char *blob_dir = cli_data_path(db, data, "blobs");
    struct api_config ac = {.secure_cookies = cli_has(opts, N(opts), "secure-cookies"),
                            .blob_dir = blob_dir,
                            .submit_per_window = submit_limit,
                            .submit_per_key = key_submit_limit,
                            .preset = preset,
                            .key = &key};
    struct api *api = api_new(store, &ac);
    if (!api) {
        fprintf(stderr, "akar: the preset \"%s\" is unknown or %s cannot be opened\n", preset,
                blob_dir);
        free(blob_dir);
        arena_free(meta);
        http_server_stop(srv, 0);
        store_close(store);
        return 1;
    }
    api_mount(api, srv);
    struct web *web = web_new(api, &key);
    if (!web) {
        fprintf(stderr, "akar: the embedded translations or web assets are damaged\n");
        http_server_stop(srv, 0);
        api_free(api);
        free(blob_dir);
        arena_free(meta);
        store_close(store);
        return 1;
    }
    web_mount(web, srv);
    if (http_server_start(srv, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        http_server_stop(srv, 0);
        web_free(web);
        api_free(api);
        free(blob_dir);
        store_close(store);
        arena_free(meta);
        return 1;
    }
    if (notify_start(store, &nc) != 0) {
        fprintf(stderr, "akar: the notification worker cannot start\n");
        http_server_stop(srv, 0);
        web_free(web);
        api_free(api);
        free(blob_dir);
        store_close(store);
        arena_free(meta);
        return 1;
    }
    housekeeping(store);
    char shown[512];
    store_url_shown(db, shown, sizeof shown);
    printf("akar: serving %s on http://%.*s:%u\n", shown, (int)(strrchr(listen, ':') - listen),
           listen, http_server_port(srv));
    fflush(stdout);

    for (;;) {
        struct timespec every = {PURGE_EVERY_S, 0};
        int sig = sigtimedwait(&sigs, NULL, &every);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        if (sig < 0 && errno == EAGAIN)
            housekeeping(store);
    }
    log_info("stopping: draining %u requests in flight", http_server_active(srv));
    http_server_stop(srv, DRAIN_MS);
    web_free(web);
    api_free(api);
    free(blob_dir);
    notify_stop();
    store_close(store);
    arena_free(meta);
    sodium_memzero(&key, sizeof key);
    log_info("stopped");
    if (access_fd > 2)
        close(access_fd);
    return 0;
}
