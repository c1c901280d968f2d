/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The observable state the suites of scripts/reliability compare before
 * and after a call: a device's MSI descriptors and MSI-X enable, the
 * allocated Linux interrupts, the x86 vector matrix, the present Intel
 * remapping entries, the unmasked entries of the device's MSI-X table
 * and an auxiliary child's descriptors and domain.  Static helpers, so
 * that each suite's module has its own copy; included once per module.
 */
#ifndef FAULT_STATE_H
#define FAULT_STATE_H

#include <kunit/test.h>
#include <linux/auxiliary_bus.h>
#include <linux/completion.h>
#include <linux/fs.h>
#include <linux/io.h>
#include <linux/irq.h>
#include <linux/msi.h>
#include <linux/pci.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uio.h>

#define DEBUGFS_BUF	(256 * 1024)

/* DEBUGFS_BUF bytes, from the suite's suite_init() to its suite_exit() */
static char *fault_buf;

static __maybe_unused int fault_buf_get(void)
{
	fault_buf = kvmalloc(DEBUGFS_BUF, GFP_KERNEL);
	return fault_buf ? 0 : -ENOMEM;
}

static __maybe_unused void fault_buf_put(void)
{
	kvfree(fault_buf);
	fault_buf = NULL;
}

struct fault_state {
	bool msix_enabled;
	unsigned int descs;
	unsigned int irqs;
	long vectors;	/* the vector matrix (read_matrix()), -1: unknown */
	long reserved;
	long managed;
	long irtes;	/* present Intel IRTEs, -1: unknown */
	unsigned int unmasked;
	unsigned int aux_descs;
	bool aux_domain;
};

/*
 * A debugfs file into fault_buf: its length or a negative errno.  The
 * files read here are seq_files whose fops have .read, not .read_iter,
 * which kernel_read() refuses; seq_read_iter() reads them all the same.
 */
