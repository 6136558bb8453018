#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""espprobe.py - raw ESP (IP protocol 50) peers for the end-to-end tests.

Nothing installed here sends raw ESP (no kernel ESP; strongSwan's userspace
ESP always uses UDP 4500), so these two stand in for an IPsec client and
server. No cryptography: what matters to a NAT is the shape of the traffic.

  responder [-6] [DELAY]
      Listens on UDP 500 and on a raw IPPROTO_ESP socket. An IKE-like request
      (an IKEv2 header with the initiator's random SPI, then "PGSA", the SPI
      the client wants to receive ESP on and its tag) gets an answer holding
      a fresh SPI the responder receives that client's ESP on, and the
      address:port it saw the request from. Every ESP packet to a known SPI
      is answered with ESP to that client's SPI: same sequence number,
      payload "ECHO " + the client's payload. With DELAY, the answers of an
      SA are held until DELAY seconds after its first ESP arrived (a server
      slow to install the SA), then sent in order. Logs one line per event.
  responder DELAY gather HOLD
      As above, but every SA's answers are held until each SA negotiated on
      UDP 500 has sent ESP, or HOLD seconds after the SA's first ESP; SAs
      released together are answered oldest first, DELAY seconds apart. The
      first client's SA is thus answered while later ones already wait: the
      reverse of the newest-first order a gateway guessing by recency
      assumes (esp-raw-reverse).
  client TAG SERVER COUNT INTERVAL [START]
      From UDP port 500, runs the IKE-like exchange (3 tries, 1 s each), then
      sends COUNT ESP packets, one every INTERVAL seconds from the wall-clock
      time START (epoch seconds; default at once) (sequence 1..COUNT,
      payload "TAG seq N" + random bytes), and reads ESP for 1.5 s more.
      Prints one summary line:
        result tag=TAG seen=ADDR:PORT my_spi=X server_spi=Y sent=N good=G
               bad=B foreign=F first_good=S
      good: answers to our SPI with our sequence number and payload; bad: to
      our SPI but wrong; foreign: ESP to any other SPI (another client's).
      Exit 0 when the exchange worked (whatever ESP came back).

IPv6 (ipv6-vpn): the client speaks IPv6 when SERVER is an IPv6 address, the
responder with -6. An IPv6 raw socket hands over the payload without the IP
header (RFC 3542 3), so the sender's address comes from recvfrom instead.
"""
import os
import random
import select
import socket
import struct
import sys
import time

IPPROTO_ESP = 50
MAGIC = b"PGSA"
FAMILY = socket.AF_INET  # AF_INET6 for an IPv6 server (client) or with -6 (responder)
ANY = {socket.AF_INET: "0.0.0.0", socket.AF_INET6: "::"}


def ike_header(ispi, rspi, flags, body_len):
    # RFC 7296 3.1: SPIs, next payload (none), version 2.0, IKE_SA_INIT (34),
    # flags, message id 0, length.
    return ispi + rspi + struct.pack("!BBBBII", 0, 0x20, 34, flags, 0, 28 + body_len)


def esp_packet(spi, seq, payload):
    return struct.pack("!II", spi, seq) + payload


def parse_esp(raw, frm):
    """raw, frm: what recvfrom on a raw ESP socket gave (IPv4: the IP header
    included; IPv6: the ESP header first)."""
    if FAMILY == socket.AF_INET6:
        src, esp = frm[0], raw
    else:
        ihl = (raw[0] & 0x0F) * 4
        src = socket.inet_ntoa(raw[12:16])
        esp = raw[ihl:]
    if len(esp) < 8:
        return src, None, None, b""
    spi, seq = struct.unpack("!II", esp[:8])
    return src, spi, seq, esp[8:]


def log(msg):
    print(msg, flush=True)


def responder(delay, gather=None):
    udp = socket.socket(FAMILY, socket.SOCK_DGRAM)
    udp.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    udp.bind((ANY[FAMILY], 500))
    esp = socket.socket(FAMILY, socket.SOCK_RAW, IPPROTO_ESP)
    sas = {}  # our inbound SPI -> (client address, client's SPI, tag)
    by_ispi = {}  # initiator SPI -> our answer, for retransmitted requests
    first = {}  # our inbound SPI -> when its first ESP came
    held = []  # (due, address, packet) answers waiting for their SA's delay
    pending = {}  # gather: our inbound SPI -> [(address, packet)] not yet released
    released = {}  # gather: our inbound SPI -> when its answers may go
    log("listening udp 500 and esp" + (f" gather {gather}" if gather is not None else ""))
    while True:
        now = time.monotonic()
        if gather is not None:
            # Release every SA at once when all have spoken, else each after
            # HOLD; those released together go oldest first, DELAY apart.
            everyone = len(first) == len(sas) and len(sas) > 0
            due_now = sorted((t, k) for k, t in first.items()
                             if k not in released and (everyone or now >= t + gather))
            for n, (_, k) in enumerate(due_now):
                released[k] = now + n * delay
                log(f"release spi {k:08x} at +{n * delay:.1f}s")
            for k, when in released.items():
                if when <= now and pending.get(k):
                    for dst, pkt in pending.pop(k):
                        esp.sendto(pkt, (dst, 0))
                    log(f"released spi {k:08x}")
        while held and held[0][0] <= now:
            _, dst, pkt = held.pop(0)
            esp.sendto(pkt, (dst, 0))
        timeout = max(0.0, held[0][0] - now) if held else None
        if gather is not None:
            waits = [t + gather for k, t in first.items() if k not in released]
            waits += [w for k, w in released.items() if pending.get(k)]
            if waits:
                w = max(0.0, min(waits) - now) + 0.01
                timeout = w if timeout is None else min(timeout, w)
        ready, _, _ = select.select([udp, esp], [], [], timeout)
        if udp in ready:
            data, frm = udp.recvfrom(2048)
            addr, port = frm[0], frm[1]
            if len(data) < 28 + 8 or data[28:32] != MAGIC:
                log(f"ike from {addr}:{port} malformed len {len(data)}")
                continue
            ispi = data[:8]
            cspi = struct.unpack("!I", data[32:36])[0]
            tag = data[36:].decode(errors="replace")
            if ispi not in by_ispi:
                sspi = random.randint(0x1000, 0xFFFFFFFF)
                while sspi in sas:
                    sspi = random.randint(0x1000, 0xFFFFFFFF)
                sas[sspi] = (addr, cspi, tag)
                by_ispi[ispi] = sspi
            sspi = by_ispi[ispi]
            body = MAGIC + struct.pack("!I", sspi) + f"{addr}:{port}".encode()
            udp.sendto(ike_header(ispi, os.urandom(8), 0x20, len(body)) + body, (addr, port))
            log(f"ike from {addr}:{port} tag {tag} ispi {ispi.hex()} "
                f"client_spi {cspi:08x} server_spi {sspi:08x}")
        if esp in ready:
            raw, frm = esp.recvfrom(65535)
            src, spi, seq, payload = parse_esp(raw, frm)
            if spi is None or spi not in sas:
                log(f"esp from {src} unknown spi {spi if spi is None else format(spi, '08x')}")
                continue
            addr, cspi, tag = sas[spi]
            pkt = esp_packet(cspi, seq, b"ECHO " + payload)
            if gather is not None:
                first.setdefault(spi, time.monotonic())
                if spi not in released or released[spi] > time.monotonic():
                    pending.setdefault(spi, []).append((src, pkt))
                    log(f"esp from {src} spi {spi:08x} seq {seq} tag {tag} -> spi {cspi:08x} "
                        f"gathered")
                    continue
                esp.sendto(pkt, (src, 0))
                log(f"esp from {src} spi {spi:08x} seq {seq} tag {tag} -> spi {cspi:08x}")
                continue
            due = first.setdefault(spi, time.monotonic()) + delay
            if due > time.monotonic():
                held.append((due, src, pkt))
                held.sort(key=lambda h: h[0])
                log(f"esp from {src} spi {spi:08x} seq {seq} tag {tag} -> spi {cspi:08x} held")
                continue
            esp.sendto(pkt, (src, 0))
            log(f"esp from {src} spi {spi:08x} seq {seq} tag {tag} -> spi {cspi:08x}")


def client(tag, server, count, interval, start):
    global FAMILY
    if ":" in server:
        FAMILY = socket.AF_INET6
    udp = socket.socket(FAMILY, socket.SOCK_DGRAM)
    udp.bind((ANY[FAMILY], 500))
    udp.connect((server, 500))
    udp.settimeout(1.0)
    ispi = os.urandom(8)
    my_spi = random.randint(0x1000, 0xFFFFFFFF)
    body = MAGIC + struct.pack("!I", my_spi) + tag.encode()
    server_spi, seen = None, "-"
    for _ in range(3):
        udp.send(ike_header(ispi, bytes(8), 0x08, len(body)) + body)
        try:
            reply = udp.recv(2048)
        except (socket.timeout, ConnectionRefusedError):
            continue
        if reply[:8] == ispi and reply[28:32] == MAGIC:
            server_spi = struct.unpack("!I", reply[32:36])[0]
            seen = reply[36:].decode(errors="replace")
            break
    if server_spi is None:
        log(f"result tag={tag} ike=failed")
        return 1
    log(f"ike ok seen {seen} my_spi {my_spi:08x} server_spi {server_spi:08x}")
    esp = socket.socket(FAMILY, socket.SOCK_RAW, IPPROTO_ESP)
    sent = {}
    good, bad, foreign, first_good = 0, 0, 0, 0
    seq, next_send = 0, time.monotonic() + max(0.0, start - time.time())
    end = next_send + count * interval + 1.5
    while True:
        now = time.monotonic()
        if seq < count and now >= next_send:
            seq += 1
            payload = f"{tag} seq {seq} ".encode() + os.urandom(random.randint(16, 200))
            sent[seq] = payload
            esp.sendto(esp_packet(server_spi, seq, payload), (server, 0))
            next_send += interval
            continue
        if now >= end:
            break
        wait = min(end, next_send if seq < count else end) - now
        ready, _, _ = select.select([esp], [], [], max(0.0, wait))
        if not ready:
            continue
        raw, frm = esp.recvfrom(65535)
        src, spi, rseq, payload = parse_esp(raw, frm)
        if spi != my_spi:
            foreign += 1
            log(f"esp from {src} to another spi {spi} seq {rseq}")
        elif rseq in sent and payload == b"ECHO " + sent[rseq]:
            good += 1
            first_good = first_good or rseq
        else:
            bad += 1
            log(f"esp from {src} spi {spi:08x} seq {rseq}: payload not ours")
    log(f"result tag={tag} seen={seen} my_spi={my_spi:08x} server_spi={server_spi:08x} "
        f"sent={count} good={good} bad={bad} foreign={foreign} first_good={first_good}")
    return 0


def main(argv):
    global FAMILY
    if argv[:2] == ["responder", "-6"]:
        FAMILY = socket.AF_INET6
        argv = argv[:1] + argv[2:]
    if argv[:1] == ["responder"] and len(argv) <= 2:
        return responder(float(argv[1]) if len(argv) == 2 else 0.0)
    if argv[:1] == ["responder"] and len(argv) == 4 and argv[2] == "gather":
        return responder(float(argv[1]), float(argv[3]))
    if len(argv) in (5, 6) and argv[0] == "client":
        start = float(argv[5]) if len(argv) == 6 else 0.0
        return client(argv[1], argv[2], int(argv[3]), float(argv[4]), start)
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
