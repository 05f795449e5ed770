/* tpa_pcapgen.c - tpa-pcapgen: writes captures of our own and says exactly what it wrote.
 *
 * Tests compare the analyzer's result document with the JSON summary this program
 * prints on stdout, so every count in the summary is counted here, packet by packet,
 * as the packet is written:
 *
 *   {"packets":N,"bytes":B,...,"flows":[{"proto","src","sport","dst","dport",
 *    "packets","bytes","a_to_b":{..},"b_to_a":{..},"app"}],"messages":[...]}
 *
 * bytes are frame wire lengths (pcap orig_len); src/sport is the side that sent the
 * flow's first packet. A record cut by --truncate is not counted.
 *
 * Formats:
 *  - pcap (libpcap savefile, "Libpcap File Format"): written with libpcap's
 *    pcap_open_dead + pcap_dump. libpcap only writes the host's byte order, so --swap
 *    and the cut record of --truncate are written by hand with the same layout:
 *    24-byte file header (magic a1b2c3d4, or a1b23c4d for nanoseconds), then per record
 *    ts_sec, ts_usec|ts_nsec, caplen, len (4 bytes each) and caplen bytes of data.
 *  - pcapng (draft-ietf-opsawg-pcapng): libpcap 1.10 cannot write it, so the blocks are
 *    written here: Section Header Block (type 0x0a0d0d0a, byte-order magic 0x1a2b3c4d,
 *    version 1.0, section length -1), one Interface Description Block per interface
 *    (link type, snaplen, option if_tsresol=9 for nanoseconds), and one Enhanced Packet
 *    Block per packet (interface id, 64-bit timestamp in if_tsresol units, captured
 *    and original length, data padded to 32 bits). Every block ends with its total
 *    length repeated.
 *  - --gzip wraps either format in a gzip stream (zlib).
 *
 * Traffic (--mix basic): flows are interleaved in time; flow i is TCP (i%3==0:
 * handshake, request, response segments with ACKs, FIN/FIN/ACK), UDP (i%3==1:
 * alternating datagrams) or DNS (i%3==2: query/response pairs on port 53); every
 * fourth flow is IPv6. --mix telecom: i%6 in 0-2 are those three inside GTP-U
 * (one tunnel flow per gNB, 3 gNBs, UPF 10.201.0.1; odd flows carry a QFI), 3-5 are
 * PFCP heartbeats, GTPv2-C echoes and SIP OPTIONS between network functions
 * (tpa_gen_msg.c). Same seed, same options -> same bytes.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <pcap/pcap.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <zlib.h>

#include "tpa_gen_msg.h"

#define MAX_FRAME 2048
#define PATTERN_LEN 65536
#define MAX_ACTIVE 64
#define BASE_TS_NS (1700000000ull * 1000000000ull)

enum { FMT_PCAP, FMT_PCAPNG };
enum { FK_TCP, FK_UDP, FK_MSG, FK_OUTER }; /* FK_OUTER: a GTP-U tunnel, never scheduled */
enum { MIX_BASIC, MIX_TELECOM };
#define MAX_MSG_TYPES 16
#define GTPU_PORT 2152
enum { TH_FIN = 0x01, TH_SYN = 0x02, TH_PSH = 0x08, TH_ACK = 0x10 };

/* Link types: the value written in files (LINKTYPE_*) and the one libpcap's API takes
 * (DLT_*), which differ for RAW. */
typedef struct linkdef {
    const char *opt;
    int linktype;
    int dlt;
} linkdef_t;

static const linkdef_t links[] = {
    {"en10mb", 1, DLT_EN10MB},
    {"raw", 101, DLT_RAW},
    {"sll", 113, DLT_LINUX_SLL},
};

typedef struct opts {
    int format, mix;
    bool nano, swap, gzip, vlan, truncate;
    long flows;
    long packets; /* total, spread over flows; -1 = random per flow */
    uint64_t seed;
    long size_mb; /* > 0: size mode */
    int nifs;
    const linkdef_t *link[2];
    unsigned snaplen;
    const char *out;
} opts_t;

typedef struct dir_count {
    uint64_t packets, bytes;
} dir_count_t;

typedef struct flow {
    int kind;
    tpa_gen_msg_kind_t msg; /* FK_MSG: which request/response pair */
    bool v6;
    uint8_t cip[16], sip[16]; /* FK_OUTER: cip = gNB, sip = UPF */
    uint16_t cport, sport;
    int iface;
    uint16_t vlan;
    uint32_t index;
    uint32_t planned, emitted;
    uint32_t cseq, sseq; /* next sequence number of each side */
    uint32_t msg_seq;
    uint16_t ip_id;
    bool tunneled;             /* carried in GTP-U (telecom mix) */
    size_t outer;              /* index of the FK_OUTER flow */
    uint32_t teid_ul, teid_dl; /* TEID of uplink (c2s) and downlink packets */
    uint8_t qfi;               /* 0 = no PDU Session Container */
    dir_count_t c2s, s2c;
} flow_t;

typedef struct msg_count {
    const char *proto, *code;
    uint64_t count;
} msg_count_t;

typedef struct writer {
    const opts_t *o;
    FILE *fp;
    pcap_t *dead;
    pcap_dumper_t *dumper;
    bool big_endian_out;
    uint64_t written; /* capture bytes before compression */
} writer_t;

typedef struct gen {
    opts_t o;
    uint64_t rng;
    uint8_t pattern[PATTERN_LEN];
    flow_t *flows;
    size_t nflows, capflows;
    uint64_t ts_ns, first_ns, last_ns;
    uint64_t packets, bytes;
    msg_count_t msgs[MAX_MSG_TYPES];
    int nmsgs;
    long outer_by_gnb[4]; /* telecom: FK_OUTER flow of each gNB, -1 before its first packet */
    writer_t w;
} gen_t;

