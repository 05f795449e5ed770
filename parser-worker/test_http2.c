/* test_http2.c - HTTP/2 (tpa_http2.h, RFC 9113) and the SBI layer (tpa_sbi.h), end to
 * end: hand-built frames in hand-built TCP segments through the decoder, header blocks
 * compressed with nghttp2's deflater (RFC 7541) so that the dynamic table is really
 * used across streams; checked on the result document. */
#include <jansson.h>
#include <nghttp2/nghttp2.h>

#include "test_frames.h"
#include "tpa_http2.h"
#include "tpa_result.h"
#include "tpa_sbi.h"
#include "tpa_test.h"

enum { FIN = 0x01, SYN = 0x02, RST = 0x04, ACK = 0x10 };
enum { DATA, HEADERS, PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE, PING, GOAWAY, WINUP, CONT };

#define C "10.1.0.1"
#define S "10.1.0.2"

static tf_buf_t fb;

typedef struct buf {
    uint8_t b[65536];
    size_t n;
} buf_t;

/* One conversation: client port cp, server port sp, next sequence numbers. */
typedef struct conv {
    unsigned cp, sp;
    uint32_t seq[2];
    int64_t t;
    nghttp2_hd_deflater *def[2]; /* client's and server's HPACK encoders */
} conv_t;

static conv_t cv;

static void conv_start(unsigned cp, unsigned sp, bool handshake)
{
    tf_fresh();
    for (int i = 0; i < 2; i++)
        if (cv.def[i]) nghttp2_hd_deflate_del(cv.def[i]);
    memset(&cv, 0, sizeof cv);
    cv.cp = cp;
    cv.sp = sp;
    cv.seq[0] = 1000;
    cv.seq[1] = 9000;
    nghttp2_hd_deflate_new(&cv.def[0], 4096);
    nghttp2_hd_deflate_new(&cv.def[1], 4096);
    if (!handshake) return;
    tf_tcp(&fb, C, cp, S, sp, cv.seq[0]++, 0, SYN, 65535, NULL, 0);
    tf_feed(&fb, cv.t += 100);
    tf_tcp(&fb, S, sp, C, cp, cv.seq[1]++, cv.seq[0], SYN | ACK, 65535, NULL, 0);
    tf_feed(&fb, cv.t += 100);
    tf_tcp(&fb, C, cp, S, sp, cv.seq[0], cv.seq[1], ACK, 65535, NULL, 0);
    tf_feed(&fb, cv.t += 100);
}

/* One segment from the client (dir 0) or the server (dir 1). */
static void seg(int dir, const void *p, size_t n)
{
    if (dir == 0)
        tf_tcp(&fb, C, cv.cp, S, cv.sp, cv.seq[0], cv.seq[1], ACK | 0x08, 65535, p, n);
    else
        tf_tcp(&fb, S, cv.sp, C, cv.cp, cv.seq[1], cv.seq[0], ACK | 0x08, 65535, p, n);
    cv.seq[dir] += (uint32_t)n;
    tf_feed(&fb, cv.t += 1000);
}

/* b sent as segments of at most chunk octets. */
static void send_chunks(int dir, const buf_t *b, size_t chunk)
{
    for (size_t off = 0; off < b->n; off += chunk)
        seg(dir, b->b + off, b->n - off < chunk ? b->n - off : chunk);
}

static void put(buf_t *b, const void *p, size_t n)
{
    memcpy(b->b + b->n, p, n);
    b->n += n;
}

/* RFC 9113 4.1 frame header + payload. */
static void frame(buf_t *b, unsigned type, unsigned flags, uint32_t sid, const void *p, size_t n)
{
    uint8_t h[9] = {(uint8_t)(n >> 16),   (uint8_t)(n >> 8),   (uint8_t)n,
                    (uint8_t)type,        (uint8_t)flags,      (uint8_t)(sid >> 24),
                    (uint8_t)(sid >> 16), (uint8_t)(sid >> 8), (uint8_t)sid};
    put(b, h, 9);
    if (n) put(b, p, n);
}

/* A header block of dir's encoder from NULL-terminated name, value pairs. */
static size_t hpack(int dir, uint8_t *out, size_t cap, const char *const *nv)
{
    nghttp2_nv a[32];
    size_t n = 0;
    for (; nv[2 * n]; n++) {
        a[n].name = (uint8_t *)nv[2 * n];
        a[n].namelen = strlen(nv[2 * n]);
        a[n].value = (uint8_t *)nv[2 * n + 1];
        a[n].valuelen = strlen(nv[2 * n + 1]);
        a[n].flags = NGHTTP2_NV_FLAG_NONE;
    }
    ssize_t k = nghttp2_hd_deflate_hd(cv.def[dir], out, cap, a, n);
    CHECK(k > 0);
    return k > 0 ? (size_t)k : 0;
}

