/* Petition rules: intake and actions planned into store writes; see cases.h. */
#include "domain/cases.h"

#include "base/arena.h"
#include "base/civil.h"
#include "base/err.h"
#include "base/seal.h"
#include "base/tz.h"
#include "base/utf8.h"
#include "domain/deadline.h"
#include "domain/tracking.h"

#include <jansson.h>
#include <math.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int refuse(struct case_problem *p, int rc, const char *field, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse(struct case_problem *p, int rc, const char *field, const char *fmt, ...)
{
    p->rc = rc;
    snprintf(p->field, sizeof p->field, "%s", field ? field : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(p->detail, sizeof p->detail, fmt, ap);
    va_end(ap);
    return rc;
}

double case_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    const double r = 6371008.8, rad = M_PI / 180;
    double dlat = (lat2 - lat1) * rad, dlon = (lon2 - lon1) * rad;
    double h = sin(dlat / 2) * sin(dlat / 2) +
               cos(lat1 * rad) * cos(lat2 * rad) * sin(dlon / 2) * sin(dlon / 2);
    return 2 * r * asin(sqrt(h < 1 ? h : 1));
}

bool case_duplicate_candidate(const struct case_row *c, const struct case_row *candidate)
{
    if (candidate->id == c->id || !candidate->open)
        return false;
    if (c->category_code && candidate->category_code &&
        strcmp(c->category_code, candidate->category_code) != 0)
        return false;
    if (c->located && candidate->located &&
        case_distance_m(c->lat, c->lon, candidate->lat, candidate->lon) > CASE_DUPLICATE_RADIUS_M)
        return false;
    return true;
}

void case_access_key_hash(const char *key, unsigned char out[32])
{
    crypto_generichash(out, 32, (const unsigned char *)key, strlen(key),
                       (const unsigned char *)"akar-case-access-key-v1", 23);
}

bool case_access_key_ok(const struct case_row *c, const char *key)
{
    if (!key || !account_token_shape_ok(key))
        return false;
    unsigned char h[32];
    case_access_key_hash(key, h);
    return sodium_memcmp(h, c->access_key_hash, 32) == 0;
}

bool case_reporter_sealed(enum case_kind kind, bool anonymous, bool confidential)
{
    return kind == KIND_DENUNCIATION || anonymous || confidential;
}

/* Characters, not bytes, of valid UTF-8 s. */
static size_t chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

#define SIMILARITY_WORDS 4

const char *case_similarity_words(struct arena *a, const char *title)
{
    const char *best[SIMILARITY_WORDS] = {0};
    size_t best_len[SIMILARITY_WORDS] = {0};
    char *copy = arena_strdup(a, title), *save = NULL;
    for (char *w = strtok_r(copy, " \t\n\r.,;:!?()\"'", &save); w;
         w = strtok_r(NULL, " \t\n\r.,;:!?()\"'", &save)) {
        size_t len = chars(w);
        bool seen = false;
        for (int i = 0; i < SIMILARITY_WORDS && !seen; i++)
            seen = best[i] && strcmp(best[i], w) == 0;
        if (seen)
            continue;
        for (int i = 0; i < SIMILARITY_WORDS; i++) {
            if (len <= best_len[i])
                continue;
            for (int k = SIMILARITY_WORDS - 1; k > i; k--) {
                best[k] = best[k - 1];
                best_len[k] = best_len[k - 1];
            }
            best[i] = w;
            best_len[i] = len;
            break;
        }
    }
    const char *out = "";
    for (int i = 0; i < SIMILARITY_WORDS && best[i]; i++)
        out = arena_printf(a, "%s%s%s", out, *out ? " " : "", best[i]);
    return out;
}

static bool blank(const char *s)
{
    for (; s && *s; s++)
        if ((unsigned char)*s > ' ')
            return false;
    return true;
}

