/* test_flow.c - flow keys are direction independent and idle flows leave the live
 * table (tpa_flow.h: "memory for the live table grows with concurrently open flows,
 * not with packets"). */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "tpa_flow.h"
#include "tpa_test.h"

static const uint8_t A[4] = {10, 0, 0, 1}, B[4] = {10, 0, 0, 2};
static const uint8_t A6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1},
                     B6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* Churn through the index: keys drawn at random from a window that slides over
 * NK keys, idle expiry every second of capture time. A reference model says for
 * each lookup whether the key's flow is still live (then the same flow comes back)
 * or was finished (then a new one is created); the slots are deleted and reused all
 * the time and the index grows through several doublings, so runs of probed slots
 * are shifted back on deletion again and again. Returns the failures. */
static int churn(void)
{
    enum { NK = 30000, STEPS = 200000, WINDOW = 4000 };
    static tpa_flow_t *ref[NK];
    static int64_t last[NK];
    int bad = 0;
    tpa_flow_table_t *t = tpa_flow_table_new();
    if (!t) return 1;
    uint64_t rnd = 88172645463325252ULL;
    int64_t expired_at = -1; /* time of the last expire call */
    for (int step = 0; step < STEPS; step++) {
        int64_t now = (int64_t)step * 100000; /* 100 ms a step */
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        uint32_t j = (uint32_t)((step / 5 + rnd % WINDOW) % NK);
        uint8_t src[16] = {10, (uint8_t)(j >> 16), (uint8_t)(j >> 8), (uint8_t)j};
        tpa_flow_key_t k; /* a quarter IPv6, a quarter inside a tunnel */
        int fam = j % 4 == 1 ? 6 : 4;
        int s =
            tpa_flow_key_make(&k, fam, 17, src, 5000, fam == 6 ? B6 : B, 53, j % 4 == 2 ? j : 0);
        bool was_live = ref[j] && last[j] + TPA_FLOW_TIMEOUT_UDP_US >= expired_at;
        bool created;
        tpa_flow_t *f = tpa_flow_get(t, &k, s, now, &created);
        if (!f || created == was_live || (was_live && f != ref[j]) || f->finished) {
            if (bad++ < 5) fprintf(stderr, "churn: step %d key %u wrong flow\n", step, j);
        }
        if (!f) break;
        ref[j] = f;
        last[j] = now;
        tpa_flow_count(t, f, s, 1, 80, now);
        if (step % 10 == 9) {
            tpa_flow_table_expire(t, now);
            expired_at = now;
            if (step % 1000 != 999) continue;
            size_t live = 0;
            for (uint32_t i = 0; i < NK; i++)
                live += ref[i] && last[i] + TPA_FLOW_TIMEOUT_UDP_US >= now;
            if (tpa_flow_table_live(t) != live && bad++ < 5)
                fprintf(stderr, "churn: step %d live %zu, expected %zu\n", step,
                        tpa_flow_table_live(t), live);
        }
    }
    if (tpa_flow_table_total(t) < 2 * (size_t)NK) bad++; /* flows came back: churn happened */
    tpa_flow_table_destroy(&t);
    return bad;
}

/* ---- expiry against a model of exact LRU lists ----
 * The model keeps, per flow, its class, last_us and the order of its last move (a
 * count, a class change, its creation) and expires as tpa_flow.h says: per class in
 * that order, the idle flows up to the first one that is not. The table must finish
 * the same flows in the same order (its hook records them), in its lazy mode (time
 * only goes forward, a fragment's earlier time just before its frame's) and after
 * the order of last_us and of moves part (exact lists). */
enum { MK = 300 };
typedef struct mflow {
    tpa_flow_t *f; /* NULL: not live */
    int cls;
    int64_t last;
    uint64_t touch;
} mflow_t;
static mflow_t model[MK];
static uint64_t mtouch;
static uint32_t got[1 << 16], want[1 << 16];
static size_t ngot, nwant;

