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

#include <jansson.h>
#include <nghttp2/nghttp2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_decode_int.h"
#include "tpa_malformed.h"
#include "tpa_nas.h"
#include "tpa_sbi.h"
#include "tpa_sig.h"

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
    uint8_t p[2048]; /* a copy of the head's start: the Upgrade header sits early */
    tpa_rd_t r = *pl;
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

typedef struct h2msg {
    bool pending;
    bool collect; /* keep the body */
    bool over;    /* body incomplete (too long, gap) */
    uint8_t body_kind;
    uint8_t kind; /* tpa_sig_kind_t */
    uint8_t side, dir;
    uint16_t sport, dport;
    int status, grpc_status;
    uint64_t frame;
    int64_t ts_us;
    char code[16];
    char boundary[72];
    char grpc_msg[64];
    uint8_t *body;
    size_t body_len, body_cap;
} h2msg_t;

typedef struct h2stream {
    uint32_t id;
    bool ended[2]; /* END_STREAM seen per flow direction */
    bool final[2]; /* a final (non-1xx) response seen per flow direction */
    bool has_proc;
    char proc[TPA_SBI_NAME_MAX + 24];
    tpa_sbi_ids_t ids;
    h2msg_t msg[2]; /* the message waiting for its body, per direction */
} h2stream_t;

/* A message of a flow not yet known to be h2c, kept until it is (or dropped). */
typedef struct h2held {
    uint64_t frame;
    int64_t ts_us;
    uint8_t side, dir, kind, outcome;
    uint16_t sport, dport;
    bool has_cause;
    int64_t cause;
    char code[16], name[48], proc[TPA_SBI_NAME_MAX + 24], key[24], cause_name[64], family[8];
    tpa_sbi_ids_t ids;
} h2held_t;

#define HELD_MAX 256 /* messages held per unconfirmed flow */

typedef struct h2conn {
    h2dir_t d[2];
    bool confirmed; /* preface / upgrade seen, or a port proven h2c or SBI well-known */
    h2held_t *held;
    unsigned nheld;
    uint64_t unreported; /* held messages dropped (never confirmed, or over HELD_MAX) */
    h2stream_t **s;
    unsigned ns, cap;
    size_t body_total;
    bool dead, upgrade, preface, ended[2];
    /* per-flow facts (flows[].http2) */
    uint64_t frames, blocks, undecodable, rst, streams, goaways;
    uint32_t goaway_error;
    bool hpack_incomplete;
} h2conn_t;

static void buf_free(uint8_t **b, size_t *len, size_t *cap)
{
    free(*b);
    *b = NULL;
    *len = *cap = 0;
}

/* Appends the next n octets of r to (b, len, cap), growing it; false when out of memory
 * (the octets are consumed either way). */
static bool buf_add(uint8_t **b, size_t *len, size_t *cap, tpa_rd_t *r, size_t n)
{
    if (*len + n > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n)
            nc *= 2;
        uint8_t *nb = realloc(*b, nc);
        if (!nb) {
            tpa_rd_skip(r, n);
            return false;
        }
        *b = nb;
        *cap = nc;
    }
    tpa_rd_bytes(r, *b + *len, n);
    *len += n;
    return true;
}

static void dir_reset(h2dir_t *d)
{
    free(d->h1);
    buf_free(&d->buf, &d->buf_len, &d->buf_cap);
    buf_free(&d->blk, &d->blk_len, &d->blk_cap);
    if (d->inf) nghttp2_hd_inflate_del(d->inf);
    memset(d, 0, sizeof *d);
    d->max_frame = DEFAULT_MAX_FRAME;
    d->table_setting = -1;
    d->pending_hts = -1;
}

static void msg_free(h2msg_t *m)
{
    buf_free(&m->body, &m->body_len, &m->body_cap);
}

