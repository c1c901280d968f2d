/* SPDX-License-Identifier: GPL-2.0 */
/*
 * vfio_open.h: open a PCI device bound to vfio-pci through 6.1's
 * container and group interface, in its type 1 IOMMU group or, without
 * an IOMMU, its no-IOMMU group; for the guest programs vfio_bench.c and
 * vfio_fault.c.  On an error it prints "<PREFIX>: error <what>: <errno
 * text>" and exits 1.
 */
#ifndef VFIO_OPEN_H
#define VFIO_OPEN_H

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>

#include <linux/vfio.h>

static void vfio_fail(const char *prefix, const char *what, int err)
{
	printf("%s: error %s: %s\n", prefix, what, strerror(err));
	exit(1);
}

/* The device fd of @bdf */
static int vfio_open_device(const char *prefix, const char *bdf)
{
	struct vfio_group_status status = { .argsz = sizeof(status) };
	char link[PATH_MAX], target[PATH_MAX], path[PATH_MAX];
	int container, group, noiommu = 0, fd;
	const char *name;
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		vfio_fail(prefix, "iommu_group", errno);
	target[n] = '\0';
	name = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
	snprintf(path, sizeof(path), "/dev/vfio/%.64s", name);
	if (access(path, F_OK)) {
		snprintf(path, sizeof(path), "/dev/vfio/noiommu-%.64s", name);
		noiommu = 1;
	}
	container = open("/dev/vfio/vfio", O_RDWR);
	group = open(path, O_RDWR);
	if (container < 0 || group < 0)
		vfio_fail(prefix, "opening the container and group", errno);
	if (ioctl(group, VFIO_GROUP_GET_STATUS, &status) ||
	    !(status.flags & VFIO_GROUP_FLAGS_VIABLE))
		vfio_fail(prefix, "group not viable", EBUSY);
	if (ioctl(group, VFIO_GROUP_SET_CONTAINER, &container) ||
	    ioctl(container, VFIO_SET_IOMMU, noiommu ? VFIO_NOIOMMU_IOMMU : VFIO_TYPE1v2_IOMMU))
		vfio_fail(prefix, "setting the IOMMU", errno);
	fd = ioctl(group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (fd < 0)
		vfio_fail(prefix, "opening the device", errno);
	return fd;
}

/* VFIO_DEVICE_SET_IRQS on the MSI-X index: 0 or an errno */
static int vfio_set_msix(int device, uint32_t flags, unsigned int start, unsigned int count,
			 const int32_t *fds)
{
	static char buf[sizeof(struct vfio_irq_set) + 2048 * sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	if (count > 2048)
		return E2BIG;
	set->argsz = sizeof(*set) + (fds ? count * sizeof(int32_t) : 0);
	set->flags = flags | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = VFIO_PCI_MSIX_IRQ_INDEX;
	set->start = start;
	set->count = count;
	if (fds)
		memcpy(set->data, fds, count * sizeof(int32_t));
	return ioctl(device, VFIO_DEVICE_SET_IRQS, set) ? errno : 0;
}

#endif /* VFIO_OPEN_H */
