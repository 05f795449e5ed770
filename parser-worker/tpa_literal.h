/* tpa_literal.h - tells the program's string literals from buffers.
 *
 * Dissectors pass literals ("pfcp", "Session Establishment") and table strings over
 * and over; memos keyed by address (tpa_intern, the message counters) must compare
 * the text behind an address each time, since a caller's buffer may hold another text
 * at the same address later. A string that lies wholly in a read-only loadable segment
 * of the program itself cannot change, so its address alone identifies its text.
 * When those segments cover one run of pages (the usual layout: headers, code,
 * read-only data, then the writable segment), an address in that run up to its last
 * NUL is a literal: nothing else is mapped there, and its text ends in read-only
 * memory. Costs: tpa_literals_init walks the program headers once; tpa_literals_has
 * is then two compares (tpa_literal_is inlines them), else a range check per segment
 * (at most TPA_LITERAL_SEGMENTS) and a strnlen.
 */
#ifndef TPA_LITERAL_H
#define TPA_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPA_LITERAL_SEGMENTS 4

typedef struct tpa_literals {
    uintptr_t seg[TPA_LITERAL_SEGMENTS][2]; /* [start, end) of read-only segments */
    size_t n;
    uintptr_t lo, hi; /* [lowest start, highest end): a buffer outside is told at once */
    /* when the segments are one run of pages: just past the last NUL of the run (a
     * text starting below ends in it); else lo (tpa_literals_has then checks each
     * segment) */
    uintptr_t run_end;
} tpa_literals_t;

/* Fills l with the read-only segments of the program (none found: nothing is a
 * literal, and callers compare text as before). */
void tpa_literals_init(tpa_literals_t *l);

/* Whether s (NUL-terminated) lies wholly in one of l's segments. */
bool tpa_literals_has(const tpa_literals_t *l, const char *s);

/* tpa_literals_has, its common answers inline: a buffer, or a literal in the run. */
static inline bool tpa_literal_is(const tpa_literals_t *l, const char *s)
{
    uintptr_t a = (uintptr_t)s;
    if (a - l->lo < l->run_end - l->lo) return true;
    if (a - l->lo >= l->hi - l->lo || l->run_end != l->lo) return false;
    return tpa_literals_has(l, s);
}

#endif
