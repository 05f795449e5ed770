/* tpa_config.c - settings from defaults, TPA_* environment and --flags.
 *
 * Every setting is one row of `settings[]`: adding a setting is adding a row
 * (plus the field in tpa_config_t). The flag name is derived from the env name:
 * TPA_HTTP_PORT -> --http-port.
 */
#include "tpa_config.h"
#include "tpa_err.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define TPA_MOONSHOT_BASE_URL "https://api.moonshot.ai/v1"

enum set_type {
    SET_INT,    /* int in [min, max] */
    SET_LONG,   /* long in [min, max] */
    SET_STR,    /* string, may be empty unless min > 0 */
    SET_SECRET, /* string never printed */
    SET_LEVEL   /* log level keyword */
};

typedef struct setting {
    const char *env; /* TPA_HTTP_PORT */
    enum set_type type;
    size_t off;      /* offset in tpa_config_t */
    size_t size;     /* field size (strings: buffer size) */
    const char *def; /* default as text */
    long min, max;   /* integer range; for strings min=1 means "must not be empty" */
    const char *help;
} setting_t;

#define F(field) offsetof(tpa_config_t, field), sizeof(((tpa_config_t *)0)->field)

static const setting_t settings[] = {
    {"TPA_HTTP_PORT", SET_INT, F(http_port), "8080", 1, 65535, "HTTP port of the gateway"},
    {"TPA_HTTP_BIND", SET_STR, F(http_bind), "127.0.0.1", 1, 0,
     "address the gateway's HTTP server binds"},
    {"TPA_DATA_DIR", SET_STR, F(data_dir), "./var", 1, 0, "data directory (capture store)"},
    {"TPA_REDIS_HOST", SET_STR, F(redis_host), "127.0.0.1", 1, 0, "Redis host"},
    {"TPA_REDIS_PORT", SET_INT, F(redis_port), "6379", 1, 65535, "Redis port"},
    {"TPA_GATEWAY_HOST", SET_STR, F(gateway_host), "127.0.0.1", 1, 0,
     "host where workers reach the gateway (ZeroMQ and internal HTTP)"},
    {"TPA_ZMQ_BIND", SET_STR, F(zmq_bind), "127.0.0.1", 1, 0,
     "interface the gateway's ZeroMQ sockets bind"},
    {"TPA_ZMQ_PORT", SET_INT, F(zmq_port), "5555", 1, 65533,
     "ZeroMQ base port: jobs=base, tasks in=base+1, tasks out=base+2"},
    {"TPA_MAX_UPLOAD_MB", SET_LONG, F(max_upload_mb), "500", 1, 1048576, "upload size limit in MB"},
    {"TPA_PARSER_WORKERS", SET_INT, F(parser_workers), "1", 1, 1024,
     "parser workers (stack launcher)"},
    {"TPA_LLM_WORKERS", SET_INT, F(llm_workers), "1", 1, 1024, "LLM workers (stack launcher)"},
    {"TPA_CLUSTER_TOKEN", SET_SECRET, F(cluster_token), "", 0, 0,
     "token protecting internal endpoints"},
    {"TPA_LLM_BASE_URL", SET_STR, F(llm_base_url), "", 0, 0,
     "OpenAI-compatible API base URL; empty: built-in analyst, or " TPA_MOONSHOT_BASE_URL
     " when an API key is set"},
    {"TPA_LLM_MODEL", SET_STR, F(llm_model), TPA_DEFAULT_LLM_MODEL, 1, 0, "LLM model id"},
    {"TPA_LLM_API_KEY", SET_SECRET, F(llm_api_key), "", 0, 0,
     "LLM API key (also read from KIMI_API_KEY, MOONSHOT_API_KEY)"},
    {"TPA_LLM_CONCURRENCY", SET_INT, F(llm_concurrency), "4", 1, 1024, "concurrent LLM requests"},
    {"TPA_LLM_TIMEOUT", SET_INT, F(llm_timeout_s), "60", 1, 86400,
     "LLM request timeout in seconds"},
    {"TPA_LLM_TOKEN_BUDGET", SET_INT, F(llm_token_budget), "6000", 200, 1000000,
     "LLM prompt budget in tokens (about 4 characters each)"},
    {"TPA_LLM_CACHE_TTL", SET_LONG, F(llm_cache_ttl_s), "604800", 0, 31536000,
     "LLM answer cache lifetime in seconds (0: no cache)"},
    {"TPA_LLM_PRIVACY", SET_STR, F(llm_privacy), "on", 1, 0,
     "pseudonymise subscriber identities in LLM prompts: on or off"},
    {"TPA_LLM_PRIVACY_IP", SET_STR, F(llm_privacy_ip), "off", 1, 0,
     "also pseudonymise UE IP addresses: on or off"},
    {"TPA_PRIVACY_KEY", SET_SECRET, F(privacy_key), "", 0, 0,
     "pseudonymisation key; empty: <data_dir>/privacy.key (created on first use)"},
    {"TPA_JOB_RETRIES", SET_INT, F(job_retries), "3", 0, 1000,
     "times a job is re-queued after a lost lease"},
    {"TPA_LEASE_SECONDS", SET_INT, F(lease_s), "30", 1, 86400, "worker lease in seconds"},
    {"TPA_LOG_LEVEL", SET_LEVEL, F(log_level), "info", 0, 0, "log level: debug, info, warn, error"},
    {"TPA_WEB_DIR", SET_STR, F(web_dir), "", 0, 0, "static UI directory; empty: built-in page"},
};

