/* test_wire.c - msgpack wire messages: generic round trips, typed messages, hostile input.
 *
 * The DESIGN.md clause under test: "a message of an unknown version or type is
 * logged and dropped, never crashes a worker".
 */
#include "tpa_err.h"
#include "tpa_test.h"
#include "tpa_wire.h"

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* Packs v, unpacks it, and checks the result is equal. */
static bool roundtrip(const json_t *v)
{
    char *buf = NULL;
    size_t len = 0;
    char err[128];
    json_t *back;
    bool ok;

    if (tpa_wire_pack(v, &buf, &len) != 0) return false;
    back = tpa_wire_unpack(buf, len, err, sizeof err);
    free(buf);
    if (!back) {
        fprintf(stderr, "unpack failed: %s\n", err);
        return false;
    }
    ok = json_equal((json_t *)v, back);
    json_decref(back);
    return ok;
}

static json_t *nested(int depth)
{
    json_t *v = json_integer(7);
    for (int i = 1; i < depth; i++) {
        json_t *a = (i % 2) ? json_array() : json_object();
        if (json_is_array(a))
            json_array_append_new(a, v);
        else
            json_object_set_new(a, "k", v);
        v = a;
    }
    return v;
}

static char *str_of(size_t n, char ch)
{
    char *s = malloc(n + 1);
    memset(s, ch, n);
    s[n] = '\0';
    return s;
}

static void test_generic(void)
{
    static const long long ints[] = {
        0,         1,  127, 128, 255,  256,  65535,  65536,  4294967295LL,  4294967296LL,
        LLONG_MAX, -1, -32, -33, -128, -129, -32768, -32769, -2147483648LL, -2147483649LL,
        LLONG_MIN};
    static const double reals[] = {0.0, 0.5, -1.25, 1e300, -1e-300, 3.141592653589793, 1.0};
    static const size_t strlens[] = {0, 1, 31, 32, 255, 256, 65535, 65536, 70000};
    static const size_t arrlens[] = {0, 15, 16, 65535, 65536};

    for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++) {
        json_t *v = json_integer(ints[i]);
        CHECKF(roundtrip(v), "integer %lld", ints[i]);
        json_decref(v);
    }
    for (size_t i = 0; i < sizeof reals / sizeof reals[0]; i++) {
        json_t *v = json_real(reals[i]);
        CHECKF(roundtrip(v), "real %g", reals[i]);
        json_decref(v);
    }
    CHECK(roundtrip(json_true()));
    CHECK(roundtrip(json_false()));
    CHECK(roundtrip(json_null()));
    for (size_t i = 0; i < sizeof strlens / sizeof strlens[0]; i++) {
        char *s = str_of(strlens[i], 'q');
        json_t *v = json_string(s);
        CHECKF(roundtrip(v), "string of %zu", strlens[i]);
        json_decref(v);
        free(s);
    }
    for (size_t i = 0; i < sizeof arrlens / sizeof arrlens[0]; i++) {
        json_t *a = json_array(), *o = json_object();
        for (size_t k = 0; k < arrlens[i]; k++) {
            char key[32];
            json_array_append_new(a, json_integer((json_int_t)k));
            snprintf(key, sizeof key, "k%zu", k);
            json_object_set_new(o, key, json_integer((json_int_t)k));
        }
        CHECKF(roundtrip(a), "array of %zu", arrlens[i]);
        CHECKF(roundtrip(o), "map of %zu", arrlens[i]);
        json_decref(a);
        json_decref(o);
    }
    {
        json_t *u =
            json_pack("{s:s, s:s, s:[s, {s:s}], s:s%}", "ascii", "plain",
                      "unicode \xc3\xa9\xe2\x82\xac", "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
                      "emoji", "\xf0\x9f\x93\xa1 5G", "k", "\xc3\xbc", "nul", "a\0b", (size_t)3);
        CHECK(u != NULL && roundtrip(u));
        json_decref(u);
    }
    {
        json_t *doc =
            json_pack("{s:i, s:s, s:{s:[i, f, b, n, s], s:{s:{s:[]}}, s:{}}, s:[[], [{}], [[i]]]}",
                      "v", 1, "type", "rca", "digest", "list", 1, 2.5, 1, "x", "deep", "deeper",
                      "empty", "obj", "arrs", 1);
        CHECK(doc != NULL && roundtrip(doc));
        json_decref(doc);
    }
    {
        json_t *ok = nested(64), *deep = nested(65);
        char *buf = NULL;
        size_t len;
        CHECK(roundtrip(ok));
        CHECK(tpa_wire_pack(deep, &buf, &len) < 0 && buf == NULL);
        json_decref(ok);
        json_decref(deep);
    }
}

