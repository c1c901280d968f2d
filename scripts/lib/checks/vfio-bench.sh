# SPDX-License-Identifier: GPL-2.0
# Check "vfio-bench" of scripts/validate: scripts/vfio-bench, the cost of
# one more MSI-X vector through VFIO with N live, the series' dynamic
# addition against 6.1's disable and re-enable.  Not on the CI path
# (scripts/validate --full, or the command alone): a measurement, whose
# correctness conditions the vfio check's kselftest and real VMM already
# prove; on the CI path a cached result of the current key is replayed,
# otherwise test-results/vfio-bench/ is left as the last run wrote it,
# and said so.
#
# One unit of the result cache, keyed like the other boots (boots_keytext
# of boots.sh) and by the benchmark's own files and settings.  In a file
# of its own so that a change to it leaves the other boots' keys alone.

vfio_bench_keytext() {
	boots_keytext
	key_files scripts/vfio-bench scripts/guest/vfio-bench-init scripts/guest/vfio_bench.c scripts/guest/vfio_open.h \
		scripts/lib/vfio-bench-report.py scripts/lib/checks/vfio-bench.sh \
		scripts/lib/checks/full-only.sh
	echo "env: VFIO_BENCH_RUNS=${VFIO_BENCH_RUNS:-} VFIO_BENCH_REPS=${VFIO_BENCH_REPS:-}"
}

vfio_bench_boots() {
	script_checks vfio-bench "" bash "$MSI_DYN_REPO/scripts/vfio-bench" --no-apt
}

check_vfio_bench() {
	run_unit vfio-bench "$(vfio_bench_keytext)" - vfio_bench_boots
}

# On the CI path: the cached figures of the current key (full-only.sh)
check_vfio_bench_cached() {
	full_only_cached vfio-bench "$(vfio_bench_keytext)" vfio-bench/vfio-bench.json scripts/vfio-bench
}
