/* test_capture_check.c - tests for tpa_capture_check (capture recognition).
 * Usage: test_ingest_capture_check [SCRATCH_DIR] */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>

#include "tpa_capture_check.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                   \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

#define EXPECT_FMT(got, want, what)                                                                \
    CHECK((got) == (want), "%s: got %s, want %s", what, tpa_capfmt_name(got), tpa_capfmt_name(want))

static void put32(uint8_t *p, uint32_t v, int be)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
}

/* A 24-byte pcap global header (version 2.4, snaplen 65535, linktype 1). */
static void pcap_header(uint8_t *h, uint32_t magic, int be)
{
    memset(h, 0, 24);
    put32(h, magic, be);
    h[be ? 5 : 4] = 2;
    h[be ? 7 : 6] = 4;
    put32(h + 16, 65535, be);
    put32(h + 20, 1, be);
}

/* A 28-byte pcapng Section Header Block, byte-order magic bom. */
static void shb(uint8_t *h, uint32_t bom, int be)
{
    memset(h, 0, 28);
    put32(h, 0x0a0d0d0a, be);
    put32(h + 4, 28, be);
    put32(h + 8, bom, be);
    h[be ? 13 : 12] = 1;     /* major 1, minor 0 */
    memset(h + 16, 0xff, 8); /* section length unknown */
    put32(h + 24, 28, be);
}

static void test_pcap_magics(void)
{
    /* draft-ietf-opsawg-pcap 4: "Magic Number ... 0xA1B2C3D4 ... seconds and
     * microseconds ... 0xA1B23C4D ... seconds and nanoseconds"; the file is in the
     * writer's byte order, so each may appear swapped. Plus the modified 0xa1b2cd34. */
    static const uint32_t magics[] = {0xa1b2c3d4u, 0xa1b23c4du, 0xa1b2cd34u};
    uint8_t h[24];
    for (size_t m = 0; m < 3; m++) {
        for (int be = 0; be < 2; be++) {
            char what[64];
            snprintf(what, sizeof what, "pcap magic %08x %s", (unsigned)magics[m],
                     be ? "BE" : "LE");
            pcap_header(h, magics[m], be);
            EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_PCAP, what);
            EXPECT_FMT(tpa_capture_sniff(h, 4), TPA_CAPFMT_PCAP, what);
            EXPECT_FMT(tpa_capture_sniff(h, 3), TPA_CAPFMT_SHORT, what);
            EXPECT_FMT(tpa_capture_sniff(h, 1), TPA_CAPFMT_SHORT, what);
        }
    }
    /* A near miss is not a capture. */
    pcap_header(h, 0xa1b2c3d5u, 1);
    EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_UNKNOWN, "pcap near-miss magic");
    pcap_header(h, 0xa1b2c3d4u, 1);
    h[0] = 0xa2;
    EXPECT_FMT(tpa_capture_sniff(h, 2), TPA_CAPFMT_UNKNOWN, "decided early on a wrong first byte");
}

static void test_pcapng(void)
{
    /* draft-ietf-opsawg-pcapng 4.1: Block Type 0x0A0D0D0A; Byte-Order Magic
     * 0x1A2B3C4D written in the section's byte order. */
    uint8_t h[28];
    for (int be = 0; be < 2; be++) {
        const char *what = be ? "pcapng BE" : "pcapng LE";
        shb(h, 0x1a2b3c4du, be);
        EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_PCAPNG, what);
        EXPECT_FMT(tpa_capture_sniff(h, 12), TPA_CAPFMT_PCAPNG, what);
        EXPECT_FMT(tpa_capture_sniff(h, 11), TPA_CAPFMT_SHORT, what);
        EXPECT_FMT(tpa_capture_sniff(h, 4), TPA_CAPFMT_SHORT, what);
    }
    shb(h, 0x1a2b3c4eu, 0);
    EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_UNKNOWN, "pcapng bad byte-order magic");
    shb(h, 0x4d3c2b1au, 1); /* a half-swapped magic is wrong in both orders */
    h[8] = 0x3c;
    EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_UNKNOWN, "pcapng scrambled magic");
    shb(h, 0x1a2b3c4du, 0);
    put32(h + 4, 27, 0);
    EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_UNKNOWN, "pcapng SHB length not /4");
    put32(h + 4, 12, 0);
    EXPECT_FMT(tpa_capture_sniff(h, sizeof h), TPA_CAPFMT_UNKNOWN, "pcapng SHB length < 28");
}

