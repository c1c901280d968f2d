# SPDX-License-Identifier: GPL-2.0
# Check "forward" of scripts/validate (information, never a failure):
# does the series apply with git am to the newest 6.1.y the Debian archive
# serves?  Not cached: the archive changes under it.

# forward_tree TARBALL DIR VERSION: DIR, a git repository of the files of
# TARBALL that the series' patches touch (all git am reads), in one commit
# tagged vVERSION; made again when that list of files changes.  A few
# seconds, where importing the whole tree takes minutes.
forward_tree() {
	local tarball=$1 dir=$2 version=$3 paths
	paths=$(sed -n 's#^\(---\|+++\) [ab]/##p' $(series_patches | sed "s#^#$MSI_DYN_REPO/patches/#") |
		sort -u)
	[ -d "$dir/.git" ] && [ "$(cat "$dir/.paths" 2>/dev/null)" = "$paths" ] && return 0
	rm -rf "$dir"
	mkdir -p "$dir"
	# Files the series creates are not in the tarball: tar says so, and
	# that is no error here
	echo "$paths" | sed "s#^#linux-$version/#" |
		tar -xJf "$tarball" -C "$dir" --strip-components=1 --no-same-owner -T - 2>/dev/null
	[ -n "$(ls -A "$dir")" ] || { echo "nothing of the series' files in $tarball" >&2; return 1; }
	(cd "$dir" && pgit init -q && pgit add -A -f . &&
		GIT_AUTHOR_DATE="$BASE_DATE" GIT_COMMITTER_DATE="$BASE_DATE" \
			pgit commit -q -m "Linux $version, the files the series touches" &&
		pgit tag "v$version") || return 1
	echo "$paths" > "$dir/.paths"
}

# forward_conflicts DIR REF: after apply_series_am failed on DIR, apply the
# series to REF again, each patch that git am refuses with git apply
# --reject (its other hunks applied, committed, and the next patch on
# top), and print one line per such patch: "PATCH FILE:HUNKS ...", the
# hunks each file rejected.  What a tree on a newer 6.1.y has to resolve.
forward_conflicts() {
	local dir=$1 ref=$2 p rej files
	pgit -C "$dir" checkout -q -f -B forward-check "$ref" || return 1
	pgit -C "$dir" clean -q -fdx >/dev/null
	while read -r p; do
		pgit -C "$dir" am -q --no-3way "$MSI_DYN_REPO/patches/$p" >/dev/null 2>&1 && continue
		pgit -C "$dir" am --abort >/dev/null 2>&1
		pgit -C "$dir" apply --reject "$MSI_DYN_REPO/patches/$p" >/dev/null 2>&1
		files=""
		while read -r rej; do
			files="$files ${rej%.rej}:$(grep -c '^@@' "$dir/$rej")"
			rm -f "$dir/$rej"
		done < <(pgit -C "$dir" ls-files -o --exclude-standard | grep '\.rej$')
		echo "${p%%-*}${files:- (git apply took it)}"
		pgit -C "$dir" add -A && pgit -C "$dir" commit -q --allow-empty -m "forward check: $p, in part"
	done < <(series_patches)
}

check_forward() {
	local out=$RESULTS/forward-check.json ver="" tb="" dir status detail v up tried="" conflicts
	ensure_deb_src
	# Newest first; the archive index can list uploads whose files the
	# mirror does not serve (any more, or yet: several in a row have been
	# seen), so take the newest one that downloads, of those newer than
	# the base.
	for v in $(apt-cache showsrc linux 2>/dev/null | sed -n 's/^Version: //p' |
			grep '^6\.1\.' | sort -Vr -u); do
		up=${v%-*}
		[ "$(printf '%s\n' "$up" "$BASE_VERSION" | sort -V | tail -n 1)" = "$BASE_VERSION" ] &&
			break
		tried="$tried $v"
		if tb=$(fetch_tarball "$v" "linux_$up.orig.tar.xz" 2>>"$WORK/forward.log"); then
			ver=$v
			break
		fi
	done
	if [ -z "$ver" ]; then
		status=unknown
		detail="no 6.1.y source could be downloaded (tried:${tried:- none})"
		[ -z "$tried" ] && detail="the archive lists no 6.1.y newer than the base ($BASE_VERSION)"
	else
		up=${ver%-*}
		dir=$MSI_DYN_CACHE/forward-$up-touched
		if ! forward_tree "$tb" "$dir" "$up" 2>>"$WORK/forward.log"; then
			res="the files the series touches could not be taken from $(basename "$tb")"
			status=unknown; detail=$res
		elif res=$(MSI_DYN_CACHE=$WORK apply_series_am "$dir" "v$up" forward-check); then
			status=applies; detail="the series applies with git am to $up"
		else
			status=fails; detail=$res
			conflicts=$(forward_conflicts "$dir" "v$up")
			[ -n "$conflicts" ] && detail="$detail; the patches git am refuses, with the hunks each file rejects (the others apply): $(echo "$conflicts" | paste -sd ';' | sed 's/;/; /g')"
		fi
		[ "$tried" != " $ver" ] && detail="$detail (newer uploads listed but not downloadable:${tried% $ver})"
	fi
	python3 - "$out" "$ver" "$status" "$detail" <<'PY'
import json, sys
out, ver, status, detail = sys.argv[1:5]
json.dump({"newest_6_1_debian_version": ver, "status": status, "detail": detail},
          open(out, "w"), indent=2, sort_keys=True)
open(out, "a").write("\n")
PY
	log "forward check: ${ver:-none}: $status"
	record INFO forward-check "${ver:-none}" "$detail"
}
