/* Strict JSON input; see jsonin.h. */
#include "api/jsonin.h"

#include "base/mem.h"
#include "base/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_MAX_LEN 10000
/* U+FFFF, a noncharacter, stands in for each invalid byte while we look for its field. */
static const char marker[] = "\xEF\xBF\xBF";

/* Copies s into out (size n), cut short at a character boundary if it does not fit. */
static void copy_text(char *out, size_t n, const char *s)
{
    size_t len = strlen(s);
    if (len >= n) {
        len = n - 1;
        while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80)
            len--;
    }
    memcpy(out, s, len);
    out[len] = 0;
}

/* Adds a problem to err (the first also goes to err->field and err->detail). */
static json_t *set_err(struct jsonin_error *err, const char *field, const char *fmt,
                       const char *arg)
{
    char detail[512];
    snprintf(detail, sizeof detail, fmt, arg);
    if (err->n < JSONIN_ERRORS_MAX) {
        copy_text(err->list[err->n].field, sizeof err->list[err->n].field, field);
        copy_text(err->list[err->n].detail, sizeof err->list[err->n].detail, detail);
    }
    if (err->n == 0) {
        copy_text(err->field, sizeof err->field, field);
        copy_text(err->detail, sizeof err->detail, detail);
    }
    err->n++;
    return NULL;
}

