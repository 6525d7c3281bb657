/* The residents' web pages over HTTP, as a browser without JavaScript uses them: the submit form
 * in English, Indonesian and Vietnamese; urlencoded and multipart submissions (with a real PNG
 * and JPEG) that end on a receipt with the code, the access key and an inline SVG QR code;
 * errors beside each field with nothing stored; CSRF; photos sniffed; the tracking page without
 * personal data, the sender's view with the access key, rating once after resolution; escaping;
 * "My petitions"; and the weight of a page on a slow link. */
#include "harness.h"

#include "base/mem.h"
#include "web/resident.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

#define UNIT     "586.01" /* Xã Vĩnh Hải, where handler.vinhhai works */
#define BOUNDARY "akarTestBoundary7MA4YWxkTrZu0gW"

/* A sender whose details must never reach the public page. */
#define NAME  "Trần Thị Bích Riêng"
#define PHONE "0912 345 678"
#define EMAIL "bich.rieng@example.vn"

static struct ht_env *E;

/* ---- small helpers ---- */

static int setup(void **state)
{
    int rc = ht_env_setup(state);
    E = *state;
    return rc;
}

static long long cases(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM cases");
}

static long long attachments(void)
{
    return ht_db_int(E->db, "SELECT count(*) FROM attachments");
}

static bool has(const struct ht_response *r, const char *text)
{
    return r->body && strstr(r->body, text) != NULL;
}

#define assert_has(r, text)                                                                        \
    do {                                                                                           \
        if (!has(r, text))                                                                         \
            fail_msg("the page lacks %s:\n%.3000s", text, (r)->body ? (r)->body : "");             \
    } while (0)
#define assert_lacks(r, text)                                                                      \
    do {                                                                                           \
        if (has(r, text))                                                                          \
            fail_msg("the page shows %s", text);                                                   \
    } while (0)

/* "name=value" of the Set-Cookie called name in r, or NULL. */
static char *set_cookie(const struct ht_response *r, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; i < r->nheaders; i++) {
        const char *v = r->headers[i].value;
        if (strcasecmp(r->headers[i].name, "Set-Cookie") == 0 && strncmp(v, name, n) == 0 &&
            v[n] == '=')
            return xstrndup(v, strcspn(v, ";"));
    }
    return NULL;
}

/* The value of the first attribute name="..." following marker in the body. */
static char *attr_after(const struct ht_response *r, const char *marker, const char *attr)
{
    const char *p = r->body ? strstr(r->body, marker) : NULL;
    assert_non_null(p);
    char pat[64];
    snprintf(pat, sizeof pat, "%s=\"", attr);
    p = strstr(p, pat);
    assert_non_null(p);
    p += strlen(pat);
    return xstrndup(p, strcspn(p, "\""));
}

static void get(const char *path, const char *cookie, const char *lang, struct ht_response *r)
{
    char c[512], l[128];
    struct ht_request q = {.path = path};
    int h = 0;
    if (cookie) {
        snprintf(c, sizeof c, "Cookie: %s", cookie);
        q.headers[h++] = c;
    }
    if (lang) {
        snprintf(l, sizeof l, "Accept-Language: %s", lang);
        q.headers[h++] = l;
    }
    ht_do(E->srv.port, &q, r);
}

/* A visitor's form: the CSRF cookie and token the submit form hands out (or the session's). */
struct visitor {
    char *cookie; /* "akar_csrf=..." or "akar_session=..." */
    char *csrf;
};

static void visitor_new(struct visitor *v, const char *session_cookie)
{
    struct ht_response r;
    get("/submit?unit=" UNIT, session_cookie, NULL, &r);
    assert_int_equal(r.status, 200);
    v->cookie = session_cookie ? xstrdup(session_cookie) : set_cookie(&r, "akar_csrf");
    assert_non_null(v->cookie);
    v->csrf = attr_after(&r, "name=\"csrf\"", "value");
    ht_response_free(&r);
}

static void visitor_free(struct visitor *v)
{
    free(v->cookie);
    free(v->csrf);
}

static void post(const char *path, const char *cookie, const char *type, const char *body,
                 size_t len, struct ht_response *r)
{
    char c[512], t[160];
    snprintf(c, sizeof c, "Cookie: %s", cookie ? cookie : "none=1");
    snprintf(t, sizeof t, "%s", type);
    struct ht_request q = {.method = "POST",
                           .path = path,
                           .content_type = t,
                           .body = body,
                           .body_len = len,
                           .headers = {c}};
    ht_do(E->srv.port, &q, r);
}

/* Percent-encodes s for a form body. */
static void enc(char *out, size_t cap, const char *s)
{
    size_t k = 0;
    for (; *s && k + 4 < cap; s++) {
        unsigned char ch = (unsigned char)*s;
        if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
            strchr("-._~", ch))
            out[k++] = (char)ch;
        else
            k += (size_t)snprintf(out + k, cap - k, "%%%02X", ch);
    }
    out[k] = 0;
}