#define NSETTINGS (sizeof settings / sizeof settings[0])

/* Fallback environment names for the API key, tried in order when TPA_LLM_API_KEY is unset. */
static const char *const key_fallbacks[] = {"KIMI_API_KEY", "MOONSHOT_API_KEY"};

/* "TPA_HTTP_PORT" -> "http-port" */
static void flag_name(const setting_t *s, char *out, size_t outlen)
{
    const char *p = s->env + 4;
    size_t i = 0;
    for (; p[i] && i + 1 < outlen; i++) {
        char ch = p[i];
        out[i] = ch == '_' ? '-' : (char)((ch >= 'A' && ch <= 'Z') ? ch - 'A' + 'a' : ch);
    }
    out[i] = '\0';
}

static const setting_t *find_setting(const char *name, size_t namelen)
{
    char flag[64];
    for (size_t i = 0; i < NSETTINGS; i++) {
        const setting_t *s = &settings[i];
        flag_name(s, flag, sizeof flag);
        if (strlen(flag) == namelen && !strncmp(flag, name, namelen)) return s;
        if (strlen(s->env) == namelen && !strncmp(s->env, name, namelen)) return s;
    }
    return NULL;
}

/* Validates and stores value into c. On failure writes the reason to why. */
static int apply(tpa_config_t *c, const setting_t *s, const char *value, char *why, size_t whylen)
{
    char *field = (char *)c + s->off;

    switch (s->type) {
    case SET_INT:
    case SET_LONG: {
        char *end = NULL;
        long v;
        errno = 0;
        v = strtol(value, &end, 10);
        if (!*value || errno || *end || v < s->min || v > s->max) {
            snprintf(why, whylen, "expected an integer from %ld to %ld", s->min, s->max);
            return TPA_ERR_INVALID;
        }
        if (s->type == SET_INT) {
            int iv = (int)v;
            memcpy(field, &iv, sizeof iv);
        } else {
            memcpy(field, &v, sizeof v);
        }
        return 0;
    }
    case SET_LEVEL:
        if (strcasecmp(value, "debug") && strcasecmp(value, "info") && strcasecmp(value, "warn") &&
            strcasecmp(value, "warning") && strcasecmp(value, "error")) {
            snprintf(why, whylen, "expected one of debug, info, warn, error");
            return TPA_ERR_INVALID;
        }
        /* fall through */
    case SET_STR:
    case SET_SECRET: {
        size_t n = strlen(value);
        if (n >= s->size) {
            snprintf(why, whylen, "longer than %zu characters", s->size - 1);
            return TPA_ERR_INVALID;
        }
        if (s->min > 0 && n == 0) {
            snprintf(why, whylen, "must not be empty");
            return TPA_ERR_INVALID;
        }
        memcpy(field, value, n + 1);
        return 0;
    }
    }
    snprintf(why, whylen, "unsupported setting type");
    return TPA_ERR_INVALID;
}

