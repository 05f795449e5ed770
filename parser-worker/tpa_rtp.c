/* tpa_rtp.c - RTP / RTCP streams, expected media and voice quality (see tpa_rtp.h).
 *
 * RFC 3550 section 5.1, the RTP fixed header (12 bytes): V (2 bits, = 2), P (padding:
 * the last payload byte counts the padding bytes, itself included), X (a header
 * extension follows the CSRCs: 16-bit profile word, 16-bit length in 32-bit words,
 * then that many words), CC (CSRC count), M, PT (7 bits), sequence number (16),
 * timestamp (32), SSRC (32), then CC CSRCs (32 each).
 * Section 6.4, RTCP: V (2), P, a 5-bit count, PT (8: 200 SR, 201 RR, 202 SDES, 203 BYE,
 * 204 APP; RFC 4585 205/206 feedback, RFC 3611 207 XR), length (16: the packet's length
 * in 32-bit words minus one). Section 6.1: packets travel in compounds that start with
 * SR or RR. SR: sender SSRC, NTP timestamp (8), RTP timestamp, packet count, octet
 * count, then count report blocks; RR: sender SSRC, count report blocks. Report block
 * (6.4.1): SSRC, fraction lost (8), cumulative lost (24, signed), extended highest
 * sequence (32), interarrival jitter (32), LSR (32), DLSR (32).
 * RFC 5761 section 4: on a port shared by RTP and RTCP, a second byte of 192-223 is
 * RTCP. RFC 3551 tables 4 and 5: static payload types.
 *
 * Statistics per SSRC and direction follow RFC 3550 appendix A.1 (sequence tracking
 * with MAX_DROPOUT 3000 / MAX_MISORDER 100, a jump restarts the count after two
 * sequential packets), A.3 (expected = extended highest - base + 1; lost = expected -
 * received, never below 0) and A.8 (interarrival jitter J += (|D| - J) / 16 in
 * timestamp units, reported in ms). Duplicates are found with a 64-packet window below
 * the highest sequence number; a packet behind the highest that is not a duplicate is
 * out of order (it still counts as received, so loss goes down again).
 *
 * MOS: ITU-T G.107 E-model reduced to the two impairments a capture can see.
 *   R = 93.2 - Id - Ie_eff                      (R0 - Is = 93.2 at default values, A = 0)
 *   Id = 0.024 d + 0.11 (d - 177.3) H(d - 177.3)   (Cole & Rosenbluth's fit of G.107's Id)
 *   d = 20 ms network (one capture point cannot measure it: assumed) + ptime (default
 *       20 ms) + 2 x jitter (a de-jitter buffer twice the jitter) + codec look-ahead
 *   Ie_eff = Ie + (95 - Ie) Ppl / (Ppl / BurstR + Bpl)   (G.107 eq. 7-29, BurstR = 1:
 *       random loss assumed; Ppl = loss in %)
 *   MOS = 1 + 0.035 R + R (R - 60)(100 - R) 7e-6 for 0 < R < 100 (G.107 annex B), 1 at
 *       or below 0, 4.5 at or above 100.
 *   Ie / Bpl per codec from ITU-T G.113 appendix I (with packet loss concealment):
 *   G.711 0 / 25.1, G.729(A) 11 / 19.0, G.723.1 15 / 16.1, GSM-FR 20 / 10 (Bpl
 *   assumed), AMR 12.2 5 / 10 (Bpl assumed), iLBC 11 / 19 (as G.729, assumed).
 *   Wideband codecs (G.722, AMR-WB, Opus, EVS) and unknown voice codecs are scored as
 *   G.711: the narrowband scale caps them at 4.4. Late loss in the receiver's jitter
 *   buffer is not modelled. Streams below MOS 3.5 deserve a look.
 */
#include "tpa_rtp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_decode_int.h"
#include "tpa_err.h"
#include "tpa_malformed.h"

#define MAX_DROPOUT 3000
#define MAX_MISORDER 100
#define HEUR_RUN 3 /* consecutive consistent packets the heuristic needs */
#define HEUR_SEQ_STEP 10
#define MAX_REPORTS 16
#define MAX_CANDIDATES 16384 /* heuristic candidates kept at once (bounded memory) */

enum { K_CANDIDATE = 0, K_RTP = 1, K_RTCP = 2 };
enum { VIA_NONE = 0, VIA_SDP = 1, VIA_HEUR = 2 };

/* ---- static payload types (RFC 3551 tables 4 and 5) ---- */

typedef struct spt {
    uint8_t pt;
    uint32_t clock;
    const char *name;
    bool audio;
} spt_t;

static const spt_t static_pts[] = {
    {0, 8000, "PCMU", true},    {3, 8000, "GSM", true},     {4, 8000, "G723", true},
    {5, 8000, "DVI4", true},    {6, 16000, "DVI4", true},   {7, 8000, "LPC", true},
    {8, 8000, "PCMA", true},    {9, 8000, "G722", true},    {10, 44100, "L16", true},
    {11, 44100, "L16", true},   {12, 8000, "QCELP", true},  {13, 8000, "CN", true},
    {14, 90000, "MPA", true},   {15, 8000, "G728", true},   {16, 11025, "DVI4", true},
    {17, 22050, "DVI4", true},  {18, 8000, "G729", true},   {25, 90000, "CelB", false},
    {26, 90000, "JPEG", false}, {28, 90000, "nv", false},   {31, 90000, "H261", false},
    {32, 90000, "MPV", false},  {33, 90000, "MP2T", false}, {34, 90000, "H263", false},
};

