/* tpa_flow.h - the flow table: one entry per L4 conversation per encapsulation level.
 *
 * A flow key is direction independent: the two (address, port) endpoints are stored
 * in a canonical order, so both directions of a conversation hash and compare to the
 * same entry. The context word `ctx` separates conversations that are otherwise
 * equal but live in different tunnels (it holds the id of the enclosing tunnel flow,
 * 0 at the outermost level). VLAN ids are not part of the key: a conversation that
 * is mirrored through two VLANs stays one flow.
 *
 * The index of live flows is an open-addressing hash table (linear probing, backward
 * shift deletion, no tombstones) with a per-table random seed (hash flooding from a
 * hostile capture cannot be precomputed), grown by doubling at 3/4 load. A slot is 8
 * bytes, 32 bits of the key's hash and the flow's place (its slab and its index there;
 * flows are carved from slabs in id order): a lookup reads the slot array and the one
 * flow whose hash bits match, not the flows of a chain.
 *
 * Idle expiry: each live flow has a timeout class; tpa_flow_table_expire() finishes,
 * per class in LRU order (least recently counted first), the flows idle for longer
 * than their class timeout (capture time), up to the first one that is not, so memory
 * for the live table grows with concurrently open flows, not with packets. Finished
 * flows are kept (they are the result) until the table is destroyed. While capture
 * time does not go back within a class (the LRU order is then the order of last
 * activity), the table keeps no LRU list: a packet only stamps its flow, flows wait
 * in per-second buckets of a time wheel, and expire() sorts the idle ones it finds
 * into LRU order, a flow moving between buckets at most once per timeout period. The
 * first time capture time goes back, the table builds the exact LRU lists from the
 * stamps and keeps them from then on (a flow moves to its list's tail per packet);
 * the flows finished and their order are the same either way.
 *
 * Per-flow state beyond the counters (TCP connection tracking, SCTP association,
 * an application dissector's state) hangs off the flow through the pointers below and
 * is owned by the decoder: the table calls the hooks set with tpa_flow_table_hooks()
 * when a flow finishes (idle expiry or tpa_flow_table_finish: flush and free live
 * state) and when it frees a flow (destroy: free whatever is left).
 *
 * Costs: lookup O(1) expected; expire O(flows expired or moved, log of that to sort
 * them), the switch to LRU lists O(live log live) once; finish O(live flows).
 * Memory: the flows, plus 24 bytes per flow ever created (the id index, the links),
 * 11 to 22 bytes per live flow (the slots), and 48 KiB for the wheel.
 */
#ifndef TPA_FLOW_H
#define TPA_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Timeouts in capture time (microseconds). */
#define TPA_FLOW_TIMEOUT_UDP_US (300LL * 1000000)   /* udp, sctp, icmp, other */
#define TPA_FLOW_TIMEOUT_TCP_US (3600LL * 1000000)  /* tcp without FIN/RST */
#define TPA_FLOW_TIMEOUT_CLOSED_US (60LL * 1000000) /* tcp after FIN or RST */

enum { TPA_FLOW_CLS_OTHER = 0, TPA_FLOW_CLS_TCP = 1, TPA_FLOW_CLS_CLOSED = 2, TPA_FLOW_NCLS = 3 };

/* TCP flag bits as on the wire (low byte of the flags field). */
enum { TPA_TCP_FIN = 0x01, TPA_TCP_SYN = 0x02, TPA_TCP_RST = 0x04, TPA_TCP_ACK = 0x10 };

typedef struct tpa_flow_key {
    uint8_t addr[2][16]; /* IPv4 in the first 4 bytes, rest zero */
    uint16_t port[2];
    uint8_t proto;  /* IP protocol number (6 tcp, 17 udp, 132 sctp, 1 icmp, 58 icmpv6) */
    uint8_t family; /* 4 or 6 */
    uint16_t pad;   /* zero */
    uint32_t ctx;   /* enclosing tunnel flow id, 0 = none */
    uint32_t pad2;  /* zero */
} tpa_flow_key_t;

struct tpa_tcp_conn;   /* tpa_tcp.h */
struct tpa_sctp_assoc; /* tpa_sctp.h */

/* What TCP tracking (tpa_tcp.c) reads and writes for an in-order segment, kept in
 * the flow's counter line so that such a segment touches no other memory; the rest of
 * the connection is f->tcp. Owned by tpa_tcp.c; zero until the flow's first segment. */
typedef struct tpa_flow_tcp_hot {
    uint32_t next[2]; /* by key side of the sender: highest seq + space seen */
    uint32_t hs_ack;  /* at hs 2: the ACK number that completes the handshake */
    uint8_t dir[2];   /* by key side of the sender: bit 0 set once a segment with
                         sequence space was seen (next is valid); bits 1-2 the segments
                         with payload seen, counted up to 2 (tpa_tcp.c only asks
                         whether there was more than one) */
    uint8_t hs;       /* handshake: 0 none, 1 SYN, 2 SYN/ACK, 3 complete */
    uint8_t hs_side;  /* at hs 2: key side of the client */
} tpa_flow_tcp_hot_t;

