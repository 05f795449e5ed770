/* tpa_icmp_quote.c - the datagram quoted inside an ICMP / ICMPv6 error message.
 *
 * ICMPv4 errors (RFC 792: Destination Unreachable 3, Source Quench 4, Redirect 5, Time
 * Exceeded 11, Parameter Problem 12) carry, after the 4-byte type/code/checksum and 4
 * more bytes (unused, pointer, gateway or next-hop MTU), "the Internet Header + 64 bits
 * of Original Data Datagram"; hosts and routers usually quote more (RFC 1812 4.3.2.3:
 * as much as fits in 576 bytes). ICMPv6 errors (RFC 4443 2.4 (c): Destination
 * Unreachable 1, Packet Too Big 2, Time Exceeded 3, Parameter Problem 4) quote "as much
 * of the invoking packet as possible" within the minimum MTU of 1280 bytes. RFC 4884:
 * for ICMPv4 types 3, 11, 12 the octet at offset 5 is the length of the quote in 32-bit
 * words, for ICMPv6 types 1 and 3 the octet at offset 4 in 64-bit words (0 = not given,
 * the quote runs to the end); extension objects follow a given length.
 *
 * The quote is decoded as far as its bytes go: the quoted IPv4 header (a non-first
 * fragment stops there) or IPv6 header with its Hop-by-Hop, Routing, Destination
 * Options, Fragment and AH headers, then a quoted UDP header, whose payload goes to the
 * dissector table in quoted mode (tpa_dissect_quoted): its messages count in
 * messages[], nothing else. A quote may be cut anywhere (that is what a quote is), so
 * running out of bytes here is never malformed, and a quoted header that makes no sense
 * just ends the decoding. TCP and SCTP quotes are not decoded further: a TCP quote is
 * one segment of a stream (nothing a stream dissector could frame), and an SCTP quote
 * rarely carries DATA (its errors answer INITs). ICMP inside the quote is not decoded
 * either (RFC 1122 3.2.2: no error is sent about an ICMP error).
 */
#include "tpa_decode_int.h"

#include <string.h>

#define QUOTE_MAX_EXT 8 /* IPv6 extension headers walked in a quote */

static bool icmp_is_error(bool v6, uint8_t type)
{
    if (v6) return type >= 1 && type <= 4;
    return type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
}

/* The quoted IPv4 datagram at r: its protocol, addresses, and in *l4 the bytes after its
 * header as far as Total Length and the quote go. False when there is nothing to go on
 * (header cut or invalid, a non-first fragment). */
static bool quoted_ipv4(tpa_rd_t *r, uint8_t *proto, uint8_t *src, uint8_t *dst, tpa_rd_t *l4)
{
    if (!tpa_rd_has(r, 20)) return false;
    uint8_t vhl = tpa_rd_peek(r, 0);
    size_t hl = (size_t)(vhl & 0x0f) * 4;
    if ((vhl >> 4) != 4 || hl < 20 || !tpa_rd_has(r, hl)) return false;
    tpa_rd_t h = tpa_rd_sub(r, hl);
    tpa_rd_skip(&h, 2);
    size_t tot = tpa_rd_be16(&h);
    tpa_rd_skip(&h, 2); /* identification */
    uint16_t fo = tpa_rd_be16(&h);
    tpa_rd_skip(&h, 1); /* TTL */
    *proto = tpa_rd_u8(&h);
    tpa_rd_skip(&h, 2); /* checksum */
    tpa_rd_bytes(&h, src, 4);
    tpa_rd_bytes(&h, dst, 4);
    if ((fo & 0x1fff) != 0 || (tot && tot < hl)) return false;
    *l4 = tpa_rd_sub_upto(r, tot ? tot - hl : tpa_rd_remaining(r));
    return true;
}

/* The quoted IPv6 packet at r, as quoted_ipv4. */
static bool quoted_ipv6(tpa_rd_t *r, uint8_t *proto, uint8_t *src, uint8_t *dst, tpa_rd_t *l4)
{
    if (!tpa_rd_has(r, 40) || (tpa_rd_peek(r, 0) >> 4) != 6) return false;
    tpa_rd_skip(r, 4);
    size_t plen = tpa_rd_be16(r);
    uint8_t nh = tpa_rd_u8(r);
    tpa_rd_skip(r, 1); /* hop limit */
    tpa_rd_bytes(r, src, 16);
    tpa_rd_bytes(r, dst, 16);
    tpa_rd_t pl = tpa_rd_sub_upto(r, plen ? plen : tpa_rd_remaining(r));
    for (int i = 0; i < QUOTE_MAX_EXT; i++) {
        size_t len;
        switch (nh) {
        case 0:  /* Hop-by-Hop Options */
        case 43: /* Routing */
        case 60: /* Destination Options */
            if (!tpa_rd_has(&pl, 2)) return false;
            len = ((size_t)tpa_rd_peek(&pl, 1) + 1) * 8;
            break;
        case 51: /* AH (RFC 4302) */
            if (!tpa_rd_has(&pl, 2)) return false;
            len = ((size_t)tpa_rd_peek(&pl, 1) + 2) * 4;
            break;
        case 44: /* Fragment: only a first fragment has the transport header */
            if (!tpa_rd_has(&pl, 4) || (tpa_rd_peek(&pl, 2) << 8 | tpa_rd_peek(&pl, 3)) >> 3)
                return false;
            len = 8;
            break;
        default:
            *proto = nh;
            *l4 = pl;
            return true;
        }
        if (!tpa_rd_has(&pl, len)) return false;
        nh = tpa_rd_u8(&pl);
        tpa_rd_skip(&pl, len - 1);
    }
    return false;
}

void tpa_dec_icmp_quote(tpa_decoder_t *d, tpa_pkt_t *p, uint8_t proto, uint8_t type, tpa_rd_t *r)
{
    bool v6 = proto == 58;
    if (!icmp_is_error(v6, type) || !tpa_rd_has(r, 4)) return;
    /* RFC 4884 length attribute (32-bit words in ICMPv4, 64-bit words in ICMPv6) */
    size_t words = 0;
    if (v6 && (type == 1 || type == 3))
        words = (size_t)tpa_rd_peek(r, 0) * 8;
    else if (!v6 && (type == 3 || type == 11 || type == 12))
        words = (size_t)tpa_rd_peek(r, 1) * 4;
    tpa_rd_skip(r, 4);
    tpa_rd_t q = tpa_rd_sub_upto(r, words ? words : tpa_rd_remaining(r));

    uint8_t src[16] = {0}, dst[16] = {0}, l4proto = 0;
    tpa_rd_t l4;
    bool ok =
        v6 ? quoted_ipv6(&q, &l4proto, src, dst, &l4) : quoted_ipv4(&q, &l4proto, src, dst, &l4);
    if (!ok || l4proto != 17 || !tpa_rd_has(&l4, 8)) return;
    uint16_t sport = tpa_rd_be16(&l4), dport = tpa_rd_be16(&l4);
    size_t ulen = tpa_rd_be16(&l4);
    tpa_rd_skip(&l4, 2); /* checksum */
    if (ulen < 8) return;
    tpa_rd_t pl = tpa_rd_sub_upto(&l4, ulen - 8);
    tpa_dissect_quoted(d, p, v6 ? 6 : 4, l4proto, src, sport, dst, dport, &pl);
}
