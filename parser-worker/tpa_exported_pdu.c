/* tpa_exported_pdu.c - LINKTYPE_WIRESHARK_UPPER_PDU frames; see tpa_exported_pdu.h. */
#include "tpa_exported_pdu.h"

#include <string.h>

#include "tpa_malformed.h"
#include "tpa_nas.h"

enum {
    TAG_END = 0,
    TAG_DISSECTOR = 12,
    TAG_HEUR_DISSECTOR = 13,
    TAG_TABLE = 14,
    TAG_IPV4_SRC = 20,
    TAG_IPV4_DST = 21,
    TAG_IPV6_SRC = 22,
    TAG_IPV6_DST = 23,
    TAG_PORT_TYPE = 24,
    TAG_SRC_PORT = 25,
    TAG_DST_PORT = 26,
    TAG_TABLE_VALUE = 32
};

enum { PT_SCTP = 1, PT_TCP = 2, PT_UDP = 3, PT_DCCP = 4 };

/* ---- the TLVs ---- */

/* "sip_udp" -> "sip": a heuristic dissector's name without its transport suffix. */
static void heur_base(char *name)
{
    char *u = strrchr(name, '_');
    if (u && (!strcmp(u, "_udp") || !strcmp(u, "_tcp") || !strcmp(u, "_sctp"))) *u = '\0';
}

/* A 4-octet big-endian number tag; false when the length is not 4. */
static bool u32_tag(tpa_rd_t *v, uint32_t *out)
{
    if (tpa_rd_remaining(v) != 4) return false;
    *out = tpa_rd_be32(v);
    return true;
}

int tpa_exported_pdu_parse(tpa_rd_t *r, tpa_exported_pdu_t *m)
{
    memset(m, 0, sizeof *m);
    char heur[TPA_EXPORTED_PDU_NAME_MAX] = "";
    int src_family = 0, dst_family = 0;
    bool has_sport = false, has_dport = false;
    for (;;) {
        if (!tpa_rd_has(r, 4)) return TPA_MAL_EXPORTED_PDU_TRUNCATED; /* no end tag */
        unsigned tag = tpa_rd_be16(r);
        size_t len = tpa_rd_be16(r);
        if (tag == TAG_END) break; /* its length is 0 by definition; the PDU follows */
        if (!tpa_rd_has(r, len)) return TPA_MAL_EXPORTED_PDU_TRUNCATED;
        tpa_rd_t v = tpa_rd_sub(r, len);
        uint32_t n;
        switch (tag) {
        case TAG_DISSECTOR:
            tpa_rd_str(&v, len, m->proto, sizeof m->proto);
            break;
        case TAG_HEUR_DISSECTOR:
            tpa_rd_str(&v, len, heur, sizeof heur);
            break;
        case TAG_TABLE:
            tpa_rd_str(&v, len, m->table, sizeof m->table);
            break;
        case TAG_TABLE_VALUE:
            if (!u32_tag(&v, &m->table_value)) return TPA_MAL_EXPORTED_PDU_TAG_INVALID;
            m->has_table_value = true;
            break;
        case TAG_IPV4_SRC:
        case TAG_IPV4_DST:
        case TAG_IPV6_SRC:
        case TAG_IPV6_DST: {
            bool v6 = tag == TAG_IPV6_SRC || tag == TAG_IPV6_DST;
            bool src = tag == TAG_IPV4_SRC || tag == TAG_IPV6_SRC;
            if (len != (v6 ? 16u : 4u)) return TPA_MAL_EXPORTED_PDU_TAG_INVALID;
            tpa_rd_bytes(&v, src ? m->src : m->dst, len);
            *(src ? &src_family : &dst_family) = v6 ? 6 : 4;
            break;
        }
        case TAG_PORT_TYPE:
            if (!u32_tag(&v, &m->port_type)) return TPA_MAL_EXPORTED_PDU_TAG_INVALID;
            m->has_port_type = true;
            break;
        case TAG_SRC_PORT:
        case TAG_DST_PORT:
            if (!u32_tag(&v, &n) || n > 65535) return TPA_MAL_EXPORTED_PDU_TAG_INVALID;
            if (tag == TAG_SRC_PORT) {
                m->sport = (uint16_t)n;
                has_sport = true;
            } else {
                m->dport = (uint16_t)n;
                has_dport = true;
            }
            break;
        default: /* options length, original frame number, direction, texts, ... */
            break;
        }
    }
    if (src_family && dst_family && src_family != dst_family)
        return TPA_MAL_EXPORTED_PDU_TAG_INVALID;
    if (src_family && src_family == dst_family) m->family = src_family;
    m->has_ports = has_sport && has_dport;
    if (!m->proto[0] && heur[0]) {
        heur_base(heur);
        memcpy(m->proto, heur, sizeof m->proto);
    }
    return 0;
}

uint8_t tpa_exported_pdu_ip_proto(const tpa_exported_pdu_t *m)
{
    if (!m->has_port_type) return 0;
    switch (m->port_type) {
    case PT_SCTP:
        return 132;
    case PT_TCP:
        return 6;
    case PT_UDP:
        return 17;
    case PT_DCCP:
        return 33;
    default:
        return 0;
    }
}

/* ---- what the PDU goes to ---- */

/* Wireshark dissector names that are not a row name of ours. */
static const struct {
    const char *ws, *row;
} aliases[] = {
    {"gtp", "gtp-c"}, /* GTPv1 (GTP-U signalling too: tpa_gtp.h) */
};