typedef struct tpa_flow tpa_flow_t;
/* A flow in two parts. tpa_flow_t, 128 bytes on a 128-byte boundary (one aligned pair
 * of cache lines), is what packets use: its first line holds what a lookup reads (the
 * key) and the flags a packet reads, its second what every packet updates, TCP's
 * per-segment state included. tpa_flow_cold_t, 64 bytes elsewhere (tpa_flow_cold),
 * holds what is read rarely: once per flow, on a segment off TCP's fast path, for an
 * association or an app's state, or by the result. A packet of any kind reads and
 * writes the one aligned pair of its flow (the cold part only for first_us when the
 * packet's time is not past last_us). */
struct tpa_flow {
    tpa_flow_key_t key;   /* canonical order: endpoint 0 <= endpoint 1 */
    uint32_t id;          /* 1, 2, ... in order of first packet */
    uint8_t src_side;     /* key side (0/1) that sent the first packet */
    uint8_t cls;          /* timeout class */
    uint8_t app_tries;    /* payload packets probed without a decision */
    uint8_t finished;     /* the finish hook ran */
    uint16_t app;         /* dissector row + 1 (tpa_dissect.h), 0 = unknown */
    uint8_t tcp_flags;    /* OR of all TCP flags seen */
    uint8_t tcp_fin;      /* bit per key side that sent FIN */
    uint8_t has_teid_rev; /* teid_rev != 0 (read per packet instead of it) */
    uint8_t has_qfi;      /* qfi is set */
    uint8_t has_tcp;      /* tcp != NULL (read per segment instead of it) */
    uint8_t has_tunnel;   /* the cold part's tunnel context is set */
    /* per packet */
    uint64_t pkts[2]; /* indexed by key side that sent */
    uint64_t bytes[2];
    int64_t last_us;
    uint64_t touch; /* table internal: its count of LRU moves when this flow last moved */
    tpa_flow_tcp_hot_t tcp_hot; /* TCP flows: see the type */
};

/* The part of a flow read rarely (see tpa_flow_t). */
typedef struct tpa_flow_cold {
    int64_t first_us;
    struct tpa_tcp_conn *tcp;    /* TCP flows: connection tracking (tpa_tcp.h), or NULL */
    struct tpa_sctp_assoc *sctp; /* SCTP flows: association (tpa_sctp.h), or NULL */
    void *app_state;             /* a dissector's per-flow state, or NULL */
    void *app_info;              /* json_t object: the app's facts for flows[].<app>
                                    (tpa_dissect_flow_info), kept until the flow is freed, or NULL */
    uint32_t outer_flow;         /* tunnel context: enclosing flow id */
    uint32_t teid;               /* GTP-U TEID (or VXLAN VNI, GRE key) of the first packet */
    uint32_t teid_rev;           /* of the first packet in the other direction, 0 if none */
    uint16_t tunnel_kind;        /* 1 gtp-u, 2 gre, 3 vxlan, 4 ip-in-ip */
    uint16_t app_state_row;      /* app id owning app_state (tpa_dissect_state) */
    uint8_t qfi;                 /* 5G QoS flow id from a PDU session container */
} tpa_flow_cold_t;

/* Flows live in slabs of TPA_FLOW_SLAB_BYTES bytes aligned to that size: the
 * tpa_flow_t of TPA_FLOW_SLAB_FLOWS flows, then their tpa_flow_cold_t in the same
 * order, so that a flow's cold part follows from its address alone. */
#define TPA_FLOW_SLAB_BYTES 65536u
#define TPA_FLOW_SLAB_FLOWS 341u

/* The cold part of f, a flow of a table (tpa_flow_get*, tpa_flow_table_standin):
 * borrowed like f. O(1), no memory read. */
static inline tpa_flow_cold_t *tpa_flow_cold(const tpa_flow_t *f)
{
    const unsigned char *p = (const unsigned char *)f;
    size_t off = (uintptr_t)p & (TPA_FLOW_SLAB_BYTES - 1); /* f's offset in its slab */
    return (tpa_flow_cold_t *)(uintptr_t)(p + TPA_FLOW_SLAB_FLOWS * sizeof(tpa_flow_t) - off / 2);
}

typedef struct tpa_flow_table tpa_flow_table_t;

/* A new empty table with a random hash seed, or NULL. Destroy with _destroy. */
tpa_flow_table_t *tpa_flow_table_new(void);

/* Frees the table and every flow (live and finished), calling the release hook on
 * each first; nulls *t. */
void tpa_flow_table_destroy(tpa_flow_table_t **t);

/* Hooks on per-flow state. finish(ud, f) runs once per flow when it finishes (idle
 * expiry or tpa_flow_table_finish), before it joins the finished list: the place to
 * flush buffered data and free live state; the flow's counters must not change in it.
 * release(ud, f) runs for every flow when the table is destroyed, finished or not:
 * it frees what is left without delivering anything. Either may be NULL. */
typedef void (*tpa_flow_hook_fn)(void *ud, tpa_flow_t *f);
void tpa_flow_table_hooks(tpa_flow_table_t *t, tpa_flow_hook_fn finish, tpa_flow_hook_fn release,
                          void *ud);

