/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * systemd-nspawn's policy for the API file systems and /run/host. What is mounted where, with which flags, and
 * which kernel files are hidden: the mechanism (and its trust argument) is in priv/. Every object mounted here
 * is one this file created itself (a new proc, sysfs, tmpfs, devpts, mqueue, cgroup2, or a node in our own
 * tmpfs) or a host path named by the trusted caller; mask sources are never image paths (CVE-2025-31133).
 */

#include <fcntl.h>
#include <limits.h>
#include <sys/capability.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>

#include "nspawn-policy.h"
#include "priv/priv.h"

uint64_t container_default_capabilities(void) {
        static const int caps[] = {
                CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
                CAP_FOWNER, CAP_FSETID, CAP_IPC_OWNER, CAP_KILL, CAP_LEASE, CAP_LINUX_IMMUTABLE, CAP_MKNOD,
                CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST, CAP_NET_RAW, CAP_SETFCAP, CAP_SETGID, CAP_SETPCAP,
                CAP_SETUID, CAP_SYS_ADMIN, CAP_SYS_BOOT, CAP_SYS_CHROOT, CAP_SYS_NICE, CAP_SYS_PTRACE,
                CAP_SYS_RESOURCE, CAP_SYS_TTY_CONFIG,
        };
        uint64_t m = 0;

        for (size_t i = 0; i < ELEMENTSOF(caps); i++)
                m |= UINT64_C(1) << caps[i];
        return m;
}

#define MOUNT_ATTR_LOCKED_DOWN (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)

int policy_mount_proc(int rootfd, SetupLog *l) {
        _cleanup_close_ int target = -EBADF;
        int procfd;

        target = priv_open_dir_in_root(rootfd, "proc", true);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_PROC, target, "/proc");
        procfd = priv_fs_mount(target, "proc", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (procfd < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_PROC, procfd, "/proc");
        return procfd;
}

int policy_lock_proc(int procfd, int devfd, SetupLog *l) {
        static const char *const readonly[] = { "sys", "sysrq-trigger", "irq", "bus", "fs" };
        static const char *const masked_files[] = {
                "kcore", "keys", "timer_list", "latency_stats", "sched_debug", "kallsyms",
        };
        static const char *const masked_dirs[] = { "acpi", "scsi" };
        static const char *const empty_opts[] = { "size", "0", "mode", "0555", NULL };
        int r;

        /* Kernel knobs that are not namespaced stay visible but read-only, like systemd-nspawn does. */
        for (size_t i = 0; i < ELEMENTSOF(readonly); i++) {
                r = priv_bind_over(procfd, readonly[i], procfd, readonly[i], MOUNT_ATTR_LOCKED_DOWN);
                if (r < 0 && r != -ENOENT)
                        return setup_fail(l, CONTAINER_STAGE_MOUNT_PROC, r, readonly[i]);
        }
        /* Files that leak host memory or keys are hidden behind the container's own /dev/null. */
        for (size_t i = 0; i < ELEMENTSOF(masked_files); i++) {
                r = priv_bind_over(devfd, "null", procfd, masked_files[i], MOUNT_ATTR_RDONLY);
                if (r < 0 && r != -ENOENT)
                        return setup_fail(l, CONTAINER_STAGE_MOUNT_PROC, r, masked_files[i]);
        }
        for (size_t i = 0; i < ELEMENTSOF(masked_dirs); i++) {
                _cleanup_close_ int d = openat(procfd, masked_dirs[i], O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
                if (d < 0)
                        continue;
                r = priv_fs_mount(d, "tmpfs", empty_opts, MOUNT_ATTR_LOCKED_DOWN);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_MOUNT_PROC, r, masked_dirs[i]);
                safe_close(r);
        }
        return 0;
}

/* Creates /dev/NAME in our /dev tmpfs and mounts a new FSTYPE on it. */
static int mount_dev_subdir(int devfd, const char *name, mode_t mode, const char *fstype,
                            const char *const *options, unsigned attr, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        if (mkdirat(devfd, name, mode) < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -errno, name);
        fd = openat(devfd, name, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -errno, name);
        r = priv_fs_mount(fd, fstype, options, attr);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, r, name);
        safe_close(r);
        return 0;
}

