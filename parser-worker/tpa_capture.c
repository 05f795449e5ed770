/* tpa_capture.c - capture files: libpcap checks pcap headers and reads what our block
 * reader does not (gzip, pipes, old versions, other link types); gzip behind a stdio
 * cookie; pcapng through our reader. */
#define _GNU_SOURCE /* fopencookie */
#include "tpa_capture.h"

#include <errno.h>
#include <pcap/pcap.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "tpa_err.h"
#include "tpa_pcapblk.h"
#include "tpa_pcapng.h"

struct tpa_capture {
    pcap_t *pcap;       /* pcap files */
    tpa_pcapng_t *ng;   /* pcapng files: our reader (see tpa_pcapng.h) */
    tpa_pcapblk_t *blk; /* plain pcap records through our block reader (tpa_pcapblk.h), or NULL */
    gzFile gz;          /* when compressed; owned by the cookie stream */
    FILE *fp;           /* borrowed from pcap (pcap_close closes it) */
    bool compressed;
    bool pcapng;
    bool truncated;
    int dlt;
    uint64_t size;
    char error[PCAP_ERRBUF_SIZE + 64];
    tpa_capture_pkt_t pending; /* pcapng: first packet, read ahead at open */
    bool have_pending;
};

static ssize_t gz_read(void *cookie, char *buf, size_t n)
{
    int k = gzread((gzFile)cookie, buf, n > 1u << 30 ? 1u << 30 : (unsigned)n);
    return k < 0 ? -1 : k;
}

static int gz_close(void *cookie)
{
    return gzclose_r((gzFile)cookie) == Z_OK ? 0 : EOF;
}

/* LINKTYPE_* (file) to DLT_* (libpcap, names): identical but for RAW. */
static int dlt_of(int linktype)
{
    return linktype == 101 ? 12 : linktype;
}

/* A reader stopped: e is "" at a clean end, else why the capture is cut short. */
static int ended(tpa_capture_t *c, const char *e)
{
    if (e[0]) {
        c->truncated = true;
        snprintf(c->error, sizeof c->error, "%s", e);
    }
    return 0;
}

static void fill(tpa_capture_pkt_t *pkt, const uint8_t *data, uint32_t caplen, uint32_t wirelen,
                 int64_t ts_us, int dlt)
{
    pkt->data = data;
    pkt->caplen = caplen;
    pkt->wirelen = wirelen;
    pkt->ts_us = ts_us;
    pkt->dlt = dlt;
}

static int next_ng(tpa_capture_t *c, tpa_capture_pkt_t *pkt)
{
    tpa_pcapng_pkt_t p;
    if (tpa_pcapng_next(c->ng, &p) != 1) return ended(c, tpa_pcapng_error(c->ng));
    fill(pkt, p.data, p.caplen, p.wirelen, p.ts_us, dlt_of(p.linktype));
    return 1;
}

__attribute__((always_inline)) static inline int next_blk(tpa_capture_t *c, tpa_capture_pkt_t *pkt)
{
    tpa_pcapblk_pkt_t p;
    if (tpa_pcapblk_next(c->blk, &p) != 1) return ended(c, tpa_pcapblk_error(c->blk));
    fill(pkt, p.data, p.caplen, p.wirelen, p.ts_us, c->dlt);
    return 1;
}

/* Whether the file's first 4 bytes are v in either byte order. */
static bool magic_is(const uint8_t m[4], uint32_t v)
{
    uint32_t be = (uint32_t)m[0] << 24 | (uint32_t)m[1] << 16 | (uint32_t)m[2] << 8 | m[3];
    uint32_t le = (uint32_t)m[3] << 24 | (uint32_t)m[2] << 16 | (uint32_t)m[1] << 8 | m[0];
    return be == v || le == v;
}

/* The largest record libpcap 1.10 accepts for the link types our block reader
 * takes (pcap-common.c max_snaplen_for_dlt: MAXIMUM_SNAPLEN for all of them), or 0
 * for the link types it leaves to libpcap: those the engine does not decode, and, in
 * a byte-swapped file, the Linux cooked ones whose pseudo-header libpcap rewrites
 * (swap_pseudo_headers). */
static uint32_t blk_max_caplen(int dlt, bool swapped)
{
    switch (dlt) {
    case 0:   /* NULL */
    case 1:   /* EN10MB */
    case 12:  /* RAW */
    case 14:  /* RAW (BSD/OS) */
    case 108: /* LOOP */
    case 228: /* IPV4 */
    case 229: /* IPV6 */
        return 262144;
    case 113: /* LINUX_SLL */
    case 276: /* LINUX_SLL2 */
        return swapped ? 0 : 262144;
    default:
        return 0;
    }
}

