/* tpa_http2.c - HTTP/2 cleartext (RFC 9113) with HPACK (RFC 7541) through libnghttp2's
 * inflater, as the 5G SBI uses it (TS 29.500). See tpa_http2.h for the contract.
 *
 * RFC 9113 4.1, frame format:
 *   Length (24) | Type (8) | Flags (8) | R (1) | Stream Identifier (31) | Payload
 * Length is the payload's, never more than the receiver's SETTINGS_MAX_FRAME_SIZE
 * (16384 until it says otherwise, 6.5.2). 6.1 DATA and 6.2 HEADERS may be PADDED: a
 * Pad Length octet first and that many octets last, which must leave the rest >= 0;
 * HEADERS with PRIORITY carries 5 more octets before its field block fragment.
 * Fixed lengths: PRIORITY 5, RST_STREAM 4, PING 8, WINDOW_UPDATE 4, SETTINGS a multiple
 * of 6 (0 with ACK), GOAWAY >= 8, PUSH_PROMISE >= 4. Stream 0 only for SETTINGS, PING,
 * GOAWAY (and connection-level WINDOW_UPDATE); never for the others. A field block is
 * HEADERS or PUSH_PROMISE and CONTINUATION frames of the same stream until END_HEADERS,
 * with no other frame in between (4.3).
 */
#include "tpa_http2.h"
#include "tpa_http2_int.h"

#include <jansson.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_malformed.h"

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
#define PREFACE_LEN 24
#define HDR 9
#define DEFAULT_MAX_FRAME 16384u
#define H1_MAX 8192 /* HTTP/1.1 upgrade request / response head */

enum {
    T_DATA,
    T_HEADERS,
    T_PRIORITY,
    T_RST,
    T_SETTINGS,
    T_PUSH,
    T_PING,
    T_GOAWAY,
    T_WINUP,
    T_CONT
};
enum { F_END_STREAM = 0x1, F_ACK = 0x1, F_END_HEADERS = 0x4, F_PADDED = 0x8, F_PRIORITY = 0x20 };

/* Flags each type defines (6.1-6.10); a probe rejects any other bit. */
static const uint8_t flag_mask[10] = {0x09, 0x2d, 0, 0, 0x01, 0x0c, 0x01, 0, 0, 0x04};

/* The placeholder a filled dynamic table holds: its name is no valid field name
 * (RFC 9110 5.1: a token never holds '?'), so a real header can never equal it. */
#define PH_NAME "?"

typedef struct fhdr {
    uint32_t len, sid;
    uint8_t type, flags;
} fhdr_t;

static fhdr_t read_hdr(tpa_rd_t *r)
{
    fhdr_t h;
    h.len = tpa_rd_be24(r);
    h.type = tpa_rd_u8(r);
    h.flags = tpa_rd_u8(r);
    h.sid = tpa_rd_be32(r) & 0x7fffffffu;
    return h;
}

/* Header rules of section 6 (stream id, fixed lengths): 0, or a TPA_MAL_* reason. */
static int hdr_check(const fhdr_t *h)
{
    switch (h->type) {
    case T_DATA:
    case T_HEADERS:
    case T_PRIORITY:
    case T_RST:
    case T_PUSH:
    case T_CONT:
        if (h->sid == 0) return TPA_MAL_HTTP2_STREAM_ID_INVALID;
        break;
    case T_SETTINGS:
    case T_PING:
    case T_GOAWAY:
        if (h->sid != 0) return TPA_MAL_HTTP2_STREAM_ID_INVALID;
        break;
    default:
        break;
    }
    bool ok = true;
    switch (h->type) {
    case T_PRIORITY:
        ok = h->len == 5;
        break;
    case T_RST:
    case T_WINUP:
        ok = h->len == 4;
        break;
    case T_SETTINGS:
        ok = (h->flags & F_ACK) ? h->len == 0 : h->len % 6 == 0;
        break;
    case T_PING:
        ok = h->len == 8;
        break;
    case T_GOAWAY:
        ok = h->len >= 8;
        break;
    case T_PUSH:
        ok = h->len >= 4;
        break;
    default:
        break;
    }
    return ok ? 0 : TPA_MAL_HTTP2_FRAME_SIZE_INVALID;
}

/* Octets before a padded / prioritised frame's content, and whether the Pad Length
 * leaves content >= 0. p is the payload (a copy is read). */
static bool pad_ok(const fhdr_t *h, const tpa_rd_t *p)
{
    if (!(h->flags & F_PADDED) || (h->type != T_DATA && h->type != T_HEADERS && h->type != T_PUSH))
        return true;
    tpa_rd_t r = *p;
    if (!tpa_rd_has(&r, 1)) return h->len >= 1;
    uint32_t pad = tpa_rd_u8(&r);
    uint32_t fixed =
        1 + (h->type == T_PUSH ? 4 : 0) + (h->type == T_HEADERS && (h->flags & F_PRIORITY) ? 5 : 0);
    return h->len >= fixed && pad <= h->len - fixed;
}

