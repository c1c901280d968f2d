// SPDX-License-Identifier: GPL-2.0
/*
 * msix_bench: how much does it cost to grow a device's MSI-X vectors?
 *
 * Out-of-tree module for scripts/benchmark.  The same source builds against
 * the unpatched 6.1 base, the msi-dyn series and mainline; the dynamic part
 * exists only where <linux/pci.h> provides MSI_ANY_INDEX.
 *
 * The benchmark's init program binds one device to this driver through
 * driver_override; probe() runs every measurement and prints one line per
 * figure.  Interrupts are allocated but never requested: on the x86 vector
 * domain a vector is only reserved until request_irq(), so a two-CPU guest
 * can hold all 2048 entries of a table.  Per size N and repetition:
 *
 *   bulk:    pci_alloc_irq_vectors(N) and pci_free_irq_vectors(), timed
 *            separately;
 *   dyn:     one vector from pci_alloc_irq_vectors(), then N - 1 calls of
 *            pci_msix_alloc_irq_at(MSI_ANY_INDEX) (timed), then a check
 *            that every vector kept its Linux interrupt number; the clock
 *            is also read after every BENCH_BLOCK allocations, so that the
 *            cost of one allocation can be told against the number of
 *            vectors the device already has;
 *   reenable: one vector, then for n = 1 .. N - 1 pci_free_irq_vectors()
 *            and pci_alloc_irq_vectors(n + 1) (timed): 6.1's way to grow.
 *
 * Module parameters choose the sizes, the repetitions and the methods, so
 * that boots which compare kernels can run the same sequence.
 *
 * Output: "msix_bench: <method> n=<N> rep=<r> ns=<t> torn=<k>", for the
 * dynamic method also "msix_bench: dynblock n=<N> rep=<r> first=<i>
 * count=<c> ns=<t>" per block of allocations (indices first .. first +
 * c - 1), then "msix_bench: done errors=<e>".
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/pci.h>
#include <linux/slab.h>

#ifdef MSI_ANY_INDEX
#define BENCH_DYN	1
#else
#define BENCH_DYN	0
#endif

/* Allocations per clock reading of the dynamic method's block figures */
#define BENCH_BLOCK	64

static char *sizes = "64,256,1024,2048";
module_param(sizes, charp, 0444);
MODULE_PARM_DESC(sizes, "comma separated table sizes N to grow to");

static unsigned int reps = 5;
module_param(reps, uint, 0444);
MODULE_PARM_DESC(reps, "repetitions of each figure");

static bool dyn = true;
module_param(dyn, bool, 0444);
MODULE_PARM_DESC(dyn, "measure dynamic allocation where the kernel has it");

static unsigned int reenable_max = 2048;
module_param(reenable_max, uint, 0444);
MODULE_PARM_DESC(reenable_max, "largest N for the re-enable method");

static unsigned int reenable_reps = 3;
module_param(reenable_reps, uint, 0444);
MODULE_PARM_DESC(reenable_reps, "repetitions of the re-enable method for N > 256");

static int bench_bulk(struct pci_dev *pdev, unsigned int n, unsigned int rep)
{
	u64 t0, t1, t2;
	int ret;

	t0 = ktime_get_ns();
	ret = pci_alloc_irq_vectors(pdev, n, n, PCI_IRQ_MSIX);
	t1 = ktime_get_ns();
	if (ret < 0) {
		pr_err("msix_bench: bulk n=%u: error %d\n", n, ret);
		return ret;
	}
	pci_free_irq_vectors(pdev);
	t2 = ktime_get_ns();
	pr_info("msix_bench: bulk n=%u rep=%u ns=%llu torn=0\n", n, rep, t1 - t0);
	pr_info("msix_bench: bulkfree n=%u rep=%u ns=%llu torn=0\n", n, rep, t2 - t1);
	return 0;
}

