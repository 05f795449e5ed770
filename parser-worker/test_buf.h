/* test_buf.h - a growable byte buffer for tests that build capture files (test code,
 * header only): put appends bytes, put16 / put32 a number in either byte order. */
#ifndef TEST_BUF_H
#define TEST_BUF_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

typedef struct buf {
    uint8_t *p; /* owned: free(p) */
    size_t n, cap;
} buf_t;

static inline void put(buf_t *b, const void *src, size_t n)
{
    if (b->n + n > b->cap) {
        b->cap = (b->n + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p) abort();
    }
    if (n) memcpy(b->p + b->n, src, n);
    b->n += n;
}

static inline void put32(buf_t *b, uint32_t v, int be)
{
    uint8_t x[4];
    for (int i = 0; i < 4; i++)
        x[i] = (uint8_t)(be ? v >> (24 - 8 * i) : v >> (8 * i));
    put(b, x, 4);
}

static inline void put16(buf_t *b, uint16_t v, int be)
{
    uint8_t x[2] = {(uint8_t)(be ? v >> 8 : v), (uint8_t)(be ? v : v >> 8)};
    put(b, x, 2);
}

#endif
