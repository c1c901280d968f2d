# SPDX-License-Identifier: GPL-2.0
# The x86_64 boot kernels of scripts/regression-boot and scripts/benchmark.
# Sourced after lib.sh; not meant to be run.

# Options every boot kernel must end up with: what the boots check
BOOT_KERNEL_MUST="PCI_MSI BLK_DEV_NVME E1000E VIRTIO_NET VIRTIO_PCI IRQ_REMAP
	INTEL_IOMMU AMD_IOMMU MODULES BUG VFIO VFIO_PCI VFIO_IOMMU_TYPE1 VFIO_NOIOMMU
	EVENTFD EPOLL"

# boot_kernel NAME REF: build the x86_64 kernel the boots use of commit REF
# of the tree (boot_kernel_build) from one worktree shared by all boot
# kernels, so that branches of the tree and the validation's build tree are
# left alone.  A build directory whose stamp names the same commit,
# configuration and benchmark module is reused as it is.  Prints the build
# directory.
boot_kernel() {
	local name=$1 ref=$2 wt=$MSI_DYN_CACHE/boot-tree o=$MSI_DYN_CACHE/build/boot-$1 stamp
	stamp="$(pgit -C "$MSI_DYN_TREE" rev-parse "$ref^{commit}") $(cat \
		"$MSI_DYN_REPO/kernel-config/boot-x86_64.config" "$MSI_DYN_REPO"/scripts/guest/msix_bench/{Kbuild,msix_bench.c} |
		sha256sum | cut -c1-16)"
	# A debugging variant (scripts/debug-boot) adds a fragment of its own
	[ -n "${BOOT_EXTRA_CONFIG:-}" ] && stamp="$stamp $(sha256sum < "$BOOT_EXTRA_CONFIG" | cut -c1-16)"
	if [ -f "$o/arch/x86/boot/bzImage" ] && [ "$(cat "$o/.boot-stamp" 2>/dev/null)" = "$stamp" ]; then
		echo "$o"
		return 0
	fi
	boot_worktree "$ref" || return 1
	rm -f "$o/.boot-stamp"
	boot_kernel_build "$name" "$wt" || return 1
	echo "$stamp" > "$o/.boot-stamp"
}

# boot_worktree REF: check commit REF of the tree out, clean, in the
# worktree all boot kernels share ($MSI_DYN_CACHE/boot-tree), creating it
# on first use
boot_worktree() {
	local ref=$1 wt=$MSI_DYN_CACHE/boot-tree
	if [ ! -e "$wt/.git" ]; then
		pgit -C "$MSI_DYN_TREE" worktree prune
		rm -rf "$wt"
		pgit -C "$MSI_DYN_TREE" worktree add -q --detach "$wt" "$ref" >/dev/null 2>&1 ||
			{ echo "worktree add of $ref failed" >&2; return 1; }
	fi
	pgit -C "$wt" checkout -q -f --detach "$ref" && pgit -C "$wt" clean -q -fdx ||
		{ echo "checkout of $ref failed" >&2; return 1; }
}

# boot_kernel_build NAME SRC: build the kernel source in SRC with tinyconfig
# plus kernel-config/boot-x86_64.config into $MSI_DYN_CACHE/build/boot-NAME,
# with its modules and the benchmark module (scripts/guest/msix_bench/); check that
# the options the boots rely on are set.  Log in boot-NAME.log next to it;
# prints the build directory.
boot_kernel_build() {
	local name=$1 src=$2 o=$MSI_DYN_CACHE/build/boot-$1 s
	local blog=$MSI_DYN_CACHE/build/boot-$1.log
	mkdir -p "$o"
	rm -rf "$o/bench"
	cp -r "$MSI_DYN_REPO/scripts/guest/msix_bench" "$o/bench"
	(cd "$src" && make -s O="$o" ARCH=x86_64 tinyconfig >/dev/null &&
		scripts/kconfig/merge_config.sh -m -O "$o" "$o/.config" \
			"$MSI_DYN_REPO/kernel-config/boot-x86_64.config" \
			${BOOT_EXTRA_CONFIG:+"$BOOT_EXTRA_CONFIG"} >/dev/null &&
		make -s O="$o" ARCH=x86_64 olddefconfig &&
		make -s O="$o" ARCH=x86_64 CC="ccache gcc" -j"$(nproc)" bzImage modules &&
		make -s O="$o" ARCH=x86_64 CC="ccache gcc" M="$o/bench" modules) \
		>"$blog" 2>&1 || { echo "kernel build in $src failed, see $blog" >&2; return 1; }
	for s in $BOOT_KERNEL_MUST; do
		grep -qx "CONFIG_$s=y" "$o/.config" ||
			{ echo "boot kernel of $src: CONFIG_$s is not y" >&2; return 1; }
	done
	echo "$o"
}

# boot_initramfs DIR INIT FILES...: a busybox initramfs with INIT as /init
# and FILES (files or directories) in /; prints the path of the archive
boot_initramfs() {
	local d=$1 init=$2
	shift 2
	rm -rf "$d"
	mkdir -p "$d/root/bin" "$d/root/proc" "$d/root/sys" "$d/root/dev" "$d/root/tmp"
	cp /bin/busybox "$d/root/bin/busybox"
	cp "$init" "$d/root/init"
	chmod +x "$d/root/init"
	[ $# -gt 0 ] && cp -r "$@" "$d/root/"
	(cd "$d/root" && find . | LC_ALL=C sort | cpio -o -H newc 2>/dev/null | gzip -n) > "$d/initramfs.cpio.gz"
	echo "$d/initramfs.cpio.gz"
}

# boot_guest SETUP BZIMAGE INITRD DISK LOG [MEM [TIMEOUT]]: boot BZIMAGE
# under QEMU (TCG) in SETUP (a kernel-config/qemu/*.args file) with the
# devices the boots drive (nvme on DISK, e1000e, virtio-net on QEMU user
# networks) and INITRD as its init, console on the serial line; the log
# goes to LOG with carriage returns removed.  BOOT_KARGS, if set, is
# added to the kernel command line.
boot_guest() {
	local setup=$1 bzimage=$2 initrd=$3 disk=$4 log=$5 mem=${6:-512} tmo=${7:-300}
	local name kargs="console=ttyS0 panic=-1${BOOT_KARGS:+ $BOOT_KARGS}"
	name=$(basename "$setup" .args)
	[ "$name" = intel-ir ] && kargs="$kargs intel_iommu=on"
	# shellcheck disable=SC2046
	timeout "$tmo" qemu-system-x86_64 $(cat "$setup") -m "$mem" -smp 2 -nographic -no-reboot \
		-kernel "$bzimage" -initrd "$initrd" -append "$kargs" \
		-drive file="$disk",if=none,id=nv,format=raw \
		-device nvme,serial=regress,drive=nv \
		-netdev user,id=n1,net=10.0.2.0/24 -device e1000e,netdev=n1 \
		-netdev user,id=n2,net=10.0.3.0/24 -device virtio-net-pci,netdev=n2 \
		< /dev/null 2>&1 | tr -d '\r' > "$log"
}
