#!/usr/bin/python3
# SPDX-License-Identifier: MIT
# bench/report.py - turns bench/run's raw measurements into the printed
# tables and bench/results/latest.json. It computes; it never invents: every
# figure comes from the engine benchmark's JSON or the forwarding runs' raw
# counter deltas.
import argparse
import json
import os
import platform
import statistics
import time


def machine():
    model = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    with open("/proc/loadavg") as f:
        load = f.read().split()[:3]
    return {"nproc": os.cpu_count(), "cpu_model": model, "kernel": platform.release(),
            "loadavg_at_end": [float(x) for x in load],
            "date_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}


def summary(values):
    return {"runs": [round(v, 4) for v in values], "median": round(statistics.median(values), 4),
            "min": round(min(values), 4), "max": round(max(values), 4)}


def tsv_rows(path, fields):
    """Split lines of one of bench/run's TSV files, and the failed rows (fewer fields) apart:
    yields (fields list, None) or (None, a failed row)."""
    if not path or not os.path.exists(path):
        return
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < fields:
                yield None, {"case": p[0], "gateway": p[1], "run": int(p[2]), "failed": True}
            else:
                yield p, None


def read_forward(path, tck):
    """Rows of bench/run's TSV: one measurement window each (kind full, fixed or
    search), failed starts, and gateways unavailable on this machine."""
    rows = []
    if not path or not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 4 and p[3] == "unavailable":
                rows.append({"case": p[0], "gateway": p[1], "run": int(p[2]), "failed": False,
                             "unavailable": p[4] if len(p) > 4 else "unavailable"})
                continue
            if len(p) < 20:
                rows.append({"case": p[0], "gateway": p[1], "run": int(p[2]), "failed": True})
                continue
            rows.append(forward_row(p, tck))
    return rows


def forward_row(p, tck):
    ns, sent, got = int(p[3]), int(p[4]), int(p[5])
    gen_busy, gen_tot, rtr_busy, rtr_tot, rtr_user, rtr_nice, d_user, d_sys = \
        (int(x) for x in p[6:14])
    kind, offered, rsent, rgot = p[14], int(p[15]), int(p[16]), int(p[17])
    trial_sent, trial_lost = int(p[18]), int(p[19])
    sec = ns / 1e9
    # Router work: the router core's kernel time (forwarding, NAPI, softirqs;
    # Linux NAT is all kernel) plus passgated's user time; other programs'
    # user time on that core is left out.
    work = max(rtr_busy - rtr_user - rtr_nice, 0) + d_user
    tsent, tgot = sent + rsent, got + rgot
    return {
        "case": p[0], "gateway": p[1], "run": int(p[2]), "failed": False,
        "kind": kind, "offered_pps": offered, "seconds": sec,
        # both directions: the LAN side's packets and the WAN side's answers
        "sent_mpps": tsent / sec / 1e6,
        "delivered_mpps": tgot / sec / 1e6,
        # over the whole trial (warm-up to the last frame), both directions:
        # exact, where the window's counters are read tens of ms apart
        "loss_pct": 100.0 * max(trial_lost, 0) / trial_sent if trial_sent else 0.0,
        "trial_sent": trial_sent, "trial_lost": trial_lost,
        "lan_delivered_mpps": got / sec / 1e6,
        "answers_sent_mpps": rsent / sec / 1e6,
        "answers_delivered_mpps": rgot / sec / 1e6,
        "answers_loss_pct": 100.0 * max(rsent - rgot, 0) / rsent if rsent else 0.0,
        "gen_cpu_pct": 100.0 * gen_busy / gen_tot if gen_tot else 0.0,
        "router_cpu_pct": 100.0 * rtr_busy / rtr_tot if rtr_tot else 0.0,
        "router_work_pct": 100.0 * work / rtr_tot if rtr_tot else 0.0,
        "router_ns_per_pkt": work / tck * 1e9 / tgot if tgot else 0.0,
        "daemon_cpu_pct": 100.0 * (d_user + d_sys) / tck / sec,
    }


def order(rows, key):
    out = []
    for r in rows:
        if r[key] not in out:
            out.append(r[key])
    return out


def by_gateway(rows):
    """Each gateway of ROWS in order of appearance, with its rows that
    measured something and how many of its runs failed."""
    for g in order(rows, "gateway"):
        yield (g, [r for r in rows if r["gateway"] == g and not r["failed"]],
               sum(1 for r in rows if r["gateway"] == g and r["failed"]))


REFERENCES = ("linux", "linux-flowtable", "xdp-ceiling")


def run_ratios(runs, ref_runs, key):
    """Per run pair ratios of KEY between two maps of rows by run number."""
    vals = [runs[n][key] / ref_runs[n][key] for n in runs
            if n in ref_runs and ref_runs[n][key] > 0]
    return summary(vals) if vals else None


def pair_ratios(per_gw, g, ref, key):
    """Per run pair ratios of KEY between gateway G and the reference REF."""
    if g not in per_gw or ref not in per_gw:
        return None
    return run_ratios(per_gw[g], per_gw[ref], key)


def fmt_ratio(d):
    return "%.2f (%.2f-%.2f)" % (d["median"], d["min"], d["max"]) if d else "n/a"


def forward_tables(rows, unavailable):
    full = [r for r in rows if r["failed"] or r.get("kind") == "full"]
    cases, gws = order(full, "case"), order(full, "gateway")
    out = []
    every = {}  # (case, gateway): {run: row}, for the VPN rows' ratio to UDP
    hdr = ("%-11s %-15s %-24s %9s %6s %6s %5s %5s %6s %7s %10s" %
           ("case", "gateway", "delivered Mpps med(min-max)", "sent Mpps", "loss%", "ans%",
            "gen%", "rtr%", "work%", "daemon%", "rtr ns/pkt"))
    print(hdr)
    for c in cases:
        per_gw = {}
        for g in gws:
            if (c, g) in unavailable:
                continue
            rs = [r for r in full if r["case"] == c and r["gateway"] == g and not r["failed"]]
            nfail = sum(1 for r in full if r["case"] == c and r["gateway"] == g and r["failed"])
            if not rs:
                if nfail:
                    print("%-11s %-15s failed (%d runs)" % (c, g, nfail))
                continue
            d = summary([r["delivered_mpps"] for r in rs])
            entry = {"case": c, "gateway": g, "window": "full", "delivered_mpps": d,
                     "sent_mpps": summary([r["sent_mpps"] for r in rs]),
                     "loss_pct": summary([r["loss_pct"] for r in rs]),
                     "answers_delivered_mpps": summary([r["answers_delivered_mpps"] for r in rs]),
                     "answers_loss_pct": summary([r["answers_loss_pct"] for r in rs]),
                     "generator_cpu_pct": summary([r["gen_cpu_pct"] for r in rs]),
                     "router_cpu_pct": summary([r["router_cpu_pct"] for r in rs]),
                     "router_work_pct": summary([r["router_work_pct"] for r in rs]),
                     "daemon_cpu_pct": summary([r["daemon_cpu_pct"] for r in rs]),
                     "router_ns_per_pkt": summary([r["router_ns_per_pkt"] for r in rs]),
                     "failed_runs": nfail}
            per_gw[g] = every[(c, g)] = {r["run"]: r for r in rs}
            out.append(entry)
            has_ans = any(r["answers_sent_mpps"] > 0 for r in rs)
            print("%-11s %-15s %7.3f (%5.3f-%5.3f)    %9.3f %6.1f %6s %5.0f %5.0f %6.0f %7.0f %10.0f" %
                  (c, g, d["median"], d["min"], d["max"], entry["sent_mpps"]["median"],
                   entry["loss_pct"]["median"],
                   "%.1f" % entry["answers_loss_pct"]["median"] if has_ans else "-",
                   entry["generator_cpu_pct"]["median"],
                   entry["router_cpu_pct"]["median"], entry["router_work_pct"]["median"],
                   entry["daemon_cpu_pct"]["median"],
                   entry["router_ns_per_pkt"]["median"]))
        for g in gws:
            if g in REFERENCES or g not in per_gw:
                continue
            for ref in ("linux", "xdp-ceiling"):
                pps = pair_ratios(per_gw, g, ref, "delivered_mpps")
                if not pps:
                    continue
                cpu = pair_ratios(per_gw, g, ref, "router_ns_per_pkt")
                out.append({"case": c, "gateway": g, "vs": ref, "window": "full",
                            "pps_ratio": pps, "router_ns_per_pkt_ratio": cpu})
                print("%-11s %-15s pps ratio %s/%s %s, router ns/pkt ratio %s" %
                      (c, "ratio", g, ref, fmt_ratio(pps), fmt_ratio(cpu)))
    # The VPN rows against the same gateway's plain UDP (1k_flows), run by
    # run: issue 21's "at least as fast as UDP".
    for (c, g), runs in every.items():
        if not c.startswith(("natt_", "esp_", "pptp_")) or (UDP_CASE, g) not in every:
            continue
        pps = run_ratios(runs, every[(UDP_CASE, g)], "delivered_mpps")
        if pps:
            out.append({"case": c, "gateway": g, "vs_case": UDP_CASE, "window": "full",
                        "pps_ratio": pps})
            print("%-11s %-15s pps ratio %s/%s of %s %s" % (c, "ratio", c, UDP_CASE, g, fmt_ratio(pps)))
    return out


UDP_CASE = "1k_flows"


def fixed_tables(rows, unavailable, fixed_pps):
    fixed = [r for r in rows if not r["failed"] and r.get("kind") == "fixed"]
    if not fixed:
        return []
    out = []
    print("%-11s %-15s %-26s %9s %6s %6s %-24s" %
          ("case", "gateway", "router ns/pkt med(min-max)", "dlvd Mpps", "loss%", "work%",
           ""))
    for c in order(fixed, "case"):
        per_gw = {}
        for g in order(fixed, "gateway"):
            rs = [r for r in fixed if r["case"] == c and r["gateway"] == g]
            if not rs:
                continue
            ns = summary([r["router_ns_per_pkt"] for r in rs])
            entry = {"case": c, "gateway": g, "window": "fixed", "offered_pps": fixed_pps,
                     "router_ns_per_pkt": ns,
                     "delivered_mpps": summary([r["delivered_mpps"] for r in rs]),
                     "loss_pct": summary([r["loss_pct"] for r in rs]),
                     "router_work_pct": summary([r["router_work_pct"] for r in rs])}
            per_gw[g] = {r["run"]: r for r in rs}
            out.append(entry)
            print("%-11s %-15s %7.0f (%5.0f-%5.0f)      %9.3f %6.1f %6.0f" %
                  (c, g, ns["median"], ns["min"], ns["max"], entry["delivered_mpps"]["median"],
                   entry["loss_pct"]["median"], entry["router_work_pct"]["median"]))
        for g in per_gw:
            if g in REFERENCES:
                continue
            for ref in ("linux", "xdp-ceiling"):
                cpu = pair_ratios(per_gw, g, ref, "router_ns_per_pkt")
                if cpu:
                    out.append({"case": c, "gateway": g, "vs": ref, "window": "fixed",
                                "router_ns_per_pkt_ratio": cpu})
                    print("%-11s %-15s router ns/pkt ratio %s/%s %s" %
                          (c, "ratio", g, ref, fmt_ratio(cpu)))
    return out


def zero_loss_runs(rows, loss_max_ppm):
    """Per (case, gateway, run): the search's best window: the most delivered
    among the windows that lost at most LOSS_MAX_PPM of what was sent."""
    best = {}
    for r in rows:
        if r["failed"] or r.get("kind") != "search":
            continue
        k = (r["case"], r["gateway"], r["run"])
        b = best.setdefault(k, {"case": r["case"], "gateway": r["gateway"], "run": r["run"],
                                "zero_loss_mpps": 0.0, "offered_pps": 0, "sent_mpps": 0.0,
                                "windows": 0, "top_passed": False, "top_pps": 0,
                                "lowest_tried_mpps": None})
        b["windows"] += 1
        if b["lowest_tried_mpps"] is None or r["sent_mpps"] < b["lowest_tried_mpps"]:
            b["lowest_tried_mpps"] = r["sent_mpps"]
        if b["windows"] == 1:
            b["top_pps"] = r["offered_pps"]
        if r["loss_pct"] * 1e4 <= loss_max_ppm and r["delivered_mpps"] > b["zero_loss_mpps"]:
            b["zero_loss_mpps"] = r["delivered_mpps"]
            b["offered_pps"] = r["offered_pps"]
            b["sent_mpps"] = r["sent_mpps"]
            b["top_passed"] = r["offered_pps"] == b["top_pps"]
    return best


def zero_loss_tables(rows, loss_max_ppm):
    best = zero_loss_runs(rows, loss_max_ppm)
    if not best:
        return []
    vals = list(best.values())
    out = []
    print("%-11s %-15s %-27s %s" % ("case", "gateway", "zero-loss Mpps med(min-max)",
                                    "runs whose top rate passed"))
    for c in order(vals, "case"):
        per_gw = {}
        for g in order(vals, "gateway"):
            rs = [b for b in vals if b["case"] == c and b["gateway"] == g]
            if not rs:
                continue
            z = summary([b["zero_loss_mpps"] for b in rs])
            top = sum(1 for b in rs if b["top_passed"])
            none = [b["lowest_tried_mpps"] for b in rs if b["zero_loss_mpps"] == 0]
            out.append({"case": c, "gateway": g, "zero_loss_mpps": z, "runs_top_passed": top,
                        "per_run": rs})
            per_gw[g] = {b["run"]: b for b in rs}
            print("%-11s %-15s %7.3f (%5.3f-%5.3f)       %d of %d%s" %
                  (c, g, z["median"], z["min"], z["max"], top, len(rs),
                   "; %d runs lost more even at their lowest rate (%.3f Mpps sent)"
                   % (len(none), min(none)) if none else ""))
        for g in per_gw:
            if g in REFERENCES:
                continue
            for ref in REFERENCES:
                ratio = pair_ratios(per_gw, g, ref, "zero_loss_mpps")
                if ratio:
                    out.append({"case": c, "gateway": g, "vs": ref, "zero_loss_ratio": ratio})
                    print("%-11s %-15s zero-loss ratio %s/%s %s" %
                          (c, "ratio", g, ref, fmt_ratio(ratio)))
    return out


def ports_kept(path):
    """The NAT tables after each two-way case's first window: did every
    mapping keep its LAN port (where the answers are sent), and how many
    of Linux's entries are ASSURED."""
    rows = []
    if not path or not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) >= 6:
                rows.append({"case": p[0], "gateway": p[1], "run": int(p[2]), "entries": int(p[3]),
                             "ports_kept": int(p[4]), "assured": int(p[5])})
                # -fast gateways: packets XDP forwarded and packets received
                # since start, after the first window and at the case's end.
                if len(p) >= 10 and int(p[6]) >= 0 and int(p[7]) > 0 and int(p[9]) > 0:
                    rows[-1]["offloaded"], rows[-1]["received"] = int(p[6]), int(p[7])
                    rows[-1]["offloaded_end"], rows[-1]["received_end"] = int(p[8]), int(p[9])
    out = []
    for c in order(rows, "case"):
        for g in order(rows, "gateway"):
            rs = [r for r in rows if r["case"] == c and r["gateway"] == g]
            if not rs:
                continue
            ok = [r for r in rs if r["entries"] > 0]
            e = {"case": c, "gateway": g, "runs": rs,
                 # ESP (kept -1): no ports, nothing to keep.
                 "ports_kept_pct_min": min(100.0 * r["ports_kept"] / r["entries"] for r in ok)
                 if ok and all(r["ports_kept"] >= 0 for r in ok) else None,
                 "assured_pct_min": min(100.0 * r["assured"] / r["entries"] for r in ok)
                 if ok and all(r["assured"] >= 0 for r in ok) else None}
            off = [r for r in rs if "offloaded" in r]
            if off:
                e["offloaded_pct_min"] = min(100.0 * r["offloaded"] / r["received"] for r in off)
                # After the first window: the fast path's steady share (the
                # first second's packets precede the offers, ARP under load).
                later = [r for r in off if r["received_end"] > r["received"]]
                if later:
                    e["offloaded_later_pct_min"] = min(
                        100.0 * (r["offloaded_end"] - r["offloaded"]) /
                        (r["received_end"] - r["received"]) for r in later)
            out.append(e)
            # IPv6 is routed: the table is the firewall's state, every port kept.
            print("%-11s %-15s %s entries after the first window: %s; LAN port kept in %s; "
                  "ASSURED %s" %
                  (c, g, "state" if c.startswith("ipv6") else "NAT", "/".join(str(r["entries"]) for r in rs),
                   "%.1f%% (least of the runs)" % e["ports_kept_pct_min"]
                   if e["ports_kept_pct_min"] is not None
                   else "- (ESP: no ports)" if c.startswith("esp") else "(table not read)",
                   "%.1f%%" % e["assured_pct_min"] if e["assured_pct_min"] is not None else "-") +
                  ("; XDP forwarded %.1f%% of the packets received in the first window (with the "
                   "warm-up)%s, least of the runs" %
                   (e["offloaded_pct_min"],
                    ", %.1f%% after it" % e["offloaded_later_pct_min"]
                    if "offloaded_later_pct_min" in e else "")
                   if "offloaded_pct_min" in e else ""))
    return out


