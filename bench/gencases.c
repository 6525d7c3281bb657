/* bench/gencases: fills a database made by `akar init --demo` with N petitions through the
 * store's write path, for the inbox benchmarks. Each case is planned by case_plan_intake and
 * moved by case_plan_action along the state machine to a status drawn from a realistic mix
 * (about 40% still open); every step is a STORE_W_CASE_CREATE or STORE_W_CASE_UPDATE write
 * with its timeline event and audit entry, committed by the store's writer. Prints writes per
 * second per phase and the mix; asserts nothing.
 * Usage: gencases DB N
 *
 * The writes go in STORE_W_BATCH writes of 128, a dozen batches in flight per producer: one
 * savepoint per batch instead of one per write (100,000 cases took 36-44 s so, 48 s as single
 * writes with 4,096 in flight). What remains is the writes' own SQL (the cases insert with its
 * FTS5 entry, the subtree rows, the event, the audit entry), one writer's work: on 2 shared
 * cores about 3,500 creates/s and 7,000-15,000 updates/s, so that 1,000,000 cases with their
 * 2.4 million updates take 5 to 10 minutes.
 *
 * Generated data: every commune and village of the demo, all five kinds, categories of the
 * demo (10% none), most reporters named with a phone number (no e-mail: nothing is queued for
 * delivery), denunciations and anonymous reports sealed. The rules' deadlines are replaced, so
 * that inboxes see the spread of a busy province rather than the few days this run lasts: case
 * i's last deadline falls at now - 60 days + 120 days * i / N (earlier steps 20 days before),
 * and it was received 25 to 55 days before that (never after now). Deadlines growing with the
 * case number, as they do in life (due = received + a legal limit), keep every insert into the
 * deadline-ordered subtree index near its end; drawn at random they made each one touch a page
 * of its own, and the run ten times slower. */
#include "base/arena.h"
#include "base/err.h"
#include "base/seal.h"
#include "domain/account.h"
#include "domain/cases.h"
#include "domain/deadline.h"
#include "domain/petition.h"
#include "domain/tracking.h"
#include "store/store.h"

#include <assert.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PRODUCERS    2
#define BATCH        128 /* writes per STORE_W_BATCH */
#define IN_FLIGHT    12  /* batches queued or being committed, per producer */
#define MAX_UNITS    256
#define MAX_STEPS    4
#define DAY_MS       (86400LL * 1000)
#define SPREAD_DAYS  60
#define EARLIER_DAYS 20 /* the first deadline of a case that goes on, before its last */

/* The statuses the cases end in, with their share in percent and the actions that lead there. */
struct fate {
    enum case_status status;
    int percent;
    enum case_action steps[MAX_STEPS];
    int nsteps;
};
static const struct fate fates[] = {
    {STATUS_SUBMITTED, 12, {0}, 0},
    {STATUS_TRANSFERRED, 3, {ACTION_TRANSFER}, 1},
    {STATUS_ACCEPTED, 10, {ACTION_ACCEPT}, 1},
    {STATUS_IN_PROGRESS, 15, {ACTION_ACCEPT, ACTION_START}, 2},
    {STATUS_RESOLVED, 10, {ACTION_ACCEPT, ACTION_START, ACTION_RESOLVE}, 3},
    {STATUS_CLOSED, 40, {ACTION_ACCEPT, ACTION_START, ACTION_RESOLVE, ACTION_CLOSE}, 4},
    {STATUS_REJECTED, 10, {ACTION_REJECT}, 1},
};
#define NFATES (sizeof fates / sizeof fates[0])

static const int kind_percent[KIND_COUNT] = {20, 15, 35, 10, 20};
static const char *const categories[] = {
    "land",          "land",           "environment", "infrastructure", "infrastructure",
    "social_policy", "administrative", "land",        "environment",    NULL};
#define NCATEGORIES (sizeof categories / sizeof categories[0])

