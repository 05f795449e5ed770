/* fuzz_vxlan.c - the dissector table row "vxlan" (VXLAN, RFC 7348). The Ethernet
 * frame goes back to the decoder. Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "vxlan"
#include "fuzz_row.h"
