# SPDX-License-Identifier: GPL-2.0
# Results cached by content, for scripts/validate.  Sourced after lib.sh
# and the bookkeeping of scripts/validate (record(), $CHECKS, $RESULTS).
#
# A unit is one check of one input: a configuration at one prefix of the
# series, the gates of one tree, the boots of two kernels.  Its key is the
# sha256 of a text (key.txt) that names everything its verdict depends on:
# git tree IDs (never commit IDs, so a changelog edit changes nothing),
# the configuration files, the harness files that run it and the tool
# versions.  A unit that passed is kept in
#
#     $MSI_DYN_CACHE/results/<unit>/<key>/
#         key.txt       what the key is made of, for people
#         records.tsv   what the unit recorded (patch names as @PATCH@)
#         files/        what it wrote below test-results/ (its logs)
#         deps.txt      bisect builds only: the files the build read
#         when          date and repository commit of the run that made it
#
# and a later unit with the same key replays it instead of running.
# Failures are never kept: a failing unit runs again every time, so a
# flaky failure cannot stick and every FAIL is fresh.  --no-cache
# (USE_CACHE=0) runs every unit and refreshes the cache.

RESULT_CACHE=$MSI_DYN_CACHE/results
USE_CACHE=${USE_CACHE:-1}
# How the last run_unit() got its verdict: run, cached or inherited
UNIT_ORIGIN=""

# tool_version NAME: the first line of NAME's version, "none" if absent
# (computed once per run)
declare -A TOOL_VERSIONS=()
tool_version() {
	local t=$1 v
	if [ -z "${TOOL_VERSIONS[$t]:-}" ]; then
		case $t in
		gcc) v=$(gcc --version 2>/dev/null | head -n 1) ;;
		clang) v=$(clang --version 2>/dev/null | head -n 1) ;;
		qemu) v=$(qemu-system-x86_64 --version 2>/dev/null | head -n 1) ;;
		spatch) v=$(spatch --version 2>/dev/null | head -n 1) ;;
		sparse) v=$(sparse --version 2>/dev/null | head -n 1) ;;
		python3) v=$(python3 --version 2>&1 | head -n 1) ;;
		busybox) v=$(dpkg-query -W -f='${Version}' busybox-static 2>/dev/null) ;;
		*) die "tool_version: unknown tool $t" ;;
		esac
		TOOL_VERSIONS[$t]=${v:-none}
	fi
	echo "tool $t: ${TOOL_VERSIONS[$t]}"
}

# key_files PATH...: one key line per file of the repository (relative
# path and the sha256 of its content; "absent" where there is none)
key_files() {
	local f
	for f in "$@"; do
		if [ -f "$MSI_DYN_REPO/$f" ]; then
			echo "file $f: $(sha256sum < "$MSI_DYN_REPO/$f" | cut -c1-64)"
		else
			echo "file $f: absent"
		fi
	done
}

# key_tree REV: the key line of the git tree of REV in the kernel tree:
# the tree ID alone, never the commit or ref name, so that a changelog edit
# (a new commit of the same tree) keeps every key
key_tree() {
	echo "tree $(pgit -C "$MSI_DYN_TREE" rev-parse "$1^{tree}")"
}

# unit_keytext UNIT KEYTEXT: the whole key text of UNIT (its name and the
# host come first)
unit_keytext() {
	printf 'unit %s\nhost %s\n%s\n' "$1" "$(uname -m)" "$2"
}

# The ledger.  Every CI machine, and every new workstation, starts with
# an empty result cache; without more, each would build and boot every
# unit again although its inputs are those the committed test-results/
# were made from.  So each run of scripts/validate (not --only) writes the
# cache entries it used to test-results/ledger/<unit>/<key>/: key.txt,
# records.tsv and when as in the cache, files.txt (the files below
# test-results/ the unit wrote, committed beside the ledger), out/ (the
# gates' findings) and deps.txt.gz (a bisect build's dependency list,
# compressed without a time stamp, so that an unchanged list stays the
# same file).  A unit whose key the local cache lacks is looked up there:
# the entry is copied into the local cache, its files taken from the
# test-results/ the run started from ($LEDGER_FROM), and then replayed
# like any other.  An entry is used only when its key.txt hashes to its
# key and every file it names is there.  USE_CACHE=0 ignores the ledger
# too; USE_LEDGER=0 keeps the local cache and ignores the ledger.
USE_LEDGER=${USE_LEDGER:-1}
LEDGER_FROM=${LEDGER_FROM:-}

