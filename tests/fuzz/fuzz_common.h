/* fuzz_common.h - what every fuzz target shares: the libFuzzer entry point and
 * helpers that wrap fuzzer bytes in IPv4/IPv6 + L4 headers and hand the frame to
 * the engine's per-packet decoder (tpa_decode.h), so a dissector target reaches its
 * dissector through the same path a capture does.
 *
 * Each fuzz_<name>.c defines LLVMFuzzerTestOneInput (the dissector-row targets
 * through fuzz_row.h). With TPA_FUZZ=ON it is linked
 * with libFuzzer (-fsanitize=fuzzer); otherwise with fuzz_replay_main.c, which
 * calls it once for every file of the directories it is given.
 */
#ifndef TPA_FUZZ_COMMON_H
#define TPA_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_decode.h"
#include "tpa_result.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libpcap DLT_* values the decoder understands (tpa_l2.c). */
enum {
    FUZZ_DLT_NULL = 0,
    FUZZ_DLT_EN10MB = 1,
    FUZZ_DLT_RAW = 12,
    FUZZ_DLT_LOOP = 108,
    FUZZ_DLT_LINUX_SLL = 113,
    FUZZ_DLT_IPV4 = 228,
    FUZZ_DLT_IPV6 = 229,
    FUZZ_DLT_LINUX_SLL2 = 276
};

/* A property the target checks failed: report and abort, so both libFuzzer and the
 * replay driver stop on it (and ctest sees a failure even without sanitizers). */
#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: fuzz property failed: %s\n", __FILE__, __LINE__, #cond);       \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

#define FUZZ_FRAME_MAX (65535 + 64)

/* Builds the result document of d (finished) as for a capture of that format and
 * link type name, serialises it and frees both: every part of the document is built
 * and printed once per input. */
static inline void fuzz_result(tpa_decoder_t *d, const char *format, const char *link)
{
    tpa_result_capture_t cap = {0};
    cap.file = "fuzz";
    cap.format = format;
    cap.link_types[0] = link;
    cap.nlink_types = 1;
    json_t *doc = tpa_result_build(d, &cap);
    if (doc) {
        char *s = json_dumps(doc, JSON_COMPACT);
        FUZZ_CHECK(s != NULL);
        free(s);
        json_decref(doc);
    }
}

/* Sum of the bytes, so reads of a whole buffer cannot be optimised away (ASan then
 * checks every byte a borrowed pointer claims to hold). */
static inline unsigned fuzz_touch(const uint8_t *p, size_t n)
{
    unsigned s = 0;
    for (size_t i = 0; i < n; i++)
        s += p[i];
    return s;
}

/* Writes a raw IP frame (IPv4 when v6 == 0) from host A to host B (dir 0) or back
 * (dir 1) carrying an L4 header for proto (6 TCP, 17 UDP, 132 SCTP; hdr/hlen given by
 * the caller) and then payload, into out (at least FUZZ_FRAME_MAX bytes). Returns
 * the frame length (payload cut to fit 65535). */
static inline size_t fuzz_ip_frame(uint8_t *out, int v6, int dir, uint8_t proto, const uint8_t *hdr,
                                   size_t hlen, const uint8_t *payload, size_t plen)
{
    uint8_t a = dir ? 2 : 1, b = dir ? 1 : 2;
    size_t iphl = v6 ? 40 : 20;
    if (plen > 65535 - iphl - hlen) plen = 65535 - iphl - hlen;
    size_t l4len = hlen + plen;
    memset(out, 0, iphl);
    if (v6) {
        out[0] = 0x60;
        out[4] = (uint8_t)(l4len >> 8);
        out[5] = (uint8_t)l4len;
        out[6] = proto;
        out[7] = 64;
        out[8] = 0x20, out[9] = 0x01, out[10] = 0x0d, out[11] = 0xb8, out[23] = a;
        out[24] = 0x20, out[25] = 0x01, out[26] = 0x0d, out[27] = 0xb8, out[39] = b;
    } else {
        size_t tot = iphl + l4len;
        out[0] = 0x45;
        out[2] = (uint8_t)(tot >> 8);
        out[3] = (uint8_t)tot;
        out[8] = 64;
        out[9] = proto;
        out[12] = 10, out[15] = a;
        out[16] = 10, out[19] = b;
    }
    memcpy(out + iphl, hdr, hlen);
    if (proto == 17) { /* UDP length covers header and payload */
        out[iphl + 4] = (uint8_t)(l4len >> 8);
        out[iphl + 5] = (uint8_t)l4len;
    }
    if (plen) memcpy(out + iphl + hlen, payload, plen);
    return iphl + l4len;
}

#endif
