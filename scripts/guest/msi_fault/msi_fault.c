// SPDX-License-Identifier: GPL-2.0
/*
 * msi_fault: the fault injection sweep of scripts/reliability, as a KUnit
 * suite in a module which is loaded after boot, once debugfs has made
 * failslab and fail_page_alloc fail the GFP_KERNEL and order-0
 * allocations this code makes (6.1 exempts them by default, and those
 * knobs have no boot parameter).
 *
 * For each entry point, and for n = 1, 2, ...: make the n-th failable
 * allocation of the call fail (current->fail_nth) until the call
 * completes without reaching the n-th point.  At every n where the call
 * failed: a negative errno from the set the interface documents, a
 * struct msi_map with no interrupt in it, and the observable state back
 * to what it was before the call: the device's MSI descriptors, the
 * allocated Linux interrupts, the CPU vectors of the x86 vector matrix,
 * the present Intel remapping entries, the MSI-X table entries (all
 * masked) and whether MSI-X is enabled; then the same call without a
 * fault succeeds.  Memory is kmemleak's, read by the init program after
 * the suite.  Each entry point is one case, which reports its fault
 * points ("msi_fault: <case> points=P failed=F absorbed=A", absorbed:
 * the fault was injected and the call still succeeded, as callers of
 * kobject_add() in the sysfs code and the xarray's retry do), and what
 * happened at each n ("msi_fault: <case> map=...", the n-th character: F
 * the call failed, . it absorbed the fault), so that each point can be
 * counted and compared with another sweep of the same call.
 *
 * The device is QEMU's nvme controller (1b36:0010), bound to
 * msi_fault_drv.ko, loaded first, only through driver_override (the init
 * program sets it): nothing else is ever touched.  Cases that need the series' interfaces skip on a
 * kernel without them; the unpatched base runs the static MSI-X
 * allocation, its reference.
 */
#include <kunit/test.h>
#include <linux/auxiliary_bus.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/irqdomain.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/sched.h>
#include <linux/slab.h>

#include "fault_state.h"
#include "msi_fault.h"

#ifndef CONFIG_FAULT_INJECTION
#error "msi_fault needs CONFIG_FAULT_INJECTION (current->fail_nth)"
#endif

/* Far more than any entry point has; reaching it fails the case */
#define MAX_POINTS	400


#ifdef HAVE_MSIX_DYN
static struct fault_child fault_child;
#define fault_adev	(fault_child.adev)
static bool fault_adev_added;
#endif

static void take_state(struct fault_state *s)
{
	struct device *aux = NULL;

#ifdef HAVE_MSIX_DYN
	if (fault_adev_added)
		aux = &fault_adev.dev;
#endif
	take_state_of(s, fault_pdev, fault_table, fault_tsize, aux);
}

/*
 * An entry point under test: call() makes the call, 0 or a negative errno,
 * and undo() takes back a call that succeeded.  errnos: what a failed
 * allocation may give, 0-terminated.
 */
struct fault_op {
	const char *name;
	int (*call)(struct kunit *test);
	void (*undo)(struct kunit *test);
	const int *errnos;
};

/* An allocation failing below the vector domain reads as no vector */
static const int enomem_enospc[] = { -ENOMEM, -ENOSPC, 0 };

static bool errno_allowed(const struct fault_op *op, int ret)
{
	const int *e;

	for (e = op->errnos; *e; e++)
		if (*e == ret)
			return true;
	return false;
}

