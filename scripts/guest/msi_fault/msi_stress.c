// SPDX-License-Identifier: GPL-2.0
/*
 * msi_stress: CPU hotplug and concurrent stress for scripts/reliability,
 * a KUnit suite loaded after msi_fault, with the same drivers
 * (msi_fault_drv.ko) and the same view of the state (fault_state.h).
 *
 * CPU hotplug, on QEMU's e1000e (fault_nic.h), so that each step sees
 * an interrupt arrive, or not, and where:
 *  - a dynamic vector without managed affinity, moved to CPU 1: when
 *    CPU 1 goes offline the interrupt moves to an online CPU and keeps
 *    arriving, and it arrives after CPU 1 is back;
 *  - a dynamic vector allocated with a managed affinity descriptor for
 *    CPU 1: while CPU 1 is offline the interrupt is shut down, its entry
 *    masked, nothing arrives; when CPU 1 is back it is started again and
 *    arrives on CPU 1.
 *
 * Concurrent stress, on QEMU's nvme controller, for STRESS_MS: two
 * threads allocate, request, free and release dynamic vectors, one moves
 * their affinities, one reads /proc/interrupts and the device's
 * msi_irqs/, one binds the auxiliary child, creates its domain,
 * allocates and frees two vectors there and unbinds it.  Lockdep and
 * KASAN watch (the boot's log is judged by scripts/reliability); every
 * call must succeed, and once everything is given back the state is what
 * it was before.
 */
#include <kunit/test.h>
#include <linux/auxiliary_bus.h>
#include <linux/completion.h>
#include <linux/cpu.h>
#include <linux/delay.h>
#include <linux/fs.h>
#include <linux/interrupt.h>
#include <linux/irq.h>
#include <linux/kthread.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/mutex.h>
#include <linux/pci.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "fault_nic.h"
#include "fault_state.h"
#include "msi_fault.h"

/* The CPU taken offline: CPU 0 cannot be */
#define HOT_CPU			1

/* MSI-X on the e1000e with entry 0, and a second CPU to take away */
static bool hot_setup(struct kunit *test, struct nic_vec *v)
{
	if (!fault_nic)
		kunit_skip(test, "no QEMU e1000e bound to msi_fault_drv");
	if (!cpu_online(HOT_CPU) || num_online_cpus() < 2)
		kunit_skip(test, "CPU %d is not online", HOT_CPU);
	if (pci_alloc_irq_vectors(fault_nic, 1, 1, PCI_IRQ_MSIX) != 1) {
		KUNIT_FAIL(test, "enabling MSI-X with one vector");
		return false;
	}
	if (!pci_msix_can_alloc_dyn(fault_nic)) {
		pci_free_irq_vectors(fault_nic);
		kunit_skip(test, "no dynamic MSI-X on this interrupt domain");
	}
	init_completion(&v->done);
	atomic_set(&v->count, 0);
	v->cpu = -1;
	return true;
}

static bool hot_request(struct kunit *test, struct nic_vec *v)
{
	int ret;

	if (v->map.index < 0) {
		KUNIT_FAIL(test, "pci_msix_alloc_irq_at(): %d", v->map.index);
		return false;
	}
	ret = request_irq(v->map.virq, nic_handler, 0, "msi_stress", v);
	if (ret) {
		KUNIT_FAIL(test, "request_irq(): %d", ret);
		pci_msix_free_irq(fault_nic, v->map);
		return false;
	}
	nic_route(v->map.index);
	return true;
}

static void hot_release(struct nic_vec *v)
{
	writel(~0U, fault_nic_regs + E1000_IMC);
	free_irq(v->map.virq, v);
	pci_msix_free_irq(fault_nic, v->map);
}

/* CPU 1 goes and comes back; false (and a failure) if it did not */
static bool cpu_away(struct kunit *test)
{
	int ret = remove_cpu(HOT_CPU);

	KUNIT_EXPECT_EQ_MSG(test, ret, 0, "remove_cpu(%d)", HOT_CPU);
	return !ret;
}

static void cpu_back(struct kunit *test)
{
	KUNIT_EXPECT_EQ_MSG(test, add_cpu(HOT_CPU), 0, "add_cpu(%d)", HOT_CPU);
}

