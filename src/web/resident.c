/* The residents' side of the site: its routes, and the plain words its pages use for the kinds
 * of petition, their statuses and the steps of their timeline. */
#include "web/resident.h"

#include "base/civil.h"

#include <stdio.h>
#include <string.h>

struct label {
    const char *name, *text, *hint;
};

/* The kinds as the law of each country calls them (see po/), and when to choose each. */
static const struct label kinds[] = {
    {"feedback", N_("Feedback"),
     N_("Tell the authorities about a problem you have noticed, such as a broken road, "
        "rubbish left in the street or a noisy workshop.")},
    {"recommendation", N_("Recommendation"),
     N_("Suggest how something could be done better: a rule, a public service or an "
        "improvement for your area.")},
    {"complaint", N_("Complaint"),
     N_("Ask for a decision or an action of an authority that affects you to be reviewed, "
        "because you think it is wrong.")},
    {"denunciation", N_("Denunciation"),
     N_("Report an official or an organisation breaking the law. The law protects you: your "
        "identity is always sealed and the report is never made public.")},
    {"information_request", N_("Request for information"),
     N_("Ask for information that a public authority holds, such as a plan, a budget or a "
        "decision.")},
};

static const struct label statuses[] = {
    {"submitted", N_("Received"), NULL},
    {"transferred", N_("Transferred to the competent unit"), NULL},
    {"reopened", N_("Brought a second time"), NULL},
    {"accepted", N_("Accepted"), NULL},
    {"in_progress", N_("Being handled"), NULL},
    {"resolved", N_("Resolved"), NULL},
    {"closed", N_("Closed"), NULL},
    {"rejected", N_("Not accepted"), NULL},
    {"merged", N_("Handled with another petition"), NULL},
};

static const struct label events[] = {
    {"submit", N_("Received"), NULL},
    {"accept", N_("Accepted for handling"), NULL},
    {"reject", N_("Not accepted"), NULL},
    {"transfer", N_("Transferred to the competent unit"), NULL},
    {"assign", N_("A handler was assigned"), NULL},
    {"start", N_("A handler is working on it"), NULL},
    {"extend", N_("Time limit extended"), NULL},
    {"resolve", N_("Resolved: the answer is published"), NULL},
    {"close", N_("Closed"), NULL},
    {"reopen", N_("Brought a second time, to the level above"), NULL},
    {"merge", N_("Handled together with a petition on the same matter"), NULL},
    {"rate", N_("Rated by the person who sent it"), NULL},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const struct label *find(const struct label *table, size_t n, const char *name)
{
    for (size_t i = 0; name && i < n; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

const char *web_kind_label(struct page *pg, const char *kind)
{
    const struct label *l = find(kinds, COUNT(kinds), kind);
    return l ? T(pg, l->text) : kind;
}

const char *web_kind_hint(struct page *pg, const char *kind)
{
    const struct label *l = find(kinds, COUNT(kinds), kind);
    return l ? T(pg, l->hint) : "";
}

const char *web_status_label(struct page *pg, const char *status)
{
    const struct label *l = find(statuses, COUNT(statuses), status);
    return l ? T(pg, l->text) : status;
}

const char *web_event_label(struct page *pg, const char *action)
{
    const struct label *l = find(events, COUNT(events), action);
    return l ? T(pg, l->text) : action;
}

const char *web_status_badge(const char *status, bool overdue)
{
    if (overdue)
        return "badge overdue";
    if (status && (strcmp(status, "resolved") == 0 || strcmp(status, "closed") == 0))
        return "badge done";
    return "badge";
}

int64_t web_instant_ms(const char *iso)
{
    struct civil_date d;
    char day[11];
    int hh, mm, ss;
    if (!iso || strlen(iso) != 20)
        return 0;
    memcpy(day, iso, 10);
    day[10] = 0;
    if (!civil_parse(day, &d) || sscanf(iso + 10, "T%2d:%2d:%2dZ", &hh, &mm, &ss) != 3)
        return 0;
    return (civil_to_days(d) * 86400 + hh * 3600 + mm * 60 + ss) * 1000LL;
}

void web_mount_resident(struct web *w, struct http_server *srv)
{
    http_route(srv, "GET", "/submit", web_submit_form, w, 0);
    http_route(srv, "POST", "/submit", web_submit_post, w, WEB_SUBMIT_MAX_BYTES);
    http_route(srv, "GET", "/receipt", web_receipt, w, 0);
    http_route(srv, "GET", "/track", web_track_form, w, 0);
    http_route(srv, "GET", "/track/{}", web_track_page, w, 0);
    http_route(srv, "POST", "/track/{}", web_track_key, w, 16 << 10);
    http_route(srv, "POST", "/track/{}/rating", web_track_rate, w, 32 << 10);
    http_route(srv, "GET", "/mine", web_mine, w, 0);
}
