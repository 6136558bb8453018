# SPDX-License-Identifier: MIT
# tests/e2e/lib/scenario-env.sh - what a scenario may ask of the world before
# it runs, and outcomes that differ per gateway. Sourced by lib/harness.sh.
#
# Gateway settings. A scenario file may set, at its top level:
#
#   GW_FORWARDS=("tcp 8080 192.168.1.10 80" "udp 9000-9002 192.168.1.11" ...)
#       servers inside, in passgated's [forward] rule syntax (docs/CONFIG.md):
#       PROTO WAN-PORT[-HI] HOST [LAN-PORT[-HI]], or "gre HOST" / "esp HOST";
#   GW_DMZ=192.168.1.12
#       the DMZ host: inbound traffic nothing else claims;
#   GW_WAN_MTU=1400
#       the MTU of the gateway's WAN link (both ends of it);
#   GW_PASSTHROUGH="pptp=off ipsec=off l2tp=off"
#       passthrough switches (passgated's [passthrough] keys); the Linux
#       gateway drops that VPN type's traffic in its forward path instead.
#   GW_OFFLOAD=auto / on / off
#       passgated's [datapath] offload (the XDP fast path; unset: auto, on in
#       this world as the links' peers have GRO on); the Linux gateway
#       ignores it;
#   GW_SHAPE_UP=50mbit  GW_SHAPE_DOWN=200mbit
#       the WAN shaper (passgated's [wan] shape_up, shape_down); the Linux
#       gateway gets an HTB class at that rate on wan0 (lan0 for down),
#       the only shapers its kernel has (no fq_codel, no cake).
#
# The harness applies them before the scenario (lib/gateway-*.sh,
# gateway_apply_settings: passgated is restarted with a config holding them;
# the Linux gateway gets the equivalent nftables rules) and puts the default
# world back before the next scenario that does not ask for them. Scenarios
# asking for the same settings one after the other share one gateway start.
#
# Outcomes that differ per gateway. Normally a scenario passes or fails the
# same way whatever the gateway. When the right outcome depends on the
# gateway (Linux NAT cannot do something passgated does, or the other way
# round), the scenario file sets, at its top level, one word per gateway:
#
#   EXPECT_PASSGATE=both    EXPECT_LINUX=one
#
# works out the word for what it observed and calls
#
#   judge OBSERVED "what happened"
#
# judge passes when OBSERVED equals the word for the gateway under test (a
# gateway without an EXPECT_ variable expects "pass"), and the PASS line then
# says why: "PASS esp-raw (linux: lan2 got nothing, as expected)". Otherwise
# the scenario fails with both words. A scenario may judge several outcomes;
# the notes are joined.

GW_SETTINGS_APPLIED="dmz=;mtu="	# what the running gateway has (this: nothing)
PASS_NOTE=			# why a judged scenario passed

# scenario_env_reset - forget the previous scenario's requests (before each
# scenario file is sourced).
scenario_env_reset() {
	unset GW_FORWARDS GW_DMZ GW_WAN_MTU GW_PASSTHROUGH GW_SHAPE_UP GW_SHAPE_DOWN GW_OFFLOAD \
		EXPECT_PASSGATE \
		EXPECT_LINUX
	PASS_NOTE=
}

# gw_settings_key - the requested settings as one line, to compare.
gw_settings_key() {
	local f
	for f in "${GW_FORWARDS[@]}"; do printf 'fwd=%s;' "$f"; done
	printf 'dmz=%s;mtu=%s' "${GW_DMZ:-}" "${GW_WAN_MTU:-}"
	# Only when asked for, so the default key stays what a fresh world has.
	[[ -n ${GW_PASSTHROUGH:-} ]] && printf ';pt=%s' "$GW_PASSTHROUGH"
	[[ -n ${GW_SHAPE_UP:-}${GW_SHAPE_DOWN:-} ]] &&
		printf ';shape=%s/%s' "${GW_SHAPE_UP:-}" "${GW_SHAPE_DOWN:-}"
	[[ -n ${GW_OFFLOAD:-} ]] && printf ';offload=%s' "$GW_OFFLOAD"
	return 0
}

# gw_settings_apply - give the gateway what the scenario asked for, if it
# does not have it already. False (with FAIL_REASON set) when it could not.
gw_settings_apply() {
	local want err
	want=$(gw_settings_key)
	[[ $want == "$GW_SETTINGS_APPLIED" ]] && return 0
	echo "gateway settings: $want" >>"$RUN_DIR/harness.log"
	# The WAN link's MTU is the world's: the internet router's end too.
	ip -n "$NS_INET" link set eth0 mtu "${GW_WAN_MTU:-1500}" || true
	if ! gateway_apply_settings 2>"$SCN_DIR/gateway-settings.err"; then
		err=$(head -n 1 "$SCN_DIR/gateway-settings.err")
		GW_SETTINGS_APPLIED=unknown
		fail "the gateway refused the scenario's settings: ${err:-see $SCN_DIR}"
		return 1
	fi
	GW_SETTINGS_APPLIED=$want
	return 0
}

# gw_forward_parse RULE - split a GW_FORWARDS entry into FWD_PROTO, FWD_WLO,
# FWD_WHI, FWD_HOST, FWD_LLO, FWD_LHI (ports empty for gre and esp; LAN
# ports default to the WAN ones).
gw_forward_parse() {
	local a b c d
	read -r a b c d <<<"$1"
	FWD_PROTO=$a FWD_WLO='' FWD_WHI='' FWD_LLO='' FWD_LHI=''
	if [[ $a == gre || $a == esp ]]; then
		FWD_HOST=$b
		return 0
	fi
	FWD_HOST=$c
	FWD_WLO=${b%-*} FWD_WHI=${b#*-}
	d=${d:-$b}
	FWD_LLO=${d%-*} FWD_LHI=${d#*-}
}

# judge OBSERVED TEXT - compare an observed outcome with the one expected for
# the gateway under test (see the top of this file).
judge() {
	local seen=$1 text=$2 var want
	var=EXPECT_${GATEWAY^^}
	want=${!var:-pass}
	if [[ $seen == "$want" ]]; then
		PASS_NOTE="${PASS_NOTE:+$PASS_NOTE; }$GATEWAY: $text, as expected"
		note "judge: $GATEWAY expected '$want', observed '$seen': $text"
		return 0
	fi
	fail "$GATEWAY: expected outcome '$want', observed '$seen' ($text)"
}
