/* tpa_gw_http.h - HTTP reply helpers for the gateway's civetweb handlers.
 *
 * Every reply carries Content-Length (or chunked encoding), Cache-Control:
 * no-store and X-Content-Type-Options: nosniff. Error bodies have one shape:
 *   {"error":{"code":"<short_code>","message":"<one line a user can act on>"}}
 */
#ifndef TPA_GW_HTTP_H
#define TPA_GW_HTTP_H

#include <civetweb.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Sends a complete response. ctype may be NULL (no body type). close adds
 * "Connection: close" (use it when the request body was not read).
 * Returns the civetweb status: the HTTP status code, as civetweb handlers expect. */
int tpa_gw_reply(struct mg_connection *c, int status, const char *ctype, const void *body,
                 size_t len, bool close);

/* Sends doc (borrowed) as compact JSON. */
int tpa_gw_reply_json(struct mg_connection *c, int status, const json_t *doc);

/* Sends the error shape above; fmt is printf-style for the message. */
int tpa_gw_reply_error(struct mg_connection *c, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* As tpa_gw_reply_error, with "Connection: close" (request body left unread). */
int tpa_gw_reply_error_close(struct mg_connection *c, int status, const char *code, const char *fmt,
                             ...) __attribute__((format(printf, 4, 5)));

/* Builds the error document (caller decrefs); NULL on allocation failure. */
json_t *tpa_gw_error_doc(const char *code, const char *message);

/* Starts a chunked response (Transfer-Encoding: chunked); follow with mg_send_chunk
 * and finish with mg_send_chunk(c, "", 0). Returns 0 or -1 if the client went away. */
int tpa_gw_reply_chunked_start(struct mg_connection *c, int status, const char *ctype,
                               const char *extra_headers);

/* Query string parameter `name` from qs (may be NULL), URL-decoded into out.
 * Returns the length, -1 when absent, -2 when longer than outlen-1. */
int tpa_gw_query_str(const char *qs, const char *name, char *out, size_t outlen);

/* Integer query parameter: absent -> def; returns 0, or TPA_ERR_INVALID when the value is
 * not a decimal integer within [min, max] (the caller answers 400). */
int tpa_gw_query_long(const char *qs, const char *name, long def, long min, long max, long *out);

/* Constant-time string comparison (for tokens). */
bool tpa_gw_token_equal(const char *a, const char *b);

#endif