#if BENCH_DYN
static int bench_dyn(struct pci_dev *pdev, unsigned int n, unsigned int rep)
{
	unsigned int i = 0, torn = 0, nblocks = DIV_ROUND_UP(n - 1, BENCH_BLOCK);
	struct msi_map map;
	u64 t0, t1, *tb;
	int *virq;
	int ret;

	virq = kcalloc(n, sizeof(*virq), GFP_KERNEL);
	tb = kcalloc(nblocks, sizeof(*tb), GFP_KERNEL);
	if (!virq || !tb) {
		ret = -ENOMEM;
		goto out;
	}

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX);
	if (ret < 0)
		goto out;
	if (!pci_msix_can_alloc_dyn(pdev)) {
		ret = -EOPNOTSUPP;
		goto disable;
	}
	virq[0] = pci_irq_vector(pdev, 0);

	/* Only the clock is read in the loop; everything is printed after */
	t0 = ktime_get_ns();
	for (i = 1; i < n; i++) {
		map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
		if (map.index < 0) {
			ret = map.index;
			goto disable;
		}
		if (map.index != i) {
			ret = -EIO;
			goto disable;
		}
		virq[i] = map.virq;
		if (i % BENCH_BLOCK == 0 || i == n - 1)
			tb[(i - 1) / BENCH_BLOCK] = ktime_get_ns();
	}
	t1 = ktime_get_ns();

	for (i = 0; i < n; i++) {
		if (pci_irq_vector(pdev, i) != virq[i])
			torn++;
	}
	pr_info("msix_bench: dyn n=%u rep=%u ns=%llu torn=%u\n", n, rep, t1 - t0, torn);
	for (i = 0; i < nblocks; i++)
		pr_info("msix_bench: dynblock n=%u rep=%u first=%u count=%u ns=%llu\n",
			n, rep, 1 + i * BENCH_BLOCK, min_t(unsigned int, n - 1 - i * BENCH_BLOCK, BENCH_BLOCK),
			tb[i] - (i ? tb[i - 1] : t0));
	ret = 0;
disable:
	pci_free_irq_vectors(pdev);
out:
	if (ret)
		pr_err("msix_bench: dyn n=%u: error %d at index %u\n", n, ret, i);
	kfree(tb);
	kfree(virq);
	return ret;
}
#else
static int bench_dyn(struct pci_dev *pdev, unsigned int n, unsigned int rep)
{
	return 0;
}
#endif

static int bench_reenable(struct pci_dev *pdev, unsigned int n, unsigned int rep)
{
	unsigned long torn = 0;
	unsigned int i;
	u64 t0, t1;
	int ret;

	ret = pci_alloc_irq_vectors(pdev, 1, 1, PCI_IRQ_MSIX);
	if (ret < 0)
		goto err;

	t0 = ktime_get_ns();
	for (i = 1; i < n; i++) {
		torn += i;
		pci_free_irq_vectors(pdev);
		ret = pci_alloc_irq_vectors(pdev, i + 1, i + 1, PCI_IRQ_MSIX);
		if (ret < 0)
			goto err;
	}
	t1 = ktime_get_ns();
	pci_free_irq_vectors(pdev);
	pr_info("msix_bench: reenable n=%u rep=%u ns=%llu torn=%lu\n", n, rep, t1 - t0, torn);
	return 0;
err:
	pr_err("msix_bench: reenable n=%u: error %d\n", n, ret);
	return ret;
}

static int msix_bench_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	unsigned int n, rep, errors = 0;
	char *list, *cur, *tok;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	pci_set_master(pdev);

	pr_info("msix_bench: device %s table=%d dynamic=%d\n", pci_name(pdev),
		pci_msix_vec_count(pdev), BENCH_DYN);

	list = kstrdup(sizes, GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	cur = list;
	while ((tok = strsep(&cur, ",")) != NULL) {
		if (kstrtouint(tok, 0, &n) || n < 2)
			continue;
		for (rep = 0; rep < reps; rep++) {
			errors += !!bench_bulk(pdev, n, rep);
			if (dyn)
				errors += !!bench_dyn(pdev, n, rep);
			if (n <= reenable_max && (n <= 256 || rep < reenable_reps))
				errors += !!bench_reenable(pdev, n, rep);
			cond_resched();
		}
	}
	kfree(list);
	pr_info("msix_bench: done errors=%u\n", errors);
	return 0;
}

static void msix_bench_remove(struct pci_dev *pdev)
{
}

/* No ID table: the device is handed over through driver_override */
static struct pci_driver msix_bench_driver = {
	.name		= "msix_bench",
	.probe		= msix_bench_probe,
	.remove		= msix_bench_remove,
};
module_pci_driver(msix_bench_driver);

MODULE_DESCRIPTION("MSI-X vector allocation benchmark of scripts/benchmark");
MODULE_LICENSE("GPL");
