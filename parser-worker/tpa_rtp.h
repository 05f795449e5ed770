/* tpa_rtp.h - RTP and RTCP (RFC 3550): the dissector rows "rtp" and "rtcp", the table
 * of media endpoints announced in SDP ("expected media"), per-stream quality and a
 * MOS estimate for voice.
 *
 * Detection (UDP only): a flow one of whose endpoints SDP announced (tpa_rtp_expect,
 * called by the SIP dissector for every m= line of an offer or answer) is RTP or RTCP
 * from its first packet, tied to the call (Call-ID) and knowing the payload types'
 * codecs and clock rates. Other UDP flows that no port or probe row claimed are RTP
 * when a cautious heuristic sees three consecutive packets of one direction that are
 * RTP version 2 with a payload type in use (0-34 static, 96-127 dynamic; never the
 * 72-76 that RTCP takes), one SSRC, sequence numbers rising by 1-10 and timestamps
 * not going back; RTCP when one datagram is an exact compound of RTCP packets
 * starting with SR or RR.
 *
 * Per stream (one SSRC in one direction of a flow): packets, expected (extended
 * highest sequence - base + 1, RFC 3550 A.3), lost, loss_pct, duplicates,
 * out_of_order, interarrival jitter (RFC 3550 A.8, in ms; needs the clock rate, from
 * SDP's rtpmap or the static payload types of RFC 3551), payload type, codec, and for
 * voice a MOS estimate (ITU-T G.107 E-model, simplified: see tpa_rtp.c).
 * RTCP (SR 200, RR 201, SDES 202, BYE 203, APP 204 and the feedback / XR types in a
 * compound): counts by type and the last report block per (reporter, source).
 * RTCP multiplexed on the RTP port (RFC 5761) is recognised by its packet type.
 *
 * The streams outlive their flow's live state: they are kept in the decoder (bounded:
 * TPA_RTP_MAX_FLOWS flows, TPA_RTP_MAX_STREAMS SSRCs per flow) until it is destroyed,
 * and appear in the result as flows[].rtp / flows[].rtcp (tpa_rtp_flow_json).
 */
#ifndef TPA_RTP_H
#define TPA_RTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpa_decode.h"
#include "tpa_dissect.h"
#include "tpa_flow.h"
#include "tpa_rd.h"

#define TPA_RTP_MAX_CODECS 16
#define TPA_RTP_CODEC_NAME 24
#define TPA_RTP_CALL_ID 128
#define TPA_RTP_MAX_EXPECTED 4096 /* announced endpoints kept (oldest dropped first) */
#define TPA_RTP_MAX_FLOWS 65536   /* RTP/RTCP flows (and heuristic candidates) tracked */
#define TPA_RTP_MAX_STREAMS 16    /* SSRCs per flow */

typedef struct tpa_rtp_codec {
    uint8_t pt;
    uint32_t clock;                /* Hz, 0 = unknown */
    char name[TPA_RTP_CODEC_NAME]; /* encoding name as in a=rtpmap ("PCMU", "AMR") */
} tpa_rtp_codec_t;

/* One media description of an SDP body (RFC 4566 section 5.14), as announced. */
typedef struct tpa_rtp_media {
    int family; /* 4 or 6 */
    uint8_t addr[16];
    uint16_t rtp_port;
    uint16_t rtcp_port;  /* RTCP's port (rtp_port + 1, or a=rtcp); == rtp_port for
                            rtcp-mux; 0 = none */
    bool audio;          /* m=audio */
    bool secure;         /* SRTP profile (RTP/SAVP, RTP/SAVPF): RTCP mostly encrypted */
    const char *call_id; /* borrowed for the call; copied (cut to TPA_RTP_CALL_ID - 1) */
    unsigned ncodecs;
    tpa_rtp_codec_t codecs[TPA_RTP_MAX_CODECS];
} tpa_rtp_media_t;

/* Records the endpoints of m as expected RTP / RTCP (replacing an earlier announcement
 * of the same address and port). For the SIP dissector. O(1) expected. */
void tpa_rtp_expect(tpa_dissect_ctx_t *c, const tpa_rtp_media_t *m);

/* Clock rate and name of static payload type pt (RFC 3551 tables 4 and 5); false when
 * pt is dynamic or unassigned. *audio says whether it is an audio encoding. */
bool tpa_rtp_static_pt(uint8_t pt, uint32_t *clock, const char **name, bool *audio);

/* ---- the rows (tpa_dissect.c) ---- */

/* expect hooks: whether an endpoint of c's flow was announced as RTP / RTCP. */
bool tpa_rtp_expected(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);
bool tpa_rtcp_expected(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);
/* heur hooks: the multi-packet RTP heuristic, the one-datagram RTCP check. */
bool tpa_rtp_heur(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);
bool tpa_rtcp_heur(tpa_dissect_ctx_t *c, const tpa_rd_t *payload);
/* datagram functions */
void tpa_rtp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);
void tpa_rtcp_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* ---- results ---- */

/* Quality of one stream, as the result shows it. jitter_ms, max_jitter_ms and mos are
 * negative when unknown (no clock rate; not voice). */
typedef struct tpa_rtp_stream_info {
    uint32_t ssrc;
    uint8_t pt;
    int dir;           /* 0 a_to_b, 1 b_to_a */
    const char *codec; /* borrowed from the decoder, NULL when unknown */
    uint32_t clock;
    bool audio;
    uint64_t packets, expected, lost, duplicates, out_of_order;
    double loss_pct, jitter_ms, max_jitter_ms, ptime_ms, mos;
    int64_t first_us, last_us;
} tpa_rtp_stream_info_t;

/* Number of streams kept for flow f (0 when it is not RTP). */
unsigned tpa_rtp_streams(tpa_decoder_t *d, const tpa_flow_t *f);

/* Stream i (< tpa_rtp_streams) of flow f into *out; false when out of range. */
bool tpa_rtp_stream_info(tpa_decoder_t *d, const tpa_flow_t *f, unsigned i,
                         tpa_rtp_stream_info_t *out);

/* The flow's RTP / RTCP facts as a new JSON object for flows[] under the key *key
 * ("rtp" or "rtcp"), or NULL when f is neither (caller decrefs). */
json_t *tpa_rtp_flow_json(tpa_decoder_t *d, const tpa_flow_t *f, const char **key);

#define TPA_RTP_POOR_MOS 3.5           /* voice streams below this are a finding */
#define TPA_RTP_FINDING_MIN_PACKETS 50 /* streams shorter than this are not judged */

/* Appends to list (the result's findings array, before numbering) one finding
 * "rtp.poor_quality" when voice streams of TPA_RTP_FINDING_MIN_PACKETS or more
 * expected packets score a MOS below TPA_RTP_POOR_MOS: warning, critical when the
 * worst is below 2.5; evidence: their flows. flows/n as from tpa_flow_table_finish.
 * Returns 0 or TPA_ERR_NOMEM. */
int tpa_rtp_findings(tpa_decoder_t *d, tpa_flow_t *const *flows, size_t n, json_t *list);

/* MOS estimate (1.0-4.5) of a voice stream with codec (encoding name, may be NULL),
 * loss_pct (0-100), jitter_ms and packetisation time ptime_ms (ITU-T G.107, simplified;
 * assumptions in tpa_rtp.c). */
double tpa_rtp_mos(const char *codec, double loss_pct, double jitter_ms, double ptime_ms);

/* ---- for the decoder ---- */

struct tpa_rtp_ctx;

/* Frees the decoder's RTP state (made on first use); nulls *x. */
void tpa_rtp_ctx_destroy(struct tpa_rtp_ctx **x);

#endif