static __maybe_unused ssize_t read_debugfs(const char *path)
{
	struct kiocb kiocb;
	struct iov_iter iter;
	struct kvec kv;
	struct file *f;
	ssize_t n, len = 0;

	f = filp_open(path, O_RDONLY, 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	init_sync_kiocb(&kiocb, f);
	while (len < DEBUGFS_BUF - 1) {
		kv.iov_base = fault_buf + len;
		kv.iov_len = DEBUGFS_BUF - 1 - len;
		iov_iter_kvec(&iter, ITER_DEST, &kv, 1, kv.iov_len);
		n = seq_read_iter(&kiocb, &iter);
		if (n <= 0)
			break;
		len += n;
	}
	filp_close(f, NULL);
	fault_buf[len] = '\0';
	return len;
}

/*
 * The x86 vector matrix: vectors allocated, reserved (the unstarted
 * interrupts of reservation mode) and managed (reserved for managed
 * interrupts, the "man" column of every CPU); false if it cannot be read
 */
static __maybe_unused bool read_matrix(long *alloc, long *reserved, long *managed)
{
	unsigned int cpu, avl, man, mac, act;
	char *line, *p;

	*alloc = *reserved = *managed = -1;
	if (read_debugfs("/sys/kernel/debug/irq/domains/VECTOR") <= 0)
		return false;
	p = strstr(fault_buf, "Total allocated:");
	if (!p || sscanf(p, "Total allocated: %ld", alloc) != 1)
		return false;
	p = strstr(fault_buf, "Global reserved:");
	if (!p || sscanf(p, "Global reserved: %ld", reserved) != 1)
		return false;
	p = strstr(fault_buf, "| CPU |");
	if (!p)
		return false;
	*managed = 0;
	while ((line = strsep(&p, "\n")))
		if (sscanf(line, " %u %u %u %u %u", &cpu, &avl, &man, &mac, &act) == 5)
			*managed += man;
	return true;
}

/* The present entries of Intel's remapping tables: one line each */
static __maybe_unused long irtes_present(void)
{
	unsigned int bus, devfn, fn;
	long n = 0;
	char *line, *p;
	int e;

	if (read_debugfs("/sys/kernel/debug/iommu/intel/ir_translation_struct") <= 0)
		return -1;
	p = fault_buf;
	while ((line = strsep(&p, "\n")))
		if (sscanf(line, " %d %x:%x.%x", &e, &bus, &devfn, &fn) == 4)
			n++;
	return n;
}

static __maybe_unused unsigned int count_irqs(void)
{
	unsigned int i, n = 0;

	for (i = 0; i < nr_irqs; i++)
		if (irq_get_irq_data(i))
			n++;
	return n;
}

static __maybe_unused unsigned int count_descs(struct device *dev)
{
	struct msi_desc *desc;
	unsigned int n = 0;

	if (!dev->msi.data)
		return 0;
	msi_lock_descs(dev);
	msi_for_each_desc(desc, dev, MSI_DESC_ALL)
		n++;
	msi_unlock_descs(dev);
	return n;
}

/* The state of @pdev with its MSI-X table, and of its child @aux if any */
static __maybe_unused void take_state_of(struct fault_state *s, struct pci_dev *pdev,
					 void __iomem *table, unsigned int tsize,
					 struct device *aux)
{
	unsigned int i;

	memset(s, 0, sizeof(*s));
	s->msix_enabled = pdev->msix_enabled;
	s->descs = count_descs(&pdev->dev);
	s->irqs = count_irqs();
	read_matrix(&s->vectors, &s->reserved, &s->managed);
	s->irtes = irtes_present();
	for (i = 0; i < tsize; i++)
		if (!(readl(table + i * PCI_MSIX_ENTRY_SIZE + PCI_MSIX_ENTRY_VECTOR_CTRL) &
		      PCI_MSIX_ENTRY_CTRL_MASKBIT))
			s->unmasked++;
	if (aux) {
		s->aux_descs = count_descs(aux);
		s->aux_domain = !!dev_get_msi_domain(aux);
	}
}

static __maybe_unused void expect_state(struct kunit *test, unsigned int n,
					const struct fault_state *a,
					const struct fault_state *b)
{
	KUNIT_EXPECT_EQ_MSG(test, a->msix_enabled, b->msix_enabled, "n=%u: MSI-X enabled", n);
	KUNIT_EXPECT_EQ_MSG(test, a->descs, b->descs, "n=%u: MSI descriptors", n);
	KUNIT_EXPECT_EQ_MSG(test, a->irqs, b->irqs, "n=%u: Linux interrupts", n);
	KUNIT_EXPECT_EQ_MSG(test, a->vectors, b->vectors, "n=%u: CPU vectors allocated", n);
	KUNIT_EXPECT_EQ_MSG(test, a->reserved, b->reserved, "n=%u: CPU vectors reserved", n);
	KUNIT_EXPECT_EQ_MSG(test, a->managed, b->managed, "n=%u: managed CPU vectors", n);
	KUNIT_EXPECT_EQ_MSG(test, a->irtes, b->irtes, "n=%u: Intel remapping entries", n);
	KUNIT_EXPECT_EQ_MSG(test, a->unmasked, b->unmasked, "n=%u: unmasked MSI-X entries", n);
	KUNIT_EXPECT_EQ_MSG(test, a->aux_descs, b->aux_descs, "n=%u: auxiliary descriptors", n);
	KUNIT_EXPECT_EQ_MSG(test, a->aux_domain, b->aux_domain, "n=%u: auxiliary domain", n);
}

/*
 * A suite's auxiliary child lives in the suite's module, and so does its
 * release(): the device's memory and the module may only go once it has
 * run, which DEBUG_KOBJECT_RELEASE delays by seconds.
 */
struct fault_child {
	struct auxiliary_device adev;
	struct completion released;
};

static __maybe_unused void fault_child_release(struct device *dev)
{
	complete(&container_of(dev, struct fault_child, adev.dev)->released);
}

/* Add @c as "<module>.@name.0" below @parent: 0 or a negative errno */
static __maybe_unused int fault_child_add(struct fault_child *c, struct device *parent,
					  const char *name, const char *modname)
{
	int ret;

	memset(c, 0, sizeof(*c));
	init_completion(&c->released);
	c->adev.name = name;
	c->adev.dev.parent = parent;
	c->adev.dev.release = fault_child_release;
	ret = auxiliary_device_init(&c->adev);
	if (ret)
		return ret;
	ret = __auxiliary_device_add(&c->adev, modname);
	if (ret) {
		auxiliary_device_uninit(&c->adev);
		wait_for_completion(&c->released);
	}
	return ret;
}

static __maybe_unused void fault_child_remove(struct fault_child *c)
{
	auxiliary_device_delete(&c->adev);
	auxiliary_device_uninit(&c->adev);
	wait_for_completion(&c->released);
}

#endif /* FAULT_STATE_H */
