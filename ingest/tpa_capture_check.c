/* tpa_capture_check.c - recognise a capture file by its first bytes.
 *
 * pcap (libpcap savefile, draft-ietf-opsawg-pcap section 4): the file starts with
 * a 4-byte magic written in the writer's byte order:
 *   0xa1b2c3d4  microsecond timestamps
 *   0xa1b23c4d  nanosecond timestamps
 *   0xa1b2cd34  "modified" pcap (Kuznetzov patches; libpcap reads it)
 * each of which may appear byte-swapped.
 *
 * pcapng (draft-ietf-opsawg-pcapng section 4.1): the first block is a Section
 * Header Block: block type 0x0a0d0d0a (a palindrome, so byte order free), block
 * total length (32 bits, >= 28 and a multiple of 4), byte-order magic 0x1a2b3c4d
 * in the writer's order. Any other byte-order magic means the file is corrupt.
 *
 * gzip (RFC 1952 section 2.3.1): ID1 0x1f, ID2 0x8b, CM 8 (deflate, the only
 * method defined).
 *
 * Every byte is read through rd_* helpers that take explicit offsets checked
 * against len; nothing is cast to a struct.
 */
#include "tpa_capture_check.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#define SNIFF_HEAD 64 /* bytes read from a file; more than any format needs */

static uint32_t rd_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
static uint32_t rd_le32(const uint8_t *p)
{
    return (uint32_t)p[3] << 24 | (uint32_t)p[2] << 16 | (uint32_t)p[1] << 8 | p[0];
}

static const uint32_t pcap_magics[] = {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u};
#define NMAGICS (sizeof pcap_magics / sizeof pcap_magics[0])

/* True if the len (< 4) bytes at p are the beginning of magic m written in
 * big-endian (be=true) or little-endian order. */
static int magic_prefix(const uint8_t *p, size_t len, uint32_t m, int be)
{
    for (size_t i = 0; i < len && i < 4; i++) {
        unsigned shift = be ? 24 - 8 * (unsigned)i : 8 * (unsigned)i;
        if (p[i] != (uint8_t)(m >> shift)) return 0;
    }
    return 1;
}

static tpa_capfmt_t sniff_pcap(const uint8_t *p, size_t len)
{
    if (len < 4) {
        for (size_t i = 0; i < NMAGICS; i++)
            if (magic_prefix(p, len, pcap_magics[i], 1) || magic_prefix(p, len, pcap_magics[i], 0))
                return TPA_CAPFMT_SHORT;
        return TPA_CAPFMT_UNKNOWN;
    }
    uint32_t be = rd_be32(p), le = rd_le32(p);
    for (size_t i = 0; i < NMAGICS; i++)
        if (be == pcap_magics[i] || le == pcap_magics[i]) return TPA_CAPFMT_PCAP;
    return TPA_CAPFMT_UNKNOWN;
}

static tpa_capfmt_t sniff_pcapng(const uint8_t *p, size_t len)
{
    static const uint8_t shb[4] = {0x0a, 0x0d, 0x0d, 0x0a};
    size_t n = len < 4 ? len : 4;
    if (memcmp(p, shb, n) != 0) return TPA_CAPFMT_UNKNOWN;
    if (len < 12) return TPA_CAPFMT_SHORT;
    uint32_t blen;
    if (rd_be32(p + 8) == 0x1a2b3c4du)
        blen = rd_be32(p + 4);
    else if (rd_le32(p + 8) == 0x1a2b3c4du)
        blen = rd_le32(p + 4);
    else
        return TPA_CAPFMT_UNKNOWN;
    if (blen < 28 || blen % 4 != 0) return TPA_CAPFMT_UNKNOWN;
    return TPA_CAPFMT_PCAPNG;
}

static tpa_capfmt_t sniff_gzip(const uint8_t *p, size_t len)
{
    static const uint8_t id[3] = {0x1f, 0x8b, 0x08};
    size_t n = len < 3 ? len : 3;
    if (memcmp(p, id, n) != 0) return TPA_CAPFMT_UNKNOWN;
    return len < 3 ? TPA_CAPFMT_SHORT : TPA_CAPFMT_GZIP;
}

