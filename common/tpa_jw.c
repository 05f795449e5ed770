/* tpa_jw.c - the streaming JSON writer (see tpa_jw.h).
 *
 * Text: tokens go into one 64 KiB buffer handed on when full; per open container one
 * byte says whether it is an object and whether it has a member yet (the separator and
 * the layout before the next one). Strings are copied eight bytes at a time while
 * nothing needs escaping. O(size of the text).
 * Tree: the open containers on a stack; each value is attached to the innermost as it
 * is made (so keys keep the order of the calls, as jansson keeps insertion order).
 */
#include "tpa_jw.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"

#define BUF_SIZE (64 * 1024)

enum { LV_OBJ = 1, LV_MORE = 2 }; /* per open container */

struct tpa_jw {
    char *b; /* text */
    size_t n, cap;
    tpa_json_out_fn fn; /* NULL: b grows */
    void *ud;
    int indent;
    json_t **open; /* tree: the open containers (borrowed: root owns them), NULL for text */
    json_t *root;
    const char *key; /* pending key (tpa_jw_keyn) */
    size_t keylen;
    int err;
    bool slow;                /* the calls' fast paths are off: an error, a tree or a pending key */
    int depth;                /* open containers */
    tpa_json_out_memo_t memo; /* text: tpa_jw_fixed's whole part */
    bool top;                 /* the top value was begun */
    uint8_t lv[TPA_JSON_OUT_MAX_DEPTH + 1]; /* text: lv[depth] for the innermost */
};

tpa_jw_t *tpa_jw_new(int indent, tpa_json_out_fn fn, void *ud)
{
    tpa_jw_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->cap = BUF_SIZE;
    w->b = malloc(w->cap);
    if (!w->b) {
        free(w);
        return NULL;
    }
    w->fn = fn;
    w->ud = ud;
    w->indent = indent < 0 ? 0 : indent > 31 ? 31 : indent;
    return w;
}

tpa_jw_t *tpa_jw_new_tree(void)
{
    tpa_jw_t *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    w->slow = true;
    w->open = malloc(TPA_JSON_OUT_MAX_DEPTH * sizeof *w->open);
    if (!w->open) {
        free(w);
        return NULL;
    }
    return w;
}

void tpa_jw_destroy(tpa_jw_t **wp)
{
    if (!wp || !*wp) return;
    tpa_jw_t *w = *wp;
    free(w->b);
    free(w->open);
    json_decref(w->root);
    free(w);
    *wp = NULL;
}

bool tpa_jw_is_tree(const tpa_jw_t *w)
{
    return w->open != NULL;
}

int tpa_jw_error(const tpa_jw_t *w)
{
    return w->err;
}

/* No key pending any more. */
static inline void key_done(tpa_jw_t *w)
{
    w->key = NULL;
    w->slow = w->err || w->open;
}

static int fail(tpa_jw_t *w, int rc)
{
    if (!w->err) w->err = rc;
    w->slow = true;
    return w->err;
}

/* ---- text: buffer ---- */

static int flush(tpa_jw_t *w)
{
    if (w->n && w->fn(w->b, w->n, w->ud) != 0) return fail(w, TPA_ERR_IO);
    w->n = 0;
    return 0;
}

/* Makes room for k more bytes in b. */
static int room_slow(tpa_jw_t *w, size_t k)
{
    if (w->fn) {
        int rc = flush(w);
        if (rc || k <= w->cap) return rc;
    }
    size_t cap = w->cap * 2;
    while (cap - w->n < k)
        cap *= 2;
    char *nb = realloc(w->b, cap);
    if (!nb) return fail(w, TPA_ERR_NOMEM);
    w->b = nb;
    w->cap = cap;
    return 0;
}

static inline int room(tpa_jw_t *w, size_t k)
{
    return w->cap - w->n >= k ? 0 : room_slow(w, k);
}