/* Strict look at a chain of frames for detection and resynchronisation: every frame
 * of a known type with only its defined flags, R = 0, at most 16384 octets, section 6
 * rules, sane payload fields, CONTINUATION only where a block is open. The chain must
 * end exactly at the end of the bytes, or (partial) inside its last frame's payload. */
static bool chain_ok(const tpa_rd_t *bytes, bool partial)
{
    tpa_rd_t r = *bytes;
    bool open = false;
    uint32_t open_sid = 0;
    int n = 0;
    while (tpa_rd_remaining(&r) > 0 && n < 64) {
        if (!tpa_rd_has(&r, HDR)) return false;
        tpa_rd_t hr = r;
        if (tpa_rd_peek(&hr, 5) & 0x80) return false; /* R */
        fhdr_t h = read_hdr(&r);
        if (h.type > T_CONT || (h.flags & ~flag_mask[h.type]) || h.len > DEFAULT_MAX_FRAME ||
            hdr_check(&h))
            return false;
        if (h.type == T_CONT ? (!open || h.sid != open_sid) : open) return false;
        bool whole = tpa_rd_has(&r, h.len);
        if (!whole && !partial) return false;
        tpa_rd_t p = tpa_rd_sub_upto(&r, h.len);
        if (!pad_ok(&h, &p)) return false;
        if (whole) {
            if (h.type == T_SETTINGS) {
                while (tpa_rd_remaining(&p) >= 6) {
                    uint16_t id = tpa_rd_be16(&p);
                    tpa_rd_skip(&p, 4);
                    if (id == 0 || id == 7 || id > 9) return false;
                }
            } else if (h.type == T_WINUP) {
                if ((tpa_rd_be32(&p) & 0x7fffffffu) == 0) return false;
            } else if (h.type == T_RST) {
                if (tpa_rd_be32(&p) > 0xd) return false;
            } else if (h.type == T_GOAWAY) {
                tpa_rd_skip(&p, 4);
                if (tpa_rd_be32(&p) > 0xd) return false;
            }
        }
        open = (h.type == T_HEADERS || h.type == T_PUSH || h.type == T_CONT) &&
               !(h.flags & F_END_HEADERS);
        open_sid = h.sid;
        n++;
        if (!whole) break;
    }
    return n > 0;
}

/* An HTTP/1.1 request head asking for h2c (RFC 7540 3.2): "METHOD SP ..." and an
 * Upgrade header whose value lists the token h2c, within the first 2048 octets. */
static bool upgrade_request(const tpa_rd_t *pl)
{
    tpa_rd_t r = *pl;
    uint8_t first = tpa_rd_peek(&r, 0);
    if (first < 'A' || first > 'Z') return false; /* before copying anything */
    uint8_t p[2048]; /* a copy of the head's start: the Upgrade header sits early */
    size_t n = tpa_rd_remaining(&r);
    if (n > sizeof p) n = sizeof p;
    tpa_rd_bytes(&r, p, n);
    size_t i = 0;
    while (i < n && i < 16 && p[i] >= 'A' && p[i] <= 'Z')
        i++;
    if (i == 0 || i >= n || p[i] != ' ') return false;
    for (size_t k = 0; k + 10 < n; k++) {
        if (p[k] != '\n') continue;
        if (k + 2 < n && p[k + 1] == '\r' && p[k + 2] == '\n') break; /* end of head */
        if (strncasecmp((const char *)p + k + 1, "upgrade:", 8) != 0) continue;
        size_t e = k + 9;
        while (e < n && p[e] != '\r' && p[e] != '\n')
            e++;
        for (size_t v = k + 9; v + 3 <= e; v++)
            if (strncasecmp((const char *)p + v, "h2c", 3) == 0 &&
                (v + 3 == e || p[v + 3] == ',' || p[v + 3] == ' ' || p[v + 3] == '\t'))
                return true;
    }
    return false;
}

bool tpa_http2_probe(const tpa_rd_t *pl)
{
    size_t n = tpa_rd_remaining(pl);
    if (n == 0) return false;
    /* the first octet each test below needs: the preface's 'P', a method's capital
     * letter, or a frame length's high octet, 0 (no frame over 16384 octets passes):
     * most other payloads end here, every TCP payload of a flow not yet claimed is
     * probed */
    tpa_rd_t r = *pl;
    uint8_t b0 = tpa_rd_peek(&r, 0);
    if (b0 != 0 && (b0 < 'A' || b0 > 'Z')) return false;
    if (n >= 14 && tpa_rd_match(pl, preface, n < PREFACE_LEN ? n : PREFACE_LEN)) return true;
    if (upgrade_request(pl)) return true;
    return chain_ok(pl, false);
}

