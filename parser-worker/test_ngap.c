/* test_ngap.c - the NGAP dissector (tpa_ngap.h) on PDUs encoded here from TS 38.413
 * clause 9.4 with the test writer: InitialUEMessage with a NAS-PDU, Initial Context
 * Setup request/response with a PDU Session Resource list, UE Context Release
 * Command with both UE-NGAP-IDs choices and a Cause, NG Setup Failure, PDU Session
 * Resource Setup Request with per-session NAS-PDUs; malformed PDUs with their named
 * reasons; and the whole path through the decoder (SCTP DATA chunks, PPID 60, two
 * messages bundled in one packet each counted). */
#include <stdio.h>

#include "test_ap_rig.h"
#include "test_sctp_frame.h"
#include "tpa_decode.h"
#include "tpa_ngap.h"
#include "tpa_result.h"
#include "tpa_test.h"

#define RAN_MAX 4294967295ULL
#define AMF_MAX 1099511627775ULL
#define NGAP (&tpa_ngap_proto)
#define CRIT 1 /* criticality of the PDUs built here: ignore */

enum {
    ID_AMF = 10,
    ID_CAUSE = 15,
    ID_NAS = 38,
    ID_RAN = 85,
    ID_UE_NGAP_IDS = 114,
    ID_RRC_CAUSE = 90,
    ID_ULI = 121,
    ID_GUAMI = 28,
    ID_TIME_TO_WAIT = 107,
    ID_LIST_CXT_REQ = 71,
    ID_LIST_CXT_RES = 72,
    ID_LIST_SU_REQ = 74
};

/* NAS-5GS messages built from TS 24.501 clause 8: Registration request (initial,
 * ngKSI 7, SUCI of IMSI 001010123456789 with the null scheme), Registration accept
 * (3GPP access), DL NAS transport carrying a PDU session release command (PSI 5,
 * cause 36) with its PDU session ID IE. */
static const uint8_t nas_reg[] = {0x7e, 0x00, 0x41, 0x79, 0x00, 0x0d, 0x01, 0x00, 0xf1, 0x10,
                                  0x00, 0x00, 0x00, 0x00, 0x10, 0x32, 0x54, 0x76, 0x98};
static const uint8_t nas_acc[] = {0x7e, 0x00, 0x42, 0x01, 0x01};
static const uint8_t nas_est[] = {0x7e, 0x00, 0x68, 0x01, 0x00, 0x05, 0x2e,
                                  0x05, 0x01, 0xd3, 0x24, 0x12, 0x05};
static const uint8_t transfer[] = {0x00, 0x00, 0x04, 0x00, 0x82, 0x00, 0x0a};

/* Cause: CHOICE index (6 alternatives, 3 bits), then the extensible enumeration. */
static void v_cause(enc_t *v, unsigned group, unsigned value, unsigned nroot)
{
    enc_init(v);
    enc_int(v, group, 0, 5);
    e_enum_ext(v, value, nroot);
}

static void e_snssai(enc_t *e, uint8_t sst, int with_sd)
{
    enc_bits(e, 0, 1);
    enc_bits(e, with_sd ? 2 : 0, 2);
    enc_bits(e, sst, 8); /* SIZE(1): in place */
    if (with_sd) {
        enc_align(e);
        enc_bits(e, 0x010203, 24);
    }
}

/* Item {pDUSessionID, NAS-PDU OPTIONAL, s-NSSAI, transfer, iE-Extensions OPTIONAL, ...}
 * (SetupItemSUReq / SetupItemCxtReq). */
static void e_item_nas(enc_t *e, unsigned psi, const uint8_t *nas, size_t nlen, int with_ext)
{
    enc_bits(e, 0, 1);
    enc_bits(e, (nas ? 2u : 0u) | (with_ext ? 1u : 0u), 2);
    enc_int(e, psi, 0, 255);
    if (nas) enc_octets(e, nas, nlen);
    e_snssai(e, 1, psi & 1);
    enc_octets(e, transfer, sizeof transfer);
    if (with_ext) { /* ProtocolExtensionContainer with one field */
        enc_t x;
        enc_init(&x);
        enc_bits(&x, 0x40, 8);
        enc_int(e, 1, 1, 65535);
        enc_ie(e, 281, 1, &x);
    }
}