static void sweep(struct kunit *test, const struct fault_op *op)
{
	unsigned int n, failed = 0, absorbed = 0, left;
	struct fault_state before, after;
	char *map;
	int ret;

	/* Allocated here, before any fault is armed */
	map = kunit_kzalloc(test, MAX_POINTS + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, map);
	for (n = 1; n <= MAX_POINTS; n++) {
		take_state(&before);
		current->fail_nth = n;
		ret = op->call(test);
		left = READ_ONCE(current->fail_nth);
		current->fail_nth = 0;
		if (!ret) {
			op->undo(test);
			take_state(&after);
			expect_state(test, n, &before, &after);
			/* The call never reached its n-th failable allocation */
			if (left)
				break;
			map[n - 1] = '.';
			absorbed++;
			continue;
		}
		map[n - 1] = 'F';
		failed++;
		KUNIT_EXPECT_EQ_MSG(test, left, 0U, "n=%u: %d without a fault", n, ret);
		KUNIT_EXPECT_TRUE_MSG(test, errno_allowed(op, ret), "n=%u: errno %d", n, ret);
		take_state(&after);
		expect_state(test, n, &before, &after);
		/* Nothing was lost: the same call without a fault succeeds */
		ret = op->call(test);
		KUNIT_EXPECT_EQ_MSG(test, ret, 0, "n=%u: the call after the fault", n);
		if (!ret)
			op->undo(test);
		take_state(&after);
		expect_state(test, n, &before, &after);
		if (test->status == KUNIT_FAILURE)
			break;
	}
	KUNIT_EXPECT_LE_MSG(test, n, MAX_POINTS, "no end within MAX_POINTS");
	KUNIT_EXPECT_GT_MSG(test, failed, 0U, "no fault point found");
	kunit_info(test, "msi_fault: %s points=%u failed=%u absorbed=%u\n", op->name, n - 1,
		   failed, absorbed);
	kunit_info(test, "msi_fault: %s map=%s\n", op->name, map);
}

/*
 * The sweep compares what it can read: a view that cannot be read would
 * compare equal at every fault point, so say so first.  The vector
 * matrix on every x86 setup, the remapping table where VT-d remaps.
 */
static void state_is_readable(struct kunit *test)
{
	long alloc, reserved, managed;
	ssize_t ir;

	KUNIT_EXPECT_TRUE(test, read_matrix(&alloc, &reserved, &managed));
	KUNIT_EXPECT_GT(test, alloc, 0L);
	ir = read_debugfs("/sys/kernel/debug/iommu/intel/ir_translation_struct");
	if (ir == -ENOENT)
		return;
	KUNIT_EXPECT_GT(test, ir, 0L);
	KUNIT_EXPECT_GT(test, irtes_present(), 0L);
}

/* Static MSI-X enable (both kernels): pci_alloc_irq_vectors() of 4 */
static int enable_call(struct kunit *test)
{
	int ret = pci_alloc_irq_vectors(fault_pdev, 4, 4, PCI_IRQ_MSIX);

	return ret < 0 ? ret : 0;
}

static void enable_undo(struct kunit *test)
{
	pci_free_irq_vectors(fault_pdev);
}

static void msix_enable_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "pci_alloc_irq_vectors", .call = enable_call, .undo = enable_undo,
		.errnos = enomem_enospc,
	};

	sweep(test, &op);
}

#ifdef HAVE_MSIX_DYN
static const int enomem_only[] = { -ENOMEM, 0 };
static struct msi_map fault_map;

/* A map from a failed call holds its error and no interrupt */
static int map_result(struct kunit *test, struct msi_map map)
{
	if (map.index < 0) {
		KUNIT_EXPECT_EQ_MSG(test, map.virq, 0, "a failed allocation with irq %d", map.virq);
		return map.index;
	}
	KUNIT_EXPECT_GT(test, map.virq, 0);
	fault_map = map;
	return 0;
}

static int alloc_at_call(struct kunit *test)
{
	return map_result(test, pci_msix_alloc_irq_at(fault_pdev, MSI_ANY_INDEX, NULL));
}

static int alloc_at_managed_call(struct kunit *test)
{
	struct irq_affinity_desc aff = { .is_managed = 1 };

	cpumask_copy(&aff.mask, cpumask_of(cpumask_last(cpu_online_mask)));
	return map_result(test, pci_msix_alloc_irq_at(fault_pdev, 7, &aff));
}

static void alloc_at_undo(struct kunit *test)
{
	pci_msix_free_irq(fault_pdev, fault_map);
}

static int range_call(struct kunit *test)
{
	return msi_domain_alloc_irqs_range(&fault_pdev->dev, MSI_DEFAULT_DOMAIN, 2, 5);
}

/*
 * msi_domain_free_irqs_range() is not exported: a range is given back one
 * vector at a time, as its drivers would
 */
static void range_undo(struct kunit *test)
{
	struct msi_map map;
	unsigned int i;

	for (i = 2; i <= 5; i++) {
		map.index = i;
		map.virq = msi_get_virq(&fault_pdev->dev, i);
		KUNIT_EXPECT_GT(test, map.virq, 0);
		if (map.virq > 0)
			pci_msix_free_irq(fault_pdev, map);
	}
}

