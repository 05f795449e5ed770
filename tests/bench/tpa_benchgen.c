/* tpa_benchgen.c - writes the benchmark capture: a realistic mobile-core traffic mix.
 *
 * The mix, by share of packets (default; --signalling shifts it towards the control
 * plane):
 *   GTP-U user plane  gNB <-> UPF tunnels (PDU session container with QFI) carrying
 *                     inner TCP (handshake, data, ACKs) and UDP flows of many UEs
 *   plain TCP         data-centre flows with handshakes and FIN close
 *   DNS               query/response pairs over UDP
 *   PFCP              heartbeats, session establishment request/response (N4)
 *   NGAP              SCTP DATA chunks, PPID 60, gNB <-> AMF (N2)
 *   GTPv2-C           create session request/response (S11)
 *   VLAN              802.1Q-tagged UDP
 *   fragments         UDP datagrams larger than the MTU, sent as two IPv4 fragments
 * Frames are Ethernet in a microsecond pcap, written with plain stdio for speed.
 * Deterministic for a given seed. The control-plane messages are well formed (their
 * dissectors take the full path); payload bytes are filler.
 *
 * Prints a one-line JSON summary: {"packets","bytes","file_bytes"}.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { K_GTPU, K_TCP, K_DNS, K_PFCP, K_NGAP, K_GTPV2, K_VLAN, K_FRAG, K_KINDS };

static const unsigned mix_default[K_KINDS] = {55, 20, 5, 4, 4, 2, 5, 5};
static const unsigned mix_signalling[K_KINDS] = {30, 10, 10, 18, 18, 10, 2, 2};

#define N_UE 5000
#define N_TCP 2000
#define N_GNB 16

typedef struct {
    uint64_t s;
} rng_t;

static uint32_t rnd(rng_t *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return (uint32_t)(r->s >> 11);
}

typedef struct {
    uint32_t seq[2]; /* TCP sequence numbers per direction */
    uint32_t left;   /* packets left before close */
    uint8_t state;   /* 0 new, 1 SYN sent, 2 SYN/ACK sent, 3 established */
    uint16_t port;
} tcp_t;

typedef struct {
    FILE *out;
    rng_t rng;
    uint64_t ts_us;
    uint64_t packets, bytes, file_bytes;
    uint8_t buf[4096];
    tcp_t ue_tcp[N_UE];
    tcp_t dc_tcp[N_TCP];
    uint32_t seq_pfcp, seq_gtpv2, tsn;
    uint16_t ip_id;
} gen_t;

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static void ip4(uint8_t *p, uint32_t a)
{
    put32(p, a);
}

/* Writes one record of len bytes from g->buf. */
static void record(gen_t *g, size_t len)
{
    uint8_t h[16];

    g->ts_us += 1 + rnd(&g->rng) % 20;
    put_le32(h, (uint32_t)(g->ts_us / 1000000));
    put_le32(h + 4, (uint32_t)(g->ts_us % 1000000));
    put_le32(h + 8, (uint32_t)len);
    put_le32(h + 12, (uint32_t)len);
    fwrite(h, 1, sizeof h, g->out);
    fwrite(g->buf, 1, len, g->out);
    g->packets++;
    g->bytes += len;
    g->file_bytes += sizeof h + len;
}

/* Ethernet header (optionally 802.1Q) for ethertype; returns its length. */
static size_t eth(uint8_t *p, uint16_t type, int vlan)
{
    static const uint8_t a[6] = {0x02, 0, 0, 0, 0, 1}, b[6] = {0x02, 0, 0, 0, 0, 2};
    memcpy(p, a, 6);
    memcpy(p + 6, b, 6);
    if (vlan) {
        put16(p + 12, 0x8100);
        put16(p + 14, (uint16_t)vlan);
        put16(p + 16, type);
        return 18;
    }
    put16(p + 12, type);
    return 14;
}

