# SPDX-License-Identifier: GPL-2.0
# Check "bisect" of scripts/validate: every prefix of the series builds in
# every configuration of kernel-config/matrix/, and the KUnit
# configurations run their suites (UML, and x86_64 under QEMU/TCG in the
# setups of kernel-config/qemu/) at every prefix.
#
# Each configuration at each prefix is a unit of the result cache
# (lib/cache.sh), keyed by the prefix's git tree, the configuration's files
# (matrix entry, fragment or .kunitconfig, QEMU setups and their .expect
# lines), this file and lib/kbuild.sh, and the compiler, QEMU and Python
# versions.  A unit with no cached result is still not built when the
# patch changes no file the same configuration's build read at the
# previous prefix (lib/kbuild-deps.py): its verdict is the previous one's,
# recorded as "same as NNNN".  Only what is left is built and run.

# Splats that must not appear in a test kernel's log.  A test that provokes
# a documented WARN_ON_ONCE() prints "msi-dyn: expecting a WARN" first; the
# next warning (up to its end-trace marker) is then not counted.
scan_splats() {
	python3 - "$1" <<'PY'
import re, sys
bad = re.compile(r'(BUG:|WARNING:|KASAN:|UBSAN:|Oops|Kernel panic|kmemleak:|ODEBUG:|'
                 r'list_(add|del) corruption|INFO: task .* blocked|INFO: possible|'
                 r'DEBUG_LOCKS_WARN_ON)')
expect, inwarn, hits = 0, False, []
for line in open(sys.argv[1], errors='replace'):
    if 'msi-dyn: expecting a WARN' in line:
        expect += 1
        continue
    if inwarn:
        if '---[ end trace' in line:
            inwarn = False
        continue
    if 'WARNING:' in line and expect:
        expect -= 1
        inwarn = True
        continue
    if bad.search(line):
        hits.append(line.strip())
for h in hits[:5]:
    print(h)
sys.exit(1 if hits else 0)
PY
}

# qemu_args SETUP: the QEMU arguments of a setup in kernel-config/qemu/,
# with the devices the PCI tests drive
qemu_args() {
	local d=$MSI_DYN_REPO/kernel-config/qemu
	echo "$(cat "$d/$1.args") $(cat "$MSI_DYN_REPO/kernel-config/kunit/qemu-devices.args")"
}

