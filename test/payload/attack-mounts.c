/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* See attack-mounts.h. Through syscall(): the payload is static, and must not depend on which of these calls
 * the C library wraps. */

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attack-mounts.h"

#ifndef SYS_open_tree_attr
#define SYS_OPEN_TREE_ATTR 467          /* the same on every architecture (the numbers shared since 424) */
#else
#define SYS_OPEN_TREE_ATTR SYS_open_tree_attr
#endif

static void result(FILE *out, const char *(*errno_name)(int), const char *name, int r, int e) {
        if (r < 0)
                fprintf(out, "%s=blocked %s\n", name, errno_name(e));
        else
                fprintf(out, "%s=ESCAPED\n", name);
}

static bool read_only(const char *path) {
        struct statvfs s;

        return statvfs(path, &s) >= 0 && (s.f_flag & ST_RDONLY);
}

/* Opens PATH relative to DIR for writing (never writes): the proof that a read-only guarantee is gone. */
static int open_write(int dir, const char *path) {
        int fd = openat(dir, path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);

        if (fd < 0)
                return -errno;
        close(fd);
        return 0;
}

void attack_mounts(FILE *out, const char *(*errno_name)(int e)) {
        struct mount_attr clear_ro = { .attr_clr = MOUNT_ATTR_RDONLY };
        int r, e = 0, fd;

        /* The superblock, not the mount: may make a read-only file system of the host writable. */
        r = mount(NULL, "/sys", NULL, MS_REMOUNT, NULL);
        result(out, errno_name, "remount-sb-sys", r, errno);

        r = (int) syscall(SYS_mount_setattr, AT_FDCWD, "/proc/sys", 0, &clear_ro, sizeof(clear_ro));
        e = errno;
        if (r >= 0 && read_only("/proc/sys"))
                r = -1, e = EROFS;
        result(out, errno_name, "setattr-proc-sys", r, e);

        /* A detached copy of /proc/sys, made writable, and written through by fd. */
        fd = (int) syscall(SYS_open_tree, AT_FDCWD, "/proc/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
        if (fd < 0)
                r = -1, e = errno;
        else {
                r = (int) syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH, &clear_ro, sizeof(clear_ro));
                e = errno;
                if (r >= 0) {
                        r = open_write(fd, "kernel/core_pattern");
                        e = -r;
                }
                close(fd);
        }
        result(out, errno_name, "clone-proc-sys", r, e);

        /* The same in one call (Linux 6.15), newer than the libseccomp of Debian 12 knows. */
        fd = (int) syscall(SYS_OPEN_TREE_ATTR, AT_FDCWD, "/proc/sys", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC,
                           &clear_ro, sizeof(clear_ro));
        if (fd < 0)
                r = -1, e = errno;
        else {
                r = open_write(fd, "kernel/core_pattern");
                e = -r;
                close(fd);
        }
        result(out, errno_name, "clone-attr-proc-sys", r, e);

        /* The superblock of /sys reconfigured read-write through the new mount API. */
        fd = (int) syscall(SYS_fspick, AT_FDCWD, "/sys", FSPICK_CLOEXEC);
        if (fd < 0)
                r = -1, e = errno;
        else {
                r = (int) syscall(SYS_fsconfig, fd, FSCONFIG_SET_FLAG, "rw", NULL, 0);
                if (r >= 0)
                        r = (int) syscall(SYS_fsconfig, fd, FSCONFIG_CMD_RECONFIGURE, NULL, NULL, 0);
                e = errno;
                if (r >= 0 && read_only("/sys"))
                        r = -1, e = EROFS;
                close(fd);
        }
        result(out, errno_name, "fspick-sys", r, e);

        /* Allowed: what systemd's sandboxing does inside (ProtectSystem=, ...). */
        r = mount(NULL, "/run/host", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                  NULL);
        if (r < 0)
                fprintf(out, "remount-ro-run-host=refused %s\n", errno_name(errno));
        else
                fprintf(out, "remount-ro-run-host=allowed\n");
}

void attack_unmounts(FILE *out, const char *(*errno_name)(int e)) {
        int r, e;

        (void) mkdir("/tmp/attack-sys", 0700);
        r = mount("sysfs", "/tmp/attack-sys", "sysfs", 0, NULL);
        result(out, errno_name, "mount-sysfs", r, errno);
        if (r >= 0) {
                r = open_write(AT_FDCWD, "/tmp/attack-sys/kernel/rcu_expedited");
                result(out, errno_name, "write-fresh-sysfs", r, -r);
                (void) umount2("/tmp/attack-sys", MNT_DETACH);
        }

        r = umount2("/proc/sys", MNT_DETACH);
        e = errno;
        result(out, errno_name, "umount-proc-sys", r, e);
        if (r >= 0) {
                r = open_write(AT_FDCWD, "/proc/sys/kernel/core_pattern");
                result(out, errno_name, "write-core-pattern-after-umount", r, -r);
        }
}