/* The dynamic cases start from MSI-X enabled with one vector */
static bool dyn_enable(struct kunit *test)
{
	if (pci_alloc_irq_vectors(fault_pdev, 1, 1, PCI_IRQ_MSIX) != 1) {
		KUNIT_FAIL(test, "enabling MSI-X with one vector");
		return false;
	}
	if (!pci_msix_can_alloc_dyn(fault_pdev)) {
		pci_free_irq_vectors(fault_pdev);
		kunit_skip(test, "no dynamic MSI-X on this interrupt domain");
	}
	return true;
}

static void alloc_at_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "pci_msix_alloc_irq_at", .call = alloc_at_call, .undo = alloc_at_undo,
		.errnos = enomem_enospc,
	};

	if (!dyn_enable(test))
		return;
	sweep(test, &op);
	pci_free_irq_vectors(fault_pdev);
}

static void alloc_at_managed_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "pci_msix_alloc_irq_at(managed)", .call = alloc_at_managed_call,
		.undo = alloc_at_undo, .errnos = enomem_enospc,
	};

	if (!dyn_enable(test))
		return;
	sweep(test, &op);
	pci_free_irq_vectors(fault_pdev);
}

static void range_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "msi_domain_alloc_irqs_range", .call = range_call, .undo = range_undo,
		.errnos = enomem_enospc,
	};

	if (!dyn_enable(test))
		return;
	sweep(test, &op);
	pci_free_irq_vectors(fault_pdev);
}

/* The auxiliary helper: the parent's entries, the child's domain, its vectors */
static int provide_call(struct kunit *test)
{
	return pci_msix_provide_aux_parent(fault_pdev, 1);
}

/* The parent goes with the binding of the PCI driver: unbind and bind again */

static void rebind_pci(struct kunit *test)
{
	pci_free_irq_vectors(fault_pdev);
	device_release_driver(&fault_pdev->dev);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&fault_driver.driver, &fault_pdev->dev), 0);
	KUNIT_ASSERT_EQ(test, pci_alloc_irq_vectors(fault_pdev, 1, 1, PCI_IRQ_MSIX), 1);
}

static void provide_undo(struct kunit *test)
{
	rebind_pci(test);
}

static void aux_provide_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "pci_msix_provide_aux_parent", .call = provide_call,
		.undo = provide_undo, .errnos = enomem_only,
	};

	if (!dyn_enable(test))
		return;
	sweep(test, &op);
	pci_free_irq_vectors(fault_pdev);
}

static int create_call(struct kunit *test)
{
	return auxiliary_device_create_msi_domain(&fault_adev, 16);
}

/* The domain goes with the binding of the child's driver */
static void create_undo(struct kunit *test)
{
	device_release_driver(&fault_adev.dev);
	KUNIT_EXPECT_EQ(test, device_driver_attach(&fault_adrv.driver, &fault_adev.dev), 0);
}

static int aux_alloc_call(struct kunit *test)
{
	return map_result(test, auxiliary_device_msi_alloc_irq_at(&fault_adev, MSI_ANY_INDEX,
								    NULL));
}

static void aux_alloc_undo(struct kunit *test)
{
	auxiliary_device_msi_free_irq(&fault_adev, fault_map);
}

static int aux_range_call(struct kunit *test)
{
	return msi_domain_alloc_irqs_range(&fault_adev.dev, MSI_DEFAULT_DOMAIN, 3, 6);
}

static void aux_range_undo(struct kunit *test)
{
	struct msi_map map;
	unsigned int i;

	for (i = 3; i <= 6; i++) {
		map.index = i;
		map.virq = msi_get_virq(&fault_adev.dev, i);
		KUNIT_EXPECT_GT(test, map.virq, 0);
		if (map.virq > 0)
			auxiliary_device_msi_free_irq(&fault_adev, map);
	}
}

/* The parent provides its entries and the child device is bound */
static bool aux_setup(struct kunit *test)
{
	int ret;

	if (!dyn_enable(test))
		return false;
	ret = pci_msix_provide_aux_parent(fault_pdev, 1);
	if (ret == -EOPNOTSUPP) {
		pci_free_irq_vectors(fault_pdev);
		kunit_skip(test, "this interrupt domain cannot back auxiliary devices");
	}
	KUNIT_ASSERT_EQ(test, ret, 0);
	if (!fault_adev_added) {
		ret = fault_child_add(&fault_child, &fault_pdev->dev, "fault", KBUILD_MODNAME);
		KUNIT_ASSERT_EQ(test, ret, 0);
		fault_adev_added = true;
	}
	KUNIT_ASSERT_TRUE(test, !!fault_adev.dev.driver);
	return true;
}

