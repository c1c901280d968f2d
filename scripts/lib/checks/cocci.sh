# SPDX-License-Identifier: GPL-2.0
# Check "cocci" of scripts/validate: the series' own Coccinelle rules.
# Each rule the series adds under scripts/coccinelle/api/ that has fixtures
# in scripts/fixtures/cocci/ must report exactly the lines its positive
# fixture marks /* EXPECT-REPORT */, and nothing in its negative one; then
# every such rule runs over the whole tree at the series head, into
# test-results/cocci-scan.txt (information, not a gate).  One unit of the
# result cache: the head's tree, the fixtures, this file and spatch.

cocci_rules() {
	local fx=$MSI_DYN_REPO/scripts/fixtures/cocci rules=$WORK/cocci-rules f rule want got n
	rm -rf "$rules"
	mkdir -p "$rules" "$LOGS/cocci"
	for f in "$fx"/*.pos.c; do
		[ -e "$f" ] || continue
		rule=$(basename "$f" .pos.c)
		if ! pgit -C "$MSI_DYN_TREE" show "$SERIES_NAME:scripts/coccinelle/api/$rule.cocci" \
				> "$rules/$rule.cocci" 2>/dev/null; then
			record FAIL "cocci-fixture-$rule" - "the series has no scripts/coccinelle/api/$rule.cocci"
			rm -f "$rules/$rule.cocci"
			continue
		fi
		spatch --very-quiet -D report --no-includes --include-headers \
			--cocci-file "$rules/$rule.cocci" "$f" > "$LOGS/cocci/$rule.pos.log" 2>&1
		want=$(grep -n '/\* EXPECT-REPORT \*/' "$f" | cut -d: -f1 | sort -n | tr '\n' ' ')
		got=$(sed -n 's/^[^:]*\.pos\.c:\([0-9]*\):.*/\1/p' "$LOGS/cocci/$rule.pos.log" |
			sort -nu | tr '\n' ' ')
		if [ -n "$want" ] && [ "$want" = "$got" ]; then
			record PASS "cocci-fixture-$rule" - "reports exactly lines $want"
		else
			record FAIL "cocci-fixture-$rule" - "expected reports on lines ${want:-none}, got ${got:-none}"
		fi
		spatch --very-quiet -D report --no-includes --include-headers \
			--cocci-file "$rules/$rule.cocci" "$fx/$rule.neg.c" > "$LOGS/cocci/$rule.neg.log" 2>&1
		if grep -q '\.neg\.c:[0-9]' "$LOGS/cocci/$rule.neg.log"; then
			record FAIL "cocci-fixture-$rule" - "negative fixture reported: $(head -n 1 "$LOGS/cocci/$rule.neg.log")"
		else
			record PASS "cocci-fixture-$rule" - "negative fixture: no report"
		fi
	done

	[ -n "$(ls "$rules")" ] || record FAIL cocci-fixtures - "no rule with fixtures in scripts/fixtures/cocci/"

	# The whole tree at the series head
	: > "$RESULTS/cocci-scan.txt"
	for f in "$rules"/*.cocci; do
		[ -e "$f" ] || continue
		echo "# $(basename "$f")" >> "$RESULTS/cocci-scan.txt"
		(cd "$MSI_DYN_TREE" && spatch --very-quiet -D report --no-includes --include-headers \
			--use-gitgrep --jobs "$JOBS" --cocci-file "$f" --dir .) 2>/dev/null |
			sed 's|^\./||' | sort >> "$RESULTS/cocci-scan.txt"
	done
	n=$(grep -c '^[^#]' "$RESULTS/cocci-scan.txt")
	record INFO cocci-scan - "$n findings of the series' rules in the whole tree"
}

check_cocci() {
	local text
	text=$(key_tree "$SERIES_NAME"
		key_files $(cd "$MSI_DYN_REPO" && ls scripts/fixtures/cocci/*.c) scripts/lib/checks/cocci.sh
		tool_version spatch)
	run_unit cocci "$text" - cocci_rules
}
