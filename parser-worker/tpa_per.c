/* tpa_per.c - aligned PER reader (ITU-T X.691), see tpa_per.h. */
#include "tpa_per.h"

size_t tpa_per_remaining_octets(const tpa_per_t *p)
{
    return p->err ? 0 : tpa_rd_remaining(&p->rd);
}

/* Loads the next octet for bit reading; false (and SHORT) at the end. */
static bool load(tpa_per_t *p)
{
    if (!tpa_rd_has(&p->rd, 1)) {
        tpa_per_fail(p, TPA_PER_SHORT);
        return false;
    }
    p->octet = tpa_rd_u8(&p->rd);
    p->nbits = 8;
    return true;
}

uint32_t tpa_per_bits_any(tpa_per_t *p, unsigned n)
{
    uint32_t v = 0;
    if (n - 1u < 8u && !p->err) { /* 1..8 bits, of the current or the next octet */
        if (p->nbits == 0 && !load(p)) return 0;
        if (n <= p->nbits) {
            p->nbits = (uint8_t)(p->nbits - n);
            return ((uint32_t)p->octet >> p->nbits) & ((1u << n) - 1);
        }
    }
    if (n > 32) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return 0;
    }
    while (n > 0) {
        if (p->err) return 0;
        if (p->nbits == 0 && !load(p)) return 0;
        unsigned take = n < p->nbits ? n : p->nbits;
        unsigned shift = p->nbits - take;
        uint32_t chunk = ((uint32_t)p->octet >> shift) & ((1u << take) - 1);
        v = (v << take) | chunk;
        p->nbits = (uint8_t)(p->nbits - take);
        n -= take;
    }
    return p->err ? 0 : v;
}

void tpa_per_skip_bits(tpa_per_t *p, uint64_t n)
{
    if (p->err) return;
    unsigned first = n < p->nbits ? (unsigned)n : p->nbits;
    p->nbits = (uint8_t)(p->nbits - first);
    n -= first;
    if (n >= 8) {
        uint64_t octets = n / 8;
        if (octets > tpa_rd_remaining(&p->rd)) {
            tpa_per_fail(p, TPA_PER_SHORT);
            return;
        }
        tpa_rd_skip(&p->rd, (size_t)octets);
        n %= 8;
    }
    if (n) (void)tpa_per_bits(p, (unsigned)n);
}

/* Bits needed to write any value 0..v. */
static unsigned bits_for(uint64_t v)
{
    return v ? 64u - (unsigned)__builtin_clzll(v) : 0;
}

/* n aligned octets, big-endian (n <= 8). */
static uint64_t octets_be(tpa_per_t *p, unsigned n)
{
    uint64_t v = 0;
    tpa_per_align(p);
    if (p->err) return 0;
    if (!tpa_rd_has(&p->rd, n)) {
        tpa_per_fail(p, TPA_PER_SHORT);
        return 0;
    }
    if (n == 1) return tpa_rd_u8(&p->rd);
    if (n == 2) return tpa_rd_be16(&p->rd);
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | tpa_rd_u8(&p->rd);
    return v;
}

/* tpa_per_int and tpa_per_length as static functions, so the readers of this file
 * may inline them (the exported names may be interposed in a shared object). */
static uint64_t per_int(tpa_per_t *p, uint64_t lb, uint64_t ub)
{
    if (ub < lb) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return lb;
    }
    uint64_t span = ub - lb; /* range - 1 */
    uint64_t v;
    if (span == 0) return lb;
    if (span <= 254) { /* 10.5.7.1: range <= 255, minimal bit-field, not aligned */
        v = tpa_per_bits(p, bits_for(span));
    } else if (span == 255) { /* 10.5.7.2: one aligned octet */
        v = octets_be(p, 1);
    } else if (span <= 65535) { /* 10.5.7.3: two aligned octets */
        v = octets_be(p, 2);
    } else { /* 10.5.7.4: octet count (1..n) as a constrained number, then the octets */
        unsigned n = (bits_for(span) + 7) / 8;
        unsigned len = (unsigned)per_int(p, 1, n);
        v = octets_be(p, len);
    }
    if (p->err) return lb;
    if (v > span) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return lb;
    }
    return lb + v;
}

