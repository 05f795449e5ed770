#!/usr/bin/env python3
"""build_cases.py - writes the input.pcap of every golden case, byte by byte.

Standard library only. Every frame is Ethernet II / IPv4 / UDP, TCP or SCTP with the
protocol messages encoded here from their specifications (clauses cited next to each
encoder). IPv4 header, UDP, TCP and SCTP (CRC32c) checksums are computed. Timestamps
are whole microseconds from 2023-11-14 22:13:20 UTC (1700000000), so latencies are exact.

    python3 tests/golden/build_cases.py            # (re)write every case's input.pcap
    python3 tests/golden/build_cases.py dns sip_call

The output is deterministic: running it twice gives the same bytes (git diff shows
nothing). Each case's README.md explains the bytes and the values they must produce.
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
T0 = 1700000000

# ------------------------------------------------------------------ pcap and L2-L4


class Pcap:
    """A classic pcap file (LINKTYPE_ETHERNET, microsecond timestamps)."""

    def __init__(self):
        self.frames = []  # (ts_us, bytes)

    def add(self, t_us, frame):
        self.frames.append((t_us, frame))

    def write(self, path):
        out = [struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1)]
        # stable sort: frames given the same time stay in the order they were added
        for t_us, fr in sorted(self.frames, key=lambda f: f[0]):
            t = T0 * 1000000 + t_us
            out.append(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)))
            out.append(fr)
        with open(path, "wb") as f:
            f.write(b"".join(out))


def ip4(s):
    return bytes(int(x) for x in s.split("."))


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def mac_of(ip):
    return b"\x02\x00" + ip4(ip)


def ether_ip(src, dst, proto, l4, ip_id):
    """Ethernet II + IPv4 (RFC 791, header checksum computed, DF set)."""
    hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), ip_id & 0xFFFF, 0x4000, 64,
                      proto, 0, ip4(src), ip4(dst))
    hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
    return mac_of(dst) + mac_of(src) + b"\x08\x00" + hdr + l4


def pseudo(src, dst, proto, n):
    return ip4(src) + ip4(dst) + struct.pack("!BBH", 0, proto, n)


def udp(src, sport, dst, dport, payload, ip_id=1):
    """RFC 768, checksum over the IPv4 pseudo-header."""
    h = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0)
    c = csum(pseudo(src, dst, 17, 8 + len(payload)) + h + payload) or 0xFFFF
    return ether_ip(src, dst, 17, h[:6] + struct.pack("!H", c) + payload, ip_id)


# TCP flags
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


class Tcp:
    """One TCP connection (RFC 9293): client a -> server b, sequence numbers tracked."""

    def __init__(self, cap, a, aport, b, bport, isn_a=1000, isn_b=5000):
        self.cap, self.ends = cap, {0: (a, aport), 1: (b, bport)}
        self.seq = {0: isn_a, 1: isn_b}
        self.ip_id = {0: 100, 1: 200}

    def seg(self, t_us, d, flags, payload=b""):
        (src, sport), (dst, dport) = self.ends[d], self.ends[1 - d]
        ack = self.seq[1 - d] if flags & ACK else 0
        h = struct.pack("!HHIIBBHHH", sport, dport, self.seq[d], ack, 5 << 4, flags, 65535, 0, 0)
        c = csum(pseudo(src, dst, 6, 20 + len(payload)) + h + payload)
        h = h[:16] + struct.pack("!H", c) + h[18:]
        self.ip_id[d] += 1
        self.cap.add(t_us, ether_ip(src, dst, 6, h + payload, self.ip_id[d]))
        self.seq[d] = (self.seq[d] + len(payload) + (1 if flags & (SYN | FIN) else 0)) & 0xFFFFFFFF

    def handshake(self, t_us, rtt_us=1000):
        self.seg(t_us, 0, SYN)
        self.seg(t_us + rtt_us // 2, 1, SYN | ACK)
        self.seg(t_us + rtt_us, 0, ACK)


def crc32c(data):
    """CRC32c (Castagnoli), RFC 9260 appendix A."""
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


class Sctp:
    """One SCTP association (RFC 9260), DATA chunks only (the capture starts after the
    handshake), one TSN counter per direction, checksum CRC32c."""

    def __init__(self, cap, a, aport, b, bport, ppid):
        self.cap, self.ends, self.ppid = cap, {0: (a, aport), 1: (b, bport)}, ppid
        self.tsn = {0: 0x1000, 1: 0x9000}
        self.ssn = {}
        self.vtag = {0: 0x0A0B0C0D, 1: 0x01020304}
        self.ip_id = {0: 300, 1: 400}

    def data(self, t_us, d, msgs, stream=1):
        """One packet bundling one DATA chunk (B and E set) per message in msgs."""
        (src, sport), (dst, dport) = self.ends[d], self.ends[1 - d]
        chunks = b""
        for m in msgs:
            ssn = self.ssn.get((d, stream), 0)
            self.ssn[(d, stream)] = ssn + 1
            c = struct.pack("!BBHIHHI", 0, 0x03, 16 + len(m), self.tsn[d], stream, ssn,
                            self.ppid) + m
            self.tsn[d] += 1
            chunks += c + b"\0" * (-len(c) % 4)
        common = struct.pack("!HHII", sport, dport, self.vtag[d], 0)
        pkt = common + chunks
        pkt = pkt[:8] + struct.pack("<I", crc32c(pkt)) + pkt[12:]
        self.ip_id[d] += 1
        self.cap.add(t_us, ether_ip(src, dst, 132, pkt, self.ip_id[d]))


# ------------------------------------------------------------------ 3GPP helpers


def tbcd(digits):
    """TS 29.274 8.3 / TS 29.244 / TS 24.008 10.5.1.4 TBCD: two digits per octet,
    first digit in the low nibble, filler 0xF."""
    out = bytearray()
    for i in range(0, len(digits), 2):
        lo = int(digits[i])
        hi = int(digits[i + 1]) if i + 1 < len(digits) else 0xF
        out.append(hi << 4 | lo)
    return bytes(out)


def apn(name):
    """TS 23.003 9.1: labels, each preceded by its length."""
    return b"".join(bytes([len(l)]) + l.encode() for l in name.split("."))


PLMN_00101 = bytes([0x00, 0xF1, 0x10])  # MCC 001 MNC 01 (TS 24.008 10.5.1.3)
IMSI = "001010123456789"


# ------------------------------------------------------------------ PFCP (TS 29.244)


def pfcp_ie(t, v):
    return struct.pack("!HH", t, len(v)) + v  # 8.1.1


def pfcp_msg(mtype, seq, body, seid=None):
    """7.2.2: octet 1 version 1 (bits 8-6) and S flag (bit 1), type, length of what
    follows the first 4 octets, SEID if S, sequence number (3 octets), spare."""
    if seid is None:
        rest = struct.pack("!I", seq << 8) + body
        return struct.pack("!BBH", 0x20, mtype, len(rest)) + rest
    rest = struct.pack("!QI", seid, seq << 8) + body
    return struct.pack("!BBH", 0x21, mtype, len(rest)) + rest


def case_pfcp_unanswered(cap):
    smf, upf = "10.0.0.1", "10.0.0.2"
    # Heartbeat Request (1) / Response (2), IE Recovery Time Stamp (96, 8.2.65)
    rts = pfcp_ie(96, struct.pack("!I", 3908908800))
    cap.add(0, udp(smf, 8805, upf, 8805, pfcp_msg(1, 100, rts), 1))
    cap.add(2500, udp(upf, 8805, smf, 8805, pfcp_msg(2, 100, rts), 1))
    # 5 Session Establishment Requests (50), header SEID 0 (7.2.2.4.2: no UP SEID yet),
    # Node ID (60, 8.2.38: type 0 IPv4) and CP F-SEID (57, 8.2.37: V4 flag, SEID, IPv4).
    # Each sent at t, t+3 s, t+6 s (N1 = 3 tries, T1 = 3 s) and never answered.
    node = pfcp_ie(60, b"\x00" + ip4(smf))
    for i in range(5):
        seq = 1 + i
        fseid = pfcp_ie(57, b"\x02" + struct.pack("!Q", 0x1000 + i) + ip4(smf))
        msg = pfcp_msg(50, seq, node + fseid, seid=0)
        for k in range(3):
            cap.add(1000000 + i * 100000 + k * 3000000, udp(smf, 8805, upf, 8805, msg, 10 + i * 3 + k))


# ------------------------------------------------------------------ GTPv2-C (TS 29.274)


def g2_ie(t, v, inst=0):
    return struct.pack("!BHB", t, len(v), inst & 0x0F) + v  # 8.1


def g2_msg(mtype, teid, seq, body):
    """5.1: octet 1 version 2, T flag (0x48); length counts from octet 5."""
    rest = struct.pack("!II", teid, seq << 8) + body
    return struct.pack("!BBH", 0x48, mtype, len(rest)) + rest


def fteid(iftype, teid, addr, inst=0):
    return g2_ie(87, bytes([0x80 | iftype]) + struct.pack("!I", teid) + ip4(addr), inst)  # 8.22


def case_gtpv2_create_session(cap):
    mme, sgw = "10.0.1.1", "10.0.1.2"
    req = g2_msg(32, 0, 0x000101, b"".join([
        g2_ie(1, tbcd(IMSI)),                         # IMSI 8.3
        g2_ie(76, tbcd("491711234567")),              # MSISDN 8.11
        g2_ie(82, b"\x06"),                           # RAT Type 8.17: EUTRAN (6)
        fteid(10, 0x11111111, mme),                   # Sender F-TEID, S11 MME GTP-C (10)
        g2_ie(71, apn("internet")),                   # APN 8.6
        g2_ie(93, g2_ie(73, b"\x05")),                # Bearer Context: EBI 5 (8.28, 8.8)
    ]))
    rsp = g2_msg(33, 0x11111111, 0x000101, b"".join([
        g2_ie(2, b"\x10\x00"),                        # Cause 8.4: 16 Request accepted
        fteid(11, 0x22222222, sgw),                   # Sender F-TEID, S11/S4 SGW GTP-C (11)
        g2_ie(79, b"\x01" + ip4("10.45.0.2")),        # PAA 8.14: IPv4
        g2_ie(93, g2_ie(73, b"\x05") + g2_ie(2, b"\x10\x00")),
    ]))
    dreq = g2_msg(36, 0x22222222, 0x000102, g2_ie(73, b"\x05"))  # Delete Session, LBI 5
    drsp = g2_msg(37, 0x11111111, 0x000102, g2_ie(2, b"\x40\x00"))  # Cause 64 Context Not Found
    cap.add(0, udp(mme, 2123, sgw, 2123, req, 1))
    cap.add(12345, udp(sgw, 2123, mme, 2123, rsp, 1))
    cap.add(5000000, udp(mme, 2123, sgw, 2123, dreq, 2))
    cap.add(5004000, udp(sgw, 2123, mme, 2123, drsp, 2))


# ------------------------------------------------------------------ DNS (RFC 1035)


def dns_name(n):
    return b"".join(bytes([len(l)]) + l.encode() for l in n.split(".")) + b"\0"


def dns_msg(qid, flags, qname, qtype, answers=(), an_count=None):
    """4.1.1 header, one question (class IN), answers as (type, rdata) with a compression
    pointer to the question name (offset 12)."""
    an = b"".join(struct.pack("!HHHIH", 0xC00C, t, 1, 300, len(rd)) + rd for t, rd in answers)
    return (struct.pack("!HHHHHH", qid, flags, 1, len(answers), 0, 0)
            + dns_name(qname) + struct.pack("!HH", qtype, 1) + an)


def case_dns(cap):
    cli, srv = "10.0.2.1", "10.0.2.53"
    A, AAAA = 1, 28
    q = lambda t, i, *a: cap.add(t, udp(cli, 40000, srv, 53, dns_msg(i, 0x0100, *a), i))
    r = lambda t, i, *a, **k: cap.add(t, udp(srv, 53, cli, 40000, dns_msg(i, *a, **k), i))
    q(0, 0x1001, "example.com", A)
    r(1500, 0x1001, 0x8180, "example.com", A, [(A, ip4("93.184.216.34"))])
    q(100000, 0x1002, "example.com", AAAA)
    r(102000, 0x1002, 0x8180, "example.com", AAAA,
      [(AAAA, bytes.fromhex("26062800022000010248189325c81946"))])
    q(200000, 0x1003, "nx.example.com", A)
    r(203000, 0x1003, 0x8183, "nx.example.com", A)  # RCODE 3 NXDOMAIN
    q(300000, 0x1004, "lost.example.com", A)          # never answered


# ------------------------------------------------------------------ Diameter (RFC 6733)

VENDOR_3GPP = 10415


def avp(code, data, vendor=None, mandatory=True):
    """4.1: code, flags (V 0x80, M 0x40), 3-octet length without padding, vendor id if V;
    padded to 4 octets."""
    flags = (0x80 if vendor else 0) | (0x40 if mandatory else 0)
    hdr_len = 12 if vendor else 8
    h = struct.pack("!IB", code, flags) + (hdr_len + len(data)).to_bytes(3, "big")
    if vendor:
        h += struct.pack("!I", vendor)
    a = h + data
    return a + b"\0" * (-len(a) % 4)


def u32(v):
    return struct.pack("!I", v)


def dia_msg(flags, cmd, app, hbh, e2e, avps):
    """3: version 1, 3-octet length, flags (R 0x80, P 0x40), 3-octet command code."""
    body = b"".join(avps)
    n = 20 + len(body)
    return (bytes([1]) + n.to_bytes(3, "big") + bytes([flags]) + cmd.to_bytes(3, "big")
            + struct.pack("!III", app, hbh, e2e) + body)


def case_diameter_ulr_error(cap):
    mme, hss = "10.0.3.1", "10.0.3.2"
    sid = b"mme.epc.mnc001.mcc001.3gppnetwork.org;1;42"
    ulr = dia_msg(0xC0, 316, 16777251, 0x0000ABCD, 0x12340001, [
        avp(263, sid),                                     # Session-Id
        avp(277, u32(1)),                                  # Auth-Session-State NO_STATE_MAINTAINED
        avp(264, b"mme.epc.mnc001.mcc001.3gppnetwork.org"),  # Origin-Host
        avp(296, b"epc.mnc001.mcc001.3gppnetwork.org"),    # Origin-Realm
        avp(283, b"epc.mnc001.mcc001.3gppnetwork.org"),    # Destination-Realm
        avp(1, IMSI.encode()),                             # User-Name
        avp(1032, u32(1004), VENDOR_3GPP),                 # RAT-Type EUTRAN (TS 29.212)
        avp(1405, u32(0x22), VENDOR_3GPP),                 # ULR-Flags (TS 29.272 7.3.7)
        avp(1407, PLMN_00101, VENDOR_3GPP),                # Visited-PLMN-Id
    ])
    ula = dia_msg(0x40, 316, 16777251, 0x0000ABCD, 0x12340001, [
        avp(263, sid),
        avp(277, u32(1)),
        avp(264, b"hss.epc.mnc001.mcc001.3gppnetwork.org"),
        avp(296, b"epc.mnc001.mcc001.3gppnetwork.org"),
        # Experimental-Result (297) { Vendor-Id 10415, Experimental-Result-Code 5420
        # DIAMETER_ERROR_UNKNOWN_EPS_SUBSCRIPTION (TS 29.272 7.4.3.3) }
        avp(297, avp(266, u32(VENDOR_3GPP)) + avp(298, u32(5420))),
    ])
    c = Tcp(cap, mme, 40001, hss, 3868)
    c.handshake(0)
    c.seg(10000, 0, PSH | ACK, ulr[:60])       # the ULR in two segments
    c.seg(10100, 0, PSH | ACK, ulr[60:])
    c.seg(11000, 1, ACK)
    c.seg(30000, 1, PSH | ACK, ula[:30])       # the ULA in two segments too
    c.seg(30050, 1, PSH | ACK, ula[30:])
    c.seg(31000, 0, ACK)


# ------------------------------------------------------------------ SIP (RFC 3261) + RTP


def sip_msg(first, headers, body=b""):
    h = [first] + ["%s: %s" % kv for kv in headers]
    if body:
        h.append("Content-Type: application/sdp")
    h.append("Content-Length: %d" % len(body))
    return ("\r\n".join(h) + "\r\n\r\n").encode() + body


def sdp(ip, port, sess):
    """RFC 4566 offer/answer with one PCMU audio stream (RFC 3551 PT 0)."""
    return ("v=0\r\no=- %d 1 IN IP4 %s\r\ns=-\r\nc=IN IP4 %s\r\nt=0 0\r\n"
            "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\na=ptime:20\r\n"
            % (sess, ip, ip, port)).encode()


def rtp(seq, ts, ssrc, payload):
    return struct.pack("!BBHII", 0x80, 0, seq, ts, ssrc) + payload  # RFC 3550 5.1


def case_sip_call(cap):
    ue, cscf = "10.0.4.1", "10.0.4.2"
    ua, pa = "sip:alice@ims.example.org", "sip:bob@ims.example.org"
    n = [0]

    def send(t, a, b, m):
        n[0] += 1
        cap.add(t, udp(a, 5060, b, 5060, m, n[0]))

    # REGISTER challenged with 401 (RFC 3261 10.2, 22.2)
    reg_via = ("Via", "SIP/2.0/UDP %s:5060;branch=z9hG4bKreg1" % ue)
    reg = [reg_via, ("Max-Forwards", "70"), ("From", "<%s>;tag=r1" % ua), ("To", "<%s>" % ua),
           ("Call-ID", "reg-1@10.0.4.1"), ("CSeq", "1 REGISTER"), ("Contact", "<sip:alice@%s:5060>" % ue)]
    send(0, ue, cscf, sip_msg("REGISTER sip:ims.example.org SIP/2.0", reg))
    send(20000, cscf, ue, sip_msg("SIP/2.0 401 Unauthorized", [reg_via] + reg[2:4] + [
        ("Call-ID", "reg-1@10.0.4.1"), ("CSeq", "1 REGISTER"),
        ("WWW-Authenticate", 'Digest realm="ims.example.org", nonce="abc", algorithm=AKAv1-MD5')]))
    # the call
    cid = "call-1@10.0.4.1"
    via = ("Via", "SIP/2.0/UDP %s:5060;branch=z9hG4bKinv1" % ue)
    fr, to, tot = ("From", "<%s>;tag=a1" % ua), ("To", "<%s>" % pa), ("To", "<%s>;tag=b1" % pa)
    inv = sip_msg("INVITE %s SIP/2.0" % pa, [via, ("Max-Forwards", "70"), fr, to, ("Call-ID", cid),
                  ("CSeq", "1 INVITE"), ("Contact", "<sip:alice@%s:5060>" % ue)], sdp(ue, 40000, 1))
    send(1000000, ue, cscf, inv)
    send(1010000, cscf, ue, sip_msg("SIP/2.0 100 Trying", [via, fr, to, ("Call-ID", cid), ("CSeq", "1 INVITE")]))
    send(1500000, cscf, ue, sip_msg("SIP/2.0 180 Ringing", [via, fr, tot, ("Call-ID", cid), ("CSeq", "1 INVITE")]))
    send(3000000, cscf, ue, sip_msg("SIP/2.0 200 OK", [via, fr, tot, ("Call-ID", cid), ("CSeq", "1 INVITE"),
                                    ("Contact", "<sip:bob@%s:5060>" % cscf)], sdp(cscf, 50000, 2)))
    ack_via = ("Via", "SIP/2.0/UDP %s:5060;branch=z9hG4bKack1" % ue)
    send(3010000, ue, cscf, sip_msg("ACK %s SIP/2.0" % pa, [ack_via, ("Max-Forwards", "70"), fr, tot,
                                    ("Call-ID", cid), ("CSeq", "1 ACK")]))
    # RTP: 50 packets each way, 20 ms apart (PCMU, 160 samples), no loss
    for k in range(50):
        t = 3100000 + k * 20000
        cap.add(t, udp(ue, 40000, cscf, 50000, rtp(1000 + k, 16000 + 160 * k, 0x11223344, b"\xff" * 160), 1000 + k))
        cap.add(t + 5000, udp(cscf, 50000, ue, 40000, rtp(7000 + k, 99000 + 160 * k, 0x55667788, b"\xff" * 160), 2000 + k))
    bye_via = ("Via", "SIP/2.0/UDP %s:5060;branch=z9hG4bKbye1" % ue)
    bye = [bye_via, fr, tot, ("Call-ID", cid), ("CSeq", "2 BYE")]
    send(4200000, ue, cscf, sip_msg("BYE %s SIP/2.0" % pa, [bye_via, ("Max-Forwards", "70")] + bye[1:]))
    send(4230000, cscf, ue, sip_msg("SIP/2.0 200 OK", bye))


# ------------------------------------------------------------------ HTTP/2 (RFC 9113, HPACK RFC 7541)


def h2_frame(ftype, flags, stream, payload):
    return len(payload).to_bytes(3, "big") + bytes([ftype, flags]) + struct.pack("!I", stream) + payload  # 4.1


def hp_int(v, prefix, first):
    """RFC 7541 5.1 integer with an N-bit prefix."""
    mx = (1 << prefix) - 1
    if v < mx:
        return bytes([first | v])
    out, v = bytearray([first | mx]), v - mx
    while v >= 128:
        out.append(0x80 | (v & 0x7F))
        v >>= 7
    out.append(v)
    return bytes(out)


def hp_lit(name_index, value):
    """6.2.2 Literal Header Field without Indexing, indexed name (static table,
    appendix A); value as a raw (H=0) string literal (5.2)."""
    v = value.encode()
    return hp_int(name_index, 4, 0x00) + hp_int(len(v), 7, 0x00) + v


# static table indexes (RFC 7541 appendix A)
H_AUTHORITY, H_METHOD, H_PATH, H_SCHEME, H_STATUS = 1, 2, 4, 6, 8
H_CONTENT_TYPE, H_LOCATION = 31, 46
END_STREAM, END_HEADERS = 0x1, 0x4


def case_http2_sbi(cap):
    amf, smf = "10.0.5.1", "10.0.5.2"
    c = Tcp(cap, amf, 50000, smf, 8080)
    c.handshake(0)
    preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
    c.seg(2000, 0, PSH | ACK, preface + h2_frame(4, 0, 0, b""))           # SETTINGS
    c.seg(3000, 1, PSH | ACK, h2_frame(4, 0, 0, b"") + h2_frame(4, 1, 0, b""))  # SETTINGS, ACK
    body = b'{"supi":"imsi-001010123456789","pduSessionId":5,"dnn":"internet","sNssai":{"sst":1}}'
    hdrs = (hp_lit(H_METHOD, "POST") + hp_lit(H_SCHEME, "http") + hp_lit(H_AUTHORITY, "smf.example.org")
            + hp_lit(H_PATH, "/nsmf-pdusession/v1/sm-contexts") + hp_lit(H_CONTENT_TYPE, "application/json"))
    c.seg(4000, 0, PSH | ACK, h2_frame(4, 1, 0, b"") + h2_frame(1, END_HEADERS, 1, hdrs)
          + h2_frame(0, END_STREAM, 1, body))
    rh = (hp_lit(H_STATUS, "201") + hp_lit(H_LOCATION, "http://smf.example.org/nsmf-pdusession/v1/sm-contexts/ctx1")
          + hp_lit(H_CONTENT_TYPE, "application/json"))
    c.seg(25000, 1, PSH | ACK, h2_frame(1, END_HEADERS, 1, rh) + h2_frame(0, END_STREAM, 1, b'{"pduSessionId":5}'))
    c.seg(26000, 0, ACK)
    gh = (hp_lit(H_METHOD, "GET") + hp_lit(H_SCHEME, "http") + hp_lit(H_AUTHORITY, "smf.example.org")
          + hp_lit(H_PATH, "/nsmf-pdusession/v1/sm-contexts/ctx9"))
    c.seg(1000000, 0, PSH | ACK, h2_frame(1, END_HEADERS | END_STREAM, 3, gh))
    pd = b'{"title":"Context Not Found","status":404,"cause":"CONTEXT_NOT_FOUND"}'
    c.seg(1008000, 1, PSH | ACK, h2_frame(1, END_HEADERS, 3, hp_lit(H_STATUS, "404")
                                           + hp_lit(H_CONTENT_TYPE, "application/problem+json"))
          + h2_frame(0, END_STREAM, 3, pd))
    c.seg(1009000, 0, ACK)


# ------------------------------------------------------------------ aligned PER (X.691) for NGAP/S1AP


class Per:
    """A minimal ALIGNED PER bit writer (X.691): the pieces NGAP/S1AP PDUs need."""

    def __init__(self):
        self.bits = []

    def put(self, v, n):
        self.bits += [(v >> (n - 1 - i)) & 1 for i in range(n)]
        return self

    def align(self):
        self.bits += [0] * (-len(self.bits) % 8)
        return self

    def raw(self, b):
        self.align()
        for x in b:
            self.put(x, 8)
        return self

    def bytes(self):
        self.align()
        return bytes(int("".join(map(str, self.bits[i:i + 8])), 2) for i in range(0, len(self.bits), 8))

    def cint(self, v, lb, ub):
        """10.5 constrained whole number."""
        span, x = ub - lb, v - lb
        if span == 0:
            return self
        if span <= 254:
            return self.put(x, span.bit_length())
        if span == 255:
            return self.align().put(x, 8)
        if span <= 65535:
            return self.align().put(x, 16)
        n = (span.bit_length() + 7) // 8
        ln = max(1, (x.bit_length() + 7) // 8)
        self.cint(ln, 1, n)
        return self.align().put(x, 8 * ln)

    def length(self, n):
        """11.9 unconstrained length determinant (n < 16384)."""
        self.align()
        return self.put(n, 8) if n < 128 else self.put(0x8000 | n, 16)

    def octets(self, b):
        return self.length(len(b)).raw(b)

    def open(self, b):
        return self.octets(b)


REJECT, IGNORE = 0, 1


def ap_pdu(kind, proc, crit, ies):
    """NGAP-PDU / S1AP-PDU: CHOICE {initiatingMessage, successfulOutcome,
    unsuccessfulOutcome, ...} (ext bit + 2 bits), procedureCode (0..255), criticality,
    value open type = SEQUENCE {protocolIEs (SIZE(0..65535)), ...}; each IE
    {id (0..65535), criticality, value open type}."""
    v = Per().put(0, 1).cint(len(ies), 0, 65535)
    for ie_id, ie_crit, val in ies:
        v.cint(ie_id, 0, 65535).cint(ie_crit, 0, 2).open(val)
    return Per().put(0, 1).put(kind, 2).cint(proc, 0, 255).cint(crit, 0, 2).open(v.bytes()).bytes()


INIT, SUCC, UNSUCC = 0, 1, 2


# ------------------------------------------------------------------ NGAP (TS 38.413) + NAS-5GS (TS 24.501)

NG_AMF_ID, NG_GUAMI, NG_NAS, NG_RAN_ID, NG_RRC_CAUSE, NG_ULI = 10, 28, 38, 85, 90, 121


def ng_ran(v):
    return Per().cint(v, 0, 2**32 - 1).bytes()   # RAN-UE-NGAP-ID INTEGER (0..4294967295)


def ng_amf(v):
    return Per().cint(v, 0, 2**40 - 1).bytes()   # AMF-UE-NGAP-ID INTEGER (0..1099511627775)


def ng_nas(b):
    return Per().octets(b).bytes()               # NAS-PDU OCTET STRING


def ng_uli():
    """UserLocationInformation CHOICE of 4 root alternatives, no extension marker
    (choice-Extensions is the 4th) -> userLocationInformationNR (index 1):
    SEQUENCE {nR-CGI, tAI, timeStamp OPT, iE-Extensions OPT, ...}; NR-CGI {pLMNIdentity,
    nRCellIdentity BIT STRING (36), iE-Ext OPT, ...}; TAI {pLMNIdentity, tAC (3), ...}."""
    p = Per().put(1, 2)                      # choice index
    p.put(0, 1).put(0, 2)                    # ULI-NR: ext, 2 optional bits
    p.put(0, 1).put(0, 1).raw(PLMN_00101)    # NR-CGI: ext, 1 optional bit, PLMN
    p.align().put(0x000000010, 36)           # nRCellIdentity
    p.put(0, 1).put(0, 1).raw(PLMN_00101)    # TAI: ext, 1 optional, PLMN
    p.raw(b"\x00\x00\x01")                   # TAC 1
    return p.bytes()


def ng_rrc_cause():
    return Per().put(0, 1).cint(3, 0, 9).bytes()  # RRCEstablishmentCause mo-Signalling (3)


def ng_guami():
    """GUAMI {pLMNIdentity, aMFRegionID BIT STRING(8), aMFSetID (10), aMFPointer (6)}."""
    return Per().put(0, 1).put(0, 1).raw(PLMN_00101).put(0xCA, 8).put(0x3F8, 10).put(0, 6).bytes()


def nas5_reg_request():
    """8.2.6: EPD 0x7e, plain (0x00), type 0x41; 5GS registration type initial (1, FOR
    set) + ngKSI 7 (no key); 5GS mobile identity (LV-E) SUCI (9.11.3.4): SUPI format IMSI,
    type SUCI, MCC 001 MNC 01, routing indicator 0000, null scheme (0), key id 0, MSIN
    0123456789. Same bytes as parser-worker/test_ngap.c nas_reg."""
    suci = b"\x01" + PLMN_00101 + b"\x00\x00" + b"\x00\x00" + tbcd("0123456789")
    return b"\x7e\x00\x41\x79" + struct.pack("!H", len(suci)) + suci


def nas5_auth_request():
    """8.2.1: ngKSI 0 + spare, ABBA (LV 0x0000), RAND (IEI 0x21, 16 octets), AUTN (IEI 0x20, LV 16)."""
    return (b"\x7e\x00\x56\x00\x02\x00\x00" + b"\x21" + bytes(range(16))
            + b"\x20\x10" + bytes(range(16, 32)))


def nas5_auth_response():
    """8.2.2: Authentication response parameter (IEI 0x2d, LV, RES* 16 octets)."""
    return b"\x7e\x00\x57\x2d\x10" + bytes(range(0xA0, 0xB0))


def nas5_reg_accept():
    """8.2.7: 5GS registration result (LV, 3GPP access), 5G-GUTI (IEI 0x77, TLV-E,
    9.11.3.4: 0xf2 = type 5G-GUTI, MCC 001 MNC 01, AMF region 0xca, AMF set 0x3f8 /
    pointer 0, 5G-TMSI 0x12345678)."""
    guti = b"\xf2" + PLMN_00101 + b"\xca\xfe\x00" + b"\x12\x34\x56\x78"
    return b"\x7e\x00\x42\x01\x01" + b"\x77" + struct.pack("!H", len(guti)) + guti


def nas5_reg_complete():
    return b"\x7e\x00\x43"  # 8.2.8


def case_ngap_nas_registration(cap):
    gnb, amf = "10.0.7.1", "10.0.7.2"
    a = Sctp(cap, gnb, 38412, amf, 38412, 60)
    RAN, AMF = 1, 0x100
    # InitialUEMessage (proc 15): RAN id, NAS-PDU, ULI, RRC cause
    a.data(0, 0, [ap_pdu(INIT, 15, IGNORE, [
        (NG_RAN_ID, REJECT, ng_ran(RAN)), (NG_NAS, REJECT, ng_nas(nas5_reg_request())),
        (NG_ULI, REJECT, ng_uli()), (NG_RRC_CAUSE, IGNORE, ng_rrc_cause())])])
    # DownlinkNASTransport (proc 4): Authentication Request
    a.data(15000, 1, [ap_pdu(INIT, 4, IGNORE, [
        (NG_AMF_ID, REJECT, ng_amf(AMF)), (NG_RAN_ID, REJECT, ng_ran(RAN)),
        (NG_NAS, REJECT, ng_nas(nas5_auth_request()))])])
    # UplinkNASTransport (proc 46): Authentication Response
    a.data(60000, 0, [ap_pdu(INIT, 46, IGNORE, [
        (NG_AMF_ID, REJECT, ng_amf(AMF)), (NG_RAN_ID, REJECT, ng_ran(RAN)),
        (NG_NAS, REJECT, ng_nas(nas5_auth_response())), (NG_ULI, IGNORE, ng_uli())])])
    # InitialContextSetupRequest (proc 14) carrying the Registration Accept
    a.data(80000, 1, [ap_pdu(INIT, 14, REJECT, [
        (NG_AMF_ID, REJECT, ng_amf(AMF)), (NG_RAN_ID, REJECT, ng_ran(RAN)),
        (NG_GUAMI, REJECT, ng_guami()), (NG_NAS, IGNORE, ng_nas(nas5_reg_accept()))])])
    # InitialContextSetupResponse (successful outcome of proc 14)
    a.data(100000, 0, [ap_pdu(SUCC, 14, REJECT, [
        (NG_AMF_ID, IGNORE, ng_amf(AMF)), (NG_RAN_ID, IGNORE, ng_ran(RAN))])])
    # UplinkNASTransport: Registration Complete
    a.data(120000, 0, [ap_pdu(INIT, 46, IGNORE, [
        (NG_AMF_ID, REJECT, ng_amf(AMF)), (NG_RAN_ID, REJECT, ng_ran(RAN)),
        (NG_NAS, REJECT, ng_nas(nas5_reg_complete())), (NG_ULI, IGNORE, ng_uli())])])


# ------------------------------------------------------------------ S1AP (TS 36.413) + NAS-EPS (TS 24.301)

S1_MME_ID, S1_ENB_ID, S1_NAS, S1_TAI, S1_ECGI, S1_RRC_CAUSE = 0, 8, 26, 67, 100, 134


def case_s1ap_attach_reject(cap):
    enb, mme = "10.0.6.1", "10.0.6.2"
    a = Sctp(cap, enb, 36412, mme, 36412, 18)
    # Attach request (8.2.4): KSI 7 + EPS attach (1); EPS mobile identity (9.9.3.12,
    # TS 24.008 10.5.1.4) IMSI 001010123456789: octet 3 = digit 1, odd (15 digits), type
    # IMSI (001), then two digits an octet, low nibble first; UE network capability
    # (LV e0 e0); ESM message container (LV-E) with a PDN connectivity request (8.3.20:
    # EBI 0, PTI 1, type 0xd0, request type initial (1), PDN type IPv4 (1)).
    ident = bytes([int(IMSI[0]) << 4 | 0x08 | 0x01]) + tbcd(IMSI[1:])
    attach = (b"\x07\x41\x71" + bytes([len(ident)]) + ident + b"\x02\xe0\xe0"
              + b"\x00\x04" + b"\x02\x01\xd0\x11")
    enb_id = Per().cint(7, 0, 2**24 - 1).bytes()     # ENB-UE-S1AP-ID INTEGER (0..16777215)
    mme_id = Per().cint(0x2001, 0, 2**32 - 1).bytes()  # MME-UE-S1AP-ID INTEGER (0..4294967295)
    tai = Per().put(0, 2).raw(PLMN_00101).raw(b"\x00\x01").bytes()   # TAI {PLMN, TAC}
    ecgi = Per().put(0, 2).raw(PLMN_00101).align().put(0x0019BD0, 28).bytes()  # EUTRAN-CGI
    rrc = Per().put(0, 1).cint(3, 0, 4).bytes()      # RRC-Establishment-Cause mo-Signalling (3)
    a.data(0, 0, [ap_pdu(INIT, 12, IGNORE, [     # InitialUEMessage (proc 12)
        (S1_ENB_ID, REJECT, enb_id), (S1_NAS, REJECT, Per().octets(attach).bytes()),
        (S1_TAI, REJECT, tai), (S1_ECGI, IGNORE, ecgi), (S1_RRC_CAUSE, IGNORE, rrc)])])
    # Attach reject (8.2.3) for an ESM failure (5.5.1.2.5): EMM cause #19 "ESM failure"
    # (9.9.3.9) and the ESM message container (IEI 0x78, TLV-E) holding the PDN
    # connectivity reject (8.3.19: EBI 0, PTI 1, type 0xd1, ESM cause #27 "Missing or
    # unknown APN", 9.9.4.4).
    reject = b"\x07\x44\x13" + b"\x78\x00\x04" + b"\x02\x01\xd1\x1b"
    a.data(40000, 1, [ap_pdu(INIT, 11, IGNORE, [    # DownlinkNASTransport (proc 11)
        (S1_MME_ID, REJECT, mme_id), (S1_ENB_ID, REJECT, enb_id),
        (S1_NAS, REJECT, Per().octets(reject).bytes())])])


CASES = {
    "pfcp_unanswered": case_pfcp_unanswered,
    "gtpv2_create_session": case_gtpv2_create_session,
    "ngap_nas_registration": case_ngap_nas_registration,
    "s1ap_attach_reject": case_s1ap_attach_reject,
    "diameter_ulr_error": case_diameter_ulr_error,
    "sip_call": case_sip_call,
    "dns": case_dns,
    "http2_sbi": case_http2_sbi,
}


def build(name, out_dir=HERE):
    """Writes <out_dir>/<name>/input.pcap (and an empty args file if none); returns
    the number of frames."""
    cap = Pcap()
    CASES[name](cap)
    d = os.path.join(out_dir, name)
    os.makedirs(d, exist_ok=True)
    cap.write(os.path.join(d, "input.pcap"))
    args = os.path.join(d, "args")
    if not os.path.exists(args):
        open(args, "w").close()
    return len(cap.frames)


def main(argv):
    names = argv[1:] or list(CASES)
    for name in names:
        if name not in CASES:
            print("unknown case %r (cases: %s)" % (name, " ".join(CASES)), file=sys.stderr)
            return 2
        print("%s: %d frames" % (name, build(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