/* A urlencoded body from NULL-terminated name, value pairs. */
static char *form_body(const char *first, ...)
{
    static char body[16384];
    size_t k = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *name = first; name; name = va_arg(ap, const char *)) {
        const char *value = va_arg(ap, const char *);
        char e[4096];
        enc(e, sizeof e, value);
        k += (size_t)snprintf(body + k, sizeof body - k, "%s%s=%s", k ? "&" : "", name, e);
    }
    va_end(ap);
    return body;
}

/* A multipart/form-data body. */
struct mp {
    char *data;
    size_t len, cap;
};

static void mp_add(struct mp *m, const void *p, size_t n)
{
    if (m->len + n > m->cap) {
        m->cap = (m->len + n) * 2;
        m->data = xrealloc(m->data, m->cap);
    }
    memcpy(m->data + m->len, p, n);
    m->len += n;
}

static void mp_field(struct mp *m, const char *name, const char *value)
{
    char head[256];
    int n = snprintf(head, sizeof head,
                     "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n", name);
    mp_add(m, head, (size_t)n);
    mp_add(m, value, strlen(value));
    mp_add(m, "\r\n", 2);
}

static void mp_file(struct mp *m, const char *name, const char *filename, const char *type,
                    const void *data, size_t len)
{
    char head[384];
    int n = snprintf(head, sizeof head,
                     "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"%s\"; "
                     "filename=\"%s\"\r\nContent-Type: %s\r\n\r\n",
                     name, filename, type);
    mp_add(m, head, (size_t)n);
    mp_add(m, data, len);
    mp_add(m, "\r\n", 2);
}

static void mp_end(struct mp *m)
{
    mp_add(m, "--" BOUNDARY "--\r\n", strlen("--" BOUNDARY "--\r\n"));
}

/* ---- a real PNG (1x1 grey, stored deflate block) and JPEG (from cjpeg) ---- */

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFFu;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFFu;
}

static void be32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

static size_t png_chunk(unsigned char *out, const char *type, const unsigned char *data, size_t len)
{
    be32(out, (uint32_t)len);
    memcpy(out + 4, type, 4);
    if (len)
        memcpy(out + 8, data, len);
    be32(out + 8 + len, crc32_of(out + 4, len + 4));
    return 12 + len;
}

/* Writes a valid 1x1 8-bit greyscale PNG into out (at least 80 bytes); returns its size. */
static size_t tiny_png(unsigned char *out)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
    unsigned char ihdr[13] = {0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0};
    /* zlib: header, one stored block of the scanline (filter 0, pixel 0x80), Adler-32 */
    const unsigned char raw[2] = {0x00, 0x80};
    uint32_t a = 1, b = 0;
    for (int i = 0; i < 2; i++) {
        a = (a + raw[i]) % 65521;
        b = (b + a) % 65521;
    }
    unsigned char idat[] = {0x78, 0x01, 0x01, 0x02, 0x00, 0xFD, 0xFF, raw[0], raw[1], 0, 0, 0, 0};
    be32(idat + 9, (b << 16) | a);
    size_t n = 0;
    memcpy(out, sig, 8);
    n += 8;
    n += png_chunk(out + n, "IHDR", ihdr, sizeof ihdr);
    n += png_chunk(out + n, "IDAT", idat, sizeof idat);
    n += png_chunk(out + n, "IEND", NULL, 0);
    return n;
}

/* 1x1 grey, baseline (cjpeg -grayscale -optimize), as in tests/unit/test_sniff.c. */
static const unsigned char tiny_jpeg[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08,
    0x07, 0x07, 0x07, 0x09, 0x09, 0x08, 0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12,
    0x13, 0x0F, 0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A, 0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20,
    0x22, 0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1F, 0x27,
    0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x01,
    0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xC4, 0x00, 0x14,
    0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00, 0x3F, 0xFF, 0xD9,
};

/* ---- a submission that succeeds, and its receipt ---- */

struct receipt {
    char code[16];
    char key[64];
    struct ht_response page; /* the receipt page */
};

/* Follows a 303 to /receipt with its cookie and reads the code and the key off the page. */
static void read_receipt(const struct ht_response *posted, struct receipt *out)
{
    if (posted->status != 303)
        fail_msg("submission: %ld, expected 303:\n%.3000s", posted->status, posted->body);
    assert_string_equal(ht_header(posted, "Location"), "/receipt");
    char *cookie = set_cookie(posted, "akar_receipt");
    assert_non_null(cookie);
    get("/receipt", cookie, NULL, &out->page);
    free(cookie);
    assert_int_equal(out->page.status, 200);
    const char *p = strstr(out->page.body, "id=\"tracking-code\">");
    assert_non_null(p);
    p += strlen("id=\"tracking-code\">");
    snprintf(out->code, sizeof out->code, "%.*s", (int)strcspn(p, "<"), p);
    assert_int_equal(strlen(out->code), 13);
    p = strstr(out->page.body, "class=\"code key\">");
    assert_non_null(p);
    p += strlen("class=\"code key\">");
    snprintf(out->key, sizeof out->key, "%.*s", (int)strcspn(p, "<"), p);
    assert_true(strlen(out->key) >= 20);
}

