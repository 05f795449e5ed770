/* tpa_dissect.c - the dissector table and per-flow application detection. */
#include "tpa_decode_int.h"
#include "tpa_diameter.h"
#include "tpa_dissect.h"
#include "tpa_dns.h"
#include "tpa_gtp.h"
#include "tpa_gtpv2.h"
#include "tpa_http1.h"
#include "tpa_http2.h"
#include "tpa_ngap.h"
#include "tpa_pfcp.h"
#include "tpa_result.h"
#include "tpa_rtp.h"
#include "tpa_s1ap.h"
#include "tpa_sip.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define PROBE_LIMIT TPA_DISSECT_PROBE_LIMIT

/* GTPv2-C (TS 29.274): version 2 in the top 3 bits of byte 0. */
static bool probe_gtpv2(const tpa_rd_t *pl)
{
    tpa_rd_t r = *pl;
    return tpa_rd_has(&r, 4) && (tpa_rd_peek(&r, 0) >> 5) == 2;
}

/* GTPv1-C (TS 29.060): version 1, PT = 1. */
static bool probe_gtpv1c(const tpa_rd_t *pl)
{
    tpa_rd_t r = *pl;
    return tpa_rd_has(&r, 8) && (tpa_rd_peek(&r, 0) & 0xf0) == 0x30;
}

/* Order matters only among rows sharing a port (first accepting row wins). */
static const tpa_dissector_t table[] = {
    {.name = "gtp-u", .transports = TPA_T_UDP, .ports = {2152}, .dissect = tpa_dissect_gtpu},
    {.name = "gtpv2",
     .transports = TPA_T_UDP | TPA_T_TCP,
     .ports = {2123},
     .probe = probe_gtpv2,
     .dissect = tpa_gtpv2_dissect,
     .stream = tpa_gtp_stream,
     .state_free = tpa_gtp_state_free},
    {.name = "gtp-c",
     .transports = TPA_T_UDP | TPA_T_TCP,
     .ports = {2123},
     .probe = probe_gtpv1c,
     .dissect = tpa_gtp_dissect,
     .stream = tpa_gtp_stream,
     .state_free = tpa_gtp_state_free},
    {.name = "pfcp", .transports = TPA_T_UDP, .ports = {8805}, .dissect = tpa_pfcp_dissect},
    {.name = "diameter",
     .transports = TPA_T_TCP | TPA_T_SCTP,
     .ports = {3868},
     .ppids = {46, 47},
     .dissect = tpa_diameter_dissect,
     .stream = tpa_diameter_stream,
     .state_free = tpa_diameter_state_free},
    {.name = "ngap",
     .transports = TPA_T_SCTP,
     .ports = {38412},
     .ppids = {60},
     .dissect = tpa_ngap_dissect,
     .state_free = tpa_ngap_state_free},
    {.name = "s1ap",
     .transports = TPA_T_SCTP,
     .ports = {36412},
     .ppids = {18},
     .dissect = tpa_s1ap_dissect,
     .state_free = tpa_s1ap_state_free},
    {.name = "x2ap", .transports = TPA_T_SCTP, .ports = {36422}, .ppids = {27}},
    {.name = "xnap", .transports = TPA_T_SCTP, .ports = {38422}, .ppids = {61}},
    {.name = "f1ap", .transports = TPA_T_SCTP, .ports = {38472}, .ppids = {62}},
    {.name = "sgsap", .transports = TPA_T_SCTP, .ports = {29118}},
    {.name = "sip",
     .transports = TPA_T_UDP | TPA_T_TCP | TPA_T_SCTP,
     .ports = {5060},
     .dissect = tpa_sip_dissect,
     .stream = tpa_sip_stream,
     .state_free = tpa_sip_state_free},
    {.name = "dns",
     .transports = TPA_T_UDP | TPA_T_TCP,
     .ports = {53},
     .dissect = tpa_dns_dissect,
     .stream = tpa_dns_stream,
     .state_free = tpa_dns_state_free},
    /* the DNS message format on other ports: multicast DNS (RFC 6762) and LLMNR
     * (RFC 4795); their messages count as dns queries and responses */
    {.name = "mdns", .transports = TPA_T_UDP, .ports = {5353}, .dissect = tpa_dns_dissect},
    {.name = "llmnr",
     .transports = TPA_T_UDP | TPA_T_TCP,
     .ports = {5355},
     .dissect = tpa_dns_dissect,
     .stream = tpa_dns_stream,
     .state_free = tpa_dns_state_free},
    /* h2c on any port: preface, Upgrade: h2c, or whole frames (tpa_http2.h) */
    {.name = "http2",
     .transports = TPA_T_TCP,
     .probe = tpa_http2_probe,
     .stream = tpa_http2_stream,
     .state_free = tpa_http2_state_free,
     .named = tpa_http2_named},
    /* HTTP/1.1 on web and SBI ports: only its N1 (NAS) parts are decoded (tpa_http1.h) */
    {.name = "http",
     .transports = TPA_T_TCP,
     .ports = {80, 8080, 8000, 7777},
     .probe = tpa_http1_probe,
     .stream = tpa_http1_stream,
     .state_free = tpa_http1_state_free},
    {.name = "vxlan", .transports = TPA_T_UDP, .ports = {4789}, .dissect = tpa_dissect_vxlan},
    /* SIP on other ports: a start line with a URI scheme, or a status line */
    {.name = "sip",
     .transports = TPA_T_UDP | TPA_T_TCP | TPA_T_SCTP,
     .probe = tpa_sip_probe,
     .dissect = tpa_sip_dissect,
     .stream = tpa_sip_stream,
     .state_free = tpa_sip_state_free},
    /* RTP / RTCP: endpoints announced in SDP, else a cautious multi-packet heuristic */
    {.name = "rtp",
     .transports = TPA_T_UDP,
     .expect = tpa_rtp_expected,
     .heur = tpa_rtp_heur,
     .dissect = tpa_rtp_dissect},
    {.name = "rtcp",
     .transports = TPA_T_UDP,
     .expect = tpa_rtcp_expected,
     .heur = tpa_rtcp_heur,
     .dissect = tpa_rtcp_dissect},
};

