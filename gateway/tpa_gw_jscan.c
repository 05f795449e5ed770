/* tpa_gw_jscan.c - JSON span scanner (see tpa_gw_jscan.h; grammar: RFC 8259). */
#include "tpa_gw_jscan.h"
#include "tpa_err.h"

#include <string.h>

#define MAX_DEPTH 256

static size_t skip_ws(const char *t, size_t len, size_t p)
{
    while (p < len && (t[p] == ' ' || t[p] == '\t' || t[p] == '\n' || t[p] == '\r'))
        p++;
    return p;
}

/* p at the opening quote; returns the offset past the closing quote or -1. */
static long skip_string(const char *t, size_t len, size_t p)
{
    for (p++; p < len; p++) {
        if (t[p] == '\\') {
            p++; /* the escaped character, whatever it is */
            continue;
        }
        if (t[p] == '"') return (long)(p + 1);
        if ((unsigned char)t[p] < 0x20) return -1; /* RFC 8259 7: controls must be escaped */
    }
    return -1;
}

long tpa_gw_jscan_skip(const char *t, size_t len, size_t p)
{
    int depth = 0;

    p = skip_ws(t, len, p);
    if (p >= len) return -1;
    if (t[p] != '{' && t[p] != '[') {
        if (t[p] == '"') return skip_string(t, len, p);
        /* number or literal: the run of characters that can form one */
        size_t s = p;
        while (p < len && strchr("0123456789+-.eEtruefalsn", t[p]) && t[p] != '\0')
            p++;
        return p > s ? (long)p : -1;
    }
    for (; p < len; p++) {
        char ch = t[p];
        if (ch == '"') {
            long e = skip_string(t, len, p);
            if (e < 0) return -1;
            p = (size_t)e - 1;
        } else if (ch == '{' || ch == '[') {
            if (++depth > MAX_DEPTH) return -1;
        } else if (ch == '}' || ch == ']') {
            if (--depth == 0) return (long)(p + 1);
        }
    }
    return -1;
}

int tpa_gw_jscan_member(const char *t, size_t len, const char *key, size_t *off, size_t *vlen)
{
    size_t klen = strlen(key);
    size_t p = skip_ws(t, len, 0);

    if (p >= len || t[p] != '{') return TPA_ERR_FORMAT;
    p = skip_ws(t, len, p + 1);
    if (p < len && t[p] == '}') return TPA_ERR_NOTFOUND;
    for (;;) {
        long e;
        size_t ks, ke, vs;
        if (p >= len || t[p] != '"') return TPA_ERR_FORMAT;
        e = skip_string(t, len, p);
        if (e < 0) return TPA_ERR_FORMAT;
        ks = p + 1;
        ke = (size_t)e - 1;
        p = skip_ws(t, len, (size_t)e);
        if (p >= len || t[p] != ':') return TPA_ERR_FORMAT;
        vs = skip_ws(t, len, p + 1);
        e = tpa_gw_jscan_skip(t, len, vs);
        if (e < 0) return TPA_ERR_FORMAT;
        if (ke - ks == klen && !memcmp(t + ks, key, klen)) {
            *off = vs;
            *vlen = (size_t)e - vs;
            return 0;
        }
        p = skip_ws(t, len, (size_t)e);
        if (p < len && t[p] == ',') {
            p = skip_ws(t, len, p + 1);
            continue;
        }
        return p < len && t[p] == '}' ? TPA_ERR_NOTFOUND : TPA_ERR_FORMAT;
    }
}

int tpa_gw_jscan_array(const char *t, size_t len,
                       int (*cb)(const char *elem, size_t elen, void *ud), void *ud)
{
    size_t p = skip_ws(t, len, 0);

    if (p >= len || t[p] != '[') return TPA_ERR_FORMAT;
    p = skip_ws(t, len, p + 1);
    if (p < len && t[p] == ']') return 0;
    for (;;) {
        long e = tpa_gw_jscan_skip(t, len, p);
        int rc;
        if (e < 0) return TPA_ERR_FORMAT;
        rc = cb(t + p, (size_t)e - p, ud);
        if (rc) return rc;
        p = skip_ws(t, len, (size_t)e);
        if (p < len && t[p] == ',') {
            p = skip_ws(t, len, p + 1);
            continue;
        }
        return p < len && t[p] == ']' ? 0 : TPA_ERR_FORMAT;
    }
}
