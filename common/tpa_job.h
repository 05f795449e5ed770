/* tpa_job.h - the job model and its Redis keys.
 *
 * Keys (all under the "tpa:" prefix):
 *   tpa:job:<id>          hash: id, state, progress (0-100), stage, message, file, size,
 *                         sha256, path, created, updated (unix ms), attempts, packets,
 *                         bytes, flows, tasks, tasks_done, error, worker, lease (unix ms)
 *   tpa:job:<id>:result   string: the result document (JSON)
 *   tpa:job:<id>:task:<n> string: the JSON output of LLM task n (insights/rca)
 *   tpa:jobs              sorted set: job ids scored by creation time (ms)
 *   tpa:events:<id>       pub/sub channel: JSON events {"job","state","progress","stage","message"}
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

/* True for a syntactically valid job id (1-64 chars of [A-Za-z0-9_-]). */
bool tpa_job_id_valid(const char *id);

/* Current time in unix milliseconds. */
int64_t tpa_now_ms(void);

/* Creates the job hash in state queued and adds it to tpa:jobs.
 * fields: a JSON object of extra string/integer fields (file, size, sha256, path, ...),
 * borrowed. Returns 0 or a negative TPA_ERR_*. */
int tpa_job_create(redisContext *r, const char *id, const json_t *fields);

/* Sets state/progress/stage/message (any may be NULL / progress < 0 to leave as is),
 * updates `updated`, and PUBLISHes the resulting event on tpa:events:<id>.
 * Returns 0, TPA_ERR_NOTFOUND, or another TPA_ERR_*. */
int tpa_job_update(redisContext *r, const char *id, const char *state, int progress,
                   const char *stage, const char *message);

/* Sets extra hash fields from a JSON object (strings and integers), borrowed. */
int tpa_job_set_fields(redisContext *r, const char *id, const json_t *fields);

/* Returns the job as a JSON object (caller decrefs): strings for text fields,
 * integers for numeric ones (progress, size, created, updated, attempts, packets,
 * bytes, flows, tasks, tasks_done). NULL if the job does not exist or on error. */
json_t *tpa_job_get(redisContext *r, const char *id);

/* Builds the event object {"job","state","progress","stage","message"} for a job
 * (caller decrefs), NULL if it does not exist. */
json_t *tpa_job_event(redisContext *r, const char *id);

/* Stores / fetches the result document. _get returns a malloc'd string (caller frees)
 * or NULL if there is none. */
int tpa_job_set_result(redisContext *r, const char *id, const char *json_text);
char *tpa_job_get_result(redisContext *r, const char *id);

/* Lists job ids, newest first. Returns a JSON array of job objects (caller decrefs).
 * state may be NULL for all. offset/limit page through the list. */
json_t *tpa_job_list(redisContext *r, const char *state, int offset, int limit, int *total);

/* Deletes every key of the job. */
int tpa_job_delete(redisContext *r, const char *id);

/* Claims a job for a worker: atomically moves it from queued (or a state whose lease
 * expired) to `state`, sets worker and lease = now + lease_ms, increments attempts.
 * Returns 0 when claimed, TPA_ERR_CANCELLED if the job is cancelled/completed/taken,
 * TPA_ERR_NOTFOUND if absent. */
int tpa_job_claim(redisContext *r, const char *id, const char *worker, const char *state,
                  int64_t lease_ms);

/* Extends the lease held by worker. Returns 0 or TPA_ERR_CANCELLED if lost. */
int tpa_job_renew(redisContext *r, const char *id, const char *worker, int64_t lease_ms);

#endif
