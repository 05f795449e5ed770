/* fuzz_gtp.c - GTPv1-C (3GPP TS 29.060), the dissector table row "gtp-c"
 * (tpa_gtp_dissect): TV IEs of fixed length, TLV IEs, extension headers, GTP' and
 * GTPv2 on the same flow. GTP-U signalling (Echo, Error Indication, End Marker) is
 * reached through fuzz_gtpu. The input is a conversation in fuzz_row.h's format. */
#define FUZZ_ROW "gtp-c"
#include "fuzz_row.h"
