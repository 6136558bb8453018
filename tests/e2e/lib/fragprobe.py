#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""fragprobe.py - hand-made IP fragments (scapy, Debian's python3-scapy).

  echo-server PORT
      Receives UDP datagrams on PORT with an ordinary socket (the kernel
      reassembles) and sends each back to its sender as IP fragments of at
      most 1400 bytes, last fragment first. Logs "from ADDR:PORT len N".
  ooo-client HOST PORT SPORT SIZE
      Sends a UDP datagram of SIZE random bytes from SPORT to HOST:PORT as IP
      fragments of at most 1400 bytes, last fragment first, and waits for the
      echo on an ordinary socket bound to SPORT (three tries, 2 s each).
      Prints "sent N echoed M ok|bad"; exit 0 only when the echo matched.
  overlap-client HOST PORT SPORT
      Sends one 3000-byte UDP datagram as three fragments in order, the
      second overlapping the first by 8 bytes with different data (offsets
      0, 1472 and 2952 of 3008 bytes of UDP). Prints "sent 3 fragments".
"""
import os
import socket
import sys

from scapy.all import IP, UDP, Raw, conf, fragment, send  # noqa: E402

conf.verb = 0


def reversed_frags(pkt):
    frags = fragment(pkt, fragsize=1400)
    return list(reversed(frags))


def echo_server(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", port))
    while True:
        data, addr = s.recvfrom(65535)
        print(f"from {addr[0]}:{addr[1]} len {len(data)}", flush=True)
        pkt = IP(dst=addr[0], id=os.getpid() & 0xFFFF) / UDP(sport=port, dport=addr[1]) / Raw(data)
        send(reversed_frags(pkt))


def ooo_client(host, port, sport, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    s.settimeout(2)
    data = os.urandom(size)
    pkt = IP(dst=host, id=0x4444) / UDP(sport=sport, dport=port) / Raw(data)
    frags = reversed_frags(pkt)
    echoed = b""
    for _ in range(3):
        send(frags)
        try:
            echoed, _addr = s.recvfrom(65535)
            break
        except socket.timeout:
            continue
    ok = "ok" if echoed == data else "bad"
    print(f"sent {len(frags)} fragments of {size} bytes echoed {len(echoed)} {ok}", flush=True)
    return 0 if ok == "ok" else 1


def overlap_client(host, port, sport):
    data = os.urandom(3000)
    # Let scapy fill in the UDP length and checksum over the whole datagram.
    whole = bytes(IP(bytes(IP(dst=host, proto=17) / UDP(sport=sport, dport=port) / Raw(data)))[UDP])
    assert len(whole) == 3008
    b = bytearray(whole[1472:2952])
    b[:8] = bytes(x ^ 0xFF for x in b[:8])
    parts = [(0, whole[0:1480], 1), (1472, bytes(b), 1), (2952, whole[2952:], 0)]
    for off, chunk, mf in parts:
        send(IP(dst=host, id=0x5555, proto=17, flags="MF" if mf else 0, frag=off // 8) / Raw(chunk))
    print("sent 3 fragments", flush=True)
    return 0


def main(argv):
    if len(argv) == 2 and argv[0] == "echo-server":
        return echo_server(int(argv[1]))
    if len(argv) == 5 and argv[0] == "ooo-client":
        return ooo_client(argv[1], int(argv[2]), int(argv[3]), int(argv[4]))
    if len(argv) == 4 and argv[0] == "overlap-client":
        return overlap_client(argv[1], int(argv[2]), int(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
