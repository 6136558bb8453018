# SPDX-License-Identifier: MIT
# privileges: passgated gives up root once set up, and still does its job.
#
#   systemd stand-in (python)            pggw-S
#   notify.sock ◄── READY, WATCHDOG,  ── passgated -u nobody (real data path)
#                   RELOADING, STOPPING    uid 65534, CapEff net_admin,
#   log file = "journal" (JOURNAL_STREAM)  net_bind_service, net_raw; Seccomp 2
#                                            └─ dnsmasq (uid 65534, ambient caps)
#   lan1 ── ping ──► passgated (NAT) ──► srv1
#
# passgated restarted as systemd would run it (NOTIFY_SOCKET, WATCHDOG_USEC,
# JOURNAL_STREAM naming its log file), with [dhcp] on and "-u nobody" (the
# package's user is "passgate"; nobody exists everywhere). Passes when
# /proc/PID/status shows uid 65534, exactly those three capabilities
# (effective, permitted, bounding and ambient), NoNewPrivs 1 and Seccomp 2,
# and under them: lan1 pings srv1 through the NAT; SIGHUP reloads (the
# stand-in gets RELOADING=1 then READY=1) and so does passgatectl reload; an
# API change is applied and written to the file by uid 65534; a [dhcp]
# change restarts dnsmasq, which runs as uid 65534 too; passgatectl capture
# returns the pings; the stand-in got READY=1, WATCHDOG=1 keep-alives and
# at the end STOPPING=1; log lines carry "<6>" priorities and no timestamp;
# the daemon is still alive after all of it (no seccomp kill).
# Only for --gateway passgate.

scenario() {
	local rc
	[[ $GATEWAY == passgate ]] || { fail "passgated's own privileges: run with --gateway passgate"; return; }
	need python3 dnsmasq || return
	priv_scenario
	rc=$?
	# The next scenarios need a gateway: the harness's own again.
	if ! gateway_alive; then
		PG_LOG_NAME=passgated-after-$SCN_NAME
		gateway_up || fail "the harness's passgated did not come back"
	fi
	[[ -n ${PRIV_DIR:-} ]] && rm -rf "$PRIV_DIR"
	PRIV_DIR=
	return $rc
}

