#!/bin/sh
# make_seeds.sh - writes the seed corpora of the fuzz targets, all generated here.
#
# Usage: make_seeds.sh PCAPGEN OUTDIR
#   PCAPGEN  path to tpa-pcapgen (build/bin/tpa-pcapgen)
#   OUTDIR   recreated; gets one directory per target (OUTDIR/<target>/)
#
# capture, pcapng: tpa-pcapgen files in every format option (pcap micro/nano, swapped
#   byte order, gzip, pcapng with one or two interfaces, VLAN, raw/SLL link types,
#   snaplen-cut, truncated; basic and telecom traffic mixes).
# packet: the frames of those captures (first byte = link selector, fuzz_packet.c),
#   re-wrapped for the other link types, plus hand-built frames for what the
#   generator never writes (fragments, IPv6 extension headers, GRE, MPLS, PPPoE,
#   QinQ, LLC/SNAP, SCTP DATA/I-DATA, ICMP, IP-in-IP, AH, VXLAN, GTP-U extensions).
# gtpu, vxlan: UDP payloads (from the telecom mix and hand-built).
# reasm, tcp_stream: operation sequences (see their fuzz_*.c). wire: msgpack messages.
# sctp: chunk bundles (INIT handshake, DATA / I-DATA fragments, SACK, HEARTBEAT,
#   SHUTDOWN, ABORT). Dissector rows (fuzz_row.h format): hand-built messages, plus
#   every constant byte array of the engine's own unit tests for that protocol
#   (parser-worker/test_<proto>.c, when present): our bytes, built from the specs.
# Never copies a third-party capture. Same generator, same seeds.
set -eu
if [ $# -ne 2 ]; then
    echo "usage: make_seeds.sh PCAPGEN OUTDIR" >&2
    exit 2
fi
gen=$1
out=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
rm -rf "$out"
mkdir -p "$out/capture" "$out/pcapng" "$out/frames"

g() {
    name=$1
    shift
    "$gen" --seed 7 --flows 4 --packets 24 "$@" -o "$out/capture/$name" >/dev/null
}
g pcap.pcap
g pcap-nano.pcap --nano
g pcap-swap.pcap --swap
g pcap-vlan.pcap --vlan
g pcap-raw.pcap --linktype raw
g pcap-sll.pcap --linktype sll
g pcap-gzip.pcap.gz --gzip
g pcap-trunc.pcap --truncate
g pcap-snap.pcap --snaplen 64
g pcap-telecom.pcap --mix telecom --flows 6 --packets 30
g ng.pcapng --format pcapng
g ng-nano.pcapng --format pcapng --nano
g ng-swap.pcapng --format pcapng --swap
g ng-2if.pcapng --format pcapng --interfaces 2 --linktype2 sll
g ng-2if-raw.pcapng --format pcapng --interfaces 2 --linktype raw --linktype2 en10mb
g ng-gzip.pcapng.gz --format pcapng --gzip
g ng-trunc.pcapng --format pcapng --truncate
g ng-snap.pcapng --format pcapng --snaplen 64
g ng-telecom.pcapng --format pcapng --mix telecom --flows 6 --packets 30
for f in "$out"/capture/ng*.pcapng; do cp "$f" "$out/pcapng/"; done

# larger captures, only as a source of frames
f() {
    name=$1
    shift
    "$gen" --seed 11 --flows 18 "$@" -o "$out/frames/$name" >/dev/null
}
f basic-eth.pcap
f basic-vlan.pcap --vlan
f basic-raw.pcap --linktype raw
f basic-sll.pcap --linktype sll
f telecom-eth.pcap --mix telecom
f telecom-raw.pcap --mix telecom --linktype raw

python3 - "$out" "$src" <<'PY'
import hashlib, os, re, struct, sys

out, src = sys.argv[1], sys.argv[2]

def put(target, data, name=None):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    h = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, (name + "-" if name else "") + h), "wb") as fp:
        fp.write(data)

def pcap_frames(path):
    b = open(path, "rb").read()
    m = b[:4]
    e = "<" if m in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    lt = struct.unpack(e + "I", b[20:24])[0]
    pos, res = 24, []
    while pos + 16 <= len(b):
        cl = struct.unpack(e + "I", b[pos + 8:pos + 12])[0]
        res.append((lt, b[pos + 16:pos + 16 + cl]))
        pos += 16 + cl
    return res

# link selectors of fuzz_packet.c
EN10MB, SLL, SLL2, RAW, NULL, IPV4, IPV6, LOOP = range(8)

def ip4(proto, pl, ident=1, frag=0, src=b"\x0a\x00\x00\x01", dst=b"\x0a\x00\x00\x02", tot=None):
    t = 20 + len(pl) if tot is None else tot
    return struct.pack(">BBHHHBBH4s4s", 0x45, 0, t, ident, frag, 64, proto, 0, src, dst) + pl

