/* tpa_dissect.c - the dissector table and per-flow application detection. */
#include "tpa_decode_int.h"
#include "tpa_dissect.h"

#define PROBE_LIMIT 16 /* packets of a flow looked at before giving up */

static const char h2_preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

static bool probe_http2(const tpa_rd_t *pl)
{
    return tpa_rd_match(pl, h2_preface, sizeof h2_preface - 1);
}

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
    {"gtp-u", TPA_T_UDP, {2152}, {0}, NULL, tpa_dissect_gtpu},
    {"gtpv2", TPA_T_UDP, {2123}, {0}, probe_gtpv2, NULL},
    {"gtp-c", TPA_T_UDP, {2123}, {0}, probe_gtpv1c, NULL},
    {"pfcp", TPA_T_UDP, {8805}, {0}, NULL, NULL},
    {"diameter", TPA_T_TCP | TPA_T_SCTP, {3868}, {46, 47}, NULL, NULL},
    {"ngap", TPA_T_SCTP, {38412}, {60}, NULL, NULL},
    {"s1ap", TPA_T_SCTP, {36412}, {18}, NULL, NULL},
    {"x2ap", TPA_T_SCTP, {36422}, {27}, NULL, NULL},
    {"xnap", TPA_T_SCTP, {38422}, {61}, NULL, NULL},
    {"f1ap", TPA_T_SCTP, {38472}, {62}, NULL, NULL},
    {"sgsap", TPA_T_SCTP, {29118}, {0}, NULL, NULL},
    {"sip", TPA_T_UDP | TPA_T_TCP | TPA_T_SCTP, {5060}, {0}, NULL, NULL},
    {"dns", TPA_T_UDP | TPA_T_TCP, {53}, {0}, NULL, NULL},
    {"http2", TPA_T_TCP, {0}, {0}, probe_http2, NULL},
    {"vxlan", TPA_T_UDP, {4789}, {0}, NULL, tpa_dissect_vxlan},
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

static bool has_port(const tpa_dissector_t *row, uint16_t port)
{
    for (int i = 0; i < TPA_DISSECT_PORTS && row->ports[i]; i++)
        if (row->ports[i] == port) return true;
    return false;
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

static uint16_t detect(const tpa_dissect_ctx_t *c, const tpa_rd_t *pl)
{
    if (c->ppid) {
        for (unsigned i = 0; i < NROWS; i++)
            if ((table[i].transports & c->transport) && has_ppid(&table[i], c->ppid) &&
                accepts(&table[i], pl))
                return (uint16_t)(i + 1);
    }
    uint16_t lo = c->sport < c->dport ? c->sport : c->dport;
    uint16_t hi = c->sport < c->dport ? c->dport : c->sport;
    uint16_t ports[2] = {lo, hi};
    for (int k = 0; k < 2; k++) {
        for (unsigned i = 0; i < NROWS; i++)
            if ((table[i].transports & c->transport) && has_port(&table[i], ports[k]) &&
                accepts(&table[i], pl))
                return (uint16_t)(i + 1);
    }
    if (tpa_rd_remaining(pl) == 0) return 0;
    for (unsigned i = 0; i < NROWS; i++)
        if ((table[i].transports & c->transport) && !table[i].ports[0] && !table[i].ppids[0] &&
            table[i].probe && table[i].probe(pl))
            return (uint16_t)(i + 1);
    return 0;
}

void tpa_dissect_run(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    tpa_flow_t *f = c->flow;
    if (!f->app && (f->app_tries < PROBE_LIMIT || c->ppid)) {
        f->app = detect(c, payload);
        if (!f->app && f->app_tries < PROBE_LIMIT) f->app_tries++;
    }
    if (f->app && tpa_rd_remaining(payload) > 0) {
        const tpa_dissector_t *row = &table[f->app - 1];
        if (row->dissect) row->dissect(c, payload);
    }
}
