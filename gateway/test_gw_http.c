/* test_gw_http.c - the gateway's pure logic: CSV quoting (RFC 4180 section 2),
 * file-name sanitising, slice filter/sort/page, query parameters, mime types,
 * metrics rendering. */
#include "tpa_err.h"
#include "tpa_gw_csv.h"
#include "tpa_gw_jscan.h"
#include "tpa_gw_http.h"
#include "tpa_gw_metrics.h"
#include "tpa_gw_slice.h"
#include "tpa_gw_static.h"
#include "tpa_gw_upload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: FAIL: ", __FILE__, __LINE__);                                  \
            fprintf(stderr, __VA_ARGS__);                                                          \
            fputc('\n', stderr);                                                                   \
        }                                                                                          \
    } while (0)

static void csv_field_is(const char *in, bool text, const char *want)
{
    tpa_gw_buf_t b = {0};
    tpa_gw_csv_field(&b, in, strlen(in), text);
    CHECK(b.data ? !strcmp(b.data, want) : !*want, "csv field [%s] -> [%s], want [%s]", in,
          b.data ? b.data : "", want);
    tpa_gw_buf_free(&b);
}

static void test_csv(void)
{
    /* RFC 4180 2.6: fields containing line breaks, double quotes and commas are
     * enclosed in double quotes. 2.7: a double quote inside is escaped by another. */
    csv_field_is("plain", true, "plain");
    csv_field_is("a,b", true, "\"a,b\"");
    csv_field_is("say \"hi\"", true, "\"say \"\"hi\"\"\"");
    csv_field_is("two\r\nlines", true, "\"two\r\nlines\"");
    csv_field_is("lf\nonly", true, "\"lf\nonly\"");
    csv_field_is("\"", true, "\"\"\"\"");
    csv_field_is(" padded", true, "\" padded\"");
    csv_field_is("", true, "");
    /* formula guard on text only */
    csv_field_is("=cmd()", true, "'=cmd()");
    csv_field_is("-1", false, "-1");
    csv_field_is("@x,y", true, "\"'@x,y\"");

    json_error_t jerr;
    json_t *items = json_loads(
        "[{\"id\":1,\"proto\":\"udp\",\"src\":\"10.0.0.1\",\"a_to_b\":{\"packets\":3,\"bytes\":"
        "300},\"first_ts\":1700000000.125,\"app\":null,\"ok\":true},"
        "{\"id\":2,\"proto\":\"tcp\",\"src\":\"a,\\\"b\\\"\",\"tunnel\":{\"teid\":77},"
        "\"tags\":[1,2],\"weird\":{\"x.y\":1}}]",
        0, &jerr);
    CHECK(items != NULL, "json: %s", jerr.text);
    json_t *cols = tpa_gw_csv_columns(items);
    tpa_gw_buf_t b = {0};
    size_t i;
    json_t *it;
    tpa_gw_csv_header(&b, cols);
    json_array_foreach(items, i, it) tpa_gw_csv_row(&b, it, cols);
    const char *want =
        "id,proto,src,a_to_b.packets,a_to_b.bytes,first_ts,app,ok,tunnel.teid,tags,weird\r\n"
        "1,udp,10.0.0.1,3,300,1700000000.125,,true,,,\r\n"
        "2,tcp,\"a,\"\"b\"\"\",,,,,,77,\"[1,2]\",\"{\"\"x.y\"\":1}\"\r\n";
    CHECK(b.data && !strcmp(b.data, want), "csv table:\n%s\nwant:\n%s", b.data ? b.data : "", want);
    tpa_gw_buf_free(&b);
    json_decref(cols);
    json_decref(items);

    /* reals: trailing zeros trimmed */
    tpa_gw_buf_t r = {0};
    json_t *v = json_real(2.5);
    tpa_gw_csv_value(&r, v);
    CHECK(r.data && !strcmp(r.data, "2.5"), "real -> %s", r.data ? r.data : "");
    json_decref(v);
    tpa_gw_buf_free(&r);
}

static void name_is(const char *in, const char *want)
{
    char out[TPA_GW_FILENAME_MAX];
    tpa_gw_sanitize_filename(in, out, sizeof out);
    CHECK(!strcmp(out, want), "sanitize [%s] -> [%s], want [%s]", in ? in : "(null)", out, want);
}

