/* fuzz_naseps.c - NAS-EPS (3GPP TS 24.301) through tpa_naseps_dissect: security
 * headers, service request, the per-UE EEA0 memory, EMM and ESM messages, ESM and
 * replayed NAS message containers, ESM pairing state, identities. The input is a
 * sequence of NAS-PDUs in fuzz_nas.h's format. (S1AP-carried NAS is also reached by
 * fuzz_s1ap.c.) */
#define FUZZ_NAS_DISSECT tpa_naseps_dissect
#include "fuzz_nas.h"