static const char *const titles[] = {
    "Tranh chấp ranh giới đất với hộ liền kề", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất",
    "Ô nhiễm từ cơ sở chế biến hải sản",       "Đường giao thông nông thôn xuống cấp",
    "Cống thoát nước bị tắc gây ngập úng",     "Chậm chi trả trợ cấp người cao tuổi",
    "Thủ tục đăng ký hộ tịch kéo dài",         "Lấn chiếm đất công làm bãi tập kết vật liệu",
    "Khói bụi từ lò đốt rác gần khu dân cư",   "Góp ý về quy hoạch khu dân cư mới",
};
static const char *const matters[] = {
    "hộ bên cạnh xây tường rào lấn sang phần đất của gia đình tôi khoảng hai mét",
    "hồ sơ đã nộp từ lâu nhưng đến nay vẫn chưa được giải quyết",
    "nước thải chảy thẳng ra kênh thủy lợi, bốc mùi hôi thối",
    "mặt đường nhiều ổ gà, mùa mưa xe máy đi lại rất nguy hiểm",
    "cống bị tắc nên mỗi trận mưa lớn nước tràn vào nhà dân",
    "khoản trợ cấp hằng tháng bị chậm ba tháng liền",
    "cán bộ yêu cầu bổ sung giấy tờ nhiều lần mà không hướng dẫn rõ",
    "bãi vật liệu xây dựng chiếm hết lề đường trước cổng trường",
};
/* One of these goes into every description: words of known rarity for full-text search. */
static const char *const places[] = {
    "gần giếng làng",
    "cạnh chợ",
    "trước trường tiểu học",
    "sau nghĩa trang",
    "bên cầu tràn",
    "gần trạm y tế",
    "đầu xóm",
    "cạnh nhà văn hóa",
    "gần đình làng",
    "ven bờ biển",
    "gần ruộng muối",
    "bên vườn nho",
    "cạnh đồi cát",
    "gần bến thuyền",
    "ven kênh Bắc",
    "gần hồ chứa nước",
    "sát trạm biến áp",
    "cạnh sân bóng",
    "gần bãi rác",
    "trước chùa",
    "bên trạm bơm",
    "gần nhà thờ",
    "cạnh lò gạch",
    "ven quốc lộ",
    "gần đầm Nại",
    "cạnh khu tái định cư",
    "sau trụ sở thôn",
    "gần cảng cá",
    "bên hàng dương",
    "gần tháp Chàm",
    "cạnh cánh đồng tỏi",
    "gần trại tôm giống",
    "ven suối",
    "gần bưu điện",
    "cạnh hợp tác xã",
    "gần cây xăng",
    "bên bãi tắm",
    "gần mỏ đá",
    "cạnh xưởng nước mắm",
    "gần nhà máy điện gió",
};
static const char *const names[] = {"Nguyễn Văn An", "Trần Thị Bích", "Lê Văn Cường",
                                    "Phạm Thị Dung", "Hoàng Văn Em",  "Đặng Thị Giang",
                                    "Võ Văn Hùng",   "Bùi Thị Hạnh"};
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* One case as the generator follows it between its writes. */
struct gen_case {
    int64_t id; /* 0: not created (or its creation failed) */
    int64_t at, step_from, due_at, resolved_at;
    int64_t last_due; /* the deadline its last step starts */
    char code[TRACKING_TEXT];
    unsigned char unit, kind, status, fate, version, step_settle, open;
    bool failed;
};

struct unit_ref {
    struct unit_row row;
    int parent;         /* index, -1 for the province */
    int64_t handler_id; /* who starts and resolves its cases */
};

struct gen {
    struct store *store;
    struct seal_key key;
    const struct deadline_policy *policy;
    struct unit_ref units[MAX_UNITS];
    int nunits;
    int targets[MAX_UNITS]; /* communes and villages */
    int ntargets;
    int64_t receptionist_id, leader_id;
    int64_t now;
    struct gen_case *cases;
    size_t n;
};

/* A batch in flight, the writes in it and the arena their strings live in. */
struct slot {
    struct store_write w; /* STORE_W_BATCH of items[0..n) */
    struct store_write items[BATCH], *item_ptrs[BATCH];
    struct gen_case *cases[BATCH];
    size_t n;
    struct arena *a;
    struct producer *owner;
    struct slot *next;
};

