/* test_nas_rig.h - what test_nas5gs.c and test_naseps.c share: a decoder context to
 * hand NAS-PDUs to the NAS dissectors as NGAP / S1AP would, a record of every message
 * they report (tpa_nas_set_observer, test_sig_rec.h), hex input and lookup helpers. */
#ifndef TEST_NAS_RIG_H
#define TEST_NAS_RIG_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_decode_int.h"
#include "tpa_malformed.h"
#include "tpa_nas.h"
#include "tpa_nas_int.h"
#include "tpa_result.h"
#include "tpa_test.h"
#include "test_sig_rec.h"

#define CHECK_STR(a, b)                                                                            \
    do {                                                                                           \
        const char *a_ = (a), *b_ = (b);                                                           \
        CHECKF(a_ && b_ && strcmp(a_, b_) == 0, "%s: want \"%s\", got \"%s\"", #a,                \
               b_ ? b_ : "(null)", a_ ? a_ : "(null)");                                            \
    } while (0)

static void observe(void *arg, const tpa_sig_t *m)
{
    (void)arg;
    rec_add(m);
}

/* The decoder and frame the dissectors mark and count into. */
static tpa_decoder_t *dec;
static tpa_pkt_t pkt;
static tpa_dissect_ctx_t ctx;

static void rig_fresh(void)
{
    tpa_decoder_destroy(&dec);
    dec = tpa_decoder_new();
    if (!dec) {
        fprintf(stderr, "out of memory\n");
        exit(2);
    }
    memset(&pkt, 0, sizeof pkt);
    pkt.frame = 1;
    memset(&ctx, 0, sizeof ctx);
    ctx.dec = dec;
    ctx.pkt = &pkt;
    ctx.sink = tpa_decode_sink(dec);
    ctx.frame = 1;
    nrecs = 0;
    tpa_nas_set_observer(observe, NULL);
}

static void rig_done(void)
{
    tpa_decoder_destroy(&dec);
    tpa_nas_set_observer(NULL, NULL);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(dec)->reasons[r];
}

static uint64_t count(const char *proto, const char *code)
{
    return tpa_result_message_count(ctx.sink, proto, code);
}

/* Bytes of a hex string (spaces ignored) into buf; returns the length. */
static size_t unhex(const char *s, uint8_t *buf, size_t cap)
{
    size_t n = 0;
    int hi = -1;
    for (; *s; s++) {
        int v;
        if (*s >= '0' && *s <= '9')
            v = *s - '0';
        else if (*s >= 'a' && *s <= 'f')
            v = *s - 'a' + 10;
        else if (*s >= 'A' && *s <= 'F')
            v = *s - 'A' + 10;
        else
            continue;
        if (hi < 0) {
            hi = v;
        } else {
            if (n < cap) buf[n++] = (uint8_t)(hi << 4 | v);
            hi = -1;
        }
    }
    return n;
}

/* A UE context as the carrier hands it: ids (negative: absent) and the association's
 * NAS memory slot. */
static tpa_nas_assoc_t *assoc;

static tpa_nas_ue_t ue_ctx(long long ran, long long cn)
{
    tpa_nas_ue_t ue = {.has_ran_ue_id = ran >= 0,
                       .has_cn_ue_id = cn >= 0,
                       .ran_ue_id = ran >= 0 ? (uint64_t)ran : 0,
                       .cn_ue_id = cn >= 0 ? (uint64_t)cn : 0,
                       .assoc = &assoc};
    return ue;
}

/* Hands the PDU in hex to dissect and returns how many messages it reported. */
typedef void (*dissect_fn)(tpa_dissect_ctx_t *, tpa_rd_t *, const tpa_nas_ue_t *);
static int feed(dissect_fn fn, const char *hexs, const tpa_nas_ue_t *ue)
{
    uint8_t buf[2048];
    size_t n = unhex(hexs, buf, sizeof buf);
    tpa_rd_t r = tpa_rd_init(buf, n);
    int before = nrecs;
    fn(&ctx, &r, ue);
    CHECK(tpa_rd_remaining(&r) == 0);
    return nrecs - before;
}

#endif
