/* tpa_gw_jscan.h - find spans in JSON text without building a tree.
 *
 * The result document of a large capture is tens of MB; parsing it whole with
 * jansson costs ~10x its size in memory. The slice endpoints instead locate the
 * wanted array (one top-level member) and walk its elements as byte spans,
 * parsing one element at a time when they must look inside it.
 *
 * The scanner skips values structurally (strings with escapes, nesting by
 * brackets, numbers and literals by their characters); it checks bracket
 * balance and string termination but not full JSON grammar - elements are
 * validated when parsed. Nesting deeper than 256 levels is refused. All
 * functions are bounded by len and never read past it. Cost: O(len).
 */
#ifndef TPA_GW_JSCAN_H
#define TPA_GW_JSCAN_H

#include <stddef.h>

/* Skips whitespace then one value starting at text[pos]. Returns the offset just
 * past the value, or -1 when the text is malformed or truncated. */
long tpa_gw_jscan_skip(const char *text, size_t len, size_t pos);

/* In the JSON object `text`, finds the top-level member `key` (compared with the
 * raw key bytes; keys with escapes never match). On success stores the value's
 * span in *off and *vlen and returns 0; TPA_ERR_NOTFOUND if absent; TPA_ERR_FORMAT if
 * text is not a well-formed object at the top level. */
int tpa_gw_jscan_member(const char *text, size_t len, const char *key, size_t *off, size_t *vlen);

/* Calls cb for each element span of the JSON array `text` (whitespace trimmed), in
 * order. A non-zero return from cb stops the walk and is returned. Returns 0 when
 * done, TPA_ERR_FORMAT if text is not a well-formed array. */
int tpa_gw_jscan_array(const char *text, size_t len,
                       int (*cb)(const char *elem, size_t elen, void *ud), void *ud);

#endif
