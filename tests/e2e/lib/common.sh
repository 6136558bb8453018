# SPDX-License-Identifier: MIT
# tests/e2e/lib/common.sh - process and namespace helpers shared by the
# end-to-end harness. Sourced, never run.
#
# Why the process rules below: this machine's PID 1 does not reap orphans, so
# every daemon runs in the foreground as a direct child of the harness shell,
# is stopped by its PID and then reaped with `wait`. Nothing here looks a
# process up by name.

PY=/usr/bin/python3		# Debian's python: the helpers need only stdlib

# Set by the harness before anything below is used.
: "${RUN_DIR:=}"		# per-run temporary directory (logs, keys, captures)
: "${SFX:=}"			# per-run suffix of every namespace name

# Processes started for the current scenario, and for the whole world
# (the gateway daemon). Separate so a scenario's teardown leaves the gateway up.
SCN_PIDS=()
SCN_UNDO=()
WORLD_PIDS=()
SPAWN_SCOPE=scenario
LAST_PID=

# nsx NS CMD... - run CMD inside namespace NS.
nsx() {
	local ns=$1
	shift
	ip netns exec "$ns" "$@"
}

# tnsx SECS NS CMD... - nsx with a time bound, so no check can hang a run.
tnsx() {
	local secs=$1 ns=$2
	shift 2
	timeout -k 2 "$secs" ip netns exec "$ns" "$@"
}

# spawn NAME NS CMD... - start CMD in the background inside NS, stdout and
# stderr to $SCN_DIR/NAME.log (or $RUN_DIR for world processes). Must be
# called from the harness shell itself (not from $(...) or a pipeline) so the
# process stays our child. Sets LAST_PID.
spawn() {
	local name=$1 ns=$2 dir=${SCN_DIR:-$RUN_DIR}
	shift 2
	[[ $SPAWN_SCOPE == world ]] && dir=$RUN_DIR
	ip netns exec "$ns" "$@" >"$dir/$name.log" 2>&1 </dev/null &
	LAST_PID=$!
	local rec
	rec="$LAST_PID $(proc_start "$LAST_PID")"
	# Every process the run starts, by PID and start time: a run killed
	# outright (no trap) leaves them running in its namespaces, and the next
	# run stops exactly these before it deletes them (world_reap_dead).
	echo "$rec" >>"$RUN_DIR/spawned.pids"
	# Spawned in a subshell ($(...), a pipe): the arrays below die with it
	# and the process would outlive the run; note it for stop_escaped.
	((BASH_SUBSHELL > ${HARNESS_SUBSHELL:-0})) && echo "$rec" >>"$RUN_DIR/escaped.pids"
	if [[ $SPAWN_SCOPE == world ]]; then
		WORLD_PIDS+=("$LAST_PID")
	else
		SCN_PIDS+=("$LAST_PID")
	fi
	echo "spawn $name pid=$LAST_PID ns=$ns: $*" >>"$RUN_DIR/harness.log"
}

# alive PID - true while PID runs (a zombie counts as gone).
alive() {
	local st
	st=$(awk '/^State:/ {print $2}' "/proc/$1/status" 2>/dev/null)
	[[ -n $st && $st != Z ]]
}

# our_child PID - true when PID is (still) a child of this shell. A PID we
# already reaped may have been reused by someone else's process: never
# signal it then.
our_child() {
	[[ $(awk '/^PPid:/ {print $2}' "/proc/$1/status" 2>/dev/null) == "$$" ]]
}

# stop_pid PID [SIG] - signal one of our children, give it 3 s to exit, then
# SIGKILL; always reap it so no zombie is left.
stop_pid() {
	local pid=$1 sig=${2:-TERM} i
	our_child "$pid" || return 0
	if alive "$pid"; then
		kill -"$sig" "$pid" 2>/dev/null
		for ((i = 0; i < 30; i++)); do
			alive "$pid" || break
			sleep 0.1
		done
		alive "$pid" && kill -KILL "$pid" 2>/dev/null
	fi
	wait "$pid" 2>/dev/null
	return 0
}

# scn_undo CMD [ARG ...] - run CMD when the current scenario ends (after its
# processes stopped), last registered first. The world is shared by every
# scenario of a run: what one adds to it (an address on a host's loopback, a
# route) must not change what the next one sees.
scn_undo() {
	local q
	printf -v q '%q ' "$@"
	SCN_UNDO=("$q" "${SCN_UNDO[@]}")
}

