# SPDX-License-Identifier: GPL-2.0
# The arm64 boot kernels and guests of scripts/arm64-boot: QEMU's virt
# machine with a GICv3 and its ITS under TCG, with the same nvme, e1000e
# and virtio-net as the x86_64 boots.  Sourced after lib.sh and boot.sh
# (whose boot_initramfs() packs the guest); not meant to be run.

ARM64_BOOT_CROSS=aarch64-linux-gnu-
ARM64_BOOT_CONFIG=kernel-config/boot-arm64.config
# The machine, shared with the arm64 KUnit check
ARM64_BOOT_SETUP=kernel-config/kunit/arm64-its.args
ARM64_BOOT_MUST="PCI_MSI ARM_GIC_V3_ITS ARM_GIC_V3_ITS_PCI PCI_HOST_GENERIC BLK_DEV_NVME
	E1000E VIRTIO_NET VIRTIO_PCI SERIAL_AMBA_PL011_CONSOLE MODULES BUG"

# arm64_busybox_version: the Debian source version of busybox the guests
# run, the one the host's busybox-static (the x86_64 guests' busybox) was
# built from
arm64_busybox_version() {
	dpkg-query -W -f='${source:Version}' busybox-static 2>/dev/null
}

# arm64_busybox: a static arm64 busybox, cross-built once from Debian's
# source package of arm64_busybox_version with Debian's busybox-static
# configuration; prints the directory holding bin/busybox (for
# boot_initramfs, whose copy of it replaces the host's /bin/busybox)
arm64_busybox() {
	local v d src blog
	v=$(arm64_busybox_version)
	[ -n "$v" ] || { echo "busybox-static is not installed" >&2; return 1; }
	# (make takes no colon in a path: the epoch is written as "_")
	d=$MSI_DYN_CACHE/busybox-arm64/${v//:/_}
	if [ -x "$d/root/bin/busybox" ]; then
		echo "$d/root"
		return 0
	fi
	blog=$MSI_DYN_CACHE/busybox-arm64/build-${v//:/_}.log
	rm -rf "$d"
	mkdir -p "$d/dl" "$d/root/bin"
	ensure_deb_src
	# apt-get verifies the files against the archive's signed index
	(cd "$d/dl" && apt-get source --download-only "busybox=$v" &&
		dpkg-source -x ./*.dsc src) > "$blog" 2>&1 ||
		{ echo "busybox $v: download or unpacking failed, see $blog" >&2; return 1; }
	src=$(echo "$d"/dl/src)
	cp "$src/debian/config/pkg/static" "$d/build.config" || return 1
	mkdir -p "$d/out"
	cp "$d/build.config" "$d/out/.config"
	# (yes ends on SIGPIPE: pipefail off for that pipe)
	(cd "$src" && set +o pipefail && yes "" | make -s O="$d/out" CROSS_COMPILE="$ARM64_BOOT_CROSS" oldconfig &&
		make -s O="$d/out" CROSS_COMPILE="$ARM64_BOOT_CROSS" -j"$(nproc)") >> "$blog" 2>&1 ||
		{ echo "busybox $v: cross build failed, see $blog" >&2; return 1; }
	"${ARM64_BOOT_CROSS}readelf" -h "$d/out/busybox" | grep -q 'Machine:.*AArch64' &&
		! "${ARM64_BOOT_CROSS}readelf" -l "$d/out/busybox" | grep -q INTERP ||
		{ echo "busybox $v: not a static arm64 program" >&2; return 1; }
	cp "$d/out/busybox" "$d/root/bin/busybox"
	rm -rf "$d/dl" "$d/out"
	echo "$d/root"
}

# arm64_boot_kernel NAME REF: the arm64 boot kernel of commit REF of the
# tree (tinyconfig plus kernel-config/boot-arm64.config, the sample pair
# and scripts/guest/msix_bench as modules) in $MSI_DYN_CACHE/build/
# arm64-boot-NAME, built in the boot kernels' shared worktree; reused as
# it is when its stamp names the same commit, configuration and module.
# Prints the build directory.
arm64_boot_kernel() {
	local name=$1 ref=$2 wt=$MSI_DYN_CACHE/boot-tree o=$MSI_DYN_CACHE/build/arm64-boot-$1
	local stamp blog=$MSI_DYN_CACHE/build/arm64-boot-$1.log s
	local mk="ARCH=arm64 CROSS_COMPILE=$ARM64_BOOT_CROSS"
	stamp="$(pgit -C "$MSI_DYN_TREE" rev-parse "$ref^{commit}") $(cat \
		"$MSI_DYN_REPO/$ARM64_BOOT_CONFIG" "$MSI_DYN_REPO"/scripts/guest/msix_bench/{Kbuild,msix_bench.c} |
		sha256sum | cut -c1-16)"
	if [ -f "$o/arch/arm64/boot/Image" ] && [ "$(cat "$o/.boot-stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "$o"
		return 0
	fi
	boot_worktree "$ref" || return 1
	rm -f "$o/.boot-stamp"
	mkdir -p "$o"
	rm -rf "$o/bench"
	cp -r "$MSI_DYN_REPO/scripts/guest/msix_bench" "$o/bench"
	# shellcheck disable=SC2086
	(cd "$wt" && make -s O="$o" $mk tinyconfig >/dev/null &&
		scripts/kconfig/merge_config.sh -m -O "$o" "$o/.config" \
			"$MSI_DYN_REPO/$ARM64_BOOT_CONFIG" >/dev/null &&
		make -s O="$o" $mk olddefconfig &&
		make -s O="$o" $mk CC="ccache ${ARM64_BOOT_CROSS}gcc" -j"$(nproc)" Image modules &&
		make -s O="$o" $mk CC="ccache ${ARM64_BOOT_CROSS}gcc" M="$o/bench" modules) \
		> "$blog" 2>&1 || { echo "arm64 kernel build of $ref failed, see $blog" >&2; return 1; }
	for s in $ARM64_BOOT_MUST; do
		grep -qx "CONFIG_$s=y" "$o/.config" ||
			{ echo "arm64 boot kernel of $ref: CONFIG_$s is not y" >&2; return 1; }
	done
	echo "$stamp" > "$o/.boot-stamp"
	echo "$o"
}

# arm64_boot_guest IMAGE INITRD LOG TIMEOUT QEMU-ARGS...: boot IMAGE on
# the virt machine of $ARM64_BOOT_SETUP (TCG, two CPUs) with INITRD as
# its init and the console on the PL011; the devices come as QEMU-ARGS.
# The log goes to LOG with carriage returns removed.
arm64_boot_guest() {
	local image=$1 initrd=$2 log=$3 tmo=$4
	shift 4
	# shellcheck disable=SC2046
	timeout "$tmo" qemu-system-aarch64 $(cat "$MSI_DYN_REPO/$ARM64_BOOT_SETUP") \
		-cpu cortex-a57 -smp 2 -nographic -no-reboot \
		-kernel "$image" -initrd "$initrd" -append "console=ttyAMA0 panic=-1" \
		"$@" < /dev/null 2>&1 | tr -d '\r' > "$log"
}
