/* tpa_err.c - names for the TPA_ERR_* codes. */
#include "tpa_err.h"

const char *tpa_strerror(int err)
{
    switch (err) {
    case TPA_OK:
        return "ok";
    case TPA_ERR_NOMEM:
        return "out of memory";
    case TPA_ERR_IO:
        return "i/o error";
    case TPA_ERR_INVALID:
        return "invalid argument";
    case TPA_ERR_FORMAT:
        return "bad format";
    case TPA_ERR_NOTFOUND:
        return "not found";
    case TPA_ERR_TIMEOUT:
        return "timed out";
    case TPA_ERR_PROTO:
        return "protocol error";
    case TPA_ERR_TOOBIG:
        return "too big";
    case TPA_ERR_CONN:
        return "connection failed";
    case TPA_ERR_CANCELLED:
        return "cancelled";
    default:
        return "unknown error";
    }
}
