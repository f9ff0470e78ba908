/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* This program's own file, as the processes it puts into containers carry it (CVE-2019-5736). */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "macro.h"
#include "priv.h"

int priv_exec_self_read_only(char *const argv[]) {
        struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV };
        _cleanup_close_ int tree = -EBADF;
        struct statvfs sv;
        char comm[16] = {};

        if (!argv || !argv[0])
                return -EINVAL;
        /* The mount the kernel reached our file through when it ran us: what /proc/PID/exe opens. */
        if (statvfs("/proc/self/exe", &sv) < 0)
                return -errno;
        if (sv.f_flag & ST_RDONLY) {
                /* Run by fd (below), a kernel before 6.14 named us after the fd's number: our name back. */
                if (prctl(PR_GET_NAME, comm, 0, 0, 0) >= 0 && comm[0] && !comm[strspn(comm, "0123456789")]) {
                        _cleanup_free_ char *name = strdup(argv[0]);
                        if (name)
                                (void) prctl(PR_SET_NAME, basename(name), 0, 0, 0);
                }
                return 0;
        }
        /* A detached bind mount of the file, read-only, which nothing else can reach or remount: run through
         * it, we are the same program, sharing its page cache, and whatever opens our /proc/PID/exe for
         * writing gets EROFS, even once we have exited (runc 1.2 makes an overlay mount for the same end). */
        tree = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
                return -errno;
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return -errno;
        (void) execveat(tree, "", argv, environ, AT_EMPTY_PATH);
        return -errno;
}
