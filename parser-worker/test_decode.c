/* test_decode.c - decoding hand-built frames: link layers, tags, labels, IPv6
 * extension headers, fragments (any order, overlap), tunnels, and malformed input
 * counted under the right name. Each case quotes the rule it checks. */
#include <arpa/inet.h>
#include <string.h>

#include "tpa_decode.h"
#include "tpa_dissect.h"
#include "tpa_result.h"
#include "tpa_sctp.h"
#include "tpa_test.h"
#include "test_frames.h"

static void set16(tf_buf_t *b, size_t at, unsigned v)
{
    b->b[at] = (uint8_t)(v >> 8);
    b->b[at + 1] = (uint8_t)v;
}

static void eth(tf_buf_t *b, unsigned type)
{
    tf_zeros(b, 12);
    tf_u16(b, type);
}

/* IPv4 header with payload length plen; returns its offset. */
static size_t ip4(tf_buf_t *b, const char *s, const char *d, unsigned proto, unsigned id,
                  unsigned frag, size_t plen)
{
    size_t at = b->n;
    tf_u8(b, 0x45);
    tf_u8(b, 0);
    tf_u16(b, (unsigned)(20 + plen));
    tf_u16(b, id);
    tf_u16(b, frag);
    tf_u8(b, 64);
    tf_u8(b, proto);
    tf_u16(b, 0);
    tf_addr(b, 4, s);
    tf_addr(b, 4, d);
    return at;
}

static void tcp(tf_buf_t *b, unsigned sp, unsigned dp, unsigned flags, unsigned off)
{
    tf_u16(b, sp);
    tf_u16(b, dp);
    tf_u32(b, 1);
    tf_u32(b, 0);
    tf_u16(b, off << 12 | flags);
    tf_u16(b, 1000);
    tf_u16(b, 0);
    tf_u16(b, 0);
    tf_zeros(b, off > 5 ? (off - 5) * 4 : 0);
}

static tpa_decoder_t *D;
static uint64_t frame;

static void feed(int dlt, const tf_buf_t *b, int64_t ts)
{
    tpa_decode_packet(D, dlt, ++frame, ts, b->b, (uint32_t)b->n, (uint32_t)b->n);
}

static tpa_flow_t *const *flows(size_t *n)
{
    tpa_decode_finish(D);
    return tpa_flow_table_finish(tpa_decode_flows(D), n);
}

static void fresh(void)
{
    tpa_decoder_destroy(&D);
    D = tpa_decoder_new();
    frame = 0;
}

/* The flow with these endpoints (either order) and proto, or NULL. */
static const tpa_flow_t *find(tpa_flow_t *const *all, size_t n, int fam, unsigned proto,
                              const char *a, unsigned pa, const char *bb, unsigned pb)
{
    uint8_t x[16] = {0}, y[16] = {0};
    inet_pton(fam == 6 ? AF_INET6 : AF_INET, a, x);
    inet_pton(fam == 6 ? AF_INET6 : AF_INET, bb, y);
    tpa_flow_key_t k;
    tpa_flow_key_make(&k, fam, (uint8_t)proto, x, (uint16_t)pa, y, (uint16_t)pb, 0);
    for (size_t i = 0; i < n; i++) {
        const tpa_flow_key_t *f = &all[i]->key;
        if (f->proto == k.proto && memcmp(f->addr, k.addr, sizeof k.addr) == 0 &&
            f->port[0] == k.port[0] && f->port[1] == k.port[1])
            return all[i];
    }
    return NULL;
}

static uint64_t pk(const tpa_flow_t *f)
{
    return f ? f->pkts[0] + f->pkts[1] : 0;
}
static uint64_t by(const tpa_flow_t *f)
{
    return f ? f->bytes[0] + f->bytes[1] : 0;
}
static uint64_t reason(int r)
{
    return tpa_decode_stats(D)->reasons[r];
}

static void udp4_frame(tf_buf_t *b, const char *s, unsigned sp, const char *d, unsigned dp)
{
    ip4(b, s, d, 17, 1, 0, 8 + 4);
    tf_udp_hdr(b, sp, dp, 4);
    tf_u32(b, 0xdeadbeef);
}