def find(results, **kw):
    for r in results:
        if all(r.get(k) == v for k, v in kw.items()):
            return r
    return None


def targets(doc, unavailable):
    """Issue 21's targets, met or not, from this run's figures (medians of the
    per run pair ratios)."""
    fw = doc.get("forwarding", {})
    zl, fx, fu = fw.get("zero_loss", []), fw.get("fixed_rate", []), fw.get("results", [])
    gws = []
    for r in zl + fu:
        if r["gateway"] not in REFERENCES and r["gateway"] not in gws:
            gws.append(r["gateway"])
    out = []

    def add(what, gw, value, goal, met, why=None):
        out.append({"target": what, "gateway": gw, "value": value, "goal": goal,
                    "met": met, "reason": why})

    for gw in gws:
        for c in ("1k_flows", "100k_flows"):
            for ref, goal in (("linux", 2.0), ("xdp-ceiling", 0.8), ("linux-flowtable", 1.5)):
                what = "%s zero-loss throughput vs %s" % (c, ref)
                if (c, ref) in unavailable:
                    add(what, gw, None, ">= %.1fx" % goal, None,
                        "not measurable: " + unavailable[(c, ref)])
                    continue
                r = find(zl, case=c, gateway=gw, vs=ref)
                if not r:
                    mine = find(zl, case=c, gateway=gw)
                    theirs = find(zl, case=c, gateway=ref)
                    why = "not measured in this run"
                    if mine and theirs and theirs["zero_loss_mpps"]["max"] == 0:
                        why = ("%s lost more than the allowed share even at the lowest rate "
                               "tried, in every run (on a loaded machine: scheduling)" % ref)
                    add(what, gw, None, ">= %.1fx" % goal, None, why)
                    continue
                v = r["zero_loss_ratio"]["median"]
                add(what, gw, v, ">= %.1fx" % goal, v >= goal)
            what = "%s router CPU per packet at the fixed rate vs linux" % c
            r = find(fx, case=c, gateway=gw, vs="linux")
            if r:
                v = r["router_ns_per_pkt_ratio"]["median"]
                add(what, gw, v, "<= 0.5x", v <= 0.5)
            else:
                add(what, gw, None, "<= 0.5x", None, "not measured in this run")
        r = find(fu, case="new_flows", gateway=gw, vs="linux")
        if r:
            v = r["pps_ratio"]["median"]
            add("new flows per second vs linux", gw, v, ">= 2.0x", v >= 2.0)
    for r in doc.get("tcp", {}).get("results", []):
        if r.get("vs") == "linux" and r["gateway"] != "linux-xdp":
            v = r["gbps_ratio"]["median"]
            add("bulk TCP, iperf3 %s, vs linux" %
                ("four streams" if r.get("case") == "tcp_iperf3_p4" else "one stream"),
                r["gateway"], v, ">= 1.0x", v >= 1.0)
    for r in fu:
        if r.get("vs_case") == UDP_CASE:
            v = r["pps_ratio"]["median"]
            add("%s delivered at full load vs the same gateway's %s" % (r["case"], UDP_CASE),
                r["gateway"], v, ">= 1.0x", v >= 1.0)
    if not any(r["case"].startswith("pptp_") for r in fu if r.get("vs_case") == UDP_CASE):
        add("PPTP row at least as fast as UDP (with offload)", "-", None, ">= 1.0x", None,
            "not measured in this run")
    eng = doc.get("engine")
    if eng:
        f = [x for x in eng.get("figures", []) if x.get("name") == "udp_1k_mpps"]
        if f:
            v = f[0]["median"]
            add("engine Mpps per core at 1k flows", "engine", v, ">= 30", v >= 30)
    if out:
        print("%-62s %-12s %7s %-8s %s" % ("target", "gateway", "value", "goal", "met"))
        for t in out:
            print("%-62s %-12s %7s %-8s %s" %
                  (t["target"], t["gateway"],
                   "%.2f" % t["value"] if t["value"] is not None else "-", t["goal"],
                   {True: "met", False: "NOT met", None: "n/a"}[t["met"]] +
                   (" (%s)" % t["reason"] if t["reason"] else "")))
    return out