def ip6(nh, pl, src=b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01",
        dst=b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02"):
    return struct.pack(">IHBB", 0x60000000, len(pl), nh, 64) + src + dst + pl

def udp(sp, dp, pl):
    return struct.pack(">HHHH", sp, dp, 8 + len(pl), 0) + pl

def tcp(sp, dp, flags, pl=b"", opts=b""):
    off = (20 + len(opts)) // 4
    return struct.pack(">HHIIHHHH", sp, dp, 1000, 0, off << 12 | flags, 65535, 0, 0) + opts + pl

def chunk(t, flags, body):
    c = struct.pack(">BBH", t, flags, 4 + len(body)) + body
    return c + b"\0" * ((4 - len(c) % 4) % 4)

def sctp(sp, dp, chunks):
    return struct.pack(">HHII", sp, dp, 0x11223344, 0) + b"".join(chunks)

def eth(t, pl):
    return b"\x00\x11\x22\x33\x44\x55\x66\x77\x88\x99\xaa\xbb" + struct.pack(">H", t) + pl

def sll(t, pl):
    return struct.pack(">HHH8sH", 0, 1, 6, b"\x00\x11\x22\x33\x44\x55\0\0", t) + pl

def sll2(t, pl):
    return struct.pack(">HHIHBB8s", t, 0, 2, 1, 0, 6, b"\x00\x11\x22\x33\x44\x55\0\0") + pl

def gtpu(pl, teid=0x1234, flags=0x30, ext=b"", t=255):
    if flags & 7:
        body = b"\0\0\0" + ext + pl
    else:
        body = pl
    return struct.pack(">BBHI", flags, t, len(body), teid) + body

pdu_container = b"\x85\x01\x10\x09\x00"  # next=0x85; len 1 (4 bytes): UL PDU, QFI 9; next 0
inner4 = ip4(17, udp(40000, 53, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"),
             src=b"\x0a\x2d\x00\x05", dst=b"\x08\x08\x08\x08")
inner6 = ip6(6, tcp(50000, 443, 0x02))

def row(flags, *msgs):
    return bytes([flags]) + b"".join(struct.pack(">H", len(m)) + m for m in msgs)

def packet(sel, frame, name):
    put("packet", bytes([sel]) + frame, name)

# frames of the generated captures
# (one frame per link type and length: the lengths tell the protocols apart well
# enough; at most 40 a file, so the corpus stays small)
seen = set()
for fn in sorted(os.listdir(os.path.join(out, "frames"))):
    taken = 0
    for lt, fr in pcap_frames(os.path.join(out, "frames", fn)):
        key = (lt, len(fr), fn.startswith("telecom"))
        if key in seen or taken == 40:
            continue
        seen.add(key)
        taken += 1
        if lt == 1:
            packet(EN10MB, fr, "gen-eth")
        elif lt == 113:
            packet(SLL, fr, "gen-sll")
        elif lt in (12, 101):
            packet(RAW, fr, "gen-raw")
            v6 = fr[0] >> 4 == 6
            if len(seen) % 4 == 0:
                packet(IPV6 if v6 else IPV4, fr, "gen-ipv")
                packet(SLL2, sll2(0x86DD if v6 else 0x0800, fr), "gen-sll2")
                packet(NULL, struct.pack("<I", 30 if v6 else 2) + fr, "gen-null")
                packet(LOOP, struct.pack(">I", 24 if v6 else 2) + fr, "gen-loop")
                packet(RAW | 0x80, fr[: len(fr) // 2], "gen-cut")
            if fr[9:10] == b"\x11" and len(fr) > 28 and 2152 in struct.unpack(">HH", fr[20:24]):
                put("gtpu", row(0x10, fr[28:]), "gen")

# hand-built frames
u = udp(1234, 5678, b"hello")
packet(EN10MB, eth(0x0800, ip4(17, u)), "udp4")
packet(EN10MB | 0x40, eth(0x86DD, ip6(17, u)), "udp6-twice")
first = ip4(17, udp(1234, 5678, b"A" * 24)[:16], ident=7, frag=0x2000)
packet(RAW, first, "frag4-first")
packet(RAW, ip4(17, b"B" * 16, ident=7, frag=2), "frag4-later")
hbh = bytes([44, 0]) + b"\x01\x04\0\0\0\0"  # hop-by-hop, next = fragment
fragh = struct.pack(">BBHI", 17, 0, 0x0001, 0xabcd)
packet(IPV6, ip6(0, hbh + fragh + udp(1, 2, b"x" * 8)), "ip6-hbh-frag")
packet(RAW, ip6(60, bytes([43, 0]) + b"\x01\x04\0\0\0\0" + bytes([17, 0, 0, 0, 0, 0, 0, 0]) +
                 udp(5, 6, b"z")), "ip6-dst-rt")
packet(RAW, ip6(44, struct.pack(">BBHI", 6, 0, 0, 9) + tcp(1, 2, 0x12)), "ip6-atomic-frag")
packet(RAW, ip6(51, bytes([17, 1]) + b"\0" * 10 + udp(7, 8, b"ah")), "ip6-ah")
packet(RAW, ip4(51, bytes([6, 1]) + b"\0" * 10 + tcp(3, 4, 0x18, b"data")), "ip4-ah")
packet(EN10MB, eth(0x0800, ip4(47, struct.pack(">HHI", 0x2000, 0x0800, 42) +
                               ip4(6, tcp(1000, 80, 0x02)))), "gre-key")
packet(EN10MB, eth(0x0800, ip4(47, struct.pack(">HHHHI", 0x3081, 0x880B, 4, 1, 5) +
                               b"\xff\x03\x00\x21" + ip4(1, b"\x08\0\0\0\0\x01\0\x01"))),
       "gre-pptp")
packet(EN10MB, eth(0x0800, ip4(47, struct.pack(">HH", 0, 0x6558) +
                               eth(0x0800, ip4(17, u)))), "gre-teb")
packet(EN10MB, eth(0x8847, struct.pack(">II", 0x00010040, 0x00020140) + ip4(17, u)), "mpls")
packet(EN10MB, eth(0x8864, struct.pack(">BBHHH", 0x11, 0, 1, 2 + 40 + 13, 0x0057) +
                   ip6(17, u)), "pppoe")
packet(EN10MB, eth(0x88A8, struct.pack(">HH", 100, 0x8100) + struct.pack(">HH", 200, 0x0800) +
                   ip4(17, u)), "qinq")
packet(EN10MB, b"\0" * 12 + struct.pack(">H", 100) + b"\xaa\xaa\x03\0\0\0\x08\x00" + ip4(17, u),
       "llc-snap")
packet(EN10MB, eth(0x0806, b"\0\x01\x08\x00\x06\x04\0\x01" + b"\0" * 20), "arp")
data_ngap = chunk(0, 3, struct.pack(">IHHI", 1, 0, 0, 60) + b"\x00\x15\x00\x20" + b"\0" * 8)
init = chunk(1, 0, struct.pack(">IIHHI", 1, 65535, 2, 2, 1))
packet(RAW, ip4(132, sctp(38412, 38412, [init])), "sctp-init")
packet(RAW, ip4(132, sctp(40000, 38412, [data_ngap, chunk(3, 0, b"\0" * 12)])), "sctp-data-sack")
packet(RAW, ip4(132, sctp(2905, 2905, [chunk(64, 2, struct.pack(">IHHII", 1, 0, 0, 0, 46) +
                                             b"\x01\x00\x00\x14")])), "sctp-idata")
packet(RAW, ip4(132, sctp(3868, 3868, [chunk(0, 3, struct.pack(">IHHI", 2, 1, 0, 46) +
                                             b"\x01\0\0\x14\x80\0\x01\x01" + b"\0" * 12)])),
       "sctp-diameter")
packet(RAW, ip4(1, b"\x08\x00\x00\x00\x12\x34\x00\x01payload"), "icmp-echo")
packet(RAW, ip4(1, b"\x03\x03\x00\x00\0\0\0\0" + ip4(17, u)[:28]), "icmp-unreach")
packet(RAW, ip6(58, b"\x80\x00\x00\x00\x12\x34\x00\x01"), "icmp6-echo")
packet(RAW, ip4(4, ip4(17, u)), "ipip")
packet(RAW, ip4(41, ip6(17, u)), "6in4")
packet(RAW, ip4(50, b"\0\0\0\x01\0\0\0\x01" + b"\0" * 16), "esp")
packet(RAW, ip4(6, tcp(2000, 80, 0x18, b"GET / HTTP/1.1\r\n\r\n", b"\x02\x04\x05\xb4")), "tcp-opt")
packet(RAW, ip4(6, tcp(41000, 443, 0x18, b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n")), "h2-preface")
packet(RAW, ip4(17, udp(2123, 2123, b"\x48\x20\x00\x08\0\0\0\0\0\0\x01\0")), "gtpv2")
packet(RAW, ip4(17, udp(8805, 8805, b"\x20\x01\x00\x0c\0\0\x01\0\x00\x60\x00\x04\xe0\x00\x00\x00")),
       "pfcp")
packet(RAW, ip4(17, udp(5060, 5060, b"OPTIONS sip:a@b SIP/2.0\r\n\r\n")), "sip")
packet(RAW, ip4(17, udp(2152, 2152, gtpu(inner4, flags=0x34, ext=pdu_container))), "gtpu-qfi")
packet(RAW, ip4(17, udp(2152, 2152, gtpu(inner6))), "gtpu-v6")
packet(RAW, ip4(17, udp(4789, 4789, b"\x08\0\0\0\0\0\x2a\0" + eth(0x0800, ip4(17, u)))), "vxlan")
packet(RAW, ip4(17, u, tot=2000), "totlen-exceeds")
packet(RAW | 0x80, ip4(17, u)[:24], "cut")

# hand-built pcap files for our record reader (tpa_pcapblk.h; the fuzz build reads
# 1 KiB blocks): records straddling block ends, caplen above the snapshot length, above
# libpcap's maximum, 0xffffffff, cut in a header or body, the modified format, both
# byte orders
def pcap_file(recs, e="<", magic=0xa1b2c3d4, snap=65535, lt=1, extra=b""):
    b = struct.pack(e + "IHHiIII", magic, 2, 4, 0, 0, snap, lt)
    for i, (cl, fr) in enumerate(recs):
        b += struct.pack(e + "IIII", 1700000000 + i, i * 1000, cl, max(cl, len(fr))) + extra + fr
    return b

tel = [fr for lt, fr in pcap_frames(os.path.join(out, "frames", "telecom-eth.pcap"))][:60]
many = [(len(fr), fr) for fr in tel]
put("capture", pcap_file(many), "straddle.pcap")
put("capture", pcap_file(many, e=">", magic=0xa1b23c4d), "straddle-be-nano.pcap")
put("capture", pcap_file(many[:20], magic=0xa1b2cd34, extra=b"\x01\0\0\0\x08\0\0\0"),
    "modified.pcap")
put("capture", pcap_file([(len(fr), fr) for fr in tel[:8]] + [(200, tel[8][:200])], snap=100),
    "caplen-over-snap.pcap")
put("capture", pcap_file(many[:5] + [(262145, b"")]), "caplen-over-max.pcap")
put("capture", pcap_file(many[:5] + [(0xffffffff, b"")]), "caplen-all-ones.pcap")
put("capture", pcap_file(many[:12])[:-7], "cut-body.pcap")
put("capture", pcap_file(many[:12]) + b"\0" * 9, "cut-header.pcap")
put("capture", pcap_file([(1500, b"")] + many[:3]), "caplen-beyond-end.pcap")

# dissector-row targets (fuzz_row.h): flags byte, then (2-byte length, message)...
put("gtpu", row(0x10, gtpu(inner4)), "plain")
put("gtpu", row(0x10, gtpu(inner4, flags=0x34, ext=pdu_container),
                gtpu(inner4, teid=0x99, flags=0x34, ext=pdu_container)), "qfi-both-ways")
put("gtpu", row(0x11, gtpu(inner6, flags=0x32)), "seq-v6")
put("gtpu", row(0x10, gtpu(b"", t=1, flags=0x32), gtpu(b"", t=2, flags=0x32)), "echo")
put("gtpu", row(0x10, gtpu(b"", t=254)), "end-marker")
put("gtpu", row(0x10, gtpu(ip4(17, udp(2152, 2152, gtpu(inner4)))), gtpu(inner4)), "nested")
put("gtpu", row(0x30, gtpu(inner4, flags=0x34, ext=b"\x40\x01\x00\x00\x85\x01\x00\x05\x00")),
    "two-ext")
# pfcp, gtpv2, gtp (gtp-c row): messages as TS 29.244 / 29.274 / 29.060 write them
def pfcp(t, seq, ies=b"", seid=None, fo=False):
    body = (struct.pack(">Q", seid) if seid is not None else b"") + struct.pack(">I", seq << 8) + ies
    return struct.pack(">BBH", 0x20 | (4 if fo else 0) | (1 if seid is not None else 0), t,
                       len(body)) + body

def pie(t, v):
    return struct.pack(">HH", t, len(v)) + v

def g2(t, seq, ies=b"", teid=None, piggy=False):
    body = (struct.pack(">I", teid) if teid is not None else b"") + struct.pack(">I", seq << 8) + ies
    return struct.pack(">BBH", 0x40 | (0x10 if piggy else 0) | (8 if teid is not None else 0), t,
                       len(body)) + body

def g2ie(t, v, inst=0):
    return struct.pack(">BHB", t, len(v), inst) + v

def g1(t, seq, ies=b"", teid=0):
    return struct.pack(">BBHIHBB", 0x32, t, 4 + len(ies), teid, seq, 0, 0) + ies

imsi = b"\x00\x01\x01\x21\x43\x65\x87\xf9"
fseid = pie(57, b"\x02" + struct.pack(">Q", 0xba4) + b"\x0a\0\0\x01")
pdr = pie(1, pie(56, b"\0\x01") + pie(2, pie(20, b"\0") + pie(21, b"\x01\0\0\x12\x34\x0a\0\0\x02") +
                                       pie(93, b"\x02\x0a\x2d\0\x05")))
far = pie(3, pie(108, b"\0\0\0\x01") + pie(44, b"\x02") +
          pie(4, pie(42, b"\0") + pie(84, b"\x01\0\0\0\0\x99\xc0\xa8\x01\x01")))
put("pfcp", row(0x10, pfcp(1, 5, pie(96, b"\xe0\0\0\0")), pfcp(2, 5, pie(96, b"\xe0\0\0\0"))),
    "heartbeat")
put("pfcp", row(0x10, pfcp(50, 6, pie(60, b"\0\x0a\0\0\x01") + fseid + pdr + far +
                           pie(159, b"\x08internet") + pie(141, b"\x01\x08" + imsi), seid=0),
                pfcp(51, 6, pie(19, b"\x01") + pie(57, b"\x02" + struct.pack(">Q", 0x77) +
                                                     b"\x0a\0\0\x02"), seid=0xba4)),
    "session")
put("pfcp", row(0x30, pfcp(1, 10, fo=True) + pfcp(5, 11, pie(60, b"\0\x0a\0\0\x01"), fo=True) +
                pfcp(52, 12, pie(32768 | 5, b"\x28\xaf\x01"), seid=0x77)), "chained-vendor")
fteid = g2ie(87, b"\x8a\xab\xcd\xef\x01\x0a\0\0\x01")
bearer = g2ie(93, g2ie(73, b"\x05") + g2ie(87, b"\x84\0\0\0\x42\x0a\0\0\x01", 1))
put("gtpv2", row(0x10, g2(32, 0x123456, g2ie(1, imsi) + g2ie(76, b"\x94\x21\x43\x65\x87\x09") +
                            g2ie(71, b"\x08internet") + fteid + g2ie(79, b"\x01\0\0\0\0") + bearer,
                            teid=0),
                 g2(33, 0x123456, g2ie(2, b"\x10\0") + g2ie(79, b"\x01\x0a\x2d\0\x07") + bearer,
                    teid=0xabcdef01, piggy=True) +
                 g2(95, 7, g2ie(73, b"\x05") + bearer, teid=0xabcdef01)), "create-session")
put("gtpv2", row(0x10, g2(1, 1, g2ie(3, b"\x05")), g2(2, 1, g2ie(3, b"\x05")),
                 g1(1, 7)), "echo-v1")
put("gtp", row(0x10, g1(16, 0x1234, b"\x02" + imsi + b"\x0e\x05\x0f\xfd\x10\x11\x11\x11\x11"
                     b"\x11\x22\x22\x22\x22\x14\x05\x80\0\x02\xf1\x21\x83\0\x09\x08internet"
                     b"\x85\0\x04\x0a\0\0\x01\x85\0\x04\x0a\0\0\x03"
                     b"\x86\0\x07\x91\x94\x21\x43\x65\x87\x09\x8d\x02\x85\x40"),
               g1(17, 0x1234, b"\x01\x80\x80\0\x06\xf1\x21\x0a\x2d\0\x09", teid=0x22222222)),
    "create-pdp")
put("gtp", row(0x10, g1(26, 8, b"\x10\xde\xad\xbe\xef\x85\0\x04\x0a\0\0\x02"),
               b"\x0e\x01\0\0\0\x01", g2(1, 2)), "errind-prime-v2")
# ICMP / ICMPv6 errors quoting UDP signalling (tpa_icmp_quote.c): full, cut to the
# RFC 792 minimum (header + 8 bytes), with an RFC 4884 length and extension, IPv6 with
# extension headers
def icmp4(t, code, quote, rest=b"\0\0\0\0"):
    return ip4(1, struct.pack(">BBH", t, code, 0) + rest + quote,
               src=b"\x0a\0\0\xfe", dst=b"\x0a\0\0\x01")

def icmp6(t, code, quote, rest=b"\0\0\0\0"):
    return ip6(58, struct.pack(">BBH", t, code, 0) + rest + quote)

q_gtpv2 = ip4(17, udp(2123, 2123, g2(32, 0x42, g2ie(1, imsi) + fteid, teid=0)))
q_pfcp = ip4(17, udp(8805, 8805, pfcp(50, 9, fseid + pdr, seid=0)))
q_gtp = ip4(17, udp(2123, 2123, g1(16, 0x77, b"\x02" + imsi)))
q_dns = ip4(17, udp(40000, 53, inner4[28:]))
q_sip = ip4(17, udp(5060, 5060, b"INVITE sip:b@example.com SIP/2.0\r\nCall-ID: q1\r\n"
                                   b"CSeq: 1 INVITE\r\n\r\n"))
packet(RAW, icmp4(3, 3, q_gtpv2), "icmp-unreach-gtpv2")
packet(RAW, icmp4(3, 1, q_pfcp), "icmp-unreach-pfcp")
packet(EN10MB, eth(0x0800, icmp4(11, 0, q_gtp)), "icmp-ttl-gtp")
packet(RAW, icmp4(3, 3, q_dns), "icmp-unreach-dns")
packet(RAW, icmp4(12, 0, q_sip, rest=b"\x14\0\0\0"), "icmp-param-sip")
packet(RAW, icmp4(3, 3, q_gtpv2[:28 + 8]), "icmp-unreach-cut8")
packet(RAW, icmp4(4, 0, q_pfcp[:28 + 4]), "icmp-quench-cut")
ext4 = b"\x20\0\0\0" + struct.pack(">HBB", 8, 1, 1) + b"\0\0\0\x05"
padded = q_pfcp + b"\0" * ((128 - len(q_pfcp)) if len(q_pfcp) < 128 else (-len(q_pfcp)) % 4)
packet(RAW, icmp4(3, 3, padded + ext4, rest=bytes([0, len(padded) // 4, 0, 0])), "icmp-rfc4884")
packet(RAW, icmp4(5, 1, ip4(17, udp(8805, 8805, pfcp(1, 3, pie(96, b"\xe0\0\0\0"))), frag=0x2000),
                  rest=b"\x0a\0\0\x09"), "icmp-redirect-pfcp-mf")
packet(RAW, icmp4(3, 4, ip4(17, udp(2123, 2123, b""), frag=5)), "icmp-quote-later-frag")
packet(RAW, icmp6(1, 4, ip6(17, udp(2123, 2123, g2(1, 1, g2ie(3, b"\x05"))))), "icmp6-unreach-gtpv2")
packet(RAW, icmp6(2, 0, ip6(0, b"\x11\0" + b"\x01\x04\0\0\0\0" +
                          udp(8805, 8805, pfcp(2, 3, pie(96, b"\xe0\0\0\0")))),
                  rest=b"\0\0\x05\x00"), "icmp6-toobig-hbh-pfcp")
packet(RAW, icmp6(3, 0, ip6(44, struct.pack(">BBHI", 17, 0, 1, 9) +
                          udp(2123, 2123, g1(1, 5)))), "icmp6-ttl-frag-gtp")
packet(RAW, icmp6(1, 0, ip6(17, udp(5060, 5060, b"OPTIONS sip:a@b SIP/2.0\r\n\r\n"))[:40 + 12],
                  rest=b"\x06\0\0\0"), "icmp6-unreach-len-cut")
put("vxlan", row(0x10, b"\x08\0\0\0\0\0\x2a\0" + eth(0x0800, ip4(17, u))), "udp4")
put("vxlan", row(0x11, b"\x08\0\0\0\0\x10\x00\0" + eth(0x8100, struct.pack(">HH", 5, 0x86DD) +
                                                     ip6(6, tcp(1, 2, 0x02)))), "vlan-v6")
put("vxlan", row(0x00, b"\x08\0\0\0\0\0\x01\0" + eth(0x0806, b"\0" * 28)), "arp")
# ngap, s1ap: aligned PER PDUs encoded from TS 38.413 / 36.413 by parser-worker's test
# writer (test_aper_enc.h), as in test_ngap.c / test_s1ap.c
H = bytes.fromhex
put("ngap", row(0x00, H("000f402a0000040055000200010026000b0a7e004179000d0199f907007900094099f9"
                        "070000000100005a000118"),
                H("001d404c000003000a00020001005500020002004a00390140010a7e00680100052e0101"
                  "c24020010203070000040082000a60020a7e0211223344017e00420020070000040082000a"
                  "00000119400140"),
                H("200e4022000003000a000680ffffffffff0055000200070048000b000001070000040082000a")),
    "ue-setup")
put("ngap", row(0x20, H("002940110000020072000400090003000f00020500"),
                H("2029400f000002000a00020009005500020003"), H("40154008000001000f00018a")),
    "release-failure")
put("s1ap", row(0x10, H("000c0032000005000800020001001a000a09171122334405074171004300060000f11000"
                        "01006400080000f11000019bd00086000130"),
                H("0009005f0000040000000200050008000200010042000a1805f5e1006002faf080001800"
                  "3e0100340018450009260f800a00000501020304092755667788010742010034001d0640"
                  "01261001f40020fa008002540be40000000f800a00000501020304")), "attach")
put("s1ap", row(0x30, H("0005005b0000030000000200030008000200040010004801001100180c0001260f800a"
                        "00000501020304092701020304026200c5001100270e8001261001f40020fa008002540b"
                        "e40000000f800a0000050102030409275566778801074201"),
                H("0017001000000200630004004d00580002000124"), H("401100080000010002000145")),
    "bearer-release-failure")
# nas5gs, naseps: NAS-PDUs (fuzz_nas.h: UE selector, 2-byte length, PDU) encoded from
# TS 24.501 / 24.301 as in parser-worker/test_nas5gs.c / test_naseps.c
def nas(*pdus):
    return b"".join(bytes([sel]) + struct.pack(">H", len(H(p))) + H(p) for sel, p in pdus)

suci = "000d 0102f839 f0ff 00 00 0000000010"
internet = "08696e7465726e6574"
put("nas5gs", nas((0x41, "7e0041 79" + suci + "2e028020"),
                  (0x01, "7e03 56000000 01 7e0056 00 02 0000"),
                  (0x01, "7e03 11223344 00 7e005d 02 00 02e0e0"),
                  (0x01, "7e04 55667788 00 7e005e 770009 4573806121856151f2"),
                  (0x01, "7e02 42000000 02 7e0042 0101 77000b f202f839cafe0000000001"),
                  (0x01, "7e0067 01 0008 2e0501c1ffff91a1 1205 81 2204 01010203 2509" + internet),
                  (0x01, "7e0068 01 0029 2e0501c2 11 0006010003310101 06010101010101"
                         " 2905010a2d0002 220101 2509" + internet + " 1205")), "registration-ea0")
put("nas5gs", nas((0x12, "7e03 11223344 00 7e005d 22 00 02e0e0"), (0x12, "7e04 55667788 00 7e005e"),
                  (0x13, "7e02 aabbccdd 01 7e005e"), (0x13, "7e02 aabbccdd 01 91234567"),
                  (0x80, "2e0500d3 24"), (0x13, "7e0067 0f 0009 01 0006 01 2e0100d66f"),
                  (0x13, "7e005e 710013 7e0041 79" + suci), (0x13, "7e0044 07 5f0501")),
    "ciphered-nested")
eps_imsi = "08 0910100000000010"
put("naseps", nas((0x41, "0741 71" + eps_imsi + "02e0e0 000f 0201d011 2809" + internet + "5c0a00"),
                  (0x01, "37 11223344 00 075d 02 01 02e0e0"), (0x01, "47 55667788 00 075e"),
                  (0x01, "27 aabbccdd 02 0201d9"),
                  (0x01, "0742 01 21 06 0000f1100001 0015 5201c1 0109 09" + internet +
                         "05010a000002 500b f600f110800101c0000001"),
                  (0x01, "0743 0003 5200c2"), (0x01, "c7 2a 1234")), "attach-eea0")
put("naseps", nas((0x02, "0744 13 780004 0201d11b"), (0x02, "0203d2 05"), (0x02, "5203cd 24"),
                  (0x02, "5200ce"), (0x02, "6200cd 24"), (0x02, "0745 09" + eps_imsi),
                  (0x02, "0745 02 5302"), (0x82, "37 11223344 00 075d 22 01 02e0e0"),
                  (0x02, "47 55667788 00 075e")), "reject-esm")

# ---- dissector rows: more messages (fuzz_row.h: flags, then length-prefixed messages)
TCP_T = 0x02  # transport index 1: the second of UDP, TCP, SCTP the row has

def test_arrays(name):
    """Constant byte arrays of parser-worker/test_<name>.c (numeric literals only)."""
    path = os.path.join(src, "parser-worker", "test_%s.c" % name)
    if not os.path.exists(path):
        return []
    text = re.sub(r"/\*.*?\*/", "", open(path).read(), flags=re.S)
    res = []
    for m in re.finditer(r"static const uint8_t \w+\[\w*\]\s*=\s*\{([^}]*)\}", text):
        vals = [v.strip() for v in m.group(1).split(",") if v.strip()]
        try:
            b = bytes(int(v, 0) & 0xff for v in vals)
        except ValueError:
            continue
        if b:
            res.append(b)
    return res

for target, tests, flags in [("dns", ["dns"], 0x10), ("gtpv2", ["gtpv2"], 0x10),
                             ("gtp", ["gtp"], 0x10), ("pfcp", ["pfcp"], 0x10),
                             ("diameter", ["diameter"], 0x00), ("sip", ["sip"], 0x10),
                             ("rtp", ["rtp"], 0x00), ("rtcp", ["rtp"], 0x00)]:
    arrays = [a for t in tests for a in test_arrays(t)]
    for i, a in enumerate(arrays):
        put(target, row(flags, a), "unit")
    if len(arrays) > 1:
        put(target, row(flags, *arrays[:8]), "unit-all")

def dns_msg(ident, qr, name=b"\x03www\x07example\x03com\x00", qtype=1, answers=b"", ancount=0,
            rcode=0):
    flags = (0x8180 | rcode) if qr else 0x0100
    return struct.pack(">HHHHHH", ident, flags, 1, ancount, 0, 0) + name + \
        struct.pack(">HH", qtype, 1) + answers

dq = dns_msg(0x1234, 0)
da = dns_msg(0x1234, 1, answers=b"\xc0\x0c" + struct.pack(">HHIH", 1, 1, 60, 4) + b"\x5d\xb8\xd8\x22",
             ancount=1)
dnx = dns_msg(0x9999, 1, name=b"\x04none\x07example\x00", rcode=3)
put("dns", row(0x10, dq, da), "udp-a")
put("dns", row(0x10, dns_msg(7, 0, qtype=28), dns_msg(7, 1, qtype=28, ancount=1, answers=b"\xc0\x0c" +
                struct.pack(">HHIH", 28, 1, 30, 16) + b"\x20\x01" + b"\0" * 14)), "udp-aaaa")
put("dns", row(0x10, dns_msg(0x9999, 0, name=b"\x04none\x07example\x00"), dnx), "nxdomain")
put("dns", row(0x10, dns_msg(5, 1, name=b"\xc0\x0c")), "pointer-loop")
put("dns", row(TCP_T, struct.pack(">H", len(dq)) + dq, struct.pack(">H", len(da)) + da), "tcp")
put("dns", row(TCP_T | 0x20, struct.pack(">H", len(dq)) + dq[:10], dq[10:] +
               struct.pack(">H", len(dq)) + dq), "tcp-split")

def gtpv2(t, seq, ies=b"", teid=None):
    body = (struct.pack(">I", teid) if teid is not None else b"") + struct.pack(">I", seq << 8) + ies
    return bytes([0x48 if teid is not None else 0x40, t]) + struct.pack(">H", len(body)) + body

def ie2(t, v, inst=0):
    return struct.pack(">BHB", t, len(v), inst) + v

imsi = ie2(1, b"\x00\x01\x10\x32\x54\x76\xf8")
put("gtpv2", row(0x10, gtpv2(1, 1, ie2(3, b"\x05")), gtpv2(2, 1, ie2(3, b"\x05"))), "echo")
put("gtpv2", row(0x10, gtpv2(32, 0x77, imsi + ie2(71, b"\x08internet") + ie2(82, b"\x06"), 0),
                 gtpv2(33, 0x77, ie2(2, b"\x10\x00"), 0x1234)), "create-session")
put("gtpv2", row(0x10, gtpv2(34, 9, ie2(87, b"\x8a\x00\x00\x00\x01\x0a\x00\x00\x01", 0), 5),
                 gtpv2(35, 9, ie2(2, b"\x40\x00"), 6)), "modify-reject")
put("gtpv2", row(TCP_T, gtpv2(1, 2), gtpv2(2, 2)), "tcp")

def gtpv1c(t, seq, ies=b"", teid=0):
    body = struct.pack(">HBB", seq, 0, 0) + ies
    return bytes([0x32, t]) + struct.pack(">HI", len(body), teid) + body

put("gtp", row(0x10, gtpv1c(1, 1), gtpv1c(2, 1, b"\x0e\x05")), "echo")
put("gtp", row(0x10, gtpv1c(16, 3, b"\x02\x00\x01\x10\x32\x54\x76\xf8" + b"\x0f\x01"),
                gtpv1c(17, 3, b"\x01\x80", teid=0x11)), "create-pdp")

def pfcp(t, seq, ies=b"", seid=None):
    body = (struct.pack(">Q", seid) if seid is not None else b"") + struct.pack(">I", seq << 8) + ies
    return bytes([0x21 if seid is not None else 0x20, t]) + struct.pack(">H", len(body)) + body

def ief(t, v):
    return struct.pack(">HH", t, len(v)) + v

node = ief(60, b"\x00\x0a\x00\x00\x01")
put("pfcp", row(0x10, pfcp(1, 1, ief(96, b"\xe0\0\0\0")), pfcp(2, 1, ief(96, b"\xe0\0\0\1"))),
    "heartbeat")
put("pfcp", row(0x10, pfcp(5, 2, node + ief(96, b"\xe0\0\0\0")), pfcp(6, 2, node + ief(19, b"\x01"))),
    "association")
put("pfcp", row(0x10, pfcp(50, 3, node + ief(57, b"\x02" + b"\0" * 7 + b"\x01\x0a\0\0\x01") +
                           ief(1, ief(56, b"\0\x01") + ief(29, b"\0\0\0\x01")), seid=0),
                pfcp(51, 3, node + ief(19, b"\x40"), seid=1)), "session-reject")

def diam(code, req, hbh, avps=b"", app=0):
    flags = 0x80 if req else 0x00
    l = 20 + len(avps)
    return struct.pack(">I", (1 << 24) | l) + struct.pack(">I", (flags << 24) | code) + \
        struct.pack(">III", app, hbh, hbh) + avps

def avp(code, v, flags=0x40, vendor=None):
    hdr = 8 + (4 if vendor is not None else 0)
    l = hdr + len(v)
    a = struct.pack(">I", code) + bytes([flags | (0x80 if vendor is not None else 0)]) + l.to_bytes(3, "big")
    if vendor is not None:
        a += struct.pack(">I", vendor)
    a += v
    return a + b"\0" * ((4 - len(a) % 4) % 4)

origin = avp(264, b"hss.example") + avp(296, b"example")
cer = diam(257, True, 1, origin + avp(266, struct.pack(">I", 10415)))
cea = diam(257, False, 1, avp(268, struct.pack(">I", 2001)) + origin)
ulr = diam(316, True, 2, avp(263, b"mme;1;2") + avp(1, b"001010123456789") + origin, app=16777251)
ula = diam(316, False, 2, avp(263, b"mme;1;2") + avp(297, avp(298, struct.pack(">I", 5001))) +
           origin, app=16777251)
put("diameter", row(0x00, cer, cea), "tcp-cer")
put("diameter", row(0x00, ulr + ula[:30], ula[30:]), "tcp-split")
put("diameter", row(TCP_T, cer, cea, ulr, ula), "sctp")

sdp = (b"v=0\r\no=- 1 1 IN IP4 10.0.0.1\r\ns=-\r\nc=IN IP4 10.0.0.1\r\nt=0 0\r\n"
       b"m=audio 40000 RTP/AVP 0 8\r\na=rtpmap:0 PCMU/8000\r\n")
def sipreq(method, cseq, body=b""):
    return (method.encode() + b" sip:bob@example.com SIP/2.0\r\n"
            b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
            b"From: <sip:alice@example.com>;tag=1928301774\r\nTo: <sip:bob@example.com>\r\n"
            b"Call-ID: a84b4c76e66710@10.0.0.1\r\nCSeq: " + str(cseq).encode() + b" " +
            method.encode() + b"\r\nContent-Type: application/sdp\r\nContent-Length: " +
            str(len(body)).encode() + b"\r\n\r\n" + body)
def sipresp(code, reason, method, cseq, body=b""):
    return (b"SIP/2.0 " + str(code).encode() + b" " + reason + b"\r\n"
            b"Via: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK776asdhds\r\n"
            b"From: <sip:alice@example.com>;tag=1928301774\r\nTo: <sip:bob@example.com>;tag=a6c85cf\r\n"
            b"Call-ID: a84b4c76e66710@10.0.0.1\r\nCSeq: " + str(cseq).encode() + b" " +
            method.encode() + b"\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
put("sip", row(0x10, sipreq("INVITE", 1, sdp), sipresp(100, b"Trying", "INVITE", 1),
               sipresp(200, b"OK", "INVITE", 1, sdp), sipreq("ACK", 1), sipreq("BYE", 2),
               sipresp(200, b"OK", "BYE", 2)), "udp-call")
put("sip", row(0x10, sipreq("REGISTER", 1), sipresp(401, b"Unauthorized", "REGISTER", 1)), "register")
put("sip", row(TCP_T, sipreq("INVITE", 1, sdp) + sipreq("CANCEL", 1)[:40],
               sipresp(486, b"Busy Here", "INVITE", 1)), "tcp")

def rtp(seq, ts, pt=0, ssrc=0x11223344, n=160):
    return struct.pack(">BBHII", 0x80, pt, seq, ts, ssrc) + bytes(n)
put("rtp", row(0x30, *[rtp(100 + i, 160 * i) for i in range(8)]), "stream")
put("rtp", row(0x00, *[rtp(100 + i, 160 * i, pt=8) for i in range(4)] +
               [rtp(5000 + i, 160 * i, pt=8, ssrc=0x55) for i in range(4)]), "two-ways")
sr = struct.pack(">BBHI", 0x80, 200, 6, 0x11223344) + bytes(20)
rr = struct.pack(">BBHI", 0x81, 201, 7, 0x55667788) + struct.pack(">I", 0x11223344) + bytes(20)
sdes = struct.pack(">BBHI", 0x81, 202, 3, 0x11223344) + b"\x01\x04host\x00\x00"
put("rtcp", row(0x30, sr + sdes, rr, sr, rr), "sr-rr")

# http1 (RFC 9112): a request with an N1 part in a multipart/related body, split in two
# segments, a bodiless response, a request with a whole NAS body
h1body = (b"--b\r\nContent-Type: application/vnd.3gpp.5gnas\r\n\r\n\x7e\x00\x43\r\n--b--\r\n")
h1req = (b"POST /namf-comm/v1/ue-contexts/x/n1-n2-messages HTTP/1.1\r\n"
         b"Content-Type: multipart/related; boundary=b\r\nContent-Length: %d\r\n\r\n"
         % len(h1body)) + h1body
put("http1", row(0x20, h1req[:40], h1req[40:]), "multipart-split")
put("http1", row(0x00, h1req, b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"), "req-resp")
put("http1", row(0x00, b"PUT /x HTTP/1.1\r\nContent-Type: application/vnd.3gpp.5gnas\r\n"
                 b"Content-Length: 3\r\n\r\n\x7e\x00\x43"), "nas-body")

# http2 (RFC 9113 frames, RFC 7541 header blocks by hand: static indexes, literals)
def h2f(t, flags, sid, pl=b""):
    return struct.pack(">I", len(pl))[1:] + struct.pack(">BBI", t, flags, sid) + pl
h2pre = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + h2f(4, 0, 0, struct.pack(">HI", 1, 4096))
h2lit = lambda idx, v: bytes([0x40 | idx, len(v)]) + v  # literal, incremental indexing
h2req = b"\x83\x86" + h2lit(4, b"/nsmf-pdusession/v1/sm-contexts") + h2lit(31, b"application/json")
h2resp = h2lit(8, b"201") + b"\xbe"  # then a dynamic reference
put("http2", row(0x00, h2pre + h2f(1, 4, 1, h2req) + h2f(0, 1, 1, b'{"supi":"imsi-001010000000001"}'),
                 h2f(4, 0, 0) + h2f(4, 1, 0) + h2f(1, 5, 1, h2resp),
                 h2f(1, 5, 3, b"\x82\x86\xbf\xbe"), h2f(3, 0, 3, b"\0\0\0\x08")), "preface")
put("http2", row(0x08, h2f(1, 0x2d, 5, b"\x02\0\0\0\0\x10" + h2req[:6] + b"\0\0") +
                 h2f(9, 4, 5, h2req[6:]), h2f(1, 4, 5, b"\x8d\x5f\x18application/problem+json") +
                 h2f(0, 1, 5, b'{"status":404,"cause":"CONTEXT_NOT_FOUND"}'),
                 h2f(7, 0, 0, b"\0\0\0\x05\0\0\0\x02")), "mid-continuation")
put("http2", row(0x00, b"GET / HTTP/1.1\r\nHost: a\r\nUpgrade: h2c\r\n\r\n",
                 b"HTTP/1.1 101 Switching Protocols\r\n\r\n" + h2f(4, 0, 0) + h2f(1, 5, 1, b"\x88"),
                 h2pre + h2f(4, 1, 0) + h2f(6, 0, 0, b"12345678")), "upgrade")
h2mp = (b"--B\r\nContent-Type: application/json\r\n\r\n{}\r\n--B\r\n"
        b"Content-Type: application/vnd.3gpp.5gnas\r\n\r\n\x2e\x05\x01\xc1\xff\xff\r\n--B--")
put("http2", row(0x00, h2pre + h2f(1, 4, 1, b"\x83" + h2lit(4, b"/namf-comm/v1/ue-contexts/x/n1-n2-messages") +
                                   h2lit(31, b"multipart/related; boundary=B")) + h2f(0, 1, 1, h2mp)),
    "multipart")

# NGAP / S1AP PDUs for the SCTP seeds, aligned PER by hand (X.691): CHOICE index, procedureCode,
# criticality, open-type value = SEQUENCE { ProtocolIE-Container } of
# (id, criticality, open-type value).
def ot(b):
    return (bytes([len(b)]) if len(b) < 128 else struct.pack(">H", 0x8000 | len(b))) + b
def ap_ie(ident, crit, value):
    return struct.pack(">H", ident) + bytes([crit << 6]) + ot(value)
def ap_pdu(kind, proc, crit, ies):
    return bytes([kind << 5, proc, crit << 6]) + ot(b"\x00" + struct.pack(">H", len(ies)) +
                                                   b"".join(ies))
def ap_int(v):  # a large-range INTEGER: length of the value in octets, then the octets
    n = max(1, (v.bit_length() + 7) // 8)
    return bytes([(n - 1) << 6]) + v.to_bytes(n, "big")
def ap_octets(b):
    return ot(b)

nas5_reg = bytes([0x7e, 0x00, 0x41, 0x79, 0x00, 0x0d, 0x01, 0x00, 0xf1, 0x10, 0x00, 0x00, 0x00,
                  0x00, 0x10, 0x32, 0x54, 0x76, 0x98])
nas5_acc = bytes([0x7e, 0x00, 0x42, 0x01, 0x01])
nas5_pdu = bytes([0x7e, 0x00, 0x67, 0x01, 0x00, 0x06, 0x2e, 0x05, 0x01, 0xc1, 0xff, 0xff,
                  0x12, 0x05])
ng_init = ap_pdu(0, 15, 1, [ap_ie(85, 0, ap_int(1)), ap_ie(38, 0, ap_octets(nas5_reg)),
                            ap_ie(90, 1, b"\x18")])
ng_dl = ap_pdu(0, 4, 1, [ap_ie(10, 0, ap_int(7)), ap_ie(85, 0, ap_int(1)),
                         ap_ie(38, 0, ap_octets(nas5_acc))])
ng_ul = ap_pdu(0, 46, 1, [ap_ie(10, 0, ap_int(7)), ap_ie(85, 0, ap_int(1)),
                          ap_ie(38, 0, ap_octets(nas5_pdu))])

nas4_attach = bytes([0x07, 0x41, 0x71, 0x08, 0x09, 0x10, 0x10, 0x32, 0x54, 0x76, 0x98, 0x00,
                     0x02, 0xe0, 0xe0, 0x00, 0x04, 0x02, 0x01, 0xd0, 0x11])
nas4_accept = bytes([0x07, 0x42, 0x01, 0x29, 0x06, 0x40, 0x00, 0xf1, 0x10, 0x00, 0x01, 0x00,
                     0x00])
s1_init = ap_pdu(0, 12, 1, [ap_ie(8, 0, ap_int(1)), ap_ie(26, 0, ap_octets(nas4_attach)),
                            ap_ie(134, 1, b"\x30")])
s1_dl = ap_pdu(0, 11, 1, [ap_ie(0, 0, ap_int(9)), ap_ie(8, 0, ap_int(1)),
                          ap_ie(26, 0, ap_octets(nas4_accept))])
s1_ul = ap_pdu(0, 13, 1, [ap_ie(0, 0, ap_int(9)), ap_ie(8, 0, ap_int(1)),
                          ap_ie(26, 0, ap_octets(bytes([0x07, 0x43, 0x00, 0x03, 0x52, 0x00, 0xc2])))])

# ---- SCTP chunk bundles (fuzz_sctp.c: flags, then length-prefixed chunk bundles)
def sc_data(tsn, ppid, payload, flags=3, sid=1, ssn=0):
    return chunk(0, flags, struct.pack(">IHHI", tsn, sid, ssn, ppid) + payload)
def sc_idata(tsn, mid, ppid_fsn, payload, flags=3, sid=1):
    return chunk(64, flags, struct.pack(">IHHII", tsn, sid, 0, mid, ppid_fsn) + payload)
def pk(*chunks):
    return b"".join(chunks)
init = chunk(1, 0, struct.pack(">IIHHI", 0x1111, 65535, 2, 2, 100))
init_ack = chunk(2, 0, struct.pack(">IIHHI", 0x2222, 65535, 2, 2, 500) +
                 struct.pack(">HH", 7, 12) + b"cookie!!")
cookie = chunk(10, 0, b"cookie!!")
cookie_ack = chunk(11, 0, b"")
sack = chunk(3, 0, struct.pack(">IIHH", 100, 65535, 0, 0))
hb = chunk(4, 0, struct.pack(">HH", 1, 8) + b"\0" * 4)
hb_ack = chunk(5, 0, struct.pack(">HH", 1, 8) + b"\0" * 4)
def sct(flags, *pkts):
    return bytes([flags]) + b"".join(struct.pack(">H", len(p)) + p for p in pkts)
put("sctp", sct(0x00, init, init_ack, cookie, cookie_ack, pk(sc_data(100, 60, ng_init)),
                pk(sack, sc_data(500, 60, ng_dl)), pk(sc_data(101, 60, ng_ul), sc_data(102, 60, ng_ul))),
    "ngap-assoc")
put("sctp", sct(0x08, pk(sc_data(1, 60, ng_init[:10], flags=2)), pk(sc_data(2, 60, ng_init[10:20], flags=0)),
                pk(sc_data(3, 60, ng_init[20:], flags=1))), "data-fragments")
put("sctp", sct(0x08, pk(sc_data(3, 60, ng_init[20:], flags=1)), pk(sc_data(1, 60, ng_init[:10], flags=2)),
                pk(sc_data(2, 60, ng_init[10:20], flags=0)), pk(sc_data(2, 60, ng_init[10:20], flags=0))),
    "data-fragments-ooo-dup")
put("sctp", sct(0x0a, pk(sc_idata(1, 0, 18, s1_init[:12], flags=2)), pk(sc_idata(2, 0, 1, s1_init[12:], flags=1))),
    "idata-fragments")
put("sctp", sct(0x04, pk(sc_data(1, 46, cer)), pk(sc_data(1, 46, cea)), pk(hb), pk(hb_ack),
                pk(chunk(7, 0, struct.pack(">I", 1))), pk(chunk(8, 0, b"")), pk(chunk(14, 0, b""))),
    "diameter-shutdown")
put("sctp", sct(0x06, pk(sc_data(1, 0, sipreq("OPTIONS", 1))), pk(chunk(6, 0, b"\0\x0c\0\x06abcd"))),
    "sip-abort")
put("sctp", sct(0x00, pk(init, sc_data(1, 60, b"x")), pk(chunk(0, 3, struct.pack(">IHHI", 5, 1, 0, 60))),
                pk(chunk(9, 0, b"\0\x01\0\x04"), chunk(192, 0, b"\0\0\0\0"))), "malformed")

# ---- TCP stream operations (fuzz_tcp_stream.c): limits, ISN, then (flags, seq, len)
def tso(flags, seq, ln, data=b""):
    return struct.pack(">BIH", flags, seq & 0xffffffff, ln) + data
isn = struct.pack(">I", 0xfffff000)  # wraps after 4 KiB
put("tcp_stream", b"\x0f" + isn + tso(0, 0, 1000) + tso(0, 1000, 1000) + tso(1, 0, 10), "in-order")
put("tcp_stream", b"\x0f" + isn + tso(0, 2000, 1000) + tso(0, 1000, 1000) + tso(0, 0, 1000), "reverse")
put("tcp_stream", b"\x0f" + isn + tso(0, 0, 500) + tso(0, 200, 600) + tso(0, 900, 100) +
    tso(0, 100, 900), "overlap")
put("tcp_stream", b"\x05" + isn + tso(0, 100, 60) + tso(0, 300, 60) + tso(0, 500, 60) +
    tso(0, 0, 100), "limits")
put("tcp_stream", b"\x0f" + isn + tso(4, 0, 100) + tso(0, 50, 100) + tso(0x80, 0, 0) +
    tso(0, 300, 10), "snaplen-flush")
put("tcp_stream", b"\x0f" + isn + tso(2, 0, 4, b"abcd") + tso(3, 5000, 3, b"xyz") +
    tso(0, 0x7fffffff, 10) + tso(0, 0x80000001, 10), "input-far")
put("tcp_stream", b"\x0e" + isn + b"".join(tso(0, 100 + 8 * i, 4) for i in range(300)) +
    tso(0, 0, 100), "many-pieces")

# fragment operation sequences (fuzz_reasm.c)
def op(key, more, off, ln, step=1, data=None):
    fl = (1 if more else 0) | (2 if data is not None else 0) | (step << 4)
    return struct.pack(">BBHH", key, fl, off, ln) + (data or b"")

cfg_default = 0x0f  # 64 MiB, 8192 datagrams, no timeout
put("reasm", bytes([cfg_default]) + op(0, 1, 0, 1480) + op(0, 0, 1480, 520), "in-order")
put("reasm", bytes([cfg_default]) + op(0, 0, 1480, 520) + op(0, 1, 0, 1480), "reverse")
put("reasm", bytes([cfg_default]) + op(0, 1, 0, 1000) + op(0, 1, 500, 1000, data=b"Q" * 1000) +
    op(0, 0, 1500, 500), "overlap")
put("reasm", bytes([0x1f]) + op(0, 1, 0, 8) + op(0x11, 1, 0, 8) + op(0, 0, 8, 8, step=15) +
    op(0x11, 0, 8, 8) + op(0, 0, 0xffff, 0), "v4-v6-expire")
put("reasm", bytes([0x00]) + op(0, 1, 0, 2048) + op(1, 1, 0, 2048) + op(2, 1, 0, 4096) +
    op(1, 0, 2048, 8), "limits")
put("reasm", bytes([cfg_default]) + op(0, 1, 65000, 1000) + op(0, 0, 1000, 8) +
    op(0, 1, 900, 200) + op(0, 1, 0, 0xffff), "too-big-inconsistent")
put("reasm", bytes([cfg_default]) + b"".join(op(0x40, 1, i * 8, 8) for i in range(70)) +
    op(0x40, 0, 70 * 8, 8) + op(0, 1, 0xffff, 0), "many-ivs-flush")
put("reasm", bytes([cfg_default]) + b"".join(op(4, 1, (i * 16) % 800, 8) for i in range(60)) +
    op(4, 0, 800, 8), "gaps")

# msgpack messages (fuzz_wire.c)
def mp(v):
    if v is None: return b"\xc0"
    if v is True: return b"\xc3"
    if v is False: return b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128: return bytes([v])
        if -32 <= v < 0: return struct.pack(">b", v)
        if 0 <= v < 1 << 32: return b"\xce" + struct.pack(">I", v)
        if v >= 0: return b"\xcf" + struct.pack(">Q", v)
        return b"\xd3" + struct.pack(">q", v)
    if isinstance(v, float): return b"\xcb" + struct.pack(">d", v)
    if isinstance(v, bytes): return b"\xc4" + bytes([len(v)]) + v
    if isinstance(v, str):
        s = v.encode()
        if len(s) < 32: return bytes([0xa0 | len(s)]) + s
        if len(s) < 256: return b"\xd9" + bytes([len(s)]) + s
        return b"\xda" + struct.pack(">H", len(s)) + s
    if isinstance(v, list):
        h = bytes([0x90 | len(v)]) if len(v) < 16 else b"\xdc" + struct.pack(">H", len(v))
        return h + b"".join(mp(x) for x in v)
    if isinstance(v, dict):
        h = bytes([0x80 | len(v)]) if len(v) < 16 else b"\xde" + struct.pack(">H", len(v))
        return h + b"".join(mp(k) + mp(x) for k, x in v.items())
    raise TypeError(v)

job = {"v": 1, "type": "job", "job": "j-0123456789abcdef", "capture": "c-0123456789abcdef",
       "path": "/var/tpa/captures/j-0123456789abcdef.pcap",
       "url": "http://127.0.0.1:8080/internal/captures/j-0123456789abcdef",
       "size": 123456789, "sha256": "ab" * 32, "options": {"budget": 16384, "llm": False}}
put("wire", mp(job), "job")
put("wire", mp({"v": 1, "type": "job", "job": "j1", "url": "http://x/y", "size": 0}), "job-min")
digest = {"capture": {"file": "a.pcap", "packets": 10, "bytes": 1500, "duration_s": 1.25,
                      "truncated": False, "malformed": 0},
          "flows_total": 2, "apps": {"gtp-u": 1, "dns": 1},
          "top_flows": [{"id": 1, "proto": "udp", "src": "10.0.0.1", "sport": 2152,
                         "dst": "10.0.0.2", "dport": 2152, "packets": 8, "bytes": 1200,
                         "app": "gtp-u"}],
          "findings": [{"id": "F1", "severity": "warning", "title": "t", "detail": "d",
                        "evidence": {"frames": [1, 2], "flows": [1], "transactions": []}}],
          "kpis": [], "messages": [{"protocol": "pfcp", "code": "1", "name": "x", "count": 2}]}
put("wire", mp({"v": 1, "type": "rca", "job": "j-abc", "task": 0, "tasks": 1, "digest": digest}),
    "rca")
put("wire", mp({"v": 1, "type": "flow_batch", "job": "j-abc", "task": 2, "tasks": 5,
                "digest": {"x": [None, True, -5, -200, 2 ** 40, 2 ** 63 - 1, 0.5, b"bin"]}}),
    "flow-batch")
put("wire", b"\x82\xa1v\x01\xa4type\xa3rca" + b"\xc7\x01\x05\x00", "ext-trailing")
put("wire", b"\x91" * 70 + b"\xc0", "deep")
put("wire", b"\xdd\xff\xff\xff\xff", "huge-array")
put("wire", b"\x81\xa1k\xca\x7f\xc0\x00\x00", "float32-nan")
# exported_pdu (fuzz_exported_pdu.c: selector byte, then one frame, or two after their
# split): link type 252 frames, the TLVs as Wireshark's exported_pdu_tlvs.h lays them
# out, around messages built above
def xtlv(tag, v):
    return struct.pack(">HH", tag, len(v)) + v

def xpdu(name, pdu, a=b"\x0a\0\0\x01", b=b"\x0a\0\0\x02", sp=1000, dp=2000, pt=None, tag=12):
    t = xtlv(tag, name) if name else b""
    if a:
        t += xtlv(20 if len(a) == 4 else 22, a) + xtlv(21 if len(b) == 4 else 23, b)
    if pt is not None:
        t += xtlv(24, struct.pack(">I", pt))
    if sp is not None:
        t += xtlv(25, struct.pack(">I", sp)) + xtlv(26, struct.pack(">I", dp))
    return t + xtlv(0, b"") + pdu

def xput(name, first, second=None, sel=0):
    if second is None:
        put("exported_pdu", bytes([sel]) + first, name)
    else:
        put("exported_pdu", bytes([sel | 0x40]) + struct.pack(">H", len(first)) + first + second,
            name)

ngap_ue = H("000f402a0000040055000200010026000b0a7e004179000d0199f907007900094099f9"
            "070000000100005a000118")
v6a, v6b = b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x01", b"\x20\x01\x0d\xb8" + b"\0" * 11 + b"\x02"
h2_post = H("00000e010500000001 8386 04" + "0a" + "2f6e736d662d7064752f")
xput("ngap-sctp", xpdu(b"ngap", ngap_ue, sp=38412, dp=38412, pt=1))
xput("ngap-ppi", xtlv(14, b"sctp.ppi") + xtlv(32, struct.pack(">I", 60)) + xpdu(None, ngap_ue))
xput("pfcp-v6", xpdu(b"pfcp", pfcp(1, 5, pie(96, b"\xe0\0\0\0")), a=v6a, b=v6b, pt=3),
     xpdu(b"pfcp", pfcp(2, 5, pie(96, b"\xe0\0\0\0")), a=v6b, b=v6a, sp=2000, dp=1000, pt=3))
xput("http2-no-pt", xpdu(b"http2", h2_post, dp=7070),
     xpdu(b"http2", H("000001010500000001 88"), a=b"\x0a\0\0\x02", b=b"\x0a\0\0\x01", sp=7070,
          dp=1000))
xput("sip-heur", xpdu(b"sip_udp", b"OPTIONS sip:a@b SIP/2.0\r\nCall-ID: x\r\nCSeq: 1 OPTIONS\r\n"
                      b"Content-Length: 0\r\n\r\n", pt=3, tag=13))
xput("gtp-echo", xpdu(b"gtp", g1(1, 7), sp=2123, dp=2123, pt=3))
xput("gtpv2-tcp", xpdu(b"gtpv2", g2(1, 1, g2ie(3, b"\x05")), sp=2123, dp=2123, pt=2))
xput("ip-dns", xpdu(b"ip", ip4(17, udp(1000, 53, dq)), a=None, sp=None))
xput("eth", xpdu(b"eth_withoutfcs", eth(0x0800, ip4(17, u)), a=None, sp=None))
xput("nas-noflow", xpdu(b"nas-5gs\0", H("7e004179000d0100f110000000001032547698"), a=None, sp=None))
xput("unknown", xpdu(b"lte_rrc.ul_dcch", b"\x01\x02"))
xput("no-end", xtlv(12, b"ngap") + xtlv(20, b"\x0a\0\0\x01"))
xput("bad-port", xpdu(b"pfcp", b"", sp=70000), sel=0x80)
PY
rm -rf "$out/frames"
for t in "$out"/*/; do
    printf '%s: %s seeds\n' "$(basename "$t")" "$(ls "$t" | wc -l)"
done
