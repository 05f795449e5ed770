/* tpa_daemon.h - what the worker daemons (tpa-parser, tpa-llm) share: the start of
 * main() (settings, logging, signals), stopping on a signal, waiting for Redis and the
 * receive loop on their ZeroMQ PULL socket.
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

#include <czmq.h>
#include <hiredis/hiredis.h>
#include <jansson.h>

#include "tpa_config.h"

/* The start of a worker daemon's main(): initialises cfg (tpa_config_init) and reads
 * argv into it (tpa_config_parse_args with usage; a positional argument is a usage
 * error), starts logging as prog (tpa_log_init), installs the signal handlers
 * (tpa_daemon_signals). Returns -1 to go on, else the status main() returns: 0 after
 * --help, 2 for a usage error (described on stderr), 1 when the handlers cannot be
 * installed (logged). */
int tpa_daemon_start(const char *prog, const char *usage, tpa_config_t *cfg, int argc, char **argv);

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

/* Handles one message the daemon received (msg borrowed for the call). */
typedef void (*tpa_daemon_handler_fn)(void *arg, const json_t *msg);

#define TPA_DAEMON_RECV_MS 500 /* how often tpa_daemon_serve() looks at the stop flag */

/* The daemon's loop: receives messages on pull (tpa_zmq_recv) until a stop signal,
 * handing each to fn(arg, msg); an undecodable one is logged and dropped. Returns
 * when tpa_daemon_stopping() (checked at least every TPA_DAEMON_RECV_MS). */
void tpa_daemon_serve(zsock_t *pull, tpa_daemon_handler_fn fn, void *arg);

#endif
