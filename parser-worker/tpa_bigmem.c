/* tpa_bigmem.c - arrays on transparent huge pages (see tpa_bigmem.h). */
#define _GNU_SOURCE /* MADV_HUGEPAGE */
#include "tpa_bigmem.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

/* The bytes of a big array's mapping (a multiple of the huge page), or 0 for a small
 * one (calloc) or on overflow. */
static size_t mapped(size_t n, size_t size, bool *overflow)
{
    *overflow = size && n > SIZE_MAX / size;
    if (*overflow) return 0;
    size_t bytes = n * size;
    if (bytes < TPA_BIGMEM_MIN || bytes > SIZE_MAX - 2 * TPA_BIGMEM_PAGE) return 0;
    return (bytes + TPA_BIGMEM_PAGE - 1) & ~(TPA_BIGMEM_PAGE - 1);
}

void *tpa_bigmem_calloc(size_t n, size_t size)
{
    bool overflow;
    size_t whole = mapped(n, size, &overflow);
    if (overflow) return NULL;
    if (!whole) return calloc(n ? n : 1, size ? size : 1);
    /* one page more, then the unaligned head and the tail are given back */
    size_t len = whole + TPA_BIGMEM_PAGE;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) return NULL;
    uintptr_t a = ((uintptr_t)m + TPA_BIGMEM_PAGE - 1) & ~(uintptr_t)(TPA_BIGMEM_PAGE - 1);
    char *p = (char *)a;
    if (p > m) munmap(m, (size_t)(p - m));
    if (p + whole < m + len) munmap(p + whole, (size_t)(m + len - (p + whole)));
#ifdef MADV_HUGEPAGE
    (void)madvise(p, whole, MADV_HUGEPAGE); /* advice only: refused, pages stay small */
#endif
    return p;
}

void tpa_bigmem_free(void *p, size_t n, size_t size)
{
    if (!p) return;
    bool overflow;
    size_t whole = mapped(n, size, &overflow);
    if (whole)
        munmap(p, whole);
    else
        free(p);
}