static bool phone_ok(const char *s)
{
    size_t digits = 0;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9')
            digits++;
        else if (!strchr(" +-().", *s))
            return false;
    }
    return digits >= 6 && digits <= 15;
}

static bool email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || strlen(s) > 254)
        return false;
    const char *dot = strrchr(at, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (; *s; s++)
        if ((unsigned char)*s <= ' ' || strchr("<>\",;\\", *s))
            return false;
    return true;
}

/* The local date of ms in zone z, "2026-03-03". */
static const char *local_date(struct arena *a, const char *zone, int64_t ms)
{
    const struct tz *z = tz_get(zone);
    struct civil_date d = civil_from_days(z ? deadline_local_day(z, ms) : ms / 86400000);
    return arena_printf(a, "%04d-%02d-%02d", d.year, d.month, d.day);
}

static int64_t due(const struct case_env *env, const struct deadline_rule *r, const char *zone,
                   int64_t from, bool remote, bool complex, int extensions)
{
    const struct tz *z = tz_get(zone);
    if (!z)
        z = tz_get("UTC");
    return deadline_due(env->policy, r, z, from, remote, complex, extensions);
}

static char *reporter_json(const struct case_reporter *r)
{
    json_t *o = json_object();
    if (r->name)
        json_object_set_new(o, "name", json_string(r->name));
    if (r->phone)
        json_object_set_new(o, "phone", json_string(r->phone));
    if (r->email)
        json_object_set_new(o, "email", json_string(r->email));
    if (r->address)
        json_object_set_new(o, "address", json_string(r->address));
    char *text = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(o);
    return text;
}

/* The e-mail of a reporter kept in plain text, or NULL. Sealed identities get no e-mail:
 * queuing one would put the address in the outbox in clear. */
static const char *plain_email(struct arena *a, const char *reporter)
{
    if (!reporter)
        return NULL;
    json_t *o = json_loads(reporter, 0, NULL);
    const char *e = json_string_value(json_object_get(o, "email"));
    const char *out = e ? arena_strdup(a, e) : NULL;
    json_decref(o);
    return out;
}

/* Messages for one event: an e-mail to the reporter (if plain), one to the plain reporter of
 * every case merged into this one (under that case's own code: the code of the case kept is
 * never told to them), and a signed webhook call for each webhook of the subtree. Webhook
 * bodies carry no personal data. */
static void messages(const struct case_env *env, struct arena *a, const char *email,
                     const char *code, const char *event, const char *status, const char *unit_code,
                     const char *note, const struct outbox_msg **out, size_t *n)
{
    struct outbox_msg *m = arena_calloc(a, (env->nwebhooks + env->nmerged + 1) * sizeof *m);
    size_t k = 0;
    if (email) {
        m[k].channel = "email";
        m[k].target = email;
        m[k].subject = arena_printf(a, "Your petition %s: %s", code, status);
        m[k].body = arena_printf(a,
                                 "Petition %s is now %s.\n%s%s\nFollow it with your tracking "
                                 "code at /track/%s.\n",
                                 code, status, note ? note : "", note ? "\n" : "", code);
        k++;
    }
    for (size_t i = 0; i < env->nmerged; i++) {
        const char *own = env->merged[i].tracking_code;
        const char *to = plain_email(a, env->merged[i].reporter);
        if (!to)
            continue;
        m[k].channel = "email";
        m[k].target = to;
        m[k].subject = arena_printf(a, "Your petition %s: %s", own, status);
        m[k].body = arena_printf(a,
                                 "Petition %s is handled together with a case on the same "
                                 "matter, which is now %s.\n%s%s\nFollow it with your tracking "
                                 "code at /track/%s.\n",
                                 own, status, note ? note : "", note ? "\n" : "", own);
        k++;
    }
    for (size_t i = 0; i < env->nwebhooks; i++) {
        json_t *body = json_pack("{s:s, s:s, s:s, s:s, s:I}", "event", event, "tracking_code", code,
                                 "status", status, "unit", unit_code, "at", (json_int_t)env->now);
        char *text = json_dumps(body, JSON_COMPACT);
        json_decref(body);
        m[k].channel = "webhook";
        m[k].target = env->webhooks[i].url;
        m[k].subject = event;
        m[k].body = arena_strdup(a, text);
        free(text);
        k++;
    }
    *out = m;
    *n = k;
}

