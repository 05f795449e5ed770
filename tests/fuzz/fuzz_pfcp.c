/* fuzz_pfcp.c - PFCP (3GPP TS 29.244), the dissector table row "pfcp"
 * (tpa_pfcp_dissect): messages chained by the FO flag, grouped IEs, vendor IEs, on
 * UDP 8805. The input is a conversation in fuzz_row.h's format. */
#define FUZZ_ROW "pfcp"
#include "fuzz_row.h"
