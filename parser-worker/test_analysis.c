/* test_analysis.c - tpa_analyze_file end to end on captures this test writes:
 * pcap (micro, nano, both byte orders), gzip, a record cut short, pcapng with two
 * interfaces of different link types and time resolutions, not-a-capture, the
 * progress contract ("returning false cancels ... TPA_ERR_CANCELLED") and the digest. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "tpa_analysis.h"
#include "tpa_err.h"
#include "tpa_json_out.h"
#include "tpa_test.h"

static char dir[256];

/* A 60-byte Ethernet/IPv4/UDP frame 10.0.0.1:1000 -> 10.0.0.2:53 (or reversed). */
static void frame(uint8_t *f, int rev)
{
    memset(f, 0, 60);
    f[12] = 0x08;
    uint8_t *ip = f + 14;
    ip[0] = 0x45;
    ip[3] = 46;
    ip[8] = 64;
    ip[9] = 17;
    uint8_t a[4] = {10, 0, 0, 1}, b[4] = {10, 0, 0, 2};
    memcpy(ip + 12, rev ? b : a, 4);
    memcpy(ip + 16, rev ? a : b, 4);
    uint8_t *u = ip + 20;
    u[0] = rev ? 0 : 0x03;
    u[1] = rev ? 53 : 0xe8;
    u[2] = rev ? 0x03 : 0;
    u[3] = rev ? 0xe8 : 53;
    u[5] = 26;
}

static void w32(FILE *f, uint32_t v, int be)
{
    uint8_t b[4];
    for (int i = 0; i < 4; i++)
        b[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    fwrite(b, 1, 4, f);
}

static void w16(FILE *f, uint16_t v, int be)
{
    uint8_t b[2] = {(uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8)};
    fwrite(b, 1, 2, f);
}

static void write_pcap(const char *path, int be, int nano, int npkts)
{
    FILE *f = fopen(path, "wb");
    w32(f, nano ? 0xa1b23c4d : 0xa1b2c3d4, be);
    w16(f, 2, be);
    w16(f, 4, be);
    w32(f, 0, be);
    w32(f, 0, be);
    w32(f, 65535, be);
    w32(f, 1, be);
    for (int i = 0; i < npkts; i++) {
        uint8_t fr[60];
        frame(fr, i & 1);
        w32(f, 1700000000 + i, be);
        w32(f, nano ? 250000000u : 250000u, be);
        w32(f, 60, be);
        w32(f, 60, be);
        fwrite(fr, 1, 60, f);
    }
    fclose(f);
}

static void write_pcapng(const char *path)
{
    FILE *f = fopen(path, "wb");
    /* SHB */
    w32(f, 0x0a0d0d0a, 0);
    w32(f, 28, 0);
    w32(f, 0x1a2b3c4d, 0);
    w16(f, 1, 0);
    w16(f, 0, 0);
    w32(f, 0xffffffff, 0);
    w32(f, 0xffffffff, 0);
    w32(f, 28, 0);
    /* IDB 0: EN10MB, default microseconds, snaplen 65535 */
    w32(f, 1, 0);
    w32(f, 20, 0);
    w16(f, 1, 0);
    w16(f, 0, 0);
    w32(f, 65535, 0);
    w32(f, 20, 0);
    /* IDB 1: RAW (101), snaplen 262144, if_tsresol 9 (nanoseconds) */
    w32(f, 1, 0);
    w32(f, 32, 0);
    w16(f, 101, 0);
    w16(f, 0, 0);
    w32(f, 262144, 0);
    w16(f, 9, 0);
    w16(f, 1, 0);
    fputc(9, f);
    fputc(0, f);
    fputc(0, f);
    fputc(0, f);
    w16(f, 0, 0);
    w16(f, 0, 0);
    w32(f, 32, 0);
    uint8_t fr[60];
    frame(fr, 0);
    /* EPB on interface 0: ts 1700000000.5 s in microseconds */
    uint64_t ts = 1700000000ULL * 1000000 + 500000;
    w32(f, 6, 0);
    w32(f, 32 + 60, 0);
    w32(f, 0, 0);
    w32(f, (uint32_t)(ts >> 32), 0);
    w32(f, (uint32_t)ts, 0);
    w32(f, 60, 0);
    w32(f, 60, 0);
    fwrite(fr, 1, 60, f);
    w32(f, 32 + 60, 0);
    /* EPB on interface 1 (raw IP): ts 1700000001.25 s in nanoseconds */
    ts = 1700000001ULL * 1000000000 + 250000000;
    frame(fr, 1);
    w32(f, 6, 0);
    w32(f, 32 + 48, 0);
    w32(f, 1, 0);
    w32(f, (uint32_t)(ts >> 32), 0);
    w32(f, (uint32_t)ts, 0);
    w32(f, 46, 0);
    w32(f, 46, 0);
    fwrite(fr + 14, 1, 46, f);
    fputc(0, f);
    fputc(0, f);
    w32(f, 32 + 48, 0);
    fclose(f);
}

static json_t *analyze(const char *path, int *rc)
{
    json_t *doc = NULL;
    char err[256] = "";
    *rc = tpa_analyze_file(path, NULL, &doc, err, sizeof err);
    return doc;
}

static json_int_t ival(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);
    if (path2) v = json_object_get(v, path2);
    return json_integer_value(v);
}

