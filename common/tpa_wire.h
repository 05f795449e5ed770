/* tpa_wire.h - the msgpack wire messages carried over ZeroMQ.
 *
 * Every message is a msgpack map with "v" (schema version, TPA_WIRE_VERSION)
 * and "type". In memory a message is a jansson object; tpa_wire_pack and
 * tpa_wire_unpack convert between the two (maps, arrays, strings, integers,
 * reals, booleans, nil; msgpack bin/ext decode as strings/nil). The typed
 * helpers below build and check the three message types:
 *
 *   job        gateway -> parser   {v,type:"job",job,capture,path,url,size,sha256,options{}}
 *   flow_batch parser  -> llm      {v,type:"flow_batch",job,task,tasks,digest{}}
 *   rca        parser  -> llm      {v,type:"rca",job,task,tasks,digest{}}
 *
 * `task` is the 0-based index of this task among `tasks` tasks of the job.
 */
#ifndef TPA_WIRE_H
#define TPA_WIRE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define TPA_WIRE_VERSION 1
#define TPA_ID_MAX 64

typedef struct tpa_wire_job {
    char job[TPA_ID_MAX];
    char capture[TPA_ID_MAX];
    char path[1024]; /* capture store path on the gateway host */
    char url[1024];  /* internal URL to fetch the capture when path is not readable */
    uint64_t size;
    char sha256[65];
    json_t *options; /* borrowed in _build, new reference after _parse (caller decrefs); may be NULL */
} tpa_wire_job_t;

typedef struct tpa_wire_task {
    char type[16]; /* "flow_batch" or "rca" */
    char job[TPA_ID_MAX];
    int task;
    int tasks;
    json_t *digest; /* borrowed in _build, new reference after _parse (caller decrefs) */
} tpa_wire_task_t;

/* Encodes obj (borrowed; any JSON value) as msgpack. On success *buf is malloc'd (caller
 * frees) and 0 is returned; TPA_ERR_TOOBIG for nesting over 64 levels. */
int tpa_wire_pack(const json_t *obj, char **buf, size_t *len);

/* Decodes exactly one msgpack object filling buf[0..len). Returns a new reference
 * (caller json_decref's) or NULL, writing the reason to err. Does not check v/type.
 * Refused: nesting over 64 levels, trailing bytes, truncation, map keys that are not
 * strings (or contain NUL), strings/bin that are not valid UTF-8, unsigned integers
 * above LLONG_MAX, NaN/infinite reals, the unused type byte 0xc1. Memory used is
 * proportional to len (declared sizes are checked against the bytes present). */
json_t *tpa_wire_unpack(const void *buf, size_t len, char *err, size_t errlen);

/* Checks v and type. Returns the type string (borrowed from msg) or NULL with err set
 * for a missing/unknown version or type. */
const char *tpa_wire_type(const json_t *msg, char *err, size_t errlen);

/* Builders return a new message object (caller decrefs) or NULL. */
json_t *tpa_wire_job_build(const tpa_wire_job_t *j);
json_t *tpa_wire_task_build(const tpa_wire_task_t *t);

/* Parsers fill *out from msg; return 0 or TPA_ERR_FORMAT with err set (*out is then
 * zeroed and holds no reference). They check v/type themselves.
 * job: "job" (valid id, see tpa_job_id_valid) and "size" (integer >= 0) required; at
 *      least one of "path"/"url" non-empty; "capture" empty or a valid id; "sha256"
 *      empty or 64 hex digits; "options" a map or absent (out->options NULL).
 * task: type flow_batch or rca; "job" valid id; 1 <= tasks <= 100000; 0 <= task < tasks;
 *      "digest" a map (required).
 * A string longer than its fixed buffer (minus the NUL) is refused, never truncated.
 * Builders apply the same rules and return NULL when they are broken. */
int tpa_wire_job_parse(const json_t *msg, tpa_wire_job_t *out, char *err, size_t errlen);
int tpa_wire_task_parse(const json_t *msg, tpa_wire_task_t *out, char *err, size_t errlen);

#endif