/* IPv4 header without options; total = header + payload length. */
static size_t ipv4(gen_t *g, uint8_t *p, uint32_t src, uint32_t dst, uint8_t proto, size_t total,
                   uint16_t frag)
{
    uint32_t sum = 0;

    p[0] = 0x45;
    p[1] = 0;
    put16(p + 2, (uint16_t)total);
    put16(p + 4, g->ip_id);
    put16(p + 6, frag);
    p[8] = 64;
    p[9] = proto;
    put16(p + 10, 0);
    ip4(p + 12, src);
    ip4(p + 16, dst);
    for (int i = 0; i < 20; i += 2) sum += (uint32_t)(p[i] << 8 | p[i + 1]);
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    put16(p + 10, (uint16_t)~sum);
    return 20;
}

static size_t udp(uint8_t *p, uint16_t sport, uint16_t dport, size_t payload)
{
    put16(p, sport);
    put16(p + 2, dport);
    put16(p + 4, (uint16_t)(8 + payload));
    put16(p + 6, 0);
    return 8;
}

static size_t tcp(uint8_t *p, uint16_t sport, uint16_t dport, uint32_t seq, uint32_t ack,
                  uint8_t flags)
{
    put16(p, sport);
    put16(p + 2, dport);
    put32(p + 4, seq);
    put32(p + 8, ack);
    p[12] = 5 << 4;
    p[13] = flags;
    put16(p + 14, 65535);
    put32(p + 16, 0);
    return 20;
}

/* Next segment of a TCP conversation into p (IP payload); returns its length.
 * dir is set to the sending side. */
static size_t tcp_step(gen_t *g, tcp_t *c, uint8_t *p, uint16_t cport, uint16_t sport, int *dir,
                       size_t maxdata)
{
    size_t data = 0;
    uint8_t flags;
    int d;

    if (c->state == 0) { /* handshake as three calls */
        c->seq[0] = rnd(&g->rng);
        c->seq[1] = rnd(&g->rng);
        c->left = 200 + rnd(&g->rng) % 3000; /* long-lived, as user-plane flows are */
        c->state = 1;
        *dir = 0;
        return tcp(p, cport, sport, c->seq[0]++, 0, 0x02);
    }
    if (c->state == 1) {
        c->state = 2;
        *dir = 1;
        return tcp(p, sport, cport, c->seq[1]++, c->seq[0], 0x12);
    }
    if (c->state == 2) { /* the client's ACK of the SYN/ACK completes it */
        c->state = 3;
        *dir = 0;
        return tcp(p, cport, sport, c->seq[0], c->seq[1], 0x10);
    }
    d = (rnd(&g->rng) % 3) ? 1 : 0; /* downlink heavy */
    if (--c->left == 0) {
        flags = 0x11; /* FIN, ACK: next use starts a new connection */
        c->state = 0;
    } else {
        flags = 0x18;
        data = (rnd(&g->rng) % 4 == 0) ? 0 : 40 + rnd(&g->rng) % maxdata;
        if (!data) flags = 0x10;
    }
    *dir = d;
    size_t h = d ? tcp(p, sport, cport, c->seq[1], c->seq[0], flags)
                 : tcp(p, cport, sport, c->seq[0], c->seq[1], flags);
    memset(p + h, 0x61, data);
    c->seq[d] += (uint32_t)data + ((flags & 1) ? 1 : 0);
    return h + data;
}

#define UPF 0x0a640001u  /* 10.100.0.1 */
#define AMF 0x0a640002u  /* 10.100.0.2 */
#define SMF 0x0a640003u  /* 10.100.0.3 */
#define SGW 0x0a640004u  /* 10.100.0.4 */
#define DNS 0x0a640035u  /* 10.100.0.53 */
#define GNB(i) (0x0a010000u + (uint32_t)(i) + 1)
#define UEIP(i) (0x0a2d0000u + (uint32_t)(i) + 1)
#define SRV(i) (0x5db80000u + (uint32_t)((i) % 512) + 1)

