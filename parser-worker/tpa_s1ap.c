/* tpa_s1ap.c - S1AP (3GPP TS 36.413) over SCTP, aligned PER; see tpa_s1ap.h.
 *
 * Tables follow TS 36.413 V17: procedure codes and message names from clause 9.3.3
 * (S1AP-PDU-Descriptions) and 9.3.6 (S1AP-Constants), cause values and item types
 * from 9.3.4 (S1AP-PDU-Contents) and 9.3.5 (S1AP-IEs).
 */
#include "tpa_s1ap.h"

#include "tpa_malformed.h"

/* ---- procedures (clause 8 titles, clause 9.3.3 message names) ---- */

static const tpa_ap_proc_t procs[] = {
    [0] = {"Handover Preparation",
           {"HandoverRequired", "HandoverCommand", "HandoverPreparationFailure"}},
    [1] = {"Handover Resource Allocation",
           {"HandoverRequest", "HandoverRequestAcknowledge", "HandoverFailure"}},
    [2] = {"Handover Notification", {"HandoverNotify"}},
    [3] = {"Path Switch Request",
           {"PathSwitchRequest", "PathSwitchRequestAcknowledge", "PathSwitchRequestFailure"}},
    [4] = {"Handover Cancel", {"HandoverCancel", "HandoverCancelAcknowledge"}},
    [5] = {"E-RAB Setup", {"E-RABSetupRequest", "E-RABSetupResponse"}},
    [6] = {"E-RAB Modify", {"E-RABModifyRequest", "E-RABModifyResponse"}},
    [7] = {"E-RAB Release", {"E-RABReleaseCommand", "E-RABReleaseResponse"}},
    [8] = {"E-RAB Release Indication", {"E-RABReleaseIndication"}},
    [9] = {"Initial Context Setup",
           {"InitialContextSetupRequest", "InitialContextSetupResponse",
            "InitialContextSetupFailure"}},
    [10] = {"Paging", {"Paging"}},
    [11] = {"Downlink NAS Transport", {"DownlinkNASTransport"}},
    [12] = {"Initial UE Message", {"InitialUEMessage"}},
    [13] = {"Uplink NAS Transport", {"UplinkNASTransport"}},
    [14] = {"Reset", {"Reset", "ResetAcknowledge"}},
    [15] = {"Error Indication", {"ErrorIndication"}},
    [16] = {"NAS Non Delivery Indication", {"NASNonDeliveryIndication"}},
    [17] = {"S1 Setup", {"S1SetupRequest", "S1SetupResponse", "S1SetupFailure"}},
    [18] = {"UE Context Release Request", {"UEContextReleaseRequest"}},
    [19] = {"Downlink S1 CDMA2000 Tunnelling", {"DownlinkS1cdma2000tunnelling"}},
    [20] = {"Uplink S1 CDMA2000 Tunnelling", {"UplinkS1cdma2000tunnelling"}},
    [21] = {"UE Context Modification",
            {"UEContextModificationRequest", "UEContextModificationResponse",
             "UEContextModificationFailure"}},
    [22] = {"UE Capability Info Indication", {"UECapabilityInfoIndication"}},
    [23] = {"UE Context Release", {"UEContextReleaseCommand", "UEContextReleaseComplete"}},
    [24] = {"eNB Status Transfer", {"ENBStatusTransfer"}},
    [25] = {"MME Status Transfer", {"MMEStatusTransfer"}},
    [26] = {"Deactivate Trace", {"DeactivateTrace"}},
    [27] = {"Trace Start", {"TraceStart"}},
    [28] = {"Trace Failure Indication", {"TraceFailureIndication"}},
    [29] = {"eNB Configuration Update",
            {"ENBConfigurationUpdate", "ENBConfigurationUpdateAcknowledge",
             "ENBConfigurationUpdateFailure"}},
    [30] = {"MME Configuration Update",
            {"MMEConfigurationUpdate", "MMEConfigurationUpdateAcknowledge",
             "MMEConfigurationUpdateFailure"}},
    [31] = {"Location Reporting Control", {"LocationReportingControl"}},
    [32] = {"Location Reporting Failure Indication", {"LocationReportingFailureIndication"}},
    [33] = {"Location Report", {"LocationReport"}},
    [34] = {"Overload Start", {"OverloadStart"}},
    [35] = {"Overload Stop", {"OverloadStop"}},
    [36] = {"Write-Replace Warning", {"WriteReplaceWarningRequest", "WriteReplaceWarningResponse"}},
    [37] = {"eNB Direct Information Transfer", {"ENBDirectInformationTransfer"}},
    [38] = {"MME Direct Information Transfer", {"MMEDirectInformationTransfer"}},
    [39] = {"Private Message", {"PrivateMessage"}},
    [40] = {"eNB Configuration Transfer", {"ENBConfigurationTransfer"}},
    [41] = {"MME Configuration Transfer", {"MMEConfigurationTransfer"}},
    [42] = {"Cell Traffic Trace", {"CellTrafficTrace"}},
    [43] = {"Kill", {"KillRequest", "KillResponse"}},
    [44] = {"Downlink UE Associated LPPa Transport", {"DownlinkUEAssociatedLPPaTransport"}},
    [45] = {"Uplink UE Associated LPPa Transport", {"UplinkUEAssociatedLPPaTransport"}},
    [46] = {"Downlink Non UE Associated LPPa Transport", {"DownlinkNonUEAssociatedLPPaTransport"}},
    [47] = {"Uplink Non UE Associated LPPa Transport", {"UplinkNonUEAssociatedLPPaTransport"}},
    [48] = {"UE Radio Capability Match",
            {"UERadioCapabilityMatchRequest", "UERadioCapabilityMatchResponse"}},
    [49] = {"PWS Restart Indication", {"PWSRestartIndication"}},
    [50] = {"E-RAB Modification Indication",
            {"E-RABModificationIndication", "E-RABModificationConfirm"}},
    [51] = {"PWS Failure Indication", {"PWSFailureIndication"}},
    [52] = {"Reroute NAS Request", {"RerouteNASRequest"}},
    [53] = {"UE Context Modification Indication",
            {"UEContextModificationIndication", "UEContextModificationConfirm"}},
    [54] = {"Connection Establishment Indication", {"ConnectionEstablishmentIndication"}},
    [55] = {"UE Context Suspend", {"UEContextSuspendRequest", "UEContextSuspendResponse"}},
    [56] = {"UE Context Resume",
            {"UEContextResumeRequest", "UEContextResumeResponse", "UEContextResumeFailure"}},
    [57] = {"NAS Delivery Indication", {"NASDeliveryIndication"}},
    [58] = {"Retrieve UE Information", {"RetrieveUEInformation"}},
    [59] = {"UE Information Transfer", {"UEInformationTransfer"}},
    [60] = {"eNB CP Relocation Indication", {"ENBCPRelocationIndication"}},
    [61] = {"MME CP Relocation Indication", {"MMECPRelocationIndication"}},
    [62] = {"Secondary RAT Data Usage Report", {"SecondaryRATDataUsageReport"}},
    [63] = {"UE Radio Capability ID Mapping",
            {"UERadioCapabilityIDMappingRequest", "UERadioCapabilityIDMappingResponse"}},
    [64] = {"Handover Success", {"HandoverSuccess"}},
    [65] = {"eNB Early Status Transfer", {"ENBEarlyStatusTransfer"}},
    [66] = {"MME Early Status Transfer", {"MMEEarlyStatusTransfer"}},
};

