/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* Closes FD, an fd a peer passed us, so that the close cannot hold up the caller: the last close of some fds
 * waits (a TCP socket with SO_LINGER and a send queue its peer never acknowledges: up to days). A thread of
 * its own closes them, started at the first call; if it cannot be, or has 16384 fds queued behind a close
 * that waits, FD is closed here. FD < 0: nothing. */
void fd_close_detached(int fd);
