/* tpa_llm_privacy.c - identity pseudonymisation (see tpa_llm_privacy.h). */
#include "tpa_llm_privacy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tpa_err.h"
#include "tpa_sha256.h"

#define MIN_FREE_TEXT 5 /* shorter identities are only replaced where they stand alone */

typedef struct pair {
    char *kind, *value, *token;
} pair_t;

struct tpa_llm_privacy {
    uint8_t key[TPA_PRIVACY_KEY_LEN];
    bool ips;
    pair_t *v;
    size_t n, cap;
};

static const struct {
    const char *name, *kind;
} id_keys[] = {
    {"imsi", "IMSI"},   {"supi", "SUPI"},       {"suci", "SUCI"},   {"msisdn", "MSISDN"},
    {"gpsi", "GPSI"},   {"imei", "IMEI"},       {"imeisv", "IMEI"}, {"pei", "PEI"},
    {"sip_uri", "SIP"}, {"impu", "SIP"},        {"impi", "SIP"},    {"from_uri", "SIP"},
    {"to_uri", "SIP"},  {"request_uri", "SIP"}, {"contact", "SIP"}, {"guti", "GUTI"},
    {"tmsi", "TMSI"},
};

void tpa_llm_hmac_sha256(const uint8_t *key, size_t keylen, const void *msg, size_t len,
                         uint8_t out[32])
{
    uint8_t k[64], pad[64], inner[32];
    tpa_sha256_t s;
    memset(k, 0, sizeof k);
    if (keylen > sizeof k) {
        tpa_sha256_init(&s);
        tpa_sha256_update(&s, key, keylen);
        tpa_sha256_final(&s, k);
    } else if (keylen) {
        memcpy(k, key, keylen);
    }
    for (size_t i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x36;
    tpa_sha256_init(&s);
    tpa_sha256_update(&s, pad, 64);
    tpa_sha256_update(&s, msg, len);
    tpa_sha256_final(&s, inner);
    for (size_t i = 0; i < 64; i++)
        pad[i] = k[i] ^ 0x5c;
    tpa_sha256_init(&s);
    tpa_sha256_update(&s, pad, 64);
    tpa_sha256_update(&s, inner, sizeof inner);
    tpa_sha256_final(&s, out);
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static int read_key_file(const char *path, uint8_t key[TPA_PRIVACY_KEY_LEN])
{
    char buf[130];
    FILE *f = fopen(path, "r");
    if (!f) return TPA_ERR_IO;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (size_t i = 0; i < TPA_PRIVACY_KEY_LEN; i++) {
        int hi = hexval(buf[2 * i]), lo = hi < 0 ? -1 : hexval(buf[2 * i + 1]);
        if (hi < 0 || lo < 0) return TPA_ERR_FORMAT;
        key[i] = (uint8_t)(hi << 4 | lo);
    }
    return 0;
}

int tpa_llm_privacy_load_key(const char *data_dir, const char *key_text,
                             uint8_t key[TPA_PRIVACY_KEY_LEN], char *err, size_t errlen)
{
    if (key_text && key_text[0]) {
        tpa_sha256_t s;
        tpa_sha256_init(&s);
        tpa_sha256_update(&s, key_text, strlen(key_text));
        tpa_sha256_final(&s, key);
        return 0;
    }
    char path[1200];
    snprintf(path, sizeof path, "%s/privacy.key", data_dir);
    int rc = read_key_file(path, key);
    if (rc == 0) return 0;
    if (rc == TPA_ERR_FORMAT) {
        snprintf(err, errlen, "%s: not a key of 64 hex digits", path);
        return rc;
    }
    mkdir(data_dir, 0700); /* the data directory may not exist yet on a worker host */
    uint8_t raw[TPA_PRIVACY_KEY_LEN];
    FILE *r = fopen("/dev/urandom", "rb");
    if (!r || fread(raw, 1, sizeof raw, r) != sizeof raw) {
        if (r) fclose(r);
        snprintf(err, errlen, "cannot read /dev/urandom for a new privacy key");
        return TPA_ERR_IO;
    }
    fclose(r);
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        if (errno == EEXIST && read_key_file(path, key) == 0) return 0; /* another worker won */
        snprintf(err, errlen, "cannot create %s: %s", path, strerror(errno));
        return TPA_ERR_IO;
    }
    char hex[2 * TPA_PRIVACY_KEY_LEN + 2];
    for (size_t i = 0; i < TPA_PRIVACY_KEY_LEN; i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    hex[2 * TPA_PRIVACY_KEY_LEN] = '\n';
    ssize_t w = write(fd, hex, 2 * TPA_PRIVACY_KEY_LEN + 1);
    close(fd);
    if (w != 2 * TPA_PRIVACY_KEY_LEN + 1) {
        unlink(path);
        snprintf(err, errlen, "cannot write %s", path);
        return TPA_ERR_IO;
    }
    memcpy(key, raw, sizeof raw);
    return 0;
}

tpa_llm_privacy_t *tpa_llm_privacy_new(const uint8_t key[TPA_PRIVACY_KEY_LEN], bool ue_ips)
{
    tpa_llm_privacy_t *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    memcpy(p->key, key, TPA_PRIVACY_KEY_LEN);
    p->ips = ue_ips;
    return p;
}

void tpa_llm_privacy_destroy(tpa_llm_privacy_t **pp)
{
    if (!pp || !*pp) return;
    tpa_llm_privacy_t *p = *pp;
    for (size_t i = 0; i < p->n; i++) {
        free(p->v[i].kind);
        free(p->v[i].value);
        free(p->v[i].token);
    }
    free(p->v);
    memset(p->key, 0, sizeof p->key);
    free(p);
    *pp = NULL;
}

size_t tpa_llm_privacy_count(const tpa_llm_privacy_t *p)
{
    return p->n;
}

/* Token with `hexlen` hex digits of the HMAC. */
static void make_token(const tpa_llm_privacy_t *p, const char *kind, const char *value,
                       size_t hexlen, char *buf, size_t len)
{
    uint8_t mac[32];
    size_t kl = strlen(kind), vl = strlen(value);
    char *msg = malloc(kl + vl + 2);
    if (!msg) {
        snprintf(buf, len, "%s-x", kind);
        return;
    }
    memcpy(msg, kind, kl);
    msg[kl] = ':';
    memcpy(msg + kl + 1, value, vl + 1);
    tpa_llm_hmac_sha256(p->key, sizeof p->key, msg, kl + vl + 1, mac);
    free(msg);
    size_t o = (size_t)snprintf(buf, len, "%s-", kind);
    for (size_t i = 0; i < hexlen / 2 && o + 2 < len; i++, o += 2)
        snprintf(buf + o, 3, "%02x", mac[i]);
}

void tpa_llm_privacy_token(const tpa_llm_privacy_t *p, const char *kind, const char *value,
                           char *buf, size_t len)
{
    make_token(p, kind, value, 6, buf, len);
}

static pair_t *find_value(const tpa_llm_privacy_t *p, const char *value)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].value, value)) return &p->v[i];
    return NULL;
}

