/* test_json_out.c - tpa_json_out writes what json_dumps writes (tpa_json_out.h), reals
 * of whole microseconds in their shortest form that reads back as the same double. */
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"
#include "tpa_json_out.h"
#include "tpa_jw.h"
#include "tpa_test.h"

#define JFLAGS(indent)                                                                             \
    (JSON_ENCODE_ANY | JSON_REAL_PRECISION(16) | ((indent) ? JSON_INDENT(indent) : JSON_COMPACT))

static uint64_t rng = 88172645463325252ULL;
static uint64_t rnd(void)
{
    return tpa_test_rand(&rng);
}

/* Ours equals jansson's for j, compact and indented, through every entry point. */
static void same_as_jansson(const json_t *j)
{
    for (int indent = 0; indent <= 3; indent += 1) {
        char *want = json_dumps(j, JFLAGS(indent));
        size_t len = 0;
        char *got = tpa_json_out_dumps(j, indent, &len);
        CHECK(want && got);
        if (want && got) {
            CHECKF(strcmp(want, got) == 0, "indent %d:\nwant %.300s\ngot  %.300s", indent, want,
                   got);
            CHECK(len == strlen(want));
        }
        char *mem = NULL;
        size_t msize = 0;
        FILE *f = open_memstream(&mem, &msize);
        CHECK(f && tpa_json_out_file(j, indent, f) == 0);
        if (f) fclose(f);
        CHECK(want && mem && strcmp(want, mem) == 0);
        free(mem);
        free(want);
        free(got);
    }
}

/* jansson's text for the real v. */
static char *jansson_real(double v)
{
    json_t *r = json_real(v);
    char *s = json_dumps(r, JFLAGS(0));
    json_decref(r);
    return s;
}

static void test_ints(void)
{
    static const int64_t v[] = {0,         1,          -1,           9,
                                10,        99,         100,          -100,
                                123456789, 1000000000, 4294967295LL, -9876543210LL,
                                INT64_MAX, INT64_MIN};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        char a[TPA_JSON_OUT_NUM_MAX], b[64];
        size_t n = tpa_json_out_int(v[i], a);
        snprintf(b, sizeof b, "%lld", (long long)v[i]);
        CHECKF(strcmp(a, b) == 0 && n == strlen(b), "%s vs %s", a, b);
    }
    for (int i = 0; i < 100000; i++) {
        int64_t x = (int64_t)(rnd() >> (rnd() % 64));
        if (rnd() & 1) x = -x;
        char a[TPA_JSON_OUT_NUM_MAX], b[64];
        tpa_json_out_int(x, a);
        snprintf(b, sizeof b, "%lld", (long long)x);
        CHECKF(strcmp(a, b) == 0, "%s vs %s", a, b);
    }
}

/* Fixed cases: the text, and that it reads back as the same double. */
static void test_reals_fixed(void)
{
    static const struct {
        double v;
        const char *text;
    } c[] = {
        {0.0, "0.0"},
        {-0.0, "-0.0"},
        {1.0, "1.0"},
        {2.5, "2.5"},
        {0.1, "0.1"},
        {-0.1, "-0.1"},
        {0.000001, "0.000001"},
        {1700000000.123456, "1700000000.123456"},
        {1700000000.0, "1700000000.0"},
        {1700000000.5, "1700000000.5"},
        {12.345, "12.345"},
        {9.123456, "9.123456"},
        {4294967295.999999, "4294967295.999999"},
        {1.0 / 3.0, "0.3333333333333333"},
        {0.1 + 0.2, "0.3"}, /* %.16g, as jansson: 16 digits do not show the noise */
        {1e-7, "1e-7"},
        {1.5e-10, "1.5e-10"},
        {1e16, "1e16"},
        {1.25e100, "1.25e100"},
        {-2.5e-300, "-2.5e-300"},
        {123456789012.5, "123456789012.5"},
        {1e15, "1000000000000000.0"},
        {NAN, "null"},
        {INFINITY, "null"},
    };
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char b[TPA_JSON_OUT_NUM_MAX];
        size_t n = tpa_json_out_real(c[i].v, b);
        CHECKF(strcmp(b, c[i].text) == 0 && n == strlen(b), "%.17g: %s, want %s", c[i].v, b,
               c[i].text);
    }
}

/* Random reals of the document's kinds: timestamps (us / 1e6), latencies (us / 1000),
 * rates; and random bit patterns. Every fast-path text reads back as the double; the
 * other texts are jansson's; none is longer than jansson's. */
