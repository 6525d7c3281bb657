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
#include "http/server.h"
#include "store/store.h"

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

int cli_serve(int argc, char **argv)
{
    struct cli_opt opts[] = {{"db", false, NULL, false},
                             {"listen", false, NULL, false},
                             {"threads", false, NULL, false},
                             {"access-log", false, NULL, false},
                             {"secure-cookies", true, NULL, false}};
    if (cli_parse(argc, argv, 1, opts, N(opts)) != 0)
        return 2;
    const char *db = cli_get(opts, N(opts), "db");
    const char *listen = cli_get(opts, N(opts), "listen");
    if (!db || !listen) {
        fprintf(stderr, "usage: akar serve --db PATH --listen HOST:PORT [--threads N] "
                        "[--access-log FILE|-|off] [--secure-cookies]\n");
        return 2;
    }
    const char *threads = cli_get(opts, N(opts), "threads");
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
    struct http_config hc = {.listen = listen, .threads = threads ? (unsigned)atoi(threads) : 0};
    struct http_server *srv = http_server_new(&hc, err, sizeof err);
    if (!srv) {
        fprintf(stderr, "akar: %s\n", err);
        store_close(store);
        return 2;
    }
    struct seal_key key;
    char *key_path = xmalloc(strlen(db) + 5);
    sprintf(key_path, "%s.key", db);
    int krc = seal_key_load(key_path, &key, err, sizeof err);
    free(key_path);
    struct arena *meta = arena_new();
    const char *preset = "vn";
    if (krc == 0 && store_meta_get(store, meta, "jurisdiction.preset", &preset) == AKAR_ESTORE)
        krc = AKAR_ESTORE;
    if (krc != 0) {
        fprintf(stderr, "akar: %s\n", krc == AKAR_ESTORE ? "cannot read the settings" : err);
        arena_free(meta);
        http_server_stop(srv, 0);
        store_close(store);
        return 1;
    }
    struct api_config ac = {
        .secure_cookies = cli_has(opts, N(opts), "secure-cookies"), .preset = preset, .key = &key};
    struct api *api = api_new(store, &ac);
    if (!api) {
        fprintf(stderr, "akar: the jurisdiction preset \"%s\" is unknown\n", preset);
        arena_free(meta);
        http_server_stop(srv, 0);
        store_close(store);
        return 1;
    }
    api_mount(api, srv);
    if (http_server_start(srv, err, sizeof err) != 0) {
        fprintf(stderr, "akar: %s\n", err);
        http_server_stop(srv, 0);
        api_free(api);
        store_close(store);
        arena_free(meta);
        return 1;
    }
    purge_sessions(store);
    printf("akar: serving %s on http://%.*s:%u\n", db, (int)(strrchr(listen, ':') - listen), listen,
           http_server_port(srv));
    fflush(stdout);

    for (;;) {
        struct timespec every = {PURGE_EVERY_S, 0};
        int sig = sigtimedwait(&sigs, NULL, &every);
        if (sig == SIGTERM || sig == SIGINT)
            break;
        if (sig < 0 && errno == EAGAIN)
            purge_sessions(store);
    }
    log_info("stopping: draining %u requests in flight", http_server_active(srv));
    http_server_stop(srv, DRAIN_MS);
    api_free(api);
    store_close(store);
    arena_free(meta);
    sodium_memzero(&key, sizeof key);
    log_info("stopped");
    if (access_fd > 2)
        close(access_fd);
    return 0;
}
