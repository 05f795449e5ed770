/* test_pfcp.c - the PFCP dissector (tpa_pfcp.c) against messages written by hand from
 * 3GPP TS 29.244: header with and without SEID, FO-chained messages, each decoded IE,
 * grouped IEs, vendor IEs, and malformed lengths.
 *
 * Usage: test_pfcp [OUT.pcap]  (OUT.pcap: also write the frames, for tshark -V)
 */
#include "test_3gpp_util.h"
#include "tpa_pfcp.h"

#define CP "10.0.0.1"
#define UP "10.0.0.2"

/* 7.4.2.1 Heartbeat Request: no SEID (S = 0), sequence 5, Recovery Time Stamp (96). */
static const uint8_t hb_req[] = {
    0x20, 0x01, 0x00, 0x0c,                         /* v1, S=0; type 1; length 12 */
    0x00, 0x00, 0x05, 0x00,                         /* sequence 5, spare */
    0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x00, /* Recovery Time Stamp */
};

/* 7.5.2 Session Establishment Request, S = 1, SEID 0, sequence 6. */
static const uint8_t est_req[] = {
    0x21, 0x32, 0x00, 0x92,                            /* v1, S=1; type 50; length 146 */
    0,    0,    0,    0,    0,    0,    0,    0,       /* SEID 0 */
    0x00, 0x00, 0x06, 0x00,                            /* sequence 6, priority/spare */
    0x00, 0x3c, 0x00, 0x05, 0x00, 10,   0,    0,    1, /* Node ID: IPv4 10.0.0.1 */
    0x00, 0x39, 0x00, 0x0d, 0x02,                      /* F-SEID: V4 */
    0,    0,    0,    0,    0,    0,    0x0b, 0xa4, 10,  0,   0,   1, /*   SEID 0xba4, 10.0.0.1 */
    0x00, 0x01, 0x00, 0x25,                                           /* Create PDR (37) */
    0x00, 0x38, 0x00, 0x02, 0x00, 0x01,                               /*   PDR ID 1 */
    0x00, 0x02, 0x00, 0x1b,                                           /*   PDI (27) */
    0x00, 0x14, 0x00, 0x01, 0x00,                      /*     Source Interface: access */
    0x00, 0x15, 0x00, 0x09, 0x01,                      /*     F-TEID: V4 */
    0x00, 0x00, 0x12, 0x34, 10,   0,    0,    2,       /*       TEID 0x1234, 10.0.0.2 */
    0x00, 0x5d, 0x00, 0x05, 0x02, 10,   45,   0,    5, /*     UE IP Address: V4 10.45.0.5 */
    0x00, 0x03, 0x00, 0x24,                            /* Create FAR (36) */
    0x00, 0x6c, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,    /*   FAR ID 1 */
    0x00, 0x2c, 0x00, 0x01, 0x02,                      /*   Apply Action: FORW */
    0x00, 0x04, 0x00, 0x13,                            /*   Forwarding Parameters (19) */
    0x00, 0x2a, 0x00, 0x01, 0x00,                      /*     Destination Interface */
    0x00, 0x54, 0x00, 0x0a, 0x01, 0x00,          /*     Outer Header Creation: GTP-U/UDP/IPv4 */
    0x00, 0x00, 0x00, 0x99, 192,  168,  1,    1, /*       TEID 0x99, 192.168.1.1 */
    0x00, 0x9f, 0x00, 0x09, 8,    'i',  'n',  't',  'e', 'r', 'n', 'e', 't', /* APN/DNN */
    0x00, 0x8d, 0x00, 0x0a, 0x01, 0x08,             /* User ID: IMSIF, length 8 */
    0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00, 0xf1, /*   IMSI 001010000000001 */
};

/* 7.5.3 Session Establishment Response to the CP's SEID 0xba4: Cause 1, the UP's
 * F-SEID 0x77 at 10.0.0.2. */