/* Unpacks a hand-written buffer. */
static json_t *un(const char *bytes, size_t len, char *err, size_t errlen)
{
    return tpa_wire_unpack(bytes, len, err, errlen);
}

static void test_handcrafted(void)
{
    char err[128];
    json_t *v;

    /* uint64 above LLONG_MAX is refused, LLONG_MAX accepted. */
    v = un("\xcf\xff\xff\xff\xff\xff\xff\xff\xff", 9, err, sizeof err);
    CHECK(v == NULL && strstr(err, "out of range"));
    v = un("\xcf\x7f\xff\xff\xff\xff\xff\xff\xff", 9, err, sizeof err);
    CHECK(json_is_integer(v) && json_integer_value(v) == LLONG_MAX);
    json_decref(v);
    /* bin decodes as a string, ext as nil, float32 as a real. */
    v = un("\xc4\x03"
           "abc",
           5, err, sizeof err);
    CHECK(json_is_string(v) && !strcmp(json_string_value(v), "abc"));
    json_decref(v);
    v = un("\xd4\x01\x02", 3, err, sizeof err);
    CHECK(json_is_null(v));
    json_decref(v);
    v = un("\xc7\x02\x05\xaa\xbb", 5, err, sizeof err);
    CHECK(json_is_null(v));
    json_decref(v);
    v = un("\xca\x3f\xc0\x00\x00", 5, err, sizeof err);
    CHECK(json_is_real(v) && json_real_value(v) == 1.5);
    json_decref(v);
    /* Non-string map keys are refused. */
    CHECK(un("\x81\x01\x02", 3, err, sizeof err) == NULL && strstr(err, "key"));
    CHECK(un("\x81\x90\x02", 3, err, sizeof err) == NULL);
    CHECK(un("\x81\xc0\x02", 3, err, sizeof err) == NULL);
    /* Key with an embedded NUL is refused (jansson keys are C strings). */
    CHECK(un("\x81\xa3"
             "a\0b"
             "\x01",
             6, err, sizeof err) == NULL);
    /* Invalid UTF-8, the never-used byte 0xc1, NaN, trailing bytes, empty input. */
    CHECK(un("\xa2\xff\xfe", 3, err, sizeof err) == NULL && strstr(err, "UTF-8"));
    CHECK(un("\xc1", 1, err, sizeof err) == NULL && strstr(err, "0xc1"));
    CHECK(un("\xcb\x7f\xf8\x00\x00\x00\x00\x00\x00", 9, err, sizeof err) == NULL);
    CHECK(un("\xc0\xc0", 2, err, sizeof err) == NULL && strstr(err, "trailing"));
    CHECK(un("", 0, err, sizeof err) == NULL && err[0]);
    CHECK(tpa_wire_unpack(NULL, 5, err, sizeof err) == NULL);
    /* Huge declared sizes in tiny buffers fail fast, without allocating them. */
    CHECK(un("\xdd\xff\xff\xff\xff", 5, err, sizeof err) == NULL);
    CHECK(un("\xdf\xff\xff\xff\xff", 5, err, sizeof err) == NULL);
    CHECK(un("\xdb\xff\xff\xff\xff", 5, err, sizeof err) == NULL && strstr(err, "truncated"));
    CHECK(un("\xc6\xff\xff\xff\xff", 5, err, sizeof err) == NULL);
    CHECK(un("\xc9\xff\xff\xff\xff\x01", 6, err, sizeof err) == NULL);
    CHECK(un("\xdd\x08\x00\x00\x00\xc0", 6, err, sizeof err) == NULL);
    /* Nesting: 64 levels decode, 65 do not. */
    {
        char b[70];
        memset(b, 0x91, 63);
        b[63] = (char)0xc0;
        v = un(b, 64, err, sizeof err);
        CHECKF(v != NULL, "%s", err);
        json_decref(v);
        memset(b, 0x91, 64);
        b[64] = (char)0xc0;
        CHECK(un(b, 65, err, sizeof err) == NULL && strstr(err, "nesting"));
    }
}

