/* tpa_sbi.c - 5G SBI semantics over HTTP/2 (see tpa_sbi.h; TS 29.500, 29.501, 29.571). */
#include "tpa_sbi.h"

#include <jansson.h>
#include <string.h>
#include <strings.h>

/* Copies [s, s + n) into dst (dlen >= 1), cut to fit. */
static void copy_cut(char *dst, size_t dlen, const char *s, size_t n)
{
    if (n >= dlen) n = dlen - 1;
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool is_lower_alnum(char ch)
{
    return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9');
}

/* TS 29.501 4.4.1: apiName "n<nf>-<service>", e.g. nsmf-pdusession, nnrf-disc. */
static bool sbi_api_name(const char *s, size_t n)
{
    if (n < 4 || s[0] != 'n') return false;
    size_t dash = 0;
    for (size_t i = 1; i < n; i++) {
        if (s[i] == '-') {
            if (!dash) dash = i;
        } else if (!is_lower_alnum(s[i])) {
            return false;
        }
    }
    return dash > 1 && dash + 1 < n;
}

static bool api_version(const char *s, size_t n)
{
    if (n < 2 || s[0] != 'v') return false;
    for (size_t i = 1; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* The next segment of p (after '/' separators) ending at '/', '?' or '#'. */
static const char *segment(const char *p, size_t *n)
{
    while (*p == '/')
        p++;
    *n = strcspn(p, "/?#");
    return p;
}

bool tpa_sbi_path(const char *path, char *service, size_t slen, char *resource, size_t rlen)
{
    service[0] = '\0';
    resource[0] = '\0';
    if (!path) return false;
    size_t n1, n2, n3;
    const char *s1 = segment(path, &n1);
    const char *s2 = segment(s1 + n1, &n2);
    bool sbi = sbi_api_name(s1, n1) && api_version(s2, n2);
    copy_cut(service, slen, s1, n1);
    if (sbi) {
        const char *s3 = segment(s2 + n2, &n3);
        copy_cut(resource, rlen, s3, n3);
    } else {
        copy_cut(resource, rlen, s2, n2);
    }
    return sbi;
}

static bool all_digits(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* Identity characters of a SUCI / NAI (TS 29.571 5.3.2: Supi, Suci patterns). */
static bool id_chars(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++) {
        char ch = s[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '-' || ch == '.' || ch == '@' || ch == '_'))
            return false;
    }
    return true;
}

static bool prefix(const char *v, size_t n, const char *p, size_t *plen)
{
    size_t k = strlen(p);
    *plen = k;
    return n > k && strncasecmp(v, p, k) == 0;
}

bool tpa_sbi_add_id(tpa_sbi_ids_t *ids, const char *v, size_t n)
{
    if (!ids || !v || ids->n >= TPA_SBI_IDS || n >= TPA_SBI_ID_MAX) return false;
    size_t k;
    tpa_id_kind_t kind;
    const char *val = v;
    size_t vn = n;
    if (prefix(v, n, "imsi-", &k)) {
        if (!all_digits(v + k, n - k) || n - k < 5 || n - k > 15) return false;
        kind = TPA_ID_SUPI;
    } else if (prefix(v, n, "nai-", &k)) {
        if (!id_chars(v + k, n - k)) return false;
        kind = TPA_ID_SUPI;
    } else if (prefix(v, n, "suci-", &k)) {
        if (!id_chars(v + k, n - k)) return false;
        kind = TPA_ID_SUCI;
    } else if (prefix(v, n, "msisdn-", &k)) {
        if (!all_digits(v + k, n - k) || n - k > 15) return false;
        kind = TPA_ID_MSISDN;
        val = v + k;
        vn = n - k;
    } else if (prefix(v, n, "imeisv-", &k) || prefix(v, n, "imei-", &k)) {
        if (!all_digits(v + k, n - k) || n - k < 14 || n - k > 16) return false;
        kind = TPA_ID_IMEI;
        val = v + k;
        vn = n - k;
    } else {
        return false;
    }
    for (unsigned i = 0; i < ids->n; i++)
        if (ids->kind[i] == kind && strlen(ids->value[i]) == vn &&
            strncmp(ids->value[i], val, vn) == 0)
            return false;
    ids->kind[ids->n] = kind;
    copy_cut(ids->value[ids->n], TPA_SBI_ID_MAX, val, vn);
    ids->n++;
    return true;
}

void tpa_sbi_path_ids(const char *path, tpa_sbi_ids_t *ids)
{
    if (!path || !ids) return;
    /* tokens separated by the URI delimiters that can surround an identity */
    const char *p = path;
    while (*p) {
        size_t n = strcspn(p, "/?&=#;,");
        if (n) tpa_sbi_add_id(ids, p, n);
        p += n;
        if (*p) p++;
    }
}

bool tpa_sbi_json_ids(const uint8_t *body, size_t len, tpa_sbi_ids_t *ids)
{
    static const char *const keys[] = {"supi", "supiOrSuci", "gpsi", "pei", "ueId"};
    if (!body || !len) return false;
    json_error_t e;
    json_t *o = json_loadb((const char *)body, len, 0, &e);
    if (!o) return false;
    bool obj = json_is_object(o);
    if (obj) {
        for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
            json_t *v = json_object_get(o, keys[i]);
            if (json_is_string(v)) tpa_sbi_add_id(ids, json_string_value(v), json_string_length(v));
        }
    }
    json_decref(o);
    return obj;
}

void tpa_sbi_ids_to_sig(const tpa_sbi_ids_t *ids, tpa_sig_t *m)
{
    if (!ids || !m) return;
    for (unsigned i = 0; i < ids->n; i++)
        tpa_sig_add_id(m, ids->kind[i], ids->value[i]);
}

bool tpa_sbi_problem(const uint8_t *body, size_t len, int *status, char *cause, size_t clen)
{
    if (clen) cause[0] = '\0';
    if (!body || !len) return false;
    json_error_t e;
    json_t *o = json_loadb((const char *)body, len, 0, &e);
    if (!o) return false;
    bool obj = json_is_object(o);
    if (obj) {
        json_t *s = json_object_get(o, "status");
        if (json_is_integer(s) && json_integer_value(s) >= 100 && json_integer_value(s) <= 999)
            *status = (int)json_integer_value(s);
        json_t *c = json_object_get(o, "cause");
        if (json_is_string(c) && clen) {
            /* printable ASCII only: the name goes into the document as is */
            const char *v = json_string_value(c);
            size_t n = 0;
            for (size_t i = 0; v[i] && n + 1 < clen; i++)
                if (v[i] >= 0x20 && v[i] < 0x7f) cause[n++] = v[i];
            cause[n] = '\0';
        }
    }
    json_decref(o);
    return obj;
}

/* Lowercased copy of the media type of ctype (before ';', blanks trimmed). */
static void media_type(const char *ctype, char *out, size_t olen)
{
    while (*ctype == ' ' || *ctype == '\t')
        ctype++;
    size_t n = strcspn(ctype, ";");
    while (n && (ctype[n - 1] == ' ' || ctype[n - 1] == '\t'))
        n--;
    copy_cut(out, olen, ctype, n);
    for (char *p = out; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
}

/* The value of parameter name in ctype (RFC 9110 8.3.1: ; name=value or "value"). */
static bool param(const char *ctype, const char *name, char *out, size_t olen)
{
    size_t nl = strlen(name);
    const char *p = strchr(ctype, ';');
    while (p) {
        p++;
        while (*p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, name, nl) == 0 && p[nl] == '=') {
            const char *v = p + nl + 1;
            size_t n;
            if (*v == '"') {
                v++;
                n = strcspn(v, "\"");
                if (v[n] != '"') return false;
            } else {
                n = strcspn(v, "; \t");
            }
            if (n == 0 || n >= olen) return false;
            copy_cut(out, olen, v, n);
            return true;
        }
        p = strchr(p, ';');
    }
    return false;
}

tpa_sbi_body_t tpa_sbi_content_type(const char *ctype, char *boundary, size_t blen)
{
    if (blen) boundary[0] = '\0';
    if (!ctype) return TPA_SBI_BODY_OTHER;
    char mt[96];
    media_type(ctype, mt, sizeof mt);
    if (strcmp(mt, "application/problem+json") == 0) return TPA_SBI_BODY_PROBLEM;
    if (strcmp(mt, "application/json") == 0) return TPA_SBI_BODY_JSON;
    size_t n = strlen(mt);
    if (n > 5 && strncmp(mt, "application/", 12) == 0 && strcmp(mt + n - 5, "+json") == 0)
        return TPA_SBI_BODY_JSON;
    if (strcmp(mt, "application/vnd.3gpp.5gnas") == 0) return TPA_SBI_BODY_NAS;
    if (strcmp(mt, "multipart/related") == 0) {
        if (blen && !param(ctype, "boundary", boundary, blen)) boundary[0] = '\0';
        return TPA_SBI_BODY_MULTIPART;
    }
    return TPA_SBI_BODY_OTHER;
}

/* Offset in r (not consumed) of the next "--boundary" that starts a line (offset 0 or
 * after LF), or -1. */
static long find_delim(const tpa_rd_t *r, const char *dl, size_t dn)
{
    size_t have = tpa_rd_remaining(r);
    for (size_t off = 0; off + dn <= have; off++) {
        tpa_rd_t at = *r;
        if (off && tpa_rd_peek(&at, off - 1) != '\n') continue;
        tpa_rd_skip(&at, off);
        if (tpa_rd_match(&at, dl, dn)) return (long)off;
    }
    return -1;
}

/* Reads one header line of a part (up to LF) into line (cut); false at the end. */
static bool part_line(tpa_rd_t *r, char *line, size_t llen)
{
    size_t n = 0;
    bool any = false;
    while (tpa_rd_has(r, 1)) {
        uint8_t ch = tpa_rd_u8(r);
        any = true;
        if (ch == '\n') break;
        if (ch != '\r' && n + 1 < llen) line[n++] = (char)ch;
    }
    line[n] = '\0';
    return any;
}

int tpa_sbi_multipart(const uint8_t *body, size_t len, const char *boundary, tpa_sbi_part_fn fn,
                      void *ud)
{
    if (!body || !boundary || !boundary[0] || strlen(boundary) > 70) return -1;
    char dl[80];
    size_t dn = (size_t)snprintf(dl, sizeof dl, "--%s", boundary);
    tpa_rd_t r = tpa_rd_init(body, len);
    long off = find_delim(&r, dl, dn);
    if (off < 0) return -1;
    tpa_rd_skip(&r, (size_t)off + dn);
    int parts = 0;
    for (int guard = 0; guard < 64; guard++) {
        if (tpa_rd_match(&r, "--", 2)) break; /* close delimiter */
        char line[160];
        part_line(&r, line, sizeof line); /* rest of the delimiter line */
        char ctype[128] = "";
        while (part_line(&r, line, sizeof line) && line[0]) {
            if (strncasecmp(line, "content-type:", 13) == 0) {
                const char *v = line + 13;
                while (*v == ' ' || *v == '\t')
                    v++;
                copy_cut(ctype, sizeof ctype, v, strlen(v));
            }
        }
        long end = find_delim(&r, dl, dn);
        if (end < 0) end = (long)tpa_rd_remaining(&r); /* unterminated: to the end */
        size_t clen = (size_t)end;
        /* the CRLF before the delimiter belongs to it (RFC 2046 5.1.1) */
        tpa_rd_t peek = r;
        if (clen >= 1 && tpa_rd_peek(&peek, clen - 1) == '\n') {
            clen--;
            if (clen >= 1 && tpa_rd_peek(&peek, clen - 1) == '\r') clen--;
        }
        tpa_rd_t content = tpa_rd_sub(&peek, clen);
        if (fn) fn(ud, ctype, &content);
        parts++;
        if ((size_t)end >= tpa_rd_remaining(&r)) break;
        tpa_rd_skip(&r, (size_t)end + dn);
    }
    return parts;
}

const char *tpa_sbi_reason(int status)
{
    switch (status) {
    case 100:
        return "Continue";
    case 101:
        return "Switching Protocols";
    case 103:
        return "Early Hints";
    case 200:
        return "OK";
    case 201:
        return "Created";
    case 202:
        return "Accepted";
    case 203:
        return "Non-Authoritative Information";
    case 204:
        return "No Content";
    case 206:
        return "Partial Content";
    case 300:
        return "Multiple Choices";
    case 301:
        return "Moved Permanently";
    case 302:
        return "Found";
    case 303:
        return "See Other";
    case 304:
        return "Not Modified";
    case 307:
        return "Temporary Redirect";
    case 308:
        return "Permanent Redirect";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 408:
        return "Request Timeout";
    case 409:
        return "Conflict";
    case 410:
        return "Gone";
    case 411:
        return "Length Required";
    case 412:
        return "Precondition Failed";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 415:
        return "Unsupported Media Type";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 502:
        return "Bad Gateway";
    case 503:
        return "Service Unavailable";
    case 504:
        return "Gateway Timeout";
    default:
        return NULL;
    }
}
