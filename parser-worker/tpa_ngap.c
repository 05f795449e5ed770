/* tpa_ngap.c - NGAP (3GPP TS 38.413) over SCTP, aligned PER; see tpa_ngap.h.
 *
 * Tables follow TS 38.413 V17: procedure codes and message names from clause 9.4.3
 * (NGAP-PDU-Descriptions) and 9.4.7 (NGAP-Constants), cause values from 9.4.5
 * (NGAP-IEs, Cause*), item shapes of the PDU Session Resource lists from 9.4.5.
 */
#include "tpa_ngap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_malformed.h"
#include "tpa_nas.h"
#include "tpa_per.h"
#include "tpa_sig.h"

/* ---- procedures (clause 8 titles, clause 9.4.3 message names) ---- */

typedef struct proc {
    const char *name;
    const char *msg[3]; /* initiating, successful, unsuccessful */
} proc_t;

static const proc_t procs[] = {
    [0] = {"AMF Configuration Update",
           {"AMFConfigurationUpdate", "AMFConfigurationUpdateAcknowledge",
            "AMFConfigurationUpdateFailure"}},
    [1] = {"AMF Status Indication", {"AMFStatusIndication"}},
    [2] = {"Cell Traffic Trace", {"CellTrafficTrace"}},
    [3] = {"Deactivate Trace", {"DeactivateTrace"}},
    [4] = {"Downlink NAS Transport", {"DownlinkNASTransport"}},
    [5] = {"Downlink Non UE Associated NRPPa Transport", {"DownlinkNonUEAssociatedNRPPaTransport"}},
    [6] = {"Downlink RAN Configuration Transfer", {"DownlinkRANConfigurationTransfer"}},
    [7] = {"Downlink RAN Status Transfer", {"DownlinkRANStatusTransfer"}},
    [8] = {"Downlink UE Associated NRPPa Transport", {"DownlinkUEAssociatedNRPPaTransport"}},
    [9] = {"Error Indication", {"ErrorIndication"}},
    [10] = {"Handover Cancel", {"HandoverCancel", "HandoverCancelAcknowledge"}},
    [11] = {"Handover Notification", {"HandoverNotify"}},
    [12] = {"Handover Preparation",
            {"HandoverRequired", "HandoverCommand", "HandoverPreparationFailure"}},
    [13] = {"Handover Resource Allocation",
            {"HandoverRequest", "HandoverRequestAcknowledge", "HandoverFailure"}},
    [14] = {"Initial Context Setup",
            {"InitialContextSetupRequest", "InitialContextSetupResponse",
             "InitialContextSetupFailure"}},
    [15] = {"Initial UE Message", {"InitialUEMessage"}},
    [16] = {"Location Reporting Control", {"LocationReportingControl"}},
    [17] = {"Location Reporting Failure Indication", {"LocationReportingFailureIndication"}},
    [18] = {"Location Report", {"LocationReport"}},
    [19] = {"NAS Non Delivery Indication", {"NASNonDeliveryIndication"}},
    [20] = {"NG Reset", {"NGReset", "NGResetAcknowledge"}},
    [21] = {"NG Setup", {"NGSetupRequest", "NGSetupResponse", "NGSetupFailure"}},
    [22] = {"Overload Start", {"OverloadStart"}},
    [23] = {"Overload Stop", {"OverloadStop"}},
    [24] = {"Paging", {"Paging"}},
    [25] = {"Path Switch Request",
            {"PathSwitchRequest", "PathSwitchRequestAcknowledge", "PathSwitchRequestFailure"}},
    [26] = {"PDU Session Resource Modify",
            {"PDUSessionResourceModifyRequest", "PDUSessionResourceModifyResponse"}},
    [27] = {"PDU Session Resource Modify Indication",
            {"PDUSessionResourceModifyIndication", "PDUSessionResourceModifyConfirm"}},
    [28] = {"PDU Session Resource Release",
            {"PDUSessionResourceReleaseCommand", "PDUSessionResourceReleaseResponse"}},
    [29] = {"PDU Session Resource Setup",
            {"PDUSessionResourceSetupRequest", "PDUSessionResourceSetupResponse"}},
    [30] = {"PDU Session Resource Notify", {"PDUSessionResourceNotify"}},
    [31] = {"Private Message", {"PrivateMessage"}},
    [32] = {"PWS Cancel", {"PWSCancelRequest", "PWSCancelResponse"}},
    [33] = {"PWS Failure Indication", {"PWSFailureIndication"}},
    [34] = {"PWS Restart Indication", {"PWSRestartIndication"}},
    [35] = {"RAN Configuration Update",
            {"RANConfigurationUpdate", "RANConfigurationUpdateAcknowledge",
             "RANConfigurationUpdateFailure"}},
    [36] = {"Reroute NAS Request", {"RerouteNASRequest"}},
    [37] = {"RRC Inactive Transition Report", {"RRCInactiveTransitionReport"}},
    [38] = {"Trace Failure Indication", {"TraceFailureIndication"}},
    [39] = {"Trace Start", {"TraceStart"}},
    [40] = {"UE Context Modification",
            {"UEContextModificationRequest", "UEContextModificationResponse",
             "UEContextModificationFailure"}},
    [41] = {"UE Context Release", {"UEContextReleaseCommand", "UEContextReleaseComplete"}},
    [42] = {"UE Context Release Request", {"UEContextReleaseRequest"}},
    [43] = {"UE Radio Capability Check",
            {"UERadioCapabilityCheckRequest", "UERadioCapabilityCheckResponse"}},
    [44] = {"UE Radio Capability Info Indication", {"UERadioCapabilityInfoIndication"}},
    [45] = {"UE TNLA Binding Release", {"UETNLABindingReleaseRequest"}},
    [46] = {"Uplink NAS Transport", {"UplinkNASTransport"}},
    [47] = {"Uplink Non UE Associated NRPPa Transport", {"UplinkNonUEAssociatedNRPPaTransport"}},
    [48] = {"Uplink RAN Configuration Transfer", {"UplinkRANConfigurationTransfer"}},
    [49] = {"Uplink RAN Status Transfer", {"UplinkRANStatusTransfer"}},
    [50] = {"Uplink UE Associated NRPPa Transport", {"UplinkUEAssociatedNRPPaTransport"}},
    [51] = {"Write-Replace Warning", {"WriteReplaceWarningRequest", "WriteReplaceWarningResponse"}},
    [52] = {"Secondary RAT Data Usage Report", {"SecondaryRATDataUsageReport"}},
    [53] = {"Uplink RIM Information Transfer", {"UplinkRIMInformationTransfer"}},
    [54] = {"Downlink RIM Information Transfer", {"DownlinkRIMInformationTransfer"}},
    [55] = {"Retrieve UE Information", {"RetrieveUEInformation"}},
    [56] = {"UE Information Transfer", {"UEInformationTransfer"}},
    [57] = {"RAN CP Relocation Indication", {"RANCPRelocationIndication"}},
    [58] = {"UE Context Resume",
            {"UEContextResumeRequest", "UEContextResumeResponse", "UEContextResumeFailure"}},
    [59] = {"UE Context Suspend",
            {"UEContextSuspendRequest", "UEContextSuspendResponse", "UEContextSuspendFailure"}},
    [60] = {"UE Radio Capability ID Mapping",
            {"UERadioCapabilityIDMappingRequest", "UERadioCapabilityIDMappingResponse"}},
    [61] = {"Handover Success", {"HandoverSuccess"}},
    [62] = {"Uplink RAN Early Status Transfer", {"UplinkRANEarlyStatusTransfer"}},
    [63] = {"Downlink RAN Early Status Transfer", {"DownlinkRANEarlyStatusTransfer"}},
    [64] = {"AMF CP Relocation Indication", {"AMFCPRelocationIndication"}},
    [65] = {"Connection Establishment Indication", {"ConnectionEstablishmentIndication"}},
    [66] = {"Broadcast Session Modification",
            {"BroadcastSessionModificationRequest", "BroadcastSessionModificationResponse",
             "BroadcastSessionModificationFailure"}},
    [67] = {"Broadcast Session Release",
            {"BroadcastSessionReleaseRequest", "BroadcastSessionReleaseResponse"}},
    [68] = {"Broadcast Session Setup",
            {"BroadcastSessionSetupRequest", "BroadcastSessionSetupResponse",
             "BroadcastSessionSetupFailure"}},
    [69] = {"Distribution Setup",
            {"DistributionSetupRequest", "DistributionSetupResponse", "DistributionSetupFailure"}},
    [70] = {"Distribution Release", {"DistributionReleaseRequest", "DistributionReleaseResponse"}},
    [71] = {"Multicast Session Activation",
            {"MulticastSessionActivationRequest", "MulticastSessionActivationResponse",
             "MulticastSessionActivationFailure"}},
    [72] = {"Multicast Session Deactivation",
            {"MulticastSessionDeactivationRequest", "MulticastSessionDeactivationResponse"}},
    [73] = {"Multicast Session Update",
            {"MulticastSessionUpdateRequest", "MulticastSessionUpdateResponse",
             "MulticastSessionUpdateFailure"}},
    [74] = {"Multicast Group Paging", {"MulticastGroupPaging"}},
    [75] = {"Broadcast Session Release Required", {"BroadcastSessionReleaseRequired"}},
};

