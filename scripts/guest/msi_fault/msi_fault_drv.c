// SPDX-License-Identifier: GPL-2.0
/*
 * msi_fault_drv: the drivers of the msi_fault and msi_stress suites
 * (msi_fault.h says why they are a module of their own).  The PCI
 * drivers bind QEMU's nvme controller (1b36:0010) and QEMU's e1000e
 * (8086:10d3, whose registers can raise an interrupt on a chosen MSI-X
 * entry) only where driver_override names them, enable the device and
 * map its MSI-X table once; the auxiliary driver binds the suites' child
 * devices and does nothing else.
 */
#include <linux/auxiliary_bus.h>
#include <linux/io.h>
#include <linux/module.h>
#include <linux/pci.h>

#include "msi_fault.h"

struct pci_dev *fault_pdev;
EXPORT_SYMBOL_GPL(fault_pdev);
void __iomem *fault_table;
EXPORT_SYMBOL_GPL(fault_table);
unsigned int fault_tsize;
EXPORT_SYMBOL_GPL(fault_tsize);

/*
 * For showing the base's oops that msi_fault's pins keep away.  A
 * parameter of this module: 6.1 runs a module's KUnit suites before it
 * parses the module's parameters.
 */
bool fault_no_pin;
EXPORT_SYMBOL_GPL(fault_no_pin);
module_param_named(no_pin, fault_no_pin, bool, 0444);
MODULE_PARM_DESC(no_pin, "msi_fault does not pin interrupt numbers (6.1 then oopses)");

struct pci_dev *fault_nic;
EXPORT_SYMBOL_GPL(fault_nic);
void __iomem *fault_nic_regs;
EXPORT_SYMBOL_GPL(fault_nic_regs);
void __iomem *fault_nic_table;
EXPORT_SYMBOL_GPL(fault_nic_table);
/* Set by the suspend of the e1000e's driver, msi_stress checks it */
unsigned int fault_nic_scribbled;
EXPORT_SYMBOL_GPL(fault_nic_scribbled);

/* Enable @pdev and map its MSI-X table, once for the module's lifetime */
static int fault_enable(struct pci_dev *pdev, void __iomem **tablep, unsigned int *sizep)
{
	u32 table;
	int ret;

	ret = pcim_enable_device(pdev);
	if (ret)
		return ret;
	if (!pdev->msix_cap)
		return -ENODEV;
	if (!*tablep) {
		pci_read_config_dword(pdev, pdev->msix_cap + PCI_MSIX_TABLE, &table);
		*sizep = pci_msix_vec_count(pdev);
		*tablep = pci_iomap_range(pdev, table & PCI_MSIX_TABLE_BIR,
					  table & PCI_MSIX_TABLE_OFFSET,
					  *sizep * PCI_MSIX_ENTRY_SIZE);
		if (!*tablep)
			return -ENOMEM;
	}
	return 0;
}

static int fault_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret = fault_enable(pdev, &fault_table, &fault_tsize);

	if (ret)
		return ret;
	fault_pdev = pdev;
	return 0;
}

static const struct pci_device_id fault_ids[] = {
	/* QEMU's nvme controller, and only through driver_override */
	{ PCI_DEVICE_DRIVER_OVERRIDE(0x1b36, 0x0010, 1) },
	{ }
};

struct pci_driver fault_driver = {
	.name = "msi_fault",
	.id_table = fault_ids,
	.probe = fault_probe,
};
EXPORT_SYMBOL_GPL(fault_driver);

static unsigned int fault_nic_tsize;

/*
 * What the e1000e's driver gives back before the device goes (a hot
 * unplug, an unbind): msi_pm's vectors and child, as a real driver's
 * remove() would; set while msi_pm holds them
 */
void (*fault_nic_release)(void);
EXPORT_SYMBOL_GPL(fault_nic_release);

/* Mapped per binding: a hot-plugged e1000e is another device */
static int fault_nic_probe(struct pci_dev *pdev, const struct pci_device_id *id)
{
	int ret = fault_enable(pdev, &fault_nic_table, &fault_nic_tsize);

	if (ret)
		return ret;
	fault_nic_regs = pci_iomap(pdev, 0, 0);
	if (!fault_nic_regs) {
		pci_iounmap(pdev, fault_nic_table);
		fault_nic_table = NULL;
		return -ENOMEM;
	}
	pci_set_master(pdev);
	fault_nic = pdev;
	return 0;
}

