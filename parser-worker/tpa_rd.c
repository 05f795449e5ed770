/* tpa_rd.c - out-of-line parts of the bounds-checked reader (see tpa_rd.h). */
#include "tpa_rd.h"

size_t tpa_rd_str(tpa_rd_t *r, size_t n, char *dst, size_t dstlen)
{
    const uint8_t *p = tpa_rd_span(r, n);
    size_t k = 0;
    if (dstlen == 0) return 0;
    if (p) {
        for (size_t i = 0; i < n && k + 1 < dstlen; i++) {
            if (p[i] == 0) break;
            dst[k++] = (char)p[i];
        }
    }
    dst[k] = '\0';
    return k;
}

bool tpa_rd_match(const tpa_rd_t *r, const void *p, size_t n)
{
    return tpa_rd_has(r, n) && memcmp(r->cur, p, n) == 0;
}
