#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# mount-ns-count.py PID: what the mount namespace of process PID holds, all of it, reachable from PID's root or
# not (listmount(2) and statmount(2) of the namespace by its ID, Linux 6.11+): "total N" (mounts) and "full N"
# (mounts of proc or sysfs with their file system's root, the ones the kernel counts as fully visible when it
# decides whether a new proc or sysfs may be mounted). /proc/PID/mountinfo shows only what is below PID's
# root: after pivot_root the two agree; after MS_MOVE + chroot (--no-pivot) the old root and what is mounted
# on it are still there, but no full proc or sysfs of the host (runc's msMoveRoot unmounts them).
import ctypes, fcntl, os, struct, sys

SYS_statmount, SYS_listmount = 457, 458
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF
NS_GET_MNTNS_ID = 0x8008B705
STATMOUNT_SB_BASIC, STATMOUNT_MNT_ROOT = 0x1, 0x8
PROC_SUPER_MAGIC, SYSFS_MAGIC = 0x9FA0, 0x62656572
STR_OFFSET = 512        # struct statmount: the strings follow the fixed part (__spare2 keeps it at 512)

fd = os.open(f"/proc/{sys.argv[1]}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
ns_id = struct.unpack("Q", fcntl.ioctl(fd, NS_GET_MNTNS_ID, b"\0" * 8))[0]
os.close(fd)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def fail(what):
    sys.exit(f"{what}: {os.strerror(ctypes.get_errno())}")


ids, last = [], 0
while True:
    # struct mnt_id_req { __u32 size, spare; __u64 mnt_id, param, mnt_ns_id; }: param = the last ID seen
    req = struct.pack("IIQQQ", 32, 0, LSMT_ROOT, last, ns_id)
    buf = (ctypes.c_uint64 * 512)()
    n = libc.syscall(SYS_listmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(512), ctypes.c_uint(0))
    if n < 0:
        fail("listmount")
    if n == 0:
        break
    ids += buf[:n]
    last = buf[n - 1]

full = 0
for mnt_id in ids:
    req = struct.pack("IIQQQ", 32, 0, mnt_id, STATMOUNT_SB_BASIC | STATMOUNT_MNT_ROOT, ns_id)
    buf = ctypes.create_string_buffer(8192)
    if libc.syscall(SYS_statmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(len(buf)), ctypes.c_uint(0)) < 0:
        fail("statmount")
    raw = buf.raw
    magic = struct.unpack_from("Q", raw, 24)[0]
    root_off = struct.unpack_from("I", raw, 104)[0]
    root = raw[STR_OFFSET + root_off:].split(b"\0", 1)[0]
    if magic in (PROC_SUPER_MAGIC, SYSFS_MAGIC) and root == b"/":
        full += 1
print(f"total {len(ids)}")
print(f"full {full}")
