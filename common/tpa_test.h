/* tpa_test.h - minimal assertions for the unit tests (header only).
 *
 *   CHECK(cond)  records a failure with file:line and the condition, continues.
 *   TEST_DONE()  prints a summary and returns the exit code from main.
 */
#ifndef TPA_TEST_H
#define TPA_TEST_H

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

#define TEST_DONE()                                                                                \
    (fprintf(stderr, "%s: %d checks, %d failures\n", __FILE__, tpa_test_checks,                    \
             tpa_test_failures),                                                                   \
     tpa_test_failures ? 1 : 0)

#endif
