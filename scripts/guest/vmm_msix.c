// SPDX-License-Identifier: GPL-2.0
/*
 * vmm_msix: a real VMM's MSI-X sequence against vfio-pci, seen from the
 * host.  Runs QEMU (8.2 or later) with the host device passed through
 * with vfio-pci and its virtual CPUs stopped (-S: Debian's QEMU has no
 * qtest accelerator, and no guest code is needed), and plays the guest's
 * part over the qtest protocol: it assigns the device's BARs in the
 * virtual machine,
 * fills MSI-X table entries 0 and LATER (their messages point at guest
 * RAM), enables MSI-X with every entry masked, unmasks entry 0, then entry
 * LATER, as a guest driver requesting its interrupts one after another
 * does.  After each step it reads what the host holds: the vectors in the
 * device's msi_irqs/ and the Linux interrupts vfio-pci requested for
 * entries 0 and LATER (/proc/interrupts).  It raises each entry's cause in
 * the device (an Intel 82574L, QEMU's e1000e: receive queue 0 routed by
 * IVAR, set by ICS, written through the BAR as the guest would) and checks
 * that QEMU wrote the entry's message into guest RAM: the interrupt went
 * from the device through vfio-pci and QEMU to the guest.
 *
 * Usage: vmm_msix BDF QEMU [QEMU ARGUMENTS...]
 *   BDF   the host device, bound to vfio-pci (for example 0000:00:03.0),
 *         or "emulated" for QEMU's own e1000e (to check this program: no
 *         host state to report then)
 *   QEMU  the QEMU binary; the arguments given, then "-accel tcg -S
 *         -qtest stdio -machine q35 -device vfio-pci,host=BDF,addr=03.0"
 *         are passed to it; its standard error (the trace) is left to the
 *         caller
 *
 * Prints "VMM: <step> host_vectors=N irq0=N count0=N irqLATER=N
 * countLATER=N [delivered=0|1]" lines (irq and count -1: no interrupt
 * requested; a count is what /proc/interrupts shows for the interrupt, so
 * it starts from 0 again when the interrupt was freed and requested anew)
 * and "VMM: done" at the end, or "VMM: error <what>" and exits 1.  What
 * is expected of the lines (vector 0 keeps its interrupt, or loses it
 * where QEMU has to re-enable MSI-X) is for the caller to judge.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#define LATER		3
/* Where the virtual machine sees the device, and what it puts where */
#define VM_DEVFN	(3 << 3)
#define BAR0_GPA	0xc0000000u
#define MSIX_BAR_GPA	0xc0100000u
#define MSG_GPA		0x00100000u
#define MSG_DATA	0xa000u

/* e1000e registers, in BAR0 */
#define E1000_STATUS	0x00008
#define E1000_CTRL_EXT	0x00018
#define E1000_ICR	0x000c0
#define E1000_ICS	0x000c8
#define E1000_IMS	0x000d0
#define E1000_IMC	0x000d8
#define E1000_EIAC	0x000dc
#define E1000_IAM	0x000e0
#define E1000_IVAR	0x000e4
#define E1000_ICR_RXQ0	(1u << 20)
#define E1000_IVAR_VALID 0x8u
#define E1000_CTRL_EXT_CLEAR ((1u << 24) | (1u << 27) | (1u << 31))

static FILE *to_qemu, *from_qemu;
static pid_t qemu_pid;
static const char *bdf;

