/* tpa_per.h - a reader of ASN.1 aligned PER (ITU-T X.691, ALIGNED variant), for the
 * 3GPP RAN application protocols (NGAP TS 38.413, S1AP TS 36.413).
 *
 * A tpa_per_t reads bits most significant first from the bytes of a tpa_rd_t: whole
 * octets are taken from the reader with tpa_rd_u8() and shifted out bit by bit;
 * "octet-aligned" fields drop the unread bits of the current octet and read whole
 * octets (tpa_rd_sub()), so every packet byte still goes through tpa_rd. The error is
 * sticky (first wins): once set, every read returns 0 / false / an empty reader, so a
 * decoder may read a whole structure and check tpa_per_ok() once.
 *
 * What is covered (X.691 clause numbers):
 *   10.5  constrained whole numbers: range 1 -> no bits; range <= 255 -> the minimal
 *         bit-field, not aligned; range 256 -> one aligned octet; range <= 64K -> two
 *         aligned octets; larger ranges -> the "indefinite length" case: the octet
 *         count (1..n, n = octets of ub - lb) as a constrained whole number, then that
 *         many aligned octets.
 *   10.6  normally small non-negative whole numbers (choice / enumeration extension
 *         indexes, the length of a sequence's extension bitmap).
 *   10.9 / 11.9  length determinants: constrained (ub < 64K) or unconstrained, aligned:
 *         0xxxxxxx (< 128), 10xxxxxx xxxxxxxx (< 16K); 11xxxxxx is the fragmented form
 *         for 16K and more, which the RAN protocols never need for a message under 64K:
 *         it is refused with TPA_PER_FRAGMENTED (the caller counts it as malformed /
 *         unsupported), never half-decoded.
 *   10.8  (semi-)unconstrained integers behind an extension bit.
 *   13/14 enumerations and choices with an extension marker.
 *   16/17 bit and octet strings with SIZE constraints (fixed <= 2 octets not aligned,
 *         fixed < 64K aligned without length, otherwise length + aligned contents).
 *   10.2  open types: an unconstrained length then that many aligned octets.
 *   18.8  a SEQUENCE's extension additions (bitmap + open types), skipped.
 * Plus the container shapes the 3GPP protocols share (their clause 9.4 "Containers"):
 * ProtocolIE-Field / ProtocolExtensionField {id 0..65535, criticality, open type}.
 *
 * All functions are O(1) except the skips, which are O(size of what they skip).
 */
#ifndef TPA_PER_H
#define TPA_PER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_rd.h"

typedef enum {
    TPA_PER_OK = 0,
    TPA_PER_SHORT = 1,      /* ran out of bytes */
    TPA_PER_FRAGMENTED = 2, /* a fragmented length determinant (16K or more): unsupported */
    TPA_PER_INVALID = 3     /* a value outside its constraint */
} tpa_per_err_t;

typedef struct tpa_per {
    tpa_rd_t rd;       /* octets not started yet (borrowed) */
    uint8_t octet;     /* the octet being read bit by bit */
    uint8_t nbits;     /* bits of octet not read yet (0..7) */
    tpa_per_err_t err; /* sticky, first error wins */
} tpa_per_t;

/* A PER reader over the remaining bytes of rd (the bytes stay borrowed from rd's
 * buffer; rd itself is not advanced). */
static inline void tpa_per_init(tpa_per_t *p, const tpa_rd_t *rd)
{
    p->rd = *rd;
    p->octet = 0;
    p->nbits = 0;
    p->err = rd->err ? TPA_PER_SHORT : TPA_PER_OK;
}

static inline bool tpa_per_ok(const tpa_per_t *p)
{
    return p->err == TPA_PER_OK;
}

/* Sets the error unless one is set already. */
static inline void tpa_per_fail(tpa_per_t *p, tpa_per_err_t e)
{
    if (p->err == TPA_PER_OK) p->err = e;
}

/* Whole octets not started yet (the partial octet's bits are not counted). */
size_t tpa_per_remaining_octets(const tpa_per_t *p);

/* The general case of tpa_per_bits() (use that). */
uint32_t tpa_per_bits_any(tpa_per_t *p, unsigned n);

/* n bits (0..32) as an unsigned number, most significant first; 0 on error. Inline
 * when they are all in the octet being read (most single bits and small indexes). */
static inline uint32_t tpa_per_bits(tpa_per_t *p, unsigned n)
{
    if (n <= p->nbits && p->err == TPA_PER_OK) {
        p->nbits = (uint8_t)(p->nbits - n);
        return ((uint32_t)p->octet >> p->nbits) & ((1u << n) - 1);
    }
    return tpa_per_bits_any(p, n);
}

