/* test_ue.c - the subscriber joiner (tpa_ue.h): one subscriber across NGAP ids, SUCI,
 * NAS, PFCP SEIDs, TEIDs and the UE IP; the over-joining guards; the ladder. Message
 * sequences are written as the dissectors report them (tpa_sig.h) and fed through
 * tpa_sigstate_feed, as tpa_sig_report does. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_json_out.h"
#include "tpa_jw.h"
#include "tpa_sigstate.h"
#include "tpa_test.h"

#define S(x) ((int64_t)(x)*1000000)
#define MS(x) ((int64_t)(x)*1000)

enum { NGAP = 1, PFCP = 2 }; /* flow ids; scope = 1000 + flow */

static tpa_sig_t mk(const char *proto, const char *code, const char *name, tpa_sig_kind_t kind,
                    const char *proc, const char *key)
{
    tpa_sig_t m;
    memset(&m, 0, sizeof m);
    m.protocol = proto;
    m.code = code;
    m.name = name;
    m.kind = kind;
    m.procedure = proc;
    m.key = key;
    return m;
}

static void feed(tpa_sigstate_t *s, uint64_t frame, int64_t ts, uint32_t flow, const char *src,
                 const char *dst, const tpa_sig_t *m)
{
    tpa_sig_where_t w = {frame, ts, flow, 1000 + flow, src, dst, false};
    tpa_sigstate_feed(s, &w, m);
}

/* The text of arr's n elements written one by one by write (as tpa analyze writes
 * them) is what tpa_json_out writes for arr (the tree the same code made). */
static void same_text(const json_t *arr, size_t n, tpa_json_out_write_fn write, void *ud)
{
    for (int indent = 0; indent <= 2; indent += 2) {
        tpa_jw_t *w = tpa_jw_new(indent, NULL, NULL);
        tpa_jw_arr(w, NULL);
        for (size_t i = 0; i < n; i++)
            CHECK(write(ud, i, w) == 0);
        tpa_jw_arr_end(w);
        char *got = tpa_jw_take_text(w, NULL);
        char *want = tpa_json_out_dumps(arr, indent, NULL);
        CHECKF(got && want && strcmp(got, want) == 0, "\nwant %.400s\ngot  %.400s", want, got);
        free(got);
        free(want);
        tpa_jw_destroy(&w);
    }
}

/* The document's signalling parts; ues[] and transactions[] also checked against
 * their elements written as text. */
static json_t *finish(tpa_sigstate_t *s)
{
    json_t *doc = json_object();
    CHECK(tpa_sigstate_json(s, doc) == 0);
    json_t *ues = json_object_get(doc, "ues"), *tx = json_object_get(doc, "transactions");
    CHECK(json_array_size(ues) == tpa_ue_listed(tpa_sigstate_ue(s)));
    CHECK(json_array_size(tx) == tpa_txn_kept_count(tpa_sigstate_txn(s)));
    same_text(ues, json_array_size(ues), tpa_sigstate_ue_write, s);
    same_text(tx, json_array_size(tx), tpa_sigstate_txn_write, s);
    return doc;
}

static const char *str(const json_t *o, const char *k)
{
    const char *v = json_string_value(json_object_get(o, k));
    return v ? v : "(null)";
}

/* Whether identities[kind] of ue holds value. */
static bool has_id(const json_t *ue, const char *group, const char *kind, const char *value)
{
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(json_object_get(ue, group), kind), i, v)
    {
        if (strcmp(json_string_value(v), value) == 0) return true;
    }
    return false;
}

static json_int_t sig_count(const json_t *doc, const char *k)
{
    return json_integer_value(json_object_get(json_object_get(doc, "signalling"), k));
}

