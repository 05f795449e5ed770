/* tpa_reasm.h - IPv4 and IPv6 fragment reassembly with bounded memory.
 *
 * RFC 791 (IPv4: key src, dst, protocol, identification) and RFC 8200 section 4.5
 * (IPv6: key src, dst, identification); we also key on the protocol for IPv6 and on
 * the enclosing tunnel context so fragments from different tunnels never mix.
 *
 * Overlaps: FIRST WINS. Bytes already received for a range are kept; a later
 * fragment only fills the gaps it covers (and the overlap is reported once as
 * ip.fragment_overlap). A datagram completes when the final fragment (MF = 0) has
 * been seen and [0, total) is covered, in any arrival order.
 *
 * Limits: at most max_datagrams open datagrams and max_bytes of buffers; the oldest
 * open datagram is dropped to make room. An open datagram older than timeout_us of
 * capture time is dropped. Dropped datagrams' fragment frames are counted in
 * tpa_reasm_stats (they belong to no L4 flow). At most TPA_REASM_MAX_FRAMES frames
 * per datagram, and a reassembled payload is at most 65535 bytes. Released datagrams
 * are kept for reuse (at most 32, with buffers of at most 8 KiB, outside the budget,
 * which still charges each datagram the size it grew to), so a stream of fragmented
 * datagrams does not allocate per datagram.
 */
#ifndef TPA_REASM_H
#define TPA_REASM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPA_REASM_MAX_FRAMES 1024
#define TPA_REASM_MAX_LEN 65535

typedef struct tpa_reasm_key {
    uint8_t src[16];
    uint8_t dst[16];
    uint32_t id;
    uint32_t ctx;
    uint8_t family; /* 4 or 6 */
    uint8_t proto;
    uint16_t pad; /* zero */
} tpa_reasm_key_t;

typedef struct tpa_reasm_out {
    const uint8_t *data; /* reassembled payload, borrowed until tpa_reasm_release() */
    size_t len;
    uint32_t other_frames; /* fragment frames held before this one */
    uint64_t other_bytes;  /* their wire lengths */
    int64_t first_us;      /* time of the first fragment */
} tpa_reasm_out_t;

typedef struct tpa_reasm_stats {
    uint64_t reassembled;    /* datagrams completed */
    uint64_t dropped;        /* datagrams dropped (timeout, limits, end of capture) */
    uint64_t dropped_frames; /* fragment frames of dropped datagrams */
    uint64_t dropped_bytes;
} tpa_reasm_stats_t;

enum {
    TPA_REASM_HELD = 0,          /* stored, datagram incomplete */
    TPA_REASM_DONE = 1,          /* datagram complete: see out */
    TPA_REASM_TOO_BIG = -1,      /* offset + len over 65535: fragment rejected */
    TPA_REASM_INCONSISTENT = -2, /* contradicts the known total length: rejected */
    TPA_REASM_TOO_MANY = -3,     /* too many frames: datagram dropped */
    TPA_REASM_NOMEM = -4
};

typedef struct tpa_reasm tpa_reasm_t;

/* A new reassembler, or NULL. timeout_us <= 0 disables the timeout. */
tpa_reasm_t *tpa_reasm_new(size_t max_bytes, size_t max_datagrams, int64_t timeout_us);

/* Frees everything; nulls *r. */
void tpa_reasm_destroy(tpa_reasm_t **r);

/* Adds the fragment [off, off + len) of datagram k (more = MF flag) seen at now_us in
 * a frame of wirelen bytes. Returns TPA_REASM_HELD, TPA_REASM_DONE (out filled) or a
 * negative TPA_REASM_* for a rejected fragment. *overlap is set when the fragment
 * overlapped received data. */
int tpa_reasm_add(tpa_reasm_t *r, const tpa_reasm_key_t *k, int64_t now_us, uint32_t off, bool more,
                  const uint8_t *data, size_t len, uint32_t wirelen, tpa_reasm_out_t *out,
                  bool *overlap);

/* Frees the buffers of datagrams completed since the last call (their out->data
 * pointers become invalid). Call once the frame that completed them is decoded. */
void tpa_reasm_release(tpa_reasm_t *r);

/* Drops open datagrams older than the timeout at now_us. O(dropped). */
void tpa_reasm_expire(tpa_reasm_t *r, int64_t now_us);

/* Drops every open datagram (end of capture). */
void tpa_reasm_flush(tpa_reasm_t *r);

void tpa_reasm_get_stats(const tpa_reasm_t *r, tpa_reasm_stats_t *st);

/* Open datagrams and buffered bytes now. */
size_t tpa_reasm_open(const tpa_reasm_t *r);
size_t tpa_reasm_buffered(const tpa_reasm_t *r);

#endif