#define NPROCS (sizeof procs / sizeof procs[0])

enum {
    PROC_ERROR_INDICATION = 9,
    PROC_HO_RESOURCE_ALLOCATION = 13,
    PROC_PRIVATE_MESSAGE = 31,
    PROC_UE_CONTEXT_RELEASE = 41,
    PROC_UE_CONTEXT_RELEASE_REQUEST = 42
};

const char *tpa_ngap_message_name(unsigned proc, int pdu_type)
{
    if (proc >= NPROCS || pdu_type < 0 || pdu_type > 2) return NULL;
    return procs[proc].msg[pdu_type];
}

const char *tpa_ngap_procedure_name(unsigned proc)
{
    return proc < NPROCS ? procs[proc].name : NULL;
}

bool tpa_ngap_class1(unsigned proc)
{
    return proc < NPROCS && procs[proc].msg[1] != NULL;
}

/* ---- causes (9.4.5 CauseRadioNetwork ... CauseMisc; root values, then extensions) ---- */

static const char *const cause_radio[] = {
    "unspecified", "txnrelocoverall-expiry", "successful-handover",
    "release-due-to-ngran-generated-reason", "release-due-to-5gc-generated-reason",
    "handover-cancelled", "partial-handover",
    "ho-failure-in-target-5GC-ngran-node-or-target-system", "ho-target-not-allowed",
    "tngrelocoverall-expiry", "tngrelocprep-expiry", "cell-not-available", "unknown-targetID",
    "no-radio-resources-available-in-target-cell", "unknown-local-UE-NGAP-ID",
    "inconsistent-remote-UE-NGAP-ID", "handover-desirable-for-radio-reason",
    "time-critical-handover", "resource-optimisation-handover", "reduce-load-in-serving-cell",
    "user-inactivity", "radio-connection-with-ue-lost", "radio-resources-not-available",
    "invalid-qos-combination", "failure-in-radio-interface-procedure",
    "interaction-with-other-procedure", "unknown-PDU-session-ID", "unkown-qos-flow-ID",
    "multiple-PDU-session-ID-instances", "multiple-qos-flow-ID-instances",
    "encryption-and-or-integrity-protection-algorithms-not-supported",
    "ng-intra-system-handover-triggered", "ng-inter-system-handover-triggered",
    "xn-handover-triggered", "not-supported-5QI-value", "ue-context-transfer",
    "ims-voice-eps-fallback-or-rat-fallback-triggered", "up-integrity-protection-not-possible",
    "up-confidentiality-protection-not-possible", "slice-not-supported",
    "ue-in-rrc-inactive-state-not-reachable", "redirection",
    "resources-not-available-for-the-slice", "ue-max-integrity-protected-data-rate-reason",
    "release-due-to-cn-detected-mobility",
    /* extensions */
    "n26-interface-not-available", "release-due-to-pre-emption",
    "multiple-location-reporting-reference-ID-instances", "rsn-not-available-for-the-up",
    "npn-access-denied", "cag-only-access-denied", "insufficient-ue-capabilities",
    "redcap-ue-not-supported", "unknown-MBS-Session-ID",
    "indicated-MBS-session-area-information-not-served-by-the-gNB",
    "inconsistent-slice-info-for-the-session", "misaligned-association-for-multicast-unicast"};
