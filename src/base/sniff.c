/* Media type sniffing for attachments: each format's magic number and enough of its outline to
 * refuse truncated files, then a scan for HTML a browser might act on. See sniff.h. */
#include "base/sniff.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define TYPE_JPEG "image/jpeg"
#define TYPE_PNG  "image/png"
#define TYPE_WEBP "image/webp"
#define TYPE_PDF  "application/pdf"

/* Browsers sniff for HTML in this many leading bytes (WHATWG MIME Sniffing, resource header). */
#define HTML_WINDOW 1445
/* PDF readers look for %%EOF in this many trailing bytes, after the header ("%PDF-1.7"). */
#define PDF_TAIL 1024
#define PDF_HEAD 8

static uint32_t be16(const unsigned char *p)
{
    return (uint32_t)p[0] << 8 | p[1];
}

static uint32_t be32(const unsigned char *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

/* A frame header (SOFn): C0 to CF except DHT (C4), JPG (C8) and DAC (CC). */
static bool jpeg_is_sof(unsigned char m)
{
    return m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC;
}

/* Skips entropy-coded data from d[*p]: 0xFF is followed there by a stuffed 0x00 or a restart
 * marker; anything else is the marker ending the scan, at whose first 0xFF *p is left.
 * False if the data ends first. */
static bool jpeg_skip_scan(const unsigned char *d, size_t n, size_t *p)
{
    for (;;) {
        const unsigned char *ff = memchr(d + *p, 0xFF, n - *p);
        if (!ff)
            return false;
        size_t at = (size_t)(ff - d), q = at + 1;
        while (q < n && d[q] == 0xFF)
            q++;
        if (q >= n)
            return false;
        if (d[q] == 0x00 || (d[q] >= 0xD0 && d[q] <= 0xD7)) {
            *p = q + 1;
            continue;
        }
        *p = at;
        return true;
    }
}

static bool is_jpeg(const unsigned char *d, size_t n)
{
    if (n < 4 || d[0] != 0xFF || d[1] != 0xD8 || d[2] != 0xFF)
        return false;
    bool frame = false, scanned = false;
    size_t p = 2;
    for (;;) {
        /* p is at a marker: 0xFF fill bytes, then its code. */
        if (p >= n || d[p] != 0xFF)
            return false;
        while (p < n && d[p] == 0xFF)
            p++;
        if (p >= n)
            return false;
        unsigned char m = d[p++];
        if (m == 0xD9) /* EOI */
            return scanned;
        if (m == 0x00 || m == 0xD8) /* a stuffed byte outside a scan, or a second SOI */
            return false;
        if (m == 0x01 || (m >= 0xD0 && m <= 0xD7)) /* TEM, RSTn: no length */
            continue;
        if (n - p < 2)
            return false;
        size_t len = be16(d + p);
        if (len < 2 || len > n - p)
            return false;
        p += len;
        if (jpeg_is_sof(m))
            frame = true;
        if (m == 0xDA) { /* SOS: entropy-coded data follows the header */
            if (!frame || !jpeg_skip_scan(d, n, &p))
                return false;
            scanned = true;
        }
    }
}

static const unsigned char png_signature[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};

/* IHDR's bit depth is one its colour type allows (PNG specification, table 11.1). */
static bool png_depth_ok(unsigned colour, unsigned depth)
{
    switch (colour) {
    case 0:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8 || depth == 16;
    case 3:
        return depth == 1 || depth == 2 || depth == 4 || depth == 8;
    case 2:
    case 4:
    case 6:
        return depth == 8 || depth == 16;
    default:
        return false;
    }
}

static bool png_type_ok(const unsigned char *t)
{
    for (int i = 0; i < 4; i++)
        if (!((t[i] >= 'A' && t[i] <= 'Z') || (t[i] >= 'a' && t[i] <= 'z')))
            return false;
    return true;
}

static bool is_png(const unsigned char *d, size_t n)
{
    /* Signature, then IHDR: length 13, type, 13 bytes of data, CRC. */
    if (n < 8 + 25 || memcmp(d, png_signature, 8) != 0)
        return false;
    const unsigned char *h = d + 8;
    if (be32(h) != 13 || memcmp(h + 4, "IHDR", 4) != 0)
        return false;
    uint32_t w = be32(h + 8), ht = be32(h + 12);
    if (w == 0 || ht == 0 || w > 0x7FFFFFFF || ht > 0x7FFFFFFF || !png_depth_ok(h[17], h[16]) ||
        h[18] != 0 || h[19] != 0 || h[20] > 1)
        return false;
    bool idat = false;
    size_t p = 8 + 25;
    while (n - p >= 12) {
        uint32_t len = be32(d + p);
        const unsigned char *type = d + p + 4;
        if (len > 0x7FFFFFFF || !png_type_ok(type) || len > n - p - 12)
            return false;
        if (memcmp(type, "IHDR", 4) == 0)
            return false;
        if (memcmp(type, "IDAT", 4) == 0)
            idat = true;
        p += 12 + (size_t)len;
        if (memcmp(type, "IEND", 4) == 0)
            return len == 0 && idat && p == n;
    }
    return false;
}

static bool is_webp(const unsigned char *d, size_t n)
{
    if (n < 12 + 8 || memcmp(d, "RIFF", 4) != 0 || memcmp(d + 8, "WEBP", 4) != 0 ||
        (uint64_t)le32(d + 4) + 8 != n)
        return false;
    bool image = false;
    for (size_t p = 12; p < n;) {
        if (n - p < 8)
            return false;
        const unsigned char *c = d + p, *body = c + 8;
        uint32_t len = le32(c + 4);
        uint64_t padded = (uint64_t)len + (len & 1);
        if (padded > n - p - 8)
            return false;
        if (p == 12) {
            if (memcmp(c, "VP8 ", 4) == 0) {
                /* Frame tag (a key frame), then the start code 9D 01 2A. */
                if (len < 10 || (body[0] & 1) != 0 || body[3] != 0x9D || body[4] != 0x01 ||
                    body[5] != 0x2A)
                    return false;
                image = true;
            } else if (memcmp(c, "VP8L", 4) == 0) {
                if (len < 5 || body[0] != 0x2F)
                    return false;
                image = true;
            } else if (memcmp(c, "VP8X", 4) != 0 || len != 10) {
                return false;
            }
        } else if (memcmp(c, "VP8 ", 4) == 0 || memcmp(c, "VP8L", 4) == 0 ||
                   memcmp(c, "ANMF", 4) == 0) {
            image = true;
        }
        p += 8 + (size_t)padded;
    }
    return image;
}

static bool is_pdf(const unsigned char *d, size_t n)
{
    if (n < PDF_HEAD + 5 || memcmp(d, "%PDF-", 5) != 0 || (d[5] != '1' && d[5] != '2') ||
        d[6] != '.' || d[7] < '0' || d[7] > '9')
        return false;
    size_t from = n - PDF_HEAD > PDF_TAIL ? n - PDF_TAIL : PDF_HEAD;
    return memmem(d + from, n - from, "%%EOF", 5) != NULL;
}

/* Tags a browser acts on, after '<'. Short tags such as <a> and <p> are left out: three bytes
 * of compressed data spell them too often. */
static const char *const html_tags[] = {
    "!doctype", "html",  "head",   "body",  "script", "iframe", "frameset", "frame",
    "object",   "embed", "applet", "svg",   "math",   "style",  "link",     "meta",
    "base",     "form",  "img",    "title", "table",  "font",   "div",
};

static bool is_tag_end(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' || c == '/' || c == '>';
}

static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* True if d[0..n) holds one of html_tags (case-insensitive, then a tag-terminating byte) or
 * the start of a comment. */
static bool has_html(const unsigned char *d, size_t n)
{
    const unsigned char *lt;
    for (size_t p = 0; p < n && (lt = memchr(d + p, '<', n - p)) != NULL;
         p = (size_t)(lt - d) + 1) {
        size_t rest = n - (size_t)(lt - d) - 1;
        const unsigned char *s = lt + 1;
        if (rest >= 3 && memcmp(s, "!--", 3) == 0)
            return true;
        for (size_t t = 0; t < sizeof html_tags / sizeof html_tags[0]; t++) {
            size_t k = strlen(html_tags[t]), i = 0;
            if (rest <= k)
                continue;
            while (i < k && lower(s[i]) == (unsigned char)html_tags[t][i])
                i++;
            if (i == k && is_tag_end(s[k]))
                return true;
        }
    }
    return false;
}

const char *sniff_media_type(const unsigned char *data, size_t len)
{
    if (!data || len == 0)
        return NULL;
    const char *type = NULL;
    if (is_jpeg(data, len))
        type = TYPE_JPEG;
    else if (is_png(data, len))
        type = TYPE_PNG;
    else if (is_webp(data, len))
        type = TYPE_WEBP;
    else if (is_pdf(data, len))
        type = TYPE_PDF;
    if (type && has_html(data, len < HTML_WINDOW ? len : HTML_WINDOW))
        return NULL;
    return type;
}

const char *sniff_extension(const char *media_type)
{
    static const struct {
        const char *type, *ext;
    } exts[] = {
        {TYPE_JPEG, ".jpg"},
        {TYPE_PNG, ".png"},
        {TYPE_WEBP, ".webp"},
        {TYPE_PDF, ".pdf"},
    };
    if (!media_type)
        return NULL;
    for (size_t i = 0; i < sizeof exts / sizeof exts[0]; i++)
        if (strcmp(media_type, exts[i].type) == 0)
            return exts[i].ext;
    return NULL;
}