bool tpa_rtp_static_pt(uint8_t pt, uint32_t *clock, const char **name, bool *audio)
{
    for (size_t i = 0; i < sizeof static_pts / sizeof static_pts[0]; i++)
        if (static_pts[i].pt == pt) {
            if (clock) *clock = static_pts[i].clock;
            if (name) *name = static_pts[i].name;
            if (audio) *audio = static_pts[i].audio;
            return true;
        }
    return false;
}

/* Payload types a stream is named after: not comfort noise, not DTMF events. */
static bool is_side_codec(const char *name, uint8_t pt)
{
    if (pt == 13) return true;
    return name && (strcasecmp(name, "telephone-event") == 0 || strcasecmp(name, "CN") == 0);
}

/* ---- the decoder's state ---- */

typedef struct expected {
    uint8_t family, kind, audio, secure;
    uint8_t addr[16];
    uint16_t port;
    uint32_t next; /* bucket chain: index + 1, 0 = end */
    char call_id[TPA_RTP_CALL_ID];
    uint8_t ncodecs;
    tpa_rtp_codec_t codecs[TPA_RTP_MAX_CODECS];
} expected_t;

typedef struct stream {
    uint32_t ssrc;
    uint8_t pt;
    uint8_t dir;
    uint8_t has_transit;
    uint16_t max_seq;
    uint16_t last_seq;
    uint32_t cycles;
    uint32_t base_seq;
    uint32_t bad_seq;
    uint32_t clock;
    uint32_t first_ts, last_ts;
    uint32_t ptime_ts;       /* smallest timestamp step between consecutive packets */
    uint64_t expected_prior; /* packets expected before a restart */
    uint64_t received, dups, ooo;
    uint64_t window; /* bit k: max_seq - k was received */
    double jitter, max_jitter, transit;
    int64_t first_us, last_us;
} stream_t;

typedef struct report {
    uint32_t reporter, ssrc;
    uint8_t fraction;
    int32_t cumulative;
    uint32_t jitter;
} report_t;

typedef struct rtcp_counts {
    uint64_t packets; /* datagrams (or multiplexed RTCP compounds) */
    uint64_t sr, rr, sdes, bye, app, fb, xr, other;
    uint64_t encrypted; /* SRTCP compounds: only the first header read */
    unsigned nreports;
    report_t reports[MAX_REPORTS];
} rtcp_counts_t;

typedef struct heur {
    uint32_t ssrc, ts;
    uint16_t seq;
    uint8_t pt, run;
} heur_t;

typedef struct rec {
    uint32_t flow_id;
    uint8_t kind, via, audio, secure;
    uint64_t last_frame;
    char call_id[TPA_RTP_CALL_ID];
    unsigned ncodecs;
    tpa_rtp_codec_t *codecs; /* owned, from SDP */
    heur_t heur[2];          /* the heuristic, per direction */
    unsigned nstreams, cap;
    stream_t *streams; /* owned */
    uint64_t non_rtp;
    rtcp_counts_t *rtcp; /* owned, once RTCP is seen */
} rec_t;

typedef struct tpa_rtp_ctx {
    /* expected endpoints: a ring of entries hashed by (family, address, port) */
    expected_t *exp;
    size_t nexp, capexp, ring; /* ring: next slot to reuse once full */
    uint32_t *buckets;         /* index + 1 */
    size_t nbuckets;
    uint64_t seed;
    /* records by flow id (open addressing, key 0 = empty) */
    uint32_t *keys;
    rec_t **vals;
    size_t nrecs, caprecs;
    size_t candidates;
} rtp_ctx_t;

static rtp_ctx_t *ctx_of(tpa_dissect_ctx_t *c, bool create)
{
    tpa_decoder_t *d = c->dec;
    if (!d) return NULL;
    if (!d->rtp && create) {
        rtp_ctx_t *x = calloc(1, sizeof *x);
        if (!x) return NULL;
        x->seed = 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)x;
        d->rtp = x;
    }
    return d->rtp;
}

static void rec_free(rec_t *r)
{
    if (!r) return;
    free(r->codecs);
    free(r->streams);
    free(r->rtcp);
    free(r);
}

