#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pptpcalls.py - the PPTP control connections of make bench's pptp_250 case.

A stand-in for a few hundred PPTP clients and their server (stdlib only):
real clients (pptp-linux with pppd) make one call a process, and a few
hundred pppd processes would measure the machine, not the gateway. What a
gateway needs to forward a call's GRE is all here: each call is its own
control connection (TCP to port 1723; Linux's helper follows one call a
connection, as Windows and pptp-linux make them), with Start-Control-
Connection-Request/Reply and Outgoing-Call-Request/Reply (RFC 2637), each
message its own segment. The GRE itself is trafgen's (bench/lib/netns.sh).

  server ADDR IDS_FILE
      Listens on ADDR:1723 and answers every connection as a PPTP server:
      each call gets the server's call id 1, 2, ... in the order the calls
      come. IDS_FILE gets a line "SERVER_ID CLIENT_ID" per call, CLIENT_ID
      as it arrived (the gateway may have changed it): the ids the server's
      GRE carries. Runs until stopped.
  client ADDR N
      Makes N calls to ADDR:1723 (call ids 1..N), one control connection
      each; checks each reply accepts the call and names the client's own
      call id (a gateway that changed it must change it back). Prints
      "started", then "calls N" once all are up, then holds the connections until stopped;
      exits 1 with the reason if a call fails.
"""
import selectors
import socket
import struct
import sys

MAGIC = 0x1A2B3C4D
PORT = 1723
SCCRQ, SCCRP, ECHO_RQ, ECHO_RP, OCRQ, OCRP = 1, 2, 5, 6, 7, 8


def message(ctype, body):
    return struct.pack("!HHIHH", 12 + len(body), 1, MAGIC, ctype, 0) + body


def sccrq():
    return message(SCCRQ, struct.pack("!HHIIHH64s64s", 0x0100, 0, 1, 1, 1, 1,
                                      b"bench", b"passgate"))


def sccrp():
    return message(SCCRP, struct.pack("!HBBIIHH64s64s", 0x0100, 1, 0, 1, 1, 0xFFFF, 1,
                                      b"bench-server", b"passgate"))


def ocrq(call_id):
    return message(OCRQ, struct.pack("!HHIIIIHHHH64s64s", call_id, call_id, 300, 100000000,
                                     3, 3, 64, 0, 0, 0, b"", b""))


def ocrp(call_id, peer_id):
    return message(OCRP, struct.pack("!HHBBHIHHI", call_id, peer_id, 1, 0, 0, 100000000,
                                     64, 0, 0))


class Stream:
    """Control messages out of a TCP byte stream (length-prefixed)."""

    def __init__(self):
        self.buf = b""

    def feed(self, data):
        self.buf += data
        out = []
        while len(self.buf) >= 12:
            length, _, magic, ctype = struct.unpack("!HHIH", self.buf[:10])
            if magic != MAGIC or length < 12 or length > 1024:
                raise ValueError("not a PPTP control message (length %d, magic %#x)"
                                 % (length, magic))
            if len(self.buf) < length:
                break
            out.append((ctype, self.buf[12:length]))
            self.buf = self.buf[length:]
        return out


def server(addr, ids_file):
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, PORT))
    ls.listen(1024)
    sel = selectors.DefaultSelector()
    sel.register(ls, selectors.EVENT_READ)
    out = open(ids_file, "w", buffering=1)
    next_id = 1
    print("listening", flush=True)
    while True:
        for key, _ in sel.select():
            if key.fileobj is ls:
                c, _ = ls.accept()
                c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sel.register(c, selectors.EVENT_READ, Stream())
                continue
            c, stream = key.fileobj, key.data
            try:
                data = c.recv(4096)
                msgs = stream.feed(data) if data else None
            except (OSError, ValueError) as e:
                print("connection dropped: %s" % e, flush=True)
                msgs = None
            if msgs is None:
                sel.unregister(c)
                c.close()
                continue
            for ctype, body in msgs:
                if ctype == SCCRQ:
                    c.sendall(sccrp())
                elif ctype == ECHO_RQ and len(body) >= 4:
                    c.sendall(message(ECHO_RP, body[:4] + struct.pack("!BBH", 1, 0, 0)))
                elif ctype == OCRQ and len(body) >= 2:
                    (peer,) = struct.unpack("!H", body[:2])
                    # Written before the reply: the client's "calls N" means all are listed.
                    out.write("%d %d\n" % (next_id, peer))
                    c.sendall(ocrp(next_id, peer))
                    next_id += 1


def expect(s, stream, want):
    while True:
        data = s.recv(4096)
        if not data:
            raise ConnectionError("the server closed the connection")
        for ctype, body in stream.feed(data):
            if ctype == want:
                return body


def client(addr, n):
    held = []
    print("started", flush=True)
    for call_id in range(1, n + 1):
        try:
            s = socket.create_connection((addr, PORT), timeout=5)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            stream = Stream()
            s.sendall(sccrq())
            body = expect(s, stream, SCCRP)
            if len(body) < 4 or body[2] != 1:
                raise ConnectionError("Start-Control-Connection refused")
            s.sendall(ocrq(call_id))
            body = expect(s, stream, OCRP)
            server_id, peer, result = struct.unpack("!HHB", body[:5])
            if result != 1:
                raise ConnectionError("call refused (result %d)" % result)
            if peer != call_id:
                raise ConnectionError("the reply names call id %d, not ours (%d)"
                                      % (peer, call_id))
        except (OSError, ValueError) as e:
            print("call %d: %s" % (call_id, e), flush=True)
            return 1
        held.append(s)
    print("calls %d" % len(held), flush=True)
    sel = selectors.DefaultSelector()
    for s in held:
        s.settimeout(None)
        sel.register(s, selectors.EVENT_READ, Stream())
    while True:
        for key, _ in sel.select():
            if not key.fileobj.recv(4096):
                print("a control connection closed", flush=True)
                return 1


def main(argv):
    if len(argv) == 4 and argv[1] == "server":
        return server(argv[2], argv[3])
    if len(argv) == 4 and argv[1] == "client":
        return client(argv[2], int(argv[3]))
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