static bool token_used(const tpa_llm_privacy_t *p, const char *token)
{
    for (size_t i = 0; i < p->n; i++)
        if (!strcmp(p->v[i].token, token)) return true;
    return false;
}

static int add(tpa_llm_privacy_t *p, const char *kind, const char *value);

/* A GUTI or TMSI as the engine writes them (tpa_nas.h identities) also names the
 * shorter forms of its TMSI, which may stand alone in other text: the 5G-GUTI
 * "<mcc><mnc>-<region>-<set>-<pointer>-<5G-TMSI hex>" its 5G-S-TMSI
 * "<set>-<pointer>-<hex>" and the hex; the EPS GUTI "<mcc><mnc>-<mmegi>-<mmec>-<M-TMSI
 * hex>" and a 5G-S-TMSI their hex. Returns 0 or TPA_ERR_NOMEM. */
static int add_tmsi_parts(tpa_llm_privacy_t *p, const char *kind, const char *value)
{
    const char *dash[4];
    int n = 0;
    for (const char *c = value; *c && n < 4; c++)
        if (*c == '-') dash[n++] = c;
    if (!strcmp(kind, "GUTI") && n == 4) {
        int rc = add(p, "TMSI", dash[1] + 1);
        if (rc) return rc;
    }
    const char *last = strrchr(value, '-');
    if (last && strlen(last + 1) == 8 && strspn(last + 1, "0123456789abcdefABCDEF") == 8)
        return add(p, "TMSI", last + 1);
    return 0;
}

