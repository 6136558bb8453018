#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/e2e/lib/flowgen.py - make many flows through the gateway: one UDP
# datagram from each of NPORTS source ports to each destination, sent from a
# raw socket (no sockets to bind on the LAN host), paced so the gateway's
# rings never overflow. Used by control-no-stall for a 100,000-flow table.
#
#   flowgen.py SRC DST[,DST...] DPORT FIRST_SPORT NPORTS PPS
import socket
import struct
import sys
import time


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def main():
    src, dsts, dport = sys.argv[1], sys.argv[2].split(","), int(sys.argv[3])
    first, n, pps = int(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6])
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    payload = b"flowgen"
    sa = socket.inet_aton(src)
    sent, t0 = 0, time.monotonic()
    for dst in dsts:
        da = socket.inet_aton(dst)
        for sport in range(first, first + n):
            ulen = 8 + len(payload)
            pseudo = sa + da + struct.pack("!BBH", 0, 17, ulen)
            udp = struct.pack("!HHHH", sport, dport, ulen, 0) + payload
            c = csum(pseudo + udp) or 0xFFFF
            udp = udp[:6] + struct.pack("!H", c) + udp[8:]
            ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + ulen, 0, 0, 64, 17, 0, sa, da)
            s.sendto(ip + udp, (dst, 0))
            sent += 1
            if sent % 500 == 0:
                ahead = sent / pps - (time.monotonic() - t0)
                if ahead > 0:
                    time.sleep(ahead)
    print("sent %d datagrams in %.1f s" % (sent, time.monotonic() - t0))


main()
