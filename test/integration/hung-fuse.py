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
# It ends when the connection is aborted (echo 1 >/sys/fs/fuse/connections/N/abort) or when it is killed:
# closing /dev/fuse aborts the connection too. The mount itself stays until unmounted (umount -l).

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


def main():
    mountpoint = os.path.abspath(sys.argv[1])
    answer_init = '--answer-init' in sys.argv[2:]

    fd = os.open('/dev/fuse', os.O_RDWR | os.O_CLOEXEC)
    subprocess.run(['mount', '-i', '-t', 'fuse', '-o',
                    f'fd={fd},rootmode=40000,user_id=0,group_id=0,allow_other', 'mx-hung-fuse', mountpoint],
                   pass_fds=[fd], check=True)
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
