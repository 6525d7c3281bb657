/* GET /api/v1/units: the public unit tree, nested. The answer is built once per change of
 * the tree (the store's units generation) and shared by every request, with an ETag. */
#include "api/internal.h"

#include "base/arena.h"
#include "base/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Builds the tree JSON and its response; caller holds units_lock. */
static int rebuild(struct api *api, uint64_t generation)
{
    struct arena *a = arena_new();
    struct unit_row *rows;
    size_t n;
    int rc = store_unit_list(api->store, a, &rows, &n);
    if (rc) {
        arena_free(a);
        return rc;
    }
    json_t *top = json_array();
    json_t **children = arena_calloc(a, (n ? n : 1) * sizeof *children);
    for (size_t i = 0; i < n; i++) {
        children[i] = json_array();
        json_t *u = json_pack("{s:s, s:s, s:s, s:s, s:b, s:o}", "code", rows[i].code, "name",
                              rows[i].name, "level", rows[i].level, "time_zone", rows[i].time_zone,
                              "remote", rows[i].remote, "children", children[i]);
        json_t *into = top;
        /* rows are ordered by path, so the parent is an earlier row */
        for (size_t k = i; k-- > 0 && rows[i].parent_code;)
            if (strcmp(rows[k].code, rows[i].parent_code) == 0) {
                into = children[k];
                break;
            }
        json_array_append_new(into, u);
    }
    json_t *doc = json_pack("{s:o}", "units", top);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    arena_free(a);
    if (!text)
        return AKAR_ESTORE;
    snprintf(api->units_etag, sizeof api->units_etag, "\"u%llu-%zu\"",
             (unsigned long long)generation, strlen(text));
    struct MHD_Response *resp =
        http_response_new("application/json", text, strlen(text), api->units_etag);
    free(text);
    http_response_free(api->units_resp);
    api->units_resp = resp;
    api->units_generation = generation;
    return 0;
}

int api_units_list(struct http_request *req)
{
    struct api *api = req->route_ctx;
    uint64_t generation = store_units_generation(api->store) + 1; /* 0 means "never built" */
    pthread_mutex_lock(&api->units_lock);
    int rc = 0;
    if (api->units_generation != generation || !api->units_resp)
        rc = rebuild(api, generation);
    const char *inm = http_header(req, "If-None-Match");
    if (rc == 0 && inm && strcmp(inm, api->units_etag) == 0) {
        const char *etag = arena_strdup(req->arena, api->units_etag);
        pthread_mutex_unlock(&api->units_lock);
        http_add_header(req, "ETag", etag);
        http_add_header(req, "Cache-Control", "no-cache");
        return http_reply(req, 304, NULL, NULL, 0);
    }
    if (rc == 0)
        http_reply_shared(req, 200, api->units_resp);
    pthread_mutex_unlock(&api->units_lock);
    if (rc)
        return api_problem(req, 503, NULL, "the unit tree cannot be read now; try again");
    return HTTP_DONE;
}
