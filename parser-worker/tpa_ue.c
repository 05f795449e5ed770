/* tpa_ue.c - subscribers by union-find over identities (see tpa_ue.h). */
#include "tpa_ue.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tpa_bigmem.h"
#include "tpa_err.h"
#include "tpa_jw.h"
#include "tpa_result.h"

enum { F_HUB = 1, F_RELEASED = 2, F_OLDGEN = 4 };

/* One identity: 48 bytes, its text in the arena, its parent in the forest apart (4
 * bytes in the parent blocks: find() and tpa_ue_finish walk those, not the nodes).
 * Nodes live in fixed blocks, so a node pointer stays valid while nodes are added. */
typedef struct node {
    const char *value; /* normalised text (arena) */
    uint32_t hash, scope;
    uint32_t peer;
    uint32_t kinds;      /* bit per tpa_id_kind_t it was given as */
    uint32_t last_frame; /* low 32 bits of the frame that last carried (or released) it */
    uint32_t size, perm; /* roots: identities, node of the IMSI/SUPI (0 none) */
    uint32_t agg;        /* roots: message aggregate (0 = no message yet) */
    uint16_t used;       /* messages that carried it (saturating) */
    uint8_t merges, cls, flags;
} node_t;

/* Node ids stay below this bit: tpa_ue_finish marks listed roots with it. */
#define NUMBER_LISTED 0x80000000u

/* 2^18 nodes of 48 bytes: 12 MB, a whole number of the 2 MB pages tpa_bigmem maps
 * (a block of 2^16 nodes of 56 bytes was 3.5 MB on two such pages: 0.5 MB unused) */
#define NODE_BLOCK_BITS 18
#define NODE_BLOCK (1u << NODE_BLOCK_BITS)
_Static_assert(((size_t)NODE_BLOCK * sizeof(node_t)) % TPA_BIGMEM_PAGE == 0,
               "a node block fills whole big pages");

/* What a subscriber's messages add up to (one per root that has messages). */
typedef struct agg {
    uint64_t nmsgs, first_frame;
    int64_t first_us, last_us;
    uint32_t nladder;
    uint32_t root; /* the root it belongs to; 0 = merged into another root's */
} agg_t;

/* Identity texts, packed in chunks (freed together). */
typedef struct chunk {
    struct chunk *next;
    size_t used, cap;
    char data[];
} chunk_t;

typedef struct step {
    int64_t ts_us;
    uint64_t frame, txn;
    const char *src, *dst, *protocol, *name;
    uint32_t anchor;
    uint8_t kind, outcome;
} step_t;

typedef struct attr {
    uint32_t anchor;
    uint8_t kind;
    const char *value; /* pooled */
} attr_t;

/* After finish: one identity of a listed subscriber (what ues[] shows of a node). */
typedef struct ident {
    uint32_t ue; /* subscriber number */
    uint32_t kinds, scope;
    uint8_t cls;
    const char *value; /* in the document arena */
} ident_t;

/* An entry of the identity table: a node and its key's hash, so that probing and
 * growing touch no node (0 = empty). */
typedef struct ident_ent {
    uint32_t hash, node;
} ident_ent_t;

typedef struct utxn {
    uint32_t ue;
    uint64_t txn;
    int64_t ts_us;
} utxn_t;

struct tpa_ue {
    tpa_intern_t *pool;
    tpa_ue_limits_t lim;
    uint64_t seed;
    node_t **blocks;    /* node i at blocks[i >> 18][i & 0x3ffff]; node 0 unused */
    uint32_t **parents; /* parent of node i at parents[i >> 18][i & 0x3ffff] */
    size_t nblocks, blocks_cap, nnodes;
    agg_t **aggs; /* aggregate i at aggs[i >> 14][i & 0x3fff] (no copies as they grow); 0 unused */
    size_t naggs, aggs_cap; /* aggs_cap: blocks */
    chunk_t *arena;
    ident_ent_t *tab;   /* the current node of each key: open addressing, linear probing */
    size_t tcap, tused; /* tcap a power of two, at most 3/4 used */
    step_t *steps;
    size_t nsteps, steps_cap;
    attr_t *attrs;
    size_t nattrs, attrs_cap;
    uint32_t *aset; /* attr index + 1; open addressing */
    size_t naset;
    utxn_t *txns;
    size_t ntxns, txns_cap;
    uint32_t *number; /* after finish: subscriber number per node */
    agg_t *listed;    /* after finish: aggregate of subscriber number i + 1 */
    size_t nroots;    /* numbered (at most max_doc) */
    ident_t *ids;     /* after finish: identities of the listed subscribers, in node order */
    size_t nids;
    chunk_t *doc_arena; /* after finish: their texts */
    struct ue_doc *doc; /* ues[] grouped by subscriber, made when first written */
    tpa_ue_stats_t st;
    bool finished;
};

tpa_ue_limits_t tpa_ue_default_limits(void)
{
    tpa_ue_limits_t l = {TPA_UE_MAX_NODES,     TPA_UE_MAX_COMPONENT, TPA_UE_HUB_MERGES,
                         TPA_UE_LADDER_PER_UE, TPA_UE_LADDER_TOTAL,  TPA_UE_MAX_ATTRS,
                         TPA_UE_MAX_DOC};
    return l;
}

const char *tpa_ue_kind_name(tpa_id_kind_t kind)
{
    static const char *const names[TPA_ID_KINDS] = {
        [TPA_ID_IMSI] = "imsi",
        [TPA_ID_SUPI] = "supi",
        [TPA_ID_SUCI] = "suci",
        [TPA_ID_GUTI] = "guti",
        [TPA_ID_TMSI] = "tmsi",
        [TPA_ID_IMEI] = "imei",
        [TPA_ID_MSISDN] = "msisdn",
        [TPA_ID_RAN_UE_NGAP_ID] = "ran_ue_ngap_id",
        [TPA_ID_AMF_UE_NGAP_ID] = "amf_ue_ngap_id",
        [TPA_ID_ENB_UE_S1AP_ID] = "enb_ue_s1ap_id",
        [TPA_ID_MME_UE_S1AP_ID] = "mme_ue_s1ap_id",
        [TPA_ID_SEID] = "seid",
        [TPA_ID_TEID] = "teid",
        [TPA_ID_UE_IP] = "ue_ip",
        [TPA_ID_SIP_URI] = "sip_uri",
        [TPA_ID_CALL_ID] = "call_id",
        [TPA_ID_PDU_SESSION] = "pdu_session",
        [TPA_ID_DNN] = "dnn",
        [TPA_ID_SNSSAI] = "snssai",
    };
    return (unsigned)kind < TPA_ID_KINDS ? names[kind] : "other";
}

static bool is_attribute(tpa_id_kind_t k)
{
    return tpa_ue_reads_later(k); /* attributes are what the join reads from m */
}

static bool flow_scoped(unsigned cls)
{
    return cls == TPA_ID_RAN_UE_NGAP_ID || cls == TPA_ID_AMF_UE_NGAP_ID ||
           cls == TPA_ID_ENB_UE_S1AP_ID || cls == TPA_ID_MME_UE_S1AP_ID;
}

static bool permanent(unsigned cls)
{
    return cls == TPA_ID_IMSI || cls == TPA_ID_SUPI;
}

/* Anchor priority: lower is stronger. */
static int rank_of(unsigned cls)
{
    static const uint8_t r[TPA_ID_KINDS] = {
        [TPA_ID_IMSI] = 0,
        [TPA_ID_SUPI] = 1,
        [TPA_ID_IMEI] = 2,
        [TPA_ID_MSISDN] = 3,
        [TPA_ID_SUCI] = 4,
        [TPA_ID_GUTI] = 5,
        [TPA_ID_TMSI] = 6,
        [TPA_ID_AMF_UE_NGAP_ID] = 7,
        [TPA_ID_RAN_UE_NGAP_ID] = 8,
        [TPA_ID_MME_UE_S1AP_ID] = 9,
        [TPA_ID_ENB_UE_S1AP_ID] = 10,
        [TPA_ID_SEID] = 11,
        [TPA_ID_TEID] = 12,
        [TPA_ID_UE_IP] = 13,
        [TPA_ID_SIP_URI] = 14,
        [TPA_ID_CALL_ID] = 15,
    };
    return cls < TPA_ID_KINDS ? r[cls] : 99;
}