void tpa_rtp_ctx_destroy(struct tpa_rtp_ctx **xp)
{
    if (!xp || !*xp) return;
    rtp_ctx_t *x = *xp;
    for (size_t i = 0; i < x->caprecs; i++)
        if (x->keys[i]) rec_free(x->vals[i]);
    free(x->keys);
    free(x->vals);
    free(x->exp);
    free(x->buckets);
    free(x);
    *xp = NULL;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

/* ---- expected endpoints ---- */

static size_t ep_hash(const rtp_ctx_t *x, int family, const uint8_t *addr, uint16_t port)
{
    uint64_t h = mix(x->seed, (uint64_t)family << 16 | port);
    for (int i = 0; i < 16; i += 8) {
        uint64_t w = 0;
        for (int j = 0; j < 8; j++)
            w = w << 8 | addr[i + j];
        h = mix(h, w);
    }
    return (size_t)(h & (x->nbuckets - 1));
}

static expected_t *ep_find(rtp_ctx_t *x, int family, const uint8_t *addr, uint16_t port)
{
    if (!x || !x->nexp) return NULL;
    for (uint32_t i = x->buckets[ep_hash(x, family, addr, port)]; i; i = x->exp[i - 1].next) {
        expected_t *e = &x->exp[i - 1];
        if (e->port == port && e->family == family && memcmp(e->addr, addr, 16) == 0) return e;
    }
    return NULL;
}

static void ep_unlink(rtp_ctx_t *x, size_t idx)
{
    expected_t *e = &x->exp[idx];
    uint32_t *p = &x->buckets[ep_hash(x, e->family, e->addr, e->port)];
    while (*p && *p != idx + 1)
        p = &x->exp[*p - 1].next;
    if (*p) *p = e->next;
    e->next = 0;
}

/* A slot for a new entry (linked into its bucket by the caller), or NULL. */
static expected_t *ep_slot(rtp_ctx_t *x, size_t *idx)
{
    if (!x->buckets) {
        x->nbuckets = 2 * TPA_RTP_MAX_EXPECTED;
        x->buckets = calloc(x->nbuckets, sizeof *x->buckets);
        if (!x->buckets) return NULL;
    }
    if (x->nexp < x->capexp) {
        *idx = x->nexp++;
        return &x->exp[*idx];
    }
    if (x->capexp < TPA_RTP_MAX_EXPECTED) {
        size_t cap = x->capexp ? x->capexp * 2 : 16;
        expected_t *n = realloc(x->exp, cap * sizeof *n);
        if (!n) return NULL;
        x->exp = n;
        x->capexp = cap;
        *idx = x->nexp++;
        return &x->exp[*idx];
    }
    *idx = x->ring;
    x->ring = (x->ring + 1) % x->capexp;
    ep_unlink(x, *idx);
    return &x->exp[*idx];
}

static void ep_put(rtp_ctx_t *x, const tpa_rtp_media_t *m, uint16_t port, uint8_t kind)
{
    uint8_t addr[16] = {0};
    memcpy(addr, m->addr, m->family == 6 ? 16 : 4);
    expected_t *e = ep_find(x, m->family, addr, port);
    if (!e) {
        size_t idx;
        e = ep_slot(x, &idx);
        if (!e) return;
        memset(e, 0, sizeof *e);
        e->family = (uint8_t)m->family;
        memcpy(e->addr, addr, 16);
        e->port = port;
        size_t b = ep_hash(x, e->family, e->addr, e->port);
        e->next = x->buckets[b];
        x->buckets[b] = (uint32_t)idx + 1;
    }
    e->kind = kind;
    e->audio = m->audio;
    e->secure = m->secure;
    snprintf(e->call_id, sizeof e->call_id, "%s", m->call_id ? m->call_id : "");
    e->ncodecs = (uint8_t)(m->ncodecs < TPA_RTP_MAX_CODECS ? m->ncodecs : TPA_RTP_MAX_CODECS);
    memcpy(e->codecs, m->codecs, e->ncodecs * sizeof e->codecs[0]);
}

void tpa_rtp_expect(tpa_dissect_ctx_t *c, const tpa_rtp_media_t *m)
{
    if (!m || (m->family != 4 && m->family != 6) || !m->rtp_port || c->quoted) return;
    rtp_ctx_t *x = ctx_of(c, true);
    if (!x) return;
    ep_put(x, m, m->rtp_port, K_RTP);
    if (m->rtcp_port && m->rtcp_port != m->rtp_port) ep_put(x, m, m->rtcp_port, K_RTCP);
}

/* ---- records by flow ---- */

static rec_t *rec_find(rtp_ctx_t *x, uint32_t id)
{
    if (!x || !x->caprecs || !id) return NULL;
    size_t mask = x->caprecs - 1;
    for (size_t i = (size_t)mix(x->seed, id) & mask;; i = (i + 1) & mask) {
        if (x->keys[i] == id) return x->vals[i];
        if (!x->keys[i]) return NULL;
    }
}

static bool rec_grow(rtp_ctx_t *x)
{
    size_t cap = x->caprecs ? x->caprecs * 2 : 64;
    uint32_t *keys = calloc(cap, sizeof *keys);
    rec_t **vals = calloc(cap, sizeof *vals);
    if (!keys || !vals) {
        free(keys);
        free(vals);
        return false;
    }
    for (size_t j = 0; j < x->caprecs; j++) {
        if (!x->keys[j]) continue;
        size_t i = (size_t)mix(x->seed, x->keys[j]) & (cap - 1);
        while (keys[i])
            i = (i + 1) & (cap - 1);
        keys[i] = x->keys[j];
        vals[i] = x->vals[j];
    }
    free(x->keys);
    free(x->vals);
    x->keys = keys;
    x->vals = vals;
    x->caprecs = cap;
    return true;
}

static rec_t *rec_get(rtp_ctx_t *x, uint32_t id, uint8_t kind)
{
    rec_t *r = rec_find(x, id);
    if (r || !x || !id) return r;
    if (x->nrecs >= TPA_RTP_MAX_FLOWS) return NULL;
    if (kind == K_CANDIDATE && x->candidates >= MAX_CANDIDATES) return NULL;
    if ((x->nrecs + 1) * 2 > x->caprecs && !rec_grow(x)) return NULL;
    r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->flow_id = id;
    r->kind = kind;
    size_t mask = x->caprecs - 1;
    size_t i = (size_t)mix(x->seed, id) & mask;
    while (x->keys[i])
        i = (i + 1) & mask;
    x->keys[i] = id;
    x->vals[i] = r;
    x->nrecs++;
    if (kind == K_CANDIDATE) x->candidates++;
    return r;
}

static void rec_promote(rtp_ctx_t *x, rec_t *r, uint8_t kind, uint8_t via)
{
    if (r->kind == K_CANDIDATE && x->candidates) x->candidates--;
    r->kind = kind;
    if (!r->via) r->via = via;
}

static void rec_from_expected(rec_t *r, const expected_t *e)
{
    r->audio = e->audio;
    snprintf(r->call_id, sizeof r->call_id, "%s", e->call_id);
    if (e->ncodecs && !r->codecs) {
        r->codecs = malloc(e->ncodecs * sizeof *r->codecs);
        if (r->codecs) {
            memcpy(r->codecs, e->codecs, e->ncodecs * sizeof *r->codecs);
            r->ncodecs = e->ncodecs;
        }
    }
}

static const tpa_rtp_codec_t *rec_codec(const rec_t *r, uint8_t pt)
{
    for (unsigned i = 0; i < r->ncodecs; i++)
        if (r->codecs[i].pt == pt) return &r->codecs[i];
    return NULL;
}

/* Clock and name of pt on this flow: SDP first, then the static table. */
static uint32_t pt_info(const rec_t *r, uint8_t pt, const char **name, bool *audio)
{
    const tpa_rtp_codec_t *k = rec_codec(r, pt);
    uint32_t clock = 0;
    const char *n = NULL;
    bool a = false;
    if (k) {
        clock = k->clock;
        n = k->name[0] ? k->name : NULL;
        a = r->audio;
    }
    uint32_t sc;
    const char *sn;
    bool sa;
    if (tpa_rtp_static_pt(pt, &sc, &sn, &sa)) {
        if (!clock) clock = sc;
        if (!n) n = sn;
        a = a || sa;
    }
    if (name) *name = n;
    if (audio) *audio = a || (r->audio && r->via == VIA_SDP);
    return clock;
}

/* ---- RTP header ---- */

typedef struct hdr {
    uint8_t pt, marker;
    uint16_t seq;
    uint32_t ts, ssrc;
    size_t payload;
} hdr_t;

/* Parses an RTP header; returns -1 when well formed, else a TPA_MAL_* reason. */
static int parse_hdr(tpa_rd_t r, hdr_t *h)
{
    uint8_t b0 = tpa_rd_u8(&r), b1 = tpa_rd_u8(&r);
    h->seq = tpa_rd_be16(&r);
    h->ts = tpa_rd_be32(&r);
    h->ssrc = tpa_rd_be32(&r);
    h->pt = b1 & 0x7f;
    h->marker = b1 >> 7;
    tpa_rd_skip(&r, (size_t)(b0 & 0x0f) * 4);
    if (b0 & 0x10) {
        tpa_rd_skip(&r, 2);
        tpa_rd_skip(&r, (size_t)tpa_rd_be16(&r) * 4);
    }
    if (r.err) return TPA_MAL_RTP_TRUNCATED;
    h->payload = tpa_rd_remaining(&r);
    if (b0 & 0x20) {
        size_t pad = h->payload ? tpa_rd_peek(&r, h->payload - 1) : 0;
        if (pad == 0 || pad > h->payload) return TPA_MAL_RTP_PADDING_INVALID;
        h->payload -= pad;
    }
    return -1;
}

static bool pt_in_use(uint8_t pt)
{
    return pt <= 34 || pt >= 96;
}

/* The one-packet part of the heuristic. */
static bool looks_rtp(const tpa_rd_t *pl, hdr_t *h)
{
    tpa_rd_t r = *pl;
    if (!tpa_rd_has(&r, 12) || (tpa_rd_peek(&r, 0) >> 6) != 2) return false;
    uint8_t b1 = tpa_rd_peek(&r, 1);
    if (b1 >= 192 && b1 <= 223) return false; /* RTCP */
    return parse_hdr(r, h) < 0 && pt_in_use(h->pt) && h->ssrc != 0;
}

/* ---- stream statistics ---- */

/* Streams a heuristic candidate may hold: a flow whose SSRC changes with every packet
 * is no RTP, and must not cost TPA_RTP_MAX_STREAMS streams until that is clear. */
#define CANDIDATE_STREAMS 2

static stream_t *stream_get(rec_t *r, uint32_t ssrc, int dir)
{
    for (unsigned i = 0; i < r->nstreams; i++)
        if (r->streams[i].ssrc == ssrc && r->streams[i].dir == dir) return &r->streams[i];
    if (r->nstreams >= (r->kind == K_CANDIDATE ? CANDIDATE_STREAMS : TPA_RTP_MAX_STREAMS))
        return NULL;
    if (r->nstreams == r->cap) {
        unsigned cap = r->cap ? r->cap * 2 : 1;
        stream_t *n = realloc(r->streams, cap * sizeof *n);
        if (!n) return NULL;
        r->streams = n;
        r->cap = cap;
    }
    stream_t *s = &r->streams[r->nstreams++];
    memset(s, 0, sizeof *s);
    s->ssrc = ssrc;
    s->dir = (uint8_t)dir;
    return s;
}

static void jitter(stream_t *s, const hdr_t *h, int64_t now_us)
{
    if (!s->clock) return;
    double arrival = (double)(now_us - s->first_us) * s->clock / 1e6;
    double transit = arrival - (double)(int32_t)(h->ts - s->first_ts);
    if (s->has_transit) {
        double d = transit - s->transit;
        if (d < 0) d = -d;
        s->jitter += (d - s->jitter) / 16.0;
        if (s->jitter > s->max_jitter) s->max_jitter = s->jitter;
    }
    s->transit = transit;
    s->has_transit = 1;
}

static void stream_update(rec_t *r, int dir, const hdr_t *h, int64_t now_us)
{
    stream_t *s = stream_get(r, h->ssrc, dir);
    if (!s) return;
    const char *name;
    bool audio;
    uint32_t clock = pt_info(r, h->pt, &name, &audio);
    if (s->received == 0 && s->dups == 0) {
        s->pt = h->pt;
        s->clock = clock;
        s->base_seq = s->max_seq = s->last_seq = h->seq;
        s->bad_seq = 1u << 16 | 1; /* out of the 16-bit range: no pending jump */
        s->first_ts = s->last_ts = h->ts;
        s->first_us = s->last_us = now_us;
        s->received = 1;
        s->window = 1;
        jitter(s, h, now_us);
        return;
    }
    s->last_us = now_us;
    if (h->pt != s->pt) {
        const char *cur;
        pt_info(r, s->pt, &cur, NULL);
        if (is_side_codec(cur, s->pt) && !is_side_codec(name, h->pt)) {
            /* the stream is named after its voice/video payload, not CN or DTMF */
            s->pt = h->pt;
            if (clock != s->clock) {
                s->clock = clock;
                s->has_transit = 0;
                s->jitter = s->max_jitter = 0;
                s->first_us = now_us;
                s->first_ts = h->ts;
            }
        }
    }
    uint16_t udelta = (uint16_t)(h->seq - s->max_seq);
    bool dup = false;
    if (udelta == 0) {
        dup = true;
    } else if (udelta < MAX_DROPOUT) {
        if (h->seq < s->max_seq) s->cycles += 65536;
        s->window = udelta >= 64 ? 1 : (s->window << udelta) | 1;
        s->max_seq = h->seq;
        if (udelta == 1 && h->seq == (uint16_t)(s->last_seq + 1)) {
            uint32_t step = h->ts - s->last_ts;
            if (step && step < (1u << 20) && (!s->ptime_ts || step < s->ptime_ts))
                s->ptime_ts = step;
        }
        s->bad_seq = 1u << 16 | 1;
    } else if (udelta <= 65536 - MAX_MISORDER) {
        /* a big jump: believed once the next packet follows it (A.1) */
        if (h->seq == s->bad_seq) {
            s->expected_prior += s->cycles + s->max_seq - s->base_seq + 1;
            s->cycles = 0;
            s->base_seq = s->max_seq = h->seq;
            s->window = 1;
            s->bad_seq = 1u << 16 | 1;
        } else {
            s->bad_seq = (uint16_t)(h->seq + 1);
        }
    } else {
        unsigned back = 65536u - udelta;
        if (back < 64 && (s->window >> back) & 1) {
            dup = true;
        } else {
            if (back < 64) s->window |= 1ULL << back;
            s->ooo++;
        }
    }
    s->last_seq = h->seq;
    s->last_ts = h->ts;
    if (dup) {
        s->dups++;
        return;
    }
    s->received++;
    if (clock == s->clock) jitter(s, h, now_us);
}

/* ---- RTCP ---- */

static void rtcp_report(rtcp_counts_t *k, uint32_t reporter, tpa_rd_t *r)
{
    uint32_t ssrc = tpa_rd_be32(r);
    uint8_t fraction = tpa_rd_u8(r);
    uint32_t cum = tpa_rd_be24(r);
    tpa_rd_skip(r, 4); /* extended highest sequence */
    uint32_t jit = tpa_rd_be32(r);
    tpa_rd_skip(r, 8); /* LSR, DLSR */
    if (r->err) return;
    report_t *p = NULL;
    for (unsigned i = 0; i < k->nreports; i++)
        if (k->reports[i].reporter == reporter && k->reports[i].ssrc == ssrc) p = &k->reports[i];
    if (!p && k->nreports < MAX_REPORTS) p = &k->reports[k->nreports++];
    if (!p) return;
    p->reporter = reporter;
    p->ssrc = ssrc;
    p->fraction = fraction;
    p->cumulative = (cum & 0x800000) ? (int32_t)(cum | 0xff000000u) : (int32_t)cum;
    p->jitter = jit;
}

/* Whether pl is exactly a compound of RTCP packets (version 2, types 200-207, lengths
 * adding up to the datagram), starting with SR or RR when sr_rr_first. */
static bool rtcp_compound_ok(const tpa_rd_t *pl, bool sr_rr_first)
{
    tpa_rd_t r = *pl;
    bool first = true;
    if (!tpa_rd_has(&r, 8)) return false;
    while (tpa_rd_remaining(&r) > 0) {
        uint8_t b0 = tpa_rd_u8(&r), pt = tpa_rd_u8(&r);
        size_t len = (size_t)tpa_rd_be16(&r) * 4;
        if (r.err || (b0 >> 6) != 2 || pt < 192 || pt > 223) return false;
        if (sr_rr_first && first && pt != 200 && pt != 201) return false;
        first = false;
        if (!tpa_rd_has(&r, len)) return false;
        tpa_rd_skip(&r, len);
    }
    return true;
}

static void rtcp_count(rtcp_counts_t *k, uint8_t pt)
{
    switch (pt) {
    case 200:
        k->sr++;
        break;
    case 201:
        k->rr++;
        break;
    case 202:
        k->sdes++;
        break;
    case 203:
        k->bye++;
        break;
    case 204:
        k->app++;
        break;
    case 205:
    case 206:
        k->fb++;
        break;
    case 207:
        k->xr++;
        break;
    default:
        k->other++;
        break;
    }
}

static void rtcp_walk(tpa_dissect_ctx_t *c, rec_t *r, tpa_rd_t pl)
{
    if (!r->rtcp) {
        r->rtcp = calloc(1, sizeof *r->rtcp);
        if (!r->rtcp) return;
    }
    rtcp_counts_t *k = r->rtcp;
    k->packets++;
    if (!rtcp_compound_ok(&pl, false)) {
        /* SRTCP (RFC 3711 section 3.4): after the first 8 bytes the compound is
         * encrypted and an index and a tag follow it, so the lengths do not add up;
         * only the first header can be read. Anything else is malformed. */
        tpa_rd_t h = pl;
        uint8_t b0 = tpa_rd_u8(&h), pt = tpa_rd_u8(&h);
        size_t len = (size_t)tpa_rd_be16(&h) * 4;
        if (h.err) {
            tpa_dissect_short(c, TPA_MAL_RTCP_TRUNCATED);
        } else if ((b0 >> 6) != 2) {
            tpa_dissect_malformed(c, TPA_MAL_RTCP_BAD_VERSION);
        } else if (4 + len + 4 <= tpa_rd_remaining(&pl)) {
            rtcp_count(k, pt);
            k->encrypted++;
        } else {
            tpa_dissect_short(c, TPA_MAL_RTCP_LEN_INVALID);
        }
        return;
    }
    while (tpa_rd_remaining(&pl) > 0) {
        uint8_t b0 = tpa_rd_u8(&pl), pt = tpa_rd_u8(&pl);
        size_t len = (size_t)tpa_rd_be16(&pl) * 4;
        tpa_rd_t body = tpa_rd_sub(&pl, len);
        unsigned count = b0 & 0x1f;
        rtcp_count(k, pt);
        if (pt == 200 || pt == 201) {
            uint32_t me = tpa_rd_be32(&body);
            if (pt == 200) tpa_rd_skip(&body, 20); /* NTP, RTP timestamp, counts */
            for (unsigned i = 0; i < count && !body.err; i++)
                rtcp_report(k, me, &body);
            if (body.err) tpa_dissect_malformed(c, TPA_MAL_RTCP_LEN_INVALID);
        }
    }
}

/* ---- detection hooks ---- */

static bool expected_kind(tpa_dissect_ctx_t *c, uint8_t kind)
{
    if (c->transport != TPA_T_UDP || !c->dec || !c->dec->rtp) return false;
    rtp_ctx_t *x = c->dec->rtp;
    const tpa_flow_key_t *k = &c->flow->key;
    for (int s = 0; s < 2; s++) {
        expected_t *e = ep_find(x, k->family, k->addr[s], k->port[s]);
        if (!e || e->kind != kind) continue;
        rec_t *r = rec_get(x, c->flow_id, kind);
        if (r) {
            rec_promote(x, r, kind, VIA_SDP);
            rec_from_expected(r, e);
            r->secure = e->secure;
        }
        return true;
    }
    return false;
}

bool tpa_rtp_expected(tpa_dissect_ctx_t *c, const tpa_rd_t *payload)
{
    (void)payload;
    return expected_kind(c, K_RTP);
}

bool tpa_rtcp_expected(tpa_dissect_ctx_t *c, const tpa_rd_t *payload)
{
    (void)payload;
    return expected_kind(c, K_RTCP);
}

bool tpa_rtp_heur(tpa_dissect_ctx_t *c, const tpa_rd_t *payload)
{
    if (c->transport != TPA_T_UDP) return false;
    hdr_t h;
    rtp_ctx_t *x = ctx_of(c, false);
    rec_t *r = rec_find(x, c->flow_id);
    int dir = c->dir & 1;
    if (!looks_rtp(payload, &h)) {
        if (r && r->kind == K_CANDIDATE) r->heur[dir].run = 0;
        return false;
    }
    if (!r) {
        x = ctx_of(c, true);
        r = rec_get(x, c->flow_id, K_CANDIDATE);
        if (!r) return false;
    }
    if (r->kind != K_CANDIDATE) return false;
    if (r->last_frame != c->frame) {
        r->last_frame = c->frame;
        stream_update(r, dir, &h, c->ts_us);
    }
    heur_t *p = &r->heur[dir];
    uint16_t step = (uint16_t)(h.seq - p->seq);
    bool follows = p->run && p->ssrc == h.ssrc && p->pt == h.pt && step >= 1 &&
                   step <= HEUR_SEQ_STEP && (uint32_t)(h.ts - p->ts) < (1u << 31);
    p->run = follows ? (uint8_t)(p->run + 1) : 1;
    p->ssrc = h.ssrc;
    p->pt = h.pt;
    p->seq = h.seq;
    p->ts = h.ts;
    if (p->run < HEUR_RUN) return false;
    rec_promote(x, r, K_RTP, VIA_HEUR);
    return true;
}

bool tpa_rtcp_heur(tpa_dissect_ctx_t *c, const tpa_rd_t *payload)
{
    if (c->transport != TPA_T_UDP || !rtcp_compound_ok(payload, true)) return false;
    rtp_ctx_t *x = ctx_of(c, true);
    rec_t *r = rec_get(x, c->flow_id, K_RTCP);
    if (r) {
        if (r->kind == K_CANDIDATE) { /* what the RTP heuristic counted was not RTP */
            free(r->streams);
            r->streams = NULL;
            r->nstreams = r->cap = 0;
        }
        rec_promote(x, r, K_RTCP, VIA_HEUR);
    }
    return true;
}

/* ---- datagram functions ---- */

static rec_t *rec_for_call(tpa_dissect_ctx_t *c, uint8_t kind)
{
    rtp_ctx_t *x = ctx_of(c, true);
    rec_t *r = rec_get(x, c->flow_id, kind);
    if (r && r->kind == K_CANDIDATE) rec_promote(x, r, kind, VIA_HEUR);
    return r;
}

void tpa_rtp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    rec_t *r = rec_for_call(c, K_RTP);
    if (!r || r->last_frame == c->frame) return; /* counted by the heuristic already */
    r->last_frame = c->frame;
    tpa_rd_t p = *payload;
    if (!tpa_rd_has(&p, 2) || (tpa_rd_peek(&p, 0) >> 6) != 2) {
        r->non_rtp++; /* STUN, DTLS, ZRTP sharing the port (RFC 7983) */
        return;
    }
    uint8_t b1 = tpa_rd_peek(&p, 1);
    if (b1 >= 192 && b1 <= 223) { /* RFC 5761 */
        rtcp_walk(c, r, p);
        return;
    }
    hdr_t h;
    int bad = parse_hdr(p, &h);
    if (bad == TPA_MAL_RTP_TRUNCATED) {
        tpa_dissect_short(c, bad);
        return;
    }
    if (bad >= 0) tpa_dissect_malformed(c, bad);
    stream_update(r, c->dir & 1, &h, c->ts_us);
}

