/* test_pcapng.c - the pcapng reader's blocks against the blocks written.
 *
 * Files are built here block by block (sections of either byte order, interfaces
 * with microsecond, nanosecond and 2^-10 resolutions and an if_tsoffset, EPB, OPB
 * and SPB packets, blocks the reader skips), with packets of random lengths up to
 * four read chunks (TPA_PCAPNG_CHUNK), so blocks straddle chunk ends and outgrow the
 * buffer. Each file is read back whole and cut at many lengths: the reader must give
 * exactly the packets of the blocks wholly inside the cut, with their bytes, lengths,
 * timestamps and link types, then end cleanly at a block boundary and as truncated
 * anywhere else.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_pcapng.h"
#include "test_buf.h"
#include "tpa_test.h"

/* What the reader must give for one packet, and where its block ends in the file. */
typedef struct want {
    size_t off, len; /* payload in the file */
    uint32_t caplen, wirelen;
    int64_t ts_us;
    int linktype;
    size_t block_end;
} want_t;

#define MAXW 512
static want_t wants[MAXW];
static int nwant;
static size_t block_ends[4 * MAXW];
static int nends;

static uint64_t rng = 0x9e3779b97f4a7c15ull;

/* One block: type, body, padded to 4, both lengths. */
static void block(buf_t *f, uint32_t type, const buf_t *body, int le)
{
    uint32_t len = (uint32_t)(12 + ((body->n + 3) & ~(size_t)3));
    put32(f, type, !le);
    put32(f, len, !le);
    put(f, body->p, body->n);
    static const uint8_t pad[3];
    put(f, pad, (4 - (body->n & 3)) & 3);
    put32(f, len, !le);
    block_ends[nends++] = f->n;
}

/* A section header block (b: scratch). */
static void section_head(buf_t *f, buf_t *b, int le)
{
    b->n = 0;
    put32(b, 0x1a2b3c4d, !le); /* byte-order magic, as the section writes it */
    put16(b, 1, !le);
    put16(b, 0, !le);
    put32(b, 0xffffffff, !le);
    put32(b, 0xffffffff, !le);
    block(f, 0x0a0d0d0a, b, le);
}

typedef struct iface {
    int linktype;
    int res; /* if_tsresol byte */
    int64_t offset_s;
    uint32_t snaplen;
} iface_t;

static int64_t ts_us_of(const iface_t *ifc, uint64_t ts)
{
    int64_t us;
    if (ifc->res == 6)
        us = (int64_t)ts;
    else if (ifc->res == 9)
        us = (int64_t)(ts / 1000);
    else /* 0x8a: 2^-10 */
        us = (int64_t)((ts * 1000000) >> 10);
    return us + ifc->offset_s * 1000000;
}

static void build(buf_t *f, int sections)
{
    nwant = 0;
    nends = 0;
    f->n = 0;
    for (int s = 0; s < sections; s++) {
        int le = (int)(tpa_test_rand(&rng) & 1);
        buf_t b = {0};
        section_head(f, &b, le);
        iface_t ifs[3] = {{1, 6, 0, 0}, {113, 9, 0, 0}, {101, 0x8a, 1000, 0}};
        for (int i = 0; i < 3; i++) {
            b.n = 0;
            put16(&b, (uint16_t)ifs[i].linktype, !le);
            put16(&b, 0, !le);
            put32(&b, ifs[i].snaplen, !le);
            if (ifs[i].res != 6) {
                put16(&b, 9, !le);
                put16(&b, 1, !le);
                uint8_t r[4] = {(uint8_t)ifs[i].res, 0, 0, 0};
                put(&b, r, 4);
            }
            if (ifs[i].offset_s) {
                put16(&b, 14, !le);
                put16(&b, 8, !le);
                uint64_t o = (uint64_t)ifs[i].offset_s; /* a 64-bit value in the section's order */
                put32(&b, (uint32_t)(le ? o : o >> 32), !le);
                put32(&b, (uint32_t)(le ? o >> 32 : o), !le);
            }
            put16(&b, 0, !le); /* opt_endofopt */
            put16(&b, 0, !le);
            block(f, 1, &b, le);
        }
        int npk = 20 + (int)(tpa_test_rand(&rng) % 40);
        for (int k = 0; k < npk && nwant < MAXW; k++) {
            uint32_t kind = (uint32_t)(tpa_test_rand(&rng) % 10);
            size_t len;
            uint32_t r = (uint32_t)tpa_test_rand(&rng) % 100;
            if (r < 3)
                len = TPA_PCAPNG_CHUNK + (size_t)(tpa_test_rand(&rng) % (3 * TPA_PCAPNG_CHUNK));
            else if (r < 20)
                len = (size_t)(tpa_test_rand(&rng) % TPA_PCAPNG_CHUNK);
            else
                len = (size_t)(tpa_test_rand(&rng) % 1600);
            b.n = 0;
            if (kind == 9) { /* a name resolution block: skipped */
                for (size_t i = 0; i < len % 64; i++)
                    put(&b, "n", 1);
                block(f, 4, &b, le);
                continue;
            }
            int ifid = (int)(tpa_test_rand(&rng) % 3);
            uint64_t ts = tpa_test_rand(&rng) >> 30;
            want_t *w = &wants[nwant];
            w->linktype = ifs[ifid].linktype;
            w->caplen = (uint32_t)len;
            w->wirelen = (uint32_t)len + (uint32_t)(tpa_test_rand(&rng) % 3);
            w->ts_us = ts_us_of(&ifs[ifid], ts);
            if (kind == 8) { /* SPB: first interface, no timestamp */
                put32(&b, (uint32_t)len, !le);
                w->wirelen = (uint32_t)len;
                w->linktype = ifs[0].linktype;
                w->ts_us = 0;
            } else if (kind == 7) { /* obsolete OPB */
                put16(&b, (uint16_t)ifid, !le);
                put16(&b, 0, !le);
            } else {
                put32(&b, (uint32_t)ifid, !le);
            }
            if (kind != 8) {
                put32(&b, (uint32_t)(ts >> 32), !le);
                put32(&b, (uint32_t)ts, !le);
                put32(&b, w->caplen, !le);
                put32(&b, w->wirelen, !le);
            }
            size_t body_at = f->n + 8 + b.n;
            for (size_t i = 0; i < len; i++) {
                uint8_t c = (uint8_t)(tpa_test_rand(&rng) >> 7);
                put(&b, &c, 1);
            }
            block(f, kind == 8 ? 3 : kind == 7 ? 2 : 6, &b, le);
            w->off = body_at;
            w->len = len;
            w->block_end = f->n;
            nwant++;
        }
        free(b.p);
    }
}

