/* tpa_intern.c - interned strings in an open-addressing set (see tpa_intern.h). */
#include "tpa_intern.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "tpa_literal.h"

typedef struct slot {
    char *s; /* owned; NULL = empty */
    uint64_t h;
} slot_t;

/* Last pooled copy per given address: dissectors pass the same literals ("pfcp",
 * "Session Establishment") over and over, so one strcmp replaces hashing. The text at
 * the address is compared every time (a caller's buffer may have changed), except for
 * a literal of the program (tpa_literal.h), whose text cannot change. */
#define MEMO_SLOTS 512

typedef struct memo {
    const char *given, *pooled;
    bool fixed; /* given is a literal or pooled: its text cannot change */
} memo_t;

struct tpa_intern {
    memo_t memo[MEMO_SLOTS];
    tpa_literals_t lit;
    slot_t *slots;
    size_t nslots; /* power of two, at most half full */
    size_t used;
    uint64_t seed;
    const char *other; /* the pooled TPA_INTERN_OTHER */
};

uint64_t tpa_hash_seed(void)
{
    uint64_t s = 0;
    if (getrandom(&s, sizeof s, GRND_NONBLOCK) != (ssize_t)sizeof s) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        s = (uint64_t)ts.tv_nsec * 0x9e3779b97f4a7c15ULL ^ (uint64_t)(uintptr_t)&s;
    }
    return s ? s : 0x6a09e667f3bcc908ULL;
}

static inline uint64_t load64(const unsigned char *b)
{
    uint64_t w;
    memcpy(&w, b, 8);
    return w;
}

static inline uint64_t load32(const unsigned char *b)
{
    uint32_t w;
    memcpy(&w, b, 4);
    return w;
}

uint64_t tpa_hash_bytes(uint64_t seed, const void *s, size_t n)
{
    /* eight bytes a step, each a multiplication and a shift: identities and names are
     * 10-40 characters long. The last eight bytes (or fewer, read as at most two
     * overlapping loads) are one word whatever n is: with n mixed in first, texts of
     * one length map to words one to one. */
    const uint64_t k = 0xff51afd7ed558ccdULL;
    const unsigned char *b = s;
    uint64_t h = (seed ^ (n * 0x9e3779b97f4a7c15ULL)) * k, last;
    if (n > 8) {
        for (; n > 8; n -= 8, b += 8) {
            h = (h ^ load64(b)) * k;
            h ^= h >> 29;
        }
        last = load64(b + n - 8);
    } else if (n >= 4) {
        last = load32(b) | load32(b + n - 4) << 32;
    } else {
        last = n ? (uint64_t)b[0] | (uint64_t)b[n / 2] << 8 | (uint64_t)b[n - 1] << 16 : 0;
    }
    h = (h ^ last) * k;
    h ^= h >> 32;
    h *= 0xc4ceb9fe1a85ec53ULL;
    return h ^ (h >> 29);
}

static slot_t *find(const tpa_intern_t *p, const char *s, size_t n, uint64_t h)
{
    size_t mask = p->nslots - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
        slot_t *e = &p->slots[i];
        if (!e->s) return e;
        if (e->h == h && strncmp(e->s, s, n) == 0 && e->s[n] == '\0') return e;
    }
}

static int grow(tpa_intern_t *p)
{
    size_t n = p->nslots * 2;
    slot_t *sl = calloc(n, sizeof *sl);
    if (!sl) return -1;
    for (size_t i = 0; i < p->nslots; i++) {
        if (!p->slots[i].s) continue;
        size_t j = p->slots[i].h & (n - 1);
        while (sl[j].s)
            j = (j + 1) & (n - 1);
        sl[j] = p->slots[i];
    }
    free(p->slots);
    p->slots = sl;
    p->nslots = n;
    return 0;
}

static const char *add(tpa_intern_t *p, const char *s, size_t n, bool force)
{
    if (n > TPA_INTERN_MAX_LEN) n = TPA_INTERN_MAX_LEN;
    uint64_t h = tpa_hash_bytes(p->seed, s, n);
    slot_t *e = find(p, s, n, h);
    if (e->s) return e->s;
    if (!force && p->used >= TPA_INTERN_MAX_STRINGS) return p->other;
    if ((p->used + 1) * 2 > p->nslots) {
        if (grow(p) < 0) return NULL;
        e = find(p, s, n, h);
    }
    char *c = malloc(n + 1);
    if (!c) return NULL;
    memcpy(c, s, n);
    c[n] = '\0';
    e->s = c;
    e->h = h;
    p->used++;
    return c;
}

tpa_intern_t *tpa_intern_new(void)
{
    tpa_intern_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->nslots = 256;
    p->slots = calloc(p->nslots, sizeof *p->slots);
    if (!p->slots) goto fail_slots;
    p->seed = tpa_hash_seed();
    tpa_literals_init(&p->lit);
    p->other = add(p, TPA_INTERN_OTHER, strlen(TPA_INTERN_OTHER), true);
    if (!p->other) goto fail_other;
    return p;
fail_other:
    free(p->slots);
fail_slots:
    free(p);
    return NULL;
}

void tpa_intern_destroy(tpa_intern_t **pp)
{
    if (!pp || !*pp) return;
    tpa_intern_t *p = *pp;
    for (size_t i = 0; i < p->nslots; i++)
        free(p->slots[i].s);
    free(p->slots);
    free(p);
    *pp = NULL;
}

const char *tpa_intern_n(tpa_intern_t *p, const char *s, size_t n)
{
    if (!p || !s) return NULL;
    size_t len = strnlen(s, n);
    return add(p, s, len, false);
}

/* tpa_intern past a memo hit on a text that cannot change: s pooled (and remembered
 * in m). Apart, so that those hits (most calls) save and restore no registers. */
static __attribute__((noinline)) const char *intern_slow(tpa_intern_t *p, const char *s, memo_t *m)
{
    if (m->given == s && strcmp(s, m->pooled) == 0) return m->pooled;
    const char *r = add(p, s, strnlen(s, TPA_INTERN_MAX_LEN), false);
    if (r && r != p->other) {
        m->given = s;
        m->pooled = r;
        /* a literal, or the pooled copy given back: its text cannot change either */
        m->fixed = r == s || tpa_literals_has(&p->lit, s);
    }
    return r;
}

const char *tpa_intern(tpa_intern_t *p, const char *s)
{
    if (!p || !s) return NULL;
    /* by address and first bytes: a buffer holding alternating texts uses two slots */
    uint64_t head = (uint8_t)s[0];
    if (s[0] && s[1]) head |= (uint64_t)(uint8_t)s[1] << 8 | (uint64_t)(uint8_t)s[2] << 16;
    uint64_t k = ((uintptr_t)s ^ (head << 40)) * 0x9e3779b97f4a7c15ULL;
    memo_t *m = &p->memo[k >> 55 & (MEMO_SLOTS - 1)];
    if (m->given == s && m->fixed) return m->pooled;
    return intern_slow(p, s, m);
}

size_t tpa_intern_count(const tpa_intern_t *p)
{
    return p ? p->used : 0;
}
