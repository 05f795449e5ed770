/* test_3gpp_util.h - what test_pfcp.c, test_gtpv2.c and test_gtp.c share: a decoder
 * fed raw IPv4/UDP frames built around hand-written payloads, a record of every
 * message the 3GPP dissectors report (tpa_3gpp_set_tap, test_sig_rec.h), and check macros. */
#ifndef TEST_3GPP_UTIL_H
#define TEST_3GPP_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_3gpp.h"
#include "tpa_decode.h"
#include "tpa_result.h"
#include "test_sig_rec.h"

static int failures;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: FAIL %s\n", __FILE__, __LINE__, #cond);                        \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                                   \
            fprintf(stderr, "%s:%d: FAIL %s == \"%s\" (got \"%s\")\n", __FILE__, __LINE__, #a,     \
                    b_ ? b_ : "(null)", a_ ? a_ : "(null)");                                       \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static void tap(const tpa_sig_t *m, void *ud)
{
    (void)ud;
    rec_add(m);
}

#define CHECK_ID(r, kind, value)                                                                   \
    do {                                                                                           \
        if (!has_id((r), (kind), (value))) {                                                       \
            fprintf(stderr, "%s:%d: FAIL identity %s \"%s\" missing; have:", __FILE__, __LINE__,   \
                    #kind, (value));                                                               \
            for (unsigned i_ = 0; i_ < (r)->n_ids; i_++)                                           \
                fprintf(stderr, " %d:%s", (r)->id_kind[i_], (r)->id_value[i_]);                    \
            fprintf(stderr, "\n");                                                                 \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

static tpa_decoder_t *dec;
static uint64_t frame_no;
static int64_t ts_step_us = 1000; /* capture time between frames */
static FILE *pcap_out;            /* every frame also written here when the test is given a path */

/* Opens path as a pcap (DLT_RAW) that every later frame is appended to, so the
 * hand-built messages can be checked against tshark: test_pfcp out.pcap; tshark -r
 * out.pcap -V. */
static void dump_to(const char *path)
{
    const uint32_t magic = 0xa1b2c3d4, zero[2] = {0, 0}, snap = 65535, link = 101;
    const uint16_t ver[2] = {2, 4};
    pcap_out = fopen(path, "wb");
    if (!pcap_out) return;
    fwrite(&magic, 4, 1, pcap_out); /* host byte order: readers detect it */
    fwrite(ver, 2, 2, pcap_out);
    fwrite(zero, 4, 2, pcap_out);
    fwrite(&snap, 4, 1, pcap_out);
    fwrite(&link, 4, 1, pcap_out);
}

static void start(void)
{
    tpa_decoder_destroy(&dec);
    dec = tpa_decoder_new();
    if (!dec) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    frame_no = 0;
    ts_step_us = 1000;
    nrecs = 0;
    tpa_3gpp_set_tap(tap, NULL);
}

/* One raw IPv4 frame (DLT_RAW) src -> dst carrying L4 protocol proto: header hdr
 * (hl bytes, ports first) and payload pl. */
static void ip4(const char *src, const char *dst, uint8_t proto, const uint8_t *hdr, size_t hl,
                const uint8_t *pl, size_t n)
{
    static uint8_t f[70000];
    unsigned a[4], b[4];
    if (sscanf(src, "%u.%u.%u.%u", &a[0], &a[1], &a[2], &a[3]) != 4 ||
        sscanf(dst, "%u.%u.%u.%u", &b[0], &b[1], &b[2], &b[3]) != 4 || n > 65000)
        abort();
    size_t tot = 20 + hl + n;
    memset(f, 0, 20);
    f[0] = 0x45;
    f[2] = (uint8_t)(tot >> 8);
    f[3] = (uint8_t)tot;
    f[8] = 64;
    f[9] = proto;
    for (int i = 0; i < 4; i++) {
        f[12 + i] = (uint8_t)a[i];
        f[16 + i] = (uint8_t)b[i];
    }
    memcpy(f + 20, hdr, hl);
    if (n) memcpy(f + 20 + hl, pl, n);
    frame_no++;
    if (pcap_out) {
        uint32_t rec[4] = {1700000000u + (uint32_t)frame_no, 0, (uint32_t)tot, (uint32_t)tot};
        fwrite(rec, sizeof rec, 1, pcap_out);
        fwrite(f, 1, tot, pcap_out);
    }
    tpa_decode_packet(dec, 12, frame_no, 1700000000000000LL + (int64_t)frame_no * ts_step_us, f,
                      (uint32_t)tot, (uint32_t)tot);
}

/* One UDP datagram sport -> dport. */
static void udp4(const char *src, const char *dst, unsigned sport, unsigned dport,
                 const uint8_t *pl, size_t n)
{
    uint8_t h[8] = {(uint8_t)(sport >> 8), (uint8_t)sport,          (uint8_t)(dport >> 8),
                    (uint8_t)dport,        (uint8_t)((8 + n) >> 8), (uint8_t)(8 + n)};
    ip4(src, dst, 17, h, sizeof h, pl, n);
}

/* One TCP segment sport -> dport with sequence seq, acknowledgment ack and flags. */
static inline void tcp4(const char *src, const char *dst, unsigned sport, unsigned dport,
                        uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pl, size_t n)
{
    uint8_t h[20] = {(uint8_t)(sport >> 8), (uint8_t)sport, (uint8_t)(dport >> 8), (uint8_t)dport};
    for (int i = 0; i < 4; i++) {
        h[4 + i] = (uint8_t)(seq >> (24 - 8 * i));
        h[8 + i] = (uint8_t)(ack >> (24 - 8 * i));
    }
    h[12] = 5 << 4;
    h[13] = flags;
    h[14] = 0xff;
    h[15] = 0xff;
    ip4(src, dst, 6, h, sizeof h, pl, n);
}

static uint64_t count(const char *proto, const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(dec), proto, code);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(dec)->reasons[r];
}

static uint64_t malformed_frames(void)
{
    return tpa_decode_stats(dec)->malformed;
}

static int finish(const char *name)
{
    tpa_3gpp_set_tap(NULL, NULL);
    tpa_decoder_destroy(&dec);
    if (pcap_out) fclose(pcap_out);
    if (failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, failures);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    return 0;
}

#endif