/* ---- state ---- */

enum { M_START, M_H1_REQ, M_H1_RESP, M_FRAMES, M_RESYNC, M_DEAD };

typedef struct h2dir {
    uint8_t mode;
    bool from_start;  /* began with the preface (client) or a SETTINGS frame (server) */
    bool unknown;     /* this direction's HPACK state was not (fully) seen */
    uint8_t pre_have; /* preface octets matched so far */
    /* HTTP/1.1 head (upgrade) */
    char *h1;
    size_t h1_len;
    uint64_t h1_body; /* request body octets still to skip */
    /* frame being read */
    uint8_t hdr[HDR];
    uint8_t hdr_have;
    bool in_payload, skip;
    fhdr_t f;
    uint32_t left;
    uint8_t *buf;
    size_t buf_len, buf_cap;
    uint32_t max_frame; /* receiver's SETTINGS_MAX_FRAME_SIZE for this direction */
    /* field block being assembled */
    bool blk_open;
    uint8_t blk_type;
    uint8_t blk_flags; /* of the HEADERS / PUSH_PROMISE frame */
    uint32_t blk_sid, blk_promised;
    uint8_t *blk;
    size_t blk_len, blk_cap;
    uint64_t blk_frame;
    int64_t blk_us;
    /* HPACK */
    nghttp2_hd_inflater *inf;
    int64_t table_setting; /* SETTINGS_HEADER_TABLE_SIZE of the receiver, -1 default */
    int64_t pending_hts;   /* one this direction's sender announced, until the ACK */
} h2dir_t;

typedef struct h2conn {
    h2dir_t d[2];
    tpa_h2_msgs_t m; /* streams and messages (tpa_http2_msg.c) */
    bool dead, upgrade, preface, ended[2];
    /* per-flow facts (flows[].http2) */
    uint64_t frames, blocks, undecodable, rst, goaways;
    uint32_t goaway_error;
    bool hpack_incomplete;
} h2conn_t;

static void dir_reset(h2dir_t *d)
{
    free(d->h1);
    tpa_h2_buf_free(&d->buf, &d->buf_len, &d->buf_cap);
    tpa_h2_buf_free(&d->blk, &d->blk_len, &d->blk_cap);
    if (d->inf) nghttp2_hd_inflate_del(d->inf);
    memset(d, 0, sizeof *d);
    d->max_frame = DEFAULT_MAX_FRAME;
    d->table_setting = -1;
    d->pending_hts = -1;
}

void tpa_http2_state_free(void *state)
{
    h2conn_t *h = state;
    if (!h) return;
    dir_reset(&h->d[0]);
    dir_reset(&h->d[1]);
    tpa_h2_msgs_free(&h->m);
    free(h);
}

static h2conn_t *conn_get(tpa_dissect_ctx_t *c)
{
    h2conn_t *h = tpa_dissect_state(c, sizeof *h);
    if (h && h->d[0].max_frame == 0) {
        dir_reset(&h->d[0]);
        dir_reset(&h->d[1]);
    }
    return h;
}

/* Copies a printable-ASCII value (cut at the first other octet and to fit). */
static void value_copy(char *dst, size_t dlen, const uint8_t *v, size_t n)
{
    size_t k = 0;
    while (k < n && k + 1 < dlen && v[k] >= 0x20 && v[k] < 0x7f)
        k++;
    memcpy(dst, v, k);
    dst[k] = '\0';
}

static bool name_is(const nghttp2_nv *nv, const char *s)
{
    size_t n = strlen(s);
    return nv->namelen == n && memcmp(nv->name, s, n) == 0;
}

