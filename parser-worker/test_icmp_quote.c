/* test_icmp_quote.c - signalling messages quoted inside ICMP / ICMPv6 errors
 * (tpa_icmp_quote.c, tpa_dissect_quoted): they count in messages[] and in
 * capture.quoted_messages, and nothing else happens: no flow for the quoted layers, no
 * transaction, KPI, subscriber or finding, no malformation because a quote is cut.
 * Every frame is built here. */
#include <jansson.h>
#include <string.h>

#include "test_frames.h"
#include "tpa_result.h"
#include "tpa_test.h"

/* A UDP datagram (IPv4 or IPv6 header, UDP header, payload) into q, no link header. */
static void datagram(tf_buf_t *q, int fam, const char *s, unsigned sp, const char *d, unsigned dp,
                     const uint8_t *pl, size_t n)
{
    if (fam == 4) {
        tf_udp(q, s, sp, d, dp, pl, n); /* Ethernet + IPv4 + UDP: drop the 14 bytes */
        memmove(q->b, q->b + 14, q->n - 14);
        q->n -= 14;
        return;
    }
    q->n = 0;
    tf_ip6(q, s, d, 17, 8 + n);
    tf_udp_hdr(q, sp, dp, n);
    tf_bytes(q, pl, n);
}

/* RFC 1035 4.1: a standard query for example.com A */
static const uint8_t dns_query[] = {0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,
                                    0x00, 0x00, 7,    'e',  'x',  'a',  'm',  'p',  'l',  'e',
                                    3,    'c',  'o',  'm',  0,    0x00, 0x01, 0x00, 0x01};
/* TS 29.281 7.2.1: GTP-U Echo Request, S set, sequence 7 */
static const uint8_t gtp_echo[] = {0x32, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0x00, 0x07, 0, 0};
/* TS 29.244 7.4.2: PFCP Heartbeat Request with a Recovery Time Stamp */
static const uint8_t pfcp_hb[] = {0x20, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x05, 0x00,
                                  0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x00};

static tf_buf_t q, frm, gpdu, inner; /* a quote, a frame, a G-PDU and its T-PDU */

/* Feeds an ICMP (fam 4) or ICMPv6 (fam 6) error from s to d of type/code with the
 * 4-byte field `word` (unused, MTU, RFC 4884 length), quoting the first qlen bytes of
 * q; frames are 1 s apart. */
static void icmp_error(int fam, const char *s, const char *d, unsigned type, unsigned code,
                       uint32_t word, size_t qlen)
{
    frm.n = 0;
    if (fam == 6) {
        tf_zeros(&frm, 12);
        tf_u16(&frm, 0x86dd);
        tf_ip6(&frm, s, d, 58, 8 + qlen);
    } else {
        tf_eth_ip4(&frm, s, d, 1, 8 + qlen);
    }
    tf_u8(&frm, type);
    tf_u8(&frm, code);
    tf_u16(&frm, 0);
    tf_u32(&frm, word);
    tf_bytes(&frm, q.b, qlen);
    tf_feed(&frm, (int64_t)tf_frame * 1000000);
}

static json_t *doc_of(void)
{
    tpa_decode_finish(tf_dec);
    tpa_result_capture_t cap = {.file = "t.pcap", .format = "pcap"};
    json_t *doc = tpa_result_build(tf_dec, &cap);
    CHECK(doc != NULL);
    CHECKF(tpa_decode_stats(tf_dec)->malformed == 0, "%llu",
           (unsigned long long)tpa_decode_stats(tf_dec)->malformed);
    return doc;
}

static long long count(const char *protocol, const char *code)
{
    return (long long)tpa_result_message_count(tpa_decode_sink(tf_dec), protocol, code);
}

static long long quoted(json_t *doc)
{
    return (long long)json_integer_value(
        json_object_get(json_object_get(doc, "capture"), "quoted_messages"));
}

