# SPDX-License-Identifier: GPL-2.0
# Shared steps of scripts/mail and scripts/check-mail: routing, cover
# letter, mails, b4, range-diff and pull request, all generated from the
# tree (branch msi-dyn of $MSI_DYN_TREE) and the settings in
# kernel-config/series.conf and kernel-config/routing.  Sourced after
# lib.sh; not meant to be run.  Text assembly is in scripts/lib/mailtool.py.

MAIL_WORK=$MSI_DYN_CACHE/mail
# A worktree of the tree for what must not move the tree's own checkout:
# the previous version's rebuild, git am of the mails, b4 prep.
MAIL_WT=$MAIL_WORK/tree
MAIL_DOMAIN=${MSI_DYN_EMAIL#*@}
MAIL_COVER=$MSI_DYN_REPO/patches/0000-cover-letter.patch
MAIL_NOTES=$MSI_DYN_REPO/MAINTAINERS-notes
MAIL_TOOL=$MSI_DYN_REPO/scripts/lib/mailtool.py
PREV_TAG="$SERIES_NAME-v$((SERIES_VERSION - 1))"

mailtool() { python3 "$MAIL_TOOL" "$@"; }

# mail_require_tree TMP: branch msi-dyn of the tree must be the series in
# patches/ (what scripts/make-tree builds); TMP gets the format-patch files.
mail_require_tree() {
	local tmp=$1 bad
	require_series_branch
	bad=$(series_roundtrip "$tmp/fp" | tr '\n' ' ')
	[ -z "$bad" ] ||
		die "branch $SERIES_NAME of the tree is not patches/ (${bad% }): run scripts/make-tree, or scripts/export-series after work in the tree"
}

# mail_worktree: create (once) the mail worktree, detached at the base.
mail_worktree() {
	if [ ! -e "$MAIL_WT/.git" ]; then
		mkdir -p "$MAIL_WORK"
		pgit -C "$MSI_DYN_TREE" worktree prune
		log "creating the mail worktree $MAIL_WT (one checkout of the base)"
		pgit -C "$MSI_DYN_TREE" worktree add -q --detach "$MAIL_WT" "$BASE_TAG" >/dev/null ||
			die "git worktree add $MAIL_WT failed"
	fi
}

# mail_require_prev: for v2 and later, the tag of the previous version,
# rebuilt from this repository's history if the tree lacks it.
mail_require_prev() {
	[ "$SERIES_VERSION" -gt 1 ] || return 0
	pgit -C "$MSI_DYN_TREE" rev-parse -q --verify "refs/tags/$PREV_TAG" >/dev/null && return 0
	mail_worktree
	tag_previous_version "$MAIL_WT"
}

# mail_range_diff OUT: git range-diff of the previous version against this
# one; empty for v1.
mail_range_diff() {
	local out=$1
	: > "$out"
	[ "$SERIES_VERSION" -gt 1 ] || return 0
	mail_require_prev
	pgit -C "$MSI_DYN_TREE" range-diff --no-color \
		"$BASE_TAG..$PREV_TAG" "$BASE_TAG..$SERIES_NAME" > "$out" ||
		die "git range-diff $PREV_TAG $SERIES_NAME failed"
}

# mail_routing DIR: run get_maintainer.pl of the tree on every patch; writes
# DIR/routing.json and DIR/routing.txt (the section of MAINTAINERS-notes).
mail_routing() {
	local dir=$1 x=$1/extract paths
	rm -rf "$x"
	mkdir -p "$x"
	paths=$(awk '!/^[[:space:]]*(#|$)/ && $2 == "cc-file" { print $3 }' \
		"$MSI_DYN_REPO/kernel-config/routing" | sort -u)
	# shellcheck disable=SC2086
	pgit -C "$MSI_DYN_TREE" archive "$SERIES_NAME" MAINTAINERS .mailmap \
		.get_maintainer.ignore scripts/get_maintainer.pl $paths | tar -x -C "$x" ||
		die "extracting MAINTAINERS and get_maintainer.pl from $SERIES_NAME failed"
	series_patches > "$dir/series.list"
	mailtool routing --rules "$MSI_DYN_REPO/kernel-config/routing" \
		--series-list "$dir/series.list" --patch-dir "$MSI_DYN_REPO/patches" \
		--extract "$x" --json "$dir/routing.json" --notes "$dir/routing.txt" \
		--tag "$SERIES_TAG"
}

# mail_notes DIR OUT: MAINTAINERS-notes with DIR/routing.txt as its
# generated section.
mail_notes() {
	mailtool splice --file "$MAIL_NOTES" --section "$1/routing.txt" > "$2"
}

# dfsg_excluded: the Files-Excluded entries of Debian's debian/copyright
# (what the imported base lacks against upstream), comma separated
dfsg_excluded() {
	local deb
	deb=$MSI_DYN_CACHE/dl/linux_$BASE_DEBIAN_VERSION.debian.tar.xz
	[ -f "$deb" ] || die "no $deb: run scripts/make-tree"
	tar -xOJf "$deb" debian/copyright |
		awk '/^Files-Excluded:/ { sub(/^Files-Excluded:[[:space:]]*/, ""); f = 1 }
		     f && /^[A-Z][A-Za-z-]*:/ && !/^Files-Excluded:/ { exit }
		     f { gsub(/^[[:space:]]+|[[:space:]]+$/, ""); if ($0 != "") print }' |
		paste -sd, - | sed 's/,/, /g'
}

# mail_publication: where the tagged tree is, for the cover letter
mail_publication() {
	if [ -n "$SERIES_PULL_URL" ]; then
		printf 'The series is tagged %s at\n\n  %s\n\nand scripts/make-tree of the msi-dyn repository rebuilds it from these\npatches, with the same commit IDs.' \
			"$SERIES_TAG" "$SERIES_PULL_URL"
	else
		printf 'The tree is not published yet. scripts/make-tree of the msi-dyn\nrepository rebuilds it from these patches, with the same commit IDs, and\ntags it %s.' \
			"$SERIES_TAG"
	fi
}

# kabi_measured_tree: the tree of the series commit test-results/kabi/
# measured, or "unknown" (no report, or a commit this tree does not have)
kabi_measured_tree() {
	local f=$MSI_DYN_REPO/test-results/kabi/kabi.json c
	c=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["commits"]["series"])' \
		"$f" 2>/dev/null) || { echo unknown; return 0; }
	pgit -C "$MSI_DYN_TREE" rev-parse -q --verify "$c^{tree}" 2>/dev/null || echo unknown
}

