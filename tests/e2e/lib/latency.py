#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# tests/e2e/lib/latency.py - figures from an irtt JSON result (irtt client
# -o FILE) or a ping log, for the latency and sqm-* scenarios:
#
#   latency.py irtt FILE   -> "sent lost p50 p99 max" of the one-way delay
#                             client -> server (send delay: both ends run on
#                             this machine's one clock, so it is exact), in ms
#   latency.py irtt-rtt FILE -> the same for the round trip
#   latency.py ping FILE   -> "sent lost avg p99 max" of ping's RTT lines, ms
#
# Percentiles are nearest-rank over the packets that arrived.
import json
import re
import sys


def pct(v, p):
    if not v:
        return float("nan")
    v = sorted(v)
    k = max(0, min(len(v) - 1, int(round(p / 100.0 * len(v) + 0.5)) - 1))
    return v[k]


def main():
    kind, path = sys.argv[1], sys.argv[2]
    if kind in ("irtt", "irtt-rtt"):
        d = json.load(open(path))
        field = "send" if kind == "irtt" else "rtt"
        rts = d.get("round_trips") or []
        # Lost either way counts: a probe that did not make the round trip.
        lost = sum(1 for r in rts if r.get("lost") not in ("false", False))
        v = [r["delay"][field] / 1e6 for r in rts if field in r.get("delay", {})]
        print(len(rts), lost, "%.3f" % pct(v, 50), "%.3f" % pct(v, 99),
              "%.3f" % (max(v) if v else float("nan")))
    elif kind == "ping":
        sent = 0
        v = []
        for line in open(path):
            m = re.search(r"time=([0-9.]+) ms", line)
            if m:
                v.append(float(m.group(1)))
            m = re.search(r"(\d+) packets transmitted", line)
            if m:
                sent = int(m.group(1))
        avg = sum(v) / len(v) if v else float("nan")
        print(sent, sent - len(v), "%.3f" % avg, "%.3f" % pct(v, 99),
              "%.3f" % (max(v) if v else float("nan")))
    else:
        sys.exit("usage: latency.py irtt|irtt-rtt|ping FILE")


main()
