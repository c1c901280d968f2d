// SPDX-License-Identifier: GPL-2.0
/*
 * msi_pm_check: the second half of the suspend and resume test of
 * scripts/reliability, loaded after the resume (msi_pm.c says what came
 * before).  One behaviour per case: the suspend reached the e1000e's
 * suspend_noirq(), which wiped its MSI-X table; every held vector's entry
 * holds its message again and is unmasked; an interrupt raised on each
 * entry arrives at its handler, the auxiliary child's included; and once
 * everything is given back the state is what it was before msi_pm.
 */
#include <kunit/test.h>
#include <linux/module.h>

#include "msi_pm.h"

static void pm_held_or_skip(struct kunit *test)
{
	if (!fault_nic)
		kunit_skip(test, "no QEMU e1000e bound to msi_fault_drv");
	if (!pm_held.held)
		kunit_skip(test, "msi_pm holds nothing (its case failed or skipped)");
}

static void pm_table_wiped(struct kunit *test)
{
	pm_held_or_skip(test);
	KUNIT_EXPECT_GT_MSG(test, fault_nic_scribbled, 0U,
			    "the suspend did not reach the e1000e's suspend_noirq()");
}

static void pm_table_restored(struct kunit *test)
{
	struct pm_vec *pv;
	void __iomem *e;
	unsigned int i;

	pm_held_or_skip(test);
	for (i = 0; i < pm_held.nvecs; i++) {
		pv = &pm_held.vec[i];
		e = fault_nic_table + pv->entry * PCI_MSIX_ENTRY_SIZE;
		KUNIT_EXPECT_EQ_MSG(test, readl(e + PCI_MSIX_ENTRY_LOWER_ADDR), pv->addr_lo,
				    "entry %u", pv->entry);
		KUNIT_EXPECT_EQ_MSG(test, readl(e + PCI_MSIX_ENTRY_UPPER_ADDR), pv->addr_hi,
				    "entry %u", pv->entry);
		KUNIT_EXPECT_EQ_MSG(test, readl(e + PCI_MSIX_ENTRY_DATA), pv->data,
				    "entry %u", pv->entry);
		KUNIT_EXPECT_FALSE_MSG(test, entry_masked(pv->entry), "entry %u", pv->entry);
	}
}

static void pm_delivered(struct kunit *test)
{
	struct pm_vec *pv;
	unsigned int i;

	pm_held_or_skip(test);
	KUNIT_EXPECT_EQ(test, pm_held.nvecs, PM_VECS);
	for (i = 0; i < pm_held.nvecs; i++) {
		pv = &pm_held.vec[i];
		nic_route(pv->entry);
		KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&pv->v, IRQ_WAIT),
				      "nothing arrived on entry %u (%s vector) after the resume",
				      pv->entry, pv->child ? "the child's" : "the parent's");
	}
}

static void pm_given_back(struct kunit *test)
{
	struct fault_state after;

	pm_held_or_skip(test);
	pm_release();
	take_state_of(&after, fault_nic, fault_nic_table, pci_msix_vec_count(fault_nic), NULL);
	expect_state(test, 0, &pm_held.before, &after);
}

static struct kunit_case pm_check_cases[] = {
	KUNIT_CASE(pm_table_wiped),
	KUNIT_CASE(pm_table_restored),
	KUNIT_CASE(pm_delivered),
	KUNIT_CASE(pm_given_back),
	{ }
};

static int pm_check_init(struct kunit_suite *suite)
{
	return fault_buf_get();
}

static void pm_check_exit(struct kunit_suite *suite)
{
	fault_buf_put();
}

static struct kunit_suite pm_check_suite = {
	.name = "msi_pm_check",
	.suite_init = pm_check_init,
	.suite_exit = pm_check_exit,
	.test_cases = pm_check_cases,
};

kunit_test_suite(pm_check_suite);

MODULE_DESCRIPTION("MSI-X vectors after a suspend and resume (scripts/reliability)");
MODULE_LICENSE("GPL");