static void test_link_layers(void)
{
    fresh();
    tf_buf_t b = {0};
    /* Ethernet II, then both directions: one flow, per-direction counts */
    eth(&b, 0x0800);
    udp4_frame(&b, "10.0.0.1", 1000, "10.0.0.2", 9053);
    feed(1, &b, 1000000);
    b.n = 0;
    eth(&b, 0x0800);
    udp4_frame(&b, "10.0.0.2", 9053, "10.0.0.1", 1000);
    feed(1, &b, 2000000);
    /* 802.1Q then QinQ (802.1ad outer, 802.1Q inner) */
    b.n = 0;
    eth(&b, 0x8100);
    tf_u16(&b, 100);
    tf_u16(&b, 0x0800);
    udp4_frame(&b, "10.1.0.1", 1, "10.1.0.2", 2);
    feed(1, &b, 3000000);
    b.n = 0;
    eth(&b, 0x88a8);
    tf_u16(&b, 10);
    tf_u16(&b, 0x8100);
    tf_u16(&b, 20);
    tf_u16(&b, 0x0800);
    udp4_frame(&b, "10.2.0.1", 1, "10.2.0.2", 2);
    feed(1, &b, 3000000);
    /* MPLS: two labels, bottom-of-stack on the second; IPv4 guessed by nibble */
    b.n = 0;
    eth(&b, 0x8847);
    tf_u32(&b, 0x00010040);
    tf_u32(&b, 0x00020140);
    udp4_frame(&b, "10.3.0.1", 1, "10.3.0.2", 2);
    feed(1, &b, 3000000);
    /* Linux cooked v1 (protocol at offset 14) and v2 (protocol at 0) */
    b.n = 0;
    tf_zeros(&b, 14);
    tf_u16(&b, 0x0800);
    udp4_frame(&b, "10.4.0.1", 1, "10.4.0.2", 2);
    feed(113, &b, 3000000);
    b.n = 0;
    tf_u16(&b, 0x86dd);
    tf_zeros(&b, 18);
    tf_ip6(&b, "2001:db8::1", "2001:db8::2", 17, 12);
    tf_udp_hdr(&b, 7, 8, 4);
    tf_u32(&b, 0);
    feed(276, &b, 3000000);
    /* raw IP under each raw link type */
    b.n = 0;
    udp4_frame(&b, "10.5.0.1", 1, "10.5.0.2", 2);
    feed(12, &b, 3000000);
    feed(101, &b, 3000000);
    feed(228, &b, 3000000);
    /* NULL: family in the capturing host's order (either), LOOP: network order */
    b.n = 0;
    tf_u8(&b, 2);
    tf_u8(&b, 0);
    tf_u8(&b, 0);
    tf_u8(&b, 0);
    udp4_frame(&b, "10.6.0.1", 1, "10.6.0.2", 2);
    feed(0, &b, 3000000);
    b.n = 0;
    tf_u32(&b, 2);
    udp4_frame(&b, "10.6.0.1", 1, "10.6.0.2", 2);
    feed(0, &b, 3000000);
    feed(108, &b, 3000000);
    /* PPPoE session (RFC 2516): 6-byte header, then PPP protocol 0x0021 = IPv4 */
    b.n = 0;
    eth(&b, 0x8864);
    tf_u8(&b, 0x11);
    tf_u8(&b, 0);
    tf_u16(&b, 7);
    tf_u16(&b, 2 + 32);
    tf_u16(&b, 0x0021);
    udp4_frame(&b, "10.7.0.1", 1, "10.7.0.2", 2);
    feed(1, &b, 3000000);
    /* ARP is no flow, counted as non-IP */
    b.n = 0;
    eth(&b, 0x0806);
    tf_zeros(&b, 28);
    feed(1, &b, 3000000);

    size_t n;
    tpa_flow_t *const *all = flows(&n);
    const tpa_flow_t *f = find(all, n, 4, 17, "10.0.0.1", 1000, "10.0.0.2", 9053);
    CHECK(f && pk(f) == 2 && f->pkts[f->src_side] == 1 && f->pkts[!f->src_side] == 1);
    CHECK(f && f->key.port[f->src_side] == 1000); /* src = sender of the first packet */
    CHECK(pk(find(all, n, 4, 17, "10.1.0.1", 1, "10.1.0.2", 2)) == 1);
    CHECK(pk(find(all, n, 4, 17, "10.2.0.1", 1, "10.2.0.2", 2)) == 1);
    CHECK(pk(find(all, n, 4, 17, "10.3.0.1", 1, "10.3.0.2", 2)) == 1);
    CHECK(pk(find(all, n, 4, 17, "10.4.0.1", 1, "10.4.0.2", 2)) == 1);
    CHECK(pk(find(all, n, 6, 17, "2001:db8::1", 7, "2001:db8::2", 8)) == 1);
    CHECK(pk(find(all, n, 4, 17, "10.5.0.1", 1, "10.5.0.2", 2)) == 3);
    CHECK(pk(find(all, n, 4, 17, "10.6.0.1", 1, "10.6.0.2", 2)) == 3);
    CHECK(pk(find(all, n, 4, 17, "10.7.0.1", 1, "10.7.0.2", 2)) == 1);
    CHECK(tpa_decode_stats(D)->non_ip == 1);
    CHECK(tpa_decode_stats(D)->malformed == 0);
    CHECK(tpa_decode_stats(D)->packets == 15);
}