/* Item {pDUSessionID, transfer, iE-Extensions OPTIONAL, ...} */
static void e_item_transfer(enc_t *e, unsigned psi)
{
    enc_bits(e, 0, 1);
    enc_bits(e, 0, 1);
    enc_int(e, psi, 0, 255);
    enc_octets(e, transfer, sizeof transfer);
}

/* InitialUEMessage (9.2.5.1): RAN-UE-NGAP-ID, NAS-PDU, User Location Information,
 * RRC Establishment Cause. */
static size_t initial_ue_message(uint8_t *out, uint64_t ran)
{
    static const uint8_t uli[] = {0x40, 0x99, 0xf9, 0x07, 0x00, 0x00, 0x00, 0x01, 0x00};
    enc_t v[4];
    v_int(&v[0], ran, RAN_MAX);
    v_nas(&v[1], nas_reg, sizeof nas_reg);
    v_bytes(&v[2], uli, sizeof uli);
    enc_init(&v[3]);
    enc_bits(&v[3], 0, 1);
    enc_int(&v[3], 3, 0, 9); /* RRCEstablishmentCause mo-Signalling */
    const unsigned ids[] = {ID_RAN, ID_NAS, ID_ULI, ID_RRC_CAUSE};
    const enc_t *vals[] = {&v[0], &v[1], &v[2], &v[3]};
    return ap_build(out, 0, 15, CRIT, 4, ids, vals);
}

static void test_initial_ue_message(void)
{
    uint8_t b[512];
    size_t n = initial_ue_message(b, 1);
    /* The head as TS 38.413 and X.691 give it: initiatingMessage, procedureCode 15,
     * criticality ignore, value length, ext 0, 4 IEs, id 85 reject, RAN id = 1. */
    static const uint8_t head[] = {0x00, 0x0f, 0x40};
    CHECK(memcmp(b, head, 3) == 0);
    static const uint8_t ie0[] = {0x00, 0x00, 0x04, 0x00, 0x55, 0x00, 0x02, 0x00, 0x01};
    CHECK(memcmp(b + 4, ie0, sizeof ie0) == 0);

    tpa_ap_msg_t m;
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.pdu_type == TPA_AP_INITIATING && m.proc == 15 && m.criticality == 1);
    CHECK(m.n_ies == 4);
    CHECK(m.has_ran_id && m.ran_id == 1 && !m.has_cn_id);
    CHECK(m.n_nas == 1 && m.nas[0].item == -1 && nas_is(&m.nas[0], nas_reg, sizeof nas_reg));
    CHECK(!m.has_cause && m.n_items == 0);
    CHECK(m.malformed == -1);
}

static void test_initial_context_setup(void)
{
    uint8_t b[1024];
    /* request: AMF id at its maximum (5 octets), RAN id, GUAMI, a list of two
     * sessions (psi 1 with a NAS-PDU and an extension container, psi 5 without), the
     * message's own NAS-PDU (Registration Accept) */
    enc_t v[5];
    v_int(&v[0], AMF_MAX, AMF_MAX);
    v_int(&v[1], 7, RAN_MAX);
    static const uint8_t guami[] = {0x00, 0x99, 0xf9, 0x07, 0xca, 0xfe, 0x00};
    v_bytes(&v[2], guami, sizeof guami);
    enc_init(&v[3]);
    enc_int(&v[3], 2, 1, 256);
    e_item_nas(&v[3], 1, nas_est, sizeof nas_est, 1);
    e_item_nas(&v[3], 5, NULL, 0, 0);
    v_nas(&v[4], nas_acc, sizeof nas_acc);
    const unsigned ids[] = {ID_AMF, ID_RAN, ID_GUAMI, ID_LIST_CXT_REQ, ID_NAS};
    const enc_t *vals[] = {&v[0], &v[1], &v[2], &v[3], &v[4]};
    size_t n = ap_build(b, 0, 14, CRIT, 5, ids, vals);
    tpa_ap_msg_t m;
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.proc == 14 && m.pdu_type == TPA_AP_INITIATING && m.malformed == -1);
    CHECK(m.has_cn_id && m.cn_id == AMF_MAX && m.has_ran_id && m.ran_id == 7);
    CHECK(m.n_items == 2 && m.items[0] == 1 && m.items[1] == 5);
    CHECK(m.n_nas == 2);
    CHECK(m.nas[0].item == 1 && nas_is(&m.nas[0], nas_est, sizeof nas_est));
    CHECK(m.nas[1].item == -1 && nas_is(&m.nas[1], nas_acc, sizeof nas_acc));

    /* response: both ids, PDUSessionResourceSetupListCxtRes with psi 1 */
    v_int(&v[0], 42, AMF_MAX);
    v_int(&v[1], 7, RAN_MAX);
    enc_init(&v[2]);
    enc_int(&v[2], 1, 1, 256);
    e_item_transfer(&v[2], 1);
    const unsigned ids2[] = {ID_AMF, ID_RAN, ID_LIST_CXT_RES};
    n = ap_build(b, 1, 14, CRIT, 3, ids2, vals);
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.pdu_type == TPA_AP_SUCCESSFUL && m.proc == 14 && m.malformed == -1);
    CHECK(m.cn_id == 42 && m.ran_id == 7 && m.n_items == 1 && m.items[0] == 1);
    CHECK(m.n_nas == 0);
    CHECK(strcmp(tpa_ap_message_name(NGAP, m.proc, m.pdu_type), "InitialContextSetupResponse") ==
          0);
}

