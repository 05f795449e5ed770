/* test_config.c - tpa_config: defaults, environment, flags, precedence, validation, help. */
#include "tpa_config.h"
#include "tpa_err.h"
#include "tpa_test.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const envs[] = {
    "TPA_HTTP_PORT",     "TPA_HTTP_BIND",       "TPA_DATA_DIR",    "TPA_REDIS_HOST",
    "TPA_REDIS_PORT",    "TPA_GATEWAY_HOST",    "TPA_ZMQ_BIND",    "TPA_ZMQ_PORT",
    "TPA_MAX_UPLOAD_MB", "TPA_PARSER_WORKERS",  "TPA_LLM_WORKERS", "TPA_CLUSTER_TOKEN",
    "TPA_LLM_BASE_URL",  "TPA_LLM_MODEL",       "TPA_LLM_API_KEY", "KIMI_API_KEY",
    "MOONSHOT_API_KEY",  "TPA_LLM_CONCURRENCY", "TPA_LLM_TIMEOUT", "TPA_JOB_RETRIES",
    "TPA_LEASE_SECONDS", "TPA_LOG_LEVEL",       "TPA_WEB_DIR"};

static void clear_env(void)
{
    for (size_t i = 0; i < sizeof envs / sizeof envs[0]; i++)
        unsetenv(envs[i]);
}

/* Runs parse_args on a copy of the given words with stdout/stderr captured into out/err. */
static int run_args(tpa_config_t *c, int argc, const char **words, int *nrest, char **argv_out,
                    char *out, size_t outlen, char *err, size_t errlen)
{
    char *argv[32];
    FILE *fo = tmpfile(), *fe = tmpfile();
    int so = dup(1), se = dup(2), rc;
    size_t n;

    for (int i = 0; i < argc; i++)
        argv[i] = (char *)words[i];
    argv[argc] = NULL;
    fflush(stdout);
    fflush(stderr);
    dup2(fileno(fo), 1);
    dup2(fileno(fe), 2);
    rc = tpa_config_parse_args(c, argc, argv, "usage: test-config [options] FILE", nrest);
    fflush(stdout);
    fflush(stderr);
    dup2(so, 1);
    dup2(se, 2);
    close(so);
    close(se);
    rewind(fo);
    n = fread(out, 1, outlen - 1, fo);
    out[n] = '\0';
    rewind(fe);
    n = fread(err, 1, errlen - 1, fe);
    err[n] = '\0';
    fclose(fo);
    fclose(fe);
    if (argv_out)
        for (int i = 0; i <= argc; i++)
            argv_out[i] = argv[i];
    return rc;
}

static void test_defaults(void)
{
    tpa_config_t c;
    char ep[128];

    clear_env();
    tpa_config_init(&c);
    CHECK(c.http_port == 8080);
    CHECK(!strcmp(c.http_bind, "127.0.0.1"));
    CHECK(!strcmp(c.data_dir, "./var"));
    CHECK(!strcmp(c.redis_host, "127.0.0.1"));
    CHECK(c.redis_port == 6379);
    CHECK(c.zmq_port == 5555);
    CHECK(c.max_upload_mb == 500);
    CHECK(c.parser_workers == 1 && c.llm_workers == 1);
    CHECK(c.cluster_token[0] == '\0');
    CHECK(c.llm_base_url[0] == '\0'); /* no key: built-in analyst */
    CHECK(!strcmp(c.llm_model, TPA_DEFAULT_LLM_MODEL));
    CHECK(c.llm_api_key[0] == '\0');
    CHECK(c.llm_concurrency == 4 && c.llm_timeout_s == 60);
    CHECK(c.job_retries == 3 && c.lease_s == 30);
    CHECK(!strcmp(c.log_level, "info"));
    CHECK(c.web_dir[0] == '\0');

    tpa_config_endpoint(&c, TPA_EP_JOBS, true, ep, sizeof ep);
    CHECK(!strcmp(ep, "tcp://127.0.0.1:5555"));
    tpa_config_endpoint(&c, TPA_EP_TASKS_IN, false, ep, sizeof ep);
    CHECK(!strcmp(ep, "tcp://127.0.0.1:5556"));
    CHECK(tpa_config_set(&c, "gateway-host", "gw.example") == 0);
    CHECK(tpa_config_set(&c, "TPA_ZMQ_BIND", "0.0.0.0") == 0);
    tpa_config_endpoint(&c, TPA_EP_TASKS_OUT, false, ep, sizeof ep);
    CHECK(!strcmp(ep, "tcp://gw.example:5557"));
    tpa_config_endpoint(&c, TPA_EP_TASKS_OUT, true, ep, sizeof ep);
    CHECK(!strcmp(ep, "tcp://0.0.0.0:5557"));
}

