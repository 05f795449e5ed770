/* tpa_config.h - configuration shared by every binary.
 *
 * Every setting has an environment variable TPA_<NAME> and an equivalent flag
 * --<name> (lower case, '_' -> '-'), e.g. TPA_HTTP_PORT / --http-port.
 * Precedence: defaults < environment < flags.
 */
#ifndef TPA_CONFIG_H
#define TPA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define TPA_PATH_MAX 1024

/* Default LLM model id (Moonshot Kimi K2). */
#define TPA_DEFAULT_LLM_MODEL "kimi-k2-0905-preview"

typedef struct tpa_config {
    int http_port;                   /* TPA_HTTP_PORT, default 8080 */
    char http_bind[64];              /* TPA_HTTP_BIND, default 127.0.0.1 */
    char data_dir[TPA_PATH_MAX];     /* TPA_DATA_DIR, default ./var */
    char redis_host[256];            /* TPA_REDIS_HOST, default 127.0.0.1 */
    int redis_port;                  /* TPA_REDIS_PORT, default 6379 */
    char gateway_host[256];          /* TPA_GATEWAY_HOST: where workers find the gateway's
                                        ZeroMQ endpoints and internal HTTP, default 127.0.0.1 */
    char zmq_bind[64];               /* TPA_ZMQ_BIND: interface the gateway binds, default 127.0.0.1 */
    int zmq_port;                    /* TPA_ZMQ_PORT: base port, default 5555.
                                        jobs = base, tasks in = base+1, tasks out = base+2 */
    long max_upload_mb;              /* TPA_MAX_UPLOAD_MB, default 500 */
    int parser_workers;              /* TPA_PARSER_WORKERS, default 1 (stack launcher) */
    int llm_workers;                 /* TPA_LLM_WORKERS, default 1 (stack launcher) */
    char cluster_token[128];         /* TPA_CLUSTER_TOKEN: protects internal endpoints */
    char llm_base_url[512];          /* TPA_LLM_BASE_URL, empty = built-in analyst. When an API
                                        key is set and no base URL is given, it becomes Moonshot's
                                        https://api.moonshot.ai/v1. */
    char llm_model[128];             /* TPA_LLM_MODEL, default TPA_DEFAULT_LLM_MODEL */
    char llm_api_key[256];           /* TPA_LLM_API_KEY / KIMI_API_KEY / MOONSHOT_API_KEY; never logged */
    int llm_concurrency;             /* TPA_LLM_CONCURRENCY, default 4 */
    int llm_timeout_s;               /* TPA_LLM_TIMEOUT, default 60 */
    int llm_token_budget;            /* TPA_LLM_TOKEN_BUDGET: prompt size in tokens (~4 chars
                                        each), default 6000 */
    long llm_cache_ttl_s;            /* TPA_LLM_CACHE_TTL: answer cache TTL in seconds,
                                        default 604800 (7 days); 0 = no cache */
    char llm_privacy[8];             /* TPA_LLM_PRIVACY: on|off, default on */
    char llm_privacy_ip[8];          /* TPA_LLM_PRIVACY_IP: on|off (UE IPs too), default off */
    char privacy_key[128];           /* TPA_PRIVACY_KEY: pseudonymisation key; empty: the key
                                        in <data_dir>/privacy.key. Never logged */
    int job_retries;                 /* TPA_JOB_RETRIES, default 3 */
    int lease_s;                     /* TPA_LEASE_SECONDS, default 30 */
    char log_level[16];              /* TPA_LOG_LEVEL: debug, info, warn, error; default info */
    char web_dir[TPA_PATH_MAX];      /* TPA_WEB_DIR: static UI files, default: built-in page */
} tpa_config_t;

/* Fills *c with defaults, then applies the environment. An invalid environment value
 * is described on stderr and the default kept; tpa_config_parse_args then fails. */
void tpa_config_init(tpa_config_t *c);

/* Sets one setting by its flag name ("http-port") or env name ("TPA_HTTP_PORT").
 * Returns 0, TPA_ERR_NOTFOUND for an unknown name, TPA_ERR_INVALID for a bad value. */
int tpa_config_set(tpa_config_t *c, const char *name, const char *value);

/* Parses argv for --<setting> VALUE / --<setting>=VALUE and --help (or -h).
 * Arguments that are not settings (including unknown --flags and everything after
 * "--") are moved, in order, to the front of argv; *nrest (may be NULL) receives the
 * new argc: argv[0] stays first, argv[1..*nrest-1] are the remaining arguments and
 * argv[*nrest] is NULL. Call after tpa_config_init; returns 0 on success.
 * On --help prints `usage` then the list of settings to stdout and returns 1;
 * on a bad flag prints one line to stderr and returns a negative TPA_ERR_*. */
int tpa_config_parse_args(tpa_config_t *c, int argc, char **argv, const char *usage, int *nrest);

/* Writes the text listing every setting, its env name and default, to f (a FILE *,
 * NULL = stdout). Secrets are never printed, only whether they are set. */
void tpa_config_print_help(void *file);

/* Endpoints. `which` is one of TPA_EP_*. Writes e.g. "tcp://127.0.0.1:5555".
 * bind=true gives the gateway's bind address, false the workers' connect address. */
enum { TPA_EP_JOBS = 0, TPA_EP_TASKS_IN = 1, TPA_EP_TASKS_OUT = 2 };
void tpa_config_endpoint(const tpa_config_t *c, int which, bool bind, char *buf, size_t len);

#endif