/* ---- deterministic random numbers (splitmix64) ---- */

static uint64_t rnd(gen_t *g)
{
    uint64_t z = (g->rng += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* Uniform in [lo, hi]. */
static uint32_t rnd_range(gen_t *g, uint32_t lo, uint32_t hi)
{
    return lo + (uint32_t)(rnd(g) % ((uint64_t)hi - lo + 1));
}

/* ---- byte writing helpers ---- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* File-order integers: big-endian or little-endian as the writer decided. */
static void fput16(const writer_t *w, uint8_t *p, uint16_t v)
{
    if (w->big_endian_out) {
        put16(p, v);
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
    }
}

static void fput32(const writer_t *w, uint8_t *p, uint32_t v)
{
    if (w->big_endian_out) {
        put32(p, v);
    } else {
        p[0] = (uint8_t)v;
        p[1] = (uint8_t)(v >> 8);
        p[2] = (uint8_t)(v >> 16);
        p[3] = (uint8_t)(v >> 24);
    }
}

static bool host_is_big_endian(void)
{
    const uint16_t one = 1;
    uint8_t first;
    memcpy(&first, &one, 1);
    return first == 0;
}

/* Internet checksum (RFC 1071) accumulation. */
static uint32_t csum_add(uint32_t sum, const uint8_t *p, size_t len)
{
    size_t i;
    for (i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)p[i] << 8 | p[i + 1];
    if (len & 1) sum += (uint32_t)p[len - 1] << 8;
    return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* ---- output stream: a FILE*, possibly a gzip stream behind fopencookie ---- */

static ssize_t gz_cookie_write(void *cookie, const char *buf, size_t size)
{
    if (size == 0) return 0;
    int n = gzwrite((gzFile)cookie, buf, (unsigned)size);
    return n <= 0 ? -1 : n;
}

static int gz_cookie_close(void *cookie)
{
    return gzclose((gzFile)cookie) == Z_OK ? 0 : -1;
}

static FILE *open_output(const opts_t *o)
{
    FILE *fp;
    if (o->gzip) {
        gzFile gz = gzopen(o->out, o->size_mb > 0 ? "wb1" : "wb6");
        if (!gz) return NULL;
        cookie_io_functions_t io = {.write = gz_cookie_write, .close = gz_cookie_close};
        fp = fopencookie(gz, "w", io);
        if (!fp) {
            gzclose(gz);
            return NULL;
        }
    } else {
        fp = fopen(o->out, "wb");
        if (!fp) return NULL;
    }
    setvbuf(fp, NULL, _IOFBF, 1 << 20);
    return fp;
}

/* ---- capture writer ---- */

static int write_all(writer_t *w, const void *buf, size_t len)
{
    if (len && fwrite(buf, 1, len, w->fp) != len) return -1;
    w->written += len;
    return 0;
}

static uint32_t ts_units(const writer_t *w, uint64_t ts_ns)
{
    return w->o->nano ? (uint32_t)(ts_ns % 1000000000ull)
                      : (uint32_t)(ts_ns % 1000000000ull / 1000);
}

/* Builds the complete file record for one packet into rec (pcap record or pcapng EPB)
 * in the file's byte order. Returns its length. */
static size_t build_record(const writer_t *w, int iface, uint64_t ts_ns, const uint8_t *data,
                           uint32_t caplen, uint32_t len, uint8_t *rec)
{
    if (w->o->format == FMT_PCAP) {
        fput32(w, rec, (uint32_t)(ts_ns / 1000000000ull));
        fput32(w, rec + 4, ts_units(w, ts_ns));
        fput32(w, rec + 8, caplen);
        fput32(w, rec + 12, len);
        memcpy(rec + 16, data, caplen);
        return 16 + (size_t)caplen;
    }
    uint64_t t = w->o->nano ? ts_ns : ts_ns / 1000;
    size_t padded = ((size_t)caplen + 3) & ~(size_t)3;
    uint32_t total = (uint32_t)(32 + padded);
    fput32(w, rec, 6);
    fput32(w, rec + 4, total);
    fput32(w, rec + 8, (uint32_t)iface);
    fput32(w, rec + 12, (uint32_t)(t >> 32));
    fput32(w, rec + 16, (uint32_t)t);
    fput32(w, rec + 20, caplen);
    fput32(w, rec + 24, len);
    memcpy(rec + 28, data, caplen);
    memset(rec + 28 + caplen, 0, padded - caplen);
    fput32(w, rec + 28 + padded, total);
    return total;
}

static int write_pcapng_headers(writer_t *w)
{
    uint8_t b[64];
    /* SHB: type, length, byte-order magic, major 1, minor 0, section length -1, length */
    fput32(w, b, 0x0a0d0d0a);
    fput32(w, b + 4, 28);
    fput32(w, b + 8, 0x1a2b3c4d);
    fput16(w, b + 12, 1);
    fput16(w, b + 14, 0);
    fput32(w, b + 16, 0xffffffff);
    fput32(w, b + 20, 0xffffffff);
    fput32(w, b + 24, 28);
    if (write_all(w, b, 28) < 0) return -1;
    for (int i = 0; i < w->o->nifs; i++) {
        size_t n = 16;
        fput32(w, b, 1);
        fput16(w, b + 8, (uint16_t)w->o->link[i]->linktype);
        fput16(w, b + 10, 0);
        fput32(w, b + 12, w->o->snaplen);
        if (w->o->nano) { /* if_tsresol (code 9, length 1): 10^-9 */
            fput16(w, b + n, 9);
            fput16(w, b + n + 2, 1);
            b[n + 4] = 9;
            b[n + 5] = b[n + 6] = b[n + 7] = 0;
            memset(b + n + 8, 0, 4); /* opt_endofopt */
            n += 12;
        }
        fput32(w, b + n, (uint32_t)(n + 4));
        fput32(w, b + 4, (uint32_t)(n + 4));
        if (write_all(w, b, n + 4) < 0) return -1;
    }
    return 0;
}

static int write_pcap_header_by_hand(writer_t *w)
{
    uint8_t b[24];
    fput32(w, b, w->o->nano ? 0xa1b23c4d : 0xa1b2c3d4);
    fput16(w, b + 4, 2);
    fput16(w, b + 6, 4);
    fput32(w, b + 8, 0);
    fput32(w, b + 12, 0);
    fput32(w, b + 16, w->o->snaplen);
    fput32(w, b + 20, (uint32_t)w->o->link[0]->linktype);
    return write_all(w, b, sizeof b);
}

static int writer_open(writer_t *w, const opts_t *o)
{
    memset(w, 0, sizeof *w);
    w->o = o;
    w->big_endian_out = host_is_big_endian() != o->swap;
    w->fp = open_output(o);
    if (!w->fp) return -1;
    if (o->format == FMT_PCAPNG) return write_pcapng_headers(w);
    if (o->swap) return write_pcap_header_by_hand(w);
    w->dead = pcap_open_dead_with_tstamp_precision(o->link[0]->dlt, (int)o->snaplen,
                                                   o->nano ? PCAP_TSTAMP_PRECISION_NANO
                                                           : PCAP_TSTAMP_PRECISION_MICRO);
    if (!w->dead) return -1;
    w->dumper = pcap_dump_fopen(w->dead, w->fp);
    if (!w->dumper) return -1;
    w->written = 24;
    return 0;
}

static int writer_packet(writer_t *w, int iface, uint64_t ts_ns, const uint8_t *data,
                         uint32_t caplen, uint32_t len)
{
    if (w->dumper) {
        struct pcap_pkthdr h;
        memset(&h, 0, sizeof h);
        h.ts.tv_sec = (time_t)(ts_ns / 1000000000ull);
        h.ts.tv_usec = (suseconds_t)ts_units(w, ts_ns);
        h.caplen = caplen;
        h.len = len;
        pcap_dump((u_char *)w->dumper, &h, data);
        w->written += 16 + (uint64_t)caplen;
        return ferror(w->fp) ? -1 : 0;
    }
    static uint8_t rec[MAX_FRAME + 64];
    size_t n = build_record(w, iface, ts_ns, data, caplen, len, rec);
    return write_all(w, rec, n);
}

/* Writes the first half of the packet's record: the file ends inside it. */
static int writer_cut_packet(writer_t *w, int iface, uint64_t ts_ns, const uint8_t *data,
                             uint32_t caplen, uint32_t len)
{
    static uint8_t rec[MAX_FRAME + 64];
    if (w->dumper && pcap_dump_flush(w->dumper) != 0) return -1;
    size_t n = build_record(w, iface, ts_ns, data, caplen, len, rec);
    return write_all(w, rec, n / 2);
}

static int writer_close(writer_t *w)
{
    int rc = 0;
    if (w->dumper) {
        if (pcap_dump_flush(w->dumper) != 0) rc = -1;
        pcap_dump_close(w->dumper); /* closes w->fp */
        w->dumper = NULL;
        w->fp = NULL;
    }
    if (w->dead) {
        pcap_close(w->dead);
        w->dead = NULL;
    }
    if (w->fp) {
        if (fclose(w->fp) != 0) rc = -1;
        w->fp = NULL;
    }
    return rc;
}

/* ---- flows ---- */

static flow_t *flow_add(gen_t *g)
{
    if (g->nflows == g->capflows) {
        size_t cap = g->capflows ? g->capflows * 2 : 64;
        flow_t *nf = realloc(g->flows, cap * sizeof *nf);
        if (!nf) return NULL;
        g->flows = nf;
        g->capflows = cap;
    }
    flow_t *f = &g->flows[g->nflows];
    memset(f, 0, sizeof *f);
    f->index = (uint32_t)g->nflows++;
    return f;
}

static uint32_t planned_packets(gen_t *g, uint32_t i, int kind)
{
    uint32_t n;
    if (g->o.size_mb > 0)
        n = kind == FK_TCP   ? rnd_range(g, 200, 2000)
            : kind == FK_UDP ? rnd_range(g, 100, 1000)
                             : rnd_range(g, 2, 20);
    else if (g->o.packets >= 0)
        n = (uint32_t)(g->o.packets / g->o.flows + ((long)i < g->o.packets % g->o.flows));
    else
        n = rnd_range(g, 6, 40);
    if (kind == FK_TCP && n < 6) n = 6;                /* SYN, SYN-ACK, ACK, FIN, FIN, ACK */
    if (kind == FK_MSG) n = n < 2 ? 2 : (n + 1) & ~1u; /* request/response pairs */
    if (n < 1) n = 1;
    return n;
}

/* The GTP-U tunnel (outer UDP flow gNB:2152 <-> UPF:2152) of gNB number gnb. */
static long outer_flow(gen_t *g, uint32_t gnb)
{
    if (g->outer_by_gnb[gnb] >= 0) return g->outer_by_gnb[gnb];
    flow_t *o = flow_add(g);
    if (!o) return -1;
    o->kind = FK_OUTER;
    put32(o->cip, 0x0ac80001u + gnb); /* 10.200.0.<gnb+1> */
    put32(o->sip, 0x0ac90001u);       /* 10.201.0.1 */
    o->cport = o->sport = GTPU_PORT;
    o->ip_id = (uint16_t)rnd(g);
    g->outer_by_gnb[gnb] = (long)o->index;
    return g->outer_by_gnb[gnb];
}

/* Starts flow number n of the mix (n counts scheduled flows, not tunnels). */
static flow_t *flow_start(gen_t *g, uint32_t i)
{
    static const uint16_t tcp_ports[] = {443, 8443, 9000, 5201};
    static const tpa_gen_msg_kind_t telecom_msgs[] = {TPA_GEN_PFCP, TPA_GEN_GTPV2, TPA_GEN_SIP};
    long outer = -1;
    uint32_t host = i + 1;
    bool telecom = g->o.mix == MIX_TELECOM;
    uint32_t slot = telecom ? i % 6 : i % 3;
    if (telecom && slot < 3 && (outer = outer_flow(g, i % 3)) < 0) return NULL;
    flow_t *f = flow_add(g);
    if (!f) return NULL;
    f->kind = slot == 0 ? FK_TCP : slot == 1 ? FK_UDP : FK_MSG;
    f->msg = slot < 3 ? TPA_GEN_DNS : telecom_msgs[slot - 3];
    f->v6 = slot < 3 && i % 4 == 3;
    f->iface = g->o.nifs > 1 ? (int)(i % 2) : 0;
    f->vlan = g->o.vlan && g->o.link[f->iface]->linktype == 1 ? (uint16_t)(100 + i % 3) : 0;
    uint32_t server = rnd_range(g, 1, 8);
    if (f->v6) { /* fd00::1:<host> and fd00::2:<server> */
        f->cip[0] = f->sip[0] = 0xfd;
        f->cip[11] = 1;
        f->sip[11] = 2;
        put32(f->cip + 12, host);
        put32(f->sip + 12, server);
    } else if (telecom && slot >= 3) { /* network functions: 10.100.<host> -> 10.101.0.<server> */
        put32(f->cip, 0x0a640000u | (host & 0xffff));
        put32(f->sip, 0x0a650000u | server);
    } else { /* 10.<host> and 172.16.0.<server> */
        put32(f->cip, 0x0a000000u | (host & 0xffffff));
        put32(f->sip, 0xac100000u | server);
    }
    bool both = false;
    f->cport = (uint16_t)rnd_range(g, 32768, 60999);
    f->sport = f->kind == FK_TCP   ? tcp_ports[rnd(g) % 4]
               : f->kind == FK_UDP ? (uint16_t)rnd_range(g, 20000, 29999)
                                   : tpa_gen_msg_port(f->msg, &both);
    if (both) f->cport = f->sport;
    f->cseq = (uint32_t)rnd(g);
    f->sseq = (uint32_t)rnd(g);
    f->msg_seq = rnd_range(g, 1, 100000);
    f->ip_id = (uint16_t)rnd(g);
    if (outer >= 0) {
        f->tunneled = true;
        f->outer = (size_t)outer;
        f->teid_ul = (uint32_t)rnd(g) | 1u;
        f->teid_dl = (uint32_t)rnd(g) | 1u;
        f->qfi = i % 2 ? (uint8_t)rnd_range(g, 1, 63) : 0;
    }
    f->planned = planned_packets(g, i, f->kind);
    return f;
}

/* ---- packet building ---- */

static size_t link_header(const gen_t *g, const flow_t *f, bool c2s, uint8_t *p)
{
    const linkdef_t *l = g->o.link[f->iface];
    uint16_t etype = f->v6 && !f->tunneled ? 0x86dd : 0x0800;
    uint8_t cmac[6] = {0x02, 0x00, 0x00, 0, 0, 0}, smac[6] = {0x02, 0x00, 0x01, 0, 0, 0};
    cmac[3] = (uint8_t)(f->index >> 16);
    cmac[4] = (uint8_t)(f->index >> 8);
    cmac[5] = (uint8_t)f->index;
    smac[5] = f->v6 ? f->sip[15] : f->sip[3];
    if (l->linktype == 101) return 0;
    if (l->linktype == 113) { /* Linux cooked: pkttype, hatype, halen, addr[8], proto */
        put16(p, c2s ? 4 : 0);
        put16(p + 2, 1);
        put16(p + 4, 6);
        memcpy(p + 6, c2s ? cmac : smac, 6);
        p[12] = p[13] = 0;
        put16(p + 14, etype);
        return 16;
    }
    memcpy(p, c2s ? smac : cmac, 6);
    memcpy(p + 6, c2s ? cmac : smac, 6);
    if (f->vlan) {
        put16(p + 12, 0x8100);
        put16(p + 14, f->vlan);
        put16(p + 16, etype);
        return 18;
    }
    put16(p + 12, etype);
    return 14;
}

/* Writes the IP header at ip in front of the L4 segment that already sits at
 * ip + 20 (IPv4) or ip + 40 (IPv6), l4len bytes with its checksum field zero, and
 * fills in the L4 checksum over the pseudo-header (RFC 793 3.1, RFC 768, RFC 8200
 * 8.1). Returns the IP packet length. */
static size_t ip_wrap(uint8_t *ip, bool v6, const uint8_t *src, const uint8_t *dst, uint8_t proto,
                      size_t l4len, uint8_t ttl, uint16_t id, uint32_t label)
{
    size_t alen = v6 ? 16 : 4, iph = v6 ? 40 : 20;
    uint8_t *l4 = ip + iph, pseudo[8];
    uint32_t sum = csum_add(0, src, alen);
    sum = csum_add(sum, dst, alen);
    put32(pseudo, (uint32_t)l4len);
    put32(pseudo + 4, proto);
    sum = csum_add(sum, pseudo, 8);
    uint16_t c = csum_fold(csum_add(sum, l4, l4len));
    if (proto == 17 && c == 0) c = 0xffff;
    put16(l4 + (proto == 6 ? 16 : 6), c);
    if (v6) {
        put32(ip, 0x60000000u | (label & 0xfffff));
        put16(ip + 4, (uint16_t)l4len);
        ip[6] = proto;
        ip[7] = ttl;
        memcpy(ip + 8, src, 16);
        memcpy(ip + 24, dst, 16);
    } else {
        ip[0] = 0x45;
        ip[1] = 0;
        put16(ip + 2, (uint16_t)(20 + l4len));
        put16(ip + 4, id);
        put16(ip + 6, 0x4000);
        ip[8] = ttl;
        ip[9] = proto;
        put16(ip + 10, 0);
        memcpy(ip + 12, src, 4);
        memcpy(ip + 16, dst, 4);
        put16(ip + 10, csum_fold(csum_add(0, ip, 20)));
    }
    return iph + l4len;
}

static void udp_header(uint8_t *l4, uint16_t sport, uint16_t dport, size_t len)
{
    put16(l4, sport);
    put16(l4 + 2, dport);
    put16(l4 + 4, (uint16_t)len);
    put16(l4 + 6, 0);
}

/* Builds one frame of flow f into out (MAX_FRAME bytes) without changing f.
 * A tunneled flow's IP packet is wrapped in outer IPv4 / UDP 2152 / GTP-U
 * (TS 29.281 5.1: flags, type 255 G-PDU, length of what follows the first 8
 * octets, TEID; with E=1 the sequence/N-PDU/next-type octets and a PDU Session
 * Container, TS 38.415 5.5.2: PDU type UL=1/DL=0, QFI). Returns the frame length. */
static size_t build_frame(const gen_t *g, const flow_t *f, bool c2s, uint8_t tcp_flags,
                          const uint8_t *pl, size_t plen, uint8_t *out)
{
    size_t lh = link_header(g, f, c2s, out);
    size_t gtph = f->tunneled ? (f->qfi ? 16 : 8) : 0;
    size_t outer = f->tunneled ? 20 + 8 + gtph : 0;
    uint8_t *ip = out + lh + outer;
    uint8_t proto = f->kind == FK_TCP ? 6 : 17;
    size_t l4h = proto == 6 ? ((tcp_flags & TH_SYN) ? 24 : 20) : 8;
    uint8_t *l4 = ip + (f->v6 ? 40 : 20);
    size_t l4len = l4h + plen;
    uint16_t sp = c2s ? f->cport : f->sport, dp = c2s ? f->sport : f->cport;

    if (plen) memcpy(l4 + l4h, pl, plen);
    if (proto == 6) {
        uint32_t seq = c2s ? f->cseq : f->sseq, ack = c2s ? f->sseq : f->cseq;
        put16(l4, sp);
        put16(l4 + 2, dp);
        put32(l4 + 4, seq);
        put32(l4 + 8, (tcp_flags & TH_ACK) ? ack : 0);
        l4[12] = (uint8_t)((l4h / 4) << 4);
        l4[13] = tcp_flags;
        put16(l4 + 14, 64240);
        put16(l4 + 16, 0);
        put16(l4 + 18, 0);
        if (tcp_flags & TH_SYN) { /* MSS option */
            l4[20] = 2;
            l4[21] = 4;
            put16(l4 + 22, 1460);
        }
    } else {
        udp_header(l4, sp, dp, l4len);
    }
    size_t n = ip_wrap(ip, f->v6, c2s ? f->cip : f->sip, c2s ? f->sip : f->cip, proto, l4len,
                       c2s ? 64 : 57, f->ip_id, f->index);
    if (f->tunneled) {
        const flow_t *o = &g->flows[f->outer];
        uint8_t *oip = out + lh, *gtp = oip + 28;
        gtp[0] = f->qfi ? 0x34 : 0x30; /* version 1, PT=1, E */
        gtp[1] = 0xff;
        put16(gtp + 2, (uint16_t)(gtph - 8 + n));
        put32(gtp + 4, c2s ? f->teid_ul : f->teid_dl);
        if (f->qfi) {
            put16(gtp + 8, 0);
            gtp[10] = 0;
            gtp[11] = 0x85; /* next extension: PDU Session Container */
            gtp[12] = 1;    /* length in 4-octet units */
            gtp[13] = c2s ? 0x10 : 0x00;
            gtp[14] = f->qfi & 0x3f;
            gtp[15] = 0; /* no further extension */
        }
        udp_header(oip + 20, GTPU_PORT, GTPU_PORT, 8 + gtph + n);
        n = ip_wrap(oip, false, c2s ? o->cip : o->sip, c2s ? o->sip : o->cip, 17, 8 + gtph + n,
                    c2s ? 64 : 60, o->ip_id, 0);
    }
    n += lh;
    /* Received Ethernet frames carry padding up to the 60-byte minimum. */
    if (g->o.link[f->iface]->linktype == 1 && !c2s && n < 60) {
        memset(out + n, 0, 60 - n);
        n = 60;
    }
    return n;
}

typedef struct pkt {
    bool c2s;
    uint8_t flags;
    const uint8_t *pl;
    size_t plen;
    const char *proto, *code; /* FK_MSG: the message written */
    uint8_t msg[TPA_GEN_MSG_MAX];
} pkt_t;

static const uint8_t *payload(gen_t *g, size_t len)
{
    return g->pattern + rnd(g) % (PATTERN_LEN - len);
}

/* Decides the next packet of flow f (direction, TCP flags, payload). */
static void next_packet(gen_t *g, const flow_t *f, pkt_t *k)
{
    uint32_t j = f->emitted, n = f->planned;
    bool big = g->o.size_mb > 0;
    memset(k, 0, offsetof(pkt_t, msg));
    if (f->kind == FK_MSG) {
        k->c2s = j % 2 == 0;
        k->plen = tpa_gen_msg(f->msg, !k->c2s, f->index, f->msg_seq, k->msg, &k->proto, &k->code);
        k->pl = k->msg;
        return;
    }
    if (f->kind == FK_UDP) {
        k->c2s = j % 2 == 0;
        k->plen = big ? rnd_range(g, 1000, 1400) : rnd_range(g, 16, 1200);
        k->pl = payload(g, k->plen);
        return;
    }
    if (j == 0) {
        k->c2s = true;
        k->flags = TH_SYN;
    } else if (j == 1) {
        k->flags = TH_SYN | TH_ACK;
    } else if (j == 2 || j == n - 1) {
        k->c2s = true;
        k->flags = TH_ACK;
    } else if (j == n - 3) {
        k->c2s = true;
        k->flags = TH_FIN | TH_ACK;
    } else if (j == n - 2) {
        k->flags = TH_FIN | TH_ACK;
    } else {
        uint32_t d = j - 3; /* data phase: request, then response segments and ACKs */
        k->flags = TH_ACK;
        if (d == 0) {
            k->c2s = true;
            k->flags |= TH_PSH;
            k->plen = rnd_range(g, 40, 600);
        } else if (d % 3 == 0) {
            k->c2s = true;
        } else {
            k->plen = big ? 1448 : rnd_range(g, 100, 1448);
            if (j == n - 4) k->flags |= TH_PSH;
        }
        if (k->plen) k->pl = payload(g, k->plen);
    }
}

static void count_message(gen_t *g, const char *proto, const char *code)
{
    for (int i = 0; i < g->nmsgs; i++)
        if (g->msgs[i].proto == proto && strcmp(g->msgs[i].code, code) == 0) {
            g->msgs[i].count++;
            return;
        }
    if (g->nmsgs < MAX_MSG_TYPES) g->msgs[g->nmsgs++] = (msg_count_t){proto, code, 1};
}

/* Writes the next packet of flow f and counts it. */
static int emit(gen_t *g, flow_t *f)
{
    static uint8_t frame[MAX_FRAME];
    pkt_t k;
    next_packet(g, f, &k);
    size_t len = build_frame(g, f, k.c2s, k.flags, k.pl, k.plen, frame);
    uint32_t caplen = (uint32_t)(len < g->o.snaplen ? len : g->o.snaplen);
    g->ts_ns += (uint64_t)rnd_range(g, 1, 2000) * 1000u + (g->o.nano ? rnd_range(g, 0, 999) : 0);
    if (writer_packet(&g->w, f->iface, g->ts_ns, frame, caplen, (uint32_t)len) < 0) return -1;
    if (g->packets == 0) g->first_ns = g->ts_ns;
    g->last_ns = g->ts_ns;
    g->packets++;
    g->bytes += len;
    dir_count_t *d = k.c2s ? &f->c2s : &f->s2c;
    d->packets++;
    d->bytes += len;
    if (f->kind == FK_MSG) {
        count_message(g, k.proto, k.code);
        if (!k.c2s) f->msg_seq++;
    }
    if (f->tunneled) {
        flow_t *o = &g->flows[f->outer];
        dir_count_t *od = k.c2s ? &o->c2s : &o->s2c;
        od->packets++;
        od->bytes += len;
        o->ip_id++;
    }
    if (f->kind == FK_TCP) {
        uint32_t adv = (uint32_t)k.plen + ((k.flags & (TH_SYN | TH_FIN)) ? 1u : 0u);
        if (k.c2s)
            f->cseq += adv;
        else
            f->sseq += adv;
    }
    f->ip_id++;
    f->emitted++;
    return 0;
}

/* Writes half of one more packet of flow f (not counted): the file ends mid-record. */
static int emit_cut(gen_t *g, const flow_t *f)
{
    static uint8_t frame[MAX_FRAME];
    size_t len = build_frame(g, f, true, f->kind == FK_TCP ? TH_ACK : 0, g->pattern, 200, frame);
    uint32_t caplen = (uint32_t)(len < g->o.snaplen ? len : g->o.snaplen);
    return writer_cut_packet(&g->w, f->iface, g->ts_ns + 1000, frame, caplen, (uint32_t)len);
}

/* Interleaves flows: up to `active` flows run at once, each packet from a random one. */
static int generate(gen_t *g)
{
    size_t slot[MAX_ACTIVE];
    int nactive = 0, max_active = g->o.size_mb > 0 ? MAX_ACTIVE : 8;
    uint64_t limit = (uint64_t)g->o.size_mb << 20;
    size_t last = 0;
    uint32_t started = 0;
    for (int i = 0; i < 4; i++)
        g->outer_by_gnb[i] = -1;
    if (g->o.size_mb <= 0 && g->o.flows < max_active) max_active = (int)g->o.flows;
    for (;;) {
        while (nactive < max_active && (g->o.size_mb > 0 || started < (uint64_t)g->o.flows)) {
            flow_t *f = flow_start(g, started++);
            if (!f) return -1;
            slot[nactive++] = (size_t)(f - g->flows);
        }
        if (nactive == 0) break;
        int s = (int)(rnd(g) % (uint64_t)nactive);
        flow_t *f = &g->flows[slot[s]];
        if (emit(g, f) < 0) return -1;
        last = slot[s];
        if (f->emitted == f->planned) slot[s] = slot[--nactive];
        if (g->o.size_mb > 0 && g->w.written >= limit) break;
    }
    if (g->o.truncate && g->nflows > 0 && emit_cut(g, &g->flows[last]) < 0) return -1;
    return 0;
}

/* ---- summary ---- */

static void print_ts(uint64_t ns, bool nano)
{
    if (nano)
        printf("%llu.%09llu", (unsigned long long)(ns / 1000000000ull),
               (unsigned long long)(ns % 1000000000ull));
    else
        printf("%llu.%06llu", (unsigned long long)(ns / 1000000000ull),
               (unsigned long long)(ns % 1000000000ull / 1000));
}

static void print_summary(const gen_t *g)
{
    const opts_t *o = &g->o;
    printf("{\"file\":\"");
    for (const char *c = o->out; *c; c++) /* JSON string escaping of the path */
        if (*c == '"' || *c == '\\')
            printf("\\%c", *c);
        else if ((unsigned char)*c < 0x20)
            printf("\\u%04x", (unsigned char)*c);
        else
            putchar(*c);
    printf("\",\"format\":\"%s\",\"compressed\":%s,\"nano\":%s,\"swapped\":%s,"
           "\"truncated\":%s,\"seed\":%llu,\"link_types\":[",
           o->format == FMT_PCAP ? "pcap" : "pcapng", o->gzip ? "true" : "false",
           o->nano ? "true" : "false", o->swap ? "true" : "false", o->truncate ? "true" : "false",
           (unsigned long long)o->seed);
    for (int i = 0; i < o->nifs; i++)
        printf("%s\"%s\"", i ? "," : "", pcap_datalink_val_to_name(o->link[i]->dlt));
    printf("],\"file_bytes\":%llu,\"packets\":%llu,\"bytes\":%llu,\"first_ts\":",
           (unsigned long long)g->w.written, (unsigned long long)g->packets,
           (unsigned long long)g->bytes);
    print_ts(g->first_ns, o->nano);
    printf(",\"last_ts\":");
    print_ts(g->last_ns, o->nano);
    printf(",\"mix\":\"%s\",\"flows\":[", o->mix == MIX_TELECOM ? "telecom" : "basic");
    size_t shown = 0;
    for (size_t i = 0; i < g->nflows; i++) {
        const flow_t *f = &g->flows[i];
        char cs[INET6_ADDRSTRLEN], ss[INET6_ADDRSTRLEN];
        if (f->c2s.packets + f->s2c.packets == 0) continue;
        inet_ntop(f->v6 ? AF_INET6 : AF_INET, f->cip, cs, sizeof cs);
        inet_ntop(f->v6 ? AF_INET6 : AF_INET, f->sip, ss, sizeof ss);
        printf("%s\n{\"proto\":\"%s\",\"src\":\"%s\",\"sport\":%u,\"dst\":\"%s\",\"dport\":%u,"
               "\"packets\":%llu,\"bytes\":%llu,\"a_to_b\":{\"packets\":%llu,\"bytes\":%llu},"
               "\"b_to_a\":{\"packets\":%llu,\"bytes\":%llu},\"app\":",
               shown++ ? "," : "", f->kind == FK_TCP ? "tcp" : "udp", cs, f->cport, ss, f->sport,
               (unsigned long long)(f->c2s.packets + f->s2c.packets),
               (unsigned long long)(f->c2s.bytes + f->s2c.bytes),
               (unsigned long long)f->c2s.packets, (unsigned long long)f->c2s.bytes,
               (unsigned long long)f->s2c.packets, (unsigned long long)f->s2c.bytes);
        if (f->kind == FK_MSG)
            printf("\"%s\"", tpa_gen_msg_proto(f->msg));
        else
            printf(f->kind == FK_OUTER ? "\"gtpu\"" : "null");
        printf(",\"vlan\":%u,\"interface\":%d", f->vlan, f->iface);
        if (f->tunneled) {
            char gs[INET_ADDRSTRLEN], us[INET_ADDRSTRLEN];
            const flow_t *t = &g->flows[f->outer];
            inet_ntop(AF_INET, t->cip, gs, sizeof gs);
            inet_ntop(AF_INET, t->sip, us, sizeof us);
            printf(",\"tunnel\":{\"outer\":{\"src\":\"%s\",\"dst\":\"%s\"},\"teid\":%u,"
                   "\"teid_reverse\":%u",
                   gs, us, (unsigned)f->teid_ul, (unsigned)(f->s2c.packets ? f->teid_dl : 0));
            if (f->qfi) printf(",\"qfi\":%u", f->qfi);
            printf("}");
        }
        printf("}");
    }
    printf("],\n\"messages\":[");
    for (int i = 0; i < g->nmsgs; i++)
        printf("%s{\"protocol\":\"%s\",\"code\":\"%s\",\"count\":%llu}", i ? "," : "",
               g->msgs[i].proto, g->msgs[i].code, (unsigned long long)g->msgs[i].count);
    printf("]}\n");
}

/* ---- command line ---- */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: tpa-pcapgen [options] -o FILE\n"
            "Writes a capture of generated traffic and prints on stdout a JSON summary of\n"
            "exactly what it wrote (packets, bytes, every flow with its packets and bytes).\n"
            "\n"
            "  -o, --output FILE     capture to write (required)\n"
            "  --format pcap|pcapng  file format (default pcap)\n"
            "  --nano                nanosecond timestamps\n"
            "  --swap                opposite byte order to this host's\n"
            "  --gzip                gzip-compress the file\n"
            "  --flows N             number of flows (default 10)\n"
            "  --packets N           total packets, spread over the flows (default: 6-40 per\n"
            "                        flow); a TCP flow has at least 6, a DNS flow an even count\n"
            "  --seed S              random seed (default 1); same seed, same file\n"
            "  --mix basic|telecom   traffic mix (default basic: TCP, UDP, DNS; IPv4 and IPv6).\n"
            "                        telecom: the basic flows inside GTP-U tunnels (3 gNBs to\n"
            "                        one UPF, some with a QFI), PFCP heartbeats, GTPv2-C echoes,\n"
            "                        SIP OPTIONS; every message counted in the summary\n"
            "  --vlan                802.1Q tags on Ethernet frames\n"
            "  --linktype en10mb|raw|sll   link type of interface 0 (default en10mb)\n"
            "  --interfaces 1|2      pcapng: number of interfaces (default 1); flows alternate\n"
            "  --linktype2 en10mb|raw|sll  link type of interface 1 (default sll)\n"
            "  --snaplen N           captured length limit (default 262144)\n"
            "  --truncate            end the file in the middle of one more record\n"
            "  --size-mb N           write about N MiB quickly (many long flows), then stop\n"
            "  -h, --help            this text\n");
}

static const linkdef_t *find_link(const char *name)
{
    for (size_t i = 0; i < sizeof links / sizeof links[0]; i++)
        if (strcmp(links[i].opt, name) == 0) return &links[i];
    return NULL;
}

static bool parse_long(const char *s, long min, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < min) return false;
    *out = v;
    return true;
}

