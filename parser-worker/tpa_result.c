/* tpa_result.c - the result document from a finished decoder (see tpa_result.h). */
#include "tpa_result.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_dissect.h"
#include "tpa_err.h"
#include "tpa_fmt.h"
#include "tpa_json_out.h"
#include "tpa_jw.h"
#include "tpa_literal.h"
#include "tpa_rtp.h"
#include "tpa_sctp.h"
#include "tpa_sigstate.h"
#include "tpa_tcp.h"
#include "tpa_txn.h"

#ifndef TPA_VERSION
#define TPA_VERSION "0.0.0"
#endif

#define MAX_FINDING_FRAMES 50

/* ---- the sink: message counters in an open-addressing hash table ---- */

typedef struct msg_entry {
    char *protocol, *code, *name; /* owned; NULL protocol = empty slot */
    uint64_t count;
    uint64_t hash;
} msg_entry_t;

/* The entry last counted per (protocol, code) address pair: dissectors pass literals
 * (every G-PDU is "gtp", "255"), so two short compares replace hashing both strings.
 * The text is compared every time (a caller's buffer may have changed), except when
 * both strings lie in a read-only segment of the program (literals): their text
 * cannot change, so the addresses alone decide. memo[] is found by the addresses and
 * the code's first bytes and holds any pair (count_message); fmemo[] is found by the
 * addresses alone and holds pairs of literals only, the common case's one lookup. */
#define MSG_MEMO 256
#define MSG_FMEMO 1024

typedef struct msg_memo {
    const char *protocol, *code;
    msg_entry_t *e; /* NULL = empty; cleared when the slots move */
    bool fixed;     /* both strings are in a read-only segment */
} msg_memo_t;

struct tpa_result_sink {
    const msg_memo_t *last; /* the fmemo slot counted last: most calls repeat it (a run of
                               G-PDUs); never NULL */
    msg_entry_t *slots;
    size_t nslots; /* power of two, kept at most half full */
    size_t used;
    uint64_t total;
    tpa_literals_t lit; /* the program's read-only segments */
    msg_memo_t memo[MSG_MEMO];
    msg_memo_t fmemo[MSG_FMEMO];
};

tpa_result_sink_t *tpa_result_sink_new(void)
{
    tpa_result_sink_t *s = calloc(1, sizeof *s);
    if (!s) return NULL;
    s->nslots = 64;
    s->slots = calloc(s->nslots, sizeof *s->slots);
    if (!s->slots) {
        free(s);
        return NULL;
    }
    tpa_literals_init(&s->lit);
    s->last = &s->fmemo[0]; /* empty: no pair hits it */
    return s;
}

void tpa_result_sink_destroy(tpa_result_sink_t **sp)
{
    if (!sp || !*sp) return;
    tpa_result_sink_t *s = *sp;
    for (size_t i = 0; i < s->nslots; i++) {
        free(s->slots[i].protocol);
        free(s->slots[i].code);
        free(s->slots[i].name);
    }
    free(s->slots);
    free(s);
    *sp = NULL;
}

/* FNV-1a over protocol, a 0 byte, code (each cut at the string limit). */
static uint64_t msg_hash(const char *protocol, const char *code)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (size_t i = 0; protocol[i] && i < TPA_RESULT_MAX_MESSAGE_STR - 1; i++)
        h = (h ^ (uint8_t)protocol[i]) * 0x100000001b3ULL;
    h = (h ^ 0xff) * 0x100000001b3ULL;
    for (size_t i = 0; code[i] && i < TPA_RESULT_MAX_MESSAGE_STR - 1; i++)
        h = (h ^ (uint8_t)code[i]) * 0x100000001b3ULL;
    return h;
}

/* stored is given cut to the string limit (both agree up to a NUL or the limit). */
static bool str_eq_cut(const char *stored, const char *given)
{
    return strncmp(stored, given, TPA_RESULT_MAX_MESSAGE_STR - 1) == 0;
}

static msg_entry_t *msg_find(const tpa_result_sink_t *s, const char *protocol, const char *code,
                             uint64_t h)
{
    size_t mask = s->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        msg_entry_t *e = &s->slots[i];
        if (!e->protocol) return e;
        if (e->hash == h && str_eq_cut(e->protocol, protocol) && str_eq_cut(e->code, code))
            return e;
    }
}

