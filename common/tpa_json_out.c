/* tpa_json_out.c - a jansson tree as JSON text (see tpa_json_out.h).
 *
 * Where the time goes in json_dumps: every integer and real through snprintf (reals
 * as "%.16g", i.e. glibc's multi-precision __printf_fp), every token through the
 * callback. Here integers are written two digits at a time, reals of the project's
 * kind (whole microseconds) by integer arithmetic with one division to verify them,
 * and tokens go into one 64 KiB buffer handed on when full. O(size of the text).
 */
#include "tpa_json_out.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"

#define BUF_SIZE (64 * 1024)

static const char digit_pairs[] = "00010203040506070809101112131415161718192021222324"
                                  "25262728293031323334353637383940414243444546474849"
                                  "50515253545556575859606162636465666768697071727374"
                                  "75767778798081828384858687888990919293949596979899";

size_t tpa_json_out_int(int64_t v, char *buf)
{
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    char tmp[24];
    char *p = tmp + sizeof tmp;
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
    if (v < 0) *--p = '-';
    size_t n = (size_t)(tmp + sizeof tmp - p);
    memcpy(buf, p, n);
    buf[n] = '\0';
    return n;
}

/* m millionths, shortest: integer part, '.', the fraction without trailing zeros
 * ("0" when it is zero, so the text stays a real). */
static size_t micro_str(char *buf, bool neg, uint64_t m)
{
    char *p = buf;
    if (neg) *p++ = '-';
    p += tpa_json_out_int((int64_t)(m / 1000000), p);
    *p++ = '.';
    uint32_t frac = (uint32_t)(m % 1000000);
    if (!frac) {
        *p++ = '0';
    } else {
        char f[6];
        for (int i = 5; i >= 0; i--) {
            f[i] = (char)('0' + frac % 10);
            frac /= 10;
        }
        int k = 6;
        while (f[k - 1] == '0')
            k--;
        memcpy(p, f, (size_t)k);
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
        if ((double)m / 1e6 == a) return micro_str(buf, signbit(v) != 0, m);
    }
    return general_str(buf, v);
}

/* ---- the writer ---- */

typedef struct wr {
    char *b;
    size_t n, cap;
    tpa_json_out_fn fn; /* NULL: b grows (tpa_json_out_dumps) */
    void *ud;
    int indent;
    const tpa_json_out_lazy_t *lazy; /* generated arrays, nlazy of them */
    size_t nlazy;
} wr_t;

static int flush(wr_t *w)
{
    if (w->n && w->fn(w->b, w->n, w->ud) != 0) return TPA_ERR_IO;
    w->n = 0;
    return 0;
}

/* Makes room for k more bytes in b. */
static int room(wr_t *w, size_t k)
{
    if (w->cap - w->n >= k) return 0;
    if (w->fn) {
        int rc = flush(w);
        if (rc || k <= w->cap) return rc;
    }
    size_t cap = w->cap * 2;
    while (cap - w->n < k)
        cap *= 2;
    char *nb = realloc(w->b, cap);
    if (!nb) return TPA_ERR_NOMEM;
    w->b = nb;
    w->cap = cap;
    return 0;
}

static int put(wr_t *w, const char *s, size_t k)
{
    if (w->cap - w->n < k) {
        if (w->fn && k > w->cap / 2) { /* a long string: hand it on as it is */
            int rc = flush(w);
            if (rc) return rc;
            return w->fn(s, k, w->ud) != 0 ? TPA_ERR_IO : 0;
        }
        int rc = room(w, k);
        if (rc) return rc;
    }
    memcpy(w->b + w->n, s, k);
    w->n += k;
    return 0;
}

static int put_c(wr_t *w, char c)
{
    if (w->n == w->cap) {
        int rc = room(w, 1);
        if (rc) return rc;
    }
    w->b[w->n++] = c;
    return 0;
}

/* Indented layout: a newline and depth * indent spaces; nothing when compact. */
static int newline(wr_t *w, int depth)
{
    if (!w->indent) return 0;
    size_t k = 1 + (size_t)depth * (size_t)w->indent;
    int rc = room(w, k);
    if (rc) return rc;
    w->b[w->n] = '\n';
    memset(w->b + w->n + 1, ' ', k - 1);
    w->n += k;
    return 0;
}

/* Between two members: ',' and the next line. */
static int comma(wr_t *w, int depth)
{
    int rc = put_c(w, ',');
    return rc ? rc : newline(w, depth);
}

