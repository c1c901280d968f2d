# SPDX-License-Identifier: GPL-2.0
# Checks "apply" and "quilt" of scripts/validate.  Not cached: they take
# seconds, and every other check starts from what they prove.
#
#   apply  the series applies with git am on the base (the subsystem tree,
#          as make-tree builds it) and git format-patch of the result gives
#          back patches/ byte for byte;
#   quilt  quilt push -a with fuzz 0 (as dpkg-source and a careful
#          distribution apply) on a pristine copy of the base gives the
#          same tree as git am.

APPLIED=0

check_apply() {
	local out n bad p
	ensure_base_tree >/dev/null || { record FAIL base - "base import failed"; return; }
	record PASS base - "$BASE_TAG = $(pgit -C "$MSI_DYN_TREE" rev-parse "$BASE_TAG")"
	if out=$(apply_series_am "$MSI_DYN_TREE" "$BASE_TAG" "$SERIES_NAME"); then
		n=$(series_patches | wc -l)
		record PASS apply-am - "$n patches, head $(pgit -C "$MSI_DYN_TREE" rev-parse HEAD)"
		APPLIED=1
	else
		p=$(echo "$out" | awk '{print $3}' | tr -d :)
		record FAIL apply-am "$p" "$(echo "$out" | cut -d: -f2-)"
		return
	fi
	# The tree must give back exactly the files in patches/.
	bad=$(series_roundtrip "$WORK/export" | tr '\n' ' ')
	if [ -z "$bad" ]; then
		record PASS export-roundtrip - "git format-patch of the tree reproduces patches/"
	else
		record FAIL export-roundtrip "${bad% }" "differs from what scripts/export-series writes; run it"
	fi
}

check_quilt() {
	local wt=$WORK/quilt out p
	if [ ! -d "$wt" ]; then
		pgit -C "$MSI_DYN_TREE" worktree prune
		pgit -C "$MSI_DYN_TREE" worktree add -q --detach "$wt" "$BASE_TAG" || { record FAIL apply-quilt - "worktree"; return; }
	fi
	rm -rf "$wt/.pc"
	pgit -C "$wt" checkout -q -f --detach "$BASE_TAG" && pgit -C "$wt" clean -q -fdx
	# Fuzz 0: a patch whose context no longer matches fails here as it
	# fails git am, instead of applying somewhere near
	if ! out=$(cd "$wt" && QUILT_PATCHES="$MSI_DYN_REPO/patches" QUILT_SERIES="$MSI_DYN_REPO/series" \
			QUILTRC=/dev/null quilt push -a -q --fuzz=0 2>&1); then
		p=$(echo "$out" | sed -n 's/^Applying patch \(.*\/\)\{0,1\}\([^/]*\.patch\)$/\2/p' | tail -n 1)
		record FAIL apply-quilt "${p:--}" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
		return
	fi
	if [ "$APPLIED" = 1 ]; then
		pgit -C "$wt" add -A -f . ':!.pc' >/dev/null
		if pgit -C "$wt" diff --cached --quiet "$SERIES_NAME" -- . ':!.pc'; then
			record PASS apply-quilt - "quilt push -a --fuzz=0 gives the same tree as git am"
		else
			record FAIL apply-quilt - "quilt result differs from the git am tree: $(pgit -C "$wt" diff --cached --stat "$SERIES_NAME" -- . ':!.pc' | tail -n 1)"
		fi
		pgit -C "$wt" reset -q
	else
		record PASS apply-quilt - "quilt push -a --fuzz=0"
	fi
}