static void test_precedence(void)
{
    tpa_config_t c;
    char out[8192], err[2048];
    char *av[32];
    int nrest = -1;
    const char *words[] = {"/usr/bin/test-config",
                           "analyze",
                           "--http-port",
                           "9001",
                           "--redis-host=redis.local",
                           "--pretty",
                           "file.pcap",
                           "--",
                           "--http-port",
                           "7"};

    clear_env();
    setenv("TPA_HTTP_PORT", "9000", 1);
    setenv("TPA_REDIS_PORT", "6380", 1);
    setenv("TPA_REDIS_HOST", "envhost", 1);
    tpa_config_init(&c);
    CHECK(c.http_port == 9000);
    CHECK(c.redis_port == 6380);
    CHECK(!strcmp(c.redis_host, "envhost"));
    CHECK(run_args(&c, 10, words, &nrest, av, out, sizeof out, err, sizeof err) == 0);
    CHECK(c.http_port == 9001);                  /* flag beats env */
    CHECK(c.redis_port == 6380);                 /* env beats default */
    CHECK(!strcmp(c.redis_host, "redis.local")); /* --name=value form */
    CHECKF(nrest == 6, "nrest=%d", nrest);
    CHECK(!strcmp(av[0], "/usr/bin/test-config"));
    CHECK(nrest == 6 && !strcmp(av[1], "analyze") && !strcmp(av[2], "--pretty") &&
          !strcmp(av[3], "file.pcap") && !strcmp(av[4], "--http-port") && !strcmp(av[5], "7") &&
          av[6] == NULL);
    CHECK(err[0] == '\0');
    clear_env();
}

static void test_bad_values(void)
{
    tpa_config_t c;
    char out[8192], err[2048];
    char big[2000];
    int nrest;

    clear_env();
    tpa_config_init(&c);
    CHECK(tpa_config_set(&c, "http-port", "0") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "http-port", "65536") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "http-port", "80x") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "http-port", "") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "http-port", "-1") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "http-port", "99999999999999999999") == TPA_ERR_INVALID);
    CHECK(c.http_port == 8080); /* unchanged by the failures */
    CHECK(tpa_config_set(&c, "http-port", "65535") == 0 && c.http_port == 65535);
    CHECK(tpa_config_set(&c, "zmq-port", "65534") == TPA_ERR_INVALID); /* base+2 must fit */
    CHECK(tpa_config_set(&c, "parser-workers", "0") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "lease-seconds", "0") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "job-retries", "0") == 0 && c.job_retries == 0);
    CHECK(tpa_config_set(&c, "max-upload-mb", "2048") == 0 && c.max_upload_mb == 2048);
    CHECK(tpa_config_set(&c, "log-level", "loud") == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "log-level", "debug") == 0 && !strcmp(c.log_level, "debug"));
    CHECK(tpa_config_set(&c, "redis-host", "") == TPA_ERR_INVALID);
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    CHECK(tpa_config_set(&c, "data-dir", big) == TPA_ERR_INVALID);
    CHECK(tpa_config_set(&c, "no-such-setting", "1") == TPA_ERR_NOTFOUND);
    CHECK(tpa_config_set(&c, "TPA_NO_SUCH", "1") == TPA_ERR_NOTFOUND);

    /* A bad flag: one line on stderr naming the setting, negative return. */
    {
        const char *w[] = {"prog", "--redis-port", "abc"};
        CHECK(run_args(&c, 3, w, &nrest, NULL, out, sizeof out, err, sizeof err) ==
              TPA_ERR_INVALID);
        CHECKF(strstr(err, "TPA_REDIS_PORT") && strstr(err, "--redis-port") && strstr(err, "abc"),
               "stderr: %s", err);
        CHECK(strchr(err, '\n') == err + strlen(err) - 1);
    }
    {
        const char *w[] = {"prog", "--lease-seconds"};
        CHECK(run_args(&c, 2, w, &nrest, NULL, out, sizeof out, err, sizeof err) ==
              TPA_ERR_INVALID);
        CHECK(strstr(err, "needs a value") != NULL);
    }
    /* A bad environment value makes parse_args fail even without flags. */
    {
        const char *w[] = {"prog"};
        setenv("TPA_LLM_CONCURRENCY", "many", 1);
        tpa_config_init(&c);
        CHECK(c.llm_concurrency == 4);
        CHECK(run_args(&c, 1, w, &nrest, NULL, out, sizeof out, err, sizeof err) ==
              TPA_ERR_INVALID);
        /* ... but --help still works. */
        {
            const char *wh[] = {"prog", "--help"};
            CHECK(run_args(&c, 2, wh, &nrest, NULL, out, sizeof out, err, sizeof err) == 1);
        }
        unsetenv("TPA_LLM_CONCURRENCY");
    }
    clear_env();
}