/* Switches c to the block reader when it reproduces libpcap exactly: a regular,
 * uncompressed file of version 2.4 (lengths in the 2.4 order) and a link type of
 * blk_max_caplen. Otherwise (or when out of memory) libpcap goes on reading. */
static void try_blk(tpa_capture_t *c, const uint8_t magic[4], bool regular)
{
    if (c->compressed || !regular || pcap_major_version(c->pcap) != 2 ||
        pcap_minor_version(c->pcap) != 4)
        return;
    tpa_pcapblk_params_t prm = {0};
    prm.swapped = pcap_is_swapped(c->pcap) != 0;
    prm.max_caplen = blk_max_caplen(c->dlt, prm.swapped);
    int snap = pcap_snapshot(c->pcap);
    if (!prm.max_caplen || snap <= 0) return;
    prm.snapshot = (uint32_t)snap;
    prm.nano = magic_is(magic, 0xa1b23c4d);
    prm.modified = magic_is(magic, 0xa1b2cd34);
    c->blk = tpa_pcapblk_new(fileno(c->fp), c->size, 24, &prm);
}

static int magic_kind(const uint8_t m[4])
{
    static const uint32_t pcap_magic[] = {0xa1b2c3d4, 0xa1b23c4d, 0xa1b2cd34};
    for (size_t i = 0; i < sizeof pcap_magic / sizeof pcap_magic[0]; i++)
        if (magic_is(m, pcap_magic[i])) return 1;
    return magic_is(m, 0x0a0d0d0a) ? 2 : 0; /* pcapng: the same bytes either way */
}

int tpa_capture_open(const char *path, tpa_capture_t **out, char *err, size_t errlen)
{
    return tpa_capture_open_with(path, 0, out, err, errlen);
}

int tpa_capture_open_with(const char *path, unsigned flags, tpa_capture_t **out, char *err,
                          size_t errlen)
{
    int rc = TPA_ERR_IO;
    *out = NULL;
    tpa_capture_t *c = calloc(1, sizeof *c);
    if (!c) {
        snprintf(err, errlen, "out of memory");
        return TPA_ERR_NOMEM;
    }
    FILE *raw = fopen(path, "rb");
    if (!raw) {
        snprintf(err, errlen, "cannot open %s: %s", path, strerror(errno));
        goto fail_open;
    }
    struct stat sb;
    bool regular = false;
    if (fstat(fileno(raw), &sb) == 0) {
        c->size = (uint64_t)sb.st_size;
        regular = S_ISREG(sb.st_mode);
    }
    if (S_ISDIR(sb.st_mode)) {
        snprintf(err, errlen, "cannot read %s: is a directory", path);
        goto fail_file;
    }
    uint8_t m[4] = {0};
    size_t got = fread(m, 1, 4, raw);
    FILE *fp = raw;
    if (got >= 2 && m[0] == 0x1f && m[1] == 0x8b) {
        c->compressed = true;
        fseek(raw, 0, SEEK_SET);
        int fd = dup(fileno(raw));
        c->gz = fd >= 0 ? gzdopen(fd, "rb") : NULL;
        if (!c->gz) {
            snprintf(err, errlen, "cannot read %s: gzip open failed", path);
            goto fail_file;
        }
        gzbuffer(c->gz, 1u << 17);
        got = (size_t)(gzread(c->gz, m, 4) == 4 ? 4 : 0);
        gzrewind(c->gz);
        fclose(raw);
        raw = NULL;
        cookie_io_functions_t io = {gz_read, NULL, NULL, gz_close};
        fp = fopencookie(c->gz, "rb", io);
        if (!fp) {
            snprintf(err, errlen, "cannot read %s: %s", path, strerror(errno));
            gzclose_r(c->gz);
            c->gz = NULL;
            goto fail_file;
        }
        setvbuf(fp, NULL, _IOFBF, 1u << 17);
    } else {
        fseek(raw, 0, SEEK_SET);
    }
    int kind = got == 4 ? magic_kind(m) : 0;
    if (kind == 0) {
        snprintf(err, errlen, "%s: not a pcap or pcapng capture", path);
        rc = TPA_ERR_FORMAT;
        fclose(fp); /* closes the gzip stream too */
        c->gz = NULL;
        raw = NULL;
        goto fail_file;
    }
    c->pcapng = kind == 2;
    if (c->pcapng) {
        c->ng = tpa_pcapng_new(fp);
        if (!c->ng) {
            snprintf(err, errlen, "out of memory");
            rc = TPA_ERR_NOMEM;
            fclose(fp);
            c->gz = NULL;
            raw = NULL;
            goto fail_file;
        }
        c->fp = fp;
        /* read up to the first packet so the first interface's link type is known */
        c->have_pending = next_ng(c, &c->pending) == 1;
        if (!c->have_pending && c->truncated && tpa_pcapng_first_linktype(c->ng) < 0) {
            snprintf(err, errlen, "%s: not a readable pcapng capture (%s)", path, c->error);
            tpa_pcapng_destroy(&c->ng);
            c->gz = NULL;
            raw = NULL;
            rc = TPA_ERR_FORMAT;
            goto fail_file;
        }
        c->dlt = dlt_of(tpa_pcapng_first_linktype(c->ng));
        *out = c;
        return 0;
    }
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    c->pcap = pcap_fopen_offline_with_tstamp_precision(fp, PCAP_TSTAMP_PRECISION_MICRO, ebuf);
    if (!c->pcap) {
        snprintf(err, errlen, "%s: not a readable pcap or pcapng capture (%s)", path, ebuf);
        rc = TPA_ERR_FORMAT;
        fclose(fp);
        c->gz = NULL;
        raw = NULL;
        goto fail_file;
    }
    c->fp = fp;
    c->dlt = pcap_datalink(c->pcap);
    if (!(flags & TPA_CAPTURE_LIBPCAP)) try_blk(c, m, regular);
    *out = c;
    return 0;
fail_file:
    if (raw) fclose(raw);
fail_open:
    free(c);
    return rc;
}

