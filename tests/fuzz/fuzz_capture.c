/* fuzz_capture.c - whole capture files through tpa_analyze_file.
 *
 * The input is the file: pcap (any magic, byte order, precision), pcapng (our own
 * reader, tpa_pcapng.h) or either behind gzip. It is written to a memfd and opened
 * by its /proc/self/fd path, so libpcap, zlib's stdio cookie and our reader all run
 * exactly as on a real file. The document is then serialised and digested, like the
 * worker does with it.
 */
#define _GNU_SOURCE /* memfd_create */
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_common.h"
#include "tpa_analysis.h"

static bool progress(void *ud, uint64_t done, uint64_t total)
{
    (void)done;
    (void)total;
    (*(unsigned *)ud)++;
    return true;
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
    tpa_analysis_opts_t opts = {progress, &calls, "fuzz.pcap"};
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
    char *s = json_dumps(doc, JSON_COMPACT);
    FUZZ_CHECK(s != NULL);
    free(s);
    json_t *dg = tpa_digest_build(doc, 4096);
    FUZZ_CHECK(dg != NULL);
    json_decref(dg);
    json_decref(doc);
done_fd:
    close(fd);
    return 0;
}
