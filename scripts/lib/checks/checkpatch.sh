# SPDX-License-Identifier: GPL-2.0
# Check "checkpatch" of scripts/validate: checkpatch.pl --strict (the
# tree's, at the series head) on every patch file.  No error, no warning
# but the error codes mainline's contract prescribes, and every CHECK
# justified in MAINTAINERS-notes.  Not cached: half a minute.

CP_ERRORS=0 CP_WARNINGS=0 CP_CHECKS=0 CP_UNJUSTIFIED=0
# checkpatch warns about -ENOTSUPP and -ENOSYS in new code; mainline's
# pci_msix_alloc_irq_at() contract returns exactly these
CONTRACT_WARNINGS="ENOTSUPP ENOSYS"

# MAINTAINERS-notes lines "checkpatch-ok: <patch name without NNNN-> <TYPE>: why"
justified() {
	local key=${1#[0-9][0-9][0-9][0-9]-} type=$2
	grep -qE "^checkpatch-ok: ${key//./\\.} $type: .+" "$MSI_DYN_REPO/MAINTAINERS-notes" 2>/dev/null
}

check_checkpatch() {
	local p out e w c t bad
	mkdir -p "$LOGS/checkpatch" "$WORK/bin"
	# checkpatch runs spdxcheck.py with "python3": make that Debian's, which
	# has the python3-ply and python3-git modules it needs.
	ln -sf /usr/bin/python3 "$WORK/bin/python3"
	for p in $(series_patches); do
		out=$(cd "$MSI_DYN_TREE" && PATH="$WORK/bin:$PATH" perl scripts/checkpatch.pl --strict --show-types \
			--no-summary-file "$MSI_DYN_REPO/patches/$p" 2>&1)
		echo "$out" > "$LOGS/checkpatch/${p%.patch}.log"
		e=$(echo "$out" | grep -c '^ERROR:')
		w=$(echo "$out" | grep -c '^WARNING:')
		c=$(echo "$out" | grep -c '^CHECK:')
		CP_ERRORS=$((CP_ERRORS + e)); CP_WARNINGS=$((CP_WARNINGS + w)); CP_CHECKS=$((CP_CHECKS + c))
		bad="" wbad=""
		for t in $(echo "$out" | sed -n 's/^CHECK:\([A-Z_0-9]*\):.*/\1/p' | sort -u); do
			justified "$p" "$t" || bad="$bad $t"
		done
		# The only warnings that can be justified: error codes which the
		# mainline API contract prescribes (see MAINTAINERS-notes)
		for t in $(echo "$out" | sed -n 's/^WARNING:\([A-Z_0-9]*\):.*/\1/p' | sort -u); do
			case " $CONTRACT_WARNINGS " in
			*" $t "*) justified "$p" "$t" || wbad="$wbad $t" ;;
			*) wbad="$wbad $t" ;;
			esac
		done
		[ -n "$bad" ] && CP_UNJUSTIFIED=$((CP_UNJUSTIFIED + 1))
		if [ "$e" -gt 0 ] || [ -n "$wbad" ]; then
			record FAIL checkpatch "$p" "$e errors, $w warnings ($wbad ): $(echo "$out" | grep -m1 -E '^(ERROR|WARNING):')"
		elif [ -n "$bad" ]; then
			record FAIL checkpatch "$p" "CHECK not justified in MAINTAINERS-notes:$bad"
		elif [ "$w" -gt 0 ]; then
			record PASS checkpatch "$p" "0 errors, $w contract error-code warnings (justified), $c checks"
		else
			record PASS checkpatch "$p" "0 errors, 0 warnings, $c checks"
		fi
	done
}
