/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What msi_pm.ko holds across a suspend and resume for msi_pm_check.ko:
 * the e1000e's MSI-X vectors, static, dynamic and its auxiliary child's,
 * each requested, with the MSI-X entry it lives in and that entry's
 * message as it was before the suspend.
 */
#ifndef MSI_PM_H
#define MSI_PM_H

#include "fault_nic.h"
#include "fault_state.h"

#define PM_VECS		4

struct pm_vec {
	struct nic_vec v;
	bool child;
	unsigned int entry;
	u32 addr_lo, addr_hi, data;
};

struct pm_hold_state {
	struct pm_vec vec[PM_VECS];
	unsigned int nvecs;
	struct fault_state before;
	bool held;
};

#define pm_held		msi_pm_held
#define pm_release	msi_pm_release

extern struct pm_hold_state pm_held;
void pm_release(void);

#endif /* MSI_PM_H */
