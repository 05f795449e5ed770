/* tpa_cli_analyze.c - `tpa analyze CAPTURE`: run the engine in-process and print
 * the result document (the same document the API returns for a job). */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "tpa_analysis.h"
#include "tpa_capture_check.h"
#include "tpa_cli.h"
#include "tpa_err.h"
#include "tpa_json_arena.h"

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

/* The last document written, never freed: see the end of tpa_cli_analyze. */
static json_t *kept_doc;

typedef struct {
    const char *name;
    int last; /* last percentage printed, -1 before the first */
    bool tty;
} progress_t;

static bool on_progress(void *ud, uint64_t done, uint64_t total)
{
    progress_t *p = ud;
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

    /* One document built, written and left to the exit: jansson's millions of small
     * blocks come from a bump arena instead of malloc (tpa_json_arena.h). */
    tpa_json_arena_enable();
    progress_t pg = {.name = path, .last = -1, .tty = isatty(STDERR_FILENO) != 0};
    tpa_analysis_opts_t aopts = {.progress = progress ? on_progress : NULL, .ud = &pg};
    json_t *doc = NULL;
    err[0] = '\0';
    int rc = tpa_analyze_file(path, &aopts, &doc, err, sizeof err);
    if (progress && pg.tty && pg.last >= 0) fputc('\n', stderr);
    if (rc < 0 || !doc) {
        json_decref(doc);
        return tpa_cli_fail("%s: %s", path, err[0] ? err : tpa_strerror(rc));
    }
    rc = tpa_cli_write_json(doc, out, compact);
    /* The process ends when this returns: freeing the document (millions of small
     * blocks, a quarter of the CPU time on a 100k-packet capture) gives nothing back.
     * It stays reachable from kept_doc, so leak checkers (LSan in the ASan build) do
     * not count it as lost. */
    json_decref(kept_doc);
    kept_doc = doc;
    return rc < 0 ? TPA_EXIT_FAIL : TPA_EXIT_OK;
}
