/* fuzz_nas5gs.c - NAS-5GS (3GPP TS 24.501) through tpa_nas5gs_dissect: security
 * headers and the per-UE 5G-EA0 memory, 5GMM and 5GSM messages, nested NAS message
 * containers and N1 SM payloads, identities. The input is a sequence of NAS-PDUs in
 * fuzz_nas.h's format. (NGAP-carried NAS is also reached by fuzz_ngap.c.) */
#define FUZZ_NAS_DISSECT tpa_nas5gs_dissect
#include "fuzz_nas.h"