static void on_field(tpa_h2_fields_t *f, const nghttp2_nv *nv)
{
    if (name_is(nv, PH_NAME)) {
        f->unknown = true;
    } else if (name_is(nv, ":method")) {
        if (f->n_method++ == 0) {
            value_copy(f->method, sizeof f->method, nv->value, nv->valuelen);
            for (char *p = f->method; *p; p++)
                if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '-' ||
                      (*p >= '0' && *p <= '9'))) {
                    snprintf(f->method, sizeof f->method, "invalid");
                    break;
                }
            if (!f->method[0]) snprintf(f->method, sizeof f->method, "invalid");
        }
    } else if (name_is(nv, ":status")) {
        if (f->n_status++ == 0) {
            value_copy(f->status, sizeof f->status, nv->value, nv->valuelen);
            bool ok = strlen(f->status) == 3;
            for (int i = 0; ok && i < 3; i++)
                ok = f->status[i] >= '0' && f->status[i] <= '9';
            if (!ok || f->status[0] == '0') snprintf(f->status, sizeof f->status, "invalid");
        }
    } else if (name_is(nv, ":path")) {
        value_copy(f->path, sizeof f->path, nv->value, nv->valuelen);
        size_t k = strcspn(f->path, " ");
        f->path[k] = '\0';
    } else if (name_is(nv, "content-type")) {
        value_copy(f->ctype, sizeof f->ctype, nv->value, nv->valuelen);
    } else if (name_is(nv, "grpc-status")) {
        char v[12];
        value_copy(v, sizeof v, nv->value, nv->valuelen);
        f->grpc_status = atoi(v);
        f->has_grpc_status = true;
    } else if (name_is(nv, "grpc-message")) {
        value_copy(f->grpc_msg, sizeof f->grpc_msg, nv->value, nv->valuelen);
    }
}

/* Fills the new inflater of a direction whose earlier field blocks are unknown with
 * placeholder entries (RFC 7541 6.2.1 literal with incremental indexing, new name,
 * 33 octets each: as many as the table holds, since no real entry is smaller). */
static void fill_placeholders(nghttp2_hd_inflater *inf)
{
    static const uint8_t rep[] = {0x40, 0x01, '?', 0x00};
    size_t n = nghttp2_hd_inflate_get_max_dynamic_table_size(inf) / (32 + 1);
    for (size_t i = 0; i < n; i++) {
        nghttp2_nv nv;
        int fl = 0;
        if (nghttp2_hd_inflate_hd2(inf, &nv, &fl, rep, sizeof rep, 1) != (ssize_t)sizeof rep) break;
        nghttp2_hd_inflate_end_headers(inf);
    }
}

/* The HPACK state of dir is lost (a field block not decoded): the next block starts a
 * filled inflater. */
static void hpack_lost(h2conn_t *h, h2dir_t *d)
{
    if (d->inf) nghttp2_hd_inflate_del(d->inf);
    d->inf = NULL;
    d->unknown = true;
    h->hpack_incomplete = true;
    h->undecodable++;
}

static nghttp2_hd_inflater *inflater(h2dir_t *d)
{
    if (d->inf) return d->inf;
    if (nghttp2_hd_inflate_new(&d->inf) != 0) {
        d->inf = NULL;
        return NULL;
    }
    if (d->table_setting >= 0)
        nghttp2_hd_inflate_change_table_size(d->inf, (size_t)d->table_setting);
    if (!d->from_start || d->unknown) fill_placeholders(d->inf);
    return d->inf;
}

/* Decodes the assembled field block of dir into f. */
static void decode_block(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, tpa_h2_fields_t *f)
{
    memset(f, 0, sizeof *f);
    h->blocks++;
    nghttp2_hd_inflater *inf = inflater(d);
    if (!inf) {
        hpack_lost(h, d);
        return;
    }
    static const uint8_t none[1];
    const uint8_t *in = d->blk ? d->blk : none; /* an empty block: no NULL + 0 below */
    size_t inlen = d->blk_len;
    for (int guard = 0; guard < 100000; guard++) {
        nghttp2_nv nv;
        int fl = 0;
        ssize_t rv = nghttp2_hd_inflate_hd2(inf, &nv, &fl, in, inlen, 1);
        if (rv < 0 || (size_t)rv > inlen) {
            /* fields emitted before the failure stand (they were resolved exactly) */
            if (!d->unknown && d->from_start) tpa_dissect_malformed(c, TPA_MAL_HTTP2_BLOCK_INVALID);
            hpack_lost(h, d);
            return;
        }
        in += rv;
        inlen -= (size_t)rv;
        if (fl & NGHTTP2_HD_INFLATE_EMIT) on_field(f, &nv);
        if (fl & NGHTTP2_HD_INFLATE_FINAL) {
            nghttp2_hd_inflate_end_headers(inf);
            break;
        }
        if (!(fl & NGHTTP2_HD_INFLATE_EMIT) && inlen == 0) break;
    }
    if (f->unknown) {
        d->unknown = true;
        h->hpack_incomplete = true;
        h->undecodable++;
    }
}

/* A field block complete in dir: decoded and handed to the message layer. */
static void on_block(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d)
{
    tpa_h2_fields_t f;
    decode_block(h, c, d, &f);
    tpa_h2_block_t b;
    b.push = d->blk_type == T_PUSH;
    b.end = !b.push && (d->blk_flags & F_END_STREAM);
    b.sid = b.push ? d->blk_promised : d->blk_sid;
    b.frame = d->blk_frame;
    b.ts_us = d->blk_us;
    tpa_h2_msgs_block(&h->m, c, &f, &b);
}