# mail_cover DIR OUT [SUMMARY]: the cover letter, from the tree, the
# routing in DIR and SUMMARY (default test-results/summary.json as it is
# in the working tree: scripts/validate checks before it rewrites it).
mail_cover() {
	local dir=$1 out=$2 summary=${3:-$MSI_DYN_REPO/test-results/summary.json}
	local range=$BASE_TAG..$SERIES_NAME
	pgit -C "$MSI_DYN_TREE" log --reverse --no-mailmap --format='%an%x09%s' "$range" > "$dir/authors"
	mailtool shortlog "$dir/authors" > "$dir/shortlog"
	pgit -C "$MSI_DYN_TREE" diff -M --stat=72 --summary "$range" > "$dir/diffstat"
	mail_range_diff "$dir/range-diff"
	mailtool cover --template "$MSI_DYN_REPO/scripts/lib/cover-letter.txt" \
		--routing "$dir/routing.json" --summary "$summary" \
		--shortlog "$dir/shortlog" --diffstat "$dir/diffstat" \
		--changes "$MSI_DYN_REPO/kernel-config/changes" --range-diff "$dir/range-diff" \
		--provenance "$MSI_DYN_REPO/kernel-config/provenance" \
		--series-list "$dir/series.list" --patch-dir "$MSI_DYN_REPO/patches" \
		--kabi "$MSI_DYN_REPO/test-results/kabi/kabi.json" \
		--set "kabi_tree=$(kabi_measured_tree)" \
		--set "series_tree=$(pgit -C "$MSI_DYN_TREE" rev-parse "$SERIES_NAME^{tree}")" \
		--set "from=$MSI_DYN_NAME <$MSI_DYN_EMAIL>" \
		--set "date=$(pgit -C "$MSI_DYN_TREE" log -1 --format=%aD "$SERIES_NAME")" \
		--set "subject=$SERIES_COVER_SUBJECT" --set "prefix=$SERIES_SUBJECT_PREFIX" \
		--set "version=$SERIES_VERSION" --set "npatches=$(series_patches | wc -l)" \
		--set "change_id=$SERIES_CHANGE_ID" --set "series_sha256=$(series_sha256)" \
		--set "base_version=$BASE_VERSION" --set "base_tarball=$BASE_TARBALL" \
		--set "base_sha256=$BASE_SHA256" \
		--set "import_commit=$(pgit -C "$MSI_DYN_TREE" rev-parse "$BASE_TAG^{commit}")" \
		--set "base_commit=$UPSTREAM_COMMIT" --set "upstream_url=$UPSTREAM_URL" \
		--set "dfsg=$(dfsg_excluded)" \
		--set "publication=$(mail_publication)" > "$out" ||
		die "generating the cover letter failed"
}

