/* tpa_fmt.c - text of numbers and addresses without printf (see tpa_fmt.h). */
#include "tpa_fmt.h"

#include <stdbool.h>
#include <string.h>

static const char hex_digits[] = "0123456789abcdef";

/* Every pair of decimal digits, "00" to "99", one after another (and a NUL): the
 * pair of r (0-99) is d2[2 * r .. 2 * r + 1]. */
#define D10(p) p "0" p "1" p "2" p "3" p "4" p "5" p "6" p "7" p "8" p "9"
#define D100(p)                                                                                    \
    D10(p "0")                                                                                     \
    D10(p "1")                                                                                     \
    D10(p "2") D10(p "3") D10(p "4") D10(p "5") D10(p "6") D10(p "7") D10(p "8") D10(p "9")
static const char d2[2 * 100 + 1] = D100("");

/* Every octet value's text padded with dots to four bytes, "0...", "10..", "255.", one
 * after another (and a NUL): octet b is oct4[4 * b .. 4 * b + 3], and oct_len[b] is
 * the length of its digits and one dot. */
#define O10(p, s) p "0" s p "1" s p "2" s p "3" s p "4" s p "5" s p "6" s p "7" s p "8" s p "9" s
static const char oct4[4 * 256 + 1] = O10("", "...") O10("1", "..") O10("2", "..") O10("3", "..")
    O10("4", "..") O10("5", "..") O10("6", "..") O10("7", "..") O10("8", "..") O10("9", "..")
        O10("10", ".") O10("11", ".") O10("12", ".") O10("13", ".") O10("14", ".") O10("15", ".")
            O10("16", ".") O10("17", ".") O10("18", ".") O10("19", ".") O10("20", ".")
                O10("21", ".") O10("22", ".") O10("23", ".") O10("24", ".") "250."
                                                                            "251."
                                                                            "252."
                                                                            "253."
                                                                            "254."
                                                                            "255.";
#define L10(n) n, n, n, n, n, n, n, n, n, n
static const uint8_t oct_len[256] = {L10(2), L10(3), L10(3), L10(3), L10(3), L10(3), L10(3), L10(3),
                                     L10(3), L10(3), L10(4), L10(4), L10(4), L10(4), L10(4), L10(4),
                                     L10(4), L10(4), L10(4), L10(4), L10(4), L10(4), L10(4), L10(4),
                                     L10(4), 4,      4,      4,      4,      4,      4};

/* Every octet value in two lower-case hex digits, "00" to "ff" (and a NUL): octet b
 * is hex2[2 * b .. 2 * b + 1]. */
#define H16(p)                                                                                     \
    p "0" p "1" p "2" p "3" p "4" p "5" p "6" p "7" p "8" p "9" p "a" p "b" p "c" p "d" p "e" p "f"
static const char hex2[2 * 256 + 1] = H16("0") H16("1") H16("2") H16("3") H16("4") H16("5") H16("6")
    H16("7") H16("8") H16("9") H16("a") H16("b") H16("c") H16("d") H16("e") H16("f");

void tpa_fmt_s(tpa_fmt_t *f, const char *s)
{
    if (!s) return;
    tpa_fmt_mem(f, s, strnlen(s, (size_t)(f->end - f->p)));
}