# kunit_check NAME PATCH LABEL LOG RC: judge one kunit.py run or exec (exit
# code RC) of the kernel in $BUILD/NAME: results, splats, and skips where
# none are allowed
kunit_check() {
	local name=$1 patch=$2 label=$3 log=$4 krc=$5 o=$BUILD/$1 splat skips
	[ -f "$o/test.log" ] && cp "$o/test.log" "$LOGS/kunit/$label.test.log"
	# Later patches overwrite that copy: keep the kernel log of a failure
	# under the patch's number as well
	kunit_fail() {
		[ -f "$o/test.log" ] && cp "$o/test.log" "$LOGS/kunit/$label-${patch%%-*}.failed.test.log"
		record FAIL "kunit-$label" "$patch" "$1"
	}
	if ! grep -q 'Testing complete' "$log" || ! [ -f "$o/results.json" ]; then
		kunit_fail "$(grep -m1 -E 'error:|Error|ERROR|FAILED' "$log")"
		return 1
	fi
	cp "$o/results.json" "$LOGS/kunit/$label.json"
	if [ "$krc" -ne 0 ]; then
		kunit_fail "$(grep -m1 -E 'Testing complete' "$log" | sed 's/^\[[^]]*\] //')"
		return 1
	fi
	splat=$(scan_splats "$o/test.log")
	if [ -n "$splat" ]; then
		kunit_fail "kernel log has a splat: $(echo "$splat" | head -n 1)"
		return 1
	fi
	# The setup is what it claims to be: IOMMU up, the right interrupt chip
	# (not "tr | grep -q" under pipefail: grep quits at an early match, tr
	# dies of SIGPIPE and the pipeline fails at random)
	local expect=$MSI_DYN_REPO/kernel-config/qemu/${label#*@}.expect re
	if [ "$label" != "$name" ] && [ -n "${CHECK_EXPECT:-}" ] && [ -f "$expect" ]; then
		tr -d '\r' < "$o/test.log" > "$o/test.log.lf"
		while IFS= read -r re; do
			[[ -z $re || $re == \#* ]] && continue
			if ! grep -qE -- "$re" "$o/test.log.lf"; then
				kunit_fail "kernel log lacks: $re"
				return 1
			fi
		done < "$expect"
	fi
	# Where the setup provides everything, a skipped test is a broken setup
	skips=$(grep -E '^[[:space:]]*ok [0-9]+ .*# SKIP' "$o/test.log" | head -n 1)
	if [ -n "${NOSKIP:-}" ] && [ -n "$skips" ]; then
		kunit_fail "skipped: $(echo "$skips" | sed 's/^[[:space:]]*//')"
		return 1
	fi
	record PASS "kunit-$label" "$patch" "$(grep -m1 -E '^\[.*\] Testing complete' "$log" | sed 's/^\[[^]]*\] //')"
	return 0
}

# kunit_run NAME K: build and run kunit.py for a KIND=kunit matrix entry;
# with QEMU_SETUPS, boot the kernel once in each of them
kunit_run() {
	local name=$1 k=$2 patch o log kc setup rc=0 first=1 krc
	patch=$(patch_name "$k")
	o=$BUILD/$name
	mkdir -p "$o" "$LOGS/kunit"
	kc=$o/filtered.kunitconfig
	filter_config "$MSI_DYN_REPO/$KUNITCONFIG" "$kc"
	local common=(--build_dir="$o" --arch="$ARCH")
	[ -n "$KERNEL_ARGS" ] && common+=(--kernel_args="$KERNEL_ARGS")
	if ! grep -qE '_(KUNIT_)?TEST=y|_KUNIT=y' <(grep -v '^CONFIG_KUNIT=' "$kc"); then
		log=$LOGS/kunit/$name-$(printf '%04d' "$k").log
		if (cd "$WT" && python3 tools/testing/kunit/kunit.py build --kunitconfig="$kc" \
			"${common[@]}" --make_options "CC=$CC_WRAP" --jobs="$JOBS") > "$log" 2>&1; then
			record PASS "build-$name" "$patch" "no tests at this patch"
			return 0
		fi
		record FAIL "build-$name" "$patch" "$(grep -m1 -E 'error:|Error|ERROR' "$log")"
		return 1
	fi
	local setups=(${QEMU_SETUPS:--}) CHECK_EXPECT=1
	# The other setups only matter once the tests which need them exist
	if [ -n "${QEMU_SETUPS_NEED:-}" ] && ! grep -qx "CONFIG_$QEMU_SETUPS_NEED=y" "$kc"; then
		setups=("${setups[0]}")
		CHECK_EXPECT=""
	fi
	for setup in "${setups[@]}"; do
		local label=$name qargs=()
		[ "$setup" != - ] && label=$name@$setup && qargs=(--qemu_args="$(qemu_args "$setup")")
		log=$LOGS/kunit/$label-$(printf '%04d' "$k").log
		rm -f "$o/results.json" "$o/test.log"
		if [ $first = 1 ]; then
			# run = build + exec; a build failure fails every setup
			(cd "$WT" && python3 tools/testing/kunit/kunit.py run --kunitconfig="$kc" \
				"${common[@]}" --make_options "CC=$CC_WRAP" --jobs="$JOBS" \
				--timeout=900 --json="$o/results.json" "${qargs[@]}") > "$log" 2>&1
			krc=$?
			if ! grep -q 'Starting KUnit Kernel' "$log"; then
				record FAIL "build-$name" "$patch" "$(grep -m1 -E 'error:|Error|ERROR' "$log")"
				return 1
			fi
			record PASS "build-$name" "$patch" "kunit kernel"
			first=0
		else
			(cd "$WT" && python3 tools/testing/kunit/kunit.py exec "${common[@]}" \
				--timeout=900 --json="$o/results.json" "${qargs[@]}") > "$log" 2>&1
			krc=$?
		fi
		kunit_check "$name" "$patch" "$label" "$log" "$krc" || rc=1
	done
	return $rc
}

build_run() {
	local name=$1 k=$2 patch o log err
	patch=$(patch_name "$k")
	o=$BUILD/$name
	log=$LOGS/build/$name-$(printf '%04d' "$k").log
	mkdir -p "$LOGS/build"
	if ! err=$(make_config "$name" 2>&1); then
		record FAIL "build-$name" "$patch" "configuration: $err"
		return 1
	fi
	local targets=()
	if [ "$KIND" = dirs ]; then
		local d
		for d in $TOUCHED_DIRS ${EXTRA_DIRS:-}; do
			[ -d "$WT/$d" ] && targets+=("${d%/}/")
		done
		[ ${#targets[@]} -eq 0 ] && { record PASS "build-$name" "$patch" "no touched directory yet"; return 0; }
		(cd "$WT" && make -s O="$o" ARCH="$ARCH" CC="$CC_WRAP" -j"$JOBS" prepare) > "$log" 2>&1 ||
			{ record FAIL "build-$name" "$patch" "make prepare: $(grep -m1 -E 'error' "$log")"; return 1; }
	fi
	# shellcheck disable=SC2086
	if (cd "$WT" && make O="$o" ARCH="$ARCH" CC="$CC_WRAP" -j"$JOBS" ${EXTRA:-} "${targets[@]}") >> "$log" 2>&1; then
		record PASS "build-$name" "$patch" "${targets[*]:-vmlinux}"
	else
		record FAIL "build-$name" "$patch" "$(grep -m1 -E 'error|Error' "$log")"
		return 1
	fi
}

# bisect_keytext NAME COMMIT: what the verdict of configuration NAME (its
# matrix entry loaded) at COMMIT depends on
bisect_keytext() {
	local name=$1 c=$2 s files=("kernel-config/matrix/$name.conf")
	key_tree "$c"
	[ -n "$KUNITCONFIG" ] && files+=("$KUNITCONFIG")
	[ -n "$FRAGMENT" ] && files+=("$FRAGMENT")
	if [ -n "$QEMU_SETUPS" ]; then
		files+=(kernel-config/kunit/qemu-devices.args)
		for s in $QEMU_SETUPS; do
			files+=("kernel-config/qemu/$s.args" "kernel-config/qemu/$s.expect")
		done
	fi
	files+=(scripts/lib/checks/bisect.sh scripts/lib/kbuild.sh)
	key_files "${files[@]}"
	tool_version gcc
	tool_version python3
	[ "$KIND" = kunit ] && [ "$ARCH" != um ] && tool_version qemu
	[ "$KIND" = dirs ] && echo "targets: $(echo $TOUCHED_DIRS ${EXTRA_DIRS:-})"
	echo "arch $ARCH kind $KIND"
}

# bisect_build NAME K DEPS: build (and run) configuration NAME at prefix K,
# then write the files its build read to DEPS
bisect_build() {
	local name=$1 k=$2 deps=$3 rc
	if [ "$KIND" = kunit ]; then
		kunit_run "$name" "$k"; rc=$?
	else
		build_run "$name" "$k"; rc=$?
	fi
	rm -f "$deps"
	[ $rc -eq 0 ] && python3 "$MSI_DYN_REPO/scripts/lib/kbuild-deps.py" list "$BUILD/$name" "$WT" > "$deps"
	return $rc
}

# The previous prefix's passed unit of each configuration (its cache
# directory), for "same as" verdicts
declare -A BISECT_PREV=()

# bisect_unit NAME K COMMIT PREVCOMMIT: the verdict of NAME at prefix K
bisect_unit() {
	local name=$1 k=$2 c=$3 prev=$4 text dir patch pdir hit rc
	patch=$(patch_name "$k")
	text=$(bisect_keytext "$name" "$c")
	dir=$(unit_lookup "bisect-$name" "$text")
	if cache_hit "$dir"; then
		replay "$dir" "$patch" "cached $(cut -d' ' -f1 "$dir/when")"
		BISECT_PREV[$name]=$dir
		BISECT_ORIGINS+=(cached)
		return 0
	fi
	pdir=${BISECT_PREV[$name]:-}
	if [ "$USE_CACHE" = 1 ] && [ -n "$pdir" ] && [ -f "$pdir/deps.txt" ]; then
		pgit -C "$MSI_DYN_TREE" diff --name-only "$prev" "$c" > "$WORK/changed.txt"
		if hit=$(python3 "$MSI_DYN_REPO/scripts/lib/kbuild-deps.py" matters \
				"$pdir/deps.txt" "$WORK/changed.txt"); then
			local pp
			pp=$(patch_name $((k - 1)))
			replay "$pdir" "$patch" "same as ${pp%%-*}: changes no file its build reads"
			# Keep it under this prefix's key as well
			rm -rf "$dir.tmp.$$"
			cp -a "$pdir" "$dir.tmp.$$"
			unit_keytext "bisect-$name" "$text" > "$dir.tmp.$$/key.txt"
			rm -rf "$dir"
			mv "$dir.tmp.$$" "$dir"
			BISECT_PREV[$name]=$dir
			BISECT_ORIGINS+=(inherited)
			return 0
		fi
		log "bisect-$name at ${patch%%-*}: $hit changes what the build reads"
	fi
	checkout_build_tree "$c" || { record FAIL "build-$name" "$patch" "checkout failed"; return 1; }
	UNIT_DEPS=$WORK/deps-$name.txt run_unit "bisect-$name" "$text" "$patch" \
		bisect_build "$name" "$k" "$WORK/deps-$name.txt"
	rc=$?
	BISECT_ORIGINS+=(run)
	if [ $rc -eq 0 ] && [ -f "$dir/deps.txt" ]; then
		BISECT_PREV[$name]=$dir
	else
		BISECT_PREV[$name]=""
	fi
	return $rc
}

BISECT_FAILURES=()
BISECT_ORIGINS=()

check_bisect() {
	local name k n commits c prev rc t0
	load_matrix
	mapfile -t commits < <(series_commits)
	n=${#commits[@]}
	prepare_build_tree
	collect_touched
	prev=$BASE_TAG
	for ((k = 1; k <= n; k++)); do
		c=${commits[k-1]}
		for name in "${MATRIX[@]}"; do
			load_matrix_entry "$MSI_DYN_REPO/kernel-config/matrix/$name.conf"
			t0=$(date +%s)
			bisect_unit "$name" "$k" "$c" "$prev"; rc=$?
			printf '%s\t%s\n' "bisect-$name" $(($(date +%s) - t0)) >> "$DURATIONS"
			printf '%s\t%s\n' "bisect-$name-$(printf '%04d' "$k")" $(($(date +%s) - t0)) >> "$DURATIONS"
			[ $rc -ne 0 ] && BISECT_FAILURES+=("$name:$(patch_name "$k")")
		done
		prev=$c
	done
	local o ran=0 cached=0 inh=0
	for o in "${BISECT_ORIGINS[@]}"; do
		case $o in run) ran=$((ran + 1)) ;; cached) cached=$((cached + 1)) ;; inherited) inh=$((inh + 1)) ;; esac
	done
	record INFO bisect-units - "$((ran + cached + inh)) configuration-prefix units: $ran built, $cached from the result cache, $inh the same as the prefix before"
}
