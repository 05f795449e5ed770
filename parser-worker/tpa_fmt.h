/* tpa_fmt.h - text of numbers and addresses for the per-message path, without printf.
 *
 * Dissectors name every message, pairing key and identity in text ("seq=7@10.0.0.1",
 * "0x1a2b@10.0.0.2", "ran=12"); with snprintf and inet_ntop that formatting cost more
 * than the decoding. A tpa_fmt_t appends pieces into a caller's buffer and writes
 * exactly what snprintf would: decimal as "%u" / "%llu", hex as "%x" / "%08x" (lower
 * case), addresses as inet_ntop writes them (IPv6 with the longest run of two or more
 * zero groups as "::", the first of equal runs, and "::a.b.c.d" / "::ffff:a.b.c.d" for
 * IPv4-compatible and IPv4-mapped addresses, RFC 4291 2.2). Output longer than the
 * buffer is cut as snprintf cuts it (size - 1 characters and a NUL).
 *
 * The buffer is borrowed; it is NUL-terminated after every call. Every call is O(length
 * of what it writes); nothing is allocated.
 */
#ifndef TPA_FMT_H
#define TPA_FMT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct tpa_fmt {
    char *p;   /* next character */
    char *end; /* the last byte of the buffer, kept for the NUL */
    char *start;
} tpa_fmt_t;

#define TPA_FMT_ADDR_MAX 46 /* INET6_ADDRSTRLEN: any address with its NUL */

/* Starts writing into buf[0..size) (size >= 1): buf becomes "". */
static inline void tpa_fmt_init(tpa_fmt_t *f, char *buf, size_t size)
{
    f->start = f->p = buf;
    f->end = buf + size - 1;
    *buf = '\0';
}

/* Length written so far. */
static inline size_t tpa_fmt_len(const tpa_fmt_t *f)
{
    return (size_t)(f->p - f->start);
}

/* One character. */
static inline void tpa_fmt_c(tpa_fmt_t *f, char c)
{
    if (f->p < f->end) *f->p++ = c;
    *f->p = '\0';
}

/* n bytes of s (no NUL needed). Inline: with n a constant ("seq=", "0x") the copy
 * is a store or two. */
static inline void tpa_fmt_mem(tpa_fmt_t *f, const char *s, size_t n)
{
    size_t room = (size_t)(f->end - f->p);
    if (n <= room) {
        memcpy(f->p, s, n);
    } else { /* cut */
        n = room;
        memcpy(f->p, s, n);
    }
    f->p += n;
    *f->p = '\0';
}

/* A string ("%s"; NULL writes nothing). */
void tpa_fmt_s(tpa_fmt_t *f, const char *s);

/* v in decimal ("%llu"). */
void tpa_fmt_u(tpa_fmt_t *f, uint64_t v);

/* v in lower-case hex, at least width digits with leading zeros ("%x", "%08x"). */
void tpa_fmt_x(tpa_fmt_t *f, uint64_t v, int width);

/* A 4-byte (family 4) or 16-byte (family 6) address as inet_ntop writes it. The texts
 * of IPv4 addresses are kept in a small memo per thread (16 entries, by a hash of the
 * address): an address met again is a look-up and one 16-byte copy. */
void tpa_fmt_addr(tpa_fmt_t *f, int family, const uint8_t *a);

/* Raw forms, for a caller that knows it has the room: each writes at p without a check
 * and without a NUL, and returns the end of the text (what it writes is what the calls
 * above write, uncut). They may write scratch bytes past that end, within their room:
 * tpa_fmt_u_raw writes at most TPA_FMT_U_ROOM bytes (exactly its digits, so fewer for
 * a smaller v: at most 10 for a 32-bit value), tpa_fmt_x_raw at most TPA_FMT_X_ROOM,
 * tpa_fmt_addr_raw at most TPA_FMT_ADDR_MAX. */
#define TPA_FMT_U_ROOM 20
#define TPA_FMT_X_ROOM 17
char *tpa_fmt_u_raw(char *p, uint64_t v);
char *tpa_fmt_x_raw(char *p, uint64_t v); /* "%llx" */
char *tpa_fmt_addr_raw(char *p, int family, const uint8_t *a);

/* The decimal text of v (0-255), a static string: a message type octet as a code that
 * the signalling layer keeps by address. */
extern const char *const tpa_fmt_dec8[256];
static inline const char *tpa_fmt_u8_str(uint8_t v)
{
    return tpa_fmt_dec8[v];
}

/* Shorthands that write into buf[0..size) from its start; they return the length. */
size_t tpa_fmt_u_str(uint64_t v, char *buf, size_t size);
size_t tpa_fmt_addr_str(int family, const uint8_t *a, char *buf, size_t size);

#endif
