/* tpa_jw.h - a streaming JSON writer with two back-ends: text, or a jansson tree.
 *
 * Code that describes a JSON value once (begin an object, a key and an integer, ...)
 * gets either its text, written as it goes with no jansson value made, or the jansson
 * tree those calls stand for, from the same calls:
 *
 *   - text (tpa_jw_new): exactly what tpa_json_out writes for the tree (tpa_json_out.h:
 *     compact or indented, the same numbers, escaping and UTF-8 rules). The tree walker
 *     of tpa_json_out writes through this back-end: one emitter for both.
 *   - tree (tpa_jw_new_tree): what the equivalent jansson calls build, e.g.
 *     json_object_set_new_nocheck(o, key, json_string(s)) for tpa_jw_str.
 *
 * Every value call takes its key: the member's name inside an object (a string the
 * caller vouches is UTF-8: set without jansson's check in the tree, escaped in the
 * text), NULL inside an array or for the top value. A key may instead be given before
 * by tpa_jw_keyn (a key with a length), used by the next value call that passes NULL.
 * The caller keeps the key's bytes until that value call returns.
 *
 * Errors are sticky: the first one (TPA_ERR_NOMEM, TPA_ERR_IO when the text callback
 * stopped, TPA_ERR_FORMAT for a string not UTF-8 given as tpa_jw_ascii or nesting
 * deeper than TPA_JSON_OUT_MAX_DEPTH, TPA_ERR_INVALID for calls out of order: a member
 * without a key, an end that closes nothing or the other kind, a second top value)
 * is kept, every later call does nothing and returns it. Each call returns the
 * writer's error so far (0 when none).
 *
 * A key given twice in one object is written twice in the text (the tree keeps one):
 * callers do not do that.
 */
#ifndef TPA_JW_H
#define TPA_JW_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tpa_json_out.h"

typedef struct tpa_jw tpa_jw_t;

/* A text writer: compact (indent 0) or indented by indent (1-31) spaces, handing the
 * text to fn in pieces of up to 64 KiB (a longer string at once), or, fn NULL, keeping
 * it for tpa_jw_take_text. NULL when out of memory. */
tpa_jw_t *tpa_jw_new(int indent, tpa_json_out_fn fn, void *ud);

/* A tree writer (tpa_jw_take_tree). NULL when out of memory. */
tpa_jw_t *tpa_jw_new_tree(void);

/* Frees the writer and what it holds (the text or tree not taken); nulls *w. */
void tpa_jw_destroy(tpa_jw_t **w);

/* Whether w builds a tree. */
bool tpa_jw_is_tree(const tpa_jw_t *w);

/* The error so far, 0 when none. */
int tpa_jw_error(const tpa_jw_t *w);

/* Ends the writing: the rest of the text to fn (unless an error came first). Returns
 * the error, TPA_ERR_INVALID when a container is still open. */
int tpa_jw_finish(tpa_jw_t *w);

/* The text written so far (a writer made with fn NULL), NUL-terminated, its length in
 * *len when len is not NULL; the caller frees it with free(). NULL on an error. The
 * writer keeps nothing. */
char *tpa_jw_take_text(tpa_jw_t *w, size_t *len);

/* The tree's top value, a new reference the caller decrefs; NULL on an error or when
 * nothing was written. The writer keeps nothing. */
json_t *tpa_jw_take_tree(tpa_jw_t *w);

/* The key of the next value (when that value's call passes key NULL); k is borrowed
 * until then. For keys with a length (jansson allows a NUL in a key). */
int tpa_jw_keyn(tpa_jw_t *w, const char *k, size_t len);

/* The calls below take the key's length from the inline functions further down:
 * klen = strlen(key) (0 for NULL), or'd with TPA_JW_KEY_PLAIN when the key is known
 * to need no escaping (no control character, '"', '\\' or byte above 0x7f) - both
 * found at compile time for a literal key, so that the writer copies it as it is.
 * They are what those functions call; call them directly only with such a klen. */
#define TPA_JW_KEY_PLAIN ((size_t)1 << (sizeof(size_t) * 8 - 1))

int tpa_jw_obj_k(tpa_jw_t *w, const char *key, size_t klen);
int tpa_jw_arr_k(tpa_jw_t *w, const char *key, size_t klen);
int tpa_jw_null_k(tpa_jw_t *w, const char *key, size_t klen);
int tpa_jw_bool_k(tpa_jw_t *w, const char *key, size_t klen, bool v);
int tpa_jw_int_k(tpa_jw_t *w, const char *key, size_t klen, int64_t v);
int tpa_jw_real_k(tpa_jw_t *w, const char *key, size_t klen, double v);
int tpa_jw_fixed_k(tpa_jw_t *w, const char *key, size_t klen, int64_t n, unsigned digits);
int tpa_jw_strn_k(tpa_jw_t *w, const char *key, size_t klen, const char *s, size_t len);
int tpa_jw_ascii_k(tpa_jw_t *w, const char *key, size_t klen, const char *s, size_t len);
int tpa_jw_id_k(tpa_jw_t *w, const char *key, size_t klen, const char *prefix, size_t plen,
                uint64_t n);

