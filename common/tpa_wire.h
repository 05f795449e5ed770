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

/* Encodes obj as msgpack. On success *buf is malloc'd (caller frees) and 0 is returned. */
int tpa_wire_pack(const json_t *obj, char **buf, size_t *len);

/* Decodes one msgpack object. Returns a new reference (caller json_decref's) or NULL,
 * writing the reason to err. Does not check v/type. Nesting is limited to 64 levels. */
json_t *tpa_wire_unpack(const void *buf, size_t len, char *err, size_t errlen);

/* Checks v and type. Returns the type string (borrowed from msg) or NULL with err set
 * for a missing/unknown version or type. */
const char *tpa_wire_type(const json_t *msg, char *err, size_t errlen);

/* Builders return a new message object (caller decrefs) or NULL. */
json_t *tpa_wire_job_build(const tpa_wire_job_t *j);
json_t *tpa_wire_task_build(const tpa_wire_task_t *t);

/* Parsers fill *out from msg; return 0 or TPA_ERR_FORMAT with err set. */
int tpa_wire_job_parse(const json_t *msg, tpa_wire_job_t *out, char *err, size_t errlen);
int tpa_wire_task_parse(const json_t *msg, tpa_wire_task_t *out, char *err, size_t errlen);

#endif
