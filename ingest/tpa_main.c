/* tpa_main.c - the `tpa` command: dispatches to a subcommand.
 *
 *   tpa [--api URL] [--<setting> VALUE]... <command> [args]
 */
#include <stdlib.h>
#include <string.h>

#include "tpa_cli.h"
#include "tpa_cli_http.h"

typedef struct {
    const char *name;
    tpa_cli_cmd_fn fn;
    const char *summary;
} cmd_t;

static int cmd_version(tpa_cli_t *cli, int argc, char **argv);

static const cmd_t cmds[] = {
    {"analyze", tpa_cli_analyze, "analyse a capture here and print the result document (JSON)"},
    {"submit", tpa_cli_submit, "upload captures to the gateway as jobs (--wait to follow them)"},
    {"status", tpa_cli_status, "show a job's state and progress"},
    {"result", tpa_cli_result, "print a job's result document (JSON)"},
    {"jobs", tpa_cli_jobs, "list jobs (--state to filter)"},
    {"delete", tpa_cli_delete, "cancel and delete jobs"},
    {"watch", tpa_cli_watch, "submit every capture that appears in a directory"},
    {"capture", tpa_cli_capture, "capture live on an interface, then submit"},
    {"version", cmd_version, "print the version"},
};
#define NCMDS (sizeof cmds / sizeof cmds[0])

static void usage(FILE *f)
{
    fputs("Usage: tpa [--api URL] [--<setting> VALUE]... COMMAND [ARGS]\n"
          "Telecom PCAP Analyzer command line.\n\nCommands:\n",
          f);
    for (size_t i = 0; i < NCMDS; i++)
        fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
    fputs("\nRun 'tpa COMMAND --help' for the options of a command.\n"
          "The REST commands talk to the gateway at --api URL, else $TPA_API_URL, else\n"
          "http://127.0.0.1:$TPA_HTTP_PORT (default 8080).\n"
          "Any TPA_* setting may also be given as a flag (e.g. --http-port 8081).\n"
          "Exit status: 0 success, 1 failure (one line on stderr), 2 usage error.\n",
          f);
}

static int cmd_version(tpa_cli_t *cli, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            puts("Usage: tpa version\nPrints the version of tpa.");
            return TPA_EXIT_OK;
        }
        return tpa_cli_usage_error("version", "unexpected argument '%s'", argv[i]);
    }
    printf("tpa %s\n", TPA_VERSION);
    return TPA_EXIT_OK;
}

int main(int argc, char **argv)
{
    tpa_cli_t cli;
    memset(&cli, 0, sizeof cli);
    tpa_config_init(&cli.cfg);
    const char *env = getenv("TPA_API_URL");
    if (env && *env) {
        size_t n = strlen(env);
        while (n > 0 && env[n - 1] == '/')
            n--;
        if (n < sizeof cli.api) {
            memcpy(cli.api, env, n);
            cli.api[n] = '\0';
        }
    }
    if (!cli.api[0]) snprintf(cli.api, sizeof cli.api, "http://127.0.0.1:%d", cli.cfg.http_port);

    int i = 1;
    while (i < argc && argv[i][0] == '-') {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return TPA_EXIT_OK;
        }
        if (strcmp(argv[i], "--version") == 0) return cmd_version(&cli, 1, argv);
        int r = tpa_cli_common_opt(&cli, NULL, argc, argv, &i);
        if (r < 0) return TPA_EXIT_USAGE;
        if (r == 0) return tpa_cli_usage_error(NULL, "unknown option '%s'", argv[i]);
        i++;
    }
    if (i >= argc) {
        usage(stderr);
        return TPA_EXIT_USAGE;
    }
    if (strcmp(argv[i], "help") == 0) {
        if (i + 1 < argc) {
            char *sub[] = {argv[i + 1], "--help", NULL};
            for (size_t c = 0; c < NCMDS; c++)
                if (strcmp(cmds[c].name, argv[i + 1]) == 0) return cmds[c].fn(&cli, 2, sub);
            return tpa_cli_usage_error(NULL, "unknown command '%s'", argv[i + 1]);
        }
        usage(stdout);
        return TPA_EXIT_OK;
    }
    for (size_t c = 0; c < NCMDS; c++) {
        if (strcmp(cmds[c].name, argv[i]) == 0) {
            tpa_http_global_init();
            int rc = cmds[c].fn(&cli, argc - i, argv + i);
            tpa_http_global_cleanup();
            return rc;
        }
    }
    return tpa_cli_usage_error(NULL, "unknown command '%s'", argv[i]);
}