# mail_sender: who sends the mails, as "Name <address>": MSI_DYN_SENDER, or
# user.name and user.email of the sender's own git configuration (read in
# this repository, so a repository setting counts).  The patches' author
# is the project's role identity, which is no person: the Developer's
# Certificate of Origin needs the Signed-off-by: of the person who sends,
# so there is no sending without one, and the role identity is refused.
mail_sender() {
	local name email s=${MSI_DYN_SENDER:-}
	if [ -z "$s" ]; then
		name=$(git -C "$MSI_DYN_REPO" config user.name 2>/dev/null) || name=""
		email=$(git -C "$MSI_DYN_REPO" config user.email 2>/dev/null) || email=""
		[ -n "$name" ] && [ -n "$email" ] && s="$name <$email>"
	fi
	[ -n "$s" ] || die "who sends? set user.name and user.email in git (or MSI_DYN_SENDER=\"Name <address>\"): the mails carry the sender's Signed-off-by:, and nothing is sent without it"
	[[ $s =~ ^[^\<\>]+\ \<[^\<\>@\ ]+@[^\<\>@\ ]+\>$ ]] ||
		die "sender '$s' is not of the form 'Name <address>'"
	case $s in
	*"<$MSI_DYN_EMAIL>") die "the sender is the project's role identity ($MSI_DYN_EMAIL), which is no person and cannot sign off: send as yourself" ;;
	esac
	echo "$s"
}

# mail_mails DIR COVER [SENDER]: the mails of this version in DIR/mails/
# (one file each) and DIR/series.mbox: COVER and git format-patch of the
# tree, numbered, threaded and addressed per patch from DIR/routing.json,
# each changed patch with its range-diff against the previous version;
# with SENDER (mail_sender), from SENDER and signed off by SENDER.
mail_mails() {
	local dir=$1 cover=$2 sender=${3:-} v=()
	[ "$SERIES_VERSION" -gt 1 ] && v=(--reroll-count="$SERIES_VERSION")
	rm -rf "$dir/numbered" "$dir/mails"
	pgit -C "$MSI_DYN_TREE" format-patch -q --no-signature --zero-commit --numbered \
		--subject-prefix="$SERIES_SUBJECT_PREFIX" "${v[@]}" --no-thread \
		--no-cover-letter --abbrev=12 --no-attach -o "$dir/numbered" \
		"$BASE_TAG..$SERIES_NAME" || die "git format-patch failed"
	mail_range_diff "$dir/range-diff"
	mailtool mbox --cover "$cover" --patch-dir "$dir/numbered" --routing "$dir/routing.json" \
		--change-id "$SERIES_CHANGE_ID" --version "$SERIES_VERSION" --domain "$MAIL_DOMAIN" \
		--range-diff "$dir/range-diff" \
		--out-dir "$dir/mails" --mbox "$dir/series.mbox" ${sender:+--sender "$sender"}
}

