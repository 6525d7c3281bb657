/* Recognising an uploaded attachment (JPEG, PNG, WebP or PDF) from its bytes alone: never from
 * its name or the type the client declared, which an uploader chooses freely. */
#ifndef AKAR_BASE_SNIFF_H
#define AKAR_BASE_SNIFF_H
#include <stddef.h>

/* The media type of data[0..len): "image/jpeg", "image/png", "image/webp" or "application/pdf"
 * (static strings), or NULL if it is none of them. data may be NULL when len is 0. Reads no
 * byte outside data[0..len) and keeps no state, so it is safe from any thread.
 *
 * Accepted is a file with the format's magic number at offset 0 whose outline is complete,
 * which refuses truncated uploads and most files merely renamed:
 *   JPEG  FF D8 FF, marker segments whose lengths stay inside the data, a frame header before
 *         the first scan, and an EOI marker after the scans. Bytes after EOI are allowed:
 *         cameras put a second picture (MPF) or a motion-photo video there.
 *   PNG   the 8-byte signature, IHDR first with a valid size, depth and colour type, then
 *         chunks that fit, at least one IDAT, and IEND ending exactly at the end of the data.
 *   WebP  "RIFF" <size> "WEBP" with the RIFF size covering exactly the data, chunks (padded to
 *         even length) that tile it, the first one VP8 (with its start code), VP8L (with its
 *         signature byte) or VP8X (followed by image data).
 *   PDF   "%PDF-1.d" or "%PDF-2.d" at offset 0 and "%%EOF" within the last 1024 bytes, where
 *         readers look for it.
 * Refused besides, whatever the magic says, is a file with an HTML tag that runs script or
 * makes a browser read the file as a page (<script, <html, <body, <iframe, <svg, <!--, ...,
 * case-insensitive, followed by a tag-terminating byte) in its first 1445 bytes: the window
 * in which browsers sniff for HTML (WHATWG MIME Sniffing) when a type is missing or ignored.
 * <?xml and <x:xmpmeta are not refused: they begin XMP metadata, which photos carry there. */
const char *sniff_media_type(const unsigned char *data, size_t len);

/* The file name extension for a media type sniff_media_type returns (".jpg", ".png", ".webp",
 * ".pdf"), or NULL for any other type or NULL. */
const char *sniff_extension(const char *media_type);

#endif
