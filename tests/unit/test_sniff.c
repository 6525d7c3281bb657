/* Unit tests for base/sniff: real minimal files of each format are recognised; truncated ones,
 * wrong magic, text, HTML and files carrying HTML a browser would act on are not. The JPEG
 * and WebP bytes were made by cjpeg and cwebp; every file was checked with djpeg, pngcheck,
 * webpinfo or qpdf. */
#include "base/sniff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#define JPEG "image/jpeg"
#define PNG  "image/png"
#define WEBP "image/webp"
#define PDF  "application/pdf"

/* 1x1 grey, baseline (cjpeg -grayscale -optimize). */
static const unsigned char jpeg_baseline[] = {
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
/* Offset of the SOF0 marker and of the SOS marker in jpeg_baseline. */
#define JPEG_SOF 89
#define JPEG_SOS 146

/* 1x1 grey, progressive (cjpeg -grayscale -progressive): six scans with tables between. */
static const unsigned char jpeg_progressive[] = {
    0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01,
    0x00, 0x01, 0x00, 0x00, 0xFF, 0xDB, 0x00, 0x43, 0x00, 0x08, 0x06, 0x06, 0x07, 0x06, 0x05, 0x08,
    0x07, 0x07, 0x07, 0x09, 0x09, 0x08, 0x0A, 0x0C, 0x14, 0x0D, 0x0C, 0x0B, 0x0B, 0x0C, 0x19, 0x12,
    0x13, 0x0F, 0x14, 0x1D, 0x1A, 0x1F, 0x1E, 0x1D, 0x1A, 0x1C, 0x1C, 0x20, 0x24, 0x2E, 0x27, 0x20,
    0x22, 0x2C, 0x23, 0x1C, 0x1C, 0x28, 0x37, 0x29, 0x2C, 0x30, 0x31, 0x34, 0x34, 0x34, 0x1F, 0x27,
    0x39, 0x3D, 0x38, 0x32, 0x3C, 0x2E, 0x33, 0x34, 0x32, 0xFF, 0xC2, 0x00, 0x0B, 0x08, 0x00, 0x01,
    0x00, 0x01, 0x01, 0x01, 0x11, 0x00, 0xFF, 0xC4, 0x00, 0x14, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08,
    0x01, 0x01, 0x00, 0x00, 0x00, 0x01, 0x7F, 0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00,
    0x08, 0x01, 0x01, 0x00, 0x01, 0x05, 0x02, 0x7F, 0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA,
    0x00, 0x08, 0x01, 0x01, 0x00, 0x06, 0x3F, 0x02, 0x7F, 0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF,
    0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x01, 0x3F, 0x21, 0x7F, 0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01,
    0x00, 0x00, 0x00, 0x10, 0x7F, 0xFF, 0xC4, 0x00, 0x14, 0x10, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF, 0xDA, 0x00, 0x08, 0x01,
    0x01, 0x00, 0x01, 0x3F, 0x10, 0x7F, 0xFF, 0xD9,
};

/* 1x1 grey, 8 bits: signature, IHDR, IDAT, IEND. */
static const unsigned char png_min[] = {
    0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48,
    0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x00, 0x00, 0x00,
    0x00, 0x3A, 0x7E, 0x9B, 0x55, 0x00, 0x00, 0x00, 0x0A, 0x49, 0x44, 0x41, 0x54, 0x78,
    0xDA, 0x63, 0x68, 0x00, 0x00, 0x00, 0x82, 0x00, 0x81, 0xDA, 0x45, 0x08, 0x3B, 0x00,
    0x00, 0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
};
/* Where IHDR's chunk and the IDAT chunk begin in png_min. */
#define PNG_IHDR 8
#define PNG_IDAT 33

/* 2x2, lossless (cwebp -lossless): one VP8L chunk of odd length, padded. */
static const unsigned char webp_lossless[] = {
    0x52, 0x49, 0x46, 0x46, 0x2C, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56,
    0x50, 0x38, 0x4C, 0x1F, 0x00, 0x00, 0x00, 0x2F, 0x01, 0x40, 0x00, 0x00, 0x1F,
    0x20, 0x10, 0x48, 0xDE, 0x1F, 0x3A, 0x8D, 0xF9, 0x17, 0x10, 0x14, 0xFC, 0x1F,
    0xDD, 0xFC, 0x47, 0x64, 0x0F, 0xE0, 0x06, 0x0C, 0x11, 0xFD, 0x0F, 0x01, 0x00,
};

/* 2x2, lossy (cwebp): one VP8 chunk. */
static const unsigned char webp_lossy[] = {
    0x52, 0x49, 0x46, 0x46, 0x38, 0x00, 0x00, 0x00, 0x57, 0x45, 0x42, 0x50, 0x56, 0x50, 0x38, 0x20,
    0x2C, 0x00, 0x00, 0x00, 0x90, 0x01, 0x00, 0x9D, 0x01, 0x2A, 0x02, 0x00, 0x02, 0x00, 0x02, 0x00,
    0x34, 0x25, 0xA4, 0x00, 0x02, 0xE7, 0x4F, 0x8C, 0xC0, 0x00, 0xFE, 0xF2, 0x93, 0xED, 0x67, 0x69,
    0xB1, 0xFF, 0x86, 0xBF, 0xFE, 0x7D, 0xC0, 0x30, 0xC1, 0xFC, 0x01, 0x83, 0x86, 0x48, 0x00, 0x00,
};

/* The bytes of one WebP chunk (header, payload, padding) with the image in webp_lossless. */
#define WEBP_VP8L_CHUNK (webp_lossless + 12)
#define WEBP_VP8L_SIZE  (sizeof webp_lossless - 12)

/* A one-page PDF whose cross-reference offsets are right (qpdf --check). */
static const char pdf_min[] = "%PDF-1.4\n"
                              "1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
                              "2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
                              "3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 3 3]>>endobj\n"
                              "xref\n"
                              "0 4\n"
                              "0000000000 65535 f \n"
                              "0000000009 00000 n \n"
                              "0000000052 00000 n \n"
                              "0000000101 00000 n \n"
                              "trailer<</Size 4/Root 1 0 R>>\n"
                              "startxref\n"
                              "160\n"
                              "%%EOF\n";

/* A file being assembled in a test. */
struct file {
    unsigned char b[8192];
    size_t n;
};

static void add(struct file *f, const void *p, size_t n)
{
    assert_true(f->n + n <= sizeof f->b);
    memcpy(f->b + f->n, p, n);
    f->n += n;
}

static void add_str(struct file *f, const char *s)
{
    add(f, s, strlen(s));
}

static void add_be32(struct file *f, uint32_t v)
{
    unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 8), (unsigned char)v};
    add(f, b, 4);
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t crc32(const unsigned char *p, size_t n)
{
    uint32_t c = 0xFFFFFFFF;
    for (size_t i = 0; i < n; i++) {
        c ^= p[i];
        for (int k = 0; k < 8; k++)
            c = c & 1 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
    }
    return c ^ 0xFFFFFFFF;
}

