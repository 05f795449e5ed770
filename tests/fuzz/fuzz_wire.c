/* fuzz_wire.c - msgpack wire messages (common/tpa_wire.h).
 *
 * The input is one message as it arrives on a ZeroMQ socket: tpa_wire_unpack, then
 * tpa_wire_type and both typed parsers (job, task), as a worker does. A value that
 * unpacks must pack again and unpack to an equal value (round trip), and a parsed
 * job or task must rebuild through its builder into a message that parses equal.
 */
#include "fuzz_common.h"
#include "tpa_err.h"
#include "tpa_wire.h"

static void job_roundtrip(const tpa_wire_job_t *j)
{
    json_t *m = tpa_wire_job_build(j);
    FUZZ_CHECK(m != NULL);
    tpa_wire_job_t j2;
    char err[256];
    FUZZ_CHECK(tpa_wire_job_parse(m, &j2, err, sizeof err) == 0);
    FUZZ_CHECK(strcmp(j->job, j2.job) == 0 && strcmp(j->path, j2.path) == 0 &&
               strcmp(j->url, j2.url) == 0 && j->size == j2.size &&
               strcmp(j->sha256, j2.sha256) == 0 && strcmp(j->capture, j2.capture) == 0);
    if (j->options) /* the builder writes an absent options map as {} */
        FUZZ_CHECK(json_equal(j->options, j2.options));
    else
        FUZZ_CHECK(j2.options == NULL || json_object_size(j2.options) == 0);
    json_decref(j2.options);
    json_decref(m);
}

static void task_roundtrip(const tpa_wire_task_t *t)
{
    json_t *m = tpa_wire_task_build(t);
    FUZZ_CHECK(m != NULL);
    tpa_wire_task_t t2;
    char err[256];
    FUZZ_CHECK(tpa_wire_task_parse(m, &t2, err, sizeof err) == 0);
    FUZZ_CHECK(strcmp(t->type, t2.type) == 0 && strcmp(t->job, t2.job) == 0 && t->task == t2.task &&
               t->tasks == t2.tasks && json_equal(t->digest, t2.digest));
    json_decref(t2.digest);
    json_decref(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char err[256] = "";
    json_t *v = tpa_wire_unpack(data, size, err, sizeof err);
    if (!v) {
        FUZZ_CHECK(err[0] != '\0');
        return 0;
    }

    char *buf = NULL;
    size_t len = 0;
    int rc = tpa_wire_pack(v, &buf, &len);
    FUZZ_CHECK(rc == 0);
    json_t *v2 = tpa_wire_unpack(buf, len, err, sizeof err);
    FUZZ_CHECK(v2 != NULL);
    FUZZ_CHECK(json_equal(v, v2));
    json_decref(v2);
    free(buf);

    if (tpa_wire_type(v, err, sizeof err)) {
        tpa_wire_job_t j;
        if (tpa_wire_job_parse(v, &j, err, sizeof err) == 0) {
            job_roundtrip(&j);
            json_decref(j.options);
        } else {
            FUZZ_CHECK(j.options == NULL && j.job[0] == '\0');
        }
        tpa_wire_task_t t;
        if (tpa_wire_task_parse(v, &t, err, sizeof err) == 0) {
            task_roundtrip(&t);
            json_decref(t.digest);
        } else {
            FUZZ_CHECK(t.digest == NULL && t.job[0] == '\0');
        }
    }
    json_decref(v);
    return 0;
}
