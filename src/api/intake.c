/* Taking in a petition, whatever it came through (the JSON API, the web form): the unit, who
 * submits, the throttles (on the public, on integrations' keys), the plan of domain/cases, and
 * one write that stores the case with its attachments. The callers parse their own input and
 * say refusals their way. */
#include "api/internal.h"

#include "api/limiter.h"
#include "base/arena.h"
#include "base/clock.h"
#include "base/err.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>

enum api_intake_outcome api_intake_submit(struct http_request *req, struct api *api,
                                          struct api_intake *it,
                                          int (*then)(struct http_request *req))
{
    int64_t now = clock_now_ms();
    struct case_intake *in = &it->in;
    int rc = store_unit_get(api->store, req->arena, it->unit_code, &it->unit);
    if (rc == AKAR_ENOTFOUND)
        return INTAKE_NO_UNIT;
    if (rc)
        return INTAKE_UNAVAILABLE;
    if (it->who && it->who->key && !access_in_subtree(it->who->key->unit_path, it->unit.path)) {
        it->problem = (struct case_problem){.rc = AKAR_EDENIED, .field = "unit"};
        snprintf(it->problem.detail, sizeof it->problem.detail,
                 "this API key submits to unit %s and the units below it only",
                 it->who->key->unit_code);
        return INTAKE_REFUSED;
    }
    if (in->asked && in->category_code) {
        /* the questions the answers are checked against: the category's that the case gets */
        struct category_row cat;
        rc = store_category_find(api->store, req->arena, it->unit.path, in->category_code, &cat);
        if (rc == AKAR_ENOTFOUND) {
            it->problem = (struct case_problem){.rc = AKAR_EINVAL, .field = "category"};
            snprintf(it->problem.detail, sizeof it->problem.detail,
                     "category %s is not offered here", in->category_code);
            return INTAKE_REFUSED;
        }
        struct category_question *qs;
        if (rc || store_category_questions(api->store, req->arena, cat.id, &qs, &in->nquestions))
            return INTAKE_UNAVAILABLE;
        in->questions = qs;
    }
    in->created_by = it->who ? it->who->user.id : 0;
    in->by_receptionist = it->who && access_has_role(it->who->grants, it->who->ngrants,
                                                     ROLE_RECEPTIONIST, it->unit.path);
    /* the public is throttled per address; an integration per key, since a city's systems
     * share one address and a leaked key must not be unbounded; a reception desk enters
     * petitions for many people */
    struct limiter *throttle = NULL;
    const char *throttle_key = NULL;
    if (it->who && it->who->key) {
        throttle = api->key_submissions;
        throttle_key = arena_printf(req->arena, "apikey:%lld", (long long)it->who->key->id);
    } else if (!in->by_receptionist) {
        throttle = api->submissions;
        throttle_key = arena_printf(req->arena, "submit:%s", api_client_address(req));
    }
    it->retry_after = throttle ? limiter_wait(throttle, throttle_key, now / 1000) : 0;
    if (it->retry_after)
        return INTAKE_THROTTLED;
    struct case_env env = {.policy = api->policy, .key = api->cfg.key, .now = now};
    struct webhook_row *hooks;
    if (store_webhooks_for(api->store, req->arena, it->unit.path, &hooks, &env.nwebhooks) == 0)
        env.webhooks = hooks;
    if (case_plan_intake(&env, req->arena, in, &it->unit, &it->w.u.case_new, it->access_key,
                         &it->problem))
        return INTAKE_REFUSED;
    if (throttle)
        limiter_fail(throttle, throttle_key, now / 1000);
    it->w.kind = STORE_W_CASE_CREATE;
    it->w.actor = it->who ? api_identity_actor(req->arena, it->who) : "reporter";
    it->w.at_ms = now;
    if (it->planned)
        it->planned(req, it);
    struct store_write *queued = &it->w;
    size_t n = it->nattachments + (it->guard ? 1 : 0);
    if (n) {
        /* the case, its attachments and its guard commit together, or nothing does */
        struct store_write **items = arena_alloc(req->arena, (n + 1) * sizeof *items);
        items[0] = &it->w;
        for (size_t i = 0; i < it->nattachments; i++) {
            assert(it->attachments[i]->kind == STORE_W_ATTACHMENT_ADD);
            assert(it->attachments[i]->u.attachment.case_id == 0);
            items[i + 1] = it->attachments[i];
        }
        if (it->guard)
            items[n] = it->guard;
        it->batch.kind = STORE_W_BATCH;
        it->batch.actor = it->w.actor;
        it->batch.at_ms = now;
        it->batch.u.batch.items = items;
        it->batch.u.batch.n = n + 1;
        queued = &it->batch;
    }
    it->queued = queued;
    api_submit_to(api, req, it, queued, then);
    return INTAKE_QUEUED;
}

int api_intake_result(const struct api_intake *it)
{
    return it->queued ? it->queued->rc : AKAR_EINVAL;
}

const char *api_intake_error(const struct api_intake *it)
{
    return it->queued ? it->queued->errmsg : "";
}
