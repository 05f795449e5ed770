/* tpa_dissect.h - the one table of application dissectors, and their contract.
 *
 * Each row names a protocol, the transports it runs on, its well-known ports and
 * SCTP payload protocol ids, an optional probe (a cheap look at the first payload
 * bytes) and up to two entry points:
 *
 *   dissect  a datagram: one UDP payload, or one SCTP user message (DATA / I-DATA
 *            fragments already reassembled, tpa_sctp.h). Called for every non-empty
 *            datagram of a flow once the flow's app is this row (for SCTP: the row of
 *            the message's PPID when one claims it, else the flow's app).
 *   stream   the in-order bytes of one direction of a TCP connection
 *            (tpa_tcp_stream.h): retransmissions and overlaps already resolved (first
 *            data wins), out-of-order segments already put in order. `gap` bytes are
 *            missing just before `bytes` (0 = contiguous with the previous call); a
 *            dissector must then drop any partial message and resynchronise
 *            (tpa_pdu.h does this for length-framed protocols). The last call for a
 *            direction has c->stream_end set and no bytes (FIN, RST, a new connection
 *            on the same ports, idle expiry or end of capture). Stream state is only
 *            allocated for flows whose app has a stream function, so plain TCP stays
 *            cheap. A row without `stream` sees nothing of TCP payloads.
 *
 * Detection per flow, in this order: SCTP PPID, the lower port, the higher port (as
 * Wireshark tries them), then rows whose probe accepts the payload (for the first few
 * payload packets of a flow; TCP probes look at single segments). A row with ports and
 * a probe needs both. Tunnels that carry packets (GTP-U, VXLAN) are rows whose dissect
 * function hands the inner packet back to the decoder; no other dissector may do that.
 *
 * A dissector reads bytes only through the tpa_rd_t it is given (borrowed for the
 * call), reports what it sees with tpa_dissect_message(), marks malformed input with
 * tpa_dissect_malformed() (a TPA_MAL_* name added to tpa_malformed.h), and keeps
 * per-flow memory in tpa_dissect_state() (freed by the engine when the flow finishes).
 */
#ifndef TPA_DISSECT_H
#define TPA_DISSECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_flow.h"
#include "tpa_rd.h"

enum { TPA_T_UDP = 1, TPA_T_TCP = 2, TPA_T_SCTP = 4 };

#define TPA_DISSECT_PORTS 4
#define TPA_DISSECT_PPIDS 4
#define TPA_DISSECT_PROBE_PACKETS 4 /* payload packets probed before giving up */
#define TPA_DISSECT_PROBE_LIMIT 16  /* packets of an undecided flow offered to detection */

struct tpa_decoder;
struct tpa_pkt;
struct tpa_dissector;
typedef struct tpa_result_sink tpa_result_sink_t;

/* Everything a dissector may look at for one call; borrowed for the call.
 * tpa_dissect_ctx_init (tpa_dec_ctx_init in tpa_decode_int.h) stores every field one by
 * one (a hot path): a new field must be
 * set there too (a size check in tpa_dissect.c reminds). */
typedef struct tpa_dissect_ctx {
    uint64_t frame;          /* 1-based frame number: the frame being decoded (for stream bytes
                                the frame whose segment released them; for an SCTP message the
                                frame of its last fragment; at a flush the direction's last) */
    int64_t ts_us;           /* that frame's timestamp, microseconds since the epoch */
    tpa_flow_t *flow;        /* read-only for dissectors */
    uint32_t flow_id;        /* flow->id, as the result document shows it */
    int dir;                 /* 0: sent by the flow's src (a_to_b), 1: by its dst (b_to_a) */
    int side;                /* key side of the sender (engine internal, see tpa_flow.h) */
    uint8_t transport;       /* TPA_T_* */
    bool stream_end;         /* stream calls: this direction ends here (no bytes with it) */
    uint16_t sport, dport;   /* of the sender */
    uint32_t ppid;           /* SCTP payload protocol id, 0 otherwise */
    uint16_t stream;         /* SCTP stream id, 0 otherwise */
    bool quoted;             /* the datagram is quoted inside an ICMP error (see
                                tpa_dissect_quoted): count messages, nothing else */
    tpa_result_sink_t *sink; /* where messages are counted (tpa_result.h) */
    const struct tpa_dissector *row; /* the row being called (NULL while detecting) */
    /* engine internals */
    struct tpa_decoder *dec;
    struct tpa_pkt *pkt;
} tpa_dissect_ctx_t;

