/* tpa_l4.c - transport layers and the flow accounting of a frame.
 *
 * TCP (RFC 9293): ports, then data offset * 4 >= 20 bytes of header; flags feed the
 * flow's close tracking. UDP (RFC 768): Length >= 8 bounds the payload. SCTP
 * (RFC 9260): 12-byte common header, then chunks of Length >= 4 bytes padded to a
 * multiple of 4; DATA (0) and I-DATA (64, RFC 8260) carry the payload protocol id.
 * ICMP (RFC 792) and ICMPv6 (RFC 4443): a flow per address pair and echo identifier
 * (other messages: type and code); the packet quoted inside an error message is not
 * decoded (it is no flow of its own). IP-in-IP (4, 41) and GRE (47) recurse.
 * A flow is counted as soon as its ports are readable: a header broken after the
 * ports still belongs to the conversation.
 */
#include "tpa_decode_int.h"

tpa_flow_t *tpa_dec_flow(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto,
                         uint16_t sport, uint16_t dport, int *side)
{
    tpa_flow_key_t k;
    int s = tpa_flow_key_make(&k, ip->family, proto, ip->src, sport, ip->dst, dport, p->ctx);
    bool created = false;
    tpa_flow_t *f = tpa_flow_get(d->flows, &k, s, p->ts_us, &created);
    *side = s;
    if (!f) return NULL;
    if (p->ctx) {
        if (created) {
            f->has_tunnel = 1;
            f->outer_flow = p->ctx;
            f->teid = p->teid;
            f->tunnel_kind = p->tun_kind;
        } else if (s != f->src_side && !f->teid_rev) {
            f->teid_rev = p->teid;
        }
        if (p->has_qfi && !f->has_qfi) {
            f->qfi = p->qfi;
            f->has_qfi = 1;
        }
    }
    for (int i = 0; i < p->nextra; i++)
        if (p->extra[i].from <= p->nlayers)
            tpa_flow_count(d->flows, f, s, p->extra[i].pkts, p->extra[i].bytes,
                           p->extra[i].first_us);
    tpa_flow_count(d->flows, f, s, 1, p->wirelen, p->ts_us);
    p->nlayers++;
    return f;
}

static void run_app(tpa_decoder_t *d, tpa_pkt_t *p, tpa_flow_t *f, int side, uint8_t t,
                    uint16_t sport, uint16_t dport, uint32_t ppid, uint16_t stream,
                    tpa_rd_t *payload)
{
    tpa_dissect_ctx_t c = {d, p, f, side, t, sport, dport, ppid, stream};
    tpa_dissect_run(&c, payload);
}

static void dec_tcp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_TCP_TRUNCATED);
        return;
    }
    uint16_t sport = tpa_rd_be16(r), dport = tpa_rd_be16(r);
    int side;
    tpa_flow_t *f = tpa_dec_flow(d, p, ip, 6, sport, dport, &side);
    if (!tpa_rd_has(r, 16)) {
        tpa_dec_short(d, p, TPA_MAL_TCP_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 8); /* sequence, acknowledgment */
    uint16_t offfl = tpa_rd_be16(r);
    tpa_rd_skip(r, 6); /* window, checksum, urgent pointer */
    if (f) tpa_flow_tcp_flags(d->flows, f, side, (uint8_t)(offfl & 0xff));
    size_t hl = (size_t)(offfl >> 12) * 4;
    if (hl < 20) {
        tpa_dec_mal(d, p, TPA_MAL_TCP_BAD_OFFSET);
        return;
    }
    if (!tpa_rd_has(r, hl - 20)) {
        tpa_dec_short(d, p, TPA_MAL_TCP_BAD_OFFSET);
        return;
    }
    tpa_rd_skip(r, hl - 20);
    if (f) run_app(d, p, f, side, TPA_T_TCP, sport, dport, 0, 0, r);
}

