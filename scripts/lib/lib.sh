# SPDX-License-Identifier: GPL-2.0
# Shared steps of the msi-dyn tooling.  Sourced by every command in
# scripts/; not meant to be run.
#
# Environment knobs:
#   MSI_DYN_CACHE   where the base tarball, the kernel tree and the build
#                   directories live (default: $XDG_CACHE_HOME/msi-dyn,
#                   i.e. ~/.cache/msi-dyn).  Kept outside the clone so that
#                   later runs on the same machine reuse it.
#   MSI_DYN_TREE    the subsystem tree (default: $MSI_DYN_CACHE/linux)
#   MSI_DYN_NO_APT  set to 1 to skip the Debian package check/installation

set -o pipefail

MSI_DYN_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
MSI_DYN_CACHE=${MSI_DYN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/msi-dyn}
MSI_DYN_TREE=${MSI_DYN_TREE:-$MSI_DYN_CACHE/linux}

# The project's role identity: used for the base import, for committing the
# series in the tree and for tags.  Never a person.
MSI_DYN_NAME="msi-dyn developers"
MSI_DYN_EMAIL="dev@msi-dyn.example.org"

# shellcheck source=../kernel-config/base.conf
. "$MSI_DYN_REPO/kernel-config/base.conf"
# shellcheck source=../kernel-config/series.conf
. "$MSI_DYN_REPO/kernel-config/series.conf"

SERIES_TAG="$SERIES_NAME-v$SERIES_VERSION"
BASE_TAG="v$BASE_VERSION"