/* The row (app id, 1-based) for a dissector name, or 0. */
static uint16_t app_by_name(const char *name)
{
    for (size_t i = 0; i < sizeof aliases / sizeof aliases[0]; i++)
        if (!strcmp(name, aliases[i].ws)) name = aliases[i].row;
    unsigned n;
    const tpa_dissector_t *t = tpa_dissect_table(&n);
    for (unsigned i = 0; i < n; i++)
        if (!strcmp(t[i].name, name)) return (uint16_t)(i + 1);
    return 0;
}

/* The transport bit of a "<udp|tcp|sctp>.port" / "sctp.ppi" table name, or 0. */
static uint8_t table_transport(const char *table)
{
    if (!strcmp(table, "udp.port")) return TPA_T_UDP;
    if (!strcmp(table, "tcp.port")) return TPA_T_TCP;
    if (!strcmp(table, "sctp.port") || !strcmp(table, "sctp.ppi")) return TPA_T_SCTP;
    return 0;
}

/* The row a dissector table entry (tag 14 + 32) leads to, or 0. */
static uint16_t app_by_table(const tpa_exported_pdu_t *m)
{
    uint8_t tr = table_transport(m->table);
    if (!tr || !m->has_table_value) return 0;
    if (!strcmp(m->table, "sctp.ppi")) return tpa_dissect_app_for_ppid(m->table_value);
    unsigned n;
    const tpa_dissector_t *t = tpa_dissect_table(&n);
    for (unsigned i = 0; i < n; i++) {
        if (!(t[i].transports & tr)) continue;
        for (int k = 0; k < TPA_DISSECT_PORTS && t[i].ports[k]; k++)
            if (t[i].ports[k] == m->table_value) return (uint16_t)(i + 1);
    }
    return 0;
}

/* The flow's IP protocol: the port type, else the transport of a port / PPID table. */
static uint8_t flow_proto(const tpa_exported_pdu_t *m)
{
    if (m->has_port_type) return tpa_exported_pdu_ip_proto(m);
    switch (table_transport(m->table)) {
    case TPA_T_UDP:
        return 17;
    case TPA_T_TCP:
        return 6;
    case TPA_T_SCTP:
        return 132;
    default:
        return 0;
    }
}

/* A context for a dissector called without a flow (NAS only: it needs none). */
static void ctx_no_flow(tpa_dissect_ctx_t *c, tpa_decoder_t *d, tpa_pkt_t *p)
{
    memset(c, 0, sizeof *c);
    c->frame = p->frame;
    c->ts_us = p->ts_us;
    c->sink = d->sink;
    c->dec = d;
    c->pkt = p;
}

/* Hands pdu to row app on flow f (sent by key side `side`, flow protocol proto). */
static void to_row(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, uint8_t proto,
                   uint16_t app, tpa_rd_t *pdu)
{
    const tpa_dissector_t *row = tpa_dissect_row(app);
    bool stream = row->stream && (proto == 6 || !row->dissect);
    uint8_t tr = stream ? TPA_T_TCP : proto == 132 ? TPA_T_SCTP : TPA_T_UDP;
    if (!f->app) f->app = app;
    tpa_dissect_ctx_t c;
    tpa_dissect_ctx_init(&c, d, p, f, side, tr);
    c.row = row;
    if (row->named) row->named(&c);
    if (stream)
        row->stream(&c, pdu, 0);
    else if (row->dissect && tpa_rd_remaining(pdu) > 0)
        row->dissect(&c, pdu);
}

void tpa_dec_exported_pdu(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    tpa_exported_pdu_t m;
    int bad = tpa_exported_pdu_parse(r, &m);
    if (bad == TPA_MAL_EXPORTED_PDU_TRUNCATED) {
        tpa_dec_short(d, p, bad);
        return;
    }
    if (bad) {
        tpa_dec_mal(d, p, bad);
        return;
    }
    /* lower layers: decoded as a frame of that link would be */
    if (!strcmp(m.proto, "ip") || !strcmp(m.proto, "ipv6")) {
        tpa_dec_ip(d, p, r);
        return;
    }
    if (!strcmp(m.proto, "eth_withoutfcs") || !strcmp(m.proto, "eth_maybefcs") ||
        !strcmp(m.proto, "eth_withfcs")) {
        if (!strcmp(m.proto, "eth_withfcs") && tpa_rd_remaining(r) >= 4) {
            tpa_rd_t frame = tpa_rd_sub(r, tpa_rd_remaining(r) - 4);
            tpa_dec_ether(d, p, &frame);
        } else {
            tpa_dec_ether(d, p, r);
        }
        return;
    }

    bool nas5gs = !strcmp(m.proto, "nas-5gs"), naseps = !strcmp(m.proto, "nas-eps");
    tpa_flow_t *f = NULL;
    int side = 0;
    uint8_t proto = flow_proto(&m);
    if (m.family && m.has_ports) {
        tpa_ipctx_t ip;
        memset(&ip, 0, sizeof ip);
        ip.family = m.family;
        memcpy(ip.src, m.src, sizeof ip.src);
        memcpy(ip.dst, m.dst, sizeof ip.dst);
        f = tpa_dec_flow(d, p, &ip, proto, m.sport, m.dport, &side);
    } else {
        tpa_dec_non_ip(d, p);
    }
    if (nas5gs || naseps) {
        tpa_dissect_ctx_t c;
        if (f)
            tpa_dissect_ctx_init(&c, d, p, f, side, 0);
        else
            ctx_no_flow(&c, d, p);
        if (nas5gs)
            tpa_nas5gs_dissect(&c, r, NULL);
        else
            tpa_naseps_dissect(&c, r, NULL);
        return;
    }
    uint16_t app = app_by_name(m.proto);
    if (!app) app = app_by_table(&m);
    if (f && app) to_row(d, p, f, side, proto, app, r);
}
