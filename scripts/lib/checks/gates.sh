# SPDX-License-Identifier: GPL-2.0
# Check "gates" of scripts/validate: base against series, on the files the
# whole series touches, in the distribution-like configuration
# (kernel-config/matrix/40-x86_64-distro.conf): no new W=1 warnings, no new
# sparse (C=2) warnings, no new scripts/kernel-doc -none warnings, no new
# make coccicheck reports.
#
# The findings of each tree are collected once per key (lib/cache.sh: the
# tree, the touched files, the configuration, this file and lib/kbuild.sh,
# gcc, sparse and spatch), so the base's are collected once per machine
# and the series' once per series head; the comparison always runs.

# normalize: drop line and column numbers and the build-dir prefix so that
# warnings can be compared between base and series
normalize() {
	sed -E -e "s|$WT/||g" -e 's/^([^: ]+):[0-9]+(:[0-9]+(-[0-9]+)?)?:/\1:/' \
		-e 's/ (on )?line [0-9]+/ \1line N/g' | sort
}

# gates_findings TAG REV: collect the findings of REV (raw and normalized)
# in $WORK/gates/TAG; an "error" file there says why they could not be
gates_findings() {
	local tag=$1 rev=$2 out=$WORK/gates/$1 f o all
	rm -rf "$out"
	mkdir -p "$out"
	checkout_build_tree "$rev"
	load_matrix_entry "$MSI_DYN_REPO/kernel-config/matrix/40-x86_64-distro.conf"
	o=$BUILD/40-x86_64-distro
	if ! make_config 40-x86_64-distro > "$out/config.log" 2>&1 ||
	   ! (cd "$WT" && make -s O="$o" ARCH="$ARCH" CC="$CC_WRAP" -j"$JOBS" prepare) >> "$out/config.log" 2>&1; then
		echo "config/prepare failed: $(tail -n 2 "$out/config.log")" > "$out/error"
		return
	fi
	: > "$out/w1.raw"; : > "$out/sparse.raw"; : > "$out/kdoc.raw"; : > "$out/cocci.raw"
	# One compile per file with W=1 and sparse (C=2): the compiler's
	# warnings carry their -W option, sparse's do not
	for f in $TOUCHED_C; do
		[ -f "$WT/$f" ] || continue
		# A file which no Makefile names as an object is no compilation
		# unit: a KUnit suite another file includes (irq-gic-v3-its-kunit.c)
		if ! grep -qsFw -- "$(basename "${f%.c}").o" "$WT/$(dirname "$f")/Makefile" \
				"$WT/$(dirname "$f")/Kbuild"; then
			echo "$f" >> "$out/not-compiled"
			continue
		fi
		rm -f "$o/${f%.c}.o"
		all=$( (cd "$WT" && make O="$o" ARCH="$ARCH" CC="$CC_WRAP" W=1 C=2 "${f%.c}.o") 2>&1 |
			grep -E ': (warning|error):')
		[ -n "$all" ] || continue
		printf '%s\n' "$all" | grep -F -- '[-W' >> "$out/w1.raw"
		printf '%s\n' "$all" | grep -vF -- '[-W' >> "$out/sparse.raw"
	done
	for f in $TOUCHED_DOC; do
		[ -f "$WT/$f" ] || continue
		(cd "$WT" && perl scripts/kernel-doc -none "$f") 2>&1 | grep -v '^$' >> "$out/kdoc.raw"
	done
	local d
	for d in $TOUCHED_DIRS; do
		[ -d "$WT/$d" ] || continue
		if ! (cd "$WT" && make -s coccicheck MODE=report M="$d" J="$JOBS") \
				> "$out/cocci.out" 2> "$out/cocci.err"; then
			echo "make coccicheck M=$d failed: $(tail -n 2 "$out/cocci.err" | tr '\n' ' ')" > "$out/error"
			return
		fi
		grep -E '^[^ ]+:[0-9]+' "$out/cocci.out" >> "$out/cocci.raw"
	done
	for f in w1 sparse kdoc cocci; do
		normalize < "$out/$f.raw" > "$out/$f.norm"
	done
}

declare -A GATES_FROM=()

