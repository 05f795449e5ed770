/* test_s1ap.c - the S1AP dissector (tpa_s1ap.h) on PDUs encoded here from TS 36.413
 * clause 9.3 with the test writer: InitialUEMessage with a NAS-PDU, Initial Context
 * Setup request (E-RAB list with a GBR bearer and its NAS-PDU) and response, UE
 * Context Release Command with both UE-S1AP-IDs choices and a Cause, S1 Setup
 * Failure, E-RAB Setup and Modify requests with per-bearer NAS-PDUs; malformed PDUs
 * with their named reasons; the decoder path (SCTP PPID 18, bundled messages). */
#include "test_ap_rig.h"
#include "test_sctp_frame.h"
#include "tpa_decode.h"
#include "tpa_result.h"
#include "tpa_s1ap.h"
#include "tpa_test.h"

#define ENB_MAX 16777215ULL
#define MME_MAX 4294967295ULL
#define S1AP (&tpa_s1ap_proto)
#define CRIT 0 /* criticality of the PDUs built here: reject */
#define BITRATE_MAX 10000000000ULL

enum {
    ID_MME = 0,
    ID_CAUSE = 2,
    ID_ENB = 8,
    ID_NAS = 26,
    ID_TAI = 67,
    ID_ECGI = 100,
    ID_RRC_CAUSE = 134,
    ID_UE_S1AP_IDS = 99,
    ID_UE_AMBR = 66,
    ID_LIST_BEARER_SU_REQ = 16,
    ID_ITEM_BEARER_SU_REQ = 17,
    ID_LIST_CTXT_SU_REQ = 24,
    ID_ITEM_CTXT_SU_REQ = 52,
    ID_LIST_CTXT_SU_RES = 51,
    ID_ITEM_CTXT_SU_RES = 50,
    ID_LIST_MOD_REQ = 30,
    ID_ITEM_MOD_REQ = 36
};

/* NAS-EPS messages built from TS 24.301 clause 8: Attach request (KSI 7, IMSI
 * 001010123456789, UE network capability, a PDN connectivity request in the ESM
 * container), Deactivate EPS bearer context request (EBI 6, cause 36), Modify EPS
 * bearer context request (EBI 7, no optional IEs). */
static const uint8_t nas_attach[] = {0x07, 0x41, 0x71, 0x08, 0x09, 0x10, 0x10,
                                     0x21, 0x43, 0x65, 0x87, 0xf9, 0x02, 0xe0,
                                     0xe0, 0x00, 0x04, 0x02, 0x01, 0xd0, 0x11};
static const uint8_t nas_accept[] = {0x62, 0x00, 0xcd, 0x24};
static const uint8_t nas_bearer[] = {0x72, 0x05, 0xc9};

/* Cause ::= CHOICE {5 alternatives, ...}: ext bit, 3 bits; then the enumeration. */
static void v_cause(enc_t *v, unsigned group, unsigned value, unsigned nroot)
{
    enc_init(v);
    enc_bits(v, 0, 1);
    enc_int(v, group, 0, 4);
    e_enum_ext(v, value, nroot);
}

/* E-RABLevelQoSParameters, with GBR information when gbr. */
static void e_qos(enc_t *e, unsigned qci, int gbr)
{
    enc_bits(e, 0, 1);
    enc_bits(e, gbr ? 2 : 0, 2);
    enc_int(e, qci, 0, 255);
    enc_bits(e, 0, 1); /* ARP: ext */
    enc_bits(e, 0, 1); /* no iE-Extensions */
    enc_int(e, 9, 0, 15);
    enc_bits(e, 1, 1); /* may-trigger-pre-emption */
    enc_bits(e, 0, 1);
    if (gbr) {
        enc_bits(e, 0, 1);
        enc_bits(e, 0, 1);
        enc_int(e, 128000, 0, BITRATE_MAX);
        enc_int(e, 64000, 0, BITRATE_MAX);
        enc_int(e, BITRATE_MAX, 0, BITRATE_MAX);
        enc_int(e, 0, 0, BITRATE_MAX);
    }
}

static void e_tla_teid(enc_t *e)
{
    enc_bits(e, 0, 1);      /* TransportLayerAddress: ext */
    enc_int(e, 32, 1, 160); /* 32 bits */
    enc_align(e);
    enc_bits(e, 0x0a000005, 32);
    enc_align(e); /* GTP-TEID: SIZE(4), aligned */
    enc_bits(e, 0x01020304, 32);
}

/* One single-container list element. */
static void e_elem(enc_t *list, unsigned item_id, const enc_t *item)
{
    enc_ie(list, item_id, 0, item);
}

