/* tpa_gw_capture.h - GET/HEAD /internal/captures/{id}: the stored capture for a
 * parser that cannot read the gateway's capture store directly.
 *
 * Access: when cfg.cluster_token is set, header X-TPA-Token must equal it (401
 * without the header, 403 with a wrong one; compared in constant time). When no
 * token is configured, only requests from 127.0.0.1 are served (403 otherwise).
 * The file is streamed in 64 KiB reads (application/octet-stream, Content-Length,
 * X-TPA-Capture-Format: pcap|pcapng|gz); 400 bad id, 404 unknown.
 */
#ifndef TPA_GW_CAPTURE_H
#define TPA_GW_CAPTURE_H

#include <civetweb.h>
#include <stddef.h>

/* Finds <captures_dir>/<id>.<pcap|pcapng|gz>; writes the path and returns 0, or
 * returns TPA_ERR_NOTFOUND. id must be valid (tpa_job_id_valid). */
int tpa_gw_capture_find(const char *captures_dir, const char *id, char *path, size_t pathlen);

/* civetweb request handler for "/internal/captures" (cbdata = tpa_gw_t *). */
int tpa_gw_capture_handler(struct mg_connection *c, void *cbdata);

#endif
