/* tpa_pdu.c - length-framed PDUs over a TCP byte stream (see tpa_pdu.h). */
#include "tpa_pdu.h"

#include <stdlib.h>
#include <string.h>

void tpa_pdu_framer_free(tpa_pdu_framer_t *fr)
{
    free(fr->buf);
    memset(fr, 0, sizeof *fr);
}

static bool reserve(tpa_pdu_framer_t *fr, size_t n)
{
    if (n <= fr->cap) return true;
    size_t cap = fr->cap ? fr->cap : 256;
    while (cap < n)
        cap *= 2;
    uint8_t *b = realloc(fr->buf, cap);
    if (!b) return false;
    fr->buf = b;
    fr->cap = cap;
    return true;
}

static void drop_partial(tpa_pdu_framer_t *fr)
{
    if (fr->len) fr->dropped++;
    fr->len = fr->need = 0;
}

/* Looks for an offset of v where spec->sync accepts; consumes the bytes before it (all
 * of v when there is none). */
static void resync(tpa_pdu_framer_t *fr, const tpa_pdu_spec_t *spec, tpa_rd_t *v)
{
    size_t rem = tpa_rd_remaining(v);
    if (spec->sync) {
        for (size_t i = 0; i < rem; i++) {
            tpa_rd_t at = *v;
            tpa_rd_skip(&at, i);
            if (spec->sync(&at)) {
                tpa_rd_skip(v, i);
                fr->lost = false;
                fr->resyncs++;
                return;
            }
        }
    }
    tpa_rd_skip(v, rem);
}

/* Hands on every whole PDU at the front of v. Stops with the rest of v unconsumed when
 * it is a partial PDU: *need is then its length when known, else 0. */
static void run(tpa_pdu_framer_t *fr, const tpa_pdu_spec_t *spec, tpa_dissect_ctx_t *c, tpa_rd_t *v,
                size_t *need)
{
    *need = 0;
    for (;;) {
        size_t rem = tpa_rd_remaining(v);
        if (rem == 0) return;
        if (fr->skip) {
            size_t k = fr->skip < rem ? (size_t)fr->skip : rem;
            tpa_rd_skip(v, k);
            fr->skip -= k;
            continue;
        }
        if (fr->lost) {
            resync(fr, spec, v);
            continue;
        }
        if (rem < spec->hdr) return;
        long l = spec->len(v);
        if (l < 0) {
            fr->bad++;
            fr->lost = true;
            tpa_rd_skip(v, 1); /* no PDU starts here: look for one from the next byte */
            if (spec->bad) spec->bad(c);
            continue;
        }
        if (l == 0) return;
        if ((size_t)l > spec->max) {
            fr->skipped++;
            fr->skip = (uint64_t)l;
            continue;
        }
        if ((size_t)l > rem) {
            *need = (size_t)l;
            return;
        }
        tpa_rd_t pdu = tpa_rd_sub(v, (size_t)l);
        fr->pdus++;
        spec->pdu(c, &pdu);
    }
}

static void on_gap(tpa_pdu_framer_t *fr, uint64_t gap)
{
    if (fr->skip) {
        if (fr->skip >= gap) { /* inside a PDU being dropped anyway */
            fr->skip -= gap;
            return;
        }
        fr->skip = 0;
    } else if (fr->len && fr->need && fr->need - fr->len >= gap) {
        /* inside the PDU being gathered: drop it, keep the framing */
        fr->skip = fr->need - fr->len - gap;
        drop_partial(fr);
        return;
    }
    drop_partial(fr);
    fr->lost = true;
}

void tpa_pdu_feed(tpa_pdu_framer_t *fr, const tpa_pdu_spec_t *spec, tpa_dissect_ctx_t *c,
                  tpa_rd_t *bytes, uint64_t gap)
{
    if (c->stream_end) {
        drop_partial(fr);
        fr->skip = 0;
        fr->lost = false;
        return;
    }
    if (gap) on_gap(fr, gap);
    while (tpa_rd_remaining(bytes) > 0) {
        size_t need;
        if (fr->len == 0) { /* at a PDU boundary: in place */
            run(fr, spec, c, bytes, &need);
            size_t rem = tpa_rd_remaining(bytes);
            if (rem == 0) return;
            if (!need && rem >= spec->max) { /* no header within max bytes */
                fr->bad++;
                fr->lost = true;
                tpa_rd_skip(bytes, 1); /* resync past this start, or it is found again */
                if (spec->bad) spec->bad(c);
                continue;
            }
            if (!reserve(fr, need > rem ? need : rem)) {
                tpa_rd_skip(bytes, rem);
                fr->dropped++;
                fr->lost = true;
                return;
            }
            tpa_rd_bytes(bytes, fr->buf, rem);
            fr->len = rem;
            fr->need = need;
            return;
        }
        size_t rem = tpa_rd_remaining(bytes);
        if (fr->need) { /* complete the PDU being gathered */
            size_t k = fr->need - fr->len < rem ? fr->need - fr->len : rem;
            tpa_rd_bytes(bytes, fr->buf + fr->len, k);
            fr->len += k;
            if (fr->len == fr->need) {
                tpa_rd_t pdu = tpa_rd_init(fr->buf, fr->len);
                fr->len = fr->need = 0;
                fr->pdus++;
                spec->pdu(c, &pdu);
            }
            continue;
        }
        /* length not known yet: gather everything, then cut what is whole */
        if (!reserve(fr, fr->len + rem)) {
            tpa_rd_skip(bytes, rem);
            drop_partial(fr);
            fr->lost = true;
            return;
        }
        tpa_rd_bytes(bytes, fr->buf + fr->len, rem);
        fr->len += rem;
        tpa_rd_t v = tpa_rd_init(fr->buf, fr->len);
        run(fr, spec, c, &v, &need);
        size_t left = tpa_rd_remaining(&v);
        if (left) memmove(fr->buf, v.cur, left);
        fr->len = left;
        fr->need = need;
        if (left && need && !reserve(fr, need)) {
            drop_partial(fr);
            fr->lost = true;
        } else if (left && !need && left >= spec->max) {
            drop_partial(fr);
            fr->bad++;
            fr->lost = true;
            if (spec->bad) spec->bad(c);
        }
        return;
    }
}