static void test_reals_random(void)
{
    int differ = 0;
    for (int i = 0; i < 400000; i++) {
        double v;
        switch (i % 4) {
        case 0: /* unix seconds with microseconds, 1970..2106 */
            v = (double)(int64_t)(rnd() % 4294967296000000ULL) / 1e6;
            break;
        case 1: /* milliseconds from microseconds */
            v = (double)(int64_t)(rnd() % 100000000000ULL) / 1000.0;
            break;
        case 2: /* a ratio */
            v = (double)(rnd() % 100000) / (double)(1 + rnd() % 100000);
            break;
        default: { /* any finite double */
            uint64_t bits = rnd();
            memcpy(&v, &bits, sizeof v);
            if (!isfinite(v)) v = 0.5;
        }
        }
        char b[TPA_JSON_OUT_NUM_MAX];
        size_t n = tpa_json_out_real(v, b);
        char *want = jansson_real(v);
        CHECK(want != NULL);
        if (!want) continue;
        char *end;
        double back = strtod(b, &end);
        bool fast = !strchr(b, 'e') && strlen(strchr(b, '.')) <= 7 && fabs(v) < 4294967296.0;
        if (strcmp(b, want) != 0) {
            differ++;
            CHECKF(fast && back == v && *end == '\0', "%.17g: %s (jansson %s)", v, b, want);
            CHECKF(n <= strlen(want), "%.17g: %s longer than %s", v, b, want);
        }
        if (i % 4 < 2) { /* whole micro-units: always exact */
            CHECKF(back == v && (signbit(back) == signbit(v)), "%.17g: %s", v, b);
            CHECKF(fast, "%.17g: %s not the short form", v, b);
        }
        free(want);
    }
    fprintf(stderr, "reals: %d of 400000 written shorter than jansson's %%.16g\n", differ);
}

/* tpa_json_out_fixed: the text tpa_json_out_real writes for (double)n / 10^d, with and
 * without the memo (whole seconds repeated, changed, the 2^32 edge, negatives). */
static void test_fixed(void)
{
    tpa_json_out_memo_t memo = {0};
    for (int i = 0; i < 300000; i++) {
        unsigned d = (unsigned)(rnd() % 8);
        int64_t n;
        switch (rnd() % 4) {
        case 0: /* a timestamp, near the one before */
            n = 1700000000000000LL + (int64_t)(rnd() % 5000000);
            break;
        case 1: /* near 2^32 seconds */
            n = (4294967296LL - 2) * 1000000 + (int64_t)(rnd() % 4000000);
            n /= (int64_t)tpa_json_out_pow10(6 - (d > 6 ? 6 : d));
            break;
        case 2:
            n = (int64_t)(rnd() % 100000);
            break;
        default:
            n = (int64_t)(rnd() >> (rnd() % 64));
            break;
        }
        if (rnd() % 5 == 0) n = -n;
        char a[TPA_JSON_OUT_NUM_MAX], b[TPA_JSON_OUT_NUM_MAX], c[TPA_JSON_OUT_NUM_MAX];
        size_t na = tpa_json_out_fixed(n, d, a, &memo);
        size_t nc = tpa_json_out_fixed(n, d, c, NULL);
        size_t nb = tpa_json_out_real((double)n / tpa_json_out_pow10(d), b);
        CHECKF(strcmp(a, b) == 0 && na == nb, "%lld/10^%u: %s vs %s", (long long)n, d, a, b);
        CHECKF(strcmp(c, b) == 0 && nc == nb, "%lld/10^%u: %s vs %s", (long long)n, d, c, b);
    }
    CHECK(tpa_json_out_pow10(3) == 1000.0 && tpa_json_out_pow10(6) == 1e6);
}

