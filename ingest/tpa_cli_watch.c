/* tpa_cli_watch.c - `tpa watch DIR`: submit every capture that appears in a
 * directory, once it has stopped growing.
 *
 * Every interval (2 s) the directory is listed. A regular, non-hidden file whose
 * size and mtime are the same as at the previous listing is considered complete
 * and is submitted, unless DIR/.tpa-submitted already records that file with that
 * size and mtime. The record file has one line per submitted file:
 *     <size> <mtime_ns> <job id> <name>
 * (name last, so it may hold spaces). A file rewritten under the same name
 * (different size or mtime) is submitted again.
 *
 * Cost: each listing is O(files x entries) string compares; fine for the
 * thousands of files a capture drop directory holds.
 */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <signal.h>
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

#define RECORD_NAME ".tpa-submitted"

enum { W_PENDING = 0, W_SUBMITTED, W_SKIPPED };

typedef struct {
    char *name;
    int64_t size, mtime_ns;
    int state;
    bool seen; /* present in the current listing */
} wfile_t;

typedef struct {
    wfile_t *v;
    size_t n, cap;
} wlist_t;

static volatile sig_atomic_t stop_flag;

static void on_signal(int sig)
{
    (void)sig;
    stop_flag = 1;
}

static wfile_t *wl_find(wlist_t *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcmp(l->v[i].name, name) == 0) return &l->v[i];
    return NULL;
}

static wfile_t *wl_add(wlist_t *l, const char *name)
{
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 64;
        wfile_t *v = realloc(l->v, cap * sizeof *v);
        if (!v) return NULL;
        l->v = v;
        l->cap = cap;
    }
    wfile_t *f = &l->v[l->n];
    memset(f, 0, sizeof *f);
    f->name = strdup(name);
    if (!f->name) return NULL;
    l->n++;
    return f;
}

/* Drops entries not seen in the last listing (deleted files). */
static void wl_sweep(wlist_t *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (l->v[i].seen)
            l->v[k++] = l->v[i];
        else
            free(l->v[i].name);
    }
    l->n = k;
}

static void wl_free(wlist_t *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->v[i].name);
    free(l->v);
    memset(l, 0, sizeof *l);
}

/* Loads DIR/.tpa-submitted into l as W_SUBMITTED entries. A missing file is not an
 * error; malformed lines are ignored. Returns 0 or TPA_ERR_NOMEM / TPA_ERR_IO. */
static int load_record(const char *path, wlist_t *l)
{
    FILE *f = fopen(path, "r");
    if (!f) return errno == ENOENT ? 0 : TPA_ERR_IO;
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        if (line[len - 1] == '\n') line[--len] = '\0';
        int64_t size, mt;
        char id[80];
        int off = 0;
        if (sscanf(line, "%" SCNd64 " %" SCNd64 " %79s %n", &size, &mt, id, &off) != 3 ||
            off <= 0 || line[off] == '\0')
            continue;
        const char *name = line + off;
        wfile_t *w = wl_find(l, name);
        if (!w && !(w = wl_add(l, name))) {
            rc = TPA_ERR_NOMEM;
            break;
        }
        w->size = size;
        w->mtime_ns = mt;
        w->state = W_SUBMITTED;
        w->seen = true;
    }
    free(line);
    fclose(f);
    return rc;
}

static int append_record(const char *path, const wfile_t *w, const char *id)
{
    FILE *f = fopen(path, "a");
    if (!f) return TPA_ERR_IO;
    fprintf(f, "%" PRId64 " %" PRId64 " %s %s\n", w->size, w->mtime_ns, id, w->name);
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) return TPA_ERR_IO;
    return 0;
}

static const char watch_usage[] =
    "Usage: tpa watch [--interval SECONDS] [--once] DIR\n"
    "Watches DIR and submits each new capture file (pcap, pcapng, gzip) once its size\n"
    "has not changed for one interval. Prints \"<job id> <file>\" per submission on\n"
    "stdout. Submitted files are remembered in DIR/" RECORD_NAME " (size, mtime, job id,\n"
    "name), so a restart does not submit them again; a file rewritten under the same\n"
    "name is submitted again. Hidden files and non-captures are skipped.\n\n"
    "      --interval SECONDS  polling interval (default 2)\n"
    "      --once              exit once every file present is submitted or skipped\n"
    "      --api URL           gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help              show this help\n\n"
    "Runs until interrupted (Ctrl-C, SIGTERM); the gateway may come and go meanwhile.\n"
    "Exit status: 0 on interrupt (or --once done), 1 if DIR cannot be read, 2 usage error.\n";

/* One listing. *gateway_down is in/out: true while the gateway is known to be
 * unreachable (its line already printed). Returns the number of files still pending
 * (not yet stable or not yet accepted), or a negative TPA_ERR_* if the directory
 * cannot be read. */
