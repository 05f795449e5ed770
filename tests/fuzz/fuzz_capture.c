/* fuzz_capture.c - whole capture files through tpa_analyze_file.
 *
 * The input is the file: pcap (any magic, byte order, precision), pcapng (our own
 * reader, tpa_pcapng.h) or either behind gzip. It is written to a memfd and opened
 * by its /proc/self/fd path, so libpcap, zlib's stdio cookie and our reader all run
 * exactly as on a real file. The document is then serialised and digested, like the
 * worker does with it, and analysed once more the way `tpa analyze` writes it
 * (opts.emit: flows[], transactions[] and ues[] generated while written), which must give
 * the same text.
 */
#define _GNU_SOURCE /* memfd_create */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "tpa_analysis.h"
#include "tpa_json_out.h"

static bool progress(void *ud, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    (*(unsigned *)ud)++;
    return true;
}

static int to_stream(const char *buf, size_t len, void *ud)
{
    return fwrite(buf, 1, len, ud) == len ? 0 : -1;
}

/* opts.emit: the text into the memstream ud. */
static int emit(void *ud, const json_t *doc, const tpa_json_out_lazy_t *lazy, size_t nlazy)
{
    return tpa_json_out_callback_lazy(doc, 0, lazy, nlazy, to_stream, ud);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int fd = memfd_create("fuzz-capture", MFD_CLOEXEC);
    if (fd < 0) return 0;
    size_t off = 0;
    while (off < size) {
        ssize_t k = write(fd, data + off, size - off);
        if (k <= 0) goto done_fd;
        off += (size_t)k;
    }
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);

    unsigned calls = 0;
    tpa_analysis_opts_t opts = {progress, &calls, "fuzz.pcap", NULL};
    json_t *doc = NULL;
    char err[512] = "";
    int rc = tpa_analyze_file(path, &opts, &doc, err, sizeof err);
    if (rc < 0) {
        FUZZ_CHECK(doc == NULL);
        FUZZ_CHECK(err[0] != '\0');
        goto done_fd;
    }
    FUZZ_CHECK(doc != NULL);
    FUZZ_CHECK(calls >= 1);
    char *s = tpa_json_out_dumps(doc, 0, NULL);
    FUZZ_CHECK(s != NULL);
    char *lazy_text = NULL;
    size_t lazy_len = 0;
    FILE *m = open_memstream(&lazy_text, &lazy_len);
    FUZZ_CHECK(m != NULL);
    tpa_analysis_opts_t lopts = {NULL, m, "fuzz.pcap", emit};
    json_t *none = NULL;
    FUZZ_CHECK(tpa_analyze_file(path, &lopts, &none, err, sizeof err) == 0 && none == NULL);
    fclose(m);
    FUZZ_CHECK(lazy_text && strcmp(lazy_text, s) == 0);
    free(lazy_text);
    free(s);
    json_t *dg = tpa_digest_build(doc, 4096);
    FUZZ_CHECK(dg != NULL);
    json_decref(dg);
    json_decref(doc);
done_fd:
    close(fd);
    return 0;
}