static void test_ue_context_release(void)
{
    uint8_t b[256];
    /* UE-NGAP-IDs: uE-NGAP-ID-pair {amf 9, ran 3}, Cause radioNetwork user-inactivity */
    enc_t v[2];
    enc_init(&v[0]);
    enc_int(&v[0], 0, 0, 2); /* choice 0 */
    enc_bits(&v[0], 0, 1);   /* pair: ext */
    enc_bits(&v[0], 0, 1);   /* pair: no iE-Extensions */
    enc_int(&v[0], 9, 0, AMF_MAX);
    enc_int(&v[0], 3, 0, RAN_MAX);
    v_cause(&v[1], 0, 20, 45);
    const unsigned ids[] = {ID_UE_NGAP_IDS, ID_CAUSE};
    const enc_t *vals[] = {&v[0], &v[1]};
    size_t n = ap_build(b, 0, 41, CRIT, 2, ids, vals);
    tpa_ap_msg_t m;
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.proc == 41 && m.malformed == -1);
    CHECK(m.has_cn_id && m.cn_id == 9 && m.has_ran_id && m.ran_id == 3);
    CHECK(m.has_cause && m.cause_group == TPA_AP_CAUSE_RADIO_NETWORK && m.cause_value == 20);
    CHECK(strcmp(tpa_ap_cause_name(NGAP, m.cause_group, m.cause_value), "user-inactivity") == 0);

    /* the aMF-UE-NGAP-ID choice; Cause nas normal-release */
    enc_init(&v[0]);
    enc_int(&v[0], 1, 0, 2);
    enc_int(&v[0], 9, 0, AMF_MAX);
    v_cause(&v[1], 2, 0, 4);
    n = ap_build(b, 0, 41, CRIT, 2, ids, vals);
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.has_cn_id && m.cn_id == 9 && !m.has_ran_id && m.malformed == -1);
    CHECK(m.cause_group == TPA_AP_CAUSE_NAS && m.cause_value == 0);
    CHECK(strcmp(tpa_ap_cause_name(NGAP, 2, 0), "normal-release") == 0);

    /* an extension value of CauseRadioNetwork: second addition (root 45 + 1) */
    v_cause(&v[1], 0, 46, 45);
    n = ap_build(b, 0, 41, CRIT, 2, ids, vals);
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.cause_group == 0 && m.cause_value == 46 && m.malformed == -1);
    CHECK(strcmp(tpa_ap_cause_name(NGAP, 0, 46), "release-due-to-pre-emption") == 0);
}

