/* tpa_findings.h - rule-based findings over KPIs, transactions and flows
 * (findings[] of the result document; every rule is listed in docs/result.md).
 *
 * A finding is {"id","rule","severity","title","detail","evidence":{"frames",
 * "flows","transactions"}}: rule names what was checked ("pfcp.unanswered"),
 * severity is info, warning or critical, detail is one sentence with the numbers,
 * evidence lists at most TPA_FINDINGS_EV_FRAMES frames, TPA_FINDINGS_EV_FLOWS flows
 * and TPA_FINDINGS_EV_TXNS transaction ids (the first ones seen).
 *
 * Rules, per (protocol, procedure) of the KPI table unless said otherwise
 * (<p> = protocol):
 *   <p>.heartbeat_failures / <p>.echo_failures   PFCP Heartbeat, GTP Echo (any
 *       procedure named "heartbeat" or "echo") unanswered or failed: critical when
 *       none succeeded (the peer looks down), else warning.
 *   <p>.unanswered          requests without a response: critical when at least half
 *       of the attempts and at least 3, warning when 2 or more or a tenth, else info.
 *   <p>.rejects             (diameter/sip/dns/http2: <p>.failures) one per
 *       (procedure, cause) of failed attempts: critical when the cause took at least
 *       half of the attempts (and 2 or more), info under 1% or for a SIP 401/407
 *       challenge, else warning. Failures without a cause: one per procedure.
 *   <p>.procedure_failing   success rate below 80% over 5 or more attempts whose
 *       failed attempts are of two or more kinds (causes, no cause, unanswered), so
 *       that no single finding above tells the whole story: critical under 50%.
 *   <p>.latency_outliers    with at least TPA_FINDINGS_LATENCY_MIN_SAMPLES answered:
 *       responses slower than max(3 x p50, p50 + 1 s): warning from 5% of them, else
 *       info.
 *   <p>.orphan_responses    responses to no request seen: info.
 *   gtpu.error_indication   GTP-U Error Indication (protocol "gtp", code "26"):
 *       warning, critical from 10.
 *   <p>.failure_indication  other failures that answered no request (NAS reject
 *       outside a procedure, NGAP Error Indication ...), per (code, cause): warning.
 *   sctp.abort              (flows) associations ended by ABORT: warning, critical
 *       when one carried NGAP or S1AP.
 *   tcp.retransmissions     (flows) TCP flows of TPA_FINDINGS_TCP_MIN_PACKETS or more
 *       packets with at least 5% retransmissions: warning, critical from 20%.
 * The engine's capture findings (capture.truncated, capture.malformed - the
 * malformed-packets rule -, ip.fragments_incomplete, capture.unsupported_link_type)
 * are made in tpa_result.c; tpa_findings_number gives every finding its id.
 */
#ifndef TPA_FINDINGS_H
#define TPA_FINDINGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_kpi.h"
#include "tpa_txn.h"

#define TPA_FINDINGS_EV_FRAMES 20
#define TPA_FINDINGS_EV_FLOWS 50
#define TPA_FINDINGS_EV_TXNS 50
#define TPA_FINDINGS_LATENCY_MIN_SAMPLES 20
#define TPA_FINDINGS_TCP_MIN_PACKETS 20

/* What the flow rules need of one flow. */
typedef struct tpa_findings_flow {
    uint32_t id;
    const char *app; /* detected application or NULL */
    bool tcp;
    uint64_t packets;
    uint32_t tcp_retransmissions;
    uint32_t sctp_aborts; /* ABORT chunks seen */
} tpa_findings_flow_t;

/* Appends the findings of every rule above to list (a JSON array) without ids (see
 * tpa_findings_number). kpi and txn may be NULL (after their finish), flows may be
 * NULL with nflows 0. Returns 0 or TPA_ERR_NOMEM. */
int tpa_findings_add(json_t *list, const tpa_kpi_t *kpi, const tpa_txn_t *txn,
                     const tpa_findings_flow_t *flows, size_t nflows);

/* Orders list by severity (critical, warning, info; stable otherwise) and gives every
 * finding its id "F1", "F2", ... in that order; a finding that came with an id and no
 * "rule" (the engine's capture findings) keeps that id as its rule. 0 or an error. */
int tpa_findings_number(json_t *list);

#endif
