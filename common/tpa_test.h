/* tpa_test.h - minimal assertions for the unit tests (header only).
 *
 *   CHECK(cond)  records a failure with file:line and the condition, continues.
 *   TEST_DONE()  prints a summary and returns the exit code from main.
 *   tpa_test_rand(&s)  the next of a deterministic pseudo-random sequence.
 *   tpa_test_to_file, tpa_test_fail_after  text callbacks for the JSON writers.
 */
#ifndef TPA_TEST_H
#define TPA_TEST_H

#include <stdint.h>
#include <stdio.h>

static int tpa_test_failures;
static int tpa_test_checks;

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        tpa_test_checks++;                                                                         \
        if (!(cond)) {                                                                             \
            tpa_test_failures++;                                                                   \
            fprintf(stderr, "FAIL %s:%d: %s\n", __FILE__, __LINE__, #cond);                        \
        }                                                                                          \
    } while (0)

#define CHECKF(cond, ...)                                                                          \
    do {                                                                                           \
        tpa_test_checks++;                                                                         \
        if (!(cond)) {                                                                             \
            tpa_test_failures++;                                                                   \
            fprintf(stderr, "FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond);                        \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

/* One xorshift64 step on *s (start it nonzero): reproducible inputs for tests. */
static inline uint64_t tpa_test_rand(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

/* Text callbacks (tpa_json_out_fn): writes to the FILE * ud; or accepts *(int *)ud
 * pieces, then refuses. */
static inline int tpa_test_to_file(const char *buf, size_t len, void *ud)
{
    return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

static inline int tpa_test_fail_after(const char *buf, size_t len, void *ud)
{
    int *left = ud;
    (void)buf;
    (void)len;
    return (*left)-- > 0 ? 0 : -1;
}

#define TEST_DONE()                                                                                \
    (fprintf(stderr, "%s: %d checks, %d failures\n", __FILE__, tpa_test_checks,                    \
             tpa_test_failures),                                                                   \
     tpa_test_failures ? 1 : 0)

#endif