log()  { printf '%s %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die()  { printf 'error: %s\n' "$*" >&2; exit 1; }

# git with the project identity and nothing from the user's configuration
# that could change object IDs (signing, hooks, autocrlf, ...).
pgit() {
	GIT_CONFIG_NOSYSTEM=1 HOME=/nonexistent-msi-dyn XDG_CONFIG_HOME=/nonexistent-msi-dyn \
	GIT_AUTHOR_NAME="$MSI_DYN_NAME" GIT_AUTHOR_EMAIL="$MSI_DYN_EMAIL" \
	GIT_COMMITTER_NAME="$MSI_DYN_NAME" GIT_COMMITTER_EMAIL="$MSI_DYN_EMAIL" \
	git -c core.autocrlf=false -c core.fileMode=true -c commit.gpgsign=false \
	    -c tag.gpgsign=false -c core.hooksPath=/dev/null -c core.abbrev=12 \
	    -c advice.detachedHead=false -c init.defaultBranch=master \
	    -c gc.auto=0 -c maintenance.auto=false "$@"
}

# The patch files of the series, in order, one per line.
series_patches() {
	grep -vE '^[[:space:]]*(#|$)' "$MSI_DYN_REPO/series" | awk '{print $1}'
}

# sha256 of `series` followed by each listed patch, as test-results records it.
series_sha256() {
	( cd "$MSI_DYN_REPO" && { cat series; series_patches | sed 's|^|patches/|' | xargs -r cat; } | sha256sum | cut -d' ' -f1 )
}

# --- Debian packages -------------------------------------------------------

MSI_DYN_PACKAGES="build-essential gcc clang lld llvm ccache flex bison bc
	libelf-dev libssl-dev coccinelle sparse b4 quilt qemu-system-x86 python3
	cpio kmod rsync xz-utils git dwarves busybox-static python3-ply python3-git ocaml-nox
	gnuplot-nox git-email libmailtools-perl python3-jsonschema
	gcc-aarch64-linux-gnu qemu-system-arm"

ensure_packages() {
	[ "${MSI_DYN_NO_APT:-0}" = 1 ] && return 0
	local missing=() p
	for p in $MSI_DYN_PACKAGES; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
			missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	log "installing Debian packages: ${missing[*]}"
	[ "$(id -u)" = 0 ] || die "packages missing (${missing[*]}) and not root: install them or set MSI_DYN_NO_APT=1"
	apt-get update -q >/dev/null || die "apt-get update failed"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
		die "apt-get install ${missing[*]} failed"
}

# apt-get source needs a deb-src entry; add one mirroring the configured
# binary archives (deb822 or one-line format) if there is none.
ensure_deb_src() {
	if grep -rqsE '^(deb-src|Types:.*deb-src)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
		return 0
	fi
	[ "$(id -u)" = 0 ] || die "no deb-src entry in the APT sources and not root to add one"
	log "adding a deb-src entry for the configured Debian archive"
	local f=/etc/apt/sources.list.d/msi-dyn-deb-src.sources tmp
	tmp=$(mktemp)
	# deb822 stanzas: copy every 'Types: deb' stanza as 'Types: deb-src'.
	cat /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk 'BEGIN{RS=""; ORS="\n\n"} /(^|\n)Types:[^\n]*deb/ {
			sub(/Types:[^\n]*/, "Types: deb-src"); print }' > "$tmp"
	# one-line format
	grep -hsE '^deb[[:space:]]' /etc/apt/sources.list /etc/apt/sources.list.d/*.list |
		sed 's/^deb /deb-src /' > "$tmp.list"
	[ -s "$tmp" ] && cp "$tmp" "$f"
	[ -s "$tmp.list" ] && cp "$tmp.list" /etc/apt/sources.list.d/msi-dyn-deb-src.list
	rm -f "$tmp" "$tmp.list"
	[ -s "$f" ] || [ -s /etc/apt/sources.list.d/msi-dyn-deb-src.list ] ||
		die "could not derive a deb-src entry from the APT sources"
	apt-get update -q >/dev/null || die "apt-get update failed after adding deb-src"
}

# --- The base ---------------------------------------------------------------

# fetch_tarball DEBIAN_VERSION TARBALL [SHA256]: download into the cache
# (once) and verify.  Prints the path.
fetch_tarball() {
	local dver=$1 tarball=$2 sha=${3:-} dir="$MSI_DYN_CACHE/dl"
	mkdir -p "$dir"
	if [ ! -s "$dir/$tarball" ]; then
		ensure_deb_src
		log "downloading linux=$dver source from the Debian archive"
		if ! (cd "$dir" && apt-get source --download-only "linux=$dver" >"$dir/apt-source.log" 2>&1); then
			apt-get update -q >/dev/null 2>&1
			(cd "$dir" && apt-get source --download-only "linux=$dver" >"$dir/apt-source.log" 2>&1) || {
				grep -E '^(Err|E):' "$dir/apt-source.log" >&2
				echo "linux=$dver could not be downloaded from the Debian archive" >&2
				return 1
			}
		fi
	fi
	[ -s "$dir/$tarball" ] || die "$tarball not found after apt-get source"
	if [ -n "$sha" ]; then
		local got
		got=$(sha256sum "$dir/$tarball" | cut -d' ' -f1)
		[ "$got" = "$sha" ] || {
			mv "$dir/$tarball" "$dir/$tarball.bad"
			die "sha256 of $tarball is $got, expected $sha (moved aside as $tarball.bad)"
		}
	fi
	echo "$dir/$tarball"
}

# import_tarball TARBALL DIR VERSION DATE TAG: unpack into a new git repository
# with one commit of fixed identity and date, tagged TAG.
import_tarball() {
	local tarball=$1 dir=$2 version=$3 date=$4 tag=$5 tmp
	tmp="$dir.tmp.$$"
	rm -rf "$tmp"
	mkdir -p "$tmp"
	log "unpacking $(basename "$tarball")"
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 --no-same-owner ||
		die "unpacking $tarball failed"
	log "importing into git (a few minutes)"
	(
		cd "$tmp" &&
		pgit init -q &&
		pgit add -A -f . &&
		GIT_AUTHOR_DATE="$date" GIT_COMMITTER_DATE="$date" \
			pgit commit -q --no-verify -m "Linux $version" \
				-m "Imported from Debian's $(basename "$tarball"): upstream v$version without the files Debian removes for DFSG reasons." &&
		pgit tag "$tag"
	) || die "git import of $tarball failed"
	rm -rf "$dir"
	mv "$tmp" "$dir"
}

# The subsystem tree: a git repository with the base tagged.  Creates it on
# first use and checks the base commit ID against base.conf.
ensure_base_tree() {
	if ! pgit -C "$MSI_DYN_TREE" rev-parse -q --verify "refs/tags/$BASE_TAG^{commit}" >/dev/null 2>&1; then
		local tb
		tb=$(fetch_tarball "$BASE_DEBIAN_VERSION" "$BASE_TARBALL" "$BASE_SHA256") ||
			die "the pinned base linux=$BASE_DEBIAN_VERSION is not in the Debian archive any more.
  To repin: pick a 6.1.y upload that is there ('apt-cache showsrc linux | grep ^Version'),
  set BASE_VERSION, BASE_DEBIAN_VERSION, BASE_TARBALL and BASE_SHA256 in
  kernel-config/base.conf, clear BASE_COMMIT, and run scripts/make-tree.
  'scripts/validate --base latest' tells whether the series applies to the newest 6.1.y."
		import_tarball "$tb" "$MSI_DYN_TREE" "$BASE_VERSION" "$BASE_DATE" "$BASE_TAG"
	fi
	local id
	id=$(pgit -C "$MSI_DYN_TREE" rev-parse "$BASE_TAG^{commit}")
	if [ -n "$BASE_COMMIT" ] && [ "$id" != "$BASE_COMMIT" ]; then
		die "base commit is $id, kernel-config/base.conf records $BASE_COMMIT: the import is not reproducible (delete $MSI_DYN_TREE to re-import)"
	fi
	echo "$id"
}

# apply_series_am DIR REF BRANCH: in git repository DIR, create BRANCH at REF
# and apply the series with git am.  Committer = author identity and date,
# so every commit ID is reproducible.  On failure names the patch.
apply_series_am() {
	local dir=$1 ref=$2 branch=$3 p
	pgit -C "$dir" am --abort >/dev/null 2>&1
	pgit -C "$dir" checkout -q -f -B "$branch" "$ref" || die "checkout of $ref failed"
	pgit -C "$dir" clean -q -fdx >/dev/null
	while read -r p; do
		[ -f "$MSI_DYN_REPO/patches/$p" ] || { echo "FAIL apply-am $p: listed in series but missing"; return 1; }
		if ! pgit -C "$dir" am -q --committer-date-is-author-date --no-3way \
			"$MSI_DYN_REPO/patches/$p" >"$MSI_DYN_CACHE/am.log" 2>&1; then
			pgit -C "$dir" am --abort >/dev/null 2>&1
			echo "FAIL apply-am $p: $(head -n 3 "$MSI_DYN_CACHE/am.log" | tr '\n' ' ')"
			return 1
		fi
	done < <(series_patches)
	return 0
}

# format_series REV OUTDIR: write BASE..REV as git format-patch files with
# the options that make them deterministic (see scripts/export-series).
format_series() {
	local rev=$1 out=$2
	mkdir -p "$out"
	pgit -C "$MSI_DYN_TREE" format-patch -q --no-signature --zero-commit \
		--no-numbered --no-thread --no-cover-letter --abbrev=12 \
		--no-attach -o "$out" "$BASE_TAG..$rev"
}

# series_roundtrip OUTDIR: write branch msi-dyn of the tree as format-patch
# files to OUTDIR and print the names of the patches of 'series' which they
# do not reproduce byte for byte ("(count)" if the numbers differ).
series_roundtrip() {
	local out=$1 p
	rm -rf "$out"
	format_series "$SERIES_NAME" "$out"
	for p in $(series_patches); do
		cmp -s "$out/$p" "$MSI_DYN_REPO/patches/$p" || echo "$p"
	done
	[ "$(find "$out" -name '*.patch' | wc -l)" -eq "$(series_patches | wc -l)" ] || echo "(count)"
}

# require_series_branch: die unless the tree has branch msi-dyn
require_series_branch() {
	pgit -C "$MSI_DYN_TREE" rev-parse -q --verify "refs/heads/$SERIES_NAME" >/dev/null ||
		die "no branch $SERIES_NAME in $MSI_DYN_TREE: run scripts/make-tree first"
}

# Commits of the series in the tree, oldest first.
series_commits() {
	pgit -C "$MSI_DYN_TREE" rev-list --reverse "$BASE_TAG..$SERIES_NAME"
}

# --- Versions ---------------------------------------------------------------

# series_tag_message VERSION: the message of tag msi-dyn-v<VERSION>.
series_tag_message() {
	echo "$SERIES_NAME v$1: dynamic MSI allocation for Linux $BASE_VERSION"
}

# tag_previous_version DIR: rebuild the previous version of the series in
# git worktree DIR of the tree and tag it msi-dyn-v<N-1>.  Its patches come
# from this repository's history (SERIES_PREV_COMMIT in series.conf), so
# a fresh machine needs nothing else.  Nothing to do for v1.  Leaves DIR
# detached at the tag.
tag_previous_version() {
	local dir=$1 prev=$((SERIES_VERSION - 1)) tmp out pbase date
	[ "$SERIES_VERSION" -gt 1 ] || return 0
	[ -n "${SERIES_PREV_COMMIT:-}" ] ||
		die "SERIES_VERSION is $SERIES_VERSION but SERIES_PREV_COMMIT is empty (kernel-config/series.conf)"
	git -C "$MSI_DYN_REPO" cat-file -e "$SERIES_PREV_COMMIT^{commit}" 2>/dev/null ||
		die "SERIES_PREV_COMMIT $SERIES_PREV_COMMIT is not a commit of $MSI_DYN_REPO"
	pbase=$(git -C "$MSI_DYN_REPO" show "$SERIES_PREV_COMMIT:kernel-config/base.conf" | sed -n 's/^BASE_VERSION=//p')
	[ "$pbase" = "$BASE_VERSION" ] ||
		die "v$prev is based on $pbase and v$SERIES_VERSION on $BASE_VERSION: a range-diff across a repin needs both bases, which make-tree does not import"
	tmp=$(mktemp -d)
	git -C "$MSI_DYN_REPO" archive "$SERIES_PREV_COMMIT" series patches | tar -x -C "$tmp" ||
		die "reading the patches of $SERIES_PREV_COMMIT failed"
	if ! out=$(MSI_DYN_REPO=$tmp apply_series_am "$dir" "$BASE_TAG" "$SERIES_NAME-prev"); then
		rm -rf "$tmp"
		die "v$prev ($SERIES_PREV_COMMIT) does not apply: $out"
	fi
	rm -rf "$tmp"
	date=$(pgit -C "$dir" log -1 --format=%aI HEAD)
	GIT_COMMITTER_DATE="$date" pgit -C "$dir" tag -f -a "$SERIES_NAME-v$prev" \
		-m "$(series_tag_message "$prev")" HEAD >/dev/null
	pgit -C "$dir" checkout -q --detach
	pgit -C "$dir" branch -q -D "$SERIES_NAME-prev"
	log "rebuilt v$prev from $SERIES_PREV_COMMIT: $SERIES_NAME-v$prev $(pgit -C "$dir" rev-parse HEAD)"
}

# tag_series DIR: tag the head of branch msi-dyn in DIR as msi-dyn-v<N>,
# dated like its head commit, so the same series gives the same tag.
tag_series() {
	local dir=$1 date
	date=$(pgit -C "$dir" log -1 --format=%aI "$SERIES_NAME")
	GIT_COMMITTER_DATE="$date" pgit -C "$dir" tag -f -a "$SERIES_TAG" \
		-m "$(series_tag_message "$SERIES_VERSION")" "$SERIES_NAME" >/dev/null
}
