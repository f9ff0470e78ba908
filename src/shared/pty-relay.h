/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The pieces of a terminal relay between our stdio and a pty's master, shared by machinectl-ext's shell and
 * machined-ext-oci's run/exec in the foreground. */

/* Writes all N bytes of P to FD (waiting while a non-blocking FD is full). Returns 0 or -errno. */
int pty_write_all(int fd, const void *p, size_t n);

/* Master → stdout until nothing is there (MASTER is non-blocking). Returns 0 while it is open, 1 once it hung
 * up (the last peer fd is closed), or -errno. */
int pty_drain_master(int master);

/* The command exited: its last output may still be on its way through the pty (the kernel pushes it to the
 * master asynchronously). Reads until the hang-up (the last peer fd closed; the kernel delivers what was
 * written before), or a second without output (a child of the command holds the peer open). OPEN: whether
 * the master has not hung up yet. Returns 0 or -errno. */
int pty_drain_to_hangup(int master, bool open);
