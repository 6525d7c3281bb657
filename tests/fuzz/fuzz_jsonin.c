/* Fuzzes jsonin_parse with the login schema and with a schema of every field type, against a
 * reference built on jansson alone. On success the object must hold only declared members, of
 * the declared type and length, without NUL, with every required member present; on failure
 * the error's field and detail must be terminated, valid UTF-8 text (the detail non-empty)
 * that the problem reply (api_problem) can put in JSON. */
#include "api/jsonin.h"
#include "base/utf8.h"

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: invariant failed: %s\n", __FILE__, __LINE__, #cond);           \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

/* As in src/api/sessions.c. */
static const struct jsonin_field login_fields[] = {
    {"login", JSONIN_STRING, true, 64, NULL, 0},
    {"password", JSONIN_STRING, true, 1024, NULL, 0},
};

static const struct jsonin_field typed_fields[] = {
    {"name", JSONIN_STRING, false, 0, NULL, 0},  {"code", JSONIN_STRING, false, 3, NULL, 0},
    {"active", JSONIN_BOOL, true, 0, NULL, 0},   {"count", JSONIN_INTEGER, false, 0, NULL, 0},
    {"ratio", JSONIN_NUMBER, false, 0, NULL, 0}, {"r\xC3\xB4le", JSONIN_STRING, false, 8, NULL, 0},
    {"tags", JSONIN_MAP, false, 4, NULL, 0},
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    json_object_seed(1); /* the same member order, and so the same error, on every run */
    return 0;
}

static bool type_matches(json_t *v, enum jsonin_type t)
{
    switch (t) {
    case JSONIN_STRING:
        return json_typeof(v) == JSON_STRING;
    case JSONIN_BOOL:
        return json_typeof(v) == JSON_TRUE || json_typeof(v) == JSON_FALSE;
    case JSONIN_INTEGER:
        return json_typeof(v) == JSON_INTEGER;
    case JSONIN_NUMBER:
        return json_typeof(v) == JSON_INTEGER || json_typeof(v) == JSON_REAL;
    case JSONIN_OBJECT:
    case JSONIN_MAP:
        return json_typeof(v) == JSON_OBJECT;
    }
    return false;
}

/* Whether v is a string of at most max bytes without NUL. */
static bool short_text(json_t *v, size_t max)
{
    size_t len = json_string_length(v);
    return json_is_string(v) && len <= max && !memchr(json_string_value(v), 0, len);
}

/* Whether map's members are each a string or an array of strings, every string short_text. */
static bool map_obeys(json_t *map, size_t max)
{
    const char *key;
    json_t *v;
    json_object_foreach(map, key, v)
    {
        if (json_is_array(v)) {
            size_t i;
            json_t *item;
            json_array_foreach(v, i, item)
            {
                if (!short_text(item, max))
                    return false;
            }
        } else if (!short_text(v, max)) {
            return false;
        }
    }
    return true;
}

/* Whether doc (already parsed) is an object that obeys the schema. */
static bool obeys(json_t *doc, const struct jsonin_field *fields, size_t n)
{
    if (!json_is_object(doc))
        return false;
    const char *key;
    json_t *v;
    json_object_foreach(doc, key, v)
    {
        const struct jsonin_field *f = NULL;
        for (size_t i = 0; i < n; i++)
            if (strcmp(fields[i].name, key) == 0)
                f = &fields[i];
        if (!f || !type_matches(v, f->type))
            return false;
        if (f->type == JSONIN_STRING) {
            size_t len = json_string_length(v), max = f->max_len ? f->max_len : 10000;
            if (len > max || memchr(json_string_value(v), 0, len))
                return false;
        }
        if (f->type == JSONIN_MAP && !map_obeys(v, f->max_len ? f->max_len : 10000))
            return false;
    }
    for (size_t i = 0; i < n; i++)
        if (fields[i].required && !json_object_get(doc, fields[i].name))
            return false;
    return true;
}

/* Whether s[0..cap) holds a NUL-terminated UTF-8 string. */
static bool is_text(const char *s, size_t cap)
{
    const char *end = memchr(s, 0, cap);
    return end && utf8_valid(s, (size_t)(end - s), NULL);
}

static void check_one(const char *body, size_t len, const struct jsonin_field *fields, size_t n)
{
    struct jsonin_error err;
    memset(&err, 0xAA, sizeof err);
    json_t *doc = jsonin_parse(body, len, fields, n, &err);

    bool want = false;
    if (len > 0 && utf8_valid(body, len, NULL)) {
        json_error_t jerr;
        json_t *ref = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
        want = ref && obeys(ref, fields, n);
        json_decref(ref);
    }
    if ((doc != NULL) != want) {
        fprintf(stderr, "jsonin_parse: %s, reference %s (%s: %.64s)\n",
                doc ? "accepted" : "refused", want ? "accepts" : "refuses", doc ? "" : err.field,
                doc ? "" : err.detail);
        abort();
    }
    if (doc) {
        /* obeys() again on what was returned: the very object, not a copy of the input. */
        CHECK(obeys(doc, fields, n));
        const char *key;
        json_t *v;
        json_object_foreach(doc, key, v)
        {
            CHECK(utf8_valid(key, strlen(key), NULL));
            if (json_is_string(v))
                CHECK(utf8_valid(json_string_value(v), json_string_length(v), NULL));
        }
        json_decref(doc);
        return;
    }
    /* The field may be empty: that is the name of the member "" when it is unknown. */
    CHECK(is_text(err.field, sizeof err.field));
    CHECK(is_text(err.detail, sizeof err.detail) && err.detail[0]);
    /* every problem listed, the first of them as above */
    CHECK(err.n >= 1 && strcmp(err.list[0].field, err.field) == 0);
    for (size_t i = 0; i < err.n && i < JSONIN_ERRORS_MAX; i++)
        CHECK(is_text(err.list[i].field, sizeof err.list[i].field) &&
              is_text(err.list[i].detail, sizeof err.list[i].detail) && err.list[i].detail[0]);
    /* What api_problem builds from the error; jansson refuses text that is not UTF-8. */
    json_t *problem = json_pack("{s:s, s:s}", "field", err.field, "detail", err.detail);
    CHECK(problem != NULL);
    json_decref(problem);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* An exact-size copy, not NUL-terminated, as a request body is. */
    char *body = malloc(size ? size : 1);
    memcpy(body, data, size);
    check_one(body, size, login_fields, sizeof login_fields / sizeof login_fields[0]);
    check_one(body, size, typed_fields, sizeof typed_fields / sizeof typed_fields[0]);
    free(body);
    return 0;
}
