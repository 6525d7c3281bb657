/* Full-text search for the SQLite store: what a person typed becomes the words cases_fts holds
 * (its own unicode61 tokenizer, "đ" folded into "d" as its view does), and the SQL functions an
 * inbox search reads with, registered on every connection: akar_ids_add gathers the matches
 * into a set of case ids, akar_ids_has looks a case up in it, and akar_words_in reads a case's
 * own text for every word. */
#include "base/arena.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/mem.h"
#include "store/sqlite/internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

/* The FTS5 extension API of a connection, handed out through a pointer parameter. */
static const char SQL_FTS5_API[] = "SELECT fts5(?1)";

/* cases_fts's tokenizer and its arguments, as migration 0007 names them: both change together. */
static const char TOKENIZER[] = "unicode61";
static const char *tokenizer_args[] = {"remove_diacritics", "2"};

/* Longest word kept, in bytes: more than q's 200. A longer word (a title's, when duplicates
 * are sought) is left out of a search, and no case's word that long is compared. */
#define WORD_MAX 256

/* One connection's tokenizer: unicode61 keeps a scratch buffer in its instance, so each
 * connection (used by one thread at a time) has its own. */
struct sq_search {
    fts5_tokenizer api;
    Fts5Tokenizer *tok;
};

/* Copies the token t[0..n) to out (WORD_MAX + 1 bytes) with "đ" and "Đ" written "d", as the
 * index's view writes them; the length, or 0 if the token is too long to be a word. */
static size_t fold(const char *t, size_t n, char *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char b = (unsigned char)t[i];
        if (b == 0xC4 && i + 1 < n &&
            ((unsigned char)t[i + 1] == 0x90 || (unsigned char)t[i + 1] == 0x91)) {
            b = 'd';
            i++;
        }
        if (k == WORD_MAX)
            return 0;
        out[k++] = (char)b;
    }
    out[k] = 0;
    return k;
}

/* ---- the words of a search ---- */

struct word_list {
    struct arena *a;
    struct sq_words *w;
    size_t cap;
};

static int add_word(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)flags;
    (void)start;
    (void)end;
    struct word_list *l = ctx;
    char word[WORD_MAX + 1];
    size_t len = fold(t, (size_t)n, word);
    if (!len)
        return SQLITE_OK;
    for (size_t i = 0; i < l->w->n; i++)
        if (l->w->len[i] == len && memcmp(l->w->word[i], word, len) == 0)
            return SQLITE_OK;
    if (l->w->n == SQ_WORDS_MAX)
        return SQLITE_DONE;
    if (l->w->n == l->cap) {
        size_t cap = l->cap ? 2 * l->cap : 8;
        const char **words = arena_alloc(l->a, cap * sizeof *words);
        size_t *lens = arena_alloc(l->a, cap * sizeof *lens);
        if (l->w->n) {
            memcpy(words, l->w->word, l->w->n * sizeof *words);
            memcpy(lens, l->w->len, l->w->n * sizeof *lens);
        }
        l->w->word = words;
        l->w->len = lens;
        l->cap = cap;
    }
    l->w->word[l->w->n] = arena_strndup(l->a, word, len);
    l->w->len[l->w->n++] = len;
    return SQLITE_OK;
}

int sq_search_words(struct conn *c, struct arena *a, const char *text, struct sq_words *out)
{
    assert(c->search);
    memset(out, 0, sizeof *out);
    struct word_list l = {a, out, 0};
    struct sq_search *s = c->search;
    int rc = s->api.xTokenize(s->tok, &l, FTS5_TOKENIZE_QUERY, text, (int)strlen(text), add_word);
    return rc == SQLITE_OK || rc == SQLITE_DONE ? 0 : AKAR_ESTORE;
}

const char *sq_search_match(struct arena *a, const struct sq_words *w, const char *columns,
                            const char *op)
{
    assert(w->n > 0);
    struct buf b = {0};
    buf_printf(&b, "%s(", columns);
    for (size_t i = 0; i < w->n; i++) {
        if (i)
            buf_printf(&b, " %s ", op);
        buf_puts(&b, "\"");
        for (const char *p = w->word[i]; *p; p++) {
            if (*p == '"') /* no token holds one, but FTS5 syntax never gets in */
                buf_puts(&b, "\"");
            buf_append(&b, p, 1);
        }
        buf_puts(&b, "\"");
    }
    buf_puts(&b, ")");
    const char *out = arena_strdup(a, b.data);
    buf_release(&b);
    return out;
}

/* ---- sets of case ids ---- */

void sq_ids_add(struct sq_ids *s, int64_t id)
{
    if (id < 1) /* akar's cases never have one; another writer's are not sought */
        return;
    size_t byte = (size_t)id / 8;
    if (byte >= s->bytes) {
        size_t bytes = s->bytes ? s->bytes : 4096;
        while (bytes <= byte)
            bytes *= 2;
        s->bits = xrealloc(s->bits, bytes);
        memset(s->bits + s->bytes, 0, bytes - s->bytes);
        s->bytes = bytes;
    }
    if (!(s->bits[byte] & (1u << (id % 8)))) {
        s->bits[byte] |= (unsigned char)(1u << (id % 8));
        s->lo = s->n && s->lo < id ? s->lo : id;
        s->hi = s->n && s->hi > id ? s->hi : id;
        s->n++;
    }
}

void sq_ids_release(struct sq_ids *s)
{
    free(s->bits);
    memset(s, 0, sizeof *s);
}

static bool ids_has(const struct sq_ids *s, int64_t id)
{
    return id > 0 && (size_t)id / 8 < s->bytes && (s->bits[id / 8] & (1u << (id % 8)));
}

