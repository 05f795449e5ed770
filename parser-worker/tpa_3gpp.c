/* tpa_3gpp.c - value encodings shared by the 3GPP dissectors (see tpa_3gpp.h). */
#include "tpa_3gpp.h"

#include <stdbool.h>
#include <string.h>

#include "tpa_fmt.h"

/* Every octet whose two nibbles are decimal digits, as its two digits in TBCD order
 * (low nibble first), else "\0\0": octet b is tbcd2[2 * b .. 2 * b + 1]. */
#define T10(h)                                                                                     \
    T1(h, 0) T1(h, 1) T1(h, 2) T1(h, 3) T1(h, 4) T1(h, 5) T1(h, 6) T1(h, 7) T1(h, 8) T1(h, 9)
#define T1(h, l) #l #h
#define BAD6 "\0\0\0\0\0\0\0\0\0\0\0\0"
#define BAD16 BAD6 BAD6 "\0\0\0\0\0\0\0\0"
static const char tbcd2[2 * 256 + 1] =
    T10(0) BAD6 T10(1) BAD6 T10(2) BAD6 T10(3) BAD6 T10(4) BAD6 T10(5) BAD6 T10(6) BAD6 T10(7)
        BAD6 T10(8) BAD6 T10(9) BAD6 BAD16 BAD16 BAD16 BAD16 BAD16 BAD16;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define TBCD_WORDS 1
#define ONES 0x0101010101010101ULL

/* The four bytes of x spread to the even bytes of a word (byte j to byte 2j). */
static inline uint64_t spread4(uint32_t x)
{
    uint64_t y = x;
    y = (y | y << 16) & 0x0000ffff0000ffffULL;
    return (y | y << 8) & 0x00ff00ff00ff00ffULL;
}
#endif

size_t tpa_3gpp_tbcd(tpa_rd_t *r, size_t n, char *dst, size_t dstlen)
{
    size_t k = 0;
    dst[0] = '\0';
    const uint8_t *p = tpa_rd_span(r, n);
    if (!p) return 0;
    size_t i = 0;
#ifdef TBCD_WORDS
    /* up to eight octets a step while there is room for 16 digits: their nibbles in
     * TBCD order as two words of digits (the low nibble of octet j is digit 2j), all
     * written, kept up to the first that is not decimal (a byte of 10-15 gets bit 4 from
     * adding 6) or the end of the octets */
    while (i < n && k + 16 < dstlen) {
        size_t m = n - i < 8 ? n - i : 8;
        uint64_t x = 0;
        if (m == 8) {
            memcpy(&x, p + i, 8);
        } else {
            for (size_t j = 0; j < m; j++)
                x |= (uint64_t)p[i + j] << (8 * j);
        }
        uint64_t lo = x & 0x0f * ONES, hi = x >> 4 & 0x0f * ONES;
        uint64_t d0 = spread4((uint32_t)lo) | spread4((uint32_t)hi) << 8;
        uint64_t d1 = spread4((uint32_t)(lo >> 32)) | spread4((uint32_t)(hi >> 32)) << 8;
        uint64_t b0 = (d0 + 6 * ONES) & 0x10 * ONES, b1 = (d1 + 6 * ONES) & 0x10 * ONES;
        size_t good = b0   ? (size_t)__builtin_ctzll(b0) / 8
                      : b1 ? 8 + (size_t)__builtin_ctzll(b1) / 8
                           : 16;
        if (good > 2 * m) good = 2 * m;
        d0 += '0' * ONES;
        d1 += '0' * ONES;
        memcpy(dst + k, &d0, 8);
        memcpy(dst + k + 8, &d1, 8);
        k += good;
        if (good < 16) goto done; /* a non-decimal nibble, or the last octets */
        i += 8;
    }
#endif
    /* the common case, a byte a step: both digits decimal (a pair from the table) and
     * room for both */
    for (; i < n && k + 2 < dstlen; i++) {
        const char *d = tbcd2 + 2 * p[i];
        if (!d[0]) break;
        memcpy(dst + k, d, 2);
        k += 2;
    }
    for (; i < n; i++) { /* the rest digit by digit: a filler or the end of the room */
        unsigned d[2] = {p[i] & 0x0fu, p[i] >> 4};
        for (int j = 0; j < 2; j++) {
            if (d[j] > 9 || k + 1 >= dstlen) goto done;
            dst[k++] = (char)('0' + d[j]);
        }
    }
done:
    dst[k] = '\0';
    return k;
}

