/* tpa_cli_capture.c - `tpa capture -i IFACE`: live capture with libpcap into a
 * pcap file, then submit it. */
#include <errno.h>
#include <pcap/pcap.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "tpa_cli.h"
#include "tpa_err.h"

static const char capture_usage[] =
    "Usage: tpa capture -i IFACE [-w FILE] [-c COUNT] [--seconds N] [-s SNAPLEN]\n"
    "                   [-f FILTER] [--no-promisc] [--no-submit] [--wait]\n"
    "Captures packets on IFACE with libpcap into a pcap file, stops after COUNT packets,\n"
    "N seconds or Ctrl-C (whichever comes first), then submits the file as a job and\n"
    "prints the job id on stdout. Needs root or CAP_NET_RAW.\n\n"
    "  -i, --interface IFACE  interface to capture on (e.g. eth0, any)\n"
    "  -w, --write FILE       capture file (default tpa-<iface>-<UTC time>.pcap)\n"
    "  -c, --count COUNT      stop after COUNT packets\n"
    "      --seconds N        stop after N seconds\n"
    "  -s, --snaplen BYTES    bytes kept per packet (default 262144)\n"
    "  -f, --filter EXPR      BPF filter (tcpdump syntax), e.g. 'sctp or port 2152'\n"
    "      --no-promisc       do not put the interface in promiscuous mode\n"
    "      --no-submit        only write the file (prints its name on stdout)\n"
    "      --wait             after submitting, follow the job until it finishes\n"
    "      --api URL          gateway (default $TPA_API_URL or http://127.0.0.1:$TPA_HTTP_PORT)\n"
    "  -h, --help             show this help\n\n"
    "Exit status: 0 captured (and submitted); 1 capture, submission or job failed, or\n"
    "no packets were captured; 2 usage error.\n";

static pcap_t *live; /* for the signal handler */
static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
    (void)sig;
    interrupted = 1;
    if (live) pcap_breakloop(live);
}

typedef struct {
    pcap_dumper_t *dump;
    uint64_t packets, bytes;
} cap_state_t;

static void on_packet(u_char *ud, const struct pcap_pkthdr *h, const u_char *bytes)
{
    cap_state_t *s = (cap_state_t *)ud;
    pcap_dump((u_char *)s->dump, h, bytes);
    s->packets++;
    s->bytes += h->len;
}