/* ---- causes (9.3.5 CauseRadioNetwork ... CauseMisc; root values, then extensions) ---- */

static const char *const cause_radio[] = {
    "unspecified", "tx2relocoverall-expiry", "successful-handover",
    "release-due-to-eutran-generated-reason", "handover-cancelled", "partial-handover",
    "ho-failure-in-target-EPC-eNB-or-target-system", "ho-target-not-allowed",
    "tS1relocoverall-expiry", "tS1relocprep-expiry", "cell-not-available", "unknown-targetID",
    "no-radio-resources-available-in-target-cell", "unknown-mme-ue-s1ap-id",
    "unknown-enb-ue-s1ap-id", "unknown-pair-ue-s1ap-id", "handover-desirable-for-radio-reason",
    "time-critical-handover", "resource-optimisation-handover", "reduce-load-in-serving-cell",
    "user-inactivity", "radio-connection-with-ue-lost", "load-balancing-tau-required",
    "cs-fallback-triggered", "ue-not-available-for-ps-service", "radio-resources-not-available",
    "failure-in-radio-interface-procedure", "invalid-qos-combination", "interrat-redirection",
    "interaction-with-other-procedure", "unknown-E-RAB-ID", "multiple-E-RAB-ID-instances",
    "encryption-and-or-integrity-protection-algorithms-not-supported",
    "s1-intra-system-handover-triggered", "s1-inter-system-handover-triggered",
    "x2-handover-triggered",
    /* extensions */
    "redirection-towards-1xRTT", "not-supported-QCI-value", "invalid-CSG-Id",
    "release-due-to-pre-emption", "n26-interface-not-available", "insufficient-ue-capabilities",
    "maximum-bearer-pre-emption-rate-exceeded", "up-integrity-protection-not-possible"};