def read_tcp(path):
    """tcp_iperf3 GW RUN BPS ROUTER_BUSY ROUTER_TOTAL lines, failed runs kept as such."""
    rows = []
    if not os.path.exists(path):
        return rows
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 4:
                continue
            row = {"case": p[0], "gateway": p[1], "run": int(p[2]), "failed": p[3] == "failed"}
            if not row["failed"] and len(p) >= 6:
                row["gbps"] = int(p[3]) / 1e9
                total = int(p[5])
                row["router_cpu_pct"] = 100.0 * int(p[4]) / total if total else 0.0
            rows.append(row)
    return rows


def read_latency(path):
    """latency GW RUN + idle (sent lost avg p99 max) + load (the same) + upload bits/s."""
    rows = []
    if not path or not os.path.exists(path):
        return rows
    names = ["sent", "lost", "avg_ms", "p99_ms", "max_ms"]
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 4:
                continue
            row = {"case": p[0], "gateway": p[1], "run": int(p[2]), "failed": p[3] == "failed"}
            if not row["failed"] and len(p) >= 14:
                try:
                    row["idle"] = dict(zip(names, [float(x) for x in p[3:8]]))
                    row["load"] = dict(zip(names, [float(x) for x in p[8:13]]))
                    row["upload_mbps"] = int(p[13]) / 1e6
                except ValueError:
                    row["failed"] = True
            else:
                row["failed"] = True
            rows.append(row)
    return rows


