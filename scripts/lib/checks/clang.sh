# SPDX-License-Identifier: GPL-2.0
# Check "clang" of scripts/validate: the KUnit configurations built with
# Debian's clang (LLVM=1) at the series head.  UML builds and runs its
# suites; x86_64 builds the directories the series touches and the MSI
# users of its headers (a full KASAN kernel with clang would add ten
# minutes on a fresh machine for little more).  One unit of the result
# cache: the head's tree, the .kunitconfigs, this file, lib/kbuild.sh, the
# touched directories, clang and Python.

clang_builds() {
	local o log kc
	mkdir -p "$LOGS/clang"
	checkout_build_tree "$SERIES_NAME"

	o=$BUILD/clang-uml-kunit
	kc=$o/filtered.kunitconfig
	mkdir -p "$o"
	filter_config "$MSI_DYN_REPO/kernel-config/kunit/uml.kunitconfig" "$kc"
	log=$LOGS/clang/uml-kunit.log
	if (cd "$WT" && python3 tools/testing/kunit/kunit.py run --kunitconfig="$kc" \
			--build_dir="$o" --arch=um --make_options LLVM=1 \
			--make_options "CC=ccache clang" --jobs="$JOBS" --timeout=900) > "$log" 2>&1; then
		record PASS clang-uml-kunit - "$(grep -m1 'Testing complete' "$log" | sed 's/^\[[^]]*\] //')"
	else
		record FAIL clang-uml-kunit "$(pgit -C "$MSI_DYN_TREE" log -1 --format=%s "$SERIES_NAME")" \
			"$(grep -m1 -E 'error:|FAILED|Error' "$log")"
	fi

	# defconfig with the x86_64 KUnit options, configured by make_config()
	local TOOLCHAIN=(LLVM=1 "CC=ccache clang")
	local ARCH=x86_64 BASECONFIG=defconfig FRAGMENT=kernel-config/kunit/x86_64.kunitconfig
	o=$BUILD/clang-x86_64
	log=$LOGS/clang/x86_64.log
	local d err targets=()
	for d in $TOUCHED_DIRS drivers/pci/msi arch/x86/kernel/apic; do
		[ -d "$WT/$d" ] && targets+=("${d%/}/")
	done
	if ! err=$(make_config clang-x86_64 2>&1); then
		record FAIL clang-x86_64 - "configuration: $err"
	elif (cd "$WT" && make O="$o" ARCH=x86_64 "${TOOLCHAIN[@]}" -j"$JOBS" prepare \
			"${targets[@]}") > "$log" 2>&1; then
		record PASS clang-x86_64 - "${targets[*]}"
	else
		record FAIL clang-x86_64 "$(pgit -C "$MSI_DYN_TREE" log -1 --format=%s "$SERIES_NAME")" \
			"$(grep -m1 -E 'error:|Error' "$log")"
	fi
}

check_clang() {
	local text
	prepare_build_tree
	collect_touched
	text=$(key_tree "$SERIES_NAME"
		key_files kernel-config/kunit/uml.kunitconfig kernel-config/kunit/x86_64.kunitconfig \
			scripts/lib/checks/clang.sh scripts/lib/kbuild.sh
		echo "touched dirs: $(echo $TOUCHED_DIRS)"
		tool_version clang; tool_version python3)
	run_unit clang "$text" - clang_builds
}