void tpa_rtcp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    rec_t *r = rec_for_call(c, K_RTCP);
    if (!r || r->last_frame == c->frame) return;
    r->last_frame = c->frame;
    rtcp_walk(c, r, *payload);
}

/* ---- quality and results ---- */

typedef struct codec_q {
    const char *name;
    double ie, bpl, lookahead_ms;
} codec_q_t;

static const codec_q_t codec_quality[] = {
    {"PCMU", 0, 25.1, 0}, {"PCMA", 0, 25.1, 0}, {"G729", 11, 19.0, 5}, {"G723", 15, 16.1, 7.5},
    {"GSM", 20, 10, 0},   {"AMR", 5, 10, 5},    {"iLBC", 11, 19.0, 5},
};

double tpa_rtp_mos(const char *codec, double loss_pct, double jitter_ms, double ptime_ms)
{
    double ie = 0, bpl = 25.1, la = 0;
    for (size_t i = 0; codec && i < sizeof codec_quality / sizeof codec_quality[0]; i++)
        if (strcasecmp(codec, codec_quality[i].name) == 0) {
            ie = codec_quality[i].ie;
            bpl = codec_quality[i].bpl;
            la = codec_quality[i].lookahead_ms;
        }
    if (loss_pct < 0) loss_pct = 0;
    if (loss_pct > 100) loss_pct = 100;
    if (jitter_ms < 0) jitter_ms = 0;
    if (ptime_ms <= 0) ptime_ms = 20;
    double d = 20 + ptime_ms + 2 * jitter_ms + la;
    double id = 0.024 * d + (d > 177.3 ? 0.11 * (d - 177.3) : 0);
    double ie_eff = ie + (95 - ie) * loss_pct / (loss_pct + bpl);
    double r = 93.2 - id - ie_eff;
    if (r <= 0) return 1.0;
    if (r >= 100) return 4.5;
    return 1 + 0.035 * r + r * (r - 60) * (100 - r) * 7e-6;
}

