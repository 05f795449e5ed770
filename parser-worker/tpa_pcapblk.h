/* tpa_pcapblk.h - our reader of plain pcap records, in large blocks.
 *
 * libpcap's pcap_next_ex copies every record twice (kernel page cache into the stdio
 * buffer, then into its packet buffer); on a large capture that costs as much as the
 * decoding. This reader reads the file in blocks of TPA_PCAPBLK_BLOCK bytes (pread)
 * into one buffer it reuses and hands out pointers into it; a record cut by the end
 * of a block is completed by moving the unread tail to the front of the buffer and
 * reading on behind it. The buffer holds a block plus the largest record accepted, so
 * every record fits whole. It reads only the records: the file header is checked and
 * interpreted by libpcap first (tpa_capture.c), which also picks this reader only for
 * the cases it reproduces exactly (see tpa_capture_open), and keeps reading the
 * others itself. (It reads rather than maps the file: a file shrinking under a mapping
 * would crash the process, where reads just come back short.)
 *
 * Record layout (pcap-savefile(5)): ts_sec (4), ts_usec or ts_nsec (4), caplen (4),
 * len (4), in the file's byte order; the modified format (magic 0xa1b2cd34) adds
 * ifindex (4), protocol (2), pkt_type (1) and a pad byte. Every record header and
 * body is bounds-checked against the bytes the reads returned (the file is read up to
 * its end as it is then, as libpcap reads it); the outcomes follow libpcap 1.10 record
 * for record (tests/ compare the two readers):
 *
 * - no byte left: end of capture; a partial header: "truncated dump file; tried to
 *   read N header bytes, only got M";
 * - caplen above the largest record libpcap accepts for the link type (max_caplen):
 *   "invalid packet capture length N, bigger than snaplen of S" (caplen > snapshot)
 *   or "... bigger than maximum of X";
 * - caplen above the file's snapshot length: the first `snapshot` bytes are the
 *   packet, the rest of the record is skipped;
 * - a body cut short: "truncated dump file; tried to read N captured bytes, only got
 *   M";
 * - timestamps as libpcap builds them: seconds and (micro|nano)seconds are 32-bit
 *   signed in a file of the host's byte order and unsigned in a byte-swapped one;
 *   nanoseconds are divided by 1000 (toward zero);
 * - a failed read: "error reading dump file: <strerror>" (libpcap's text).
 *
 * Memory: one buffer of TPA_PCAPBLK_BLOCK + 24 + max_caplen bytes, whatever the file
 * size. A file that shrinks or grows while it is read is read as it then is: a record
 * cut by the new end is a truncated capture, like any other.
 */
#ifndef TPA_PCAPBLK_H
#define TPA_PCAPBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef TPA_PCAPBLK_BLOCK              /* the fuzz build sets a small one (CMakeLists.txt) */
#define TPA_PCAPBLK_BLOCK (256u << 10) /* bytes asked for per read */
#endif

typedef struct tpa_pcapblk tpa_pcapblk_t;

/* What libpcap found in the file header. */
typedef struct tpa_pcapblk_params {
    bool swapped;        /* records in the opposite byte order to this host's */
    bool nano;           /* nanosecond timestamps (magic 0xa1b23c4d) */
    bool modified;       /* 24-byte record headers (magic 0xa1b2cd34) */
    uint32_t snapshot;   /* libpcap's snapshot length (pcap_snapshot) */
    uint32_t max_caplen; /* libpcap's largest acceptable record for the link type */
} tpa_pcapblk_params_t;

typedef struct tpa_pcapblk_pkt {
    const uint8_t *data; /* borrowed from the buffer: valid until the next _next/_destroy */
    uint32_t caplen, wirelen;
    int64_t ts_us;
} tpa_pcapblk_pkt_t;

/* A reader of the records of the regular file fd (borrowed: the caller keeps it open
 * as long as the reader; read with pread, so its file position does not matter),
 * starting at byte offset `start` (after the file header); `size` is unused (kept for
 * the callers). NULL when out of memory. */
tpa_pcapblk_t *tpa_pcapblk_new(int fd, uint64_t size, uint64_t start,
                               const tpa_pcapblk_params_t *prm);

/* Frees the buffer (the file stays open); nulls *m. */
void tpa_pcapblk_destroy(tpa_pcapblk_t **m);

/* 1 = *pkt filled; 0 = end of capture (tpa_pcapblk_error: "" for a clean end). */
int tpa_pcapblk_next(tpa_pcapblk_t *m, tpa_pcapblk_pkt_t *pkt);

/* Why reading stopped early, "" when it did not (borrowed). */
const char *tpa_pcapblk_error(const tpa_pcapblk_t *m);

/* Bytes of the file consumed so far. */
uint64_t tpa_pcapblk_offset(const tpa_pcapblk_t *m);

#endif
