/* test_json_arena.c - jansson on the bump arena (tpa_json_arena.h): blocks come from
 * the chunks, 16-byte aligned; values made before the arena and blocks too big for a
 * chunk go back to the C library when freed (ASan/LSan check that in the sanitizer
 * build); a document built on the arena writes the same text as one built on malloc. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_json_arena.h"
#include "tpa_json_out.h"
#include "tpa_test.h"

/* A document of the result's shape: n objects of numbers, strings and a nested array. */
static json_t *make_doc(int n)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "id", json_integer(i));
        json_object_set_new(o, "ts", json_real(1700000000.0 + i / 1e6));
        char s[32];
        snprintf(s, sizeof s, "flow-%d", i);
        json_object_set_new(o, "name", json_string(s));
        json_object_set_new(o, "pkts", json_pack("[ii]", i, 2 * i));
        json_array_append_new(a, o);
    }
    return a;
}

int main(void)
{
    /* Made on malloc, before the arena. */
    json_t *before = make_doc(500);
    char *want = tpa_json_out_dumps(before, 0, NULL);
    CHECK(want != NULL);
    CHECK(!tpa_json_arena_owns(before));

    tpa_json_arena_enable();
    tpa_json_arena_enable(); /* idempotent */
    size_t used0 = 0, res0 = 0;
    tpa_json_arena_usage(&used0, &res0);

    json_t *after = make_doc(500);
    CHECK(tpa_json_arena_owns(after));
    CHECK(((uintptr_t)after & 15) == 0);
    json_t *first = json_array_get(after, 0);
    CHECK(tpa_json_arena_owns(first) && ((uintptr_t)first & 15) == 0);
    char *got = tpa_json_out_dumps(after, 0, NULL);
    CHECK(got && want && strcmp(got, want) == 0);
    free(got); /* tpa_json_out_dumps allocates with malloc, not through jansson */

    size_t used1 = 0, res1 = 0;
    tpa_json_arena_usage(&used1, &res1);
    CHECK(used1 > used0 && res1 >= used1);

    /* Freeing a malloc'ed tree while the arena is on hands its blocks back to libc. */
    json_decref(before);

    /* A value mixing both: an arena object holding a pre-arena string is freed alike. */
    json_t *big = json_array();
    for (int i = 0; i < 20000; i++) /* its element array outgrows a chunk block */
        json_array_append_new(big, json_integer(i));
    CHECK(json_array_size(big) == 20000);
    CHECK(json_integer_value(json_array_get(big, 19999)) == 19999);
    json_decref(big);

    /* Many chunks: the arena keeps serving (and owns what it served). */
    json_t *many = make_doc(200000);
    CHECK(json_array_size(many) == 200000);
    CHECK(tpa_json_arena_owns(json_array_get(many, 199999)));
    size_t used2 = 0, res2 = 0;
    tpa_json_arena_usage(&used2, &res2);
    CHECKF(res2 > 8u << 20, "reserved %zu", res2);
    json_decref(many);
    json_decref(after);
    free(want);
    return TEST_DONE();
}
