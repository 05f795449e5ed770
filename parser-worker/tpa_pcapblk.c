/* tpa_pcapblk.c - pcap records read in large blocks into one reused buffer (see
 * tpa_pcapblk.h). */
#include "tpa_pcapblk.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tpa_rd.h"

struct tpa_pcapblk {
    int fd;       /* borrowed */
    uint8_t *buf; /* cap bytes; [head, fill) not handed out yet */
    size_t cap, head, fill;
    uint64_t buf_off; /* file offset of buf[0] */
    bool eof;         /* a read returned 0 (or failed): nothing more comes */
    bool file_le;     /* records are little-endian */
    size_t hdrsize;   /* 16, or 24 in the modified format */
    tpa_pcapblk_params_t prm;
    int rderr; /* errno of a failed read, 0 if none */
    bool done;
    char error[160];
};

static bool host_le(void)
{
    const uint16_t one = 1;
    return *(const uint8_t *)&one == 1;
}

tpa_pcapblk_t *tpa_pcapblk_new(int fd, uint64_t size, uint64_t start,
                               const tpa_pcapblk_params_t *prm)
{
    (void)size;
    tpa_pcapblk_t *m = calloc(1, sizeof *m);
    if (!m) return NULL;
    m->fd = fd;
    m->prm = *prm;
    m->hdrsize = prm->modified ? 24 : 16;
    m->file_le = host_le() != prm->swapped;
    m->buf_off = start;
    /* every record the reader accepts fits whole behind a partial block */
    m->cap = TPA_PCAPBLK_BLOCK + m->hdrsize + (size_t)prm->max_caplen;
    m->buf = malloc(m->cap);
    if (!m->buf) {
        free(m);
        return NULL;
    }
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return m;
}

void tpa_pcapblk_destroy(tpa_pcapblk_t **mp)
{
    if (!mp || !*mp) return;
    free((*mp)->buf);
    free(*mp);
    *mp = NULL;
}

const char *tpa_pcapblk_error(const tpa_pcapblk_t *m)
{
    return m->error;
}

uint64_t tpa_pcapblk_offset(const tpa_pcapblk_t *m)
{
    return m->buf_off + m->head;
}

static int stop(tpa_pcapblk_t *m, const char *fmt, unsigned long long a, unsigned long long b)
{
    snprintf(m->error, sizeof m->error, fmt, a, b);
    m->done = true;
    return 0;
}

/* A read failed before the record was whole: libpcap's message for it. */
static int failed(tpa_pcapblk_t *m)
{
    snprintf(m->error, sizeof m->error, "error reading dump file: %s", strerror(m->rderr));
    m->done = true;
    return 0;
}

/* Makes at least `need` bytes (need <= cap) available at head, or as many as the file
 * still has; returns how many are. The unread tail moves to the front first. */
static size_t refill(tpa_pcapblk_t *m, size_t need)
{
    size_t have = m->fill - m->head;
    if (have >= need || m->eof) return have;
    if (m->head) {
        memmove(m->buf, m->buf + m->head, have);
        m->buf_off += m->head;
        m->head = 0;
        m->fill = have;
    }
    while (m->fill < need && !m->eof) {
        size_t want = m->cap - m->fill;
        if (want > TPA_PCAPBLK_BLOCK) want = TPA_PCAPBLK_BLOCK;
        if (want < need - m->fill) want = need - m->fill;
        ssize_t k = pread(m->fd, m->buf + m->fill, want, (off_t)(m->buf_off + m->fill));
        if (k < 0 && errno == EINTR) continue;
        if (k < 0) {
            m->rderr = errno;
            m->eof = true;
        } else if (k == 0) {
            m->eof = true;
        } else {
            m->fill += (size_t)k;
        }
    }
    return m->fill - m->head;
}

/* The record's header fields: its first 16 bytes, through a reader of that size (one
 * bounds check for the four fields). */
