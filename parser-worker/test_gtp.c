/* test_gtp.c - the GTPv1 dissector (tpa_gtp.c) against messages written by hand from
 * 3GPP TS 29.060 (GTPv1-C on 2123: TV IEs with their fixed lengths, TLV IEs) and
 * TS 29.281 (GTP-U signalling on 2152: Echo, Error Indication, End Marker, Supported
 * Extension Headers Notification, next to G-PDUs), and malformed input.
 *
 * Usage: test_gtp [OUT.pcap]  (OUT.pcap: also write the frames, for tshark -V)
 */
#include "test_3gpp_util.h"
#include "tpa_gtp.h"

#define SGSN "10.0.0.1"
#define GGSN "10.0.0.2"
#define ENB "10.0.0.5"

/* 7.3.1 Create PDP Context Request: S = 1, sequence 0x1234. */
static const uint8_t cpc_req[] = {
    0x32, 0x10, 0x00, 0x58, 0x00, 0x00, 0x00, 0x00,       /* v1, PT, S; type 16; length 88 */
    0x12, 0x34, 0x00, 0x00,                               /* sequence, N-PDU, next ext */
    0x02, 0x00, 0x01, 0x01, 0x21, 0x43, 0x65, 0x87, 0xf9, /* IMSI (TV 8) */
    0x0e, 0x05,                                           /* Recovery (TV 1) */
    0x0f, 0xfd,                                           /* Selection Mode (TV 1) */
    0x10, 0x11, 0x11, 0x11, 0x11,                         /* TEID Data I (TV 4) */
    0x11, 0x22, 0x22, 0x22, 0x22,                         /* TEID Control Plane (TV 4) */
    0x14, 0x05,                                           /* NSAPI 5 */
    0x80, 0x00, 0x02, 0xf1, 0x21,                         /* End User Address: IETF IPv4, none */
    0x83, 0x00, 0x09, 8,    'i',  'n',  't',  'e',  'r',  'n',  'e',  't', /* APN */
    0x85, 0x00, 0x04, 10,   0,    0,    1,                      /* GSN Address, signalling */
    0x85, 0x00, 0x04, 10,   0,    0,    3,                      /* GSN Address, user traffic */
    0x86, 0x00, 0x07, 0x91, 0x94, 0x21, 0x43, 0x65, 0x87, 0x09, /* MSISDN */
    0x87, 0x00, 0x04, 0x00, 0x0b, 0x92, 0x1f,                   /* QoS Profile */
    0x9a, 0x00, 0x08, 0x53, 0x61, 0x28, 0x00, 0x12, 0x34, 0x56, 0x78, /* IMEI(SV) */
};

/* 7.3.2 Create PDP Context Response to the SGSN's TEID-C 0x22222222: Cause 128. */
static const uint8_t cpc_rsp[] = {
    0x32, 0x11, 0x00, 0x27, 0x22, 0x22, 0x22, 0x22, 0x12,
    0x34, 0x00, 0x00, 0x01, 0x80,                      /* Cause: Request accepted */
    0x10, 0x33, 0x33, 0x33, 0x33,                      /* TEID Data I */
    0x11, 0x44, 0x44, 0x44, 0x44,                      /* TEID Control Plane */
    0x80, 0x00, 0x06, 0xf1, 0x21, 10,   45,   0,    9, /* End User Address 10.45.0.9 */
    0x85, 0x00, 0x04, 10,   0,    0,    2,             /* GSN Address, control plane */
    0x85, 0x00, 0x04, 10,   0,    0,    4,             /* GSN Address, user traffic */
};

/* 7.3.6 Delete PDP Context Response: Cause 192 (Non-existent). */
static const uint8_t dpc_fail[] = {
    0x32, 0x15, 0x00, 0x06, 0x22, 0x22, 0x22, 0x22, 0x00, 0x09, 0x00, 0x00, 0x01, 0xc0,
};

/* TS 29.281 7.2: Echo Request / Response over GTP-U. */
static const uint8_t u_echo_req[] = {
    0x32, 0x01, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00,
};
static const uint8_t u_echo_rsp[] = {
    0x32, 0x02, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x00, 0x0e, 0x00,
};

/* TS 29.281 7.3.1 Error Indication: TEID Data I 0xdeadbeef, GSN Address 10.0.0.2. */
static const uint8_t u_err_ind[] = {
    0x32, 0x1a, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00,
    0x10, 0xde, 0xad, 0xbe, 0xef, 0x85, 0x00, 0x04, 10,   0,    0,    2,
};

/* TS 29.281 7.3.2 End Marker on TEID 0x55. */
static const uint8_t u_end_marker[] = {0x30, 0xfe, 0x00, 0x00, 0x00, 0x00, 0x00, 0x55};

/* TS 29.281 7.2.3 Supported Extension Headers Notification: Extension Header Type List
 * (141) with its one-octet length. */