def latency_table(rows):
    out = []
    print("gateway   idle avg/p99 ms    load avg/p99 ms    lost  upload Mbit/s  (medians)")
    med = {}
    for g, ok, _ in by_gateway(rows):
        if not ok:
            print("%-9s all runs failed" % g)
            continue
        m = {k: summary([r[k.split(".")[0]][k.split(".")[1]] for r in ok])["median"]
             for k in ("idle.avg_ms", "idle.p99_ms", "load.avg_ms", "load.p99_ms")}
        lost = sum(r["load"]["lost"] for r in ok) / max(1, sum(r["load"]["sent"] for r in ok))
        up = summary([r["upload_mbps"] for r in ok])["median"]
        med[g] = m
        print("%-9s %6.3f / %-8.3f %7.2f / %-8.2f %5.1f%% %8.0f" %
              (g, m["idle.avg_ms"], m["idle.p99_ms"], m["load.avg_ms"], m["load.p99_ms"],
               100 * lost, up))
        out.append({"gateway": g, "runs": len(ok), "median": m, "load_loss_ratio": lost,
                    "upload_mbps_median": up})
    # Against plain Linux (the targets), and against Linux in the
    # veth receive mode of an XDP gateway (linux-xdp: the same link mode as
    # passgated's AF_XDP backends, so what the gateway itself adds).
    for ref in ("linux", "linux-xdp"):
        if ref not in med:
            continue
        for g in med:
            if g in ("linux", ref):
                continue
            r = {k: (med[g][k] / med[ref][k] if med[ref][k] else None) for k in med[g]}
            print("%-9s ratio to %s: idle avg %.2f, load avg %.2f, load p99 %.2f" %
                  (g, ref, r["idle.avg_ms"] or 0, r["load.avg_ms"] or 0, r["load.p99_ms"] or 0))
            out.append({"gateway": g, "vs": ref, "ratio_of_medians": r})
    return out


