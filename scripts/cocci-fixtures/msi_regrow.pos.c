// SPDX-License-Identifier: GPL-2.0
// Positive fixture for scripts/coccinelle/api/msi_regrow.cocci: the rule must
// report exactly the lines marked EXPECT-REPORT.

int bad_grow(struct pci_dev *pdev, struct priv *priv)
{
	int n;

	pci_free_irq_vectors(pdev);
	n = pci_alloc_irq_vectors(pdev, priv->nvec + 1, priv->nvec + 1, PCI_IRQ_MSIX); /* EXPECT-REPORT */
	if (n < 0)
		return n;
	priv->nvec = n;
	return 0;
}

int bad_grow_affinity(struct pci_dev *pdev, struct irq_affinity *aff, int want)
{
	pci_free_irq_vectors(pdev);
	if (want > 8)
		want = 8;
	return pci_alloc_irq_vectors_affinity(pdev, 1, want, PCI_IRQ_MSIX | PCI_IRQ_AFFINITY, aff); /* EXPECT-REPORT */
}
