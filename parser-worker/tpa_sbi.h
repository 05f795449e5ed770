/* tpa_sbi.h - what the 5G service-based interface puts on top of HTTP/2 (3GPP TS 29.500
 * clause 5, TS 29.501 clause 4.4): the NF service named by a request's :path, the
 * subscriber identities that paths and JSON bodies carry, ProblemDetails bodies
 * (application/problem+json, TS 29.571 clause 5.2.4.1) and multipart/related bodies
 * (RFC 2387) whose parts carry N1 (NAS) and N2 (NGAP) information.
 *
 * Resource URIs (TS 29.501 4.4.1):
 *   {apiRoot}/<apiName>/<apiVersion>/<apiSpecificResourceUriPart>
 *   e.g. /nsmf-pdusession/v1/sm-contexts/{smContextRef}/modify
 *        service "nsmf-pdusession", resource "sm-contexts"
 * Paths that do not look like that (gRPC "/pkg.Service/Method", "/") give their first
 * segment as the service ("" for "/") and the second as the resource.
 *
 * Pure functions over borrowed bytes: nothing here keeps memory between calls. Bodies
 * are parsed with jansson (JSON) and bounded scans (multipart); every length is checked.
 */
#ifndef TPA_SBI_H
#define TPA_SBI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "tpa_rd.h"
#include "tpa_sig.h"

#define TPA_SBI_NAME_MAX 64 /* service / resource names, cut beyond */
#define TPA_SBI_ID_MAX 72   /* one identity value */
#define TPA_SBI_IDS 6       /* identities kept per message */

/* Service and resource of a :path (query and fragment ignored) into service/resource
 * (each at least 1 byte; cut to fit). Returns whether the path looks like an SBI
 * resource URI (first segment "n<letters>-<name>", second "v<digits>"). */
bool tpa_sbi_path(const char *path, char *service, size_t slen, char *resource, size_t rlen);

/* Subscriber identities found in a message, with the storage their values live in. */
typedef struct tpa_sbi_ids {
    unsigned n;
    tpa_id_kind_t kind[TPA_SBI_IDS];
    char value[TPA_SBI_IDS][TPA_SBI_ID_MAX];
} tpa_sbi_ids_t;

/* Adds one identity written in SBI form (TS 29.571 Supi, Gpsi, Pei, Suci):
 * "imsi-<5..15 digits>" and "nai-..." -> SUPI, "suci-..." -> SUCI, "msisdn-<digits>" ->
 * MSISDN (digits), "imei-<digits>" / "imeisv-<digits>" -> IMEI (digits). Ignores anything
 * else, duplicates and values that do not fit. Returns whether it was added. */
bool tpa_sbi_add_id(tpa_sbi_ids_t *ids, const char *v, size_t n);

/* Identities that appear as path segments or query values of a :path
 * ("/nudm-sdm/v2/imsi-001010000000001/am-data", "...?supi=imsi-...") added to ids. */
void tpa_sbi_path_ids(const char *path, tpa_sbi_ids_t *ids);

/* Identities in the top-level members "supi", "supiOrSuci", "gpsi", "pei", "ueId" of a
 * JSON object body added to ids; false when the body is not a JSON object. */
bool tpa_sbi_json_ids(const uint8_t *body, size_t len, tpa_sbi_ids_t *ids);

/* Copies the identities into m (values stay borrowed from ids). */
void tpa_sbi_ids_to_sig(const tpa_sbi_ids_t *ids, tpa_sig_t *m);

/* ProblemDetails: "status" (integer) into *status (left alone when absent) and "cause"
 * (string) into cause (empty when absent). false when the body is not a JSON object. */
bool tpa_sbi_problem(const uint8_t *body, size_t len, int *status, char *cause, size_t clen);

/* Kinds of body the HTTP/2 layer collects (content-type without parameters). */
typedef enum {
    TPA_SBI_BODY_OTHER = 0,
    TPA_SBI_BODY_JSON,      /* application/json and other application/...+json */
    TPA_SBI_BODY_PROBLEM,   /* application/problem+json */
    TPA_SBI_BODY_MULTIPART, /* multipart/related */
    TPA_SBI_BODY_NAS,       /* application/vnd.3gpp.5gnas */
} tpa_sbi_body_t;

/* The kind of a content-type value; for multipart/related its boundary parameter is
 * copied into boundary (blen >= 1; "" when missing or too long). */
tpa_sbi_body_t tpa_sbi_content_type(const char *ctype, char *boundary, size_t blen);

/* Called once per part of a multipart body: the part's content-type ("" when it has
 * none) and its content (borrowed for the call). */
typedef void (*tpa_sbi_part_fn)(void *ud, const char *ctype, tpa_rd_t *content);

/* Splits a multipart/related body (RFC 2046 5.1.1: "--boundary" delimiter lines, part
 * headers, an empty line, content; "--boundary--" closes) and calls fn per part.
 * Returns the number of parts, or -1 when no delimiter was found. */
int tpa_sbi_multipart(const uint8_t *body, size_t len, const char *boundary, tpa_sbi_part_fn fn,
                      void *ud);

/* Reason phrase of an HTTP status code (RFC 9110 clause 15), or NULL when unknown. */
const char *tpa_sbi_reason(int status);

#endif