static void test_api_key(void)
{
    tpa_config_t c;
    char out[8192], err[2048];
    int nrest;
    const char *secret = "sk-test-SECRET-4242";

    clear_env();
    setenv("KIMI_API_KEY", secret, 1);
    tpa_config_init(&c);
    CHECK(!strcmp(c.llm_api_key, secret));
    CHECK(!strcmp(c.llm_base_url, "https://api.moonshot.ai/v1"));

    clear_env();
    setenv("MOONSHOT_API_KEY", "moon", 1);
    setenv("TPA_LLM_BASE_URL", "http://127.0.0.1:8081/v1", 1);
    tpa_config_init(&c);
    CHECK(!strcmp(c.llm_api_key, "moon"));
    CHECK(!strcmp(c.llm_base_url, "http://127.0.0.1:8081/v1")); /* explicit URL kept */

    setenv("TPA_LLM_API_KEY", "primary", 1);
    setenv("KIMI_API_KEY", "kimi", 1);
    tpa_config_init(&c);
    CHECK(!strcmp(c.llm_api_key, "primary")); /* TPA_LLM_API_KEY wins over fallbacks */

    /* --help: usage + table on stdout, returns 1, never the key, says it is set. */
    clear_env();
    setenv("TPA_LLM_API_KEY", secret, 1);
    tpa_config_init(&c);
    {
        const char *w[] = {"prog", "--llm-api-key", secret, "--help"};
        CHECK(run_args(&c, 4, w, &nrest, NULL, out, sizeof out, err, sizeof err) == 1);
        CHECK(strstr(out, "usage: test-config") != NULL);
        CHECK(strstr(out, "--http-port") && strstr(out, "TPA_HTTP_PORT"));
        CHECK(strstr(out, "TPA_LLM_API_KEY") && strstr(out, "currently set"));
        CHECK(strstr(out, TPA_DEFAULT_LLM_MODEL) != NULL);
        CHECKF(strstr(out, secret) == NULL && strstr(err, secret) == NULL, "key leaked in help");
    }
    /* A rejected key value is not echoed either. */
    {
        char longkey[400];
        const char *w[] = {"prog", "--llm-api-key", longkey};
        memset(longkey, 'K', sizeof longkey - 1);
        longkey[sizeof longkey - 1] = '\0';
        CHECK(run_args(&c, 3, w, &nrest, NULL, out, sizeof out, err, sizeof err) ==
              TPA_ERR_INVALID);
        CHECK(strstr(err, "TPA_LLM_API_KEY") != NULL && strstr(err, "KKKKKKKK") == NULL);
    }
    /* tpa_config_print_help with no config: reports "not set" from the environment. */
    clear_env();
    {
        FILE *f = tmpfile();
        size_t n;
        tpa_config_print_help(f);
        rewind(f);
        n = fread(out, 1, sizeof out - 1, f);
        out[n] = '\0';
        fclose(f);
        CHECK(strstr(out, "not set") != NULL && strstr(out, "TPA_WEB_DIR") != NULL);
    }
}

int main(void)
{
    test_defaults();
    test_precedence();
    test_bad_values();
    test_api_key();
    return TEST_DONE();
}