tpa_ue_t *tpa_ue_new(tpa_intern_t *pool, const tpa_ue_limits_t *lim)
{
    if (!pool) return NULL;
    tpa_ue_t *u = calloc(1, sizeof *u);
    if (!u) return NULL;
    u->pool = pool;
    u->lim = lim ? *lim : tpa_ue_default_limits();
    u->seed = tpa_hash_seed();
    u->nnodes = 1; /* node 0 = none */
    u->naggs = 1;
    u->tcap = 256;
    u->tab = tpa_bigmem_calloc(u->tcap, sizeof *u->tab);
    if (!u->tab) goto fail_tab;
    return u;
fail_tab:
    free(u);
    return NULL;
}

static void free_aggs(tpa_ue_t *u)
{
    for (size_t i = 0; i < u->aggs_cap; i++)
        free(u->aggs[i]);
    free(u->aggs);
    u->aggs = NULL;
    u->naggs = u->aggs_cap = 0;
}

static void arena_free(chunk_t **head)
{
    while (*head) {
        chunk_t *c = *head;
        *head = c->next;
        free(c);
    }
}

/* Frees the forest (nodes, their texts and hash, aggregates, attribute set): after
 * finish only number[], the listed parts, attributes, steps and transactions serve. */
static void drop_forest(tpa_ue_t *u)
{
    for (size_t i = 0; i < u->nblocks; i++) {
        tpa_bigmem_free(u->blocks[i], NODE_BLOCK, sizeof(node_t));
        free(u->parents[i]);
    }
    free(u->blocks);
    free(u->parents);
    u->blocks = NULL;
    u->parents = NULL;
    u->nblocks = u->blocks_cap = 0;
    free_aggs(u);
    arena_free(&u->arena);
    tpa_bigmem_free(u->tab, u->tcap, sizeof *u->tab);
    u->tab = NULL;
    u->tcap = u->tused = 0;
    free(u->aset);
    u->aset = NULL;
    u->naset = 0;
}

static void doc_free(struct ue_doc *doc);

void tpa_ue_destroy(tpa_ue_t **up)
{
    if (!up || !*up) return;
    tpa_ue_t *u = *up;
    drop_forest(u);
    arena_free(&u->doc_arena);
    free(u->steps);
    free(u->attrs);
    free(u->txns);
    free(u->number);
    free(u->listed);
    free(u->ids);
    doc_free(u->doc);
    free(u);
    *up = NULL;
}

/* ---- normalisation ---- */

/* "0", "000", "0x0000" up to the end or an '@'. */
static inline bool zero_number(const char *s)
{
    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s += 2;
    if (!*s || *s == '@') return false;
    for (; *s && *s != '@'; s++)
        if (*s != '0') return false;
    return true;
}

static void lower(char *s)
{
    for (; *s; s++)
        *s = (char)tolower((unsigned char)*s);
}

static bool all_digits(const char *s, size_t n)
{
    if (!n) return false;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9') return false;
    return true;
}

/* s[0..n) in lower case as tolower makes it in the "C" locale the program keeps
 * ('A'..'Z' only), eight bytes at a time: a byte is upper case when its high bit is
 * clear and its low seven bits are >= 'A' and < 'Z' + 1 (tested by the carry into
 * bit 7 of adding 0x80 - 'A' and 0x80 - 'Z' - 1, which cannot cross into the next byte). */
static inline void fold_word(char *p)
{
    const uint64_t high = 0x8080808080808080ULL, low7 = 0x7f7f7f7f7f7f7f7fULL;
    const uint64_t ge_a = 0x3f3f3f3f3f3f3f3fULL, gt_z = 0x2525252525252525ULL;
    uint64_t w;
    memcpy(&w, p, 8);
    uint64_t b = w & low7;
    uint64_t upper = (b + ge_a) & ~(b + gt_z) & ~w & high;
    w |= upper >> 2;
    memcpy(p, &w, 8);
}

/* Folding is idempotent: past the whole words, the last eight bytes go as one word
 * again (overlapping the words before). */
static void fold_ascii(char *s, size_t n)
{
    if (n < 8) {
        for (size_t i = 0; i < n; i++)
            if ((unsigned)(s[i] - 'A') < 26u) s[i] = (char)(s[i] | 0x20);
        return;
    }
    size_t i = 0;
    for (; i + 8 <= n; i += 8)
        fold_word(s + i);
    if (i < n) fold_word(s + n - 8);
}

/* Copies v trimmed of blanks into out, in lower case when fold (as lower() would make
 * it); returns its length. */
static size_t trim_copy(const char *v, char *out, size_t outlen, bool fold)
{
    while (*v == ' ' || *v == '\t')
        v++;
    size_t n = strnlen(v, outlen - 1);
    while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        n--;
    memcpy(out, v, n);
    out[n] = '\0';
    if (fold) fold_ascii(out, n);
    return n;
}

/* Whether normalise folds the whole trimmed value to lower case, and nothing else
 * changes its text. */
static bool folded_kind(tpa_id_kind_t kind)
{
    switch (kind) {
    case TPA_ID_GUTI:
    case TPA_ID_TMSI:
    case TPA_ID_SEID:
    case TPA_ID_TEID:
    case TPA_ID_UE_IP:
    case TPA_ID_SUCI:
        return true;
    default:
        return false;
    }
}

/* The node key of identity (kind, v): text into out (its length in *len), class and
 * scope. false = ignore. */
static bool normalise(tpa_id_kind_t kind, const char *v, uint32_t flow, char *out, size_t outlen,
                      size_t *len, uint8_t *cls, uint32_t *scope)
{
    *len = trim_copy(v, out, outlen, folded_kind(kind));
    *cls = (uint8_t)kind;
    *scope = 0;
    switch (kind) {
    case TPA_ID_SUPI:
        if (strncasecmp(out, "imsi-", 5) == 0) {
            memmove(out, out + 5, *len - 5 + 1);
            *len -= 5;
            *cls = TPA_ID_IMSI;
            return out[0] && !zero_number(out);
        }
        lower(out);
        return out[0] != '\0';
    case TPA_ID_IMSI:
    case TPA_ID_IMEI:
        return out[0] && !zero_number(out);
    case TPA_ID_MSISDN: {
        char *p = out;
        if (strncasecmp(p, "tel:", 4) == 0) p += 4;
        if (*p == '+') p++;
        *len -= (size_t)(p - out);
        memmove(out, p, *len + 1);
        return out[0] && !zero_number(out);
    }
    case TPA_ID_GUTI:
    case TPA_ID_TMSI: /* folded */
        return out[0] && !zero_number(out);
    case TPA_ID_RAN_UE_NGAP_ID:
    case TPA_ID_AMF_UE_NGAP_ID:
    case TPA_ID_ENB_UE_S1AP_ID:
    case TPA_ID_MME_UE_S1AP_ID:
        *scope = flow;
        return out[0] != '\0';
    case TPA_ID_SEID: /* folded */
        if (!memchr(out, '@', *len)) *scope = flow;
        return out[0] && !zero_number(out);
    case TPA_ID_TEID: /* folded */
        return out[0] && !zero_number(out);
    case TPA_ID_UE_IP: /* folded */
        return out[0] && strcmp(out, "0.0.0.0") != 0 && strcmp(out, "::") != 0 &&
               strcmp(out, "0:0:0:0:0:0:0:0") != 0;
    case TPA_ID_SIP_URI: {
        char *p = out;
        if (*p == '<') p++;
        size_t n = strcspn(p, ">;");
        memmove(out, p, n);
        out[n] = '\0';
        *len = n;
        lower(out);
        return out[0] != '\0';
    }
    case TPA_ID_SUCI: /* folded */
        return out[0] != '\0';
    case TPA_ID_CALL_ID:
        return out[0] != '\0';
    default:
        return false;
    }
}