static size_t len(json_t *doc, const char *key)
{
    return json_array_size(json_object_get(doc, key));
}

/* The number of flows of protocol name proto ("udp", "icmp", ...). */
static int flows_of(json_t *doc, const char *proto)
{
    int n = 0;
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(doc, "flows"), i, f)
    {
        n += strcmp(json_string_value(json_object_get(f, "proto")), proto) == 0;
    }
    return n;
}

/* Only the ICMP flow (icmp_proto) and messages: no transaction, KPI, UE or finding. */
static void check_messages_only(json_t *doc, const char *icmp_proto)
{
    CHECK(len(doc, "flows") == 1 && flows_of(doc, icmp_proto) == 1);
    CHECK(len(doc, "transactions") == 0 && len(doc, "kpis") == 0 && len(doc, "ues") == 0);
    CHECK(len(doc, "findings") == 0);
}

/* A DNS query seen on the wire, then bounced by its server's host in a port
 * unreachable (RFC 792: "Internet Header + 64 bits of Original Data Datagram", Linux
 * quotes the whole datagram): two messages, one attempt without retransmission, one
 * UDP flow of one packet. */
static void test_dns_v4(void)
{
    tf_fresh();
    tf_udp(&frm, "10.0.0.1", 40000, "10.0.0.9", 53, dns_query, sizeof dns_query);
    tf_feed(&frm, 0);
    datagram(&q, 4, "10.0.0.1", 40000, "10.0.0.9", 53, dns_query, sizeof dns_query);
    icmp_error(4, "10.0.0.9", "10.0.0.1", 3, 3, 0, q.n);
    json_t *doc = doc_of();
    CHECK(count("dns", "query") == 2);
    CHECK(quoted(doc) == 1);
    CHECK(flows_of(doc, "udp") == 1 && flows_of(doc, "icmp") == 1 && len(doc, "flows") == 2);
    json_t *udpf = json_array_get(json_object_get(doc, "flows"), 0);
    CHECK(json_integer_value(json_object_get(udpf, "packets")) == 1);
    CHECK(len(doc, "transactions") == 1);
    json_t *t = json_array_get(json_object_get(doc, "transactions"), 0);
    CHECK(json_integer_value(json_object_get(t, "retransmissions")) == 0);
    CHECK(json_integer_value(json_object_get(t, "request_frame")) == 1);
    json_decref(doc);
}

/* A GTP-U Echo Request and a G-PDU (carrying a UDP packet) quoted in port unreachables,
 * never seen on their own: counted as gtp 1 and gtp 255; no GTP-U flow, no flow for the
 * G-PDU's inner packet, no transaction, and no echo finding (nothing was attempted). */
static void test_gtp_v4(void)
{
    tf_fresh();
    datagram(&q, 4, "192.168.10.3", 2152, "192.168.10.2", 2152, gtp_echo, sizeof gtp_echo);
    icmp_error(4, "192.168.10.2", "192.168.10.3", 3, 3, 0, q.n);
    datagram(&inner, 4, "10.45.0.2", 5001, "10.45.0.9", 5001, (const uint8_t *)"abcd", 4);
    gpdu.n = 0;
    tf_u8(&gpdu, 0x30);
    tf_u8(&gpdu, 255);
    tf_u16(&gpdu, (unsigned)inner.n);
    tf_u32(&gpdu, 0x1234);
    tf_bytes(&gpdu, inner.b, inner.n);
    datagram(&q, 4, "192.168.10.3", 41825, "192.168.10.2", 2152, gpdu.b, gpdu.n);
    icmp_error(4, "192.168.10.2", "192.168.10.3", 3, 3, 0, q.n);
    json_t *doc = doc_of();
    CHECK(count("gtp", "1") == 1 && count("gtp", "255") == 1);
    CHECK(quoted(doc) == 2);
    check_messages_only(doc, "icmp");
    json_decref(doc);
}