static void cpu_offline_unmanaged(struct kunit *test)
{
	const struct cpumask *eff;
	struct nic_vec v = { };
	struct irq_data *d;

	if (!hot_setup(test, &v))
		return;
	v.map = pci_msix_alloc_irq_at(fault_nic, MSI_ANY_INDEX, NULL);
	if (!hot_request(test, &v))
		goto out;
	d = irq_get_irq_data(v.map.virq);
	KUNIT_EXPECT_FALSE(test, irqd_affinity_is_managed(d));
	KUNIT_EXPECT_EQ(test, irq_set_affinity(v.map.virq, cpumask_of(HOT_CPU)), 0);
	KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&v, IRQ_WAIT), "nothing arrived on CPU %d", HOT_CPU);
	KUNIT_EXPECT_EQ(test, READ_ONCE(v.cpu), HOT_CPU);
	if (cpu_away(test)) {
		KUNIT_EXPECT_TRUE(test, irqd_is_started(d));
		KUNIT_EXPECT_FALSE(test, entry_masked(v.map.index));
		eff = irq_data_get_effective_affinity_mask(d);
		KUNIT_EXPECT_FALSE(test, cpumask_test_cpu(HOT_CPU, eff));
		KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&v, IRQ_WAIT),
				      "nothing arrived with CPU %d offline", HOT_CPU);
		KUNIT_EXPECT_NE(test, READ_ONCE(v.cpu), HOT_CPU);
		cpu_back(test);
		KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&v, IRQ_WAIT),
				      "nothing arrived with CPU %d back", HOT_CPU);
	}
	hot_release(&v);
out:
	pci_free_irq_vectors(fault_nic);
}

static void cpu_offline_managed(struct kunit *test)
{
	struct irq_affinity_desc aff = { .is_managed = 1 };
	struct nic_vec v = { };
	struct irq_data *d;

	if (!hot_setup(test, &v))
		return;
	cpumask_copy(&aff.mask, cpumask_of(HOT_CPU));
	v.map = pci_msix_alloc_irq_at(fault_nic, MSI_ANY_INDEX, &aff);
	if (!hot_request(test, &v))
		goto out;
	d = irq_get_irq_data(v.map.virq);
	KUNIT_EXPECT_TRUE(test, irqd_affinity_is_managed(d));
	KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&v, IRQ_WAIT), "nothing arrived on CPU %d", HOT_CPU);
	KUNIT_EXPECT_EQ(test, READ_ONCE(v.cpu), HOT_CPU);
	if (cpu_away(test)) {
		KUNIT_EXPECT_TRUE(test, irqd_is_managed_and_shutdown(d));
		KUNIT_EXPECT_FALSE(test, irqd_is_started(d));
		KUNIT_EXPECT_TRUE(test, entry_masked(v.map.index));
		KUNIT_EXPECT_FALSE_MSG(test, nic_raise(&v, IRQ_NONE_WAIT),
				       "an interrupt arrived on a shut down vector");
		cpu_back(test);
		KUNIT_EXPECT_FALSE(test, irqd_is_managed_and_shutdown(d));
		KUNIT_EXPECT_TRUE(test, irqd_is_started(d));
		KUNIT_EXPECT_FALSE(test, entry_masked(v.map.index));
		KUNIT_EXPECT_TRUE_MSG(test, nic_raise(&v, IRQ_WAIT),
				      "nothing arrived with CPU %d back", HOT_CPU);
		KUNIT_EXPECT_EQ(test, READ_ONCE(v.cpu), HOT_CPU);
	}
	hot_release(&v);
out:
	pci_free_irq_vectors(fault_nic);
}

#define STRESS_MS	10000
#define STRESS_SLOTS	8
#define STRESS_ALLOCATORS 2
#define STRESS_AUX_SIZE	8

struct stress_slot {
	struct mutex lock;	/* an allocator's slot against the affinity mover */
	struct msi_map map;
};

struct stress {
	struct stress_slot slot[STRESS_ALLOCATORS][STRESS_SLOTS];
	struct fault_child child;
	atomic_t allocs, frees, moves, reads, binds, errors;
	int first_error;
	const char *first_what;
	char *buf;
};

struct stress_thread {
	struct stress *st;
	unsigned int id;
	struct task_struct *task;
};

static void stress_error(struct stress *st, const char *what, int err)
{
	if (atomic_inc_return(&st->errors) == 1) {
		st->first_what = what;
		st->first_error = err;
	}
}

static irqreturn_t stress_handler(int irq, void *data)
{
	return IRQ_NONE;
}

static void stress_slot_flip(struct stress *st, struct stress_slot *s)
{
	struct msi_map map;
	int ret;

	mutex_lock(&s->lock);
	if (s->map.virq) {
		free_irq(s->map.virq, st);
		pci_msix_free_irq(fault_pdev, s->map);
		s->map.virq = 0;
		atomic_inc(&st->frees);
	} else {
		map = pci_msix_alloc_irq_at(fault_pdev, MSI_ANY_INDEX, NULL);
		if (map.index < 0) {
			stress_error(st, "pci_msix_alloc_irq_at", map.index);
		} else {
			ret = request_irq(map.virq, stress_handler, 0, "msi_stress", st);
			if (ret) {
				stress_error(st, "request_irq", ret);
				pci_msix_free_irq(fault_pdev, map);
			} else {
				s->map = map;
				atomic_inc(&st->allocs);
			}
		}
	}
	mutex_unlock(&s->lock);
}

