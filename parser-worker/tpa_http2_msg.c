/* tpa_http2_msg.c - HTTP/2 streams as signalling messages (see tpa_http2_int.h).
 *
 * RFC 9113 8.1: a request or response is a field block (HEADERS, or PUSH_PROMISE for a
 * promised request), optional DATA, optional trailers; END_STREAM ends a side of the
 * stream. 8.1.1: any number of 1xx (informational) responses precede the final one.
 * A message is reported when its field block is decoded, or - when its body tells
 * more (SBI JSON identities, ProblemDetails, multipart parts, gRPC trailers) - when
 * that side of the stream ends, always with the frame and time of its field block.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_decode_int.h"
#include "tpa_fmt.h"
#include "tpa_http2.h"
#include "tpa_http2_int.h"
#include "tpa_nas.h"
#include "tpa_sbi.h"
#include "tpa_sig.h"

#define HELD_MAX 256 /* messages held per unconfirmed flow */
#define PROC_MAX (TPA_SBI_NAME_MAX + 24)

/* One message waiting for its body (per stream and direction). */
typedef struct h2msg {
    bool pending;
    bool collect;      /* keep the body */
    bool over;         /* body incomplete (too long, lost) */
    uint8_t body_kind; /* tpa_sbi_body_t */
    uint8_t kind;      /* tpa_sig_kind_t */
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

struct tpa_h2_stream {
    uint32_t id;
    bool ended[2]; /* END_STREAM seen per flow direction */
    bool final[2]; /* a final (non-1xx) response seen per flow direction */
    bool has_proc;
    char proc[PROC_MAX];
    tpa_sbi_ids_t ids;
    h2msg_t msg[2];
};

/* A message of a flow not yet known to be h2c, kept until it is (or dropped). */
struct tpa_h2_held {
    uint64_t frame;
    int64_t ts_us;
    uint8_t side, dir, kind, outcome;
    uint16_t sport, dport;
    bool has_cause;
    int64_t cause;
    char code[16], name[48], proc[PROC_MAX], key[24], cause_name[64], family[8];
    tpa_sbi_ids_t ids;
};

/* s (NULL: "") into dst[0..size), cut to fit. */
static void copy(char *dst, size_t size, const char *s)
{
    tpa_fmt_t f;
    tpa_fmt_init(&f, dst, size);
    tpa_fmt_s(&f, s);
}

/* The stream's procedure "<method> <service>" ("/" without a service). */
static void proc_name(tpa_h2_stream_t *s, const char *method, const char *svc)
{
    tpa_fmt_t f;
    tpa_fmt_init(&f, s->proc, sizeof s->proc);
    tpa_fmt_s(&f, method);
    tpa_fmt_c(&f, ' ');
    tpa_fmt_s(&f, svc[0] ? svc : "/");
}

void tpa_h2_buf_free(uint8_t **b, size_t *len, size_t *cap)
{
    free(*b);
    *b = NULL;
    *len = *cap = 0;
}

bool tpa_h2_buf_add(uint8_t **b, size_t *len, size_t *cap, tpa_rd_t *r, size_t n)
{
    if (n == 0) return true; /* *b may still be NULL: no NULL + 0 */
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

static void body_free(tpa_h2_msgs_t *m, h2msg_t *g)
{
    m->body_total -= g->body_cap;
    tpa_h2_buf_free(&g->body, &g->body_len, &g->body_cap);
}

void tpa_h2_msgs_free(tpa_h2_msgs_t *m)
{
    for (unsigned i = 0; i < m->ns; i++) {
        body_free(m, &m->s[i]->msg[0]);
        body_free(m, &m->s[i]->msg[1]);
        free(m->s[i]);
    }
    free(m->s);
    free(m->held);
    memset(m, 0, sizeof *m);
}

/* ---- confirmation: is this flow an h2c service? ---- */

/* Ports where cleartext HTTP/2 is the service (3GPP SBI as open-source cores deploy
 * it: 80, 8080, 8000, 7777, 29500-29599), or ones this capture proved h2c. */
static bool port_h2c(const tpa_dissect_ctx_t *c, uint16_t p)
{
    if (p == 80 || p == 8080 || p == 8000 || p == 7777 || (p >= 29500 && p <= 29599)) return true;
    return c->dec && (c->dec->h2c_ports[p >> 3] & (1u << (p & 7)));
}

void tpa_h2_msgs_prove(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c)
{
    if (c->dec) c->dec->h2c_ports[c->dport >> 3] |= (uint8_t)(1u << (c->dport & 7));
    tpa_h2_msgs_confirm(m, c);
}

/* c with the frame, time and sender of an earlier message. */
static tpa_dissect_ctx_t ctx_at(const tpa_dissect_ctx_t *c, uint64_t frame, int64_t ts_us, int side,
                                int dir, uint16_t sport, uint16_t dport)
{
    tpa_dissect_ctx_t rc = *c;
    rc.frame = frame;
    rc.ts_us = ts_us;
    rc.side = side;
    rc.dir = dir;
    rc.sport = sport;
    rc.dport = dport;
    return rc;
}

static void held_report(tpa_dissect_ctx_t *c, const tpa_h2_held_t *m)
{
    tpa_dissect_ctx_t rc = ctx_at(c, m->frame, m->ts_us, m->side, m->dir, m->sport, m->dport);
    tpa_sig_t sig;
    tpa_sig_init(&sig);
    sig.protocol = "http2";
    sig.code = m->code;
    sig.name = m->name;
    sig.kind = (tpa_sig_kind_t)m->kind;
    sig.procedure = m->proc[0] ? m->proc : NULL;
    sig.key = m->key;
    sig.outcome = (tpa_sig_outcome_t)m->outcome;
    sig.has_cause = m->has_cause;
    sig.cause = m->cause;
    sig.cause_name = m->has_cause ? m->cause_name : NULL;
    sig.cause_family = m->has_cause ? m->family : NULL;
    tpa_sbi_ids_to_sig(&m->ids, &sig);
    tpa_sig_report(&rc, &sig);
}

void tpa_h2_msgs_confirm(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c)
{
    if (m->confirmed || !(port_h2c(c, c->sport) || port_h2c(c, c->dport))) return;
    tpa_h2_msgs_assume(m, c);
}

void tpa_h2_msgs_assume(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c)
{
    if (m->confirmed) return;
    m->confirmed = true;
    for (unsigned i = 0; i < m->nheld; i++)
        held_report(c, &m->held[i]);
    free(m->held);
    m->held = NULL;
    m->nheld = 0;
}

/* Reports sig as sent in rc's frame, or holds a copy while the flow is unconfirmed. */
static void emit(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *rc, const tpa_sig_t *sig,
                 const tpa_sbi_ids_t *ids)
{
    if (m->confirmed) {
        tpa_sig_report(rc, sig);
        return;
    }
    if (!m->held) m->held = calloc(HELD_MAX, sizeof *m->held);
    if (!m->held || m->nheld >= HELD_MAX) {
        m->unreported++;
        return;
    }
    tpa_h2_held_t *h = &m->held[m->nheld++];
    h->frame = rc->frame;
    h->ts_us = rc->ts_us;
    h->side = (uint8_t)rc->side;
    h->dir = (uint8_t)rc->dir;
    h->sport = rc->sport;
    h->dport = rc->dport;
    h->kind = (uint8_t)sig->kind;
    h->outcome = (uint8_t)sig->outcome;
    h->has_cause = sig->has_cause;
    h->cause = sig->cause;
    copy(h->code, sizeof h->code, sig->code);
    copy(h->name, sizeof h->name, sig->name ? sig->name : sig->code);
    copy(h->proc, sizeof h->proc, sig->procedure);
    copy(h->key, sizeof h->key, sig->key);
    copy(h->cause_name, sizeof h->cause_name, sig->cause_name);
    copy(h->family, sizeof h->family, sig->cause_family ? sig->cause_family : "http");
    if (ids)
        h->ids = *ids;
    else
        h->ids.n = 0;
}

/* ---- streams ---- */

static tpa_h2_stream_t *stream_find(tpa_h2_msgs_t *m, uint32_t id)
{
    for (unsigned i = m->ns; i-- > 0;)
        if (m->s[i]->id == id) return m->s[i];
    return NULL;
}

static void stream_drop(tpa_h2_msgs_t *m, tpa_h2_stream_t *s)
{
    for (unsigned i = 0; i < m->ns; i++) {
        if (m->s[i] != s) continue;
        body_free(m, &s->msg[0]);
        body_free(m, &s->msg[1]);
        free(s);
        memmove(&m->s[i], &m->s[i + 1], (m->ns - i - 1) * sizeof m->s[0]);
        m->ns--;
        return;
    }
}

static void report(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, tpa_h2_stream_t *s, int dir);

/* The stream with id, created when absent (the oldest one reported and dropped when
 * TPA_HTTP2_MAX_STREAMS are open). NULL when out of memory. */
static tpa_h2_stream_t *stream_get(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, uint32_t id)
{
    tpa_h2_stream_t *s = stream_find(m, id);
    if (s) return s;
    if (m->ns >= TPA_HTTP2_MAX_STREAMS) {
        tpa_h2_stream_t *old = m->s[0];
        report(m, c, old, 0);
        report(m, c, old, 1);
        stream_drop(m, old);
    }
    if (m->ns == m->cap) {
        unsigned nc = m->cap ? m->cap * 2 : 8;
        tpa_h2_stream_t **ns = realloc(m->s, nc * sizeof *ns);
        if (!ns) return NULL;
        m->s = ns;
        m->cap = nc;
    }
    s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->id = id;
    m->s[m->ns++] = s;
    m->streams++;
    return s;
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
        uint8_t json[4096]; /* SBI JSON parts that name a subscriber are small */
        size_t n = tpa_rd_remaining(content);
        if (n > sizeof json) return;
        tpa_rd_bytes(content, json, n);
        tpa_sbi_json_ids(json, n, u->ids);
    } else if (k == TPA_SBI_BODY_NAS && u->nas && tpa_rd_remaining(content) > 0) {
        tpa_nas5gs_dissect(u->c, content, NULL);
    }
}

/* Name and outcome of a response into sig (name, cause buffers owned by the caller). */
static void response_sig(const h2msg_t *g, bool body, tpa_sig_t *sig, char *name, size_t nlen,
                         char *cause, size_t clen)
{
    const char *reason = tpa_sbi_reason(g->status);
    tpa_fmt_t f;
    tpa_fmt_init(&f, name, nlen);
    tpa_fmt_s(&f, g->code);
    if (reason) {
        tpa_fmt_c(&f, ' ');
        tpa_fmt_s(&f, reason);
    }
    sig->name = name;
    int st = g->status;
    if (body && g->body_kind == TPA_SBI_BODY_PROBLEM)
        tpa_sbi_problem(g->body, g->body_len, &st, cause, clen);
    if (g->status >= 400) {
        sig->outcome = TPA_SIG_FAILURE;
        sig->has_cause = true;
        sig->cause = st;
        sig->cause_name = cause[0] ? cause : (reason ? reason : g->code);
        sig->cause_family = "http";
    } else if (g->grpc_status > 0) {
        sig->outcome = TPA_SIG_FAILURE;
        sig->has_cause = true;
        sig->cause = g->grpc_status;
        sig->cause_name = g->grpc_msg[0] ? g->grpc_msg : "grpc-status";
        sig->cause_family = "grpc";
    }
}

/* Reports the message waiting in s->msg[dir] (nothing when none). */
static void report(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, tpa_h2_stream_t *s, int dir)
{
    h2msg_t *g = &s->msg[dir];
    if (!g->pending) return;
    g->pending = false;
    if (g->kind != TPA_SIG_REQUEST && s->msg[!dir].pending && s->msg[!dir].kind == TPA_SIG_REQUEST)
        report(m, c, s, !dir); /* a request before its answer */
    tpa_dissect_ctx_t rc = ctx_at(c, g->frame, g->ts_us, g->side, g->dir, g->sport, g->dport);
    bool body = g->body_len && !g->over;
    tpa_sig_t sig;
    tpa_sig_init(&sig);
    sig.protocol = "http2";
    sig.code = g->code;
    sig.kind = (tpa_sig_kind_t)g->kind;
    sig.procedure = s->has_proc ? s->proc : NULL;
    char key[24], name[48], cause[64] = "";
    tpa_fmt_t f;
    tpa_fmt_init(&f, key, sizeof key);
    tpa_fmt_s(&f, "stream=");
    tpa_fmt_u(&f, s->id);
    sig.key = key;
    if (g->kind == TPA_SIG_REQUEST) {
        sig.name = g->code;
        if (body && g->body_kind == TPA_SBI_BODY_JSON)
            tpa_sbi_json_ids(g->body, g->body_len, &s->ids);
        if (body && g->body_kind == TPA_SBI_BODY_MULTIPART) {
            parts_ud_t u = {&rc, &s->ids, false};
            tpa_sbi_multipart(g->body, g->body_len, g->boundary, on_part, &u);
        }
        tpa_sbi_ids_to_sig(&s->ids, &sig);
    } else {
        response_sig(g, body, &sig, name, sizeof name, cause, sizeof cause);
    }
    emit(m, &rc, &sig, g->kind == TPA_SIG_REQUEST ? &s->ids : NULL);
    /* NAS inside a flow not known to be h2c is not counted either */
    if (m->confirmed && body && g->body_kind == TPA_SBI_BODY_MULTIPART) {
        parts_ud_t u = {&rc, NULL, true};
        tpa_sbi_multipart(g->body, g->body_len, g->boundary, on_part, &u);
    } else if (m->confirmed && body && g->body_kind == TPA_SBI_BODY_NAS) {
        tpa_rd_t nas = tpa_rd_init(g->body, g->body_len);
        tpa_nas5gs_dissect(&rc, &nas, NULL);
    }
    body_free(m, g);
}

/* END_STREAM in dir (or the stream reset): report what waits, drop a finished stream. */
static void stream_end(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, tpa_h2_stream_t *s, int dir,
                       bool reset)
{
    s->ended[dir] = true;
    report(m, c, s, dir);
    if (reset) {
        report(m, c, s, !dir);
        s->ended[!dir] = true;
    }
    /* done: both sides ended, or the answer is complete and nothing else waits */
    bool answered = (s->final[dir] && s->ended[dir]) || (s->final[!dir] && s->ended[!dir]);
    if ((s->ended[0] && s->ended[1]) || (answered && !s->msg[0].pending && !s->msg[1].pending))
        stream_drop(m, s);
}

/* A new waiting message of kind from the block's frame. */
static h2msg_t *msg_start(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, tpa_h2_stream_t *s,
                          const tpa_h2_block_t *b, int kind, const char *code)
{
    int dir = c->dir & 1;
    report(m, c, s, dir); /* anything still waiting in this direction goes first */
    h2msg_t *g = &s->msg[dir];
    body_free(m, g);
    memset(g, 0, sizeof *g);
    g->pending = true;
    g->kind = (uint8_t)kind;
    g->frame = b->frame;
    g->ts_us = b->ts_us;
    g->side = (uint8_t)c->side;
    g->dir = (uint8_t)c->dir;
    g->sport = c->sport;
    g->dport = c->dport;
    copy(g->code, sizeof g->code, code);
    return g;
}

void tpa_h2_msgs_block(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, const tpa_h2_fields_t *f,
                       const tpa_h2_block_t *b)
{
    int dir = c->dir & 1;
    tpa_h2_stream_t *s = stream_get(m, c, b->sid);
    if (m->confirmed) {
        /* extra :method / :status in one block: counted as tshark counts them */
        for (unsigned i = s ? 1 : 0; i < f->n_method; i++)
            tpa_dissect_message(c, "http2", f->method, f->method);
        for (unsigned i = s ? 1 : 0; i < f->n_status; i++)
            tpa_dissect_message(c, "http2", f->status, NULL);
    }
    if (!s) return;
    char bnd[72];
    tpa_sbi_body_t bk = tpa_sbi_content_type(f->ctype, bnd, sizeof bnd);
    if (f->n_method) {
        h2msg_t *g = msg_start(m, c, s, b, TPA_SIG_REQUEST, f->method);
        char svc[TPA_SBI_NAME_MAX], res[TPA_SBI_NAME_MAX];
        tpa_sbi_path(f->path, svc, sizeof svc, res, sizeof res);
        proc_name(s, f->method, svc);
        s->has_proc = true;
        s->ids.n = 0;
        tpa_sbi_path_ids(f->path, &s->ids);
        g->body_kind = (uint8_t)bk;
        memcpy(g->boundary, bnd, sizeof g->boundary);
        g->collect =
            !b->end && !b->push &&
            (bk == TPA_SBI_BODY_JSON || bk == TPA_SBI_BODY_MULTIPART || bk == TPA_SBI_BODY_NAS);
        if (!g->collect) report(m, c, s, dir);
    }
    if (f->n_status) {
        int st = atoi(f->status);
        h2msg_t *g = msg_start(
            m, c, s, b, st >= 100 && st < 200 ? TPA_SIG_INDICATION : TPA_SIG_RESPONSE, f->status);
        if (g->kind == TPA_SIG_RESPONSE) s->final[dir] = true;
        g->status = st;
        g->body_kind = (uint8_t)bk;
        memcpy(g->boundary, bnd, sizeof g->boundary);
        bool grpc = strncasecmp(f->ctype, "application/grpc", 16) == 0;
        g->collect = !b->end && g->kind == TPA_SIG_RESPONSE &&
                     ((bk == TPA_SBI_BODY_PROBLEM && st >= 400) || bk == TPA_SBI_BODY_MULTIPART ||
                      bk == TPA_SBI_BODY_NAS || grpc);
        if (grpc) g->body_kind = TPA_SBI_BODY_OTHER; /* waits for the trailers only */
        if (!g->collect) report(m, c, s, dir);
    } else if (!f->n_method && s->msg[dir].pending && f->has_grpc_status) {
        /* trailers of the message waiting in this direction */
        s->msg[dir].grpc_status = f->grpc_status;
        memcpy(s->msg[dir].grpc_msg, f->grpc_msg, sizeof f->grpc_msg);
    }
    if (b->end) stream_end(m, c, s, dir, false);
}

void tpa_h2_msgs_data(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, uint32_t sid, tpa_rd_t *content,
                      bool end)
{
    int dir = c->dir & 1;
    tpa_h2_stream_t *s = stream_find(m, sid);
    size_t n = content ? tpa_rd_remaining(content) : 0;
    if (s) {
        h2msg_t *g = &s->msg[dir];
        if (!content) g->over = true;
        if (g->pending && g->collect && !g->over && n) {
            if (g->body_kind == TPA_SBI_BODY_OTHER) {
                /* gRPC: only the trailers matter */
            } else if (g->body_len + n > TPA_HTTP2_BODY_MAX ||
                       m->body_total + n > TPA_HTTP2_BODY_TOTAL) {
                g->over = true;
            } else {
                size_t before = g->body_cap;
                if (!tpa_h2_buf_add(&g->body, &g->body_len, &g->body_cap, content, n))
                    g->over = true;
                m->body_total += g->body_cap - before;
            }
        }
        if (g->pending && g->over) report(m, c, s, dir);
    }
    if (content) tpa_rd_skip(content, tpa_rd_remaining(content));
    if (s && end) stream_end(m, c, s, dir, false);
}

void tpa_h2_msgs_reset(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, uint32_t sid)
{
    tpa_h2_stream_t *s = stream_find(m, sid);
    if (s) stream_end(m, c, s, c->dir & 1, true);
}

void tpa_h2_msgs_upgrade(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, const char *method,
                         const char *path)
{
    tpa_h2_stream_t *s = stream_get(m, c, 1);
    if (!s || !method[0]) return;
    char svc[TPA_SBI_NAME_MAX], res[TPA_SBI_NAME_MAX];
    tpa_sbi_path(path, svc, sizeof svc, res, sizeof res);
    proc_name(s, method, svc);
    s->has_proc = true;
    s->ended[c->dir & 1] = true;
}

void tpa_h2_msgs_hole(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c)
{
    int dir = c->dir & 1;
    for (unsigned i = 0; i < m->ns; i++) {
        tpa_h2_stream_t *s = m->s[i];
        if (!s->msg[dir].pending) continue;
        s->msg[dir].over = true;
        report(m, c, s, dir);
    }
}

void tpa_h2_msgs_end(tpa_h2_msgs_t *m, tpa_dissect_ctx_t *c, bool close)
{
    int dir = c->dir & 1;
    for (unsigned i = 0; i < m->ns; i++)
        report(m, c, m->s[i], dir);
    if (!close) return;
    while (m->ns)
        stream_drop(m, m->s[m->ns - 1]);
    if (!m->confirmed) {
        m->unreported += m->nheld;
        m->nheld = 0;
    }
}