/* Length of the valid UTF-8 sequence of 2 to 4 bytes at p (p[0] >= 0x80), 0 when
 * invalid: overlong forms, surrogates and code points above U+10FFFF are refused, as
 * jansson refuses them. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t n;
    unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        if (c == 0xE0) lo = 0xA0;
        if (c == 0xED) hi = 0x9F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        if (c == 0xF0) lo = 0x90;
        if (c == 0xF4) hi = 0x8F;
    } else {
        return 0;
    }
    if ((size_t)(end - p) < n || p[1] < lo || p[1] > hi) return 0;
    for (size_t i = 2; i < n; i++)
        if ((p[i] & 0xC0) != 0x80) return 0;
    return n;
}

/* Per byte of a string, 16 to a row: '0' copied as it is, '1' escaped (control
 * characters, '"' at 0x22, '\\' at 0x5c), '2' starts a UTF-8 sequence. */
static const char byte_class[257] = "1111111111111111"
                                    "1111111111111111"
                                    "0010000000000000"
                                    "0000000000000000"
                                    "0000000000000000"
                                    "0000000000001000"
                                    "0000000000000000"
                                    "0000000000000000"
                                    "2222222222222222"
                                    "2222222222222222"
                                    "2222222222222222"
                                    "2222222222222222"
                                    "2222222222222222"
                                    "2222222222222222"
                                    "2222222222222222"
                                    "2222222222222222";

/* Length of the prefix of p that is copied as it is (byte_class '0'): eight bytes at
 * a time while no byte is below 0x20, '"', '\\' or above 0x7f, then byte by byte. */
static size_t plain_prefix(const unsigned char *p, size_t len)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x, q, s;
        memcpy(&x, p + i, 8);
        q = x ^ (ones * '"');
        s = x ^ (ones * '\\');
        /* a byte's high bit: it is >= 0x80, or (borrow) below 0x20, or a zero of q/s */
        if ((x | ((x - ones * 0x20) & ~x) | ((q - ones) & ~q) | ((s - ones) & ~s)) & highs) break;
    }
    while (i < len && byte_class[p[i]] == '0')
        i++;
    return i;
}

static int string(wr_t *w, const char *str, size_t len)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)str, *end = p + len, *run = p;
    size_t plain = plain_prefix(p, len);
    if (plain == len && len + 2 <= w->cap - w->n) { /* the common case: one copy */
        char *o = w->b + w->n;
        o[0] = '"';
        memcpy(o + 1, str, len);
        o[len + 1] = '"';
        w->n += len + 2;
        return 0;
    }
    p += plain;
    int rc = put_c(w, '"');
    while (!rc && p < end) {
        unsigned c = *p;
        char cls = byte_class[c];
        if (cls == '0') {
            p++;
            continue;
        }
        if (cls == '2') {
            size_t k = utf8_len(p, end);
            if (!k) return TPA_ERR_FORMAT;
            p += k;
            continue;
        }
        if (p > run && (rc = put(w, (const char *)run, (size_t)(p - run))) != 0) return rc;
        /* \b \t \n \f \r for 8, 9, 10, 12, 13; else \u00XX (and '"', '\\' as they are) */
        static const char short_esc[] = "uuuuuuuubtnufruuuuuuuuuuuuuuuuuu";
        char e[6] = {'\\', (char)c, '0', '0', hex[c >> 4 & 15], hex[c & 15]};
        size_t k = 2;
        if (c < 0x20) {
            e[1] = short_esc[c];
            if (e[1] == 'u') k = 6;
        }
        rc = put(w, e, k);
        run = ++p;
    }
    if (!rc && p > run) rc = put(w, (const char *)run, (size_t)(p - run));
    return rc ? rc : put_c(w, '"');
}

static int value(wr_t *w, const json_t *j, int depth);

/* The generated array standing for the empty array j, or NULL. */
static const tpa_json_out_lazy_t *lazy_for(const wr_t *w, const json_t *j)
{
    for (size_t i = 0; i < w->nlazy; i++)
        if (w->lazy[i].at == j) return &w->lazy[i];
    return NULL;
}

/* Writes the elements of a generated array, one in memory at a time. */
static int lazy_items(wr_t *w, const tpa_json_out_lazy_t *lz, int depth)
{
    int rc;
    if ((rc = newline(w, depth + 1)) != 0) return rc;
    for (size_t i = 0; i < lz->n; i++) {
        json_t *e = lz->item(lz->ud, i);
        if (!e) return TPA_ERR_NOMEM;
        rc = value(w, e, depth + 1);
        json_decref(e);
        if (rc) return rc;
        if ((rc = i + 1 < lz->n ? comma(w, depth + 1) : newline(w, depth)) != 0) return rc;
    }
    return put_c(w, ']');
}