static void test_ipv6_ext(void)
{
    fresh();
    tf_buf_t b = {0};
    /* RFC 8200: hop-by-hop (0), destination options (60), routing (43) are
     * (len + 1) * 8 bytes; the chain ends at TCP */
    size_t plen = 8 + 16 + 8 + 20;
    eth(&b, 0x86dd);
    tf_ip6(&b, "2001:db8::1", "2001:db8::2", 0, plen);
    tf_u8(&b, 60);
    tf_u8(&b, 0);
    tf_zeros(&b, 6);
    tf_u8(&b, 43);
    tf_u8(&b, 1);
    tf_zeros(&b, 14);
    tf_u8(&b, 6);
    tf_u8(&b, 0);
    tf_u8(&b, 0);
    tf_u8(&b, 0);
    tf_zeros(&b, 4);
    tcp(&b, 40000, 443, 0x02, 5);
    feed(1, &b, 1000000);
    /* an extension header that runs past the frame is malformed */
    b.n = 0;
    eth(&b, 0x86dd);
    tf_ip6(&b, "2001:db8::1", "2001:db8::2", 0, 8);
    tf_u8(&b, 6);
    tf_u8(&b, 4);
    tf_zeros(&b, 6); /* says 40 bytes, has 8 */
    feed(1, &b, 1000000);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    const tpa_flow_t *f = find(all, n, 6, 6, "2001:db8::1", 40000, "2001:db8::2", 443);
    CHECK(pk(f) == 1 && f && (f->tcp_flags & TPA_TCP_SYN));
    CHECK(reason(TPA_MAL_IPV6_EXT_TRUNCATED) == 1);
}

/* One UDP datagram of 2 * 1000 + 200 payload bytes in three IPv4 fragments. */
static void frag4(int order, bool overlap)
{
    uint8_t pay[2208];
    memset(pay, 0x5a, sizeof pay);
    static tf_buf_t f[3];
    memset(f, 0, sizeof f);
    size_t off[3] = {0, 1000, 2000}, len[3] = {1000, 1000, 208};
    if (overlap) {
        off[1] = 992; /* overlaps the first by 8 bytes */
        len[1] = 1008;
    }
    for (int i = 0; i < 3; i++) {
        eth(&f[i], 0x0800);
        unsigned fr = (unsigned)(off[i] / 8) | (i < 2 ? 0x2000 : 0);
        ip4(&f[i], "10.9.0.1", "10.9.0.2", 17, 77, fr, len[i]);
        if (i == 0) {
            tf_udp_hdr(&f[i], 40123, 9053, 2200);
            memcpy(f[i].b + f[i].n, pay, len[i] - 8);
            f[i].n += len[i] - 8;
        } else {
            memcpy(f[i].b + f[i].n, pay, len[i]);
            f[i].n += len[i];
        }
    }
    static const int orders[3][3] = {{0, 1, 2}, {2, 0, 1}, {1, 2, 0}};
    for (int i = 0; i < 3; i++)
        feed(1, &f[orders[order][i]], 1000000 + i);
}