void tpa_capture_close(tpa_capture_t **cp)
{
    if (!cp || !*cp) return;
    tpa_pcapblk_destroy(&(*cp)->blk); /* before the file it reads is closed */
    if ((*cp)->pcap)
        pcap_close((*cp)->pcap);    /* closes fp, and through the cookie the gzip stream */
    tpa_pcapng_destroy(&(*cp)->ng); /* likewise */
    free(*cp);
    *cp = NULL;
}

int tpa_capture_next(tpa_capture_t *c, tpa_capture_pkt_t *pkt)
{
    if (c->blk && !c->truncated) return next_blk(c, pkt); /* pcap: nothing read ahead */
    if (c->have_pending) {
        c->have_pending = false;
        *pkt = c->pending;
        return 1;
    }
    if (c->truncated) return 0;
    if (c->blk) return next_blk(c, pkt);
    if (c->ng) return next_ng(c, pkt);
    struct pcap_pkthdr *h;
    const u_char *data;
    int rc = pcap_next_ex(c->pcap, &h, &data);
    if (rc == 1) {
        fill(pkt, data, h->caplen, h->len, (int64_t)h->ts.tv_sec * 1000000 + h->ts.tv_usec, c->dlt);
        return 1;
    }
    return ended(c, rc == PCAP_ERROR ? pcap_geterr(c->pcap) : "");
}

const char *tpa_capture_format(const tpa_capture_t *c)
{
    return c->pcapng ? "pcapng" : "pcap";
}

const char *tpa_capture_reader(const tpa_capture_t *c)
{
    return c->ng ? "pcapng" : c->blk ? "block" : "libpcap";
}

bool tpa_capture_compressed(const tpa_capture_t *c)
{
    return c->compressed;
}

int tpa_capture_dlt(const tpa_capture_t *c)
{
    return c->dlt;
}

bool tpa_capture_truncated(const tpa_capture_t *c)
{
    return c->truncated;
}

const char *tpa_capture_error(const tpa_capture_t *c)
{
    return c->error;
}

uint64_t tpa_capture_offset(const tpa_capture_t *c)
{
    if (c->blk) return tpa_pcapblk_offset(c->blk);
    if (c->gz) {
        z_off_t o = gzoffset(c->gz);
        return o > 0 ? (uint64_t)o : 0;
    }
    long o = ftell(c->fp);
    return o > 0 ? (uint64_t)o : 0;
}

uint64_t tpa_capture_size(const tpa_capture_t *c)
{
    return c->size;
}

const char *tpa_capture_dlt_name(int dlt, char *buf, size_t buflen)
{
    const char *n = pcap_datalink_val_to_name(dlt);
    if (n) return n;
    snprintf(buf, buflen, "DLT_%d", dlt);
    return buf;
}