static rec_t *rec_of(tpa_decoder_t *d, const tpa_flow_t *f)
{
    if (!d || !f) return NULL;
    rec_t *r = rec_find(d->rtp, f->id);
    return r && r->kind != K_CANDIDATE ? r : NULL;
}

unsigned tpa_rtp_streams(tpa_decoder_t *d, const tpa_flow_t *f)
{
    rec_t *r = rec_of(d, f);
    return r && r->kind == K_RTP ? r->nstreams : 0;
}

bool tpa_rtp_stream_info(tpa_decoder_t *d, const tpa_flow_t *f, unsigned i,
                         tpa_rtp_stream_info_t *out)
{
    rec_t *r = rec_of(d, f);
    if (!r || r->kind != K_RTP || i >= r->nstreams) return false;
    const stream_t *s = &r->streams[i];
    memset(out, 0, sizeof *out);
    out->ssrc = s->ssrc;
    out->pt = s->pt;
    out->dir = s->dir;
    out->clock = s->clock;
    pt_info(r, s->pt, &out->codec, &out->audio);
    out->packets = s->received + s->dups;
    out->expected = s->expected_prior + s->cycles + s->max_seq - s->base_seq + 1;
    out->lost = out->expected > s->received ? out->expected - s->received : 0;
    out->duplicates = s->dups;
    out->out_of_order = s->ooo;
    out->loss_pct = out->expected ? 100.0 * (double)out->lost / (double)out->expected : 0;
    out->first_us = s->first_us;
    out->last_us = s->last_us;
    if (s->clock) {
        out->jitter_ms = s->jitter * 1000.0 / s->clock;
        out->max_jitter_ms = s->max_jitter * 1000.0 / s->clock;
        out->ptime_ms = s->ptime_ts ? s->ptime_ts * 1000.0 / s->clock : -1;
    } else {
        out->jitter_ms = out->max_jitter_ms = out->ptime_ms = -1;
    }
    out->mos = out->audio && s->clock
                   ? tpa_rtp_mos(out->codec, out->loss_pct, out->jitter_ms, out->ptime_ms)
                   : -1;
    return true;
}

