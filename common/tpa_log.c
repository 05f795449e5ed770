/* tpa_log.c - one line per event on stderr.
 *
 * Line format: <ISO-8601 UTC with ms> <LEVEL> <prog>[<pid>] job=<id|-> <message>
 * The message is formatted into a bounded buffer, control characters (newlines
 * included) become spaces, and the whole line is written with one fprintf so
 * lines from concurrent threads do not interleave inside a line.
 */
#include "tpa_log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define LOG_MSG_MAX 4096

static char log_prog[64] = "tpa";
static int log_min = TPA_LOG_INFO;

static const char *level_name(int level)
{
    switch (level) {
    case TPA_LOG_DEBUG:
        return "DEBUG";
    case TPA_LOG_INFO:
        return "INFO";
    case TPA_LOG_WARN:
        return "WARN";
    default:
        return "ERROR";
    }
}

void tpa_log_init(const char *prog, const char *level)
{
    if (prog && *prog) {
        const char *slash = strrchr(prog, '/');
        if (slash && slash[1]) prog = slash + 1;
        snprintf(log_prog, sizeof log_prog, "%s", prog);
    }
    if (level && *level) {
        if (!strcasecmp(level, "debug"))
            log_min = TPA_LOG_DEBUG;
        else if (!strcasecmp(level, "info"))
            log_min = TPA_LOG_INFO;
        else if (!strcasecmp(level, "warn") || !strcasecmp(level, "warning"))
            log_min = TPA_LOG_WARN;
        else if (!strcasecmp(level, "error"))
            log_min = TPA_LOG_ERROR;
    }
}

/* Job ids are short tokens; anything odd is printed as '?' so a hostile id
 * cannot forge log fields. */
static void clean_job(const char *job, char *out, size_t outlen)
{
    size_t i = 0;
    if (!job || !*job) {
        snprintf(out, outlen, "-");
        return;
    }
    for (; job[i] && i + 1 < outlen; i++) {
        unsigned char ch = (unsigned char)job[i];
        out[i] = (ch > 0x20 && ch < 0x7f) ? (char)ch : '?';
    }
    out[i] = '\0';
}

void tpa_log(int level, const char *job, const char *fmt, ...)
{
    char msg[LOG_MSG_MAX];
    char jid[72];
    char ts[80];
    struct timespec now;
    struct tm tm;
    va_list ap;
    int n;

    if (level < log_min) return;
    if (level < TPA_LOG_DEBUG) level = TPA_LOG_DEBUG;
    if (level > TPA_LOG_ERROR) level = TPA_LOG_ERROR;

    va_start(ap, fmt);
    n = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (n < 0)
        snprintf(msg, sizeof msg, "(unformattable log message)");
    else if ((size_t)n >= sizeof msg)
        memcpy(msg + sizeof msg - 4, "...", 4);
    for (char *p = msg; *p; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f) *p = ' ';

    clean_job(job, jid, sizeof jid);

    clock_gettime(CLOCK_REALTIME, &now);
    gmtime_r(&now.tv_sec, &tm);
    snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
             tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
             (long)(now.tv_nsec / 1000000));

    fprintf(stderr, "%s %s %s[%ld] job=%s %s\n", ts, level_name(level), log_prog, (long)getpid(),
            jid, msg);
}
