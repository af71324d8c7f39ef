#!/bin/sh
# Install every Debian package vnetlab's build, tests, demo and benchmarks
# need, and the unprivileged account LAM/MPI runs as. Idempotent, and
# silent when everything is already there.
#
#   scripts/deps.sh            what make, make check and make demo need
#   scripts/deps.sh vm-kernel  also what building the small guest kernel
#                              needs (make vm-kernel)
#   scripts/deps.sh fuzz       also clang and its libFuzzer and sanitizer
#                              runtimes (make fuzz)
set -eu

PACKAGES="
build-essential
pkg-config
libmnl-dev
libnftables-dev
libjansson-dev
libyaml-dev
libedit-dev
libmetis-dev
python3
python3-pexpect
mininet
net-tools
psmisc
tcpdump
libssl-dev
iproute2
iputils-ping
iperf
procps
util-linux
jq
busybox-static
gnuplot-nox
graphviz
frr
povray
povray-examples
iperf3
openssh-client
openssh-server
netpipe-tcp
mpich
libmpich-dev
lam-runtime
lam4-dev
cpio
qemu-system-x86
xz-utils
strace
nftables
slurmctld
slurmd
slurm-client
munge
"

# LAM/MPI refuses to run as root: it runs as this unprivileged account,
# with a shell for sshd's commands and no home of its own.
need_user() {
	getent passwd vnetlab >/dev/null && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "deps: no user vnetlab for LAM/MPI (run as root to make it)" >&2
		return 0
	fi
	# password '*': no password, but not locked (sshd without PAM refuses
	# even key logins to a locked account)
	useradd --system --user-group --home-dir / --no-create-home --shell /bin/sh \
		--password '*' --comment "vnetlab LAM/MPI and ssh in lab nodes" vnetlab
}

case ${1:-} in
"") ;;
vm-kernel) PACKAGES="$PACKAGES linux-source-6.1 bc flex bison libelf-dev xz-utils" ;;
fuzz) PACKAGES="$PACKAGES clang-14 libclang-rt-14-dev" ;;
*)
	echo "deps: unknown group '$1' (vm-kernel, fuzz)" >&2
	exit 2
	;;
esac

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
if [ -z "$missing" ]; then
	need_user
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# openssh-server is here for sshd inside nodes (scp, LAM/MPI) and in
# simulated hosts, frr for FRR routers inside nodes, slurmctld, slurmd and
# munge for the Slurm cluster of simulated hosts (scripts/simhosts.sh starts
# its own), never as the host's own services: keep their packages from
# starting or enabling one.
no_services=
case " $missing " in
*" openssh-server "* | *" frr "* | *" slurmctld "* | *" slurmd "* | *" munge "*) no_services=1 ;;
esac
if [ -n "$no_services" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
	chmod 755 /usr/sbin/policy-rc.d
	trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	trap 'exit 130' INT HUP TERM # so that the EXIT trap runs
fi
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
if [ -n "$no_services" ] && command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
	systemctl disable --now ssh.service ssh.socket frr.service slurmctld.service \
		slurmd.service munge.service >/dev/null 2>&1 || true
fi
need_user
