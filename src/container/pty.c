/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A pty of a container's own devpts instance (pty.h). */

#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <termios.h>

#include "macro.h"
#include "priv/priv.h"
#include "pty.h"

int pty_open_in_root(int rootfd, unsigned short rows, unsigned short columns, int *ret_master, int *ret_peer) {
        _cleanup_close_ int master = -EBADF;
        struct winsize ws = { .ws_row = rows, .ws_col = columns };
        struct stat st;
        int unlock = 0, peer;

        if (rootfd < 0 || !ret_master || !ret_peer)
                return -EINVAL;
        master = priv_openat2(rootfd, "dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC, 0,
                              RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS);
        if (master < 0)
                return master;
        if (fstat(master, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2)
                return -ENOTTY;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return -errno;
        if (rows > 0 && columns > 0 && ioctl(master, TIOCSWINSZ, &ws) < 0)
                return -errno;
        peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                return -errno;
        *ret_master = TAKE_FD(master);
        *ret_peer = peer;
        return 0;
}