/* Sends the plain form (urlencoded) as v; returns the response in r. */
static void submit_plain(struct visitor *v, const char *kind, const char *title,
                         const char *privacy, struct ht_response *r)
{
    const char *body = form_body(
        "csrf", v->csrf, "unit", UNIT, "kind", kind, "category", "administrative", "title", title,
        "description", "Đèn đường trước cổng trường tắt đã hai tuần.", "address",
        "Thôn Vĩnh Hy, trước cổng trường", "lat", "11,7402", "lon", "109.1903", "name", NAME,
        "phone", PHONE, "email", EMAIL, "home", "12 Đường Biển", "privacy", privacy, NULL);
    post("/submit", v->cookie, "application/x-www-form-urlencoded", body, 0, r);
}

/* ---- the tests ---- */

static void test_the_submit_form_speaks_english_indonesian_and_vietnamese(void **state)
{
    (void)state;
    struct ht_response r;
    get("/submit?unit=" UNIT, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r, "<html lang=\"en\"");
    assert_has(&r, "Send the petition");
    assert_has(&r, "name=\"csrf\"");
    assert_has(&r, "enctype=\"multipart/form-data\"");
    assert_has(&r, "id=\"f-kind-denunciation\"");
    assert_has(&r, "Xã Vĩnh Hải");
    assert_has(&r, "type=\"file\"");
    assert_has(&r, "value=\"administrative\""); /* the unit's own category */
    assert_has(&r, "value=\"land\"");           /* and the district's */
    ht_response_free(&r);

    get("/submit?unit=" UNIT, NULL, "vi-VN,vi;q=0.9,en;q=0.5", &r);
    assert_has(&r, "<html lang=\"vi\"");
    assert_has(&r, "Gửi đơn");
    assert_has(&r, "Khiếu nại");
    assert_has(&r, "Tố cáo");
    ht_response_free(&r);

    get("/submit?unit=" UNIT, NULL, "id", &r);
    assert_has(&r, "<html lang=\"id\"");
    assert_has(&r, "Pengaduan");
    assert_has(&r, "Anonim");
    assert_has(&r, "Rahasia");
    ht_response_free(&r);

    /* a remembered choice wins over the browser's languages */
    get("/submit?unit=" UNIT, "akar_lang=id", "vi", &r);
    assert_has(&r, "<html lang=\"id\"");
    assert_has(&r, "Kirim laporan");
    ht_response_free(&r);

    /* without a unit, the first step asks for one from the whole tree */
    get("/submit", NULL, "vi", &r);
    assert_int_equal(r.status, 200);
    assert_has(&r, "<select id=\"f-unit\" name=\"unit\"");
    assert_has(&r, "<optgroup label=\"Huyện Ninh Hải\">");
    assert_has(&r, "Khu phố 1 (Phường Đô Vinh)");
    ht_response_free(&r);
}

static void test_a_urlencoded_submission_gives_a_receipt_with_code_key_and_qr(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    long long before = cases();
    struct ht_response r;
    submit_plain(&v, "feedback", "Đèn đường hỏng trước trường", "public", &r);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    assert_int_equal(cases(), before + 1);
    assert_has(&rc.page, "<svg xmlns=\"http://www.w3.org/2000/svg\"");
    assert_has(&rc.page, "role=\"img\" aria-label=\"");
    assert_has(&rc.page, "<path fill=\"#000\" d=\"M");
    char track[64];
    snprintf(track, sizeof track, "/track/%s", rc.code);
    assert_has(&rc.page, track);
    assert_has(&rc.page, "Xã Vĩnh Hải");
    assert_string_equal(ht_header(&rc.page, "Cache-Control"), "no-store");

    /* the case is there for the tracking API, with the sender's details behind the key */
    char path[96];
    snprintf(path, sizeof path, "/api/v1/track/%s", rc.code);
    ht_get(E->srv.port, path, &r);
    assert_int_equal(r.status, 200);
    json_t *doc = ht_json(&r);
    assert_string_equal(json_string_value(json_object_get(doc, "status")), "submitted");
    assert_string_equal(json_string_value(json_object_get(doc, "title")),
                        "Đèn đường hỏng trước trường");
    assert_null(json_object_get(doc, "reporter"));
    json_decref(doc);
    ht_response_free(&r);
    char keyh[128];
    snprintf(keyh, sizeof keyh, "X-Access-Key: %s", rc.key);
    ht_do(E->srv.port, &(struct ht_request){.path = path, .headers = {keyh}}, &r);
    assert_int_equal(r.status, 200);
    doc = ht_json(&r);
    json_t *rep = json_object_get(doc, "reporter");
    assert_string_equal(json_string_value(json_object_get(rep, "name")), NAME);
    assert_string_equal(json_string_value(json_object_get(rep, "email")), EMAIL);
    json_t *loc = json_object_get(doc, "location");
    assert_true(json_real_value(json_object_get(loc, "lat")) > 11.74 &&
                json_real_value(json_object_get(loc, "lat")) < 11.75);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(doc, "category"), "code")),
        "administrative");
    json_decref(doc);
    ht_response_free(&r);

    /* the receipt is for this browser only, and never without its cookie */
    get("/receipt", NULL, NULL, &r);
    assert_int_equal(r.status, 404);
    assert_lacks(&r, rc.key);
    ht_response_free(&r);
    get("/receipt", "akar_receipt=forged", NULL, &r);
    assert_int_equal(r.status, 404);
    ht_response_free(&r);
    ht_response_free(&rc.page);
    visitor_free(&v);
}