/* E-RABToBeSetupItemCtxtSUReq {e-RAB-ID, qos, TLA, TEID, nAS-PDU OPTIONAL, ...} */
static void item_ctxt_req(enc_t *it, unsigned erab, int gbr, const uint8_t *nas, size_t n)
{
    enc_init(it);
    enc_bits(it, 0, 1);
    enc_bits(it, nas ? 2 : 0, 2);
    enc_bits(it, 0, 1); /* E-RAB-ID ext */
    enc_int(it, erab, 0, 15);
    e_qos(it, gbr ? 1 : 9, gbr);
    e_tla_teid(it);
    if (nas) enc_octets(it, nas, n);
}

static size_t initial_ue_message(uint8_t *out, uint64_t enb)
{
    static const uint8_t tai[] = {0x00, 0x00, 0xf1, 0x10, 0x00, 0x01};
    static const uint8_t ecgi[] = {0x00, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x9b, 0xd0};
    enc_t v[5];
    v_int(&v[0], enb, ENB_MAX);
    v_nas(&v[1], nas_attach, sizeof nas_attach);
    v_bytes(&v[2], tai, sizeof tai);
    v_bytes(&v[3], ecgi, sizeof ecgi);
    enc_init(&v[4]);
    enc_bits(&v[4], 0, 1);
    enc_int(&v[4], 3, 0, 4); /* RRC-Establishment-Cause mo-Signalling */
    const unsigned ids[] = {ID_ENB, ID_NAS, ID_TAI, ID_ECGI, ID_RRC_CAUSE};
    const enc_t *vals[] = {&v[0], &v[1], &v[2], &v[3], &v[4]};
    return ap_build(out, 0, 12, CRIT, 5, ids, vals);
}

static void test_initial_ue_message(void)
{
    uint8_t b[256];
    size_t n = initial_ue_message(b, 0x0a0b0c);
    /* initiatingMessage, procedureCode 12, criticality reject; value ext, 5 IEs,
     * id 8 reject, eNB id: count 3 (2 bits 10), 0a 0b 0c */
    static const uint8_t head[] = {0x00, 0x0c, 0x00};
    CHECK(memcmp(b, head, 3) == 0);
    static const uint8_t ie0[] = {0x00, 0x00, 0x05, 0x00, 0x08, 0x00, 0x04, 0x80, 0x0a, 0x0b, 0x0c};
    CHECK(memcmp(b + 4, ie0, sizeof ie0) == 0);
    tpa_ap_msg_t m;
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.pdu_type == TPA_AP_INITIATING && m.proc == 12 && m.criticality == 0);
    CHECK(m.n_ies == 5 && m.malformed == -1);
    CHECK(m.has_ran_id && m.ran_id == 0x0a0b0c && !m.has_cn_id);
    CHECK(m.n_nas == 1 && m.nas[0].item == -1 && nas_is(&m.nas[0], nas_attach, sizeof nas_attach));
}

static void test_initial_context_setup(void)
{
    uint8_t b[1024];
    enc_t v[4], it[2];
    v_int(&v[0], MME_MAX, MME_MAX);
    v_int(&v[1], 1, ENB_MAX);
    enc_init(&v[2]); /* UEAggregateMaximumBitrate {DL, UL, iE-Extensions OPT, ...} */
    enc_bits(&v[2], 0, 2);
    enc_int(&v[2], 100000000, 0, BITRATE_MAX);
    enc_int(&v[2], 50000000, 0, BITRATE_MAX);
    item_ctxt_req(&it[0], 5, 0, nas_accept, sizeof nas_accept);
    item_ctxt_req(&it[1], 6, 1, NULL, 0);
    enc_init(&v[3]);
    enc_int(&v[3], 2, 1, 256);
    e_elem(&v[3], ID_ITEM_CTXT_SU_REQ, &it[0]);
    e_elem(&v[3], ID_ITEM_CTXT_SU_REQ, &it[1]);
    const unsigned ids[] = {ID_MME, ID_ENB, ID_UE_AMBR, ID_LIST_CTXT_SU_REQ};
    const enc_t *vals[] = {&v[0], &v[1], &v[2], &v[3]};
    size_t n = ap_build(b, 0, 9, CRIT, 4, ids, vals);
    tpa_ap_msg_t m;
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.proc == 9 && m.malformed == -1);
    CHECK(m.has_cn_id && m.cn_id == MME_MAX && m.has_ran_id && m.ran_id == 1);
    CHECK(m.n_items == 2 && m.items[0] == 5 && m.items[1] == 6);
    CHECK(m.n_nas == 1 && m.nas[0].item == 5 && nas_is(&m.nas[0], nas_accept, sizeof nas_accept));

    /* response: E-RABSetupListCtxtSURes of one item {e-RAB-ID, TLA, TEID, ext OPT} */
    enc_init(&it[0]);
    enc_bits(&it[0], 0, 2);
    enc_bits(&it[0], 0, 1);
    enc_int(&it[0], 5, 0, 15);
    e_tla_teid(&it[0]);
    enc_init(&v[2]);
    enc_int(&v[2], 1, 1, 256);
    e_elem(&v[2], ID_ITEM_CTXT_SU_RES, &it[0]);
    const unsigned ids2[] = {ID_MME, ID_ENB, ID_LIST_CTXT_SU_RES};
    n = ap_build(b, 1, 9, CRIT, 3, ids2, vals);
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.pdu_type == TPA_AP_SUCCESSFUL && m.n_items == 1 && m.items[0] == 5);
    CHECK(m.n_nas == 0 && m.malformed == -1);
    CHECK(strcmp(tpa_ap_message_name(S1AP, 9, 1), "InitialContextSetupResponse") == 0);
}

