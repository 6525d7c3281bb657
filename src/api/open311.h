/* What the Open311 GeoReport v2 files share (open311.c: the reads; open311_post.c: POST
 * requests and tokens): the format a resource's suffix names, answers built field by field so
 * that XML and JSON cannot drift, the spec's error bodies, and the jurisdiction of a GET. Not
 * used outside src/api/. */
#ifndef AKAR_API_OPEN311_H
#define AKAR_API_OPEN311_H
#include "api/internal.h"
#include "base/buf.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct arena;

enum o311_format { O311_XML, O311_JSON };

/* One field of an answer, kept apart from its format. */
struct o311_field {
    const char *name;
    enum { F_TEXT, F_BOOL, F_NUMBER } type;
    const char *text; /* F_TEXT; NULL: JSON null, an empty XML element */
    bool flag;        /* F_BOOL */
    json_t *number;   /* F_NUMBER (borrowed); NULL as for text */
};

#define O311_XML_DECL "<?xml version=\"1.0\" encoding=\"utf-8\"?>"

/* Splits name ("services.json") into its stem (arena) and format. false for any other suffix
 * (the caller then answers 400 in XML, the spec's mandatory format). */
bool o311_resource(struct arena *a, const char *name, const char **stem, enum o311_format *f);
/* Replies with the spec's error body in format f, status as both the HTTP status and the
 * error's code. Returns HTTP_DONE. */
int o311_error(struct http_request *req, enum o311_format f, int status, const char *description);
/* Appends fs as one JSON object, or as XML elements (without a wrapper). */
void o311_fields_json(struct buf *b, const struct o311_field *fs, size_t n);
void o311_fields_xml(struct buf *b, const struct o311_field *fs, size_t n);
/* Replies with b (released) as format f's content type. Returns HTTP_DONE. */
int o311_reply(struct http_request *req, int status, enum o311_format f, struct buf *b);
/* The unit that ?jurisdiction_id= names, or the top unit when it is absent or empty and there
 * is exactly one: 0 with *u set, else the error has been sent (404, 400, 503). */
int o311_jurisdiction(struct http_request *req, enum o311_format f, struct unit_row *u);

#endif