static const uint8_t est_rsp[] = {
    0x21, 0x33, 0x00, 0x2b,                          /* type 51; length 43 */
    0,    0,    0,    0,    0,    0,  0x0b, 0xa4,    /* SEID 0xba4 (the CP's) */
    0x00, 0x00, 0x06, 0x00,                          /* sequence 6 */
    0x00, 0x3c, 0x00, 0x05, 0x00, 10, 0,    0,    2, /* Node ID */
    0x00, 0x13, 0x00, 0x01, 0x01,                    /* Cause: Request accepted */
    0x00, 0x39, 0x00, 0x0d, 0x02,                    /* F-SEID */
    0,    0,    0,    0,    0,    0,  0x00, 0x77, 10, 0, 0, 2,
};

/* 7.5.5 Session Modification Response: Cause 65 (Session context not found). */
static const uint8_t mod_rsp_fail[] = {
    0x21, 0x35, 0x00, 0x11,                    /* type 53; length 17 */
    0,    0,    0,    0,    0,  0, 0x0b, 0xa4, /* SEID */
    0x00, 0x00, 0x09, 0x00,                    /* sequence 9 */
    0x00, 0x13, 0x00, 0x01, 65,                /* Cause */
};

/* 7.2.2.1: three messages in one datagram, FO set on the first two. */
static const uint8_t chained[] = {
    0x24, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x0a, 0x00, /* Heartbeat Request, FO, seq 10 */
    0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x01, 0x24,
    0x02, 0x00, 0x0c, 0x00, 0x00, 0x05, 0x00, /* Heartbeat Response, FO, seq 5 */
    0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x02, 0x20,
    0x05, 0x00, 0x0d, 0x00, 0x00, 0x0b, 0x00,          /* Association Setup Request, seq 11 */
    0x00, 0x3c, 0x00, 0x05, 0x00, 10,   0,    0,    1, /*   Node ID */
};

/* A vendor-specific IE (type bit 15 set): Enterprise ID 10415 and 3 octets. */
static const uint8_t vendor[] = {
    0x20, 0x01, 0x00, 0x0d, 0x00, 0x00, 0x0c, 0x00, 0x80,
    0x01, 0x00, 0x05, 0x28, 0xaf, 0x01, 0x02, 0x03,
};

/* Malformed: an IE whose length runs past the message's end. */
static const uint8_t ie_past_end[] = {
    0x20, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x0d, 0x00,
    0x00, 0x60, 0x00, 0x09, 0xe0, 0x00, 0x00, 0x00, /* length 9, 4 present */
};

/* Malformed: the message length runs past the datagram. */
static const uint8_t msg_past_end[] = {
    0x20, 0x01, 0x00, 0x40, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x00,
};

/* Malformed: length 2, below the 4 octets of sequence number and spare. */
static const uint8_t len_too_small[] = {0x20, 0x01, 0x00, 0x02, 0x00, 0x00};

/* Malformed: version 2. */
static const uint8_t bad_version[] = {0x40, 0x01, 0x00, 0x04, 0x00, 0x00, 0x0f, 0x00};

/* A message type not in table 7.3-1 (99) is still counted. */
static const uint8_t unknown_type[] = {0x20, 0x63, 0x00, 0x04, 0x00, 0x00, 0x10, 0x00};

/* Create PDR nested in itself 10 times: past the grouped IE depth limit. */
static size_t deep(uint8_t *b)
{
    const int n = 10;
    size_t hl = 16;   /* S = 1 header */
    size_t inner = 6; /* PDR ID IE */
    size_t total = inner + 4 * (size_t)n;
    uint8_t *p = b;
    *p++ = 0x21, *p++ = 0x32, *p++ = (uint8_t)((total + 12) >> 8), *p++ = (uint8_t)(total + 12);
    memset(p, 0, 8), p += 8;
    *p++ = 0, *p++ = 0, *p++ = 0x11, *p++ = 0;
    for (int i = 0; i < n; i++) {
        size_t l = inner + 4 * (size_t)(n - 1 - i);
        *p++ = 0x00, *p++ = 0x01, *p++ = (uint8_t)(l >> 8), *p++ = (uint8_t)l;
    }
    *p++ = 0x00, *p++ = 0x38, *p++ = 0x00, *p++ = 0x02, *p++ = 0x00, *p++ = 0x01;
    return hl + total;
}