static void test_ue_context_release(void)
{
    uint8_t b[128];
    enc_t v[2];
    enc_init(&v[0]); /* UE-S1AP-IDs: ext 0, choice 0: pair {ext 0, opt 0, mme, enb} */
    enc_bits(&v[0], 0, 1);
    enc_int(&v[0], 0, 0, 1);
    enc_bits(&v[0], 0, 2);
    enc_int(&v[0], 77, 0, MME_MAX);
    enc_int(&v[0], 88, 0, ENB_MAX);
    v_cause(&v[1], 2, 2, 4); /* nas detach */
    const unsigned ids[] = {ID_UE_S1AP_IDS, ID_CAUSE};
    const enc_t *vals[] = {&v[0], &v[1]};
    size_t n = ap_build(b, 0, 23, CRIT, 2, ids, vals);
    tpa_ap_msg_t m;
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.proc == 23 && m.malformed == -1);
    CHECK(m.cn_id == 77 && m.ran_id == 88 && m.has_ran_id && m.has_cn_id);
    CHECK(m.has_cause && m.cause_group == TPA_AP_CAUSE_NAS && m.cause_value == 2);
    CHECK(strcmp(tpa_ap_cause_name(S1AP, 2, 2), "detach") == 0);

    enc_init(&v[0]); /* the mME-UE-S1AP-ID choice */
    enc_bits(&v[0], 0, 1);
    enc_int(&v[0], 1, 0, 1);
    enc_int(&v[0], 77, 0, MME_MAX);
    v_cause(&v[1], 0, 20, 36); /* radioNetwork user-inactivity */
    n = ap_build(b, 0, 23, CRIT, 2, ids, vals);
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.has_cn_id && m.cn_id == 77 && !m.has_ran_id && m.malformed == -1);
    CHECK(m.cause_group == 0 && m.cause_value == 20);
    /* an extension value (root 36 + 3 = release-due-to-pre-emption) */
    v_cause(&v[1], 0, 39, 36);
    n = ap_build(b, 0, 23, CRIT, 2, ids, vals);
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.cause_value == 39 && m.malformed == -1);
    CHECK(strcmp(tpa_ap_cause_name(S1AP, 0, 39), "release-due-to-pre-emption") == 0);
}

static void test_s1_setup_failure(void)
{
    uint8_t b[64];
    enc_t v[1];
    v_cause(&v[0], 4, 5, 6); /* misc unknown-PLMN */
    const unsigned ids[] = {ID_CAUSE};
    const enc_t *vals[] = {&v[0]};
    size_t n = ap_build(b, 2, 17, CRIT, 1, ids, vals);
    tpa_ap_msg_t m;
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.pdu_type == TPA_AP_UNSUCCESSFUL && m.proc == 17 && m.malformed == -1);
    CHECK(m.has_cause && m.cause_group == TPA_AP_CAUSE_MISC && m.cause_value == 5);
    CHECK(strcmp(tpa_ap_cause_name(S1AP, 4, 5), "unknown-PLMN") == 0);
    CHECK(strcmp(tpa_ap_message_name(S1AP, 17, 2), "S1SetupFailure") == 0);
}

