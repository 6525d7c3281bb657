/* GET /api/v1/me/cases: the petitions the signed-in person sent while signed in, newest first,
 * as the web's "My petitions" page lists them; ?before=ID pages back through older ones and
 * `next` names the following page. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"

#include <stdlib.h>

#define MINE_PAGE_MAX 100

static const char *when(struct arena *a, int64_t ms)
{
    char buf[21];
    return arena_strdup(a, clock_format_utc(ms, buf));
}

/* A positive integer query argument, or def when absent; -1 when malformed or out of range. */
static long long positive_arg(struct http_request *req, const char *name, long long def,
                              long long max)
{
    const char *v = http_query(req, name);
    if (!v || !*v)
        return def;
    char *end;
    long long n = strtoll(v, &end, 10);
    return *end || n <= 0 || n > max ? -1 : n;
}

int api_me_cases(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    long long before = positive_arg(req, "before", 0, INT64_MAX);
    if (before < 0)
        return api_problem(req, 400, "before", "before must be the id of a listed case");
    long long limit = positive_arg(req, "limit", 50, MINE_PAGE_MAX);
    if (limit < 0)
        return api_problem(req, 400, "limit", "limit must be a whole number from 1 to 100");
    struct case_row *rows;
    size_t n;
    if (store_case_list_by_creator(api->store, req->arena, id->user.id, before, (size_t)limit,
                                   &rows, &n))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    int64_t now = clock_now_ms();
    json_t *items = json_array();
    for (size_t i = 0; i < n; i++) {
        const struct case_row *c = &rows[i];
        json_array_append_new(items,
                              json_pack("{s:I, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:b}",
                                        "id", (json_int_t)c->id, "tracking_code", c->tracking_code,
                                        "title", c->title, "kind", c->kind, "status", c->status,
                                        "unit", c->unit_code, "unit_name", c->unit_name,
                                        "received_at", when(req->arena, c->received_at), "due_at",
                                        when(req->arena, c->due_at), "open", c->open, "overdue",
                                        c->open && c->due_at < now));
    }
    json_t *out = json_pack("{s:o}", "items", items);
    if (n == (size_t)limit) {
        const char *next = arena_printf(req->arena, "/api/v1/me/cases?before=%lld&limit=%lld",
                                        (long long)rows[n - 1].id, limit);
        json_object_set_new(out, "next", json_string(next));
        http_add_header(req, "Link", arena_printf(req->arena, "<%s>; rel=\"next\"", next));
    } else {
        json_object_set_new(out, "next", json_null());
    }
    return api_json(req, 200, out);
}
