/* Fuzzes sniff_media_type and checks, from outside the sniffer, what any answer it gives
 * promises: the format's magic number at offset 0 and its end marker where sniff.h says, no
 * HTML tag in the first 1445 bytes, the same answer every time, and no answer once the first
 * byte changes or (for the formats whose length is exact) the last byte goes. AddressSanitizer
 * catches any read outside the input. */
#include "base/sniff.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static bool starts(const uint8_t *d, size_t n, const char *magic, size_t m)
{
    return n >= m && memcmp(d, magic, m) == 0;
}

static bool contains(const uint8_t *d, size_t n, const char *s)
{
    return memmem(d, n, s, strlen(s)) != NULL;
}

/* A naive reading of three of the tags sniff.h names: '<', the name in any case, then a
 * tag-terminating byte. */
static bool has_tag(const uint8_t *d, size_t n)
{
    static const char *const tags[] = {"script", "html", "svg"};
    for (size_t i = 0; i < n; i++) {
        if (d[i] != '<')
            continue;
        for (size_t t = 0; t < 3; t++) {
            size_t k = strlen(tags[t]);
            if (i + 1 + k >= n)
                continue;
            bool same = true;
            for (size_t j = 0; j < k; j++)
                same = same && (d[i + 1 + j] | 0x20) == tags[t][j];
            if (same && strchr(" \t\n\f\r/>", d[i + 1 + k]) && d[i + 1 + k] != 0)
                return true;
        }
    }
    return false;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *type = sniff_media_type(data, size);
    CHECK(sniff_media_type(data, size) == type);
    if (!type)
        return 0;

    const char *ext = sniff_extension(type);
    CHECK(ext && ext[0] == '.');
    if (strcmp(type, "image/jpeg") == 0) {
        CHECK(starts(data, size, "\xFF\xD8\xFF", 3));
        CHECK(contains(data + 3, size - 3, "\xFF\xD9"));
    } else if (strcmp(type, "image/png") == 0) {
        CHECK(starts(data, size, "\x89PNG\r\n\x1A\n\0\0\0\x0DIHDR", 16));
        CHECK(size >= 8 + 25 + 12);
        CHECK(memcmp(data + size - 12, "\0\0\0\0IEND", 8) == 0);
    } else if (strcmp(type, "image/webp") == 0) {
        CHECK(starts(data, size, "RIFF", 4) && size >= 20 && memcmp(data + 8, "WEBP", 4) == 0);
        CHECK((uint64_t)le32(data + 4) + 8 == size);
        CHECK(memcmp(data + 12, "VP8 ", 4) == 0 || memcmp(data + 12, "VP8L", 4) == 0 ||
              memcmp(data + 12, "VP8X", 4) == 0);
    } else {
        CHECK(strcmp(type, "application/pdf") == 0);
        CHECK(starts(data, size, "%PDF-1.", 7) || starts(data, size, "%PDF-2.", 7));
        size_t tail = size > 1024 ? 1024 : size;
        CHECK(contains(data + size - tail, tail, "%%EOF"));
    }
    CHECK(!has_tag(data, size < 1445 ? size : 1445));

    /* The answer rests on the magic number at offset 0, and (PNG, WebP) on the last byte. */
    uint8_t *copy = malloc(size);
    memcpy(copy, data, size);
    copy[0] ^= 0x01;
    CHECK(sniff_media_type(copy, size) == NULL);
    free(copy);
    if (strcmp(type, "image/png") == 0 || strcmp(type, "image/webp") == 0)
        CHECK(sniff_media_type(data, size - 1) == NULL);
    return 0;
}