/* HEADERS (END_HEADERS, + END_STREAM when end) with dir's block; returns its size. */
static size_t headers(buf_t *b, int dir, uint32_t sid, bool end, const char *const *nv)
{
    uint8_t blk[4096];
    size_t n = hpack(dir, blk, sizeof blk, nv);
    frame(b, HEADERS, 0x4 | (end ? 0x1 : 0), sid, blk, n);
    return n;
}

static void settings(buf_t *b, bool ack)
{
    static const uint8_t s[] = {0, 1, 0, 0, 0x10, 0, 0, 3, 0, 0, 0, 100}; /* HTS 4096, MCS 100 */
    frame(b, SETTINGS, ack ? 1 : 0, 0, s, ack ? 0 : sizeof s);
}

static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";

/* Client preface + SETTINGS, server SETTINGS + ACK, client ACK. */
static void prefaces(void)
{
    buf_t b = {.n = 0};
    put(&b, preface, 24);
    settings(&b, false);
    seg(0, b.b, b.n);
    b.n = 0;
    settings(&b, false);
    settings(&b, true);
    seg(1, b.b, b.n);
    b.n = 0;
    settings(&b, true);
    seg(0, b.b, b.n);
}

static uint64_t count(const char *proto, const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(tf_dec), proto, code);
}

static uint64_t reason(int r)
{
    return tpa_decode_stats(tf_dec)->reasons[r];
}

/* The finished document (caller decrefs). */
static json_t *doc_build(void)
{
    tpa_decode_finish(tf_dec);
    tpa_result_capture_t cap = {.file = "t.pcap", .format = "pcap"};
    return tpa_result_build(tf_dec, &cap);
}