static void rec_finish(void *ud, tpa_flow_t *f)
{
    (void)ud;
    if (ngot < sizeof got / sizeof got[0]) got[ngot++] = f->id;
}

static void model_expire(int64_t now, bool all)
{
    static const int64_t to[TPA_FLOW_NCLS] = {TPA_FLOW_TIMEOUT_UDP_US, TPA_FLOW_TIMEOUT_TCP_US,
                                              TPA_FLOW_TIMEOUT_CLOSED_US};
    for (int c = 0; c < TPA_FLOW_NCLS; c++) {
        for (;;) { /* the least recently moved live flow of class c */
            int best = -1;
            for (int i = 0; i < MK; i++)
                if (model[i].f && model[i].cls == c &&
                    (best < 0 || model[i].touch < model[best].touch))
                    best = i;
            if (best < 0 || (!all && model[best].last + to[c] >= now)) break;
            if (nwant < sizeof want / sizeof want[0]) want[nwant++] = model[best].f->id;
            model[best].f = NULL;
        }
    }
}

/* mode 0: time goes forward; 1: now and then a packet's time goes back; 2: now and
 * then a flow changes class before its packet is counted (with its older last_us). */
static int lru_model(int mode)
{
    tpa_flow_table_t *t = tpa_flow_table_new();
    if (!t) return 1;
    tpa_flow_table_hooks(t, rec_finish, NULL, NULL);
    memset(model, 0, sizeof model);
    mtouch = 0;
    ngot = nwant = 0;
    uint64_t rnd = 0x2545F4914F6CDD1DULL;
    int64_t now = 0;
    int bad = 0;
    for (int step = 0; step < 30000; step++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        now += (int64_t)(rnd % 3000000);
        int i = (int)((rnd >> 24) % MK);
        unsigned op = (unsigned)(rnd >> 40) % 100;
        uint8_t src[4] = {10, 1, (uint8_t)(i >> 8), (uint8_t)i};
        tpa_flow_key_t k;
        int s = tpa_flow_key_make(&k, 4, 17, src, 7000, B, 53, 0);
        bool created;
        tpa_flow_t *f = tpa_flow_get(t, &k, s, now, &created);
        if (!f || created != !model[i].f) bad++;
        if (!f) break;
        if (created) model[i] = (mflow_t){f, TPA_FLOW_CLS_OTHER, now, ++mtouch};
        int c = (int)((rnd >> 50) % TPA_FLOW_NCLS);
        if (mode == 2 && op < 3) { /* another class before its packet is counted */
            tpa_flow_set_class(t, f, (uint8_t)c);
            if (c != model[i].cls) model[i].cls = c, model[i].touch = ++mtouch;
        } else if (op < 15) { /* a fragment's first time, then its frame's */
            int64_t early = now - (int64_t)((rnd >> 20) % 2000000);
            tpa_flow_count(t, f, s, 1, 100, early);
            if (early > model[i].last) model[i].last = early;
            model[i].touch = ++mtouch;
        } else if (mode == 1 && op < 18) { /* time goes back */
            int64_t old = now - (int64_t)((rnd >> 20) % 400000000);
            tpa_flow_count(t, f, s, 1, 100, old);
            if (old > model[i].last) model[i].last = old;
            model[i].touch = ++mtouch;
            continue;
        }
        tpa_flow_count(t, f, s, 1, 100, now);
        if (now > model[i].last) model[i].last = now;
        model[i].touch = ++mtouch;
        if (op >= 80 && op < 90) { /* another class once counted (tunnels, TCP FIN) */
            tpa_flow_set_class(t, f, (uint8_t)c);
            if (c != model[i].cls) model[i].cls = c, model[i].touch = ++mtouch;
        }
        if (op >= 90) { /* an expiry */
            tpa_flow_table_expire(t, now);
            model_expire(now, false);
        }
    }
    size_t n;
    tpa_flow_table_finish(t, &n);
    model_expire(0, true);
    if (ngot != nwant || memcmp(got, want, ngot * sizeof got[0]) != 0) {
        bad++;
        size_t j = 0;
        while (j < ngot && j < nwant && got[j] == want[j])
            j++;
        fprintf(stderr, "lru_model(mode %d): %zu finished, expected %zu; first difference at %zu\n",
                mode, ngot, nwant, j);
    }
    if (nwant < 1000) bad++; /* flows did expire */
    tpa_flow_table_destroy(&t);
    return bad;
}

