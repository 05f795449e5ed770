/* tpa_pcapng.h - our own pcapng reader (draft-ietf-opsawg-pcapng).
 *
 * libpcap 1.10 refuses a pcapng file whose interfaces differ in link type or
 * snapshot length ("an interface has a ... different from ... the first interface"),
 * and it reports that only when it meets the second interface, possibly deep in
 * the file. Merged captures (mergecap) are exactly that, so pcapng files are read
 * here: every section (SHB, either byte order), every interface (IDB, with
 * if_tsresol and if_tsoffset), EPB, SPB and the obsolete OPB packet blocks; other
 * blocks are skipped. Every block body goes through the bounds-checked reader.
 * A block cut short by the end of the file ends the capture as truncated.
 *
 * The file is read in chunks of TPA_PCAPNG_CHUNK bytes into one buffer, and blocks
 * are handed out where they lie in it (one fread per block, into a 4 KiB stdio
 * buffer and then a block buffer, cost more than the decoding of a packet); a block
 * cut by the end of a chunk is completed by moving the unread tail to the front and
 * reading on behind it. The buffer holds the largest block seen plus a chunk.
 */
#ifndef TPA_PCAPNG_H
#define TPA_PCAPNG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define TPA_PCAPNG_MAX_BLOCK (64u << 20)
#ifndef TPA_PCAPNG_CHUNK /* the fuzz build sets a small one (CMakeLists.txt) */
#define TPA_PCAPNG_CHUNK (256u << 10)
#endif
#define TPA_PCAPNG_MAX_IFACES 256

typedef struct tpa_pcapng tpa_pcapng_t;

typedef struct tpa_pcapng_pkt {
    const uint8_t *data; /* borrowed: valid until the next _next/_destroy */
    uint32_t caplen, wirelen;
    int64_t ts_us;
    int linktype; /* LINKTYPE_* of the packet's interface */
} tpa_pcapng_pkt_t;

/* A reader over fp positioned at the start of the file; takes ownership of fp
 * (closed by _destroy). NULL when out of memory. */
tpa_pcapng_t *tpa_pcapng_new(FILE *fp);

void tpa_pcapng_destroy(tpa_pcapng_t **r);

/* 1 = *pkt filled, 0 = end (see tpa_pcapng_error: "" for a clean end). */
int tpa_pcapng_next(tpa_pcapng_t *r, tpa_pcapng_pkt_t *pkt);

/* Why reading stopped early, "" when it did not (borrowed). */
const char *tpa_pcapng_error(const tpa_pcapng_t *r);

/* LINKTYPE of the first interface, -1 before one is seen. */
int tpa_pcapng_first_linktype(const tpa_pcapng_t *r);

FILE *tpa_pcapng_file(const tpa_pcapng_t *r);

#endif