/* ---- frames ---- */

static void blk_drop(h2conn_t *h, h2dir_t *d)
{
    if (!d->blk_open) return;
    d->blk_open = false;
    d->blk_len = 0;
    hpack_lost(h, d);
}

/* Appends a field block fragment; decodes the block at END_HEADERS. */
static void blk_add(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, tpa_rd_t *frag, bool end)
{
    size_t n = tpa_rd_remaining(frag);
    if (d->blk_len + n > TPA_HTTP2_BLOCK_MAX ||
        !tpa_h2_buf_add(&d->blk, &d->blk_len, &d->blk_cap, frag, n)) {
        blk_drop(h, d);
        return;
    }
    if (!end) return;
    d->blk_open = false;
    on_block(h, c, d);
    d->blk_len = 0;
    if (d->blk_cap > 4096) tpa_h2_buf_free(&d->blk, &d->blk_len, &d->blk_cap);
}

/* Padding and priority fields around a HEADERS / PUSH_PROMISE / DATA content (6.1,
 * 6.2, 6.6): *content is the content. false (malformed) when the Pad Length exceeds
 * the payload. */
static bool strip(tpa_dissect_ctx_t *c, const fhdr_t *f, tpa_rd_t *r, tpa_rd_t *content,
                  uint32_t *promised)
{
    size_t pad = 0;
    if (f->flags & F_PADDED) pad = tpa_rd_u8(r);
    if (f->type == T_HEADERS && (f->flags & F_PRIORITY)) tpa_rd_skip(r, 5);
    if (f->type == T_PUSH) *promised = tpa_rd_be32(r) & 0x7fffffffu;
    if (r->err || pad > tpa_rd_remaining(r)) {
        tpa_dissect_malformed(c, TPA_MAL_HTTP2_PADDING_INVALID);
        return false;
    }
    *content = tpa_rd_sub(r, tpa_rd_remaining(r) - pad);
    tpa_rd_skip(r, pad);
    return true;
}

/* 6.5: SETTINGS announce the sender's limits for what it receives, i.e. for the other
 * direction: SETTINGS_MAX_FRAME_SIZE at once (leniently), SETTINGS_HEADER_TABLE_SIZE
 * (the largest dynamic table the sender's decoder allows) once the peer acknowledges
 * it (6.5.3), since only then must the peer's encoder follow it (RFC 7541 4.2). */
static void settings(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, const fhdr_t *f, tpa_rd_t *p)
{
    int dir = c->dir & 1;
    h2dir_t *o = &h->d[!dir]; /* frames and field blocks sent to d's sender */
    if (f->flags & F_ACK) {
        /* d's sender accepts the peer's SETTINGS: they now bind d's field blocks */
        if (o->pending_hts >= 0) {
            d->table_setting = o->pending_hts;
            if (d->inf) nghttp2_hd_inflate_change_table_size(d->inf, (size_t)d->table_setting);
            o->pending_hts = -1;
        }
        return;
    }
    while (tpa_rd_remaining(p) >= 6) {
        uint16_t id = tpa_rd_be16(p);
        uint32_t v = tpa_rd_be32(p);
        bool bad = false;
        switch (id) {
        case 1: /* HEADER_TABLE_SIZE */
            d->pending_hts = v;
            break;
        case 2: /* ENABLE_PUSH */
            bad = v > 1;
            break;
        case 4: /* INITIAL_WINDOW_SIZE */
            bad = v > 0x7fffffffu;
            break;
        case 5: /* MAX_FRAME_SIZE */
            bad = v < DEFAULT_MAX_FRAME || v > 0xffffffu;
            if (!bad) o->max_frame = v;
            break;
        default:
            break;
        }
        if (bad) tpa_dissect_malformed(c, TPA_MAL_HTTP2_SETTINGS_INVALID);
    }
}