/* Many live flows in one class when the table leaves its lazy mode (a packet from
 * the past, then the end of the capture): the exact lists are then built by a radix
 * sort of the touch stamps (from 256 flows on, tpa_flow.c), and the flows must still
 * finish least recently counted first. Returns the failures. */
static int many_exact(void)
{
    enum { N = 1500 };
    static tpa_flow_t *fl[N];
    static int side[N];
    static uint32_t by_move[N + 8000 + 2];
    tpa_flow_table_t *t = tpa_flow_table_new();
    if (!t) return 1;
    tpa_flow_table_hooks(t, rec_finish, NULL, NULL);
    ngot = 0;
    memset(by_move, 0, sizeof by_move);
    static uint32_t last_move[N];
    uint64_t rnd = 0xD1B54A32D192ED03ULL;
    uint32_t moves = 0;
    int64_t now = 1000000;
    int bad = 0, last = 0;
    for (int step = 0; step < N + 8000; step++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        int i = step < N ? step : (int)(rnd % N);
        uint8_t src[4] = {10, 2, (uint8_t)(i >> 8), (uint8_t)i};
        tpa_flow_key_t k;
        side[i] = tpa_flow_key_make(&k, 4, 17, src, 4000, B, 53, 0);
        bool created;
        fl[i] = tpa_flow_get(t, &k, side[i], now, &created);
        if (!fl[i]) {
            tpa_flow_table_destroy(&t);
            return bad + 1;
        }
        tpa_flow_count(t, fl[i], side[i], 1, 100, now);
        last_move[i] = ++moves;
        last = i;
        now += 10;
    }
    int j = (last + 1) % N; /* not the flow counted last: its time is then out of order */
    tpa_flow_count(t, fl[j], side[j], 1, 100, now - 5000000);
    last_move[j] = ++moves;
    size_t n;
    tpa_flow_table_finish(t, &n);
    for (int i = 0; i < N; i++)
        by_move[last_move[i]] = fl[i]->id;
    size_t k = 0;
    for (uint32_t m = 1; m <= moves; m++)
        if (by_move[m]) {
            if (k >= ngot || got[k] != by_move[m]) bad++;
            k++;
        }
    if (k != N || ngot != N) bad++;
    tpa_flow_table_destroy(&t);
    return bad;
}

/* The key as tpa_flow.h defines it, made the plain way: endpoints compared as
 * (address bytes in memcmp order, port), the lower one first. */
static int ref_key(tpa_flow_key_t *k, int fam, uint8_t proto, const uint8_t *src, uint16_t sp,
                   const uint8_t *dst, uint16_t dp, uint32_t ctx)
{
    size_t alen = fam == 6 ? 16 : 4;
    int c = memcmp(src, dst, alen);
    if (!c) c = (sp > dp) - (sp < dp);
    int side = c > 0;
    memset(k, 0, sizeof *k);
    k->proto = proto;
    k->family = (uint8_t)fam;
    k->ctx = ctx;
    memcpy(k->addr[side], src, alen);
    memcpy(k->addr[!side], dst, alen);
    k->port[side] = sp;
    k->port[!side] = dp;
    return side;
}

/* tpa_flow_key_make (inline for IPv4) agrees with ref_key, and tpa_flow_get_count
 * (one call per packet) leaves a table as tpa_flow_get_hint + tpa_flow_count do:
 * the same flows, counters, and finish order. Returns the failures. */