/* Appends a PNG chunk with its CRC, as an encoder would write it. */
static void png_chunk(struct file *f, const char *type, const void *data, size_t n)
{
    add_be32(f, (uint32_t)n);
    size_t at = f->n;
    add(f, type, 4);
    add(f, data, n);
    add_be32(f, crc32(f->b + at, 4 + n));
}

/* png_min with a chunk of the type inserted before IDAT: a keyword, NUL, then text, as in
 * tEXt and iTXt. */
static struct file png_with(const char *type, const char *text)
{
    char data[1024];
    int n = snprintf(data, sizeof data, "Comment%c%s", '\0', text);
    assert_true(n > 0 && (size_t)n < sizeof data);
    struct file f = {.n = 0};
    add(&f, png_min, PNG_IDAT);
    png_chunk(&f, type, data, (size_t)n);
    add(&f, png_min + PNG_IDAT, sizeof png_min - PNG_IDAT);
    return f;
}

/* jpeg_baseline with a segment (marker, then text) inserted after SOI. */
static struct file jpeg_with(unsigned char marker, const char *text)
{
    struct file f = {.n = 0};
    size_t n = strlen(text) + 2;
    unsigned char seg[4] = {0xFF, marker, (unsigned char)(n >> 8), (unsigned char)n};
    add(&f, jpeg_baseline, 2);
    add(&f, seg, 4);
    add_str(&f, text);
    add(&f, jpeg_baseline + 2, sizeof jpeg_baseline - 2);
    return f;
}

/* Starts a WebP: RIFF header with its size left for webp_end. */
static void webp_begin(struct file *f)
{
    f->n = 0;
    add(f, "RIFF\0\0\0\0WEBP", 12);
}