/* One registration and PDU session of UE 1 across N2 and N4, and UE 2 on N2. */
static void test_join_across_interfaces(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    CHECK(s != NULL);
    const char *gnb = "10.0.0.1", *amf = "10.0.0.2", *smf = "10.0.0.5", *upf = "10.0.0.9";

    tpa_sig_t m = mk("ngap", "15/initiating", "InitialUEMessage", TPA_SIG_INDICATION, NULL, NULL);
    m.flags = TPA_SIG_UE_NEW;
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "1");
    tpa_sig_add_id(&m, TPA_ID_SUCI, "suci-0-001-01-0000-0-0-0000000001");
    feed(s, 1, S(1), NGAP, gnb, amf, &m);
    m = mk("nas-5gs", "65", "Registration request", TPA_SIG_REQUEST, "Registration", "ue=ran:1");
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "1");
    tpa_sig_add_id(&m, TPA_ID_SUCI, "suci-0-001-01-0000-0-0-0000000001");
    feed(s, 1, S(1), NGAP, gnb, amf, &m);
    m = mk("ngap", "4/initiating", "DownlinkNASTransport", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "1");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "10");
    feed(s, 2, S(1) + MS(5), NGAP, amf, gnb, &m);
    m = mk("nas-5gs", "66", "Registration accept", TPA_SIG_RESPONSE, "Registration", "ue=ran:1");
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "1");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "10");
    tpa_sig_add_id(&m, TPA_ID_GUTI, "5G-GUTI-00101-CAFE-0001");
    feed(s, 3, S(1) + MS(40), NGAP, amf, gnb, &m);
    /* N4: the SMF's F-SEID and the UE IP; the UPF's F-SEID and N3 F-TEID come back */
    m = mk("pfcp", "50", "PFCP Session Establishment Request", TPA_SIG_REQUEST,
           "Session Establishment", "seq=1@10.0.0.5");
    tpa_sig_add_id(&m, TPA_ID_SEID, "0x1@10.0.0.5");
    tpa_sig_add_id(&m, TPA_ID_UE_IP, "10.45.0.2");
    tpa_sig_add_id(&m, TPA_ID_TEID, "0x0@10.0.0.9"); /* CHOOSE: a zero TEID, ignored */
    tpa_sig_add_id(&m, TPA_ID_DNN, "internet");
    feed(s, 4, S(2), PFCP, smf, upf, &m);
    m = mk("pfcp", "51", "PFCP Session Establishment Response", TPA_SIG_RESPONSE,
           "Session Establishment", "seq=1@10.0.0.5");
    tpa_sig_add_id(&m, TPA_ID_SEID, "0x2@10.0.0.9");
    tpa_sig_add_id(&m, TPA_ID_TEID, "0x100@10.0.0.9");
    feed(s, 5, S(2) + MS(2), PFCP, upf, smf, &m);
    /* N2: the same UL TEID in the PDU session setup ties N4 to the NGAP UE */
    m = mk("ngap", "29/initiating", "PDUSessionResourceSetupRequest", TPA_SIG_REQUEST,
           "PDU Session Resource Setup", "ran=1|amf=10");
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "1");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "10");
    tpa_sig_add_id(&m, TPA_ID_TEID, "0x100@10.0.0.9");
    tpa_sig_add_id(&m, TPA_ID_PDU_SESSION, "1");
    tpa_sig_add_id(&m, TPA_ID_SNSSAI, "1-000001");
    tpa_sig_add_id(&m, TPA_ID_UE_IP, "0.0.0.0"); /* unspecified: ignored */
    feed(s, 6, S(2) + MS(5), NGAP, amf, gnb, &m);
    m = mk("ngap", "29/successful", "PDUSessionResourceSetupResponse", TPA_SIG_RESPONSE,
           "PDU Session Resource Setup", "ran=1|amf=10");
    feed(s, 7, S(2) + MS(9), NGAP, gnb, amf, &m); /* no ids: joins through its request */

    /* UE 2 registers on the same gNB, uses the same DNN and a zero TEID too */
    m = mk("ngap", "15/initiating", "InitialUEMessage", TPA_SIG_INDICATION, NULL, NULL);
    m.flags = TPA_SIG_UE_NEW;
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "2");
    tpa_sig_add_id(&m, TPA_ID_SUCI, "suci-0-001-01-0000-0-0-0000000002");
    tpa_sig_add_id(&m, TPA_ID_TEID, "0x00000000@10.0.0.9");
    tpa_sig_add_id(&m, TPA_ID_DNN, "internet");
    feed(s, 8, S(3), NGAP, gnb, amf, &m);

    json_t *doc = finish(s);
    json_t *ues = json_object_get(doc, "ues");
    CHECKF(json_array_size(ues) == 2, "%zu ues", json_array_size(ues));
    json_t *u1 = json_array_get(ues, 0), *u2 = json_array_get(ues, 1);
    CHECK(strcmp(str(u1, "id"), "ue1") == 0 && strcmp(str(u2, "id"), "ue2") == 0);
    CHECK(has_id(u1, "identities", "imsi", "001010000000001")); /* from the null-scheme SUCI */
    CHECK(has_id(u1, "identities", "suci", "suci-0-001-01-0000-0-0-0000000001"));
    CHECK(has_id(u1, "identities", "ran_ue_ngap_id", "1@flow1"));
    CHECK(has_id(u1, "identities", "amf_ue_ngap_id", "10@flow1"));
    CHECK(has_id(u1, "identities", "guti", "5g-guti-00101-cafe-0001"));
    CHECK(has_id(u1, "identities", "seid", "0x1@10.0.0.5"));
    CHECK(has_id(u1, "identities", "seid", "0x2@10.0.0.9"));
    CHECK(has_id(u1, "identities", "teid", "0x100@10.0.0.9"));
    CHECK(has_id(u1, "identities", "ue_ip", "10.45.0.2"));
    CHECK(json_array_size(json_object_get(json_object_get(u1, "identities"), "teid")) == 1);
    CHECK(json_array_size(json_object_get(json_object_get(u1, "identities"), "ue_ip")) == 1);
    CHECK(has_id(u1, "attributes", "dnn", "internet"));
    CHECK(has_id(u1, "attributes", "snssai", "1-000001"));
    CHECK(has_id(u1, "attributes", "pdu_session", "1"));
    CHECK(has_id(u2, "identities", "imsi", "001010000000002"));
    CHECK(has_id(u2, "attributes", "dnn", "internet")); /* shared DNN: no join */
    CHECK(json_object_get(json_object_get(u2, "identities"), "teid") == NULL);
    CHECK(json_integer_value(json_object_get(u1, "messages")) == 8);
    /* transactions of UE 1 in time order, and each transaction names its UE */
    json_t *tl = json_object_get(u1, "transactions");
    CHECK(json_array_size(tl) == 3);
    CHECK(strcmp(json_string_value(json_array_get(tl, 0)), "t1") == 0 &&
          strcmp(json_string_value(json_array_get(tl, 2)), "t3") == 0);
    json_t *tx = json_object_get(doc, "transactions");
    for (size_t i = 0; i < json_array_size(tx); i++)
        CHECK(strcmp(str(json_array_get(tx, i), "ue"), "ue1") == 0);
    /* the ladder: every message of UE 1 in time order, with nodes and outcomes */
    json_t *ld = json_object_get(u1, "ladder");
    CHECK(json_array_size(ld) == 8);
    json_t *st = json_array_get(ld, 4); /* PFCP request, frame 4 */
    CHECK(json_integer_value(json_object_get(st, "frame")) == 4);
    CHECK(strcmp(str(st, "src"), smf) == 0 && strcmp(str(st, "dst"), upf) == 0);
    CHECK(strcmp(str(st, "protocol"), "pfcp") == 0 && strcmp(str(st, "kind"), "request") == 0);
    CHECK(strcmp(str(st, "outcome"), "success") == 0 && strcmp(str(st, "transaction"), "t2") == 0);
    CHECK(strcmp(str(json_array_get(ld, 0), "name"), "InitialUEMessage") == 0);
    CHECK(json_is_null(json_object_get(json_array_get(ld, 0), "outcome")));
    CHECK(json_is_false(json_object_get(u1, "ladder_truncated")));
    CHECK(sig_count(doc, "identities_ignored") == 3);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* "two subscribers that each hold a different IMSI/SUPI never merge"; IMSI digits and
 * SUPI imsi-<digits> are one subscriber. */