# stop_scenario_procs - stop everything the current scenario started, then
# undo what it registered with scn_undo. Grandchildren (e.g. a daemon's
# forked workers) are stopped first, while their parent is still alive to
# reap them; then our own children.
stop_scenario_procs() {
	local pid cmd
	kill_ns_strays
	for pid in "${SCN_PIDS[@]}"; do
		stop_pid "$pid"
	done
	SCN_PIDS=()
	stop_escaped
	for cmd in "${SCN_UNDO[@]}"; do
		eval "$cmd" >/dev/null 2>&1
	done
	SCN_UNDO=()
}

# stop_recorded FILE - stop the processes FILE lists ("PID START" lines, as
# spawn writes them), each only while PID is still the process recorded (its
# start time), so a reused PID is never signalled; then empty FILE. They are
# not (or no longer) our children, so polled rather than waited for.
stop_recorded() {
	local f=$1 pid start i
	[[ -s $f ]] || return 0
	while read -r pid start; do
		[[ $(proc_start "$pid") == "$start" ]] || continue
		kill -TERM "$pid" 2>/dev/null
		for ((i = 0; i < 30 && $(proc_start "$pid" | wc -c) > 1; i++)); do
			sleep 0.1
		done
		[[ $(proc_start "$pid") == "$start" ]] && kill -KILL "$pid" 2>/dev/null
	done <"$f"
	: >"$f"
}

# stop_escaped - stop what spawn started from a subshell (RUN_DIR/escaped.pids).
stop_escaped() {
	stop_recorded "$RUN_DIR/escaped.pids"
}

# our_ns - the names of this run's namespaces.
our_ns() {
	ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^pg[a-z0-9]+-${SFX}\$"
}

# descendant PID - true when PID was started by this harness (its parent
# chain reaches us). The only processes we ever signal besides our children.
descendant() {
	local p=$1 i
	for ((i = 0; i < 64; i++)); do
		p=$(awk '/^PPid:/ {print $2}' "/proc/$p/status" 2>/dev/null)
		[[ -z $p || $p == 0 || $p == 1 ]] && return 1
		[[ $p == "$$" ]] && return 0
	done
	return 1
}

# world_child PPID - is PPID one of the world's processes (the gateway daemon)?
world_child() {
	local w
	for w in "${WORLD_PIDS[@]}"; do
		[[ $w == "$1" ]] && return 0
	done
	return 1
}

# kill_ns_strays [all] - processes inside our namespaces that are not our
# direct children (workers forked by a daemon we started). Only our
# descendants are signalled: anything else found there (say, a shell a user
# opened in a world kept by the demo) is reported and left alone. With "all",
# our direct children there too, except the ones in WORLD_PIDS (stopped
# separately, in order). Without "all", children of WORLD_PIDS (the dnsmasq
# passgated runs) are left to their parent, which stops them itself.
kill_ns_strays() {
	local mode=${1:-} ns pid ppid keep w n=0
	[[ -n $SFX ]] || return 0
	for ns in $(our_ns); do
		for pid in $(ip netns pids "$ns" 2>/dev/null); do
			alive "$pid" || continue
			ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status" 2>/dev/null)
			if [[ $ppid == "$$" ]]; then
				[[ $mode == all ]] || continue
				keep=0
				for w in "${WORLD_PIDS[@]}"; do
					[[ $w == "$pid" ]] && keep=1
				done
				((keep)) && continue
			elif ! descendant "$pid"; then
				[[ $mode == all ]] &&
					echo "note: pid $pid ($(cat "/proc/$pid/comm" 2>/dev/null)) in $ns was not started by this run; left alone" >&2
				continue
			elif [[ $mode != all ]] && world_child "$ppid"; then
				# The gateway's own children (passgated's dnsmasq): it stops them.
				continue
			fi
			echo "stray pid=$pid ppid=$ppid ns=$ns: $( { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null)" \
				>>"$RUN_DIR/harness.log"
			kill -TERM "$pid" 2>/dev/null
			n=$((n + 1))
		done
	done
	# Let them go before their parents are stopped.
	((n > 0)) && sleep 0.2
	return 0
}

# wait_until SECS CMD... - poll CMD every 0.1 s until it succeeds; false after
# SECS seconds.
wait_until() {
	local secs=$1 t0=$EPOCHREALTIME
	shift
	while :; do
		"$@" >/dev/null 2>&1 && return 0
		# EPOCHREALTIME, not SECONDS: SECONDS ticks in whole seconds.
		(($(elapsed_ms "$t0") >= ${secs%.*} * 1000)) && return 1
		sleep 0.1
	done
}

