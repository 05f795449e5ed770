/* test_fmt.c - tpa_fmt writes "exactly what snprintf would: decimal as "%u" / "%llu",
 * hex as "%x" / "%08x" (lower case), addresses as inet_ntop writes them", cut "as
 * snprintf cuts it" (tpa_fmt.h); the raw writers write the same uncut, within their
 * room. Each check compares with libc itself. */
#include "tpa_fmt.h"
#include "tpa_test.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t next(void)
{
    return tpa_test_rand(&rng);
}

/* A raw writer's text at buf[0..end) against want: the same, and nothing written past
 * its room (the byte after it keeps the fill). */
#define FILL 0x5a
static void check_raw(const char *want, const char *buf, const char *end, size_t room)
{
    size_t n = (size_t)(end - buf);
    CHECKF(n == strlen(want) && memcmp(want, buf, n) == 0 && (unsigned char)buf[room] == FILL,
           "raw %.*s vs %s", (int)n, buf, want);
}

static void check_u(uint64_t v)
{
    char want[32], got[32];
    snprintf(want, sizeof want, "%llu", (unsigned long long)v);
    size_t n = tpa_fmt_u_str(v, got, sizeof got);
    CHECKF(strcmp(want, got) == 0 && n == strlen(want), "%s vs %s", want, got);
    /* raw: exactly its digits, so a value below 2^32 in 10 bytes */
    char raw[TPA_FMT_U_ROOM + 1];
    size_t room = v >> 32 ? TPA_FMT_U_ROOM : 10;
    memset(raw, FILL, sizeof raw);
    check_raw(want, raw, tpa_fmt_u_raw(raw, v), room);
    memset(raw, FILL, sizeof raw);
    check_raw(want, raw + TPA_FMT_U_ROOM - room, tpa_fmt_u_raw(raw + TPA_FMT_U_ROOM - room, v),
              room);
}

/* v in every buffer size up to its length and one more: written in place, or cut. */
static void check_u_cut(uint64_t v)
{
    for (size_t size = 1; size <= 22; size++) {
        char want[32], got[32];
        snprintf(want, size, "%llu", (unsigned long long)v);
        tpa_fmt_t f;
        tpa_fmt_init(&f, got, size);
        tpa_fmt_u(&f, v);
        CHECKF(strcmp(want, got) == 0 && tpa_fmt_len(&f) == strlen(want), "size %zu: %s vs %s",
               size, want, got);
    }
}

/* v with width in every buffer size up to its length and one more. */
static void check_x_cut(uint64_t v, int width)
{
    for (size_t size = 1; size <= 24; size++) {
        char want[48], got[48];
        snprintf(want, size, "%0*llx", width, (unsigned long long)v);
        tpa_fmt_t f;
        tpa_fmt_init(&f, got, size);
        tpa_fmt_x(&f, v, width);
        CHECKF(strcmp(want, got) == 0 && tpa_fmt_len(&f) == strlen(want), "size %zu: %s vs %s",
               size, want, got);
    }
}

static void check_x(uint64_t v, int width)
{
    char want[48], got[48];
    snprintf(want, sizeof want, "%0*llx", width, (unsigned long long)v);
    tpa_fmt_t f;
    tpa_fmt_init(&f, got, sizeof got);
    tpa_fmt_x(&f, v, width);
    CHECKF(strcmp(want, got) == 0, "%s vs %s", want, got);
    if (width <= 1) { /* the raw form: "%llx" */
        char raw[TPA_FMT_X_ROOM + 1];
        memset(raw, FILL, sizeof raw);
        check_raw(want, raw, tpa_fmt_x_raw(raw, v), TPA_FMT_X_ROOM);
    }
}

static void check_addr(int family, const uint8_t *a)
{
    char want[INET6_ADDRSTRLEN], got[TPA_FMT_ADDR_MAX];
    CHECK(inet_ntop(family == 6 ? AF_INET6 : AF_INET, a, want, sizeof want) != NULL);
    size_t n = tpa_fmt_addr_str(family, a, got, sizeof got);
    CHECKF(strcmp(want, got) == 0 && n == strlen(want), "%s vs %s", want, got);
    char raw[TPA_FMT_ADDR_MAX + 1]; /* the raw form, twice: the IPv4 text memo filled, then
                                       found */
    for (int i = 0; i < 2; i++) {
        memset(raw, FILL, sizeof raw);
        check_raw(want, raw, tpa_fmt_addr_raw(raw, family, a), TPA_FMT_ADDR_MAX);
    }
}

