#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/e2e/lib/adminstub.py - a stand-in for a Linux router's admin service,
# so that control-no-stall runs the same load through --gateway linux: the
# endpoints apiload.py asks for, doing the same kind of work as passgated's
# API does on the router (a slow password hash, the connection table listed
# a page at a time, the config file written and fsynced, conntrack timeouts
# set, a capture with tcpdump, dnsmasq restarted). It runs in the router's
# namespace, as a router's web UI would, in threads of its own: the kernel
# forwards packets whatever it does.
#
#   adminstub.py ADDR PORT TOKEN PASSWORD CONFFILE RUNDIR
import hashlib
import hmac
import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ADDR, PORT, TOKEN, PASSWORD, CONF, RUNDIR = sys.argv[1:7]
PORT = int(PORT)
os.makedirs(RUNDIR, exist_ok=True)
SALT = secrets.token_bytes(16)
# scrypt at a cost like yescrypt's default: tens of milliseconds per check.
PWHASH = hashlib.scrypt(PASSWORD.encode(), salt=SALT, n=1 << 14, r=8, p=1)
lock = threading.Lock()
sessions = set()
settings = {"udp": "5m", "lease": "10m"}
snapshot = {"rows": [], "at": 0.0}  # the connection table, read at most every 10 s
capture = {"proc": None, "state": "idle", "file": os.path.join(RUNDIR, "capture.pcap")}
dnsmasq = {"proc": None}


def log(msg):
    print(msg, flush=True)


def conntrack_table():
    """(proto, lan, lan_port, remote, remote_port) of every connection."""
    rows = []
    try:
        with open("/proc/net/nf_conntrack") as f:
            for line in f:
                w = line.split()
                kv = [x.split("=", 1) for x in w if "=" in x]
                src = [v for k, v in kv if k == "src"]
                dst = [v for k, v in kv if k == "dst"]
                sport = [v for k, v in kv if k == "sport"] or ["0"]
                dport = [v for k, v in kv if k == "dport"] or ["0"]
                if src and dst:
                    rows.append({"proto": w[2], "lan": src[0], "lan_port": int(sport[0]),
                                 "remote": dst[0], "remote_port": int(dport[0])})
    except OSError:
        pass
    return rows


def save_config():
    tmp = CONF + ".tmp"
    with open(tmp, "w") as f:
        f.write("[timeouts]\nudp = %s\n[dhcp]\nlease = %s\n" % (settings["udp"], settings["lease"]))
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, CONF)


