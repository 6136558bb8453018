#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""udppunch.py - UDP hole punching, as peer-to-peer programs do it (stdlib
only), for the end-to-end tests.

  peer TAG SERVER SPORT MINE PEER SECS
      From local port SPORT, asks the UDP echo server SERVER:7007
      (netprobe.py udp-echo-server) which public address:port it sees, writes
      it to the file MINE, waits (SECS at most) for the other peer's public
      address:port in the file PEER, then for SECS seconds sends
      "punch TAG N" to it every 0.2 s and counts the other peer's punches
      that arrive. Prints "public ADDR:PORT", then
      "result tag=TAG public=ADDR:PORT peer=ADDR:PORT sent=N received=M".

  self TAG SERVER SPORT SECS
      The STUN hairpinning test (RFC 5780 4.6): from local port SPORT, learns
      its public address:port as above, then for SECS seconds sends
      "hairpin TAG N" to that address:port itself every 0.2 s and counts the
      ones that come back, and how many of those came from it. Prints
      "result tag=TAG public=ADDR:PORT sent=N received=M from_public=K".
"""
import os
import socket
import sys
import time


def learn(s, server):
    """The public address:port the echo server sees us as, or None."""
    for _ in range(10):
        s.sendto(b"where am I\n", (server, 7007))
        try:
            data, _ = s.recvfrom(2048)
        except socket.timeout:
            continue
        head = data.split(b"\n", 1)[0].decode(errors="replace")
        if head.startswith("SEEN "):
            return head[5:]
    return None


def hairpin_self(tag, server, sport, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    s.settimeout(0.2)
    public = learn(s, server)
    if not public:
        print(f"result tag={tag} public=- sent=0 received=0 from_public=0", flush=True)
        return 1
    print(f"public {public}", flush=True)
    addr, port = public.rsplit(":", 1)
    sent, received, from_public, n = 0, 0, 0, 0
    end = time.monotonic() + secs
    next_send = time.monotonic()
    while time.monotonic() < end:
        if time.monotonic() >= next_send:
            n += 1
            s.sendto(f"hairpin {tag} {n}".encode(), (addr, int(port)))
            sent += 1
            next_send += 0.2
        try:
            data, src = s.recvfrom(2048)
        except (socket.timeout, ConnectionRefusedError):
            continue
        if data.startswith(f"hairpin {tag} ".encode()):
            received += 1
            from_public += f"{src[0]}:{src[1]}" == public
            if received == 1:
                print(f"first back from {src[0]}:{src[1]}", flush=True)
    print(f"result tag={tag} public={public} sent={sent} received={received} "
          f"from_public={from_public}", flush=True)
    return 0


def peer(tag, server, sport, mine, peer_file, secs):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", sport))
    s.settimeout(0.2)
    public = learn(s, server)
    if not public:
        print(f"result tag={tag} public=- peer=- sent=0 received=0", flush=True)
        return 1
    print(f"public {public}", flush=True)
    with open(mine + ".tmp", "w") as f:
        f.write(public + "\n")
    # Renamed into place, so the other peer never reads half a line.
    os.rename(mine + ".tmp", mine)
    other, end = None, time.monotonic() + secs
    while other is None and time.monotonic() < end:
        try:
            with open(peer_file) as f:
                other = f.read().strip() or None
        except OSError:
            time.sleep(0.05)
    if other is None:
        print(f"result tag={tag} public={public} peer=- sent=0 received=0", flush=True)
        return 1
    addr, port = other.rsplit(":", 1)
    sent, received, n = 0, 0, 0
    end = time.monotonic() + secs
    next_send = time.monotonic()
    while time.monotonic() < end:
        if time.monotonic() >= next_send:
            n += 1
            s.sendto(f"punch {tag} {n}".encode(), (addr, int(port)))
            sent += 1
            next_send += 0.2
        try:
            data, src = s.recvfrom(2048)
        except (socket.timeout, ConnectionRefusedError):
            continue
        if data.startswith(b"punch ") and not data.startswith(f"punch {tag} ".encode()):
            received += 1
            if received == 1:
                print(f"first punch from {src[0]}:{src[1]}: {data.decode(errors='replace')}",
                      flush=True)
    print(f"result tag={tag} public={public} peer={other} sent={sent} received={received}",
          flush=True)
    return 0


def main(argv):
    if len(argv) == 7 and argv[0] == "peer":
        return peer(argv[1], argv[2], int(argv[3]), argv[4], argv[5], float(argv[6]))
    if len(argv) == 5 and argv[0] == "self":
        return hairpin_self(argv[1], argv[2], int(argv[3]), float(argv[4]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