/* One whole frame (payload p, or NULL when it was too long to keep). */
static void frame(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, const fhdr_t *f, tpa_rd_t *p)
{
    h->frames++;
    if (d->blk_open && (f->type != T_CONT || f->sid != d->blk_sid)) {
        tpa_dissect_malformed(c, TPA_MAL_HTTP2_CONTINUATION_INVALID);
        blk_drop(h, d);
    }
    uint32_t promised = 0;
    tpa_rd_t content;
    switch (f->type) {
    case T_DATA:
        if (p && !strip(c, f, p, &content, &promised)) return;
        tpa_h2_msgs_data(&h->m, c, f->sid, p ? &content : NULL, f->flags & F_END_STREAM);
        return;
    case T_HEADERS:
    case T_PUSH:
        d->blk_open = true;
        d->blk_type = f->type;
        d->blk_flags = f->flags;
        d->blk_sid = f->sid;
        d->blk_len = 0;
        d->blk_frame = c->frame;
        d->blk_us = c->ts_us;
        if (!p || !strip(c, f, p, &content, &promised)) {
            blk_drop(h, d);
            return;
        }
        d->blk_promised = promised;
        blk_add(h, c, d, &content, f->flags & F_END_HEADERS);
        return;
    case T_CONT:
        if (!d->blk_open || f->sid != d->blk_sid) {
            tpa_dissect_malformed(c, TPA_MAL_HTTP2_CONTINUATION_INVALID);
            return;
        }
        if (!p) {
            blk_drop(h, d);
            return;
        }
        blk_add(h, c, d, p, f->flags & F_END_HEADERS);
        return;
    case T_RST:
        h->rst++;
        tpa_h2_msgs_reset(&h->m, c, f->sid);
        return;
    case T_SETTINGS:
        if (p) settings(h, c, d, f, p);
        return;
    case T_GOAWAY:
        h->goaways++;
        if (p) {
            tpa_rd_skip(p, 4);
            h->goaway_error = tpa_rd_be32(p);
        }
        return;
    default: /* PRIORITY, PING, WINDOW_UPDATE: nothing kept; unknown types ignored (5.5) */
        return;
    }
}

/* Lost framing in dir: drop what was being read. */
static void lose_sync(h2conn_t *h, h2dir_t *d)
{
    blk_drop(h, d);
    d->in_payload = false;
    d->hdr_have = 0;
    d->buf_len = 0;
    d->mode = M_RESYNC;
}

/* The frame header in d->hdr is complete: check it and start its payload. */
static bool frame_begin(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d)
{
    tpa_rd_t hr = tpa_rd_init(d->hdr, HDR);
    d->f = read_hdr(&hr);
    d->hdr_have = 0;
    int bad = hdr_check(&d->f);
    /* the limit is known when the receiver's SETTINGS were all seen (its preface) */
    bool known = h->d[!(c->dir & 1)].from_start;
    if (!bad && d->f.len > d->max_frame && (known || d->f.type > T_CONT))
        bad = TPA_MAL_HTTP2_FRAME_TOO_LONG;
    if (bad) {
        tpa_dissect_malformed(c, bad);
        lose_sync(h, d);
        return false;
    }
    d->left = d->f.len;
    d->skip = d->f.len > TPA_HTTP2_FRAME_BUF;
    d->buf_len = 0;
    d->in_payload = true;
    if (d->f.len == 0) {
        tpa_rd_t none = tpa_rd_init(NULL, 0);
        d->in_payload = false;
        frame(h, c, d, &d->f, &none);
    }
    return true;
}

/* Frames from r while in M_FRAMES. */
static void frames(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, tpa_rd_t *r)
{
    while (d->mode == M_FRAMES && tpa_rd_remaining(r) > 0) {
        if (!d->in_payload) {
            size_t n = HDR - d->hdr_have;
            if (n > tpa_rd_remaining(r)) n = tpa_rd_remaining(r);
            tpa_rd_bytes(r, d->hdr + d->hdr_have, n);
            d->hdr_have = (uint8_t)(d->hdr_have + n);
            if (d->hdr_have == HDR) frame_begin(h, c, d);
            continue;
        }
        size_t n = d->left;
        if (n > tpa_rd_remaining(r)) n = tpa_rd_remaining(r);
        if (d->skip) {
            tpa_rd_skip(r, n);
        } else if (d->buf_len == 0 && n == d->f.len) {
            tpa_rd_t p = tpa_rd_sub(r, n); /* whole in these octets: no copy */
            d->in_payload = false;
            frame(h, c, d, &d->f, &p);
            continue;
        } else if (!tpa_h2_buf_add(&d->buf, &d->buf_len, &d->buf_cap, r, n)) {
            d->skip = true;
        }
        d->left -= (uint32_t)n;
        if (d->left) continue;
        d->in_payload = false;
        if (d->skip) {
            frame(h, c, d, &d->f, NULL);
        } else {
            tpa_rd_t p = tpa_rd_init(d->buf, d->buf_len);
            frame(h, c, d, &d->f, &p);
        }
        d->buf_len = 0;
        if (d->buf_cap > 2 * DEFAULT_MAX_FRAME) tpa_h2_buf_free(&d->buf, &d->buf_len, &d->buf_cap);
    }
}

/* ---- HTTP/1.1 upgrade (RFC 7540 3.2) ---- */

/* Gathers an HTTP/1.1 head from r until the empty line; true when complete (d->h1 holds
 * it, NUL-terminated, r is after it). Too long: the direction is given up. */