/* Appends a chunk and its padding byte if its length is odd. */
static void webp_chunk(struct file *f, const char *fourcc, const void *data, size_t n)
{
    unsigned char len[4];
    put_le32(len, (uint32_t)n);
    add(f, fourcc, 4);
    add(f, len, 4);
    add(f, data, n);
    if (n & 1)
        add(f, "", 1);
}

static void webp_end(struct file *f)
{
    put_le32(f->b + 4, (uint32_t)(f->n - 8));
}

/* A VP8X header chunk for a 2x2 canvas with the given flags. */
static void webp_vp8x(struct file *f, unsigned char flags)
{
    unsigned char x[10] = {flags, 0, 0, 0, 1, 0, 0, 1, 0, 0};
    webp_chunk(f, "VP8X", x, sizeof x);
}

/* pdf_min with text inserted after the header line. */
static struct file pdf_with(const char *text)
{
    struct file f = {.n = 0};
    add(&f, pdf_min, 9);
    add_str(&f, text);
    add(&f, pdf_min + 9, sizeof pdf_min - 1 - 9);
    return f;
}

static const char *sniff(const struct file *f)
{
    return sniff_media_type(f->b, f->n);
}

#define SNIFF_ARRAY(a) sniff_media_type(a, sizeof a)
#define SNIFF_TEXT(s)  sniff_media_type((const unsigned char *)(s), strlen(s))

static void test_minimal_jpegs_baseline_and_progressive_are_jpeg(void **state)
{
    (void)state;
    assert_string_equal(SNIFF_ARRAY(jpeg_baseline), JPEG);
    assert_string_equal(SNIFF_ARRAY(jpeg_progressive), JPEG);
    /* Fill bytes may precede any marker. */
    struct file f = {.n = 0};
    add(&f, jpeg_baseline, JPEG_SOF);
    add(&f, "\xFF\xFF", 2);
    add(&f, jpeg_baseline + JPEG_SOF, sizeof jpeg_baseline - JPEG_SOF);
    assert_string_equal(sniff(&f), JPEG);
}

static void test_minimal_png_is_png(void **state)
{
    (void)state;
    assert_string_equal(SNIFF_ARRAY(png_min), PNG);
}

static void test_lossy_lossless_and_extended_webp_are_webp(void **state)
{
    (void)state;
    assert_string_equal(SNIFF_ARRAY(webp_lossy), WEBP);
    assert_string_equal(SNIFF_ARRAY(webp_lossless), WEBP);
    struct file f;
    webp_begin(&f);
    webp_vp8x(&f, 0);
    add(&f, WEBP_VP8L_CHUNK, WEBP_VP8L_SIZE);
    webp_end(&f);
    assert_string_equal(sniff(&f), WEBP);
}

static void test_minimal_pdf_and_pdf_2_are_pdf(void **state)
{
    (void)state;
    assert_string_equal(SNIFF_TEXT(pdf_min), PDF);
    struct file f = {.n = 0};
    add_str(&f, "%PDF-2.0");
    add(&f, pdf_min + 8, sizeof pdf_min - 1 - 8);
    assert_string_equal(sniff(&f), PDF);
}

/* Every proper prefix of data is refused. */
static void assert_prefixes_refused(const unsigned char *data, size_t n)
{
    for (size_t k = 0; k < n; k++)
        if (sniff_media_type(data, k) != NULL)
            fail_msg("a prefix of %zu of %zu bytes was accepted", k, n);
}

static void test_every_truncation_is_refused(void **state)
{
    (void)state;
    assert_prefixes_refused(jpeg_baseline, sizeof jpeg_baseline);
    assert_prefixes_refused(jpeg_progressive, sizeof jpeg_progressive);
    assert_prefixes_refused(png_min, sizeof png_min);
    assert_prefixes_refused(webp_lossy, sizeof webp_lossy);
    assert_prefixes_refused(webp_lossless, sizeof webp_lossless);
    /* The PDF's last byte is the newline after %%EOF. */
    assert_prefixes_refused((const unsigned char *)pdf_min, sizeof pdf_min - 2);
}

/* Changing any byte of the magic number at offset 0 makes data unrecognised. */
static void assert_magic_needed(const unsigned char *data, size_t n, size_t magic)
{
    struct file f = {.n = 0};
    add(&f, data, n);
    for (size_t i = 0; i < magic; i++) {
        f.b[i] ^= 0x20;
        if (sniff(&f) != NULL)
            fail_msg("accepted with byte %zu of the magic changed", i);
        f.b[i] ^= 0x20;
    }
    assert_non_null(sniff(&f));
}

