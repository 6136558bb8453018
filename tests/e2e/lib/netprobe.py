#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""netprobe.py - small traffic tools for the end-to-end tests (stdlib only).

  udp-echo-server PORT
  udp-echo-server6 PORT
      Answers every datagram with b"SEEN addr:port\\n" + the datagram, and logs
      "from addr:port len N": the server's own record of who it talked to.
      server6: on IPv6 only.
  udp-echo-client HOST PORT SPORT COUNT [SIZE]
      Sends COUNT datagrams of random content from local port SPORT, of random
      size or of SIZE bytes (more than the MTU: IP fragments both ways), and
      checks each comes back intact (over IPv6 when HOST is an IPv6 address).
      Prints the address:port the server saw.
      Exit 0 only if every datagram was echoed.
  udp-send SPORT HOST PORT COUNT SIZE
      Sends COUNT datagrams of SIZE bytes from local port SPORT (shared with
      a server bound there: SO_REUSEADDR), e.g. a server's late answer, and
      waits for nothing.
  probe TIMEOUT SPEC...
      SPEC is tcp:ADDR:PORT or udp:ADDR:PORT. Tries them all at once and prints
      one line per SPEC: "SPEC open|answered|refused|unreachable|silent".
      Exit status 0 always; the caller judges.
"""
import errno
import os
import random
import selectors
import socket
import sys
import time


def udp_echo_server(port, family=socket.AF_INET):
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if family == socket.AF_INET6:
        s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
    s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
    print(f"listening udp {port}", flush=True)
    while True:
        data, peer = s.recvfrom(65535)
        addr, sport = peer[0], peer[1]
        print(f"from {addr}:{sport} len {len(data)}", flush=True)
        s.sendto(f"SEEN {addr}:{sport}\n".encode() + data, (addr, sport))


def udp_echo_client(host, port, sport, count, size=0):
    v6 = ":" in host
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if v6 else "0.0.0.0", sport))
    s.connect((host, port))
    s.settimeout(1.0)
    seen, echoed, out_bytes, in_bytes = "-", 0, 0, 0
    for i in range(count):
        payload = os.urandom(size or random.randint(64, 1400))
        for _attempt in range(3):
            s.send(payload)
            out_bytes += len(payload)
            try:
                while True:
                    reply = s.recv(65535)
                    head, _, body = reply.partition(b"\n")
                    if body == payload:
                        break
            except socket.timeout:
                continue
            except ConnectionRefusedError:
                print("refused: ICMP port unreachable", flush=True)
                continue
            seen = head.decode(errors="replace").removeprefix("SEEN ")
            echoed += 1
            in_bytes += len(body)
            break
    print(f"seen {seen} sent {count} echoed {echoed} bytes_out {out_bytes} bytes_in {in_bytes}",
          flush=True)
    return 0 if echoed == count else 1


def udp_send(sport, host, port, count, size):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", sport))
    for _ in range(count):
        s.sendto(os.urandom(size), (host, port))
        time.sleep(0.1)
    print(f"sent {count} of {size} bytes from {sport} to {host}:{port}", flush=True)
    return 0


def probe(timeout, specs):
    sel = selectors.DefaultSelector()
    result = {}
    for spec in specs:
        proto, addr, port = spec.split(":")
        kind = socket.SOCK_STREAM if proto == "tcp" else socket.SOCK_DGRAM
        s = socket.socket(socket.AF_INET, kind)
        s.setblocking(False)
        result[spec] = "silent"
        if proto == "tcp":
            rc = s.connect_ex((addr, int(port)))
            if rc not in (0, errno.EINPROGRESS):
                result[spec] = "unreachable" if rc != errno.ECONNREFUSED else "refused"
                continue
            sel.register(s, selectors.EVENT_WRITE, spec)
        else:
            s.connect((addr, int(port)))
            s.send(b"unsolicited probe\n")
            sel.register(s, selectors.EVENT_READ, spec)
    end = time.monotonic() + timeout
    while sel.get_map() and time.monotonic() < end:
        for key, _ in sel.select(max(0.0, end - time.monotonic())):
            s, spec = key.fileobj, key.data
            sel.unregister(s)
            err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if spec.startswith("tcp"):
                if err == 0:
                    result[spec] = "open"
                elif err == errno.ECONNREFUSED:
                    result[spec] = "refused"
                else:
                    result[spec] = "unreachable"
            elif err == errno.ECONNREFUSED:
                result[spec] = "refused"
            elif err != 0:
                result[spec] = "unreachable"
            else:
                try:
                    s.recv(65535)
                    result[spec] = "answered"
                except ConnectionRefusedError:
                    result[spec] = "refused"
                except OSError:
                    result[spec] = "unreachable"
    for spec in specs:
        print(f"{spec} {result[spec]}", flush=True)
    return 0


def main(argv):
    if len(argv) >= 2 and argv[0] == "udp-echo-server":
        return udp_echo_server(int(argv[1]))
    if len(argv) >= 2 and argv[0] == "udp-echo-server6":
        return udp_echo_server(int(argv[1]), socket.AF_INET6)
    if len(argv) in (5, 6) and argv[0] == "udp-echo-client":
        size = int(argv[5]) if len(argv) == 6 else 0
        return udp_echo_client(argv[1], int(argv[2]), int(argv[3]), int(argv[4]), size)
    if len(argv) == 6 and argv[0] == "udp-send":
        return udp_send(int(argv[1]), argv[2], int(argv[3]), int(argv[4]), int(argv[5]))
    if len(argv) >= 3 and argv[0] == "probe":
        return probe(float(argv[1]), argv[2:])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
