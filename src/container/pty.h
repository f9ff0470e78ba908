/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* A pty of a container's own devpts instance: for the console of an OCI process.terminal (the init, before
 * pivot_root) and for a process run in a running container (enter.c, after setns()). */

/* A new pty from the ptmx of the container whose root is ROOTFD: its /dev/ptmx is resolved inside that root
 * (the usual symlink to pts/ptmx is followed there, never a magic link out of it) and must be the ptmx
 * device. The peer is opened from the master (TIOCGPTPEER), never by its /dev/pts path, which the container
 * could have replaced (CVE-2025-52565). ROWS, COLUMNS > 0: its window size. Returns 0 with both fds
 * (O_CLOEXEC, O_NOCTTY), or -errno (-ENOTTY: /dev/ptmx is not the ptmx device). */
int pty_open_in_root(int rootfd, unsigned short rows, unsigned short columns, int *ret_master, int *ret_peer);