static void test_fragments(void)
{
    for (int order = 0; order < 3; order++) {
        fresh();
        frag4(order, false);
        size_t n;
        tpa_flow_t *const *all = flows(&n);
        /* every fragment frame counts toward the datagram's flow */
        const tpa_flow_t *f = find(all, n, 4, 17, "10.9.0.1", 40123, "10.9.0.2", 9053);
        CHECKF(pk(f) == 3, "order %d: %llu packets", order, (unsigned long long)pk(f));
        CHECK(by(f) == 3 * 14 + 3 * 20 + 2208);
        CHECK(f && tpa_flow_cold(f)->first_us == 1000000);
        CHECK(tpa_decode_stats(D)->malformed == 0);
    }
    fresh();
    frag4(0, true);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    CHECK(pk(find(all, n, 4, 17, "10.9.0.1", 40123, "10.9.0.2", 9053)) == 3);
    CHECK(reason(TPA_MAL_IP_FRAG_OVERLAP) == 1);

    /* a datagram never completed: no flow, counted as unreassembled */
    fresh();
    tf_buf_t b = {0};
    eth(&b, 0x0800);
    ip4(&b, "10.9.0.1", "10.9.0.2", 17, 5, 0x2000, 16);
    tf_udp_hdr(&b, 1, 2, 100);
    tf_zeros(&b, 8);
    feed(1, &b, 1);
    all = flows(&n);
    CHECK(n == 0);
    tpa_reasm_stats_t rs;
    tpa_decode_reasm_stats(D, &rs);
    CHECK(rs.dropped_frames == 1);

    /* IPv6 fragments (RFC 8200 4.5): second first, then the first */
    fresh();
    tf_buf_t a = {0}, c = {0};
    eth(&a, 0x86dd);
    tf_ip6(&a, "2001:db8::1", "2001:db8::2", 44, 8 + 16);
    tf_u8(&a, 17);
    tf_u8(&a, 0);
    tf_u16(&a, 0 | 1);
    tf_u32(&a, 99);
    tf_udp_hdr(&a, 1111, 2222, 16);
    tf_zeros(&a, 8);
    eth(&c, 0x86dd);
    tf_ip6(&c, "2001:db8::1", "2001:db8::2", 44, 8 + 8);
    tf_u8(&c, 17);
    tf_u8(&c, 0);
    tf_u16(&c, 16);
    tf_u32(&c, 99);
    tf_zeros(&c, 8);
    feed(1, &c, 1);
    feed(1, &a, 2);
    all = flows(&n);
    const tpa_flow_t *f6 = find(all, n, 6, 17, "2001:db8::1", 1111, "2001:db8::2", 2222);
    CHECK(pk(f6) == 2 && by(f6) == a.n + c.n);
}

/* GTP-U G-PDU with a PDU Session Container (TS 29.281 5.2, TS 38.415 5.5.2). */
static void gtpu(tf_buf_t *b, uint32_t teid, int qfi, unsigned ext_len_units, bool cut_ext)
{
    size_t inner = 20 + 8 + 4;
    size_t ext = qfi >= 0 ? 4 + ext_len_units * 4 : 0;
    eth(b, 0x0800);
    ip4(b, "192.168.0.1", "192.168.0.2", 17, 1, 0, 8 + 8 + ext + inner);
    tf_udp_hdr(b, 2152, 2152, 8 + ext + inner);
    tf_u8(b, qfi >= 0 ? 0x34 : 0x30);
    tf_u8(b, 255);
    tf_u16(b, (unsigned)(ext + inner));
    tf_u32(b, teid);
    if (qfi >= 0) {
        tf_u16(b, 0);
        tf_u8(b, 0);
        tf_u8(b, 0x85);
        tf_u8(b, ext_len_units);
        if (ext_len_units) {
            tf_u8(b, 0x10);
            tf_u8(b, (unsigned)qfi);
            if (cut_ext) return;
            tf_zeros(b, ext_len_units * 4 - 4);
            tf_u8(b, 0);
        }
    }
    ip4(b, "10.45.0.2", "8.8.8.8", 17, 2, 0, 12);
    tf_udp_hdr(b, 40000, 9053, 4);
    tf_u32(b, 0);
}

