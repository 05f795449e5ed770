/* tpa_pcapng.c - pcapng blocks to packets (see tpa_pcapng.h). */
#include "tpa_pcapng.h"

#include <stdlib.h>
#include <string.h>

#include "tpa_rd.h"

enum { SHB = 0x0a0d0d0a, IDB = 1, OPB = 2, SPB = 3, EPB = 6 };

typedef struct iface {
    int linktype;
    uint32_t snaplen;
    bool pow2; /* if_tsresol: 2^-res, else 10^-res */
    uint8_t res;
    bool plain; /* microseconds (if_tsresol 6), no if_tsoffset: the timestamp as it is */
    int64_t offset_s;
} iface_t;

struct tpa_pcapng {
    FILE *fp;
    bool swap; /* section byte order differs from big-endian reading */
    bool le;   /* section is little-endian */
    /* bytes read from fp: buf[pos, fill) are not handed out yet; a block handed out
     * stays where it is until the next call */
    uint8_t *buf;
    size_t cap, pos, fill;
    bool eof;   /* fp gave fewer bytes than asked: its end (or an error) */
    bool nomem; /* the buffer could not grow to a block's length */
    iface_t ifs[TPA_PCAPNG_MAX_IFACES];
    unsigned nifs;
    int first_linktype;
    bool done;
    char error[160];
};

tpa_pcapng_t *tpa_pcapng_new(FILE *fp)
{
    tpa_pcapng_t *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->fp = fp;
    r->first_linktype = -1;
    return r;
}

void tpa_pcapng_destroy(tpa_pcapng_t **rp)
{
    if (!rp || !*rp) return;
    if ((*rp)->fp) fclose((*rp)->fp);
    free((*rp)->buf);
    free(*rp);
    *rp = NULL;
}

const char *tpa_pcapng_error(const tpa_pcapng_t *r)
{
    return r->error;
}

int tpa_pcapng_first_linktype(const tpa_pcapng_t *r)
{
    return r->first_linktype;
}

FILE *tpa_pcapng_file(const tpa_pcapng_t *r)
{
    return r->fp;
}

static uint16_t g16(tpa_pcapng_t *r, tpa_rd_t *rd)
{
    return r->le ? tpa_rd_le16(rd) : tpa_rd_be16(rd);
}

static uint32_t g32(tpa_pcapng_t *r, tpa_rd_t *rd)
{
    return r->le ? tpa_rd_le32(rd) : tpa_rd_be32(rd);
}

static int stop(tpa_pcapng_t *r, const char *msg)
{
    snprintf(r->error, sizeof r->error, "%s", msg);
    r->done = true;
    return 0;
}

/* IDB options: if_tsresol (9), if_tsoffset (14). */
static void idb_options(tpa_pcapng_t *r, tpa_rd_t *rd, iface_t *ifc)
{
    while (tpa_rd_has(rd, 4)) {
        uint16_t code = g16(r, rd);
        uint16_t len = g16(r, rd);
        if (code == 0) break;
        tpa_rd_t o = tpa_rd_sub(rd, len);
        tpa_rd_skip(rd, (4 - (len & 3)) & 3);
        if (rd->err) break;
        if (code == 9 && len >= 1) {
            uint8_t v = tpa_rd_u8(&o);
            ifc->pow2 = (v & 0x80) != 0;
            ifc->res = v & 0x7f;
        } else if (code == 14 && len >= 8) {
            uint64_t hi = g32(r, &o), lo = g32(r, &o);
            ifc->offset_s = (int64_t)(r->le ? (lo << 32 | hi) : (hi << 32 | lo));
        }
    }
}

/* Timestamps are kept within +-2^61 us (about 73,000 years): the difference of any two,
 * and small additions to them, then fit in int64_t wherever they are compared. A corrupt
 * timestamp, if_tsresol or if_tsoffset is clamped instead of overflowing. */
#define TS_LIMIT ((__int128)1 << 61)

