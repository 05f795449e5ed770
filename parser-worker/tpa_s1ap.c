/* tpa_s1ap.c - S1AP (3GPP TS 36.413) over SCTP, aligned PER; see tpa_s1ap.h.
 *
 * Tables follow TS 36.413 V17: procedure codes and message names from clause 9.3.3
 * (S1AP-PDU-Descriptions) and 9.3.6 (S1AP-Constants), cause values and item types
 * from 9.3.4 (S1AP-PDU-Contents) and 9.3.5 (S1AP-IEs).
 */
#include "tpa_s1ap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_malformed.h"
#include "tpa_nas.h"
#include "tpa_per.h"
#include "tpa_sig.h"

/* ---- procedures (clause 8 titles, clause 9.3.3 message names) ---- */

typedef struct proc {
    const char *name;
    const char *msg[3]; /* initiating, successful, unsuccessful */
} proc_t;

static const proc_t procs[] = {
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

#define NPROCS (sizeof procs / sizeof procs[0])

enum {
    PROC_HO_RESOURCE_ALLOCATION = 1,
    PROC_ERROR_INDICATION = 15,
    PROC_UE_CONTEXT_RELEASE_REQUEST = 18,
    PROC_UE_CONTEXT_RELEASE = 23,
    PROC_PRIVATE_MESSAGE = 39
};

const char *tpa_s1ap_message_name(unsigned proc, int pdu_type)
{
    if (proc >= NPROCS || pdu_type < 0 || pdu_type > 2) return NULL;
    return procs[proc].msg[pdu_type];
}

const char *tpa_s1ap_procedure_name(unsigned proc)
{
    return proc < NPROCS ? procs[proc].name : NULL;
}

bool tpa_s1ap_class1(unsigned proc)
{
    return proc < NPROCS && procs[proc].msg[1] != NULL;
}

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
static const char *const cause_transport[] = {"transport-resource-unavailable", "unspecified"};
static const char *const cause_nas[] = {
    "normal-release", "authentication-failure",  "detach",
    "unspecified",    "csg-subscription-expiry", "uE-not-in-PLMN-serving-area"};
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
                                         "unspecified",
                                         "unknown-PLMN"};

typedef struct cause_group {
    const char *name;
    unsigned nroot;
    unsigned n;
    const char *const *names;
} cause_group_t;

#define CG(name, nroot, arr)                                                                       \
    {                                                                                              \
        name, nroot, sizeof arr / sizeof arr[0], arr                                               \
    }
static const cause_group_t cause_groups[] = {
    CG("radioNetwork", 36, cause_radio),
    CG("transport", 2, cause_transport),
    CG("nas", 4, cause_nas),
    CG("protocol", 7, cause_protocol),
    CG("misc", 6, cause_misc),
};

const char *tpa_s1ap_cause_group_name(unsigned group)
{
    return group < 5 ? cause_groups[group].name : NULL;
}

const char *tpa_s1ap_cause_name(unsigned group, unsigned value)
{
    if (group >= 5 || value >= cause_groups[group].n) return NULL;
    return cause_groups[group].names[value];
}

/* ---- decoding ---- */

/* IE ids (9.3.6). */
enum {
    IE_MME_UE_S1AP_ID = 0,
    IE_CAUSE = 2,
    IE_ENB_UE_S1AP_ID = 8,
    IE_NAS_PDU = 26,
    IE_SOURCE_MME_UE_S1AP_ID = 88,
    IE_UE_S1AP_IDS = 99
};

#define MME_ID_MAX 4294967295ULL /* MME-UE-S1AP-ID ::= INTEGER (0..4294967295) */
#define ENB_ID_MAX 16777215ULL   /* ENB-UE-S1AP-ID ::= INTEGER (0..16777215) */

static void note(tpa_s1ap_msg_t *m, int reason, bool short_read)
{
    if (m->malformed < 0) {
        m->malformed = reason;
        m->short_read = short_read;
    }
}

static void note_per(tpa_s1ap_msg_t *m, const tpa_per_t *p, bool outer)
{
    switch (p->err) {
    case TPA_PER_OK:
        return;
    case TPA_PER_FRAGMENTED:
        note(m, TPA_MAL_S1AP_LENGTH_FRAGMENTED, false);
        return;
    case TPA_PER_SHORT:
        if (outer)
            note(m, TPA_MAL_S1AP_TRUNCATED, true);
        else
            note(m, TPA_MAL_S1AP_OPEN_TYPE_INVALID, false);
        return;
    case TPA_PER_INVALID:
        note(m, outer ? TPA_MAL_S1AP_PDU_INVALID : TPA_MAL_S1AP_OPEN_TYPE_INVALID, false);
        return;
    }
}

