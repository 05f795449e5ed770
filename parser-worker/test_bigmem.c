/* test_bigmem.c - zeroed arrays of megabytes (tpa_bigmem.h). */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_bigmem.h"
#include "tpa_test.h"

static bool all_zero(const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i]) return false;
    return true;
}

int main(void)
{
    /* "Smaller arrays are plain calloc": zeroed */
    unsigned char *small = tpa_bigmem_calloc(1000, 4);
    CHECK(small && all_zero(small, 4000));
    tpa_bigmem_free(small, 1000, 4);
    /* "aligned to 2 MB", zero, all of it writable; freed with tpa_bigmem_free */
    size_t n = TPA_BIGMEM_MIN / 8 + 12345;
    uint64_t *big = tpa_bigmem_calloc(n, sizeof *big);
    CHECK(big && (uintptr_t)big % TPA_BIGMEM_PAGE == 0);
    CHECK(big && all_zero((const unsigned char *)big, n * sizeof *big));
    if (big) {
        big[0] = 1;
        big[n - 1] = 2;
        CHECK(big[0] + big[n - 1] == 3);
    }
    tpa_bigmem_free(big, n, sizeof *big);
    /* a new array where the last one was is zero again */
    big = tpa_bigmem_calloc(n, sizeof *big);
    CHECK(big && big[0] == 0 && big[n - 1] == 0);
    tpa_bigmem_free(big, n, sizeof *big);
    tpa_bigmem_free(NULL, n, sizeof *big);
    /* n * size past SIZE_MAX: NULL, not a short array */
    CHECK(tpa_bigmem_calloc(SIZE_MAX / 2, 4) == NULL);
    return TEST_DONE();
}
