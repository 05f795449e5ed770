/* fuzz_s1ap.c - the dissector table row "s1ap": S1AP (3GPP TS 36.413, aligned PER) over SCTP, and
 * the NAS-EPS it carries. Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "s1ap"
#include "fuzz_row.h"
