// SPDX-License-Identifier: GPL-2.0
/*
 * vfio_fault: vfio-pci's MSI-X vector allocation under fault injection,
 * from user space as a VMM drives it, for scripts/reliability.  Run by
 * scripts/guest/reliability-init on QEMU's e1000e bound to vfio-pci, with
 * failslab and fail_page_alloc set up as for the msi_fault suite.
 *
 * Usage: vfio_fault BDF
 *
 * Two entry points, each swept with /proc/thread-self/fail-nth: for
 * n = 1, 2, ... the n-th failable allocation of the ioctl fails, until
 * the ioctl completes without reaching it.
 *   enable  VFIO_DEVICE_SET_IRQS enabling MSI-X with vector 0 and an
 *           eventfd (both kernels; on the base, its reference)
 *   add     with vector 0 enabled, setting vector 3 with an eventfd: the
 *           series allocates exactly that vector (only where the MSI-X
 *           index has no NORESIZE)
 * At every n where the ioctl failed: an errno (ENOMEM, ENOSPC or EINVAL,
 * what vfio-pci passes on), the device's host vectors (msi_irqs/) and
 * vfio's requested interrupts (/proc/interrupts) as they were before, and
 * the same ioctl without a fault succeeds.  One exception, mainline's
 * behaviour and documented in vfio_msi_alloc_irq(): a vector "add"
 * allocated before the fault stays allocated until MSI-X is disabled, so
 * there the host may hold one vector more ("kept"); the retry uses it.  A
 * call that succeeded is taken back (MSI-X disabled, and vector 0 enabled
 * again for "add"), and then the host vectors are what they were before
 * the call, kept ones included.
 *
 * Prints "VFAULT: <entry> points=P failed=F absorbed=A" and "VFAULT:
 * <entry> map=..." (the n-th character: F the ioctl failed, . it absorbed
 * the fault) per entry point,
 * "VFAULT: problem <what>" for every check that failed, and "VFAULT: done
 * problems=N"; exit status 1 if N > 0.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <sys/eventfd.h>

#include "vfio_open.h"

#define MAX_POINTS	400

static const char *bdf;
static int device, efd0, efd3, problems;
static int nth_fd;

static void problem(const char *what, unsigned int n, int err)
{
	printf("VFAULT: problem n=%u: %s (%s)\n", n, what, strerror(err));
	problems++;
}

static int host_vectors(void)
{
	char path[PATH_MAX];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", bdf);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int vfio_irqs(void)
{
	char line[4096];
	int n = 0;
	FILE *f = fopen("/proc/interrupts", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strstr(line, "vfio-msix"))
			n++;
	fclose(f);
	return n;
}

static void set_nth(unsigned int n)
{
	char buf[16];
	int len = snprintf(buf, sizeof(buf), "%u", n);

	if (pwrite(nth_fd, buf, len, 0) != len)
		vfio_fail("VFAULT", "writing fail-nth", errno);
}

static unsigned int get_nth(void)
{
	char buf[16] = "";

	if (pread(nth_fd, buf, sizeof(buf) - 1, 0) < 0)
		vfio_fail("VFAULT", "reading fail-nth", errno);
	return strtoul(buf, NULL, 10);
}

static int enable0(void)
{
	return vfio_set_msix(device, VFIO_IRQ_SET_DATA_EVENTFD, 0, 1, &efd0);
}

static int disable(void)
{
	return vfio_set_msix(device, VFIO_IRQ_SET_DATA_NONE, 0, 0, NULL);
}

static int add3(void)
{
	return vfio_set_msix(device, VFIO_IRQ_SET_DATA_EVENTFD, 3, 1, &efd3);
}

/* Take back a call that succeeded */
static void undo(int (*call)(void))
{
	int err = disable();

	if (err)
		problem("disabling MSI-X", 0, err);
	if (call == add3) {
		err = enable0();
		if (err)
			problem("enabling vector 0 again", 0, err);
	}
}

static void sweep(const char *name, int (*call)(void))
{
	unsigned int n, left, failed = 0, absorbed = 0, kept = 0;
	char map[MAX_POINTS + 1] = "";
	int hv, hv_now, vi, err;

	for (n = 1; n <= MAX_POINTS; n++) {
		hv = host_vectors();
		vi = vfio_irqs();
		set_nth(n);
		err = call();
		left = get_nth();
		set_nth(0);
		if (!err) {
			undo(call);
			if (host_vectors() != hv)
				problem("host vectors left after MSI-X was disabled", n, 0);
			if (left)
				break;
			map[n - 1] = '.';
			absorbed++;
			continue;
		}
		map[n - 1] = 'F';
		failed++;
		if (left)
			problem("the ioctl failed without a fault", n, err);
		if (err != ENOMEM && err != ENOSPC && err != EINVAL)
			problem("an errno vfio-pci does not pass on", n, err);
		hv_now = host_vectors();
		if (call == add3 && hv_now == hv + 1)
			kept++;
		else if (hv_now != hv)
			problem("the host vectors changed", n, err);
		if (vfio_irqs() != vi)
			problem("vfio's requested interrupts changed", n, err);
		err = call();
		if (err)
			problem("the ioctl after the fault", n, err);
		else
			undo(call);
		if (host_vectors() != hv)
			problem("host vectors left after MSI-X was disabled", n, 0);
	}
	if (n > MAX_POINTS)
		problem("the sweep did not end", n, 0);
	if (!failed)
		problem("no fault point found", n, 0);
	printf("VFAULT: %s points=%u failed=%u absorbed=%u\n", name, n - 1, failed, absorbed);
	printf("VFAULT: %s map=%s\n", name, map);
	printf("VFAULT: %s kept=%u\n", name, kept);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = VFIO_PCI_MSIX_IRQ_INDEX };

	if (argc != 2) {
		fprintf(stderr, "usage: %s BDF\n", argv[0]);
		return 2;
	}
	bdf = argv[1];
	nth_fd = open("/proc/thread-self/fail-nth", O_RDWR);
	if (nth_fd < 0)
		vfio_fail("VFAULT", "/proc/thread-self/fail-nth (CONFIG_FAULT_INJECTION)", errno);
	device = vfio_open_device("VFAULT", bdf);
	if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &info))
		vfio_fail("VFAULT", "VFIO_DEVICE_GET_IRQ_INFO", errno);
	efd0 = eventfd(0, EFD_CLOEXEC);
	efd3 = eventfd(0, EFD_CLOEXEC);
	if (efd0 < 0 || efd3 < 0 || info.count < 4)
		vfio_fail("VFAULT", "eventfds, or an MSI-X table of fewer than 4", EINVAL);
	printf("VFAULT: noresize=%d table=%u\n", !!(info.flags & VFIO_IRQ_INFO_NORESIZE),
	       info.count);
	sweep("vfio_msix_enable", enable0);
	if (!(info.flags & VFIO_IRQ_INFO_NORESIZE)) {
		if (enable0())
			vfio_fail("VFAULT", "enabling vector 0", EIO);
		sweep("vfio_msix_add_vector", add3);
		disable();
	}
	printf("VFAULT: done problems=%d\n", problems);
	return problems ? 1 : 0;
}
