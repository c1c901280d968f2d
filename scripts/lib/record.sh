# SPDX-License-Identifier: GPL-2.0
# Bookkeeping of scripts/validate: the one result protocol every check
# uses.  Sourced after lib.sh; needs $WORK and $LOGS.
#
# A check reports through record(), one line per verdict, in
# $WORK/checks.tsv (status, check, patch, detail, origin) and on stdout
# as "PASS|FAIL|INFO <check> [<patch>] <detail>".  The origin says how
# the verdict was reached: "run", "cached <date>" (replayed from the
# result cache, lib/cache.sh) or "same as <NNNN>: ..." (a build the patch
# cannot change).  Scripts that run as a check of their own print
# "PASS|FAIL|INFO <check>: <detail>" lines, which script_checks() records.

CHECKS=$WORK/checks.tsv
DURATIONS=$WORK/durations.tsv

# record STATUS CHECK PATCH DETAIL (origin: $RECORD_ORIGIN, default run)
record() {
	local st=$1 check=$2 patch=${3:--} detail=${4:-} origin=${RECORD_ORIGIN:-run}
	printf '%s\t%s\t%s\t%s\t%s\n' "$st" "$check" "$patch" "$detail" "$origin" >> "$CHECKS"
	local from=""
	[ "$origin" != run ] && from=" ($origin)"
	if [ "$st" = FAIL ]; then
		printf 'FAIL %s [%s]: %s%s\n' "$check" "$patch" "$detail" "$from"
	else
		printf '%s %s [%s] %s%s\n' "$st" "$check" "$patch" "$detail" "$from"
	fi
}

# step NAME FUNCTION...: run a step and keep its duration
# (names of its own: bash scopes dynamically, and a check that sets a
# plain "name" must not rename the step)
step() {
	local step_name=$1 step_t0
	shift
	step_t0=$(date +%s)
	log "step $step_name"
	"$@"
	printf '%s\t%s\n' "$step_name" $(($(date +%s) - step_t0)) >> "$DURATIONS"
}

# Name of the patch file of the k-th commit (1-based); "base" for 0.
patch_name() {
	if [ "$1" -eq 0 ]; then echo base; else series_patches | sed -n "$1p"; fi
}

# script_checks NAME PREFIX COMMAND...: run a script that prints its
# results as "PASS|FAIL|INFO <check>: <detail>" lines, and record each as
# check PREFIX<check>; a script that fails without such a FAIL line is a
# failure of NAME.  Output in $LOGS/NAME.log.
script_checks() {
	local name=$1 prefix=$2 log=$LOGS/$1.log rc line
	shift 2
	"$@" > "$log" 2>&1
	rc=$?
	while IFS= read -r line; do
		[[ $line =~ ^(PASS|FAIL|INFO)\ ([^ :]+):\ (.*)$ ]] &&
			record "${BASH_REMATCH[1]}" "$prefix${BASH_REMATCH[2]}" - "${BASH_REMATCH[3]}"
	done < "$log"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$log"; then
		record FAIL "$name" - "$(grep -m1 '^error:' "$log" || tail -n 1 "$log")"
	fi
}
