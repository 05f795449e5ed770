/* tpa_cli_analyze.c - `tpa analyze CAPTURE`: run the engine in-process and print
 * the result document (the same document the API returns for a job). */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tpa_analysis.h"
#include "tpa_capture_check.h"
#include "tpa_cli.h"
#include "tpa_err.h"

static const char analyze_usage[] =
    "Usage: tpa analyze [--compact] [-o FILE] [--progress] CAPTURE\n"
    "Analyses CAPTURE (pcap or pcapng, optionally gzip-compressed) on this machine,\n"
    "without the services, and prints the result document as JSON.\n\n"
    "  -o, --output FILE  write the document to FILE instead of stdout\n"
    "      --compact      no indentation (one line)\n"
    "      --progress     show progress (percent of the file read) on stderr\n"
    "  -h, --help         show this help\n\n"
    "Exit status: 0 success, 1 the file is unreadable or not a capture (one line on\n"
    "stderr), 2 usage error.\n";

typedef struct {
    const char *name;
    int last; /* last percentage printed, -1 before the first */
    bool tty;
    const char *out; /* -o, or NULL for stdout */
    bool compact;
    int written; /* tpa_cli_write_json_lazy's result; 1 before the document came */
} run_t;

/* Ends the progress line on a terminal (once). */
static void progress_done(run_t *r)
{
    if (r->tty && r->last >= 0) fputc('\n', stderr);
    r->last = -1;
}

static bool on_progress(void *ud, uint64_t done, uint64_t total)
{
    run_t *p = ud;
    if (total == 0) return true;
    int pct = done >= total ? 100 : (int)(done * 100 / total);
    if (pct == p->last) return true;
    p->last = pct;
    if (p->tty)
        fprintf(stderr, "\rtpa: %s: %3d%%", p->name, pct);
    else
        fprintf(stderr, "tpa: %s: %d%%\n", p->name, pct);
    fflush(stderr);
    return true;
}

/* The document, written as it is generated (tpa_result_build_lazy): the flows[],
 * transactions[] and ues[] of a big capture are never whole in memory. */
static int emit(void *ud, const json_t *doc, const tpa_json_out_lazy_t *lazy, size_t nlazy)
{
    run_t *r = ud;
    progress_done(r);
    r->written = tpa_cli_write_json_lazy(doc, lazy, nlazy, r->out, r->compact);
    return 0;
}

int tpa_cli_analyze(tpa_cli_t *cli, int argc, char **argv)
{
    const char *out = NULL, *path;
    bool compact = false, progress = false;
    const tpa_cli_opt_t opts[] = {
        {"-o", "--output", &out, NULL},
        {NULL, "--compact", NULL, &compact},
        {NULL, "--progress", NULL, &progress},
        {NULL, NULL, NULL, NULL},
    };
    int np = 0;
    int r = tpa_cli_parse(cli, "analyze", analyze_usage, opts, argc, argv, 1, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (np < 1) return tpa_cli_usage_error("analyze", "missing CAPTURE");
    path = argv[1];

    /* Refuse what is not a capture before starting the engine, with the same
     * wording the gateway and `tpa submit` use. */
    char err[256];
    tpa_capfmt_t f = tpa_capture_sniff_file(path, err, sizeof err);
    if (f != TPA_CAPFMT_PCAP && f != TPA_CAPFMT_PCAPNG && f != TPA_CAPFMT_GZIP)
        return tpa_cli_fail("%s: %s", path, err[0] ? err : "not a pcap or pcapng file");

    run_t run = {.name = path,
                 .last = -1,
                 .tty = isatty(STDERR_FILENO) != 0,
                 .out = out,
                 .compact = compact,
                 .written = 1};
    tpa_analysis_opts_t aopts = {
        .progress = progress ? on_progress : NULL, .ud = &run, .emit = emit};
    json_t *doc = NULL;
    err[0] = '\0';
    int rc = tpa_analyze_file(path, &aopts, &doc, err, sizeof err);
    progress_done(&run);
    json_decref(doc); /* NULL: emit wrote it */
    if (rc < 0) return tpa_cli_fail("%s: %s", path, err[0] ? err : tpa_strerror(rc));
    rc = run.written; /* a write error was reported where it happened */
    return rc < 0 ? TPA_EXIT_FAIL : TPA_EXIT_OK;
}
