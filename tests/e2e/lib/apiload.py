#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/e2e/lib/apiload.py - the control-plane load of control-no-stall,
# from one LAN host: logins, authenticated reads of every endpoint, a walk
# of the whole flow table page by page, configuration changes, a capture.
# Every answer is checked; prints one JSON summary line
# {"role", "requests", "ok", "errors": [...], "walk": {...}} and exits 0
# only when every request was answered correctly.
#
#   apiload.py ROLE BASE TOKEN PASSWORD LOGINS READS WALK CHANGES CONFFILE [STRICT]
#     LOGINS   e.g. "right,wrong,right": one login attempt each, 0.8 s apart
#     READS    how many times each read endpoint is asked
#     WALK     1: walk every flow, 1000 a page; 0: no walk
#     CHANGES  1: 5 config changes (checked in CONFFILE), a capture, a
#              [dhcp] change (dnsmasq restarts); 0: none
#     STRICT   1 (default): passgated's answers (status holds the pass
#              histogram...); 0: only the shapes a stand-in gives (linux)
import http.client
import json
import sys
import threading
import time
import urllib.parse

ROLE, BASE, TOKEN, PASSWORD = sys.argv[1:5]
LOGINS = [x for x in sys.argv[5].split(",") if x]
READS, WALK, CHANGES, CONF = int(sys.argv[6]), int(sys.argv[7]), int(sys.argv[8]), sys.argv[9]
STRICT = len(sys.argv) < 11 or sys.argv[10] == "1"
URL = urllib.parse.urlparse(BASE)
lock = threading.Lock()
stats = {"role": ROLE, "requests": 0, "ok": 0, "errors": [], "slowest_ms": 0}


def call(method, path, body=None, auth=True, want=200):
    """One request on a fresh connection; returns (status, body bytes)."""
    hdrs = {}
    if auth:
        hdrs["Authorization"] = "Bearer " + TOKEN
    if body is not None:
        body = json.dumps(body).encode()
        hdrs["Content-Type"] = "application/json"
    t0 = time.monotonic()
    try:
        c = http.client.HTTPConnection(URL.hostname, URL.port or 80, timeout=10)
        c.request(method, path, body=body, headers=hdrs)
        r = c.getresponse()
        status, data = r.status, r.read()
        c.close()
    except OSError as e:
        status, data = 0, str(e).encode()
    ms = (time.monotonic() - t0) * 1000
    with lock:
        stats["requests"] += 1
        stats["slowest_ms"] = max(stats["slowest_ms"], round(ms, 1))
        if status == want:
            stats["ok"] += 1
        else:
            stats["errors"].append("%s %s: %s (wanted %s) %s" % (method, path, status, want,
                                                               data[:160].decode("utf-8", "replace")))
    return status, data


def check(cond, what):
    if not cond:
        with lock:
            stats["errors"].append(what)


def logins():
    for kind in LOGINS:
        pw = PASSWORD if kind == "right" else PASSWORD + "-wrong"
        st, data = call("POST", "/api/v1/login", {"password": pw}, auth=False,
                        want=200 if kind == "right" else 401)
        if kind == "right" and st == 200:
            sid = json.loads(data).get("session", "")
            check(len(sid) == 64, "login: no 64-digit session id")
        time.sleep(0.8)


def reads():
    paths = ["/", "/api/v1/auth", "/api/v1/status", "/api/v1/flows", "/api/v1/sessions",
             "/api/v1/events", "/api/v1/config", "/api/v1/forwards", "/metrics",
             "/api/v1/capture"]
    for i in range(READS):
        for p in paths:
            st, data = call("GET", p)
            if st != 200:
                continue
            if p == "/api/v1/status" and STRICT:
                check(b'"counters"' in data and b'"passes"' in data, "status: no counters/passes")
            elif p == "/metrics" and STRICT:
                check(b"passgate_pass_duration_seconds_bucket" in data, "metrics: no pass histogram")
            elif p.startswith("/api/"):
                try:
                    json.loads(data)
                except ValueError:
                    check(False, "%s: not JSON" % p)


def walk():
    cursor, pages, flows, seen = None, 0, 0, set()
    t0 = time.monotonic()
    while True:
        q = "/api/v1/flows?limit=1000" + ("&cursor=%d" % cursor if cursor else "")
        st, data = call("GET", q)
        if st != 200:
            return {"pages": pages, "flows": flows, "complete": False}
        page = json.loads(data)
        pages += 1
        for f in page["flows"]:
            seen.add((f["proto"], f["lan"], f["lan_port"], f["remote"], f["remote_port"]))
        flows += len(page["flows"])
        cursor = page["next"]
        if cursor is None:
            return {"pages": pages, "flows": flows, "distinct": len(seen),
                    "total": page["total"], "complete": True,
                    "seconds": round(time.monotonic() - t0, 2)}


def changes():
    for i, udp in enumerate(["7m", "8m", "9m", "10m", "5m"]):
        st, data = call("PUT", "/api/v1/config/timeouts", {"udp": udp})
        if st == 200:
            cfg = json.loads(data)
            check(cfg.get("timeouts", {}).get("udp") == int(udp[:-1]) * 60,
                  "timeouts udp after change %d: %s" % (i, cfg.get("timeouts")))
            with open(CONF) as f:
                check(("udp = %s" % udp) in f.read().replace("  ", " "),
                      "config file does not say udp = %s" % udp)
        time.sleep(0.3)
    st, data = call("POST", "/api/v1/capture", {"seconds": 30, "filter": "icmp"})
    check(st != 200 or json.loads(data).get("state") == "running", "capture did not run")
    time.sleep(1.0)
    st, data = call("POST", "/api/v1/capture/stop")
    if st == 200:
        cap = json.loads(data)
        check(cap.get("state") == "done" and cap.get("ended_by") == "stopped",
              "capture stop: %s" % cap)
    st, data = call("GET", "/api/v1/capture/pcap")
    check(st != 200 or data[:4] in (b"\xd4\xc3\xb2\xa1", b"\xa1\xb2\xc3\xd4"), "pcap: bad file")
    call("DELETE", "/api/v1/capture")
    st, data = call("PUT", "/api/v1/config/dhcp", {"lease": "20m"})
    check(st != 200 or json.loads(data).get("dhcp", {}).get("lease") in ("20m", 1200),
          "dhcp lease after change: %s" % data[:300])


threads = [threading.Thread(target=logins)]
if READS:
    threads.append(threading.Thread(target=reads))
if CHANGES:
    threads.append(threading.Thread(target=changes))
for t in threads:
    t.start()
if WALK:
    stats["walk"] = walk()
    check(stats["walk"].get("complete"), "flow walk incomplete")
for t in threads:
    t.join()
print(json.dumps(stats))
sys.exit(0 if not stats["errors"] else 1)