tpa_capfmt_t tpa_capture_sniff(const void *head, size_t len)
{
    const uint8_t *p = head;
    if (!p || len == 0) return TPA_CAPFMT_SHORT;
    tpa_capfmt_t (*probes[])(const uint8_t *, size_t) = {sniff_pcap, sniff_pcapng, sniff_gzip};
    int maybe = 0;
    for (size_t i = 0; i < sizeof probes / sizeof probes[0]; i++) {
        tpa_capfmt_t f = probes[i](p, len);
        if (f == TPA_CAPFMT_SHORT)
            maybe = 1;
        else if (f != TPA_CAPFMT_UNKNOWN)
            return f;
    }
    return maybe ? TPA_CAPFMT_SHORT : TPA_CAPFMT_UNKNOWN;
}

const char *tpa_capfmt_name(tpa_capfmt_t f)
{
    switch (f) {
    case TPA_CAPFMT_PCAP:
        return "pcap";
    case TPA_CAPFMT_PCAPNG:
        return "pcapng";
    case TPA_CAPFMT_GZIP:
        return "gzip";
    case TPA_CAPFMT_SHORT:
        return "short";
    case TPA_CAPFMT_UNKNOWN:
        break;
    }
    return "unknown";
}

static void seterr(char *err, size_t errlen, const char *msg)
{
    if (err && errlen) snprintf(err, errlen, "%s", msg);
}

tpa_capfmt_t tpa_capture_sniff_file_ex(const char *path, int *compressed, char *err, size_t errlen)
{
    uint8_t head[SNIFF_HEAD];
    int n, direct;
    tpa_capfmt_t f;

    if (compressed) *compressed = 0;
    seterr(err, errlen, "");
    if (!path) {
        seterr(err, errlen, "no file name");
        return TPA_CAPFMT_UNKNOWN;
    }
    /* gzread reads plain files unchanged (gzdirect() then says so), so one
     * read gives the decompressed head of a .gz and the raw head otherwise. */
    errno = 0;
    gzFile gz = gzopen(path, "rb");
    if (!gz) {
        seterr(err, errlen, errno ? strerror(errno) : "cannot open");
        return TPA_CAPFMT_UNKNOWN;
    }
    n = gzread(gz, head, sizeof head);
    direct = gzdirect(gz);
    if (n < 0) {
        int zerr = 0;
        const char *msg = gzerror(gz, &zerr);
        if (zerr == Z_ERRNO) msg = strerror(errno);
        if (err && errlen) snprintf(err, errlen, "%s%s", direct ? "" : "gzip: ", msg);
        gzclose(gz);
        return TPA_CAPFMT_UNKNOWN;
    }
    gzclose(gz);

    if (n == 0) {
        seterr(err, errlen, direct ? "empty file" : "gzip: empty content");
        return direct ? TPA_CAPFMT_SHORT : TPA_CAPFMT_UNKNOWN;
    }
    f = tpa_capture_sniff(head, (size_t)n);
    if (!direct && compressed) *compressed = 1;
    if (f == TPA_CAPFMT_SHORT) {
        /* The whole file (or content) is shorter than any capture header. */
        seterr(err, errlen,
               direct ? "file too short to be a capture"
                      : "gzip: content too short to be a capture");
        return direct ? TPA_CAPFMT_SHORT : TPA_CAPFMT_UNKNOWN;
    }
    if (f == TPA_CAPFMT_UNKNOWN || f == TPA_CAPFMT_GZIP) {
        /* gzip inside gzip is not something libpcap or we unwrap. */
        seterr(err, errlen,
               direct ? "not a pcap or pcapng file" : "gzip: content is not a pcap or pcapng file");
        return TPA_CAPFMT_UNKNOWN;
    }
    return f;
}

tpa_capfmt_t tpa_capture_sniff_file(const char *path, char *err, size_t errlen)
{
    int compressed = 0;
    tpa_capfmt_t f = tpa_capture_sniff_file_ex(path, &compressed, err, errlen);
    if (compressed && (f == TPA_CAPFMT_PCAP || f == TPA_CAPFMT_PCAPNG)) return TPA_CAPFMT_GZIP;
    return f;
}
