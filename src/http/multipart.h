/* multipart/form-data request bodies (RFC 7578), as browsers send forms with file inputs:
 * libmicrohttpd's post processor run over the body the server collected, its pieces gathered
 * into whole parts. Text parts are held to the same rules as form.h's urlencoded fields. */
#ifndef AKAR_HTTP_MULTIPART_H
#define AKAR_HTTP_MULTIPART_H
#include <stdbool.h>
#include <stddef.h>

struct http_request;

struct multipart_part {
    const char *name;     /* the field's name */
    const char *filename; /* NULL for a text field; "" for a file input left empty */
    const char *data;     /* the bytes (arena), NUL-terminated for convenience */
    size_t len;
};

struct multipart {
    struct multipart_part *parts; /* in the order sent */
    size_t n;
};

/* True if req's Content-Type is multipart/form-data. */
bool multipart_is(struct http_request *req);

/* Parses req's body (Content-Type multipart/form-data with its boundary) into out, every part
 * copied into the request's arena. Returns 0, or AKAR_EINVAL (out left empty) when the body
 * is not well-formed multipart, holds more than max_parts parts, or a text part (one without
 * a filename) is not valid UTF-8 or holds a NUL byte. */
int multipart_parse(struct http_request *req, size_t max_parts, struct multipart *out);

/* The first text part called name, or NULL. */
const char *multipart_get(const struct multipart *m, const char *name);

#endif
