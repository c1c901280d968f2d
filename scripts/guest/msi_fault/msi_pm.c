// SPDX-License-Identifier: GPL-2.0
/*
 * msi_pm: the first half of the suspend and resume test of
 * scripts/reliability.  Its KUnit suite, run at load, gives QEMU's
 * e1000e (bound to msi_fault_drv.ko) MSI-X with entry 0, a dynamic
 * vector at entry 1, and an auxiliary child with two vectors of its own
 * in the entries the parent provides, requests all four, checks that
 * each delivers, and records where each lives and its message.  The
 * module stays loaded: the init program then suspends and resumes the
 * machine in the PM core's test mode (pm_test "platform", where the PCI
 * core saves and restores the device), while the e1000e's driver wipes
 * the table in its suspend_noirq() as hardware losing power would, and
 * msi_pm_check.ko checks the vectors after the resume.  Unloading gives
 * everything back; msi_pm_check's last case does that and compares the
 * state with what it was before.
 */
#include <kunit/test.h>
#include <linux/auxiliary_bus.h>
#include <linux/interrupt.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/pci.h>

#include "msi_pm.h"

struct pm_hold_state pm_held;
EXPORT_SYMBOL_GPL(pm_held);

/* Entries 0 and 1 the parent's, 2 and up for the child */
#define PM_OWN		2
#define PM_CHILD_SIZE	2

static struct fault_child pm_child;
#define pm_adev		(pm_child.adev)
static bool pm_adev_added;

static u32 nic_masked(void)
{
	unsigned int i;
	u32 m = 0;

	for (i = 0; i < pci_msix_vec_count(fault_nic); i++)
		if (entry_masked(i))
			m |= BIT(i);
	return m;
}

/* Request @pv and find the entry the request unmasked */
static void pm_request(struct kunit *test, struct pm_vec *pv)
{
	void __iomem *e;
	u32 before = nic_masked(), now;

	init_completion(&pv->v.done);
	KUNIT_ASSERT_EQ(test, request_irq(pv->v.map.virq, nic_handler, 0, "msi_pm", &pv->v), 0);
	pm_held.nvecs++;
	now = nic_masked();
	KUNIT_ASSERT_EQ_MSG(test, hweight32(before & ~now), 1,
			    "masked before %#x, after %#x", before, now);
	pv->entry = __ffs(before & ~now);
	if (!pv->child)
		KUNIT_EXPECT_EQ(test, pv->entry, pv->v.map.index);
	e = fault_nic_table + pv->entry * PCI_MSIX_ENTRY_SIZE;
	pv->addr_lo = readl(e + PCI_MSIX_ENTRY_LOWER_ADDR);
	pv->addr_hi = readl(e + PCI_MSIX_ENTRY_UPPER_ADDR);
	pv->data = readl(e + PCI_MSIX_ENTRY_DATA);
	nic_route(pv->entry);
	KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&pv->v, IRQ_WAIT),
			      "nothing arrived on entry %u before the suspend", pv->entry);
}

void pm_release(void)
{
	struct pm_vec *pv;

	if (!fault_nic)
		return;
	writel(~0U, fault_nic_regs + E1000_IMC);
	while (pm_held.nvecs) {
		pv = &pm_held.vec[--pm_held.nvecs];
		free_irq(pv->v.map.virq, &pv->v);
		if (pv->child)
			auxiliary_device_msi_free_irq(&pm_adev, pv->v.map);
		else if (pv->v.map.index)
			pci_msix_free_irq(fault_nic, pv->v.map);
	}
	if (pm_adev_added) {
		fault_child_remove(&pm_child);
		pm_adev_added = false;
	}
	pci_free_irq_vectors(fault_nic);
	pm_held.held = false;
	fault_nic_release = NULL;
}
EXPORT_SYMBOL_GPL(pm_release);

static void pm_hold(struct kunit *test)
{
	struct pm_vec *pv = pm_held.vec;
	unsigned int i;
	int ret;

	if (!fault_nic)
		kunit_skip(test, "no QEMU e1000e bound to msi_fault_drv");
	take_state_of(&pm_held.before, fault_nic, fault_nic_table, pci_msix_vec_count(fault_nic),
		      NULL);
	KUNIT_ASSERT_EQ(test, pci_alloc_irq_vectors(fault_nic, 1, 1, PCI_IRQ_MSIX), 1);
	if (!pci_msix_can_alloc_dyn(fault_nic)) {
		pci_free_irq_vectors(fault_nic);
		kunit_skip(test, "no dynamic MSI-X on this interrupt domain");
	}
	KUNIT_ASSERT_EQ(test, pci_msix_provide_aux_parent(fault_nic, PM_OWN), 0);

	pv[0].v.map = (struct msi_map){ .index = 0, .virq = pci_irq_vector(fault_nic, 0) };
	pm_request(test, &pv[0]);
	pv[1].v.map = pci_msix_alloc_irq_at(fault_nic, MSI_ANY_INDEX, NULL);
	KUNIT_ASSERT_EQ(test, pv[1].v.map.index, 1);
	pm_request(test, &pv[1]);

	ret = fault_child_add(&pm_child, &fault_nic->dev, "pm", KBUILD_MODNAME);
	KUNIT_ASSERT_EQ(test, ret, 0);
	pm_adev_added = true;
	KUNIT_ASSERT_TRUE(test, !!pm_adev.dev.driver);
	KUNIT_ASSERT_EQ(test, auxiliary_device_create_msi_domain(&pm_adev, PM_CHILD_SIZE), 0);
	for (i = 2; i < PM_VECS; i++) {
		pv[i].child = true;
		pv[i].v.map = auxiliary_device_msi_alloc_irq_at(&pm_adev, MSI_ANY_INDEX, NULL);
		KUNIT_ASSERT_GE(test, pv[i].v.map.index, 0);
		pm_request(test, &pv[i]);
		KUNIT_EXPECT_GE(test, pv[i].entry, PM_OWN);
	}
	for (i = 0; i < PM_VECS; i++)
		kunit_info(test, "msi_pm: vector %u (%s index %d) irq %d in entry %u\n", i,
			   pv[i].child ? "child" : "parent", pv[i].v.map.index, pv[i].v.map.virq,
			   pv[i].entry);
	pm_held.held = true;
	fault_nic_release = pm_release;
}

static void pm_hold_exit(struct kunit *test)
{
	/* What a failed pm_hold left, so that the machine suspends clean */
	if (!pm_held.held)
		pm_release();
}

static struct kunit_case pm_hold_cases[] = {
	KUNIT_CASE(pm_hold),
	{ }
};

static int pm_suite_init(struct kunit_suite *suite)
{
	return fault_buf_get();
}

static struct kunit_suite pm_hold_suite = {
	.name = "msi_pm_hold",
	.suite_init = pm_suite_init,
	.exit = pm_hold_exit,
	.test_cases = pm_hold_cases,
};

kunit_test_suite(pm_hold_suite);

static void __exit pm_exit(void)
{
	if (pm_held.held)
		pm_release();
	fault_nic_release = NULL;
	fault_buf_put();
}
module_exit(pm_exit);

MODULE_DESCRIPTION("MSI-X vectors held across a suspend (scripts/reliability)");
MODULE_LICENSE("GPL");