static void gen_gtpu(gen_t *g)
{
    uint32_t ue = rnd(&g->rng) % N_UE, gnb = ue % N_GNB;
    uint8_t *p = g->buf, inner[2048];
    size_t e = eth(p, 0x0800, 0), in_len, gl;
    int dir;
    uint8_t qfi = (uint8_t)(1 + ue % 9);

    /* inner packet: 70% TCP of the UE, 30% UDP (e.g. QUIC-like) */
    if (rnd(&g->rng) % 10 < 7) {
        tcp_t *c = &g->ue_tcp[ue];
        if (!c->port) c->port = (uint16_t)(10000 + ue % 50000);
        in_len = tcp_step(g, c, inner + 20, c->port, 443, &dir, 300);
        if (dir) ipv4(g, inner, SRV(ue), UEIP(ue), 6, 20 + in_len, 0x4000);
        else ipv4(g, inner, UEIP(ue), SRV(ue), 6, 20 + in_len, 0x4000);
    } else {
        size_t pl = 50 + rnd(&g->rng) % 250;
        dir = rnd(&g->rng) % 2;
        in_len = udp(inner + 20, dir ? 443 : (uint16_t)(20000 + ue % 40000),
                     dir ? (uint16_t)(20000 + ue % 40000) : 443, pl);
        memset(inner + 28, 0x62, pl);
        in_len += pl;
        ipv4(g, inner, dir ? SRV(ue + 7) : UEIP(ue), dir ? UEIP(ue) : SRV(ue + 7), 17, 20 + in_len,
             0x4000);
    }
    in_len += 20;
    /* GTP-U: flags E=1, type 255, length, TEID, seq(2) npdu(1) next ext 0x85 */
    uint8_t *gtp = p + e + 28;
    gtp[0] = 0x34;
    gtp[1] = 255;
    put32(gtp + 4, dir ? 0x10000000u + ue : 0x20000000u + ue);
    put16(gtp + 8, 0);
    gtp[10] = 0;
    gtp[11] = 0x85;
    gtp[12] = 1; /* ext length in 4-byte units */
    gtp[13] = dir ? 0x00 : 0x10; /* PDU type DL (0) / UL (1) */
    gtp[14] = qfi;
    gtp[15] = 0; /* next extension: none */
    gl = 16;
    put16(gtp + 2, (uint16_t)(gl - 8 + in_len));
    memcpy(gtp + gl, inner, in_len);
    udp(p + e + 20, 2152, 2152, gl + in_len);
    ipv4(g, p + e, dir ? UPF : GNB(gnb), dir ? GNB(gnb) : UPF, 17, 28 + gl + in_len, 0);
    record(g, e + 28 + gl + in_len);
}

static void gen_tcp(gen_t *g)
{
    uint32_t i = rnd(&g->rng) % N_TCP;
    tcp_t *c = &g->dc_tcp[i];
    uint8_t *p = g->buf;
    size_t e = eth(p, 0x0800, 0), l;
    int dir;

    if (!c->port) c->port = (uint16_t)(30000 + i);
    l = tcp_step(g, c, p + e + 20, c->port, (uint16_t)(i % 3 ? 443 : 8080), &dir, 500);
    ipv4(g, p + e, dir ? SRV(i) : 0xc0a80000u + i, dir ? 0xc0a80000u + i : SRV(i), 6, 20 + l,
         0x4000);
    record(g, e + 20 + l);
}

/* DNS name "h<n>.example.com" in wire format; returns length. */
static size_t dns_name(uint8_t *p, uint32_t n)
{
    char label[16];
    int ll = snprintf(label, sizeof label, "h%u", n);
    size_t o = 0;
    p[o++] = (uint8_t)ll;
    memcpy(p + o, label, (size_t)ll);
    o += (size_t)ll;
    memcpy(p + o, "\x07" "example" "\x03" "com", 12);
    o += 12;
    p[o++] = 0;
    return o;
}

