/* test_capture.c - the block pcap reader against libpcap, record for record.
 *
 * tpa_pcapblk.h promises "the same packets, timestamps, truncation and messages as
 * libpcap". Every file here is read twice, once as tpa_capture_open picks (checked to
 * be the block reader where it should be) and once with TPA_CAPTURE_LIBPCAP, and the
 * two sequences must be equal: caplen, wirelen, timestamp, link type, bytes, then the
 * truncated flag and the error text. Files: both byte orders, micro and nanoseconds,
 * the modified 0xa1b2cd34 format, versions 2.2 / 2.3 / 543.0 (libpcap's), snapshot
 * lengths 0, 64 and huge, records longer than the snapshot and than 262144, timestamps
 * with the high bit set, the file cut at every byte, records with random bytes
 * written over their headers, and files of many read blocks. Last, a file cut short
 * while the reader has it open must end as a truncated capture, not crash.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tpa_capture.h"
#include "test_buf.h"
#include "tpa_test.h"

static char dir[256];
static int nfile;

typedef struct spec {
    uint32_t magic;
    int be;
    uint16_t vmaj, vmin;
    uint32_t snaplen, linktype;
    int npkts;
    int swap_lengths; /* write len before caplen (pre-2.3 order) */
    int big_record;   /* record 2 has this caplen (0 = normal) */
    int high_ts;      /* timestamps with the high bit set */
} spec_t;

/* Ethernet/IPv4/UDP frames of varying length, frame i. */
static void build(buf_t *b, const spec_t *s)
{
    b->n = 0;
    put32(b, s->magic, s->be);
    put16(b, s->vmaj, s->be);
    put16(b, s->vmin, s->be);
    put32(b, 0, s->be);
    put32(b, 0, s->be);
    put32(b, s->snaplen, s->be);
    put32(b, s->linktype, s->be);
    for (int i = 0; i < s->npkts; i++) {
        uint32_t caplen = 60 + (uint32_t)(i * 37 % 200), wirelen = caplen + (i % 3 ? 0 : 20);
        if (s->big_record && i == 2) caplen = wirelen = (uint32_t)s->big_record;
        uint32_t sec = s->high_ts ? 0xfffffff0u - (uint32_t)i : 1700000000u + (uint32_t)i;
        uint32_t frac = s->high_ts ? (i & 1 ? 0x80000000u + (uint32_t)i : 999999999u)
                                   : (uint32_t)i * 1234567u % 1000000u;
        put32(b, sec, s->be);
        put32(b, frac, s->be);
        put32(b, s->swap_lengths ? wirelen : caplen, s->be);
        put32(b, s->swap_lengths ? caplen : wirelen, s->be);
        if (s->magic == 0xa1b2cd34) {
            put32(b, 3, s->be);
            put16(b, 0x0800, s->be);
            uint8_t t[2] = {0, 0};
            put(b, t, 2);
        }
        uint8_t *fr = calloc(1, caplen ? caplen : 1);
        for (uint32_t k = 0; k < caplen; k++)
            fr[k] = (uint8_t)(k * 7 + (uint32_t)i);
        if (caplen >= 14) {
            fr[12] = 0x08;
            fr[13] = 0x00;
        }
        put(b, fr, caplen);
        free(fr);
    }
}

static void write_file(const char *path, const uint8_t *p, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (n) fwrite(p, 1, n, f);
    fclose(f);
}

/* Reads path both ways and compares; want_map: the block reader must be the one
 * tpa_capture_open picks (1), must not be (0), either (-1). */
static void compare(const char *what, const uint8_t *p, size_t n, int want_map)
{
    char path[320];
    snprintf(path, sizeof path, "%s/f%d.pcap", dir, nfile++);
    write_file(path, p, n);
    tpa_capture_t *a = NULL, *b = NULL;
    char ea[256] = "", eb[256] = "";
    int ra = tpa_capture_open(path, &a, ea, sizeof ea);
    int rb = tpa_capture_open_with(path, TPA_CAPTURE_LIBPCAP, &b, eb, sizeof eb);
    CHECKF(ra == rb, "%s: open %d vs %d", what, ra, rb);
    CHECKF(strcmp(ea, eb) == 0, "%s: open error '%s' vs '%s'", what, ea, eb);
    if (ra < 0 || rb < 0) {
        tpa_capture_close(&a);
        tpa_capture_close(&b);
        unlink(path);
        return;
    }
    CHECKF(strcmp(tpa_capture_reader(b), "libpcap") == 0, "%s", what);
    if (want_map >= 0)
        CHECKF((strcmp(tpa_capture_reader(a), "block") == 0) == (want_map == 1), "%s: reader %s",
               what, tpa_capture_reader(a));
    CHECK(tpa_capture_dlt(a) == tpa_capture_dlt(b));
    for (int i = 0;; i++) {
        tpa_capture_pkt_t x, y;
        int ka = tpa_capture_next(a, &x), kb = tpa_capture_next(b, &y);
        CHECKF(ka == kb, "%s: record %d: %d vs %d", what, i, ka, kb);
        if (ka != 1 || kb != 1) break;
        bool same = x.caplen == y.caplen && x.wirelen == y.wirelen && x.ts_us == y.ts_us &&
                    x.dlt == y.dlt && (x.caplen == 0 || memcmp(x.data, y.data, x.caplen) == 0);
        CHECKF(same, "%s: record %d: caplen %u/%u wirelen %u/%u ts %lld/%lld", what, i, x.caplen,
               y.caplen, x.wirelen, y.wirelen, (long long)x.ts_us, (long long)y.ts_us);
        if (!same) break;
    }
    CHECKF(tpa_capture_truncated(a) == tpa_capture_truncated(b), "%s: truncated", what);
    CHECKF(strcmp(tpa_capture_error(a), tpa_capture_error(b)) == 0, "%s: '%s' vs '%s'", what,
           tpa_capture_error(a), tpa_capture_error(b));
    CHECK(tpa_capture_offset(a) <= tpa_capture_size(a));
    tpa_capture_close(&a);
    tpa_capture_close(&b);
    CHECK(a == NULL && b == NULL);
    unlink(path);
}