#define NROWS (sizeof table / sizeof table[0])

const tpa_dissector_t *tpa_dissect_table(unsigned *n)
{
    *n = (unsigned)NROWS;
    return table;
}

const char *tpa_dissect_app_name(uint16_t app)
{
    if (app == 0 || app > NROWS) return NULL;
    return table[app - 1].name;
}

const tpa_dissector_t *tpa_dissect_row(uint16_t app)
{
    if (app == 0 || app > NROWS) return NULL;
    return &table[app - 1];
}

static bool has_ppid(const tpa_dissector_t *row, uint32_t ppid)
{
    for (int i = 0; i < TPA_DISSECT_PPIDS && row->ppids[i]; i++)
        if (row->ppids[i] == ppid) return true;
    return false;
}

/* Whether row accepts the payload (a probe never accepts an empty one). */
static bool accepts(const tpa_dissector_t *row, const tpa_rd_t *pl)
{
    if (!row->probe) return true;
    return tpa_rd_remaining(pl) > 0 && row->probe(pl);
}

/* ---- the detection index ----
 *
 * detect() runs for the first TPA_DISSECT_PROBE_LIMIT packets of every flow no row
 * has claimed yet (most user-plane flows), so it must not walk the whole table for
 * each. The table is read once into per-transport lists of the rows each step
 * considers, in table order (so the first accepting row is the same), and a bitmap
 * of the ports some row names. Built on first use (pthread_once); read-only after. */

typedef struct port_row {
    uint16_t port;
    uint8_t row; /* table index */
} port_row_t;

typedef struct tindex {
    uint8_t expect[NROWS], probe[NROWS], heur[NROWS]; /* table indexes, in table order */
    uint8_t nexpect, nprobe, nheur;
    port_row_t ports[NROWS * TPA_DISSECT_PORTS]; /* in table order, then port order */
    unsigned nports;
} tindex_t;

static tindex_t tindex[3];        /* by transport: UDP, TCP, SCTP */
static uint64_t port_named[1024]; /* bit per port some row names */
static pthread_once_t index_once = PTHREAD_ONCE_INIT;
static bool index_built; /* set (release) by build_index: later calls skip pthread_once */

_Static_assert(NROWS < 256, "the detection index stores rows in a byte");

static void build_index(void)
{
    for (int t = 0; t < 3; t++) {
        tindex_t *x = &tindex[t];
        uint8_t tr = (uint8_t)(1u << t);
        for (unsigned i = 0; i < NROWS; i++) {
            const tpa_dissector_t *row = &table[i];
            if (!(row->transports & tr)) continue;
            if (row->expect) x->expect[x->nexpect++] = (uint8_t)i;
            if (!row->ports[0] && !row->ppids[0] && row->probe) x->probe[x->nprobe++] = (uint8_t)i;
            if (row->heur) x->heur[x->nheur++] = (uint8_t)i;
            for (int k = 0; k < TPA_DISSECT_PORTS && row->ports[k]; k++) {
                bool dup = false; /* a row naming a port twice is asked once */
                for (int j = 0; j < k; j++)
                    dup |= row->ports[j] == row->ports[k];
                if (dup) continue;
                x->ports[x->nports++] = (port_row_t){row->ports[k], (uint8_t)i};
                port_named[row->ports[k] >> 6] |= 1ull << (row->ports[k] & 63);
            }
        }
    }
    __atomic_store_n(&index_built, true, __ATOMIC_RELEASE);
}