static void fail(const char *fmt, ...)
{
	va_list ap;

	printf("VMM: error ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	if (qemu_pid > 0)
		kill(qemu_pid, SIGTERM);
	exit(1);
}

/* One qtest command; returns the value of an "OK <value>" answer */
static uint64_t qtest(const char *fmt, ...)
{
	char line[256];
	va_list ap;

	va_start(ap, fmt);
	vfprintf(to_qemu, fmt, ap);
	va_end(ap);
	fputc('\n', to_qemu);
	fflush(to_qemu);
	do {
		if (!fgets(line, sizeof(line), from_qemu))
			fail("QEMU closed the qtest channel");
	} while (!strncmp(line, "IRQ ", 4));
	if (strncmp(line, "OK", 2))
		fail("qtest: %s", line);
	return line[2] == ' ' ? strtoull(line + 3, NULL, 0) : 0;
}

static uint32_t cfg_read32(unsigned int reg)
{
	qtest("outl 0xcf8 0x%x", 0x80000000u | (VM_DEVFN << 8) | (reg & ~3u));
	return qtest("inl 0xcfc");
}

static void cfg_write32(unsigned int reg, uint32_t val)
{
	qtest("outl 0xcf8 0x%x", 0x80000000u | (VM_DEVFN << 8) | (reg & ~3u));
	qtest("outl 0xcfc 0x%x", val);
}

static void cfg_write16(unsigned int reg, uint16_t val)
{
	qtest("outl 0xcf8 0x%x", 0x80000000u | (VM_DEVFN << 8) | (reg & ~3u));
	qtest("outw 0x%x 0x%x", 0xcfc + (reg & 2), val);
}

static uint16_t cfg_read16(unsigned int reg)
{
	return cfg_read32(reg) >> ((reg & 2) * 8);
}

static void mmio_write(uint64_t gpa, uint32_t val)
{
	qtest("writel 0x%llx 0x%x", (unsigned long long)gpa, val);
}

static uint32_t mmio_read(uint64_t gpa)
{
	return qtest("readl 0x%llx", (unsigned long long)gpa);
}

/* The host's view: vectors allocated for the device */
static int host_vectors(void)
{
	char path[256];
	struct dirent *e;
	int n = 0;
	DIR *d;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/msi_irqs", bdf);
	d = opendir(path);
	if (!d)
		return 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

/*
 * The host's view: the Linux interrupt vfio-pci requested for @vec, and
 * how often it fired (summed over the CPUs), from /proc/interrupts
 */
static int host_irq(unsigned int vec, long *count)
{
	char name[64], line[4096], *p, *end;
	int irq = -1;
	long n;
	FILE *f;

	*count = -1;
	snprintf(name, sizeof(name), "vfio-msix[%u](%s)", vec, bdf);
	f = fopen("/proc/interrupts", "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strstr(line, name))
			continue;
		irq = atoi(line);
		*count = 0;
		p = strchr(line, ':');
		while (p) {
			n = strtol(p + 1, &end, 10);
			if (end == p + 1)
				break;
			*count += n;
			p = end;
		}
		break;
	}
	fclose(f);
	return irq;
}

/*
 * Raise entry @vec's cause in the device and wait for QEMU to write the
 * entry's message to guest RAM; returns whether it did
 */
static int raise_and_wait(unsigned int vec)
{
	uint64_t bar0 = BAR0_GPA;
	uint32_t ctrl_ext;
	int i;

	mmio_write(MSG_GPA + vec * 4, 0);
	mmio_write(bar0 + E1000_IMC, ~0u);
	mmio_write(bar0 + E1000_ICR, ~0u);
	mmio_write(bar0 + E1000_EIAC, 0);
	mmio_write(bar0 + E1000_IAM, 0);
	ctrl_ext = mmio_read(bar0 + E1000_CTRL_EXT);
	mmio_write(bar0 + E1000_CTRL_EXT, ctrl_ext & ~E1000_CTRL_EXT_CLEAR);
	mmio_write(bar0 + E1000_IVAR, E1000_IVAR_VALID | vec);
	mmio_write(bar0 + E1000_IMS, E1000_ICR_RXQ0);
	mmio_write(bar0 + E1000_ICS, E1000_ICR_RXQ0);
	mmio_read(bar0 + E1000_STATUS);
	for (i = 0; i < 200; i++) {
		if (mmio_read(MSG_GPA + vec * 4) == MSG_DATA + vec)
			break;
		usleep(10000);
	}
	mmio_write(bar0 + E1000_ICR, E1000_ICR_RXQ0);
	mmio_write(bar0 + E1000_IMC, ~0u);
	return i < 200;
}

static void report(const char *step, int delivered)
{
	long count0, count_later;
	int irq0, irq_later;

	irq0 = host_irq(0, &count0);
	irq_later = host_irq(LATER, &count_later);
	printf("VMM: %s host_vectors=%d irq0=%d count0=%ld irq%d=%d count%d=%ld",
	       step, host_vectors(), irq0, count0, LATER, irq_later, LATER,
	       count_later);
	if (delivered >= 0)
		printf(" delivered=%d", delivered);
	printf("\n");
	fflush(stdout);
}

static void start_qemu(int argc, char **argv)
{
	int in[2], out[2], i, n = 0;
	char **args, dev[128];

	if (!strcmp(bdf, "emulated"))
		snprintf(dev, sizeof(dev), "e1000e,addr=03.0");
	else
		snprintf(dev, sizeof(dev), "vfio-pci,host=%s,addr=03.0,rombar=0", bdf);
	args = calloc(argc + 16, sizeof(*args));
	if (!args || pipe(in) || pipe(out))
		fail("no memory or pipes");
	args[n++] = argv[2];
	for (i = 3; i < argc; i++)
		args[n++] = argv[i];
	args[n++] = "-accel";
	args[n++] = "tcg";
	args[n++] = "-S";
	args[n++] = "-qtest";
	args[n++] = "stdio";
	args[n++] = "-machine";
	args[n++] = "q35";
	args[n++] = "-device";
	args[n++] = dev;
	qemu_pid = fork();
	if (qemu_pid < 0)
		fail("fork: %s", strerror(errno));
	if (!qemu_pid) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execv(args[0], args);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	to_qemu = fdopen(in[1], "w");
	from_qemu = fdopen(out[0], "r");
	if (!to_qemu || !from_qemu)
		fail("fdopen");
}

int main(int argc, char **argv)
{
	unsigned int cap, bir, table, vec, entries;
	uint64_t table_gpa;
	uint32_t id;
	int status;

	if (argc < 3) {
		fprintf(stderr, "usage: %s BDF QEMU [ARGS...]\n", argv[0]);
		return 2;
	}
	bdf = argv[1];
	start_qemu(argc, argv);

	id = cfg_read32(0);
	if (id != 0x10d38086)
		fail("the virtual machine's device 00:03.0 is %08x, not an 82574L", id);
	for (cap = cfg_read16(0x34) & 0xfc; cap; cap = (cfg_read16(cap) >> 8) & 0xfc)
		if ((cfg_read16(cap) & 0xff) == 0x11)
			break;
	if (!cap)
		fail("no MSI-X capability");
	entries = (cfg_read16(cap + 2) & 0x7ff) + 1;
	table = cfg_read32(cap + 4);
	bir = table & 7;
	table &= ~7u;
	if (entries <= LATER || bir == 0 || bir > 5)
		fail("MSI-X table of %u entries in BAR%u", entries, bir);

	/* Memory BARs: 0 (registers) and the table's; decoding and mastering on */
	cfg_write32(0x10, BAR0_GPA);
	cfg_write32(0x10 + bir * 4, MSIX_BAR_GPA);
	cfg_write16(0x04, cfg_read16(0x04) | 0x6);
	table_gpa = MSIX_BAR_GPA + table;

	/* Entries 0 and LATER: a message into guest RAM each, still masked */
	for (vec = 0; vec <= LATER; vec += LATER) {
		mmio_write(table_gpa + vec * 16 + 0, MSG_GPA + vec * 4);
		mmio_write(table_gpa + vec * 16 + 4, 0);
		mmio_write(table_gpa + vec * 16 + 8, MSG_DATA + vec);
	}
	report("start", -1);

	/* The guest enables MSI-X, all entries masked */
	cfg_write16(cap + 2, cfg_read16(cap + 2) | 0x8000);
	report("enable", -1);

	/* It unmasks entry 0 (requests its first interrupt) */
	mmio_write(table_gpa + 0 * 16 + 12, 0);
	usleep(100000);
	report("unmask0", raise_and_wait(0));

	/* Later it unmasks entry LATER */
	mmio_write(table_gpa + LATER * 16 + 12, 0);
	usleep(100000);
	report("unmask_later", raise_and_wait(LATER));

	/* Entry 0 still delivers */
	report("again0", raise_and_wait(0));

	/* The guest disables MSI-X */
	cfg_write16(cap + 2, cfg_read16(cap + 2) & ~0x8000);
	usleep(100000);
	report("disable", -1);

	fclose(to_qemu);
	kill(qemu_pid, SIGTERM);
	waitpid(qemu_pid, &status, 0);
	printf("VMM: done\n");
	return 0;
}