static void dec_udp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_UDP_TRUNCATED);
        return;
    }
    uint16_t sport = tpa_rd_be16(r), dport = tpa_rd_be16(r);
    int side;
    tpa_flow_t *f = tpa_dec_flow(d, p, ip, 17, sport, dport, &side);
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_UDP_TRUNCATED);
        return;
    }
    uint16_t ulen = tpa_rd_be16(r);
    tpa_rd_skip(r, 2); /* checksum */
    if (ulen < 8) {
        tpa_dec_mal(d, p, TPA_MAL_UDP_LEN_INVALID);
        return;
    }
    if ((size_t)ulen - 8 > tpa_rd_remaining(r)) {
        tpa_dec_short(d, p, TPA_MAL_UDP_LEN_EXCEEDS);
        p->cut = true;
    }
    tpa_rd_t pl = tpa_rd_sub_upto(r, (size_t)ulen - 8);
    if (f) run_app(d, p, f, side, TPA_T_UDP, sport, dport, 0, 0, &pl);
}

static void dec_sctp(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_SCTP_TRUNCATED);
        return;
    }
    uint16_t sport = tpa_rd_be16(r), dport = tpa_rd_be16(r);
    int side;
    tpa_flow_t *f = tpa_dec_flow(d, p, ip, 132, sport, dport, &side);
    if (!tpa_rd_has(r, 8)) {
        tpa_dec_short(d, p, TPA_MAL_SCTP_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 8);  /* verification tag, checksum */
    if (f && !f->app) { /* ports decide even for packets without DATA */
        tpa_rd_t none = tpa_rd_init(NULL, 0);
        run_app(d, p, f, side, TPA_T_SCTP, sport, dport, 0, 0, &none);
    }
    while (tpa_rd_remaining(r) > 0) {
        if (!tpa_rd_has(r, 4)) {
            tpa_dec_short(d, p, TPA_MAL_SCTP_CHUNK_TRUNCATED);
            return;
        }
        uint8_t type = tpa_rd_u8(r);
        uint8_t flags = tpa_rd_u8(r);
        uint16_t len = tpa_rd_be16(r);
        if (len < 4) {
            tpa_dec_mal(d, p, TPA_MAL_SCTP_CHUNK_LEN_INVALID);
            return;
        }
        bool cut = !tpa_rd_has(r, len - 4u);
        if (cut) tpa_dec_short(d, p, TPA_MAL_SCTP_CHUNK_TRUNCATED);
        tpa_rd_t ch = tpa_rd_sub_upto(r, len - 4u);
        size_t pad = (4 - (len & 3)) & 3;
        size_t rem = tpa_rd_remaining(r);
        tpa_rd_skip(r, pad < rem ? pad : rem);
        if ((type == 0 || type == 64) && f) {
            uint32_t ppid = 0;
            uint16_t sid;
            if (type == 0) { /* DATA: TSN, stream id, stream seq, PPID */
                if (!tpa_rd_has(&ch, 12)) goto bad_data;
                tpa_rd_skip(&ch, 4);
                sid = tpa_rd_be16(&ch);
                tpa_rd_skip(&ch, 2);
                ppid = tpa_rd_be32(&ch);
            } else { /* I-DATA: TSN, stream id, reserved, MID, PPID or FSN */
                if (!tpa_rd_has(&ch, 16)) goto bad_data;
                tpa_rd_skip(&ch, 4);
                sid = tpa_rd_be16(&ch);
                tpa_rd_skip(&ch, 6);
                uint32_t v = tpa_rd_be32(&ch);
                ppid = (flags & 0x02) ? v : 0; /* B bit: first fragment carries PPID */
            }
            f->sctp_data_chunks++;
            if (!f->sctp_ppid) f->sctp_ppid = ppid;
            run_app(d, p, f, side, TPA_T_SCTP, sport, dport, ppid, sid, &ch);
        }
        if (cut) return;
        continue;
    bad_data:
        if (!cut) tpa_dec_mal(d, p, TPA_MAL_SCTP_CHUNK_LEN_INVALID);
        return;
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
    /* an error's quoted datagram is not decoded */
}

static void dec_other(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto)
{
    int side;
    tpa_dec_flow(d, p, ip, proto, 0, 0, &side);
}

void tpa_dec_l4(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto, tpa_rd_t *r)
{
    switch (proto) {
    case 6:
        dec_tcp(d, p, ip, r);
        break;
    case 17:
        dec_udp(d, p, ip, r);
        break;
    case 132:
        dec_sctp(d, p, ip, r);
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