static const char *const cause_transport[] = {"transport-resource-unavailable", "unspecified"};
static const char *const cause_nas[] = {"normal-release", "authentication-failure", "deregister",
                                        "unspecified", "uE-not-in-PLMN-serving-area"};
static const char *const cause_protocol[] = {"transfer-syntax-error",
                                             "abstract-syntax-error-reject",
                                             "abstract-syntax-error-ignore-and-notify",
                                             "message-not-compatible-with-receiver-state",
                                             "semantic-error",
                                             "abstract-syntax-error-falsely-constructed-message",
                                             "unspecified"};
static const char *const cause_misc[] = {"control-processing-overload",
                                         "not-enough-user-plane-processing-resources",
                                         "hardware-failure",
                                         "om-intervention",
                                         "unknown-PLMN-or-SNPN",
                                         "unspecified"};

typedef struct cause_group {
    const char *name;
    unsigned nroot; /* root enumeration values (the PER index width) */
    unsigned n;     /* names known (root + extensions) */
    const char *const *names;
} cause_group_t;

#define CG(name, nroot, arr)                                                                       \
    {                                                                                              \
        name, nroot, sizeof arr / sizeof arr[0], arr                                               \
    }
static const cause_group_t cause_groups[] = {
    CG("radioNetwork", 45, cause_radio),
    CG("transport", 2, cause_transport),
    CG("nas", 4, cause_nas),
    CG("protocol", 7, cause_protocol),
    CG("misc", 6, cause_misc),
};