void tpa_http2_state_free(void *state)
{
    h2conn_t *h = state;
    if (!h) return;
    dir_reset(&h->d[0]);
    dir_reset(&h->d[1]);
    for (unsigned i = 0; i < h->ns; i++) {
        msg_free(&h->s[i]->msg[0]);
        msg_free(&h->s[i]->msg[1]);
        free(h->s[i]);
    }
    free(h->s);
    free(h->held);
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

/* ---- messages ---- */

static h2stream_t *stream_find(h2conn_t *h, uint32_t id)
{
    for (unsigned i = h->ns; i-- > 0;)
        if (h->s[i]->id == id) return h->s[i];
    return NULL;
}

static void report(h2conn_t *h, tpa_dissect_ctx_t *c, h2stream_t *s, int dir);

static void stream_drop(h2conn_t *h, h2stream_t *s)
{
    for (unsigned i = 0; i < h->ns; i++) {
        if (h->s[i] != s) continue;
        for (int k = 0; k < 2; k++) {
            h->body_total -= s->msg[k].body_cap;
            msg_free(&s->msg[k]);
        }
        free(s);
        memmove(&h->s[i], &h->s[i + 1], (h->ns - i - 1) * sizeof h->s[0]);
        h->ns--;
        return;
    }
}

/* The stream with id, created when absent (the oldest one reported and dropped when
 * TPA_HTTP2_MAX_STREAMS are open). NULL when out of memory. */
static h2stream_t *stream_get(h2conn_t *h, tpa_dissect_ctx_t *c, uint32_t id)
{
    h2stream_t *s = stream_find(h, id);
    if (s) return s;
    if (h->ns >= TPA_HTTP2_MAX_STREAMS) {
        h2stream_t *old = h->s[0];
        report(h, c, old, 0);
        report(h, c, old, 1);
        stream_drop(h, old);
    }
    if (h->ns == h->cap) {
        unsigned nc = h->cap ? h->cap * 2 : 8;
        h2stream_t **ns = realloc(h->s, nc * sizeof *ns);
        if (!ns) return NULL;
        h->s = ns;
        h->cap = nc;
    }
    s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->id = id;
    h->s[h->ns++] = s;
    h->streams++;
    return s;
}

/* Ports where cleartext HTTP/2 is the service (3GPP SBI as open-source cores deploy
 * it: 80, 8080, 8000, 7777, 29500-29599), or ones this capture proved h2c. */
static bool port_h2c(const tpa_dissect_ctx_t *c, uint16_t p)
{
    if (p == 80 || p == 8080 || p == 8000 || p == 7777 || (p >= 29500 && p <= 29599)) return true;
    return c->dec && (c->dec->h2c_ports[p >> 3] & (1u << (p & 7)));
}

/* The connection shows its h2c service port (the receiver of a preface / upgrade). */
static void prove_port(h2conn_t *h, tpa_dissect_ctx_t *c)
{
    h->confirmed = true;
    if (c->dec) c->dec->h2c_ports[c->dport >> 3] |= (uint8_t)(1u << (c->dport & 7));
}

static void sig_from_held(const h2held_t *m, tpa_sig_t *sig)
{
    memset(sig, 0, sizeof *sig);
    sig->protocol = "http2";
    sig->code = m->code;
    sig->name = m->name;
    sig->kind = (tpa_sig_kind_t)m->kind;
    sig->procedure = m->proc[0] ? m->proc : NULL;
    sig->key = m->key;
    sig->outcome = (tpa_sig_outcome_t)m->outcome;
    sig->has_cause = m->has_cause;
    sig->cause = m->cause;
    sig->cause_name = m->has_cause ? m->cause_name : NULL;
    sig->cause_family = m->has_cause ? m->family : NULL;
    tpa_sbi_ids_to_sig(&m->ids, sig);
}

static void held_report(tpa_dissect_ctx_t *c, const h2held_t *m)
{
    tpa_dissect_ctx_t rc = *c;
    rc.frame = m->frame;
    rc.ts_us = m->ts_us;
    rc.side = m->side;
    rc.dir = m->dir;
    rc.sport = m->sport;
    rc.dport = m->dport;
    tpa_sig_t sig;
    sig_from_held(m, &sig);
    tpa_sig_report(&rc, &sig);
}

/* A mid-connection flow counts its messages once a port of it is h2c: until then they
 * wait here (the capture may prove the port later). */
static void confirm(h2conn_t *h, tpa_dissect_ctx_t *c)
{
    if (h->confirmed || !(port_h2c(c, c->sport) || port_h2c(c, c->dport))) return;
    h->confirmed = true;
    for (unsigned i = 0; i < h->nheld; i++)
        held_report(c, &h->held[i]);
    free(h->held);
    h->held = NULL;
    h->nheld = 0;
}

/* Reports sig as sent in rc's frame, or holds it while the flow is unconfirmed. */
static void emit(h2conn_t *h, tpa_dissect_ctx_t *rc, const tpa_sig_t *sig, const tpa_sbi_ids_t *ids)
{
    if (h->confirmed) {
        tpa_sig_report(rc, sig);
        return;
    }
    if (!h->held) h->held = calloc(HELD_MAX, sizeof *h->held);
    if (!h->held || h->nheld >= HELD_MAX) {
        h->unreported++;
        return;
    }
    h2held_t *m = &h->held[h->nheld++];
    m->frame = rc->frame;
    m->ts_us = rc->ts_us;
    m->side = (uint8_t)rc->side;
    m->dir = (uint8_t)rc->dir;
    m->sport = rc->sport;
    m->dport = rc->dport;
    m->kind = (uint8_t)sig->kind;
    m->outcome = (uint8_t)sig->outcome;
    m->has_cause = sig->has_cause;
    m->cause = sig->cause;
    snprintf(m->code, sizeof m->code, "%s", sig->code);
    snprintf(m->name, sizeof m->name, "%s", sig->name ? sig->name : sig->code);
    snprintf(m->proc, sizeof m->proc, "%s", sig->procedure ? sig->procedure : "");
    snprintf(m->key, sizeof m->key, "%s", sig->key ? sig->key : "");
    snprintf(m->cause_name, sizeof m->cause_name, "%s", sig->cause_name ? sig->cause_name : "");
    snprintf(m->family, sizeof m->family, "%s", sig->cause_family ? sig->cause_family : "http");
    if (ids)
        m->ids = *ids;
    else
        m->ids.n = 0;
}

typedef struct parts_ud {
    tpa_dissect_ctx_t *c;
    tpa_sbi_ids_t *ids; /* JSON parts' identities go here (requests), or NULL */
    bool nas;           /* hand NAS parts to the NAS-5GS dissector */
} parts_ud_t;

static void on_part(void *ud, const char *ctype, tpa_rd_t *content)
{
    parts_ud_t *u = ud;
    char b[4];
    tpa_sbi_body_t k = tpa_sbi_content_type(ctype, b, sizeof b);
    if (k == TPA_SBI_BODY_JSON && u->ids) {
        size_t n = tpa_rd_remaining(content);
        const uint8_t *p = tpa_rd_span(content, n);
        if (p) tpa_sbi_json_ids(p, n, u->ids);
    } else if (k == TPA_SBI_BODY_NAS && u->nas && tpa_rd_remaining(content) > 0) {
        tpa_nas5gs_dissect(u->c, content, NULL);
    }
}

/* Reports the message waiting in s->msg[dir] (nothing when none). */
static void report(h2conn_t *h, tpa_dissect_ctx_t *c, h2stream_t *s, int dir)
{
    h2msg_t *m = &s->msg[dir];
    if (!m->pending) return;
    m->pending = false;
    if (m->kind != TPA_SIG_REQUEST && s->msg[!dir].pending && s->msg[!dir].kind == TPA_SIG_REQUEST)
        report(h, c, s, !dir); /* a request before its answer */
    tpa_dissect_ctx_t rc = *c;
    rc.frame = m->frame;
    rc.ts_us = m->ts_us;
    rc.side = m->side;
    rc.dir = m->dir;
    rc.sport = m->sport;
    rc.dport = m->dport;
    bool body = m->body_len && !m->over;
    tpa_sig_t sig;
    memset(&sig, 0, sizeof sig);
    sig.protocol = "http2";
    sig.code = m->code;
    sig.kind = (tpa_sig_kind_t)m->kind;
    sig.procedure = s->has_proc ? s->proc : NULL;
    char key[24];
    snprintf(key, sizeof key, "stream=%u", (unsigned)s->id);
    sig.key = key;
    char name[48];
    char cause[64] = "";
    if (m->kind == TPA_SIG_REQUEST) {
        sig.name = m->code;
        if (body && m->body_kind == TPA_SBI_BODY_JSON)
            tpa_sbi_json_ids(m->body, m->body_len, &s->ids);
        if (body && m->body_kind == TPA_SBI_BODY_MULTIPART) {
            parts_ud_t u = {&rc, &s->ids, false};
            tpa_sbi_multipart(m->body, m->body_len, m->boundary, on_part, &u);
        }
    } else {
        const char *reason = tpa_sbi_reason(m->status);
        if (reason)
            snprintf(name, sizeof name, "%s %s", m->code, reason);
        else
            snprintf(name, sizeof name, "%s", m->code);
        sig.name = name;
        int st = m->status;
        if (body && m->body_kind == TPA_SBI_BODY_PROBLEM)
            tpa_sbi_problem(m->body, m->body_len, &st, cause, sizeof cause);
        if (m->status >= 400) {
            sig.outcome = TPA_SIG_FAILURE;
            sig.has_cause = true;
            sig.cause = st;
            sig.cause_name = cause[0] ? cause : (reason ? reason : m->code);
            sig.cause_family = "http";
        } else if (m->grpc_status > 0) {
            sig.outcome = TPA_SIG_FAILURE;
            sig.has_cause = true;
            sig.cause = m->grpc_status;
            sig.cause_name = m->grpc_msg[0] ? m->grpc_msg : "grpc-status";
            sig.cause_family = "grpc";
        }
    }
    if (m->kind == TPA_SIG_REQUEST) tpa_sbi_ids_to_sig(&s->ids, &sig);
    emit(h, &rc, &sig, m->kind == TPA_SIG_REQUEST ? &s->ids : NULL);
    if (!h->confirmed) {
        /* NAS inside a flow not known to be h2c is not counted either */
    } else if (body && m->body_kind == TPA_SBI_BODY_MULTIPART) {
        parts_ud_t u = {&rc, NULL, true};
        tpa_sbi_multipart(m->body, m->body_len, m->boundary, on_part, &u);
    } else if (body && m->body_kind == TPA_SBI_BODY_NAS) {
        tpa_rd_t nas = tpa_rd_init(m->body, m->body_len);
        tpa_nas5gs_dissect(&rc, &nas, NULL);
    }
    h->body_total -= m->body_cap;
    msg_free(m);
}

/* END_STREAM in dir (or the stream reset): report what waits, drop a finished stream. */
static void stream_end(h2conn_t *h, tpa_dissect_ctx_t *c, h2stream_t *s, int dir, bool reset)
{
    s->ended[dir] = true;
    report(h, c, s, dir);
    if (reset) {
        report(h, c, s, !dir);
        s->ended[!dir] = true;
    }
    /* done: both sides ended, or the answer is complete and nothing else waits */
    bool answered = (s->final[dir] && s->ended[dir]) || (s->final[!dir] && s->ended[!dir]);
    if ((s->ended[0] && s->ended[1]) || (answered && !s->msg[0].pending && !s->msg[1].pending))
        stream_drop(h, s);
}

/* The fields of one decoded field block that matter here. */
typedef struct fields {
    unsigned n_method, n_status;
    bool unknown; /* a reference to an entry the capture did not show */
    bool grpc_status;
    char method[16];
    char status[8];
    char path[512];
    char ctype[128];
    char grpc_msg[64];
    int grpc;
} fields_t;

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

static void on_field(fields_t *f, const nghttp2_nv *nv)
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
        f->grpc = atoi(v);
        f->grpc_status = true;
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
static void decode_block(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, fields_t *f)
{
    memset(f, 0, sizeof *f);
    h->blocks++;
    nghttp2_hd_inflater *inf = inflater(d);
    if (!inf) {
        hpack_lost(h, d);
        return;
    }
    const uint8_t *in = d->blk;
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

/* Fills the common fields of a new waiting message from the block's frame. */
static void msg_start(h2msg_t *m, tpa_dissect_ctx_t *c, const h2dir_t *d, int kind)
{
    m->pending = true;
    m->kind = (uint8_t)kind;
    m->frame = d->blk_frame;
    m->ts_us = d->blk_us;
    m->side = (uint8_t)c->side;
    m->dir = (uint8_t)c->dir;
    m->sport = c->sport;
    m->dport = c->dport;
    m->over = false;
    m->body_len = 0;
    m->grpc_status = 0;
    m->grpc_msg[0] = '\0';
}

/* A decoded field block: count and report what it says. */
static void on_block(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d)
{
    fields_t f;
    decode_block(h, c, d, &f);
    bool push = d->blk_type == T_PUSH;
    bool end = !push && (d->blk_flags & F_END_STREAM);
    uint32_t sid = push ? d->blk_promised : d->blk_sid;
    int dir = c->dir & 1;
    h2stream_t *s = stream_get(h, c, sid);
    if (h->confirmed) {
        /* extra :method / :status in one block: counted as tshark counts them */
        for (unsigned i = 1; i < f.n_method; i++)
            tpa_dissect_message(c, "http2", f.method, f.method);
        for (unsigned i = 1; i < f.n_status; i++)
            tpa_dissect_message(c, "http2", f.status, NULL);
        if (!s && f.n_method) tpa_dissect_message(c, "http2", f.method, f.method);
        if (!s && f.n_status) tpa_dissect_message(c, "http2", f.status, NULL);
    }
    if (!s) return;
    char b[72];
    tpa_sbi_body_t bk = tpa_sbi_content_type(f.ctype, b, sizeof b);
    if (f.n_method) {
        report(h, c, s, dir);
        h2msg_t *m = &s->msg[dir];
        msg_start(m, c, d, TPA_SIG_REQUEST);
        snprintf(m->code, sizeof m->code, "%s", f.method);
        char svc[TPA_SBI_NAME_MAX], res[TPA_SBI_NAME_MAX];
        tpa_sbi_path(f.path, svc, sizeof svc, res, sizeof res);
        snprintf(s->proc, sizeof s->proc, "%s %s", f.method, svc[0] ? svc : "/");
        s->has_proc = true;
        s->ids.n = 0;
        tpa_sbi_path_ids(f.path, &s->ids);
        m->body_kind = (uint8_t)bk;
        memcpy(m->boundary, b, sizeof m->boundary);
        m->collect =
            !end && !push &&
            (bk == TPA_SBI_BODY_JSON || bk == TPA_SBI_BODY_MULTIPART || bk == TPA_SBI_BODY_NAS);
        if (!m->collect) report(h, c, s, dir);
    }
    if (f.n_status) {
        report(h, c, s, dir);
        h2msg_t *m = &s->msg[dir];
        int st = atoi(f.status);
        msg_start(m, c, d, st >= 100 && st < 200 ? TPA_SIG_INDICATION : TPA_SIG_RESPONSE);
        if (m->kind == TPA_SIG_RESPONSE) s->final[dir] = true;
        snprintf(m->code, sizeof m->code, "%s", f.status);
        m->status = st;
        m->body_kind = (uint8_t)bk;
        memcpy(m->boundary, b, sizeof m->boundary);
        bool grpc = strncasecmp(f.ctype, "application/grpc", 16) == 0;
        m->collect = !end && m->kind == TPA_SIG_RESPONSE &&
                     ((bk == TPA_SBI_BODY_PROBLEM && st >= 400) || bk == TPA_SBI_BODY_MULTIPART ||
                      bk == TPA_SBI_BODY_NAS || grpc);
        if (grpc) m->body_kind = TPA_SBI_BODY_OTHER; /* waits for the trailers only */
        if (!m->collect) report(h, c, s, dir);
    } else if (!f.n_method && s->msg[dir].pending) {
        /* trailers of the message waiting in this direction */
        if (f.grpc_status) {
            s->msg[dir].grpc_status = f.grpc;
            memcpy(s->msg[dir].grpc_msg, f.grpc_msg, sizeof f.grpc_msg);
        }
    }
    if (end) stream_end(h, c, s, dir, false);
}

/* DATA content octets of stream sid in dir: kept when its message collects a body. */
static void on_data(h2conn_t *h, tpa_dissect_ctx_t *c, uint32_t sid, tpa_rd_t *content, bool end)
{
    int dir = c->dir & 1;
    h2stream_t *s = stream_find(h, sid);
    if (!s) {
        tpa_rd_skip(content, tpa_rd_remaining(content));
        return;
    }
    h2msg_t *m = &s->msg[dir];
    size_t n = tpa_rd_remaining(content);
    if (m->pending && m->collect && !m->over && n) {
        if (m->body_kind == TPA_SBI_BODY_OTHER || m->body_len + n > TPA_HTTP2_BODY_MAX ||
            h->body_total + n > TPA_HTTP2_BODY_TOTAL) {
            m->over = m->body_kind != TPA_SBI_BODY_OTHER;
        } else {
            size_t before = m->body_cap;
            if (!buf_add(&m->body, &m->body_len, &m->body_cap, content, n)) m->over = true;
            h->body_total += m->body_cap - before;
        }
    }
    tpa_rd_skip(content, tpa_rd_remaining(content));
    if (m->pending && m->over) report(h, c, s, dir);
    if (end) stream_end(h, c, s, dir, false);
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
        !buf_add(&d->blk, &d->blk_len, &d->blk_cap, frag, n)) {
        blk_drop(h, d);
        return;
    }
    if (!end) return;
    d->blk_open = false;
    on_block(h, c, d);
    d->blk_len = 0;
    if (d->blk_cap > 4096) buf_free(&d->blk, &d->blk_len, &d->blk_cap);
}

/* Padding and priority fields around a HEADERS / PUSH_PROMISE / DATA content: r is
 * left on the content. false (malformed) when the Pad Length exceeds the payload. */
static bool strip(tpa_dissect_ctx_t *c, const fhdr_t *f, tpa_rd_t *r, uint32_t *promised)
{
    uint32_t pad = 0;
    if (f->flags & F_PADDED) pad = tpa_rd_u8(r);
    if (f->type == T_HEADERS && (f->flags & F_PRIORITY)) tpa_rd_skip(r, 5);
    if (f->type == T_PUSH) *promised = tpa_rd_be32(r) & 0x7fffffffu;
    if (r->err || pad > tpa_rd_remaining(r)) {
        tpa_dissect_malformed(c, TPA_MAL_HTTP2_PADDING_INVALID);
        return false;
    }
    r->end -= pad;
    return true;
}

static void settings(h2conn_t *h, tpa_dissect_ctx_t *c, h2dir_t *d, const fhdr_t *f, tpa_rd_t *p)
{
    int dir = c->dir & 1;
    h2dir_t *o = &h->d[!dir]; /* the peer's direction: frames and blocks sent to this side */
    if (f->flags & F_ACK) {
        /* the peer acknowledges its own SETTINGS' opposite: ours take effect */
        h2dir_t *mine = &h->d[!dir];
        if (mine->pending_hts >= 0) {
            d->table_setting = mine->pending_hts;
            if (d->inf && !d->blk_open)
                nghttp2_hd_inflate_change_table_size(d->inf, (size_t)d->table_setting);
            mine->pending_hts = -1;
        }
        return;
    }
    while (tpa_rd_remaining(p) >= 6) {
        uint16_t id = tpa_rd_be16(p);
        uint32_t v = tpa_rd_be32(p);
        bool bad = false;
        switch (id) {
        case 1:
            d->pending_hts = v;
            break; /* HEADER_TABLE_SIZE */
        case 2:
            bad = v > 1;
            break; /* ENABLE_PUSH */
        case 4:
            bad = v > 0x7fffffffu;
            break; /* INITIAL_WINDOW_SIZE */
        case 5:    /* MAX_FRAME_SIZE */
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
    switch (f->type) {
    case T_DATA: {
        bool end = f->flags & F_END_STREAM;
        if (!p) {
            h2stream_t *s = stream_find(h, f->sid);
            if (s) {
                s->msg[c->dir & 1].over = true;
                report(h, c, s, c->dir & 1);
                if (end) stream_end(h, c, s, c->dir & 1, false);
            }
            return;
        }
        if (!strip(c, f, p, &promised)) return;
        on_data(h, c, f->sid, p, end);
        return;
    }
    case T_HEADERS:
    case T_PUSH:
        d->blk_open = true;
        d->blk_type = f->type;
        d->blk_flags = f->flags;
        d->blk_sid = f->sid;
        d->blk_len = 0;
        d->blk_frame = c->frame;
        d->blk_us = c->ts_us;
        if (!p || !strip(c, f, p, &promised)) {
            blk_drop(h, d);
            return;
        }
        d->blk_promised = promised;
        blk_add(h, c, d, p, f->flags & F_END_HEADERS);
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
    case T_RST: {
        h->rst++;
        h2stream_t *s = stream_find(h, f->sid);
        if (s) stream_end(h, c, s, c->dir & 1, true);
        return;
    }
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
        } else if (!buf_add(&d->buf, &d->buf_len, &d->buf_cap, r, n)) {
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
        if (d->buf_cap > 2 * DEFAULT_MAX_FRAME) buf_free(&d->buf, &d->buf_len, &d->buf_cap);
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
    h2stream_t *s = stream_get(h, c, 1);
    if (s && method[0]) {
        char svc[TPA_SBI_NAME_MAX], res[TPA_SBI_NAME_MAX];
        tpa_sbi_path(path, svc, sizeof svc, res, sizeof res);
        snprintf(s->proc, sizeof s->proc, "%s %s", method, svc[0] ? svc : "/");
        s->has_proc = true;
        s->ended[c->dir & 1] = true;
    }
    d->h1_body = 0;
    if (h1_field(d->h1, "content-length", cl, sizeof cl)) d->h1_body = strtoull(cl, NULL, 10);
    h->upgrade = true;
    prove_port(h, c);
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
        prove_port(h, c);
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
    if (d->mode == M_FRAMES && d->in_payload && gap < d->left) {
        /* inside one frame's payload: framing survives, the frame's content does not */
        d->left -= (uint32_t)gap;
        d->skip = true; /* frame() without payload: a field block is lost there */
    } else if (d->mode == M_FRAMES || d->mode == M_START) {
        if (d->mode == M_FRAMES && d->blk_open) blk_drop(h, d);
        lose_sync(h, d);
        /* a lost field block or DATA piece may be anywhere: the table is in doubt */
        if (!d->unknown) {
            if (d->inf) nghttp2_hd_inflate_del(d->inf);
            d->inf = NULL;
            d->unknown = true;
        }
    }
    /* waiting bodies of this direction have a hole */
    int dir = c->dir & 1;
    for (unsigned i = 0; i < h->ns; i++)
        if (h->s[i]->msg[dir].pending) h->s[i]->msg[dir].over = true;
    for (unsigned i = h->ns; i-- > 0;)
        if (i < h->ns && h->s[i]->msg[dir].pending) report(h, c, h->s[i], dir);
}

static void flow_info(h2conn_t *h, tpa_dissect_ctx_t *c)
{
    json_t *o = json_pack("{s:b,s:I,s:I,s:I,s:I,s:I,s:s}", "hpack_incomplete", h->hpack_incomplete,
                          "undecodable_header_blocks", (json_int_t)h->undecodable, "frames",
                          (json_int_t)h->frames, "header_blocks", (json_int_t)h->blocks, "streams",
                          (json_int_t)h->streams, "rst_stream", (json_int_t)h->rst, "start",
                          h->preface   ? "preface"
                          : h->upgrade ? "upgrade"
                                       : "mid-connection");
    if (o && !h->confirmed) {
        /* frames on ports the capture never showed to be h2c: messages not counted */
        json_object_set_new(o, "unconfirmed", json_true());
        json_object_set_new(o, "messages_not_counted",
                            json_integer((json_int_t)(h->nheld + h->unreported)));
    } else if (o && h->unreported) {
        json_object_set_new(o, "messages_not_counted", json_integer((json_int_t)h->unreported));
    }
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
    for (unsigned i = h->ns; i-- > 0;)
        if (i < h->ns) report(h, c, h->s[i], dir);
    int64_t ts = d->table_setting;
    uint32_t mf = d->max_frame;
    dir_reset(d);
    h->ended[dir] = true;
    if (h->ended[0] && h->ended[1]) {
        /* both sides closed: a later connection on these ports starts afresh */
        while (h->ns)
            stream_drop(h, h->s[h->ns - 1]);
        if (!h->confirmed) {
            flow_info(h, c); /* says how many were never counted */
            h->unreported += h->nheld;
            h->nheld = 0;
            h->ended[0] = h->ended[1] = false;
            h->dead = false;
            return;
        }
        h->ended[0] = h->ended[1] = false;
        h->dead = false;
    } else {
        d->table_setting = ts;
        d->max_frame = mf;
    }
    flow_info(h, c);
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
        confirm(h, c); /* the port may have been proven since the last octets */
        end_of(h, c, dir);
        return;
    }
    h->ended[dir] = false;
    confirm(h, c);
    if (gap) gap_in(h, c, d, gap);
    if (h->dead) {
        tpa_rd_skip(bytes, tpa_rd_remaining(bytes));
        return;
    }
    direction(h, c, d, bytes);
}
