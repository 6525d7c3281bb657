/* The web: server-rendered HTML pages for residents (/, /submit, /track) and officials
 * (/login, /office/...), in English, Indonesian and Vietnamese, working without JavaScript. */
#ifndef AKAR_WEB_WEB_H
#define AKAR_WEB_WEB_H

struct api;
struct http_server;
struct seal_key;
struct web;

/* The pages share the API's context (store, policy, sessions). NULL if the embedded catalogs
 * or assets are damaged. */
struct web *web_new(struct api *api, const struct seal_key *key);
/* Adds every page route to srv, and the fallback that answers unknown paths (HTML outside
 * /api/, problem+json inside). Mount after the API. */
void web_mount(struct web *w, struct http_server *srv);
void web_free(struct web *w);

#endif
