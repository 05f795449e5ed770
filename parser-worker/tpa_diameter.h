/* tpa_diameter.h - Diameter (RFC 6733) over TCP and SCTP: the dissector row "diameter"
 * (TCP/SCTP port 3868, SCTP PPID 46; PPID 47 is DTLS-protected and left alone).
 *
 * Every message is reported with tpa_sig_report() (through tpa_3gpp_report):
 * protocol "diameter", code "<command code>/<R|A>", name "Update-Location-Request",
 * procedure the command's name ("Update-Location"), key "hbh=0x<hop-by-hop id>" within
 * the connection, outcome and cause from Result-Code or Experimental-Result-Code
 * (family "diameter": 1xxx/2xxx success, 3xxx and up failure), identities IMSI
 * (User-Name on S6a/S6d/S13, Subscription-Id END_USER_IMSI) and MSISDN (MSISDN AVP,
 * Subscription-Id END_USER_E164). Over TCP, messages that span segments or share one
 * are cut by tpa_pdu; after a gap the stream is scanned for a plausible header.
 * Malformations are counted as diameter.*.
 */
#ifndef TPA_DIAMETER_H
#define TPA_DIAMETER_H

#include <stdbool.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"

/* Command flags (RFC 6733 section 3). */
enum {
    TPA_DIAMETER_FLAG_R = 0x80, /* request */
    TPA_DIAMETER_FLAG_P = 0x40, /* proxiable */
    TPA_DIAMETER_FLAG_E = 0x20, /* error */
    TPA_DIAMETER_FLAG_T = 0x10  /* potentially retransmitted */
};

#define TPA_DIAMETER_STR 128 /* longest text AVP kept (longer ones are cut) */

/* What tpa_diameter_parse decodes from one message. Strings are NUL-terminated copies
 * ("" when absent); has_* say whether a numeric AVP was present. */
typedef struct tpa_diameter_msg {
    uint32_t length;
    uint8_t flags;
    uint32_t code;
    uint32_t app_id;
    uint32_t hbh, e2e;
    bool has_result;
    uint32_t result; /* Result-Code (268) */
    bool has_exp_result;
    uint32_t exp_result;        /* Experimental-Result-Code (298) in Experimental-Result */
    uint32_t exp_vendor;        /* Vendor-Id (266) in Experimental-Result, 0 if none */
    uint32_t auth_app_id;       /* first Auth-Application-Id (258), also inside
                                   Vendor-Specific-Application-Id (260); 0 if none */
    uint32_t acct_app_id;       /* first Acct-Application-Id (259), likewise */
    uint32_t vendor_app_vendor; /* Vendor-Id inside Vendor-Specific-Application-Id */
    char session_id[TPA_DIAMETER_STR];
    char origin_host[TPA_DIAMETER_STR], origin_realm[TPA_DIAMETER_STR];
    char dest_host[TPA_DIAMETER_STR], dest_realm[TPA_DIAMETER_STR];
    char user_name[TPA_DIAMETER_STR];
    char msisdn[24];   /* MSISDN (701, 3GPP), TBCD decoded */
    char sub_imsi[24]; /* Subscription-Id (443) of type END_USER_IMSI */
    char sub_e164[24]; /* Subscription-Id of type END_USER_E164 */
    unsigned avps;     /* AVPs walked, grouped ones' children included */
    int malformed;     /* first TPA_MAL_* met, -1 when none */
} tpa_diameter_msg_t;

/* Decodes the message at the front of r, which must hold it whole (a header length
 * beyond what r holds is an error); r is advanced past it. Returns true when the header
 * is usable; m->malformed then names the first AVP problem (the AVPs before it are
 * kept). False (m->malformed set) when the header itself is not. */
bool tpa_diameter_parse(tpa_rd_t *r, tpa_diameter_msg_t *m);

/* "Update-Location" for command 316, or NULL when unknown. Static string. */
const char *tpa_diameter_command_name(uint32_t code);

/* Name of a Result-Code (vendor 0) or an Experimental-Result-Code of vendor
 * ("DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION"), or NULL. Static string. */
const char *tpa_diameter_result_name(uint32_t vendor, uint32_t code);

/* SCTP user message (PPID 46 or the port). */
void tpa_diameter_dissect(tpa_dissect_ctx_t *c, tpa_rd_t *payload);

/* TCP in-order bytes. */
void tpa_diameter_stream(tpa_dissect_ctx_t *c, tpa_rd_t *bytes, uint64_t gap);

/* Frees the per-flow state made by tpa_diameter_stream. */
void tpa_diameter_state_free(void *state);

#endif