static int msg_grow(tpa_result_sink_t *s)
{
    size_t n = s->nslots * 2;
    msg_entry_t *sl = calloc(n, sizeof *sl);
    if (!sl) return TPA_ERR_NOMEM;
    for (size_t i = 0; i < s->nslots; i++) {
        msg_entry_t *e = &s->slots[i];
        if (!e->protocol) continue;
        size_t j = e->hash & (n - 1);
        while (sl[j].protocol)
            j = (j + 1) & (n - 1);
        sl[j] = *e;
    }
    free(s->slots);
    s->slots = sl;
    s->nslots = n;
    memset(s->memo, 0, sizeof s->memo);
    memset(s->fmemo, 0, sizeof s->fmemo);
    s->last = &s->fmemo[0];
    return 0;
}

static char *dup_cut(const char *str)
{
    size_t n = strnlen(str, TPA_RESULT_MAX_MESSAGE_STR - 1);
    char *d = malloc(n + 1);
    if (!d) return NULL;
    memcpy(d, str, n);
    d[n] = '\0';
    return d;
}

/* By the addresses and the code's first bytes: a buffer that holds "50" then "51" uses
 * two slots instead of thrashing one. */
static msg_memo_t *memo_slot(tpa_result_sink_t *s, const char *protocol, const char *code)
{
    uint64_t head = (uint8_t)code[0];
    if (code[0] && code[1])
        head |= (uint64_t)(uint8_t)code[1] << 8 | (uint64_t)(uint8_t)code[2] << 16;
    uint64_t k =
        ((uintptr_t)protocol ^ ((uintptr_t)code << 1) ^ (head << 40)) * 0x9e3779b97f4a7c15ULL;
    return &s->memo[k >> 56 & (MSG_MEMO - 1)];
}

/* Counts one more message of entry e (name: the first one given stays). */
static void msg_add(tpa_result_sink_t *s, msg_entry_t *e, const char *name)
{
    if (!e->name && name && name[0])
        e->name = dup_cut(name); /* NULL when out of memory: the code stands in */
    e->count++;
    s->total++;
}

/* Whether given equals stored (a short protocol name or code: a plain loop beats a
 * call to strcmp). Both hold the same text up to a NUL or the string limit. */
static inline bool short_eq(const char *stored, const char *given)
{
    size_t i = 0;
    while (stored[i] && stored[i] == given[i])
        i++;
    return stored[i] == given[i] || (i == TPA_RESULT_MAX_MESSAGE_STR - 1 && !stored[i]);
}

/* Whether memo m holds the entry for (protocol, code) at these addresses with this
 * text. */
static inline bool memo_hit(const msg_memo_t *m, const char *protocol, const char *code)
{
    return m->e && m->protocol == protocol && m->code == code &&
           (m->fixed || (short_eq(m->e->protocol, protocol) && short_eq(m->e->code, code)));
}

/* Out of line, so that the common case below needs no stack frame. */
__attribute__((noinline)) static int count_message(tpa_result_sink_t *s, const char *protocol,
                                                   const char *code, const char *name);

/* Whether m holds these literals and needs no name: counting is one increment. */
static inline bool fixed_hit(const msg_memo_t *m, const char *protocol, const char *code,
                             const char *name)
{
    return m->fixed && m->protocol == protocol && m->code == code &&
           (m->e->name || !name || !name[0]);
}

/* The two fmemo slots of a pair of literals, by their addresses alone: two, so that
 * two frequent pairs whose addresses meet in one bucket do not take it from each
 * other at every message. */
static inline msg_memo_t *fixed_slot(tpa_result_sink_t *s, const char *protocol, const char *code)
{
    uint64_t k = ((uintptr_t)protocol ^ ((uintptr_t)code << 1)) * 0x9e3779b97f4a7c15ULL;
    return &s->fmemo[k >> 54 & (MSG_FMEMO - 2)];
}

/* The common case inline, without a frame: a pair of literals counted last time or
 * found in its fmemo slot, the name already known (or none given). */