static void test_names(void)
{
    name_is("trace.pcap", "trace.pcap");
    name_is("/etc/passwd", "passwd");
    name_is("..\\..\\windows\\x.pcapng", "x.pcapng");
    name_is("../../x", "x");
    name_is("..", "capture");
    name_is("", "capture");
    name_is(NULL, "capture");
    name_is(".hidden.pcap", "hidden.pcap");
    name_is("a\x01"
            "b\x7f"
            "c.pcap",
            "a_b_c.pcap");
    name_is("a:b*c?d\"e<f>g|h.pcap", "a_b_c_d_e_f_g_h.pcap");
    name_is("n5 capture (1).pcap ", "n5 capture (1).pcap");
    name_is("caf\xc3\xa9.pcap", "caf\xc3\xa9.pcap");  /* valid UTF-8 kept */
    name_is("bad\xff\xfe.pcap", "bad__.pcap");        /* invalid bytes replaced */
    name_is("over\xe0\x80\xaf.pcap", "over___.pcap"); /* overlong refused */
    name_is("sur\xed\xa0\x80.pcap", "sur___.pcap");   /* surrogate refused */
    {
        char longname[400], out[TPA_GW_FILENAME_MAX];
        memset(longname, 'x', sizeof longname - 1);
        longname[sizeof longname - 1] = '\0';
        tpa_gw_sanitize_filename(longname, out, sizeof out);
        CHECK(strlen(out) == 200, "long name truncated to %zu", strlen(out));
        /* a multi-byte character is never cut in half */
        char mb[400];
        size_t n = 0;
        mb[n++] = 'a';
        while (n + 2 < sizeof mb - 1) {
            mb[n++] = '\xc3';
            mb[n++] = '\xa9';
        }
        mb[n] = '\0';
        tpa_gw_sanitize_filename(mb, out, sizeof out);
        CHECK(strlen(out) == 199, "multibyte truncation at %zu", strlen(out));
        char small[8];
        tpa_gw_sanitize_filename("abcdefghij", small, sizeof small);
        CHECK(!strcmp(small, "abcdefg"), "small buffer: %s", small);
    }
}

static json_t *ids_of(json_t *arr)
{
    json_t *ids = json_array();
    size_t i;
    json_t *it;
    json_array_foreach(arr, i, it) json_array_append(ids, json_object_get(it, "id"));
    return ids;
}

static void slice_is(json_t *items, const char *q, const char *sort, size_t off, size_t lim,
                     const char *want_ids, size_t want_total)
{
    tpa_gw_slice_opts_t o = {q, sort, off, lim};
    size_t total = 99;
    char *text = json_dumps(items, JSON_COMPACT | JSON_ENCODE_ANY);
    tpa_gw_buf_t b = {0};
    int rc = tpa_gw_slice_text(text, strlen(text), &o, &b, &total);
    json_t *out = rc == 0 ? json_loads(b.data, 0, NULL) : NULL;
    json_t *ids = out ? ids_of(out) : NULL;
    char *got = ids ? json_dumps(ids, JSON_COMPACT) : NULL;
    CHECK(got && !strcmp(got, want_ids) && total == want_total,
          "slice q=%s sort=%s off=%zu lim=%zu -> %s total %zu, want %s total %zu", q ? q : "",
          sort ? sort : "", off, lim, got ? got : "(null)", total, want_ids, want_total);
    free(got);
    free(text);
    tpa_gw_buf_free(&b);
    json_decref(ids);
    json_decref(out);
}

/* The scanner on awkward but valid text, and on malformed text. */
static int count_cb(const char *p, size_t n, void *ud)
{
    (void)p;
    (void)n;
    (*(int *)ud)++;
    return 0;
}

