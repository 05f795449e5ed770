/* tpa_gw_buf.h - a growable byte buffer (always NUL-terminated when non-empty).
 * Zero-initialise; on allocation failure `failed` is set and further appends are
 * ignored, so callers check once at the end. */
#ifndef TPA_GW_BUF_H
#define TPA_GW_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct tpa_gw_buf {
    char *data; /* owned; NULL until the first append */
    size_t len, cap;
    bool failed;
} tpa_gw_buf_t;

void tpa_gw_buf_add(tpa_gw_buf_t *b, const void *p, size_t n);
void tpa_gw_buf_str(tpa_gw_buf_t *b, const char *s);
void tpa_gw_buf_printf(tpa_gw_buf_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees the data and zeroes *b. */
void tpa_gw_buf_free(tpa_gw_buf_t *b);

#endif