/* Decimal digits of v ending at end (written backwards); returns the first. */
static char *dec_back(uint64_t v, char *end)
{
    char *p = end;
    do {
        *--p = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return p;
}

/* 10^i for i < 20. */
static const uint64_t pow10[20] = {1ULL,
                                   10ULL,
                                   100ULL,
                                   1000ULL,
                                   10000ULL,
                                   100000ULL,
                                   1000000ULL,
                                   10000000ULL,
                                   100000000ULL,
                                   1000000000ULL,
                                   10000000000ULL,
                                   100000000000ULL,
                                   1000000000000ULL,
                                   10000000000000ULL,
                                   100000000000000ULL,
                                   1000000000000000ULL,
                                   10000000000000000ULL,
                                   100000000000000000ULL,
                                   1000000000000000000ULL,
                                   10000000000000000000ULL};

/* The number of decimal digits of v (1 for 0): log2 times 1233 / 4096 is log10 or one
 * less, which the power of ten settles. v | 1 has as many digits as v (no power of
 * ten is odd but 1, and 0 | 1 is 1). */
static inline size_t dec_len(uint64_t v)
{
    v |= 1;
    size_t t = (size_t)(64 - __builtin_clzll(v)) * 1233 >> 12; /* at most 19 */
    return t + (v >= pow10[t]);
}

/* tpa_fmt_u cut short: out of line, so the usual call needs no frame. */
__attribute__((noinline)) static void u_cut(tpa_fmt_t *f, uint64_t v)
{
    char tmp[20];
    char *s = dec_back(v, tmp + sizeof tmp);
    tpa_fmt_mem(f, s, (size_t)(tmp + sizeof tmp - s));
}

/* The n decimal digits of v (n = dec_len(v)) at p[0..n): backwards, two digits a step
 * (in 32 bits once v fits: a cheaper division). */
static inline void dec_at(char *p, uint64_t v, size_t n)
{
    p += n;
    while (v > UINT32_MAX) {
        unsigned r = (unsigned)(v % 100);
        v /= 100;
        p -= 2;
        memcpy(p, d2 + 2 * r, 2);
    }
    uint32_t w = (uint32_t)v;
    while (w >= 100) {
        uint32_t r = w % 100;
        w /= 100;
        p -= 2;
        memcpy(p, d2 + 2 * r, 2);
    }
    if (w >= 10) {
        memcpy(p - 2, d2 + 2 * w, 2);
    } else {
        p[-1] = (char)('0' + w);
    }
}

void tpa_fmt_u(tpa_fmt_t *f, uint64_t v)
{
    if (v < 10 && f->p < f->end) { /* the common short case */
        *f->p++ = (char)('0' + v);
        *f->p = '\0';
        return;
    }
    size_t n = dec_len(v);
    if ((size_t)(f->end - f->p) < n) {
        u_cut(f, v);
        return;
    }
    dec_at(f->p, v, n); /* in place */
    f->p += n;
    *f->p = '\0';
}

char *tpa_fmt_u_raw(char *p, uint64_t v)
{
    if (v < 10) { /* the common short case (a DNS qtype, a bearer id) */
        *p = (char)('0' + v);
        return p + 1;
    }
    size_t n = dec_len(v);
    dec_at(p, v, n);
    return p + n;
}

/* tpa_fmt_x for all but the common case below. */
__attribute__((noinline)) static void x_any(tpa_fmt_t *f, uint64_t v, int width)
{
    size_t n = v ? (size_t)(64 - __builtin_clzll(v) + 3) / 4 : 1; /* digits */
    size_t total = width > 0 && (size_t)width > n ? (size_t)width : n;
    if ((size_t)(f->end - f->p) >= total) { /* in place, backwards, two digits a step */
        char *start = f->p, *p = start + total;
        *p = '\0';
        f->p = p;
        size_t i = n;
        for (; i >= 2; i -= 2, v >>= 8) {
            p -= 2;
            memcpy(p, hex2 + 2 * (v & 0xff), 2);
        }
        if (i) *--p = hex_digits[v & 15];
        if (total > n) memset(start, '0', total - n);
        return;
    }
    /* cut: the zeros, then the digits, as far as they fit */
    char tmp[16];
    char *p = tmp + sizeof tmp;
    do {
        *--p = hex_digits[v & 15];
        v >>= 4;
    } while (v);
    for (size_t pad = total - n; pad && f->p < f->end; pad--)
        *f->p++ = '0';
    tpa_fmt_mem(f, p, n);
}

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* The eight hex digits of x, as a word whose bytes in memory order run from the most
 * significant digit: each octet's two digits from hex2, the most significant octet's in
 * the low bytes. */
static inline uint64_t hex8(uint32_t x)
{
    uint64_t w = 0;
    for (int i = 0; i < 4; i++) {
        uint16_t d;
        memcpy(&d, hex2 + 2 * (x >> (24 - 8 * i) & 0xff), 2);
        w |= (uint64_t)d << (16 * i);
    }
    return w;
}

/* The last n (1-8) of the eight hex digits of x at p: one 8-byte store (the bytes past
 * the n digits are zeros, scratch). */
static inline char *hex_at(char *p, uint32_t x, unsigned n)
{
    uint64_t w = hex8(x) >> (8 * (8 - n)); /* the last n digits first */
    memcpy(p, &w, 8);
    return p + n;
}

/* The hex digits of x without leading zeros (1 for 0). */
static inline unsigned hex_len(uint32_t x)
{
    return x ? (unsigned)(32 - __builtin_clz(x) + 3) / 4 : 1;
}

void tpa_fmt_x(tpa_fmt_t *f, uint64_t v, int width)
{
    /* the common cases: at most eight digits and no zeros to add, or exactly eight
     * ("%08x" of a 32-bit value), and room for a whole word */
    if (v >> 32 == 0 && (width <= 1 || width == 8) && f->end - f->p >= 9) {
        f->p = hex_at(f->p, (uint32_t)v, width == 8 ? 8 : hex_len((uint32_t)v));
        *f->p = '\0';
        return;
    }
    x_any(f, v, width);
}

char *tpa_fmt_x_raw(char *p, uint64_t v)
{
    uint32_t hi = (uint32_t)(v >> 32), lo = (uint32_t)v;
    if (hi) {
        p = hex_at(p, hi, hex_len(hi));
        return hex_at(p, lo, 8);
    }
    return hex_at(p, lo, hex_len(lo));
}
#else
void tpa_fmt_x(tpa_fmt_t *f, uint64_t v, int width)
{
    x_any(f, v, width);
}

char *tpa_fmt_x_raw(char *p, uint64_t v)
{
    tpa_fmt_t f = {p, p + TPA_FMT_X_ROOM - 1, p};
    x_any(&f, v, 0);
    return f.p;
}
#endif

/* a as "a.b.c.d". Each octet is copied as its four bytes of oct4 (its digits and dots);
 * the dots past the first are overwritten by what follows, so the text is built where
 * there are 16 bytes of room (in f, or else in tmp and then cut). Inlined: the
 * addresses of the per-message path are nearly all IPv4. */
__attribute__((always_inline)) static inline void ip4(tpa_fmt_t *f, const uint8_t *a)
{
    char tmp[16];
    bool direct = f->end - f->p >= 16;
    char *p = direct ? f->p : tmp;
    for (int i = 0; i < 4; i++) {
        unsigned b = a[i];
        memcpy(p, oct4 + 4 * b, 4);
        p += oct_len[b];
    }
    p--; /* the last dot */
    if (direct) {
        *p = '\0';
        f->p = p;
    } else {
        tpa_fmt_mem(f, tmp, (size_t)(p - tmp));
    }
}

/* RFC 5952 / inet_ntop: groups in lower-case hex without leading zeros, the longest
 * run of at least two zero groups (the first of equal ones) as "::", and the last 32
 * bits as a dotted quad for ::a.b.c.d and ::ffff:a.b.c.d. */
__attribute__((noinline)) static void ip6(tpa_fmt_t *f, const uint8_t *a)
{
    unsigned w[8];
    for (int i = 0; i < 8; i++)
        w[i] = (unsigned)a[2 * i] << 8 | a[2 * i + 1];
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (w[i]) {
            i++;
            continue;
        }
        int j = i;
        while (j < 8 && !w[j])
            j++;
        if (j - i > best_len) {
            best = i;
            best_len = j - i;
        }
        i = j;
    }
    if (best_len < 2) best = -1;
    char tmp[TPA_FMT_ADDR_MAX], *p = tmp;
    for (int i = 0; i < 8; i++) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) *p++ = ':';
            continue;
        }
        if (i) *p++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && w[5] == 0xffff))) {
            tpa_fmt_t q = {p, tmp + sizeof tmp - 1, p};
            ip4(&q, a + 12);
            p = q.p;
            break;
        }
        unsigned v = w[i];
        bool lead = true;
        for (int s = 12; s >= 0; s -= 4) {
            unsigned d = (v >> s) & 15;
            if (lead && d == 0 && s) continue;
            lead = false;
            *p++ = hex_digits[d];
        }
    }
    if (best >= 0 && best + best_len == 8) *p++ = ':';
    tpa_fmt_mem(f, tmp, (size_t)(p - tmp));
}