/* The IMSI a null-scheme SUCI spells out ("suci-0-<mcc>-<mnc>-<ri>-0-<key>-<msin>",
 * TS 23.003 section 28.7.3), into out. */
static bool suci_imsi(const char *suci, char *out, size_t outlen)
{
    const char *tok[9];
    size_t len[9];
    int n = 0;
    const char *p = suci;
    while (n < 9) {
        tok[n] = p;
        len[n] = strcspn(p, "-");
        p += len[n];
        n++;
        if (!*p) break;
        p++;
    }
    if (n != 8 || len[0] != 4 || strncasecmp(tok[0], "suci", 4) != 0) return false;
    if (len[1] != 1 || tok[1][0] != '0' || len[5] != 1 || tok[5][0] != '0') return false;
    if (len[2] != 3 || !all_digits(tok[2], 3) || len[3] < 2 || len[3] > 3 ||
        !all_digits(tok[3], len[3]) || !all_digits(tok[7], len[7]))
        return false;
    if (3 + len[3] + len[7] >= outlen || 3 + len[3] + len[7] > 15) return false;
    snprintf(out, outlen, "%.3s%.*s%.*s", tok[2], (int)len[3], tok[3], (int)len[7], tok[7]);
    return !zero_number(out);
}

/* ---- nodes ---- */

static inline node_t *N(const tpa_ue_t *u, uint32_t i)
{
    return &u->blocks[i >> NODE_BLOCK_BITS][i & (NODE_BLOCK - 1)];
}

#define AGG_BLOCK_BITS 14
#define AGG_BLOCK (1u << AGG_BLOCK_BITS)

static inline agg_t *AGG(const tpa_ue_t *u, uint32_t i)
{
    return &u->aggs[i >> AGG_BLOCK_BITS][i & (AGG_BLOCK - 1)];
}

static uint32_t node_hash_n(const tpa_ue_t *u, uint8_t cls, uint32_t scope, const char *v, size_t n)
{
    uint64_t h = tpa_hash_bytes(tpa_hash_mix(u->seed, (uint64_t)cls << 32 | scope), v, n);
    return (uint32_t)(h ^ h >> 32);
}

static inline uint32_t *P(const tpa_ue_t *u, uint32_t i)
{
    return &u->parents[i >> NODE_BLOCK_BITS][i & (NODE_BLOCK - 1)];
}

static uint32_t find(tpa_ue_t *u, uint32_t x)
{
    for (;;) {
        uint32_t *px = P(u, x);
        if (*px == x) return x;
        *px = *P(u, *px); /* path halving */
        x = *px;
    }
}

/* A copy of the len bytes at v and a NUL in the arena *head, or NULL. */
static const char *arena_dup_n(chunk_t **head, const char *v, size_t len)
{
    size_t n = len + 1;
    chunk_t *c = *head;
    if (!c || c->cap - c->used < n) {
        size_t cap = n > 65536 ? n : 65536;
        c = malloc(sizeof *c + cap);
        if (!c) return NULL;
        c->used = 0;
        c->cap = cap;
        c->next = *head;
        *head = c;
    }
    char *d = c->data + c->used;
    memcpy(d, v, len);
    d[len] = '\0';
    c->used += n;
    return d;
}

/* A copy of v in the arena *head, or NULL. */
static const char *arena_dup(chunk_t **head, const char *v)
{
    return arena_dup_n(head, v, strlen(v));
}

/* The message aggregate of root r, created on first use, or NULL. */
static agg_t *agg_of(tpa_ue_t *u, uint32_t r)
{
    node_t *n = N(u, r);
    if (n->agg) return AGG(u, n->agg);
    if (u->naggs >= UINT32_MAX) return NULL;
    size_t b = u->naggs >> AGG_BLOCK_BITS;
    if (b >= u->aggs_cap) {
        size_t nc = u->aggs_cap ? u->aggs_cap * 2 : 16;
        agg_t **x = realloc(u->aggs, nc * sizeof *x);
        if (!x) return NULL;
        memset(x + u->aggs_cap, 0, (nc - u->aggs_cap) * sizeof *x);
        u->aggs = x;
        u->aggs_cap = nc;
    }
    if (!u->aggs[b] && !(u->aggs[b] = malloc(AGG_BLOCK * sizeof(agg_t)))) return NULL;
    n->agg = (uint32_t)u->naggs++;
    agg_t *a = AGG(u, n->agg);
    memset(a, 0, sizeof *a);
    a->root = r;
    return a;
}

/* The current (not superseded) node of the key (*np: it), or 0 and in *empty the
 * entry where the probe ended (where node_add places the key). */
static uint32_t node_lookup(const tpa_ue_t *u, uint8_t cls, uint32_t scope, const char *v,
                            uint32_t h, node_t **np, size_t *empty)
{
    size_t mask = u->tcap - 1, j = h & mask;
    for (; u->tab[j].node; j = (j + 1) & mask) {
        if (u->tab[j].hash != h) continue;
        uint32_t i = u->tab[j].node;
        node_t *n = N(u, i);
        if (n->cls == cls && n->scope == scope && !(n->flags & F_OLDGEN) &&
            strcmp(n->value, v) == 0) {
            *np = n;
            return i;
        }
    }
    *empty = j;
    return 0;
}

static void tab_place(ident_ent_t *tab, size_t cap, uint32_t h, uint32_t node)
{
    size_t j = h & (cap - 1);
    while (tab[j].node)
        j = (j + 1) & (cap - 1);
    tab[j] = (ident_ent_t){h, node};
}

/* Doubles the table: its entries move, the nodes are not read. */
static int tab_grow(tpa_ue_t *u)
{
    size_t nc = u->tcap * 2;
    ident_ent_t *b = tpa_bigmem_calloc(nc, sizeof *b);
    if (!b) return TPA_ERR_NOMEM;
    for (size_t j = 0; j < u->tcap; j++)
        if (u->tab[j].node) tab_place(b, nc, u->tab[j].hash, u->tab[j].node);
    tpa_bigmem_free(u->tab, u->tcap, sizeof *u->tab);
    u->tab = b;
    u->tcap = nc;
    return 0;
}

/* A new singleton node for the key (v: len bytes), not in the table yet, or 0 (limit
 * or out of memory). */
static inline uint32_t node_new(tpa_ue_t *u, uint8_t cls, uint32_t scope, const char *v, size_t len,
                                uint32_t h)
{
    if (u->nnodes > u->lim.max_nodes || u->nnodes >= NUMBER_LISTED - 1) return 0;
    if ((u->nnodes >> NODE_BLOCK_BITS) >= u->nblocks) {
        if (u->nblocks == u->blocks_cap) {
            size_t nc = u->blocks_cap ? u->blocks_cap * 2 : 8;
            node_t **x = realloc(u->blocks, nc * sizeof *x);
            if (!x) return 0;
            u->blocks = x;
            uint32_t **y = realloc(u->parents, nc * sizeof *y);
            if (!y) return 0;
            u->parents = y;
            u->blocks_cap = nc;
        }
        u->parents[u->nblocks] = malloc(NODE_BLOCK * sizeof(uint32_t));
        if (!u->parents[u->nblocks]) return 0;
        u->blocks[u->nblocks] = tpa_bigmem_calloc(NODE_BLOCK, sizeof(node_t));
        if (!u->blocks[u->nblocks]) {
            free(u->parents[u->nblocks]);
            return 0;
        }
        u->nblocks++;
    }
    const char *copy = arena_dup_n(&u->arena, v, len);
    if (!copy) return 0;
    uint32_t i = (uint32_t)u->nnodes++;
    node_t *n = N(u, i);
    memset(n, 0, sizeof *n);
    n->hash = h;
    n->scope = scope;
    n->value = copy;
    n->cls = cls;
    *P(u, i) = i;
    n->size = 1;
    n->perm = permanent(cls) ? i : 0;
    u->st.nodes++;
    return i;
}

