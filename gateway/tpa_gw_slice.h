/* tpa_gw_slice.h - filter, sort and page an array of JSON objects (the result
 * document's flows, transactions, ues, findings) for the REST slices.
 *
 *   q      case-insensitive substring matched against the item's string values
 *          (nested objects and arrays included, 4 levels deep) and the decimal text
 *          of its integers, so q=5060 finds port 5060. Empty = everything.
 *   sort   a field name, dotted for nested fields ("a_to_b.bytes"); prefix '-'
 *          for descending. Numbers compare numerically, strings bytewise,
 *          false < true; items where the field is missing or null come last in
 *          both directions. The sort is stable (ties keep document order).
 *   offset/limit  the page, applied after filtering and sorting.
 *
 * Cost: O(n) to filter, O(m log m) to sort the m matches; with neither q nor sort
 * no element is parsed.
 */
#ifndef TPA_GW_SLICE_H
#define TPA_GW_SLICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tpa_gw_buf.h"

typedef struct tpa_gw_slice_opts {
    const char *q;    /* NULL or "" = no filter */
    const char *sort; /* NULL or "" = document order */
    size_t offset;
    size_t limit;
} tpa_gw_slice_opts_t;

/* A byte span of one array element inside the caller's text. */
typedef struct tpa_gw_span {
    const char *p;
    size_t n;
} tpa_gw_span_t;

/* Selects elements of the JSON array `text` (len bytes, borrowed) as described
 * above, without parsing the elements: q is matched and the sort field located on
 * the raw text (tpa_gw_jscan.h), and only sort values are parsed, so memory is
 * O(elements) small entries. On success *spans is a malloc'd array (caller frees;
 * NULL when *n is 0) of *n spans pointing into text, and *total the number of
 * matches before paging. Returns 0, TPA_ERR_FORMAT (text is not a well-formed
 * array) or TPA_ERR_NOMEM. Elements are not validated beyond the scanner's checks. */
int tpa_gw_slice_select(const char *text, size_t len, const tpa_gw_slice_opts_t *o,
                        tpa_gw_span_t **spans, size_t *n, size_t *total);

/* tpa_gw_slice_select, then appends "[e1,e2,...]" (the elements verbatim) to out. */
int tpa_gw_slice_text(const char *text, size_t len, const tpa_gw_slice_opts_t *o, tpa_gw_buf_t *out,
                      size_t *total);

/* True when q is NULL/empty or found in item as described above. */
bool tpa_gw_slice_match(const json_t *item, const char *q);

/* Looks up a dotted field path in obj: at each level the whole remaining path is
 * tried as a key first, then the part before the first '.'. Returns a borrowed
 * value or NULL. */
json_t *tpa_gw_json_path(const json_t *obj, const char *path);

/* Sort order of two field values (either may be NULL = missing): <0, 0, >0, with
 * missing/null after everything else. desc reverses only the present values. */
int tpa_gw_slice_compare(const json_t *a, const json_t *b, bool desc);

#endif
