/* Petitions (cases): their kinds, channels, statuses and the one state machine every
 * transition goes through. Pure rules: given a status, a kind, an action and who acts, what
 * comes next, or why not. */
#ifndef AKAR_DOMAIN_PETITION_H
#define AKAR_DOMAIN_PETITION_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/access.h"

enum case_kind {
    KIND_FEEDBACK,
    KIND_RECOMMENDATION,
    KIND_COMPLAINT,
    KIND_DENUNCIATION,
    KIND_INFORMATION_REQUEST,
    KIND_COUNT
};

enum case_channel {
    CHANNEL_WEB,
    CHANNEL_API,
    CHANNEL_OPEN311,
    CHANNEL_RECEPTION,
    CHANNEL_PAPER,
    CHANNEL_PHONE,
    CHANNEL_COUNT
};

enum case_status {
    STATUS_SUBMITTED,   /* received, not yet taken up */
    STATUS_TRANSFERRED, /* sent to another unit, which has to take it up */
    STATUS_REOPENED,    /* a second-time complaint, at the unit above */
    STATUS_ACCEPTED,
    STATUS_IN_PROGRESS, /* a handler works on it */
    STATUS_RESOLVED,    /* answered; the reporter may rate, or complain again */
    STATUS_CLOSED,
    STATUS_REJECTED,
    STATUS_MERGED, /* a duplicate, followed through the case it was merged into */
    STATUS_COUNT
};

enum case_action {
    ACTION_ACCEPT,
    ACTION_REJECT,
    ACTION_TRANSFER,
    ACTION_ASSIGN,
    ACTION_START,
    ACTION_EXTEND,
    ACTION_RESOLVE,
    ACTION_CLOSE,
    ACTION_REOPEN,
    ACTION_MERGE,
    ACTION_REVEAL,
    ACTION_COUNT
};

/* Name ↔ value; parse functions return -1 for an unknown name. */
int case_kind_parse(const char *s);
const char *case_kind_name(enum case_kind k);
int case_channel_parse(const char *s);
const char *case_channel_name(enum case_channel c);
int case_status_parse(const char *s);
const char *case_status_name(enum case_status s);
int case_action_parse(const char *s);
const char *case_action_name(enum case_action a);

/* True while a deadline runs: the case waits for the administration (not yet resolved,
 * rejected, merged or closed). */
bool case_status_open(enum case_status s);

/* The status an action leads to from `from` for a case of kind, or -1 if the state machine
 * does not allow it (409). Actions that change no status (extend, reveal) return `from`. */
int case_next_status(enum case_status from, enum case_kind kind, enum case_action a);
/* Bit (1u << action) for every action allowed from `from` for kind. */
unsigned case_allowed_actions(enum case_status from, enum case_kind kind);

/* Whom the action is for: a role held on the case's unit (through its subtree), plus, for
 * resolve and reveal, being the assigned handler. */
struct case_actor {
    int64_t user_id;
    bool handler, leader, receptionist, inspector, admin; /* roles covering the case's unit */
    bool assigned;                                        /* the case's assigned handler */
};

/* True if the actor may take the action (else 403). Inspectors may take none. */
bool case_actor_may(const struct case_actor *who, enum case_action a);

/* Which reason or argument an action requires; NULL if none. */
const char *case_action_requirement(enum case_action a);

#endif