static void test_tunnels(void)
{
    fresh();
    tf_buf_t b = {0};
    gtpu(&b, 0x1234, 9, 1, false);
    feed(1, &b, 1);
    b.n = 0;
    gtpu(&b, 0x1234, -1, 0, false); /* no extension header */
    feed(1, &b, 2);
    /* GRE (RFC 2890) with a key, carrying IPv4 */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "172.16.0.1", "172.16.0.2", 47, 1, 0, 8 + 32);
    tf_u16(&b, 0x2000);
    tf_u16(&b, 0x0800);
    tf_u32(&b, 42);
    udp4_frame(&b, "10.20.0.1", 7, "10.20.0.2", 9);
    feed(1, &b, 3);
    /* Ethernet over GRE (0x6558) */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "172.16.0.1", "172.16.0.2", 47, 1, 0, 4 + 14 + 32);
    tf_u16(&b, 0);
    tf_u16(&b, 0x6558);
    eth(&b, 0x0800);
    udp4_frame(&b, "10.21.0.1", 7, "10.21.0.2", 9);
    feed(1, &b, 4);
    /* VXLAN (RFC 7348) on UDP 4789 */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "172.17.0.1", "172.17.0.2", 17, 1, 0, 8 + 8 + 14 + 32);
    tf_udp_hdr(&b, 50000, 4789, 8 + 14 + 32);
    tf_u32(&b, 0x08000000);
    tf_u32(&b, 0x00abcd00);
    eth(&b, 0x0800);
    udp4_frame(&b, "10.22.0.1", 7, "10.22.0.2", 9);
    feed(1, &b, 5);

    size_t n;
    tpa_flow_t *const *all = flows(&n);
    const tpa_flow_t *outer = find(all, n, 4, 17, "192.168.0.1", 2152, "192.168.0.2", 2152);
    CHECK(pk(outer) == 2);
    CHECK(outer && outer->app && strcmp(tpa_dissect_app_name(outer->app), "gtp-u") == 0);
    const tpa_flow_t *in = NULL;
    for (size_t i = 0; i < n; i++)
        if (all[i]->key.port[0] == 9053 || all[i]->key.port[1] == 9053)
            if (all[i]->has_tunnel) in = all[i];
    CHECK(in && pk(in) == 2 && tpa_flow_cold(in)->outer_flow == outer->id &&
          tpa_flow_cold(in)->teid == 0x1234);
    CHECK(in && in->has_qfi && tpa_flow_cold(in)->qfi == 9);
    CHECK(in && in->key.ctx == outer->id); /* tunnel context separates inner flows */
    int gre_inner = 0, eogre = 0, vx = 0;
    for (size_t i = 0; i < n; i++) {
        const tpa_flow_t *f = all[i];
        uint8_t a20[4] = {10, 20, 0, 1}, a21[4] = {10, 21, 0, 1}, a22[4] = {10, 22, 0, 1};
        if (memcmp(f->key.addr[f->src_side], a20, 4) == 0)
            gre_inner += f->has_tunnel && tpa_flow_cold(f)->teid == 42;
        if (memcmp(f->key.addr[f->src_side], a21, 4) == 0) eogre += f->has_tunnel;
        if (memcmp(f->key.addr[f->src_side], a22, 4) == 0)
            vx += f->has_tunnel && tpa_flow_cold(f)->teid == 0xabcd;
    }
    CHECK(gre_inner == 1 && eogre == 1 && vx == 1);
    CHECK(tpa_decode_stats(D)->malformed == 0);
}

/* One frame: Ethernet type `type` (a TPID, an 802.3 length, or 0x0800), a tag of type
 * `inner` after a TPID, LLC/SNAP after a length; then `ip` bytes of the datagram
 * 10.9.0.1:1 -> 10.9.0.2:2 (all of it when ip is 32) or ARP when inner is 0x0806. */
static void ether_frame(tf_buf_t *b, unsigned type, unsigned inner, size_t ip)
{
    b->n = 0;
    eth(b, type);
    if (type == 0x8100 || type == 0x88a8) {
        tf_u16(b, 7);
        tf_u16(b, inner);
    } else if (type <= 1500) {
        tf_u8(b, 0xaa);
        tf_u8(b, 0xaa);
        tf_u8(b, 0x03);
        tf_zeros(b, 3);
        tf_u16(b, 0x0800);
    }
    if (inner == 0x0806) {
        tf_zeros(b, 28);
        return;
    }
    size_t at = b->n;
    udp4_frame(b, "10.9.0.1", 1, "10.9.0.2", 2);
    b->n = at + ip;
}

/* Ethernet II with IPv4, untagged or under one 802.1Q tag, takes a fast path in
 * tpa_dec_link: the same datagram through the general walk (LLC/SNAP, 802.1ad) must
 * count to the same flow, and frames just off the fast path are read as before. */
static void test_ether_paths(void)
{
    static const unsigned kinds[][2] = {{0x0800, 0}, {0x8100, 0x0800}, {40, 0}, {0x88a8, 0x0800}};
    fresh();
    tf_buf_t b = {0};
    size_t bytes = 0;
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        ether_frame(&b, kinds[i][0], kinds[i][1], 32);
        feed(1, &b, (int64_t)i + 1);
        bytes += b.n;
    }
    ether_frame(&b, 0x8100, 0x0806, 0); /* tagged ARP: not IP */
    feed(1, &b, 5);
    ether_frame(&b, 0x0800, 0, 2); /* 16 bytes: the IPv4 header is cut */
    feed(1, &b, 6);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    const tpa_flow_t *f = find(all, n, 4, 17, "10.9.0.1", 1, "10.9.0.2", 2);
    CHECK(pk(f) == 4 && by(f) == bytes);
    CHECK(n == 1 && tpa_decode_stats(D)->non_ip == 1);
    CHECK(reason(TPA_MAL_IPV4_TRUNCATED) == 1 && tpa_decode_stats(D)->malformed == 1);
}

/* A G-PDU with the given flags: the optional 4 bytes when any of E, S, PN is set, with
 * E one PDU Session Container of ext_units * 4 bytes (QFI qfi); Length off by
 * len_delta. */