static int put(tpa_jw_t *w, const char *s, size_t k)
{
    if (w->cap - w->n < k) {
        if (w->fn && k > w->cap / 2) { /* a long string: hand it on as it is */
            int rc = flush(w);
            if (rc) return rc;
            return w->fn(s, k, w->ud) != 0 ? fail(w, TPA_ERR_IO) : 0;
        }
        int rc = room_slow(w, k);
        if (rc) return rc;
    }
    memcpy(w->b + w->n, s, k);
    w->n += k;
    return 0;
}

static inline int put_c(tpa_jw_t *w, char c)
{
    if (w->n == w->cap) {
        int rc = room_slow(w, 1);
        if (rc) return rc;
    }
    w->b[w->n++] = c;
    return 0;
}

/* Indented layout: a newline and depth * indent spaces; nothing when compact. */
static int newline(tpa_jw_t *w, int depth)
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

/* ---- text: strings ---- */

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

/* Whether x has a byte that is not copied as it is: below 0x20, '"', '\\' or above
 * 0x7f (non-zero then). Per byte on its low 7 bits y, no carry between bytes: y + 0x60
 * reaches 0x80 when y >= 0x20, (y ^ c) + 0x7f when y != c; a good byte keeps its high
 * bit through all three and has none of its own. */
static inline uint64_t unplain(uint64_t x)
{
    const uint64_t ones = 0x0101010101010101ULL, highs = ones * 0x80, low7 = ones * 0x7f;
    uint64_t y = x & low7;
    uint64_t good =
        (y + ones * 0x60) & ((y ^ (ones * '"')) + low7) & ((y ^ (ones * '\\')) + low7) & ~x;
    return (good & highs) ^ highs;
}

/* Whether the n bytes at p are all copied as they are (a key: short, of known length):
 * overlapping 8- or 4-byte loads, no byte loop. */
static inline __attribute__((always_inline)) bool plain_all(const unsigned char *p, size_t n)
{
    uint64_t x, acc = 0;
    if (n >= 8) {
        size_t i = 0;
        for (; i + 8 < n; i += 8) {
            memcpy(&x, p + i, 8);
            acc |= unplain(x);
        }
        memcpy(&x, p + n - 8, 8);
        return !(acc | unplain(x));
    }
    if (n >= 4) {
        uint32_t a, b;
        memcpy(&a, p, 4);
        memcpy(&b, p + n - 4, 4);
        return !unplain((uint64_t)a | (uint64_t)b << 32);
    }
    if (!n) return true;
    /* one to three bytes (the middle one twice when two), the rest 'a' */
    x = 0x6161616161000000ULL | p[0] | (uint64_t)p[n / 2] << 8 | (uint64_t)p[n - 1] << 16;
    return !unplain(x);
}

/* Length of the prefix of p that is copied as it is (byte_class '0'): eight bytes at
 * a time while no byte is below 0x20, '"', '\\' or above 0x7f, the tail of fewer
 * than eight at once, byte by byte only from the word that has such a byte. */
static size_t plain_prefix(const unsigned char *p, size_t len)
{
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t x;
        memcpy(&x, p + i, 8);
        if (unplain(x)) break;
    }
    if (i + 8 > len && plain_all(p + i, len - i)) return len;
    while (i < len && byte_class[p[i]] == '0')
        i++;
    return i;
}

/* Whether the len bytes at s from plain on (the part before is plain) are UTF-8. */
static bool utf8_ok(const char *s, size_t len, size_t plain)
{
    const unsigned char *p = (const unsigned char *)s + plain,
                        *end = (const unsigned char *)s + len;
    while (p < end) {
        if (*p < 0x80) {
            p++;
            continue;
        }
        size_t k = utf8_len(p, end);
        if (!k) return false;
        p += k;
    }
    return true;
}

bool tpa_jw_utf8(const char *s, size_t len)
{
    return utf8_ok(s, len, plain_prefix((const unsigned char *)s, len));
}

/* memcpy of the short texts a document is made of (keys, numbers, names) without a
 * call: two overlapping 8-byte moves for 8 to 16 bytes, 16-byte ones up to 32. */
