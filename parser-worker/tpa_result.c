/* tpa_result.c - the result document from a finished decoder (see tpa_result.h). */
#include "tpa_result.h"

#include <arpa/inet.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "tpa_dissect.h"
#include "tpa_err.h"
#include "tpa_json_out.h"
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
 * cannot change, so the addresses alone decide. */
#define MSG_MEMO 256

typedef struct msg_memo {
    const char *protocol, *code;
    msg_entry_t *e; /* NULL = empty; cleared when the slots move */
    bool fixed;     /* both strings are in a read-only segment */
} msg_memo_t;

struct tpa_result_sink {
    msg_memo_t last; /* the pair counted last: most calls repeat it (a run of G-PDUs) */
    msg_entry_t *slots;
    size_t nslots; /* power of two, kept at most half full */
    size_t used;
    uint64_t total;
    tpa_literals_t lit; /* the program's read-only segments */
    msg_memo_t memo[MSG_MEMO];
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
    s->last = (msg_memo_t){0};
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

/* The common case inline, without a frame: the literals counted last time, the name
 * already known (or none given). */
int tpa_result_count_message(tpa_result_sink_t *s, const char *protocol, const char *code,
                             const char *name)
{
    if (s && s->last.fixed && s->last.protocol == protocol && s->last.code == code &&
        (s->last.e->name || !name || !name[0])) {
        s->last.e->count++;
        s->total++;
        return 0;
    }
    return count_message(s, protocol, code, name);
}

static int count_message(tpa_result_sink_t *s, const char *protocol, const char *code,
                         const char *name)
{
    if (!s || !protocol || !code || !protocol[0] || !code[0]) return TPA_ERR_INVALID;
    if (memo_hit(&s->last, protocol, code)) {
        msg_add(s, s->last.e, name);
        return 0;
    }
    msg_memo_t *mm = memo_slot(s, protocol, code);
    if (memo_hit(mm, protocol, code)) {
        msg_add(s, mm->e, name);
        s->last = *mm;
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
    s->last = *mm;
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
 * Cost: the document of a large capture is millions of jansson values, so the
 * builders below avoid what costs more than the value itself: keys are literals set
 * without the UTF-8 check (json_object_set_new_nocheck), numbers and addresses we
 * format ourselves are set without it too (ASCII), no json_pack (it parses its
 * format string per call), no snprintf. */

/* Keys below are literals (ASCII). */
#define SET(o, k, v) json_object_set_new_nocheck(o, k, v)

json_t *tpa_result_ts(int64_t us)
{
    return json_real((double)us / 1e6);
}

json_t *tpa_result_id_json(const char *prefix, uint64_t n)
{
    char b[16 + TPA_JSON_OUT_NUM_MAX];
    size_t k = strnlen(prefix, 16);
    memcpy(b, prefix, k);
    k += tpa_json_out_int((int64_t)n, b + k);
    return json_stringn_nocheck(b, k);
}

/* An ASCII string we made (a literal, a formatted number or address). */
static json_t *ascii(const char *s)
{
    return json_stringn_nocheck(s, strlen(s));
}

static json_t *integer(uint64_t v)
{
    return json_integer((json_int_t)v);
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

/* Dotted quad, as inet_ntop writes it (which goes through sprintf). */
static size_t ip4_str(const uint8_t *a, char *buf)
{
    char *p = buf;
    for (int i = 0; i < 4; i++) {
        if (i) *p++ = '.';
        p += tpa_json_out_int(a[i], p);
    }
    return (size_t)(p - buf);
}

static json_t *addr_json(const tpa_flow_key_t *k, int side)
{
    char s[INET6_ADDRSTRLEN];
    if (k->family != 6) return json_stringn_nocheck(s, ip4_str(k->addr[side], s));
    if (!inet_ntop(AF_INET6, k->addr[side], s, sizeof s)) s[0] = '\0';
    return ascii(s);
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

static json_t *dir_json(uint64_t pkts, uint64_t bytes)
{
    json_t *o = json_object();
    if (!o) return NULL;
    SET(o, "packets", integer(pkts));
    SET(o, "bytes", integer(bytes));
    return o;
}

static json_t *ms_json(int64_t us)
{
    return us >= 0 ? json_real((double)us / 1000.0) : json_null();
}

static json_t *stream_json(const tpa_tcp_stream_stats_t *s)
{
    json_t *o = json_object();
    if (!o) return NULL;
    SET(o, "bytes", integer(s->delivered));
    SET(o, "gaps", integer(s->gaps));
    SET(o, "gap_bytes", integer(s->gap_bytes));
    SET(o, "dup_bytes", integer(s->dup_bytes));
    SET(o, "out_of_order_bytes", integer(s->ooo_bytes));
    return o;
}

static json_t *tcp_json(const tpa_flow_t *f)
{
    static const char *const close_name[] = {"open", "fin", "rst"};
    json_t *o = json_object();
    if (!o) return NULL;
    SET(o, "syn", json_boolean(f->tcp_flags & TPA_TCP_SYN));
    SET(o, "fin", json_boolean(f->tcp_flags & TPA_TCP_FIN));
    SET(o, "rst", json_boolean(f->tcp_flags & TPA_TCP_RST));
    const tpa_tcp_stats_t *t = tpa_tcp_stats(f);
    if (!t) return o;
    SET(o, "close", ascii(close_name[t->close <= 2 ? t->close : 0]));
    SET(o, "syn_rtt_ms", ms_json(t->syn_rtt_us));
    SET(o, "ack_rtt_ms", ms_json(t->ack_rtt_us));
    SET(o, "handshake_rtt_ms",
        ms_json(t->syn_rtt_us >= 0 && t->ack_rtt_us >= 0 ? t->syn_rtt_us + t->ack_rtt_us : -1));
    SET(o, "retransmissions", integer(t->retransmissions));
    SET(o, "out_of_order", integer(t->out_of_order));
    SET(o, "lost_segments", integer(t->lost_segments));
    SET(o, "keepalives", integer(t->keepalives));
    SET(o, "zero_window", integer(t->zero_window));
    SET(o, "resets", integer(t->resets));
    if (t->streamed[0] || t->streamed[1]) {
        int s = f->src_side;
        json_t *st = json_object();
        if (st) {
            SET(st, "a_to_b", stream_json(&t->stream[s]));
            SET(st, "b_to_a", stream_json(&t->stream[!s]));
        }
        SET(o, "stream", st);
    }
    return o;
}

static json_t *sctp_json(const tpa_flow_t *f)
{
    static const char *const close_name[] = {"open", "shutdown", "abort"};
    const tpa_sctp_stats_t *a = tpa_sctp_stats(f);
    json_t *o = json_object();
    if (!o || !a) return o;
    SET(o, "init", integer(a->init));
    SET(o, "init_ack", integer(a->init_ack));
    SET(o, "cookie_echo", integer(a->cookie_echo));
    SET(o, "cookie_ack", integer(a->cookie_ack));
    SET(o, "abort", integer(a->abort));
    SET(o, "shutdown", integer(a->shutdown));
    SET(o, "shutdown_ack", integer(a->shutdown_ack));
    SET(o, "shutdown_complete", integer(a->shutdown_complete));
    SET(o, "heartbeat", integer(a->heartbeat));
    SET(o, "heartbeat_ack", integer(a->heartbeat_ack));
    SET(o, "sack", integer(a->sack));
    SET(o, "error", integer(a->error));
    SET(o, "other_chunks", integer(a->other_chunks));
    SET(o, "data_chunks", integer(a->data_chunks));
    SET(o, "ppid", integer(a->first_ppid));
    json_t *pp = json_array();
    for (int i = 0; pp && i < a->nppids; i++)
        json_array_append_new(pp, integer(a->ppids[i]));
    SET(o, "ppids", pp);
    SET(o, "messages", integer(a->messages));
    SET(o, "fragmented_messages", integer(a->fragmented));
    SET(o, "fragments_dropped", integer(a->fragments_dropped));
    SET(o, "fragments_duplicate", integer(a->fragments_dup));
    SET(o, "data_retransmitted", integer(a->data_retransmitted));
    SET(o, "close", ascii(close_name[a->close <= 2 ? a->close : 0]));
    return o;
}

static json_t *tunnel_json(const tpa_flow_t *f)
{
    json_t *tn = json_object();
    if (!tn) return NULL;
    SET(tn, "type", ascii(tunnel_kind(f->tunnel_kind)));
    SET(tn, "outer_flow", integer(f->outer_flow));
    SET(tn, f->tunnel_kind == 3 ? "vni" : (f->tunnel_kind == 2 ? "key" : "teid"), integer(f->teid));
    if (f->teid_rev && f->tunnel_kind == 1) SET(tn, "teid_reverse", integer(f->teid_rev));
    if (f->has_qfi) SET(tn, "qfi", integer(f->qfi));
    return tn;
}

static json_t *flow_json(const tpa_flow_t *f)
{
    int s = f->src_side, t = !s;
    char pb[8];
    const char *app = tpa_dissect_app_name(f->app);
    json_t *o = json_object();
    if (!o) return NULL;
    SET(o, "id", integer(f->id));
    SET(o, "proto", ascii(proto_name(f->key.proto, pb)));
    SET(o, "src", addr_json(&f->key, s));
    SET(o, "sport", integer(f->key.port[s]));
    SET(o, "dst", addr_json(&f->key, t));
    SET(o, "dport", integer(f->key.port[t]));
    SET(o, "packets", integer(f->pkts[0] + f->pkts[1]));
    SET(o, "bytes", integer(f->bytes[0] + f->bytes[1]));
    SET(o, "first_ts", tpa_result_ts(f->first_us));
    SET(o, "last_ts", tpa_result_ts(f->last_us));
    SET(o, "a_to_b", dir_json(f->pkts[s], f->bytes[s]));
    SET(o, "b_to_a", dir_json(f->pkts[t], f->bytes[t]));
    SET(o, "app", app ? ascii(app) : json_null());
    if (f->has_tunnel) SET(o, "tunnel", tunnel_json(f));
    json_t *info = tpa_dissect_flow_info_get(f); /* the app's facts: flows[].<app> */
    if (info && app) json_object_set_nocheck(o, app, info);
    if (f->key.proto == 6)
        SET(o, "tcp", tcp_json(f));
    else if (f->key.proto == 132)
        SET(o, "sctp", sctp_json(f));
    return o;
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

/* flows[] element: the flow's facts and its media (flows[].rtp|rtcp). */
static json_t *flow_full_json(tpa_decoder_t *d, const tpa_flow_t *f)
{
    json_t *fj = flow_json(f);
    const char *rk = NULL;
    json_t *media = fj ? tpa_rtp_flow_json(d, f, &rk) : NULL;
    if (media) json_object_set_new(fj, rk, media);
    return fj;
}

static json_t *flow_item(void *ud, size_t i)
{
    const tpa_result_lazy_t *lz = ud;
    return flow_full_json(lz->dec, lz->flows[i]);
}

static json_t *txn_item(void *ud, size_t i)
{
    return tpa_txn_item_json(ud, i);
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
        lz->arr[lz->narr++] = (tpa_json_out_lazy_t){flows, n, flow_item, lz, NULL};
    } else {
        for (size_t i = 0; i < n; i++)
            if (all[i] && json_array_append_new(flows, flow_full_json(d, all[i])) < 0) goto fail;
    }
    json_object_set_new(doc, "flows", flows);
    flows = NULL;
    json_t *msgs = tpa_result_messages_json(tpa_decode_sink(d));
    if (!msgs) goto fail;
    json_object_set_new(doc, "messages", msgs);
    add_findings(findings, st, &rs, cap);
    if (tpa_rtp_findings(d, all, n, findings) < 0) goto fail; /* rtp.poor_quality */
    const tpa_txn_t *txn = lz ? tpa_sig_defer_transactions(d) : NULL;
    /* transactions, kpis, ues, signalling; rule findings appended, all numbered */
    if (tpa_sig_result(d, doc, all, n, findings) < 0) goto fail;
    if (txn)
        lz->arr[lz->narr++] = (tpa_json_out_lazy_t){json_object_get(doc, "transactions"),
                                                    tpa_txn_kept_count(txn), txn_item, (void *)txn, NULL};
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
