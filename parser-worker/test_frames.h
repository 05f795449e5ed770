/* test_frames.h - hand-built Ethernet/IPv4 frames for the transport tests
 * (test_tcp.c, test_sctp.c, test_dns.c), fed to a decoder with a tap that records
 * what reaches the application dissectors. Header only, test code. */
#ifndef TEST_FRAMES_H
#define TEST_FRAMES_H

#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_decode.h"
#include "tpa_dissect.h"

typedef struct tf_buf {
    uint8_t b[70000];
    size_t n;
} tf_buf_t;

static inline void tf_u8(tf_buf_t *b, unsigned v)
{
    b->b[b->n++] = (uint8_t)v;
}
static inline void tf_u16(tf_buf_t *b, unsigned v)
{
    tf_u8(b, v >> 8);
    tf_u8(b, v);
}
static inline void tf_u32(tf_buf_t *b, uint32_t v)
{
    tf_u16(b, v >> 16);
    tf_u16(b, v & 0xffff);
}
static inline void tf_bytes(tf_buf_t *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}
static inline void tf_zeros(tf_buf_t *b, size_t n)
{
    memset(b->b + b->n, 0, n);
    b->n += n;
}

/* An address as text, written as 4 (fam 4) or 16 (fam 6) bytes. */
static inline void tf_addr(tf_buf_t *b, int fam, const char *s)
{
    uint8_t a[16];
    inet_pton(fam == 6 ? AF_INET6 : AF_INET, s, a);
    tf_bytes(b, a, fam == 6 ? 16 : 4);
}

/* IPv6 header (no extension) for a payload of plen bytes after it; nh the next header. */
static inline void tf_ip6(tf_buf_t *b, const char *s, const char *d, unsigned nh, size_t plen)
{
    tf_u32(b, 0x60000000);
    tf_u16(b, (unsigned)plen);
    tf_u8(b, nh);
    tf_u8(b, 64);
    tf_addr(b, 6, s);
    tf_addr(b, 6, d);
}

/* UDP header for a payload of plen bytes; checksum 0. */
static inline void tf_udp_hdr(tf_buf_t *b, unsigned sp, unsigned dp, size_t plen)
{
    tf_u16(b, sp);
    tf_u16(b, dp);
    tf_u16(b, (unsigned)(8 + plen));
    tf_u16(b, 0);
}

/* Ethernet II + IPv4 header for an L4 payload of l4len bytes; addresses as text. */
static inline void tf_eth_ip4(tf_buf_t *b, const char *s, const char *d, unsigned proto,
                              size_t l4len)
{
    tf_zeros(b, 12);
    tf_u16(b, 0x0800);
    tf_u8(b, 0x45);
    tf_u8(b, 0);
    tf_u16(b, (unsigned)(20 + l4len));
    tf_u16(b, 1);
    tf_u16(b, 0);
    tf_u8(b, 64);
    tf_u8(b, proto);
    tf_u16(b, 0);
    tf_addr(b, 4, s);
    tf_addr(b, 4, d);
}

/* A whole TCP segment frame. */
static inline void tf_tcp(tf_buf_t *b, const char *s, unsigned sp, const char *d, unsigned dp,
                          uint32_t seq, uint32_t ack, unsigned flags, unsigned win,
                          const void *payload, size_t plen)
{
    b->n = 0;
    tf_eth_ip4(b, s, d, 6, 20 + plen);
    tf_u16(b, sp);
    tf_u16(b, dp);
    tf_u32(b, seq);
    tf_u32(b, ack);
    tf_u16(b, 5u << 12 | flags);
    tf_u16(b, win);
    tf_u16(b, 0);
    tf_u16(b, 0);
    if (plen) tf_bytes(b, payload, plen);
}