/* The text of IPv4 addresses written before, by a hash of the address: a message
 * names the same few node addresses in its key and identities over and over. An entry
 * holds the text and its NUL (at most 16 bytes); len 0 marks it empty. Per thread, as
 * the workers format at once. */
#define IP4_MEMO 16
typedef struct ip4_memo {
    uint32_t a; /* the four octets as they lie in memory */
    uint8_t len;
    char text[16];
} ip4_memo_t;
static _Thread_local ip4_memo_t ip4_memo[IP4_MEMO] __attribute__((tls_model("initial-exec")));

/* tpa_fmt_addr but for an IPv4 address found in its entry with room for the entry:
 * IPv6, an address not held yet (it is then), a buffer nearly full. */
__attribute__((noinline)) static void addr_slow(tpa_fmt_t *f, int family, const uint8_t *a)
{
    if (family == 6) {
        ip6(f, a);
        return;
    }
    uint32_t k;
    memcpy(&k, a, 4);
    ip4_memo_t *e = &ip4_memo[(k * 0x9e3779b1u) >> 28];
    if (e->len && e->a == k) { /* held, but f is nearly full */
        tpa_fmt_mem(f, e->text, e->len);
        return;
    }
    if (f->end - f->p >= 16) { /* written in place, then kept: its 16 bytes from there */
        char *start = f->p;
        ip4(f, a);
        memcpy(e->text, start, sizeof e->text);
        e->a = k;
        e->len = (uint8_t)(f->p - start);
        return;
    }
    char tmp[17] = {0}; /* 16 bytes of room: ip4 writes in place */
    tpa_fmt_t t;
    tpa_fmt_init(&t, tmp, sizeof tmp);
    ip4(&t, a);
    memcpy(e->text, tmp, sizeof e->text);
    e->a = k;
    e->len = (uint8_t)tpa_fmt_len(&t);
    tpa_fmt_mem(f, e->text, e->len);
}

