# SPDX-License-Identifier: GPL-2.0
# Check "reliability" of scripts/validate: scripts/reliability, the fault
# injection sweep of every allocation entry point of the series, the
# bad-input table, CPU hotplug, concurrent stress, suspend and resume and
# hot-unplug, with KASAN, lockdep and kmemleak, series against base, in
# the three IOMMU setups.  Not on the CI path (scripts/validate --full,
# or the command alone): two more kernels, with KASAN, and nine boots
# under it are more than the CI budget has room for on a new machine; on
# the CI path a cached result of the current key is replayed
# (full-only.sh), otherwise test-results/reliability.json is left as the
# last run wrote it, and said so.
#
# One unit of the result cache, keyed like the other boots (boots_keytext
# of boots.sh) and by the debugging configuration, the suite and the
# scripts that run and judge it.

reliability_keytext() {
	local f
	boots_keytext
	# shellcheck disable=SC2046
	key_files kernel-config/boot-debug.config kernel-config/boot-reliability.config \
		scripts/reliability scripts/guest/reliability-init \
		$(cd "$MSI_DYN_REPO" && for f in scripts/guest/msi_fault/*; do echo "$f"; done) \
		scripts/guest/vfio_fault.c scripts/guest/vfio_open.h \
		scripts/lib/reliability-report.py scripts/lib/qmp-hotplug.py \
		scripts/lib/splat.py scripts/lib/checks/reliability.sh scripts/lib/checks/full-only.sh
}

reliability_boots() {
	script_checks reliability "" bash "$MSI_DYN_REPO/scripts/reliability" --no-apt
}

check_reliability() {
	run_unit reliability "$(reliability_keytext)" - reliability_boots
}

check_reliability_cached() {
	full_only_cached reliability "$(reliability_keytext)" reliability.json scripts/reliability
}