/* An API key without a base URL means Moonshot's hosted Kimi API. */
static void finish(tpa_config_t *c)
{
    if (c->llm_api_key[0] && !c->llm_base_url[0])
        snprintf(c->llm_base_url, sizeof c->llm_base_url, "%s", TPA_MOONSHOT_BASE_URL);
}

static void report_bad(FILE *f, const char *prog, const setting_t *s, const char *how,
                       const char *value, const char *why)
{
    char flag[64];
    flag_name(s, flag, sizeof flag);
    if (s->type == SET_SECRET)
        fprintf(f, "%s: invalid %s (--%s) from %s: %s\n", prog, s->env, flag, how, why);
    else
        fprintf(f, "%s: invalid %s (--%s) from %s: \"%.80s\": %s\n", prog, s->env, flag, how, value,
                why);
}

/* Returns the environment value for s (with the API key fallbacks), or NULL. */
static const char *env_value(const setting_t *s, const char **from)
{
    const char *v = getenv(s->env);
    *from = s->env;
    if ((!v || !*v) && !strcmp(s->env, "TPA_LLM_API_KEY")) {
        for (size_t i = 0; i < sizeof key_fallbacks / sizeof key_fallbacks[0]; i++) {
            const char *fb = getenv(key_fallbacks[i]);
            if (fb && *fb) {
                *from = key_fallbacks[i];
                return fb;
            }
        }
    }
    return v;
}

/* Applies the environment to c. If report is set, each bad value is described on stderr.
 * Returns 0 or TPA_ERR_INVALID if any value was rejected (the default is kept). */
static int apply_env(tpa_config_t *c, bool report)
{
    int rc = 0;
    for (size_t i = 0; i < NSETTINGS; i++) {
        const char *from;
        const char *v = env_value(&settings[i], &from);
        char why[128];
        if (!v) continue;
        if (apply(c, &settings[i], v, why, sizeof why) < 0) {
            if (report) {
                char how[80];
                snprintf(how, sizeof how, "environment %s", from);
                report_bad(stderr, "tpa", &settings[i], how, v, why);
            }
            rc = TPA_ERR_INVALID;
        }
    }
    return rc;
}

static void set_defaults(tpa_config_t *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < NSETTINGS; i++) {
        char why[128];
        /* Defaults are valid by construction; a failure here is a programming error. */
        if (apply(c, &settings[i], settings[i].def, why, sizeof why) < 0)
            fprintf(stderr, "tpa: internal error: default of %s: %s\n", settings[i].env, why);
    }
}

void tpa_config_init(tpa_config_t *c)
{
    set_defaults(c);
    apply_env(c, true);
    finish(c);
}

int tpa_config_set(tpa_config_t *c, const char *name, const char *value)
{
    const setting_t *s;
    char why[128];
    int rc;

    if (!c || !name || !value) return TPA_ERR_INVALID;
    s = find_setting(name, strlen(name));
    if (!s) return TPA_ERR_NOTFOUND;
    rc = apply(c, s, value, why, sizeof why);
    if (rc == 0) finish(c);
    return rc;
}

