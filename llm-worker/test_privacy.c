/* test_privacy.c - unit test of tpa_llm_privacy (tpa_llm_privacy.h).
 * Clauses checked: HMAC-SHA256 matches RFC 4231 test case 2; identities under identity
 * keys (strings, arrays, integers) become tokens "KIND-xxxxxx", consistently (same key,
 * same token) and differently under another key; the same identities inside free text
 * and SIP URIs anywhere are replaced; no identity digits remain in the scrubbed JSON;
 * restore maps the tokens back; UE IPs only when asked; the key file is created 0600
 * and read back the same. GUTI / TMSI: the 5G-GUTI and EPS GUTI, 5G-S-TMSI and M-TMSI
 * values as the engine writes them (ues[].identities guti / tmsi) become "GUTI-" /
 * "TMSI-" tokens, and so do their TMSI parts wherever they stand (a finding naming the
 * 5G-S-TMSI or the bare M-TMSI hex); no GUTI or TMSI digits remain; restore maps back.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tpa_llm_privacy.h"
#include "tpa_test.h"

static const char digest_text[] =
    "{\"ues\":[{\"id\":\"ue1\",\"identities\":{\"imsi\":[\"001010123456789\"],"
    "\"supi\":\"imsi-001010123456789\",\"msisdn\":\"33612345678\",\"imei\":[\"490154203237518\"],"
    "\"ue_ip\":[\"10.45.0.2\"]}}],"
    "\"findings\":[{\"id\":\"F1\",\"detail\":\"UE 001010123456789 (MSISDN 33612345678) rejected; "
    "INVITE from <sip:alice@ims.example.org>;tag=1 at 10.45.0.2\"}],"
    "\"transactions\":[{\"id\":\"t1\",\"msisdn\":33612345678}],\"packets\":12345}";

/* A digest naming a 5G UE by its 5G-GUTI and 5G-S-TMSI and an EPS UE by its GUTI and
 * M-TMSI (tpa_nas5gs.c / tpa_naseps.c formats), and findings quoting their TMSIs. */
static const char guti_text[] =
    "{\"ues\":[{\"id\":\"ue1\",\"identities\":{\"guti\":[\"20893-202-1016-0-c0ffee01\"],"
    "\"tmsi\":[\"1016-0-c0ffee01\"]}},"
    "{\"id\":\"ue2\",\"identities\":{\"guti\":\"00101-32769-1-d00dfeed\"}}],"
    "\"findings\":[{\"id\":\"F1\",\"detail\":\"Service request with 5G-S-TMSI 1016-0-c0ffee01 "
    "rejected; 5G-TMSI c0ffee01 unknown\"},{\"id\":\"F2\",\"detail\":\"M-TMSI d00dfeed paged, "
    "GUTI 00101-32769-1-d00dfeed\"}],\"packets\":32769}";

static void test_guti_tmsi(const uint8_t *key)
{
    json_t *d = json_loads(guti_text, 0, NULL);
    CHECK(d != NULL);
    tpa_llm_privacy_t *p = tpa_llm_privacy_new(key, false);
    json_t *s = tpa_llm_privacy_scrub(p, d);
    char *text = s ? json_dumps(s, JSON_COMPACT) : NULL;
    CHECK(text != NULL);
    if (!text) return;
    static const char *const secret[] = {"c0ffee01", "d00dfeed", "1016-0-", "20893-202",
                                         "00101-32769"};
    for (size_t i = 0; i < sizeof secret / sizeof secret[0]; i++)
        CHECKF(strstr(text, secret[i]) == NULL, "%s left in %s", secret[i], text);
    CHECK(strstr(text, "\"packets\":32769") != NULL); /* a number, not an identity */
    char g5[64], g4[64], t5[64], m[64];
    tpa_llm_privacy_token(p, "GUTI", "20893-202-1016-0-c0ffee01", g5, sizeof g5);
    tpa_llm_privacy_token(p, "GUTI", "00101-32769-1-d00dfeed", g4, sizeof g4);
    tpa_llm_privacy_token(p, "TMSI", "1016-0-c0ffee01", t5, sizeof t5);
    tpa_llm_privacy_token(p, "TMSI", "d00dfeed", m, sizeof m);
    CHECKF(strstr(text, g5) && strstr(text, g4) && strstr(text, t5) && strstr(text, m), "%s", text);
    CHECK(tpa_llm_privacy_count(p) == 5); /* 2 GUTIs, a 5G-S-TMSI, 2 TMSI hex: nothing else */

    char answer_text[256];
    snprintf(answer_text, sizeof answer_text, "{\"rca\":{\"summary\":\"UE %s (%s) and %s\"}}", g5,
             t5, m);
    json_t *ans = json_loads(answer_text, 0, NULL);
    CHECK(tpa_llm_privacy_restore(p, ans) == 0);
    char *restored = json_dumps(ans, JSON_COMPACT);
    CHECKF(strstr(restored, "UE 20893-202-1016-0-c0ffee01 (1016-0-c0ffee01) and d00dfeed"), "%s",
           restored);
    free(restored);
    json_decref(ans);
    free(text);
    json_decref(s);
    json_decref(d);
    tpa_llm_privacy_destroy(&p);
}

