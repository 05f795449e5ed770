/* tpa_intern.h - a pool of interned strings for the signalling layer, and its hash.
 *
 * Protocol, procedure, code, message and cause names and node addresses repeat in
 * every transaction: the tracker, the KPI table and the subscriber joiner keep one
 * pooled copy of each and compare them by pointer. A string from the pool stays valid
 * until the pool is destroyed.
 *
 * The pool is bounded: at most TPA_INTERN_MAX_STRINGS distinct strings of at most
 * TPA_INTERN_MAX_LEN bytes (longer ones are cut); once full, every new string maps to
 * the pooled "(other)", so garbage names from a hostile capture cannot grow memory.
 *
 * The hash multiplies and shifts eight bytes a step, started from a per-process
 * random seed (tpa_hash_seed), so tables keyed by packet data cannot be flooded with
 * collisions computed in advance. Nothing the result shows depends on hash order.
 * Costs: tpa_intern O(length) expected; a string given again at the same address
 * costs one strcmp against its pooled copy (a small memo by address), a literal of
 * the program nothing more than the memo's look-up (tpa_literal.h).
 */
#ifndef TPA_INTERN_H
#define TPA_INTERN_H

#include <stddef.h>
#include <stdint.h>

#define TPA_INTERN_MAX_STRINGS 262144 /* node addresses of big captures included */
#define TPA_INTERN_MAX_LEN 255
#define TPA_INTERN_OTHER "(other)"

typedef struct tpa_intern tpa_intern_t;

/* A new empty pool, or NULL. */
tpa_intern_t *tpa_intern_new(void);

/* Frees the pool and every string in it; nulls *p. */
void tpa_intern_destroy(tpa_intern_t **p);

/* The pooled copy of s (borrowed from the pool), or NULL when s is NULL or out of
 * memory. The same text always gives the same pointer. */
const char *tpa_intern(tpa_intern_t *p, const char *s);

/* As tpa_intern for the n bytes at s (no NUL needed; a NUL inside ends the string). */
const char *tpa_intern_n(tpa_intern_t *p, const char *s, size_t n);

/* Distinct strings held. */
size_t tpa_intern_count(const tpa_intern_t *p);

/* A random seed (getrandom, else time and address bits); never 0. */
uint64_t tpa_hash_seed(void);

/* A hash of the n bytes at s, from seed (eight bytes a step). */
uint64_t tpa_hash_bytes(uint64_t seed, const void *s, size_t n);

/* Mixes a 64-bit value into h (for pointers and numbers in a key). */
static inline uint64_t tpa_hash_mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h *= 0xff51afd7ed558ccdULL;
    return h ^ (h >> 33);
}

#endif
