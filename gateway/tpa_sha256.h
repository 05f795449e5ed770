/* tpa_sha256.h - SHA-256 (FIPS 180-4), incremental.
 *
 * Used by the gateway to hash an upload while it streams to disk, so the file
 * is never held in memory. Cost: O(n), about 64 rounds per 64-byte block.
 */
#ifndef TPA_SHA256_H
#define TPA_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define TPA_SHA256_LEN 32 /* digest bytes */
#define TPA_SHA256_HEX 65 /* hex digest + NUL */

typedef struct tpa_sha256 {
    uint32_t h[8];
    uint64_t total;    /* bytes hashed so far */
    uint8_t block[64]; /* pending partial block */
    size_t fill;       /* bytes in block */
} tpa_sha256_t;

/* Starts a new digest in *s (caller-owned storage, no allocation). */
void tpa_sha256_init(tpa_sha256_t *s);

/* Hashes len more bytes. data may be NULL when len is 0. */
void tpa_sha256_update(tpa_sha256_t *s, const void *data, size_t len);

/* Finishes the digest: writes 32 bytes to out. *s must be re-initialised before reuse. */
void tpa_sha256_final(tpa_sha256_t *s, uint8_t out[TPA_SHA256_LEN]);

/* Finishes the digest as 64 lowercase hex characters + NUL. */
void tpa_sha256_final_hex(tpa_sha256_t *s, char out[TPA_SHA256_HEX]);

#endif