static void test_documents(void)
{
    json_t *doc = json_pack(
        "{s:i,s:s,s:{s:[],s:{},s:[i,f,s,b,b,n]},s:[{s:f},{}],s:s,s:s,s:f}", "version", 1, "tool",
        "tpa 0.1.0", "capture", "empty_a", "empty_o", "mix", -42, 0.25, "x", 1, 0, "flows",
        "first_ts", 1700000000.000001, "escapes", "q\"b\\s/\b\f\n\r\t\x01\x1f\x7f", "utf8",
        "\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xed\x9f\xbf \xf4\x8f\xbf\xbf", "r", 1.0 / 3.0);
    CHECK(doc != NULL);
    same_as_jansson(doc);
    char all[128]; /* every ASCII character, NUL included */
    for (int i = 0; i < 128; i++)
        all[i] = (char)i;
    json_t *allj = json_stringn(all, sizeof all);
    CHECK(allj != NULL);
    same_as_jansson(allj);
    json_decref(allj);
    json_t *s = json_string("plain");
    same_as_jansson(s); /* a bare value */
    json_decref(s);
    json_t *k = json_object(); /* keys need escaping too */
    json_object_set_new(k, "a\"b\n\xc3\xa9", json_integer(1));
    same_as_jansson(k);
    json_decref(k);
    json_decref(doc);

    /* Many tokens across the 64 KiB buffer, and strings longer than it. */
    json_t *big = json_array();
    for (int i = 0; i < 30000; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(i));
        json_object_set_new(o, "ts", json_real(1700000000.0 + i * 0.25));
        json_object_set_new(o, "s", json_string(i % 2 ? "a\tb" : "plain"));
        json_array_append_new(big, o);
    }
    char *longs = malloc(200001);
    for (int i = 0; i < 200000; i++)
        longs[i] = i % 1000 == 999 ? '\n' : (char)('a' + i % 26);
    longs[200000] = '\0';
    json_array_append_new(big, json_string(longs));
    memset(longs, 'z', 200000);
    json_array_append_new(big, json_string(longs));
    free(longs);
    same_as_jansson(big);
    json_decref(big);
}

/* Random strings of plain and special bytes at every offset and length, against
 * jansson (the 8-byte scan must stop at each special byte wherever it is). */
