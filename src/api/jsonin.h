/* Strict JSON request bodies: the body must be one JSON object in valid UTF-8 whose members
 * are all declared, of the declared type and within the declared length; nested objects are
 * checked the same way. A null member counts as absent. Each problem is reported with the
 * name (dotted path, "reporter.email") of the field it concerns: every bad member of an object
 * at once, or the one problem of a body that is no JSON object. Pure: fuzzed on its own. */
#ifndef AKAR_API_JSONIN_H
#define AKAR_API_JSONIN_H
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* JSONIN_MAP: an object of members of any name, each a string or an array of strings, every
 * string within max_len (a petition's answers: {"code": "value", "other": ["k1", "k2"]}). */
enum jsonin_type {
    JSONIN_STRING,
    JSONIN_BOOL,
    JSONIN_INTEGER,
    JSONIN_NUMBER,
    JSONIN_OBJECT,
    JSONIN_MAP
};

struct jsonin_field {
    const char *name;
    enum jsonin_type type;
    bool required;
    size_t max_len;                 /* strings: bytes; 0 means 10,000 */
    const struct jsonin_field *sub; /* JSONIN_OBJECT: the members it may have */
    size_t nsub;
};

#define JSONIN_ERRORS_MAX 16

struct jsonin_problem {
    char field[64];   /* "body" when the problem is not one field's */
    char detail[200]; /* for people */
};

struct jsonin_error {
    char field[64]; /* the first problem's, as in list[0] */
    char detail[200];
    size_t n;                                      /* problems found... */
    struct jsonin_problem list[JSONIN_ERRORS_MAX]; /* ...the first JSONIN_ERRORS_MAX of them */
};

/* Parses and checks body[0..len). Returns the object (caller json_decref's it), or NULL with
 * err filled. */
json_t *jsonin_parse(const char *body, size_t len, const struct jsonin_field *fields, size_t n,
                     struct jsonin_error *err);

#endif