/* v >= 0 rounded to 1 / scale (no libm). */
static double rnd(double v, double scale)
{
    return (double)(long long)(v * scale + 0.5) / scale;
}

static json_t *num_or_null(double v, double scale)
{
    return v < 0 ? json_null() : json_real(rnd(v, scale));
}

static json_t *hex32(uint32_t v)
{
    char b[16];
    snprintf(b, sizeof b, "0x%08x", (unsigned)v);
    return json_string(b);
}

static json_t *rtcp_json(const rtcp_counts_t *k)
{
    json_t *o =
        json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "packets", (json_int_t)k->packets, "sr",
                  (json_int_t)k->sr, "rr", (json_int_t)k->rr, "sdes", (json_int_t)k->sdes, "bye",
                  (json_int_t)k->bye, "app", (json_int_t)k->app, "feedback", (json_int_t)k->fb,
                  "xr", (json_int_t)k->xr, "other", (json_int_t)k->other);
    json_t *rep = json_array();
    for (unsigned i = 0; o && rep && i < k->nreports; i++) {
        const report_t *p = &k->reports[i];
        json_t *e = json_object();
        json_object_set_new(e, "reporter", hex32(p->reporter));
        json_object_set_new(e, "ssrc", hex32(p->ssrc));
        json_object_set_new(e, "fraction_lost", json_real(p->fraction / 256.0));
        json_object_set_new(e, "cumulative_lost", json_integer(p->cumulative));
        json_object_set_new(e, "jitter", json_integer(p->jitter));
        json_array_append_new(rep, e);
    }
    if (o) json_object_set_new(o, "encrypted", json_integer((json_int_t)k->encrypted));
    if (o) json_object_set_new(o, "reports", rep ? rep : json_array());
    return o;
}

