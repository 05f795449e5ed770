/* tpa_zmq.c - one wire message = one ZeroMQ frame of msgpack. */
#include "tpa_zmq.h"
#include "tpa_err.h"
#include "tpa_wire.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

int tpa_zmq_send(zsock_t *sock, const json_t *msg)
{
    char *buf = NULL;
    size_t len = 0;
    zframe_t *frame;
    int rc;

    if (!sock || !msg) return TPA_ERR_INVALID;
    rc = tpa_wire_pack(msg, &buf, &len);
    if (rc < 0) return rc;
    frame = zframe_new(buf, len);
    free(buf);
    if (!frame) return TPA_ERR_NOMEM;
    if (zframe_send(&frame, sock, 0) < 0) {
        zframe_destroy(&frame); /* zframe_send only destroys on success */
        if (errno == EAGAIN) return TPA_ERR_TIMEOUT;
        return errno == ETERM ? TPA_ERR_CANCELLED : TPA_ERR_CONN;
    }
    return 0;
}

json_t *tpa_zmq_recv(zsock_t *sock, int timeout_ms, char *err, size_t errlen)
{
    zmq_pollitem_t item;
    zframe_t *frame;
    json_t *msg;
    int n;

    if (err && errlen) err[0] = '\0';
    if (!sock) {
        if (err && errlen) snprintf(err, errlen, "no socket");
        return NULL;
    }
    item.socket = zsock_resolve(sock);
    item.fd = 0;
    item.events = ZMQ_POLLIN;
    item.revents = 0;
    n = zmq_poll(&item, 1, timeout_ms < 0 ? -1 : (long)timeout_ms);
    if (n <= 0 || !(item.revents & ZMQ_POLLIN)) return NULL; /* timeout or interrupt */

    frame = zframe_recv(sock);
    if (!frame) return NULL; /* interrupted */
    /* A wire message is a single frame; drain and reject multipart messages. */
    if (zframe_more(frame)) {
        zframe_destroy(&frame);
        while (zsock_rcvmore(sock)) {
            zframe_t *f = zframe_recv(sock);
            if (!f) break;
            zframe_destroy(&f);
        }
        if (err && errlen) snprintf(err, errlen, "multipart message (a wire message is one frame)");
        return NULL;
    }
    msg = tpa_wire_unpack(zframe_data(frame), zframe_size(frame), err, errlen);
    zframe_destroy(&frame);
    if (!msg && err && errlen && !err[0]) snprintf(err, errlen, "undecodable frame");
    return msg;
}