# ledger_import DIR: put the ledger's entry for the cache directory DIR
# in place, if the ledger has a usable one
ledger_import() {
	local dir=$1 rel src tmp f
	[ "$USE_LEDGER" = 1 ] && [ -n "$LEDGER_FROM" ] || return 1
	rel=${dir#"$RESULT_CACHE"/}
	src=$LEDGER_FROM/ledger/$rel
	for f in key.txt records.tsv when files.txt; do
		[ -f "$src/$f" ] || return 1
	done
	if [ "$(sha256sum < "$src/key.txt" | cut -c1-64)" != "${dir##*/}" ]; then
		log "ledger: $rel: key.txt does not hash to its key; not used"
		return 1
	fi
	tmp=$dir.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/files"
	while IFS= read -r f; do
		[ -n "$f" ] || continue
		if [ ! -f "$LEDGER_FROM/$f" ]; then
			log "ledger: $rel: test-results/$f is missing; not used"
			rm -rf "$tmp"
			return 1
		fi
		(cd "$LEDGER_FROM" && cp -a --parents "$f" "$tmp/files/")
	done < "$src/files.txt"
	cp "$src/key.txt" "$src/records.tsv" "$src/when" "$tmp/"
	[ -d "$src/out" ] && cp -a "$src/out" "$tmp/out"
	if [ -f "$src/deps.txt.gz" ] && ! gzip -dc "$src/deps.txt.gz" > "$tmp/deps.txt"; then
		log "ledger: $rel: deps.txt.gz is damaged; not used"
		rm -rf "$tmp"
		return 1
	fi
	echo ledger > "$tmp/from"
	mkdir -p "$(dirname "$dir")"
	rm -rf "$dir"
	mv "$tmp" "$dir"
	echo "$rel" >> "$WORK/ledger.imported"
}

# ledger_write SINCE: test-results/ledger/ from the cache entries this run
# used: those cache_hit() found and those made after the file SINCE.  An
# entry is made when its key.txt is written; the directory's own time
# does not tell, as a bisect verdict taken from the prefix before is a
# copy (cp -a) of that prefix's entry.
ledger_write() {
	local since=$1 out=$RESULTS/ledger d rel f n=0 skipped=0
	rm -rf "$out.tmp"
	mkdir -p "$out.tmp"
	while IFS= read -r d; do
		[ -f "$d/records.tsv" ] && [ -f "$d/when" ] && [ -f "$d/key.txt" ] || continue
		rel=${d#"$RESULT_CACHE"/}
		mkdir -p "$out.tmp/$rel"
		(cd "$d/files" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort) \
			> "$out.tmp/$rel/files.txt"
		# Only what the committed results can give back
		while IFS= read -r f; do
			[ -f "$RESULTS/$f" ] && continue
			log "ledger: $rel wrote test-results/$f, which this run removed; left out"
			rm -rf "$out.tmp/$rel"
			skipped=$((skipped + 1))
			continue 2
		done < "$out.tmp/$rel/files.txt"
		cp "$d/key.txt" "$d/records.tsv" "$d/when" "$out.tmp/$rel/"
		[ -d "$d/out" ] && cp -a "$d/out" "$out.tmp/$rel/out"
		[ -f "$d/deps.txt" ] && gzip -9nc "$d/deps.txt" > "$out.tmp/$rel/deps.txt.gz"
		n=$((n + 1))
	done < <({ cat "$WORK/units.used" 2>/dev/null
		   find "$RESULT_CACHE" -mindepth 3 -maxdepth 3 -name key.txt -newer "$since" \
			! -path '*.tmp.*' -printf '%h\n'
		 } | LC_ALL=C sort -u)
	find "$out.tmp" -mindepth 1 -type d -empty -delete
	rm -rf "$out"
	mv "$out.tmp" "$out"
	LEDGER_WRITTEN=$n LEDGER_SKIPPED=$skipped
}

# cache_hit DIR: is there a passed result in DIR (and may it be used)?
# (from the ledger when this machine has none); notes DIR as used
cache_hit() {
	[ "$USE_CACHE" = 1 ] || return 1
	if [ ! -f "$1/records.tsv" ] || [ ! -f "$1/when" ]; then
		ledger_import "$1" || return 1
	fi
	echo "$1" >> "$WORK/units.used"
}

# replay DIR PATCH ORIGIN: record what DIR holds as this run's verdicts,
# for PATCH, saying where they come from; put its files back in place
replay() {
	local dir=$1 patch=$2 origin=$3 st check p detail
	while IFS=$'\t' read -r st check p detail _; do
		[ "$p" = @PATCH@ ] && p=$patch
		RECORD_ORIGIN=$origin record "$st" "$check" "$p" "$detail"
	done < "$dir/records.tsv"
	[ -d "$dir/files" ] && cp -a "$dir/files/." "$RESULTS/"
	return 0
}

# store DIR KEYTEXT PATCH FIRSTLINE MARKER: keep the records made since
# line FIRSTLINE of $CHECKS and the files below test-results/ written
# since MARKER in DIR; nothing when any of them failed
store() {
	local dir=$1 text=$2 patch=$3 first=$4 marker=$5 tmp f
	tail -n +"$first" "$CHECKS" > "$WORK/unit.records"
	[ -s "$WORK/unit.records" ] || return 0
	grep -q '^FAIL' "$WORK/unit.records" && return 0
	tmp=$dir.tmp.$$
	rm -rf "$tmp"
	mkdir -p "$tmp/files"
	awk -F'\t' -v OFS='\t' -v p="$patch" '{ if ($3 == p) $3 = "@PATCH@"; NF = 4; print }' \
		"$WORK/unit.records" > "$tmp/records.tsv"
	printf '%s\n' "$text" > "$tmp/key.txt"
	echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) msi-dyn $(git -C "$MSI_DYN_REPO" rev-parse --short=12 HEAD 2>/dev/null)" \
		> "$tmp/when"
	(cd "$RESULTS" && find . -type f -newer "$marker" ! -name 'summary.*' -print0 |
		xargs -0 -r cp -a --parents -t "$tmp/files")
	[ -n "${UNIT_DEPS:-}" ] && [ -f "$UNIT_DEPS" ] && cp "$UNIT_DEPS" "$tmp/deps.txt"
	rm -rf "$dir"
	mkdir -p "$(dirname "$dir")"
	mv "$tmp" "$dir"
}

# run_unit UNIT KEYTEXT PATCH FUNCTION ARGS...: the verdict of UNIT for
# KEYTEXT: replayed from the cache, or FUNCTION ARGS run and, if it
# passed, kept.  Sets UNIT_ORIGIN and UNIT_DIR; returns FUNCTION's status
# (0 for a replay).  UNIT_DEPS names a deps.txt to keep with the result.
run_unit() {
	local unit=$1 text=$2 patch=$3 dir first marker rc
	shift 3
	dir=$(unit_lookup "$unit" "$text")
	text=$(unit_keytext "$unit" "$text")
	UNIT_DIR=$dir
	if cache_hit "$dir"; then
		replay "$dir" "$patch" "cached $(cut -d' ' -f1 "$dir/when")"
		UNIT_ORIGIN=cached
		return 0
	fi
	first=$(($(wc -l < "$CHECKS") + 1))
	marker=$WORK/unit.marker
	touch "$marker"
	sleep 0.01
	"$@"
	rc=$?
	UNIT_ORIGIN=run
	store "$dir" "$text" "$patch" "$first" "$marker"
	return $rc
}

# unit_lookup UNIT KEYTEXT: the directory run_unit() would use
unit_lookup() {
	local text
	text=$(unit_keytext "$1" "$2")
	echo "$RESULT_CACHE/$1/$(printf '%s\n' "$text" | sha256sum | cut -c1-64)"
}