const char *tpa_ngap_cause_group_name(unsigned group)
{
    if (group < 5) return cause_groups[group].name;
    return group == TPA_NGAP_CAUSE_EXTENSION ? "choice-Extensions" : NULL;
}

const char *tpa_ngap_cause_name(unsigned group, unsigned value)
{
    if (group >= 5 || value >= cause_groups[group].n) return NULL;
    return cause_groups[group].names[value];
}

/* ---- decoding ---- */

/* IE ids (9.4.7). */
enum {
    IE_AMF_UE_NGAP_ID = 10,
    IE_CAUSE = 15,
    IE_NAS_PDU = 38,
    IE_RAN_UE_NGAP_ID = 85,
    IE_SOURCE_AMF_UE_NGAP_ID = 100,
    IE_UE_NGAP_IDS = 114
};

#define AMF_ID_MAX 1099511627775ULL /* AMF-UE-NGAP-ID ::= INTEGER (0..2^40-1) */
#define RAN_ID_MAX 4294967295ULL    /* RAN-UE-NGAP-ID ::= INTEGER (0..2^32-1) */

static void note(tpa_ngap_msg_t *m, int reason, bool short_read)
{
    if (m->malformed < 0) {
        m->malformed = reason;
        m->short_read = short_read;
    }
}

/* Records the error of p: at the message level (outer) or inside an open type. */
static void note_per(tpa_ngap_msg_t *m, const tpa_per_t *p, bool outer)
{
    switch (p->err) {
    case TPA_PER_OK:
        return;
    case TPA_PER_FRAGMENTED:
        note(m, TPA_MAL_NGAP_LENGTH_FRAGMENTED, false);
        return;
    case TPA_PER_SHORT:
        if (outer)
            note(m, TPA_MAL_NGAP_TRUNCATED, true);
        else
            note(m, TPA_MAL_NGAP_OPEN_TYPE_INVALID, false);
        return;
    case TPA_PER_INVALID:
        note(m, outer ? TPA_MAL_NGAP_PDU_INVALID : TPA_MAL_NGAP_OPEN_TYPE_INVALID, false);
        return;
    }
}

static void add_session(tpa_ngap_msg_t *m, unsigned psi)
{
    for (unsigned i = 0; i < m->n_sessions; i++)
        if (m->sessions[i] == psi) return;
    if (m->n_sessions < TPA_NGAP_MAX_SESSIONS) m->sessions[m->n_sessions++] = (uint8_t)psi;
}

static void add_nas(tpa_ngap_msg_t *m, const tpa_rd_t *pdu, int psi)
{
    if (m->n_nas < TPA_NGAP_MAX_NAS && tpa_rd_remaining(pdu) > 0) {
        m->nas[m->n_nas].pdu = *pdu;
        m->nas[m->n_nas].psi = psi;
        m->n_nas++;
    }
}

/* Cause ::= CHOICE {radioNetwork, transport, nas, protocol, misc, choice-Extensions};
 * each a CauseX ::= ENUMERATED {..., ...}. */
static void read_cause(tpa_per_t *p, unsigned *group, unsigned *value)
{
    *group = tpa_per_index(p, 6, false);
    *value = 0;
    if (*group < 5) {
        *value = tpa_per_index(p, cause_groups[*group].nroot, true);
    } else {
        tpa_rd_t v; /* ProtocolIE-SingleContainer */
        uint16_t id;
        unsigned crit;
        tpa_per_ie_field(p, &id, &crit, &v);
    }
}