static void aux_teardown(struct kunit *test)
{
	/* Unbinding the child drops its domain; the parent goes with MSI-X */
	device_release_driver(&fault_adev.dev);
	KUNIT_EXPECT_EQ(test, device_driver_attach(&fault_adrv.driver, &fault_adev.dev), 0);
	pci_free_irq_vectors(fault_pdev);
}

static void aux_create_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "auxiliary_device_create_msi_domain", .call = create_call,
		.undo = create_undo, .errnos = enomem_only,
	};

	if (!aux_setup(test))
		return;
	sweep(test, &op);
	aux_teardown(test);
}

static void aux_alloc_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "auxiliary_device_msi_alloc_irq_at", .call = aux_alloc_call,
		.undo = aux_alloc_undo, .errnos = enomem_enospc,
	};

	if (!aux_setup(test))
		return;
	KUNIT_ASSERT_EQ(test, auxiliary_device_create_msi_domain(&fault_adev, 16), 0);
	sweep(test, &op);
	aux_teardown(test);
}

static void aux_range_sweep(struct kunit *test)
{
	static const struct fault_op op = {
		.name = "msi_domain_alloc_irqs_range(auxiliary)", .call = aux_range_call,
		.undo = aux_range_undo, .errnos = enomem_enospc,
	};

	if (!aux_setup(test))
		return;
	KUNIT_ASSERT_EQ(test, auxiliary_device_create_msi_domain(&fault_adev, 16), 0);
	sweep(test, &op);
	aux_teardown(test);
}

/*
 * Bad input, tabled: each invalid call with the errno its kernel-doc
 * documents, or its documented WARN_ON_ONCE() (announced first, so that
 * scripts/reliability tells it from a report of its own), and nothing
 * lost: the state is the same after the call as before it.  One line per
 * call: "msi_fault: bad <n> | <call> | <expected> | <result>".
 */
static unsigned int bad_count;
static struct fault_state bad_before;

static void bad_begin(struct kunit *test, const char *warn_in)
{
	if (warn_in)
		kunit_info(test, "msi_fault: expect-warn %s\n", warn_in);
	take_state(&bad_before);
}

static void bad_end(struct kunit *test, const char *call, const char *want_s, int want, int got)
{
	struct fault_state after;

	take_state(&after);
	bad_count++;
	expect_state(test, bad_count, &bad_before, &after);
	kunit_info(test, "msi_fault: bad %u | %s | %s | %d\n", bad_count, call, want_s, got);
	KUNIT_EXPECT_EQ_MSG(test, got, want, "%s", call);
}

