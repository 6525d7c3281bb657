/* The petition state machine; see petition.h. The table below is the whole of it. */
#include "domain/petition.h"

#include <string.h>

static const char *const kind_names[KIND_COUNT] = {"feedback", "recommendation", "complaint",
                                                   "denunciation", "information_request"};
static const char *const channel_names[CHANNEL_COUNT] = {"web",       "api",   "open311",
                                                         "reception", "paper", "phone"};
static const char *const status_names[STATUS_COUNT] = {"submitted", "transferred", "reopened",
                                                       "accepted",  "in_progress", "resolved",
                                                       "closed",    "rejected",    "merged"};
static const char *const action_names[ACTION_COUNT] = {"accept", "reject", "transfer", "assign",
                                                       "start",  "extend", "resolve",  "close",
                                                       "reopen", "merge",  "reveal"};

static int parse(const char *const *names, int n, const char *s)
{
    for (int i = 0; s && i < n; i++)
        if (strcmp(names[i], s) == 0)
            return i;
    return -1;
}

int case_kind_parse(const char *s)
{
    return parse(kind_names, KIND_COUNT, s);
}

const char *case_kind_name(enum case_kind k)
{
    return k < KIND_COUNT ? kind_names[k] : "?";
}

int case_channel_parse(const char *s)
{
    return parse(channel_names, CHANNEL_COUNT, s);
}

const char *case_channel_name(enum case_channel c)
{
    return c < CHANNEL_COUNT ? channel_names[c] : "?";
}

int case_status_parse(const char *s)
{
    return parse(status_names, STATUS_COUNT, s);
}

const char *case_status_name(enum case_status s)
{
    return s < STATUS_COUNT ? status_names[s] : "?";
}

int case_action_parse(const char *s)
{
    return parse(action_names, ACTION_COUNT, s);
}

const char *case_action_name(enum case_action a)
{
    return a < ACTION_COUNT ? action_names[a] : "?";
}

bool case_status_open(enum case_status s)
{
    return s == STATUS_SUBMITTED || s == STATUS_TRANSFERRED || s == STATUS_REOPENED ||
           s == STATUS_ACCEPTED || s == STATUS_IN_PROGRESS;
}

#define X       (-1)
#define S(name) STATUS_##name
/* next[from][action]: X where the action is not allowed. Extend and reveal keep the status. */
static const int next[STATUS_COUNT][ACTION_COUNT] = {
    /*                accept        reject      transfer       assign          start
                      extend        resolve     close          reopen          merge       reveal */
    [S(SUBMITTED)] = {S(ACCEPTED), S(REJECTED), S(TRANSFERRED), X, X, X, X, X, X, S(MERGED),
                      S(SUBMITTED)},
    [S(TRANSFERRED)] = {S(ACCEPTED), S(REJECTED), S(TRANSFERRED), X, X, X, X, X, X, S(MERGED),
                        S(TRANSFERRED)},
    [S(REOPENED)] = {S(ACCEPTED), S(REJECTED), S(TRANSFERRED), X, X, X, X, X, X, X, S(REOPENED)},
    [S(ACCEPTED)] = {X, X, S(TRANSFERRED), S(IN_PROGRESS), S(IN_PROGRESS), S(ACCEPTED), X, X, X,
                     S(MERGED), S(ACCEPTED)},
    [S(IN_PROGRESS)] = {X, X, X, S(IN_PROGRESS), X, S(IN_PROGRESS), S(RESOLVED), X, X, S(MERGED),
                        S(IN_PROGRESS)},
    [S(RESOLVED)] = {X, X, X, X, X, X, X, S(CLOSED), S(REOPENED), X, S(RESOLVED)},
    [S(CLOSED)] = {X, X, X, X, X, X, X, X, S(REOPENED), X, S(CLOSED)},
    [S(REJECTED)] = {X, X, X, X, X, X, X, X, X, X, S(REJECTED)},
    [S(MERGED)] = {X, X, X, X, X, X, X, X, X, X, S(MERGED)},
};
#undef S
#undef X

int case_next_status(enum case_status from, enum case_kind kind, enum case_action a)
{
    if (from >= STATUS_COUNT || a >= ACTION_COUNT || kind >= KIND_COUNT)
        return -1;
    /* Only a complaint can be brought a second time, to the level above. */
    if (a == ACTION_REOPEN && kind != KIND_COMPLAINT)
        return -1;
    /* Only a denouncer's identity is sealed: nothing to reveal on other kinds. */
    if (a == ACTION_REVEAL && kind != KIND_DENUNCIATION)
        return -1;
    return next[from][a];
}

unsigned case_allowed_actions(enum case_status from, enum case_kind kind)
{
    unsigned mask = 0;
    for (int a = 0; a < ACTION_COUNT; a++)
        if (case_next_status(from, kind, (enum case_action)a) >= 0)
            mask |= 1u << a;
    return mask;
}

bool case_actor_may(const struct case_actor *who, enum case_action a)
{
    switch (a) {
    case ACTION_ACCEPT:
    case ACTION_REJECT:
    case ACTION_TRANSFER:
    case ACTION_MERGE:
        return who->handler || who->leader;
    case ACTION_ASSIGN:
    case ACTION_EXTEND:
    case ACTION_CLOSE:
        return who->leader;
    case ACTION_START:
        return who->handler;
    case ACTION_RESOLVE:
        return who->assigned || who->leader;
    case ACTION_REOPEN:
        return who->leader || who->receptionist;
    case ACTION_REVEAL:
        return who->assigned;
    case ACTION_COUNT:
        break;
    }
    return false;
}

const char *case_action_requirement(enum case_action a)
{
    switch (a) {
    case ACTION_REJECT:
    case ACTION_EXTEND:
    case ACTION_REOPEN:
    case ACTION_REVEAL:
        return "reason";
    case ACTION_TRANSFER:
        return "to_unit";
    case ACTION_ASSIGN:
        return "handler";
    case ACTION_RESOLVE:
        return "answer";
    case ACTION_MERGE:
        return "merge_into";
    default:
        return NULL;
    }
}