static void test_types(void)
{
    char err[128];
    json_t *m;

    m = json_pack("{s:i, s:s}", "v", 1, "type", "job");
    CHECK(tpa_wire_type(m, err, sizeof err) && !strcmp(tpa_wire_type(m, err, sizeof err), "job"));
    json_decref(m);
    m = json_pack("{s:i, s:s}", "v", 1, "type", "flow_batch");
    CHECK(tpa_wire_type(m, err, sizeof err) != NULL);
    json_decref(m);
    m = json_pack("{s:i, s:s}", "v", 2, "type", "job");
    CHECK(tpa_wire_type(m, err, sizeof err) == NULL && strstr(err, "version"));
    json_decref(m);
    m = json_pack("{s:s, s:s}", "v", "1", "type", "job");
    CHECK(tpa_wire_type(m, err, sizeof err) == NULL);
    json_decref(m);
    m = json_pack("{s:s}", "type", "job");
    CHECK(tpa_wire_type(m, err, sizeof err) == NULL);
    json_decref(m);
    m = json_pack("{s:i, s:s}", "v", 1, "type", "bogus");
    CHECK(tpa_wire_type(m, err, sizeof err) == NULL && strstr(err, "bogus"));
    json_decref(m);
    m = json_pack("{s:i, s:i}", "v", 1, "type", 3);
    CHECK(tpa_wire_type(m, err, sizeof err) == NULL);
    json_decref(m);
    m = json_pack("[i]", 1);
    CHECK(tpa_wire_type(m, err, sizeof err) == NULL);
    json_decref(m);
    CHECK(tpa_wire_type(NULL, err, sizeof err) == NULL);
}

/* Packs and unpacks a built message (as it crosses ZeroMQ). */
static json_t *over_wire(json_t *m)
{
    char *buf = NULL;
    size_t len = 0;
    char err[128];
    json_t *back = NULL;
    if (m && tpa_wire_pack(m, &buf, &len) == 0) back = tpa_wire_unpack(buf, len, err, sizeof err);
    free(buf);
    json_decref(m);
    return back;
}

