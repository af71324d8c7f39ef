#!/bin/sh
# Guest kernels for vnetlab's vm backend, cached outside the tree.
#
#   scripts/vm-kernel.sh            build the small kernel (`make vm-kernel`)
#   scripts/vm-kernel.sh --debian   fetch Debian's generic kernel and its
#                                   virtio modules (never installed as the
#                                   host's kernel: unpacked with dpkg -x)
#   scripts/vm-kernel.sh [--debian] --print
#                                   print the kernel's cache directory
#
# The small kernel is tinyconfig of Debian's linux-source-6.1 plus the
# fragment src/vm/guest/kernel.config, built with every CPU into
#   $VL_VM_CACHE/<hash of the fragment's options, source version, recipe>/
#       vmlinux   uncompressed, with the PVH entry QEMU boots directly
#       bzImage   the same kernel for boot loaders and -M pc
#       config    the full configuration, System.map, build-info
# and $VL_VM_CACHE/small links to the newest one. Debian's kernel goes to
#   $VL_VM_CACHE/debian-<package>_<version>/
#       vmlinuz   Debian's bzImage
#       vmlinux   the same kernel uncompressed (for the PVH entry), when
#                 it could be taken out of vmlinuz
#       config    its configuration
#       modules/  the virtio (and qdisc) modules, uncompressed, and
#                 modules/load-order: their file names, one a line, in
#                 the order insmod must load them (dependencies first)
# with $VL_VM_CACHE/debian linking to it. VL_VM_CACHE defaults to
# /var/cache/vnetlab/vm-kernel.
#
# Idempotent: when the directory exists nothing is done. Quiet unless it
# fails; then the end of the build log is shown and the log kept.
#
# Debian packages it needs (installs none itself): the small kernel
# linux-source-6.1 build-essential bc flex bison libelf-dev libssl-dev
# xz-utils; --debian: apt (apt-get download), dpkg, xz-utils.
set -eu

ROOT=$(cd "$(dirname "$0")/.." && pwd)
FRAGMENT=${VL_KERNEL_CONFIG:-$ROOT/src/vm/guest/kernel.config}
SOURCE=${VL_KERNEL_SOURCE:-/usr/src/linux-source-6.1.tar.xz}
CACHE=${VL_VM_CACHE:-/var/cache/vnetlab/vm-kernel}
# Bump when the way the kernel is built changes, to rebuild it.
RECIPE=1
# Debian modules an initramfs needs (their dependencies come along):
# virtio devices on PCI (q35) and MMIO (microvm), network, serial ports,
# the qdiscs the small kernel has built in, and 9p over virtio with
# overlayfs (the host's root under the guest's own writable layer).
# Bump DEBIAN_RECIPE when the list changes: it keys the unpacked cache.
DEBIAN_MODULES="virtio_pci virtio_mmio virtio_net virtio_console sch_tbf sch_netem sch_htb
9pnet_virtio 9p overlay"
DEBIAN_RECIPE=2

debian=0
print=0
for arg in "$@"; do
	case $arg in
	--debian) debian=1 ;;
	--print) print=1 ;;
	-h | --help)
		sed -n '2,/^set -eu/p' "$0" | sed '$d; s/^# \{0,1\}//'
		exit 0
		;;
	*)
		echo "vm-kernel: unknown argument '$arg' (see --help)" >&2
		exit 2
		;;
	esac
done

die() {
	echo "vm-kernel: $*" >&2
	exit 1
}

# die with the last lines of a log, which is kept
die_log() {
	echo "vm-kernel: $1 (log: $2):" >&2
	tail -n 25 "$2" >&2
	exit 1
}

need_cmds() {
	missing=""
	for c in "$@"; do
		command -v "${c%%:*}" >/dev/null 2>&1 || missing="$missing ${c#*:}"
	done
	[ -z "$missing" ] || die "missing programs; install the Debian packages:$missing"
}

# Whether CACHE/name links to directory dir already.
is_link() { # name dir
	[ "$(readlink "$CACHE/$1" 2>/dev/null)" = "${2##*/}" ]
}

# An atomic symlink update: name -> target (a directory name in CACHE).
set_link() {
	ln -sfn "$2" "$CACHE/.$1.tmp"
	mv -T "$CACHE/.$1.tmp" "$CACHE/$1"
}

# One build of each kind at a time per cache; a concurrent run waits,
# then finds the kernel there.
lock_cache() { # kind
	mkdir -p "$CACHE"
	exec 9>"$CACHE/.lock-$1"
	flock 9
}