static const tindex_t *index_for(uint8_t transport)
{
    if (!__atomic_load_n(&index_built, __ATOMIC_ACQUIRE)) pthread_once(&index_once, build_index);
    return &tindex[transport == TPA_T_UDP ? 0 : transport == TPA_T_TCP ? 1 : 2];
}

/* Whether some row names port (most ports of undecided flows: none does). */
static inline bool named(uint16_t port)
{
    return port_named[port >> 6] >> (port & 63) & 1;
}

/* The first row (table order) of x naming port that accepts pl, as app id, or 0. */
static uint16_t by_port(const tindex_t *x, uint16_t port, const tpa_rd_t *pl)
{
    for (unsigned i = 0; i < x->nports; i++)
        if (x->ports[i].port == port && accepts(&table[x->ports[i].row], pl))
            return (uint16_t)(x->ports[i].row + 1);
    return 0;
}

/* The first row (table order) of x whose probe accepts pl (not empty), as app id, or 0. */
static inline uint16_t by_probe(const tindex_t *x, const tpa_rd_t *pl)
{
    for (unsigned i = 0; i < x->nprobe; i++)
        if (table[x->probe[i]].probe(pl)) return (uint16_t)(x->probe[i] + 1);
    return 0;
}

/* SCTP PPID, expected endpoints, the lower port, the higher port, probes, heuristics
 * (tpa_dissect.h); each step in table order. */
static uint16_t detect(tpa_dissect_ctx_t *c, const tpa_rd_t *pl)
{
    if (c->ppid) {
        for (unsigned i = 0; i < NROWS; i++)
            if ((table[i].transports & c->transport) && has_ppid(&table[i], c->ppid) &&
                accepts(&table[i], pl))
                return (uint16_t)(i + 1);
    }
    const tindex_t *x = index_for(c->transport);
    for (unsigned i = 0; i < x->nexpect && !c->quoted; i++)
        if (table[x->expect[i]].expect(c, pl)) return (uint16_t)(x->expect[i] + 1);
    uint16_t lo = c->sport < c->dport ? c->sport : c->dport;
    uint16_t hi = c->sport < c->dport ? c->dport : c->sport;
    uint16_t app = named(lo) ? by_port(x, lo, pl) : 0;
    if (!app && named(hi)) app = by_port(x, hi, pl);
    if (app) return app;
    if (tpa_rd_remaining(pl) == 0) return 0;
    app = by_probe(x, pl);
    if (app) return app;
    for (unsigned i = 0; i < x->nheur && !c->quoted; i++)
        if (table[x->heur[i]].heur(c, pl)) return (uint16_t)(x->heur[i] + 1);
    return 0;
}

uint16_t tpa_dissect_app_for_ppid(uint32_t ppid)
{
    if (!ppid) return 0;
    for (unsigned i = 0; i < NROWS; i++)
        if ((table[i].transports & TPA_T_SCTP) && has_ppid(&table[i], ppid))
            return (uint16_t)(i + 1);
    return 0;
}

void tpa_dissect_ctx_init(tpa_dissect_ctx_t *c, tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f,
                          int side, uint8_t transport)
{
    tpa_dec_ctx_init(c, d, p, f, side, transport);
}
#if UINTPTR_MAX == UINT64_MAX
_Static_assert(
    sizeof(tpa_dissect_ctx_t) == 88,
    "a field was added to tpa_dissect_ctx_t: set it in tpa_dec_ctx_init (tpa_decode_int.h)");
#endif

/* tpa_dissect_detect, inline where a flow's datagrams go (most have their app). */
static inline void detect_once(tpa_dissect_ctx_t *c, const tpa_rd_t *payload)
{
    tpa_flow_t *f = c->flow;
    if (!f->app && (f->app_tries < PROBE_LIMIT || c->ppid)) {
        f->app = detect(c, payload);
        if (!f->app && f->app_tries < PROBE_LIMIT) f->app_tries++;
    }
}

void tpa_dissect_detect(tpa_dissect_ctx_t *c, const tpa_rd_t *payload)
{
    detect_once(c, payload);
}