# vger.kernel.org, which carries linux-pci, drops mails larger than this
MAIL_MAX_BYTES=100000

# mail_largest DIR: "BYTES NAME" of the largest mail in DIR
mail_largest() {
	local f
	f=$(ls -S "$1" | head -n 1)
	[ -n "$f" ] || return 1
	echo "$(wc -c < "$1/$f") $f"
}

# b4_offline ARGS...: b4 in offline mode with the project identity, its own
# home and nothing from the user's configuration; SMTP (never used: only
# --dry-run) so that b4 does not pick its web endpoint, which needs signing.
b4_offline() {
	HOME=$MAIL_WORK/b4-home XDG_CONFIG_HOME=$MAIL_WORK/b4-home/.config \
	XDG_DATA_HOME=$MAIL_WORK/b4-home/.local XDG_CACHE_HOME=$MAIL_WORK/b4-home/.cache \
	GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_COUNT=4 \
	GIT_CONFIG_KEY_0=user.name GIT_CONFIG_VALUE_0="$MSI_DYN_NAME" \
	GIT_CONFIG_KEY_1=user.email GIT_CONFIG_VALUE_1="$MSI_DYN_EMAIL" \
	GIT_CONFIG_KEY_2=sendemail.smtpserver GIT_CONFIG_VALUE_2=localhost \
	GIT_CONFIG_KEY_3=b4.prep-cover-template GIT_CONFIG_VALUE_3="$MAIL_WORK/b4-cover.template" \
		b4 --offline-mode "$@"
}

# routing_list to|cc JSON: the cover letter's recipients, one per line.
routing_list() {
	python3 -c 'import json, sys; print("\n".join(json.load(open(sys.argv[2]))[sys.argv[1]]))' "$1" "$2"
}

# mail_b4_am DIR: b4 am of DIR/series.mbox, then git am of its result on
# the pristine base in the mail worktree.  Prints the applied head.
mail_b4_am() {
	local dir=$1 mbx
	mail_worktree
	mkdir -p "$MAIL_WORK/b4-home"
	rm -rf "$dir/b4am"
	mkdir -p "$dir/b4am"
	# From the worktree, so that b4 knows the base-commit the letter names
	(cd "$MAIL_WT" && b4_offline am -m "$dir/series.mbox" -o "$dir/b4am") >"$dir/b4am.log" 2>&1 ||
		{ echo "b4 am failed: $(tail -n 2 "$dir/b4am.log" | tr '\n' ' ')"; return 1; }
	mbx=$(find "$dir/b4am" -name '*.mbx' | head -n 1)
	[ -n "$mbx" ] || { echo "b4 am wrote no .mbx"; return 1; }
	pgit -C "$MAIL_WT" am --abort >/dev/null 2>&1 || true
	pgit -C "$MAIL_WT" checkout -q -f --detach "$BASE_TAG" && pgit -C "$MAIL_WT" clean -q -fdx ||
		{ echo "resetting $MAIL_WT to $BASE_TAG failed"; return 1; }
	if ! pgit -C "$MAIL_WT" am -q --committer-date-is-author-date "$mbx" >"$dir/am.log" 2>&1; then
		pgit -C "$MAIL_WT" am --abort >/dev/null 2>&1 || true
		echo "git am of the b4 am result failed: $(head -n 3 "$dir/am.log" | tr '\n' ' ')"
		return 1
	fi
	pgit -C "$MAIL_WT" rev-parse HEAD
}

