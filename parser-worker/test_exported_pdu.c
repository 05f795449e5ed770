/* test_exported_pdu.c - link type 252 (LINKTYPE_WIRESHARK_UPPER_PDU, tpa_exported_pdu.h)
 * on frames and a capture this test writes: the TLVs as wsutil/exported_pdu_tlvs.h
 * defines them ("a sequence of TLVs ... The last TLV is of type EXP_PDU_TAG_END_OF_OPT;
 * it has a length of 0"; "a string may have zero, one, or more null bytes at the end"),
 * malformed TLVs with their named reasons, and the PDU handed to the dissector of the
 * named protocol on the flow of the given endpoints: NGAP (with its NAS-PDU) on SCTP,
 * PFCP on IPv6/UDP (request and response paired), HTTP/2 with no port type (reported on
 * a port never proven h2c), SIP by a heuristic name, NGAP by the sctp.ppi table, DNS
 * inside an exported "ip" PDU, NAS-5GS without endpoints (no flow), an unknown protocol
 * (a flow, no app); then a pcapng capture of such frames through tpa_analyze_file. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "test_ap_rig.h"
#include "tpa_analysis.h"
#include "tpa_decode.h"
#include "tpa_exported_pdu.h"
#include "tpa_malformed.h"
#include "tpa_ngap.h"
#include "tpa_result.h"
#include "tpa_test.h"

/* ---- frame writer ---- */

typedef struct xb {
    uint8_t b[4096];
    size_t n;
} xb_t;

static void put(xb_t *x, const void *p, size_t n)
{
    if (x->n + n > sizeof x->b) abort();
    memcpy(x->b + x->n, p, n);
    x->n += n;
}

static void tlv(xb_t *x, unsigned tag, const void *v, size_t len)
{
    uint8_t h[4] = {(uint8_t)(tag >> 8), (uint8_t)tag, (uint8_t)(len >> 8), (uint8_t)len};
    put(x, h, 4);
    if (len) put(x, v, len);
}

static void tlv_str(xb_t *x, unsigned tag, const char *s)
{
    tlv(x, tag, s, strlen(s));
}

static void tlv_u32(xb_t *x, unsigned tag, uint32_t v)
{
    uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
    tlv(x, tag, b, 4);
}

/* The usual head: protocol name, IPv4 10.0.0.<a> -> 10.0.0.<b>, ports, port type
 * (pt < 0: none). */
static void head4(xb_t *x, const char *proto, uint8_t a, uint8_t b, unsigned sport, unsigned dport,
                  int pt)
{
    uint8_t s[4] = {10, 0, 0, a}, d[4] = {10, 0, 0, b};
    x->n = 0;
    tlv_str(x, 12, proto);
    tlv(x, 20, s, 4);
    tlv(x, 21, d, 4);
    if (pt >= 0) tlv_u32(x, 24, (uint32_t)pt);
    tlv_u32(x, 25, sport);
    tlv_u32(x, 26, dport);
}

static void end_and(xb_t *x, const void *pdu, size_t n)
{
    tlv(x, 0, NULL, 0);
    if (n) put(x, pdu, n);
}

/* ---- decoder ---- */

static tpa_decoder_t *dec;
static uint64_t frame_no;

static void fresh(void)
{
    tpa_decoder_destroy(&dec);
    dec = tpa_decoder_new();
    if (!dec) exit(2);
    frame_no = 0;
}

static void feed(const xb_t *x)
{
    frame_no++;
    tpa_decode_packet(dec, TPA_EXPORTED_PDU_LINKTYPE, frame_no,
                      1700000000000000LL + (int64_t)frame_no * 1000, x->b, (uint32_t)x->n,
                      (uint32_t)x->n);
}

static uint64_t count(const char *proto, const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(dec), proto, code);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(dec)->reasons[r];
}

/* The result document of what was fed (decoder finished). Caller decrefs. */
static json_t *doc_now(void)
{
    tpa_decode_finish(dec);
    tpa_result_capture_t cap = {0};
    cap.file = "test";
    cap.format = "pcapng";
    cap.link_types[0] = "DLT_252";
    cap.nlink_types = 1;
    return tpa_result_build(dec, &cap);
}

