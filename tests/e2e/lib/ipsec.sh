# SPDX-License-Identifier: MIT
# tests/e2e/lib/ipsec.sh - strongSwan (charon with kernel-libipsec: ESP in
# userspace over TUN, always in UDP) as one responder on pgsrv1 and up to
# three initiators on the LAN hosts, for ipsec-multi, ikev1, ipsec-off,
# fragments and ipv6-vpn (IPSEC_SERVER set to srv1's IPv6 address). Sourced
# by those scenarios.
#
# Settings, set by the scenario before ipsec_start:
#   IPSEC_VERSION=2|1      IKE version (IKEv1: main mode, tunnel mode)
#   IPSEC_AUTH=psk|cert    cert: RSA 2048 certificates from a throwaway CA,
#                          bloated with subjectAltNames and always sent, so
#                          IKE_AUTH is far larger than the MTU
#   IPSEC_FRAG=yes|no      IKE fragmentation (no: the IP layer fragments)
#   IPSEC_PROPOSALS=...    IKE proposals (default aes128-sha256-x25519)
#   IPSEC_DPD=5s           initiators check liveness this often (an IKE
#                          message, which also tells the responder a new
#                          NAT mapping: wan-address-change)
#
# Where the peers are, set by the scenario before ipsec_start (fwd-ipsec puts
# a responder inside the LAN and initiators on both sides):
#   IPSEC_NS[N]=NS         peer N's namespace (default: 0 pgsrv1, N lanN)
#   IPSEC_SERVER[N]=ADDR   the address initiator N dials (default pgsrv1's)
#   IPSEC_RESPONDERS="0"   the peers that are responders
#
# Each charon gets a private /run (its pid file path is fixed) by a bind
# mount in the mount namespace `ip netns exec` makes; swanctl reaches it
# through a vici socket in the scenario directory. Peer 0 is the responder,
# peer N the initiator on lanN (tunnel address 10.10.1.N+1; the responder's
# is 10.10.0.1).

IPSEC_PSK=pg-e2e-shared-secret
IPSEC_VERSION=2
IPSEC_AUTH=psk
IPSEC_FRAG=yes
IPSEC_PROPOSALS=aes128-sha256-x25519
IPSEC_NS=()
IPSEC_SERVER=()
IPSEC_RESPONDERS="0"

# ipsec_is_responder N - peer N answers rather than initiates.
ipsec_is_responder() {
	[[ " $IPSEC_RESPONDERS " == *" $1 "* ]]
}

# ipsec_ns N - peer N's namespace.
ipsec_ns() {
	local ns=$NS_SRV1
	(($1 > 0)) && ns=${NS_LAN[$(($1 - 1))]:-}
	echo "${IPSEC_NS[$1]:-$ns}"
}

# ipsec_pki N - a CA and certificates for the responder and initiators 1..N
# in $SCN_DIR/pki (RSA 2048, 40 subjectAltNames each: about 3 KB).
ipsec_pki() {
	local n=$1 d=$SCN_DIR/pki i name san j
	mkdir -p "$d"
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$d/ca.key" -out "$d/ca.crt" \
		-days 2 -subj "/CN=pg e2e throwaway CA" -addext "basicConstraints=critical,CA:TRUE" \
		>>"$d/openssl.log" 2>&1 || return 1
	for ((i = 0; i <= n; i++)); do
		name=lan$i@pg
		((i == 0)) && name=srv@pg
		san="email:$name"
		for ((j = 0; j < 40; j++)); do
			san+=",DNS:padding-name-$j.a-rather-long-subdomain.example.net"
		done
		openssl req -newkey rsa:2048 -nodes -keyout "$d/$i.key" -out "$d/$i.csr" \
			-subj "/CN=$name" >>"$d/openssl.log" 2>&1 || return 1
		printf 'subjectAltName=%s\n' "$san" >"$d/$i.ext"
		openssl x509 -req -in "$d/$i.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" \
			-CAcreateserial -days 2 -extfile "$d/$i.ext" -out "$d/$i.crt" \
			>>"$d/openssl.log" 2>&1 || return 1
	done
}

