/* tpa_literal.c - read-only segments of the program (see tpa_literal.h). */
#define _GNU_SOURCE
#include "tpa_literal.h"

#include <link.h>
#include <string.h>

/* dl_iterate_phdr callback: the loadable segments of the program itself (the first
 * object listed) that are mapped without write permission. */
static int segments(struct dl_phdr_info *info, size_t size, void *arg)
{
    (void)size;
    tpa_literals_t *l = arg;
    for (size_t i = 0; i < info->dlpi_phnum && l->n < TPA_LITERAL_SEGMENTS; i++) {
        const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
        if (ph->p_type != PT_LOAD || (ph->p_flags & PF_W) || !(ph->p_flags & PF_R)) continue;
        uintptr_t a = (uintptr_t)info->dlpi_addr + (uintptr_t)ph->p_vaddr;
        l->seg[l->n][0] = a;
        l->seg[l->n][1] = a + (uintptr_t)ph->p_memsz;
        l->n++;
    }
    return 1; /* the program only */
}

/* The smallest page size of the platforms the program runs on: pages that touch at
 * this size touch at any larger one. */
#define RUN_PAGE 4096u

/* Whether the segments, in order of address, leave no page between them that none of
 * them maps (where anything else could be mapped). */
static bool one_run(tpa_literals_t *l)
{
    for (size_t i = 1; i < l->n; i++) /* in order of address: a few, insertion */
        for (size_t j = i; j > 0 && l->seg[j][0] < l->seg[j - 1][0]; j--) {
            uintptr_t t0 = l->seg[j][0], t1 = l->seg[j][1];
            l->seg[j][0] = l->seg[j - 1][0];
            l->seg[j][1] = l->seg[j - 1][1];
            l->seg[j - 1][0] = t0;
            l->seg[j - 1][1] = t1;
        }
    for (size_t i = 1; i < l->n; i++) {
        uintptr_t prev_end = (l->seg[i - 1][1] + RUN_PAGE - 1) & ~(uintptr_t)(RUN_PAGE - 1);
        if ((l->seg[i][0] & ~(uintptr_t)(RUN_PAGE - 1)) > prev_end) return false;
    }
    return l->n > 0;
}

void tpa_literals_init(tpa_literals_t *l)
{
    memset(l, 0, sizeof *l);
    dl_iterate_phdr(segments, l);
    l->lo = UINTPTR_MAX;
    for (size_t i = 0; i < l->n; i++) {
        if (l->seg[i][0] < l->lo) l->lo = l->seg[i][0];
        if (l->seg[i][1] > l->hi) l->hi = l->seg[i][1];
    }
    if (!l->n) l->lo = l->hi = 0;
    l->run_end = l->lo;
    if (one_run(l)) {
        const char *e = (const char *)l->hi;
        while (e > (const char *)l->lo && e[-1] != '\0')
            e--;
        l->run_end = (uintptr_t)e;
    }
}

bool tpa_literals_has(const tpa_literals_t *l, const char *s)
{
    uintptr_t a = (uintptr_t)s;
    if (a < l->lo || a >= l->hi) return false; /* stack, heap, writable data */
    if (l->run_end != l->lo) return a < l->run_end;
    for (size_t i = 0; i < l->n; i++)
        if (a >= l->seg[i][0] && a < l->seg[i][1])
            return strnlen(s, l->seg[i][1] - a) < l->seg[i][1] - a;
    return false;
}
