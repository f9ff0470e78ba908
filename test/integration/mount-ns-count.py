#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# mount-ns-count.py PID: how many mounts the mount namespace of process PID holds, all of them, reachable from
# PID's root or not (listmount(2) of the namespace by its ID, Linux 6.11+), as "total N". /proc/PID/mountinfo
# shows only those below PID's root: after pivot_root the two agree, after MS_MOVE + chroot (--no-pivot) the
# old root and what is mounted on it are still there.
import ctypes, fcntl, os, struct, sys

SYS_listmount = 458
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF
NS_GET_MNTNS_ID = 0x8008B705

fd = os.open(f"/proc/{sys.argv[1]}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
ns_id = struct.unpack("Q", fcntl.ioctl(fd, NS_GET_MNTNS_ID, b"\0" * 8))[0]
os.close(fd)
libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long
total, last = 0, 0
while True:
    # struct mnt_id_req { __u32 size, spare; __u64 mnt_id, param, mnt_ns_id; }: param = the last ID seen
    req = struct.pack("IIQQQ", 32, 0, LSMT_ROOT, last, ns_id)
    buf = (ctypes.c_uint64 * 512)()
    n = libc.syscall(SYS_listmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(512), ctypes.c_uint(0))
    if n < 0:
        e = ctypes.get_errno()
        sys.exit(f"listmount: {os.strerror(e)}")
    if n == 0:
        break
    total += n
    last = buf[n - 1]
print(f"total {total}")
