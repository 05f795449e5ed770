/* test_analyze.c - tpa-analyze-test: prints the result document of one capture.
 *
 * Usage: tpa-analyze-test [--digest] [--quiet] CAPTURE
 * The same output as `tpa analyze`, for conformance runs while the CLI is elsewhere;
 * --digest prints the digest instead, --quiet prints nothing (timing runs).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_analysis.h"

int main(int argc, char **argv)
{
    bool digest = false, quiet = false;
    const char *path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            printf("usage: tpa-analyze-test [--digest] [--quiet] CAPTURE\n"
                   "Analyses CAPTURE (pcap/pcapng, optionally gzip) and prints the result "
                   "document as JSON.\n");
            return 0;
        } else if (strcmp(argv[i], "--digest") == 0) {
            digest = true;
        } else if (strcmp(argv[i], "--quiet") == 0) {
            quiet = true;
        } else {
            path = argv[i];
        }
    }
    if (!path) {
        fprintf(stderr, "tpa-analyze-test: give a capture file (see --help)\n");
        return 2;
    }
    json_t *doc = NULL;
    char err[512] = "";
    int rc = tpa_analyze_file(path, NULL, &doc, err, sizeof err);
    if (rc < 0) {
        fprintf(stderr, "tpa-analyze-test: %s\n", err);
        return 1;
    }
    json_t *out = doc;
    if (digest) out = tpa_digest_build(doc, 16384);
    if (!quiet) {
        char *s = json_dumps(out, JSON_INDENT(1) | JSON_REAL_PRECISION(17));
        if (s) {
            fputs(s, stdout);
            fputc('\n', stdout);
        }
        free(s);
    }
    if (out != doc) json_decref(out);
    json_decref(doc);
    return 0;
}
