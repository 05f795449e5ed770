/* fuzz_diameter.c - the dissector table row "diameter": Diameter (RFC 6733) over TCP and SCTP.
 * Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "diameter"
#include "fuzz_row.h"
