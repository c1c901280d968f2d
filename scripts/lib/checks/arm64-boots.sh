# SPDX-License-Identifier: GPL-2.0
# Checks "arm64-regression" and "arm64-benchmark" of scripts/validate:
# scripts/arm64-boot, the arm64 boot kernels of the base and the series on
# QEMU's virt machine with a GICv3 ITS (lib/boot-arm64.sh).
#
#   arm64-regression  the regression boot (nvme, e1000e, virtio-net on
#                     MSI-X through the ITS), on the CI path;
#   arm64-benchmark   the growth benchmark beside x86_64's: not on the CI
#                     path (scripts/validate --full, or scripts/arm64-boot
#                     --bench), as x86_64's; a cached result of the
#                     current key is replayed there.
#
# Each is one unit of the result cache, keyed by both kernels' trees (the
# benchmark: the series'), the arm64 boot configuration and machine, the
# guest programs and modules, the scripts that run and judge them, the
# cross compiler, qemu-system-aarch64 and the busybox source version.
# In files of their own, so that nothing here keys an x86_64 unit.

# The boot kernels' functions (arm64_boot_kernel, boot_worktree), for
# arm64-gates.sh too
# shellcheck source=scripts/lib/boot.sh
. "$MSI_DYN_REPO/scripts/lib/boot.sh"
# shellcheck source=scripts/lib/boot-arm64.sh
. "$MSI_DYN_REPO/scripts/lib/boot-arm64.sh"

# arm64_boot_tool_keys: the cross compiler's version, for every key of an
# arm64 boot kernel
arm64_boot_tool_keys() {
	echo "tool ${ARM64_BOOT_CROSS}gcc: $("${ARM64_BOOT_CROSS}gcc" --version 2>/dev/null | head -n 1)"
}

arm64_boots_keytext() {
	key_tree "$SERIES_NAME"
	key_files kernel-config/boot-arm64.config kernel-config/kunit/arm64-its.args \
		scripts/arm64-boot scripts/lib/boot-arm64.sh scripts/lib/boot.sh \
		scripts/lib/checks/arm64-boots.sh
	arm64_boot_tool_keys
	echo "tool qemu-system-aarch64: $(qemu-system-aarch64 --version 2>/dev/null | head -n 1)"
	echo "busybox source: $(dpkg-query -W -f='${source:Version}' busybox-static 2>/dev/null)"
	tool_version python3
}

arm64_regression_boots() {
	script_checks arm64-regression arm64- bash "$MSI_DYN_REPO/scripts/arm64-boot" --no-apt
}

check_arm64_regression() {
	local text
	text=$(arm64_boots_keytext
		key_tree "$BASE_TAG"
		key_files scripts/guest/regression-init scripts/lib/regression-report.py)
	run_unit arm64-regression "$text" - arm64_regression_boots
}

arm64_benchmark_keytext() {
	arm64_boots_keytext
	key_files scripts/guest/bench-init scripts/guest/msix_bench/Kbuild \
		scripts/guest/msix_bench/msix_bench.c scripts/lib/bench-report.py \
		scripts/lib/bench-arm64-report.py \
		$(cd "$MSI_DYN_REPO" && ls test-results/benchmark/benchmark.json 2>/dev/null)
	echo "env: REPS=${REPS:-} REENABLE_REPS=${REENABLE_REPS:-}"
}

arm64_benchmark_boot() {
	script_checks arm64-benchmark "" bash "$MSI_DYN_REPO/scripts/arm64-boot" --no-apt --bench
}

check_arm64_benchmark() {
	run_unit arm64-benchmark "$(arm64_benchmark_keytext)" - arm64_benchmark_boot
}

check_arm64_benchmark_cached() {
	full_only_cached arm64-benchmark "$(arm64_benchmark_keytext)" \
		arm64-benchmark/benchmark.json "scripts/arm64-boot --bench"
}

