/* test_naseps.c - NAS-EPS (tpa_nas.h, 3GPP TS 24.301) from hand-built PDUs encoded
 * from the spec's message definitions (clause 8) and IE codings (clause 9). */
#include "test_nas_rig.h"

#define FEED(hex, ue) feed(tpa_naseps_dissect, hex, ue)

/* EPS mobile identity IMSI 001010000000001 (9.9.3.12): odd count, type 1, digit 1 in
 * bits 8-5 of the first octet (0x09), then two digits an octet. */
#define IMSI_LV "08 0910100000000010"
#define APN_INTERNET "08696e7465726e6574"

/* 8.2.4 Attach request: EPS attach type 1 + KSI 7 (0x71), EPS mobile identity (LV),
 * UE network capability (LV), ESM message container (LV-E) holding 8.3.20 PDN
 * connectivity request (EBI 0, PTI 1, request type initial + PDN type IPv4 (0x11), APN
 * (0x28, TLV)); then the TV IEs DRX parameter (0x5c, 3) and last visited registered
 * TAI (0x52, 6). */
static void test_attach(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, -1);
    CHECK(FEED("0741 71 " IMSI_LV " 02e0e0 000f 0201d011 2809" APN_INTERNET
               " 5c0a00 5202f8390001",
               &ue) == 2);
    rec_t *e = &recs[0], *s = &recs[1];
    CHECK_STR(e->protocol, "nas-eps");
    CHECK_STR(e->code, "65");
    CHECK_STR(e->name, "Attach request");
    CHECK(e->kind == TPA_SIG_REQUEST);
    CHECK_STR(e->procedure, "Attach");
    CHECK_STR(e->key, "ue=enb:1");
    CHECK_STR(id_of(e, TPA_ID_IMSI), "001010000000001");
    CHECK_STR(id_of(e, TPA_ID_ENB_UE_S1AP_ID), "1");
    CHECK_STR(s->code, "208");
    CHECK(s->kind == TPA_SIG_REQUEST);
    CHECK_STR(s->procedure, "PDN Connectivity");
    CHECK_STR(s->key, "ue=enb:1");
    CHECK_STR(id_of(s, TPA_ID_DNN), "internet");
    CHECK(id_of(s, TPA_ID_PDU_SESSION) == NULL); /* EBI 0 */
    CHECK(tpa_decode_stats(dec)->malformed == 0);

    /* 8.2.1 Attach accept: attach result, T3412, TAI list (LV), ESM message container
     * with 8.3.6 Activate default EPS bearer context request (EBI 5, PTI 1, EPS QoS,
     * APN, PDN address IPv4 10.0.0.2), GUTI (0x50: PLMN 001/01, MME group 0x8001,
     * MME code 1, M-TMSI c0000001). */
    nrecs = 0;
    tpa_nas_ue_t ue2 = ue_ctx(1, 2);
    CHECK(FEED("0742 01 21 06 0000f1100001 0015 5201c1 0109 09" APN_INTERNET " 05010a000002"
               " 500b f600f110800101c0000001",
               &ue2) == 2);
    e = &recs[0];
    s = &recs[1];
    CHECK_STR(e->code, "66");
    CHECK(e->kind == TPA_SIG_RESPONSE && e->outcome == TPA_SIG_OK);
    CHECK_STR(id_of(e, TPA_ID_GUTI), "00101-32769-1-c0000001");
    CHECK_STR(id_of(e, TPA_ID_TMSI), "c0000001");
    CHECK_STR(id_of(e, TPA_ID_MME_UE_S1AP_ID), "2");
    CHECK_STR(s->code, "193");
    CHECK(s->kind == TPA_SIG_INDICATION);
    CHECK_STR(id_of(s, TPA_ID_UE_IP), "10.0.0.2");
    CHECK_STR(id_of(s, TPA_ID_DNN), "internet");
    CHECK_STR(id_of(s, TPA_ID_PDU_SESSION), "5");

    /* 8.2.2 Attach complete with the default bearer's accept: the PDN connectivity
     * procedure ends there (the accept's PTI is 0). */
    nrecs = 0;
    CHECK(FEED("0743 0003 5200c2", &ue2) == 2);
    CHECK(recs[0].kind == TPA_SIG_INDICATION);
    CHECK_STR(recs[1].code, "194");
    CHECK(recs[1].kind == TPA_SIG_RESPONSE && recs[1].outcome == TPA_SIG_OK);
    CHECK_STR(recs[1].procedure, "PDN Connectivity");
    CHECK_STR(recs[1].key, "ue=enb:1");

    /* 8.2.3 Attach reject: EMM cause #19, ESM message container (0x78, TLV-E) with
     * 8.3.19 PDN connectivity reject, ESM cause #27. */
    nrecs = 0;
    CHECK(FEED("0744 13 780004 0201d11b", &ue2) == 2);
    e = &recs[0];
    s = &recs[1];
    CHECK_STR(e->code, "68");
    CHECK(e->kind == TPA_SIG_RESPONSE && e->outcome == TPA_SIG_FAILURE);
    CHECK(e->has_cause && e->cause == 19);
    CHECK_STR(e->cause_name, "ESM failure");
    CHECK_STR(e->family, "emm");
    CHECK_STR(s->code, "209");
    CHECK(s->kind == TPA_SIG_RESPONSE && s->outcome == TPA_SIG_FAILURE);
    CHECK_STR(s->procedure, "PDN Connectivity");
    CHECK(s->cause == 27);
    CHECK_STR(s->cause_name, "Missing or unknown APN");
    CHECK_STR(s->family, "esm");
    CHECK(count("nas-eps", "65") == 1 && count("nas-eps", "209") == 1);
    CHECK(tpa_decode_stats(dec)->malformed == 0);

    /* 9.9.3.15: the ESM message container holds an ESM message; one whose
     * discriminator says otherwise is still read as ESM (as tshark does), and
     * marked */
    nrecs = 0;
    CHECK(FEED("0744 13 780004 a700cd24", &ue2) == 2);
    CHECK_STR(recs[1].code, "205");
    CHECK(reason(TPA_MAL_NASEPS_BAD_PD) == 1);
    rig_done();
}