static void test_heartbeat(void)
{
    start();
    udp4(CP, UP, 8805, 8805, hb_req, sizeof hb_req);
    CHECK(count("pfcp", "1") == 1);
    CHECK(nrecs == 1);
    rec_t *r = &recs[0];
    CHECK_STR(r->name, "PFCP Heartbeat Request");
    CHECK(r->kind == TPA_SIG_REQUEST);
    CHECK_STR(r->procedure, "Heartbeat");
    CHECK_STR(r->key, "seq=5@" CP);
    CHECK(!r->has_cause);
    CHECK(malformed_frames() == 0);
}

static void test_session(void)
{
    start();
    udp4(CP, UP, 8805, 8805, est_req, sizeof est_req);
    udp4(UP, CP, 8805, 8805, est_rsp, sizeof est_rsp);
    udp4(UP, CP, 8805, 8805, mod_rsp_fail, sizeof mod_rsp_fail);
    CHECK(malformed_frames() == 0);
    CHECK(count("pfcp", "50") == 1 && count("pfcp", "51") == 1 && count("pfcp", "53") == 1);
    CHECK(nrecs == 3);

    rec_t *q = &recs[0]; /* request */
    CHECK_STR(q->name, "PFCP Session Establishment Request");
    CHECK(q->kind == TPA_SIG_REQUEST);
    CHECK_STR(q->procedure, "Session Establishment");
    CHECK_STR(q->key, "seq=6@" CP);
    CHECK_ID(q, TPA_ID_SEID, "0xba4@10.0.0.1");
    CHECK_ID(q, TPA_ID_TEID, "0x1234@10.0.0.2");
    CHECK_ID(q, TPA_ID_UE_IP, "10.45.0.5");
    CHECK_ID(q, TPA_ID_TEID, "0x99@192.168.1.1");
    CHECK_ID(q, TPA_ID_DNN, "internet");
    CHECK_ID(q, TPA_ID_IMSI, "001010000000001");
    CHECK(q->n_ids == 6); /* header SEID 0 is no identity */

    rec_t *a = &recs[1]; /* response: same key, the requester's address */
    CHECK(a->kind == TPA_SIG_RESPONSE);
    CHECK_STR(a->procedure, "Session Establishment");
    CHECK_STR(a->key, "seq=6@" CP);
    CHECK(a->outcome == TPA_SIG_OK);
    CHECK(a->has_cause && a->cause == 1);
    CHECK_STR(a->cause_name, "Request accepted");
    CHECK_ID(a, TPA_ID_SEID, "0xba4@10.0.0.1"); /* header SEID, owned by the receiver */
    CHECK_ID(a, TPA_ID_SEID, "0x77@10.0.0.2");

    rec_t *f = &recs[2];
    CHECK(f->outcome == TPA_SIG_FAILURE);
    CHECK(f->has_cause && f->cause == 65);
    CHECK_STR(f->cause_name, "Session context not found");
    CHECK_STR(f->key, "seq=9@" CP);
}

static void test_chained_and_vendor(void)
{
    start();
    udp4(CP, UP, 8805, 8805, chained, sizeof chained);
    CHECK(count("pfcp", "1") == 1 && count("pfcp", "2") == 1 && count("pfcp", "5") == 1);
    CHECK(nrecs == 3);
    CHECK_STR(recs[1].key, "seq=5@" UP); /* a response: keyed by the requester (receiver) */
    CHECK_STR(recs[2].procedure, "Association Setup");
    udp4(CP, UP, 8805, 8805, vendor, sizeof vendor);
    CHECK(count("pfcp", "1") == 2);
    CHECK(malformed_frames() == 0);
    udp4(CP, UP, 8805, 8805, unknown_type, sizeof unknown_type);
    CHECK(count("pfcp", "99") == 1);
    CHECK(nrecs == 5 && recs[4].kind == TPA_SIG_INDICATION && recs[4].procedure[0] == '\0');
}

