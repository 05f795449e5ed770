/* tpa_result.h - builds the result document (see DESIGN.md "Result document").
 *
 * From a finished decoder and the capture's facts it writes
 * {"version","tool","capture","flows","messages","transactions","kpis","ues",
 *  "findings","insights","rca"} with flows ordered by id (order of first packet).
 * Findings made here: capture truncated, malformed packets, unreassembled IP
 * fragments, frames of an unsupported link type.
 * Flow fields beyond the fixed ones: "tunnel" {type gtp-u|gre|vxlan, outer_flow, teid
 * (key for GRE, vni for VXLAN), teid_reverse, qfi} for flows inside a tunnel; "tcp"
 * {syn, fin, rst}; "sctp" {data_chunks, ppid}. proto is tcp, udp, sctp, icmp, icmpv6,
 * gre, esp, ... or "ip-<n>"; for icmp/icmpv6 sport = dport = the echo identifier
 * (echo and other query messages), otherwise sport = type and dport = code.
 */
#ifndef TPA_RESULT_H
#define TPA_RESULT_H

#include <jansson.h>
#include <stdbool.h>

#include "tpa_decode.h"

#define TPA_RESULT_MAX_LINK_TYPES 16

typedef struct tpa_result_capture {
    const char *file;   /* name to report */
    const char *format; /* "pcap" or "pcapng" */
    bool compressed;
    const char *link_types[TPA_RESULT_MAX_LINK_TYPES];
    int nlink_types;
    bool truncated;
    const char *error; /* why reading stopped early ("" or NULL when it did not) */
} tpa_result_capture_t;

/* A new document (caller json_decref's), or NULL when out of memory. d must have
 * been finished (tpa_decode_finish). */
json_t *tpa_result_build(tpa_decoder_t *d, const tpa_result_capture_t *cap);

/* A timestamp in microseconds as JSON seconds (real). */
json_t *tpa_result_ts(int64_t us);

#endif