#define BAD(test, call, want, warn_in)						\
	do {									\
		struct kunit *__test = (test);					\
		const char *__warn = (warn_in);					\
		int __got;							\
		bad_begin(__test, __warn);					\
		__got = (call);							\
		bad_end(__test, #call, __warn ? #want ", WARN" : #want, want, __got); \
	} while (0)

/* A void call: its result is that nothing changed */
#define BAD_VOID(test, call, warn_in)						\
	do {									\
		struct kunit *__test = (test);					\
		const char *__warn = (warn_in);					\
		bad_begin(__test, __warn);					\
		call;								\
		bad_end(__test, #call, __warn ? "no effect, WARN" : "no effect", 0, 0); \
	} while (0)

static int map_err(struct msi_map map)
{
	if (map.index >= 0)
		return map.index;	/* a success where a failure was due */
	return map.virq ? -EFAULT : map.index;	/* a half-filled map */
}

/* An auxiliary device with no parent (NULL), never registered */
static struct auxiliary_device bad_orphan;

static irqreturn_t bad_handler(int irq, void *data)
{
	return IRQ_NONE;
}

static void bad_input_table(struct kunit *test)
{
	struct pci_dev *pdev = fault_pdev;
	struct msi_map m3, m4, full[80], map;
	unsigned int t, i, nfull = 0;

	if (!dyn_enable(test))
		return;
	t = fault_tsize;
	KUNIT_ASSERT_LE(test, t, ARRAY_SIZE(full));

	/* pci_msix_alloc_irq_at() */
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, t, NULL)), -ERANGE, NULL);
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, t + 100, NULL)), -ERANGE, NULL);
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX - 1, NULL)), -ERANGE, NULL);
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, 0, NULL)), -EBUSY, NULL);
	m3 = pci_msix_alloc_irq_at(pdev, 3, NULL);
	KUNIT_ASSERT_EQ(test, m3.index, 3);
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, 3, NULL)), -EBUSY, NULL);
	/* Fill the table, then ask for any index */
	for (i = 1; i < t; i++) {
		map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
		if (map.index < 0)
			break;
		full[nfull++] = map;
	}
	KUNIT_EXPECT_EQ(test, nfull, t - 2);
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL)), -EBUSY, NULL);
	while (nfull)
		pci_msix_free_irq(pdev, full[--nfull]);

	/* pci_msix_free_irq() */
	map = (struct msi_map){ .index = -EINVAL };
	BAD_VOID(test, pci_msix_free_irq(pdev, map), "pci_msix_free_irq");
	map = (struct msi_map){ .index = 5, .virq = 0 };
	BAD_VOID(test, pci_msix_free_irq(pdev, map), "pci_msix_free_irq");
	/* Never allocated: index 5 with the interrupt of index 3 */
	map = (struct msi_map){ .index = 5, .virq = m3.virq };
	BAD_VOID(test, pci_msix_free_irq(pdev, map), NULL);
	/* A stale interrupt: index 3 with another one's */
	m4 = pci_msix_alloc_irq_at(pdev, 4, NULL);
	KUNIT_ASSERT_EQ(test, m4.index, 4);
	map = (struct msi_map){ .index = 3, .virq = m4.virq };
	BAD_VOID(test, pci_msix_free_irq(pdev, map), "pci_msix_free_irq");
	/* Still requested */
	KUNIT_ASSERT_EQ(test, request_irq(m4.virq, bad_handler, 0, "msi_fault", test), 0);
	BAD_VOID(test, pci_msix_free_irq(pdev, m4), "pci_msix_free_irq");
	free_irq(m4.virq, test);
	pci_msix_free_irq(pdev, m4);
	/* Double free */
	BAD_VOID(test, pci_msix_free_irq(pdev, m4), NULL);

	/* The range interfaces */
	BAD(test, msi_domain_alloc_irqs_range(&pdev->dev, MSI_DEFAULT_DOMAIN, 6, 5), -EINVAL,
	    "msi_domain_alloc_irqs_range_locked");
	BAD(test, msi_domain_alloc_irqs_range(&pdev->dev, MSI_DEFAULT_DOMAIN, 5, t), -EINVAL,
	    "msi_domain_alloc_irqs_range_locked");
	BAD(test, msi_domain_alloc_irqs_range(&pdev->dev, MSI_DEFAULT_DOMAIN, 2, 4), -EBUSY, NULL);
	BAD(test, msi_domain_alloc_irqs_range(&pdev->dev, MSI_MAX_DEVICE_IRQDOMAINS, 5, 6), -ENODEV,
	    "msi_get_device_domain");
	pci_msix_free_irq(pdev, m3);

	/* The auxiliary helper, before the parent provides entries */
	BAD(test, pci_msix_provide_aux_parent(pdev, t), -EINVAL, NULL);
	BAD(test, pci_msix_provide_aux_parent(pdev, t + 1), -EINVAL, NULL);
	pci_free_irq_vectors(pdev);

	/* After disable */
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, 1, NULL)), -ENOTSUPP, NULL);
	BAD_VOID(test, pci_msix_free_irq(pdev, m3), NULL);
	BAD(test, pci_msix_provide_aux_parent(pdev, 1), -EINVAL, NULL);
	/*
	 * MSI instead of MSI-X: on QEMU's e1000e, which has both (its nvme
	 * controller has no MSI); the state compared is the nvme's and the
	 * interrupts and vectors of the machine
	 */
	if (fault_nic && fault_nic->msi_cap &&
	    pci_alloc_irq_vectors(fault_nic, 1, 1, PCI_IRQ_MSI) == 1) {
		struct pci_dev *nic = fault_nic;

		BAD(test, map_err(pci_msix_alloc_irq_at(nic, 1, NULL)), -ENOTSUPP, NULL);
		BAD(test, map_err(pci_msix_alloc_irq_at(nic, MSI_ANY_INDEX, NULL)), -ENOTSUPP,
		    NULL);
		map = (struct msi_map){ .index = 0, .virq = pci_irq_vector(nic, 0) };
		BAD_VOID(test, pci_msix_free_irq(nic, map), NULL);
		KUNIT_EXPECT_EQ(test, pci_irq_vector(nic, 0), map.virq);
		BAD(test, pci_msix_provide_aux_parent(nic, 1), -EINVAL, NULL);
		pci_free_irq_vectors(nic);
	} else {
		KUNIT_FAIL(test, "MSI instead of MSI-X: no QEMU e1000e with MSI");
	}

	/* The auxiliary device's domain and vectors */
	BAD(test, auxiliary_device_create_msi_domain(&bad_orphan, 4), -ENODEV, NULL);
	KUNIT_ASSERT_TRUE(test, aux_setup(test));
	BAD(test, pci_msix_provide_aux_parent(pdev, 1), -EBUSY, NULL);
	BAD(test, map_err(pci_msix_alloc_irq_at(pdev, 1, NULL)), -ERANGE, NULL);
	BAD(test, map_err(auxiliary_device_msi_alloc_irq_at(&fault_adev, 0, NULL)), -ENODEV, NULL);
	BAD(test, msi_domain_alloc_irqs_range(&fault_adev.dev, MSI_DEFAULT_DOMAIN, 0, 1), -ENODEV,
	    NULL);
	BAD(test, auxiliary_device_create_msi_domain(&fault_adev, 0), -EINVAL, NULL);
	BAD(test, auxiliary_device_create_msi_domain(&fault_adev, MSI_MAX_INDEX + 2), -EINVAL,
	    NULL);
	device_release_driver(&fault_adev.dev);
	BAD(test, auxiliary_device_create_msi_domain(&fault_adev, 4), -EINVAL, NULL);
	KUNIT_ASSERT_EQ(test, device_driver_attach(&fault_adrv.driver, &fault_adev.dev), 0);
	KUNIT_ASSERT_EQ(test, auxiliary_device_create_msi_domain(&fault_adev, 4), 0);
	BAD(test, auxiliary_device_create_msi_domain(&fault_adev, 4), -EBUSY, NULL);
	BAD(test, map_err(auxiliary_device_msi_alloc_irq_at(&fault_adev, 4, NULL)), -ERANGE, NULL);
	for (i = 0; i < 4; i++) {
		full[i] = auxiliary_device_msi_alloc_irq_at(&fault_adev, MSI_ANY_INDEX, NULL);
		KUNIT_ASSERT_GE(test, full[i].index, 0);
	}
	BAD(test, map_err(auxiliary_device_msi_alloc_irq_at(&fault_adev, MSI_ANY_INDEX, NULL)),
	    -EBUSY, NULL);
	BAD(test, map_err(auxiliary_device_msi_alloc_irq_at(&fault_adev, 2, NULL)), -EBUSY, NULL);
	map = (struct msi_map){ .index = -ENOSPC };
	BAD_VOID(test, auxiliary_device_msi_free_irq(&fault_adev, map),
		 "auxiliary_device_msi_free_irq");
	map = (struct msi_map){ .index = 1, .virq = full[2].virq };
	BAD_VOID(test, auxiliary_device_msi_free_irq(&fault_adev, map),
		 "auxiliary_device_msi_free_irq");
	for (i = 0; i < 4; i++)
		auxiliary_device_msi_free_irq(&fault_adev, full[i]);
	BAD_VOID(test, auxiliary_device_msi_free_irq(&fault_adev, full[0]), NULL);
	/* The parent's MSI-X disabled: the child's vectors wait */
	pci_free_irq_vectors(pdev);
	BAD(test, map_err(auxiliary_device_msi_alloc_irq_at(&fault_adev, 0, NULL)), -EAGAIN, NULL);
	KUNIT_ASSERT_EQ(test, pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX), 1);
	aux_teardown(test);
	kunit_info(test, "msi_fault: bad calls=%u\n", bad_count);
	KUNIT_EXPECT_GE(test, bad_count, 25U);
}