int case_plan_intake(const struct case_env *env, struct arena *a, const struct case_intake *in,
                     const struct unit_row *unit, struct case_new *out,
                     char access_key[CASE_ACCESS_KEY_CHARS + 1], struct case_problem *p)
{
    memset(out, 0, sizeof *out);
    if (blank(in->title) || chars(in->title) > CASE_TITLE_MAX)
        return refuse(p, AKAR_EINVAL, "title", "a title of 1 to %d characters is needed",
                      CASE_TITLE_MAX);
    if (blank(in->description) || chars(in->description) > CASE_DESCRIPTION_MAX)
        return refuse(p, AKAR_EINVAL, "description",
                      "a description of 1 to %d characters is needed", CASE_DESCRIPTION_MAX);
    if ((in->channel == CHANNEL_RECEPTION || in->channel == CHANNEL_PAPER ||
         in->channel == CHANNEL_PHONE) &&
        !in->by_receptionist)
        return refuse(p, AKAR_EDENIED, "channel",
                      "only a receptionist enters reception, paper and phone petitions");
    if (in->anonymous && in->confidential)
        return refuse(p, AKAR_EINVAL, "confidential",
                      "choose anonymous (report public, you hidden) or confidential (report "
                      "hidden too), not both");
    const struct case_reporter *r = &in->reporter;
    if (in->has_reporter) {
        if (r->name && (blank(r->name) || chars(r->name) > 200))
            return refuse(p, AKAR_EINVAL, "reporter.name", "a name has 1 to 200 characters");
        if (r->phone && !phone_ok(r->phone))
            return refuse(p, AKAR_EINVAL, "reporter.phone",
                          "a phone number has 6 to 15 digits and only + - ( ) . or spaces");
        if (r->email && !email_ok(r->email))
            return refuse(p, AKAR_EINVAL, "reporter.email", "this is not an e-mail address");
        if (r->address && chars(r->address) > 500)
            return refuse(p, AKAR_EINVAL, "reporter.address",
                          "an address has at most 500 characters");
    }
    if (in->located && (in->lat < -90 || in->lat > 90 || in->lon < -180 || in->lon > 180))
        return refuse(p, AKAR_EINVAL, "location", "latitude is -90..90 and longitude -180..180");
    if (in->address && chars(in->address) > 500)
        return refuse(p, AKAR_EINVAL, "location.address", "an address has at most 500 characters");
    const struct deadline_rule *rule =
        deadline_rule_get(env->policy, case_kind_name(in->kind), "accept");
    if (!rule)
        return refuse(p, AKAR_EINVAL, "kind", "this jurisdiction's rules have no %s",
                      case_kind_name(in->kind));
    const char *answers = NULL;
    if (in->asked || in->nanswers) {
        struct answers_problem ap;
        if (answers_check(a, in->category_code != NULL, in->questions, in->nquestions, in->answers,
                          in->nanswers, &answers, &ap)) {
            char field[64];
            snprintf(field, sizeof field, "answers%s%s", ap.code ? "." : "",
                     ap.code ? ap.code : "");
            return refuse(p, AKAR_EINVAL, field, "%s", ap.detail);
        }
    }

    char code[TRACKING_TEXT];
    tracking_new(code);
    account_token_new(access_key);
    out->tracking_code = arena_strdup(a, code);
    case_access_key_hash(access_key, out->access_key_hash);
    out->kind = case_kind_name(in->kind);
    out->channel = case_channel_name(in->channel);
    out->privacy = in->confidential ? "confidential" : in->anonymous ? "anonymous" : "public";
    out->unit_code = unit->code;
    out->category_code = in->category_code;
    out->title = in->title;
    out->description = in->description;
    out->answers = answers;
    if (in->has_reporter) {
        char *json = reporter_json(r);
        if (case_reporter_sealed(in->kind, in->anonymous, in->confidential))
            out->reporter_sealed = seal_text(env->key, a, json);
        else
            out->reporter = arena_strdup(a, json);
        free(json);
    }
    out->located = in->located;
    out->lat = in->lat;
    out->lon = in->lon;
    out->address = in->address;
    out->step = "accept";
    out->received_at = out->step_from = env->now;
    out->remote = unit->remote;
    out->due_at = due(env, rule, unit->time_zone, env->now, unit->remote, false, 0);
    out->created_by = in->created_by;
    out->public_note = arena_printf(a, "Received by %s; a decision on accepting it is due by %s.",
                                    unit->name, local_date(a, unit->time_zone, out->due_at));
    messages(env, a, plain_email(a, out->reporter), code, "case.submitted", "submitted", unit->code,
             out->public_note, &out->outbox, &out->noutbox);
    return 0;
}

