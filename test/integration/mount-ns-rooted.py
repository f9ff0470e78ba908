#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# mount-ns-rooted.py REF SUFFIX [SPAN]: the live mount namespaces, among those whose IDs are within SPAN (64) of
# REF's, with a mount of a directory whose path in its file system ends in SUFFIX (a machine's root,
# bind-mounted): "N ID...". REF is a PID (its mount namespace) or a namespace ID. A namespace that only an fd holds, or one in
# flight in a socket, counts too: each ID is looked up with listmount(2) (Linux 6.11+), which fails with ENOENT
# for one that is gone; IDs are handed out in order, so a container's namespaces are near each other.
import ctypes, errno, fcntl, os, struct, sys

SYS_statmount, SYS_listmount = 457, 458
LSMT_ROOT = 0xFFFFFFFFFFFFFFFF
NS_GET_MNTNS_ID = 0x8008B705
STATMOUNT_MNT_ROOT = 0x8
STR_OFFSET = 512

libc = ctypes.CDLL(None, use_errno=True)
libc.syscall.restype = ctypes.c_long

ref, suffix = sys.argv[1], sys.argv[2].encode()
span = int(sys.argv[3]) if len(sys.argv) > 3 else 64
if ref.startswith("id:"):
    ref_id = int(ref[3:])
else:
    fd = os.open(f"/proc/{ref}/ns/mnt", os.O_RDONLY | os.O_CLOEXEC)
    ref_id = struct.unpack("Q", fcntl.ioctl(fd, NS_GET_MNTNS_ID, b"\0" * 8))[0]
    os.close(fd)


def mounts(ns_id):
    """The IDs of the mounts of namespace NS_ID, or None if there is no such namespace."""
    ids, last = [], 0
    while True:
        req = struct.pack("IIQQQ", 32, 0, LSMT_ROOT, last, ns_id)
        buf = (ctypes.c_uint64 * 512)()
        n = libc.syscall(SYS_listmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(512), ctypes.c_uint(0))
        if n < 0:
            if ctypes.get_errno() == errno.ENOENT:
                return None
            sys.exit(f"listmount of namespace {ns_id}: {os.strerror(ctypes.get_errno())}")
        if n == 0:
            return ids
        ids += buf[:n]
        last = buf[n - 1]


def rooted(ns_id, ids):
    for mnt_id in ids:
        req = struct.pack("IIQQQ", 32, 0, mnt_id, STATMOUNT_MNT_ROOT, ns_id)
        buf = ctypes.create_string_buffer(8192)
        if libc.syscall(SYS_statmount, ctypes.c_char_p(req), buf, ctypes.c_size_t(len(buf)), ctypes.c_uint(0)) < 0:
            continue        # gone meanwhile
        off = struct.unpack_from("I", buf.raw, 104)[0]
        if buf.raw[STR_OFFSET + off:].split(b"\0", 1)[0].endswith(suffix):
            return True
    return False


found = [i for i in range(max(1, ref_id - span), ref_id + span + 1)
         if (ids := mounts(i)) is not None and rooted(i, ids)]
print(len(found), *found)
