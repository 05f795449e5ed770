/* tpa_tunnel.c - tunnels that carry whole packets: GTP-U, GRE, VXLAN.
 *
 * GTP-U (3GPP TS 29.281 section 5): byte 0 = version (3 bits, 1) | PT (1) | spare |
 * E | S | PN; byte 1 message type (255 = G-PDU); bytes 2-3 Length = bytes after the
 * first 8 (optional fields and extension headers included); bytes 4-7 TEID. When
 * any of E, S, PN is set, 4 more bytes follow: sequence number (2), N-PDU number
 * (1), next extension header type (1, meaningful only when E is set). Each extension
 * header is Length * 4 bytes (Length != 0) including its length byte and the final
 * "next extension header type" byte. Type 0x85 is the PDU Session Container
 * (TS 38.415 section 5.5.2): octet 1 = PDU type << 4, octet 2 low 6 bits = QFI for
 * both the DL and the UL PDU. A G-PDU's T-PDU is decoded as IPv4 / IPv6 by its
 * first nibble; flows inside carry the tunnel context {outer flow, TEID, QFI}.
 * Every G-PDU counts in messages[] as "gtp" 255; the other message types (Echo, Error
 * Indication, End Marker, ...) go to tpa_gtp_dissect (tpa_gtp.h).
 *
 * GRE (RFC 2784, RFC 2890 key and sequence; RFC 2637 version 1 for PPTP): flags
 * C (checksum + reserved, 4 bytes), K (key, 4), S (sequence, 4), and for version 1
 * A (acknowledgment, 4); the protocol type is an EtherType (0x6558 = Ethernet).
 * The GRE packets of an address pair form a flow (proto gre) that is the context of
 * the flows inside.
 *
 * VXLAN (RFC 7348): 8 bytes: flags (I = 0x08), 3 reserved, VNI (3), 1 reserved,
 * then an Ethernet frame.
 */
#include "tpa_decode_int.h"
#include "tpa_gtp.h"

#define MAX_GTPU_EXT 16

typedef struct tun_save {
    uint32_t ctx, teid;
    uint8_t qfi, has_qfi;
    uint16_t kind;
} tun_save_t;

static tun_save_t tun_push(tpa_pkt_t *p, uint32_t ctx, uint32_t teid, uint16_t kind)
{
    tun_save_t s = {p->ctx, p->teid, p->qfi, p->has_qfi, p->tun_kind};
    p->ctx = ctx;
    p->teid = teid;
    p->tun_kind = kind;
    p->has_qfi = 0;
    p->qfi = 0;
    return s;
}

static void tun_pop(tpa_pkt_t *p, const tun_save_t *s)
{
    p->ctx = s->ctx;
    p->teid = s->teid;
    p->qfi = s->qfi;
    p->has_qfi = s->has_qfi;
    p->tun_kind = s->kind;
}

bool tpa_probe_gtpu(const tpa_rd_t *payload)
{
    tpa_rd_t r = *payload;
    return tpa_rd_has(&r, 8) && (tpa_rd_peek(&r, 0) & 0xf0) == 0x30;
}

/* The common G-PDU, read with one bounds check: flags 0x34 (version 1, PT, E) with one
 * PDU Session Container of length 1 (4 bytes) and no further extension, or flags 0x30
 * (no optional fields), the Length within the frame and covering the header's optional
 * part. Fills *body (the T-PDU onward), *teid and the QFI; false leaves r untouched for
 * the general path, which reads the same fields from such a packet. */