static const struct deadline_rule *rule_for(const struct case_env *env, const struct case_row *c,
                                            const char *step)
{
    return deadline_rule_get(env->policy, c->kind, step);
}

/* Sets u's deadline to a fresh step at zone/remote from now. */
static int start_step(const struct case_env *env, const struct case_row *c, const char *step,
                      const char *zone, bool remote, bool complex, struct case_update *u,
                      struct case_problem *p)
{
    const struct deadline_rule *r = rule_for(env, c, step);
    if (!r)
        return refuse(p, AKAR_EINVAL, NULL, "the rules have no %s step for a %s", step, c->kind);
    u->set_deadline = true;
    u->step = step;
    u->step_from = env->now;
    u->due_at = due(env, r, zone, env->now, remote, complex, 0);
    u->open = true;
    u->extensions = 0;
    u->complex = complex;
    u->remote = remote;
    u->round = c->round;
    return 0;
}

static void keep_deadline(const struct case_row *c, bool open, struct case_update *u)
{
    u->set_deadline = true;
    u->step = c->step;
    u->step_from = c->step_from;
    u->due_at = c->due_at;
    u->open = open;
    u->extensions = c->extensions;
    u->complex = c->complex;
    u->remote = c->remote;
    u->round = c->round;
}

static int need(const char *v, const char *field, size_t max, struct case_problem *p)
{
    if (blank(v))
        return refuse(p, AKAR_EINVAL, field, "%s is required for this action", field);
    if (chars(v) > max)
        return refuse(p, AKAR_EINVAL, field, "%s has more than %zu characters", field, max);
    return 0;
}

