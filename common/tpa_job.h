/* tpa_job.h - the job model and its Redis keys.
 *
 * Keys (all under the "tpa:" prefix):
 *   tpa:job:<id>          hash: id, state, progress (0-100), stage, message, file, size,
 *                         sha256, path, created, updated (unix ms), attempts, packets,
 *                         bytes, flows, tasks, tasks_done, error, worker, lease (unix ms)
 *   tpa:job:<id>:result   string: the result document (JSON)
 *   tpa:job:<id>:task:<n> string: the JSON output of LLM task n (insights/rca)
 *   tpa:jobs              sorted set: job ids scored by creation time (ms)
 *   tpa:events:<id>       pub/sub channel: JSON events {"job","state","progress","stage","message",
 *                         "seq"}; seq (also a hash field) grows by one with every published
 *                         event, so a relay can drop an event older than a snapshot it sent
 *
 * States: queued -> parsing -> enriching -> completed, or failed / cancelled.
 */
#ifndef TPA_JOB_H
#define TPA_JOB_H

#include <hiredis/hiredis.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#define TPA_JOB_QUEUED "queued"
#define TPA_JOB_PARSING "parsing"
#define TPA_JOB_ENRICHING "enriching"
#define TPA_JOB_COMPLETED "completed"
#define TPA_JOB_FAILED "failed"
#define TPA_JOB_CANCELLED "cancelled"

/* Writes a fresh random job id (32 lowercase hex chars) into buf (>= 33 bytes). */
void tpa_job_new_id(char *buf);

/* True for a syntactically valid job id: 1-63 chars of [A-Za-z0-9_-] (so it fits
 * TPA_ID_MAX with its NUL, and is safe in Redis keys, paths and URLs). */
bool tpa_job_id_valid(const char *id);

/* Current time in unix milliseconds. */
int64_t tpa_now_ms(void);

/* Creates the job hash in state queued and adds it to tpa:jobs, atomically.
 * fields: a JSON object of extra string/integer/boolean (stored "1"/"0") fields (file,
 * size, sha256, path, ...), borrowed, may be NULL; the core fields (id, state, progress,
 * stage="queued", message="", created, updated, attempts=0) override same-named extras.
 * Returns 0, TPA_ERR_INVALID for a bad id/field type or a job that already exists,
 * TPA_ERR_CONN when Redis is unreachable, or another TPA_ERR_*. Publishes no event. */
int tpa_job_create(redisContext *r, const char *id, const json_t *fields);

/* Sets state/progress/stage/message (any may be NULL / progress < 0 to leave as is;
 * progress > 100 is stored as 100), updates `updated`, and PUBLISHes the resulting event
 * (the job's full current state/progress/stage/message) on tpa:events:<id>, atomically
 * (one Lua script). Any state transition is allowed: callers enforce the lifecycle.
 * Returns 0, TPA_ERR_NOTFOUND, TPA_ERR_INVALID (bad id or unknown state), or another
 * TPA_ERR_*. */
int tpa_job_update(redisContext *r, const char *id, const char *state, int progress,
                   const char *stage, const char *message);

/* Sets extra hash fields from a JSON object (strings, integers, booleans), borrowed.
 * Does not touch `updated` or publish. Returns 0, TPA_ERR_NOTFOUND if the job does not
 * exist (nothing is written), TPA_ERR_INVALID for another value type. */
int tpa_job_set_fields(redisContext *r, const char *id, const json_t *fields);

/* Returns the job as a JSON object (caller decrefs): strings for text fields,
 * integers for numeric ones (progress, size, created, updated, attempts, packets,
 * bytes, flows, tasks, tasks_done, lease). NULL if the job does not exist or on error. */
json_t *tpa_job_get(redisContext *r, const char *id);

/* Builds the event object {"job","state","progress","stage","message"} for a job
 * (caller decrefs), NULL if it does not exist. */
json_t *tpa_job_event(redisContext *r, const char *id);

/* Stores / fetches the result document. _set returns 0 or TPA_ERR_NOTFOUND if the job
 * does not exist (nothing stored). _get returns a malloc'd string (caller frees) or NULL
 * if there is none. */
int tpa_job_set_result(redisContext *r, const char *id, const char *json_text);
char *tpa_job_get_result(redisContext *r, const char *id);

/* Lists jobs, newest first. Returns a JSON array of job objects as tpa_job_get makes
 * them (caller decrefs), NULL on error. state may be NULL for all. offset/limit page
 * through the list (limit <= 0 gives an empty page); *total (may be NULL) receives the
 * number of matching jobs. Cost: without state O(log N + limit) (one pipelined round
 * trip); with a state filter O(N) over all jobs (fine for thousands of jobs). */
json_t *tpa_job_list(redisContext *r, const char *state, int offset, int limit, int *total);

/* Deletes every key of the job (hash, result, task outputs 0..tasks-1, index entry),
 * atomically. Returns 0 or TPA_ERR_NOTFOUND if nothing existed. Does not cancel workers:
 * set state cancelled first (their renew then fails). */
int tpa_job_delete(redisContext *r, const char *id);

/* Claims a job for a worker: atomically moves it from queued, or from parsing/enriching
 * whose lease has expired, to `state` (TPA_JOB_PARSING or TPA_JOB_ENRICHING), sets worker
 * and lease = now + lease_ms, increments attempts, updates `updated` and publishes the
 * event. A job held under a live lease is refused even for the same worker.
 * Returns 0 when claimed, TPA_ERR_CANCELLED if the job is cancelled/completed/failed/taken,
 * TPA_ERR_NOTFOUND if absent, TPA_ERR_INVALID for a bad argument. */
int tpa_job_claim(redisContext *r, const char *id, const char *worker, const char *state,
                  int64_t lease_ms);

/* Extends the lease held by worker to now + lease_ms. Returns 0, or TPA_ERR_CANCELLED if
 * the lease is lost: another worker holds the job, or it is no longer parsing/enriching
 * (cancelled, re-queued, finished, deleted). */
int tpa_job_renew(redisContext *r, const char *id, const char *worker, int64_t lease_ms);

#endif