static bool h1_head(h2dir_t *d, tpa_rd_t *r)
{
    if (!d->h1) {
        d->h1 = malloc(H1_MAX + 1);
        if (!d->h1) {
            d->mode = M_DEAD;
            return false;
        }
        d->h1_len = 0;
    }
    while (tpa_rd_remaining(r) > 0) {
        if (d->h1_len >= H1_MAX) {
            d->mode = M_DEAD;
            return false;
        }
        d->h1[d->h1_len++] = (char)tpa_rd_u8(r);
        if (d->h1_len >= 4 && memcmp(d->h1 + d->h1_len - 4, "\r\n\r\n", 4) == 0) {
            d->h1[d->h1_len] = '\0';
            return true;
        }
    }
    return false;
}

/* The value of header name in a NUL-terminated head, copied (cut) into out. */
static bool h1_field(const char *head, const char *name, char *out, size_t olen)
{
    size_t nl = strlen(name);
    for (const char *p = strchr(head, '\n'); p; p = strchr(p + 1, '\n')) {
        if (strncasecmp(p + 1, name, nl) != 0 || p[1 + nl] != ':') continue;
        const char *v = p + 2 + nl;
        while (*v == ' ' || *v == '\t')
            v++;
        size_t n = strcspn(v, "\r\n");
        if (n >= olen) n = olen - 1;
        memcpy(out, v, n);
        out[n] = '\0';
        return true;
    }
    return false;
}

static void h1_request(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d)
{
    char method[16] = "", path[512] = "", cl[24];
    const char *sp = strchr(d->h1, ' ');
    if (sp && (size_t)(sp - d->h1) < sizeof method) {
        memcpy(method, d->h1, (size_t)(sp - d->h1));
        method[sp - d->h1] = '\0';
        size_t n = strcspn(sp + 1, " \r\n");
        if (n >= sizeof path) n = sizeof path - 1;
        memcpy(path, sp + 1, n);
        path[n] = '\0';
    }
    /* stream 1 carries the upgraded request's response (RFC 7540 3.2) */
    tpa_h2_msgs_upgrade(&h->m, c, method, path);
    d->h1_body = 0;
    if (h1_field(d->h1, "content-length", cl, sizeof cl)) d->h1_body = strtoull(cl, NULL, 10);
    h->upgrade = true;
    tpa_h2_msgs_prove(&h->m, c);
    free(d->h1);
    d->h1 = NULL;
    d->mode = M_START;
}

/* ---- directions ---- */

/* First octets of a direction (M_START): preface, upgrade head, frames or noise. */
static void start(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, tpa_rd_t *r)
{
    size_t n = PREFACE_LEN - d->pre_have;
    if (n > tpa_rd_remaining(r)) n = tpa_rd_remaining(r);
    if (tpa_rd_match(r, preface + d->pre_have, n)) {
        /* the preface, possibly split across calls */
        tpa_rd_skip(r, n);
        d->pre_have = (uint8_t)(d->pre_have + n);
        if (d->pre_have < PREFACE_LEN) return; /* more of it to come */
        d->pre_have = 0;
        d->from_start = true;
        h->preface = true;
        tpa_h2_msgs_prove(&h->m, c);
        d->mode = M_FRAMES;
        return;
    }
    if (d->pre_have) {
        d->pre_have = 0;
        d->mode = M_RESYNC;
        return;
    }
    if (tpa_rd_match(r, "HTTP/1.", 7)) {
        d->mode = M_H1_RESP;
        return;
    }
    if (upgrade_request(r)) {
        d->mode = M_H1_REQ;
        return;
    }
    if (chain_ok(r, true)) {
        tpa_rd_t hr = *r;
        d->from_start = tpa_rd_peek(&hr, 3) == T_SETTINGS && !(tpa_rd_peek(&hr, 4) & F_ACK);
        d->mode = M_FRAMES;
        return;
    }
    d->mode = M_RESYNC;
}

static void direction(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, tpa_rd_t *r)
{
    for (int guard = 0; guard < 8 && tpa_rd_remaining(r) > 0; guard++) {
        switch (d->mode) {
        case M_START:
            if (d->h1_body) {
                size_t n = tpa_rd_remaining(r);
                if (n > d->h1_body) n = (size_t)d->h1_body;
                tpa_rd_skip(r, n);
                d->h1_body -= n;
                break;
            }
            start(h, c, d, r);
            break;
        case M_H1_REQ:
            if (h1_head(d, r)) h1_request(h, c, d);
            break;
        case M_H1_RESP:
            if (!h1_head(d, r)) break;
            if (strncmp(d->h1 + 8, " 101", 4) == 0) {
                free(d->h1);
                d->h1 = NULL;
                d->mode = M_START; /* the server's SETTINGS follow */
                h->upgrade = true;
            } else {
                h->dead = true; /* the connection stays HTTP/1.1 */
                d->mode = M_DEAD;
            }
            break;
        case M_FRAMES:
            frames(h, c, d, r);
            break;
        case M_RESYNC:
            /* a segment that starts with well-formed frames resumes framing */
            if (chain_ok(r, true)) {
                d->mode = M_FRAMES;
                break;
            }
            tpa_rd_skip(r, tpa_rd_remaining(r));
            break;
        default:
            tpa_rd_skip(r, tpa_rd_remaining(r));
            break;
        }
    }
    tpa_rd_skip(r, tpa_rd_remaining(r));
}