static void test_a_multipart_submission_keeps_its_png_and_jpeg_photos(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    long long before = cases(), before_att = attachments();
    unsigned char png[128];
    size_t png_len = tiny_png(png);
    struct mp m = {0};
    mp_field(&m, "csrf", v.csrf);
    mp_field(&m, "unit", UNIT);
    mp_field(&m, "kind", "complaint");
    mp_field(&m, "title", "Rác thải bên bờ biển Vĩnh Hy");
    mp_field(&m, "description", "Rác tồn đọng nhiều ngày, xem ảnh đính kèm.");
    mp_field(&m, "privacy", "anonymous");
    mp_field(&m, "name", NAME);
    mp_file(&m, "photos", "bo-bien.png", "image/png", png, png_len);
    mp_file(&m, "photos", "bai-rac.jpg", "image/jpeg", tiny_jpeg, sizeof tiny_jpeg);
    mp_end(&m);
    struct ht_response r;
    post("/submit", v.cookie, "multipart/form-data; boundary=" BOUNDARY, m.data, m.len, &r);
    free(m.data);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    assert_int_equal(cases(), before + 1);
    assert_int_equal(attachments(), before_att + 2);
    char sql[256];
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM attachments a JOIN cases c ON c.id = a.case_id WHERE "
             "c.tracking_code = '%s' AND a.media_type IN ('image/png', 'image/jpeg') AND "
             "a.filename IN ('bo-bien.png', 'bai-rac.jpg')",
             rc.code);
    assert_int_equal(ht_db_int(E->db, sql), 2);
    /* anonymous: the identity is sealed at rest */
    snprintf(sql, sizeof sql,
             "SELECT count(*) FROM cases WHERE tracking_code = '%s' AND reporter IS NULL AND "
             "reporter_sealed IS NOT NULL AND privacy = 'anonymous'",
             rc.code);
    assert_int_equal(ht_db_int(E->db, sql), 1);
    ht_response_free(&rc.page);
    visitor_free(&v);
}

static void test_missing_fields_are_shown_beside_each_field_and_nothing_is_stored(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    long long before = cases();
    struct ht_response r;
    const char *body = form_body("csrf", v.csrf, "unit", UNIT, "title", "  ", "description", "",
                                 "name", "Nguyễn <Văn> A", "phone", "12", "email", "not-an-email",
                                 "lat", "11.5", "privacy", "public", NULL);
    post("/submit", v.cookie, "application/x-www-form-urlencoded", body, 0, &r);
    assert_int_equal(r.status, 422);
    assert_int_equal(cases(), before);
    /* each problem beside its field, tied to it for screen readers, listed at the top */
    const char *fields[] = {"kind", "title", "description", "lon", "phone", "email"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        char id[64], link[64];
        snprintf(id, sizeof id, "id=\"e-%s\"", fields[i]);
        snprintf(link, sizeof link, "<a href=\"#f-%s\">", fields[i]);
        assert_has(&r, id);
        assert_has(&r, link);
    }
    assert_has(&r, "class=\"notice error\" role=\"alert\"");
    assert_has(&r, "<div class=\"field has-error\"><label for=\"f-title\">");
    assert_has(&r, "aria-describedby=\"h-title e-title\" aria-invalid=\"true\"");
    assert_has(&r, "Enter a title.");
    assert_has(&r, "Enter a phone number of 6 to 15 digits");
    assert_has(&r, "Enter an e-mail address");
    /* what was typed is kept (escaped), and the unit with it */
    assert_has(&r, "value=\"Nguyễn &lt;Văn&gt; A\"");
    assert_has(&r, "value=\"not-an-email\"");
    assert_has(&r, "value=\"11.5\"");
    assert_has(&r, "name=\"unit\" value=\"" UNIT "\"");
    ht_response_free(&r);

    /* a category not offered at the unit, and a unit that does not exist */
    body = form_body("csrf", v.csrf, "unit", UNIT, "kind", "feedback", "category", "nonesuch",
                     "title", "T", "description", "D", NULL);
    post("/submit", v.cookie, "application/x-www-form-urlencoded", body, 0, &r);
    assert_int_equal(r.status, 422);
    assert_has(&r, "id=\"e-category\"");
    ht_response_free(&r);
    body = form_body("csrf", v.csrf, "unit", "999.99", "kind", "feedback", "title", "T",
                     "description", "D", NULL);
    post("/submit", v.cookie, "application/x-www-form-urlencoded", body, 0, &r);
    assert_int_equal(r.status, 422);
    assert_has(&r, "id=\"e-unit\"");
    ht_response_free(&r);
    assert_int_equal(cases(), before);

    /* in Vietnamese, too */
    body = form_body("csrf", v.csrf, "unit", UNIT, "kind", "feedback", "title", "", "description",
                     "D", NULL);
    char c[600];
    snprintf(c, sizeof c, "%s; akar_lang=vi", v.cookie);
    post("/submit", c, "application/x-www-form-urlencoded", body, 0, &r);
    assert_int_equal(r.status, 422);
    assert_has(&r, "Hãy nhập tiêu đề.");
    ht_response_free(&r);
    visitor_free(&v);
}