/* S-NSSAI ::= SEQUENCE {sST OCTET STRING (SIZE(1)), sD OCTET STRING (SIZE(3)) OPTIONAL,
 * iE-Extensions OPTIONAL, ...} */
static void skip_snssai(tpa_per_t *p)
{
    bool ext = tpa_per_bit(p);
    uint32_t opt = tpa_per_bits(p, 2);
    tpa_per_skip_octets(p, 1, 1, false);
    if (opt & 2) tpa_per_skip_octets(p, 3, 3, false);
    if (opt & 1) tpa_per_skip_ext_container(p);
    if (ext) tpa_per_skip_seq_extensions(p);
}

/* Shapes of the PDU Session Resource list items (9.4.5); every item starts with
 * pDUSessionID INTEGER (0..255) and ends with iE-Extensions OPTIONAL, ... */
enum {
    SH_NONE = 0,
    SH_TRANSFER,   /* pDUSessionID, <...Transfer> OCTET STRING */
    SH_NAS_SNSSAI, /* pDUSessionID, NAS-PDU OPTIONAL, s-NSSAI, <...Transfer> */
    SH_NAS,        /* pDUSessionID, NAS-PDU OPTIONAL, <...Transfer> */
    SH_SNSSAI,     /* pDUSessionID, s-NSSAI, <...Transfer> */
    SH_ID,         /* pDUSessionID */
    SH_CAUSE       /* pDUSessionID, cause */
};

/* The PDU Session Resource list IEs (9.4.7 ids) and their item shapes. */
static const struct {
    uint16_t id;
    uint8_t shape;
} lists[] = {
    {53, SH_TRANSFER},   /* PDUSessionResourceAdmittedList */
    {54, SH_TRANSFER},   /* PDUSessionResourceFailedToModifyListModRes */
    {55, SH_TRANSFER},   /* PDUSessionResourceFailedToSetupListCxtRes */
    {56, SH_TRANSFER},   /* PDUSessionResourceFailedToSetupListHOAck */
    {57, SH_TRANSFER},   /* PDUSessionResourceFailedToSetupListPSReq */
    {58, SH_TRANSFER},   /* PDUSessionResourceFailedToSetupListSURes */
    {59, SH_TRANSFER},   /* PDUSessionResourceHandoverList */
    {60, SH_ID},         /* PDUSessionResourceListCxtRelCpl */
    {61, SH_TRANSFER},   /* PDUSessionResourceListHORqd */
    {62, SH_TRANSFER},   /* PDUSessionResourceModifyListModCfm */
    {63, SH_TRANSFER},   /* PDUSessionResourceModifyListModInd */
    {64, SH_NAS},        /* PDUSessionResourceModifyListModReq */
    {65, SH_TRANSFER},   /* PDUSessionResourceModifyListModRes */
    {66, SH_TRANSFER},   /* PDUSessionResourceNotifyList */
    {67, SH_TRANSFER},   /* PDUSessionResourceReleasedListNot */
    {68, SH_TRANSFER},   /* PDUSessionResourceReleasedListPSAck */
    {69, SH_TRANSFER},   /* PDUSessionResourceReleasedListPSFail */
    {70, SH_TRANSFER},   /* PDUSessionResourceReleasedListRelRes */
    {71, SH_NAS_SNSSAI}, /* PDUSessionResourceSetupListCxtReq */
    {72, SH_TRANSFER},   /* PDUSessionResourceSetupListCxtRes */
    {73, SH_SNSSAI},     /* PDUSessionResourceSetupListHOReq */
    {74, SH_NAS_SNSSAI}, /* PDUSessionResourceSetupListSUReq */
    {75, SH_TRANSFER},   /* PDUSessionResourceSetupListSURes */
    {76, SH_TRANSFER},   /* PDUSessionResourceToBeSwitchedDLList */
    {77, SH_TRANSFER},   /* PDUSessionResourceSwitchedList */
    {78, SH_TRANSFER},   /* PDUSessionResourceToReleaseListHOCmd */
    {79, SH_TRANSFER},   /* PDUSessionResourceToReleaseListRelCmd */
    {131, SH_TRANSFER},  /* PDUSessionResourceFailedToModifyListModCfm */
    {132, SH_TRANSFER},  /* PDUSessionResourceFailedToSetupListCxtFail */
    {133, SH_ID},        /* PDUSessionResourceListCxtRelReq */
    {142, SH_TRANSFER},  /* PDUSessionResourceSecondaryRATUsageList */
    {229, SH_CAUSE},     /* PDUSessionResourceFailedToResumeListRESReq */
    {230, SH_CAUSE},     /* PDUSessionResourceFailedToResumeListRESRes */
    {231, SH_TRANSFER},  /* PDUSessionResourceSuspendListSUSReq */
    {232, SH_TRANSFER},  /* PDUSessionResourceResumeListRESReq */
    {233, SH_TRANSFER},  /* PDUSessionResourceResumeListRESRes */
};

