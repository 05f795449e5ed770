/* fuzz_gtpv2.c - GTPv2-C (3GPP TS 29.274), the dissector table row "gtpv2"
 * (tpa_gtpv2_dissect): piggybacked messages, grouped IEs, and GTPv1 messages met on
 * the same flow. The input is a conversation in fuzz_row.h's format. */
#define FUZZ_ROW "gtpv2"
#include "fuzz_row.h"