/* Reads the first `cut` bytes of f; checks the packets, then how it ended. */
static void read_cut(const buf_t *f, size_t cut)
{
    /* a stream over the bytes in memory (fmemopen refuses a zero size) */
    static const uint8_t none[1];
    FILE *in = fmemopen(cut ? f->p : (void *)none, cut ? cut : 1, "rb");
    CHECK(in != NULL);
    if (!in) return;
    if (!cut) fgetc(in);
    tpa_pcapng_t *r = tpa_pcapng_new(in);
    CHECK(r != NULL);
    if (!r) return;
    tpa_pcapng_pkt_t p;
    int i = 0;
    for (; i < nwant && wants[i].block_end <= cut; i++) {
        const want_t *w = &wants[i];
        if (tpa_pcapng_next(r, &p) != 1) {
            CHECK(!"a packet inside the cut was not read");
            break;
        }
        CHECK(p.caplen == w->caplen && p.wirelen == w->wirelen);
        CHECKF(p.ts_us == w->ts_us, "%lld != %lld, linktype %d", (long long)p.ts_us,
               (long long)w->ts_us, w->linktype);
        CHECK(p.linktype == w->linktype);
        CHECK(w->len == 0 || memcmp(p.data, f->p + w->off, w->len) == 0);
    }
    CHECK(tpa_pcapng_next(r, &p) == 0);
    bool boundary = cut == 0;
    for (int k = 0; k < nends && !boundary; k++)
        boundary = block_ends[k] == cut;
    const char *e = tpa_pcapng_error(r);
    if (boundary)
        CHECK(e[0] == '\0');
    else
        CHECK(strncmp(e, "truncated pcapng file", 21) == 0);
    CHECK(tpa_pcapng_next(r, &p) == 0); /* stays ended */
    tpa_pcapng_destroy(&r);
}

/* An EPB of the given fields (len: the block's total length, its body zero-filled
 * past the fixed fields up to it). */
static void epb_raw(buf_t *f, int le, uint32_t len, uint32_t ifid, uint64_t ts, uint32_t caplen,
                    uint32_t wirelen)
{
    size_t at = f->n;
    put32(f, 6, !le);
    put32(f, len, !le);
    put32(f, ifid, !le);
    put32(f, (uint32_t)(ts >> 32), !le);
    put32(f, (uint32_t)ts, !le);
    put32(f, caplen, !le);
    put32(f, wirelen, !le);
    while (f->n + 4 < at + len)
        put(f, "\xab", 1);
    put32(f, len, !le);
}

/* A section of one microsecond interface (if_tsresol 6 given as an option when
 * `opt`, as pcapng writers may), an empty EPB, then one EPB of the given fields; the
 * reader's answer for that one (read from the buffer the first filled), its packet
 * and its error. */