static int stress_alloc_fn(void *data)
{
	struct stress_thread *t = data;

	while (!kthread_should_stop()) {
		stress_slot_flip(t->st, &t->st->slot[t->id][get_random_u32_below(STRESS_SLOTS)]);
		cond_resched();
	}
	return 0;
}

/* Moves every vector the allocators hold to the next online CPU */
static int stress_affinity_fn(void *data)
{
	struct stress_thread *t = data;
	struct stress_slot *s;
	unsigned int a, i, cpu = 0;
	int ret;

	while (!kthread_should_stop()) {
		for (a = 0; a < STRESS_ALLOCATORS; a++) {
			for (i = 0; i < STRESS_SLOTS; i++) {
				s = &t->st->slot[a][i];
				if (!mutex_trylock(&s->lock))
					continue;
				if (s->map.virq) {
					cpu = cpumask_next(cpu, cpu_online_mask);
					if (cpu >= nr_cpu_ids)
						cpu = cpumask_first(cpu_online_mask);
					ret = irq_set_affinity(s->map.virq, cpumask_of(cpu));
					if (ret)
						stress_error(t->st, "irq_set_affinity", ret);
					else
						atomic_inc(&t->st->moves);
				}
				mutex_unlock(&s->lock);
			}
		}
		usleep_range(200, 400);
	}
	return 0;
}

struct stress_dir {
	struct dir_context ctx;
	unsigned int entries;
};

static bool stress_dir_actor(struct dir_context *ctx, const char *name, int len, loff_t pos,
			     u64 ino, unsigned int type)
{
	container_of(ctx, struct stress_dir, ctx)->entries++;
	return true;
}

static int stress_read(struct stress *st, const char *path, bool dir)
{
	struct stress_dir d = { .ctx.actor = stress_dir_actor };
	struct file *f;
	loff_t pos = 0;
	ssize_t n;
	int ret = 0;

	f = filp_open(path, O_RDONLY | (dir ? O_DIRECTORY : 0), 0);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (dir) {
		ret = iterate_dir(f, &d.ctx);
	} else {
		do {
			n = kernel_read(f, st->buf, PAGE_SIZE, &pos);
		} while (n > 0);
		ret = n < 0 ? n : 0;
	}
	filp_close(f, NULL);
	return ret;
}

static int stress_reader_fn(void *data)
{
	struct stress_thread *t = data;
	char path[80];
	int ret;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", pci_name(fault_pdev));
	while (!kthread_should_stop()) {
		ret = stress_read(t->st, "/proc/interrupts", false);
		if (ret)
			stress_error(t->st, "reading /proc/interrupts", ret);
		ret = stress_read(t->st, path, true);
		if (ret)
			stress_error(t->st, "reading msi_irqs/", ret);
		atomic_inc(&t->st->reads);
		usleep_range(500, 1000);
	}
	return 0;
}

/* The child: bound, its domain, two vectors, freed, unbound */
static int stress_aux_fn(void *data)
{
	struct stress_thread *t = data;
	struct auxiliary_device *adev = &t->st->child.adev;
	struct msi_map m[2];
	unsigned int i;
	int ret;

	while (!kthread_should_stop()) {
		ret = device_driver_attach(&fault_adrv.driver, &adev->dev);
		if (ret) {
			stress_error(t->st, "binding the child", ret);
			msleep(20);
			continue;
		}
		ret = auxiliary_device_create_msi_domain(adev, STRESS_AUX_SIZE);
		if (ret) {
			stress_error(t->st, "auxiliary_device_create_msi_domain", ret);
		} else {
			for (i = 0; i < ARRAY_SIZE(m); i++) {
				m[i] = auxiliary_device_msi_alloc_irq_at(adev, MSI_ANY_INDEX, NULL);
				if (m[i].index < 0)
					stress_error(t->st, "auxiliary_device_msi_alloc_irq_at",
						     m[i].index);
			}
			for (i = 0; i < ARRAY_SIZE(m); i++)
				if (m[i].index >= 0)
					auxiliary_device_msi_free_irq(adev, m[i]);
		}
		device_release_driver(&adev->dev);
		atomic_inc(&t->st->binds);
		cond_resched();
	}
	return 0;
}

