# SPDX-License-Identifier: MIT
# api-tls: the admin page and API over HTTPS on the LAN address, and
# passgatectl trusting only the gateway's own certificate.
#
#   lan1 ── passgatectl (libcurl) ──► https://192.168.1.1/ ─► passgated ─► pgh-lan0
#           --cacert / --pin / pinned on first use          (self-signed, made at
#                                                             first start in -s DIR)
#
# passgated restarted with [api] listen = 192.168.1.1:443 and a token, no
# tls_cert: it makes a self-signed certificate in its state directory and
# logs its public key pin. Passes when from lan1: passgatectl --cacert (the
# gateway's certificate) with --token-file reads the status and makes a
# change; --pin with the logged pin works; without either, the first
# contact pins the key (printed, kept in ~/.config/passgate/pins) and the
# second uses it; a wrong --cacert, a wrong --pin and a changed pinned key
# are refused (exit 1, nothing changed); plain HTTP on the port gets no
# page; a restart keeps the same certificate.
# Only for --gateway passgate.

source "$E2E_DIR/lib/hostpath.sh"

scenario() {
	[[ $GATEWAY == passgate ]] || { fail "passgated's API: run with --gateway passgate"; return; }
	need openssl || return
	local creds lan=${NS_LAN[0]} url=https://$LAN_GW state=$SCN_DIR/state pin pin2 out
	local C=$REPO/build/passgatectl home=$SCN_DIR/home tok=$SCN_DIR/token
	creds=$(hp_credentials) || { fail "passgated --hash-password failed"; return; }
	PG_RESTART_ARGS=(-s "$state")
	hp_restart "$(printf '[api]\nlisten = %s:443\n%s\n' "$LAN_GW" "$creds")" || return
	wait_listen "$NS_GW" tcp 443 5 || { fail "the API does not listen on $LAN_GW:443"; return; }
	pin=$(grep -o 'public key pin sha256//[^ ]*' "$PG_LOG" | tail -n 1 | awk '{print $4}')
	[[ $pin == sha256//* ]] || { fail "passgated logged no pin: $(grep 'api:' "$PG_LOG" | tail -n 2 | tr '\n' ' ')"; return; }
	[[ -s $state/api-cert.pem && $(stat -c %a "$state/api-key.pem") == 600 ]] ||
		{ fail "no certificate, or a key readable by others, in $state"; return; }
	printf '%s\n' "$HP_TOKEN" >"$tok"
	chmod 600 "$tok"

	# --cacert: read and change.
	out=$(tnsx 15 "$lan" "$C" --url "$url" --cacert "$state/api-cert.pem" --token-file "$tok" status 2>&1) ||
		{ fail "passgatectl --cacert status: $out"; return; }
	[[ $out == "passgated "* ]] || { fail "status over TLS: $out"; return; }
	out=$(tnsx 15 "$lan" "$C" --url "$url" --cacert "$state/api-cert.pem" --token-file "$tok" set timeouts udp 3m 2>&1) ||
		{ fail "passgatectl --cacert set: $out"; return; }
	# --pin.
	out=$(tnsx 15 "$lan" "$C" --url "$url" --pin "$pin" --token-file "$tok" status 2>&1) ||
		{ fail "passgatectl --pin status: $out"; return; }
	# First contact pins, the second uses the pin.
	mkdir -p "$home"
	out=$(tnsx 15 "$lan" env HOME="$home" "$C" --url "$url" --token-file "$tok" status 2>&1) ||
		{ fail "first contact: $out"; return; }
	grep -q "first contact with $url: its public key $pin is now pinned" <<<"$out" ||
		{ fail "the first contact did not print the pin: $(head -n 1 <<<"$out")"; return; }
	grep -qx "$url $pin" "$home/.config/passgate/pins" || { fail "the pin was not kept"; return; }
	out=$(tnsx 15 "$lan" env HOME="$home" "$C" --url "$url" --token-file "$tok" status 2>&1) ||
		{ fail "second contact: $out"; return; }
	grep -q 'first contact' <<<"$out" && { fail "the second contact pinned again"; return; }

	# Refusals: another certificate, another pin, a changed pinned key, plain HTTP.
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 \
		-subj "/CN=$LAN_GW" -addext "subjectAltName=IP:$LAN_GW" \
		-keyout "$SCN_DIR/other.key" -out "$SCN_DIR/other.pem" >/dev/null 2>&1 ||
		{ fail "openssl could not make a second certificate"; return; }
	out=$(tnsx 15 "$lan" "$C" --url "$url" --cacert "$SCN_DIR/other.pem" --token-file "$tok" set timeouts udp 4m 2>&1) &&
		{ fail "a wrong --cacert was accepted"; return; }
	note "wrong --cacert: $out"
	pin2=$(openssl x509 -in "$SCN_DIR/other.pem" -pubkey -noout | openssl pkey -pubin -outform der |
		openssl dgst -sha256 -binary | base64)
	out=$(tnsx 15 "$lan" "$C" --url "$url" --pin "sha256//$pin2" --token-file "$tok" set timeouts udp 4m 2>&1) &&
		{ fail "a wrong --pin was accepted"; return; }
	note "wrong --pin: $out"
	echo "$url sha256//$pin2" >"$home/.config/passgate/pins"
	out=$(tnsx 15 "$lan" env HOME="$home" "$C" --url "$url" --token-file "$tok" status 2>&1) &&
		{ fail "a changed pinned key was accepted"; return; }
	grep -qE '^udp *= *3m' "$HP_CONF" || { fail "a refused request changed the file"; return; }
	[[ $(hp_http "$lan" "http://$LAN_GW:443/") == 200 ]] && { fail "plain HTTP got the page on 443"; return; }

	# A restart keeps the certificate (and so its pin).
	PG_RESTART_ARGS=(-s "$state")
	gateway_restart_with "$HP_CONF" 2>/dev/null || { fail "passgated did not come back"; return; }
	wait_listen "$NS_GW" tcp 443 5 || { fail "no API after the restart"; return; }
	grep -q "public key pin $pin" "$PG_LOG" || { fail "another pin after the restart"; return; }
	grep -q 'made now' "$PG_LOG" && { fail "the certificate was made again"; return; }
	PASS_NOTE="self-signed ECDSA, pin ${pin:0:20}...; --cacert, --pin, first-use pinning work; wrong cacert, wrong pin, changed key, plain HTTP refused; kept across a restart"
}