int tpa_result_count_message(tpa_result_sink_t *s, const char *protocol, const char *code,
                             const char *name)
{
    if (s) {
        const msg_memo_t *m = s->last;
        if (!fixed_hit(m, protocol, code, name)) {
            const msg_memo_t *b = fixed_slot(s, protocol, code);
            if (fixed_hit(&b[0], protocol, code, name))
                m = &b[0];
            else if (fixed_hit(&b[1], protocol, code, name))
                m = &b[1];
            else
                return count_message(s, protocol, code, name);
            s->last = m;
        }
        m->e->count++;
        s->total++;
        return 0;
    }
    return count_message(s, protocol, code, name);
}

/* mm (a memo slot just counted) holds a pair of literals: it goes to its fmemo
 * bucket, for the common case to find (the first slot; the pair there before, unless
 * it is the same, moves to the second), and becomes the pair counted last. */
static void remember(tpa_result_sink_t *s, const msg_memo_t *mm)
{
    if (!mm->fixed) return;
    msg_memo_t *b = fixed_slot(s, mm->protocol, mm->code);
    if (b[1].protocol == mm->protocol && b[1].code == mm->code) {
        b[1] = *mm; /* already there (its name was missing) */
        s->last = &b[1];
        return;
    }
    if (!(b[0].protocol == mm->protocol && b[0].code == mm->code)) b[1] = b[0];
    b[0] = *mm;
    s->last = &b[0];
}

static int count_message(tpa_result_sink_t *s, const char *protocol, const char *code,
                         const char *name)
{
    if (!s || !protocol || !code || !protocol[0] || !code[0]) return TPA_ERR_INVALID;
    msg_memo_t *mm = memo_slot(s, protocol, code);
    if (memo_hit(mm, protocol, code)) {
        msg_add(s, mm->e, name);
        remember(s, mm);
        return 0;
    }
    uint64_t h = msg_hash(protocol, code);
    msg_entry_t *e = msg_find(s, protocol, code, h);
    if (!e->protocol) {
        if (s->used >= TPA_RESULT_MAX_MESSAGE_KINDS && strcmp(code, "other") != 0)
            return count_message(s, protocol, "other", NULL);
        if ((s->used + 1) * 2 > s->nslots) {
            if (msg_grow(s) < 0) return TPA_ERR_NOMEM;
            e = msg_find(s, protocol, code, h);
        }
        char *p = dup_cut(protocol), *c = dup_cut(code);
        char *nm = name && name[0] ? dup_cut(name) : NULL;
        if (!p || !c || (name && name[0] && !nm)) {
            free(p);
            free(c);
            free(nm);
            return TPA_ERR_NOMEM;
        }
        e->protocol = p;
        e->code = c;
        e->name = nm;
        e->hash = h;
        s->used++;
    }
    msg_add(s, e, name);
    *mm = (msg_memo_t){protocol, code, e,
                       tpa_literals_has(&s->lit, protocol) && tpa_literals_has(&s->lit, code)};
    remember(s, mm);
    return 0;
}

uint64_t tpa_result_message_count(const tpa_result_sink_t *s, const char *protocol,
                                  const char *code)
{
    if (!s || !protocol || !code) return 0;
    const msg_entry_t *e = msg_find(s, protocol, code, msg_hash(protocol, code));
    return e->protocol ? e->count : 0;
}

uint64_t tpa_result_messages_total(const tpa_result_sink_t *s)
{
    return s ? s->total : 0;
}

/* Codes compare as numbers when both start with digits ("46/initiating" before
 * "100/successful"), else as strings. */
static int code_cmp(const char *a, const char *b)
{
    char *ea, *eb;
    unsigned long long na = strtoull(a, &ea, 10), nb = strtoull(b, &eb, 10);
    bool da = ea != a && a[0] >= '0' && a[0] <= '9';
    bool db = eb != b && b[0] >= '0' && b[0] <= '9';
    if (da && db && na != nb) return na < nb ? -1 : 1;
    if (da != db) return da ? -1 : 1;
    return strcmp(a, b);
}

static int msg_cmp(const void *x, const void *y)
{
    const msg_entry_t *a = *(const msg_entry_t *const *)x, *b = *(const msg_entry_t *const *)y;
    int c = strcmp(a->protocol, b->protocol);
    return c ? c : code_cmp(a->code, b->code);
}