static int parse_args(opts_t *o, int argc, char **argv)
{
    enum {
        O_FORMAT = 256,
        O_NANO,
        O_SWAP,
        O_GZIP,
        O_FLOWS,
        O_PACKETS,
        O_SEED,
        O_MIX,
        O_VLAN,
        O_TRUNC,
        O_SIZE,
        O_LINK,
        O_LINK2,
        O_IFS,
        O_SNAP
    };
    static const struct option lo[] = {{"format", required_argument, NULL, O_FORMAT},
                                       {"nano", no_argument, NULL, O_NANO},
                                       {"swap", no_argument, NULL, O_SWAP},
                                       {"gzip", no_argument, NULL, O_GZIP},
                                       {"flows", required_argument, NULL, O_FLOWS},
                                       {"packets", required_argument, NULL, O_PACKETS},
                                       {"seed", required_argument, NULL, O_SEED},
                                       {"mix", required_argument, NULL, O_MIX},
                                       {"vlan", no_argument, NULL, O_VLAN},
                                       {"truncate", no_argument, NULL, O_TRUNC},
                                       {"size-mb", required_argument, NULL, O_SIZE},
                                       {"linktype", required_argument, NULL, O_LINK},
                                       {"linktype2", required_argument, NULL, O_LINK2},
                                       {"interfaces", required_argument, NULL, O_IFS},
                                       {"snaplen", required_argument, NULL, O_SNAP},
                                       {"output", required_argument, NULL, 'o'},
                                       {"help", no_argument, NULL, 'h'},
                                       {NULL, 0, NULL, 0}};
    long v;
    int c, li = -1;
    memset(o, 0, sizeof *o);
    o->flows = 10;
    o->packets = -1;
    o->seed = 1;
    o->nifs = 1;
    o->link[0] = &links[0];
    o->link[1] = &links[2];
    o->snaplen = 262144;
    while ((c = getopt_long(argc, argv, "o:h", lo, &li)) != -1) {
        switch (c) {
        case O_FORMAT:
            if (strcmp(optarg, "pcap") == 0)
                o->format = FMT_PCAP;
            else if (strcmp(optarg, "pcapng") == 0)
                o->format = FMT_PCAPNG;
            else
                goto bad;
            break;
        case O_NANO:
            o->nano = true;
            break;
        case O_SWAP:
            o->swap = true;
            break;
        case O_GZIP:
            o->gzip = true;
            break;
        case O_VLAN:
            o->vlan = true;
            break;
        case O_TRUNC:
            o->truncate = true;
            break;
        case O_FLOWS:
            if (!parse_long(optarg, 1, &o->flows) || o->flows > 10000000) goto bad;
            break;
        case O_PACKETS:
            if (!parse_long(optarg, 0, &o->packets)) goto bad;
            break;
        case O_SEED:
            if (!parse_long(optarg, 0, &v)) goto bad;
            o->seed = (uint64_t)v;
            break;
        case O_SIZE:
            if (!parse_long(optarg, 1, &o->size_mb) || o->size_mb > 1000000) goto bad;
            break;
        case O_SNAP:
            if (!parse_long(optarg, 64, &v) || v > 262144) goto bad;
            o->snaplen = (unsigned)v;
            break;
        case O_IFS:
            if (!parse_long(optarg, 1, &v) || v > 2) goto bad;
            o->nifs = (int)v;
            break;
        case O_LINK:
        case O_LINK2:
            if (!(o->link[c == O_LINK ? 0 : 1] = find_link(optarg))) goto bad;
            break;
        case O_MIX:
            if (strcmp(optarg, "basic") == 0)
                o->mix = MIX_BASIC;
            else if (strcmp(optarg, "telecom") == 0)
                o->mix = MIX_TELECOM;
            else
                goto bad;
            break;
        case 'o':
            o->out = optarg;
            break;
        case 'h':
            usage(stdout);
            return 1;
        default:
            usage(stderr);
            return -1;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "tpa-pcapgen: unexpected argument '%s'\n", argv[optind]);
        return -1;
    }
    if (!o->out) {
        fprintf(stderr, "tpa-pcapgen: -o FILE is required (the summary goes to stdout)\n");
        return -1;
    }
    if (o->nifs > 1 && o->format != FMT_PCAPNG) {
        fprintf(stderr, "tpa-pcapgen: --interfaces 2 needs --format pcapng\n");
        return -1;
    }
    return 0;
bad:
    fprintf(stderr, "tpa-pcapgen: bad value '%s' for --%s (see --help)\n", optarg,
            li >= 0 ? lo[li].name : "output");
    return -1;
}

int main(int argc, char **argv)
{
    static gen_t g; /* large: pattern buffer */
    int rc = parse_args(&g.o, argc, argv);
    if (rc != 0) return rc > 0 ? 0 : 2;
    g.rng = g.o.seed;
    for (size_t i = 0; i < PATTERN_LEN; i += 8) {
        uint64_t r = rnd(&g);
        memcpy(g.pattern + i, &r, 8);
    }
    g.ts_ns = BASE_TS_NS;
    if (writer_open(&g.w, &g.o) < 0) {
        fprintf(stderr, "tpa-pcapgen: cannot write %s: %s\n", g.o.out,
                g.w.dead ? pcap_geterr(g.w.dead) : strerror(errno));
        writer_close(&g.w);
        return 1;
    }
    rc = generate(&g);
    if (writer_close(&g.w) < 0 || rc < 0) {
        fprintf(stderr, "tpa-pcapgen: writing %s failed: %s\n", g.o.out, strerror(errno));
        free(g.flows);
        return 1;
    }
    print_summary(&g);
    free(g.flows);
    return 0;
}
