"""gtpv2_capture - writes a small pcapng of GTPv2-C Create Session Requests that carry a
subscriber's IMSI, MSISDN and MEI (3GPP TS 29.274 sections 5.5, 8.3, 8.10, 8.11), sent
from an MME/SGW-C to a PGW that never answers, plus one answered Echo exchange (Ethernet
interface); and, on a second interface of link type 252 (Wireshark's exported PDUs), two
NAS messages naming other subscribers by their temporary identities: a 5GS Registration
accept with a 5G-GUTI (TS 24.501 8.2.7, 9.11.3.4) and an EPS GUTI Reallocation Command
(TS 24.301 8.2.16, 9.9.3.12). Standard library only; used by tests/llm/test_llm.py
(identities must not leave the host).
"""
import struct

IMSI = "001010123456789"
MSISDN = "33612345678"
MEI = "4901542032375181"
# as the engine writes them (ues[].identities guti / tmsi)
GUTI5G = "20893-202-1016-0-c0ffee01"  # MCC 208 MNC 93, AMF region 202, set 1016, pointer 0
TMSI5G = "1016-0-c0ffee01"            # the 5G-S-TMSI
GUTI4G = "00101-32769-1-d00dfeed"     # MCC 001 MNC 01, MMEGI 32769, MMEC 1
TMSI_HEX = ("c0ffee01", "d00dfeed")   # the 5G-TMSI and the M-TMSI


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


def exported(proto, pdu, src, dst, sport, dport, port_type=1):
    """A link type 252 frame: TLVs (tag, length, value; wsutil/exported_pdu_tlvs.h) for
    the dissector name, IPv4 addresses, port type (1 SCTP), ports, end of options; then
    the PDU."""
    def tlv(tag, v):
        return struct.pack("!HH", tag, len(v)) + v
    addr = lambda a: bytes(map(int, a.split(".")))
    return (tlv(12, proto) + tlv(20, addr(src)) + tlv(21, addr(dst)) +
            tlv(24, struct.pack("!I", port_type)) + tlv(25, struct.pack("!I", sport)) +
            tlv(26, struct.pack("!I", dport)) + tlv(0, b"") + pdu)


# Registration accept: EPD 5GMM, plain, type 0x42, 5GS registration result (LV), 5G-GUTI
# IE 0x77 (TLV-E: type 2 with filler 0xf2, PLMN 208/93, AMF region 0xca, set/pointer
# 0xfe00, 5G-TMSI).
NAS_5G_REG_ACCEPT = bytes.fromhex("7e0042" "0101" "77000b" "f2" "02f839" "ca" "fe00" + TMSI_HEX[0])
# GUTI reallocation command: PD EMM, plain, type 0x50, EPS mobile identity (LV: type 6
# with filler 0xf6, PLMN 001/01, MMEGI 0x8001, MMEC 1, M-TMSI).
NAS_EPS_GUTI_REALLOC = bytes.fromhex("0750" "0b" "f6" "00f110" "8001" "01" + TMSI_HEX[1])


def block(btype, body):
    pad = b"\0" * ((4 - len(body) % 4) % 4)
    n = 12 + len(body) + len(pad)
    return struct.pack("<II", btype, n) + body + pad + struct.pack("<I", n)


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
    amf, gnb, mme, enb = "10.10.1.1", "10.10.1.2", "10.10.2.1", "10.10.2.2"
    nas = [(t + 1.0, exported(b"nas-5gs", NAS_5G_REG_ACCEPT, amf, gnb, 38412, 38412)),
           (t + 2.0, exported(b"nas-eps", NAS_EPS_GUTI_REALLOC, mme, enb, 36412, 36412))]
    with open(path, "wb") as f:
        f.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))  # SHB
        f.write(block(1, struct.pack("<HHI", 1, 0, 65535)))    # IDB 0: Ethernet
        f.write(block(1, struct.pack("<HHI", 252, 0, 65535)))  # IDB 1: exported PDUs
        base = 1767225600 * 1000000
        for iface, frames in ((0, pkts), (1, nas)):
            for ts, data in frames:
                us = base + int(round(ts * 1e6))
                f.write(block(6, struct.pack("<IIIII", iface, us >> 32, us & 0xFFFFFFFF,
                                             len(data), len(data)) + data))


if __name__ == "__main__":
    import sys
    write(sys.argv[1])