json_t *tpa_result_messages_json(const tpa_result_sink_t *s)
{
    json_t *arr = json_array();
    if (!arr || !s || !s->used) return arr;
    const msg_entry_t **v = malloc(s->used * sizeof *v);
    if (!v) goto fail;
    size_t n = 0;
    for (size_t i = 0; i < s->nslots; i++)
        if (s->slots[i].protocol) v[n++] = &s->slots[i];
    qsort(v, n, sizeof *v, msg_cmp);
    for (size_t i = 0; i < n; i++) {
        json_t *m =
            json_pack("{s:s,s:s,s:s,s:I}", "protocol", v[i]->protocol, "code", v[i]->code, "name",
                      v[i]->name ? v[i]->name : v[i]->code, "count", (json_int_t)v[i]->count);
        if (!m || json_array_append_new(arr, m) < 0) {
            free(v);
            goto fail;
        }
    }
    free(v);
    return arr;
fail:
    json_decref(arr);
    return NULL;
}

/* ---- the document ----
 *
 * Cost: a large capture has hundreds of thousands of flows, transactions and ladder
 * steps. Their elements are written call by call on the streaming writer (tpa_jw.h):
 * as text for `tpa analyze`, no jansson value per element; as a tree for the worker.
 * Numbers and addresses are formatted here without snprintf and written without a
 * UTF-8 check (tpa_jw_ascii). */

json_t *tpa_result_ts(int64_t us)
{
    return json_real((double)us / 1e6);
}

static const char *proto_name(uint8_t proto, char *buf)
{
    switch (proto) {
    case 6:
        return "tcp";
    case 17:
        return "udp";
    case 132:
        return "sctp";
    case 1:
        return "icmp";
    case 58:
        return "icmpv6";
    case 47:
        return "gre";
    case 50:
        return "esp";
    case 2:
        return "igmp";
    case 89:
        return "ospf";
    case 103:
        return "pim";
    case 112:
        return "vrrp";
    default:
        memcpy(buf, "ip-", 3);
        tpa_json_out_int(proto, buf + 3);
        return buf;
    }
}

/* The address of side as text into s (INET6_ADDRSTRLEN), as inet_ntop writes it (no
 * sprintf: tpa_fmt); returns its length. */
static size_t addr_str(const tpa_flow_key_t *k, int side, char *s)
{
    return tpa_fmt_addr_str(k->family == 6 ? 6 : 4, k->addr[side], s, INET6_ADDRSTRLEN);
}

static const char *tunnel_kind(uint16_t k)
{
    switch (k) {
    case 1:
        return "gtp-u";
    case 2:
        return "gre";
    case 3:
        return "vxlan";
    default:
        return "other";
    }
}

/* ---- flows[] elements, written once for both back-ends of the writer ---- */

/* The helpers below that take a key are inlined: a literal key stays a literal
 * (tpa_jw_klen). */
#define KEYED static inline __attribute__((always_inline))

/* A name or text of ours (ASCII). */
KEYED int ascii(tpa_jw_t *w, const char *key, const char *s)
{
    return tpa_jw_ascii(w, key, s, strlen(s));
}

KEYED void dir_write(tpa_jw_t *w, const char *key, uint64_t pkts, uint64_t bytes)
{
    tpa_jw_obj(w, key);
    tpa_jw_int(w, "packets", (int64_t)pkts);
    tpa_jw_int(w, "bytes", (int64_t)bytes);
    tpa_jw_obj_end(w);
}

/* Milliseconds from microseconds; null when negative (not measured). */
KEYED void ms_write(tpa_jw_t *w, const char *key, int64_t us)
{
    if (us >= 0)
        tpa_jw_fixed(w, key, us, 3); /* json_real((double)us / 1000.0) */
    else
        tpa_jw_null(w, key);
}

KEYED void stream_write(tpa_jw_t *w, const char *key, const tpa_tcp_stream_stats_t *s)
{
    tpa_jw_obj(w, key);
    tpa_jw_int(w, "bytes", (int64_t)s->delivered);
    tpa_jw_int(w, "gaps", (int64_t)s->gaps);
    tpa_jw_int(w, "gap_bytes", (int64_t)s->gap_bytes);
    tpa_jw_int(w, "dup_bytes", (int64_t)s->dup_bytes);
    tpa_jw_int(w, "out_of_order_bytes", (int64_t)s->ooo_bytes);
    tpa_jw_obj_end(w);
}

