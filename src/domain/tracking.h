/* Tracking codes for petitions: 10 random symbols (50 bits) and a check symbol, from an
 * alphabet without the look-alikes 0/O and 1/I, shown as K7QM-3HPA-2XB. The check symbol (a
 * weighted sum mod 37) catches every single mistyped symbol and every swap of two symbols, so
 * a mistyped code is refused rather than matched to someone else's case. */
#ifndef AKAR_DOMAIN_TRACKING_H
#define AKAR_DOMAIN_TRACKING_H
#include <stdbool.h>

#define TRACKING_SYMBOLS 11
#define TRACKING_TEXT    14 /* "K7QM-3HPA-2XB" and a NUL */

/* A fresh random code in display form. */
void tracking_new(char out[TRACKING_TEXT]);
/* Normalises what a person typed (any case, hyphens or spaces anywhere) to display form.
 * False if it is not a well-formed code with a correct check symbol. */
bool tracking_normalise(const char *typed, char out[TRACKING_TEXT]);

#endif