static void gtpu_flags(tf_buf_t *b, unsigned flags, unsigned ext_units, unsigned qfi, int len_delta)
{
    size_t inner = 20 + 8 + 4;
    size_t opt = (flags & 7) ? 4 : 0, ext = (flags & 4) ? ext_units * 4 : 0;
    eth(b, 0x0800);
    ip4(b, "192.168.0.1", "192.168.0.2", 17, 1, 0, 8 + 8 + opt + ext + inner);
    tf_udp_hdr(b, 2152, 2152, 8 + opt + ext + inner);
    tf_u8(b, flags);
    tf_u8(b, 255);
    tf_u16(b, (unsigned)((int)(opt + ext + inner) + len_delta));
    tf_u32(b, 0xabcdef01);
    if (opt) {
        tf_u16(b, 7);
        tf_u8(b, 0);
        tf_u8(b, (flags & 4) ? 0x85 : 0);
    }
    if (ext) {
        tf_u8(b, ext_units);
        tf_u8(b, 0x10);
        tf_u8(b, qfi);
        tf_zeros(b, ext - 4);
        tf_u8(b, 0);
    }
    ip4(b, "10.45.0.2", "8.8.8.8", 17, 2, 0, 12);
    tf_udp_hdr(b, 40000, 9053, 4);
    tf_u32(b, 0);
}

typedef struct gtpu_facts {
    uint64_t inner_pkts, gpdus, malformed, reasons[TPA_MAL_COUNT];
    uint32_t teid;
    uint8_t has_qfi, qfi, has_tunnel;
} gtpu_facts_t;

static gtpu_facts_t gtpu_decode(unsigned flags, unsigned ext_units, unsigned qfi, int len_delta)
{
    gtpu_facts_t g;
    memset(&g, 0, sizeof g);
    fresh();
    tf_buf_t b = {0};
    gtpu_flags(&b, flags, ext_units, qfi, len_delta);
    feed(1, &b, 1);
    feed(1, &b, 2);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    for (size_t i = 0; i < n; i++) {
        const tpa_flow_t *f = all[i];
        if (f->key.port[0] != 9053 && f->key.port[1] != 9053) continue;
        g.inner_pkts = pk(f);
        g.teid = tpa_flow_cold(f)->teid;
        g.has_qfi = f->has_qfi;
        g.qfi = tpa_flow_cold(f)->qfi;
        g.has_tunnel = f->has_tunnel;
    }
    g.gpdus = tpa_result_message_count(tpa_decode_sink(D), "gtp", "255");
    g.malformed = tpa_decode_stats(D)->malformed;
    memcpy(g.reasons, tpa_decode_stats(D)->reasons, sizeof g.reasons);
    return g;
}

/* The common G-PDUs (flags 0x34 with one 4-byte PDU Session Container, flags 0x30) take
 * a fast path in tpa_dissect_gtpu: they must give what the general path gives for the
 * same packet with another optional-field bit set (0x36, 0x32), and packets just off
 * the fast path's conditions must still be read as before. */
static void test_gtpu_paths(void)
{
    gtpu_facts_t fast = gtpu_decode(0x34, 1, 9, 0), slow = gtpu_decode(0x36, 1, 9, 0);
    CHECK(memcmp(&fast, &slow, sizeof fast) == 0);
    CHECK(fast.inner_pkts == 2 && fast.gpdus == 2 && fast.has_qfi && fast.qfi == 9 &&
          fast.teid == 0xabcdef01 && fast.has_tunnel && fast.malformed == 0);
    gtpu_facts_t plain = gtpu_decode(0x30, 0, 0, 0), s_only = gtpu_decode(0x32, 0, 0, 0);
    CHECK(memcmp(&plain, &s_only, sizeof plain) == 0);
    CHECK(plain.inner_pkts == 2 && plain.gpdus == 2 && !plain.has_qfi && plain.malformed == 0);
    gtpu_facts_t qfi_hi = gtpu_decode(0x34, 1, 0xff, 0); /* spare bits above the QFI */
    CHECK(qfi_hi.has_qfi && qfi_hi.qfi == 0x3f);
    gtpu_facts_t two = gtpu_decode(0x34, 2, 5, 0); /* a longer container: general path */
    CHECK(two.inner_pkts == 2 && two.has_qfi && two.qfi == 5 && two.malformed == 0);
    gtpu_facts_t past = gtpu_decode(0x34, 1, 9, 1); /* Length past the frame */
    CHECK(past.reasons[TPA_MAL_GTPU_LEN_INVALID] == 2 && past.inner_pkts == 2);
    gtpu_facts_t past0 = gtpu_decode(0x30, 0, 0, 1);
    CHECK(past0.reasons[TPA_MAL_GTPU_LEN_INVALID] == 2 && past0.inner_pkts == 2);
    gtpu_facts_t shortlen = gtpu_decode(0x34, 1, 9, -(int)(20 + 8 + 4 + 2)); /* < 8 */
    CHECK(shortlen.reasons[TPA_MAL_GTPU_EXT_TRUNCATED] == 2 && shortlen.inner_pkts == 0 &&
          shortlen.gpdus == 2);
}