static void check_flow(const json_t *doc, json_int_t pkts)
{
    const json_t *flows = json_object_get(doc, "flows");
    CHECK(json_array_size(flows) == 1);
    const json_t *f = json_array_get(flows, 0);
    CHECK(strcmp(json_string_value(json_object_get(f, "proto")), "udp") == 0);
    CHECK(strcmp(json_string_value(json_object_get(f, "src")), "10.0.0.1") == 0);
    CHECK(ival(f, "sport", NULL) == 1000 && ival(f, "dport", NULL) == 53);
    CHECK(ival(f, "packets", NULL) == pkts);
    CHECK(strcmp(json_string_value(json_object_get(f, "app")), "dns") == 0);
}

struct prog {
    int calls;
    uint64_t last_done, total;
    bool cancel;
};

static bool on_progress(void *ud, uint64_t done, uint64_t total)
{
    struct prog *p = ud;
    p->calls++;
    p->last_done = done;
    p->total = total;
    return !p->cancel;
}

static int to_stream(const char *buf, size_t len, void *ud)
{
    return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

struct emitted {
    char *text;
    int calls;
    size_t nlazy;
    bool fail; /* emit returns TPA_ERR_IO */
};

static int emit(void *ud, const json_t *doc, const tpa_json_out_lazy_t *lazy, size_t nlazy)
{
    struct emitted *e = ud;
    e->calls++;
    e->nlazy = nlazy;
    if (e->fail) return TPA_ERR_IO;
    size_t len = 0;
    FILE *m = open_memstream(&e->text, &len);
    if (!m) return TPA_ERR_NOMEM;
    int rc = tpa_json_out_callback_lazy(doc, 0, lazy, nlazy, to_stream, m);
    fclose(m);
    return rc;
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/tpa-test-analysis-%d", (int)getpid());
    char cmd[300], path[400], gz[400];
    snprintf(cmd, sizeof cmd, "mkdir -p %s", dir);
    CHECK(system(cmd) == 0);
    int rc;

    /* pcap in all four magic/byte-order combinations */
    for (int v = 0; v < 4; v++) {
        snprintf(path, sizeof path, "%s/v%d.pcap", dir, v);
        write_pcap(path, v & 1, v >> 1, 4);
        json_t *doc = analyze(path, &rc);
        CHECKF(rc == 0 && doc, "variant %d rc %d", v, rc);
        const json_t *cap = json_object_get(doc, "capture");
        CHECK(ival(cap, "packets", NULL) == 4 && ival(cap, "bytes", NULL) == 240);
        CHECK(json_real_value(json_object_get(cap, "first_ts")) == 1700000000.25);
        CHECK(json_is_false(json_object_get(cap, "truncated")));
        CHECK(strcmp(json_string_value(json_object_get(cap, "format")), "pcap") == 0);
        check_flow(doc, 4);
        json_decref(doc);
    }

    /* gzip */
    snprintf(path, sizeof path, "%s/v0.pcap", dir);
    snprintf(gz, sizeof gz, "%s/v0.pcap.gz", dir);
    FILE *in = fopen(path, "rb");
    gzFile out = gzopen(gz, "wb");
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, in)) > 0)
        gzwrite(out, buf, (unsigned)n);
    fclose(in);
    gzclose(out);
    json_t *doc = analyze(gz, &rc);
    CHECK(rc == 0 && json_is_true(json_object_get(json_object_get(doc, "capture"), "compressed")));
    check_flow(doc, 4);
    json_decref(doc);

    /* a record cut short: analysed up to the cut, truncated, with a finding */
    snprintf(path, sizeof path, "%s/cut.pcap", dir);
    write_pcap(path, 0, 0, 3);
    CHECK(truncate(path, 24 + 2 * 76 + 30) == 0);
    doc = analyze(path, &rc);
    CHECK(rc == 0 && doc);
    CHECK(json_is_true(json_object_get(json_object_get(doc, "capture"), "truncated")));
    CHECK(ival(doc, "capture", "packets") == 2);
    const json_t *fd = json_array_get(json_object_get(doc, "findings"), 0);
    CHECK(fd && strcmp(json_string_value(json_object_get(fd, "rule")), "capture.truncated") == 0);
    CHECK(fd && strcmp(json_string_value(json_object_get(fd, "id")), "F1") == 0);
    json_decref(doc);

    /* pcapng: two interfaces, different link types and time resolutions */
    snprintf(path, sizeof path, "%s/two.pcapng", dir);
    write_pcapng(path);
    doc = analyze(path, &rc);
    CHECK(rc == 0 && doc);
    const json_t *cap = json_object_get(doc, "capture");
    CHECK(strcmp(json_string_value(json_object_get(cap, "format")), "pcapng") == 0);
    CHECK(json_array_size(json_object_get(cap, "link_types")) == 2);
    CHECK(json_real_value(json_object_get(cap, "first_ts")) == 1700000000.5);
    CHECK(json_real_value(json_object_get(cap, "last_ts")) == 1700000001.25);
    check_flow(doc, 2);
    json_decref(doc);

    /* not a capture; missing file */
    snprintf(path, sizeof path, "%s/text.pcap", dir);
    FILE *t = fopen(path, "w");
    fputs("hello, not a capture\n", t);
    fclose(t);
    char err[256] = "";
    doc = NULL;
    rc = tpa_analyze_file(path, NULL, &doc, err, sizeof err);
    CHECK(rc == TPA_ERR_FORMAT && doc == NULL && strstr(err, "not a pcap or pcapng capture"));
    snprintf(path, sizeof path, "%s/missing.pcap", dir);
    rc = tpa_analyze_file(path, NULL, &doc, err, sizeof err);
    CHECK(rc == TPA_ERR_IO && doc == NULL);

    /* progress: ends with done == total; false cancels */
    snprintf(path, sizeof path, "%s/big.pcap", dir);
    write_pcap(path, 0, 0, 5000);
    struct prog pg = {0};
    tpa_analysis_opts_t o = {on_progress, &pg, "shown.pcap", NULL};
    rc = tpa_analyze_file(path, &o, &doc, err, sizeof err);
    CHECK(rc == 0 && pg.calls >= 1 && pg.total == 24 + 5000 * 76 && pg.last_done == pg.total);
    CHECK(strcmp(json_string_value(json_object_get(json_object_get(doc, "capture"), "file")),
                 "shown.pcap") == 0);

    /* opts.emit: the same text, written while flows[] is generated; emit's error is
     * the analysis's */
    char *want = tpa_json_out_dumps(doc, 0, NULL);
    struct emitted em = {0};
    tpa_analysis_opts_t eo = {NULL, &em, "shown.pcap", emit};
    json_t *none = NULL;
    rc = tpa_analyze_file(path, &eo, &none, err, sizeof err);
    CHECK(rc == 0 && none == NULL && em.calls == 1 && em.nlazy >= 1);
    CHECK(want && em.text && strcmp(em.text, want) == 0);
    free(em.text);
    free(want);
    em = (struct emitted){.fail = true};
    rc = tpa_analyze_file(path, &eo, &none, err, sizeof err);
    CHECK(rc == TPA_ERR_IO && none == NULL && em.calls == 1);

    /* digest: compact, within budget, no payload */
    json_t *dg = tpa_digest_build(doc, 4096);
    CHECK(dg && json_object_get(dg, "capture") && json_object_get(dg, "top_flows"));
    CHECK(ival(dg, "flows_total", NULL) == 1 && ival(dg, "apps", "dns") == 1);
    CHECK(json_dumpb(dg, NULL, 0, JSON_COMPACT) <= 4096);
    json_decref(dg);
    /* flow batches: one flow, all of it already in the digest's top flows -> none */
    json_t *fb = tpa_digest_flow_batches(doc, 1, 40, 3);
    CHECK(fb && json_array_size(fb) == 0);
    json_decref(fb);
    /* 7 flows ranked by bytes, skip 2, batches of 2, at most 2: flows 3-4 and 5-6 */
    json_t *many = json_pack("{s:{s:I}, s:[{s:i,s:i},{s:i,s:i},{s:i,s:i},{s:i,s:i},"
                             "{s:i,s:i},{s:i,s:i},{s:i,s:i}]}",
                             "capture", "packets", (json_int_t)7, "flows", "id", 1, "bytes", 70,
                             "id", 2, "bytes", 60, "id", 3, "bytes", 50, "id", 4, "bytes", 40, "id",
                             5, "bytes", 30, "id", 6, "bytes", 20, "id", 7, "bytes", 10);
    fb = tpa_digest_flow_batches(many, 2, 2, 2);
    CHECK(fb && json_array_size(fb) == 2);
    json_t *b0 = json_object_get(json_array_get(fb, 0), "top_flows");
    json_t *b1 = json_object_get(json_array_get(fb, 1), "top_flows");
    CHECK(json_array_size(b0) == 2 && json_array_size(b1) == 2);
    CHECK(json_integer_value(json_object_get(json_array_get(b0, 0), "id")) == 3 &&
          json_integer_value(json_object_get(json_array_get(b1, 1), "id")) == 6);
    CHECK(ival(json_array_get(fb, 0), "flows_total", NULL) == 7);
    json_decref(fb);
    json_decref(many);
    json_decref(doc);
    pg = (struct prog){0};
    pg.cancel = true;
    doc = NULL;
    rc = tpa_analyze_file(path, &o, &doc, err, sizeof err);
    CHECK(rc == TPA_ERR_CANCELLED && doc == NULL);

    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    return TEST_DONE();
}
