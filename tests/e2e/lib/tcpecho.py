#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""tcpecho.py - a TCP echo server and client for the end-to-end tests
(stdlib only), to prove that a connection crossed the gateway and to learn
the address:port the server saw.

  server PORT...
  server6 PORT...
      Listens on every PORT (server6: on IPv6 only). Each connection gets b"SEEN addr:port\\n" first,
      then every byte it sends echoed until it closes its side. Logs
      "from addr:port to PORT bytes N" when a connection ends.
  client HOST PORT SIZE
      Connects, reads the SEEN line, sends SIZE random bytes, closes its
      sending side and reads the echo to the end. Prints
      "seen addr:port sent N echoed M ok|bad"; exit 0 only when the echo
      matched byte for byte.
"""
import os
import selectors
import socket
import sys
import threading


def handle(conn, addr, port):
    total = 0
    with conn:
        conn.sendall(f"SEEN {addr[0]}:{addr[1]}\n".encode())
        while True:
            data = conn.recv(65536)
            if not data:
                break
            conn.sendall(data)
            total += len(data)
    print(f"from {addr[0]}:{addr[1]} to {port} bytes {total}", flush=True)


def server(ports, family=socket.AF_INET):
    sel = selectors.DefaultSelector()
    for port in ports:
        s = socket.socket(family, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if family == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        s.bind(("::" if family == socket.AF_INET6 else "0.0.0.0", port))
        s.listen(16)
        sel.register(s, selectors.EVENT_READ, port)
    print(f"listening tcp {' '.join(map(str, ports))}", flush=True)
    while True:
        for key, _ in sel.select():
            conn, addr = key.fileobj.accept()
            threading.Thread(target=handle, args=(conn, addr, key.data), daemon=True).start()


def client(host, port, size):
    payload = os.urandom(size)
    s = socket.create_connection((host, port), timeout=5)
    f = s.makefile("rb")
    head = f.readline().decode(errors="replace").strip()
    seen = head.removeprefix("SEEN ") if head.startswith("SEEN ") else "-"
    got = bytearray()

    def sender():
        s.sendall(payload)
        s.shutdown(socket.SHUT_WR)

    t = threading.Thread(target=sender, daemon=True)
    t.start()
    while True:
        data = f.read1(65536)
        if not data:
            break
        got += data
    t.join(5)
    ok = bytes(got) == payload
    print(f"seen {seen} sent {size} echoed {len(got)} {'ok' if ok else 'bad'}", flush=True)
    return 0 if ok else 1


def main(argv):
    try:
        if len(argv) >= 2 and argv[0] == "server":
            return server([int(p) for p in argv[1:]])
        if len(argv) >= 2 and argv[0] == "server6":
            return server([int(p) for p in argv[1:]], socket.AF_INET6)
        if len(argv) == 4 and argv[0] == "client":
            return client(argv[1], int(argv[2]), int(argv[3]))
    except OSError as e:
        print(f"error {e}", flush=True)
        return 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
