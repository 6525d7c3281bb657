/* The deadline sweep; see sweep.h. */
#include "domain/sweep.h"

#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "store/store.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>

#define SWEEP_BATCH 500

/* The messages warning about case c: one e-mail per leader with an address, one webhook call
 * per webhook of the subtree. */
static size_t warnings(struct store *s, struct arena *a, const struct case_row *c, int64_t now,
                       struct outbox_msg **out)
{
    struct user_row *leaders = NULL;
    struct webhook_row *hooks = NULL;
    size_t nl = 0, nh = 0, k = 0;
    store_users_with_role(s, a, c->unit_path, "leader", &leaders, &nl);
    store_webhooks_for(s, a, c->unit_path, &hooks, &nh);
    struct outbox_msg *m = arena_calloc(a, (nl + nh + 1) * sizeof *m);
    char due[21];
    clock_format_utc(c->due_at, due);
    for (size_t i = 0; i < nl; i++) {
        if (!leaders[i].email)
            continue;
        m[k++] = (struct outbox_msg){
            "email", leaders[i].email,
            arena_printf(a, "Due soon: %s %s at %s", c->kind, c->tracking_code, c->unit_name),
            arena_printf(a,
                         "The %s step of %s %s (\"%s\") at %s ends at %s (UTC).\n"
                         "Status: %s. Open it in the inbox: /api/v1/cases/%lld\n",
                         c->step, c->kind, c->tracking_code, c->title, c->unit_name, due, c->status,
                         (long long)c->id)};
    }
    for (size_t i = 0; i < nh; i++) {
        json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:s, s:I}", "event", "case.due_soon",
                                 "tracking_code", c->tracking_code, "status", c->status, "unit",
                                 c->unit_code, "due_at", due, "at", (json_int_t)now);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        m[k++] =
            (struct outbox_msg){"webhook", hooks[i].url, "case.due_soon", arena_strdup(a, text)};
        free(text);
    }
    *out = m;
    return k;
}

int sweep_due_soon(struct store *s, int64_t now, int64_t window_ms, int *warned)
{
    *warned = 0;
    /* servers sharing a database sweep one at a time: the others find the lock taken and
     * leave this round to its holder */
    bool mine;
    int locked = store_sweep_lock(s, true, &mine);
    if (locked != 0) {
        log_error("deadline sweep: cannot take the sweep lock: %s", akar_strerror(locked));
        return locked;
    }
    if (!mine) {
        log_info("deadline sweep: another server is sweeping");
        return 0;
    }
    struct arena *a = arena_new();
    struct case_row *rows;
    size_t n;
    int rc = store_case_due_between(s, a, now, now + window_ms, SWEEP_BATCH, &rows, &n);
    for (size_t i = 0; rc == 0 && i < n; i++) {
        bool done;
        rc = store_due_warned(s, rows[i].id, rows[i].due_at, &done);
        if (rc || done)
            continue;
        struct store_write w = {.kind = STORE_W_DUE_WARNED, .actor = "system", .at_ms = now};
        w.u.due_warned.case_id = rows[i].id;
        w.u.due_warned.due_at = rows[i].due_at;
        struct outbox_msg *m;
        w.u.due_warned.noutbox = warnings(s, a, &rows[i], now, &m);
        w.u.due_warned.outbox = m;
        rc = store_write_sync(s, &w);
        if (rc == 0)
            (*warned)++;
    }
    if (rc)
        log_error("deadline sweep: %s", akar_strerror(rc));
    arena_free(a);
    store_sweep_lock(s, false, NULL);
    return rc;
}
