/* tpa_daemon.h - what the worker daemons (tpa-parser, tpa-llm) share: stopping on a
 * signal and waiting for Redis.
 *
 * Signals: SIGINT and SIGTERM set a flag the daemon's loops poll with
 * tpa_daemon_stopping(); they are installed without SA_RESTART, so a blocking poll or
 * sleep returns early and the loop sees the flag. SIGPIPE is ignored (a peer that went
 * away is an error return, not a death). czmq's own handlers are switched off.
 * Process-wide; call once, early in main.
 */
#ifndef TPA_DAEMON_H
#define TPA_DAEMON_H

#include <stdbool.h>

#include <hiredis/hiredis.h>

#include "tpa_config.h"

/* Installs the handlers above. Returns 0, or TPA_ERR_IO with errno set. */
int tpa_daemon_signals(void);

/* True once SIGINT or SIGTERM arrived. Async-signal-safe flag read, O(1). */
bool tpa_daemon_stopping(void);

#define TPA_DAEMON_REDIS_WAIT_S 30 /* how long tpa_daemon_redis_ready() retries */

/* Makes sure *r answers: connects to cfg's Redis when *r is NULL (the new context is
 * the caller's, redisFree), reconnects it in place when its connection broke
 * (tpa_redis_ensure); retries once a second for up to TPA_DAEMON_REDIS_WAIT_S
 * seconds, or until a stop signal. Logs one warning for the first failure (job: the
 * job id for the log line, may be NULL). Returns 0 or TPA_ERR_CONN. */
int tpa_daemon_redis_ready(redisContext **r, const tpa_config_t *cfg, const char *job);

#endif
