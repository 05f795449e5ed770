/* tpa_l2.c - link layers and the EtherType dispatch.
 *
 * Ethernet II and 802.3 LLC/SNAP (IEEE 802.3, RFC 1042); 802.1Q / 802.1ad / 0x9100
 * tags, any depth up to 8 (QinQ); MPLS label stacks (RFC 3032: 4 bytes a label,
 * bottom of stack bit ends it; the payload's IP version is guessed from its first
 * nibble, as there is no type field); PPPoE session stage (RFC 2516); Linux cooked
 * v1 (16-byte header, protocol at offset 14) and v2 (20 bytes, protocol at 0);
 * BSD loopback NULL (4-byte address family in the capturing host's byte order) and
 * LOOP (network byte order); raw IP; Wireshark's exported PDUs (tpa_exported_pdu.h).
 */
#include "tpa_decode_int.h"
#include "tpa_exported_pdu.h"

enum {
    DLT_NULL_ = 0,
    DLT_EN10MB_ = 1,
    DLT_RAW_ = 12,
    DLT_RAW14_ = 14,
    LINKTYPE_RAW_ = 101,
    DLT_LOOP_ = 108,
    DLT_LINUX_SLL_ = 113,
    DLT_IPV4_ = 228,
    DLT_IPV6_ = 229,
    DLT_WIRESHARK_UPPER_PDU_ = TPA_EXPORTED_PDU_LINKTYPE, /* tpa_exported_pdu.h */
    DLT_LINUX_SLL2_ = 276
};

#define MAX_TAGS 8
#define MAX_LABELS 16

bool tpa_decode_link_supported(int dlt)
{
    switch (dlt) {
    case DLT_NULL_:
    case DLT_EN10MB_:
    case DLT_RAW_:
    case DLT_RAW14_:
    case LINKTYPE_RAW_:
    case DLT_LOOP_:
    case DLT_LINUX_SLL_:
    case DLT_IPV4_:
    case DLT_IPV6_:
    case DLT_WIRESHARK_UPPER_PDU_:
    case DLT_LINUX_SLL2_:
        return true;
    default:
        return false;
    }
}

static void dec_null(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r, bool loop)
{
    if (!tpa_rd_has(r, 4)) {
        tpa_dec_short(d, p, TPA_MAL_NULL_TRUNCATED);
        return;
    }
    uint32_t fam = loop ? tpa_rd_be32(r) : tpa_rd_le32(r);
    if (!loop && fam > 0xffff) /* written by a host of the other byte order */
        fam = (fam >> 24) | ((fam >> 8) & 0xff00);
    switch (fam) {
    case 2: /* AF_INET everywhere */
        tpa_dec_ipv4(d, p, r);
        break;
    case 10:
    case 24:
    case 28:
    case 30: /* AF_INET6: Linux, NetBSD/OpenBSD, FreeBSD, macOS */
        tpa_dec_ipv6(d, p, r);
        break;
    default:
        tpa_dec_non_ip(d, p);
    }
}

/* Ethernet II carrying IPv4, untagged or with one 802.1Q tag (most frames): the
 * IPv4 header decoded without the general walk, which reads such a frame alike.
 * False leaves r untouched. */
static bool ether_ipv4(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    /* a reader of the first 18 bytes: one bounds check for all */
    tpa_rd_t h = *r;
    h = tpa_rd_sub(&h, 18);
    if (h.err) return false;
    tpa_rd_skip(&h, 12); /* addresses */
    uint16_t type = tpa_rd_be16(&h);
    size_t hdr = 14;
    if (type == 0x8100) {
        tpa_rd_skip(&h, 2); /* TCI */
        type = tpa_rd_be16(&h);
        hdr = 18;
    }
    if (type != 0x0800) return false;
    tpa_rd_skip(r, hdr);
    tpa_dec_ipv4(d, p, r);
    return true;
}

void tpa_dec_ether_frame(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (!ether_ipv4(d, p, r)) tpa_dec_ether(d, p, r);
}

