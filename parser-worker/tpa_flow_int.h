/* tpa_flow_int.h - the flow table's internals, for the lookup and count of a packet
 * inlined into the decoder (tpa_dec_flow, tpa_l4.c): a call there cost ~30 of the
 * ~190 instructions of a packet's flow. Not part of the contract: only tpa_flow.c
 * changes the table (tpa_flow.h); these read it and count one packet. */
#ifndef TPA_FLOW_INT_H
#define TPA_FLOW_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "tpa_flow.h"

/* Bits of a flow's index in its slab, in an index slot's place. */
#define TPA_FLOW_PLACE_BITS 9
_Static_assert(TPA_FLOW_SLAB_FLOWS <= 1u << TPA_FLOW_PLACE_BITS,
               "a flow's index in its slab fits its bits");
/* An index slot: hash bits of the key (its home slot is hash & mask) and the flow's
 * place (tpa_flow.c: place_of), 0 = empty. */
typedef struct tpa_flow_slot {
    uint32_t hash;
    uint32_t at;
} tpa_flow_slot_t;

/* Links of flow id i (ids, 0 = none): in an LRU list, or in a wheel bucket (then sec
 * is the bucket's second of capture time). */
typedef struct tpa_flow_node {
    uint32_t prev, next;
    int64_t sec;
} tpa_flow_node_t;

#define TPA_FLOW_WHEEL 4096 /* buckets per class, > the longest timeout in seconds + 2 */
_Static_assert(TPA_FLOW_TIMEOUT_TCP_US / 1000000 + 2 < TPA_FLOW_WHEEL,
               "the wheel spans every timeout");

typedef struct tpa_flow_lru {
    uint32_t head, tail;
} tpa_flow_lru_t;

struct tpa_flow_table {
    tpa_flow_slot_t *slots;
    size_t nslots; /* power of two; live <= 3/4 of it */
    size_t live;
    uint64_t seed;
    uint64_t secret[7]; /* tpa_flow_hash's per-table keys, from the seed */
    uint32_t next_id;
    uint64_t touches; /* LRU moves so far: the flows' touch stamps */
    /* lazy mode (wheel != NULL): flow f of class c waits in bucket
     * wheel[c][sec & (TPA_FLOW_WHEEL - 1)] for a second sec <= its last_us; none is below
     * cursor[c]; within class c the order of touch equals the order of last_us (cmax:
     * the highest last_us stamped in it), except for the flow `suspect`, stamped last
     * (a fragment's earlier time may precede its frame's own). */
    uint32_t (*wheel)[TPA_FLOW_WHEEL];
    int64_t cursor[TPA_FLOW_NCLS];
    int64_t cmax[TPA_FLOW_NCLS];
    tpa_flow_t *suspect;
    /* exact mode (wheel == NULL) */
    tpa_flow_lru_t lru[TPA_FLOW_NCLS];
    tpa_flow_t **byid;     /* [id] = flow, for ids 1 .. next_id - 1; [0] unused */
    tpa_flow_node_t *node; /* [id] = links of the flow (live flows only) */
    size_t capid;          /* entries of byid and node */
    unsigned char **slab;  /* [n] = flows n * TPA_FLOW_SLAB_FLOWS + 1 .. (n + 1) *
                              TPA_FLOW_SLAB_FLOWS, each TPA_FLOW_SLAB_BYTES bytes and aligned
                              to that */
    size_t nslab, capslab;
    unsigned char *standin; /* a slab of one flow for tpa_flow_table_standin, or NULL */
    tpa_flow_hook_fn on_finish, on_release;
    void *hook_ud;
};

/* 64-bit word i of a key (keys are 48 bytes: 6 words). */
static inline uint64_t tpa_flow_key_word(const tpa_flow_key_t *k, size_t i)
{
    uint64_t w;
    memcpy(&w, (const unsigned char *)k + 8 * i, sizeof w);
    return w;
}

_Static_assert(sizeof(tpa_flow_key_t) == 48,
               "tpa_flow_hash and tpa_flow_key_eq read a key as 6 words");

#ifdef __SIZEOF_INT128__
/* The high and low halves of a * b, folded. */
static inline uint64_t tpa_flow_fold(uint64_t a, uint64_t b)
{
    unsigned __int128 p = (unsigned __int128)a * b;
    return (uint64_t)p ^ (uint64_t)(p >> 64);
}

/* Three independent folded products of key words xor secret words, then one more:
 * the multiplications run in parallel, so the slot load starts a few cycles after the
 * key is made (a chain of six rounds took about three times as long). An IPv4 key
 * holds its addresses in one half of words 0 and 2 (the other halves and words 1 and
 * 3 are zero): both addresses make one word, and the context word joins the last
 * product, so such a key costs two products. Inline: every packet hashes a key or two. */
__attribute__((always_inline)) static inline uint64_t tpa_flow_hash(const tpa_flow_table_t *t,
                                                                    const tpa_flow_key_t *k)
{
    const uint64_t *s = t->secret;
    uint64_t h;
    if (k->family == 4) {
        uint64_t w2 = tpa_flow_key_word(k, 2),
                 addrs = tpa_flow_key_word(k, 0) ^ (w2 << 32 | w2 >> 32);
        h = tpa_flow_fold(addrs ^ s[0], tpa_flow_key_word(k, 4) ^ s[1]) ^ tpa_flow_key_word(k, 5);
    } else {
        h = tpa_flow_fold(tpa_flow_key_word(k, 0) ^ s[0], tpa_flow_key_word(k, 1) ^ s[1]) ^
            tpa_flow_fold(tpa_flow_key_word(k, 2) ^ s[2], tpa_flow_key_word(k, 3) ^ s[3]) ^
            tpa_flow_fold(tpa_flow_key_word(k, 4) ^ s[4], tpa_flow_key_word(k, 5) ^ s[5]);
    }
    return tpa_flow_fold(h ^ t->seed, s[6]);
}
#else
static inline uint64_t tpa_flow_mix(uint64_t h, uint64_t w)
{
    h ^= w;
    h *= 0x9E3779B97F4A7C15ULL;
    return h ^ (h >> 29);
}

