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
 * Cost: O(n) to filter, O(m log m) to sort the m matches.
 */
#ifndef TPA_GW_SLICE_H
#define TPA_GW_SLICE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

typedef struct tpa_gw_slice_opts {
    const char *q;    /* NULL or "" = no filter */
    const char *sort; /* NULL or "" = document order */
    size_t offset;
    size_t limit;
} tpa_gw_slice_opts_t;

/* Returns a new array (caller decrefs) of references to the selected items of
 * `items` (borrowed; a non-array counts as empty); *total receives the number of
 * matches before paging. NULL on allocation failure. */
json_t *tpa_gw_slice(const json_t *items, const tpa_gw_slice_opts_t *o, size_t *total);

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
