/* tpa_http1.c - HTTP/1.1 messages on TCP (RFC 9112), as some 5G cores use for the SBI
 * (see tpa_http1.h).
 *
 * RFC 9112 section 2.1: a start line, header fields, an empty line, then a body whose
 * length section 6.3 fixes: Content-Length here; a chunked body (Transfer-Encoding) is
 * not framed, so framing is found again at the next start line. Only what the SBI
 * carries is looked at: a multipart/related body's N1 parts and a whole
 * application/vnd.3gpp.5gnas body go to the NAS-5GS dissector (TS 29.502 6.1.6.4,
 * TS 29.518 6.1.6.4). Bytes are read through tpa_rd only.
 */
#include "tpa_http1.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_nas.h"
#include "tpa_pdu.h"
#include "tpa_sbi.h"

#define MAX_HEAD 16384       /* start line and headers */
#define MAX_MSG (256u << 10) /* whole message framed; longer ones (downloads) are skipped */
#define MAX_CTYPE 256

typedef struct http1_state {
    tpa_pdu_framer_t fr[2]; /* by direction */
} http1_state_t;

/* Request methods the SBI and web traffic use, each with its space. */
static const struct {
    char text[9];
    uint8_t len;
} methods[] = {{"GET ", 4},    {"POST ", 5},    {"PUT ", 4}, {"PATCH ", 6},
               {"DELETE ", 7}, {"OPTIONS ", 8}, {"HEAD ", 5}};

/* Whether the bytes at r begin an HTTP/1.x start line (request or status). The first
 * byte rules out most payloads (the probe sees every early segment of a port-8080
 * flow) before any comparison. */
static bool start_line(const tpa_rd_t *r)
{
    size_t n = tpa_rd_remaining(r);
    if (n == 0) return false;
    switch (r->cur[0]) {
    case 'H':
    case 'G':
    case 'P':
    case 'D':
    case 'O':
        break;
    default:
        return false;
    }
    if (n >= 7 && memcmp(r->cur, "HTTP/1.", 7) == 0) return true;
    for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
        if (n >= methods[i].len && memcmp(r->cur, methods[i].text, methods[i].len) == 0)
            return true;
    return false;
}

/* Offset just past the empty line ending the head, 0 when not seen yet. */
static size_t head_end(const tpa_rd_t *r)
{
    size_t n = tpa_rd_remaining(r);
    for (size_t i = 3; i < n && i < MAX_HEAD; i++)
        if (r->cur[i] == '\n' && r->cur[i - 1] == '\r' && r->cur[i - 2] == '\n' &&
            r->cur[i - 3] == '\r')
            return i + 1;
    return 0;
}

/* The value of header `name` (case-insensitive) within the head, copied into out. */
static bool header(const tpa_rd_t *r, size_t head, const char *name, char *out, size_t olen)
{
    size_t nl = strlen(name);
    const uint8_t *p = r->cur;
    for (size_t i = 0; i + nl + 1 < head; i++) {
        if ((i == 0 || p[i - 1] != '\n') || strncasecmp((const char *)p + i, name, nl) != 0 ||
            p[i + nl] != ':')
            continue;
        size_t v = i + nl + 1, o = 0;
        while (v < head && (p[v] == ' ' || p[v] == '\t'))
            v++;
        while (v < head && p[v] != '\r' && p[v] != '\n' && o + 1 < olen)
            out[o++] = (char)p[v++];
        out[o] = '\0';
        return true;
    }
    return false;
}

static long msg_len(const tpa_rd_t *r)
{
    if (!start_line(r)) return tpa_rd_remaining(r) < 8 ? 0 : -1;
    size_t head = head_end(r);
    if (!head) return tpa_rd_remaining(r) >= MAX_HEAD ? -1 : 0;
    char v[32];
    unsigned long cl = 0;
    if (header(r, head, "content-length", v, sizeof v)) {
        char *end;
        cl = strtoul(v, &end, 10);
        /* a body over MAX_MSG is still framed: the framer skips it without copying */
        if (end == v || *end || cl > (1ul << 30)) return -1;
    }
    return (long)(head + cl);
}

static void on_part(void *ud, const char *ctype, tpa_rd_t *content)
{
    tpa_dissect_ctx_t *c = ud;
    if (tpa_sbi_content_type(ctype, NULL, 0) == TPA_SBI_BODY_NAS)
        tpa_nas5gs_dissect(c, content, NULL);
}

static void msg_pdu(tpa_dissect_ctx_t *c, tpa_rd_t *pdu)
{
    size_t head = head_end(pdu), len = tpa_rd_remaining(pdu);
    char ctype[MAX_CTYPE], boundary[96];
    if (!head || head >= len || !header(pdu, head, "content-type", ctype, sizeof ctype)) return;
    tpa_rd_t body = *pdu;
    tpa_rd_skip(&body, head);
    switch (tpa_sbi_content_type(ctype, boundary, sizeof boundary)) {
    case TPA_SBI_BODY_MULTIPART:
        if (boundary[0]) tpa_sbi_multipart(body.cur, tpa_rd_remaining(&body), boundary, on_part, c);
        break;
    case TPA_SBI_BODY_NAS:
        tpa_nas5gs_dissect(c, &body, NULL);
        break;
    default:
        break;
    }
}

static bool msg_sync(const tpa_rd_t *at)
{
    return start_line(at) && msg_len(at) >= 0;
}

static const tpa_pdu_spec_t spec = {
    .hdr = 8,
    .max = MAX_MSG,
    .len = msg_len,
    .pdu = msg_pdu,
    .sync = msg_sync,
};

bool tpa_http1_probe(const tpa_rd_t *payload)
{
    /* the start line first: the head is only looked for in what could be HTTP */
    if (!start_line(payload)) return false;
    /* an h2c upgrade belongs to the http2 row */
    size_t head = head_end(payload);
    char up[32];
    return !(head && header(payload, head, "upgrade", up, sizeof up) && strstr(up, "h2c"));
}

void tpa_http1_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap)
{
    http1_state_t *st = tpa_dissect_state(c, sizeof *st);
    if (!st) return;
    tpa_pdu_feed(&st->fr[c->dir & 1], &spec, c, bytes, gap);
}

void tpa_http1_state_free(void *state)
{
    http1_state_t *st = state;
    if (!st) return;
    tpa_pdu_framer_free(&st->fr[0]);
    tpa_pdu_framer_free(&st->fr[1]);
    free(st);
}
