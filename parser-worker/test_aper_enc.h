/* test_aper_enc.h - a minimal aligned PER (X.691 ALIGNED) writer for the tests of
 * tpa_per, tpa_ngap and tpa_s1ap: they build their PDUs from the specs with it, so the
 * decoders are checked against encodings made independently of the decoder's code
 * paths (and against literal bytes worked out by hand where a test says so).
 *
 * Test-only; static functions, one writer per buffer, no allocation. Writes past the
 * buffer abort the test.
 */
#ifndef TEST_APER_ENC_H
#define TEST_APER_ENC_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENC_MAX 8192

typedef struct enc {
    uint8_t buf[ENC_MAX];
    size_t bits;
} enc_t;

static inline void enc_init(enc_t *e)
{
    memset(e, 0, sizeof *e);
}

static inline size_t enc_bytes(const enc_t *e)
{
    return (e->bits + 7) / 8;
}

/* n (0..64) bits of v, most significant first. */
static inline void enc_bits(enc_t *e, uint64_t v, unsigned n)
{
    for (unsigned i = 0; i < n; i++) {
        if (e->bits >= 8 * (size_t)ENC_MAX) {
            fprintf(stderr, "enc: buffer full\n");
            abort();
        }
        unsigned bit = (unsigned)(v >> (n - 1 - i)) & 1;
        if (bit) e->buf[e->bits / 8] |= (uint8_t)(0x80 >> (e->bits % 8));
        e->bits++;
    }
}

static inline void enc_align(enc_t *e)
{
    e->bits = (e->bits + 7) / 8 * 8;
}

static inline void enc_raw(enc_t *e, const void *p, size_t n)
{
    const uint8_t *b = p;
    enc_align(e);
    for (size_t i = 0; i < n; i++)
        enc_bits(e, b[i], 8);
}

static inline unsigned enc_bits_for(uint64_t v)
{
    unsigned b = 0;
    while (v) {
        b++;
        v >>= 1;
    }
    return b;
}

/* X.691 10.5 constrained whole number. */
static inline void enc_int(enc_t *e, uint64_t v, uint64_t lb, uint64_t ub)
{
    uint64_t span = ub - lb, x = v - lb;
    if (span == 0) return;
    if (span <= 254) {
        enc_bits(e, x, enc_bits_for(span));
    } else if (span == 255) {
        enc_align(e);
        enc_bits(e, x, 8);
    } else if (span <= 65535) {
        enc_align(e);
        enc_bits(e, x, 16);
    } else {
        unsigned n = (enc_bits_for(span) + 7) / 8;
        unsigned len = (enc_bits_for(x) + 7) / 8;
        if (len == 0) len = 1;
        enc_int(e, len, 1, n);
        enc_align(e);
        enc_bits(e, x, 8 * len);
    }
}

/* X.691 11.9 unconstrained length (aligned); >= 16384 writes a fragment header (for
 * the tests of its refusal). */
static inline void enc_len(enc_t *e, size_t n)
{
    enc_align(e);
    if (n < 128)
        enc_bits(e, n, 8);
    else if (n < 16384)
        enc_bits(e, 0x8000 | n, 16);
    else
        enc_bits(e, 0xc1, 8);
}

/* X.691 10.6 normally small non-negative whole number. */
static inline void enc_small(enc_t *e, uint64_t v)
{
    if (v < 64) {
        enc_bits(e, 0, 1);
        enc_bits(e, v, 6);
    } else {
        unsigned len = (enc_bits_for(v) + 7) / 8;
        enc_bits(e, 1, 1);
        enc_len(e, len);
        enc_bits(e, v, 8 * len);
    }
}

/* An unconstrained OCTET STRING. */
static inline void enc_octets(enc_t *e, const void *p, size_t n)
{
    enc_len(e, n);
    enc_raw(e, p, n);
}

/* An open type holding inner's encoding (padded to whole octets). */
static inline void enc_open(enc_t *e, const enc_t *inner)
{
    size_t n = enc_bytes(inner);
    enc_len(e, n);
    enc_raw(e, inner->buf, n);
}

/* ProtocolIE-Field {id, criticality, value open type}. */
static inline void enc_ie(enc_t *e, unsigned id, unsigned crit, const enc_t *value)
{
    enc_int(e, id, 0, 65535);
    enc_int(e, crit, 0, 2);
    enc_open(e, value);
}

/* An NGAP-PDU / S1AP-PDU around a message value (both share the shape). */
static inline void enc_pdu(enc_t *e, unsigned type, unsigned proc, unsigned crit,
                           const enc_t *value)
{
    enc_bits(e, 0, 1); /* no extension */
    enc_bits(e, type, 2);
    enc_int(e, proc, 0, 255);
    enc_int(e, crit, 0, 2);
    enc_open(e, value);
}

/* A message value: SEQUENCE {protocolIEs ProtocolIE-Container, ...} from n IE values
 * given as (id, value) pairs; criticality reject for all. */
static inline void enc_value(enc_t *e, unsigned n, const unsigned *ids, const enc_t *const *vals)
{
    enc_bits(e, 0, 1);
    enc_int(e, n, 0, 65535);
    for (unsigned i = 0; i < n; i++)
        enc_ie(e, ids[i], 0, vals[i]);
}

#endif
