/* fuzz_rtp.c - the dissector table row "rtp": RTP (RFC 3550), found by its multi-packet heuristic.
 * Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "rtp"
#include "fuzz_row.h"