static void test_malformed(void)
{
    fresh();
    tf_buf_t b = {0};
    /* RFC 791: IHL below 5 */
    eth(&b, 0x0800);
    size_t at = ip4(&b, "10.0.0.1", "10.0.0.2", 17, 1, 0, 12);
    b.b[at] = 0x43;
    tf_udp_hdr(&b, 1, 2, 4);
    tf_u32(&b, 0);
    feed(1, &b, 1);
    /* RFC 9293: data offset below 5 */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "10.0.0.1", "10.0.0.2", 6, 1, 0, 20);
    tcp(&b, 1, 2, 0x10, 2);
    feed(1, &b, 2);
    /* TS 29.281: an extension header length of 0 */
    b.n = 0;
    gtpu(&b, 1, 5, 0, false);
    feed(1, &b, 3);
    /* an extension header cut by the end of the GTP-U message */
    b.n = 0;
    gtpu(&b, 1, 5, 2, true);
    set16(&b, 14 + 2, (unsigned)(b.n - 14)); /* IP total length = what is there */
    set16(&b, 14 + 20 + 4, (unsigned)(b.n - 14 - 20));
    set16(&b, 14 + 20 + 8 + 2, (unsigned)(b.n - 14 - 20 - 16));
    feed(1, &b, 4);
    /* UDP length below 8 */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "10.0.0.1", "10.0.0.2", 17, 1, 0, 8);
    tf_u16(&b, 1);
    tf_u16(&b, 2);
    tf_u16(&b, 4);
    tf_u16(&b, 0);
    feed(1, &b, 5);
    /* SCTP chunk length below 4 */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "10.0.0.1", "10.0.0.2", 132, 1, 0, 16);
    tf_u16(&b, 38412);
    tf_u16(&b, 38412);
    tf_u32(&b, 0);
    tf_u32(&b, 0);
    tf_u8(&b, 0);
    tf_u8(&b, 3);
    tf_u16(&b, 2);
    feed(1, &b, 6);
    /* a frame cut by snaplen is not malformed: same TCP header, caplen 40 of 74 */
    b.n = 0;
    eth(&b, 0x0800);
    ip4(&b, "10.0.0.3", "10.0.0.4", 6, 1, 0, 40);
    tcp(&b, 5, 6, 0x18, 5);
    tf_zeros(&b, 20);
    tpa_decode_packet(D, 1, ++frame, 7, b.b, 40, (uint32_t)b.n);
    /* an IPv4 Total Length past the frame (not snaplen) is malformed */
    b.n = 0;
    eth(&b, 0x0800);
    at = ip4(&b, "10.0.0.5", "10.0.0.6", 17, 1, 0, 12);
    set16(&b, at + 2, 900);
    tf_udp_hdr(&b, 1, 2, 4);
    tf_u32(&b, 0);
    feed(1, &b, 8);
    /* hostile nesting: IP-in-IP 20 deep stops at the depth limit */
    b.n = 0;
    eth(&b, 0x0800);
    for (int i = 0; i < 20; i++)
        ip4(&b, "10.0.0.7", "10.0.0.8", 4, 1, 0, (size_t)(19 - i) * 20 + 12);
    b.b[b.n - 11] = 17;
    tf_udp_hdr(&b, 1, 2, 4);
    tf_u32(&b, 0);
    feed(1, &b, 9);
    /* empty and 1-byte frames */
    b.n = 0;
    feed(1, &b, 10);
    tf_u8(&b, 0x45);
    feed(12, &b, 11);

    CHECK(reason(TPA_MAL_IPV4_HDR_SHORT) == 1);
    CHECK(reason(TPA_MAL_TCP_BAD_OFFSET) == 1);
    CHECK(reason(TPA_MAL_GTPU_EXT_LEN_INVALID) == 1);
    CHECK(reason(TPA_MAL_GTPU_EXT_TRUNCATED) == 1);
    CHECK(reason(TPA_MAL_UDP_LEN_INVALID) == 1);
    CHECK(reason(TPA_MAL_SCTP_CHUNK_LEN_INVALID) == 1);
    CHECK(reason(TPA_MAL_IPV4_TOTLEN_EXCEEDS) == 1);
    CHECK(reason(TPA_MAL_DECODE_TOO_DEEP) == 1);
    CHECK(reason(TPA_MAL_ETH_TRUNCATED) == 1);
    CHECK(reason(TPA_MAL_IPV4_TRUNCATED) == 1);
    const tpa_decode_stats_t *st = tpa_decode_stats(D);
    CHECKF(st->malformed == 10, "%llu", (unsigned long long)st->malformed);
    CHECK(st->snap_cut == 1);
    CHECK(st->nevidence == 10 && st->evidence[0] == 1);
    bool snap_frame_clean = true;
    for (size_t i = 0; i < st->nevidence; i++)
        snap_frame_clean &= st->evidence[i] != 7;
    CHECK(snap_frame_clean);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    /* broken after the ports: still the conversation's packet */
    CHECK(pk(find(all, n, 4, 6, "10.0.0.1", 1, "10.0.0.2", 2)) == 1);
    CHECK(pk(find(all, n, 4, 6, "10.0.0.3", 5, "10.0.0.4", 6)) == 1);
}

