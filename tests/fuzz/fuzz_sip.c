/* fuzz_sip.c - the dissector table row "sip": SIP (RFC 3261) over UDP, TCP and SCTP, with SDP.
 * Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "sip"
#include "fuzz_row.h"
