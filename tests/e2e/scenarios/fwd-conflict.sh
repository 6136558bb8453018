# SPDX-License-Identifier: MIT
# fwd-conflict: two forwards that claim the same traffic.
#
# passgated refuses them at configuration time, naming both rules by their
# text and file:line (docs/CONFIG.md "[forward]"):
#  - the same port twice (tcp 8080 to lan1, tcp 8080 to lan2): `passgated -t`
#    refuses, and so does a real start in the gateway's namespace;
#  - overlapping ranges (udp 5000-5010, udp 5005-5020): refused;
#  - forwards of every port and protocol a passthrough helper uses (UDP 500,
#    4500, 1701, TCP 1723, GRE, ESP): accepted, the decided rule being that
#    forwards own unsolicited inbound and passthrough keeps working for the
#    sessions LAN hosts start (docs/ENGINE.md "Inbound"; fwd-ipsec tests it
#    with traffic);
#  - through the API (POST /api/v1/forwards, passgated restarted with an API
#    token): "tcp 8080 lan1 7070" is added (200), "tcp 8000-8090 lan2" then
#    gets 400 naming both rules, "udp 500 lan1" is added (200); TCP from
#    pgsrv1 to 198.51.100.2:8080 reaches lan1's echo, 8085 (what the refused
#    rule wanted) stays shut.
# The Linux gateway has no such check: nftables takes both dnat rules of a
# pair (tcp dport 8080 to lan1:7070, then tcp dport 8000-8090 to lan2:7070,
# in a table of their own), and the first that matches wins: 8080 reaches
# lan1, 8085 lan2. Expected per gateway (lib/scenario-env.sh, judge):
# passgate "refused", linux "first-wins".

source "$E2E_DIR/lib/forward.sh"
EXPECT_PASSGATE=refused
EXPECT_LINUX=first-wins

FC_API=http://127.0.0.1:8080
FC_TOKEN=e2e-token-$RANDOM$RANDOM

scenario() {
	spawn tcp-echo-lan1 "${NS_LAN[0]}" "$PY" "$E2E_DIR/lib/tcpecho.py" server 7070
	spawn tcp-echo-lan2 "${NS_LAN[1]}" "$PY" "$E2E_DIR/lib/tcpecho.py" server 7070
	wait_listen "${NS_LAN[0]}" tcp 7070 && wait_listen "${NS_LAN[1]}" tcp 7070 ||
		{ fail "the servers inside did not start"; return; }
	if [[ $GATEWAY == passgate ]]; then
		fc_passgate
	else
		fc_linux
	fi
	# What ran here is not what the settings key says: the next scenario
	# gets its gateway settings applied afresh.
	GW_SETTINGS_APPLIED=unknown
}

# fc_passgate - the file checks, then the API.
fc_passgate() {
	local conf=$SCN_DIR/same-port.conf out rc
	fc_conf "$conf" "tcp 8080 ${LAN_IP[0]} 7070" "tcp 8080 ${LAN_IP[1]} 7070"
	fc_refused "$conf" "the same port" || return
	# A real start refuses it too, before it touches a link.
	tnsx 10 "$NS_GW" "$PASSGATED" -c "$conf" >"$SCN_DIR/start-same-port.log" 2>&1
	rc=$?
	((rc != 0 && rc != 124)) ||
		{ fail "passgated started with two forwards of tcp 8080 (status $rc)"; return; }
	fc_names_both "$conf" "$(cat "$SCN_DIR/start-same-port.log")" || return
	report fwd-conflict "[forward] tcp 8080 x2" "passgated -t, start" PASS "refused, both named"

	conf=$SCN_DIR/overlap.conf
	fc_conf "$conf" "udp 5000-5010 ${LAN_IP[0]}" "udp 5005-5020 ${LAN_IP[1]} 6005-6020"
	fc_refused "$conf" "overlapping ranges" || return
	report fwd-conflict "[forward] udp 5000-5010, 5005-5020" "passgated -t" PASS "refused, both named"

	conf=$SCN_DIR/passthrough-ports.conf
	fc_conf "$conf" "udp 500 ${LAN_IP[0]}" "udp 4500 ${LAN_IP[0]}" "udp 1701 ${LAN_IP[1]}" \
		"tcp 1723 ${LAN_IP[1]}" "gre ${LAN_IP[2]}" "esp ${LAN_IP[0]}"
	out=$(tnsx 10 "$NS_GW" "$PASSGATED" -t -c "$conf" 2>&1) ||
		{ fail "forwards of the passthrough helpers' ports were refused: $out"; return; }
	report fwd-conflict "[forward] udp 500,4500,1701 tcp 1723 gre esp" "passgated -t" PASS "accepted"

	fc_api || return
	judge refused "both conflicts refused in the file and through the API, each naming both rules"
}