static void test_jscan(void)
{
    const char *doc = " { \"a\" : \"x]}\\\"{\" , \"flows\":[ {\"s\":\"[\"} , 2,\"]\" ,[1,[2]], "
                      "null ,-1.5e3,true] ,"
                      "\"z\":{} } ";
    size_t off, len;
    int n = 0;

    CHECK(tpa_gw_jscan_member(doc, strlen(doc), "flows", &off, &len) == 0 &&
              len == strlen("[ {\"s\":\"[\"} , 2,\"]\" ,[1,[2]], null ,-1.5e3,true]"),
          "member flows");
    CHECK(tpa_gw_jscan_array(doc + off, len, count_cb, &n) == 0 && n == 7, "7 elements, got %d", n);
    CHECK(tpa_gw_jscan_member(doc, strlen(doc), "z", &off, &len) == 0 && len == 2, "member z");
    CHECK(tpa_gw_jscan_member(doc, strlen(doc), "nope", &off, &len) == TPA_ERR_NOTFOUND,
          "absent member");
    CHECK(tpa_gw_jscan_member("[1]", 3, "a", &off, &len) == TPA_ERR_FORMAT, "not an object");
    CHECK(tpa_gw_jscan_member("{}", 2, "a", &off, &len) == TPA_ERR_NOTFOUND, "empty object");
    CHECK(tpa_gw_jscan_member("{\"a\":[1,2}", 10, "b", &off, &len) == TPA_ERR_FORMAT, "unbalanced");
    CHECK(tpa_gw_jscan_member("{\"a\":\"abc", 9, "a", &off, &len) == TPA_ERR_FORMAT,
          "unterminated string");
    n = 0;
    CHECK(tpa_gw_jscan_array("[]", 2, count_cb, &n) == 0 && n == 0, "empty array");
    CHECK(tpa_gw_jscan_array("[1,", 3, count_cb, &n) == TPA_ERR_FORMAT, "truncated array");
    CHECK(tpa_gw_jscan_array("{}", 2, count_cb, &n) == TPA_ERR_FORMAT, "object is no array");
    /* a truncated document is never read past its length */
    {
        char *cut = malloc(20);
        memcpy(cut, "{\"flows\":[{\"a\":\"b\"}", 20);
        CHECK(tpa_gw_jscan_member(cut, 20, "flows", &off, &len) == TPA_ERR_FORMAT, "cut doc");
        free(cut);
    }
    /* nesting limit */
    {
        char deep[600];
        memset(deep, '[', 300);
        memset(deep + 300, ']', 300);
        CHECK(tpa_gw_jscan_skip(deep, 600, 0) == -1, "deep nesting refused");
        CHECK(tpa_gw_jscan_skip(deep + 100, 400, 0) == 400, "200 levels accepted");
    }
    /* a malformed element fails a filtered slice */
    {
        tpa_gw_slice_opts_t o = {"x", NULL, 0, 10};
        tpa_gw_buf_t b = {0};
        size_t total;
        CHECK(tpa_gw_slice_text("[{\"a\":1},{\"a\":\"x]", 18, &o, &b, &total) == TPA_ERR_FORMAT,
              "malformed element");
        tpa_gw_buf_free(&b);
    }
}

static void test_slices(void)
{
    json_error_t jerr;
    json_t *items =
        json_loads("[{\"id\":1,\"proto\":\"udp\",\"bytes\":500,\"app\":\"GTP-U\",\"dport\":2152},"
                   " {\"id\":2,\"proto\":\"tcp\",\"bytes\":70,\"app\":\"HTTP2\",\"dport\":80},"
                   " {\"id\":3,\"proto\":\"sctp\",\"bytes\":500,\"app\":null,\"dport\":38412,"
                   "  \"tunnel\":{\"note\":\"inner gtp\"}},"
                   " {\"id\":4,\"proto\":\"udp\",\"app\":\"DNS\",\"dport\":53},"
                   " {\"id\":5,\"proto\":\"udp\",\"bytes\":12.5,\"app\":\"pfcp\",\"dport\":8805}]",
                   0, &jerr);
    CHECK(items != NULL, "json: %s", jerr.text);

    slice_is(items, NULL, NULL, 0, 50, "[1,2,3,4,5]", 5);
    slice_is(items, "", "", 1, 2, "[2,3]", 5);
    slice_is(items, NULL, NULL, 10, 50, "[]", 5);
    /* q: case-insensitive, nested strings, integers as text */
    slice_is(items, "udp", NULL, 0, 50, "[1,4,5]", 3);
    slice_is(items, "gtp", NULL, 0, 50, "[1,3]", 2);
    slice_is(items, "384", NULL, 0, 50, "[3]", 1);
    slice_is(items, "nothing-matches", NULL, 0, 50, "[]", 0);
    /* sort: numeric, stable on ties, missing last in both directions */
    slice_is(items, NULL, "bytes", 0, 50, "[5,2,1,3,4]", 5);
    slice_is(items, NULL, "-bytes", 0, 50, "[1,3,2,5,4]", 5);
    slice_is(items, NULL, "app", 0, 50, "[4,1,2,5,3]", 5);
    slice_is(items, NULL, "-app", 0, 50, "[5,2,1,4,3]", 5);
    slice_is(items, NULL, "tunnel.note", 0, 50, "[3,1,2,4,5]", 5);
    slice_is(items, NULL, "no_such_field", 0, 50, "[1,2,3,4,5]", 5);
    slice_is(items, "udp", "-dport", 0, 2, "[5,1]", 3);
    /* unfiltered slices of a non-array fail */
    {
        tpa_gw_slice_opts_t o = {NULL, NULL, 0, 10};
        tpa_gw_buf_t b = {0};
        size_t total;
        CHECK(tpa_gw_slice_text("{}", 2, &o, &b, &total) == TPA_ERR_FORMAT, "object");
        tpa_gw_buf_free(&b);
    }

    CHECK(tpa_gw_json_path(json_array_get(items, 2), "tunnel.note") != NULL, "path lookup");
    CHECK(tpa_gw_json_path(json_array_get(items, 2), "tunnel.missing") == NULL, "path miss");
    json_decref(items);
}