static int64_t to_us(const iface_t *ifc, uint64_t ts)
{
    __int128 v = ts, us;
    if (ifc->pow2) {
        unsigned res = ifc->res > 63 ? 63 : ifc->res;
        us = (v * 1000000) >> res;
    } else if (ifc->res >= 6) {
        uint64_t div = 1;
        for (unsigned i = 6; i < ifc->res && i < 25; i++)
            div *= 10;
        us = v / div;
    } else {
        uint64_t mul = 1;
        for (unsigned i = ifc->res; i < 6; i++)
            mul *= 10;
        us = v * mul;
    }
    us += (__int128)ifc->offset_s * 1000000;
    if (us > TS_LIMIT) us = TS_LIMIT;
    if (us < -TS_LIMIT) us = -TS_LIMIT;
    return (int64_t)us;
}

/* At least `need` bytes not handed out yet at r->buf + r->pos, reading on in chunks
 * of TPA_PCAPNG_CHUNK; returns how many there are (fewer only at the end of the file, or
 * with r->nomem set). Moves the unread tail to the front first, which invalidates the
 * block handed out last. */
static size_t want(tpa_pcapng_t *r, size_t need)
{
    size_t left = r->fill - r->pos;
    if (left >= need || r->eof) return left;
    if (left) memmove(r->buf, r->buf + r->pos, left); /* (buf is NULL before the first read) */
    r->pos = 0;
    r->fill = left;
    if (r->cap < need + TPA_PCAPNG_CHUNK) {
        uint8_t *b = realloc(r->buf, need + TPA_PCAPNG_CHUNK);
        if (!b) {
            r->nomem = true;
            return left;
        }
        r->buf = b;
        r->cap = need + TPA_PCAPNG_CHUNK;
    }
    while (r->fill < need && !r->eof) {
        size_t ask = r->cap - r->fill;
        size_t k = fread(r->buf + r->fill, 1, ask, r->fp);
        r->fill += k;
        r->eof = k < ask;
    }
    return r->fill;
}

/* Reads one whole block (borrowed from r->buf until the next call); returns its type
 * and body reader. 1 = ok, 0 = end or error (r->error set when not a clean end). */
static int read_block(tpa_pcapng_t *r, uint32_t *type, tpa_rd_t *body)
{
    size_t got = want(r, 8);
    if (r->nomem) return stop(r, "out of memory reading a pcapng block");
    if (got == 0) return 0;
    if (got < 8) return stop(r, "truncated pcapng file: block header cut short");
    tpa_rd_t h = tpa_rd_init(r->buf + r->pos, 8);
    uint32_t t_be = tpa_rd_be32(&h);
    if (t_be == SHB) {
        /* byte order comes from the magic that follows the length */
        if (want(r, 12) < 12) {
            if (r->nomem) return stop(r, "out of memory reading a pcapng block");
            return stop(r, "truncated pcapng file: section header cut short");
        }
        tpa_rd_t m = tpa_rd_init(r->buf + r->pos + 8, 4);
        uint32_t magic = tpa_rd_be32(&m);
        if (magic == 0x1a2b3c4d)
            r->le = false;
        else if (magic == 0x4d3c2b1a)
            r->le = true;
        else
            return stop(r, "corrupt pcapng file: bad byte-order magic");
        r->nifs = 0;
    }
    h = tpa_rd_init(r->buf + r->pos, 8);
    *type = g32(r, &h);
    uint32_t len = g32(r, &h);
    if (len < 12 || (len & 3) || len > TPA_PCAPNG_MAX_BLOCK)
        return stop(r, "corrupt pcapng file: bad block length");
    if (want(r, len) < len) {
        if (r->nomem) return stop(r, "out of memory reading a pcapng block");
        return stop(r, "truncated pcapng file: block cut short");
    }
    /* body without the 8-byte header and the trailing length */
    *body = tpa_rd_init(r->buf + r->pos + 8, len - 12);
    r->pos += len;
    return 1;
}

