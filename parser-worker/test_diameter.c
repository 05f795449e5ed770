/* test_diameter.c - Diameter (tpa_diameter.h, RFC 6733; S6a per TS 29.272) over TCP and
 * SCTP, with hand-built messages: header and AVP decoding, padding, grouped AVPs,
 * Experimental-Result, messages split across segments and sharing one, resynchronising
 * after a gap, malformed AVPs, and what reaches the signalling layer. */
#include "test_frames.h"
#include "tpa_3gpp.h"
#include "tpa_diameter.h"
#include "tpa_malformed.h"
#include "tpa_result.h"
#include "tpa_test.h"

enum { FIN = 0x01, SYN = 0x02, ACK = 0x10 };
enum { R = 0x80, P = 0x40, E = 0x20 };
enum { AVP_V = 0x80, AVP_M = 0x40 };

#define MME "10.0.0.1"
#define HSS "10.0.0.2"
#define S6A 16777251u
#define V3GPP 10415u

/* ---- building messages ---- */

typedef struct dm {
    uint8_t b[4096];
    size_t n;
} dm_t;

static void p8(dm_t *m, unsigned v)
{
    m->b[m->n++] = (uint8_t)v;
}
static void p24(dm_t *m, uint32_t v)
{
    p8(m, v >> 16);
    p8(m, v >> 8);
    p8(m, v);
}
static void p32(dm_t *m, uint32_t v)
{
    p8(m, v >> 24);
    p24(m, v & 0xffffff);
}

/* RFC 6733 3: version 1, length (set by done()), flags, code, app id, hbh, e2e. */
static void hdr(dm_t *m, unsigned flags, uint32_t code, uint32_t app, uint32_t hbh)
{
    m->n = 0;
    p8(m, 1);
    p24(m, 0);
    p8(m, flags);
    p24(m, code);
    p32(m, app);
    p32(m, hbh);
    p32(m, hbh ^ 0x5a5a5a5a);
}

static void done(dm_t *m)
{
    m->b[1] = (uint8_t)(m->n >> 16);
    m->b[2] = (uint8_t)(m->n >> 8);
    m->b[3] = (uint8_t)m->n;
}

/* An AVP header (4.1); returns where it starts, for avp_end. */
static size_t avp_begin(dm_t *m, uint32_t code, unsigned flags, uint32_t vendor)
{
    size_t at = m->n;
    p32(m, code);
    p8(m, flags | (vendor ? AVP_V : 0));
    p24(m, 0);
    if (vendor) p32(m, vendor);
    return at;
}

/* Sets the AVP's length (without padding) and pads to 4 with zeros. */
static void avp_end(dm_t *m, size_t at)
{
    size_t len = m->n - at;
    m->b[at + 5] = (uint8_t)(len >> 16);
    m->b[at + 6] = (uint8_t)(len >> 8);
    m->b[at + 7] = (uint8_t)len;
    while (m->n % 4)
        p8(m, 0);
}

static void avp_str(dm_t *m, uint32_t code, uint32_t vendor, const char *s)
{
    size_t at = avp_begin(m, code, AVP_M, vendor);
    memcpy(m->b + m->n, s, strlen(s));
    m->n += strlen(s);
    avp_end(m, at);
}

static void avp_u32(dm_t *m, uint32_t code, uint32_t vendor, uint32_t v)
{
    size_t at = avp_begin(m, code, AVP_M, vendor);
    p32(m, v);
    avp_end(m, at);
}

static void origin(dm_t *m, const char *host)
{
    avp_str(m, 264, 0, host);
    avp_str(m, 296, 0, "epc.mnc001.mcc001.3gppnetwork.org");
}

/* ULR (TS 29.272 7.2.3): Session-Id (17 bytes: padded by 3), Vendor-Specific-
 * Application-Id {Vendor-Id, Auth-Application-Id}, Origin-*, Destination-Realm,
 * User-Name = IMSI, ULR-Flags (vendor 10415). */
