/* tpa_sip.h - SIP (RFC 3261) over UDP, TCP and SCTP with its SDP bodies (RFC 4566):
 * the dissector rows "sip" (port 5060, and a probe of the start line on any port).
 *
 * Every message is reported with tpa_sig_report() (through tpa_3gpp_report):
 * protocol "sip", code the request method as written or the status code, and
 *   - a request (ACK aside) opens a transaction: procedure the CSeq method, key
 *     "<Call-ID>|<CSeq number>|<CSeq method>", paired across the whole capture
 *     (responses may come back on another port pair);
 *   - a final response (200-699) closes it: 2xx success, 3xx-6xx failure with cause
 *     {status code, reason phrase}, family "sip";
 *   - ACK and provisional responses (1xx) are indications (counted, no pairing);
 *   - identities: Call-ID, and for requests outside a dialog (no To tag) the
 *     originator's URI (P-Asserted-Identity, else From; the To URI of a REGISTER),
 *     with the MSISDN when that URI is a telephone number (tel:, or user=phone).
 * Over TCP messages are cut by Content-Length (tpa_pdu), several per segment or split
 * across segments; after a gap the stream is scanned for a start line. SDP media
 * lines (c=, m=, a=rtpmap, a=rtcp, a=rtcp-mux) announce RTP/RTCP endpoints to
 * tpa_rtp.h, tied to the Call-ID. Malformations are counted as sip.* and sdp.*.
 */
#ifndef TPA_SIP_H
#define TPA_SIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

#define TPA_SIP_STR 128 /* longest header value kept (longer ones are cut) */

/* What tpa_sip_parse decodes from one message. Strings are NUL-terminated copies
 * ("" when absent). */
typedef struct tpa_sip_msg {
    bool request;
    char method[32];        /* request method as written */
    unsigned status;        /* response status code (100-699) */
    char reason[64];        /* response reason phrase */
    char ruri[TPA_SIP_STR]; /* Request-URI */
    char call_id[TPA_SIP_STR];
    uint32_t cseq;
    char cseq_method[32];
    char from_uri[TPA_SIP_STR], from_tag[64];
    char to_uri[TPA_SIP_STR], to_tag[64];
    char pai_uri[TPA_SIP_STR]; /* first P-Asserted-Identity URI */
    char via_branch[96];       /* branch of the top Via */
    char content_type[64];     /* media type, parameters cut */
    long content_length;       /* -1 when absent */
    size_t header_len;         /* start line and headers, the empty line included */
    size_t body_len;           /* bytes of body present (Content-Length, else the rest) */
    const uint8_t *body;       /* borrowed from the parsed bytes */
    unsigned headers;
    int malformed; /* first TPA_MAL_* met, -1 when none */
} tpa_sip_msg_t;

/* Decodes one message from the bytes of r (a whole datagram, or one framed PDU).
 * Returns false when the start line is not SIP (m->malformed says why). */
bool tpa_sip_parse(const tpa_rd_t *r, tpa_sip_msg_t *m);

/* Whether the payload starts with a SIP start line (request with a sip:, sips: or tel:
 * URI, or a status line). For the table's probe row. */
bool tpa_sip_probe(const tpa_rd_t *payload);

/* Reason phrase of status code s (RFC 3261 section 21 and extensions), or NULL. */
const char *tpa_sip_reason(unsigned s);

/* Datagram: one UDP payload or SCTP user message. */
void tpa_sip_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* TCP in-order bytes. */
void tpa_sip_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);

/* Frees the per-flow state made by tpa_sip_stream. */
void tpa_sip_state_free(void *state);

#endif
