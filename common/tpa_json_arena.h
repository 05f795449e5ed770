/* tpa_json_arena.h - jansson allocations from a bump arena, for a process that builds
 * one large document and exits (`tpa analyze`).
 *
 * The result document of a big capture is millions of small jansson blocks (an object,
 * its hash table, a pair per key, a block per number and string); with malloc they
 * cost a quarter of the analysis of a 400k-packet capture. After
 * tpa_json_arena_enable() jansson takes its blocks from large chunks, one pointer
 * bump each, and a block freed back is dropped rather than reused: a block that came
 * from the arena is never handed back to the C library, one that did not (allocated
 * before the call, or too big for a chunk) is freed as before.
 *
 * Memory: the chunks live until the process exits; blocks freed while the arena is
 * on are not reused, so use it only where little is freed before exit (tpa analyze
 * frees under 4 % of the blocks it allocates). Not for long-running services.
 * Not thread-safe: enable it in a process whose jansson calls come from one thread.
 */
#ifndef TPA_JSON_ARENA_H
#define TPA_JSON_ARENA_H

#include <stdbool.h>
#include <stddef.h>

/* From now on jansson allocates from the arena. Idempotent. */
void tpa_json_arena_enable(void);

/* Bytes handed out from chunks, and bytes of chunks allocated (for tests). */
void tpa_json_arena_usage(size_t *used, size_t *reserved);

/* Whether p lies in one of the arena's chunks (for tests). */
bool tpa_json_arena_owns(const void *p);

#endif