static void test_strings_random(void)
{
    static const char *const pieces[] = {
        "a",  "Z",  " ",    "~",    "/",        "\x7f",         "\"",
        "\\", "\n", "\x01", "\x1f", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80"};
    const size_t np = sizeof pieces / sizeof pieces[0];
    char buf[256];
    for (int i = 0; i < 20000; i++) {
        size_t n = 0, want_len = rnd() % 40;
        bool special = rnd() % 2;
        while (n < want_len) {
            const char *pc = pieces[special ? rnd() % np : rnd() % 5];
            size_t k = strlen(pc);
            memcpy(buf + n, pc, k);
            n += k;
        }
        json_t *a = json_array();
        json_array_append_new(a, json_stringn(buf, n));
        char *want = json_dumps(a, JFLAGS(0));
        char *got = tpa_json_out_dumps(a, 0, NULL);
        CHECKF(want && got && strcmp(want, got) == 0, "want %s got %s", want, got);
        free(want);
        free(got);
        json_decref(a);
    }
}

static void test_errors(void)
{
    /* Not UTF-8 (only json_*_nocheck makes such a string): refused, like jansson. */
    json_t *bad = json_array();
    json_array_append_new(bad, json_stringn_nocheck("a\xff", 2));
    CHECK(tpa_json_out_dumps(bad, 0, NULL) == NULL);
    CHECK(json_dumps(bad, JFLAGS(0)) == NULL);
    json_array_set_new(bad, 0, json_stringn_nocheck("\xe0\x80\x80", 3)); /* overlong */
    CHECK(tpa_json_out_dumps(bad, 0, NULL) == NULL);
    json_array_set_new(bad, 0, json_stringn_nocheck("\xed\xa0\x80", 3)); /* surrogate */
    CHECK(tpa_json_out_dumps(bad, 0, NULL) == NULL);
    json_array_set_new(bad, 0, json_stringn_nocheck("\xc3", 1)); /* cut */
    CHECK(tpa_json_out_dumps(bad, 0, NULL) == NULL);
    json_array_set_new(bad, 0, json_stringn_nocheck("a\0b", 3)); /* NUL: \u0000 */
    char *t = tpa_json_out_dumps(bad, 0, NULL);
    CHECK(t && strcmp(t, "[\"a\\u0000b\"]") == 0);
    free(t);
    json_decref(bad);

    /* Deeper than the limit: refused, not a stack overflow. */
    json_t *deep = json_array(), *cur = deep;
    for (int i = 0; i < TPA_JSON_OUT_MAX_DEPTH + 10; i++) {
        json_t *a = json_array();
        json_array_append_new(cur, a);
        cur = a;
    }
    CHECK(tpa_json_out_dumps(deep, 0, NULL) == NULL);
    json_decref(deep);

    /* The callback's refusal stops the writing. */
    json_t *arr = json_array();
    for (int i = 0; i < 100000; i++)
        json_array_append_new(arr, json_integer(i));
    int left = 1;
    CHECK(tpa_json_out_callback(arr, 0, tpa_test_fail_after, &left) == TPA_ERR_IO);
    left = 1000;
    CHECK(tpa_json_out_callback(arr, 0, tpa_test_fail_after, &left) == 0);
    CHECK(tpa_json_out_callback(arr, 0, NULL, NULL) == TPA_ERR_INVALID);
    json_decref(arr);
}

/* Element i of a generated array: {"i": i, "sq": [i, i*i]}; NULL at fail_at. */
struct gen {
    size_t fail_at;
    size_t made;
};

static json_t *gen_item(void *ud, size_t i)
{
    struct gen *g = ud;
    if (i == g->fail_at) return NULL;
    g->made++;
    return json_pack("{s:I,s:[I,I]}", "i", (json_int_t)i, "sq", (json_int_t)i, (json_int_t)(i * i));
}

static json_t *shift10(void *ud, size_t i)
{
    return gen_item(ud, i + 10);
}

/* The same element written call by call on the streaming writer (tpa_jw.h), i + 20. */
static int gen_write(void *ud, size_t i, struct tpa_jw *w)
{
    struct gen *g = ud;
    if (i == g->fail_at) return TPA_ERR_NOMEM;
    i += 20;
    tpa_jw_obj(w, NULL);
    tpa_jw_int(w, "i", (int64_t)i);
    tpa_jw_arr(w, "sq");
    tpa_jw_int(w, NULL, (int64_t)i);
    tpa_jw_int(w, NULL, (int64_t)(i * i));
    tpa_jw_arr_end(w);
    return tpa_jw_obj_end(w);
}

/* Generated arrays (elements made as trees or written as text) write what the filled
 * tree writes, at any depth and indent. */
static void test_lazy(void)
{
    for (size_t n = 0; n <= 3; n++) {
        json_t *a = json_array(), *b = json_array(), *c = json_array();
        json_t *doc = json_pack("{s:o,s:{s:o,s:i},s:[],s:o}", "flows", a, "in", "deep", b, "k", 7,
                                "plain", "written", c);
        json_t *full = json_deep_copy(doc);
        struct gen ga = {(size_t)-1, 0}, gb = {(size_t)-1, 0}, gc = {(size_t)-1, 0};
        for (size_t i = 0; i < n; i++) {
            json_array_append_new(json_object_get(full, "flows"), gen_item(&ga, i));
            json_array_append_new(json_object_get(json_object_get(full, "in"), "deep"),
                                  shift10(&gb, i));
            json_array_append_new(json_object_get(full, "written"), gen_item(&gc, i + 20));
        }
        tpa_json_out_lazy_t lz[3] = {
            {a, n, gen_item, &ga, NULL}, {b, n, shift10, &gb, NULL}, {c, n, NULL, &gc, gen_write}};
        for (int indent = 0; indent <= 2; indent++) {
            char *want = tpa_json_out_dumps(full, indent, NULL);
            char *got = NULL;
            size_t len = 0;
            FILE *m = open_memstream(&got, &len);
            CHECK(tpa_json_out_callback_lazy(doc, indent, lz, 3, tpa_test_to_file, m) == 0);
            fclose(m);
            CHECKF(want && got && strcmp(want, got) == 0, "n %zu indent %d:\nwant %s\ngot  %s", n,
                   indent, want, got);
            free(want);
            free(got);
        }
        /* an element that cannot be made fails the write */
        if (n) {
            struct gen bad = {n - 1, 0};
            tpa_json_out_lazy_t lb = {a, n, gen_item, &bad, NULL};
            FILE *m = fopen("/dev/null", "w");
            CHECK(tpa_json_out_callback_lazy(doc, 0, &lb, 1, tpa_test_to_file, m) == TPA_ERR_NOMEM);
            CHECK(bad.made == n - 1);
            fclose(m);
            /* and one that cannot be written */
            tpa_json_out_lazy_t lw = {c, n, NULL, &bad, gen_write};
            m = fopen("/dev/null", "w");
            CHECK(tpa_json_out_callback_lazy(doc, 0, &lw, 1, tpa_test_to_file, m) == TPA_ERR_NOMEM);
            fclose(m);
        }
        CHECK(tpa_json_out_callback_lazy(doc, 0, NULL, 1, tpa_test_to_file, stdout) ==
              TPA_ERR_INVALID);
        json_decref(full);
        json_decref(doc);
    }
}

int main(void)
{
    test_ints();
    test_reals_fixed();
    test_reals_random();
    test_fixed();
    test_documents();
    test_strings_random();
    test_lazy();
    test_errors();
    return TEST_DONE();
}