/* /dev/console: the console's pty (a bind of the host-side slave, like systemd-nspawn). */
static int setup_dev_console(int devfd, int console_fd, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        char fdpath[64], pts[PATH_MAX];
        struct stat a, b;
        ssize_t n;
        int r;

        /* By path (the host's /dev/pts, still visible here): a mount reached through an fd of the caller
         * belongs to the caller's mount namespace, and cannot be cloned in ours. The path must name the very
         * device of CONSOLE_FD. */
        snprintf(fdpath, sizeof(fdpath), "/proc/self/fd/%i", console_fd);
        n = readlink(fdpath, pts, sizeof(pts) - 1);
        if (n < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -errno, "/dev/console");
        pts[n] = 0;
        if (stat(pts, &a) < 0 || fstat(console_fd, &b) < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -errno, pts);
        if (!S_ISCHR(a.st_mode) || a.st_rdev != b.st_rdev)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -ENOTTY, pts);

        fd = openat(devfd, "console", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -errno, "/dev/console");
        r = priv_bind_over(AT_FDCWD, pts, devfd, "console", 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, r, "/dev/console");
        return 0;
}

static int bind_host_node(int devfd, const char *name) {
        _cleanup_close_ int fd = -EBADF;
        char src[64];
        struct stat st;

        snprintf(src, sizeof(src), "/dev/%s", name);
        if (stat(src, &st) < 0)
                return -errno;
        if (!S_ISCHR(st.st_mode))
                return -ENODEV;
        fd = openat(devfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0666);
        if (fd < 0)
                return -errno;
        return priv_bind_over(AT_FDCWD, src, devfd, name, 0);
}

int policy_setup_dev(int rootfd, int console_fd, SetupLog *l) {
        static const struct {
                const char *name;
                unsigned major, minor;
        } nodes[] = {
                { "null",    1, 3 },
                { "zero",    1, 5 },
                { "full",    1, 7 },
                { "random",  1, 8 },
                { "urandom", 1, 9 },
                { "tty",     5, 0 },
        };
        static const struct {
                const char *target, *name;
        } links[] = {
                { "pts/ptmx",        "ptmx"   },
                { "/proc/self/fd",   "fd"     },
                { "/proc/self/fd/0", "stdin"  },
                { "/proc/self/fd/1", "stdout" },
                { "/proc/self/fd/2", "stderr" },
        };
        static const char *const dev_opts[] = { "mode", "0755", "size", "4m", "nr_inodes", "64k", NULL };
        static const char *const pts_opts[] = { "newinstance", NULL, "ptmxmode", "0666", "mode", "0620", "gid", "5", NULL };
        static const char *const shm_opts[] = { "mode", "1777", NULL };
        _cleanup_close_ int target = -EBADF, devfd = -EBADF;
        int r;

        target = priv_open_dir_in_root(rootfd, "dev", true);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, target, "/dev");
        /* Not nodev: this tmpfs holds the device nodes. It only ever contains what is created below. */
        devfd = priv_fs_mount(target, "tmpfs", dev_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_STRICTATIME);
        if (devfd < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, devfd, "/dev");

        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                r = priv_mknodat(devfd, nodes[i].name, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor));
                if (r == -EPERM)
                        /* In a user namespace: the host's node (a host path), bound over a placeholder, as
                         * nspawn does. */
                        r = bind_host_node(devfd, nodes[i].name);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, r, nodes[i].name);
        }

        if (console_fd >= 0) {
                r = setup_dev_console(devfd, console_fd, l);
                if (r < 0)
                        return r;
        }

        for (size_t i = 0; i < ELEMENTSOF(links); i++)
                if (symlinkat(links[i].target, devfd, links[i].name) < 0)
                        return setup_fail(l, CONTAINER_STAGE_MOUNT_DEV, -errno, links[i].name);

        r = mount_dev_subdir(devfd, "pts", 0755, "devpts", pts_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC, l);
        if (r < 0)
                return r;
        r = mount_dev_subdir(devfd, "shm", 01777, "tmpfs", shm_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV, l);
        if (r < 0)
                return r;
        /* The mqueue file system shows the IPC namespace of the mounter: ours is new. */
        r = mount_dev_subdir(devfd, "mqueue", 0755, "mqueue", NULL,
                             MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC, l);
        if (r < 0)
                return r;

        return TAKE_FD(devfd);
}

