/* tpa_bigmem.c - arrays on transparent huge pages (see tpa_bigmem.h). */
#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include "tpa_bigmem.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

void *tpa_bigmem_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size) return NULL;
    size_t bytes = n * size;
    if (bytes < TPA_BIGMEM_MIN) return calloc(n ? n : 1, size ? size : 1);
    size_t whole = (bytes + TPA_BIGMEM_PAGE - 1) & ~(TPA_BIGMEM_PAGE - 1);
    void *p = NULL;
    if (posix_memalign(&p, TPA_BIGMEM_PAGE, whole) != 0) return NULL;
#ifdef MADV_HUGEPAGE
    (void)madvise(p, whole, MADV_HUGEPAGE); /* advice only: refused, pages stay small */
#endif
    memset(p, 0, bytes);
    return p;
}