static void test_job_msg(void)
{
    tpa_wire_job_t j, out;
    char err[128];
    json_t *m;

    memset(&j, 0, sizeof j);
    snprintf(j.job, sizeof j.job, "0123456789abcdef0123456789abcdef");
    snprintf(j.capture, sizeof j.capture, "cap-1");
    snprintf(j.path, sizeof j.path, "/var/tpa/captures/0123.pcap");
    snprintf(j.url, sizeof j.url, "http://gw:8080/internal/captures/0123");
    j.size = 5000000000ULL;
    memset(j.sha256, 'a', 64);
    j.options = json_pack("{s:b, s:s}", "pseudonymise", 1, "lang", "\xc3\xa9");

    m = over_wire(tpa_wire_job_build(&j));
    CHECK(m != NULL);
    CHECK(tpa_wire_job_parse(m, &out, err, sizeof err) == 0);
    CHECK(!strcmp(out.job, j.job) && !strcmp(out.capture, j.capture) && !strcmp(out.path, j.path) &&
          !strcmp(out.url, j.url) && out.size == j.size && !strcmp(out.sha256, j.sha256));
    CHECK(out.options && json_equal(out.options, j.options));
    json_decref(out.options);

    /* A job parsed as a task is refused. */
    {
        tpa_wire_task_t t;
        CHECK(tpa_wire_task_parse(m, &t, err, sizeof err) == TPA_ERR_FORMAT);
    }
    /* Field violations. */
    {
        json_t *bad = json_deep_copy(m);
        json_object_set_new(bad, "job", json_string("../../etc/passwd"));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_set_new(bad, "job", json_integer(5));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_del(bad, "job");
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT &&
              strstr(err, "job"));
        json_decref(bad);

        bad = json_deep_copy(m);
        json_object_set_new(bad, "size", json_integer(-1));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_del(bad, "size");
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_decref(bad);

        bad = json_deep_copy(m);
        json_object_set_new(bad, "sha256", json_string("xyz"));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_decref(bad);

        bad = json_deep_copy(m);
        {
            char *longpath = str_of(1024, 'p');
            json_object_set_new(bad, "path", json_string(longpath));
            free(longpath);
        }
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT &&
              strstr(err, "path"));
        json_decref(bad);

        bad = json_deep_copy(m);
        json_object_set_new(bad, "path", json_string(""));
        json_object_set_new(bad, "url", json_string(""));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_decref(bad);

        bad = json_deep_copy(m);
        json_object_set_new(bad, "options", json_string("x"));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_decref(bad);

        bad = json_deep_copy(m);
        json_object_set_new(bad, "v", json_integer(99));
        CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_decref(bad);

        /* 1023-byte path is the limit that fits. */
        bad = json_deep_copy(m);
        {
            char *p = str_of(1023, 'p');
            json_object_set_new(bad, "path", json_string(p));
            CHECK(tpa_wire_job_parse(bad, &out, err, sizeof err) == 0 && !strcmp(out.path, p));
            json_decref(out.options);
            free(p);
        }
        json_decref(bad);
    }
    json_decref(m);

    /* Builder refuses invalid input; options may be NULL. */
    {
        tpa_wire_job_t b = j;
        snprintf(b.job, sizeof b.job, "bad id");
        CHECK(tpa_wire_job_build(&b) == NULL);
        b = j;
        b.path[0] = b.url[0] = '\0';
        CHECK(tpa_wire_job_build(&b) == NULL);
        b = j;
        b.options = NULL;
        m = over_wire(tpa_wire_job_build(&b));
        CHECK(m && tpa_wire_job_parse(m, &out, err, sizeof err) == 0);
        json_decref(out.options);
        json_decref(m);
    }
    json_decref(j.options);
}

