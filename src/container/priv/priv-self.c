/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* This program's own file, as the processes it puts into containers carry it (CVE-2019-5736). */

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "macro.h"
#include "priv.h"

/* Whether the mount our file was run from is one of our namespace's (1: it is in /proc/self/mountinfo), or
 * detached, as priv_exec_self_read_only() makes it (0); -errno if that cannot be told (no STATX_MNT_ID before
 * Linux 5.8). */
static int exe_mount_attached(void) {
        _cleanup_fclose_ FILE *f = NULL;
        _cleanup_free_ char *line = NULL;
        struct statx sx;
        size_t n = 0;

        if (statx(AT_FDCWD, "/proc/self/exe", 0, STATX_MNT_ID, &sx) < 0)
                return -errno;
        if (!(sx.stx_mask & STATX_MNT_ID))
                return -EOPNOTSUPP;
        f = fopen("/proc/self/mountinfo", "re");
        if (!f)
                return -errno;
        while (getline(&line, &n, f) > 0) {
                unsigned long long id;
                if (sscanf(line, "%llu", &id) == 1 && id == sx.stx_mnt_id)
                        return 1;
        }
        return 0;
}

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
        /* Read-only, and not a mount of the namespace's (which an admin may remount read-write, while a
         * container holds our /proc/PID/exe open): ours. */
        if ((sv.f_flag & ST_RDONLY) && exe_mount_attached() <= 0) {
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
         * writing gets EROFS, even once we have exited (runc 1.2 makes an overlay mount for the same end).
         * machined-ext-oci's launcher does the same without a C library: priv-launch.c. */
        tree = open_tree(AT_FDCWD, "/proc/self/exe", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (tree < 0)
                return -errno;
        if (mount_setattr(tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
                return -errno;
        (void) execveat(tree, "", argv, environ, AT_EMPTY_PATH);
        return -errno;
}
