/* tpa_json_out.c - a jansson tree as JSON text (see tpa_json_out.h).
 *
 * Where the time goes in json_dumps: every integer and real through snprintf (reals
 * as "%.16g", i.e. glibc's multi-precision __printf_fp), every token through the
 * callback. Here integers are written two digits at a time, reals of the project's
 * kind (whole microseconds) by integer arithmetic with one division to verify them.
 * Tokens, layout and escaping are the streaming writer's (tpa_jw.c): the tree walker
 * here makes its calls, so a tree and the same value written call by call give the
 * same text. O(size of the text).
 */
#include "tpa_json_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"
#include "tpa_jw.h"

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

/* The number of decimal digits of u: four at a time, then the last one to three. */
static inline size_t digits(uint64_t u)
{
    size_t n = 1;
    for (; u >= 10000; u /= 10000)
        n += 4;
    return n + (u >= 10) + (u >= 100) + (u >= 1000);
}

/* The n digits of u (n = digits(u)) ending at p, two at a time. */
static inline void put_digits(char *p, uint64_t u)
{
    while (u >= 100) {
        unsigned d = (unsigned)(u % 100) * 2;
        u /= 100;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    }
    if (u >= 10) {
        unsigned d = (unsigned)u * 2;
        *--p = digit_pairs[d + 1];
        *--p = digit_pairs[d];
    } else {
        *--p = (char)('0' + u);
    }
}

size_t tpa_json_out_int(int64_t v, char *buf)
{
    if ((uint64_t)v < 100) { /* counts and small codes: no digit count */
        size_t n = 1 + (v >= 10);
        memcpy(buf, v >= 10 ? digit_pairs + 2 * v : digit_pairs + 2 * v + 1, 2);
        buf[n] = '\0';
        return n;
    }
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    size_t n = (size_t)(v < 0) + digits(u);
    buf[0] = '-';
    buf[n] = '\0';
    put_digits(buf + n, u);
    return n;
}

/* m millionths, shortest: integer part, '.', the fraction without trailing zeros
 * ("0" when it is zero, so the text stays a real). */
static inline __attribute__((always_inline)) size_t micro_str(char *buf, bool neg, uint64_t m,
                                                              tpa_json_out_memo_t *memo)
{
    char *p = buf;
    if (neg) *p++ = '-';
    uint64_t whole = m / 1000000; /* below 2^32 here: at most 10 digits */
    int hit = -1;
    if (memo && whole >= 1000000) /* timestamps (small numbers are quick anyway) */
        hit = memo->len[0] && memo->whole[0] == whole   ? 0
              : memo->len[1] && memo->whole[1] == whole ? 1
                                                        : -1;
    if (hit >= 0) {
        memcpy(p, memo->text[hit], sizeof memo->text[hit]);
        p += memo->len[hit];
    } else {
        size_t n = digits(whole);
        put_digits(p + n, whole);
        if (memo && whole >= 1000000) { /* replaces the older of the two */
            unsigned k = memo->next;
            memcpy(memo->text[k], p, sizeof memo->text[k]);
            memo->whole[k] = whole;
            memo->len[k] = (uint8_t)n;
            memo->next = (uint8_t)!k;
        }
        p += n;
    }
    *p++ = '.';
    uint32_t frac = (uint32_t)(m - whole * 1000000);
    if (!frac) {
        *p++ = '0';
    } else {
        /* six digits in three pairs, then the trailing zeros dropped */
        unsigned hi = frac / 10000, mid = frac / 100 % 100, lo = frac % 100;
        memcpy(p, digit_pairs + hi * 2, 2);
        memcpy(p + 2, digit_pairs + mid * 2, 2);
        memcpy(p + 4, digit_pairs + lo * 2, 2);
        int k = lo ? 6 : mid ? 4 : 2; /* then one more if that pair ends in '0' */
        k -= p[k - 1] == '0';
        p += k;
    }
    *p = '\0';
    return (size_t)(p - buf);
}

