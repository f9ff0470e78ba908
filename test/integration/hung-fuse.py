#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# hung-fuse.py MOUNTPOINT [--answer-init]: a FUSE "server" that never answers, for the tests of a hung file
# system (test-hung-fs.sh). It opens /dev/fuse, mounts it at MOUNTPOINT (mount -t fuse -o fd=N,...: no FUSE
# package needed), prints the connection's number (the N of /sys/fs/fuse/connections/N) and stays.
#
# Without --answer-init it reads nothing: every request, INIT first, stays queued in the kernel, and whoever
# looks anything up below MOUNTPOINT waits for the connection to be initialized (a killable wait).
# With --answer-init it answers INIT only, then reads every request and answers none: a lookup is then in the
# server's hands, and its caller waits uninterruptibly (state D: even SIGKILL takes effect only once the answer
# comes or the connection is aborted), as with a dead NFS server.
#
# With --into PID:PATH the mount is also cloned (open_tree(), which sends the server nothing) and attached at PATH in
# the mount namespace of process PID (a container's /dev: whatever opens something there waits, too).
#
# It ends when the connection is aborted (echo 1 >/sys/fs/fuse/connections/N/abort) or when it is killed:
# closing /dev/fuse aborts the connection too. The mount itself stays until unmounted (umount -l).

import ctypes
import os
import struct
import subprocess
import sys
import time

FUSE_INIT = 26


def connection_of(mountpoint):
    # From mountinfo, never stat(): a stat of the mount's root would be a request that is never answered.
    with open('/proc/self/mountinfo') as f:
        for line in f:
            fields = line.split()
            if fields[4] == mountpoint:
                major, minor = fields[2].split(':')
                return (int(major) << 20) | int(minor)
    raise SystemExit(f'{mountpoint} is not mounted')


# x86_64 system call numbers.
SYS_SETNS, SYS_OPEN_TREE, SYS_MOVE_MOUNT = 308, 428, 429
AT_FDCWD, AT_RECURSIVE, OPEN_TREE_CLONE, OPEN_TREE_CLOEXEC = -100, 0x8000, 1, 0o2000000
MOVE_MOUNT_F_EMPTY_PATH, CLONE_NEWNS = 4, 0x20000


def attach_into(mountpoint, target):
    # In a child: setns() changes the mount namespace (and the root) of the caller.
    pid, path = target.split(':', 1)
    child = os.fork()
    if child:
        _, status = os.waitpid(child, 0)
        if status != 0:
            raise SystemExit(f'could not attach the mount at {path} in the mount namespace of {pid}')
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    tree = libc.syscall(ctypes.c_long(SYS_OPEN_TREE), ctypes.c_int(AT_FDCWD), mountpoint.encode(),
                        ctypes.c_uint(OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE))
    ns = os.open(f'/proc/{pid}/ns/mnt', os.O_RDONLY | os.O_CLOEXEC)
    if tree < 0 or libc.syscall(ctypes.c_long(SYS_SETNS), ctypes.c_int(ns), ctypes.c_int(CLONE_NEWNS)) < 0 or \
            libc.syscall(ctypes.c_long(SYS_MOVE_MOUNT), ctypes.c_int(tree), b'', ctypes.c_int(AT_FDCWD),
                         path.encode(), ctypes.c_uint(MOVE_MOUNT_F_EMPTY_PATH)) < 0:
        print(f'attach: {os.strerror(ctypes.get_errno())}', file=sys.stderr, flush=True)
        os._exit(1)
    os._exit(0)


def main():
    mountpoint = os.path.abspath(sys.argv[1])
    answer_init = '--answer-init' in sys.argv[2:]

    fd = os.open('/dev/fuse', os.O_RDWR | os.O_CLOEXEC)
    subprocess.run(['mount', '-i', '-t', 'fuse', '-o',
                    f'fd={fd},rootmode=40000,user_id=0,group_id=0,allow_other', 'mx-hung-fuse', mountpoint],
                   pass_fds=[fd], check=True)
    for i, a in enumerate(sys.argv):
        if a == '--into':
            attach_into(mountpoint, sys.argv[i + 1])
    print(connection_of(mountpoint), flush=True)

    if not answer_init:
        while True:
            time.sleep(3600)

    while True:
        try:
            req = os.read(fd, 1 << 20)
        except OSError:
            return 0        # ENODEV: aborted
        length, opcode, unique = struct.unpack_from('<IIQ', req)
        if opcode != FUSE_INIT:
            continue        # read, never answered
        # fuse_init_out, protocol 7.31: major, minor, max_readahead, flags, max_background,
        # congestion_threshold, max_write, time_gran, max_pages, map_alignment, flags2, unused[7]
        out = struct.pack('<IIIIHHIIHHI7I', 7, 31, 0, 0, 12, 9, 4096, 1, 0, 0, 0, *([0] * 7))
        os.write(fd, struct.pack('<IiQ', 16 + len(out), 0, unique) + out)


if __name__ == '__main__':
    sys.exit(main())