/* Records of b (a file of build) that end at or before byte `end`. */
static int whole_records(const buf_t *b, size_t end)
{
    int n = 0;
    for (size_t at = 24; at + 16 <= end; n++) {
        uint32_t caplen = (uint32_t)b->p[at + 8] | (uint32_t)b->p[at + 9] << 8 |
                          (uint32_t)b->p[at + 10] << 16 | (uint32_t)b->p[at + 11] << 24;
        if (at + 16 + caplen > end) break;
        at += 16 + caplen;
    }
    return n;
}

/* The file of b (little-endian, microseconds) cut to well under half while the block
 * reader is open, after `first` records: every record still comes whole and as
 * written, none past the new end, and the capture ends as truncated (the new end is
 * inside a record). A mapped reader died of SIGBUS here. */
static void shrink_while_read(const buf_t *b, int first)
{
    char path[320];
    snprintf(path, sizeof path, "%s/f%d.pcap", dir, nfile++);
    write_file(path, b->p, b->n);
    size_t cut = b->n / 3;
    while (whole_records(b, cut) > whole_records(b, cut - 1))
        cut++; /* a cut inside a record, not at its end */
    tpa_capture_t *a = NULL;
    char ea[256] = "";
    CHECK(tpa_capture_open(path, &a, ea, sizeof ea) == 0);
    if (!a) return;
    CHECK(strcmp(tpa_capture_reader(a), "block") == 0);
    tpa_capture_pkt_t x;
    int n = 0;
    size_t at = 24;
    bool same = true;
    for (; n < first && tpa_capture_next(a, &x) == 1; n++) {
        same = same && memcmp(x.data, b->p + at + 16, x.caplen) == 0;
        at += 16 + x.caplen;
    }
    CHECK(truncate(path, (off_t)cut) == 0);
    while (tpa_capture_next(a, &x) == 1) {
        same = same && at + 16 + x.caplen <= b->n && memcmp(x.data, b->p + at + 16, x.caplen) == 0;
        at += 16 + x.caplen;
        n++;
    }
    CHECKF(same, "shrink after %d: a record differs from the file", first);
    /* what was read before the cut may still come out of the buffer */
    CHECKF(n >= whole_records(b, cut) && n < whole_records(b, b->n), "shrink after %d: %d records",
           first, n);
    CHECKF(tpa_capture_truncated(a), "shrink after %d: n %d cut %zu whole %d", first, n, cut,
           whole_records(b, cut));
    CHECKF(strncmp(tpa_capture_error(a), "truncated dump file", 19) == 0, "'%s'",
           tpa_capture_error(a));
    tpa_capture_close(&a);
    unlink(path);
}