static inline void copy(char *o, const char *s, size_t n)
{
    if (n > 16 && n <= 32) {
        memcpy(o, s, 16);
        memcpy(o + n - 16, s + n - 16, 16);
    } else if (n >= 8 && n <= 16) {
        memcpy(o, s, 8);
        memcpy(o + n - 8, s + n - 8, 8);
    } else if (n >= 4 && n < 8) {
        memcpy(o, s, 4);
        memcpy(o + n - 4, s + n - 4, 4);
    } else if (n && n < 4) { /* the middle byte of three, else one twice */
        o[0] = s[0];
        o[n / 2] = s[n / 2];
        o[n - 1] = s[n - 1];
    } else if (n) {
        memcpy(o, s, n);
    }
}

/* copy for n at most 64: never a call. */
static inline __attribute__((always_inline)) void copy_short(char *o, const char *s, size_t n)
{
    if (n > 32) {
        memcpy(o, s, 32);
        memcpy(o + n - 32, s + n - 32, 32);
    } else if (n > 16) {
        memcpy(o, s, 16);
        memcpy(o + n - 16, s + n - 16, 16);
    } else if (n >= 8) {
        memcpy(o, s, 8);
        memcpy(o + n - 8, s + n - 8, 8);
    } else if (n >= 4) {
        memcpy(o, s, 4);
        memcpy(o + n - 4, s + n - 4, 4);
    } else if (n) { /* the middle byte of three, else one twice */
        o[0] = s[0];
        o[n / 2] = s[n / 2];
        o[n - 1] = s[n - 1];
    }
}

/* Writes the plain len bytes at s quoted (room for them reserved; len at most 64). */
static inline void quoted(tpa_jw_t *w, const char *s, size_t len)
{
    char *o = w->b + w->n;
    o[0] = '"';
    copy_short(o + 1, s, len);
    o[len + 1] = '"';
    w->n += len + 2;
}

