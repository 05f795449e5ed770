/* tpa_gw_static.h - the static web UI and the embedded documents.
 *
 * Files are served from the web dir (cfg.web_dir, else <exe dir>/../share/tpa/web)
 * by this module, not by civetweb's document_root: so there is no directory
 * listing, no path outside the dir (".." segments and dot-files are refused),
 * and every reply has a fixed content type by extension. GET / serves
 * index.html; when the web dir has none, the copy embedded at build time is
 * served. openapi.json is always the embedded copy of gateway/openapi.json.
 */
#ifndef TPA_GW_STATIC_H
#define TPA_GW_STATIC_H

#include <civetweb.h>
#include <stddef.h>

#include "tpa_config.h"

/* Writes the web dir to use into out: cfg->web_dir when set, else
 * <dirname(exe)>/../share/tpa/web (exe resolved through /proc/self/exe when possible). */
void tpa_gw_static_web_dir(const tpa_config_t *cfg, const char *exe, char *out, size_t outlen);

/* Content type for a file name by its extension ("application/octet-stream" if unknown). */
const char *tpa_gw_static_mime(const char *name);

/* civetweb request handler for every path not claimed by another handler
 * (cbdata = tpa_gw_t *): GET/HEAD of files in the web dir; 404 JSON otherwise. */
int tpa_gw_static_handler(struct mg_connection *c, void *cbdata);

/* Sends the embedded OpenAPI document. */
int tpa_gw_static_openapi(struct mg_connection *c);

#endif