static dm_t ulr(uint32_t hbh)
{
    dm_t m;
    hdr(&m, R | P, 316, S6A, hbh);
    avp_str(&m, 263, 0, "mme.epc;1;2;3;456");
    size_t g = avp_begin(&m, 260, AVP_M, 0);
    avp_u32(&m, 266, 0, V3GPP);
    avp_u32(&m, 258, 0, S6A);
    avp_end(&m, g);
    origin(&m, "mme.epc.mnc001.mcc001.3gppnetwork.org");
    avp_str(&m, 283, 0, "epc.mnc001.mcc001.3gppnetwork.org");
    avp_str(&m, 1, 0, "001010123456789");
    avp_u32(&m, 1405, V3GPP, 0x22);
    done(&m);
    return m;
}

/* ULA with Experimental-Result {Vendor-Id 10415, Experimental-Result-Code 5420} and a
 * Subscription-Data holding MSISDN 1234567890 (TBCD). */
static dm_t ula(uint32_t hbh)
{
    dm_t m;
    hdr(&m, P, 316, S6A, hbh);
    avp_str(&m, 263, 0, "mme.epc;1;2;3;456");
    origin(&m, "hss.epc.mnc001.mcc001.3gppnetwork.org");
    size_t g = avp_begin(&m, 297, AVP_M, 0);
    avp_u32(&m, 266, 0, V3GPP);
    avp_u32(&m, 298, 0, 5420);
    avp_end(&m, g);
    size_t sd = avp_begin(&m, 1400, AVP_M, V3GPP);
    size_t ms = avp_begin(&m, 701, AVP_M, V3GPP);
    static const uint8_t tbcd[] = {0x21, 0x43, 0x65, 0x87, 0x09};
    memcpy(m.b + m.n, tbcd, sizeof tbcd);
    m.n += sizeof tbcd;
    avp_end(&m, ms);
    avp_end(&m, sd);
    done(&m);
    return m;
}

static dm_t dwr(uint32_t hbh)
{
    dm_t m;
    hdr(&m, R, 280, 0, hbh);
    origin(&m, "mme.epc.mnc001.mcc001.3gppnetwork.org");
    done(&m);
    return m;
}

/* ---- what reaches the signalling layer ---- */

typedef struct seen {
    char code[16], procedure[48], key[32], cause_name[64];
    int kind, outcome;
    bool has_cause;
    long cause;
    char imsi[24], msisdn[24];
} seen_t;

static seen_t seen[32];
static int nseen;

static void tap(const tpa_sig_t *m, void *ud)
{
    (void)ud;
    if (nseen == 32 || strcmp(m->protocol, "diameter") != 0) return;
    seen_t *s = &seen[nseen++];
    memset(s, 0, sizeof *s);
    snprintf(s->code, sizeof s->code, "%s", m->code);
    snprintf(s->procedure, sizeof s->procedure, "%s", m->procedure ? m->procedure : "");
    snprintf(s->key, sizeof s->key, "%s", m->key ? m->key : "");
    snprintf(s->cause_name, sizeof s->cause_name, "%s", m->cause_name ? m->cause_name : "");
    s->kind = m->kind;
    s->outcome = m->outcome;
    s->has_cause = m->has_cause;
    s->cause = (long)m->cause;
    for (unsigned i = 0; i < m->n_ids; i++) {
        if (m->ids[i].kind == TPA_ID_IMSI) snprintf(s->imsi, sizeof s->imsi, "%s", m->ids[i].value);
        if (m->ids[i].kind == TPA_ID_MSISDN)
            snprintf(s->msisdn, sizeof s->msisdn, "%s", m->ids[i].value);
    }
}

static void fresh(void)
{
    tf_fresh();
    nseen = 0;
}

static uint64_t count(const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(tf_dec), "diameter", code);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(tf_dec)->reasons[r];
}

static tf_buf_t fb;

static void seg(bool mme, uint32_t seq, unsigned fl, const uint8_t *p, size_t n, int64_t dt)
{
    if (mme)
        tf_tcp(&fb, MME, 40000, HSS, 3868, seq, 1, fl, 65535, p, n);
    else
        tf_tcp(&fb, HSS, 3868, MME, 40000, seq, 1, fl, 65535, p, n);
    tf_feed(&fb, dt);
}

static void handshake(void)
{
    seg(true, 1000, SYN, NULL, 0, 0);
    seg(false, 5000, SYN | ACK, NULL, 0, 100);
    seg(true, 1001, ACK, NULL, 0, 200);
}