static size_t erab_setup_request(uint8_t *out)
{
    enc_t v[3], it[2];
    v_int(&v[0], 3, MME_MAX);
    v_int(&v[1], 4, ENB_MAX);
    for (int i = 0; i < 2; i++) { /* E-RABToBeSetupItemBearerSUReq: NAS-PDU mandatory */
        enc_init(&it[i]);
        enc_bits(&it[i], 0, 2);
        enc_bits(&it[i], 0, 1);
        enc_int(&it[i], 6 + (unsigned)i, 0, 15);
        e_qos(&it[i], 1, i);
        e_tla_teid(&it[i]);
        if (i)
            enc_octets(&it[i], nas_accept, sizeof nas_accept);
        else
            enc_octets(&it[i], nas_bearer, sizeof nas_bearer);
    }
    enc_init(&v[2]);
    enc_int(&v[2], 2, 1, 256);
    e_elem(&v[2], ID_ITEM_BEARER_SU_REQ, &it[0]);
    e_elem(&v[2], ID_ITEM_BEARER_SU_REQ, &it[1]);
    const unsigned ids[] = {ID_MME, ID_ENB, ID_LIST_BEARER_SU_REQ};
    const enc_t *vals[] = {&v[0], &v[1], &v[2]};
    return ap_build(out, 0, 5, CRIT, 3, ids, vals);
}

static void test_erab_setup_modify(void)
{
    uint8_t b[1024];
    size_t n = erab_setup_request(b);
    tpa_ap_msg_t m;
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.proc == 5 && m.malformed == -1);
    CHECK(m.n_items == 2 && m.items[0] == 6 && m.items[1] == 7);
    CHECK(m.n_nas == 2 && m.nas[0].item == 6 && m.nas[1].item == 7);
    CHECK(nas_is(&m.nas[0], nas_bearer, sizeof nas_bearer));
    CHECK(nas_is(&m.nas[1], nas_accept, sizeof nas_accept));

    /* E-RABModifyRequest: E-RABToBeModifiedItemBearerModReq {e-RAB-ID, qos, NAS-PDU} */
    enc_t v[3], it;
    v_int(&v[0], 3, MME_MAX);
    v_int(&v[1], 4, ENB_MAX);
    enc_init(&it);
    enc_bits(&it, 0, 2);
    enc_bits(&it, 0, 1);
    enc_int(&it, 9, 0, 15);
    e_qos(&it, 5, 0);
    enc_octets(&it, nas_bearer, sizeof nas_bearer);
    enc_init(&v[2]);
    enc_int(&v[2], 1, 1, 256);
    e_elem(&v[2], ID_ITEM_MOD_REQ, &it);
    const unsigned ids[] = {ID_MME, ID_ENB, ID_LIST_MOD_REQ};
    const enc_t *vals[] = {&v[0], &v[1], &v[2]};
    n = ap_build(b, 0, 6, CRIT, 3, ids, vals);
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.proc == 6 && m.malformed == -1);
    CHECK(m.n_items == 1 && m.items[0] == 9);
    CHECK(m.n_nas == 1 && m.nas[0].item == 9 && nas_is(&m.nas[0], nas_bearer, sizeof nas_bearer));
}

static void test_malformed(void)
{
    uint8_t b[256];
    tpa_ap_msg_t m;
    size_t n = initial_ue_message(b, 5);
    CHECK(ap_decode(S1AP, b, n - 1, &m));
    CHECK(m.malformed == TPA_MAL_S1AP_TRUNCATED && m.short_read && m.proc == 12);
    CHECK(m.has_ran_id && m.ran_id == 5 && m.n_nas == 1); /* decoded up to the cut */

    /* eNB id whose open type holds 2 of the 3 octets its count announces */
    enc_t v[2];
    enc_init(&v[0]);
    enc_bits(&v[0], 2, 2);
    enc_align(&v[0]);
    enc_bits(&v[0], 0x0a0b, 16);
    v_nas(&v[1], nas_attach, sizeof nas_attach);
    const unsigned ids[] = {ID_ENB, ID_NAS};
    const enc_t *vals[] = {&v[0], &v[1]};
    n = ap_build(b, 0, 12, CRIT, 2, ids, vals);
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.malformed == TPA_MAL_S1AP_OPEN_TYPE_INVALID && !m.has_ran_id && m.n_nas == 1);

    /* a Cause choice extension (unknown encoding) */
    enc_init(&v[0]);
    enc_bits(&v[0], 1, 1);
    enc_small(&v[0], 0);
    v_int(&v[1], 3, ENB_MAX);
    const unsigned ids2[] = {ID_CAUSE, ID_ENB};
    n = ap_build(b, 0, 18, CRIT, 2, ids2, vals);
    CHECK(ap_decode(S1AP, b, n, &m));
    CHECK(m.malformed == TPA_MAL_S1AP_OPEN_TYPE_INVALID && !m.has_cause);
    CHECK(m.has_ran_id && m.ran_id == 3);

    /* fragmented length of the message value */
    static const uint8_t frag[] = {0x00, 0x0c, 0x00, 0xc1, 0x00};
    CHECK(ap_decode(S1AP, frag, sizeof frag, &m));
    CHECK(m.malformed == TPA_MAL_S1AP_LENGTH_FRAGMENTED);
    /* criticality 3: counted, malformed */
    static const uint8_t crit[] = {0x00, 0x0c, 0xc0, 0x00};
    CHECK(ap_decode(S1AP, crit, sizeof crit, &m));
    CHECK(m.malformed == TPA_MAL_S1AP_PDU_INVALID);
    /* PDU type extension: not counted */
    static const uint8_t ext[] = {0x81, 0x0c, 0x00, 0x00};
    CHECK(!ap_decode(S1AP, ext, sizeof ext, &m) && m.malformed == TPA_MAL_S1AP_PDU_INVALID);
}