static inline uint64_t tpa_flow_hash(const tpa_flow_table_t *t, const tpa_flow_key_t *k)
{
    uint64_t h = t->seed;
    h = tpa_flow_mix(h, tpa_flow_key_word(k, 0));
    h = tpa_flow_mix(h, tpa_flow_key_word(k, 1));
    h = tpa_flow_mix(h, tpa_flow_key_word(k, 2));
    h = tpa_flow_mix(h, tpa_flow_key_word(k, 3));
    h = tpa_flow_mix(h, tpa_flow_key_word(k, 4));
    h = tpa_flow_mix(h, tpa_flow_key_word(k, 5));
    h ^= h >> 32;
    h *= 0xD6E8FEB86659FD93ULL;
    h ^= h >> 32;
    return h;
}
#endif

static inline bool tpa_flow_key_eq(const tpa_flow_key_t *a, const tpa_flow_key_t *b)
{
    return memcmp(a, b, sizeof *a) == 0; /* expanded inline: three 16-byte compares */
}

/* The flow at place at (tpa_flow.c: place_of). */
static inline tpa_flow_t *tpa_flow_in(const tpa_flow_table_t *t, uint32_t at)
{
    size_t i = at - 1;
    return (tpa_flow_t *)(void *)(t->slab[i >> TPA_FLOW_PLACE_BITS] +
                                  (i & ((1u << TPA_FLOW_PLACE_BITS) - 1)) * sizeof(tpa_flow_t));
}

/* 32 bits of the key's hash: the slot's tag and (masked) its home. */
static inline uint32_t tpa_flow_hash32(const tpa_flow_table_t *t, const tpa_flow_key_t *k)
{
    return (uint32_t)(tpa_flow_hash(t, k) >> 32);
}

/* Whether the caller's guess is the live flow for k: its first key word turns down
 * most wrong guesses before the whole key is compared. */
static inline bool tpa_flow_hint_is(const tpa_flow_t *hint, const tpa_flow_key_t *k)
{
    return hint && tpa_flow_key_word(&hint->key, 0) == tpa_flow_key_word(k, 0) &&
           tpa_flow_key_eq(&hint->key, k) && !hint->finished;
}

/* The live flow for k (h: its hash bits) in the index, or NULL; *slot is then the
 * empty slot where it goes. */
__attribute__((always_inline)) static inline tpa_flow_t *
tpa_flow_find(const tpa_flow_table_t *t, const tpa_flow_key_t *k, uint32_t h, size_t *slot)
{
    size_t mask = t->nslots - 1, i = h & mask;
    const tpa_flow_slot_t *slots = t->slots;
    for (tpa_flow_slot_t s; (s = slots[i]).at; i = (i + 1) & mask) {
        if (s.hash != h) continue;
        tpa_flow_t *f = tpa_flow_in(t, s.at);
        /* the counters' line (TCP's per-segment state too) is written next: load it
         * along with the key's */
        __builtin_prefetch((const unsigned char *)f + 64, 1);
        if (tpa_flow_key_eq(&f->key, k)) return f;
    }
    *slot = i;
    return NULL;
}

/* tpa_flow_count_in's move of f in its class when the stamp alone is not the move (in
 * lazy mode with the order in doubt, or in exact mode); out of line (tpa_flow.c), so
 * that a packet's count makes no call. */
void tpa_flow_count_move(tpa_flow_table_t *t, tpa_flow_t *f);

/* tpa_flow_count, inline. */
static inline void tpa_flow_count_in(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint64_t pkts,
                                     uint64_t bytes, int64_t now_us)
{
    f->pkts[side & 1] += pkts;
    f->bytes[side & 1] += bytes;
    /* first_us <= last_us: a time past last_us cannot be below first_us, so the
     * rarely read line of first_us is read only for a time that is not */
    if (now_us > f->last_us)
        f->last_us = now_us;
    else if (now_us < tpa_flow_cold(f)->first_us)
        tpa_flow_cold(f)->first_us = now_us;
    f->touch = ++t->touches;
    if (t->wheel && !t->suspect && f->last_us >= t->cmax[f->cls])
        t->cmax[f->cls] = f->last_us; /* lazy: the stamp is the move */
    else
        tpa_flow_count_move(t, f);
}

/* tpa_flow_get_count_in's miss: a new flow for k at slot i of the index (h: its hash
 * bits), counted; out of line (tpa_flow.c). */
tpa_flow_t *tpa_flow_create_count(tpa_flow_table_t *t, const tpa_flow_key_t *k, uint32_t h,
                                  size_t i, int side, int64_t now_us, uint64_t bytes,
                                  bool *created);

/* tpa_flow_get_count, inline. */
__attribute__((always_inline)) static inline tpa_flow_t *
tpa_flow_get_count_in(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side, int64_t now_us,
                      uint64_t bytes, bool *created, tpa_flow_t *hint)
{
    tpa_flow_t *f = hint;
    if (!tpa_flow_hint_is(hint, k)) {
        uint32_t h = tpa_flow_hash32(t, k);
        size_t i = 0;
        f = tpa_flow_find(t, k, h, &i);
        if (!f) return tpa_flow_create_count(t, k, h, i, side, now_us, bytes, created);
    }
    *created = false;
    tpa_flow_count_in(t, f, side, 1, bytes, now_us);
    return f;
}

#endif