static void tcp_write(tpa_jw_t *w, const tpa_flow_t *f)
{
    static const char *const close_name[] = {"open", "fin", "rst"};
    tpa_jw_obj(w, "tcp");
    tpa_jw_bool(w, "syn", f->tcp_flags & TPA_TCP_SYN);
    tpa_jw_bool(w, "fin", f->tcp_flags & TPA_TCP_FIN);
    tpa_jw_bool(w, "rst", f->tcp_flags & TPA_TCP_RST);
    const tpa_tcp_stats_t *t = tpa_tcp_stats(f);
    if (t) {
        ascii(w, "close", close_name[t->close <= 2 ? t->close : 0]);
        ms_write(w, "syn_rtt_ms", t->syn_rtt_us);
        ms_write(w, "ack_rtt_ms", t->ack_rtt_us);
        ms_write(w, "handshake_rtt_ms",
                 t->syn_rtt_us >= 0 && t->ack_rtt_us >= 0 ? t->syn_rtt_us + t->ack_rtt_us : -1);
        tpa_jw_int(w, "retransmissions", (int64_t)t->retransmissions);
        tpa_jw_int(w, "out_of_order", (int64_t)t->out_of_order);
        tpa_jw_int(w, "lost_segments", (int64_t)t->lost_segments);
        tpa_jw_int(w, "keepalives", (int64_t)t->keepalives);
        tpa_jw_int(w, "zero_window", (int64_t)t->zero_window);
        tpa_jw_int(w, "resets", (int64_t)t->resets);
        if (t->streamed[0] || t->streamed[1]) {
            int s = f->src_side;
            tpa_jw_obj(w, "stream");
            stream_write(w, "a_to_b", &t->stream[s]);
            stream_write(w, "b_to_a", &t->stream[!s]);
            tpa_jw_obj_end(w);
        }
    }
    tpa_jw_obj_end(w);
}

static void sctp_write(tpa_jw_t *w, const tpa_flow_t *f)
{
    static const char *const close_name[] = {"open", "shutdown", "abort"};
    const tpa_sctp_stats_t *a = tpa_sctp_stats(f);
    tpa_jw_obj(w, "sctp");
    if (a) {
        tpa_jw_int(w, "init", (int64_t)a->init);
        tpa_jw_int(w, "init_ack", (int64_t)a->init_ack);
        tpa_jw_int(w, "cookie_echo", (int64_t)a->cookie_echo);
        tpa_jw_int(w, "cookie_ack", (int64_t)a->cookie_ack);
        tpa_jw_int(w, "abort", (int64_t)a->abort);
        tpa_jw_int(w, "shutdown", (int64_t)a->shutdown);
        tpa_jw_int(w, "shutdown_ack", (int64_t)a->shutdown_ack);
        tpa_jw_int(w, "shutdown_complete", (int64_t)a->shutdown_complete);
        tpa_jw_int(w, "heartbeat", (int64_t)a->heartbeat);
        tpa_jw_int(w, "heartbeat_ack", (int64_t)a->heartbeat_ack);
        tpa_jw_int(w, "sack", (int64_t)a->sack);
        tpa_jw_int(w, "error", (int64_t)a->error);
        tpa_jw_int(w, "other_chunks", (int64_t)a->other_chunks);
        tpa_jw_int(w, "data_chunks", (int64_t)a->data_chunks);
        tpa_jw_int(w, "ppid", (int64_t)a->first_ppid);
        tpa_jw_arr(w, "ppids");
        for (int i = 0; i < a->nppids; i++)
            tpa_jw_int(w, NULL, (int64_t)a->ppids[i]);
        tpa_jw_arr_end(w);
        tpa_jw_int(w, "messages", (int64_t)a->messages);
        tpa_jw_int(w, "fragmented_messages", (int64_t)a->fragmented);
        tpa_jw_int(w, "fragments_dropped", (int64_t)a->fragments_dropped);
        tpa_jw_int(w, "fragments_duplicate", (int64_t)a->fragments_dup);
        tpa_jw_int(w, "data_retransmitted", (int64_t)a->data_retransmitted);
        ascii(w, "close", close_name[a->close <= 2 ? a->close : 0]);
    }
    tpa_jw_obj_end(w);
}

