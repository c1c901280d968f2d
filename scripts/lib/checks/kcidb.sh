# SPDX-License-Identifier: GPL-2.0
# Check "kcidb" of scripts/validate: this run's verdicts as KCIDB data
# (schema v5.3), test-results/kcidb.json, and the proof that the file holds
# what the schema states (scripts/lib/kcidb.py explains the model).  Runs
# last, so that it sees every record before it; not cached (seconds).
#
# The schema facts are checked with Debian's python3-jsonschema, so this
# check runs Debian's interpreter (/usr/bin/python3) whatever python3 the
# PATH finds first.

KCIDB_PY=${KCIDB_PY:-/usr/bin/python3}

kcidb_run() {
	local out=$RESULTS/kcidb.json
	python3 "$MSI_DYN_REPO/scripts/lib/kcidb.py" export --checks "$CHECKS" \
		--durations "$DURATIONS" --results "$RESULTS" --repo "$MSI_DYN_REPO" \
		--base-commit "$(pgit -C "$MSI_DYN_TREE" rev-parse "$BASE_TAG^{commit}")" \
		--base-tag "$BASE_TAG" --upstream-commit "$UPSTREAM_COMMIT" \
		--upstream-url "$UPSTREAM_URL" --started "$KCIDB_STARTED" \
		--tool "gcc=$(tool_version gcc | sed 's/^tool gcc: //')" \
		--tool "clang=$(tool_version clang | sed 's/^tool clang: //')" \
		--tool "qemu=$(tool_version qemu | sed 's/^tool qemu: //')" \
		--out "$out" || return 1
	"$KCIDB_PY" "$MSI_DYN_REPO/scripts/lib/kcidb.py" selftest "$out" --repo "$MSI_DYN_REPO"
	"$KCIDB_PY" "$MSI_DYN_REPO/scripts/lib/kcidb.py" check "$out" --repo "$MSI_DYN_REPO"
}

check_kcidb() {
	script_checks kcidb "" kcidb_run
}