# Take the uncompressed kernel out of a bzImage: find the payload's
# compression magic and decompress from there until an ELF comes out
# (what the kernel's scripts/extract-vmlinux does).
extract_vmlinux() { # bzImage out
	for spec in 'xz:\3757zXZ\000:xz -dc' 'gzip:\037\213\010:gzip -dc' 'zstd:(\265/\375:zstd -dc'; do
		magic=$(echo "$spec" | cut -d: -f2)
		unpack=$(echo "$spec" | cut -d: -f3)
		command -v "${unpack%% *}" >/dev/null 2>&1 || continue
		# shellcheck disable=SC2059
		pattern=$(printf "$magic")
		LC_ALL=C grep -aboF "$pattern" "$1" 2>/dev/null | cut -d: -f1 >"$2.offsets" || true
		found=0
		while read -r off; do
			tail -c +"$((off + 1))" "$1" | $unpack >"$2" 2>/dev/null || true
			if [ "$(head -c 4 "$2" | od -An -c | tr -d ' ')" = '177ELF' ]; then
				found=1
				break
			fi
		done <"$2.offsets"
		rm -f "$2.offsets"
		[ "$found" = 0 ] || return 0
	done
	rm -f "$2.offsets"
	rm -f "$2"
	return 1
}

# Sets dir (the cache directory) and srcid (the source's identity).
small_dir() {
	[ -r "$FRAGMENT" ] || die "no configuration fragment $FRAGMENT"
	[ -r "$SOURCE" ] || die "no kernel source $SOURCE (install the Debian package linux-source-6.1)"
	# The source's identity: its package version when a package owns it
	# (cheap), else the tarball's own hash.
	owner=$(dpkg-query -S "$SOURCE" 2>/dev/null | cut -d: -f1 || true)
	if [ -n "$owner" ]; then
		srcid="$owner $(dpkg-query -W -f='${Version}' "$owner")"
	else
		srcid=$(sha256sum "$SOURCE" | cut -d' ' -f1)
	fi
	# the fragment's options, not its comments
	hash=$({
		echo "recipe $RECIPE"
		echo "source $srcid"
		grep -E '^(CONFIG_|# CONFIG_[A-Za-z0-9_]+ is not set)' "$FRAGMENT"
	} | sha256sum | cut -c1-16)
	dir=$CACHE/$hash
}

build_small() {
	small_dir
	if [ "$print" = 1 ]; then
		echo "$dir"
		return 0
	fi
	[ -d "$dir" ] && { is_link small "$dir" || set_link small "${dir##*/}"; } && return 0
	need_cmds make gcc:build-essential ld:binutils bc flex bison xz:xz-utils flock:util-linux \
		perl:perl-base
	[ -e /usr/include/gelf.h ] || die "missing libelf headers; install the Debian package libelf-dev"
	lock_cache small
	if [ -d "$dir" ]; then
		set_link small "${dir##*/}"
		return 0
	fi
	work=$(mktemp -d "$CACHE/.build.XXXXXX")
	log=$CACHE/build.log
	: >"$log"
	# everything but the log goes when the build ends, however it ends
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM HUP
	tar -xf "$SOURCE" -C "$work" --strip-components=1 >>"$log" 2>&1 ||
		die_log "cannot unpack $SOURCE" "$log"
	cd "$work"
	{
		# tinyconfig, then the fragment on top with allnoconfig's rule
		# (-n): what neither asks for is off, where olddefconfig would
		# turn on every default-y option below the fragment's (IPv6,
		# wireless, ACPI drivers, ...)
		make -s tinyconfig &&
			scripts/kconfig/merge_config.sh -n .config "$FRAGMENT"
	} >>"$log" 2>&1 || die_log "configuring the kernel failed" "$log"
	# Every option of the fragment must be in the final .config as
	# written: one that vanished lacks a dependency the fragment must add.
	bad=""
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qxF "$line" .config || bad="$bad ${line%%=*}"
			;;
		"# CONFIG_"*" is not set")
			opt=${line#\# }
			opt=${opt%% *}
			! grep -q "^$opt=" .config || bad="$bad $opt"
			;;
		esac
	done <"$FRAGMENT"
	[ -z "$bad" ] || die "options of $FRAGMENT not as asked in the final .config:$bad"
	start=$(date +%s)
	make -j"$(nproc)" vmlinux bzImage >>"$log" 2>&1 || die_log "building the kernel failed" "$log"
	end=$(date +%s)
	out=$work/out
	mkdir "$out"
	cp vmlinux "$out/vmlinux"
	cp arch/x86/boot/bzImage "$out/bzImage"
	cp .config "$out/config"
	cp System.map "$out/System.map"
	{
		echo "source: $srcid"
		echo "kernel: $(make -s kernelrelease)"
		echo "compiler: $(gcc --version | head -n 1)"
		echo "build: $((end - start)) s on $(nproc) CPUs"
	} >"$out/build-info"
	mv -T "$out" "$dir"
	set_link small "${dir##*/}"
	rm -f "$log"
}

