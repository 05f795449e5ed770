/* tpa_rd.h - the bounds-checked packet reader.
 *
 * Every packet byte the engine looks at is read through a tpa_rd_t: a window
 * [cur, end) over a borrowed buffer and a sticky error flag. A read that would go
 * past end sets err, returns 0 (or does nothing) and leaves cur unchanged; once err
 * is set, every later read fails too, so a dissector may read a whole header and
 * check err once. The reader never owns the bytes: they are borrowed from the
 * caller (libpcap's buffer, a reassembly buffer) and valid only as long as those.
 * All accessors are O(1) and inline: this is the per-packet hot path.
 */
#ifndef TPA_RD_H
#define TPA_RD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct tpa_rd {
    const uint8_t *cur;
    const uint8_t *end;
    bool err;
} tpa_rd_t;

/* A reader over [p, p + len). p may be NULL when len is 0 (the reader then points at
 * an empty static byte: it never holds NULL, as NULL + 0 is undefined behaviour). */
static inline tpa_rd_t tpa_rd_init(const void *p, size_t len)
{
    static const uint8_t none[1];
    tpa_rd_t r;
    r.cur = p ? (const uint8_t *)p : none;
    r.end = p ? r.cur + len : r.cur;
    r.err = false;
    return r;
}

/* Bytes left to read (0 once err is set). */
static inline size_t tpa_rd_remaining(const tpa_rd_t *r)
{
    return r->err ? 0 : (size_t)(r->end - r->cur);
}

/* True when n more bytes can be read; does not set err. */
static inline bool tpa_rd_has(const tpa_rd_t *r, size_t n)
{
    return !r->err && (size_t)(r->end - r->cur) >= n;
}

/* Sets err unless n bytes are available; returns whether they are. */
static inline bool tpa_rd_need(tpa_rd_t *r, size_t n)
{
    if (!tpa_rd_has(r, n)) {
        r->err = true;
        return false;
    }
    return true;
}

static inline uint8_t tpa_rd_u8(tpa_rd_t *r)
{
    if (!tpa_rd_need(r, 1)) return 0;
    return *r->cur++;
}

static inline uint16_t tpa_rd_be16(tpa_rd_t *r)
{
    if (!tpa_rd_need(r, 2)) return 0;
    uint16_t v = (uint16_t)((unsigned)r->cur[0] << 8 | r->cur[1]);
    r->cur += 2;
    return v;
}

static inline uint32_t tpa_rd_be24(tpa_rd_t *r)
{
    if (!tpa_rd_need(r, 3)) return 0;
    uint32_t v = (uint32_t)r->cur[0] << 16 | (uint32_t)r->cur[1] << 8 | r->cur[2];
    r->cur += 3;
    return v;
}

static inline uint32_t tpa_rd_be32(tpa_rd_t *r)
{
    if (!tpa_rd_need(r, 4)) return 0;
    uint32_t v = (uint32_t)r->cur[0] << 24 | (uint32_t)r->cur[1] << 16 | (uint32_t)r->cur[2] << 8 |
                 r->cur[3];
    r->cur += 4;
    return v;
}

static inline uint64_t tpa_rd_be64(tpa_rd_t *r)
{
    uint64_t hi = tpa_rd_be32(r);
    uint64_t lo = tpa_rd_be32(r);
    return r->err ? 0 : (hi << 32 | lo);
}

static inline uint16_t tpa_rd_le16(tpa_rd_t *r)
{
    if (!tpa_rd_need(r, 2)) return 0;
    uint16_t v = (uint16_t)((unsigned)r->cur[1] << 8 | r->cur[0]);
    r->cur += 2;
    return v;
}

static inline uint32_t tpa_rd_le32(tpa_rd_t *r)
{
    if (!tpa_rd_need(r, 4)) return 0;
    uint32_t v = (uint32_t)r->cur[3] << 24 | (uint32_t)r->cur[2] << 16 | (uint32_t)r->cur[1] << 8 |
                 r->cur[0];
    r->cur += 4;
    return v;
}

/* Advances n bytes; sets err (and does not move) if fewer remain. */
static inline void tpa_rd_skip(tpa_rd_t *r, size_t n)
{
    if (tpa_rd_need(r, n)) r->cur += n;
}

/* Copies n bytes into dst and advances; on failure sets err and zeroes dst. */
static inline void tpa_rd_bytes(tpa_rd_t *r, void *dst, size_t n)
{
    if (!tpa_rd_need(r, n)) {
        memset(dst, 0, n);
        return;
    }
    if (n) memcpy(dst, r->cur, n); /* an empty reader may hold NULL */
    r->cur += n;
}

/* Byte at offset off from cur without consuming it; returns 0 and sets err when out
 * of range. */
static inline uint8_t tpa_rd_peek(tpa_rd_t *r, size_t off)
{
    if (!tpa_rd_need(r, off + 1)) return 0;
    return r->cur[off];
}

/* A child reader over the next n bytes, consumed from r. When fewer than n remain,
 * r->err is set and the child is an errored, empty reader. */
static inline tpa_rd_t tpa_rd_sub(tpa_rd_t *r, size_t n)
{
    tpa_rd_t c;
    if (!tpa_rd_need(r, n)) {
        c.cur = c.end = r->cur;
        c.err = true;
        return c;
    }
    c.cur = r->cur;
    c.end = r->cur + n;
    c.err = false;
    r->cur += n;
    return c;
}

/* A child reader over min(n, remaining) bytes, consumed from r; never sets err.
 * For a length field that may exceed what was captured (snaplen). */
static inline tpa_rd_t tpa_rd_sub_upto(tpa_rd_t *r, size_t n)
{
    size_t have = tpa_rd_remaining(r);
    tpa_rd_t c;
    c.cur = r->cur;
    c.end = r->cur + (n < have ? n : have);
    c.err = r->err;
    if (!r->err) r->cur = c.end;
    return c;
}

/* Borrowed pointer to the next n bytes and advances, or NULL (err set). The pointer
 * is valid as long as the underlying buffer; use only to hand a span to another
 * reader or to copy it (never to cast to a struct). */
static inline const uint8_t *tpa_rd_span(tpa_rd_t *r, size_t n)
{
    if (!tpa_rd_need(r, n)) return NULL;
    const uint8_t *p = r->cur;
    r->cur += n;
    return p;
}

/* Out-of-line helpers (tpa_rd.c). */

/* Reads a NUL-free run of up to n bytes as a C string into dst (dstlen >= 1),
 * truncating to dstlen - 1; advances n bytes. Returns the number of bytes stored. */
size_t tpa_rd_str(tpa_rd_t *r, size_t n, char *dst, size_t dstlen);

/* True when the next n bytes equal p (does not consume, never sets err). */
bool tpa_rd_match(const tpa_rd_t *r, const void *p, size_t n);

#endif
