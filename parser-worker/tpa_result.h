/* tpa_result.h - builds the result document (see DESIGN.md "Result document").
 *
 * From a finished decoder and the capture's facts it writes
 * {"version","tool","capture","flows","messages","transactions","kpis","ues",
 *  "findings","insights","rca"} with flows ordered by id (order of first packet).
 * Findings made here: capture truncated, malformed packets, unreassembled IP
 * fragments, frames of an unsupported link type.
 * Every key is defined in docs/result.md (flows[].tunnel, flows[].tcp, flows[].sctp,
 * messages[], capture extras).
 *
 * The sink: while the capture is decoded, dissectors count what they see into a
 * tpa_result_sink_t (owned by the decoder, reached from a dissector through its
 * context: tpa_dissect_message()). The document's "messages" array is built from it.
 */
#ifndef TPA_RESULT_H
#define TPA_RESULT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "tpa_decode.h"
#include "tpa_json_out.h"
#include "tpa_jw.h"

#define TPA_RESULT_MAX_LINK_TYPES 16

typedef struct tpa_result_capture {
    const char *file;   /* name to report */
    const char *format; /* "pcap" or "pcapng" */
    bool compressed;
    const char *link_types[TPA_RESULT_MAX_LINK_TYPES];
    int nlink_types;
    bool truncated;
    const char *error; /* why reading stopped early ("" or NULL when it did not) */
} tpa_result_capture_t;

/* Distinct (protocol, code) pairs kept; later new pairs are counted under
 * (protocol, "other"). Longer protocol / code / name strings are cut. */
#define TPA_RESULT_MAX_MESSAGE_KINDS 4096
#define TPA_RESULT_MAX_MESSAGE_STR 64

typedef struct tpa_result_sink tpa_result_sink_t;

/* A new empty sink, or NULL. */
tpa_result_sink_t *tpa_result_sink_new(void);

/* Frees the sink and its strings; nulls *s. */
void tpa_result_sink_destroy(tpa_result_sink_t **s);

/* Counts one signalling message of protocol (e.g. "dns", "ngap") with code (the
 * message's code as DESIGN.md fixes it per protocol: "query", "46/initiating",
 * "272/R") and an optional human-readable name ("Standard query", "InitialUEMessage";
 * the first non-NULL name given for a (protocol, code) is kept). The strings are
 * copied; the caller keeps its own. Returns 0, TPA_ERR_INVALID (NULL or empty protocol
 * or code) or TPA_ERR_NOMEM. O(1) expected (one hash lookup; for strings given again at
 * the same addresses, two short compares against the counted entry; for the string
 * literals counted by the call before, the addresses alone, a dozen instructions). */
int tpa_result_count_message(tpa_result_sink_t *s, const char *protocol, const char *code,
                             const char *name);

/* Count so far of (protocol, code); 0 when never seen. For tests and checks. */
uint64_t tpa_result_message_count(const tpa_result_sink_t *s, const char *protocol,
                                  const char *code);

/* Total messages counted (all protocols). */
uint64_t tpa_result_messages_total(const tpa_result_sink_t *s);

/* The "messages" array: [{"protocol","code","name","count"}] ordered by protocol, then
 * code (numbers by value, then strings). name is the code when no name was given.
 * A new array (caller decrefs), or NULL when out of memory. */
json_t *tpa_result_messages_json(const tpa_result_sink_t *s);

/* A new document (caller json_decref's), or NULL when out of memory. d must have
 * been finished (tpa_decode_finish). */
json_t *tpa_result_build(tpa_decoder_t *d, const tpa_result_capture_t *cap);

/* The document with its longest arrays, flows[], transactions[] and ues[], left empty and
 * described in lz->arr for a writer that writes their elements as text one at a time
 * (tpa_json_out_callback_lazy): the same text as tpa_result_build's document (the
 * elements are written by the same code, on the text back-end of tpa_jw instead of the
 * tree one), in a fraction of the memory and time (no jansson value per element). lz is filled
 * here; it and the elements it makes borrow from d, so write before destroying d. NULL when out of
 * memory. */
typedef struct tpa_result_lazy {
    tpa_json_out_lazy_t arr[3];
    size_t narr;
    /* private to tpa_result.c */
    tpa_decoder_t *dec;
    struct tpa_flow *const *flows;
} tpa_result_lazy_t;
json_t *tpa_result_build_lazy(tpa_decoder_t *d, const tpa_result_capture_t *cap,
                              tpa_result_lazy_t *lz);

/* A timestamp in microseconds as JSON seconds (real): a new value (caller owns it), or
 * written as the member key (NULL in an array) on w. */
json_t *tpa_result_ts(int64_t us);
static inline int tpa_result_ts_write(tpa_jw_t *w, const char *key, int64_t us)
{
    return tpa_jw_fixed(w, key, us, 6); /* json_real((double)us / 1e6) */
}

/* The id "<prefix><n>" ("t12", "ue3"; prefix ASCII, at most 16 characters used) as a
 * string written as the member key (NULL in an array) on w (tpa_jw_id: no snprintf,
 * made in place for a literal prefix). Returns the writer's error. */
static inline int tpa_result_id_write(tpa_jw_t *w, const char *key, const char *prefix, uint64_t n)
{
    return tpa_jw_id(w, key, prefix, n);
}

#endif