static void test_names(void)
{
    CHECK(strcmp(tpa_ap_message_name(S1AP, 12, 0), "InitialUEMessage") == 0);
    CHECK(strcmp(tpa_ap_message_name(S1AP, 0, 1), "HandoverCommand") == 0);
    CHECK(strcmp(tpa_ap_message_name(S1AP, 50, 1), "E-RABModificationConfirm") == 0);
    CHECK(strcmp(tpa_ap_message_name(S1AP, 66, 0), "MMEEarlyStatusTransfer") == 0);
    CHECK(tpa_ap_message_name(S1AP, 67, 0) == NULL && tpa_ap_message_name(S1AP, 13, 1) == NULL);
    CHECK(strcmp(tpa_ap_procedure_name(S1AP, 23), "UE Context Release") == 0);
    CHECK(tpa_ap_class1(S1AP, 9) && tpa_ap_class1(S1AP, 50) && tpa_ap_class1(S1AP, 43));
    CHECK(!tpa_ap_class1(S1AP, 12) && !tpa_ap_class1(S1AP, 18));
    CHECK(strcmp(tpa_ap_cause_name(S1AP, 0, 35), "x2-handover-triggered") == 0);
    CHECK(tpa_ap_cause_name(S1AP, 0, 44) == NULL && tpa_ap_cause_group_name(S1AP, 5) == NULL);
}

static void test_engine(void)
{
    static uint8_t frame[SCTP_FRAME_MAX];
    uint8_t m1[256], m2[1024];
    size_t l1 = initial_ue_message(m1, 21);
    size_t l2 = erab_setup_request(m2);
    tpa_decoder_t *d = tpa_decoder_new();
    CHECK(d != NULL);
    if (!d) return;
    uint32_t tsn = 7;
    const uint8_t *msgs[] = {m1, m2};
    size_t lens[] = {l1, l2};
    size_t n = sctp_frame(frame, 36412, 36412, 18, &tsn, 2, msgs, lens);
    tpa_decode_packet(d, 12, 1, 1700000000000000LL, frame, (uint32_t)n, (uint32_t)n);
    lens[1] = l2 - 5;
    msgs[0] = m2;
    n = sctp_frame(frame, 36412, 36412, 18, &tsn, 1, msgs, lens + 1);
    tpa_decode_packet(d, 12, 2, 1700000000001000LL, frame, (uint32_t)n, (uint32_t)n);
    tpa_decode_finish(d);
    const struct tpa_result_sink *s = tpa_decode_sink(d);
    CHECK(tpa_result_message_count(s, "s1ap", "12/initiating") == 1);
    CHECK(tpa_result_message_count(s, "s1ap", "5/initiating") == 2);
    /* NAS-PDUs to NAS-EPS: the Attach request, the two bearers' ESM messages of the
     * whole E-RAB Setup Request (the cut one loses its list) */
    CHECK(tpa_result_message_count(s, "nas-eps", "65") == 1);
    CHECK(tpa_result_message_count(s, "nas-eps", "201") == 1);
    CHECK(tpa_result_message_count(s, "nas-eps", "205") == 1);
    const tpa_decode_stats_t *st = tpa_decode_stats(d);
    CHECK(st->reasons[TPA_MAL_S1AP_TRUNCATED] == 1 && st->malformed == 1);
    tpa_decoder_destroy(&d);
}

int main(void)
{
    test_initial_ue_message();
    test_initial_context_setup();
    test_ue_context_release();
    test_s1_setup_failure();
    test_erab_setup_modify();
    test_malformed();
    test_names();
    test_engine();
    return TEST_DONE();
}
