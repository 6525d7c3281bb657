/* Checks shared by the Open311 tests (see open311.h). */
#include "open311.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

/* argv[1]: an XML file; prints it as JSON by the spec's mapping, or exits non-zero if it is
 * not well-formed or has a namespace. */
static const char xml2json_script[] =
    "import sys, json, xml.etree.ElementTree as ET\n"
    "LISTS = {'services', 'service_requests', 'errors', 'attributes', 'values', 'endpoints',\n"
    "         'formats'}\n"
    "def conv(e):\n"
    "    if e.tag in LISTS: return [conv(c) for c in e]\n"
    "    if len(e): return {c.tag: conv(c) for c in e}\n"
    "    return e.text or None\n"
    "root = ET.parse(sys.argv[1]).getroot()\n"
    "assert not root.tag.startswith('{'), root.tag\n"
    "print(json.dumps(conv(root)))\n";

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

json_t *o311_xml_as_json(const char *dir, const struct ht_response *r)
{
    assert_string_equal(ht_header(r, "Content-Type"), O311_XML_TYPE);
    if (strncmp(r->body, O311_XML_DECL, strlen(O311_XML_DECL)) != 0)
        fail_msg("the XML answer does not open with %s: %.200s", O311_XML_DECL, r->body);
    char *py = ht_path(dir, "xml2json.py"), *xf = ht_path(dir, "answer.xml"),
         *jf = ht_path(dir, "answer.json");
    write_file(py, xml2json_script);
    write_file(xf, r->body);
    char cmd[2048];
    snprintf(cmd, sizeof cmd, "python3 '%s' '%s' > '%s'", py, xf, jf);
    if (system(cmd) != 0)
        fail_msg("not well-formed XML, or with a namespace: %s", r->body);
    char *text = ht_read_file(jf, NULL);
    json_t *v = json_loads(text, 0, NULL);
    assert_non_null(v);
    free(text);
    free(py);
    free(xf);
    free(jf);
    return v;
}

json_t *o311_as_text(const json_t *v)
{
    char buf[64];
    size_t i;
    const char *k;
    json_t *x;
    switch (json_typeof(v)) {
    case JSON_ARRAY: {
        json_t *out = json_array();
        json_array_foreach((json_t *)v, i, x) json_array_append_new(out, o311_as_text(x));
        return out;
    }
    case JSON_OBJECT: {
        json_t *out = json_object();
        json_object_foreach((json_t *)v, k, x) json_object_set_new(out, k, o311_as_text(x));
        return out;
    }
    case JSON_TRUE:
        return json_string("true");
    case JSON_FALSE:
        return json_string("false");
    case JSON_INTEGER:
        snprintf(buf, sizeof buf, "%lld", (long long)json_integer_value(v));
        return json_string(buf);
    case JSON_REAL:
        snprintf(buf, sizeof buf, "%.6f", json_real_value(v));
        return json_string(buf);
    case JSON_STRING:
        return *json_string_value(v) ? json_copy((json_t *)v) : json_null();
    case JSON_NULL:
        break;
    }
    return json_null();
}

void o311_assert_xml_mirrors(unsigned port, const char *dir, const char *xml_path,
                             const char *json_path)
{
    struct ht_response x, j;
    ht_get(port, xml_path, &x);
    ht_get(port, json_path, &j);
    assert_int_equal(x.status, j.status);
    assert_string_equal(ht_header(&j, "Content-Type"), O311_JSON_TYPE);
    json_t *from_xml = o311_xml_as_json(dir, &x), *doc = ht_json(&j);
    json_t *from_json = o311_as_text(doc);
    if (!json_equal(from_xml, from_json))
        fail_msg("%s does not say what %s says:\n%s\n%s", xml_path, json_path, x.body, j.body);
    json_decref(from_xml);
    json_decref(from_json);
    json_decref(doc);
    ht_response_free(&x);
    ht_response_free(&j);
}

bool o311_string_or_null(const json_t *v)
{
    return v && (json_is_string(v) || json_is_null(v));
}

bool o311_is_datetime(const json_t *v)
{
    const char *s = json_string_value(v);
    int y, mo, d, h, mi, sec;
    char z;
    return s && strlen(s) == 20 &&
           sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d%c", &y, &mo, &d, &h, &mi, &sec, &z) == 7 && z == 'Z';
}

void o311_assert_request(json_t *q)
{
    assert_true(json_is_object(q));
    assert_true(json_is_string(json_object_get(q, "service_request_id")));
    const char *status = json_string_value(json_object_get(q, "status"));
    assert_true(status && (strcmp(status, "open") == 0 || strcmp(status, "closed") == 0));
    assert_true(json_is_string(json_object_get(q, "service_code")));
    assert_true(o311_is_datetime(json_object_get(q, "requested_datetime")));
    const char *key;
    json_t *v;
    json_object_foreach(q, key, v)
    {
        if (strcmp(key, "lat") == 0 || strcmp(key, "long") == 0)
            assert_true(json_is_number(v) || json_is_null(v));
        else if (strstr(key, "_datetime"))
            assert_true(o311_is_datetime(v) || json_is_null(v));
        else
            assert_true(o311_string_or_null(v));
        const char *submitter[] = {"email",     "phone",      "first_name",
                                   "last_name", "account_id", "device_id"};
        for (size_t i = 0; i < sizeof submitter / sizeof submitter[0]; i++)
            assert_string_not_equal(key, submitter[i]);
    }
}