/* A new singleton node for the key, in the table (at entry empty, where its lookup
 * ended, unless the table grows), or 0. */
static uint32_t node_add(tpa_ue_t *u, uint8_t cls, uint32_t scope, const char *v, size_t len,
                         uint32_t h, size_t empty)
{
    bool grow = (u->tused + 1) * 4 > u->tcap * 3;
    if (grow && tab_grow(u) < 0) return 0;
    uint32_t i = node_new(u, cls, scope, v, len, h);
    if (!i) return 0;
    if (grow)
        tab_place(u->tab, u->tcap, h, i);
    else
        u->tab[empty] = (ident_ent_t){h, i};
    u->tused++;
    return i;
}

/* A new binding for the key of node x (a reused id); x is superseded. */
static uint32_t rebind(tpa_ue_t *u, uint32_t x)
{
    node_t *old = N(u, x);
    uint32_t y = node_new(u, old->cls, old->scope, old->value, strlen(old->value), old->hash);
    if (!y) return x;
    /* y takes x's entry: a superseded node is never looked at again */
    size_t mask = u->tcap - 1, j = old->hash & mask;
    while (u->tab[j].node && u->tab[j].node != x)
        j = (j + 1) & mask;
    if (u->tab[j].node) {
        u->tab[j].node = y;
    } else if ((u->tused + 1) * 4 <= u->tcap * 3 || tab_grow(u) == 0) {
        tab_place(u->tab, u->tcap, old->hash, y); /* (x is always there: never) */
        u->tused++;
    }
    old->flags |= F_OLDGEN;
    N(u, y)->kinds = old->kinds;
    u->st.rebinds++;
    return y;
}

/* Merges the subscribers of roots ra and rb: 0 merged, 1 already one, -1 refused. */
static int unite_roots(tpa_ue_t *u, uint32_t ra, uint32_t rb)
{
    if (ra == rb) return 1;
    node_t *A = N(u, ra), *B = N(u, rb);
    if (A->perm && B->perm && A->perm != B->perm) {
        u->st.conflicts++;
        return -1;
    }
    if ((size_t)A->size + B->size > u->lim.max_component) {
        u->st.too_big++;
        return -1;
    }
    if (A->size < B->size) {
        node_t *t = A;
        A = B;
        B = t;
        uint32_t tr = ra;
        ra = rb;
        rb = tr;
    }
    *P(u, rb) = ra;
    A->size += B->size;
    if (!A->perm) A->perm = B->perm;
    if (B->agg && !A->agg) {
        A->agg = B->agg;
        AGG(u, A->agg)->root = ra;
    } else if (B->agg) {
        agg_t *ga = AGG(u, A->agg), *gb = AGG(u, B->agg);
        gb->root = 0;
        if (gb->first_us < ga->first_us ||
            (gb->first_us == ga->first_us && gb->first_frame < ga->first_frame)) {
            ga->first_us = gb->first_us;
            ga->first_frame = gb->first_frame;
        }
        if (gb->last_us > ga->last_us) ga->last_us = gb->last_us;
        ga->nmsgs += gb->nmsgs;
        ga->nladder += gb->nladder;
    }
    B->agg = 0;
    return 0;
}

/* unite_roots of the subscribers of a and b. */
static int unite(tpa_ue_t *u, uint32_t a, uint32_t b)
{
    return unite_roots(u, find(u, a), find(u, b));
}

/* The node for identity (kind) with key (cls, scope, v: len bytes), applying the
 * rebinding rules. */
static uint32_t get_node(tpa_ue_t *u, tpa_id_kind_t kind, uint8_t cls, uint32_t scope,
                         const char *v, size_t len, uint32_t h, unsigned flags, uint32_t frame)
{
    node_t *n = NULL;
    size_t empty = 0;
    uint32_t x = node_lookup(u, cls, scope, v, h, &n, &empty);
    if (x) {
        bool ran_side = kind == TPA_ID_RAN_UE_NGAP_ID || kind == TPA_ID_ENB_UE_S1AP_ID;
        /* messages of one frame (NGAP and the NAS inside it) share the binding */
        if (((n->flags & F_RELEASED) && frame != n->last_frame) ||
            ((flags & TPA_SIG_UE_NEW) && ran_side && n->used && frame != n->last_frame)) {
            x = rebind(u, x);
            n = N(u, x);
        }
    } else {
        x = node_add(u, cls, scope, v, len, h, empty);
        if (!x) {
            u->st.ignored++;
            return 0;
        }
        n = N(u, x);
    }
    n->kinds |= 1u << kind;
    n->last_frame = frame;
    return x;
}

/* RAN-side id i and CN-side id j of one message: a pair bound to other partners is a
 * reused id; bind them to each other. */
static void pair_ids(tpa_ue_t *u, uint32_t *ids, const uint8_t *kinds, int n, uint8_t ran,
                     uint8_t cn)
{
    int i = -1, j = -1;
    for (int k = 0; k < n; k++) {
        if (kinds[k] == ran && i < 0) i = k;
        if (kinds[k] == cn && j < 0) j = k;
    }
    if (i < 0 || j < 0) return;
    uint32_t r = ids[i], c = ids[j];
    if (N(u, r)->peer && N(u, r)->peer != c) r = ids[i] = rebind(u, r);
    if (N(u, c)->peer && N(u, c)->peer != r) c = ids[j] = rebind(u, c);
    N(u, r)->peer = c;
    N(u, c)->peer = r;
}

/* ---- attributes ---- */

static uint64_t attr_hash(const tpa_ue_t *u, uint32_t root, uint8_t kind, const char *v)
{
    return tpa_hash_mix(tpa_hash_mix(tpa_hash_mix(u->seed, root), kind), (uintptr_t)v);
}

static void attr_add(tpa_ue_t *u, uint32_t anchor, uint8_t kind, const char *v)
{
    if (!v || u->nattrs >= u->lim.max_attrs) return;
    uint32_t root = find(u, anchor);
    if ((u->nattrs + 1) * 2 > u->naset) {
        size_t nn = u->naset ? u->naset * 2 : 256;
        uint32_t *s = calloc(nn, sizeof *s);
        if (!s) return;
        for (size_t i = 0; i < u->nattrs; i++) {
            const attr_t *a = &u->attrs[i];
            size_t j = attr_hash(u, find(u, a->anchor), a->kind, a->value) & (nn - 1);
            while (s[j])
                j = (j + 1) & (nn - 1);
            s[j] = (uint32_t)i + 1;
        }
        free(u->aset);
        u->aset = s;
        u->naset = nn;
    }
    size_t mask = u->naset - 1;
    size_t j = attr_hash(u, root, kind, v) & mask;
    for (; u->aset[j]; j = (j + 1) & mask) {
        const attr_t *a = &u->attrs[u->aset[j] - 1];
        if (a->kind == kind && a->value == v && find(u, a->anchor) == root) return;
    }
    if (u->nattrs == u->attrs_cap) {
        size_t nc = u->attrs_cap ? u->attrs_cap * 2 : 64;
        attr_t *x = realloc(u->attrs, nc * sizeof *x);
        if (!x) return;
        u->attrs = x;
        u->attrs_cap = nc;
    }
    u->attrs[u->nattrs] = (attr_t){anchor, kind, v};
    u->aset[j] = (uint32_t)++u->nattrs;
}

/* ---- joining ---- */