static int list_shape(uint16_t id)
{
    for (size_t i = 0; i < sizeof lists / sizeof lists[0]; i++)
        if (lists[i].id == id) return lists[i].shape;
    return SH_NONE;
}

/* SEQUENCE (SIZE(1..maxnoofPDUSessions)) OF <item of shape>. */
static void read_session_list(tpa_per_t *p, int shape, tpa_ngap_msg_t *m)
{
    size_t n = tpa_per_size(p, 1, 256, false);
    for (size_t i = 0; i < n && tpa_per_ok(p); i++) {
        bool has_nas = shape == SH_NAS_SNSSAI || shape == SH_NAS;
        bool ext = tpa_per_bit(p);
        uint32_t opt = tpa_per_bits(p, has_nas ? 2 : 1);
        unsigned psi = (unsigned)tpa_per_int(p, 0, 255);
        if (!tpa_per_ok(p)) break;
        add_session(m, psi);
        if (has_nas && (opt & 2)) {
            tpa_rd_t nas;
            if (tpa_per_octets(p, 0, 0, false, &nas)) add_nas(m, &nas, (int)psi);
        }
        if (shape == SH_NAS_SNSSAI || shape == SH_SNSSAI) skip_snssai(p);
        if (shape == SH_CAUSE) {
            unsigned g, v;
            read_cause(p, &g, &v);
        } else if (shape != SH_ID) {
            tpa_per_skip_octets(p, 0, 0, false);
        }
        if (opt & 1) tpa_per_skip_ext_container(p);
        if (ext) tpa_per_skip_seq_extensions(p);
    }
}

/* One IE value (the open type's contents). */
static void read_ie(uint16_t id, const tpa_rd_t *value, tpa_ngap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    switch (id) {
    case IE_RAN_UE_NGAP_ID: {
        uint64_t v = tpa_per_int(&p, 0, RAN_ID_MAX);
        if (tpa_per_ok(&p)) m->has_ran_id = true, m->ran_id = v;
        break;
    }
    case IE_AMF_UE_NGAP_ID:
    case IE_SOURCE_AMF_UE_NGAP_ID: {
        uint64_t v = tpa_per_int(&p, 0, AMF_ID_MAX);
        if (tpa_per_ok(&p) && (id == IE_AMF_UE_NGAP_ID || !m->has_amf_id))
            m->has_amf_id = true, m->amf_id = v;
        break;
    }
    case IE_UE_NGAP_IDS: { /* CHOICE {uE-NGAP-ID-pair, aMF-UE-NGAP-ID, choice-Extensions} */
        unsigned alt = tpa_per_index(&p, 3, false);
        if (alt == 0) { /* SEQUENCE {aMF-UE-NGAP-ID, rAN-UE-NGAP-ID, iE-Extensions OPT, ...} */
            bool ext = tpa_per_bit(&p);
            uint32_t opt = tpa_per_bits(&p, 1);
            uint64_t amf = tpa_per_int(&p, 0, AMF_ID_MAX);
            uint64_t ran = tpa_per_int(&p, 0, RAN_ID_MAX);
            if (tpa_per_ok(&p)) {
                m->has_amf_id = true, m->amf_id = amf;
                m->has_ran_id = true, m->ran_id = ran;
            }
            if (opt) tpa_per_skip_ext_container(&p);
            if (ext) tpa_per_skip_seq_extensions(&p);
        } else if (alt == 1) {
            uint64_t amf = tpa_per_int(&p, 0, AMF_ID_MAX);
            if (tpa_per_ok(&p)) m->has_amf_id = true, m->amf_id = amf;
        }
        break;
    }
    case IE_CAUSE: {
        unsigned g, v;
        read_cause(&p, &g, &v);
        if (tpa_per_ok(&p) && !m->has_cause) {
            m->has_cause = true;
            m->cause_group = g;
            m->cause_value = v;
        }
        break;
    }
    case IE_NAS_PDU: {
        tpa_rd_t nas;
        if (tpa_per_octets(&p, 0, 0, false, &nas)) add_nas(m, &nas, -1);
        break;
    }
    default: {
        int shape = list_shape(id);
        if (shape != SH_NONE) read_session_list(&p, shape, m);
        break;
    }
    }
    note_per(m, &p, false);
}