/* gap octets are missing in dir before the next ones. */
static void gap_in(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, uint64_t gap)
{
    bool hdr_frame = d->in_payload && !d->skip &&
                     (d->f.type == T_HEADERS || d->f.type == T_PUSH || d->f.type == T_CONT);
    if (d->mode == M_FRAMES && d->in_payload && gap < d->left) {
        /* inside one frame's payload: framing survives, the frame's content does not */
        d->left -= (uint32_t)gap;
        d->skip = true; /* frame() without payload: a field block is lost there */
    } else if (d->mode == M_FRAMES || d->mode == M_START) {
        if (hdr_frame) d->blk_open = true; /* a field block cut: lost for sure */
        lose_sync(h, d);
        /* a field block may have been lost anywhere in the hole: the table is in doubt */
        if (!d->unknown) {
            if (d->inf) nghttp2_hd_inflate_del(d->inf);
            d->inf = NULL;
            d->unknown = true;
        }
    }
    tpa_h2_msgs_hole(&h->m, c); /* waiting bodies of this direction have a hole */
}

static void flow_info(h2conn_t *h, tpa_dissect_ctx_t *c)
{
    json_t *o = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:s}", "hpack_incomplete", h->hpack_incomplete,
                          "undecodable_header_blocks", (json_int_t)h->undecodable, "frames",
                          (json_int_t)h->frames, "header_blocks", (json_int_t)h->blocks, "streams",
                          (json_int_t)h->m.streams, "rst_stream", (json_int_t)h->rst, "start",
                          h->preface   ? "preface"
                          : h->upgrade ? "upgrade"
                                       : "mid-connection");
    uint64_t not_counted = h->m.unreported + h->m.nheld;
    if (o && !h->m.confirmed) /* frames on ports never shown to be h2c: not counted */
        json_object_set_new(o, "unconfirmed", json_true());
    if (o && (not_counted || !h->m.confirmed))
        json_object_set_new(o, "messages_not_counted", json_integer((json_int_t)not_counted));
    if (o && h->goaways) {
        json_object_set_new(o, "goaway", json_integer((json_int_t)h->goaways));
        json_object_set_new(o, "goaway_error", json_integer(h->goaway_error));
    }
    if (o) tpa_dissect_flow_info(c, o);
}

/* The end call of dir: report what waits, forget the direction's framing. */
static void end_of(h2conn_t *h, tpa_dissect_ctx_t *c, int dir)
{
    h2dir_t *d = &h->d[dir];
    if (d->blk_open) blk_drop(h, d);
    int64_t ts = d->table_setting;
    uint32_t mf = d->max_frame;
    dir_reset(d);
    h->ended[dir] = true;
    bool close = h->ended[0] && h->ended[1];
    tpa_h2_msgs_end(&h->m, c, close);
    if (close) {
        /* both sides closed: a later connection on these ports starts afresh */
        h->ended[0] = h->ended[1] = false;
        h->dead = false;
    } else {
        d->table_setting = ts;
        d->max_frame = mf;
    }
    flow_info(h, c);
}

void tpa_http2_named(tpa_dissect_ctx_t *c)
{
    h2conn_t *h = conn_get(c);
    if (h) tpa_h2_msgs_assume(&h->m, c);
}

void tpa_http2_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap)
{
    h2conn_t *h = conn_get(c);
    if (!h) {
        tpa_rd_skip(bytes, tpa_rd_remaining(bytes));
        return;
    }
    int dir = c->dir & 1;
    h2dir_t *d = &h->d[dir];
    if (c->stream_end) {
        tpa_h2_msgs_confirm(&h->m, c); /* the port may have been proven since */
        end_of(h, c, dir);
        return;
    }
    h->ended[dir] = false;
    tpa_h2_msgs_confirm(&h->m, c);
    if (gap) gap_in(h, c, d, gap);
    if (h->dead) {
        tpa_rd_skip(bytes, tpa_rd_remaining(bytes));
        return;
    }
    direction(h, c, d, bytes);
}