static void test_wrong_magic_is_refused(void **state)
{
    (void)state;
    assert_magic_needed(jpeg_baseline, sizeof jpeg_baseline, 3);
    assert_magic_needed(png_min, sizeof png_min, 8);
    assert_magic_needed(webp_lossy, sizeof webp_lossy, 4);
    assert_magic_needed((const unsigned char *)pdf_min, sizeof pdf_min - 1, 7);
    /* A version other than 1.x or 2.x. */
    struct file f = {.n = 0};
    add_str(&f, "%PDF-3.0");
    add(&f, pdf_min + 8, sizeof pdf_min - 1 - 8);
    assert_null(sniff(&f));
}

static void test_zero_length_and_null_are_refused(void **state)
{
    (void)state;
    assert_null(sniff_media_type(NULL, 0));
    assert_null(sniff_media_type(jpeg_baseline, 0));
    assert_null(sniff_media_type((const unsigned char *)"", 0));
}

static void test_text_html_and_bare_magic_numbers_are_refused(void **state)
{
    (void)state;
    assert_null(SNIFF_TEXT("hello, world\n"));
    assert_null(SNIFF_TEXT("<!DOCTYPE html><html><body>hi</body></html>"));
    assert_null(SNIFF_TEXT("<svg xmlns=\"http://www.w3.org/2000/svg\"><script>x()</script></svg>"));
    assert_null(SNIFF_TEXT("{\"title\":\"%PDF-1.4 %%EOF\"}"));
    static const unsigned char gif[] = {'G', 'I', 'F', '8', '9', 'a', 1, 0, 1, 0, 0, 0, 0};
    assert_null(SNIFF_ARRAY(gif));
    static const unsigned char soi[] = {0xFF, 0xD8, 0xFF, 0xD9};
    assert_null(SNIFF_ARRAY(soi));
    assert_null(sniff_media_type(png_min, 8));
    static const unsigned char riff[] = {'R', 'I', 'F', 'F', 4, 0, 0, 0, 'W', 'E', 'B', 'P'};
    assert_null(SNIFF_ARRAY(riff));
    assert_null(SNIFF_TEXT("%PDF-1.7"));
}

static void test_html_tags_in_the_first_bytes_are_refused_in_every_format(void **state)
{
    (void)state;
    struct file f = png_with("tEXt", "a petition photo");
    assert_string_equal(sniff(&f), PNG);
    static const char *const attacks[] = {
        "<script>alert(1)</script>",
        "<SCRIPT SRC=//evil.example/x.js>",
        "<ScRiPt/src=x>",
        "<html><body onload=x()>",
        "<!DOCTYPE html>",
        "<iframe\tsrc=x>",
        "<svg onload=x()>",
        "<img src=x onerror=x()>",
        "<!-- a comment -->",
        "<meta http-equiv=refresh content=0;url=x>",
    };
    for (size_t i = 0; i < sizeof attacks / sizeof attacks[0]; i++) {
        f = png_with("tEXt", attacks[i]);
        assert_null(sniff(&f));
        f = jpeg_with(0xFE, attacks[i]); /* COM */
        assert_null(sniff(&f));
        f = pdf_with(attacks[i]);
        assert_null(sniff(&f));
        webp_begin(&f);
        webp_vp8x(&f, 0x04); /* XMP */
        add(&f, WEBP_VP8L_CHUNK, WEBP_VP8L_SIZE);
        webp_chunk(&f, "XMP ", attacks[i], strlen(attacks[i]));
        webp_end(&f);
        assert_null(sniff(&f));
    }
}

static void test_harmless_markup_and_xmp_metadata_are_accepted(void **state)
{
    (void)state;
    static const char xmp[] = "<?xpacket begin='' id='W5M0MpCehiHzreSzNTczkc9d'?>"
                              "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF "
                              "xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'/>"
                              "</x:xmpmeta><?xpacket end='w'?>";
    struct file f = png_with("iTXt", xmp);
    assert_string_equal(sniff(&f), PNG);
    f = jpeg_with(0xE1, xmp); /* APP1 */
    assert_string_equal(sniff(&f), JPEG);
    webp_begin(&f);
    webp_vp8x(&f, 0x04);
    add(&f, WEBP_VP8L_CHUNK, WEBP_VP8L_SIZE);
    webp_chunk(&f, "XMP ", xmp, strlen(xmp));
    webp_end(&f);
    assert_string_equal(sniff(&f), WEBP);
    /* Not a tag (no terminating byte), or a short tag left out on purpose. */
    f = png_with("tEXt", "<scripting> <htmlx <a href=x>");
    assert_string_equal(sniff(&f), PNG);
    /* PDF's own syntax: dictionaries and hex strings. */
    f = pdf_with("4 0 obj<</Font<</F1 5 0 R>>/ID[<0A1B><DEAD>]>>endobj\n");
    assert_string_equal(sniff(&f), PDF);
}