static int epb_one(int le, bool opt, uint32_t len, uint32_t ifid, uint64_t ts, uint32_t caplen,
                   tpa_pcapng_pkt_t *p, char *err, size_t errlen)
{
    buf_t f = {0}, b = {0};
    section_head(&f, &b, le);
    b.n = 0;
    put16(&b, 1, !le);
    put16(&b, 0, !le);
    put32(&b, 0, !le);
    if (opt) {
        put16(&b, 9, !le);
        put16(&b, 1, !le);
        put(&b, "\x06\0\0\0", 4);
        put16(&b, 14, !le); /* if_tsoffset 0 */
        put16(&b, 8, !le);
        put32(&b, 0, !le);
        put32(&b, 0, !le);
        put16(&b, 0, !le);
        put16(&b, 0, !le);
    }
    block(&f, 1, &b, le);
    epb_raw(&f, le, 32, 0, 1, 0, 0); /* read first: the file is then in the buffer */
    epb_raw(&f, le, len, ifid, ts, caplen, caplen + 1);
    FILE *in = fmemopen(f.p, f.n, "rb");
    tpa_pcapng_t *r = tpa_pcapng_new(in);
    int rc = tpa_pcapng_next(r, p);
    CHECK(rc == 1 && p->ts_us == 1 && p->caplen == 0);
    rc = tpa_pcapng_next(r, p);
    snprintf(err, errlen, "%s", tpa_pcapng_error(r));
    if (rc == 1) { /* the bytes, before the reader goes */
        static uint8_t copy[64];
        memcpy(copy, p->data, p->caplen < sizeof copy ? p->caplen : sizeof copy);
        p->data = copy;
    }
    tpa_pcapng_destroy(&r);
    free(f.p);
    free(b.p);
    return rc;
}

/* The common EPB's short path against the general one's answers: plain microsecond
 * timestamps (also with if_tsresol 6 and if_tsoffset 0 given), the clamp of a huge
 * timestamp, a packet filling its block, and the malformed EPBs (a body too short for
 * its fixed fields, an unknown interface, a packet longer than its block). */
static void epb_edges(void)
{
    tpa_pcapng_pkt_t p;
    char e[160];
    for (int le = 0; le < 2; le++) {
        for (int opt = 0; opt < 2; opt++) {
            CHECK(epb_one(le, opt, 48, 0, 1700000000123456ull, 13, &p, e, sizeof e) == 1);
            CHECK(p.caplen == 13 && p.wirelen == 14 && p.linktype == 1);
            CHECK(p.ts_us == 1700000000123456ll && p.data[0] == 0xab && p.data[12] == 0xab);
            CHECK(epb_one(le, opt, 48, 0, ~0ull, 16, &p, e, sizeof e) == 1); /* fills it */
            CHECK(p.ts_us == (int64_t)1 << 61 && p.caplen == 16);
            CHECK(epb_one(le, opt, 48, 0, ((uint64_t)1 << 61) + 1, 0, &p, e, sizeof e) == 1);
            CHECK(p.ts_us == (int64_t)1 << 61 && p.caplen == 0);
            CHECK(epb_one(le, opt, 48, 0, (uint64_t)1 << 61, 0, &p, e, sizeof e) == 1);
            CHECK(p.ts_us == (int64_t)1 << 61);
            CHECK(epb_one(le, opt, 48, 1, 5, 4, &p, e, sizeof e) == 0);
            CHECK(strcmp(e, "corrupt pcapng file: packet block for an unknown interface") == 0);
            CHECK(epb_one(le, opt, 28, 0, 5, 0, &p, e, sizeof e) == 0);
            CHECK(strcmp(e, "corrupt pcapng file: packet block for an unknown interface") == 0);
            CHECK(epb_one(le, opt, 48, 0, 5, 17, &p, e, sizeof e) == 0);
            CHECK(strcmp(e, "corrupt pcapng file: packet longer than its block") == 0);
            CHECK(epb_one(le, opt, 50, 0, 5, 4, &p, e, sizeof e) == 0);
            CHECK(strcmp(e, "corrupt pcapng file: bad block length") == 0);
        }
    }
}

int main(void)
{
    epb_edges();
    buf_t f = {0};
    for (int round = 0; round < 6; round++) {
        build(&f, 1 + round % 3);
        read_cut(&f, f.n);
        for (int k = 0; k < 40; k++)
            read_cut(&f, (size_t)(tpa_test_rand(&rng) % f.n));
        for (int k = 0; k < nends; k += 1 + nends / 20) { /* at and around block ends */
            read_cut(&f, block_ends[k]);
            read_cut(&f, block_ends[k] - 1);
            if (block_ends[k] + 5 <= f.n) read_cut(&f, block_ends[k] + 5);
        }
    }
    /* the first blocks cut at every byte (up to a few packets' worth) */
    build(&f, 1);
    size_t small = block_ends[nends > 6 ? 6 : nends - 1];
    if (small > 4096) small = 4096;
    for (size_t cut = 0; cut <= small; cut++)
        read_cut(&f, cut);
    free(f.p);
    return TEST_DONE();
}