static json_t *txn(json_t *doc, const char *procedure, int nth)
{
    json_t *tx = json_object_get(doc, "transactions");
    for (size_t i = 0; i < json_array_size(tx); i++) {
        json_t *t = json_array_get(tx, i);
        const char *p = json_string_value(json_object_get(t, "procedure"));
        if (p && strcmp(p, procedure) == 0 && nth-- == 0) return t;
    }
    return NULL;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static json_t *h2info(json_t *doc)
{
    json_t *fl = json_object_get(doc, "flows");
    for (size_t i = 0; i < json_array_size(fl); i++) {
        json_t *f = json_array_get(fl, i);
        if (strcmp(jstr(f, "app"), "http2") == 0) return json_object_get(f, "http2");
    }
    return NULL;
}

static bool has_identity(json_t *doc, const char *kind, const char *value)
{
    json_t *ues = json_object_get(doc, "ues");
    for (size_t i = 0; i < json_array_size(ues); i++) {
        json_t *ids = json_object_get(json_object_get(json_array_get(ues, i), "identities"), kind);
        for (size_t k = 0; k < json_array_size(ids); k++)
            if (strcmp(json_string_value(json_array_get(ids, k)) ?: "", value) == 0) return true;
        if (json_is_string(ids) && strcmp(json_string_value(ids), value) == 0) return true;
    }
    return false;
}

/* RFC 9113 3.4 preface, 6.5 SETTINGS, 8.3 request/response pseudo-headers; RFC 7541
 * 2.3.2: the second request's repeated fields come from the dynamic table. */
static void test_basic(void)
{
    conv_start(40000, 40080, true);
    prefaces();
    static const char *const req1[] = {":method",
                                       "POST",
                                       ":scheme",
                                       "http",
                                       ":authority",
                                       "smf.5gc:80",
                                       ":path",
                                       "/nsmf-pdusession/v1/sm-contexts",
                                       "content-type",
                                       "application/json",
                                       "user-agent",
                                       "AMF",
                                       NULL};
    static const char body1[] =
        "{\"supi\":\"imsi-001010000000001\",\"pei\":\"imeisv-4370816125816151\"}";
    buf_t b = {.n = 0};
    size_t n1 = headers(&b, 0, 1, false, req1);
    frame(&b, DATA, 0x1, 1, body1, strlen(body1));
    seg(0, b.b, b.n);
    CHECK(count("http2", "POST") == 1); /* counted when its JSON body ended */
    static const char *const resp1[] = {":status",
                                        "201",
                                        "content-type",
                                        "application/json",
                                        "location",
                                        "/nsmf-pdusession/v1/sm-contexts/1",
                                        NULL};
    b.n = 0;
    headers(&b, 1, 1, false, resp1);
    frame(&b, DATA, 0x1, 1, "{}", 2);
    seg(1, b.b, b.n);
    CHECK(count("http2", "201") == 1);
    /* stream 3: same authority, scheme, user-agent and content-type: dynamic entries */
    static const char *const req2[] = {":method",
                                       "POST",
                                       ":scheme",
                                       "http",
                                       ":authority",
                                       "smf.5gc:80",
                                       ":path",
                                       "/nsmf-pdusession/v1/sm-contexts",
                                       "content-type",
                                       "application/json",
                                       "user-agent",
                                       "AMF",
                                       NULL};
    b.n = 0;
    size_t n2 = headers(&b, 0, 3, true, req2);
    CHECKF(n2 + 20 < n1, "%zu %zu", n1, n2); /* the test really uses the dynamic table */
    static const char *const req3[] = {
        ":method",    "GET",
        ":scheme",    "http",
        ":authority", "smf.5gc:80",
        ":path",      "/nudm-sdm/v2/imsi-001010000000002/am-data?plmn-id=00101",
        "user-agent", "AMF",
        NULL};
    headers(&b, 0, 5, true, req3);
    seg(0, b.b, b.n);
    static const char *const resp2[] = {":status", "201", NULL};
    static const char *const resp3[] = {":status", "200", "content-type", "application/json", NULL};
    b.n = 0;
    headers(&b, 1, 5, false, resp3);
    frame(&b, DATA, 0x1, 5, "{}", 2);
    headers(&b, 1, 3, true, resp2);
    seg(1, b.b, b.n);
    CHECK(count("http2", "POST") == 2 && count("http2", "GET") == 1);
    CHECK(count("http2", "201") == 2 && count("http2", "200") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);

    json_t *doc = doc_build();
    json_t *t = txn(doc, "POST nsmf-pdusession", 0);
    CHECK(t && strcmp(jstr(t, "outcome"), "success") == 0);
    CHECK(t && strcmp(jstr(t, "request_code"), "POST") == 0 &&
          strcmp(jstr(t, "response_code"), "201") == 0);
    CHECK(txn(doc, "POST nsmf-pdusession", 1) != NULL);
    t = txn(doc, "GET nudm-sdm", 0);
    CHECK(t && strcmp(jstr(t, "outcome"), "success") == 0);
    CHECK(has_identity(doc, "supi", "imsi-001010000000001"));
    CHECK(has_identity(doc, "supi", "imsi-001010000000002"));
    json_t *h = h2info(doc);
    CHECK(h && json_is_false(json_object_get(h, "hpack_incomplete")));
    CHECK(h && json_integer_value(json_object_get(h, "undecodable_header_blocks")) == 0);
    CHECK(h && strcmp(jstr(h, "start"), "preface") == 0);
    json_decref(doc);
}

/* 6.2 PADDED + PRIORITY, 6.10 CONTINUATION, frames split across segments and several
 * frames per segment. */
static void test_continuation_split(void)
{
    conv_start(40001, 40080, true);
    prefaces();
    static const char *const req[] = {
        ":method", "PUT",
        ":scheme", "http",
        ":path",   "/nudm-uecm/v1/imsi-001010000000003/registrations/amf-3gpp-access",
        "x-long",  "0123456789012345678901234567890123456789",
        NULL};
    uint8_t blk[4096];
    size_t n = hpack(0, blk, sizeof blk, req);
    CHECK(n > 40);
    buf_t b = {.n = 0};
    /* HEADERS: pad length 7, priority (5 octets), first 10 octets, 7 octets of padding */
    uint8_t p[64];
    p[0] = 7;
    memset(p + 1, 0, 5);
    p[5] = 15;
    memcpy(p + 6, blk, 10);
    memset(p + 16, 0, 7);
    frame(&b, HEADERS, 0x8 | 0x20 | 0x1, 7, p, 23);
    frame(&b, CONT, 0, 7, blk + 10, 20);
    frame(&b, CONT, 0x4, 7, blk + 30, n - 30);
    frame(&b, PING, 0, 0, "12345678", 8);
    send_chunks(0, &b, 5); /* every frame split */
    CHECK(count("http2", "PUT") == 1);
    b.n = 0;
    static const char *const resp[] = {":status", "204", NULL};
    headers(&b, 1, 7, true, resp);
    frame(&b, PING, 1, 0, "12345678", 8);
    frame(&b, WINUP, 0, 0, "\0\0\x10\0", 4);
    seg(1, b.b, b.n); /* three frames in one segment */
    CHECK(count("http2", "204") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    json_t *doc = doc_build();
    json_t *t = txn(doc, "PUT nudm-uecm", 0);
    CHECK(t && strcmp(jstr(t, "outcome"), "success") == 0);
    json_decref(doc);
}

/* A capture that starts mid-connection on an SBI port: fields the encoder put in its
 * dynamic table before the capture are unknown (not guessed), fields added during it
 * are exact (RFC 7541 2.3.3 index space). */
static void test_mid_connection(void)
{
    conv_start(40002, 7777, false);
    /* what the endpoints exchanged before the capture began */
    static const char *const early_req[] = {":method",
                                            "POST",
                                            ":scheme",
                                            "http",
                                            ":path",
                                            "/nsmf-pdusession/v1/sm-contexts",
                                            "content-type",
                                            "application/json",
                                            NULL};
    static const char *const early_resp[] = {":status", "201", "content-type", "application/json",
                                             NULL};
    uint8_t junk[4096];
    hpack(0, junk, sizeof junk, early_req);
    hpack(1, junk, sizeof junk, early_resp);
    static const char *const early_auth[] = {":authority", "udm.5gc:8080", NULL};
    hpack(0, junk, sizeof junk, early_auth);

    buf_t b = {.n = 0};
    headers(&b, 0, 101, true, early_req); /* POST is static; the path a dynamic reference */
    seg(0, b.b, b.n);
    b.n = 0;
    headers(&b, 1, 101, true, early_resp); /* 201: a dynamic reference, unknown here */
    seg(1, b.b, b.n);
    CHECK(count("http2", "POST") == 1);
    CHECK(count("http2", "201") == 0);
    /* 202 enters the server's table now (literal with incremental indexing) and is then
     * referenced: both resolve */
    static const char *const r202[] = {":status", "202", NULL};
    static const char *const req[] = {":method", "DELETE", ":path", "/nsmf-pdusession/v1/x", NULL};
    for (uint32_t sid = 103; sid <= 105; sid += 2) {
        b.n = 0;
        headers(&b, 0, sid, true, req);
        seg(0, b.b, b.n);
        b.n = 0;
        headers(&b, 1, sid, true, r202);
        seg(1, b.b, b.n);
    }
    CHECK(count("http2", "DELETE") == 2 && count("http2", "202") == 2);
    /* an unknown reference first: the fields after it still decode */
    static const char *const req2[] = {":authority", "udm.5gc:8080",
                                       ":method",    "GET",
                                       ":path",      "/nudm-sdm/v2/imsi-001010000000005/sm-data",
                                       NULL};
    b.n = 0;
    headers(&b, 0, 107, true, req2);
    seg(0, b.b, b.n);
    CHECK(count("http2", "GET") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    json_t *doc = doc_build();
    json_t *h = h2info(doc);
    CHECK(h && json_is_true(json_object_get(h, "hpack_incomplete")));
    CHECK(h && json_integer_value(json_object_get(h, "undecodable_header_blocks")) >= 2);
    CHECK(h && strcmp(jstr(h, "start"), "mid-connection") == 0);
    CHECK(txn(doc, "DELETE nsmf-pdusession", 0) != NULL);
    CHECK(txn(doc, "GET nudm-sdm", 0) != NULL);
    CHECK(has_identity(doc, "supi", "imsi-001010000000005"));
    json_decref(doc);
}

/* Mid-connection frames on a port neither SBI nor shown h2c by a preface: detected,
 * but nothing counted; a later preface on the port confirms it and the held messages
 * count. */
static void test_unconfirmed(void)
{
    conv_start(40003, 41000, false);
    static const char *const req[] = {":method", "POST", ":path", "/pkg.Svc/Call", NULL};
    buf_t b = {.n = 0};
    headers(&b, 0, 9, true, req);
    seg(0, b.b, b.n);
    CHECK(count("http2", "POST") == 0);
    /* another connection to the same port, from its start */
    unsigned cp = cv.cp;
    uint32_t s0 = cv.seq[0], s1 = cv.seq[1];
    cv.cp = 40004;
    prefaces();
    cv.cp = cp;
    cv.seq[0] = s0;
    cv.seq[1] = s1;
    b.n = 0;
    headers(&b, 0, 11, true, req);
    seg(0, b.b, b.n);
    CHECK(count("http2", "POST") == 2);
    json_t *doc = doc_build();
    CHECK(txn(doc, "POST pkg.Svc", 0) != NULL);
    json_decref(doc);
}

/* TS 29.500 5.2.7.2: an error response carries ProblemDetails (TS 29.571 5.2.4.1). */
static void test_problem_details(void)
{
    conv_start(40005, 29502, true);
    prefaces();
    static const char *const req[] = {
        ":method", "POST", ":scheme", "http", ":path", "/nsmf-pdusession/v1/sm-contexts/77/modify",
        NULL};
    static const char *const resp[] = {":status", "404", "content-type", "application/problem+json",
                                       NULL};
    static const char body[] =
        "{\"title\":\"not found\",\"status\":404,\"cause\":\"CONTEXT_NOT_FOUND\"}";
    buf_t b = {.n = 0};
    headers(&b, 0, 1, true, req);
    seg(0, b.b, b.n);
    b.n = 0;
    headers(&b, 1, 1, false, resp);
    frame(&b, DATA, 0, 1, body, 20);
    seg(1, b.b, b.n);
    CHECK(count("http2", "404") == 0); /* waits for the body */
    b.n = 0;
    frame(&b, DATA, 0x1, 1, body + 20, strlen(body) - 20);
    seg(1, b.b, b.n);
    CHECK(count("http2", "404") == 1);
    json_t *doc = doc_build();
    json_t *t = txn(doc, "POST nsmf-pdusession", 0);
    CHECK(t && strcmp(jstr(t, "outcome"), "failure") == 0);
    json_t *cause = json_object_get(t, "cause");
    CHECK(json_integer_value(json_object_get(cause, "code")) == 404);
    CHECK(strcmp(jstr(cause, "name"), "CONTEXT_NOT_FOUND") == 0);
    CHECK(strcmp(jstr(cause, "family"), "http") == 0);
    CHECK(t && json_integer_value(json_object_get(t, "response_frame")) ==
                   json_integer_value(json_object_get(t, "request_frame")) + 1);
    json_decref(doc);
}

/* 6.4 RST_STREAM: the request stays unanswered; 6.8 GOAWAY noted on the flow. */
static void test_rst_stream(void)
{
    conv_start(40006, 29503, true);
    prefaces();
    static const char *const req[] = {":method", "GET", ":path", "/nudm-sdm/v2/x/sm-data", NULL};
    buf_t b = {.n = 0};
    headers(&b, 0, 1, true, req);
    seg(0, b.b, b.n);
    b.n = 0;
    frame(&b, RST_STREAM, 0, 1, "\0\0\0\x08", 4); /* CANCEL */
    frame(&b, GOAWAY, 0, 0, "\0\0\0\x01\0\0\0\x02", 8);
    seg(1, b.b, b.n);
    json_t *doc = doc_build();
    json_t *t = txn(doc, "GET nudm-sdm", 0);
    CHECK(t && strcmp(jstr(t, "outcome"), "unanswered") == 0);
    json_t *h = h2info(doc);
    CHECK(h && json_integer_value(json_object_get(h, "rst_stream")) == 1);
    CHECK(h && json_integer_value(json_object_get(h, "goaway_error")) == 2);
    json_decref(doc);
}

/* Malformed: a frame longer than SETTINGS_MAX_FRAME_SIZE (4.2), a Pad Length past the
 * payload (6.1, 6.2), PING of 7 octets (6.7), CONTINUATION without a block (6.10). */
static void test_malformed(void)
{
    conv_start(40007, 29504, true);
    prefaces();
    buf_t b = {.n = 0};
    static const uint8_t badpad[] = {200, 0x82, 0x84, 0x86};
    frame(&b, HEADERS, 0x8 | 0x4, 3, badpad, sizeof badpad);
    frame(&b, CONT, 0x4, 5, "\x82", 1);
    seg(0, b.b, b.n);
    CHECK(reason(TPA_MAL_HTTP2_PADDING_INVALID) == 1);
    CHECK(reason(TPA_MAL_HTTP2_CONTINUATION_INVALID) == 1);
    b.n = 0;
    frame(&b, PING, 0, 0, "1234567", 7); /* framing is lost here */
    seg(0, b.b, b.n);
    CHECK(reason(TPA_MAL_HTTP2_FRAME_SIZE_INVALID) == 1);
    static const char *const req[] = {":method", "GET", ":path", "/", NULL};
    b.n = 0;
    headers(&b, 0, 9, true, req); /* ... and found again at a segment of whole frames */
    seg(0, b.b, b.n);
    CHECK(count("http2", "GET") == 1);
    static uint8_t big[20000];
    b.n = 0;
    frame(&b, DATA, 0, 9, big, sizeof big);
    seg(0, b.b, 1400);
    CHECK(reason(TPA_MAL_HTTP2_FRAME_TOO_LONG) == 1);
    b.n = 0;
    headers(&b, 0, 11, true, req);
    seg(0, b.b, b.n);
    CHECK(count("http2", "GET") == 2);
    json_t *doc = doc_build();
    json_t *mr = json_object_get(json_object_get(doc, "capture"), "malformed_reasons");
    CHECK(json_integer_value(json_object_get(mr, "http2.frame_too_long")) == 1);
    CHECK(json_integer_value(json_object_get(mr, "http2.padding_invalid")) == 1);
    CHECK(txn(doc, "GET /", 0) != NULL);
    json_decref(doc);
}

/* A segment lost inside a header block: the block and the HPACK state go, framing is
 * found again, static fields still decode, the flow says what it could not decode. */
static void test_gap(void)
{
    conv_start(40008, 29505, true);
    prefaces();
    static const char *const req[] = {":method", "POST",
                                      ":path",   "/npcf-smpolicycontrol/v1/sm-policies",
                                      "x-pad",   "abcdefghijabcdefghijabcdefghijabcdefghij",
                                      NULL};
    buf_t b = {.n = 0};
    headers(&b, 0, 1, true, req);
    seg(0, b.b, 20);
    cv.seq[0] += (uint32_t)(b.n - 20); /* the rest is never captured */
    b.n = 0;
    headers(&b, 0, 3, true, req);
    seg(0, b.b, b.n);
    json_t *doc = doc_build(); /* the end of the capture flushes the bytes after the hole */
    CHECK(count("http2", "POST") == 1);
    json_t *h = h2info(doc);
    CHECK(h && json_is_true(json_object_get(h, "hpack_incomplete")));
    CHECK(h && json_integer_value(json_object_get(h, "undecodable_header_blocks")) >= 1);
    json_decref(doc);
}

/* RFC 7540 3.2: HTTP/1.1 Upgrade to h2c; the answer to the upgraded request comes on
 * stream 1 as HTTP/2 (the request itself is HTTP/1.1: not counted as http2). */
static void test_upgrade(void)
{
    conv_start(40009, 8081, true);
    static const char up[] = "GET /nnrf-nfm/v1/nf-instances HTTP/1.1\r\nHost: nrf\r\n"
                             "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                             "HTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\n";
    seg(0, up, strlen(up));
    static const char sw[] = "HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\n"
                             "Upgrade: h2c\r\n\r\n";
    buf_t b = {.n = 0};
    put(&b, sw, strlen(sw));
    settings(&b, false);
    static const char *const resp[] = {":status", "200", NULL};
    headers(&b, 1, 1, true, resp);
    seg(1, b.b, b.n);
    b.n = 0;
    put(&b, preface, 24);
    settings(&b, false);
    settings(&b, true);
    static const char *const req[] = {":method", "GET", ":path", "/nnrf-disc/v1/nf-instances",
                                      NULL};
    headers(&b, 0, 3, true, req);
    seg(0, b.b, b.n);
    CHECK(count("http2", "200") == 1 && count("http2", "GET") == 1);
    json_t *doc = doc_build();
    json_t *h = h2info(doc);
    CHECK(h && strcmp(jstr(h, "start"), "preface") == 0);
    json_decref(doc);
}

/* 6.6 PUSH_PROMISE: the promised request counts (as tshark counts its :method). */
static void test_push_promise(void)
{
    conv_start(40010, 80, true);
    prefaces();
    static const char *const req[] = {":method", "GET", ":path", "/index.html", NULL};
    static const char *const prom[] = {":method", "GET", ":path", "/style.css", NULL};
    static const char *const resp[] = {":status", "200", NULL};
    buf_t b = {.n = 0};
    headers(&b, 0, 1, true, req);
    seg(0, b.b, b.n);
    uint8_t blk[512], p[600];
    size_t n = hpack(1, blk, sizeof blk, prom);
    p[0] = 0;
    p[1] = 0;
    p[2] = 0;
    p[3] = 2; /* promised stream 2 */
    memcpy(p + 4, blk, n);
    b.n = 0;
    frame(&b, PUSH_PROMISE, 0x4, 1, p, 4 + n);
    headers(&b, 1, 1, true, resp);
    headers(&b, 1, 2, true, resp);
    seg(1, b.b, b.n);
    CHECK(count("http2", "GET") == 2 && count("http2", "200") == 2);
    json_t *doc = doc_build();
    CHECK(txn(doc, "GET index.html", 0) != NULL && txn(doc, "GET style.css", 0) != NULL);
    json_decref(doc);
}

/* N1 message in a multipart/related body (TS 29.502 6.1.2.4, TS 29.518): the NAS part
 * goes to the NAS-5GS dissector. */
static void test_multipart_nas(void)
{
    conv_start(40011, 29502, true);
    prefaces();
    static const char *const req[] = {":method",
                                      "POST",
                                      ":path",
                                      "/nsmf-pdusession/v1/sm-contexts",
                                      "content-type",
                                      "multipart/related; boundary=----Bnd",
                                      NULL};
    /* 5GSM PDU Session Establishment Request (TS 24.501 8.3.1): EPD 0x2e, PSI 5,
     * PTI 1, type 0xc1, integrity protection maximum data rate */
    static const uint8_t nas[] = {0x2e, 0x05, 0x01, 0xc1, 0xff, 0xff};
    buf_t body = {.n = 0};
    static const char p1[] =
        "------Bnd\r\nContent-Type: application/json\r\n\r\n"
        "{\"supi\":\"imsi-001010000000009\",\"n1SmMsg\":{\"contentId\":\"n1\"}}\r\n"
        "------Bnd\r\nContent-Type: application/vnd.3gpp.5gnas\r\n"
        "Content-Id: n1\r\n\r\n";
    put(&body, p1, strlen(p1));
    put(&body, nas, sizeof nas);
    put(&body, "\r\n------Bnd--\r\n", 15);
    buf_t b = {.n = 0};
    headers(&b, 0, 1, false, req);
    frame(&b, DATA, 0x1, 1, body.b, body.n);
    send_chunks(0, &b, 100);
    CHECK(count("http2", "POST") == 1);
    CHECK(count("nas-5gs", "193") == 1);
    json_t *doc = doc_build();
    CHECK(has_identity(doc, "supi", "imsi-001010000000009"));
    json_decref(doc);
}

/* 6.5.2 SETTINGS_HEADER_TABLE_SIZE, RFC 7541 4.2 / 6.3: the client allows a larger
 * table; once acknowledged, the server's encoder announces it with a dynamic table
 * size update, which a decoder still at the default 4096 would have to reject. */
static void test_table_size(void)
{
    conv_start(40012, 29510, true);
    buf_t b = {.n = 0};
    put(&b, preface, 24);
    static const uint8_t big[] = {0, 1, 0, 0, 0x20, 0}; /* HEADER_TABLE_SIZE 8192 */
    frame(&b, SETTINGS, 0, 0, big, sizeof big);
    static const char *const req[] = {":method", "GET", ":path", "/nnrf-nfm/v1/nf-instances", NULL};
    headers(&b, 0, 1, true, req);
    seg(0, b.b, b.n);
    b.n = 0;
    settings(&b, false);
    settings(&b, true);
    nghttp2_hd_deflate_del(cv.def[1]);
    nghttp2_hd_deflate_new(&cv.def[1], 8192); /* an encoder willing to use 8192 */
    nghttp2_hd_deflate_change_table_size(cv.def[1], 8192);
    static const char *const resp[] = {":status", "200", "x-big", "0123456789", NULL};
    headers(&b, 1, 1, true, resp);
    seg(1, b.b, b.n);
    CHECK(count("http2", "200") == 1);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);
    json_t *doc = doc_build();
    json_t *h = h2info(doc);
    CHECK(h && json_is_false(json_object_get(h, "hpack_incomplete")));
    json_decref(doc);
}

/* Detection: what the row's probe accepts on one segment. */
static void test_probe(void)
{
    buf_t b = {.n = 0};
    put(&b, preface, 24);
    tpa_rd_t r = tpa_rd_init(b.b, b.n);
    CHECK(tpa_http2_probe(&r));
    r = tpa_rd_init(b.b, 16); /* a preface cut by the segment */
    CHECK(tpa_http2_probe(&r));
    static const char up[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket, h2c\r\n\r\n";
    r = tpa_rd_init(up, strlen(up));
    CHECK(tpa_http2_probe(&r));
    static const char plain[] = "GET / HTTP/1.1\r\nHost: x\r\nUpgrade: h2\r\n\r\n";
    r = tpa_rd_init(plain, strlen(plain));
    CHECK(!tpa_http2_probe(&r));
    b.n = 0;
    settings(&b, false);
    frame(&b, WINUP, 0, 0, "\0\0\x10\0", 4);
    r = tpa_rd_init(b.b, b.n);
    CHECK(tpa_http2_probe(&r));
    r = tpa_rd_init(b.b, b.n - 1); /* a chain must cover the segment exactly */
    CHECK(!tpa_http2_probe(&r));
    /* the largest frame the probe takes (16384 octets, length octets 00 40 00) and one
     * octet more (01 ..: the first octet alone rules it out) */
    static uint8_t big[16385];
    b.n = 0;
    frame(&b, DATA, 0, 1, big, 16384);
    r = tpa_rd_init(b.b, b.n);
    CHECK(b.b[0] == 0 && tpa_http2_probe(&r));
    b.n = 0;
    frame(&b, DATA, 0, 1, big, 16385);
    r = tpa_rd_init(b.b, b.n);
    CHECK(b.b[0] == 0 && !tpa_http2_probe(&r));
    static const uint8_t huge_hdr[] = {1, 0, 0, DATA, 0, 0, 0, 0, 1}; /* 65536 octets */
    r = tpa_rd_init(huge_hdr, sizeof huge_hdr);
    CHECK(!tpa_http2_probe(&r));
    r = tpa_rd_init(b.b, 0);
    CHECK(!tpa_http2_probe(&r));
    static const uint8_t tls[] = {0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0, 0, 1, 0};
    r = tpa_rd_init(tls, sizeof tls);
    CHECK(!tpa_http2_probe(&r));
    b.n = 0;
    frame(&b, DATA, 0, 0, "ab", 2); /* DATA on stream 0 */
    r = tpa_rd_init(b.b, b.n);
    CHECK(!tpa_http2_probe(&r));
    b.n = 0;
    frame(&b, CONT, 0x4, 1, "ab", 2); /* CONTINUATION first */
    r = tpa_rd_init(b.b, b.n);
    CHECK(!tpa_http2_probe(&r));
    b.n = 0;
    frame(&b, PING, 0x80, 0, "12345678", 8); /* a flag PING does not define */
    r = tpa_rd_init(b.b, b.n);
    CHECK(!tpa_http2_probe(&r));
}

static int nparts;
static char part_types[4][64];

static void on_part(void *ud, const char *ctype, tpa_rd_t *content)
{
    (void)ud;
    if (nparts < 4) snprintf(part_types[nparts], sizeof part_types[0], "%s", ctype);
    nparts++;
    tpa_rd_skip(content, tpa_rd_remaining(content));
}

/* TS 29.501 4.4.1 resource URIs, TS 29.571 identities, RFC 2046 multipart. */
static void test_sbi(void)
{
    char svc[TPA_SBI_NAME_MAX], res[TPA_SBI_NAME_MAX];
    CHECK(tpa_sbi_path("/nsmf-pdusession/v1/sm-contexts/12/modify", svc, sizeof svc, res,
                       sizeof res));
    CHECK(strcmp(svc, "nsmf-pdusession") == 0 && strcmp(res, "sm-contexts") == 0);
    CHECK(tpa_sbi_path("/nnrf-disc/v1/nf-instances?target-nf-type=SMF", svc, sizeof svc, res,
                       sizeof res));
    CHECK(strcmp(svc, "nnrf-disc") == 0 && strcmp(res, "nf-instances") == 0);
    CHECK(!tpa_sbi_path("/grpc.health.v1.Health/Check", svc, sizeof svc, res, sizeof res));
    CHECK(strcmp(svc, "grpc.health.v1.Health") == 0 && strcmp(res, "Check") == 0);
    CHECK(!tpa_sbi_path("/", svc, sizeof svc, res, sizeof res) && svc[0] == '\0');
    tpa_sbi_ids_t ids = {0};
    tpa_sbi_path_ids("/nudm-sdm/v2/imsi-001010000000001/am-data?gpsi=msisdn-3312345678", &ids);
    CHECK(ids.n == 2 && ids.kind[0] == TPA_ID_SUPI &&
          strcmp(ids.value[0], "imsi-001010000000001") == 0);
    CHECK(ids.kind[1] == TPA_ID_MSISDN && strcmp(ids.value[1], "3312345678") == 0);
    CHECK(!tpa_sbi_add_id(&ids, "imsi-12", 7));               /* too short */
    CHECK(!tpa_sbi_add_id(&ids, "imsi-001010000000001", 20)); /* already there */
    char b[72];
    CHECK(tpa_sbi_content_type("multipart/related; boundary=\"a b\"; type=x", b, sizeof b) ==
          TPA_SBI_BODY_MULTIPART);
    CHECK(strcmp(b, "a b") == 0);
    CHECK(tpa_sbi_content_type("Application/Problem+JSON", b, sizeof b) == TPA_SBI_BODY_PROBLEM);
    CHECK(tpa_sbi_content_type("application/3gppHal+json", b, sizeof b) == TPA_SBI_BODY_JSON);
    static const char mp[] =
        "preamble\r\n--X\r\nContent-Type: application/json\r\n\r\n{}\r\n"
        "--X\r\ncontent-type: application/vnd.3gpp.ngap\r\n\r\n\x01\x02\r\n--X--";
    nparts = 0;
    CHECK(tpa_sbi_multipart((const uint8_t *)mp, strlen(mp), "X", on_part, NULL) == 2);
    CHECK(strcmp(part_types[0], "application/json") == 0 &&
          strcmp(part_types[1], "application/vnd.3gpp.ngap") == 0);
    int st = 0;
    char cause[32];
    CHECK(tpa_sbi_problem((const uint8_t *)"{\"status\":403,\"cause\":\"X\"}", 26, &st, cause,
                          sizeof cause) &&
          st == 403 && strcmp(cause, "X") == 0);
    CHECK(!tpa_sbi_problem((const uint8_t *)"{\"status\":", 10, &st, cause, sizeof cause));
    CHECK(strcmp(tpa_sbi_reason(404), "Not Found") == 0 && tpa_sbi_reason(299) == NULL);
}

int main(void)
{
    test_probe();
    test_sbi();
    test_basic();
    test_continuation_split();
    test_mid_connection();
    test_unconfirmed();
    test_problem_details();
    test_rst_stream();
    test_malformed();
    test_gap();
    test_upgrade();
    test_push_promise();
    test_multipart_nas();
    test_table_size();
    for (int i = 0; i < 2; i++)
        if (cv.def[i]) nghttp2_hd_deflate_del(cv.def[i]);
    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
