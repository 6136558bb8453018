# SPDX-License-Identifier: MIT
# tests/e2e/lib/iperf.sh - reading iperf3's JSON results. Sourced by the
# scenarios that move bulk traffic.

# iperf_bytes JSON - "sent received": bytes the sender sent and bytes the
# receiver counted (iperf3 exchanges both ends' figures at the end of a
# test, so one client's JSON holds both, whatever the direction).
iperf_bytes() {
	"$PY" - "$1" <<-'PYEOF' 2>/dev/null
		import json, sys
		e = json.load(open(sys.argv[1]))["end"]
		print(e["sum_sent"]["bytes"], e["sum_received"]["bytes"])
	PYEOF
}

# iperf_error JSON - iperf3's own error text, or the log's last line.
iperf_error() {
	"$PY" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("error","?"))' "$1" \
		2>/dev/null || tail -n 1 "$1"
}