static void add_bearer(tpa_s1ap_msg_t *m, unsigned erab)
{
    for (unsigned i = 0; i < m->n_bearers; i++)
        if (m->bearers[i] == erab) return;
    if (m->n_bearers < TPA_S1AP_MAX_BEARERS) m->bearers[m->n_bearers++] = (uint8_t)erab;
}

static void add_nas(tpa_s1ap_msg_t *m, const tpa_rd_t *pdu, int erab)
{
    if (m->n_nas < TPA_S1AP_MAX_NAS && tpa_rd_remaining(pdu) > 0) {
        m->nas[m->n_nas].pdu = *pdu;
        m->nas[m->n_nas].erab = erab;
        m->n_nas++;
    }
}

/* Cause ::= CHOICE {radioNetwork, transport, nas, protocol, misc, ...}. */
static void read_cause(tpa_per_t *p, unsigned *group, unsigned *value)
{
    *group = tpa_per_index(p, 5, true);
    *value = 0;
    if (*group < 5)
        *value = tpa_per_index(p, cause_groups[*group].nroot, true);
    else
        tpa_per_fail(p, TPA_PER_INVALID); /* an unknown extension: its encoding is unknown */
}

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
static void read_item(const item_shape_t *sh, const tpa_rd_t *value, tpa_s1ap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    (void)tpa_per_bit(&p); /* extension bit: additions follow the part read here */
    uint32_t opt = tpa_per_bits(&p, sh->nopt);
    bool ext = false;
    int64_t erab = tpa_per_int_ext(&p, 0, 15, &ext); /* E-RAB-ID ::= INTEGER (0..15, ...) */
    if (tpa_per_ok(&p) && erab >= 0 && erab <= 255) add_bearer(m, (unsigned)erab);
    if (sh->nas && tpa_per_ok(&p)) {
        skip_qos(&p);
        if (sh->nas != 3) {
            tpa_per_skip_bitstring(&p, 1, 160, true); /* TransportLayerAddress */
            tpa_per_skip_octets(&p, 4, 4, false);     /* GTP-TEID */
        }
        if (sh->nas != 2 || (opt & 2)) {
            tpa_rd_t nas;
            if (tpa_per_octets(&p, 0, 0, false, &nas)) add_nas(m, &nas, (int)erab);
        }
    }
    note_per(m, &p, false);
}