int policy_setup_sys(int rootfd, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        int r;

        fd = priv_open_dir_in_root(rootfd, "sys", true);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_SYS, fd, "/sys");
        r = priv_fs_mount(fd, "sysfs", NULL, MOUNT_ATTR_LOCKED_DOWN);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_SYS, r, "/sys");
        safe_close(r);
        return 0;
}

int policy_setup_tmpfs(int rootfd, const char *name, const char *mode, SetupLog *l) {
        const char *const opts[] = { "mode", mode, "size", "20%", "nr_inodes", "400k", NULL };
        _cleanup_close_ int target = -EBADF;
        int r;

        target = priv_open_dir_in_root(rootfd, name, true);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_RUN, target, name);
        r = priv_fs_mount(target, "tmpfs", opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_MOUNT_RUN, r, name);
        return r;
}

static int write_file_at(int dirfd, const char *name, const char *line, SetupLog *l) {
        _cleanup_close_ int fd = -EBADF;
        size_t n = strlen(line);

        fd = openat(dirfd, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, name);
        errno = 0;
        if (write(fd, line, n) != (ssize_t) n || write(fd, "\n", 1) != 1)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, errno ? -errno : -EIO, name);
        return 0;
}

/* /run/host/inaccessible/: one node of each type, mode 0000, for masking paths of that type. */
static int setup_inaccessible_nodes(int hostfd, const ContainerConfig *c, SetupLog *l) {
        static const char *const names[] = { "chr", "blk" };
        static const mode_t types[] = { S_IFCHR, S_IFBLK };
        _cleanup_close_ int ifd = -EBADF, fd = -EBADF;
        int r;

        if (mkdirat(hostfd, "inaccessible", 0755) < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "inaccessible");
        ifd = openat(hostfd, "inaccessible", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (ifd < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "inaccessible");
        fd = openat(ifd, "reg", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0000);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "inaccessible/reg");
        fd = safe_close(fd);
        if (mkdirat(ifd, "dir", 0000) < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "inaccessible/dir");
        r = priv_mknodat(ifd, "fifo", S_IFIFO | 0000, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, r, "inaccessible/fifo");
        r = priv_mknodat(ifd, "sock", S_IFSOCK | 0000, 0);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, r, "inaccessible/sock");

        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                if (c->inaccessible_dir) {
                        char src[PATH_MAX];

                        /* The host's nodes (created by the caller, host-owned), bound over placeholders: a
                         * DevicePolicy=closed cgroup refuses mknod of 0:0 here. */
                        snprintf(src, sizeof(src), "%s/%s", c->inaccessible_dir, names[i]);
                        fd = openat(ifd, names[i], O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0000);
                        if (fd >= 0 && priv_bind_over(AT_FDCWD, src, ifd, names[i], MOUNT_ATTR_RDONLY) >= 0) {
                                fd = safe_close(fd);
                                continue;
                        }
                        fd = safe_close(fd);
                        (void) unlinkat(ifd, names[i], 0);
                }
                r = priv_mknodat(ifd, names[i], types[i] | 0000, makedev(0, 0));
                if (r < 0)
                        setup_warn(l, r, "/run/host/inaccessible/%s: cannot create device nodes, leaving it out",
                                   names[i]);
        }
        return TAKE_FD(ifd);
}

