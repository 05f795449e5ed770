/* fuzz_nas.h - the body of the NAS targets (fuzz_nas5gs.c, fuzz_naseps.c): NAS-PDUs
 * handed to the NAS dissector the way NGAP / S1AP hand them (tpa_nas.h), with the UE
 * ids of the carrying message and one association's NAS memory shared by all PDUs of
 * an input, so Security Mode Commands change how later ciphered PDUs are read.
 *
 * A target file defines FUZZ_NAS_DISSECT (tpa_nas5gs_dissect or tpa_naseps_dissect)
 * and includes this header.
 *
 * Input: PDUs, each a selector byte, a 2-byte big-endian length and that many bytes
 * (the last one takes what is left if shorter). Selector:
 *   bits 0-2  RAN / eNB UE id (0-7)
 *   bit 3     no RAN / eNB UE id
 *   bits 4-5  CN (AMF / MME) UE id (0-3)
 *   bit 6     no CN UE id (an Initial UE Message)
 *   bit 7     no UE context at all (ue = NULL)
 * Each PDU is its own frame. Checked: the PDU is consumed; every reported message
 * has protocol "nas-5gs" or "nas-eps" and a decimal code, its strings are terminated
 * and its identities are within bounds; the frame's malformation count is sane.
 */
#ifndef TPA_FUZZ_NAS_H
#define TPA_FUZZ_NAS_H

#include "fuzz_common.h"
#include "tpa_decode_int.h"
#include "tpa_nas.h"
#include "tpa_nas_int.h"

#ifndef FUZZ_NAS_DISSECT
#error "define FUZZ_NAS_DISSECT before including fuzz_nas.h"
#endif

static unsigned fuzz_nas_sum;

static void fuzz_nas_observe(void *arg, const tpa_sig_t *m)
{
    (void)arg;
    FUZZ_CHECK(m->protocol &&
               (strcmp(m->protocol, "nas-5gs") == 0 || strcmp(m->protocol, "nas-eps") == 0));
    FUZZ_CHECK(m->code && m->code[0]);
    for (const char *p = m->code; *p; p++)
        FUZZ_CHECK(*p >= '0' && *p <= '9');
    FUZZ_CHECK(m->name && m->name[0]);
    FUZZ_CHECK(m->n_ids <= TPA_SIG_MAX_IDS);
    for (unsigned i = 0; i < m->n_ids; i++) {
        FUZZ_CHECK(m->ids[i].kind < TPA_ID_KINDS && m->ids[i].value);
        fuzz_nas_sum += (unsigned)strlen(m->ids[i].value);
    }
    if (m->key) fuzz_nas_sum += (unsigned)strlen(m->key);
    if (m->procedure) fuzz_nas_sum += (unsigned)strlen(m->procedure);
    if (m->cause_name) fuzz_nas_sum += (unsigned)strlen(m->cause_name);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    tpa_decoder_t *d = tpa_decoder_new();
    if (!d) return 0;
    tpa_nas_set_observer(fuzz_nas_observe, NULL);
    tpa_nas_assoc_t *assoc = NULL;
    uint64_t frame = 0;
    size_t off = 0;
    while (off + 3 <= size) {
        uint8_t sel = data[off];
        size_t len = (size_t)data[off + 1] << 8 | data[off + 2];
        off += 3;
        if (len > size - off) len = size - off;
        tpa_pkt_t pkt = {0};
        pkt.frame = ++frame;
        tpa_dissect_ctx_t c = {0};
        c.dec = d;
        c.pkt = &pkt;
        c.sink = tpa_decode_sink(d);
        c.frame = pkt.frame;
        tpa_nas_ue_t ue = {.has_ran_ue_id = !(sel & 0x08),
                           .ran_ue_id = sel & 7u,
                           .has_cn_ue_id = !(sel & 0x40),
                           .cn_ue_id = (sel >> 4) & 3u,
                           .assoc = &assoc};
        tpa_rd_t r = tpa_rd_init(data + off, len);
        FUZZ_NAS_DISSECT(&c, &r, (sel & 0x80) ? NULL : &ue);
        FUZZ_CHECK(tpa_rd_remaining(&r) == 0);
        off += len;
    }
    FUZZ_CHECK(tpa_decode_stats(d)->malformed <= frame);
    tpa_nas_assoc_destroy(&assoc);
    FUZZ_CHECK(assoc == NULL);
    tpa_nas_set_observer(NULL, NULL);
    tpa_decoder_destroy(&d);
    return 0;
}

#endif
