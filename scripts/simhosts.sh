#!/bin/bash
# Simulated hosts on one machine, for vnetlab's multi-host work (a lab over
# hosts, launched by ssh or Slurm) without more machines:
#
#   scripts/simhosts.sh up K [--subnet A.B.C.0/24]   make sim1..simK
#   scripts/simhosts.sh down                          remove them, leaving nothing
#   scripts/simhosts.sh status                        what is up
#   scripts/simhosts.sh exec simN CMD [ARG...]        run CMD in simN's namespaces
#   scripts/simhosts.sh env                           SLURM_CONF=..., SSH_CONFIG=...
#
# Each host is its own network, mount, UTS, IPC, pid and cgroup namespaces,
# held by a small init (pid 1 of its pid namespace; when it ends, the kernel
# ends every process of the host). Its mount namespace has a /run of its
# own (so /run/netns, /run/vnetlab and /var/run are its own), its own
# /etc/hosts, a /sys of its network namespace and cgroup hierarchies rooted
# at a cgroup of its own. Its eth0 (A.B.C.N) is on an underlay bridge of
# its own in the machine's namespace, which holds A.B.C.254; the default
# subnet, 198.18.0.0/24, is a benchmark range never routed beyond this
# machine. Each host runs an sshd (root logs in with a key made here:
# `ssh -F $STATE/ssh/config simN`) and a slurmd of one Slurm cluster, whose
# munged and slurmctld (host name simctl) run in the machine's network
# namespace at A.B.C.254 (`SLURM_CONF=$STATE/slurm/slurm.conf srun -N K
# hostname`). Everything is started here, no systemd; everything of it is
# under $STATE (/run/vnetlab-sim), the bridge, the veths vsimN and the
# cgroups vnetlab-sim/simN under the caller's own. VNETLAB_SIM_DIR,
# VNETLAB_SIM_LINKS and VNETLAB_SIM_PORT make another set beside.
#
# `down` is idempotent and safe after a partial `up`: every object is
# recorded in $STATE before it is made, every process is found again by a
# pid file checked against the process's start time.
set -eu

