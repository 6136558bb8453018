# SPDX-License-Identifier: MIT
# tests/e2e/lib/wireguard.sh - wireguard-go peers for wireguard and
# fwd-wireguard, ipv6-wireguard, ipv6-vpn, ipv6-hostpath and
# wan-address-change. Sourced by those scenarios.
#
# wireguard-go and wg meet at /run/wireguard/IFNAME.sock, on the filesystem
# every namespace shares: each peer gets a private /run (a directory of the
# scenario bind-mounted over /run in the mount namespace `ip netns exec`
# makes), so nothing is written to the host's /run and peers cannot see each
# other's sockets. Peer N's key is $SCN_DIR/wgN.key, its /run $SCN_DIR/runN.

# wg_peer_start N NS IFNAME - a key for peer N and wireguard-go in NS, in the
# foreground as our child; true once its control socket is there.
wg_peer_start() {
	local n=$1 ns=$2 ifname=$3
	(umask 077 && wg genkey >"$SCN_DIR/wg$n.key") || { fail "wg genkey failed"; return; }
	mkdir -p "$SCN_DIR/run$n"
	spawn "wireguard-go-$n" "$ns" sh -c \
		'mount --bind "$1" /run && LOG_LEVEL=verbose exec wireguard-go -f "$2"' \
		sh "$SCN_DIR/run$n" "$ifname"
	wait_until 5 test -S "$SCN_DIR/run$n/wireguard/$ifname.sock" ||
		{ fail "wireguard-go $ifname did not start: $(tail -n 1 "$SCN_DIR/wireguard-go-$n.log")"; return; }
}

# wg_pub N - peer N's public key.
wg_pub() {
	wg pubkey <"$SCN_DIR/wg$1.key"
}

# wgx N NS ARGS... - run wg in NS with peer N's private /run.
wgx() {
	local n=$1 ns=$2
	shift 2
	timeout 5 ip netns exec "$ns" sh -c 'mount --bind "$1" /run && shift && exec wg "$@"' \
		sh "$SCN_DIR/run$n" "$@"
}

# wg_star PREFIX ENDPOINT PROTO REMOTE - the wireguard and ipv6-wireguard
# world: a server on srv1 (tunnel 10.9.0.1) and peers on lan1 and lan2
# (10.9.0.2, .3), all on UDP $WG_PORT, the LAN peers dialling ENDPOINT
# (host:port as wg takes it). Device names PREFIX0..2-$SFX. Returns once a
# ping inside each LAN peer's tunnel is answered, then three more; on
# failure writes a report row (PROTO, REMOTE) and the reason. Sets WG_IFS and
# WG_PUBS.
wg_star() {
	local prefix=$1 endpoint=$2 proto=$3 remote=$4 i ns
	WG_IFS=() WG_PUBS=()
	for i in 0 1 2; do
		WG_IFS[i]=$prefix$i-$SFX
		ns=$NS_SRV1
		((i > 0)) && ns=${NS_LAN[$((i - 1))]}
		wg_peer_start "$i" "$ns" "${WG_IFS[$i]}" || return
		WG_PUBS[i]=$(wg_pub "$i")
	done
	wgx 0 "$NS_SRV1" set "${WG_IFS[0]}" listen-port "$WG_PORT" private-key "$SCN_DIR/wg0.key" \
		peer "${WG_PUBS[1]}" allowed-ips 10.9.0.2/32 \
		peer "${WG_PUBS[2]}" allowed-ips 10.9.0.3/32 || { fail "wg set on the server failed"; return; }
	ip -n "$NS_SRV1" addr add 10.9.0.1/24 dev "${WG_IFS[0]}"
	ip -n "$NS_SRV1" link set "${WG_IFS[0]}" up
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		wgx "$i" "$ns" set "${WG_IFS[$i]}" listen-port "$WG_PORT" private-key "$SCN_DIR/wg$i.key" \
			peer "${WG_PUBS[0]}" endpoint "$endpoint" allowed-ips 10.9.0.0/24 \
			persistent-keepalive 5 || { fail "wg set on lan$i failed"; return; }
		ip -n "$ns" addr add "10.9.0.$((i + 1))/24" dev "${WG_IFS[$i]}"
		ip -n "$ns" link set "${WG_IFS[$i]}" up
	done
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		if ! wait_until 10 nsx "$ns" ping -n -c 1 -W 1 10.9.0.1; then
			report "$proto" "lan$i:$WG_PORT" "$remote" FAIL -
			fail "lan$i: no ping answered inside the tunnel within 10 s"
			return
		fi
		tnsx 10 "$ns" ping -n -c 3 -i 0.2 -W 2 10.9.0.1 >"$SCN_DIR/tunnel-ping-lan$i.log" 2>&1 ||
			{ fail "lan$i: tunnel ping lost replies once up"; return; }
	done
	wgx 0 "$NS_SRV1" show "${WG_IFS[0]}" >"$SCN_DIR/wg-show-server.txt" 2>&1
}

# wg_star_seen I - where srv1's server has LAN peer I (host:port).
wg_star_seen() {
	wgx 0 "$NS_SRV1" show "${WG_IFS[0]}" endpoints | awk -v k="${WG_PUBS[$1]}" '$1 == k {print $2}'
}