fetch_debian() {
	need_cmds apt-get:apt apt-cache:apt dpkg-deb:dpkg xz:xz-utils flock:util-linux
	# The ABI package the metapackage's candidate depends on, e.g.
	# linux-image-6.1.0-41-amd64, and that package's candidate version.
	pkg=$(apt-cache depends linux-image-amd64 2>/dev/null |
		sed -n 's/^ *Depends: \(linux-image-6\.1[^ ]*-amd64\)$/\1/p' | head -n 1)
	[ -n "$pkg" ] || die "no candidate for linux-image-6.1*-amd64 (run apt-get update)"
	ver=$(apt-cache policy "$pkg" | sed -n 's/^ *Candidate: //p')
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		die "no candidate version of $pkg (run apt-get update)"
	fi
	dir=$CACHE/debian-${pkg}_$(echo "$ver" | tr ':~' '__')-r$DEBIAN_RECIPE
	if [ "$print" = 1 ]; then
		echo "$dir"
		return 0
	fi
	[ -d "$dir" ] && { is_link debian "$dir" || set_link debian "${dir##*/}"; } && return 0
	lock_cache debian
	if [ -d "$dir" ]; then
		set_link debian "${dir##*/}"
		return 0
	fi
	work=$(mktemp -d "$CACHE/.debian.XXXXXX")
	log=$CACHE/debian.log
	: >"$log"
	trap 'rm -rf "$work"' EXIT
	trap 'exit 1' INT TERM HUP
	# apt-get download writes into the current directory; as root it
	# fetches unsandboxed, which it warns about: into the log with the rest
	(cd "$work" && apt-get download -q "$pkg=$ver") >>"$log" 2>&1 ||
		die_log "cannot download $pkg=$ver" "$log"
	dpkg -x "$work"/"$pkg"_*.deb "$work/root" >>"$log" 2>&1 || die_log "cannot unpack $pkg" "$log"
	out=$work/out
	mkdir -p "$out/modules"
	for kimg in "$work"/root/boot/vmlinuz-*; do
		break
	done
	[ -f "$kimg" ] || die "$pkg has no /boot/vmlinuz-*"
	kver=${kimg##*/vmlinuz-}
	cp "$kimg" "$out/vmlinuz"
	cp "$work/root/boot/config-$kver" "$out/config"
	extract_vmlinux "$out/vmlinuz" "$out/vmlinux" || echo "no vmlinux in $kimg" >>"$log"
	mods=$work/root/lib/modules/$kver
	[ -d "$mods/kernel" ] || die "$pkg has no /lib/modules/$kver/kernel"
	# A package has no modules.dep (depmod makes it when the package is
	# installed): each module's dependencies are in its .modinfo section.
	# Depth-first: dependencies before the module; built-in ones (in
	# modules.builtin) need nothing. A subshell each: the recursion's
	# variables stay its own.
	: >"$out/modules/load-order"
	add_module() ( # name
		name=$(echo "$1" | tr - _)
		grep -qxF "$name.ko" "$out/modules/load-order" && return 0
		pattern=$(echo "$name" | sed 's/_/[-_]/g')
		grep -q "/$pattern\.ko\$" "$mods/modules.builtin" 2>/dev/null && return 0
		file=$(find "$mods/kernel" -name "$pattern.ko*" | head -n 1)
		[ -n "$file" ] || die "$pkg has no module $name"
		ko=$out/modules/$name.ko
		case $file in
		*.ko.xz) xz -dc "$file" >"$ko" ;;
		*.ko.zst) zstd -qdc "$file" >"$ko" ;;
		*.ko.gz) gzip -dc "$file" >"$ko" ;;
		*) cp "$file" "$ko" ;;
		esac
		deps=$(tr '\000' '\n' <"$ko" | sed -n 's/^depends=//p' | head -n 1 | tr , ' ')
		for dep in $deps; do
			add_module "$dep"
		done
		echo "$name.ko" >>"$out/modules/load-order"
	)
	for m in $DEBIAN_MODULES; do
		add_module "$m"
	done
	{
		echo "package: $pkg $ver"
		echo "kernel: $kver"
	} >"$out/build-info"
	mv -T "$out" "$dir"
	set_link debian "${dir##*/}"
	rm -f "$log"
}

if [ "$debian" = 1 ]; then
	fetch_debian
else
	build_small
fi
