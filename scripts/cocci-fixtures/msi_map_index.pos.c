// SPDX-License-Identifier: GPL-2.0
// Positive fixture for scripts/coccinelle/api/msi_map_index.cocci: the rule must
// report exactly the lines marked EXPECT-REPORT.
struct msi_map { int index; int virq; };

int bad_checks_virq(struct pci_dev *pdev)
{
	struct msi_map map;

	map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
	if (!map.virq) /* EXPECT-REPORT */
		return -ENOSPC;
	return request_irq(map.virq, handler, 0, "x", pdev);
}

int bad_unchecked(struct pci_dev *pdev, struct q *q)
{
	q->map = pci_msix_alloc_irq_at(pdev, 5, NULL);
	return request_irq(q->map.virq, handler, 0, "x", q); /* EXPECT-REPORT */
}

int bad_direct(struct device *dev)
{
	return pci_msix_alloc_irq_at(to_pci_dev(dev), 3, NULL).virq; /* EXPECT-REPORT */
}

int bad_virq_negative(struct device *dev)
{
	struct msi_map m = { };

	m = msi_domain_alloc_irq_at(dev, MSI_DEFAULT_DOMAIN, MSI_ANY_INDEX, NULL, NULL);
	if (m.virq <= 0) /* EXPECT-REPORT */
		return -EIO;
	return 0;
}