static uint64_t rng = 88172645463325252ull;
static uint32_t rnd(void)
{
    return (uint32_t)tpa_test_rand(&rng);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tpa-test-capture-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    buf_t b = {0};
    char what[128];

    /* the variants, each whole and cut at every byte of its first records */
    static const uint32_t magics[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34};
    for (int mi = 0; mi < 3; mi++) {
        for (int be = 0; be < 2; be++) {
            for (int hts = 0; hts < 2; hts++) {
                spec_t s = {magics[mi], be, 2, 4, 262144, 1, 12, 0, 0, hts};
                build(&b, &s);
                snprintf(what, sizeof what, "magic %08x be %d high_ts %d", magics[mi], be, hts);
                compare(what, b.p, b.n, 1);
                for (size_t cut = 0; cut < 24 + 3 * (24 + 120); cut++) {
                    snprintf(what, sizeof what, "magic %08x be %d cut %zu", magics[mi], be, cut);
                    compare(what, b.p, cut < b.n ? cut : b.n, -1);
                }
            }
        }
    }
    /* versions, snapshot lengths, link types */
    struct {
        uint16_t vmaj, vmin;
        uint32_t snaplen, linktype;
        int swap_lengths, big, be, want_map;
    } var[] = {
        {2, 4, 0, 1, 0, 0, 0, 1},
        {2, 4, 64, 1, 0, 0, 0, 1},
        {2, 4, 64, 1, 0, 0, 1, 1},
        {2, 4, 0x7fffffff, 1, 0, 0, 0, 1},
        {2, 4, 0xffffffff, 1, 0, 0, 0, 1},
        {2, 4, 262144, 1, 0, 300000, 0, 1},
        {2, 4, 64, 1, 0, 300000, 0, 1},
        {2, 4, 262144, 1, 0, 262145, 1, 1},
        {2, 4, 1000, 1, 0, 262144, 0, 1},
        {2, 3, 262144, 1, 1, 0, 0, 0},
        {2, 2, 262144, 1, 1, 0, 0, 0},
        {543, 0, 262144, 1, 1, 0, 0, 0},
        {2, 5, 262144, 1, 0, 0, 0, 0},
        {1, 4, 262144, 1, 0, 0, 0, 0},
        {2, 4, 262144, 101, 0, 0, 0, 1},
        {2, 4, 262144, 228, 0, 0, 0, 1},
        {2, 4, 262144, 0, 0, 0, 1, 1},
        {2, 4, 262144, 113, 0, 0, 0, 1},
        {2, 4, 262144, 113, 0, 0, 1, 0},
        {2, 4, 262144, 147, 0, 0, 0, 0},
        {2, 4, 262144, 231, 0, 300000, 0, 0},
        {2, 4, 262144, 1 | 0x04000000, 0, 0, 0, 1},
    };
    for (size_t i = 0; i < sizeof var / sizeof var[0]; i++) {
        spec_t s = {0xa1b2c3d4,      var[i].be, var[i].vmaj,         var[i].vmin, var[i].snaplen,
                    var[i].linktype, 8,         var[i].swap_lengths, var[i].big,  0};
        build(&b, &s);
        snprintf(what, sizeof what, "variant %zu", i);
        compare(what, b.p, b.n, var[i].want_map);
        if (var[i].big) { /* cut inside the long record: in its kept part, in its skipped part */
            size_t at = 24 + 2 * 16 + 60 + 97 + 16;
            compare(what, b.p, at + 30, -1);
            compare(what, b.p, at + (var[i].snaplen < 1000 ? 100 : 262200), -1);
        }
    }
    /* the modified format with a 64-byte snapshot: libpcap adds 14 on Ethernet */
    {
        spec_t s = {0xa1b2cd34, 0, 2, 4, 64, 1, 8, 0, 0, 0};
        build(&b, &s);
        compare("modified snap 64", b.p, b.n, 1);
        spec_t t = {0xa1b2cd34, 1, 2, 4, 262144, 1, 8, 0, 262150, 0};
        build(&b, &t);
        compare("modified record 262150", b.p, b.n, 1);
    }
    /* random bytes over record headers */
    {
        spec_t s = {0xa1b2c3d4, 0, 2, 4, 1500, 1, 20, 0, 0, 0};
        build(&b, &s);
        uint8_t *orig = malloc(b.n);
        memcpy(orig, b.p, b.n);
        for (int it = 0; it < 300; it++) {
            memcpy(b.p, orig, b.n);
            size_t nflip = 1 + rnd() % 4;
            for (size_t k = 0; k < nflip; k++) {
                size_t at = 24 + rnd() % (b.n - 24);
                b.p[at] = (uint8_t)rnd();
                if (rnd() & 1) b.p[24 + 8 + (rnd() % 3) * 200 % (b.n - 40)] = (uint8_t)rnd();
            }
            snprintf(what, sizeof what, "random %d", it);
            compare(what, b.p, b.n, 1);
        }
        free(orig);
    }
    /* many blocks: records straddling every block end, whole and cut past the first */
    {
        spec_t s = {0xa1b2c3d4, 0, 2, 4, 262144, 1, 15000, 0, 0, 0};
        build(&b, &s);
        compare("many blocks", b.p, b.n, 1);
        compare("many blocks cut", b.p, 600001, 1);
        shrink_while_read(&b, 0);
        shrink_while_read(&b, 100);
        shrink_while_read(&b, 5000);
    }
    /* header only, and no records after a whole header */
    {
        spec_t s = {0xa1b2c3d4, 0, 2, 4, 262144, 1, 0, 0, 0, 0};
        build(&b, &s);
        compare("header only", b.p, b.n, 1);
    }
    free(b.p);
    rmdir(dir);
    return TEST_DONE();
}