/* RFC 4443 2.4 (c): an ICMPv6 Destination Unreachable (1/4) quoting a PFCP Heartbeat
 * Request behind a Destination Options header: pfcp 1, no transaction, no heartbeat
 * finding, only the icmpv6 flow. */
static void test_pfcp_v6(void)
{
    tf_fresh();
    q.n = 0;
    tf_ip6(&q, "2001:db8::1", "2001:db8::2", 60, 8 + 8 + sizeof pfcp_hb);
    tf_u8(&q, 17); /* Destination Options: next UDP, 8 bytes, PadN */
    tf_u8(&q, 0);
    tf_u8(&q, 1);
    tf_u8(&q, 4);
    tf_u32(&q, 0);
    tf_udp_hdr(&q, 8805, 8805, sizeof pfcp_hb);
    tf_bytes(&q, pfcp_hb, sizeof pfcp_hb);
    icmp_error(6, "2001:db8::2", "2001:db8::1", 1, 4, 0, q.n);
    json_t *doc = doc_of();
    CHECK(count("pfcp", "1") == 1);
    CHECK(quoted(doc) == 1);
    check_messages_only(doc, "icmpv6");
    json_decref(doc);
}

/* A quote may end anywhere: inside the quoted IPv4 header, inside the UDP header,
 * inside the PFCP header (nothing to count), inside the DNS message after its ID and
 * flags (counted, as a whole DNS message is as soon as those are readable). None of it
 * is malformed. RFC 4884: a Time Exceeded whose length attribute says the original
 * datagram is 28 bytes (IP + UDP headers) stops there even when bytes follow. */
static void test_cut(void)
{
    tf_fresh();
    datagram(&q, 4, "10.0.0.1", 8805, "10.0.0.2", 8805, pfcp_hb, sizeof pfcp_hb);
    icmp_error(4, "10.0.0.2", "10.0.0.1", 3, 3, 0, 10);          /* mid IPv4 header */
    icmp_error(4, "10.0.0.2", "10.0.0.1", 3, 3, 0, 24);          /* mid UDP header */
    icmp_error(4, "10.0.0.2", "10.0.0.1", 3, 3, 0, 28 + 3);      /* mid PFCP header */
    icmp_error(4, "10.0.0.2", "10.0.0.1", 11, 0, 7u << 16, q.n); /* RFC 4884: 28 bytes */
    datagram(&q, 4, "10.0.0.1", 40000, "10.0.0.9", 53, dns_query, sizeof dns_query);
    icmp_error(4, "10.0.0.9", "10.0.0.1", 3, 3, 0, 28 + 6); /* mid DNS header */
    datagram(&q, 6, "2001:db8::1", 8805, "2001:db8::2", 8805, pfcp_hb, sizeof pfcp_hb);
    icmp_error(6, "2001:db8::2", "2001:db8::1", 1, 4, 0, 30); /* mid IPv6 header */
    json_t *doc = doc_of();
    CHECK(count("pfcp", "1") == 0);
    CHECK(count("dns", "query") == 1);
    CHECK(quoted(doc) == 1);
    CHECK(flows_of(doc, "udp") == 0);
    CHECK(len(doc, "transactions") == 0);
    json_decref(doc);
}

/* Not an error: an Echo Request's data is not a quote, even when it looks like one. */
static void test_not_error(void)
{
    tf_fresh();
    datagram(&q, 4, "10.0.0.1", 40000, "10.0.0.9", 53, dns_query, sizeof dns_query);
    icmp_error(4, "10.0.0.1", "10.0.0.9", 8, 0, 0x00010001, q.n);
    json_t *doc = doc_of();
    CHECK(count("dns", "query") == 0 && quoted(doc) == 0);
    json_decref(doc);
}

int main(void)
{
    test_dns_v4();
    test_gtp_v4();
    test_pfcp_v6();
    test_cut();
    test_not_error();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
