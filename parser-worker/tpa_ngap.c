/* tpa_ngap.c - NGAP (3GPP TS 38.413) over SCTP, aligned PER; see tpa_ngap.h.
 *
 * Tables follow TS 38.413 V17: procedure codes and message names from clause 9.4.3
 * (NGAP-PDU-Descriptions) and 9.4.7 (NGAP-Constants), cause values from 9.4.5
 * (NGAP-IEs, Cause*), item shapes of the PDU Session Resource lists from 9.4.5.
 */
#include "tpa_ngap.h"

#include "tpa_malformed.h"

/* ---- procedures (clause 8 titles, clause 9.4.3 message names) ---- */

static const tpa_ap_proc_t procs[] = {
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
static const char *const cause_nas[] = {"normal-release", "authentication-failure", "deregister",
                                        "unspecified", "uE-not-in-PLMN-serving-area"};
static const char *const cause_misc[] = {"control-processing-overload",
                                         "not-enough-user-plane-processing-resources",
                                         "hardware-failure",
                                         "om-intervention",
                                         "unknown-PLMN-or-SNPN",
                                         "unspecified"};

#define CG TPA_AP_CAUSE_GROUP
static const tpa_ap_cause_group_t cause_groups[] = {
    CG("radioNetwork", 45, cause_radio),
    CG("transport", 2, tpa_ap_cause_transport),
    CG("nas", 4, cause_nas),
    CG("protocol", 7, tpa_ap_cause_protocol),
    CG("misc", 6, cause_misc),
};

/* ---- the PDU Session Resource lists ---- */

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
static void read_session_list(const tpa_ap_proto_t *ap, tpa_per_t *p, int shape, tpa_ap_msg_t *m)
{
    size_t n = tpa_per_size(p, 1, 256, false);
    for (size_t i = 0; i < n && tpa_per_ok(p); i++) {
        bool has_nas = shape == SH_NAS_SNSSAI || shape == SH_NAS;
        bool ext = tpa_per_bit(p);
        uint32_t opt = tpa_per_bits(p, has_nas ? 2 : 1);
        unsigned psi = (unsigned)tpa_per_int(p, 0, 255);
        if (!tpa_per_ok(p)) break;
        tpa_ap_add_item(m, psi);
        if (has_nas && (opt & 2)) {
            tpa_rd_t nas;
            if (tpa_per_octets(p, 0, 0, false, &nas)) tpa_ap_add_nas(m, &nas, (int)psi);
        }
        if (shape == SH_NAS_SNSSAI || shape == SH_SNSSAI) skip_snssai(p);
        if (shape == SH_CAUSE) {
            unsigned g, v;
            tpa_ap_read_cause(ap, p, &g, &v);
        } else if (shape != SH_ID) {
            tpa_per_skip_octets(p, 0, 0, false);
        }
        if (opt & 1) tpa_per_skip_ext_container(p);
        if (ext) tpa_per_skip_seq_extensions(p);
    }
}

/* Any IE but the common ones: a PDU Session Resource list, or one not decoded. */
static void read_list(const tpa_ap_proto_t *ap, uint16_t id, tpa_per_t *p, tpa_ap_msg_t *m)
{
    int shape = list_shape(id);
    if (shape != SH_NONE) read_session_list(ap, p, shape, m);
}

/* ---- the protocol ---- */

const tpa_ap_proto_t tpa_ngap_proto = {
    .name = "ngap",
    .procs = procs,
    .nprocs = sizeof procs / sizeof procs[0],
    .causes = cause_groups,
    /* Cause ::= CHOICE {radioNetwork, transport, nas, protocol, misc, choice-Extensions} */
    .cause = {6, false},
    /* UE-NGAP-IDs ::= CHOICE {uE-NGAP-ID-pair, aMF-UE-NGAP-ID, choice-Extensions} */
    .ue_ids = {3, false},
    /* IE ids (9.4.7): RAN-UE-NGAP-ID, AMF-UE-NGAP-ID, Source-AMF-UE-NGAP-ID,
     * UE-NGAP-IDs, Cause, NAS-PDU */
    .ie = {.ran = 85, .cn = 10, .source_cn = 100, .ue_ids = 114, .cause = 15, .nas = 38},
    .ran_max = 4294967295ULL,   /* RAN-UE-NGAP-ID ::= INTEGER (0..2^32-1) */
    .cn_max = 1099511627775ULL, /* AMF-UE-NGAP-ID ::= INTEGER (0..2^40-1) */
    .proc = {.initial_ue = 15,
             .error_indication = 9,
             .ho_resource_allocation = 13,
             .ue_context_release = 41,
             .ue_context_release_request = 42,
             .private_message = 31},
    .ran_key = "ran",
    .cn_key = "amf",
    .ran_kind = TPA_ID_RAN_UE_NGAP_ID,
    .cn_kind = TPA_ID_AMF_UE_NGAP_ID,
    .mal = {.truncated = TPA_MAL_NGAP_TRUNCATED,
            .fragmented = TPA_MAL_NGAP_LENGTH_FRAGMENTED,
            .pdu_invalid = TPA_MAL_NGAP_PDU_INVALID,
            .open_type_invalid = TPA_MAL_NGAP_OPEN_TYPE_INVALID},
    .read_list = read_list,
    .nas_dissect = tpa_nas5gs_dissect,
};

void tpa_ngap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    tpa_ap_dissect(&tpa_ngap_proto, c, payload);
}

void tpa_ngap_state_free(void *state)
{
    tpa_ap_state_free(state);
}