static size_t per_length(tpa_per_t *p)
{
    tpa_per_align(p);
    if (p->err) return 0;
    if (!tpa_rd_has(&p->rd, 1)) {
        tpa_per_fail(p, TPA_PER_SHORT);
        return 0;
    }
    uint8_t b = tpa_rd_u8(&p->rd);
    if (!(b & 0x80)) return b;
    if ((b & 0xc0) == 0x80) {
        if (!tpa_rd_has(&p->rd, 1)) {
            tpa_per_fail(p, TPA_PER_SHORT);
            return 0;
        }
        return (size_t)(b & 0x3f) << 8 | tpa_rd_u8(&p->rd);
    }
    tpa_per_fail(p, TPA_PER_FRAGMENTED); /* 11.9.3.8: 16K blocks */
    return 0;
}

uint64_t tpa_per_int(tpa_per_t *p, uint64_t lb, uint64_t ub)
{
    return per_int(p, lb, ub);
}

size_t tpa_per_length(tpa_per_t *p)
{
    return per_length(p);
}

int64_t tpa_per_int_ext(tpa_per_t *p, uint64_t lb, uint64_t ub, bool *ext)
{
    bool e = tpa_per_bit(p);
    if (ext) *ext = e;
    if (!e) return (int64_t)per_int(p, lb, ub);
    size_t n = per_length(p); /* 12.2.6: unconstrained, two's complement */
    if (p->err) return 0;
    if (n == 0 || n > 8) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return 0;
    }
    uint64_t v = octets_be(p, (unsigned)n);
    if (n < 8 && (v >> (8 * n - 1)) & 1) v |= ~(uint64_t)0 << (8 * n); /* sign-extend */
    return (int64_t)v;
}

uint64_t tpa_per_small(tpa_per_t *p)
{
    if (!tpa_per_bit(p)) return tpa_per_bits(p, 6);
    size_t n = per_length(p); /* 10.6.2: semi-constrained whole number */
    if (p->err) return 0;
    if (n == 0 || n > 8) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return 0;
    }
    return octets_be(p, (unsigned)n);
}

/* SIZE(lb..ub) without the extension bit; ub == 0: no upper bound. */
static size_t size_root(tpa_per_t *p, size_t lb, size_t ub)
{
    if (ub != 0 && lb == ub) return lb;
    if (ub != 0 && ub < 65536) return (size_t)per_int(p, lb, ub);
    size_t n = per_length(p);
    if (p->err) return 0;
    if (n < lb || (ub != 0 && n > ub)) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return 0;
    }
    return n;
}

size_t tpa_per_size(tpa_per_t *p, size_t lb, size_t ub, bool ext)
{
    if (ext && tpa_per_bit(p)) return per_length(p);
    return size_root(p, lb, ub);
}

unsigned tpa_per_index(tpa_per_t *p, unsigned nroot, bool ext)
{
    if (nroot == 0) {
        tpa_per_fail(p, TPA_PER_INVALID);
        return 0;
    }
    if (ext && tpa_per_bit(p)) {
        uint64_t i = tpa_per_small(p);
        if (i > 0xffff) {
            tpa_per_fail(p, TPA_PER_INVALID);
            return 0;
        }
        return nroot + (unsigned)i;
    }
    return (unsigned)per_int(p, 0, nroot - 1);
}

/* The next n aligned octets as a reader (empty when n == 0). */
static bool take_octets(tpa_per_t *p, size_t n, tpa_rd_t *out)
{
    if (n) tpa_per_align(p);
    if (!p->err && !tpa_rd_has(&p->rd, n)) tpa_per_fail(p, TPA_PER_SHORT);
    if (p->err) {
        *out = tpa_rd_init(NULL, 0);
        out->err = true;
        return false;
    }
    *out = tpa_rd_sub(&p->rd, n);
    return true;
}