static int value(wr_t *w, const json_t *j, int depth)
{
    int rc;
    if (!j) return TPA_ERR_FORMAT;
    switch (json_typeof(j)) {
    case JSON_NULL:
        return put(w, "null", 4);
    case JSON_TRUE:
        return put(w, "true", 4);
    case JSON_FALSE:
        return put(w, "false", 5);
    case JSON_INTEGER:
        if ((rc = room(w, TPA_JSON_OUT_NUM_MAX)) != 0) return rc;
        w->n += tpa_json_out_int(json_integer_value(j), w->b + w->n);
        return 0;
    case JSON_REAL:
        if ((rc = room(w, TPA_JSON_OUT_NUM_MAX)) != 0) return rc;
        w->n += tpa_json_out_real(json_real_value(j), w->b + w->n);
        return 0;
    case JSON_STRING:
        return string(w, json_string_value(j), json_string_length(j));
    case JSON_ARRAY: {
        size_t n = json_array_size(j);
        if (depth >= TPA_JSON_OUT_MAX_DEPTH) return TPA_ERR_FORMAT;
        if ((rc = put_c(w, '[')) != 0) return rc;
        if (!n) {
            const tpa_json_out_lazy_t *lz = w->nlazy ? lazy_for(w, j) : NULL;
            return lz && lz->n ? lazy_items(w, lz, depth) : put_c(w, ']');
        }
        if ((rc = newline(w, depth + 1)) != 0) return rc;
        for (size_t i = 0; i < n; i++) {
            if ((rc = value(w, json_array_get(j, i), depth + 1)) != 0) return rc;
            if ((rc = i + 1 < n ? comma(w, depth + 1) : newline(w, depth)) != 0) return rc;
        }
        return put_c(w, ']');
    }
    case JSON_OBJECT: {
        void *it = json_object_iter((json_t *)j);
        if (depth >= TPA_JSON_OUT_MAX_DEPTH) return TPA_ERR_FORMAT;
        if ((rc = put_c(w, '{')) != 0) return rc;
        if (!it) return put_c(w, '}');
        if ((rc = newline(w, depth + 1)) != 0) return rc;
        while (it) {
            void *next = json_object_iter_next((json_t *)j, it);
            if ((rc = string(w, json_object_iter_key(it), json_object_iter_key_len(it))) != 0 ||
                (rc = w->indent ? put(w, ": ", 2) : put_c(w, ':')) != 0 ||
                (rc = value(w, json_object_iter_value(it), depth + 1)) != 0)
                return rc;
            if ((rc = next ? comma(w, depth + 1) : newline(w, depth)) != 0) return rc;
            it = next;
        }
        return put_c(w, '}');
    }
    default:
        return TPA_ERR_FORMAT;
    }
}

static int run(wr_t *w, const json_t *j, int indent)
{
    w->indent = indent < 0 ? 0 : indent > 31 ? 31 : indent;
    w->cap = BUF_SIZE;
    w->n = 0;
    w->b = malloc(w->cap);
    if (!w->b) return TPA_ERR_NOMEM;
    return value(w, j, 0);
}

int tpa_json_out_callback(const json_t *j, int indent, tpa_json_out_fn fn, void *ud)
{
    return tpa_json_out_callback_lazy(j, indent, NULL, 0, fn, ud);
}

int tpa_json_out_callback_lazy(const json_t *j, int indent, const tpa_json_out_lazy_t *lazy,
                               size_t nlazy, tpa_json_out_fn fn, void *ud)
{
    if (!fn || (nlazy && !lazy)) return TPA_ERR_INVALID;
    wr_t w = {.fn = fn, .ud = ud, .lazy = lazy, .nlazy = nlazy};
    int rc = run(&w, j, indent);
    if (!rc) rc = flush(&w);
    free(w.b);
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
    wr_t w = {0};
    int rc = run(&w, j, indent);
    if (!rc) rc = put_c(&w, '\0');
    if (rc) {
        free(w.b);
        return NULL;
    }
    if (len) *len = w.n - 1;
    char *t = realloc(w.b, w.n); /* give back the unused end of the last doubling */
    return t ? t : w.b;
}