static void test_malformed(void)
{
    start();
    udp4(CP, UP, 8805, 8805, ie_past_end, sizeof ie_past_end);
    CHECK(count("pfcp", "1") == 1); /* the header was readable: counted, as tshark does */
    CHECK(reason(TPA_MAL_PFCP_IE_TRUNCATED) == 1);
    udp4(CP, UP, 8805, 8805, msg_past_end, sizeof msg_past_end);
    CHECK(reason(TPA_MAL_PFCP_LEN_INVALID) == 1);
    udp4(CP, UP, 8805, 8805, len_too_small, sizeof len_too_small);
    CHECK(reason(TPA_MAL_PFCP_LEN_INVALID) == 2);
    udp4(CP, UP, 8805, 8805, bad_version, sizeof bad_version);
    CHECK(reason(TPA_MAL_PFCP_BAD_VERSION) == 1);
    udp4(CP, UP, 8805, 8805, hb_req, 3); /* not even a header */
    CHECK(reason(TPA_MAL_PFCP_TRUNCATED) == 1);
    uint8_t b[128];
    size_t n = deep(b);
    udp4(CP, UP, 8805, 8805, b, n);
    CHECK(reason(TPA_MAL_PFCP_IE_TOO_DEEP) == 1);
    CHECK(count("pfcp", "1") == 4 && count("pfcp", "50") == 1);
    CHECK(malformed_frames() == 6);
    /* a broken message is counted but not paired */
    CHECK(nrecs == 5 && recs[2].procedure[0] == '\0');

    /* every cut of a valid message: never a crash, every frame malformed but one */
    start();
    for (size_t i = 1; i <= sizeof est_req; i++)
        udp4(CP, UP, 8805, 8805, est_req, i);
    CHECK(malformed_frames() == sizeof est_req - 1);
    CHECK(count("pfcp", "50") == sizeof est_req - 3);
}

/* The KPI of a procedure in the document, or NULL. */
static json_t *kpi(json_t *doc, const char *procedure)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(doc, "kpis"), i, k)
    {
        if (strcmp(json_string_value(json_object_get(k, "procedure")), procedure) == 0) return k;
    }
    return NULL;
}

static long long kint(json_t *k, const char *key)
{
    return k ? (long long)json_integer_value(json_object_get(k, key)) : -1;
}

/* Pairing through the transaction layer: both nodes send Heartbeat Request seq 5 at
 * once (sequence numbers are per node: two attempts, each answered), and a Session
 * Establishment Request sent three times is one unanswered attempt with two
 * retransmissions (TS 29.244 section 6.4: a retransmission keeps its sequence number). */
static void test_pairing(void)
{
    static const uint8_t hb_rsp[] = {0x20, 0x02, 0x00, 0x0c, 0x00, 0x00, 0x05, 0x00,
                                     0x00, 0x60, 0x00, 0x04, 0xe0, 0x00, 0x00, 0x00};
    start();
    ts_step_us = 2000000; /* 2 s apart: retransmissions, not duplicated frames */
    udp4(CP, UP, 8805, 8805, hb_req, sizeof hb_req);
    udp4(UP, CP, 8805, 8805, hb_req, sizeof hb_req);
    udp4(UP, CP, 8805, 8805, hb_rsp, sizeof hb_rsp);
    udp4(CP, UP, 8805, 8805, hb_rsp, sizeof hb_rsp);
    for (int i = 0; i < 3; i++)
        udp4(CP, UP, 8805, 8805, est_req, sizeof est_req);
    tpa_decode_finish(dec);
    tpa_result_capture_t cap = {.file = "test", .format = "pcap"};
    json_t *doc = tpa_result_build(dec, &cap);
    CHECK(doc != NULL);
    if (!doc) return;
    json_t *hb = kpi(doc, "Heartbeat"), *se = kpi(doc, "Session Establishment");
    CHECK(kint(hb, "attempts") == 2 && kint(hb, "successes") == 2);
    CHECK(kint(se, "attempts") == 1 && kint(se, "unanswered") == 1);
    CHECK(kint(se, "retransmissions") == 2);
    json_decref(doc);
}

int main(int argc, char **argv)
{
    if (argc > 1) dump_to(argv[1]);
    CHECK(tpa_pfcp_msg_name(57) && !tpa_pfcp_msg_name(18));
    CHECK_STR(tpa_pfcp_cause_name(72), "No established PFCP Association");
    test_heartbeat();
    test_session();
    test_chained_and_vendor();
    test_malformed();
    test_pairing();
    return finish("test_pfcp");
}
