/* tpa_err.h - error codes shared by every module.
 *
 * Actions return 0 (TPA_OK) or a negative TPA_ERR_*; predicates return bool;
 * constructors return NULL on failure.
 */
#ifndef TPA_ERR_H
#define TPA_ERR_H

enum {
    TPA_OK = 0,
    TPA_ERR_NOMEM = -1,    /* allocation failed */
    TPA_ERR_IO = -2,       /* read/write/open failed (see errno) */
    TPA_ERR_INVALID = -3,  /* bad argument or configuration value */
    TPA_ERR_FORMAT = -4,   /* input is not in the expected format */
    TPA_ERR_NOTFOUND = -5, /* no such job, key, file */
    TPA_ERR_TIMEOUT = -6,  /* peer did not answer in time */
    TPA_ERR_PROTO = -7,    /* peer broke a protocol contract */
    TPA_ERR_TOOBIG = -8,   /* input over a configured limit */
    TPA_ERR_CONN = -9,     /* cannot reach Redis, ZeroMQ peer or HTTP server */
    TPA_ERR_CANCELLED = -10
};

/* Returns a static, human-readable name for an error code. */
const char *tpa_strerror(int err);

#endif