STATE=${VNETLAB_SIM_DIR:-/run/vnetlab-sim}
LINKS=${VNETLAB_SIM_LINKS:-vsim} # the host's ends: LINKSn, the bridge LINKSbr
BRIDGE=${LINKS}br
CTLD_PORT=${VNETLAB_SIM_PORT:-16817}
CGROUP=${STATE##*/} # the hosts' cgroups: CGROUP/simN under the caller's
SLURMD_PORT=17000 # simN listens on SLURMD_PORT + N, as Slurm's multiple-slurmd FAQ has it
# the vnetlab the hosts' Slurm epilog runs: $VNETLAB, else the one on PATH,
# else this tree's build
EPILOG_VNETLAB=${VNETLAB:-$(command -v vnetlab || echo "$(cd "$(dirname "$0")/.." && pwd)/build/vnetlab")}

die() {
	echo "simhosts: $*" >&2
	exit 1
}
# die_log FILE MSG: the message, and the end of the log that says why
die_log() {
	echo "simhosts: $2" >&2
	[ -r "$1" ] && tail -n 5 "$1" | sed 's/^/  | /' >&2
	exit 1
}
log() { [ -n "${QUIET:-}" ] || echo "simhosts: $*" >&2; }

# --- processes found again -----------------------------------------------

starttime() { awk '{ sub(/.*\) /, ""); print $20 }' "/proc/$1/stat" 2>/dev/null; }

# record FILE PID: the pid and its start time
record_pid() {
	local st
	st=$(starttime "$2") || st=
	[ -n "$st" ] || die "process $2 ended at once (see $STATE/logs)"
	echo "$2 $st" >"$1"
}

# recorded_pid FILE: the pid if that very process still runs (nothing else)
recorded_pid() {
	local pid st
	[ -r "$1" ] || return 1
	read -r pid st <"$1" || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	[ "$(starttime "$pid")" = "$st" ] || return 1
	echo "$pid"
}

# spawn FILE LOG CMD...: CMD in the background, its pid recorded by itself
# before it runs (so a `down` finds it even if this script is killed now)
spawn() {
	local file=$1 out=$2
	shift 2
	(
		record_pid "$file" "$BASHPID"
		exec "$@"
	) </dev/null >>"$out" 2>&1 &
}

# stop FILE...: TERM the recorded processes, wait (up to 10 s), then KILL
stop_recorded() {
	local f pid pids=
	for f in "$@"; do
		pid=$(recorded_pid "$f") || continue
		kill -TERM "$pid" 2>/dev/null || true
		pids="$pids $f"
	done
	for _ in $(seq 1 100); do
		local left=
		for f in $pids; do recorded_pid "$f" >/dev/null && left="$left $f"; done
		[ -z "$left" ] && return 0
		sleep 0.1
		pids=$left
	done
	for f in $pids; do
		pid=$(recorded_pid "$f") || continue
		kill -KILL "$pid" 2>/dev/null || true
	done
	for _ in $(seq 1 50); do
		local left=
		for f in $pids; do recorded_pid "$f" >/dev/null && left=1; done
		[ -z "$left" ] && return 0
		sleep 0.1
	done
	die "processes of $pids would not end"
}

# --- cgroups ---------------------------------------------------------------

# Each cgroup hierarchy mounted here: "MOUNTPOINT FSTYPE OPTIONS OWNPATH",
# OWNPATH this process's cgroup in it, relative to the mount.
cgroup_hierarchies() {
	awk '
	FNR == NR {
		# /proc/self/cgroup: ID:CONTROLLERS:PATH
		split($0, f, ":"); p = substr($0, length(f[1]) + length(f[2]) + 3)
		if (f[2] == "") own["cgroup2"] = p
		else { n = split(f[2], c, ","); for (i = 1; i <= n; i++) own[c[i]] = p }
		next
	}
	{
		for (i = 7; $i != "-"; i++) ;
		type = $(i + 1); opts = $(i + 3); root = $4; mp = $5
		if (type == "cgroup2") key = "cgroup2"
		else if (type == "cgroup") {
			key = ""; n = split(opts, o, ",")
			for (j = 1; j <= n; j++)
				if (o[j] != "rw" && o[j] != "ro" && o[j] !~ /^(clone_children|noprefix|xattr|release_agent=.*)$/) { key = o[j]; break }
			if (key == "") next
		} else next
		if (!(key in own)) next
		p = own[key]
		if (root != "/" && index(p, root) == 1) p = substr(p, length(root) + 1)
		if (p == "") p = "/"
		print mp, type, opts, p
	}' /proc/self/cgroup /proc/self/mountinfo
}

# Make simN's cgroup in every hierarchy (recorded first, in $STATE/cgdirs),
# its cpuset (v1) given its parent's CPUs and memory nodes.
make_cgroups() {
	local n=$1 mp type opts own dir d
	: >"$STATE/sim$n/cgroups"
	while read -r mp type opts own; do
		for d in "$CGROUP" "$CGROUP/sim$n"; do
			dir=$mp${own%/}/$d
			[ -d "$dir" ] && continue
			echo "$dir" >>"$STATE/cgdirs"
			mkdir "$dir"
			if [ "$type" = cgroup ] && [ -e "$dir/cpuset.cpus" ]; then
				cat "$(dirname "$dir")/cpuset.cpus" >"$dir/cpuset.cpus"
				cat "$(dirname "$dir")/cpuset.mems" >"$dir/cpuset.mems"
			fi
		done
		echo "$mp${own%/}/$CGROUP/sim$n" >>"$STATE/sim$n/cgroups"
	done <"$STATE/hierarchies"
}

remove_cgroups() {
	local dir
	[ -r "$STATE/cgdirs" ] || return 0
	# deepest first: a lab's cgroups inside a host, then the host's
	tac "$STATE/cgdirs" | while read -r dir; do
		[ -d "$dir" ] || continue
		for _ in $(seq 1 50); do
			find "$dir" -depth -type d -exec rmdir {} + 2>/dev/null || true
			[ -d "$dir" ] || break
			sleep 0.1
		done
		if [ -d "$dir" ]; then
			die "cgroup $dir would not go (processes left in it?)"
		fi
	done
	rm -f "$STATE/cgdirs"
}

# --- a host's init ----------------------------------------------------------

# Inside simN's new namespaces, as pid 1: its hostname, /proc, /sys, cgroup
# hierarchies, /run and /etc/hosts; then reap orphans until TERM.
host_init() {
	local n=$1 mp type opts own
	hostname "sim$n"
	mount -n -t proc -o nosuid,nodev,noexec proc /proc
	# a /sys of this network namespace, and the host's cgroups as its own
	mount -n -t sysfs -o nosuid,nodev,noexec sysfs /sys
	if [ -s "$STATE/hierarchies" ]; then
		if grep -q ' /sys/fs/cgroup cgroup2 ' "$STATE/hierarchies"; then
			mount -n -t cgroup2 -o nosuid,nodev,noexec cgroup2 /sys/fs/cgroup
		else
			mount -n -t tmpfs -o mode=0755,nosuid,nodev,noexec cgroup /sys/fs/cgroup
			while read -r mp type opts own; do
				case $mp in /sys/fs/cgroup/*) ;; *) continue ;; esac
				mkdir -p "$mp"
				mount -n -t "$type" -o "$opts" "$type" "$mp"
			done <"$STATE/hierarchies"
		fi
	fi
	# a /run of its own, with the shared state bound in
	mount -n -t tmpfs -o mode=0755,nosuid,nodev "sim$n-run" "$STATE/sim$n/run"
	mkdir -p "$STATE/sim$n/run/sshd" "$STATE/sim$n/run/lock"
	case $STATE in
	/run/*)
		mkdir -p "$STATE/sim$n/run/${STATE#/run/}"
		mount -n --bind "$STATE" "$STATE/sim$n/run/${STATE#/run/}"
		;;
	esac
	mount -n --move "$STATE/sim$n/run" /run
	[ -L /var/run ] || mount -n --bind /run /var/run
	mount -n --bind "$STATE/sim$n/hosts" /etc/hosts
	ip link set lo up
	: >"$STATE/sim$n/ready"
	trap 'exit 0' TERM INT HUP
	# bash reaps every child, its own and orphans
	while :; do
		sleep 3600 &
		wait $! || true
	done
}

# --- up ------------------------------------------------------------------

write_ssh_files() {
	local k=$1 n
	mkdir -m 0700 "$STATE/ssh"
	ssh-keygen -q -t ed25519 -N '' -C vnetlab-sim -f "$STATE/ssh/id_ed25519"
	ssh-keygen -q -t ed25519 -N '' -C vnetlab-sim-host -f "$STATE/ssh/host_ed25519_key"
	cp "$STATE/ssh/id_ed25519.pub" "$STATE/ssh/authorized_keys"
	cat >"$STATE/ssh/sshd_config" <<-EOF
		HostKey $STATE/ssh/host_ed25519_key
		AuthorizedKeysFile $STATE/ssh/authorized_keys
		PermitRootLogin prohibit-password
		PasswordAuthentication no
		KbdInteractiveAuthentication no
		UsePAM no
		PidFile /run/sshd.pid
		Subsystem sftp internal-sftp
		SetEnv SLURM_CONF=$STATE/slurm/slurm.conf
		LogLevel ERROR
	EOF
	: >"$STATE/ssh/known_hosts"
	: >"$STATE/ssh/config"
	for n in $(seq 1 "$k"); do
		echo "sim$n,$PREFIX.$n $(cut -d' ' -f1,2 "$STATE/ssh/host_ed25519_key.pub")" \
			>>"$STATE/ssh/known_hosts"
		printf 'Host sim%s\n\tHostName %s.%s\n' "$n" "$PREFIX" "$n" >>"$STATE/ssh/config"
	done
	cat >>"$STATE/ssh/config" <<-EOF
		Host sim*
		 	User root
		 	IdentityFile $STATE/ssh/id_ed25519
		 	IdentitiesOnly yes
		 	UserKnownHostsFile $STATE/ssh/known_hosts
		 	StrictHostKeyChecking yes
		 	BatchMode yes
		 	LogLevel ERROR
		 	# hosts on one machine's CPUs: the classic key exchange (a third
		 	# of the hybrid post-quantum one's CPU) for quicker connections
		 	KexAlgorithms curve25519-sha256
	EOF
}

write_slurm_conf() {
	local k=$1 n
	mkdir -p "$STATE/slurm/ctld" "$STATE/slurm/spool"
	cat >"$STATE/slurm/slurm.conf" <<-EOF
		# The Slurm cluster of vnetlab's simulated hosts (scripts/simhosts.sh).
		ClusterName=vnetlabsim
		SlurmctldHost=simctl($PREFIX.254)
		SlurmctldPort=$CTLD_PORT
		SlurmUser=root
		SlurmdUser=root
		AuthType=auth/munge
		CredType=cred/munge
		AuthInfo=socket=$STATE/munge/munge.socket.2
		StateSaveLocation=$STATE/slurm/ctld
		SlurmctldPidFile=$STATE/slurm/slurmctld.pid
		SlurmctldLogFile=$STATE/logs/slurmctld.log
		SlurmdSpoolDir=$STATE/slurm/spool/%n
		SlurmdPidFile=$STATE/slurm/slurmd-%n.pid
		SlurmdLogFile=$STATE/logs/slurmd-%n.log
		ProctrackType=proctrack/linuxproc
		TaskPlugin=task/none
		JobAcctGatherType=jobacct_gather/none
		AccountingStorageType=accounting_storage/none
		SchedulerType=sched/builtin
		SelectType=select/cons_tres
		SelectTypeParameters=CR_Core
		ReturnToService=2
		SlurmdTimeout=30
		MpiDefault=none
		Epilog=$STATE/slurm/epilog
	EOF
	# a node's epilog, as the README has it: what a job's labs left on the
	# node goes when the job ends (vnetlab down --slurm-job), nothing else
	cat >"$STATE/slurm/epilog" <<-EOF
		#!/bin/sh
		[ -x "$EPILOG_VNETLAB" ] && "$EPILOG_VNETLAB" down --slurm-job "\$SLURM_JOB_ID" >/dev/null 2>&1
		exit 0
	EOF
	chmod 0755 "$STATE/slurm/epilog"
	for n in $(seq 1 "$k"); do
		echo "NodeName=sim$n NodeHostname=sim$n NodeAddr=$PREFIX.$n" \
			"Port=$((SLURMD_PORT + n)) CPUs=1 State=UNKNOWN" >>"$STATE/slurm/slurm.conf"
	done
	echo "PartitionName=sim Nodes=sim[1-$k] Default=YES MaxTime=INFINITE State=UP" \
		>>"$STATE/slurm/slurm.conf"
}

start_munge() {
	mkdir -m 0755 "$STATE/munge"
	dd if=/dev/urandom of="$STATE/munge/munge.key" bs=1024 count=1 status=none
	chmod 0400 "$STATE/munge/munge.key"
	spawn "$STATE/munged.pid" "$STATE/logs/munged.log" munged --foreground --force \
		--key-file="$STATE/munge/munge.key" --socket="$STATE/munge/munge.socket.2" \
		--pid-file="$STATE/munge/munged.pid.own" --log-file="$STATE/logs/munged.log" \
		--seed-file="$STATE/munge/munged.seed"
	for _ in $(seq 1 100); do
		[ -S "$STATE/munge/munge.socket.2" ] && return 0
		[ -e "$STATE/munged.pid" ] && ! recorded_pid "$STATE/munged.pid" >/dev/null && break
		sleep 0.1
	done
	die_log "$STATE/logs/munged.log" "munged did not start"
}

start_slurmctld() {
	# in a UTS namespace of its own, named as SlurmctldHost says
	# shellcheck disable=SC2016 # $1 is sh's
	spawn "$STATE/slurmctld.pid" "$STATE/logs/slurmctld.out" setsid unshare --uts \
		sh -c 'hostname simctl && exec slurmctld -D -f "$1"' sh "$STATE/slurm/slurm.conf"
}

start_host() {
	local n=$1 p c
	mkdir "$STATE/sim$n" "$STATE/sim$n/run"
	{
		printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n'
		printf '%s.254\tsimctl\n' "$PREFIX"
		for i in $(seq 1 "$K"); do printf '%s.%s\tsim%s\n' "$PREFIX" "$i" "$i"; done
	} >"$STATE/sim$n/hosts"
	make_cgroups "$n"
	# into its cgroups, then its namespaces; --kill-child: init goes with unshare
	(
		while read -r d; do echo "$BASHPID" >"$d/cgroup.procs"; done <"$STATE/sim$n/cgroups"
		record_pid "$STATE/sim$n/unshare.pid" "$BASHPID"
		exec setsid unshare --net --mount --uts --ipc --pid --cgroup --fork --kill-child \
			--propagation private "$SELF" __init "$n"
	) </dev/null >>"$STATE/logs/sim$n.init" 2>&1 &
	p=$!
	for _ in $(seq 1 100); do
		[ -e "$STATE/sim$n/ready" ] && break
		if [ -e "$STATE/sim$n/unshare.pid" ] &&
			! recorded_pid "$STATE/sim$n/unshare.pid" >/dev/null; then
			die_log "$STATE/logs/sim$n.init" "sim$n: its init ended"
		fi
		sleep 0.1
	done
	[ -e "$STATE/sim$n/ready" ] || die "sim$n: its init did not get ready"
	c=$(cat "/proc/$p/task/$p/children")
	record_pid "$STATE/sim$n/init.pid" "${c%% *}"
	c=${c%% *}
	# the underlay: eth0 in the host, its other end on the bridge
	echo "$LINKS$n" >>"$STATE/links"
	ip link add "$LINKS$n" type veth peer name "$LINKS${n}p"
	ip link set "$LINKS${n}p" netns "$c"
	ip link set "$LINKS$n" master "$BRIDGE" up
	nsenter -t "$c" -n sh -ec "ip link set $LINKS${n}p name eth0
		ip addr add $PREFIX.$n/24 dev eth0
		ip link set eth0 up"
	in_host "$n" "$c" /usr/sbin/sshd -f "$STATE/ssh/sshd_config" -o "ListenAddress=$PREFIX.$n" \
		-E "$STATE/logs/sshd-sim$n.log"
	in_host "$n" "$c" slurmd -f "$STATE/slurm/slurm.conf" -N "sim$n"
}

# in_host N INIT_PID CMD...: run CMD in simN, in its cgroups and namespaces
in_host() {
	local n=$1 pid=$2 d
	shift 2
	(
		while read -r d; do echo "$BASHPID" >"$d/cgroup.procs"; done <"$STATE/sim$n/cgroups"
		exec nsenter -t "$pid" -a "$@"
	)
}

wait_ready() {
	local k=$1 n
	for n in $(seq 1 "$k"); do
		for i in $(seq 1 100); do
			[ "$(ssh -F "$STATE/ssh/config" "sim$n" hostname 2>/dev/null)" = "sim$n" ] && break
			[ "$i" = 100 ] && die_log "$STATE/logs/sshd-sim$n.log" "sim$n: ssh does not answer"
			sleep 0.2
		done
	done
	for i in $(seq 1 300); do
		# every node idle (or allocated/mixed: in use already)
		if [ "$(SLURM_CONF=$STATE/slurm/slurm.conf sinfo -h -N -o '%N %t' 2>/dev/null |
			grep -c -E ' (idle|alloc|mix)$')" = "$k" ]; then
			return 0
		fi
		[ "$i" = 300 ] && die_log "$STATE/logs/slurmctld.log" "the Slurm cluster is not ready"
		sleep 0.2
	done
}

cmd_up() {
	local k=${1:-} subnet=198.18.0.0/24
	shift || true
	while [ $# -gt 0 ]; do
		case $1 in
		--subnet) subnet=${2:?--subnet needs A.B.C.0/24}; shift 2 ;;
		*) die "up: unknown option '$1' (usage: up K [--subnet A.B.C.0/24])" ;;
		esac
	done
	case $k in '' | *[!0-9]*) die "up: K must be a number of hosts (1 to 250)" ;; esac
	if [ "$k" -lt 1 ] || [ "$k" -gt 250 ]; then die "up: K must be 1 to 250"; fi
	echo "$subnet" | grep -qE '^([0-9]{1,3}\.){3}0/24$' ||
		die "up: --subnet must be a /24 ending in .0 (e.g. 198.18.0.0/24), not '$subnet'"
	PREFIX=${subnet%.0/24}
	K=$k
	[ "$(id -u)" = 0 ] || die "needs root (namespaces, a bridge, cgroups)"
	for c in ip unshare nsenter setsid /usr/sbin/sshd ssh ssh-keygen munged slurmctld slurmd sinfo; do
		command -v "$c" >/dev/null || die "$c is missing (scripts/deps.sh installs it)"
	done
	[ -e "$STATE" ] && die "$STATE exists: simulated hosts are up (or left): run '$0 down' first"
	ip link show "$BRIDGE" >/dev/null 2>&1 && die "a link named $BRIDGE exists already"
	unshare --net --mount --uts --ipc --pid --cgroup --fork true 2>/dev/null ||
		die "this kernel or this container cannot make network, mount, UTS, IPC, pid and cgroup namespaces"
	mkdir -m 0755 "$STATE"
	trap 'echo "simhosts: up failed; undoing" >&2; QUIET=1 cmd_down || true' EXIT
	mkdir "$STATE/logs"
	echo "$PREFIX" >"$STATE/prefix"
	echo "$k" >"$STATE/count"
	cgroup_hierarchies >"$STATE/hierarchies"
	echo "$BRIDGE" >"$STATE/bridge"
	ip link add "$BRIDGE" type bridge
	ip addr add "$PREFIX.254/24" dev "$BRIDGE"
	ip link set "$BRIDGE" up
	write_ssh_files "$k"
	write_slurm_conf "$k"
	start_munge
	start_slurmctld
	for n in $(seq 1 "$k"); do start_host "$n"; done
	wait_ready "$k"
	trap - EXIT
	log "$k simulated hosts up: sim1..sim$k at $PREFIX.1-$k"
	log "  ssh -F $STATE/ssh/config sim1"
	log "  SLURM_CONF=$STATE/slurm/slurm.conf srun -N $k hostname"
}

# --- down ----------------------------------------------------------------

cmd_down() {
	local f n
	[ "$(id -u)" = 0 ] || die "needs root"
	if [ ! -d "$STATE" ]; then
		log "no simulated hosts (nothing to do)"
		return 0
	fi
	# the hosts first (their init ends every process of theirs), then the
	# cluster's daemons
	set --
	for f in "$STATE"/sim*/init.pid "$STATE"/sim*/unshare.pid; do [ -e "$f" ] && set -- "$@" "$f"; done
	[ $# -eq 0 ] || stop_recorded "$@"
	set --
	for f in "$STATE/slurmctld.pid" "$STATE/munged.pid"; do [ -e "$f" ] && set -- "$@" "$f"; done
	[ $# -eq 0 ] || stop_recorded "$@"
	if [ -r "$STATE/links" ]; then
		while read -r f; do
			ip link del "$f" 2>/dev/null || true
		done <"$STATE/links"
	fi
	if [ -r "$STATE/bridge" ] && ip link show "$(cat "$STATE/bridge")" >/dev/null 2>&1; then
		ip link del "$(cat "$STATE/bridge")"
	fi
	remove_cgroups
	# nothing is mounted here in this namespace (the hosts' mounts were
	# their own), but be sure before removing
	if grep -q " ${STATE}[/ ]" /proc/self/mountinfo; then
		die "something is mounted under $STATE: not removing it"
	fi
	rm -rf "$STATE"
	log "simulated hosts down"
}

# --- status, exec, env -------------------------------------------------------

cmd_status() {
	local n pid
	if [ ! -d "$STATE" ]; then
		echo "no simulated hosts"
		return 0
	fi
	for d in "$STATE"/sim[0-9]*; do
		n=${d##*/sim}
		if pid=$(recorded_pid "$d/init.pid"); then
			echo "sim$n up (init pid $pid, $(cat "$STATE/prefix").$n)"
		else
			echo "sim$n down"
		fi
	done
	SLURM_CONF=$STATE/slurm/slurm.conf sinfo -N -h -o '%N %t' 2>/dev/null | sed 's/^/slurm: /' || true
}

cmd_exec() {
	local h=${1:?usage: exec simN COMMAND...} pid
	shift
	pid=$(recorded_pid "$STATE/$h/init.pid") || die "$h is not up"
	in_host "${h#sim}" "$pid" "$@"
}

SELF=$(readlink -f "$0")
case ${1:-} in
up) shift; cmd_up "$@" ;;
down) cmd_down ;;
status) cmd_status ;;
exec) shift; cmd_exec "$@" ;;
env) echo "SLURM_CONF=$STATE/slurm/slurm.conf"; echo "SSH_CONFIG=$STATE/ssh/config" ;;
__init) host_init "$2" ;;
*)
	echo "usage: $0 up K [--subnet A.B.C.0/24] | down | status | exec simN CMD... | env" >&2
	exit 2
	;;
esac