typedef struct tpa_dissector {
    const char *name; /* the flow's "app" */
    uint8_t transports;
    uint16_t ports[TPA_DISSECT_PORTS];      /* 0-terminated */
    uint32_t ppids[TPA_DISSECT_PPIDS];      /* 0-terminated */
    bool (*probe)(const tpa_rd_t *payload); /* NULL: ports/PPIDs decide */
    /* datagram (UDP payload, SCTP user message); NULL: none */
    void (*dissect)(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
    /* TCP in-order bytes of direction c->dir after `gap` missing ones; NULL: none */
    void (*stream)(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);
    /* frees the state made by tpa_dissect_state (its inner allocations, then the
     * block itself); NULL: free() */
    void (*state_free)(void *state);
    /* optional detection with the flow's context, for protocols that run on ports
     * other traffic announced or that only a series of packets reveals (RTP):
     * expect() is asked after the PPID rows and before the port rows (endpoints that
     * signalling announced, e.g. SDP media for RTP/RTCP); heur() is asked last, after
     * the probe rows, and may keep evidence across packets of the flow (in its own
     * decoder-level state: c->row is NULL while detecting). Both see each payload of
     * an undecided flow while detection lasts. NULL: none. */
    bool (*expect)(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);
    bool (*heur)(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);
    /* optional: the capture itself names the flow's protocol (an exported PDU,
     * tpa_exported_pdu.h), so a row that waits for evidence before it reports (http2
     * on ports not proven h2c) need not. Called with c->row set, before each payload
     * of such a flow. NULL: nothing to do. */
    void (*named)(tpa_dissect_ctx_t *c);
} tpa_dissector_t;

/* The table and its size (static, never freed). Row i is app id i + 1. */
const tpa_dissector_t *tpa_dissect_table(unsigned *n);

/* Name of app id (flow->app), or NULL for 0 / out of range. */
const char *tpa_dissect_app_name(uint16_t app);

/* The row of app id, or NULL. */
const tpa_dissector_t *tpa_dissect_row(uint16_t app);

/* The app id of the first row claiming SCTP payload protocol id ppid, or 0. */
uint16_t tpa_dissect_app_for_ppid(uint32_t ppid);

/* ---- for dissectors ---- */

/* The flow's state of the calling row: on the first call a zeroed block of size
 * bytes is allocated and kept with the flow; later calls return the same block (size
 * must not change). Freed with the row's state_free (or free) when the flow finishes;
 * the pointer is valid until then. One state per flow: NULL when another row of the
 * same flow already owns it, or when out of memory. */
void *tpa_dissect_state(tpa_dissect_ctx_t *c, size_t size);

/* Counts one message into the result (tpa_result_count_message on c->sink). */
void tpa_dissect_message(tpa_dissect_ctx_t *c, const char *protocol, const char *code,
                         const char *name);

/* Sets the flow's facts that the document shows as flows[].<app name> (e.g. "http2":
 * {"hpack_incomplete": true}): info, a JSON object, replaces what was set before; the
 * call takes the caller's reference (json_t *, passed as void * to keep jansson out of
 * this header). Kept after the flow finishes, until it is freed. */
void tpa_dissect_flow_info(tpa_dissect_ctx_t *c, void *info);

/* The flow's facts (borrowed json_t *), or NULL; and their release (flow free). */
void *tpa_dissect_flow_info_get(const tpa_flow_t *f);
void tpa_dissect_flow_info_free(tpa_flow_t *f);

/* Marks the current frame malformed for reason (a TPA_MAL_*, tpa_malformed.h). */
void tpa_dissect_malformed(tpa_dissect_ctx_t *c, int reason);

/* Ran out of bytes: malformed for reason unless the frame was cut by the capture's
 * snaplen (then the bytes were simply not captured). */
void tpa_dissect_short(tpa_dissect_ctx_t *c, int reason);

/* ---- for the engine (tpa_l4.c, tpa_tcp.c, tpa_sctp.c) ---- */

/* Fills c for a payload sent by key side `side` of f in the frame being decoded. */
void tpa_dissect_ctx_init(tpa_dissect_ctx_t *c, struct tpa_decoder *d, struct tpa_pkt *p,
                          tpa_flow_t *f, int side, uint8_t transport);

/* Whether detection still wants this flow's payloads: the engine skips building a
 * context for flows already decided or given up on (the per-packet fast path). An
 * SCTP DATA chunk with a PPID is offered to detection even past the limit. */
static inline bool tpa_dissect_pending(const tpa_flow_t *f)
{
    return !f->app && f->app_tries < TPA_DISSECT_PROBE_LIMIT;
}

/* Decides c->flow->app if still unknown (payload may be empty). Called once per L4
 * payload (per DATA chunk for SCTP). */
void tpa_dissect_detect(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);

/* tpa_dissect_detect for a TCP segment sent by key side `side` of f (pending) in the
 * frame being decoded: the context is made only when a step of detection needs it (on
 * ports no row names, only the probes run, and they read the payload alone). */
void tpa_dissect_detect_segment(struct tpa_decoder *d, struct tpa_pkt *p, tpa_flow_t *f, int side,
                                const tpa_rd_t *payload);

/* tpa_dissect_detect, then the app row's datagram function on a non-empty payload.
 * For UDP. */
void tpa_dissect_run(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* A UDP datagram quoted inside an ICMP / ICMPv6 error (tpa_icmp_quote.c), sent from
 * src:sport to dst:dport (addresses of 4 or 16 bytes by family), with the part of its
 * payload the quote holds: the row its ports or probe name (no per-flow detection, no
 * expect/heur) dissects it with c->quoted set and c->flow a stand-in of no flow (id 0).
 * In that mode its messages count in messages[] (and in the capture's quoted_messages)
 * and nothing else happens: tpa_sig_report feeds no transaction, KPI, UE or finding,
 * tpa_dissect_state gives NULL, flow facts and malformations are dropped (a quote is
 * cut anywhere), tunnels count their message but hand no inner packet back, and no
 * flow is created or counted. */
void tpa_dissect_quoted(struct tpa_decoder *d, struct tpa_pkt *p, int family, uint8_t proto,
                        const uint8_t *src, uint16_t sport, const uint8_t *dst, uint16_t dport,
                        tpa_rd_t *payload);

/* Frees f->app_state with its owner's state_free (flow finish). */
void tpa_dissect_state_free(tpa_flow_t *f);

#endif
