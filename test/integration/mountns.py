# SPDX-License-Identifier: LGPL-2.1-or-later
"""A mount namespace's mounts by its ID, whether a process is in it or not: listmount(2) and statmount(2), Linux
6.11+. For mount-ns-count.py and mount-ns-rooted.py."""
import ctypes, errno, fcntl, os, struct, sys

SYS_statmount, SYS_listmount = 457, 458
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF
NS_GET_MNTNS_ID = 0x8008B705
STATMOUNT_SB_BASIC, STATMOUNT_MNT_ROOT = 0x1, 0x8
STR_OFFSET = 512        # struct statmount: the strings follow the fixed part (__spare2 keeps it at 512)

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long


def fail(what):
    sys.exit(f"{what}: {os.strerror(ctypes.get_errno())}")


def ns_id_of(pid):
    """The ID of the mount namespace of process PID."""
    fd = os.open(f"/proc/{pid}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    try:
        return struct.unpack("Q", fcntl.ioctl(fd, NS_GET_MNTNS_ID, b"\0" * 8))[0]
    finally:
        os.close(fd)


def mount_ids(ns_id):
    """The IDs of every mount of namespace NS_ID, or None if there is no such namespace (any more)."""
    ids, last = [], 0
    while True:
        # struct mnt_id_req { __u32 size, spare; __u64 mnt_id, param, mnt_ns_id; }: param = the last ID seen
        req = struct.pack("IIQQQ", 32, 0, LSMT_ROOT, last, ns_id)
        buf = (ctypes.c_uint64 * 512)()
        n = libc.syscall(SYS_listmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(512), ctypes.c_uint(0))
        if n < 0:
            if ctypes.get_errno() == errno.ENOENT:
                return None
            fail(f"listmount of mount namespace {ns_id}")
        if n == 0:
            return ids
        ids += buf[:n]
        last = buf[n - 1]


def statmount(ns_id, mnt_id, mask):
    """(superblock magic, root of the mount in its file system) of mount MNT_ID, or None if it is gone."""
    req = struct.pack("IIQQQ", 32, 0, mnt_id, mask, ns_id)
    buf = ctypes.create_string_buffer(8192)
    if libc.syscall(SYS_statmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(len(buf)), ctypes.c_uint(0)) < 0:
        return None
    raw = buf.raw
    root_off = struct.unpack_from("I", raw, 104)[0]
    return struct.unpack_from("Q", raw, 24)[0], raw[STR_OFFSET + root_off:].split(b"\0", 1)[0]