size_t tpa_3gpp_apn(tpa_rd_t *r, size_t n, char *dst, size_t dstlen)
{
    dst[0] = '\0';
    tpa_rd_t v = tpa_rd_sub(r, n);
    size_t k = 0;
    while (tpa_rd_remaining(&v) > 0) {
        size_t l = tpa_rd_u8(&v);
        const uint8_t *p = tpa_rd_span(&v, l);
        if (!p) {
            dst[0] = '\0';
            return 0;
        }
        if (k > 0 && k + 1 < dstlen) dst[k++] = '.';
        for (size_t i = 0; i < l && k + 1 < dstlen; i++)
            dst[k++] = (p[i] >= 0x20 && p[i] < 0x7f) ? (char)p[i] : '?';
    }
    dst[k] = '\0';
    return k;
}

void tpa_3gpp_addr_str(const uint8_t *a, int family, char *dst, size_t dstlen)
{
    tpa_fmt_addr_str(family, a, dst, dstlen);
}

int tpa_3gpp_addr(tpa_rd_t *r, int family, char *dst, size_t dstlen)
{
    uint8_t a[16];
    size_t n = family == 6 ? 16 : 4;
    dst[0] = '\0';
    if (!tpa_rd_has(r, n)) {
        r->err = true;
        return -1;
    }
    tpa_rd_bytes(r, a, n);
    tpa_3gpp_addr_str(a, family, dst, dstlen);
    return 0;
}

/* Whether m holds an identity of kind with value. */
static bool holds(const tpa_sig_t *m, tpa_id_kind_t kind, const char *value)
{
    for (unsigned i = 0; i < m->n_ids; i++)
        if (m->ids[i].kind == kind && strcmp(m->ids[i].value, value) == 0) return true;
    return false;
}

void tpa_3gpp_add_id(tpa_sig_t *m, tpa_3gpp_ids_t *b, tpa_id_kind_t kind, const char *value)
{
    if (!value || !value[0] || m->n_ids >= TPA_SIG_MAX_IDS || holds(m, kind, value)) return;
    char *s = b->slot[m->n_ids];
    tpa_fmt_t f;
    tpa_fmt_init(&f, s, TPA_3GPP_ID_SLOT);
    tpa_fmt_s(&f, value);
    tpa_sig_add_id(m, kind, s);
}

void tpa_3gpp_add_slot(tpa_sig_t *m, tpa_3gpp_ids_t *b, tpa_id_kind_t kind)
{
    const char *s = b->slot[m->n_ids];
    if (s[0] && !holds(m, kind, s)) tpa_sig_add_id(m, kind, s);
}

_Static_assert(2 + TPA_FMT_X_ROOM + 1 + TPA_FMT_ADDR_MAX <= TPA_3GPP_ID_SLOT,
               "\"0x<id>@<addr>\" and the raw writers' scratch fit a slot");

void tpa_3gpp_add_id_at(tpa_sig_t *m, tpa_3gpp_ids_t *b, tpa_id_kind_t kind, uint64_t id,
                        int family, const uint8_t *addr)
{
    if (m->n_ids >= TPA_SIG_MAX_IDS) return;
    char *s = b->slot[m->n_ids], *p = s; /* never cut: the slot has the room (above) */
    memcpy(p, "0x", 2);
    p = tpa_fmt_x_raw(p + 2, id);
    if (addr && (family == 4 || family == 6)) {
        *p++ = '@';
        p = tpa_fmt_addr_raw(p, family, addr);
    }
    *p = '\0';
    if (!holds(m, kind, s)) tpa_sig_add_id(m, kind, s);
}

static _Thread_local tpa_3gpp_tap_fn tap;
static _Thread_local void *tap_ud;

void tpa_3gpp_set_tap(tpa_3gpp_tap_fn fn, void *ud)
{
    tap = fn;
    tap_ud = ud;
}

void tpa_3gpp_report(tpa_dissect_ctx_t *c, const tpa_sig_t *m)
{
    if (tap) tap(m, tap_ud);
    tpa_sig_report(c, m);
}
