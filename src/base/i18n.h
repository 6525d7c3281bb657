/* Translations: gettext .mo catalogs (compiled from po/ at build time and carried in the binary),
 * looked up per request rather than through the process-wide locale, and the choice of language
 * from a cookie or Accept-Language. English is the source language and needs no catalog. */
#ifndef AKAR_BASE_I18N_H
#define AKAR_BASE_I18N_H
#include <stddef.h>

enum lang { LANG_EN, LANG_ID, LANG_VI, LANG_COUNT };

struct i18n_catalog;

/* Reads a .mo image (either byte order). The catalog points into mo, which must outlive it.
 * Returns NULL if the image is malformed. Free with i18n_catalog_free. */
struct i18n_catalog *i18n_catalog_new(const char *mo, size_t size);
void i18n_catalog_free(struct i18n_catalog *c);
/* The translation of msgid, or msgid itself when c is NULL or lacks it (or its translation is
 * empty). */
const char *i18n_get(const struct i18n_catalog *c, const char *msgid);
/* ngettext: msgid / msgid_plural chosen by n with the catalog's language rule (English's when
 * c is NULL: singular for n == 1). */
const char *i18n_nget(const struct i18n_catalog *c, enum lang lang, const char *msgid,
                      const char *msgid_plural, unsigned long n);
/* Number of entries (for tests). */
size_t i18n_catalog_size(const struct i18n_catalog *c);

/* "en", "id", "vi". */
const char *lang_code(enum lang l);
/* The language named by a code ("id", "vi-VN", "EN"...), or -1. */
int lang_parse(const char *code);
/* The best language for an Accept-Language header value (q-values honoured, region subtags
 * ignored), or LANG_EN when none of ours is acceptable or the header is NULL or malformed. */
enum lang lang_negotiate(const char *accept_language);

#endif