/* The message value: SEQUENCE {protocolIEs ProtocolIE-Container, ...}. */
static void read_value(const tpa_rd_t *value, tpa_ngap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    bool ext = tpa_per_bit(&p);
    size_t n = tpa_per_ie_count(&p);
    for (size_t i = 0; i < n && tpa_per_ok(&p); i++) {
        uint16_t id;
        unsigned crit;
        tpa_rd_t v;
        if (!tpa_per_ie_field(&p, &id, &crit, &v)) break;
        m->n_ies++;
        read_ie(id, &v, m);
    }
    if (ext) tpa_per_skip_seq_extensions(&p);
    note_per(m, &p, false);
}

bool tpa_ngap_decode(tpa_rd_t *pdu, tpa_ngap_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->malformed = -1;
    tpa_per_t p;
    tpa_per_init(&p, pdu);
    tpa_rd_skip(pdu, tpa_rd_remaining(pdu)); /* consumed, whatever follows */
    unsigned type = tpa_per_index(&p, 3, true);
    if (tpa_per_ok(&p) && type > TPA_NGAP_UNSUCCESSFUL) tpa_per_fail(&p, TPA_PER_INVALID);
    m->proc = (unsigned)tpa_per_int(&p, 0, 255);
    if (!tpa_per_ok(&p)) {
        note_per(m, &p, true);
        return false;
    }
    m->pdu_type = (int)type;
    m->criticality = (unsigned)tpa_per_int(&p, 0, 2);
    tpa_rd_t value;
    bool cut = false;
    if (tpa_per_open_type_upto(&p, &value, &cut)) {
        if (cut) note(m, TPA_MAL_NGAP_TRUNCATED, true); /* decode what was kept */
        if (m->proc != PROC_PRIVATE_MESSAGE) read_value(&value, m);
    }
    note_per(m, &p, true);
    return true;
}

/* ---- per-association state ---- */

#define ID_CACHE 256 /* AMF UE id -> RAN UE id pairs remembered per association */

typedef struct ngap_flow {
    tpa_nas_assoc_t *nas;
    struct {
        uint64_t amf;
        uint32_t ran;
        bool used;
    } ids[ID_CACHE];
} ngap_flow_t;

static unsigned id_slot(uint64_t amf)
{
    return (unsigned)((amf * 0x9e3779b97f4a7c15ULL) >> 56) % ID_CACHE;
}

/* Remembers amf -> ran (a newer pair for the same slot replaces an older one). */
static void ids_put(ngap_flow_t *st, uint64_t amf, uint64_t ran)
{
    unsigned i = id_slot(amf);
    st->ids[i].amf = amf;
    st->ids[i].ran = (uint32_t)ran;
    st->ids[i].used = true;
}

static bool ids_get(const ngap_flow_t *st, uint64_t amf, uint64_t *ran)
{
    unsigned i = id_slot(amf);
    if (!st->ids[i].used || st->ids[i].amf != amf) return false;
    *ran = st->ids[i].ran;
    return true;
}

void tpa_ngap_state_free(void *state)
{
    ngap_flow_t *st = state;
    if (!st) return;
    tpa_nas_assoc_destroy(&st->nas);
    free(st);
}

/* ---- reporting ---- */

static const char *const pdu_word[3] = {"initiating", "successful", "unsuccessful"};

