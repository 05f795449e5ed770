/* tpa_gw_upload.h - POST /api/v1/jobs: multipart upload of captures, streamed to disk.
 *
 * Request: multipart/form-data with one or more `file` fields (other fields are
 * ignored), at most 32 files, Content-Length required. The limit
 * cfg.max_upload_mb (MiB) applies to the sum of the files in one request; a
 * request whose Content-Length exceeds the limit + 1 MiB is refused before its
 * body is read.
 *
 * Each file streams through civetweb's form parser in ~8 KiB chunks into a temp
 * file under <data_dir>/captures/.incoming (written through a 128 KiB buffer);
 * its SHA-256 is computed on the fly and its first 24 bytes are sniffed
 * (tpa_capture_sniff) as soon as they arrive, so a non-capture is refused
 * without storing the rest. Memory per upload is constant (~150 KiB).
 * A gzip file is accepted when its decompressed head is a pcap/pcapng.
 *
 * When every file is stored: per file a job id, rename to
 * <data_dir>/captures/<id>.<pcap|pcapng|gz>, tpa_job_create (fields file, size,
 * sha256, path, format, compressed, pushed) and a `job` wire message on the jobs
 * queue. Reply 202 {"jobs":[{"id","state":"queued","file","size","sha256"}]}.
 *
 * Errors ({"error":{"code","message"}}), with every partial file removed:
 *   400 not_multipart, bad_multipart, no_file, empty_file, too_many_files
 *   411 length_required   413 too_large   415 not_a_capture
 *   503 redis_unavailable   500/507 storage_error / storage_full
 */
#ifndef TPA_GW_UPLOAD_H
#define TPA_GW_UPLOAD_H

#include <civetweb.h>
#include <stddef.h>

#include "tpa_gw.h"

#define TPA_GW_FILENAME_MAX 201 /* sanitised name: up to 200 bytes + NUL */

/* Handles POST /api/v1/jobs. Returns the HTTP status sent. */
int tpa_gw_upload_handle(struct mg_connection *c, tpa_gw_t *gw);

/* Sanitises a client-supplied file name for storage and display: keeps the part
 * after the last '/' or '\', keeps valid UTF-8 letters and printable ASCII except
 * / \ : * ? " < > | and DEL, replaces everything else (controls, invalid UTF-8)
 * with '_', strips leading dots/spaces and trailing dots/spaces, truncates to
 * min(outlen-1, 200) bytes on a character boundary, and yields "capture" when
 * nothing is left. in may be NULL. outlen must be >= 8. */
void tpa_gw_sanitize_filename(const char *in, char *out, size_t outlen);

/* Removes leftovers of interrupted uploads from the incoming directory (at start-up,
 * before the HTTP server runs). Returns the number of files removed. */
int tpa_gw_upload_clean_incoming(const char *incoming_dir);

#endif
