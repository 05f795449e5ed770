/* tpa_cli_jobs.c - the REST subcommands: submit, status, result, jobs, delete. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "tpa_capture_check.h"
#include "tpa_cli.h"
#include "tpa_cli_http.h"
#include "tpa_err.h"
#include "tpa_job.h"

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

/* The job object of a GET /api/v1/jobs/{id} answer (bare, or under "job"). Borrowed. */
static json_t *job_of(json_t *j)
{
    json_t *inner = json_object_get(j, "job");
    return json_is_object(inner) ? inner : j;
}

static const char *jstr(json_t *o, const char *key)
{
    const char *s = json_string_value(json_object_get(o, key));
    return s ? s : "";
}

static bool check_id(const char *cmd, const char *id)
{
    if (tpa_job_id_valid(id)) return true;
    tpa_cli_usage_error(cmd, "'%s' is not a job id", id);
    return false;
}

/* ---- submit ---------------------------------------------------------------- */

int tpa_cli_submit_file(tpa_cli_t *cli, const char *path, char *id, size_t idlen)
{
    char err[256];
    struct stat st;

    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        tpa_cli_fail("%s: not a regular file (not submitted)", path);
        return TPA_ERR_FORMAT;
    }
    tpa_capfmt_t f = tpa_capture_sniff_file(path, err, sizeof err);
    if (f != TPA_CAPFMT_PCAP && f != TPA_CAPFMT_PCAPNG && f != TPA_CAPFMT_GZIP) {
        tpa_cli_fail("%s: %s (not submitted)", path, err[0] ? err : "not a pcap or pcapng file");
        return TPA_ERR_FORMAT;
    }

    const char *paths[1] = {path};
    tpa_http_resp_t r;
    int rc = tpa_http_post_files(cli, "/api/v1/jobs", paths, 1, &r);
    if (rc < 0) return rc;
    json_t *j = tpa_http_json(&r, path);
    tpa_http_resp_clear(&r);
    if (!j) return TPA_ERR_PROTO;
    json_t *job = json_array_get(json_object_get(j, "jobs"), 0);
    const char *jid = json_string_value(json_object_get(job, "id"));
    if (!jid || !tpa_job_id_valid(jid) || strlen(jid) >= idlen) {
        tpa_cli_fail("%s: the gateway's answer has no job id", path);
        json_decref(j);
        return TPA_ERR_PROTO;
    }
    snprintf(id, idlen, "%s", jid);
    json_decref(j);
    return 0;
}

int tpa_cli_wait_job(tpa_cli_t *cli, const char *id, const char *label, int timeout_s)
{
    char path[128], err[512], shown[160] = "", last_state[32] = "";
    bool tty = isatty(STDERR_FILENO) != 0;
    int64_t start = mono_ms(), down_since = 0;
    int last_decile = -1, rc;
    const char *name = label ? label : id;

    snprintf(path, sizeof path, "/api/v1/jobs/%s", id);
    for (;;) {
        tpa_http_resp_t r;
        err[0] = '\0';
        if (tpa_http_request_ex(cli, "GET", path, &r, err, sizeof err) < 0) {
            /* The gateway may be restarting; Redis keeps the job. Give it 30 s. */
            int64_t now = mono_ms();
            if (!down_since) down_since = now;
            if (now - down_since > 30000) {
                if (tty && shown[0]) fputc('\n', stderr);
                tpa_cli_fail("%s", err);
                return TPA_ERR_CONN;
            }
        } else {
            down_since = 0;
            json_t *j = tpa_http_json(&r, name);
            tpa_http_resp_clear(&r);
            if (!j) {
                if (tty && shown[0]) fputc('\n', stderr);
                return TPA_ERR_PROTO;
            }
            json_t *job = job_of(j);
            const char *state = jstr(job, "state");
            int pct = (int)json_integer_value(json_object_get(job, "progress"));
            char line[160];
            snprintf(line, sizeof line, "%s: %s %d%%%s%s", name, state, pct,
                     jstr(job, "stage")[0] ? " " : "", jstr(job, "stage"));
            if (strcmp(line, shown) != 0) {
                if (tty) {
                    fprintf(stderr, "\rtpa: %-70.70s", line);
                } else if (pct / 10 != last_decile || strcmp(state, last_state) != 0) {
                    /* Not a terminal: one line per state and per 10% step. */
                    fprintf(stderr, "tpa: %s\n", line);
                    last_decile = pct / 10;
                    snprintf(last_state, sizeof last_state, "%s", state);
                }
                snprintf(shown, sizeof shown, "%s", line);
            }
            rc = 1;
            if (strcmp(state, TPA_JOB_COMPLETED) == 0)
                rc = 0;
            else if (strcmp(state, TPA_JOB_FAILED) == 0 || strcmp(state, TPA_JOB_CANCELLED) == 0)
                rc = TPA_ERR_PROTO;
            if (rc <= 0) {
                if (tty) fputc('\n', stderr);
                if (rc < 0) {
                    const char *msg = jstr(job, "message");
                    if (!msg[0]) msg = jstr(job, "error");
                    tpa_cli_fail("%s: job %s %s%s%s", name, id, state, msg[0] ? ": " : "", msg);
                }
                json_decref(j);
                return rc;
            }
            json_decref(j);
        }
        if (timeout_s > 0 && mono_ms() - start > (int64_t)timeout_s * 1000) {
            if (tty && shown[0]) fputc('\n', stderr);
            tpa_cli_fail("%s: job %s not finished after %d s", name, id, timeout_s);
            return TPA_ERR_TIMEOUT;
        }
        sleep_ms(500);
    }
}