json_t *tpa_rtp_flow_json(tpa_decoder_t *d, const tpa_flow_t *f, const char **key)
{
    rec_t *r = rec_of(d, f);
    if (!r) return NULL;
    json_t *o = json_object();
    if (!o) return NULL;
    *key = r->kind == K_RTP ? "rtp" : "rtcp";
    json_object_set_new(o, "detected", json_string(r->via == VIA_SDP ? "sdp" : "heuristic"));
    json_object_set_new(o, "call_id", r->call_id[0] ? json_string(r->call_id) : json_null());
    if (r->kind == K_RTCP) {
        json_t *k = r->rtcp ? rtcp_json(r->rtcp) : NULL;
        if (k) {
            json_object_update(o, k);
            json_decref(k);
        }
        return o;
    }
    json_t *arr = json_array();
    for (unsigned i = 0; arr && i < r->nstreams; i++) {
        tpa_rtp_stream_info_t s;
        if (!tpa_rtp_stream_info(d, f, i, &s)) continue;
        json_t *e = json_object();
        if (!e) break;
        json_object_set_new(e, "ssrc", hex32(s.ssrc));
        json_object_set_new(e, "direction", json_string(s.dir ? "b_to_a" : "a_to_b"));
        json_object_set_new(e, "pt", json_integer(s.pt));
        json_object_set_new(e, "codec", s.codec ? json_string(s.codec) : json_null());
        json_object_set_new(e, "clock_rate", s.clock ? json_integer(s.clock) : json_null());
        json_object_set_new(e, "packets", json_integer((json_int_t)s.packets));
        json_object_set_new(e, "expected", json_integer((json_int_t)s.expected));
        json_object_set_new(e, "lost", json_integer((json_int_t)s.lost));
        json_object_set_new(e, "loss_pct", json_real(rnd(s.loss_pct, 1000)));
        json_object_set_new(e, "duplicates", json_integer((json_int_t)s.duplicates));
        json_object_set_new(e, "out_of_order", json_integer((json_int_t)s.out_of_order));
        json_object_set_new(e, "jitter_ms", num_or_null(s.jitter_ms, 1000));
        json_object_set_new(e, "max_jitter_ms", num_or_null(s.max_jitter_ms, 1000));
        json_object_set_new(e, "ptime_ms", num_or_null(s.ptime_ms, 1000));
        json_object_set_new(e, "mos", num_or_null(s.mos, 100));
        json_object_set_new(e, "first_ts", json_real((double)s.first_us / 1e6));
        json_object_set_new(e, "last_ts", json_real((double)s.last_us / 1e6));
        json_object_set_new(e, "call_id", r->call_id[0] ? json_string(r->call_id) : json_null());
        json_array_append_new(arr, e);
    }
    json_object_set_new(o, "streams", arr ? arr : json_array());
    json_object_set_new(o, "non_rtp_packets", json_integer((json_int_t)r->non_rtp));
    if (r->rtcp) json_object_set_new(o, "rtcp", rtcp_json(r->rtcp));
    return o;
}