/* 9.1: security protected = security header type + PD, MAC (4), sequence number (1),
 * plain message. 8.2.20 Security mode command: selected NAS security algorithms
 * (ciphering in bits 7-5, 0 = EEA0), KSI, replayed UE security capabilities (LV). */
#define SMC(algs) "37 11223344 00 075d " algs " 01 02e0e0"
#define SMC_COMPLETE_CIPHERED "47 55667788 00 075e"

static void test_null_cipher(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, 1);
    CHECK(FEED(SMC("02"), &ue) == 1); /* EEA0, 128-EIA2 */
    CHECK_STR(recs[0].procedure, "Security Mode");
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue) == 1);
    CHECK_STR(recs[1].code, "94");
    /* ESM information request, ciphered (type 2) */
    CHECK(FEED("27 aabbccdd 02 0201d9", &ue) == 1);
    CHECK_STR(recs[2].code, "217");
    CHECK_STR(recs[2].key, "ue=enb:1|pti=1");

    tpa_nas_ue_t ue2 = ue_ctx(2, 2);
    CHECK(FEED(SMC("22"), &ue2) == 1); /* 128-EEA2: not decoded */
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue2) == 0);
    CHECK(FEED("27 aabbccdd 02 0201d9", &ue2) == 0);

    /* no Security Mode Command seen: decoded when it reads as a plain message */
    tpa_nas_ue_t ue3 = ue_ctx(3, 3);
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue3) == 1);
    CHECK(FEED("27 aabbccdd 02 07ff", &ue3) == 0);
    CHECK(FEED("27 aabbccdd 02 123456", &ue3) == 0);
    CHECK(tpa_decode_stats(dec)->malformed == 0);

    /* Service request (security header type 12): no message type, not counted. */
    CHECK(FEED("c7 2a 1234", &ue) == 0);
    CHECK(tpa_decode_stats(dec)->malformed == 0);
    CHECK(FEED("c7 2a", &ue) == 0);
    CHECK(reason(TPA_MAL_NASEPS_TRUNCATED) == 1);
    tpa_nas_assoc_destroy(&assoc);
    rig_done();
}

/* 6.5.2 / 6.4.4: a UE-requested PDN disconnect (PTI 3, linked EBI 5) is answered by
 * the deactivation the network sends with that PTI, completed by its accept; a
 * network-initiated deactivation (PTI 0) is its own procedure, keyed by EBI. */