/* Reports m (ran/has_ran: the RAN UE id, from the message or the association). */
static void report(tpa_dissect_ctx_t *c, const tpa_ngap_msg_t *m, bool has_ran, uint64_t ran)
{
    char code[24], key[40], ran_s[24], amf_s[24], cause_name[96];
    char psi_s[TPA_NGAP_MAX_SESSIONS][4];
    snprintf(code, sizeof code, "%u/%s", m->proc, pdu_word[m->pdu_type]);

    tpa_sig_t s;
    memset(&s, 0, sizeof s);
    s.protocol = "ngap";
    s.code = code;
    s.name = tpa_ngap_message_name(m->proc, m->pdu_type);
    s.procedure = tpa_ngap_procedure_name(m->proc);
    if (m->pdu_type != TPA_NGAP_INITIATING)
        s.kind = TPA_SIG_RESPONSE;
    else
        s.kind = tpa_ngap_class1(m->proc) ? TPA_SIG_REQUEST : TPA_SIG_INDICATION;
    s.outcome = m->pdu_type == TPA_NGAP_UNSUCCESSFUL ? TPA_SIG_FAILURE : TPA_SIG_OK;
    /* Initial UE Message opens a UE-associated connection; UE Context Release
     * Complete ends it, freeing its UE ids for reuse (tpa_sig.h UE_NEW / UE_END) */
    if (m->proc == 15 /* Initial UE Message */) s.flags |= TPA_SIG_UE_NEW;
    if (m->proc == PROC_UE_CONTEXT_RELEASE && m->pdu_type != TPA_NGAP_INITIATING) s.flags |= TPA_SIG_UE_END;
    if (m->proc == PROC_ERROR_INDICATION) s.outcome = TPA_SIG_FAILURE;

    if (m->proc == PROC_HO_RESOURCE_ALLOCATION && m->has_amf_id)
        snprintf(key, sizeof key, "amf=%llu", (unsigned long long)m->amf_id);
    else if (has_ran)
        snprintf(key, sizeof key, "ran=%llu", (unsigned long long)ran);
    else if (m->has_amf_id)
        snprintf(key, sizeof key, "amf=%llu", (unsigned long long)m->amf_id);
    else
        snprintf(key, sizeof key, "nonue");
    s.key = key;

    bool cause_wanted = m->pdu_type == TPA_NGAP_UNSUCCESSFUL || m->proc == PROC_ERROR_INDICATION ||
                        m->proc == PROC_UE_CONTEXT_RELEASE_REQUEST ||
                        (m->proc == PROC_UE_CONTEXT_RELEASE && m->pdu_type == TPA_NGAP_INITIATING);
    if (m->has_cause && cause_wanted && m->cause_group < 5) {
        const char *v = tpa_ngap_cause_name(m->cause_group, m->cause_value);
        char unknown[16];
        if (!v) {
            snprintf(unknown, sizeof unknown, "%u", m->cause_value);
            v = unknown;
        }
        snprintf(cause_name, sizeof cause_name, "%s/%s", tpa_ngap_cause_group_name(m->cause_group),
                 v);
        s.has_cause = true;
        s.cause = (int64_t)m->cause_group * 1000 + m->cause_value;
        s.cause_name = cause_name;
        s.cause_family = "ngap";
    }

    if (has_ran) {
        snprintf(ran_s, sizeof ran_s, "%llu", (unsigned long long)ran);
        tpa_sig_add_id(&s, TPA_ID_RAN_UE_NGAP_ID, ran_s);
    }
    if (m->has_amf_id) {
        snprintf(amf_s, sizeof amf_s, "%llu", (unsigned long long)m->amf_id);
        tpa_sig_add_id(&s, TPA_ID_AMF_UE_NGAP_ID, amf_s);
    }
    for (unsigned i = 0; i < m->n_sessions; i++) {
        snprintf(psi_s[i], sizeof psi_s[i], "%u", m->sessions[i]);
        tpa_sig_add_id(&s, TPA_ID_PDU_SESSION, psi_s[i]);
    }
    tpa_sig_report(c, &s);
}

void tpa_ngap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    tpa_ngap_msg_t m;
    bool counted = tpa_ngap_decode(payload, &m);
    if (m.malformed >= 0) {
        if (m.short_read)
            tpa_dissect_short(c, m.malformed);
        else
            tpa_dissect_malformed(c, m.malformed);
    }
    if (!counted) return;

    ngap_flow_t *st = tpa_dissect_state(c, sizeof *st);
    uint64_t ran = m.ran_id;
    bool has_ran = m.has_ran_id;
    if (st && m.has_amf_id) {
        if (has_ran)
            ids_put(st, m.amf_id, ran);
        else
            has_ran = ids_get(st, m.amf_id, &ran);
    }
    report(c, &m, has_ran, ran);

    for (unsigned i = 0; i < m.n_nas; i++) {
        tpa_nas_ue_t ue = {.has_ran_ue_id = has_ran,
                           .has_cn_ue_id = m.has_amf_id,
                           .ran_ue_id = ran,
                           .cn_ue_id = m.amf_id,
                           .assoc = st ? &st->nas : NULL};
        tpa_rd_t pdu = m.nas[i].pdu;
        tpa_nas5gs_dissect(c, &pdu, &ue);
    }
}