static int fast_paths(void)
{
    int bad = 0;
    tpa_flow_table_t *t1 = tpa_flow_table_new(), *t2 = tpa_flow_table_new();
    if (!t1 || !t2) return 1;
    uint64_t rnd = 0x9E3779B97F4A7C15ULL;
    tpa_flow_t *h1 = NULL, *h2 = NULL;
    for (int i = 0; i < 20000; i++) {
        rnd ^= rnd << 13, rnd ^= rnd >> 7, rnd ^= rnd << 17;
        int fam = rnd % 5 == 0 ? 6 : 4;
        uint8_t src[16] = {0}, dst[16] = {0};
        /* few distinct values: equal addresses and ports are frequent */
        for (size_t b = 0; b < (fam == 6 ? 16u : 4u); b++) {
            src[b] = (uint8_t)(rnd >> (b % 8 * 2) & 1);
            dst[b] = (uint8_t)(rnd >> (b % 8 * 2 + 16) & 1);
        }
        uint16_t sp = (uint16_t)(rnd >> 40 & 3), dp = (uint16_t)(rnd >> 44 & 3);
        uint32_t ctx = (uint32_t)(rnd >> 50 & 1);
        tpa_flow_key_t k, r;
        int s = tpa_flow_key_make(&k, fam, 17, src, sp, dst, dp, ctx);
        int rs = ref_key(&r, fam, 17, src, sp, dst, dp, ctx);
        CHECK(s == rs && memcmp(&k, &r, sizeof k) == 0);
        int64_t now = (int64_t)i * 50000 - (int64_t)(rnd >> 56 & 1) * 20000; /* back a bit */
        bool c1 = false, c2 = false;
        tpa_flow_t *f1 = tpa_flow_get_count(t1, &k, s, now, 100 + i % 7, &c1, h1);
        tpa_flow_t *f2 = tpa_flow_get_hint(t2, &k, s, now, &c2, h2);
        CHECK(f1 && f2 && c1 == c2 && f1->id == f2->id);
        if (!f1 || !f2) break;
        tpa_flow_count(t2, f2, s, 1, 100 + i % 7, now);
        h1 = f1;
        h2 = f2;
        if (i % 1000 == 999) {
            tpa_flow_table_expire(t1, now);
            tpa_flow_table_expire(t2, now);
        }
    }
    size_t n1, n2;
    tpa_flow_t *const *a1 = tpa_flow_table_finish(t1, &n1);
    tpa_flow_t *const *a2 = tpa_flow_table_finish(t2, &n2);
    CHECK(n1 == n2 && n1 > 0);
    for (size_t i = 0; i < n1 && i < n2; i++) {
        const tpa_flow_t *x = a1[i], *y = a2[i];
        CHECK(memcmp(&x->key, &y->key, sizeof x->key) == 0 && x->pkts[0] == y->pkts[0] &&
              x->pkts[1] == y->pkts[1] && x->bytes[0] == y->bytes[0] &&
              x->bytes[1] == y->bytes[1] &&
              tpa_flow_cold(x)->first_us == tpa_flow_cold(y)->first_us &&
              x->last_us == y->last_us && x->src_side == y->src_side);
    }
    tpa_flow_table_destroy(&t1);
    tpa_flow_table_destroy(&t2);
    return bad;
}

/* The two parts of a flow (tpa_flow.h): for flows across many slabs (the first
 * malloc'ed, the next on huge pages), the hot part on a 128-byte boundary, the cold
 * part on a cache line of the same slab past every hot part, no two parts sharing a
 * byte: a value written to each flow's cold part and counters is read back intact
 * after all flows are made. The stand-in is zeroed, in both parts, on every call. */
