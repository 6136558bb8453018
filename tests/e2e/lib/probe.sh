# SPDX-License-Identifier: MIT
# tests/e2e/lib/probe.sh - what the probe-* scenarios share: a
# passgate-probe responder on pgsrv1 (with a second address, so mapping and
# filtering can be told apart by address too), runs of the prober from a LAN
# host, and reading its JSON report. Sourced by scenarios.

PROBE=${PROBE:-$REPO/build/passgate-probe}
PROBE_ADDR2=203.0.113.11	# pgsrv1's second address, for the responder only

# probe_serve - start the responder on pgsrv1; false (scenario failed) if
# it does not come up.
probe_serve() {
	[[ -x $PROBE ]] || { fail "build/passgate-probe missing"; return; }
	# Linux tracks raw ESP by address pair only: an entry left by an
	# earlier scenario's ESP from another LAN host would take the
	# responder's ESP answer there. Each probe scenario starts clean.
	[[ $GATEWAY == linux ]] && nsx "$NS_GW" conntrack -F >/dev/null 2>&1
	ip -n "$NS_SRV1" addr add "$PROBE_ADDR2/24" dev eth0 2>/dev/null
	spawn probe-serve "$NS_SRV1" "$PROBE" serve --addr "$SRV1_IP" --addr2 "$PROBE_ADDR2"
	wait_alive "$LAST_PID" 5 listening "$NS_SRV1" tcp 1723 ||
		{ fail "the responder did not start: $(tail -n 1 "$SCN_DIR/probe-serve.log")"; return; }
}

# probe_unserve - take the second address away again (the responder itself
# is stopped with the scenario's other processes).
probe_unserve() {
	ip -n "$NS_SRV1" addr del "$PROBE_ADDR2/24" dev eth0 2>/dev/null
	return 0
}

# probe_check NAME NS ARGS... - run "check --json ARGS" in NS: the report
# in NAME.json, progress in NAME.err. PROBE_RC is the exit status.
probe_check() {
	local name=$1 ns=$2
	shift 2
	tnsx 90 "$ns" "$PROBE" check --json "$@" >"$SCN_DIR/$name.json" 2>"$SCN_DIR/$name.err"
	PROBE_RC=$?
	note "probe $name: exit status $PROBE_RC"
	return 0
}

# probe_table NAME NS ARGS... - the human-readable report, kept for people.
probe_table() {
	local name=$1 ns=$2
	shift 2
	tnsx 90 "$ns" "$PROBE" check "$@" >"$SCN_DIR/$name.txt" 2>&1
	PROBE_RC=$?
}

# probe_status NAME ID - a check's status in NAME.json (PASS/WARN/FAIL/SKIP).
probe_status() {
	jq -r --arg id "$2" '.checks[] | select(.id == $id) | .status' "$SCN_DIR/$1.json" 2>/dev/null
}

# probe_field NAME ID FIELD - detail, symptom or fix of a check.
probe_field() {
	jq -r --arg id "$2" --arg f "$3" '.checks[] | select(.id == $id) | .[$f] // ""' \
		"$SCN_DIR/$1.json" 2>/dev/null
}

# probe_not_passed NAME [ID...] - the checks (all, or those named) that are
# neither PASS nor SKIP, as "id=STATUS" words; empty when all passed.
probe_not_passed() {
	local name=$1
	shift
	jq -r --args '.checks[] | select(($ARGS.positional | length) == 0 or
		(.id | IN($ARGS.positional[]))) | select(.status != "PASS" and .status != "SKIP") |
		"\(.id)=\(.status)"' "$@" <"$SCN_DIR/$name.json" 2>/dev/null | tr '\n' ' '
}

# probe_seen NAME - the public address:port the responder saw.
probe_seen() {
	jq -r '.public' "$SCN_DIR/$1.json" 2>/dev/null
}

# ike_conf DIR - a strongSwan responder accepting any IKEv2 initiator with
# a PSK (probe-ike, probe-ike6).
ike_conf() {
	cat >"$1/strongswan.conf" <<-CONF
		charon {
			load_modular = no
			load = random nonce aes sha1 sha2 hmac kdf curve25519 gmp kernel-libipsec kernel-netlink socket-default updown vici
			plugins {
				vici { socket = unix://$1/charon.vici }
			}
			filelog {
				main {
					path = $1/charon.log
					default = 1
					ike = 2
					net = 2
					time_format = %T
					flush_line = yes
				}
			}
			syslog { daemon { default = -1 } }
		}
	CONF
	cat >"$1/swanctl.conf" <<-CONF
		connections {
			rw {
				version = 2
				proposals = aes128-sha256-x25519
				local { auth = psk
					id = srv@pg }
				remote { auth = psk }
				children { net { local_ts = 10.10.0.1/32 } }
			}
		}
		secrets {
			ike-all { secret = "pg-probe-ike-secret" }
		}
	CONF
}