#endif /* HAVE_MSIX_DYN */

/*
 * 6.1's irq_insert_desc() ignores the error of radix_tree_insert(): when
 * an injected fault takes the tree node a new interrupt number needs,
 * the number is allocated without a descriptor, and the interrupt domain
 * code oopses on it (irq_domain_alloc_irq_data(), base code the series
 * does not touch; msix_enable_sweep finds it on the base as well).
 * Pinning one descriptor in every block of 16 numbers (the node size of
 * a BASE_SMALL kernel, a quarter of the others') from the first free
 * number to PIN_SPAN beyond the last allocated one makes every node the
 * sweep can need exist before it starts.  The sweep then no longer
 * reaches that fault point, and the pins are given back at the end.
 *
 * With msi_fault_drv's no_pin, the opposite, to show the oops: every free
 * number up to the end of the last block in use is taken, so that each
 * allocation of the sweep starts a block of its own and needs a new node.
 */
#define PIN_BLOCK	16
#define PIN_SPAN	256
#define PIN_MAX		(4096 / PIN_BLOCK)

static int fault_pins[PIN_MAX];
static unsigned int fault_npins;

static bool block_empty(unsigned int start)
{
	unsigned int i;

	for (i = start; i < start + PIN_BLOCK; i++)
		if (irq_get_irq_data(i))
			return false;
	return true;
}

