/* Checks shared by the Open311 tests: the spec's content types, and an XML answer read by a
 * real XML parser (Python's) and mapped the way the spec's JSON mirrors its XML, so a test can
 * require the two formats to say the same. */
#ifndef AKAR_TESTS_OPEN311_H
#define AKAR_TESTS_OPEN311_H
#include "harness.h"

#include <jansson.h>
#include <stdbool.h>

#define O311_JSON_TYPE "application/json; charset=utf-8"
#define O311_XML_TYPE  "text/xml; charset=utf-8"
#define O311_XML_DECL  "<?xml version=\"1.0\" encoding=\"utf-8\"?>"

/* The XML answer r as the spec's JSON mapping has it (a new reference): a list wrapper
 * (services, service_requests, errors, attributes, values, endpoints, formats) becomes an
 * array, any other element with children an object, a leaf its text (null when empty). Fails
 * unless r is text/xml, opens with the XML declaration the spec wants, is well-formed and has
 * no namespace. dir is a folder for scratch files. */
json_t *o311_xml_as_json(const char *dir, const struct ht_response *r);
/* v with its leaves as XML carries them, to compare with o311_xml_as_json (a new reference):
 * booleans "true"/"false", integers in decimal, reals with six decimals, "" and null null. */
json_t *o311_as_text(const json_t *v);
/* Fails unless GET xml_path and GET json_path answer the same status with the spec's content
 * types and the XML says exactly what the JSON says. */
void o311_assert_xml_mirrors(unsigned port, const char *dir, const char *xml_path,
                             const char *json_path);
bool o311_string_or_null(const json_t *v);
/* Fails unless q is a request.json: the required service_request_id, status (open or closed),
 * service_code (strings) and requested_datetime (a date-time), the others string or null
 * (dates date-times, lat and long numbers), and nothing about the submitter. */
void o311_assert_request(json_t *q);
/* An instant as akar writes them: "YYYY-MM-DDTHH:MM:SSZ". */
bool o311_is_datetime(const json_t *v);

#endif
