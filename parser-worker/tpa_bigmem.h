/* tpa_bigmem.h - zeroed arrays of megabytes for tables probed at random.
 *
 * A hash table far larger than the caches (the transaction table, the identity
 * buckets and nodes of a big capture) costs a cache miss per probe, and with 4 KB
 * pages also a TLB miss and a page walk: the walk was as dear as the miss itself in
 * the joiner's profile. An array of at least TPA_BIGMEM_MIN bytes is therefore aligned
 * to 2 MB and advised to use transparent huge pages (madvise(MADV_HUGEPAGE), which is
 * what the common "madvise" setting of the system asks for); when the system does not
 * give them, it is an ordinary array. Smaller arrays are plain calloc.
 * Costs: a big array is a fresh mapping, zero without being written (its pages are
 * made on first touch); the last huge page may hold up to 2 MB beyond the array.
 */
#ifndef TPA_BIGMEM_H
#define TPA_BIGMEM_H

#include <stddef.h>

#define TPA_BIGMEM_PAGE ((size_t)2 << 20)
#define TPA_BIGMEM_MIN TPA_BIGMEM_PAGE

/* n zeroed elements of size bytes, or NULL (out of memory or overflow). The caller
 * owns it and frees it with tpa_bigmem_free(p, n, size), the same n and size. */
void *tpa_bigmem_calloc(size_t n, size_t size);

/* Frees p from tpa_bigmem_calloc(n, size) (NULL: nothing). */
void tpa_bigmem_free(void *p, size_t n, size_t size);

#endif
