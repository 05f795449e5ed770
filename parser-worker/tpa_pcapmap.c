/* tpa_pcapmap.c - pcap records straight from a mapped file (see tpa_pcapmap.h). */
#define _GNU_SOURCE /* MADV_POPULATE_READ */
#include "tpa_pcapmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "tpa_rd.h"

struct tpa_pcapmap {
    const uint8_t *base; /* the file's bytes [0, size), or NULL when there are no records */
    uint64_t size, pos;
    uint64_t released;  /* [0, released) is unmapped again */
    uint64_t populated; /* pages before this offset were prefaulted */
    uint64_t page;
    bool populate_ok; /* MADV_POPULATE_READ works here (Linux 5.14+) */
    bool file_le;     /* records are little-endian */
    size_t hdrsize;   /* 16, or 24 in the modified format */
    tpa_pcapmap_params_t prm;
    bool done;
    char error[160];
};

static bool host_le(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

tpa_pcapmap_t *tpa_pcapmap_new(int fd, uint64_t size, uint64_t start,
                               const tpa_pcapmap_params_t *prm)
{
    if (start > size || size > (uint64_t)SIZE_MAX / 2) return NULL;
    tpa_pcapmap_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    long pg = sysconf(_SC_PAGESIZE);
    m->page = pg > 0 ? (uint64_t)pg : 4096;
    m->size = size;
    m->pos = m->populated = start;
    m->prm = *prm;
    m->hdrsize = prm->modified ? 24 : 16;
    m->file_le = host_le() != prm->swapped;
    m->populate_ok = true;
    if (size > start) {
        void *p = mmap(NULL, (size_t)size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            free(m);
            return NULL;
        }
        m->base = p;
        madvise(p, (size_t)size, MADV_SEQUENTIAL);
    }
    return m;
}

void tpa_pcapmap_destroy(tpa_pcapmap_t **mp)
{
    if (!mp || !*mp) return;
    tpa_pcapmap_t *m = *mp;
    if (m->base && m->released < m->size)
        munmap((void *)(m->base + m->released), (size_t)(m->size - m->released));
    free(m);
    *mp = NULL;
}

const char *tpa_pcapmap_error(const tpa_pcapmap_t *m)
{
    return m->error;
}

uint64_t tpa_pcapmap_offset(const tpa_pcapmap_t *m)
{
    return m->pos;
}

/* Keeps the mapping populated up to a window ahead of pos, and gives back the pages
 * before pos once they add up to a window (never the page holding pos: the record at
 * pos and everything after it stay mapped). */
static void slide(tpa_pcapmap_t *m)
{
    if (m->pos + TPA_PCAPMAP_WINDOW / 2 >= m->populated && m->populated < m->size) {
        uint64_t from = m->populated & ~(m->page - 1);
        uint64_t to = m->pos + TPA_PCAPMAP_WINDOW;
        if (to > m->size) to = m->size;
        if (to > from) {
            void *a = (void *)(m->base + from);
            if (!m->populate_ok || madvise(a, (size_t)(to - from), MADV_POPULATE_READ) != 0) {
                m->populate_ok = false; /* an older kernel: readahead, then page faults */
                madvise(a, (size_t)(to - from), MADV_WILLNEED);
            }
        }
        m->populated = to;
    }
    if (m->pos >= m->released + TPA_PCAPMAP_WINDOW) {
        uint64_t upto = m->pos & ~(m->page - 1);
        if (upto > m->released) {
            munmap((void *)(m->base + m->released), (size_t)(upto - m->released));
            m->released = upto;
        }
    }
}

static int stop(tpa_pcapmap_t *m, const char *fmt, unsigned long long a, unsigned long long b)
{
    snprintf(m->error, sizeof m->error, fmt, a, b);
    m->done = true;
    return 0;
}

static inline uint32_t g32(const tpa_pcapmap_t *m, tpa_rd_t *r)
{
    return m->file_le ? tpa_rd_le32(r) : tpa_rd_be32(r);
}

int tpa_pcapmap_next(tpa_pcapmap_t *m, tpa_pcapmap_pkt_t *pkt)
{
    if (m->done) return 0;
    uint64_t left = m->size - m->pos;
    if (left == 0) {
        m->done = true;
        return 0;
    }
    if (left < m->hdrsize)
        return stop(m, "truncated dump file; tried to read %llu header bytes, only got %llu",
                    m->hdrsize, left);
    slide(m);
    tpa_rd_t r = tpa_rd_init(m->base + m->pos, (size_t)left);
    uint32_t sec = g32(m, &r), frac = g32(m, &r);
    uint32_t caplen = g32(m, &r), len = g32(m, &r);
    if (m->prm.modified) tpa_rd_skip(&r, 8); /* ifindex, protocol, pkt_type, pad */

    /* libpcap keeps the fields as int32 and byte-swaps them through unsigned int */
    int64_t s = m->prm.swapped ? (int64_t)sec : (int64_t)(int32_t)sec;
    int64_t f = m->prm.swapped ? (int64_t)frac : (int64_t)(int32_t)frac;
    if (m->prm.nano) f /= 1000;

    if (caplen > m->prm.max_caplen) {
        if (caplen > m->prm.snapshot)
            return stop(m, "invalid packet capture length %llu, bigger than snaplen of %llu",
                        caplen, m->prm.snapshot);
        return stop(m, "invalid packet capture length %llu, bigger than maximum of %llu", caplen,
                    m->prm.max_caplen);
    }
    size_t avail = tpa_rd_remaining(&r);
    uint32_t keep = caplen;
    if (caplen > m->prm.snapshot) { /* the rest of the record is skipped */
        keep = m->prm.snapshot;
        if (avail < keep)
            return stop(m, "truncated dump file; tried to read %llu captured bytes, only got %llu",
                        keep, avail);
    }
    if (avail < caplen)
        return stop(m, "truncated dump file; tried to read %llu captured bytes, only got %llu",
                    caplen, avail);
    pkt->data = tpa_rd_span(&r, keep);
    pkt->caplen = keep;
    pkt->wirelen = len;
    pkt->ts_us = s * 1000000 + f;
    m->pos += m->hdrsize + caplen;
    return 1;
}
