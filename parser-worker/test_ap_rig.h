/* test_ap_rig.h - what test_ngap.c and test_s1ap.c share: IE values and whole PDUs
 * built with the aligned PER writer (test_aper_enc.h), and decoding them with the
 * shared NGAP / S1AP decoder (tpa_ap.h). Test-only; uses tpa_test.h's CHECK. */
#ifndef TEST_AP_RIG_H
#define TEST_AP_RIG_H

#include <stdbool.h>
#include <string.h>

#include "test_aper_enc.h"
#include "tpa_ap.h"
#include "tpa_test.h"

/* An IE value holding one INTEGER (0..max): a UE id. */
static inline void v_int(enc_t *v, uint64_t x, uint64_t max)
{
    enc_init(v);
    enc_int(v, x, 0, max);
}

/* An extensible ENUMERATED {...} with nroot root values (a Cause group's value):
 * extension bit, then the root index or the extension's normally small number. */
static inline void e_enum_ext(enc_t *v, unsigned value, unsigned nroot)
{
    if (value < nroot) {
        enc_bits(v, 0, 1);
        enc_int(v, value, 0, nroot - 1);
    } else {
        enc_bits(v, 1, 1);
        enc_small(v, value - nroot);
    }
}

/* An IE value holding one OCTET STRING (a NAS-PDU) / raw octets (an already encoded
 * value). */
static inline void v_nas(enc_t *v, const uint8_t *p, size_t n)
{
    enc_init(v);
    enc_octets(v, p, n);
}

static inline void v_bytes(enc_t *v, const uint8_t *p, size_t n)
{
    enc_init(v);
    enc_raw(v, p, n);
}

/* A PDU of type (0 initiating, 1 successful, 2 unsuccessful), procedure proc and
 * criticality crit whose value holds the n IEs ids[i] = vals[i]; written to out
 * (ENC_MAX bytes at most), returns its length. */
static inline size_t ap_build(uint8_t *out, unsigned type, unsigned proc, unsigned crit, unsigned n,
                              const unsigned *ids, const enc_t *const *vals)
{
    static enc_t value, pdu;
    enc_init(&value);
    enc_value(&value, n, ids, vals);
    enc_init(&pdu);
    enc_pdu(&pdu, type, proc, crit, &value);
    memcpy(out, pdu.buf, enc_bytes(&pdu));
    return enc_bytes(&pdu);
}

/* Decodes b[0..n) as a PDU of ap into *m; checks the whole PDU was consumed. */
static inline bool ap_decode(const tpa_ap_proto_t *ap, const uint8_t *b, size_t n, tpa_ap_msg_t *m)
{
    tpa_rd_t rd = tpa_rd_init(b, n);
    bool ok = tpa_ap_decode(ap, &rd, m);
    CHECK(tpa_rd_remaining(&rd) == 0); /* consumed */
    return ok;
}

/* Whether NAS-PDU nas holds exactly p[0..len). */
static inline bool nas_is(const tpa_ap_nas_t *nas, const uint8_t *p, size_t len)
{
    return tpa_rd_remaining(&nas->pdu) == len && memcmp(nas->pdu.cur, p, len) == 0;
}

#endif
