# SPDX-License-Identifier: MIT
# ipsec: IKEv2 with a pre-shared key from two LAN hosts at once to one
# strongSwan responder on pgsrv1. No kernel ESP here: charon runs with
# kernel-libipsec (ESP in userspace over a TUN device), which always puts
# ESP in UDP 4500. Passes when each initiator logged that it is behind NAT
# (so NAT-T was negotiated because of the gateway, not assumed), a ping
# inside each tunnel is answered, and the responder saw each initiator at
# the gateway's public address.
#
# Each charon gets a private /run (its pid file path is fixed) by a bind
# mount in the mount namespace `ip netns exec` makes; swanctl reaches it
# through a vici socket in the run directory.

IPSEC_PSK=pg-e2e-shared-secret

scenario() {
	[[ -x /usr/lib/ipsec/charon ]] || { fail "strongSwan's charon not installed"; return; }
	need swanctl || return
	local i ns d seen tun
	# Index 0 is the responder, 1 and 2 the initiators on lan1 and lan2.
	for i in 0 1 2; do
		d=$SCN_DIR/ipsec$i
		ns=$NS_SRV1
		((i > 0)) && ns=${NS_LAN[$((i - 1))]}
		mkdir -p "$d/run"
		ipsec_conf "$i" "$d"
		tun=10.10.$((i > 0)).$((i > 0 ? i + 1 : 1))
		ip -n "$ns" addr add "$tun/32" dev lo
		spawn "charon$i" "$ns" env STRONGSWAN_CONF="$d/strongswan.conf" sh -c \
			'mount --bind "$1" /run && exec /usr/lib/ipsec/charon' sh "$d/run"
		wait_alive "$LAST_PID" 5 test -S "$d/charon.vici" ||
			{ fail "charon $i did not start: $(tail -n 1 "$SCN_DIR/charon$i.log")"; return; }
		STRONGSWAN_CONF="$d/strongswan.conf" timeout 10 swanctl --load-all \
			--file "$d/swanctl.conf" --uri "unix://$d/charon.vici" >"$d/load.log" 2>&1 ||
			{ fail "swanctl could not load config $i: $(tail -n 1 "$d/load.log")"; return; }
	done
	for i in 1 2; do
		d=$SCN_DIR/ipsec$i
		# Both at once: the second's IKE (UDP 500, then 4500) collides
		# with the first's on the gateway.
		spawn "initiate$i" "${NS_LAN[$((i - 1))]}" env STRONGSWAN_CONF="$d/strongswan.conf" \
			timeout 15 swanctl --initiate --child net --uri "unix://$d/charon.vici"
	done
	for i in 1 2; do
		ns=${NS_LAN[$((i - 1))]}
		if ! wait_until 15 nsx "$ns" ping -n -c 1 -W 1 10.10.0.1; then
			report ipsec "${LAN_IP[$((i - 1))]}:500,4500" "$SRV1_IP:500,4500/udp" FAIL -
			fail "lan$i: no ping answered inside the tunnel within 15 s ($(grep -m1 -iE 'failed|error|retransmit' "$SCN_DIR/ipsec$i/charon.log" | cut -c 1-100))"
			return
		fi
		tnsx 10 "$ns" ping -n -c 3 -i 0.2 -W 2 10.10.0.1 >"$SCN_DIR/tunnel-ping-lan$i.log" 2>&1 ||
			{ fail "lan$i: tunnel ping lost replies once up"; return; }
		grep -q 'local host is behind NAT' "$SCN_DIR/ipsec$i/charon.log" ||
			{ fail "lan$i: charon did not detect the NAT"; return; }
	done
	d=$SCN_DIR/ipsec0
	STRONGSWAN_CONF="$d/strongswan.conf" timeout 5 swanctl --list-sas \
		--uri "unix://$d/charon.vici" >"$d/list-sas.txt" 2>&1
	for i in 1 2; do
		# "remote 'lan1@pg' @ 198.51.100.2[4500]"
		seen=$(sed -n "s/.*remote 'lan$i@pg' @ \([0-9.]*\)\[\([0-9]*\)\].*/\1:\2/p" "$d/list-sas.txt" | head -n 1)
		all_from_public "$seen" ||
			{ fail "responder saw lan$i as '${seen:-nothing}', expected $WAN_PUB"; return; }
		report ipsec "${LAN_IP[$((i - 1))]}:500,4500" "$SRV1_IP:500,4500/udp" PASS "$seen (ESP in UDP)"
	done
}

# ipsec_conf N DIR - strongswan.conf and swanctl.conf for peer N.
ipsec_conf() {
	local n=$1 d=$2 me peer
	cat >"$d/strongswan.conf" <<-CONF
		charon {
			# Only what is needed, and kernel-libipsec before kernel-netlink.
			load_modular = no
			load = random nonce aes sha1 sha2 hmac kdf curve25519 gmp kernel-libipsec kernel-netlink socket-default updown vici
			install_virtual_ip = no
			plugins {
				vici { socket = unix://$d/charon.vici }
			}
			filelog {
				main {
					path = $d/charon.log
					default = 1
					ike = 2
					time_format = %T
					flush_line = yes
				}
			}
			syslog { daemon { default = -1 } }
		}
	CONF
	if ((n == 0)); then
		cat >"$d/swanctl.conf" <<-CONF
			connections {
				rw {
					version = 2
					proposals = aes128-sha256-x25519
					mobike = no
					local { auth = psk
						id = srv@pg }
					remote { auth = psk }
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
				ike-all { secret = "$IPSEC_PSK" }
			}
		CONF
	else
		cat >"$d/swanctl.conf" <<-CONF
			connections {
				gw {
					version = 2
					remote_addrs = $SRV1_IP
					proposals = aes128-sha256-x25519
					mobike = no
					local { auth = psk
						id = lan$n@pg }
					remote { auth = psk
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
				ike-all { secret = "$IPSEC_PSK" }
			}
		CONF
	fi
}
