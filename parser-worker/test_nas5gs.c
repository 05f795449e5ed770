/* test_nas5gs.c - NAS-5GS (tpa_nas.h, 3GPP TS 24.501) from hand-built PDUs encoded
 * from the spec's message definitions (clause 8) and IE codings (clause 9). */
#include "test_nas_rig.h"

#define FEED(hex, ue) feed(tpa_nas5gs_dissect, hex, ue)

/* 5GS mobile identity, SUCI with SUPI format IMSI (9.11.3.4): type octet 0x01, PLMN
 * 208/93 (02 f8 39), routing indicator "0" (f0 ff), protection scheme 0 (null),
 * home network public key id 0, scheme output = MSIN 0000000001 in BCD. */
#define SUCI_NULL "000d 01 02f839 f0ff 00 00 0000000010"
/* 8.2.6: EPD, security header type 0, message type 0x41, ngKSI 7 | FOR + initial
 * registration (0x79), 5GS mobile identity (LV-E), UE security capability (TLV 0x2e). */
#define REG_REQ "7e0041 79" SUCI_NULL " 2e028020"

static void test_registration_request(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, -1);
    CHECK(FEED(REG_REQ, &ue) == 1);
    rec_t *r = &recs[0];
    CHECK_STR(r->protocol, "nas-5gs");
    CHECK_STR(r->code, "65");
    CHECK_STR(r->name, "Registration request");
    CHECK(r->kind == TPA_SIG_REQUEST);
    CHECK_STR(r->procedure, "Registration");
    CHECK_STR(r->key, "ue=ran:1");
    /* null scheme: the scheme output is the MSIN, so the SUPI is visible */
    CHECK_STR(id_of(r, TPA_ID_SUCI), "suci-0-208-93-0-0-0-0000000001");
    CHECK_STR(id_of(r, TPA_ID_IMSI), "208930000000001");
    CHECK_STR(id_of(r, TPA_ID_SUPI), "imsi-208930000000001");
    CHECK_STR(id_of(r, TPA_ID_RAN_UE_NGAP_ID), "1");
    CHECK(id_of(r, TPA_ID_AMF_UE_NGAP_ID) == NULL);
    CHECK(count("nas-5gs", "65") == 1);
    CHECK(tpa_decode_stats(dec)->malformed == 0);

    /* Profile A (scheme 1, key id 1): ephemeral key (32), ciphertext (5), MAC (8)
     * stay hex; no IMSI is revealed. */
    nrecs = 0;
    CHECK(FEED("7e0041 79 0035 01 02f839 f0ff 01 01"
               "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
               "0102030405 1122334455667788",
               &ue) == 1);
    CHECK_STR(id_of(&recs[0], TPA_ID_SUCI),
              "suci-0-208-93-0-1-1-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
              "01020304051122334455667788");
    CHECK(id_of(&recs[0], TPA_ID_IMSI) == NULL);
    CHECK(id_of(&recs[0], TPA_ID_SUPI) == NULL);
    rig_done();
}

static void test_registration_accept_reject(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, 2);
    /* 8.2.7: 5GS registration result (LV), 5G-GUTI (TLV-E 0x77: PLMN 208/93, AMF
     * region 0xca, set id 1016 + pointer 0 (fe 00), 5G-TMSI 1), TAI list (0x54),
     * allowed NSSAI (0x15). */
    CHECK(FEED("7e0042 0101 77000b f202f839cafe0000000001 5407 0002f839000001"
               " 150a 0401010203 0401112233",
               &ue) == 1);
    rec_t *r = &recs[0];
    CHECK_STR(r->code, "66");
    CHECK(r->kind == TPA_SIG_RESPONSE && r->outcome == TPA_SIG_OK);
    CHECK_STR(r->procedure, "Registration");
    CHECK_STR(r->key, "ue=ran:1");
    CHECK_STR(id_of(r, TPA_ID_GUTI), "20893-202-1016-0-00000001");
    CHECK_STR(id_of(r, TPA_ID_TMSI), "1016-0-00000001");
    CHECK_STR(id_of(r, TPA_ID_AMF_UE_NGAP_ID), "2");

    /* 8.2.9: Registration reject, 5GMM cause #7, T3346 (0x5f, TLV). */
    nrecs = 0;
    CHECK(FEED("7e0044 07 5f0121", &ue) == 1);
    r = &recs[0];
    CHECK_STR(r->code, "68");
    CHECK(r->kind == TPA_SIG_RESPONSE && r->outcome == TPA_SIG_FAILURE);
    CHECK(r->has_cause && r->cause == 7);
    CHECK_STR(r->cause_name, "5GS services not allowed");
    CHECK_STR(r->family, "5gmm");
    CHECK(tpa_decode_stats(dec)->malformed == 0);
    rig_done();
}

