/* fuzz_rtcp.c - the dissector table row "rtcp": RTCP (RFC 3550), found by its multi-packet
 * heuristic. Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "rtcp"
#include "fuzz_row.h"