static void test_ng_setup_failure(void)
{
    uint8_t b[128];
    enc_t v[2];
    v_cause(&v[0], 4, 5, 6); /* misc unspecified */
    enc_init(&v[1]);
    enc_bits(&v[1], 0, 1);
    enc_int(&v[1], 2, 0, 5); /* TimeToWait v5s */
    const unsigned ids[] = {ID_CAUSE, ID_TIME_TO_WAIT};
    const enc_t *vals[] = {&v[0], &v[1]};
    size_t n = ap_build(b, 2, 21, CRIT, 2, ids, vals);
    tpa_ap_msg_t m;
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.pdu_type == TPA_AP_UNSUCCESSFUL && m.proc == 21 && m.malformed == -1);
    CHECK(m.has_cause && m.cause_group == TPA_AP_CAUSE_MISC && m.cause_value == 5);
    CHECK(!m.has_ran_id && !m.has_cn_id);
    CHECK(strcmp(tpa_ap_message_name(NGAP, 21, 2), "NGSetupFailure") == 0);
    CHECK(strcmp(tpa_ap_cause_group_name(NGAP, 4), "misc") == 0);
}

static size_t pdu_session_setup_request(uint8_t *out)
{
    enc_t v[3];
    v_int(&v[0], 1, AMF_MAX);
    v_int(&v[1], 2, RAN_MAX);
    enc_init(&v[2]);
    enc_int(&v[2], 2, 1, 256);
    e_item_nas(&v[2], 1, nas_est, sizeof nas_est, 0);
    e_item_nas(&v[2], 2, nas_acc, sizeof nas_acc, 1);
    const unsigned ids[] = {ID_AMF, ID_RAN, ID_LIST_SU_REQ};
    const enc_t *vals[] = {&v[0], &v[1], &v[2]};
    return ap_build(out, 0, 29, CRIT, 3, ids, vals);
}

static void test_pdu_session_setup(void)
{
    uint8_t b[512];
    size_t n = pdu_session_setup_request(b);
    tpa_ap_msg_t m;
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.proc == 29 && m.malformed == -1);
    CHECK(m.n_items == 2 && m.items[0] == 1 && m.items[1] == 2);
    CHECK(m.n_nas == 2 && m.nas[0].item == 1 && m.nas[1].item == 2);
    CHECK(nas_is(&m.nas[0], nas_est, sizeof nas_est) && nas_is(&m.nas[1], nas_acc, sizeof nas_acc));
}

static void test_malformed(void)
{
    uint8_t b[512];
    tpa_ap_msg_t m;
    size_t n = initial_ue_message(b, 1);

    /* the value open type runs past the end of the message: still counted */
    CHECK(ap_decode(NGAP, b, n - 3, &m));
    CHECK(m.malformed == TPA_MAL_NGAP_TRUNCATED && m.short_read);
    CHECK(m.proc == 15);
    CHECK(m.has_ran_id && m.ran_id == 1 && m.n_nas == 1 && m.n_ies == 3); /* what was kept */

    /* an IE whose open type is too short for its value (RAN-UE-NGAP-ID: length
     * field says 2 octets, one given); the next IE still decodes */
    enc_t v[2];
    enc_init(&v[0]);
    enc_bits(&v[0], 1, 2); /* octet count 2 */
    enc_align(&v[0]);
    enc_bits(&v[0], 0x01, 8);
    v_nas(&v[1], nas_reg, sizeof nas_reg);
    const unsigned ids[] = {ID_RAN, ID_NAS};
    const enc_t *vals[] = {&v[0], &v[1]};
    n = ap_build(b, 0, 15, CRIT, 2, ids, vals);
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.malformed == TPA_MAL_NGAP_OPEN_TYPE_INVALID && !m.short_read);
    CHECK(!m.has_ran_id && m.n_nas == 1);

    /* the container says 3 IEs, 2 follow */
    n = ap_build(b, 0, 15, CRIT, 2, ids, vals);
    b[6] = 3; /* the value: ext octet at 4, IE count 00 02 at 5..6 */
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.malformed == TPA_MAL_NGAP_OPEN_TYPE_INVALID);

    /* a fragmented length determinant (NAS-PDU of >= 16K) */
    enc_init(&v[1]);
    enc_len(&v[1], 20000);
    enc_bits(&v[1], 0, 64);
    v_int(&v[0], 4, RAN_MAX);
    n = ap_build(b, 0, 15, CRIT, 2, ids, vals);
    CHECK(ap_decode(NGAP, b, n, &m));
    CHECK(m.malformed == TPA_MAL_NGAP_LENGTH_FRAGMENTED && m.has_ran_id);

    /* the PDU type's extension bit: not counted */
    static const uint8_t ext[] = {0x80, 0x0f, 0x40, 0x00};
    CHECK(!ap_decode(NGAP, ext, sizeof ext, &m));
    CHECK(m.malformed == TPA_MAL_NGAP_PDU_INVALID);
    /* one octet: not even a procedure code */
    CHECK(!ap_decode(NGAP, ext + 3, 1, &m));
    CHECK(m.malformed == TPA_MAL_NGAP_TRUNCATED);
}

