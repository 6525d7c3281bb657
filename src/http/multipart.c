/* multipart/form-data bodies through libmicrohttpd's post processor; see multipart.h. */
#include "http/multipart.h"

#include "base/arena.h"
#include "base/err.h"
#include "base/utf8.h"
#include "http/server.h"

#include <microhttpd.h>
#include <string.h>
#include <strings.h>

/* The post processor's working buffer: big enough for the part headers of a form. */
#define PP_BUFFER 8192

struct gather {
    struct arena *arena;
    struct multipart_part *parts;
    size_t n, cap, max_parts;
    size_t *alloc; /* bytes allocated for each part's data */
    bool failed;
};

/* Appends data[0..size) to the last part, growing its arena buffer geometrically. */
static void append(struct gather *g, const char *data, size_t size)
{
    struct multipart_part *p = &g->parts[g->n - 1];
    size_t *alloc = &g->alloc[g->n - 1];
    if (p->len + size + 1 > *alloc) {
        size_t want = *alloc ? *alloc * 2 : size + 1;
        if (want < p->len + size + 1)
            want = p->len + size + 1;
        char *grown = arena_alloc(g->arena, want);
        if (p->len)
            memcpy(grown, p->data, p->len);
        p->data = grown;
        *alloc = want;
    }
    char *d = (char *)p->data;
    memcpy(d + p->len, data, size);
    p->len += size;
    d[p->len] = 0;
}

/* Called for every piece of every part; off 0 starts a new part. */
static enum MHD_Result piece(void *cls, enum MHD_ValueKind kind, const char *key,
                             const char *filename, const char *content_type,
                             const char *transfer_encoding, const char *data, uint64_t off,
                             size_t size)
{
    (void)kind;
    (void)content_type;
    (void)transfer_encoding;
    struct gather *g = cls;
    if (off == 0) {
        if (g->n == g->max_parts) {
            g->failed = true;
            return MHD_NO;
        }
        if (g->n == g->cap) {
            size_t cap = g->cap ? 2 * g->cap : 16;
            struct multipart_part *parts = arena_alloc(g->arena, cap * sizeof *parts);
            size_t *alloc = arena_alloc(g->arena, cap * sizeof *alloc);
            if (g->n) {
                memcpy(parts, g->parts, g->n * sizeof *parts);
                memcpy(alloc, g->alloc, g->n * sizeof *alloc);
            }
            g->parts = parts;
            g->alloc = alloc;
            g->cap = cap;
        }
        g->parts[g->n] =
            (struct multipart_part){arena_strdup(g->arena, key ? key : ""),
                                    filename ? arena_strdup(g->arena, filename) : NULL, "", 0};
        g->alloc[g->n] = 0;
        g->n++;
    } else if (g->n == 0 || off != g->parts[g->n - 1].len) {
        g->failed = true; /* a piece out of order: not a body we understand */
        return MHD_NO;
    }
    if (size)
        append(g, data, size);
    return MHD_YES;
}

bool multipart_is(struct http_request *req)
{
    const char *type = http_header(req, "Content-Type");
    return type && strncasecmp(type, "multipart/form-data", 19) == 0 &&
           (type[19] == ';' || type[19] == ' ' || type[19] == 0);
}

int multipart_parse(struct http_request *req, size_t max_parts, struct multipart *out)
{
    out->parts = NULL;
    out->n = 0;
    if (!multipart_is(req) || !strstr(http_header(req, "Content-Type"), "boundary="))
        return AKAR_EINVAL;
    struct gather g = {.arena = req->arena, .max_parts = max_parts};
    struct MHD_PostProcessor *pp = MHD_create_post_processor(req->conn, PP_BUFFER, piece, &g);
    if (!pp)
        return AKAR_EINVAL;
    bool ok = req->body_len == 0 || MHD_post_process(pp, req->body, req->body_len) == MHD_YES;
    ok = MHD_destroy_post_processor(pp) == MHD_YES && ok && !g.failed;
    for (size_t i = 0; ok && i < g.n; i++) {
        const struct multipart_part *p = &g.parts[i];
        if (!utf8_valid(p->name, strlen(p->name), NULL))
            ok = false;
        else if (!p->filename && (memchr(p->data, 0, p->len) || !utf8_valid(p->data, p->len, NULL)))
            ok = false;
        else if (p->filename && !utf8_valid(p->filename, strlen(p->filename), NULL))
            ok = false;
    }
    if (!ok)
        return AKAR_EINVAL;
    out->parts = g.parts;
    out->n = g.n;
    return 0;
}

const char *multipart_get(const struct multipart *m, const char *name)
{
    for (size_t i = 0; i < m->n; i++)
        if (!m->parts[i].filename && strcmp(m->parts[i].name, name) == 0)
            return m->parts[i].data;
    return NULL;
}
