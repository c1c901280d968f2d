# SPDX-License-Identifier: GPL-2.0
# Check "vfio" of scripts/validate: scripts/vfio-boot, the series' vfio
# kselftest on the boot kernels (lib/boot.sh) of the base and the series
# without an IOMMU and with VT-d, and a real VMM (QEMU from
# bookworm-backports) over vfio-pci with VT-d.
#
# One unit of the result cache, keyed like the regression boots (both
# kernels' trees, the boot configuration and lib/boot.sh, QEMU, gcc,
# busybox: boots_keytext of boots.sh) and by the VFIO boot's own files
# and the VMM's version.  In a file of its own so that a change to it
# leaves the regression boots' key alone.

vfio_boots() {
	script_checks vfio "" bash "$MSI_DYN_REPO/scripts/vfio-boot" --no-apt
}

check_vfio() {
	local text
	text=$(boots_keytext
		key_files scripts/vfio-boot scripts/guest/vfio-init scripts/guest/vmm_msix.c \
			scripts/lib/checks/vfio.sh
		echo "vmm qemu: ${VMM_QEMU_VERSION:-default}")
	run_unit vfio "$text" - vfio_boots
}
