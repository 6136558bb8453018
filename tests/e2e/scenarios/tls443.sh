# SPDX-License-Identifier: MIT
# tls443: TLS on TCP 443 through the gateway (the carrier SSTP rides on).
# A TLS server on pgsrv1 (socat over OpenSSL, certificate made at run time)
# first tells each client the address:port it sees it at, then echoes what
# it receives. Two LAN clients at once each send 48 KB of random text and
# check the echo byte for byte, verifying the server's certificate against
# the pinned copy.

TLS_PORT=443

scenario() {
	need socat || return
	local i pids=() out seen
	pki_selfsigned pgsrv1 || { fail "openssl could not make a certificate"; return; }
	spawn tls-srv "$NS_SRV1" socat -d -d \
		"OPENSSL-LISTEN:$TLS_PORT,reuseaddr,fork,cert=$RUN_DIR/pki/pgsrv1.crt,key=$RUN_DIR/pki/pgsrv1.key,verify=0" \
		'SYSTEM:echo "SEEN $SOCAT_PEERADDR:$SOCAT_PEERPORT"; exec cat'
	wait_listen "$NS_SRV1" tcp "$TLS_PORT" || { fail "TLS server did not start"; return; }
	for i in 0 1; do
		head -c 36864 /dev/urandom | base64 >"$SCN_DIR/payload$i.txt"
		# -t 5: after our side's EOF keep reading the echo for up to 5 s.
		spawn "tls-lan$((i + 1))" "${NS_LAN[$i]}" sh -c 'exec timeout 15 socat -t 5 \
			"OPENSSL:$1:$2,cafile=$3,commonname=pgsrv1" - <"$4" >"$5"' sh \
			"$SRV1_IP" "$TLS_PORT" "$RUN_DIR/pki/pgsrv1.crt" "$SCN_DIR/payload$i.txt" "$SCN_DIR/echo$i.txt"
		pids+=("$LAST_PID")
	done
	for i in 0 1; do
		wait "${pids[$i]}"
		out=$SCN_DIR/echo$i.txt
		seen=$(head -n 1 "$out" | sed -n 's/^SEEN //p')
		if ! tail -n +2 "$out" | cmp -s - "$SCN_DIR/payload$i.txt"; then
			fail "lan$((i + 1)): echo differs from what was sent ($(wc -c <"$out") bytes back; $(tail -n 1 "$SCN_DIR/tls-lan$((i + 1)).log" | cut -c 1-100))"
			return
		fi
		all_from_public "$seen" ||
			{ fail "TLS server saw lan$((i + 1)) as '${seen:-nothing}', expected $WAN_PUB"; return; }
		report tls443 "${LAN_IP[$i]}" "$SRV1_IP:$TLS_PORT/tcp" PASS "$seen"
	done
}