struct producer {
    pthread_t thread;
    struct gen *g;
    int index, phase;
    uint64_t rng;
    pthread_mutex_t lock;
    pthread_cond_t freed;
    struct slot *free;
    size_t in_flight, written, failed;
    struct slot slots[IN_FLIGHT];
};

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* A number in [0, n). */
static int64_t pick(uint64_t *s, int64_t n)
{
    return (int64_t)(next_random(s) % (uint64_t)n);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Returns a slot to its producer, counting its writes as written or failed. */
static void give_back(struct slot *sl, bool ok)
{
    struct producer *p = sl->owner;
    pthread_mutex_lock(&p->lock);
    if (ok)
        p->written += sl->n;
    else
        p->failed += sl->n;
    sl->next = p->free;
    p->free = sl;
    p->in_flight--;
    pthread_cond_signal(&p->freed);
    pthread_mutex_unlock(&p->lock);
}

/* Called on the writer thread once a batch is durable (or failed): a batch commits whole or
 * not at all. */
static void written(struct store_write *w)
{
    struct slot *sl = w->arg;
    for (size_t i = 0; i < sl->n; i++) {
        if (w->rc == 0 && sl->items[i].kind == STORE_W_CASE_CREATE)
            sl->cases[i]->id = sl->items[i].id;
        if (w->rc != 0)
            sl->cases[i]->failed = true;
    }
    if (w->rc != 0)
        fprintf(stderr, "gencases: a batch failed: %s\n", w->errmsg);
    give_back(sl, w->rc == 0);
}

static struct slot *take_slot(struct producer *p)
{
    pthread_mutex_lock(&p->lock);
    while (!p->free)
        pthread_cond_wait(&p->freed, &p->lock);
    struct slot *sl = p->free;
    p->free = sl->next;
    p->in_flight++;
    pthread_mutex_unlock(&p->lock);
    arena_free(sl->a);
    sl->a = arena_new();
    sl->n = 0;
    return sl;
}

/* The next write of the batch being filled, zeroed. */
static struct store_write *next_item(struct slot *sl, struct gen_case *c)
{
    assert(sl->n < BATCH);
    struct store_write *w = &sl->items[sl->n];
    memset(w, 0, sizeof *w);
    sl->item_ptrs[sl->n] = w;
    sl->cases[sl->n++] = c;
    return w;
}

static void drain(struct producer *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->in_flight)
        pthread_cond_wait(&p->freed, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

static void submit(struct producer *p, struct slot *sl)
{
    sl->w = (struct store_write){
        .kind = STORE_W_BATCH, .u.batch = {sl->item_ptrs, sl->n}, .actor = "system"};
    sl->w.done = written;
    sl->w.arg = sl;
    if (store_submit(p->g->store, &sl->w) != 0) {
        sl->w.rc = AKAR_ESHUTDOWN;
        written(&sl->w);
    }
}

/* The time of a case's next step: a few hours to ten days after the last, never after now. */
static int64_t step_time(struct producer *p, const struct gen_case *c)
{
    int64_t t = c->at + 3600 * 1000 + pick(&p->rng, 10 * DAY_MS);
    return t < p->g->now ? t : p->g->now;
}

static int draw_kind(struct producer *p)
{
    int r = (int)pick(&p->rng, 100);
    for (int k = 0; k < KIND_COUNT; k++) {
        if (r < kind_percent[k])
            return k;
        r -= kind_percent[k];
    }
    return KIND_COMPLAINT;
}

static int draw_fate(struct producer *p)
{
    int r = (int)pick(&p->rng, 100);
    for (size_t f = 0; f < NFATES; f++) {
        if (r < fates[f].percent)
            return (int)f;
        r -= fates[f].percent;
    }
    return 0;
}

/* True if the action starts a deadline of its own (the others keep the case's). */
static bool starts_step(enum case_action a)
{
    return a == ACTION_ACCEPT || a == ACTION_TRANSFER;
}

/* Plans the creation of case i, the i-th of g->n by deadline. */
static void plan_create(struct producer *p, size_t i, struct gen_case *c, struct slot *sl)
{
    struct gen *g = p->g;
    struct arena *a = sl->a;
    struct store_write *w = next_item(sl, c);
    c->unit = (unsigned char)g->targets[pick(&p->rng, g->ntargets)];
    c->kind = (unsigned char)draw_kind(p);
    c->fate = (unsigned char)draw_fate(p);
    const struct fate *f = &fates[c->fate];
    int64_t spread = 2 * SPREAD_DAYS * DAY_MS;
    c->last_due =
        g->now - SPREAD_DAYS * DAY_MS + (int64_t)((double)spread * (double)i / (double)g->n);
    int64_t first_due =
        c->last_due - (f->nsteps && starts_step(f->steps[0]) ? EARLIER_DAYS * DAY_MS : 0);
    c->at = first_due - 25 * DAY_MS - pick(&p->rng, 30 * DAY_MS);
    if (c->at > g->now)
        c->at = g->now - pick(&p->rng, 2 * DAY_MS);
    const struct unit_ref *u = &g->units[c->unit];
    int channel = (int)pick(&p->rng, 20);
    struct case_intake in = {
        .kind = (enum case_kind)c->kind,
        .channel = channel < 10   ? CHANNEL_WEB
                   : channel < 12 ? CHANNEL_API
                   : channel < 13 ? CHANNEL_OPEN311
                   : channel < 17 ? CHANNEL_RECEPTION
                   : channel < 19 ? CHANNEL_PAPER
                                  : CHANNEL_PHONE,
        .category_code = categories[pick(&p->rng, NCATEGORIES)],
        .anonymous = pick(&p->rng, 20) == 0,
        .has_reporter = pick(&p->rng, 10) < 8,
    };
    in.by_receptionist = in.channel >= CHANNEL_RECEPTION;
    in.created_by = in.by_receptionist ? g->receptionist_id : 0;
    size_t t = (size_t)pick(&p->rng, N(titles));
    in.title = titles[t];
    in.description = arena_printf(
        a,
        "Kính gửi Ủy ban nhân dân. Tôi là người dân %s, xin phản ánh: %s, %s. Việc này kéo dài "
        "đã lâu, ảnh hưởng đến đời sống của nhiều hộ dân. Đề nghị cơ quan có thẩm quyền kiểm tra, "
        "giải quyết dứt điểm và trả lời bằng văn bản.",
        u->row.name, matters[(t + (size_t)pick(&p->rng, 3)) % N(matters)],
        places[pick(&p->rng, N(places))]);
    if (in.has_reporter) {
        in.reporter.name = names[pick(&p->rng, N(names))];
        in.reporter.phone = arena_printf(a, "09%08lld", (long long)pick(&p->rng, 100000000));
    }
    if (pick(&p->rng, 2)) {
        in.located = true;
        in.lat = 11.5 + (double)pick(&p->rng, 50000) / 100000.0;
        in.lon = 108.8 + (double)pick(&p->rng, 40000) / 100000.0;
    }
    struct case_env env = {.policy = g->policy, .key = &g->key, .now = c->at};
    char key[CASE_ACCESS_KEY_CHARS + 1];
    struct case_problem prob = {0};
    struct case_new *out = &w->u.case_new;
    if (case_plan_intake(&env, a, &in, &u->row, out, key, &prob) != 0) {
        fprintf(stderr, "gencases: intake refused: %s: %s\n", prob.field, prob.detail);
        exit(1);
    }
    out->due_at = first_due;
    memcpy(c->code, out->tracking_code, TRACKING_TEXT);
    c->status = STATUS_SUBMITTED;
    c->version = 1;
    c->step_from = c->at;
    c->due_at = out->due_at;
    c->open = 1;
    w->kind = STORE_W_CASE_CREATE;
    w->actor = in.by_receptionist ? arena_printf(a, "user:%lld", (long long)g->receptionist_id)
                                  : "reporter";
    w->at_ms = c->at;
}

/* Plans step k of c's fate into sl. */
static void plan_step(struct producer *p, struct gen_case *c, int k, struct slot *sl)
{
    struct gen *g = p->g;
    struct arena *a = sl->a;
    struct store_write *w = next_item(sl, c);
    const struct unit_ref *u = &g->units[c->unit];
    enum case_action action = fates[c->fate].steps[k];
    struct case_row row = {
        .id = c->id,
        .version = c->version,
        .tracking_code = c->code,
        .kind = case_kind_name((enum case_kind)c->kind),
        .status = case_status_name((enum case_status)c->status),
        .privacy = "public",
        .unit_id = u->row.id,
        .unit_code = u->row.code,
        .unit_name = u->row.name,
        .unit_path = u->row.path,
        .unit_time_zone = u->row.time_zone,
        .handler_id = u->handler_id,
        .step = c->step_settle ? "settle" : "accept",
        .step_from = c->step_from,
        .due_at = c->due_at,
        .open = c->open,
        .remote = u->row.remote,
        .round = 1,
        .resolved_at = c->resolved_at,
    };
    struct case_actor who = {.user_id = u->handler_id,
                             .handler = true,
                             .leader = true,
                             .receptionist = true,
                             .assigned = true};
    struct case_args args = {
        .reason = action == ACTION_REJECT ? "Nội dung không thuộc thẩm quyền giải quyết của đơn vị"
                                          : "Chuyển cơ quan có thẩm quyền giải quyết",
        .answer = "Đã kiểm tra thực tế, làm việc với các bên liên quan và giải quyết theo quy "
                  "định; kết quả được thông báo bằng văn bản.",
    };
    struct case_target t = {0};
    if (action == ACTION_TRANSFER)
        t.unit = &g->units[u->parent].row;
    int64_t at = step_time(p, c);
    struct case_env env = {.policy = g->policy, .key = &g->key, .now = at};
    struct case_problem prob = {0};
    struct case_update *upd = &w->u.case_update;
    const char *actor = arena_printf(a, "user:%lld", (long long)u->handler_id);
    if (case_plan_action(&env, a, &row, action, &who, actor, &args, &t, upd, &prob) != 0) {
        fprintf(stderr, "gencases: %s refused: %s: %s\n", case_action_name(action), prob.field,
                prob.detail);
        exit(1);
    }
    if (starts_step(action))
        upd->due_at = c->last_due;
    c->at = at;
    c->version++;
    c->status = (unsigned char)case_status_parse(upd->to_status);
    if (upd->set_unit)
        c->unit = (unsigned char)u->parent;
    if (upd->set_deadline) {
        c->step_settle = strcmp(upd->step, "settle") == 0;
        c->step_from = upd->step_from;
        c->due_at = upd->due_at;
        c->open = upd->open;
    }
    if (upd->set_answer)
        c->resolved_at = upd->resolved_at;
    assert(k + 1 < fates[c->fate].nsteps || c->status == fates[c->fate].status);
    w->kind = STORE_W_CASE_UPDATE;
    w->actor = actor;
    w->at_ms = at;
}

/* Phase 0 creates this producer's cases; phase k > 0 takes step k-1 of those that have one. */
static void *produce(void *arg)
{
    struct producer *p = arg;
    struct gen *g = p->g;
    struct slot *sl = NULL;
    for (size_t i = (size_t)p->index; i < g->n; i += PRODUCERS) {
        struct gen_case *c = &g->cases[i];
        if (p->phase > 0 && (c->failed || !c->id || fates[c->fate].nsteps < p->phase))
            continue;
        if (!sl)
            sl = take_slot(p);
        if (p->phase == 0)
            plan_create(p, i, c, sl);
        else
            plan_step(p, c, p->phase - 1, sl);
        if (sl->n == BATCH) {
            submit(p, sl);
            sl = NULL;
        }
    }
    if (sl && sl->n)
        submit(p, sl);
    else if (sl)
        give_back(sl, true);
    drain(p);
    return NULL;
}

static int find_unit(const struct gen *g, const char *code)
{
    for (int i = 0; i < g->nunits; i++)
        if (code && strcmp(g->units[i].row.code, code) == 0)
            return i;
    return -1;
}

static int64_t user_id(struct store *s, struct arena *a, const char *login)
{
    struct user_row u;
    return store_user_get(s, a, login, &u) == 0 ? u.id : 0;
}

/* Reads the unit tree and the demo officials who act on the cases. */
static int load_world(struct gen *g, struct arena *a)
{
    struct unit_row *rows;
    size_t n;
    if (store_unit_list(g->store, a, &rows, &n) != 0 || n > MAX_UNITS)
        return AKAR_ESTORE;
    g->nunits = (int)n;
    int64_t vinhhai = user_id(g->store, a, "handler.vinhhai");
    int64_t ninhhai = user_id(g->store, a, "handler.ninhhai");
    g->leader_id = user_id(g->store, a, "leader.province");
    g->receptionist_id = user_id(g->store, a, "receptionist.vinhhai");
    if (!vinhhai || !ninhhai || !g->leader_id || !g->receptionist_id)
        return AKAR_ENOTFOUND;
    for (size_t i = 0; i < n; i++)
        g->units[i].row = rows[i];
    for (int i = 0; i < g->nunits; i++) {
        struct unit_ref *u = &g->units[i];
        u->parent = find_unit(g, u->row.parent_code);
        /* the demo's handlers where it has them, else the province's leader, who may act too */
        u->handler_id = strncmp(u->row.code, "586.01", 6) == 0 ? vinhhai
                        : strncmp(u->row.code, "586", 3) == 0  ? ninhhai
                                                               : g->leader_id;
        if (strcmp(u->row.level, "commune") == 0 || strcmp(u->row.level, "village") == 0)
            g->targets[g->ntargets++] = i;
    }
    return g->ntargets ? 0 : AKAR_ENOTFOUND;
}

static int run_phase(struct producer *p, int phase, size_t *writes, size_t *failed)
{
    for (int t = 0; t < PRODUCERS; t++) {
        p[t].phase = phase;
        p[t].written = p[t].failed = 0;
        if (pthread_create(&p[t].thread, NULL, produce, &p[t]) != 0)
            return AKAR_EINVAL;
    }
    *writes = *failed = 0;
    for (int t = 0; t < PRODUCERS; t++) {
        pthread_join(p[t].thread, NULL);
        *writes += p[t].written;
        *failed += p[t].failed;
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc != 3 || strtoul(argv[2], NULL, 10) == 0) {
        fprintf(stderr, "usage: gencases DB N\n");
        return 2;
    }
    static struct gen g;
    g.n = strtoul(argv[2], NULL, 10);
    char err[512] = "";
    char key_path[4096];
    snprintf(key_path, sizeof key_path, "%s.key", argv[1]);
    if (account_init() != 0)
        return 1;
    int rc = store_open(argv[1], STORE_OPEN_EXISTING, &g.store, err, sizeof err);
    if (rc == 0)
        rc = seal_key_load(key_path, &g.key, err, sizeof err);
    g.policy = deadline_policy_get("vn");
    struct arena *world = arena_new();
    if (rc == 0 && !g.policy)
        rc = AKAR_EINVAL;
    if (rc == 0)
        rc = load_world(&g, world);
    if (rc) {
        fprintf(stderr, "gencases: %s: %s\n", argv[1], *err ? err : akar_strerror(rc));
        store_close(g.store);
        return 1;
    }
    g.now = wall_ms();
    g.cases = calloc(g.n, sizeof *g.cases);
    struct producer *p = calloc(PRODUCERS, sizeof *p);
    for (int t = 0; t < PRODUCERS; t++) {
        p[t].g = &g;
        p[t].index = t;
        p[t].rng = 0x9E3779B97F4A7C15ULL * (uint64_t)(t + 1);
        pthread_mutex_init(&p[t].lock, NULL);
        pthread_cond_init(&p[t].freed, NULL);
        for (int i = 0; i < IN_FLIGHT; i++) {
            p[t].slots[i].owner = &p[t];
            p[t].slots[i].next = p[t].free;
            p[t].free = &p[t].slots[i];
        }
    }

    struct store_stats before, after;
    store_stats_get(g.store, &before);
    double t0 = now_s(), total_writes = 0;
    size_t total_failed = 0;
    for (int phase = 0; phase <= MAX_STEPS; phase++) {
        double t1 = now_s();
        size_t writes, failed;
        if (run_phase(p, phase, &writes, &failed) != 0) {
            fprintf(stderr, "gencases: cannot start threads\n");
            return 1;
        }
        double s = now_s() - t1;
        printf("  %-8s %9zu writes in %6.1f s: %7.0f writes/s%s\n",
               phase ? arena_printf(world, "step %d", phase) : "creates", writes, s,
               s > 0 ? (double)writes / s : 0, failed ? " (some failed)" : "");
        fflush(stdout);
        total_writes += (double)writes;
        total_failed += failed;
    }
    double secs = now_s() - t0;
    store_stats_get(g.store, &after);
    size_t status_count[STATUS_COUNT] = {0}, open = 0, created = 0;
    for (size_t i = 0; i < g.n; i++) {
        if (!g.cases[i].id || g.cases[i].failed)
            continue;
        created++;
        status_count[g.cases[i].status]++;
        open += g.cases[i].open;
    }
    double commits = (double)(after.commits - before.commits);
    printf("  %zu cases (%zu open) in %.1f s: %.0f cases/s, %.0f writes/s, %zu failed; %.0f "
           "batches per commit\n",
           created, open, secs, (double)created / secs, total_writes / secs, total_failed,
           commits > 0 ? (double)(after.writes - before.writes) / commits : 0);
    printf("  statuses:");
    for (int s = 0; s < STATUS_COUNT; s++)
        if (status_count[s])
            printf(" %s %.0f%%", case_status_name((enum case_status)s),
                   100.0 * (double)status_count[s] / (double)(created ? created : 1));
    printf("\n");
    store_close(g.store);
    for (int t = 0; t < PRODUCERS; t++)
        for (int i = 0; i < IN_FLIGHT; i++)
            arena_free(p[t].slots[i].a);
    free(p);
    free(g.cases);
    arena_free(world);
    return total_failed ? 1 : 0;
}