static void test_conflict_and_supi(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t m = mk("gtpv2", "32", "Create Session Request", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_IMSI, "001010000000011");
    tpa_sig_add_id(&m, TPA_ID_UE_IP, "10.45.0.7");
    feed(s, 1, S(1), 3, "a", "b", &m);
    m = mk("gtpv2", "32", "Create Session Request", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_IMSI, "001010000000012");
    tpa_sig_add_id(&m, TPA_ID_UE_IP, "10.45.0.7"); /* the address was reused */
    feed(s, 2, S(2), 3, "a", "b", &m);
    m = mk("http2", "POST", "POST", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_SUPI, "imsi-001010000000012");
    tpa_sig_add_id(&m, TPA_ID_MSISDN, "tel:+33600000012");
    feed(s, 3, S(3), 4, "c", "d", &m);
    m = mk("http2", "POST", "POST", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_SUPI, "nai-bob@example.org");
    tpa_sig_add_id(&m, TPA_ID_MSISDN, "33600000012"); /* the same MSISDN: conflict */
    feed(s, 4, S(4), 4, "c", "d", &m);
    json_t *doc = finish(s);
    json_t *ues = json_object_get(doc, "ues");
    CHECKF(json_array_size(ues) == 3, "%zu", json_array_size(ues));
    json_t *u2 = json_array_get(ues, 1);
    CHECK(has_id(u2, "identities", "imsi", "001010000000012"));
    CHECK(has_id(u2, "identities", "supi", "imsi-001010000000012"));
    CHECK(has_id(u2, "identities", "msisdn", "33600000012"));
    CHECK(!has_id(u2, "identities", "ue_ip", "10.45.0.7"));
    CHECK(has_id(json_array_get(ues, 0), "identities", "ue_ip", "10.45.0.7"));
    CHECK(has_id(json_array_get(ues, 2), "identities", "supi", "nai-bob@example.org"));
    CHECK(sig_count(doc, "ue_join_conflicts") == 2);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* "an identity other than IMSI/SUPI that, in more than hub_merges messages, joined two
 * subscribers that each already had messages of their own stops joining". 20 PFCP
 * sessions, each seen first on its own, then each with the same bogus UE IP. */
static void test_hub(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    char seid[32];
    for (int i = 1; i <= 20; i++) {
        snprintf(seid, sizeof seid, "0x%x@10.0.0.9", i);
        tpa_sig_t m =
            mk("pfcp", "52", "PFCP Session Modification Request", TPA_SIG_INDICATION, NULL, NULL);
        tpa_sig_add_id(&m, TPA_ID_SEID, seid);
        feed(s, (uint64_t)(2 * i), S(2 * i), PFCP, "x", "y", &m);
        tpa_sig_add_id(&m, TPA_ID_UE_IP, "10.9.9.9"); /* a bogus shared value */
        feed(s, (uint64_t)(2 * i + 1), S(2 * i + 1), PFCP, "x", "y", &m);
    }
    json_t *doc = finish(s);
    json_t *ues = json_object_get(doc, "ues");
    CHECKF(json_array_size(ues) == 3, "%zu", json_array_size(ues));
    CHECK(sig_count(doc, "ue_hub_identities") == 1);
    json_t *u1 = json_array_get(ues, 0);
    CHECK(json_array_size(json_object_get(json_object_get(u1, "identities"), "seid")) ==
          TPA_UE_HUB_MERGES + 2);
    CHECK(has_id(json_array_get(ues, 2), "identities", "seid", "0x14@10.0.0.9"));
    CHECK(!has_id(json_array_get(ues, 2), "identities", "ue_ip", "10.9.9.9"));
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* Reuse of RAN-side ids: UE_NEW, UE_END, and a RAN id seen with another CN id. Ids are
 * scoped by the association (flow). */
static void test_id_reuse(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t m = mk("ngap", "15/initiating", "InitialUEMessage", TPA_SIG_INDICATION, NULL, NULL);
    m.flags = TPA_SIG_UE_NEW;
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "5");
    tpa_sig_add_id(&m, TPA_ID_TMSI, "0xc0ffee01");
    feed(s, 1, S(1), NGAP, "g", "a", &m);
    m = mk("ngap", "4/initiating", "DownlinkNASTransport", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "5");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "20");
    feed(s, 2, S(2), NGAP, "a", "g", &m);
    m = mk("ngap", "41/successful", "UEContextReleaseComplete", TPA_SIG_INDICATION, NULL, NULL);
    m.flags = TPA_SIG_UE_END;
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "5");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "20");
    feed(s, 3, S(3), NGAP, "g", "a", &m);
    /* the gNB hands RAN UE NGAP ID 5 to another UE */
    m = mk("ngap", "15/initiating", "InitialUEMessage", TPA_SIG_INDICATION, NULL, NULL);
    m.flags = TPA_SIG_UE_NEW;
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "5");
    tpa_sig_add_id(&m, TPA_ID_TMSI, "0xc0ffee02");
    feed(s, 4, S(4), NGAP, "g", "a", &m);
    m = mk("ngap", "46/initiating", "UplinkNASTransport", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "5");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "21");
    feed(s, 5, S(5), NGAP, "g", "a", &m);
    /* without flags: RAN id 7 first bound to AMF id 30, later seen with 31 */
    m = mk("ngap", "46/initiating", "UplinkNASTransport", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "7");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "30");
    feed(s, 6, S(6), NGAP, "g", "a", &m);
    m = mk("ngap", "46/initiating", "UplinkNASTransport", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "7");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "31");
    feed(s, 7, S(7), NGAP, "g", "a", &m);
    /* RAN id 5 on another association is another UE */
    m = mk("ngap", "46/initiating", "UplinkNASTransport", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, "5");
    tpa_sig_add_id(&m, TPA_ID_AMF_UE_NGAP_ID, "21");
    feed(s, 8, S(8), 9, "g2", "a", &m);
    json_t *doc = finish(s);
    json_t *ues = json_object_get(doc, "ues");
    CHECKF(json_array_size(ues) == 5, "%zu", json_array_size(ues));
    json_t *u1 = json_array_get(ues, 0), *u2 = json_array_get(ues, 1);
    CHECK(has_id(u1, "identities", "tmsi", "0xc0ffee01") &&
          has_id(u1, "identities", "amf_ue_ngap_id", "20@flow1"));
    CHECK(!has_id(u1, "identities", "tmsi", "0xc0ffee02"));
    CHECK(has_id(u2, "identities", "tmsi", "0xc0ffee02") &&
          has_id(u2, "identities", "amf_ue_ngap_id", "21@flow1") &&
          has_id(u2, "identities", "ran_ue_ngap_id", "5@flow1"));
    CHECK(json_integer_value(json_object_get(u1, "messages")) == 3);
    CHECK(has_id(json_array_get(ues, 4), "identities", "ran_ue_ngap_id", "5@flow9"));
    CHECK(sig_count(doc, "ue_id_rebinds") == 2);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* Ladder caps, the document's UE limit, and the joiner used directly. */
