#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""l2tpprobe.py - an L2TP (RFC 2661) control exchange whose server answers
from another port than 1701, as RFC 2661 section 8.1 allows (stdlib only).

  lns ALTPORT
      Waits for a Start-Control-Connection-Request on UDP 1701 and answers
      with a Start-Control-Connection-Reply sent from UDP ALTPORT, then waits
      on ALTPORT for the Start-Control-Connection-Connected. Logs
      "sccrq from ADDR:PORT tunnel T" and "scccn from ADDR:PORT on ALTPORT".
  lac SERVER
      From UDP 1701: sends an SCCRQ to SERVER:1701 (retransmitted every
      second, five times at most), takes the SCCRP from whatever port it
      comes, answers it with an SCCCN to that port and waits for the
      server's acknowledgement. Prints "sccrp from ADDR:PORT tunnel T" and
      "ack from ADDR:PORT"; exit 0 only when both arrived.
"""
import select
import socket
import struct
import sys
import time

SCCRQ, SCCRP, SCCCN = 1, 2, 3


def avp(attr, value):
    return struct.pack("!HHH", 0x8000 | (6 + len(value)), 0, attr) + value


def control(tunnel, ns, nr, msg_type=None, avps=b""):
    body = b""
    if msg_type is not None:
        body = avp(0, struct.pack("!H", msg_type)) + avps
    # T, L and S bits, version 2.
    return struct.pack("!HHHHHH", 0xC802, 12 + len(body), tunnel, 0, ns, nr) + body


def parse(data):
    """(tunnel, ns, nr, message type or None, {attr: value})"""
    flags, length, tunnel, _session, ns, nr = struct.unpack("!HHHHHH", data[:12])
    if flags & 0xC00F != 0xC002 or length > len(data):
        raise ValueError("not an L2TP control message")
    avps, i = {}, 12
    while i + 6 <= length:
        hdr, _vendor, attr = struct.unpack("!HHH", data[i:i + 6])
        n = hdr & 0x3FF
        if n < 6:
            break
        avps[attr] = data[i + 6:i + n]
        i += n
    mt = struct.unpack("!H", avps[0])[0] if 0 in avps else None
    return tunnel, ns, nr, mt, avps


def common_avps(name, tunnel_id):
    return (avp(2, b"\x01\x00") + avp(7, name) + avp(3, b"\0\0\0\3") +
            avp(9, struct.pack("!H", tunnel_id)))


def lns(altport):
    main = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    main.bind(("0.0.0.0", 1701))
    alt = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    alt.bind(("0.0.0.0", altport))
    print(f"listening 1701, answering from {altport}", flush=True)
    peer_tunnel = None
    while True:
        r, _, _ = select.select([main, alt], [], [])
        for s in r:
            data, addr = s.recvfrom(4096)
            try:
                _t, ns, _nr, mt, avps = parse(data)
            except (ValueError, struct.error, KeyError):
                continue
            if s is main and mt == SCCRQ:
                peer_tunnel = struct.unpack("!H", avps[9])[0]
                print(f"sccrq from {addr[0]}:{addr[1]} tunnel {peer_tunnel}", flush=True)
                alt.sendto(control(peer_tunnel, 0, ns + 1, SCCRP,
                                   common_avps(b"pg-lns", 0x5150)), addr)
            elif s is alt and mt == SCCCN:
                print(f"scccn from {addr[0]}:{addr[1]} on {altport}", flush=True)
                # A zero-length body acknowledges it.
                alt.sendto(control(peer_tunnel, 1, ns + 1), addr)


def lac(server):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 1701))
    req = control(0, 0, 0, SCCRQ, common_avps(b"pg-lac", 0x4242))
    got = None
    for _ in range(5):
        s.sendto(req, (server, 1701))
        deadline = time.time() + 1
        while time.time() < deadline and got is None:
            r, _, _ = select.select([s], [], [], max(0, deadline - time.time()))
            if not r:
                break
            data, addr = s.recvfrom(4096)
            try:
                tunnel, ns, _nr, mt, avps = parse(data)
            except (ValueError, struct.error, KeyError):
                continue
            if mt == SCCRP and tunnel == 0x4242:
                got = (addr, struct.unpack("!H", avps[9])[0], ns)
        if got:
            break
    if not got:
        print("no sccrp", flush=True)
        return 1
    addr, peer_tunnel, ns = got
    print(f"sccrp from {addr[0]}:{addr[1]} tunnel {peer_tunnel}", flush=True)
    for _ in range(5):
        s.sendto(control(peer_tunnel, 1, ns + 1, SCCCN), addr)
        r, _, _ = select.select([s], [], [], 1)
        if r:
            data, frm = s.recvfrom(4096)
            try:
                tunnel, _ns, _nr, mt, _a = parse(data)
            except (ValueError, struct.error, KeyError):
                continue
            if mt is None and tunnel == 0x4242:
                print(f"ack from {frm[0]}:{frm[1]}", flush=True)
                return 0
    print("no ack", flush=True)
    return 1


def main(argv):
    if len(argv) == 2 and argv[0] == "lns":
        return lns(int(argv[1]))
    if len(argv) == 2 and argv[0] == "lac":
        return lac(argv[1])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