__attribute__((always_inline)) static inline void
header(const tpa_pcapblk_t *m, tpa_rd_t *rec, int64_t *ts_us, uint32_t *caplen, uint32_t *len)
{
    tpa_rd_t r = tpa_rd_sub(rec, 16);
    uint32_t sec, frac;
    if (m->file_le) {
        sec = tpa_rd_le32(&r);
        frac = tpa_rd_le32(&r);
        *caplen = tpa_rd_le32(&r);
        *len = tpa_rd_le32(&r);
    } else {
        sec = tpa_rd_be32(&r);
        frac = tpa_rd_be32(&r);
        *caplen = tpa_rd_be32(&r);
        *len = tpa_rd_be32(&r);
    }
    /* libpcap keeps the fields as int32 and byte-swaps them through unsigned int */
    if (!m->prm.swapped && !m->prm.nano) {
        *ts_us = (int64_t)(int32_t)sec * 1000000 + (int32_t)frac;
        return;
    }
    int64_t s = m->prm.swapped ? (int64_t)sec : (int64_t)(int32_t)sec;
    int64_t f = m->prm.swapped ? (int64_t)frac : (int64_t)(int32_t)frac;
    if (m->prm.nano) f /= 1000;
    *ts_us = s * 1000000 + f;
}

/* The record at head (rec bytes), keep of its bytes handed out; returns 1. */
static inline int hand_out(tpa_pcapblk_t *m, tpa_pcapblk_pkt_t *pkt, uint32_t keep, uint32_t len,
                           int64_t ts_us, size_t rec)
{
    pkt->data = m->buf + m->head + m->hdrsize;
    pkt->caplen = keep;
    pkt->wirelen = len;
    pkt->ts_us = ts_us;
    m->head += rec;
    return 1;
}

/* Every case: refills, the end, and the errors libpcap reports. */
__attribute__((noinline)) static int next_slow(tpa_pcapblk_t *m, tpa_pcapblk_pkt_t *pkt);

/* The common case first: the whole record is in the buffer and within the limits, so
 * nothing is read, reported or skipped; anything else goes to next_slow, which reads
 * the same record again from the start. */
int tpa_pcapblk_next(tpa_pcapblk_t *m, tpa_pcapblk_pkt_t *pkt)
{
    size_t left = m->fill - m->head;
    if (!m->done && left >= m->hdrsize) {
        tpa_rd_t r = tpa_rd_init(m->buf + m->head, m->hdrsize);
        int64_t ts_us;
        uint32_t caplen, len;
        header(m, &r, &ts_us, &caplen, &len);
        size_t rec = m->hdrsize + caplen;
        if (caplen <= m->prm.max_caplen && caplen <= m->prm.snapshot && rec <= left)
            return hand_out(m, pkt, caplen, len, ts_us, rec);
    }
    return next_slow(m, pkt);
}

static int next_slow(tpa_pcapblk_t *m, tpa_pcapblk_pkt_t *pkt)
{
    if (m->done) return 0;
    size_t left = m->fill - m->head;
    if (left < m->hdrsize) left = refill(m, m->hdrsize);
    if (left < m->hdrsize && m->rderr) return failed(m);
    if (left == 0) {
        m->done = true;
        return 0;
    }
    if (left < m->hdrsize)
        return stop(m, "truncated dump file; tried to read %llu header bytes, only got %llu",
                    m->hdrsize, left);
    tpa_rd_t r = tpa_rd_init(m->buf + m->head, m->hdrsize);
    int64_t ts_us;
    uint32_t caplen, len;
    header(m, &r, &ts_us, &caplen, &len);

    if (caplen > m->prm.max_caplen) {
        if (caplen > m->prm.snapshot)
            return stop(m, "invalid packet capture length %llu, bigger than snaplen of %llu",
                        caplen, m->prm.snapshot);
        return stop(m, "invalid packet capture length %llu, bigger than maximum of %llu", caplen,
                    m->prm.max_caplen);
    }
    size_t rec = m->hdrsize + caplen; /* <= cap (tpa_pcapblk_new) */
    if (left < rec) left = refill(m, rec);
    if (left < rec && m->rderr) return failed(m);
    size_t avail = left - m->hdrsize;
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
    return hand_out(m, pkt, keep, len, ts_us, rec);
}