/* ---- tests ---- */

static void test_parse(void)
{
    tpa_diameter_msg_t m;
    dm_t a = ulr(0x1234);
    tpa_rd_t r = tpa_rd_init(a.b, a.n);
    CHECK(tpa_diameter_parse(&r, &m));
    CHECK(tpa_rd_remaining(&r) == 0); /* consumed exactly the message */
    CHECK(m.malformed == -1);
    CHECK(m.code == 316 && m.app_id == S6A && m.flags == (R | P) && m.hbh == 0x1234);
    CHECK(m.e2e == (0x1234u ^ 0x5a5a5a5au) && m.length == a.n);
    CHECK(strcmp(m.session_id, "mme.epc;1;2;3;456") == 0); /* 17 bytes, padding skipped */
    CHECK(strcmp(m.origin_host, "mme.epc.mnc001.mcc001.3gppnetwork.org") == 0);
    CHECK(strcmp(m.origin_realm, "epc.mnc001.mcc001.3gppnetwork.org") == 0);
    CHECK(strcmp(m.dest_realm, "epc.mnc001.mcc001.3gppnetwork.org") == 0);
    CHECK(strcmp(m.user_name, "001010123456789") == 0);
    /* 4.4: the grouped Vendor-Specific-Application-Id's children */
    CHECK(m.auth_app_id == S6A && m.vendor_app_vendor == V3GPP);
    CHECK(m.avps == 9); /* 7 top-level (the vendor AVP among them) + 2 grouped children */
    CHECK(!m.has_result && !m.has_exp_result);

    dm_t b = ula(0x1234);
    r = tpa_rd_init(b.b, b.n);
    CHECK(tpa_diameter_parse(&r, &m));
    CHECK(m.malformed == -1 && !(m.flags & R));
    CHECK(m.has_exp_result && m.exp_result == 5420 && m.exp_vendor == V3GPP);
    CHECK(strcmp(m.msisdn, "1234567890") == 0); /* TBCD inside Subscription-Data */
    CHECK(strcmp(tpa_diameter_result_name(V3GPP, 5420),
                 "DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION") == 0);
    /* the same number means something else as a base Result-Code */
    CHECK(strcmp(tpa_diameter_result_name(V3GPP, 5001), "DIAMETER_ERROR_USER_UNKNOWN") == 0);
    CHECK(strcmp(tpa_diameter_result_name(0, 5001), "DIAMETER_AVP_UNSUPPORTED") == 0);
    CHECK(strcmp(tpa_diameter_result_name(0, 5012), "DIAMETER_UNABLE_TO_COMPLY") == 0);
    CHECK(strcmp(tpa_diameter_command_name(317), "Cancel-Location") == 0);
    CHECK(strcmp(tpa_diameter_command_name(319), "Insert-Subscriber-Data") == 0);
    CHECK(tpa_diameter_command_name(999) == NULL);
    /* the table is searched by halves: every one of its 39 commands is found (as the
     * first and last ones above), and no other code (Command-Code is 24 bits) */
    size_t known = 0;
    for (uint32_t code = 0; code < 1u << 24; code++)
        known += tpa_diameter_command_name(code) != NULL;
    CHECK(known == 39);
    CHECK(strcmp(tpa_diameter_command_name(257), "Capabilities-Exchange") == 0);
    CHECK(strcmp(tpa_diameter_command_name(8388649), "Report-SM-Delivery-Status") == 0);

    /* 3: version must be 1; the length covers at least the header */
    a.b[0] = 2;
    r = tpa_rd_init(a.b, a.n);
    CHECK(!tpa_diameter_parse(&r, &m) && m.malformed == TPA_MAL_DIAMETER_BAD_VERSION);
    a.b[0] = 1;
    r = tpa_rd_init(a.b, a.n - 4); /* the header says more than there is */
    CHECK(!tpa_diameter_parse(&r, &m) && m.malformed == TPA_MAL_DIAMETER_TRUNCATED);
    /* an E bit on a request is invalid (3: "E ... MUST NOT be set in requests") */
    a.b[4] |= E;
    r = tpa_rd_init(a.b, a.n);
    CHECK(tpa_diameter_parse(&r, &m) && m.malformed == TPA_MAL_DIAMETER_FLAGS_INVALID);
}

