/* tpa_gw_http.c - reply helpers (see tpa_gw_http.h). */
#include "tpa_gw_http.h"
#include "tpa_err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char common_headers[] = "Cache-Control: no-store\r\n"
                                     "X-Content-Type-Options: nosniff\r\n";

int tpa_gw_reply(struct mg_connection *c, int status, const char *ctype, const void *body,
                 size_t len, bool close)
{
    mg_printf(c,
              "HTTP/1.1 %d %s\r\n"
              "%s%s%s"
              "Content-Length: %zu\r\n"
              "%s%s\r\n",
              status, mg_get_response_code_text(c, status), ctype ? "Content-Type: " : "",
              ctype ? ctype : "", ctype ? "\r\n" : "", len, common_headers,
              close ? "Connection: close\r\n" : "");
    if (len) mg_write(c, body, len);
    return status;
}

json_t *tpa_gw_error_doc(const char *code, const char *message)
{
    return json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
}

int tpa_gw_reply_json(struct mg_connection *c, int status, const json_t *doc)
{
    char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc;

    if (!text) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        return tpa_gw_reply(c, 500, "application/json", oom, sizeof oom - 1, false);
    }
    rc = tpa_gw_reply(c, status, "application/json", text, strlen(text), false);
    free(text);
    return rc;
}

static int verror(struct mg_connection *c, int status, bool close, const char *code,
                  const char *fmt, va_list ap)
{
    char msg[512];
    json_t *doc;
    char *text;

    vsnprintf(msg, sizeof msg, fmt, ap);
    doc = tpa_gw_error_doc(code, msg);
    text = doc ? json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(doc);
    if (!text) {
        static const char oom[] =
            "{\"error\":{\"code\":\"internal\",\"message\":\"out of memory\"}}";
        return tpa_gw_reply(c, status, "application/json", oom, sizeof oom - 1, close);
    }
    tpa_gw_reply(c, status, "application/json", text, strlen(text), close);
    free(text);
    return status;
}

int tpa_gw_reply_error(struct mg_connection *c, int status, const char *code, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = verror(c, status, false, code, fmt, ap);
    va_end(ap);
    return rc;
}

int tpa_gw_reply_error_close(struct mg_connection *c, int status, const char *code, const char *fmt,
                             ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = verror(c, status, true, code, fmt, ap);
    va_end(ap);
    return rc;
}

int tpa_gw_reply_chunked_start(struct mg_connection *c, int status, const char *ctype,
                               const char *extra_headers)
{
    int n = mg_printf(c,
                      "HTTP/1.1 %d %s\r\n"
                      "Content-Type: %s\r\n"
                      "Transfer-Encoding: chunked\r\n"
                      "%s%s\r\n",
                      status, mg_get_response_code_text(c, status), ctype, common_headers,
                      extra_headers ? extra_headers : "");
    return n > 0 ? 0 : -1;
}

int tpa_gw_query_str(const char *qs, const char *name, char *out, size_t outlen)
{
    int n;

    if (outlen) out[0] = '\0';
    if (!qs || !outlen) return -1;
    n = mg_get_var(qs, strlen(qs), name, out, outlen);
    if (n == -2 || n < -2) return -2;
    return n;
}

int tpa_gw_query_long(const char *qs, const char *name, long def, long min, long max, long *out)
{
    char buf[32], *end;
    long v;
    int n = tpa_gw_query_str(qs, name, buf, sizeof buf);

    *out = def;
    if (n == -1) return 0;
    if (n <= 0) return TPA_ERR_INVALID;
    errno = 0;
    v = strtol(buf, &end, 10);
    if (errno || *end || end == buf || v < min || v > max) return TPA_ERR_INVALID;
    *out = v;
    return 0;
}

bool tpa_gw_token_equal(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    unsigned char diff = la != lb;

    for (size_t i = 0; i < la; i++)
        diff |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)] ^ (lb ? 0 : 1));
    return diff == 0;
}