/* Every block, one at a time (tpa_pcapng_next's general case). */
__attribute__((noinline)) static int next_slow(tpa_pcapng_t *r, tpa_pcapng_pkt_t *pkt)
{
    while (!r->done) {
        uint32_t type;
        tpa_rd_t b;
        if (!read_block(r, &type, &b)) {
            r->done = true;
            return 0;
        }
        switch (type) {
        case IDB: {
            if (r->nifs >= TPA_PCAPNG_MAX_IFACES)
                return stop(r, "pcapng file has too many interfaces");
            iface_t *ifc = &r->ifs[r->nifs];
            memset(ifc, 0, sizeof *ifc);
            ifc->linktype = g16(r, &b);
            tpa_rd_skip(&b, 2);
            ifc->snaplen = g32(r, &b);
            ifc->res = 6;
            if (b.err) return stop(r, "corrupt pcapng file: interface block too short");
            idb_options(r, &b, ifc);
            ifc->plain = !ifc->pow2 && ifc->res == 6 && ifc->offset_s == 0;
            if (r->first_linktype < 0) r->first_linktype = ifc->linktype;
            r->nifs++;
            break;
        }
        case EPB:
        case OPB: {
            uint32_t ifid;
            if (type == EPB) {
                ifid = g32(r, &b);
            } else {
                ifid = g16(r, &b);
                tpa_rd_skip(&b, 2);
            }
            uint64_t hi = g32(r, &b), lo = g32(r, &b);
            uint32_t caplen = g32(r, &b);
            uint32_t wirelen = g32(r, &b);
            if (b.err || ifid >= r->nifs)
                return stop(r, "corrupt pcapng file: packet block for an unknown interface");
            const uint8_t *data = tpa_rd_span(&b, caplen);
            if (!data) return stop(r, "corrupt pcapng file: packet longer than its block");
            pkt->data = data;
            pkt->caplen = caplen;
            pkt->wirelen = wirelen;
            pkt->ts_us = to_us(&r->ifs[ifid], hi << 32 | lo);
            pkt->linktype = r->ifs[ifid].linktype;
            return 1;
        }
        case SPB: {
            if (r->nifs == 0)
                return stop(r, "corrupt pcapng file: simple packet before any interface");
            uint32_t wirelen = g32(r, &b);
            size_t caplen = tpa_rd_remaining(&b);
            if (caplen > wirelen) caplen = wirelen;
            if (r->ifs[0].snaplen && caplen > r->ifs[0].snaplen) caplen = r->ifs[0].snaplen;
            pkt->data = tpa_rd_span(&b, caplen);
            pkt->caplen = (uint32_t)caplen;
            pkt->wirelen = wirelen;
            pkt->ts_us = 0;
            pkt->linktype = r->ifs[0].linktype;
            return 1;
        }
        default:
            break; /* SHB handled in read_block; NRB, ISB, DSB, custom: skipped */
        }
    }
    return 0;
}

/* g32 inline, for the fixed fields of the common block. */
__attribute__((always_inline)) static inline uint32_t rd32(tpa_rd_t *rd, bool le)
{
    return le ? tpa_rd_le32(rd) : tpa_rd_be32(rd);
}

/* The common block first: an EPB wholly in the buffer, for an interface of plain
 * microsecond timestamps, with its packet inside it; the header and the EPB's fixed
 * fields (28 bytes) through a reader of that size, one bounds check. Anything else,
 * or anything amiss, goes to next_slow, which reads the same block from its start
 * and gives the same packet, error or end as it always did. */
int tpa_pcapng_next(tpa_pcapng_t *r, tpa_pcapng_pkt_t *pkt)
{
    size_t left = r->fill - r->pos;
    if (!r->done && left >= 28) {
        tpa_rd_t h = tpa_rd_init(r->buf + r->pos, 28);
        bool le = r->le;
        uint32_t type = rd32(&h, le), len = rd32(&h, le), ifid = rd32(&h, le);
        uint32_t hi = rd32(&h, le), lo = rd32(&h, le), caplen = rd32(&h, le), wirelen = rd32(&h, le);
        if (type == EPB && len >= 32 && !(len & 3) && len <= left &&
            len <= TPA_PCAPNG_MAX_BLOCK && caplen <= len - 32 && ifid < r->nifs &&
            r->ifs[ifid].plain) {
            uint64_t ts = (uint64_t)hi << 32 | lo;
            pkt->data = r->buf + r->pos + 28;
            pkt->caplen = caplen;
            pkt->wirelen = wirelen;
            pkt->ts_us = ts > (uint64_t)TS_LIMIT ? (int64_t)TS_LIMIT : (int64_t)ts; /* to_us */
            pkt->linktype = r->ifs[ifid].linktype;
            r->pos += len;
            return 1;
        }
    }
    return next_slow(r, pkt);
}