/* Remembers (kind, value); returns 0 or TPA_ERR_NOMEM. Empty values are ignored. */
static int add(tpa_llm_privacy_t *p, const char *kind, const char *value)
{
    if (!value[0] || find_value(p, value)) return 0;
    if (p->n == p->cap) {
        size_t cap = p->cap ? 2 * p->cap : 16;
        pair_t *v = realloc(p->v, cap * sizeof *v);
        if (!v) return TPA_ERR_NOMEM;
        p->v = v;
        p->cap = cap;
    }
    char tok[64];
    /* A collision with another identity's token takes more digits (never ambiguous). */
    for (size_t hexlen = 6; hexlen <= 32; hexlen += 4) {
        make_token(p, kind, value, hexlen, tok, sizeof tok);
        if (!token_used(p, tok)) break;
    }
    pair_t *e = &p->v[p->n];
    e->kind = strdup(kind);
    e->value = strdup(value);
    e->token = strdup(tok);
    if (!e->kind || !e->value || !e->token) {
        free(e->kind);
        free(e->value);
        free(e->token);
        return TPA_ERR_NOMEM;
    }
    p->n++;
    if (!strcmp(kind, "GUTI") || !strcmp(kind, "TMSI")) return add_tmsi_parts(p, kind, value);
    /* "imsi-001010000000001" (SUPI/SUCI) and "msisdn-..." (GPSI) also name the digits. */
    if (!strncmp(value, "imsi-", 5) && value[5]) return add(p, "IMSI", value + 5);
    if (!strncmp(value, "msisdn-", 7) && value[7]) return add(p, "MSISDN", value + 7);
    if (!strncmp(value, "tel:", 4) && value[4]) {
        const char *d = value[4] == '+' ? value + 5 : value + 4;
        size_t n = strspn(d, "0123456789");
        if (n >= MIN_FREE_TEXT && n < 32) {
            char digits[32];
            memcpy(digits, d, n);
            digits[n] = '\0';
            return add(p, "MSISDN", digits);
        }
    }
    return 0;
}

static const char *kind_of(const tpa_llm_privacy_t *p, const char *key)
{
    for (size_t i = 0; i < sizeof id_keys / sizeof id_keys[0]; i++)
        if (!strcmp(key, id_keys[i].name)) return id_keys[i].kind;
    if (p->ips && (!strcmp(key, "ue_ip") || !strcmp(key, "ue_ips"))) return "UEIP";
    return NULL;
}

/* Registers the URIs ("sip:", "sips:", "tel:") found inside s. */
static int scan_uris(tpa_llm_privacy_t *p, const char *s)
{
    static const char *const schemes[] = {"sip:", "sips:", "tel:"};
    for (const char *c = s; *c; c++) {
        for (size_t k = 0; k < 3; k++) {
            size_t sl = strlen(schemes[k]);
            if (strncasecmp(c, schemes[k], sl)) continue;
            if (c > s && (c[-1] == '_' || (c[-1] >= 'a' && c[-1] <= 'z'))) continue;
            size_t n = sl + strcspn(c + sl, " \t\r\n<>\";,()[]{}'");
            if (n <= sl || n > 256) continue;
            char buf[260];
            memcpy(buf, c, n);
            buf[n] = '\0';
            int rc = add(p, "SIP", buf);
            if (rc) return rc;
            c += n - 1;
            break;
        }
    }
    return 0;
}

static int collect_value(tpa_llm_privacy_t *p, const char *kind, const json_t *v)
{
    char num[32];
    if (json_is_string(v)) return add(p, kind, json_string_value(v));
    if (json_is_integer(v)) {
        snprintf(num, sizeof num, "%lld", (long long)json_integer_value(v));
        return add(p, kind, num);
    }
    if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            int rc = collect_value(p, kind, x);
            if (rc) return rc;
        }
    }
    return 0;
}

/* Pass 1: every identity under a known key, and every URI in any string. */
static int collect(tpa_llm_privacy_t *p, const json_t *v)
{
    int rc = 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach((json_t *)v, k, x)
        {
            const char *kind = kind_of(p, k);
            rc = kind ? collect_value(p, kind, x) : 0;
            if (!rc) rc = collect(p, x);
            if (rc) return rc;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if ((rc = collect(p, x))) return rc;
        }
    } else if (json_is_string(v)) {
        rc = scan_uris(p, json_string_value(v));
    }
    return rc;
}

typedef struct order {
    const pair_t *pair;
    const char *from, *to;
    size_t len;
} order_t;

static int by_len_desc(const void *a, const void *b)
{
    size_t x = ((const order_t *)a)->len, y = ((const order_t *)b)->len;
    return (x < y) - (x > y);
}

/* Replaces in s every `from` by its `to` (longest first, left to right, no rescanning of
 * replaced text). Returns a new string (caller frees) or NULL when nothing changed or out
 * of memory (*nomem tells which). */
