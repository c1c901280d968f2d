# SPDX-License-Identifier: GPL-2.0
# Check "arm64" of scripts/validate: the KUnit suites of the series on
# arm64, cross-built with Debian's gcc-aarch64-linux-gnu and run by
# kunit.py under qemu-system-aarch64 (TCG) on the virt machine with a
# GICv3 and its ITS (kernel-config/kunit/arm64-its.args), with the e1000e and NVMe
# of kernel-config/kunit/qemu-devices.args for the PCI/MSI-X, auxiliary
# and ITS suites.  Judged like the KUnit configurations of the bisect
# check (kunit_check of bisect.sh): every test passes, no splat, the
# setup's .expect lines, and no skipped test once the PCI tests build on
# arm64.
#
# One unit of the result cache per prefix, keyed by the prefix's tree, the
# arm64 configuration files, this file and bisect.sh, the cross compiler,
# qemu-system-aarch64 and Python; a prefix whose patch changes no file
# the previous prefix's build read inherits its verdict, as in bisect.
#
# Not a configuration of kernel-config/matrix/ (yet): bisect.sh builds
# those with the host compiler, and teaching it to cross-compile changes
# bisect.sh, which keys every one of the x86 and UML units (some two
# hours of builds on two cores to refill).  Until a harness change
# rebuilds those anyway, arm64 is a check of its own, from prefix
# ARM64_FIRST (the last patch before the arm64 section, which shows the
# suites as 6.1 plus the generic series runs them there) to the head.

ARM64_FIRST=26
ARM64_CROSS=aarch64-linux-gnu-
ARM64_NAME=arm64-kunit
ARM64_SETUP=its
# The machine: not in kernel-config/qemu/, whose *.args key the x86 boots
ARM64_SETUP_ARGS=kernel-config/kunit/arm64-its.args
ARM64_KUNITCONFIG=kernel-config/kunit/arm64.kunitconfig
ARM64_QEMU_CONFIG=kernel-config/kunit/arm64-qemu.py
ARM64_DEVICES=0000:00:10.0,0000:00:11.0
ARM64_KERNEL_ARGS="msix_kunit.devices=$ARM64_DEVICES irq_gic_v3_its.kunit_devices=$ARM64_DEVICES"

arm64_keytext() {
	key_tree "$1"
	key_files "$ARM64_KUNITCONFIG" "$ARM64_QEMU_CONFIG" kernel-config/kunit/qemu-devices.args \
		"$ARM64_SETUP_ARGS" "kernel-config/qemu/$ARM64_SETUP.expect" \
		scripts/lib/checks/arm64.sh scripts/lib/checks/bisect.sh scripts/lib/kbuild.sh
	echo "tool ${ARM64_CROSS}gcc: $("${ARM64_CROSS}gcc" --version 2>/dev/null | head -n 1)"
	echo "tool qemu-system-aarch64: $(qemu-system-aarch64 --version 2>/dev/null | head -n 1)"
	tool_version python3
}

# arm64_kunitconfig OUT: the arm64 .kunitconfig for the checked-out tree:
# options the tree does not define dropped, and the PCI/MSI-X tests until
# their Kconfig entry lets them build on arm64 (the ITS opt-in section)
arm64_kunitconfig() {
	filter_config "$MSI_DYN_REPO/$ARM64_KUNITCONFIG" "$1.tmp"
	if ! grep -A3 '^config PCI_MSIX_KUNIT_TEST$' "$WT/drivers/pci/Kconfig" 2>/dev/null |
			grep -q 'ARM_GIC_V3_ITS_PCI'; then
		grep -v '^CONFIG_PCI_MSIX_KUNIT_TEST=' "$1.tmp" > "$1"
	else
		cp "$1.tmp" "$1"
	fi
	rm -f "$1.tmp"
}

