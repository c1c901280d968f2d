# SPDX-License-Identifier: GPL-2.0
# What the checks that are not on the CI path (vfio-bench.sh) do on it: replay a cached result of the current key.

# full_only_cached UNIT KEYTEXT JSON COMMAND: replay UNIT's cached result
# for KEYTEXT, or say where the committed JSON (below test-results/) comes
# from, or that COMMAND makes it
full_only_cached() {
	local unit=$1 text=$2 json=$RESULTS/$3 cmd=$4 dir
	dir=$(unit_lookup "$unit" "$text")
	if cache_hit "$dir"; then
		replay "$dir" - "cached $(cut -d' ' -f1 "$dir/when")"
		return 0
	fi
	if [ -f "$json" ]; then
		record INFO "$unit" - "not run on the CI path and no cached result for this key: test-results/$3 is from an earlier scripts/validate --full or $cmd (series $(python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print((j.get("commits") or j.get("kernels") or {}).get("series","?")[:12])' "$json" 2>/dev/null))"
	else
		record INFO "$unit" - "not run on the CI path: scripts/validate --full or $cmd"
	fi
}
