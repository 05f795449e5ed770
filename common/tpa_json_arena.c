/* tpa_json_arena.c - bump allocation for jansson (see tpa_json_arena.h).
 *
 * Chunks double from 2 MiB to 32 MiB; a request over BIG_BLOCK goes to malloc (the
 * element array of a long JSON array, say), so a chunk is never mostly wasted. A free
 * checks the chunks newest first: there are at most a few dozen. */
#include "tpa_json_arena.h"

#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>

#define ALIGN 16
#define HUGE_PAGE (2u << 20)
#define FIRST_CHUNK (2u << 20)
#define MAX_CHUNK (32u << 20)
#define BIG_BLOCK (64u << 10)
#define MAX_CHUNKS 512

typedef struct {
    unsigned char *mem;
    size_t size;
} chunk_t;

static chunk_t chunks[MAX_CHUNKS]; /* reachable to the end: not a leak to LSan */
static size_t nchunks, used_bytes, reserved_bytes;
static unsigned char *cur, *end; /* free space of the newest chunk */
static bool enabled;

bool tpa_json_arena_owns(const void *p)
{
    const unsigned char *b = p;
    for (size_t i = nchunks; i-- > 0;)
        if (b >= chunks[i].mem && b < chunks[i].mem + chunks[i].size) return true;
    return false;
}

static bool new_chunk(void)
{
    if (nchunks == MAX_CHUNKS) return false;
    size_t size = nchunks ? chunks[nchunks - 1].size * 2 : FIRST_CHUNK;
    if (size > MAX_CHUNK) size = MAX_CHUNK;
    /* 2 MiB aligned, so the kernel can back it with transparent huge pages: one
     * fault per 2 MiB instead of per 4 KiB (a fifth of the document's build time).
     * From the heap, not a mapping of its own (tpa_bigmem): the leak checker scans
     * heap blocks reachable from chunks[] for the pointers jansson keeps in them. */
    unsigned char *m = aligned_alloc(HUGE_PAGE, size);
    if (!m) return false;
#ifdef MADV_HUGEPAGE
    (void)madvise(m, size, MADV_HUGEPAGE); /* advice only: fine if refused */
#endif
    chunks[nchunks].mem = m;
    chunks[nchunks].size = size;
    nchunks++;
    reserved_bytes += size;
    cur = m;
    end = m + size;
    return true;
}

static void *arena_malloc(size_t n)
{
    size_t need = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    if (need == 0) need = ALIGN;
    if (need > BIG_BLOCK) return malloc(n);
    if ((size_t)(end - cur) < need && !new_chunk()) return malloc(n);
    void *p = cur;
    cur += need;
    used_bytes += need;
    return p;
}

static void arena_free(void *p)
{
    if (p && !tpa_json_arena_owns(p)) free(p);
}

void tpa_json_arena_enable(void)
{
    if (enabled) return;
    enabled = true;
    json_set_alloc_funcs(arena_malloc, arena_free);
}

void tpa_json_arena_usage(size_t *used, size_t *reserved)
{
    if (used) *used = used_bytes;
    if (reserved) *reserved = reserved_bytes;
}