# arm64_run K DEPS: build and run the arm64 KUnit kernel at prefix K, then
# write the files its build read to DEPS
arm64_run() {
	local k=$1 deps=$2 name=$ARM64_NAME o=$BUILD/$ARM64_NAME patch kc log krc rc
	local label=$ARM64_NAME@$ARM64_SETUP NOSKIP="" CHECK_EXPECT=""
	patch=$(patch_name "$k")
	mkdir -p "$o" "$LOGS/kunit"
	kc=$o/filtered.kunitconfig
	arm64_kunitconfig "$kc"
	# Once the PCI tests build here, every test must run
	if grep -qx 'CONFIG_PCI_MSIX_KUNIT_TEST=y' "$kc"; then
		NOSKIP=1
		CHECK_EXPECT=1
	fi
	log=$LOGS/kunit/$label-$(printf '%04d' "$k").log
	rm -f "$o/results.json" "$o/test.log" "$deps"
	(cd "$WT" && python3 tools/testing/kunit/kunit.py run --kunitconfig="$kc" \
		--build_dir="$o" --arch=arm64 --cross_compile="$ARM64_CROSS" \
		--qemu_config="$MSI_DYN_REPO/$ARM64_QEMU_CONFIG" \
		--make_options "CC=ccache ${ARM64_CROSS}gcc" --jobs="$JOBS" \
		--kernel_args="$ARM64_KERNEL_ARGS" --timeout=900 --json="$o/results.json" \
		--qemu_args="$(cat "$MSI_DYN_REPO/$ARM64_SETUP_ARGS" \
			"$MSI_DYN_REPO/kernel-config/kunit/qemu-devices.args" | tr '\n' ' ')") > "$log" 2>&1
	krc=$?
	if ! grep -q 'Starting KUnit Kernel' "$log"; then
		record FAIL "build-$name" "$patch" "$(grep -m1 -E 'error:|Error|ERROR' "$log")"
		return 1
	fi
	record PASS "build-$name" "$patch" "kunit kernel (arm64, ${ARM64_CROSS}gcc)"
	kunit_check "$name" "$patch" "$label" "$log" "$krc"
	rc=$?
	[ $rc -eq 0 ] && python3 "$MSI_DYN_REPO/scripts/lib/kbuild-deps.py" list "$o" "$WT" > "$deps"
	return $rc
}

check_arm64() {
	local commits n k c prev text dir pdir patch hit rc=0 t0 ran=0 cached=0 inh=0
	mapfile -t commits < <(series_commits)
	n=${#commits[@]}
	prepare_build_tree
	pdir=""
	for ((k = ARM64_FIRST; k <= n; k++)); do
		c=${commits[k-1]}
		prev=${commits[k-2]:-$BASE_TAG}
		patch=$(patch_name "$k")
		t0=$(date +%s)
		text=$(arm64_keytext "$c")
		dir=$(unit_lookup "$ARM64_NAME" "$text")
		if cache_hit "$dir"; then
			replay "$dir" "$patch" "cached $(cut -d' ' -f1 "$dir/when")"
			pdir=$dir
			cached=$((cached + 1))
			continue
		fi
		if [ "$USE_CACHE" = 1 ] && [ -n "$pdir" ] && [ -f "$pdir/deps.txt" ]; then
			pgit -C "$MSI_DYN_TREE" diff --name-only "$prev" "$c" > "$WORK/changed.txt"
			if hit=$(python3 "$MSI_DYN_REPO/scripts/lib/kbuild-deps.py" matters \
					"$pdir/deps.txt" "$WORK/changed.txt"); then
				replay "$pdir" "$patch" "same as $(printf '%04d' $((k - 1))): changes no file its build reads"
				rm -rf "$dir.tmp.$$"
				cp -a "$pdir" "$dir.tmp.$$"
				unit_keytext "$ARM64_NAME" "$text" > "$dir.tmp.$$/key.txt"
				rm -rf "$dir"
				mv "$dir.tmp.$$" "$dir"
				pdir=$dir
				inh=$((inh + 1))
				continue
			fi
		fi
		checkout_build_tree "$c" || { record FAIL "build-$ARM64_NAME" "$patch" "checkout failed"; return 1; }
		if UNIT_DEPS=$WORK/deps-$ARM64_NAME.txt run_unit "$ARM64_NAME" "$text" "$patch" \
				arm64_run "$k" "$WORK/deps-$ARM64_NAME.txt"; then
			pdir=$dir
		else
			rc=1
			pdir=""
		fi
		ran=$((ran + 1))
		printf '%s\t%s\n' "arm64-$(printf '%04d' "$k")" $(($(date +%s) - t0)) >> "$DURATIONS"
	done
	record INFO arm64-units - "$((ran + cached + inh)) prefixes ($(printf '%04d' "$ARM64_FIRST") to the head): $ran built and run, $cached from the result cache, $inh the same as the prefix before"
	return $rc
}
