// SPDX-License-Identifier: GPL-2.0
// Positive fixture for scripts/coccinelle/api/msi_map_free.cocci: the rule must
// report exactly the lines marked EXPECT-REPORT.
struct msi_map { int index; int virq; };

void bad_unchecked(struct pci_dev *pdev)
{
	struct msi_map map;

	map = pci_msix_alloc_irq_at(pdev, 4, NULL);
	do_something();
	pci_msix_free_irq(pdev, map); /* EXPECT-REPORT */
}

int bad_in_failure_branch(struct pci_dev *pdev, struct q *q)
{
	q->map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
	if (q->map.index < 0) {
		pci_msix_free_irq(pdev, q->map); /* EXPECT-REPORT */
		return -ENOSPC;
	}
	return 0;
}

int bad_goto(struct pci_dev *pdev)
{
	struct msi_map map;
	int ret;

	map = pci_msix_alloc_irq_at(pdev, MSI_ANY_INDEX, NULL);
	if (map.index < 0)
		goto err;
	ret = request_irq(map.virq, handler, 0, "x", pdev);
	if (ret)
		goto err;
	return 0;
err:
	pci_msix_free_irq(pdev, map); /* EXPECT-REPORT */
	return -EIO;
}
