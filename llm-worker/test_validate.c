/* test_validate.c - unit test of tpa_llm_validate (tpa_llm_validate.h).
 * Clauses checked: "the answer must parse and match the schema", "evidence ids or insight
 * targets that are not known are dropped and listed in dropped_evidence; they never make
 * the answer invalid", "rca is required for an rca task", every item carries source llm,
 * and content wrapped in ``` fences is accepted.
 */
#include <stdlib.h>
#include <string.h>

#include "tpa_analyst.h"
#include "tpa_llm_validate.h"
#include "tpa_test.h"

static const char digest_text[] =
    "{\"capture\":{\"file\":\"x.pcap\",\"packets\":10},"
    "\"top_flows\":[{\"id\":1,\"proto\":\"udp\"},{\"id\":7,\"proto\":\"sctp\"}],"
    "\"findings\":[{\"id\":\"F1\",\"severity\":\"critical\",\"title\":\"t\"}],"
    "\"kpis\":[{\"protocol\":\"pfcp\",\"procedure\":\"Session Establishment\"}],"
    "\"transactions\":[{\"id\":\"t3\"}],\"ues\":[{\"id\":\"ue1\"}]}";

static const char good[] =
    "{\"insights\":[{\"target\":\"F1\",\"text\":\"UPF silent\"},"
    "{\"target\":\"flow:7\",\"text\":\"N2\"},{\"target\":\"flow:99\",\"text\":\"ghost\"}],"
    "\"rca\":{\"summary\":\"The UPF does not answer.\",\"root_causes\":[{\"title\":\"UPF down\","
    "\"confidence\":0.9,\"explanation\":\"No PFCP responses.\",\"evidence\":[\"F1\",\"t3\","
    "\"ue1\",1,\"F9\",\"kpi:pfcp/Session Establishment\"],\"recommendation\":\"Check the UPF.\"}],"
    "\"next_steps\":[\"look at N4\"]}}";

int main(void)
{
    char err[256];
    size_t dropped = 99;
    json_t *d = json_loads(digest_text, 0, NULL);
    CHECK(d != NULL);

    json_t *a = tpa_llm_validate(good, d, TPA_ANALYST_RCA, &dropped, err, sizeof err);
    CHECKF(a != NULL, "%s", err);
    if (a) {
        json_t *rca = json_object_get(a, "rca");
        json_t *ev =
            json_object_get(json_array_get(json_object_get(rca, "root_causes"), 0), "evidence");
        CHECK(json_array_size(ev) == 5); /* F1 t3 ue1 flow:1 kpi:... kept */
        CHECK(!strcmp(json_string_value(json_array_get(ev, 3)), "flow:1"));
        CHECK(json_array_size(json_object_get(rca, "dropped_evidence")) == 1);
        CHECK(!strcmp(
            json_string_value(json_array_get(json_object_get(rca, "dropped_evidence"), 0)), "F9"));
        CHECK(!strcmp(json_string_value(json_object_get(rca, "source")), "llm"));
        json_t *ins = json_object_get(a, "insights");
        CHECK(json_array_size(ins) == 2);
        CHECK(!strcmp(json_string_value(json_object_get(json_array_get(ins, 0), "source")), "llm"));
        CHECK(json_array_size(json_object_get(a, "dropped_evidence")) == 1);
        CHECK(dropped == 2);
    }
    json_decref(a);

    /* fences and text around the object */
    char fenced[2048];
    snprintf(fenced, sizeof fenced, "Here you go:\n```json\n%s\n```\n", good);
    a = tpa_llm_validate(fenced, d, TPA_ANALYST_RCA, NULL, err, sizeof err);
    CHECKF(a != NULL, "%s", err);
    json_decref(a);

    /* invalid answers, each with a reason */
    static const char *const bad[] = {
        "not json at all",
        "{\"insights\":[], \"rca\": {\"summary\": \"x\", \"root_causes\": [",
        "[1,2,3]",
        "{\"insights\":[]}", /* rca missing in an rca task */
        "{\"insights\":{},\"rca\":{\"summary\":\"s\",\"root_causes\":[]}}",
        "{\"rca\":{\"summary\":\"\",\"root_causes\":[]}}",
        "{\"rca\":{\"summary\":\"s\",\"root_causes\":{}}}",
        "{\"rca\":{\"summary\":\"s\",\"root_causes\":[{\"title\":\"t\",\"confidence\":3,"
        "\"explanation\":\"e\",\"evidence\":[]}]}}",
        "{\"rca\":{\"summary\":\"s\",\"root_causes\":[{\"title\":\"t\",\"confidence\":\"sure\","
        "\"explanation\":\"e\",\"evidence\":[]}]}}",
        "{\"rca\":{\"summary\":\"s\",\"root_causes\":[]},\"insights\":[{\"target\":\"F1\"}]}",
        NULL};
    for (size_t i = 0; bad[i]; i++) {
        err[0] = '\0';
        a = tpa_llm_validate(bad[i], d, TPA_ANALYST_RCA, NULL, err, sizeof err);
        CHECKF(a == NULL, "accepted bad answer %zu", i);
        CHECKF(err[0] != '\0', "no reason for bad answer %zu", i);
        json_decref(a);
    }
    /* a flow batch needs no rca */
    a = tpa_llm_validate("{\"insights\":[{\"target\":\"flow:1\",\"text\":\"dns\"}]}", d,
                         TPA_ANALYST_FLOWS, NULL, err, sizeof err);
    CHECKF(a != NULL && json_is_null(json_object_get(a, "rca")), "%s", err);
    json_decref(a);

    CHECK(tpa_llm_validate_known_id(d, "finding:F1"));
    CHECK(tpa_llm_validate_known_id(d, "7"));
    CHECK(!tpa_llm_validate_known_id(d, "flow:2"));
    CHECK(!tpa_llm_validate_known_id(d, ""));
    json_decref(d);
    return TEST_DONE();
}
