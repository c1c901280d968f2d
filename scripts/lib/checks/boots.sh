# SPDX-License-Identifier: GPL-2.0
# Checks "regression" and "benchmark" of scripts/validate: the boots of
# the boot kernels (lib/boot.sh) of the base and the series under QEMU.
#
#   regression  scripts/regression-boot: in-tree MSI-X drivers on both
#               kernels in every setup of kernel-config/qemu/;
#   benchmark   scripts/benchmark: dynamic growth against 6.1's re-enable.
#               Not on the CI path (scripts/validate --full, or the
#               command alone): about ten minutes of TCG boots that
#               measure, where every correctness check it makes is also a
#               KUnit case.  On the CI path a cached result of the current
#               key is replayed; otherwise test-results/benchmark/ is left
#               as the last --full run wrote it, and said so.
#
# Each is one unit of the result cache, keyed by both kernels' trees, the
# boot configuration, the guest programs and modules, the scripts that
# run them, QEMU, gcc and busybox.

boots_keytext() {
	key_tree "$BASE_TAG"
	key_tree "$SERIES_NAME"
	key_files kernel-config/boot-x86_64.config scripts/lib/boot.sh \
		scripts/guest/msix_bench/Kbuild scripts/guest/msix_bench/msix_bench.c \
		$(cd "$MSI_DYN_REPO" && ls kernel-config/qemu/*.args)
	tool_version gcc; tool_version qemu; tool_version busybox; tool_version python3
}

regression_boots() {
	script_checks regression "" bash "$MSI_DYN_REPO/scripts/regression-boot" --no-apt
}

check_regression() {
	local text
	text=$(boots_keytext
		key_files scripts/regression-boot scripts/guest/regression-init scripts/lib/regression-report.py \
			scripts/lib/checks/boots.sh)
	run_unit regression "$text" - regression_boots
}

benchmark_boots() {
	script_checks benchmark "" bash "$MSI_DYN_REPO/scripts/benchmark" --no-apt
}

benchmark_keytext() {
	boots_keytext
	key_files scripts/benchmark scripts/guest/bench-init scripts/lib/bench-report.py \
		scripts/lib/checks/boots.sh \
		$(cd "$MSI_DYN_REPO" && ls test-results/benchmark/mainline*.log 2>/dev/null)
	echo "env: REPS=${REPS:-} REENABLE_REPS=${REENABLE_REPS:-} RUNS=${RUNS:-} P3_REPS=${P3_REPS:-} IC_REPS=${IC_REPS:-}"
}

check_benchmark() {
	run_unit benchmark "$(benchmark_keytext)" - benchmark_boots
}

# On the CI path: the cached figures of the current key, or a word on
# where the committed ones come from
check_benchmark_cached() {
	local dir b
	dir=$(unit_lookup benchmark "$(benchmark_keytext)")
	if cache_hit "$dir"; then
		replay "$dir" - "cached $(cut -d' ' -f1 "$dir/when")"
		return 0
	fi
	b=$RESULTS/benchmark/benchmark.json
	if [ -f "$b" ]; then
		record INFO benchmark - "not run on the CI path and no cached result for this key: test-results/benchmark/ is from an earlier scripts/validate --full or scripts/benchmark (series $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("commits",{}).get("series","?")[:12])' "$b" 2>/dev/null))"
	else
		record INFO benchmark - "not run on the CI path: scripts/validate --full or scripts/benchmark"
	fi
}
