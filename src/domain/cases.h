/* The petition service's rules beyond the state machine: what a valid submission is, how a
 * case's deadline, sealing and messages follow from it, and what each action changes. Every
 * function here decides and plans (fills a store write); the caller submits the write. */
#ifndef AKAR_DOMAIN_CASES_H
#define AKAR_DOMAIN_CASES_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "domain/account.h"
#include "domain/answers.h"
#include "domain/petition.h"
#include "store/store.h"

struct arena;
struct deadline_policy;
struct seal_key;

#define CASE_TITLE_MAX        200
#define CASE_DESCRIPTION_MAX  4000
#define CASE_ANSWER_MAX       10000
#define CASE_REASON_MAX       2000
#define CASE_ACCESS_KEY_CHARS ACCOUNT_TOKEN_CHARS

/* Why a plan was refused: rc is AKAR_EINVAL (a value breaks a rule: 422), AKAR_EDENIED (not
 * this actor: 403) or AKAR_ECONFLICT (not in this state: 409, allowed = the actions that are). */
struct case_problem {
    int rc;
    char field[64]; /* "answers.CODE" names an answer */
    char detail[240];
    unsigned allowed;
};

/* What the rules need from outside. */
struct case_env {
    const struct deadline_policy *policy;
    const struct seal_key *key;
    int64_t now;                        /* ms */
    const struct webhook_row *webhooks; /* of the case's unit subtree, for messages */
    size_t nwebhooks;
    /* The cases merged into the one acted on: their reporters are told of its progress, each
     * under their own tracking code. Callers that leave it empty tell only its own reporter. */
    const struct case_merged_row *merged;
    size_t nmerged;
};

struct case_reporter {
    const char *name, *phone, *email, *address;
};

struct case_intake {
    enum case_kind kind;
    enum case_channel channel;
    const char *title, *description, *category_code;
    bool anonymous, confidential;
    bool has_reporter;
    struct case_reporter reporter;
    bool located;
    double lat, lon;
    const char *address;
    int64_t created_by;   /* the signed-in person submitting, or 0 */
    bool by_receptionist; /* may use the reception, paper and phone channels */
    /* Answers to the category's extra questions. asked: the channel showed the questions (the
     * JSON API, Open311 and the web form do), which are questions[], and the
     * required ones must be answered; else any answer is refused. */
    const struct answer *answers;
    size_t nanswers;
    bool asked;
    const struct category_question *questions;
    size_t nquestions;
};

/* Plans a new case at unit. On success fills out (arena) and access_key (shown once to the
 * reporter; only its hash is stored). */
int case_plan_intake(const struct case_env *env, struct arena *a, const struct case_intake *in,
                     const struct unit_row *unit, struct case_new *out,
                     char access_key[CASE_ACCESS_KEY_CHARS + 1], struct case_problem *p);

struct case_args {
    const char *reason, *answer, *document;
    bool complex; /* accept: the case is complex (longer limit) */
};

/* What an action refers to, looked up by the caller. */
struct case_target {
    const struct unit_row *unit;       /* transfer: the destination; reopen: the unit above */
    int64_t handler_id;                /* assign: the handler... */
    bool handler_covers;               /* ...who holds the handler role on the case's unit */
    const struct case_row *merge_into; /* merge: the case kept */
};

/* Plans action on c by who. actor is the audit label ("user:12"). */
int case_plan_action(const struct case_env *env, struct arena *a, const struct case_row *c,
                     enum case_action action, const struct case_actor *who, const char *actor,
                     const struct case_args *args, const struct case_target *t,
                     struct case_update *out, struct case_problem *p);

/* Plans the reporter's rating (1..5, once, after resolution). */
int case_plan_rating(const struct case_env *env, struct arena *a, const struct case_row *c,
                     int rating, const char *comment, struct case_update *out,
                     struct case_problem *p);

#define CASE_DUPLICATE_RADIUS_M 200.0

/* Great-circle distance in metres between two WGS84 points. */
double case_distance_m(double lat1, double lon1, double lat2, double lon2);
/* True if candidate may be a duplicate of c, given that full-text search found it similar: same
 * category when both have one, and within CASE_DUPLICATE_RADIUS_M when both are located. */
bool case_duplicate_candidate(const struct case_row *c, const struct case_row *candidate);

/* The words of title that best tell a case apart, for the duplicate search: the longest few
 * distinct words (arena). Searching every word of a long text ranks nearly every case and does
 * not scale. */
const char *case_similarity_words(struct arena *a, const char *title);

/* The stored hash of an access key. */
void case_access_key_hash(const char *key, unsigned char out[32]);
/* True if key opens case c (constant time). */
bool case_access_key_ok(const struct case_row *c, const char *key);
/* True if the case's reporter identity is sealed (denunciations; anonymous and confidential
 * reports). */
bool case_reporter_sealed(enum case_kind kind, bool anonymous, bool confidential);

#endif