static void test_a_bad_csrf_token_is_refused_and_nothing_is_stored(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    long long before = cases();
    struct ht_response r;
    const char *body = form_body("csrf", "0123456789abcdef0123456789abcdef", "unit", UNIT, "kind",
                                 "feedback", "title", "T", "description", "D", NULL);
    post("/submit", v.cookie, "application/x-www-form-urlencoded", body, 0, &r);
    assert_int_equal(r.status, 403);
    ht_response_free(&r);
    /* the right token from another browser (no cookie) is no better */
    body = form_body("csrf", v.csrf, "unit", UNIT, "kind", "feedback", "title", "T", "description",
                     "D", NULL);
    post("/submit", NULL, "application/x-www-form-urlencoded", body, 0, &r);
    assert_int_equal(r.status, 403);
    ht_response_free(&r);
    assert_int_equal(cases(), before);
    visitor_free(&v);
}

/* Over the form's 25 MB, declared up front or sent chunked: a page in the person's language,
 * nothing stored; the API keeps its problem document. */
static void test_a_submission_over_the_limit_gets_a_page_and_stores_nothing(void **state)
{
    (void)state;
    long long before = cases();
    size_t n = WEB_SUBMIT_MAX_BYTES + 1;
    char *big = malloc(n);
    memset(big, 'x', n);
    for (int chunked = 0; chunked < 2; chunked++) {
        struct ht_response r;
        struct ht_request q = {.method = "POST",
                               .path = "/submit",
                               .content_type = "application/x-www-form-urlencoded",
                               .body = big,
                               .body_len = n,
                               .chunked = chunked,
                               .headers = {"Accept-Language: vi"}};
        ht_do(E->srv.port, &q, &r);
        assert_int_equal(r.status, 413);
        assert_non_null(strstr(ht_header(&r, "Content-Type"), "text/html"));
        assert_non_null(strstr(r.body, "<html lang=\"vi\""));
        assert_non_null(strstr(r.body, "Chưa có gì được gửi"));
        ht_response_free(&r);
    }
    free(big);
    struct ht_response r;
    size_t api_n = 2 << 20;
    char *body = malloc(api_n);
    memset(body, ' ', api_n);
    ht_do(E->srv.port,
          &(struct ht_request){.path = "/api/v1/cases",
                               .content_type = "application/json",
                               .body = body,
                               .body_len = api_n},
          &r);
    free(body);
    ht_assert_problem(&r, 413, NULL);
    ht_response_free(&r);
    assert_int_equal(cases(), before);
}

static void test_a_file_that_is_not_a_photo_is_refused_whole(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    long long before = cases(), before_att = attachments();
    unsigned char png[128];
    size_t png_len = tiny_png(png);
    const char *html = "<html><script>alert(1)</script></html>";
    struct mp m = {0};
    mp_field(&m, "csrf", v.csrf);
    mp_field(&m, "unit", UNIT);
    mp_field(&m, "kind", "feedback");
    mp_field(&m, "title", "Ảnh không hợp lệ");
    mp_field(&m, "description", "Thử ảnh giả.");
    mp_file(&m, "photos", "good.png", "image/png", png, png_len);
    mp_file(&m, "photos", "evil<b>.png", "image/png", html, strlen(html));
    mp_end(&m);
    struct ht_response r;
    post("/submit", v.cookie, "multipart/form-data; boundary=" BOUNDARY, m.data, m.len, &r);
    free(m.data);
    assert_int_equal(r.status, 422);
    assert_has(&r, "id=\"e-photos\"");
    assert_has(&r, "evil&lt;b&gt;.png");
    assert_has(&r, "choose them again");
    assert_has(&r, "value=\"Ảnh không hợp lệ\"");
    ht_response_free(&r);
    assert_int_equal(cases(), before);
    assert_int_equal(attachments(), before_att);

    /* a PDF is a fine attachment for the API, but not a photo */
    const char *pdf = "%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    m = (struct mp){0};
    mp_field(&m, "csrf", v.csrf);
    mp_field(&m, "unit", UNIT);
    mp_field(&m, "kind", "feedback");
    mp_field(&m, "title", "PDF");
    mp_field(&m, "description", "PDF");
    mp_file(&m, "photos", "doc.pdf", "application/pdf", pdf, strlen(pdf));
    mp_end(&m);
    post("/submit", v.cookie, "multipart/form-data; boundary=" BOUNDARY, m.data, m.len, &r);
    free(m.data);
    assert_int_equal(r.status, 422);
    assert_has(&r, "id=\"e-photos\"");
    ht_response_free(&r);
    assert_int_equal(cases(), before);
    visitor_free(&v);
}

