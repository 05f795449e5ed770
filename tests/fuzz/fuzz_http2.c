/* fuzz_http2.c - the dissector table row "http2": h2c (RFC 9113) frames and HPACK (RFC
 * 7541) header blocks on TCP, detected by preface, upgrade or frame chains, with the
 * SBI message layer behind them. Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "http2"
#include "fuzz_row.h"