bool tpa_per_octets(tpa_per_t *p, size_t lb, size_t ub, bool ext, tpa_rd_t *out)
{
    bool extended = ext && tpa_per_bit(p);
    size_t n;
    if (extended) {
        n = per_length(p);
    } else {
        if (ub != 0 && lb == ub && ub <= 2) tpa_per_fail(p, TPA_PER_INVALID); /* see header */
        n = size_root(p, lb, ub);
    }
    return take_octets(p, n, out);
}

void tpa_per_skip_octets(tpa_per_t *p, size_t lb, size_t ub, bool ext)
{
    bool extended = ext && tpa_per_bit(p);
    if (!extended && ub != 0 && lb == ub && ub <= 2) { /* 17.6: a bit-field, not aligned */
        tpa_per_skip_bits(p, 8 * (uint64_t)ub);
        return;
    }
    tpa_rd_t tmp;
    size_t n = extended ? per_length(p) : size_root(p, lb, ub);
    take_octets(p, n, &tmp);
}

size_t tpa_per_skip_bitstring(tpa_per_t *p, size_t lb, size_t ub, bool ext)
{
    bool extended = ext && tpa_per_bit(p);
    size_t n;
    if (!extended && ub != 0 && lb == ub) {
        n = lb;
        if (n > 16) tpa_per_align(p); /* 16.9 / 16.10: fixed <= 16 bits not aligned */
    } else {
        n = extended ? per_length(p) : size_root(p, lb, ub);
        if (n) tpa_per_align(p); /* 16.11: contents octet-aligned */
    }
    tpa_per_skip_bits(p, n);
    return p->err ? 0 : n;
}

bool tpa_per_open_type(tpa_per_t *p, tpa_rd_t *out)
{
    size_t n = per_length(p);
    return take_octets(p, n, out);
}

bool tpa_per_open_type_upto(tpa_per_t *p, tpa_rd_t *out, bool *cut)
{
    *cut = false;
    size_t n = per_length(p);
    if (p->err) {
        *out = tpa_rd_init(NULL, 0);
        out->err = true;
        return false;
    }
    size_t have = tpa_rd_remaining(&p->rd);
    if (n > have) {
        *out = tpa_rd_sub(&p->rd, have);
        *cut = true;
        tpa_per_fail(p, TPA_PER_SHORT);
        return true;
    }
    *out = tpa_rd_sub(&p->rd, n);
    return true;
}

void tpa_per_skip_seq_extensions(tpa_per_t *p)
{
    uint64_t n = tpa_per_small(p) + 1; /* normally small length of the bitmap */
    uint64_t present = 0;
    for (uint64_t i = 0; i < n && !p->err; i++)
        present += tpa_per_bit(p);
    tpa_rd_t tmp;
    for (uint64_t i = 0; i < present && !p->err; i++)
        tpa_per_open_type(p, &tmp);
}

size_t tpa_per_ie_count(tpa_per_t *p)
{
    return (size_t)octets_be(p, 2); /* SIZE (0..65535): two aligned octets, 10.9.3.3 */
}

bool tpa_per_ie_field(tpa_per_t *p, uint16_t *id, unsigned *crit, tpa_rd_t *value)
{
    *id = (uint16_t)per_int(p, 0, 65535);
    *crit = (unsigned)per_int(p, 0, 2);
    return tpa_per_open_type(p, value);
}

void tpa_per_skip_ext_container(tpa_per_t *p)
{
    size_t n = tpa_per_size(p, 1, 65535, false);
    for (size_t i = 0; i < n && !p->err; i++) {
        uint16_t id;
        unsigned crit;
        tpa_rd_t v;
        tpa_per_ie_field(p, &id, &crit, &v);
    }
}