def tcp_table(all_rows):
    """One stream (tcp_iperf3) and four (tcp_iperf3_p4), each gateway's runs
    and its ratio to Linux per run pair."""
    out = []
    print("case           gateway     Gbit/s med(min-max)    rtr%  failed")
    for c in order(all_rows, "case"):
        rows = [r for r in all_rows if r["case"] == c]
        per_gw = {}
        for g, ok, nfail in by_gateway(rows):
            if not ok:
                print("%-14s %-11s all %d runs failed" % (c, g, nfail))
                continue
            d = summary([r["gbps"] for r in ok])
            cpu = summary([r["router_cpu_pct"] for r in ok])
            per_gw[g] = {r["run"]: r for r in ok}
            out.append({"case": c, "gateway": g, "gbps": d, "router_cpu_pct": cpu,
                        "failed_runs": nfail})
            print("%-14s %-11s %6.2f (%4.2f-%4.2f)   %5.0f  %d" %
                  (c, g, d["median"], d["min"], d["max"], cpu["median"], nfail))
        # Each to Linux; passgated's also to linux-xdp, Linux in the veth
        # receive mode of an XDP gateway (what the gateway adds in that mode).
        for g in per_gw:
            for ref in ("linux", "linux-xdp"):
                if g in ("linux", ref):
                    continue
                s = pair_ratios(per_gw, g, ref, "gbps")
                if s:
                    out.append({"case": c, "gateway": g, "vs": ref, "gbps_ratio": s})
                    print("%-14s ratio       %s/%s %s" % (c, g, ref, fmt_ratio(s)))
    return out