static void test_caps(void)
{
    tpa_sigstate_limits_t lim = {tpa_txn_default_limits(), tpa_ue_default_limits()};
    lim.ue.ladder_per_ue = 3;
    lim.ue.max_doc = 1;
    tpa_sigstate_t *s = tpa_sigstate_new(&lim);
    for (int i = 0; i < 5; i++) {
        tpa_sig_t m = mk("sip", "REGISTER", "REGISTER", TPA_SIG_REQUEST, "REGISTER", "k");
        char key[16];
        snprintf(key, sizeof key, "c%d|1|b%d", i, i);
        m.key = key;
        tpa_sig_add_id(&m, TPA_ID_SIP_URI,
                       i % 2 ? "<sip:Alice@ims.test>;tag=1" : "sip:alice@ims.test");
        tpa_sig_add_id(&m, TPA_ID_CALL_ID, key);
        feed(s, (uint64_t)(i + 1), S(10 - i), 6, "ue", "pcscf", &m); /* time runs backwards */
    }
    tpa_sig_t m = mk("sip", "REGISTER", "REGISTER", TPA_SIG_REQUEST, "REGISTER", "other");
    tpa_sig_add_id(&m, TPA_ID_SIP_URI, "sip:bob@ims.test");
    feed(s, 9, S(20), 6, "ue2", "pcscf", &m);
    json_t *doc = finish(s);
    json_t *ues = json_object_get(doc, "ues");
    CHECK(json_array_size(ues) == 1);
    json_t *u = json_array_get(ues, 0);
    CHECK(json_array_size(json_object_get(json_object_get(u, "identities"), "sip_uri")) == 1);
    CHECK(has_id(u, "identities", "sip_uri", "sip:alice@ims.test"));
    json_t *ld = json_object_get(u, "ladder");
    CHECK(json_array_size(ld) == 3 && json_is_true(json_object_get(u, "ladder_truncated")));
    CHECK(json_integer_value(json_object_get(json_array_get(ld, 0), "frame")) == 3);
    CHECK(json_integer_value(json_object_get(u, "messages")) == 5);
    CHECK(sig_count(doc, "ues_total") == 2 && sig_count(doc, "ues_listed") == 1);
    CHECK(sig_count(doc, "ladder_dropped") == 2);
    json_t *tx = json_object_get(doc, "transactions");
    CHECK(json_array_size(tx) == 6 && json_is_null(json_object_get(json_array_get(tx, 5), "ue")));
    CHECK(strcmp(str(json_array_get(tx, 0), "ue"), "ue1") == 0);
    json_decref(doc);
    tpa_sigstate_destroy(&s);

    /* the joiner alone */
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_t *u2 = tpa_ue_new(pool, NULL);
    tpa_sig_t a = mk("gtpv2", "32", NULL, TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&a, TPA_ID_IMEI, "000000000000000");
    CHECK(tpa_ue_join(u2, &a, 1, 1) == 0); /* only a zero IMEI: nothing */
    tpa_sig_add_id(&a, TPA_ID_TEID, "0x1@1.2.3.4");
    uint32_t x = tpa_ue_join(u2, &a, 1, 1);
    CHECK(x != 0);
    tpa_sig_t b = mk("gtpv2", "33", NULL, TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&b, TPA_ID_TEID, "0x2@1.2.3.5");
    uint32_t y = tpa_ue_join(u2, &b, 2, 1);
    CHECK(y != 0 && y != x);
    tpa_ue_link(u2, x, y);
    tpa_ue_step_t st = {S(1), 1, "a", "b", "gtpv2", "x", TPA_SIG_INDICATION, TPA_SIG_OK, 0};
    tpa_ue_step(u2, y, &st);
    tpa_ue_finish(u2);
    CHECK(tpa_ue_number(u2, x) == 1 && tpa_ue_number(u2, y) == 1 && tpa_ue_stats(u2)->ues == 1);
    CHECK(strcmp(tpa_ue_kind_name(TPA_ID_MME_UE_S1AP_ID), "mme_ue_s1ap_id") == 0);
    tpa_ue_destroy(&u2);
    tpa_intern_destroy(&pool);
    CHECK(u2 == NULL);
}

/* Transactions the document does not list still join their request's and response's
 * subscribers, and keep doing so while they linger ("the request and the response of
 * one transaction (tpa_ue_link)"): the tracker keeps only a slot for them. */
