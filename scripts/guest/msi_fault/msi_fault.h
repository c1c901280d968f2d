/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What msi_fault_drv.ko gives the msi_fault suite: a KUnit suite of a
 * module runs while the module is still coming up, before its sysfs
 * entries exist, so it cannot register drivers itself; msi_fault_drv is
 * loaded first and holds the PCI driver (QEMU's nvme controller, through
 * driver_override only), the mapping of its MSI-X table and the driver of
 * the auxiliary child.
 */
#ifndef MSI_FAULT_H
#define MSI_FAULT_H

#include <linux/auxiliary_bus.h>
#include <linux/pci.h>

#define fault_pdev	msi_fault_pdev
#define fault_table	msi_fault_table
#define fault_tsize	msi_fault_tsize
#define fault_driver	msi_fault_driver
#define fault_adrv	msi_fault_adrv
#define fault_nic	msi_fault_nic
#define fault_no_pin	msi_fault_no_pin
#define fault_nic_regs	msi_fault_nic_regs
#define fault_nic_table	msi_fault_nic_table
#define fault_nic_scribbled	msi_fault_nic_scribbled
#define fault_nic_release	msi_fault_nic_release

extern struct pci_dev *fault_pdev;
extern void __iomem *fault_table;
extern unsigned int fault_tsize;
extern struct pci_driver fault_driver;
extern struct pci_dev *fault_nic;
extern bool fault_no_pin;
extern void __iomem *fault_nic_regs;
extern void __iomem *fault_nic_table;
extern unsigned int fault_nic_scribbled;
extern void (*fault_nic_release)(void);
#ifdef HAVE_MSIX_DYN
extern struct auxiliary_driver fault_adrv;
#endif

#endif /* MSI_FAULT_H */