void tpa_ue_prepare(tpa_ue_t *u, const tpa_sig_t *m, uint32_t flow, tpa_ue_keys_t *keys)
{
    keys->m = m;
    keys->n = 0;
    keys->attrs = false;
    if (!u || !m || u->finished || !m->n_ids) return;
    unsigned nid = m->n_ids < TPA_SIG_MAX_IDS ? m->n_ids : TPA_SIG_MAX_IDS;
    keys->n = nid;
    tpa_ue_key_t *key = keys->key;
    for (unsigned i = 0; i < nid; i++) {
        tpa_id_kind_t k = m->ids[i].kind;
        key[i].state = TPA_UE_KEY_SKIP;
        if ((unsigned)k >= TPA_ID_KINDS || !m->ids[i].value) continue;
        if (is_attribute(k)) {
            keys->attrs = true;
            continue;
        }
        key[i].state = TPA_UE_KEY_IGNORED;
        size_t len;
        if (!normalise(k, m->ids[i].value, flow, key[i].v, sizeof key[i].v, &len, &key[i].cls,
                       &key[i].scope))
            continue;
        key[i].state = TPA_UE_KEY_OK;
        key[i].len = (uint8_t)len;
        key[i].h = node_hash_n(u, key[i].cls, key[i].scope, key[i].v, len);
        __builtin_prefetch(&u->tab[key[i].h & (u->tcap - 1)]);
    }
}

/* Starts fetching the node of each key whose entry is the first it probes. */
static void prefetch_nodes(const tpa_ue_t *u, const tpa_ue_keys_t *keys)
{
    if (!u || u->finished || !keys->m) return;
    for (unsigned i = 0; i < keys->n; i++)
        if (keys->key[i].state == TPA_UE_KEY_OK) {
            const ident_ent_t *e = &u->tab[keys->key[i].h & (u->tcap - 1)];
            if (e->node && e->hash == keys->key[i].h) __builtin_prefetch(N(u, e->node));
        }
}

uint32_t tpa_ue_join(tpa_ue_t *u, const tpa_sig_t *m, uint64_t frame, uint32_t flow)
{
    tpa_ue_keys_t keys;
    tpa_ue_prepare(u, m, flow, &keys);
    return tpa_ue_join_prepared(u, &keys, frame);
}

uint32_t tpa_ue_join_prepared(tpa_ue_t *u, tpa_ue_keys_t *keys, uint64_t frame)
{
    const tpa_sig_t *m = keys->m;
    if (!u || !m || u->finished || !keys->n) return 0;
    enum { MAXN = TPA_SIG_MAX_IDS * 2 };
    uint32_t ids[MAXN]; /* the first n are set */
    uint8_t kinds[MAXN];
    int n = 0;
    char buf[TPA_UE_MAX_VALUE + 1], imsi[TPA_UE_MAX_VALUE + 1];
    unsigned nid = keys->n;
    tpa_ue_key_t *key = keys->key;
    /* the keys' table entries were fetched by tpa_ue_prepare; now their first nodes, all
     * together: the table is far larger than the caches, and one miss at a time is
     * what joining costs */
    prefetch_nodes(u, keys);
    uint32_t seen = 0; /* bit per kind in ids */
    for (unsigned i = 0; i < nid && n < MAXN - 1; i++) {
        if (key[i].state != TPA_UE_KEY_OK) {
            u->st.ignored += key[i].state == TPA_UE_KEY_IGNORED;
            continue;
        }
        tpa_id_kind_t k = m->ids[i].kind;
        uint32_t x = get_node(u, k, key[i].cls, key[i].scope, key[i].v, key[i].len, key[i].h,
                              m->flags, (uint32_t)frame);
        if (!x) continue;
        ids[n] = x;
        kinds[n++] = (uint8_t)k;
        seen |= 1u << k;
        if (k == TPA_ID_SUCI && suci_imsi(key[i].v, imsi, sizeof imsi)) {
            size_t len = strlen(imsi);
            x = get_node(u, TPA_ID_IMSI, TPA_ID_IMSI, 0, imsi, len,
                         node_hash_n(u, TPA_ID_IMSI, 0, imsi, len), m->flags, (uint32_t)frame);
            if (x) {
                ids[n] = x;
                kinds[n++] = TPA_ID_IMSI;
                seen |= 1u << TPA_ID_IMSI;
            }
        }
    }
    /* (pair_ids needs both kinds of a pair) */
    const uint32_t ngap = 1u << TPA_ID_RAN_UE_NGAP_ID | 1u << TPA_ID_AMF_UE_NGAP_ID;
    const uint32_t s1ap = 1u << TPA_ID_ENB_UE_S1AP_ID | 1u << TPA_ID_MME_UE_S1AP_ID;
    if ((seen & ngap) == ngap)
        pair_ids(u, ids, kinds, n, TPA_ID_RAN_UE_NGAP_ID, TPA_ID_AMF_UE_NGAP_ID);
    if ((seen & s1ap) == s1ap)
        pair_ids(u, ids, kinds, n, TPA_ID_ENB_UE_S1AP_ID, TPA_ID_MME_UE_S1AP_ID);

    /* hubs do not join; pick the strongest identity as the anchor */
    int a = -1, m2 = 0, arank = 0;
    node_t *np[MAXN]; /* the node of ids[i] (nodes stay put: fixed blocks) */
    for (int i = 0; i < n; i++) {
        node_t *x = N(u, ids[i]);
        if (x->used < UINT16_MAX) x->used++;
        if (x->flags & F_HUB) continue;
        ids[m2] = ids[i];
        kinds[m2] = kinds[i];
        np[m2] = x;
        int r = rank_of(x->cls);
        if (a < 0 || r < arank) {
            a = m2;
            arank = r;
        }
        m2++;
    }
    n = m2;
    uint32_t anchor = a >= 0 ? ids[a] : 0;
    if (anchor && n > 1) { /* one identity joins nothing */
        bool merged[MAXN] = {false};
        for (int i = 0; i < n; i++) {
            if (i == a || ids[i] == anchor) continue;
            /* a bridge: both sides are subscribers with messages of their own */
            uint32_t ra = find(u, anchor), rb = find(u, ids[i]);
            bool bridge = N(u, ra)->agg && N(u, rb)->agg;
            if (unite_roots(u, ra, rb) == 0 && bridge) merged[i] = merged[a] = true;
        }
        for (int i = 0; i < n; i++) {
            node_t *x = np[i];
            if (!merged[i] || permanent(x->cls) || (i != a && ids[i] == anchor)) continue;
            if (x->merges < UINT8_MAX) x->merges++;
            if (x->merges > u->lim.hub_merges && !(x->flags & F_HUB)) {
                x->flags |= F_HUB;
                u->st.hubs++;
            }
        }
    }
    if (anchor && keys->attrs) {
        for (unsigned i = 0; i < nid; i++) {
            tpa_id_kind_t k = m->ids[i].kind;
            if (!is_attribute(k) || !m->ids[i].value) continue;
            trim_copy(m->ids[i].value, buf, sizeof buf, false);
            if (buf[0]) attr_add(u, anchor, (uint8_t)k, tpa_intern(u->pool, buf));
        }
    }
    if (m->flags & TPA_SIG_UE_END)
        for (int i = 0; i < n; i++)
            if (flow_scoped(np[i]->cls)) {
                np[i]->flags |= F_RELEASED;
                np[i]->last_frame = (uint32_t)frame;
            }
    return anchor;
}

void tpa_ue_link(tpa_ue_t *u, uint32_t a, uint32_t b)
{
    if (!u || u->finished || !a || !b || a >= u->nnodes || b >= u->nnodes) return;
    unite(u, a, b);
}