static void print_help_cfg(FILE *f, const tpa_config_t *c)
{
    fprintf(
        f, "Settings (flag / environment, default). Precedence: defaults < environment < flags.\n");
    for (size_t i = 0; i < NSETTINGS; i++) {
        const setting_t *s = &settings[i];
        char flag[64], left[96];
        const char *arg = (s->type == SET_INT || s->type == SET_LONG) ? "N" : "TEXT";
        flag_name(s, flag, sizeof flag);
        snprintf(left, sizeof left, "--%s %s", flag, arg);
        fprintf(f, "  %-26s %-20s %s\n", left, s->env, s->help);
        if (s->type == SET_SECRET) {
            bool set;
            if (c) {
                set = *((const char *)c + s->off) != '\0';
            } else {
                const char *from;
                const char *v = env_value(s, &from);
                set = v && *v;
            }
            fprintf(f, "  %-26s %-20s (secret, currently %s)\n", "", "", set ? "set" : "not set");
        } else if (*s->def) {
            fprintf(f, "  %-26s %-20s (default: %s)\n", "", "", s->def);
        }
    }
}

void tpa_config_print_help(void *file)
{
    print_help_cfg(file ? (FILE *)file : stdout, NULL);
}

int tpa_config_parse_args(tpa_config_t *c, int argc, char **argv, const char *usage, int *nrest)
{
    const char *prog = (argc > 0 && argv[0]) ? argv[0] : "tpa";
    int out = argc > 0 ? 1 : 0;
    int rc = 0, env_rc = 0;
    bool rest_only = false;

    {
        const char *slash = strrchr(prog, '/');
        if (slash && slash[1]) prog = slash + 1;
    }

    /* A bad environment value was already described by tpa_config_init; it fails the
     * parse unless --help comes first. */
    {
        tpa_config_t scratch;
        set_defaults(&scratch);
        if (apply_env(&scratch, false) < 0) env_rc = TPA_ERR_INVALID;
    }

    for (int i = 1; i < argc && rc == 0; i++) {
        char *arg = argv[i];
        const setting_t *s;
        const char *eq, *value;
        size_t namelen;
        char why[128];

        if (rest_only || arg[0] != '-' || arg[1] != '-' || arg[2] == '\0') {
            if (!rest_only && !strcmp(arg, "--")) {
                rest_only = true;
                continue;
            }
            if (!rest_only && !strcmp(arg, "-h")) goto help;
            argv[out++] = arg;
            continue;
        }
        if (!strcmp(arg, "--help")) goto help;
        eq = strchr(arg + 2, '=');
        namelen = eq ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);
        s = find_setting(arg + 2, namelen);
        if (!s || !strncmp(arg + 2, "TPA_", 4)) { /* flags only by their flag name */
            argv[out++] = arg;
            continue;
        }
        if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            fprintf(stderr, "%s: --%.*s needs a value (see --help)\n", prog, (int)namelen, arg + 2);
            rc = TPA_ERR_INVALID;
            break;
        }
        if (apply(c, s, value, why, sizeof why) < 0) {
            report_bad(stderr, prog, s, "flag", value, why);
            rc = TPA_ERR_INVALID;
            break;
        }
    }
    if (rc == 0) rc = env_rc;
    if (rc == 0) finish(c);
    if (out < argc) argv[out] = NULL;
    if (nrest) *nrest = out;
    return rc;

help:
    if (usage && *usage) fprintf(stdout, "%s\n\n", usage);
    print_help_cfg(stdout, c);
    fflush(stdout);
    if (nrest) *nrest = out;
    return 1;
}

void tpa_config_endpoint(const tpa_config_t *c, int which, bool bind, char *buf, size_t len)
{
    const char *host = bind ? c->zmq_bind : c->gateway_host;
    int port = c->zmq_port + which;
    bool v6 = strchr(host, ':') != NULL && host[0] != '[';

    if (!buf || len == 0) return;
    snprintf(buf, len, "tcp://%s%s%s:%d", v6 ? "[" : "", host, v6 ? "]" : "", port);
}