static const uint8_t u_sehn[] = {
    0x32, 0x1f, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x09, 0x00, 0x00, 0x8d, 0x02, 0x85, 0x40,
};

/* A G-PDU carrying IPv4/UDP 10.45.0.9:12345 -> 8.8.8.8:53. */
static const uint8_t u_gpdu[] = {
    0x30, 0xff, 0x00, 0x1c, 0x00, 0x00, 0x12, 0x34, 0x45, 0x00, 0x00, 0x1c,
    0x00, 0x00, 0x00, 0x00, 0x40, 0x11, 0x00, 0x00, 10,   45,   0,    9,
    8,    8,    8,    8,    0x30, 0x39, 0x00, 0x35, 0x00, 0x08, 0x00, 0x00,
};

static const uint8_t unknown_tv[] = {
    0x32, 0x01, 0x00, 0x06, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x00, 0x00, 0x32, 0x00,
};
static const uint8_t tlv_past_end[] = {
    0x32, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x00, 0x00, 0x85, 0x00, 0x09, 0x0a,
};
static const uint8_t gsn_len5[] = {
    0x32, 0x01, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c,
    0x00, 0x00, 0x85, 0x00, 0x05, 10,   0,    0,    1,    2,
};
static const uint8_t len_past_end[] = {
    0x32, 0x01, 0x00, 0x40, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x00,
};
static const uint8_t ext_len0[] = {
    0x34, 0x01, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x85, 0x00, 0x00, 0x00, 0x00,
};
static const uint8_t gtp_prime[] = {0x0e, 0x01, 0x00, 0x00, 0x00, 0x01}; /* GTP' Echo */
static const uint8_t bad_version[] = {0x72, 0x01, 0x00, 0x04, 0, 0, 0, 0, 0, 0, 0, 0};
static const uint8_t v2_echo[] = {
    0x40, 0x01, 0x00, 0x09, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00, 0x01, 0x00, 0x05,
};

static void test_control(void)
{
    start();
    udp4(SGSN, GGSN, 2123, 2123, cpc_req, sizeof cpc_req);
    udp4(GGSN, SGSN, 2123, 2123, cpc_rsp, sizeof cpc_rsp);
    udp4(GGSN, SGSN, 2123, 2123, dpc_fail, sizeof dpc_fail);
    CHECK(malformed_frames() == 0);
    CHECK(count("gtp", "16") == 1 && count("gtp", "17") == 1 && count("gtp", "21") == 1);
    CHECK(nrecs == 3);

    rec_t *q = &recs[0];
    CHECK_STR(q->name, "Create PDP Context Request");
    CHECK(q->kind == TPA_SIG_REQUEST);
    CHECK_STR(q->procedure, "Create PDP Context");
    CHECK_STR(q->key, "seq=4660@" SGSN);
    CHECK_ID(q, TPA_ID_IMSI, "001010123456789");
    CHECK_ID(q, TPA_ID_TEID, "0x22222222@10.0.0.1");
    CHECK_ID(q, TPA_ID_TEID, "0x11111111@10.0.0.3");
    CHECK_ID(q, TPA_ID_PDU_SESSION, "5");
    CHECK_ID(q, TPA_ID_DNN, "internet");
    CHECK_ID(q, TPA_ID_MSISDN, "491234567890");
    CHECK_ID(q, TPA_ID_IMEI, "3516820021436587");
    CHECK(q->n_ids == 7);

    rec_t *a = &recs[1];
    CHECK(a->kind == TPA_SIG_RESPONSE && a->outcome == TPA_SIG_OK);
    CHECK(a->has_cause && a->cause == 128);
    CHECK_STR(a->cause_name, "Request accepted");
    CHECK_STR(a->key, "seq=4660@" SGSN);
    CHECK_ID(a, TPA_ID_TEID, "0x22222222@10.0.0.1");
    CHECK_ID(a, TPA_ID_TEID, "0x44444444@10.0.0.2");
    CHECK_ID(a, TPA_ID_TEID, "0x33333333@10.0.0.4");
    CHECK_ID(a, TPA_ID_UE_IP, "10.45.0.9");

    rec_t *f = &recs[2];
    CHECK(f->outcome == TPA_SIG_FAILURE && f->cause == 192);
    CHECK_STR(f->cause_name, "Non-existent");
}

