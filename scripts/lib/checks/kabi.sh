# SPDX-License-Identifier: GPL-2.0
# Check "kabi" of scripts/validate: scripts/kabi, the kernel ABI of the
# series against the base in a distribution-like configuration (exported
# symbols and their versions, structure layouts, abidiff).  Information
# for the series' audience, not a gate: it fails only when a build or a
# tool fails.
#
# Not on the CI path: two full kernel builds with debug information, about
# 50 minutes cold (much less when only the series changed: ccache keeps
# the base's objects); scripts/validate --full runs it.  On the CI path a
# cached result of the current key is replayed; otherwise
# test-results/kabi/ is left as the last run wrote it, and said so.
#
# One unit of the result cache, keyed by both kernels' trees, the
# configuration fragments, the scripts and the tools.

kabi_keytext() {
	key_tree "$BASE_TAG"
	key_tree "$SERIES_NAME"
	key_files kernel-config/x86_64-distro.config kernel-config/kabi.config scripts/kabi \
		scripts/lib/kabi-report.py scripts/lib/checks/kabi.sh
	tool_version gcc
	tool_version python3
	echo "tool abidiff: $(abidiff --version 2>/dev/null | head -n 1)"
	echo "tool gdb: $(gdb --version 2>/dev/null | head -n 1)"
}

kabi_run() {
	script_checks kabi "" bash "$MSI_DYN_REPO/scripts/kabi" --no-apt
}

check_kabi() {
	run_unit kabi "$(kabi_keytext)" - kabi_run
}

# On the CI path: the cached report of the current key, or a word on where
# the committed one comes from
check_kabi_cached() {
	local dir k=$RESULTS/kabi/kabi.json
	dir=$(unit_lookup kabi "$(kabi_keytext)")
	if cache_hit "$dir"; then
		replay "$dir" - "cached $(cut -d' ' -f1 "$dir/when")"
		return 0
	fi
	if [ -f "$k" ]; then
		record INFO kabi - "not run on the CI path and no cached result for this key: test-results/kabi/ is from an earlier scripts/validate --full or scripts/kabi (series $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["commits"].get("series","?")[:12])' "$k" 2>/dev/null))"
	else
		record INFO kabi - "not run on the CI path: scripts/validate --full or scripts/kabi"
	fi
}
