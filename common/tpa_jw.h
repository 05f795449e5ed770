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

/* Containers: open one as a value (with its key), close the innermost. */
int tpa_jw_obj(tpa_jw_t *w, const char *key);
int tpa_jw_obj_end(tpa_jw_t *w);
int tpa_jw_arr(tpa_jw_t *w, const char *key);
int tpa_jw_arr_end(tpa_jw_t *w);

/* Scalars. tpa_jw_real writes as tpa_json_out_real; a NaN or infinity, which json_real
 * refuses (NULL), leaves the member out in both back-ends. */
int tpa_jw_null(tpa_jw_t *w, const char *key);
int tpa_jw_bool(tpa_jw_t *w, const char *key, bool v);
int tpa_jw_int(tpa_jw_t *w, const char *key, int64_t v);
int tpa_jw_real(tpa_jw_t *w, const char *key, double v);

/* A string as json_string(s) makes it: a string that is not UTF-8 leaves the member
 * (or array element) out, no error, as jansson's NULL value does. s NULL writes null. */
int tpa_jw_str(tpa_jw_t *w, const char *key, const char *s);
int tpa_jw_strn(tpa_jw_t *w, const char *key, const char *s, size_t len);

/* A string the caller vouches is UTF-8 (a name or number of ours), as
 * json_stringn_nocheck makes it: not checked in the tree; the text writer fails with
 * TPA_ERR_FORMAT if it is not UTF-8, as tpa_json_out does on such a tree. */
int tpa_jw_ascii(tpa_jw_t *w, const char *key, const char *s, size_t len);

/* Whether the len bytes at s are UTF-8 as jansson accepts it (json_stringn makes a
 * string of them): what tpa_jw_strn checks. */
bool tpa_jw_utf8(const char *s, size_t len);

/* A jansson value (borrowed): the tree takes a reference to it, the text is what
 * tpa_json_out writes for it. j NULL leaves the member out. */
int tpa_jw_json(tpa_jw_t *w, const char *key, const json_t *j);

#endif