void tpa_ue_step(tpa_ue_t *u, uint32_t anchor, const tpa_ue_step_t *s)
{
    if (!u || !s || u->finished || !anchor || anchor >= u->nnodes) return;
    agg_t *r = agg_of(u, find(u, anchor));
    if (!r) return;
    if (!r->nmsgs || s->ts_us < r->first_us ||
        (s->ts_us == r->first_us && s->frame < r->first_frame)) {
        r->first_us = s->ts_us;
        r->first_frame = s->frame;
    }
    if (!r->nmsgs || s->ts_us > r->last_us) r->last_us = s->ts_us;
    r->nmsgs++;
    if (r->nladder >= u->lim.ladder_per_ue || u->nsteps >= u->lim.ladder_total) {
        u->st.ladder_dropped++;
        return;
    }
    if (u->nsteps == u->steps_cap) {
        size_t nc = u->steps_cap ? u->steps_cap * 2 : 256;
        step_t *x = realloc(u->steps, nc * sizeof *x);
        if (!x) {
            u->st.ladder_dropped++;
            return;
        }
        u->steps = x;
        u->steps_cap = nc;
    }
    /* the texts are copied only now: past the caps most steps never get here */
    const char *protocol = tpa_intern(u->pool, s->protocol), *name = tpa_intern(u->pool, s->name);
    u->steps[u->nsteps++] =
        (step_t){s->ts_us, s->frame, s->txn, s->src,           s->dst,
                 protocol, name,     anchor, (uint8_t)s->kind, (uint8_t)s->outcome};
    r->nladder++;
}

/* ---- numbering and output ---- */

typedef struct root_key {
    int64_t first_us;
    uint64_t first_frame;
    uint32_t root;
} root_key_t;

static int cmp_root(const void *x, const void *y)
{
    const root_key_t *a = x, *b = y;
    if (a->first_us != b->first_us) return a->first_us < b->first_us ? -1 : 1;
    if (a->first_frame != b->first_frame) return a->first_frame < b->first_frame ? -1 : 1;
    return (a->root > b->root) - (a->root < b->root);
}

static void heap_down(root_key_t *h, size_t n, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, big = i;
        if (l < n && cmp_root(&h[l], &h[big]) > 0) big = l;
        if (l + 1 < n && cmp_root(&h[l + 1], &h[big]) > 0) big = l + 1;
        if (big == i) return;
        root_key_t t = h[i];
        h[i] = h[big];
        h[big] = t;
        i = big;
    }
}

/* Moves the k smallest of keys[0..n) (cmp_root, a total order) to keys[0..k) in
 * order: a max-heap of the best k so far, O(n log k), and O(n) when the keys come
 * nearly in order (node order follows time). Only the listed subscribers need a
 * number, and a big capture has hundreds of thousands. */
static void smallest_sorted(root_key_t *keys, size_t n, size_t k)
{
    if (k >= n) {
        qsort(keys, n, sizeof *keys, cmp_root);
        return;
    }
    if (!k) return;
    for (size_t i = k / 2; i-- > 0;)
        heap_down(keys, k, i);
    for (size_t i = k; i < n; i++)
        if (cmp_root(&keys[i], &keys[0]) < 0) {
            keys[0] = keys[i];
            heap_down(keys, k, 0);
        }
    for (size_t end = k; end > 1; end--) { /* the heap in order: its largest to the end */
        root_key_t t = keys[0];
        keys[0] = keys[end - 1];
        keys[end - 1] = t;
        heap_down(keys, end - 1, 0);
    }
}

/* Copies what ues[] shows of the identities of the listed subscribers (number[] set). */
static int keep_listed(tpa_ue_t *u, size_t nids)
{
    u->ids = malloc((nids ? nids : 1) * sizeof *u->ids);
    if (!u->ids) return TPA_ERR_NOMEM;
    for (size_t i = 1; i < u->nnodes; i++) {
        if (!u->number[i]) continue;
        const node_t *n = N(u, (uint32_t)i);
        const char *v = arena_dup(&u->doc_arena, n->value);
        if (!v) return TPA_ERR_NOMEM;
        u->ids[u->nids++] = (ident_t){u->number[i], n->kinds, n->scope, n->cls, v};
    }
    return 0;
}

void tpa_ue_finish(tpa_ue_t *u)
{
    if (!u || u->finished) return;
    u->finished = true;
    /* number[] first holds the forest's parents (a copy of the parent blocks), then
     * each node's root: the roots are found in this array of 4 bytes a node, and the
     * roots with messages from their aggregates; no node is read */
    uint32_t *num = u->number = malloc(u->nnodes * sizeof *u->number);
    root_key_t *keys = malloc(u->naggs * sizeof *keys); /* a root with messages has an agg */
    if (!u->number || !keys) goto fail;
    num[0] = 0;
    size_t nr = 0;
    for (size_t b = 0; b < u->nblocks; b++) {
        size_t lo = b << NODE_BLOCK_BITS,
               n = u->nnodes - lo < NODE_BLOCK ? u->nnodes - lo : NODE_BLOCK;
        memcpy(num + lo, u->parents[b], n * sizeof *num);
    }
    num[0] = 0;
    for (size_t j = 1; j < u->naggs; j++) {
        const agg_t *g = AGG(u, (uint32_t)j);
        if (g->root) keys[nr++] = (root_key_t){g->first_us, g->first_frame, g->root};
    }
    for (size_t i = 1; i < u->nnodes; i++) { /* find() on the array, path halving */
        uint32_t x = (uint32_t)i;
        while (num[x] != x) {
            num[x] = num[num[x]];
            x = num[x];
        }
        num[i] = x;
    }
    u->st.ues = nr;
    u->nroots = nr < u->lim.max_doc ? nr : u->lim.max_doc;
    smallest_sorted(keys, nr, u->nroots);
    u->listed = malloc((u->nroots ? u->nroots : 1) * sizeof *u->listed);
    if (!u->listed) goto fail;
    for (size_t k = 0; k < u->nroots; k++) {
        u->listed[k] = *AGG(u, N(u, keys[k].root)->agg);
        num[keys[k].root] = NUMBER_LISTED | (uint32_t)(k + 1);
    }
    /* a node's number is its root's: marked for a listed root, else 0 (an unlisted root
     * still names itself until its own turn, and is 0 after it) */
    for (size_t i = 1; i < u->nnodes; i++) {
        uint32_t r = num[i];
        if (r & NUMBER_LISTED) continue; /* a listed root */
        r = num[r];
        num[i] = r & NUMBER_LISTED ? r : 0;
    }
    size_t nids = 0;
    for (size_t i = 1; i < u->nnodes; i++) {
        num[i] &= ~NUMBER_LISTED;
        nids += num[i] != 0;
    }
    free(keys);
    keys = NULL;
    if (keep_listed(u, nids) < 0) goto fail;
    drop_forest(u);
    return;
fail:
    free(keys);
    free(u->number);
    u->number = NULL;
    u->nroots = 0;
}

uint32_t tpa_ue_number(const tpa_ue_t *u, uint32_t anchor)
{
    if (!u || !u->number || !anchor || anchor >= u->nnodes) return 0;
    return u->number[anchor];
}

int tpa_ue_add_txn(tpa_ue_t *u, uint32_t ue, uint64_t txn, int64_t ts_us)
{
    if (!u || !ue || ue > u->nroots) return TPA_ERR_INVALID;
    if (u->ntxns == u->txns_cap) {
        size_t nc = u->txns_cap ? u->txns_cap * 2 : 256;
        utxn_t *x = realloc(u->txns, nc * sizeof *x);
        if (!x) return TPA_ERR_NOMEM;
        u->txns = x;
        u->txns_cap = nc;
    }
    u->txns[u->ntxns++] = (utxn_t){ue, txn, ts_us};
    return 0;
}

const tpa_ue_stats_t *tpa_ue_stats(const tpa_ue_t *u)
{
    return &u->st;
}