static int poll_dir(tpa_cli_t *cli, const char *dir, const char *record, wlist_t *l,
                    bool *gateway_down)
{
    DIR *d = opendir(dir);
    if (!d) return TPA_ERR_IO;
    for (size_t i = 0; i < l->n; i++)
        l->v[i].seen = false;

    int pending = 0;
    struct dirent *de;
    char path[TPA_PATH_MAX * 2];
    while (!stop_flag && (de = readdir(d)) != NULL) {
        const char *name = de->d_name;
        if (name[0] == '.' || strchr(name, '\n')) continue;
        if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) continue;
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) continue;
        int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        wfile_t *w = wl_find(l, name);
        if (!w) {
            if (!(w = wl_add(l, name))) {
                closedir(d);
                return TPA_ERR_NOMEM;
            }
            w->size = st.st_size;
            w->mtime_ns = mt;
            w->state = W_PENDING;
            w->seen = true;
            pending++;
            continue; /* first sight: wait one interval */
        }
        w->seen = true;
        if (w->size != st.st_size || w->mtime_ns != mt) {
            /* Still growing, or rewritten since it was submitted/skipped. */
            w->size = st.st_size;
            w->mtime_ns = mt;
            w->state = W_PENDING;
            pending++;
            continue;
        }
        if (w->state != W_PENDING) continue;

        /* Stable for one interval. */
        char err[256];
        tpa_capfmt_t f = tpa_capture_sniff_file(path, err, sizeof err);
        if (f == TPA_CAPFMT_SHORT) {
            w->state = W_SKIPPED; /* e.g. an empty file; looked at again when it changes */
            continue;
        }
        if (f == TPA_CAPFMT_UNKNOWN) {
            tpa_cli_fail("%s: %s (skipped)", path, err[0] ? err : "not a pcap or pcapng file");
            w->state = W_SKIPPED;
            continue;
        }
        if (*gateway_down) {
            /* Known outage: probe quietly instead of printing the same line again. */
            tpa_http_resp_t hr;
            char herr[256];
            if (tpa_http_request_ex(cli, "GET", "/healthz", &hr, herr, sizeof herr) < 0) {
                pending++;
                break;
            }
            tpa_http_resp_clear(&hr);
            *gateway_down = false;
            fprintf(stderr, "tpa: the gateway at %s answers again\n", cli->api);
        }
        char id[80];
        int rc = tpa_cli_submit_file(cli, path, id, sizeof id);
        if (rc == TPA_ERR_CONN || rc == TPA_ERR_TIMEOUT) {
            /* Printed once per outage; retried at the next listing. */
            *gateway_down = true;
            pending++;
            break;
        }
        if (rc < 0) {
            w->state = W_SKIPPED; /* refused (size, format): not retried unless it changes */
            continue;
        }
        w->state = W_SUBMITTED;
        printf("%s %s\n", id, path);
        fflush(stdout);
        if (append_record(record, w, id) < 0)
            tpa_cli_fail("%s: %s (job %s will be submitted again after a restart)", record,
                         strerror(errno), id);
    }
    closedir(d);
    if (!stop_flag) wl_sweep(l);
    return pending;
}

int tpa_cli_watch(tpa_cli_t *cli, int argc, char **argv)
{
    bool once = false;
    const char *ival = NULL;
    int np = 0, rc = TPA_EXIT_OK;
    const tpa_cli_opt_t opts[] = {
        {NULL, "--interval", &ival, NULL},
        {NULL, "--once", NULL, &once},
        {NULL, NULL, NULL, NULL},
    };
    int r = tpa_cli_parse(cli, "watch", watch_usage, opts, argc, argv, 1, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (np == 0) return tpa_cli_usage_error("watch", "missing DIR");
    double interval = 2.0;
    if (ival) {
        char *end;
        interval = strtod(ival, &end);
        if (*end || end == ival || !(interval >= 0.05 && interval <= 3600))
            return tpa_cli_usage_error("watch", "bad --interval '%s'", ival);
    }
    const char *dir = argv[1];
    char record[TPA_PATH_MAX * 2];
    if (snprintf(record, sizeof record, "%s/%s", dir, RECORD_NAME) >= (int)sizeof record)
        return tpa_cli_fail("%s: path too long", dir);
    struct stat st;
    if (stat(dir, &st) != 0) return tpa_cli_fail("%s: %s", dir, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return tpa_cli_fail("%s: not a directory", dir);

    wlist_t l = {0};
    r = load_record(record, &l);
    if (r < 0) {
        wl_free(&l);
        return tpa_cli_fail("%s: %s", record,
                            r == TPA_ERR_NOMEM ? "out of memory" : strerror(errno));
    }

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);

    fprintf(stderr, "tpa: watching %s every %gs, submitting to %s (Ctrl-C to stop)\n", dir,
            interval, cli->api);
    bool down = false;
    while (!stop_flag) {
        int pending = poll_dir(cli, dir, record, &l, &down);
        if (pending < 0) {
            rc = tpa_cli_fail("%s: %s", dir,
                              pending == TPA_ERR_NOMEM ? "out of memory" : strerror(errno));
            break;
        }
        if (once && pending == 0) break;
        struct timespec ts = {(time_t)interval,
                              (long)((interval - (double)(time_t)interval) * 1e9)};
        while (!stop_flag && nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
    }
    wl_free(&l);
    return rc;
}
