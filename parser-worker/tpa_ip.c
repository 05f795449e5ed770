/* tpa_ip.c - IPv4 (RFC 791) and IPv6 (RFC 8200) headers and fragments.
 *
 * IPv4: IHL * 4 >= 20 bytes of header, options skipped; Total Length bounds the
 * payload (0 is taken as "whole frame", as TCP segmentation offload writes it); a
 * Total Length past the frame is malformed unless the frame was cut by snaplen, and
 * the bytes present are still decoded. Header checksums are not verified.
 * IPv6: 40-byte header; hop-by-hop (0), routing (43) and destination options (60)
 * are (len + 1) * 8 bytes, AH (51) is (len + 2) * 4 bytes (RFC 4302), fragment (44)
 * is 8 bytes; an atomic fragment (offset 0, M = 0, RFC 6946) is not reassembled.
 * Fragments of both versions go to the reassembler (tpa_reasm.h); the frame that
 * completes a datagram decodes it, and the frames held before it are added to every
 * flow the datagram resolves to.
 */
#include "tpa_decode_int.h"

#include <string.h>

#define MAX_EXT_HEADERS 16

static void frag(tpa_decoder_t *d, tpa_pkt_t *p, const tpa_ipctx_t *ip, uint8_t proto, uint32_t id,
                 uint32_t off, bool more, size_t want, tpa_rd_t *pl)
{
    d->st.fragments++;
    size_t len = tpa_rd_remaining(pl);
    if (len < want) {
        /* Not all bytes present (snaplen, or a length past the frame): cannot be
         * reassembled. As Wireshark does, a first fragment is decoded as far as it
         * goes, a later one is not. */
        if (off == 0) {
            tpa_ipctx_t part = *ip;
            part.l4_len = 0; /* the datagram's length is unknown */
            tpa_dec_l4(d, p, &part, proto, pl);
        }
        return;
    }
    tpa_reasm_key_t k;
    memset(&k, 0, sizeof k);
    memcpy(k.src, ip->src, 16);
    memcpy(k.dst, ip->dst, 16);
    k.id = id;
    k.ctx = p->ctx;
    k.family = (uint8_t)ip->family;
    k.proto = proto;
    tpa_reasm_out_t o;
    bool ov = false;
    const uint8_t *bytes = tpa_rd_span(pl, len);
    int rc = tpa_reasm_add(d->reasm, &k, p->ts_us, off, more, bytes, len, p->wirelen, &o, &ov);
    if (ov) tpa_dec_mal(d, p, TPA_MAL_IP_FRAG_OVERLAP);
    switch (rc) {
    case TPA_REASM_TOO_BIG:
        tpa_dec_mal(d, p, TPA_MAL_IP_FRAG_TOO_BIG);
        return;
    case TPA_REASM_INCONSISTENT:
        tpa_dec_mal(d, p, TPA_MAL_IP_FRAG_INCONSISTENT);
        return;
    case TPA_REASM_TOO_MANY:
        tpa_dec_mal(d, p, TPA_MAL_IP_FRAG_TOO_MANY);
        return;
    case TPA_REASM_DONE:
        break;
    default:
        return;
    }
    bool pushed = false;
    if (p->nextra < TPA_DECODE_MAX_EXTRA && o.other_frames) {
        p->extra[p->nextra++] =
            (tpa_extra_t){p->nlayers, o.other_frames, o.other_bytes, o.first_us};
        pushed = true;
    }
    tpa_rd_t rr = tpa_rd_init(o.data, o.len);
    tpa_ipctx_t whole = *ip;
    whole.l4_len = (uint32_t)o.len;
    tpa_dec_l4(d, p, &whole, proto, &rr);
    if (pushed) p->nextra--;
}

void tpa_dec_ip(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (!tpa_rd_has(r, 1)) {
        tpa_dec_short(d, p, TPA_MAL_IPV4_TRUNCATED);
        return;
    }
    switch (tpa_rd_peek(r, 0) >> 4) {
    case 4:
        tpa_dec_ipv4(d, p, r);
        break;
    case 6:
        tpa_dec_ipv6(d, p, r);
        break;
    default:
        tpa_dec_mal(d, p, TPA_MAL_IP_BAD_VERSION);
    }
}

static bool enter(tpa_decoder_t *d, tpa_pkt_t *p)
{
    if (p->depth >= TPA_DECODE_MAX_DEPTH) {
        tpa_dec_mal(d, p, TPA_MAL_DECODE_TOO_DEEP);
        return false;
    }
    p->depth++;
    return true;
}

