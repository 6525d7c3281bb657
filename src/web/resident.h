/* What the residents' pages share (resident.c, submit.c, track.c, mine.c, qr.c): the words for
 * kinds, statuses and timeline events in the page's language, the receipt's QR code, and the
 * handlers that web_mount_resident routes. Not used outside src/web/. */
#ifndef AKAR_WEB_RESIDENT_H
#define AKAR_WEB_RESIDENT_H
#include "web/internal.h"

/* The largest multipart body POST /submit takes: the photos and the text around them. */
#define WEB_SUBMIT_MAX_BYTES (25u << 20)
/* At most this many photos with a petition (the store keeps at most 10 attachments a case). */
#define WEB_PHOTOS_MAX 10

/* A kind's name ("complaint") as residents call it, and a sentence saying when to choose it;
 * the name itself for an unknown kind. */
const char *web_kind_label(struct page *pg, const char *kind);
const char *web_kind_hint(struct page *pg, const char *kind);
/* A status's name ("in_progress") in plain words. */
const char *web_status_label(struct page *pg, const char *status);
/* What a timeline event ("accept", "extend"...) means to the resident. */
const char *web_event_label(struct page *pg, const char *action);
/* The badge class that colours a status (done, overdue, or none). */
const char *web_status_badge(const char *status, bool overdue);

/* text as a QR code (error correction M) in an inline SVG image named label, with its quiet
 * zone; NULL if text cannot be encoded. Arena. */
const char *web_qr_svg(struct arena *a, const char *text, const char *label);

/* "2026-11-28T07:10:48Z" (as the API writes instants) in ms; 0 for NULL or anything else. */
int64_t web_instant_ms(const char *iso);

int web_submit_form(struct http_request *req);
int web_submit_post(struct http_request *req);
int web_receipt(struct http_request *req);
int web_track_form(struct http_request *req);
int web_track_page(struct http_request *req);
int web_track_key(struct http_request *req);
int web_track_rate(struct http_request *req);
int web_mine(struct http_request *req);

#endif
