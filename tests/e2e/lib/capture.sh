# SPDX-License-Identifier: MIT
# tests/e2e/lib/capture.sh - packet captures as evidence: what a server
# really received (the public address:port it saw), and what must never
# arrive (unsolicited traffic at a LAN host). Sourced.

# capture_start NAME NS IF FILTER [TCPDUMP-OPTIONS...] - capture into
# $SCN_DIR/NAME.pcap and wait until tcpdump is listening, so nothing sent
# afterwards is missed. Sets CAP_PID_<NAME>.
capture_start() {
	local name=$1 ns=$2 ifc=$3 filter=$4
	shift 4
	# -Z root: tcpdump would otherwise drop to its own user, which cannot
	# write into the run directory. --immediate-mode and -U: hand over and
	# write each packet at once; by default packets wait in the capture ring
	# for up to a second and are lost when tcpdump is stopped, which would
	# make "nothing arrived" checks pass by accident. Small snaplen: headers
	# are all we read.
	spawn "cap-$name" "$ns" tcpdump -i "$ifc" -n --immediate-mode -U -s 160 -Z root "$@" \
		-w "$SCN_DIR/$name.pcap" "$filter"
	printf -v "CAP_PID_${name//-/_}" '%s' "$LAST_PID"
	[[ ${CAP_NOWAIT:-0} == 1 ]] && return 0
	capture_ready "$name"
}

# capture_ready NAME - wait for a capture started with CAP_NOWAIT=1 (so that
# several tcpdumps start at once: each takes a good part of a second).
capture_ready() {
	wait_until 5 grep -q 'listening on' "$SCN_DIR/cap-$1.log" || {
		fail "tcpdump for $1 did not start: $(head -c 200 "$SCN_DIR/cap-$1.log")"
		return
	}
}

# capture_stop NAME... - stop captures (SIGINT lets tcpdump close the file),
# all at once, then reap them. Each must show a "packets captured" summary
# equal to "received by filter": a capture that lost packets proves nothing.
# A tcpdump stopped while matched packets still wait in its socket is short
# of them (on a loaded machine it may not have run since they came), so
# first each is asked for its counts until it has caught up (3 s at most).
capture_stop() {
	local name var names=() pids=() i n behind
	# The captures still running, by name and PID.
	for name in "$@"; do
		var="CAP_PID_${name//-/_}"
		[[ -n ${!var:-} ]] || continue
		names+=("$name")
		pids+=("${!var}")
		printf -v "$var" '%s' ""
	done
	# Give packets in flight a moment to reach the captures.
	sleep 0.1
	for ((i = 0; i < 30; i++)); do
		behind=0
		for ((n = 0; n < ${#pids[@]}; n++)); do
			capture_caught_up "${pids[n]}" "$SCN_DIR/cap-${names[n]}.log" || behind=1
		done
		((behind)) || break
		sleep 0.1
	done
	for ((n = 0; n < ${#pids[@]}; n++)); do
		kill -INT "${pids[n]}" 2>/dev/null
	done
	for ((n = 0; n < ${#pids[@]}; n++)); do
		stop_pid "${pids[n]}" INT
	done
	for name in "$@"; do
		capture_complete "$name" || echo "capture $name lost packets" >>"$RUN_DIR/harness.log"
	done
	return 0
}

# capture_caught_up PID LOG - true when the tcpdump PID, writing its messages
# to LOG, has written every packet its filter matched so far: SIGUSR1 makes
# it print "N packets captured, M packets received by filter, ..." (only
# once it listens: before that the signal would end it).
capture_caught_up() {
	local pid=$1 log=$2 n i counts
	grep -q 'listening on' "$log" 2>/dev/null || return 0
	n=$(grep -c 'packets\{0,1\} captured, ' "$log")
	kill -USR1 "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 20; i++)); do
		(($(grep -c 'packets\{0,1\} captured, ' "$log") > n)) && break
		sleep 0.02
	done
	counts=$(grep 'packets\{0,1\} captured, ' "$log" | tail -n 1 |
		sed -n 's/.* \([0-9][0-9]*\) packets\{0,1\} captured, \([0-9][0-9]*\) packets\{0,1\} received by filter.*/\1 \2/p')
	[[ -n $counts && ${counts% *} == "${counts#* }" ]]
}

# capture_complete NAME - true when tcpdump wrote every packet its filter
# matched (its exit summary says so).
capture_complete() {
	local log=$SCN_DIR/cap-$1.log cap rcv
	cap=$(sed -n 's/^\([0-9]*\) packets\{0,1\} captured.*/\1/p' "$log")
	rcv=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter.*/\1/p' "$log")
	[[ -n $cap && $cap == "$rcv" ]]
}

# capture_read NAME [FILTER] - the capture as tcpdump text, one packet a line.
capture_read() {
	tcpdump -n -r "$SCN_DIR/$1.pcap" ${2:+"$2"} 2>/dev/null
}

# capture_count NAME [FILTER] - number of packets in a capture.
capture_count() {
	capture_read "$@" | grep -c .
}

# capture_sources NAME FILTER - the distinct source address:port of the
# packets matching FILTER, in order of first appearance ("addr:port", or
# "addr" for protocols without ports).
capture_sources() {
	capture_read "$1" "$2" | awk '
		$2 == "IP" {
			src = $3
			n = split(src, p, ".")
			if (n == 5) src = p[1] "." p[2] "." p[3] "." p[4] ":" p[5]
			if (!(src in seen)) { seen[src] = 1; print src }
		}'
}

# all_from_public LIST... - every address:port seen must come from the
# gateway's public address: anything else means an untranslated packet got
# through (or the server saw someone else).
all_from_public() {
	local s
	(($# > 0)) || return 1
	for s in "$@"; do
		[[ ${s%%:*} == "$WAN_PUB" ]] || return 1
	done
}