static void tunnel_write(tpa_jw_t *w, const tpa_flow_t *f)
{
    const tpa_flow_cold_t *c = tpa_flow_cold(f);
    tpa_jw_obj(w, "tunnel");
    ascii(w, "type", tunnel_kind(c->tunnel_kind));
    tpa_jw_int(w, "outer_flow", (int64_t)c->outer_flow);
    tpa_jw_int(w, c->tunnel_kind == 3 ? "vni" : (c->tunnel_kind == 2 ? "key" : "teid"),
               (int64_t)c->teid);
    if (c->teid_rev && c->tunnel_kind == 1) tpa_jw_int(w, "teid_reverse", (int64_t)c->teid_rev);
    if (f->has_qfi) tpa_jw_int(w, "qfi", (int64_t)c->qfi);
    tpa_jw_obj_end(w);
}

/* flows[] element: the flow's facts and its media (flows[].rtp|rtcp). */
static int flow_write(tpa_jw_t *w, tpa_decoder_t *d, const tpa_flow_t *f)
{
    int s = f->src_side, t = !s;
    char pb[8], addr[INET6_ADDRSTRLEN];
    const char *app = tpa_dissect_app_name(f->app);
    tpa_jw_obj(w, NULL);
    tpa_jw_int(w, "id", (int64_t)f->id);
    ascii(w, "proto", proto_name(f->key.proto, pb));
    tpa_jw_ascii(w, "src", addr, addr_str(&f->key, s, addr));
    tpa_jw_int(w, "sport", f->key.port[s]);
    tpa_jw_ascii(w, "dst", addr, addr_str(&f->key, t, addr));
    tpa_jw_int(w, "dport", f->key.port[t]);
    tpa_jw_int(w, "packets", (int64_t)(f->pkts[0] + f->pkts[1]));
    tpa_jw_int(w, "bytes", (int64_t)(f->bytes[0] + f->bytes[1]));
    tpa_result_ts_write(w, "first_ts", tpa_flow_cold(f)->first_us);
    tpa_result_ts_write(w, "last_ts", f->last_us);
    dir_write(w, "a_to_b", f->pkts[s], f->bytes[s]);
    dir_write(w, "b_to_a", f->pkts[t], f->bytes[t]);
    if (app)
        ascii(w, "app", app);
    else
        tpa_jw_null(w, "app");
    if (f->has_tunnel) tunnel_write(w, f);
    const json_t *info = tpa_dissect_flow_info_get(f); /* the app's facts: flows[].<app> */
    if (info && app) tpa_jw_json(w, app, info);
    if (f->key.proto == 6)
        tcp_write(w, f);
    else if (f->key.proto == 132)
        sctp_write(w, f);
    const char *rk = NULL;
    json_t *media = tpa_rtp_flow_json(d, f, &rk);
    if (media) tpa_jw_json(w, rk, media);
    json_decref(media);
    return tpa_jw_obj_end(w);
}

static json_t *finding(const char *id, const char *sev, const char *title, const char *detail,
                       json_t *frames, json_t *flows)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:{s:o,s:o,s:[]}}", "id", id, "severity", sev, "title",
                     title, "detail", detail, "evidence", "frames", frames ? frames : json_array(),
                     "flows", flows ? flows : json_array(), "transactions");
}

