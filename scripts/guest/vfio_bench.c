// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_bench: what does it cost a VMM to add one MSI-X vector through
 * VFIO while N vectors are live, with dynamic MSI-X against 6.1's
 * disable-and-re-enable (what QEMU before 8.2 does, and what any QEMU
 * does on an index with NORESIZE)?  Run by scripts/vfio-bench in the
 * guest, through scripts/guest/vfio-bench-init.
 *
 * Usage: vfio_bench BDF N1,N2,... [REPS]
 *   BDF   a device bound to vfio-pci whose MSI-X table holds the largest
 *         N plus SAMPLES (QEMU's nvme with msix_qsize=2048), in a
 *         no-IOMMU or type 1 group
 *   N...  the numbers of live vectors at which one addition is measured,
 *         ascending
 *   REPS  re-enables timed at each N (default 5)
 *
 * Every live vector has an eventfd trigger, so vfio-pci requested its
 * interrupt and it holds a CPU vector: the largest N must fit the
 * guest's CPUs (about 200 vectors each on x86).
 *
 * dynamic (only where the index has no NORESIZE): MSI-X is enabled with
 *   vector 0, then vectors 1, 2, ... are set one at a time, as a guest
 *   unmasks them.  At each N, the additions of vectors N to
 *   N + SAMPLES - 1 are timed one by one (a vector stays once set).
 * reenable (on every kernel): N vectors live, MSI-X is disabled and
 *   enabled again with N + 1 vectors and their triggers, REPS times.
 *
 * Torn down is measured, not assumed: the host interrupts of the device
 * (its msi_irqs/ directory) are read before each timed step and again
 * after it (dynamic) or after its disable (reenable); every interrupt of
 * the first reading missing from the second was torn down.  The dynamic
 * method also checks that vector 0 keeps its Linux interrupt in
 * /proc/interrupts and that exactly the vectors set exist.
 *
 * Prints "BENCH: noresize=0|1 table=T" first, then one line per method
 * and N, "BENCH: <method> n=N ns=<median> min=<min> max=<max>
 * torn_down=<largest over the samples> host_vectors=H", then
 * "BENCH: done"; on an error "BENCH: error <what>: <errno text>" and exit
 * status 1.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>

#include "vfio_open.h"

#define MAX_VECTORS	2048
#define SAMPLES		8
#define MAX_REPS	32
#define MAX_NS		32

static const char *bdf;
static int device;
static int efd[MAX_VECTORS];

/* A reading of the device's host interrupts: a bitmap of Linux irqs */
#define MAX_IRQ		16384
struct irqset {
	unsigned char bit[MAX_IRQ / 8];
	int count;
};

static void fail(const char *what, int err)
{
	vfio_fail("BENCH", what, err);
}

static int set_irqs(uint32_t flags, unsigned int start, unsigned int count,
		    const int32_t *fds)
{
	return vfio_set_msix(device, flags, start, count, fds);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void read_irqs(struct irqset *s)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;
	int irq;

	memset(s, 0, sizeof(*s));
	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", bdf);
	d = opendir(path);
	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		irq = atoi(e->d_name);
		if (irq <= 0 || irq >= MAX_IRQ)
			fail("an irq number out of range in msi_irqs", ERANGE);
		s->bit[irq / 8] |= 1 << (irq % 8);
		s->count++;
	}
	closedir(d);
}

/* The interrupts of @before that @after lacks */
static unsigned int missing(const struct irqset *before, const struct irqset *after)
{
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(before->bit); i++)
		n += __builtin_popcount(before->bit[i] & ~after->bit[i]);
	return n;
}

/* The Linux interrupt vfio-pci requested for vector 0, or -1 */
static int irq0(void)
{
	char name[64], line[16384];
	int irq = -1;
	FILE *f;

	snprintf(name, sizeof(name), "vfio-msix[0](%s)", bdf);
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, name)) {
			irq = atoi(line);
			break;
		}
	fclose(f);
	return irq;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void print(const char *method, unsigned int n, uint64_t *t, int cnt,
		  unsigned int torn_down, int host_vectors)
{
	qsort(t, cnt, sizeof(*t), cmp_u64);
	printf("BENCH: %s n=%u ns=%llu min=%llu max=%llu torn_down=%u host_vectors=%d\n",
	       method, n, (unsigned long long)t[cnt / 2], (unsigned long long)t[0],
	       (unsigned long long)t[cnt - 1], torn_down, host_vectors);
	fflush(stdout);
}

static struct irqset before, after;

