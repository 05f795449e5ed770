/* test_jw.c - the streaming writer (tpa_jw.h): the same calls give, as text, what
 * tpa_json_out writes for the tree they give as a jansson tree (and what json_dumps
 * writes where reals do not differ), compact and indented; strings that are not UTF-8
 * leave their member out (tpa_jw_str) or fail the text (tpa_jw_ascii); nesting stops
 * at TPA_JSON_OUT_MAX_DEPTH; calls out of order are refused. Generated arrays written
 * through it: test_json_out.c. */
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

static uint64_t rng = 0x9E3779B97F4A7C15ULL;
static uint64_t rnd(void)
{
    return tpa_test_rand(&rng);
}

/* A random string: plain text, escapes, control bytes, UTF-8, and (bad) bytes that
 * make it not UTF-8. */
static size_t rand_string(char *s, size_t cap, bool bad)
{
    static const char *const pieces[] = {"a",        "xyz",      "\"",           "\\",
                                         "\n",       "\t",       "\x01",         "\x1f",
                                         "/",        "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                         "01234567", " "};
    static const char *const broken[] = {
        "\xff", "\xc3", "\xe0\x80\x80", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\x80"};
    size_t n = 0, parts = rnd() % 6;
    for (size_t i = 0; i < parts; i++) {
        const char *p = pieces[rnd() % (sizeof pieces / sizeof pieces[0])];
        size_t k = strlen(p);
        if (n + k >= cap) break;
        memcpy(s + n, p, k);
        n += k;
    }
    if (bad) {
        const char *p = broken[rnd() % (sizeof broken / sizeof broken[0])];
        size_t k = strlen(p), at = rnd() & 1 ? n : 0; /* not inside a sequence */
        memmove(s + at + k, s + at, n - at);
        memcpy(s + at, p, k);
        n += k;
    }
    s[n] = '\0';
    return n;
}

/* Makes the same random calls on every writer of ws: a value of at most depth levels,
 * under key (NULL in an array). Reals only when reals is set. */
static void rand_value(tpa_jw_t **ws, int nw, const char *key, int depth, bool reals)
{
    int kind = (int)(rnd() % (depth > 0 ? 10 : 7));
    char s[64];
    size_t n;
    int64_t iv = (int64_t)(rnd() >> (rnd() % 64));
    double rv = (double)(int64_t)(rnd() % 4000000000000000ULL) / 1e6;
    bool bad = rnd() % 8 == 0;
    if (kind == 4 && !reals) kind = 3;
    switch (kind) {
    case 0:
        for (int i = 0; i < nw; i++)
            tpa_jw_null(ws[i], key);
        return;
    case 1:
    case 2:
        for (int i = 0; i < nw; i++)
            tpa_jw_bool(ws[i], key, kind == 1);
        return;
    case 3:
        if (rnd() & 1) iv = -iv;
        for (int i = 0; i < nw; i++)
            tpa_jw_int(ws[i], key, iv);
        return;
    case 4:
        for (int i = 0; i < nw; i++)
            tpa_jw_real(ws[i], key, rv);
        return;
    case 5:
    case 6:
        n = rand_string(s, sizeof s - 8, bad);
        for (int i = 0; i < nw; i++) {
            if (kind == 5)
                tpa_jw_str(ws[i], key, s);
            else
                tpa_jw_strn(ws[i], key, s, n);
        }
        return;
    default:
        break;
    }
    bool obj = kind != 7;
    size_t members = rnd() % 5;
    for (int i = 0; i < nw; i++)
        obj ? tpa_jw_obj(ws[i], key) : tpa_jw_arr(ws[i], key);
    for (size_t m = 0; m < members; m++) {
        char k[64];
        if (obj) {
            rand_string(k, sizeof k - 8, false);
            snprintf(k + strlen(k), 8, "#%zu", m); /* distinct keys */
        }
        rand_value(ws, nw, obj ? k : NULL, depth - 1, reals);
    }
    for (int i = 0; i < nw; i++)
        obj ? tpa_jw_obj_end(ws[i]) : tpa_jw_arr_end(ws[i]);
}

/* Random documents: text writer == tpa_json_out of the tree writer's tree, at every
 * indent; == json_dumps too when there are no reals. */
static void test_random(void)
{
    for (int round = 0; round < 3000; round++) {
        bool reals = round & 1;
        for (int indent = 0; indent <= 3; indent++) {
            uint64_t keep = rng;
            tpa_jw_t *ws[2] = {tpa_jw_new(indent, NULL, NULL), tpa_jw_new_tree()};
            CHECK(ws[0] && ws[1] && tpa_jw_is_tree(ws[1]) && !tpa_jw_is_tree(ws[0]));
            rand_value(ws, 2, NULL, 1 + (int)(rnd() % 5), reals);
            size_t len = 0;
            char *got = tpa_jw_take_text(ws[0], &len);
            json_t *tree = tpa_jw_take_tree(ws[1]);
            CHECK(got && len == strlen(got));
            if (!tree) /* a top string not UTF-8, left out: nothing written */
                CHECK(got && !got[0]);
            char *want = tree ? tpa_json_out_dumps(tree, indent, NULL) : NULL;
            CHECKF(!tree || (got && want && strcmp(got, want) == 0),
                   "round %d indent %d:\nwant %s\ngot  %s", round, indent, want, got);
            if (!reals && tree) {
                char *jd = json_dumps(tree, JFLAGS(indent));
                CHECK(jd && got && strcmp(jd, got) == 0);
                free(jd);
            }
            free(want);
            free(got);
            json_decref(tree);
            tpa_jw_destroy(&ws[0]);
            tpa_jw_destroy(&ws[1]);
            CHECK(!ws[0] && !ws[1]);
            if (indent < 3) rng = keep; /* the same document at every indent */
        }
    }
}

/* A string that is not UTF-8: tpa_jw_str leaves the member out in both back-ends
 * (as json_string's NULL does); tpa_jw_ascii fails the text, as tpa_json_out fails on
 * the json_stringn_nocheck tree. */
static void test_utf8(void)
{
    tpa_jw_t *t = tpa_jw_new(0, NULL, NULL), *r = tpa_jw_new_tree();
    tpa_jw_t *ws[2] = {t, r};
    for (int i = 0; i < 2; i++) {
        tpa_jw_obj(ws[i], NULL);
        tpa_jw_str(ws[i], "a", "ok");
        tpa_jw_str(ws[i], "b", "bad\xff");
        tpa_jw_strn(ws[i], "c", "x\0y", 3);
        tpa_jw_str(ws[i], "d", NULL);
        tpa_jw_real(ws[i], "e", 1.0 / 0.0); /* json_real refuses it */
        tpa_jw_json(ws[i], "f", NULL);
        tpa_jw_arr(ws[i], "g");
        tpa_jw_str(ws[i], NULL, "\xc3");
        tpa_jw_str(ws[i], NULL, "\xc3\xa9");
        tpa_jw_arr_end(ws[i]);
        tpa_jw_obj_end(ws[i]);
    }
    char *got = tpa_jw_take_text(t, NULL);
    json_t *tree = tpa_jw_take_tree(r);
    char *want = tpa_json_out_dumps(tree, 0, NULL);
    CHECK(got &&
          strcmp(got, "{\"a\":\"ok\",\"c\":\"x\\u0000y\",\"d\":null,\"g\":[\"\xc3\xa9\"]}") == 0);
    CHECK(got && want && strcmp(got, want) == 0);
    free(got);
    free(want);
    json_decref(tree);
    tpa_jw_destroy(&t);
    tpa_jw_destroy(&r);

    t = tpa_jw_new(2, NULL, NULL);
    tpa_jw_arr(t, NULL);
    CHECK(tpa_jw_ascii(t, NULL, "a\xff", 2) == TPA_ERR_FORMAT);
    CHECK(tpa_jw_int(t, NULL, 1) == TPA_ERR_FORMAT); /* sticky */
    CHECK(tpa_jw_take_text(t, NULL) == NULL);
    tpa_jw_destroy(&t);
    json_t *bad = json_pack("[o]", json_stringn_nocheck("a\xff", 2));
    CHECK(tpa_json_out_dumps(bad, 0, NULL) == NULL);
    json_decref(bad);
    /* a key not UTF-8 (tpa_json_out checks keys too) */
    t = tpa_jw_new(0, NULL, NULL);
    tpa_jw_obj(t, NULL);
    CHECK(tpa_jw_int(t, "k\xff", 1) == TPA_ERR_FORMAT);
    tpa_jw_destroy(&t);
}

/* Nesting: TPA_JSON_OUT_MAX_DEPTH containers are fine, one more is refused. */
static void test_depth(void)
{
    for (int extra = 0; extra <= 1; extra++) {
        int n = TPA_JSON_OUT_MAX_DEPTH + extra;
        tpa_jw_t *t = tpa_jw_new(1, NULL, NULL), *r = tpa_jw_new_tree();
        for (int i = 0; i < n; i++) {
            tpa_jw_arr(t, NULL);
            tpa_jw_arr(r, NULL);
        }
        for (int i = 0; i < n; i++) {
            tpa_jw_arr_end(t);
            tpa_jw_arr_end(r);
        }
        size_t len = 0;
        char *got = tpa_jw_take_text(t, &len);
        json_t *tree = tpa_jw_take_tree(r);
        if (extra) {
            CHECK(!got && !tree && tpa_jw_error(t) == TPA_ERR_FORMAT);
        } else {
            char *want = tree ? tpa_json_out_dumps(tree, 1, NULL) : NULL;
            CHECK(got && want && strcmp(got, want) == 0);
            free(want);
        }
        free(got);
        json_decref(tree);
        tpa_jw_destroy(&t);
        tpa_jw_destroy(&r);
    }
}

/* Calls out of order are refused (sticky TPA_ERR_INVALID). */
static void test_order(void)
{
    for (int tree = 0; tree <= 1; tree++) {
        tpa_jw_t *w = tree ? tpa_jw_new_tree() : tpa_jw_new(0, NULL, NULL);
        tpa_jw_obj(w, NULL);
        CHECK(tpa_jw_int(w, NULL, 1) == TPA_ERR_INVALID); /* a member without a key */
        tpa_jw_destroy(&w);
        w = tree ? tpa_jw_new_tree() : tpa_jw_new(0, NULL, NULL);
        tpa_jw_arr(w, NULL);
        CHECK(tpa_jw_int(w, "k", 1) == TPA_ERR_INVALID); /* a key in an array */
        tpa_jw_destroy(&w);
        w = tree ? tpa_jw_new_tree() : tpa_jw_new(0, NULL, NULL);
        tpa_jw_arr(w, NULL);
        CHECK(tpa_jw_obj_end(w) == TPA_ERR_INVALID); /* the other kind */
        tpa_jw_destroy(&w);
        w = tree ? tpa_jw_new_tree() : tpa_jw_new(0, NULL, NULL);
        tpa_jw_int(w, NULL, 1);
        CHECK(tpa_jw_int(w, NULL, 2) == TPA_ERR_INVALID); /* a second top value */
        tpa_jw_destroy(&w);
        w = tree ? tpa_jw_new_tree() : tpa_jw_new(0, NULL, NULL);
        tpa_jw_obj(w, NULL);
        CHECK(tpa_jw_finish(w) == TPA_ERR_INVALID); /* still open */
        tpa_jw_destroy(&w);
        w = tree ? tpa_jw_new_tree() : tpa_jw_new(0, NULL, NULL);
        CHECK(tpa_jw_arr_end(w) == TPA_ERR_INVALID); /* closes nothing */
        tpa_jw_destroy(&w);
    }
}

/* Through a callback: the text in pieces (a long string at once) is the same; a
 * refusal of the callback stops the writing with TPA_ERR_IO. */
static void test_callback(void)
{
    size_t big = 200000;
    char *s = malloc(big + 1);
    CHECK(s != NULL);
    if (!s) return;
    for (size_t i = 0; i < big; i++)
        s[i] = (char)('a' + i % 26);
    s[big] = '\0';
    for (int indent = 0; indent <= 1; indent++) {
        tpa_jw_t *t = tpa_jw_new(indent, NULL, NULL);
        char *mem = NULL;
        size_t msize = 0;
        FILE *f = open_memstream(&mem, &msize);
        tpa_jw_t *c = tpa_jw_new(indent, tpa_test_to_file, f);
        tpa_jw_t *ws[2] = {t, c};
        for (int i = 0; i < 2; i++) {
            tpa_jw_arr(ws[i], NULL);
            for (int k = 0; k < 20000; k++)
                tpa_jw_int(ws[i], NULL, k);
            tpa_jw_str(ws[i], NULL, s);
            tpa_jw_real(ws[i], NULL, 0.5);
            tpa_jw_arr_end(ws[i]);
        }
        CHECK(tpa_jw_finish(c) == 0);
        fclose(f);
        char *want = tpa_jw_take_text(t, NULL);
        CHECK(want && mem && strcmp(want, mem) == 0);
        free(want);
        free(mem);
        tpa_jw_destroy(&t);
        tpa_jw_destroy(&c);
    }
    int left = 1;
    tpa_jw_t *c = tpa_jw_new(0, tpa_test_fail_after, &left);
    tpa_jw_arr(c, NULL);
    for (int k = 0; k < 100000; k++)
        tpa_jw_int(c, NULL, k);
    tpa_jw_arr_end(c);
    CHECK(tpa_jw_finish(c) == TPA_ERR_IO);
    tpa_jw_destroy(&c);
    free(s);
}

/* Literal keys (their length and plainness folded at compile time: the fast path of
 * every call), short and long, plain and not, in containers nested up to 24 deep (the
 * indented layout beyond the writer's 32 inline spaces), with strings of 0 to 200
 * plain bytes, ids (tpa_jw_id) and every kind of value: text == tpa_json_out of the tree ==
 * json_dumps (no reals but tpa_jw_fixed's, whose text json_dumps shares here). */
static void emit_literals(tpa_jw_t *w, int depth, size_t len)
{
    /* the longest string asked for: 195 + 11 levels of 9 more */
    static char xs[320];
    if (!xs[0]) memset(xs, 'x', sizeof xs);
    if (len > sizeof xs) abort();
    tpa_jw_obj(w, NULL);
    tpa_jw_int(w, "", 7);
    tpa_jw_int(w, "a", 0);
    tpa_jw_int(w, "ab", -1);
    tpa_jw_int(w, "abc", 1234567890123LL);
    tpa_jw_bool(w, "abcd", true);
    tpa_jw_bool(w, "abcdefg", false);
    tpa_jw_null(w, "abcdefgh");
    tpa_jw_fixed(w, "abcdefghijklmnop", 1700000000123456LL, 6);
    tpa_jw_fixed(w, "abcdefghijklmnopq", 2500, 3);
    tpa_jw_strn(w, "abcdefghijklmnopqrstuvwxyz012345", xs, len);
    tpa_jw_ascii(w, "abcdefghijklmnopqrstuvwxyz0123456", xs, len % 70);
    tpa_jw_str(w, "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123", "v");
    tpa_jw_str(w, "abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz01234", "w");
    tpa_jw_int(w, "q\"k", 1);
    tpa_jw_int(w, "t\xc3\xa9", 2);
    tpa_jw_int(w, "c\tl", 3);
    tpa_jw_id(w, "id", "t", len);
    tpa_jw_id(w, "idq", "q\"", 7);                            /* a prefix to escape */
    tpa_jw_id(w, "idl", "abcdefghijklmnopqrstu", UINT64_MAX); /* cut to 16, as -1 */
    tpa_jw_arr(w, "arr");
    tpa_jw_id(w, NULL, "ue", 1000000007);
    tpa_jw_strn(w, NULL, xs, len);
    tpa_jw_int(w, NULL, 42);
    if (depth > 0) emit_literals(w, depth - 1, len + 9);
    tpa_jw_arr_end(w);
    tpa_jw_obj(w, "empty");
    tpa_jw_obj_end(w);
    tpa_jw_obj_end(w);
}

static void test_literal_keys(void)
{
    for (int indent = 0; indent <= 4; indent += 2) {
        for (size_t len = 0; len <= 200; len += 13) {
            tpa_jw_t *ws[2] = {tpa_jw_new(indent, NULL, NULL), tpa_jw_new_tree()};
            for (int i = 0; i < 2; i++)
                emit_literals(ws[i], 11, len);
            char *got = tpa_jw_take_text(ws[0], NULL);
            json_t *tree = tpa_jw_take_tree(ws[1]);
            char *want = tpa_json_out_dumps(tree, indent, NULL);
            char *jd = json_dumps(tree, JFLAGS(indent));
            CHECKF(got && want && strcmp(got, want) == 0, "indent %d len %zu:\nwant %s\ngot  %s",
                   indent, len, want, got);
            CHECK(got && jd && strcmp(got, jd) == 0);
            free(got);
            free(want);
            free(jd);
            json_decref(tree);
            tpa_jw_destroy(&ws[0]);
            tpa_jw_destroy(&ws[1]);
        }
    }
}

int main(void)
{
    test_random();
    test_literal_keys();
    test_utf8();
    test_depth();
    test_order();
    test_callback();
    return TEST_DONE();
}
