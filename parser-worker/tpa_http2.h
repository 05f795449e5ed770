/* tpa_http2.h - HTTP/2 in cleartext (h2c, RFC 9113) as the 5G service-based interface
 * uses it: the dissector row "http2" (TCP, any port).
 *
 * Detection (tpa_http2_probe, on one segment): the client connection preface
 * "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" (RFC 9113 3.4), an HTTP/1.1 request asking for
 * "Upgrade: h2c" (RFC 7540 3.2; its "101 Switching Protocols" answer is followed by
 * frames on both sides), a server connection preface (a SETTINGS frame), or - for a
 * capture that starts mid-connection - a segment that is exactly a chain of whole,
 * well-formed frames (strict: known type, flags defined for the type, stream id rules,
 * fixed lengths, at most 16384 bytes each).
 *
 * Counting (as a telecom analyzer can stand behind it): a flow that began with a
 * preface or an upgrade counts its messages, and proves its server port an h2c service
 * for the rest of the capture (tpa_decoder.h2c_ports). A flow seen only mid-connection
 * counts its messages once one of its ports is an h2c service: proven by such a flow
 * (earlier or later: its messages are held until then, at most 256), or an SBI port as
 * open-source cores deploy them (80, 8080, 8000, 7777, 29500-29599). Never confirmed,
 * its messages are dropped and the flow says so ("unconfirmed", "messages_not_counted").
 *
 * Frames (RFC 9113 4.1, 6): the 9-octet header {Length(24), Type(8), Flags(8), R(1),
 * Stream Identifier(31)} then Length octets. Frames are cut from each direction's
 * in-order bytes (tpa_tcp_stream.h), several per segment or one across segments;
 * payloads up to 64 KiB are gathered (copied only when split), longer ones skipped.
 * DATA, HEADERS (padding, priority fields), PRIORITY, RST_STREAM, SETTINGS, PUSH_PROMISE,
 * PING, GOAWAY, WINDOW_UPDATE and CONTINUATION are checked against 6.1-6.10; a header
 * block (HEADERS or PUSH_PROMISE + CONTINUATION*) is assembled up to 64 KiB and decoded
 * with libnghttp2's HPACK inflater (RFC 7541), one per direction;
 * SETTINGS_HEADER_TABLE_SIZE takes effect on the peer's ACK.
 *
 * HPACK state that the capture does not show (it starts mid-connection, a gap hits a
 * header block, a block is too long): the inflater's dynamic table is filled with
 * placeholder entries that no real header can be, so a reference to an entry sent
 * before the capture resolves to a placeholder (an unknown header, skipped) instead of
 * failing, while entries added since are exact. Nothing is ever guessed. The flow then
 * says so: flows[].http2 {"hpack_incomplete": true, "undecodable_header_blocks": N}.
 *
 * Messages (protocol "http2", as tshark's http2.headers.method / .status count them):
 * every header block with :method counts as a request (code the method, "POST"), with
 * :status as a response (code the status, "201"); trailers count nothing. Each is
 * reported with tpa_sig_report: procedure "<METHOD> <service>" (tpa_sbi.h: service
 * from :path), key "stream=<id>", responses 1xx provisional, 2xx/3xx success, >= 400
 * failure with cause {status, ProblemDetails cause or reason phrase, family "http"};
 * SUPI/SUCI/GPSI/PEI from the path and JSON request bodies; NAS-5GS parts of
 * multipart bodies go to tpa_nas5gs_dissect. A message whose body matters is reported
 * when its stream ends (with its HEADERS frame's number and time).
 *
 * Code: framing, field blocks and HPACK in tpa_http2.c; streams, bodies, reports in
 * tpa_http2_msg.c (tpa_http2_int.h); SBI semantics in tpa_sbi.h.
 *
 * Malformations: http2.frame_size_invalid, http2.frame_too_long, http2.padding_invalid,
 * http2.stream_id_invalid, http2.continuation_invalid, http2.settings_invalid,
 * http2.header_block_invalid (HPACK failure on a table the capture fully showed).
 */
#ifndef TPA_HTTP2_H
#define TPA_HTTP2_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_dissect.h"

#define TPA_HTTP2_FRAME_BUF (64u << 10)   /* longest frame payload gathered */
#define TPA_HTTP2_BLOCK_MAX (64u << 10)   /* longest header block decoded */
#define TPA_HTTP2_BODY_MAX (64u << 10)    /* longest body kept per message */
#define TPA_HTTP2_BODY_TOTAL (256u << 10) /* bodies kept per connection */
#define TPA_HTTP2_MAX_STREAMS 512         /* streams remembered per connection */

/* The row's probe: one segment's payload (not consumed). */
bool tpa_http2_probe(const tpa_rd_t *payload);

/* The row's stream function (tpa_dissect.h). */
void tpa_http2_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);

/* Frees the per-flow state. */
void tpa_http2_state_free(void *state);

/* The row's named function (tpa_dissect.h): the capture names the flow's protocol
 * HTTP/2 (an exported PDU), so its messages are reported without its ports being
 * proven h2c (no port is marked proven by it). */
void tpa_http2_named(tpa_dissect_ctx_t *c);

#endif