static const char *const cause_nas[] = {
    "normal-release", "authentication-failure",  "detach",
    "unspecified",    "csg-subscription-expiry", "uE-not-in-PLMN-serving-area"};
static const char *const cause_misc[] = {"control-processing-overload",
                                         "not-enough-user-plane-processing-resources",
                                         "hardware-failure",
                                         "om-intervention",
                                         "unspecified",
                                         "unknown-PLMN"};

#define CG TPA_AP_CAUSE_GROUP
static const tpa_ap_cause_group_t cause_groups[] = {
    CG("radioNetwork", 36, cause_radio),
    CG("transport", 2, tpa_ap_cause_transport),
    CG("nas", 4, cause_nas),
    CG("protocol", 7, tpa_ap_cause_protocol),
    CG("misc", 6, cause_misc),
};

/* ---- the E-RAB lists ---- */

/* BitRate ::= INTEGER (0..10000000000) */
static void skip_bitrate(tpa_per_t *p)
{
    (void)tpa_per_int(p, 0, 10000000000ULL);
}

/* E-RABLevelQoSParameters ::= SEQUENCE {qCI INTEGER (0..255),
 *   allocationRetentionPriority SEQUENCE {priorityLevel (0..15), pre-emptionCapability
 *     ENUMERATED (2), pre-emptionVulnerability ENUMERATED (2), iE-Extensions OPT, ...},
 *   gbrQosInformation SEQUENCE {4 x BitRate, iE-Extensions OPT, ...} OPTIONAL,
 *   iE-Extensions OPTIONAL, ...} */
static void skip_qos(tpa_per_t *p)
{
    bool ext = tpa_per_bit(p);
    uint32_t opt = tpa_per_bits(p, 2);
    (void)tpa_per_int(p, 0, 255);
    bool arp_ext = tpa_per_bit(p);
    uint32_t arp_opt = tpa_per_bits(p, 1);
    (void)tpa_per_int(p, 0, 15);
    (void)tpa_per_bits(p, 2);
    if (arp_opt) tpa_per_skip_ext_container(p);
    if (arp_ext) tpa_per_skip_seq_extensions(p);
    if (opt & 2) {
        bool gbr_ext = tpa_per_bit(p);
        uint32_t gbr_opt = tpa_per_bits(p, 1);
        for (int i = 0; i < 4; i++)
            skip_bitrate(p);
        if (gbr_opt) tpa_per_skip_ext_container(p);
        if (gbr_ext) tpa_per_skip_seq_extensions(p);
    }
    if (opt & 1) tpa_per_skip_ext_container(p);
    if (ext) tpa_per_skip_seq_extensions(p);
}

/* Item IE ids (9.3.6) of the E-RAB lists, and how their SEQUENCE starts. */
typedef struct item_shape {
    uint16_t id;
    uint8_t nopt; /* OPTIONAL components (bits of the preamble bitmap) */
    uint8_t nas;  /* 0 none; 1 mandatory after qos/TLA/TEID; 2 optional after them (bitmap
                     bit 2 of 2); 3 mandatory right after qos */
} item_shape_t;