/* 9.1.1: a security protected message is EPD, security header type, MAC (4),
 * sequence number (1) and the plain message; types 2 and 4 are ciphered. 8.2.25:
 * Security mode command = selected NAS security algorithms (ciphering in bits 8-5,
 * 0 = 5G-EA0), ngKSI, replayed UE security capabilities (LV). */
#define SMC(algs) "7e03 11223344 00 7e005d " algs " 00 02e0e0"
/* 8.2.26 Security mode complete with IMEISV (0x77, 5GS mobile identity type 5:
 * digits 4370816125816152), integrity protected and ciphered with the new context. */
#define SMC_COMPLETE_CIPHERED "7e04 55667788 00 7e005e 770009 457380612185615 1f2"

static void test_null_cipher(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(5, 7);
    CHECK(FEED(SMC("02"), &ue) == 1); /* 5G-EA0, 128-5G-IA2 */
    CHECK_STR(recs[0].code, "93");
    CHECK(recs[0].kind == TPA_SIG_REQUEST);
    CHECK_STR(recs[0].procedure, "Security Mode");

    /* after 5G-EA0 the ciphered octets are the plain message */
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue) == 1);
    CHECK_STR(recs[1].code, "94");
    CHECK(recs[1].kind == TPA_SIG_RESPONSE);
    CHECK_STR(id_of(&recs[1], TPA_ID_IMEI), "4370816125816152");
    /* even one that would not pass as plain without the knowledge: a Configuration
     * update command whose 5GS registration result IE (0x44) overruns is still
     * decoded (and marked) */
    CHECK(FEED("7e02 aabbccdd 01 7e0054 4405 01", &ue) == 1);
    CHECK_STR(recs[2].code, "84");
    CHECK(reason(TPA_MAL_NAS5GS_IE_LEN_INVALID) == 1);

    /* A UE whose security mode selected 128-5G-EA2: its ciphered messages are not
     * decoded even when the octets happen to read as a plain message. */
    tpa_nas_ue_t ue2 = ue_ctx(6, 8);
    CHECK(FEED(SMC("22"), &ue2) == 1);
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue2) == 0);
    CHECK(count("nas-5gs", "94") == 1);
    /* integrity protected only (type 1) is always readable */
    CHECK(FEED("7e01 aabbccdd 02 7e0043", &ue2) == 1);
    CHECK_STR(recs[nrecs - 1].code, "67");

    /* A new NAS signalling connection on RAN UE id 6 (no AMF UE id: Initial UE
     * Message) forgets the old UE's algorithm. */
    tpa_nas_ue_t ue2new = ue_ctx(6, -1);
    CHECK(FEED(REG_REQ, &ue2new) == 1);
    tpa_nas_ue_t ue2b = ue_ctx(6, 9);
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue2b) == 1);

    /* No Security Mode Command seen (capture started later): decoded only when the
     * octets read as a well-formed plain message. */
    tpa_nas_ue_t ue3 = ue_ctx(10, 11);
    int before = nrecs;
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &ue3) == 1);
    CHECK(FEED("7e02 aabbccdd 01 7e005e 7700ff", &ue3) == 0); /* IE overruns */
    CHECK(FEED("7e02 aabbccdd 01 91234567 89", &ue3) == 0);   /* not an EPD */
    CHECK(FEED("7e02 aabbccdd 01 7e0040", &ue3) == 0);        /* no such type */
    CHECK(nrecs == before + 1);
    CHECK(reason(TPA_MAL_NAS5GS_BAD_EPD) == 0);
    CHECK(reason(TPA_MAL_NAS5GS_IE_LEN_INVALID) == 1); /* only the one above */

    /* Without association memory ciphered octets are judged the same way. */
    tpa_nas_ue_t bare = {.has_ran_ue_id = true, .ran_ue_id = 5};
    CHECK(FEED(SMC_COMPLETE_CIPHERED, &bare) == 1);
    tpa_nas_assoc_destroy(&assoc);
    CHECK(assoc == NULL);
    rig_done();
}

/* 8.2.10 UL NAS transport: payload container type 1 (N1 SM information), payload
 * container (LV-E) holding 8.3.1 PDU session establishment request (EPD 0x2e, PSI 5,
 * PTI 1, 0xc1, integrity protection maximum data rate, PDU session type IPv4 (0x91),
 * SSC mode 1 (0xa1)); PDU session ID (0x12, TV), request type initial (0x81),
 * S-NSSAI SST 1 SD 010203 (0x22), DNN "internet" (0x25, APN label form). */
