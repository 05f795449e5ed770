/* tpa_gw_csv.h - CSV export of result tables (RFC 4180).
 *
 * Columns are the union of the items' keys in first-seen order; nested objects
 * are flattened with dotted names ("a_to_b.packets", "tunnel.teid"), except an
 * object whose own keys contain '.', which stays one JSON cell. Arrays become a
 * compact JSON cell. Records end with CRLF. A field is quoted when it contains a
 * comma, a double quote, CR or LF, or starts or ends with a space; quotes inside
 * are doubled. Text cells starting with = + - @ TAB or CR get a leading ' so a
 * spreadsheet does not evaluate them as formulas (numbers are never altered).
 */
#ifndef TPA_GW_CSV_H
#define TPA_GW_CSV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "tpa_gw_buf.h"

/* Appends one field (s, n bytes) with the quoting above. text enables the formula
 * guard. */
void tpa_gw_csv_field(tpa_gw_buf_t *b, const char *s, size_t n, bool text);

/* Appends the cell for a JSON value: strings as text, integers in decimal, reals
 * with up to 6 decimals (trailing zeros trimmed), true/false, null or NULL as an
 * empty cell, arrays/objects as compact JSON text. */
void tpa_gw_csv_value(tpa_gw_buf_t *b, const json_t *v);

/* A column set being collected: names in first-seen order. */
typedef struct tpa_gw_csv_cols {
    json_t *names; /* array of strings (owned) */
    json_t *seen;  /* object used as a set (owned) */
} tpa_gw_csv_cols_t;

/* Starts an empty set. Returns 0 or TPA_ERR_NOMEM. */
int tpa_gw_csv_cols_init(tpa_gw_csv_cols_t *c);
/* Adds the columns of one item (an object, borrowed). Returns 0 or TPA_ERR_NOMEM. */
int tpa_gw_csv_cols_add(tpa_gw_csv_cols_t *c, const json_t *item);
void tpa_gw_csv_cols_fini(tpa_gw_csv_cols_t *c);

/* The column list for items (an array of objects, borrowed): a new array of
 * strings (caller decrefs), NULL on allocation failure. */
json_t *tpa_gw_csv_columns(const json_t *items);

/* Appends the header record / one data record (ends with CRLF). */
void tpa_gw_csv_header(tpa_gw_buf_t *b, const json_t *columns);
void tpa_gw_csv_row(tpa_gw_buf_t *b, const json_t *item, const json_t *columns);

#endif