static char *subst(const char *s, const order_t *o, size_t n, bool whole_only_short, bool *nomem)
{
    size_t sl = strlen(s), cap = sl + 64, len = 0;
    bool changed = false;
    char *out = malloc(cap);
    if (!out) {
        *nomem = true;
        return NULL;
    }
    for (size_t i = 0; i < sl;) {
        size_t k;
        for (k = 0; k < n; k++) {
            if (o[k].len == 0 || o[k].len > sl - i) continue;
            if (whole_only_short && o[k].len < MIN_FREE_TEXT && o[k].len != sl) continue;
            if (!memcmp(s + i, o[k].from, o[k].len)) break;
        }
        const char *put = k < n ? o[k].to : s + i;
        size_t pl = k < n ? strlen(o[k].to) : 1;
        if (len + pl + 1 > cap) {
            cap = 2 * (len + pl + 1);
            char *t = realloc(out, cap);
            if (!t) {
                free(out);
                *nomem = true;
                return NULL;
            }
            out = t;
        }
        memcpy(out + len, put, pl);
        len += pl;
        if (k < n) {
            changed = true;
            i += o[k].len;
        } else {
            i++;
        }
    }
    out[len] = '\0';
    if (!changed) {
        free(out);
        return NULL;
    }
    return out;
}

/* Walks v replacing in every string value (not object keys). */
static int rewrite(json_t *v, const order_t *o, size_t n, bool whole_only_short)
{
    if (json_is_object(v)) {
        const char *k;
        json_t *x;
        json_object_foreach(v, k, x)
        {
            if (json_is_string(x)) {
                bool nomem = false;
                char *t = subst(json_string_value(x), o, n, whole_only_short, &nomem);
                if (nomem) return TPA_ERR_NOMEM;
                if (t && json_object_set_new(v, k, json_string(t))) {
                    free(t);
                    return TPA_ERR_NOMEM;
                }
                free(t);
            } else if (rewrite(x, o, n, whole_only_short)) {
                return TPA_ERR_NOMEM;
            }
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *x;
        json_array_foreach(v, i, x)
        {
            if (json_is_string(x)) {
                bool nomem = false;
                char *t = subst(json_string_value(x), o, n, whole_only_short, &nomem);
                if (nomem) return TPA_ERR_NOMEM;
                if (t && json_array_set_new(v, i, json_string(t))) {
                    free(t);
                    return TPA_ERR_NOMEM;
                }
                free(t);
            } else if (rewrite(x, o, n, whole_only_short)) {
                return TPA_ERR_NOMEM;
            }
        }
    }
    return 0;
}

/* Integers under identity keys become their token (strings). */
static int tokenise_numbers(const tpa_llm_privacy_t *p, json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, x)
        {
            if (json_is_integer(x) && kind_of(p, k)) {
                char num[32];
                snprintf(num, sizeof num, "%lld", (long long)json_integer_value(x));
                const pair_t *e = find_value(p, num);
                if (e && json_object_set_new(v, k, json_string(e->token))) return TPA_ERR_NOMEM;
            } else if (tokenise_numbers(p, x)) {
                return TPA_ERR_NOMEM;
            }
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, x)
        {
            if (tokenise_numbers(p, x)) return TPA_ERR_NOMEM;
        }
    }
    return 0;
}

static order_t *make_order(const tpa_llm_privacy_t *p, bool to_tokens)
{
    order_t *o = calloc(p->n ? p->n : 1, sizeof *o);
    if (!o) return NULL;
    for (size_t i = 0; i < p->n; i++) {
        o[i].pair = &p->v[i];
        o[i].from = to_tokens ? p->v[i].value : p->v[i].token;
        o[i].to = to_tokens ? p->v[i].token : p->v[i].value;
        o[i].len = strlen(o[i].from);
    }
    qsort(o, p->n, sizeof *o, by_len_desc);
    return o;
}

json_t *tpa_llm_privacy_scrub(tpa_llm_privacy_t *p, const json_t *v)
{
    json_t *copy = json_deep_copy(v);
    if (!copy) return NULL;
    if (collect(p, copy) || tokenise_numbers(p, copy)) goto fail;
    order_t *o = make_order(p, true);
    if (!o) goto fail;
    int rc = rewrite(copy, o, p->n, true);
    free(o);
    if (rc) goto fail;
    return copy;
fail:
    json_decref(copy);
    return NULL;
}

int tpa_llm_privacy_restore(const tpa_llm_privacy_t *p, json_t *v)
{
    if (!p->n) return 0;
    order_t *o = make_order(p, false);
    if (!o) return TPA_ERR_NOMEM;
    int rc = rewrite(v, o, p->n, false);
    free(o);
    return rc;
}
