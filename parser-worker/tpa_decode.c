/* tpa_decode.c - decoder object, per-frame entry point and event counting. */
#include "tpa_decode_int.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_rtp.h"
#include "tpa_sctp.h"
#include "tpa_sigstate.h"
#include "tpa_tcp.h"

static const char *const mal_names[TPA_MAL_COUNT] = {
#define TPA_MAL_NAME(id, name) name,
    TPA_MALFORMED_LIST(TPA_MAL_NAME)
#undef TPA_MAL_NAME
};

const char *tpa_malformed_name(int reason)
{
    if (reason < 0 || reason >= TPA_MAL_COUNT) return "unknown";
    return mal_names[reason];
}

/* Flow table hook: a flow finishes (idle expiry or end of capture). Its streams are
 * flushed to their dissectors, then the live state goes. */
static void flow_finish(void *ud, tpa_flow_t *f)
{
    tpa_decoder_t *d = ud;
    tpa_tcp_flow_finish(d, f);
    tpa_sctp_flow_finish(d, f);
    tpa_dissect_state_free(f);
}

/* Flow table hook: the table frees a flow. */
static void flow_release(void *ud, tpa_flow_t *f)
{
    (void)ud;
    tpa_tcp_conn_free(f);
    tpa_sctp_assoc_free(f);
    tpa_dissect_state_free(f);
    tpa_dissect_flow_info_free(f);
}

tpa_decoder_t *tpa_decoder_new(void)
{
    tpa_decoder_t *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->flows = tpa_flow_table_new();
    if (!d->flows) goto fail_flows;
    tpa_flow_table_hooks(d->flows, flow_finish, flow_release, d);
    d->reasm =
        tpa_reasm_new(TPA_DECODE_REASM_BYTES, TPA_DECODE_REASM_DGRAMS, TPA_DECODE_REASM_TIMEOUT_US);
    if (!d->reasm) goto fail_reasm;
    d->sink = tpa_result_sink_new();
    if (!d->sink) goto fail_sink;
    d->tcp_pool = tpa_tcp_pool_new(TPA_TCP_STREAM_TOTAL_BYTES);
    if (!d->tcp_pool) goto fail_pool;
    return d;
fail_pool:
    tpa_result_sink_destroy(&d->sink);
fail_sink:
    tpa_reasm_destroy(&d->reasm);
fail_reasm:
    tpa_flow_table_destroy(&d->flows);
fail_flows:
    free(d);
    return NULL;
}

void tpa_decoder_destroy(tpa_decoder_t **dp)
{
    if (!dp || !*dp) return;
    tpa_decoder_t *d = *dp;
    tpa_reasm_destroy(&d->reasm);
    tpa_flow_table_destroy(&d->flows); /* before the pool its streams are charged to */
    tpa_tcp_pool_destroy(&d->tcp_pool);
    tpa_result_sink_destroy(&d->sink);
    tpa_sigstate_destroy(&d->sig);
    tpa_rtp_ctx_destroy(&d->rtp);
    free(d);
    *dp = NULL;
}

void tpa_dec_mal(tpa_decoder_t *d, tpa_pkt_t *p, int reason)
{
    if (reason >= 0 && reason < TPA_MAL_COUNT) d->st.reasons[reason]++;
    if (!p->malformed) {
        p->malformed = true;
        d->st.malformed++;
        if (d->st.nevidence < TPA_DECODE_MAX_EVIDENCE) d->st.evidence[d->st.nevidence++] = p->frame;
    }
}

void tpa_dec_short(tpa_decoder_t *d, tpa_pkt_t *p, int reason)
{
    if (!p->cut) tpa_dec_mal(d, p, reason);
}

void tpa_decode_packet(tpa_decoder_t *d, int linktype, uint64_t frame, int64_t ts_us,
                       const uint8_t *data, uint32_t caplen, uint32_t wirelen)
{
    tpa_pkt_t p;
    /* extra[] is read only below nextra: zeroing its 96 bytes per frame is waste */
    memset(&p, 0, offsetof(tpa_pkt_t, extra));
    p.frame = frame;
    p.ts_us = ts_us;
    bool bad_len = false;
    if (wirelen < caplen) {
        wirelen = caplen; /* a broken record; count what we hold */
        bad_len = true;
    } else if (wirelen > INT32_MAX) {
        wirelen = INT32_MAX; /* a corrupt record header; Wireshark clamps alike */
        bad_len = true;
    }
    p.wirelen = wirelen;
    p.cut = caplen < wirelen;
    if (bad_len) tpa_dec_mal(d, &p, TPA_MAL_FRAME_WIRELEN_INVALID);

    tpa_decode_stats_t *st = &d->st;
    if (st->packets == 0) {
        st->first_us = st->last_us = ts_us;
        d->next_expire_us = ts_us + 1000000;
    }
    st->packets++;
    st->bytes += wirelen;
    if (ts_us < st->first_us) st->first_us = ts_us;
    if (ts_us > st->last_us) st->last_us = ts_us;
    if (p.cut) st->snap_cut++;

    /* idle expiry once per second of capture time: O(expired) */
    if (ts_us >= d->next_expire_us) {
        tpa_flow_table_expire(d->flows, ts_us);
        tpa_reasm_expire(d->reasm, ts_us);
        d->next_expire_us = ts_us + 1000000;
    }

    uint64_t fragments = st->fragments;
    tpa_rd_t r = tpa_rd_init(data, caplen);
    tpa_dec_link(d, &p, linktype, &r);
    /* datagrams this frame completed are decoded (at every nesting level): free them,
     * so reassembly memory follows open datagrams, not packets (only a frame with a
     * fragment can complete one) */
    if (st->fragments != fragments) tpa_reasm_release(d->reasm);
}

void tpa_decode_finish(tpa_decoder_t *d)
{
    tpa_reasm_flush(d->reasm);
    size_t n;
    tpa_flow_table_finish(d->flows, &n); /* flushes streams into the sink */
}

void tpa_decode_set_tap(tpa_decoder_t *d, tpa_decode_tap_fn fn, void *ud)
{
    d->tap = fn;
    d->tap_ud = ud;
}

tpa_result_sink_t *tpa_decode_sink(tpa_decoder_t *d)
{
    return d->sink;
}

const tpa_decode_stats_t *tpa_decode_stats(const tpa_decoder_t *d)
{
    return &d->st;
}

tpa_flow_table_t *tpa_decode_flows(tpa_decoder_t *d)
{
    return d->flows;
}

void tpa_decode_reasm_stats(const tpa_decoder_t *d, tpa_reasm_stats_t *st)
{
    tpa_reasm_get_stats(d->reasm, st);
}
