/* test_pdu.c - length-framed PDUs over a TCP byte stream (tpa_pdu.h), with a toy
 * protocol: byte 0 = 'P', byte 1 = total PDU length (>= 2). */
#include <string.h>

#include "tpa_pdu.h"
#include "tpa_test.h"

static int npdu, nbad;
static char pdus[64][256];
static const uint8_t *where[64];

static long toy_len(const tpa_rd_t *head)
{
    tpa_rd_t r = *head;
    if (tpa_rd_u8(&r) != 'P') return -1;
    if (!tpa_rd_has(&r, 1)) return 0;
    long l = tpa_rd_u8(&r);
    return l >= 2 ? l : -1;
}

static void toy_pdu(tpa_dissect_ctx_t *c, tpa_rd_t *p)
{
    (void)c;
    size_t n = tpa_rd_remaining(p);
    if (npdu < 64) {
        where[npdu] = p->cur;
        tpa_rd_bytes(p, pdus[npdu], n);
        pdus[npdu][n] = 0;
    }
    npdu++;
}

static bool toy_sync(const tpa_rd_t *at)
{
    tpa_rd_t r = *at;
    return tpa_rd_u8(&r) == 'P' && !r.err;
}

static void toy_bad(tpa_dissect_ctx_t *c)
{
    (void)c;
    nbad++;
}

static const tpa_pdu_spec_t spec = {
    .hdr = 1, .max = 40, .len = toy_len, .pdu = toy_pdu, .bad = toy_bad};
static const tpa_pdu_spec_t spec_sync = {
    .hdr = 1, .max = 40, .len = toy_len, .pdu = toy_pdu, .sync = toy_sync, .bad = toy_bad};

static tpa_dissect_ctx_t ctx;

static void feed(tpa_pdu_framer_t *fr, const tpa_pdu_spec_t *sp, const char *s, uint64_t gap)
{
    tpa_rd_t r = tpa_rd_init(s, strlen(s));
    tpa_pdu_feed(fr, sp, &ctx, &r, gap);
    CHECK(tpa_rd_remaining(&r) == 0); /* every byte is consumed */
}

static void reset(void)
{
    npdu = nbad = 0;
    memset(pdus, 0, sizeof pdus);
}

int main(void)
{
    tpa_pdu_framer_t fr = {0};
    /* whole PDUs in one call are handed on in place, no copy */
    reset();
    static const char two[] = "P\x04"
                              "abP\x03x";
    tpa_rd_t r = tpa_rd_init(two, 7);
    tpa_pdu_feed(&fr, &spec, &ctx, &r, 0);
    CHECK(npdu == 2 &&
          strcmp(pdus[0], "P\x04"
                          "ab") == 0 &&
          where[0] == (const uint8_t *)two);
    CHECK(where[1] == (const uint8_t *)two + 4 && fr.len == 0);

    /* split inside the header and inside the body */
    reset();
    feed(&fr, &spec, "P", 0);
    feed(&fr, &spec,
         "\x06"
         "ab",
         0);
    CHECK(npdu == 0 && fr.need == 6);
    feed(&fr, &spec, "cdP\x02P", 0);
    CHECK(npdu == 2 &&
          strcmp(pdus[0], "P\x06"
                          "abcd") == 0 &&
          strcmp(pdus[1], "P\x02") == 0);
    feed(&fr, &spec, "\x03z", 0);
    CHECK(npdu == 3 && strcmp(pdus[2], "P\x03z") == 0);

    /* a gap inside a PDU of known length: that PDU is dropped, framing kept */
    reset();
    feed(&fr, &spec,
         "P\x0a"
         "ab",
         0);                          /* 10 bytes, 4 seen */
    feed(&fr, &spec, "ghijP\x02", 2); /* 2 missing, then its last 4, then a PDU */
    CHECK(npdu == 1 && strcmp(pdus[0], "P\x02") == 0 && fr.dropped == 1 && !fr.lost);

    /* a gap at a PDU boundary: framing lost; without sync the rest is ignored */
    reset();
    feed(&fr, &spec, "P\x02", 5);
    CHECK(npdu == 0 && fr.lost);
    feed(&fr, &spec, "P\x02", 0);
    CHECK(npdu == 0);
    /* the end call resets the framer for a new stream */
    ctx.stream_end = true;
    tpa_rd_t none = tpa_rd_init(NULL, 0);
    tpa_pdu_feed(&fr, &spec, &ctx, &none, 0);
    ctx.stream_end = false;
    feed(&fr, &spec, "P\x02", 0);
    CHECK(npdu == 1 && !fr.lost);

    /* with sync: framing found again at the next 'P' */
    reset();
    feed(&fr, &spec_sync, "xyzP\x03q", 7);
    CHECK(npdu == 1 && strcmp(pdus[0], "P\x03q") == 0 && fr.resyncs == 1);

    /* an invalid header: bad() called, framing lost */
    reset();
    feed(&fr, &spec_sync, "Q\x02P\x02", 0);
    CHECK(nbad == 1 && npdu == 1 && fr.resyncs == 2);

    /* a PDU longer than max is skipped as its bytes come */
    reset();
    uint64_t skipped = fr.skipped;
    char big[64];
    big[0] = 'P';
    big[1] = 50;
    memset(big + 2, 'x', 30);
    big[32] = 0;
    feed(&fr, &spec, big, 0);
    feed(&fr, &spec, "xxxxxxxxxxxxxxxxxxP\x02", 0); /* the last 18 of 50, then a PDU */
    CHECK(npdu == 1 && fr.skipped == skipped + 1 && strcmp(pdus[0], "P\x02") == 0);

    /* a header split before its length byte: buffered until the length is known */
    static const tpa_pdu_spec_t spec_text = {.hdr = 1, .max = 8, .len = toy_len, .pdu = toy_pdu};
    tpa_pdu_framer_t tx = {0};
    reset();
    feed(&tx, &spec_text, "P", 0);
    CHECK(tx.len == 1 && tx.need == 0);
    tpa_pdu_framer_free(&tx);
    CHECK(tx.buf == NULL && tx.len == 0);

    tpa_pdu_framer_free(&fr);
    return TEST_DONE();
}
