/* test_http1.c - HTTP/1.1 framing on TCP and the NAS parts of SBI bodies (RFC 9112,
 * RFC 2387 multipart/related, TS 29.518 N1 message parts). */
#include <string.h>

#include "test_frames.h"
#include "tpa_http1.h"
#include "tpa_result.h"
#include "tpa_test.h"

static tf_buf_t fb;
#define C "10.0.0.1"
#define S "10.0.0.2"

/* 5GMM plain Registration complete (TS 24.501 8.2.8): EPD 0x7e, header 0, type 0x43 */
#define NAS "\x7e\x00\x43"

static uint64_t nas(const char *code)
{
    return tpa_result_message_count(tpa_decode_sink(tf_dec), "nas-5gs", code);
}

static void seg(bool up, uint32_t *seq, unsigned flags, const char *p, size_t n)
{
    if (up)
        tf_tcp(&fb, C, 40100, S, 80, seq[0], seq[1], flags, 65535, p, n);
    else
        tf_tcp(&fb, S, 80, C, 40100, seq[1], seq[0], flags, 65535, p, n);
    tf_feed(&fb, 1000);
    seq[up ? 0 : 1] += (uint32_t)n + ((flags & 0x03) ? 1 : 0);
}

/* The probe on one payload. */
static bool probe(const char *p)
{
    tpa_rd_t r = tpa_rd_init((const uint8_t *)p, strlen(p));
    return tpa_http1_probe(&r);
}

int main(void)
{
    static const char multipart[] =
        "POST /namf-comm/v1/ue-contexts/imsi-001010000000001/n1-n2-messages HTTP/1.1\r\n"
        "Host: amf\r\n"
        "Content-Type: multipart/related; boundary=----Boundary\r\n"
        "Content-Length: 160\r\n"
        "\r\n"
        "------Boundary\r\n"
        "Content-Type: application/json\r\n"
        "\r\n"
        "{\"n1MessageClass\":\"5GMM\"}\r\n"
        "------Boundary\r\n"
        "Content-Type: application/vnd.3gpp.5gnas\r\n"
        "\r\n" NAS "\r\n"
        "------Boundary--\r\n";
    static const char direct[] = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    static const char nasbody[] = "PUT /x HTTP/1.1\r\nContent-Type: application/vnd.3gpp.5gnas\r\n"
                                  "Content-Length: 3\r\n\r\n" NAS;
    uint32_t seq[2] = {1000, 5000};

    /* the body length above must be right, or the test itself is wrong (the NAS bytes
     * hold a NUL: measure with sizeof, not strlen) */
    const char *body = strstr(multipart, "\r\n\r\n") + 4;
    CHECK(sizeof multipart - 1 - (size_t)(body - multipart) == 160);

    tf_fresh();
    seg(true, seq, 0x02, NULL, 0);
    seg(false, seq, 0x12, NULL, 0);
    seg(true, seq, 0x10, NULL, 0);
    /* the request split across two segments: one N1 part decoded once it is whole */
    size_t half = 100;
    seg(true, seq, 0x18, multipart, half);
    CHECK(nas("67") == 0);
    seg(true, seq, 0x18, multipart + half, sizeof multipart - 1 - half);
    CHECK(nas("67") == 1);
    /* a response without a body and a request with a whole NAS body in one segment */
    seg(false, seq, 0x18, direct, sizeof direct - 1);
    seg(true, seq, 0x18, nasbody, sizeof nasbody - 1);
    CHECK(nas("67") == 2);
    const tpa_flow_t *f = tf_one_flow(6);
    CHECK(f && f->app && strcmp(tpa_dissect_app_name(f->app), "http") == 0);
    CHECK(tpa_decode_stats(tf_dec)->malformed == 0);

    /* not HTTP/1 on port 80: no app from the http row */
    tf_fresh();
    seq[0] = 1, seq[1] = 1;
    seg(true, seq, 0x18, "\x16\x03\x01\x00\x05hello", 10);
    f = tf_one_flow(6);
    CHECK(f && (!f->app || strcmp(tpa_dissect_app_name(f->app), "http") != 0));

    /* the probe: every start line it knows, and what only looks like one */
    static const char *const yes[] = {"GET / HTTP/1.1\r\n",
                                      "POST /a",
                                      "PUT ",
                                      "PATCH /",
                                      "DELETE /x",
                                      "OPTIONS * HTTP/1.1\r\n",
                                      "HEAD /",
                                      "HTTP/1.0 200 OK\r\n",
                                      "HTTP/1.1 204\r\n\r\n"};
    static const char *const no[] = {"",
                                     "G",
                                     "GET",
                                     "GETX /",
                                     "HTTP/2.0 200",
                                     "HTTP/1",
                                     "Hello",
                                     "PRI * HTTP/2.0\r\n",
                                     "OPTION ",
                                     "head /",
                                     "\x16\x03\x01",
                                     "DELETE",
                                     " GET /"};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
        CHECK(probe(yes[i]));
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
        CHECK(!probe(no[i]));
    /* an h2c upgrade is the http2 row's, whole heads only */
    CHECK(!probe("GET / HTTP/1.1\r\nUpgrade: h2c\r\n\r\n"));
    CHECK(probe("GET / HTTP/1.1\r\nUpgrade: h2c\r\n"));
    CHECK(probe("GET / HTTP/1.1\r\nUpgrade: websocket\r\n\r\n"));

    tpa_decoder_destroy(&tf_dec);
    return TEST_DONE();
}