static void test_other(void)
{
    /* RFC 1952 2.3.1: ID1 = 31, ID2 = 139, CM = 8 (deflate). */
    static const uint8_t gz[] = {0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 3};
    EXPECT_FMT(tpa_capture_sniff(gz, sizeof gz), TPA_CAPFMT_GZIP, "gzip");
    EXPECT_FMT(tpa_capture_sniff(gz, 2), TPA_CAPFMT_SHORT, "gzip 2 bytes");
    static const uint8_t gz_bad_cm[] = {0x1f, 0x8b, 0x07, 0x00};
    EXPECT_FMT(tpa_capture_sniff(gz_bad_cm, sizeof gz_bad_cm), TPA_CAPFMT_UNKNOWN, "gzip CM 7");

    const char *text = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
    EXPECT_FMT(tpa_capture_sniff(text, strlen(text)), TPA_CAPFMT_UNKNOWN, "text");
    EXPECT_FMT(tpa_capture_sniff("G", 1), TPA_CAPFMT_UNKNOWN, "one byte of text");
    EXPECT_FMT(tpa_capture_sniff("", 0), TPA_CAPFMT_SHORT, "no bytes");
    EXPECT_FMT(tpa_capture_sniff(NULL, 0), TPA_CAPFMT_SHORT, "NULL");

    CHECK(strcmp(tpa_capfmt_name(TPA_CAPFMT_PCAP), "pcap") == 0, "name pcap");
    CHECK(strcmp(tpa_capfmt_name(TPA_CAPFMT_PCAPNG), "pcapng") == 0, "name pcapng");
    CHECK(strcmp(tpa_capfmt_name(TPA_CAPFMT_GZIP), "gzip") == 0, "name gzip");
    CHECK(strcmp(tpa_capfmt_name(TPA_CAPFMT_SHORT), "short") == 0, "name short");
    CHECK(strcmp(tpa_capfmt_name(TPA_CAPFMT_UNKNOWN), "unknown") == 0, "name unknown");
    CHECK(strcmp(tpa_capfmt_name((tpa_capfmt_t)42), "unknown") == 0, "name out of range");
}

static int write_file(const char *path, const void *data, size_t len, int gzip)
{
    if (gzip) {
        gzFile g = gzopen(path, "wb");
        if (!g) return -1;
        int n = len ? gzwrite(g, data, (unsigned)len) : 0;
        return gzclose(g) == Z_OK && n == (int)len ? 0 : -1;
    }
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    size_t n = fwrite(data, 1, len, f);
    return fclose(f) == 0 && n == len ? 0 : -1;
}

static void test_files(const char *dir)
{
    char p[512], err[256];
    uint8_t h[24 + 16 + 60];
    int comp;

    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        CHECK(0, "mkdir %s: %s", dir, strerror(errno));
        return;
    }
    pcap_header(h, 0xa1b2c3d4u, 0);
    memset(h + 24, 0, sizeof h - 24); /* one record header + zero bytes */

    snprintf(p, sizeof p, "%s/empty", dir);
    CHECK(write_file(p, "", 0, 0) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_SHORT, "empty file");
    CHECK(strcmp(err, "empty file") == 0, "empty file err '%s'", err);

    snprintf(p, sizeof p, "%s/tiny", dir);
    CHECK(write_file(p, h, 3, 0) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_SHORT, "3-byte file");
    CHECK(err[0] != '\0', "3-byte file has an error line");

    snprintf(p, sizeof p, "%s/text.txt", dir);
    CHECK(write_file(p, "hello, world\n", 13, 0) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_UNKNOWN, "text file");
    CHECK(strcmp(err, "not a pcap or pcapng file") == 0, "text err '%s'", err);

    snprintf(p, sizeof p, "%s/a.pcap", dir);
    CHECK(write_file(p, h, sizeof h, 0) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_PCAP, "pcap file");
    comp = -1;
    EXPECT_FMT(tpa_capture_sniff_file_ex(p, &comp, err, sizeof err), TPA_CAPFMT_PCAP,
               "pcap file ex");
    CHECK(comp == 0, "plain pcap not compressed");

    snprintf(p, sizeof p, "%s/a.pcap.gz", dir);
    CHECK(write_file(p, h, sizeof h, 1) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_GZIP, "gzip'ed pcap");
    comp = 0;
    EXPECT_FMT(tpa_capture_sniff_file_ex(p, &comp, err, sizeof err), TPA_CAPFMT_PCAP,
               "gzip'ed pcap ex");
    CHECK(comp == 1, "gzip'ed pcap compressed");

    uint8_t ng[28];
    shb(ng, 0x1a2b3c4du, 1);
    snprintf(p, sizeof p, "%s/a.pcapng.gz", dir);
    CHECK(write_file(p, ng, sizeof ng, 1) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file_ex(p, &comp, err, sizeof err), TPA_CAPFMT_PCAPNG,
               "gzip'ed pcapng ex");

    snprintf(p, sizeof p, "%s/text.gz", dir);
    CHECK(write_file(p, "hello, world, compressed\n", 25, 1) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_UNKNOWN, "gzip'ed text");
    CHECK(strstr(err, "not a pcap") != NULL, "gzip'ed text err '%s'", err);

    snprintf(p, sizeof p, "%s/empty.gz", dir);
    CHECK(write_file(p, "", 0, 1) == 0, "write %s", p);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_UNKNOWN, "gzip'ed nothing");

    snprintf(p, sizeof p, "%s/does-not-exist", dir);
    EXPECT_FMT(tpa_capture_sniff_file(p, err, sizeof err), TPA_CAPFMT_UNKNOWN, "missing file");
    CHECK(strcmp(err, strerror(ENOENT)) == 0, "missing file err '%s'", err);

    EXPECT_FMT(tpa_capture_sniff_file(dir, err, sizeof err), TPA_CAPFMT_UNKNOWN, "directory");
    CHECK(err[0] != '\0', "directory has an error line");
    EXPECT_FMT(tpa_capture_sniff_file(NULL, NULL, 0), TPA_CAPFMT_UNKNOWN, "NULL path, NULL err");
}

int main(int argc, char **argv)
{
    test_pcap_magics();
    test_pcapng();
    test_other();
    test_files(argc > 1 ? argv[1] : "test-capture-check");
    if (failures) {
        fprintf(stderr, "%d check(s) failed\n", failures);
        return 1;
    }
    puts("capture_check: all checks passed");
    return 0;
}