static const item_shape_t item_shapes[] = {
    {17, 1, 1},  /* E-RABToBeSetupItemBearerSUReq: id, qos, TLA, TEID, NAS-PDU */
    {52, 2, 2},  /* E-RABToBeSetupItemCtxtSUReq: id, qos, TLA, TEID, NAS-PDU OPTIONAL */
    {36, 1, 3},  /* E-RABToBeModifiedItemBearerModReq: id, qos, NAS-PDU */
    {39, 1, 0},  /* E-RABSetupItemBearerSURes */
    {50, 1, 0},  /* E-RABSetupItemCtxtSURes */
    {35, 1, 0},  /* E-RABItem (failed / to-be-released lists) */
    {37, 1, 0},  /* E-RABModifyItemBearerModRes */
    {15, 1, 0},  /* E-RABReleaseItemBearerRelComp */
    {27, 1, 0},  /* E-RABToBeSetupItemHOReq */
    {20, 5, 0},  /* E-RABAdmittedItem: 4 optional DL/UL forwarding tunnels */
    {21, 1, 0},  /* E-RABFailedtoSetupItemHOReqAck */
    {23, 1, 0},  /* E-RABToBeSwitchedDLItem */
    {94, 1, 0},  /* E-RABToBeSwitchedULItem */
    {14, 5, 0},  /* E-RABDataForwardingItem: 4 optional tunnels */
    {200, 1, 0}, /* E-RABToBeModifiedItemBearerModInd */
    {202, 1, 0}, /* E-RABNotToBeModifiedItemBearerModInd */
    {204, 1, 0}, /* E-RABModifyItemBearerModConf */
    {265, 1, 0}, /* SecondaryRATDataUsageReportItem */
    {334, 1, 0}, /* E-RABSecurityResultItem */
};

/* One list item (the single container's value). */
static void read_item(const tpa_ap_proto_t *ap, const item_shape_t *sh, const tpa_rd_t *value,
                      tpa_ap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    (void)tpa_per_bit(&p); /* extension bit: additions follow the part read here */
    uint32_t opt = tpa_per_bits(&p, sh->nopt);
    bool ext = false;
    int64_t erab = tpa_per_int_ext(&p, 0, 15, &ext); /* E-RAB-ID ::= INTEGER (0..15, ...) */
    if (tpa_per_ok(&p) && erab >= 0 && erab <= 255) tpa_ap_add_item(m, (unsigned)erab);
    if (sh->nas && tpa_per_ok(&p)) {
        skip_qos(&p);
        if (sh->nas != 3) {
            tpa_per_skip_bitstring(&p, 1, 160, true); /* TransportLayerAddress */
            tpa_per_skip_octets(&p, 4, 4, false);     /* GTP-TEID */
        }
        if (sh->nas != 2 || (opt & 2)) {
            tpa_rd_t nas;
            if (tpa_per_octets(&p, 0, 0, false, &nas)) tpa_ap_add_nas(m, &nas, (int)erab);
        }
    }
    tpa_ap_note_inner(ap, m, &p);
}

/* E-RAB-IE-ContainerList: SEQUENCE (SIZE(1..256)) OF ProtocolIE-SingleContainer. */
static void read_erab_list(const tpa_ap_proto_t *ap, tpa_per_t *p, tpa_ap_msg_t *m)
{
    size_t n = tpa_per_size(p, 1, 256, false);
    for (size_t i = 0; i < n && tpa_per_ok(p); i++) {
        uint16_t id;
        unsigned crit;
        tpa_rd_t v;
        if (!tpa_per_ie_field(p, &id, &crit, &v)) break;
        for (size_t k = 0; k < sizeof item_shapes / sizeof item_shapes[0]; k++)
            if (item_shapes[k].id == id) {
                read_item(ap, &item_shapes[k], &v, m);
                break;
            }
    }
}