/* As jansson's jsonp_dtostr with precision 16 (its snprintf build). */
static size_t general_str(char *buf, double v)
{
    int r = snprintf(buf, TPA_JSON_OUT_NUM_MAX, "%.16g", v);
    if (r < 0 || r >= TPA_JSON_OUT_NUM_MAX - 2) { /* cannot happen: at most 23 chars */
        memcpy(buf, "null", 5);
        return 4;
    }
    size_t n = (size_t)r;
    char *e = strchr(buf, 'e');
    if (!e && !strchr(buf, '.')) {
        buf[n++] = '.';
        buf[n++] = '0';
        buf[n] = '\0';
        return n;
    }
    if (e) { /* "1e+16" -> "1e16", "1e-07" -> "1e-7" */
        char *start = e + 1, *end = start + 1;
        if (*start == '-') start++;
        while (*end == '0')
            end++;
        if (end != start) {
            memmove(start, end, n + 1 - (size_t)(end - buf));
            n -= (size_t)(end - start);
        }
    }
    return n;
}

size_t tpa_json_out_real(double v, char *buf)
{
    if (!isfinite(v)) {
        memcpy(buf, "null", 5);
        return 4;
    }
    double a = fabs(v);
    /* Below 2^32 a double is finer than a millionth (at most one decimal of 6
     * fractional digits is nearest to it) and a * 1e6 is off by less than 0.5 from
     * that decimal's millionths, so rounding finds them. The division (correctly
     * rounded, like strtod) then proves the text reads back as v. */
    if (a < 4294967296.0) {
        uint64_t m = (uint64_t)(a * 1e6 + 0.5);
        if ((double)m / 1e6 == a) return micro_str(buf, signbit(v) != 0, m, NULL);
    }
    return general_str(buf, v);
}

double tpa_json_out_pow10(unsigned k)
{
    double p = 1.0;
    while (k--)
        p *= 10.0; /* exact up to 1e22 */
    return p;
}

size_t tpa_json_out_fixed(int64_t n, unsigned digits_after, char *buf, tpa_json_out_memo_t *memo)
{
    static const uint64_t scale[7] = {1000000, 100000, 10000, 1000, 100, 10, 1};
    /* below 2^32 - 1 (so is the double n / 10^digits): what tpa_json_out_real finds */
    static const uint64_t below[7] = {4294967295ULL,      42949672950ULL,    429496729500ULL,
                                      4294967295000ULL,   42949672950000ULL, 429496729500000ULL,
                                      4294967295000000ULL};
    if (digits_after > 6)
        return tpa_json_out_real((double)n / tpa_json_out_pow10(digits_after), buf);
    uint64_t u = n < 0 ? 0 - (uint64_t)n : (uint64_t)n;
    if (u < below[digits_after]) return micro_str(buf, n < 0, u * scale[digits_after], memo);
    return tpa_json_out_real((double)n / tpa_json_out_pow10(digits_after), buf);
}

/* ---- the tree walker: a jansson value through the streaming writer ---- */

/* The generated array standing for the empty array j, or NULL. */
static const tpa_json_out_lazy_t *lazy_for(const tpa_json_out_lazy_t *lazy, size_t nlazy,
                                           const json_t *j)
{
    for (size_t i = 0; i < nlazy; i++)
        if (lazy[i].at == j) return &lazy[i];
    return NULL;
}

/* Writes the elements of a generated array, one at a time. */
static int lazy_items(tpa_jw_t *w, const tpa_json_out_lazy_t *lz)
{
    int rc = 0;
    for (size_t i = 0; i < lz->n && !rc; i++) {
        if (lz->write) {
            rc = lz->write(lz->ud, i, w);
            if (!rc) rc = tpa_jw_error(w);
            continue;
        }
        json_t *e = lz->item(lz->ud, i);
        if (!e) return TPA_ERR_NOMEM;
        rc = tpa_json_out_jw(e, NULL, 0, w);
        json_decref(e);
    }
    return rc;
}