static void test_a_malformed_body_is_refused_whole(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    long long before = cases();
    struct ht_response r;
    /* cut short, no boundary, a text field that is not UTF-8, bad percent escapes */
    char cut[512];
    snprintf(cut, sizeof cut,
             "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n%s\r\n"
             "--" BOUNDARY "\r\nContent-Disposition: form-data; name=\"title\"\r\n\r\nab",
             v.csrf);
    post("/submit", v.cookie, "multipart/form-data; boundary=" BOUNDARY, cut, 0, &r);
    assert_int_equal(r.status, 400);
    ht_response_free(&r);
    post("/submit", v.cookie, "multipart/form-data", cut, 0, &r);
    assert_int_equal(r.status, 400);
    ht_response_free(&r);
    struct mp m = {0};
    mp_field(&m, "csrf", v.csrf);
    mp_field(&m, "title", "\xC3\x28 not UTF-8");
    mp_end(&m);
    post("/submit", v.cookie, "multipart/form-data; boundary=" BOUNDARY, m.data, m.len, &r);
    free(m.data);
    assert_int_equal(r.status, 400);
    ht_response_free(&r);
    post("/submit", v.cookie, "application/x-www-form-urlencoded", "csrf=%zz&title=%", 0, &r);
    assert_int_equal(r.status, 400);
    ht_response_free(&r);
    /* more parts than any form has */
    m = (struct mp){0};
    for (int i = 0; i < 300; i++)
        mp_field(&m, "x", "y");
    mp_end(&m);
    post("/submit", v.cookie, "multipart/form-data; boundary=" BOUNDARY, m.data, m.len, &r);
    free(m.data);
    assert_int_equal(r.status, 400);
    ht_response_free(&r);
    assert_int_equal(cases(), before);
    visitor_free(&v);
}