static void test_html_past_the_sniffing_window_is_accepted(void **state)
{
    (void)state;
    char filler[1500];
    memset(filler, ' ', sizeof filler);
    filler[0] = '%';
    filler[sizeof filler - 1] = '\0';
    struct file f = {.n = 0};
    add(&f, pdf_min, 9);
    add_str(&f, filler);
    add_str(&f, "\n(<script>) Tj\n");
    add(&f, pdf_min + 9, sizeof pdf_min - 1 - 9);
    assert_string_equal(sniff(&f), PDF);
    /* Moved just inside the window, it is refused. */
    f.n = 0;
    add(&f, pdf_min, 9);
    add_str(&f, filler + 100);
    add_str(&f, "\n(<script>) Tj\n");
    add(&f, pdf_min + 9, sizeof pdf_min - 1 - 9);
    assert_null(sniff(&f));
}

static void test_jpeg_may_carry_data_after_eoi_but_png_and_webp_may_not(void **state)
{
    (void)state;
    struct file f = {.n = 0};
    add(&f, jpeg_baseline, sizeof jpeg_baseline);
    add(&f,
        "\0\0\0\x18"
        "ftypmp42",
        12); /* a motion photo's video */
    assert_string_equal(sniff(&f), JPEG);
    f.n = 0;
    add(&f, png_min, sizeof png_min);
    add_str(&f, "PK\x05\x06");
    assert_null(sniff(&f));
    f.n = 0;
    add(&f, webp_lossy, sizeof webp_lossy);
    add(&f, "ZIP!\0\0\0\0", 8);
    assert_null(sniff(&f)); /* the RIFF size does not cover the chunk */
    webp_end(&f);
    assert_string_equal(sniff(&f), WEBP); /* now it does: an unknown chunk, which is allowed */
    add_str(&f, "PK");
    webp_end(&f);
    assert_null(sniff(&f)); /* "PK" is no chunk */
}

static void test_pdf_needs_eof_marker_in_its_last_kilobyte(void **state)
{
    (void)state;
    char tail[1100];
    memset(tail, '\n', sizeof tail);
    tail[sizeof tail - 1] = '\0';
    struct file f = {.n = 0};
    add(&f, pdf_min, sizeof pdf_min - 1);
    add_str(&f, tail + 100);
    assert_string_equal(sniff(&f), PDF);
    add_str(&f, tail + 1000);
    assert_null(sniff(&f));
}

static void test_broken_jpeg_structure_is_refused(void **state)
{
    (void)state;
    struct file f = {.n = 0};
    /* A scan before any frame header. */
    add(&f, jpeg_baseline, JPEG_SOF);
    add(&f, jpeg_baseline + JPEG_SOS, sizeof jpeg_baseline - JPEG_SOS);
    assert_null(sniff(&f));
    /* A segment length running past the end. */
    f.n = 0;
    add(&f, jpeg_baseline, sizeof jpeg_baseline);
    f.b[4] = 0xFF;
    assert_null(sniff(&f));
    /* A segment length below 2. */
    f.b[4] = 0x00;
    f.b[5] = 0x01;
    assert_null(sniff(&f));
    /* A second SOI. */
    f.n = 0;
    add(&f, jpeg_baseline, 2);
    add(&f, jpeg_baseline, sizeof jpeg_baseline);
    assert_null(sniff(&f));
    /* EOI straight after SOI: no picture. */
    static const unsigned char empty[] = {0xFF, 0xD8, 0xFF, 0xD9, 0x00};
    assert_null(SNIFF_ARRAY(empty));
}

