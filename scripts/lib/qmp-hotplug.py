#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The host's half of the hot-unplug boot of scripts/reliability.

Usage: qmp-hotplug.py CONSOLE_LOG QMP_SOCKET DEVICE_ID BUS NETDEV

Waits for the guest's line "RELI: unplug <bdf> now" in the console log,
removes the device DEVICE_ID over QMP (device_del) and waits for QEMU's
DEVICE_DELETED event, waits for the guest's "RELI: unplugged" line, then
plugs an e1000e back into BUS with NETDEV (device_add).  Prints one
"QMP: ..." line per step; exits non-zero when a step did not happen in
time (the guest's own timeouts then end the boot).
"""
import json
import os
import re
import select
import socket
import sys
import time


def wait_line(path, pattern, timeout):
    end = time.time() + timeout
    while time.time() < end:
        if os.path.exists(path) and re.search(pattern, open(path, errors="replace").read(), re.M):
            return True
        time.sleep(0.5)
    return False


class Qmp:
    """A QMP client that reads the socket itself: a file object over a
    socket breaks for good on its first timeout"""

    def __init__(self, path, timeout):
        end = time.time() + timeout
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > end:
                    raise
                time.sleep(0.5)
        self.buf = b""
        self.events = []
        self.read(30)                           # the greeting
        self.cmd("qmp_capabilities")

    def read(self, timeout):
        """The next message, or None after TIMEOUT seconds"""
        end = time.time() + timeout
        while b"\n" not in self.buf:
            left = end - time.time()
            if left <= 0 or not select.select([self.s], [], [], left)[0]:
                return None
            data = self.s.recv(65536)
            if not data:
                raise EOFError("QEMU closed the QMP socket")
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def cmd(self, name, **args):
        self.s.sendall((json.dumps({"execute": name, "arguments": args}) + "\n").encode())
        while True:
            msg = self.read(60)
            if msg is None:
                raise RuntimeError(f"{name}: no answer")
            if "event" in msg:
                self.events.append(msg)
                continue
            if "error" in msg:
                raise RuntimeError(f"{name}: {msg['error'].get('desc')}")
            return msg.get("return")

    def wait_event(self, name, device, timeout):
        end = time.time() + timeout
        while True:
            for e in self.events:
                if e["event"] == name and e.get("data", {}).get("device") == device:
                    return True
            left = end - time.time()
            if left <= 0:
                return False
            msg = self.read(left)
            if msg is not None:
                self.events.append(msg)


def main():
    log, sock, dev, bus, netdev = sys.argv[1:6]
    if not wait_line(log, r"^RELI: unplug \S+ now$", 900):
        print("QMP: the guest never asked for the unplug")
        return 1
    q = Qmp(sock, 30)
    t0 = time.time()
    q.cmd("device_del", id=dev)
    if not q.wait_event("DEVICE_DELETED", dev, 120):
        print("QMP: no DEVICE_DELETED within 120 s")
        return 1
    print(f"QMP: device_del {dev}: DEVICE_DELETED after {time.time() - t0:.1f} s")
    if not wait_line(log, r"^RELI: unplugged 0$", 120):
        print("QMP: the guest did not see the device go")
        return 1
    q.cmd("device_add", driver="e1000e", id=dev, bus=bus, netdev=netdev)
    print(f"QMP: device_add e1000e {dev} on {bus}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
