#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""pppstub.py - a stand-in for pppd, which cannot run here (no kernel PPP).

PPTP daemons hand PPP to pppd as async-HDLC frames (RFC 1662: 0x7E flags,
0x7D escapes, FCS-16) on a tty or a pipe. This stub speaks just enough of
that to prove delivery end to end: every 0.5 s it sends an LCP
Echo-Request whose data is "pgstub TAG SEQ", and it logs every frame it
receives with its FCS check and, for echo requests, the sender's tag:

    rx fcs=ok proto=c021 code=9 tag=lan1 seq=3

It reads stdin and writes stdout (pptp's --nolaunchpppd pipe, or the pty
pptpd's control process gives pppd), or the tty named in its arguments as
pppd's device (/dev/pts/N, as xl2tpd passes it). pppd's own arguments are
accepted and ignored, except:
    --tag TAG     the text put in our echo requests (default: pid)
    --log FILE    where to log (default: stderr)
    file PATH     pppd's option file; when there is no --log, log to
                  "stub-<pid>.log" next to it (pptpd passes it through)
From the environment (it crosses pptpd and pptpctrl, which take no
arguments for pppd): PGSTUB_INTERVAL=SECS sends the echo requests this
often instead; PGSTUB_STAMP=1 starts each rx line with the wall-clock time
as `ping -D` does ("[1700000000.123456] rx ..."), so a gap in delivery can
be measured (ha-failover).
"""
import os
import select
import sys
import termios
import time
import tty

FLAG, ESC = 0x7E, 0x7D


def fcs16(data):
    fcs = 0xFFFF
    for b in data:
        fcs ^= b
        for _ in range(8):
            fcs = (fcs >> 1) ^ 0x8408 if fcs & 1 else fcs >> 1
    return fcs


def frame(payload):
    """Async-HDLC frame: address, control, payload, FCS; all control
    characters escaped (the default ACCM before LCP negotiates one)."""
    body = bytes([0xFF, 0x03]) + payload
    fcs = fcs16(body) ^ 0xFFFF
    body += bytes([fcs & 0xFF, fcs >> 8])
    out = bytearray([FLAG])
    for b in body:
        if b in (FLAG, ESC) or b < 0x20:
            out += bytes([ESC, b ^ 0x20])
        else:
            out.append(b)
    out.append(FLAG)
    return bytes(out)


def echo_request(ident, tag, seq):
    data = f"pgstub {tag} {seq}".encode()
    lcp = bytes([9, ident & 0xFF]) + (8 + len(data)).to_bytes(2, "big") + bytes(4) + data
    return frame(b"\xc0\x21" + lcp)


def describe(body):
    """One log line for one unescaped frame (FCS included)."""
    if len(body) < 4:
        return f"rx short len={len(body)}"
    ok = fcs16(body) == 0xF0B8  # the good-FCS residue of RFC 1662
    data = body[:-2]
    if data[:2] == b"\xff\x03":
        data = data[2:]
    proto = int.from_bytes(data[:2], "big") if len(data) >= 2 else 0
    line = f"rx fcs={'ok' if ok else 'bad'} len={len(body)} proto={proto:04x}"
    if proto == 0xC021 and len(data) >= 6:
        code = data[2]
        line += f" code={code}"
        text = data[10:].decode(errors="replace")
        if code == 9 and text.startswith("pgstub "):
            parts = text.split()
            if len(parts) == 3:
                line += f" tag={parts[1]} seq={parts[2]}"
    return line


def main(argv):
    tag, logpath, ttypath = str(os.getpid()), None, None
    i = 0
    while i < len(argv):
        if argv[i] == "--tag" and i + 1 < len(argv):
            tag, i = argv[i + 1], i + 1
        elif argv[i] == "--log" and i + 1 < len(argv):
            logpath, i = argv[i + 1], i + 1
        elif argv[i] == "file" and i + 1 < len(argv) and logpath is None:
            logpath = os.path.join(os.path.dirname(argv[i + 1]), f"stub-{os.getpid()}.log")
            i += 1
        elif argv[i].startswith("/dev/"):
            ttypath = argv[i]
        i += 1
    log = open(logpath, "a", buffering=1) if logpath else sys.stderr
    log.write(f"start tag={tag} args={' '.join(argv)}\n")
    interval = float(os.environ.get("PGSTUB_INTERVAL", "0.5"))
    stamp = os.environ.get("PGSTUB_STAMP") == "1"
    fd_in, fd_out = sys.stdin.fileno(), sys.stdout.fileno()
    if ttypath:
        fd_in = fd_out = os.open(ttypath, os.O_RDWR | os.O_NOCTTY)
    if os.isatty(fd_in):
        # pppd puts its tty in raw mode; so must we, or the line
        # discipline rewrites bytes (CR/LF, echo) inside frames.
        tty.setraw(fd_in, termios.TCSANOW)
    buf, inframe, esc = bytearray(), False, False
    seq, next_tx = 0, 0.0
    while True:
        now = time.monotonic()
        if now >= next_tx:
            seq += 1
            os.write(fd_out, echo_request(seq, tag, seq))
            next_tx = now + interval
        ready, _, _ = select.select([fd_in], [], [], max(0.0, next_tx - now))
        if not ready:
            continue
        data = os.read(fd_in, 4096)
        if not data:
            log.write("eof\n")
            return 0
        for b in data:
            if b == FLAG:
                if inframe and buf:
                    when = f"[{time.time():.6f}] " if stamp else ""
                    log.write(when + describe(bytes(buf)) + "\n")
                buf, inframe, esc = bytearray(), True, False
            elif inframe:
                if esc:
                    buf.append(b ^ 0x20)
                    esc = False
                elif b == ESC:
                    esc = True
                else:
                    buf.append(b)


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except (BrokenPipeError, OSError) as e:
        sys.stderr.write(f"pppstub: {e}\n")
        sys.exit(1)
