/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Closes FD, an fd a peer passed us, so that the close cannot hold up the caller: the last close of some fds
 * waits (a TCP socket with SO_LINGER and a send queue its peer never acknowledges: up to days). A socket gets
 * SO_LINGER 0 (its close resets it at once); a thread of its own closes them all, started at the first call
 * (for what else may wait: a FUSE file's flush). If it cannot be started, or has 16384 fds queued behind a
 * close that waits, FD is closed here. FD < 0: nothing. */
void fd_close_detached(int fd);
