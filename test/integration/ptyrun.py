#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# ptyrun.py [--size ROWS COLS] [--resize-after SEC ROWS COLS] [--input-after SEC TEXT] [--timeout SEC]
#           [--termios-file FILE] -- CMD...
# Runs CMD on a new terminal of the given size (as a user's terminal emulator would), copies what it writes
# to stdout, and exits with its exit status (128 + signal). --resize-after changes the size while it runs
# (the kernel sends SIGWINCH), --input-after types TEXT, --timeout sends SIGTERM then. With --termios-file,
# writes "restored" there if CMD left the terminal's settings as it found them, else "changed".

import argparse
import fcntl
import os
import pty
import select
import signal
import struct
import sys
import termios
import time


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--size", nargs=2, type=int)
    p.add_argument("--resize-after", nargs=3, type=float)
    p.add_argument("--input-after", nargs=2)
    p.add_argument("--timeout", type=float, default=30)
    p.add_argument("--termios-file")
    p.add_argument("cmd", nargs="+")
    a = p.parse_args()

    pid, master = pty.fork()
    if pid == 0:
        os.execvp(a.cmd[0], a.cmd)
    if a.size:
        set_size(master, *a.size)
    before = termios.tcgetattr(master)
    start = time.monotonic()
    resized = typed = termed = eof = False
    status = None
    out = sys.stdout.buffer
    while True:
        now = time.monotonic() - start
        if a.resize_after and not resized and now >= a.resize_after[0]:
            set_size(master, int(a.resize_after[1]), int(a.resize_after[2]))
            resized = True
        if a.input_after and not typed and now >= float(a.input_after[0]):
            os.write(master, a.input_after[1].encode())
            typed = True
        if not termed and now >= a.timeout:
            os.kill(pid, signal.SIGTERM)
            termed = True
        r, _, _ = select.select([] if eof else [master], [], [], 0.05)
        if r:
            try:
                data = os.read(master, 4096)
            except OSError:
                data = b""
            if data:
                out.write(data)
                out.flush()
                continue
            eof = True
            r = []
        if status is None:
            w, st = os.waitpid(pid, os.WNOHANG)
            if w == pid:
                status = st
        if status is not None and not r:
            break
        if now > a.timeout + 10:
            os.kill(pid, signal.SIGKILL)
    if a.termios_file:
        with open(a.termios_file, "w") as f:
            f.write("restored\n" if termios.tcgetattr(master) == before else "changed\n")
    if os.WIFEXITED(status):
        sys.exit(os.WEXITSTATUS(status))
    sys.exit(128 + os.WTERMSIG(status))


main()