static int cmp_utxn(const void *x, const void *y)
{
    const utxn_t *a = x, *b = y;
    if (a->ue != b->ue) return a->ue < b->ue ? -1 : 1;
    if (a->ts_us != b->ts_us) return a->ts_us < b->ts_us ? -1 : 1;
    return (a->txn > b->txn) - (a->txn < b->txn);
}

typedef struct step_ref {
    uint32_t ue;
    uint32_t idx;
    const step_t *s;
} step_ref_t;

static int cmp_step(const void *x, const void *y)
{
    const step_ref_t *a = x, *b = y;
    if (a->ue != b->ue) return a->ue < b->ue ? -1 : 1;
    if (a->s->ts_us != b->s->ts_us) return a->s->ts_us < b->s->ts_us ? -1 : 1;
    if (a->s->frame != b->s->frame) return a->s->frame < b->s->frame ? -1 : 1;
    return (a->idx > b->idx) - (a->idx < b->idx);
}

/* Values listed per identity kind of one UE: a subscriber with thousands of bearers
 * lists its first TEIDs/SEIDs, not all (add_unique is O(n) per value). */
#define UE_JSON_MAX_VALUES 64

/* ---- ues[]: what each listed subscriber has, grouped once (tpa_ue_doc_prepare) ---- */

/* Per subscriber number k + 1: its ids, attrs, txns and steps are ord[off[k]..off[k+1])
 * (indexes into u->ids, u->attrs, u->txns, refs), each in the order ues[] lists them. */
typedef struct ue_index {
    uint32_t *off, *ord;
} ue_index_t;

struct ue_doc {
    ue_index_t ids, attrs, txns, steps;
    step_ref_t *refs;
    char *scratch; /* the values of one ues[] element (ue_groups_t) */
    size_t scratch_cap;
};

/* Groups n items by subscriber number key[i] (1..nue; 0: not listed), keeping their
 * order: a counting sort, O(n + nue). */
static int index_by_ue(ue_index_t *x, const uint32_t *key, size_t n, size_t nue)
{
    x->off = calloc(nue + 2, sizeof *x->off);
    x->ord = malloc((n ? n : 1) * sizeof *x->ord);
    if (!x->off || !x->ord) return TPA_ERR_NOMEM;
    for (size_t i = 0; i < n; i++)
        if (key[i]) x->off[key[i] + 1]++;
    for (size_t k = 1; k <= nue + 1; k++)
        x->off[k] += x->off[k - 1];
    uint32_t *at = x->off + 1; /* at[k - 1]: next place of number k */
    for (size_t i = 0; i < n; i++)
        if (key[i]) x->ord[at[key[i] - 1]++] = (uint32_t)i;
    /* each at[k - 1] moved from the start of number k to its end: off[k - 1] and off[k]
     * now bound number k */
    return 0;
}

/* Sorts the n items at base (size bytes each, key[i] their subscriber number, every
 * one 1..nue) by cmp, which orders by subscriber number first, and indexes them (x,
 * ord the identity). Items come nearly in order within a subscriber (added in time
 * order), so they are grouped by a counting sort that keeps their order and only a
 * group found out of order is sorted: the order of one qsort of them all (cmp is a
 * total order), at O(n) for the usual input. */
static int sort_by_ue(ue_index_t *x, void *base, size_t n, size_t size, const uint32_t *key,
                      size_t nue, int (*cmp)(const void *, const void *))
{
    int rc = index_by_ue(x, key, n, nue);
    if (rc < 0 || n < 2) return rc;
    char *tmp = malloc(n * size), *b = base;
    if (!tmp) return TPA_ERR_NOMEM;
    for (size_t j = 0; j < n; j++)
        memcpy(tmp + j * size, b + (size_t)x->ord[j] * size, size);
    for (size_t k = 0; k < nue; k++) {
        size_t lo = x->off[k], hi = x->off[k + 1];
        for (size_t j = lo + 1; j < hi; j++)
            if (cmp(tmp + (j - 1) * size, tmp + j * size) > 0) {
                qsort(tmp + lo * size, hi - lo, size, cmp);
                break;
            }
    }
    memcpy(b, tmp, n * size);
    free(tmp);
    for (size_t j = 0; j < n; j++)
        x->ord[j] = (uint32_t)j;
    return 0;
}

static void doc_free(struct ue_doc *doc)
{
    if (!doc) return;
    ue_index_t *xs[] = {&doc->ids, &doc->attrs, &doc->txns, &doc->steps};
    for (size_t i = 0; i < sizeof xs / sizeof xs[0]; i++) {
        free(xs[i]->off);
        free(xs[i]->ord);
    }
    free(doc->refs);
    free(doc->scratch);
    free(doc);
}

/* Builds u->doc: transactions and steps sorted, everything grouped by subscriber. */
static int doc_prepare(tpa_ue_t *u)
{
    if (u->doc) return 0;
    size_t n = u->nroots, most = u->nids;
    if (u->nattrs > most) most = u->nattrs;
    if (u->ntxns > most) most = u->ntxns;
    if (u->nsteps > most) most = u->nsteps;
    struct ue_doc *doc = calloc(1, sizeof *doc);
    uint32_t *key = malloc((most ? most : 1) * sizeof *key);
    if (doc) doc->refs = malloc((u->nsteps ? u->nsteps : 1) * sizeof *doc->refs);
    int rc = TPA_ERR_NOMEM;
    if (!doc || !key || !doc->refs) goto fail;
    for (size_t i = 0; i < u->nids; i++)
        key[i] = u->ids[i].ue;
    if ((rc = index_by_ue(&doc->ids, key, u->nids, n)) < 0) goto fail;
    for (size_t i = 0; i < u->nattrs; i++)
        key[i] = u->number[u->attrs[i].anchor];
    if ((rc = index_by_ue(&doc->attrs, key, u->nattrs, n)) < 0) goto fail;
    for (size_t i = 0; i < u->ntxns; i++)
        key[i] = u->txns[i].ue;
    if ((rc = sort_by_ue(&doc->txns, u->txns, u->ntxns, sizeof *u->txns, key, n, cmp_utxn)) < 0)
        goto fail;
    size_t nref = 0;
    for (size_t i = 0; i < u->nsteps; i++) {
        uint32_t ue = u->number[u->steps[i].anchor];
        if (ue) doc->refs[nref++] = (step_ref_t){ue, (uint32_t)i, &u->steps[i]};
    }
    for (size_t i = 0; i < nref; i++)
        key[i] = doc->refs[i].ue;
    if ((rc = sort_by_ue(&doc->steps, doc->refs, nref, sizeof *doc->refs, key, n, cmp_step)) < 0)
        goto fail;
    free(key);
    u->doc = doc;
    return 0;
fail:
    free(key);
    doc_free(doc);
    return rc;
}

/* The arrays of one object of ues[] ("identities", "attributes"): per kind name (kind
 * TPA_ID_KINDS: "other") its distinct values, at most UE_JSON_MAX_VALUES, in the
 * order given; kinds in the order first given. Values are copied to the scratch. */
typedef struct ue_groups {
    struct ue_doc *doc;
    size_t used; /* scratch bytes */
    uint8_t order[TPA_ID_KINDS + 1], norder;
    bool present[TPA_ID_KINDS + 1];
    uint8_t n[TPA_ID_KINDS + 1];
    uint32_t at[TPA_ID_KINDS + 1][UE_JSON_MAX_VALUES];   /* scratch offsets */
    uint32_t hash[TPA_ID_KINDS + 1][UE_JSON_MAX_VALUES]; /* of each value: compared first */
} ue_groups_t;

static void groups_kind(ue_groups_t *g, unsigned k)
{
    if (g->present[k]) return;
    g->present[k] = true;
    g->order[g->norder++] = (uint8_t)k;
}

/* Adds s under kind k unless already there, the kind is full, or s is not UTF-8 (as
 * appending json_string(s) to the kind's array did: the array is made all the same). */
