# SPDX-License-Identifier: GPL-2.0
# Check "forward" of scripts/validate (information, never a failure):
# does the series apply with git am to the newest 6.1.y the Debian archive
# serves?  Not cached: the archive changes under it.
check_forward() {
	local out=$RESULTS/forward-check.json ver="" tb="" dir status detail v up tried=""
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
		dir=$MSI_DYN_CACHE/forward-$up
		if [ ! -d "$dir/.git" ]; then
			import_tarball "$tb" "$dir" "$up" "$BASE_DATE" "v$up" 2>>"$WORK/forward.log"
		fi
		if res=$(MSI_DYN_CACHE=$WORK apply_series_am "$dir" "v$up" forward-check); then
			status=applies; detail="the series applies with git am to $up"
		else
			status=fails; detail=$res
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