static void gen_dns(gen_t *g)
{
    uint32_t n = rnd(&g->rng) % 2000, id = rnd(&g->rng) & 0xffff;
    uint16_t port = (uint16_t)(40000 + n % 20000);
    for (int resp = 0; resp < 2; resp++) {
        uint8_t *p = g->buf;
        size_t e = eth(p, 0x0800, 0), o = e + 28;
        put16(p + o, (uint16_t)id);
        put16(p + o + 2, resp ? 0x8180 : 0x0100);
        put16(p + o + 4, 1);
        put16(p + o + 6, resp ? 1 : 0);
        put32(p + o + 8, 0);
        o += 12;
        o += dns_name(p + o, n);
        put32(p + o, 0x00010001); /* A, IN */
        o += 4;
        if (resp) {
            put16(p + o, 0xc00c);
            put32(p + o + 2, 0x00010001);
            put32(p + o + 6, 300);
            put16(p + o + 10, 4);
            put32(p + o + 12, SRV(n));
            o += 16;
        }
        udp(p + e + 20, resp ? 53 : port, resp ? port : 53, o - e - 28);
        ipv4(g, p + e, resp ? DNS : 0xc0a80000u + n, resp ? 0xc0a80000u + n : DNS, 17, o - e, 0);
        record(g, o);
    }
}

static size_t pfcp_ie(uint8_t *p, uint16_t type, const uint8_t *v, uint16_t len)
{
    put16(p, type);
    put16(p + 2, len);
    memcpy(p + 4, v, len);
    return 4u + len;
}

static void gen_pfcp(gen_t *g)
{
    uint32_t seq = ++g->seq_pfcp & 0xffffff;
    bool session = rnd(&g->rng) % 4 != 0;
    uint64_t seid = 0x1000 + seq;

    for (int resp = 0; resp < 2; resp++) {
        uint8_t *p = g->buf, v[16];
        size_t e = eth(p, 0x0800, 0), o = e + 28, h = o;
        if (session) {
            p[o] = 0x21;
            p[o + 1] = resp ? 51 : 50;
            put32(p + o + 4, (uint32_t)(resp ? seid >> 32 : 0));
            put32(p + o + 8, (uint32_t)(resp ? seid : 0));
            put32(p + o + 12, seq << 8);
            o += 16;
            v[0] = 0;
            put32(v + 1, resp ? UPF : SMF);
            o += pfcp_ie(p + o, 60, v, 5); /* Node ID */
            if (resp) {
                v[0] = 1;
                o += pfcp_ie(p + o, 19, v, 1); /* Cause: accepted */
            }
            v[0] = 0x02;
            put32(v + 1, (uint32_t)(seid >> 32));
            put32(v + 5, (uint32_t)seid + (resp ? 0x8000 : 0));
            put32(v + 9, resp ? UPF : SMF);
            o += pfcp_ie(p + o, 57, v, 13); /* F-SEID */
        } else {
            p[o] = 0x20;
            p[o + 1] = resp ? 2 : 1;
            put32(p + o + 4, seq << 8);
            o += 8;
            put32(v, 0xe0000000u);
            o += pfcp_ie(p + o, 96, v, 4); /* Recovery Time Stamp */
        }
        put16(p + h + 2, (uint16_t)(o - h - 4));
        udp(p + e + 20, 8805, 8805, o - e - 28);
        ipv4(g, p + e, resp ? UPF : SMF, resp ? SMF : UPF, 17, o - e, 0);
        record(g, o);
    }
}

