// SPDX-License-Identifier: GPL-2.0
// Negative fixture for scripts/coccinelle/api/msi_map_free.cocci: correct uses,
// the rule must report nothing.
struct msi_map { int index; int virq; };

int good(struct pci_dev *pdev)
{
	struct msi_map map;
	int ret;

	map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
	if (map.index < 0)
		return map.index;
	ret = request_irq(map.virq, handler, 0, "x", pdev);
	if (ret)
		goto free_map;
	return 0;
free_map:
	pci_msix_free_irq(pdev, map);
	return ret;
}

void good_teardown(struct pci_dev *pdev, struct q *q)
{
	free_irq(q->map.virq, q);
	pci_msix_free_irq(pdev, q->map);
}