static void test_sctp(void)
{
    fresh();
    tf_buf_t b = {0};
    /* RFC 9260: common header, then chunks padded to 4 bytes; DATA carries the PPID.
     * Two DATA chunks (PPID 60, NGAP) of 5 and 8 payload bytes, then a SACK. */
    eth(&b, 0x0800);
    ip4(&b, "10.8.0.1", "10.8.0.2", 132, 1, 0, 12 + 24 + 24 + 16);
    tf_u16(&b, 40000);
    tf_u16(&b, 9999); /* not the NGAP port: the PPID decides */
    tf_u32(&b, 1);
    tf_u32(&b, 0);
    tf_u8(&b, 0);
    tf_u8(&b, 3);
    tf_u16(&b, 16 + 5);
    tf_u32(&b, 1);
    tf_u16(&b, 0);
    tf_u16(&b, 0);
    tf_u32(&b, 60);
    tf_zeros(&b, 5 + 3);
    tf_u8(&b, 0);
    tf_u8(&b, 3);
    tf_u16(&b, 16 + 8);
    tf_u32(&b, 2);
    tf_u16(&b, 1);
    tf_u16(&b, 0);
    tf_u32(&b, 60);
    tf_zeros(&b, 8);
    tf_u8(&b, 3);
    tf_u8(&b, 0);
    tf_u16(&b, 16);
    tf_zeros(&b, 12);
    feed(1, &b, 1);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    const tpa_flow_t *f = find(all, n, 4, 132, "10.8.0.1", 40000, "10.8.0.2", 9999);
    const tpa_sctp_stats_t *ss = f ? tpa_sctp_stats(f) : NULL;
    CHECK(pk(f) == 1 && ss && ss->data_chunks == 2 && ss->first_ppid == 60);
    CHECK(f && f->app && strcmp(tpa_dissect_app_name(f->app), "ngap") == 0);
    /* the chunks are well formed (the NGAP dissector may object to the zero bytes) */
    CHECK(reason(TPA_MAL_SCTP_CHUNK_LEN_INVALID) == 0 && reason(TPA_MAL_SCTP_CHUNK_TRUNCATED) == 0);
}

static void test_icmp_error(void)
{
    fresh();
    tf_buf_t b = {0};
    /* RFC 792 destination unreachable quoting a UDP datagram: one icmp flow, no udp */
    eth(&b, 0x0800);
    ip4(&b, "10.0.0.9", "10.0.0.1", 1, 1, 0, 8 + 28);
    tf_u8(&b, 3);
    tf_u8(&b, 3);
    tf_u16(&b, 0);
    tf_u32(&b, 0);
    ip4(&b, "10.0.0.1", "10.0.0.9", 17, 1, 0, 8);
    tf_udp_hdr(&b, 1000, 53, 0);
    feed(1, &b, 1);
    size_t n;
    tpa_flow_t *const *all = flows(&n);
    CHECK(n == 1 && all[0]->key.proto == 1);
}

int main(void)
{
    test_link_layers();
    test_ipv6_ext();
    test_fragments();
    test_tunnels();
    test_gtpu_paths();
    test_ether_paths();
    test_malformed();
    test_sctp();
    test_icmp_error();
    tpa_decoder_destroy(&D);
    return TEST_DONE();
}