# mail_b4_send DIR COVER: enroll branch b4/msi-dyn (= msi-dyn) for b4 prep
# in the mail worktree, with the repository's change-id and version and
# COVER's text, and let b4 send --dry-run write the mails to DIR/b4-send.
mail_b4_send() {
	local dir=$1 cover=$2 br=b4/$SERIES_NAME prefixes to cc a
	mail_worktree
	mkdir -p "$MAIL_WORK/b4-home"
	# Our cover letter carries shortlog, diffstat, base-commit and
	# change-id itself: b4 0.12 would write "base-commit: <base>~1" for a
	# base that is a root commit.
	printf '%s\n' '${cover}' > "$MAIL_WORK/b4-cover.template"
	pgit -C "$MSI_DYN_TREE" branch -f "$SERIES_NAME-base" "$BASE_TAG" >/dev/null
	pgit -C "$MAIL_WT" checkout -q -f -B "$br" "$SERIES_NAME" && pgit -C "$MAIL_WT" clean -q -fdx ||
		{ echo "checkout of $br failed"; return 1; }
	pgit -C "$MAIL_WT" config --remove-section "branch.$br" 2>/dev/null
	pgit -C "$MAIL_WT" config "branch.$br.b4-prep-cover-strategy" branch-description
	(cd "$MAIL_WT" && b4_offline prep --enroll "$SERIES_NAME-base") >"$dir/b4-prep.log" 2>&1 ||
		{ echo "b4 prep --enroll failed: $(tail -n 2 "$dir/b4-prep.log" | tr '\n' ' ')"; return 1; }
	prefixes=$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1].split()[1:]))' "$SERIES_SUBJECT_PREFIX")
	pgit -C "$MAIL_WT" config "branch.$br.b4-tracking" \
		"{\"series\": {\"revision\": $SERIES_VERSION, \"change-id\": \"$SERIES_CHANGE_ID\", \"base-branch\": \"$SERIES_NAME-base\", \"prefixes\": $prefixes}}"
	pgit -C "$MAIL_WT" config "branch.$br.description" \
		"$(printf '%s\n\n' "$SERIES_COVER_SUBJECT"; sed '1,/^$/d' "$cover")"
	# b4 0.12 sends every mail to everybody (per-patch Cc only from commit
	# trailers): the cover letter's lists.  --to/--cc take several values.
	to=(--to) cc=(--cc)
	while read -r a; do to+=("$a"); done < <(routing_list to "$dir/routing.json")
	while read -r a; do cc+=("$a"); done < <(routing_list cc "$dir/routing.json")
	rm -rf "$dir/b4-send"
	(cd "$MAIL_WT" && b4_offline send --dry-run --no-sign --not-me-too "${to[@]}" "${cc[@]}" \
		-o "$dir/b4-send") >"$dir/b4-send.log" 2>&1 ||
		{ echo "b4 send --dry-run failed: $(grep -m1 CRITICAL "$dir/b4-send.log")"; return 1; }
	pgit -C "$MAIL_WT" checkout -q --detach
}

# mail_request_pull OUT: git request-pull of the tag against the base, for
# SERIES_PULL_URL, once the tree is published there.  git's url.insteadOf
# points the URL at the local tree, so git checks the tag there, offline,
# and the text names the URL.
mail_request_pull() {
	local out=$1
	[ -n "$SERIES_PULL_URL" ] ||
		die "the tree is not published (SERIES_PULL_URL in kernel-config/series.conf is empty): no pull request to write"
	pgit -C "$MSI_DYN_TREE" rev-parse -q --verify "refs/tags/$SERIES_TAG" >/dev/null ||
		die "no tag $SERIES_TAG in the tree: run scripts/make-tree"
	[ "$(pgit -C "$MSI_DYN_TREE" rev-parse "$SERIES_TAG^{commit}")" = \
	  "$(pgit -C "$MSI_DYN_TREE" rev-parse "$SERIES_NAME")" ] ||
		die "tag $SERIES_TAG is not the head of $SERIES_NAME: run scripts/make-tree"
	pgit -C "$MSI_DYN_TREE" -c "url.$MSI_DYN_TREE.insteadOf=$SERIES_PULL_URL" \
		request-pull "$BASE_TAG" "$SERIES_PULL_URL" "$SERIES_TAG" > "$out.raw" ||
		die "git request-pull failed"
	sed "s|^  $MSI_DYN_TREE tags/|  $SERIES_PULL_URL tags/|" "$out.raw" > "$out"
	rm -f "$out.raw"
}
