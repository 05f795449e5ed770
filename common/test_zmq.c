/* test_zmq.c - one wire message per ZeroMQ frame over inproc PUSH/PULL.
 *
 * Checks the tpa_zmq.h contract: "NULL on timeout/interrupt (*err empty) or on an
 * undecodable frame (err says why; the frame is consumed)".
 */
#include "tpa_err.h"
#include "tpa_test.h"
#include "tpa_zmq.h"

#include <string.h>

int main(void)
{
    zsock_t *push, *pull;
    char err[128];
    json_t *msg, *got;
    int64_t t0;

    zsys_init();
    zsys_set_linger(0);
    push = zsock_new_push("@inproc://tpa-test-zmq");
    pull = zsock_new_pull(">inproc://tpa-test-zmq");
    CHECK(push && pull);
    if (!push || !pull) return TEST_DONE();

    msg = json_pack("{s:i, s:s, s:s, s:{s:[i, f, s]}}", "v", 1, "type", "rca", "job", "j1",
                    "digest", "x", 1, 0.5, "\xc3\xa9");
    CHECK(tpa_zmq_send(push, msg) == 0);
    got = tpa_zmq_recv(pull, 2000, err, sizeof err);
    CHECKF(got && json_equal(got, msg), "err=%s", err);
    json_decref(got);

    /* Several messages keep their order. */
    for (int i = 0; i < 10; i++) {
        json_t *m = json_pack("{s:i}", "n", i);
        CHECK(tpa_zmq_send(push, m) == 0);
        json_decref(m);
    }
    for (int i = 0; i < 10; i++) {
        got = tpa_zmq_recv(pull, 2000, err, sizeof err);
        CHECK(got && json_integer_value(json_object_get(got, "n")) == i);
        json_decref(got);
    }

    /* Timeout: NULL with an empty err, after about the timeout. */
    t0 = zclock_mono();
    strcpy(err, "stale");
    got = tpa_zmq_recv(pull, 100, err, sizeof err);
    CHECK(got == NULL && err[0] == '\0');
    CHECKF(zclock_mono() - t0 >= 90, "returned after %lld ms", (long long)(zclock_mono() - t0));
    /* Zero timeout polls. */
    CHECK(tpa_zmq_recv(pull, 0, err, sizeof err) == NULL && err[0] == '\0');

    /* An undecodable frame: NULL with a reason, and it is consumed. */
    {
        zframe_t *f = zframe_new("\xc1\x00", 2);
        CHECK(zframe_send(&f, push, 0) == 0);
        got = tpa_zmq_recv(pull, 2000, err, sizeof err);
        CHECK(got == NULL && err[0] != '\0');
        CHECK(tpa_zmq_recv(pull, 50, err, sizeof err) == NULL && err[0] == '\0');
    }
    /* A multipart message is refused whole; the next message still arrives. */
    {
        zmsg_t *zm = zmsg_new();
        zmsg_addmem(zm, "\xc0", 1);
        zmsg_addmem(zm, "\xc0", 1);
        CHECK(zmsg_send(&zm, push) == 0);
        CHECK(tpa_zmq_send(push, msg) == 0);
        got = tpa_zmq_recv(pull, 2000, err, sizeof err);
        CHECK(got == NULL && strstr(err, "multipart"));
        got = tpa_zmq_recv(pull, 2000, err, sizeof err);
        CHECK(got && json_equal(got, msg));
        json_decref(got);
    }
    CHECK(tpa_zmq_send(NULL, msg) == TPA_ERR_INVALID);
    CHECK(tpa_zmq_send(push, NULL) == TPA_ERR_INVALID);

    json_decref(msg);
    zsock_destroy(&pull);
    zsock_destroy(&push);
    return TEST_DONE();
}
