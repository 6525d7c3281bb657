/* Text for XML 1.0 documents (the Atom feeds): escaping into a struct buf. Enough for
 * writing documents whose shape the caller controls; no parser. */
#ifndef AKAR_BASE_XML_H
#define AKAR_BASE_XML_H
#include "base/buf.h"

/* Appends s escaped for character data and attribute values (& < > " '), dropping what XML
 * 1.0 forbids in a document: control characters other than tab, newline and carriage
 * return, and bytes that are not well-formed UTF-8 (U+FFFE and U+FFFF too). */
void xml_text(struct buf *b, const char *s);

#endif
