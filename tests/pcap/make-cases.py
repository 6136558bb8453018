#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""make-cases.py - write the pcap test cases: input captures and the expected
output, the latter computed here from a model of docs/ENGINE.md that shares
nothing with the engine.

Every case is a list of (time, side, packet, expectation). Well-formed packets
are built with scapy, which computes every checksum from scratch; the small
NAT model below decides what the gateway must do with each one (translate,
answer, hand up, drop) and builds the expected packet with scapy too. A
packet the model cannot judge (a malformed one) carries its expected drop
reason in the case table instead.

Layout written, per case, under tests/pcap/cases/NAME/:
  lan.pcap, wan.pcap           what arrives on each link
  expect-lan.pcap, expect-wan.pcap   what the gateway must send on each link
  expect-other.txt             packets not forwarded: "lan 3 drop drop_truncated"
  config                       engine settings for tests/tools/pcap_replay

Run with Debian's python3 and python3-scapy:  tests/pcap/make-cases.py
The captures are committed; rerun this after changing a case or the model.
"""

import os
import struct
import sys

from scapy.all import ICMP, IP, TCP, UDP, Ether, Raw, conf, fragment  # noqa: E402

conf.verb = 0

WAN = "198.51.100.2"
LAN_GW = "192.168.1.1"
# The engine's default [input] lan: (IP protocol, destination port).
LAN_INPUT = {(6, 22), (6, 53), (17, 53), (17, 67), (6, 80), (6, 443)}
LAN_PREFIX = "192.168.1."
H10, H11 = "192.168.1.10", "192.168.1.11"
S1, S2, S3 = "203.0.113.1", "203.0.113.2", "203.0.113.3"
BASE = 1700000000  # capture epoch: 2023-11-14
LINKTYPE_RAW, LINKTYPE_ETHERNET = 101, 1
LAN_MAC, GW_MAC = "02:00:00:00:00:0a", "02:00:00:00:00:01"

TIMEOUTS = {"tcp": 240, "tcp_est": 7440, "udp": 300, "icmp": 60}


class Nat:
    """What docs/ENGINE.md says the gateway does, for well-formed packets.

    Mappings keep the inside port (cases never make two hosts share one, as
    the engine would then pick a pseudo-random port); flows are 5-tuples with
    an idle timer; filtering is address-dependent unless told otherwise.
    """

    def __init__(self, filtering="address-dependent"):
        self.filtering = filtering
        self.maps = {}  # (proto, lan ip, lan port) -> public port
        self.owner = {}  # (proto, public port) -> (lan ip, lan port)
        self.flows = {}  # (proto, lan ip, lan port, remote ip, remote port) -> [last, state]
        self.gw_id = 0  # IP id of the next packet the gateway originates

    def _timeout(self, key, st):
        if key[0] == "tcp":
            return TIMEOUTS["tcp_est"] if st == "est" else TIMEOUTS["tcp"]
        return TIMEOUTS[key[0]]

    def expire(self, now):
        for key, (last, st) in list(self.flows.items()):
            if int(now) - int(last) >= self._timeout(key, st):
                del self.flows[key]
        live = {(k[0], k[1], k[2]) for k in self.flows}
        for mk in list(self.maps):
            if mk not in live:
                del self.owner[(mk[0], self.maps[mk])]
                del self.maps[mk]

    @staticmethod
    def _l4(ip):
        if ip.haslayer(TCP):
            return "tcp", ip[TCP].sport, ip[TCP].dport
        if ip.haslayer(UDP):
            return "udp", ip[UDP].sport, ip[UDP].dport
        return "icmp", ip[ICMP].id, ip[ICMP].id

    @staticmethod
    def _tcp_state(st, flags, outbound):
        if flags & 0x04:
            return "closed"
        if st == "syn" and flags & 0x10 and not flags & 0x02 and outbound:
            return "est"
        return st

    def outbound(self, ip, now):
        """LAN packet to a server: ('wan', packet) or ('drop', reason)."""
        self.expire(now)
        if ip.haslayer(ICMP) and ip[ICMP].type != 8:
            return "drop", "drop_icmp_type"
        proto, sport, _ = self._l4(ip)
        rport = 0 if proto == "icmp" else self._l4(ip)[2]
        key = (proto, ip.src, sport, ip.dst, rport)
        if key not in self.flows:
            if proto == "tcp" and (ip[TCP].flags & 0x12) != 0x02:
                return self.reset(ip)
            mk = (proto, ip.src, sport)
            if mk not in self.maps:
                if (proto, sport) in self.owner:
                    raise SystemExit("case reuses a public port; the model cannot predict it")
                self.maps[mk] = sport
                self.owner[(proto, sport)] = (ip.src, sport)
            self.flows[key] = [now, "syn"]
        f = self.flows[key]
        f[0] = now
        if proto == "tcp":
            f[1] = self._tcp_state(f[1], int(ip[TCP].flags), True)
        out = ip.copy()
        out.src = WAN
        out.ttl -= 1
        del out.chksum
        pub = self.maps[(proto, ip.src, sport)]
        if proto == "tcp":
            out[TCP].sport = pub
            del out[TCP].chksum
        elif proto == "udp":
            out[UDP].sport = pub
            if ip[UDP].chksum != 0:
                del out[UDP].chksum
        else:
            out[ICMP].id = pub
            del out[ICMP].chksum
        return "wan", out

    def reset(self, ip):
        """A LAN host's segment of no known connection: RFC 793's reset back."""
        t = ip[TCP]
        if t.flags & 0x04:
            return "drop", "drop_tcp_no_flow"
        if t.flags & 0x10:
            seq, ack, flags = t.ack, 0, "R"
        else:
            seg = len(bytes(t.payload)) + (1 if t.flags & 0x02 else 0) + (1 if t.flags & 0x01 else 0)
            seq, ack, flags = 0, (t.seq + seg) & 0xFFFFFFFF, "RA"
        rst = IP(src=ip.dst, dst=ip.src, ttl=64, id=self.gw_id) / TCP(
            sport=t.dport, dport=t.sport, seq=seq, ack=ack, flags=flags, window=0)
        self.gw_id += 1  # the gateway numbers what it originates
        return "lan", rst

    def inbound(self, ip, now):
        """WAN packet to our address: ('lan', packet) or ('drop', reason)."""
        self.expire(now)
        if ip.haslayer(ICMP) and ip[ICMP].type != 0:
            return "drop", "drop_icmp_type"
        proto, rport, pub = self._l4(ip)
        if proto == "icmp":
            rport = 0
        if (proto, pub) not in self.owner:
            return "drop", "drop_unsolicited"
        lan_ip, lan_port = self.owner[(proto, pub)]
        key = (proto, lan_ip, lan_port, ip.src, rport)
        if key not in self.flows:
            if self.filtering == "address-dependent" and not any(
                k[0] == proto and k[1] == lan_ip and k[2] == lan_port and k[3] == ip.src
                for k in self.flows
            ):
                return "drop", "drop_filtered"
            if proto == "tcp" and not ip[TCP].flags & 0x02:
                return "drop", "drop_tcp_no_flow"
            self.flows[key] = [now, "syn"]
        f = self.flows[key]
        f[0] = now
        if proto == "tcp":
            f[1] = self._tcp_state(f[1], int(ip[TCP].flags), False)
        out = ip.copy()
        out.dst = lan_ip
        out.ttl -= 1
        del out.chksum
        if proto == "tcp":
            out[TCP].dport = lan_port
            del out[TCP].chksum
        elif proto == "udp":
            out[UDP].dport = lan_port
            if ip[UDP].chksum != 0:
                del out[UDP].chksum
        else:
            out[ICMP].id = lan_port
            del out[ICMP].chksum
        return "lan", out

    def judge(self, side, ip, now):
        own = (LAN_GW, WAN) if side == "lan" else (WAN,)
        if ip.dst in own and ip.haslayer(ICMP) and ip[ICMP].type == 8:
            out = ip.copy()
            out.src, out.dst = ip.dst, ip.src
            out.ttl = 64
            out[ICMP].type = 0
            del out.chksum
            del out[ICMP].chksum
            return side, out
        if side == "lan":
            if ip.dst in own or ip.dst.endswith(".255"):
                # The default LAN input policy (docs/HOSTPATH.md): ICMP, or these ports.
                if ip.haslayer(ICMP) or (ip.proto, getattr(ip.payload, "dport", 0)) in LAN_INPUT:
                    return "gw", None
                return "drop", "drop_gateway_policy"
            return self.outbound(ip, now)
        return self.inbound(ip, now)


def pcap_bytes(linktype, records):
    """A classic pcap file: records are (time in microseconds, frame)."""
    out = struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, linktype)
    for us, frame in records:
        out += struct.pack("<IIII", BASE + us // 1000000, us % 1000000, len(frame), len(frame))
        out += frame
    return out


def frame(ip_bytes, ethernet):
    if not ethernet:
        return ip_bytes
    f = bytes(Ether(src=LAN_MAC, dst=GW_MAC, type=0x0800)) + ip_bytes
    return f + b"\0" * max(0, 60 - len(f))  # Ethernet minimum frame: padding


def write_case(name, rows, filtering="address-dependent", lan_ethernet=False):
    """rows: (time in ms, side, packet bytes or scapy packet, expectation).

    The expectation is None (the model decides), "drop:REASON", "gw", or a
    list of (side, bytes) packets the gateway must send, in order."""
    nat = Nat(filtering)
    inputs = {"lan": [], "wan": []}
    expect = {"lan": [], "wan": []}
    other = []
    count = {"lan": 0, "wan": 0}
    # The replay merges by time, LAN first on a tie: judge in that order.
    for ms, side, pkt, want in sorted(rows, key=lambda r: (r[0], r[1] != "lan")):
        raw = pkt if isinstance(pkt, bytes) else bytes(pkt)
        us = ms * 1000
        count[side] += 1
        inputs[side].append((us, frame(raw, side == "lan" and lan_ethernet)))
        if isinstance(want, list):
            # Explicit packets out, in order (a packet, then what it released).
            for out_side, out_bytes in want:
                expect[out_side].append((us, out_bytes))
            continue
        if want is not None:
            verdict, out = want.split(":")[0], None
            reason = want.split(":")[1] if ":" in want else ""
        else:
            verdict, out = nat.judge(side, IP(raw), ms / 1000.0)
            reason = out if verdict == "drop" else ""
        if verdict in ("lan", "wan"):
            expect[verdict].append((us, bytes(out)))
        elif verdict == "gw":
            other.append(f"{side} {count[side]} gw")
        else:
            other.append(f"{side} {count[side]} drop {reason}")

    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases", name)
    os.makedirs(d, exist_ok=True)
    for side in ("lan", "wan"):
        lt = LINKTYPE_ETHERNET if side == "lan" and lan_ethernet else LINKTYPE_RAW
        with open(os.path.join(d, f"{side}.pcap"), "wb") as f:
            f.write(pcap_bytes(lt, inputs[side]))
        with open(os.path.join(d, f"expect-{side}.pcap"), "wb") as f:
            f.write(pcap_bytes(LINKTYPE_RAW, expect[side]))
    with open(os.path.join(d, "expect-other.txt"), "w") as f:
        f.write("".join(line + "\n" for line in other))
    with open(os.path.join(d, "config"), "w") as f:
        f.write(f"# written by make-cases.py\nfiltering {filtering}\n")
    n = sum(len(v) for v in inputs.values())
    print(f"{name}: {n} packets in, {len(expect['lan']) + len(expect['wan'])} out, "
          f"{len(other)} not forwarded")


def tcp(src, sport, dst, dport, flags, seq, ack=0, data=b"", **kw):
    p = IP(src=src, dst=dst, id=kw.pop("ipid", 1)) / TCP(
        sport=sport, dport=dport, flags=flags, seq=seq, ack=ack, window=29200, **kw)
    return p / Raw(data) if data else p


def udp(src, sport, dst, dport, data=b"payload", **kw):
    return IP(src=src, dst=dst, id=kw.pop("ipid", 2)) / UDP(sport=sport, dport=dport, **kw) / Raw(data)


def echo(src, dst, typ, ident, seq):
    return IP(src=src, dst=dst, id=3) / ICMP(type=typ, id=ident, seq=seq) / Raw(b"0123456789abcdef" * 2)


def case_tcp_session():
    c, s = 1000, 90000
    mss = [("MSS", 1460), ("SAckOK", b""), ("WScale", 7)]
    return [
        (0, "lan", tcp(H10, 40000, S1, 80, "S", c, options=mss), None),
        (20, "wan", tcp(S1, 80, WAN, 40000, "SA", s, c + 1, options=mss), None),
        (21, "lan", tcp(H10, 40000, S1, 80, "A", c + 1, s + 1), None),
        (100, "lan", tcp(H10, 40000, S1, 80, "PA", c + 1, s + 1, b"G" * 200), None),
        (130, "wan", tcp(S1, 80, WAN, 40000, "PA", s + 1, c + 201, b"H" * 1000), None),
        (131, "lan", tcp(H10, 40000, S1, 80, "A", c + 201, s + 1001), None),
        (500, "wan", tcp(S1, 4444, WAN, 22, "S", 5), None),
        (1000, "lan", tcp(H10, 40000, S1, 80, "FA", c + 201, s + 1001), None),
        (1020, "wan", tcp(S1, 80, WAN, 40000, "FA", s + 1001, c + 202), None),
        (1021, "lan", tcp(H10, 40000, S1, 80, "A", c + 202, s + 1002), None),
        (1022, "lan", tcp(H10, 40001, S1, 80, "A", 7, 7), None),
    ]


def case_udp_eim():
    return [
        (0, "lan", udp(H10, 5000, S1, 53), None),
        (10, "lan", udp(H10, 5000, S2, 53, b"other server"), None),
        (20, "wan", udp(S1, 53, WAN, 5000, b"answer 1"), None),
        (30, "wan", udp(S2, 53, WAN, 5000, b"answer 2"), None),
        (40, "wan", udp(S3, 53, WAN, 5000, b"stranger"), None),
        (50, "wan", udp(S1, 5353, WAN, 5000, b"same host, other port"), None),
        (60, "lan", udp(H11, 6000, S1, 53, b"no checksum", chksum=0), None),
        (70, "wan", udp(S1, 53, WAN, 6000, b"none back", chksum=0), None),
        (80, "lan", udp(H10, 5001, LAN_GW, 53, b"for the gateway"), None),
        (90, "lan", udp(H10, 137, "192.168.1.255", 137, b"broadcast"), None),
    ]


def case_pings():
    return [
        (0, "lan", echo(H10, S1, 8, 0x100, 1), None),
        (1, "lan", echo(H11, S2, 8, 0x200, 1), None),
        (20, "wan", echo(S1, WAN, 0, 0x100, 1), None),
        (21, "wan", echo(S2, WAN, 0, 0x200, 1), None),
        (30, "lan", echo(H10, LAN_GW, 8, 0x300, 1), None),
        (31, "wan", echo(S3, WAN, 8, 0x400, 1), None),
        (40, "lan", echo(H11, S1, 0, 0x500, 1), None),
        (41, "wan", echo(S1, WAN, 0, 0x999, 1), None),
        (1000, "lan", echo(H10, S1, 8, 0x100, 2), None),
        (1020, "wan", echo(S1, WAN, 0, 0x100, 2), None),
    ]


def damaged(pkt, **fields):
    """Bytes of pkt with header fields overwritten after checksums were made."""
    b = bytearray(bytes(pkt))
    for off, val in fields.get("set", []):
        b[off] = val
    if fields.get("fix_ip"):
        ihl = (b[0] & 15) * 4
        b[10:12] = b"\0\0"
        b[10:12] = struct.pack("!H", ip_checksum(bytes(b[:ihl])))
    return bytes(b[: fields.get("cut", len(b))])


def ip_checksum(h):
    s = sum(struct.unpack(f"!{len(h) // 2}H", h))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def case_malformed():
    u = udp(H10, 7000, S1, 7, b"ok")
    return [
        (0, "lan", bytes(u)[:10], "drop:drop_truncated"),
        (1, "lan", damaged(u, set=[(0, 0x65)]), "drop:drop_ip6_off"),
        (2, "lan", damaged(u, set=[(0, 0x44)]), "drop:drop_ip_header_length"),
        (3, "lan", damaged(u, set=[(3, 200)], fix_ip=True), "drop:drop_ip_total_length"),
        (4, "lan", damaged(u, set=[(11, 0)]), "drop:drop_ip_checksum"),
        (5, "lan", udp("127.0.0.1", 7000, S1, 7), "drop:drop_ip_bad_address"),
        (6, "lan", IP(src=H10, dst=LAN_GW, frag=100, proto=1) / Raw(b"x" * 16),
         "drop:drop_ip_fragment"),
        (7, "lan", damaged(tcp(H10, 7001, S1, 7, "S", 1), set=[(32, 0x40)]), "drop:drop_l4_header"),
        (8, "lan", damaged(u, set=[(25, 90)]), "drop:drop_l4_header"),
        (9, "lan", udp(H10, 7000, S1, 0), "drop:drop_l4_header"),
        (10, "lan", damaged(IP(src=H10, dst=S1, len=24, proto=1) / Raw(b"\x08\0\0\0"), fix_ip=True),
         "drop:drop_l4_header"),
        (11, "lan", udp("10.0.0.1", 7000, S1, 7), "drop:drop_lan_spoofed"),
        (12, "lan", udp(H10, 7000, H11, 7), "drop:drop_lan_local"),
        (13, "lan", IP(src=H10, dst=S1, proto=33) / Raw(b"dccp" * 4), "drop:drop_protocol"),
        (20, "lan", u, None),
        (30, "wan", udp(S1, 7, "198.51.100.77", 7000), "drop:drop_wan_not_ours"),
        (31, "wan", udp("192.168.1.99", 7, WAN, 7000), "drop:drop_wan_spoofed"),
        (32, "wan", IP(src=S1, dst=WAN, proto=47, len=23) / Raw(b"\0\0\x08"), "drop:drop_l4_header"),
        (40, "wan", udp(S1, 7, WAN, 7000, b"echoed"), None),
    ]


def case_udp_expiry():
    return [
        (0, "lan", udp(H10, 5000, S1, 53), None),
        (299000, "wan", udp(S1, 53, WAN, 5000, b"at 299 s"), None),
        (598000, "wan", udp(S1, 53, WAN, 5000, b"299 s after the last"), None),
        (898000, "wan", udp(S1, 53, WAN, 5000, b"300 s after the last"), None),
        (898500, "lan", udp(H10, 5000, S1, 53, b"a new flow"), None),
        (899000, "wan", udp(S1, 53, WAN, 5000, b"answer to it"), None),
    ]


def case_fragments():
    """Inbound fragmented answers: in order, and with the first arriving last.

    Only inbound datagrams: an outbound one gets a new IP id the gateway
    picks, which no model can predict. The expected fragments are the
    translated whole datagram cut at the same places, so the first one's UDP
    checksum (over the whole datagram) is checked too."""
    data = bytes(range(256)) * 12

    def answer(ident, dst, ttl):
        return IP(src=S1, dst=dst, id=ident, ttl=ttl) / UDP(sport=53, dport=5000) / Raw(data)

    a_in = fragment(answer(0x1111, WAN, 64), fragsize=1480)
    a_out = [bytes(f) for f in fragment(answer(0x1111, H10, 63), fragsize=1480)]
    b_in = fragment(answer(0x2222, WAN, 64), fragsize=1480)
    b_out = [bytes(f) for f in fragment(answer(0x2222, H10, 63), fragsize=1480)]
    return [
        (0, "lan", udp(H10, 5000, S1, 53, b"query"), None),
        (100, "wan", bytes(a_in[0]), [("lan", a_out[0])]),
        (101, "wan", bytes(a_in[1]), [("lan", a_out[1])]),
        (102, "wan", bytes(a_in[2]), [("lan", a_out[2])]),
        (200, "wan", bytes(b_in[2]), "drop:frag_held"),
        (201, "wan", bytes(b_in[1]), "drop:frag_held"),
        (202, "wan", bytes(b_in[0]), [("lan", b_out[0]), ("lan", b_out[2]), ("lan", b_out[1])]),
    ]


def case_icmp_errors_in():
    """ICMP errors from the WAN about packets the gateway sent (RFC 5508):
    the outer destination, the quoted source address and port, the quoted IP
    and transport checksums and the ICMP checksum are turned back into what
    the LAN host sent; the expected error is built from that original."""
    router = "203.0.113.254"
    q_udp = udp(H10, 5000, S1, 53, b"query")
    q_tcp = tcp(H10, 40000, S2, 443, "S", 777, options=[("MSS", 1400)])

    def as_sent(pkt, src, ttl):
        p = pkt.copy()
        p.src = src
        p.ttl = ttl
        del p.chksum
        for layer in (UDP, TCP):
            if p.haslayer(layer):
                del p[layer].chksum
        return bytes(p)

    def err(src, dst, typ, code, quote, ttl=64):
        return bytes(IP(src=src, dst=dst, id=99, ttl=ttl) / ICMP(type=typ, code=code) / Raw(quote))

    rows = [
        (0, "lan", q_udp, None),
        (1, "lan", q_tcp, None),
    ]
    for ms, who, typ, code, orig, qlen in (
        (100, S1, 3, 3, q_udp, 28),                # port unreachable, 8 bytes quoted
        (101, router, 11, 0, q_udp, 0),            # time exceeded, whole packet quoted
        (102, router, 3, 1, q_tcp, 28),            # host unreachable for the SYN
        (103, S2, 3, 3, q_tcp, 0),                 # whole SYN quoted (TCP checksum too)
    ):
        sent = as_sent(orig, WAN, 63)
        back = as_sent(orig, H10, 63)
        n = qlen or len(sent)
        rows.append((ms, "wan", err(who, WAN, typ, code, sent[:n]),
                     [("lan", err(who, H10, typ, code, back[:n], ttl=63))]))
    # A quote of a packet we never sent, and one cut inside the UDP header.
    stranger = as_sent(udp(H10, 5999, S1, 53, b"?"), WAN, 63)
    rows.append((200, "wan", err(S1, WAN, 3, 3, stranger), "drop:drop_icmp_error_no_flow"))
    rows.append((201, "wan", err(S1, WAN, 3, 3, as_sent(q_udp, WAN, 63)[:24]),
                 "drop:drop_icmp_error_no_flow"))
    return rows


def main():
    write_case("tcp-session", case_tcp_session())
    write_case("udp-eim", case_udp_eim(), lan_ethernet=True)
    write_case("pings-two-hosts", case_pings())
    write_case("malformed-mix", case_malformed())
    write_case("udp-expiry", case_udp_expiry())
    write_case("udp-fragments-in", case_fragments())
    write_case("icmp-errors-in", case_icmp_errors_in())
    return 0


if __name__ == "__main__":
    sys.exit(main())
