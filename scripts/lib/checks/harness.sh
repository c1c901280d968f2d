# SPDX-License-Identifier: GPL-2.0
# Check "harness" of scripts/validate: the result cache and the "can this
# change matter to that build" rule, on made-up inputs, before any verdict
# is taken from them.  Seconds; never cached.
#
#   harness-cache  a passed unit is replayed for the same key and not run;
#                  another key runs it; a failed unit is never kept and
#                  runs again; USE_CACHE=0 runs a unit whose key is kept;
#                  replayed records carry the patch of the replaying run
#                  and say where they come from; two commits of one tree
#                  (a changelog edit) give the same key
#   harness-ledger a run's passed units go to the ledger (a copied entry
#                  too), its failed one does not; on an empty cache a ledger entry is replayed,
#                  not run, its files and build dependencies come back;
#                  an entry whose key.txt does not hash to its key, or
#                  whose file is gone, is not used; USE_LEDGER=0 ignores
#                  the ledger
#   harness-deps   kbuild-deps.py list reads the sources out of .cmd files;
#                  kbuild-deps.py matters ignores exactly what a build
#                  cannot read

# harness_unit NAME STATUS: a unit body that counts its runs
harness_unit() {
	echo x >> "$HARNESS/runs.$1"
	record "$2" "harness-$1" "$HARNESS_PATCH" "made-up unit"
	[ "$2" = PASS ]
}

# harness_runs NAME: how often harness_unit NAME ran
harness_runs() {
	[ -f "$HARNESS/runs.$1" ] && wc -l < "$HARNESS/runs.$1" || echo 0
}

harness_cache() (
	HARNESS=$(mktemp -d)
	trap 'rm -rf "$HARNESS"' EXIT
	CHECKS=$HARNESS/checks.tsv RESULTS=$HARNESS/results RESULT_CACHE=$HARNESS/cache
	WORK=$HARNESS USE_CACHE=1
	mkdir -p "$RESULTS/logs"
	: > "$CHECKS"
	local bad=""
	HARNESS_PATCH=0001-a.patch
	run_unit h "key one" 0001-a.patch harness_unit one PASS >/dev/null
	HARNESS_PATCH=0002-b.patch
	run_unit h "key one" 0002-b.patch harness_unit one PASS >/dev/null
	[ "$(harness_runs one)" = 1 ] || bad="$bad; a passed unit ran again for its key"
	[ "$UNIT_ORIGIN" = cached ] || bad="$bad; the replay was not marked cached"
	tail -n 1 "$CHECKS" | grep -q $'\t0002-b.patch\t.*\tcached ' ||
		bad="$bad; the replayed record lacks the replaying patch or its origin"
	run_unit h "key two" - harness_unit one PASS >/dev/null
	[ "$(harness_runs one)" = 2 ] || bad="$bad; another key did not run the unit"
	run_unit h "key three" - harness_unit two FAIL >/dev/null
	run_unit h "key three" - harness_unit two FAIL >/dev/null
	[ "$(harness_runs two)" = 2 ] || bad="$bad; a failed unit was kept"
	USE_CACHE=0 run_unit h "key one" - harness_unit one PASS >/dev/null
	[ "$(harness_runs one)" = 3 ] || bad="$bad; USE_CACHE=0 replayed a unit"
	# A commit of the same tree (a changelog edit) gives the same key
	local g=$HARNESS/g c1 c2
	git init -q "$g" && echo a > "$g/f" && git -C "$g" add f &&
		git -C "$g" -c user.name=t -c user.email=t@t commit -qm one &&
		git -C "$g" -c user.name=t -c user.email=t@t commit -q --amend -m two || bad="$bad; git"
	c1=$(git -C "$g" rev-parse HEAD@{1}) c2=$(git -C "$g" rev-parse HEAD)
	[ "$c1" != "$c2" ] && [ "$(MSI_DYN_TREE=$g key_tree "$c1")" = "$(MSI_DYN_TREE=$g key_tree "$c2")" ] ||
		bad="$bad; two commits of one tree gave different keys"
	echo "${bad#; }"
)

# harness_logged NAME STATUS: a unit body that also writes a log file
harness_logged() {
	echo "log of $1" > "$RESULTS/logs/$1.log"
	harness_unit "$@"
}