static int groups_add(ue_groups_t *g, unsigned k, const char *s)
{
    if (k > TPA_ID_KINDS) k = TPA_ID_KINDS;
    groups_kind(g, k);
    if (g->n[k] >= UE_JSON_MAX_VALUES) return 0;
    size_t len = strlen(s);
    uint64_t h64 = tpa_hash_bytes(0, s, len);
    uint32_t h = (uint32_t)(h64 ^ h64 >> 32);
    for (unsigned i = 0; i < g->n[k]; i++) /* a subscriber's many TEIDs: hashes, not texts */
        if (g->hash[k][i] == h && strcmp(g->doc->scratch + g->at[k][i], s) == 0) return 0;
    if (!tpa_jw_utf8(s, len)) return 0;
    if (g->doc->scratch_cap - g->used < len + 1) {
        size_t cap = g->doc->scratch_cap ? g->doc->scratch_cap * 2 : 4096;
        while (cap - g->used < len + 1)
            cap *= 2;
        char *sc = realloc(g->doc->scratch, cap);
        if (!sc) return TPA_ERR_NOMEM;
        g->doc->scratch = sc;
        g->doc->scratch_cap = cap;
    }
    memcpy(g->doc->scratch + g->used, s, len + 1);
    g->hash[k][g->n[k]] = h;
    g->at[k][g->n[k]++] = (uint32_t)g->used;
    g->used += len + 1;
    return 0;
}

static const char *group_name(unsigned k)
{
    return tpa_ue_kind_name((tpa_id_kind_t)k); /* TPA_ID_KINDS: "other" */
}

static int groups_write(tpa_jw_t *w, const char *key, const ue_groups_t *g)
{
    tpa_jw_obj(w, key);
    for (unsigned i = 0; i < g->norder; i++) {
        unsigned k = g->order[i];
        tpa_jw_arr(w, group_name(k));
        for (unsigned j = 0; j < g->n[k]; j++)
            tpa_jw_str(w, NULL, g->doc->scratch + g->at[k][j]);
        tpa_jw_arr_end(w);
    }
    return tpa_jw_obj_end(w);
}

static int add_identity(ue_groups_t *g, const ident_t *n)
{
    char buf[TPA_UE_MAX_VALUE + 32];
    for (unsigned k = 0; k < TPA_ID_KINDS; k++) {
        if (!(n->kinds & (1u << k))) continue;
        const char *v = n->value;
        if (k == TPA_ID_SUPI && n->cls == TPA_ID_IMSI) {
            snprintf(buf, sizeof buf, "imsi-%s", n->value);
            v = buf;
        } else if (flow_scoped(n->cls)) {
            snprintf(buf, sizeof buf, "%s@flow%" PRIu32, n->value, n->scope);
            v = buf;
        }
        int rc = groups_add(g, k, v);
        if (rc) return rc;
    }
    return 0;
}

static const char *kind_str(uint8_t k)
{
    return k == TPA_SIG_REQUEST ? "request" : k == TPA_SIG_RESPONSE ? "response" : "indication";
}

static void step_write(tpa_jw_t *w, const step_t *s, tpa_ue_txn_outcome_fn outcome, void *ud)
{
    const char *kind = kind_str(s->kind);
    tpa_jw_obj(w, NULL);
    tpa_result_ts_write(w, "ts", s->ts_us);
    tpa_jw_int(w, "frame", (int64_t)s->frame);
    tpa_jw_str(w, "src", s->src);
    tpa_jw_str(w, "dst", s->dst);
    tpa_jw_str(w, "protocol", s->protocol);
    tpa_jw_str(w, "name", s->name);
    tpa_jw_ascii(w, "kind", kind, strlen(kind));
    const char *oc = NULL;
    if (s->outcome == TPA_SIG_FAILURE)
        oc = "failure";
    else if (s->kind == TPA_SIG_RESPONSE)
        oc = "success";
    else if (s->kind == TPA_SIG_REQUEST && s->txn && outcome)
        oc = outcome(ud, s->txn);
    tpa_jw_str(w, "outcome", oc); /* the callback's: checked as UTF-8 */
    if (s->txn)
        tpa_result_id_write(w, "transaction", "t", s->txn);
    else
        tpa_jw_null(w, "transaction");
    tpa_jw_obj_end(w);
}

size_t tpa_ue_listed(const tpa_ue_t *u)
{
    return u && u->finished && u->number ? u->nroots : 0;
}

int tpa_ue_item_write(const tpa_ue_t *cu, size_t k, tpa_ue_txn_outcome_fn outcome, void *ud,
                      tpa_jw_t *w)
{
    tpa_ue_t *u = (tpa_ue_t *)cu; /* the grouping is made once, on first use */
    if (k >= tpa_ue_listed(u)) return TPA_ERR_INVALID;
    int rc = doc_prepare(u);
    if (rc) return rc;
    const struct ue_doc *doc = u->doc;
    const agg_t *r = &u->listed[k];
    ue_groups_t g;
    g.doc = u->doc;
    g.used = 0;
    g.norder = 0;
    memset(g.present, 0, sizeof g.present);
    memset(g.n, 0, sizeof g.n);
    tpa_jw_obj(w, NULL);
    tpa_result_id_write(w, "id", "ue", k + 1);
    for (uint32_t i = doc->ids.off[k]; i < doc->ids.off[k + 1]; i++)
        if ((rc = add_identity(&g, &u->ids[doc->ids.ord[i]])) != 0) return rc;
    groups_write(w, "identities", &g);
    g.used = 0;
    g.norder = 0;
    memset(g.present, 0, sizeof g.present);
    memset(g.n, 0, sizeof g.n);
    groups_kind(&g, TPA_ID_DNN);
    groups_kind(&g, TPA_ID_SNSSAI);
    groups_kind(&g, TPA_ID_PDU_SESSION);
    for (uint32_t i = doc->attrs.off[k]; i < doc->attrs.off[k + 1]; i++) {
        const attr_t *a = &u->attrs[doc->attrs.ord[i]];
        if ((rc = groups_add(&g, a->kind, a->value)) != 0) return rc;
    }
    groups_write(w, "attributes", &g);
    tpa_result_ts_write(w, "first_ts", r->first_us);
    tpa_result_ts_write(w, "last_ts", r->last_us);
    tpa_jw_int(w, "messages", (int64_t)r->nmsgs);
    tpa_jw_arr(w, "transactions");
    for (uint32_t i = doc->txns.off[k]; i < doc->txns.off[k + 1]; i++)
        tpa_result_id_write(w, NULL, "t", u->txns[doc->txns.ord[i]].txn);
    tpa_jw_arr_end(w);
    size_t shown = doc->steps.off[k + 1] - doc->steps.off[k];
    if (shown > u->lim.ladder_per_ue) shown = u->lim.ladder_per_ue;
    tpa_jw_arr(w, "ladder");
    for (uint32_t i = doc->steps.off[k]; i < doc->steps.off[k] + shown; i++)
        step_write(w, doc->refs[doc->steps.ord[i]].s, outcome, ud);
    tpa_jw_arr_end(w);
    tpa_jw_bool(w, "ladder_truncated", shown < r->nmsgs);
    return tpa_jw_obj_end(w);
}

json_t *tpa_ue_json(const tpa_ue_t *u, tpa_ue_txn_outcome_fn outcome, void *ud)
{
    tpa_jw_t *w = tpa_jw_new_tree();
    if (!w) return NULL;
    tpa_jw_arr(w, NULL);
    size_t n = tpa_ue_listed(u);
    for (size_t k = 0; k < n && !tpa_jw_error(w); k++) {
        int rc = tpa_ue_item_write(u, k, outcome, ud, w);
        if (rc) {
            tpa_jw_destroy(&w);
            return NULL;
        }
    }
    tpa_jw_arr_end(w);
    json_t *arr = tpa_jw_take_tree(w);
    tpa_jw_destroy(&w);
    return arr;
}
