/* tpa_parser_fetch.h - fetching a capture from the gateway when its path is not local.
 *
 * GET <url> with the header "X-TPA-Token: <cluster token>" (libcurl), streamed into a
 * new temporary file. The caller deletes the file when done (unlink(path)).
 * curl_global_init must have been called by the program.
 */
#ifndef TPA_PARSER_FETCH_H
#define TPA_PARSER_FETCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Called about every 100 ms during the transfer with the bytes received so far and
 * the expected total (0 if unknown). Returning false aborts the transfer. */
typedef bool (*tpa_fetch_progress_fn)(void *ud, uint64_t done, uint64_t total);

typedef struct tpa_fetch_opts {
    const char *token;    /* cluster token sent as X-TPA-Token; NULL/empty = none. Never logged. */
    const char *dir;      /* directory for the temporary file */
    const char *suffix;   /* temp file name suffix, e.g. ".pcapng" (may be NULL) */
    uint64_t expect_size; /* 0 = unknown; otherwise the download must have exactly this size */
    long timeout_s;       /* whole-transfer limit, 0 = none (a stalled transfer still fails) */
    tpa_fetch_progress_fn progress; /* may be NULL */
    void *ud;
} tpa_fetch_opts_t;

/* Downloads url into a new file under opts->dir, written to path (pathlen >= 64 plus the
 * dir length). Returns 0, or a negative TPA_ERR_* with one line in err (the file is then
 * already removed): TPA_ERR_NOTFOUND (HTTP 404/410: the gateway has no such capture),
 * TPA_ERR_CONN (cannot reach, refused token, other HTTP error), TPA_ERR_IO (local file),
 * TPA_ERR_FORMAT (size mismatch), TPA_ERR_CANCELLED (progress returned false). */
int tpa_parser_fetch(const char *url, const tpa_fetch_opts_t *opts, char *path, size_t pathlen,
                     char *err, size_t errlen);

/* Picks the directory for temporary captures: <data_dir>/tmp if data_dir exists (creating
 * tmp with mode 0700), else $TMPDIR, else /tmp. Writes it into buf. */
void tpa_parser_tmpdir(const char *data_dir, char *buf, size_t len);

#endif