int main(void)
{
    /* RFC 4231 test case 2 */
    uint8_t mac[32];
    tpa_llm_hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, mac);
    char hex[65];
    for (int i = 0; i < 32; i++)
        snprintf(hex + 2 * i, 3, "%02x", mac[i]);
    CHECKF(!strcmp(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"), "%s",
           hex);

    uint8_t key[TPA_PRIVACY_KEY_LEN], key2[TPA_PRIVACY_KEY_LEN];
    memset(key, 7, sizeof key);
    memset(key2, 8, sizeof key2);
    json_t *d = json_loads(digest_text, 0, NULL);
    CHECK(d != NULL);

    tpa_llm_privacy_t *p = tpa_llm_privacy_new(key, false);
    json_t *s = tpa_llm_privacy_scrub(p, d);
    CHECK(s != NULL);
    char *text = json_dumps(s, JSON_COMPACT);
    CHECK(strstr(text, "001010123456789") == NULL);
    CHECK(strstr(text, "33612345678") == NULL);
    CHECK(strstr(text, "490154203237518") == NULL);
    CHECK(strstr(text, "alice@ims") == NULL);
    CHECK(strstr(text, "10.45.0.2") != NULL); /* IPs off */
    CHECK(strstr(text, "12345") != NULL);     /* other numbers untouched */
    char tok[64];
    tpa_llm_privacy_token(p, "IMSI", "001010123456789", tok, sizeof tok);
    CHECKF(!strncmp(tok, "IMSI-", 5) && strlen(tok) == 11, "%s", tok);
    CHECKF(strstr(text, tok) != NULL, "%s not in %s", tok, text);
    const char *msisdn = json_string_value(
        json_object_get(json_array_get(json_object_get(s, "transactions"), 0), "msisdn"));
    CHECK(msisdn && !strncmp(msisdn, "MSISDN-", 7));
    CHECK(tpa_llm_privacy_count(p) >= 5);

    /* consistent under the same key, different under another */
    tpa_llm_privacy_t *p2 = tpa_llm_privacy_new(key, false);
    json_t *s2 = tpa_llm_privacy_scrub(p2, d);
    char *text2 = json_dumps(s2, JSON_COMPACT);
    CHECK(!strcmp(text, text2));
    tpa_llm_privacy_t *p3 = tpa_llm_privacy_new(key2, false);
    json_t *s3 = tpa_llm_privacy_scrub(p3, d);
    char *text3 = json_dumps(s3, JSON_COMPACT);
    CHECK(strcmp(text, text3) != 0);

    /* restore: an answer citing the tokens shows the identities */
    char answer_text[512];
    snprintf(answer_text, sizeof answer_text,
             "{\"rca\":{\"summary\":\"Subscriber %s was rejected\"},\"insights\":[\"%s\"]}", tok,
             msisdn);
    json_t *ans = json_loads(answer_text, 0, NULL);
    CHECK(tpa_llm_privacy_restore(p, ans) == 0);
    char *restored = json_dumps(ans, JSON_COMPACT);
    CHECKF(strstr(restored, "Subscriber 001010123456789 was rejected") != NULL, "%s", restored);
    CHECKF(strstr(restored, "33612345678") != NULL, "%s", restored);

    /* UE IPs when asked */
    tpa_llm_privacy_t *p4 = tpa_llm_privacy_new(key, true);
    json_t *s4 = tpa_llm_privacy_scrub(p4, d);
    char *text4 = json_dumps(s4, JSON_COMPACT);
    CHECKF(strstr(text4, "10.45.0.2") == NULL && strstr(text4, "UEIP-") != NULL, "%s", text4);

    test_guti_tmsi(key);

    /* the key file */
    char dir[] = "/tmp/tpa-privacy-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    char err[256] = "";
    uint8_t k1[TPA_PRIVACY_KEY_LEN], k2[TPA_PRIVACY_KEY_LEN], k3[TPA_PRIVACY_KEY_LEN];
    CHECKF(tpa_llm_privacy_load_key(dir, "", k1, err, sizeof err) == 0, "%s", err);
    CHECK(tpa_llm_privacy_load_key(dir, NULL, k2, err, sizeof err) == 0);
    CHECK(!memcmp(k1, k2, sizeof k1));
    char path[300];
    snprintf(path, sizeof path, "%s/privacy.key", dir);
    struct stat st;
    CHECK(stat(path, &st) == 0 && (st.st_mode & 0777) == 0600);
    CHECK(tpa_llm_privacy_load_key(dir, "operator secret", k3, err, sizeof err) == 0);
    CHECK(memcmp(k1, k3, sizeof k1) != 0);
    unlink(path);
    rmdir(dir);

    free(text);
    free(text2);
    free(text3);
    free(text4);
    free(restored);
    json_decref(ans);
    json_decref(s);
    json_decref(s2);
    json_decref(s3);
    json_decref(s4);
    json_decref(d);
    tpa_llm_privacy_destroy(&p);
    tpa_llm_privacy_destroy(&p2);
    tpa_llm_privacy_destroy(&p3);
    tpa_llm_privacy_destroy(&p4);
    return TEST_DONE();
}