static void test_names(void)
{
    CHECK(strcmp(tpa_ap_message_name(NGAP, 15, 0), "InitialUEMessage") == 0);
    CHECK(tpa_ap_message_name(NGAP, 15, 1) == NULL);
    CHECK(strcmp(tpa_ap_message_name(NGAP, 41, 1), "UEContextReleaseComplete") == 0);
    CHECK(strcmp(tpa_ap_message_name(NGAP, 12, 1), "HandoverCommand") == 0);
    CHECK(strcmp(tpa_ap_message_name(NGAP, 75, 0), "BroadcastSessionReleaseRequired") == 0);
    CHECK(tpa_ap_message_name(NGAP, 200, 0) == NULL);
    CHECK(strcmp(tpa_ap_procedure_name(NGAP, 29), "PDU Session Resource Setup") == 0);
    CHECK(tpa_ap_class1(NGAP, 14) && tpa_ap_class1(NGAP, 41) && tpa_ap_class1(NGAP, 27));
    CHECK(!tpa_ap_class1(NGAP, 15) && !tpa_ap_class1(NGAP, 42) && !tpa_ap_class1(NGAP, 200));
    CHECK(strcmp(tpa_ap_cause_name(NGAP, 0, 44), "release-due-to-cn-detected-mobility") == 0);
    CHECK(tpa_ap_cause_name(NGAP, 0, 57) == NULL && tpa_ap_cause_name(NGAP, 9, 0) == NULL);
    CHECK(strcmp(tpa_ap_cause_name(NGAP, 3, 6), "unspecified") == 0);
    /* messages[] codes: "<procedureCode>/<PDU type>" (DESIGN.md), every one, as the
     * decimal text and the word */
    static const char *const word[3] = {"initiating", "successful", "unsuccessful"};
    for (unsigned proc = 0; proc < 256; proc++) {
        for (int t = 0; t < 3; t++) {
            char want[32];
            snprintf(want, sizeof want, "%u/%s", proc, word[t]);
            const char *got = tpa_ap_code(proc, t);
            CHECKF(got && strcmp(got, want) == 0, "%s vs %s", want, got ? got : "NULL");
        }
    }
    CHECK(tpa_ap_code(256, 0) == NULL && tpa_ap_code(1, 3) == NULL && tpa_ap_code(1, -1) == NULL);
}

/* The decoder path: an SCTP packet with two bundled messages, a truncated message,
 * and a PDU that is not one. */
static void test_engine(void)
{
    static uint8_t frame[SCTP_FRAME_MAX];
    uint8_t m1[512], m2[512], m3[8];
    size_t l1 = initial_ue_message(m1, 11);
    size_t l2 = pdu_session_setup_request(m2);
    tpa_decoder_t *d = tpa_decoder_new();
    CHECK(d != NULL);
    if (!d) return;
    uint32_t tsn = 100;
    const uint8_t *msgs[] = {m1, m2};
    size_t lens[] = {l1, l2};
    size_t n = sctp_frame(frame, 40000, 38412, 60, &tsn, 2, msgs, lens);
    tpa_decode_packet(d, 12, 1, 1700000000000000LL, frame, (uint32_t)n, (uint32_t)n);

    lens[0] = l1 - 2; /* cut inside the value: ngap.truncated, still counted */
    n = sctp_frame(frame, 40000, 38412, 60, &tsn, 1, msgs, lens);
    tpa_decode_packet(d, 12, 2, 1700000000001000LL, frame, (uint32_t)n, (uint32_t)n);

    memcpy(m3, "\x80\x0f\x40\x00", 4); /* PDU type extension: ngap.pdu_invalid */
    msgs[0] = m3;
    lens[0] = 4;
    n = sctp_frame(frame, 38412, 40000, 60, &tsn, 1, msgs, lens);
    tpa_decode_packet(d, 12, 3, 1700000000002000LL, frame, (uint32_t)n, (uint32_t)n);
    tpa_decode_finish(d);

    const struct tpa_result_sink *s = tpa_decode_sink(d);
    CHECK(tpa_result_message_count(s, "ngap", "15/initiating") == 2);
    CHECK(tpa_result_message_count(s, "ngap", "29/initiating") == 1);
    CHECK(tpa_result_message_count(s, "ngap", "15/successful") == 0);
    /* the NAS-PDUs went to NAS-5GS: Registration request in both InitialUEMessages (the
     * cut one kept its NAS-PDU), Registration accept in the second session item */
    CHECK(tpa_result_message_count(s, "nas-5gs", "65") == 2);
    CHECK(tpa_result_message_count(s, "nas-5gs", "66") == 1);
    const tpa_decode_stats_t *st = tpa_decode_stats(d);
    CHECK(st->reasons[TPA_MAL_NGAP_TRUNCATED] == 1);
    CHECK(st->reasons[TPA_MAL_NGAP_PDU_INVALID] == 1);
    CHECK(st->malformed == 2);
    tpa_decoder_destroy(&d);
    CHECK(d == NULL);
}