void tpa_dec_link_other(tpa_decoder_t *d, tpa_pkt_t *p, int dlt, tpa_rd_t *r)
{
    _Static_assert(DLT_EN10MB_ == TPA_DEC_DLT_EN10MB, "one Ethernet link type");
    switch (dlt) {
    case DLT_EN10MB_:
        tpa_dec_ether_frame(d, p, r);
        break;
    case DLT_LINUX_SLL_:
        if (!tpa_rd_has(r, 16)) {
            tpa_dec_short(d, p, TPA_MAL_SLL_TRUNCATED);
            return;
        }
        tpa_rd_skip(r, 14);
        tpa_dec_ethertype(d, p, tpa_rd_be16(r), r);
        break;
    case DLT_LINUX_SLL2_: {
        if (!tpa_rd_has(r, 20)) {
            tpa_dec_short(d, p, TPA_MAL_SLL_TRUNCATED);
            return;
        }
        uint16_t proto = tpa_rd_be16(r);
        tpa_rd_skip(r, 18);
        tpa_dec_ethertype(d, p, proto, r);
        break;
    }
    case DLT_RAW_:
    case DLT_RAW14_:
    case LINKTYPE_RAW_:
    case DLT_IPV4_:
    case DLT_IPV6_:
        tpa_dec_ip(d, p, r);
        break;
    case DLT_NULL_:
        dec_null(d, p, r, false);
        break;
    case DLT_LOOP_:
        dec_null(d, p, r, true);
        break;
    case DLT_WIRESHARK_UPPER_PDU_:
        tpa_dec_exported_pdu(d, p, r);
        break;
    default:
        d->st.unsupported_link++;
    }
}

void tpa_dec_ether(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 14)) {
        tpa_dec_short(d, p, TPA_MAL_ETH_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 12);
    uint16_t type = tpa_rd_be16(r);
    if (type <= 1500) {
        /* 802.3 length: only LLC/SNAP (AA AA 03, OUI 0) carries an EtherType */
        if (tpa_rd_has(r, 8) && tpa_rd_peek(r, 0) == 0xaa && tpa_rd_peek(r, 1) == 0xaa &&
            tpa_rd_peek(r, 2) == 0x03) {
            tpa_rd_skip(r, 6);
            type = tpa_rd_be16(r);
        } else {
            tpa_dec_non_ip(d, p);
            return;
        }
    }
    tpa_dec_ethertype(d, p, type, r);
}

static void dec_mpls(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    for (int i = 0;; i++) {
        if (i == MAX_LABELS) {
            tpa_dec_mal(d, p, TPA_MAL_MPLS_TOO_DEEP);
            return;
        }
        if (!tpa_rd_has(r, 4)) {
            tpa_dec_short(d, p, TPA_MAL_MPLS_TRUNCATED);
            return;
        }
        uint32_t lse = tpa_rd_be32(r);
        if (lse & 0x100) break;
    }
    if (!tpa_rd_has(r, 1)) {
        tpa_dec_short(d, p, TPA_MAL_MPLS_TRUNCATED);
        return;
    }
    uint8_t nib = tpa_rd_peek(r, 0) >> 4;
    if (nib == 4 || nib == 6)
        tpa_dec_ip(d, p, r);
    else
        tpa_dec_non_ip(d, p); /* pseudowire or control word: not decoded */
}

static void dec_pppoe(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 8)) {
        tpa_dec_short(d, p, TPA_MAL_PPPOE_TRUNCATED);
        return;
    }
    tpa_rd_skip(r, 4); /* ver/type, code, session id */
    uint16_t len = tpa_rd_be16(r);
    uint16_t proto = tpa_rd_be16(r);
    tpa_rd_t in = tpa_rd_sub_upto(r, len >= 2 ? len - 2u : 0u);
    if (proto == 0x0021)
        tpa_dec_ipv4(d, p, &in);
    else if (proto == 0x0057)
        tpa_dec_ipv6(d, p, &in);
    else
        tpa_dec_non_ip(d, p);
}

void tpa_dec_ethertype(tpa_decoder_t *d, tpa_pkt_t *p, uint16_t type, tpa_rd_t *r)
{
    for (int tags = 0; type == 0x8100 || type == 0x88a8 || type == 0x9100; tags++) {
        if (tags == MAX_TAGS) {
            tpa_dec_mal(d, p, TPA_MAL_VLAN_TOO_DEEP);
            return;
        }
        if (!tpa_rd_has(r, 4)) {
            tpa_dec_short(d, p, TPA_MAL_VLAN_TRUNCATED);
            return;
        }
        tpa_rd_skip(r, 2); /* TCI */
        type = tpa_rd_be16(r);
    }
    switch (type) {
    case 0x0800:
        tpa_dec_ipv4(d, p, r);
        break;
    case 0x86dd:
        tpa_dec_ipv6(d, p, r);
        break;
    case 0x8847:
    case 0x8848:
        dec_mpls(d, p, r);
        break;
    case 0x8864:
        dec_pppoe(d, p, r);
        break;
    case 0x6558: /* transparent Ethernet bridging (GRE) */
        if (p->depth >= TPA_DECODE_MAX_DEPTH) {
            tpa_dec_mal(d, p, TPA_MAL_DECODE_TOO_DEEP);
            return;
        }
        tpa_dec_ether(d, p, r);
        break;
    default:
        tpa_dec_non_ip(d, p);
    }
}
