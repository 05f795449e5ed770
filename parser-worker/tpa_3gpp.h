/* tpa_3gpp.h - value encodings shared by the 3GPP dissectors (PFCP, GTPv2-C, GTPv1).
 *
 * TBCD digit strings (3GPP TS 29.002 section 17.7.8, TS 24.008 section 10.5.1.4):
 * two digits an octet, the first digit in the low nibble, 0xF fills the last high
 * nibble of an odd count. APN / DNN (TS 23.003 section 9.1, TS 29.274 section 8.6):
 * a sequence of labels, each a length octet and that many characters, shown with
 * dots between them. Addresses are written as inet_ntop writes them.
 *
 * Every function reads only from the reader it is given (consuming what it decodes)
 * and writes a NUL-terminated string into the caller's buffer; nothing is allocated.
 */
#ifndef TPA_3GPP_H
#define TPA_3GPP_H

#include <stddef.h>
#include <stdint.h>

#include "tpa_dissect.h"
#include "tpa_rd.h"
#include "tpa_sig.h"

#define TPA_3GPP_DIGITS_MAX 24 /* IMSI 15, IMEISV 16, MSISDN 15: room for all */
#define TPA_3GPP_ADDR_MAX 46   /* INET6_ADDRSTRLEN */
#define TPA_3GPP_APN_MAX 101   /* TS 23.003: an APN is at most 100 octets */
#define TPA_3GPP_ID_MAX (18 + 1 + TPA_3GPP_ADDR_MAX + 1) /* "0x<64-bit hex>@<addr>" */

/* Decodes n TBCD octets from r into dst (dstlen >= 1): digits 0-9 as characters,
 * stopping at the first filler (0xF) nibble; other non-digit nibbles stop it too.
 * Returns the number of digits written (0 when r has fewer than n bytes: r->err set). */
size_t tpa_3gpp_tbcd(tpa_rd_t *r, size_t n, char *dst, size_t dstlen);

/* Decodes an n-octet APN (labels) from r into dst as "label.label"; characters
 * outside printable ASCII become '?'. Returns the length written, 0 when empty or
 * when the labels overrun n (the n octets are consumed either way unless r is short). */
size_t tpa_3gpp_apn(tpa_rd_t *r, size_t n, char *dst, size_t dstlen);

/* Reads a 4-byte IPv4 (family 4) or 16-byte IPv6 (family 6) address from r and writes
 * it in text form into dst (dstlen >= TPA_3GPP_ADDR_MAX). Returns 0, or -1 when r is
 * short (dst is then ""). */
int tpa_3gpp_addr(tpa_rd_t *r, int family, char *dst, size_t dstlen);

/* Text form of an address already in memory (4 or 16 bytes by family). */
void tpa_3gpp_addr_str(const uint8_t *a, int family, char *dst, size_t dstlen);

/* A node address kept as bytes until it is written as text. */
typedef struct tpa_3gpp_ip {
    uint8_t family; /* 0: none, 4 or 6 */
    uint8_t a[16];
} tpa_3gpp_ip_t;

/* Reads a 4-byte IPv4 (family 4) or 16-byte IPv6 (family 6) address from r into ip.
 * Returns 0, or -1 when r is short (r->err set, ip->family 0). */
static inline int tpa_3gpp_ip(tpa_rd_t *r, int family, tpa_3gpp_ip_t *ip)
{
    ip->family = 0;
    if (family == 6) { /* constant sizes: the copies are a load and a store or two */
        if (!tpa_rd_need(r, 16)) return -1;
        tpa_rd_bytes(r, ip->a, 16);
        ip->family = 6;
    } else {
        if (!tpa_rd_need(r, 4)) return -1;
        tpa_rd_bytes(r, ip->a, 4);
        ip->family = 4;
    }
    return 0;
}

/* Storage for the identity strings of one tpa_sig_t (they are borrowed by it until
 * tpa_sig_report). */
#define TPA_3GPP_ID_SLOT 104
typedef struct tpa_3gpp_ids {
    char slot[TPA_SIG_MAX_IDS][TPA_3GPP_ID_SLOT];
} tpa_3gpp_ids_t;

/* Copies value into the slot of m's next identity and adds it (tpa_sig_add_id);
 * nothing when value is empty, m is full, or m already holds the same kind and value.
 * Longer values are cut to TPA_3GPP_ID_SLOT - 1. */
void tpa_3gpp_add_id(tpa_sig_t *m, tpa_3gpp_ids_t *b, tpa_id_kind_t kind, const char *value);

/* The slot m's next identity goes to (TPA_3GPP_ID_SLOT bytes), or NULL when m is full:
 * a value decoded straight into it is then added with tpa_3gpp_add_slot (no copy). */
static inline char *tpa_3gpp_slot(const tpa_sig_t *m, tpa_3gpp_ids_t *b)
{
    return m->n_ids < TPA_SIG_MAX_IDS ? b->slot[m->n_ids] : NULL;
}

/* Adds the value in the slot tpa_3gpp_slot gave (m not full since) as tpa_3gpp_add_id
 * adds a copy: nothing when it is empty or m already holds the same kind and value. */
void tpa_3gpp_add_slot(tpa_sig_t *m, tpa_3gpp_ids_t *b, tpa_id_kind_t kind);

/* Adds the TPA_ID_TEID / TPA_ID_SEID value "0x<id hex>@<addr>" ("0x<id>" when addr is
 * NULL or of family 0) as tpa_3gpp_add_id does, written straight into the slot. */
void tpa_3gpp_add_id_at(tpa_sig_t *m, tpa_3gpp_ids_t *b, tpa_id_kind_t kind, uint64_t id,
                        int family, const uint8_t *addr);

/* Reports m: tpa_sig_report(c, m) (messages[], transactions, KPIs, UEs). */
void tpa_3gpp_report(tpa_dissect_ctx_t *c, const tpa_sig_t *m);

/* For unit tests: fn(m, ud) sees every message tpa_3gpp_report reports from the
 * calling thread (m and its strings are borrowed for the call), before it is reported.
 * NULL removes the tap. */
typedef void (*tpa_3gpp_tap_fn)(const tpa_sig_t *m, void *ud);
void tpa_3gpp_set_tap(tpa_3gpp_tap_fn fn, void *ud);

#endif
