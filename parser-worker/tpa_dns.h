/* tpa_dns.h - DNS (RFC 1035) messages over UDP and TCP: the dissector rows "dns", and
 * "mdns" (RFC 6762) and "llmnr" (RFC 4795), which use the same message format.
 *
 * Counts every message into messages[] as protocol "dns", code "query" (QR = 0) or
 * "response" (QR = 1), and checks the message's structure (header, question and
 * resource record sections, names with compression pointers); what breaks the rules
 * is counted as dns.truncated, dns.name_invalid, dns.tcp_length_invalid.
 * Also the first real consumer of the dissector contract (tpa_dissect.h): a datagram
 * function for UDP and a stream function for TCP, with per-flow state.
 */
#ifndef TPA_DNS_H
#define TPA_DNS_H

#include "tpa_dissect.h"

/* One UDP payload (a whole message). */
void tpa_dns_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *msg);

/* TCP in-order bytes: 2-byte length-prefixed messages (RFC 1035 section 4.2.2,
 * RFC 7766 section 8), any number per segment, split across segments. */
void tpa_dns_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);

/* Frees the per-flow state made by tpa_dns_stream. */
void tpa_dns_state_free(void *state);

#endif