# wait_alive PID SECS CMD... - wait_until, but give up as soon as PID (the
# daemon CMD waits for) has exited.
wait_alive() {
	local pid=$1 secs=$2 t0=$EPOCHREALTIME
	shift 2
	while alive "$pid"; do
		"$@" >/dev/null 2>&1 && return 0
		(($(elapsed_ms "$t0") >= ${secs%.*} * 1000)) && return 1
		sleep 0.1
	done
	return 1
}

# elapsed_ms T0 - milliseconds since T0 (an $EPOCHREALTIME value).
elapsed_ms() {
	local now=$EPOCHREALTIME
	local a=${1/./} b=${now/./}
	echo $(((10#$b - 10#$a) / 1000))
}

# listening NS tcp|udp PORT - true when something in NS listens on PORT.
listening() {
	local ns=$1 proto=$2 port=$3 flag=-Hltn
	[[ $proto == udp ]] && flag=-Hlun
	nsx "$ns" ss $flag "sport = :$port" 2>/dev/null | grep -q .
}

# wait_listen NS tcp|udp PORT [SECS] - wait for a server to be ready.
wait_listen() {
	wait_until "${4:-5}" listening "$1" "$2" "$3"
}

# fail REASON - record why the running scenario failed; returns 1 so a
# scenario can write `check || { fail "why"; return; }`.
fail() {
	[[ -z ${FAIL_REASON:-} ]] && FAIL_REASON="$*"
	echo "FAIL-REASON: $*" >>"$RUN_DIR/harness.log"
	return 1
}

# note TEXT - a line for the run log (kept with the scenario's files).
note() {
	echo "$*" >>"${SCN_DIR:-$RUN_DIR}/notes.txt"
}

# web_page SECONDS DRIVER STEP... - the admin page driven in headless
# Chromium by tests/web/DRIVER.js with these steps, from the gateway's
# namespace against the API, within SECONDS; its output goes to
# browser.log. WEB_SAID is then its result line ("DRIVER: ..."), noted.
# 0, or 1 after fail with the driver's last line.
web_page() {
	local secs=$1 drv=$2
	shift 2
	WEB_SAID=
	tnsx "$secs" "$NS_GW" node "$REPO/tests/web/$drv.js" "$API/" "$API_PASSWORD" "$@" \
		>>"$SCN_DIR/browser.log" 2>&1 ||
		{ fail "page ($1): $(grep -v Warning "$SCN_DIR/browser.log" | tail -n 1)"; return 1; }
	WEB_SAID=$(grep "^$drv: " "$SCN_DIR/browser.log" | tail -n 1)
	note "$WEB_SAID"
}

# report PROTO CLIENT SERVER RESULT SEEN - one row of the passthrough report:
# which LAN endpoint reached which server, and the public address:port the
# server saw (from the server's own log or capture).
report() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$SCN_NAME" "$1" "$2" "$3" "$4" "$5" >>"$RUN_DIR/report.tsv"
}

# need CMD... - fail the scenario when a program is not installed.
need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || { fail "$c not installed"; return; }
	done
}

# tail_log FILE [N] - the last lines of a log, indented, for failure output.
tail_log() {
	[[ -s $1 ]] || return 0
	tail -n "${2:-15}" "$1" | sed 's/^/    | /'
}

# ping_max_gap LOG [FROM TO] - the longest time (ms) between two answered
# pings of a `ping -D` log; with FROM and TO (realtime seconds) only the gaps
# that end after FROM and begin before TO.
ping_max_gap() {
	sed -n 's/^\[\([0-9.]*\)\] .*icmp_seq=.*/\1/p' "$1" |
		awk -v from="${2:-0}" -v to="${3:-9999999999}" \
			'NR > 1 && $1 > from && p < to { g = ($1 - p) * 1000; if (g > m) m = g }
			{ p = $1 } END { printf "%d\n", m }'
}

# ping_tail_answered LOG SENT N - of the last N pings sent, all but one answered.
ping_tail_answered() {
	(($(sed -n 's/.*icmp_seq=\([0-9]*\).*/\1/p' "$1" | awk -v l="$2" -v n="$3" \
		'$1 > l - n' | sort -u | wc -l) >= $3 - 1))
}
