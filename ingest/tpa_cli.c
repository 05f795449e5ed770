/* tpa_cli.c - option helpers and output shared by the tpa subcommands. */
#include "tpa_cli.h"

#include <errno.h>
#include <sys/stat.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tpa_err.h"
#include "tpa_json_out.h"

int tpa_cli_usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tpa%s%s: ", cmd ? " " : "", cmd ? cmd : "");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see tpa%s%s --help)\n", cmd ? " " : "", cmd ? cmd : "");
    return TPA_EXIT_USAGE;
}

int tpa_cli_fail(const char *fmt, ...)
{
    va_list ap;
    fputs("tpa: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return TPA_EXIT_FAIL;
}

int tpa_cli_optval(const char *cmd, int argc, char **argv, int *i, const char *shortf,
                   const char *longf, const char **val)
{
    const char *a = argv[*i];
    size_t ll = longf ? strlen(longf) : 0;

    if (longf && strncmp(a, longf, ll) == 0 && a[ll] == '=') {
        *val = a + ll + 1;
        return 1;
    }
    if ((longf && strcmp(a, longf) == 0) || (shortf && strcmp(a, shortf) == 0)) {
        if (*i + 1 >= argc) {
            tpa_cli_usage_error(cmd, "option '%s' needs a value", a);
            return -1;
        }
        *i += 1;
        *val = argv[*i];
        return 1;
    }
    return 0;
}

int tpa_cli_common_opt(tpa_cli_t *cli, const char *cmd, int argc, char **argv, int *i)
{
    const char *v = NULL;
    int r = tpa_cli_optval(cmd, argc, argv, i, NULL, "--api", &v);
    if (r < 0) return -1;
    if (r > 0) {
        size_t n = strlen(v);
        while (n > 0 && v[n - 1] == '/')
            n--;
        if (n == 0 || n >= sizeof cli->api) {
            tpa_cli_usage_error(cmd, "bad --api URL '%s'", v);
            return -1;
        }
        memcpy(cli->api, v, n);
        cli->api[n] = '\0';
        cli->api_set = true;
        return 1;
    }

    /* --<setting> VALUE or --<setting>=VALUE from tpa_config. */
    const char *a = argv[*i];
    if (strncmp(a, "--", 2) != 0 || a[2] == '\0') return 0;
    char name[64];
    const char *eq = strchr(a + 2, '=');
    size_t n = eq ? (size_t)(eq - (a + 2)) : strlen(a + 2);
    if (n >= sizeof name) return 0;
    memcpy(name, a + 2, n);
    name[n] = '\0';
    if (eq) {
        v = eq + 1;
    } else {
        /* Probe the name first so an unknown option is not mistaken for a setting. */
        tpa_config_t probe = cli->cfg;
        if (*i + 1 >= argc) {
            if (tpa_config_set(&probe, name, "") == TPA_ERR_NOTFOUND) return 0;
            tpa_cli_usage_error(cmd, "option '%s' needs a value", a);
            return -1;
        }
        v = argv[*i + 1];
    }
    int rc = tpa_config_set(&cli->cfg, name, v);
    if (rc == TPA_ERR_NOTFOUND) return 0;
    if (rc < 0) {
        tpa_cli_usage_error(cmd, "bad value '%s' for --%s", v, name);
        return -1;
    }
    if (!eq) *i += 1;
    if (!cli->api_set && !getenv("TPA_API_URL"))
        snprintf(cli->api, sizeof cli->api, "http://127.0.0.1:%d", cli->cfg.http_port);
    return 1;
}

/* Writes doc and a newline to f (tpa_json_out: buffered, numbers without snprintf).
 * Returns 0 or -1 with errno set. */
static int dump_json(const json_t *doc, const tpa_json_out_lazy_t *lazy, size_t nlazy, FILE *f,
                     bool compact)
{
    errno = 0;
    int rc = tpa_json_out_file_lazy(doc, compact ? 0 : 1, lazy, nlazy, f);
    if (rc == TPA_ERR_NOMEM) errno = ENOMEM;
    if (rc == TPA_ERR_FORMAT) errno = EINVAL;
    return rc == 0 && fputc('\n', f) != EOF ? 0 : -1;
}

int tpa_cli_write_json(const json_t *doc, const char *path, bool compact)
{
    return tpa_cli_write_json_lazy(doc, NULL, 0, path, compact);
}

int tpa_cli_write_json_lazy(const json_t *doc, const tpa_json_out_lazy_t *lazy, size_t nlazy,
                            const char *path, bool compact)
{
    /* Reals: whole microseconds (timestamps, latencies) in their shortest exact form,
     * others with 16 significant digits, without the binary noise 17 would show
     * (tpa_json_out.h). */
    if (!path || strcmp(path, "-") == 0) {
        if (dump_json(doc, lazy, nlazy, stdout, compact) != 0 || fflush(stdout) != 0) {
            tpa_cli_fail("stdout: %s", strerror(errno ? errno : EIO));
            return -1;
        }
        return 0;
    }

    /* Only a regular file (or a new one) is written through a temporary file and
     * renamed into place; a device, FIFO or socket (/dev/null, /dev/stdout, a pipe)
     * is written directly, never replaced. */
    struct stat st;
    if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
        FILE *d = fopen(path, "w");
        if (!d) {
            tpa_cli_fail("%s: %s", path, strerror(errno));
            return -1;
        }
        int dok = dump_json(doc, lazy, nlazy, d, compact) == 0;
        int de = errno;
        if (fclose(d) != 0 && dok) {
            dok = 0;
            de = errno;
        }
        if (!dok) {
            tpa_cli_fail("%s: %s", path, strerror(de ? de : EIO));
            return -1;
        }
        return 0;
    }

    char tmp[TPA_PATH_MAX + 32];
    if (snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid()) >= (int)sizeof tmp) {
        tpa_cli_fail("%s: file name too long", path);
        return -1;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        tpa_cli_fail("%s: %s", path, strerror(errno));
        return -1;
    }
    int ok = dump_json(doc, lazy, nlazy, f, compact) == 0;
    int e = errno;
    if (fclose(f) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(tmp, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        unlink(tmp);
        tpa_cli_fail("%s: %s", path, strerror(e ? e : EIO));
        return -1;
    }
    return 0;
}