/* Writes str quoted and escaped; its first plain bytes need no escaping. */
static int string(tpa_jw_t *w, const char *str, size_t len, size_t plain)
{
    static const char hex[] = "0123456789ABCDEF";
    const unsigned char *p = (const unsigned char *)str, *end = p + len, *run = p;
    if (plain == len && len <= 64 && len + 2 <= w->cap - w->n) { /* a short one: one copy */
        quoted(w, str, len);
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
            if (!k) return fail(w, TPA_ERR_FORMAT);
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

/* ---- text: structure ---- */

/* The value's key: *key (its length klen), or (NULL) the one given by tpa_jw_keyn,
 * then none pending. Returns its length. */
static inline size_t take_key(tpa_jw_t *w, const char **key, size_t klen)
{
    if (!*key && w->key) {
        *key = w->key;
        klen = w->keylen;
    }
    key_done(w);
    return klen & ~TPA_JW_KEY_PLAIN;
}

/* What comes before a value in the text: the separator and layout after the member
 * before (or after the opening bracket), then in an object the key and ':'. Every
 * case; lead below takes the common ones inline. */
static __attribute__((noinline)) int lead_slow(tpa_jw_t *w, const char *key, size_t klen)
{
    int d = w->depth, rc;
    bool plain = klen & TPA_JW_KEY_PLAIN;
    klen = take_key(w, &key, klen);
    if (!d) {
        if (w->top || key) return fail(w, TPA_ERR_INVALID);
        w->top = true;
        return 0;
    }
    uint8_t lv = w->lv[d];
    if (!(lv & LV_OBJ) != !key) return fail(w, TPA_ERR_INVALID);
    w->lv[d] = lv | LV_MORE;
    /* one reservation for ',', the layout and a plain key with its quotes and ": " */
    size_t pad = (size_t)d * (size_t)w->indent;
    if ((rc = room(w, 2 + pad + (key ? klen + 4 : 0))) != 0) return rc;
    char *o = w->b + w->n;
    if (lv & LV_MORE) *o++ = ',';
    if (w->indent) {
        *o++ = '\n';
        memset(o, ' ', pad);
        o += pad;
    }
    w->n = (size_t)(o - w->b);
    if (!key) return 0;
    if (!plain && !plain_all((const unsigned char *)key, klen)) { /* escapes, UTF-8 */
        if ((rc = string(w, key, klen, plain_prefix((const unsigned char *)key, klen))) != 0)
            return rc;
        return w->indent ? put(w, ": ", 2) : put_c(w, ':');
    }
    *o++ = '"';
    copy(o, key, klen);
    o += klen;
    *o++ = '"';
    *o++ = ':';
    if (w->indent) *o++ = ' ';
    w->n = (size_t)(o - w->b);
    return 0;
}

/* Room to reserve for a string of len bytes with its quotes: none for a long one
 * (string() hands it on by itself). */
#define SHORT(len) ((len) < 4096 ? (len) + 2 : 0)

/* The common cases of lead_slow, without a call: a text writer without an error, a
 * key known plain (a literal) in an object or no key (none pending) in an array, and
 * room for it and for extra more bytes (the value's, so the caller need not check).
 * Returns false, having changed nothing, in every other case. */
static inline __attribute__((always_inline)) bool lead_fast(tpa_jw_t *w, const char *key,
                                                            size_t klen, size_t extra)
{
    size_t d = (size_t)w->depth, n = klen & ~TPA_JW_KEY_PLAIN;
    uint8_t lv = w->lv[d]; /* lv[0] is 0: the top value goes the slow way */
    size_t pad = d * (size_t)w->indent;
    bool fast = !w->slow && pad <= 32 &&
                (key ? (klen & TPA_JW_KEY_PLAIN) && (lv & LV_OBJ) && n <= 64 : d && !(lv & LV_OBJ));
    if (!fast || w->cap - w->n < n + 6 + pad + extra) return false;
    char *o = w->b + w->n;
    *o = ',';
    o += (lv & LV_MORE) != 0;
    w->lv[d] = lv | LV_MORE;
    if (w->indent) {
        *o++ = '\n';
        copy_short(o, "                                ", pad);
        o += pad;
    }
    if (key) {
        *o++ = '"';
        copy_short(o, key, n);
        o += n;
        *o++ = '"';
        *o++ = ':';
        if (w->indent) *o++ = ' ';
    }
    w->n = (size_t)(o - w->b);
    return true;
}

/* lead_fast, else lead_slow and room for extra bytes. */
static inline __attribute__((always_inline)) int lead(tpa_jw_t *w, const char *key, size_t klen,
                                                      size_t extra)
{
    if (lead_fast(w, key, klen, extra)) return 0;
    int rc = lead_slow(w, key, klen);
    return rc ? rc : room(w, extra);
}

static int text_open(tpa_jw_t *w, const char *key, size_t klen, char c, uint8_t lv)
{
    int rc;
    if ((rc = lead(w, key, klen, 1)) != 0) return rc;
    if (w->depth >= TPA_JSON_OUT_MAX_DEPTH) return fail(w, TPA_ERR_FORMAT);
    w->b[w->n++] = c;
    w->lv[++w->depth] = lv;
    return 0;
}

static int text_close(tpa_jw_t *w, char c, uint8_t kind)
{
    int rc, d = w->depth;
    if (!d || (w->lv[d] & LV_OBJ) != kind || w->key) return fail(w, TPA_ERR_INVALID);
    if ((w->lv[d] & LV_MORE) && (rc = newline(w, d - 1)) != 0) return rc;
    w->depth--;
    return put_c(w, c);
}

/* ---- tree ---- */

/* Attaches v (a new reference, taken; NULL: the member is left out) to the innermost
 * container under key, or makes it the top value. */
static int attach(tpa_jw_t *w, const char *key, size_t klen, json_t *v)
{
    klen = take_key(w, &key, klen);
    if (!w->depth) {
        if (w->top || key) {
            json_decref(v);
            return fail(w, TPA_ERR_INVALID);
        }
        w->top = true;
        w->root = v;
        return 0;
    }
    json_t *c = w->open[w->depth - 1];
    if (!json_is_object(c) != !key) {
        json_decref(v);
        return fail(w, TPA_ERR_INVALID);
    }
    if (!v) return 0;
    int r = key ? json_object_setn_new_nocheck(c, key, klen, v) : json_array_append_new(c, v);
    return r < 0 ? fail(w, TPA_ERR_NOMEM) : 0;
}

static int tree_open(tpa_jw_t *w, const char *key, size_t klen, json_t *c)
{
    if (!c) return fail(w, TPA_ERR_NOMEM);
    if (w->depth >= TPA_JSON_OUT_MAX_DEPTH) {
        json_decref(c);
        return fail(w, TPA_ERR_FORMAT);
    }
    int rc = attach(w, key, klen, c);
    if (rc) return rc;
    w->open[w->depth++] = c;
    return 0;
}

static int tree_close(tpa_jw_t *w, bool obj)
{
    if (!w->depth || !json_is_object(w->open[w->depth - 1]) != !obj || w->key)
        return fail(w, TPA_ERR_INVALID);
    w->depth--;
    return 0;
}

/* ---- the calls ---- */

int tpa_jw_keyn(tpa_jw_t *w, const char *k, size_t len)
{
    if (w->err) return w->err;
    if (!k) return fail(w, TPA_ERR_INVALID);
    w->key = k;
    w->slow = true;
    w->keylen = len;
    return 0;
}

/* Each call below takes its common case (lead_fast) without a call or a register
 * saved, and leaves the rest to a function of its own (its _slow). */

/* Whether key, given without the plain flag (not a literal: a name of ours in a
 * variable), is plain after all: then *klen gets the flag and the _slow function
 * retries the fast path with it. */
static inline bool plain_key(const char *key, size_t *klen)
{
    if (!key || (*klen & TPA_JW_KEY_PLAIN) || *klen > 64 ||
        !plain_all((const unsigned char *)key, *klen))
        return false;
    *klen |= TPA_JW_KEY_PLAIN;
    return true;
}

static __attribute__((noinline)) int obj_slow(tpa_jw_t *w, const char *key, size_t klen)
{
    if (plain_key(key, &klen)) return tpa_jw_obj_k(w, key, klen);
    if (w->err) return w->err;
    return w->open ? tree_open(w, key, klen, json_object()) : text_open(w, key, klen, '{', LV_OBJ);
}

int tpa_jw_obj_k(tpa_jw_t *w, const char *key, size_t klen)
{
    if (w->depth < TPA_JSON_OUT_MAX_DEPTH && lead_fast(w, key, klen, 1)) {
        w->b[w->n++] = '{';
        w->lv[++w->depth] = LV_OBJ;
        return 0;
    }
    return obj_slow(w, key, klen);
}

/* The common case of text_close without a call (as lead_fast): false, nothing changed,
 * in every other case. */
static inline __attribute__((always_inline)) bool close_fast(tpa_jw_t *w, char c, uint8_t kind)
{
    size_t d = (size_t)w->depth;
    uint8_t lv = w->lv[d];
    if (w->slow || !d || (lv & LV_OBJ) != kind) return false;
    size_t pad = (d - 1) * (size_t)w->indent;
    if (pad > 32 || w->cap - w->n < pad + 2) return false;
    char *o = w->b + w->n;
    if ((lv & LV_MORE) && w->indent) {
        *o++ = '\n';
        copy_short(o, "                                ", pad);
        o += pad;
    }
    *o++ = c;
    w->n = (size_t)(o - w->b);
    w->depth--;
    return true;
}

static __attribute__((noinline)) int obj_end_slow(tpa_jw_t *w)
{
    if (w->err) return w->err;
    return w->open ? tree_close(w, true) : text_close(w, '}', LV_OBJ);
}

int tpa_jw_obj_end(tpa_jw_t *w)
{
    return close_fast(w, '}', LV_OBJ) ? 0 : obj_end_slow(w);
}

static __attribute__((noinline)) int arr_slow(tpa_jw_t *w, const char *key, size_t klen)
{
    if (plain_key(key, &klen)) return tpa_jw_arr_k(w, key, klen);
    if (w->err) return w->err;
    return w->open ? tree_open(w, key, klen, json_array()) : text_open(w, key, klen, '[', 0);
}

int tpa_jw_arr_k(tpa_jw_t *w, const char *key, size_t klen)
{
    if (w->depth < TPA_JSON_OUT_MAX_DEPTH && lead_fast(w, key, klen, 1)) {
        w->b[w->n++] = '[';
        w->lv[++w->depth] = 0;
        return 0;
    }
    return arr_slow(w, key, klen);
}

static __attribute__((noinline)) int arr_end_slow(tpa_jw_t *w)
{
    if (w->err) return w->err;
    return w->open ? tree_close(w, false) : text_close(w, ']', 0);
}

int tpa_jw_arr_end(tpa_jw_t *w)
{
    return close_fast(w, ']', 0) ? 0 : arr_end_slow(w);
}

/* A literal token ("null", "true", "false"). */
static int token(tpa_jw_t *w, const char *key, size_t klen, const char *t, size_t n)
{
    int rc = lead(w, key, klen, 5);
    if (rc) return rc;
    memcpy(w->b + w->n, t, 5); /* "null", "true": a fifth byte written over later */
    w->n += n;
    return 0;
}

static __attribute__((noinline)) int null_slow(tpa_jw_t *w, const char *key, size_t klen)
{
    if (plain_key(key, &klen)) return tpa_jw_null_k(w, key, klen);
    if (w->err) return w->err;
    return w->open ? attach(w, key, klen, json_null()) : token(w, key, klen, "null", 4);
}

int tpa_jw_null_k(tpa_jw_t *w, const char *key, size_t klen)
{
    if (!lead_fast(w, key, klen, 4)) return null_slow(w, key, klen);
    memcpy(w->b + w->n, "null", 4);
    w->n += 4;
    return 0;
}

static __attribute__((noinline)) int bool_slow(tpa_jw_t *w, const char *key, size_t klen, bool v)
{
    if (plain_key(key, &klen)) return tpa_jw_bool_k(w, key, klen, v);
    if (w->err) return w->err;
    if (w->open) return attach(w, key, klen, json_boolean(v));
    return v ? token(w, key, klen, "true", 4) : token(w, key, klen, "false", 5);
}

int tpa_jw_bool_k(tpa_jw_t *w, const char *key, size_t klen, bool v)
{
    if (!lead_fast(w, key, klen, 5)) return bool_slow(w, key, klen, v);
    memcpy(w->b + w->n, v ? "true" : "false", 5); /* "true": its NUL written over later */
    w->n += v ? 4 : 5;
    return 0;
}

/* The text of v after the lead (room reserved). */
static __attribute__((noinline)) int int_text(tpa_jw_t *w, int64_t v)
{
    w->n += tpa_json_out_int(v, w->b + w->n);
    return 0;
}

static __attribute__((noinline)) int int_slow(tpa_jw_t *w, const char *key, size_t klen, int64_t v)
{
    int rc;
    if (plain_key(key, &klen)) return tpa_jw_int_k(w, key, klen, v);
    if (w->err) return w->err;
    if (w->open) {
        json_t *j = json_integer((json_int_t)v);
        return j ? attach(w, key, klen, j) : fail(w, TPA_ERR_NOMEM);
    }
    if ((rc = lead(w, key, klen, TPA_JSON_OUT_NUM_MAX)) != 0) return rc;
    return int_text(w, v);
}

int tpa_jw_int_k(tpa_jw_t *w, const char *key, size_t klen, int64_t v)
{
    if (!lead_fast(w, key, klen, TPA_JSON_OUT_NUM_MAX)) return int_slow(w, key, klen, v);
    if ((uint64_t)v >= 10) return int_text(w, v);
    w->b[w->n++] = (char)('0' + v); /* counters: mostly 0 */
    return 0;
}

int tpa_jw_real_k(tpa_jw_t *w, const char *key, size_t klen, double v)
{
    int rc;
    if (w->err) return w->err;
    if (!isfinite(v)) { /* json_real refuses it: the member is left out */
        key_done(w);
        return 0;
    }
    if (w->open) {
        json_t *j = json_real(v);
        return j ? attach(w, key, klen, j) : fail(w, TPA_ERR_NOMEM);
    }
    if ((rc = lead(w, key, klen, TPA_JSON_OUT_NUM_MAX)) != 0) return rc;
    w->n += tpa_json_out_real(v, w->b + w->n);
    return 0;
}

/* A string member in the text: one scan of s when it needs no escaping (the common
 * case: copied at once), else the general way. check: one not UTF-8 is left out
 * (tpa_jw_strn); else string() fails on it (tpa_jw_ascii). */
static int text_string(tpa_jw_t *w, const char *key, size_t klen, const char *s, size_t len,
                       bool check)
{
    int rc;
    if (len < 4096 && plain_all((const unsigned char *)s, len)) {
        if ((rc = lead(w, key, klen, len + 2)) != 0) return rc;
        return string(w, s, len, len);
    }
    size_t plain = plain_prefix((const unsigned char *)s, len);
    if (check && plain < len && !utf8_ok(s, len, plain)) {
        key_done(w);
        return 0;
    }
    if ((rc = lead(w, key, klen, SHORT(len))) != 0) return rc;
    return string(w, s, len, plain);
}

/* The text of n / 10^digits after the lead (room reserved). */
static __attribute__((noinline)) int fixed_text(tpa_jw_t *w, int64_t n, unsigned digits)
{
    w->n += tpa_json_out_fixed(n, digits, w->b + w->n, &w->memo);
    return 0;
}

static __attribute__((noinline)) int fixed_slow(tpa_jw_t *w, const char *key, size_t klen,
                                                int64_t n, unsigned digits)
{
    int rc;
    if (plain_key(key, &klen)) return tpa_jw_fixed_k(w, key, klen, n, digits);
    if (w->err) return w->err;
    if (w->open) return tpa_jw_real_k(w, key, klen, (double)n / tpa_json_out_pow10(digits));
    if ((rc = lead(w, key, klen, TPA_JSON_OUT_NUM_MAX)) != 0) return rc;
    return fixed_text(w, n, digits);
}

int tpa_jw_fixed_k(tpa_jw_t *w, const char *key, size_t klen, int64_t n, unsigned digits)
{
    if (!lead_fast(w, key, klen, TPA_JSON_OUT_NUM_MAX)) return fixed_slow(w, key, klen, n, digits);
    return fixed_text(w, n, digits);
}

/* Whether s (len bytes) is a short string copied as it is (the fast path of a string
 * call: the lead and the quoted copy, no call). */
static inline __attribute__((always_inline)) bool plain_short(const char *s, size_t len)
{
    return len <= 64 && plain_all((const unsigned char *)s, len);
}

static __attribute__((noinline)) int strn_slow(tpa_jw_t *w, const char *key, size_t klen,
                                               const char *s, size_t len)
{
    if (plain_key(key, &klen)) return tpa_jw_strn_k(w, key, klen, s, len);
    if (w->err) return w->err;
    if (!s) return tpa_jw_null_k(w, key, klen);
    if (w->open) return attach(w, key, klen, json_stringn(s, len)); /* NULL: not UTF-8, out */
    return text_string(w, key, klen, s, len, true);
}

int tpa_jw_strn_k(tpa_jw_t *w, const char *key, size_t klen, const char *s, size_t len)
{
    if (!s || w->open || !plain_short(s, len) || !lead_fast(w, key, klen, len + 2))
        return strn_slow(w, key, klen, s, len);
    quoted(w, s, len);
    return 0;
}

static __attribute__((noinline)) int ascii_slow(tpa_jw_t *w, const char *key, size_t klen,
                                                const char *s, size_t len)
{
    if (plain_key(key, &klen)) return tpa_jw_ascii_k(w, key, klen, s, len);
    if (w->err) return w->err;
    if (w->open) {
        json_t *j = json_stringn_nocheck(s, len);
        return j ? attach(w, key, klen, j) : fail(w, TPA_ERR_NOMEM);
    }
    return text_string(w, key, klen, s, len, false);
}

int tpa_jw_ascii_k(tpa_jw_t *w, const char *key, size_t klen, const char *s, size_t len)
{
    if (w->open || !plain_short(s, len) || !lead_fast(w, key, klen, len + 2))
        return ascii_slow(w, key, klen, s, len);
    quoted(w, s, len);
    return 0;
}

/* The id's text after the lead (room reserved; plen at most 16, prefix plain). */
static __attribute__((noinline)) int id_text(tpa_jw_t *w, const char *prefix, size_t plen,
                                             uint64_t n)
{
    char *o = w->b + w->n;
    *o++ = '"';
    copy_short(o, prefix, plen);
    o += plen;
    o += tpa_json_out_int((int64_t)n, o);
    *o++ = '"';
    w->n = (size_t)(o - w->b);
    return 0;
}

static __attribute__((noinline)) int id_slow(tpa_jw_t *w, const char *key, size_t klen,
                                             const char *prefix, size_t plen, uint64_t n)
{
    char b[16 + TPA_JSON_OUT_NUM_MAX];
    size_t k = plen & ~TPA_JW_KEY_PLAIN;
    if (k > 16) k = 16;
    memcpy(b, prefix, k);
    k += tpa_json_out_int((int64_t)n, b + k);
    return tpa_jw_ascii_k(w, key, klen, b, k);
}

int tpa_jw_id_k(tpa_jw_t *w, const char *key, size_t klen, const char *prefix, size_t plen,
                uint64_t n)
{
    size_t k = plen & ~TPA_JW_KEY_PLAIN;
    if (!(plen & TPA_JW_KEY_PLAIN) || k > 16 ||
        !lead_fast(w, key, klen, k + 2 + TPA_JSON_OUT_NUM_MAX))
        return id_slow(w, key, klen, prefix, plen, n);
    return id_text(w, prefix, k, n);
}

int tpa_jw_json(tpa_jw_t *w, const char *key, const json_t *j)
{
    if (w->err) return w->err;
    if (!j) {
        key_done(w);
        return 0;
    }
    if (w->open) return attach(w, key, tpa_jw_klen(key), json_incref((json_t *)j));
    if (key) {
        int rc = tpa_jw_keyn(w, key, strlen(key));
        if (rc) return rc;
    }
    return tpa_json_out_jw(j, NULL, 0, w);
}

/* ---- the end ---- */

int tpa_jw_finish(tpa_jw_t *w)
{
    if (w->err) return w->err;
    if (w->depth || w->key) return fail(w, TPA_ERR_INVALID);
    return w->fn ? flush(w) : 0;
}

char *tpa_jw_take_text(tpa_jw_t *w, size_t *len)
{
    if (w->open || w->fn || tpa_jw_finish(w) || put_c(w, '\0')) return NULL;
    if (len) *len = w->n - 1;
    char *t = realloc(w->b, w->n); /* give back the unused end of the last doubling */
    if (!t) t = w->b;
    w->b = NULL;
    w->n = w->cap = 0;
    w->err = TPA_ERR_INVALID; /* nothing more to write into */
    w->slow = true;
    return t;
}

json_t *tpa_jw_take_tree(tpa_jw_t *w)
{
    if (!w->open || tpa_jw_finish(w)) return NULL;
    json_t *r = w->root;
    w->root = NULL;
    return r;
}
