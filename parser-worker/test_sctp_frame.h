/* test_sctp_frame.h - builds raw IPv4 frames carrying SCTP DATA chunks, for the
 * NGAP / S1AP tests that go through the whole decoder (tpa_decode_packet, link type
 * RAW). RFC 9260 section 3: 12-byte common header, DATA chunk type 0 with flags B|E
 * (a whole user message), length 16 + data, TSN, stream id, stream sequence number,
 * payload protocol id; each chunk padded to 4 bytes. The checksum is left 0 (the
 * decoder does not verify it). Test-only.
 */
#ifndef TEST_SCTP_FRAME_H
#define TEST_SCTP_FRAME_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SCTP_FRAME_MAX 16384

static inline void sf_be16(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static inline void sf_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* Writes into out (SCTP_FRAME_MAX bytes) one packet 10.0.0.1:sport -> 10.0.0.2:dport
 * with n DATA chunks, message i being msgs[i] (lens[i] bytes), TSNs from *tsn on.
 * Returns the frame length. */
static inline size_t sctp_frame(uint8_t *out, uint16_t sport, uint16_t dport, uint32_t ppid,
                                uint32_t *tsn, unsigned n, const uint8_t *const *msgs,
                                const size_t *lens)
{
    memset(out, 0, SCTP_FRAME_MAX);
    size_t off = 20;
    sf_be16(out + off, sport);
    sf_be16(out + off + 2, dport);
    sf_be32(out + off + 4, 1); /* verification tag */
    off += 12;
    for (unsigned i = 0; i < n; i++) {
        uint8_t *c = out + off;
        c[0] = 0;    /* DATA */
        c[1] = 0x03; /* B | E */
        sf_be16(c + 2, (uint32_t)(16 + lens[i]));
        sf_be32(c + 4, (*tsn)++);
        sf_be16(c + 8, 0);            /* stream */
        sf_be16(c + 10, (uint16_t)i); /* stream sequence number */
        sf_be32(c + 12, ppid);
        memcpy(c + 16, msgs[i], lens[i]);
        off += (16 + lens[i] + 3) / 4 * 4;
    }
    out[0] = 0x45;
    sf_be16(out + 2, (uint32_t)off);
    out[8] = 64;
    out[9] = 132;
    out[12] = 10, out[15] = 1;
    out[16] = 10, out[19] = 2;
    return off;
}

#endif
