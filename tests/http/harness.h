/* What the HTTP integration tests share: a scratch directory, the akar binary run to completion
 * or started as `akar serve` (its port read from its first line), HTTP requests over libcurl,
 * raw TCP sockets, Prometheus samples, and the database under test: a SQLite file, or a
 * database on a scratch PostgreSQL server when $AKAR_TEST_PG is set. Names start with ht_. Helpers
 * fail the running cmocka test themselves when their own machinery breaks (fork, exec, curl), so
 * tests only check what the server did. Everything a helper returns is the caller's, freed with
 * free() unless a *_free is named. */
#ifndef AKAR_TESTS_HTTP_HARNESS_H
#define AKAR_TESTS_HTTP_HARNESS_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define HT_MAX_HEADERS 48

/* Once per test program, around the cmocka groups: libcurl, and SIGPIPE ignored. */
void ht_init(void);
void ht_done(void);

/* Ends the running test as skipped, printing "skipped: why" (scripts/run-tests shows it): for a
 * test whose subject one back-end does not have. */
void ht_skip(const char *why);

/* A fresh directory under $TMPDIR (or /tmp); ht_dir_free removes it and all it holds. */
char *ht_dir_new(void);
void ht_dir_free(char *dir);
/* "dir/name". */
char *ht_path(const char *dir, const char *name);
void ht_copy_file(const char *from, const char *to);
bool ht_file_exists(const char *path);
/* The whole file, NUL-terminated; NULL if it cannot be read. */
char *ht_read_file(const char *path, size_t *len);

/* The akar binary under test: $AKAR_BIN, else ./akar. */
const char *ht_akar(void);
/* Runs akar with the NULL-terminated arguments, input (may be NULL) on its standard input;
 * *output (may be NULL) receives standard output and standard error together. Returns the exit
 * status, 128 + N if killed by signal N (after 30 s it is killed). End the list with HT_END. */
int ht_akar_run(const char *input, char **output, ...) __attribute__((sentinel));
/* The end of ht_akar_run's arguments. */
#define HT_END ((const char *)NULL)
/* A database (see ht_db_new) initialised with `akar init --demo`; fails the test if init
 * fails. */
char *ht_demo_db(const char *dir, const char *name);

struct ht_server {
    pid_t pid; /* 0 when not running */
    unsigned port;
    int stdout_fd;
    char *err_path; /* the server's standard error goes to this file */
};

/* Starts `akar serve --db db --listen 127.0.0.1:0 [--access-log access_log]` and waits for its
 * first line to learn the port; fails the test (with the server's stderr) if it does not come. */
void ht_server_start(struct ht_server *srv, const char *db, const char *access_log);
/* The same with more arguments for akar serve: extra is NULL or a NULL-terminated list. */
void ht_server_start_with(struct ht_server *srv, const char *db, const char *access_log,
                          const char *const *extra);
/* The exit status once the server has exited, or -1 if it still runs after timeout_ms. */
int ht_server_wait(struct ht_server *srv, int timeout_ms);
/* SIGTERM, then waits up to 20 s (SIGKILL after that). Returns the exit status as
 * ht_akar_run does, -1 if it had to be killed; 0 if the server was not running. */
int ht_server_stop(struct ht_server *srv);

struct ht_header {
    char *name, *value;
};

struct ht_response {
    long status;
    char *body; /* NUL-terminated */
    size_t body_len;
    struct ht_header headers[HT_MAX_HEADERS]; /* of the final response */
    size_t nheaders;
    int curl_code; /* not 0 if the transfer ended badly after a status was read */
};

struct ht_request {
    const char *method; /* NULL: GET, or POST when there is a body */
    const char *path;
    const char *content_type;
    const char *body;
    size_t body_len;        /* 0: strlen(body) */
    const char *headers[8]; /* extra "Name: value" lines */
    bool chunked;           /* send the body with Transfer-Encoding: chunked */
};

/* Sends q to 127.0.0.1:port and fills r (free with ht_response_free). Fails the test if no
 * response status arrives. */
void ht_do(unsigned port, const struct ht_request *q, struct ht_response *r);
void ht_get(unsigned port, const char *path, struct ht_response *r);
void ht_post_json(unsigned port, const char *path, const char *json, struct ht_response *r);
void ht_response_free(struct ht_response *r);
/* The value of the response header name (any case), or NULL. */
const char *ht_header(const struct ht_response *r, const char *name);
/* The body parsed as JSON (json_decref it); fails the test if it is not JSON. */
json_t *ht_json(const struct ht_response *r);
/* Checks r is an RFC 9457 problem: status, content type, the members, and (if field is not
 * NULL) errors[0].field == field. */
void ht_assert_problem(const struct ht_response *r, long status, const char *field);
/* Signs in, with a fresh TOTP code when a secret is known for login (see ht_totp_code);
 * returns the token (fails the test unless the answer is 201). */
char *ht_login(unsigned port, const char *login, const char *password);

/* ---- TOTP: officials' second factor ---- */

/* Learns every otpauth://totp/akar:LOGIN?secret=... URI in text, by login (a newer secret
 * replaces an older one). ht_akar_run does this with all that akar prints, so the secrets of
 * `akar user add` and `akar init --demo` are known without asking. */