/* The IPv6 case of tpa_flow_key_make (out of line). */
int tpa_flow_key_make6(tpa_flow_key_t *k, uint8_t proto, const uint8_t *src, uint16_t sport,
                       const uint8_t *dst, uint16_t dport, uint32_t ctx);

/* Fills k from an oriented packet (src -> dst); addresses are 4 or 16 bytes by
 * family. Returns the key side of the source (0 or 1) after canonical ordering
 * (endpoint 0 <= endpoint 1: address bytes in memcmp order, then port). Inline for
 * IPv4, which every packet of the common paths makes once or twice. */
static inline int tpa_flow_key_make(tpa_flow_key_t *k, int family, uint8_t proto,
                                    const uint8_t *src, uint16_t sport, const uint8_t *dst,
                                    uint16_t dport, uint32_t ctx)
{
    if (family == 6) return tpa_flow_key_make6(k, proto, src, sport, dst, dport, ctx);
    uint32_t a = (uint32_t)src[0] << 24 | (uint32_t)src[1] << 16 | (uint32_t)src[2] << 8 | src[3];
    uint32_t b = (uint32_t)dst[0] << 24 | (uint32_t)dst[1] << 16 | (uint32_t)dst[2] << 8 | dst[3];
    int side = a > b || (a == b && sport > dport);
    *k = (tpa_flow_key_t){.proto = proto, .family = (uint8_t)family, .ctx = ctx};
    const uint8_t *lo = side ? dst : src, *hi = side ? src : dst;
    memcpy(k->addr[0], lo, 4);
    memcpy(k->addr[1], hi, 4);
    k->port[0] = side ? dport : sport;
    k->port[1] = side ? sport : dport;
    return side;
}

/* The live flow for k (canonical, from tpa_flow_key_make), created if absent (its
 * src_side = side, first_us = now). Returns NULL only when out of memory. The flow
 * is borrowed: valid until the table is destroyed. *created says whether it is new.
 * hint, when not NULL, is the caller's guess (e.g. the flow its previous packet at
 * the same encapsulation level went to, finished or not): when it is live with key k,
 * it is the answer without a hash lookup, which spares the cache misses of one. */
tpa_flow_t *tpa_flow_get(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side, int64_t now_us,
                         bool *created);
tpa_flow_t *tpa_flow_get_hint(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side,
                              int64_t now_us, bool *created, tpa_flow_t *hint);

/* tpa_flow_get_hint, then tpa_flow_count(t, f, side, 1, bytes, now_us) on the flow
 * found: a packet's lookup and count in one call. NULL only when out of memory
 * (nothing counted then). */
tpa_flow_t *tpa_flow_get_count(tpa_flow_table_t *t, const tpa_flow_key_t *k, int side,
                               int64_t now_us, uint64_t bytes, bool *created, tpa_flow_t *hint);

/* Counts pkts packets, bytes in all, sent by key side `side` at now_us. */
void tpa_flow_count(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint64_t pkts, uint64_t bytes,
                    int64_t now_us);

/* The case of tpa_flow_tcp_flags that may change the flow's class (out of line). */
void tpa_flow_tcp_flags_class(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint8_t flags);

/* Records TCP flags of a segment sent by `side`; moves the flow to the closed class
 * on RST or once both sides sent FIN. Inline for a segment without SYN, FIN or RST on
 * a flow not closed by FINs, most segments: its flags are all there is to record. */
static inline void tpa_flow_tcp_flags(tpa_flow_table_t *t, tpa_flow_t *f, int side, uint8_t flags)
{
    if (!(flags & (TPA_TCP_SYN | TPA_TCP_FIN | TPA_TCP_RST)) && f->tcp_fin != 3)
        f->tcp_flags |= flags;
    else
        tpa_flow_tcp_flags_class(t, f, side, flags);
}

/* Moves f to timeout class cls; a tunnel flow takes the long TCP class so it
 * outlives every flow it carries (their packets are its packets). */
void tpa_flow_set_class(tpa_flow_table_t *t, tpa_flow_t *f, uint8_t cls);

/* Finishes every live flow idle past its class timeout at now_us. O(expired). */
void tpa_flow_table_expire(tpa_flow_table_t *t, int64_t now_us);

/* A zeroed flow (both parts) that is no flow of the table: never indexed, counted or
 * finished, for a caller that needs a flow-shaped stand-in (an ICMP error's quoted
 * datagram). Borrowed: valid, and zeroed again, until the next call or destroy. NULL
 * when out of memory. */
tpa_flow_t *tpa_flow_table_standin(tpa_flow_table_t *t);

/* Live (unfinished) flow count, and total flows ever created. */
size_t tpa_flow_table_live(const tpa_flow_table_t *t);
size_t tpa_flow_table_total(const tpa_flow_table_t *t);

/* Finishes all live flows and returns every flow ordered by id (n = total).
 * The array and flows are borrowed from the table (valid until destroy). Flows
 * may not be counted after this call. NULL with *n = 0 when there are none or
 * out of memory. */
tpa_flow_t *const *tpa_flow_table_finish(tpa_flow_table_t *t, size_t *n);

#endif
