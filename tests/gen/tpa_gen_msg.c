/* tpa_gen_msg.c - signalling messages written by tpa-pcapgen (see tpa_gen_msg.h). */
#include "tpa_gen_msg.h"

#include <stdio.h>
#include <string.h>

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void put24(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 16);
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

/* RFC 1035 4.1: header (id, flags, 4 counts), question h<flow>.example.net A IN,
 * and in the response one answer (compressed name 0xc00c, A, IN, ttl, rdata). */
static size_t dns(bool response, uint32_t flow, uint32_t seq, uint8_t *p)
{
    char label[16];
    size_t n = 12;
    put16(p, (uint16_t)(flow * 7919u + seq));
    put16(p + 2, response ? 0x8180 : 0x0100);
    put16(p + 4, 1);
    put16(p + 6, response ? 1 : 0);
    put16(p + 8, 0);
    put16(p + 10, 0);
    int ll = snprintf(label, sizeof label, "h%u", (unsigned)flow);
    p[n++] = (uint8_t)ll;
    memcpy(p + n, label, (size_t)ll);
    n += (size_t)ll;
    memcpy(p + n,
           "\x07"
           "example"
           "\x03"
           "net",
           12);
    n += 12;
    p[n++] = 0;
    put16(p + n, 1);
    put16(p + n + 2, 1);
    n += 4;
    if (response) {
        put16(p + n, 0xc00c);
        put16(p + n + 2, 1);
        put16(p + n + 4, 1);
        put32(p + n + 6, 300);
        put16(p + n + 10, 4);
        put32(p + n + 12, 0xc6336400u | (flow & 0xff)); /* 198.51.100.x */
        n += 16;
    }
    return n;
}

/* TS 29.244 7.2.2.1 node-related header: flags (version 1, S=0), type, length of
 * what follows the first 4 octets, sequence number (3 octets), spare; then the
 * Recovery Time Stamp IE (type 96, length 4, NTP seconds), 8.2.65. */
static size_t pfcp(bool response, uint32_t seq, uint8_t *p)
{
    p[0] = 0x20;
    p[1] = response ? 2 : 1;
    put16(p + 2, 12);
    put24(p + 4, seq & 0xffffff);
    p[7] = 0;
    put16(p + 8, 96);
    put16(p + 10, 4);
    put32(p + 12, 3900000000u);
    return 16;
}

/* TS 29.274 5.1/5.5: flags (version 2, P=0, T=0: Echo has no TEID), type, length of
 * what follows the first 4 octets, sequence number (3), spare; Recovery IE (type 3,
 * length 1, instance 0, restart counter), 8.5. */
static size_t gtpv2(bool response, uint32_t seq, uint8_t *p)
{
    p[0] = 0x40;
    p[1] = response ? 2 : 1;
    put16(p + 2, 9);
    put24(p + 4, seq & 0xffffff);
    p[7] = 0;
    p[8] = 3;
    put16(p + 9, 1);
    p[11] = 0;
    p[12] = 7;
    return 13;
}

/* RFC 3261 7.1/7.2 and 11: OPTIONS and its 200 OK, with the mandatory headers. */
static size_t sip(bool response, uint32_t flow, uint32_t seq, uint8_t *p)
{
    int n = snprintf((char *)p, TPA_GEN_MSG_MAX,
                     "%s\r\n"
                     "Via: SIP/2.0/UDP pcscf%u.ims.example.net:5060;branch=z9hG4bK%u.%u\r\n"
                     "Max-Forwards: 70\r\n"
                     "From: <sip:pcscf%u@ims.example.net>;tag=f%u\r\n"
                     "To: <sip:scscf@ims.example.net>%s\r\n"
                     "Call-ID: %u.%u@pcscf.ims.example.net\r\n"
                     "CSeq: %u OPTIONS\r\n"
                     "Content-Length: 0\r\n\r\n",
                     response ? "SIP/2.0 200 OK" : "OPTIONS sip:scscf@ims.example.net SIP/2.0",
                     (unsigned)flow, (unsigned)flow, (unsigned)seq, (unsigned)flow, (unsigned)flow,
                     response ? ";tag=s1" : "", (unsigned)flow, (unsigned)seq, (unsigned)seq + 1);
    return n < 0 ? 0 : (size_t)n;
}

size_t tpa_gen_msg(tpa_gen_msg_kind_t kind, bool response, uint32_t flow, uint32_t seq, uint8_t *p,
                   const char **proto, const char **code)
{
    *proto = tpa_gen_msg_proto(kind);
    switch (kind) {
    case TPA_GEN_DNS:
        *code = response ? "response" : "query";
        return dns(response, flow, seq, p);
    case TPA_GEN_PFCP:
        *code = response ? "2" : "1";
        return pfcp(response, seq, p);
    case TPA_GEN_GTPV2:
        *code = response ? "2" : "1";
        return gtpv2(response, seq, p);
    case TPA_GEN_SIP:
        *code = response ? "200" : "OPTIONS";
        return sip(response, flow, seq, p);
    default:
        *code = "?";
        return 0;
    }
}

uint16_t tpa_gen_msg_port(tpa_gen_msg_kind_t kind, bool *both)
{
    static const uint16_t port[] = {53, 8805, 2123, 5060};
    *both = kind != TPA_GEN_DNS;
    return kind < TPA_GEN_NKINDS ? port[kind] : 0;
}

const char *tpa_gen_msg_proto(tpa_gen_msg_kind_t kind)
{
    static const char *name[] = {"dns", "pfcp", "gtpv2", "sip"};
    return kind < TPA_GEN_NKINDS ? name[kind] : "?";
}