# fc_conf FILE RULE... - the running gateway's config with these forwards.
fc_conf() {
	local f=$1 r
	shift
	{
		sed '/^\[forward\]/,$d' "$RUN_DIR/passgated.conf"
		printf '\n[forward]\n'
		for r in "$@"; do printf 'rule = %s\n' "$r"; done
	} >"$f"
}

# fc_refused FILE WHAT - `passgated -t` refuses FILE naming both rules.
fc_refused() {
	local out
	if out=$(tnsx 10 "$NS_GW" "$PASSGATED" -t -c "$1" 2>&1); then
		fail "passgated -t accepted two forwards with $2"
		return 1
	fi
	echo "$out" >"$SCN_DIR/check-$(basename "$1" .conf).log"
	fc_names_both "$1" "$out"
}

# fc_names_both FILE MESSAGE - MESSAGE names both rules of FILE's [forward]
# section by text and FILE:LINE.
fc_names_both() {
	local f=$1 msg=$2 l1 l2 r1 r2
	read -r l1 l2 < <(grep -n '^rule = ' "$f" | cut -d: -f1 | tr '\n' ' ')
	r1=$(sed -n "${l1}s/^rule = //p" "$f")
	r2=$(sed -n "${l2}s/^rule = //p" "$f")
	note "refused: $msg"
	[[ $msg == *"$f:$l2: [forward] rule: '$r2' "* && $msg == *"'$r1' ($f:$l1)"* ]] || {
		fail "the error does not name both rules ('$r2' at $f:$l2, '$r1' at $f:$l1): ${msg:0:200}"
		return 1
	}
}

# fc_api - restart passgated with an API token, add forwards through it.
fc_api() {
	local conf=$SCN_DIR/passgated-api.conf th body err l1 l2
	th=$("$PASSGATED" --hash-password <<<"$FC_TOKEN" | sed 's/^password_hash/token_hash/') ||
		{ fail "passgated --hash-password failed"; return 1; }
	{
		sed '/^\[forward\]/,$d' "$RUN_DIR/passgated.conf"
		printf '\n[api]\nlisten = 127.0.0.1:8080\n%s\n' "$th"
	} >"$conf"
	fc_restart "$conf" || return 1
	body=$(fc_post "tcp 8080 ${LAN_IP[0]} 7070") || { fail "API: adding tcp 8080: $body"; return 1; }
	[[ ${body%% *} == 200 ]] || { fail "API: adding tcp 8080 got ${body:0:200}"; return 1; }
	body=$(fc_post "tcp 8000-8090 ${LAN_IP[1]}")
	[[ ${body%% *} == 400 ]] || { fail "API: the overlapping tcp 8000-8090 got ${body:0:200}, expected 400"; return 1; }
	err=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["error"])' "${body#* }") ||
		{ fail "API: no error in ${body:0:200}"; return 1; }
	note "API refused: $err"
	l1=$(grep -n "^rule = tcp 8080 ${LAN_IP[0]} 7070$" "$conf" | cut -d: -f1)
	[[ -n $l1 && $err == *"'tcp 8000-8090 ${LAN_IP[1]}' claims traffic that 'tcp 8080 ${LAN_IP[0]} 7070' ($conf:$l1)"* ]] ||
		{ fail "API: the 400 does not name both rules: $err"; return 1; }
	body=$(fc_post "udp 500 ${LAN_IP[0]}")
	[[ ${body%% *} == 200 ]] || { fail "API: adding udp 500 (a passthrough port) got ${body:0:200}"; return 1; }
	l2=$(grep -c '^rule = ' "$conf")
	((l2 == 2)) || { fail "API: the config file holds $l2 forwards, expected 2"; return 1; }
	report fwd-conflict "POST /api/v1/forwards" "tcp 8080, tcp 8000-8090, udp 500" PASS "200, 400 naming both, 200"
	# The rule that was added works; what the refused one wanted stays shut.
	fwd_tcp api-8080 "$NS_SRV1" "$WAN_PUB" 8080 4096 ||
		{ fail "TCP $WAN_PUB:8080 (added through the API) did not reach lan1: $FWD_LINE"; return 1; }
	grep -q " to 7070 bytes 4096" "$SCN_DIR/tcp-echo-lan1.log" ||
		{ fail "lan1's server did not log the connection to 8080"; return 1; }
	if fwd_tcp api-8085 "$NS_SRV1" "$WAN_PUB" 8085 4096 || grep -q ' bytes ' "$SCN_DIR/tcp-echo-lan2.log"; then
		fail "TCP $WAN_PUB:8085 (the refused rule) got through: $FWD_LINE"
		return 1
	fi
	report fwd-conflict "$SRV1_IP -> $WAN_PUB:8080, 8085" "${LAN_IP[0]}:7070" PASS "8080 echoed, 8085 shut"
}