static void gen_ngap(gen_t *g)
{
    /* NGAP NGSetupRequest-shaped PDU: initiatingMessage, procedure 21, reject,
     * open type of an empty IE container (valid aligned PER). */
    static const uint8_t pdu[] = {0x00, 0x15, 0x00, 0x03, 0x00, 0x00, 0x00};
    uint32_t gnb = rnd(&g->rng) % N_GNB;
    int up = rnd(&g->rng) % 2;
    uint8_t *p = g->buf;
    size_t e = eth(p, 0x0800, 0), o = e + 20, s = o;

    put16(p + o, up ? 38412 : 38412);
    put16(p + o + 2, 38412);
    put32(p + o + 4, 0x1000 + gnb);
    put32(p + o + 8, 0); /* checksum not verified by the analyzers */
    o += 12;
    p[o] = 0;    /* DATA */
    p[o + 1] = 3; /* B and E: an unfragmented user message */
    put16(p + o + 2, (uint16_t)(16 + sizeof pdu));
    put32(p + o + 4, ++g->tsn);
    put16(p + o + 8, 0);
    put16(p + o + 10, (uint16_t)g->tsn);
    put32(p + o + 12, 60);
    memcpy(p + o + 16, pdu, sizeof pdu);
    o += 16 + sizeof pdu;
    while ((o - s) % 4) p[o++] = 0;
    ipv4(g, p + e, up ? GNB(gnb) : AMF, up ? AMF : GNB(gnb), 132, o - e, 0);
    record(g, o);
}

static void gen_gtpv2(gen_t *g)
{
    uint32_t seq = ++g->seq_gtpv2 & 0xffffff;
    for (int resp = 0; resp < 2; resp++) {
        uint8_t *p = g->buf;
        size_t e = eth(p, 0x0800, 0), o = e + 28, h = o;
        p[o] = 0x48;
        p[o + 1] = resp ? 33 : 32;
        put32(p + o + 4, resp ? 0x5000 + seq : 0);
        put32(p + o + 8, seq << 8);
        o += 12;
        if (resp) { /* Cause 16 Request accepted */
            p[o] = 2, p[o + 1] = 0, p[o + 2] = 2, p[o + 3] = 0, p[o + 4] = 16, p[o + 5] = 0;
            o += 6;
        } else { /* IMSI 001010000012345 (TBCD) */
            static const uint8_t imsi[] = {0x00, 0x01, 0x01, 0x00, 0x00, 0x21, 0x43, 0xf5};
            p[o] = 1, p[o + 1] = 0, p[o + 2] = 8, p[o + 3] = 0;
            memcpy(p + o + 4, imsi, 8);
            p[o + 9] = (uint8_t)((seq % 10) << 4 | (seq / 10) % 10); /* vary digits 11-12 */
            o += 12;
        }
        /* F-TEID: V4, interface type 10 (S11 MME) / 11 (S11 SGW) */
        p[o] = 87, p[o + 1] = 0, p[o + 2] = 9, p[o + 3] = 0;
        p[o + 4] = (uint8_t)(0x80 | (resp ? 11 : 10));
        put32(p + o + 5, 0x5000 + seq);
        put32(p + o + 9, resp ? SGW : AMF);
        o += 13;
        put16(p + h + 2, (uint16_t)(o - h - 4));
        udp(p + e + 20, 2123, 2123, o - e - 28);
        ipv4(g, p + e, resp ? SGW : AMF, resp ? AMF : SGW, 17, o - e, 0);
        record(g, o);
    }
}

static void gen_vlan(gen_t *g)
{
    uint32_t i = rnd(&g->rng) % 2000;
    uint8_t *p = g->buf;
    size_t pl = 60 + rnd(&g->rng) % 200;
    size_t e = eth(p, 0x0800, (int)(100 + i % 4));
    udp(p + e + 20, (uint16_t)(5000 + i), 9000, pl);
    memset(p + e + 28, 0x63, pl);
    ipv4(g, p + e, 0xac100000u + i, 0xac110001u, 17, 28 + pl, 0);
    record(g, e + 28 + pl);
}

