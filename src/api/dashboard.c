/* GET /api/v1/dashboard: the figures of a unit's cases that the web's dashboard shows (open,
 * overdue, due soon, answered on time, cases by status) and the same for each unit just below,
 * for officials of the unit or above. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/clock.h"
#include "domain/petition.h"
#include "domain/sweep.h"

#include <string.h>

static int64_t count_of(const struct case_stats *s, const char *status)
{
    for (size_t i = 0; i < s->nstatus; i++)
        if (strcmp(s->by_status[i].status, status) == 0)
            return s->by_status[i].n;
    return 0;
}

/* The figures of one unit's subtree; by_status lists every status, zeros included. */
static json_t *figures(const struct unit_row *u, const struct case_stats *s)
{
    json_t *by_status = json_object();
    int64_t open = 0, total = 0;
    for (int st = 0; st < STATUS_COUNT; st++) {
        int64_t n = count_of(s, case_status_name((enum case_status)st));
        json_object_set_new(by_status, case_status_name((enum case_status)st), json_integer(n));
        total += n;
        if (case_status_open((enum case_status)st))
            open += n;
    }
    return json_pack("{s:s, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "code", u->code, "name",
                     u->name, "total", (json_int_t)total, "open", (json_int_t)open, "overdue",
                     (json_int_t)s->overdue, "due_soon", (json_int_t)s->due_soon, "answered",
                     (json_int_t)s->answered, "answered_on_time", (json_int_t)s->answered_on_time,
                     "by_status", by_status);
}

int api_dashboard(struct http_request *req)
{
    struct api *api = req->route_ctx;
    struct identity *id = api_authenticate(api, req);
    if (!id)
        return HTTP_DONE;
    struct case_filter f;
    struct unit_row unit;
    const char *field, *detail;
    int status = api_inbox_query(api, req, id, &f, &unit, &field, &detail);
    if (status)
        return api_problem(req, status, field, detail);
    int64_t now = clock_now_ms();
    struct case_stats st;
    struct unit_row *units;
    size_t n;
    if (store_case_stats(api->store, req->arena, unit.id, now, now + SWEEP_WINDOW_MS, &st) ||
        store_unit_list(api->store, req->arena, &units, &n))
        return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
    json_t *out = figures(&unit, &st);
    json_t *below = json_array();
    for (size_t i = 0; i < n; i++) {
        if (!units[i].parent_code || strcmp(units[i].parent_code, unit.code) != 0)
            continue;
        struct case_stats cs;
        if (store_case_stats(api->store, req->arena, units[i].id, now, now + SWEEP_WINDOW_MS,
                             &cs)) {
            json_decref(below);
            json_decref(out);
            return api_problem(req, 503, NULL, "the store is not answering; try again shortly");
        }
        json_array_append_new(below, figures(&units[i], &cs));
    }
    json_object_set_new(out, "as_of", json_string(clock_format_utc(now, (char[21]){0})));
    json_object_set_new(out, "units_below", below);
    return api_json(req, 200, out);
}
