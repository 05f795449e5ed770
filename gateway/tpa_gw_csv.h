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

/* A growable byte buffer. Zero-initialise; on allocation failure `failed` is set
 * and further appends are ignored. */
typedef struct tpa_gw_buf {
    char *data;
    size_t len, cap;
    bool failed;
} tpa_gw_buf_t;

void tpa_gw_buf_add(tpa_gw_buf_t *b, const void *p, size_t n);
void tpa_gw_buf_str(tpa_gw_buf_t *b, const char *s);
void tpa_gw_buf_free(tpa_gw_buf_t *b);

/* Appends one field (s, n bytes) with the quoting above. text enables the formula
 * guard. */
void tpa_gw_csv_field(tpa_gw_buf_t *b, const char *s, size_t n, bool text);

/* Appends the cell for a JSON value: strings as text, integers in decimal, reals
 * with up to 6 decimals (trailing zeros trimmed), true/false, null or NULL as an
 * empty cell, arrays/objects as compact JSON text. */
void tpa_gw_csv_value(tpa_gw_buf_t *b, const json_t *v);

/* The column list for items (an array of objects, borrowed): a new array of
 * strings (caller decrefs), NULL on allocation failure. */
json_t *tpa_gw_csv_columns(const json_t *items);

/* Appends the header record / one data record (ends with CRLF). */
void tpa_gw_csv_header(tpa_gw_buf_t *b, const json_t *columns);
void tpa_gw_csv_row(tpa_gw_buf_t *b, const json_t *item, const json_t *columns);

#endif