static void test_pdu_session(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, 2);
    CHECK(FEED("7e0067 01 0008 2e0501c1ffff91a1 1205 81 2204 01010203 2509 08696e7465726e6574",
               &ue) == 2);
    rec_t *t = &recs[0], *s = &recs[1];
    CHECK_STR(t->code, "103");
    CHECK(t->kind == TPA_SIG_INDICATION);
    CHECK_STR(id_of(t, TPA_ID_PDU_SESSION), "5");
    CHECK_STR(s->code, "193");
    CHECK_STR(s->name, "PDU session establishment request");
    CHECK(s->kind == TPA_SIG_REQUEST);
    CHECK_STR(s->procedure, "PDU Session Establishment");
    CHECK_STR(s->key, "ue=ran:1|psi=5");
    CHECK_STR(id_of(s, TPA_ID_PDU_SESSION), "5");
    CHECK_STR(id_of(s, TPA_ID_DNN), "internet");
    CHECK_STR(id_of(s, TPA_ID_SNSSAI), "1-010203");
    CHECK(count("nas-5gs", "103") == 1 && count("nas-5gs", "193") == 1);

    /* 8.2.11 DL NAS transport with 8.3.2 PDU session establishment accept: SSC mode
     * 1 + IPv4, authorized QoS rules (LV-E), session AMBR (LV), PDU address (0x29:
     * IPv4 10.45.0.2), S-NSSAI SST 1, DNN. */
    nrecs = 0;
    CHECK(FEED("7e0068 01 0029 2e0501c2 11 0006010003310101 06010101010101"
               " 2905010a2d0002 220101 2509 08696e7465726e6574 1205",
               &ue) == 2);
    s = &recs[1];
    CHECK_STR(s->code, "194");
    CHECK(s->kind == TPA_SIG_RESPONSE && s->outcome == TPA_SIG_OK);
    CHECK_STR(s->key, "ue=ran:1|psi=5");
    CHECK_STR(id_of(s, TPA_ID_UE_IP), "10.45.0.2");
    CHECK_STR(id_of(s, TPA_ID_DNN), "internet");
    CHECK_STR(id_of(s, TPA_ID_SNSSAI), "1");

    /* IPv4v6 (9.11.4.10 type 3): interface identifier, then the IPv4 address. */
    nrecs = 0;
    CHECK(FEED("2e0501c2 13 0000 06010101010101 290d03 0000000000000001 0a2d0003", &ue) == 1);
    CHECK(has_id(&recs[0], TPA_ID_UE_IP, "10.45.0.3"));
    CHECK(has_id(&recs[0], TPA_ID_UE_IP, "fe80::1"));

    /* 8.3.3 reject, 5GSM cause #27 */
    nrecs = 0;
    CHECK(FEED("2e0501c3 1b", &ue) == 1);
    CHECK(recs[0].kind == TPA_SIG_RESPONSE && recs[0].outcome == TPA_SIG_FAILURE);
    CHECK(recs[0].cause == 27);
    CHECK_STR(recs[0].cause_name, "Missing or unknown DNN");
    CHECK_STR(recs[0].family, "5gsm");

    /* 6.3.3: network-requested release (PTI 0) with cause #36 is a request answered
     * by the release complete; a UE-requested modification (PTI 3) is answered by
     * the modification command carrying that PTI. */
    nrecs = 0;
    CHECK(FEED("2e0500d3 24", &ue) == 1);
    CHECK(recs[0].kind == TPA_SIG_REQUEST && recs[0].cause == 36);
    CHECK_STR(recs[0].procedure, "PDU Session Release");
    CHECK_STR(recs[0].cause_name, "Regular deactivation");
    CHECK(FEED("2e0500d4", &ue) == 1);
    CHECK(recs[1].kind == TPA_SIG_RESPONSE && recs[1].outcome == TPA_SIG_OK);
    CHECK(FEED("2e0503c9", &ue) == 1);
    CHECK(FEED("2e0503cb", &ue) == 1);
    CHECK(recs[2].kind == TPA_SIG_REQUEST && recs[3].kind == TPA_SIG_RESPONSE);
    CHECK_STR(recs[3].procedure, "PDU Session Modification");

    /* 9.11.3.39 multiple payloads (type 15): one entry (length 6, no optional IEs,
     * type 1) holding 5GSM status #111. */
    nrecs = 0;
    CHECK(FEED("7e0067 0f 0009 01 0006 01 2e0100d66f", &ue) == 2);
    CHECK_STR(recs[1].code, "214");
    CHECK(recs[1].has_cause && recs[1].cause == 111);
    CHECK(tpa_decode_stats(dec)->malformed == 0);
    rig_done();
}