void tpa_fmt_addr(tpa_fmt_t *f, int family, const uint8_t *a)
{
    if (family != 6) {
        uint32_t k;
        memcpy(&k, a, 4);
        const ip4_memo_t *e = &ip4_memo[(k * 0x9e3779b1u) >> 28];
        if (e->len && e->a == k && f->end - f->p >= 16) { /* the whole entry, end moved back */
            memcpy(f->p, e->text, 16);
            f->p += e->len;
            *f->p = '\0';
            return;
        }
    }
    addr_slow(f, family, a);
}

char *tpa_fmt_addr_raw(char *p, int family, const uint8_t *a)
{
    if (family != 6) {
        uint32_t k;
        memcpy(&k, a, 4);
        const ip4_memo_t *e = &ip4_memo[(k * 0x9e3779b1u) >> 28];
        if (e->len && e->a == k) { /* the whole entry: within the room */
            memcpy(p, e->text, 16);
            return p + e->len;
        }
    }
    tpa_fmt_t f = {p, p + TPA_FMT_ADDR_MAX - 1, p};
    addr_slow(&f, family, a);
    return f.p;
}

#define TEN(p) p "0", p "1", p "2", p "3", p "4", p "5", p "6", p "7", p "8", p "9"

const char *const tpa_fmt_dec8[256] = {
    "0",       "1",       "2",       "3",       "4",       "5",       "6",       "7",
    "8",       "9",       TEN("1"),  TEN("2"),  TEN("3"),  TEN("4"),  TEN("5"),  TEN("6"),
    TEN("7"),  TEN("8"),  TEN("9"),  TEN("10"), TEN("11"), TEN("12"), TEN("13"), TEN("14"),
    TEN("15"), TEN("16"), TEN("17"), TEN("18"), TEN("19"), TEN("20"), TEN("21"), TEN("22"),
    TEN("23"), TEN("24"), "250",     "251",     "252",     "253",     "254",     "255"};

size_t tpa_fmt_u_str(uint64_t v, char *buf, size_t size)
{
    tpa_fmt_t f;
    tpa_fmt_init(&f, buf, size);
    tpa_fmt_u(&f, v);
    return tpa_fmt_len(&f);
}

size_t tpa_fmt_addr_str(int family, const uint8_t *a, char *buf, size_t size)
{
    tpa_fmt_t f;
    tpa_fmt_init(&f, buf, size);
    tpa_fmt_addr(&f, family, a);
    return tpa_fmt_len(&f);
}
