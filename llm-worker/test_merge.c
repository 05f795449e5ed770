/* test_merge.c - unit test of tpa_llm_merge (tpa_llm_merge.h).
 * Clauses checked: "insights = every answer's insights concatenated in task order
 * (replacing what the document held, so merging twice gives the same result)" and
 * "rca = the first non-null rca in task order (null if none)".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tpa_err.h"
#include "tpa_llm_merge.h"

static int failures;

#define CHECK(cond, msg)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            failures++;                                                                            \
            fprintf(stderr, "%s:%d: CHECK(%s) failed: %s\n", __FILE__, __LINE__, #cond, msg);      \
        }                                                                                          \
    } while (0)

static json_t *parse(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    if (!j) {
        fprintf(stderr, "bad test JSON: %s\n", text);
        exit(2);
    }
    return j;
}

int main(void)
{
    json_t *doc =
        parse("{\"version\":1,\"flows\":[],\"insights\":[{\"target\":\"old\"}],\"rca\":null}");
    json_t *a[4] = {
        parse("{\"insights\":[{\"target\":\"flow:1\",\"text\":\"a\",\"source\":\"builtin\"}],"
              "\"rca\":null}"),
        NULL, /* a missing answer */
        parse("{\"insights\":[{\"target\":\"flow:2\",\"text\":\"b\",\"source\":\"builtin\"},"
              "{\"target\":\"finding:x\",\"text\":\"c\",\"source\":\"builtin\"}],"
              "\"rca\":{\"summary\":\"first\",\"source\":\"builtin\"}}"),
        parse("{\"insights\":\"bad\",\"rca\":{\"summary\":\"second\",\"source\":\"builtin\"}}"),
    };
    CHECK(tpa_llm_merge(doc, a, 4) == 0, "merge succeeds");
    json_t *ins = json_object_get(doc, "insights");
    CHECK(json_array_size(ins) == 3, "three insights, old ones replaced");
    CHECK(!strcmp(json_string_value(json_object_get(json_array_get(ins, 0), "target")), "flow:1"),
          "task order kept");
    CHECK(
        !strcmp(json_string_value(json_object_get(json_array_get(ins, 2), "target")), "finding:x"),
        "task order kept");
    CHECK(!strcmp(json_string_value(json_object_get(json_object_get(doc, "rca"), "summary")),
                  "first"),
          "first non-null rca wins");
    CHECK(json_integer_value(json_object_get(doc, "version")) == 1, "other keys untouched");

    char *once = json_dumps(doc, JSON_SORT_KEYS);
    CHECK(tpa_llm_merge(doc, a, 4) == 0, "merge again");
    char *twice = json_dumps(doc, JSON_SORT_KEYS);
    CHECK(once && twice && !strcmp(once, twice), "merging twice gives the same result");
    free(once);
    free(twice);

    json_t *none[1] = {parse("{\"insights\":[],\"rca\":null}")};
    CHECK(tpa_llm_merge(doc, none, 1) == 0, "merge with no rca");
    CHECK(json_is_null(json_object_get(doc, "rca")), "rca null when no task has one");
    CHECK(json_array_size(json_object_get(doc, "insights")) == 0, "no insights");

    json_t *arr = json_array();
    CHECK(tpa_llm_merge(arr, a, 4) == TPA_ERR_INVALID, "doc must be an object");

    json_decref(arr);
    json_decref(none[0]);
    for (int i = 0; i < 4; i++)
        json_decref(a[i]);
    json_decref(doc);
    if (failures) {
        fprintf(stderr, "test_merge: %d check(s) failed\n", failures);
        return 1;
    }
    printf("test_merge: ok\n");
    return 0;
}