static bool gpdu_common(tpa_rd_t *r, tpa_rd_t *body, uint32_t *teid, uint8_t *qfi, uint8_t *has_qfi)
{
    /* a reader of the first 16 bytes: one bounds check for all */
    tpa_rd_t h = *r;
    h = tpa_rd_sub(&h, 16);
    if (h.err) return false;
    uint8_t flags = tpa_rd_u8(&h);
    if (tpa_rd_u8(&h) != 255) return false;
    size_t len = tpa_rd_be16(&h);
    uint32_t id = tpa_rd_be32(&h);
    tpa_rd_skip(&h, 3); /* sequence number, N-PDU number */
    uint8_t ext = tpa_rd_u8(&h), ext_len = tpa_rd_u8(&h);
    tpa_rd_skip(&h, 1); /* PDU type, spare */
    uint8_t qfi_octet = tpa_rd_u8(&h), ext_next = tpa_rd_u8(&h);
    size_t opt; /* bytes of the header after the first 8 */
    if (flags == 0x34 && ext == 0x85 && ext_len == 1 && ext_next == 0) {
        opt = 8;
        *qfi = qfi_octet & 0x3f;
        *has_qfi = 1;
    } else if (flags == 0x30) {
        opt = 0;
        *qfi = 0;
        *has_qfi = 0;
    } else {
        return false;
    }
    if (len < opt || len > tpa_rd_remaining(r) - 8) return false;
    tpa_rd_skip(r, 8);
    *teid = id;
    *body = tpa_rd_sub_upto(r, len);
    tpa_rd_skip(body, opt);
    return true;
}

void tpa_dissect_gtpu(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    tpa_decoder_t *d = c->dec;
    tpa_pkt_t *p = c->pkt;
    tpa_rd_t body;
    uint32_t teid;
    uint8_t qfi, has_qfi;
    if (!c->quoted && gpdu_common(r, &body, &teid, &qfi, &has_qfi)) {
        tpa_gtp_count_gpdu(c);
        goto t_pdu;
    }
    if (tpa_rd_has(r, 2)) {
        uint8_t b0 = tpa_rd_peek(r, 0);
        if (tpa_rd_peek(r, 1) != 255 || !(b0 & 0x10)) { /* Echo, Error Indication, GTP' */
            tpa_gtp_dissect(c, r);
            return;
        }
        if ((b0 >> 5) == 1) tpa_gtp_count_gpdu(c);
    }
    if (c->quoted) return; /* quoted in an ICMP error: counted, its T-PDU is no traffic */
    if (!tpa_rd_has(r, 8)) {
        tpa_dec_short(d, p, TPA_MAL_GTPU_TRUNCATED);
        return;
    }
    uint8_t flags = tpa_rd_u8(r);
    if ((flags >> 5) != 1 || !(flags & 0x10)) {
        tpa_dec_mal(d, p, TPA_MAL_GTPU_BAD_VERSION);
        return;
    }
    uint8_t type = tpa_rd_u8(r);
    uint16_t len = tpa_rd_be16(r);
    teid = tpa_rd_be32(r);
    if (len > tpa_rd_remaining(r)) {
        tpa_dec_short(d, p, TPA_MAL_GTPU_LEN_INVALID);
        p->cut = true;
    }
    body = tpa_rd_sub_upto(r, len);
    qfi = 0;
    has_qfi = 0;
    if (flags & 0x07) {
        if (!tpa_rd_has(&body, 4)) {
            tpa_dec_short(d, p, TPA_MAL_GTPU_TRUNCATED);
            return;
        }
        tpa_rd_skip(&body, 3); /* sequence number, N-PDU number */
        uint8_t next = tpa_rd_u8(&body);
        if (!(flags & 0x04)) next = 0;
        for (int i = 0; next; i++) {
            if (i == MAX_GTPU_EXT) {
                tpa_dec_mal(d, p, TPA_MAL_GTPU_EXT_LEN_INVALID);
                return;
            }
            if (!tpa_rd_has(&body, 1)) {
                tpa_dec_short(d, p, TPA_MAL_GTPU_EXT_TRUNCATED);
                return;
            }
            size_t elen = (size_t)tpa_rd_u8(&body) * 4;
            if (elen == 0) {
                tpa_dec_mal(d, p, TPA_MAL_GTPU_EXT_LEN_INVALID);
                return;
            }
            if (!tpa_rd_has(&body, elen - 1)) {
                tpa_dec_short(d, p, TPA_MAL_GTPU_EXT_TRUNCATED);
                return;
            }
            tpa_rd_t e = tpa_rd_sub(&body, elen - 2);
            uint8_t this_type = next;
            next = tpa_rd_u8(&body);
            if (this_type == 0x85 && tpa_rd_has(&e, 2)) {
                tpa_rd_skip(&e, 1); /* PDU type, flags */
                qfi = tpa_rd_u8(&e) & 0x3f;
                has_qfi = 1;
            }
        }
    }
    if (type != 255) return;
t_pdu:
    if (!tpa_rd_has(&body, 1)) return;
    uint8_t nib = tpa_rd_peek(&body, 0) >> 4;
    if (nib != 4 && nib != 6) return; /* non-IP PDU session (Ethernet, unstructured) */
    if (c->flow->cls == TPA_FLOW_CLS_OTHER) tpa_flow_set_class(d->flows, c->flow, TPA_FLOW_CLS_TCP);
    tun_save_t s = tun_push(p, c->flow->id, teid, TPA_TUN_GTPU);
    p->qfi = qfi;
    p->has_qfi = has_qfi;
    if (nib == 4)
        tpa_dec_ipv4(d, p, &body);
    else
        tpa_dec_ipv6(d, p, &body);
    tun_pop(p, &s);
}

