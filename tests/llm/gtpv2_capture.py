"""gtpv2_capture - writes a small pcap of GTPv2-C Create Session Requests that carry a
subscriber's IMSI, MSISDN and MEI (3GPP TS 29.274 sections 5.5, 8.3, 8.10, 8.11), sent
from an MME/SGW-C to a PGW that never answers, plus one answered Echo exchange.
Standard library only; used by tests/llm/test_llm.py (identities must not leave the host).
"""
import struct

IMSI = "001010123456789"
MSISDN = "33612345678"
MEI = "4901542032375181"


def tbcd(digits):
    """TBCD (29.274 8.3): two digits per octet, first in the low nibble, odd count padded
    with 0xF in the high nibble."""
    if len(digits) % 2:
        digits += "F"
    out = bytearray()
    for i in range(0, len(digits), 2):
        lo, hi = int(digits[i], 16), int(digits[i + 1], 16)
        out.append(hi << 4 | lo)
    return bytes(out)


def ie(t, value, instance=0):
    """IE header (29.274 8.2.1): type, length of the value (2 octets), spare+instance."""
    return struct.pack("!BHB", t, len(value), instance & 0x0F) + value


def gtpv2(msg_type, seq, body, teid=0):
    """Header with TEID (5.5.1): flags 0x48 (version 2, T=1), type, length of what follows
    the first 4 octets, TEID, 3-octet sequence number, spare."""
    rest = struct.pack("!I", teid) + struct.pack("!I", seq << 8) + body
    return struct.pack("!BBH", 0x48, msg_type, len(rest)) + rest


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def frame(src, dst, sport, dport, payload, ident):
    udp = struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), ident, 0, 64, 17, 0,
                     bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    eth = b"\x02\x00\x00\x00\x00\x02" + b"\x02\x00\x00\x00\x00\x01" + b"\x08\x00"
    return eth + ip + udp


def write(path):
    mme, pgw = "10.10.0.1", "10.10.0.2"
    csr = (ie(1, tbcd(IMSI)) + ie(76, tbcd(MSISDN)) + ie(75, tbcd(MEI)) + ie(82, b"\x06") +
           ie(71, b"\x08internet"))
    pkts = [(0.0, frame(mme, pgw, 2123, 2123, gtpv2(1, 1, ie(3, b"\x01")), 1)),
            (0.001, frame(pgw, mme, 2123, 2123, gtpv2(2, 1, ie(3, b"\x01")), 2))]
    t, ident = 1.0, 3
    for seq in (0x10, 0x11):
        for rep in range(3):  # the request and two retransmissions, never answered
            pkts.append((t, frame(mme, pgw, 2123, 2123, gtpv2(32, seq, csr), ident)))
            t += 3.0
            ident += 1
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        base = 1767225600
        for ts, data in pkts:
            sec = base + int(ts)
            usec = int(round((ts - int(ts)) * 1e6))
            f.write(struct.pack("<IIII", sec, usec, len(data), len(data)) + data)


if __name__ == "__main__":
    import sys
    write(sys.argv[1])
