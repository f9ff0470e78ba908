/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container-config.h"
#include "setup-log.h"

/* Makes C's stdin/stdout/stderr fds (or /dev/null) fds 0..2, and, if C asks, fd 0 the controlling terminal
 * of a new session. Returns 0 or -errno (stage CONTAINER_STAGE_STDIO). */
int init_setup_stdio(const ContainerConfig *c, SetupLog *l);

/* ContainerConfig.console_pty, once /dev is set up (DEVFD, with its devpts) below the root ROOTFD, before
 * pivot_root: a new pty of the container's devpts (pty_open_in_root()), its peer bound over /dev/console, and
 * the master sent to the creator on SOCK with a CONTAINER_STAGE_CONSOLE report (error 0, detail
 * "/dev/pts/N"). Returns the peer (O_CLOEXEC), for init_setup_stdio(), or -errno (stage
 * CONTAINER_STAGE_CONSOLE). */
int init_setup_console(const ContainerConfig *c, int rootfd, int devfd, int sock, SetupLog *l);

/* Applies C's RLIMIT_NOFILE cap, rlimits, OOM score adjustment, CPU affinity and personality. Returns 0 or
 * -errno (stage CONTAINER_STAGE_LIMITS or _PREPARE). */
int init_apply_limits(const ContainerConfig *c, SetupLog *l);

/* Applies C's scheduling attributes and I/O priority. Returns 0 or -errno (stage CONTAINER_STAGE_LIMITS). */
int init_apply_scheduling(const ContainerConfig *c, SetupLog *l);

/* Resets every signal disposition to the default and unblocks all signals. Returns 0 or -errno. */
int init_reset_signals(SetupLog *l);

/* The fds for the exec: the caller's fds 3..3+N_PRESERVE-1 stay where they are, inheritable (their
 * FD_CLOEXEC cleared); *SOCK (the report socket, O_CLOEXEC) moves right after them, *USERNS_FD (if >= 0) after
 * it; every other fd above stderr is closed. Both are updated. A preserved fd that is not open, or one that is
 * the socket or the user namespace, is refused (-EBADF): neither may reach the payload. Returns 0 or -errno
 * (stage CONTAINER_STAGE_STDIO). */
int init_arrange_fds(unsigned n_preserve, int *sock, int *userns_fd, SetupLog *l);
