/* tpa_cli.h - shared pieces of the `tpa` command: the context every subcommand
 * gets, option helpers, and the subcommand entry points.
 *
 * Exit codes: 0 success, 1 failure (one line "tpa: ..." on stderr), 2 usage error.
 */
#ifndef TPA_CLI_H
#define TPA_CLI_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "tpa_config.h"
#include "tpa_json_out.h"

enum { TPA_EXIT_OK = 0, TPA_EXIT_FAIL = 1, TPA_EXIT_USAGE = 2 };

typedef struct tpa_cli {
    tpa_config_t cfg; /* defaults + TPA_* environment + global flags */
    char api[512];    /* gateway base URL, no trailing '/': --api, TPA_API_URL, or
                         http://127.0.0.1:<cfg.http_port> */
    bool api_set;     /* --api given on the command line */
} tpa_cli_t;

/* A subcommand: argv[0] is the subcommand name. Returns the process exit code. */
typedef int (*tpa_cli_cmd_fn)(tpa_cli_t *cli, int argc, char **argv);

/* Option helper. If argv[*i] is shortf ("-o") or longf ("--output") followed by a
 * value, or "--output=VALUE", stores the value (borrowed from argv) in *val,
 * leaves *i on the last argument consumed (the caller's loop then does i++) and
 * returns 1. Returns 0 if argv[*i] is another argument,
 * -1 (after printing a usage line for cmd) if the value is missing. shortf may be NULL. */
int tpa_cli_optval(const char *cmd, int argc, char **argv, int *i, const char *shortf,
                   const char *longf, const char **val);

/* Handles an option every subcommand accepts: --api URL and any configuration
 * setting (--http-port 8080, see tpa_config.h). Returns 1 if handled (*i as for tpa_cli_optval),
 * 0 if argv[*i] is not such an option, -1 after printing a usage line. */
int tpa_cli_common_opt(tpa_cli_t *cli, const char *cmd, int argc, char **argv, int *i);

/* One option of a subcommand for tpa_cli_parse: a flag (val == NULL, sets *flag)
 * or an option with a value (stores the borrowed argv string in *val). */
typedef struct tpa_cli_opt {
    const char *shortf; /* "-o" or NULL */
    const char *longf;  /* "--output" */
    const char **val;
    bool *flag;
} tpa_cli_opt_t;

/* Parses argv[1..] of subcommand cmd: opts (terminated by an entry with longf NULL),
 * the common options (tpa_cli_common_opt), -h/--help (prints usage on stdout), "--"
 * (ends options). Positional arguments are moved, in order, to argv[1..*npos].
 * Returns 0 to go on, 1 if help was printed (exit 0), -1 after a usage line
 * (exit 2). Accepts at most maxpos positionals (-1: any number). */
int tpa_cli_parse(tpa_cli_t *cli, const char *cmd, const char *usage, const tpa_cli_opt_t *opts,
                  int argc, char **argv, int maxpos, int *npos);

/* Prints "tpa <cmd>: <msg> (see tpa <cmd> --help)" to stderr; returns TPA_EXIT_USAGE. */
int tpa_cli_usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Prints "tpa: <msg>" to stderr; returns TPA_EXIT_FAIL. */
int tpa_cli_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Writes doc as JSON (newline-terminated) to path, or stdout when path is NULL or
 * "-". compact: no indentation. Writes to a temporary file and renames it, so
 * path never holds half a document. Returns 0 or prints one line and returns -1. */
int tpa_cli_write_json(const json_t *doc, const char *path, bool compact);

/* The same with nlazy arrays of doc generated while written (tpa_json_out.h). */
int tpa_cli_write_json_lazy(const json_t *doc, const tpa_json_out_lazy_t *lazy, size_t nlazy,
                            const char *path, bool compact);

/* Job helpers shared by submit, watch and capture (tpa_cli_jobs.c). */

/* Checks path with tpa_capture_sniff_file and uploads it (one POST /api/v1/jobs).
 * On success writes the job id into id (idlen >= 65) and returns 0; otherwise
 * prints one line ("tpa: FILE: not a pcap or pcapng file (not submitted)", an API
 * error, or the connection line) and returns a negative TPA_ERR_* (TPA_ERR_FORMAT
 * for a file refused locally, TPA_ERR_CONN when the gateway cannot be reached). */
int tpa_cli_submit_file(tpa_cli_t *cli, const char *path, char *id, size_t idlen);

/* Polls GET /api/v1/jobs/{id} every 500 ms until the job is completed, failed or
 * cancelled, showing progress on stderr (label: a file name or NULL). timeout_s 0 =
 * no limit. Returns 0 for completed; prints one line and returns TPA_ERR_PROTO
 * (failed/cancelled), TPA_ERR_TIMEOUT or TPA_ERR_CONN (gateway gone for 30 s). */
int tpa_cli_wait_job(tpa_cli_t *cli, const char *id, const char *label, int timeout_s);

/* Subcommands (tpa_cli_<group>.c). */
int tpa_cli_analyze(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_submit(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_status(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_result(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_jobs(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_delete(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_watch(tpa_cli_t *cli, int argc, char **argv);
int tpa_cli_capture(tpa_cli_t *cli, int argc, char **argv);

#endif