static void add_findings(json_t *list, const tpa_decode_stats_t *st, const tpa_reasm_stats_t *rs,
                         const tpa_result_capture_t *cap)
{
    char detail[512];
    if (cap->truncated) {
        snprintf(detail, sizeof detail,
                 "The capture ends in the middle of a record after %llu complete packets; "
                 "analysis covers those packets only (%s).",
                 (unsigned long long)st->packets,
                 cap->error && cap->error[0] ? cap->error : "read error");
        json_t *fr = json_array();
        json_array_append_new(fr, json_integer((json_int_t)st->packets + 1));
        json_array_append_new(
            list, finding("capture.truncated", "warning", "Capture truncated", detail, fr, NULL));
    }
    if (st->malformed) {
        int top = -1;
        for (int i = 0; i < TPA_MAL_COUNT; i++)
            if (st->reasons[i] && (top < 0 || st->reasons[i] > st->reasons[top])) top = i;
        snprintf(detail, sizeof detail,
                 "%llu of %llu packets are malformed (most frequent: %s, %llu times).",
                 (unsigned long long)st->malformed, (unsigned long long)st->packets,
                 tpa_malformed_name(top), (unsigned long long)(top >= 0 ? st->reasons[top] : 0));
        json_t *fr = json_array();
        for (size_t i = 0; i < st->nevidence && i < MAX_FINDING_FRAMES; i++)
            json_array_append_new(fr, json_integer((json_int_t)st->evidence[i]));
        double share = st->packets ? (double)st->malformed / (double)st->packets : 0;
        json_array_append_new(list, finding("capture.malformed", share > 0.05 ? "warning" : "info",
                                            "Malformed packets", detail, fr, NULL));
    }
    if (rs->dropped_frames) {
        snprintf(detail, sizeof detail,
                 "%llu IP fragment frames (%llu datagrams) were never reassembled (missing "
                 "fragments, timeout or limits); they belong to no flow.",
                 (unsigned long long)rs->dropped_frames, (unsigned long long)rs->dropped);
        json_array_append_new(list, finding("ip.fragments_incomplete", "info",
                                            "Incomplete IP fragments", detail, NULL, NULL));
    }
    if (st->unsupported_link) {
        snprintf(detail, sizeof detail,
                 "%llu frames use a link type the analyzer does not decode; they are counted "
                 "in the capture totals only.",
                 (unsigned long long)st->unsupported_link);
        json_array_append_new(list, finding("capture.unsupported_link_type", "info",
                                            "Unsupported link type", detail, NULL, NULL));
    }
}

static json_t *capture_json(const tpa_decode_stats_t *st, const tpa_reasm_stats_t *rs,
                            const tpa_result_capture_t *cap)
{
    json_t *c = json_object();
    if (!c) return NULL;
    json_object_set_new(c, "file", json_string(cap->file ? cap->file : ""));
    json_object_set_new(c, "format", json_string(cap->format ? cap->format : "pcap"));
    json_object_set_new(c, "compressed", json_boolean(cap->compressed));
    json_t *lt = json_array();
    for (int i = 0; i < cap->nlink_types; i++)
        json_array_append_new(lt, json_string(cap->link_types[i]));
    json_object_set_new(c, "link_types", lt);
    json_object_set_new(c, "packets", json_integer((json_int_t)st->packets));
    json_object_set_new(c, "bytes", json_integer((json_int_t)st->bytes));
    if (st->packets) {
        json_object_set_new(c, "first_ts", tpa_result_ts(st->first_us));
        json_object_set_new(c, "last_ts", tpa_result_ts(st->last_us));
        json_object_set_new(c, "duration_s", json_real((double)(st->last_us - st->first_us) / 1e6));
    } else {
        json_object_set_new(c, "first_ts", json_null());
        json_object_set_new(c, "last_ts", json_null());
        json_object_set_new(c, "duration_s", json_real(0));
    }
    json_object_set_new(c, "truncated", json_boolean(cap->truncated));
    json_object_set_new(c, "malformed", json_integer((json_int_t)st->malformed));
    json_t *mr = json_object();
    for (int i = 0; i < TPA_MAL_COUNT; i++)
        if (st->reasons[i])
            json_object_set_new(mr, tpa_malformed_name(i),
                                json_integer((json_int_t)st->reasons[i]));
    json_object_set_new(c, "malformed_reasons", mr);
    json_object_set_new(c, "snaplen_cut", json_integer((json_int_t)st->snap_cut));
    json_object_set_new(c, "non_ip", json_integer((json_int_t)st->non_ip));
    json_object_set_new(c, "quoted_messages", json_integer((json_int_t)st->quoted_messages));
    json_object_set_new(c, "ip_fragments",
                        json_pack("{s:I,s:I,s:I,s:I}", "frames", (json_int_t)st->fragments,
                                  "reassembled", (json_int_t)rs->reassembled,
                                  "unreassembled_frames", (json_int_t)rs->dropped_frames,
                                  "unreassembled_bytes", (json_int_t)rs->dropped_bytes));
    return c;
}