int policy_setup_run_host(int runfd, const ContainerConfig *c, SetupLog *l) {
        static const char *const host_opts[] = { "mode", "0755", "size", "1m", "nr_inodes", "1k", NULL };
        static const char *const os_release[] = { "/etc/os-release", "/usr/lib/os-release" };
        _cleanup_close_ int target = -EBADF, hostfd = -EBADF, ifd = -EBADF, fd = -EBADF, tree = -EBADF;
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_LOCKED_DOWN };
        int r;

        if (mkdirat(runfd, "host", 0755) < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "/run/host");
        target = openat(runfd, "host", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "/run/host");
        hostfd = priv_fs_mount(target, "tmpfs", host_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (hostfd < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, hostfd, "/run/host");

        ifd = setup_inaccessible_nodes(hostfd, c, l);
        if (ifd < 0)
                return ifd;

        r = write_file_at(hostfd, "container-manager", c->manager_name ?: "machined-ext", l);
        if (r < 0)
                return r;
        if (c->uuid) {
                r = write_file_at(hostfd, "container-uuid", c->uuid, l);
                if (r < 0)
                        return r;
        }

        /* os-release: the host's, read-only. A host path, resolved on the host before we pivot. */
        fd = openat(hostfd, "os-release", O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC | O_NOFOLLOW, 0444);
        if (fd < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "os-release");
        for (size_t i = 0; i < ELEMENTSOF(os_release) && tree < 0; i++)
                tree = priv_tree_clone(AT_FDCWD, os_release[i], 0);
        if (tree < 0)
                setup_warn(l, tree, "/run/host/os-release: the host has no os-release, leaving it empty");
        else {
                r = priv_mount_setattr(tree, false, &ro);
                if (r >= 0)
                        r = priv_move_mount(tree, fd);
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_RUN_HOST, r, "/run/host/os-release");
        }

        /* incoming/: the host-side propagation directory, a read-only slave of it. */
        if (mkdirat(hostfd, "incoming", 0755) < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "incoming");
        if (c->propagate_dir) {
                r = priv_bind_slave(c->propagate_dir, hostfd, "incoming");
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_RUN_HOST, r, c->propagate_dir);
        }

        return TAKE_FD(ifd);
}

int policy_finish_run_host(const ContainerConfig *c, int *ret_notify_fd, SetupLog *l) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/run/host/notify" };
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        _cleanup_close_ int fd = -EBADF, hostfd = -EBADF;
        int r;

        if (c->notify) {
                fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
                if (fd < 0)
                        return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "/run/host/notify");
                if (bind(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                        return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "/run/host/notify");
        }

        hostfd = open("/run/host", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (hostfd < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, -errno, "/run/host");
        r = priv_mount_setattr(hostfd, false, &ro);
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_RUN_HOST, r, "/run/host");

        *ret_notify_fd = TAKE_FD(fd);
        return 0;
}

int policy_setup_cgroup(bool new_ns, bool read_only, SetupLog *l) {
        _cleanup_close_ int target = -EBADF;
        int r;

        /* The caller has placed us in our cgroup by now; make it the root of what the payload sees (or it
         * joined a cgroup namespace of the model, or stays in the creator's). */
        if (new_ns) {
                r = priv_unshare_cgroup();
                if (r < 0)
                        return setup_fail(l, CONTAINER_STAGE_CGROUP, r, "cgroup namespace");
        }

        target = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (target < 0)
                return setup_fail(l, CONTAINER_STAGE_CGROUP, -errno, "/sys/fs/cgroup");
        r = priv_fs_mount(target, "cgroup2", NULL, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
                          (read_only ? MOUNT_ATTR_RDONLY : 0));
        if (r < 0)
                return setup_fail(l, CONTAINER_STAGE_CGROUP, r, "/sys/fs/cgroup");
        safe_close(r);
        return 0;
}

int inaccessible_nodes_setup(const char *dir) {
        _cleanup_close_ int dfd = -EBADF;
        struct stat st;
        int r;

        if (!dir || dir[0] != '/')
                return -EINVAL;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
        if (dfd < 0)
                return -errno;
        /* Host-side, in a directory only root can write: the nodes cannot be swapped for anything else. */
        if (fstatat(dfd, "chr", &st, AT_SYMLINK_NOFOLLOW) < 0) {
                r = priv_mknodat(dfd, "chr", S_IFCHR | 0000, makedev(0, 0));
                if (r < 0)
                        return r;
        }
        if (fstatat(dfd, "blk", &st, AT_SYMLINK_NOFOLLOW) < 0) {
                r = priv_mknodat(dfd, "blk", S_IFBLK | 0000, makedev(0, 0));
                if (r < 0)
                        return r;
        }
        return 0;
}

int propagate_dir_setup(const char *dir) {
        if (!dir || dir[0] != '/')
                return -EINVAL;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return -errno;
        return priv_make_shared_mount_point(dir);
}