/* Grow one vector at a time; time the additions at each N */
static void dynamic(const unsigned int *ns, unsigned int nn)
{
	unsigned int i, k = 1, torn, cnt;
	uint64_t t[SAMPLES], t0;
	int err, first;

	err = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD, 0, 1, &efd[0]);
	if (err)
		fail("enabling MSI-X with vector 0", err);
	first = irq0();
	if (first < 0)
		fail("vector 0 has no interrupt in /proc/interrupts", ENOENT);
	for (i = 0; i < nn; i++) {
		for (; k < ns[i]; k++) {
			err = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD, k, 1, &efd[k]);
			if (err)
				fail("adding a vector", err);
		}
		for (torn = 0, cnt = 0; cnt < SAMPLES; cnt++, k++) {
			read_irqs(&before);
			t0 = now_ns();
			err = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD, k, 1, &efd[k]);
			t[cnt] = now_ns() - t0;
			if (err)
				fail("adding a vector", err);
			read_irqs(&after);
			if (missing(&before, &after) > torn)
				torn = missing(&before, &after);
		}
		if (irq0() != first)
			fail("vector 0 changed its interrupt while growing", EIO);
		if (after.count != (int)k)
			fail("the device has other vectors than those set", EIO);
		print("dynamic", ns[i], t, cnt, torn, after.count);
	}
	err = set_irqs(VFIO_IRQ_SET_DATA_NONE, 0, 0, NULL);
	if (err)
		fail("disabling MSI-X", err);
}

/* N live, then disable and enable with N + 1, REPS times at each N */
static void reenable(const unsigned int *ns, unsigned int nn, unsigned int reps)
{
	unsigned int i, r, torn;
	uint64_t t[MAX_REPS], t0, t1;
	int err;

	for (i = 0; i < nn; i++) {
		for (torn = 0, r = 0; r < reps; r++) {
			err = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD, 0, ns[i], efd);
			if (err)
				fail("enabling N vectors", err);
			read_irqs(&before);
			t0 = now_ns();
			err = set_irqs(VFIO_IRQ_SET_DATA_NONE, 0, 0, NULL);
			t1 = now_ns();
			if (err)
				fail("disabling MSI-X", err);
			/* The reading between the two calls is not timed */
			read_irqs(&after);
			if (missing(&before, &after) > torn)
				torn = missing(&before, &after);
			t[r] = t1 - t0;
			t0 = now_ns();
			err = set_irqs(VFIO_IRQ_SET_DATA_EVENTFD, 0, ns[i] + 1, efd);
			t[r] += now_ns() - t0;
			if (err)
				fail("re-enabling with N + 1 vectors", err);
			read_irqs(&after);
			if (after.count != (int)ns[i] + 1)
				fail("re-enabling left the wrong number of vectors", EIO);
			err = set_irqs(VFIO_IRQ_SET_DATA_NONE, 0, 0, NULL);
			if (err)
				fail("disabling MSI-X", err);
		}
		print("reenable", ns[i], t, reps, torn, after.count);
	}
}

int main(int argc, char **argv)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX };
	unsigned int ns[MAX_NS], nn = 0, i, reps = 5;
	char *p;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BDF N1,N2,... [REPS]\n", argv[0]);
		return 2;
	}
	bdf = argv[1];
	for (p = strtok(argv[2], ","); p && nn < MAX_NS; p = strtok(NULL, ",")) {
		ns[nn] = strtoul(p, NULL, 0);
		if (ns[nn] < 1 || (nn && ns[nn] <= ns[nn - 1]))
			fail("the Ns must be positive and ascending", EINVAL);
		nn++;
	}
	if (!nn)
		fail("no N given", EINVAL);
	if (argc > 3)
		reps = strtoul(argv[3], NULL, 0);
	if (reps < 1 || reps > MAX_REPS)
		fail("REPS must be 1 to 32", EINVAL);
	device = vfio_open_device("BENCH", bdf);
	if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &info))
		fail("VFIO_DEVICE_GET_IRQ_INFO", errno);
	if (ns[nn - 1] + SAMPLES > info.count || ns[nn - 1] + SAMPLES > MAX_VECTORS)
		fail("the largest N does not fit the MSI-X table", EINVAL);
	for (i = 0; i < ns[nn - 1] + SAMPLES; i++) {
		efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		if (efd[i] < 0)
			fail("eventfd", errno);
	}
	printf("BENCH: noresize=%d table=%u\n", !!(info.flags & VFIO_IRQ_INFO_NORESIZE),
	       info.count);
	fflush(stdout);
	if (!(info.flags & VFIO_IRQ_INFO_NORESIZE))
		dynamic(ns, nn);
	reenable(ns, nn, reps);
	printf("BENCH: done\n");
	return 0;
}
