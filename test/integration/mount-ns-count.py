#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# mount-ns-count.py PID: what the mount namespace of process PID holds, all of it, reachable from PID's root or
# not (listmount(2) and statmount(2) of the namespace by its ID, Linux 6.11+): "total N" (mounts) and "full N"
# (mounts of proc or sysfs with their file system's root, the ones the kernel counts as fully visible when it
# decides whether a new proc or sysfs may be mounted). /proc/PID/mountinfo shows only what is below PID's
# root: after pivot_root the two agree; after MS_MOVE + chroot (--no-pivot) the old root and what is mounted
# on it are still there, but no full proc or sysfs of the host (runc's msMoveRoot unmounts them).
import sys

from mountns import STATMOUNT_MNT_ROOT, STATMOUNT_SB_BASIC, fail, mount_ids, ns_id_of, statmount

PROC_SUPER_MAGIC, SYSFS_MAGIC = 0x9FA0, 0x62656572

ns_id = ns_id_of(sys.argv[1])
ids = mount_ids(ns_id)
if ids is None:
    fail("listmount")
full = 0
for mnt_id in ids:
    st = statmount(ns_id, mnt_id, STATMOUNT_SB_BASIC | STATMOUNT_MNT_ROOT)
    if st is None:
        fail("statmount")
    magic, root = st
    if magic in (PROC_SUPER_MAGIC, SYSFS_MAGIC) and root == b"/":
        full += 1
print(f"total {len(ids)}")
print(f"full {full}")