void tpa_dissect_detect_segment(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side,
                                const tpa_rd_t *payload)
{
    /* without a PPID, expected endpoint rows, heuristic rows or a row naming either
     * port, detect() comes down to the probes, which need no context (and an empty
     * payload to nothing) */
    const tindex_t *x = index_for(TPA_T_TCP);
    if (x->nexpect == 0 && x->nheur == 0 && !named(f->key.port[0]) && !named(f->key.port[1])) {
        if (tpa_rd_remaining(payload) > 0) f->app = by_probe(x, payload);
        if (!f->app && f->app_tries < PROBE_LIMIT) f->app_tries++;
        return;
    }
    tpa_dissect_ctx_t c;
    tpa_dec_ctx_init(&c, d, p, f, side, TPA_T_TCP);
    detect_once(&c, payload);
}

void tpa_dissect_run(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    detect_once(c, payload);
    tpa_flow_t *f = c->flow;
    if (f->app && tpa_rd_remaining(payload) > 0) {
        const tpa_dissector_t *row = &table[f->app - 1];
        c->row = row;
        if (row->dissect) row->dissect(c, payload);
    }
}

void tpa_dissect_quoted(tpa_decoder_t *d, tpa_pkt_t *p, int family, uint8_t proto,
                        const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
                        tpa_rd_t *payload)
{
    if (proto != 17 || tpa_rd_remaining(payload) == 0) return;
    /* the stand-in: never in the table, never counted */
    tpa_flow_t *none = tpa_flow_table_standin(d->flows);
    if (!none) return;
    int side = tpa_flow_key_make(&none->key, family, proto, src, sport, dst, dport, p->ctx);
    none->src_side = (uint8_t)side;
    none->last_us = p->ts_us;
    tpa_flow_cold(none)->first_us = p->ts_us;
    tpa_dissect_ctx_t c;
    tpa_dissect_ctx_init(&c, d, p, none, side, TPA_T_UDP);
    c.quoted = true;
    uint16_t app = detect(&c, payload);
    if (!app || !table[app - 1].dissect) return;
    c.row = &table[app - 1];
    c.row->dissect(&c, payload);
}

void *tpa_dissect_state(tpa_dissect_ctx_t *c, size_t size)
{
    if (!c->row || size == 0 || c->quoted) return NULL;
    tpa_flow_cold_t *f = tpa_flow_cold(c->flow);
    uint16_t app = (uint16_t)(c->row - table + 1);
    if (f->app_state) return f->app_state_row == app ? f->app_state : NULL;
    f->app_state = calloc(1, size);
    if (f->app_state) f->app_state_row = app;
    return f->app_state;
}

void tpa_dissect_state_free(tpa_flow_t *flow)
{
    tpa_flow_cold_t *f = tpa_flow_cold(flow);
    if (!f->app_state) return;
    const tpa_dissector_t *row = tpa_dissect_row(f->app_state_row);
    if (row && row->state_free)
        row->state_free(f->app_state);
    else
        free(f->app_state);
    f->app_state = NULL;
    f->app_state_row = 0;
}

void tpa_dissect_message(tpa_dissect_ctx_t *c, const char *protocol, const char *code,
                         const char *name)
{
    if (c->quoted && c->dec) c->dec->st.quoted_messages++;
    tpa_result_count_message(c->sink, protocol, code, name); /* last: the call is a jump */
}

void tpa_dissect_flow_info(tpa_dissect_ctx_t *c, void *info)
{
    if (!c || !c->flow || c->quoted) {
        json_decref(info);
        return;
    }
    json_decref(tpa_flow_cold(c->flow)->app_info);
    tpa_flow_cold(c->flow)->app_info = info;
}

void *tpa_dissect_flow_info_get(const tpa_flow_t *f)
{
    return f ? tpa_flow_cold(f)->app_info : NULL;
}

void tpa_dissect_flow_info_free(tpa_flow_t *f)
{
    if (!f) return;
    json_decref(tpa_flow_cold(f)->app_info);
    tpa_flow_cold(f)->app_info = NULL;
}

void tpa_dissect_malformed(tpa_dissect_ctx_t *c, int reason)
{
    if (c->quoted) return; /* the quoted datagram's own business */
    tpa_dec_mal(c->dec, c->pkt, reason);
}

void tpa_dissect_short(tpa_dissect_ctx_t *c, int reason)
{
    if (c->quoted) return; /* a quote may end anywhere */
    tpa_dec_short(c->dec, c->pkt, reason);
}