void ht_totp_learn(const char *text);
/* The secret (base32) learnt for login, or NULL. */
const char *ht_totp_secret(const char *login);
/* A code of login's secret for a time step this program has not used yet, which the server
 * accepts now (its step or the one after; the one before while it has more than 3 s left): the
 * server takes each step once, so past three sign-ins in one step this waits for the next.
 * Marks the step used. NULL if no secret is known for login. */
char *ht_totp_code(const char *login);
/* The code of secret for Unix time step (step = seconds / 30), for wrong or old codes. */
char *ht_totp_at(const char *secret, long long step);

/* A TCP connection to 127.0.0.1:port; -1 with errno set if refused. */
int ht_connect(unsigned port);
void ht_send_all(int fd, const void *data, size_t n);
/* Reads until the peer closes or timeout_ms passes; NUL-terminated. */
char *ht_recv_all(int fd, int timeout_ms);

/* The value of the sample named exactly series (name and labels) in Prometheus text, or -1. */
double ht_metric(const char *text, const char *series);
/* GET /metrics and one sample of it. */
double ht_metric_now(unsigned port, const char *series);
/* The sample once it is at least min, asking /metrics again for up to 2 s: a request is counted
 * when its response has been sent, so the client can see the response a moment earlier. */
double ht_metric_at_least(unsigned port, const char *series, double min);

/* ---- the database under test ---- */

/* The tests run on PostgreSQL when $AKAR_TEST_PG holds the URL of a scratch server's
 * superuser (postgres://postgres@127.0.0.1:PORT/postgres, as scripts/pg-scratch prints it),
 * else on SQLite files. ht_pg_admin is that URL or NULL. */
bool ht_pg(void);
const char *ht_pg_admin(void);
/* A new place for a database, for `akar init --db` and every other --db: on SQLite the path
 * dir/name, on PostgreSQL the URL of a database of the scratch server (its name made of
 * name) with a data directory in dir, which ht_akar_run and ht_server_start give akar as
 * AKAR_DATA when --db names the database. Nothing is there yet: `akar init` creates it.
 * ht_dir_free(dir) removes it with the directory. */
char *ht_db_new(const char *dir, const char *name);
/* A copy of the database from, on which no server runs, as ht_db_new makes one: the file
 * copied, or a database made with from as its template. The sealing key is not copied. */
char *ht_db_copy(const char *from, const char *dir, const char *name);
/* The file of db's sealing key, which akar keeps apart from the database: DB.key beside a
 * SQLite file, akar.key in a PostgreSQL database's data directory. */
char *ht_db_key(const char *db);
/* Whether no akar database is at db: no file, or no database or one without tables. */
bool ht_db_blank(const char *db);
/* The integer that sql (one row, one column) yields on the database, opened read-only; a
 * PostgreSQL boolean counts as 1 or 0. SQL that both back-ends run alike works on both. */
long long ht_db_int(const char *db, const char *sql);
/* Runs sql read-write on the database (for tampering with it); several statements may be
 * separated by semicolons. */
void ht_db_exec(const char *db, const char *sql);
/* The schema version the database records, and setting it (to make it look newer). */
long long ht_db_schema_version(const char *db);
void ht_db_set_schema_version(const char *db, long long v);
/* Looks for each of texts (n of them) in every byte the database keeps on disk: the file
 * with its -wal and -journal, or the database's files on the scratch server (after a
 * checkpoint) with the server's write-ahead log since the database was made. Returns the
 * index of a text found, or -1; *where (if where is not NULL) gets the file it is in. */
int ht_db_find(const char *db, const char *const *texts, size_t n, char **where);

/* The usual fixture: a scratch directory, a demo database and a server on it writing its
 * access log to dir/access.log. */
struct ht_env {
    char *dir, *db, *access_log;
    struct ht_server srv;
};

/* cmocka setup and teardown of a struct ht_env in *state. The teardown fails if the server
 * does not exit 0 on SIGTERM. */
int ht_env_setup(void **state);
int ht_env_teardown(void **state);

/* ---- a real SMTP server for notification tests ---- */

/* tests/http/smtp_sink.py (aiosmtpd) on a free loopback port, writing each message it receives
 * to dir/N.json (N from 1): the envelope, the raw message and what Python's parser reads. */
struct ht_sink {
    pid_t pid;
    unsigned port;
    char *dir;
};
/* Starts a sink writing into a new directory under parent; fails the test if it cannot. */
void ht_sink_start(struct ht_sink *k, const char *parent);
void ht_sink_stop(struct ht_sink *k);
/* Message n as the sink recorded it, waiting up to timeout_ms; NULL if none came. */
json_t *ht_sink_message(const struct ht_sink *k, int n, int timeout_ms);
/* How many messages the sink has recorded so far. */
long ht_sink_count(const struct ht_sink *k);

/* ---- accounts and authenticated calls ---- */

/* `akar user add` on db with password on its standard input; fails the test unless it exits 0. */
void ht_user_add(const char *db, const char *login, const char *unit, const char *role,
                 const char *password);
/* Sends method path with the bearer token (NULL: none) and json (NULL: no body) as
 * application/json, and fills r. */
void ht_call(unsigned port, const char *method, const char *path, const char *token,
             const char *json, struct ht_response *r);
/* Like ht_do, but on the caller's libcurl easy handle (a CURL *, reset and reused, so its
 * connection is kept) and safe from any thread: it never fails the test. Returns 0, or the
 * libcurl error code with r->status 0 when no response came; r is to be freed either way. */
int ht_do_on(void *curl, unsigned port, const struct ht_request *q, struct ht_response *r);

#endif
