# SPDX-License-Identifier: GPL-2.0
# Kernel builds of scripts/validate: the worktree the checks build in, the
# configurations of kernel-config/matrix/ and what the series touches.
# Sourced after lib.sh and record.sh; not meant to be run.

BUILD=$MSI_DYN_CACHE/build
WT=$WORK/build-tree
JOBS=${MSI_DYN_JOBS:-$(nproc)}
CC_WRAP="ccache gcc"
# The compiler make_config() configures for; check_clang() switches it
TOOLCHAIN=(CC="$CC_WRAP")
# The commit checked out in $WT, if known
WT_AT=""

prepare_build_tree() {
	if [ ! -e "$WT/.git" ]; then
		pgit -C "$MSI_DYN_TREE" worktree prune
		rm -rf "$WT"
		pgit -C "$MSI_DYN_TREE" worktree add -q --detach "$WT" "$BASE_TAG"
	fi
}

checkout_build_tree() {
	local c
	c=$(pgit -C "$MSI_DYN_TREE" rev-parse "$1^{commit}")
	[ "$WT_AT" = "$c" ] && return 0
	pgit -C "$WT" checkout -q -f --detach "$c" && pgit -C "$WT" clean -q -fdx && WT_AT=$c
}

# Is CONFIG_<sym> defined by some Kconfig file of the checked-out tree?
kconfig_defined() {
	pgit -C "$WT" grep -qE "^[[:space:]]*(menu)?config $1\$" -- '*Kconfig*'
}

# filter_config IN OUT: drop options the tree does not define (yet)
filter_config() {
	local line sym
	: > "$2"
	while IFS= read -r line; do
		sym=$(echo "$line" | sed -nE 's/^(# )?CONFIG_([A-Za-z0-9_]+)[= ].*/\2/p')
		if [ -n "$sym" ] && ! kconfig_defined "$sym"; then
			continue
		fi
		echo "$line" >> "$2"
	done < "$1"
}

# make_config NAME: (re)generate .config of a KIND=full/dirs entry and
# check that the fragment was honoured
make_config() {
	local name=$1 o=$BUILD/$1 frag line
	mkdir -p "$o"
	frag=$o/fragment.config
	filter_config "$MSI_DYN_REPO/$FRAGMENT" "$frag"
	(cd "$WT" && make -s O="$o" ARCH="$ARCH" "${TOOLCHAIN[@]}" "$BASECONFIG" >/dev/null &&
		scripts/kconfig/merge_config.sh -m -O "$o" "$o/.config" "$frag" >/dev/null &&
		make -s O="$o" ARCH="$ARCH" "${TOOLCHAIN[@]}" olddefconfig >/dev/null) || return 1
	while IFS= read -r line; do
		if [[ $line =~ ^CONFIG_([A-Za-z0-9_]+)=(.*)$ ]]; then
			grep -qx "CONFIG_${BASH_REMATCH[1]}=${BASH_REMATCH[2]}" "$o/.config" ||
				{ echo "CONFIG_${BASH_REMATCH[1]} is not ${BASH_REMATCH[2]}"; return 1; }
		elif [[ $line =~ ^#\ CONFIG_([A-Za-z0-9_]+)\ is\ not\ set ]]; then
			grep -q "^CONFIG_${BASH_REMATCH[1]}=" "$o/.config" &&
				{ echo "CONFIG_${BASH_REMATCH[1]} is set"; return 1; }
		fi
	done < "$frag"
	return 0
}

load_matrix_entry() {
	KIND="" ARCH="" KUNITCONFIG="" BASECONFIG="" FRAGMENT="" EXTRA="" EXTRA_DIRS=""
	QEMU_SETUPS="" QEMU_SETUPS_NEED="" NOSKIP="" KERNEL_ARGS=""
	# shellcheck disable=SC1090
	. "$1"
}

# The configurations of kernel-config/matrix/, in order
MATRIX=()
load_matrix() {
	local f
	MATRIX=()
	for f in "$MSI_DYN_REPO"/kernel-config/matrix/*.conf; do
		MATRIX+=("$(basename "$f" .conf)")
	done
}

# What the whole series touches: .c files outside scripts/, tools/ and
# samples/, the .c and .h files kernel-doc reads, and their directories
TOUCHED_DIRS=""
TOUCHED_C=""
TOUCHED_DOC=""

collect_touched() {
	local files
	files=$(pgit -C "$MSI_DYN_TREE" diff --name-only --diff-filter=AM "$BASE_TAG" "$SERIES_NAME")
	TOUCHED_C=$(echo "$files" | grep -E '\.c$' | grep -vE '^(scripts|tools|samples)/' || true)
	TOUCHED_DOC=$(echo "$files" | grep -E '\.[ch]$' | grep -vE '^(scripts|tools)/' || true)
	TOUCHED_DIRS=$(echo "$TOUCHED_C" | xargs -r -n1 dirname | sort -u)
}
