# SPDX-License-Identifier: GPL-2.0
# kunit.py --qemu_config for the arm64 KUnit configuration: the CPU and
# console.  The machine (virt with a GICv3 and its ITS, which TCG emulates
# since QEMU 6.2) comes from the setup, kernel-config/kunit/arm64-its.args, and
# the devices the PCI tests drive from kernel-config/kunit/
# qemu-devices.args, both through --qemu_args, as on x86_64.
from ..qemu_config import QemuArchParams

QEMU_ARCH = QemuArchParams(linux_arch='arm64',
			   kconfig='''
CONFIG_SERIAL_AMBA_PL011=y
CONFIG_SERIAL_AMBA_PL011_CONSOLE=y''',
			   qemu_arch='aarch64',
			   kernel_path='arch/arm64/boot/Image.gz',
			   kernel_command_line='console=ttyAMA0',
			   extra_qemu_params=['-cpu', 'cortex-a57'])
