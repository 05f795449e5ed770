/* tpa_gw_buf.c - growable byte buffer (see tpa_gw_buf.h). */
#include "tpa_gw_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void tpa_gw_buf_add(tpa_gw_buf_t *b, const void *p, size_t n)
{
    if (b->failed || n == 0) return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        char *d;
        while (cap < b->len + n + 1)
            cap *= 2;
        d = realloc(b->data, cap);
        if (!d) {
            b->failed = true;
            return;
        }
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void tpa_gw_buf_str(tpa_gw_buf_t *b, const char *s)
{
    tpa_gw_buf_add(b, s, strlen(s));
}

void tpa_gw_buf_printf(tpa_gw_buf_t *b, const char *fmt, ...)
{
    char small[128];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        b->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        tpa_gw_buf_add(b, small, (size_t)n);
        return;
    }
    {
        char *big = malloc((size_t)n + 1);
        if (!big) {
            b->failed = true;
            return;
        }
        va_start(ap, fmt);
        vsnprintf(big, (size_t)n + 1, fmt, ap);
        va_end(ap);
        tpa_gw_buf_add(b, big, (size_t)n);
        free(big);
    }
}

void tpa_gw_buf_free(tpa_gw_buf_t *b)
{
    free(b->data);
    memset(b, 0, sizeof *b);
}