/* Property: the text scanner selects exactly what the tree-based reference does
 * (tpa_gw_slice_match / tpa_gw_json_path / tpa_gw_slice_compare) on random
 * documents with escapes, nesting, numbers and keys that look like values. */
static unsigned rng_state = 12345;
static unsigned rnd(unsigned n)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (rng_state >> 8) % n;
}

static json_t *rand_value(int depth)
{
    static const char *const words[] = {"GTP-U", "ngap",   "Caf\xc3\xa9", "a\"b", "back\\slash",
                                        "x:y",   "[br]",   "{cb}",        "5060", "-12",
                                        "",      "tab\tx", "UPPER",       "key"};
    switch (rnd(depth < 4 ? 8 : 5)) {
    case 0:
        return json_string(words[rnd(sizeof words / sizeof *words)]);
    case 1:
        return json_integer((json_int_t)rnd(100000) - 500);
    case 2:
        return json_real(rnd(1000) / 8.0);
    case 3:
        return rnd(2) ? json_true() : json_null();
    case 4:
        return json_string(words[rnd(sizeof words / sizeof *words)]);
    case 5:
    case 6: {
        json_t *o = json_object();
        int k = (int)rnd(4);
        for (int i = 0; i < k; i++) {
            char key[16];
            snprintf(key, sizeof key, "%s%d", rnd(2) ? "ngap" : "k", (int)rnd(5));
            json_object_set_new(o, key, rand_value(depth + 1));
        }
        return o;
    }
    default: {
        json_t *a = json_array();
        int k = (int)rnd(4);
        for (int i = 0; i < k; i++)
            json_array_append_new(a, rand_value(depth + 1));
        return a;
    }
    }
}

static void test_slice_property(void)
{
    static const char *const queries[] = {"gtp",  "NGAP", "a\"b", "\\", "caf\xc3\xa9", "50",  "-1",
                                          "x:y",  "[",    "}",    "k1", "key",         "TAB", "\t",
                                          "true", "null", "0"};
    static const char *const sorts[] = {"k0", "-k1", "ngap2", "k3.k1", "-ngap0.k2", "k4"};

    for (int round = 0; round < 200; round++) {
        json_t *items = json_array();
        int n = 1 + (int)rnd(25);
        for (int i = 0; i < n; i++) {
            json_t *it = rand_value(1);
            if (!json_is_object(it)) {
                json_t *o = json_object();
                json_object_set_new(o, "k0", it);
                it = o;
            }
            json_object_set_new(it, "id", json_integer(i));
            json_array_append_new(items, it);
        }
        char *text = json_dumps(items, JSON_COMPACT | (rnd(2) ? JSON_INDENT(1) : 0));
        const char *q = queries[rnd(sizeof queries / sizeof *queries)];
        const char *sort = rnd(3) ? sorts[rnd(sizeof sorts / sizeof *sorts)] : NULL;
        bool desc = sort && sort[0] == '-';
        const char *field = sort ? sort + desc : NULL;

        /* reference: filter, then stable insertion sort */
        json_t *ref = json_array();
        size_t i;
        json_t *it;
        json_array_foreach(items, i, it)
        {
            if (tpa_gw_slice_match(it, q)) json_array_append(ref, it);
        }
        for (size_t a = 1; field && a < json_array_size(ref); a++)
            for (size_t b = a; b > 0; b--) {
                json_t *x = json_array_get(ref, b - 1), *y = json_array_get(ref, b);
                if (tpa_gw_slice_compare(tpa_gw_json_path(y, field), tpa_gw_json_path(x, field),
                                         desc) >= 0)
                    break;
                json_incref(x);
                json_array_set(ref, b - 1, y);
                json_array_set_new(ref, b, x);
            }
        json_t *want_ids = ids_of(ref);
        char *want = json_dumps(want_ids, JSON_COMPACT);

        tpa_gw_slice_opts_t o = {q, sort, 0, 1000};
        tpa_gw_buf_t b = {0};
        size_t total = 0;
        int rc = tpa_gw_slice_text(text, strlen(text), &o, &b, &total);
        json_t *out = rc == 0 ? json_loads(b.data, 0, NULL) : NULL;
        json_t *got_ids = out ? ids_of(out) : NULL;
        char *got = got_ids ? json_dumps(got_ids, JSON_COMPACT) : NULL;
        CHECK(got && !strcmp(got, want) && total == json_array_size(ref),
              "round %d q=[%s] sort=%s: got %s want %s\n%s", round, q, sort ? sort : "-",
              got ? got : "(null)", want, text);
        free(got);
        free(want);
        free(text);
        json_decref(got_ids);
        json_decref(want_ids);
        json_decref(out);
        json_decref(ref);
        tpa_gw_buf_free(&b);
        json_decref(items);
        if (failures > 5) return;
    }
}