int tpa_cli_parse(tpa_cli_t *cli, const char *cmd, const char *usage, const tpa_cli_opt_t *opts,
                  int argc, char **argv, int maxpos, int *npos)
{
    int np = 0;
    bool opts_done = false;

    for (int i = 1; i < argc; i++) {
        char *a = argv[i];
        if (opts_done || a[0] != '-' || a[1] == '\0') {
            if (maxpos >= 0 && np >= maxpos) {
                if (maxpos == 0)
                    tpa_cli_usage_error(cmd, "unexpected argument '%s'", a);
                else
                    tpa_cli_usage_error(cmd, "too many arguments ('%s')", a);
                return -1;
            }
            argv[++np] = a;
            continue;
        }
        if (strcmp(a, "--") == 0) {
            opts_done = true;
            continue;
        }
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(usage, stdout);
            return 1;
        }
        int r = 0;
        for (const tpa_cli_opt_t *o = opts; o && o->longf && r == 0; o++) {
            if (o->val) {
                r = tpa_cli_optval(cmd, argc, argv, &i, o->shortf, o->longf, o->val);
            } else if (strcmp(a, o->longf) == 0 || (o->shortf && strcmp(a, o->shortf) == 0)) {
                *o->flag = true;
                r = 1;
            }
        }
        if (r == 0) r = tpa_cli_common_opt(cli, cmd, argc, argv, &i);
        if (r < 0) return -1;
        if (r == 0) {
            tpa_cli_usage_error(cmd, "unknown option '%s'", a);
            return -1;
        }
    }
    *npos = np;
    return 0;
}