static void test_broken_png_structure_is_refused(void **state)
{
    (void)state;
    struct file f = {.n = 0};
    /* No IDAT. */
    add(&f, png_min, PNG_IDAT);
    add(&f, png_min + sizeof png_min - 12, 12);
    assert_null(sniff(&f));
    /* Zero width; a colour type and depth that do not go together. */
    f.n = 0;
    add(&f, png_min, sizeof png_min);
    f.b[PNG_IHDR + 11] = 0;
    assert_null(sniff(&f));
    f.b[PNG_IHDR + 11] = 1;
    assert_string_equal(sniff(&f), PNG);
    f.b[PNG_IHDR + 17] = 2; /* RGB */
    f.b[PNG_IHDR + 16] = 4;
    assert_null(sniff(&f));
    /* A chunk length running past the end. */
    f.n = 0;
    add(&f, png_min, sizeof png_min);
    f.b[PNG_IDAT] = 0x7F;
    assert_null(sniff(&f));
    /* A second IHDR. */
    f.n = 0;
    add(&f, png_min, PNG_IDAT);
    png_chunk(&f, "IHDR", png_min + PNG_IHDR + 8, 13);
    add(&f, png_min + PNG_IDAT, sizeof png_min - PNG_IDAT);
    assert_null(sniff(&f));
    /* Another chunk first, IHDR second. */
    f.n = 0;
    add(&f, png_min, 8);
    png_chunk(&f, "tEXt", "a\0b", 3);
    add(&f, png_min + 8, sizeof png_min - 8);
    assert_null(sniff(&f));
}

static void test_broken_webp_structure_is_refused(void **state)
{
    (void)state;
    struct file f;
    /* VP8X with no image after it. */
    webp_begin(&f);
    webp_vp8x(&f, 0);
    webp_end(&f);
    assert_null(sniff(&f));
    /* Another chunk first. */
    webp_begin(&f);
    webp_chunk(&f, "ALPH", "\0\0", 2);
    add(&f, WEBP_VP8L_CHUNK, WEBP_VP8L_SIZE);
    webp_end(&f);
    assert_null(sniff(&f));
    /* VP8 without its start code, VP8L without its signature. */
    f.n = 0;
    add(&f, webp_lossy, sizeof webp_lossy);
    f.b[20 + 3] = 0;
    assert_null(sniff(&f));
    f.n = 0;
    add(&f, webp_lossless, sizeof webp_lossless);
    f.b[20] = 0;
    assert_null(sniff(&f));
    /* An odd-length chunk without its padding byte. */
    webp_begin(&f);
    add(&f, WEBP_VP8L_CHUNK, WEBP_VP8L_SIZE - 1);
    webp_end(&f);
    assert_null(sniff(&f));
    /* A RIFF size larger than the file. */
    f.n = 0;
    add(&f, webp_lossy, sizeof webp_lossy);
    put_le32(f.b + 4, 0xFFFFFFF8);
    assert_null(sniff(&f));
}

static void test_extension_follows_media_type(void **state)
{
    (void)state;
    assert_string_equal(sniff_extension(JPEG), ".jpg");
    assert_string_equal(sniff_extension(PNG), ".png");
    assert_string_equal(sniff_extension(WEBP), ".webp");
    assert_string_equal(sniff_extension(PDF), ".pdf");
    assert_string_equal(sniff_extension(SNIFF_ARRAY(png_min)), ".png");
    assert_null(sniff_extension("image/gif"));
    assert_null(sniff_extension("IMAGE/PNG"));
    assert_null(sniff_extension(""));
    assert_null(sniff_extension(NULL));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_minimal_jpegs_baseline_and_progressive_are_jpeg),
        cmocka_unit_test(test_minimal_png_is_png),
        cmocka_unit_test(test_lossy_lossless_and_extended_webp_are_webp),
        cmocka_unit_test(test_minimal_pdf_and_pdf_2_are_pdf),
        cmocka_unit_test(test_every_truncation_is_refused),
        cmocka_unit_test(test_wrong_magic_is_refused),
        cmocka_unit_test(test_zero_length_and_null_are_refused),
        cmocka_unit_test(test_text_html_and_bare_magic_numbers_are_refused),
        cmocka_unit_test(test_html_tags_in_the_first_bytes_are_refused_in_every_format),
        cmocka_unit_test(test_harmless_markup_and_xmp_metadata_are_accepted),
        cmocka_unit_test(test_html_past_the_sniffing_window_is_accepted),
        cmocka_unit_test(test_jpeg_may_carry_data_after_eoi_but_png_and_webp_may_not),
        cmocka_unit_test(test_pdf_needs_eof_marker_in_its_last_kilobyte),
        cmocka_unit_test(test_broken_jpeg_structure_is_refused),
        cmocka_unit_test(test_broken_png_structure_is_refused),
        cmocka_unit_test(test_broken_webp_structure_is_refused),
        cmocka_unit_test(test_extension_follows_media_type),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
