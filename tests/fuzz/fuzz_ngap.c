/* fuzz_ngap.c - the dissector table row "ngap": NGAP (3GPP TS 38.413, aligned PER) over SCTP, and
 * the NAS-5GS it carries. Input format and checks: fuzz_row.h. */
#define FUZZ_ROW "ngap"
#include "fuzz_row.h"