/* Writes into out the dotted path of the first key or string in v that holds the marker. */
static bool find_marker(json_t *v, char *out, size_t outlen, const char *prefix)
{
    if (json_is_string(v))
        return strstr(json_string_value(v), marker) != NULL;
    const char *key;
    json_t *child;
    char path[64];
    if (json_is_object(v)) {
        json_object_foreach(v, key, child)
        {
            snprintf(path, sizeof path, "%s%s%s", prefix, *prefix ? "." : "", key);
            if (strstr(key, marker) || find_marker(child, out, outlen, path)) {
                if (!out[0])
                    snprintf(out, outlen, "%s", path);
                return true;
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_array_foreach(v, i, child)
        {
            snprintf(path, sizeof path, "%s[%zu]", prefix, i);
            if (find_marker(child, out, outlen, path)) {
                if (!out[0])
                    snprintf(out, outlen, "%s", path);
                return true;
            }
        }
    }
    return false;
}

/* The field whose text holds the invalid UTF-8, or "body" if it cannot be told. */
static void locate_bad_utf8(const char *body, size_t len, char *field, size_t fieldlen)
{
    char *copy = xmalloc(len * 3 + 1);
    size_t k = 0, i = 0, bad;
    while (i < len) {
        if (utf8_valid(body + i, len - i, &bad)) {
            memcpy(copy + k, body + i, len - i);
            k += len - i;
            break;
        }
        memcpy(copy + k, body + i, bad);
        k += bad;
        memcpy(copy + k, marker, 3);
        k += 3;
        i += bad + 1;
    }
    snprintf(field, fieldlen, "body");
    json_error_t jerr;
    json_t *doc = json_loadb(copy, k, JSON_REJECT_DUPLICATES, &jerr);
    char path[64] = "";
    if (doc && find_marker(doc, path, sizeof path, "") && path[0]) {
        /* A long path was cut to fit, perhaps inside a character: drop that part. */
        size_t cut;
        if (!utf8_valid(path, strlen(path), &cut))
            path[cut] = 0;
        snprintf(field, fieldlen, "%s", path);
    }
    json_decref(doc);
    free(copy);
}

static const char *type_name(enum jsonin_type t)
{
    switch (t) {
    case JSONIN_STRING:
        return "a string";
    case JSONIN_BOOL:
        return "true or false";
    case JSONIN_INTEGER:
        return "an integer";
    case JSONIN_NUMBER:
        return "a number";
    case JSONIN_OBJECT:
        return "an object";
    case JSONIN_MAP:
        return "an object of strings or arrays of strings";
    }
    return "?";
}

static bool type_ok(json_t *v, enum jsonin_type t)
{
    switch (t) {
    case JSONIN_STRING:
        return json_is_string(v);
    case JSONIN_BOOL:
        return json_is_boolean(v);
    case JSONIN_INTEGER:
        return json_is_integer(v);
    case JSONIN_NUMBER:
        return json_is_number(v);
    case JSONIN_OBJECT:
    case JSONIN_MAP:
        return json_is_object(v);
    }
    return false;
}

/* Writes prefix.key into path, cut at a character boundary if it does not fit. */
static void member_path(char *path, size_t n, const char *prefix, const char *key)
{
    int len = snprintf(path, n, "%s%s%s", prefix, *prefix ? "." : "", key);
    size_t bad;
    /* the key is valid UTF-8, so only a character cut at the end can make the path invalid */
    if (len >= 0 && (size_t)len >= n && !utf8_valid(path, strlen(path), &bad))
        path[bad] = 0;
}

/* Checks the members of map (a JSONIN_MAP at path) against max, adding each problem to err. */
static void check_map(json_t *map, size_t max, const char *prefix, struct jsonin_error *err)
{
    const char *key;
    json_t *v;
    char path[128], detail[512];
    json_object_foreach(map, key, v)
    {
        member_path(path, sizeof path, prefix, key);
        bool ok = json_is_string(v) || json_is_array(v);
        size_t i;
        json_t *item;
        if (json_is_array(v))
            json_array_foreach(v, i, item) ok &= json_is_string(item);
        if (!ok) {
            set_err(err, path, "%s must be a string or an array of strings", path);
            continue;
        }
        json_t *one = v;
        for (i = 0; i < (json_is_array(v) ? json_array_size(v) : 1); i++) {
            if (json_is_array(v))
                one = json_array_get(v, i);
            if (json_string_length(one) > max) {
                snprintf(detail, sizeof detail, "%s is longer than %zu bytes", path, max);
                set_err(err, path, "%s", detail);
                break;
            }
            if (strlen(json_string_value(one)) != json_string_length(one)) {
                set_err(err, path, "%s contains a NUL character", path);
                break;
            }
        }
    }
}

/* Checks obj's members against fields, adding each problem to err; prefix names the
 * enclosing object ("" at the top). Whether all was well. */
static bool check_object(json_t *obj, const struct jsonin_field *fields, size_t n,
                         const char *prefix, struct jsonin_error *err)
{
    const char *key;
    json_t *v;
    char path[128], detail[512];
    size_t before = err->n;
    json_object_foreach(obj, key, v)
    {
        member_path(path, sizeof path, prefix, key);
        const struct jsonin_field *f = NULL;
        for (size_t i = 0; i < n && !f; i++)
            if (strcmp(fields[i].name, key) == 0)
                f = &fields[i];
        if (!f) {
            set_err(err, path, "unknown field \"%s\"", path);
            continue;
        }
        if (json_is_null(v))
            continue; /* absent; a required member is caught below */
        if (!type_ok(v, f->type)) {
            snprintf(detail, sizeof detail, "%s must be %s", path, type_name(f->type));
            set_err(err, path, "%s", detail);
            continue;
        }
        size_t max = f->max_len ? f->max_len : DEFAULT_MAX_LEN;
        if (f->type == JSONIN_STRING && json_string_length(v) > max) {
            snprintf(detail, sizeof detail, "%s is longer than %zu bytes", path, max);
            set_err(err, path, "%s", detail);
        } else if (f->type == JSONIN_STRING &&
                   strlen(json_string_value(v)) != json_string_length(v)) {
            set_err(err, path, "%s contains a NUL character", path);
        } else if (f->type == JSONIN_OBJECT) {
            check_object(v, f->sub, f->nsub, path, err);
        } else if (f->type == JSONIN_MAP) {
            check_map(v, max, path, err);
        }
    }
    for (size_t i = 0; i < n; i++) {
        json_t *m = json_object_get(obj, fields[i].name);
        if (fields[i].required && (!m || json_is_null(m))) {
            member_path(path, sizeof path, prefix, fields[i].name);
            set_err(err, path, "%s is required", path);
        }
    }
    return err->n == before;
}

json_t *jsonin_parse(const char *body, size_t len, const struct jsonin_field *fields, size_t n,
                     struct jsonin_error *err)
{
    err->n = 0;
    if (!body || len == 0)
        return set_err(err, "body", "the request body is empty; a JSON object is expected%s", "");
    if (!utf8_valid(body, len, NULL)) {
        char field[64];
        locate_bad_utf8(body, len, field, sizeof field);
        return set_err(err, field, "the value of %s is not valid UTF-8", field);
    }
    json_error_t jerr;
    /* \u0000 is let through the parser so that the check below names its field. */
    json_t *doc = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
    if (!doc) {
        /* jansson quotes the input near the error cut at a byte, not a character, boundary;
         * the detail goes into a JSON reply, so it must stay valid UTF-8. */
        size_t i = 0, tlen = strlen(jerr.text), bad;
        while (!utf8_valid(jerr.text + i, tlen - i, &bad)) {
            jerr.text[i + bad] = '?';
            i += bad + 1;
        }
        char detail[512];
        snprintf(detail, sizeof detail, "the body is not valid JSON (line %d, column %d: %s)",
                 jerr.line, jerr.column, jerr.text);
        return set_err(err, "body", "%s", detail);
    }
    if (!json_is_object(doc)) {
        json_decref(doc);
        return set_err(err, "body", "the body must be a JSON object%s", "");
    }
    if (!check_object(doc, fields, n, "", err)) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}