static void test_esm_pairing(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, 1);
    CHECK(FEED("0203d2 05", &ue) == 1);
    CHECK(recs[0].kind == TPA_SIG_REQUEST);
    CHECK_STR(recs[0].procedure, "PDN Disconnect");
    CHECK(FEED("5203cd 24", &ue) == 1);
    CHECK(recs[1].kind == TPA_SIG_INDICATION);
    CHECK(FEED("5200ce", &ue) == 1);
    CHECK(recs[2].kind == TPA_SIG_RESPONSE && recs[2].outcome == TPA_SIG_OK);
    CHECK_STR(recs[2].procedure, "PDN Disconnect");
    CHECK_STR(recs[2].key, "ue=enb:1");

    CHECK(FEED("6200cd 24", &ue) == 1);
    CHECK(recs[3].kind == TPA_SIG_REQUEST);
    CHECK_STR(recs[3].procedure, "EPS Bearer Deactivation");
    CHECK_STR(recs[3].key, "ue=enb:1|ebi=6");
    CHECK(recs[3].has_cause && recs[3].cause == 36);
    CHECK_STR(recs[3].cause_name, "Regular deactivation");
    CHECK(FEED("6200ce", &ue) == 1);
    CHECK(recs[4].kind == TPA_SIG_RESPONSE);
    CHECK_STR(recs[4].key, "ue=enb:1|ebi=6");

    /* ESM information request / response (8.3.13, 8.3.14) pair by PTI */
    CHECK(FEED("0201d9", &ue) == 1);
    CHECK(FEED("0201da 2809" APN_INTERNET, &ue) == 1);
    CHECK(recs[6].kind == TPA_SIG_RESPONSE);
    CHECK_STR(recs[6].procedure, "ESM Information");
    CHECK_STR(id_of(&recs[6], TPA_ID_DNN), "internet");

    /* 8.2.11 Detach request from the UE: with switch off no answer is expected */
    CHECK(FEED("0745 09 " IMSI_LV, &ue) == 1);
    CHECK(recs[7].kind == TPA_SIG_INDICATION);
    CHECK_STR(id_of(&recs[7], TPA_ID_IMSI), "001010000000001");
    CHECK(FEED("0745 01 " IMSI_LV, &ue) == 1);
    CHECK(recs[8].kind == TPA_SIG_REQUEST);
    CHECK_STR(recs[8].procedure, "Detach");
    /* from the network: detach type re-attach not required, EMM cause #2 (0x53, TV) */
    CHECK(FEED("0745 02 5302", &ue) == 1);
    CHECK(recs[9].kind == TPA_SIG_REQUEST && recs[9].cause == 2);
    CHECK_STR(recs[9].cause_name, "IMSI unknown in HSS");
    CHECK(FEED("0746", &ue) == 1);
    CHECK(recs[10].kind == TPA_SIG_RESPONSE);
    CHECK(tpa_decode_stats(dec)->malformed == 0);
    tpa_nas_assoc_destroy(&assoc);
    rig_done();
}

static void test_malformed(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, 2);
    /* ESM message container length (255) past the end: counted, marked */
    CHECK(FEED("0741 71 " IMSI_LV " 02e0e0 00ff 02", &ue) == 1);
    CHECK(reason(TPA_MAL_NASEPS_TRUNCATED) == 1);
    CHECK(FEED("0744 13 5f0501", &ue) == 1);
    CHECK(reason(TPA_MAL_NASEPS_IE_LEN_INVALID) == 1);
    CHECK(FEED("0501", &ue) == 0);
    CHECK(reason(TPA_MAL_NASEPS_BAD_PD) == 1);
    CHECK(FEED("7700", &ue) == 0);
    CHECK(reason(TPA_MAL_NASEPS_BAD_SEC_HDR) == 1);
    CHECK(FEED("17 1122", &ue) == 0);
    CHECK(reason(TPA_MAL_NASEPS_TRUNCATED) == 2);
    /* a type outside table 9.8.1 is not counted nor marked */
    CHECK(FEED("0747", &ue) == 0);
    CHECK(reason(TPA_MAL_NASEPS_TRUNCATED) == 2);
    tpa_nas_assoc_destroy(&assoc);
    rig_done();
}

int main(void)
{
    test_attach();
    test_null_cipher();
    test_esm_pairing();
    test_malformed();
    return TEST_DONE();
}