void tpa_dec_ipv4(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (!enter(d, p)) return;
    if (!tpa_rd_has(r, 20)) {
        tpa_dec_short(d, p, TPA_MAL_IPV4_TRUNCATED);
        return;
    }
    /* the fixed header through a reader of its 20 bytes: one bounds check for all */
    tpa_rd_t fx = *r;
    fx = tpa_rd_sub(&fx, 20);
    uint8_t vihl = tpa_rd_u8(&fx);
    if (vihl >> 4 != 4) {
        tpa_dec_mal(d, p, TPA_MAL_IP_BAD_VERSION);
        return;
    }
    size_t hl = (size_t)(vihl & 0x0f) * 4;
    if (hl < 20) {
        tpa_dec_mal(d, p, TPA_MAL_IPV4_HDR_SHORT);
        return;
    }
    if (!tpa_rd_has(r, hl)) {
        tpa_dec_short(d, p, TPA_MAL_IPV4_TRUNCATED);
        return;
    }
    tpa_rd_skip(&fx, 1); /* DSCP, ECN */
    uint16_t tot = tpa_rd_be16(&fx);
    uint16_t id = tpa_rd_be16(&fx);
    uint16_t fo = tpa_rd_be16(&fx);
    tpa_rd_skip(&fx, 1); /* TTL */
    uint8_t proto = tpa_rd_u8(&fx);
    tpa_rd_skip(&fx, 2); /* checksum */
    tpa_ipctx_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = 4;
    tpa_rd_bytes(&fx, ip.src, 4);
    tpa_rd_bytes(&fx, ip.dst, 4);
    tpa_rd_skip(r, hl); /* options too */

    size_t avail = tpa_rd_remaining(r);
    size_t plen;
    if (tot == 0) {
        plen = avail;
    } else if (tot < hl) {
        tpa_dec_mal(d, p, TPA_MAL_IPV4_TOTLEN_INVALID);
        return;
    } else {
        plen = tot - hl;
        if (plen > avail) {
            tpa_dec_short(d, p, TPA_MAL_IPV4_TOTLEN_EXCEEDS);
            p->cut = true; /* inner layers will run short because of this */
        }
    }
    tpa_rd_t pl = tpa_rd_sub_upto(r, plen);
    ip.l4_len = tot ? (uint32_t)plen : 0;
    bool more = (fo & 0x2000) != 0;
    uint32_t off = (uint32_t)(fo & 0x1fff) * 8;
    if (more || off) {
        frag(d, p, &ip, proto, id, off, more, plen, &pl);
        return;
    }
    tpa_dec_l4(d, p, &ip, proto, &pl);
}

void tpa_dec_ipv6(tpa_decoder_t *d, tpa_pkt_t *p, tpa_rd_t *r)
{
    if (!enter(d, p)) return;
    if (!tpa_rd_has(r, 40)) {
        tpa_dec_short(d, p, TPA_MAL_IPV6_TRUNCATED);
        return;
    }
    uint32_t vtf = tpa_rd_be32(r);
    if (vtf >> 28 != 6) {
        tpa_dec_mal(d, p, TPA_MAL_IP_BAD_VERSION);
        return;
    }
    uint16_t plen = tpa_rd_be16(r);
    uint8_t nh = tpa_rd_u8(r);
    tpa_rd_skip(r, 1); /* hop limit */
    tpa_ipctx_t ip;
    memset(&ip, 0, sizeof ip);
    ip.family = 6;
    tpa_rd_bytes(r, ip.src, 16);
    tpa_rd_bytes(r, ip.dst, 16);

    size_t avail = tpa_rd_remaining(r);
    size_t want = plen ? plen : avail; /* 0: jumbogram (RFC 2675) or unknown */
    if (want > avail) {
        tpa_dec_short(d, p, TPA_MAL_IPV6_PLEN_EXCEEDS);
        p->cut = true;
    }
    tpa_rd_t pl = tpa_rd_sub_upto(r, want);
    size_t consumed = 0;

    for (int i = 0; i < MAX_EXT_HEADERS; i++) {
        switch (nh) {
        case 0:
        case 43:
        case 60: {
            if (!tpa_rd_has(&pl, 2)) {
                tpa_dec_short(d, p, TPA_MAL_IPV6_EXT_TRUNCATED);
                return;
            }
            uint8_t next = tpa_rd_u8(&pl);
            size_t len = ((size_t)tpa_rd_u8(&pl) + 1) * 8;
            if (!tpa_rd_has(&pl, len - 2)) {
                tpa_dec_short(d, p, TPA_MAL_IPV6_EXT_TRUNCATED);
                return;
            }
            tpa_rd_skip(&pl, len - 2);
            consumed += len;
            nh = next;
            break;
        }
        case 51: {
            if (!tpa_rd_has(&pl, 2)) {
                tpa_dec_short(d, p, TPA_MAL_AH_TRUNCATED);
                return;
            }
            uint8_t next = tpa_rd_u8(&pl);
            size_t len = ((size_t)tpa_rd_u8(&pl) + 2) * 4;
            if (!tpa_rd_has(&pl, len - 2)) {
                tpa_dec_short(d, p, TPA_MAL_AH_TRUNCATED);
                return;
            }
            tpa_rd_skip(&pl, len - 2);
            consumed += len;
            nh = next;
            break;
        }
        case 44: {
            if (!tpa_rd_has(&pl, 8)) {
                tpa_dec_short(d, p, TPA_MAL_IPV6_EXT_TRUNCATED);
                return;
            }
            uint8_t next = tpa_rd_u8(&pl);
            tpa_rd_skip(&pl, 1);
            uint16_t offm = tpa_rd_be16(&pl);
            uint32_t id = tpa_rd_be32(&pl);
            consumed += 8;
            uint32_t off = offm & 0xfff8u;
            bool more = (offm & 1) != 0;
            if (off == 0 && !more) { /* atomic fragment */
                nh = next;
                break;
            }
            size_t fwant = want > consumed ? want - consumed : 0;
            frag(d, p, &ip, next, id, off, more, fwant, &pl);
            return;
        }
        default:
            ip.l4_len = plen && want > consumed ? (uint32_t)(want - consumed) : 0;
            tpa_dec_l4(d, p, &ip, nh, &pl);
            return;
        }
    }
    tpa_dec_mal(d, p, TPA_MAL_IPV6_EXT_TOO_MANY);
}