int main(void)
{
    /* decimal: edges, every power of ten and its neighbours, random */
    check_u(0);
    check_u(UINT64_MAX);
    for (uint64_t p = 1; p <= 1000000000000000000ULL; p *= 10) {
        check_u(p - 1);
        check_u(p);
        check_u(p + 1);
        check_u_cut(p - 1);
        check_u_cut(p);
    }
    check_u_cut(UINT64_MAX);
    for (int i = 0; i < 2000; i++)
        check_u_cut(next() >> (next() & 63));
    for (int i = 0; i < 20000; i++)
        check_u(next() >> (next() & 63));
    for (unsigned v = 0; v < 256; v++) {
        char want[4];
        snprintf(want, sizeof want, "%u", v);
        CHECKF(strcmp(tpa_fmt_u8_str((uint8_t)v), want) == 0, "%u", v);
    }

    /* hex, with and without width */
    int widths[] = {0, 1, 2, 4, 8, 16, 20};
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        check_x(0, widths[w]);
        check_x(UINT64_MAX, widths[w]);
        check_x_cut(0, widths[w]);
        check_x_cut(UINT64_MAX, widths[w]);
        for (int i = 0; i < 200; i++)
            check_x_cut(next() >> (next() & 63), widths[w]);
        for (int i = 0; i < 2000; i++)
            check_x(next() >> (next() & 63), widths[w]);
    }

    /* IPv4: every octet value in each position */
    uint8_t a4[4];
    for (unsigned b = 0; b < 256; b++) {
        for (int pos = 0; pos < 4; pos++) {
            memset(a4, 0, sizeof a4);
            a4[pos] = (uint8_t)b;
            a4[(pos + 1) & 3] = (uint8_t)(255 - b);
            check_addr(4, a4);
        }
    }
    /* the same addresses again and again, more of them than the memo of texts holds
     * (entries replaced, found again), in buffers with and without room for a whole
     * entry */
    uint8_t many[64][4];
    for (int i = 0; i < 64; i++) {
        uint64_t r = next();
        memcpy(many[i], &r, 4);
    }
    for (int pass = 0; pass < 3; pass++) {
        for (int i = 0; i < 64; i++) {
            check_addr(4, many[i]);
            char want[INET_ADDRSTRLEN], got[32];
            inet_ntop(AF_INET, many[i], want, sizeof want);
            for (size_t size = 1; size <= 17; size++) {
                tpa_fmt_t f;
                tpa_fmt_init(&f, got, size);
                tpa_fmt_addr(&f, 4, many[i]);
                CHECKF(strncmp(want, got, size - 1) == 0 && strlen(got) == tpa_fmt_len(&f) &&
                           tpa_fmt_len(&f) == (strlen(want) < size ? strlen(want) : size - 1),
                       "size %zu: %s vs %s", size, want, got);
            }
        }
    }

    /* IPv6: every pattern of zero and non-zero groups (runs, ties, mapped and
     * compatible IPv4 forms), each with small and large group values */
    uint8_t a6[16];
    for (unsigned mask = 0; mask < 256; mask++) {
        for (int var = 0; var < 4; var++) {
            for (int g = 0; g < 8; g++) {
                unsigned v = 0;
                if (mask >> g & 1) {
                    uint64_t r = next();
                    v = var == 0   ? 1
                        : var == 1 ? (unsigned)(r & 0xffff) | 1
                        : var == 2 ? 0xffff
                                   : (unsigned)(r & 0xf0) + 0x100;
                }
                a6[2 * g] = (uint8_t)(v >> 8);
                a6[2 * g + 1] = (uint8_t)v;
            }
            check_addr(6, a6);
        }
    }
    memset(a6, 0, sizeof a6); /* :: , ::1, ::ffff:a.b.c.d, ::a.b.c.d */
    check_addr(6, a6);
    a6[15] = 1;
    check_addr(6, a6);
    a6[10] = a6[11] = 0xff;
    a6[12] = 192;
    a6[13] = 0;
    a6[14] = 2;
    check_addr(6, a6);
    a6[10] = a6[11] = 0;
    check_addr(6, a6);
    a6[9] = 1; /* 0:0:0:0:1:... no longer mapped */
    check_addr(6, a6);
    for (int i = 0; i < 20000; i++) {
        uint64_t r = next(), z = next();
        for (int g = 0; g < 8; g++) { /* each group zero with probability 1/2 */
            unsigned v = (z >> g & 1) ? (unsigned)(r >> (8 * g)) & 0xffff : 0;
            a6[2 * g] = (uint8_t)(v >> 8);
            a6[2 * g + 1] = (uint8_t)v;
        }
        check_addr(6, a6);
    }

    /* pieces together, and cutting as snprintf cuts (an address written in place or
     * through the scratch buffer, by the room left) */
    char want[64], got[64];
    uint8_t addr[4] = {10, 1, 2, 3};
    for (size_t size = 1; size <= 40; size++) {
        snprintf(want, size, "seq=%u@%s|%x", 4711u, "10.1.2.3", 0xbeefu);
        tpa_fmt_t f;
        tpa_fmt_init(&f, got, size);
        tpa_fmt_s(&f, "seq=");
        tpa_fmt_u(&f, 4711);
        tpa_fmt_c(&f, '@');
        tpa_fmt_addr(&f, 4, addr);
        tpa_fmt_mem(&f, "|", 1);
        tpa_fmt_x(&f, 0xbeef, 0);
        CHECKF(strcmp(want, got) == 0 && tpa_fmt_len(&f) == strlen(want), "size %zu: %s vs %s",
               size, want, got);
    }
    tpa_fmt_t f;
    tpa_fmt_init(&f, got, sizeof got);
    tpa_fmt_s(&f, NULL);
    CHECK(got[0] == '\0' && tpa_fmt_len(&f) == 0);
    return TEST_DONE();
}