/* The PDU header (TS 38.413 9.4.2: CHOICE {initiatingMessage, successfulOutcome,
 * unsuccessfulOutcome, ...}, then procedureCode (0..255), criticality ENUMERATED
 * {reject, ignore, notify}, value open type) is read octet-wise when it is the
 * usual three octets: every first and third octet (extension bits, padding bits,
 * index 3, criticality 3 included), cut after 0..7 octets, decodes as the bits
 * read one field at a time by the X.691 rules say. */
static int header_reason(tpa_per_err_t e)
{
    return e == TPA_PER_SHORT        ? TPA_MAL_NGAP_TRUNCATED
           : e == TPA_PER_FRAGMENTED ? TPA_MAL_NGAP_LENGTH_FRAGMENTED
                                     : TPA_MAL_NGAP_PDU_INVALID;
}

static void test_header_octets(void)
{
    static const uint8_t procs[] = {0, 21, 255};
    bool same = true;
    long counted = 0;
    for (unsigned b0 = 0; b0 < 256; b0++) {
        for (unsigned b2 = 0; b2 < 256; b2++) {
            for (size_t k = 0; k < sizeof procs; k++) {
                for (size_t len = 0; len <= 7; len++) {
                    const uint8_t b[7] = {(uint8_t)b0, procs[k], (uint8_t)b2, 3, 0, 0, 0};
                    tpa_ap_msg_t m;
                    bool got = ap_decode(NGAP, b, len, &m);
                    /* the reference: tpa_per, field by field */
                    tpa_rd_t rd = tpa_rd_init(b, len);
                    tpa_per_t p;
                    tpa_per_init(&p, &rd);
                    unsigned type = tpa_per_index(&p, 3, true);
                    if (tpa_per_ok(&p) && type > 2) tpa_per_fail(&p, TPA_PER_INVALID);
                    unsigned proc = (unsigned)tpa_per_int(&p, 0, 255);
                    bool want = tpa_per_ok(&p);
                    same &= got == want && m.proc == proc;
                    if (!want) {
                        same &= m.malformed == header_reason(p.err);
                        continue;
                    }
                    counted++;
                    unsigned crit = (unsigned)tpa_per_int(&p, 0, 2);
                    size_t vlen = tpa_per_length(&p);
                    same &= m.pdu_type == (int)type && m.criticality == crit;
                    if (!tpa_per_ok(&p))
                        same &= m.malformed == header_reason(p.err);
                    else if (vlen > tpa_per_remaining_octets(&p))
                        same &= m.malformed == TPA_MAL_NGAP_TRUNCATED && m.short_read;
                    else
                        same &= m.malformed < 0 && m.n_ies == 0;
                }
            }
        }
    }
    CHECK(same);
    CHECK(counted > 3 * 3 * 256 * 3); /* both ways were taken */
}

int main(void)
{
    test_initial_ue_message();
    test_initial_context_setup();
    test_ue_context_release();
    test_ng_setup_failure();
    test_pdu_session_setup();
    test_malformed();
    test_header_octets();
    test_names();
    test_engine();
    return TEST_DONE();
}