int tpa_rtp_findings(tpa_decoder_t *d, tpa_flow_t *const *flows, size_t n, json_t *list)
{
    unsigned voice = 0, poor = 0;
    tpa_rtp_stream_info_t worst;
    uint32_t worst_flow = 0;
    const char *worst_call = NULL;
    json_t *fl = json_array();
    if (!fl) return TPA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        unsigned ns = tpa_rtp_streams(d, flows[i]);
        bool bad = false;
        for (unsigned k = 0; k < ns; k++) {
            tpa_rtp_stream_info_t s;
            if (!tpa_rtp_stream_info(d, flows[i], k, &s) || s.mos < 0 ||
                s.expected < TPA_RTP_FINDING_MIN_PACKETS)
                continue;
            voice++;
            if (s.mos >= TPA_RTP_POOR_MOS) continue;
            poor++;
            bad = true;
            if (!worst_flow || s.mos < worst.mos) {
                worst = s;
                worst_flow = flows[i]->id;
                rec_t *r = rec_of(d, flows[i]);
                worst_call = r && r->call_id[0] ? r->call_id : NULL;
            }
        }
        if (bad && json_array_size(fl) < 50) json_array_append_new(fl, json_integer(flows[i]->id));
    }
    if (!poor) {
        json_decref(fl);
        return 0;
    }
    char detail[512];
    snprintf(detail, sizeof detail,
             "%u of %u voice streams score an estimated MOS below %.1f (E-model from loss and "
             "jitter); the worst, SSRC 0x%08x on flow %u%s%s, scores %.2f with %.1f%% loss "
             "and %.1f ms jitter.",
             poor, voice, TPA_RTP_POOR_MOS, (unsigned)worst.ssrc, (unsigned)worst_flow,
             worst_call ? ", call " : "", worst_call ? worst_call : "", worst.mos, worst.loss_pct,
             worst.jitter_ms < 0 ? 0.0 : worst.jitter_ms);
    json_t *f = json_pack("{s:s,s:s,s:s,s:s,s:s,s:{s:[],s:o,s:[]}}", "id", "", "rule",
                          "rtp.poor_quality", "severity", worst.mos < 2.5 ? "critical" : "warning",
                          "title", "Poor voice quality", "detail", detail, "evidence", "frames",
                          "flows", fl, "transactions");
    if (!f) return TPA_ERR_NOMEM;
    return json_array_append_new(list, f) < 0 ? TPA_ERR_NOMEM : 0;
}