static void test_unlisted_transactions_join(void)
{
    tpa_sigstate_limits_t lim = {tpa_txn_default_limits(), tpa_ue_default_limits()};
    lim.txn.max_kept = 0;
    tpa_sigstate_t *s = tpa_sigstate_new(&lim);
    CHECK(s != NULL);
    const char *smf = "10.0.0.5", *upf = "10.0.0.9";
    /* a request naming nobody, answered with the UPF's F-SEID */
    tpa_sig_t q = mk("pfcp", "50", "Session Establishment Request", TPA_SIG_REQUEST,
                     "Session Establishment", "seq=1");
    feed(s, 1, S(1), PFCP, smf, upf, &q);
    tpa_sig_t a = mk("pfcp", "51", "Session Establishment Response", TPA_SIG_RESPONSE,
                     "Session Establishment", "seq=1");
    tpa_sig_add_id(&a, TPA_ID_SEID, "0x99@10.0.0.9");
    feed(s, 2, S(1) + MS(5), PFCP, upf, smf, &a);
    /* the answer again, a second later, now with the IMSI: the same subscriber */
    tpa_sig_t a2 = mk("pfcp", "51", "Session Establishment Response", TPA_SIG_RESPONSE,
                      "Session Establishment", "seq=1");
    tpa_sig_add_id(&a2, TPA_ID_IMSI, "001010000000042");
    feed(s, 3, S(2), PFCP, upf, smf, &a2);
    json_t *doc = finish(s);
    const json_t *ues = json_object_get(doc, "ues");
    CHECK(json_array_size(json_object_get(doc, "transactions")) == 0);
    CHECK(sig_count(doc, "duplicate_responses") == 1);
    CHECK(json_array_size(ues) == 1 && sig_count(doc, "ues_total") == 1);
    const json_t *ue = json_array_get(ues, 0);
    CHECK(has_id(ue, "identities", "seid", "0x99@10.0.0.9") &&
          has_id(ue, "identities", "imsi", "001010000000042"));
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* "Subscribers are numbered "ue<N>" in order of their first message; the document
 * lists the first max_doc": with many more subscribers than listed, first messages out
 * of order and ties in time broken by frame, the numbers go to the earliest. */
static void test_numbering_order(void)
{
    enum { NUE = 400, LISTED = 7 };
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_limits_t lim = tpa_ue_default_limits();
    lim.max_doc = LISTED;
    tpa_ue_t *u = tpa_ue_new(pool, &lim);
    CHECK(pool && u);
    uint32_t anchor[NUE];
    for (int i = 0; i < NUE; i++) {
        char imsi[16];
        snprintf(imsi, sizeof imsi, "0010100000%05d", i);
        tpa_sig_t m = mk("gtpv2", "32", NULL, TPA_SIG_INDICATION, NULL, NULL);
        tpa_sig_add_id(&m, TPA_ID_IMSI, imsi);
        anchor[i] = tpa_ue_join(u, &m, (uint64_t)i + 1, 1);
        /* times (i * 37) % NUE: a permutation; subscribers 0 and 1 share time 0 */
        int64_t ts = i == 1 ? 0 : (int64_t)((i * 37) % NUE);
        uint64_t frame = (uint64_t)(NUE - i); /* frames run backwards */
        tpa_ue_step_t st = {ts, frame, "a", "b", "gtpv2", "x", TPA_SIG_INDICATION, TPA_SIG_OK, 0};
        tpa_ue_step(u, anchor[i], &st);
    }
    tpa_ue_finish(u);
    CHECK(tpa_ue_stats(u)->ues == NUE);
    /* time 0: subscriber 1 (frame NUE - 1) before 0 (frame NUE); then times 1..5 */
    CHECK(tpa_ue_number(u, anchor[1]) == 1 && tpa_ue_number(u, anchor[0]) == 2);
    unsigned listed = 0;
    for (int i = 2; i < NUE; i++) {
        int64_t ts = (i * 37) % NUE;
        uint32_t want = ts >= 1 && ts <= LISTED - 2 ? (uint32_t)ts + 2 : 0;
        CHECKF(tpa_ue_number(u, anchor[i]) == want, "ue %d: %u", i, tpa_ue_number(u, anchor[i]));
        listed += want != 0;
    }
    CHECK(listed == LISTED - 2);
    tpa_ue_destroy(&u);
    tpa_intern_destroy(&pool);
}

/* tpa_ue_prepare + tpa_ue_join_prepared "joins them as tpa_ue_join does (same
 * result)": two joiners fed the same messages, one each way, give the same anchors,
 * subscribers and counters (ignored values, a SUCI naming an IMSI, reuse of a RAN id). */
static void test_prepared_join(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_t *a = tpa_ue_new(pool, NULL), *b = tpa_ue_new(pool, NULL);
    CHECK(pool && a && b);
    for (int i = 0; i < 60; i++) {
        char imsi[16], ran[8], teid[32];
        snprintf(imsi, sizeof imsi, "0010100000%05d", i % 17);
        snprintf(ran, sizeof ran, "%d", i % 5);
        snprintf(teid, sizeof teid, "0x%x@10.0.0.%d", i % 23, i % 3);
        tpa_sig_t m = mk("ngap", "15/initiating", NULL, TPA_SIG_INDICATION, NULL, NULL);
        m.flags = i % 7 == 0 ? TPA_SIG_UE_NEW : 0;
        tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, ran);
        tpa_sig_add_id(&m, i % 4 ? TPA_ID_IMSI : TPA_ID_SUCI,
                       i % 4 ? imsi : "suci-0-001-01-0000-0-0-0000000042");
        tpa_sig_add_id(&m, TPA_ID_TEID, teid);
        tpa_sig_add_id(&m, TPA_ID_IMEI, "0");       /* ignored */
        tpa_sig_add_id(&m, TPA_ID_DNN, "internet"); /* an attribute */
        uint32_t x = tpa_ue_join(a, &m, (uint64_t)i + 1, 1 + (uint32_t)(i % 2));
        tpa_ue_keys_t keys;
        tpa_ue_prepare(b, &m, 1 + (uint32_t)(i % 2), &keys);
        uint32_t y = tpa_ue_join_prepared(b, &keys, (uint64_t)i + 1);
        CHECKF(x == y, "message %d: %u vs %u", i, x, y);
        tpa_ue_step_t st = {S(i), (uint64_t)i + 1,    "a",        "b", "ngap",
                            "x",  TPA_SIG_INDICATION, TPA_SIG_OK, 0};
        tpa_ue_step(a, x, &st);
        tpa_ue_step(b, y, &st);
    }
    tpa_ue_finish(a);
    tpa_ue_finish(b);
    CHECK(memcmp(tpa_ue_stats(a), tpa_ue_stats(b), sizeof(tpa_ue_stats_t)) == 0);
    /* the 60 zero IMEIs and the TEIDs 0x0 of messages 0, 23 and 46 */
    CHECK(tpa_ue_stats(a)->ignored == 63 && tpa_ue_stats(a)->ues > 0);
    tpa_ue_destroy(&a);
    tpa_ue_destroy(&b);
    tpa_intern_destroy(&pool);
}

/* A ladder step's protocol and name are the joiner's copies ("interned by the joiner
 * when the step is kept"): the caller's buffer may change after the call. */
