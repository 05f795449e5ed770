/* tpa_l4.c - transport layers and the flow accounting of a frame.
 *
 * TCP is in tpa_tcp.c, SCTP in tpa_sctp.c. UDP (RFC 768): Length >= 8 bounds the
 * payload, handed to the dissector table as one datagram. ICMP (RFC 792) and ICMPv6 (RFC 4443): a
 * flow per address pair and echo identifier (other messages: type and code); the packet quoted
 * inside an error message is no flow of its own, only its messages count (tpa_icmp_quote.c).
 * IP-in-IP (4, 41) and GRE (47) recurse. A flow is counted as soon as its ports are readable: a
 * header broken after the ports still belongs to the conversation.
 */
#include "tpa_decode_int.h"
#include "tpa_flow_int.h"

/* A flow inside a tunnel: its context from the first packet, the reverse TEID and the
 * QFI when first seen. Only stores what changes (the flow's lines stay clean). */
static void tunnel_facts(const tpa_pkt_t *p, tpa_flow_t *f, int s, bool created)
{
    if (created) {
        f->has_tunnel = 1;
        tpa_flow_cold(f)->outer_flow = p->ctx;
        tpa_flow_cold(f)->teid = p->teid;
        tpa_flow_cold(f)->tunnel_kind = p->tun_kind;
    } else if (s != f->src_side && !f->has_teid_rev) {
        tpa_flow_cold(f)->teid_rev = p->teid;
        f->has_teid_rev = p->teid != 0;
    }
    if (p->has_qfi && !f->has_qfi) {
        tpa_flow_cold(f)->qfi = p->qfi;
        f->has_qfi = 1;
    }
}

/* tpa_dec_flow, inline into the UDP path (most packets of the signalling mix): no call,
 * no second set of saved registers per datagram. */
__attribute__((always_inline)) static inline tpa_flow_t *
dec_flow(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto, uint16_t sport,
         uint16_t dport, int *side)
{
    tpa_flow_key_t k;
    int s = tpa_flow_key_make(&k, ip->family, proto, ip->src, sport, ip->dst, dport, p->ctx);
    *side = s;
    bool created = false;
    int level = p->nlayers < TPA_DECODE_MAX_DEPTH ? p->nlayers : TPA_DECODE_MAX_DEPTH - 1;
    tpa_flow_t *f;
    if (__builtin_expect(p->nextra == 0, 1)) {
        /* lookup and count inline (tpa_flow_int.h): no call unless the flow is new */
        f = tpa_flow_get_count_in(d->flows, &k, s, p->ts_us, p->wirelen, &created,
                                  d->recent[level]);
        if (!f) return NULL;
    } else {
        /* fragment frames held for this datagram count first */
        f = tpa_flow_get_hint(d->flows, &k, s, p->ts_us, &created, d->recent[level]);
        if (!f) return NULL;
        for (int i = 0; i < p->nextra; i++)
            if (p->extra[i].from <= p->nlayers)
                tpa_flow_count(d->flows, f, s, p->extra[i].pkts, p->extra[i].bytes,
                               p->extra[i].first_us);
        tpa_flow_count(d->flows, f, s, 1, p->wirelen, p->ts_us);
    }
    d->recent[level] = f;
    if (p->ctx) tunnel_facts(p, f, s, created);
    p->nlayers++;
    return f;
}

tpa_flow_t *tpa_dec_flow(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto,
                         uint16_t sport, uint16_t dport, int *side)
{
    return dec_flow(d, p, ip, proto, sport, dport, side);
}

void tpa_dec_udp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 8)) { /* the flow counts as soon as its ports are readable */
        if (tpa_rd_has(r, 4)) {
            int side;
            uint16_t sport = tpa_rd_be16(r), dport = tpa_rd_be16(r);
            tpa_dec_flow(d, p, ip, 17, sport, dport, &side);
        }
        tpa_dec_short(d, p, TPA_MAL_UDP_TRUNCATED);
        return;
    }
    /* the header through a reader of its 8 bytes: one bounds check for all */
    tpa_rd_t h = tpa_rd_sub(r, 8);
    uint16_t sport = tpa_rd_be16(&h), dport = tpa_rd_be16(&h);
    uint16_t ulen = tpa_rd_be16(&h); /* then the checksum */
    int side;
    tpa_flow_t *f = dec_flow(d, p, ip, 17, sport, dport, &side);
    if (ulen < 8) {
        tpa_dec_mal(d, p, TPA_MAL_UDP_LEN_INVALID);
        return;
    }
    if ((size_t)ulen - 8 > tpa_rd_remaining(r)) {
        tpa_dec_short(d, p, TPA_MAL_UDP_LEN_EXCEEDS);
        p->cut = true;
    }
    tpa_rd_t pl = tpa_rd_sub_upto(r, (size_t)ulen - 8);
    /* an app without a datagram dissector runs nothing in tpa_dissect_run */
    if (f && (f->app || tpa_dissect_pending(f))) {
        tpa_dissect_ctx_t c;
        tpa_dec_ctx_init(&c, d, p, f, side, TPA_T_UDP);
        tpa_dissect_run(&c, &pl);
    }
}

static bool icmp_is_query(int v6, uint8_t type)
{
    if (v6) return type == 128 || type == 129;
    return type == 0 || type == 8 || (type >= 13 && type <= 18);
}

static void dec_icmp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r,
                     uint8_t proto)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_ICMP_TRUNCATED);
        return;
    }
    uint8_t type = tpa_rd_u8(r);
    uint8_t code = tpa_rd_u8(r);
    tpa_rd_skip(r, 2);
    uint16_t a = type, b = code;
    if (icmp_is_query(proto == 58, type) && tpa_rd_has(r, 2)) {
        a = b = tpa_rd_be16(r); /* identifier: request and reply share one flow */
    }
    int side;
    tpa_dec_flow(d, p, ip, proto, a, b, &side);
    tpa_dec_icmp_quote(d, p, proto, type, r); /* an error's quoted messages: no flows */
}

static void dec_other(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto)
{
    int side;
    tpa_dec_flow(d, p, ip, proto, 0, 0, &side);
}

void tpa_dec_l4_other(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto,
                      tpa_rd_t *r)
{
    switch (proto) {
    case 132:
        tpa_dec_sctp(d, p, ip, r);
        break;
    case 1:
    case 58:
        dec_icmp(d, p, ip, r, proto);
        break;
    case 4:
        tpa_dec_ipv4(d, p, r);
        break;
    case 41:
        tpa_dec_ipv6(d, p, r);
        break;
    case 47:
        tpa_dec_gre(d, p, ip, r);
        break;
    case 51: { /* AH (RFC 4302) in IPv4: skip it */
        if (!tpa_rd_has(r, 2)) {
            tpa_dec_short(d, p, TPA_MAL_AH_TRUNCATED);
            return;
        }
        uint8_t next = tpa_rd_u8(r);
        size_t len = ((size_t)tpa_rd_u8(r) + 2) * 4;
        if (!tpa_rd_has(r, len - 2)) {
            tpa_dec_short(d, p, TPA_MAL_AH_TRUNCATED);
            return;
        }
        tpa_rd_skip(r, len - 2);
        if (next == 51) {
            tpa_dec_mal(d, p, TPA_MAL_DECODE_TOO_DEEP);
            return;
        }
        tpa_dec_l4(d, p, ip, next, r);
        break;
    }
    case 59: /* no next header */
        break;
    default:
        dec_other(d, p, ip, proto);
    }
}