def start_dnsmasq():
    old = dnsmasq["proc"]
    if old:
        old.terminate()
        old.wait()
    p = subprocess.Popen(["/usr/sbin/dnsmasq", "-k", "--port=0", "--interface=lan0",
                          "--bind-interfaces", "--conf-file=/dev/null",
                          "--pid-file=" + os.path.join(RUNDIR, "dnsmasq.pid"),
                          "--dhcp-leasefile=" + os.path.join(RUNDIR, "leases"),
                          "--dhcp-range=192.168.1.100,192.168.1.199," + settings["lease"]],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    dnsmasq["proc"] = p
    log("dnsmasq started pid %d" % p.pid)


def minutes(s):
    return int(s[:-1]) * 60 if s.endswith("m") else int(s)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def log_message(self, fmt, *args):
        pass

    def answer(self, status, obj=None, raw=None, ctype="application/json"):
        body = raw if raw is not None else json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def body(self):
        n = int(self.headers.get("Content-Length") or 0)
        try:
            return json.loads(self.rfile.read(n) or b"{}")
        except ValueError:
            return {}

    def authed(self):
        h = self.headers.get("Authorization") or ""
        if not h.startswith("Bearer "):
            return False
        cred = h[7:]
        with lock:
            if cred in sessions:
                return True
        return hmac.compare_digest(cred, TOKEN)

    def route(self, method):
        path, _, query = self.path.partition("?")
        args = dict(x.split("=", 1) for x in query.split("&") if "=" in x)
        if method == "POST" and path == "/api/v1/login":
            pw = str(self.body().get("password", "")).encode()
            ok = hmac.compare_digest(hashlib.scrypt(pw, salt=SALT, n=1 << 14, r=8, p=1), PWHASH)
            if not ok:
                return self.answer(401, {"error": "wrong password"})
            sid = secrets.token_hex(32)
            with lock:
                sessions.add(sid)
            return self.answer(200, {"session": sid})
        if path == "/":
            return self.answer(200, raw=b"<html><title>router</title></html>", ctype="text/html")
        if path == "/api/v1/auth":
            return self.answer(200, {"password": True, "token": True, "changes_allowed": True})
        if not self.authed():
            return self.answer(401, {"error": "credentials needed"})
        if method == "GET" and path == "/api/v1/status":
            with open("/proc/sys/net/netfilter/nf_conntrack_count") as f:
                n = int(f.read())
            return self.answer(200, {"flows": n, "counters": {}})
        if method == "GET" and path == "/metrics":
            with open("/proc/sys/net/netfilter/nf_conntrack_count") as f:
                n = int(f.read())
            return self.answer(200, raw=b"router_flows %d\n" % n, ctype="text/plain")
        if method == "GET" and path == "/api/v1/flows":
            cursor, limit = int(args.get("cursor", 0)), int(args.get("limit", 100))
            with lock:
                if cursor == 0 and time.monotonic() - snapshot["at"] > 10:
                    snapshot["rows"] = conntrack_table()
                    snapshot["at"] = time.monotonic()
                rows = snapshot["rows"]
            page = rows[cursor:cursor + limit]
            nxt = cursor + limit if cursor + limit < len(rows) else None
            total = len(rows)
            return self.answer(200, {"flows": page, "next": nxt, "total": total})
        if method == "GET" and path in ("/api/v1/sessions", "/api/v1/events", "/api/v1/forwards"):
            return self.answer(200, {"sessions": [], "events": [], "rules": []})
        if method == "GET" and path == "/api/v1/config":
            return self.answer(200, {"timeouts": {"udp": minutes(settings["udp"])}})
        if method == "PUT" and path == "/api/v1/config/timeouts":
            udp = str(self.body().get("udp", settings["udp"]))
            with lock:
                settings["udp"] = udp
                save_config()
            with open("/proc/sys/net/netfilter/nf_conntrack_udp_timeout", "w") as f:
                f.write(str(minutes(udp)))
            return self.answer(200, {"timeouts": {"udp": minutes(udp)}})
        if method == "PUT" and path == "/api/v1/config/dhcp":
            with lock:
                settings["lease"] = str(self.body().get("lease", settings["lease"]))
                save_config()
                start_dnsmasq()
            return self.answer(200, {"dhcp": {"lease": settings["lease"]}})
        if path.startswith("/api/v1/capture"):
            return self.capture(method, path)
        return self.answer(404, {"error": "no such endpoint"})

    def capture(self, method, path):
        with lock:
            if method == "POST" and path == "/api/v1/capture":
                capture["proc"] = subprocess.Popen(
                    ["tcpdump", "-i", "lan0", "-U", "-w", capture["file"], "icmp"],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                capture["state"] = "running"
                return self.answer(200, {"state": "running"})
            if method == "POST" and path == "/api/v1/capture/stop":
                if capture["proc"]:
                    capture["proc"].terminate()
                    capture["proc"].wait()
                    capture["proc"] = None
                capture["state"] = "done"
                return self.answer(200, {"state": "done", "ended_by": "stopped"})
            if method == "GET" and path == "/api/v1/capture/pcap":
                with open(capture["file"], "rb") as f:
                    return self.answer(200, raw=f.read(), ctype="application/vnd.tcpdump.pcap")
            if method == "DELETE":
                capture["state"] = "idle"
            return self.answer(200, {"state": capture["state"]})

    def do_GET(self):
        self.route("GET")

    def do_POST(self):
        self.route("POST")

    def do_PUT(self):
        self.route("PUT")

    def do_DELETE(self):
        self.route("DELETE")


# The settings in force from the start: UDP connections last 5 minutes, as
# with passgated (Linux's own default for an unanswered one is 30 s).
with open("/proc/sys/net/netfilter/nf_conntrack_udp_timeout", "w") as f:
    f.write(str(minutes(settings["udp"])))
# The harness stops us with SIGTERM: our children go with us.
signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
start_dnsmasq()
log("listening on %s:%d" % (ADDR, PORT))
try:
    ThreadingHTTPServer((ADDR, PORT), Handler).serve_forever()
finally:
    for p in (dnsmasq["proc"], capture["proc"]):
        if p:
            p.terminate()