static inline bool tpa_per_bit(tpa_per_t *p)
{
    return tpa_per_bits(p, 1) != 0;
}

/* Skips n bits (any count). */
void tpa_per_skip_bits(tpa_per_t *p, uint64_t n);

/* Drops the unread bits of the current octet (octet alignment). */
static inline void tpa_per_align(tpa_per_t *p)
{
    p->nbits = 0;
}

/* A constrained whole number in lb..ub (X.691 10.5, ub - lb < 2^64 - 1); the value,
 * lb on error. A value above ub is TPA_PER_INVALID. */
uint64_t tpa_per_int(tpa_per_t *p, uint64_t lb, uint64_t ub);

/* INTEGER (lb..ub, ...): an extension bit, then tpa_per_int() or, when set, an
 * unconstrained whole number (length + two's-complement octets, up to 8). *ext tells
 * which (may be NULL). */
int64_t tpa_per_int_ext(tpa_per_t *p, uint64_t lb, uint64_t ub, bool *ext);

/* A normally small non-negative whole number (X.691 10.6). */
uint64_t tpa_per_small(tpa_per_t *p);

/* An unconstrained length determinant (X.691 11.9.3.6-8, aligned); 0 on error. */
size_t tpa_per_length(tpa_per_t *p);

/* The length / count of something with SIZE(lb..ub[, ...]): the extension bit when
 * ext, then none (lb == ub), a constrained whole number (ub < 64K) or an unconstrained
 * length. A count outside lb..ub in the root is TPA_PER_INVALID. */
size_t tpa_per_size(tpa_per_t *p, size_t lb, size_t ub, bool ext);

/* An ENUMERATED / CHOICE index with nroot root values (nroot >= 1): the extension bit
 * when ext, then 0..nroot-1, or nroot + a normally small number when extended. */
unsigned tpa_per_index(tpa_per_t *p, unsigned nroot, bool ext);

/* OCTET STRING (SIZE(lb..ub[, ...])), ub == 0 meaning no upper bound: fills *out with
 * a reader over the contents (an empty, errored reader on failure). Fixed sizes of 1
 * or 2 octets are read bit-wise (not aligned) and then *out cannot be given: use
 * tpa_per_skip_octets() for those. Returns tpa_per_ok(). */
bool tpa_per_octets(tpa_per_t *p, size_t lb, size_t ub, bool ext, tpa_rd_t *out);

/* Skips an OCTET STRING as above, the 1-2 octet fixed sizes included. */
void tpa_per_skip_octets(tpa_per_t *p, size_t lb, size_t ub, bool ext);

/* Skips a BIT STRING (SIZE(lb..ub[, ...])), ub == 0 meaning no upper bound; returns
 * its length in bits. */
size_t tpa_per_skip_bitstring(tpa_per_t *p, size_t lb, size_t ub, bool ext);

/* An open type (X.691 10.2): fills *out with a reader over its octets. The contents
 * are an aligned PER encoding of their own (start a new tpa_per_t on *out). */
bool tpa_per_open_type(tpa_per_t *p, tpa_rd_t *out);

/* As tpa_per_open_type(), but when fewer octets remain than the length announces,
 * *out holds those that remain, *cut is set and the reader is marked TPA_PER_SHORT
 * (for decoding what a capture kept of a message cut short). Returns whether the
 * length itself was read. */
bool tpa_per_open_type_upto(tpa_per_t *p, tpa_rd_t *out, bool *cut);

/* Skips the extension additions of a SEQUENCE whose extension bit was set (X.691
 * 18.8: a normally small bitmap length, the bitmap, one open type per set bit). */
void tpa_per_skip_seq_extensions(tpa_per_t *p);

/* ---- 3GPP application protocol containers (TS 38.413 / 36.413 clause 9.4) ---- */

/* One ProtocolIE-Field or ProtocolExtensionField: id INTEGER (0..65535), criticality
 * ENUMERATED {reject, ignore, notify}, value open type (*value). */
bool tpa_per_ie_field(tpa_per_t *p, uint16_t *id, unsigned *crit, tpa_rd_t *value);

/* The count of a ProtocolIE-Container (SIZE(0..65535)). */
size_t tpa_per_ie_count(tpa_per_t *p);

/* Skips a ProtocolExtensionContainer (SIZE(1..65535) OF ProtocolExtensionField). */
void tpa_per_skip_ext_container(tpa_per_t *p);

#endif