static void test_query(void)
{
    char buf[16];
    long v;

    CHECK(tpa_gw_query_str("a=1&state=queued&x=y", "state", buf, sizeof buf) == 6 &&
              !strcmp(buf, "queued"),
          "query str");
    CHECK(tpa_gw_query_str("q=a%20b+c", "q", buf, sizeof buf) == 5 && !strcmp(buf, "a b c"),
          "query decode: %s", buf);
    CHECK(tpa_gw_query_str("a=1", "state", buf, sizeof buf) == -1, "absent");
    CHECK(tpa_gw_query_str(NULL, "state", buf, sizeof buf) == -1, "no query");
    CHECK(tpa_gw_query_str("q=0123456789abcdefXYZ", "q", buf, sizeof buf) == -2, "too long");
    CHECK(tpa_gw_query_long("limit=20", "limit", 50, 1, 500, &v) == 0 && v == 20, "long");
    CHECK(tpa_gw_query_long("", "limit", 50, 1, 500, &v) == 0 && v == 50, "default");
    CHECK(tpa_gw_query_long("limit=0", "limit", 50, 1, 500, &v) < 0, "below min");
    CHECK(tpa_gw_query_long("limit=501", "limit", 50, 1, 500, &v) < 0, "above max");
    CHECK(tpa_gw_query_long("limit=5x", "limit", 50, 1, 500, &v) < 0, "junk");
    CHECK(tpa_gw_query_long("limit=", "limit", 50, 1, 500, &v) < 0, "empty");
    CHECK(tpa_gw_query_long("offset=-1", "offset", 0, 0, 100, &v) < 0, "negative");

    CHECK(tpa_gw_token_equal("secret", "secret"), "token eq");
    CHECK(!tpa_gw_token_equal("secret", "secreT"), "token ne");
    CHECK(!tpa_gw_token_equal("secret", "secret2"), "token longer");
    CHECK(!tpa_gw_token_equal("", "x"), "token empty");
}

static void test_misc(void)
{
    tpa_gw_metrics_t m;
    long long counts[TPA_GW_NSTATES] = {1, 2, 3, 4, 5, 6};
    char *text;

    CHECK(!strcmp(tpa_gw_static_mime("index.html"), "text/html; charset=utf-8"), "mime html");
    CHECK(!strcmp(tpa_gw_static_mime("a/b.JS"), "text/javascript; charset=utf-8"), "mime js");
    CHECK(!strcmp(tpa_gw_static_mime("noext"), "application/octet-stream"), "mime none");
    CHECK(tpa_gw_state_index("enriching") == 2 && tpa_gw_state_index("bogus") == -1, "states");

    tpa_gw_metrics_init(&m);
    atomic_fetch_add(&m.uploads, 3);
    text = tpa_gw_metrics_render(&m);
    CHECK(text && strstr(text, "tpa_uploads_total 3\n") && !strstr(text, "tpa_jobs{"),
          "metrics before scan:\n%s", text ? text : "");
    free(text);
    tpa_gw_metrics_set_jobs(&m, counts);
    text = tpa_gw_metrics_render(&m);
    CHECK(text && strstr(text, "tpa_jobs{state=\"cancelled\"} 6\n") &&
              strstr(text, "# TYPE tpa_http_requests_total counter"),
          "metrics after scan:\n%s", text ? text : "");
    free(text);
    tpa_gw_metrics_fini(&m);
}

int main(void)
{
    test_csv();
    test_names();
    test_slices();
    test_jscan();
    test_slice_property();
    test_query();
    test_misc();
    if (failures)
        fprintf(stderr, "%d failure(s)\n", failures);
    else
        printf("test_gw_http: ok\n");
    return failures ? 1 : 0;
}