static void gen_frag(gen_t *g)
{
    uint32_t i = rnd(&g->rng) % 500;
    size_t total = 1600 + rnd(&g->rng) % 1200, first = 1480;
    uint8_t *p = g->buf;
    size_t e;

    g->ip_id++;
    e = eth(p, 0x0800, 0);
    udp(p + e + 20, (uint16_t)(6000 + i), 4500, total - 8);
    memset(p + e + 28, 0x64, first - 8);
    ipv4(g, p + e, 0xac120000u + i, 0xac130001u, 17, 20 + first, 0x2000);
    record(g, e + 20 + first);
    e = eth(p, 0x0800, 0);
    memset(p + e + 20, 0x64, total - first);
    ipv4(g, p + e, 0xac120000u + i, 0xac130001u, 17, 20 + total - first,
         (uint16_t)(first / 8));
    record(g, e + 20 + total - first);
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tpa-benchgen [--packets N] [--seed S] [--signalling] -o FILE\n"
               "Writes the benchmark capture (a mobile-core mix: GTP-U with inner TCP/UDP,\n"
               "PFCP, NGAP over SCTP, GTPv2-C, DNS, plain TCP, VLAN, IP fragments).\n"
               "  --packets N    about N packets (default 2000000)\n"
               "  --seed S       random seed (default 1)\n"
               "  --signalling   a control-plane-heavy mix\n"
               "  -o FILE        output pcap\n");
}

int main(int argc, char **argv)
{
    static gen_t g; /* large: keep off the stack */
    static const struct option opts[] = {{"packets", 1, 0, 'n'}, {"seed", 1, 0, 's'},
                                         {"signalling", 0, 0, 'S'}, {"output", 1, 0, 'o'},
                                         {"help", 0, 0, 'h'},       {0, 0, 0, 0}};
    uint64_t want = 2000000, seed = 1;
    const unsigned *mix = mix_default;
    const char *out = NULL;
    unsigned total = 0;
    int c;

    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'n': want = strtoull(optarg, NULL, 10); break;
        case 's': seed = strtoull(optarg, NULL, 10); break;
        case 'S': mix = mix_signalling; break;
        case 'o': out = optarg; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (!out || !want) {
        usage(stderr);
        return 2;
    }
    g.out = fopen(out, "wb");
    if (!g.out) {
        fprintf(stderr, "tpa-benchgen: %s: %s\n", out, strerror(errno));
        return 1;
    }
    {
        uint8_t h[24];
        put_le32(h, 0xa1b2c3d4);
        h[4] = 2, h[5] = 0, h[6] = 4, h[7] = 0;
        memset(h + 8, 0, 8);
        put_le32(h + 16, 65535);
        put_le32(h + 20, 1);
        fwrite(h, 1, sizeof h, g.out);
        g.file_bytes = sizeof h;
    }
    g.rng.s = seed * 0x9e3779b97f4a7c15ull + 1;
    g.ts_us = 1700000000ull * 1000000;
    for (int k = 0; k < K_KINDS; k++) total += mix[k];
    while (g.packets < want) {
        unsigned r = rnd(&g.rng) % total, k = 0;
        while (r >= mix[k]) r -= mix[k++];
        switch (k) {
        case K_GTPU: gen_gtpu(&g); break;
        case K_TCP: gen_tcp(&g); break;
        case K_DNS: gen_dns(&g); break;
        case K_PFCP: gen_pfcp(&g); break;
        case K_NGAP: gen_ngap(&g); break;
        case K_GTPV2: gen_gtpv2(&g); break;
        case K_VLAN: gen_vlan(&g); break;
        default: gen_frag(&g); break;
        }
    }
    if (fclose(g.out) != 0) {
        fprintf(stderr, "tpa-benchgen: %s: %s\n", out, strerror(errno));
        return 1;
    }
    printf("{\"packets\":%llu,\"bytes\":%llu,\"file_bytes\":%llu}\n",
           (unsigned long long)g.packets, (unsigned long long)g.bytes,
           (unsigned long long)g.file_bytes);
    return 0;
}