int tpa_json_out_jw(const json_t *j, const tpa_json_out_lazy_t *lazy, size_t nlazy, tpa_jw_t *w)
{
    int rc = tpa_jw_error(w);
    if (rc) return rc;
    if (!j) return TPA_ERR_FORMAT;
    switch (json_typeof(j)) {
    case JSON_NULL:
        return tpa_jw_null(w, NULL);
    case JSON_TRUE:
        return tpa_jw_bool(w, NULL, true);
    case JSON_FALSE:
        return tpa_jw_bool(w, NULL, false);
    case JSON_INTEGER:
        return tpa_jw_int(w, NULL, json_integer_value(j));
    case JSON_REAL:
        return tpa_jw_real(w, NULL, json_real_value(j));
    case JSON_STRING:
        return tpa_jw_ascii(w, NULL, json_string_value(j), json_string_length(j));
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if ((rc = tpa_jw_arr(w, NULL)) != 0) return rc;
        const tpa_json_out_lazy_t *lz = !n && nlazy ? lazy_for(lazy, nlazy, j) : NULL;
        if (lz && (rc = lazy_items(w, lz)) != 0) return rc;
        for (size_t i = 0; i < n; i++)
            if ((rc = tpa_json_out_jw(json_array_get(j, i), lazy, nlazy, w)) != 0) return rc;
        return tpa_jw_arr_end(w);
    }
    case JSON_OBJECT: {
        if ((rc = tpa_jw_obj(w, NULL)) != 0) return rc;
        for (void *it = json_object_iter((json_t *)j); it;
             it = json_object_iter_next((json_t *)j, it)) {
            if ((rc = tpa_jw_keyn(w, json_object_iter_key(it), json_object_iter_key_len(it))) !=
                    0 ||
                (rc = tpa_json_out_jw(json_object_iter_value(it), lazy, nlazy, w)) != 0)
                return rc;
        }
        return tpa_jw_obj_end(w);
    }
    default:
        return TPA_ERR_FORMAT;
    }
}

int tpa_json_out_callback(const json_t *j, int indent, tpa_json_out_fn fn, void *ud)
{
    return tpa_json_out_callback_lazy(j, indent, NULL, 0, fn, ud);
}

int tpa_json_out_callback_lazy(const json_t *j, int indent, const tpa_json_out_lazy_t *lazy,
                               size_t nlazy, tpa_json_out_fn fn, void *ud)
{
    if (!fn || (nlazy && !lazy)) return TPA_ERR_INVALID;
    tpa_jw_t *w = tpa_jw_new(indent, fn, ud);
    if (!w) return TPA_ERR_NOMEM;
    int rc = tpa_json_out_jw(j, lazy, nlazy, w);
    if (!rc) rc = tpa_jw_finish(w);
    tpa_jw_destroy(&w);
    return rc;
}

static int to_file(const char *buf, size_t len, void *ud)
{
    return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

int tpa_json_out_file(const json_t *j, int indent, FILE *f)
{
    return tpa_json_out_callback(j, indent, to_file, f);
}

int tpa_json_out_file_lazy(const json_t *j, int indent, const tpa_json_out_lazy_t *lazy,
                           size_t nlazy, FILE *f)
{
    return tpa_json_out_callback_lazy(j, indent, lazy, nlazy, to_file, f);
}

char *tpa_json_out_dumps(const json_t *j, int indent, size_t *len)
{
    tpa_jw_t *w = tpa_jw_new(indent, NULL, NULL);
    if (!w) return NULL;
    char *t = tpa_json_out_jw(j, NULL, 0, w) == 0 ? tpa_jw_take_text(w, len) : NULL;
    tpa_jw_destroy(&w);
    return t;
}