/* A ULR split across two segments (the cut inside the header), then the ULA and a
 * DWR in one segment; what the signalling layer sees; the paired transaction. */
static void test_tcp(void)
{
    fresh();
    tpa_3gpp_set_tap(tap, NULL);
    handshake();
    dm_t q = ulr(0xabc), a = ula(0xabc), w = dwr(7);
    seg(true, 1001, ACK, q.b, 10, 300);
    CHECK(count("316/R") == 0);
    seg(true, 1011, ACK, q.b + 10, q.n - 10, 400);
    CHECK(count("316/R") == 1);
    uint8_t two[8192];
    memcpy(two, a.b, a.n);
    memcpy(two + a.n, w.b, w.n);
    seg(false, 5001, ACK, two, a.n + w.n, 5400);
    CHECK(count("316/A") == 1 && count("280/R") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    tpa_3gpp_set_tap(NULL, NULL);

    CHECK(nseen == 3);
    CHECK(strcmp(seen[0].code, "316/R") == 0 && seen[0].kind == TPA_SIG_REQUEST);
    CHECK(strcmp(seen[0].procedure, "Update-Location") == 0);
    CHECK(strcmp(seen[0].key, "hbh=0x00000abc") == 0);
    CHECK(strcmp(seen[0].imsi, "001010123456789") == 0); /* User-Name on S6a */
    CHECK(strcmp(seen[1].code, "316/A") == 0 && seen[1].kind == TPA_SIG_RESPONSE);
    CHECK(strcmp(seen[1].key, seen[0].key) == 0);
    CHECK(seen[1].outcome == TPA_SIG_FAILURE && seen[1].has_cause && seen[1].cause == 5420);
    CHECK(strcmp(seen[1].cause_name, "DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION") == 0);
    CHECK(strcmp(seen[1].msisdn, "1234567890") == 0);
    CHECK(strcmp(seen[2].procedure, "Device-Watchdog") == 0 && seen[2].kind == TPA_SIG_REQUEST);

    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = tf_one_flow(6);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "diameter") == 0);
    tpa_result_capture_t cap = {.file = "t.pcap", .format = "pcap"};
    json_t *doc = tpa_result_build(tf_dec, &cap);
    json_t *tx = json_object_get(doc, "transactions");
    bool found = false;
    for (size_t i = 0; i < json_array_size(tx); i++) {
        json_t *t = json_array_get(tx, i);
        if (strcmp(json_string_value(json_object_get(t, "procedure")), "Update-Location") != 0)
            continue;
        found = true;
        CHECK(strcmp(json_string_value(json_object_get(t, "outcome")), "failure") == 0);
        json_t *cause = json_object_get(t, "cause");
        CHECK(json_integer_value(json_object_get(cause, "code")) == 5420);
        CHECK(json_integer_value(json_object_get(t, "request_frame")) == 5);
        CHECK(json_integer_value(json_object_get(t, "response_frame")) == 6);
    }
    CHECK(found);
    json_decref(doc);
}

/* A segment lost in the middle of a message: the stream resynchronises on the next
 * plausible header (version 1, length a multiple of 4, sane flags, a fitting AVP). */
static void test_gap(void)
{
    fresh();
    handshake();
    dm_t w1 = dwr(1), w2 = dwr(2), w3 = dwr(3), w4 = dwr(4);
    uint8_t s[8192];
    size_t n = 0;
    memcpy(s + n, w1.b, w1.n), n += w1.n;
    size_t lost_from = n + 8; /* inside DWR 2 */
    memcpy(s + n, w2.b, w2.n), n += w2.n;
    size_t lost_to = n - 12; /* DWR 2's tail survives */
    memcpy(s + n, w3.b, w3.n), n += w3.n;
    memcpy(s + n, w4.b, w4.n), n += w4.n;
    seg(true, 1001, ACK, s, lost_from, 300);
    seg(true, 1001 + (uint32_t)lost_to, ACK, s + lost_to, n - lost_to, 400);
    CHECK(count("280/R") == 1); /* the rest waits for the missing bytes */
    tpa_decode_finish(tf_dec);  /* ... which never come: a gap */
    CHECK(count("280/R") == 3);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
}

