/* fuzz_http1.c - the dissector table row "http": HTTP/1.1 framing and the NAS parts of
 * SBI bodies (RFC 9112, RFC 2387). Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "http"
#include "fuzz_row.h"
