# SPDX-License-Identifier: GPL-2.0
# Check "arm64-gates" of scripts/validate: no new W=1 or sparse (C=2)
# findings on arm64, base against series, in the files the series touches
# which the arm64 boot kernel (lib/boot-arm64.sh, sourced by
# arm64-boots.sh) builds: the ITS driver and its PCI/MSI glue, which no
# x86_64 gate can compile, and the generic MSI, PCI/MSI and auxiliary
# code.  Findings are normalized as the gates check's (gates.sh).
#
# One unit of the result cache, keyed by both trees, the arm64 boot
# configuration and the scripts that build and judge, the cross compiler
# and sparse.  In a file of its own, so that it keys neither the arm64
# boots nor any x86_64 unit.

# arm64_gates_findings TAG REV: W=1 and sparse (C=2) findings, raw and
# normalized as the gates check has them, of the files the series touches
# which REV's arm64 boot kernel builds (those with an object in its build
# directory), in $WORK/arm64-gates/TAG; an "error" file says why not
arm64_gates_findings() {
	local tag=$1 rev=$2 out=$WORK/arm64-gates/$1 wt=$MSI_DYN_CACHE/boot-tree o f all
	local mk="ARCH=arm64 CROSS_COMPILE=$ARM64_BOOT_CROSS"
	rm -rf "$out"
	mkdir -p "$out"
	if ! o=$(arm64_boot_kernel "$tag" "$rev" 2> "$out/build.log") ||
	   ! boot_worktree "$rev" 2>> "$out/build.log"; then
		echo "the $tag arm64 boot kernel: $(tail -n 1 "$out/build.log")" > "$out/error"
		return
	fi
	: > "$out/w1.raw"; : > "$out/sparse.raw"; : > "$out/files"
	for f in $TOUCHED_C; do
		[ -f "$wt/$f" ] && [ -f "$o/${f%.c}.o" ] || continue
		echo "$f" >> "$out/files"
		rm -f "$o/${f%.c}.o"
		# shellcheck disable=SC2086
		all=$( (cd "$wt" && make O="$o" $mk CC="ccache ${ARM64_BOOT_CROSS}gcc" W=1 C=2 \
			"${f%.c}.o") 2>&1 | grep -E ': (warning|error):')
		# The object's own findings and its headers': C=2 checks again
		# every file a make visits, the vDSO of prepare among them
		all=$(printf '%s\n' "$all" | grep -E "^($wt/)?($f|[^:]*\.h):")
		[ -n "$all" ] || continue
		printf '%s\n' "$all" | grep -F -- '[-W' >> "$out/w1.raw"
		printf '%s\n' "$all" | grep -vF -- '[-W' >> "$out/sparse.raw"
	done
	for f in w1 sparse; do
		WT=$wt normalize < "$out/$f.raw" > "$out/$f.norm"
	done
}

# arm64_gates: no new W=1 or sparse findings on arm64, base against
# series, in the files the series touches that the arm64 boot kernel
# builds: the ITS driver and its PCI/MSI glue, which no x86_64 gate
# compiles, and the generic MSI, PCI/MSI and auxiliary bus code
arm64_gates() {
	local b=$WORK/arm64-gates/base s=$WORK/arm64-gates/series g name label new cnt
	collect_touched
	arm64_gates_findings base "$BASE_TAG"
	arm64_gates_findings series "$SERIES_NAME"
	if [ -f "$b/error" ] || [ -f "$s/error" ]; then
		record FAIL arm64-gates - "$(cat "$b/error" "$s/error" 2>/dev/null | head -n 1)"
		return 1
	fi
	mkdir -p "$RESULTS/arm64-gates"
	cp "$s/files" "$RESULTS/arm64-gates/files.txt"
	for g in w1:"W=1 warnings" sparse:"sparse warnings"; do
		IFS=: read -r name label <<< "$g"
		new=$(new_lines "$b/$name.norm" "$s/$name.norm")
		cp "$b/$name.raw" "$RESULTS/arm64-gates/$name.base.log"
		cp "$s/$name.raw" "$RESULTS/arm64-gates/$name.series.log"
		printf '%s\n' "$new" | grep -v '^$' > "$RESULTS/arm64-gates/$name.new.log"
		cnt=$(grep -c . "$RESULTS/arm64-gates/$name.new.log")
		if [ "$cnt" -eq 0 ]; then
			record PASS "arm64-gate-$name" - "no new $label in the $(wc -l < "$s/files") touched files the arm64 boot kernel builds ($(wc -l < "$b/$name.norm") on base, $(wc -l < "$s/$name.norm") with the series)"
		else
			record FAIL "arm64-gate-$name" - "$cnt new $label: $(head -n 1 "$RESULTS/arm64-gates/$name.new.log")"
		fi
	done
	[ "$(cat "$RESULTS/arm64-gates/"*.new.log | grep -c .)" -eq 0 ]
}

check_arm64_gates() {
	local text
	text=$(key_tree "$BASE_TAG"
		key_tree "$SERIES_NAME"
		key_files kernel-config/boot-arm64.config scripts/lib/boot-arm64.sh scripts/lib/boot.sh \
			scripts/lib/checks/arm64-gates.sh scripts/lib/checks/gates.sh scripts/lib/kbuild.sh
		arm64_boot_tool_keys
		tool_version sparse)
	run_unit arm64-gates "$text" - arm64_gates
}