# ipsec_conf N DIR - strongswan.conf and swanctl.conf for peer N.
ipsec_conf() {
	local n=$1 d=$2 local_auth remote_auth secrets send_cert=ifasked
	cat >"$d/strongswan.conf" <<-CONF
		charon {
			# Only what is needed, and kernel-libipsec before kernel-netlink.
			load_modular = no
			load = random nonce aes sha1 sha2 hmac kdf curve25519 gmp mgf1 pem pkcs1 pkcs8 x509 pubkey constraints kernel-libipsec kernel-netlink socket-default updown vici
			install_virtual_ip = no
			plugins {
				vici { socket = unix://$d/charon.vici }
			}
			filelog {
				main {
					path = $d/charon.log
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
	if [[ $IPSEC_AUTH == cert ]]; then
		local p=$SCN_DIR/pki
		local_auth="auth = pubkey
					certs = $p/$n.crt"
		remote_auth="auth = pubkey
					cacerts = $p/ca.crt"
		# swanctl loads private keys from private/ next to swanctl.conf.
		mkdir -p "$d/private"
		cp "$p/$n.key" "$d/private/$n.key"
		secrets=
		send_cert=always
	else
		local_auth="auth = psk"
		remote_auth="auth = psk"
		secrets="ike-all { secret = \"$IPSEC_PSK\" }"
	fi
	if ipsec_is_responder "$n"; then
		cat >"$d/swanctl.conf" <<-CONF
			connections {
				rw {
					version = $IPSEC_VERSION
					proposals = $IPSEC_PROPOSALS
					fragmentation = $IPSEC_FRAG
					send_cert = $send_cert
					mobike = no
					local { $local_auth
						id = srv@pg }
					remote { $remote_auth }
					children {
						net {
							local_ts = 10.10.0.1/32
							remote_ts = 10.10.1.0/24
							esp_proposals = aes128-sha256
						}
					}
				}
			}
			secrets {
				$secrets
			}
		CONF
	else
		cat >"$d/swanctl.conf" <<-CONF
			connections {
				gw {
					version = $IPSEC_VERSION
					remote_addrs = ${IPSEC_SERVER[$n]:-$SRV1_IP}
					${IPSEC_DPD:+dpd_delay = $IPSEC_DPD}
					proposals = $IPSEC_PROPOSALS
					fragmentation = $IPSEC_FRAG
					send_cert = $send_cert
					mobike = no
					local { $local_auth
						id = lan$n@pg }
					remote { $remote_auth
						id = srv@pg }
					children {
						net {
							local_ts = 10.10.1.$((n + 1))/32
							remote_ts = 10.10.0.1/32
							esp_proposals = aes128-sha256
						}
					}
				}
			}
			secrets {
				$secrets
			}
		CONF
	fi
}

# ipsec_start N - start peers 0..N, the responder(s) and the initiators (not
# yet initiating), and load their configurations.
ipsec_start() {
	local n=$1 i ns d tun
	[[ -x /usr/lib/ipsec/charon ]] || { fail "strongSwan's charon not installed"; return; }
	need swanctl || return
	if [[ $IPSEC_AUTH == cert ]]; then
		ipsec_pki "$n" || { fail "could not make certificates: $(tail -n 1 "$SCN_DIR/pki/openssl.log")"; return; }
	fi
	for ((i = 0; i <= n; i++)); do
		d=$SCN_DIR/ipsec$i
		ns=$(ipsec_ns "$i")
		mkdir -p "$d/run"
		ipsec_conf "$i" "$d"
		tun=10.10.1.$((i + 1))
		ipsec_is_responder "$i" && tun=10.10.0.1
		ip -n "$ns" addr replace "$tun/32" dev lo
		# Left behind, srv1's 10.10.1.2 (fwd-ipsec's initiator there) would
		# swallow every later scenario's replies into lan1's tunnel.
		scn_undo ip -n "$ns" addr del "$tun/32" dev lo
		spawn "charon$i" "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" sh -c \
			'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$d/run"
		wait_alive "$LAST_PID" 5 test -S "$d/charon.vici" ||
			{ fail "charon $i did not start: $(tail -n 1 "$SCN_DIR/charon$i.log")"; return; }
		STRONGSWAN_CONF="$d/strongswan.conf" timeout 10 swanctl --load-all \
			--file "$d/swanctl.conf" --uri "unix://$d/charon.vici" >"$d/load.log" 2>&1 ||
			{ fail "swanctl could not load config $i: $(tail -n 1 "$d/load.log")"; return; }
	done
}

# ipsec_initiate N - initiators 1..N start their tunnels, all at once.
ipsec_initiate() {
	local i d
	for ((i = 1; i <= $1; i++)); do
		d=$SCN_DIR/ipsec$i
		spawn "initiate$i" "${NS_LAN[$((i - 1))]}" env STRONGSWAN_CONF="$d/strongswan.conf" \
			timeout 15 swanctl --initiate --child net --uri "unix://$d/charon.vici"
	done
}

# ipsec_tunnel_up I SECS - lanI's first ping inside its tunnel is answered
# within SECS seconds.
ipsec_tunnel_up() {
	local ns=${NS_LAN[$(($1 - 1))]}
	# A ping the host answers itself (10.10.0.1 on its own loopback) has not
	# crossed the gateway: never count it as a tunnel.
	if ip -n "$ns" route get 10.10.0.1 2>/dev/null | grep -q '^local '; then
		echo "10.10.0.1 is an address of lan$1 itself" >&2
		return 1
	fi
	wait_until "$2" nsx "$ns" ping -n -c 1 -W 1 10.10.0.1
}

# ipsec_why I - the first line in lanI's charon log that says what went wrong.
ipsec_why() {
	grep -m1 -iE 'failed|error|retransmit|no response' "$SCN_DIR/ipsec$1/charon.log" 2>/dev/null | cut -c 1-110
}

# ipsec_check N - every initiator 1..N: a tunnel that carries pings, NAT
# detected by the initiator itself, and the responder saw it at the public
# address. Records a report row per initiator under PROTO ($2).
ipsec_check() {
	local n=$1 proto=$2 i ns d seen
	for ((i = 1; i <= n; i++)); do
		ns=${NS_LAN[$((i - 1))]}
		if ! ipsec_tunnel_up "$i" 15; then
			report "$proto" "${LAN_IP[$((i - 1))]}:500,4500" "$SRV1_IP:500,4500/udp" FAIL -
			fail "lan$i: no ping answered inside the tunnel within 15 s ($(ipsec_why "$i"))"
			return
		fi
	done
	for ((i = 1; i <= n; i++)); do
		ns=${NS_LAN[$((i - 1))]}
		tnsx 10 "$ns" ping -n -c 3 -i 0.2 -W 2 10.10.0.1 >"$SCN_DIR/tunnel-ping-lan$i.log" 2>&1 ||
			{ fail "lan$i: tunnel ping lost replies once up"; return; }
		grep -q 'local host is behind NAT' "$SCN_DIR/ipsec$i/charon.log" ||
			{ fail "lan$i: charon did not detect the NAT"; return; }
	done
	d=$SCN_DIR/ipsec0
	STRONGSWAN_CONF="$d/strongswan.conf" timeout 5 swanctl --list-sas \
		--uri "unix://$d/charon.vici" >"$d/list-sas.txt" 2>&1
	for ((i = 1; i <= n; i++)); do
		# "remote 'lan1@pg' @ 198.51.100.2[4500]"
		seen=$(sed -n "s/.*remote 'lan$i@pg' @ \([0-9.]*\)\[\([0-9]*\)\].*/\1:\2/p" "$d/list-sas.txt" | head -n 1)
		all_from_public "$seen" ||
			{ fail "responder saw lan$i as '${seen:-nothing}', expected $WAN_PUB"; return; }
		IPSEC_SEEN[i]=$seen
		report "$proto" "${LAN_IP[$((i - 1))]}:500,4500" "$SRV1_IP:500,4500/udp" PASS "$seen (ESP in UDP)"
	done
}
IPSEC_SEEN=()
