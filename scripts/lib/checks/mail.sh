# SPDX-License-Identifier: GPL-2.0
# Check "mail" of scripts/validate: scripts/check-mail, one record per line
# it prints (cover letter and routing regenerate byte for byte, the mbox
# applies with b4 am and git am to the tree's head).  It runs before the
# summary is written, so the cover letter is checked against the committed
# test-results/summary.json it was generated from.  Not cached: it reads
# the repository's own files, and takes under a minute.

check_mail() {
	script_checks mail mail- bash "$MSI_DYN_REPO/scripts/check-mail"
}