static void test_user_plane(void)
{
    start();
    udp4(ENB, GGSN, 2152, 2152, u_echo_req, sizeof u_echo_req);
    udp4(GGSN, ENB, 2152, 2152, u_echo_rsp, sizeof u_echo_rsp);
    udp4(GGSN, ENB, 2152, 2152, u_err_ind, sizeof u_err_ind);
    udp4(ENB, GGSN, 2152, 2152, u_end_marker, sizeof u_end_marker);
    udp4(ENB, GGSN, 2152, 2152, u_sehn, sizeof u_sehn);
    udp4(ENB, GGSN, 2152, 2152, u_gpdu, sizeof u_gpdu);
    CHECK(malformed_frames() == 0);
    CHECK(count("gtp", "1") == 1 && count("gtp", "2") == 1 && count("gtp", "26") == 1);
    CHECK(count("gtp", "254") == 1 && count("gtp", "31") == 1 && count("gtp", "255") == 1);
    CHECK(nrecs == 5); /* the G-PDU is counted, not reported as signalling */
    CHECK_STR(recs[0].key, "seq=7@" ENB);
    CHECK_STR(recs[1].key, "seq=7@" ENB);
    CHECK(recs[1].kind == TPA_SIG_RESPONSE && recs[1].outcome == TPA_SIG_OK);
    rec_t *e = &recs[2];
    CHECK_STR(e->name, "Error Indication");
    CHECK(e->kind == TPA_SIG_INDICATION && e->outcome == TPA_SIG_FAILURE);
    CHECK_STR(e->procedure, "Error Indication");
    CHECK_ID(e, TPA_ID_TEID, "0xdeadbeef@10.0.0.2");
    CHECK_ID(&recs[3], TPA_ID_TEID, "0x55@10.0.0.2");
    CHECK(recs[3].kind == TPA_SIG_INDICATION && recs[3].outcome == TPA_SIG_OK);
    /* the G-PDU's T-PDU still became a flow inside the tunnel */
    CHECK(tpa_flow_table_total(tpa_decode_flows(dec)) == 2);
}

static void test_malformed(void)
{
    start();
    udp4(SGSN, GGSN, 2123, 2123, cpc_req, sizeof cpc_req); /* decides the app (probe) */
    udp4(SGSN, GGSN, 2123, 2123, unknown_tv, sizeof unknown_tv);
    CHECK(reason(TPA_MAL_GTP_IE_TYPE_UNKNOWN) == 1);
    udp4(SGSN, GGSN, 2123, 2123, tlv_past_end, sizeof tlv_past_end);
    CHECK(reason(TPA_MAL_GTP_IE_TRUNCATED) == 1);
    udp4(SGSN, GGSN, 2123, 2123, gsn_len5, sizeof gsn_len5);
    CHECK(reason(TPA_MAL_GTP_IE_INVALID) == 1);
    udp4(SGSN, GGSN, 2123, 2123, len_past_end, sizeof len_past_end);
    CHECK(reason(TPA_MAL_GTP_LEN_INVALID) == 1);
    udp4(SGSN, GGSN, 2123, 2123, ext_len0, sizeof ext_len0);
    CHECK(reason(TPA_MAL_GTP_EXT_INVALID) == 1);
    udp4(SGSN, GGSN, 2123, 2123, u_echo_req, 5);
    CHECK(reason(TPA_MAL_GTP_TRUNCATED) == 1);
    udp4(SGSN, GGSN, 2123, 2123, bad_version, sizeof bad_version);
    CHECK(reason(TPA_MAL_GTP_BAD_VERSION) == 1);
    CHECK(count("gtp", "1") == 6); /* every one whose type was readable */
    CHECK(malformed_frames() == 7);
    udp4(SGSN, GGSN, 2123, 2123, gtp_prime, sizeof gtp_prime);
    udp4(SGSN, GGSN, 2123, 2123, v2_echo, sizeof v2_echo);
    CHECK(count("gtp", "1") == 7 && count("gtpv2", "1") == 1);
    CHECK(malformed_frames() == 7);

    start();
    udp4(SGSN, GGSN, 2123, 2123, cpc_req, sizeof cpc_req);
    for (size_t i = 1; i < sizeof cpc_req; i++)
        udp4(SGSN, GGSN, 2123, 2123, cpc_req, i);
    CHECK(malformed_frames() == sizeof cpc_req - 1);
    CHECK(count("gtp", "16") == sizeof cpc_req - 1);
    start();
    udp4(ENB, GGSN, 2152, 2152, u_err_ind, sizeof u_err_ind);
    for (size_t i = 1; i < sizeof u_err_ind; i++)
        udp4(ENB, GGSN, 2152, 2152, u_err_ind, i);
    CHECK(malformed_frames() == sizeof u_err_ind - 1);
}

int main(int argc, char **argv)
{
    if (argc > 1) dump_to(argv[1]);
    CHECK_STR(tpa_gtp_msg_name(26), "Error Indication");
    CHECK_STR(tpa_gtp_msg_name(255), "G-PDU");
    CHECK(!tpa_gtp_msg_name(8));
    CHECK_STR(tpa_gtp_cause_name(199), "No resource available");
    test_control();
    test_user_plane();
    test_malformed();
    return finish("test_gtp");
}