# gates_collect TAG REV: the findings of REV in $WORK/gates/TAG, from the
# result cache where its key has them
gates_collect() {
	local tag=$1 rev=$2 text dir
	text=$(key_tree "$rev"
		echo "touched c: $(echo $TOUCHED_C)"
		echo "touched doc: $(echo $TOUCHED_DOC)"
		echo "touched dirs: $(echo $TOUCHED_DIRS)"
		key_files kernel-config/matrix/40-x86_64-distro.conf kernel-config/x86_64-distro.config \
			scripts/lib/checks/gates.sh scripts/lib/kbuild.sh
		tool_version gcc; tool_version sparse; tool_version spatch)
	dir=$(unit_lookup gates "$text")
	if cache_hit "$dir" && [ -d "$dir/out" ]; then
		rm -rf "$WORK/gates/$tag"
		mkdir -p "$WORK/gates"
		cp -a "$dir/out" "$WORK/gates/$tag"
		GATES_FROM[$tag]="cached $(cut -d' ' -f1 "$dir/when")"
		return 0
	fi
	gates_findings "$tag" "$rev"
	GATES_FROM[$tag]=run
	[ -f "$WORK/gates/$tag/error" ] && return 0
	rm -rf "$dir.tmp.$$"
	mkdir -p "$dir.tmp.$$"
	cp -a "$WORK/gates/$tag" "$dir.tmp.$$/out"
	: > "$dir.tmp.$$/records.tsv"
	unit_keytext gates "$text" > "$dir.tmp.$$/key.txt"
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) msi-dyn $(git -C "$MSI_DYN_REPO" rev-parse --short=12 HEAD 2>/dev/null)" \
		> "$dir.tmp.$$/when"
	rm -rf "$dir"
	mv "$dir.tmp.$$" "$dir"
}

# new_lines BASE SERIES: lines of SERIES (as a multiset) not in BASE
new_lines() {
	python3 - "$1" "$2" <<'PY'
import collections, sys
base = collections.Counter(open(sys.argv[1]).read().splitlines())
for line in open(sys.argv[2]).read().splitlines():
    if base[line] > 0:
        base[line] -= 1
    else:
        print(line)
PY
}

GATE_NEW_W1=0 GATE_NEW_SPARSE=0 GATE_NEW_KDOC=0 GATE_NEW_COCCI=0

gates_compare() {
	local b=$WORK/gates/base s=$WORK/gates/series g var label new
	mkdir -p "$LOGS/gates"
	if [ -f "$b/error" ] || [ -f "$s/error" ]; then
		record FAIL gates - "$(cat "$b/error" "$s/error" 2>/dev/null | head -n 1)"
		return
	fi
	for g in w1:GATE_NEW_W1:"W=1 warnings" sparse:GATE_NEW_SPARSE:"sparse warnings" \
		 kdoc:GATE_NEW_KDOC:"kernel-doc warnings" cocci:GATE_NEW_COCCI:"coccicheck reports"; do
		IFS=: read -r name var label <<< "$g"
		new=$(new_lines "$b/$name.norm" "$s/$name.norm")
		cp "$s/$name.raw" "$LOGS/gates/$name.series.log"
		cp "$b/$name.raw" "$LOGS/gates/$name.base.log"
		printf '%s\n' "$new" | grep -v '^$' > "$LOGS/gates/$name.new.log"
		local cnt
		cnt=$(grep -c . "$LOGS/gates/$name.new.log")
		printf -v "$var" '%s' "$cnt"
		if [ "$cnt" -eq 0 ]; then
			record PASS "gate-$name" - "no new $label ($(wc -l < "$b/$name.norm") on base, $(wc -l < "$s/$name.norm") with the series)"
		else
			local who f
			f=$(head -n 1 "$LOGS/gates/$name.new.log" | cut -d: -f1)
			who=$(pgit -C "$MSI_DYN_TREE" log --format=%s -1 "$BASE_TAG..$SERIES_NAME" -- "$f" 2>/dev/null)
			record FAIL "gate-$name" "${who:-$f}" "$cnt new $label: $(head -n 1 "$LOGS/gates/$name.new.log")"
		fi
	done
}

check_gates() {
	prepare_build_tree
	collect_touched
	step gates-base gates_collect base "$BASE_TAG"
	step gates-series gates_collect series "$SERIES_NAME"
	RECORD_ORIGIN="run (findings: base ${GATES_FROM[base]}, series ${GATES_FROM[series]})" gates_compare
}