/* The bytes a key must not hold to be copied as it is (the NUL ends it anyway). */
#define TPA_JW_KEY_ESCAPED                                                                         \
    "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10\x11\x12\x13\x14\x15\x16"     \
    "\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\"\\"                                                     \
    "\x80\x81\x82\x83\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\x8d\x8e\x8f\x90\x91\x92\x93\x94\x95"     \
    "\x96\x97\x98\x99\x9a\x9b\x9c\x9d\x9e\x9f\xa0\xa1\xa2\xa3\xa4\xa5\xa6\xa7\xa8\xa9\xaa\xab"     \
    "\xac\xad\xae\xaf\xb0\xb1\xb2\xb3\xb4\xb5\xb6\xb7\xb8\xb9\xba\xbb\xbc\xbd\xbe\xbf\xc0\xc1"     \
    "\xc2\xc3\xc4\xc5\xc6\xc7\xc8\xc9\xca\xcb\xcc\xcd\xce\xcf\xd0\xd1\xd2\xd3\xd4\xd5\xd6\xd7"     \
    "\xd8\xd9\xda\xdb\xdc\xdd\xde\xdf\xe0\xe1\xe2\xe3\xe4\xe5\xe6\xe7\xe8\xe9\xea\xeb\xec\xed"     \
    "\xee\xef\xf0\xf1\xf2\xf3\xf4\xf5\xf6\xf7\xf8\xf9\xfa\xfb\xfc\xfd\xfe\xff"

/* klen for key (above). The plain flag only where the compiler folds both counts
 * (a literal, optimised build); elsewhere the writer checks the key itself. */
static inline size_t tpa_jw_klen(const char *key)
{
    if (!key) return 0;
    size_t n = strlen(key);
#if defined(__GNUC__)
    if (__builtin_constant_p(n) && __builtin_constant_p(strcspn(key, TPA_JW_KEY_ESCAPED)) &&
        strcspn(key, TPA_JW_KEY_ESCAPED) == n)
        return n | TPA_JW_KEY_PLAIN;
#endif
    return n;
}

/* Containers: open one as a value (with its key), close the innermost. */
static inline int tpa_jw_obj(tpa_jw_t *w, const char *key)
{
    return tpa_jw_obj_k(w, key, tpa_jw_klen(key));
}
int tpa_jw_obj_end(tpa_jw_t *w);
static inline int tpa_jw_arr(tpa_jw_t *w, const char *key)
{
    return tpa_jw_arr_k(w, key, tpa_jw_klen(key));
}
int tpa_jw_arr_end(tpa_jw_t *w);

/* Scalars. tpa_jw_real writes as tpa_json_out_real; a NaN or infinity, which json_real
 * refuses (NULL), leaves the member out in both back-ends. */
static inline int tpa_jw_null(tpa_jw_t *w, const char *key)
{
    return tpa_jw_null_k(w, key, tpa_jw_klen(key));
}
static inline int tpa_jw_bool(tpa_jw_t *w, const char *key, bool v)
{
    return tpa_jw_bool_k(w, key, tpa_jw_klen(key), v);
}
static inline int tpa_jw_int(tpa_jw_t *w, const char *key, int64_t v)
{
    return tpa_jw_int_k(w, key, tpa_jw_klen(key), v);
}
static inline int tpa_jw_real(tpa_jw_t *w, const char *key, double v)
{
    return tpa_jw_real_k(w, key, tpa_jw_klen(key), v);
}

/* The real n / 10^digits: exactly tpa_jw_real(w, key, (double)n /
 * tpa_json_out_pow10(digits)) (e.g. microseconds as seconds: digits 6), its text made
 * by integer arithmetic (tpa_json_out_fixed). */
static inline int tpa_jw_fixed(tpa_jw_t *w, const char *key, int64_t n, unsigned digits)
{
    return tpa_jw_fixed_k(w, key, tpa_jw_klen(key), n, digits);
}

/* A string as json_string(s) makes it: a string that is not UTF-8 leaves the member
 * (or array element) out, no error, as jansson's NULL value does. s NULL writes null. */
static inline int tpa_jw_strn(tpa_jw_t *w, const char *key, const char *s, size_t len)
{
    return tpa_jw_strn_k(w, key, tpa_jw_klen(key), s, len);
}
static inline int tpa_jw_str(tpa_jw_t *w, const char *key, const char *s)
{
    return tpa_jw_strn_k(w, key, tpa_jw_klen(key), s, s ? strlen(s) : 0);
}

/* A string the caller vouches is UTF-8 (a name or number of ours), as
 * json_stringn_nocheck makes it: not checked in the tree; the text writer fails with
 * TPA_ERR_FORMAT if it is not UTF-8, as tpa_json_out does on such a tree. */
static inline int tpa_jw_ascii(tpa_jw_t *w, const char *key, const char *s, size_t len)
{
    return tpa_jw_ascii_k(w, key, tpa_jw_klen(key), s, len);
}

/* The string of prefix (a name of ours, its first 16 bytes at most) and then n in
 * decimal as tpa_json_out_int((int64_t)n) writes it ("t12", "ue3"): what tpa_jw_ascii
 * writes for that string, made in place when prefix is a plain literal. */
static inline int tpa_jw_id(tpa_jw_t *w, const char *key, const char *prefix, uint64_t n)
{
    return tpa_jw_id_k(w, key, tpa_jw_klen(key), prefix, tpa_jw_klen(prefix), n);
}

/* Whether the len bytes at s are UTF-8 as jansson accepts it (json_stringn makes a
 * string of them): what tpa_jw_strn checks. */
bool tpa_jw_utf8(const char *s, size_t len);

/* A jansson value (borrowed): the tree takes a reference to it, the text is what
 * tpa_json_out writes for it. j NULL leaves the member out. */
int tpa_jw_json(tpa_jw_t *w, const char *key, const json_t *j);

#endif