/* E-RAB-IE-ContainerList: SEQUENCE (SIZE(1..256)) OF ProtocolIE-SingleContainer. */
static void read_erab_list(tpa_per_t *p, tpa_s1ap_msg_t *m)
{
    size_t n = tpa_per_size(p, 1, 256, false);
    for (size_t i = 0; i < n && tpa_per_ok(p); i++) {
        uint16_t id;
        unsigned crit;
        tpa_rd_t v;
        if (!tpa_per_ie_field(p, &id, &crit, &v)) break;
        for (size_t k = 0; k < sizeof item_shapes / sizeof item_shapes[0]; k++)
            if (item_shapes[k].id == id) {
                read_item(&item_shapes[k], &v, m);
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

static void read_ie(uint16_t id, const tpa_rd_t *value, tpa_s1ap_msg_t *m)
{
    tpa_per_t p;
    tpa_per_init(&p, value);
    switch (id) {
    case IE_ENB_UE_S1AP_ID: {
        uint64_t v = tpa_per_int(&p, 0, ENB_ID_MAX);
        if (tpa_per_ok(&p)) m->has_enb_id = true, m->enb_id = v;
        break;
    }
    case IE_MME_UE_S1AP_ID:
    case IE_SOURCE_MME_UE_S1AP_ID: {
        uint64_t v = tpa_per_int(&p, 0, MME_ID_MAX);
        if (tpa_per_ok(&p) && (id == IE_MME_UE_S1AP_ID || !m->has_mme_id))
            m->has_mme_id = true, m->mme_id = v;
        break;
    }
    case IE_UE_S1AP_IDS: { /* CHOICE {uE-S1AP-ID-pair, mME-UE-S1AP-ID, ...} */
        unsigned alt = tpa_per_index(&p, 2, true);
        if (alt == 0) { /* SEQUENCE {mME-UE-S1AP-ID, eNB-UE-S1AP-ID, iE-Extensions OPT, ...} */
            bool ext = tpa_per_bit(&p);
            uint32_t opt = tpa_per_bits(&p, 1);
            uint64_t mme = tpa_per_int(&p, 0, MME_ID_MAX);
            uint64_t enb = tpa_per_int(&p, 0, ENB_ID_MAX);
            if (tpa_per_ok(&p)) {
                m->has_mme_id = true, m->mme_id = mme;
                m->has_enb_id = true, m->enb_id = enb;
            }
            if (opt) tpa_per_skip_ext_container(&p);
            if (ext) tpa_per_skip_seq_extensions(&p);
        } else if (alt == 1) {
            uint64_t mme = tpa_per_int(&p, 0, MME_ID_MAX);
            if (tpa_per_ok(&p)) m->has_mme_id = true, m->mme_id = mme;
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
    default:
        if (is_erab_list(id)) read_erab_list(&p, m);
        break;
    }
    note_per(m, &p, false);
}

static void read_value(const tpa_rd_t *value, tpa_s1ap_msg_t *m)
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

bool tpa_s1ap_decode(tpa_rd_t *pdu, tpa_s1ap_msg_t *m)
{
    memset(m, 0, sizeof *m);
    m->malformed = -1;
    tpa_per_t p;
    tpa_per_init(&p, pdu);
    tpa_rd_skip(pdu, tpa_rd_remaining(pdu));
    unsigned type = tpa_per_index(&p, 3, true);
    if (tpa_per_ok(&p) && type > TPA_S1AP_UNSUCCESSFUL) tpa_per_fail(&p, TPA_PER_INVALID);
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
        if (cut) note(m, TPA_MAL_S1AP_TRUNCATED, true); /* decode what was kept */
        if (m->proc != PROC_PRIVATE_MESSAGE) read_value(&value, m);
    }
    note_per(m, &p, true);
    return true;
}

/* ---- per-association state ---- */

#define ID_CACHE 256 /* MME UE id -> eNB UE id pairs remembered per association */

typedef struct s1ap_flow {
    tpa_nas_assoc_t *nas;
    struct {
        uint32_t mme;
        uint32_t enb;
        bool used;
    } ids[ID_CACHE];
} s1ap_flow_t;

static unsigned id_slot(uint64_t mme)
{
    return (unsigned)((mme * 0x9e3779b97f4a7c15ULL) >> 56) % ID_CACHE;
}

static void ids_put(s1ap_flow_t *st, uint64_t mme, uint64_t enb)
{
    unsigned i = id_slot(mme);
    st->ids[i].mme = (uint32_t)mme;
    st->ids[i].enb = (uint32_t)enb;
    st->ids[i].used = true;
}

static bool ids_get(const s1ap_flow_t *st, uint64_t mme, uint64_t *enb)
{
    unsigned i = id_slot(mme);
    if (!st->ids[i].used || st->ids[i].mme != mme) return false;
    *enb = st->ids[i].enb;
    return true;
}

void tpa_s1ap_state_free(void *state)
{
    s1ap_flow_t *st = state;
    if (!st) return;
    tpa_nas_assoc_destroy(&st->nas);
    free(st);
}

/* ---- reporting ---- */

static const char *const pdu_word[3] = {"initiating", "successful", "unsuccessful"};

static void report(tpa_dissect_ctx_t *c, const tpa_s1ap_msg_t *m, bool has_enb, uint64_t enb)
{
    char code[24], key[40], enb_s[24], mme_s[24], cause_name[96];
    char erab_s[TPA_S1AP_MAX_BEARERS][4];
    snprintf(code, sizeof code, "%u/%s", m->proc, pdu_word[m->pdu_type]);

    tpa_sig_t s;
    memset(&s, 0, sizeof s);
    s.protocol = "s1ap";
    s.code = code;
    s.name = tpa_s1ap_message_name(m->proc, m->pdu_type);
    s.procedure = tpa_s1ap_procedure_name(m->proc);
    if (m->pdu_type != TPA_S1AP_INITIATING)
        s.kind = TPA_SIG_RESPONSE;
    else
        s.kind = tpa_s1ap_class1(m->proc) ? TPA_SIG_REQUEST : TPA_SIG_INDICATION;
    s.outcome = m->pdu_type == TPA_S1AP_UNSUCCESSFUL ? TPA_SIG_FAILURE : TPA_SIG_OK;
    /* Initial UE Message opens a UE-associated connection; UE Context Release
     * Complete ends it, freeing its UE ids for reuse (tpa_sig.h UE_NEW / UE_END) */
    if (m->proc == 12 /* Initial UE Message */) s.flags |= TPA_SIG_UE_NEW;
    if (m->proc == PROC_UE_CONTEXT_RELEASE && m->pdu_type != TPA_S1AP_INITIATING) s.flags |= TPA_SIG_UE_END;
    if (m->proc == PROC_ERROR_INDICATION) s.outcome = TPA_SIG_FAILURE;

    if (m->proc == PROC_HO_RESOURCE_ALLOCATION && m->has_mme_id)
        snprintf(key, sizeof key, "mme=%llu", (unsigned long long)m->mme_id);
    else if (has_enb)
        snprintf(key, sizeof key, "enb=%llu", (unsigned long long)enb);
    else if (m->has_mme_id)
        snprintf(key, sizeof key, "mme=%llu", (unsigned long long)m->mme_id);
    else
        snprintf(key, sizeof key, "nonue");
    s.key = key;

    bool cause_wanted = m->pdu_type == TPA_S1AP_UNSUCCESSFUL || m->proc == PROC_ERROR_INDICATION ||
                        m->proc == PROC_UE_CONTEXT_RELEASE_REQUEST ||
                        (m->proc == PROC_UE_CONTEXT_RELEASE && m->pdu_type == TPA_S1AP_INITIATING);
    if (m->has_cause && cause_wanted && m->cause_group < 5) {
        const char *v = tpa_s1ap_cause_name(m->cause_group, m->cause_value);
        char unknown[16];
        if (!v) {
            snprintf(unknown, sizeof unknown, "%u", m->cause_value);
            v = unknown;
        }
        snprintf(cause_name, sizeof cause_name, "%s/%s", tpa_s1ap_cause_group_name(m->cause_group),
                 v);
        s.has_cause = true;
        s.cause = (int64_t)m->cause_group * 1000 + m->cause_value;
        s.cause_name = cause_name;
        s.cause_family = "s1ap";
    }

    if (has_enb) {
        snprintf(enb_s, sizeof enb_s, "%llu", (unsigned long long)enb);
        tpa_sig_add_id(&s, TPA_ID_ENB_UE_S1AP_ID, enb_s);
    }
    if (m->has_mme_id) {
        snprintf(mme_s, sizeof mme_s, "%llu", (unsigned long long)m->mme_id);
        tpa_sig_add_id(&s, TPA_ID_MME_UE_S1AP_ID, mme_s);
    }
    for (unsigned i = 0; i < m->n_bearers; i++) {
        snprintf(erab_s[i], sizeof erab_s[i], "%u", m->bearers[i]);
        tpa_sig_add_id(&s, TPA_ID_PDU_SESSION, erab_s[i]);
    }
    tpa_sig_report(c, &s);
}

void tpa_s1ap_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload)
{
    tpa_s1ap_msg_t m;
    bool counted = tpa_s1ap_decode(payload, &m);
    if (m.malformed >= 0) {
        if (m.short_read)
            tpa_dissect_short(c, m.malformed);
        else
            tpa_dissect_malformed(c, m.malformed);
    }
    if (!counted) return;

    s1ap_flow_t *st = tpa_dissect_state(c, sizeof *st);
    uint64_t enb = m.enb_id;
    bool has_enb = m.has_enb_id;
    if (st && m.has_mme_id) {
        if (has_enb)
            ids_put(st, m.mme_id, enb);
        else
            has_enb = ids_get(st, m.mme_id, &enb);
    }
    report(c, &m, has_enb, enb);

    for (unsigned i = 0; i < m.n_nas; i++) {
        tpa_nas_ue_t ue = {.has_ran_ue_id = has_enb,
                           .has_cn_ue_id = m.has_mme_id,
                           .ran_ue_id = enb,
                           .cn_ue_id = m.mme_id,
                           .assoc = st ? &st->nas : NULL};
        tpa_rd_t pdu = m.nas[i].pdu;
        tpa_naseps_dissect(c, &pdu, &ue);
    }
}