priv_scenario() {
	local dir conf wrapper notify=$SCN_DIR/notify.log st old new user out pkts
	# Outside RUN_DIR (mode 0700): uid 65534 must reach its files.
	dir=$(mktemp -d /tmp/pge2e-priv-$SFX.XXXX) || { fail "mktemp"; return; }
	chmod 755 "$dir"
	PRIV_DIR=$dir
	mkdir -p "$dir/etc" "$dir/run"
	conf=$dir/etc/passgated.conf
	sed "s|^socket *=.*|socket = $dir/ctl/passgated.sock|" "$RUN_DIR/passgated.conf" >"$conf"
	printf '\n[dhcp]\nenable = on\nrange  = 192.168.1.200 - 192.168.1.220\n' >>"$conf"
	chown -R nobody:nogroup "$dir/etc"

	# The systemd stand-in: every datagram on notify.sock is a line in notify.log.
	spawn notify "$NS_GW" "$PY" -c '
import os, socket, sys
p = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(p)
os.chmod(p, 0o777)
with open(sys.argv[2], "a", buffering=1) as f:
    while True:
        f.write(s.recv(4096).decode().replace("\n", " ") + "\n")
' "$dir/notify.sock" "$notify"
	wait_until 5 test -S "$dir/notify.sock" || { fail "the notify stand-in did not start"; return; }

	# Run as systemd would: its variables set, stderr on "the journal".
	PG_LOG=$RUN_DIR/passgated-$SCN_NAME.log
	: >"$PG_LOG"
	wrapper=$dir/passgated-env
	cat >"$wrapper" <<-EOW
		#!/bin/sh
		export NOTIFY_SOCKET=$dir/notify.sock WATCHDOG_USEC=1000000
		export JOURNAL_STREAM=$(stat -c '%d:%i' "$PG_LOG")
		exec "$PASSGATED" "\$@"
	EOW
	chmod 755 "$wrapper"
	GW_SETTINGS_APPLIED=unknown
	PG_RESTART_ARGS=(-u nobody -r "$dir/run" -s "$dir/state")
	local real=$PASSGATED
	PASSGATED=$wrapper
	gateway_restart_with "$conf" 2>"$SCN_DIR/restart.err"
	st=$?
	PASSGATED=$real
	((st == 0)) || { fail "passgated -u nobody did not come up: $(tail -n 2 "$PG_LOG" | tr '\n' ' ')"; return; }
	PG_SOCK=$dir/ctl/passgated.sock

	# 1. What the running daemon holds.
	cp "/proc/$PG_PID/status" "$SCN_DIR/status"
	note "$(grep -E '^(Uid|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp):' "$SCN_DIR/status" | tr '\t\n' '  ')"
	grep -qE '^Uid:\s+65534\s+65534\s+65534\s+65534$' "$SCN_DIR/status" ||
		{ fail "not uid 65534: $(grep ^Uid "$SCN_DIR/status")"; return; }
	for st in CapEff CapPrm CapBnd CapAmb; do
		grep -qE "^$st:\s+0000000000003400$" "$SCN_DIR/status" ||
			{ fail "$st is not net_admin+net_bind_service+net_raw (3400): $(grep "^$st" "$SCN_DIR/status")"; return; }
	done
	grep -qE '^NoNewPrivs:\s+1$' "$SCN_DIR/status" || { fail "NoNewPrivs is not 1"; return; }
	grep -qE '^Seccomp:\s+2$' "$SCN_DIR/status" || { fail "no seccomp filter (Seccomp is not 2)"; return; }
	grep -q 'privileges: user nobody (uid 65534)' "$PG_LOG" ||
		{ fail "the log does not say which user it became"; return; }

	# 2. The data path.
	tnsx 10 "${NS_LAN[0]}" ping -c 3 -i 0.2 -W 2 "$SRV1_IP" >"$SCN_DIR/ping.log" 2>&1 ||
		{ fail "lan1 cannot ping $SRV1_IP under the dropped privileges"; return; }

	# 3. Reloads: SIGHUP (as systemctl reload) and through the API.
	kill -HUP "$PG_PID"
	wait_alive "$PG_PID" 5 grep -q 'RELOADING=1' "$notify" ||
		{ fail "no RELOADING=1 after SIGHUP"; return; }
	wait_alive "$PG_PID" 5 bash -c "sed -n '/RELOADING=1/,\$p' '$notify' | grep -q READY=1" ||
		{ fail "no READY=1 after the reload"; return; }
	out=$(gateway_ctl reload 2>&1) || { fail "passgatectl reload: $out"; return; }

	# 4. An API change, saved by uid 65534 into its file.
	out=$(gateway_ctl set timeouts udp 3m 2>&1) || { fail "passgatectl set: $out"; return; }
	grep -qE '^udp *= *3m' "$conf" || { fail "the config file does not say udp = 3m"; return; }
	[[ $(stat -c %u "$conf") == 65534 ]] || { fail "the saved file is not uid 65534's"; return; }

	# 5. dnsmasq: restarted by a [dhcp] change, as uid 65534 with its capabilities.
	wait_alive "$PG_PID" 10 grep -q 'dnsmasq: started pid' "$PG_LOG" ||
		{ fail "no dnsmasq started: $(grep dnsmasq "$PG_LOG" | tail -n 1)"; return; }
	old=$(grep 'dnsmasq: started pid' "$PG_LOG" | tail -n 1 | sed 's/.*started pid \([0-9]*\).*/\1/')
	out=$(gateway_ctl set dhcp lease 20m 2>&1) || { fail "passgatectl set dhcp: $out"; return; }
	wait_alive "$PG_PID" 10 bash -c "grep 'dnsmasq: started pid' '$PG_LOG' | tail -n 1 | grep -vq 'pid $old:'" ||
		{ fail "dnsmasq was not restarted after the change"; return; }
	new=$(grep 'dnsmasq: started pid' "$PG_LOG" | tail -n 1 | sed 's/.*started pid \([0-9]*\).*/\1/')
	wait_alive "$PG_PID" 10 listening "$NS_GW" udp 67 ||
		{ fail "the new dnsmasq does not listen: $(grep dnsmasq "$PG_LOG" | tail -n 2 | tr '\n' ' ')"; return; }
	user=$(ps -o uid= -p "$new" | tr -d ' ')
	[[ $user == 65534 ]] || { fail "dnsmasq $new runs as uid '$user'"; return; }
	grep -q "^dhcp-leasefile=$dir/state/dnsmasq.leases$" "$dir/run/dnsmasq.conf" ||
		{ fail "the lease file is not in the state directory"; return; }

	# 6. A capture of lan1's pings.
	gateway_ctl capture --seconds 3 --filter icmp -w "$SCN_DIR/ping.pcap" >"$SCN_DIR/capture.out" 2>&1 &
	local cap=$!
	sleep 0.5
	tnsx 10 "${NS_LAN[0]}" ping -c 3 -i 0.2 -W 2 "$SRV1_IP" >/dev/null 2>&1
	wait "$cap" || { fail "passgatectl capture: $(tail -n 1 "$SCN_DIR/capture.out")"; return; }
	pkts=$(grep -oE '^[0-9]+ packets' "$SCN_DIR/capture.out" | grep -oE '[0-9]+')
	((${pkts:-0} >= 6)) || { fail "the capture holds ${pkts:-no} packets, expected 6 or more"; return; }

	# 7. Still alive, keep-alives flowing, log lines for the journal.
	gateway_alive || { fail "passgated died ($PG_STATUS): $(tail -n 2 "$PG_LOG" | tr '\n' ' ')"; return; }
	grep -q 'READY=1' "$notify" || { fail "no READY=1"; return; }
	(($(grep -c 'WATCHDOG=1' "$notify") >= 2)) || { fail "fewer than 2 WATCHDOG=1 keep-alives"; return; }
	grep -q '^<6>info: privileges: ' "$PG_LOG" || { fail "log lines without the journal's <6> prefix"; return; }
	grep -qE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T' "$PG_LOG" && { fail "log lines with a timestamp of their own under JOURNAL_STREAM"; return; }
	gateway_stop_forget
	wait_until 3 grep -q 'STOPPING=1' "$notify" || { fail "no STOPPING=1 at the end"; return; }
	PASS_NOTE="uid 65534, CapEff=CapBnd=CapAmb 3400 (net_admin, net_bind_service, net_raw), NoNewPrivs 1, Seccomp 2; ping, SIGHUP and API reload, API change saved, dnsmasq restarted as 65534, capture of $pkts packets; READY/RELOADING/WATCHDOG/STOPPING; <6> journal lines"
}