static void fault_nic_remove(struct pci_dev *pdev)
{
	if (fault_nic_release)
		fault_nic_release();
	pci_iounmap(pdev, fault_nic_regs);
	pci_iounmap(pdev, fault_nic_table);
	fault_nic_regs = NULL;
	fault_nic_table = NULL;
	fault_nic = NULL;
}

/*
 * A device in a low-power state may lose its MSI-X table; QEMU keeps it.
 * Overwrite every entry as a device reset leaves it (zero, masked), last
 * thing before the PCI core saves the configuration (which has no table
 * in it) and powers the device down, so that the resume restores the
 * table from the descriptors or the test sees it did not.
 */
static int fault_nic_suspend_noirq(struct device *dev)
{
	unsigned int i;

	for (i = 0; i < fault_nic_tsize; i++) {
		void __iomem *e = fault_nic_table + i * PCI_MSIX_ENTRY_SIZE;

		writel(0, e + PCI_MSIX_ENTRY_LOWER_ADDR);
		writel(0, e + PCI_MSIX_ENTRY_UPPER_ADDR);
		writel(0, e + PCI_MSIX_ENTRY_DATA);
		writel(PCI_MSIX_ENTRY_CTRL_MASKBIT, e + PCI_MSIX_ENTRY_VECTOR_CTRL);
	}
	readl(fault_nic_table);
	fault_nic_scribbled++;
	return 0;
}

static const struct dev_pm_ops fault_nic_pm = {
	.suspend_noirq = fault_nic_suspend_noirq,
};

static const struct pci_device_id fault_nic_ids[] = {
	/* QEMU's e1000e, and only through driver_override */
	{ PCI_DEVICE_DRIVER_OVERRIDE(PCI_VENDOR_ID_INTEL, 0x10d3, 1) },
	{ }
};

static struct pci_driver fault_nic_driver = {
	.name = "msi_fault_nic",
	.id_table = fault_nic_ids,
	.probe = fault_nic_probe,
	.remove = fault_nic_remove,
	.driver.pm = &fault_nic_pm,
};

#ifdef HAVE_MSIX_DYN
static int fault_aux_probe(struct auxiliary_device *adev, const struct auxiliary_device_id *id)
{
	return 0;
}

static const struct auxiliary_device_id fault_aux_ids[] = {
	{ .name = "msi_fault.fault" },
	{ .name = "msi_stress.stress" },
	{ .name = "msi_pm.pm" },
	{ }
};

struct auxiliary_driver fault_adrv = {
	.name = "child",
	.probe = fault_aux_probe,
	.id_table = fault_aux_ids,
};
EXPORT_SYMBOL_GPL(fault_adrv);
#endif

static int __init fault_drv_init(void)
{
	int ret = pci_register_driver(&fault_driver);

	if (ret)
		return ret;
	ret = pci_register_driver(&fault_nic_driver);
	if (ret)
		goto err_nic;
#ifdef HAVE_MSIX_DYN
	ret = auxiliary_driver_register(&fault_adrv);
	if (ret)
		goto err_aux;
#endif
	return 0;
#ifdef HAVE_MSIX_DYN
err_aux:
	pci_unregister_driver(&fault_nic_driver);
#endif
err_nic:
	pci_unregister_driver(&fault_driver);
	return ret;
}
module_init(fault_drv_init);

static void __exit fault_drv_exit(void)
{
#ifdef HAVE_MSIX_DYN
	auxiliary_driver_unregister(&fault_adrv);
#endif
	pci_unregister_driver(&fault_nic_driver);
	if (fault_table)
		pci_iounmap(fault_pdev, fault_table);
	pci_unregister_driver(&fault_driver);
}
module_exit(fault_drv_exit);

MODULE_DESCRIPTION("Drivers of the msi_fault suite (scripts/reliability)");
MODULE_LICENSE("GPL");