void tpa_dissect_vxlan(tpa_dissect_ctx_t *c, tpa_rd_t *r)
{
    tpa_decoder_t *d = c->dec;
    tpa_pkt_t *p = c->pkt;
    if (c->quoted) return; /* a quoted frame is no traffic and holds no message */
    if (!tpa_rd_has(r, 8)) {
        tpa_dec_short(d, p, TPA_MAL_VXLAN_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 4); /* flags, reserved */
    uint32_t vni = tpa_rd_be24(r);
    tpa_rd_skip(r, 1);
    if (p->depth >= TPA_DECODE_MAX_DEPTH) {
        tpa_dec_mal(d, p, TPA_MAL_DECODE_TOO_DEEP);
        return;
    }
    if (c->flow->cls == TPA_FLOW_CLS_OTHER) tpa_flow_set_class(d->flows, c->flow, TPA_FLOW_CLS_TCP);
    tun_save_t s = tun_push(p, c->flow->id, vni, TPA_TUN_VXLAN);
    tpa_dec_ether(d, p, r);
    tun_pop(p, &s);
}

static void gre_ppp(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (tpa_rd_has(r, 2) && tpa_rd_peek(r, 0) == 0xff && tpa_rd_peek(r, 1) == 0x03)
        tpa_rd_skip(r, 2); /* address, control */
    if (!tpa_rd_has(r, 1)) return;
    uint16_t proto = tpa_rd_u8(r);
    if (!(proto & 1)) /* two-byte protocol field (RFC 1661 section 2) */
        proto = (uint16_t)(proto << 8 | tpa_rd_u8(r));
    if (proto == 0x21)
        tpa_dec_ipv4(d, p, r);
    else if (proto == 0x57)
        tpa_dec_ipv6(d, p, r);
}

void tpa_dec_gre(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_GRE_TRUNCATED);
        return;
    }
    uint16_t flags = tpa_rd_be16(r);
    uint16_t proto = tpa_rd_be16(r);
    int side;
    tpa_flow_t *f = tpa_dec_flow(d, p, ip, 47, 0, 0, &side);
    unsigned ver = flags & 7;
    if (ver > 1 || (flags & 0x4000))
        return; /* unknown version, or RFC 1701 source routing: not decoded */
    size_t opt = 0;
    uint32_t key = 0;
    if (flags & 0x8000) {
        if (!tpa_rd_has(r, 4)) goto truncated;
        tpa_rd_skip(r, 4);
    }
    if (flags & 0x2000) {
        if (!tpa_rd_has(r, 4)) goto truncated;
        key = tpa_rd_be32(r);
    }
    if (flags & 0x1000) opt += 4;
    if (ver == 1 && (flags & 0x0080)) opt += 4;
    if (!tpa_rd_has(r, opt)) goto truncated;
    tpa_rd_skip(r, opt);
    if (!f) return;
    if (f->cls == TPA_FLOW_CLS_OTHER) tpa_flow_set_class(d->flows, f, TPA_FLOW_CLS_TCP);
    tun_save_t s = tun_push(p, f->id, key, TPA_TUN_GRE);
    if (ver == 1) {
        if (proto == 0x880b) gre_ppp(d, p, r);
    } else {
        tpa_dec_ethertype(d, p, proto, r);
    }
    tun_pop(p, &s);
    return;
truncated:
    tpa_dec_short(d, p, TPA_MAL_GRE_TRUNCATED);
}