/* akar_ids_add(ids, id), an aggregate: adds each id to the set bound as ids (a pointer of
 * type SQ_IDS); its value is how many rows it was given. One step of a statement gathers all,
 * where a row handed out per id would cost as much again as reading the index. */
static void fn_ids_add_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    assert(argc == 2);
    struct sq_ids *s = sqlite3_value_pointer(argv[0], SQ_IDS);
    int64_t *rows = sqlite3_aggregate_context(ctx, sizeof *rows);
    if (!s || !rows) {
        sqlite3_result_error(ctx, "akar_ids_add: no id set bound", -1);
        return;
    }
    sq_ids_add(s, sqlite3_value_int64(argv[1]));
    ++*rows;
}

static void fn_ids_add_final(sqlite3_context *ctx)
{
    int64_t *rows = sqlite3_aggregate_context(ctx, 0);
    sqlite3_result_int64(ctx, rows ? *rows : 0);
}

/* akar_ids_has(ids, id): 1 if the set bound as ids (a pointer of type SQ_IDS) holds id. */
static void fn_ids_has(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    assert(argc == 2);
    const struct sq_ids *s = sqlite3_value_pointer(argv[0], SQ_IDS);
    if (!s) {
        sqlite3_result_error(ctx, "akar_ids_has: no id set bound", -1);
        return;
    }
    sqlite3_result_int(ctx, ids_has(s, sqlite3_value_int64(argv[1])));
}

/* ---- a case's own text holding every word ---- */

struct word_scan {
    const struct sq_words *w;
    uint64_t found; /* bit i: word i seen */
    size_t missing;
};

static int see_token(void *ctx, int flags, const char *t, int n, int start, int end)
{
    (void)flags;
    (void)start;
    (void)end;
    struct word_scan *ws = ctx;
    char word[WORD_MAX + 1];
    size_t len = fold(t, (size_t)n, word);
    for (size_t i = 0; len && i < ws->w->n; i++) {
        if (!((ws->found >> i) & 1) && ws->w->len[i] == len &&
            memcmp(ws->w->word[i], word, len) == 0) {
            ws->found |= (uint64_t)1 << i;
            ws->missing--;
        }
    }
    return ws->missing ? SQLITE_OK : SQLITE_DONE; /* all seen: the rest need not be read */
}

/* akar_words_in(words, text...): 1 if every word bound as words (a pointer of type SQ_WORDS)
 * is a token of one of the texts, read with the index's tokenizer and folding: the same answer
 * as cases_fts MATCH of the words joined by AND, from the case's row instead of the index.
 * Each call spends one of words->reads_left; with none left it fails. */
static void fn_words_in(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
    struct sq_search *s = sqlite3_user_data(ctx);
    struct sq_words *w = argc > 0 ? sqlite3_value_pointer(argv[0], SQ_WORDS) : NULL;
    if (!w) {
        sqlite3_result_error(ctx, "akar_words_in: no words bound", -1);
        return;
    }
    if (!w->reads_left) {
        w->spent = true;
        sqlite3_result_error(ctx, "akar_words_in: the reads allowed are spent", -1);
        return;
    }
    w->reads_left--;
    assert(w->n <= SQ_WORDS_MAX);
    struct word_scan ws = {w, 0, w->n};
    for (int i = 1; i < argc && ws.missing; i++) {
        const char *text = (const char *)sqlite3_value_text(argv[i]);
        if (!text)
            continue;
        int rc = s->api.xTokenize(s->tok, &ws, FTS5_TOKENIZE_DOCUMENT, text,
                                  sqlite3_value_bytes(argv[i]), see_token);
        if (rc != SQLITE_OK && rc != SQLITE_DONE) {
            sqlite3_result_error_code(ctx, rc);
            return;
        }
    }
    sqlite3_result_int(ctx, ws.missing == 0);
}

/* ---- per connection ---- */

int sq_search_open(struct conn *c)
{
    fts5_api *api = NULL;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(c->db, SQL_FTS5_API, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_pointer(st, 1, (void *)&api, "fts5_api_ptr", NULL);
        sqlite3_step(st);
    }
    sqlite3_finalize(st);
    struct sq_search *s = xcalloc(1, sizeof *s);
    void *ud = NULL;
    if (!api || api->iVersion < 2 || api->xFindTokenizer(api, TOKENIZER, &ud, &s->api) != 0 ||
        s->api.xCreate(ud, tokenizer_args, 2, &s->tok) != SQLITE_OK) {
        log_error("sqlite: this SQLite has no FTS5 %s tokenizer", TOKENIZER);
        free(s);
        return AKAR_ESTORE;
    }
    int flags = SQLITE_UTF8 | SQLITE_DIRECTONLY; /* never from a view or a trigger */
    if (sqlite3_create_function_v2(c->db, "akar_ids_add", 2, flags, s, NULL, fn_ids_add_step,
                                   fn_ids_add_final, NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(c->db, "akar_ids_has", 2, flags, s, fn_ids_has, NULL, NULL,
                                   NULL) != SQLITE_OK ||
        sqlite3_create_function_v2(c->db, "akar_words_in", -1, flags, s, fn_words_in, NULL, NULL,
                                   NULL) != SQLITE_OK) {
        log_error("sqlite: cannot register the search functions: %s", sqlite3_errmsg(c->db));
        s->api.xDelete(s->tok);
        free(s);
        return AKAR_ESTORE;
    }
    c->search = s;
    return 0;
}

void sq_search_close(struct conn *c)
{
    if (!c->search)
        return;
    c->search->api.xDelete(c->search->tok);
    free(c->search);
    c->search = NULL;
}
