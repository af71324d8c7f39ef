#!/bin/sh
# Install every Debian package vnetlab's build, tests, demo and benchmarks
# need. Idempotent, and silent when everything is already there.
set -eu

PACKAGES="
build-essential
pkg-config
libmnl-dev
libjansson-dev
libyaml-dev
libssl-dev
iproute2
iputils-ping
iperf
procps
util-linux
jq
busybox-static
gnuplot-nox
"

missing=""
for p in $PACKAGES; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "deps: missing Debian packages:$missing (run as root to install them)" >&2
	exit 1
fi
echo "deps: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
