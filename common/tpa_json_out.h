/* tpa_json_out.h - writes a jansson tree as JSON text, several times faster than
 * json_dump* on documents of many small values (the result document).
 *
 * The text is what json_dumps(j, JSON_REAL_PRECISION(16) | JSON_COMPACT) writes, or
 * with indent > 0 what JSON_INDENT(indent) writes (keys in insertion order, strings
 * escaped alike: '"', '\\', \b \f \n \r \t, other control characters as \u00XX,
 * everything else as its UTF-8), with one difference, in reals only:
 *
 *   - a real within 2^32 of zero that is the double nearest to a decimal with at most
 *     6 fractional digits is written as that decimal, in its shortest form: "0.1",
 *     "1700000000.123456", "2.0", "-0.0". The project's reals are of that kind
 *     (timestamps are integer microseconds / 1e6, latencies microseconds / 1000), and
 *     the text reads back as exactly the same double. "%.16g" would write the same
 *     digits except where it shows binary noise in the 16th digit (9.123456000000001).
 *   - any other real as jansson writes it with precision 16: "%.16g", ".0" appended
 *     when it has neither '.' nor 'e', the exponent without '+' or leading zeros
 *     (0.3333333333333333, 1e-7, 1e16).
 *
 * Like json_dumps, it fails (returns an error, writes a prefix) on a string that is
 * not UTF-8 (only json_*_nocheck can make one) and on nesting deeper than
 * TPA_JSON_OUT_MAX_DEPTH (which also stops a reference cycle).
 */
#ifndef TPA_JSON_OUT_H
#define TPA_JSON_OUT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TPA_JSON_OUT_MAX_DEPTH 2048

/* Room a number needs in tpa_json_out_real / tpa_json_out_int, with the NUL. */
#define TPA_JSON_OUT_NUM_MAX 32

/* Receives the text in pieces; returns 0, or non-zero to stop writing. */
typedef int (*tpa_json_out_fn)(const char *buf, size_t len, void *ud);

/* Writes j (any JSON value) through fn in pieces of 64 KiB (a longer string at
 * once). indent: 0 for one line without spaces (JSON_COMPACT), 1-31 for
 * JSON_INDENT(indent). Returns 0, TPA_ERR_IO when fn stopped it, TPA_ERR_FORMAT (a
 * string not UTF-8, too deep), TPA_ERR_NOMEM or TPA_ERR_INVALID (fn NULL). No
 * trailing newline. */
int tpa_json_out_callback(const json_t *j, int indent, tpa_json_out_fn fn, void *ud);

/* A long array written as it is generated instead of held in the tree: where the
 * writer meets the (empty) array `at` it writes n elements. Element i is either
 *   - written as text: write(ud, i, w) makes the calls of one value (key NULL) on the
 *     streaming writer w (tpa_jw.h) and returns 0 or an error that stops the writing;
 *     no jansson value needs to exist. Used when write is not NULL.
 *   - or item(ud, i), a new reference the writer releases once written, so only one
 *     element exists at a time. item returns NULL when out of memory (the write fails
 *     with TPA_ERR_NOMEM). */
struct tpa_jw;
typedef json_t *(*tpa_json_out_item_fn)(void *ud, size_t i);
typedef int (*tpa_json_out_write_fn)(void *ud, size_t i, struct tpa_jw *w);
typedef struct tpa_json_out_lazy {
    const json_t *at; /* an empty array in the tree, found by identity */
    size_t n;
    tpa_json_out_item_fn item;
    void *ud;
    tpa_json_out_write_fn write; /* NULL: item */
} tpa_json_out_lazy_t;

/* tpa_json_out_callback with nlazy generated arrays (lazy may be NULL when 0). The
 * text is the one the tree with those arrays filled would give. */
int tpa_json_out_callback_lazy(const json_t *j, int indent, const tpa_json_out_lazy_t *lazy,
                               size_t nlazy, tpa_json_out_fn fn, void *ud);

/* Writes j through the streaming writer w (tpa_jw.h) as one value (the key, if any,
 * given before with tpa_jw_keyn), with nlazy generated arrays. Returns 0 or the
 * writer's error (TPA_ERR_FORMAT also for j NULL). With a text writer this is what the
 * functions above write. */
int tpa_json_out_jw(const json_t *j, const tpa_json_out_lazy_t *lazy, size_t nlazy,
                    struct tpa_jw *w);

/* Writes j to f (buffered here, then fwrite). Returns 0, TPA_ERR_IO (errno set by the
 * failed write), TPA_ERR_FORMAT or TPA_ERR_NOMEM. No trailing newline. */
int tpa_json_out_file(const json_t *j, int indent, FILE *f);
int tpa_json_out_file_lazy(const json_t *j, int indent, const tpa_json_out_lazy_t *lazy,
                           size_t nlazy, FILE *f);

/* j as a NUL-terminated string, its length in *len when len is not NULL; the caller
 * frees it with free(). NULL when out of memory or on a TPA_ERR_FORMAT case. */
char *tpa_json_out_dumps(const json_t *j, int indent, size_t *len);

/* Writes v as above into buf (TPA_JSON_OUT_NUM_MAX bytes), NUL-terminated; returns
 * its length. A NaN or infinity (jansson holds none) is written as null. */
size_t tpa_json_out_real(double v, char *buf);

/* 10^k as a double (exact for k up to 22): 1000.0 for 3, 1e6 for 6. */
double tpa_json_out_pow10(unsigned k);

/* Writes what tpa_json_out_real writes for the double n / tpa_json_out_pow10(digits)
 * (e.g. (double)us / 1e6), without that double where it can: a whole number of
 * microseconds (digits 6) or milliseconds of microseconds (3) is written by integer
 * arithmetic alone (below 2^32 a double's nearest decimal of six fractional digits is
 * the one it came from). Returns the length, buf NUL-terminated. memo (zeroed before
 * first use; NULL for none) keeps the text of the two whole parts written last for the
 * next calls: the timestamps of one capture mostly share their whole seconds. */
typedef struct tpa_json_out_memo {
    uint64_t whole[2]; /* the two whole parts (of a million or more) written last */
    uint8_t len[2];    /* the length of their text, 0 when none yet */
    uint8_t next;      /* the one to replace */
    char text[2][16];  /* their text (the rest of the 16 bytes unspecified) */
} tpa_json_out_memo_t;
size_t tpa_json_out_fixed(int64_t n, unsigned digits, char *buf, tpa_json_out_memo_t *memo);

/* Writes v in decimal into buf (TPA_JSON_OUT_NUM_MAX bytes), NUL-terminated; returns
 * its length. */
size_t tpa_json_out_int(int64_t v, char *buf);

#endif