# fc_post RULE - POST a forward; prints "STATUS BODY".
fc_post() {
	local code
	code=$(tnsx 8 "$NS_GW" curl -s -o "$SCN_DIR/api.out" -w '%{http_code}' -X POST --max-time 5 \
		-H "Authorization: Bearer $FC_TOKEN" -H 'Content-Type: application/json' \
		--data-binary "{\"rule\": \"$1\"}" "$FC_API/api/v1/forwards")
	echo "POST $1 -> $code $(cat "$SCN_DIR/api.out")" >>"$SCN_DIR/api.log"
	echo "$code $(cat "$SCN_DIR/api.out")"
}

# fc_restart CONF - passgated again with CONF, as gateway_apply_settings
# does: stop it, forget its PID, start it, wait for the LAN and the API.
fc_restart() {
	gateway_restart_with "$1" tnsx 5 "$NS_GW" curl -s -o /dev/null --max-time 2 \
		"$FC_API/api/v1/auth" 2>/dev/null && return 0
	fail "passgated with an API token did not come back: $(tail -n 1 "$PG_LOG")"
	return 1
}

# fc_linux - the same pair as dnat rules: nftables takes both, the first
# that matches wins.
fc_linux() {
	local f=$SCN_DIR/conflict.nft got8080 got8085
	cat >"$f" <<-NFT
		table ip pgconflict {
			chain prerouting { type nat hook prerouting priority dstnat - 1; policy accept;
				iifname "wan0" ip daddr $WAN_PUB tcp dport 8080 dnat ip to ${LAN_IP[0]}:7070
				iifname "wan0" ip daddr $WAN_PUB tcp dport 8000-8090 dnat ip to ${LAN_IP[1]}:7070
			}
		}
	NFT
	nsx "$NS_GW" nft -f "$f" 2>"$SCN_DIR/nft.err" ||
		{ judge refused "nft refused the overlapping dnat rules: $(head -n 1 "$SCN_DIR/nft.err")"; return; }
	report fwd-conflict "dnat tcp 8080, 8000-8090" "nft -f" PASS "accepted"
	fwd_tcp lin-8080 "$NS_SRV1" "$WAN_PUB" 8080 4096
	got8080=none
	grep -q " to 7070 bytes 4096" "$SCN_DIR/tcp-echo-lan2.log" && got8080=lan2
	grep -q " to 7070 bytes 4096" "$SCN_DIR/tcp-echo-lan1.log" && got8080=lan1
	fwd_tcp lin-8085 "$NS_SRV1" "$WAN_PUB" 8085 4096
	got8085=none
	[[ $got8080 != lan2 ]] && grep -q " to 7070 bytes 4096" "$SCN_DIR/tcp-echo-lan2.log" && got8085=lan2
	nsx "$NS_GW" nft delete table ip pgconflict
	note "linux: 8080 reached $got8080, 8085 reached $got8085"
	if [[ $got8080 == lan1 && $got8085 == lan2 ]]; then
		judge first-wins "nft took both dnat rules; 8080 reached lan1 (the first rule), 8085 lan2"
	else
		judge other "nft took both dnat rules; 8080 reached $got8080, 8085 $got8085"
	fi
}
