/* tpa_capture.h - reading a capture file.
 *
 * Opens pcap (microsecond and nanosecond, either byte order, and the modified
 * 0xa1b2cd34 format) and pcapng files, each optionally gzip-compressed (detected by
 * the 1f 8b magic, decompressed by zlib behind a stdio cookie so libpcap reads it as
 * a stream). A record cut short at the end of the file (or any read error after the
 * header) ends the capture with truncated = true; the packets before it stand.
 * Timestamps are delivered in microseconds.
 *
 * Readers: libpcap checks every pcap file header. The records of an uncompressed
 * regular pcap file of version 2.4 whose link type the engine decodes are then read
 * by our block reader (tpa_pcapblk.h: one copy, the same packets, timestamps,
 * truncation and messages as libpcap); libpcap's pcap_next_ex reads everything else.
 * pcapng goes through our reader (tpa_pcapng.h).
 */
#ifndef TPA_CAPTURE_H
#define TPA_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct tpa_capture tpa_capture_t;

typedef struct tpa_capture_pkt {
    const uint8_t *data; /* borrowed from the reader: valid until the next _next/_close */
    uint32_t caplen;
    uint32_t wirelen;
    int64_t ts_us;
    int dlt; /* libpcap DLT_* of the packet's interface */
} tpa_capture_pkt_t;

/* Opens path. On success returns 0 and *out (close with tpa_capture_close). On
 * failure returns TPA_ERR_IO (cannot open/read: err says why) or TPA_ERR_FORMAT
 * ("not a pcap or pcapng capture") and writes one line into err. */
int tpa_capture_open(const char *path, tpa_capture_t **out, char *err, size_t errlen);

/* tpa_capture_open with flags: TPA_CAPTURE_LIBPCAP reads plain pcap records with
 * libpcap's pcap_next_ex even where the block reader would (the reference the tests
 * compare it with). */
#define TPA_CAPTURE_LIBPCAP 1u
int tpa_capture_open_with(const char *path, unsigned flags, tpa_capture_t **out, char *err,
                          size_t errlen);

/* Closes the file; nulls *c. */
void tpa_capture_close(tpa_capture_t **c);

/* Reads the next packet: 1 = *pkt filled, 0 = end of capture (check
 * tpa_capture_truncated). */
int tpa_capture_next(tpa_capture_t *c, tpa_capture_pkt_t *pkt);

/* "pcap" or "pcapng" (static string). */
const char *tpa_capture_format(const tpa_capture_t *c);
bool tpa_capture_compressed(const tpa_capture_t *c);
/* Which reader delivers the records: "block", "libpcap" or "pcapng" (static string). */
const char *tpa_capture_reader(const tpa_capture_t *c);
/* The capture's (first interface's) link type, a DLT_* value. */
int tpa_capture_dlt(const tpa_capture_t *c);
/* libpcap's name of a DLT value ("EN10MB", "LINUX_SLL"), or "DLT_<n>" written into
 * buf (static string or buf). */
const char *tpa_capture_dlt_name(int dlt, char *buf, size_t buflen);

/* True when reading stopped on a cut-short record or a read error; the message
 * (libpcap's or ours) is in tpa_capture_error (borrowed, "" when none). */
bool tpa_capture_truncated(const tpa_capture_t *c);
const char *tpa_capture_error(const tpa_capture_t *c);
/* Bytes of the file consumed so far (compressed bytes for gzip) and its size. */
uint64_t tpa_capture_offset(const tpa_capture_t *c);
uint64_t tpa_capture_size(const tpa_capture_t *c);

#endif
