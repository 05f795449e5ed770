/* tpa_gen_msg.h - signalling messages written by tpa-pcapgen.
 *
 * Each kind is a request/response pair carried over UDP. The generator counts
 * every message it writes under the (protocol, code) the result document uses
 * (DESIGN.md, messages[]): dns "query"/"response", pfcp and gtpv2 the decimal
 * message type, sip the method or the status code.
 */
#ifndef TPA_GEN_MSG_H
#define TPA_GEN_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum {
    TPA_GEN_DNS = 0, /* RFC 1035: A query for h<flow>.example.net, and its answer */
    TPA_GEN_PFCP,    /* TS 29.244: Heartbeat Request (1) / Response (2) */
    TPA_GEN_GTPV2,   /* TS 29.274: Echo Request (1) / Response (2) */
    TPA_GEN_SIP,     /* RFC 3261: OPTIONS / 200 OK */
    TPA_GEN_NKINDS
} tpa_gen_msg_kind_t;

#define TPA_GEN_MSG_MAX 600 /* longest message written */

/* Writes request (response = false) or response number seq of flow `flow` into p
 * (TPA_GEN_MSG_MAX bytes). Returns its length; *proto and *code (static strings)
 * name it as the analyzer must count it. */
size_t tpa_gen_msg(tpa_gen_msg_kind_t kind, bool response, uint32_t flow, uint32_t seq, uint8_t *p,
                   const char **proto, const char **code);

/* Server port of the kind; *both is set when the client uses the same port. */
uint16_t tpa_gen_msg_port(tpa_gen_msg_kind_t kind, bool *both);

/* Protocol name ("dns", "pfcp", ...), static. */
const char *tpa_gen_msg_proto(tpa_gen_msg_kind_t kind);

#endif
