// SPDX-License-Identifier: GPL-2.0
// Negative fixture for scripts/coccinelle/api/msi_map_index.cocci: correct uses,
// the rule must report nothing.
struct msi_map { int index; int virq; };

int good(struct pci_dev *pdev)
{
	struct msi_map map;

	map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
	if (map.index < 0)
		return map.index;
	return request_irq(map.virq, handler, 0, "x", pdev);
}

int good_goto(struct pci_dev *pdev, struct q *q)
{
	int ret;

	q->map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
	if (q->map.index < 0) {
		ret = q->map.index;
		goto out;
	}
	ret = request_irq(q->map.virq, handler, 0, "x", q);
out:
	return ret;
}
