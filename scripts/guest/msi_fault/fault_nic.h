/* SPDX-License-Identifier: GPL-2.0 */
/*
 * QEMU's e1000e as an interrupt source for the suites of
 * scripts/reliability: its interrupt cause set register raises receive
 * queue 0 on the MSI-X entry the IVAR register routes it to, so a test
 * sees an interrupt arrive on a chosen entry, or not, and on which CPU.
 * Static helpers, included once per module.
 */
#ifndef FAULT_NIC_H
#define FAULT_NIC_H

#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/msi.h>
#include <linux/pci.h>

#include "msi_fault.h"

/* 82574L registers in BAR0 and their bits */
#define E1000_STATUS		0x00008
#define E1000_CTRL_EXT		0x00018
#define E1000_ICR		0x000c0
#define E1000_ICS		0x000c8
#define E1000_IMS		0x000d0
#define E1000_IMC		0x000d8
#define E1000_EIAC		0x000dc
#define E1000_IAM		0x000e0
#define E1000_IVAR		0x000e4
#define E1000_ICR_RXQ0		BIT(20)
#define E1000_IVAR_VALID	0x8
#define E1000_CTRL_EXT_EIAME	BIT(24)
#define E1000_CTRL_EXT_IAME	BIT(27)
#define E1000_CTRL_EXT_PBA_CLR	BIT(31)

#define IRQ_WAIT		msecs_to_jiffies(2000)
#define IRQ_NONE_WAIT		msecs_to_jiffies(300)

struct nic_vec {
	struct msi_map map;
	struct completion done;
	atomic_t count;
	int cpu;	/* where the last interrupt arrived */
};

static __maybe_unused irqreturn_t nic_handler(int irq, void *data)
{
	struct nic_vec *v = data;

	WRITE_ONCE(v->cpu, smp_processor_id());
	atomic_inc(&v->count);
	complete(&v->done);
	return IRQ_HANDLED;
}

/* Route receive queue 0 to MSI-X entry @index, nothing automatic */
static __maybe_unused void nic_route(unsigned int index)
{
	void __iomem *r = fault_nic_regs;
	u32 ctrl_ext;

	writel(~0U, r + E1000_IMC);
	writel(~0U, r + E1000_ICR);
	writel(0, r + E1000_EIAC);
	writel(0, r + E1000_IAM);
	ctrl_ext = readl(r + E1000_CTRL_EXT);
	ctrl_ext &= ~(E1000_CTRL_EXT_EIAME | E1000_CTRL_EXT_IAME | E1000_CTRL_EXT_PBA_CLR);
	writel(ctrl_ext, r + E1000_CTRL_EXT);
	writel(E1000_IVAR_VALID | index, r + E1000_IVAR);
	writel(E1000_ICR_RXQ0, r + E1000_IMS);
}

/* Raise the routed cause: whether @v's handler ran within @timeout */
static __maybe_unused bool nic_raise(struct nic_vec *v, unsigned long timeout)
{
	bool got;

	reinit_completion(&v->done);
	writel(E1000_ICR_RXQ0, fault_nic_regs + E1000_ICS);
	readl(fault_nic_regs + E1000_STATUS);
	got = wait_for_completion_timeout(&v->done, timeout);
	writel(E1000_ICR_RXQ0, fault_nic_regs + E1000_ICR);
	/* The device throttles a vector for 128us after each message */
	usleep_range(500, 1000);
	return got;
}

static __maybe_unused bool entry_masked(unsigned int index)
{
	return readl(fault_nic_table + index * PCI_MSIX_ENTRY_SIZE +
		     PCI_MSIX_ENTRY_VECTOR_CTRL) & PCI_MSIX_ENTRY_CTRL_MASKBIT;
}

#endif /* FAULT_NIC_H */
