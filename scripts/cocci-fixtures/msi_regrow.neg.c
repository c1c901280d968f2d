// SPDX-License-Identifier: GPL-2.0
// Negative fixture for scripts/coccinelle/api/msi_regrow.cocci: correct uses,
// the rule must report nothing.

int good_probe(struct pci_dev *pdev)
{
	return pci_alloc_irq_vectors(pdev, 1, 4, PCI_IRQ_MSIX);
}

void good_remove(struct pci_dev *pdev)
{
	pci_free_irq_vectors(pdev);
}

int good_other_device(struct pci_dev *a, struct pci_dev *b)
{
	pci_free_irq_vectors(a);
	return pci_alloc_irq_vectors(b, 1, 2, PCI_IRQ_MSIX);
}
