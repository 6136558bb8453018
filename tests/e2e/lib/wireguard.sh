# SPDX-License-Identifier: MIT
# tests/e2e/lib/wireguard.sh - wireguard-go peers for wireguard and
# fwd-wireguard. Sourced by those scenarios.
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