static void pin_irq_blocks(void)
{
	unsigned int i, last = 0, b;
	int irq;

	for (i = 0; i < nr_irqs; i++)
		if (irq_get_irq_data(i))
			last = i;
	/* Within nr_irqs: the pins do not make the kernel grow it */
	for (b = 0; b < last + PIN_SPAN && b + PIN_BLOCK <= nr_irqs && fault_npins < PIN_MAX;
	     b += PIN_BLOCK) {
		if (!block_empty(b))
			continue;
		irq = irq_alloc_desc_at(b + PIN_BLOCK - 1, NUMA_NO_NODE);
		if (irq < 0)
			break;
		fault_pins[fault_npins++] = irq;
	}
	pr_info("msi_fault: %u interrupt numbers pinned below %u\n", fault_npins, b);
}

static void fill_irq_blocks(void)
{
	unsigned int i, last = 0;
	int irq;

	for (i = 0; i < nr_irqs; i++)
		if (irq_get_irq_data(i))
			last = i;
	for (i = 1; i <= (last | (PIN_BLOCK - 1)) && fault_npins < PIN_MAX; i++) {
		if (irq_get_irq_data(i))
			continue;
		irq = irq_alloc_desc_at(i, NUMA_NO_NODE);
		if (irq >= 0)
			fault_pins[fault_npins++] = irq;
	}
	pr_info("msi_fault: no_pin: %u free interrupt numbers taken up to %u\n", fault_npins,
		last | (PIN_BLOCK - 1));
}

static void unpin_irq_blocks(void)
{
	while (fault_npins)
		irq_free_desc(fault_pins[--fault_npins]);
}

static int fault_suite_init(struct kunit_suite *suite)
{
	if (!fault_pdev) {
		pr_err("msi_fault: no QEMU nvme controller bound to msi_fault_drv\n");
		return -ENODEV;
	}
	if (fault_buf_get())
		return -ENOMEM;
	if (fault_no_pin)
		fill_irq_blocks();
	else
		pin_irq_blocks();
	return 0;
}

static void fault_suite_exit(struct kunit_suite *suite)
{
#ifdef HAVE_MSIX_DYN
	if (fault_adev_added)
		fault_child_remove(&fault_child);
#endif
	unpin_irq_blocks();
	fault_buf_put();
}

static struct kunit_case fault_cases[] = {
	KUNIT_CASE(state_is_readable),
	KUNIT_CASE(msix_enable_sweep),
#ifdef HAVE_MSIX_DYN
	KUNIT_CASE(alloc_at_sweep),
	KUNIT_CASE(alloc_at_managed_sweep),
	KUNIT_CASE(range_sweep),
	KUNIT_CASE(aux_provide_sweep),
	KUNIT_CASE(aux_create_sweep),
	KUNIT_CASE(aux_alloc_sweep),
	KUNIT_CASE(aux_range_sweep),
	KUNIT_CASE(bad_input_table),
#endif
	{ }
};

static struct kunit_suite fault_suite = {
	.name = "msi_fault",
	.suite_init = fault_suite_init,
	.suite_exit = fault_suite_exit,
	.test_cases = fault_cases,
};

kunit_test_suite(fault_suite);

MODULE_DESCRIPTION("Fault injection sweep of the MSI allocation paths (scripts/reliability)");
MODULE_LICENSE("GPL");
