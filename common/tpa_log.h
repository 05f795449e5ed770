/* tpa_log.h - one line per event on stderr:
 *   2026-11-28T06:30:00.123Z INFO tpa-parser[1234] job=<id> message
 * job may be NULL (printed as job=-). Never pass secrets to the logger.
 */
#ifndef TPA_LOG_H
#define TPA_LOG_H

enum { TPA_LOG_DEBUG = 0, TPA_LOG_INFO = 1, TPA_LOG_WARN = 2, TPA_LOG_ERROR = 3 };

/* Sets the program name and the minimum level ("debug", "info", "warn", "error"). */
void tpa_log_init(const char *prog, const char *level);

void tpa_log(int level, const char *job, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#define tpa_debug(job, ...) tpa_log(TPA_LOG_DEBUG, job, __VA_ARGS__)
#define tpa_info(job, ...) tpa_log(TPA_LOG_INFO, job, __VA_ARGS__)
#define tpa_warn(job, ...) tpa_log(TPA_LOG_WARN, job, __VA_ARGS__)
#define tpa_error(job, ...) tpa_log(TPA_LOG_ERROR, job, __VA_ARGS__)

#endif