static void test_the_tracking_page_shows_progress_and_no_personal_data(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    struct ht_response r;
    submit_plain(&v, "recommendation", "Xin lắp thêm đèn đường", "public", &r);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    ht_response_free(&rc.page);

    char path[64];
    snprintf(path, sizeof path, "/track/%s", rc.code);
    get(path, NULL, "vi", &r);
    assert_int_equal(r.status, 200);
    assert_has(&r, "<html lang=\"vi\"");
    assert_has(&r, "Đã tiếp nhận");           /* the status, in words */
    assert_has(&r, "Xin lắp thêm đèn đường"); /* a public petition's words */
    assert_has(&r, "class=\"timeline\"");
    assert_has(&r, "name=\"access_key\"");
    assert_lacks(&r, NAME);
    assert_lacks(&r, PHONE);
    assert_lacks(&r, EMAIL);
    assert_lacks(&r, "12 Đường Biển");
    assert_lacks(&r, rc.key);
    ht_response_free(&r);

    /* the code as typed: any case, without dashes, leads to the page */
    char typed[64], lower[16];
    size_t k = 0;
    for (const char *p = rc.code; *p; p++)
        if (*p != '-')
            lower[k++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    lower[k] = 0;
    snprintf(typed, sizeof typed, "/track?code=%s", lower);
    get(typed, NULL, NULL, &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(ht_header(&r, "Location"), path);
    ht_response_free(&r);

    /* a mistyped code is refused beside the field (the check symbol catches one wrong symbol) */
    char wrong[16];
    snprintf(wrong, sizeof wrong, "%s", rc.code);
    wrong[0] = wrong[0] == 'A' ? 'B' : 'A';
    snprintf(typed, sizeof typed, "/track?code=%s", wrong);
    get(typed, NULL, NULL, &r);
    assert_true(r.status == 422 || r.status == 404);
    assert_has(&r, "id=\"e-code\"");
    assert_has(&r, "data-tracking-code");
    assert_has(&r, "aria-invalid=\"true\"");
    ht_response_free(&r);
    get("/track", NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r, "data-tracking-code");
    ht_response_free(&r);

    /* a denunciation is sealed: its words are not public even when the sender gave a name */
    submit_plain(&v, "denunciation", "Tố cáo cán bộ thu tiền sai quy định", "public", &r);
    read_receipt(&r, &rc);
    ht_response_free(&r);
    ht_response_free(&rc.page);
    snprintf(path, sizeof path, "/track/%s", rc.code);
    get(path, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_lacks(&r, "Tố cáo cán bộ thu tiền");
    assert_lacks(&r, NAME);
    assert_has(&r, "This petition is not public");
    ht_response_free(&r);
    visitor_free(&v);
}

/* POSTs the access key form of code as v. */
static void open_with_key(struct visitor *v, const char *code, const char *key,
                          struct ht_response *r)
{
    char path[64];
    snprintf(path, sizeof path, "/track/%s", code);
    post(path, v->cookie, "application/x-www-form-urlencoded",
         form_body("csrf", v->csrf, "access_key", key, NULL), 0, r);
}

static void test_the_access_key_shows_the_sender_their_own_details(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    struct ht_response r;
    submit_plain(&v, "denunciation", "Tố cáo sai phạm", "public", &r);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    ht_response_free(&rc.page);

    open_with_key(&v, rc.code, rc.key, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r, NAME);
    assert_has(&r, PHONE);
    assert_has(&r, EMAIL);
    assert_has(&r, "Tố cáo sai phạm"); /* their own words, sealed from the public */
    assert_string_equal(ht_header(&r, "Cache-Control"), "no-store");
    ht_response_free(&r);

    open_with_key(&v, rc.code, "wrong-key-wrong-key-wrong-key", &r);
    assert_int_equal(r.status, 403);
    assert_has(&r, "id=\"e-access_key\"");
    assert_lacks(&r, NAME);
    ht_response_free(&r);
    visitor_free(&v);
}

/* method path as the handler, with json; returns the status. */
static long as_handler(const char *token, const char *method, const char *path, const char *json)
{
    struct ht_response r;
    ht_call(E->srv.port, method, path, token, json, &r);
    long status = r.status;
    if (status >= 300)
        fprintf(stderr, "%s %s: %ld %s\n", method, path, status, r.body);
    ht_response_free(&r);
    return status;
}

static void rate(struct visitor *v, const char *code, const char *key, const char *rating,
                 struct ht_response *r)
{
    char path[80];
    snprintf(path, sizeof path, "/track/%s/rating", code);
    post(path, v->cookie, "application/x-www-form-urlencoded",
         form_body("csrf", v->csrf, "access_key", key, "rating", rating, "comment",
                   "Cảm ơn, đèn đã sáng lại.", NULL),
         0, r);
}

static void test_the_sender_rates_the_answer_once_after_resolution(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    struct ht_response r;
    submit_plain(&v, "feedback", "Đèn đường tắt ở Thôn Vĩnh Hy", "public", &r);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    ht_response_free(&rc.page);

    /* not yet resolved: no rating */
    open_with_key(&v, rc.code, rc.key, &r);
    assert_lacks(&r, "name=\"rating\"");
    ht_response_free(&r);
    rate(&v, rc.code, rc.key, "5", &r);
    assert_int_equal(r.status, 409);
    ht_response_free(&r);

    /* the handler accepts, takes it up and resolves it through the API */
    char *token = ht_login(E->srv.port, "handler.vinhhai", "demo-handler-2026");
    char sql[160];
    snprintf(sql, sizeof sql, "SELECT id FROM cases WHERE tracking_code = '%s'", rc.code);
    long long id = ht_db_int(E->db, sql);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/cases/%lld/actions", id);
    assert_int_equal(as_handler(token, "POST", path, "{\"action\":\"accept\"}"), 200);
    assert_int_equal(as_handler(token, "POST", path, "{\"action\":\"start\"}"), 200);
    assert_int_equal(as_handler(token, "POST", path,
                                "{\"action\":\"resolve\",\"answer\":\"Đã thay bóng đèn.\"}"),
                     200);
    free(token);

    char page[64];
    snprintf(page, sizeof page, "/track/%s", rc.code);
    get(page, NULL, NULL, &r);
    assert_has(&r, "Đã thay bóng đèn.");
    assert_has(&r, "Resolved");
    ht_response_free(&r);

    open_with_key(&v, rc.code, rc.key, &r);
    assert_has(&r, "name=\"rating\" value=\"5\"");
    ht_response_free(&r);
    rate(&v, rc.code, rc.key, "", &r); /* no choice */
    assert_int_equal(r.status, 422);
    assert_has(&r, "id=\"e-rating\"");
    ht_response_free(&r);
    rate(&v, rc.code, "not-the-key-not-the-key", "4", &r);
    assert_int_equal(r.status, 403);
    ht_response_free(&r);
    rate(&v, rc.code, rc.key, "4", &r);
    assert_int_equal(r.status, 303);
    char done[96];
    snprintf(done, sizeof done, "/track/%s?rated=1", rc.code);
    assert_string_equal(ht_header(&r, "Location"), done);
    ht_response_free(&r);
    snprintf(sql, sizeof sql, "SELECT rating FROM cases WHERE tracking_code = '%s'", rc.code);
    assert_int_equal(ht_db_int(E->db, sql), 4);

    /* twice is refused, and the first rating stands */
    rate(&v, rc.code, rc.key, "1", &r);
    assert_int_equal(r.status, 409);
    assert_has(&r, "rated this answer already");
    ht_response_free(&r);
    assert_int_equal(ht_db_int(E->db, sql), 4);
    open_with_key(&v, rc.code, rc.key, &r);
    assert_has(&r, "You rated the answer 4 of 5");
    ht_response_free(&r);

    /* a rating without the CSRF token changes nothing */
    char rp[80];
    snprintf(rp, sizeof rp, "/track/%s/rating", rc.code);
    post(rp, v.cookie, "application/x-www-form-urlencoded",
         form_body("csrf", "x", "access_key", rc.key, "rating", "2", NULL), 0, &r);
    assert_int_equal(r.status, 403);
    ht_response_free(&r);
    visitor_free(&v);
}

static void test_a_title_with_markup_is_shown_escaped(void **state)
{
    (void)state;
    struct visitor v;
    visitor_new(&v, NULL);
    struct ht_response r;
    submit_plain(&v, "feedback", "<script>alert('x')</script> & \"more\"", "public", &r);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    assert_lacks(&rc.page, "<script>alert");
    assert_has(&rc.page, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;more&quot;");
    ht_response_free(&rc.page);
    char path[64];
    snprintf(path, sizeof path, "/track/%s", rc.code);
    get(path, NULL, NULL, &r);
    assert_lacks(&r, "<script>alert");
    assert_has(&r, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
    ht_response_free(&r);
    visitor_free(&v);
}

/* The size of data once gzip-compressed (gzip -9, as a server would send it). */
static size_t gzipped(const char *data, size_t len, const char *dir)
{
    char *in = ht_path(dir, "page.raw");
    FILE *f = fopen(in, "wb");
    assert_non_null(f);
    fwrite(data, 1, len, f);
    fclose(f);
    char cmd[1024];
    snprintf(cmd, sizeof cmd, "gzip -9 -c '%s' | wc -c", in);
    FILE *p = popen(cmd, "r");
    assert_non_null(p);
    size_t n = 0;
    assert_int_equal(fscanf(p, "%zu", &n), 1);
    pclose(p);
    free(in);
    return n;
}

static void test_pages_weigh_under_30_kb_compressed_with_their_css(void **state)
{
    (void)state;
    struct ht_response css, r;
    get("/static/akar.css", NULL, NULL, &css);
    assert_int_equal(css.status, 200);
    size_t css_gz = gzipped(css.body, css.body_len, E->dir);
    const char *pages[] = {"/submit", "/submit?unit=" UNIT, "/track"};
    for (size_t i = 0; i < sizeof pages / sizeof pages[0]; i++) {
        get(pages[i], NULL, "vi", &r);
        assert_int_equal(r.status, 200);
        size_t total = gzipped(r.body, r.body_len, E->dir) + css_gz;
        if (total >= 30 * 1024)
            fail_msg("%s weighs %zu bytes compressed with its CSS", pages[i], total);
        /* nothing from another host */
        assert_lacks(&r, "src=\"http");
        assert_lacks(&r, "href=\"http");
        ht_response_free(&r);
    }
    ht_response_free(&css);
}

static void test_my_petitions_lists_what_a_signed_in_resident_sent(void **state)
{
    (void)state;
    struct ht_response r;
    get("/mine", NULL, NULL, &r);
    assert_int_equal(r.status, 303);
    assert_string_equal(ht_header(&r, "Location"), "/login?next=%2Fmine");
    ht_response_free(&r);

    char *token = ht_login(E->srv.port, "resident.vinhhy", "demo-resident-2026");
    char session[256];
    snprintf(session, sizeof session, "akar_session=%s", token);
    free(token);
    get("/mine", session, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_has(&r, "You have not sent a petition while signed in.");
    ht_response_free(&r);

    struct visitor v;
    visitor_new(&v, session);
    submit_plain(&v, "information_request", "Xin thông tin quy hoạch bến cá", "public", &r);
    struct receipt rc;
    read_receipt(&r, &rc);
    ht_response_free(&r);
    ht_response_free(&rc.page);

    get("/mine", session, "id", &r);
    assert_int_equal(r.status, 200);
    char link[64];
    snprintf(link, sizeof link, "<a href=\"/track/%s\">", rc.code);
    assert_has(&r, link);
    assert_has(&r, "Xin thông tin quy hoạch bến cá");
    assert_has(&r, "Diterima"); /* the status, in Indonesian */
    ht_response_free(&r);
    visitor_free(&v);
}

int main(void)
{
    ht_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_the_submit_form_speaks_english_indonesian_and_vietnamese),
        cmocka_unit_test(test_a_urlencoded_submission_gives_a_receipt_with_code_key_and_qr),
        cmocka_unit_test(test_a_multipart_submission_keeps_its_png_and_jpeg_photos),
        cmocka_unit_test(test_missing_fields_are_shown_beside_each_field_and_nothing_is_stored),
        cmocka_unit_test(test_a_bad_csrf_token_is_refused_and_nothing_is_stored),
        cmocka_unit_test(test_a_submission_over_the_limit_gets_a_page_and_stores_nothing),
        cmocka_unit_test(test_a_file_that_is_not_a_photo_is_refused_whole),
        cmocka_unit_test(test_a_malformed_body_is_refused_whole),
        cmocka_unit_test(test_the_tracking_page_shows_progress_and_no_personal_data),
        cmocka_unit_test(test_the_access_key_shows_the_sender_their_own_details),
        cmocka_unit_test(test_the_sender_rates_the_answer_once_after_resolution),
        cmocka_unit_test(test_a_title_with_markup_is_shown_escaped),
        cmocka_unit_test(test_pages_weigh_under_30_kb_compressed_with_their_css),
        cmocka_unit_test(test_my_petitions_lists_what_a_signed_in_resident_sent),
    };
    int failed = cmocka_run_group_tests_name("web_resident", tests, setup, ht_env_teardown);
    ht_done();
    return failed ? 1 : 0;
}