int case_plan_action(const struct case_env *env, struct arena *a, const struct case_row *c,
                     enum case_action action, const struct case_actor *who, const char *actor,
                     const struct case_args *args, const struct case_target *t,
                     struct case_update *u, struct case_problem *p)
{
    memset(u, 0, sizeof *u);
    int kind = case_kind_parse(c->kind), status = case_status_parse(c->status);
    if (kind < 0 || status < 0)
        return refuse(p, AKAR_ECONFLICT, NULL, "the case is in an unknown state");
    int next = case_next_status((enum case_status)status, (enum case_kind)kind, action);
    if (next < 0) {
        p->allowed = case_allowed_actions((enum case_status)status, (enum case_kind)kind);
        return refuse(p, AKAR_ECONFLICT, "action", "%s is not possible on a %s that is %s",
                      case_action_name(action), c->kind, c->status);
    }
    if (!case_actor_may(who, action))
        return refuse(p, AKAR_EDENIED, "action", "your role here does not allow %s",
                      case_action_name(action));
    u->case_id = c->id;
    u->expected_version = c->version;
    u->action = case_action_name(action);
    u->from_status = c->status;
    u->to_status = case_status_name((enum case_status)next);
    u->actor_label = actor;
    int rc = 0;
    const char *note = NULL, *event_unit = c->unit_code;
    switch (action) {
    case ACTION_ACCEPT:
        rc = start_step(env, c, "settle", c->unit_time_zone, c->remote, args->complex, u, p);
        if (rc == 0)
            note = arena_printf(a, "Accepted by %s; the answer is due by %s.", c->unit_name,
                                local_date(a, c->unit_time_zone, u->due_at));
        break;
    case ACTION_REJECT:
        rc = need(args->reason, "reason", CASE_REASON_MAX, p);
        keep_deadline(c, false, u);
        u->reason = args->reason;
        note = rc ? NULL : arena_printf(a, "Not accepted: %s", args->reason);
        break;
    case ACTION_TRANSFER:
        rc = need(args->reason, "reason", CASE_REASON_MAX, p);
        if (rc == 0 && !t->unit)
            rc = refuse(p, AKAR_EINVAL, "to_unit", "to_unit must name an existing unit");
        if (rc == 0 && strcmp(t->unit->code, c->unit_code) == 0)
            rc = refuse(p, AKAR_EINVAL, "to_unit", "the case is at %s already", c->unit_code);
        if (rc == 0)
            rc = start_step(env, c, "accept", t->unit->time_zone, t->unit->remote, false, u, p);
        if (rc == 0) {
            u->set_unit = true;
            u->unit_code = t->unit->code;
            u->set_handler = true;
            u->handler_id = 0;
            u->reason = args->reason;
            event_unit = t->unit->code;
            note = arena_printf(a, "Transferred to %s, which is competent for it.", t->unit->name);
        }
        break;
    case ACTION_ASSIGN:
        if (!t->handler_id || !t->handler_covers)
            rc = refuse(p, AKAR_EINVAL, "handler",
                        "handler must be the login of a handler of this unit");
        u->set_handler = true;
        u->handler_id = t->handler_id;
        note = "A handler is working on it.";
        break;
    case ACTION_START:
        u->set_handler = true;
        u->handler_id = who->user_id;
        note = "A handler is working on it.";
        break;
    case ACTION_EXTEND: {
        rc = need(args->reason, "reason", CASE_REASON_MAX, p);
        const struct deadline_rule *r = rule_for(env, c, c->step);
        if (rc == 0 && (!r || r->max_ext == 0))
            rc = refuse(p, AKAR_EINVAL, "action", "the law allows no extension of the %s step",
                        c->step);
        if (rc == 0 && c->extensions >= r->max_ext)
            rc = refuse(p, AKAR_EINVAL, "action",
                        "the %s step was extended %d times already, the most allowed", c->step,
                        c->extensions);
        if (rc == 0) {
            keep_deadline(c, true, u);
            u->extensions = c->extensions + 1;
            u->due_at =
                due(env, r, c->unit_time_zone, c->step_from, c->remote, c->complex, u->extensions);
            u->reason = args->reason;
            note = arena_printf(a, "Time limit extended to %s: %s",
                                local_date(a, c->unit_time_zone, u->due_at), args->reason);
        }
        break;
    }
    case ACTION_RESOLVE:
        rc = need(args->answer, "answer", CASE_ANSWER_MAX, p);
        if (rc == 0 && args->document && chars(args->document) > 500)
            rc = refuse(p, AKAR_EINVAL, "document", "document has more than 500 characters");
        keep_deadline(c, false, u);
        u->set_answer = true;
        u->answer = args->answer;
        u->document = args->document;
        u->resolved_at = env->now;
        note = "Resolved: the answer is published.";
        break;
    case ACTION_CLOSE:
        keep_deadline(c, false, u);
        note = "Closed.";
        break;
    case ACTION_REOPEN: {
        rc = need(args->reason, "reason", CASE_REASON_MAX, p);
        const struct deadline_rule *r = rule_for(env, c, "second_filing");
        if (rc == 0 && c->round >= 2)
            rc = refuse(p, AKAR_EINVAL, "action",
                        "a complaint can be brought a second time only once");
        if (rc == 0 && (!r || !c->resolved_at))
            rc = refuse(p, AKAR_EINVAL, "action", "this complaint has no decision to contest");
        if (rc == 0) {
            int64_t limit = due(env, r, c->unit_time_zone, c->resolved_at, c->remote, false, 0);
            if (env->now > limit)
                rc = refuse(p, AKAR_EINVAL, "action",
                            "too late: a second complaint had to be filed by %s",
                            local_date(a, c->unit_time_zone, limit));
        }
        if (rc == 0 && !t->unit)
            rc = refuse(p, AKAR_EINVAL, "action", "there is no level above %s", c->unit_code);
        if (rc == 0)
            rc = start_step(env, c, "accept", t->unit->time_zone, t->unit->remote, false, u, p);
        if (rc == 0) {
            u->round = 2;
            u->set_unit = true;
            u->unit_code = t->unit->code;
            u->set_handler = true;
            u->handler_id = 0;
            u->reason = args->reason;
            event_unit = t->unit->code;
            note = arena_printf(a, "Brought a second time, to %s.", t->unit->name);
        }
        break;
    }
    case ACTION_MERGE:
        if (!t->merge_into || t->merge_into->id == c->id || !t->merge_into->open)
            rc = refuse(p, AKAR_EINVAL, "merge_into",
                        "merge_into must name another open case of your units");
        keep_deadline(c, false, u);
        u->set_merged = true;
        u->merged_into = t->merge_into ? t->merge_into->id : 0;
        note = "Handled together with a case on the same matter; you will be told of its "
               "progress here.";
        break;
    case ACTION_REVEAL:
        rc = need(args->reason, "reason", CASE_REASON_MAX, p);
        if (rc == 0 && !c->reporter_sealed)
            rc = refuse(p, AKAR_EINVAL, "action", "this case has no sealed identity");
        u->reason = args->reason;
        break;
    case ACTION_COUNT:
        rc = refuse(p, AKAR_EINVAL, "action", "unknown action");
        break;
    }
    if (rc)
        return rc;
    u->public_note = note;
    if (note)
        messages(env, a, plain_email(a, c->reporter), c->tracking_code,
                 arena_printf(a, "case.%s", u->action), u->to_status, event_unit, note, &u->outbox,
                 &u->noutbox);
    return 0;
}

int case_plan_rating(const struct case_env *env, struct arena *a, const struct case_row *c,
                     int rating, const char *comment, struct case_update *u, struct case_problem *p)
{
    (void)env;
    (void)a;
    memset(u, 0, sizeof *u);
    if (strcmp(c->status, "resolved") != 0 && strcmp(c->status, "closed") != 0)
        return refuse(p, AKAR_ECONFLICT, "rating", "a case can be rated once it is resolved");
    if (c->rating)
        return refuse(p, AKAR_ECONFLICT, "rating", "this case was rated already");
    if (rating < 1 || rating > 5)
        return refuse(p, AKAR_EINVAL, "rating", "rating is 1 to 5");
    if (comment && chars(comment) > 2000)
        return refuse(p, AKAR_EINVAL, "comment", "a comment has at most 2000 characters");
    u->case_id = c->id;
    u->expected_version = c->version;
    u->action = "rate";
    u->from_status = c->status;
    u->to_status = c->status;
    u->actor_label = "reporter";
    u->set_rating = true;
    u->rating = rating;
    u->rating_comment = comment && !blank(comment) ? comment : NULL;
    u->public_note = arena_printf(a, "Rated %d of 5 by the reporter.", rating);
    return 0;
}