static int parse_num(const char *opt, const char *s, long lo, long hi, long *out)
{
    char *end;
    if (!s) return 0;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || end == s || v < lo || v > hi) {
        tpa_cli_usage_error("capture", "bad %s '%s'", opt, s);
        return -1;
    }
    *out = v;
    return 0;
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tpa_cli_capture(tpa_cli_t *cli, int argc, char **argv)
{
    const char *iface = NULL, *out = NULL, *cnt = NULL, *secs = NULL, *snap = NULL, *filter = NULL;
    bool no_submit = false, no_promisc = false, wait = false;
    long count = 0, seconds = 0, snaplen = 262144;
    int np = 0, rc = TPA_EXIT_FAIL;
    char errbuf[PCAP_ERRBUF_SIZE] = "", defname[256];
    const tpa_cli_opt_t opts[] = {
        {"-i", "--interface", &iface, NULL},     {"-w", "--write", &out, NULL},
        {"-c", "--count", &cnt, NULL},           {NULL, "--seconds", &secs, NULL},
        {"-s", "--snaplen", &snap, NULL},        {"-f", "--filter", &filter, NULL},
        {NULL, "--no-submit", NULL, &no_submit}, {NULL, "--no-promisc", NULL, &no_promisc},
        {NULL, "--wait", NULL, &wait},           {NULL, NULL, NULL, NULL},
    };
    int r = tpa_cli_parse(cli, "capture", capture_usage, opts, argc, argv, 0, &np);
    if (r != 0) return r > 0 ? TPA_EXIT_OK : TPA_EXIT_USAGE;
    if (!iface) return tpa_cli_usage_error("capture", "missing -i IFACE");
    if (parse_num("-c", cnt, 1, 2000000000L, &count) < 0 ||
        parse_num("--seconds", secs, 1, 86400L * 365, &seconds) < 0 ||
        parse_num("-s", snap, 64, 262144, &snaplen) < 0)
        return TPA_EXIT_USAGE;
    if (!out) {
        time_t now = time(NULL);
        struct tm tm;
        char when[32] = "now";
        if (gmtime_r(&now, &tm)) strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
        char safe[64];
        size_t k = 0;
        for (const char *p = iface; *p && k + 1 < sizeof safe; p++)
            safe[k++] = (*p == '/' || *p == ' ') ? '_' : *p;
        safe[k] = '\0';
        snprintf(defname, sizeof defname, "tpa-%s-%s.pcap", safe, when);
        out = defname;
    }

    pcap_t *p = pcap_create(iface, errbuf);
    if (!p) return tpa_cli_fail("capture on %s: %s", iface, errbuf);
    pcap_set_snaplen(p, (int)snaplen);
    pcap_set_promisc(p, no_promisc ? 0 : 1);
    pcap_set_timeout(p, 200); /* ms: lets the loop check the clock while idle */
    pcap_set_buffer_size(p, 8 << 20);
    int st = pcap_activate(p);
    if (st < 0) {
        const char *hint = (st == PCAP_ERROR_PERM_DENIED) ? " (needs root or CAP_NET_RAW)" : "";
        const char *msg = pcap_geterr(p);
        tpa_cli_fail("capture on %s: %s%s", iface, msg && *msg ? msg : pcap_statustostr(st), hint);
        goto out_pcap;
    }
    if (st > 0)
        fprintf(stderr, "tpa: capture on %s: warning: %s\n", iface,
                *pcap_geterr(p) ? pcap_geterr(p) : pcap_statustostr(st));
    if (filter) {
        struct bpf_program prog;
        if (pcap_compile(p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) != 0) {
            tpa_cli_fail("capture filter '%s': %s", filter, pcap_geterr(p));
            goto out_pcap;
        }
        int fr = pcap_setfilter(p, &prog);
        pcap_freecode(&prog);
        if (fr != 0) {
            tpa_cli_fail("capture filter '%s': %s", filter, pcap_geterr(p));
            goto out_pcap;
        }
    }

    cap_state_t s = {0};
    s.dump = pcap_dump_open(p, out);
    if (!s.dump) {
        tpa_cli_fail("%s: %s", out, pcap_geterr(p));
        goto out_pcap;
    }

    live = p;
    struct sigaction sa, old_int, old_term;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);

    fprintf(stderr, "tpa: capturing on %s into %s%s\n", iface, out,
            count || seconds ? "" : " (Ctrl-C to stop)");
    int64_t deadline = seconds ? mono_ms() + seconds * 1000 : 0;
    int err = 0;
    /* On Linux (TPACKET_V3) a blocking pcap_dispatch may not return while the
     * interface is idle, so wait in poll() with our own timeout and read
     * non-blocking; fall back to blocking reads where there is no selectable fd. */
    int fd = pcap_get_selectable_fd(p);
    if (fd >= 0 && pcap_setnonblock(p, 1, errbuf) != 0) fd = -1;
    while (!interrupted) {
        if (fd >= 0) {
            struct pollfd pfd = {.fd = fd, .events = POLLIN};
            int pr = poll(&pfd, 1, 200);
            if (pr < 0 && errno != EINTR) {
                tpa_cli_fail("capture on %s: poll: %s", iface, strerror(errno));
                err = 1;
                break;
            }
        }
        int want = count ? (int)(count - (long)s.packets) : -1;
        int n = pcap_dispatch(p, want > 0 ? (want < 10000 ? want : 10000) : -1, on_packet,
                              (u_char *)&s);
        if (n == PCAP_ERROR) {
            tpa_cli_fail("capture on %s: %s", iface, pcap_geterr(p));
            err = 1;
            break;
        }
        if (n == PCAP_ERROR_BREAK) break;
        if (count && (long)s.packets >= count) break;
        if (deadline && mono_ms() >= deadline) break;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    live = NULL;

    struct pcap_stat ps;
    bool have_stats = pcap_stats(p, &ps) == 0;
    if (pcap_dump_flush(s.dump) != 0) {
        tpa_cli_fail("%s: %s", out, strerror(errno));
        err = 1;
    }
    pcap_dump_close(s.dump);
    if (have_stats)
        fprintf(stderr, "tpa: %llu packets (%llu bytes) captured, %u dropped by the kernel\n",
                (unsigned long long)s.packets, (unsigned long long)s.bytes, ps.ps_drop);
    else
        fprintf(stderr, "tpa: %llu packets (%llu bytes) captured\n", (unsigned long long)s.packets,
                (unsigned long long)s.bytes);
    pcap_close(p);
    p = NULL;
    if (err) return TPA_EXIT_FAIL;

    if (s.packets == 0) {
        tpa_cli_fail("capture on %s: no packets captured (%s kept, not submitted)", iface, out);
        return TPA_EXIT_FAIL;
    }
    if (no_submit) {
        printf("%s\n", out);
        return TPA_EXIT_OK;
    }
    char id[80];
    if (tpa_cli_submit_file(cli, out, id, sizeof id) < 0) {
        fprintf(stderr, "tpa: the capture is kept in %s (tpa submit %s)\n", out, out);
        return TPA_EXIT_FAIL;
    }
    printf("%s\n", id);
    fflush(stdout);
    if (wait && tpa_cli_wait_job(cli, id, out, 0) < 0) return TPA_EXIT_FAIL;
    return TPA_EXIT_OK;

out_pcap:
    if (p) pcap_close(p);
    return rc;
}