static const json_t *flow_at(const json_t *doc, size_t i)
{
    return json_array_get(json_object_get(doc, "flows"), i);
}

static const char *sval(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static json_int_t ival(const json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* Whether the doc's i-th flow has that proto and app (app NULL: none). */
static bool flow_is(const json_t *doc, size_t i, const char *proto, const char *app)
{
    const json_t *f = flow_at(doc, i);
    const char *a = sval(f, "app");
    return f && strcmp(sval(f, "proto"), proto) == 0 && (app ? a && !strcmp(a, app) : !a);
}

/* Whether the doc's first transaction has that procedure and outcome. */
static bool txn_is(const json_t *doc, const char *procedure, const char *outcome)
{
    const json_t *t = json_array_get(json_object_get(doc, "transactions"), 0);
    return t && strcmp(sval(t, "procedure"), procedure) == 0 &&
           strcmp(sval(t, "outcome"), outcome) == 0;
}

/* ---- PDUs, built from the specs ---- */

/* TS 24.501 8.2.6 Registration request (initial, SUCI with the null scheme). */
static const uint8_t nas_reg[] = {0x7e, 0x00, 0x41, 0x79, 0x00, 0x0d, 0x01, 0x00, 0xf1, 0x10,
                                  0x00, 0x00, 0x00, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98};

/* TS 38.413 9.2.5.1 InitialUEMessage: RAN-UE-NGAP-ID 5, NAS-PDU, RRC cause. */
static size_t ngap_initial_ue(uint8_t *out)
{
    enc_t v[3];
    v_int(&v[0], 5, 4294967295ULL);
    v_nas(&v[1], nas_reg, sizeof nas_reg);
    enc_init(&v[2]);
    enc_bits(&v[2], 0, 1);
    enc_int(&v[2], 3, 0, 9);
    const unsigned ids[] = {85, 38, 90};
    const enc_t *vals[] = {&v[0], &v[1], &v[2]};
    return ap_build(out, 0, 15, 1, 3, ids, vals);
}

/* TS 29.244 7.4.2 Heartbeat Request / Response (type 1 / 2), sequence 5, Recovery
 * Time Stamp IE (96). */
static const uint8_t pfcp_hb_req[] = {0x20, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x05, 0x00,
                                      0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x00};
static const uint8_t pfcp_hb_rsp[] = {0x20, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x05, 0x00,
                                      0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x01};

/* RFC 9113 6.2 HEADERS (END_STREAM | END_HEADERS, stream 1) with an RFC 7541 block of
 * static-table references: :method POST (3), :scheme http (6), and :path (4) as a
 * literal without indexing. */
static size_t h2_post(uint8_t *out)
{
    static const char path[] = "/nsmf-pdusession/v1/sm-contexts";
    uint8_t blk[64];
    size_t n = 0;
    blk[n++] = 0x83;
    blk[n++] = 0x86;
    blk[n++] = 0x04;
    blk[n++] = (uint8_t)(sizeof path - 1);
    memcpy(blk + n, path, sizeof path - 1);
    n += sizeof path - 1;
    uint8_t h[9] = {0, 0, (uint8_t)n, 0x01, 0x05, 0, 0, 0, 1};
    memcpy(out, h, 9);
    memcpy(out + 9, blk, n);
    return 9 + n;
}

/* :status 200 (static index 8) on stream 1. */
static const uint8_t h2_200[] = {0, 0, 1, 0x01, 0x05, 0, 0, 0, 1, 0x88};

static const char sip_options[] = "OPTIONS sip:bob@example.com SIP/2.0\r\n"
                                  "Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1\r\n"
                                  "From: <sip:alice@example.com>;tag=1\r\n"
                                  "To: <sip:bob@example.com>\r\n"
                                  "Call-ID: c1@10.0.0.1\r\n"
                                  "CSeq: 1 OPTIONS\r\n"
                                  "Content-Length: 0\r\n\r\n";

/* RFC 791 / 768 / 1035: IPv4 10.0.0.1 -> 10.0.0.53, UDP 1000 -> 53, a query. */
static size_t ip_dns_query(uint8_t *out)
{
    static const uint8_t q[] = {0x12, 0x34, 0x01, 0x00, 0,   1,   0,   0,   0,   0,   0,
                                0,    3,    'w',  'w',  'w', 7,   'e', 'x', 'a', 'm', 'p',
                                'l',  'e',  3,    'c',  'o', 'm', 0,   0,   1,   0,   1};
    size_t tot = 20 + 8 + sizeof q;
    memset(out, 0, 28);
    out[0] = 0x45;
    out[2] = (uint8_t)(tot >> 8);
    out[3] = (uint8_t)tot;
    out[8] = 64;
    out[9] = 17;
    out[12] = 10, out[15] = 1;
    out[16] = 10, out[19] = 53;
    out[20] = 0x03, out[21] = 0xe8, out[23] = 53;
    out[25] = (uint8_t)(8 + sizeof q);
    memcpy(out + 28, q, sizeof q);
    return tot;
}

/* ---- parsing ---- */

static void test_parse(void)
{
    xb_t x = {0};
    uint8_t v6a[16] = {0x20, 0x01, 0x0d, 0xb8}, v6b[16] = {0x20, 0x01, 0x0d, 0xb8};
    v6a[15] = 1, v6b[15] = 2;
    tlv_u32(&x, 10, 99);          /* options length: stepped over */
    tlv(&x, 12, "ngap\0\0\0", 7); /* NUL-padded name */
    tlv(&x, 22, v6a, 16);
    tlv(&x, 23, v6b, 16);
    tlv_u32(&x, 24, 1);
    tlv_u32(&x, 25, 38412);
    tlv_u32(&x, 26, 60000);
    tlv_u32(&x, 30, 7);   /* original frame number */
    tlv(&x, 999, "?", 1); /* unknown tag */
    end_and(&x, "PDU", 3);
    tpa_rd_t r = tpa_rd_init(x.b, x.n);
    tpa_exported_pdu_t m;
    CHECK(tpa_exported_pdu_parse(&r, &m) == 0);
    CHECK(strcmp(m.proto, "ngap") == 0 && m.family == 6);
    CHECK(memcmp(m.src, v6a, 16) == 0 && memcmp(m.dst, v6b, 16) == 0);
    CHECK(m.has_port_type && m.port_type == 1 && tpa_exported_pdu_ip_proto(&m) == 132);
    CHECK(m.has_ports && m.sport == 38412 && m.dport == 60000);
    CHECK(tpa_rd_remaining(&r) == 3 && tpa_rd_peek(&r, 0) == 'P'); /* left at the PDU */

    /* heuristic name, table entry, one address only */
    x.n = 0;
    tlv_str(&x, 13, "sip_udp");
    tlv_str(&x, 14, "sctp.ppi");
    tlv_u32(&x, 32, 60);
    uint8_t a4[4] = {10, 0, 0, 1};
    tlv(&x, 20, a4, 4);
    end_and(&x, NULL, 0);
    r = tpa_rd_init(x.b, x.n);
    CHECK(tpa_exported_pdu_parse(&r, &m) == 0);
    CHECK(strcmp(m.proto, "sip") == 0 && strcmp(m.table, "sctp.ppi") == 0);
    CHECK(m.has_table_value && m.table_value == 60);
    CHECK(m.family == 0 && !m.has_ports && !m.has_port_type && tpa_exported_pdu_ip_proto(&m) == 0);
    CHECK(tpa_rd_remaining(&r) == 0);
}

static int parse_reason(const xb_t *x)
{
    tpa_rd_t r = tpa_rd_init(x->b, x->n);
    tpa_exported_pdu_t m;
    return tpa_exported_pdu_parse(&r, &m);
}

static void test_malformed(void)
{
    xb_t x = {0};
    uint8_t a4[4] = {10, 0, 0, 1}, a6[16] = {0x20, 0x01};
    /* no end-of-options tag */
    tlv_str(&x, 12, "ngap");
    CHECK(parse_reason(&x) == TPA_MAL_EXPORTED_PDU_TRUNCATED);
    /* a value running past the frame */
    x.n = 0;
    tlv_str(&x, 12, "ngap");
    x.b[3] = 40;
    CHECK(parse_reason(&x) == TPA_MAL_EXPORTED_PDU_TRUNCATED);
    /* an IPv4 address of 5 octets, a port above 65535, a 2-octet port type */
    x.n = 0;
    tlv(&x, 20, "\x0a\0\0\x01\x02", 5);
    end_and(&x, NULL, 0);
    CHECK(parse_reason(&x) == TPA_MAL_EXPORTED_PDU_TAG_INVALID);
    x.n = 0;
    tlv_u32(&x, 25, 70000);
    end_and(&x, NULL, 0);
    CHECK(parse_reason(&x) == TPA_MAL_EXPORTED_PDU_TAG_INVALID);
    x.n = 0;
    tlv(&x, 24, "\0\x02", 2);
    end_and(&x, NULL, 0);
    CHECK(parse_reason(&x) == TPA_MAL_EXPORTED_PDU_TAG_INVALID);
    /* addresses of two families */
    x.n = 0;
    tlv(&x, 20, a4, 4);
    tlv(&x, 23, a6, 16);
    end_and(&x, NULL, 0);
    CHECK(parse_reason(&x) == TPA_MAL_EXPORTED_PDU_TAG_INVALID);

    /* through the decoder: marked, nothing decoded; a frame cut by the snaplen is not
     * malformed for running out */
    fresh();
    x.n = 0;
    head4(&x, "pfcp", 1, 2, 8805, 8805, 3);
    feed(&x); /* no end tag */
    CHECK(reason(TPA_MAL_EXPORTED_PDU_TRUNCATED) == 1);
    CHECK(tpa_decode_stats(dec)->malformed == 1);
    CHECK(tpa_flow_table_total(tpa_decode_flows(dec)) == 0);
    frame_no++;
    tpa_decode_packet(dec, TPA_EXPORTED_PDU_LINKTYPE, frame_no, 1700000000000000LL, x.b,
                      (uint32_t)x.n, (uint32_t)x.n + 100);
    CHECK(reason(TPA_MAL_EXPORTED_PDU_TRUNCATED) == 1 && tpa_decode_stats(dec)->malformed == 1);
    x.n = 0;
    tlv_u32(&x, 26, 65536);
    end_and(&x, pfcp_hb_req, sizeof pfcp_hb_req);
    feed(&x);
    CHECK(reason(TPA_MAL_EXPORTED_PDU_TAG_INVALID) == 1 && count("pfcp", "1") == 0);
    CHECK(tpa_decode_stats(dec)->unsupported_link == 0);
}

/* ---- dispatch ---- */

static void test_ngap_sctp(void)
{
    fresh();
    xb_t x;
    uint8_t pdu[512];
    size_t n = ngap_initial_ue(pdu);
    head4(&x, "ngap", 1, 2, 38412, 38412, 1);
    end_and(&x, pdu, n);
    feed(&x);
    CHECK(count("ngap", "15/initiating") == 1);
    CHECK(count("nas-5gs", "65") == 1); /* its NAS-PDU, handed on as NGAP does */
    CHECK(tpa_decode_stats(dec)->malformed == 0 && tpa_decode_stats(dec)->non_ip == 0);
    json_t *doc = doc_now();
    const json_t *f = flow_at(doc, 0);
    CHECK(flow_is(doc, 0, "sctp", "ngap"));
    CHECK(f && strcmp(sval(f, "src"), "10.0.0.1") == 0 && ival(f, "dport") == 38412);
    CHECK(f && ival(f, "packets") == 1 && ival(f, "bytes") == (json_int_t)x.n);
    json_decref(doc);
}

static void test_pfcp_ipv6_udp(void)
{
    fresh();
    xb_t x = {0};
    uint8_t a[16] = {0x20, 0x01, 0x0d, 0xb8}, b[16] = {0x20, 0x01, 0x0d, 0xb8};
    a[15] = 1, b[15] = 2;
    for (int dir = 0; dir < 2; dir++) {
        x.n = 0;
        tlv_str(&x, 12, "pfcp");
        tlv(&x, 22, dir ? b : a, 16);
        tlv(&x, 23, dir ? a : b, 16);
        tlv_u32(&x, 24, 3);
        tlv_u32(&x, 25, 8805);
        tlv_u32(&x, 26, 8805);
        if (dir)
            end_and(&x, pfcp_hb_rsp, sizeof pfcp_hb_rsp);
        else
            end_and(&x, pfcp_hb_req, sizeof pfcp_hb_req);
        feed(&x);
    }
    CHECK(count("pfcp", "1") == 1 && count("pfcp", "2") == 1);
    json_t *doc = doc_now();
    CHECK(flow_is(doc, 0, "udp", "pfcp") && ival(flow_at(doc, 0), "packets") == 2);
    CHECK(json_array_size(json_object_get(doc, "flows")) == 1);
    CHECK(txn_is(doc, "Heartbeat", "success"));
    json_decref(doc);
}

static void test_http2_no_port_type(void)
{
    fresh();
    xb_t x;
    uint8_t pdu[128];
    size_t n = h2_post(pdu);
    head4(&x, "http2", 1, 2, 43054, 7070, -1); /* 7070: not an SBI port we know */
    end_and(&x, pdu, n);
    feed(&x);
    head4(&x, "http2", 2, 1, 7070, 43054, -1);
    end_and(&x, h2_200, sizeof h2_200);
    feed(&x);
    CHECK(count("http2", "POST") == 1 && count("http2", "200") == 1);
    json_t *doc = doc_now();
    /* no port type: the transport is not claimed */
    CHECK(flow_is(doc, 0, "ip-0", "http2") && !json_object_get(flow_at(doc, 0), "tcp"));
    CHECK(txn_is(doc, "POST nsmf-pdusession", "success"));
    json_decref(doc);
}

static void test_names_and_tables(void)
{
    fresh();
    xb_t x = {0};
    uint8_t a4[4] = {10, 0, 0, 1}, b4[4] = {10, 0, 0, 2}, pdu[512];
    /* SIP by its heuristic dissector's name */
    tlv_str(&x, 13, "sip_udp");
    tlv(&x, 20, a4, 4);
    tlv(&x, 21, b4, 4);
    tlv_u32(&x, 24, 3);
    tlv_u32(&x, 25, 5070);
    tlv_u32(&x, 26, 5070);
    end_and(&x, sip_options, sizeof sip_options - 1);
    feed(&x);
    CHECK(count("sip", "OPTIONS") == 1);
    /* NGAP by the sctp.ppi table (no name, no port type: SCTP from the table) */
    x.n = 0;
    tlv_str(&x, 14, "sctp.ppi");
    tlv_u32(&x, 32, 60);
    tlv(&x, 20, a4, 4);
    tlv(&x, 21, b4, 4);
    tlv_u32(&x, 25, 9000);
    tlv_u32(&x, 26, 9001);
    end_and(&x, pdu, ngap_initial_ue(pdu));
    feed(&x);
    CHECK(count("ngap", "15/initiating") == 1);
    /* GTPv1 under Wireshark's name "gtp": an Echo Request (TS 29.060 7.2.1) */
    static const uint8_t echo[] = {0x32, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x07, 0, 0};
    head4(&x, "gtp", 1, 2, 2123, 2123, 3);
    end_and(&x, echo, sizeof echo);
    feed(&x);
    CHECK(count("gtp", "1") == 1);
    /* an exported IP packet: decoded as a raw-IP frame would be */
    x.n = 0;
    tlv_str(&x, 12, "ip");
    end_and(&x, pdu, ip_dns_query(pdu));
    feed(&x);
    CHECK(count("dns", "query") == 1);
    /* NAS-5GS without endpoints: counted, no flow, the frame has no IP layer */
    x.n = 0;
    tlv_str(&x, 12, "nas-5gs");
    end_and(&x, nas_reg, sizeof nas_reg);
    feed(&x);
    CHECK(count("nas-5gs", "65") == 2); /* the other one rode in the NGAP PDU above */
    CHECK(tpa_decode_stats(dec)->non_ip == 1);
    /* NGAP without endpoints: no flow to pair by, so not decoded */
    x.n = 0;
    tlv_str(&x, 12, "ngap");
    end_and(&x, pdu, ngap_initial_ue(pdu));
    feed(&x);
    CHECK(count("ngap", "15/initiating") == 1 && tpa_decode_stats(dec)->non_ip == 2);
    /* a protocol we do not decode: its flow, with no app */
    head4(&x, "lte_rrc.ul_dcch", 7, 8, 1, 2, 3);
    end_and(&x, "\x01\x02", 2);
    feed(&x);
    CHECK(tpa_decode_stats(dec)->malformed == 0);
    json_t *doc = doc_now();
    size_t nf = json_array_size(json_object_get(doc, "flows"));
    CHECK(nf == 5); /* sip, ngap (table), gtp, dns in the IP packet, unknown */
    CHECK(flow_is(doc, nf - 1, "udp", NULL) &&
          !strcmp(sval(flow_at(doc, nf - 1), "src"), "10.0.0.7"));
    CHECK(flow_is(doc, 1, "sctp", "ngap")); /* SCTP from the sctp.ppi table */
    json_decref(doc);
}

/* ---- a capture ---- */

static void w32(FILE *f, uint32_t v)
{
    fwrite(&v, 4, 1, f); /* host order: the section header's magic tells readers */
}

static void w16(FILE *f, uint16_t v)
{
    fwrite(&v, 2, 1, f);
}

static void epb(FILE *f, const xb_t *x, uint64_t ts_us)
{
    size_t pad = (4 - x->n % 4) % 4;
    uint32_t len = (uint32_t)(32 + x->n + pad);
    w32(f, 6);
    w32(f, len);
    w32(f, 0);
    w32(f, (uint32_t)(ts_us >> 32));
    w32(f, (uint32_t)ts_us);
    w32(f, (uint32_t)x->n);
    w32(f, (uint32_t)x->n);
    fwrite(x->b, 1, x->n, f);
    for (size_t i = 0; i < pad; i++)
        fputc(0, f);
    w32(f, len);
}

static void test_capture(void)
{
    char path[] = "/tmp/tpa-test-xpdu-XXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    FILE *f = fdopen(fd, "wb");
    w32(f, 0x0a0d0d0a); /* SHB */
    w32(f, 28);
    w32(f, 0x1a2b3c4d);
    w16(f, 1);
    w16(f, 0);
    w32(f, 0xffffffff);
    w32(f, 0xffffffff);
    w32(f, 28);
    w32(f, 1); /* IDB: link type 252 */
    w32(f, 20);
    w16(f, TPA_EXPORTED_PDU_LINKTYPE);
    w16(f, 0);
    w32(f, 0);
    w32(f, 20);
    xb_t x;
    uint8_t pdu[512];
    size_t n = h2_post(pdu);
    head4(&x, "http2", 1, 2, 40000, 7070, 2);
    end_and(&x, pdu, n);
    epb(f, &x, 1700000000000000ULL);
    head4(&x, "ngap", 3, 4, 38412, 38412, 1);
    end_and(&x, pdu, ngap_initial_ue(pdu));
    epb(f, &x, 1700000000500000ULL);
    fclose(f);

    json_t *doc = NULL;
    char err[256] = "";
    int rc = tpa_analyze_file(path, NULL, &doc, err, sizeof err);
    unlink(path);
    CHECKF(rc == 0 && doc, "%s", err);
    if (!doc) return;
    const json_t *cap = json_object_get(doc, "capture");
    CHECK(ival(cap, "packets") == 2 && ival(cap, "malformed") == 0 && ival(cap, "non_ip") == 0);
    CHECK(flow_is(doc, 0, "tcp", "http2") && flow_is(doc, 1, "sctp", "ngap"));
    size_t posts = 0, ngaps = 0;
    const json_t *m;
    size_t i;
    json_array_foreach(json_object_get(doc, "messages"), i, m)
    {
        if (!strcmp(sval(m, "protocol"), "http2") && !strcmp(sval(m, "code"), "POST"))
            posts += (size_t)ival(m, "count");
        if (!strcmp(sval(m, "protocol"), "ngap")) ngaps += (size_t)ival(m, "count");
    }
    CHECK(posts == 1 && ngaps == 1);
    json_decref(doc);
}

int main(void)
{
    test_parse();
    test_malformed();
    test_ngap_sctp();
    test_pfcp_ipv6_udp();
    test_http2_no_port_type();
    test_names_and_tables();
    test_capture();
    tpa_decoder_destroy(&dec);
    return TEST_DONE();
}
