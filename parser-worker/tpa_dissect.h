/* tpa_dissect.h - the one table of application dissectors.
 *
 * Each row names a protocol, the transports it runs on, its well-known ports and
 * SCTP payload protocol ids, an optional probe (a cheap look at the first payload
 * bytes) and an optional dissect function called for every payload of a flow once
 * the flow's app is that row. Detection per flow, in this order: SCTP PPID, the
 * lower port, the higher port (as Wireshark tries them), then rows whose probe
 * accepts the payload (for the first few payload packets of a flow). A row with
 * ports and a probe needs both. Tunnels that carry packets (GTP-U, VXLAN) are rows
 * whose dissect function hands the inner packet back to the decoder.
 */
#ifndef TPA_DISSECT_H
#define TPA_DISSECT_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_flow.h"
#include "tpa_rd.h"

enum { TPA_T_UDP = 1, TPA_T_TCP = 2, TPA_T_SCTP = 4 };

#define TPA_DISSECT_PORTS 4
#define TPA_DISSECT_PPIDS 4
#define TPA_DISSECT_PROBE_PACKETS 4 /* payload packets probed before giving up */

struct tpa_decoder;
struct tpa_pkt;

/* Everything a dissector may look at for one payload; borrowed for the call. */
typedef struct tpa_dissect_ctx {
    struct tpa_decoder *dec;
    struct tpa_pkt *pkt;
    tpa_flow_t *flow;
    int side;          /* key side of the sender (flow->src_side == side: a_to_b) */
    uint8_t transport; /* TPA_T_* */
    uint16_t sport, dport;
    uint32_t ppid;   /* SCTP DATA chunk payload protocol id, 0 otherwise */
    uint16_t stream; /* SCTP stream id */
} tpa_dissect_ctx_t;

typedef struct tpa_dissector {
    const char *name; /* the flow's "app" */
    uint8_t transports;
    uint16_t ports[TPA_DISSECT_PORTS];                        /* 0-terminated */
    uint32_t ppids[TPA_DISSECT_PPIDS];                        /* 0-terminated */
    bool (*probe)(const tpa_rd_t *payload);                   /* NULL: ports/PPIDs decide */
    void (*dissect)(tpa_dissect_ctx_t *c, tpa_rd_t *payload); /* NULL: detection only */
} tpa_dissector_t;

/* The table and its size (static, never freed). Row i is app id i + 1. */
const tpa_dissector_t *tpa_dissect_table(unsigned *n);

/* Name of app id (flow->app), or NULL for 0 / out of range. */
const char *tpa_dissect_app_name(uint16_t app);

/* Decides c->flow->app if still unknown, then runs the row's dissect function on
 * payload (may be empty). Called once per L4 payload (per DATA chunk for SCTP). */
void tpa_dissect_run(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

#endif