static bool is_erab_list(uint16_t id)
{
    switch (id) {
    case 12:  /* E-RABSubjecttoDataForwardingList */
    case 13:  /* E-RABtoReleaseListHOCmd */
    case 16:  /* E-RABToBeSetupListBearerSUReq */
    case 18:  /* E-RABAdmittedList */
    case 19:  /* E-RABFailedToSetupListHOReqAck */
    case 22:  /* E-RABToBeSwitchedDLList */
    case 24:  /* E-RABToBeSetupListCtxtSUReq */
    case 28:  /* E-RABSetupListBearerSURes */
    case 29:  /* E-RABFailedToSetupListBearerSURes */
    case 30:  /* E-RABToBeModifiedListBearerModReq */
    case 31:  /* E-RABModifyListBearerModRes */
    case 32:  /* E-RABFailedToModifyList */
    case 33:  /* E-RABToBeReleasedList */
    case 34:  /* E-RABFailedToReleaseList */
    case 48:  /* E-RABFailedToSetupListCtxtSURes */
    case 51:  /* E-RABSetupListCtxtSURes */
    case 53:  /* E-RABToBeSetupListHOReq */
    case 69:  /* E-RABReleaseListBearerRelComp */
    case 95:  /* E-RABToBeSwitchedULList */
    case 103: /* E-RABFailedToBeReleasedList */
    case 110: /* E-RABReleasedList */
    case 199: /* E-RABToBeModifiedListBearerModInd */
    case 201: /* E-RABNotToBeModifiedListBearerModInd */
    case 203: /* E-RABModifyListBearerModConf */
    case 205: /* E-RABFailedToModifyListBearerModConf */
    case 210: /* E-RABToBeReleasedListBearerModConf */
    case 264: /* SecondaryRATDataUsageReportList */
        return true;
    default:
        return false;
    }
}

/* Any IE but the common ones: an E-RAB list, or one not decoded. */
static void read_list(const tpa_ap_proto_t *ap, uint16_t id, tpa_per_t *p, tpa_ap_msg_t *m)
{
    if (is_erab_list(id)) read_erab_list(ap, p, m);
}

/* ---- the protocol ---- */

const tpa_ap_proto_t tpa_s1ap_proto = {
    .name = "s1ap",
    .procs = procs,
    .nprocs = sizeof procs / sizeof procs[0],
    .causes = cause_groups,
    /* Cause ::= CHOICE {radioNetwork, transport, nas, protocol, misc, ...} */
    .cause = {5, true},
    /* UE-S1AP-IDs ::= CHOICE {uE-S1AP-ID-pair, mME-UE-S1AP-ID, ...} */
    .ue_ids = {2, true},
    /* IE ids (9.3.6): eNB-UE-S1AP-ID, MME-UE-S1AP-ID, SourceMME-UE-S1AP-ID,
     * UE-S1AP-IDs, Cause, NAS-PDU */
    .ie = {.ran = 8, .cn = 0, .source_cn = 88, .ue_ids = 99, .cause = 2, .nas = 26},
    .ran_max = 16777215ULL,  /* ENB-UE-S1AP-ID ::= INTEGER (0..16777215) */
    .cn_max = 4294967295ULL, /* MME-UE-S1AP-ID ::= INTEGER (0..4294967295) */
    .proc = {.initial_ue = 12,
             .error_indication = 15,
             .ho_resource_allocation = 1,
             .ue_context_release = 23,
             .ue_context_release_request = 18,
             .private_message = 39},
    .ran_key = "enb",
    .cn_key = "mme",
    .ran_kind = TPA_ID_ENB_UE_S1AP_ID,
    .cn_kind = TPA_ID_MME_UE_S1AP_ID,
    .mal = {.truncated = TPA_MAL_S1AP_TRUNCATED,
            .fragmented = TPA_MAL_S1AP_LENGTH_FRAGMENTED,
            .pdu_invalid = TPA_MAL_S1AP_PDU_INVALID,
            .open_type_invalid = TPA_MAL_S1AP_OPEN_TYPE_INVALID},
    .read_list = read_list,
    .nas_dissect = tpa_naseps_dissect,
};

void tpa_s1ap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    tpa_ap_dissect(&tpa_s1ap_proto, c, payload);
}

void tpa_s1ap_state_free(void *state)
{
    tpa_ap_state_free(state);
}