static const char submit_usage[] =
    "Usage: tpa submit [--wait] [--timeout SECONDS] FILE...\n"
    "Uploads each capture (pcap, pcapng, optionally gzip-compressed) to the gateway\n"
    "as a job and prints one job id per line on stdout. Files that are not captures\n"
    "are refused here, without uploading.\n\n"
    "      --wait            follow each job until it completes or fails, with\n"
    "                        progress on stderr\n"
    "      --timeout SECONDS give up waiting after SECONDS (default: no limit)\n"
    "      --api URL         gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help            show this help\n\n"
    "Exit status: 0 every file submitted (and, with --wait, completed); 1 otherwise;\n"
    "2 usage error.\n";

static int parse_timeout(const char *cmd, const char *s, int *out)
{
    char *end;
    long v;
    if (!s) return 0;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno || *end || v < 0 || v > 86400 * 365) {
        tpa_cli_usage_error(cmd, "bad --timeout '%s'", s);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int tpa_cli_submit(tpa_cli_t *cli, int argc, char **argv)
{
    bool wait = false;
    const char *tmo = NULL;
    int timeout_s = 0, np = 0, failed = 0;
    const tpa_cli_opt_t opts[] = {
        {NULL, "--wait", NULL, &wait},
        {NULL, "--timeout", &tmo, NULL},
        {NULL, NULL, NULL, NULL},
    };
    int r = tpa_cli_parse(cli, "submit", submit_usage, opts, argc, argv, -1, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (np == 0) return tpa_cli_usage_error("submit", "missing FILE");
    if (parse_timeout("submit", tmo, &timeout_s) < 0) return TPA_EXIT_USAGE;

    char(*ids)[80] = calloc((size_t)np, sizeof *ids);
    if (!ids) return tpa_cli_fail("out of memory");
    for (int i = 0; i < np; i++) {
        int rc = tpa_cli_submit_file(cli, argv[1 + i], ids[i], sizeof ids[i]);
        if (rc == TPA_ERR_CONN) {
            failed += np - i;
            break; /* the same line for every file would help nobody */
        }
        if (rc < 0) {
            failed++;
            continue;
        }
        printf("%s\n", ids[i]);
        fflush(stdout);
    }
    if (wait) {
        for (int i = 0; i < np; i++) {
            if (ids[i][0] && tpa_cli_wait_job(cli, ids[i], argv[1 + i], timeout_s) < 0) failed++;
        }
    }
    free(ids);
    return failed ? TPA_EXIT_FAIL : TPA_EXIT_OK;
}

/* ---- status ---------------------------------------------------------------- */

static void print_time_ms(const char *key, json_t *v)
{
    if (!json_is_integer(v)) return;
    json_int_t ms = json_integer_value(v);
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    char buf[64];
    if (gmtime_r(&t, &tm) && strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm))
        printf("%-9s %s.%03dZ\n", key, buf, (int)(ms % 1000));
}

static const char status_usage[] =
    "Usage: tpa status [--json] ID...\n"
    "Shows a job: state, progress (0-100), stage, message, counts, timestamps.\n\n"
    "      --json     print the job record as JSON\n"
    "      --api URL  gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help     show this help\n\n"
    "Exit status: 0 shown, 1 unknown job or gateway unreachable, 2 usage error.\n";

int tpa_cli_status(tpa_cli_t *cli, int argc, char **argv)
{
    bool as_json = false;
    int np = 0, failed = 0;
    const tpa_cli_opt_t opts[] = {{NULL, "--json", NULL, &as_json}, {NULL, NULL, NULL, NULL}};
    int r = tpa_cli_parse(cli, "status", status_usage, opts, argc, argv, -1, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (np == 0) return tpa_cli_usage_error("status", "missing ID");
    for (int i = 1; i <= np; i++)
        if (!check_id("status", argv[i])) return TPA_EXIT_USAGE;

    for (int i = 1; i <= np; i++) {
        char path[128], what[96];
        snprintf(path, sizeof path, "/api/v1/jobs/%s", argv[i]);
        snprintf(what, sizeof what, "job %s", argv[i]);
        json_t *j = tpa_http_get_json(cli, path, what);
        if (!j) {
            failed++;
            continue;
        }
        json_t *job = job_of(j);
        if (as_json) {
            tpa_cli_write_json(job, NULL, false);
        } else {
            static const char *const text[] = {"id", "state", "stage", "message", "error", "file"};
            static const char *const nums[] = {"progress", "size",  "packets",
                                               "bytes",    "flows", "attempts"};
            if (i > 1) putchar('\n');
            for (size_t k = 0; k < sizeof text / sizeof text[0]; k++)
                if (jstr(job, text[k])[0]) printf("%-9s %s\n", text[k], jstr(job, text[k]));
            for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
                json_t *v = json_object_get(job, nums[k]);
                if (json_is_integer(v))
                    printf("%-9s %" JSON_INTEGER_FORMAT "%s\n", nums[k], json_integer_value(v),
                           strcmp(nums[k], "progress") == 0 ? "%" : "");
            }
            print_time_ms("created", json_object_get(job, "created"));
            print_time_ms("updated", json_object_get(job, "updated"));
        }
        json_decref(j);
    }
    return failed ? TPA_EXIT_FAIL : TPA_EXIT_OK;
}

/* ---- result ---------------------------------------------------------------- */

static const char result_usage[] =
    "Usage: tpa result [--wait] [--timeout SECONDS] [--compact] [-o FILE] ID\n"
    "Prints a completed job's result document (JSON), as `tpa analyze` does.\n\n"
    "  -o, --output FILE     write the document to FILE instead of stdout\n"
    "      --compact         no indentation (one line)\n"
    "      --wait            wait for the job to finish first (progress on stderr)\n"
    "      --timeout SECONDS give up waiting after SECONDS\n"
    "      --api URL         gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help            show this help\n\n"
    "Exit status: 0 printed, 1 no result (unknown, unfinished or failed job), 2 usage error.\n";

int tpa_cli_result(tpa_cli_t *cli, int argc, char **argv)
{
    bool wait = false, compact = false;
    const char *out = NULL, *tmo = NULL;
    int np = 0, timeout_s = 0;
    const tpa_cli_opt_t opts[] = {
        {"-o", "--output", &out, NULL}, {NULL, "--compact", NULL, &compact},
        {NULL, "--wait", NULL, &wait},  {NULL, "--timeout", &tmo, NULL},
        {NULL, NULL, NULL, NULL},
    };
    int r = tpa_cli_parse(cli, "result", result_usage, opts, argc, argv, 1, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (np == 0) return tpa_cli_usage_error("result", "missing ID");
    if (!check_id("result", argv[1]) || parse_timeout("result", tmo, &timeout_s) < 0)
        return TPA_EXIT_USAGE;
    const char *id = argv[1];

    if (wait && tpa_cli_wait_job(cli, id, NULL, timeout_s) < 0) return TPA_EXIT_FAIL;
    char path[160], what[96];
    snprintf(path, sizeof path, "/api/v1/jobs/%s/result", id);
    snprintf(what, sizeof what, "job %s", id);
    json_t *doc = tpa_http_get_json(cli, path, what);
    if (!doc) return TPA_EXIT_FAIL;
    r = tpa_cli_write_json(doc, out, compact);
    json_decref(doc);
    return r < 0 ? TPA_EXIT_FAIL : TPA_EXIT_OK;
}

/* ---- jobs ------------------------------------------------------------------ */

static const char jobs_usage[] =
    "Usage: tpa jobs [--state STATE] [--limit N] [--offset N] [--json]\n"
    "Lists jobs, newest first: id, state, progress, creation time, file.\n\n"
    "      --state STATE  only jobs in STATE (queued, parsing, enriching, completed,\n"
    "                     failed, cancelled)\n"
    "      --limit N      at most N jobs (default 50)\n"
    "      --offset N     skip the N newest\n"
    "      --json         print the gateway's answer as JSON\n"
    "      --api URL      gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help         show this help\n";

static bool valid_state(const char *s)
{
    static const char *const states[] = {TPA_JOB_QUEUED,    TPA_JOB_PARSING, TPA_JOB_ENRICHING,
                                         TPA_JOB_COMPLETED, TPA_JOB_FAILED,  TPA_JOB_CANCELLED};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++)
        if (strcmp(s, states[i]) == 0) return true;
    return false;
}

static int parse_count(const char *cmd, const char *opt, const char *s, long *out)
{
    char *end;
    if (!s) return 0;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < 0 || v > 1000000) {
        tpa_cli_usage_error(cmd, "bad %s '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

int tpa_cli_jobs(tpa_cli_t *cli, int argc, char **argv)
{
    bool as_json = false;
    const char *state = NULL, *lim = NULL, *off = NULL;
    long limit = 50, offset = 0;
    int np = 0;
    const tpa_cli_opt_t opts[] = {
        {NULL, "--state", &state, NULL}, {NULL, "--limit", &lim, NULL},
        {NULL, "--offset", &off, NULL},  {NULL, "--json", NULL, &as_json},
        {NULL, NULL, NULL, NULL},
    };
    int r = tpa_cli_parse(cli, "jobs", jobs_usage, opts, argc, argv, 0, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (state && !valid_state(state))
        return tpa_cli_usage_error("jobs", "unknown state '%s'", state);
    if (parse_count("jobs", "--limit", lim, &limit) < 0 ||
        parse_count("jobs", "--offset", off, &offset) < 0)
        return TPA_EXIT_USAGE;

    char path[256];
    snprintf(path, sizeof path, "/api/v1/jobs?limit=%ld&offset=%ld%s%s", limit, offset,
             state ? "&state=" : "", state ? state : "");
    json_t *j = tpa_http_get_json(cli, path, "jobs");
    if (!j) return TPA_EXIT_FAIL;
    if (as_json) {
        r = tpa_cli_write_json(j, NULL, false);
        json_decref(j);
        return r < 0 ? TPA_EXIT_FAIL : TPA_EXIT_OK;
    }
    json_t *list = json_is_array(j) ? j : json_object_get(j, "jobs");
    size_t idx;
    json_t *job;
    printf("%-32s  %-9s  %4s  %-20s  %s\n", "ID", "STATE", "PROG", "CREATED", "FILE");
    json_array_foreach(list, idx, job)
    {
        char when[32] = "-";
        json_t *c = json_object_get(job, "created");
        if (json_is_integer(c)) {
            time_t t = (time_t)(json_integer_value(c) / 1000);
            struct tm tm;
            if (gmtime_r(&t, &tm)) strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", &tm);
        }
        printf("%-32s  %-9s  %3d%%  %-20s  %s\n", jstr(job, "id"), jstr(job, "state"),
               (int)json_integer_value(json_object_get(job, "progress")), when, jstr(job, "file"));
    }
    json_t *total = json_object_get(j, "total");
    if (json_is_integer(total) && (json_int_t)json_array_size(list) < json_integer_value(total))
        fprintf(stderr, "tpa: showing %zu of %" JSON_INTEGER_FORMAT " jobs (--offset, --limit)\n",
                json_array_size(list), json_integer_value(total));
    json_decref(j);
    return TPA_EXIT_OK;
}

/* ---- delete ---------------------------------------------------------------- */

static const char delete_usage[] =
    "Usage: tpa delete ID...\n"
    "Cancels each job if it is still running, then deletes its capture and results.\n\n"
    "      --api URL  gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help     show this help\n\n"
    "Exit status: 0 all deleted, 1 otherwise, 2 usage error.\n";

int tpa_cli_delete(tpa_cli_t *cli, int argc, char **argv)
{
    int np = 0, failed = 0;
    int r = tpa_cli_parse(cli, "delete", delete_usage, NULL, argc, argv, -1, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (np == 0) return tpa_cli_usage_error("delete", "missing ID");
    for (int i = 1; i <= np; i++)
        if (!check_id("delete", argv[i])) return TPA_EXIT_USAGE;
    for (int i = 1; i <= np; i++) {
        char path[128], what[96];
        tpa_http_resp_t resp;
        snprintf(path, sizeof path, "/api/v1/jobs/%s", argv[i]);
        snprintf(what, sizeof what, "job %s", argv[i]);
        if (tpa_http_request(cli, "DELETE", path, &resp) < 0) return TPA_EXIT_FAIL;
        if (resp.status >= 200 && resp.status < 300) {
            printf("deleted %s\n", argv[i]);
        } else {
            json_decref(tpa_http_json(&resp, what)); /* prints the error line */
            failed++;
        }
        tpa_http_resp_clear(&resp);
    }
    return failed ? TPA_EXIT_FAIL : TPA_EXIT_OK;
}