def read_one_dst(path):
    """Rows of the one_dst case: a window before the flood and one during it."""
    rows = []
    for p, failed in tsv_rows(path, 15):
        if failed:
            rows.append(failed)
            continue
        v = [int(x) for x in p[3:15]]
        before_s, during_s, x_s = v[0] / 1e9, v[2] / 1e9, v[6] / 1e9
        est_before = v[1] / before_s if before_s else 0.0
        est_during = v[3] / during_s if during_s else 0.0
        rows.append({
            "case": p[0], "gateway": p[1], "run": int(p[2]), "failed": False,
            "est_before_kpps": est_before / 1e3,
            "est_during_kpps": est_during / 1e3,
            "est_kept_pct": 100.0 * est_during / est_before if est_before else 0.0,
            "flood_delivered_kpps": v[4] / during_s / 1e3 if during_s else 0.0,
            "sent_kpps": v[5] / during_s / 1e3 if during_s else 0.0,
            # new flows refused per second: passgated's drop_ports_exhausted,
            # Linux's conntrack drop statistic (None: not read)
            "refused_kpps": v[7] / x_s / 1e3 if v[7] >= 0 and x_s else None,
            "ports_exhausted": v[7] if v[7] >= 0 else None,
            "conntrack_entries": v[8] if v[8] >= 0 else None,
            "waited_s": v[9],
            "router_cpu_pct": 100.0 * v[10] / v[11] if v[11] else 0.0,
        })
    return rows