static int flow_item(void *ud, size_t i, tpa_jw_t *w)
{
    const tpa_result_lazy_t *lz = ud;
    return flow_write(w, lz->dec, lz->flows[i]);
}

/* The flows of all (NULL entries skipped) as a jansson array, or NULL. */
static json_t *flows_tree(tpa_decoder_t *d, tpa_flow_t *const *all, size_t n)
{
    tpa_jw_t *w = tpa_jw_new_tree();
    if (!w) return NULL;
    tpa_jw_arr(w, NULL);
    for (size_t i = 0; i < n && !tpa_jw_error(w); i++)
        if (all[i]) flow_write(w, d, all[i]);
    tpa_jw_arr_end(w);
    json_t *arr = tpa_jw_take_tree(w);
    tpa_jw_destroy(&w);
    return arr;
}

/* tpa_result_build, or with lz its lazy form (tpa_result_build_lazy). */
static json_t *build(tpa_decoder_t *d, const tpa_result_capture_t *cap, tpa_result_lazy_t *lz)
{
    const tpa_decode_stats_t *st = tpa_decode_stats(d);
    tpa_reasm_stats_t rs;
    tpa_decode_reasm_stats(d, &rs);
    json_t *doc = json_object();
    json_t *flows = json_array();
    json_t *findings = json_array();
    if (!doc || !flows || !findings) goto fail;
    json_object_set_new(doc, "version", json_integer(1));
    json_object_set_new(doc, "tool", json_string("tpa " TPA_VERSION));
    json_object_set_new(doc, "capture", capture_json(st, &rs, cap));
    size_t n = 0;
    tpa_flow_t *const *all = tpa_flow_table_finish(tpa_decode_flows(d), &n);
    tpa_sig_finish(d); /* frees the tracking tables before the document takes memory */
    bool gaps = false; /* a flow missing from the table's array: listed eagerly */
    for (size_t i = 0; i < n; i++)
        gaps |= !all[i];
    if (lz && !gaps) {
        lz->flows = all;
        lz->arr[lz->narr++] = (tpa_json_out_lazy_t){flows, n, NULL, lz, flow_item};
    } else {
        json_decref(flows);
        if (!(flows = flows_tree(d, all, n))) goto fail;
    }
    json_object_set_new(doc, "flows", flows);
    flows = NULL;
    json_t *msgs = tpa_result_messages_json(tpa_decode_sink(d));
    if (!msgs) goto fail;
    json_object_set_new(doc, "messages", msgs);
    add_findings(findings, st, &rs, cap);
    if (tpa_rtp_findings(d, all, n, findings) < 0) goto fail; /* rtp.poor_quality */
    tpa_sigstate_t *sig = lz ? tpa_sig_defer_arrays(d) : NULL;
    /* transactions, kpis, ues, signalling; rule findings appended, all numbered */
    if (tpa_sig_result(d, doc, all, n, findings) < 0) goto fail;
    if (sig) {
        lz->arr[lz->narr++] = (tpa_json_out_lazy_t){json_object_get(doc, "transactions"),
                                                    tpa_txn_kept_count(tpa_sigstate_txn(sig)), NULL,
                                                    sig, tpa_sigstate_txn_write};
        lz->arr[lz->narr++] =
            (tpa_json_out_lazy_t){json_object_get(doc, "ues"), tpa_ue_listed(tpa_sigstate_ue(sig)),
                                  NULL, sig, tpa_sigstate_ue_write};
    }
    json_object_set_new(doc, "findings", findings);
    findings = NULL;
    json_object_set_new(doc, "insights", json_array());
    json_object_set_new(doc, "rca", json_null());
    return doc;
fail:
    json_decref(findings);
    json_decref(flows);
    json_decref(doc);
    return NULL;
}

json_t *tpa_result_build(tpa_decoder_t *d, const tpa_result_capture_t *cap)
{
    return build(d, cap, NULL);
}

json_t *tpa_result_build_lazy(tpa_decoder_t *d, const tpa_result_capture_t *cap,
                              tpa_result_lazy_t *lz)
{
    if (!lz) return NULL;
    *lz = (tpa_result_lazy_t){.dec = d};
    json_t *doc = build(d, cap, lz);
    if (!doc) lz->narr = 0;
    return doc;
}