harness_ledger() (
	HARNESS=$(mktemp -d)
	trap 'rm -rf "$HARNESS"' EXIT
	CHECKS=$HARNESS/checks.tsv RESULTS=$HARNESS/results RESULT_CACHE=$HARNESS/cache
	WORK=$HARNESS USE_CACHE=1 USE_LEDGER=1 LEDGER_FROM=""
	mkdir -p "$RESULTS/logs"
	: > "$CHECKS"
	: > "$WORK/units.used"
	: > "$WORK/ledger.imported"
	local bad="" n one two
	touch "$HARNESS/start"
	sleep 0.01
	HARNESS_PATCH=-
	echo include/linux/msi.h > "$HARNESS/deps.one"
	UNIT_DEPS=$HARNESS/deps.one run_unit h "key one" - harness_logged one PASS >/dev/null
	one=$UNIT_DIR
	run_unit h "key two" - harness_logged two PASS >/dev/null
	two=$UNIT_DIR
	run_unit h "key three" - harness_logged three FAIL >/dev/null
	# A verdict taken over from another entry, as bisect does: a copy
	# that keeps the times of the files it copies, with its own key.txt
	local four
	four=$(unit_lookup h "key four")
	cp -a "$one" "$four"
	unit_keytext h "key four" > "$four/key.txt"
	touch -d '2000-01-01' "$four"
	ledger_write "$HARNESS/start" 2>/dev/null
	n=$(find "$RESULTS/ledger/h" -mindepth 1 -maxdepth 1 -type d | wc -l)
	[ "$n" = 3 ] || bad="$bad; the ledger has $n entries, not the 2 passed units and the copy"
	[ "$(cat "$RESULTS/ledger/h/${one##*/}/files.txt" 2>/dev/null)" = logs/one.log ] ||
		bad="$bad; the entry does not name the file its unit wrote"
	# Another machine: no cache, the committed results
	rm -rf "$RESULT_CACHE"
	LEDGER_FROM=$HARNESS/from
	cp -a "$RESULTS" "$LEDGER_FROM"
	rm -f "$RESULTS"/logs/*
	run_unit h "key one" - harness_logged one PASS >/dev/null
	[ "$(harness_runs one)" = 1 ] || bad="$bad; a unit of the ledger ran again on an empty cache"
	[ "$UNIT_ORIGIN" = cached ] || bad="$bad; the replay from the ledger was not marked cached"
	[ "$(cat "$RESULTS/logs/one.log" 2>/dev/null)" = "log of one" ] ||
		bad="$bad; the replay from the ledger did not put its file back"
	grep -qx "h/${one##*/}" "$WORK/ledger.imported" || bad="$bad; the import was not counted"
	cmp -s "$HARNESS/deps.one" "$one/deps.txt" ||
		bad="$bad; the build dependencies did not come back from the ledger"
	# A key.txt that is not the key's
	echo "key two, edited" > "$LEDGER_FROM/ledger/h/${two##*/}/key.txt"
	run_unit h "key two" - harness_logged two PASS >/dev/null
	[ "$(harness_runs two)" = 2 ] || bad="$bad; an entry whose key.txt is not its key was used"
	# A file the entry names is gone
	rm -rf "$RESULT_CACHE"
	rm -f "$LEDGER_FROM/logs/one.log"
	run_unit h "key one" - harness_logged one PASS >/dev/null
	[ "$(harness_runs one)" = 2 ] || bad="$bad; an entry whose file is gone was used"
	# USE_LEDGER=0
	cp "$RESULTS/logs/one.log" "$LEDGER_FROM/logs/one.log"
	rm -rf "$RESULT_CACHE"
	USE_LEDGER=0 run_unit h "key one" - harness_logged one PASS >/dev/null
	[ "$(harness_runs one)" = 3 ] || bad="$bad; USE_LEDGER=0 took a unit from the ledger"
	echo "${bad#; }"
)

harness_deps() (
	local t bad="" tool=$MSI_DYN_REPO/scripts/lib/kbuild-deps.py
	t=$(mktemp -d)
	trap 'rm -rf "$t"' EXIT
	mkdir -p "$t/src/kernel/irq" "$t/o/kernel/irq"
	printf 'source_kernel/irq/msi.o := %s/src/kernel/irq/msi.c\n' "$t" > "$t/o/kernel/irq/.msi.o.cmd"
	printf 'deps_kernel/irq/msi.o := \\\n  %s/src/include/linux/msi.h \\\n  $(wildcard include/config/PCI_MSI) \\\n  include/generated/autoconf.h \\\n\n' \
		"$t" >> "$t/o/kernel/irq/.msi.o.cmd"
	python3 "$tool" list "$t/o" "$t/src" > "$t/deps"
	[ "$(tr '\n' ' ' < "$t/deps")" = "include/linux/msi.h kernel/irq/msi.c " ] ||
		bad="$bad; list read $(tr '\n' ' ' < "$t/deps")"
	local f want
	# file  0 = cannot matter, 1 = matters
	while read -r f want; do
		echo "$f" > "$t/changed"
		python3 "$tool" matters "$t/deps" "$t/changed" > /dev/null
		if [ $? -ne $((want)) ]; then
			[ "$want" = 1 ] && bad="$bad; $f should matter" || bad="$bad; $f should not matter"
		fi
	done <<-EOF
		include/linux/msi.h 1
		kernel/irq/msi.c 1
		drivers/pci/msi/msi.c 0
		include/linux/pci.h 0
		arch/x86/kernel/apic/msi.S 0
		Documentation/PCI/msi-howto.rst 0
		scripts/coccinelle/api/msi_map_free.cocci 0
		tools/testing/selftests/vfio/x.c 0
		MAINTAINERS 0
		drivers/pci/msi/Makefile 1
		samples/Kconfig 1
		drivers/pci/Kbuild 1
		scripts/mod/modpost.c 1
		tools/objtool/check.c 1
		arch/x86/kernel/vmlinux.lds.S 0
		arch/x86/entry/syscalls/syscall_64.tbl 1
		firmware/x.bin 1
	EOF
	echo "${bad#; }"
)

check_harness() {
	local out
	out=$(harness_cache)
	if [ -z "$out" ]; then
		record PASS harness-cache - "replayed for its key, run for another, failures never kept, --no-cache runs, a changelog edit keeps the key"
	else
		record FAIL harness-cache - "$out"
	fi
	out=$(harness_ledger 2>/dev/null)
	if [ -z "$out" ]; then
		record PASS harness-ledger - "passed units written (a copied entry too), failed ones not; replayed with their files and build dependencies on an empty cache; a wrong key.txt, a missing file or USE_LEDGER=0 runs the unit"
	else
		record FAIL harness-ledger - "$out"
	fi
	out=$(harness_deps)
	if [ -z "$out" ]; then
		record PASS harness-deps - "sources read from .cmd files; 17 changed-file cases judged right"
	else
		record FAIL harness-deps - "$out"
	fi
}
