/* tpa_cli_http.h - the CLI's REST client: small synchronous requests to the
 * gateway over libcurl, with the error reporting every subcommand shares.
 *
 * Errors are printed by these functions as one line on stderr:
 *   tpa: cannot reach the gateway at URL (is the stack running? deploy/local/tpa-stack up)
 *   tpa: <what>: <message> (HTTP <status> <code>)   for {"error":{"code","message"}} answers
 */
#ifndef TPA_CLI_HTTP_H
#define TPA_CLI_HTTP_H

#include <jansson.h>
#include <stddef.h>

#include "tpa_cli.h"

typedef struct tpa_http_resp {
    long status; /* HTTP status, 0 if no answer */
    char *body;  /* NUL-terminated body (owned; freed by tpa_http_resp_clear) */
    size_t len;
} tpa_http_resp_t;

/* Frees the body and zeroes *r. */
void tpa_http_resp_clear(tpa_http_resp_t *r);

/* Global libcurl setup/teardown; call once in main (idempotent). */
void tpa_http_global_init(void);
void tpa_http_global_cleanup(void);

/* Sends method (GET, DELETE, ...) to <cli->api><path>. On a transport failure
 * prints one line and returns TPA_ERR_CONN / TPA_ERR_TIMEOUT / TPA_ERR_IO; any
 * HTTP answer (even 4xx/5xx) returns 0 with *resp filled (caller clears it). */
int tpa_http_request(const tpa_cli_t *cli, const char *method, const char *path,
                     tpa_http_resp_t *resp);

/* As tpa_http_request, but a transport failure is written into err (one line,
 * without the "tpa: " prefix) instead of being printed. */
int tpa_http_request_ex(const tpa_cli_t *cli, const char *method, const char *path,
                        tpa_http_resp_t *resp, char *err, size_t errlen);

/* Multipart POST to <cli->api><path> with each of paths[0..n-1] as a `file` field
 * (streamed from disk; the part's file name is the base name). As tpa_http_request. */
int tpa_http_post_files(const tpa_cli_t *cli, const char *path, const char *const *paths, size_t n,
                        tpa_http_resp_t *resp);

/* Parses a JSON answer. If the status is not 2xx, prints
 * "tpa: <what>: <message> (HTTP <status> <code>)" and returns NULL; also NULL (with a
 * line) if the body is not JSON. Otherwise returns a new reference (caller decrefs). */
json_t *tpa_http_json(const tpa_http_resp_t *resp, const char *what);

/* Convenience: tpa_http_request + tpa_http_json. NULL on any failure (line printed). */
json_t *tpa_http_get_json(const tpa_cli_t *cli, const char *path, const char *what);

#endif