static int two_parts(void)
{
    enum { N = 3 * TPA_FLOW_SLAB_FLOWS * 32 + 7 }; /* past the first huge page's slabs */
    static tpa_flow_t *fl[N];
    int bad = 0;
    tpa_flow_table_t *t = tpa_flow_table_new();
    if (!t) return 1;
    for (uint32_t i = 0; i < N; i++) {
        uint8_t a[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        tpa_flow_key_t k;
        int s = tpa_flow_key_make(&k, 4, 17, a, 1, B, 2, 0);
        bool created = false;
        tpa_flow_t *f = tpa_flow_get_count(t, &k, s, 1000, 1, &created, NULL);
        if (!f || !created || f->id != i + 1) return bad + 1;
        fl[i] = f;
        tpa_flow_cold_t *c = tpa_flow_cold(f);
        uintptr_t h = (uintptr_t)f, cu = (uintptr_t)c,
                  slab = h & ~(uintptr_t)(TPA_FLOW_SLAB_BYTES - 1);
        bad += h % 128 != 0 || cu % 64 != 0;
        bad += (cu & ~(uintptr_t)(TPA_FLOW_SLAB_BYTES - 1)) != slab;
        bad += cu - slab < TPA_FLOW_SLAB_FLOWS * sizeof(tpa_flow_t);
        bad += c->first_us != 1000 || c->tcp || c->app_state || c->teid;
        c->first_us = -(int64_t)i - 5; /* earlier than any count: kept */
        c->teid = i * 7u + 1;
        f->pkts[1] = i;
    }
    for (uint32_t i = 0; i < N; i++) {
        const tpa_flow_cold_t *c = tpa_flow_cold(fl[i]);
        bad += c->first_us != -(int64_t)i - 5 || c->teid != i * 7u + 1 || fl[i]->pkts[1] != i;
        bad += fl[i]->id != i + 1 || fl[i]->last_us != 1000;
    }
    for (int r = 0; r < 2; r++) {
        tpa_flow_t *x = tpa_flow_table_standin(t);
        if (!x) return bad + 1;
        const unsigned char *hz = (const unsigned char *)x,
                            *cz = (const unsigned char *)tpa_flow_cold(x);
        for (size_t i = 0; i < sizeof *x; i++)
            bad += hz[i] != 0;
        for (size_t i = 0; i < sizeof(tpa_flow_cold_t); i++)
            bad += cz[i] != 0;
        memset(x, 0xab, sizeof *x);
        memset(tpa_flow_cold(x), 0xcd, sizeof(tpa_flow_cold_t));
    }
    CHECK(tpa_flow_table_total(t) == N);
    tpa_flow_table_destroy(&t);
    return bad;
}

int main(void)
{
    CHECK(two_parts() == 0);
    CHECK(churn() == 0);
    CHECK(lru_model(0) == 0);
    CHECK(lru_model(1) == 0);
    CHECK(lru_model(2) == 0);
    CHECK(fast_paths() == 0);
    CHECK(many_exact() == 0);

    tpa_flow_table_t *t = tpa_flow_table_new();
    CHECK(t != NULL);
    tpa_flow_key_t k1, k2;
    int s1 = tpa_flow_key_make(&k1, 4, 17, A, 1000, B, 53, 0);
    int s2 = tpa_flow_key_make(&k2, 4, 17, B, 53, A, 1000, 0);
    CHECK(memcmp(&k1, &k2, sizeof k1) == 0); /* symmetric */
    CHECK(s1 != s2);
    bool created;
    tpa_flow_t *f = tpa_flow_get(t, &k1, s1, 1000000, &created);
    CHECK(f && created && f->id == 1);
    tpa_flow_count(t, f, s1, 1, 100, 1000000);
    tpa_flow_t *g = tpa_flow_get(t, &k2, s2, 2000000, &created);
    CHECK(g == f && !created);
    tpa_flow_count(t, g, s2, 1, 60, 2000000);
    CHECK(f->pkts[s1] == 1 && f->pkts[s2] == 1 && f->bytes[s1] == 100 && f->bytes[s2] == 60);
    CHECK(f->src_side == s1 && tpa_flow_cold(f)->first_us == 1000000 && f->last_us == 2000000);
    /* times out of order: first_us is the lowest and last_us the highest counted (count
     * reads first_us only for a time not past last_us) */
    static const int64_t back[] = {1500000, 2000000, 900000, 2500000, 900000, 400000, 2400000};
    int64_t lo = 1000000, hi = 2000000;
    for (size_t i = 0; i < sizeof back / sizeof back[0]; i++) {
        tpa_flow_count(t, f, s1, 1, 1, back[i]);
        lo = back[i] < lo ? back[i] : lo;
        hi = back[i] > hi ? back[i] : hi;
        CHECK(tpa_flow_cold(f)->first_us == lo && f->last_us == hi);
    }
    CHECK(tpa_flow_cold(f)->first_us == 400000 && f->last_us == 2500000 && f->pkts[s1] == 8);

    /* same endpoints, other proto or context: other flows */
    tpa_flow_key_t k3;
    int s3 = tpa_flow_key_make(&k3, 4, 6, A, 1000, B, 53, 0);
    CHECK(tpa_flow_get(t, &k3, s3, 2000000, &created) != f && created);
    s3 = tpa_flow_key_make(&k3, 4, 17, A, 1000, B, 53, 7);
    CHECK(tpa_flow_get(t, &k3, s3, 2000000, &created) != f && created);
    /* same address, ports swapped between sides: canonical order by (addr, port) */
    s3 = tpa_flow_key_make(&k3, 4, 17, A, 53, A, 1000, 0);
    tpa_flow_key_t k4;
    int s4 = tpa_flow_key_make(&k4, 4, 17, A, 1000, A, 53, 0);
    CHECK(memcmp(&k3, &k4, sizeof k3) == 0 && s3 != s4);

    /* idle expiry keeps the live table bounded: 100000 short UDP flows over time */
    tpa_flow_table_t *u = tpa_flow_table_new();
    size_t peak = 0;
    for (uint32_t i = 0; i < 100000; i++) {
        int64_t now = (int64_t)i * 100000; /* 10 flows a second */
        uint8_t src[4] = {10, (uint8_t)(i >> 16), (uint8_t)(i >> 8), (uint8_t)i};
        tpa_flow_key_t k;
        int s = tpa_flow_key_make(&k, 4, 17, src, 5000, B, 53, 0);
        tpa_flow_t *x = tpa_flow_get(u, &k, s, now, &created);
        CHECK(x && created);
        tpa_flow_count(u, x, s, 1, 80, now);
        tpa_flow_table_expire(u, now);
        if (tpa_flow_table_live(u) > peak) peak = tpa_flow_table_live(u);
    }
    /* 300 s timeout at 10 flows/s: about 3000 live, never all 100000 */
    CHECKF(peak <= 3100, "peak %zu", peak);
    CHECK(tpa_flow_table_total(u) == 100000);
    size_t n;
    tpa_flow_t *const *all = tpa_flow_table_finish(u, &n);
    CHECK(n == 100000 && all && all[0]->id == 1 && all[n - 1]->id == n);
    bool ordered = true;
    for (size_t i = 0; i < n; i++)
        ordered &= all[i]->id == i + 1;
    CHECK(ordered);
    CHECK(tpa_flow_table_live(u) == 0);

    /* TCP: FIN from both sides moves the flow to the 60 s class */
    tpa_flow_key_t kt;
    int st = tpa_flow_key_make(&kt, 4, 6, A, 40000, B, 80, 0);
    tpa_flow_t *tf = tpa_flow_get(t, &kt, st, 0, &created);
    tpa_flow_tcp_flags(t, tf, st, TPA_TCP_SYN);
    CHECK(tf->cls == TPA_FLOW_CLS_TCP);
    tpa_flow_tcp_flags(t, tf, st, TPA_TCP_FIN | TPA_TCP_ACK);
    CHECK(tf->cls == TPA_FLOW_CLS_TCP);
    tpa_flow_tcp_flags(t, tf, !st, TPA_TCP_FIN | TPA_TCP_ACK);
    CHECK(tf->cls == TPA_FLOW_CLS_CLOSED);
    size_t live = tpa_flow_table_live(t);
    tpa_flow_table_expire(t, 61 * 1000000LL);
    CHECK(tpa_flow_table_live(t) < live); /* the closed flow went */

    /* a tunnel flow moved to the long class survives the UDP timeout */
    tpa_flow_table_t *v = tpa_flow_table_new();
    tpa_flow_key_t kg;
    int sg = tpa_flow_key_make(&kg, 4, 17, A, 2152, B, 2152, 0);
    tpa_flow_t *gf = tpa_flow_get(v, &kg, sg, 0, &created);
    tpa_flow_set_class(v, gf, TPA_FLOW_CLS_TCP);
    tpa_flow_table_expire(v, 400 * 1000000LL);
    CHECK(tpa_flow_table_live(v) == 1);
    tpa_flow_table_expire(v, 3601 * 1000000LL);
    CHECK(tpa_flow_table_live(v) == 0);
    tpa_flow_table_destroy(&v);

    /* the hint: a live flow with the key is the answer; a finished one, or one with
     * another key, is not */
    tpa_flow_table_t *w = tpa_flow_table_new();
    tpa_flow_key_t ka, kb;
    int sa = tpa_flow_key_make(&ka, 4, 17, A, 1000, B, 53, 0);
    int sb = tpa_flow_key_make(&kb, 4, 17, A, 1001, B, 53, 0);
    tpa_flow_t *fa = tpa_flow_get_hint(w, &ka, sa, 0, &created, NULL);
    CHECK(fa && created);
    tpa_flow_t *fb = tpa_flow_get_hint(w, &kb, sb, 0, &created, fa); /* wrong hint */
    CHECK(fb && fb != fa && created);
    CHECK(tpa_flow_get_hint(w, &ka, !sa, 1, &created, fb) == fa && !created);
    CHECK(tpa_flow_get_hint(w, &ka, sa, 2, &created, fa) == fa && !created);
    tpa_flow_count(w, fb, sb, 1, 60, 400 * 1000000LL);
    tpa_flow_table_expire(w, 301 * 1000000LL); /* fa idle past 300 s: finished */
    CHECK(fa->finished && !fb->finished && tpa_flow_table_live(w) == 1);
    tpa_flow_t *fa2 = tpa_flow_get_hint(w, &ka, sa, 302 * 1000000LL, &created, fa);
    CHECK(fa2 && fa2 != fa && created && fa2->id == 3);
    CHECK(tpa_flow_get_hint(w, &ka, sa, 303 * 1000000LL, &created, NULL) == fa2 && !created);
    /* flows stay where they are (slabs): 1000 more, all pointers still valid */
    tpa_flow_t *first = fa2;
    for (uint16_t i = 0; i < 1000; i++) {
        tpa_flow_key_t kx;
        int sx = tpa_flow_key_make(&kx, 6, 6, A6, (uint16_t)(2000 + i), B6, 80, 9);
        CHECK(tpa_flow_get(w, &kx, sx, 304 * 1000000LL, &created) && created);
    }
    CHECK(tpa_flow_get(w, &ka, sa, 305 * 1000000LL, &created) == first && !created);
    size_t nw;
    tpa_flow_t *const *allw = tpa_flow_table_finish(w, &nw);
    CHECK(nw == 1003 && allw[0] == fa && allw[1] == fb && allw[2] == fa2);
    for (size_t i = 0; i < nw; i++)
        CHECK(((uintptr_t)allw[i] & 63) == 0 && allw[i]->id == i + 1);
    tpa_flow_table_destroy(&w);

    tpa_flow_table_destroy(&u);
    tpa_flow_table_destroy(&t);
    CHECK(t == NULL);
    return TEST_DONE();
}