/* A capture that starts inside a connection, and inside a message: the bytes before
 * the first whole message are skipped, not malformed. */
static void test_midstream(void)
{
    fresh();
    dm_t w1 = dwr(1), w2 = dwr(2);
    uint8_t s[2048];
    size_t n = w1.n - 16;
    memcpy(s, w1.b + 16, n);
    memcpy(s + n, w2.b, w2.n);
    seg(true, 777, ACK, s, n + w2.n, 0);
    CHECK(count("280/R") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
}

static void test_malformed(void)
{
    fresh();
    handshake();
    /* 4.1: an AVP length below its header's 8 bytes; the message still counts */
    dm_t m = dwr(9);
    m.b[20 + 7] = 5;
    seg(true, 1001, ACK, m.b, m.n, 300);
    CHECK(count("280/R") == 1 && reason(TPA_MAL_DIAMETER_AVP_LEN_INVALID) == 1);
    /* an AVP running past the message's end */
    m = dwr(10);
    m.b[20 + 6] = 0x7f;
    seg(true, 1001 + (uint32_t)m.n, ACK, m.b, m.n, 400);
    CHECK(count("280/R") == 2 && reason(TPA_MAL_DIAMETER_AVP_LEN_INVALID) == 2);
    /* Experimental-Result nested ten deep: the depth limit, not the stack, stops it */
    dm_t d;
    hdr(&d, 0, 316, S6A, 11);
    size_t at[10];
    for (int i = 0; i < 10; i++)
        at[i] = avp_begin(&d, 297, AVP_M, 0);
    avp_u32(&d, 298, 0, 2001);
    for (int i = 9; i >= 0; i--)
        avp_end(&d, at[i]);
    done(&d);
    seg(false, 5001, ACK, d.b, d.n, 500);
    CHECK(count("316/A") == 1 && reason(TPA_MAL_DIAMETER_AVP_TOO_DEEP) == 1);
    /* a header with version 2: framing is lost (counted), and found again at the next
     * message */
    dm_t bad = dwr(12), good = dwr(13);
    bad.b[0] = 2;
    uint8_t s[1024];
    memcpy(s, bad.b, bad.n);
    memcpy(s + bad.n, good.b, good.n);
    seg(true, 1001 + 2 * (uint32_t)m.n, ACK, s, bad.n + good.n, 600);
    CHECK(reason(TPA_MAL_DIAMETER_HEADER_INVALID) == 1 && count("280/R") == 3);
}

/* SCTP: one message per DATA chunk, PPID 46; PPID 47 (DTLS) is not read. */
static tf_buf_t pk;

static void sctp_data(uint32_t tsn, uint32_t ppid, const dm_t *m, int64_t dt)
{
    pk.n = 0;
    tf_eth_ip4(&pk, MME, HSS, 132, 12 + 16 + m->n);
    tf_u16(&pk, 40001);
    tf_u16(&pk, 40002); /* no well-known port: the PPID decides */
    tf_u32(&pk, 0x01020304);
    tf_u32(&pk, 0);
    tf_u8(&pk, 0);    /* DATA */
    tf_u8(&pk, 0x03); /* B | E */
    tf_u16(&pk, (unsigned)(16 + m->n));
    tf_u32(&pk, tsn);
    tf_u16(&pk, 0);
    tf_u16(&pk, (unsigned)tsn);
    tf_u32(&pk, ppid);
    tf_bytes(&pk, m->b, m->n);
    tf_feed(&pk, dt);
}

static void test_sctp(void)
{
    fresh();
    dm_t q = ulr(21), w = dwr(22);
    sctp_data(1, 46, &q, 0);
    sctp_data(2, 46, &w, 100);
    CHECK(count("316/R") == 1 && count("280/R") == 1);
    sctp_data(3, 47, &w, 200);
    CHECK(count("280/R") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    tpa_decode_finish(tf_dec);
    const tpa_flow_t *f = tf_one_flow(132);
    CHECK(f && strcmp(tpa_dissect_app_name(f->app), "diameter") == 0);
}

int main(void)
{
    test_parse();
    test_tcp();
    test_gap();
    test_midstream();
    test_malformed();
    test_sctp();
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
