/* tpa_analysis.c - the engine's driver: capture -> decoder -> result document. */
#include "tpa_analysis.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "tpa_capture.h"
#include "tpa_decode.h"
#include "tpa_err.h"
#include "tpa_result.h"

#define PROGRESS_EVERY 1024 /* packets between clock looks */
#define PROGRESS_MIN_NS 250000000LL

static int64_t mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

int tpa_analyze_file(const char *path, const tpa_analysis_opts_t *opts, json_t **doc, char *err,
                     size_t errlen)
{
    static const tpa_analysis_opts_t none = {0};
    if (!opts) opts = &none;
    *doc = NULL;
    if (!path) {
        snprintf(err, errlen, "no capture path given");
        return TPA_ERR_INVALID;
    }
    tpa_capture_t *cap = NULL;
    int rc = tpa_capture_open(path, &cap, err, errlen);
    if (rc < 0) return rc;
    tpa_decoder_t *dec = tpa_decoder_new();
    if (!dec) {
        snprintf(err, errlen, "out of memory");
        rc = TPA_ERR_NOMEM;
        goto done_cap;
    }

    uint64_t total = tpa_capture_size(cap);
    uint64_t step = total / 100 ? total / 100 : 1;
    uint64_t last_done = 0;
    int64_t last_ns = mono_ns();
    uint64_t frame = 0;
    int dlts[TPA_RESULT_MAX_LINK_TYPES];
    int ndlt = 0;
    int last_dlt = -1; /* of the previous packet (none before the first) */
    tpa_capture_pkt_t pkt;
    while (tpa_capture_next(cap, &pkt) == 1) {
        frame++;
        if (pkt.dlt != last_dlt) { /* a link type other than the last packet's */
            last_dlt = pkt.dlt;
            bool seen = false;
            for (int i = 0; i < ndlt; i++)
                seen |= dlts[i] == pkt.dlt;
            if (!seen && ndlt < TPA_RESULT_MAX_LINK_TYPES) dlts[ndlt++] = pkt.dlt;
        }
        tpa_decode_packet(dec, pkt.dlt, frame, pkt.ts_us, pkt.data, pkt.caplen, pkt.wirelen);
        if (opts->progress && frame % PROGRESS_EVERY == 0) {
            uint64_t done = tpa_capture_offset(cap);
            int64_t now = mono_ns();
            if (done - last_done >= step || now - last_ns >= PROGRESS_MIN_NS) {
                last_done = done;
                last_ns = now;
                if (!opts->progress(opts->ud, done, total)) {
                    snprintf(err, errlen, "analysis cancelled");
                    rc = TPA_ERR_CANCELLED;
                    goto done_dec;
                }
            }
        }
    }
    if (opts->progress && !opts->progress(opts->ud, total, total)) {
        snprintf(err, errlen, "analysis cancelled");
        rc = TPA_ERR_CANCELLED;
        goto done_dec;
    }
    if (ndlt == 0) dlts[ndlt++] = tpa_capture_dlt(cap);

    tpa_decode_finish(dec);
    char names[TPA_RESULT_MAX_LINK_TYPES][32];
    tpa_result_capture_t rc_cap = {0};
    rc_cap.file = opts->display_name ? opts->display_name : base_name(path);
    rc_cap.format = tpa_capture_format(cap);
    rc_cap.compressed = tpa_capture_compressed(cap);
    for (int i = 0; i < ndlt; i++)
        rc_cap.link_types[i] = tpa_capture_dlt_name(dlts[i], names[i], sizeof names[i]);
    rc_cap.nlink_types = ndlt;
    rc_cap.truncated = tpa_capture_truncated(cap);
    rc_cap.error = tpa_capture_error(cap);
    if (opts->emit) {
        tpa_result_lazy_t lz;
        json_t *d = tpa_result_build_lazy(dec, &rc_cap, &lz);
        rc = d ? opts->emit(opts->ud, d, lz.arr, lz.narr) : TPA_ERR_NOMEM;
        json_decref(d);
        if (rc == TPA_ERR_NOMEM) snprintf(err, errlen, "out of memory building the result");
    } else {
        *doc = tpa_result_build(dec, &rc_cap);
        rc = *doc ? 0 : TPA_ERR_NOMEM;
        if (!*doc) snprintf(err, errlen, "out of memory building the result");
    }
done_dec:
    tpa_decoder_destroy(&dec);
done_cap:
    tpa_capture_close(&cap);
    return rc;
}
