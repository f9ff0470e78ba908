#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
# console-socket.py SOCKET OUT: the receiving end of an OCI --console-socket (as conmon's): accepts one
# connection, takes the pty master that comes with SCM_RIGHTS, and copies what the payload writes to its
# terminal into OUT until the payload closes it. Prints "ready" once it listens.
import array, os, socket, sys

path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(path)
s.listen(1)
print("ready", flush=True)
c, _ = s.accept()
fds = array.array("i")
msg, anc, _, _ = c.recvmsg(256, socket.CMSG_SPACE(fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[:fds.itemsize])
master = fds[0]
with open(out, "wb") as f:
    while True:
        try:
            b = os.read(master, 4096)
        except OSError:
            break
        if not b:
            break
        f.write(b)
        f.flush()