/* A whole UDP datagram frame. */
static inline void tf_udp(tf_buf_t *b, const char *s, unsigned sp, const char *d, unsigned dp,
                          const void *payload, size_t plen)
{
    b->n = 0;
    tf_eth_ip4(b, s, d, 17, 8 + plen);
    tf_u16(b, sp);
    tf_u16(b, dp);
    tf_u16(b, (unsigned)(8 + plen));
    tf_u16(b, 0);
    if (plen) tf_bytes(b, payload, plen);
}

/* ---- decoder with a tap ---- */

#define TF_MAX_EVENTS 256

typedef struct tf_event {
    uint64_t frame;
    int dir;
    uint64_t gap;
    bool end;
    uint32_t ppid;
    uint16_t stream;
    const char *row; /* name of the row the bytes went to, or NULL */
    size_t off, len; /* in tf_tap_t.bytes */
} tf_event_t;

typedef struct tf_tap {
    tf_event_t ev[TF_MAX_EVENTS];
    int nev;
    uint8_t bytes[1 << 20];
    size_t nbytes;
} tf_tap_t;

static tf_tap_t tf_tap_rec;

static inline void tf_tap_fn(void *ud, const tpa_dissect_ctx_t *c, const tpa_rd_t *bytes,
                             uint64_t gap)
{
    tf_tap_t *t = ud;
    if (t->nev == TF_MAX_EVENTS) return;
    tpa_rd_t r = *bytes;
    size_t n = tpa_rd_remaining(&r);
    if (t->nbytes + n > sizeof t->bytes) n = 0;
    tf_event_t *e = &t->ev[t->nev++];
    memset(e, 0, sizeof *e);
    e->frame = c->frame;
    e->dir = c->dir;
    e->gap = gap;
    e->end = c->stream_end;
    e->ppid = c->ppid;
    e->stream = c->stream;
    e->row = c->row ? c->row->name : NULL;
    e->off = t->nbytes;
    e->len = n;
    tpa_rd_bytes(&r, t->bytes + t->nbytes, n);
    t->nbytes += n;
}

static tpa_decoder_t *tf_dec;
static uint64_t tf_frame;
static int64_t tf_now = 1000000000000LL; /* capture time, us */

static inline void tf_fresh(void)
{
    tpa_decoder_destroy(&tf_dec);
    tf_dec = tpa_decoder_new();
    tf_frame = 0;
    memset(&tf_tap_rec, 0, sizeof tf_tap_rec);
    tpa_decode_set_tap(tf_dec, tf_tap_fn, &tf_tap_rec);
}

/* Decodes the frame at capture time tf_now + dt_us (wire length = bytes built). */
static inline void tf_feed(const tf_buf_t *b, int64_t dt_us)
{
    tpa_decode_packet(tf_dec, 1, ++tf_frame, tf_now + dt_us, b->b, (uint32_t)b->n, (uint32_t)b->n);
}

/* Same, with only caplen bytes captured of the frame. */
static inline void tf_feed_cut(const tf_buf_t *b, int64_t dt_us, size_t caplen)
{
    tpa_decode_packet(tf_dec, 1, ++tf_frame, tf_now + dt_us, b->b, (uint32_t)caplen,
                      (uint32_t)b->n);
}

/* Concatenation of the bytes of every tap event in direction dir (gaps not filled). */
static inline size_t tf_tap_dir_bytes(int dir, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (int i = 0; i < tf_tap_rec.nev; i++) {
        const tf_event_t *e = &tf_tap_rec.ev[i];
        if (e->dir != dir || n + e->len > cap) continue;
        memcpy(out + n, tf_tap_rec.bytes + e->off, e->len);
        n += e->len;
    }
    return n;
}

/* The only flow of the finished decoder with IP protocol proto (NULL when none or
 * several). */
static inline const tpa_flow_t *tf_one_flow(uint8_t proto)
{
    size_t n;
    tpa_flow_t *const *all = tpa_flow_table_finish(tpa_decode_flows(tf_dec), &n);
    const tpa_flow_t *f = NULL;
    for (size_t i = 0; i < n; i++) {
        if (all[i]->key.proto != proto) continue;
        if (f) return NULL;
        f = all[i];
    }
    return f;
}

#endif