def one_dst_table(rows):
    out = []
    print("%-9s %-22s %-22s %6s %-22s %9s %-22s %5s %8s" %
          ("gateway", "est before kpps", "est during kpps", "kept%", "flood dlvd kpps",
           "sent kpps", "refused kpps", "rtr%", "conntrk"))
    per_gw = {}
    for g, ok, nfail in by_gateway(rows):
        if not ok:
            print("%-9s failed (%d runs)" % (g, nfail))
            continue
        entry = {"case": "one_dst", "gateway": g, "failed_runs": nfail}
        for k in ("est_before_kpps", "est_during_kpps", "est_kept_pct", "flood_delivered_kpps",
                  "sent_kpps", "router_cpu_pct", "waited_s"):
            entry[k] = summary([r[k] for r in ok])
        for k in ("refused_kpps", "conntrack_entries"):
            vals = [r[k] for r in ok if r[k] is not None]
            entry[k] = summary(vals) if vals else None
        per_gw[g] = {r["run"]: r for r in ok}
        out.append(entry)

        def mm(d, fmt="%.1f"):
            if d is None:
                return "-"
            return (fmt + " (" + fmt + "-" + fmt + ")") % (d["median"], d["min"], d["max"])
        print("%-9s %-22s %-22s %6.0f %-22s %9.1f %-22s %5.0f %8s" %
              (g, mm(entry["est_before_kpps"]), mm(entry["est_during_kpps"]),
               entry["est_kept_pct"]["median"], mm(entry["flood_delivered_kpps"]),
               entry["sent_kpps"]["median"], mm(entry["refused_kpps"]),
               entry["router_cpu_pct"]["median"],
               "%.0f" % entry["conntrack_entries"]["median"]
               if entry["conntrack_entries"] else "-"))
    for g in per_gw:
        if g == "linux" or "linux" not in per_gw:
            continue
        pairs = [(per_gw[g][n], per_gw["linux"][n]) for n in per_gw[g] if n in per_gw["linux"]]
        est = [a["est_during_kpps"] / b["est_during_kpps"] for a, b in pairs
               if b["est_during_kpps"] > 0]
        flood = [a["flood_delivered_kpps"] / b["flood_delivered_kpps"] for a, b in pairs
                 if b["flood_delivered_kpps"] > 0]
        refused = [a["refused_kpps"] / b["refused_kpps"] for a, b in pairs
                   if a["refused_kpps"] is not None and b["refused_kpps"]]
        ratio = {"case": "one_dst", "gateway": g, "vs": "linux",
                 "est_during_ratio": summary(est) if est else None,
                 "flood_delivered_ratio": summary(flood) if flood else None,
                 "refused_ratio": summary(refused) if refused else None}
        out.append(ratio)

        def rs(d):
            return "%.2f (%.2f-%.2f)" % (d["median"], d["min"], d["max"]) if d else "n/a"
        print("ratio     %s/linux: established during the flood %s, flood delivered %s, "
              "refused %s" % (g, rs(ratio["est_during_ratio"]), rs(ratio["flood_delivered_ratio"]),
                              rs(ratio["refused_ratio"])))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--tck", type=int, default=100)
    ap.add_argument("--engine")
    ap.add_argument("--engine-text")
    ap.add_argument("--forward")
    ap.add_argument("--tcp")
    ap.add_argument("--ports")
    ap.add_argument("--latency")
    ap.add_argument("--one-dst")
    ap.add_argument("--out", required=True)
    ap.add_argument("--runs", type=int)
    ap.add_argument("--seconds", type=float)
    ap.add_argument("--warmup", type=float)
    ap.add_argument("--rev-share", type=int, default=20)
    ap.add_argument("--rev-full-pps", type=int, default=50000)
    ap.add_argument("--fixed-pps", type=int, default=100000)
    ap.add_argument("--loss-max-ppm", type=int, default=1000)
    ap.add_argument("--search-steps", type=int, default=5)
    a = ap.parse_args()

    doc = {"machine": machine()}
    print("machine: %(nproc)s CPUs, %(cpu_model)s, kernel %(kernel)s" % doc["machine"])
    if a.engine and os.path.exists(a.engine):
        with open(a.engine) as f:
            doc["engine"] = json.load(f)
        print("\n== engine (in memory, one core; median/min/max of %d runs) ==" %
              doc["engine"]["runs"])
        print("how: %s" % doc["engine"]["method"])
        with open(a.engine_text) as f:
            print(f.read().rstrip())
        if doc["engine"].get("failures"):
            print("FAILED: %d engine figure(s) had wrong verdicts and are left out (bench/run's "
                  "stderr names them)" % doc["engine"]["failures"])
    unavailable = {}
    rows = read_forward(a.forward, a.tck)
    unavailable = {(r["case"], r["gateway"]): r["unavailable"] for r in rows
                   if r.get("unavailable")}
    rows = [r for r in rows if not r.get("unavailable")]
    if rows or unavailable:
        print("\n== forwarding, 64-byte UDP through the router at full offered load "
              "(median/min/max of %d runs of %.1fs) ==" % (a.runs, a.seconds))
        print("how: trafgen on CPU 0 sends LAN -> WAN as fast as it can; in 1_flow, 1k_flows and\n"
              "     100k_flows a second trafgen in the sink (CPU 0 too) answers every flow at\n"
              "     %d pps to the router's public address and the flows' ports (two-way flows:\n"
              "     Linux's conntrack entries are ASSURED). The router core is CPU 1 (Linux: RPS on\n"
              "     both links; passgated pinned there; afxdp and xdp-ceiling: both links' threaded\n"
              "     NAPI pinned there). delivered = packets counted by the sink's and the\n"
              "     generator's nft ingress rules, both directions; sent = both generators' link\n"
              "     tx + tx_dropped; ans%% = answers lost; new_flows: one-way, every packet a new\n"
              "     5-tuple (delivered Mpps = M new flows/s); gen%%/rtr%% = busy share of each core\n"
              "     from /proc/stat (whole machine: other load included); work%% = router core's\n"
              "     kernel time + passgated's user time (others' user time left out); rtr ns/pkt =\n"
              "     that work / delivered; daemon%% = passgated's own CPU time; ratios are per run\n"
              "     pair (gateways alternate within this one invocation); xdp-ceiling forwards\n"
              "     without NAT: the links' limit; ipv6_1k: 1k_flows over IPv6 (84-byte frames),\n"
              "     routed through each gateway's RFC 6092 firewall, answers to the LAN host's\n"
              "     own address; linux there = ip6 forwarding + the e2e's nftables filter;\n"
              "     shared_1k: 1k_flows placed as an ordinary\n"
              "     installation runs (passgated in a session of its own with only the priorities\n"
              "     it sets itself, NAPI threads at the kernel's default; Linux as in 1k_flows);\n"
              "     workers2_mq: 1k_flows on links with two queues per veth end (one AF_XDP\n"
              "     socket per queue; trafgen --qdisc-path so flows spread by hash);\n"
              "     natt_1k: 1k_flows as ESP in UDP to port 4500; esp_250: raw ESP, 250 SPIs\n"
              "     each way; pptp_250: the GRE of 250 PPTP calls, each made first through the\n"
              "     gateway on a control connection of its own (bench/pptpcalls.py)"
              % a.rev_full_pps)
        for (c, g), why in unavailable.items():
            print("%-11s %-15s unavailable: %s" % (c, g, why))
        doc["forwarding"] = {
            "method": "namespaces gen -> router -> sink over veth; trafgen (SO_SNDBUFFORCE via "
                      "LD_PRELOAD) on CPU 0; router work on CPU 1; sink and generator count UDP "
                      "with an nft netdev ingress counter and drop it; two-way cases: the sink "
                      "answers each flow (%d pps at full load, %d%% of the offered rate in the "
                      "fixed and search windows); %d runs per case and gateway, gateways "
                      "alternating, %.1fs windows after %.1fs warm-up; new_flows: every packet "
                      "a new 5-tuple, delivered Mpps = M new flows/s; ipv6_1k: 1k_flows over "
                      "IPv6, routed through the RFC 6092 firewall (linux: ip6 forwarding with "
                      "tests/e2e/lib/ipv6.sh's nftables filter), answers to the LAN host; "
                      "workers2_mq: 1k_flows on links with two queues per veth end; natt_1k: "
                      "1k_flows as ESP in UDP to port 4500; esp_250: raw ESP, 250 SPIs each way; "
                      "pptp_250: the GRE of 250 PPTP calls made first through the gateway "
                      "(bench/pptpcalls.py, one control connection a call)"
                      % (a.rev_full_pps, a.rev_share, a.runs, a.seconds, a.warmup),
            "unavailable": [{"case": c, "gateway": g, "reason": why}
                            for (c, g), why in unavailable.items()],
            "results": forward_tables(rows, unavailable),
        }
        pk = ports_kept(a.ports)
        if pk:
            doc["forwarding"]["mapped_ports"] = pk
        if any(r.get("kind") == "fixed" for r in rows):
            print("\n== router CPU per packet at a fixed offered rate: %d pps, %d%% of them answers "
                  "==" % (a.fixed_pps, a.rev_share))
            print("how: trafgen --rate on both sides (its pacing is approximate: dlvd shows what\n"
                  "     arrived); rtr ns/pkt = router core's kernel time + passgated's user time\n"
                  "     over packets delivered in both directions; ratios per run pair")
            doc["forwarding"]["fixed_rate"] = fixed_tables(rows, unavailable, a.fixed_pps)
        if any(r.get("kind") == "search" for r in rows):
            print("\n== zero-loss throughput: binary search over offered rates, loss <= %.2f%% "
                  "(RFC 2544 style) ==" % (a.loss_max_ppm / 1e4))
            print("how: per gateway and run, first the full-load window's delivered rate x 1.25\n"
                  "     (top), then %d halvings of [0, top]; each step a window as above with\n"
                  "     trafgen --rate on both sides, %d%% answers; the figure is the most\n"
                  "     delivered (both directions) among the windows that lost at most %.2f%%;\n"
                  "     ratios per run pair; 'top passed': the search's range was the limit"
                  % (a.search_steps, a.rev_share, a.loss_max_ppm / 1e4))
            doc["forwarding"]["zero_loss"] = zero_loss_tables(rows, a.loss_max_ppm)
        doc["forwarding"]["raw"] = rows
    one = read_one_dst(a.one_dst)
    if one:
        print("\n== one destination, ports exhausted: 1000 established flows, then a flood of "
              "131,072 LAN\n   sockets to one address and port (median/min/max of %d runs of "
              "%.1fs) ==" % (a.runs, a.seconds))
        print("how: the established flows (10.0.0.2 ports 1024-2023 -> sink port 6000, a fixed\n"
              "     rate from a second trafgen) run alone for a window (est before), then the\n"
              "     flood (10.0.0.10-13 x ports 1024-33791 -> sink port 5000, as fast as CPU 0\n"
              "     allows) starts; after the generator went twice round its sockets, a second\n"
              "     window (est during, flood delivered: the sink's nft counters per port;\n"
              "     sent: generator link tx, both generators). refused = new flows refused\n"
              "     per second: passgated's drop_ports_exhausted (control socket), Linux's\n"
              "     conntrack -S drop (NAT found no free tuple, insert failed); conntrk =\n"
              "     Linux's connection tracking entries at the end (conntrack -C); ratios\n"
              "     per run pair")
        doc["one_dst"] = {
            "method": "1000 established UDP flows at a fixed rate, then 131,072 LAN sockets "
                      "(4 addresses x 32768 ports) to one destination address and port as fast "
                      "as trafgen allows; windows of %.1fs before the flood and after the "
                      "generator went twice round the flood's sockets; sink nft counters per "
                      "destination port; refused: passgated's drop_ports_exhausted from its "
                      "control socket, Linux's conntrack -S drop; Linux's conntrack -C"
                      % a.seconds,
            "results": one_dst_table(one),
            "raw": one,
        }
    tcp = read_tcp(a.tcp) if a.tcp else []
    if tcp:
        print("\n== TCP, iperf3 LAN -> WAN through the router (median/min/max of the runs) ==")
        print("how: iperf3 from the generator (CPU 0) to the sink for a few seconds, one stream\n"
              "     (tcp_iperf3), then four (tcp_iperf3_p4); Gbit/s = iperf3's receiver figure;\n"
              "     rtr% = router core busy share; ratios per run pair")
        doc["tcp"] = {"method": "iperf3 -c sink -t N -P 1, then -P 4, gateways alternating",
                      "results": tcp_table(tcp), "raw": tcp}
    lat = read_latency(a.latency)
    if lat:
        print("\n== latency: ping every 10 ms, idle and under a 4-stream iperf3 upload ==")
        print("how: ping -i 0.01 from the generator to the sink, 200 idle, then during iperf3 -P 4;\n"
              "     targets (issue 25): idle avg <= 1.5x Linux, load avg <= 2x Linux, load p99 <= 1 ms")
        doc["latency"] = {"method": "ping -i 0.01 generator -> sink, idle (200) and during an "
                                    "iperf3 -P 4 upload; gateways alternating",
                          "results": latency_table(lat), "raw": lat}
    if doc.get("forwarding") or doc.get("engine"):
        print("\n== targets (issue 21; medians of per run pair ratios) ==")
        doc["targets"] = targets(doc, unavailable)
    os.makedirs(os.path.dirname(a.out), exist_ok=True)
    with open(a.out, "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print("\nwritten: %s" % a.out)


if __name__ == "__main__":
    main()
