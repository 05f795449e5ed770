/* tpa_llm_privacy.h - pseudonymising subscriber identities before a prompt leaves the host.
 *
 * Identities (IMSI, SUPI, SUCI, MSISDN, IMEI/PEI, GUTI / 5G-GUTI, TMSI / 5G-S-TMSI, SIP
 * URIs and, optionally, UE IP addresses) are replaced by tokens such as "IMSI-3f9a1c":
 * the kind and the first hex digits of HMAC-SHA256(key, kind ":" value). The same key
 * gives the same token for the same identity in every job, so answers stay comparable;
 * without the key a token cannot be turned back into the identity. The filter remembers
 * every pair it made, so tokens in the LLM's answer are mapped back to the real
 * identities for display.
 *
 * What is found: values under identity key names (imsi, supi, suci, msisdn, gpsi, imei,
 * imeisv, pei, guti, tmsi, sip_uri, impu, impi, from_uri, to_uri, request_uri, contact;
 * ue_ip when IPs are on), whether a string or an array of strings, anywhere in the JSON;
 * "sip:", "sips:" and "tel:" URIs inside any string; and then every occurrence of an
 * identity collected so far inside any other string (plain substring scanning, no
 * regular expressions), longest value first.
 * A SUPI/SUCI "imsi-<digits>" also registers the bare digits as an IMSI; a GUTI (as the
 * engine writes it, "<mcc><mnc>-...-<TMSI hex>") its TMSI forms: the 5G-S-TMSI
 * "<set>-<pointer>-<hex>" of a 5G-GUTI and the 8 hex digits of the (5G-/M-)TMSI, which a
 * 5G-S-TMSI registers too.
 */
#ifndef TPA_LLM_PRIVACY_H
#define TPA_LLM_PRIVACY_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TPA_PRIVACY_KEY_LEN 32

typedef struct tpa_llm_privacy tpa_llm_privacy_t;

/* Loads the installation key into key[]: from key_text when non-empty (its bytes are
 * hashed to 32 bytes), else from <data_dir>/privacy.key (64 hex digits), creating that file
 * with mode 0600 and a random key on first use. Returns 0 or a negative TPA_ERR_* with one
 * line in err (never containing the key). */
int tpa_llm_privacy_load_key(const char *data_dir, const char *key_text,
                             uint8_t key[TPA_PRIVACY_KEY_LEN], char *err, size_t errlen);

/* HMAC-SHA256 (RFC 2104) of msg under key; writes 32 bytes to out. */
void tpa_llm_hmac_sha256(const uint8_t *key, size_t keylen, const void *msg, size_t len,
                         uint8_t out[32]);

/* A filter with its own copy of key; ue_ips also pseudonymises UE IP addresses.
 * Returns a new filter (tpa_llm_privacy_destroy) or NULL when out of memory. */
tpa_llm_privacy_t *tpa_llm_privacy_new(const uint8_t key[TPA_PRIVACY_KEY_LEN], bool ue_ips);

/* Frees *p and sets it to NULL; NULL is fine. */
void tpa_llm_privacy_destroy(tpa_llm_privacy_t **p);

/* Returns a pseudonymised deep copy of v (borrowed; caller json_decref's the copy), or
 * NULL when out of memory. Remembers every identity found, for _restore. */
json_t *tpa_llm_privacy_scrub(tpa_llm_privacy_t *p, const json_t *v);

/* Maps every token this filter made back to its identity, in every string of v (in
 * place). Returns 0 or TPA_ERR_NOMEM. */
int tpa_llm_privacy_restore(const tpa_llm_privacy_t *p, json_t *v);

/* Number of distinct identities remembered so far. */
size_t tpa_llm_privacy_count(const tpa_llm_privacy_t *p);

/* Writes the token for (kind, value) into buf, e.g. "IMSI-3f9a1c" (no state changed). */
void tpa_llm_privacy_token(const tpa_llm_privacy_t *p, const char *kind, const char *value,
                           char *buf, size_t len);

#endif
