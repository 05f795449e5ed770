/* tpa_capture_check.h - recognise a capture file by its first bytes.
 *
 * Used by the gateway on the first bytes of an upload (before the rest arrives)
 * and by the CLI before submitting. Knows pcap (all four magics: micro/nano
 * seconds, both byte orders, and the 0xa1b2cd34 "modified" variant), pcapng
 * (Section Header Block 0x0a0d0d0a with a valid byte-order magic) and gzip
 * (1f 8b; the content is checked when decompressed by the reader).
 */
#ifndef TPA_CAPTURE_CHECK_H
#define TPA_CAPTURE_CHECK_H

#include <stddef.h>

typedef enum {
    TPA_CAPFMT_UNKNOWN = 0, /* not a capture */
    TPA_CAPFMT_SHORT,       /* fewer bytes than needed to decide */
    TPA_CAPFMT_PCAP,
    TPA_CAPFMT_PCAPNG,
    TPA_CAPFMT_GZIP
} tpa_capfmt_t;

/* Classifies the first len bytes of a file. 24 bytes are always enough. */
tpa_capfmt_t tpa_capture_sniff(const void *head, size_t len);

/* Static name: "pcap", "pcapng", "gzip", "unknown", "short". */
const char *tpa_capfmt_name(tpa_capfmt_t f);

/* Reads the first bytes of the file at path and classifies it (for gzip, the
 * decompressed head). Returns the format; on an I/O error TPA_CAPFMT_UNKNOWN with
 * err set. */
tpa_capfmt_t tpa_capture_sniff_file(const char *path, char *err, size_t errlen);
/* Details of the file-level sniff:
 * - a gzip file whose decompressed head is pcap/pcapng gives TPA_CAPFMT_GZIP; one
 *   whose content is anything else (text, gzip in gzip, empty) gives UNKNOWN;
 * - a plain file shorter than any capture header (including an empty file) gives
 *   TPA_CAPFMT_SHORT;
 * - whenever the result is not PCAP, PCAPNG or GZIP, err holds one line a user can
 *   act on ("not a pcap or pcapng file", "empty file", strerror for I/O errors).
 * err may be NULL. */

/* As tpa_capture_sniff_file, but for a gzip file returns the format of the
 * decompressed content (PCAP or PCAPNG) and sets *compressed to 1 (0 for a plain
 * file). compressed may be NULL. */
tpa_capfmt_t tpa_capture_sniff_file_ex(const char *path, int *compressed, char *err, size_t errlen);

#endif