static void test_step_copies(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_t *u = tpa_ue_new(pool, NULL);
    tpa_sig_t m = mk("gtpv2", "32", NULL, TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_add_id(&m, TPA_ID_IMSI, "001010000000001");
    uint32_t x = tpa_ue_join(u, &m, 1, 1);
    char proto[16] = "gtpv2", name[32] = "Create Session Request";
    tpa_ue_step_t st = {S(1), 1, "a", "b", proto, name, TPA_SIG_REQUEST, TPA_SIG_OK, 0};
    tpa_ue_step(u, x, &st);
    memset(proto, 'x', sizeof proto - 1);
    memset(name, 'y', sizeof name - 1);
    tpa_ue_finish(u);
    json_t *ues = tpa_ue_json(u, NULL, NULL);
    json_t *step = json_array_get(json_object_get(json_array_get(ues, 0), "ladder"), 0);
    CHECK(step && strcmp(str(step, "protocol"), "gtpv2") == 0 &&
          strcmp(str(step, "name"), "Create Session Request") == 0);
    json_decref(ues);
    tpa_ue_destroy(&u);
    tpa_intern_destroy(&pool);
}

/* "Values listed per identity kind": at most 64 per kind, duplicates once, a value
 * that is not UTF-8 left out (its kind still listed); attributes after the preset
 * dnn, snssai, pdu_session; written alike as text and as a tree (finish). */
/* ues[] lists a value once per kind even when distinct identities show it alike: an
 * SEID without node address is one identity per flow, all shown as the same text. */
/* Tens of thousands of identities: each found again as the same node after the
 * table grew, and a reused RAN id (UE_NEW in a later frame) found as its new binding
 * from then on, never the superseded one. */
static void test_many_identities(void)
{
    enum { N = 20000, R = 3000 };
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_t *u = tpa_ue_new(pool, NULL);
    CHECK(pool && u);
    static uint32_t a[N];
    char v[32];
    uint64_t frame = 1;
    unsigned distinct = 0, same = 0;
    for (int pass = 0; pass < 2; pass++)
        for (int i = 0; i < N; i++) {
            snprintf(v, sizeof v, "0x%x@10.9.%d.%d", i + 1, i % 7, i % 11);
            tpa_sig_t m = mk("gtpv2", "32", NULL, TPA_SIG_INDICATION, NULL, NULL);
            tpa_sig_add_id(&m, TPA_ID_TEID, v);
            uint32_t x = tpa_ue_join(u, &m, frame++, 1);
            if (!pass) {
                a[i] = x;
                distinct += x != 0 && (i == 0 || x != a[i - 1]);
            } else {
                same += x == a[i];
            }
        }
    CHECK(distinct == N && same == N && tpa_ue_stats(u)->nodes == N);
    unsigned fresh = 0, found = 0;
    for (int i = 0; i < R; i++) {
        snprintf(v, sizeof v, "%d", i + 1);
        tpa_sig_t m = mk("ngap", "15", NULL, TPA_SIG_INDICATION, NULL, NULL);
        m.flags = TPA_SIG_UE_NEW;
        tpa_sig_add_id(&m, TPA_ID_RAN_UE_NGAP_ID, v);
        uint32_t r1 = tpa_ue_join(u, &m, frame++, 3);
        uint32_t r2 = tpa_ue_join(u, &m, frame++, 3); /* reused: a new binding */
        m.flags = 0;
        uint32_t r3 = tpa_ue_join(u, &m, frame++, 3);
        fresh += r1 && r2 && r1 != r2;
        found += r3 == r2;
    }
    CHECK(fresh == R && found == R && tpa_ue_stats(u)->rebinds == R);
    CHECK(tpa_ue_stats(u)->nodes == N + 2 * R);
    tpa_ue_destroy(&u);
    tpa_intern_destroy(&pool);
}

/* Subscribers' message aggregates through merges: a subscriber without messages that
 * takes in one with messages carries its aggregate on, two with messages add up into
 * one; tpa_ue_finish counts and numbers each subscriber with messages once. */
static void test_aggregates_merge(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_t *u = tpa_ue_new(pool, NULL);
    CHECK(pool && u);
    uint64_t frame = 1;
    uint32_t a = 0, b = 0, y = 0, z = 0;
    const char *imsi[] = {"001010000000011", "001010000000012", "001010000000013"};
    for (int i = 0; i < 3; i++) {
        tpa_sig_t m = mk("gtpv2", "32", NULL, TPA_SIG_INDICATION, NULL, NULL);
        /* a: an MSISDN (two IMSIs would never merge) */
        tpa_sig_add_id(&m, i ? TPA_ID_IMSI : TPA_ID_MSISDN, imsi[i]);
        uint32_t x = tpa_ue_join(u, &m, frame++, 1);
        tpa_ue_step_t st = {i == 1 ? 5 : 10 + i, frame,      "a", "b", "gtpv2", "x",
                            TPA_SIG_INDICATION,  TPA_SIG_OK, 0};
        tpa_ue_step(u, x, &st);
        if (i == 0) a = x;
        if (i == 1) b = x;
        if (i == 2) z = x;
    }
    /* three TEIDs joined, no message: a bigger subscriber without aggregate */
    for (int i = 1; i < 3; i++) {
        tpa_sig_t m = mk("pfcp", "50", NULL, TPA_SIG_INDICATION, NULL, NULL);
        tpa_sig_add_id(&m, TPA_ID_TEID, "0x1@10.0.0.1");
        tpa_sig_add_id(&m, TPA_ID_TEID, i == 1 ? "0x2@10.0.0.1" : "0x3@10.0.0.1");
        y = tpa_ue_join(u, &m, frame++, 1);
    }
    tpa_ue_link(u, y, b); /* b's aggregate goes to the TEIDs' root */
    tpa_ue_step_t st = {20, frame, "a", "b", "pfcp", "y", TPA_SIG_INDICATION, TPA_SIG_OK, 0};
    tpa_ue_step(u, y, &st);
    tpa_ue_link(u, a, y); /* two with messages: one */
    tpa_ue_finish(u);
    CHECK(tpa_ue_stats(u)->ues == 2);
    CHECK(tpa_ue_number(u, a) == 1 && tpa_ue_number(u, b) == 1 && tpa_ue_number(u, y) == 1 &&
          tpa_ue_number(u, z) == 2);
    json_t *ues = tpa_ue_json(u, NULL, NULL);
    const json_t *u1 = json_array_get(ues, 0);
    CHECK(json_array_size(ues) == 2 && json_integer_value(json_object_get(u1, "messages")) == 3 &&
          json_real_value(json_object_get(u1, "first_ts")) == 0.000005 &&
          json_real_value(json_object_get(u1, "last_ts")) == 0.00002);
    json_decref(ues);
    tpa_ue_destroy(&u);
    tpa_intern_destroy(&pool);
}

static void test_doc_values_once(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    for (int i = 0; i < 46; i++) {
        tpa_sig_t m =
            mk("pfcp", "50", "Session Establishment Request", TPA_SIG_INDICATION, NULL, NULL);
        char seid[16];
        snprintf(seid, sizeof seid, "0x%d", i < 6 ? 5 : i);
        tpa_sig_add_id(&m, TPA_ID_IMSI, "001010000000009");
        tpa_sig_add_id(&m, TPA_ID_SEID, seid);
        feed(s, (uint64_t)(i + 1), S(i), (uint32_t)(i < 6 ? 1 + i : 1), "smf", "upf", &m);
    }
    json_t *doc = finish(s);
    const json_t *ue = json_array_get(json_object_get(doc, "ues"), 0);
    const json_t *seids = json_object_get(json_object_get(ue, "identities"), "seid");
    CHECK(json_array_size(json_object_get(doc, "ues")) == 1 && json_array_size(seids) == 41);
    size_t fives = 0, i;
    json_t *v;
    json_array_foreach(seids, i, v) fives += strcmp(json_string_value(v), "0x5") == 0;
    CHECK(fives == 1 && sig_count(doc, "identities") == 6 + 40 + 1);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

static void test_doc_values(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    for (int i = 0; i < 100; i++) {
        tpa_sig_t m =
            mk("gtpv2", "32", "Create Session Request", TPA_SIG_REQUEST, "Create Session", NULL);
        char key[16], teid[32];
        snprintf(key, sizeof key, "seq=%d", i);
        snprintf(teid, sizeof teid, "0x%x@10.0.0.%d", i % 80, i % 3);
        m.key = key;
        tpa_sig_add_id(&m, TPA_ID_IMSI, "001010000000007");
        tpa_sig_add_id(&m, TPA_ID_TEID, teid);
        if (i == 5) tpa_sig_add_id(&m, TPA_ID_SIP_URI, "sip:bad\xff@x");
        if (i % 10 == 0) tpa_sig_add_id(&m, TPA_ID_DNN, i ? "ims" : "internet");
        feed(s, (uint64_t)(i + 1), S(i), 7, "mme", i % 7 ? "sgw" : "sgw\xc3", &m);
    }
    json_t *doc = finish(s);
    const json_t *ue = json_array_get(json_object_get(doc, "ues"), 0);
    const json_t *ids = json_object_get(ue, "identities");
    CHECK(json_array_size(json_object_get(ids, "teid")) == 64);
    CHECK(json_object_get(ids, "sip_uri") && json_array_size(json_object_get(ids, "sip_uri")) == 0);
    CHECK(has_id(ue, "attributes", "dnn", "ims") && has_id(ue, "attributes", "dnn", "internet"));
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

/* Identities are compared trimmed of blanks and, but for IMSI, IMEI, MSISDN, the NGAP and
 * S1AP ids and Call-IDs, in lower case ("C" locale: other bytes unchanged); the kinds
 * folded while copied join as those lowered after: each value joins its canonical
 * form, and not a different one. */
static void test_normalised_forms(void)
{
    static const struct {
        tpa_id_kind_t kind, canon_kind;
        const char *given, *canon, *other;
    } c[] = {
        {TPA_ID_TEID, TPA_ID_TEID, " 0xAB@10.0.0.1\r\n", "0xab@10.0.0.1", "0xac@10.0.0.1"},
        {TPA_ID_SEID, TPA_ID_SEID, "\t0x1F", "0x1f", "0x1e"},
        {TPA_ID_SEID, TPA_ID_SEID, "0X1F@FE80::1 ", "0x1f@fe80::1", "0x1f@fe80::2"},
        {TPA_ID_GUTI, TPA_ID_GUTI, "5G-GUTI-00101-CAFE-0001", "5g-guti-00101-cafe-0001",
         "5g-guti-00101-cafe-0002"},
        {TPA_ID_TMSI, TPA_ID_TMSI, "C0FFEE\xC9", "c0ffee\xC9", "c0ffee\xE9"},
        {TPA_ID_TMSI, TPA_ID_TMSI,
         "C0FFEE\xC9\xDA"
         "ABCD\xC1Z",
         "c0ffee\xC9\xDA"
         "abcd\xC1z",
         "c0ffee\xC9\xFA"
         "abcd\xC1z"},
        {TPA_ID_GUTI, TPA_ID_GUTI, "X@[AZ`{Y@[AZ`{YZ", "x@[az`{y@[az`{yz", "x@[az`{y@[az`{y"},
        {TPA_ID_UE_IP, TPA_ID_UE_IP, "2001:DB8::7 ", "2001:db8::7", "2001:db8::8"},
        {TPA_ID_SUCI, TPA_ID_SUCI, "SUCI-0-001-01-0000-1-2-ABCDEF", "suci-0-001-01-0000-1-2-abcdef",
         "suci-0-001-01-0000-1-2-abcdee"},
        {TPA_ID_SUPI, TPA_ID_IMSI, " IMSI-001010000000077", "001010000000077", "001010000000078"},
        {TPA_ID_SUPI, TPA_ID_SUPI, "NAI-Bob@Example.ORG", "nai-bob@example.org",
         "nai-bob@example.com"},
        {TPA_ID_MSISDN, TPA_ID_MSISDN, "TEL:+33600000077 ", "33600000077", "33600000078"},
        {TPA_ID_SIP_URI, TPA_ID_SIP_URI, "<SIP:Bob@X.org>;tag=1", "sip:bob@x.org", "sip:bob@x.com"},
        {TPA_ID_IMSI, TPA_ID_IMSI, " 001010000000099 ", "001010000000099", "001010000000098"},
        {TPA_ID_CALL_ID, TPA_ID_CALL_ID, " AbC@h", "AbC@h", "abc@h"},
    };
    tpa_intern_t *pool = tpa_intern_new();
    CHECK(pool != NULL);
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        tpa_ue_t *u = tpa_ue_new(pool, NULL);
        CHECK(u != NULL);
        const char *v[3] = {c[i].given, c[i].canon, c[i].other};
        tpa_id_kind_t k[3] = {c[i].kind, c[i].canon_kind, c[i].canon_kind};
        uint32_t x[3];
        for (int j = 0; j < 3; j++) {
            tpa_sig_t m = mk("test", "1", NULL, TPA_SIG_INDICATION, NULL, NULL);
            tpa_sig_add_id(&m, k[j], v[j]);
            x[j] = tpa_ue_join(u, &m, (uint64_t)j + 1, 1);
        }
        CHECKF(x[0] && x[0] == x[1] && x[2] && x[2] != x[0], "case %zu: %u %u %u", i, x[0], x[1],
               x[2]);
        tpa_ue_destroy(&u);
    }
    tpa_intern_destroy(&pool);
}

/* ues[]' ladder lists a subscriber's steps by (time, frame, order given) and its
 * transactions by (request time, id), whatever order they were given in: steps and
 * transactions out of time order within one subscriber, interleaved with another's
 * in order (the writer sorts only a subscriber found out of order). */
static void test_ladder_order(void)
{
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_t *u = tpa_ue_new(pool, NULL);
    CHECK(pool && u);
    uint32_t a[2];
    for (int i = 0; i < 2; i++) {
        tpa_sig_t m = mk("gtpv2", "32", NULL, TPA_SIG_INDICATION, NULL, NULL);
        tpa_sig_add_id(&m, TPA_ID_IMSI, i ? "001010000000002" : "001010000000001");
        a[i] = tpa_ue_join(u, &m, (uint64_t)i + 1, 1);
    }
    /* subscriber 0: (ts, frame) given 5/10 3/12 3/11 9/13 1/14 3/11; 1: in order */
    static const int64_t ts0[] = {5, 3, 3, 9, 1, 3};
    static const uint64_t fr0[] = {10, 12, 11, 13, 14, 11};
    static const char *const nm0[] = {"a", "b", "c", "d", "e", "f"};
    for (int i = 0; i < 6; i++) {
        tpa_ue_step_t st = {ts0[i],     fr0[i], "x", "y", "gtpv2", nm0[i], TPA_SIG_INDICATION,
                            TPA_SIG_OK, 0};
        tpa_ue_step(u, a[0], &st);
        tpa_ue_step_t st1 = {100 + i, 200 + (uint64_t)i,  "x",        "y", "gtpv2",
                             nm0[i],  TPA_SIG_INDICATION, TPA_SIG_OK, 0};
        tpa_ue_step(u, a[1], &st1);
    }
    tpa_ue_finish(u);
    uint32_t n0 = tpa_ue_number(u, a[0]), n1 = tpa_ue_number(u, a[1]);
    CHECK(n0 == 1 && n1 == 2);
    /* transactions of subscriber 1 given (id, time) 5/7 2/3 9/3 1/8; of 2 in order */
    static const uint64_t tx0[] = {5, 2, 9, 1};
    static const int64_t tt0[] = {7, 3, 3, 8};
    for (int i = 0; i < 4; i++) {
        CHECK(tpa_ue_add_txn(u, n0, tx0[i], tt0[i]) == 0);
        CHECK(tpa_ue_add_txn(u, n1, 20 + (uint64_t)i, 50 + i) == 0);
    }
    json_t *ues = tpa_ue_json(u, NULL, NULL);
    CHECK(json_array_size(ues) == 2);
    json_t *ld = json_object_get(json_array_get(ues, 0), "ladder");
    static const char *const want[] = {"e", "c", "f", "b", "a", "d"}; /* f after c: given later */
    CHECK(json_array_size(ld) == 6);
    for (size_t i = 0; i < 6 && i < json_array_size(ld); i++)
        CHECKF(strcmp(str(json_array_get(ld, i), "name"), want[i]) == 0, "step %zu: %s", i,
               str(json_array_get(ld, i), "name"));
    ld = json_object_get(json_array_get(ues, 1), "ladder");
    for (size_t i = 0; i < 6 && i < json_array_size(ld); i++)
        CHECK(strcmp(str(json_array_get(ld, i), "name"), nm0[i]) == 0);
    static const char *const wtx[] = {"t2", "t9", "t5", "t1"};
    json_t *tx = json_object_get(json_array_get(ues, 0), "transactions");
    CHECK(json_array_size(tx) == 4);
    for (size_t i = 0; i < 4 && i < json_array_size(tx); i++)
        CHECKF(strcmp(json_string_value(json_array_get(tx, i)), wtx[i]) == 0, "txn %zu", i);
    tx = json_object_get(json_array_get(ues, 1), "transactions");
    CHECK(json_array_size(tx) == 4 &&
          strcmp(json_string_value(json_array_get(tx, 0)), "t20") == 0 &&
          strcmp(json_string_value(json_array_get(tx, 3)), "t23") == 0);
    json_decref(ues);
    tpa_ue_destroy(&u);
    tpa_intern_destroy(&pool);
}

/* Every identity of a subscriber gets its subscriber's number after finish, 0 for one
 * not listed: subscribers of several identities joined in chains (trees of some
 * depth, roots anywhere among them), some listed and some not. */
static void test_numbers_of_every_node(void)
{
    enum { NUE = 60, DEPTH = 6, LISTED = 9 };
    tpa_intern_t *pool = tpa_intern_new();
    tpa_ue_limits_t lim = tpa_ue_default_limits();
    lim.max_doc = LISTED;
    tpa_ue_t *u = tpa_ue_new(pool, &lim);
    CHECK(pool && u);
    uint32_t node[NUE][DEPTH + 1];
    uint64_t frame = 1;
    for (int k = 0; k <= DEPTH; k++) /* breadth first: subscribers' identities interleave */
        for (int j = 0; j < NUE; j++) {
            char a[32], b[32];
            snprintf(a, sizeof a, "0x%x%02x@10.0.0.1", j + 1, k);
            snprintf(b, sizeof b, "0x%x%02x@10.0.0.1", j + 1, k - 1);
            tpa_sig_t m = mk("pfcp", "50", NULL, TPA_SIG_INDICATION, NULL, NULL);
            tpa_sig_add_id(&m, TPA_ID_TEID, a);
            if (k) tpa_sig_add_id(&m, TPA_ID_TEID, b);
            CHECK(tpa_ue_join(u, &m, frame++, 1) != 0);
            tpa_sig_t one = mk("pfcp", "50", NULL, TPA_SIG_INDICATION, NULL, NULL);
            tpa_sig_add_id(&one, TPA_ID_TEID, a);
            node[j][k] = tpa_ue_join(u, &one, frame++, 1); /* the node of a alone */
        }
    for (int j = 0; j < NUE; j++) { /* first message times: a permutation */
        tpa_ue_step_t st = {(j * 7) % NUE, (uint64_t)j + 1,    "a",        "b", "pfcp",
                            "x",           TPA_SIG_INDICATION, TPA_SIG_OK, 0};
        tpa_ue_step(u, node[j][DEPTH / 2], &st);
    }
    tpa_ue_finish(u);
    CHECK(tpa_ue_stats(u)->ues == NUE);
    for (int j = 0; j < NUE; j++) {
        int64_t ts = (j * 7) % NUE;
        uint32_t want = ts < LISTED ? (uint32_t)ts + 1 : 0;
        for (int k = 0; k <= DEPTH; k++)
            CHECKF(tpa_ue_number(u, node[j][k]) == want, "ue %d id %d: %u, want %u", j, k,
                   tpa_ue_number(u, node[j][k]), want);
    }
    json_t *ues = tpa_ue_json(u, NULL, NULL);
    CHECK(json_array_size(ues) == LISTED);
    for (size_t i = 0; i < json_array_size(ues); i++) /* each lists its own identities */
        CHECK(json_array_size(json_object_get(json_object_get(json_array_get(ues, i), "identities"),
                                              "teid")) == DEPTH + 1);
    json_decref(ues);
    tpa_ue_destroy(&u);
    tpa_intern_destroy(&pool);
}

/* A message without identities joins no subscriber, also when the place it is held
 * in (tpa_sigstate_feed holds messages in a ring) last held one with identities. */
static void test_no_ids_after_ids(void)
{
    tpa_sigstate_t *s = tpa_sigstate_new(NULL);
    tpa_sig_t a = mk("gtpv2", "32", "Create Session Request", TPA_SIG_INDICATION, NULL, NULL);
    tpa_sig_t b = a, none = a;
    tpa_sig_add_id(&a, TPA_ID_IMSI, "001010000000001");
    tpa_sig_add_id(&b, TPA_ID_IMSI, "001010000000002");
    feed(s, 1, S(1), 1, "a", "b", &a);
    feed(s, 2, S(2), 1, "a", "b", &b);
    for (int i = 0; i < 4; i++) /* each place of the ring */
        feed(s, 3 + (uint64_t)i, S(3 + i), 1, "a", "b", &none);
    json_t *doc = finish(s);
    json_t *ues = json_object_get(doc, "ues");
    CHECK(json_array_size(ues) == 2);
    for (size_t i = 0; i < json_array_size(ues); i++)
        CHECK(json_array_size(json_object_get(json_array_get(ues, i), "ladder")) == 1);
    json_decref(doc);
    tpa_sigstate_destroy(&s);
}

int main(void)
{
    test_no_ids_after_ids();
    test_numbers_of_every_node();
    test_ladder_order();
    test_normalised_forms();
    test_doc_values();
    test_doc_values_once();
    test_many_identities();
    test_aggregates_merge();
    test_step_copies();
    test_prepared_join();
    test_numbering_order();
    test_join_across_interfaces();
    test_conflict_and_supi();
    test_hub();
    test_id_reuse();
    test_caps();
    test_unlisted_transactions_join();
    return TEST_DONE();
}