static void test_task_msg(void)
{
    tpa_wire_task_t t, out;
    char err[128];
    json_t *m;

    memset(&t, 0, sizeof t);
    snprintf(t.type, sizeof t.type, "rca");
    snprintf(t.job, sizeof t.job, "job_42");
    t.task = 0;
    t.tasks = 1;
    t.digest = json_pack("{s:{s:s, s:I}, s:i, s:[{s:s, s:s}]}", "capture", "file", "x.pcap",
                         "packets", (json_int_t)123456789012LL, "flows_total", 3, "findings", "id",
                         "F1", "title", "SCTP abort \xe2\x80\x94 peer");
    m = over_wire(tpa_wire_task_build(&t));
    CHECK(m != NULL);
    CHECK(tpa_wire_task_parse(m, &out, err, sizeof err) == 0);
    CHECK(!strcmp(out.type, "rca") && !strcmp(out.job, "job_42") && out.task == 0 &&
          out.tasks == 1 && json_equal(out.digest, t.digest));
    json_decref(out.digest);
    {
        tpa_wire_job_t j;
        CHECK(tpa_wire_job_parse(m, &j, err, sizeof err) == TPA_ERR_FORMAT);
    }
    {
        json_t *bad = json_deep_copy(m);
        json_object_set_new(bad, "task", json_integer(1));
        CHECK(tpa_wire_task_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_set_new(bad, "task", json_integer(-1));
        CHECK(tpa_wire_task_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_set_new(bad, "task", json_integer(0));
        json_object_set_new(bad, "tasks", json_integer(0));
        CHECK(tpa_wire_task_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_set_new(bad, "tasks", json_integer(1));
        json_object_del(bad, "digest");
        CHECK(tpa_wire_task_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_object_set_new(bad, "digest", json_array());
        CHECK(tpa_wire_task_parse(bad, &out, err, sizeof err) == TPA_ERR_FORMAT);
        json_decref(bad);
    }
    json_decref(m);

    snprintf(t.type, sizeof t.type, "flow_batch");
    t.task = 2;
    t.tasks = 3;
    m = over_wire(tpa_wire_task_build(&t));
    CHECK(m && tpa_wire_task_parse(m, &out, err, sizeof err) == 0 &&
          !strcmp(out.type, "flow_batch") && out.task == 2 && out.tasks == 3);
    json_decref(out.digest);
    json_decref(m);

    snprintf(t.type, sizeof t.type, "job");
    CHECK(tpa_wire_task_build(&t) == NULL);
    snprintf(t.type, sizeof t.type, "rca");
    t.task = 3;
    CHECK(tpa_wire_task_build(&t) == NULL);
    json_decref(t.digest);
}

/* xorshift64*: a fixed, portable pseudo-random sequence. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return rng_state * 2685821657736338717ULL;
}

/* Whatever decodes must survive the typed parsers and re-encode identically. */
static int exercise(const unsigned char *b, size_t len)
{
    char err[128];
    json_t *v = tpa_wire_unpack(b, len, err, sizeof err);
    tpa_wire_job_t j;
    tpa_wire_task_t t;
    int decoded = 0;

    if (!v) {
        CHECK(err[0] != '\0');
        return 0;
    }
    decoded = 1;
    CHECK(roundtrip(v));
    (void)tpa_wire_type(v, err, sizeof err);
    if (tpa_wire_job_parse(v, &j, err, sizeof err) == 0) json_decref(j.options);
    if (tpa_wire_task_parse(v, &t, err, sizeof err) == 0) json_decref(t.digest);
    json_decref(v);
    return decoded;
}

static void test_hostile(void)
{
    unsigned char b[256];
    char *valid = NULL;
    size_t vlen = 0;
    int decoded = 0;
    json_t *m;
    tpa_wire_task_t t;

    memset(&t, 0, sizeof t);
    snprintf(t.type, sizeof t.type, "rca");
    snprintf(t.job, sizeof t.job, "abc");
    t.tasks = 1;
    t.digest = json_pack("{s:[i, i, {s:s, s:f}], s:s, s:I}", "a", 1, 300, "x", "yz", "r", 0.25, "s",
                         "\xc3\xa9t\xc3\xa9", "big", (json_int_t)-5000000000LL);
    m = tpa_wire_task_build(&t);
    CHECK(m && tpa_wire_pack(m, &valid, &vlen) == 0);
    json_decref(m);
    json_decref(t.digest);

    /* Every strict prefix of a valid message is incomplete. */
    for (size_t n = 0; valid && n < vlen; n++) {
        char err[128];
        json_t *v = tpa_wire_unpack(valid, n, err, sizeof err);
        CHECKF(v == NULL, "prefix %zu decoded", n);
        json_decref(v);
    }

    /* 100k random buffers (biased toward container/length type bytes). */
    for (int it = 0; it < 100000; it++) {
        size_t len = rnd() % 64;
        for (size_t i = 0; i < len; i++) {
            uint64_t r = rnd();
            b[i] = (r & 0x300) == 0 ? (unsigned char)(0xc4 + (r >> 16) % 28) : (unsigned char)r;
        }
        decoded += exercise(b, len);
    }
    /* 100k mutations of the valid message: flipped bytes, cut and extended. */
    for (int it = 0; valid && it < 100000; it++) {
        size_t len = vlen < sizeof b ? vlen : sizeof b;
        int flips = 1 + (int)(rnd() % 4);
        memcpy(b, valid, len);
        for (int f = 0; f < flips; f++)
            b[rnd() % len] = (unsigned char)rnd();
        if (rnd() % 4 == 0) len = rnd() % (len + 1);
        decoded += exercise(b, len);
    }
    fprintf(stderr, "hostile: %d of 200000 inputs decoded\n", decoded);
    free(valid);
}

int main(void)
{
    test_generic();
    test_handcrafted();
    test_types();
    test_job_msg();
    test_task_msg();
    test_hostile();
    return TEST_DONE();
}
