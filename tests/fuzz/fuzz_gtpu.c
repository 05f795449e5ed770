/* fuzz_gtpu.c - the dissector table row "gtp-u" (GTP-U, 3GPP TS 29.281). The T-PDU
 * goes back to the decoder, so nested tunnels and the inner flows' tunnel context
 * are reached too. Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "gtp-u"
#include "fuzz_row.h"