/* NAS message container (0x71) and EPS NAS message container (0x70): a copy of a
 * message, counted (as tshark does) but no step of a procedure. */
static void test_containers(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(3, 4);
    CHECK(FEED("7e005e 710013 7e0041 79" SUCI_NULL, &ue) == 2);
    CHECK_STR(recs[0].code, "94");
    CHECK(recs[0].kind == TPA_SIG_RESPONSE);
    CHECK_STR(recs[1].code, "65");
    CHECK(recs[1].kind == TPA_SIG_INDICATION);
    CHECK_STR(recs[1].procedure, "");
    CHECK_STR(recs[1].key, "");
    CHECK_STR(id_of(&recs[1], TPA_ID_SUPI), "imsi-208930000000001");

    nrecs = 0;
    CHECK(FEED("7e0041 79" SUCI_NULL " 700003 07606f", &ue) == 2);
    CHECK_STR(recs[1].protocol, "nas-eps");
    CHECK_STR(recs[1].code, "96");
    CHECK(count("nas-eps", "96") == 1);

    /* 7.6.3: of a repeated IE only the first occurrence is handled */
    nrecs = 0;
    CHECK(FEED("7e005e 710003 7e0043 710003 7e0055", &ue) == 2);
    CHECK_STR(recs[1].code, "67");
    CHECK(count("nas-5gs", "85") == 0);
    rig_done();
}

static void test_malformed(void)
{
    rig_fresh();
    tpa_nas_ue_t ue = ue_ctx(1, 2);
    /* the mobile identity's length (32) runs past the message: counted, marked */
    CHECK(FEED("7e0041 79 0020 0102", &ue) == 1);
    CHECK(reason(TPA_MAL_NAS5GS_TRUNCATED) == 1);
    /* an optional IE (T3346, TLV) longer than what is left */
    CHECK(FEED("7e0044 07 5f0501", &ue) == 1);
    CHECK(reason(TPA_MAL_NAS5GS_IE_LEN_INVALID) == 1);
    CHECK(FEED("1234", &ue) == 0);
    CHECK(reason(TPA_MAL_NAS5GS_BAD_EPD) == 1);
    CHECK(FEED("7e0700", &ue) == 0);
    CHECK(reason(TPA_MAL_NAS5GS_BAD_SEC_HDR) == 1);
    CHECK(FEED("7e01 1122", &ue) == 0); /* MAC cut short */
    CHECK(reason(TPA_MAL_NAS5GS_TRUNCATED) == 2);
    CHECK(FEED("", &ue) == 0);
    CHECK(reason(TPA_MAL_NAS5GS_TRUNCATED) == 3);
    /* a type outside table 9.7.1 is not a 5GMM message: not counted, not marked */
    CHECK(FEED("7e0040", &ue) == 0);
    CHECK(reason(TPA_MAL_NAS5GS_TRUNCATED) == 3);
    /* containers nested deeper than TPA_NAS_MAX_DEPTH */
    CHECK(FEED("7e005e 710015 7e005e 71000f 7e005e 710009 7e005e 710003 7e005e", &ue) == 4);
    CHECK(reason(TPA_MAL_NAS5GS_TOO_DEEP) == 1);
    CHECK(tpa_decode_stats(dec)->malformed == 1); /* all of them in the one frame */
    /* a snaplen cut is not malformed */
    pkt.cut = true;
    CHECK(FEED("7e0041 79 0020 0102", &ue) == 1);
    CHECK(reason(TPA_MAL_NAS5GS_TRUNCATED) == 3);
    rig_done();
}

static void test_no_ue(void)
{
    rig_fresh();
    /* 8.2.21 Identity request, identity type SUCI: no UE context, not paired */
    CHECK(FEED("7e005b 01", NULL) == 1);
    CHECK(recs[0].kind == TPA_SIG_REQUEST);
    CHECK_STR(recs[0].key, "");
    CHECK(recs[0].n_ids == 0);
    tpa_nas_ue_t amf_only = {.has_cn_ue_id = true, .cn_ue_id = 9, .assoc = &assoc};
    CHECK(FEED("7e005c" SUCI_NULL, &amf_only) == 1);
    CHECK_STR(recs[1].key, "ue=amf:9");
    tpa_nas_assoc_destroy(&assoc);
    rig_done();
}

int main(void)
{
    test_registration_request();
    test_registration_accept_reject();
    test_null_cipher();
    test_pdu_session();
    test_containers();
    test_malformed();
    test_no_ue();
    tpa_nas_assoc_destroy(&assoc);
    return TEST_DONE();
}
