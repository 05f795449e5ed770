/* fuzz_dns.c - the dissector table row "dns": DNS (RFC 1035) over UDP, and over TCP with its 2-byte
 * length prefix (section 4.2.2). Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "dns"
#include "fuzz_row.h"