static void concurrent_stress(struct kunit *test)
{
	struct stress_thread th[STRESS_ALLOCATORS + 3];
	struct fault_state before, after;
	struct stress *st;
	unsigned int a, i, n = 0;
	int ret;

	take_state_of(&before, fault_pdev, fault_table, fault_tsize, NULL);
	if (pci_alloc_irq_vectors(fault_pdev, 1, 1, PCI_IRQ_MSIX) != 1) {
		KUNIT_FAIL(test, "enabling MSI-X with one vector");
		return;
	}
	if (!pci_msix_can_alloc_dyn(fault_pdev)) {
		pci_free_irq_vectors(fault_pdev);
		kunit_skip(test, "no dynamic MSI-X on this interrupt domain");
	}
	st = kunit_kzalloc(test, sizeof(*st), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st);
	st->buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, st->buf);
	for (a = 0; a < STRESS_ALLOCATORS; a++)
		for (i = 0; i < STRESS_SLOTS; i++)
			mutex_init(&st->slot[a][i].lock);
	/* The parent keeps all but STRESS_AUX_SIZE entries for itself */
	ret = pci_msix_provide_aux_parent(fault_pdev, fault_tsize - STRESS_AUX_SIZE);
	KUNIT_EXPECT_EQ(test, ret, 0);
	ret = fault_child_add(&st->child, &fault_pdev->dev, "stress", KBUILD_MODNAME);
	KUNIT_EXPECT_EQ(test, ret, 0);
	if (!ret)
		device_release_driver(&st->child.adev.dev);	/* the aux thread binds it */
	if (test->status == KUNIT_FAILURE) {
		pci_free_irq_vectors(fault_pdev);
		return;
	}

	for (a = 0; a < STRESS_ALLOCATORS; a++) {
		th[n] = (struct stress_thread){ .st = st, .id = a };
		th[n].task = kthread_run(stress_alloc_fn, &th[n], "msi_stress/a%u", a);
		n++;
	}
	th[n] = (struct stress_thread){ .st = st };
	th[n].task = kthread_run(stress_affinity_fn, &th[n], "msi_stress/aff");
	n++;
	th[n] = (struct stress_thread){ .st = st };
	th[n].task = kthread_run(stress_reader_fn, &th[n], "msi_stress/read");
	n++;
	th[n] = (struct stress_thread){ .st = st };
	th[n].task = kthread_run(stress_aux_fn, &th[n], "msi_stress/aux");
	n++;
	for (i = 0; i < n; i++)
		KUNIT_EXPECT_FALSE(test, IS_ERR(th[i].task));
	msleep(STRESS_MS);
	for (i = 0; i < n; i++)
		if (!IS_ERR(th[i].task))
			kthread_stop(th[i].task);

	for (a = 0; a < STRESS_ALLOCATORS; a++)
		for (i = 0; i < STRESS_SLOTS; i++)
			if (st->slot[a][i].map.virq)
				stress_slot_flip(st, &st->slot[a][i]);
	kunit_info(test, "msi_stress: allocs=%d frees=%d moves=%d reads=%d binds=%d errors=%d\n",
		   atomic_read(&st->allocs), atomic_read(&st->frees), atomic_read(&st->moves),
		   atomic_read(&st->reads), atomic_read(&st->binds), atomic_read(&st->errors));
	KUNIT_EXPECT_EQ_MSG(test, atomic_read(&st->errors), 0, "first: %s: %d",
			    st->first_what ?: "-", st->first_error);
	KUNIT_EXPECT_GT(test, atomic_read(&st->allocs), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&st->binds), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&st->moves), 0);
	KUNIT_EXPECT_GT(test, atomic_read(&st->reads), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&st->allocs), atomic_read(&st->frees));
	KUNIT_EXPECT_EQ(test, count_descs(&st->child.adev.dev), 0U);
	KUNIT_EXPECT_NULL(test, st->child.adev.dev.driver);
	fault_child_remove(&st->child);
	pci_free_irq_vectors(fault_pdev);
	take_state_of(&after, fault_pdev, fault_table, fault_tsize, NULL);
	expect_state(test, 0, &before, &after);
}

static int stress_suite_init(struct kunit_suite *suite)
{
	if (!fault_pdev) {
		pr_err("msi_stress: no QEMU nvme controller bound to msi_fault_drv\n");
		return -ENODEV;
	}
	return fault_buf_get();
}

static void stress_suite_exit(struct kunit_suite *suite)
{
	fault_buf_put();
}

static struct kunit_case stress_cases[] = {
	KUNIT_CASE(cpu_offline_unmanaged),
	KUNIT_CASE(cpu_offline_managed),
	KUNIT_CASE(concurrent_stress),
	{ }
};

static struct kunit_suite stress_suite = {
	.name = "msi_stress",
	.suite_init = stress_suite_init,
	.suite_exit = stress_suite_exit,
	.test_cases = stress_cases,
};

kunit_test_suite(stress_suite);

MODULE_DESCRIPTION("CPU hotplug and concurrent stress of dynamic MSI-X (scripts/reliability)");
MODULE_LICENSE("GPL");
